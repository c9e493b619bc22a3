#!/usr/bin/env bash
# The Debian package, end to end (issue 11), as root on a Debian host with uanytun and lintian (bin/test installs
# them): bin/package builds it; lintian reports no error; dpkg -i installs it beside anytun and uanytun without
# a shared file; the installed /usr/sbin/janytun, started by the installed janytun-launcher from an
# /etc/janytun/NAME directory and then from an unchanged /etc/anytun/NAME directory, carries pings to uanytun in
# two namespaces, on the package's own runtime and AOT cache, as the user janytun; man -w finds every page; the
# generator reads /etc/janytun/autostart; the installed janytun-demo runs and cleans up; dpkg --purge leaves
# nothing of the package (files, run directories, systemd state, user, group).
# JANYTUN_TEST_DEB=FILE tests that package instead of building one.
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$here"
# shellcheck source=lib.sh
. "$here/src/test/sh/lib.sh"

for p in uanytun anytun lintian; do
  command -v "$p" >/dev/null 2>&1 || fail "'$p' not found (Debian package $p; bin/test installs it)"
done
if dpkg -s janytun >/dev/null 2>&1; then
  fail "the janytun package is installed already; this test installs and purges it: dpkg --purge janytun first"
fi
work=$(mktemp -d /tmp/janytun-package-test.XXXXXX); own_path "$work"
name=jpt$$                      # the VPN name, in /etc/janytun and then in /etc/anytun
installed=false
purge_if_installed() { $installed && dpkg --purge janytun >/dev/null 2>&1; }
on_cleanup purge_if_installed

# --- build and lintian ---------------------------------------------------------------------------------------
if [ -n "${JANYTUN_TEST_DEB:-}" ]; then   # a package built before (when working on this test)
  deb=$JANYTUN_TEST_DEB
  [ -f "$deb" ] || fail "JANYTUN_TEST_DEB=$deb: no such file"
else
  start=$(date +%s)
  bin/package > "$work/package.log" 2>&1 || { cat "$work/package.log" >&2; fail "bin/package failed"; }
  deb=$(sed -n 's/^built \(target\/janytun_[^ ]*_amd64\.deb\) .*/\1/p' "$work/package.log")
  [ -f "$deb" ] || fail "bin/package wrote no .deb ($(cat "$work/package.log"))"
  ok "$(tail -n 1 "$work/package.log") in $(( $(date +%s) - start )) s"
fi
lintian --tag-display-limit 0 "$deb" > "$work/lintian.log" 2>&1 || true
if grep -q '^E: ' "$work/lintian.log"; then
  grep '^E: ' "$work/lintian.log" >&2
  fail "lintian reports errors"
fi
ok "lintian: no error ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"

# --- install -------------------------------------------------------------------------------------------------
dpkg -i "$deb" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; installed=true; fail "dpkg -i failed"; }
installed=true
dpkg -L janytun > "$work/files"
while read -r f; do
  if [ ! -d "$f" ] && { [ -f "$f" ] || [ -L "$f" ]; }; then echo "$f"; fi   # files and links (not /lib -> usr/lib)
done < "$work/files" | sort > "$work/ours"
for p in anytun uanytun; do
  dpkg -L "$p" | sort | comm -12 - "$work/ours" > "$work/shared-$p"
  [ ! -s "$work/shared-$p" ] || fail "files shared with $p: $(tr '\n' ' ' < "$work/shared-$p")"
done
ok "installed beside anytun and uanytun without a shared file ($(wc -l < "$work/ours") files)"
getent passwd janytun >/dev/null && getent group janytun >/dev/null || fail "postinst made no user/group janytun"
[ "$(stat -c %U "/run/janytun")" = janytun ] || fail "/run/janytun is missing or not the user janytun's"
[ "$(cat /var/lib/dpkg/info/janytun.conffiles)" = /etc/janytun/README ] || fail "conffiles: $(cat /var/lib/dpkg/info/janytun.conffiles)"
# No JDK: the commands run on /usr/lib/janytun/runtime with a clean environment, and it takes its AOT cache
# (AOTMode=on makes an unusable cache an error).
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin JANYTUN_JVM_OPTS=-XX:AOTMode=on /usr/sbin/janytun --version \
  > "$work/version" 2>&1 || fail "janytun --version on the packaged runtime and AOT cache: $(cat "$work/version")"
for t in janytun-config janytun-controld janytun-showtables janytun-key janytun-ctl; do
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "/usr/sbin/$t" --version >/dev/null 2>&1 || fail "$t --version failed"
done
# the packaged runtime has X25519: a key made and turned into its public key
pub=$(/usr/sbin/janytun-key genkey | /usr/sbin/janytun-key pubkey) && [ ${#pub} = 44 ] \
  || fail "janytun-key genkey | janytun-key pubkey on the packaged runtime: $pub"
mods=$(/usr/lib/janytun/runtime/bin/java --list-modules | sed 's/@.*//' | sort | tr '\n' ' ')
ok "runtime modules: $mods"
commands=$(grep '^/usr/sbin/' "$work/ours" | sed 's|.*/||' | tr '\n' ' ')
[ "$(echo $commands | wc -w)" -ge 6 ] || fail "commands in /usr/sbin: $commands"
for m in $commands; do
  page=$(man -w "$m" 2>/dev/null) || fail "man -w $m finds nothing"
  [ "$page" = "/usr/share/man/man8/$m.8.gz" ] || fail "man -w $m: $page"
done
ok "man -w finds the page of every command: $commands"

# --- the autostart generator ---------------------------------------------------------------------------------
[ ! -e /etc/janytun/autostart ] || fail "/etc/janytun/autostart exists: not a clean host"
own_path /etc/janytun/autostart
printf '# test\n%s other-%s\n' "$name" "$name" > /etc/janytun/autostart
mkdir "$work/gen"
/lib/systemd/system-generators/janytun-generator "$work/gen" "$work/gen" "$work/gen"
for n in "$name" "other-$name"; do
  [ "$(readlink "$work/gen/janytun.service.wants/janytun@$n.service")" = /lib/systemd/system/janytun@.service ] \
    || fail "the generator did not pull in janytun@$n.service"
done
rm /etc/janytun/autostart
ok "janytun-generator: /etc/janytun/autostart -> janytun.service.wants/janytun@NAME.service"

# --- tunnels: the installed launcher and daemon against uanytun ----------------------------------------------
make_pair "jpkg-$$-a" "jpkg-$$-b"
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# Runs VPN $name from config tree $1 in namespace a against uanytun in b; checks pings, runtime, AOT, user.
tunnel_from() {
  local tree=$1 dir="$1/$name" jpid upid
  mkdir -p "$dir"; own_path "$dir"
  cat > "$dir/config" <<EOC
# written by package-test.sh
interface 10.233.0.1
remote-host 10.233.0.2
dev jpkg0
type tun
ifconfig 10.234.0.1/30
role left
window-size 64
passphrase $secret
EOC
  chmod 600 "$dir/config"
  printf '#!/bin/sh\necho "$1" > %s/post-up.ran\n' "$work" > "$dir/post-up.sh"; chmod 755 "$dir/post-up.sh"
  rm -f "$work/post-up.ran"
  ip netns exec "jpkg-$$-a" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "DAEMONOPTS=-D --username janytun -L stdout:4" \
    /usr/sbin/janytun-launcher vpn "$name" > "$work/janytun-$name.log" 2>&1 &
  jpid=$!; own_pid "$jpid"
  ip netns exec "jpkg-$$-b" uanytun -D -i 10.233.0.2 -r 10.233.0.1 -d jpkg0 -t tun -n 10.234.0.2/30 -e right \
    -w 64 -E "$secret" -L stdout:3 > "$work/uanytun-$name.log" 2>&1 &
  upid=$!; own_pid "$upid"
  ping_through "jpkg-$$-a" 10.234.0.2 \
    || { tail -n 20 "$work/janytun-$name.log" >&2; fail "no ping through the tunnel from $dir"; }
  [ "$(readlink "/proc/$jpid/exe")" = /usr/lib/janytun/runtime/bin/java ] \
    || fail "janytun runs on $(readlink "/proc/$jpid/exe"), not the packaged runtime"
  tr '\0' '\n' < "/proc/$jpid/cmdline" | grep -qx -- '-XX:AOTCache=/usr/lib/janytun/janytun.aot' \
    || fail "janytun was started without the packaged AOT cache"
  [ "$(ps -o user= -p "$jpid")" = janytun ] || fail "janytun runs as $(ps -o user= -p "$jpid"), not janytun"
  [ "$(cat "/run/janytun/$name.pid" 2>/dev/null)" = "$jpid" ] || fail "/run/janytun/$name.pid is not janytun's pid"
  [ "$(cat "$work/post-up.ran" 2>/dev/null)" = jpkg0 ] || fail "$dir/post-up.sh did not run with the device name"
  stop_pid "$jpid"; stop_pid "$upid"
  rm -rf "$dir" "/run/janytun/$name.pid"
  ok "tunnel janytun-launcher vpn $name ($dir, user janytun, packaged runtime and AOT cache) <-> uanytun: ping"
}
tunnel_from /etc/janytun
tunnel_from /etc/anytun        # Debian anytun's tree, as it is: nothing but the directory differs

# --- the installed demo --------------------------------------------------------------------------------------
/usr/sbin/janytun-demo -c 2 > "$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; fail "janytun-demo failed"; }
grep -q 'ping through the tunnel: ok' "$work/demo.log" && grep -q '^==> uanytun in jdemo-' "$work/demo.log" \
  || fail "janytun-demo did not ping through to uanytun"
! ip netns list | grep -q "^jdemo-" || fail "janytun-demo left namespaces: $(ip netns list | grep jdemo-)"
ok "the installed janytun-demo pinged uanytun and cleaned up"

# --- purge ---------------------------------------------------------------------------------------------------
dpkg --purge janytun > "$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
installed=false
left=()
while read -r f; do
  case "$f" in /.|/etc|/lib|/lib/systemd|/lib/systemd/*|/usr|/usr/lib|/usr/lib/tmpfiles.d|/usr/sbin|/usr/share|\
    /usr/share/doc|/usr/share/lintian|/usr/share/lintian/overrides|/usr/share/man|/usr/share/man/man8) \
    [[ $f == *janytun* ]] || continue ;; esac
  if [ -e "$f" ] || [ -L "$f" ]; then left+=("$f"); fi
done < "$work/files"
for f in /etc/janytun /usr/lib/janytun /run/janytun /run/janytun-controld /var/lib/dpkg/info/janytun.list; do
  if [ -e "$f" ]; then left+=("$f"); fi
done
left+=($(find /etc/systemd /var/lib/systemd -name '*janytun*' 2>/dev/null))
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
! getent passwd janytun >/dev/null && ! getent group janytun >/dev/null || fail "user or group janytun left after purge"
ok "purge left no file, directory, systemd state, user or group of janytun"

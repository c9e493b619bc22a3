# Shared by the shell tests that bin/test runs as root (package-test.sh, demo-test.sh): a failure ends the test
# with one line, and everything the test registered is removed on any exit, kill by pid, namespaces by name.
# shellcheck shell=bash
t_name=${0##*/}
t_pids=() t_netns=() t_paths=() t_cleanups=()
fail() { echo "$t_name: FAIL: $*" >&2; exit 1; }
ok() { echo "$t_name: ok: $*"; }
# Registers what to remove at exit.
own_pid() { t_pids+=("$1"); }
own_netns() { t_netns+=("$1"); }
own_path() { t_paths+=("$1"); }
on_cleanup() { t_cleanups+=("$1"); }
# Whether pid $1 still runs (a zombie does not).
alive() { [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 == "Z" ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
# Waits up to 5 s for pid $1 to end; false if it still runs.
ended() {
  local i
  for i in $(seq 50); do alive "$1" || return 0; sleep 0.1; done
  return 1
}
# Stops a process by pid: TERM, then KILL after 5 s.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  ended "$1" || kill -KILL "$1" 2>/dev/null || true
}
t_cleanup() {
  local rc=$? p c
  set +e
  for p in "${t_pids[@]}"; do stop_pid "$p"; done
  for p in "${t_netns[@]}"; do ip netns del "$p" 2>/dev/null; done
  for c in "${t_cleanups[@]}"; do eval "$c"; done
  for p in "${t_paths[@]}"; do rm -rf "$p"; done
  [ "$rc" -eq 0 ] && echo "$t_name: passed" || echo "$t_name: FAILED (exit $rc); cleaned up" >&2
  exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces, tun devices, dpkg)"
# Two namespaces NS_A, NS_B joined by a veth pair, 10.233.0.1/24 and 10.233.0.2/24; registered for removal.
make_pair() {
  local a=$1 b=$2
  ip netns add "$a" && own_netns "$a" && ip netns add "$b" && own_netns "$b" || fail "cannot create namespaces"
  ip link add "v$$a" netns "$a" type veth peer name "v$$b" netns "$b" || fail "cannot create a veth pair"
  ip -n "$a" addr add 10.233.0.1/24 dev "v$$a" && ip -n "$b" addr add 10.233.0.2/24 dev "v$$b" \
    && ip -n "$a" link set "v$$a" up && ip -n "$b" link set "v$$b" up \
    && ip -n "$a" link set lo up && ip -n "$b" link set lo up || fail "cannot configure the veth pair"
}
# Pings $2 from namespace $1 until 3 answers in a row arrive, for at most 20 s.
ping_through() {
  local i
  for i in $(seq 10); do
    ip netns exec "$1" ping -c 3 -i 0.3 -W 2 "$2" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

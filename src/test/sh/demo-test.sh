#!/usr/bin/env bash
# bin/janytun-demo (issue 11), as root: it pings through janytun <-> uanytun and through janytun <-> janytun and
# leaves no namespace or process behind; --keep leaves both up and its printed tear-down removes them; Ctrl-C
# (SIGINT to its process group, as a terminal sends it) in the middle removes everything and exits 130.
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$here"
# shellcheck source=lib.sh
. "$here/src/test/sh/lib.sh"
command -v uanytun >/dev/null 2>&1 || fail "uanytun not found (Debian package uanytun; bin/test installs it)"
work=$(mktemp -d /tmp/janytun-demo-test.XXXXXX); own_path "$work"

# The namespaces and daemon pids a run printed; registered for removal should the demo itself fail to.
take_over() {
  local ns p
  for ns in $(sed -n 's/^==> namespaces \(jdemo-[0-9]*-a\) and \(jdemo-[0-9]*-b\),.*/\1 \2/p' "$1"); do own_netns "$ns"; done
  for p in $(sed -n 's/^    janytun pid \([0-9]*\), [a-z]* pid \([0-9]*\)$/\1 \2/p' "$1"); do own_pid "$p"; done
}
# Fails when anything a run printed is still there.
gone() {
  local ns p
  for ns in $(sed -n 's/^==> namespaces \(jdemo-[0-9]*-a\) and \(jdemo-[0-9]*-b\),.*/\1 \2/p' "$1"); do
    ! ip netns list | grep -q "^$ns\b" || fail "$2: namespace $ns left"
  done
  for p in $(sed -n 's/^    janytun pid \([0-9]*\), [a-z]* pid \([0-9]*\)$/\1 \2/p' "$1"); do
    ended "$p" || fail "$2: process $p left"
  done
}

for mode in "" --janytun-only; do
  rc=0; bin/janytun-demo -c 2 $mode > "$work/run.log" 2>&1 || rc=$?
  take_over "$work/run.log"
  [ "$rc" -eq 0 ] || { cat "$work/run.log" >&2; fail "janytun-demo $mode exited $rc"; }
  grep -q 'ping through the tunnel: ok' "$work/run.log" || fail "janytun-demo $mode: no ping"
  # the pings came in through the tunnel: the data path and the connection count them
  grep -q 'SIGUSR1 received: [1-9][0-9]* packets ([0-9]* bytes) in' "$work/run.log" ||
    fail "janytun-demo $mode: no counters shown"
  grep -q 'connection 0 (.*): [1-9][0-9]* packets ([0-9]* bytes) in' "$work/run.log" ||
    fail "janytun-demo $mode: no counters of the connection shown"
  peer=uanytun; [ -z "$mode" ] || peer=janytun
  grep -q "^==> $peer in jdemo-" "$work/run.log" || fail "janytun-demo $mode did not run $peer"
  gone "$work/run.log" "janytun-demo $mode"
  ok "janytun-demo ${mode:-(janytun <-> uanytun)}: ping, counters, cleaned up"
done

bin/janytun-demo -c 1 --keep > "$work/keep.log" 2>&1 || { cat "$work/keep.log" >&2; fail "janytun-demo --keep failed"; }
take_over "$work/keep.log"
ns_a=$(sed -n 's/^==> namespaces \(jdemo-[0-9]*-a\) and .*/\1/p' "$work/keep.log")
ip netns exec "$ns_a" ping -c 1 -W 2 10.232.0.2 >/dev/null || fail "--keep: the tunnel is not up after the demo"
teardown=$(grep -A1 '^  Tear down:' "$work/keep.log" | tail -n 1)
[ -n "$teardown" ] || fail "--keep printed no tear-down command"
eval "$teardown"
gone "$work/keep.log" "--keep and its tear-down"
ok "janytun-demo --keep: tunnel left up, its tear-down command removes it"

set -m   # the demo in its own process group, so that SIGINT reaches it as Ctrl-C in a terminal does
bin/janytun-demo -c 100 > "$work/int.log" 2>&1 &
demo=$!
set +m
own_pid "$demo"
for i in $(seq 150); do grep -q '^==> ping' "$work/int.log" && break; sleep 0.2; done
grep -q '^==> ping' "$work/int.log" || { cat "$work/int.log" >&2; fail "the demo did not reach its ping"; }
take_over "$work/int.log"
sleep 1
kill -INT -- "-$demo"
rc=0; wait "$demo" || rc=$?
[ "$rc" -eq 130 ] || { cat "$work/int.log" >&2; fail "Ctrl-C: exit $rc, not 130"; }
grep -q '^==> removed' "$work/int.log" || fail "Ctrl-C: no clean-up"
gone "$work/int.log" "Ctrl-C"
ok "Ctrl-C in the middle: everything removed, exit 130"

#!/usr/bin/env bash
# scripts/demo.sh as a new user tries it: one command with no variables set and the default paths
# (/run/secnat absent, as on a fresh machine), a console, "show nat sessions" listing the demo's
# traffic, secnatctl from a second terminal with no -s, and "quit" taking everything down, leaving
# no file, namespace or process of its own. The keyboard is a FIFO. The demo builds as a user's would
# (in build/, which scripts/test.sh has built already); $SECNATCTL is this test's second terminal.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/checks.sh"
tmp=$(mktemp -d)
demo_pid=
cleanup() {
  exec 3>&- 2>/dev/null
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null
    wait "$demo_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT


if ip netns list | grep -q '^sndemo-'; then
  echo "FAIL a demo lab (sndemo-*) exists already: the default-path demo cannot run beside it"
  echo "0 passed, 1 failed"
  exit 1
fi
if "$SECNATCTL" show version >/dev/null 2>&1; then
  echo "FAIL a secnat answers on /run/secnat/secnat.sock: the default-path demo cannot run beside it"
  echo "0 passed, 1 failed"
  exit 1
fi
# A fresh machine has no /run/secnat: remove what a killed secnat may have left.
rm -rf /run/secnat

mkfifo "$tmp/keys"
env -u SECNAT -u SECNATCTL -u SECNAT_SOCKET -u DEMO_TRAFFIC_S "$root/scripts/demo.sh" \
  <"$tmp/keys" >"$tmp/out" 2>&1 &
demo_pid=$!
exec 3>"$tmp/keys"
ctl() { "$SECNATCTL" "$@"; } # the default socket, as a user types it

# Succeeds while the demo runs and the command does; within() retries it.
alive_and() { kill -0 "$demo_pid" 2>/dev/null && eval "$1"; }

check "one command brings up the lab and a console prompt" within 120 alive_and "grep -q 'secnat> ' '$tmp/out'"

# The sessions the demo's traffic must have made: each protocol, from both LAN hosts, translated to the /31.
demo_sessions() {
  ctl show nat sessions json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
found = {(s["proto"], s["inside"].split(":")[0]) for s in json.load(sys.stdin)["sessions"]
         if s["outside"].startswith("203.0.113.1:") and s["remote"].startswith("198.51.100.10:")}
want = {(p, h) for p in ("tcp", "udp", "icmp") for h in ("10.11.0.5", "10.11.0.6")}
sys.exit(0 if want <= found else 1)'
}
check "secnatctl from a second terminal sees the demo's TCP, UDP and ICMP from both hosts" \
  within 30 alive_and demo_sessions
check "the long-lived TCP connection is established" within 30 alive_and \
  "ctl show nat sessions json | grep -q '\"state\":\"established\"'"

bgp_up() { ctl show bgp neighbors json | grep -q '"state":"Established"'; }
check "the demo's BGP session with the Salesforce router establishes" within 60 alive_and bgp_up
bgp_route() { ctl show route json | grep -q '"prefix":"198.51.100.0/24","via":"203.0.113.0","source":"bgp","vxc":"sec1","selected":true'; }
check "and its route is the one in use (selected over the static backup)" within 20 alive_and bgp_route

mark=$(wc -c <"$tmp/out")
printf 'show nat sessions\n' >&3
typed_sessions() {
  tail -c +$((mark + 1)) "$tmp/out" | tr -d '\r' | /usr/bin/python3 -c '
import re, sys
rows = [l.split() for l in sys.stdin if re.match(r"(tcp|udp|icmp)\s+10\.11\.0\.[56]:\d+\s+203\.0\.113\.1:\d+", l)]
sys.exit(0 if {r[0] for r in rows} == {"tcp", "udp", "icmp"} else 1)'
}
check "show nat sessions typed in the console lists the demo's traffic" within 10 alive_and typed_sessions

printf 'quit\n' >&3
exec 3>&-
status=timeout
for _ in $(seq 300); do
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.1
done
if ! kill -0 "$demo_pid" 2>/dev/null; then
  status=0
  wait "$demo_pid" || status=$?
  demo_pid=
fi
check "quit ends the demo with status 0" test "$status" = 0
check "the demo's namespaces are gone" bash -c "! ip netns list | grep -q '^sndemo-'"
no_bird() { ! pgrep -a -x bird | grep -qE "bird-sf\.conf|/run/secnat/secnat\.sock\.bird"; }
check "the demo's BIRD processes (secnat's and the peer's) are gone" no_bird
check "no secnat process is left" bash -c "! pgrep -x secnat >/dev/null"
check "the runtime directory /run/secnat secnat made is gone, with the socket and BIRD's files" \
  test ! -e /run/secnat
check "DPDK's runtime files of the demo are gone" test ! -e /var/run/dpdk/sndemo
check "no TUN of secnat's is left in the host namespace" bash -c "! ip -o link | grep -q ': sn-'"
check "the demo's traffic generator is gone" bash -c "! pgrep -f 'tests/lab/[d]emo_traffic.py' >/dev/null"

if [ "$failures" -ne 0 ]; then
  echo "--- demo output"
  tr -d '\r' <"$tmp/out" | tail -60
fi
report

#!/usr/bin/env bash
# Faults, timed, with one VXC (BIRD as Salesforce, hold time 9 s) and the Internet backup (a static
# route with distance 250 through the Internet port). Each recovery time is printed.
#   1. secnat's BIRD killed with SIGKILL three times: the routes stay meanwhile, BIRD comes back
#      after a growing backoff, the session re-establishes.
#   2. the Salesforce peer goes silent: the session drops at the hold timer, its routes go, the
#      backup through the Internet port carries new connections; the peer comes back: the session
#      re-establishes and traffic returns to the VXC.
#   3. the A-end link goes down and comes up again: the same, from the link.
#   4. SIGTERM with traffic flowing: secnat exits cleanly (status 0), leaving no BIRD, no runtime
#      directory, no DPDK runtime files.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_INET=1
# The peer retries as soon as secnat does (BIRD's default error wait, 60 s and doubling, would
# otherwise decide how long the session takes to come back; secnat's own is 5 s).
LAB_PEER_TIMERS="connect retry time 5; error wait time 5, 60;"
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT
py=/usr/bin/python3

lab_up
cat >"$LAB_DIR/secnat.conf" <<'EOC'
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
port 2 role internet
port 2 address 198.18.0.2/30
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 1G
route add 198.51.100.0/24 via 198.18.0.1 distance 250
bgp as 64512 router-id 203.0.113.1
bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9
EOC
for ns in sf inet; do
  lab_bg "$ns" $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp-$ns.log"
done
lab_bird_peer sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret
lab_secnat "$LAB_DIR/secnat.conf" || exit 1
lab_ns lan ping -c 2 -W 1 10.11.0.1 >/dev/null

state() { json show bgp neighbors -- "d['neighbors'][0]['state']"; }
established() { [ "$(state)" = Established ]; }
selected() { json show route -- "[r['source'] for r in d['routes'] if r['prefix'] == '198.51.100.0/24' and r['selected']][0]"; }
# via NS: a new connection from the LAN reaches the server in namespace NS.
via() {
  local before
  before=$(wc -l <"$LAB_DIR/tcp-$1.log" 2>/dev/null || echo 0)
  lab_ns lan $py -c '
import socket
s = socket.create_connection(("198.51.100.10", 8443), timeout=1, source_address=("10.11.0.5", 0))
s.sendall(b"x"); assert s.recv(1) == b"x"' 2>/dev/null &&
    [ "$(wc -l <"$LAB_DIR/tcp-$1.log" 2>/dev/null || echo 0)" -gt "$before" ]
}
# timed SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; prints the seconds it took
# (with one decimal), or fails after SECONDS.
timed() {
  local limit=$1 start now
  shift
  start=$(date +%s%N)
  while ! "$@"; do
    now=$(date +%s%N)
    [ $(((now - start) / 1000000000)) -lt "$limit" ] || return 1
    sleep 0.2
  done
  now=$(date +%s%N)
  echo "$(((now - start) / 1000000000)).$((((now - start) / 100000000) % 10))"
}
recoveries=()
record() { recoveries+=("$1: $2 s"); echo "     $1: ${2:-never} s"; [ -n "$2" ]; }

check "the session establishes and the BGP route is the one in use" within 60 bash -c \
  "[ \"\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp neighbors json | $py -c 'import json,sys; print(json.load(sys.stdin)[\"neighbors\"][0][\"state\"])')\" = Established ]"
check "traffic goes through the VXC" within 10 via sf

echo "# 1. secnat's BIRD killed three times"
for round in 1 2 3; do
  bird=$(pgrep -P "$lab_secnat_pid" -x bird)
  kill -KILL "$bird"
  sleep 0.5
  check "round $round: the BGP route stays while BIRD is gone" test "$(selected)" = bgp
  check "round $round: traffic keeps going through the VXC" via sf
  t=$(timed 90 established)
  record "BIRD killed (round $round), session back after" "$t"
  check "round $round: BIRD is back and the session re-establishes" test -n "$t"
done
restarts=$(grep -c "BIRD exited" "$LAB_DIR/secnat.log")
echo "     secnat logged $restarts of 3 exits (one warning a minute; the rest counted as suppressed)"

echo "# 2. the Salesforce peer goes silent"
lab_silence sf
t=$(timed 30 bash -c "[ \"\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp neighbors json | $py -c 'import json,sys; print(json.load(sys.stdin)[\"neighbors\"][0][\"state\"])')\" != Established ]")
record "peer silent: session down after" "$t"
t=$(timed 30 via inet)
record "peer silent: new connections through the Internet backup after" "$t"
check "within the hold time + 1 s, traffic takes the Internet backup" \
  $py -c "import sys; sys.exit(not ('$t' and float('$t') <= 10))"
check "the static backup is the route in use" test "$(selected)" = static
lab_unsilence sf
t=$(timed 180 established)
record "peer back: session re-established after" "$t"
t2=$(timed 30 via sf)
record "peer back: traffic through the VXC again after a further" "$t2"
check "the peer back, the session and the traffic return to the VXC" test -n "$t2"

echo "# 3. the A-end link down and up"
ip -n "$LAB-nat" link set aend0 down
t=$(timed 30 via inet)
record "A-end link down: traffic through the Internet backup after" "$t"
check "with the A-end link down, traffic takes the Internet backup" test -n "$t"
ip -n "$LAB-nat" link set aend0 up
t=$(timed 180 via sf)
record "A-end link up: traffic through the VXC again after" "$t"
check "with the link back, traffic returns to the VXC" test -n "$t"

echo "# 4. SIGTERM with traffic flowing"
lab_ns lan ping -q -i 0.01 -c 1000 198.51.100.10 >/dev/null 2>&1 &
load=$!
sleep 1
bird=$(pgrep -P "$lab_secnat_pid" -x bird)
start=$(date +%s%N)
kill -TERM "$lab_secnat_pid"
status=0
wait "$lab_secnat_pid" || status=$?
stopped=$(( ($(date +%s%N) - start) / 1000000 ))
lab_secnat_pid=
wait $load 2>/dev/null
record "SIGTERM under load: exited after" "$((stopped / 1000)).$((stopped % 1000 / 100))"
check "secnat exits with status 0" test "$status" = 0
check "its BIRD is gone" bash -c "! kill -0 $bird 2>/dev/null"
check "its socket and BIRD folder are gone" bash -c "[ ! -e '$LAB_DIR/secnat.sock' ] && [ ! -e '$LAB_DIR/secnat.sock.bird' ]"
check "DPDK's runtime files for its prefix are gone" test ! -e "/var/run/dpdk/$LAB/config"

echo "# recovery times"
printf '     %s\n' "${recoveries[@]}"
report

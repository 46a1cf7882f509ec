#!/usr/bin/env bash
# Failover between two VXCs, timed. Two Salesforce routers (BIRD, AS 14340) on two A-end ports each
# announce 198.51.100.0/24 over their own eBGP session (hold time 9 s); secnat uses both paths. The
# router that carries 198.51.100.10's traffic then goes silent (every frame on its link dropped, the
# link itself up), and new TCP connections from the LAN must reach the server through the other VXC
# within the hold time plus one second. And one connection begun the moment the router went silent
# (a single connect(): its SYN retransmitted by the host's kernel, the same 5-tuple each time) must
# complete through the other VXC at its first retransmission after the route moved: secnat ends a
# session whose route now leaves through another VXC instead of keeping it, and its address, until
# its timer runs out.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_SF2=1
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT
py=/usr/bin/python3
HOLD=9

lab_up
cat >"$LAB_DIR/secnat.conf" <<EOC
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
port 2 role aend
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 1G
vxc add sec2 port 2 untagged local 203.0.113.3/31 peer 203.0.113.2 rate 1G
bgp as 64512 router-id 203.0.113.1
bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time $HOLD
bgp neighbor 203.0.113.2 remote-as 14340 password s3cret hold-time $HOLD
EOC
for ns in sf sf2; do
  lab_bg "$ns" $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp-$ns.log"
done
lab_bird_peer sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret
lab_bird_peer sf2 203.0.113.2 203.0.113.2 203.0.113.3 s3cret
lab_secnat "$LAB_DIR/secnat.conf" || exit 1

two_paths() { json show bgp routes -- "[r['paths'] for r in d['routes'] if r['prefix'] == '198.51.100.0/24'][0]" | grep -qx 2; }
check "both sessions establish and the prefix is used over both VXCs" within 60 two_paths
lab_ns lan ping -c 2 -W 1 -I 10.11.0.5 198.51.100.10 >/dev/null
connect_once() {
  lab_ns lan $py -c '
import socket
s = socket.create_connection(("198.51.100.10", 8443), timeout=2, source_address=("10.11.0.5", 0))
s.sendall(b"x"); assert s.recv(1) == b"x"'
}
check "a connection through the NAT before the failure" connect_once
carrier=sf2
[ -s "$LAB_DIR/tcp-sf.log" ] && carrier=sf
other=$([ $carrier = sf ] && echo sf2 || echo sf)
echo "     198.51.100.10 is reached through $carrier; silencing it"

# The timeline: from the moment the carrier goes silent, a new connection every 0.2 s (each from a
# new port, 1 s to answer), and secnat's view of the route, until a connection succeeds.
start=$(date +%s.%N)
lab_silence $carrier
lab_ns lan $py - "$start" >"$LAB_DIR/long-connect" <<'PY' &
import socket, sys, time
start = float(sys.argv[1])
try:
    s = socket.create_connection(("198.51.100.10", 8443), timeout=25, source_address=("10.11.0.6", 0))
    s.sendall(b"x"); assert s.recv(1) == b"x"
    print(f"connected {time.time() - start:.1f}")
except OSError as e:
    print(f"failed {time.time() - start:.1f} {e}")
PY
long_connect=$!
lab_ns lan $py - "$start" "$SECNATCTL" "$LAB_DIR/secnat.sock" >"$LAB_DIR/timeline" <<'PY'
import json, socket, subprocess, sys, time
start, ctl, sock = float(sys.argv[1]), sys.argv[2], sys.argv[3]
route_moved = None
while time.time() - start < 40:
    now = time.time() - start
    if route_moved is None:
        out = subprocess.run([ctl, "-s", sock, "show", "bgp", "routes", "json"], capture_output=True, text=True).stdout
        try:
            r = [r for r in json.loads(out)["routes"] if r["prefix"] == "198.51.100.0/24"]
            if r and r[0]["paths"] == 1:
                route_moved = now
                print(f"route {now:.1f}")
        except ValueError:
            pass
    try:
        s = socket.create_connection(("198.51.100.10", 8443), timeout=1, source_address=("10.11.0.5", 0))
        s.sendall(b"x")
        if s.recv(1) == b"x":
            print(f"connected {time.time() - start:.1f}")
            break
    except OSError:
        pass
    time.sleep(0.2)
PY
route_at=$(awk '$1 == "route" { print $2 }' "$LAB_DIR/timeline")
connected_at=$(awk '$1 == "connected" { print $2 }' "$LAB_DIR/timeline")
echo "     silent at 0 s; secnat's route moved at ${route_at:-never} s; first new connection at ${connected_at:-never} s"
in_time() { $py -c "import sys; sys.exit(not ('$connected_at' and float('$connected_at') <= $HOLD + 1))"; }
check "a new connection succeeds within the hold time + 1 s ($((HOLD + 1)) s)" in_time
check "and it went through the other VXC" bash -c "tail -n 1 '$LAB_DIR/tcp-$other.log' | grep -q ."
wait $long_connect
echo "     the connection begun at 0 s (one connect(), SYN retransmitted): $(cat "$LAB_DIR/long-connect") s; sessions rerouted: $(json show nat stats -- "d['rerouted']")"
check "the connection begun as the router went silent completes through the other VXC" \
  grep -q '^connected' "$LAB_DIR/long-connect"
check "that session was moved, counted (rerouted)" test "$(json show nat stats -- "d['rerouted']")" -ge 1
[ "$failures" -eq 0 ] || { ctl show bgp neighbors; ctl show route; ctl show nat stats; }
report

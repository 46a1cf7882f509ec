#!/usr/bin/env bash
# The appliance in the lab (tests/lab/topology.sh): real secnat, real kernel peers, VLAN on the wire.
# Each check is one behaviour of issue 3; the script ends with "N passed, N failed".
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT


py=/usr/bin/python3

lab_up
# The lab's configuration plus an A-end MTU that fragmentation-needed must report.
cp "$LAB_ROOT/config/lab.conf" "$LAB_DIR/mtu.conf"
echo "port 1 mtu 1400" >>"$LAB_DIR/mtu.conf"
lab_bg sf $py "$here/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp.log"
lab_bg sf $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
lab_bg sf tcpdump -nei eth0 -w "$LAB_DIR/aend.pcap" ip
lab_secnat "$LAB_DIR/mtu.conf" || exit 1
sleep 0.5
# Let ARP settle in both directions before counting losses.
lab_ns lan ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1

ping_ok() { lab_ns "$1" ping -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
check "appliance answers ping on its LAN address" ping_ok lan 10.11.0.1
check "appliance answers ping on its /31 from Salesforce" ping_ok sf 203.0.113.1
check "ICMP from the LAN reaches a server and comes back" ping_ok lan 198.51.100.10

udp_roundtrip() {
  [ "$(echo ping-udp | lab_ns lan socat -T 2 - UDP4:198.51.100.10:5353,bind=10.11.0.5:40000)" = ping-udp ]
}
tcp_roundtrip() {
  [ "$(echo ping-tcp | lab_ns lan socat -T 2 - TCP4:198.51.100.10:8443,bind=10.11.0.6)" = ping-tcp ]
}
check "UDP from the LAN reaches a server and comes back" udp_roundtrip
check "TCP from the LAN reaches a server and comes back" tcp_roundtrip
check "the server saw UDP from the /31 address, source port kept" grep -qx "203.0.113.1:40000" "$LAB_DIR/udp.log"
check "the server saw TCP from the /31 address" grep -q "^203.0.113.1:" "$LAB_DIR/tcp.log"

sessions_json() {
  ctl show nat sessions json | $py -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
assert any(x["proto"] == "udp" and x["inside"] == "10.11.0.5:40000" and x["outside"] == "203.0.113.1:40000"
           and x["remote"] == "198.51.100.10:5353" for x in s), s
assert all(set(x) >= {"proto", "inside", "outside", "remote", "state", "idle_s", "worker"} for x in s)'
}
check "show nat sessions json lists the flows with their keys" sessions_json
# filtered SELECTION: the (proto, inside) of the sessions the filter shows, sorted.
filtered() { ctl show nat sessions "$@" json | $py -c '
import json, sys
print(" ".join(sorted(x["proto"] + "/" + x["inside"] for x in json.load(sys.stdin)["sessions"])))'; }
check "show nat sessions outside 203.0.113.1:40000 finds who had that mapping" \
  test "$(filtered outside 203.0.113.1:40000)" = "udp/10.11.0.5:40000"
check "show nat sessions inside 10.11.0.6 shows only that host's sessions" \
  bash -c "f=\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show nat sessions inside 10.11.0.6 json); \
    echo \"\$f\" | grep -q '\"inside\":\"10.11.0.6:' && ! echo \"\$f\" | grep -q '\"inside\":\"10.11.0.5:'"
check "filters combine: remote 198.51.100.10:5353 and inside 10.11.0.6 match nothing" \
  test -z "$(filtered remote 198.51.100.10:5353 inside 10.11.0.6)"
check "a malformed endpoint is refused" bash -c "! '$SECNATCTL' -s '$LAB_DIR/secnat.sock' show nat sessions remote 198.51.100.10:99999 >/dev/null 2>&1"

# Unsolicited inbound: nothing may reach the LAN.
lab_bg lan tcpdump -nei eth0 -w "$LAB_DIR/lan.pcap" "not arp and src host 198.51.100.10"
sleep 0.5
before=$(counter no_session)
lab_ns sf $py -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.10", 9999))
for port in (40001, 40002, 5353):
    s.sendto(b"unsolicited", ("203.0.113.1", port))'
echo x | lab_ns sf socat -T 1 - TCP4:203.0.113.1:22,bind=198.51.100.10 >/dev/null 2>&1
sleep 1
check "unsolicited inbound is counted as no_session" test "$(counter no_session)" -gt "$before"
kill "${lab_pids[-1]}"; wait "${lab_pids[-1]}" 2>/dev/null
check "unsolicited inbound never reaches the LAN" test "$(tcpdump -r "$LAB_DIR/lan.pcap" 2>/dev/null | wc -l)" -eq 0

traceroute_ok() {
  local out
  out=$(lab_ns lan traceroute -n -q 1 -w 1 -m 4 198.51.100.10 2>&1)
  grep -qE "^ 1  10\.11\.0\.1 " <<<"$out" && grep -qE "^ 2  198\.51\.100\.10 " <<<"$out"
}
check "traceroute shows the appliance, then the server" traceroute_ok

frag_needed() {
  lab_ns lan ping -c 1 -W 1 -M do -s 1450 198.51.100.10 2>&1 | grep -qiE "frag needed.*mtu = 1400"
}
check "an oversized DF packet gets fragmentation-needed with the A-end MTU" frag_needed

# The wire: IP frames on the A-end are tagged, and nothing leaves with a private source.
kill "${lab_pids[2]}"; wait "${lab_pids[2]}" 2>/dev/null
wire() { tcpdump -nr "$LAB_DIR/aend.pcap" "$@" 2>/dev/null | wc -l; }
check "translated frames carry VLAN 100 on the A-end" test "$(wire vlan 100 and src host 203.0.113.1)" -gt 5
check "no untagged IP frame from secnat on the A-end" test "$(wire not vlan and src host 203.0.113.1)" -eq 0
check "no private source on the A-end" test "$(wire vlan and src net 10.0.0.0/8)" -eq 0

json_keys() {
  $py - "$@" <<'PY'
import json, subprocess, sys
ctl = sys.argv[1:]
want = {
    "show port stats": ("ports", {"id", "role", "rx_packets", "tx_packets", "rx_dropped", "tx_dropped"}),
    "show vxc": ("vxcs", {"name", "port", "vlan", "local", "peer", "rate_bps", "peer_mac", "tx_packets", "rate_dropped"}),
    "show nat sessions": ("sessions", {"proto", "inside", "outside", "remote", "state", "idle_s", "worker"}),
    "show route": ("routes", {"prefix", "via", "source", "vxc"}),
    "show workers": ("workers", {"lcore", "rx_queues", "packets", "cycles_per_packet"}),
}
for cmd, (key, fields) in want.items():
    doc = json.loads(subprocess.run(ctl + cmd.split() + ["json"], capture_output=True, check=True).stdout)
    assert doc[key], f"{cmd}: empty {key}"
    for row in doc[key]:
        assert fields <= set(row), f"{cmd}: {row} lacks {fields - set(row)}"
stats = json.loads(subprocess.run(ctl + ["show", "nat", "stats", "json"], capture_output=True, check=True).stdout)
assert {"sessions", "created", "expired", "drops"} <= set(stats), stats
assert stats["sessions"] >= 2 and stats["created"] >= 2
json.loads(subprocess.run(ctl + ["show", "bgp", "neighbors", "json"], capture_output=True, check=True).stdout)["neighbors"]
PY
}
check "secnatctl show ... json returns the documented keys" json_keys "$SECNATCTL" -s "$LAB_DIR/secnat.sock"

refused_runtime() {
  local err rc=0
  err=$(ctl route add 0.0.0.0/0 via 203.0.113.0 2>&1) || rc=$?
  [ "$rc" -eq 1 ] && grep -q "never pointed at Salesforce" <<<"$err" &&
    ! ctl show route json | grep -q '"0.0.0.0/0"'
}
check "a refused runtime command exits 1 and changes nothing" refused_runtime
check "secnatctl exits 2 when secnat cannot be reached" bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/none.sock' show vxc 2>/dev/null; test \$? -eq 2"

# A VLAN the VXC does not use is dropped and counted: make the peer tag with 200 for a moment.
clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -DVLAN_ID=200 \
  -c "$here/vlan_peer.bpf.c" -o "$LAB_DIR/vlan200.o"
before=$(counter unknown_vlan)
lab_ns sf tc filter replace dev eth0 egress pref 49152 bpf da obj "$LAB_DIR/vlan200.o" sec tc/egress
lab_ns sf tc filter del dev eth0 egress pref 49152 2>/dev/null
lab_ns sf tc filter add dev eth0 egress bpf da obj "$LAB_DIR/vlan200.o" sec tc/egress
check "a frame on an unknown VLAN gets no answer" bash -c "! ip netns exec $LAB-sf ping -c 2 -W 1 203.0.113.1 >/dev/null 2>&1"
check "a frame on an unknown VLAN is counted as unknown_vlan" test "$(counter unknown_vlan)" -gt "$before"
lab_ns sf tc filter del dev eth0 egress
lab_ns sf tc filter add dev eth0 egress bpf da obj "$BPF_OBJ" sec tc/egress

# Mode 2: the customer's own pool.
lab_secnat_stop
cp "$LAB_ROOT/config/lab.conf" "$LAB_DIR/pool.conf"
echo "nat pool sec1 192.0.2.0/28" >>"$LAB_DIR/pool.conf"
lab_secnat "$LAB_DIR/pool.conf" || exit 1
lab_ns lan ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1
: >"$LAB_DIR/udp.log"
udp_roundtrip >/dev/null
pool_source() { grep -qE "^192\.0\.2\.([0-9]|1[0-5]):40000$" "$LAB_DIR/udp.log"; }
check "with a nat pool, LAN sources leave as a pool address" pool_source

stopped_cleanly() {
  kill -TERM "$lab_secnat_pid" && wait "$lab_secnat_pid"
  local rc=$?
  lab_secnat_pid=
  [ "$rc" -eq 0 ] && [ ! -e "$LAB_DIR/secnat.sock" ]
}
check "SIGTERM stops secnat cleanly and removes its socket" stopped_cleanly

report

#!/usr/bin/env bash
# The per-VXC rate limit in the lab: iperf3 offers UDP above the VXC's rate from the LAN; what the
# Salesforce side receives must be the rate (the Ethernet frame with its VLAN tag counted) within 3%,
# the excess counted as rate_dropped; a runtime rate change takes effect. Then DPDK telemetry
# (/secnat/...) is read with dpdk-telemetry.py's protocol and must match the console.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_TELEMETRY=1
source "$here/topology.sh"
source "$here/checks.sh"
source "$here/iperf.sh"
trap lab_down EXIT
py=/usr/bin/python3

lab_up
cp "$LAB_ROOT/config/lab.conf" "$LAB_DIR/rate.conf"
echo "vxc sec1 rate 10M" >>"$LAB_DIR/rate.conf"
iperf_server
lab_secnat "$LAB_DIR/rate.conf" || exit 1
lab_ns lan ping -c 2 -W 1 198.51.100.10 >/dev/null 2>&1 # neighbours resolved before measuring

dropped() { json show vxc -- "d['vxcs'][0]['rate_dropped']"; }

before=$(dropped)
got=$(measure 20M)
check "at 10 Mbps, twice the rate offered: delivered within 3% of the rate" within_3_percent "${got:-0}" 10000000
check "the excess is counted as rate_dropped" test "$(dropped)" -gt "$before"

ctl vxc sec1 rate 100M >/dev/null
check "the rate changes at runtime" test "$(json show vxc -- "d['vxcs'][0]['rate_bps']")" = 100000000
before=$(dropped)
got=$(measure 150M)
check "at 100 Mbps, 1.5 times the rate offered: delivered within 3% of the rate" within_3_percent "${got:-0}" 100000000
check "the excess is counted again" test "$(dropped)" -gt "$before"

# DPDK telemetry: the socket of secnat's EAL file prefix, spoken the way dpdk-telemetry.py does.
telemetry() {
  $py - "/var/run/dpdk/$LAB/dpdk_telemetry.v2" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384))  # the greeting
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(1 << 20))[sys.argv[2]]))
EOF
}
same_numbers() {
  local tel console
  tel=$(telemetry /secnat/vxc | $py -c "import json,sys; v = json.load(sys.stdin)['sec1']; print(v['rate_dropped'], v['tx_packets'], v['rate_bps'])")
  console=$(json show vxc -- "' '.join(str(d['vxcs'][0][k]) for k in ('rate_dropped', 'tx_packets', 'rate_bps'))")
  [ -n "$tel" ] && [ "$tel" = "$console" ]
}
check "telemetry /secnat/vxc gives the console's numbers" same_numbers
nat_by_reason() { telemetry /secnat/nat | grep -q '"no_session"'; }
check "telemetry /secnat/nat has the drops by reason" nat_by_reason
listed() { telemetry / | grep -q '/secnat/workers'; }
check "telemetry lists the /secnat/ commands" listed
report

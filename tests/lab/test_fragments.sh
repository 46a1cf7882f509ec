#!/usr/bin/env bash
# Fragmentation as a router must do it, through the NAT, in both directions. TAP ports on both sides:
# net_af_packet would have the kernel reassemble fragments before secnat sees them (topology.sh).
#   1. LAN MTU 9000, A-end 1500: an 8,000-byte UDP datagram without DF from a LAN host reaches the
#      server intact (secnat fragments it after translation) and the server's 8,000-byte reply (sent
#      as fragments by the server's kernel) reaches the host intact; with DF, the host learns MTU 1500
#      from secnat's fragmentation-needed.
#   2. LAN MTU 1500, A-end 9000: the server's 8,000-byte reply without DF reaches the host intact
#      (fragmented towards the LAN); with DF, the server learns MTU 1500.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_AEND=tap  # phase 1: fragments arrive from the server
LAB_JUMBO=1   # the 9000-byte side is net_af_packet with large frames (net_tap stops at 1,522)
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT
py=/usr/bin/python3
peer=$here/frag_peer.py

lab_up
stat_of() { json show nat stats -- "d['$1']"; }
client() { lab_ns lan $py "$peer" client 10.11.0.5 198.51.100.10 "$@" 2>&1; }

echo "# LAN MTU 9000, A-end MTU 1500"
{ cat "$LAB_ROOT/config/lab.conf"; echo "port 0 mtu 9000"; } >"$LAB_DIR/jumbo-lan.conf"
lab_ns nat ip link set lan0 mtu 9000
lab_ns lan ip link set eth0 mtu 9000
lab_secnat "$LAB_DIR/jumbo-lan.conf"
lab_bg sf $py "$peer" server 198.51.100.10 7000 8000 nodf >"$LAB_DIR/server7000.log"
sleep 0.5
out=$(client 7000 8000 nodf)
echo "$out" | sed 's/^/  client: /'
check "an 8,000-byte datagram without DF comes back as the server's 8,000-byte reply, intact" \
  grep -qx "reply 8000 ok" <<<"$out"
check "the server received it whole and intact, from the /31" grep -q "^from 203.0.113.1:[0-9]* 8000 ok" "$LAB_DIR/server7000.log"
check "secnat fragmented it (fragmented counter)" test "$(stat_of fragmented)" -ge 1
out=$(client 7000 8000 df)
echo "$out" | sed 's/^/  client: /'
check "with DF, nothing comes back but the error" grep -qx "no reply: Message too long" <<<"$out"
check "and the host learned the path MTU 1500 from secnat's fragmentation-needed" grep -qx "path mtu 1500" <<<"$out"
check "secnat counted it (frag_needed_sent)" test "$(stat_of frag_needed_sent)" -ge 1
check "nothing dropped as truncated" test "$(counter ip_truncated)" = 0
[ "$failures" -eq 0 ] || ctl show nat stats
lab_down

echo "# LAN MTU 1500, A-end MTU 9000"
# A fresh lab with af_packet on both sides: fragments only leave secnat here, none arrive.
LAB_AEND=veth
LAB_DIR=$(mktemp -d /tmp/secnat-lab.XXXXXX)
BPF_OBJ=$LAB_DIR/vlan_peer.o
lab_pids=()
lab_up
{ cat "$LAB_ROOT/config/lab.conf"; echo "port 1 mtu 9000"; } >"$LAB_DIR/jumbo-aend.conf"
lab_ns nat ip link set aend0 mtu 9000
lab_ns sf ip link set eth0 mtu 9000
lab_secnat "$LAB_DIR/jumbo-aend.conf"
lab_bg sf $py "$peer" server 198.51.100.10 7001 8000 nodf >"$LAB_DIR/server7001.log"
lab_bg sf $py "$peer" server 198.51.100.10 7002 8000 df >"$LAB_DIR/server7002.log"
sleep 0.5
out=$(client 7001 100 nodf 8000)
echo "$out" | sed 's/^/  client: /'
check "the server's 8,000-byte reply without DF reaches the host intact (fragmented to 1500)" \
  grep -qx "reply 8000 ok" <<<"$out"
check "secnat fragmented it towards the LAN" test "$(stat_of fragmented)" -ge 1
out=$(client 7002 100 nodf 8000)
echo "$out" | sed 's/^/  client: /'
check "the server's 8,000-byte reply with DF does not reach the host" grep -qx "no reply" <<<"$out"
mtu_learned() { grep -q "^path mtu to 203.0.113.1 1500$" "$LAB_DIR/server7002.log"; }
check "and the server learned the path MTU 1500 from secnat's fragmentation-needed" within 3 mtu_learned
check "secnat counted it (frag_needed_sent)" test "$(stat_of frag_needed_sent)" -ge 1
[ "$failures" -eq 0 ] || { ctl show nat stats; echo "--- server logs"; cat "$LAB_DIR"/server700*.log; echo "--- secnat"; tail -5 "$LAB_DIR/secnat.log"; }
report

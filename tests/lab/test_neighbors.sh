#!/usr/bin/env bash
# No first packet lost: secnat started fresh, the very first UDP datagram and TCP connection from the
# LAN reach the server while the VXC peer's MAC is still being asked for, and their replies reach a
# LAN host secnat has never heard from (its address was never the sender of an ARP request): the
# packets wait at the control thread until ARP answers (the hold queue), instead of being dropped.
# The same after clear arp, and after the hosts' entries aged out.
# "The first time" is measured: a UDP echo within 0.9 s, a TCP connection within 0.9 s (a lost SYN
# or SYN-ACK would cost the 1 s retransmission).
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT
py=/usr/bin/python3

lab_up
lab_bg sf $py "$here/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp.log"
lab_bg sf $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
sleep 0.5 # the servers listen
# Entries trusted 10 s, so that one can age out within the test.
{ cat "$LAB_ROOT/config/lab.conf"; echo "arp timeout 10"; } >"$LAB_DIR/secnat.conf"
lab_secnat "$LAB_DIR/secnat.conf"

# One datagram from 10.11.0.5 (the LAN kernel's ARP for the gateway names it: secnat learns it).
udp_first() {
  [ "$(echo first-datagram | lab_ns lan socat -T 0.9 - UDP4:198.51.100.10:5353,bind=10.11.0.5)" = first-datagram ]
}
check "the first UDP datagram after start is answered within 0.9 s" udp_first
check "the server got one datagram, from the /31" test "$(cat "$LAB_DIR/udp.log" | cut -d: -f1)" = 203.0.113.1

# One TCP connection from 10.11.0.6: no ARP of the LAN's names it, so its SYN-ACK must wait for
# secnat's own ARP request.
tcp_first() {
  lab_ns lan $py - <<'PY'
import socket, sys, time
s = socket.socket()
s.bind(("10.11.0.6", 0))
s.settimeout(0.9)
t = time.monotonic()
s.connect(("198.51.100.10", 8443))
s.sendall(b"first-connection\n")
ok = s.recv(64).startswith(b"first-connection")
print(f"connected and echoed in {time.monotonic() - t:.3f} s")
sys.exit(0 if ok else 1)
PY
}
check "the first TCP connection from a host secnat never heard from completes within 0.9 s" tcp_first
held() { [ "$(json show nat stats -- "d['neighbor_held']")" -ge 1 ]; }
check "packets did wait for ARP and left (neighbor_held)" held
check "nothing was dropped for an unresolved neighbour" test "$(counter neighbor_unresolved)" = 0
check "nothing timed out waiting" test "$(counter neighbor_hold_timeout)" = 0
arp_has() { [ "$(json show arp -- "[e['mac'] is not None for e in d['arp'] if e['address'] == '$1'] == [True]")" = True ]; }
check "show arp lists the LAN host with its MAC" arp_has 10.11.0.6
check "and the VXC peer" arp_has 203.0.113.0

echo "# after the entries are gone (clear arp: the state of entries that aged out)"
held_before=$(json show nat stats -- "d['neighbor_held']")
cleared() { ctl clear arp | grep -q 'neighbours forgotten'; }
check "clear arp forgets them" cleared
forgotten() { [ "$(json show arp -- "any(e['address'] == '10.11.0.6' for e in d['arp'])")" = False ]; }
check "10.11.0.6 is no longer known" forgotten
udp_again() {
  [ "$(echo again | lab_ns lan socat -T 0.9 - UDP4:198.51.100.10:5353,bind=10.11.0.5)" = again ]
}
check "a UDP datagram is answered within 0.9 s again (the reply waited for secnat's ARP)" udp_again
check "a TCP connection completes within 0.9 s again" tcp_first
held_more() { [ "$(json show nat stats -- "d['neighbor_held']")" -gt "$held_before" ]; }
check "the replies did wait for ARP this time too" held_more
check "still nothing dropped for an unresolved neighbour" test "$(counter neighbor_unresolved)" = 0
check "nor timed out" test "$(counter neighbor_hold_timeout)" = 0
echo "# after the LAN hosts' entries aged out (arp timeout 10, three unanswered probes)"
lab_ns lan ip link set eth0 arp off # the hosts stop answering (and asking)
aged_out() { [ "$(json show arp -- "any(e['address'].startswith('10.11.0.') for e in d['arp'])")" = False ]; }
check "the LAN hosts' entries age out" within 25 aged_out
check "while the VXC peer, which answers, stays known" arp_has 203.0.113.0
lab_ns lan ip link set eth0 arp on
held_before=$(json show nat stats -- "d['neighbor_held']")
check "a UDP datagram is answered within 0.9 s after aging" udp_again
check "a TCP connection completes within 0.9 s after aging" tcp_first
check "the replies waited for ARP" held_more
check "still nothing dropped for an unresolved neighbour, nor timed out" \
  test "$(counter neighbor_unresolved)/$(counter neighbor_hold_timeout)" = 0/0
peer_resolved() { json show vxc -- "d['vxcs'][0]['peer_mac']" | grep -qE '^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$'; }
check "the VXC peer's MAC is known (asked for at start)" peer_resolved
report

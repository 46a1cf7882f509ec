#!/usr/bin/env bash
# Two workers in the lab: af_packet spreads frames over the workers' queues by the kernel's flow
# hash, which knows nothing of NAT, so about half the replies arrive at the worker that does not own
# their session and must be handed over. Thousands of UDP flows, pings and TCP connections must all
# be answered (a reply translated anywhere but at its owner is dropped as no_session), and the
# handoffs are counted.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_WORKERS=2
source "$here/topology.sh"
source "$here/checks.sh"
source "$here/iperf.sh"
trap lab_down EXIT
py=/usr/bin/python3

lab_up
lab_bg sf $py "$here/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp.log"
lab_bg sf $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
iperf_server
lab_secnat "$LAB_ROOT/config/lab.conf" || exit 1
for host in 10.11.0.5 10.11.0.6; do # neighbours resolved: replies to a host not yet known are dropped
  lab_ns lan ping -c 2 -W 1 -I "$host" 198.51.100.10 >/dev/null 2>&1
done

# FLOWS UDP flows, each from its own source port, one datagram each; prints how many got their echo.
udp_flows() {
  lab_ns lan $py - "$1" <<'PY'
import select, socket, sys
flows, answered = int(sys.argv[1]), 0
# Batches of 100: the lab's Python echo server must keep up, or its socket buffer drops them.
for start in range(0, flows, 100):
    socks = []
    for i in range(start, min(start + 100, flows)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("10.11.0.5" if i % 2 else "10.11.0.6", 0))
        s.sendto(b"flow %d" % i, ("198.51.100.10", 5353))
        socks.append(s)
    waiting = set(socks)
    for attempt in range(3):  # a datagram the lab's echo server missed is sent again, same flow
        if attempt:
            for s in waiting:
                s.sendto(b"again", ("198.51.100.10", 5353))
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [], 2)
            if not ready:
                break
            for s in ready:
                s.recv(2048)
                answered += 1
                waiting.discard(s)
    for s in socks:
        s.close()
print(answered)
PY
}

check "secnat runs two workers, each polling a queue of each port" test \
  "$(json show workers -- "len([w for w in d['workers'] if len(w['rx_queues']) == 2])")" = 2
answered=$(udp_flows 3000)
echo "     $answered of 3000 UDP flows answered"
check "every one of 3000 UDP flows gets its reply through the NAT" test "${answered:-0}" = 3000
check "both workers own sessions" test "$(json show nat sessions limit 100000 -- "len({s['worker'] for s in d['sessions']})")" = 2
handoffs=$(json show workers -- "sum(w['handoffs'] for w in d['workers'])")
echo "     replies handed to their owner: $handoffs"
check "replies that reached the other worker were handed over, and counted" test "${handoffs:-0}" -gt 0
check "no reply was dropped for want of its session" test "$(json show nat stats -- "d['drops']['no_session']")" = 0
check "no handoff was dropped" test "$(json show nat stats -- "d['drops']['handoff_full']")" = 0
pings() { lab_ns lan ping -c 20 -i 0.05 -W 1 198.51.100.10 | grep -q " 0% packet loss"; }
check "ping through the NAT with two workers" pings
tcp_flows() {
  local i
  for i in $(seq 20); do
    [ "$(echo "tcp $i" | lab_ns lan socat -T 2 - TCP4:198.51.100.10:8443)" = "tcp $i" ] || return 1
  done
}
check "20 TCP connections through the NAT with two workers" tcp_flows

# The VXC's rate is shared by the workers by demand: one iperf3 flow lands on one worker, which
# must get (nearly) the whole rate, and the two together must not exceed it.
ctl vxc sec1 rate 10M >/dev/null
got=$(measure 20M)
check "with two workers the VXC still delivers its rate within 3%" within_3_percent "${got:-0}" 10000000
report

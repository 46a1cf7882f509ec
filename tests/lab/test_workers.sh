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
source "$here/flows.sh"
trap lab_down EXIT

lab_up
flows_servers
iperf_server
lab_secnat "$LAB_ROOT/config/lab.conf" || exit 1
flows_resolve_hosts

check "secnat runs two workers, each polling a queue of each port" test \
  "$(json show workers -- "len([w for w in d['workers'] if len(w['rx_queues']) == 2])")" = 2
check "af_packet's spreading cannot be predicted: steering is by handoff" test \
  "$(json show workers -- "d['steering']")" = handoff
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
check "20 TCP connections through the NAT with two workers" tcp_flows

# The VXC's rate is shared by the workers by demand: one iperf3 flow lands on one worker, which
# must get (nearly) the whole rate, and the two together must not exceed it.
ctl vxc sec1 rate 10M >/dev/null
got=$(measure 20M)
check "with two workers the VXC still delivers its rate within 3%" within_3_percent "${got:-0}" 10000000
report

#!/usr/bin/env bash
# RSS prediction with two workers: the A-end port is a TAP (DPDK net_tap) whose queues secnat steers
# by Toeplitz hash and RETA (its TUN steering program), so each worker can choose external ports
# whose replies come back to its own queue. Thousands of UDP flows and TCP connections must all be
# answered with every reply processed by the worker that created the session: none handed over,
# none dropped for want of its session. Pings are hashed on addresses only and may be handed over.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_WORKERS=2
LAB_AEND=tap
source "$here/topology.sh"
source "$here/checks.sh"
source "$here/flows.sh"
trap lab_down EXIT

lab_up
flows_servers
lab_secnat "$LAB_ROOT/config/lab.conf" || exit 1
flows_resolve_hosts

handoffs() { json show workers -- "sum(w['handoffs'] for w in d['workers'])"; }
check "the TAP's Toeplitz key and RETA are known: steering is by RSS prediction" test \
  "$(json show workers -- "d['steering']")" = rss
json show workers -- "'     ' + d['steering_detail']"
check "both workers poll a queue of the TAP" test \
  "$(json show workers -- "len([w for w in d['workers'] if '1/0' in w['rx_queues'] or '1/1' in w['rx_queues']])")" = 2
before=$(handoffs)
answered=$(udp_flows 3000)
echo "     $answered of 3000 UDP flows answered"
check "every one of 3000 UDP flows gets its reply through the NAT" test "${answered:-0}" = 3000
check "20 TCP connections through the NAT" tcp_flows
check "both workers own sessions" test \
  "$(json show nat sessions limit 100000 -- "len({s['worker'] for s in d['sessions']})")" = 2
after=$(handoffs)
echo "     replies handed over during 3000 UDP flows and 20 TCP connections: $((after - before))"
check "every UDP and TCP reply reached the worker that created its session: no handoff" \
  test "$((after - before))" = 0
check "no reply was dropped for want of its session" test "$(counter no_session)" = 0
pings() { lab_ns lan ping -c 20 -i 0.05 -W 1 -I "$1" 198.51.100.10 | grep -q " 0% packet loss"; }
check "ping from both hosts (echo replies are hashed on addresses: handed over where needed)" \
  eval "pings 10.11.0.5 && pings 10.11.0.6"
echo "     replies handed over for pings: $(($(handoffs) - after))"
report

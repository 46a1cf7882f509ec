#!/usr/bin/env bash
# NAT event logging and metrics, end to end. A management namespace ($LAB-mgmt, on a veth from
# secnat's namespace) runs the collectors: our strict IPFIX decoder (tests/lab/ipfix_collector.py,
# which reads the templates it receives) and rsyslog, receiving over UDP and over TCP with octet
# counting. Checked:
#   1. every session the LAN's traffic created (UDP, ICMP, TCP) reaches IPFIX and both syslog
#      transports, field by field as `show nat sessions` showed it, stamped within the test's time;
#   2. a per-host quota and, with port blocks, ports exhausted are logged when provoked;
#   3. with `nat allocation port-block 64` new sessions are logged by their block only, and every
#      session's outside port lies in a block logged for its host;
#   4. a Prometheus scrape passes `promtool check metrics`, and its counters move with traffic;
#   5. after the UDP timeout (120 s, the RFC minimum) each UDP and ICMP session's deletion is logged
#      (reason: timeout), and the port blocks go back.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/topology.sh"
source "$here/checks.sh"
py=/usr/bin/python3
rsyslog_pid=
cleanup() {
  [ -n "$rsyslog_pid" ] && kill "$rsyslog_pid" 2>/dev/null
  lab_down
}
trap cleanup EXIT

lab_up
# The management network: 100.127.0.1 is secnat's host side; the collectors listen on .2 and .3.
lab_netns mgmt
lab_wire m mgmt mgmt0
lab_ns nat ip addr add 100.127.0.1/24 dev mgmt0
lab_ns mgmt ip link set eth0 up
lab_ns mgmt ip addr add 100.127.0.2/24 dev eth0
lab_ns mgmt ip addr add 100.127.0.3/24 dev eth0
lab_ns lan ip addr add 10.11.0.7/24 dev eth0
lab_ns lan ip addr add 10.11.0.8/24 dev eth0

lab_bg mgmt $py "$here/ipfix_collector.py" 100.127.0.2 4739 "$LAB_DIR/ipfix.jsonl"
# And the same stream captured for Wireshark's decoder, a second opinion on the encoding.
lab_bg mgmt tcpdump -i eth0 -U -s 0 -w "$LAB_DIR/ipfix.pcap" udp port 4739 2>/dev/null
mkdir -p "$LAB_DIR/rsyslog"
cat >"$LAB_DIR/rsyslog.conf" <<EOC
global(workDirectory="$LAB_DIR/rsyslog")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="100.127.0.2" port="514" ruleset="udp")
input(type="imtcp" address="100.127.0.3" port="6514" ruleset="tcp")
template(name="fields" type="string"
  string="%msgid%\t%structured-data%\t%timereported:::date-rfc3339%\t%hostname%\t%app-name%\t%msg%\n")
ruleset(name="udp") { action(type="omfile" file="$LAB_DIR/syslog-udp.log" template="fields") }
ruleset(name="tcp") { action(type="omfile" file="$LAB_DIR/syslog-tcp.log" template="fields") }
EOC
ip netns exec "$LAB-mgmt" rsyslogd -n -f "$LAB_DIR/rsyslog.conf" -i "$LAB_DIR/rsyslog.pid" \
  >"$LAB_DIR/rsyslog.out" 2>&1 &
rsyslog_pid=$!

cat >"$LAB_DIR/secnat.conf" <<'EOC'
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 1G
route add 198.51.100.0/24 via 203.0.113.0
nat timeout udp 120
log ipfix collector 100.127.0.2
log syslog server 100.127.0.2
log syslog server 100.127.0.3 port 6514 tcp
metrics listen 100.127.0.1 9100
EOC
lab_bg sf $py "$here/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
lab_secnat "$LAB_DIR/secnat.conf" || exit 1
export -f ctl
export SECNATCTL LAB_DIR
check "the running configuration shows the log destinations and metrics" \
  bash -c "ctl show running-config | grep -qx 'log syslog server 100.127.0.3 port 6514 tcp' &&
           ctl show running-config | grep -qx 'metrics listen 100.127.0.1 9100'"

scrape() { lab_ns mgmt curl -sf --max-time 5 http://100.127.0.1:9100/metrics; }
metric() { scrape | awk -v m="$1" '$1 == m { print $2 }'; }
within 10 scrape >"$LAB_DIR/metrics-before.txt"
check "a Prometheus scrape passes promtool check metrics" \
  bash -c "promtool check metrics <'$LAB_DIR/metrics-before.txt'"
rx_before=$(metric 'secnat_port_rx_packets_total{port="0",role="lan"}')

# udp_flows HOST FIRST_PORT COUNT [DEST]: COUNT UDP flows from HOST's ports FIRST_PORT... to DEST.
udp_flows() {
  lab_ns lan $py -c '
import socket, sys
host, first, count, dest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for p in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, p))
    s.sendto(b"x", (dest, 9))
    s.close()' "$1" "$2" "$3" "${4:-198.51.100.10}"
}

echo "# 1. sessions created"
t0=$(date +%s%3N)
udp_flows 10.11.0.5 41000 5
udp_flows 10.11.0.6 41000 5
lab_ns lan ping -c 1 -W 2 -I 10.11.0.5 198.51.100.10 >/dev/null
lab_ns lan ping -c 1 -W 2 -I 10.11.0.6 198.51.100.11 >/dev/null
lab_ns lan $py -c '
import socket
s = socket.create_connection(("198.51.100.10", 8443), timeout=3, source_address=("10.11.0.5", 0))
s.sendall(b"x"); assert s.recv(1) == b"x"; s.close()'
sleep 0.5
t1=$(date +%s%3N)
json show nat sessions -- "json.dumps(d)" >"$LAB_DIR/sessions-a.json"
check "show nat sessions lists the 13 sessions (10 UDP, 2 ICMP, 1 TCP)" \
  [ "$($py -c "import json; print(len(json.load(open('$LAB_DIR/sessions-a.json'))['sessions']))")" = 13 ]
created() {
  $py "$here/natlog_check.py" created "$LAB_DIR/sessions-a.json" "$LAB_DIR/ipfix.jsonl" \
    "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" --after "$t0" --before "$t1" >"$LAB_DIR/created.out"
}
check "each session's creation reached IPFIX and syslog (UDP and TCP), field by field" within 10 created
sed 's/^/     /' "$LAB_DIR/created.out"
check "the IPFIX stream had no framing, template or sequence errors" \
  bash -c "[ ! -s '$LAB_DIR/ipfix.jsonl.errors' ]"
sed 's/^/     /' "$LAB_DIR/ipfix.jsonl.errors" 2>/dev/null
check "records shared messages (several per message)" \
  bash -c "[ \$($py -c \"import json; print(json.load(open('$LAB_DIR/ipfix.jsonl.stats'))['messages'])\") -lt 13 ]"

echo "# 2. quota"
ctl nat limit per-host 20
udp_flows 10.11.0.7 42000 25
ctl nat limit per-host 16384
check "a per-host quota event names the host and the limit (IPFIX natEvent 11, syslog QUOTA_EXCEEDED)" within 5 \
  $py "$here/natlog_check.py" event 11 "$LAB_DIR/ipfix.jsonl" "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" \
  natQuotaExceededEvent=3 maxEntriesPerUser=20 sourceIPv4Address=10.11.0.7

echo "# 3. port blocks"
ctl nat allocation port-block 64
udp_flows 10.11.0.5 43000 5 198.51.100.11
udp_flows 10.11.0.6 43000 5 198.51.100.11
sleep 0.5
json show nat sessions remote 198.51.100.11 -- \
  "json.dumps({'sessions': [s for s in d['sessions'] if s['proto'] == 'udp']})" >"$LAB_DIR/sessions-b.json"
blocks() {
  $py "$here/natlog_check.py" blocks "$LAB_DIR/sessions-b.json" "$LAB_DIR/ipfix.jsonl" \
    "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" >"$LAB_DIR/blocks.out"
}
check "port-block mode: sessions logged by their block only, each port inside its host's block" \
  within 10 blocks
sed 's/^/     /' "$LAB_DIR/blocks.out"
# 4 blocks of 64 per host and address: the 257th flow to one server finds no port.
udp_flows 10.11.0.8 44000 260 198.51.100.11
check "ports exhausted is logged when a host's blocks are full (natEvent 10)" within 5 \
  $py "$here/natlog_check.py" event 10 "$LAB_DIR/ipfix.jsonl" "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" \
  sourceIPv4Address=10.11.0.8 postNATSourceIPv4Address=203.0.113.1
check "the host got exactly 4 blocks" bash -c \
  "[ \$(grep -c '\"natEvent\": 14, \"sourceIPv4Address\": \"10.11.0.8\"' '$LAB_DIR/ipfix.jsonl') = 4 ]"

echo "# 4. metrics move with traffic"
scrape >"$LAB_DIR/metrics-after.txt"
check "promtool accepts the scrape after traffic too" bash -c "promtool check metrics <'$LAB_DIR/metrics-after.txt'"
rx_after=$(awk '$1 == "secnat_port_rx_packets_total{port=\"0\",role=\"lan\"}" { print $2 }' "$LAB_DIR/metrics-after.txt")
check "LAN port packets counter moved ($rx_before -> $rx_after)" [ "${rx_after:-0}" -gt "${rx_before:-0}" ]
check "sessions created counter moved" \
  [ "$(awk '$1 == "secnat_sessions_created_total" { print $2 }' "$LAB_DIR/metrics-after.txt")" -gt 20 ]
check "log counters: events reported, none dropped" bash -c \
  "grep -qE '^secnat_log_events_total [1-9]' '$LAB_DIR/metrics-after.txt' &&
   grep -qx 'secnat_log_dropped_total 0' '$LAB_DIR/metrics-after.txt'"
check "the BGP, VXC, worker and drop families are there" bash -c \
  "grep -q '^secnat_vxc_tx_packets_total{vxc=\"sec1\"}' '$LAB_DIR/metrics-after.txt' &&
   grep -q '^secnat_worker_cycles_per_packet{worker=\"0\"' '$LAB_DIR/metrics-after.txt' &&
   grep -q '^secnat_drops_total{reason=\"host_limit\"} [1-9]' '$LAB_DIR/metrics-after.txt' &&
   grep -q '^# TYPE secnat_bgp_session_up gauge' '$LAB_DIR/metrics-after.txt'"
check "show nat stats counts the events" bash -c \
  "[ \"\$(ctl show nat stats json | $py -c 'import json,sys; d=json.load(sys.stdin); print(d[\"log_events\"] > 0 and d[\"log_dropped\"] == 0)')\" = True ]"

echo "# 5. deletions after the UDP timeout (waiting for 120 s of idleness)"
deleted() {
  $py "$here/natlog_check.py" deleted "$LAB_DIR/sessions-a.json" "$LAB_DIR/ipfix.jsonl" \
    "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" --idle-udp 120 --idle-icmp 60 >"$LAB_DIR/deleted.out"
}
sleep 115
check "each UDP and ICMP session's deletion by timeout reached IPFIX and syslog" within 30 deleted
sed 's/^/     /' "$LAB_DIR/deleted.out"
check "the port blocks went back with their last session (natEvent 15)" within 10 \
  $py "$here/natlog_check.py" event 15 "$LAB_DIR/ipfix.jsonl" "$LAB_DIR/syslog-udp.log" "$LAB_DIR/syslog-tcp.log" \
  sourceIPv4Address=10.11.0.5
check "rsyslog parsed every message as RFC 5424 (APP-NAME secnat)" bash -c \
  "[ \$(grep -vc \$'\tsecnat\t' '$LAB_DIR/syslog-tcp.log') = 0 ]"
# tshark decodes the capture with the templates it saw: the same records, nothing malformed.
tshark_events() {
  tshark -r "$LAB_DIR/ipfix.pcap" -d udp.port==4739,cflow -T fields -e cflow.nat_event 2>/dev/null |
    tr ',' '\n' | grep -c .
}
ours=$(grep -c natEvent "$LAB_DIR/ipfix.jsonl")
# (the capture may be a moment behind the collector: tcpdump writes as it goes)
same_as_ours() { theirs=$(tshark_events); [ "$theirs" = "$ours" ]; }
check "tshark decodes the same records from the capture" within 5 same_as_ours
echo "     ours $ours, tshark's $theirs"
check "tshark finds nothing malformed" bash -c \
  "[ -z \"\$(tshark -r '$LAB_DIR/ipfix.pcap' -d udp.port==4739,cflow -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null)\" ]"
report

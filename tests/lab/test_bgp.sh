#!/usr/bin/env bash
# BGP with Salesforce in the lab: secnat's supervised BIRD against real peers playing AS 14340 —
# BIRD 2 and FRR from Debian — over the VLAN-tagged A-end with a TCP MD5 password, and a second
# Salesforce router on a second A-end link. Each check is one behaviour of the BGP issue; the script
# ends with "N passed, N failed".
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
LAB_SF2=1
source "$here/topology.sh"
source "$here/checks.sh"
py=/usr/bin/python3
peer_pids=()
cleanup() {
  local pid
  for pid in "${peer_pids[@]}"; do kill "$pid" 2>/dev/null; done
  lab_down
}
trap cleanup EXIT

uptime_of() { json show bgp neighbors -- "[n['uptime_s'] for n in d['neighbors'] if n['address'] == '$1'][0]"; }
state_of() { json show bgp neighbors -- "[n['state'] for n in d['neighbors'] if n['address'] == '$1'][0]"; }
established() { [ "$(state_of "$1")" = Established ]; }
route_source() { json show route -- "','.join(sorted(r['source'] + ':' + str(r['vxc']) for r in d['routes'] if r['prefix'] == '$1'))"; }
# The row the FIB forwards with ("selected"), and the text form's "*" on the same row.
selected_source() { json show route -- "','.join(r['source'] + ':' + str(r['vxc']) for r in d['routes'] if r['prefix'] == '$1' and r['selected'])"; }
starred_source() { ctl show route | awk -v p="$1" '$1 == "*" && $2 == p { print $4 }' | paste -sd,; }
bgp_in_fib() { json show bgp routes limit 1 -- "d['in_fib']"; }

# The peers: BIRD playing Salesforce (lab_bird_peer), remembered by namespace for stop_peer.
peer_bird() {
  lab_bird_peer "$@"
  peer_pids+=("$lab_bird_pid")
  eval "peer_$1=$lab_bird_pid"
}
# start_frr NS DIR: zebra and bgpd (DIR/bgpd.conf) in namespace $LAB-NS, as user frr.
start_frr() {
  local ns=$1 dir=$2 daemon
  printf 'hostname %s-zebra\nlog file %s/zebra.log\n' "$ns" "$dir" >"$dir/zebra.conf"
  chown -R frr:frr "$dir"
  chmod 711 "$LAB_DIR" # frr runs as its own user and must reach its directory
  for daemon in zebra bgpd; do
    ip netns exec "$LAB-$ns" "/usr/lib/frr/$daemon" -f "$dir/$daemon.conf" -i "$dir/$daemon.pid" \
      -z "$dir/zserv.api" --vty_socket "$dir" -u frr -g frr >"$dir/$daemon.out" 2>&1 &
    peer_pids+=("$!")
    sleep 1 # bgpd connects to zebra's socket
  done
}
stop_peer() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

lab_up
$py - "$LAB_DIR/bulk-routes.conf" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write(f"  route {20 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}.0/24 blackhole;\n")
EOF
cat >"$LAB_DIR/secnat.conf" <<'EOF'
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
port 2 role aend
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 1G
vxc add sec2 port 2 untagged local 203.0.113.3/31 peer 203.0.113.2 rate 1G
# The backup when BGP has nothing: a static route with a worse distance.
route add 198.51.100.0/24 via 203.0.113.2 distance 250
nat pool sec1 192.0.2.0/28
bgp as 64512 router-id 203.0.113.1
bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9
bgp announce 192.0.2.0/28
EOF
for ns in sf sf2; do
  lab_bg "$ns" $py "$here/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp-$ns.log"
done
peer_bird sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret
lab_secnat "$LAB_DIR/secnat.conf" || exit 1

# One UDP exchange from the LAN, and which Salesforce router's server saw it from which source.
udp_once() { [ "$(echo "$1" | lab_ns lan socat -T 1 - UDP4:198.51.100.10:5353,bind=10.11.0.5)" = "$1" ]; }
last_source() { tail -n 1 "$LAB_DIR/udp-$1.log" 2>/dev/null | cut -d: -f1; }
via_sf_pool() { udp_once "probe-$RANDOM" && [[ "$(last_source sf)" =~ ^192\.0\.2\.([0-9]|1[0-5])$ ]]; }
via_sf2() { udp_once "probe-$RANDOM" && [ "$(last_source sf2)" = 203.0.113.3 ]; }
bgp_route_active() { [ "$(route_source 198.51.100.0/24)" = "bgp:sec1,static:sec2" ]; }
bgp_selected() { [ "$(selected_source 198.51.100.0/24)" = bgp:sec1 ] && [ "$(starred_source 198.51.100.0/24)" = bgp ]; }
only_backup() { [ "$(route_source 198.51.100.0/24)" = "static:sec2" ]; }
backup_selected() { [ "$(selected_source 198.51.100.0/24)" = static:sec2 ] && [ "$(starred_source 198.51.100.0/24)" = static ]; }
rejected_all() {
  [ "$(json show bgp routes -- "','.join(sorted(r['prefix'] for r in d['rejected']))")" = \
    "0.0.0.0/0,10.99.0.0/16,198.18.0.0/24,198.51.100.128/25" ]
}
none_of_the_rejected_in_fib() {
  [ "$(json show route -- "len([r for r in d['routes'] if r['prefix'] in ('0.0.0.0/0', '10.99.0.0/16', '198.18.0.0/24', '198.51.100.128/25')])")" = 0 ]
}
# What the peer learned from secnat: exactly the announced prefixes.
peer_received() { peer_birdc "$1" show route protocol secnat | awk '$1 ~ /\// { print $1 }' | sort | paste -sd,; }
received_exactly_announced() { [ "$(peer_received sf)" = "192.0.2.0/28" ]; }
secnat_bird_pid() { pgrep -P "$lab_secnat_pid" -x bird; }

echo "# BIRD as Salesforce over VLAN 100 with TCP MD5"
check "the session with the BIRD peer establishes with the MD5 password" within 40 established 203.0.113.0
check "the announced prefix is in the FIB as a BGP route through sec1" within 10 bgp_route_active
check "show route marks the BGP route, not the static backup, as the one in use" bgp_selected
check "traffic follows it through the NAT: the server sees a pool address" within 5 via_sf_pool
check "RFC 1918, default, too-specific and foreign-origin prefixes are rejected" within 5 rejected_all
check "no rejected prefix reaches the FIB" none_of_the_rejected_in_fib
check "the peer receives exactly the 'bgp announce' prefixes" within 10 received_exactly_announced
check "the frames on the A-end carry the MD5 option (TCP option 19)" bash -c \
  "ip netns exec $LAB-sf timeout 5 tcpdump -c 1 -nvi eth0 'tcp port 179 and tcp[20] != 0' 2>/dev/null | grep -q md5"

peer_birdc sf disable sf_routes >/dev/null
check "a withdrawal removes the BGP route and the static backup takes over" within 10 only_backup
check "and show route now marks the static backup as the one in use" backup_selected
check "traffic moves to the backup path (the other Salesforce router)" within 5 via_sf2
peer_birdc sf enable sf_routes >/dev/null
check "the route comes back when announced again" within 20 bgp_route_active
check "traffic returns to the BGP path" within 5 via_sf_pool

old_bird=$(secnat_bird_pid)
kill -KILL "$old_bird"
sleep 1
check "when secnat's BIRD dies, its routes stay during the restart grace" bgp_route_active
check "and traffic keeps flowing on them" via_sf_pool
check "BIRD is restarted" within 10 bash -c "p=\$(pgrep -P $lab_secnat_pid -x bird) && [ \"\$p\" != $old_bird ]"
check "the session comes back after the restart" within 40 established 203.0.113.0
check "the route is learned again (no longer stale)" within 10 bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes json | grep -q '\"prefix\":\"198.51.100.0/24\",\"via\":\"203.0.113.0\",\"vxc\":\"sec1\",\"paths\":1,\"stale\":false'"

ctl bgp neighbor 203.0.113.0 remote-as 14340 password wr0ng hold-time 9 >/dev/null
never_established() {
  local i
  sleep 2
  for i in $(seq 15); do
    established 203.0.113.0 && return 1
    sleep 1
  done
  return 0
}
check "with a wrong password the session never establishes" never_established
check "and the backup carries the traffic meanwhile" within 5 via_sf2
ctl bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9 >/dev/null
check "the right password brings the session back" within 40 established 203.0.113.0
check "the password appears in no output, log or readable file" bash -c \
  "! { ctl_out=\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp neighbors; '$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes); \
       echo \"\$ctl_out\"; cat '$LAB_DIR/secnat.log' '$LAB_DIR/secnat.sock.bird/bird.log'; } | grep -q s3cret" 
check "the generated BIRD configuration is readable by BIRD's user alone" bash -c \
  "[ \"\$(stat -c %a:%U '$LAB_DIR/secnat.sock.bird')\" = 700:bird ] && [ \"\$(stat -c %a:%U '$LAB_DIR/secnat.sock.bird/bird.conf')\" = 600:bird ]"
check "secnat's BIRD runs as the unprivileged user bird" bash -c \
  "[ \"\$(ps -o user= -p \$(pgrep -P $lab_secnat_pid -x bird))\" = bird ]"
check "with only the network capabilities (no CAP_SYS_ADMIN, no CAP_DAC_OVERRIDE)" bash -c \
  "caps=\$(grep CapEff /proc/\$(pgrep -P $lab_secnat_pid -x bird)/status | cut -f2); \
   [ \$(( 0x\$caps & ((1 << 21) | (1 << 1)) )) = 0 ] && [ \$(( 0x\$caps & (1 << 12) )) != 0 ]"

echo "# 100,000 routes announced and withdrawn while traffic flows"
heap_before=$(json show memory -- "d['heap_allocated']")
no_route_before=$(counter no_route)
lab_ns lan ping -q -i 0.01 -c 3000 198.51.100.10 >"$LAB_DIR/ping-churn.log" 2>&1 &
ping_pid=$!
timings=()
for round in 1 2 3; do
  start=$(date +%s%N)
  peer_birdc sf enable bulk >/dev/null
  within 120 bash -c "[ \"\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes limit 1 json | $py -c 'import json,sys; print(json.load(sys.stdin)[\"in_fib\"])')\" -ge 100001 ]" || break
  timings+=($((($(date +%s%N) - start) / 1000000)))
  peer_birdc sf disable bulk >/dev/null
  within 120 bash -c "[ \"\$('$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes limit 1 json | $py -c 'import json,sys; print(json.load(sys.stdin)[\"in_fib\"])')\" -eq 1 ]" || break
done
check "all 100,000 routes reach the FIB and leave it again, three times" test "${#timings[@]}" -eq 3
echo "     announce-to-FIB times (ms): ${timings[*]}"
wait "$ping_pid"
check "no packet lost while the FIB churned (3000 pings)" grep -q " 0% packet loss" "$LAB_DIR/ping-churn.log"
check "no packet dropped for want of a route" test "$(counter no_route)" = "$no_route_before"
check "the heap returns to its size before the churn" test "$(json show memory -- "d['heap_allocated']")" = "$heap_before"

uptime_before=$(uptime_of 203.0.113.0)
ctl clear bgp 203.0.113.0 >/dev/null
sleep 2
restarted() { established 203.0.113.0 && [ "$(uptime_of 203.0.113.0)" -lt "$uptime_before" ]; }
check "clear bgp restarts the session (it comes back with a fresh uptime)" within 40 restarted
check "the exception path counts what it carried" bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp neighbors json | $py -c 'import json,sys; e = json.load(sys.stdin)[\"exception_path\"]; sys.exit(not (e[\"to_kernel\"] > 0 and e[\"from_kernel\"] > 0))'"

echo "# Two sessions: a second Salesforce router on sec2"
peer_bird sf2 203.0.113.2 203.0.113.2 203.0.113.3 s3cret
uptime_before=$(uptime_of 203.0.113.0)
ctl bgp neighbor 203.0.113.2 remote-as 14340 password s3cret hold-time 9 >/dev/null
check "the second session establishes" within 40 established 203.0.113.2
check "adding a neighbor at runtime leaves the first session up" test "$(uptime_of 203.0.113.0)" -ge "$uptime_before"
check "routes learned from one session are never announced to the other" within 10 \
  bash -c "[ \"\$(ip netns exec $LAB-sf2 birdc -s '$LAB_DIR/bird-sf2.ctl' show route protocol secnat | awk '\$1 ~ /\\// { print \$1 }' | paste -sd,)\" = 192.0.2.0/28 ]"
check "equal paths from both sessions are used together" within 10 bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes json | grep -q '\"prefix\":\"198.51.100.0/24\",\"via\":\"[0-9.]*\",\"vxc\":\"sec[12]\",\"paths\":2'"
stop_peer "$peer_sf"
check "killing one peer removes its path at once" within 5 bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes json | grep -q '\"prefix\":\"198.51.100.0/24\",\"via\":\"203.0.113.2\",\"vxc\":\"sec2\",\"paths\":1'"
check "traffic keeps flowing over the other session" within 5 via_sf2

echo "# FRR as Salesforce over VLAN 100 with TCP MD5"
frr_dir="$LAB_DIR/frr"
mkdir -p "$frr_dir"
sed -e "s|@SECNAT@|203.0.113.1|g; s|@PASSWORD@|s3cret|; s|@DIR@|$frr_dir|" "$here/peers/frr-sf.conf.in" \
  >"$frr_dir/bgpd.conf"
start_frr sf "$frr_dir"
frr_vtysh() { ip netns exec "$LAB-sf" vtysh --vty_socket "$frr_dir" -c "$1"; }
check "the session with the FRR peer establishes with the MD5 password" within 60 established 203.0.113.0
check "FRR's route is in the FIB through sec1" within 10 bash -c \
  "'$SECNATCTL' -s '$LAB_DIR/secnat.sock' show bgp routes json | grep -q '\"prefix\":\"198.51.100.0/24\",\"via\":\"[0-9.]*\",\"vxc\":\"sec[12]\",\"paths\":2'"
frr_rejected() { [ "$(json show bgp neighbors -- "[n['prefixes_rejected'] for n in d['neighbors'] if n['address'] == '203.0.113.0'][0]")" = 2 ]; }
check "RFC 1918 and too-specific prefixes from FRR are rejected" within 10 frr_rejected
frr_received() { [ "$(frr_vtysh 'show ip bgp neighbors 203.0.113.1 routes' | grep -o '[0-9.]*/[0-9]*' | sort -u | paste -sd,)" = "192.0.2.0/28" ]; }
check "FRR receives exactly the 'bgp announce' prefixes" within 10 frr_received

echo "# FRR instead of BIRD: the operator's daemon in secnat's named control-plane namespace"
lab_secnat_stop
for pid in $(ip netns pids "$LAB-sf" 2>/dev/null); do kill "$pid" 2>/dev/null; done
lab_secnat "$LAB_DIR/secnat.conf" --bird none --cp-netns "$LAB-cp" --bgp-table 254 || exit 1
check "the control-plane namespace has the name given" test -e "/run/netns/$LAB-cp"
check "it holds the TUN of each VXC with its /31" bash -c \
  "ip netns exec $LAB-cp ip -br addr show sn-sec2 | grep -q 203.0.113.3/31"
check "--bird none starts no BIRD" bash -c "! pgrep -P $lab_secnat_pid -x bird >/dev/null"
cp_dir="$LAB_DIR/frr-cp"
mkdir -p "$cp_dir"
cp "$LAB_ROOT/config/frr/bgpd.conf" "$cp_dir/bgpd.conf"
start_frr cp "$cp_dir"
# Without the static backup, only FRR's route can carry the traffic.
ctl route del 198.51.100.0/24 >/dev/null
frr_route_in_fib() { [ "$(route_source 198.51.100.0/24)" = "bgp:sec2" ]; }
check "FRR's route, written to the main table of the namespace, reaches the FIB" within 60 frr_route_in_fib
check "and carries traffic (through sec2, translated to its /31)" within 5 via_sf2
check "FRR's policy example refuses what secnat's would" bash -c \
  "! '$SECNATCTL' -s '$LAB_DIR/secnat.sock' show route | grep -qE '^[* ] (10\\.99\\.0\\.0/16|0\\.0\\.0\\.0/0|198\\.51\\.100\\.128/25|198\\.18\\.0\\.0/24) '"
# A route whose next hop is no VXC's peer (on-link on a TUN) has nowhere to go in the dataplane.
ip netns exec "$LAB-cp" ip route add 198.18.5.0/24 dev sn-sec1 proto static
unmapped() { [ "$(json show bgp routes -- "d['unmapped']")" -ge 1 ] && ! ctl show route | grep -q '^[* ] 198\.18\.5\.0/24 '; }
check "a route through no VXC is counted as unmapped and kept out of the FIB" within 5 unmapped
lab_secnat_stop
check "stopping secnat removes the namespace's name" test ! -e "/run/netns/$LAB-cp"

report

# shellcheck shell=bash
# The lab: three network namespaces joined by veth pairs, sourced by the lab tests and the demo.
#
#   $LAB-lan: LAN hosts 10.11.0.5 and .6 (eth0), default route via secnat's 10.11.0.1
#   $LAB-nat: secnat, DPDK net_af_packet on lan0 (port 0) and aend0 (port 1)
#   $LAB-sf:  "Salesforce": 203.0.113.0/31 on eth0 speaking VLAN 100 (tc BPF, as this kernel has no
#             8021q), servers 198.51.100.10 and .11 on lo
#   $LAB-sf2: with LAB_SF2=1, a second Salesforce router on its own untagged A-end link (aend2, port 2):
#             203.0.113.2/31, the same servers on lo
#   $LAB-inet: with LAB_INET=1, the Internet backup path on the next port (inet0): a router at
#             198.18.0.1/30 that reaches the same servers (on lo) and routes the LAN back
#
# With LAB_AEND=tap, port 1 is DPDK's net_tap instead: secnat makes the TAP aend0 in $LAB-nat, and
# lab_secnat moves it into $LAB-sf as eth0 once secnat runs (secnat steers its queues by RSS).
# LAB_LAN=tap does the same for port 0 (lan0, moved into $LAB-lan as eth0). DPDK 22.11's net_tap
# carries at most 1,522-byte frames: a jumbo port is net_af_packet with LAB_JUMBO=1.
#
# Everything is created with a per-run prefix and removed by lab_down (call it from a trap).
#
# Fragments: DPDK 22.11's net_af_packet joins its sockets to a fanout group with the kernel's DEFRAG
# flag, so the kernel reassembles IP fragments before secnat sees them (as one frame larger than the
# ring's frame size, dropped as ip_truncated). A test of fragments must use net_af_xdp or net_tap
# ports (LAB_AEND=tap), never the default net_af_packet.
#
# net_af_xdp: with --no-huge memory DPDK 22.11 sizes the umem from the mempool's object count, so
# part of a 4 KiB-page pool lies outside it and the port stops receiving after a few thousand fresh
# mbufs. An AF_XDP lab must run on 2 MiB hugepages (echo N > /proc/sys/vm/nr_hugepages, hugetlbfs
# mounted); this lab uses net_tap where it needs fragments to arrive as sent.

LAB=${LAB:-sn$$}
LAB_DIR=${LAB_DIR:-$(mktemp -d /tmp/secnat-lab.XXXXXX)}
LAB_VLAN=${LAB_VLAN:-100}
lab_pids=()

lab_here() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }
LAB_ROOT=$(lab_here)
SECNAT=${SECNAT:-$LAB_ROOT/build/control/secnat}
SECNATCTL=${SECNATCTL:-$LAB_ROOT/build/control/secnatctl}
BPF_OBJ=${BPF_OBJ:-$LAB_DIR/vlan_peer.o}

lab_ns() { ip netns exec "$LAB-$1" "${@:2}"; }

# The running secnat's console, as secnatctl; json COMMAND... -- EXPRESSION evaluates a Python
# expression over the command's JSON answer (as `d`); counter REASON reads a drop counter.
ctl() { "$SECNATCTL" -s "$LAB_DIR/secnat.sock" "$@"; }
json() {
  local args=() expr
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  expr=$2
  ctl "${args[@]}" json 2>/dev/null |
    /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($expr)" 2>/dev/null
}
counter() { json show nat stats -- "d['drops']['$1']"; }

lab_up() {
  # secnat's BIRD drops root for user bird, which must reach its folder beside the socket here.
  chmod 711 "$LAB_DIR"
  clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -DVLAN_ID="$LAB_VLAN" \
    -c "$LAB_ROOT/tests/lab/vlan_peer.bpf.c" -o "$BPF_OBJ"
  for ns in lan nat sf; do
    lab_netns "$ns"
  done
  if [ "${LAB_LAN:-veth}" != tap ]; then
    lab_wire l lan lan0
    lab_lan_link
  fi

  lab_ns sf ip addr add 198.51.100.10/32 dev lo
  lab_ns sf ip addr add 198.51.100.11/32 dev lo
  if [ "${LAB_AEND:-veth}" != tap ]; then
    lab_wire a sf aend0
    lab_sf_link
  fi
  if [ "${LAB_SF2:-0}" = 1 ]; then
    lab_router sf2 b aend2 203.0.113.2/31
    lab_ns sf2 ip addr add 198.51.100.11/32 dev lo
    lab_ns sf2 ip route add 192.0.2.0/24 via 203.0.113.3
  fi
  if [ "${LAB_INET:-0}" = 1 ]; then
    lab_router inet i inet0 198.18.0.1/30
    lab_ns inet ip route add 10.11.0.0/24 via 198.18.0.2
  fi
}

# lab_netns NS: namespace $LAB-NS with its loopback up and no IPv6.
lab_netns() {
  ip netns add "$LAB-$1"
  lab_ns "$1" ip link set lo up
  lab_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

# lab_router NS LETTER NAT_IF ADDRESS: a router in its own namespace on an untagged link to secnat
# (NAT_IF), ADDRESS on its eth0 and the servers' 198.51.100.10 on its loopback.
lab_router() {
  lab_netns "$1"
  lab_wire "$2" "$1" "$3"
  lab_ns "$1" ip link set eth0 up
  lab_ns "$1" ethtool -K eth0 tx off >/dev/null
  lab_ns "$1" ip addr add "$4" dev eth0
  lab_ns "$1" ip addr add 198.51.100.10/32 dev lo
}

# lab_wire LETTER NS NAT_IF: a veth pair from eth0 in $LAB-NS to NAT_IF in secnat's namespace (up).
lab_wire() {
  ip link add "$LAB-$1" type veth peer name "$LAB-${1^^}"
  ip link set "$LAB-$1" netns "$LAB-$2" name eth0
  ip link set "$LAB-${1^^}" netns "$LAB-nat" name "$3"
  lab_ns nat ip link set "$3" up
}

# The LAN hosts' end of the LAN link, once eth0 is in $LAB-lan.
lab_lan_link() {
  lab_ns lan ip link set eth0 up
  # af_packet on the far side would otherwise get frames with unfinished checksums.
  lab_ns lan ethtool -K eth0 tx off >/dev/null 2>&1 # a TAP has no offloads to turn off
  lab_ns lan ip addr add 10.11.0.5/24 dev eth0
  lab_ns lan ip addr add 10.11.0.6/24 dev eth0
  lab_ns lan ip route add default via 10.11.0.1
}

# The Salesforce end of the A-end link, once eth0 is in $LAB-sf: the /31, VLAN by tc BPF.
lab_sf_link() {
  lab_ns sf ip link set eth0 up
  lab_ns sf ethtool -K eth0 tx off >/dev/null 2>&1 # a TAP has no offloads to turn off
  lab_ns sf ip addr add 203.0.113.0/31 dev eth0
  lab_ns sf ip route add 192.0.2.0/24 via 203.0.113.1
  lab_ns sf tc qdisc add dev eth0 clsact
  lab_ns sf tc filter add dev eth0 egress bpf da obj "$BPF_OBJ" sec tc/egress
  lab_ns sf tc filter add dev eth0 ingress bpf da obj "$BPF_OBJ" sec tc/ingress
}

# lab_secnat_command CONFIG [secnat options...]: sets lab_secnat_argv to the command that runs secnat
# in its namespace on the lab's ports.
# LAB_WORKERS (default 1) worker lcores, each with its own queue pair on every port (af_packet
# spreads received frames over the queues by the kernel's flow hash).
lab_secnat_command() {
  local config=$1 workers=${LAB_WORKERS:-1}
  shift
  # nsenter changes the network namespace only: "ip netns exec" would also give secnat a private
  # mount namespace, hiding the name it gives its control-plane namespace (--cp-netns) from us.
  local lcores=(-l "0-$workers") cpus jumbo=
  cpus=$(nproc)
  # LAB_JUMBO=1: af_packet rings whose frames hold a 9000-byte MTU (for `port N mtu 9000`).
  [ "${LAB_JUMBO:-0}" = 1 ] && jumbo=",blocksz=20480,framesz=10240,framecnt=512"
  # More lcores than CPUs (two workers on this two-core machine): let them share the CPUs.
  [ $((workers + 1)) -le "$cpus" ] || lcores=(--lcores "(0-$workers)@(0-$((cpus - 1)))")
  lab_secnat_argv=(nsenter --net="/run/netns/$LAB-nat" "$SECNAT" --no-pci --no-huge -m 1024 --file-prefix "$LAB"
    "${lcores[@]}" --log-level=lib.eal:error)
  if [ "${LAB_LAN:-veth}" = tap ]; then
    lab_secnat_argv+=(--vdev "net_tap0,iface=lan0")
  else
    lab_secnat_argv+=(--vdev "net_af_packet0,iface=lan0,qpairs=$workers$jumbo")
  fi
  if [ "${LAB_AEND:-veth}" = tap ]; then
    lab_secnat_argv+=(--vdev "net_tap1,iface=aend0")
  else
    lab_secnat_argv+=(--vdev "net_af_packet1,iface=aend0,qpairs=$workers$jumbo")
  fi
  [ "${LAB_SF2:-0}" = 1 ] && lab_secnat_argv+=(--vdev "net_af_packet2,iface=aend2,qpairs=$workers")
  [ "${LAB_INET:-0}" = 1 ] && lab_secnat_argv+=(--vdev "net_af_packet3,iface=inet0,qpairs=$workers")
  [ "${LAB_TELEMETRY:-0}" = 1 ] || lab_secnat_argv+=(--no-telemetry)
  lab_secnat_argv+=(-- -f "$config" --sessions 65536 "$@")
}

# lab_secnat CONFIG [secnat options...]: starts secnat in the background, waits until it runs.
lab_secnat() {
  lab_secnat_command "$@" -s "$LAB_DIR/secnat.sock"
  # nsenter execs secnat, so "$!" is secnat itself.
  "${lab_secnat_argv[@]}" >"$LAB_DIR/secnat.log" 2>&1 &
  lab_secnat_pid=$!
  lab_pids+=("$lab_secnat_pid")
  for _ in $(seq 100); do
    if grep -q "running" "$LAB_DIR/secnat.log" 2>/dev/null; then
      # A TAP stays secnat's (it vanishes when secnat closes it); its kernel side becomes the peer's.
      if [ "${LAB_LAN:-veth}" = tap ]; then
        ip -n "$LAB-nat" link set lan0 netns "$LAB-lan" name eth0 && lab_lan_link || break
      fi
      if [ "${LAB_AEND:-veth}" = tap ]; then
        ip -n "$LAB-nat" link set aend0 netns "$LAB-sf" name eth0 && lab_sf_link || break
      fi
      return 0
    fi
    kill -0 "$lab_secnat_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "secnat did not start:" >&2
  cat "$LAB_DIR/secnat.log" >&2
  return 1
}

lab_secnat_stop() {
  [ -n "${lab_secnat_pid:-}" ] || return 0
  kill -TERM "$lab_secnat_pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$lab_secnat_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$lab_secnat_pid" 2>/dev/null || true
  wait "$lab_secnat_pid" 2>/dev/null || true
  lab_secnat_pid=
}

# lab_bird_peer NS ROUTER_ID LOCAL SECNAT PASSWORD: BIRD 2 playing Salesforce (AS 14340) in namespace
# NS (tests/lab/peers/bird-sf.conf.in), its pid in lab_bird_pid; peer_birdc NS ... talks to it.
lab_bird_peer() {
  local ns=$1 conf="$LAB_DIR/bird-$1.conf"
  sed -e "s|@ROUTER_ID@|$2|; s|@LOCAL@|$3|; s|@SECNAT@|$4|; s|@PASSWORD@|$5|; s|@DIR@|$LAB_DIR|" \
    -e "s|@PEER_TIMERS@|${LAB_PEER_TIMERS:-}|" \
    "$LAB_ROOT/tests/lab/peers/bird-sf.conf.in" >"$conf"
  touch "$LAB_DIR/bulk-routes.conf" # the routes the churn test switches on; none unless written
  ip netns exec "$LAB-$ns" bird -f -c "$conf" -s "$LAB_DIR/bird-$ns.ctl" >"$LAB_DIR/bird-$ns.out" 2>&1 &
  lab_bird_pid=$!
  lab_pids+=("$lab_bird_pid")
}
peer_birdc() { local ns=$1; shift; ip netns exec "$LAB-$ns" birdc -s "$LAB_DIR/bird-$ns.ctl" "$@"; }

# lab_silence NS / lab_unsilence NS: the router in $LAB-NS goes silent (every IP packet in or out
# dropped by nftables; its link stays up, as when a peer hangs) and comes back.
lab_silence() {
  lab_ns "$1" nft -f - <<'NFT'
table inet silence {
  chain in { type filter hook input priority -300; policy drop; }
  chain out { type filter hook output priority -300; policy drop; }
}
NFT
}
lab_unsilence() { lab_ns "$1" nft delete table inet silence; }

# Starts a background process in a namespace and remembers its pid for lab_down.
lab_bg() {
  ip netns exec "$LAB-$1" "${@:2}" &
  lab_pids+=("$!")
}

lab_down() {
  local pid
  lab_secnat_stop
  for pid in "${lab_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${lab_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for ns in lan nat sf sf2 inet mgmt; do
    ip netns del "$LAB-$ns" 2>/dev/null || true
  done
  rm -rf "$LAB_DIR" "/var/run/dpdk/$LAB" # the EAL's runtime directory of secnat's --file-prefix
}

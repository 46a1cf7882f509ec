#!/usr/bin/env bash
# The demo: secnat in front of a small lab, with its console.
#
#   scripts/demo.sh [CONFIG]     (as root; CONFIG defaults to config/demo.conf)
#   scripts/demo.sh --down       removes what a demo that was killed left behind
#
# Installs what is missing (scripts/deps.sh), builds, brings up the lab of tests/lab/topology.sh
# (a LAN namespace with two hosts, secnat's namespace, a "Salesforce" namespace on VLAN 100 with
# servers and a BIRD speaking BGP as AS 14340), starts LAN traffic towards the servers and runs
# secnat with its interactive console.
# "quit" (or Ctrl-D) stops secnat and takes the lab down. A second terminal can use secnatctl.
#
# Environment: SECNAT and SECNATCTL use given binaries instead of building; SECNAT_SOCKET moves the
# control socket (default /run/secnat/secnat.sock); DEMO_TRAFFIC_S bounds the LAN traffic (3600 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
LAB=sndemo
socket=${SECNAT_SOCKET:-/run/secnat/secnat.sock}

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root (it creates network namespaces)" >&2
  exit 1
fi

if [ "${1:-}" = "--down" ]; then
  for ns in lan nat sf; do
    for pid in $(ip netns pids "$LAB-$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$LAB-$ns" 2>/dev/null || true
  done
  echo "demo lab removed"
  exit 0
fi
config=${1:-$root/config/demo.conf}
if ip netns list | grep -q "^$LAB-"; then
  echo "demo.sh: namespaces $LAB-* exist: a demo runs already, or one was killed" \
    "(then: scripts/demo.sh --down)" >&2
  exit 1
fi

bash "$root/scripts/deps.sh"
if [ -z "${SECNAT:-}" ]; then
  build_log=$(mktemp /tmp/secnat-build.XXXXXX)
  echo "building secnat in $root/build ..."
  if ! { [ -f "$root/build/build.ninja" ] || meson setup "$root/build"; } >"$build_log" 2>&1 ||
    ! meson compile -C "$root/build" >>"$build_log" 2>&1; then
    cat "$build_log" >&2
    exit 1
  fi
  rm -f "$build_log"
fi
export SECNAT=${SECNAT:-$root/build/control/secnat}
export SECNATCTL=${SECNATCTL:-$root/build/control/secnatctl}
"$SECNAT" --check -f "$config" >/dev/null

source "$root/tests/lab/topology.sh"
trap lab_down EXIT
lab_up
py=/usr/bin/python3
lab_bg sf $py "$root/tests/lab/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp.log"
lab_bg sf $py "$root/tests/lab/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
lab_bg lan $py "$root/tests/lab/demo_traffic.py" "${DEMO_TRAFFIC_S:-3600}"
lab_bird_peer sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret

ctl=$SECNATCTL
[ "$socket" = /run/secnat/secnat.sock ] || ctl="$SECNATCTL -s $socket"
cat <<EOF

  secnat demo ($config)

    LAN $LAB-lan            secnat $LAB-nat                 "Salesforce" $LAB-sf
    10.11.0.5, 10.11.0.6 -- port 0 (lan) 10.11.0.1
                            port 1 (aend) VLAN 100 ---------- 203.0.113.0, servers 198.51.100.10/.11
                            vxc sec1 203.0.113.1/31         BIRD as AS 14340 (eBGP, MD5)

  Both LAN hosts ping, send UDP and open TCP connections to 198.51.100.10 every 2 s; they leave
  as 203.0.113.1. Try:  show nat sessions   show vxc   show bgp neighbors   show route   help
  Tab completes, '?' lists what may follow, Ctrl-C clears the line, 'quit' ends the demo.
  From a second terminal:
    $ctl show nat sessions
    ip netns exec $LAB-lan traceroute -n 198.51.100.10
    ip netns exec $LAB-sf tcpdump -nei eth0 vlan

EOF
lab_secnat_command "$config" -s "$socket" -i
status=0
"${lab_secnat_argv[@]}" || status=$?
exit "$status"

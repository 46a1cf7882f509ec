#!/usr/bin/env bash
# Installs everything secnat needs to build and test, from Debian 12's packages only.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config
  libdpdk-dev dpdk
  libbpf-dev libxdp-dev
  libcriterion-dev
  clang llvm libclang-rt-14-dev
  iproute2 ethtool iputils-ping tcpdump socat curl traceroute python3
  bird2 frr iperf3
  gnuplot-nox nftables
  dpdk-dev
  libsystemd-dev systemd man-db
  libmicrohttpd-dev prometheus rsyslog tshark
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages (${missing[*]}) and not root: run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Runs the NAT engine micro-benchmark (bench/nat_bench.c) on one core.
# Uses 2 MiB hugepages when it can reserve them (as root), else runs without (slower: 4 KiB pages
# mean TLB misses and page faults, so numbers from the two modes are not comparable).
# Usage: bench/micro.sh [-n packets]
set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${BUILDDIR:-build}
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" >/dev/null
meson compile -C "$builddir" bench/nat_bench >/dev/null

prefix="secnat-bench-$$"
eal=(--no-pci -l 0 --no-telemetry --log-level=lib.eal:error --file-prefix "$prefix")
trap 'rm -rf "/var/run/dpdk/$prefix"' EXIT
need_pages=1536 # 3 GiB: a 1M-session table and its mbufs
have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "$(id -u)" -eq 0 ] && [ "$have" -lt "$need_pages" ]; then
  total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
  echo $((total + need_pages - have)) > /proc/sys/vm/nr_hugepages || true
  have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
fi
if [ "$have" -ge "$need_pages" ]; then
  if ! grep -qs ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages
  fi
  eal+=(-m 2560)
  echo "memory: 2 MiB hugepages"
else
  eal+=(--no-huge -m 2560 --no-shconf)
  echo "memory: 4 KiB pages (no hugepages available)"
fi
"$builddir/bench/nat_bench" "${eal[@]}" -- "$@"

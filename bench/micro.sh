#!/usr/bin/env bash
# Runs the NAT engine micro-benchmark (bench/nat_bench.c) on one core.
# Uses 2 MiB hugepages when it can reserve them (bench/lib.sh).
# Usage: bench/micro.sh [-n packets]
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
bench_build bench/nat_bench

prefix="secnat-bench-$$"
eal=(--no-pci "${eal_extra[@]}" -l 0 --no-telemetry --log-level=lib.eal:error --file-prefix "$prefix" --huge-unlink)
trap 'rm -rf "/var/run/dpdk/$prefix"' EXIT
if [ "$(bench_hugepages 1536)" = huge ]; then # 3 GiB: a 1M-session table and its mbufs
  eal+=(-m 2560)
  echo "memory: 2 MiB hugepages"
else
  eal+=(--no-huge -m 2560 --no-shconf)
  echo "memory: 4 KiB pages (no hugepages available)"
fi
"$builddir/bench/nat_bench" "${eal[@]}" -- "$@"

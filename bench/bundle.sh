#!/usr/bin/env bash
# Makes a folder that runs the benchmarks on a Linux machine without DPDK (or meson, or a compiler):
# the release build's binaries, dpdk-testpmd, every shared library they load that is not the C
# library's own, DPDK's driver plugins the benchmarks use, and the scripts.
#
#   bench/bundle.sh DIR        (DIR not under /tmp: the EAL refuses drivers from world-writable
#                              paths), then, on the other machine, as root:
#   DIR/bench/run.sh --workers 1,2,4,8 --dut-cpus 0-8 --gen-cpus 9-15
#   DIR/bench/micro.sh
#
# The other machine needs bash, python3 (the report; gnuplot for plots if present) and a kernel
# with memif's needs (Unix sockets, 2 MiB hugepages for speed). Only the memif leg runs there by
# default (BENCH_LEGS=veth needs nftables and AF_XDP as well).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/bundle.sh DIR}
source bench/lib.sh
bench_build
testpmd=$(command -v dpdk-testpmd) || { echo "dpdk-testpmd not found (Debian package dpdk)" >&2; exit 1; }
pmds=$( (find /usr/lib/*-linux-gnu/dpdk /usr/lib64/dpdk /usr/local/lib*/dpdk -maxdepth 1 -name 'pmds-*' 2>/dev/null ||
  true) | head -1)
[ -n "$pmds" ] || { echo "DPDK's driver directory (pmds-*) not found" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/build-release/control" "$out/build-release/bench" "$out/bin" "$out/lib" "$out/pmds" "$out/bench"
cp "$builddir/control/secnat" "$builddir/control/secnatctl" "$out/build-release/control/"
cp "$builddir/bench/secnat_gen" "$builddir/bench/nat_bench" "$out/build-release/bench/"
cp "$testpmd" "$out/bin/"
# The drivers the benchmarks load: memif, the lab's virtual ports, and the mempool handlers.
for d in net_memif net_af_xdp net_af_packet net_tap net_null net_ring mempool_ring mempool_stack; do
  cp -L "$pmds/librte_$d.so" "$out/pmds/"
done
# Every library those load, except the C library's (the other machine has its own, and they must
# match its kernel and loader).
libs() {
  ldd "$@" | awk '/=> \// { print $3 }' | sort -u |
    grep -vE '/(libc|libm|libpthread|libdl|librt|libresolv|ld-linux[^/]*)\.so' || true
}
libs "$out"/build-release/control/* "$out"/build-release/bench/* "$out/bin/dpdk-testpmd" "$out"/pmds/*.so |
  while read -r lib; do cp -L "$lib" "$out/lib/"; done
cp bench/run.sh bench/lib.sh bench/veth.sh bench/micro.sh bench/report.py bench/bench.conf bench/bench-veth.conf \
  "$out/bench/"
pkg-config --modversion libdpdk >"$out/dpdk-version"
git describe --always --dirty >"$out/secnat-version" 2>/dev/null || true
touch "$out/.bundle"
echo "$out: $(du -sh "$out" | cut -f1), run $out/bench/run.sh as root on the target"

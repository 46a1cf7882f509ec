#!/usr/bin/env bash
# Where secnat's worker spends its cycles: one memif case of bench/run.sh (the same generator,
# configuration and release build), held at full speed while `perf record` samples the worker
# thread alone, then `perf report` by symbol and secnat's own cycles per packet.
#
#   bench/profile.sh [MODE [FLOWS [SECONDS]]]   default: in2out 1048576 20
#
# perf's software clock (cpu-clock) is used: it works in virtual machines without a PMU. The
# samples stay in a temporary directory, whose path is printed, for `perf annotate -i`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

mode=${1:-in2out} flows=${2:-1048576} seconds=${3:-20}
command -v perf >/dev/null || { echo "profile.sh: perf is not installed (Debian: linux-perf)" >&2; exit 1; }
bench_build bench/secnat_gen control/secnat control/secnatctl

run=$(mktemp -d /tmp/secnat-profile.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf /var/run/dpdk/secnat-profile-*-$$
}
trap cleanup EXIT

huge=(--huge-unlink)
[ "$(bench_hugepages 2048)" = huge ] || huge=(--no-huge)
sessions=$(sessions_for "$flows")

# The generator: one trial at full speed, long enough for learning, the samples and a margin.
"$builddir/bench/secnat_gen" --no-pci "${eal_extra[@]}" --lcores 0@1 --file-prefix "secnat-profile-gen-$$" \
  -m 512 --log-level=lib.eal:error "${huge[@]}" \
  --vdev "net_memif0,role=server,socket=$run/lan.sock" --vdev "net_memif1,role=server,socket=$run/aend.sock" \
  -- --mode "$mode" --flows "$flows" --trial $((seconds + 10)) --steps 0 --hold >"$run/gen.json" 2>"$run/gen.log" &
pids+=($!)
sleep 1
"$builddir/control/secnat" --no-pci "${eal_extra[@]}" --lcores 0@0,1@0 --file-prefix "secnat-profile-dut-$$" \
  --log-level=lib.eal:error "${huge[@]}" -m $((512 + sessions * 400 / 1048576)) --no-telemetry \
  --vdev "net_memif0,role=client,socket=$run/lan.sock" --vdev "net_memif1,role=client,socket=$run/aend.sock" \
  -- -f bench/bench.conf --sessions "$sessions" --bird none -s "$run/secnat.sock" >"$run/dut.log" 2>&1 &
dut=$!
pids+=("$dut")

# The worker is the thread DPDK names rte-worker-1; learning is over when it has sent every flow.
tid=
for _ in $(seq 100); do
  tid=$(grep -l '^rte-worker' /proc/"$dut"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5) || true
  [ -n "$tid" ] && break
  sleep 0.1
done
[ -n "$tid" ] || { echo "profile.sh: secnat's worker did not start" >&2; cat "$run/dut.log" >&2; exit 1; }
sleep 6
"$builddir/control/secnatctl" -s "$run/secnat.sock" clear stats >/dev/null
perf record -q -e cpu-clock -t "$tid" -o "$run/perf.data" -- sleep "$seconds" 2>/dev/null
cpp=$("$builddir/control/secnatctl" -s "$run/secnat.sock" show workers json |
  /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['workers'][0]['cycles_per_packet'])")
echo "secnat worker: $cpp cycles/packet ($mode, $flows flows)"
# The worker's cycles by whose code ran them: secnat's own, the memif driver's (what testpmd io also
# spends on this path), the kernel's (interrupts of the VM), the rest.
perf report -i "$run/perf.data" --stdio --sort dso 2>/dev/null | /usr/bin/python3 -c "
import sys
share = {}
for line in sys.stdin:
    f = line.split()
    if len(f) == 2 and f[0].endswith('%'):
        name = 'secnat' if f[1] == 'secnat' else 'memif driver' if 'memif' in f[1] else \
               'kernel' if 'kernel' in f[1] else 'other'
        share[name] = share.get(name, 0) + float(f[0][:-1])
for name, pct in sorted(share.items(), key=lambda x: -x[1]):
    print(f'  {name:13} {pct:5.1f}%  {pct * $cpp / 100:6.0f} cycles/packet')"
perf report -i "$run/perf.data" --stdio --sort dso,symbol --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$'
echo "samples: $run/perf.data (perf annotate -i $run/perf.data SYMBOL; remove the folder when done)"

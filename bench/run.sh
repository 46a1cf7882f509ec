#!/usr/bin/env bash
# The benchmark matrix: secnat against dpdk-testpmd (io forwarding, the I/O ceiling) on the same
# memif ports and the same cores, driven by bench/gen (secnat_gen) on the other core, in one run.
#
#   bench/run.sh            full matrix (about 20 minutes): writes bench/results/results.json,
#                           bench/RESULTS.md and bench/results/mpps.png
#   bench/run.sh --quick    a smoke run in under two minutes, to a temporary directory (CI)
#
# Layout on this two-CPU machine: the generator's one lcore on CPU 1; the device under test's main
# lcore and its one worker (testpmd: its forwarding lcore) both on CPU 0, where the main lcore
# mostly sleeps. Each case starts a fresh device, so every table starts empty.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

quick=0
[ "${1:-}" = --quick ] && quick=1
if [ "$quick" = 1 ]; then
  out=$(mktemp -d /tmp/secnat-bench-quick.XXXXXX)
  cases=("bidir 1000" "in2out 65536" "new 262144")
  gen_args=(--trial 0.5 --steps 4)
  duts=(testpmd secnat)
else
  out=bench/results
  mkdir -p "$out"
  cases=()
  for flows in 1 1000 65536 1048576; do
    for mode in in2out out2in bidir; do cases+=("$mode $flows"); done
  done
  cases+=("new 4194304")
  gen_args=(--trial 2 --steps 8)
  duts=(testpmd secnat)
fi

bench_build bench/secnat_gen control/secnat
testpmd=$(command -v dpdk-testpmd) || { echo "dpdk-testpmd not found (Debian package dpdk)" >&2; exit 1; }
memory=$(bench_hugepages 2048) # 4 GiB: a 4M-session table, the generator's and the ports' mbufs
# Hugepage files unlinked once mapped: a run that is killed leaves no pages taken. (memif needs
# the EAL's multi-process channel, so never --no-shconf.)
huge=(--huge-unlink)
[ "$memory" = huge ] || huge=(--no-huge)
run=$(mktemp -d /tmp/secnat-bench.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$run" /var/run/dpdk/secnat-bench-*-$$
}
trap cleanup EXIT

# dut_start NAME FLOWS: the device under test, clients of the generator's memif sockets.
dut_start() {
  local name=$1 flows=$2 sessions mem
  local eal=(--no-pci --lcores "0@0,1@0" --file-prefix "secnat-bench-dut-$$" --log-level=lib.eal:error
    --vdev "net_memif0,role=client,socket=$run/lan.sock" --vdev "net_memif1,role=client,socket=$run/aend.sock"
    "${huge[@]}")
  sessions=$((flows + flows / 4 > 65536 ? flows + flows / 4 : 65536))
  mem=$((512 + sessions * 400 / 1048576))
  case $name in
    testpmd)
      "$testpmd" "${eal[@]}" -m 512 -- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 \
        --total-num-mbufs=32768 --stats-period 3600 >"$run/dut.log" 2>&1 &
      ;;
    secnat)
      "$builddir/control/secnat" "${eal[@]}" -m "$mem" --no-telemetry -- -f bench/bench.conf \
        --sessions "$sessions" --bird none -s "$run/secnat.sock" >"$run/dut.log" 2>&1 &
      ;;
  esac
  dut_pid=$!
  pids+=("$dut_pid")
}

dut_stop() {
  kill -TERM "$dut_pid" 2>/dev/null || true
  wait "$dut_pid" 2>/dev/null || true
}

# run_case DUT MODE FLOWS: one generator run against a fresh device; appends its JSON line.
run_case() {
  local dut=$1 mode=$2 flows=$3 check=() line
  [ "$dut" = secnat ] && check=(--check --expect-src 203.0.113.1)
  "$builddir/bench/secnat_gen" --no-pci --lcores 0@1 --file-prefix "secnat-bench-gen-$$" -m 512 \
    --log-level=lib.eal:error "${huge[@]}" \
    --vdev "net_memif0,role=server,socket=$run/lan.sock" --vdev "net_memif1,role=server,socket=$run/aend.sock" \
    -- --mode "$mode" --flows "$flows" "${gen_args[@]}" "${check[@]}" --hold >"$run/gen.json" 2>"$run/gen.log" &
  gen_pid=$!
  pids+=("$gen_pid")
  sleep 1 # the generator's sockets listen
  dut_start "$dut" "$flows"
  # The generator prints its result and holds its ports until told: the device goes first.
  until [ -s "$run/gen.json" ]; do
    if ! kill -0 "$gen_pid" 2>/dev/null; then
      echo "generator failed ($dut $mode $flows):" >&2
      cat "$run/gen.log" "$run/dut.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  line=$(cat "$run/gen.json")
  # secnat's own account of its worker: busy cycles per packet over the whole case (learning
  # included), a cost the generator's speed does not blur.
  if [ "$dut" = secnat ]; then
    cpp=$("$builddir/control/secnatctl" -s "$run/secnat.sock" show workers json |
      /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['workers'][0]['cycles_per_packet'])")
    line=${line/#\{/\{\"dut_cycles_per_packet\":$cpp,}
  fi
  dut_stop
  kill -TERM "$gen_pid" && wait "$gen_pid" || true
  echo "${line/#\{/\{\"dut\":\"$dut\",}" >>"$out/results.json"
  echo "  $dut $mode $flows: $line"
}

: >"$out/results.json"
echo "memory: $memory pages; results in $out"
for c in "${cases[@]}"; do
  for dut in "${duts[@]}"; do
    # shellcheck disable=SC2086
    run_case "$dut" $c
  done
done
/usr/bin/python3 bench/report.py "$out" "$memory" $([ "$quick" = 1 ] || echo --write bench/RESULTS.md)
if [ "$quick" = 1 ]; then
  # The smoke test's assertions are about function, never speed: every case ran, every flow was
  # learned, secnat's translations were right, and something got through.
  /usr/bin/python3 - "$out/results.json" "${#cases[@]}" "${#duts[@]}" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
checks = [("every case produced a result", len(rows) == int(sys.argv[2]) * int(sys.argv[3]))]
for r in rows:
    name = f"{r['dut']} {r['mode']} {r['flows']}"
    if r["mode"] == "new":
        checks.append((f"{name}: new flows were translated", r["created"] > 0))
    else:
        checks.append((f"{name}: every flow learned", r["learned"] == r["flows"]))
        checks.append((f"{name}: frames got through", r["mfr_mpps"] > 0))
    checks.append((f"{name}: no wrong translation among the checked frames", r["checked_bad"] == 0))
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
failed = sum(not ok for _, ok in checks)
print(f"{len(checks) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
  rm -rf "$out"
fi

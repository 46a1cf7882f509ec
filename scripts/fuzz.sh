#!/usr/bin/env bash
# Fuzzes every libFuzzer target of tests/fuzz for SECONDS each (default 3600), one after the other,
# in a clang build with AddressSanitizer and UndefinedBehaviorSanitizer (build-fuzz). The corpora
# grow in build-fuzz/corpus/<target> from run to run, seeded from tests/fuzz/corpus; a crash stops
# the run and leaves its input as build-fuzz/crash-<target>-*: fix it, then keep the input under
# tests/fuzz/regressions/<target>/. Prints each target's executions, coverage and CPU time.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
shift || true
bash scripts/deps.sh
build=${FUZZ_BUILDDIR:-build-fuzz}
[ -f "$build/build.ninja" ] ||
  CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C "$build"
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_worker fuzz_cli fuzz_route_import fuzz_bird_reply)
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  cp -rn "tests/fuzz/corpus/$t/." "$corpus/"
  regressions=(tests/fuzz/regressions/"$t"/*)
  [ -e "${regressions[0]}" ] && "$build/tests/fuzz/$t" -runs=1 "${regressions[@]}" >/dev/null 2>&1 ||
    [ ! -e "${regressions[0]}" ] || { echo "$t: a regression input fails again"; status=1; continue; }
  log="$build/fuzz-$t.log"
  start=$(date +%s)
  TIMEFORMAT='%0U %0S'
  if cpu=$( { time ( cd "$build" && "tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
                 -timeout=10 -rss_limit_mb=4096 -artifact_prefix="crash-$t-" "corpus/$t" >"fuzz-$t.log" 2>&1 ); } 2>&1 ); then
    verdict=ok
  else
    verdict="CRASH or broken invariant: see $log and $build/crash-$t-*"
    status=1
  fi
  read -r user sys <<<"$cpu"
  execs=$(awk '/^stat::number_of_executed_units/ { print $2 }' "$log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
  echo "$t: $verdict; ${execs:-0} executions in $(( $(date +%s) - start )) s, $((user + sys)) s CPU; $cov; corpus $(ls "$corpus" | wc -l) inputs"
done
exit "$status"

#!/usr/bin/env bash
# run.sh TARGET SOURCE_DIR NAME [SECONDS]: one fuzz target as a test. First every input kept under
# regressions/NAME (each once a crash, now fixed) must pass; then the target fuzzes for SECONDS
# (FUZZ_SECONDS, default 30) from a copy of corpus/NAME, so the source tree is never written. A crash
# fails the test and leaves its input in the build directory (crash-*), to be fixed and kept.
set -u
target=$1 src=$2 name=$3 seconds=${4:-${FUZZ_SECONDS:-30}}
work=$(mktemp -d "/tmp/secnat-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
# DPDK's EAL keeps its memory until exit, which LeakSanitizer would report as leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

regressions=("$src/regressions/$name"/*)
passes=1
if [ -e "${regressions[0]}" ]; then
  passes=2
  "$target" -runs=1 "${regressions[@]}" >"$work/regressions.log" 2>&1 || {
    tail -40 "$work/regressions.log"
    echo "FAIL regression inputs of $name"
    echo "0 passed, 1 failed"
    exit 1
  }
  echo "ok   ${#regressions[@]} regression inputs of $name pass"
fi
mkdir -p "$work/corpus"
cp -r "$src/corpus/$name/." "$work/corpus/" 2>/dev/null
"$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$PWD/crash-$name-" "$work/corpus" >"$work/fuzz.log" 2>&1
status=$?
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov:" "$work/fuzz.log" | tail -3
if [ $status -ne 0 ]; then
  tail -60 "$work/fuzz.log"
  echo "FAIL $name found a crash or a broken invariant (input: $PWD/crash-$name-*)"
  echo "$((passes - 1)) passed, 1 failed"
  exit 1
fi
echo "ok   $name fuzzed for $seconds s without a crash or a broken invariant"
echo "$passes passed, 0 failed"

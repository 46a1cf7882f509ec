#!/usr/bin/env bash
# Runs every test: installs dependencies, then builds and runs all meson test suites twice, once as
# shipped and once under AddressSanitizer and UndefinedBehaviorSanitizer; then the libFuzzer targets
# (tests/fuzz), each for FUZZ_SECONDS (30) in a clang build with both sanitizers.
# Usage: scripts/test.sh [extra meson test arguments]
# SECNAT_SANITIZE=0 skips the sanitizer pass, SECNAT_FUZZ=0 the fuzzing pass.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh

run_suite() {
  local builddir=$1; shift
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$@"
  fi
  meson compile -C "$builddir"
  meson test -C "$builddir" --print-errorlogs "${test_args[@]}"
}

# Adds up a build's test log: Criterion's synthesis lines and the scripts' "N passed, N failed".
# A test program that died before printing its own count still counts as one failure.
count_tests() {
  awk 'function settle() { if (failing && !reported) f += 1; failing = 0; reported = 0 }
       /^==* [0-9]+\/[0-9]+ ==*$/ { settle() }
       /^result:/ { failing = !($2 == "exit" && $4 == 0) && $2 != "skipped" }
       /Synthesis: Tested:/ { for (i = 1; i <= NF; i++) { if ($i == "Passing:") p += $(i+1);
       if ($i == "Failing:" || $i == "Crashing:") f += $(i+1) }; reported = 1 }
       /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3; reported = 1 }
       END { settle(); print p + 0, f + 0 }' "$1/meson-logs/testlog.txt"
}

test_args=("$@")
builds=("${BUILDDIR:-build}")
status=0
run_suite "${builds[0]}" || status=$?
if [ "${SECNAT_SANITIZE:-1}" != 0 ]; then
  # DPDK's EAL keeps its memory until exit, which LeakSanitizer would report as leaks.
  export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  builds+=("${BUILDDIR:-build}-sanitize")
  run_suite "${builds[1]}" -Db_sanitize=address,undefined -Db_lundef=false || status=$?
fi

if [ "${SECNAT_FUZZ:-1}" != 0 ]; then
  builds+=("${BUILDDIR:-build}-fuzz")
  export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  [ -f "${builds[-1]}/build.ninja" ] ||
    CC=clang meson setup "${builds[-1]}" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
  meson compile -C "${builds[-1]}" && meson test -C "${builds[-1]}" --print-errorlogs --suite fuzz || status=$?
fi

passed=0 failed=0
for b in "${builds[@]}"; do
  read -r p f < <(count_tests "$b")
  passed=$((passed + p)) failed=$((failed + f))
done
echo "${passed} passed, ${failed} failed"
exit "$status"

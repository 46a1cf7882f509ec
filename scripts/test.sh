#!/usr/bin/env bash
# Runs every test: installs dependencies, then builds and runs all meson test suites twice, once as
# shipped and once under AddressSanitizer and UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [extra meson test arguments]
# SECNAT_SANITIZE=0 skips the sanitizer pass.
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

test_args=("$@")
run_suite "${BUILDDIR:-build}"
if [ "${SECNAT_SANITIZE:-1}" != 0 ]; then
  # DPDK's EAL keeps its memory until exit, which LeakSanitizer would report as leaks.
  export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  run_suite "${BUILDDIR:-build}-sanitize" -Db_sanitize=address,undefined -Db_lundef=false
fi

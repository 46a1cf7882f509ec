#!/usr/bin/env bash
# Runs every test: installs dependencies, configures, builds, and runs all meson test suites.
# Usage: scripts/test.sh [extra meson test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh

builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir"
fi
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@"

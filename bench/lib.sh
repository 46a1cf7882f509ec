# shellcheck shell=bash
# What the benchmark scripts share (sourced): the build, and 2 MiB hugepages.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# What is measured is what is installed: a release build (-O3, NDEBUG, link-time optimisation) of
# its own, for the baseline CPU unless BENCH_NATIVE=true. BUILDDIR=build measures the test build.
builddir=${BUILDDIR:-$BENCH_ROOT/build-release}
# In a bundle (bench/bundle.sh) the binaries are there already, their libraries beside them and
# DPDK's drivers loaded from the bundle (EAL -d): nothing to build, no DPDK installed needed.
eal_extra=()
bundle=0
if [ -f "$BENCH_ROOT/.bundle" ]; then
  bundle=1
  export LD_LIBRARY_PATH="$BENCH_ROOT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  eal_extra=(-d "$BENCH_ROOT/pmds")
fi

bench_build() {
  [ "$bundle" = 0 ] || return 0
  [ -f "$builddir/build.ninja" ] ||
    meson setup "$builddir" "$BENCH_ROOT" --buildtype=release -Db_ndebug=if-release -Db_lto=true \
      -Dnative="${BENCH_NATIVE:-false}" -Dtests=false >/dev/null
  meson compile -C "$builddir" "$@" >/dev/null
}

# The table size secnat gets for a case of `flows` flows: the flows and a quarter more, at least
# 65,536 (bench/run.sh, bench/profile.sh).
sessions_for() {
  local flows=$1
  echo $((flows + flows / 4 > 65536 ? flows + flows / 4 : 65536))
}

# bench_hugepages PAGES: makes PAGES free 2 MiB pages available (as root) and mounts hugetlbfs.
# Prints "huge" when they are there, "none" when not (run with --no-huge then: slower, TLB misses
# and page faults, so the two modes' numbers are not comparable).
bench_hugepages() {
  local need=$1 have total
  have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  if [ "$(id -u)" -eq 0 ] && [ "$have" -lt "$need" ]; then
    total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
    echo $((total + need - have)) >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  fi
  if [ "$have" -ge "$need" ]; then
    grep -qs ' hugetlbfs ' /proc/mounts || { mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; }
    echo huge
  else
    echo none
  fi
}

#!/usr/bin/env bash
# The benchmark matrix, two legs, each device against the same generator (bench/gen, secnat_gen) on
# the other core, in one run:
#
# - memif: secnat against dpdk-testpmd in io forwarding (the I/O ceiling) on the same two memif
#   ports and the same CPU;
# - veth: secnat against Linux's own NAT (nftables masquerade), Linux routing without NAT, and
#   testpmd io, on the same two veth pairs (secnat and testpmd through AF_XDP), the device's kernel
#   work on the same CPU (bench/veth.sh).
#
#   bench/run.sh            full matrix, each case three times with the devices taking turns (about
#                           40 minutes): writes bench/results/results.json, bench/RESULTS.md and
#                           bench/results/{mpps,ratio,cycles}.png
#   bench/run.sh --quick    a smoke run in under two minutes, to a temporary directory (CI)
#   BENCH_LEGS=veth bench/run.sh --quick   only the legs named (memif, veth), for development
#   BENCH_MEMIF_CASES="new 4194304" bench/run.sh   only these memif cases ("MODE FLOWS", comma
#                           separated), full rounds, report printed and left in a temporary directory
#
# Every "new" case also runs secnat with NAT event logging on (secnat-logged: an IPFIX collector on
# this host's loopback, every session's creation exported; BENCH_LOG_SYSLOG=1 adds a syslog server,
# BENCH_LOG_BLOCKS=64 port blocks of 64), to measure what logging costs the new-connection rate
# side by side.
#
# Options (all optional):
#   --workers LIST     device workers per memif case (default 1,2,4,8; --quick: 1): each worker (and
#                      testpmd forwarding core) its own queue pair, the generator as many lanes
#                      (lcores), each its own queue pair; with several workers, cases that send
#                      replies run twice: replies steered to their port's owner (--steer owner,
#                      as rte_flow or RSS prediction would) and hashed over the queues (handoff)
#   --dut-cpus LIST    the device's CPUs (default 0): its main lcore on the first, the workers on
#                      the others, or all sharing them when there are fewer than workers + 1
#   --gen-cpus LIST    the generator's CPUs (default 1)
#   --share            run worker counts the CPUs cannot hold one each (else skipped with a message)
#
# Layout by default on this two-CPU machine: the generator's one lcore on CPU 1; the device under
# test on CPU 0 (secnat's main lcore and its one worker, where the main lcore mostly sleeps;
# testpmd's forwarding lcore; Linux's softirq work). Each case starts a fresh device, so every table
# starts empty. Without DPDK installed, run it from a bundle (bench/bundle.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
source bench/veth.sh

quick=0 workers_list= dut_cpus=0 gen_cpus=1 share=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --workers) workers_list=$2; shift ;;
    --dut-cpus) dut_cpus=$2; shift ;;
    --gen-cpus) gen_cpus=$2; shift ;;
    --share) share=1 ;;
    *) echo "usage: bench/run.sh [--quick] [--workers LIST] [--dut-cpus LIST] [--gen-cpus LIST] [--share]" >&2
       exit 2 ;;
  esac
  shift
done
# cpus LIST: the CPUs of a list such as 0-3,8 (one per line).
cpus() {
  local part
  for part in ${1//,/ }; do
    if [[ $part == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
  done
}
# The full run tries every worker count (those the CPUs cannot hold are skipped); --quick one.
[ -n "$workers_list" ] || { [ "$quick" = 1 ] && workers_list=1 || workers_list=1,2,4,8; }
mapfile -t dut_cpu_list < <(cpus "$dut_cpus")
mapfile -t gen_cpu_list < <(cpus "$gen_cpus")
# lcore_map N CPU...: "0@c0,1@c1,..." for lcores 0..N-1 over the CPUs in turn.
lcore_map() {
  local n=$1 i map=
  shift
  local list=("$@")
  for ((i = 0; i < n; i++)); do map+="${map:+,}$i@${list[i % ${#list[@]}]}"; done
  echo "$map"
}
# dut_lcores W: the device's main lcore and W workers: the main lcore alone on the first CPU when
# there are enough, else everyone over all the CPUs.
dut_lcores() {
  local w=$1 i map
  if [ "${#dut_cpu_list[@]}" -gt "$w" ]; then
    map="0@${dut_cpu_list[0]}"
    for ((i = 1; i <= w; i++)); do map+=",$i@${dut_cpu_list[i]}"; done
    echo "$map"
  else
    lcore_map $((w + 1)) "${dut_cpu_list[@]}"
  fi
}
workers_runnable() {
  local w=$1
  [ "$share" = 1 ] && return 0
  [ "$w" -eq 1 ] && return 0 # one worker: today's layout, the main lcore sharing its CPU
  [ "${#dut_cpu_list[@]}" -ge "$w" ] && [ "${#gen_cpu_list[@]}" -ge "$w" ]
}
if [ "$quick" = 1 ]; then
  out=$(mktemp -d /tmp/secnat-bench-quick.XXXXXX)
  memif_cases=("bidir 1000" "in2out 65536" "new 262144")
  veth_cases=("bidir 1000")
  gen_args=(--trial 0.5 --steps 4)
  rounds=1
else
  out=bench/results
  mkdir -p "$out"
  memif_cases=()
  for flows in 1 1000 65536 1048576; do
    for mode in in2out out2in bidir; do memif_cases+=("$mode $flows"); done
  done
  memif_cases+=("new 4194304")
  veth_cases=()
  for flows in 1000 65536; do
    for mode in in2out out2in bidir; do veth_cases+=("$mode $flows"); done
  done
  gen_args=(--trial 2 --steps 8)
  rounds=3
fi

partial=0
if [ -n "${BENCH_MEMIF_CASES:-}" ]; then
  IFS=, read -r -a memif_cases <<<"$BENCH_MEMIF_CASES"
  veth_cases=()
  partial=1
  [ "$quick" = 1 ] || out=$(mktemp -d /tmp/secnat-bench-cases.XXXXXX)
fi
case " ${BENCH_LEGS:-memif veth} " in *" memif "*) ;; *) memif_cases=() ;; esac
case " ${BENCH_LEGS:-memif veth} " in *" veth "*) ;; *) veth_cases=() ;; esac

bench_build bench/secnat_gen control/secnat control/secnatctl
if [ "$bundle" = 1 ]; then
  testpmd=$BENCH_ROOT/bin/dpdk-testpmd
  BENCH_LEGS=${BENCH_LEGS:-memif}
else
  testpmd=$(command -v dpdk-testpmd) || { echo "dpdk-testpmd not found (Debian package dpdk)" >&2; exit 1; }
fi
case " ${BENCH_LEGS:-memif veth} " in *" veth "*) ;; *) veth_cases=() ;; esac
[ ${#veth_cases[@]} -eq 0 ] || command -v nft >/dev/null || { echo "nft not found (Debian package nftables)" >&2; exit 1; }
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
  veth_down
  rm -rf "$run" /var/run/dpdk/secnat-bench-*-$$
}
trap cleanup EXIT

# secnat_start NS CONFIG FLOWS VDEV...: secnat in namespace NS ("" for none) on CPU 0.
secnat_start() {
  local ns=$1 conf=$2 flows=$3 sessions mem vdevs=() v
  shift 3
  for v in "$@"; do vdevs+=(--vdev "$v"); done
  sessions=$(sessions_for "$flows")
  mem=$((512 + workers * sessions * 400 / 1048576)) # --sessions is per worker
  ${ns:+ip netns exec "$ns"} "$builddir/control/secnat" --no-pci "${eal_extra[@]}" --lcores "$(dut_lcores "$workers")" \
    --file-prefix "secnat-bench-dut-$$" --log-level=lib.eal:error "${huge[@]}" "${vdevs[@]}" \
    -m "$mem" --no-telemetry -- -f "$conf" --sessions "$sessions" --bird none -s "$run/secnat.sock" \
    >"$run/dut.log" 2>&1 &
  dut_pid=$!
  pids+=("$dut_pid")
}

dut_stop() {
  [ -n "${dut_pid:-}" ] || return 0
  kill -TERM "$dut_pid" 2>/dev/null || true
  wait "$dut_pid" 2>/dev/null || true
  dut_pid=
}

# gen_start NS OUTFILE VDEVS GEN-OPTIONS...: the generator on CPU 1.
gen_start() {
  local ns=$1 file=$2 vdevs=() v
  read -r -a v <<<"$3"
  for x in "${v[@]}"; do vdevs+=(--vdev "$x"); done
  shift 3
  ${ns:+ip netns exec "$ns"} "$builddir/bench/secnat_gen" --no-pci "${eal_extra[@]}" \
    --lcores "$(lcore_map "$workers" "${gen_cpu_list[@]}")" \
    --file-prefix "secnat-bench-gen-$$" -m 512 --log-level=lib.eal:error "${huge[@]}" "${vdevs[@]}" \
    -- "$@" --steer "$steer" --hold >"$file" 2>"$run/gen.log" &
  gen_pid=$!
  pids+=("$gen_pid")
}

# Waits for the generator's result; the device goes first, then the generator (see gen.c, --hold).
gen_result() {
  local what=$1
  until [ -s "$run/gen.json" ]; do
    if ! kill -0 "$gen_pid" 2>/dev/null; then
      echo "generator failed ($what):" >&2
      cat "$run/gen.log" "$run/dut.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  line=$(cat "$run/gen.json")
}

# secnat's own account of its worker: busy cycles per packet over the whole case (learning
# included), a cost the generator's speed does not blur; and the NAT events it reported and lost.
add_secnat_cycles() {
  local cpp log
  # Several workers: the packets' average (busy cycles over packets, all workers).
  cpp=$("$builddir/control/secnatctl" -s "$run/secnat.sock" show workers json |
    /usr/bin/python3 -c "import json, sys; w = json.load(sys.stdin)['workers']
print(round(sum(x['cycles_per_packet'] * x['packets'] for x in w) / max(1, sum(x['packets'] for x in w))))")
  log=$("$builddir/control/secnatctl" -s "$run/secnat.sock" show nat stats json |
    /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(d['log_events'], d['log_dropped'])")
  line=${line/#\{/\{\"dut_cycles_per_packet\":$cpp,\"log_events\":${log% *},\"log_dropped\":${log#* },}
}

# The collectors of secnat-logged on this host's loopback: sockets that take the datagrams and are
# never read (the kernel drops what overflows them), so that exporting costs secnat its real sends
# and nothing answers with ICMP.
log_sinks_start() {
  /usr/bin/python3 -c '
import socket, time
socks = []
for port in (4739, 5514):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    socks.append(s)
time.sleep(1e9)' &
  pids+=("$!")
  {
    cat bench/bench.conf
    echo "log ipfix collector 127.0.0.1"
    [ -z "${BENCH_LOG_SYSLOG:-}" ] || echo "log syslog server 127.0.0.1 port 5514"
    [ -z "${BENCH_LOG_BLOCKS:-}" ] || echo "nat allocation port-block $BENCH_LOG_BLOCKS"
  } >"$run/bench-logged.conf"
}

record() {
  local leg=$1 dut=$2 round=$3
  kill -TERM "$gen_pid" && wait "$gen_pid" || true
  line=${line/#\{/\{\"leg\":\"$leg\",\"dut\":\"$dut\",\"round\":$round,\"workers\":$workers,}
  echo "$line" >>"$out/results.json"
  echo "  [$leg $round] $dut: $line"
}

# memif_case DUT MODE FLOWS ROUND: the device is a client of the generator's memif sockets.
memif_case() {
  local dut=$1 mode=$2 flows=$3 round=$4 check=()
  [ "$dut" != testpmd ] && check=(--check --expect-src 203.0.113.1)
  rm -f "$run/gen.json" "$run"/*.sock
  gen_start "" "$run/gen.json" "net_memif0,role=server,socket=$run/lan.sock net_memif1,role=server,socket=$run/aend.sock" \
    --mode "$mode" --flows "$flows" "${gen_args[@]}" "${check[@]}"
  sleep 1 # the generator's sockets listen
  local vdevs=("net_memif0,role=client,socket=$run/lan.sock" "net_memif1,role=client,socket=$run/aend.sock")
  case $dut in
    testpmd)
      "$testpmd" --no-pci "${eal_extra[@]}" --lcores "$(dut_lcores "$workers")" --file-prefix "secnat-bench-dut-$$" \
        --log-level=lib.eal:error "${huge[@]}" --vdev "${vdevs[0]}" --vdev "${vdevs[1]}" -m 512 -- \
        --forward-mode=io --nb-cores="$workers" --rxq="$workers" --txq="$workers" \
        --total-num-mbufs=$((32768 * workers)) --stats-period 3600 >"$run/dut.log" 2>&1 &
      dut_pid=$!
      pids+=("$dut_pid")
      ;;
    secnat) secnat_start "" bench/bench.conf "$flows" "${vdevs[@]}" ;;
    secnat-logged) secnat_start "" "$run/bench-logged.conf" "$flows" "${vdevs[@]}" ;;
  esac
  gen_result "memif $dut $mode $flows"
  [ "$dut" != testpmd ] && add_secnat_cycles
  [ "$dut" = secnat-logged ] &&
    line=${line/#\{/\{\"log_to\":\"ipfix${BENCH_LOG_SYSLOG:+ and syslog}${BENCH_LOG_BLOCKS:+, port blocks of $BENCH_LOG_BLOCKS}\",}
  dut_stop
  record memif "$dut" "$round"
}

# veth_case DUT MODE FLOWS ROUND: fresh namespaces; Linux configured as a NAT or as a plain router,
# or secnat or testpmd on the device's ends of the veths through AF_XDP (generic mode on veth: no kernel stack, one
# copy). The generator reports how busy CPU 0 was in the max-rate trial, and how much of it softirq.
veth_case() {
  local dut=$1 mode=$2 flows=$3 round=$4 check=() i
  local vdevs=(net_af_xdp0,iface=d-lan net_af_xdp1,iface=d-aend)
  veth_up
  case $dut in
    linux) linux_nat_on ;;
    linux-route) linux_route_on ;;
    testpmd)
      ip netns exec "$veth_ns_dut" "$testpmd" --no-pci "${eal_extra[@]}" --lcores "$(dut_lcores 1)" --file-prefix "secnat-bench-dut-$$" \
        --log-level=lib.eal:error "${huge[@]}" --vdev "${vdevs[0]}" --vdev "${vdevs[1]}" -m 512 -- \
        --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --total-num-mbufs=32768 --stats-period 3600 \
        >"$run/dut.log" 2>&1 &
      dut_pid=$!
      pids+=("$dut_pid")
      sleep 2
      ;;
    secnat)
      secnat_start "$veth_ns_dut" bench/bench-veth.conf "$flows" "${vdevs[@]}"
      for i in $(seq 100); do
        "$builddir/control/secnatctl" -s "$run/secnat.sock" show workers >/dev/null 2>&1 && break
        sleep 0.1
      done
      ;;
  esac
  case $dut in linux | secnat) check=(--check --expect-src 203.0.113.1) ;; esac
  rm -f "$run/gen.json"
  gen_start "$veth_ns_gen" "$run/gen.json" "net_af_xdp0,iface=g-lan net_af_xdp1,iface=g-aend" \
    --mode "$mode" --flows "$flows" --vlan 0 --dut-macs "$(veth_dut_macs)" --watch-cpu 0 \
    --trial "${gen_args[1]}" --steps 0 "${check[@]}"
  gen_result "veth $dut $mode $flows"
  [ "$dut" = secnat ] && add_secnat_cycles
  dut_stop
  record veth "$dut" "$round"
  veth_down
}

: >"$out/results.json"
echo "memory: $memory pages; results in $out"
log_sinks_start
workers=1 steer=hash
memif_runs=0
for round in $(seq "$rounds"); do
  for workers in ${workers_list//,/ }; do
    if ! workers_runnable "$workers"; then
      [ "$round" = 1 ] && echo "skipped: $workers workers need $workers device CPUs and $workers generator CPUs" \
        "(have ${#dut_cpu_list[@]} and ${#gen_cpu_list[@]}; --share to run them sharing)"
      continue
    fi
    for c in ${memif_cases[@]+"${memif_cases[@]}"}; do
      # The devices take turns, first one then the other, so that drift in this shared machine's
      # speed shows in both.
      steer=hash
      # shellcheck disable=SC2086
      for dut in testpmd secnat; do memif_case "$dut" $c "$round"; memif_runs=$((memif_runs + 1)); done
      # shellcheck disable=SC2086
      case $c in
        new*) memif_case secnat-logged $c "$round"; memif_runs=$((memif_runs + 1)) ;;
        in2out*) ;;
        *) if [ "$workers" -gt 1 ]; then # replies steered to their owner, no handoff
             steer=owner
             memif_case secnat $c "$round"
             memif_runs=$((memif_runs + 1))
           fi ;;
      esac
    done
  done
  workers=1 steer=hash
  for c in ${veth_cases[@]+"${veth_cases[@]}"}; do
    # shellcheck disable=SC2086
    for dut in testpmd linux-route linux secnat; do veth_case "$dut" $c "$round"; done
  done
done
/usr/bin/python3 bench/report.py "$out" "$memory" $([ "$quick" = 1 ] || [ "$partial" = 1 ] || echo --write bench/RESULTS.md)
if [ "$quick" = 1 ]; then
  # The smoke test's assertions are about function, never speed: every case ran, every flow was
  # learned, every reply reached its host, translations were right, and something got through.
  /usr/bin/python3 - "$out/results.json" $((memif_runs + ${#veth_cases[@]} * 4)) <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
checks = [("every case produced a result", len(rows) == int(sys.argv[2]))]
for r in rows:
    name = f"{r['leg']} {r['dut']} {r['mode']} {r['flows']} x{r['workers']}" + (f" {r.get('steer', '')}" if r.get("lanes", 1) > 1 else "")
    if r["mode"] == "new":
        checks.append((f"{name}: new flows were translated", r["created"] > 0))
        if r["dut"] == "secnat-logged":
            checks.append((f"{name}: sessions were reported as NAT events", r["log_events"] > 0))
    else:
        checks.append((f"{name}: every flow learned", r["learned"] == r["flows"]))
        if r["mode"] != "in2out":
            checks.append((f"{name}: every flow's reply reached its host", r["answered"] == r["flows"]))
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

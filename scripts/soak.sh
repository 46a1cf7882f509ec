#!/usr/bin/env bash
# A long run of the lab under steady, varied load: new flows all the time (ICMP, UDP and TCP, each
# from new identifiers or ports, so sessions expire and their records and ports are reused), BGP
# route churn from a BIRD peer (1,000 routes announced and withdrawn every 20 s) and console queries
# every second. Every 10 s it samples the DPDK heap, secnat's resident memory, the mbufs in use,
# sessions and drops into soak.csv (and soak.png with gnuplot), and at the end fails if the heap,
# the mbufs in use or the resident memory grew after the warm-up (the first third, at least 40 s).
# Usage: scripts/soak.sh [MINUTES] (default 60). SOAK_OUT=DIR keeps the CSV and plot (default
# bench/out/soak). Needs root (network namespaces); builds if needed.
set -u
[ "$(id -u)" -eq 0 ] || { echo "soak.sh: needs root (network namespaces)"; exit 77; }
cd "$(dirname "$0")/.."
minutes=${1:-60}
out=${SOAK_OUT:-$PWD/bench/out/soak}
mkdir -p "$out"
if [ -z "${SECNAT:-}" ]; then
  bash scripts/deps.sh && { [ -f build/build.ninja ] || meson setup build; } && meson compile -C build >/dev/null || exit 1
fi
source tests/lab/topology.sh
source tests/lab/checks.sh
trap lab_down EXIT
py=/usr/bin/python3

lab_up
$py - "$LAB_DIR/bulk-routes.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(f"  route 20.{i >> 8}.{i & 255}.0/24 blackhole;\n")
PY
{ cat config/lab.conf
  echo "nat timeout udp 120"
  echo "bgp as 64512 router-id 203.0.113.1"
  echo "bgp neighbor 203.0.113.0 remote-as 14340 password s3cret"
} >"$LAB_DIR/soak.conf"
lab_bird_peer sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret
lab_bg sf $py tests/lab/echo_server.py udp 198.51.100.10 5353 /dev/null
lab_bg sf $py tests/lab/echo_server.py tcp 198.51.100.10 8443 /dev/null
lab_secnat "$LAB_DIR/soak.conf" || exit 1
lab_ns lan ping -c 2 -W 1 -I 10.11.0.5 198.51.100.10 >/dev/null
lab_ns lan ping -c 2 -W 1 -I 10.11.0.6 198.51.100.10 >/dev/null

seconds=$((minutes * 60))
# The load, bounded by the run's length: about 40 new flows a second.
cat >"$LAB_DIR/load.py" <<'PY'
import itertools, socket, subprocess, time
for n in itertools.count():
    host = ("10.11.0.5", "10.11.0.6")[n % 2]
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((host, 0)); u.settimeout(0.5)
        u.sendto(b"soak %d" % n, ("198.51.100.10", 5353)); u.recv(64); u.close()
        if n % 4 == 0:
            t = socket.create_connection(("198.51.100.10", 8443), timeout=1, source_address=(host, 0))
            t.sendall(b"soak"); t.recv(16); t.close()
        if n % 8 == 0:  # a new ICMP identifier each time: a new session
            subprocess.run(["ping", "-c", "1", "-W", "1", "-I", host, "198.51.100.10"], capture_output=True)
    except OSError:
        pass
    time.sleep(0.02)
PY
lab_bg lan timeout $((seconds + 5)) $py "$LAB_DIR/load.py"
(
  end=$((SECONDS + seconds))
  while [ $SECONDS -lt $end ]; do
    peer_birdc sf enable bulk >/dev/null; sleep 10
    peer_birdc sf disable bulk >/dev/null; sleep 10
  done
) &
lab_pids+=("$!")
(
  end=$((SECONDS + seconds))
  while [ $SECONDS -lt $end ]; do
    ctl show nat sessions limit 50 >/dev/null; ctl show route >/dev/null; ctl show bgp neighbors >/dev/null
    sleep 1
  done
) &
lab_pids+=("$!")

csv="$out/soak.csv"
echo "seconds,heap_bytes,rss_kib,mbufs_in_use,sessions,drops,bgp_routes" >"$csv"
start=$SECONDS
while [ $((SECONDS - start)) -lt "$seconds" ]; do
  sleep 10
  heap=$(json show memory -- "d['heap_allocated']")
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$lab_secnat_pid/status")
  stats=$(json show nat stats -- "','.join(str(v) for v in (d['mbufs_in_use'], d['sessions'], sum(d['drops'].values())))")
  routes=$(json show bgp routes limit 1 -- "d['in_fib']")
  echo "$((SECONDS - start)),$heap,$rss,$stats,$routes" | tee -a "$csv"
done

if command -v gnuplot >/dev/null; then
  gnuplot <<EOG
set terminal pngcairo size 900,700
set output '$out/soak.png'
set datafile separator ','
set multiplot layout 3,1 title 'secnat soak: $minutes min'
set key top left
plot '$csv' using 1:(\$2/1048576) with lines title 'DPDK heap (MiB)', '' using 1:(\$3/1024) with lines title 'RSS (MiB)'
plot '$csv' using 1:4 with lines title 'mbufs in use', '' using 1:5 with lines title 'sessions'
plot '$csv' using 1:7 with lines title 'BGP routes in the FIB', '' using 1:6 with lines title 'drops (total)'
unset multiplot
EOG
fi

# Growth after the warm-up: the largest value after it against the largest during it, for the heap
# and the mbufs (which must not grow at all beyond noise), and the RSS's slope (page-ins of memory
# allocated at start may still come; a leak shows as a steady rise).
$py - "$csv" <<'PY'
import csv, sys
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
total = rows[-1]["seconds"] if rows else 0
warm = max(40, total / 3)
before = [r for r in rows if r["seconds"] <= warm]
after = [r for r in rows if r["seconds"] > warm]
if not before or len(after) < 2:
    print("soak: too short to judge"); sys.exit(1)
failed = []
for key, slack in (("heap_bytes", 1 << 20), ("mbufs_in_use", 512)):
    grew = max(r[key] for r in after) - max(r[key] for r in before)
    print(f"soak: {key}: largest {max(r[key] for r in before):.0f} in the warm-up, {max(r[key] for r in after):.0f} after")
    if grew > slack:
        failed.append(key)
xs = [r["seconds"] / 60 for r in after]; ys = [r["rss_kib"] for r in after]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
print(f"soak: RSS slope after the warm-up {slope:.0f} KiB/min; sessions {rows[-1]['sessions']:.0f}, drops {rows[-1]['drops']:.0f}")
if slope > 256:
    failed.append("rss_kib")
print("soak: " + ("grew: " + ", ".join(failed) if failed else "no growth past the warm-up"))
sys.exit(1 if failed else 0)
PY
status=$?
check "the soak shows no growth past the warm-up (heap, mbufs, RSS)" test $status = 0
check "the BGP session stayed up throughout" test "$(json show bgp neighbors -- "d['neighbors'][0]['state']")" = Established
check "traffic still flows at the end" lab_ns lan ping -c 2 -W 1 -q 198.51.100.10
report

#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turns bench/run.sh's results.json (one JSON object per case) into tables and plots.

usage: report.py DIR MEMORY [--write RESULTS.md]
Always prints the tables; with --write also writes the Markdown file and, if gnuplot is there
(Debian's gnuplot-nox), DIR/mpps.png, ratio.png and cycles.png (memif, against sessions).
"""
import json
import os
import platform
import shutil
import subprocess
import sys


def machine(memory):
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_gib = int(open("/proc/meminfo").readline().split()[1]) / 1048576
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dpdk-version")
    if os.path.exists(bundled):  # a bundle (bench/bundle.sh) on a machine without DPDK
        dpdk = open(bundled).read().strip()
    else:
        dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem_gib:.0f} GiB, Linux {platform.release()}, DPDK {dpdk}, "
            f"{'2 MiB hugepages' if memory == 'huge' else '4 KiB pages (--no-huge)'}")


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def by_round(rows, leg, dut, mode, flows, workers=1, steer="hash"):
    return {r["round"]: r for r in rows
            if r["leg"] == leg and r["dut"] == dut and r["mode"] == mode and r["flows"] == flows and
            r.get("workers", 1) == workers and r.get("steer", "hash") == steer}


def bound(r):
    """A result the generator limited (the device reached 95% of what it could offer): it measures the
    generator, so no ratio is taken from it."""
    return r.get("generator_bound", False)


def ratio_unbound(a, b, key):
    """a[key] / b[key], unless either was generator-bound."""
    return None if bound(a) or bound(b) else ratio(a[key], b[key])


def mfr_cell(x):
    """Median rate over the rounds, marked † when any round was generator-bound."""
    mark = "†" if any(bound(r) for r in x.values()) else ""
    return fmt(median(r["mfr_mpps"] for r in x.values())) + mark


def memif_table(rows, plot):
    lines = [
        "| direction | sessions | max. forwarding rate, testpmd io / secnat (Mpps) | generator's ceiling "
        "facing each (Mpps) | secnat / testpmd | "
        "no-drop rate < 0.1%, testpmd io / secnat (Mpps) | secnat / testpmd | "
        "secnat worker cycles/packet | secnat latency p50 / p99 (µs) | translations checked bad |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = sorted({(r["mode"], r["flows"]) for r in rows if r["leg"] == "memif" and r["mode"] != "new"})
    for mode, flows in cases:
        sec = by_round(rows, "memif", "secnat", mode, flows)
        base = by_round(rows, "memif", "testpmd", mode, flows)
        rounds = sorted(set(sec) & set(base))
        mfr = [median(x[k]["mfr_mpps"] for k in x) for x in (base, sec)]
        ndr = [median(x[k]["ndr_mpps"] for k in x) for x in (base, sec)]
        ceiling = [median(x[k].get("gen_ceiling_mpps") for k in x) for x in (base, sec)]
        # Ratios within a round (the devices ran minutes apart at most), then their median; none
        # from a round where either device was generator-bound.
        mfr_ratio = median(ratio_unbound(sec[k], base[k], "mfr_mpps") for k in rounds)
        ndr_ratio = median(ratio(sec[k]["ndr_mpps"], base[k]["ndr_mpps"]) for k in rounds)
        cycles = median(sec[k].get("dut_cycles_per_packet") for k in sec)
        p50 = median(sec[k]["latency_us"]["p50"] for k in sec)
        p99 = median(sec[k]["latency_us"]["p99"] for k in sec)
        bad = sum(sec[k]["checked_bad"] for k in sec)
        lines.append(f"| {mode} | {flows:,} | {mfr_cell(base)} / {mfr_cell(sec)} | "
                     f"{fmt(ceiling[0])} / {fmt(ceiling[1])} | {fmt(mfr_ratio)} | "
                     f"{fmt(ndr[0])} / {fmt(ndr[1])} | {fmt(ndr_ratio)} | {fmt(cycles, '.0f')} | "
                     f"{fmt(p50, '.1f')} / {fmt(p99, '.1f')} | {bad} |")
        plot.setdefault(mode, []).append((flows, mfr[1], mfr[0], mfr_ratio, cycles))
    return lines


def scaling_table(rows):
    """Several workers: per case and worker count, the rate, per worker, and the scaling efficiency
    (the rate over worker count times the one-worker rate of the same case)."""
    counts = sorted({r.get("workers", 1) for r in rows if r["leg"] == "memif"})
    if counts == [1]:
        return []
    lines = ["", "| direction | sessions | device, replies | workers | max. forwarding rate (Mpps) | "
             "per worker (Mpps, each worker's queue) | scaling efficiency | generator's ceiling (Mpps) |",
             "|---|---|---|---|---|---|---|---|"]
    cases = sorted({(r["mode"], r["flows"]) for r in rows if r["leg"] == "memif" and r["mode"] != "new"})
    for mode, flows in cases:
        for dut, steer, label in (("testpmd", "hash", "testpmd io"), ("secnat", "hash", "secnat, handoff"),
                                  ("secnat", "owner", "secnat, steered to owner")):
            one = by_round(rows, "memif", dut, mode, flows, 1, "hash")
            base = median(r["mfr_mpps"] for r in one.values())
            for w in counts:
                mine = by_round(rows, "memif", dut, mode, flows, w, steer)
                if not mine or (w == 1 and steer == "owner"):
                    continue
                lanes = [median(r["mfr_by_lane_mpps"][i] for r in mine.values() if "mfr_by_lane_mpps" in r)
                         for i in range(w)]
                eff = None if any(bound(r) for r in mine.values()) else \
                    ratio(median(r["mfr_mpps"] for r in mine.values()), base and base * w)
                lines.append(f"| {mode} | {flows:,} | {label} | {w} | {mfr_cell(mine)} | "
                             f"{' / '.join(fmt(x) for x in lanes)} | {fmt(eff)} | "
                             f"{fmt(median(r['gen_ceiling_mpps'] for r in mine.values()))} |")
    return lines


def new_table(rows):
    new = [r for r in rows if r["mode"] == "new" and r.get("workers", 1) == 1]
    if not new:
        return []
    lines = ["", "| new connections | flows | rounds | offered (M/s) | created (M/s) by quarter of the fill | "
             "translated / sent (last round) | worker cycles/packet |", "|---|---|---|---|---|---|---|"]
    for dut in ("testpmd", "secnat", "secnat-logged"):
        mine = sorted((r for r in new if r["dut"] == dut), key=lambda r: r["round"])
        if not mine:
            continue
        quarters = " / ".join(fmt(median(r["mcps_by_quarter"][q] for r in mine), ".3f") for q in range(4))
        last = mine[-1]
        lines.append(f"| {dut} | {last['flows']:,} | {len(mine)} | {fmt(median(r['offered_mcps'] for r in mine), '.3f')} "
                     f"| {quarters} | {last['created']:,} / {last['sent']:,} | "
                     f"{fmt(median(r.get('dut_cycles_per_packet') for r in mine), '.0f')} |")
    lines += logging_cost(new)
    return lines


def logging_cost(new):
    """secnat with every session exported (IPFIX and syslog) against secnat without, round by round."""
    def rate(r):
        return sum(r["mcps_by_quarter"]) / len(r["mcps_by_quarter"])
    plain = {r["round"]: r for r in new if r["dut"] == "secnat"}
    logged = {r["round"]: r for r in new if r["dut"] == "secnat-logged"}
    rounds = sorted(set(plain) & set(logged))
    if not rounds:
        return []
    ratios = [ratio(rate(logged[k]), rate(plain[k])) for k in rounds]
    events = sum(logged[k].get("log_events", 0) for k in rounds)
    lost = sum(logged[k].get("log_dropped", 0) for k in rounds)
    to = logged[rounds[0]].get("log_to", "ipfix")
    return ["", f"NAT event logging on (secnat-logged, exported by {to}): "
                f"{fmt(median(ratios), '.3f')} of the rate without (rounds: "
                f"{', '.join(fmt(x, '.3f') for x in ratios)}); {events:,} events reported, {lost:,} lost to "
                f"full event rings."]


VETH_DUTS = ("testpmd", "linux-route", "linux", "secnat")


def veth_table(rows):
    cases = sorted({(r["mode"], r["flows"]) for r in rows if r["leg"] == "veth"})
    if not cases:
        return []
    lines = ["", "| direction | sessions | " + " | ".join(
        f"{d}: Mpps, CPU 0 busy (softirq)" for d in VETH_DUTS) +
        " | Mpps per busy core, Linux NAT / secnat | secnat / Linux NAT, per core |",
        "|---|---|" + "---|" * (len(VETH_DUTS) + 2)]
    for mode, flows in cases:
        cells, per_core = [], {}
        for dut in VETH_DUTS:
            mine = by_round(rows, "veth", dut, mode, flows)
            mfr = median(r["mfr_mpps"] for r in mine.values())
            busy = median(r["dut_cpu_busy"] for r in mine.values())
            soft = median(r["dut_cpu_softirq"] for r in mine.values())
            per_core[dut] = {k: ratio(r["mfr_mpps"], r["dut_cpu_busy"]) for k, r in mine.items()}
            cells.append(f"{fmt(mfr)}, {fmt(busy and busy * 100, '.0f')}% ({fmt(soft and soft * 100, '.0f')}%)")
        rounds = sorted(set(per_core["linux"]) & set(per_core["secnat"]))
        lin = median(per_core["linux"].values())
        sec = median(per_core["secnat"].values())
        both = median(ratio(per_core["secnat"][k], per_core["linux"][k]) for k in rounds)
        lines.append(f"| {mode} | {flows:,} | " + " | ".join(cells) +
                     f" | {fmt(lin)} / {fmt(sec)} | {fmt(both)} |")
    return lines


def main():
    out, memory = sys.argv[1], sys.argv[2]
    write = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--write" else None
    rows = [json.loads(line) for line in open(os.path.join(out, "results.json")) if line.strip()]
    plot = {}
    memif = memif_table(rows, plot) if any(r["leg"] == "memif" for r in rows) else []
    new = new_table(rows)
    scaling = scaling_table(rows)
    veth = veth_table(rows)
    table = "\n".join(memif + new + scaling + veth)
    print(table)
    if not write:
        return
    rounds = max(r["round"] for r in rows)
    plots = draw(plot, out)
    with open(write, "w") as f:
        f.write("# Benchmark results\n\n")
        f.write("Written by `bench/run.sh` (see README, \"Performance\"); do not edit by hand.\n\n")
        f.write(f"Machine: {machine(memory)}.\n\n")
        f.write(f"Every case ran {rounds} times, the devices taking turns; each number is the median over "
                "the rounds, each ratio the median of the ratios within a round (this machine is shared "
                "and its speed drifts from minute to minute).\n\n")
        f.write("## memif: secnat against testpmd io, the I/O ceiling\n\n")
        f.write("64-byte frames (68 with the VLAN tag on the A-end), UDP, one generator core (bench/gen) and "
                "one device-under-test core, memif between them. Maximum forwarding rate: what comes back "
                "while the generator offers all it can. No-drop rate: the highest offered rate with < 0.1% "
                "loss (RFC 2544 bisection), a refused frame counting as lost; on this shared machine "
                "millisecond stalls make it noisy for both devices. Latency at half the no-drop rate, "
                "generator to generator. secnat meters the VXC at its 5 Gbit/s (bench/bench.conf): 64 bytes "
                "a tagged frame as the meter counts it (no FCS), so in2out cannot pass 9.77 Mpps.\n\n")
        f.write("\n".join(memif + new) + "\n")
        f.write("\n† generator-bound: the device reached 95% of what the generator could offer it in that "
                "case, so the number is the generator's; no ratio is taken from such a round.\n")
        if not scaling and memif:
            f.write("\n## Several workers\n\nNot in this run: it had one worker only (bench/run.sh skips a "
                    "worker count its --dut-cpus and --gen-cpus cannot give a CPU each; this machine has "
                    f"{os.cpu_count()}). On a machine with the cores: bench/run.sh --workers 1,2,4,8 "
                    "--dut-cpus 0-8 --gen-cpus 9-15 (README, \"Several workers\").\n")
        if scaling:
            f.write("\n## Several workers\n\nEach worker its own queue pair, the generator as many lanes. "
                    "memif has no RSS: the generator sends each flow's frames on the queue of the worker "
                    "that created its session; replies either hashed over the queues (the device hands "
                    "each to the worker owning its port) or steered to that worker, as a NIC with rte_flow "
                    "rules or RSS prediction would. Per worker: what came back on each worker's queue.\n")
            f.write("\n".join(scaling) + "\n")
        for name, title in plots:
            f.write(f"\n![{title}](results/{name})\n")
        if veth:
            f.write("\n## veth: secnat against Linux's own NAT\n\n")
            f.write("The same generator through AF_XDP on two veth pairs, 64-byte frames, UDP, untagged A-end. "
                    "The device: Linux as a NAT (nftables masquerade, connection tracking), Linux as a plain "
                    "router (the kernel's cost of this path without NAT), testpmd io and secnat through "
                    "AF_XDP (generic mode: veth has no zero-copy). All of the device's work, the kernel's "
                    "softirq included, runs on CPU 0; the generator reports CPU 0's busy share during the "
                    "maximum-rate trial. secnat and testpmd poll, so they always show 100%.\n")
            f.write("\n".join(veth) + "\n")


# The memif plots: file, title, y axis, and per direction the .dat columns drawn (column, label,
# dashed). Columns: 1 sessions, 2 secnat Mpps, 3 testpmd Mpps, 4 secnat/testpmd, 5 cycles/packet.
PLOTS = (
    ("mpps.png", "Mpps against sessions", "Mpps (maximum forwarding rate)",
     ((2, "secnat", False), (3, "testpmd io", True))),
    ("ratio.png", "secnat / testpmd io against sessions", "secnat / testpmd io (maximum forwarding rate)",
     ((4, "secnat / testpmd", False),)),
    ("cycles.png", "secnat's worker cycles per packet against sessions", "worker cycles per packet",
     ((5, "secnat", False),)),
)


def draw(plot, out):
    """Writes the plots (gnuplot, when installed); returns [(file, title)] of those written."""
    if not plot or shutil.which("gnuplot") is None:
        return []
    for mode, points in plot.items():
        with open(os.path.join(out, f"{mode}.dat"), "w") as f:
            for point in sorted(points):
                f.write(" ".join("NaN" if v is None else str(v) for v in point) + "\n")
    drawn = []
    for name, title, ylabel, columns in PLOTS:
        script = ["set terminal pngcairo size 900,540", f"set output '{os.path.join(out, name)}'",
                  "set logscale x", "set xlabel 'sessions'", f'set ylabel "{ylabel}"', f'set title "{title}"',
                  "set key outside right", "set grid", "set yrange [0:*]", "set datafile missing 'NaN'"]
        series = [f"'{os.path.join(out, mode + '.dat')}' using 1:{col} with "
                  f"{'lines dashtype 2' if dashed else 'linespoints'} title '{label} {mode}'"
                  for mode in sorted(plot) for col, label, dashed in columns]
        script.append("plot " + ", ".join(series))
        subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)
        drawn.append((name, title))
    return drawn


main()

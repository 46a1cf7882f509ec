#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turns bench/run.sh's results.json (one JSON object per case) into a table and a plot.

usage: report.py DIR MEMORY [--write RESULTS.md]
Always prints the table; with --write also writes the Markdown file, and DIR/mpps.png if gnuplot
is there (Debian's gnuplot-nox).
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
    dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem_gib:.0f} GiB, Linux {platform.release()}, DPDK {dpdk}, "
            f"{'2 MiB hugepages' if memory == 'huge' else '4 KiB pages (--no-huge)'}")


def main():
    out, memory = sys.argv[1], sys.argv[2]
    write = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--write" else None
    rows = [json.loads(line) for line in open(os.path.join(out, "results.json")) if line.strip()]
    by = {(r["dut"], r["mode"], r["flows"]): r for r in rows}
    lines = [
        "| direction | sessions | max. forwarding rate, testpmd io / secnat (Mpps) | secnat / testpmd | "
        "no-drop rate < 0.1%, testpmd io / secnat (Mpps) | secnat / testpmd | "
        "secnat worker cycles/packet | secnat latency p50 / p99 (µs) | translations checked bad |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    plot = {}

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "–"

    for (dut, mode, flows), r in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        if dut != "secnat" or mode == "new":
            continue
        base = by.get(("testpmd", mode, flows), {"mfr_mpps": 0, "ndr_mpps": 0})
        lines.append(
            f"| {mode} | {flows:,} | {base['mfr_mpps']:.2f} / {r['mfr_mpps']:.2f} | "
            f"{ratio(r['mfr_mpps'], base['mfr_mpps'])} | {base['ndr_mpps']:.2f} / {r['ndr_mpps']:.2f} | "
            f"{ratio(r['ndr_mpps'], base['ndr_mpps'])} | {r.get('dut_cycles_per_packet', '–')} | "
            f"{r['latency_us']['p50']} / {r['latency_us']['p99']} | "
            f"{r['checked_bad']} |")
        plot.setdefault(mode, []).append((flows, r["mfr_mpps"], base["mfr_mpps"]))
    new = [r for r in rows if r["mode"] == "new"]
    if new:
        lines += ["", "| new connections | flows | offered (M/s) | created (M/s) by quarter of the fill | "
                  "translated / sent | worker cycles/packet |", "|---|---|---|---|---|---|"]
        for r in new:
            quarters = " / ".join(f"{q:.3f}" for q in r["mcps_by_quarter"])
            lines.append(f"| {r['dut']} | {r['flows']:,} | {r['offered_mcps']:.3f} | {quarters} | "
                         f"{r['created']:,} / {r['sent']:,} | {r.get('dut_cycles_per_packet', '–')} |")
    table = "\n".join(lines)
    print(table)
    if not write:
        return
    png = os.path.join(out, "mpps.png")
    have_plot = draw(plot, out, png)
    with open(write, "w") as f:
        f.write("# Benchmark results\n\n")
        f.write("Written by `bench/run.sh` (see README, \"Performance\"); do not edit by hand.\n\n")
        f.write(f"Machine: {machine(memory)}.\n\n")
        f.write("64-byte frames (68 with the VLAN tag on the A-end), UDP, one generator core (bench/gen) and "
                "one device-under-test core, memif between them. Maximum forwarding rate: what comes back "
                "while the generator offers all it can. No-drop rate: the highest offered rate with < 0.1% "
                "loss (RFC 2544 bisection), a refused frame counting as lost; on this shared machine "
                "millisecond stalls make it noisy for both devices. Latency at half the no-drop rate, "
                "generator to generator.\n\n")
        f.write(table + "\n")
        if have_plot:
            f.write("\n![Mpps against sessions](results/mpps.png)\n")


def draw(plot, out, png):
    if not plot or shutil.which("gnuplot") is None:
        return False
    script = ["set terminal pngcairo size 900,540", f"set output '{png}'", "set logscale x",
              "set xlabel 'sessions'", "set ylabel 'Mpps (maximum forwarding rate)'", "set key outside right",
              "set grid", "set yrange [0:*]"]
    series = []
    for mode, points in sorted(plot.items()):
        data = os.path.join(out, f"{mode}.dat")
        with open(data, "w") as f:
            for flows, secnat, testpmd in sorted(points):
                f.write(f"{flows} {secnat} {testpmd}\n")
        series.append(f"'{data}' using 1:2 with linespoints title 'secnat {mode}'")
        series.append(f"'{data}' using 1:3 with lines dashtype 2 title 'testpmd io {mode}'")
    script.append("plot " + ", ".join(series))
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)
    return True


main()

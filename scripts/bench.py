#!/usr/bin/env python3
"""Benchmark mapdrive.exe under Wine (not a test: it measures and prints, it asserts nothing).

For each command: median and min wall time over N runs and peak RSS (ru_maxrss of the process,
which Wine turns into the Windows process), beside Wine's own `net use` and a no-op Wine process
(`cmd /c exit`) measured in the same prefix, same run, and beside a minimal C program doing the
enumeration `list --json` does (scripts/listdrives.c): `list --json` should stay within 1.3x of it
in peak memory and wall time. Prints a Markdown table and the two ratios.
Usage: scripts/bench.sh [N]   (builds, prepares the prefix, then runs this)
"""
import os
import statistics
import subprocess
import sys
import time

exe, prefix = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
baseline = sys.argv[4] if len(sys.argv) > 4 else None
env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")


def one(args):
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        p = subprocess.Popen(["wine", *args], env=env, stdin=subprocess.DEVNULL, stdout=null, stderr=null)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def measure(label, args):
    one(args)  # warm the page cache
    samples = [one(args) for _ in range(runs)]
    walls = [s[0] * 1000 for s in samples]
    rss = max(s[1] for s in samples)
    codes = {s[2] for s in samples}
    return label, statistics.median(walls), min(walls), rss, codes


# The idempotent map needs the drive mapped once first.
subprocess.run(["wine", exe, "map", "M:", r"\\fileserver\public"], env=env, stdin=subprocess.DEVNULL,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
rows = [
    measure("no-op Wine process (`cmd /c exit`)", ["cmd", "/c", "exit"]),
    measure("Wine's `net use`", ["net", "use"]),
]
if baseline:
    rows.append(measure("C baseline: `listdrives.exe` (same enumeration as `list`)", [baseline]))
rows += [
    measure("`mapdrive --version`", [exe, "--version"]),
    measure("`mapdrive list --json`", [exe, "list", "--json"]),
    measure("`mapdrive map M: \\\\fileserver\\public` (no-op)", [exe, "map", "M:", r"\\fileserver\public"]),
    measure("`mapdrive doctor --json`", [exe, "doctor", "--json"]),
]
base = rows[0][1]
print(f"{runs} runs each, persistent wineserver, Wine {subprocess.run(['wine', '--version'], capture_output=True, text=True).stdout.strip()}")
print(f"mapdrive.exe size: {os.path.getsize(exe) / 1024:.0f} KiB")
print()
print("| command | median wall | min wall | × no-op Wine | peak RSS | exit |")
print("|---|---:|---:|---:|---:|---|")
for label, med, mn, rss, codes in rows:
    print(f"| {label} | {med:.1f} ms | {mn:.1f} ms | {med / base:.2f} | {rss:.1f} MiB | {','.join(map(str, sorted(codes)))} |")

if baseline:
    c = next(r for r in rows if r[0].startswith("C baseline"))
    m = next(r for r in rows if r[0] == "`mapdrive list --json`")
    print()
    print(f"`list --json` vs the C baseline: peak memory {m[3] / c[3]:.2f}x "
          f"({m[3]:.1f} vs {c[3]:.1f} MiB), median wall {m[1] / c[1]:.2f}x, min wall {m[2] / c[2]:.2f}x "
          f"(target: within 1.3x)")

#!/usr/bin/env python3
"""Benchmark mapdrive.exe under Wine (not a test: it measures and prints, it asserts nothing).

For each command: median and min wall time over N runs and peak RSS (ru_maxrss of the process,
which Wine turns into the Windows process), beside Wine's own `net use` and a no-op Wine process
(`cmd /c exit`) measured in the same prefix, same run, and beside a minimal C program doing the
enumeration `list --json` does (scripts/listdrives.c): `list --json` should stay within 1.3x of it
in peak memory and wall time, and `--version` within 2 MiB of the no-op Wine process's peak memory.
Prints a Markdown table, the two ratios and the `--version` memory over the no-op process.
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


def bench_document():
    """26 drive items (every free lettered drive, the rest first-available) and 50 credentials."""
    import json
    # Output to a file, never a pipe: a wineserver started here would hold the pipe open.
    listing = os.path.join(prefix, "drive_c", "bench-list.json")
    with open(listing, "wb") as f:
        subprocess.run(["wine", exe, "list", "--json"], env=env, stdin=subprocess.DEVNULL, stdout=f,
                       stderr=subprocess.DEVNULL, check=True)
    with open(listing) as f:
        out = f.read()
    taken = {d["letter"][0] for d in json.loads(out)["drives"] if d["letter"] != "M:"}
    letters = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in taken][:26]
    lines = ["$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json", "resources:"]
    for c in letters:
        lines += [f"  - name: Drive {c}", "    type: Mapdrive/MappedDrive",
                  f"    properties: {{letter: {c}, path: '\\\\fileserver\\public'}}"]
    for i in range(26 - len(letters)):
        lines += [f"  - name: First available {i}", "    type: Mapdrive/MappedDrive",
                  "    properties: {letter: '*', startLetter: A, path: '\\\\fileserver\\public'}"]
    for i in range(50):
        lines += [f"  - name: Credential {i}", "    type: Mapdrive/Credential",
                  f"    properties: {{name: server{i}, type: domain_password, username: 'CORP\\alice', comment: bench}}"]
    global BENCH_LETTERS
    BENCH_LETTERS = letters
    with open(os.path.join(prefix, "drive_c", "bench.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # The first apply makes every change; the measured runs find everything in place.
    subprocess.run(["wine", exe, "apply", r"C:\bench.yaml"], env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return len(letters)


def bench_drives_xml(letters):
    """A Group Policy Drives.xml of 26 items with 50 item-level targeting filters, all true here."""
    items = []
    for i in range(26):
        letter = letters[i] if i < len(letters) else "A"
        use_letter = "1" if i < len(letters) else "0"
        filters = [f'<FilterComputer bool="AND" not="1" type="NETBIOS" name="KIOSK{i:02}"/>']
        if i < 24:
            filters.append(f'<FilterRegistry bool="AND" not="1" type="KEYEXISTS" hive="HKEY_LOCAL_MACHINE" '
                           f'key="SOFTWARE\\Corp\\NoDrive{i:02}" valueName="" valueType="" value="" subKeys="0" gte="0"/>')
        items.append(
            f'  <Drive clsid="{{935D1B74-9CB8-4e3c-9914-7DD559B7A417}}" name="{letter}:" status="{letter}:" image="2" '
            f'changed="2026-12-01 10:00:00" uid="{{00000000-0000-0000-0000-0000000000{i:02}}}">\n'
            f'    <Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" '
            f'path="\\\\fileserver\\public" label="" persistent="1" useLetter="{use_letter}" letter="{letter}"/>\n'
            f'    <Filters>{"".join(filters)}</Filters>\n  </Drive>')
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">\n'
           + "\n".join(items) + "\n</Drives>\n")
    with open(os.path.join(prefix, "drive_c", "Drives.xml"), "w") as f:
        f.write(xml)
    subprocess.run(["wine", exe, "apply", r"C:\Drives.xml"], env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


lettered = bench_document()
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
    measure(f"`mapdrive apply` 26 drives ({lettered} lettered) + 50 credentials (no-op)", [exe, "apply", r"C:\bench.yaml"]),
    measure("`mapdrive export`", [exe, "export"]),
]
# After the document bench: the Drives.xml maps the same letters to the same share.
bench_drives_xml(BENCH_LETTERS)
rows.append(measure("`mapdrive apply Drives.xml` 26 items, 50 targeting filters (no-op)",
                    [exe, "apply", r"C:\Drives.xml"]))
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

version = next(r for r in rows if r[0] == "`mapdrive --version`")
print()
print(f"`--version` peak memory over a no-op Wine process: {version[3] - rows[0][3]:+.1f} MiB "
      f"({version[3]:.1f} vs {rows[0][3]:.1f} MiB; target: at most 2 MiB)")

list_json = next(r for r in rows if r[0] == "`mapdrive list --json`")
apply_doc = next(r for r in rows if r[0].startswith("`mapdrive apply`"))
print()
print(f"apply (26 drives + 50 credentials) / list --json, median wall: {apply_doc[1] / list_json[1]:.2f}x (target: within 1.5x)")
apply_xml = next(r for r in rows if r[0].startswith("`mapdrive apply Drives.xml`"))
print(f"apply Drives.xml (26 items, 50 filters) / list --json, median wall: {apply_xml[1] / list_json[1]:.2f}x "
      f"(target: within 1.5x)")

#!/usr/bin/env bash
# Benchmark mapdrive.exe under Wine; prints a Markdown table (docs/performance.md's figures come from it).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build and prepare what is missing, then run the rest in a private Wine prefix (removed afterwards).
[[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" == "${WINEPREFIX:-}" ]] || exec wine/with-prefix.sh --build scripts/bench.sh "$@"
# The baseline: a minimal C program doing list's enumeration (token, logon type, WNet, DOS devices,
# boot-time table, policy), built here from scripts/listdrives.c.
mkdir -p target/bench
x86_64-w64-mingw32-gcc -O2 -s -o target/bench/listdrives.exe scripts/listdrives.c -lmpr -ladvapi32 -lsecur32
python3 scripts/bench.py "$PWD/target/x86_64-pc-windows-gnu/release/mapdrive.exe" "$WINEPREFIX" "${1:-15}" \
    "$PWD/target/bench/listdrives.exe"

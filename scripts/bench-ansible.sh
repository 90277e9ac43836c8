#!/usr/bin/env bash
# Benchmark the Ansible modules under Wine (a benchmark, not a test: it prints, it asserts nothing).
#
# Usage: scripts/bench-ansible.sh [runs]        (default 3 timed runs per variant)
#
# An idempotent playbook of 20 win_mapped_drive + 20 win_credential tasks (every task unchanged)
# runs on localhost with real ansible-core (the venv of scripts/test-ansible.sh), persistent
# wineserver, the fake SMB provider, twice: with mapdrive.exe as the module (through the test
# wrapper, as in the tests), and with a module that only starts one no-op Wine process
# (`cmd /c exit`) and returns unchanged — the floor any Wine-hosted module pays. Prints the median
# wall time per task of each and the difference (what mapdrive adds per task), as Markdown.
# The venv comes from scripts/bootstrap.sh ansible, the prefix from wine/with-prefix.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${1:-3}"
win=x86_64-pc-windows-gnu
exe="$root/target/$win/release/mapdrive.exe"
venv="$root/target/ansible/venv"
# Install, build and prepare what is missing, then run the rest in a private Wine prefix.
if [[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" != "${WINEPREFIX:-}" ]]; then
    scripts/bootstrap.sh ansible
    exec wine/with-prefix.sh --build scripts/bench-ansible.sh "$@"
fi
export PATH="$venv/bin:$PATH"
tarball="$(ANSIBLE_GALAXY="$venv/bin/ansible-galaxy" MAPDRIVE_EXE="$exe" scripts/build-collection.sh 2>/dev/null)"

work="$(mktemp -d "$root/target/ansible/bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for variant in mapdrive noop; do
    ansible-galaxy collection install "$tarball" -p "$work/$variant" >/dev/null 2>&1
    modules="$work/$variant/ansible_collections/mapdrive/windows/plugins/modules"
    src="tests/ansible/wrapper.sh"
    [[ $variant == noop ]] && src="tests/ansible/noop_module.sh"
    for module in win_mapped_drive win_credential win_mapped_drive_info; do
        install -m 0755 "$src" "$modules/$module"
    done
done
export MAPDRIVE_ANSIBLE_EXE="$exe"
printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$venv/bin/python" >"$work/hosts"

{
    echo "- hosts: localhost"
    echo "  gather_facts: false"
    echo "  tasks:"
    for l in D E F G H I J K L M N O P Q R S T U V W; do
        printf '    - mapdrive.windows.win_mapped_drive: {letter: %s, path: "\\\\\\\\ansiblehost\\\\share1"}\n' "$l"
    done
    for i in $(seq 1 20); do
        printf '    - mapdrive.windows.win_credential: {name: "bench-%s", type: generic_password, username: "user%s", secret: "bench-secret-%s"}\n' "$i" "$i" "$i"
    done
} >"$work/bench.yml"

play() { # variant → seconds
    local start end
    start=$(date +%s.%N)
    ANSIBLE_COLLECTIONS_PATH="$work/$1" ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_REMOTE_TEMP="$work/tmp" \
        ansible-playbook -i "$work/hosts" "$work/bench.yml" >"$work/$1.log" 2>&1 ||
        { tail -20 "$work/$1.log" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

play mapdrive >/dev/null # first run creates the drives and credentials; later runs change nothing
grep -q 'changed=0' "$work/mapdrive.log" && { echo "bench: the first run should change things" >&2; exit 1; }
declare -A times
for _ in $(seq 1 "$runs"); do # interleaved, so load from elsewhere hits both alike
    for variant in mapdrive noop; do
        times[$variant]+="$(play "$variant") "
    done
done
grep -q 'changed=0' "$work/mapdrive.log" || { echo "bench: the timed playbook was not idempotent" >&2; exit 1; }
python3 - "${times[mapdrive]}" "${times[noop]}" "$runs" <<'PY'
import statistics, sys
ours = [float(x) for x in sys.argv[1].split()]
floor = [float(x) for x in sys.argv[2].split()]
runs = sys.argv[3]
tasks = 40
per = lambda xs, f: f(xs) / tasks * 1000
print(f"| 40-task idempotent playbook, {runs} runs | median wall per task | min wall per task |")
print("|---|---:|---:|")
print(f"| no-op Wine process as the module (floor) | {per(floor, statistics.median):.0f} ms | {per(floor, min):.0f} ms |")
print(f"| mapdrive.windows (20 win_mapped_drive + 20 win_credential) | {per(ours, statistics.median):.0f} ms | {per(ours, min):.0f} ms |")
print(f"| added by mapdrive per task | {per(ours, statistics.median) - per(floor, statistics.median):+.0f} ms | {per(ours, min) - per(floor, min):+.0f} ms |")
PY

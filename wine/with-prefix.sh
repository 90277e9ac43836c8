#!/usr/bin/env bash
# Usage: wine/with-prefix.sh [--build] CMD [ARGS...]
#
# Runs CMD in a private Wine prefix of its own: a fresh copy of the template (wine/new-prefix.sh)
# in a new temporary directory, with WINEPREFIX and MAPDRIVE_PRIVATE_PREFIX set to it and
# WINEDEBUG=-all unless WINEDEBUG is set. CMD's output is not touched. Afterwards, whether CMD
# succeeded, failed or was interrupted, the prefix's wineserver is stopped and the prefix removed
# (wine/new-prefix.sh --remove). Exits with CMD's status.
#
#   --build   first make the Wine test host ready: scripts/bootstrap.sh, the release mapdrive.exe
#             and fakesmb.dll (cargo build --release --locked --target x86_64-pc-windows-gnu),
#             wine/setup-prefix.sh. Without it the template must exist already.
#
# A script that runs inside a prefix runs itself again through this helper:
#   [[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" == "${WINEPREFIX:-}" ]] || exec wine/with-prefix.sh "$0" "$@"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixed-layout.sh"

usage() {
    echo "usage: wine/with-prefix.sh [--build] CMD [ARGS...]" >&2
    exit 2
}
build=0
if [[ "${1:-}" == --build ]]; then
    build=1
    shift
fi
[[ $# -ge 1 ]] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ $build == 1 ]]; then
    "$root/scripts/bootstrap.sh"
    echo "== building mapdrive.exe and the fake SMB provider" >&2
    (cd "$root" && cargo build --quiet --release --locked --target x86_64-pc-windows-gnu -p mapdrive -p fakesmb)
    "$root/wine/setup-prefix.sh" >/dev/null
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/mapdrive-prefix.XXXXXX")"
prefix="$dir/prefix"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    "$root/wine/new-prefix.sh" --remove "$prefix" || true
    rmdir "$dir" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$root/wine/new-prefix.sh" "$prefix"
export WINEPREFIX="$prefix" MAPDRIVE_PRIVATE_PREFIX="$prefix"
export WINEDEBUG="${WINEDEBUG--all}"

status=0
"$@" || status=$?
exit "$status"

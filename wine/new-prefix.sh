#!/usr/bin/env bash
# The life of one private Wine prefix; the one place that starts, stops and removes one (used by
# wine/with-prefix.sh and the Rust harness, crates/mapdrive/tests/wine/harness.rs).
#
# Usage: wine/new-prefix.sh DEST            copy the template to DEST, then start it (as --start)
#        wine/new-prefix.sh --start DEST    start DEST's persistent wineserver and Wine's services
#        wine/new-prefix.sh --stop DEST     stop DEST's wineserver and wait until it is gone
#        wine/new-prefix.sh --remove DEST   stop, then delete DEST and the server's socket directory
#
# The template is built by wine/setup-prefix.sh ($MAPDRIVE_WINE_TEMPLATE if set, else
# target/wine/template-prefix). DEST must not exist (an empty directory is accepted). The copy
# gets the fake network's one fixture, wine/fixture.json, as C:\fakesmb\fixture.json. Starting
# runs `wineserver -p` and `wine cmd /c exit` with their output on /dev/null: afterwards a caller
# may capture Wine programs' output through pipes, and DOS devices ("connected drives") persist
# between Wine processes. Stopping is also the "reboot": DOS devices and volatile registry keys
# vanish, the rest stays. Debian's Wine puts the server's socket directory in
# ${TMPDIR:-/tmp}/$(cat DEST/wineserver); --remove deletes that too.
set -euo pipefail

die() {
    echo "new-prefix: $*" >&2
    exit 1
}

usage="usage: wine/new-prefix.sh [--start | --stop | --remove] DEST"
mode=new
case "${1:-}" in
--start | --stop | --remove)
    mode="${1#--}"
    shift
    ;;
esac
[[ $# == 1 && -n "$1" && "$1" != -* ]] || die "$usage"
dest="$1"

start() {
    export WINEPREFIX
    WINEPREFIX="$(cd "$dest" && pwd)"
    export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    wineserver -p </dev/null >/dev/null 2>&1
    wine cmd /c exit </dev/null >/dev/null 2>&1 || die "wine failed to start in $WINEPREFIX"
}

stop() {
    WINEPREFIX="$dest" wineserver -k </dev/null >/dev/null 2>&1 || true
    WINEPREFIX="$dest" wineserver -w </dev/null >/dev/null 2>&1 || true
}

case "$mode" in
new)
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    template="${MAPDRIVE_WINE_TEMPLATE:-$root/target/wine/template-prefix}"
    [[ -f "$template/system.reg" ]] || die "no template prefix at $template: run wine/setup-prefix.sh"
    if [[ -d "$dest" ]] && [[ -z "$(ls -A "$dest")" ]]; then
        rmdir "$dest"
    fi
    [[ -e "$dest" ]] && die "$dest already exists"
    mkdir -p "$(dirname "$dest")"
    cp -a "$template" "$dest"
    # (Debian's Wine) a server socket base directory recorded by whoever ran the source prefix
    rm -f "$dest/wineserver"
    mkdir -p "$dest/drive_c/fakesmb"
    cp "$root/wine/fixture.json" "$dest/drive_c/fakesmb/fixture.json"
    start
    ;;
start)
    [[ -d "$dest" ]] || die "no prefix at $dest"
    start
    ;;
stop)
    stop
    ;;
remove)
    [[ -d "$dest" ]] || exit 0
    stop
    server_base=""
    [[ -f "$dest/wineserver" ]] && server_base="$(cat "$dest/wineserver")"
    rm -rf "$dest"
    if [[ "$server_base" =~ ^wine-[A-Za-z0-9]+$ ]]; then
        rm -rf "${TMPDIR:-/tmp}/$server_base"
    fi
    ;;
esac

#!/usr/bin/env bash
# Usage: wine/new-prefix.sh DEST
#
# Copies the template prefix (built by wine/setup-prefix.sh; $MAPDRIVE_WINE_TEMPLATE if set, else
# target/wine/template-prefix) to DEST, which must not exist (an empty directory is accepted),
# then starts a persistent wineserver for it and Wine's background services, all with their
# output on /dev/null. Afterwards a caller may capture Wine programs' output through pipes, and
# DOS devices ("connected drives") persist between Wine processes.
#
# The caller must stop the server when done:   WINEPREFIX=DEST wineserver -k
# (that is also the "reboot": DOS devices and volatile registry keys vanish, the rest stays).
# Debian's Wine puts the server's socket directory in ${TMPDIR:-/tmp}/$(cat DEST/wineserver);
# after `wineserver -k` + `wineserver -w` a caller that deletes DEST may delete that too.
set -euo pipefail

die() {
    echo "new-prefix: $*" >&2
    exit 1
}

[[ $# == 1 && -n "$1" && "$1" != -* ]] || die "usage: wine/new-prefix.sh DEST"
dest="$1"

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

export WINEPREFIX
WINEPREFIX="$(cd "$dest" && pwd)"
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineserver -p </dev/null >/dev/null 2>&1
wine cmd /c exit </dev/null >/dev/null 2>&1 || die "wine failed to start in $WINEPREFIX"

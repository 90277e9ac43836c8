#!/usr/bin/env bash
# Builds the Wine test host for mapdrive: fakesmb.dll (the fake SMB network provider), the
# bcryptprimitives.dll shim Wine 8.0 lacks, and a template Wine prefix with both installed and the
# provider registered. Tests copy the template with wine/new-prefix.sh (which adds the fixture,
# wine/fixture.json, to each copy).
#
# Usage: wine/setup-prefix.sh [--rebuild]
#   --rebuild   recreate the template even if its inputs did not change
#
# Outputs (under target/wine/):
#   fakesmb.dll, bcryptprimitives.dll   the built DLLs
#   template-prefix/                    the template prefix (WINEARCH=win64)
#   template-prefix.stamp               hashes of the inputs and the tool versions used; the
#                                       template is rebuilt only when this would change
#   setup.log                           Wine's output while creating the template
# Then `. wine/env.sh` exports MAPDRIVE_WINE_TEMPLATE and WINEDEBUG=-all.
#
# Idempotent: a second run with unchanged inputs only re-checks the build (about a second).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixed-layout.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

rebuild=0
for arg in "$@"; do
    case "$arg" in
    --rebuild) rebuild=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
done

die() {
    echo "setup-prefix: $*" >&2
    exit 1
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wine_src="$root/wine"
out="$root/target/wine"
template="$out/template-prefix"
tmp="$out/template-prefix.tmp"
stamp="$out/template-prefix.stamp"
log="$out/setup.log"
cargo_target="${CARGO_TARGET_DIR:-$root/target}"
case "$cargo_target" in
/*) ;;
*) cargo_target="$root/$cargo_target" ;;
esac

for tool in cargo rustc x86_64-w64-mingw32-gcc wine wineserver sha256sum; do
    command -v "$tool" >/dev/null || die "'$tool' not found: run scripts/bootstrap.sh (rust, gcc-mingw-w64-x86-64, wine + wine64)"
done

# Wine settings for everything below. The DLL overrides stop wineboot from trying to install
# Mono/Gecko (no display, no network).
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset WINEPREFIX

mkdir -p "$out"

# 1. fakesmb.dll (cargo decides whether anything needs rebuilding)
(cd "$root" && cargo build --quiet --release --target x86_64-pc-windows-gnu -p fakesmb)
built="$cargo_target/x86_64-pc-windows-gnu/release/fakesmb.dll"
[[ -f "$built" ]] || die "cargo did not produce $built"
cmp -s "$built" "$out/fakesmb.dll" || cp "$built" "$out/fakesmb.dll"

# 2. bcryptprimitives.dll shim (no PE timestamp, so the same source gives the same bytes)
shim="$out/bcryptprimitives.dll"
if [[ $rebuild == 1 || ! -f "$shim" || "$wine_src/prngshim.c" -nt "$shim" ]]; then
    x86_64-w64-mingw32-gcc -O2 -shared -s -Wl,--no-insert-timestamp \
        -o "$shim.tmp" "$wine_src/prngshim.c" -ladvapi32
    mv "$shim.tmp" "$shim"
fi

# 3. Is the template current?
hash() { sha256sum "$1" | cut -d' ' -f1; }
new_stamp="$(
    echo "fakesmb.dll $(hash "$out/fakesmb.dll")"
    echo "bcryptprimitives.dll $(hash "$shim")"
    echo "setup-prefix.sh $(hash "${BASH_SOURCE[0]}")"
    echo "wine $(wine --version 2>/dev/null)"
    echo "rustc $(cd "$root" && rustc --version)"
    echo "mingw-gcc $(x86_64-w64-mingw32-gcc -dumpfullversion)"
)"
if [[ $rebuild == 0 && -d "$template" && -f "$stamp" && "$(cat "$stamp")" == "$new_stamp" ]]; then
    echo "setup-prefix: template up to date: $template"
    exit 0
fi

# 4. Build the template in a scratch directory; it replaces the old one only when complete.
stop_server() { WINEPREFIX="$1" wineserver -k </dev/null >/dev/null 2>&1 || true; }
discard_tmp() {
    if [[ -d "$tmp" ]]; then
        stop_server "$tmp"
        rm -rf "$tmp"
    fi
}
trap 'rc=$?; if [[ $rc != 0 ]]; then discard_tmp; echo "setup-prefix: failed; Wine output in $log" >&2; fi' EXIT

echo "setup-prefix: creating template prefix (takes a few seconds)"
discard_tmp
mkdir -p "$tmp"
: >"$log"
export WINEPREFIX="$tmp"
# Start the server first with its output on /dev/null: the first `wine` call would otherwise
# leave wineserver/winedevice holding our stdout/stderr (the pipe-hang pitfall).
wineserver -p </dev/null >/dev/null 2>&1
wine cmd /c exit </dev/null >>"$log" 2>&1 || die "wine could not initialise the prefix"
[[ -d "$tmp/drive_c/windows/system32" ]] || die "prefix has no drive_c/windows/system32"

cp "$out/fakesmb.dll" "$shim" "$tmp/drive_c/windows/system32/"

reg_add() { wine reg add "$@" /f </dev/null >>"$log" 2>&1 || die "wine reg add $1 failed"; }
svc='HKLM\System\CurrentControlSet\Services\FakeSmb'
reg_add 'HKLM\System\CurrentControlSet\Control\NetworkProvider\Order' /v ProviderOrder /t REG_SZ /d FakeSmb
reg_add "$svc" /v Group /t REG_SZ /d NetworkProvider
reg_add "$svc\\NetworkProvider" /v Name /t REG_SZ /d 'Microsoft Windows Network'
reg_add "$svc\\NetworkProvider" /v ProviderPath /t REG_SZ /d 'C:\windows\system32\fakesmb.dll'
reg_add "$svc\\NetworkProvider" /v Class /t REG_DWORD /d 1

# Stop the server so that it writes system.reg/user.reg, and wait until it is gone.
wineserver -k </dev/null >/dev/null 2>&1 || true
wineserver -w </dev/null >/dev/null 2>&1 || true
unset WINEPREFIX
# Debian's Wine keeps the name of the server's socket base directory (a mkdtemp'd
# $TMPDIR/wine-XXXXXX) in $WINEPREFIX/wineserver. Drop it so every copy of the template makes its
# own, and remove the template's now unused one.
if [[ -f "$tmp/wineserver" ]]; then
    server_base="$(cat "$tmp/wineserver")"
    if [[ "$server_base" =~ ^wine-[A-Za-z0-9]+$ ]]; then
        rm -rf "${TMPDIR:-/tmp}/$server_base"
    fi
    rm -f "$tmp/wineserver"
fi
grep -q 'fakesmb.dll' "$tmp/system.reg" || die "provider registration missing from system.reg"

rm -rf "$template"
mv "$tmp" "$template"
printf '%s\n' "$new_stamp" >"$stamp"
echo "setup-prefix: template ready: $template"

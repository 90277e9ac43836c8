#!/usr/bin/env bash
# The main job, end to end, on a fresh Linux machine: builds mapdrive.exe, prepares a Wine prefix
# with the built-in fake file server (wine/fixture.json), then saves a credential, maps two shares
# (one anonymous, one through the saved credential), lists them, and unmaps them again.
set -euo pipefail
cd "$(dirname "$0")/.."
win=x86_64-pc-windows-gnu

# Build and prepare what is missing, then run the rest in a private Wine prefix (removed afterwards).
[[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" == "${WINEPREFIX:-}" ]] || exec wine/with-prefix.sh --build scripts/demo.sh "$@"
exe="$PWD/target/$win/release/mapdrive.exe"

# Runs mapdrive under Wine, showing the command line as a Windows user would type it.
mapdrive() {
  printf '\nC:\\> mapdrive %s\n' "$*"
  wine "$exe" "$@" 2>&1 | tr -d '\r' || true
}

mapdrive whoami
echo; echo "(the password below comes from stdin, as a script or a password manager would pass it)"
printf '%s\n' 'B0b-Pa55!' | { printf '\nC:\\> echo ********| mapdrive cred set nas --user NAS\\bob --secret-stdin\n'; wine "$exe" cred set nas --user 'NAS\bob' --secret-stdin 2>&1 | tr -d '\r'; }
mapdrive map P: '\\fileserver\public'
mapdrive map N: '\\nas\media'
mapdrive map N: '\\nas\media'
mapdrive list
mapdrive cred list
mapdrive map Q: '\\fileserver\team'
mapdrive unmap P:
mapdrive unmap N: --expect-path '\\nas\media'
mapdrive cred remove nas
mapdrive list

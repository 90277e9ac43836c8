#!/bin/sh
# WANT_JSON
# Test scaffolding, never part of the built collection: scripts/test-ansible.sh installs a copy
# of this file as plugins/modules/<module> (no extension) in the test copy of the collection, where
# it wins over <module>.exe on the Linux controller. Ansible passes the arguments file as $1
# ("WANT_JSON"); the exe is mapdrive.exe under Wine (a Linux host cannot exec an .exe), found
# through $MAPDRIVE_ANSIBLE_EXE because Ansible runs a temporary copy of this file. The module is
# chosen by _ansible_module_name inside the arguments file. Wine maps Z: to /, so the Windows path
# of the arguments file is Z: plus the Unix path with backslashes (no winepath process needed).
set -eu
: "${MAPDRIVE_ANSIBLE_EXE:?set MAPDRIVE_ANSIBLE_EXE to mapdrive.exe}"
: "${WINEPREFIX:?set WINEPREFIX}"
# A task carrying a secret hands its arguments to the exe on standard input (`mapdrive.exe -`), as
# the collection's PowerShell shim does on Windows hosts; the others name the file, as ansible-core
# does for a binary module.
if grep -Eq '"(password|secret)": "' "$1"; then
    [ -z "${MAPDRIVE_ANSIBLE_ROUTES:-}" ] || echo stdin >>"$MAPDRIVE_ANSIBLE_ROUTES"
    WINEDEBUG=-all exec wine "$MAPDRIVE_ANSIBLE_EXE" - <"$1" 2>>"${MAPDRIVE_ANSIBLE_WINE_LOG:-/dev/null}"
fi
[ -z "${MAPDRIVE_ANSIBLE_ROUTES:-}" ] || echo file >>"$MAPDRIVE_ANSIBLE_ROUTES"
args_win="Z:$(printf '%s' "$1" | tr '/' '\\')"
WINEDEBUG=-all exec wine "$MAPDRIVE_ANSIBLE_EXE" "$args_win" </dev/null 2>>"${MAPDRIVE_ANSIBLE_WINE_LOG:-/dev/null}"

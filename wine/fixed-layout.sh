# Sourced first by the scripts that start Wine (scripts/test.sh, wine/with-prefix.sh,
# wine/setup-prefix.sh): runs the script again without address-space randomisation
# (`setarch -R`, inherited by everything it starts: cargo, wineserver, wine, mapdrive.exe).
# Wine maps the shared user data at the fixed address 0x7ffe0000 before anything else; when a
# randomly placed mapping already sits there it exits 1 with only
# `err:virtual:virtual_alloc_first_teb wine: failed to map the shared user data: c0000018`,
# which WINEDEBUG=-all hides: the rare "exit 1 without output" of issue 13 (once in 20 runs of
# the Wine suite). Where the personality call is refused (a seccomp profile), the script runs
# as it is. The Wine test harness does the same per run (tests/wine/harness.rs, fixed_layout).
if [[ -z "${MAPDRIVE_FIXED_LAYOUT:-}" ]] && setarch -R true >/dev/null 2>&1; then
    export MAPDRIVE_FIXED_LAYOUT=1
    exec setarch -R bash "$0" "$@"
fi

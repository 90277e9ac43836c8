#!/usr/bin/env bash
# The real DSC engine (dsc 3.2.3, a Linux build in ../shared/tools/dsc/) drives mapdrive.exe under
# Wine through the checked-in resource manifest: `dsc config test`, `set`, `test` again and `set`
# again on a configuration document (and, where `mapdrive gpp convert` exists, on a document
# converted from a Group Policy Drives.xml), then the removal. Called by scripts/test.sh after
# the Wine end-to-end tests; expects the release mapdrive.exe and the template prefix.
#
# Where ../shared/tools/dsc/dsc is missing (a machine outside this workplace) the tier is skipped
# and says so loudly; nothing else is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dsc_dir="${MAPDRIVE_DSC_DIR:-$root/../shared/tools/dsc}"
if [[ ! -x "$dsc_dir/dsc" ]]; then
    echo "!!!!! SKIPPED: the real-DSC-engine tier: no dsc at $dsc_dir (it is in ../shared/tools/dsc on this"
    echo "!!!!! workplace's machines and CI; set MAPDRIVE_DSC_DIR to a dsc 3.2.3 build to run it elsewhere)"
    exit 0
fi
# Run the rest in a private Wine prefix (removed afterwards).
[[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" == "${WINEPREFIX:-}" ]] || exec wine/with-prefix.sh "$0" "$@"

exe="$root/target/x86_64-pc-windows-gnu/release/mapdrive.exe"
[[ -f "$exe" ]] || { echo "test-dsc: $exe missing: cargo build --release --target x86_64-pc-windows-gnu -p mapdrive" >&2; exit 1; }
fail() { echo "test-dsc: FAILED: $*" >&2; exit 1; }
step() { printf -- '-- %s\n' "$*"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# dsc finds resources through DSC_RESOURCE_PATH and then sets the resource's PATH to that folder
# alone: the wrapper names wine and the prefix by absolute path.
res="$work/resources"
mkdir -p "$res"
wine_bin="$(command -v wine)"
cat >"$res/mapdrive-wine" <<EOF
#!/bin/sh
WINEPREFIX='$WINEPREFIX' WINEDEBUG=-all exec '$wine_bin' '$exe' "\$@"
EOF
chmod +x "$res/mapdrive-wine"
python3 - "$root/dsc/mapdrive.dsc.manifests.json" "$res/mapdrive.dsc.manifests.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for r in m["resources"]:
    for op in r.values():
        if isinstance(op, dict) and op.get("executable") == "mapdrive":
            op["executable"] = "mapdrive-wine"
json.dump(m, open(sys.argv[2], "w"), indent=1)
EOF
export DSC_RESOURCE_PATH="$res"
# Errors only: mapdrive warns on every call under Wine (an elevated token, no SYSTEM).
dsc() { "$dsc_dir/dsc" -l error "$@"; }
step "$(dsc --version)"

# `dsc config` prints YAML by default; JSON is easier to check.
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

doc="$work/drives.dsc.yaml"
cat >"$doc" <<'EOF'
$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
resources:
  - name: Public
    type: Mapdrive/MappedDrive
    properties:
      letter: P
      path: \\fileserver\public
      label: Public files
  - name: Media
    type: Mapdrive/MappedDrive
    properties:
      letter: N
      path: \\ansiblehost\share1
EOF

run_doc() { # NAME FILE: test, set, test, set again; checks the state in HKCU\Network after each
    local name="$1" file="$2" out
    step "$name: dsc config test (not in the desired state yet)"
    out="$(dsc config test -o json --file "$file")" || fail "$name: dsc config test: $out"
    [[ "$(field 'all(not r["result"]["inDesiredState"] for r in d["results"])' <<<"$out")" == True ]] ||
        fail "$name: test said in desired state before set: $out"
    step "$name: dsc config set"
    out="$(dsc config set -o json --file "$file")" || fail "$name: dsc config set: $out"
    [[ "$(field 'd["hadErrors"]' <<<"$out")" == False ]] || fail "$name: set had errors: $out"
    step "$name: dsc config test (in the desired state)"
    out="$(dsc config test -o json --file "$file")" || fail "$name: dsc config test: $out"
    [[ "$(field 'all(r["result"]["inDesiredState"] for r in d["results"])' <<<"$out")" == True ]] ||
        fail "$name: not in the desired state after set: $out"
    step "$name: dsc config set again (nothing to change)"
    out="$(dsc config set -o json --file "$file")" || fail "$name: dsc config set again: $out"
    [[ "$(field 'all(not r["result"].get("changedProperties") for r in d["results"])' <<<"$out")" == True ]] ||
        fail "$name: a second set changed something: $out"
}

run_doc "document" "$doc"
wine reg query 'HKCU\Network\P' >/dev/null 2>&1 || fail "HKCU\\Network\\P missing after dsc config set"
wine reg query 'HKCU\Network\N' >/dev/null 2>&1 || fail "HKCU\\Network\\N missing after dsc config set"

step "removal: _exist false"
sed -e 's/      label: Public files/      _exist: false/' -e 's/      path: \\\\ansiblehost\\share1/      _exist: false/' "$doc" >"$work/absent.dsc.yaml"
out="$(dsc config set -o json --file "$work/absent.dsc.yaml")" || fail "dsc config set (absent): $out"
for l in P N; do
    if wine reg query "HKCU\\Network\\$l" >/dev/null 2>&1; then fail "HKCU\\Network\\$l still there after _exist: false"; fi
done

if wine "$exe" gpp convert --help >/dev/null 2>&1; then
    step "a Group Policy Drives.xml converted with mapdrive gpp convert"
    xml="$work/Drives.xml"
    cat >"$xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">
  <Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="T:" status="T:" image="0" changed="2026-12-01 10:00:00" uid="{11111111-1111-1111-1111-111111111111}">
    <Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="\\fileserver\public" label="Team" persistent="1" useLetter="1" letter="T"/>
  </Drive>
</Drives>
EOF
    cp "$xml" "$WINEPREFIX/drive_c/Drives.xml"
    wine "$exe" gpp convert 'C:\Drives.xml' --output 'C:\converted.dsc.yaml' >/dev/null 2>&1 ||
        fail "mapdrive gpp convert: $(wine "$exe" gpp convert 'C:\Drives.xml' 2>&1 | tail -3)"
    run_doc "converted Drives.xml" "$WINEPREFIX/drive_c/converted.dsc.yaml"
    wine reg query 'HKCU\Network\T' >/dev/null 2>&1 || fail "HKCU\\Network\\T missing after dsc config set"
else
    echo "-- (this build has no mapdrive gpp convert: the converted-document run is not part of it)"
fi
echo "test-dsc: the real dsc engine drove mapdrive.exe through test, set, test and set again"

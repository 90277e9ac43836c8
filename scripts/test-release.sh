#!/usr/bin/env bash
# Tests scripts/release.sh (called by scripts/test.sh as its last step):
#  1. two runs from the same commit give byte-identical files (reproducibility; the second one
#     compiles and links mapdrive.exe again);
#  2. the archive's entries, the collection tarball inside, SHA256SUMS (`sha256sum -c`), the SBOM's
#     shape, the winget and Scoop manifests filled from the archive (scripts/check-release.py) and
#     validated offline against the official JSON Schemas in ../shared/reference/schemas/
#     ($MAPDRIVE_SCHEMAS; skipped LOUDLY when missing);
#  3. the version resource and manifest of the released mapdrive.exe read back under Wine, and the
#     import tables of it and mapdrivew.exe, mapdrivew.exe's subsystem, resource and log
#     (tests/wine/resources.rs, imports.rs and gui.rs with MAPDRIVE_EXE), when the Wine template
#     prefix exists (scripts/test.sh makes it earlier);
#  4. signing with a throwaway self-signed certificate (openssl), the password once from
#     $MAPDRIVE_SIGN_PASSWORD and once from stdin, then `osslsigncode verify` of both executables; a wrong password
#     fails; the password appears in no output.
# Everything goes under target/release-test/. Tools come from `scripts/bootstrap.sh --release`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
win=x86_64-pc-windows-gnu

step() { printf -- '-- %s\n' "$*"; }
fail() { echo "test-release: FAILED: $*" >&2; exit 1; }

scripts/bootstrap.sh --release
venv_py="$root/target/release-venv/bin/python"
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
epoch="$(git log -1 --format=%ct HEAD)"
base="https://downloads.example.org/mapdrive/v$version"
t="$root/target/release-test"
rm -rf "$t"
mkdir -p "$t"

step "release.sh, twice"
scripts/release.sh --base-url "$base" --out "$t/one" >"$t/one.log" 2>&1 || { tail -n 40 "$t/one.log"; fail "release.sh (first run)"; }
# The second run rebuilds mapdrive.exe (its sources touched), so that the comparison covers the
# compiler and the linker too, not only the packaging.
touch crates/mapdrive/src/main.rs crates/mapdrive/src/lib.rs
scripts/release.sh --base-url "$base" --out "$t/two" >"$t/two.log" 2>&1 || { tail -n 40 "$t/two.log"; fail "release.sh (second run)"; }
diff -r "$t/one" "$t/two" >/dev/null || {
    (cd "$t" && diff <(cd one && find . -type f | sort | xargs sha256sum) <(cd two && find . -type f | sort | xargs sha256sum)) || true
    fail "two runs from the same commit differ"
}
step "reproducible: $(find "$t/one" -type f | wc -l) files byte-identical"

step "sha256sum -c SHA256SUMS"
(cd "$t/one" && sha256sum --quiet --strict -c SHA256SUMS) || fail "SHA256SUMS does not match dist/"

schemas="${MAPDRIVE_SCHEMAS:-$root/../shared/reference/schemas}"
if [[ ! -f "$schemas/scoop/schema.json" || ! -f "$schemas/winget-1.12.0/manifest.installer.1.12.0.json" ]]; then
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! test-release: SKIPPING the winget/Scoop JSON Schema validation: no schemas at"
    echo "!!   $schemas"
    echo "!! (CI has shared/ beside the clone; set MAPDRIVE_SCHEMAS to the schemas folder)"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo
    schemas="-"
fi
step "archive, collection, SBOM, manifests (scripts/check-release.py)"
"$venv_py" scripts/check-release.py "$t/one" "$version" "$epoch" "$base" "$schemas" || fail "the release does not look as it should"

if [[ -f "$root/target/wine/template-prefix/system.reg" ]]; then
    step "version resource, manifest and imports of the released mapdrive.exe and mapdrivew.exe (Wine)"
    mkdir -p "$t/unzipped"
    "$venv_py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$t/one/mapdrive-$version-$win.zip" "$t/unzipped"
    # resources: GetFileVersionInfoW, RT_MANIFEST and --version under Wine; imports: the import table is
    # still the README's (the release build's own rustflags keep windows_slim_errors).
    MAPDRIVE_EXE="$t/unzipped/mapdrive.exe" cargo test --locked -q -p mapdrive --features wine-e2e --test wine \
        -- resources:: imports:: gui:: >"$t/wine.log" 2>&1 || { cat "$t/wine.log"; fail "the released mapdrive.exe under Wine"; }
    grep -E '^test result' "$t/wine.log" | sed 's/^/   /'
else
    echo "!! test-release: no Wine template prefix (wine/setup-prefix.sh): the Wine read-back of the released exe is skipped"
fi

step "signing with a throwaway self-signed certificate"
pw="Rel3ase-Test-$RANDOM-Pw!"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mapdrive release test (throwaway)" \
    -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
    -keyout "$t/key.pem" -out "$t/cert.pem" >"$t/openssl.log" 2>&1 || { cat "$t/openssl.log"; fail "openssl req"; }
MAPDRIVE_PFX_PW="$pw" openssl pkcs12 -export -inkey "$t/key.pem" -in "$t/cert.pem" -out "$t/test.pfx" \
    -passout env:MAPDRIVE_PFX_PW >>"$t/openssl.log" 2>&1 || { cat "$t/openssl.log"; fail "openssl pkcs12"; }
MAPDRIVE_SIGN_PASSWORD="$pw" scripts/release.sh --base-url "$base" --sign "$t/test.pfx" --out "$t/signed-env" \
    >"$t/signed-env.log" 2>&1 || { tail -n 40 "$t/signed-env.log"; fail "release.sh --sign (password from the environment)"; }
printf '%s\n' "$pw" | scripts/release.sh --base-url "$base" --sign "$t/test.pfx" --out "$t/signed-stdin" \
    >"$t/signed-stdin.log" 2>&1 || { tail -n 40 "$t/signed-stdin.log"; fail "release.sh --sign (password on stdin)"; }
diff -r "$t/signed-env" "$t/signed-stdin" >/dev/null || fail "two signed runs (no timestamp server) differ"
for d in signed-env signed-stdin; do
    (cd "$t/$d" && sha256sum --quiet --strict -c SHA256SUMS) || fail "$d: SHA256SUMS"
done
mkdir -p "$t/signed-exe"
for e in mapdrive.exe mapdrivew.exe; do
    "$venv_py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[3], sys.argv[2])' \
        "$t/signed-env/mapdrive-$version-$win.zip" "$t/signed-exe" "$e"
    osslsigncode verify -in "$t/signed-exe/$e" -CAfile "$t/cert.pem" >"$t/verify.log" 2>&1 ||
        { cat "$t/verify.log"; fail "osslsigncode verify of the signed $e"; }
    grep -q "Signature verification: ok" "$t/verify.log" || { cat "$t/verify.log"; fail "$e: no 'Signature verification: ok'"; }
    grep -q "mapdrive release test (throwaway)" "$t/verify.log" || fail "$e: the signer is not the test certificate"
done
step "osslsigncode verify: ok for mapdrive.exe and mapdrivew.exe (signer: the throwaway certificate)"
osslsigncode verify -in "$t/unzipped/mapdrive.exe" -CAfile "$t/cert.pem" >/dev/null 2>&1 &&
    fail "the unsigned build verifies as signed"
if MAPDRIVE_SIGN_PASSWORD="not-$pw" scripts/release.sh --base-url "$base" --sign "$t/test.pfx" --out "$t/wrong" \
    >"$t/wrong.log" 2>&1; then
    fail "release.sh --sign with a wrong password succeeded"
fi
grep -q "could not sign" "$t/wrong.log" || { tail "$t/wrong.log"; fail "a wrong password does not say what failed"; }
if grep -rlF -- "$pw" "$t"/*.log; then
    fail "the signing password appears in the output above"
fi
step "a wrong password fails and says so; the password is in no output"
echo "test-release: ok"

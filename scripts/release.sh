#!/usr/bin/env bash
# Builds everything a release of mapdrive needs into dist/ (see docs/install.md):
#   mapdrive-VERSION-x86_64-pc-windows-gnu.zip   mapdrive.exe, mapdrivew.exe (the windowless twin), README,
#                                                licences, CHANGELOG, the DSC manifest, the Ansible
#                                                collection tarball, shell completions
#   mapdrive-VERSION.cdx.json                    CycloneDX SBOM of mapdrive.exe's dependency tree
#   winget/mapdrive.mapdrive*.yaml               winget manifests (schema 1.12.0), filled from the archive
#   scoop/mapdrive.json                          Scoop manifest, filled from the archive
#   SHA256SUMS                                   every file above, in the format `sha256sum -c` reads
#
# Usage: scripts/release.sh [--base-url URL] [--latest-url URL] [--homepage URL] [--sign PFX]
#                           [--timestamp-url URL] [--out DIR]
#   --base-url URL       where the archive will be downloadable (the folder; the manifests point there)
#   --latest-url URL     a folder that always holds the newest release's SHA256SUMS (Scoop's checkver);
#                        default: --base-url with its last folder (v0.1.0 or 0.1.0) replaced by "latest"
#   --homepage URL       the Scoop manifest's homepage (default: --latest-url)
#   --sign PFX           Authenticode-sign mapdrive.exe and mapdrivew.exe with osslsigncode; the PFX password comes from
#                        $MAPDRIVE_SIGN_PASSWORD, else the first line of standard input; it is never
#                        written to disk, a command line or the output
#   --timestamp-url URL  RFC 3161 timestamp server for the signature (without it the signature has no
#                        timestamp and stops validating when the certificate expires)
#   --out DIR            instead of dist/
#
# Reproducible: the executable is built with cargo auditable (its dependency list embedded in a
# .dep-v0 section), the archive's entries are sorted and dated with the commit's time, the
# collection tarball is repacked the same way, the SBOM's timestamp and serial number come from the
# commit. Two runs from the same commit give byte-identical files (with --sign too, unless a
# timestamp server is used: its answer differs every time). scripts/test-release.sh checks this.
# Tools it needs (cargo-auditable, cargo-cyclonedx, osslsigncode, python3, ansible-galaxy in
# target/ansible/venv) are installed by `scripts/bootstrap.sh --release` when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
win=x86_64-pc-windows-gnu

die() { echo "release: $*" >&2; exit 1; }
step() { printf -- '-- %s\n' "$*" >&2; }

base_url="" latest_url="" homepage="" sign="" ts_url="" out="$root/dist"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --base-url) base_url="${2:?--base-url needs a URL}"; shift 2 ;;
        --latest-url) latest_url="${2:?--latest-url needs a URL}"; shift 2 ;;
        --homepage) homepage="${2:?--homepage needs a URL}"; shift 2 ;;
        --sign) sign="${2:?--sign needs a .pfx file}"; shift 2 ;;
        --timestamp-url) ts_url="${2:?--timestamp-url needs a URL}"; shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
[[ -n "$version" ]] || die "no workspace version in Cargo.toml"
commit="$(git rev-parse HEAD 2>/dev/null)" || die "not a git checkout: the release is dated and named by its commit"
epoch="$(git log -1 --format=%ct HEAD)"
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
    echo "release: WARNING: uncommitted changes: the release is named and dated after $commit but built from the working tree" >&2
fi
[[ -z "$base_url" ]] && base_url="https://example.invalid/mapdrive/releases/download/v$version" &&
    echo "release: WARNING: no --base-url; the winget and Scoop manifests point to $base_url" >&2
base_url="${base_url%/}"
if [[ -z "$latest_url" ]]; then
    case "${base_url##*/}" in
        "v$version" | "$version") latest_url="${base_url%/*}/latest" ;;
        *) latest_url="$base_url" ;;
    esac
fi
[[ -z "$homepage" ]] && homepage="$latest_url"
[[ "$base_url" =~ ^https?:// ]] || die "--base-url must be an http(s) URL (winget requires it)"
if [[ -n "$sign" ]]; then
    [[ -f "$sign" ]] || die "--sign $sign: no such file"
    if [[ -n "${MAPDRIVE_SIGN_PASSWORD+set}" ]]; then
        password="$MAPDRIVE_SIGN_PASSWORD"
    else
        [[ -t 0 ]] && printf 'Password for %s: ' "$sign" >&2
        IFS= read -rs password || die "--sign: no password on standard input (or set MAPDRIVE_SIGN_PASSWORD)"
        [[ -t 0 ]] && echo >&2
    fi
fi

scripts/bootstrap.sh --release >&2
export PATH="$HOME/.cargo/bin:$PATH"
export SOURCE_DATE_EPOCH="$epoch"

case "$(realpath -m "$out")" in
    / | "$root" | "$(realpath -m "$HOME")") die "--out $out: refusing to empty that folder" ;;
esac
name="mapdrive-$version-$win"
work="$root/target/release-work"
rm -rf "$work" "$out"
mkdir -p "$work/stage/completions" "$out"

step "mapdrive.exe and mapdrivew.exe with their dependency list embedded (cargo auditable build, profile dist)"
# Panic locations name the registry sources' paths: mapped to /cargo, so that the executable does
# not depend on (or tell) where the builder's cargo home is. Added to .cargo/config.toml's flags.
cargo_home="$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)"
cargo auditable build --locked --profile dist --target "$win" -p mapdrive \
    --config "target.$win.rustflags=[\"--remap-path-prefix=$cargo_home=/cargo\"]" >&2
exes=(mapdrive.exe mapdrivew.exe)
for e in "${exes[@]}"; do
    cp "$root/target/$win/dist/$e" "$work/stage/$e"
done

if [[ -n "$sign" ]]; then
    step "Authenticode signature (osslsigncode${ts_url:+, timestamp from $ts_url})"
    # The password reaches osslsigncode through a pipe, never a file or its command line; -time fixes
    # the signing time (the commit's), so that a signed build is reproducible too.
    for e in "${exes[@]}"; do
        args=(sign -pkcs12 "$sign" -readpass - -h sha256 -n mapdrive -time "$epoch"
              -in "$work/stage/$e" -out "$work/$e.signed")
        [[ -n "$ts_url" ]] && args+=(-ts "$ts_url")
        printf '%s' "$password" | osslsigncode "${args[@]}" >"$work/sign.log" 2>&1 ||
            { sed 's/^/  /' "$work/sign.log" >&2; die "osslsigncode could not sign $e (wrong password or not a PKCS#12 file with a code-signing key?)"; }
        mv "$work/$e.signed" "$work/stage/$e"
    done
    unset password
fi

step "completion scripts (mapdrive completions, host build)"
cargo build --locked -p mapdrive --bin mapdrive >&2
host="$root/target/debug/mapdrive"
"$host" completions powershell >"$work/stage/completions/mapdrive.ps1"
"$host" completions bash >"$work/stage/completions/mapdrive.bash"
"$host" completions zsh >"$work/stage/completions/_mapdrive"
"$host" completions fish >"$work/stage/completions/mapdrive.fish"

step "Ansible collection mapdrive.windows (scripts/build-collection.sh, repacked reproducibly)"
tarball="$(MAPDRIVE_EXE="$work/stage/mapdrive.exe" ANSIBLE_GALAXY="$root/target/ansible/venv/bin/ansible-galaxy" \
    scripts/build-collection.sh "$work/collection")"
python3 scripts/release.py retar "$tarball" "$work/stage/$(basename "$tarball")" "$epoch"

cp README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE dsc/mapdrive.dsc.manifests.json "$work/stage/"

step "$name.zip"
python3 scripts/release.py zip "$out/$name.zip" "$epoch" "$work/stage"

step "CycloneDX SBOM of mapdrive.exe's dependencies (cargo cyclonedx)"
rm -f crates/*/*.cdx.json
# Normal dependencies for the Windows target only: build scripts' and tests' crates are not in the exe.
cargo cyclonedx --manifest-path crates/mapdrive/Cargo.toml --format json --spec-version 1.5 \
    --target "$win" --describe binaries --no-build-deps >&2
sbom="$(ls crates/mapdrive/*.cdx.json 2>/dev/null | head -n1)"
[[ -f "$sbom" ]] || die "cargo cyclonedx wrote no *.cdx.json under crates/mapdrive"
python3 scripts/release.py sbom "$sbom" "$out/mapdrive-$version.cdx.json" "$epoch" "$commit" "$root"
rm -f crates/*/*.cdx.json

step "winget and Scoop manifests"
python3 scripts/release.py manifests "$out" "$out/$name.zip" "$base_url" "$latest_url" "$homepage" "$version" "$epoch"

step "SHA256SUMS"
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)

echo "release: $version ($commit) in $out:" >&2
(cd "$out" && find . -type f -printf '  %P (%s bytes)\n' | LC_ALL=C sort) >&2

#!/usr/bin/env bash
# Builds the Ansible collection mapdrive.windows into target/ansible/mapdrive-windows-<version>.tar.gz.
#
# Usage: scripts/build-collection.sh [OUTPUT_DIR]
#
# The collection source is ansible/ (doc stubs, action plugins, the become shim, README). The release
# mapdrive.exe (cargo build --release --target x86_64-pc-windows-gnu; built here when missing, or
# $MAPDRIVE_EXE) is copied in at build time as plugins/modules/<module>.exe for each module, and the
# version comes from the Cargo workspace. The exe is never committed. ansible-galaxy is taken from
# $ANSIBLE_GALAXY, else the test venv (target/ansible/venv, made by scripts/bootstrap.sh ansible), else PATH.
# Prints the tarball's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-$root/target/ansible}"
win=x86_64-pc-windows-gnu
exe="${MAPDRIVE_EXE:-$root/target/$win/release/mapdrive.exe}"
if [[ ! -f "$exe" ]]; then
    cargo build --release --locked --target "$win" -p mapdrive >&2
fi
galaxy="${ANSIBLE_GALAXY:-}"
if [[ -z "$galaxy" ]]; then
    if [[ -x "$root/target/ansible/venv/bin/ansible-galaxy" ]]; then
        galaxy="$root/target/ansible/venv/bin/ansible-galaxy"
    else
        galaxy="$(command -v ansible-galaxy || true)"
    fi
fi
[[ -n "$galaxy" ]] || {
    echo "build-collection: ansible-galaxy not found (pip install ansible-core, or run scripts/bootstrap.sh ansible)" >&2
    exit 1
}
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
[[ -n "$version" ]] || { echo "build-collection: no workspace version in Cargo.toml" >&2; exit 1; }

stage="$root/target/ansible/collection-src/mapdrive/windows"
rm -rf "$root/target/ansible/collection-src"
mkdir -p "$(dirname "$stage")" "$out"
cp -a ansible "$stage"
sed -i "s/^version: .*/version: $version/" "$stage/galaxy.yml"
for module in win_mapped_drive win_credential win_mapped_drive_info; do
    cp "$exe" "$stage/plugins/modules/$module.exe"
done
"$galaxy" collection build "$stage" --output-path "$out" --force >&2
echo "$out/mapdrive-windows-$version.tar.gz"

#!/usr/bin/env bash
# Installs what building and testing mapdrive needs on a Debian/Ubuntu machine, if missing:
# mingw-w64 (linker for x86_64-pc-windows-gnu), Wine 8 (wine + wine64), the Rust Windows target,
# rustfmt and clippy. Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail
win=x86_64-pc-windows-gnu

need_apt=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need_apt+=(gcc-mingw-w64-x86-64)
command -v wine >/dev/null 2>&1 || need_apt+=(wine)
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || need_apt+=(wine64)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
installed="$(rustup component list --installed 2>/dev/null || true)"
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$installed" || rustup component add "$c" >/dev/null
done
rustup target list --installed | grep -qx "$win" || rustup target add "$win" >/dev/null

# With --release (scripts/release.sh, scripts/test-release.sh): what building and checking a release
# needs, if missing: python3-venv, osslsigncode and openssl (apt), cargo-auditable 0.7.7 and
# cargo-cyclonedx 0.5.9 (crates.io, built once into ~/.cargo/bin), ansible-galaxy for the collection
# tarball (target/ansible/venv, the same venv scripts/test-ansible.sh makes), and a venv with
# jsonschema and PyYAML for validating the winget and Scoop manifests (target/release-venv).
if [[ " $* " == *" --release "* ]]; then
  need_apt=()
  command -v osslsigncode >/dev/null 2>&1 || need_apt+=(osslsigncode)
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
  python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "== installing ${need_apt[*]}"
    sudo_=""
    [ "$(id -u)" = 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
  # Pinned: the SBOM names its generator, and the embedded dependency list has its tool's format.
  installed_tools="$(cargo install --list 2>/dev/null || true)"
  for tool in cargo-auditable@0.7.7 cargo-cyclonedx@0.5.9; do
    if ! grep -qx "${tool%@*} v${tool#*@}:" <<<"$installed_tools"; then
      echo "== installing $tool (crates.io)"
      cargo install --locked --quiet "$tool"
    fi
  done
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$root/target/ansible/venv"
  if [[ ! -x "$venv/bin/ansible-galaxy" ]]; then
    echo "== creating $venv with ansible-core from PyPI"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${MAPDRIVE_ANSIBLE_CORE:-ansible-core>=2.19,<2.20}"
  fi
  venv="$root/target/release-venv"
  if ! "$venv/bin/python" -c 'import jsonschema, yaml' >/dev/null 2>&1; then
    echo "== creating $venv with jsonschema and PyYAML from PyPI"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'jsonschema>=4.20,<5' 'PyYAML>=6,<7'
  fi
fi

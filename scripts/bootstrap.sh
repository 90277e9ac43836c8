#!/usr/bin/env bash
# The one place that installs what building and testing mapdrive needs on a Debian/Ubuntu machine,
# and only what is missing: the apt packages below (mingw-w64, the linker for
# x86_64-pc-windows-gnu, with binutils' windres and windmc for the resources; Wine 8, wine +
# wine64; python3-venv; bc for scripts/bench-ansible.sh),
# the Rust Windows target, rustfmt and clippy. Safe to run repeatedly; silent when everything is
# present. Scripts call it; none installs anything itself.
#
# Usage: scripts/bootstrap.sh [ansible] [release]
#   ansible   also the Python virtual environment with ansible-core from PyPI in
#             target/ansible/venv, used by scripts/test-ansible.sh and scripts/bench-ansible.sh
#             (created once; delete it to upgrade; $MAPDRIVE_ANSIBLE_CORE replaces the pip
#             requirement)
#   release   also what scripts/release.sh and scripts/test-release.sh need (below); `--release`
#             is the same
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
win=x86_64-pc-windows-gnu
ansible=0
release=0
for arg in "$@"; do
    case "$arg" in
    ansible) ansible=1 ;;
    release | --release) release=1 ;;
    *)
        echo "usage: scripts/bootstrap.sh [ansible] [release]" >&2
        exit 2
        ;;
    esac
done

# Debian packages, installed when `present` says they are missing.
apt_packages=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 python3-venv bc)
if [ "$release" = 1 ]; then
    # Signing and its throwaway test certificate; the release also builds the Ansible tarball.
    apt_packages+=(osslsigncode openssl)
    ansible=1
fi

# Whether what PACKAGE provides is there: the command it installs (so a compiler or Wine
# installed another way counts), else dpkg's word for packages without a case here.
present() {
    case "$1" in
    gcc-mingw-w64-x86-64) command -v x86_64-w64-mingw32-gcc ;;
    binutils-mingw-w64-x86-64) command -v x86_64-w64-mingw32-windmc ;;
    wine) command -v wine ;;
    wine64) [ -x /usr/lib/wine/wine64 ] || command -v wine64 ;;
    python3-venv) python3 -c 'import venv, ensurepip' ;;
    bc) command -v bc ;;
    osslsigncode) command -v osslsigncode ;;
    openssl) command -v openssl ;;
    *) [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ] ;;
    esac >/dev/null 2>&1
}

need_apt=()
for p in "${apt_packages[@]}"; do
    present "$p" || need_apt+=("$p")
done
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

if [ "$ansible" = 1 ]; then
    venv="$root/target/ansible/venv"
    if [ ! -x "$venv/bin/ansible-playbook" ]; then
        echo "== creating $venv with ansible-core from PyPI (kept for later runs)"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check \
            "${MAPDRIVE_ANSIBLE_CORE:-ansible-core>=2.19,<2.20}"
    fi
fi

# With release (scripts/release.sh, scripts/test-release.sh): besides osslsigncode, openssl and
# the Ansible venv above, cargo-auditable 0.7.7 and cargo-cyclonedx 0.5.9 (crates.io, built once
# into ~/.cargo/bin) and a venv with jsonschema and PyYAML for validating the winget and Scoop
# manifests (target/release-venv).
if [ "$release" = 1 ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
    # Pinned: the SBOM names its generator, and the embedded dependency list has its tool's format.
    installed_tools="$(cargo install --list 2>/dev/null || true)"
    for tool in cargo-auditable@0.7.7 cargo-cyclonedx@0.5.9; do
        if ! grep -qx "${tool%@*} v${tool#*@}:" <<<"$installed_tools"; then
            echo "== installing $tool (crates.io)"
            cargo install --locked --quiet "$tool"
        fi
    done
    venv="$root/target/release-venv"
    if ! "$venv/bin/python" -c 'import jsonschema, yaml' >/dev/null 2>&1; then
        echo "== creating $venv with jsonschema and PyYAML from PyPI"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check 'jsonschema>=4.20,<5' 'PyYAML>=6,<7'
    fi
fi

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

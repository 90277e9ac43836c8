#!/usr/bin/env bash
# Every test, in the order CI runs them (after installing what is missing): formatting, lints for Linux and Windows, host and
# session-model tests, then the real mapdrive.exe under Wine against the fake SMB provider.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../wine/fixed-layout.sh"
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
win=x86_64-pc-windows-gnu

step() { printf '\n== %s\n' "$*"; }

scripts/bootstrap.sh ansible release # everything a fresh machine lacks: the Ansible venv and the release tools included

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (Linux host)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy ($win)"
cargo clippy --workspace --all-targets --locked --target "$win" --features mapdrive/wine-e2e -- -D warnings

step "rustdoc (broken links are errors; Linux host and $win)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --workspace --quiet
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --workspace --quiet --target "$win"

step "host and session-model tests"
cargo test --workspace --locked

step "build mapdrive.exe and the fake SMB provider ($win, release)"
cargo build --release --locked --target "$win" -p mapdrive -p fakesmb

step "prepare the Wine prefix"
wine/setup-prefix.sh

step "Windows-target unit tests under Wine (the Win32 adapter against the fake provider, core, model, fakesmb)"
WINEDEBUG=-all MAPDRIVE_TEST_PROVIDER=1 MAPDRIVE_TEST_MACHINE=1 CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
  wine/with-prefix.sh cargo test --locked --target "$win" --workspace --lib

step "Wine end-to-end tests"
cargo test --locked -p mapdrive --features wine-e2e --test wine -- --test-threads=2

step "the real DSC engine (dsc 3.2.3 from ../shared/tools/dsc) driving mapdrive.exe under Wine"
scripts/test-dsc.sh

step "Ansible collection with real ansible-core under Wine (venv cached in target/ansible)"
scripts/test-ansible.sh

step "release: scripts/release.sh twice (reproducible), archive, checksums, SBOM, winget/Scoop schemas, signing"
scripts/test-release.sh

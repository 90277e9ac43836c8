#!/usr/bin/env bash
# Every test, in the order CI runs them (after installing what is missing): formatting, lints for Linux and Windows, host and
# session-model tests, then the real mapdrive.exe under Wine against the fake SMB provider.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
win=x86_64-pc-windows-gnu

step() { printf '\n== %s\n' "$*"; }

scripts/bootstrap.sh

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (Linux host)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy ($win)"
cargo clippy --workspace --all-targets --locked --target "$win" --features mapdrive/wine-e2e -- -D warnings

step "host and session-model tests"
cargo test --workspace --locked

step "build mapdrive.exe and the fake SMB provider ($win, release)"
cargo build --release --locked --target "$win" -p mapdrive -p fakesmb

step "prepare the Wine prefix"
wine/setup-prefix.sh

step "Wine end-to-end tests"
cargo test --locked -p mapdrive --features wine-e2e --test wine -- --test-threads=2

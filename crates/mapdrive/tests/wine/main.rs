//! Wine end-to-end tests: the real `mapdrive.exe` against the fake SMB provider.
//! Prepared by `wine/setup-prefix.sh`; run by the README's test command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod ansible;
mod creds;
mod drives;
mod dsc;
mod errors;
mod eventlog;
mod gpp;
mod gui;
mod imports;
mod resources;
mod schedule;
mod sessions;
mod stress;

//! mapdrive's front-ends: thin layers that parse what arrives (command line, Ansible module
//! arguments, DSC resource JSON, desired-state documents), call `mapdrive_core::engine`, and
//! render the result. [`app`] is the whole program both executables run: `mapdrive.exe` (`main.rs`)
//! and the windowless `mapdrivew.exe` (`bin/mapdrivew.rs`) only say where its output goes.
//!
//! The layers below are separate crates, so the compiler enforces the direction of every import:
//! - `mapdrive-core`: domain types, the port trait, plan/apply, the engine, the doctor, errors;
//! - `mapdrive-win32`: the Win32 adapter of the port (the only home of `unsafe`; Windows only);
//! - `mapdrive-model`: the in-memory session model of the port, used by the tests only.

#![forbid(unsafe_code)]

pub mod app;
pub mod frontend;
pub use frontend::cli;

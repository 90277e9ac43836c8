//! mapdrive: manage Windows mapped network drives and the saved credentials they depend on,
//! and explain which logon session sees what.
//!
//! Layout (one flow for every front-end):
//! - [`domain`]: validated types (letters, remote paths, credential targets, secrets, DOS targets).
//! - [`port`]: the trait that is the only door to Windows.
//! - `win32` (`cfg(windows)`): the real adapter — the only home of `unsafe`.
//! - [`model`]: an in-memory Windows of users, logon sessions and namespaces (the test adapter).
//! - [`engine`]: the one request → outcome entry point: session choice, secrets, plan, apply.
//! - [`plan`]: reads the world through the port, decides actions (pure), then applies them.
//! - [`doctor`]: rules over the same facts, producing findings; never writes.
//! - [`frontend`]: the CLI (and the fleet front-ends): parse, call the core, render; `main.rs` only calls it.

pub mod frontend;
pub use frontend::cli;
pub mod doctor;
pub mod domain;
pub mod engine;
pub mod error;
pub mod model;
pub mod plan;
pub mod port;
#[cfg(windows)]
pub mod win32;

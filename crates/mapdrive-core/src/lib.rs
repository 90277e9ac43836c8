//! mapdrive's core: everything that decides, and nothing that touches Windows directly.
//!
//! - [`domain`]: validated types (letters, remote paths, credential targets, secrets, DOS targets).
//! - [`port`]: the trait that is the only door to Windows. Two adapters implement it: the
//!   `mapdrive-win32` crate (the real system) and the `mapdrive-model` crate (an in-memory
//!   Windows of logon sessions, for tests).
//! - [`engine`]: the one request → outcome entry point: session choice, secrets, plan, apply.
//! - [`plan`]: reads the world through the port, decides actions (pure), then applies them.
//! - [`doctor`]: rules over the same facts, producing findings; never writes.
//! - [`gpp`]: Group Policy Preferences Drive Maps (`Drives.xml`): parsing, item-level
//!   targeting, preference variables and the per-item decisions (pure; no port calls).
//! - [`audit`]: the audit trail's events (one per change, for the Application log).
//! - [`schedule`]: the Task Scheduler task of `mapdrive schedule` (its XML, pure) and the
//!   install/status/remove decisions.
//! - [`error`]: the error type and the catalog of Win32 error codes with their remedies.
//!
//! This crate has no `unsafe` and no platform-specific code: front-ends (the `mapdrive` crate)
//! sit above it, adapters beside it.

#![forbid(unsafe_code)]

pub mod audit;
pub mod doctor;
pub mod domain;
pub mod engine;
pub mod error;
pub mod gpp;
pub mod plan;
pub mod port;
pub mod schedule;

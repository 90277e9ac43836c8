//! The command-line front-end: parse → validate into domain types → plan/apply through the
//! port → render. [`crate::app`] only supplies the platform port and prints the [`Report`](crate::frontend::report::Report).

pub mod args;
mod completions;
pub mod output;
mod parse;
mod render;
mod run;
pub mod schedule;
pub mod sessions;

pub use args::Cli;
pub use parse::{SECRETS_NOTE, parse};
pub use run::run;

//! The command-line front-end: parse → validate into domain types → plan/apply through the
//! port → render. `main.rs` only supplies the platform port and prints the [`Report`].

pub mod args;
pub mod output;
mod parse;
mod render;
mod run;

pub use args::Cli;
pub use parse::{SECRETS_NOTE, parse};
pub use run::run;
pub(crate) use run::session as session_choice;

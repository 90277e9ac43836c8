//! `mapdrive dsc ...`: the clap arguments and the call into [`super::run`].

use std::io::IsTerminal;

use clap::{Args, ValueEnum};

use super::{Kind, Level, Op};
use mapdrive_core::engine::SecretInput;

use crate::frontend::report::Report;
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::port::Port;

/// `dsc` operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DscOp {
    /// Print the actual state of the instance on standard input.
    Get,
    /// Make the instance on standard input true (prints the state and the changed properties).
    Set,
    /// Compare the machine with the instance on standard input (state with _inDesiredState, differing properties).
    Test,
    /// Remove the instance on standard input.
    Delete,
    /// Print every instance on this machine, one JSON line each.
    Export,
    /// Print the instance JSON Schema.
    Schema,
    /// Print the manifest list (every resource, schemas embedded).
    Manifest,
}

/// `mapdrive dsc OPERATION --resource TYPE [--what-if]`.
#[derive(Debug, Args)]
pub struct DscArgs {
    /// The operation.
    #[arg(value_enum)]
    pub operation: DscOp,
    /// Resource type: Mapdrive/MappedDrive, Mapdrive/Credential, Mapdrive/GlobalDrive, Mapdrive/LinkedConnections.
    #[arg(long, short = 'r')]
    pub resource: Option<String>,
    /// With set or delete: change nothing, say what would be done.
    #[arg(long)]
    pub what_if: bool,
}

/// Runs `mapdrive dsc ...`. The instance is standard input (JSON, on one line or several; UTF-8
/// with or without a byte order mark, or UTF-16 with one).
pub fn run(a: &DscArgs, port: Option<&mut dyn Port>, input: &mut dyn SecretInput) -> Report {
    let level = Level::from_env(std::env::var("DSC_TRACE_LEVEL").ok().as_deref());
    if a.operation == DscOp::Manifest {
        return Report {
            stdout: super::manifest_text(),
            stderr: String::new(),
            code: 0,
        };
    }
    let kind = match a.resource.as_deref().map(|r| (r, Kind::from_type(r))) {
        Some((_, Some(k))) => k,
        other => {
            let e = Error::Input(InputError::Conflict(format!(
                "{}: give --resource with one of {}",
                other.map_or_else(
                    || "no resource type".to_string(),
                    |(r, _)| format!("unknown resource type {r:?}")
                ),
                Kind::ALL.map(Kind::type_name).join(", ")
            )));
            let mut tracer = super::Tracer::new(level);
            tracer.emit(Level::Error, &super::error_text(&e));
            return Report {
                stdout: String::new(),
                stderr: tracer.out,
                code: e.exit_code(),
            };
        }
    };
    let op = match a.operation {
        DscOp::Get => Op::Get,
        DscOp::Set => Op::Set,
        DscOp::Test => Op::Test,
        DscOp::Delete => Op::Delete,
        DscOp::Export => Op::Export,
        DscOp::Schema | DscOp::Manifest => Op::Schema,
    };
    let stdin = match op {
        Op::Get | Op::Set | Op::Test | Op::Delete => match input.stdin_all() {
            Ok(text) => Some(text),
            Err(e) => {
                let e = Error::Input(InputError::Conflict(format!(
                    "could not read the instance from standard input: {e}"
                )));
                let mut tracer = super::Tracer::new(level);
                tracer.emit(Level::Error, &super::error_text(&e));
                return Report {
                    stdout: String::new(),
                    stderr: tracer.out,
                    code: e.exit_code(),
                };
            }
        },
        Op::Export => {
            // `dsc config export` writes the item's properties to stdin: read them (unused) so
            // dsc's write never meets a closed pipe; from a console, do not wait for input.
            if !std::io::stdin().is_terminal() {
                let _ = input.stdin_all();
            }
            None
        }
        Op::Schema => None,
    };
    super::run(
        op,
        kind,
        a.what_if,
        stdin.as_deref().map(|s| s.as_str()),
        port,
        level,
    )
}

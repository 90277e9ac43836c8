//! Microsoft DSC v3 command resources: `mapdrive dsc get|set|test|delete|export|schema
//! --resource TYPE`, the instance JSON on standard input, one JSON document per stdout line,
//! traces as JSON lines on stderr at `DSC_TRACE_LEVEL` (the shapes dsc 3.2.3 was observed to
//! accept), and the manifest with the schemas generated from [`types`].
//!
//! The resource logic ([`resources`]) is shared with `mapdrive apply`; this module only speaks
//! the wire protocol.

pub mod cli;
mod credential;
mod global_drive;
mod linked_connections;
pub mod manifest;
mod mapped_drive;
pub mod resources;
pub mod types;

use serde::Serialize;
use serde_json::{Value, json};

use crate::frontend::report::Report;
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::port::Port;
pub use resources::{Instance, Kind};

/// A DSC operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Actual state.
    Get,
    /// Make it so (`stateAndDiff`).
    Set,
    /// Compare (`stateAndDiff`).
    Test,
    /// Remove.
    Delete,
    /// Every instance, as JSON lines.
    Export,
    /// The instance schema.
    Schema,
}

/// DSC trace levels, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `error`.
    Error,
    /// `warn` (dsc's default).
    Warn,
    /// `info`.
    Info,
    /// `debug`.
    Debug,
    /// `trace`.
    Trace,
}

impl Level {
    /// From `DSC_TRACE_LEVEL` (any case); unknown or absent = `warn`.
    pub fn from_env(value: Option<&str>) -> Level {
        match value.map(str::to_ascii_lowercase).as_deref() {
            Some("error") => Level::Error,
            Some("info") => Level::Info,
            Some("debug") => Level::Debug,
            Some("trace") => Level::Trace,
            _ => Level::Warn,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

/// Collects stderr trace lines (`{"warn":"..."}`) at or above the configured level.
pub struct Tracer {
    level: Level,
    /// The lines so far.
    pub out: String,
}

impl Tracer {
    /// A tracer at `level`.
    pub fn new(level: Level) -> Tracer {
        Tracer {
            level,
            out: String::new(),
        }
    }

    /// Emits `message` at `level` (never give it a secret: nothing here holds one).
    pub fn emit(&mut self, level: Level, message: &str) {
        if level <= self.level {
            self.out.push_str(&line(&json!({ level.key(): message })));
        }
    }
}

/// One compact JSON line, non-ASCII escaped (survives any console code page).
pub fn line<T: Serialize>(v: &T) -> String {
    crate::frontend::json::line(v)
}

/// The message of an error with its remedy, for one trace line.
pub fn error_text(e: &Error) -> String {
    match e.remedy() {
        Some(r) => format!("{e}. {r}"),
        None => e.to_string(),
    }
}

/// Runs one DSC operation. `stdin` is the instance JSON (`None`/empty for export and schema);
/// `port` is `None` where there is no Windows.
pub fn run(
    op: Op,
    kind: Kind,
    what_if: bool,
    stdin: Option<&str>,
    port: Option<&mut dyn Port>,
    level: Level,
) -> Report {
    let mut tracer = Tracer::new(level);
    let result = operate(op, kind, what_if, stdin, port, &mut tracer);
    let (stdout, code) = match result {
        Ok(stdout) => (stdout, 0),
        Err(e) => {
            tracer.emit(Level::Error, &error_text(&e));
            (String::new(), e.exit_code())
        }
    };
    Report {
        stdout,
        stderr: tracer.out,
        code,
    }
}

fn operate(
    op: Op,
    kind: Kind,
    what_if: bool,
    stdin: Option<&str>,
    port: Option<&mut dyn Port>,
    tracer: &mut Tracer,
) -> Result<String, Error> {
    if op == Op::Schema {
        return Ok(line(&kind.schema()));
    }
    let Some(port) = port else {
        return Err(Error::Unsupported(
            "mapdrive's DSC resources manage Windows: run mapdrive.exe on Windows (or under Wine)"
                .into(),
        ));
    };
    let mut warnings = Vec::new();
    if op == Op::Export {
        tracer.emit(Level::Info, &format!("export {}", kind.type_name()));
        let list = resources::export(port, kind, &mut warnings);
        trace_warnings(tracer, &warnings);
        let mut out = String::new();
        for i in list? {
            out.push_str(&line(&i.to_json()));
        }
        return Ok(out);
    }
    let text = stdin.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(Error::Input(InputError::Conflict(format!(
            "no instance on standard input: give the {} instance as JSON",
            kind.type_name()
        ))));
    }
    let desired = Instance::from_text(kind, text)?;
    tracer.emit(
        Level::Debug,
        &format!(
            "{op:?} {} desired {}",
            kind.type_name(),
            line(&desired.to_json()).trim_end()
        ),
    );
    let result = match op {
        Op::Get => resources::get(port, &desired, &mut warnings).map(|a| line(&a.to_json())),
        Op::Test => resources::test(port, &desired, &mut warnings)
            .map(|t| line(&t.actual.to_json()) + &line(&t.diff)),
        Op::Set => resources::set(port, &desired, what_if, &mut warnings).map(|r| {
            tracer_actions(tracer, &r.actions, what_if);
            line(&r.state.to_json()) + &line(&r.changed_properties)
        }),
        Op::Delete => resources::delete(port, &desired, what_if, &mut warnings).map(|r| {
            tracer_actions(tracer, &r.actions, what_if);
            if what_if {
                line(&r.state.to_json())
            } else {
                String::new()
            }
        }),
        Op::Export | Op::Schema => Ok(String::new()),
    };
    trace_warnings(tracer, &warnings);
    result
}

fn tracer_actions(tracer: &mut Tracer, actions: &[String], what_if: bool) {
    for a in actions {
        let text = if what_if {
            format!("what-if: would {a}")
        } else {
            format!("done: {a}")
        };
        tracer.emit(Level::Info, &text);
    }
}

fn trace_warnings(tracer: &mut Tracer, warnings: &[String]) {
    for w in warnings {
        tracer.emit(Level::Warn, w);
    }
}

/// The manifest list (`dsc/mapdrive.dsc.manifests.json`), pretty-printed, as checked in.
pub fn manifest_text() -> String {
    let mut text = serde_json::to_string_pretty(&manifest::manifests()).unwrap_or_default();
    text.push('\n');
    text
}

/// Every resource's JSON Schema, by type name.
pub fn schemas() -> Value {
    Value::Object(
        Kind::ALL
            .iter()
            .map(|k| (k.type_name().to_string(), k.schema()))
            .collect(),
    )
}

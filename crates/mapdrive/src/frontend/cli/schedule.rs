//! `mapdrive schedule install|status|remove`: arguments, the checks of the file, the calls into
//! [`mapdrive_core::schedule`], and the rendering. No decision lives here.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::frontend::document;
use crate::frontend::report::Report;
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::port::Port;
use mapdrive_core::schedule::{
    self, Change, InstallOutcome, InstallRequest, RemoveOutcome, TaskName, TaskStatus,
};

/// `schedule` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Register a task that runs `mapdrivew.exe apply FILE` in the user's own logon session at
    /// logon, on unlock and remote connect, and when a network connects.
    Install(InstallArgs),
    /// Show the task: registered?, its triggers, its last run and result.
    Status(StatusArgs),
    /// Delete the task.
    Remove(RemoveArgs),
}

/// `--name`.
#[derive(Debug, Args, Clone)]
pub struct NameArg {
    /// Task name suffix: the task is named mapdrive-NAME (default: mapdrive).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// `schedule install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The desired-state file the task applies (a DSC document or a Drives.xml).
    pub file: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub name: NameArg,
    /// For every user who signs on (the Users group); copies the executables and FILE to
    /// %ProgramData%\mapdrive\ (users may read, not change). Needs an administrator or SYSTEM.
    #[arg(long)]
    pub all_users: bool,
    /// Change nothing; print the complete task definition (Task Scheduler XML) it would register.
    #[arg(long)]
    pub check: bool,
    /// Print JSON instead of text (the XML is its `definition` field).
    #[arg(long)]
    pub json: bool,
}

/// `schedule status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub name: NameArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `schedule remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub name: NameArg,
    /// Report what would change, change nothing.
    #[arg(long)]
    pub check: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl ScheduleCommand {
    /// Whether the output is JSON.
    pub fn json(&self) -> bool {
        match self {
            ScheduleCommand::Install(a) => a.json,
            ScheduleCommand::Status(a) => a.json,
            ScheduleCommand::Remove(a) => a.json,
        }
    }
}

/// Runs a `schedule` subcommand.
pub fn run(command: &ScheduleCommand, port: &mut dyn Port) -> Result<Report, Error> {
    match command {
        ScheduleCommand::Install(a) => install(a, port),
        ScheduleCommand::Status(a) => {
            let name = TaskName::new(a.name.name.as_deref())?;
            let status = schedule::status(&*port, &name)?;
            Ok(render_status(&status, a.json))
        }
        ScheduleCommand::Remove(a) => {
            let name = TaskName::new(a.name.name.as_deref())?;
            let outcome = schedule::remove(port, &name, a.check)?;
            Ok(render_remove(&outcome, a.json))
        }
    }
}

/// The file's full path, as the task will name it.
fn full_path(file: &Path) -> Result<String, Error> {
    let full = std::path::absolute(file).map_err(|e| {
        Error::Input(InputError::Conflict(format!(
            "could not make the path of FILE absolute: {e}"
        )))
    })?;
    Ok(full.to_string_lossy().into_owned())
}

fn install(a: &InstallArgs, port: &mut dyn Port) -> Result<Report, Error> {
    let name = TaskName::new(a.name.name.as_deref())?;
    let file = full_path(&a.file)?;
    // Read and check the file before anything changes: a file the task could never apply, or
    // one holding a secret anyone who can read it would have, is refused here (exit 2).
    let text = document::text::read_file(&a.file, "the file")?;
    document::refuse_literal_secrets(&text, &file)?;
    let extension = a
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 8)
        .unwrap_or_default();
    let outcome = schedule::install(
        port,
        &InstallRequest {
            name,
            file: &file,
            file_contents: text.as_bytes(),
            file_extension: &extension,
            all_users: a.all_users,
            check: a.check,
        },
    )?;
    Ok(render_install(&outcome, a.json))
}

fn verb(change: Change, check: bool) -> &'static str {
    match (change, check) {
        (Change::Create, false) => "created",
        (Change::Create, true) => "would create",
        (Change::Update, false) => "updated",
        (Change::Update, true) => "would update",
        (Change::Delete, false) => "deleted",
        (Change::Delete, true) => "would delete",
        (Change::Unchanged, _) => "unchanged",
        (Change::Absent, _) => "not registered",
    }
}

fn warnings(list: &[String]) -> String {
    list.iter().map(|w| format!("warning: {w}\n")).collect()
}

/// `install`: with `--check` the definition itself on stdout (byte for byte what `install`
/// registers; what would change goes to stderr), otherwise what was done.
fn render_install(o: &InstallOutcome, json: bool) -> Report {
    if json {
        return Report {
            stdout: crate::frontend::json::pretty(o),
            stderr: String::new(),
            code: 0,
        };
    }
    let mut summary = format!("task {}: {}\n", o.task, verb(o.change, o.check));
    for f in &o.files {
        let _ = writeln!(summary, "  {}: {}", f.path, verb(f.change, o.check));
    }
    if let Some(e) = &o.event_source {
        let change = match (&e.before, e.changed) {
            (_, false) => Change::Unchanged,
            (None, true) => Change::Create,
            (Some(_), true) => Change::Update,
        };
        let _ = writeln!(
            summary,
            "  Event Log source mapdrive ({}): {}",
            e.key,
            verb(change, o.check)
        );
    }
    if o.check {
        return Report {
            stdout: o.definition.clone(),
            stderr: format!("{summary}{}", warnings(&o.warnings)),
            code: 0,
        };
    }
    let _ = writeln!(
        summary,
        "  runs {} {}\n  as {}, in the user's own logon session (interactive token), least privilege\n  \
         at logon (+15s), on unlock and remote connect (+5s), when a network connects (+10s)",
        o.program,
        schedule::xml::arguments(&o.file),
        o.principal
    );
    Report {
        stdout: summary,
        stderr: warnings(&o.warnings),
        code: 0,
    }
}

fn render_status(s: &TaskStatus, json: bool) -> Report {
    if json {
        return Report {
            stdout: crate::frontend::json::pretty(s),
            stderr: String::new(),
            code: 0,
        };
    }
    let mut out = String::new();
    if !s.registered {
        let _ = writeln!(
            out,
            "task {}: not registered (mapdrive schedule install FILE registers it)",
            s.task
        );
        return Report {
            stdout: out,
            stderr: String::new(),
            code: 0,
        };
    }
    let enabled = if s.enabled == Some(false) {
        "disabled"
    } else {
        "enabled"
    };
    let _ = writeln!(out, "task {}: registered, {enabled}", s.task);
    match (&s.program, &s.arguments) {
        (Some(p), Some(a)) => {
            let _ = writeln!(out, "  runs: {p} {a}");
        }
        _ => {
            let _ = writeln!(out, "  runs: (not reported by Task Scheduler)");
        }
    }
    if s.triggers.is_empty() {
        let _ = writeln!(out, "  triggers: (none reported by Task Scheduler)");
    } else {
        let list: Vec<String> = s
            .triggers
            .iter()
            .map(|t| {
                let mut text = match &t.event {
                    Some(e) => format!("{} ({e})", t.kind),
                    None => t.kind.clone(),
                };
                if let Some(d) = &t.delay {
                    let _ = write!(text, " after {d}");
                }
                if !t.enabled {
                    text.push_str(" [disabled]");
                }
                text
            })
            .collect();
        let _ = writeln!(out, "  triggers: {}", list.join(", "));
    }
    let _ = writeln!(
        out,
        "  last run: {}",
        s.last_run.as_deref().unwrap_or("never")
    );
    if let Some(t) = &s.last_result_text {
        let _ = writeln!(out, "  last result: {t}");
    }
    Report {
        stdout: out,
        stderr: String::new(),
        code: 0,
    }
}

fn render_remove(o: &RemoveOutcome, json: bool) -> Report {
    if json {
        return Report {
            stdout: crate::frontend::json::pretty(o),
            stderr: String::new(),
            code: 0,
        };
    }
    let stdout = match o.change {
        Change::Absent => format!("task {}: not registered; nothing to remove\n", o.task),
        c => format!("task {}: {}\n", o.task, verb(c, o.check)),
    };
    Report {
        stdout,
        stderr: warnings(&o.warnings),
        code: 0,
    }
}

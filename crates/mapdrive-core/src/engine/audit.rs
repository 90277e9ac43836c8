//! The engine's side of the audit trail ([`crate::audit`]): which event a change, a failed
//! change or a document run writes, and the registration of the event source
//! (`mapdrive eventlog install|remove`).
//!
//! Every event goes out through [`Port::report_event`], whose failure never fails the command (a change gets a warning); reporting reads the
//! token's identity once per event and, when that fails, reports an unknown actor rather than
//! nothing.

use serde::Serialize;

use super::Change;
use crate::audit::{
    Actor, AuditEvent, AuditKind, EventSourceRegistration, SOURCE_KEY, Severity, TYPES_SUPPORTED,
};
use crate::error::{ApiError, ERROR_ACCESS_DENIED, Error};
use crate::plan::{Outcome, RestoreReport, State};
use crate::port::Port;

/// The actor of the token in effect.
fn actor(port: &dyn Port) -> Actor {
    port.identity()
        .map(|i| Actor::of(&i))
        .unwrap_or_else(|_| Actor::unknown())
}

/// What a change is about, as a failure event names it (an outcome names it itself).
fn subject(change: &Change) -> String {
    match change {
        Change::Map(r, _) => r.letter.to_string(),
        Change::Unmap(r) => r.letter.to_string(),
        Change::GlobalMap(r) => r.letter.to_string(),
        Change::GlobalUnmap(r) => r.letter.to_string(),
        Change::CredSet(r, _) => format!("credential {}", r.target),
        Change::CredRemove(r) => format!("credential {}", r.target),
        Change::LinkedConnections(_) => "EnableLinkedConnections".into(),
    }
}

/// What was asked for, in words (never a secret: the passwords in `Change` are not looked at).
fn asked(change: &Change) -> String {
    match change {
        Change::Map(r, _) => format!("map {} to {}", r.letter, r.remote),
        Change::Unmap(r) => format!("unmap {}", r.letter),
        Change::GlobalMap(r) if r.at_boot => {
            format!("define boot-time drive {} as {}", r.letter, r.remote)
        }
        Change::GlobalMap(r) => format!("map global drive {} to {}", r.letter, r.remote),
        Change::GlobalUnmap(r) if r.at_boot => format!("remove boot-time drive {}", r.letter),
        Change::GlobalUnmap(r) => format!("remove global drive {}", r.letter),
        Change::CredSet(r, _) => format!("save credential {} for {}", r.target, r.user_name),
        Change::CredRemove(r) => format!("remove credential {}", r.target),
        Change::LinkedConnections(v) => format!(
            "set EnableLinkedConnections {}",
            match v {
                Some(true) => "on",
                Some(false) => "off",
                None => "unset",
            }
        ),
    }
}

/// The kind of event a change that was made writes.
fn kind(change: &Change, before: Option<&State>) -> AuditKind {
    match change {
        Change::Map(..) => {
            if before
                .and_then(State::as_drive)
                .is_some_and(|d| d.connected == Some(true))
            {
                AuditKind::DriveRemapped
            } else {
                AuditKind::DriveMapped
            }
        }
        Change::Unmap(_) => AuditKind::DriveUnmapped,
        Change::GlobalMap(r) if r.at_boot => AuditKind::BootDriveDefined,
        Change::GlobalMap(_) => AuditKind::GlobalDriveMapped,
        Change::GlobalUnmap(r) if r.at_boot => AuditKind::BootDriveRemoved,
        Change::GlobalUnmap(_) => AuditKind::GlobalDriveRemoved,
        Change::CredSet(..) => AuditKind::CredentialWritten,
        Change::CredRemove(_) => AuditKind::CredentialRemoved,
        Change::LinkedConnections(_) => AuditKind::LinkedConnectionsPolicy,
    }
}

/// After a change was applied (not in check mode) in the token the port is on: one event when
/// it changed something, one failure event when it failed, none when there was nothing to do.
/// An event that cannot be written becomes a warning of the outcome.
pub(super) fn after_change(
    port: &mut dyn Port,
    change: &Change,
    result: &mut Result<Outcome, Error>,
) {
    match result {
        Ok(o) if o.changed && !o.check_mode => {
            let event = AuditEvent::change(
                kind(change, o.before.as_ref()),
                o.subject.clone(),
                o.before.as_ref(),
                o.after.as_ref(),
                actor(&*port),
            );
            if let Err(e) = port.report_event(&event) {
                o.warnings.push(not_logged(&e));
            }
        }
        Ok(_) => {}
        Err(e) => failure(port, change, e),
    }
}

/// The warning for an event the Application log did not take.
pub fn not_logged(e: &ApiError) -> String {
    format!(
        "the change is done but its audit event was not written to the Application log ({e}); \
         check that the Windows Event Log service is running"
    )
}

/// A change that failed. The command fails with the error itself, so an event the log does not
/// take is not said again.
pub(super) fn failure(port: &mut dyn Port, change: &Change, error: &Error) {
    let event = AuditEvent::failure(subject(change), asked(change), error, actor(&*port));
    let _ = port.report_event(&event);
}

/// After `restore` (not in check mode): a drive-mapped event per drive it reconnected, a
/// failure event per drive it could not.
pub(super) fn after_restore(port: &mut dyn Port, report: &RestoreReport) {
    if report.check_mode {
        return;
    }
    for d in &report.drives {
        let event = match d.result {
            "restored" => AuditEvent::described(
                AuditKind::DriveMapped,
                d.letter.to_string(),
                format!("{} (not connected, remembered)", d.remote),
                format!("{} (connected, remembered)", d.remote),
                actor(&*port),
            ),
            "failed" => AuditEvent {
                kind: AuditKind::ChangeFailed,
                severity: Severity::Error,
                subject: d.letter.to_string(),
                before: String::new(),
                after: format!("restore {} to {}", d.letter, d.remote),
                actor: actor(&*port),
                detail: d.detail.clone().unwrap_or_default(),
                code: d.code,
            },
            _ => continue,
        };
        // The restore report says per drive what happened; the log is the audit copy of it.
        let _ = port.report_event(&event);
    }
}

/// Writes the user's Explorer `NoDrives` (`before` is the value read before) and reports it.
pub fn set_no_drives(port: &mut dyn Port, before: Option<u32>, value: u32) -> Result<(), Error> {
    let subject = "NoDrives";
    let shown = |v: Option<u32>| v.map_or_else(|| "gone".to_string(), |v| format!("0x{v:X}"));
    match port.set_no_drives(value) {
        Ok(()) => {
            let event = AuditEvent::described(
                AuditKind::NoDrivesPolicy,
                subject,
                shown(before),
                shown(Some(value)),
                actor(&*port),
            );
            // NoDrives is a preference the caller reports; the log is the audit copy of it.
            let _ = port.report_event(&event);
            Ok(())
        }
        Err(e) => {
            let error = Error::api(
                "could not write NoDrives (HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer)",
                e,
            );
            let event = AuditEvent::failure(
                subject,
                format!("set NoDrives to 0x{value:X}"),
                &error,
                actor(&*port),
            );
            let _ = port.report_event(&event);
            Err(error)
        }
    }
}

/// Which document command a summary is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// `mapdrive apply FILE` (check mode: `apply --check`).
    Apply { check: bool },
    /// `mapdrive test FILE` (detection).
    Test,
}

/// The one summary event of a document run: for `apply` when it changed something or an item
/// failed (error when one failed), for `test` when an item is not in its desired state or failed
/// (a warning). Nothing for `apply --check`, a run that changed nothing, or a compliant `test`.
pub fn report_summary(
    port: &mut dyn Port,
    run: Run,
    file: &str,
    changed: bool,
    failed: bool,
    summary: &str,
) {
    let (kind, severity) = match run {
        Run::Apply { check: true } => return,
        Run::Apply { check: false } if !changed && !failed => return,
        Run::Apply { check: false } => (
            AuditKind::ApplySummary,
            if failed {
                Severity::Error
            } else {
                Severity::Information
            },
        ),
        Run::Test if !changed && !failed => return,
        Run::Test => (AuditKind::TestSummary, Severity::Warning),
    };
    let mut event = AuditEvent::described(kind, file, String::new(), String::new(), actor(&*port));
    event.severity = severity;
    event.detail = summary.to_string();
    // The summary line is the run's own last output line; the log is the audit copy of it.
    let _ = port.report_event(&event);
}

/// What `mapdrive eventlog install|remove` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EventSourceOutcome {
    /// Whether anything changed (or would, in check mode).
    pub changed: bool,
    /// `--check`: nothing was done; `after` is what would be.
    pub check_mode: bool,
    /// The registry key (under `HKEY_LOCAL_MACHINE`).
    pub key: String,
    /// The registration before (`null`: not registered).
    pub before: Option<EventSourceRegistration>,
    /// The registration after (predicted in check mode).
    pub after: Option<EventSourceRegistration>,
}

/// Registers (`install`) or removes the event source `mapdrive` for the running executable.
/// Idempotent: what is already as asked is not written again. Needs administrator rights.
pub fn event_source(
    port: &mut dyn Port,
    install: bool,
    check: bool,
) -> Result<EventSourceOutcome, Error> {
    let message_file = if install {
        Some(
            port.executable_path()
                .map_err(|e| Error::api("could not read the path of mapdrive.exe", e))?,
        )
    } else {
        None
    };
    event_source_for(port, message_file, check)
}

/// Registers the event source with `message_file` (the executable holding the message table),
/// or removes it (`None`). What `eventlog install|remove` and `schedule install --all-users`
/// (with the copy in `%ProgramData%\mapdrive`) do.
pub fn event_source_for(
    port: &mut dyn Port,
    message_file: Option<String>,
    check: bool,
) -> Result<EventSourceOutcome, Error> {
    let install = message_file.is_some();
    let key = format!("HKLM\\{SOURCE_KEY}");
    let before = port
        .event_source()
        .map_err(|e| Error::api(format!("could not read {key}"), e))?;
    let want = message_file.map(|exe| EventSourceRegistration {
        message_file: exe,
        types_supported: Some(TYPES_SUPPORTED),
    });
    let changed = before != want;
    if changed && !check {
        port.set_event_source(want.as_ref()).map_err(|e| {
            let (verb, command) = if install {
                ("register", "install")
            } else {
                ("remove", "remove")
            };
            let denied = e.code == ERROR_ACCESS_DENIED;
            Error::Api {
                context: format!("could not {verb} the event source {key}"),
                api_error: e,
                hint: denied.then(|| {
                    "The key is under HKEY_LOCAL_MACHINE, which only administrators may change; \
                     events are written without it too (Event Viewer then shows them with a \
                     generic text)."
                        .to_string()
                }),
                fix: denied.then(|| {
                    format!(
                        "run `mapdrive eventlog {command}` from an elevated prompt (Run as \
                         administrator) or as SYSTEM"
                    )
                }),
                changed: false,
            }
        })?;
    }
    Ok(EventSourceOutcome {
        changed,
        check_mode: check,
        key,
        before,
        after: want,
    })
}

/// A change `mapdrive schedule` made (`kind`: installed or removed), after it succeeded; an
/// error is the caller's warning ([`not_logged`]).
pub fn report_schedule(
    port: &mut dyn Port,
    kind: AuditKind,
    task: &str,
    before: String,
    after: String,
    detail: String,
) -> Result<(), ApiError> {
    let mut event = AuditEvent::described(kind, task, before, after, actor(&*port));
    event.detail = detail;
    port.report_event(&event)
}

/// A change `mapdrive schedule` could not make: `asked` says what was asked for. The command
/// fails with the error itself, so an event the log does not take is not said again.
pub fn report_schedule_failure(port: &mut dyn Port, task: &str, asked: &str, error: &Error) {
    let event = AuditEvent::failure(task, asked, error, actor(&*port));
    let _ = port.report_event(&event);
}

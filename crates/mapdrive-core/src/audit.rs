//! The audit trail: one Application-log event (source `mapdrive`) per change and per failed
//! change, whichever front-end asked for it.
//!
//! The engine builds an [`AuditEvent`] where a change is applied and verified, and hands it to
//! [`Port::report_event`](crate::port::Port::report_event): the Win32 adapter writes it with
//! `ReportEventW` (the acting user's SID as `lpUserSid`), the session model records it for the
//! tests. Reporting never fails a command. Read-only commands, check mode and a run that finds
//! nothing to change report nothing.
//!
//! The event IDs are part of the interface (filters, SIEM rules and Intune reports select on
//! them): they are listed in `docs/audit.md`, each has a message with the same ID in
//! `crates/mapdrive/res/messages.mc` (the message table compiled into `mapdrive.exe`), and a
//! test pins them. Never renumber one; add new kinds with new numbers.
//!
//! Every event carries the same nine inserts (`%1`..`%9` in the messages), in this order:
//! subject, before, after, account, SID, logon session, detail, Win32 code, code name.
//! None of them is ever a secret: the before/after are [`describe`]d states, which hold no
//! secret, and the detail is an error text or a summary line (neither holds one).

use serde::Serialize;

use crate::domain::{Identity, Luid};
use crate::plan::State;

/// The event source name (`RegisterEventSourceW`) and its registry key's name.
pub const SOURCE: &str = "mapdrive";

/// Where the source is registered (under `HKEY_LOCAL_MACHINE`).
pub const SOURCE_KEY: &str = r"SYSTEM\CurrentControlSet\Services\EventLog\Application\mapdrive";

/// `TypesSupported` of the registration: `EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE |
/// EVENTLOG_INFORMATION_TYPE`.
pub const TYPES_SUPPORTED: u32 = 7;

/// What kind of event: one stable ID each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A drive letter was mapped (it did not map anything in this logon session before).
    DriveMapped,
    /// A drive letter was disconnected and/or forgotten.
    DriveUnmapped,
    /// A mapped drive was changed: another share, user, remembered entry or label.
    DriveRemapped,
    /// A saved credential was created or rewritten (never its secret).
    CredentialWritten,
    /// A saved credential was deleted.
    CredentialRemoved,
    /// A global drive (SYSTEM's, seen by every user) was mapped or changed.
    GlobalDriveMapped,
    /// A global drive was removed.
    GlobalDriveRemoved,
    /// A boot-time drive (`Session Manager\DOS Devices`) was defined or changed.
    BootDriveDefined,
    /// A boot-time drive was removed.
    BootDriveRemoved,
    /// The EnableLinkedConnections policy was set or removed.
    LinkedConnectionsPolicy,
    /// The user's Explorer `NoDrives` policy was written.
    NoDrivesPolicy,
    /// `mapdrive apply FILE` changed something or failed: its one-line summary.
    ApplySummary,
    /// `mapdrive test FILE` found items not in their desired state: its one-line summary.
    TestSummary,
    /// `mapdrive schedule install` registered or updated its task (or the files and event
    /// source an `--all-users` install keeps in `%ProgramData%\mapdrive`).
    ScheduledTaskInstalled,
    /// `mapdrive schedule remove` deleted its task.
    ScheduledTaskRemoved,
    /// A change failed (with the Win32 code and its name when Windows refused).
    ChangeFailed,
}

impl AuditKind {
    /// Every kind, in ID order.
    pub const ALL: [AuditKind; 16] = [
        AuditKind::DriveMapped,
        AuditKind::DriveUnmapped,
        AuditKind::DriveRemapped,
        AuditKind::CredentialWritten,
        AuditKind::CredentialRemoved,
        AuditKind::GlobalDriveMapped,
        AuditKind::GlobalDriveRemoved,
        AuditKind::BootDriveDefined,
        AuditKind::BootDriveRemoved,
        AuditKind::LinkedConnectionsPolicy,
        AuditKind::NoDrivesPolicy,
        AuditKind::ApplySummary,
        AuditKind::TestSummary,
        AuditKind::ScheduledTaskInstalled,
        AuditKind::ScheduledTaskRemoved,
        AuditKind::ChangeFailed,
    ];

    /// The event ID (`ReportEventW`'s `dwEventID`, and the message ID in the message table).
    /// Stable: never change one.
    pub fn id(self) -> u32 {
        match self {
            AuditKind::DriveMapped => 1000,
            AuditKind::DriveUnmapped => 1001,
            AuditKind::DriveRemapped => 1002,
            AuditKind::CredentialWritten => 1010,
            AuditKind::CredentialRemoved => 1011,
            AuditKind::GlobalDriveMapped => 1020,
            AuditKind::GlobalDriveRemoved => 1021,
            AuditKind::BootDriveDefined => 1022,
            AuditKind::BootDriveRemoved => 1023,
            AuditKind::LinkedConnectionsPolicy => 1030,
            AuditKind::NoDrivesPolicy => 1031,
            AuditKind::ApplySummary => 1040,
            AuditKind::TestSummary => 1041,
            AuditKind::ScheduledTaskInstalled => 1050,
            AuditKind::ScheduledTaskRemoved => 1051,
            AuditKind::ChangeFailed => 1100,
        }
    }

    /// The symbolic name the message table gives the ID (`SymbolicName=` in `messages.mc`).
    pub fn symbol(self) -> &'static str {
        match self {
            AuditKind::DriveMapped => "MSG_DRIVE_MAPPED",
            AuditKind::DriveUnmapped => "MSG_DRIVE_UNMAPPED",
            AuditKind::DriveRemapped => "MSG_DRIVE_REMAPPED",
            AuditKind::CredentialWritten => "MSG_CREDENTIAL_WRITTEN",
            AuditKind::CredentialRemoved => "MSG_CREDENTIAL_REMOVED",
            AuditKind::GlobalDriveMapped => "MSG_GLOBAL_DRIVE_MAPPED",
            AuditKind::GlobalDriveRemoved => "MSG_GLOBAL_DRIVE_REMOVED",
            AuditKind::BootDriveDefined => "MSG_BOOT_DRIVE_DEFINED",
            AuditKind::BootDriveRemoved => "MSG_BOOT_DRIVE_REMOVED",
            AuditKind::LinkedConnectionsPolicy => "MSG_LINKED_CONNECTIONS_POLICY",
            AuditKind::NoDrivesPolicy => "MSG_NO_DRIVES_POLICY",
            AuditKind::ApplySummary => "MSG_APPLY_SUMMARY",
            AuditKind::TestSummary => "MSG_TEST_SUMMARY",
            AuditKind::ScheduledTaskInstalled => "MSG_SCHEDULED_TASK_INSTALLED",
            AuditKind::ScheduledTaskRemoved => "MSG_SCHEDULED_TASK_REMOVED",
            AuditKind::ChangeFailed => "MSG_CHANGE_FAILED",
        }
    }

    /// The severity an event of this kind has unless it says otherwise (summaries vary).
    pub fn default_severity(self) -> Severity {
        match self {
            AuditKind::ChangeFailed => Severity::Error,
            AuditKind::TestSummary => Severity::Warning,
            _ => Severity::Information,
        }
    }
}

/// The event type (`ReportEventW`'s `wType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// `EVENTLOG_INFORMATION_TYPE` (4).
    Information,
    /// `EVENTLOG_WARNING_TYPE` (2).
    Warning,
    /// `EVENTLOG_ERROR_TYPE` (1).
    Error,
}

impl Severity {
    /// The `wType` value.
    pub fn event_type(self) -> u16 {
        match self {
            Severity::Information => 4,
            Severity::Warning => 2,
            Severity::Error => 1,
        }
    }
}

/// Who made the change: the token in effect when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// `DOMAIN\user` (empty when the token could not be read).
    pub account: String,
    /// The user's SID, `S-1-5-...` (`ReportEventW`'s `lpUserSid`; empty when unknown).
    pub sid: String,
    /// The logon session the change was made in (`None` when unknown).
    pub logon_id: Option<Luid>,
}

impl Actor {
    /// The actor of a token.
    pub fn of(identity: &Identity) -> Actor {
        Actor {
            account: identity.user.clone(),
            sid: identity.sid.clone(),
            logon_id: Some(identity.logon_id),
        }
    }

    /// When the token could not be read.
    pub fn unknown() -> Actor {
        Actor {
            account: String::new(),
            sid: String::new(),
            logon_id: None,
        }
    }
}

/// One event of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub kind: AuditKind,
    pub severity: Severity,
    /// What the change is about: a drive letter, a credential target, a policy, a file.
    pub subject: String,
    /// The state before, as [`State::short_description`] says it (`gone` = did not exist).
    pub before: String,
    /// The state after (or, for a failure, what was asked for).
    pub after: String,
    /// Who, and in which logon session.
    pub actor: Actor,
    /// A failure's message, or a summary line; empty otherwise.
    pub detail: String,
    /// A failure's Win32 code, when Windows refused.
    pub code: Option<u32>,
}

impl AuditEvent {
    /// A change from `before` to `after`.
    pub fn change(
        kind: AuditKind,
        subject: impl Into<String>,
        before: Option<&State>,
        after: Option<&State>,
        actor: Actor,
    ) -> AuditEvent {
        AuditEvent::described(kind, subject, describe(before), describe(after), actor)
    }

    /// A change with its before and after already described.
    pub fn described(
        kind: AuditKind,
        subject: impl Into<String>,
        before: String,
        after: String,
        actor: Actor,
    ) -> AuditEvent {
        AuditEvent {
            kind,
            severity: kind.default_severity(),
            subject: subject.into(),
            before,
            after,
            actor,
            detail: String::new(),
            code: None,
        }
    }

    /// A failed change: `asked` says what was asked for, `error` why it failed.
    pub fn failure(
        subject: impl Into<String>,
        asked: impl Into<String>,
        error: &crate::error::Error,
        actor: Actor,
    ) -> AuditEvent {
        AuditEvent {
            kind: AuditKind::ChangeFailed,
            severity: Severity::Error,
            subject: subject.into(),
            before: String::new(),
            after: asked.into(),
            actor,
            detail: error.to_string(),
            code: error.code(),
        }
    }

    /// The message inserts `%1`..`%9`, in the order the message table uses them.
    pub fn inserts(&self) -> [String; 9] {
        let code = self.code.map(|c| c.to_string()).unwrap_or_default();
        let name = self.code.map(crate::error::error_name).unwrap_or_default();
        [
            self.subject.clone(),
            self.before.clone(),
            self.after.clone(),
            self.actor.account.clone(),
            self.actor.sid.clone(),
            self.actor
                .logon_id
                .map(|l| l.to_string())
                .unwrap_or_default(),
            self.detail.clone(),
            code,
            name,
        ]
    }

    /// The event as one line of text (Windows' generic rendering, and the model's display).
    pub fn text(&self) -> String {
        format!("{} {}", self.kind.id(), self.inserts().join(" | "))
    }
}

/// A state as an event's before/after says it: [`State::short_description`] with what else
/// identifies it (a drive's remembered user, label and globalness; a credential's type, user,
/// persistence, alias and comment; the policy's value). Never a secret: no state holds one.
pub fn describe(state: Option<&State>) -> String {
    /// The word serde gives a value (`domain_password`, `local`, `enabled`).
    fn word<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
    match state {
        Some(State::Drive(d)) => {
            let mut out = State::short_description(state);
            if let Some(u) = d.user_name.as_deref().filter(|u| !u.is_empty()) {
                out.push_str(&format!(", user {u}"));
            }
            if let Some(Some(l)) = &d.label {
                out.push_str(&format!(", label \"{l}\""));
            }
            if d.global == Some(true) {
                out.push_str(", global");
            }
            out
        }
        Some(State::Boot(b)) => format!("{} -> {}", b.name, b.target),
        Some(State::Credential(c)) => {
            let mut out = format!(
                "{} ({}, user {}, persistence {}",
                c.target,
                word(&c.kind),
                c.user_name.as_deref().unwrap_or("(none)"),
                word(&c.persistence)
            );
            if let Some(a) = &c.alias {
                out.push_str(&format!(", alias {a}"));
            }
            if let Some(m) = &c.comment {
                out.push_str(&format!(", comment \"{m}\""));
            }
            out.push(')');
            out
        }
        Some(State::LinkedConnections(l)) => word(l),
        None => State::short_description(None),
    }
}

/// The registration of the event source: what `mapdrive eventlog install` writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EventSourceRegistration {
    /// `EventMessageFile` (`REG_EXPAND_SZ`): the executable holding the message table.
    pub message_file: String,
    /// `TypesSupported` (`REG_DWORD`), `None` when absent.
    pub types_supported: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IDs are an interface: this list is docs/audit.md's table and must never change
    /// (add new kinds at the end with new numbers).
    #[test]
    fn event_ids_are_stable() {
        let ids: Vec<(u32, &str)> = AuditKind::ALL
            .iter()
            .map(|k| (k.id(), k.symbol()))
            .collect();
        assert_eq!(
            ids,
            [
                (1000, "MSG_DRIVE_MAPPED"),
                (1001, "MSG_DRIVE_UNMAPPED"),
                (1002, "MSG_DRIVE_REMAPPED"),
                (1010, "MSG_CREDENTIAL_WRITTEN"),
                (1011, "MSG_CREDENTIAL_REMOVED"),
                (1020, "MSG_GLOBAL_DRIVE_MAPPED"),
                (1021, "MSG_GLOBAL_DRIVE_REMOVED"),
                (1022, "MSG_BOOT_DRIVE_DEFINED"),
                (1023, "MSG_BOOT_DRIVE_REMOVED"),
                (1030, "MSG_LINKED_CONNECTIONS_POLICY"),
                (1031, "MSG_NO_DRIVES_POLICY"),
                (1040, "MSG_APPLY_SUMMARY"),
                (1041, "MSG_TEST_SUMMARY"),
                (1050, "MSG_SCHEDULED_TASK_INSTALLED"),
                (1051, "MSG_SCHEDULED_TASK_REMOVED"),
                (1100, "MSG_CHANGE_FAILED"),
            ]
        );
    }

    #[test]
    fn severities_are_event_log_types() {
        assert_eq!(Severity::Information.event_type(), 4);
        assert_eq!(Severity::Warning.event_type(), 2);
        assert_eq!(Severity::Error.event_type(), 1);
        assert_eq!(AuditKind::ChangeFailed.default_severity(), Severity::Error);
    }

    #[test]
    fn a_failure_carries_the_code_and_its_name() {
        let e = crate::error::Error::api(
            "could not connect M:",
            crate::error::ApiError::new("WNetAddConnection2W", 1219),
        );
        let ev = AuditEvent::failure("M:", "\\\\fs\\pub", &e, Actor::unknown());
        let ins = ev.inserts();
        assert_eq!(ins[7], "1219");
        assert_eq!(ins[8], "ERROR_SESSION_CREDENTIAL_CONFLICT");
        assert!(ins[6].contains("could not connect M:"), "{ins:?}");
    }
}

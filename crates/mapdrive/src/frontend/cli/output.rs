//! The JSON contract: every shape `--json` prints, defined once as Rust types, rendered from
//! them, and published as one JSON Schema per command under `schemas/` ([`schemas`]).
//!
//! Vocabulary (the same fact has the same name in every command, the text output, the Ansible
//! modules and the DSC resources):
//! - `changed`: whether anything changed (with `--check`: would change); present on every result
//!   of a command that can change something, and on errors (an error can leave a change behind).
//! - `failed`: `true` on an error object, which every command prints with `--json` (usage errors
//!   included); `restore` also says `failed` when one of its drives failed. Exit code ≠ 0 ⇔ failed.
//! - `connected` / `remembered`: whether a drive letter is connected in the logon session acted in
//!   / has an `HKCU\Network` entry — in `list` rows, in `before`/`after` of `map`/`unmap`, and in
//!   `restore` rows. `list`'s `status` is the `net use` word for the same row (`OK`,
//!   `Unavailable`, `Disconnected`); `restore`'s `result` is what restore did to the row.
//! - `linked_connections`: the EnableLinkedConnections policy (`not_configured`, `disabled`,
//!   `enabled`) in `whoami`, `doctor` and `policy linked-connections`.
//! - `before`/`after`: the state of the subject, `null` when it does not exist.
//! - `session`: `current` or `linked` (the half of a split token acted in) where several are.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;

use crate::doctor::{Diagnosis, WhoAmI};
use crate::domain::{CredentialInfo, DriveLetter, LinkedConnections, Luid};
use crate::error::{Error, lookup};
use crate::plan::inventory::Inventory;
use crate::plan::{Outcome, RestoreReport};
use crate::port::TokenChoice;

impl JsonSchema for DriveLetter {
    fn schema_name() -> Cow<'static, str> {
        "DriveLetter".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^[A-Z]:$", "description": "A drive letter with its colon."})
    }
}

impl JsonSchema for Luid {
    fn schema_name() -> Cow<'static, str> {
        "Luid".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^0x[0-9a-f]+$", "description": "A logon session id (LUID) in hex."})
    }
}

/// The state of one drive letter in `before`/`after` of `map`, `unmap`, `map --global`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DriveState {
    /// Letter.
    pub letter: DriveLetter,
    /// Connected path, else the remembered one.
    pub remote: String,
    /// Connected in the logon session acted in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected: Option<bool>,
    /// Has an `HKCU\Network` entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered: Option<bool>,
    /// The remembered `UserName` ("" = none: reconnecting uses the Credential Manager).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The remembered path when it differs from the connected one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered_remote: Option<String>,
    /// Explorer label of the share, when `--label` was given (`null`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Option<String>>,
    /// A global drive (SYSTEM's, seen by every user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global: Option<bool>,
}

/// A boot-time global drive (`Session Manager\DOS Devices`) in `before`/`after`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BootState {
    /// Value name (`G:`).
    pub name: String,
    /// NT target.
    pub target: String,
    /// The share it maps, when it is a network drive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
}

/// What `before` and `after` can hold (`null`: the subject does not exist).
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
pub enum State {
    /// A drive letter.
    Drive(DriveState),
    /// A boot-time global drive.
    Boot(BootState),
    /// A saved credential (never its secret).
    Credential(CredentialInfo),
    /// The EnableLinkedConnections policy.
    LinkedConnections(LinkedConnections),
}

/// The kind of an error, which also fixes the exit code.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Exit 1: Windows refused the operation.
    WindowsError,
    /// Exit 1: the operation succeeded but the requested state does not hold afterwards
    /// (another program changed it at the same time).
    NotConverged,
    /// Exit 2: invalid input or usage; nothing was changed.
    InvalidInput,
    /// Exit 3: mapdrive refused to do this as asked.
    Refused,
    /// Exit 4: not supported here.
    Unsupported,
}

/// The error itself.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// Kind (and so exit code).
    pub kind: ErrorKind,
    /// What went wrong.
    pub message: String,
    /// The Win32 code, when Windows reported one.
    pub code: Option<u32>,
    /// Its `ERROR_*` name.
    pub name: Option<String>,
    /// What it means and what to do.
    pub remedy: Option<String>,
}

/// What every command prints with `--json` when it fails (usage errors included).
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorReport {
    /// Always `true`.
    pub failed: bool,
    /// Whether something changed despite the failure (e.g. one half of `--session both`).
    pub changed: bool,
    /// The error.
    pub error: ErrorBody,
    /// With `--session both`: the sessions that were acted in before the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<SessionOutcome>>,
}

impl ErrorReport {
    /// The report of `e`.
    pub fn new(e: &Error) -> ErrorReport {
        let kind = match e {
            Error::Api { .. } => ErrorKind::WindowsError,
            Error::NotConverged { .. } => ErrorKind::NotConverged,
            Error::Input(_) => ErrorKind::InvalidInput,
            Error::Refused { .. } => ErrorKind::Refused,
            Error::Unsupported(_) => ErrorKind::Unsupported,
        };
        ErrorReport {
            failed: true,
            changed: e.left_changed(),
            error: ErrorBody {
                kind,
                message: e.to_string(),
                code: e.code(),
                name: e.code().and_then(lookup).map(|i| i.name.to_string()),
                remedy: e.remedy(),
            },
            sessions: None,
        }
    }
}

/// Which half of a split token a result is about.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionName {
    /// The process's own logon session.
    Current,
    /// The linked (other half) logon session.
    Linked,
}

impl From<TokenChoice> for SessionName {
    fn from(t: TokenChoice) -> SessionName {
        match t {
            TokenChoice::Current => SessionName::Current,
            TokenChoice::Linked => SessionName::Linked,
        }
    }
}

/// A change's outcome in one logon session (`--session both`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionOutcome {
    /// Which session.
    pub session: SessionName,
    /// What happened there.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The result of a change command (`map`, `unmap`, `cred set`, `cred remove`, `policy ... VALUE`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ChangeOutput {
    /// One logon session.
    One(Outcome),
    /// Several (`--session both`).
    Sessions {
        /// Whether anything changed in any of them.
        changed: bool,
        /// Per session.
        sessions: Vec<SessionOutcome>,
    },
}

/// `list --json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ListOutput {
    /// One logon session.
    One(Inventory),
    /// Several (`--session both`).
    Sessions {
        /// Per session.
        sessions: Vec<Inventory>,
    },
}

/// One vault of `cred list --session both`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Vault {
    /// Which session.
    pub session: SessionName,
    /// Its credentials.
    pub credentials: Vec<CredentialInfo>,
}

/// `cred list --json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CredListOutput {
    /// One vault: its credentials.
    One(Vec<CredentialInfo>),
    /// Several (`--session both`).
    Sessions(Vec<Vault>),
}

/// `restore --json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RestoreOutput {
    /// One logon session.
    One(RestoreReport),
    /// Several (`--session both`).
    Sessions {
        /// Whether anything changed in any of them.
        changed: bool,
        /// Per session.
        sessions: Vec<RestoreReport>,
    },
}

/// `policy linked-connections --json` without a value.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PolicyOutput {
    /// EnableLinkedConnections.
    pub linked_connections: LinkedConnections,
}

/// `policy linked-connections [VALUE] --json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum PolicyCommandOutput {
    /// Without a value: the setting.
    Show(PolicyOutput),
    /// With a value: the change.
    Set(Box<Outcome>),
}

/// `explain CODE --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExplainOutput {
    /// The Win32 code.
    pub code: u32,
    /// `ERROR_*` name.
    pub name: String,
    /// What it means for mapped drives.
    pub meaning: String,
    /// What to do.
    pub remedy: String,
}

/// `mapdrive --version --json`: what was built, from which commit, for which target.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VersionOutput {
    /// Always `mapdrive`.
    pub name: String,
    /// The version from `Cargo.toml` (also the executable's FileVersion and ProductVersion).
    pub version: String,
    /// The git commit the executable was built from (`git rev-parse HEAD`), or `unknown` when it
    /// was not built from a git checkout.
    pub commit: String,
    /// The Rust target triple it was built for, e.g. `x86_64-pc-windows-gnu`.
    pub target: String,
}

impl VersionOutput {
    /// This executable's.
    pub fn current() -> VersionOutput {
        VersionOutput {
            name: "mapdrive".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: env!("MAPDRIVE_COMMIT").into(),
            target: env!("MAPDRIVE_TARGET").into(),
        }
    }
}

/// A command's output: its result, or the error object.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Output<T> {
    /// Success.
    Ok(T),
    /// Failure (exit code ≠ 0).
    Failed(ErrorReport),
}

fn schema<T: JsonSchema>(title: &str) -> Schema {
    // The serialize contract: fields skipped when empty are not required.
    let mut s = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Output<T>>();
    s.insert("title".into(), title.into());
    s
}

/// One JSON Schema per command (file name without `.json`, schema), as checked in under `schemas/`.
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("list", schema::<ListOutput>("mapdrive list --json")),
        ("map", schema::<ChangeOutput>("mapdrive map --json")),
        ("unmap", schema::<ChangeOutput>("mapdrive unmap --json")),
        (
            "cred-list",
            schema::<CredListOutput>("mapdrive cred list --json"),
        ),
        (
            "cred-set",
            schema::<ChangeOutput>("mapdrive cred set --json"),
        ),
        (
            "cred-remove",
            schema::<ChangeOutput>("mapdrive cred remove --json"),
        ),
        ("whoami", schema::<WhoAmI>("mapdrive whoami --json")),
        (
            "restore",
            schema::<RestoreOutput>("mapdrive restore --json"),
        ),
        (
            "policy-linked-connections",
            schema::<PolicyCommandOutput>("mapdrive policy linked-connections --json"),
        ),
        ("doctor", schema::<Diagnosis>("mapdrive doctor --json")),
        (
            "explain",
            schema::<ExplainOutput>("mapdrive explain --json"),
        ),
        (
            "version",
            schema::<VersionOutput>("mapdrive --version --json"),
        ),
    ]
}

/// The schema file (under `schemas/`) for a command line, e.g. `["cred", "set", ...]` → `cred-set`.
pub fn schema_name(args: &[&str]) -> Option<&'static str> {
    let words: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .take(2)
        .map(|a| a.to_ascii_lowercase())
        .collect();
    let first = words.first()?.as_str();
    let second = words.get(1).map(String::as_str);
    Some(match (first, second) {
        ("list", _) => "list",
        ("map", _) => "map",
        ("unmap", _) => "unmap",
        ("cred", Some("list")) => "cred-list",
        ("cred", Some("set")) => "cred-set",
        ("cred", Some("remove")) => "cred-remove",
        ("whoami", _) => "whoami",
        ("restore", _) => "restore",
        ("policy", _) => "policy-linked-connections",
        ("doctor", _) => "doctor",
        ("explain", _) => "explain",
        _ => return None,
    })
}

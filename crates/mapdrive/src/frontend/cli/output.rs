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

use schemars::{JsonSchema, Schema};
use serde::Serialize;

use mapdrive_core::doctor::picture::Picture;
use mapdrive_core::doctor::{Diagnosis, WhoAmI};
use mapdrive_core::domain::{CredentialInfo, LinkedConnections};
use mapdrive_core::error::{Error, ErrorKind, lookup};
use mapdrive_core::plan::inventory::Inventory;
pub use mapdrive_core::plan::state::{BootState, DriveState, State};
use mapdrive_core::plan::{Outcome, RestoreReport};
use mapdrive_core::port::TokenChoice;

/// The error itself.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// What kind of failure (which fixes the exit code).
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
    /// What failed, and what to do about it.
    pub error: ErrorBody,
    /// With `--session both`: the sessions that were acted in before the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<SessionOutcome>>,
}

impl ErrorReport {
    /// The report of `e`.
    pub fn new(e: &Error) -> ErrorReport {
        ErrorReport {
            failed: true,
            changed: e.left_changed(),
            error: ErrorBody {
                kind: e.kind(),
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
    /// Which half of the split token: this process's logon session or the linked one.
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
    One(Box<Outcome>),
    /// Several (`--session both`).
    Sessions {
        /// Whether anything changed in any of them.
        changed: bool,
        /// The result in each logon session acted in, in order.
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
        /// The result in each logon session acted in, in order.
        sessions: Vec<Inventory>,
    },
}

/// One vault of `cred list --session both`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Vault {
    /// Which half of the split token: this process's logon session or the linked one.
    pub session: SessionName,
    /// The credentials saved in that session's vault (never their secrets).
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
        /// The result in each logon session acted in, in order.
        sessions: Vec<RestoreReport>,
    },
}

/// `policy linked-connections --json` without a value.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PolicyOutput {
    /// The EnableLinkedConnections policy as configured.
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
        ("sessions", schema::<Picture>("mapdrive sessions --json")),
        (
            "schedule-install",
            schema::<mapdrive_core::schedule::InstallOutcome>("mapdrive schedule install --json"),
        ),
        (
            "schedule-status",
            schema::<mapdrive_core::schedule::TaskStatus>("mapdrive schedule status --json"),
        ),
        (
            "schedule-remove",
            schema::<mapdrive_core::schedule::RemoveOutcome>("mapdrive schedule remove --json"),
        ),
        (
            "explain",
            schema::<ExplainOutput>("mapdrive explain --json"),
        ),
        (
            "version",
            schema::<VersionOutput>("mapdrive --version --json"),
        ),
        (
            "eventlog",
            schema::<mapdrive_core::engine::audit::EventSourceOutcome>(
                "mapdrive eventlog install|remove --json",
            ),
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
        ("sessions", _) => "sessions",
        ("explain", _) => "explain",
        ("eventlog", _) => "eventlog",
        ("schedule", Some("install")) => "schedule-install",
        ("schedule", Some("status")) => "schedule-status",
        ("schedule", Some("remove")) => "schedule-remove",
        _ => return None,
    })
}

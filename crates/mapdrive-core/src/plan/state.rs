//! The state of a plan's subject, as `before`/`after` show it in every front-end.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;

use crate::domain::{CredentialInfo, DriveLetter, LinkedConnections, Luid};

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DriveState {
    /// The drive letter (`M:`).
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BootState {
    /// The `DOS Devices` value name (`G:`).
    pub name: String,
    /// The NT path the value points to (`\??\UNC\server\share` for a network drive).
    pub target: String,
    /// The share it maps, when it is a network drive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
}

// Every front-end renders this one type; none looks keys up in JSON.
/// The state of what a change is about: a drive letter, a boot-time drive, a saved credential or
/// the EnableLinkedConnections policy (`null` where it does not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
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

impl DriveState {
    /// `letter` maps `remote`; nothing else is known yet.
    pub fn new(letter: DriveLetter, remote: String) -> DriveState {
        DriveState {
            letter,
            remote,
            connected: None,
            remembered: None,
            user_name: None,
            remembered_remote: None,
            label: None,
            global: None,
        }
    }
}

impl State {
    /// A short description for messages: `\\fs\pub (connected, not remembered)`, or `gone`.
    pub fn short_description(state: Option<&State>) -> String {
        let Some(state) = state else {
            return "gone".into();
        };
        let (what, flags): (&str, Vec<&str>) = match state {
            State::Drive(d) => (
                &d.remote,
                [
                    d.connected
                        .map(|c| if c { "connected" } else { "not connected" }),
                    d.remembered
                        .map(|r| if r { "remembered" } else { "not remembered" }),
                ]
                .into_iter()
                .flatten()
                .collect(),
            ),
            State::Boot(b) => (&b.target, Vec::new()),
            State::Credential(c) => (&c.target, Vec::new()),
            State::LinkedConnections(_) => ("present", Vec::new()),
        };
        if flags.is_empty() {
            what.to_string()
        } else {
            format!("{what} ({})", flags.join(", "))
        }
    }

    /// The drive state, when this is one.
    pub fn as_drive(&self) -> Option<&DriveState> {
        match self {
            State::Drive(d) => Some(d),
            _ => None,
        }
    }
}

/// The names (as `before`/`after` spell them) of what differs between two states of one subject;
/// `exists` when one side is `null`. A secret is never part of a state, so never named here.
pub fn changed_fields(before: Option<&State>, after: Option<&State>) -> Vec<&'static str> {
    let (b, a) = match (before, after) {
        (None, None) => return Vec::new(),
        (Some(b), Some(a)) => (b, a),
        _ => return vec!["exists"],
    };
    let mut out = Vec::new();
    let mut differs = |name: &'static str, d: bool| {
        if d {
            out.push(name);
        }
    };
    match (b, a) {
        (State::Drive(b), State::Drive(a)) => {
            differs("remote", !super::inventory::same_path(&b.remote, &a.remote));
            differs("connected", b.connected != a.connected);
            differs("remembered", b.remembered != a.remembered);
            differs("user_name", b.user_name != a.user_name);
            differs(
                "remembered_remote",
                b.remembered_remote != a.remembered_remote,
            );
            differs("label", a.label.is_some() && b.label != a.label);
            differs("global", b.global != a.global);
        }
        (State::Boot(b), State::Boot(a)) => {
            differs("target", b.target != a.target);
        }
        (State::Credential(b), State::Credential(a)) => {
            differs("user_name", b.user_name != a.user_name);
            differs("persistence", b.persistence != a.persistence);
            differs("alias", b.alias != a.alias);
            differs("comment", b.comment != a.comment);
            differs("attributes", b.attributes != a.attributes);
        }
        (State::LinkedConnections(b), State::LinkedConnections(a)) => {
            differs("linked_connections", b != a);
        }
        _ => out.push("exists"),
    }
    out
}

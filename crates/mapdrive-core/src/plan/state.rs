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

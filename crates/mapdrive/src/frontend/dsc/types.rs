//! The instance types of the four resources: what `get`/`test`/`set`/`export` print and accept.
//! The JSON Schemas embedded in the manifest are generated from them (`schemars`).

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use mapdrive_core::domain::{CredentialKind, Persistence, Secret};
use mapdrive_core::engine::{self, SessionChoice};
use mapdrive_core::plan::UpdateSecret;

/// What-if messages (the DSC convention `_metadata.whatIf`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// What `set --what-if` would do, one step per line.
    #[serde(rename = "whatIf", default, skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<String>,
}

/// `Mapdrive/MappedDrive`: a network drive of the user's logon session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Mapdrive/MappedDrive")]
pub struct MappedDrive {
    /// Drive letter (`M`, `M:`, any case), or `*` for the first available letter from
    /// `startLetter` to `Z:` (Group Policy's "Use first available").
    #[schemars(regex(pattern = r"^([A-Za-z]:?|\*)$"))]
    pub letter: String,
    /// With `letter: "*"`: the first letter to consider (default `D`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z]:?$"))]
    pub start_letter: Option<String>,
    /// The share: `\\server\share[\dir]`; compared case-insensitively, trailing `\` ignored.
    /// Optional when `_exist` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Explorer label (Group Policy's "Label as"); `""` removes it; absent leaves it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Remembered for later logons (default true); false maps for this logon session only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent: Option<bool>,
    /// Logon session(s) to act in (default auto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionChoice>,
    /// Whether the drive exists (default true).
    #[serde(rename = "_exist", default, skip_serializing_if = "Option::is_none")]
    pub exist: Option<bool>,
    /// Read-only: set by `test`.
    #[serde(
        rename = "_inDesiredState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("readOnly" = true))]
    pub in_desired_state: Option<bool>,
    /// Read-only: what-if messages.
    #[serde(rename = "_metadata", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("readOnly" = true))]
    pub metadata: Option<Metadata>,
}

/// A secret from the input: a string, or DSC's `{"secureString": "..."}`. Never serialised.
#[derive(Clone, Debug)]
pub struct SecretField(pub Secret);

impl PartialEq for SecretField {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for SecretField {}

fn make_secret<E: de::Error>(text: &str) -> Result<SecretField, E> {
    engine::secret_from_text(Zeroizing::new(text.to_string()), "secret")
        .map(SecretField)
        .map_err(|e| E::custom(e.to_string()))
}

struct SecretVisitor;

impl<'de> Visitor<'de> for SecretVisitor {
    type Value = SecretField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a string or {"secureString": "..."}"#)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretField, E> {
        make_secret(v)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretField, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "secureString" || out.is_some() {
                return Err(de::Error::custom(
                    r#"a secret object has exactly one property, "secureString""#,
                ));
            }
            let text: Zeroizing<String> = Zeroizing::new(map.next_value::<String>()?);
            out = Some(make_secret(&text)?);
        }
        out.ok_or_else(|| de::Error::custom(r#"missing "secureString""#))
    }
}

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SecretField, D::Error> {
        d.deserialize_any(SecretVisitor)
    }
}

fn schema_of(v: serde_json::Value) -> Schema {
    match v {
        serde_json::Value::Object(m) => Schema::from(m),
        _ => Schema::default(),
    }
}

fn secret_schema(_: &mut SchemaGenerator) -> Schema {
    schema_of(serde_json::json!({
        "description": "Write-only: the secret, as a string or DSC's {\"secureString\": \"...\"}; never returned, never in a diff, never traced.",
        "writeOnly": true,
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {"secureString": {"type": "string", "minLength": 1}},
                "required": ["secureString"],
                "additionalProperties": false
            }
        ]
    }))
}

/// `Mapdrive/Credential`: a saved credential of the Credential Manager.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Mapdrive/Credential")]
pub struct Credential {
    /// Target: the server name as written in UNC paths (`fileserver`, `*.corp.example`).
    #[schemars(length(min = 1))]
    pub name: String,
    /// Credential type (key, with `name`).
    #[serde(rename = "type")]
    pub kind: CredentialKind,
    /// Account (`DOMAIN\user`, `user@domain`); required to create a credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Write-only secret.
    #[serde(default, skip_serializing)]
    #[schemars(schema_with = "secret_schema")]
    pub secret: Option<SecretField>,
    /// Persistence (default local when created; absent keeps the stored one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<Persistence>,
    /// Target alias; `""` clears it; absent keeps the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Comment; `""` clears it; absent keeps the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When a supplied secret is written to an existing credential (default onCreate: Windows
    /// never returns a domain password, so `always` rewrites it on every run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_secret: Option<UpdateSecret>,
    /// Logon session(s) whose vault to use (default auto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionChoice>,
    /// Whether the credential exists (default true).
    #[serde(rename = "_exist", default, skip_serializing_if = "Option::is_none")]
    pub exist: Option<bool>,
    /// Read-only: set by `test`.
    #[serde(
        rename = "_inDesiredState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("readOnly" = true))]
    pub in_desired_state: Option<bool>,
    /// Read-only: what-if messages.
    #[serde(rename = "_metadata", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("readOnly" = true))]
    pub metadata: Option<Metadata>,
}

/// `Mapdrive/GlobalDrive`: a boot-time global drive (`Session Manager\DOS Devices`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Mapdrive/GlobalDrive")]
pub struct GlobalDrive {
    /// Drive letter (`G`, `G:`).
    #[schemars(regex(pattern = r"^[A-Za-z]:?$"))]
    pub letter: String,
    /// The SMB share; optional when `_exist` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Replace a boot-time value that points elsewhere (or remove one that is not a network drive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Whether the boot-time drive exists (default true).
    #[serde(rename = "_exist", default, skip_serializing_if = "Option::is_none")]
    pub exist: Option<bool>,
    /// Read-only: set by `test`.
    #[serde(
        rename = "_inDesiredState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("readOnly" = true))]
    pub in_desired_state: Option<bool>,
    /// Read-only: what-if messages.
    #[serde(rename = "_metadata", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("readOnly" = true))]
    pub metadata: Option<Metadata>,
}

/// `Mapdrive/LinkedConnections`: the EnableLinkedConnections policy (effective after restart).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Mapdrive/LinkedConnections")]
pub struct LinkedConnections {
    /// 1 (true) or 0 (false); with `_exist: false` the value is removed (Windows' default: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether the value is configured (default true).
    #[serde(rename = "_exist", default, skip_serializing_if = "Option::is_none")]
    pub exist: Option<bool>,
    /// Read-only: set by `test`.
    #[serde(
        rename = "_inDesiredState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("readOnly" = true))]
    pub in_desired_state: Option<bool>,
    /// Read-only: what-if messages.
    #[serde(rename = "_metadata", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("readOnly" = true))]
    pub metadata: Option<Metadata>,
}

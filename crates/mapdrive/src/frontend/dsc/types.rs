//! The instance types of the four resources: what `get`/`test`/`set`/`export` print and accept.
//! The JSON Schemas embedded in the manifest are generated from them (`schemars`).

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use mapdrive_core::domain::{CredentialKind, Persistence, Secret};
use mapdrive_core::engine::{self, SessionChoice};
use mapdrive_core::gpp::RawFilter;
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
    /// When the drive is remembered for this path (`HKCU\Network`) but not connected in this
    /// logon session, count that as the desired state instead of connecting it (default false;
    /// in logon sessions Winlogon never restores drives into, such as a scheduled task's, it is
    /// always so). `mapdrive export` writes it for a drive in that state, so the export applies
    /// back unchanged after a restart; a drive that is not remembered is mapped as usual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remembered_is_enough: Option<bool>,
    /// Logon session(s) to act in (default auto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionChoice>,
    /// Group Policy item-level targeting (written by `mapdrive gpp convert`): the `Filters` of a
    /// Drives.xml item as element name, attributes and nested filters, evaluated left to right
    /// at get/test/set in the session the drive goes into. When it says no, the drive is left
    /// as it is and counts as in its desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targeting: Option<Vec<RawFilter>>,
    /// Hide the letter in Explorer (its bit of the user's `NoDrives`, Group Policy's "Hide this
    /// drive"); false shows it; absent leaves it alone. Needs a fixed letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
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
            out = Some(map.next_value::<SecretText>()?.0);
        }
        out.ok_or_else(|| de::Error::custom(r#"missing "secureString""#))
    }

    // Any other JSON type is refused without repeating the value (serde's default message
    // quotes it, and it is the secret).
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretField, E> {
        Err(not_a_string())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretField, E> {
        Err(not_a_string())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretField, E> {
        Err(not_a_string())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretField, E> {
        Err(not_a_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<SecretField, E> {
        Err(not_a_string())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<SecretField, A::Error> {
        Err(not_a_string())
    }
}

fn not_a_string<E: de::Error>() -> E {
    E::custom(
        r#"the secret must be a string or {"secureString": "..."} (the value is not repeated here)"#,
    )
}

/// The string inside `{"secureString": ...}`, refused without repeating it when it is not one.
struct SecretText(SecretField);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SecretText, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SecretText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretText, E> {
                make_secret(v).map(SecretText)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretText, E> {
                Err(not_a_string())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretText, E> {
                Err(not_a_string())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretText, E> {
                Err(not_a_string())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretText, E> {
                Err(not_a_string())
            }
            fn visit_unit<E: de::Error>(self) -> Result<SecretText, E> {
                Err(not_a_string())
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<SecretText, A::Error> {
                Err(not_a_string())
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<SecretText, A::Error> {
                Err(not_a_string())
            }
        }
        d.deserialize_any(V)
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
    /// 1 (true) or 0 (false): required to set the policy; with `_exist: false` the value is
    /// removed (Windows' default: off).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_of_another_type_is_refused_without_repeating_it() {
        for v in [
            serde_json::json!(987654321),
            serde_json::json!({"secureString": 987654321}),
            serde_json::json!([987654321]),
            serde_json::json!(987654321.5),
            serde_json::json!({"secureString": [987654321]}),
        ] {
            let e = serde_json::from_value::<SecretField>(v.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("must be a string"), "{v}: {e}");
            assert!(!e.contains("987654321"), "{e}");
        }
        assert!(serde_json::from_value::<SecretField>(serde_json::json!("s3cret")).is_ok());
    }
}

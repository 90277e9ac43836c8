//! Credential Manager entries (what `cmdkey` and `win_credential` manage).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// `CRED_MAX_DOMAIN_TARGET_NAME_LENGTH` (256 + 1 + 80).
pub const MAX_DOMAIN_TARGET: usize = 337;
/// `CRED_MAX_GENERIC_TARGET_NAME_LENGTH`.
pub const MAX_GENERIC_TARGET: usize = 32767;
/// `CRED_MAX_USERNAME_LENGTH` (256 + 1 + 256).
pub const MAX_USER_NAME: usize = 513;
/// `CRED_MAX_STRING_LENGTH`: comment and alias.
pub const MAX_STRING: usize = 256;

/// Credential type: the two password types and the two certificate types win_credential manages
/// (`--type`, `type` in Ansible and DSC).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    JsonSchema,
)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// `CRED_TYPE_DOMAIN_PASSWORD` (2): what SMB, NTLM and Kerberos use for the named server;
    /// `cmdkey /add`.
    #[default]
    #[cfg_attr(feature = "clap", value(name = "domain_password", alias = "domain"))]
    DomainPassword,
    /// `CRED_TYPE_GENERIC` (1): application-defined; `cmdkey /generic`.
    #[cfg_attr(feature = "clap", value(name = "generic_password", alias = "generic"))]
    GenericPassword,
    /// `CRED_TYPE_DOMAIN_CERTIFICATE` (3): a certificate (in `CurrentUser\My`) for authentication;
    /// the user name is the certificate's SHA-1 thumbprint (stored marshaled), the secret its PIN.
    #[cfg_attr(feature = "clap", value(name = "domain_certificate"))]
    DomainCertificate,
    /// `CRED_TYPE_GENERIC_CERTIFICATE` (5): application-defined, referring to a certificate; the
    /// user name is its SHA-1 thumbprint, the secret its PIN.
    #[cfg_attr(feature = "clap", value(name = "generic_certificate"))]
    GenericCertificate,
}

impl CredentialKind {
    /// The `CRED_TYPE_*` value.
    pub fn cred_type(self) -> u32 {
        match self {
            CredentialKind::DomainPassword => 2,
            CredentialKind::GenericPassword => 1,
            CredentialKind::DomainCertificate => 3,
            CredentialKind::GenericCertificate => 5,
        }
    }

    /// From a `CRED_TYPE_*` value; other types are not managed.
    pub fn from_cred_type(t: u32) -> Option<CredentialKind> {
        match t {
            2 => Some(CredentialKind::DomainPassword),
            1 => Some(CredentialKind::GenericPassword),
            3 => Some(CredentialKind::DomainCertificate),
            5 => Some(CredentialKind::GenericCertificate),
            _ => None,
        }
    }

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::DomainPassword => "domain_password",
            CredentialKind::GenericPassword => "generic_password",
            CredentialKind::DomainCertificate => "domain_certificate",
            CredentialKind::GenericCertificate => "generic_certificate",
        }
    }

    /// Whether the secret is a password bound to the user name (so a new user needs a new secret).
    pub fn has_password(self) -> bool {
        match self {
            CredentialKind::DomainPassword | CredentialKind::GenericPassword => true,
            CredentialKind::DomainCertificate | CredentialKind::GenericCertificate => false,
        }
    }

    /// Windows never returns a domain credential's secret to a user-mode caller.
    pub fn secret_is_readable(self) -> bool {
        matches!(
            self,
            CredentialKind::GenericPassword | CredentialKind::GenericCertificate
        )
    }

    /// Whether the user name is a certificate (a SHA-1 thumbprint, marshaled when stored).
    pub fn is_certificate(self) -> bool {
        matches!(
            self,
            CredentialKind::DomainCertificate | CredentialKind::GenericCertificate
        )
    }

    /// A domain type (target length limit, unreadable secret).
    pub fn is_domain(self) -> bool {
        matches!(
            self,
            CredentialKind::DomainPassword | CredentialKind::DomainCertificate
        )
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CredentialKind {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "domain_password" | "domain" => Ok(CredentialKind::DomainPassword),
            "generic_password" | "generic" => Ok(CredentialKind::GenericPassword),
            "domain_certificate" => Ok(CredentialKind::DomainCertificate),
            "generic_certificate" => Ok(CredentialKind::GenericCertificate),
            _ => Err(InputError::Choice {
                what: "credential type",
                input: s.to_string(),
                choices: "domain_password, generic_password, domain_certificate, generic_certificate",
            }),
        }
    }
}

/// How long a saved credential lives (`CRED_PERSIST_*`; `--persistence`, `persistence` in Ansible
/// and DSC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Persistence {
    /// `CRED_PERSIST_SESSION` (1): this logon session only.
    Session,
    /// `CRED_PERSIST_LOCAL_MACHINE` (2): later logons of this user on this machine.
    #[default]
    Local,
    /// `CRED_PERSIST_ENTERPRISE` (3): also roams with a roaming profile.
    Enterprise,
}

impl Persistence {
    /// The `CRED_PERSIST_*` value.
    pub fn value(self) -> u32 {
        match self {
            Persistence::Session => 1,
            Persistence::Local => 2,
            Persistence::Enterprise => 3,
        }
    }

    /// From a `CRED_PERSIST_*` value.
    pub fn from_value(v: u32) -> Option<Persistence> {
        match v {
            1 => Some(Persistence::Session),
            2 => Some(Persistence::Local),
            3 => Some(Persistence::Enterprise),
            _ => None,
        }
    }

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Persistence::Session => "session",
            Persistence::Local => "local",
            Persistence::Enterprise => "enterprise",
        }
    }
}

impl FromStr for Persistence {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "session" => Ok(Persistence::Session),
            "local" | "local_machine" | "localmachine" => Ok(Persistence::Local),
            "enterprise" => Ok(Persistence::Enterprise),
            _ => Err(InputError::Choice {
                what: "persistence",
                input: s.to_string(),
                choices: "session, local, enterprise",
            }),
        }
    }
}

/// A credential target name, validated against the Win32 length limits for its type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CredentialTarget(String);

impl CredentialTarget {
    /// Validates a target name for `kind`.
    pub fn parse(s: &str, kind: CredentialKind) -> Result<CredentialTarget, InputError> {
        let max = if kind.is_domain() {
            MAX_DOMAIN_TARGET
        } else {
            MAX_GENERIC_TARGET
        };
        let len = s.encode_utf16().count();
        if len == 0 {
            return Err(InputError::Field {
                what: "credential target",
                why: "it is empty".into(),
            });
        }
        if len > max {
            return Err(InputError::Field {
                what: "credential target",
                why: format!("it is {len} characters; a {kind} target holds at most {max}"),
            });
        }
        if s.chars().any(is_control_or_format) {
            return Err(InputError::Field {
                what: "credential target",
                why: "it contains a control or invisible format character".into(),
            });
        }
        if kind.is_domain() && s.starts_with("\\\\") {
            return Err(InputError::Field {
                what: "credential target",
                why: format!(
                    "a domain credential is named after the server, not a UNC path: use {}",
                    s.trim_start_matches('\\')
                        .split('\\')
                        .next()
                        .unwrap_or_default()
                ),
            });
        }
        Ok(CredentialTarget(s.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Windows compares target names case-insensitively.
    pub fn matches(&self, other: &str) -> bool {
        self.0.to_lowercase() == other.to_lowercase()
    }
}

impl fmt::Display for CredentialTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validates an account name for a credential or a connection (`DOMAIN\user`, `user@domain`, `user`).
pub fn validate_user_name(s: &str) -> Result<(), InputError> {
    let len = s.encode_utf16().count();
    let why = if len == 0 {
        Some("it is empty".to_string())
    } else if len > MAX_USER_NAME {
        Some(format!(
            "it is {len} characters; at most {MAX_USER_NAME} are allowed"
        ))
    } else if s.chars().any(is_control_or_format) {
        Some("it contains a control or invisible format character".into())
    } else if s.matches('\\').count() > 1 {
        Some("it holds more than one '\\' (write DOMAIN\\user)".into())
    } else if s.ends_with('\\') || s.ends_with('@') {
        Some("the user part is empty".into())
    } else {
        None
    };
    match why {
        Some(why) => Err(InputError::Field {
            what: "user name",
            why,
        }),
        None => Ok(()),
    }
}

/// Whether `c` is a control character (Cc) or an invisible format character (Cf: bidirectional
/// overrides such as U+202E, zero-width spaces and joiners, U+FEFF...). Format characters make a
/// label or comment read differently from what it holds (a reversed file name, a target that
/// looks like another), so they are refused like control characters.
pub fn is_control_or_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.is_control() || c.general_category() == GeneralCategory::Format
}

/// Validates a comment, alias or label (`CRED_MAX_STRING_LENGTH`).
pub fn validate_short_string(what: &'static str, s: &str) -> Result<(), InputError> {
    if let Some(c) = s.chars().find(|&c| is_control_or_format(c)) {
        let kind = if c.is_control() {
            "control"
        } else {
            "invisible format"
        };
        return Err(InputError::Field {
            what,
            why: format!(
                "it contains the {kind} character U+{:04X}, which would corrupt tables and terminals \
                 or make the text read differently from what it holds",
                u32::from(c)
            ),
        });
    }
    let len = s.encode_utf16().count();
    if len > MAX_STRING {
        return Err(InputError::Field {
            what,
            why: format!("it is {len} characters; at most {MAX_STRING} are allowed"),
        });
    }
    Ok(())
}

/// What Windows reports of a saved credential. The secret is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CredentialInfo {
    /// The target name: the server as written in UNC paths (`fileserver`, `*.corp.example`), or
    /// an application's own name for a generic credential.
    pub target: String,
    /// Which kind of credential: password or certificate, domain or generic (`CRED_TYPE_*`).
    #[serde(rename = "type")]
    pub kind: CredentialKind,
    /// The account it signs in as (`UserName`): `DOMAIN\user` or `user@domain`; for a
    /// certificate credential, the certificate reference.
    pub user_name: Option<String>,
    /// How long it lives: this logon session, later logons of this user, or roaming too.
    pub persistence: Persistence,
    /// Another name it answers to (`TargetAlias`, e.g. the server's NetBIOS name).
    pub alias: Option<String>,
    /// Free text shown in the Credential Manager.
    pub comment: Option<String>,
    /// Application-defined attributes, in order (not shown when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<CredentialAttribute>,
}

/// `CRED_MAX_ATTRIBUTES`.
pub const MAX_ATTRIBUTES: usize = 64;
/// `CRED_MAX_VALUE_SIZE`: bytes of one attribute value.
pub const MAX_ATTRIBUTE_VALUE: usize = 256;

/// One `CREDENTIAL_ATTRIBUTEW`: a keyword and opaque bytes. Serialised as `{name, data}` with
/// the data in base64 (win_credential's shape).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialAttribute {
    /// `Keyword` (compared case-sensitively).
    pub keyword: String,
    /// `Value` bytes (compared exactly).
    pub value: Vec<u8>,
}

impl CredentialAttribute {
    /// Validates the Win32 limits (keyword ≤ 256 characters, no control characters; value ≤ 256 bytes).
    pub fn new(keyword: &str, value: Vec<u8>) -> Result<CredentialAttribute, InputError> {
        let len = keyword.encode_utf16().count();
        let why = if len == 0 {
            Some("its name is empty".to_string())
        } else if len > MAX_STRING {
            Some(format!(
                "its name is {len} characters; at most {MAX_STRING} are allowed"
            ))
        } else if keyword.chars().any(char::is_control) {
            Some("its name contains a control character".into())
        } else if value.len() > MAX_ATTRIBUTE_VALUE {
            Some(format!(
                "{keyword}: its data is {} bytes; at most {MAX_ATTRIBUTE_VALUE} are allowed",
                value.len()
            ))
        } else {
            None
        };
        match why {
            Some(why) => Err(InputError::Field {
                what: "credential attribute",
                why,
            }),
            None => Ok(CredentialAttribute {
                keyword: keyword.to_string(),
                value,
            }),
        }
    }
}

impl Serialize for CredentialAttribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("name", &self.keyword)?;
        m.serialize_entry("data", &base64_encode(&self.value))?;
        m.end()
    }
}

impl schemars::JsonSchema for CredentialAttribute {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CredentialAttribute".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "One credential attribute: its keyword and its data in base64.",
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "data": {"type": "string", "contentEncoding": "base64"}
            },
            "required": ["name", "data"],
            "additionalProperties": false
        })
    }
}

/// Checks a list of attributes against `CRED_MAX_ATTRIBUTES`.
pub fn validate_attributes(list: &[CredentialAttribute]) -> Result<(), InputError> {
    if list.len() > MAX_ATTRIBUTES {
        return Err(InputError::Field {
            what: "credential attributes",
            why: format!(
                "there are {}; a credential holds at most {MAX_ATTRIBUTES}",
                list.len()
            ),
        });
    }
    Ok(())
}

/// A certificate's SHA-1 thumbprint: 40 hex digits, stored upper case. Parsing drops spaces and
/// hyphens (as certificate dialogs and win_credential allow) and the invisible left-to-right mark
/// that copying from the certificate dialog adds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Thumbprint(String);

impl Thumbprint {
    /// The 20 hash bytes.
    pub fn bytes(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&self.0[2 * i..2 * i + 2], 16).unwrap_or_default();
        }
        out
    }

    /// From the 20 hash bytes.
    pub fn from_bytes(bytes: &[u8; 20]) -> Thumbprint {
        Thumbprint(bytes.iter().map(|b| format!("{b:02X}")).collect())
    }

    /// Upper-case hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Thumbprint {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Thumbprint, InputError> {
        let hex: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{200e}' | '\u{200f}'))
            .collect::<String>()
            .to_ascii_uppercase();
        if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(InputError::Field {
                what: "certificate thumbprint",
                why: format!(
                    "{s:?} is not a SHA-1 thumbprint (40 hexadecimal digits; spaces and hyphens are ignored)"
                ),
            });
        }
        Ok(Thumbprint(hex))
    }
}

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Standard base64, padding optional and whitespace ignored (as .NET's `FromBase64String`, which
/// win_credential used); `None` when it is not base64. The text may be a secret: the copy without
/// whitespace is wiped, and sized once so that it never reallocates.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let mut compact = zeroize::Zeroizing::new(String::with_capacity(s.len()));
    compact.extend(s.chars().filter(|c| !c.is_ascii_whitespace()));
    LENIENT.decode(compact.as_bytes()).ok()
}

#[cfg(test)]
mod format_character_tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_refused() {
        for bad in [
            "Team\u{202E}txt.exe",
            "Pub\u{200B}lic",
            "\u{FEFF}Docs",
            "a\u{2066}b",
            "x\u{7}",
        ] {
            let e = validate_short_string("label", bad).unwrap_err().to_string();
            assert!(e.contains("U+"), "{bad:?}: {e}");
            assert!(
                validate_user_name(&format!("CORP\\{bad}")).is_err(),
                "{bad:?}"
            );
        }
        for good in ["Team Docs", "Données partagées", "共有", "Ünïcödé — ok"] {
            assert!(validate_short_string("label", good).is_ok(), "{good:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_refuses_control_characters() {
        for bad in [
            "a\u{1b}[31mred",
            "line\nbreak",
            "tab\there",
            "\u{7f}",
            "\u{9b}",
        ] {
            assert!(
                validate_short_string("label", bad).is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(validate_short_string("label", "Public files (2026) — café").is_ok());
    }

    #[test]
    fn target_limits_follow_the_type() {
        let t = "a".repeat(338);
        assert!(CredentialTarget::parse(&t, CredentialKind::DomainPassword).is_err());
        assert!(CredentialTarget::parse(&t, CredentialKind::GenericPassword).is_ok());
        assert!(CredentialTarget::parse("", CredentialKind::GenericPassword).is_err());
        assert!(CredentialTarget::parse("*.corp.example", CredentialKind::DomainPassword).is_ok());
        let e =
            CredentialTarget::parse(r"\\srv\share", CredentialKind::DomainPassword).unwrap_err();
        assert!(e.to_string().contains("use srv"), "{e}");
    }

    #[test]
    fn user_names() {
        for ok in [r"CORP\alice", "alice@corp.example", "alice"] {
            assert!(validate_user_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", r"a\b\c", r"CORP\", "x\n"] {
            assert!(validate_user_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_user_name(&"u".repeat(514)).is_err());
    }

    #[test]
    fn kinds_and_persistence_parse() {
        assert_eq!(
            "domain".parse::<CredentialKind>().unwrap(),
            CredentialKind::DomainPassword
        );
        assert_eq!(
            "Generic-Password".parse::<CredentialKind>().unwrap(),
            CredentialKind::GenericPassword
        );
        assert!("certificate".parse::<CredentialKind>().is_err());
        let k: CredentialKind = "generic_certificate".parse().unwrap();
        assert_eq!(
            (k.cred_type(), k.is_certificate(), k.secret_is_readable()),
            (5, true, true)
        );
        let k: CredentialKind = "domain_certificate".parse().unwrap();
        assert_eq!(
            (k.cred_type(), k.is_domain(), k.has_password()),
            (3, true, false)
        );
        assert_eq!("LOCAL".parse::<Persistence>().unwrap().value(), 2);
        assert!(validate_short_string("comment", &"c".repeat(257)).is_err());
    }
}

#[cfg(test)]
mod certificate_and_attribute_tests {
    use super::*;

    #[test]
    fn thumbprints_are_normalised() {
        let t: Thumbprint = "00 11-22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 11 22 33\u{200e}"
            .parse()
            .unwrap();
        assert_eq!(t.as_str(), "00112233445566778899AABBCCDDEEFF00112233");
        assert_eq!(Thumbprint::from_bytes(&t.bytes()), t);
        for bad in [
            "",
            "0011",
            "zz112233445566778899AABBCCDDEEFF00112233",
            &"0".repeat(41),
        ] {
            assert!(bad.parse::<Thumbprint>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        for data in [
            &b""[..],
            b"a",
            b"ab",
            b"abc",
            b"attribute 1 value",
            &[0xff, 0, 0x80],
        ] {
            assert_eq!(base64_decode(&base64_encode(data)).unwrap(), data);
        }
        assert_eq!(base64_encode(b"pin code"), "cGluIGNvZGU=");
        assert_eq!(base64_decode("cGluIGNvZGU").unwrap(), b"pin code");
        assert!(base64_decode("a*b").is_none());
        assert!(base64_decode("YQ==YQ").is_none());
    }

    #[test]
    fn attributes_serialise_as_name_and_base64_data_and_are_limited() {
        let a = CredentialAttribute::new("attribute 1", b"attribute 1 value".to_vec()).unwrap();
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({"name": "attribute 1", "data": "YXR0cmlidXRlIDEgdmFsdWU="})
        );
        assert!(CredentialAttribute::new("", Vec::new()).is_err());
        assert!(CredentialAttribute::new("k", vec![0; 257]).is_err());
        assert!(validate_attributes(&vec![a; 65]).is_err());
    }
}

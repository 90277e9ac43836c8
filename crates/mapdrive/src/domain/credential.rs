//! Credential Manager entries (what `cmdkey` and `win_credential` manage).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::InputError;

/// `CRED_MAX_DOMAIN_TARGET_NAME_LENGTH` (256 + 1 + 80).
pub const MAX_DOMAIN_TARGET: usize = 337;
/// `CRED_MAX_GENERIC_TARGET_NAME_LENGTH`.
pub const MAX_GENERIC_TARGET: usize = 32767;
/// `CRED_MAX_USERNAME_LENGTH` (256 + 1 + 256).
pub const MAX_USER_NAME: usize = 513;
/// `CRED_MAX_STRING_LENGTH`: comment and alias.
pub const MAX_STRING: usize = 256;

/// Credential type. Only the two password types are managed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// `CRED_TYPE_DOMAIN_PASSWORD` (2): what SMB, NTLM and Kerberos use; `cmdkey /add`.
    DomainPassword,
    /// `CRED_TYPE_GENERIC` (1): application-defined; `cmdkey /generic`.
    GenericPassword,
}

impl CredentialKind {
    /// The `CRED_TYPE_*` value.
    pub fn cred_type(self) -> u32 {
        match self {
            CredentialKind::DomainPassword => 2,
            CredentialKind::GenericPassword => 1,
        }
    }

    /// From a `CRED_TYPE_*` value; other types are not managed.
    pub fn from_cred_type(t: u32) -> Option<CredentialKind> {
        match t {
            2 => Some(CredentialKind::DomainPassword),
            1 => Some(CredentialKind::GenericPassword),
            _ => None,
        }
    }

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::DomainPassword => "domain_password",
            CredentialKind::GenericPassword => "generic_password",
        }
    }

    /// Whether the secret is a password bound to the user name (so a new user needs a new secret).
    pub fn has_password(self) -> bool {
        match self {
            CredentialKind::DomainPassword | CredentialKind::GenericPassword => true,
        }
    }

    /// Windows never returns a domain password to a user-mode caller.
    pub fn secret_is_readable(self) -> bool {
        self == CredentialKind::GenericPassword
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
            _ => Err(InputError::Choice {
                what: "credential type",
                input: s.to_string(),
                choices: "domain_password, generic_password",
            }),
        }
    }
}

/// `CRED_PERSIST_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
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
        let max = match kind {
            CredentialKind::DomainPassword => MAX_DOMAIN_TARGET,
            CredentialKind::GenericPassword => MAX_GENERIC_TARGET,
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
        if s.chars().any(char::is_control) {
            return Err(InputError::Field {
                what: "credential target",
                why: "it contains a control character".into(),
            });
        }
        if kind == CredentialKind::DomainPassword && s.starts_with("\\\\") {
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
    } else if s.chars().any(char::is_control) {
        Some("it contains a control character".into())
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

/// Validates a comment or alias (`CRED_MAX_STRING_LENGTH`).
pub fn validate_short_string(what: &'static str, s: &str) -> Result<(), InputError> {
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(InputError::Field {
            what,
            why: format!(
                "it contains the control character U+{:04X}, which would corrupt tables and terminals",
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialInfo {
    /// Target name.
    pub target: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: CredentialKind,
    /// Account.
    pub user_name: Option<String>,
    /// Persistence.
    pub persistence: Persistence,
    /// Target alias.
    pub alias: Option<String>,
    /// Comment.
    pub comment: Option<String>,
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
        assert_eq!("LOCAL".parse::<Persistence>().unwrap().value(), 2);
        assert!(validate_short_string("comment", &"c".repeat(257)).is_err());
    }
}

//! Who the process is: user, logon session, logon type, elevation.

use schemars::JsonSchema;
use serde::Serialize;

use super::credential::{CredentialKind, Persistence};
use super::dos::Luid;

/// `TOKEN_ELEVATION_TYPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum Elevation {
    /// 1: not part of a split-token pair.
    Default,
    /// 2: the elevated half of a split-token pair.
    Full,
    /// 3: the filtered half of a split-token pair (what Explorer runs with).
    Limited,
}

impl Elevation {
    /// From the `TOKEN_ELEVATION_TYPE` value.
    pub fn from_value(v: u32) -> Option<Elevation> {
        match v {
            1 => Some(Elevation::Default),
            2 => Some(Elevation::Full),
            3 => Some(Elevation::Limited),
            _ => None,
        }
    }
}

/// `SECURITY_LOGON_TYPE` of a logon session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogonType {
    /// 0: SYSTEM's own session, or unknown (Wine always answers 0).
    System,
    /// 2: console logon (Winlogon restores remembered drives).
    Interactive,
    /// 3: SMB, WinRM, PowerShell remoting (no credential vault, no delegation).
    Network,
    /// 4: scheduled task.
    Batch,
    /// 5: service.
    Service,
    /// 8: network logon with clear-text credentials (e.g. WinRM CredSSP/Basic).
    NetworkCleartext,
    /// 9: `runas /netonly`, `LOGON32_LOGON_NEW_CREDENTIALS`.
    NewCredentials,
    /// 10: RDP (Winlogon restores remembered drives).
    RemoteInteractive,
    /// 11, 12, 13: cached / unlock variants of interactive logons.
    CachedInteractive,
    /// Anything else.
    Other(u32),
}

impl LogonType {
    /// From the `SECURITY_LOGON_TYPE` value.
    pub fn from_value(v: u32) -> LogonType {
        match v {
            0 => LogonType::System,
            2 | 7 => LogonType::Interactive,
            3 => LogonType::Network,
            4 => LogonType::Batch,
            5 => LogonType::Service,
            8 => LogonType::NetworkCleartext,
            9 => LogonType::NewCredentials,
            10 => LogonType::RemoteInteractive,
            11..=13 => LogonType::CachedInteractive,
            other => LogonType::Other(other),
        }
    }

    /// Winlogon restores `HKCU\Network` only for these logons.
    pub fn winlogon_restores_drives(self) -> bool {
        matches!(
            self,
            LogonType::Interactive | LogonType::RemoteInteractive | LogonType::CachedInteractive
        )
    }

    /// Logon sessions Winlogon never restores `HKCU\Network` into, whatever happens: WinRM and
    /// other network logons, scheduled tasks, services, `runas /netonly`. In them a remembered
    /// entry is what the next interactive logon restores, and the desired state of a remembered
    /// drive; connecting it there would be a change on every run. (SYSTEM's own session and
    /// Wine's, type 0, are not counted: a drive mapped there is connected as asked.)
    pub fn winlogon_never_restores_drives(self) -> bool {
        matches!(
            self,
            LogonType::Network
                | LogonType::Batch
                | LogonType::Service
                | LogonType::NetworkCleartext
                | LogonType::NewCredentials
        )
    }

    /// Network logons have no credential set (Cred* fail with 1312) and cannot delegate.
    pub fn has_credential_vault(self) -> bool {
        !matches!(self, LogonType::Network)
    }

    /// Plain-language name.
    pub fn describe(self) -> &'static str {
        match self {
            LogonType::System => "system / unknown",
            LogonType::Interactive => "interactive (console)",
            LogonType::Network => "network (WinRM, SMB, remoting)",
            LogonType::Batch => "batch (scheduled task)",
            LogonType::Service => "service",
            LogonType::NetworkCleartext => "network with clear-text credentials (CredSSP/Basic)",
            LogonType::NewCredentials => "new credentials (runas /netonly)",
            LogonType::RemoteInteractive => "remote interactive (RDP)",
            LogonType::CachedInteractive => "cached interactive",
            LogonType::Other(_) => "other",
        }
    }
}

/// The identity of the token drive operations run under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Identity {
    /// `DOMAIN\user`.
    pub user: String,
    /// The account's SID (`S-1-5-...`).
    pub sid: String,
    /// Logon session of the token.
    pub logon_id: Luid,
    /// Logon type of that session.
    pub logon_type: LogonType,
    /// Which half of a split (UAC) token this is, if it is split (`TokenElevationType`).
    pub elevation: Elevation,
    /// The linked token's logon session, when the token is half of a split pair.
    pub linked_logon_id: Option<Luid>,
    /// Is this `NT AUTHORITY\SYSTEM` (S-1-5-18)?
    pub is_system: bool,
}

/// `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\EnableLinkedConnections`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkedConnections {
    /// Value absent.
    NotConfigured,
    /// Value 0.
    Disabled,
    /// Value 1 (or any non-zero DWORD).
    Enabled,
}

impl LinkedConnections {
    /// From the registry value (`None` = absent).
    pub fn from_value(v: Option<u32>) -> LinkedConnections {
        match v {
            None => LinkedConnections::NotConfigured,
            Some(0) => LinkedConnections::Disabled,
            Some(_) => LinkedConnections::Enabled,
        }
    }

    /// The name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkedConnections::NotConfigured => "not_configured",
            LinkedConnections::Disabled => "disabled",
            LinkedConnections::Enabled => "enabled",
        }
    }

    /// Whether mappings are mirrored into the linked session.
    pub fn is_enabled(self) -> bool {
        self == LinkedConnections::Enabled
    }
}

/// What `CredGetSessionTypes` reports for a logon session: the highest persistence each
/// credential type may be stored with (`None` = `CRED_PERSIST_NONE`: not at all). Policy caps
/// it (e.g. "Network access: Do not allow storage of passwords and credentials for network
/// authentication", `DisableDomainCreds`, caps the domain types), whatever the logon type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CredentialCaps {
    /// `MaximumPersist[CRED_TYPE_GENERIC]`.
    pub generic_password: Option<Persistence>,
    /// `MaximumPersist[CRED_TYPE_DOMAIN_PASSWORD]`.
    pub domain_password: Option<Persistence>,
    /// `MaximumPersist[CRED_TYPE_DOMAIN_CERTIFICATE]`.
    pub domain_certificate: Option<Persistence>,
    /// `MaximumPersist[CRED_TYPE_GENERIC_CERTIFICATE]`.
    pub generic_certificate: Option<Persistence>,
}

/// `CRED_TYPE_GENERIC` (wincred.h): the index of its entry in `CredGetSessionTypes`' array.
pub const CRED_TYPE_GENERIC: usize = 1;
/// `CRED_TYPE_DOMAIN_PASSWORD`.
pub const CRED_TYPE_DOMAIN_PASSWORD: usize = 2;
/// `CRED_TYPE_DOMAIN_CERTIFICATE`.
pub const CRED_TYPE_DOMAIN_CERTIFICATE: usize = 3;
/// `CRED_TYPE_GENERIC_CERTIFICATE` (4 is `CRED_TYPE_DOMAIN_VISIBLE_PASSWORD`).
pub const CRED_TYPE_GENERIC_CERTIFICATE: usize = 5;

impl CredentialCaps {
    /// Every type up to `CRED_PERSIST_ENTERPRISE` (an interactive logon without such a policy).
    pub const UNRESTRICTED: CredentialCaps = CredentialCaps {
        generic_password: Some(Persistence::Enterprise),
        domain_password: Some(Persistence::Enterprise),
        domain_certificate: Some(Persistence::Enterprise),
        generic_certificate: Some(Persistence::Enterprise),
    };

    /// From `CredGetSessionTypes`' `MaximumPersist` array, indexed by `CRED_TYPE_*`: each type's
    /// own entry (0 = `CRED_PERSIST_NONE`; an entry the array does not reach is `None` too).
    pub fn from_session_types(maximum_persist: &[u32]) -> CredentialCaps {
        let at = |i: usize| Persistence::from_value(maximum_persist.get(i).copied().unwrap_or(0));
        CredentialCaps {
            generic_password: at(CRED_TYPE_GENERIC),
            domain_password: at(CRED_TYPE_DOMAIN_PASSWORD),
            domain_certificate: at(CRED_TYPE_DOMAIN_CERTIFICATE),
            generic_certificate: at(CRED_TYPE_GENERIC_CERTIFICATE),
        }
    }

    /// The highest persistence for `kind`: its own `CredGetSessionTypes` entry.
    pub fn max(&self, kind: CredentialKind) -> Option<Persistence> {
        match kind {
            CredentialKind::GenericPassword => self.generic_password,
            CredentialKind::DomainPassword => self.domain_password,
            CredentialKind::DomainCertificate => self.domain_certificate,
            CredentialKind::GenericCertificate => self.generic_certificate,
        }
    }

    /// Whether a `kind` credential may be stored with `persistence`.
    pub fn allows(&self, kind: CredentialKind, persistence: Persistence) -> bool {
        self.max(kind)
            .is_some_and(|m| persistence.value() <= m.value())
    }

    /// `domain_password up to local` / `generic_password: none`.
    pub fn describe(&self, kind: CredentialKind) -> String {
        match self.max(kind) {
            Some(p) => format!("{kind} up to {}", p.as_str()),
            None => format!("{kind}: none"),
        }
    }

    /// Why a write of `kind` with `persistence` is refused, `None` when it is allowed.
    pub fn refusal(
        &self,
        kind: CredentialKind,
        persistence: Persistence,
    ) -> Option<(String, String)> {
        if self.allows(kind, persistence) {
            return None;
        }
        let message = match self.max(kind) {
            Some(m) => format!(
                "this logon session can store {kind} credentials only up to persistence {} (CredGetSessionTypes), \
                 not {}: a policy caps it (for domain credentials usually \"Network access: Do not allow storage \
                 of passwords and credentials for network authentication\", DisableDomainCreds)",
                m.as_str(),
                persistence.as_str()
            ),
            None => format!(
                "this logon session cannot store {kind} credentials at all (CredGetSessionTypes answers \
                 CRED_PERSIST_NONE): the type is disabled by policy (for domain credentials usually \"Network \
                 access: Do not allow storage of passwords and credentials for network authentication\", \
                 DisableDomainCreds)"
            ),
        };
        let remedy = match self.max(kind) {
            Some(m) => format!(
                "use --persistence {} (the credential then lasts {}), or have an administrator lift the policy",
                m.as_str(),
                if m == Persistence::Session { "until logoff" } else { "on this machine" }
            ),
            None => "map with --user and --password-stdin for this session instead, or have an administrator lift the policy".into(),
        };
        Some((message, remedy))
    }
}

/// An account as far as mapdrive could tell (`sid` `None` when it could not be looked up).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Account {
    /// `DOMAIN\user` (or just `user` when the domain is unknown).
    pub user: String,
    /// The account's SID (`S-1-5-...`).
    pub sid: Option<String>,
}

impl Account {
    /// Same account: by SID when both are known, else by name (a name without a domain
    /// matches the same user name in any domain).
    pub fn same(&self, other: &Account) -> bool {
        if let (Some(a), Some(b)) = (&self.sid, &other.sid) {
            return a.eq_ignore_ascii_case(b);
        }
        let name = |s: &str| s.rsplit('\\').next().unwrap_or(s).to_lowercase();
        if self.user.contains('\\') && other.user.contains('\\') {
            self.user.eq_ignore_ascii_case(&other.user)
        } else {
            name(&self.user) == name(&other.user)
        }
    }
}

/// Who the two other parties of a split token are: the linked token's account (always the
/// process token's pair, whatever is impersonated) and the user of the interactive (terminal)
/// session the process runs in, whose Explorer shows drives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SessionUsers {
    /// `TokenLinkedToken`'s user; `None` for a token that is not split.
    pub linked: Option<Account>,
    /// The user logged on to this process's Windows session (`WTSUserName`); `None` in
    /// session 0 (services, WinRM, scheduled tasks) or when nobody is logged on there.
    pub interactive: Option<Account>,
}

/// mapdrive would act for one account while the desktop belongs to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OwnerMismatch {
    /// The account the drive operations would run as.
    pub acting: String,
    /// The desktop's (Explorer's) user.
    pub desktop: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub remedy: String,
}

/// The "over the shoulder" check. `acting_linked`: the operations would run under the linked
/// (limited) token, as `--session auto|limited` does from an elevated process.
///
/// The linked token always belongs to the elevated token's account. When a standard user
/// elevates with another administrator's credentials ("over the shoulder"), or with Windows 11
/// Administrator protection (the elevated token is a separate shadow account), both halves are
/// someone else's: mapping there writes *their* `HKCU\Network` and Explorer on this desktop
/// never shows the drive. `None` when the accounts agree, for SYSTEM (global drives are meant
/// for everyone) and without an interactive user (session 0: WinRM, services, tasks).
pub fn owner_mismatch(
    identity: &Identity,
    users: &SessionUsers,
    acting_linked: bool,
) -> Option<OwnerMismatch> {
    if identity.is_system {
        return None;
    }
    let desktop = users.interactive.as_ref()?;
    let me = Account {
        user: identity.user.clone(),
        sid: Some(identity.sid.clone()),
    };
    let acting = if acting_linked {
        users.linked.as_ref().unwrap_or(&me)
    } else {
        &me
    };
    if acting.same(desktop) {
        return None;
    }
    let linked_is_desktop = users.linked.as_ref().is_some_and(|l| l.same(desktop));
    let how = if linked_is_desktop {
        format!(
            "This process's token belongs to {}, but its linked token is {}'s: the elevated token is a separate \
             account (Windows 11 Administrator protection's shadow administrator).",
            me.user, desktop.user
        )
    } else {
        format!(
            "The elevated prompt was opened with another administrator's credentials (\"over the shoulder\" \
             UAC) or under Windows 11 Administrator protection (a separate shadow account): both halves of \
             such a split token are {}'s, never {}'s.",
            me.user, desktop.user
        )
    };
    let message = format!(
        "mapdrive would act as {} but this desktop belongs to {}: drives mapped for {} (and remembered in {}'s \
         HKCU\\Network) never appear in {}'s Explorer. {how}",
        acting.user, desktop.user, acting.user, acting.user, desktop.user
    );
    let remedy = if linked_is_desktop {
        format!(
            "act in {}'s own session with --session limited (or auto), or run mapdrive from {}'s non-elevated prompt",
            desktop.user, desktop.user
        )
    } else {
        format!(
            "run mapdrive from {}'s own non-elevated prompt (mapping a drive needs no administrator rights); \
             use --session current only to map deliberately for {}",
            desktop.user, acting.user
        )
    };
    Some(OwnerMismatch {
        acting: acting.user.clone(),
        desktop: desktop.user.clone(),
        message,
        remedy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(user: &str, sid: &str, elevation: Elevation) -> Identity {
        Identity {
            user: user.into(),
            sid: sid.into(),
            logon_id: Luid(0x1234),
            logon_type: LogonType::Interactive,
            elevation,
            linked_logon_id: None,
            is_system: sid == "S-1-5-18",
        }
    }

    fn account(user: &str, sid: Option<&str>) -> Account {
        Account {
            user: user.into(),
            sid: sid.map(str::to_string),
        }
    }

    #[test]
    fn accounts_compare_by_sid_then_by_name() {
        let a = account(r"CORP\alice", Some("S-1-5-21-1"));
        assert!(a.same(&account(r"corp\ALICE", Some("S-1-5-21-1"))));
        assert!(!a.same(&account(r"CORP\alice", Some("S-1-5-21-2"))));
        assert!(a.same(&account("alice", None)), "WTS without a domain");
        assert!(!a.same(&account(r"OTHER\alice", None)));
    }

    #[test]
    fn owner_mismatch_only_when_the_acting_account_is_not_the_desktops() {
        let bob = account(r"CORP\bob", Some("S-1-5-21-2"));
        let alice = account(r"CORP\alice", Some("S-1-5-21-1"));
        let elevated_alice = id(r"CORP\alice", "S-1-5-21-1", Elevation::Full);
        let shoulder = SessionUsers {
            linked: Some(alice.clone()),
            interactive: Some(bob.clone()),
        };
        let m = owner_mismatch(&elevated_alice, &shoulder, true);
        assert_eq!(m.as_ref().map(|m| m.acting.as_str()), Some(r"CORP\alice"));
        let own = SessionUsers {
            linked: Some(alice.clone()),
            interactive: Some(alice.clone()),
        };
        assert_eq!(owner_mismatch(&elevated_alice, &own, true), None);
        let session0 = SessionUsers {
            linked: Some(alice.clone()),
            interactive: None,
        };
        assert_eq!(owner_mismatch(&elevated_alice, &session0, true), None);
        let system = id(r"NT AUTHORITY\SYSTEM", "S-1-5-18", Elevation::Default);
        assert_eq!(owner_mismatch(&system, &shoulder, false), None);
        // Administrator protection: the shadow account's linked token is the desktop user's.
        let shadow = id(r"HOST\ADMIN_alice", "S-1-5-21-9", Elevation::Full);
        let protected = SessionUsers {
            linked: Some(alice.clone()),
            interactive: Some(alice),
        };
        assert_eq!(owner_mismatch(&shadow, &protected, true), None);
        let m = owner_mismatch(&shadow, &protected, false);
        assert!(
            m.is_some_and(|m| m.message.contains("Administrator protection")
                && m.remedy.contains("--session limited"))
        );
    }

    #[test]
    fn credential_caps_refuse_beyond_the_cap_and_name_it() {
        let capped = CredentialCaps::from_session_types(&[0, 3, 1]);
        let d = CredentialKind::DomainPassword;
        assert!(capped.allows(d, Persistence::Session));
        assert!(!capped.allows(d, Persistence::Local));
        assert!(capped.allows(CredentialKind::GenericPassword, Persistence::Enterprise));
        let (message, remedy) = capped.refusal(d, Persistence::Local).unwrap_or_default();
        assert!(
            message.contains("only up to persistence session"),
            "{message}"
        );
        assert!(remedy.contains("--persistence session"), "{remedy}");
        assert_eq!(capped.refusal(d, Persistence::Session), None);
        let none = CredentialCaps::from_session_types(&[0, 0, 0]);
        assert_eq!(none.max(d), None);
        assert!(!none.allows(d, Persistence::Session));
        assert_eq!(none.describe(d), "domain_password: none");
        assert_eq!(capped.describe(d), "domain_password up to session");
    }
}

#[cfg(test)]
mod caps_tests {
    use super::*;

    /// Each type is read from its own `MaximumPersist` entry: the certificate types used to be
    /// inferred from the password types' entries (a generic certificate capped by the generic
    /// password's entry, whatever Windows said for it).
    #[test]
    fn each_type_comes_from_its_own_entry() {
        // CRED_PERSIST_NONE 0, SESSION 1, LOCAL_MACHINE 2, ENTERPRISE 3; index 4 is
        // CRED_TYPE_DOMAIN_VISIBLE_PASSWORD, 6 CRED_TYPE_DOMAIN_EXTENDED.
        let max = [0, 3, 1, 2, 0, 0, 3];
        let caps = CredentialCaps::from_session_types(&max);
        assert_eq!(
            caps.max(CredentialKind::GenericPassword),
            Some(Persistence::Enterprise)
        );
        assert_eq!(
            caps.max(CredentialKind::DomainPassword),
            Some(Persistence::Session)
        );
        assert_eq!(
            caps.max(CredentialKind::DomainCertificate),
            Some(Persistence::Local)
        );
        assert_eq!(caps.max(CredentialKind::GenericCertificate), None);
        assert!(!caps.allows(CredentialKind::GenericCertificate, Persistence::Session));
        assert!(caps.allows(CredentialKind::DomainCertificate, Persistence::Local));
        assert!(!caps.allows(CredentialKind::DomainCertificate, Persistence::Enterprise));
    }

    #[test]
    fn an_array_too_short_for_a_type_gives_none_for_it() {
        let caps = CredentialCaps::from_session_types(&[0, 3, 3]);
        assert_eq!(caps.generic_password, Some(Persistence::Enterprise));
        assert_eq!(caps.domain_certificate, None);
        assert_eq!(caps.generic_certificate, None);
        assert_eq!(
            CredentialCaps::from_session_types(&[]),
            CredentialCaps::from_session_types(&[0; 7])
        );
    }
}

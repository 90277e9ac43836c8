//! Who the process is: user, logon session, logon type, elevation.

use schemars::JsonSchema;
use serde::Serialize;

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
    /// `S-1-5-...`.
    pub sid: String,
    /// Logon session of the token.
    pub logon_id: Luid,
    /// Logon type of that session.
    pub logon_type: LogonType,
    /// Elevation type.
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

    /// Whether mappings are mirrored into the linked session.
    pub fn is_enabled(self) -> bool {
        self == LinkedConnections::Enabled
    }
}

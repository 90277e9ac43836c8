//! The port: the only door to Windows. Facts take `&self`; actions take `&mut self`.
//!
//! Two adapters implement it: `mapdrive_win32::Win32` (the real system, Windows only) and
//! `mapdrive_model::Machine` (an in-memory Windows of logon sessions, for tests).
//! Every method maps to one Win32 operation (or a small fixed group) so the adapter
//! stays thin and the decisions stay in [`crate::plan`].

use serde::Serialize;

use crate::audit::{AuditEvent, EventSourceRegistration};
use crate::domain::{
    CredentialAttribute, CredentialCaps, CredentialInfo, CredentialKind, DriveLetter, Elevation,
    Identity, LinkedConnections, LogonType, Luid, Persistence, RemotePath, Secret, SessionUsers,
    Thumbprint,
};
use crate::error::{ApiError, ERROR_NOT_SUPPORTED};
use crate::gpp::{Hive, RegValue, TargetingFacts};

mod forward;
pub use forward::{Action, Fact, Forward};

/// A connection `WNetOpenEnumW(RESOURCE_CONNECTED)` reports for this logon session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// Local device.
    pub letter: DriveLetter,
    /// `lpRemoteName`.
    pub remote: String,
    /// `lpProvider`.
    pub provider: String,
}

/// A remembered connection: `HKCU\Network\<L>` of the user the token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Remembered {
    /// Subkey name.
    pub letter: DriveLetter,
    /// `RemotePath`.
    pub remote: String,
    /// `ProviderName`.
    pub provider: String,
    /// `ProviderType` (`WNNC_NET_*`), when present.
    pub provider_type: Option<u32>,
    /// `UserName`; `None` when absent, `Some("")` when blank (= use the saved credential / current user).
    pub user_name: Option<String>,
}

/// A value under `HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\DOS Devices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BootDevice {
    /// Value name, e.g. `Z:`.
    pub name: String,
    /// NT target, e.g. `\Device\LanmanRedirector\;Z:00000000000003e7\srv\share`.
    pub target: String,
}

/// Another logon session of the same user, as far as this process may look at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionView {
    pub logon_id: Luid,
    pub logon_type: LogonType,
    /// Elevation type of its token, when known.
    pub elevation: Option<Elevation>,
    /// Whether this is the session the process runs in.
    pub is_current: bool,
    /// Its local DOS devices that are drive letters (`\Sessions\0\DosDevices\<LUID>`), with targets.
    /// Empty when [`SessionView::unreadable`] is set: then nothing is known about them.
    pub drives: Vec<(DriveLetter, String)>,
    /// `Some(code)` when its DOS-device directory could not be read (5 without administrator
    /// rights): its drives are unknown, which is not the same as "no drives".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<u32>,
}

/// One logon session as `mapdrive sessions` draws it: every session `LsaEnumerateLogonSessions`
/// lists, whoever owns it, with what this process may learn about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogonSessionInfo {
    /// Its logon id (the token's `AuthenticationId`).
    pub logon_id: Luid,
    /// `DOMAIN\user`; `None` when `LsaGetLogonSessionData` refused (another user's session
    /// without administrator rights).
    pub account: Option<String>,
    /// The Windows (terminal services) session it belongs to, when known.
    pub terminal_session: Option<u32>,
    /// Its logon type, when known.
    pub logon_type: Option<LogonType>,
    /// Elevation type of its tokens, when a token of it could be looked at.
    pub elevation: Option<Elevation>,
    /// The other half of its split-token pair, when known.
    pub linked_logon_id: Option<Luid>,
    /// Whether this process's token belongs to it.
    pub is_current: bool,
    /// Whether the desktop shell (explorer.exe) of this process's Windows session runs in it.
    pub is_explorer: bool,
    /// Its local DOS devices that are drive letters, with targets; empty when unreadable.
    pub drives: Vec<(DriveLetter, String)>,
    /// `Some(code)` when its DOS-device directory could not be read: its drives are unknown.
    pub unreadable: Option<u32>,
}

/// The global DOS-device namespace: the directory read and its drive letters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GlobalNamespace {
    /// The object directory read (`\GLOBAL??`; Wine, which has one namespace: `\??`).
    pub directory: String,
    /// Drive-letter links and their targets.
    pub drives: Vec<(DriveLetter, String)>,
}

/// Which token drive operations run under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenChoice {
    /// The process token as it is.
    Current,
    /// The other half of a split-token pair (for an elevated process: the limited token).
    Linked,
}

/// What to do with the secret when writing a credential.
#[derive(Clone, Copy, Debug)]
pub enum SecretWrite<'a> {
    /// Write this secret.
    Set(&'a Secret),
    /// Keep the stored secret (`CRED_PRESERVE_CREDENTIAL_BLOB`).
    Preserve,
    /// Write an empty blob (a user-only entry, like `cmdkey /add` without `/pass`).
    Empty,
}

/// A credential to create or replace.
#[derive(Clone, Debug)]
pub struct CredentialWrite<'a> {
    pub target: &'a str,
    pub kind: CredentialKind,
    pub user_name: &'a str,
    pub persistence: Persistence,
    /// Target alias (`None` = none).
    pub alias: Option<&'a str>,
    /// Comment (`None` = none).
    pub comment: Option<&'a str>,
    /// Write, keep or empty the secret.
    pub secret: SecretWrite<'a>,
}

/// A registered scheduled task, as Task Scheduler reports it (`IRegisteredTask`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledTask {
    /// Its definition (`get_Xml`): Task Scheduler XML as the scheduler stores it.
    pub definition: String,
    /// `get_Enabled`.
    pub enabled: bool,
    /// `get_LastRunTime` in ISO 8601 local time; `None` when it never ran.
    pub last_run: Option<String>,
    /// `get_LastTaskResult` (the exit code of the last run, or an HRESULT such as
    /// `SCHED_S_TASK_HAS_NOT_RUN`); `None` when not reported.
    pub last_result: Option<u32>,
    /// `get_NextRunTime` in ISO 8601 local time; `None` when none is scheduled.
    pub next_run: Option<String>,
}

/// The port.
pub trait Port {
    /// Who the token in effect is (see [`Port::use_token`]).
    fn identity(&self) -> Result<Identity, ApiError>;
    /// The EnableLinkedConnections policy.
    fn linked_connections(&self) -> Result<LinkedConnections, ApiError>;
    /// Connected disk resources of this logon session.
    fn connected(&self) -> Result<Vec<Connection>, ApiError>;
    /// Remembered disk connections of this user.
    fn remembered(&self) -> Result<Vec<Remembered>, ApiError>;
    /// The current target of a drive letter's DOS device (`QueryDosDeviceW`), `None` when undefined.
    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError>;
    /// `CredGetSessionTypes` for the token in effect: the highest persistence per credential
    /// type this logon session may store. `Err(1312)` for a session without a credential set.
    fn credential_caps(&self) -> Result<CredentialCaps, ApiError>;
    /// The process token's linked (split) account and the user of the interactive session this
    /// process runs in (the "over the shoulder" check, [`crate::domain::owner_mismatch`]).
    fn session_users(&self) -> Result<SessionUsers, ApiError>;
    /// Saved password credentials of this logon session's vault (no secrets).
    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError>;
    /// One saved credential (`CredReadW`; no secret), `None` when there is none.
    fn credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError>;
    /// Whether a saved credential's secret equals `secret`; `None` when Windows does not
    /// return the secret (always for domain passwords).
    fn credential_secret_equals(
        &self,
        target: &str,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<Option<bool>, ApiError>;
    /// Boot-time DOS devices (`Session Manager\DOS Devices`).
    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError>;
    /// Explorer label (`MountPoints2\<key>\_LabelFromReg`) of a remote path.
    fn label(&self, remote: &RemotePath) -> Result<Option<String>, ApiError>;
    /// Other logon sessions of this user and their drives (needs admin for sessions not owned).
    fn sessions(&self) -> Result<Vec<SessionView>, ApiError>;
    /// Every logon session of the machine (all of them with administrator rights; without,
    /// the others with what could be read, drives unreadable), for `mapdrive sessions`.
    fn logon_sessions(&self) -> Result<Vec<LogonSessionInfo>, ApiError>;
    /// The drive letters of the global DOS-device namespace (`\GLOBAL??`).
    fn global_namespace(&self) -> Result<GlobalNamespace, ApiError>;
    /// The console's output code page (`GetConsoleOutputCP`); `None` without a console.
    fn console_output_code_page(&self) -> Option<u32>;
    /// The name Windows gives the SMB provider (`WNetGetProviderNameW(WNNC_NET_LANMAN)`): the
    /// `ProviderName` of a remembered drive, "Microsoft Windows Network" on English Windows and
    /// localised elsewhere. Machine-wide: read once.
    fn lanman_provider_name(&self) -> Result<String, ApiError>;

    // Group Policy Drive Maps (`mapdrive apply Drives.xml`): what item-level targeting and the
    // preference variables are evaluated against, Explorer's `NoDrives`, and the record of what
    // a file applied. All of them for the token in effect (see [`Port::use_token`]).

    /// The targeting facts of the token in effect: its user and SID, its groups with names
    /// (`GetTokenInformation(TokenGroups)` + `LookupAccountSidW`, deny-only flags) and primary
    /// group, the computer's names (`GetComputerNameExW`), the user's environment, the
    /// computer's IP addresses, the Windows version and the languages.
    fn targeting_facts(&self) -> Result<TargetingFacts, ApiError>;
    /// Whether a registry key exists (`RegOpenKeyExW`), for `FilterRegistry`; `HKEY_CURRENT_USER`
    /// is the token's user's.
    fn registry_key_exists(&self, hive: Hive, key: &str) -> Result<bool, ApiError>;
    /// A registry value (`RegQueryValueExW`; empty `name` = the default value), `None` when the
    /// key or the value is absent.
    fn registry_value(
        &self,
        hive: Hive,
        key: &str,
        name: &str,
    ) -> Result<Option<RegValue>, ApiError>;
    /// The user's Explorer `NoDrives` (`HKCU\Software\Microsoft\Windows\CurrentVersion\Policies\Explorer`,
    /// `REG_DWORD`), `None` when absent.
    fn no_drives(&self) -> Result<Option<u32>, ApiError>;
    /// The record of what one `Drives.xml` applied for this user (`HKCU\Software\mapdrive\Gpp`,
    /// value `key`, a JSON string), `None` when there is none.
    fn gpp_record(&self, key: &str) -> Result<Option<String>, ApiError>;

    /// Connects `letter` to `remote` (`WNetAddConnection2W`); `remember` = `CONNECT_UPDATE_PROFILE`.
    /// `user`/`password` `None` are passed as NULL (use defaults).
    fn add_connection(
        &mut self,
        letter: DriveLetter,
        remote: &RemotePath,
        user: Option<&str>,
        password: Option<&Secret>,
        remember: bool,
    ) -> Result<(), ApiError>;
    /// Cancels `letter` (`WNetCancelConnection2W`); `forget` = `CONNECT_UPDATE_PROFILE`.
    fn cancel_connection(
        &mut self,
        letter: DriveLetter,
        forget: bool,
        force: bool,
    ) -> Result<(), ApiError>;
    /// Deletes `HKCU\Network\<L>` without touching any live connection.
    fn forget(&mut self, letter: DriveLetter) -> Result<(), ApiError>;
    /// Writes `HKCU\Network\<L>` for a live connection so it is restored at logon.
    fn remember(&mut self, entry: &Remembered) -> Result<(), ApiError>;
    /// Sets `HKCU\Network\<L>\UserName`.
    fn set_remembered_user_name(
        &mut self,
        letter: DriveLetter,
        user_name: &str,
    ) -> Result<(), ApiError>;
    /// Creates or replaces a credential (`CredWriteW`).
    fn write_credential(&mut self, cred: &CredentialWrite<'_>) -> Result<(), ApiError>;
    /// Deletes a credential (`CredDeleteW`).
    fn delete_credential(&mut self, target: &str, kind: CredentialKind) -> Result<(), ApiError>;
    /// Sets a boot-time DOS device value.
    fn set_boot_device(&mut self, name: &str, target: &str) -> Result<(), ApiError>;
    /// Removes a boot-time DOS device value.
    fn remove_boot_device(&mut self, name: &str) -> Result<(), ApiError>;
    /// Writes (`Some`) or removes (`None`) an Explorer label.
    fn set_label(&mut self, remote: &RemotePath, label: Option<&str>) -> Result<(), ApiError>;
    /// Writes (`Some`) or removes (`None`) the EnableLinkedConnections policy value.
    fn set_linked_connections(&mut self, enabled: Option<bool>) -> Result<(), ApiError>;
    /// Writes the user's Explorer `NoDrives` value (`REG_DWORD`).
    fn set_no_drives(&mut self, value: u32) -> Result<(), ApiError>;
    /// Writes (`Some`) or removes (`None`) the record of what one `Drives.xml` applied.
    fn set_gpp_record(&mut self, key: &str, record: Option<&str>) -> Result<(), ApiError>;
    /// Makes the following calls run as `choice`. The adapter reverts on `Current` and on drop.
    fn use_token(&mut self, choice: TokenChoice) -> Result<(), ApiError>;

    // The audit trail (`crate::audit`): the Application log's `mapdrive` source.

    /// Writes one event to the Application log (`ReportEventW`, source `mapdrive`, the event's
    /// actor SID as the user). Never fails the command: the engine turns an error (no Event Log
    /// service, access denied) into a warning of the change it reports, so it reaches the user
    /// through the front-end's own output (`--json` included), never as a stray stderr line.
    fn report_event(&mut self, event: &AuditEvent) -> Result<(), ApiError>;
    /// The event source's registration (`HKLM\` + [`crate::audit::SOURCE_KEY`]), `None` when the
    /// key is absent.
    fn event_source(&self) -> Result<Option<EventSourceRegistration>, ApiError>;
    /// Writes (`Some`: creates the key, sets `EventMessageFile` as `REG_EXPAND_SZ` and
    /// `TypesSupported` as `REG_DWORD`) or deletes (`None`) the event source's registration.
    /// Needs administrator rights (5 otherwise).
    fn set_event_source(
        &mut self,
        registration: Option<&EventSourceRegistration>,
    ) -> Result<(), ApiError>;
    /// The full path of the running executable (`GetModuleFileNameW(NULL)`).
    fn executable_path(&self) -> Result<String, ApiError>;

    // Certificates and credential attributes (win_credential's certificate types). Defaults
    // answer ERROR_NOT_SUPPORTED (50) so adapters without them keep compiling.

    /// Whether `CurrentUser\My` holds a certificate with this SHA-1 thumbprint
    /// (`CertOpenStore` + `CertFindCertificateInStore(CERT_FIND_SHA1_HASH)`).
    fn certificate_in_my_store(&self, thumbprint: &Thumbprint) -> Result<bool, ApiError> {
        let _ = thumbprint;
        Err(ApiError::new(
            "CertFindCertificateInStore",
            ERROR_NOT_SUPPORTED,
        ))
    }
    /// The user name a certificate credential stores for this certificate
    /// (`CredMarshalCredentialW(CertCredential)`).
    fn marshal_certificate(&self, thumbprint: &Thumbprint) -> Result<String, ApiError> {
        let _ = thumbprint;
        Err(ApiError::new("CredMarshalCredentialW", ERROR_NOT_SUPPORTED))
    }
    /// The certificate a stored user name refers to (`CredUnmarshalCredentialW`); `None` when it
    /// is not a marshaled certificate reference.
    fn unmarshal_certificate(&self, user_name: &str) -> Result<Option<Thumbprint>, ApiError> {
        let _ = user_name;
        Ok(None)
    }
    // Scheduled tasks and the files an `--all-users` task runs from (`mapdrive schedule`).
    // Defaults answer ERROR_NOT_SUPPORTED (50) so adapters without them keep compiling.

    /// A task in the root folder of Task Scheduler (`ITaskFolder::GetTask`), `None` when there is
    /// no such task.
    fn scheduled_task(&self, name: &str) -> Result<Option<ScheduledTask>, ApiError> {
        let _ = name;
        Err(ApiError::new("ITaskFolder::GetTask", ERROR_NOT_SUPPORTED))
    }
    /// `%ProgramData%` (`FOLDERID_ProgramData`), without a trailing backslash.
    fn program_data(&self) -> Result<String, ApiError> {
        Err(ApiError::new("SHGetKnownFolderPath", ERROR_NOT_SUPPORTED))
    }
    /// A file's contents, `None` when it does not exist.
    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>, ApiError> {
        let _ = path;
        Err(ApiError::new("ReadFile", ERROR_NOT_SUPPORTED))
    }
    /// Whether a file's or directory's owner and DACL are those of the SDDL `sddl`
    /// (`GetNamedSecurityInfoW`, compared with the SDDL as Windows would store it); `None` when
    /// it does not exist.
    fn security_matches(&self, path: &str, sddl: &str) -> Result<Option<bool>, ApiError> {
        let _ = (path, sddl);
        Err(ApiError::new("GetNamedSecurityInfoW", ERROR_NOT_SUPPORTED))
    }
    /// Registers (creates or replaces) a task in the root folder from its XML definition
    /// (`ITaskFolder::RegisterTask`, `TASK_CREATE_OR_UPDATE`, no user or password: the
    /// principal in the XML decides).
    fn register_task(&mut self, name: &str, definition: &str) -> Result<(), ApiError> {
        let _ = (name, definition);
        Err(ApiError::new(
            "ITaskFolder::RegisterTask",
            ERROR_NOT_SUPPORTED,
        ))
    }
    /// Deletes a task from the root folder (`ITaskFolder::DeleteTask`).
    fn delete_task(&mut self, name: &str) -> Result<(), ApiError> {
        let _ = name;
        Err(ApiError::new(
            "ITaskFolder::DeleteTask",
            ERROR_NOT_SUPPORTED,
        ))
    }
    /// Creates a directory if it is not there and sets its owner and DACL to `sddl`
    /// (`CreateDirectoryW`, `SetNamedSecurityInfoW`).
    fn secure_directory(&mut self, path: &str, sddl: &str) -> Result<(), ApiError> {
        let _ = (path, sddl);
        Err(ApiError::new("SetNamedSecurityInfoW", ERROR_NOT_SUPPORTED))
    }
    /// Creates or replaces a file with `contents` and sets its owner and DACL to `sddl`.
    fn write_file(&mut self, path: &str, contents: &[u8], sddl: &str) -> Result<(), ApiError> {
        let _ = (path, contents, sddl);
        Err(ApiError::new("WriteFile", ERROR_NOT_SUPPORTED))
    }
    /// Creates or replaces a credential with these attributes (`CredWriteW`; the attributes replace
    /// the stored ones).
    fn write_credential_with_attributes(
        &mut self,
        cred: &CredentialWrite<'_>,
        attributes: &[CredentialAttribute],
    ) -> Result<(), ApiError> {
        if attributes.is_empty() {
            self.write_credential(cred)
        } else {
            Err(ApiError::new("CredWriteW", ERROR_NOT_SUPPORTED))
        }
    }
}

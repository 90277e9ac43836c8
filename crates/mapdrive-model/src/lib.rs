//! The session model: an in-memory Windows of users, logon sessions, tokens, DOS-device
//! namespaces, registry hives, credential vaults, file servers, Winlogon and reboots.
//!
//! A [`Machine`] is one host seen from one process. The scenario API (this module) sets the
//! world up and moves the process between logon sessions (`logon`, `run_in`, `elevate`,
//! `run_as_system`, `logoff`, `reboot`); the [`Port`](mapdrive_core::port::Port) implementation answers
//! for the token in effect, exactly like the Win32 adapter does on a real host.
//!
//! What it reproduces (how Windows behaves; `docs/doctor-and-sessions.md` tells the story):
//! - every logon creates a new logon session (LUID); an administrator with UAC gets two linked
//!   sessions (Limited + Full), each with its own local DOS-device namespace;
//! - a mapping defines `\Device\LanmanRedirector\;Z:<luid>\server\share` in the caller's local
//!   namespace, or in the global one when the caller is SYSTEM; lookups try local, then global;
//! - `EnableLinkedConnections` (read at boot) mirrors mappings into the linked session;
//! - `HKCU\Network` is written only by tokens that are not the Full half of a split pair
//!   (unless linked connections are in effect), and Winlogon replays it for console and RDP
//!   logons only, with a NULL password;
//! - outbound authentication: explicit credentials, then a saved domain credential for the host,
//!   then the logon session's own credentials, then anonymous; network logons have no vault
//!   (1312) and no delegation;
//! - a reboot drops every logon session and every global drive, then recreates the boot-time
//!   `Session Manager\DOS Devices` table.

pub mod fixture;
mod gpp;
mod network;
mod port_impl;
pub mod schedule;
mod vault;

#[cfg(test)]
mod tests;

use mapdrive_core::error::{
    ApiError, ERROR_ACCESS_DENIED, ERROR_BAD_NET_NAME, ERROR_BAD_PROVIDER, ERROR_LOGON_FAILURE,
    ERROR_NO_SUCH_LOGON_SESSION,
};
use std::collections::BTreeMap;

use serde::Serialize;
use zeroize::Zeroizing;

use mapdrive_core::domain::{
    CredentialCaps, CredentialKind, DriveLetter, Elevation, LogonType, Luid, Persistence,
    RemotePath,
};
use mapdrive_core::port::{BootDevice, Remembered};

pub use network::{Access, ShareAccess};

use network::Server;
use vault::StoredCredential;

/// `ProviderName` of the SMB provider (`HKCU\Network\<L>\ProviderName`, `lpProvider`).
pub const LANMAN_PROVIDER: &str = "Microsoft Windows Network";
/// `ProviderType` of the SMB provider (`WNNC_NET_LANMAN`).
pub const LANMAN_PROVIDER_TYPE: u32 = 0x0002_0000;
/// The SYSTEM account.
pub const SYSTEM_USER: &str = "NT AUTHORITY\\SYSTEM";
/// SYSTEM's SID.
pub const SYSTEM_SID: &str = "S-1-5-18";
/// Where the global `C:` points.
pub const SYSTEM_VOLUME: &str = "\\Device\\HarddiskVolume1";

/// The first LUID handed out: an elevated session `bd3c0`, whose limited partner is `bd3f6`
/// (the pair `net use` and `QueryDosDeviceW` show in the usual illustration of the problem).
const FIRST_LUID: u64 = 0x000b_d3c0;
/// Distance between two LUIDs handed out in a row (`bd3f6 - bd3c0`).
const LUID_STEP: u64 = 0x36;

/// How a user logs on: decides the logon type, the token shape, the credential vault,
/// delegation and whether Winlogon restores `HKCU\Network`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogonKind {
    /// Console logon through Winlogon (type 2): vault, own credentials, drives restored, split for admins.
    Interactive,
    /// RDP logon through Winlogon (type 10): as [`LogonKind::Interactive`].
    RemoteInteractive,
    /// SMB, WinRM, PowerShell remoting with NTLM/Kerberos (type 3): no vault (1312), no
    /// delegation (outbound SMB is anonymous unless explicit credentials are given).
    Network,
    /// WinRM with CredSSP/Basic (type 8): a network logon that holds the password, so it has a
    /// vault and can delegate.
    NetworkCleartext,
    /// A scheduled task that stores the password (type 4): vault and own credentials, no Winlogon.
    Batch,
    /// A service running as the user (type 5): vault and own credentials, no Winlogon.
    Service,
    /// `runas /netonly` (type 9): a new logon session, no Winlogon.
    NewCredentials,
    /// `runas.exe` / Ansible become: an interactive-type logon that does NOT go through
    /// Winlogon, so nothing is restored; split for admins.
    Runas,
}

impl LogonKind {
    /// The `SECURITY_LOGON_TYPE` the token reports.
    pub fn logon_type(self) -> LogonType {
        match self {
            LogonKind::Interactive | LogonKind::Runas => LogonType::Interactive,
            LogonKind::RemoteInteractive => LogonType::RemoteInteractive,
            LogonKind::Network => LogonType::Network,
            LogonKind::NetworkCleartext => LogonType::NetworkCleartext,
            LogonKind::Batch => LogonType::Batch,
            LogonKind::Service => LogonType::Service,
            LogonKind::NewCredentials => LogonType::NewCredentials,
        }
    }

    /// Winlogon handles the logon (and has MPR replay `HKCU\Network`).
    pub fn via_winlogon(self) -> bool {
        matches!(self, LogonKind::Interactive | LogonKind::RemoteInteractive)
    }

    /// The logon session has a credential set (Credential Manager works).
    pub fn has_vault(self) -> bool {
        self != LogonKind::Network
    }

    /// The logon session holds the user's own credentials and can use them for outbound SMB.
    pub fn has_own_credentials(self) -> bool {
        self != LogonKind::Network
    }

    fn is_network(self) -> bool {
        matches!(self, LogonKind::Network | LogonKind::NetworkCleartext)
    }

    fn splits_for_admins(self) -> bool {
        matches!(
            self,
            LogonKind::Interactive | LogonKind::RemoteInteractive | LogonKind::Runas
        )
    }
}

/// Something that happened at logon that a user would otherwise only notice as a missing drive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LogonEvent {
    /// Winlogon reconnected a remembered drive.
    Restored {
        /// The logon session it was connected in.
        logon_id: Luid,
        /// The drive.
        letter: DriveLetter,
        remote: String,
    },
    /// Winlogon could not reconnect a remembered drive (it stays "Unavailable").
    RestoreFailure {
        /// The logon session it was tried in.
        logon_id: Luid,
        /// The drive.
        letter: DriveLetter,
        remote: String,
        /// The Win32 code `WNetAddConnection2W` returned (86 = the blank password was rejected).
        code: u32,
    },
}

/// What a DOS-device name points at, and why it exists.
#[derive(Clone, Debug)]
struct DosEntry {
    target: String,
    kind: DeviceKind,
}

#[derive(Clone, Debug)]
enum DeviceKind {
    /// A volume (`C:`).
    Disk,
    /// Created by smss.exe from the boot-time table.
    Boot,
    /// A redirected drive made by `WNetAddConnection2W`.
    Connection(NetUse),
}

/// A live redirection.
#[derive(Clone, Debug)]
struct NetUse {
    letter: DriveLetter,
    remote: RemotePath,
    /// Lower-case host as written in the UNC (the SMB session key).
    host: String,
    /// The account the server accepted (`None` = anonymous).
    account: Option<String>,
    /// `Some(owner)` when this is the EnableLinkedConnections copy of `owner`'s connection.
    mirror_of: Option<Luid>,
}

type Namespace = BTreeMap<String, DosEntry>;

struct User {
    name: String,
    sid: String,
    password: Zeroizing<String>,
    is_admin: bool,
    local: bool,
    system: bool,
    /// `HKCU\Network`.
    network: BTreeMap<DriveLetter, Remembered>,
    /// `MountPoints2\<key lower-case>\_LabelFromReg`.
    labels: BTreeMap<String, String>,
    /// Credential Manager.
    vault: Vec<StoredCredential>,
    /// The rest of `HKCU` (Explorer's `NoDrives`, mapdrive's Group Policy records, what
    /// `FilterRegistry` reads).
    hkcu: mapdrive_core::gpp::InMemoryRegistry,
    /// Groups of the user's tokens besides the well-known ones (`Everyone`, `Users`, …).
    groups: Vec<mapdrive_core::gpp::TokenGroup>,
    /// The user's environment variables besides the ones Windows derives.
    environment: Vec<(String, String)>,
    /// `HKEY_USERS\<SID>` is not loaded (a service or task that did not load the profile):
    /// `RegOpenCurrentUser` falls back to `HKEY_USERS\.DEFAULT`, which the adapter never writes.
    profile_unloaded: bool,
}

impl User {
    /// The built-in Administrator: a local account with RID 500.
    fn is_builtin_administrator(&self) -> bool {
        self.local && self.sid.ends_with("-500")
    }
}

struct Session {
    /// Key into `Machine::users`.
    user: String,
    /// `None` for SYSTEM's own session.
    kind: Option<LogonKind>,
    elevation: Elevation,
    linked: Option<Luid>,
    /// The Windows (terminal services) session: 0 for services, network logons and tasks.
    terminal: u32,
    /// `\Sessions\0\DosDevices\<LUID>`.
    devices: Namespace,
}

impl Session {
    fn is_system(&self) -> bool {
        self.kind.is_none()
    }

    fn has_vault(&self) -> bool {
        self.kind.is_none_or(LogonKind::has_vault)
    }

    /// SYSTEM would authenticate as the computer account, which the model does not have.
    fn has_own_credentials(&self) -> bool {
        self.kind.is_some_and(LogonKind::has_own_credentials)
    }

    fn logon_type(&self) -> LogonType {
        self.kind.map_or(LogonType::System, LogonKind::logon_type)
    }
}

/// One Windows host, seen from one process.
///
/// Scenario methods never count as writes; only successful [`Port`](mapdrive_core::port::Port)
/// actions do (see [`Machine::writes`]).
pub struct Machine {
    uac: bool,
    filter_administrator_token: bool,
    local_account_token_filter_policy: bool,
    /// `EnableLinkedConnections` as configured in the registry.
    linked_policy: Option<u32>,
    /// Whether linked connections are in effect (the policy as it was at the last boot).
    linked_effective: bool,
    /// `Session Manager\DOS Devices`.
    boot_devices: Vec<BootDevice>,
    users: BTreeMap<String, User>,
    /// Canonical lower-case name → server.
    servers: BTreeMap<String, Server>,
    /// Every lower-case name a server answers to → canonical name.
    server_names: BTreeMap<String, String>,
    sessions: BTreeMap<Luid, Session>,
    /// `\GLOBAL??`.
    global: Namespace,
    next_luid: u64,
    /// The process token's logon session (`None` once that session was logged off).
    process: Option<Luid>,
    /// The impersonated token set by `use_token(Linked)`.
    thread: Option<Luid>,
    /// The Winlogon logon whose desktop (Windows session) the process runs on: its user is the
    /// one whose Explorer shows drives. `None` in session 0 (services, WinRM, tasks).
    desktop: Option<Luid>,
    /// What `CredGetSessionTypes` answers in a session with a credential set (policy caps).
    credential_caps: CredentialCaps,
    writes: u64,
    events: Vec<LogonEvent>,
    /// `CurrentUser\My` certificate thumbprints, per user key.
    certificates: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The computer's side of the targeting facts and `HKLM` (and the other machine hives).
    computer: gpp::Computer,
    /// The next Windows session id Winlogon hands out.
    next_terminal: u32,
    /// What `GetConsoleOutputCP` answers (`None`: no console).
    console_code_page: Option<u32>,
    /// Every event `report_event` wrote to the Application log, in order.
    audit: Vec<ReportedEvent>,
    /// Whether the Event Log takes events (off: `report_event` drops them, as when the
    /// service is stopped).
    event_log_available: bool,
    /// `HKLM\...\EventLog\Application\mapdrive`.
    event_source: Option<mapdrive_core::audit::EventSourceRegistration>,
    /// What `GetModuleFileNameW(NULL)` answers.
    executable: String,
    /// Task Scheduler and the files `mapdrive schedule` reads and writes.
    scheduler: schedule::Scheduler,
    /// What `WNetGetProviderNameW(WNNC_NET_LANMAN)` answers: [`LANMAN_PROVIDER`] on English
    /// Windows, localised elsewhere.
    lanman_provider: String,
    /// Whether the SMB provider lists the connections it holds (`WNetOpenEnumW`): Windows shows a
    /// drive Winlogon restored as "Disconnected", and lists it not at all, until first used.
    provider_lists_connections: bool,
    /// When opening the process token for the desktop-user lookup is refused.
    desktop_user_lookup: DesktopUserLookup,
}

/// When Windows refuses the desktop-user lookup (`OpenProcessToken` on the process, 5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DesktopUserLookup {
    /// Never.
    #[default]
    Allowed,
    /// While the thread impersonates (the limited token may not open the elevated process's).
    DeniedWhileImpersonating,
    /// Always.
    Denied,
}

/// One event written to the Application log, with the logon session of the token in effect
/// when it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportedEvent {
    pub event: mapdrive_core::audit::AuditEvent,
    /// The token in effect (`None`: none, its session was logged off).
    pub token: Option<Luid>,
}

/// Where the model's `mapdrive.exe` lives.
pub const EXECUTABLE: &str = r"C:\Program Files\mapdrive\mapdrive.exe";

impl Default for Machine {
    fn default() -> Self {
        Machine::new()
    }
}

fn key(s: &str) -> String {
    s.to_lowercase()
}

fn device_key(name: &str) -> String {
    name.to_uppercase()
}

impl Machine {
    /// A freshly booted host: UAC on, `FilterAdministratorToken` off,
    /// `LocalAccountTokenFilterPolicy` off, `EnableLinkedConnections` absent, no users but
    /// SYSTEM, a global `C:`; the process runs as SYSTEM.
    pub fn new() -> Machine {
        let mut users = BTreeMap::new();
        users.insert(
            key(SYSTEM_USER),
            User {
                name: SYSTEM_USER.to_string(),
                sid: SYSTEM_SID.to_string(),
                password: Zeroizing::new(String::new()),
                is_admin: true,
                local: true,
                system: true,
                network: BTreeMap::new(),
                labels: BTreeMap::new(),
                vault: Vec::new(),
                hkcu: Default::default(),
                groups: Vec::new(),
                environment: Vec::new(),
                profile_unloaded: false,
            },
        );
        let mut m = Machine {
            uac: true,
            filter_administrator_token: false,
            local_account_token_filter_policy: false,
            linked_policy: None,
            linked_effective: false,
            boot_devices: Vec::new(),
            users,
            servers: BTreeMap::new(),
            server_names: BTreeMap::new(),
            sessions: BTreeMap::new(),
            global: Namespace::new(),
            next_luid: FIRST_LUID,
            process: None,
            thread: None,
            desktop: None,
            credential_caps: CredentialCaps::UNRESTRICTED,
            writes: 0,
            events: Vec::new(),
            certificates: BTreeMap::new(),
            computer: gpp::Computer::default(),
            next_terminal: 1,
            console_code_page: None,
            audit: Vec::new(),
            event_log_available: true,
            event_source: None,
            executable: EXECUTABLE.to_string(),
            scheduler: schedule::Scheduler::default(),
            lanman_provider: LANMAN_PROVIDER.to_string(),
            provider_lists_connections: true,
            desktop_user_lookup: DesktopUserLookup::Allowed,
        };
        m.boot();
        m
    }

    // ---------------------------------------------------------------- machine settings

    /// The display language's name of the SMB provider (`WNetGetProviderNameW(WNNC_NET_LANMAN)`,
    /// `lpProvider`, `HKCU\Network\<L>\ProviderName`): "Microsoft Windows-Netzwerk" on German
    /// Windows. Default: [`LANMAN_PROVIDER`].
    pub fn set_lanman_provider_name(&mut self, name: &str) {
        self.lanman_provider = name.to_string();
    }

    /// Whether the SMB provider lists its connections (default: yes). Off, `connected` answers
    /// none, as Windows does for a drive restored at logon until it is first used: mapdrive must
    /// then name the provider itself when it writes `HKCU\Network`.
    pub fn set_provider_lists_connections(&mut self, lists: bool) {
        self.provider_lists_connections = lists;
    }

    /// When the desktop-user lookup (`session_users`) is refused with 5 `ERROR_ACCESS_DENIED`.
    pub fn set_desktop_user_lookup(&mut self, lookup: DesktopUserLookup) {
        self.desktop_user_lookup = lookup;
    }

    /// Whether `user`'s profile (registry hive `HKEY_USERS\<SID>`) is loaded; a user that never
    /// logged on interactively, or a service or task that does not load it, has none. Without
    /// it every write to the user's `HKCU` (remembered drives, labels, `NoDrives`, mapdrive's
    /// Group Policy records) fails with `RegOpenCurrentUser` 500 (`ERROR_USER_PROFILE_LOAD`), as
    /// the Win32 adapter refuses to write to `HKEY_USERS\.DEFAULT` in its place. Unknown user: no-op.
    pub fn set_profile_loaded(&mut self, user: &str, loaded: bool) {
        if let Some(u) = self.users.get_mut(&key(user)) {
            u.profile_unloaded = !loaded;
        }
    }

    /// UAC (`EnableLUA`). Off: every token is Default. Applies to later logons.
    pub fn set_uac(&mut self, enabled: bool) {
        self.uac = enabled;
    }

    /// `FilterAdministratorToken`: on, the built-in Administrator (local, RID 500) gets a split
    /// token like any other administrator. Applies to later logons.
    pub fn set_filter_administrator_token(&mut self, enabled: bool) {
        self.filter_administrator_token = enabled;
    }

    /// `LocalAccountTokenFilterPolicy`: on, a network logon of a local administrator gets a
    /// full (Default) token instead of a filtered (Limited) one. Applies to later logons.
    pub fn set_local_account_token_filter_policy(&mut self, enabled: bool) {
        self.local_account_token_filter_policy = enabled;
    }

    /// Writes (`Some`) or removes (`None`) the `EnableLinkedConnections` registry value, as an
    /// administrator would with regedit. Takes effect at the next [`Machine::reboot`].
    pub fn set_enable_linked_connections(&mut self, value: Option<u32>) {
        self.linked_policy = value;
    }

    /// The policy "Network access: Do not allow storage of passwords and credentials for network
    /// authentication" (`DisableDomainCreds`): `CredGetSessionTypes` then caps the domain
    /// types (modelled as session-only (belief: Windows answers `CRED_PERSIST_SESSION`; use
    /// [`Machine::set_credential_persistence_cap`] for another answer). Off: no cap.
    pub fn set_disable_domain_creds(&mut self, enabled: bool) {
        let cap = Some(if enabled {
            Persistence::Session
        } else {
            Persistence::Enterprise
        });
        // Both domain types (belief: the policy caps them together).
        self.credential_caps.domain_password = cap;
        self.credential_caps.domain_certificate = cap;
    }

    /// Sets what `CredGetSessionTypes` answers for `kind` (`None` = `CRED_PERSIST_NONE`) in every
    /// logon session that has a credential set; `CredWriteW` beyond it fails (1312, a belief).
    pub fn set_credential_persistence_cap(
        &mut self,
        kind: CredentialKind,
        cap: Option<Persistence>,
    ) {
        let caps = &mut self.credential_caps;
        match kind {
            CredentialKind::GenericPassword => caps.generic_password = cap,
            CredentialKind::DomainPassword => caps.domain_password = cap,
            CredentialKind::DomainCertificate => caps.domain_certificate = cap,
            CredentialKind::GenericCertificate => caps.generic_certificate = cap,
        }
    }

    /// Task Scheduler and the files of `mapdrive schedule`, to look at and to set up (changes
    /// made here are not counted as writes).
    pub fn scheduler(&mut self) -> &mut schedule::Scheduler {
        &mut self.scheduler
    }

    /// What `GetConsoleOutputCP` answers (`None`: the process has no console).
    pub fn set_console_output_code_page(&mut self, code_page: Option<u32>) {
        self.console_code_page = code_page;
    }

    /// Whether the configured `EnableLinkedConnections` differs from the one in effect.
    pub fn pending_reboot(&self) -> bool {
        self.linked_effective != (self.linked_policy.is_some_and(|v| v != 0))
    }

    // ---------------------------------------------------------------- accounts and servers

    /// A domain account (`CORP\alice`) of this host. `is_admin`: member of Administrators.
    pub fn add_user(&mut self, name: &str, sid: &str, password: &str, is_admin: bool) {
        self.insert_user(name, sid, password, is_admin, false);
    }

    /// A local account (`HOST\admin`). A local account whose SID ends in `-500` is the
    /// built-in Administrator.
    pub fn add_local_user(&mut self, name: &str, sid: &str, password: &str, is_admin: bool) {
        self.insert_user(name, sid, password, is_admin, true);
    }

    fn insert_user(&mut self, name: &str, sid: &str, password: &str, is_admin: bool, local: bool) {
        self.users.insert(
            key(name),
            User {
                name: name.to_string(),
                sid: sid.to_string(),
                password: Zeroizing::new(password.to_string()),
                is_admin,
                local,
                system: false,
                network: BTreeMap::new(),
                labels: BTreeMap::new(),
                vault: Vec::new(),
                hkcu: Default::default(),
                groups: Vec::new(),
                environment: Vec::new(),
                profile_unloaded: false,
            },
        );
    }

    /// A file server reachable as `name`.
    pub fn add_server(&mut self, name: &str) {
        let k = key(name);
        self.servers.entry(k.clone()).or_insert_with(Server::new);
        self.server_names.insert(k.clone(), k);
    }

    /// Another name of an existing server (FQDN, IP address). SMB sessions and saved
    /// credentials are keyed by the name as written, so an alias is a different server for
    /// 1219 and for credential lookup. Creates the server if needed.
    pub fn add_server_alias(&mut self, server: &str, alias: &str) {
        self.add_server(server);
        self.server_names.insert(key(alias), key(server));
    }

    /// A share on `server` (created if needed).
    pub fn add_share(&mut self, server: &str, share: &str, access: ShareAccess) {
        self.add_server(server);
        if let Some(s) = self.servers.get_mut(&key(server)) {
            s.add_share(share, access);
        }
    }

    /// An account the server accepts (a domain account the server trusts, or one of its local
    /// accounts). A logon session's own credentials are accepted when the user's name and
    /// Puts a certificate (with its private key) into `user`'s `CurrentUser\My` store.
    pub fn add_certificate(&mut self, user: &str, thumbprint: &mapdrive_core::domain::Thumbprint) {
        self.certificates
            .entry(key(user))
            .or_default()
            .insert(thumbprint.to_string());
    }

    /// password match one of these.
    pub fn add_account(&mut self, server: &str, user: &str, password: &str) {
        self.add_server(server);
        if let Some(s) = self.servers.get_mut(&key(server)) {
            s.add_account(user, password);
        }
    }

    /// Makes the share report open files: cancelling a drive on it without force fails with 2401.
    pub fn set_open_files(&mut self, server: &str, share: &str, open: bool) {
        if let Some(s) = self.servers.get_mut(&key(server)) {
            s.set_open_files(share, open);
        }
    }

    // ---------------------------------------------------------------- logon sessions

    /// Logs `user` on (`LogonUserW` / Winlogon). Returns the logon id of the default token:
    /// for a split admin logon that is the Limited one ([`Machine::linked`] gives the Full one).
    /// Console and RDP logons then run Winlogon, which replays `HKCU\Network`.
    ///
    /// Unknown users (and SYSTEM, which does not log on) fail with 1326.
    pub fn logon(&mut self, user: &str, kind: LogonKind) -> Result<Luid, ApiError> {
        let k = key(user);
        let Some(u) = self.users.get(&k).filter(|u| !u.system) else {
            return Err(ApiError::new("LogonUserW", ERROR_LOGON_FAILURE));
        };
        let exempt = u.is_builtin_administrator() && !self.filter_administrator_token;
        let split = self.uac && u.is_admin && !exempt;
        let local = u.local;
        let terminal = self.terminal_for(kind);
        let primary = if split && kind.splits_for_admins() {
            let full = self.alloc_luid();
            let limited = self.alloc_luid();
            self.sessions.insert(
                full,
                new_session(&k, kind, Elevation::Full, Some(limited), terminal),
            );
            self.sessions.insert(
                limited,
                new_session(&k, kind, Elevation::Limited, Some(full), terminal),
            );
            limited
        } else {
            // Remote UAC: a network logon of a local administrator is filtered unless
            // LocalAccountTokenFilterPolicy is set; domain accounts are not filtered.
            let elevation =
                if split && kind.is_network() && local && !self.local_account_token_filter_policy {
                    Elevation::Limited
                } else {
                    Elevation::Default
                };
            let luid = self.alloc_luid();
            self.sessions
                .insert(luid, new_session(&k, kind, elevation, None, terminal));
            luid
        };
        if kind.via_winlogon() {
            self.winlogon_restore(primary);
        }
        Ok(primary)
    }

    /// The Windows session a new logon of `kind` lands in: Winlogon opens a new one for console
    /// and RDP logons; runas opens its window on the desktop it was run from; everything else
    /// (network logons, tasks, services) runs in session 0.
    fn terminal_for(&mut self, kind: LogonKind) -> u32 {
        match kind {
            LogonKind::Interactive | LogonKind::RemoteInteractive => {
                let t = self.next_terminal;
                self.next_terminal += 1;
                t
            }
            LogonKind::Runas | LogonKind::NewCredentials => self
                .desktop
                .or(self.process)
                .and_then(|l| self.sessions.get(&l))
                .map_or(0, |s| s.terminal),
            _ => 0,
        }
    }

    /// The other half of a split-token pair.
    pub fn linked(&self, logon_id: Luid) -> Option<Luid> {
        self.sessions.get(&logon_id).and_then(|s| s.linked)
    }

    /// Makes the process run in `logon_id` (a process started with that token). Drops any
    /// impersonation. Fails with 1312 when the session does not exist.
    pub fn run_in(&mut self, logon_id: Luid) -> Result<(), ApiError> {
        if !self.sessions.contains_key(&logon_id) {
            return Err(ApiError::new(
                "CreateProcessAsUserW",
                ERROR_NO_SUCH_LOGON_SESSION,
            ));
        }
        self.process = Some(logon_id);
        self.thread = None;
        self.desktop = match self.sessions.get(&logon_id).and_then(|s| s.kind) {
            // A Winlogon logon owns its desktop.
            Some(k) if k.via_winlogon() => Some(logon_id),
            // runas (also /netonly) starts a window on the desktop it was run from.
            Some(LogonKind::Runas | LogonKind::NewCredentials) => self.desktop,
            // Network logons, tasks and services run in session 0: no interactive user.
            _ => None,
        };
        Ok(())
    }

    /// "Run as administrator": the process switches to the Full token of its split pair.
    /// Already Full: nothing changes. Default or a Limited token without a partner (remote
    /// UAC): 1312, there is nothing to elevate to without another logon.
    pub fn elevate(&mut self) -> Result<(), ApiError> {
        let luid = self.process.ok_or(ApiError::new(
            "OpenProcessToken",
            ERROR_NO_SUCH_LOGON_SESSION,
        ))?;
        let s = self.sessions.get(&luid).ok_or(ApiError::new(
            "OpenProcessToken",
            ERROR_NO_SUCH_LOGON_SESSION,
        ))?;
        match (s.elevation, s.linked) {
            (Elevation::Full, _) => {}
            (Elevation::Limited, Some(full)) => self.process = Some(full),
            _ => {
                return Err(ApiError::new(
                    "GetTokenInformation",
                    ERROR_NO_SUCH_LOGON_SESSION,
                ));
            }
        }
        self.thread = None;
        Ok(())
    }

    /// Makes the process run as SYSTEM (a service, `psexec -s`, Ansible `become_user: SYSTEM`).
    pub fn run_as_system(&mut self) {
        self.process = Some(Luid::SYSTEM);
        self.thread = None;
        self.desktop = None;
    }

    /// "Run as administrator" answered with *another* administrator's name and password ("over
    /// the shoulder" UAC): `user` is logged on (a new interactive logon that Winlogon does not
    /// restore, split for administrators) and the process runs its elevated token, on the same
    /// desktop. Both halves of that split token are `user`'s. Returns the logon id of the
    /// process token.
    pub fn elevate_as(&mut self, user: &str) -> Result<Luid, ApiError> {
        let desktop = self.desktop;
        let default = self.logon(user, LogonKind::Runas)?;
        let token = self
            .sessions
            .get(&default)
            .and_then(|s| {
                (s.elevation == Elevation::Limited)
                    .then_some(s.linked)
                    .flatten()
            })
            .unwrap_or(default);
        self.run_in(token)?;
        self.desktop = desktop;
        Ok(token)
    }

    /// Windows 11 "Administrator protection": elevating creates a logon of a separate, hidden
    /// shadow administrator account (`HOST\ADMIN_<user>`, its own SID and profile) and the
    /// process runs its elevated token, which has no linked half (belief: the elevated shadow
    /// token is not linked to the user's token]; the desktop stays the user's. Fails with 1312
    /// without a process or when its user is not an administrator (5).
    pub fn elevate_with_administrator_protection(&mut self) -> Result<Luid, ApiError> {
        self.elevate_to_shadow(false)
    }

    /// [`Machine::elevate_with_administrator_protection`], in the variant nobody has verified
    /// either way: the shadow account's elevated token *is* linked to the user's own token (the
    /// one the process ran with), so `TokenLinkedToken` answers with another account than the
    /// elevated one. Both halves of that "split" token are then two different accounts.
    pub fn elevate_with_administrator_protection_linked(&mut self) -> Result<Luid, ApiError> {
        self.elevate_to_shadow(true)
    }

    fn elevate_to_shadow(&mut self, linked: bool) -> Result<Luid, ApiError> {
        let luid = self.process.ok_or(ApiError::new(
            "OpenProcessToken",
            ERROR_NO_SUCH_LOGON_SESSION,
        ))?;
        let user = self.user_of(luid, "OpenProcessToken")?;
        if !user.is_admin || user.system {
            return Err(ApiError::new("CreateProcessAsUserW", ERROR_ACCESS_DENIED));
        }
        let short = user
            .name
            .rsplit('\\')
            .next()
            .unwrap_or(&user.name)
            .to_string();
        let shadow = format!("HOST\\ADMIN_{short}");
        let sid = format!("{}-7", user.sid);
        let k = key(&shadow);
        if !self.users.contains_key(&k) {
            self.insert_user(&shadow, &sid, "", true, true);
        }
        let full = self.alloc_luid();
        let terminal = self.terminal_for(LogonKind::Runas);
        self.sessions.insert(
            full,
            new_session(
                &k,
                LogonKind::Runas,
                Elevation::Full,
                linked.then_some(luid),
                terminal,
            ),
        );
        let desktop = self.desktop;
        self.run_in(full)?;
        self.desktop = desktop;
        Ok(full)
    }

    /// The current thread impersonates SYSTEM (what Ansible does to borrow SeTcbPrivilege):
    /// the process keeps its token; `use_token(Current)` reverts.
    pub fn impersonate_system(&mut self) {
        self.thread = Some(Luid::SYSTEM);
    }

    /// Ends a logon (both halves of a split pair): its local DOS devices and its
    /// session-persisted credentials are gone. A process running in it is gone too: later
    /// port calls fail with 1312 until [`Machine::run_in`]. SYSTEM cannot log off (5).
    pub fn logoff(&mut self, logon_id: Luid) -> Result<(), ApiError> {
        if logon_id == Luid::SYSTEM {
            return Err(ApiError::new("LsaLogoffUser", ERROR_ACCESS_DENIED));
        }
        let Some(s) = self.sessions.remove(&logon_id) else {
            return Err(ApiError::new("LsaLogoffUser", ERROR_NO_SUCH_LOGON_SESSION));
        };
        let mut gone = vec![logon_id];
        if let Some(l) = s.linked {
            self.sessions.remove(&l);
            gone.push(l);
        }
        for u in self.users.values_mut() {
            u.vault
                .retain(|c| c.session.is_none_or(|owner| !gone.contains(&owner)));
        }
        if self.process.is_some_and(|p| gone.contains(&p)) {
            self.process = None;
        }
        if self.thread.is_some_and(|t| gone.contains(&t)) {
            self.thread = None;
        }
        if self.desktop.is_some_and(|d| gone.contains(&d)) {
            self.desktop = None;
        }
        Ok(())
    }

    /// Restarts the host: every logon session and every DOS namespace (global network drives
    /// included) is gone; smss.exe recreates `C:` and the `Session Manager\DOS Devices`
    /// table; `EnableLinkedConnections` is read again; the process runs as SYSTEM. Users must
    /// [`Machine::logon`] again (and Winlogon then restores their drives).
    pub fn reboot(&mut self) {
        self.boot();
    }

    fn boot(&mut self) {
        self.sessions.clear();
        self.sessions.insert(
            Luid::SYSTEM,
            Session {
                user: key(SYSTEM_USER),
                kind: None,
                elevation: Elevation::Default,
                linked: None,
                terminal: 0,
                devices: Namespace::new(),
            },
        );
        self.next_terminal = 1;
        for u in self.users.values_mut() {
            u.vault.retain(|c| c.session.is_none());
        }
        self.global.clear();
        self.global.insert(
            "C:".to_string(),
            DosEntry {
                target: SYSTEM_VOLUME.to_string(),
                kind: DeviceKind::Disk,
            },
        );
        for d in &self.boot_devices {
            self.global.insert(
                device_key(&d.name),
                DosEntry {
                    target: d.target.clone(),
                    kind: DeviceKind::Boot,
                },
            );
        }
        self.linked_effective = self.linked_policy.is_some_and(|v| v != 0);
        self.process = Some(Luid::SYSTEM);
        self.thread = None;
        self.desktop = None;
    }

    fn alloc_luid(&mut self) -> Luid {
        let l = Luid(self.next_luid);
        self.next_luid += LUID_STEP;
        l
    }

    /// Winlogon → MPR → LanMan provider: reconnect every `HKCU\Network` entry in the new
    /// session with the remembered user name and a NULL password.
    fn winlogon_restore(&mut self, logon_id: Luid) {
        let Some(user) = self.sessions.get(&logon_id).map(|s| s.user.clone()) else {
            return;
        };
        let entries: Vec<Remembered> = self
            .users
            .get(&user)
            .map(|u| u.network.values().cloned().collect())
            .unwrap_or_default();
        for e in entries {
            let result = if !e.provider.eq_ignore_ascii_case(&self.lanman_provider) {
                Err(ERROR_BAD_PROVIDER)
            } else {
                match e.remote.parse::<RemotePath>() {
                    Err(_) => Err(ERROR_BAD_NET_NAME),
                    Ok(remote) => {
                        let user = e.user_name.as_deref().filter(|u| !u.is_empty());
                        self.connect(logon_id, e.letter, &remote, user, None, false)
                    }
                }
            };
            self.events.push(match result {
                Ok(()) => LogonEvent::Restored {
                    logon_id,
                    letter: e.letter,
                    remote: e.remote,
                },
                Err(code) => LogonEvent::RestoreFailure {
                    logon_id,
                    letter: e.letter,
                    remote: e.remote,
                    code,
                },
            });
        }
    }

    // ---------------------------------------------------------------- observation

    /// What Winlogon did at every logon so far (why a remembered drive is missing).
    pub fn restore_events(&self) -> &[LogonEvent] {
        &self.events
    }

    /// Every event written to the Application log so far, in order.
    pub fn audit_events(&self) -> &[ReportedEvent] {
        &self.audit
    }

    /// Makes the Event Log unavailable (`false`: events are dropped, as with the service
    /// stopped) or available again.
    pub fn set_event_log_available(&mut self, available: bool) {
        self.event_log_available = available;
    }

    /// The event source's registration as an administrator would see it in regedit.
    pub fn event_source_registration(
        &self,
    ) -> Option<&mapdrive_core::audit::EventSourceRegistration> {
        self.event_source.as_ref()
    }

    /// Number of successful port actions so far (each is a write on a real host, even when it
    /// stores the values already there). Failed actions and scenario methods do not count.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    // ---------------------------------------------------------------- helpers

    /// The token in effect: the impersonated one, else the process one.
    fn token(&self, api: &'static str) -> Result<Luid, ApiError> {
        self.thread
            .or(self.process)
            .filter(|l| self.sessions.contains_key(l))
            .ok_or(ApiError::new(api, ERROR_NO_SUCH_LOGON_SESSION))
    }

    fn session(&self, luid: Luid, api: &'static str) -> Result<&Session, ApiError> {
        self.sessions
            .get(&luid)
            .ok_or(ApiError::new(api, ERROR_NO_SUCH_LOGON_SESSION))
    }

    fn user_of(&self, luid: Luid, api: &'static str) -> Result<&User, ApiError> {
        let s = self.session(luid, api)?;
        self.users
            .get(&s.user)
            .ok_or(ApiError::new(api, ERROR_NO_SUCH_LOGON_SESSION))
    }

    /// The token's user, to write to its `HKCU`: refused (500) when its profile is not loaded.
    fn hkcu_owner_mut(&mut self, luid: Luid, api: &'static str) -> Result<&mut User, ApiError> {
        let u = self.user_of_mut(luid, api)?;
        if u.profile_unloaded {
            return Err(ApiError::new(
                "RegOpenCurrentUser",
                mapdrive_core::error::ERROR_USER_PROFILE_LOAD,
            ));
        }
        Ok(u)
    }

    fn user_of_mut(&mut self, luid: Luid, api: &'static str) -> Result<&mut User, ApiError> {
        let k = self.session(luid, api)?.user.clone();
        self.users
            .get_mut(&k)
            .ok_or(ApiError::new(api, ERROR_NO_SUCH_LOGON_SESSION))
    }

    /// SYSTEM, a Full token, or the Default token of an administrator.
    fn is_elevated(&self, luid: Luid) -> bool {
        let Some(s) = self.sessions.get(&luid) else {
            return false;
        };
        let admin = self.users.get(&s.user).is_some_and(|u| u.is_admin);
        s.is_system()
            || s.elevation == Elevation::Full
            || (s.elevation == Elevation::Default && admin)
    }

    /// `HKLM` is writable by elevated tokens only.
    fn require_elevated(&self, luid: Luid, api: &'static str) -> Result<(), ApiError> {
        if self.is_elevated(luid) {
            Ok(())
        } else {
            Err(ApiError::new(api, ERROR_ACCESS_DENIED))
        }
    }

    /// The DOS device a name resolves to for `luid`: local first, then global (SYSTEM: global).
    fn resolve(&self, luid: Luid, name: &str) -> Option<(&DosEntry, bool)> {
        let k = device_key(name);
        let s = self.sessions.get(&luid)?;
        let local = if s.is_system() {
            None
        } else {
            s.devices.get(&k)
        };
        match local {
            Some(e) => Some((e, true)),
            None => self.global.get(&k).map(|e| (e, false)),
        }
    }
}

fn new_session(
    user: &str,
    kind: LogonKind,
    elevation: Elevation,
    linked: Option<Luid>,
    terminal: u32,
) -> Session {
    Session {
        user: user.to_string(),
        kind: Some(kind),
        elevation,
        linked,
        terminal,
        devices: Namespace::new(),
    }
}

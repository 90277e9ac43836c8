//! The Win32 adapter: the real implementation of [`mapdrive_core::port::Port`], and the only
//! home of `unsafe`.
//!
//! Each submodule wraps one family of APIs; this file is the thin `Port` impl that wires them
//! together and holds the one piece of state: the impersonation of the linked token
//! ([`mapdrive_core::port::Port::use_token`]).
//!
//! - `wide` — UTF-16 in/out, NULL vs `L""` kept explicit.
//! - `handle` — RAII for handles, Win32-allocated buffers and impersonation.
//! - `lazy` — crypt32, secur32 and wtsapi32, loaded on first use instead of imported.
//! - `token` — identity, elevation, the linked-token dance.
//! - `wnet` — mpr.dll (connect, cancel, enumerate).
//! - `cred` — Credential Manager.
//! - `cert` — `CurrentUser\My` certificates and marshaled certificate references.
//! - `registry` — `HKCU\Network`, labels, boot-time DOS devices, EnableLinkedConnections.
//! - `dosdev` — `QueryDosDeviceW`.
//! - `eventlog` — the Application log (`ReportEventW`) and the executable's own path.
//! - `gpp` — the targeting facts of Group Policy Drive Maps (groups, names, version, languages).
//! - `sessions` — logon sessions and their DOS-device directories.
//! - `task` — Task Scheduler 2.0 (COM) and the protected files of an `--all-users` task.

#![cfg(windows)]

mod cert;
mod cred;
mod dosdev;
mod eventlog;
mod gpp;
mod handle;
mod lazy;
mod registry;
mod sessions;
mod task;
mod token;
mod wide;
mod wnet;

use mapdrive_core::domain::{
    CredentialCaps, CredentialInfo, CredentialKind, DriveLetter, Identity, LinkedConnections,
    RemotePath, Secret, SessionUsers,
};
use mapdrive_core::error::{ApiError, ERROR_NO_NETWORK, ERROR_NOT_ENOUGH_MEMORY};
use mapdrive_core::gpp::{Hive as GppHive, RegValue, TargetingFacts};
use mapdrive_core::port::{
    BootDevice, Connection, CredentialWrite, GlobalNamespace, LogonSessionInfo, Port, Remembered,
    ScheduledTask, SessionView, TokenChoice,
};

use std::rc::Rc;

use handle::{Impersonation, OwnedHandle};
use registry::Hive;

/// The `HKEY_CURRENT_USER` hives opened so far (see [`Win32::hive`]).
#[derive(Default)]
struct Hives {
    process: Option<Rc<Hive>>,
    impersonated: Option<Rc<Hive>>,
}

impl std::fmt::Debug for Hives {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hives")
            .field("process", &self.process.is_some())
            .field("impersonated", &self.impersonated.is_some())
            .finish()
    }
}

/// The real Windows. Not `Send`: an impersonation belongs to the thread that started it.
#[derive(Debug)]
pub struct Win32 {
    /// Set while the thread impersonates the linked token; dropping it reverts.
    impersonation: Option<Impersonation>,
    /// The token that acts in the linked session (a linked-session process's token, else the
    /// primary linked token obtained as SYSTEM), or why it cannot be had: the search runs at
    /// most once per process (it used to run for every `use_token(Linked)`).
    linked: Option<Result<OwnedHandle, ApiError>>,
    /// The `mapdrive` event source, registered on the first event.
    event_log: eventlog::EventLog,
    /// `WNetGetProviderNameW(WNNC_NET_LANMAN)`, read once, on the process token (see
    /// [`Win32::before_impersonating`]).
    lanman_provider: std::cell::OnceCell<Result<String, ApiError>>,
    /// The process token's linked account and this desktop's user, read once, on the process
    /// token (see [`Win32::before_impersonating`]).
    session_users: std::cell::OnceCell<Result<SessionUsers, ApiError>>,
    /// The hives `RegOpenCurrentUser` opened: the process token's, and the impersonated
    /// token's until the next `use_token`.
    hives: std::cell::RefCell<Hives>,
    /// Whether [`Win32::before_impersonating`] ran.
    prepared: bool,
    /// The order of the steps of `use_token(Linked)`, for the test that pins it.
    #[cfg(test)]
    steps: Vec<&'static str>,
}

impl Win32 {
    /// One read of the remembered drives (see `Port::remembered`).
    fn remembered_once(&self) -> Result<Vec<Remembered>, ApiError> {
        let hive = self.hive()?;
        let resources = match wnet::enumerate(wnet::RESOURCE_REMEMBERED) {
            Ok(r) => r,
            // No provider (1222), or Wine without HKCU\Network (8): read the registry the
            // way MPR would.
            Err(e)
                if e.api == "WNetOpenEnumW"
                    && (e.code == ERROR_NO_NETWORK || e.code == ERROR_NOT_ENOUGH_MEMORY) =>
            {
                return registry::remembered(&hive);
            }
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for r in resources {
            let Some(letter) = r.letter() else { continue };
            let (user_name, provider_type) = registry::remembered_details(&hive, letter)?;
            out.push(Remembered {
                letter,
                remote: r.remote.unwrap_or_default(),
                provider: r.provider.unwrap_or_default(),
                provider_type,
                user_name,
            });
        }
        Ok(out)
    }

    /// The adapter, running as the process token.
    pub fn new() -> Result<Win32, ApiError> {
        // Fail early (and with a Win32 code) if the process token cannot even be queried.
        token::effective_token()?;
        Ok(Win32 {
            impersonation: None,
            linked: None,
            event_log: eventlog::EventLog::default(),
            lanman_provider: std::cell::OnceCell::new(),
            session_users: std::cell::OnceCell::new(),
            hives: std::cell::RefCell::new(Hives::default()),
            prepared: false,
            #[cfg(test)]
            steps: Vec::new(),
        })
    }

    /// Records a step of `use_token(Linked)` (tests only).
    fn step(&mut self, _name: &'static str) {
        #[cfg(test)]
        self.steps.push(_name);
    }

    /// What must happen on the process token before the first impersonation of any token
    /// (the SYSTEM one of the search included), once per process:
    /// - one harmless WNet call of each kind mapdrive makes later: MPR loads the network
    ///   provider DLLs on first use, and a load while impersonating would resolve
    ///   `C:\Windows\System32\...` through the impersonated logon session's DOS-device map,
    ///   which code running in that (limited) session can change. Loaded now, they resolve
    ///   through this process's own map and stay loaded;
    /// - the predefined `HKEY_CURRENT_USER` (see [`registry::touch_predefined_current_user`]);
    /// - the desktop's user and the linked account ([`Port::session_users`]): asked while
    ///   impersonating the limited token, opening the elevated process token may be refused.
    fn before_impersonating(&mut self) {
        if self.prepared {
            return;
        }
        self.prepared = true;
        self.step("providers");
        wnet::touch_providers();
        registry::touch_predefined_current_user();
        // This process's own hive, opened (and kept) before any impersonation.
        let _ = self.hive();
        let _ = self.session_users();
        // The provider's name is read (and kept) as the same process-token call.
        let _ = self.lanman_provider_name();
        self.step("hkcu");
    }

    /// `RegOpenCurrentUser` for the token in effect (see [`Hive`]), opened once per token.
    fn hive(&self) -> Result<Rc<Hive>, ApiError> {
        let mut hives = self.hives.borrow_mut();
        let slot = if self.impersonation.is_some() {
            &mut hives.impersonated
        } else {
            &mut hives.process
        };
        if let Some(h) = slot {
            return Ok(Rc::clone(h));
        }
        let h = Rc::new(Hive::current_user(&token::identity_sid()?)?);
        *slot = Some(Rc::clone(&h));
        Ok(h)
    }
}

impl Port for Win32 {
    fn identity(&self) -> Result<Identity, ApiError> {
        token::identity()
    }

    fn linked_connections(&self) -> Result<LinkedConnections, ApiError> {
        registry::linked_connections()
    }

    fn connected(&self) -> Result<Vec<Connection>, ApiError> {
        Ok(wnet::enumerate(wnet::RESOURCE_CONNECTED)?
            .into_iter()
            .filter_map(|r| {
                Some(Connection {
                    letter: r.letter()?,
                    remote: r.remote.unwrap_or_default(),
                    provider: r.provider.unwrap_or_default(),
                })
            })
            .collect())
    }

    fn remembered(&self) -> Result<Vec<Remembered>, ApiError> {
        // Another process may delete an entry while it is read (1018): read again.
        mapdrive_core::error::retry_when_deleted(|| self.remembered_once())
    }

    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError> {
        dosdev::drive(letter)
    }

    fn credential_caps(&self) -> Result<CredentialCaps, ApiError> {
        cred::session_caps()
    }

    /// Read once, on the process token: the first call is made by
    /// `Win32::before_impersonating` at the latest.
    fn session_users(&self) -> Result<SessionUsers, ApiError> {
        self.session_users.get_or_init(token::session_users).clone()
    }

    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        cred::credentials()
    }

    fn targeting_facts(&self) -> Result<TargetingFacts, ApiError> {
        gpp::facts(&*self.hive()?)
    }

    fn registry_key_exists(&self, hive: GppHive, key: &str) -> Result<bool, ApiError> {
        registry::key_exists(&*self.hive()?, hive, key)
    }

    fn registry_value(
        &self,
        hive: GppHive,
        key: &str,
        name: &str,
    ) -> Result<Option<RegValue>, ApiError> {
        registry::any_value(&*self.hive()?, hive, key, name)
    }

    fn no_drives(&self) -> Result<Option<u32>, ApiError> {
        registry::no_drives(&*self.hive()?)
    }

    fn gpp_record(&self, key: &str) -> Result<Option<String>, ApiError> {
        registry::gpp_record(&*self.hive()?, key)
    }

    fn set_no_drives(&mut self, value: u32) -> Result<(), ApiError> {
        registry::set_no_drives(&*self.hive()?, value)
    }

    fn set_gpp_record(&mut self, key: &str, record: Option<&str>) -> Result<(), ApiError> {
        registry::set_gpp_record(&*self.hive()?, key, record)
    }

    fn credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError> {
        // Rewritten or deleted by another process while it was read (1018): read again.
        mapdrive_core::error::retry_when_deleted(|| cred::read(target, kind))
    }

    fn credential_secret_equals(
        &self,
        target: &str,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<Option<bool>, ApiError> {
        cred::secret_equals(target, kind, secret)
    }

    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError> {
        registry::boot_devices()
    }

    fn label(&self, remote: &RemotePath) -> Result<Option<String>, ApiError> {
        let hive = self.hive()?;
        mapdrive_core::error::retry_when_deleted(|| registry::label(&hive, remote))
    }

    fn sessions(&self) -> Result<Vec<SessionView>, ApiError> {
        sessions::sessions(&token::identity()?)
    }

    fn logon_sessions(&self) -> Result<Vec<LogonSessionInfo>, ApiError> {
        sessions::logon_sessions(&token::identity()?)
    }

    fn global_namespace(&self) -> Result<GlobalNamespace, ApiError> {
        sessions::global_namespace()
    }

    fn lanman_provider_name(&self) -> Result<String, ApiError> {
        self.lanman_provider
            .get_or_init(wnet::lanman_provider_name)
            .clone()
    }

    fn console_output_code_page(&self) -> Option<u32> {
        // SAFETY: plain call; 0 means the process has no console.
        let cp = unsafe { windows_sys::Win32::System::Console::GetConsoleOutputCP() };
        (cp != 0).then_some(cp)
    }

    fn add_connection(
        &mut self,
        letter: DriveLetter,
        remote: &RemotePath,
        user: Option<&str>,
        password: Option<&Secret>,
        remember: bool,
    ) -> Result<(), ApiError> {
        wnet::add_connection(letter, remote, user, password, remember)
    }

    fn cancel_connection(
        &mut self,
        letter: DriveLetter,
        forget: bool,
        force: bool,
    ) -> Result<(), ApiError> {
        wnet::cancel_connection(letter, forget, force)
    }

    fn forget(&mut self, letter: DriveLetter) -> Result<(), ApiError> {
        registry::forget(&*self.hive()?, letter)
    }

    fn remember(&mut self, entry: &Remembered) -> Result<(), ApiError> {
        let provider_type = entry
            .provider_type
            .or_else(|| wnet::provider_type(&entry.provider));
        let hive = self.hive()?;
        // Deleted by another process while it was written (1018): write it again.
        mapdrive_core::error::retry_when_deleted(|| registry::remember(&hive, entry, provider_type))
    }

    fn set_remembered_user_name(
        &mut self,
        letter: DriveLetter,
        user_name: &str,
    ) -> Result<(), ApiError> {
        registry::set_remembered_user_name(&*self.hive()?, letter, user_name)
    }

    fn write_credential(&mut self, cred: &CredentialWrite<'_>) -> Result<(), ApiError> {
        cred::write(cred)
    }

    fn delete_credential(&mut self, target: &str, kind: CredentialKind) -> Result<(), ApiError> {
        cred::delete(target, kind)
    }

    fn set_boot_device(&mut self, name: &str, target: &str) -> Result<(), ApiError> {
        registry::set_boot_device(name, target)
    }

    fn remove_boot_device(&mut self, name: &str) -> Result<(), ApiError> {
        registry::remove_boot_device(name)
    }

    fn set_label(&mut self, remote: &RemotePath, label: Option<&str>) -> Result<(), ApiError> {
        registry::set_label(&*self.hive()?, remote, label)
    }

    fn set_linked_connections(&mut self, enabled: Option<bool>) -> Result<(), ApiError> {
        registry::set_linked_connections(enabled)
    }

    /// `Current`: revert (drop the guard). `Linked`: revert first, then impersonate a token of
    /// the linked session until the next `use_token` or drop.
    /// The token is searched for on the first call only (`token::linked_primary_token`: a
    /// process of the linked session, else through a SYSTEM token whose SeTcbPrivilege is
    /// enabled); later calls reuse it (or its failure).
    fn use_token(&mut self, choice: TokenChoice) -> Result<(), ApiError> {
        self.impersonation = None;
        self.hives.borrow_mut().impersonated = None;
        match choice {
            TokenChoice::Current => Ok(()),
            TokenChoice::Linked => {
                self.before_impersonating();
                if self.linked.is_none() {
                    self.step("search");
                    self.linked = Some(token::linked_primary_token());
                }
                if let Some(Err(e)) = &self.linked {
                    return Err(e.clone());
                }
                self.step("impersonate");
                let Some(Ok(linked)) = &self.linked else {
                    return Err(ApiError::new(
                        "GetTokenInformation(TokenLinkedToken)",
                        mapdrive_core::error::ERROR_NO_SUCH_LOGON_SESSION,
                    ));
                };
                let guard = Impersonation::start(linked)?;
                // Dropping `guard` on error reverts before returning.
                token::check_thread_impersonation_level()?;
                self.impersonation = Some(guard);
                Ok(())
            }
        }
    }

    fn report_event(&mut self, event: &mapdrive_core::audit::AuditEvent) -> Result<(), ApiError> {
        self.event_log.report(event)
    }

    fn event_source(
        &self,
    ) -> Result<Option<mapdrive_core::audit::EventSourceRegistration>, ApiError> {
        registry::event_source()
    }

    fn set_event_source(
        &mut self,
        registration: Option<&mapdrive_core::audit::EventSourceRegistration>,
    ) -> Result<(), ApiError> {
        registry::set_event_source(registration)
    }

    fn executable_path(&self) -> Result<String, ApiError> {
        eventlog::executable_path()
    }

    fn scheduled_task(&self, name: &str) -> Result<Option<ScheduledTask>, ApiError> {
        task::get(name)
    }

    /// `%ProgramData%` from the environment (set for every account, SYSTEM included); reading
    /// the known folder would import shell32 for one path.
    fn program_data(&self) -> Result<String, ApiError> {
        const ERROR_ENVVAR_NOT_FOUND: u32 = 203;
        std::env::var("ProgramData")
            .map(|p| p.trim_end_matches('\\').to_string())
            .map_err(|_| {
                ApiError::new(
                    "GetEnvironmentVariableW(ProgramData)",
                    ERROR_ENVVAR_NOT_FOUND,
                )
            })
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>, ApiError> {
        task::read_file(path)
    }

    fn security_matches(&self, path: &str, sddl: &str) -> Result<Option<bool>, ApiError> {
        task::security_matches(path, sddl)
    }

    fn register_task(&mut self, name: &str, definition: &str) -> Result<(), ApiError> {
        task::register(name, definition)
    }

    fn delete_task(&mut self, name: &str) -> Result<(), ApiError> {
        task::delete(name)
    }

    fn secure_directory(&mut self, path: &str, sddl: &str) -> Result<(), ApiError> {
        task::secure_directory(path, sddl)
    }

    fn write_file(&mut self, path: &str, contents: &[u8], sddl: &str) -> Result<(), ApiError> {
        task::write_file(path, contents, sddl)
    }

    fn certificate_in_my_store(
        &self,
        thumbprint: &mapdrive_core::domain::Thumbprint,
    ) -> Result<bool, ApiError> {
        cert::in_my_store(thumbprint)
    }

    fn marshal_certificate(
        &self,
        thumbprint: &mapdrive_core::domain::Thumbprint,
    ) -> Result<String, ApiError> {
        cert::marshal(thumbprint)
    }

    fn unmarshal_certificate(
        &self,
        user_name: &str,
    ) -> Result<Option<mapdrive_core::domain::Thumbprint>, ApiError> {
        cert::unmarshal(user_name)
    }

    fn write_credential_with_attributes(
        &mut self,
        cred: &CredentialWrite<'_>,
        attributes: &[mapdrive_core::domain::CredentialAttribute],
    ) -> Result<(), ApiError> {
        cred::write_with_attributes(cred, attributes)
    }
}

#[cfg(all(test, windows))]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use zeroize::Zeroizing;

    use super::*;
    use mapdrive_core::domain::{Elevation, Persistence};
    use mapdrive_core::error::InputError;
    use mapdrive_core::port::SecretWrite;

    fn unique(prefix: &str) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{prefix}-{}-{nanos}", std::process::id())
    }

    fn secret(s: &str) -> Result<Secret, InputError> {
        Secret::new(Zeroizing::new(s.to_string()))
    }

    fn remote(s: &str) -> Result<RemotePath, InputError> {
        s.parse()
    }

    fn letter(s: &str) -> Result<DriveLetter, InputError> {
        s.parse()
    }

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Wine's Credential Manager is a registry tree: enumerating while another thread
    /// deletes an entry fails with 1018 (ERROR_KEY_DELETED). Credential tests take turns.
    static VAULT: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn vault() -> std::sync::MutexGuard<'static, ()> {
        VAULT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the fake SMB provider (`crates/fakesmb`, with `wine/fixture.json`) is what
    /// answers: only when `MAPDRIVE_TEST_PROVIDER=1` says so (as `scripts/test.sh` does), and
    /// then a missing provider fails. Any other provider (a real Windows machine's) is never
    /// used: these tests disconnect and forget fixed letters and delete the `fileserver`
    /// credential.
    fn fake_provider(w: &Win32) -> bool {
        if std::env::var_os("MAPDRIVE_TEST_PROVIDER").is_none() {
            println!("skipped: needs the fake provider (MAPDRIVE_TEST_PROVIDER=1)");
            return false;
        }
        let missing = w.connected() == Err(ApiError::new("WNetOpenEnumW", 1222));
        assert!(
            !missing,
            "MAPDRIVE_TEST_PROVIDER is set but no network provider is loaded"
        );
        true
    }

    /// Whether this machine may be changed: HKLM values (a boot-time DOS device,
    /// EnableLinkedConnections), the user's remembered drives, Explorer labels, the user's
    /// Credential Manager (an Enterprise credential would roam), a connection attempt to a host
    /// that does not exist (DNS/LLMNR/NetBIOS queries on the network), SYSTEM impersonation. Only a throwaway Wine prefix
    /// or test VM that says so with `MAPDRIVE_TEST_MACHINE=1` (as `scripts/test.sh` does).
    fn disposable_machine() -> bool {
        let yes = std::env::var_os("MAPDRIVE_TEST_MACHINE").is_some();
        if !yes {
            println!(
                "skipped: changes this machine (Credential Manager, registry, a connect attempt \
                 that queries name resolution, SYSTEM impersonation): set MAPDRIVE_TEST_MACHINE=1 \
                 only in a throwaway Wine prefix or test VM"
            );
        }
        yes
    }

    /// `HKCU\Network` is shared by the tests that remember and forget.
    static PROFILE: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn profile() -> std::sync::MutexGuard<'static, ()> {
        PROFILE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The event source's registration round-trips through HKLM (and deleting an absent one
    /// succeeds), and an event is written with the user's SID: `ReportEventW`'s own result,
    /// since `report_event` never fails (Wine's accepts the event and stores nothing).
    #[test]
    fn the_event_source_registers_and_an_event_is_written() -> TestResult {
        use mapdrive_core::audit::{Actor, AuditEvent, AuditKind, EventSourceRegistration};
        let mut w = Win32::new()?;
        let exe = w.executable_path()?;
        assert!(
            exe.to_ascii_lowercase().ends_with(".exe") && exe.get(1..3) == Some(":\\"),
            "{exe}"
        );
        if !disposable_machine() {
            return Ok(());
        }
        let event = AuditEvent::described(
            AuditKind::DriveMapped,
            "M:",
            "gone".into(),
            r"\\fileserver\public (connected, remembered)".into(),
            Actor::of(&w.identity()?),
        );
        eventlog::write(&eventlog::EventSource::register()?, &event)?;
        let before = w.event_source()?;
        let reg = EventSourceRegistration {
            message_file: exe,
            types_supported: Some(mapdrive_core::audit::TYPES_SUPPORTED),
        };
        w.set_event_source(Some(&reg))?;
        assert_eq!(w.event_source()?, Some(reg));
        w.set_event_source(None)?;
        assert_eq!(w.event_source()?, None);
        w.set_event_source(None)?;
        if let Some(b) = before {
            w.set_event_source(Some(&b))?;
        }
        Ok(())
    }

    #[test]
    fn identity_fields_are_populated() -> TestResult {
        let w = Win32::new()?;
        let id = w.identity()?;
        println!("identity: {id:?}");
        println!("sessions: {:?}", w.sessions()?);
        println!("linked connections: {:?}", w.linked_connections()?);
        assert!(id.sid.starts_with("S-1-5-"), "{id:?}");
        assert!(!id.user.is_empty());
        assert!(!id.is_system, "tests do not run as SYSTEM: {id:?}");
        if matches!(id.elevation, Elevation::Full | Elevation::Limited) {
            assert!(id.linked_logon_id.is_some(), "{id:?}");
        }
        Ok(())
    }

    #[test]
    fn dos_device_of_c_and_q() -> TestResult {
        let w = Win32::new()?;
        assert!(w.dos_device(letter("C")?)?.is_some());
        assert_eq!(w.dos_device(letter("Q")?)?, None);
        Ok(())
    }

    #[test]
    fn generic_credential_round_trip() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _vault = vault();
        let mut w = Win32::new()?;
        let target = unique("mapdrive-test");
        let pw = secret("s3cret-ü")?;
        w.write_credential(&CredentialWrite {
            target: &target,
            kind: CredentialKind::GenericPassword,
            user_name: "tester",
            persistence: Persistence::Local,
            alias: None,
            comment: Some("written by the win32 tests"),
            secret: SecretWrite::Set(&pw),
        })?;
        let listed = w.credentials()?;
        let found = listed
            .iter()
            .find(|c| c.target == target && c.kind == CredentialKind::GenericPassword);
        let Some(found) = found else {
            panic!("{target} not listed: {listed:?}");
        };
        assert_eq!(found.user_name.as_deref(), Some("tester"));
        assert_eq!(found.persistence, Persistence::Local);
        assert_eq!(found.alias, None);
        assert_eq!(found.comment.as_deref(), Some("written by the win32 tests"));
        let kind = CredentialKind::GenericPassword;
        assert_eq!(w.credential_secret_equals(&target, kind, &pw)?, Some(true));
        let other = secret("s3cret-u")?;
        assert_eq!(
            w.credential_secret_equals(&target, kind, &other)?,
            Some(false)
        );

        // Preserve keeps the blob; Empty clears it.
        w.write_credential(&CredentialWrite {
            target: &target,
            kind,
            user_name: "tester2",
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            secret: SecretWrite::Preserve,
        })?;
        assert_eq!(w.credential_secret_equals(&target, kind, &pw)?, Some(true));
        w.write_credential(&CredentialWrite {
            target: &target,
            kind,
            user_name: "tester2",
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            secret: SecretWrite::Empty,
        })?;
        assert_eq!(
            w.credential_secret_equals(&target, kind, &secret("")?)?,
            Some(true)
        );

        w.delete_credential(&target, kind)?;
        assert!(!w.credentials()?.iter().any(|c| c.target == target));
        let gone = w.credential_secret_equals(&target, kind, &pw);
        assert_eq!(gone, Err(ApiError::new("CredReadW", 1168)));
        assert_eq!(
            w.delete_credential(&target, kind),
            Err(ApiError::new("CredDeleteW", 1168))
        );
        Ok(())
    }

    #[test]
    fn domain_password_secret_is_never_compared() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _vault = vault();
        let mut w = Win32::new()?;
        let target = unique("mapdrive-dom");
        let pw = secret("pw")?;
        let kind = CredentialKind::DomainPassword;
        w.write_credential(&CredentialWrite {
            target: &target,
            kind,
            user_name: r"CORP\tester",
            persistence: Persistence::Enterprise,
            alias: None,
            comment: None,
            secret: SecretWrite::Set(&pw),
        })?;
        // Wine returns the blob; the answer must still be "unknown".
        let r = w.credential_secret_equals(&target, kind, &pw);
        w.delete_credential(&target, kind)?;
        assert_eq!(r, Ok(None));
        Ok(())
    }

    #[test]
    fn boot_device_round_trip() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        let name = "MAPDRIVE_TEST_DEV:";
        let target = r"\Device\LanmanRedirector\;Y:00000000000003e7\srv\share";
        w.set_boot_device(name, target)?;
        let listed = w.boot_devices()?;
        assert!(
            listed.iter().any(|b| b.name == name && b.target == target),
            "{listed:?}"
        );
        w.remove_boot_device(name)?;
        assert!(!w.boot_devices()?.iter().any(|b| b.name == name));
        w.remove_boot_device(name)?; // absent is fine
        Ok(())
    }

    #[test]
    fn label_round_trip() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        let r = remote(&format!(r"\\{}\share", unique("labelsrv")))?;
        assert_eq!(w.label(&r)?, None);
        w.set_label(&r, None)?; // absent key is fine
        w.set_label(&r, Some("Team files"))?;
        assert_eq!(w.label(&r)?.as_deref(), Some("Team files"));
        w.set_label(&r, None)?;
        assert_eq!(w.label(&r)?, None);
        w.set_label(&r, None)?; // absent value is fine
        Ok(())
    }

    #[test]
    fn linked_connections_round_trip() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        let before = w.linked_connections()?;
        w.set_linked_connections(Some(true))?;
        assert_eq!(w.linked_connections()?, LinkedConnections::Enabled);
        w.set_linked_connections(Some(false))?;
        assert_eq!(w.linked_connections()?, LinkedConnections::Disabled);
        w.set_linked_connections(None)?;
        assert_eq!(w.linked_connections()?, LinkedConnections::NotConfigured);
        w.set_linked_connections(None)?; // absent is fine
        // Restore what was there.
        match before {
            LinkedConnections::Enabled => w.set_linked_connections(Some(true))?,
            LinkedConnections::Disabled => w.set_linked_connections(Some(false))?,
            LinkedConnections::NotConfigured => {}
        }
        Ok(())
    }

    /// Everything under `HKCU\Network` without a provider, in one test.
    #[test]
    fn remembered_profile_round_trip() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _profile = profile();
        let mut w = Win32::new()?;
        let y = letter("Y")?;
        w.forget(y)?; // absent is fine
        let initial = w.remembered()?;
        assert!(!initial.iter().any(|r| r.letter == y), "{initial:?}");
        assert_eq!(
            w.set_remembered_user_name(y, "x"),
            Err(ApiError::new("RegOpenKeyExW", 2))
        );
        w.remember(&Remembered {
            letter: y,
            remote: r"\\fileserver\team".into(),
            // The name this Windows gives the SMB provider (none without a provider: the
            // registry round trip does not need one).
            provider: w.lanman_provider_name().unwrap_or_default(),
            provider_type: Some(0x0002_0000),
            user_name: None,
        })?;
        let after = w.remembered()?;
        let entry = after.iter().find(|r| r.letter == y);
        let Some(entry) = entry else {
            panic!("Y: not remembered: {after:?}");
        };
        assert_eq!(entry.remote, r"\\fileserver\team");
        assert_eq!(entry.user_name.as_deref(), Some(""));
        w.set_remembered_user_name(y, r"CORP\alice")?;
        let entry = w.remembered()?.into_iter().find(|r| r.letter == y);
        assert_eq!(
            entry.and_then(|e| e.user_name).as_deref(),
            Some(r"CORP\alice")
        );
        w.forget(y)?;
        assert!(!w.remembered()?.iter().any(|r| r.letter == y));
        if initial.is_empty() {
            assert!(w.remembered()?.is_empty());
        }
        Ok(())
    }

    #[test]
    fn connected_without_a_provider_is_no_network() -> TestResult {
        let w = Win32::new()?;
        match w.connected() {
            // A prefix/host with a provider answers with a list instead.
            Ok(list) => assert!(list.iter().all(|c| c.remote.starts_with(r"\\")), "{list:?}"),
            Err(e) => assert_eq!(e, ApiError::new("WNetOpenEnumW", 1222)),
        }
        Ok(())
    }

    #[test]
    fn add_connection_never_prompts_and_reports_the_code() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        // No provider under a bare Wine prefix: 1222, not 67 (which CONNECT_INTERACTIVE gives).
        let r = w.add_connection(
            letter("W")?,
            &remote(r"\\nonexistent-mapdrive-host\share")?,
            None,
            None,
            false,
        );
        if let Err(e) = &r {
            assert_eq!(e.api, "WNetAddConnection2W");
            assert_ne!(e.code, 67, "CONNECT_INTERACTIVE must never be passed");
        } else {
            let _ = w.cancel_connection(letter("W")?, true, true);
        }
        Ok(())
    }

    /// Runs only against the fake provider ([`fake_provider`]).
    #[test]
    fn provider_connect_enumerate_remember_cancel() -> TestResult {
        let mut w = Win32::new()?;
        if !fake_provider(&w) {
            return Ok(());
        }
        let _profile = profile();
        let m = letter("M")?;
        let share = remote(r"\\fileserver\public")?;
        // Leftovers of an interrupted run.
        let _ = w.cancel_connection(m, true, true);
        w.forget(m)?;
        w.add_connection(m, &share, None, None, true)?;
        let connected = w.connected()?;
        let live = connected.iter().find(|c| c.letter == m);
        assert!(
            live.is_some_and(|c| share.matches(&c.remote)),
            "{connected:?}"
        );
        let target = w.dos_device(m)?;
        println!("M: -> {target:?}");
        let remembered = w.remembered()?;
        println!("remembered: {remembered:?}");
        let Some(entry) = remembered.iter().find(|r| r.letter == m).cloned() else {
            panic!("M: not remembered: {remembered:?}");
        };
        assert!(share.matches(&entry.remote));
        // remember() looks the provider type up when it is not given.
        w.forget(m)?;
        w.remember(&Remembered {
            provider_type: None,
            ..entry.clone()
        })?;
        let again = w.remembered()?.into_iter().find(|r| r.letter == m);
        assert_eq!(
            again.as_ref().and_then(|r| r.provider_type),
            entry.provider_type,
            "{again:?}"
        );
        w.cancel_connection(m, true, true)?;
        assert!(!w.connected()?.iter().any(|c| c.letter == m));
        assert!(!w.remembered()?.iter().any(|r| r.letter == m));
        assert_eq!(w.dos_device(m)?, None);
        Ok(())
    }

    /// NULL password = "use the saved credential", `L""` = "no password",
    /// against the fakesmb fixture (`CORP\alice` on `\\fileserver\team`). Skipped without it
    /// ([`fake_provider`]).
    #[test]
    fn provider_null_and_empty_password_differ() -> TestResult {
        let mut w = Win32::new()?;
        if !fake_provider(&w) {
            return Ok(());
        }
        let _vault = vault();
        // Any other live connection to the server (the other provider test) would turn an
        // explicit user into 1219 (session credential conflict), as on Windows.
        let _profile = profile();
        let n = letter("N")?;
        let team = remote(r"\\fileserver\team")?;
        let alice = r"CORP\alice";
        let pw = secret("Al1ce-Pa55!")?;
        let _ = w.cancel_connection(n, true, true);
        let kind = CredentialKind::DomainPassword;
        w.write_credential(&CredentialWrite {
            target: "fileserver",
            kind,
            user_name: alice,
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            secret: SecretWrite::Set(&pw),
        })?;
        let saved = w.add_connection(n, &team, Some(alice), None, false);
        let _ = w.cancel_connection(n, false, true);
        let empty = w.add_connection(n, &team, Some(alice), Some(&secret("")?), false);
        let _ = w.cancel_connection(n, false, true);
        let explicit = w.add_connection(n, &team, Some(alice), Some(&pw), false);
        let remembered = w.remembered()?.iter().any(|r| r.letter == n);
        let _ = w.cancel_connection(n, false, true);
        w.delete_credential("fileserver", kind)?;
        assert_eq!(saved, Ok(()));
        assert_eq!(empty, Err(ApiError::new("WNetAddConnection2W", 86)));
        assert_eq!(explicit, Ok(()));
        assert!(!remembered, "remember = false must not write HKCU\\Network");
        Ok(())
    }

    #[test]
    fn sessions_include_the_current_one() -> TestResult {
        let w = Win32::new()?;
        let id = w.identity()?;
        let all = w.sessions()?;
        assert!(
            all.iter()
                .any(|s| s.is_current && s.logon_id == id.logon_id),
            "{all:?}"
        );
        Ok(())
    }

    #[test]
    fn use_token_current_is_a_no_op_and_linked_is_explained() -> TestResult {
        let mut w = Win32::new()?;
        let before = w.identity()?;
        w.use_token(TokenChoice::Current)?;
        assert_eq!(w.identity()?, before);
        match w.use_token(TokenChoice::Linked) {
            Ok(()) => {
                // Real Windows, elevated admin: now the limited half.
                let linked = w.identity()?;
                assert_eq!(linked.elevation, Elevation::Limited);
                assert_eq!(Some(linked.logon_id), before.linked_logon_id);
            }
            Err(e) => {
                println!("use_token(Linked) as {:?}: {e}", before.elevation);
                let expected_api = match before.elevation {
                    // The search reports the furthest step any candidate reached.
                    Elevation::Full => matches!(
                        e.api,
                        "OpenProcessToken(SYSTEM)"
                            | "OpenProcessToken(TOKEN_QUERY)"
                            | "OpenProcessToken(TOKEN_DUPLICATE)"
                            | "DuplicateTokenEx"
                            | "ImpersonateLoggedOnUser"
                            | "GetTokenInformation(TokenLinkedToken)"
                            | "GetTokenInformation(TokenStatistics)"
                    ),
                    _ => e.api == "GetTokenInformation(TokenLinkedToken)",
                };
                assert!(expected_api, "{e:?} for {before:?}");
            }
        }
        w.use_token(TokenChoice::Current)?;
        assert_eq!(w.identity()?, before);
        Ok(())
    }

    // Certificate credentials and attributes (win_credential). What Wine 8 cannot hold is said
    // per assertion; the session model specifies the Windows behaviour (frontend/ansible/tests.rs).

    #[test]
    fn certificate_credentials_wine_refuses_with_87() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _v = vault();
        let w = Win32::new()?;
        let tp: mapdrive_core::domain::Thumbprint =
            "00112233445566778899AABBCCDDEEFF00112233".parse()?;
        let name = w.marshal_certificate(&tp)?;
        assert_eq!(w.unmarshal_certificate(&name)?, Some(tp.clone()));
        assert!(!w.certificate_in_my_store(&tp)?);
        let target = format!("mapdrive-cert-{}", std::process::id());
        for kind in [
            CredentialKind::DomainCertificate,
            CredentialKind::GenericCertificate,
        ] {
            let mut w = Win32::new()?;
            let r = w.write_credential(&CredentialWrite {
                target: &target,
                kind,
                user_name: &name,
                persistence: Persistence::Local,
                alias: None,
                comment: None,
                secret: SecretWrite::Empty,
            });
            match r {
                // Wine 8: CredWriteW rejects CRED_TYPE_DOMAIN_CERTIFICATE (3) and
                // CRED_TYPE_GENERIC_CERTIFICATE (5) with ERROR_INVALID_PARAMETER.
                Err(e) => assert_eq!(e.code, 87, "{e}"),
                // Windows: stored with the marshaled name, shown as the thumbprint by the plan.
                Ok(()) => {
                    let c = w
                        .credential(&target, kind)?
                        .ok_or("written but not found")?;
                    assert_eq!(c.user_name.as_deref(), Some(name.as_str()));
                    w.delete_credential(&target, kind)?;
                }
            }
        }
        Ok(())
    }

    #[test]
    fn credential_attributes_are_written_wine_drops_them() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _v = vault();
        let mut w = Win32::new()?;
        let target = format!("mapdrive-attr-{}", std::process::id());
        let kind = CredentialKind::GenericPassword;
        let attrs = [
            mapdrive_core::domain::CredentialAttribute::new(
                "attribute 1",
                b"attribute 1 value".to_vec(),
            )?,
            mapdrive_core::domain::CredentialAttribute::new("attribute 2", vec![0, 1, 2, 255])?,
        ];
        w.write_credential_with_attributes(
            &CredentialWrite {
                target: &target,
                kind,
                user_name: "someone",
                persistence: Persistence::Local,
                alias: None,
                comment: None,
                secret: SecretWrite::Empty,
            },
            &attrs,
        )?;
        let c = w
            .credential(&target, kind)?
            .ok_or("written but not found")?;
        w.delete_credential(&target, kind)?;
        // Windows returns them as written; Wine 8 silently drops attributes ("FIXME: Attributes").
        assert!(
            c.attributes == attrs || c.attributes.is_empty(),
            "{:?}",
            c.attributes
        );
        Ok(())
    }

    /// MPR loads the network provider DLLs on the first WNet call. That call is made on the
    /// process token, before the token search (whose SYSTEM candidates are impersonated) and
    /// before any impersonation, once per process; the provider's name is read then too.
    #[test]
    fn providers_are_loaded_before_the_first_impersonation() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        assert!(w.lanman_provider.get().is_none());
        for _ in 0..2 {
            let _ = w.use_token(TokenChoice::Linked);
            w.use_token(TokenChoice::Current)?;
        }
        println!("steps: {:?}", w.steps);
        assert_eq!(w.steps.first(), Some(&"providers"), "{:?}", w.steps);
        let count = |step: &str| w.steps.iter().filter(|s| **s == step).count();
        assert_eq!(count("providers"), 1, "{:?}", w.steps);
        assert_eq!(count("search"), 1, "{:?}", w.steps);
        let hkcu = w.steps.iter().position(|s| *s == "hkcu");
        let search = w.steps.iter().position(|s| *s == "search");
        assert!(
            matches!((hkcu, search), (Some(h), Some(s)) if h < s),
            "HKCU is mapped before: {:?}",
            w.steps
        );
        assert!(
            w.lanman_provider.get().is_some(),
            "read on the process token"
        );
        assert!(w.session_users.get().is_some(), "read on the process token");
        assert!(
            w.hives.borrow().process.is_some(),
            "opened on the process token"
        );
        assert!(
            w.hives.borrow().impersonated.is_none(),
            "dropped with the revert"
        );
        Ok(())
    }

    /// The hive is `RegOpenCurrentUser`'s, checked against `HKEY_USERS\\<SID>`: the user's own
    /// profile is writable; a SID without a loaded hive (what `RegOpenCurrentUser` falls back to
    /// `HKEY_USERS\\.DEFAULT` for) is read but never written, with 500 and what to do.
    #[test]
    fn a_hive_without_a_loaded_profile_is_never_written() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let _profile = profile();
        let w = Win32::new()?;
        let mine = w.hive()?;
        assert!(mine.writable().is_ok(), "the user's own profile is loaded");
        // A user whose profile is not loaded: RegOpenCurrentUser gives .DEFAULT's stand-in.
        let absent = Hive::current_user("S-1-5-21-1-2-3-987654")?;
        let not_loaded = ApiError::new(
            "RegOpenCurrentUser",
            mapdrive_core::error::ERROR_USER_PROFILE_LOAD,
        );
        let refused = Err(not_loaded.clone());
        let y = letter("Y")?;
        let entry = Remembered {
            letter: y,
            remote: r"\\fileserver\team".into(),
            provider: "x".into(),
            provider_type: None,
            user_name: None,
        };
        assert_eq!(registry::remember(&absent, &entry, None), refused);
        assert_eq!(registry::forget(&absent, y), refused);
        assert_eq!(registry::set_remembered_user_name(&absent, y, "u"), refused);
        assert_eq!(registry::set_no_drives(&absent, 4), refused);
        assert_eq!(registry::set_gpp_record(&absent, "k", Some("v")), refused);
        let r = remote(r"\\labelsrv\share")?;
        assert_eq!(registry::set_label(&absent, &r, Some("l")), refused);
        // Reading works (what Windows' own components would see).
        assert!(registry::remembered(&absent).is_ok());
        assert!(
            !w.remembered()?.iter().any(|e| e.letter == y),
            "nothing written"
        );
        let e = mapdrive_core::error::Error::api("could not remember Y:", not_loaded);
        let remedy = e.remedy().unwrap_or_default();
        assert!(remedy.contains("ERROR_USER_PROFILE_LOAD"), "{remedy}");
        assert!(remedy.contains("log on once"), "{remedy}");
        Ok(())
    }

    /// The SYSTEM-token search runs once per adapter (once per process): the second
    /// `use_token(Linked)` reuses the kept token or the kept failure (it used to search
    /// for every call, twice per command and again in the doctor).
    #[test]
    fn linked_token_is_searched_once_and_kept() -> TestResult {
        if !disposable_machine() {
            return Ok(());
        }
        let mut w = Win32::new()?;
        assert!(w.linked.is_none());
        let first = w.use_token(TokenChoice::Linked);
        w.use_token(TokenChoice::Current)?;
        assert!(w.linked.is_some(), "the outcome is kept");
        let kept = format!("{:?}", w.linked.as_ref().map(Result::is_ok));
        let second = w.use_token(TokenChoice::Linked);
        w.use_token(TokenChoice::Current)?;
        assert_eq!(first, second);
        assert_eq!(format!("{:?}", w.linked.as_ref().map(Result::is_ok)), kept);
        Ok(())
    }
}

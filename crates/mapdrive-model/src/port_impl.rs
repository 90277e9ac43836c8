//! The port, answered for the token in effect.

use super::gpp::{EXPLORER_POLICIES, GPP_RECORDS};
use super::{DeviceKind, Machine, device_key, key};
use mapdrive_core::audit::{AuditEvent, EventSourceRegistration};
use mapdrive_core::domain::Luid;
use mapdrive_core::domain::{
    Account, CredentialCaps, CredentialInfo, CredentialKind, DriveLetter, Elevation, Identity,
    LinkedConnections, RemotePath, Secret, SessionUsers,
};
use mapdrive_core::error::{
    ApiError, ERROR_ACCESS_DENIED, ERROR_BAD_IMPERSONATION_LEVEL, ERROR_FILE_NOT_FOUND,
    ERROR_INVALID_PARAMETER, ERROR_NO_SUCH_LOGON_SESSION, ERROR_PATH_NOT_FOUND,
};
use mapdrive_core::gpp::{Hive, RegValue, TargetingFacts};
use mapdrive_core::port::{
    BootDevice, Connection, CredentialWrite, GlobalNamespace, LogonSessionInfo, Port, Remembered,
    ScheduledTask, SessionView, TokenChoice,
};

impl Machine {
    fn counted<T>(&mut self, r: Result<T, ApiError>) -> Result<T, ApiError> {
        if r.is_ok() {
            self.writes += 1;
        }
        r
    }
}

impl Port for Machine {
    fn identity(&self) -> Result<Identity, ApiError> {
        const API: &str = "GetTokenInformation";
        let luid = self.token(API)?;
        let s = self.session(luid, API)?;
        let u = self.user_of(luid, API)?;
        Ok(Identity {
            user: u.name.clone(),
            sid: u.sid.clone(),
            logon_id: luid,
            logon_type: s.logon_type(),
            elevation: s.elevation,
            linked_logon_id: s.linked,
            is_system: s.is_system(),
        })
    }

    /// The configured registry value (the one in effect may differ until a reboot, see
    /// [`Machine::pending_reboot`]).
    fn linked_connections(&self) -> Result<LinkedConnections, ApiError> {
        self.token("RegQueryValueExW")?;
        Ok(LinkedConnections::from_value(self.linked_policy))
    }

    fn connected(&self) -> Result<Vec<Connection>, ApiError> {
        const API: &str = "WNetOpenEnumW";
        let luid = self.token(API)?;
        let s = self.session(luid, API)?;
        if !self.provider_lists_connections {
            return Ok(Vec::new());
        }
        let ns = if s.is_system() {
            &self.global
        } else {
            &s.devices
        };
        let mut out: Vec<Connection> = ns
            .values()
            .filter_map(|e| match &e.kind {
                DeviceKind::Connection(n) => Some(Connection {
                    letter: n.letter,
                    remote: n.remote.as_str().to_string(),
                    provider: self.lanman_provider.clone(),
                }),
                _ => None,
            })
            .collect();
        out.sort_by_key(|c| c.letter);
        Ok(out)
    }

    fn remembered(&self) -> Result<Vec<Remembered>, ApiError> {
        const API: &str = "WNetOpenEnumW";
        let luid = self.token(API)?;
        Ok(self.user_of(luid, API)?.network.values().cloned().collect())
    }

    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError> {
        let luid = self.token("QueryDosDeviceW")?;
        Ok(self
            .resolve(luid, &letter.device_name())
            .map(|(e, _)| e.target.clone()))
    }

    fn credential_caps(&self) -> Result<CredentialCaps, ApiError> {
        self.session_credential_caps("CredGetSessionTypes")
    }

    /// The linked account of the process token's split pair and the desktop's user.
    fn session_users(&self) -> Result<SessionUsers, ApiError> {
        const API: &str = "GetTokenInformation(TokenLinkedToken)";
        let denied = match self.desktop_user_lookup {
            crate::DesktopUserLookup::Allowed => false,
            crate::DesktopUserLookup::DeniedWhileImpersonating => self.thread.is_some(),
            crate::DesktopUserLookup::Denied => true,
        };
        if denied {
            return Err(ApiError::new("OpenProcessToken", 5));
        }
        let process = self
            .process
            .filter(|l| self.sessions.contains_key(l))
            .ok_or(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION))?;
        let account = |luid: Luid| {
            self.user_of(luid, API).ok().map(|u| Account {
                user: u.name.clone(),
                sid: Some(u.sid.clone()),
            })
        };
        Ok(SessionUsers {
            linked: self.session(process, API)?.linked.and_then(account),
            interactive: self.desktop.and_then(account),
        })
    }

    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        self.list_credentials()
    }

    fn targeting_facts(&self) -> Result<TargetingFacts, ApiError> {
        self.facts()
    }

    fn registry_key_exists(&self, hive: Hive, key: &str) -> Result<bool, ApiError> {
        self.reg_key_exists(hive, key)
    }

    fn registry_value(
        &self,
        hive: Hive,
        key: &str,
        name: &str,
    ) -> Result<Option<RegValue>, ApiError> {
        self.reg_value(hive, key, name)
    }

    fn no_drives(&self) -> Result<Option<u32>, ApiError> {
        match self.reg_value(Hive::CurrentUser, EXPLORER_POLICIES, "NoDrives")? {
            Some(RegValue::Dword(v)) => Ok(Some(v)),
            _ => Ok(None),
        }
    }

    fn gpp_record(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.reg_value(Hive::CurrentUser, GPP_RECORDS, key)? {
            Some(RegValue::Sz(s)) => Ok(Some(s)),
            _ => Ok(None),
        }
    }

    fn set_no_drives(&mut self, value: u32) -> Result<(), ApiError> {
        let r = self.hkcu_mut("RegSetValueExW").map(|h| {
            h.set(
                Hive::CurrentUser,
                EXPLORER_POLICIES,
                "NoDrives",
                RegValue::Dword(value),
            )
        });
        self.counted(r)
    }

    fn set_gpp_record(&mut self, key: &str, record: Option<&str>) -> Result<(), ApiError> {
        let r = self.hkcu_mut("RegSetValueExW").map(|h| match record {
            Some(text) => h.set(
                Hive::CurrentUser,
                GPP_RECORDS,
                key,
                RegValue::Sz(text.to_string()),
            ),
            None => h.remove(Hive::CurrentUser, GPP_RECORDS, key),
        });
        self.counted(r)
    }

    fn credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError> {
        self.read_credential(target, kind)
    }

    fn credential_secret_equals(
        &self,
        target: &str,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<Option<bool>, ApiError> {
        self.secret_equals(target, kind, secret)
    }

    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError> {
        self.token("RegEnumValueW")?;
        Ok(self.boot_devices.clone())
    }

    fn label(&self, remote: &RemotePath) -> Result<Option<String>, ApiError> {
        const API: &str = "RegQueryValueExW";
        let luid = self.token(API)?;
        Ok(self
            .user_of(luid, API)?
            .labels
            .get(&key(&remote.mount_points_key()))
            .cloned())
    }

    /// Logon sessions of the same user. An elevated caller (SYSTEM, Full, an administrator's
    /// Default token) reads them all; others read their own and its linked partner's, and list
    /// the rest (`LsaEnumerateLogonSessions` needs no privilege for one's own sessions) without
    /// being able to open their DOS-device directories: those are reported unreadable (5), not
    /// as sessions without drives.
    fn sessions(&self) -> Result<Vec<SessionView>, ApiError> {
        const API: &str = "LsaGetLogonSessionData";
        let luid = self.token(API)?;
        let me = self.session(luid, API)?;
        let elevated = self.is_elevated(luid);
        Ok(self
            .sessions
            .iter()
            .filter(|(_, s)| s.user == me.user)
            .map(|(l, s)| {
                let readable = elevated || *l == luid || Some(*l) == me.linked;
                SessionView {
                    logon_id: *l,
                    logon_type: s.logon_type(),
                    elevation: Some(s.elevation),
                    is_current: *l == luid,
                    drives: if readable {
                        drive_devices(s)
                    } else {
                        Vec::new()
                    },
                    unreadable: (!readable).then_some(ERROR_ACCESS_DENIED),
                }
            })
            .collect())
    }

    /// Every logon session. An elevated caller reads them all (account, Windows session, logon
    /// type, elevation, drives). Others read the account, Windows session and logon type of
    /// their own user's sessions (`LsaGetLogonSessionData` allows the owner), the drives of their
    /// own session and its linked half only, and nothing of other users' sessions but the logon
    /// id: those are reported unreadable (5), never as sessions without drives. SYSTEM's own
    /// session is always listed as SYSTEM's, Windows session 0, its drives being the global ones.
    /// Explorer runs in the limited (or only) half of the Winlogon logon that owns this
    /// process's desktop.
    fn logon_sessions(&self) -> Result<Vec<LogonSessionInfo>, ApiError> {
        const API: &str = "LsaEnumerateLogonSessions";
        let luid = self.token(API)?;
        let me = self.session(luid, API)?;
        let elevated = self.is_elevated(luid);
        let explorer = self.desktop.and_then(|d| {
            let s = self.sessions.get(&d)?;
            Some(match (s.elevation, s.linked) {
                (Elevation::Full, Some(limited)) => limited,
                _ => d,
            })
        });
        let mine = |l: Luid| l == luid || Some(l) == me.linked;
        Ok(self
            .sessions
            .iter()
            .map(|(l, s)| {
                let system = s.is_system();
                let same_user = s.user == me.user;
                let lsa = elevated || same_user || system;
                let drives_readable = elevated || mine(*l) || system;
                LogonSessionInfo {
                    logon_id: *l,
                    account: lsa
                        .then(|| self.users.get(&s.user).map(|u| u.name.clone()))
                        .flatten(),
                    terminal_session: lsa.then_some(s.terminal),
                    logon_type: lsa.then(|| s.logon_type()),
                    elevation: (elevated || mine(*l) || system).then_some(s.elevation),
                    linked_logon_id: if elevated || mine(*l) { s.linked } else { None },
                    is_current: *l == luid,
                    is_explorer: Some(*l) == explorer,
                    drives: if drives_readable && !system {
                        drive_devices(s)
                    } else {
                        Vec::new()
                    },
                    unreadable: (!drives_readable).then_some(ERROR_ACCESS_DENIED),
                }
            })
            .collect())
    }

    fn global_namespace(&self) -> Result<GlobalNamespace, ApiError> {
        self.token("NtOpenDirectoryObject")?;
        Ok(GlobalNamespace {
            directory: r"\GLOBAL??".to_string(),
            drives: self
                .global
                .iter()
                .filter_map(|(name, e)| {
                    name.parse::<DriveLetter>()
                        .ok()
                        .map(|d| (d, e.target.clone()))
                })
                .collect(),
        })
    }

    fn console_output_code_page(&self) -> Option<u32> {
        self.console_code_page
    }

    fn lanman_provider_name(&self) -> Result<String, ApiError> {
        Ok(self.lanman_provider.clone())
    }

    fn add_connection(
        &mut self,
        letter: DriveLetter,
        remote: &RemotePath,
        user: Option<&str>,
        password: Option<&Secret>,
        remember: bool,
    ) -> Result<(), ApiError> {
        const API: &str = "WNetAddConnection2W";
        let luid = self.token(API)?;
        let r = self
            .connect(
                luid,
                letter,
                remote,
                user,
                password.map(Secret::expose),
                remember,
            )
            .map_err(|code| ApiError::new(API, code));
        self.counted(r)
    }

    fn cancel_connection(
        &mut self,
        letter: DriveLetter,
        forget: bool,
        force: bool,
    ) -> Result<(), ApiError> {
        const API: &str = "WNetCancelConnection2W";
        let luid = self.token(API)?;
        let r = self
            .disconnect(luid, letter, forget, force)
            .map_err(|code| ApiError::new(API, code));
        self.counted(r)
    }

    /// Deleting an entry that is not there succeeds and writes nothing.
    fn forget(&mut self, letter: DriveLetter) -> Result<(), ApiError> {
        const API: &str = "RegDeleteTreeW";
        let luid = self.token(API)?;
        if self
            .hkcu_owner_mut(luid, API)?
            .network
            .remove(&letter)
            .is_some()
        {
            self.writes += 1;
        }
        Ok(())
    }

    fn remember(&mut self, entry: &Remembered) -> Result<(), ApiError> {
        const API: &str = "RegSetValueExW";
        let luid = self.token(API)?;
        self.hkcu_owner_mut(luid, API)?
            .network
            .insert(entry.letter, entry.clone());
        self.writes += 1;
        Ok(())
    }

    fn set_remembered_user_name(
        &mut self,
        letter: DriveLetter,
        user_name: &str,
    ) -> Result<(), ApiError> {
        const API: &str = "RegSetValueExW";
        let luid = self.token(API)?;
        let entry = self
            .hkcu_owner_mut(luid, API)?
            .network
            .get_mut(&letter)
            .ok_or(ApiError::new("RegOpenKeyExW", ERROR_FILE_NOT_FOUND))?;
        entry.user_name = Some(user_name.to_string());
        self.writes += 1;
        Ok(())
    }

    fn write_credential(&mut self, cred: &CredentialWrite<'_>) -> Result<(), ApiError> {
        let r = self.store_credential(cred);
        self.counted(r)
    }

    fn delete_credential(&mut self, target: &str, kind: CredentialKind) -> Result<(), ApiError> {
        let r = self.remove_credential(target, kind);
        self.counted(r)
    }

    /// `HKLM`: needs an elevated token (5 otherwise). Takes effect at the next reboot.
    fn set_boot_device(&mut self, name: &str, target: &str) -> Result<(), ApiError> {
        const API: &str = "RegSetValueExW";
        let luid = self.token(API)?;
        self.require_elevated(luid, API)?;
        if name.is_empty() {
            return Err(ApiError::new(API, ERROR_INVALID_PARAMETER));
        }
        let device = BootDevice {
            name: name.to_string(),
            target: target.to_string(),
        };
        match self
            .boot_devices
            .iter_mut()
            .find(|d| device_key(&d.name) == device_key(name))
        {
            Some(d) => d.target = device.target,
            None => self.boot_devices.push(device),
        }
        self.writes += 1;
        Ok(())
    }

    /// Removing a value that is not there succeeds and writes nothing.
    fn remove_boot_device(&mut self, name: &str) -> Result<(), ApiError> {
        const API: &str = "RegDeleteValueW";
        let luid = self.token(API)?;
        self.require_elevated(luid, API)?;
        let before = self.boot_devices.len();
        self.boot_devices
            .retain(|d| device_key(&d.name) != device_key(name));
        if self.boot_devices.len() != before {
            self.writes += 1;
        }
        Ok(())
    }

    /// Removing a label that is not there succeeds and writes nothing.
    fn set_label(&mut self, remote: &RemotePath, label: Option<&str>) -> Result<(), ApiError> {
        const API: &str = "RegSetValueExW";
        let luid = self.token(API)?;
        let k = key(&remote.mount_points_key());
        let labels = &mut self.hkcu_owner_mut(luid, API)?.labels;
        let changed = match label {
            Some(l) => {
                labels.insert(k, l.to_string());
                true
            }
            None => labels.remove(&k).is_some(),
        };
        if changed {
            self.writes += 1;
        }
        Ok(())
    }

    /// `HKLM`: needs an elevated token (5 otherwise). Removing an absent value writes nothing.
    fn set_linked_connections(&mut self, enabled: Option<bool>) -> Result<(), ApiError> {
        const API: &str = "RegSetValueExW";
        let luid = self.token(API)?;
        self.require_elevated(luid, API)?;
        let value = enabled.map(u32::from);
        if value.is_none() && self.linked_policy.is_none() {
            return Ok(());
        }
        self.linked_policy = value;
        self.writes += 1;
        Ok(())
    }

    /// `Linked` from a Full process token: impersonate its Limited partner (the SeTcb route).
    /// From a Limited token: 1346 (only an identification token comes back). From a Default
    /// token: 1312 (there is no linked token). `Current`: revert to the process token.
    fn use_token(&mut self, choice: TokenChoice) -> Result<(), ApiError> {
        match choice {
            TokenChoice::Current => {
                self.thread = None;
                Ok(())
            }
            TokenChoice::Linked => {
                const API: &str = "GetTokenInformation";
                let process = self
                    .process
                    .filter(|l| self.sessions.contains_key(l))
                    .ok_or(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION))?;
                let s = self.session(process, API)?;
                match (s.elevation, s.linked) {
                    (Elevation::Full, Some(limited)) => {
                        self.thread = Some(limited);
                        Ok(())
                    }
                    (Elevation::Limited, _) => Err(ApiError::new(
                        "ImpersonateLoggedOnUser",
                        ERROR_BAD_IMPERSONATION_LEVEL,
                    )),
                    _ => Err(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION)),
                }
            }
        }
    }

    fn scheduled_task(&self, name: &str) -> Result<Option<ScheduledTask>, ApiError> {
        self.token("ITaskFolder::GetTask")?;
        Ok(self.scheduler.tasks.get(&key(name)).map(|t| ScheduledTask {
            definition: t.definition.clone(),
            enabled: t.enabled,
            last_run: t.last_run.clone(),
            last_result: Some(t.last_result),
            next_run: None,
        }))
    }

    fn program_data(&self) -> Result<String, ApiError> {
        Ok(self.scheduler.program_data.clone())
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>, ApiError> {
        self.token("CreateFileW")?;
        Ok(self
            .scheduler
            .files
            .get(&key(path))
            .map(|f| f.contents.clone()))
    }

    fn security_matches(&self, path: &str, sddl: &str) -> Result<Option<bool>, ApiError> {
        self.token("GetNamedSecurityInfoW")?;
        let k = key(path);
        Ok(
            match (self.scheduler.files.get(&k), self.scheduler.dirs.get(&k)) {
                (Some(f), _) => Some(f.sddl.as_deref() == Some(sddl)),
                (None, Some(d)) => Some(d.as_deref() == Some(sddl)),
                (None, None) => None,
            },
        )
    }

    /// Any token may register a task that runs as its own user with an interactive token; a
    /// group principal, another user or a stored password needs an elevated token (5, as
    /// `E_ACCESSDENIED` 0x80070005). A logon type that is not `InteractiveToken` is refused
    /// (the model has no password to store): 87.
    fn register_task(&mut self, name: &str, definition: &str) -> Result<(), ApiError> {
        const API: &str = "ITaskFolder::RegisterTask";
        let luid = self.token(API)?;
        let sid = self.user_of(luid, API)?.sid.clone();
        let own = definition.contains(&format!("<UserId>{sid}</UserId>"))
            && !definition.contains("<GroupId>");
        if !own && !self.is_elevated(luid) {
            return Err(ApiError::new(API, ERROR_ACCESS_DENIED));
        }
        if definition.contains("<LogonType>")
            && !definition.contains("<LogonType>InteractiveToken<")
        {
            return Err(ApiError::new(API, ERROR_INVALID_PARAMETER));
        }
        let task =
            self.scheduler
                .tasks
                .entry(key(name))
                .or_insert_with(|| super::schedule::ModelTask {
                    definition: String::new(),
                    enabled: true,
                    last_run: None,
                    last_result: mapdrive_core::schedule::SCHED_S_TASK_HAS_NOT_RUN,
                });
        task.definition = definition.to_string();
        self.writes += 1;
        Ok(())
    }

    fn delete_task(&mut self, name: &str) -> Result<(), ApiError> {
        const API: &str = "ITaskFolder::DeleteTask";
        self.token(API)?;
        match self.scheduler.tasks.remove(&key(name)) {
            Some(_) => {
                self.writes += 1;
                Ok(())
            }
            None => Err(ApiError::new(API, ERROR_FILE_NOT_FOUND)),
        }
    }

    /// Needs an elevated token (5); the parent must exist (3).
    fn secure_directory(&mut self, path: &str, sddl: &str) -> Result<(), ApiError> {
        const API: &str = "SetNamedSecurityInfoW";
        let luid = self.token(API)?;
        if !self.is_elevated(luid) {
            return Err(ApiError::new(API, ERROR_ACCESS_DENIED));
        }
        if !self
            .scheduler
            .dirs
            .contains_key(&super::schedule::parent(path))
        {
            return Err(ApiError::new("CreateDirectoryW", ERROR_PATH_NOT_FOUND));
        }
        self.scheduler
            .dirs
            .insert(key(path), Some(sddl.to_string()));
        self.writes += 1;
        Ok(())
    }

    /// The directory must exist (3); a directory with a set (protected) ACL needs an elevated
    /// token (5).
    fn write_file(&mut self, path: &str, contents: &[u8], sddl: &str) -> Result<(), ApiError> {
        const API: &str = "CreateFileW";
        let luid = self.token(API)?;
        match self.scheduler.dirs.get(&super::schedule::parent(path)) {
            None => return Err(ApiError::new(API, ERROR_PATH_NOT_FOUND)),
            Some(Some(_)) if !self.is_elevated(luid) => {
                return Err(ApiError::new(API, ERROR_ACCESS_DENIED));
            }
            Some(_) => {}
        }
        self.scheduler.files.insert(
            key(path),
            super::schedule::ModelFile {
                contents: contents.to_vec(),
                sddl: Some(sddl.to_string()),
            },
        );
        self.writes += 1;
        Ok(())
    }

    fn certificate_in_my_store(
        &self,
        thumbprint: &mapdrive_core::domain::Thumbprint,
    ) -> Result<bool, ApiError> {
        self.find_certificate(thumbprint)
    }

    fn marshal_certificate(
        &self,
        thumbprint: &mapdrive_core::domain::Thumbprint,
    ) -> Result<String, ApiError> {
        Ok(Machine::marshal(thumbprint))
    }

    fn unmarshal_certificate(
        &self,
        user_name: &str,
    ) -> Result<Option<mapdrive_core::domain::Thumbprint>, ApiError> {
        Ok(Machine::unmarshal(user_name))
    }

    fn write_credential_with_attributes(
        &mut self,
        cred: &CredentialWrite<'_>,
        attributes: &[mapdrive_core::domain::CredentialAttribute],
    ) -> Result<(), ApiError> {
        let r = self.store_credential_with(cred, attributes);
        self.counted(r)
    }

    /// Recorded with the logon session of the token in effect (not a write: the machine's state
    /// does not change); while the Event Log is unavailable, `RegisterEventSourceW`'s answer when
    /// the EventLog service is not running, 1722 `RPC_S_SERVER_UNAVAILABLE`.
    fn report_event(&mut self, event: &AuditEvent) -> Result<(), ApiError> {
        if !self.event_log_available {
            return Err(ApiError::new("RegisterEventSourceW", 1722));
        }
        let token = self.thread.or(self.process);
        self.audit.push(crate::ReportedEvent {
            event: event.clone(),
            token,
        });
        Ok(())
    }

    fn event_source(&self) -> Result<Option<EventSourceRegistration>, ApiError> {
        self.token("RegOpenKeyExW")?;
        Ok(self.event_source.clone())
    }

    /// `HKLM`: needs an elevated token (5 otherwise). Writing what is there already, or deleting
    /// an absent key, succeeds (and is counted only when something changed).
    fn set_event_source(
        &mut self,
        registration: Option<&EventSourceRegistration>,
    ) -> Result<(), ApiError> {
        let api = if registration.is_some() {
            "RegCreateKeyExW"
        } else {
            "RegDeleteTreeW"
        };
        let luid = self.token(api)?;
        self.require_elevated(luid, api)?;
        if self.event_source.as_ref() != registration {
            self.event_source = registration.cloned();
            self.writes += 1;
        }
        Ok(())
    }

    fn executable_path(&self) -> Result<String, ApiError> {
        Ok(self.executable.clone())
    }
}

/// A logon session's local DOS devices that are drive letters, with their targets.
fn drive_devices(s: &crate::Session) -> Vec<(DriveLetter, String)> {
    s.devices
        .iter()
        .filter_map(|(name, e)| {
            name.parse::<DriveLetter>()
                .ok()
                .map(|d| (d, e.target.clone()))
        })
        .collect()
}

//! A caching [`Port`] decorator for runs that plan many items against one machine
//! (`mapdrive apply`, `mapdrive export`): every fact is read from Windows once and kept until an
//! action that can change it, so a document of 26 drives and 50 credentials enumerates the
//! drives and the credentials once instead of once per item.
//!
//! Reads are kept per token ([`TokenChoice`]): the linked half of a split token sees other drives
//! and another vault. An action invalidates what it may have changed, in both tokens' caches
//! (they share `HKCU` and may share the vault). A failed action invalidates too: Windows may have
//! done part of it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::domain::{
    CredentialCaps, CredentialInfo, CredentialKind, DriveLetter, Identity, LinkedConnections,
    RemotePath, SessionUsers,
};
use crate::error::ApiError;
use crate::gpp::{Hive, RegValue, TargetingFacts};
use crate::port::{Action, BootDevice, Connection, Forward, Port, Remembered, TokenChoice};

/// The answers read so far through one token (`None`/absent: not read yet, or invalidated).
#[derive(Default)]
struct CachedReads {
    identity: Option<Result<Identity, ApiError>>,
    connected: Option<Result<Vec<Connection>, ApiError>>,
    remembered: Option<Result<Vec<Remembered>, ApiError>>,
    dos: BTreeMap<DriveLetter, Result<Option<String>, ApiError>>,
    credentials: Option<Result<Vec<CredentialInfo>, ApiError>>,
    labels: BTreeMap<String, Result<Option<String>, ApiError>>,
    caps: Option<Result<CredentialCaps, ApiError>>,
    targeting: Option<Result<TargetingFacts, ApiError>>,
    keys: BTreeMap<(Hive, String), Result<bool, ApiError>>,
    values: BTreeMap<(Hive, String, String), Result<Option<RegValue>, ApiError>>,
    no_drives: Option<Result<Option<u32>, ApiError>>,
    gpp_records: BTreeMap<String, Result<Option<String>, ApiError>>,
}

/// Which facts an action may change.
#[derive(Clone, Copy)]
enum Touches {
    Drives,
    Remembered,
    Credentials,
    Labels,
    Boot,
    Policy,
    NoDrives,
    GppRecords,
}

/// How many times each fact was read from the wrapped port (for tests and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// `connected()`.
    pub connected: u64,
    /// `remembered()`.
    pub remembered: u64,
    /// `credentials()`.
    pub credentials: u64,
    /// `dos_device()`, all letters together.
    pub dos_devices: u64,
    /// `identity()`.
    pub identity: u64,
    /// `targeting_facts()`.
    pub targeting_facts: u64,
    /// `registry_key_exists()` and `registry_value()`, all keys and values together.
    pub registry: u64,
    /// `no_drives()`.
    pub no_drives: u64,
    /// `gpp_record()`.
    pub gpp_records: u64,
}

/// The decorator. Reads go to the wrapped port the first time only.
pub struct CachingPort<'a> {
    inner: &'a mut dyn Port,
    token: Cell<TokenChoice>,
    current: RefCell<CachedReads>,
    linked: RefCell<CachedReads>,
    boot: RefCell<Option<Result<Vec<BootDevice>, ApiError>>>,
    policy: RefCell<Option<Result<LinkedConnections, ApiError>>>,
    /// Process-wide (the process token's linked account, this desktop's user): read once.
    session_users: RefCell<Option<Result<SessionUsers, ApiError>>>,
    /// Machine-wide (the SMB provider's name): read once.
    lanman_provider: RefCell<Option<Result<String, ApiError>>>,
    counts: Cell<ReadCounts>,
}

impl<'a> CachingPort<'a> {
    /// Wraps `inner`, which must be on the process token.
    pub fn new(inner: &'a mut dyn Port) -> CachingPort<'a> {
        CachingPort {
            inner,
            token: Cell::new(TokenChoice::Current),
            current: RefCell::new(CachedReads::default()),
            linked: RefCell::new(CachedReads::default()),
            boot: RefCell::new(None),
            policy: RefCell::new(None),
            session_users: RefCell::new(None),
            lanman_provider: RefCell::new(None),
            counts: Cell::new(ReadCounts::default()),
        }
    }

    /// How often each fact was read from the wrapped port so far.
    pub fn reads(&self) -> ReadCounts {
        self.counts.get()
    }

    fn count(&self, f: impl FnOnce(&mut ReadCounts)) {
        let mut c = self.counts.get();
        f(&mut c);
        self.counts.set(c);
    }

    fn token_reads(&self) -> &RefCell<CachedReads> {
        match self.token.get() {
            TokenChoice::Current => &self.current,
            TokenChoice::Linked => &self.linked,
        }
    }

    fn invalidate(&self, touches: Touches) {
        for facts in [&self.current, &self.linked] {
            let mut f = facts.borrow_mut();
            match touches {
                Touches::Drives => {
                    f.connected = None;
                    f.remembered = None;
                    f.dos.clear();
                }
                Touches::Remembered => f.remembered = None,
                Touches::Credentials => f.credentials = None,
                Touches::Labels => f.labels.clear(),
                Touches::NoDrives => {
                    f.no_drives = None;
                    f.values.clear();
                }
                Touches::GppRecords => {
                    f.gpp_records.clear();
                    f.values.clear();
                    f.keys.clear();
                }
                Touches::Boot | Touches::Policy => {}
            }
        }
        match touches {
            Touches::Boot => *self.boot.borrow_mut() = None,
            Touches::Policy => *self.policy.borrow_mut() = None,
            _ => {}
        }
    }
}

impl Forward for CachingPort<'_> {
    fn inner(&self) -> &dyn Port {
        &*self.inner
    }

    fn inner_mut(&mut self) -> &mut dyn Port {
        &mut *self.inner
    }

    /// Every action invalidates what it may have changed, after it ran (even when it failed).
    fn act(
        &mut self,
        action: Action,
        op: impl FnOnce(&mut dyn Port) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let out = op(&mut *self.inner);
        if let Some(touches) = touches(action) {
            self.invalidate(touches);
        }
        out
    }
}

/// Which facts an action may change (`None`: none of the machine's).
fn touches(action: Action) -> Option<Touches> {
    Some(match action {
        Action::AddConnection | Action::CancelConnection => Touches::Drives,
        Action::Forget | Action::Remember | Action::SetRememberedUserName => Touches::Remembered,
        Action::WriteCredential
        | Action::WriteCredentialWithAttributes
        | Action::DeleteCredential => Touches::Credentials,
        Action::SetBootDevice | Action::RemoveBootDevice => Touches::Boot,
        Action::SetLabel => Touches::Labels,
        Action::SetLinkedConnections => Touches::Policy,
        Action::SetNoDrives => Touches::NoDrives,
        Action::SetGppRecord => Touches::GppRecords,
        // Not facts the cache holds (the event source's registration, tasks and files are read
        // uncached).
        Action::UseToken
        | Action::SetEventSource
        | Action::RegisterTask
        | Action::DeleteTask
        | Action::SecureDirectory
        | Action::WriteFile => return None,
    })
}

/// Returns the cached value of `slot`, filling it with `read` the first time.
fn cached<T: Clone>(
    slot: &mut Option<Result<T, ApiError>>,
    read: impl FnOnce() -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    slot.get_or_insert_with(read).clone()
}

impl Port for CachingPort<'_> {
    fn identity(&self) -> Result<Identity, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.identity, || {
            self.count(|c| c.identity += 1);
            self.inner.identity()
        })
    }

    fn linked_connections(&self) -> Result<LinkedConnections, ApiError> {
        cached(&mut self.policy.borrow_mut(), || {
            self.inner.linked_connections()
        })
    }

    fn connected(&self) -> Result<Vec<Connection>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.connected, || {
            self.count(|c| c.connected += 1);
            self.inner.connected()
        })
    }

    fn remembered(&self) -> Result<Vec<Remembered>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.remembered, || {
            self.count(|c| c.remembered += 1);
            self.inner.remembered()
        })
    }

    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        f.dos
            .entry(letter)
            .or_insert_with(|| {
                self.count(|c| c.dos_devices += 1);
                self.inner.dos_device(letter)
            })
            .clone()
    }

    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.credentials, || {
            self.count(|c| c.credentials += 1);
            self.inner.credentials()
        })
    }

    fn credential_caps(&self) -> Result<CredentialCaps, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.caps, || self.inner.credential_caps())
    }

    fn session_users(&self) -> Result<SessionUsers, ApiError> {
        cached(&mut self.session_users.borrow_mut(), || {
            self.inner.session_users()
        })
    }

    fn lanman_provider_name(&self) -> Result<String, ApiError> {
        cached(&mut self.lanman_provider.borrow_mut(), || {
            self.inner.lanman_provider_name()
        })
    }

    fn credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError> {
        // Answered from the enumeration when this run has one (no second read of the vault);
        // otherwise one `CredReadW`.
        let from_list = match &self.token_reads().borrow().credentials {
            Some(Ok(list)) => Some(
                list.iter()
                    .find(|c| c.kind == kind && c.target.to_lowercase() == target.to_lowercase())
                    .cloned(),
            ),
            _ => None,
        };
        match from_list {
            Some(found) => Ok(found),
            None => self.inner.credential(target, kind),
        }
    }

    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError> {
        cached(&mut self.boot.borrow_mut(), || self.inner.boot_devices())
    }

    fn label(&self, remote: &RemotePath) -> Result<Option<String>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        f.labels
            .entry(remote.mount_points_key().to_lowercase())
            .or_insert_with(|| self.inner.label(remote))
            .clone()
    }

    fn targeting_facts(&self) -> Result<TargetingFacts, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.targeting, || {
            self.count(|c| c.targeting_facts += 1);
            self.inner.targeting_facts()
        })
    }

    fn registry_key_exists(&self, hive: Hive, key: &str) -> Result<bool, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        f.keys
            .entry((hive, key.trim_matches('\\').to_lowercase()))
            .or_insert_with(|| {
                self.count(|c| c.registry += 1);
                self.inner.registry_key_exists(hive, key)
            })
            .clone()
    }

    fn registry_value(
        &self,
        hive: Hive,
        key: &str,
        name: &str,
    ) -> Result<Option<RegValue>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        f.values
            .entry((
                hive,
                key.trim_matches('\\').to_lowercase(),
                name.to_lowercase(),
            ))
            .or_insert_with(|| {
                self.count(|c| c.registry += 1);
                self.inner.registry_value(hive, key, name)
            })
            .clone()
    }

    fn no_drives(&self) -> Result<Option<u32>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        cached(&mut f.no_drives, || {
            self.count(|c| c.no_drives += 1);
            self.inner.no_drives()
        })
    }

    fn gpp_record(&self, key: &str) -> Result<Option<String>, ApiError> {
        let mut f = self.token_reads().borrow_mut();
        f.gpp_records
            .entry(key.to_lowercase())
            .or_insert_with(|| {
                self.count(|c| c.gpp_records += 1);
                self.inner.gpp_record(key)
            })
            .clone()
    }

    crate::forward_port!(
        set_no_drives,
        set_gpp_record,
        credential_secret_equals, // never cached: a secret comparison must not outlive the call
        sessions,
        logon_sessions,
        global_namespace,
        console_output_code_page,
        certificate_in_my_store,
        marshal_certificate,
        unmarshal_certificate,
        add_connection,
        cancel_connection,
        forget,
        remember,
        set_remembered_user_name,
        write_credential,
        write_credential_with_attributes,
        delete_credential,
        set_boot_device,
        remove_boot_device,
        set_label,
        set_linked_connections,
        report_event,
        event_source,
        executable_path,
        set_event_source,
        scheduled_task,
        program_data,
        read_file,
        security_matches,
        register_task,
        delete_task,
        secure_directory,
        write_file,
    );

    fn use_token(&mut self, choice: TokenChoice) -> Result<(), ApiError> {
        let result = self.inner.use_token(choice);
        if result.is_ok() {
            self.token.set(choice);
        } else {
            // The adapter reverts to the process token when a switch fails.
            self.token.set(TokenChoice::Current);
        }
        result
    }
}

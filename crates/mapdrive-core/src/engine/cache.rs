//! A caching [`Port`] decorator for runs that plan many items against one machine
//! (`mapdrive apply`, `mapdrive export`): every fact is read from Windows once and kept until an
//! action that can change it, so a document of 26 drives and 50 credentials enumerates the
//! drives and the credentials once instead of once per item.
//!
//! Facts are kept per token ([`TokenChoice`]): the linked half of a split token sees other drives
//! and another vault. An action invalidates what it may have changed, in both tokens' caches
//! (they share `HKCU` and may share the vault). A failed action invalidates too: Windows may have
//! done part of it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::domain::{
    CredentialCaps, CredentialInfo, CredentialKind, DriveLetter, Identity, LinkedConnections,
    RemotePath, Secret, SessionUsers,
};
use crate::error::ApiError;
use crate::port::{
    BootDevice, Connection, CredentialWrite, GlobalNamespace, LogonSessionInfo, Port, Remembered,
    SessionView, TokenChoice,
};

/// What one token's view holds.
#[derive(Default)]
struct Facts {
    identity: Option<Result<Identity, ApiError>>,
    connected: Option<Result<Vec<Connection>, ApiError>>,
    remembered: Option<Result<Vec<Remembered>, ApiError>>,
    dos: BTreeMap<DriveLetter, Result<Option<String>, ApiError>>,
    credentials: Option<Result<Vec<CredentialInfo>, ApiError>>,
    labels: BTreeMap<String, Result<Option<String>, ApiError>>,
    caps: Option<Result<CredentialCaps, ApiError>>,
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
}

/// The decorator. Reads go to the wrapped port the first time only.
pub struct CachingPort<'a> {
    inner: &'a mut dyn Port,
    token: Cell<TokenChoice>,
    current: RefCell<Facts>,
    linked: RefCell<Facts>,
    boot: RefCell<Option<Result<Vec<BootDevice>, ApiError>>>,
    policy: RefCell<Option<Result<LinkedConnections, ApiError>>>,
    /// Process-wide (the process token's linked account, this desktop's user): read once.
    session_users: RefCell<Option<Result<SessionUsers, ApiError>>>,
    counts: Cell<ReadCounts>,
}

impl<'a> CachingPort<'a> {
    /// Wraps `inner`, which must be on the process token.
    pub fn new(inner: &'a mut dyn Port) -> CachingPort<'a> {
        CachingPort {
            inner,
            token: Cell::new(TokenChoice::Current),
            current: RefCell::new(Facts::default()),
            linked: RefCell::new(Facts::default()),
            boot: RefCell::new(None),
            policy: RefCell::new(None),
            session_users: RefCell::new(None),
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

    fn facts(&self) -> &RefCell<Facts> {
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
                Touches::Boot | Touches::Policy => {}
            }
        }
        match touches {
            Touches::Boot => *self.boot.borrow_mut() = None,
            Touches::Policy => *self.policy.borrow_mut() = None,
            _ => {}
        }
    }

    fn act<T>(&mut self, touches: Touches, op: impl FnOnce(&mut dyn Port) -> T) -> T {
        let out = op(&mut *self.inner);
        self.invalidate(touches);
        out
    }
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
        let mut f = self.facts().borrow_mut();
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
        let mut f = self.facts().borrow_mut();
        cached(&mut f.connected, || {
            self.count(|c| c.connected += 1);
            self.inner.connected()
        })
    }

    fn remembered(&self) -> Result<Vec<Remembered>, ApiError> {
        let mut f = self.facts().borrow_mut();
        cached(&mut f.remembered, || {
            self.count(|c| c.remembered += 1);
            self.inner.remembered()
        })
    }

    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError> {
        let mut f = self.facts().borrow_mut();
        f.dos
            .entry(letter)
            .or_insert_with(|| {
                self.count(|c| c.dos_devices += 1);
                self.inner.dos_device(letter)
            })
            .clone()
    }

    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        let mut f = self.facts().borrow_mut();
        cached(&mut f.credentials, || {
            self.count(|c| c.credentials += 1);
            self.inner.credentials()
        })
    }

    fn credential_caps(&self) -> Result<CredentialCaps, ApiError> {
        let mut f = self.facts().borrow_mut();
        cached(&mut f.caps, || self.inner.credential_caps())
    }

    fn session_users(&self) -> Result<SessionUsers, ApiError> {
        cached(&mut self.session_users.borrow_mut(), || {
            self.inner.session_users()
        })
    }

    fn credential(
        &self,
        target: &str,
        kind: CredentialKind,
    ) -> Result<Option<CredentialInfo>, ApiError> {
        // Answered from the enumeration when this run has one (no second read of the vault);
        // otherwise one `CredReadW`.
        let from_list = match &self.facts().borrow().credentials {
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

    fn credential_secret_equals(
        &self,
        target: &str,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<Option<bool>, ApiError> {
        // Never cached: a secret comparison must not outlive the call.
        self.inner.credential_secret_equals(target, kind, secret)
    }

    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError> {
        cached(&mut self.boot.borrow_mut(), || self.inner.boot_devices())
    }

    fn label(&self, remote: &RemotePath) -> Result<Option<String>, ApiError> {
        let mut f = self.facts().borrow_mut();
        f.labels
            .entry(remote.mount_points_key().to_lowercase())
            .or_insert_with(|| self.inner.label(remote))
            .clone()
    }

    fn sessions(&self) -> Result<Vec<SessionView>, ApiError> {
        self.inner.sessions()
    }

    fn logon_sessions(&self) -> Result<Vec<LogonSessionInfo>, ApiError> {
        self.inner.logon_sessions()
    }

    fn global_namespace(&self) -> Result<GlobalNamespace, ApiError> {
        self.inner.global_namespace()
    }

    fn console_output_code_page(&self) -> Option<u32> {
        self.inner.console_output_code_page()
    }

    fn add_connection(
        &mut self,
        letter: DriveLetter,
        remote: &RemotePath,
        user: Option<&str>,
        password: Option<&Secret>,
        remember: bool,
    ) -> Result<(), ApiError> {
        self.act(Touches::Drives, |p| {
            p.add_connection(letter, remote, user, password, remember)
        })
    }

    fn cancel_connection(
        &mut self,
        letter: DriveLetter,
        forget: bool,
        force: bool,
    ) -> Result<(), ApiError> {
        self.act(Touches::Drives, |p| {
            p.cancel_connection(letter, forget, force)
        })
    }

    fn forget(&mut self, letter: DriveLetter) -> Result<(), ApiError> {
        self.act(Touches::Remembered, |p| p.forget(letter))
    }

    fn remember(&mut self, entry: &Remembered) -> Result<(), ApiError> {
        self.act(Touches::Remembered, |p| p.remember(entry))
    }

    fn set_remembered_user_name(
        &mut self,
        letter: DriveLetter,
        user_name: &str,
    ) -> Result<(), ApiError> {
        self.act(Touches::Remembered, |p| {
            p.set_remembered_user_name(letter, user_name)
        })
    }

    fn write_credential(&mut self, cred: &CredentialWrite<'_>) -> Result<(), ApiError> {
        self.act(Touches::Credentials, |p| p.write_credential(cred))
    }

    fn delete_credential(&mut self, target: &str, kind: CredentialKind) -> Result<(), ApiError> {
        self.act(Touches::Credentials, |p| p.delete_credential(target, kind))
    }

    fn set_boot_device(&mut self, name: &str, target: &str) -> Result<(), ApiError> {
        self.act(Touches::Boot, |p| p.set_boot_device(name, target))
    }

    fn remove_boot_device(&mut self, name: &str) -> Result<(), ApiError> {
        self.act(Touches::Boot, |p| p.remove_boot_device(name))
    }

    fn set_label(&mut self, remote: &RemotePath, label: Option<&str>) -> Result<(), ApiError> {
        self.act(Touches::Labels, |p| p.set_label(remote, label))
    }

    fn set_linked_connections(&mut self, enabled: Option<bool>) -> Result<(), ApiError> {
        self.act(Touches::Policy, |p| p.set_linked_connections(enabled))
    }

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

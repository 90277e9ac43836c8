//! File servers, SMB authentication and the redirector: what `WNetAddConnection2W` and
//! `WNetCancelConnection2W` do inside a logon session.

use mapdrive_core::error::{
    ApiError, ERROR_ACCESS_DENIED, ERROR_ALREADY_ASSIGNED, ERROR_BAD_NET_NAME, ERROR_BAD_NETPATH,
    ERROR_DEVICE_ALREADY_REMEMBERED, ERROR_INVALID_PASSWORD, ERROR_LOGON_FAILURE,
    ERROR_NO_NET_OR_BAD_PATH, ERROR_NOT_CONNECTED, ERROR_OPEN_FILES, ERROR_PATH_NOT_FOUND,
    ERROR_SESSION_CREDENTIAL_CONFLICT,
};
use std::collections::BTreeMap;

use serde::Serialize;
use zeroize::Zeroizing;

use super::{DeviceKind, DosEntry, Machine, NetUse, key};
use mapdrive_core::domain::{DosTarget, DriveLetter, Luid, RemotePath, lanman_target};
use mapdrive_core::port::Remembered;

/// Who may open a share.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShareAccess {
    /// Anyone, including anonymous (null-session) connections.
    pub anonymous: bool,
    /// Server accounts allowed in (names as given to [`Machine::add_account`]).
    pub users: Vec<String>,
}

impl ShareAccess {
    /// Open to everyone, anonymous included.
    pub fn anyone() -> ShareAccess {
        ShareAccess {
            anonymous: true,
            users: Vec::new(),
        }
    }

    /// Open to these accounts only.
    pub fn only(users: &[&str]) -> ShareAccess {
        ShareAccess {
            anonymous: false,
            users: users.iter().map(|u| (*u).to_string()).collect(),
        }
    }

    fn allows(&self, account: Option<&str>) -> bool {
        self.anonymous
            || account.is_some_and(|a| self.users.iter().any(|u| u.eq_ignore_ascii_case(a)))
    }
}

/// What opening a file on a drive reached (see [`Machine::access`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Access {
    /// A local device (disk, subst): no network authentication involved.
    Local {
        /// The DOS device target.
        target: String,
    },
    /// A network share.
    Share {
        /// `\\server\share`.
        remote: String,
        /// The account the server accepted; `None` = anonymous.
        account: Option<String>,
    },
}

pub(super) struct Share {
    access: ShareAccess,
    open_files: bool,
}

pub(super) struct Server {
    accounts: BTreeMap<String, (String, Zeroizing<String>)>,
    shares: BTreeMap<String, Share>,
}

impl Server {
    pub(super) fn new() -> Server {
        Server {
            accounts: BTreeMap::new(),
            shares: BTreeMap::new(),
        }
    }

    pub(super) fn add_share(&mut self, share: &str, access: ShareAccess) {
        self.shares.insert(
            key(share),
            Share {
                access,
                open_files: false,
            },
        );
    }

    pub(super) fn add_account(&mut self, user: &str, password: &str) {
        self.accounts.insert(
            key(user),
            (user.to_string(), Zeroizing::new(password.to_string())),
        );
    }

    pub(super) fn set_open_files(&mut self, share: &str, open: bool) {
        if let Some(s) = self.shares.get_mut(&key(share)) {
            s.open_files = open;
        }
    }

    /// NTLM/Kerberos at the server: unknown account 1326, wrong password 86.
    fn check(&self, user: &str, password: &str) -> Result<Option<String>, u32> {
        match self.accounts.get(&key(user)) {
            None => Err(ERROR_LOGON_FAILURE),
            Some((name, pw)) if pw.as_str() == password => Ok(Some(name.clone())),
            Some(_) => Err(ERROR_INVALID_PASSWORD),
        }
    }

    fn accepts(&self, user: &str, password: &str) -> bool {
        self.check(user, password).is_ok()
    }
}

fn same_account(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

impl Machine {
    fn server(&self, host: &str) -> Option<&Server> {
        self.server_names
            .get(&key(host))
            .and_then(|canonical| self.servers.get(canonical))
    }

    /// The account an SMB session this logon session already holds to `host` uses:
    /// `Some(account)` when there is one (one set of credentials per server per logon session).
    fn smb_session(&self, luid: Luid, host: &str) -> Option<Option<String>> {
        let s = self.sessions.get(&luid)?;
        let ns = if s.is_system() {
            &self.global
        } else {
            &s.devices
        };
        ns.values().find_map(|e| match &e.kind {
            DeviceKind::Connection(n) if n.mirror_of.is_none() && n.host == host => {
                Some(n.account.clone())
            }
            _ => None,
        })
    }

    /// The outbound authentication order: explicit credentials → a saved domain credential
    /// for the host → the session's own credentials → anonymous.
    fn authenticate(
        &self,
        luid: Luid,
        host: &str,
        server: &Server,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<Option<String>, u32> {
        let s = self.sessions.get(&luid).ok_or(1312u32)?;
        let me = self.users.get(&s.user).ok_or(1312u32)?;
        let saved = if s.has_vault() {
            self.domain_credential_for(luid, host)
        } else {
            None
        };
        let own = s.has_own_credentials();
        match (user, password) {
            (Some(u), Some(p)) => server.check(u, p),
            // NULL password: "the current default password associated with the user": a
            // saved credential for that user, or the logon's own password if it is the same
            // user; otherwise a blank password goes out (STATUS_WRONG_PASSWORD).
            (Some(u), None) => match saved {
                Some((cu, secret)) if cu.eq_ignore_ascii_case(u) => server.check(u, &secret),
                _ if own && me.name.eq_ignore_ascii_case(u) => server.check(u, &me.password),
                _ => server.check(u, ""),
            },
            (None, Some(p)) => server.check(&me.name, p),
            (None, None) => match saved {
                Some((cu, secret)) => server.check(&cu, &secret),
                None if own && server.accepts(&me.name, &me.password) => Ok(Some(me.name.clone())),
                None => Ok(None),
            },
        }
    }

    /// `WNetAddConnection2W` in logon session `luid`. Changes nothing on failure.
    pub(super) fn connect(
        &mut self,
        luid: Luid,
        letter: DriveLetter,
        remote: &RemotePath,
        user: Option<&str>,
        password: Option<&str>,
        remember: bool,
    ) -> Result<(), u32> {
        let s = self.sessions.get(&luid).ok_or(1312u32)?;
        let system = s.is_system();
        let name = letter.device_name();
        let taken = if system {
            self.global.contains_key(&name)
        } else {
            // A local name is taken; so is a global disk (a volume cannot be redirected).
            // A global network drive may be shadowed by a local one.
            s.devices.contains_key(&name)
                || matches!(
                    self.global.get(&name),
                    Some(DosEntry {
                        kind: DeviceKind::Disk,
                        ..
                    })
                )
        };
        if taken {
            return Err(ERROR_ALREADY_ASSIGNED);
        }
        if remote.is_webdav() {
            // Only the SMB provider is modelled.
            return Err(ERROR_NO_NET_OR_BAD_PATH);
        }
        let write_profile = remember && self.may_persist(luid);
        let owner = s.user.clone();
        let linked = s.linked;
        if write_profile {
            let existing = self.users.get(&owner).and_then(|u| u.network.get(&letter));
            if existing.is_some_and(|e| !remote.matches(&e.remote)) {
                return Err(ERROR_DEVICE_ALREADY_REMEMBERED);
            }
        }
        let server = self.server(remote.host()).ok_or(53u32)?;
        let share = server.shares.get(&key(remote.share())).ok_or(67u32)?;
        let host = key(remote.host());
        let account = match (self.smb_session(luid, &host), user) {
            (Some(existing), Some(u)) if !same_account(existing.as_deref(), u) => {
                return Err(ERROR_SESSION_CREDENTIAL_CONFLICT);
            }
            (Some(existing), _) => existing,
            (None, _) => self.authenticate(luid, &host, server, user, password)?,
        };
        if !share.access.allows(account.as_deref()) {
            return Err(ERROR_ACCESS_DENIED);
        }
        let entry = DosEntry {
            target: lanman_target(letter, luid, remote.without_leading_separators()),
            kind: DeviceKind::Connection(NetUse {
                letter,
                remote: remote.clone(),
                host,
                account,
                mirror_of: None,
            }),
        };
        if system {
            self.global.insert(name.clone(), entry);
        } else {
            let mirror = self.linked_effective.then(|| mirror_of(&entry, luid));
            if let Some(s) = self.sessions.get_mut(&luid) {
                s.devices.insert(name.clone(), entry);
            }
            if let (Some(partner), Some(mirror)) = (linked, mirror)
                && let Some(p) = self.sessions.get_mut(&partner)
            {
                p.devices.entry(name).or_insert(mirror);
            }
        }
        if write_profile && let Some(u) = self.users.get_mut(&owner) {
            u.network.insert(
                letter,
                Remembered {
                    letter,
                    remote: remote.as_str().to_string(),
                    provider: self.lanman_provider.clone(),
                    provider_type: Some(super::LANMAN_PROVIDER_TYPE),
                    user_name: Some(user.unwrap_or_default().to_string()),
                },
            );
        }
        Ok(())
    }

    /// `CONNECT_UPDATE_PROFILE` writes `HKCU\Network` unless the token is the Full half of a
    /// split pair (the provider writes nothing for it) — with linked connections in effect the
    /// Full token persists like the others.
    fn may_persist(&self, luid: Luid) -> bool {
        self.sessions.get(&luid).is_some_and(|s| {
            !(s.elevation == mapdrive_core::domain::Elevation::Full && s.linked.is_some())
                || self.linked_effective
        })
    }

    /// `WNetCancelConnection2W(letter, forget ? CONNECT_UPDATE_PROFILE : 0, force)`.
    /// Changes nothing on failure.
    pub(super) fn disconnect(
        &mut self,
        luid: Luid,
        letter: DriveLetter,
        forget: bool,
        force: bool,
    ) -> Result<(), u32> {
        let s = self.sessions.get(&luid).ok_or(1312u32)?;
        let name = letter.device_name();
        let ns = if s.is_system() {
            &self.global
        } else {
            &s.devices
        };
        let net = ns.get(&name).and_then(|e| match &e.kind {
            DeviceKind::Connection(n) => Some((e.target.clone(), n.clone())),
            _ => None,
        });
        let owner_user = s.user.clone();
        let system = s.is_system();
        let linked = s.linked;
        let Some((target, net)) = net else {
            // "You can also call the function to remove remembered network connections that
            // are not currently connected."
            let removed = forget
                && self
                    .users
                    .get_mut(&owner_user)
                    .is_some_and(|u| u.network.remove(&letter).is_some());
            return if removed {
                Ok(())
            } else {
                Err(ERROR_NOT_CONNECTED)
            };
        };
        let open_files = self
            .server(net.remote.host())
            .and_then(|srv| srv.shares.get(&key(net.remote.share())))
            .is_some_and(|sh| sh.open_files);
        if open_files && !force {
            return Err(ERROR_OPEN_FILES);
        }
        if system {
            self.global.remove(&name);
        } else {
            if let Some(s) = self.sessions.get_mut(&luid) {
                s.devices.remove(&name);
            }
            // The other copy: the owner's connection when this is a mirror, the mirror otherwise.
            let other = net.mirror_of.or(linked);
            if let Some(o) = other.and_then(|o| self.sessions.get_mut(&o))
                && o.devices.get(&name).is_some_and(|e| e.target == target)
            {
                o.devices.remove(&name);
            }
        }
        if forget && let Some(u) = self.users.get_mut(&owner_user) {
            u.network.remove(&letter);
        }
        Ok(())
    }

    /// Opens the root of `letter` from the token in effect, the way Explorer or `dir Z:\` would:
    /// resolves the DOS device (local, then global) and authenticates to the share if it is a
    /// network drive. A drive this session connected reuses the connection's account; a global
    /// drive (SYSTEM's, or from the boot-time table) is authenticated with the *accessing*
    /// session's credentials (vault, then own, then anonymous).
    ///
    /// Errors: 3 (no such device), 1312 (no process), 53/67 (unknown server/share),
    /// 86/1326 (saved credential rejected), 5 (share refuses the account).
    pub fn access(&self, letter: DriveLetter) -> Result<Access, ApiError> {
        const API: &str = "CreateFileW";
        let luid = self.token(API)?;
        let (entry, local) = self
            .resolve(luid, &letter.device_name())
            .ok_or(ApiError::new(API, ERROR_PATH_NOT_FOUND))?;
        if let DeviceKind::Connection(n) = &entry.kind {
            // This session's own connection (or its linked mirror; SYSTEM owns the global ones).
            let system = self
                .sessions
                .get(&luid)
                .is_some_and(super::Session::is_system);
            if local || system {
                return Ok(Access::Share {
                    remote: n.remote.as_str().to_string(),
                    account: n.account.clone(),
                });
            }
        }
        let remote = match DosTarget::parse(&entry.target) {
            DosTarget::Network { remote, .. } => remote,
            _ => {
                return Ok(Access::Local {
                    target: entry.target.clone(),
                });
            }
        };
        let path: RemotePath = remote
            .parse()
            .map_err(|_| ApiError::new(API, ERROR_BAD_NET_NAME))?;
        let server = self
            .server(path.host())
            .ok_or(ApiError::new(API, ERROR_BAD_NETPATH))?;
        let share = server
            .shares
            .get(&key(path.share()))
            .ok_or(ApiError::new(API, ERROR_BAD_NET_NAME))?;
        let host = key(path.host());
        let account = match self.smb_session(luid, &host) {
            Some(existing) => existing,
            None => self
                .authenticate(luid, &host, server, None, None)
                .map_err(|code| ApiError::new(API, code))?,
        };
        if !share.access.allows(account.as_deref()) {
            return Err(ApiError::new(API, ERROR_ACCESS_DENIED));
        }
        Ok(Access::Share {
            remote: path.as_str().to_string(),
            account,
        })
    }
}

fn mirror_of(entry: &DosEntry, owner: Luid) -> DosEntry {
    let mut m = entry.clone();
    if let DeviceKind::Connection(n) = &mut m.kind {
        n.mirror_of = Some(owner);
    }
    m
}

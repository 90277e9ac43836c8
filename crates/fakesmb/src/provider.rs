//! The provider operations (`NPAddConnection3`, `NPCancelConnection`, `NPGetConnection`, the
//! `RESOURCE_CONNECTED` snapshot), written against a [`Host`] that supplies the few Win32 facts
//! and effects they need. `win::Win32Host` is the real one; the tests use an in-memory one.

use crate::auth::{self, SavedCredential, Session};
use crate::codes;
use crate::fixture::Fixture;
use crate::names::{self, LanmanTarget, Unc};

/// The provider name mpr shows (`lpProvider`, `HKCU\Network\X\ProviderName`); the same as the
/// real SMB redirector's, and the `Name` registered by `wine/setup-prefix.sh`.
pub const PROVIDER_NAME: &str = "Microsoft Windows Network";

/// `RESOURCETYPE_PRINT`: this provider only redirects disks.
pub const RESOURCETYPE_PRINT: u32 = 2;

/// What the provider needs from the system.
pub trait Host {
    /// Target of DOS device `name` (`"M:"`), `None` when it does not exist.
    fn query_dos_device(&self, name: &str) -> Option<String>;
    /// Defines DOS device `name` with a raw target path; `Err` = Win32 error code.
    fn define_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32>;
    /// Removes DOS device `name` whose target is `target`; `Err` = Win32 error code.
    fn remove_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32>;
    /// The `CRED_TYPE_DOMAIN_PASSWORD` credential whose target name is `server`.
    fn domain_credential(&self, server: &str) -> Option<SavedCredential>;
    /// `AuthenticationId` of the caller's effective token as a 64-bit number.
    fn logon_luid(&self) -> u64;
    /// The session recorded for drive `letter`.
    fn session(&self, letter: char) -> Option<Session>;
    /// Records the session of drive `letter`; `Err` = Win32 error code.
    fn record_session(&mut self, letter: char, session: &Session) -> Result<(), u32>;
    /// Forgets the session of drive `letter` (no error if there is none).
    fn forget_session(&mut self, letter: char);
}

/// The arguments of `NPAddConnection3` that matter (`None` = NULL pointer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddRequest {
    pub resource_type: u32,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub password: Option<String>,
    pub user: Option<String>,
}

/// A drive letter connected through this provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub letter: char,
    /// The DOS-device target exactly as `QueryDosDeviceW` reported it.
    pub raw_target: String,
    pub target: LanmanTarget,
}

/// The redirector connection behind drive `letter`, if any.
pub fn connection(host: &impl Host, letter: char) -> Option<Connection> {
    let raw_target = host.query_dos_device(&names::drive_name(letter))?;
    let target = names::parse_target(&raw_target)?;
    Some(Connection {
        letter,
        raw_target,
        target,
    })
}

/// Every drive letter A–Z connected through this provider, in letter order.
pub fn connections(host: &impl Host) -> Vec<Connection> {
    ('A'..='Z').filter_map(|l| connection(host, l)).collect()
}

/// `NPAddConnection3`. Returns a Win32 / `WN_*` code.
pub fn add_connection(host: &mut impl Host, fixture: &Fixture, req: &AddRequest) -> u32 {
    match try_add_connection(host, fixture, req) {
        Ok(()) => codes::SUCCESS,
        Err(code) => code,
    }
}

fn try_add_connection(
    host: &mut impl Host,
    fixture: &Fixture,
    req: &AddRequest,
) -> Result<(), u32> {
    let unc = req
        .remote
        .as_deref()
        .and_then(Unc::parse)
        .ok_or(codes::BAD_NET_NAME)?;
    let letter = names::parse_local_name(req.local.as_deref().unwrap_or(""))
        .map_err(|_| codes::BAD_DEVICE)?;
    if letter.is_some() && req.resource_type == RESOURCETYPE_PRINT {
        return Err(codes::BAD_DEV_TYPE);
    }

    // 1. server and share
    let (server, share) = auth::resolve(fixture, &unc)?;

    // 2. the local device must be free
    if let Some(l) = letter
        && host.query_dos_device(&names::drive_name(l)).is_some()
    {
        return Err(codes::ALREADY_ASSIGNED);
    }

    // 3. authenticate
    let saved = host.domain_credential(&unc.server);
    let identity = auth::authenticate(
        server,
        share,
        req.user.as_deref(),
        req.password.as_deref(),
        saved.as_ref(),
    )?;

    // 4. one SMB session per server name and user
    let explicit_user = req.user.as_deref().is_some_and(|u| !u.is_empty());
    if explicit_user {
        let live: Vec<Session> = connections(host)
            .into_iter()
            .filter_map(|c| {
                host.session(c.letter)
                    .filter(|s| names::eq_ci(&s.server, &c.target.unc.server))
            })
            .collect();
        auth::check_conflict(&unc.server, &identity, explicit_user, &live)?;
    }

    // 5. the drive
    if let Some(l) = letter {
        let name = names::drive_name(l);
        let target = names::format_target(l, host.logon_luid(), &unc);
        host.define_dos_device(&name, &target)?;
        let session = Session {
            server: unc.server.clone(),
            user: identity.user_name().to_owned(),
        };
        if let Err(code) = host.record_session(l, &session) {
            let _ = host.remove_dos_device(&name, &target);
            return Err(code);
        }
    }
    Ok(())
}

/// `NPCancelConnection`. Returns a Win32 / `WN_*` code.
pub fn cancel_connection(host: &mut impl Host, fixture: &Fixture, name: &str, force: bool) -> u32 {
    let Ok(Some(letter)) = names::parse_local_name(name) else {
        // Deviceless connections are not tracked, and a bad name is not ours either.
        return codes::NOT_CONNECTED;
    };
    let Some(conn) = connection(host, letter) else {
        return codes::NOT_CONNECTED;
    };
    if !force
        && let Some((_, share)) = fixture.share(&conn.target.unc.server, &conn.target.unc.share)
    {
        if share.open_files {
            return codes::OPEN_FILES;
        }
        if share.device_in_use {
            return codes::DEVICE_IN_USE;
        }
    }
    // Remove exactly the definition QueryDosDevice reported.
    if let Err(code) = host.remove_dos_device(&names::drive_name(letter), &conn.raw_target) {
        return code;
    }
    host.forget_session(letter);
    codes::SUCCESS
}

/// `NPGetConnection`: the remote name behind `local` (`\\server\share[\sub]`).
pub fn get_connection(host: &impl Host, local: &str) -> Result<String, u32> {
    match names::parse_local_name(local) {
        Ok(Some(letter)) => connection(host, letter)
            .map(|c| c.target.unc.to_string())
            .ok_or(codes::NOT_CONNECTED),
        _ => Err(codes::NOT_CONNECTED),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// An in-memory host: DOS devices, credentials and session keys in maps.
    #[derive(Default)]
    pub(crate) struct FakeHost {
        pub devices: BTreeMap<String, String>,
        pub creds: BTreeMap<String, SavedCredential>,
        pub sessions: BTreeMap<char, Session>,
        pub luid: u64,
    }

    impl Host for FakeHost {
        fn query_dos_device(&self, name: &str) -> Option<String> {
            self.devices.get(&name.to_ascii_uppercase()).cloned()
        }
        fn define_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32> {
            self.devices
                .insert(name.to_ascii_uppercase(), target.to_owned());
            Ok(())
        }
        fn remove_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32> {
            match self.devices.get(&name.to_ascii_uppercase()) {
                Some(t) if t == target => {
                    self.devices.remove(&name.to_ascii_uppercase());
                    Ok(())
                }
                _ => Err(2),
            }
        }
        fn domain_credential(&self, server: &str) -> Option<SavedCredential> {
            self.creds.get(&server.to_lowercase()).cloned()
        }
        fn logon_luid(&self) -> u64 {
            self.luid
        }
        fn session(&self, letter: char) -> Option<Session> {
            self.sessions.get(&letter).cloned()
        }
        fn record_session(&mut self, letter: char, session: &Session) -> Result<(), u32> {
            self.sessions.insert(letter, session.clone());
            Ok(())
        }
        fn forget_session(&mut self, letter: char) {
            self.sessions.remove(&letter);
        }
    }

    pub(crate) fn fixture() -> Fixture {
        let text = r#"{ "servers": [
          { "name": "fileserver", "aliases": ["fileserver.corp.example"],
            "accounts": [ {"user": "CORP\\alice", "password": "S3cret!"},
                          {"user": "CORP\\carol", "password": "pw"} ],
            "shares": [ { "name": "public", "anonymous": true, "users": ["*"] },
                        { "name": "team", "users": ["CORP\\alice", "CORP\\carol"] },
                        { "name": "busy", "anonymous": true, "open_files": true },
                        { "name": "locked", "anonymous": true, "device_in_use": true,
                          "open_files": false } ] },
          { "name": "deadserver", "connect_error": 1203, "shares": [ { "name": "x" } ] } ] }"#;
        match Fixture::parse(text) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        }
    }

    fn req(local: &str, remote: &str, user: Option<&str>, password: Option<&str>) -> AddRequest {
        AddRequest {
            resource_type: 1,
            local: Some(local.to_owned()),
            remote: Some(remote.to_owned()),
            password: password.map(str::to_owned),
            user: user.map(str::to_owned),
        }
    }

    #[test]
    fn anonymous_connect_defines_the_redirector_device() {
        let (mut h, f) = (FakeHost::default(), fixture());
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("m:", r"\\fileserver\public\docs", None, None)
            ),
            0
        );
        assert_eq!(
            h.devices.get("M:").map(String::as_str),
            Some(r"\Device\LanmanRedirector\;M:0000000000000000\fileserver\public\docs")
        );
        assert_eq!(
            h.sessions.get(&'M'),
            Some(&Session {
                server: "fileserver".into(),
                user: String::new()
            })
        );
        assert_eq!(
            get_connection(&h, "M:"),
            Ok(r"\\fileserver\public\docs".to_owned())
        );
        assert_eq!(get_connection(&h, "N:"), Err(2250));
        // Taken letter, even by a non-network device.
        assert_eq!(
            add_connection(&mut h, &f, &req("M:", r"\\fileserver\public", None, None)),
            85
        );
        h.devices
            .insert("C:".into(), r"\Device\HarddiskVolume1".into());
        assert_eq!(
            add_connection(&mut h, &f, &req("C:", r"\\fileserver\public", None, None)),
            85
        );
        assert_eq!(get_connection(&h, "C:"), Err(2250));
        assert_eq!(
            connections(&h).iter().map(|c| c.letter).collect::<String>(),
            "M"
        );
    }

    #[test]
    fn luid_is_formatted_into_the_target() {
        let (mut h, f) = (
            FakeHost {
                luid: 0x3e7a1,
                ..FakeHost::default()
            },
            fixture(),
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("Q:", r"\\fileserver.corp.example\public", None, None)
            ),
            0
        );
        assert_eq!(
            h.devices.get("Q:").map(String::as_str),
            Some(r"\Device\LanmanRedirector\;Q:000000000003e7a1\fileserver.corp.example\public")
        );
    }

    #[test]
    fn argument_errors() {
        let (mut h, f) = (FakeHost::default(), fixture());
        let mut r = req("M:", r"\\fileserver\public", None, None);
        r.remote = None;
        assert_eq!(add_connection(&mut h, &f, &r), 67);
        assert_eq!(
            add_connection(&mut h, &f, &req("M:", "fileserver", None, None)),
            67
        );
        assert_eq!(
            add_connection(&mut h, &f, &req("M", r"\\fileserver\public", None, None)),
            1200
        );
        let mut r = req("M:", r"\\fileserver\public", None, None);
        r.resource_type = RESOURCETYPE_PRINT;
        assert_eq!(add_connection(&mut h, &f, &r), 66);
        assert_eq!(
            add_connection(&mut h, &f, &req("M:", r"\\nowhere\public", None, None)),
            53
        );
        assert_eq!(
            add_connection(&mut h, &f, &req("M:", r"\\fileserver\nope", None, None)),
            67
        );
        assert_eq!(
            add_connection(&mut h, &f, &req("M:", r"\\deadserver\x", None, None)),
            1203
        );
        assert!(h.devices.is_empty() && h.sessions.is_empty());
    }

    #[test]
    fn deviceless_connection_defines_nothing() {
        let (mut h, f) = (FakeHost::default(), fixture());
        let mut r = req(
            "",
            r"\\fileserver\team",
            Some("CORP\\alice"),
            Some("S3cret!"),
        );
        assert_eq!(add_connection(&mut h, &f, &r), 0);
        r.local = None;
        assert_eq!(add_connection(&mut h, &f, &r), 0);
        assert!(h.devices.is_empty() && h.sessions.is_empty());
        assert_eq!(
            cancel_connection(&mut h, &f, r"\\fileserver\team", true),
            2250
        );
    }

    #[test]
    fn credentials_and_conflicts() {
        let (mut h, f) = (FakeHost::default(), fixture());
        assert_eq!(
            add_connection(&mut h, &f, &req("T:", r"\\fileserver\team", None, None)),
            5
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("T:", r"\\fileserver\team", Some("CORP\\alice"), Some("bad"))
            ),
            86
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("T:", r"\\fileserver\team", Some("CORP\\eve"), Some("x"))
            ),
            1326
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req(
                    "T:",
                    r"\\fileserver\team",
                    Some("CORP\\alice"),
                    Some("S3cret!")
                )
            ),
            0
        );
        assert_eq!(
            h.sessions.get(&'T').map(|s| s.user.as_str()),
            Some("CORP\\alice")
        );
        // Same user again: fine. Other user to the same server name: conflict. Via an alias: fine.
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req(
                    "U:",
                    r"\\FILESERVER\team",
                    Some("corp\\alice"),
                    Some("S3cret!")
                )
            ),
            0
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("V:", r"\\fileserver\team", Some("CORP\\carol"), Some("pw"))
            ),
            1219
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req(
                    "V:",
                    r"\\fileserver.corp.example\team",
                    Some("CORP\\carol"),
                    Some("pw")
                )
            ),
            0
        );
        // A stale session key (device gone) does not conflict.
        h.devices.clear();
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("W:", r"\\fileserver\team", Some("CORP\\carol"), Some("pw"))
            ),
            0
        );
    }

    #[test]
    fn saved_credential_is_read_for_the_server_name_as_written() {
        let (mut h, f) = (FakeHost::default(), fixture());
        h.creds.insert(
            "fileserver".into(),
            SavedCredential {
                user: "CORP\\alice".into(),
                password: "S3cret!".into(),
            },
        );
        assert_eq!(
            add_connection(&mut h, &f, &req("T:", r"\\fileserver\team", None, None)),
            0
        );
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("U:", r"\\fileserver.corp.example\team", None, None)
            ),
            5
        );
        // Explicit user, NULL password: the saved password of that user.
        assert_eq!(
            add_connection(
                &mut h,
                &f,
                &req("V:", r"\\fileserver\team", Some("CORP\\alice"), None)
            ),
            0
        );
    }

    #[test]
    fn cancel() {
        let (mut h, f) = (FakeHost::default(), fixture());
        for (l, share) in [("P:", "public"), ("B:", "busy"), ("L:", "locked")] {
            assert_eq!(
                add_connection(
                    &mut h,
                    &f,
                    &req(l, &format!(r"\\fileserver\{share}"), None, None)
                ),
                0
            );
        }
        assert_eq!(cancel_connection(&mut h, &f, "B:", false), 2401);
        assert_eq!(cancel_connection(&mut h, &f, "L:", false), 2404);
        assert_eq!(cancel_connection(&mut h, &f, "b:", true), 0);
        assert_eq!(cancel_connection(&mut h, &f, "L:", true), 0);
        assert_eq!(cancel_connection(&mut h, &f, "P:", false), 0);
        assert_eq!(cancel_connection(&mut h, &f, "P:", false), 2250);
        assert!(h.devices.is_empty() && h.sessions.is_empty());
        h.devices.insert("Y:".into(), r"\??\C:\windows".into());
        assert_eq!(cancel_connection(&mut h, &f, "Y:", true), 2250);
        assert_eq!(cancel_connection(&mut h, &f, "nonsense", true), 2250);
        // A connection whose share left the fixture is still cancellable.
        assert_eq!(
            add_connection(&mut h, &f, &req("P:", r"\\fileserver\busy", None, None)),
            0
        );
        assert_eq!(
            cancel_connection(&mut h, &Fixture::default(), "P:", false),
            0
        );
    }
}

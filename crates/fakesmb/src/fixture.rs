//! The fixture: which servers, shares and accounts the fake network has.
//!
//! ```json
//! { "servers": [ { "name": "fileserver", "aliases": ["fileserver.corp.example"],
//!     "accounts": [ {"user": "CORP\\alice", "password": "S3cret!"} ],
//!     "connect_error": null,
//!     "shares": [ { "name": "share", "anonymous": false, "users": ["CORP\\alice"],
//!                   "connect_error": null, "open_files": false, "device_in_use": false } ] } ] }
//! ```
//! Every field except the server and share `name` is optional. Unknown fields are ignored.
//! Server, alias, share and user names compare case-insensitively; passwords exactly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::names::eq_ci;

/// Environment variable naming the fixture file (a Windows path when read by the DLL).
pub const FIXTURE_ENV: &str = "FAKESMB_FIXTURE";
/// Fixture path used when [`FIXTURE_ENV`] is not set.
pub const DEFAULT_FIXTURE_PATH: &str = r"C:\fakesmb\fixture.json";

/// `users` entry meaning "any authenticated account".
pub const ANY_USER: &str = "*";

/// The whole fake network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Fixture {
    pub servers: Vec<Server>,
}

/// One SMB server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Server {
    pub name: String,
    /// Other names that reach the same server (FQDN, IP...).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// When set, every connection to this server fails with this Win32 code.
    #[serde(default)]
    pub connect_error: Option<u32>,
    #[serde(default)]
    pub shares: Vec<Share>,
}

/// An account the server accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Account {
    /// As typed by users, e.g. `CORP\alice`.
    pub user: String,
    pub password: String,
}

/// One share of a server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Share {
    pub name: String,
    /// Admits unauthenticated (anonymous/guest) connections.
    #[serde(default)]
    pub anonymous: bool,
    /// Accounts admitted; `"*"` admits every authenticated account.
    #[serde(default)]
    pub users: Vec<String>,
    /// When set, every connection to this share fails with this Win32 code.
    #[serde(default)]
    pub connect_error: Option<u32>,
    /// Cancelling without force fails with `ERROR_OPEN_FILES` (2401).
    #[serde(default)]
    pub open_files: bool,
    /// Cancelling without force fails with `ERROR_DEVICE_IN_USE` (2404).
    #[serde(default)]
    pub device_in_use: bool,
}

impl Fixture {
    /// Parses fixture JSON (a leading UTF-8 byte-order mark is tolerated).
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Reads and parses the fixture at `path`. A missing, unreadable or invalid file is an empty
    /// network (every connection then fails with `ERROR_BAD_NETPATH`), never an error.
    pub fn load_or_empty(path: &Path) -> Self {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| Self::parse(&text).ok())
            .unwrap_or_default()
    }

    /// Loads the fixture named by the environment (see [`fixture_path`]).
    pub fn load_from_env() -> Self {
        Self::load_or_empty(&fixture_path(std::env::var_os(FIXTURE_ENV)))
    }

    /// Finds a server by its name or one of its aliases.
    pub fn server(&self, name: &str) -> Option<&Server> {
        self.servers
            .iter()
            .find(|s| eq_ci(&s.name, name) || s.aliases.iter().any(|a| eq_ci(a, name)))
    }

    /// Finds `\\server\share` (server by name or alias).
    pub fn share(&self, server: &str, share: &str) -> Option<(&Server, &Share)> {
        let srv = self.server(server)?;
        srv.share(share).map(|sh| (srv, sh))
    }
}

impl Server {
    pub fn share(&self, name: &str) -> Option<&Share> {
        self.shares.iter().find(|s| eq_ci(&s.name, name))
    }

    pub fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| eq_ci(&a.user, user))
    }

    /// True when `name` is this server's name or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        eq_ci(&self.name, name) || self.aliases.iter().any(|a| eq_ci(a, name))
    }
}

impl Share {
    /// True when the authenticated account `user` may use this share.
    pub fn admits(&self, user: &str) -> bool {
        self.users.iter().any(|u| u == ANY_USER || eq_ci(u, user))
    }
}

/// The fixture path: the value of [`FIXTURE_ENV`] when set and non-empty, else
/// [`DEFAULT_FIXTURE_PATH`].
pub fn fixture_path(env_value: Option<OsString>) -> PathBuf {
    match env_value {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_FIXTURE_PATH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{ "servers": [ { "name": "fileserver", "aliases": ["fileserver.corp.example"],
        "accounts": [ {"user": "CORP\\alice", "password": "S3cret!"} ],
        "connect_error": null,
        "shares": [ { "name": "share", "anonymous": false, "users": ["CORP\\alice"],
                      "connect_error": null, "open_files": false, "device_in_use": false },
                    { "name": "any", "users": ["*"] } ] },
        { "name": "dead", "connect_error": 1203, "shares": [ { "name": "x" } ] } ] }"#;

    fn sample() -> Fixture {
        match Fixture::parse(SAMPLE) {
            Ok(f) => f,
            Err(e) => panic!("sample fixture must parse: {e}"),
        }
    }

    #[test]
    fn parses_full_and_minimal_entries() {
        let f = sample();
        assert_eq!(f.servers.len(), 2);
        let dead = &f.servers[1];
        assert_eq!(dead.connect_error, Some(1203));
        assert!(dead.aliases.is_empty() && dead.accounts.is_empty());
        let x = &dead.shares[0];
        assert!(!x.anonymous && !x.open_files && !x.device_in_use && x.users.is_empty());
        assert_eq!(x.connect_error, None);
    }

    #[test]
    fn lookups_are_case_insensitive_and_use_aliases() {
        let f = sample();
        assert!(f.server("FILESERVER").is_some());
        assert!(f.server("FileServer.Corp.Example").is_some());
        assert!(f.server("nas").is_none());
        assert!(f.share("fileserver.corp.example", "SHARE").is_some());
        assert!(f.share("fileserver", "nope").is_none());
        let srv = &f.servers[0];
        assert!(srv.account("corp\\ALICE").is_some());
        assert!(srv.account("alice").is_none());
    }

    #[test]
    fn share_admission() {
        let f = sample();
        let srv = &f.servers[0];
        let share = srv.share("share").map(|s| s.admits("corp\\alice"));
        assert_eq!(share, Some(true));
        assert_eq!(
            srv.share("share").map(|s| s.admits("CORP\\bob")),
            Some(false)
        );
        assert_eq!(srv.share("any").map(|s| s.admits("whoever")), Some(true));
    }

    #[test]
    fn bom_empty_and_garbage() {
        let with_bom = format!("\u{feff}{SAMPLE}");
        assert!(Fixture::parse(&with_bom).is_ok());
        assert_eq!(Fixture::parse("{}").ok(), Some(Fixture::default()));
        assert!(Fixture::parse("not json").is_err());
        assert!(Fixture::parse(r#"{"servers":[{"aliases":[]}]}"#).is_err());
    }

    #[test]
    fn load_or_empty_never_fails() {
        let dir = std::env::temp_dir().join(format!("fakesmb-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let missing = dir.join("missing.json");
        assert_eq!(Fixture::load_or_empty(&missing), Fixture::default());
        let bad = dir.join("bad.json");
        let _ = std::fs::write(&bad, "{ nope");
        assert_eq!(Fixture::load_or_empty(&bad), Fixture::default());
        let good = dir.join("good.json");
        let _ = std::fs::write(&good, SAMPLE);
        assert_eq!(Fixture::load_or_empty(&good), sample());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn path_from_env() {
        assert_eq!(fixture_path(None), PathBuf::from(DEFAULT_FIXTURE_PATH));
        assert_eq!(
            fixture_path(Some(OsString::new())),
            PathBuf::from(DEFAULT_FIXTURE_PATH)
        );
        assert_eq!(
            fixture_path(Some(OsString::from(r"D:\t\f.json"))),
            PathBuf::from(r"D:\t\f.json")
        );
    }
}

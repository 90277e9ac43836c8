//! The connect decision of the fake redirector: which server/share, which identity, and whether
//! it may connect. Pure functions over the [`Fixture`]; the Win32 side only supplies facts.

use crate::codes;
use crate::fixture::{Fixture, Server, Share};
use crate::names::{Unc, eq_ci};

/// A `CRED_TYPE_DOMAIN_PASSWORD` credential saved for a server in Credential Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCredential {
    pub user: String,
    pub password: String,
}

/// Who a connection is authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Anonymous,
    /// The fixture's spelling of the account (e.g. `CORP\alice`).
    User(String),
}

impl Identity {
    /// The user name recorded for a session; `""` for anonymous.
    pub fn user_name(&self) -> &str {
        match self {
            Identity::Anonymous => "",
            Identity::User(u) => u,
        }
    }
}

/// Step 1: find the server and share, applying their `connect_error`s.
/// Unknown server → `ERROR_BAD_NETPATH` (53); unknown share → `ERROR_BAD_NET_NAME` (67).
pub fn resolve<'f>(fixture: &'f Fixture, unc: &Unc) -> Result<(&'f Server, &'f Share), u32> {
    let server = fixture.server(&unc.server).ok_or(codes::BAD_NETPATH)?;
    if let Some(err) = server.connect_error {
        return Err(err);
    }
    let share = server.share(&unc.share).ok_or(codes::BAD_NET_NAME)?;
    if let Some(err) = share.connect_error {
        return Err(err);
    }
    Ok((server, share))
}

/// Step 3: authenticate against `server` and check admission to `share`.
///
/// - `user` = `lpUserName` when non-NULL and non-empty: that account, with `password`
///   (`lpPassword`; `None` = NULL = "default password", i.e. the password of `saved` when its user
///   is the same account, else `""`).
/// - otherwise `saved` (the Credential Manager entry for the server name as written), if any.
/// - otherwise anonymous, admitted only to `anonymous` shares.
///
/// Unknown account → `ERROR_LOGON_FAILURE` (1326); wrong password → `ERROR_INVALID_PASSWORD` (86);
/// not admitted → `ERROR_ACCESS_DENIED` (5).
pub fn authenticate(
    server: &Server,
    share: &Share,
    user: Option<&str>,
    password: Option<&str>,
    saved: Option<&SavedCredential>,
) -> Result<Identity, u32> {
    let (name, pass) = match (user.filter(|u| !u.is_empty()), saved) {
        (Some(u), _) => {
            let pass = match password {
                Some(p) => p,
                None => saved
                    .filter(|c| eq_ci(&c.user, u))
                    .map_or("", |c| c.password.as_str()),
            };
            (u, pass)
        }
        (None, Some(cred)) => (cred.user.as_str(), cred.password.as_str()),
        (None, None) => {
            return if share.anonymous {
                Ok(Identity::Anonymous)
            } else {
                Err(codes::ACCESS_DENIED)
            };
        }
    };
    let account = server.account(name).ok_or(codes::LOGON_FAILURE)?;
    if account.password != pass {
        return Err(codes::INVALID_PASSWORD);
    }
    if !share.admits(&account.user) {
        return Err(codes::ACCESS_DENIED);
    }
    Ok(Identity::User(account.user.clone()))
}

/// A live connection of this provider: the server as written and the user it authenticated as
/// (`""` = anonymous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub server: String,
    pub user: String,
}

/// Step 4: with an explicit user, another live connection to the same server name made as a
/// different user is `ERROR_SESSION_CREDENTIAL_CONFLICT` (1219). Like SMB, sessions are keyed by
/// the server name as written, so an alias (FQDN/IP) of the same server does not conflict.
pub fn check_conflict(
    server_as_written: &str,
    identity: &Identity,
    explicit_user: bool,
    live: &[Session],
) -> Result<(), u32> {
    if !explicit_user {
        return Ok(());
    }
    let conflict = live
        .iter()
        .any(|s| eq_ci(&s.server, server_as_written) && !eq_ci(&s.user, identity.user_name()));
    if conflict {
        Err(codes::SESSION_CREDENTIAL_CONFLICT)
    } else {
        Ok(())
    }
}

/// Decodes a `DOMAIN_PASSWORD` credential blob (UTF-16LE, normally without terminator; a
/// trailing NUL and an odd last byte are dropped).
pub fn decode_password_blob(blob: &[u8]) -> String {
    let units: Vec<u16> = blob
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Fixture {
        let text = r#"{ "servers": [
          { "name": "fileserver", "aliases": ["fileserver.corp.example"],
            "accounts": [ {"user": "CORP\\alice", "password": "S3cret!"},
                          {"user": "CORP\\carol", "password": "pw"} ],
            "shares": [ { "name": "public", "anonymous": true },
                        { "name": "team", "users": ["CORP\\alice"] },
                        { "name": "all", "users": ["*"] },
                        { "name": "conflict", "users": ["*"], "connect_error": 1219 } ] },
          { "name": "deadserver", "connect_error": 1203, "shares": [ { "name": "x" } ] } ] }"#;
        match Fixture::parse(text) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        }
    }

    fn unc(s: &str) -> Unc {
        Unc::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    fn auth(
        share: &str,
        user: Option<&str>,
        pw: Option<&str>,
        saved: Option<&SavedCredential>,
    ) -> Result<Identity, u32> {
        let f = fixture();
        let (srv, sh) = resolve(&f, &unc(&format!(r"\\fileserver\{share}")))?;
        authenticate(srv, sh, user, pw, saved)
    }

    fn cred(user: &str, password: &str) -> SavedCredential {
        SavedCredential {
            user: user.into(),
            password: password.into(),
        }
    }

    #[test]
    fn resolve_errors() {
        let f = fixture();
        let r = |s: &str| resolve(&f, &unc(s)).map(|(srv, sh)| (srv.name.clone(), sh.name.clone()));
        assert_eq!(r(r"\\nowhere\x"), Err(53));
        assert_eq!(r(r"\\fileserver\nope"), Err(67));
        assert_eq!(r(r"\\deadserver\x"), Err(1203));
        assert_eq!(r(r"\\deadserver\nope"), Err(1203));
        assert_eq!(r(r"\\fileserver\conflict"), Err(1219));
        assert_eq!(
            r(r"\\FILESERVER.corp.example\Team\sub"),
            Ok(("fileserver".into(), "team".into()))
        );
    }

    #[test]
    fn explicit_user() {
        let alice = Ok(Identity::User("CORP\\alice".into()));
        assert_eq!(
            auth("team", Some("corp\\ALICE"), Some("S3cret!"), None),
            alice
        );
        assert_eq!(
            auth("team", Some("CORP\\alice"), Some("s3cret!"), None),
            Err(86)
        );
        assert_eq!(auth("team", Some("CORP\\alice"), Some(""), None), Err(86));
        assert_eq!(auth("team", Some("CORP\\alice"), None, None), Err(86));
        assert_eq!(
            auth("team", Some("CORP\\mallory"), Some("x"), None),
            Err(1326)
        );
        assert_eq!(auth("team", Some("CORP\\carol"), Some("pw"), None), Err(5));
        assert_eq!(
            auth("all", Some("CORP\\carol"), Some("pw"), None),
            Ok(Identity::User("CORP\\carol".into()))
        );
        // Strict reading: an anonymous share does not admit an authenticated user it does not list.
        assert_eq!(
            auth("public", Some("CORP\\alice"), Some("S3cret!"), None),
            Err(5)
        );
    }

    #[test]
    fn explicit_user_with_default_password_uses_matching_saved_credential() {
        let saved = cred("CORP\\Alice", "S3cret!");
        assert_eq!(
            auth("team", Some("CORP\\alice"), None, Some(&saved)),
            Ok(Identity::User("CORP\\alice".into()))
        );
        // An explicit password wins over the saved one.
        assert_eq!(
            auth("team", Some("CORP\\alice"), Some("bad"), Some(&saved)),
            Err(86)
        );
        // A saved credential of another user is not used for the password.
        let other = cred("CORP\\carol", "S3cret!");
        assert_eq!(
            auth("team", Some("CORP\\alice"), None, Some(&other)),
            Err(86)
        );
    }

    #[test]
    fn saved_credential_and_anonymous() {
        assert_eq!(
            auth("team", None, None, Some(&cred("CORP\\alice", "S3cret!"))),
            Ok(Identity::User("CORP\\alice".into()))
        );
        assert_eq!(
            auth(
                "team",
                Some(""),
                None,
                Some(&cred("CORP\\alice", "S3cret!"))
            ),
            Ok(Identity::User("CORP\\alice".into()))
        );
        assert_eq!(
            auth(
                "team",
                None,
                Some("ignored"),
                Some(&cred("CORP\\alice", "wrong"))
            ),
            Err(86)
        );
        assert_eq!(
            auth("team", None, None, Some(&cred("CORP\\nobody", "x"))),
            Err(1326)
        );
        assert_eq!(auth("team", None, None, None), Err(5));
        assert_eq!(auth("public", None, None, None), Ok(Identity::Anonymous));
        assert_eq!(
            auth("public", Some(""), Some(""), None),
            Ok(Identity::Anonymous)
        );
    }

    #[test]
    fn conflicts() {
        let alice = Identity::User("CORP\\alice".into());
        let live = [Session {
            server: "fileserver".into(),
            user: "CORP\\carol".into(),
        }];
        assert_eq!(check_conflict("FileServer", &alice, true, &live), Err(1219));
        assert_eq!(check_conflict("fileserver", &alice, false, &live), Ok(()));
        assert_eq!(
            check_conflict("fileserver.corp.example", &alice, true, &live),
            Ok(())
        );
        let same = [Session {
            server: "fileserver".into(),
            user: "corp\\ALICE".into(),
        }];
        assert_eq!(check_conflict("fileserver", &alice, true, &same), Ok(()));
        let anon = [Session {
            server: "fileserver".into(),
            user: String::new(),
        }];
        assert_eq!(check_conflict("fileserver", &alice, true, &anon), Err(1219));
        assert_eq!(check_conflict("fileserver", &alice, true, &[]), Ok(()));
    }

    #[test]
    fn password_blob() {
        let blob: Vec<u8> = "S3cret!"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode_password_blob(&blob), "S3cret!");
        let mut with_nul = blob.clone();
        with_nul.extend_from_slice(&[0, 0]);
        assert_eq!(decode_password_blob(&with_nul), "S3cret!");
        let mut odd = blob;
        odd.push(0x41);
        assert_eq!(decode_password_blob(&odd), "S3cret!");
        assert_eq!(decode_password_blob(&[]), "");
    }
}

//! Edge cases of the model: every error code a mapping tool has to handle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zeroize::Zeroizing;

use super::*;
use mapdrive_core::domain::{CredentialKind, Persistence, Secret};
use mapdrive_core::port::{CredentialWrite, Port, SecretWrite, TokenChoice};

use crate::fixture::{self, ALICE, BOB, BOB_PW, SVC, SVC_PW};

fn l(s: &str) -> DriveLetter {
    s.parse().unwrap()
}

fn unc(s: &str) -> RemotePath {
    s.parse().unwrap()
}

fn secret(s: &str) -> Secret {
    Secret::new(Zeroizing::new(s.to_string())).unwrap()
}

fn as_user(m: &mut Machine, user: &str) -> Luid {
    let luid = m.logon(user, LogonKind::Interactive).unwrap();
    m.run_in(luid).unwrap();
    luid
}

fn map(m: &mut Machine, letter: &str, remote: &str) -> Result<(), u32> {
    m.add_connection(l(letter), &unc(remote), None, None, false)
        .map_err(|e| e.code)
}

fn map_as(m: &mut Machine, letter: &str, remote: &str, user: &str, pw: &str) -> Result<(), u32> {
    m.add_connection(
        l(letter),
        &unc(remote),
        Some(user),
        Some(&secret(pw)),
        false,
    )
    .map_err(|e| e.code)
}

#[test]
fn letter_in_use_is_85_and_changes_nothing() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    map(&mut m, "Z:", r"\\fileserver\team").unwrap();
    let before = m.writes();
    assert_eq!(map(&mut m, "Z:", r"\\fileserver\public"), Err(85));
    assert_eq!(m.writes(), before);
    assert_eq!(m.connected().unwrap()[0].remote, r"\\fileserver\team");
    // A volume cannot be redirected either.
    assert_eq!(map(&mut m, "C:", r"\\fileserver\team"), Err(85));
}

#[test]
fn system_gets_85_for_any_global_name() {
    let mut m = fixture::corp();
    m.run_as_system();
    map(&mut m, "G:", r"\\fileserver\public").unwrap();
    assert_eq!(map(&mut m, "G:", r"\\fileserver\public"), Err(85));
    assert_eq!(map(&mut m, "C:", r"\\fileserver\public"), Err(85));
}

#[test]
fn unknown_server_is_53_unknown_share_is_67() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    assert_eq!(map(&mut m, "Z:", r"\\nosuchhost\team"), Err(53));
    assert_eq!(map(&mut m, "Z:", r"\\fileserver\nosuchshare"), Err(67));
    assert!(m.connected().unwrap().is_empty());
    assert_eq!(m.writes(), 0);
}

#[test]
fn share_refusing_the_account_is_5() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    assert_eq!(map(&mut m, "Z:", r"\\fileserver\svc"), Err(5));
}

#[test]
fn explicit_credentials_unknown_user_1326_wrong_password_86() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    assert_eq!(
        map_as(&mut m, "Z:", r"\\fileserver\svc", r"FILESERVER\nobody", "x"),
        Err(1326)
    );
    assert_eq!(
        map_as(&mut m, "Z:", r"\\fileserver\svc", SVC, "wrong"),
        Err(86)
    );
    map_as(&mut m, "Z:", r"\\fileserver\svc", SVC, SVC_PW).unwrap();
}

#[test]
fn explicit_user_with_null_password_sends_a_blank_one() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    let r = m.add_connection(l("Z:"), &unc(r"\\fileserver\svc"), Some(SVC), None, false);
    assert_eq!(r.map_err(|e| e.code), Err(86));
}

#[test]
fn second_user_to_the_same_server_is_1219_an_alias_is_another_server() {
    let mut m = fixture::corp();
    m.add_server_alias("fileserver", "10.0.0.5");
    as_user(&mut m, BOB);
    map(&mut m, "Y:", r"\\fileserver\team").unwrap();
    assert_eq!(
        map_as(&mut m, "Z:", r"\\fileserver\svc", SVC, SVC_PW),
        Err(1219)
    );
    map_as(&mut m, "Z:", r"\\10.0.0.5\svc", SVC, SVC_PW).unwrap();
    // The same user again is fine, and a connection without credentials reuses the session.
    map_as(&mut m, "X:", r"\\fileserver\team", BOB, BOB_PW).unwrap();
    map(&mut m, "W:", r"\\10.0.0.5\svc").unwrap();
    assert_eq!(
        m.access(l("W:")).unwrap(),
        Access::Share {
            remote: r"\\10.0.0.5\svc".into(),
            account: Some(SVC.into())
        }
    );
}

#[test]
fn cancelling_what_is_not_connected_is_2250_unless_forgetting_a_remembered_entry() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    assert_eq!(
        m.cancel_connection(l("Z:"), false, false).unwrap_err().code,
        2250
    );
    assert_eq!(
        m.cancel_connection(l("Z:"), true, false).unwrap_err().code,
        2250
    );
    m.add_connection(l("Z:"), &unc(r"\\fileserver\team"), None, None, true)
        .unwrap();
    m.cancel_connection(l("Z:"), false, false).unwrap();
    assert_eq!(
        m.remembered().unwrap().len(),
        1,
        "cancel without forget keeps the profile entry"
    );
    assert_eq!(
        m.cancel_connection(l("Z:"), false, false).unwrap_err().code,
        2250
    );
    m.cancel_connection(l("Z:"), true, false).unwrap();
    assert!(m.remembered().unwrap().is_empty());
}

#[test]
fn open_files_need_force_2401() {
    let mut m = fixture::corp();
    m.set_open_files("fileserver", "team", true);
    as_user(&mut m, BOB);
    map(&mut m, "Z:", r"\\fileserver\team").unwrap();
    let before = m.writes();
    assert_eq!(
        m.cancel_connection(l("Z:"), true, false).unwrap_err().code,
        2401
    );
    assert_eq!(m.writes(), before);
    assert_eq!(m.connected().unwrap().len(), 1);
    m.cancel_connection(l("Z:"), true, true).unwrap();
    assert!(m.connected().unwrap().is_empty());
    assert_eq!(m.dos_device(l("Z:")).unwrap(), None);
}

#[test]
fn remembering_a_letter_for_another_path_is_1202() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    m.add_connection(l("Z:"), &unc(r"\\fileserver\team"), None, None, true)
        .unwrap();
    m.cancel_connection(l("Z:"), false, false).unwrap();
    let r = m.add_connection(l("Z:"), &unc(r"\\fileserver\public"), None, None, true);
    assert_eq!(r.unwrap_err().code, 1202);
    // Same path (other case): fine.
    m.add_connection(l("Z:"), &unc(r"\\FILESERVER\Team"), None, None, true)
        .unwrap();
}

#[test]
fn webdav_paths_have_no_provider_1203() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    assert_eq!(map(&mut m, "Z:", r"\\fileserver@SSL\team"), Err(1203));
}

#[test]
fn linked_token_from_limited_is_1346_from_default_is_1312() {
    let mut m = fixture::corp();
    as_user(&mut m, ALICE);
    assert_eq!(m.use_token(TokenChoice::Linked).unwrap_err().code, 1346);
    as_user(&mut m, BOB);
    assert_eq!(m.use_token(TokenChoice::Linked).unwrap_err().code, 1312);
    m.use_token(TokenChoice::Current).unwrap();
}

#[test]
fn linked_token_from_full_impersonates_the_limited_half_until_reverted() {
    let mut m = fixture::corp();
    let limited = as_user(&mut m, ALICE);
    m.elevate().unwrap();
    let full = m.identity().unwrap().logon_id;
    m.use_token(TokenChoice::Linked).unwrap();
    let id = m.identity().unwrap();
    assert_eq!((id.logon_id, id.elevation), (limited, Elevation::Limited));
    m.use_token(TokenChoice::Current).unwrap();
    assert_eq!(m.identity().unwrap().logon_id, full);
}

#[test]
fn everything_fails_with_1312_once_the_process_session_is_gone() {
    let mut m = fixture::corp();
    let luid = as_user(&mut m, BOB);
    m.logoff(luid).unwrap();
    assert_eq!(m.identity().unwrap_err().code, 1312);
    assert_eq!(m.connected().unwrap_err().code, 1312);
    assert_eq!(map(&mut m, "Z:", r"\\fileserver\team"), Err(1312));
    assert_eq!(m.run_in(luid).unwrap_err().code, 1312);
    assert_eq!(m.logoff(luid).unwrap_err().code, 1312);
    assert_eq!(m.logoff(Luid::SYSTEM).unwrap_err().code, 5);
}

#[test]
fn unknown_users_cannot_log_on() {
    let mut m = fixture::corp();
    assert_eq!(
        m.logon(r"CORP\nobody", LogonKind::Interactive)
            .unwrap_err()
            .code,
        1326
    );
    assert_eq!(
        m.logon(SYSTEM_USER, LogonKind::Service).unwrap_err().code,
        1326
    );
}

#[test]
fn hklm_writes_need_an_elevated_token() {
    let mut m = fixture::corp();
    as_user(&mut m, ALICE);
    assert_eq!(m.set_linked_connections(Some(true)).unwrap_err().code, 5);
    assert_eq!(m.set_boot_device("Z:", "x").unwrap_err().code, 5);
    m.elevate().unwrap();
    m.set_linked_connections(Some(true)).unwrap();
    m.set_boot_device("Z:", "x").unwrap();
    as_user(&mut m, BOB);
    assert_eq!(m.remove_boot_device("Z:").unwrap_err().code, 5);
    m.run_as_system();
    m.remove_boot_device("Z:").unwrap();
    assert!(m.boot_devices().unwrap().is_empty());
}

#[test]
fn credential_errors_1168_and_preserve() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    let kind = CredentialKind::GenericPassword;
    assert_eq!(m.delete_credential("app", kind).unwrap_err().code, 1168);
    assert_eq!(
        m.credential_secret_equals("app", kind, &secret("x"))
            .unwrap_err()
            .code,
        1168
    );
    let mut w = CredentialWrite {
        target: "app",
        kind,
        user_name: "u",
        persistence: Persistence::Local,
        alias: None,
        comment: Some("c"),
        secret: SecretWrite::Preserve,
    };
    assert_eq!(m.write_credential(&w).unwrap_err().code, 1168);
    let s = secret("s1");
    w.secret = SecretWrite::Set(&s);
    m.write_credential(&w).unwrap();
    w.secret = SecretWrite::Preserve;
    w.user_name = "u2";
    m.write_credential(&w).unwrap();
    assert_eq!(
        m.credential_secret_equals("APP", kind, &secret("s1"))
            .unwrap(),
        Some(true)
    );
    assert_eq!(m.credentials().unwrap()[0].user_name.as_deref(), Some("u2"));
    w.secret = SecretWrite::Empty;
    m.write_credential(&w).unwrap();
    assert_eq!(
        m.credential_secret_equals("app", kind, &secret(""))
            .unwrap(),
        Some(true)
    );
    m.delete_credential("app", kind).unwrap();
    assert!(m.credentials().unwrap().is_empty());
}

#[test]
fn saved_credential_is_matched_exactly_then_by_suffix_then_star() {
    let mut m = fixture::corp();
    m.add_server_alias("fileserver", "fileserver.corp.example");
    as_user(&mut m, BOB);
    let pw = secret(SVC_PW);
    let write = |m: &mut Machine, target: &str| {
        m.write_credential(&CredentialWrite {
            target,
            kind: CredentialKind::DomainPassword,
            user_name: SVC,
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            secret: SecretWrite::Set(&pw),
        })
        .unwrap();
    };
    write(&mut m, "*.corp.example");
    map(&mut m, "Z:", r"\\fileserver.corp.example\svc").unwrap();
    // The NetBIOS name does not match the DNS wildcard: Bob's own account is used.
    assert_eq!(map(&mut m, "Y:", r"\\fileserver\svc"), Err(5));
    write(&mut m, "*");
    map(&mut m, "Y:", r"\\fileserver\svc").unwrap();
}

#[test]
fn a_wrong_saved_credential_fails_instead_of_falling_back() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    let pw = secret("stale");
    m.write_credential(&CredentialWrite {
        target: "fileserver",
        kind: CredentialKind::DomainPassword,
        user_name: SVC,
        persistence: Persistence::Local,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&pw),
    })
    .unwrap();
    assert_eq!(map(&mut m, "Z:", r"\\fileserver\public"), Err(86));
}

#[test]
fn writes_count_successful_actions_only() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    m.forget(l("Z:")).unwrap();
    m.set_label(&unc(r"\\fileserver\team"), None).unwrap();
    assert_eq!(m.writes(), 0, "deleting what is not there writes nothing");
    m.set_label(&unc(r"\\fileserver\team"), Some("Team"))
        .unwrap();
    assert_eq!(
        m.label(&unc(r"\\FILESERVER\team")).unwrap().as_deref(),
        Some("Team")
    );
    map(&mut m, "Z:", r"\\fileserver\team").unwrap();
    m.use_token(TokenChoice::Current).unwrap();
    assert_eq!(m.writes(), 2);
    assert_eq!(m.set_remembered_user_name(l("Z:"), "").unwrap_err().code, 2);
    assert_eq!(m.writes(), 2);
}

#[test]
fn luids_follow_the_article_and_the_redirector_form() {
    let mut m = fixture::corp();
    let limited = m.logon(ALICE, LogonKind::Interactive).unwrap();
    assert_eq!(limited, Luid(0xbd3f6));
    assert_eq!(m.linked(limited), Some(Luid(0xbd3c0)));
    m.run_in(limited).unwrap();
    map(&mut m, "M:", r"\\fileserver\team").unwrap();
    assert_eq!(
        m.dos_device(l("M:")).unwrap().as_deref(),
        Some(r"\Device\LanmanRedirector\;M:00000000000bd3f6\fileserver\team")
    );
}

#[test]
fn restore_skips_unknown_providers_and_bad_paths() {
    let mut m = fixture::corp();
    as_user(&mut m, BOB);
    for (letter, remote, provider) in [
        ("X:", r"\\fileserver\team", "Web Client Network"),
        ("Y:", r"not a path", LANMAN_PROVIDER),
    ] {
        m.remember(&Remembered {
            letter: l(letter),
            remote: remote.into(),
            provider: provider.into(),
            provider_type: None,
            user_name: None,
        })
        .unwrap();
    }
    let luid = m.logon(BOB, LogonKind::Interactive).unwrap();
    let codes: Vec<u32> = m
        .restore_events()
        .iter()
        .filter_map(|e| match e {
            LogonEvent::RestoreFailure { logon_id, code, .. } if *logon_id == luid => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(codes, vec![1204, 67]);
}

#[test]
fn session_credentials_shadow_persisted_ones_and_die_with_their_session() {
    let mut m = fixture::corp();
    let first = as_user(&mut m, BOB);
    let a = secret("a");
    let b = secret("b");
    let mut w = CredentialWrite {
        target: "app",
        kind: CredentialKind::GenericPassword,
        user_name: "u",
        persistence: Persistence::Local,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&a),
    };
    m.write_credential(&w).unwrap();
    let second = as_user(&mut m, BOB);
    w.persistence = Persistence::Session;
    w.secret = SecretWrite::Set(&b);
    m.write_credential(&w).unwrap();
    assert_eq!(m.credentials().unwrap().len(), 1);
    assert_eq!(
        m.credentials().unwrap()[0].persistence,
        Persistence::Session
    );
    m.run_in(first).unwrap();
    assert!(
        m.credentials().unwrap().is_empty(),
        "the persisted entry was replaced"
    );
    m.logoff(second).unwrap();
    assert!(m.credentials().unwrap().is_empty());
}

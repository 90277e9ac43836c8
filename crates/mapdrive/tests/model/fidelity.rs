//! Issue 8 ("Windows fidelity"): behaviour Wine cannot show because it has one logon session,
//! one user and no policy. Each test fails without the fix it is named after.

use mapdrive_core::doctor::{diagnose, diagnose_in, whoami};
use mapdrive_core::domain::{CredentialKind, Elevation, Persistence, owner_mismatch};
use mapdrive_core::port::{CredentialWrite, Port, SecretWrite, TokenChoice};
use mapdrive_model::{LogonKind, Machine};

use crate::cli::{ALICE, BOB, SVC_PW, host, logon, mapdrive, mapdrive_stdin, ok};
use crate::support::{l, secret, unc};

fn codes(m: &mut Machine) -> Vec<&'static str> {
    diagnose(m, None)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

// ---------------------------------------------------------------- over the shoulder

/// Bob (standard user) is at the console and types Alice's administrator password at the UAC
/// prompt. The elevated token and its linked limited token are both Alice's: `--session auto`
/// would map into Alice's limited session and write Alice's HKCU\Network, which Bob's
/// Explorer never shows. The port reports both accounts; the check names them.
#[test]
fn over_the_shoulder_elevation_is_detected() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.elevate_as(ALICE).unwrap();
    let id = m.identity().unwrap();
    assert_eq!((id.user.as_str(), id.elevation), (ALICE, Elevation::Full));
    let users = m.session_users().unwrap();
    assert_eq!(users.linked.as_ref().map(|a| a.user.as_str()), Some(ALICE));
    assert_eq!(
        users.interactive.as_ref().map(|a| a.user.as_str()),
        Some(BOB)
    );

    let mismatch = owner_mismatch(&id, &users, true).expect("auto acts for Alice");
    assert_eq!(
        (mismatch.acting.as_str(), mismatch.desktop.as_str()),
        (ALICE, BOB)
    );
    assert!(
        mismatch.message.contains("over the shoulder"),
        "{mismatch:?}"
    );
    assert!(mismatch.remedy.contains(BOB), "{mismatch:?}");
    assert!(
        owner_mismatch(&id, &users, false).is_some(),
        "--session current too"
    );

    // The engine refuses to change Alice's session from Bob's desktop (auto, limited, both), and
    // --check says the same; nothing is written.
    let before = m.writes();
    for session in ["auto", "limited", "both"] {
        for check in [false, true] {
            let mut args = vec!["map", "P:", r"\\fileserver\public", "--session", session];
            if check {
                args.push("--check");
            }
            let r = mapdrive(&mut m, &args);
            assert_eq!(r.code, 3, "{args:?}: {r:?}");
            assert!(r.stderr.contains("over the shoulder"), "{}", r.stderr);
        }
    }
    assert_eq!(m.writes(), before);
    // `cred set` follows the same choice.
    let r = mapdrive(&mut m, &["cred", "set", "nas", "--user", r"NAS\bob"]);
    assert_eq!(r.code, 3, "{r:?}");
    // --session current maps deliberately for Alice (in her elevated session), with a warning;
    // what the refusal prevents is the silent case: Alice's profile gets the drive, not Bob's.
    let r = mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--session", "current"],
    );
    ok(&r);
    assert!(
        r.stderr.contains("not as this desktop's user"),
        "{}",
        r.stderr
    );
    assert_eq!(
        crate::support::connected(&m),
        ["P:"],
        "in Alice's elevated session"
    );
    // Reads only warn.
    let r = mapdrive(&mut m, &["list"]);
    ok(&r);
    assert!(r.stderr.contains(BOB), "{}", r.stderr);

    // whoami and the doctor say so.
    let w = whoami(&mut m).unwrap();
    assert_eq!(
        w.owner_mismatch.as_ref().map(|x| x.desktop.as_str()),
        Some(BOB)
    );
    let r = mapdrive(&mut m, &["whoami"]);
    assert!(
        r.stdout
            .contains(&format!("Desktop user:             {BOB}")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("over the shoulder"), "{}", r.stderr);
    assert!(codes(&mut m).contains(&"MD014"));
    insta::assert_snapshot!(mapdrive(&mut m, &["doctor"]).stdout);
}

/// Windows 11 Administrator protection: the elevated token is a separate shadow account.
#[test]
fn administrator_protection_shadow_account_is_detected() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate_with_administrator_protection().unwrap();
    let id = m.identity().unwrap();
    assert!(id.user.ends_with("ADMIN_alice"), "{id:?}");
    let users = m.session_users().unwrap();
    assert_eq!(
        users.interactive.as_ref().map(|a| a.user.as_str()),
        Some(ALICE)
    );
    let mismatch = owner_mismatch(&id, &users, false).expect("the shadow account is not Alice");
    assert!(
        mismatch.message.contains("Administrator protection"),
        "{mismatch:?}"
    );
    assert!(codes(&mut m).contains(&"MD014"));
}

/// The usual cases stay quiet: an administrator elevating herself, a standard user, WinRM
/// (session 0 has no desktop user) and SYSTEM.
#[test]
fn own_elevation_winrm_and_system_are_not_flagged() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let (id, users) = (m.identity().unwrap(), m.session_users().unwrap());
    assert_eq!(users.linked.as_ref().map(|a| a.user.as_str()), Some(ALICE));
    assert_eq!(owner_mismatch(&id, &users, true), None);
    assert_eq!(owner_mismatch(&id, &users, false), None);
    assert!(!codes(&mut m).contains(&"MD014"));

    logon(&mut m, BOB, LogonKind::Interactive);
    let (id, users) = (m.identity().unwrap(), m.session_users().unwrap());
    assert_eq!(users.linked, None);
    assert_eq!(owner_mismatch(&id, &users, false), None);

    logon(&mut m, ALICE, LogonKind::Network);
    assert_eq!(m.session_users().unwrap().interactive, None);
    m.run_as_system();
    assert_eq!(m.session_users().unwrap().interactive, None);
}

// ---------------------------------------------------------------- CredGetSessionTypes

/// A network logon has no credential set: CredGetSessionTypes fails with 1312, and whoami says
/// so from the answer, not from the logon type.
#[test]
fn network_logon_has_no_credential_types() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Network);
    assert_eq!(m.credential_caps().map_err(|e| e.code), Err(1312));
    let r = mapdrive(&mut m, &["whoami"]);
    assert!(
        r.stdout
            .contains("none: this logon session has no credential set (CredGetSessionTypes: 1312)"),
        "{}",
        r.stdout
    );
}

/// DisableDomainCreds caps domain credentials in an interactive logon, which the logon type
/// alone would call "available". `cred set --persistence local` is refused (exit 3, naming the
/// cap) before anything is written; session persistence works.
#[test]
fn policy_cap_is_reported_and_refused_before_writing() {
    let mut m = host();
    m.set_disable_domain_creds(true);
    logon(&mut m, BOB, LogonKind::Interactive);
    let caps = m.credential_caps().unwrap();
    assert_eq!(
        caps.max(CredentialKind::DomainPassword),
        Some(Persistence::Session)
    );
    assert_eq!(
        caps.max(CredentialKind::GenericPassword),
        Some(Persistence::Enterprise)
    );

    let writes = m.writes();
    let r = mapdrive_stdin(
        &mut m,
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        "B0b-Pa55!\n",
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("only up to persistence session"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--persistence session"), "{}", r.stderr);
    assert!(!r.stderr.contains("network logon"), "{}", r.stderr);
    assert!(!r.stdout.contains("B0b") && !r.stderr.contains("B0b"));
    assert_eq!(m.writes(), writes, "nothing written");

    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\bob",
            "--secret-stdin",
            "--persistence",
            "session",
        ],
        "B0b-Pa55!\n",
    );
    assert_eq!(r.code, 0, "{r:?}");

    let r = mapdrive(&mut m, &["whoami"]);
    assert!(
        r.stdout.contains("domain_password up to session"),
        "{}",
        r.stdout
    );
    let d = diagnose(&mut m, None).unwrap();
    assert!(
        d.findings.iter().any(|f| f.code == "MD015"),
        "{:?}",
        d.findings
    );

    // A type disabled outright.
    m.set_credential_persistence_cap(CredentialKind::GenericPassword, None);
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "app",
            "--type",
            "generic_password",
            "--user",
            "u",
            "--secret-stdin",
        ],
        "x\n",
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr
            .contains("cannot store generic_password credentials at all"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- the doctor's vault

/// From an elevated prompt, the doctor judging the limited session (where `--session auto`
/// acts and Winlogon restores the drives) reads that session's vault: a session-persisted
/// credential saved there satisfies MD003; the elevated vault does not have it.
#[test]
fn doctor_reads_the_vault_of_the_session_it_judges() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.add_connection(
        l("S:"),
        &unc(r"\\fileserver\svc"),
        Some(r"FILESERVER\svc"),
        Some(&secret(SVC_PW)),
        true,
    )
    .unwrap();
    m.write_credential(&CredentialWrite {
        target: "fileserver",
        kind: CredentialKind::DomainPassword,
        user_name: r"FILESERVER\svc",
        persistence: Persistence::Session,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&secret(SVC_PW)),
    })
    .unwrap();
    m.elevate().unwrap();
    let judged = |m: &mut Machine, token| {
        diagnose_in(m, None, token)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>()
    };
    let limited_view = judged(&mut m, TokenChoice::Linked);
    assert!(!limited_view.contains(&"MD003"), "{limited_view:?}");
    let d = diagnose_in(&mut m, None, TokenChoice::Linked).unwrap();
    assert_eq!(d.identity.logon_id, limited);
    assert!(judged(&mut m, TokenChoice::Current).contains(&"MD003"));
    // Reverted: the process token is in effect again.
    assert_eq!(m.identity().unwrap().elevation, Elevation::Full);
}

// ---------------------------------------------------------------- credentials follow the token

/// `CredWriteW` acts on the logon session of the thread's token. From an elevated prompt a
/// `--persistence session` credential written with the process token lives in the elevated
/// session, invisible to a mapping made (as `--session auto` does) in the limited one; written
/// under the same token choice as the mapping, it is used. The engine's `cred --session`
/// relies on exactly this.
#[test]
fn session_credential_lives_in_the_session_whose_token_wrote_it() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let svc = |pw: &str| secret(pw);
    let write = |m: &mut Machine| {
        m.write_credential(&CredentialWrite {
            target: "fileserver",
            kind: CredentialKind::DomainPassword,
            user_name: r"FILESERVER\svc",
            persistence: Persistence::Session,
            alias: None,
            comment: None,
            secret: SecretWrite::Set(&svc(SVC_PW)),
        })
        .unwrap();
    };
    let share = unc(r"\\fileserver\svc");

    // The cred command as it runs today: the process (elevated) token.
    write(&mut m);
    m.use_token(TokenChoice::Linked).unwrap();
    assert!(
        m.credentials().unwrap().is_empty(),
        "the limited session's vault does not have it"
    );
    let mapped = m.add_connection(l("S:"), &share, None, None, false);
    assert!(mapped.is_err(), "{mapped:?}");

    // Written under the token the mapping uses: found and used.
    write(&mut m);
    assert_eq!(m.credentials().unwrap().len(), 1);
    m.add_connection(l("S:"), &share, None, None, false)
        .unwrap();
    m.use_token(TokenChoice::Current).unwrap();
}

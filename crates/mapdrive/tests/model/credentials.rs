//! Saved credentials and secrets: which vault a credential lands in, `cred set`, the one secret
//! reader, sessions without a vault, policy caps, and secrets never appearing in any output.

use mapdrive_core::doctor::diagnose;
use mapdrive_core::domain::{CredentialKind, Persistence};
use mapdrive_core::port::{CredentialWrite, Port, SecretWrite, TokenChoice};
use mapdrive_model::fixture::{ALICE, ALICE_PW, BOB, SVC, SVC_PW};
use mapdrive_model::{LogonKind, Machine, fixture};

use crate::support::{connected, l, logon, map_svc, mapdrive, mapdrive_stdin, ok, secret, unc};

#[test]
fn elevated_cred_set_lands_in_the_vault_the_mapping_uses() {
    // An administrator at an elevated prompt saves a session-only credential, then maps with it.
    // Both run in the limited session (auto): before, the credential went to the elevated
    // session's vault and the mapping from the limited one could not see it (access denied).
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            SVC,
            "--persistence",
            "session",
            "--secret-stdin",
        ],
        SVC_PW,
    ));
    let out = ok(&mapdrive(
        &mut m,
        &["map", "S:", r"\\fileserver\svc", "--json"],
    ));
    assert_eq!(out["after"]["connected"], true, "{out}");
    // `cred list` (auto) looks at the same vault; `--session current` at the elevated one.
    let listed = ok(&mapdrive(&mut m, &["cred", "list", "--json"]));
    assert_eq!(listed[0]["target"], "fileserver", "{listed}");
    let here = ok(&mapdrive(
        &mut m,
        &["cred", "list", "--json", "--session", "current"],
    ));
    assert_eq!(here, serde_json::json!([]), "{here}");
}

/// `CredWriteW` acts on the logon session of the thread's token. From an elevated prompt a
/// `--persistence session` credential written with the process token lives in the elevated
/// session, invisible to a mapping made (as `--session auto` does) in the limited one; written
/// under the same token choice as the mapping, it is used. The engine's `cred --session`
/// relies on exactly this.
#[test]
fn session_credential_lives_in_the_session_whose_token_wrote_it() {
    let mut m = fixture::corp();
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

#[test]
fn user_mapping_blanks_user_name_so_the_saved_credential_reconnects_at_logon() {
    let mut m = fixture::corp();
    let luid = logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
        SVC_PW,
    ));
    map_svc(&mut m);
    let r = m.remembered().unwrap();
    assert_eq!(r[0].user_name.as_deref(), Some(""), "UserName blanked");
    m.logoff(luid).unwrap();
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(
        connected(&m),
        ["S:"],
        "reconnected at logon through the saved credential"
    );
}

#[test]
fn one_secret_reader_refuses_empty_and_nul_and_strips_bom_and_cr() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let map = [
        "map",
        "S:",
        r"\\fileserver\svc",
        "--user",
        SVC,
        "--password-stdin",
    ];
    for bad in ["", "\n", "\r\n", "a\0b\n"] {
        let before = m.writes();
        let r = mapdrive_stdin(&mut m, &map, bad);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
        assert_eq!(m.writes(), before, "{bad:?} wrote something");
    }
    // PowerShell 5.1 pipes a BOM and CRLF: both are stripped, the password works.
    let r = mapdrive_stdin(&mut m, &map, &format!("\u{feff}{SVC_PW}\r\n"));
    ok(&r);
    // A lone trailing CR too.
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(&mut m, &map, &format!("{SVC_PW}\r")));
}

#[test]
fn cred_set_keeps_fields_not_given_and_clears_with_empty() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let set = |extra: &[&str]| {
        let mut args = vec![
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\bob",
            "--update-secret",
            "on-create",
            "--json",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |m: &mut mapdrive_model::Machine, args: &[String], stdin: &str| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        mapdrive_stdin(m, &refs, stdin)
    };
    ok(&run(
        &mut m,
        &set(&[
            "--secret-stdin",
            "--alias",
            "NAS",
            "--comment",
            "media box",
            "--persistence",
            "enterprise",
        ]),
        "pw-1",
    ));
    // Re-run without alias/comment/persistence: kept, nothing written.
    let before = m.writes();
    let out = ok(&run(&mut m, &set(&[]), ""));
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["after"]["alias"], "NAS");
    assert_eq!(out["after"]["persistence"], "enterprise");
    assert_eq!(m.writes(), before);
    // An explicit "" removes the comment; the re-run is a no-op.
    let out = ok(&run(&mut m, &set(&["--comment", ""]), ""));
    assert_eq!(out["changed"], true, "{out}");
    assert!(out["after"]["comment"].is_null(), "{out}");
    assert_eq!(out["after"]["alias"], "NAS");
    let before = m.writes();
    let out = ok(&run(&mut m, &set(&["--comment", ""]), ""));
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(m.writes(), before);
}

#[test]
fn changing_the_user_of_a_password_credential_needs_its_secret() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        "bob-pw",
    ));
    let before = m.writes();
    let r = mapdrive(&mut m, &["cred", "set", "nas", "--user", r"NAS\carl"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains(r"NAS\carl") && r.stderr.contains("secret"),
        "{}",
        r.stderr
    );
    assert_eq!(m.writes(), before);
    // With carl's secret it is a plain update.
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\carl",
            "--secret-stdin",
        ],
        "carl-pw",
    ));
}

#[test]
fn cred_set_takes_certificate_types_by_thumbprint() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let tp: mapdrive_core::domain::Thumbprint =
        "00112233445566778899AABBCCDDEEFF00112233".parse().unwrap();
    let args = [
        "cred",
        "set",
        "certhost",
        "--type",
        "domain_certificate",
        "--user",
        "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 11 22 33",
        "--json",
    ];
    // Not in CurrentUser\My: win_credential's message, nothing written.
    let before = m.writes();
    let r = mapdrive(&mut m, &args);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("CurrentUser"), "{}", r.stdout);
    assert_eq!(m.writes(), before);
    m.add_certificate(BOB, &tp);
    let out = ok(&mapdrive(&mut m, &args));
    assert_eq!(out["after"]["user_name"], tp.as_str(), "{out}");
    let again = ok(&mapdrive(&mut m, &args));
    assert_eq!(again["changed"], false, "{again}");
    ok(&mapdrive(
        &mut m,
        &["cred", "remove", "certhost", "--type", "domain_certificate"],
    ));
}

#[test]
fn winrm_cannot_use_the_credential_manager() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Network);
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            ALICE,
            "--secret-stdin",
        ],
        ALICE_PW,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("1312 (ERROR_NO_SUCH_LOGON_SESSION)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("become"), "{}", r.stderr);
    assert!(!r.stderr.contains(ALICE_PW));
}

/// A network logon has no credential set: CredGetSessionTypes fails with 1312, and whoami says
/// so from the answer, not from the logon type.
#[test]
fn network_logon_has_no_credential_types() {
    let mut m = fixture::corp();
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
    let mut m = fixture::corp();
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

#[test]
fn secrets_never_appear_in_any_output() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let mut all = String::new();
    for (args, stdin) in [
        (
            vec![
                "cred",
                "set",
                "fileserver",
                "--user",
                SVC,
                "--secret-stdin",
                "--json",
            ],
            SVC_PW,
        ),
        (
            vec!["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
            SVC_PW,
        ),
        (
            vec![
                "map",
                "S:",
                r"\\fileserver\svc",
                "--user",
                SVC,
                "--password-stdin",
                "--json",
            ],
            SVC_PW,
        ),
        (
            vec![
                "map",
                "T:",
                r"\\fileserver\team",
                "--user",
                ALICE,
                "--password-stdin",
            ],
            "wrong-but-secret",
        ),
        (vec!["cred", "list", "--json"], ""),
        (vec!["list", "--json"], ""),
        (vec!["doctor", "--json"], ""),
        (vec!["doctor"], ""),
    ] {
        let r = mapdrive_stdin(&mut m, &args, stdin);
        all.push_str(&r.stdout);
        all.push_str(&r.stderr);
    }
    for secret in [SVC_PW, ALICE_PW, "wrong-but-secret"] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
}

#[test]
fn empty_secret_is_refused_and_changes_nothing() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let writes = m.writes();
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            ALICE,
            "--secret-stdin",
        ],
        "\n",
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("invalid secret: it is empty"),
        "{}",
        r.stderr
    );
    assert_eq!(m.writes(), writes);
    // Without a secret option, a user-only entry is written (like `cmdkey /add` without /pass).
    let out = ok(&mapdrive(
        &mut m,
        &["cred", "set", "fileserver", "--user", ALICE, "--json"],
    ));
    assert_eq!(
        out["actions"][0].as_str().unwrap(),
        "write domain_password credential fileserver without a secret"
    );
}

//! The engine's decisions, seen through the CLI on the session model: credentials follow the
//! session choice, `--session limited` refuses a token that is not split, the one secret reader,
//! and `cred set` keeps what it was not told to change.

use mapdrive::model::LogonKind;

use crate::cli::{ALICE, BOB, SVC, SVC_PW, host, logon, mapdrive, mapdrive_stdin, ok};

#[test]
fn elevated_cred_set_lands_in_the_vault_the_mapping_uses() {
    // An administrator at an elevated prompt saves a session-only credential, then maps with it.
    // Both run in the limited session (auto): before, the credential went to the elevated
    // session's vault and the mapping from the limited one could not see it (access denied).
    let mut m = host();
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

#[test]
fn session_limited_refuses_a_token_that_is_not_split() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    let before = m.writes();
    let r = mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "limited"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("not split"), "{}", r.stderr);
    assert_eq!(m.writes(), before);
    // The limited half of a split token is itself the limited session.
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "limited"],
    ));
}

#[test]
fn one_secret_reader_refuses_empty_and_nul_and_strips_bom_and_cr() {
    let mut m = host();
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
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(&mut m, &map, &format!("{SVC_PW}\r")));
}

#[test]
fn cred_set_keeps_fields_not_given_and_clears_with_empty() {
    let mut m = host();
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
    let run = |m: &mut mapdrive::model::Machine, args: &[String], stdin: &str| {
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
    let mut m = host();
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

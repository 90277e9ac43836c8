//! `mapdrive doctor` against the session model: one scenario per finding, its text and JSON
//! output pinned as snapshots (what the user reads is the test); then when a finding must not
//! fire, whether its remedy is enough, and which session (and vault) the doctor judges.

use mapdrive_core::doctor::diagnose_in;
use mapdrive_core::domain::{CredentialKind, Elevation, Persistence};
use mapdrive_core::port::{CredentialWrite, Port, Remembered, SecretWrite, TokenChoice};
use mapdrive_model::fixture::{ALICE, BOB, BOB_PW, SVC, SVC_PW};
use mapdrive_model::{LogonKind, Machine, fixture};

use crate::support::{connected, l, logon, mapdrive, mapdrive_stdin, net_use_svc, ok, secret, unc};

fn doctor(m: &mut mapdrive_model::Machine) -> (String, serde_json::Value) {
    let text = mapdrive(m, &["doctor"]);
    assert_eq!(text.code, 0, "{text:?}");
    let json = ok(&mapdrive(m, &["doctor", "--json"]));
    (text.stdout, json)
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["letter"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn clean_session_has_no_findings() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    let (text, json) = doctor(&mut m);
    assert!(codes(&json).is_empty(), "{json}");
    insta::assert_snapshot!(text);
}

#[test]
fn md001_md008_winrm_sees_remembered_drive_as_unavailable_and_has_no_vault() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    logon(&mut m, ALICE, LogonKind::Network);
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD008 -", "MD001 M:"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md001_md004_runas_never_restores_and_no_credential_is_saved() {
    let mut m = fixture::corp();
    let interactive = logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "T:", r"\\fileserver\team"]));
    logon(&mut m, ALICE, LogonKind::Runas);
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD001 T:", "MD004 T:"]);
    assert!(
        text.contains(&format!(
            "It is connected in your logon session {interactive}"
        )) || !text.contains("It is connected")
    );
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md002_md009_elevated_prompt_does_not_see_the_limited_sessions_drive() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    m.elevate().unwrap();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD002 M:", "MD009 -"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md003_remembered_user_name_without_saved_credential() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    // What `net use S: \\fileserver\svc /user:FILESERVER\svc PASSWORD /persistent:yes` leaves behind.
    net_use_svc(&mut m);
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD003 S:"]);
    assert!(!text.contains(SVC_PW));
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md005_global_drive_made_by_system() {
    let mut m = fixture::corp();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global"],
    ));
    logon(&mut m, BOB, LogonKind::Interactive);
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD005 G:"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md005_local_mapping_shadows_the_boot_time_global_drive() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive(
        &mut m,
        &["map", "Z:", r"\\fileserver\public", "--global", "--at-boot"],
    ));
    m.reboot();
    logon(&mut m, BOB, LogonKind::Interactive);
    // mapdrive refuses to shadow a global drive; `net use Z: \\fileserver\team` does not.
    let refused = mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]);
    assert_eq!(refused.code, 3, "{refused:?}");
    m.add_connection(l("Z:"), &unc(r"\\fileserver\team"), None, None, false)
        .unwrap();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD005 Z:"]);
    assert_eq!(json["findings"][0]["slug"], "global-drive-shadowed");
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md006_boot_time_value_with_the_wrong_logon_id() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    // The article's helper writes 0x327 where SYSTEM's logon session is 0x3e7.
    m.set_boot_device(
        "Y:",
        r"\Device\LanmanRedirector\;Y:0000000000000327\fileserver\public",
    )
    .unwrap();
    m.set_boot_device("X:", r"\Device\LanmanRedirector\;X:3e7\fileserver\public")
        .unwrap();
    m.set_boot_device("W:", r"\??\C:\data").unwrap();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD006 X:", "MD006 Y:", "MD009 -"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md007_remembered_letter_is_a_local_disk_here() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.remember(&Remembered {
        letter: l("C:"),
        remote: r"\\fileserver\public".into(),
        provider: "Microsoft Windows Network".into(),
        provider_type: Some(0x20000),
        user_name: Some(String::new()),
    })
    .unwrap();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD007 C:"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md010_running_as_system() {
    let mut m = fixture::corp();
    m.run_as_system();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD010 -"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md011_connected_path_differs_from_remembered_one() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    m.remember(&Remembered {
        letter: l("M:"),
        remote: r"\\fileserver\team".into(),
        provider: "Microsoft Windows Network".into(),
        provider_type: Some(0x20000),
        user_name: Some(String::new()),
    })
    .unwrap();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD011 M:"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn doctor_for_one_letter_keeps_session_wide_findings() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    ok(&mapdrive(&mut m, &["map", "N:", r"\\fileserver\team"]));
    logon(&mut m, ALICE, LogonKind::Network);
    let json = ok(&mapdrive(&mut m, &["doctor", "N", "--json"]));
    assert_eq!(codes(&json), ["MD008 -", "MD001 N:"]);
    let writes = m.writes();
    mapdrive(&mut m, &["doctor"]);
    assert_eq!(m.writes(), writes, "doctor never writes");
}

/// The finding codes alone.
fn finding_codes(doctor: &serde_json::Value) -> Vec<String> {
    doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A drive remembered with the user's own account reconnects with the user's own password.
#[test]
fn md003_does_not_fire_for_the_users_own_account() {
    let mut m = fixture::corp();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    // `net use M: \\fileserver\team /user:CORP\bob /persistent:yes`
    m.add_connection(l("M:"), &unc(r"\\fileserver\team"), Some(BOB), None, true)
        .unwrap();
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert!(!finding_codes(&d).contains(&"MD003".to_string()), "{d}");
    m.logoff(luid).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["M:"]);
}

/// A saved credential for the host but for another account does not supply the password.
#[test]
fn md003_fires_when_the_saved_credential_is_for_another_account() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", BOB, "--secret-stdin"],
        BOB_PW,
    ));
    net_use_svc(&mut m);
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert!(finding_codes(&d).contains(&"MD003".to_string()), "{d}");
}

/// MD003's fix (save the credential) is enough: the next logon reconnects.
#[test]
fn md003_remedy_is_sufficient() {
    let mut m = fixture::corp();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    net_use_svc(&mut m);
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    let remedy = d["findings"][0]["remedy"].as_str().unwrap().to_string();
    assert_eq!(
        remedy,
        r"mapdrive cred set fileserver --user FILESERVER\svc --prompt"
    );
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", SVC, "--prompt"],
        SVC_PW,
    ));
    assert!(finding_codes(&ok(&mapdrive(&mut m, &["doctor", "--json"]))).is_empty());
    m.logoff(luid).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["S:"]);
}

/// A boot value that hides behind this session's own drive: information, and the fix keeps the user's drive.
#[test]
fn md005_shadow_is_informational_and_keeps_the_users_drive() {
    let mut m = fixture::corp();
    let a = logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--global", "--at-boot"],
    ));
    m.run_in(a).unwrap();
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    let f = &d["findings"][0];
    assert_eq!(f["slug"], "global-drive-shadowed");
    assert_eq!(f["severity"], "info");
    assert!(
        f["remedy"].as_str().unwrap().starts_with("keep both"),
        "{f}"
    );
}

/// From an elevated prompt, the fixes doctor prints act in this elevated session.
#[test]
fn doctor_remedies_from_an_elevated_prompt_act_here() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    ok(&mapdrive(&mut m, &["unmap", "P:", "--keep-remembered"]));
    m.elevate().unwrap();
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    let md001 = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MD001")
        .unwrap();
    assert!(
        md001["remedy"]
            .as_str()
            .unwrap()
            .starts_with("mapdrive restore --session current"),
        "{md001}"
    );
    ok(&mapdrive(&mut m, &["restore", "--session", "current"]));
    assert_eq!(connected(&m), ["P:"]);
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert!(!finding_codes(&d).contains(&"MD001".to_string()), "{d}");
}

/// From an elevated prompt, the doctor judging the limited session (where `--session auto`
/// acts and Winlogon restores the drives) reads that session's vault: a session-persisted
/// credential saved there satisfies MD003; the elevated vault does not have it.
#[test]
fn doctor_reads_the_vault_of_the_session_it_judges() {
    let mut m = fixture::corp();
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

#[test]
fn doctor_judges_the_session_it_is_asked_about() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    m.elevate().unwrap();
    let here = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert_eq!(here["identity"]["elevation"], "Full", "{here}");
    let codes = |d: &serde_json::Value| d["findings"].to_string();
    assert!(codes(&here).contains("MD002"), "{here}");
    // Where drive commands act by default: the limited session, which has M:.
    let there = ok(&mapdrive(
        &mut m,
        &["doctor", "--session", "auto", "--json"],
    ));
    assert_eq!(there["identity"]["elevation"], "Limited", "{there}");
    assert!(!codes(&there).contains("MD002"), "{there}");
}

//! `mapdrive doctor` against the session model: one scenario per finding, its text and JSON
//! output pinned as snapshots (what the user reads is the test).

use mapdrive_core::port::{Port, Remembered};
use mapdrive_model::LogonKind;

use crate::cli::{ALICE, BOB, SVC_PW, host, logon, mapdrive, net_use_svc, ok};
use crate::support::{l, unc};

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
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    let (text, json) = doctor(&mut m);
    assert!(codes(&json).is_empty(), "{json}");
    insta::assert_snapshot!(text);
}

#[test]
fn md001_md008_winrm_sees_remembered_drive_as_unavailable_and_has_no_vault() {
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
    m.run_as_system();
    let (text, json) = doctor(&mut m);
    assert_eq!(codes(&json), ["MD010 -"]);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn md011_connected_path_differs_from_remembered_one() {
    let mut m = host();
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
    let mut m = host();
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

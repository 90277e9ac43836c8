//! Regressions found by review: each test pins a defect that was fixed.

use mapdrive_core::error::ApiError;
use mapdrive_core::plan::{self, MapRequest, Secrets};
use mapdrive_core::port::*;
use mapdrive_model::LogonKind;

use crate::cli::{
    ALICE, BOB, BOB_PW, SVC, SVC_PW, host, logon, map_svc, mapdrive, mapdrive_stdin, net_use_svc,
    ok,
};
use crate::support::{Hooked, connected, l, remembered, unc};

fn codes(doctor: &serde_json::Value) -> Vec<String> {
    doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// `--session both`: the limited half changed, then the elevated half failed. Both are reported.
#[test]
fn session_both_reports_the_half_that_changed_next_to_the_failure() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    // The elevated session already talks to fileserver as svc: team as alice gives 1219/5 there.
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "map",
            "S:",
            r"\\fileserver\svc",
            "--session",
            "current",
            "--temporary",
            "--user",
            SVC,
            "--password-stdin",
        ],
        SVC_PW,
    ));
    let r = mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--session",
            "both",
            "--json",
        ],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["failed"], true);
    assert_eq!(v["changed"], true, "{v}");
    assert_eq!(v["sessions"][0]["session"], "linked");
    assert_eq!(v["sessions"][0]["changed"], true);
    m.run_in(limited).unwrap();
    assert!(connected(&m).contains(&"T:".to_string()));
}

/// A failed re-map puts back both the live connection and the (different) remembered entry.
#[test]
fn failed_remap_restores_connection_and_remembered_entry_separately() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["unmap", "M:", "--keep-remembered"]));
    // connected temporarily elsewhere (e.g. `net use M: \\fileserver\public /persistent:no`)
    m.add_connection(l("M:"), &unc(r"\\fileserver\public"), None, None, false)
        .unwrap();
    let before = m.remembered().unwrap();
    let r = mapdrive(&mut m, &["map", "M:", r"\\fileserver\nosuch"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        m.remembered().unwrap(),
        before,
        "undo restores the remembered entry"
    );
    assert_eq!(connected(&m), ["M:"], "and the temporary connection");
}

/// Map onto an Unavailable remembered drive with --label; the label write fails; the undo does
/// not delete the remembered entry that existed before, and the remedy is about the registry.
#[test]
fn undoing_a_connect_keeps_a_remembered_entry_that_existed_before() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["unmap", "M:", "--keep-remembered"]));
    let before = m.remembered().unwrap();
    let mut p = Hooked::new(&mut m, |_, call| {
        (call == "set_label").then(|| ApiError::new("RegSetValueExW", 5))
    });
    let req = MapRequest {
        letter: l("M:"),
        remote: unc(r"\\fileserver\team"),
        remember: true,
        user: None,
        with_password: false,
        label: Some("Team".into()),
    };
    let plan = plan::plan_map(&p, &req).unwrap();
    let e = plan::apply(&mut p, plan, &Secrets::default(), |_| Ok(None)).unwrap_err();
    assert!(
        e.remedy().unwrap().contains("MountPoints2"),
        "{:?}",
        e.remedy()
    );
    let after = m.remembered().unwrap();
    assert_eq!(before, after);
}

/// A drive remembered with the user's own account reconnects with the user's own password.
#[test]
fn md003_does_not_fire_for_the_users_own_account() {
    let mut m = host();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    // `net use M: \\fileserver\team /user:CORP\bob /persistent:yes`
    m.add_connection(l("M:"), &unc(r"\\fileserver\team"), Some(BOB), None, true)
        .unwrap();
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert!(!codes(&d).contains(&"MD003".to_string()), "{d}");
    m.logoff(luid).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["M:"]);
}

/// A saved credential for the host but for another account does not supply the password.
#[test]
fn md003_fires_when_the_saved_credential_is_for_another_account() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", BOB, "--secret-stdin"],
        BOB_PW,
    ));
    net_use_svc(&mut m);
    let d = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert!(codes(&d).contains(&"MD003".to_string()), "{d}");
}

/// From an elevated prompt, the fixes doctor prints act in this elevated session.
#[test]
fn doctor_remedies_from_an_elevated_prompt_act_here() {
    let mut m = host();
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
    assert!(!codes(&d).contains(&"MD001".to_string()), "{d}");
}

/// MD003's fix (save the credential) is enough: the next logon reconnects.
#[test]
fn md003_remedy_is_sufficient() {
    let mut m = host();
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
    assert!(codes(&ok(&mapdrive(&mut m, &["doctor", "--json"]))).is_empty());
    m.logoff(luid).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["S:"]);
}

/// A failed re-map of a drive first connected with explicit credentials: the old connection
/// cannot be re-established without its password, but its remembered entry comes back and the
/// error says something stayed changed.
#[test]
fn failed_remap_restores_the_remembered_entry_and_says_what_changed() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    map_svc(&mut m);
    let before = m.remembered().unwrap();
    let r = mapdrive(&mut m, &["map", "S:", r"\\fileserver\nosuch", "--json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["changed"], true, "the old connection is gone: {v}");
    assert!(
        v["error"]["remedy"]
            .as_str()
            .unwrap()
            .contains("failed too"),
        "{v}"
    );
    assert_eq!(m.remembered().unwrap(), before, "remembered entry restored");
    assert_eq!(remembered(&m), ["S:"]);
}

/// SYSTEM mapping exactly the boot-time global drive that already exists: unchanged.
#[test]
fn global_map_of_the_existing_boot_time_drive_is_unchanged() {
    let mut m = host();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global", "--at-boot"],
    ));
    m.reboot();
    let out = ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global", "--json"],
    ));
    assert_eq!(out["changed"], false, "{out}");
}

/// The boot-time value matches whatever redirector prefix form or trailing separator it has.
#[test]
fn boot_value_in_another_form_is_unchanged() {
    let mut m = host();
    m.run_as_system();
    m.set_boot_device(
        "G:",
        r"\Device\LanmanRedirector\;G:00000000000003e7\fileserver\public\",
    )
    .unwrap();
    m.set_boot_device(
        "H:",
        r"\Device\Mup\;LanmanRedirector\;H:00000000000003e7\fileserver\public",
    )
    .unwrap();
    for letter in ["G:", "H:"] {
        let out = ok(&mapdrive(
            &mut m,
            &[
                "map",
                letter,
                r"\\fileserver\public",
                "--global",
                "--at-boot",
                "--json",
            ],
        ));
        assert_eq!(out["changed"], false, "{letter}: {out}");
    }
}

/// A boot value that hides behind this session's own drive: information, and the fix keeps the user's drive.
#[test]
fn md005_shadow_is_informational_and_keeps_the_users_drive() {
    let mut m = host();
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

/// A remembered drive whose letter SYSTEM maps globally to the same share is already reachable:
/// `restore` says so instead of skipping it as taken.
#[test]
fn restore_counts_a_global_drive_of_the_same_share_as_connected() {
    let mut m = host();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    m.logoff(luid).unwrap();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--global"],
    ));
    logon(&mut m, BOB, LogonKind::Network);
    let out = ok(&mapdrive(&mut m, &["restore", "--json"]));
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["drives"][0]["result"], "connected", "{out}");
    assert!(
        out["drives"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("0x3e7"),
        "{out}"
    );
}

/// From an elevated prompt, `unmap` of a drive that exists only in the elevated session points to
/// `--session current` instead of silently reporting "unchanged".
#[test]
fn unmap_from_an_elevated_prompt_points_to_the_elevated_drive() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive(
        &mut m,
        &[
            "map",
            "E:",
            r"\\fileserver\public",
            "--session",
            "current",
            "--temporary",
        ],
    ));
    let out = ok(&mapdrive(&mut m, &["unmap", "E:", "--json"]));
    assert_eq!(out["changed"], false);
    assert!(
        out["warnings"][0]
            .as_str()
            .unwrap()
            .contains("--session current"),
        "{out}"
    );
    ok(&mapdrive(&mut m, &["unmap", "E:", "--session", "current"]));
    assert!(connected(&m).is_empty());
}

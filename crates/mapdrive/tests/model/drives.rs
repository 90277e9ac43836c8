//! Mapping and unmapping drives: remaps that fail and undo, local disks on a letter, labels,
//! idempotent re-runs and check mode.

use mapdrive_core::error::ApiError;
use mapdrive_core::plan::{self, MapRequest, Secrets};
use mapdrive_core::port::Port;
use mapdrive_model::fixture::{ALICE, ALICE_PW, BOB};
use mapdrive_model::{LogonKind, fixture};

use crate::support::{
    Hooked, connected, drive, l, logon, map_svc, mapdrive, mapdrive_stdin, ok, remembered, unc,
};

/// A failed re-map puts back both the live connection and the (different) remembered entry.
#[test]
fn failed_remap_restores_connection_and_remembered_entry_separately() {
    let mut m = fixture::corp();
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

/// A failed re-map of a drive first connected with explicit credentials: the old connection
/// cannot be re-established without its password, but its remembered entry comes back and the
/// error says something stayed changed.
#[test]
fn failed_remap_restores_the_remembered_entry_and_says_what_changed() {
    let mut m = fixture::corp();
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

/// Map onto an Unavailable remembered drive with --label; the label write fails; the undo does
/// not delete the remembered entry that existed before, and the remedy is about the registry.
#[test]
fn undoing_a_connect_keeps_a_remembered_entry_that_existed_before() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["unmap", "M:", "--keep-remembered"]));
    let before = m.remembered().unwrap();
    let mut p = Hooked::new(&mut m, |_, call| {
        (call == "set_label").then(|| ApiError::new("RegSetValueExW", 5))
    });
    let req = MapRequest {
        as_system: mapdrive_core::plan::AsSystem::Refuse,
        remembered_is_enough: false,
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

#[test]
fn every_path_that_defines_a_letter_refuses_a_local_disk() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let before = m.writes();
    for args in [
        &["map", "C:", r"\\fileserver\public"][..],
        &["map", "C:", r"\\fileserver\public", "--global", "--at-boot"][..],
        &[
            "map",
            "C:",
            r"\\fileserver\public",
            "--global",
            "--at-boot",
            "--force",
        ][..],
    ] {
        let r = mapdrive(&mut m, args);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(r.stderr.contains("local disk"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(m.writes(), before);
    // A boot-time C: written anyway (by hand, or by an older mapdrive) can still be removed.
    m.set_boot_device(
        "C:",
        r"\Device\LanmanRedirector\;C:00000000000003e7\fileserver\public",
    )
    .unwrap();
    ok(&mapdrive(&mut m, &["unmap", "C:", "--global", "--at-boot"]));
    assert!(m.boot_devices().unwrap().is_empty());
}

#[test]
fn list_shows_a_local_disk_and_the_remembered_entry_on_its_letter() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.remember(&mapdrive_core::port::Remembered {
        letter: crate::support::l("C:"),
        remote: r"\\fileserver\public".into(),
        provider: "Microsoft Windows Network".into(),
        provider_type: Some(0x20000),
        user_name: Some(String::new()),
    })
    .unwrap();
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    let c: Vec<&serde_json::Value> = list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["letter"] == "C:")
        .collect();
    assert_eq!(c.len(), 2, "{list}");
    assert_eq!(c[0]["kind"], "local disk", "{list}");
    assert_eq!(c[1]["remote"], r"\\fileserver\public", "{list}");
    assert_eq!(c[1]["status"], "Unavailable", "{list}");
    let text = mapdrive(&mut m, &["list"]);
    assert!(text.stdout.contains("local disk"), "{}", text.stdout);
    assert!(text.stderr.contains("never be restored"), "{}", text.stderr);
}

#[test]
fn unmap_removes_the_label_of_a_drive_that_goes_away() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let public = crate::support::unc(r"\\fileserver\public");
    ok(&mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\public",
            "--temporary",
            "--label",
            "Pub",
        ],
    ));
    assert_eq!(m.label(&public).unwrap().as_deref(), Some("Pub"));
    // Another letter on the same path keeps the label alive.
    ok(&mapdrive(&mut m, &["map", "U:", r"\\fileserver\public"]));
    ok(&mapdrive(&mut m, &["unmap", "T:"]));
    assert_eq!(m.label(&public).unwrap().as_deref(), Some("Pub"));
    ok(&mapdrive(&mut m, &["unmap", "U:"]));
    assert_eq!(m.label(&public).unwrap(), None);
    let before = m.writes();
    ok(&mapdrive(&mut m, &["unmap", "U:"]));
    assert_eq!(m.writes(), before);
}

#[test]
fn label_is_written_once_and_listed() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive(
        &mut m,
        &["map", "T:", r"\\fileserver\team", "--label", "Team files"],
    ));
    let writes = m.writes();
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--label",
            "Team files",
            "--json",
        ],
    ));
    assert_eq!(out["changed"], false);
    assert_eq!(m.writes(), writes);
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    assert_eq!(drive(&list, "T:").unwrap()["label"], "Team files");
    let relabel = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--label",
            "Shared",
            "--json",
        ],
    ));
    assert_eq!(relabel["changed"], true);
    assert_eq!(relabel["actions"].as_array().unwrap().len(), 1);
    let removed = ok(&mapdrive(
        &mut m,
        &["map", "T:", r"\\fileserver\team", "--label", "", "--json"],
    ));
    assert_eq!(removed["changed"], true);
    assert!(removed["after"]["label"].is_null());
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    assert!(drive(&list, "T:").unwrap()["label"].is_null());
}

#[test]
fn idempotent_reruns_and_check_mode_write_nothing() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let commands: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["map", "M:", r"\\fileserver\team", "--label", "Team"],
            "",
        ),
        (vec!["map", "P:", r"\\fileserver\public", "--temporary"], ""),
        (
            vec![
                "cred",
                "set",
                "fileserver",
                "--user",
                ALICE,
                "--secret-stdin",
                "--update-secret",
                "on-create",
            ],
            ALICE_PW,
        ),
        (
            vec![
                "cred",
                "set",
                "app",
                "--type",
                "generic",
                "--user",
                "x",
                "--secret-stdin",
            ],
            "generic-Secret-9",
        ),
        (
            vec!["map", "Y:", r"\\fileserver\public", "--global", "--at-boot"],
            "",
        ),
        (vec!["policy", "linked-connections", "off"], ""),
        (vec!["unmap", "Q:"], ""),
    ];
    for (args, stdin) in &commands {
        let mut check = args.clone();
        check.push("--check");
        let before = m.writes();
        let r = mapdrive_stdin(&mut m, &check, stdin);
        assert_eq!(r.code, 0, "{check:?}: {r:?}");
        assert_eq!(m.writes(), before, "--check wrote: {check:?}");
        ok(&mapdrive_stdin(&mut m, args, stdin));
        let before = m.writes();
        let mut json = args.clone();
        json.push("--json");
        let out = ok(&mapdrive_stdin(&mut m, &json, stdin));
        assert_eq!(out["changed"], false, "{args:?}: {out}");
        assert_eq!(m.writes(), before, "idempotent re-run wrote: {args:?}");
    }
}

//! Global and boot-time drives (SYSTEM, `Session Manager\DOS Devices`) and the
//! EnableLinkedConnections policy.

use mapdrive_core::port::Port;
use mapdrive_model::fixture::{ALICE, BOB};
use mapdrive_model::{LogonKind, fixture};

use crate::support::{connected, drive, logon, mapdrive, ok};

#[test]
fn global_mapping_needs_system_and_is_seen_by_everyone() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let r = mapdrive(&mut m, &["map", "G:", r"\\fileserver\public", "--global"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("needs SYSTEM"), "{}", r.stderr);
    assert!(r.stderr.contains("--global --at-boot"), "{}", r.stderr);
    m.run_as_system();
    let out = ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global", "--json"],
    ));
    assert_eq!(out["changed"], true);
    assert!(
        out["warnings"][0]
            .as_str()
            .unwrap()
            .contains("until the next restart")
    );
    logon(&mut m, BOB, LogonKind::Network);
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    let g = drive(&list, "G:").unwrap();
    assert_eq!(g["scope"], "global");
    assert_eq!(g["status"], "Disconnected");
    assert_eq!(g["logon_id"], "0x3e7");
    m.reboot();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert!(
        drive(&ok(&mapdrive(&mut m, &["list", "--json"])), "G:").is_none(),
        "gone after reboot"
    );
}

#[test]
fn boot_time_global_drive_round_trip() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let writes = m.writes();
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "Z:",
            r"\\fileserver\public",
            "--global",
            "--at-boot",
            "--json",
        ],
    ));
    assert_eq!(out["changed"], true);
    assert_eq!(
        out["after"]["target"],
        r"\Device\LanmanRedirector\;Z:00000000000003e7\fileserver\public"
    );
    let again = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "Z:",
            r"\\FILESERVER\public\",
            "--global",
            "--at-boot",
            "--json",
        ],
    ));
    assert_eq!(again["changed"], false);
    assert_eq!(m.writes(), writes + 1);
    let r = mapdrive(
        &mut m,
        &["map", "Z:", r"\\fileserver\team", "--global", "--at-boot"],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("Global DOS Device 'Z:' already exists"),
        "{}",
        r.stderr
    );
    ok(&mapdrive(
        &mut m,
        &[
            "map",
            "Z:",
            r"\\fileserver\team",
            "--global",
            "--at-boot",
            "--force",
        ],
    ));
    m.reboot();
    logon(&mut m, BOB, LogonKind::Network);
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    assert_eq!(drive(&list, "Z:").unwrap()["remote"], r"\\fileserver\team");
    assert_eq!(list["boot_devices"][0]["name"], "Z:");
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive(&mut m, &["unmap", "Z:", "--global", "--at-boot"]));
    assert_eq!(
        ok(&mapdrive(
            &mut m,
            &["unmap", "Z:", "--global", "--at-boot", "--json"]
        ))["changed"],
        false
    );
}

/// SYSTEM mapping exactly the boot-time global drive that already exists: unchanged.
#[test]
fn global_map_of_the_existing_boot_time_drive_is_unchanged() {
    let mut m = fixture::corp();
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
    let mut m = fixture::corp();
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

#[test]
fn system_is_told_how_to_remove_a_boot_time_drive() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive(
        &mut m,
        &["map", "Z:", r"\\fileserver\public", "--global", "--at-boot"],
    ));
    m.reboot();
    m.run_as_system();
    let same = ok(&mapdrive(
        &mut m,
        &["map", "Z:", r"\\fileserver\public", "--global", "--json"],
    ));
    assert_eq!(same["changed"], false, "{same}");
    for args in [
        vec!["map", "Z:", r"\\fileserver\team", "--global"],
        vec!["unmap", "Z:", "--global"],
    ] {
        let r = mapdrive(&mut m, &args);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(r.stderr.contains("created at boot"), "{}", r.stderr);
        assert!(
            r.stderr.contains("mapdrive unmap Z: --global --at-boot"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn linked_connections_policy_takes_effect_after_restart() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let out = ok(&mapdrive(
        &mut m,
        &["policy", "linked-connections", "on", "--json"],
    ));
    assert_eq!(out["changed"], true);
    assert!(out["warnings"][0].as_str().unwrap().contains("restart"));
    assert_eq!(
        ok(&mapdrive(
            &mut m,
            &["policy", "linked-connections", "on", "--json"]
        ))["changed"],
        false
    );
    assert!(m.pending_reboot());
    let who = ok(&mapdrive(&mut m, &["whoami", "--json"]));
    assert_eq!(who["linked_connections"], "enabled");
    m.reboot();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    m.elevate().unwrap();
    assert_eq!(connected(&m), ["M:"], "the elevated half sees it too");
    m.run_in(limited).unwrap();
    let r = mapdrive(&mut m, &["policy", "linked-connections", "unset"]);
    assert_eq!(r.code, 1, "HKLM needs an elevated token: {r:?}");
    assert!(r.stderr.contains("5 (ERROR_ACCESS_DENIED)"), "{}", r.stderr);
    assert!(r.stderr.contains("Run as administrator"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("NTFS"),
        "the share remedy does not apply: {}",
        r.stderr
    );
}

/// A plain `map` run as SYSTEM (a scheduled task, Intune, ConfigMgr, DSC as SYSTEM) would make
/// a global drive every user sees, plus an `HKU\S-1-5-18\Network` entry nobody restores: it is
/// refused with exit 3 (check mode too) and points to `--global`, which still works; DSC and
/// documents refuse the same way.
#[test]
fn a_plain_map_as_system_is_refused_and_points_to_global() {
    let mut m = mapdrive_model::fixture::corp();
    m.run_as_system();
    let w = m.writes();
    for args in [
        vec!["map", "G:", r"\\fileserver\public"],
        vec!["map", "G:", r"\\fileserver\public", "--check"],
        vec!["map", "G:", r"\\fileserver\public", "--json"],
    ] {
        let r = crate::support::mapdrive(&mut m, &args);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.stdout, r.stderr);
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(
            text.contains("runs as SYSTEM") && text.contains("--global"),
            "{text}"
        );
    }
    assert_eq!(m.writes(), w, "a refused map wrote something");
    let r = crate::support::mapdrive(&mut m, &["map", "G:", r"\\fileserver\public", "--global"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

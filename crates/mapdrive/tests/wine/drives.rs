//! map / list / unmap round trips, idempotency, re-mapping, rollback, check mode, reboot.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::harness::{ALICE_PASSWORD, Prefix, assert_no_secret};

fn drive<'a>(list: &'a serde_json::Value, letter: &str) -> Option<&'a serde_json::Value> {
    list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == letter)
}

fn value<'a>(vals: &'a [(String, String, String)], name: &str) -> (&'a str, &'a str) {
    let v = vals
        .iter()
        .find(|v| v.0 == name)
        .unwrap_or_else(|| panic!("no value {name} in {vals:?}"));
    (v.1.as_str(), v.2.as_str())
}

#[test]
fn map_list_unmap_round_trip() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive(&["map", "M:", r"\\fileserver\public", "--json"]);
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true);
    assert_eq!(out["after"]["remote"], r"\\fileserver\public");
    assert_eq!(out["after"]["connected"], true);
    assert_eq!(out["after"]["remembered"], true);

    let list = wine.mapdrive(&["list", "--json"]);
    list.success();
    let list = list.json();
    let m = drive(&list, "M:").expect("M: listed");
    assert_eq!(m["status"], "OK");
    assert_eq!(m["remote"], r"\\fileserver\public");
    assert_eq!(m["remembered"], true);
    assert_eq!(m["provider"], "Microsoft Windows Network");
    assert_eq!(
        m["dos_target"],
        r"\Device\LanmanRedirector\;M:0000000000000000\fileserver\public"
    );
    assert_eq!(m["logon_id"], "0x0");
    let c = drive(&list, "C:").expect("C: listed");
    assert_eq!(c["kind"], "local disk");

    // The exact values Windows' MPR writes for a remembered connection.
    let vals = wine
        .reg_values(r"HKCU\Network\M")
        .expect("HKCU\\Network\\M exists");
    assert_eq!(
        value(&vals, "RemotePath"),
        ("REG_SZ", r"\\fileserver\public")
    );
    assert_eq!(
        value(&vals, "ProviderName"),
        ("REG_SZ", "Microsoft Windows Network")
    );
    assert_eq!(value(&vals, "ProviderType"), ("REG_DWORD", "0x20000"));
    assert_eq!(value(&vals, "ConnectionType"), ("REG_DWORD", "0x1"));
    assert_eq!(value(&vals, "UserName"), ("REG_SZ", ""));

    let text = wine.mapdrive(&["list"]);
    text.success();
    assert!(text.stdout.contains("M:     OK"), "{}", text.stdout);

    let run = wine.mapdrive(&["unmap", "M:", "--json"]);
    run.success();
    assert_eq!(run.json()["changed"], true);
    assert!(run.json()["after"].is_null());
    assert!(
        wine.reg_values(r"HKCU\Network\M").is_none(),
        "remembered entry removed"
    );
    let list = wine.mapdrive(&["list", "--json"]).json();
    assert!(drive(&list, "M:").is_none());

    let again = wine.mapdrive(&["unmap", "M:", "--json"]);
    again.success();
    assert_eq!(again.json()["changed"], false);
}

/// `[Network\\M] <seconds>` line of user.reg: when the key was last written.
fn key_written_at(user_reg: &str, key: &str) -> u64 {
    let head = format!("[{}] ", key.replace('\\', "\\\\"));
    let line = user_reg
        .lines()
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no {head} in user.reg"));
    line[head.len()..].trim().parse().unwrap()
}

#[test]
fn idempotent_map_writes_nothing() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    let before = wine.reg_query(r"HKCU\Network").unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let second_run_started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let run = wine.mapdrive(&["map", "m", r"\\FILESERVER\Public\", "--json"]);
    run.success();
    assert_eq!(run.json()["changed"], false);
    assert!(run.json()["actions"].as_array().unwrap().is_empty());
    let text = wine.mapdrive(&["map", "M:", r"\\fileserver\public"]);
    assert!(text.stdout.starts_with("M: unchanged"), "{}", text.stdout);
    assert_eq!(wine.reg_query(r"HKCU\Network").unwrap(), before);
    // The key's last-write time in the flushed hive predates the idempotent runs.
    let user_reg = wine.registry_files();
    assert!(
        key_written_at(&user_reg, r"Network\M") < second_run_started,
        "the no-op run wrote HKCU\\Network\\M"
    );
}

#[test]
fn path_change_remaps_and_blanks_the_user_name() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    let run = wine.mapdrive_stdin(
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--password-stdin",
            "--json",
        ],
        &format!("{ALICE_PASSWORD}\n"),
    );
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true);
    assert_eq!(out["before"]["remote"], r"\\fileserver\public");
    assert_eq!(out["after"]["remote"], r"\\fileserver\team");
    let vals = wine.reg_values(r"HKCU\Network\M").unwrap();
    assert_eq!(value(&vals, "RemotePath").1, r"\\fileserver\team");
    assert_eq!(
        value(&vals, "UserName").1,
        "",
        "the explicit user is never left for logon-time reconnects"
    );
    assert_no_secret(&wine.transcript);
}

#[test]
fn failed_remap_restores_the_old_mapping() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    let run = wine.mapdrive(&["map", "M:", r"\\fileserver\nosuchshare"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("67 (ERROR_BAD_NET_NAME)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("were undone"), "{}", run.stderr);
    let list = wine.mapdrive(&["list", "--json"]).json();
    let m = drive(&list, "M:").expect("old mapping back");
    assert_eq!(m["remote"], r"\\fileserver\public");
    assert_eq!(m["status"], "OK");
    assert_eq!(m["remembered"], true);
}

#[test]
fn expect_path_mismatch_is_refused_and_changes_nothing() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    let run = wine.mapdrive(&["unmap", "M:", "--expect-path", r"\\fileserver\team"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains(r"did not delete mapped drive M, the target path is pointing to a different location at \\fileserver\public"),
        "{}",
        run.stderr
    );
    let list = wine.mapdrive(&["list", "--json"]).json();
    assert_eq!(drive(&list, "M:").unwrap()["status"], "OK");
    // The matching path (other case, trailing slash) is accepted.
    wine.mapdrive(&["unmap", "M:", "--expect-path", r"\\FileServer\PUBLIC\"])
        .success();
}

#[test]
fn check_mode_reports_and_changes_nothing() {
    let mut wine = Prefix::new();
    let before = wine.reg_query(r"HKCU").unwrap();
    let run = wine.mapdrive(&["map", "M:", r"\\fileserver\public", "--check", "--json"]);
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true);
    assert_eq!(out["check_mode"], true);
    assert_eq!(out["actions"].as_array().unwrap().len(), 1);
    assert!(wine.reg_values(r"HKCU\Network\M").is_none());
    assert_eq!(wine.reg_query(r"HKCU").unwrap(), before);
    let list = wine.mapdrive(&["list", "--json"]).json();
    assert!(drive(&list, "M:").is_none());

    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    let run = wine.mapdrive(&["unmap", "M:", "--check"]);
    run.success();
    assert!(run.stdout.contains("would change"), "{}", run.stdout);
    assert_eq!(
        drive(&wine.mapdrive(&["list", "--json"]).json(), "M:").unwrap()["status"],
        "OK"
    );
}

#[test]
fn temporary_mapping_is_not_remembered_and_goes_at_reboot() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "T:", r"\\fileserver\public", "--temporary"])
        .success();
    assert!(wine.reg_values(r"HKCU\Network\T").is_none());
    assert_eq!(
        drive(&wine.mapdrive(&["list", "--json"]).json(), "T:").unwrap()["remembered"],
        false
    );
    wine.reboot();
    assert!(drive(&wine.mapdrive(&["list", "--json"]).json(), "T:").is_none());
}

#[test]
fn remembered_drive_is_unavailable_after_reboot_until_mapped_again() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    wine.reboot();
    let list = wine.mapdrive(&["list", "--json"]).json();
    let m = drive(&list, "M:").expect("still remembered");
    assert_eq!(m["status"], "Unavailable");
    assert!(m["dos_target"].is_null());
    let run = wine.mapdrive(&["map", "M:", r"\\fileserver\public", "--json"]);
    run.success();
    assert_eq!(run.json()["changed"], true);
    assert_eq!(
        drive(&wine.mapdrive(&["list", "--json"]).json(), "M:").unwrap()["status"],
        "OK"
    );
}

#[test]
fn local_disk_letter_is_refused() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive(&["map", "C:", r"\\fileserver\public"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("failed to create mapped drive C, this letter is in use and is pointing to a non UNC path"), "{}", run.stderr);
    let run = wine.mapdrive(&["unmap", "C:"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("not a mapped network drive"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_input_changes_nothing() {
    let mut wine = Prefix::new();
    let before = wine.reg_query(r"HKCU").unwrap();
    for (args, needle) in [
        (
            vec!["map", "[", r"\\fileserver\public"],
            "invalid drive letter",
        ),
        (
            vec!["map", "MM", r"\\fileserver\public"],
            "invalid drive letter",
        ),
        (
            vec!["map", "M:", r"fileserver\public"],
            "invalid remote path",
        ),
        (vec!["map", "M:", r"\\fe80::1\share"], "ipv6-literal.net"),
        (
            vec!["unmap", "M:", "--expect-path", "nope"],
            "invalid remote path",
        ),
    ] {
        let run = wine.mapdrive(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    assert_eq!(wine.reg_query(r"HKCU").unwrap(), before);
}

#[test]
fn whoami_reports_the_token() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive(&["whoami", "--json"]);
    run.success();
    let id = run.json();
    assert!(id["sid"].as_str().unwrap().starts_with("S-1-5-"), "{id}");
    assert_eq!(id["is_system"], false);
    assert!(["Full", "Limited", "Default"].contains(&id["elevation"].as_str().unwrap()));
    let text = wine.mapdrive(&["whoami"]);
    text.success();
    assert!(text.stdout.contains("Logon session:"), "{}", text.stdout);
}

#[test]
fn webdav_and_ipv6_literal_forms_round_trip() {
    let mut wine = Prefix::new();
    for (letter, remote) in [
        ("W:", r"\\fileserver@SSL@443\public"),
        ("V:", r"\\2001-db8--1.ipv6-literal.net\public"),
    ] {
        let run = wine.mapdrive(&["map", letter, remote, "--json"]);
        run.success();
        assert_eq!(run.json()["after"]["remote"], remote);
        let again = wine.mapdrive(&["map", letter, remote, "--json"]);
        assert_eq!(again.json()["changed"], false, "{}", again.stdout);
        let list = wine.mapdrive(&["list", "--json"]);
        assert!(!list.stderr.contains("remembered as"), "{}", list.stderr);
        let d = list.json();
        let entry = drive(&d, letter).unwrap();
        assert_eq!(entry["remote"], remote);
        assert_eq!(entry["status"], "OK");
    }
}

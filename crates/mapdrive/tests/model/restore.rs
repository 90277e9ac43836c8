//! `mapdrive restore`: reconnecting remembered drives where Winlogon does not (scheduled tasks,
//! WinRM), and explaining what it cannot.

use mapdrive_model::fixture::{ALICE, BOB, SVC, SVC_PW};
use mapdrive_model::{LogonKind, fixture};

use crate::support::{connected, logon, mapdrive, mapdrive_stdin, net_use_svc, ok};

#[test]
fn restore_in_a_scheduled_task_reconnects_and_is_idempotent() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    logon(&mut m, ALICE, LogonKind::Batch);
    let out = ok(&mapdrive(&mut m, &["restore", "--check", "--json"]));
    assert_eq!(out["changed"], true);
    assert!(connected(&m).is_empty(), "check mode connected nothing");
    let writes = m.writes();
    let out = ok(&mapdrive(&mut m, &["restore", "--json"]));
    assert_eq!(out["changed"], true);
    let results: Vec<&str> = out["drives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["restored", "restored"]);
    assert_eq!(connected(&m), ["M:", "P:"]);
    let again = ok(&mapdrive(&mut m, &["restore", "--json"]));
    assert_eq!(again["changed"], false);
    assert!(m.writes() > writes);
    let writes = m.writes();
    ok(&mapdrive(&mut m, &["restore"]));
    assert_eq!(m.writes(), writes, "an idempotent restore writes nothing");
}

#[test]
fn restore_from_winrm_reports_each_drive() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    logon(&mut m, ALICE, LogonKind::Network);
    let r = mapdrive(&mut m, &["restore"]);
    assert_eq!(r.code, 1, "a failed drive fails the command: {r:?}");
    assert!(r.stdout.contains("M:  failed"), "{}", r.stdout);
    assert!(r.stdout.contains("5 (ERROR_ACCESS_DENIED)"), "{}", r.stdout);
    assert!(r.stdout.contains("P:  restored"), "{}", r.stdout);
}

#[test]
fn restore_explains_a_remembered_user_without_saved_password() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    // `net use S: \\fileserver\svc /user:FILESERVER\svc PASSWORD /persistent:yes`
    net_use_svc(&mut m);
    logon(&mut m, ALICE, LogonKind::Batch);
    let r = mapdrive(&mut m, &["restore"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("S:  failed"), "{}", r.stdout);
    assert!(
        r.stdout.contains("never stores the password"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(r"mapdrive cred set fileserver --user FILESERVER\svc --prompt"),
        "{}",
        r.stdout
    );
    // Following the advice fixes it.
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
        SVC_PW,
    ));
    let out = ok(&mapdrive(&mut m, &["restore", "--json"]));
    assert_eq!(out["drives"][0]["result"], "restored");
}

/// A remembered drive whose letter SYSTEM maps globally to the same share is already reachable:
/// `restore` says so instead of skipping it as taken.
#[test]
fn restore_counts_a_global_drive_of_the_same_share_as_connected() {
    let mut m = fixture::corp();
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

//! Every Win32 error the fake provider can produce reaches the user with code, name and remedy.

use crate::harness::{BOB_PASSWORD, CAROL_PASSWORD, Prefix, assert_no_secret, default_fixture};

#[track_caller]
fn expect_error(wine: &mut Prefix, args: &[&str], code: u32, name: &str, remedy_part: &str) {
    let run = wine.mapdrive(args);
    assert_eq!(run.code, 1, "{args:?}: {run:?}");
    assert!(
        run.stderr.contains(&format!("{code} ({name})")),
        "{args:?}: {}",
        run.stderr
    );
    assert!(run.stderr.contains(remedy_part), "{args:?}: {}", run.stderr);
    let json = wine.mapdrive(&[args, &["--json"]].concat());
    assert_eq!(json.code, 1);
    let v = json.json();
    assert_eq!(v["failed"], true);
    assert_eq!(v["error"]["code"], code);
    assert_eq!(v["error"]["name"], name);
}

/// mapdrive.exe reaches its exit path and says something on every failure: the marker
/// (`MAPDRIVE_DIAG_FILE`) shows the start, the exit code and that its output was written — what
/// tells a silent exit of mapdrive from Wine failing to start it (issue 13).
#[test]
fn a_failure_reaches_the_exit_path_and_is_said() {
    let mut wine = Prefix::new();
    for args in [
        &["map", "M:", r"\\deadserver\x"][..],
        &["map", "M:", r"\\deadserver\x", "--json"][..],
        &["unmap", "TT:"][..],
    ] {
        let run = wine.mapdrive(args);
        assert_ne!(run.code, 0, "{args:?}: {run:?}");
        assert!(run.diag.starts_with("start pid "), "{args:?}: {run:?}");
        let exit = format!("exit {} stdout ", run.code);
        assert!(run.diag.contains(&exit), "{args:?}: {run:?}");
        assert!(!run.diag.contains("write failed"), "{args:?}: {run:?}");
        assert!(
            !(run.stdout.trim().is_empty() && run.stderr.trim().is_empty()),
            "{args:?}: {run:?}"
        );
    }
}

/// The harness's report of a run that ended without output says whether mapdrive.exe started,
/// and probes Wine with its error traces on (here for a stand-in run that never started it).
#[test]
fn a_silent_exit_is_diagnosed() {
    let wine = Prefix::new();
    let status = std::process::Command::new("false").status().unwrap();
    assert!(crate::harness::silent_failure(&status, "", " \n"));
    let report = crate::harness::diagnose_silent_exit(
        wine.path(),
        &status,
        &wine.path().join("no-such-diag.txt"),
    );
    assert!(report.contains("never reached main()"), "{report}");
    assert!(report.contains("mapdrive "), "{report}");
    assert!(report.contains("probe"), "{report}");
}

#[test]
fn connect_errors_are_explained() {
    let mut wine = Prefix::new();
    expect_error(
        &mut wine,
        &["map", "M:", r"\\nosuchserver\share"],
        53,
        "ERROR_BAD_NETPATH",
        "check the server name",
    );
    expect_error(
        &mut wine,
        &["map", "M:", r"\\fileserver\nosuch"],
        67,
        "ERROR_BAD_NET_NAME",
        "net view",
    );
    expect_error(
        &mut wine,
        &["map", "M:", r"\\fileserver\team"],
        5,
        "ERROR_ACCESS_DENIED",
        "save a credential",
    );
    expect_error(
        &mut wine,
        &["map", "M:", r"\\deadserver\x"],
        1203,
        "ERROR_NO_NET_OR_BAD_PATH",
        "Workstation",
    );
    expect_error(
        &mut wine,
        &["map", "M:", r"\\fileserver\conflict"],
        1219,
        "ERROR_SESSION_CREDENTIAL_CONFLICT",
        "IPC$",
    );
    // Nothing was left behind by the failures.
    assert!(wine.reg_values(r"HKCU\Network\M").is_none());
}

#[test]
fn bad_credentials_are_explained() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive_stdin(
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--password-stdin",
        ],
        "nope\n",
    );
    assert!(
        run.stderr.contains("86 (ERROR_INVALID_PASSWORD)"),
        "{}",
        run.stderr
    );
    let run = wine.mapdrive_stdin(
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--user",
            r"CORP\mallory",
            "--password-stdin",
        ],
        "nope\n",
    );
    assert!(
        run.stderr.contains("1326 (ERROR_LOGON_FAILURE)"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
}

#[test]
fn session_credential_conflict_from_a_second_user() {
    let mut wine = Prefix::new();
    wine.mapdrive_stdin(
        &[
            "map",
            "M:",
            r"\\nas\media",
            "--user",
            r"NAS\bob",
            "--password-stdin",
        ],
        &format!("{BOB_PASSWORD}\n"),
    )
    .success();
    let run = wine.mapdrive_stdin(
        &[
            "map",
            "N:",
            r"\\nas\media",
            "--user",
            r"NAS\carol",
            "--password-stdin",
        ],
        &format!("{CAROL_PASSWORD}\n"),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("1219 (ERROR_SESSION_CREDENTIAL_CONFLICT)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("FQDN or IP address"), "{}", run.stderr);
    assert_no_secret(&wine.transcript);
}

#[test]
fn open_files_and_busy_devices_need_force() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "B:", r"\\fileserver\busy"])
        .success();
    let run = wine.mapdrive(&["unmap", "B:"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("2401 (ERROR_OPEN_FILES)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(
        wine.reg_values(r"HKCU\Network\B").is_some(),
        "nothing removed without --force"
    );
    wine.mapdrive(&["unmap", "B:", "--force"]).success();
    assert!(wine.reg_values(r"HKCU\Network\B").is_none());

    wine.mapdrive(&["map", "L:", r"\\fileserver\locked"])
        .success();
    let run = wine.mapdrive(&["unmap", "L:"]);
    assert!(
        run.stderr.contains("2404 (ERROR_DEVICE_IN_USE)"),
        "{}",
        run.stderr
    );
    wine.mapdrive(&["unmap", "L:", "--force"]).success();
}

#[test]
fn no_network_provider() {
    let mut wine = Prefix::new();
    wine.wine_reg(&[
        "delete",
        r"HKLM\System\CurrentControlSet\Control\NetworkProvider\Order",
        "/v",
        "ProviderOrder",
        "/f",
    ]);
    let run = wine.mapdrive(&["map", "M:", r"\\fileserver\public"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("1222 (ERROR_NO_NETWORK)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("LanmanWorkstation"), "{}", run.stderr);
    // list still shows local disks, with a warning.
    let list = wine.mapdrive(&["list"]);
    assert_eq!(list.code, 0, "{list:?}");
    assert!(
        list.stderr.contains("no network provider"),
        "{}",
        list.stderr
    );
    let doctor = wine.mapdrive(&["doctor"]);
    doctor.success();
    assert!(
        doctor.stdout.contains("error MD013 [no-network]"),
        "{}",
        doctor.stdout
    );
}

/// ERROR_EXTENDED_ERROR (1208) from a provider (WebDAV and third-party providers report
/// failures only this way) is followed at once by WNetGetLastErrorW. Wine's is a stub that
/// fails, so here the report says the provider's own error could not be read; on Windows it
/// carries the provider's code, text and name (issue 8).
#[test]
fn extended_error_reports_the_provider() {
    let mut wine = Prefix::new();
    let mut fixture = default_fixture();
    if let Some(servers) = fixture["servers"].as_array_mut() {
        servers.push(serde_json::json!({
            "name": "davhost",
            "connect_error": 1208,
            "shares": [{ "name": "x", "anonymous": true }]
        }));
    }
    wine.set_fixture(&fixture);
    let run = wine.mapdrive(&["map", "M:", r"\\davhost\x"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "1208 (ERROR_EXTENDED_ERROR); the provider's own error could not be read (WNetGetLastErrorW failed with"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("act on the provider's message"),
        "{}",
        run.stderr
    );
}

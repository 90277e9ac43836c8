//! Issue 3 under Wine: restore after a "reboot" (`wineserver -k`), labels, boot-time global
//! drives as registry data, the linked-connections policy, identity plumbing and doctor.
//! Wine has one logon session (LUID 0, logon type 0, a Full token and no SYSTEM process), so
//! what only real Windows shows is covered by the session model instead.

use crate::harness::{BOB_PASSWORD, Prefix, assert_no_secret};

const BOOT_KEY: &str = r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\DOS Devices";

#[test]
fn restore_reconnects_remembered_drives_after_reboot() {
    let mut wine = Prefix::new();
    wine.mapdrive_stdin(
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        &format!("{BOB_PASSWORD}\n"),
    )
    .success();
    wine.mapdrive(&["map", "P:", r"\\fileserver\public"])
        .success();
    wine.mapdrive(&["map", "N:", r"\\nas\media"]).success();
    wine.reboot();
    let check = wine.mapdrive(&["restore", "--check", "--json"]);
    check.success();
    assert_eq!(check.json()["changed"], true);
    let run = wine.mapdrive(&["restore", "--json"]);
    run.success();
    let out = run.json();
    let results: Vec<(&str, &str)> = out["drives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["letter"].as_str().unwrap(), d["result"].as_str().unwrap()))
        .collect();
    assert_eq!(results, [("N:", "restored"), ("P:", "restored")]);
    let again = wine.mapdrive(&["restore"]);
    again.success();
    assert!(again.stdout.contains("N:  connected"), "{}", again.stdout);
    assert_no_secret(&wine.transcript);
}

#[test]
fn restore_reports_a_remembered_user_without_saved_password() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "N:", r"\\fileserver\public"])
        .success();
    // What `net use N: \\nas\media /user:NAS\bob PASSWORD /persistent:yes` leaves on Windows
    // (Wine's mpr always writes an empty UserName).
    for (name, data) in [("RemotePath", r"\\nas\media"), ("UserName", r"NAS\bob")] {
        wine.wine_reg(&["add", r"HKCU\Network\N", "/v", name, "/d", data, "/f"]);
    }
    wine.reboot();
    let doctor = wine.mapdrive(&["doctor", "--json"]);
    doctor.success();
    let codes: Vec<String> = doctor.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"MD003".to_string()), "{codes:?}");
    let run = wine.mapdrive(&["restore"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("N:  failed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("86 (ERROR_INVALID_PASSWORD)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(r"mapdrive cred set nas --user NAS\bob --prompt"),
        "{}",
        run.stdout
    );
    wine.mapdrive_stdin(
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        &format!("{BOB_PASSWORD}\n"),
    )
    .success();
    let run = wine.mapdrive(&["restore", "--json"]);
    run.success();
    assert_eq!(run.json()["drives"][0]["result"], "restored");
    assert_no_secret(&wine.transcript);
}

#[test]
fn label_is_written_under_mount_points2() {
    let mut wine = Prefix::new();
    wine.mapdrive(&[
        "map",
        "P:",
        r"\\fileserver\public",
        "--label",
        "Public files",
    ])
    .success();
    let vals = wine
        .reg_values(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\MountPoints2\##fileserver#public")
        .expect("label key");
    assert_eq!(
        vals,
        [(
            "_LabelFromReg".to_string(),
            "REG_SZ".to_string(),
            "Public files".to_string()
        )]
    );
    let again = wine.mapdrive(&[
        "map",
        "P:",
        r"\\fileserver\public",
        "--label",
        "Public files",
        "--json",
    ]);
    assert_eq!(again.json()["changed"], false);
    let list = wine.mapdrive(&["list"]);
    assert!(list.stdout.contains("Public files"), "{}", list.stdout);
}

#[test]
fn boot_time_global_drive_is_registry_data() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive(&[
        "map",
        "Y:",
        r"\\fileserver\public",
        "--global",
        "--at-boot",
        "--json",
    ]);
    run.success();
    assert_eq!(run.json()["changed"], true);
    let vals = wine.reg_values(BOOT_KEY).unwrap();
    assert!(
        vals.contains(&(
            "Y:".to_string(),
            "REG_SZ".to_string(),
            r"\Device\LanmanRedirector\;Y:00000000000003e7\fileserver\public".to_string()
        )),
        "{vals:?}"
    );
    assert_eq!(
        wine.mapdrive(&[
            "map",
            "Y:",
            r"\\fileserver\public",
            "--global",
            "--at-boot",
            "--json"
        ])
        .json()["changed"],
        false
    );
    let refused = wine.mapdrive(&["map", "Y:", r"\\nas\media", "--global", "--at-boot"]);
    assert_eq!(refused.code, 3);
    let list = wine.mapdrive(&["list", "--json"]);
    assert_eq!(list.json()["boot_devices"][0]["name"], "Y:");
    // Wine has no smss: the value does not become a DOS device at "boot" (Windows creates it).
    // Immediate global mappings need SYSTEM, which no Wine process is.
    let now = wine.mapdrive(&["map", "G:", r"\\fileserver\public", "--global"]);
    assert_eq!(now.code, 3);
    assert!(now.stderr.contains("needs SYSTEM"), "{}", now.stderr);
    wine.mapdrive(&["unmap", "Y:", "--global", "--at-boot"])
        .success();
    assert!(
        !wine
            .reg_values(BOOT_KEY)
            .unwrap()
            .iter()
            .any(|v| v.0 == "Y:")
    );
}

#[test]
fn malformed_boot_value_is_diagnosed() {
    let mut wine = Prefix::new();
    wine.wine_reg(&[
        "add",
        BOOT_KEY,
        "/v",
        "Q:",
        "/d",
        r"\Device\LanmanRedirector\;Q:0000000000000327\fileserver\public",
        "/f",
    ]);
    let run = wine.mapdrive(&["doctor", "Q:"]);
    run.success();
    assert!(
        run.stdout.contains("error MD006 [boot-device-malformed]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("the logon id is 0x327"),
        "{}",
        run.stdout
    );
}

#[test]
fn linked_connections_policy_round_trip() {
    let mut wine = Prefix::new();
    let show = wine.mapdrive(&["policy", "linked-connections"]);
    show.success();
    assert!(show.stdout.contains("not configured"), "{}", show.stdout);
    let on = wine.mapdrive(&["policy", "linked-connections", "on", "--json"]);
    on.success();
    assert_eq!(on.json()["changed"], true);
    let vals = wine
        .reg_values(r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System")
        .unwrap();
    assert!(
        vals.contains(&(
            "EnableLinkedConnections".into(),
            "REG_DWORD".into(),
            "0x1".into()
        )),
        "{vals:?}"
    );
    assert_eq!(
        wine.mapdrive(&["whoami", "--json"]).json()["linked_connections"],
        "enabled"
    );
    wine.mapdrive(&["policy", "linked-connections", "unset"])
        .success();
    assert_eq!(
        wine.mapdrive(&["policy", "linked-connections", "--json"])
            .json()["linked_connections"],
        "not_configured"
    );
}

#[test]
fn doctor_after_reboot_on_wines_single_session() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "P:", r"\\fileserver\public"])
        .success();
    wine.reboot();
    let run = wine.mapdrive(&["doctor"]);
    run.success();
    // The Unix user and host name Wine reports differ between machines.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"doctor: \S+ in logon", "doctor: [USER] in logon");
    settings.bind(|| insta::assert_snapshot!(run.stdout));
    let json = wine.mapdrive(&["doctor", "--json"]).json();
    assert_eq!(
        json["identity"]["elevation"], "Full",
        "Wine reports a Full token"
    );
    assert_eq!(
        json["identity"]["logon_id"], "0x0",
        "Wine reports LUID 0 for every token"
    );
}

#[test]
fn session_choice_on_a_full_token_without_system() {
    let mut wine = Prefix::new();
    // Wine gives every process a Full token and has no SYSTEM process to borrow SeTcb from.
    let auto = wine.mapdrive(&["map", "P:", r"\\fileserver\public"]);
    auto.success();
    // The README's demo excerpt shows this exact warning.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let warning = auto
        .stderr
        .lines()
        .find(|l| l.starts_with("warning:"))
        .expect("a warning");
    assert!(
        readme.contains(warning),
        "README's demo excerpt should show the warning as printed: {warning}"
    );
    assert!(
        auto.stderr.contains("limited token is unavailable"),
        "{}",
        auto.stderr
    );
    // Every process opens (same user), none is SYSTEM's: the search says that no SYSTEM token
    // holds SeTcbPrivilege, not the last process's error (issue 8).
    assert!(
        auto.stderr
            .contains("(1314 ERROR_PRIVILEGE_NOT_HELD); see `mapdrive whoami`"),
        "{}",
        auto.stderr
    );
    let current = wine.mapdrive(&["map", "Q:", r"\\fileserver\public", "--session", "current"]);
    current.success();
    assert!(current.stderr.is_empty(), "{}", current.stderr);
    let limited = wine.mapdrive(&["map", "R:", r"\\fileserver\public", "--session", "limited"]);
    assert_eq!(limited.code, 1, "{limited:?}");
    assert!(
        limited
            .stderr
            .contains("could not act in the limited (non-elevated) logon session"),
        "{}",
        limited.stderr
    );
    assert!(
        limited.stderr.contains("SeTcbPrivilege"),
        "{}",
        limited.stderr
    );
    assert!(
        wine.reg_values(r"HKCU\Network\R").is_none(),
        "nothing changed"
    );
}

/// whoami asks Windows (CredGetSessionTypes) what this session may store, and names the linked
/// token's account and the desktop's user; under Wine they agree, so there is no warning.
#[test]
fn whoami_reports_credential_caps_and_session_users() {
    let mut wine = Prefix::new();
    let run = wine.mapdrive(&["whoami", "--json"]);
    run.success();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let v = run.json();
    assert_eq!(
        v["credential_persistence"]["domain_password"], "enterprise",
        "{v}"
    );
    assert_eq!(
        v["credential_persistence"]["generic_password"], "enterprise",
        "{v}"
    );
    assert_eq!(v["session_users"]["linked"]["sid"], v["sid"], "{v}");
    assert_eq!(v["session_users"]["interactive"]["sid"], v["sid"], "{v}");
    assert!(v["owner_mismatch"].is_null(), "{v}");
    let text = wine.mapdrive(&["whoami"]);
    text.success();
    assert!(
        text.stdout
            .contains("domain_password up to enterprise, generic_password up to enterprise (CredGetSessionTypes)"),
        "{}",
        text.stdout
    );
}

/// Issue 17: the real exe's `mapdrive sessions` with the fake provider's drives. Wine has one
/// logon session (LUID 0, logon type 0, drawn "system"; a Full token whose linked token is the
/// same LUID), no SYSTEM process, and one DOS-device namespace, the directory `\??` (there is no
/// `\GLOBAL??`): so the drives the provider defines are drawn in that namespace, made by this
/// process's session, and a remembered entry without a drive in this session. Whether Wine's
/// desktop process (explorer.exe) is running depends on the prefix, so the `[Explorer]` mark is
/// left out of the snapshot.
#[test]
fn sessions_picture_of_wines_single_logon_session() {
    let mut wine = Prefix::new();
    wine.mapdrive(&["map", "P:", r"\\fileserver\public"])
        .success();
    wine.mapdrive_stdin(
        &[
            "map",
            "N:",
            r"\\nas\media",
            "--user",
            r"NAS\bob",
            "--password-stdin",
        ],
        &format!("{BOB_PASSWORD}\n"),
    )
    .success();
    // Remembered by an earlier logon, not connected now (what Winlogon would restore).
    for (name, kind, data) in [
        ("RemotePath", "REG_SZ", r"\\fileserver\team"),
        ("ProviderName", "REG_SZ", "Fake SMB"),
        ("ConnectionType", "REG_DWORD", "1"),
        ("UserName", "REG_SZ", ""),
    ] {
        wine.wine_reg(&[
            "add",
            r"HKCU\Network\R",
            "/v",
            name,
            "/t",
            kind,
            "/d",
            data,
            "/f",
        ]);
    }
    let tree = wine.mapdrive(&["sessions"]);
    tree.success();
    println!("{}", tree.stdout);
    assert!(
        tree.stderr
            .contains(r"there is no \GLOBAL?? directory: read \?? instead"),
        "{}",
        tree.stderr
    );
    for line in tree.stdout.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    let json = wine.mapdrive(&["sessions", "--json"]);
    json.success();
    let v = json.json();
    assert_eq!(v["global"]["directory"], r"\??");
    let sessions = v["terminal_sessions"][0]["logon_sessions"]
        .as_array()
        .unwrap();
    assert_eq!(sessions.len(), 1, "Wine has one logon session: {v:#}");
    let me = &sessions[0];
    assert_eq!(me["logon_id"], "0x0");
    assert_eq!(me["this_process"], true);
    assert!(me["linked_logon_id"].is_null(), "no pair with itself");
    let remembered = me["drives"].as_array().unwrap();
    assert_eq!(remembered.len(), 1, "{v:#}");
    assert_eq!(remembered[0]["letter"], "R:");
    assert_eq!(remembered[0]["status"], "remembered_not_connected");
    let global = v["global"]["drives"].as_array().unwrap();
    for letter in ["N:", "P:"] {
        let d = global.iter().find(|d| d["letter"] == letter).unwrap();
        assert_eq!(d["status"], "connected", "{d}");
        assert_eq!(d["made_by"], "0x0", "{d}");
        assert_eq!(d["remembered"], true, "{d}");
    }
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schemas/sessions.json"
        ))
        .unwrap(),
    )
    .unwrap();
    if let Err(e) = jsonschema::validator_for(&schema).unwrap().validate(&v) {
        panic!("sessions --json does not match schemas/sessions.json: {e}");
    }
    let mermaid = wine.mapdrive(&["sessions", "--format", "mermaid"]);
    mermaid.success();
    assert!(
        mermaid.stdout.starts_with("flowchart LR\n"),
        "{}",
        mermaid.stdout
    );
    assert!(
        mermaid
            .stdout
            .contains(r#"G_P["P: \\fileserver\public<br/>"#),
        "{}",
        mermaid.stdout
    );
    let ascii = wine.mapdrive(&["sessions", "--ascii"]);
    ascii.success();
    assert!(ascii.stdout.is_ascii(), "{}", ascii.stdout);
    assert_no_secret(&wine.transcript);
    let mut settings = insta::Settings::clone_current();
    // The Unix user and host name Wine reports differ between machines.
    settings.add_filter(r"seen by \S+ from", "seen by [USER] from");
    settings.add_filter(r"0x0  \S+  system", "0x0  [USER]  system");
    settings.add_filter(r" \[Explorer\]", "");
    settings.bind(|| insta::assert_snapshot!(tree.stdout));
}

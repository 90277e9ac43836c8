//! The `mapdrive` front-end run against the session model: what a user sees in the logon
//! sessions Wine cannot show (split tokens, WinRM, scheduled tasks, SYSTEM, reboots).

use std::io;

use clap::Parser;
use mapdrive::cli::{Cli, run};
use mapdrive::frontend::report::Report;
use mapdrive_core::engine::SecretInput;
use mapdrive_core::port::Port;
use mapdrive_model::{LogonKind, Machine, ShareAccess};
use zeroize::Zeroizing;

use crate::support::{connected, l, remembered, secret, unc};

pub const ALICE: &str = r"CORP\alice";
pub const ALICE_PW: &str = "alice-Pw-41";
pub const BOB: &str = r"CORP\bob";
pub const BOB_PW: &str = "bob-Pw-42";
pub const SVC: &str = r"FILESERVER\svc";
pub const SVC_PW: &str = "svc-Pw-43";

/// Supplies stdin lines and prompt answers.
struct Input(String);

impl SecretInput for Input {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
    fn prompt(&mut self, _prompt: &str) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
}

/// A domain host: alice is an administrator (split token), bob a standard user, svc an account
/// only the file server knows.
pub fn host() -> Machine {
    let mut m = Machine::new();
    m.add_user(ALICE, "S-1-5-21-1-1001", ALICE_PW, true);
    m.add_user(BOB, "S-1-5-21-1-1002", BOB_PW, false);
    for (user, pw) in [(ALICE, ALICE_PW), (BOB, BOB_PW), (SVC, SVC_PW)] {
        m.add_account("fileserver", user, pw);
    }
    m.add_share("fileserver", "team", ShareAccess::only(&[ALICE, BOB]));
    m.add_share("fileserver", "svc", ShareAccess::only(&[SVC]));
    m.add_share("fileserver", "public", ShareAccess::anyone());
    m
}

/// Logs `user` on and runs the next commands in that (limited or default) session.
pub fn logon(m: &mut Machine, user: &str, kind: LogonKind) -> mapdrive_core::domain::Luid {
    let luid = m.logon(user, kind).unwrap();
    m.run_in(luid).unwrap();
    luid
}

/// `net use S: \\fileserver\svc /user:FILESERVER\svc PASSWORD /persistent:yes`: Windows remembers
/// the user name, never the password.
pub fn net_use_svc(m: &mut Machine) {
    m.add_connection(
        l("S:"),
        &unc(r"\\fileserver\svc"),
        Some(SVC),
        Some(&secret(SVC_PW)),
        true,
    )
    .unwrap();
}

/// `mapdrive map S: \\fileserver\svc --user FILESERVER\svc --password-stdin`, which must succeed.
pub fn map_svc(m: &mut Machine) {
    ok(&mapdrive_stdin(
        m,
        &[
            "map",
            "S:",
            r"\\fileserver\svc",
            "--user",
            SVC,
            "--password-stdin",
        ],
        SVC_PW,
    ));
}

pub fn mapdrive(m: &mut Machine, args: &[&str]) -> Report {
    mapdrive_stdin(m, args, "")
}

pub fn mapdrive_stdin(m: &mut Machine, args: &[&str], stdin: &str) -> Report {
    let cli = Cli::try_parse_from(std::iter::once("mapdrive").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let report = run(cli, Some(m), &mut Input(stdin.to_string()));
    crate::contract::check(args, &report);
    report
}

#[track_caller]
pub fn ok(r: &Report) -> serde_json::Value {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null)
}

fn drive<'a>(list: &'a serde_json::Value, letter: &str) -> Option<&'a serde_json::Value> {
    list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == letter)
}

#[test]
fn elevated_admin_maps_in_the_limited_session_by_default() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let out = ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--json"],
    ));
    assert_eq!(out["changed"], true);
    assert_eq!(out["after"]["remembered"], true);
    assert!(out["warnings"].as_array().unwrap().is_empty(), "{out}");
    // The elevated process itself does not see it (separate logon session) ...
    assert!(connected(&m).is_empty());
    // ... but `list` looks where mapdrive acts: the limited session.
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    assert_eq!(list["identity"]["elevation"], "Limited");
    assert_eq!(drive(&list, "M:").unwrap()["status"], "OK");
    let here = ok(&mapdrive(
        &mut m,
        &["list", "--session", "current", "--json"],
    ));
    assert_eq!(here["identity"]["elevation"], "Full");
    assert_eq!(drive(&here, "M:").unwrap()["status"], "Unavailable");
    let both = ok(&mapdrive(&mut m, &["list", "--session", "both", "--json"]));
    assert_eq!(both["sessions"].as_array().unwrap().len(), 2);
    // ... Explorer's limited session does, and it survives a new logon.
    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["M:"]);
    assert_eq!(remembered(&m), ["M:"]);
    m.logoff(limited).unwrap();
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(connected(&m), ["M:"], "Winlogon restored it");
}

#[test]
fn session_current_from_elevated_is_remembered_by_mapdrive_and_converges() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let args = [
        "map",
        "M:",
        r"\\fileserver\team",
        "--session",
        "current",
        "--json",
    ];
    let out = ok(&mapdrive(&mut m, &args));
    assert_eq!(out["after"]["connected"], true);
    // Windows does not persist a Full token's mapping; mapdrive writes HKCU\Network itself.
    assert_eq!(out["after"]["remembered"], true);
    let warning = out["warnings"][0].as_str().unwrap();
    assert!(warning.contains("Windows did not remember M:"), "{warning}");
    assert_eq!(connected(&m), ["M:"]);
    let writes = m.writes();
    let again = ok(&mapdrive(&mut m, &args));
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(m.writes(), writes);
}

#[test]
fn session_both_maps_in_both_halves_of_the_split_token() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--session",
            "both",
            "--json",
        ],
    ));
    assert_eq!(out["changed"], true);
    let sessions = out["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(connected(&m), ["M:"], "elevated half");
    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["M:"], "limited half");
    // From the limited half alone, `both` cannot reach the elevated twin.
    let r = mapdrive(
        &mut m,
        &["map", "N:", r"\\fileserver\public", "--session", "both"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("needs an elevated process"),
        "{}",
        r.stderr
    );
}

#[test]
fn runas_and_winrm_list_remembered_drives_as_unavailable() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    for kind in [LogonKind::Runas, LogonKind::Network, LogonKind::Batch] {
        logon(&mut m, ALICE, kind);
        let list = ok(&mapdrive(&mut m, &["list", "--json"]));
        let d = drive(&list, "M:").unwrap_or_else(|| panic!("{kind:?}: {list}"));
        assert_eq!(d["status"], "Unavailable", "{kind:?}");
        assert_eq!(d["remembered"], true);
    }
}

#[test]
fn restore_in_a_scheduled_task_reconnects_and_is_idempotent() {
    let mut m = host();
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
    let mut m = host();
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
    let mut m = host();
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

#[test]
fn user_mapping_blanks_user_name_so_the_saved_credential_reconnects_at_logon() {
    let mut m = host();
    let luid = logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
        SVC_PW,
    ));
    map_svc(&mut m);
    let r = m.remembered().unwrap();
    assert_eq!(r[0].user_name.as_deref(), Some(""), "UserName blanked");
    m.logoff(luid).unwrap();
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(
        connected(&m),
        ["S:"],
        "reconnected at logon through the saved credential"
    );
}

#[test]
fn global_mapping_needs_system_and_is_seen_by_everyone() {
    let mut m = host();
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
    let mut m = host();
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

#[test]
fn label_is_written_once_and_listed() {
    let mut m = host();
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
fn linked_connections_policy_takes_effect_after_restart() {
    let mut m = host();
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

#[test]
fn winrm_cannot_use_the_credential_manager() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Network);
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            ALICE,
            "--secret-stdin",
        ],
        ALICE_PW,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("1312 (ERROR_NO_SUCH_LOGON_SESSION)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("become"), "{}", r.stderr);
    assert!(!r.stderr.contains(ALICE_PW));
}

#[test]
fn idempotent_reruns_and_check_mode_write_nothing() {
    let mut m = host();
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

#[test]
fn secrets_never_appear_in_any_output() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let mut all = String::new();
    for (args, stdin) in [
        (
            vec![
                "cred",
                "set",
                "fileserver",
                "--user",
                SVC,
                "--secret-stdin",
                "--json",
            ],
            SVC_PW,
        ),
        (
            vec!["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
            SVC_PW,
        ),
        (
            vec![
                "map",
                "S:",
                r"\\fileserver\svc",
                "--user",
                SVC,
                "--password-stdin",
                "--json",
            ],
            SVC_PW,
        ),
        (
            vec![
                "map",
                "T:",
                r"\\fileserver\team",
                "--user",
                ALICE,
                "--password-stdin",
            ],
            "wrong-but-secret",
        ),
        (vec!["cred", "list", "--json"], ""),
        (vec!["list", "--json"], ""),
        (vec!["doctor", "--json"], ""),
        (vec!["doctor"], ""),
    ] {
        let r = mapdrive_stdin(&mut m, &args, stdin);
        all.push_str(&r.stdout);
        all.push_str(&r.stderr);
    }
    for secret in [SVC_PW, ALICE_PW, "wrong-but-secret"] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
}

#[test]
fn empty_secret_is_refused_and_changes_nothing() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let writes = m.writes();
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            ALICE,
            "--secret-stdin",
        ],
        "\n",
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("invalid secret: it is empty"),
        "{}",
        r.stderr
    );
    assert_eq!(m.writes(), writes);
    // Without a secret option, a user-only entry is written (like `cmdkey /add` without /pass).
    let out = ok(&mapdrive(
        &mut m,
        &["cred", "set", "fileserver", "--user", ALICE, "--json"],
    ));
    assert_eq!(
        out["actions"][0].as_str().unwrap(),
        "write domain_password credential fileserver without a secret"
    );
}

#[test]
fn system_is_told_how_to_remove_a_boot_time_drive() {
    let mut m = host();
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

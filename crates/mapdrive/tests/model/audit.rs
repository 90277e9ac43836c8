//! The audit trail on the session model: every change any front-end makes (CLI, Ansible, DSC
//! documents) writes exactly one event through the port, with the right ID, the acting user's
//! SID and the logon session it was made in; every failed change one error event with the Win32
//! code and name; a document run one summary. Reads, check mode and no-op re-runs write none, no
//! event holds a secret, and `eventlog install|remove` registers the source idempotently. (Wine's
//! `ReportEventW` records nothing, so this is where the events themselves are checked.)

use mapdrive_core::audit::{AuditKind, Severity, TYPES_SUPPORTED};
use mapdrive_core::domain::Luid;
use mapdrive_model::fixture::{
    ALICE, ALICE_PW, BOB, BOB_PW, CAROL_PW, LOCAL_ADMIN_PW, SVC, SVC_PW,
};
use mapdrive_model::{EXECUTABLE, LogonKind, Machine, ReportedEvent, fixture};
use serde_json::json;

use crate::support::{doc_named, logon, mapdrive, mapdrive_lines, mapdrive_stdin, ok};

const BOB_SID: &str = "S-1-5-21-1-1002";
const ALICE_SID: &str = "S-1-5-21-1-1001";
const CRED_SECRET: &str = "Audit-S3cret-77";

fn bob() -> (Machine, Luid) {
    let mut m = fixture::corp();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    (m, luid)
}

/// The events written since `from`.
fn since(m: &Machine, from: usize) -> Vec<ReportedEvent> {
    m.audit_events()[from..].to_vec()
}

/// No event holds any of the test secrets, in any field.
#[track_caller]
fn no_secret_in_events(m: &Machine) {
    let all = serde_json::to_string(m.audit_events()).unwrap();
    let texts: String = m.audit_events().iter().map(|e| e.event.text()).collect();
    for s in [
        CRED_SECRET,
        BOB_PW,
        ALICE_PW,
        SVC_PW,
        CAROL_PW,
        LOCAL_ADMIN_PW,
    ] {
        assert!(
            !all.contains(s) && !texts.contains(s),
            "{s} in an event: {all}"
        );
    }
}

#[test]
fn one_event_per_change_with_the_users_sid_and_logon_session() {
    let (mut m, luid) = bob();
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0].event;
    assert_eq!(e.kind, AuditKind::DriveMapped);
    assert_eq!(e.kind.id(), 1000);
    assert_eq!(e.severity, Severity::Information);
    assert_eq!(e.subject, "P:");
    assert_eq!(e.before, "gone");
    assert_eq!(e.after, r"\\fileserver\public (connected, remembered)");
    assert_eq!(e.actor.sid, BOB_SID);
    assert_eq!(e.actor.account, BOB);
    assert_eq!(e.actor.logon_id, Some(luid));
    assert_eq!(ev[0].token, Some(luid), "reported from the token acted in");
    let ins = e.inserts();
    assert_eq!(ins[0], "P:");
    assert_eq!(ins[4], BOB_SID);
    assert_eq!(ins[5], luid.to_string());

    // The same command again changes nothing and logs nothing.
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    assert_eq!(m.audit_events().len(), 1, "a no-op re-run was logged");

    // Another share on the same letter: re-mapped, with before and after.
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\team"]));
    let e = &since(&m, 1)[0].event;
    assert_eq!(e.kind, AuditKind::DriveRemapped);
    assert_eq!(e.before, r"\\fileserver\public (connected, remembered)");
    assert_eq!(e.after, r"\\fileserver\team (connected, remembered)");

    ok(&mapdrive(&mut m, &["unmap", "P:"]));
    let ev = since(&m, 2);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].event.kind, AuditKind::DriveUnmapped);
    assert_eq!(ev[0].event.kind.id(), 1001);
    assert_eq!(ev[0].event.after, "gone");
    ok(&mapdrive(&mut m, &["unmap", "P:"]));
    assert_eq!(m.audit_events().len(), 3, "unmapping nothing was logged");
}

#[test]
fn reads_and_check_mode_write_no_event() {
    let (mut m, _) = bob();
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    let n = m.audit_events().len();
    for args in [
        vec!["list"],
        vec!["list", "--json"],
        vec!["whoami"],
        vec!["cred", "list"],
        vec!["doctor"],
        vec!["sessions"],
        vec!["policy", "linked-connections"],
        vec!["restore"],
        vec!["eventlog", "install", "--check"],
        vec!["map", "T:", r"\\fileserver\team", "--check"],
        vec!["unmap", "P:", "--check"],
        vec!["cred", "remove", "fileserver", "--check"],
        vec!["policy", "linked-connections", "on", "--check"],
    ] {
        mapdrive(&mut m, &args);
        assert_eq!(m.audit_events().len(), n, "{args:?} wrote an event");
    }
    let r = mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            BOB,
            "--secret-stdin",
            "--check",
        ],
        CRED_SECRET,
    );
    ok(&r);
    assert_eq!(m.audit_events().len(), n, "cred set --check wrote an event");
}

#[test]
fn credentials_are_logged_without_their_secret() {
    let (mut m, luid) = bob();
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "fileserver", "--user", SVC, "--secret-stdin"],
        SVC_PW,
    ));
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "app:backup",
            "--type",
            "generic",
            "--user",
            "svc",
            "--secret-stdin",
        ],
        CRED_SECRET,
    ));
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    for e in &ev {
        assert_eq!(e.event.kind, AuditKind::CredentialWritten);
        assert_eq!(e.event.kind.id(), 1010);
        assert_eq!(e.event.actor.sid, BOB_SID);
        assert_eq!(e.event.actor.logon_id, Some(luid));
    }
    assert_eq!(ev[0].event.before, "gone");
    assert_eq!(
        ev[0].event.after,
        r"fileserver (domain_password, user FILESERVER\svc, persistence local)"
    );
    // With the password saved, the svc share maps; a connection with an explicit password too.
    ok(&mapdrive(&mut m, &["map", "S:", r"\\fileserver\svc"]));
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "map",
            "V:",
            r"\\fileserver\svc",
            "--user",
            SVC,
            "--password-stdin",
        ],
        SVC_PW,
    ));
    ok(&mapdrive(
        &mut m,
        &["cred", "remove", "app:backup", "--type", "generic"],
    ));
    let last = m.audit_events().last().unwrap();
    assert_eq!(last.event.kind, AuditKind::CredentialRemoved);
    assert_eq!(last.event.kind.id(), 1011);
    assert_eq!(last.event.after, "gone");
    no_secret_in_events(&m);
}

#[test]
fn a_failed_change_writes_one_error_event_with_the_code_and_its_name() {
    let (mut m, luid) = bob();
    // Bob may not open svc's share.
    let r = mapdrive(&mut m, &["map", "S:", r"\\fileserver\svc"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0].event;
    assert_eq!(e.kind, AuditKind::ChangeFailed);
    assert_eq!(e.kind.id(), 1100);
    assert_eq!(e.severity, Severity::Error);
    assert_eq!(e.subject, "S:");
    assert_eq!(e.after, r"map S: to \\fileserver\svc");
    assert_eq!(e.actor.sid, BOB_SID);
    assert_eq!(e.actor.logon_id, Some(luid));
    let code = e.code.expect("a Win32 code");
    let ins = e.inserts();
    assert_eq!(ins[7], code.to_string());
    assert_eq!(ins[8], mapdrive_core::error::error_name(code));
    assert!(ins[8].starts_with("ERROR_"), "{ins:?}");
    // The wrong password: refused, logged, and the password typed is nowhere in it.
    let r = mapdrive_stdin(
        &mut m,
        &[
            "map",
            "V:",
            r"\\fileserver\svc",
            "--user",
            SVC,
            "--password-stdin",
        ],
        CRED_SECRET,
    );
    assert_ne!(r.code, 0);
    assert_eq!(m.audit_events().len(), 2);
    assert_eq!(m.audit_events()[1].event.kind, AuditKind::ChangeFailed);
    // In check mode a change that would fail logs nothing.
    mapdrive(&mut m, &["map", "S:", r"\\fileserver\svc", "--check"]);
    assert_eq!(m.audit_events().len(), 2);
    no_secret_in_events(&m);
}

#[test]
fn both_halves_of_a_split_token_each_get_their_event() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let full = m.linked(limited).unwrap();
    ok(&mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--session", "both"],
    ));
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    let sessions: Vec<Option<Luid>> = ev.iter().map(|e| e.event.actor.logon_id).collect();
    assert!(sessions.contains(&Some(limited)), "{sessions:?}");
    assert!(sessions.contains(&Some(full)), "{sessions:?}");
    for e in &ev {
        assert_eq!(e.event.actor.sid, ALICE_SID);
        assert_eq!(
            e.token, e.event.actor.logon_id,
            "reported under its own token"
        );
    }
}

#[test]
fn machine_wide_changes_have_their_own_ids() {
    let mut m = fixture::corp();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global"],
    ));
    ok(&mapdrive(
        &mut m,
        &["map", "H:", r"\\fileserver\public", "--global", "--at-boot"],
    ));
    ok(&mapdrive(&mut m, &["policy", "linked-connections", "on"]));
    ok(&mapdrive(&mut m, &["unmap", "H:", "--global", "--at-boot"]));
    ok(&mapdrive(&mut m, &["unmap", "G:", "--global"]));
    let kinds: Vec<(u32, &str)> = m
        .audit_events()
        .iter()
        .map(|e| (e.event.kind.id(), e.event.actor.sid.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (1020, "S-1-5-18"),
            (1022, "S-1-5-18"),
            (1030, "S-1-5-18"),
            (1023, "S-1-5-18"),
            (1021, "S-1-5-18"),
        ]
    );
    let policy = &m.audit_events()[2].event;
    assert_eq!(policy.subject, "EnableLinkedConnections");
    assert_eq!(
        (policy.before.as_str(), policy.after.as_str()),
        ("not_configured", "enabled")
    );
    let boot = &m.audit_events()[1].event;
    assert_eq!(boot.before, "gone");
    assert!(boot.after.starts_with("H: -> "), "{boot:?}");
    // Setting it again: nothing.
    ok(&mapdrive(&mut m, &["policy", "linked-connections", "on"]));
    assert_eq!(m.audit_events().len(), 5);
}

#[test]
fn ansible_modules_log_through_the_engine_too() {
    let (mut m, luid) = bob();
    let run = |m: &mut Machine, module: &str, args: serde_json::Value| -> serde_json::Value {
        let mut args = args;
        args["_ansible_module_name"] = json!(module);
        let out = mapdrive::frontend::ansible::run(&args.to_string(), None, Some(m));
        serde_json::from_str(&out).unwrap()
    };
    let md = "ansible.windows.win_mapped_drive";
    let v = run(
        &mut m,
        md,
        json!({"letter": "P", "path": r"\\fileserver\public"}),
    );
    assert_eq!(v["changed"], true, "{v}");
    let v = run(
        &mut m,
        md,
        json!({"letter": "P", "path": r"\\fileserver\public"}),
    );
    assert_eq!(v["changed"], false, "{v}");
    let mut checked = json!({"letter": "P", "state": "absent"});
    checked["_ansible_check_mode"] = json!(true);
    let v = run(&mut m, md, checked);
    assert_eq!(v["changed"], true, "{v}");
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event.kind, AuditKind::DriveMapped);
    assert_eq!(ev[0].event.actor.logon_id, Some(luid));
}

const DOC: &str = r#"
$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
parameters:
  secret:
    type: securestring
resources:
  - name: Public drive
    type: Mapdrive/MappedDrive
    properties:
      letter: P
      path: \\fileserver\public
      hidden: true
  - name: Backup token
    type: Mapdrive/Credential
    properties:
      name: app:backup
      type: generic_password
      username: svc
      secret: "[parameters('secret')]"
"#;

#[test]
fn a_document_logs_each_change_and_one_summary_and_a_rerun_nothing() {
    let (mut m, luid) = bob();
    let doc = doc_named("drives.yaml", DOC);
    let path = doc.path.as_str();
    let apply = |m: &mut Machine, args: &[&str]| {
        let mut all = args.to_vec();
        all.extend([path, "--secret", "secret=-"]);
        mapdrive_lines(m, &all, &[CRED_SECRET])
    };

    // test before apply: not compliant, one warning summary; apply --check: nothing.
    let r = apply(&mut m, &["test"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let ev = since(&m, 0);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event.kind, AuditKind::TestSummary);
    assert_eq!(ev[0].event.kind.id(), 1041);
    assert_eq!(ev[0].event.severity, Severity::Warning);
    assert!(ev[0].event.subject.ends_with("drives.yaml"), "{ev:#?}");
    assert_eq!(
        ev[0].event.detail,
        r.stdout.lines().last().unwrap(),
        "the summary is the last line of the output"
    );
    apply(&mut m, &["apply", "--check"]);
    assert_eq!(m.audit_events().len(), 1, "apply --check wrote an event");

    let r = apply(&mut m, &["apply"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let kinds: Vec<AuditKind> = since(&m, 1).iter().map(|e| e.event.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::DriveMapped,
            AuditKind::NoDrivesPolicy,
            AuditKind::CredentialWritten,
            AuditKind::ApplySummary,
        ]
    );
    let ev = since(&m, 1);
    assert_eq!(ev[1].event.before, "0x0");
    assert_eq!(ev[1].event.after, "0x8000");
    assert_eq!(ev[3].event.severity, Severity::Information);
    assert_eq!(ev[3].event.detail, r.stdout.lines().last().unwrap());
    assert!(ev.iter().all(|e| e.event.actor.logon_id == Some(luid)));

    // Compliant now: test and apply again write nothing.
    let n = m.audit_events().len();
    let w = m.writes();
    assert_eq!(apply(&mut m, &["test"]).code, 0);
    assert_eq!(apply(&mut m, &["apply"]).code, 0);
    assert_eq!(m.audit_events().len(), n, "a compliant run was logged");
    assert_eq!(m.writes(), w);
    no_secret_in_events(&m);
}

#[test]
fn no_command_fails_because_the_event_log_is_unavailable() {
    let (mut m, _) = bob();
    m.set_event_log_available(false);
    let mapped = mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]);
    ok(&mapped);
    assert!(
        mapped.stderr.contains("audit event was not written") && mapped.stderr.contains("1722"),
        "the user is told, with the code: {}",
        mapped.stderr
    );
    // With --json the warning is in the report and stderr stays empty.
    let unmapped = mapdrive(&mut m, &["unmap", "P:", "--json"]);
    ok(&unmapped);
    assert_eq!(unmapped.stderr, "");
    assert!(
        unmapped.stdout.contains("audit event was not written"),
        "{}",
        unmapped.stdout
    );
    assert!(m.audit_events().is_empty());
    m.set_event_log_available(true);
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    assert_eq!(m.audit_events().len(), 1);
}

#[test]
fn eventlog_install_and_remove_are_idempotent_and_need_an_administrator() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let r = mapdrive(&mut m, &["eventlog", "install", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["code"], 5, "{v}");
    assert_eq!(v["error"]["name"], "ERROR_ACCESS_DENIED", "{v}");
    let remedy = v["error"]["remedy"].as_str().unwrap();
    assert!(remedy.contains("elevated prompt"), "{remedy}");
    assert!(m.event_source_registration().is_none());

    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.run_in(limited).unwrap();
    m.elevate().unwrap();
    let w = m.writes();
    let check = ok(&mapdrive(
        &mut m,
        &["eventlog", "install", "--check", "--json"],
    ));
    assert_eq!(check["changed"], true);
    assert_eq!(check["after"]["message_file"], EXECUTABLE);
    assert_eq!(m.writes(), w, "--check wrote");

    let r = mapdrive(&mut m, &["eventlog", "install"]);
    ok(&r);
    assert!(r.stdout.contains(": changed"), "{}", r.stdout);
    let reg = m.event_source_registration().unwrap().clone();
    assert_eq!(reg.message_file, EXECUTABLE);
    assert_eq!(reg.types_supported, Some(TYPES_SUPPORTED));
    assert_eq!(m.writes(), w + 1);

    let again = ok(&mapdrive(&mut m, &["eventlog", "install", "--json"]));
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(m.writes(), w + 1, "a second install wrote");

    let removed = ok(&mapdrive(&mut m, &["eventlog", "remove", "--json"]));
    assert_eq!(removed["changed"], true, "{removed}");
    assert_eq!(removed["after"], serde_json::Value::Null);
    assert!(m.event_source_registration().is_none());
    let again = ok(&mapdrive(&mut m, &["eventlog", "remove", "--json"]));
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(m.writes(), w + 2);
    // Registering the source is not an audited change of the user's drives.
    assert!(m.audit_events().is_empty());
}

#[test]
fn restore_logs_each_drive_it_reconnects() {
    let (mut m, _) = bob();
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    // A scheduled task's logon: Winlogon restores nothing there.
    let task = logon(&mut m, BOB, LogonKind::Batch);
    let n = m.audit_events().len();
    ok(&mapdrive(&mut m, &["restore", "--check"]));
    assert_eq!(m.audit_events().len(), n, "restore --check wrote an event");
    ok(&mapdrive(&mut m, &["restore"]));
    let ev = since(&m, n);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event.kind, AuditKind::DriveMapped);
    assert_eq!(ev[0].event.subject, "P:");
    assert_eq!(ev[0].event.actor.logon_id, Some(task));
    ok(&mapdrive(&mut m, &["restore"]));
    assert_eq!(m.audit_events().len(), n + 1, "a second restore was logged");
}

#[test]
fn a_group_policy_drives_xml_logs_through_the_engine_too() {
    let (mut m, luid) = bob();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Drives.xml");
    std::fs::write(
        &file,
        r#"<?xml version="1.0" encoding="utf-8"?>
<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">
  <Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="T:" status="T:" image="2" changed="2024-02-01 09:00:00" uid="{00000000-0000-0000-0000-000000000001}">
    <Properties action="U" thisDrive="HIDE" allDrives="NOCHANGE" userName="" persistent="1" useLetter="1" letter="T" path="\\fileserver\team"/>
  </Drive>
</Drives>
"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    ok(&mapdrive(&mut m, &["apply", path, "--check"]));
    assert!(m.audit_events().is_empty(), "apply --check wrote an event");
    ok(&mapdrive(&mut m, &["apply", path]));
    let kinds: Vec<(AuditKind, Option<Luid>)> = m
        .audit_events()
        .iter()
        .map(|e| (e.event.kind, e.event.actor.logon_id))
        .collect();
    assert_eq!(
        kinds,
        [
            (AuditKind::DriveMapped, Some(luid)),
            (AuditKind::NoDrivesPolicy, Some(luid)),
            (AuditKind::ApplySummary, Some(luid)),
        ]
    );
    ok(&mapdrive(&mut m, &["apply", path]));
    assert_eq!(m.audit_events().len(), 3, "a re-run was logged");
}

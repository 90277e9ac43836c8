//! `mapdrive schedule` on the session model: the task's principal and logon type for one user
//! and for every user, `--check` printing exactly what `install` registers, idempotence (zero
//! writes on a re-run) and updates, status, remove, the administrator check and the protected
//! copies of `--all-users`, and files holding a secret refused before anything changes.

use mapdrive::frontend::report::Report;
use mapdrive_core::schedule::{DIRECTORY_SDDL, FILE_SDDL, SCHED_S_TASK_HAS_NOT_RUN};
use mapdrive_model::fixture::{
    self, ALICE, ALICE_PW, BOB, BOB_PW, CAROL_PW, LOCAL_ADMIN_PW, SVC_PW,
};
use mapdrive_model::{LogonKind, Machine};

use crate::support::{Doc, doc_named, logon, mapdrive, ok};

const BOB_SID: &str = "S-1-5-21-1-1002";
const ALICE_SID: &str = "S-1-5-21-1-1001";

const DOC: &str = r#"$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
resources:
  - name: Team drive
    type: Mapdrive/MappedDrive
    properties:
      letter: T
      path: \\fileserver\team
  - name: Backup token
    type: Mapdrive/Credential
    properties:
      name: app:backup
      type: generic_password
      username: svc
      secret: "[envvar('BACKUP_TOKEN')]"
"#;

const LITERAL_SECRET: &str = "Lit3ral-S3cret!";

fn doc(text: &str) -> Doc {
    doc_named("drives.yaml", text)
}

fn bob() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m
}

/// Every secret the tests know: none may appear in any output or task definition.
fn no_secret(texts: &[&str]) {
    for t in texts {
        for s in [
            LITERAL_SECRET,
            BOB_PW,
            ALICE_PW,
            CAROL_PW,
            SVC_PW,
            LOCAL_ADMIN_PW,
        ] {
            assert!(!t.contains(s), "a secret in:\n{t}");
        }
    }
}

fn registered(m: &mut Machine, name: &str) -> Option<String> {
    m.scheduler().tasks.get(name).map(|t| t.definition.clone())
}

#[track_caller]
fn json(r: &Report) -> serde_json::Value {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    no_secret(&[&r.stdout, &r.stderr]);
    serde_json::from_str(&r.stdout).unwrap()
}

/// The principal of a definition: (UserId, GroupId, LogonType, RunLevel).
fn principal(xml: &str) -> [Option<String>; 4] {
    let d = roxmltree::Document::parse(xml).unwrap();
    let p = d
        .descendants()
        .find(|n| n.has_tag_name("Principal"))
        .unwrap();
    let get = |name: &str| {
        p.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    [
        get("UserId"),
        get("GroupId"),
        get("LogonType"),
        get("RunLevel"),
    ]
}

fn logon_types(xml: &str) -> Vec<String> {
    roxmltree::Document::parse(xml)
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("LogonType"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_users_task_runs_as_that_user_in_an_interactive_token_with_least_privilege() {
    let mut m = bob();
    let d = doc(DOC);
    let out = json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    assert_eq!(out["changed"], true);
    assert_eq!(out["change"], "create");
    assert_eq!(out["task"], "mapdrive");
    let xml = registered(&mut m, "mapdrive").expect("registered");
    assert_eq!(out["definition"], xml.as_str());
    assert_eq!(
        principal(&xml),
        [
            Some(BOB_SID.to_string()),
            None,
            Some("InteractiveToken".into()),
            Some("LeastPrivilege".into())
        ]
    );
    assert_eq!(logon_types(&xml), ["InteractiveToken"]);
    // It runs the windowless twin next to mapdrive.exe, with apply and the file's full path.
    let exec = roxmltree::Document::parse(&xml).unwrap();
    let text = |n: &str| {
        exec.descendants()
            .find(|x| x.has_tag_name(n))
            .and_then(|x| x.text())
            .unwrap()
            .to_string()
    };
    assert_eq!(text("Command"), r"C:\Program Files\mapdrive\mapdrivew.exe");
    assert_eq!(text("Arguments"), format!("apply \"{}\"", d.path));
    no_secret(&[&xml]);
}

#[test]
fn an_administrators_own_task_is_for_the_limited_token_explorer_runs_with() {
    // Alice signs on (a limited token, as Explorer's) and also from an elevated prompt: both
    // register a task of hers with LeastPrivilege, never HighestAvailable.
    for elevated in [false, true] {
        let mut m = fixture::corp();
        logon(&mut m, ALICE, LogonKind::Interactive);
        if elevated {
            m.elevate().unwrap();
        }
        let d = doc(DOC);
        json(&mapdrive(
            &mut m,
            &["schedule", "install", &d.path, "--json"],
        ));
        let xml = registered(&mut m, "mapdrive").unwrap();
        assert_eq!(
            principal(&xml),
            [
                Some(ALICE_SID.to_string()),
                None,
                Some("InteractiveToken".into()),
                Some("LeastPrivilege".into())
            ],
            "elevated: {elevated}"
        );
    }
}

#[test]
fn check_prints_the_definition_install_registers_byte_for_byte_and_changes_nothing() {
    let mut m = bob();
    let d = doc(DOC);
    let before = m.writes();
    let text = mapdrive(&mut m, &["schedule", "install", &d.path, "--check"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stderr.contains("would create"), "{}", text.stderr);
    let check_json = json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--check", "--json"],
    ));
    assert_eq!(check_json["check"], true);
    assert_eq!(check_json["changed"], true);
    assert_eq!(m.writes(), before, "--check wrote");
    assert_eq!(registered(&mut m, "mapdrive"), None);

    let r = mapdrive(&mut m, &["schedule", "install", &d.path]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let xml = registered(&mut m, "mapdrive").unwrap();
    assert_eq!(
        text.stdout, xml,
        "--check's XML is not what install registered"
    );
    assert_eq!(check_json["definition"], xml.as_str());
    roxmltree::Document::parse(&text.stdout).unwrap();
}

#[test]
fn install_twice_changes_nothing_and_other_arguments_update_the_task() {
    let mut m = bob();
    let d = doc(DOC);
    json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    let first = registered(&mut m, "mapdrive").unwrap();
    let before = m.writes();
    let again = json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    assert_eq!(
        (again["changed"].clone(), again["change"].clone()),
        (false.into(), "unchanged".into())
    );
    assert_eq!(m.writes(), before, "a re-install wrote");
    let text = mapdrive(&mut m, &["schedule", "install", &d.path]);
    assert!(
        text.stdout.starts_with("task mapdrive: unchanged"),
        "{}",
        text.stdout
    );
    assert_eq!(m.writes(), before);

    // Another file: the task is updated, once.
    let other = doc_named("office.yaml", DOC);
    let upd = json(&mapdrive(
        &mut m,
        &["schedule", "install", &other.path, "--json"],
    ));
    assert_eq!(upd["change"], "update");
    assert_eq!(m.writes(), before + 1);
    let second = registered(&mut m, "mapdrive").unwrap();
    assert_ne!(first, second);
    assert!(second.contains(&other.path));
    // Someone changed the task in the Task Scheduler UI: install puts it back.
    let tampered = second.replace("<Delay>PT15S</Delay>", "<Delay>PT2H</Delay>");
    m.scheduler().tasks.get_mut("mapdrive").unwrap().definition = tampered;
    let fix = json(&mapdrive(
        &mut m,
        &["schedule", "install", &other.path, "--json"],
    ));
    assert_eq!(fix["change"], "update");
    assert_eq!(registered(&mut m, "mapdrive").unwrap(), second);

    // --name makes a second task beside the first.
    let named = json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--name", "office", "--json"],
    ));
    assert_eq!(
        (named["task"].clone(), named["change"].clone()),
        ("mapdrive-office".into(), "create".into())
    );
    assert!(registered(&mut m, "mapdrive-office").is_some());
    assert!(registered(&mut m, "mapdrive").is_some());
}

#[test]
fn an_invalid_name_is_refused_with_exit_2_and_nothing_changed() {
    let mut m = bob();
    let d = doc(DOC);
    for bad in ["a b", r"..\x", "-x", "x/y", ""] {
        let flag = format!("--name={bad}");
        let r = mapdrive(&mut m, &["schedule", "install", &d.path, &flag]);
        assert_eq!(r.code, 2, "{bad:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("--name"), "{}", r.stderr);
        for cmd in ["status", "remove"] {
            assert_eq!(mapdrive(&mut m, &["schedule", cmd, &flag]).code, 2);
        }
    }
    assert_eq!(m.writes(), 0);
    assert!(m.scheduler().tasks.is_empty());
}

#[test]
fn status_reports_registration_triggers_and_the_last_run() {
    let mut m = bob();
    let d = doc(DOC);
    let none = json(&mapdrive(&mut m, &["schedule", "status", "--json"]));
    assert_eq!(none["registered"], false);
    let text = mapdrive(&mut m, &["schedule", "status"]);
    assert!(text.stdout.contains("not registered"), "{}", text.stdout);

    json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    let s = json(&mapdrive(&mut m, &["schedule", "status", "--json"]));
    assert_eq!(s["registered"], true);
    assert_eq!(s["enabled"], true);
    let kinds: Vec<&str> = s["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["logon", "session_unlock", "remote_connect", "event"]
    );
    assert_eq!(
        s["triggers"][3]["event"],
        "Microsoft-Windows-NetworkProfile/Operational, EventID=10000"
    );
    assert_eq!(s["last_run"], serde_json::Value::Null);
    assert_eq!(s["last_result"], SCHED_S_TASK_HAS_NOT_RUN);
    assert_eq!(s["program"], r"C:\Program Files\mapdrive\mapdrivew.exe");

    // After a run that found a drive missing (apply's exit code 1).
    {
        let t = m.scheduler().tasks.get_mut("mapdrive").unwrap();
        t.last_run = Some("2026-12-05T03:04:05".into());
        t.last_result = 1;
    }
    let s = json(&mapdrive(&mut m, &["schedule", "status", "--json"]));
    assert_eq!(s["last_run"], "2026-12-05T03:04:05");
    assert_eq!(s["last_result"], 1);
    let text = mapdrive(&mut m, &["schedule", "status"]);
    assert!(
        text.stdout.contains("last run: 2026-12-05T03:04:05"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("exit code 1"), "{}", text.stdout);
}

#[test]
fn remove_deletes_the_task_once() {
    let mut m = bob();
    let d = doc(DOC);
    json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    let before = m.writes();
    let check = json(&mapdrive(
        &mut m,
        &["schedule", "remove", "--check", "--json"],
    ));
    assert_eq!(
        (check["changed"].clone(), check["change"].clone()),
        (true.into(), "delete".into())
    );
    assert_eq!(m.writes(), before);
    assert!(registered(&mut m, "mapdrive").is_some());
    let r = json(&mapdrive(&mut m, &["schedule", "remove", "--json"]));
    assert_eq!(r["change"], "delete");
    assert_eq!(registered(&mut m, "mapdrive"), None);
    let again = mapdrive(&mut m, &["schedule", "remove"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("nothing to remove"),
        "{}",
        again.stdout
    );
    assert_eq!(m.writes(), before + 1);
}

#[test]
fn all_users_needs_an_administrator_and_is_refused_before_anything_changes() {
    // Bob (a standard user) and Alice from her limited token (Administrators deny-only).
    for user in [BOB, ALICE] {
        let mut m = fixture::corp();
        logon(&mut m, user, LogonKind::Interactive);
        let d = doc(DOC);
        for extra in [&[][..], &["--check"][..]] {
            let mut args = vec!["schedule", "install", &d.path, "--all-users"];
            args.extend_from_slice(extra);
            let r = mapdrive(&mut m, &args);
            assert_eq!(r.code, 3, "{user}: {}{}", r.stdout, r.stderr);
            assert!(r.stderr.contains("administrator"), "{}", r.stderr);
        }
        assert_eq!(m.writes(), 0);
        assert!(m.scheduler().tasks.is_empty());
        assert!(!m.scheduler().dirs.contains_key(r"c:\programdata\mapdrive"));
    }
}

#[test]
fn all_users_copies_to_a_protected_folder_and_runs_as_the_users_group() {
    for system in [false, true] {
        let mut m = fixture::corp();
        if system {
            m.run_as_system();
        } else {
            logon(&mut m, ALICE, LogonKind::Interactive);
            m.elevate().unwrap();
        }
        let d = doc(DOC);
        let out = json(&mapdrive(
            &mut m,
            &["schedule", "install", &d.path, "--all-users", "--json"],
        ));
        assert_eq!(out["change"], "create");
        assert_eq!(out["program"], r"C:\ProgramData\mapdrive\mapdrivew.exe");
        assert_eq!(out["file"], r"C:\ProgramData\mapdrive\mapdrive.yaml");
        let xml = registered(&mut m, "mapdrive").unwrap();
        assert_eq!(
            principal(&xml),
            [
                None,
                Some("S-1-5-32-545".to_string()),
                None,
                Some("LeastPrivilege".into())
            ]
        );
        assert!(xml.contains(r#"apply &quot;C:\ProgramData\mapdrive\mapdrive.yaml&quot;"#));
        let s = m.scheduler().clone();
        assert_eq!(
            s.dirs.get(r"c:\programdata\mapdrive"),
            Some(&Some(DIRECTORY_SDDL.to_string()))
        );
        for (file, contents) in [
            ("mapdrive.exe", &b"MZ mapdrive console"[..]),
            ("mapdrivew.exe", &b"MZ mapdrive windows"[..]),
            ("mapdrive.yaml", DOC.as_bytes()),
        ] {
            let f = s
                .files
                .get(&format!(r"c:\programdata\mapdrive\{file}"))
                .unwrap_or_else(|| panic!("{file} not copied"));
            assert_eq!(f.contents, contents, "{file}");
            assert_eq!(f.sddl.as_deref(), Some(FILE_SDDL), "{file}");
        }
        // The Event Log source is registered for the copy (what `eventlog install` run from
        // there writes), so Event Viewer keeps its text when the installer's copy goes away.
        let copied_exe = r"C:\ProgramData\mapdrive\mapdrive.exe";
        assert_eq!(out["event_source"]["changed"], true, "{out}");
        assert_eq!(out["event_source"]["after"]["message_file"], copied_exe);
        let reg = m.event_source_registration().unwrap();
        assert_eq!(reg.message_file, copied_exe);
        assert_eq!(reg.types_supported, Some(7));
        // The same again: nothing is written.
        let before = m.writes();
        let again = json(&mapdrive(
            &mut m,
            &["schedule", "install", &d.path, "--all-users", "--json"],
        ));
        assert_eq!(again["changed"], false);
        assert_eq!(again["event_source"]["changed"], false);
        assert!(
            again["files"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["change"] == "unchanged")
        );
        assert_eq!(m.writes(), before);
        // A user loosened a file's ACL (or replaced it): the next install puts it back.
        m.scheduler()
            .files
            .get_mut(r"c:\programdata\mapdrive\mapdrive.yaml")
            .unwrap()
            .sddl = Some("D:(A;;FA;;;BU)".into());
        let fix = json(&mapdrive(
            &mut m,
            &["schedule", "install", &d.path, "--all-users", "--json"],
        ));
        assert_eq!(fix["changed"], true);
        assert_eq!(fix["change"], "unchanged");
        assert_eq!(m.writes(), before + 1);
    }
}

#[test]
fn a_file_with_a_literal_secret_is_refused_before_anything_changes() {
    let literal = DOC.replace("[envvar('BACKUP_TOKEN')]", LITERAL_SECRET);
    let defaulted = DOC
        .replace("[envvar('BACKUP_TOKEN')]", "[parameters('token')]")
        .replace(
            "resources:",
            &format!("parameters:\n  token:\n    type: securestring\n    defaultValue: {LITERAL_SECRET}\nresources:"),
        );
    let cpassword = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Drives clsid=\"{{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}}\">\
         <Drive clsid=\"{{935D1B74-9CB8-4e3c-9914-7DD559B7A417}}\" name=\"T:\" uid=\"{{1}}\">\
         <Properties action=\"U\" path=\"\\\\fileserver\\team\" letter=\"T\" useLetter=\"1\" \
         userName=\"CORP\\bob\" cpassword=\"{LITERAL_SECRET}\"/></Drive></Drives>\n"
    );
    for (name, text) in [
        ("literal.yaml", literal),
        ("default.yaml", defaulted),
        ("Drives.xml", cpassword),
    ] {
        let d = doc_named(name, &text);
        for all_users in [false, true] {
            let mut m = fixture::corp();
            logon(&mut m, ALICE, LogonKind::Interactive);
            m.elevate().unwrap();
            let mut args = vec!["schedule", "install", &d.path];
            if all_users {
                args.push("--all-users");
            }
            for json_flag in [false, true] {
                let mut args = args.clone();
                if json_flag {
                    args.push("--json");
                }
                let r = mapdrive(&mut m, &args);
                assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
                no_secret(&[&r.stdout, &r.stderr]);
                let said = format!("{}{}", r.stdout, r.stderr);
                assert!(
                    said.contains("plain text") || said.contains("cpassword"),
                    "{name}: {said}"
                );
            }
            assert_eq!(m.writes(), 0, "{name}");
            assert!(m.scheduler().tasks.is_empty());
            assert!(!m.scheduler().dirs.contains_key(r"c:\programdata\mapdrive"));
        }
    }
}

#[test]
fn a_missing_windowless_twin_is_a_warning_not_a_silent_broken_task() {
    let mut m = bob();
    m.scheduler()
        .files
        .remove(r"c:\program files\mapdrive\mapdrivew.exe");
    let d = doc(DOC);
    let out = json(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--json"],
    ));
    assert!(
        out["warnings"][0]
            .as_str()
            .unwrap()
            .contains("mapdrivew.exe"),
        "{out}"
    );
    let text = mapdrive(&mut m, &["schedule", "install", &d.path]);
    assert!(text.stderr.contains("warning: "), "{}", text.stderr);
}

#[test]
fn system_without_all_users_is_refused_because_its_task_would_map_drives_nobody_sees() {
    let mut m = fixture::corp();
    m.run_as_system();
    let d = doc(DOC);
    for extra in [&[][..], &["--check"][..]] {
        let mut args = vec!["schedule", "install", &d.path];
        args.extend_from_slice(extra);
        let r = mapdrive(&mut m, &args);
        assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("--all-users"), "{}", r.stderr);
    }
    assert_eq!(m.writes(), 0);
    assert!(m.scheduler().tasks.is_empty());
}

#[test]
fn install_and_remove_write_one_audit_event_each_and_a_no_op_none() {
    use mapdrive_core::audit::AuditKind;
    let mut m = bob();
    let d = doc(DOC);
    ok(&mapdrive(
        &mut m,
        &["schedule", "install", &d.path, "--check"],
    ));
    assert!(m.audit_events().is_empty(), "check mode logged");
    ok(&mapdrive(&mut m, &["schedule", "install", &d.path]));
    let ev = m.audit_events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].event.kind, AuditKind::ScheduledTaskInstalled);
    assert_eq!(ev[0].event.kind.id(), 1050);
    assert_eq!(ev[0].event.subject, "scheduled task mapdrive");
    assert_eq!(ev[0].event.before, "not registered");
    assert!(
        ev[0].event.after.contains("mapdrivew.exe"),
        "{:?}",
        ev[0].event
    );
    assert_eq!(ev[0].event.actor.sid, "S-1-5-21-1-1002", "Bob's SID");
    ok(&mapdrive(&mut m, &["schedule", "install", &d.path]));
    assert_eq!(
        m.audit_events().len(),
        1,
        "a re-install that changed nothing logged"
    );
    ok(&mapdrive(&mut m, &["schedule", "remove"]));
    ok(&mapdrive(&mut m, &["schedule", "remove"]));
    let ev = m.audit_events();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[1].event.kind, AuditKind::ScheduledTaskRemoved);
    assert_eq!(ev[1].event.kind.id(), 1051);
    // The Event Log unavailable: the install is done and says its event was not written.
    m.set_event_log_available(false);
    let r = mapdrive(&mut m, &["schedule", "install", &d.path]);
    ok(&r);
    assert!(
        r.stderr.contains("audit event was not written"),
        "{}",
        r.stderr
    );
    assert!(registered(&mut m, "mapdrive").is_some());
}

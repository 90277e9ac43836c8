//! `mapdrive schedule` end to end under Wine: the real mapdrive.exe registers its task through
//! Task Scheduler 2.0 (`ITaskService`, Wine's taskschd.dll and schedsvc). Wine stores a task as
//! a file under `C:\windows\system32\tasks\`, but Wine 8 drops triggers, actions and the
//! principal when it saves one, so that file is checked only for existence; the definition is
//! checked through `install --check` (and, on the session model, that it is what is
//! registered). A re-install is unchanged; `remove` deletes the file.

use crate::harness::{Prefix, assert_no_secret};

const DOC: &str = r#"$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
resources:
  - name: Public drive
    type: Mapdrive/MappedDrive
    properties:
      letter: P
      path: \\fileserver\public
"#;

fn task_file(wine: &Prefix, name: &str) -> std::path::PathBuf {
    wine.path()
        .join("drive_c/windows/system32/tasks")
        .join(name)
}

fn principal_text(xml: &str, element: &str) -> Option<String> {
    let d = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let p = d
        .descendants()
        .find(|n| n.has_tag_name("Principal"))
        .expect("a Principal");
    p.children()
        .find(|c| c.has_tag_name(element))
        .and_then(|c| c.text())
        .map(str::to_string)
}

#[test]
fn schedule_install_registers_the_task_reinstall_is_unchanged_and_remove_deletes_it() {
    let mut wine = Prefix::new();
    std::fs::write(wine.path().join("drive_c/drives.yaml"), DOC).unwrap();
    let file = r"C:\drives.yaml";
    let sid = wine.mapdrive(&["whoami", "--json"]).success().json()["sid"]
        .as_str()
        .unwrap()
        .to_string();

    // --check: the complete definition, nothing registered.
    let check = wine.mapdrive(&["schedule", "install", file, "--check"]);
    check.success();
    assert!(check.stderr.contains("would create"), "{}", check.stderr);
    assert_eq!(principal_text(&check.stdout, "UserId"), Some(sid.clone()));
    assert_eq!(
        principal_text(&check.stdout, "LogonType").as_deref(),
        Some("InteractiveToken")
    );
    assert_eq!(
        principal_text(&check.stdout, "RunLevel").as_deref(),
        Some("LeastPrivilege")
    );
    assert!(check.stdout.contains(r"apply &quot;C:\drives.yaml&quot;"));
    assert!(!task_file(&wine, "mapdrive").exists());

    let install = wine
        .mapdrive(&["schedule", "install", file, "--json"])
        .success()
        .json();
    assert_eq!(install["change"], "create", "{install:#}");
    assert_eq!(install["definition"], check.stdout.as_str());
    assert!(
        task_file(&wine, "mapdrive").exists(),
        "Wine's Task Scheduler did not store the task"
    );

    // The same again: nothing to change.
    let again = wine
        .mapdrive(&["schedule", "install", file, "--json"])
        .success()
        .json();
    assert_eq!(again["change"], "unchanged", "{again:#}");
    assert_eq!(again["changed"], false);

    let status = wine
        .mapdrive(&["schedule", "status", "--json"])
        .success()
        .json();
    assert_eq!(status["registered"], true, "{status:#}");
    // What Wine 8 gives back: the registration info and the settings, no triggers, no action.
    let stored = status["definition"].as_str().unwrap();
    assert!(
        stored.contains("<Description>Keeps the drives of C:\\drives.yaml"),
        "{stored}"
    );
    assert!(
        stored.contains("<MultipleInstancesPolicy>IgnoreNew<"),
        "{stored}"
    );
    let text = wine.mapdrive(&["schedule", "status"]);
    text.success();
    assert!(
        text.stdout.starts_with("task mapdrive: registered"),
        "{}",
        text.stdout
    );

    let removed = wine
        .mapdrive(&["schedule", "remove", "--json"])
        .success()
        .json();
    assert_eq!(removed["change"], "delete");
    assert!(!task_file(&wine, "mapdrive").exists());
    let gone = wine
        .mapdrive(&["schedule", "status", "--json"])
        .success()
        .json();
    assert_eq!(gone["registered"], false);
    let nothing = wine.mapdrive(&["schedule", "remove"]);
    nothing.success();
    assert!(
        nothing.stdout.contains("nothing to remove"),
        "{}",
        nothing.stdout
    );
    assert_no_secret(&wine.transcript);
}

#[test]
fn a_file_with_a_literal_secret_or_a_bad_name_changes_nothing() {
    let mut wine = Prefix::new();
    let secret_doc = format!(
        "{DOC}  - name: Nas\n    type: Mapdrive/Credential\n    properties:\n      name: nas\n      \
         type: domain_password\n      username: NAS\\bob\n      secret: \"{}\"\n",
        crate::harness::BOB_PASSWORD
    );
    std::fs::write(wine.path().join("drive_c/secret.yaml"), secret_doc).unwrap();
    for extra in [&[][..], &["--all-users"][..]] {
        let mut args = vec!["schedule", "install", r"C:\secret.yaml"];
        args.extend_from_slice(extra);
        let r = wine.mapdrive(&args);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("plain text"), "{}", r.stderr);
    }
    std::fs::write(wine.path().join("drive_c/drives.yaml"), DOC).unwrap();
    let r = wine.mapdrive(&["schedule", "install", r"C:\drives.yaml", "--name", "a b"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!task_file(&wine, "mapdrive").exists());
    assert!(!task_file(&wine, "mapdrive-a b").exists());
    assert!(!wine.path().join("drive_c/ProgramData/mapdrive").exists());
    assert_no_secret(&wine.transcript);
}

#[test]
fn all_users_copies_the_program_and_the_file_to_program_data_for_the_users_group() {
    // Wine gives every process an elevated token (Administrators enabled), so this runs as an
    // administrator would.
    let mut wine = Prefix::new();
    std::fs::write(wine.path().join("drive_c/drives.yaml"), DOC).unwrap();
    let file = r"C:\drives.yaml";
    let check = wine.mapdrive(&["schedule", "install", file, "--all-users", "--check"]);
    check.success();
    assert_eq!(
        principal_text(&check.stdout, "GroupId").as_deref(),
        Some("S-1-5-32-545")
    );
    assert_eq!(principal_text(&check.stdout, "UserId"), None);
    assert!(
        check
            .stdout
            .contains(r"<Command>C:\ProgramData\mapdrive\mapdrivew.exe</Command>")
    );
    let dir = wine.path().join("drive_c/ProgramData/mapdrive");
    assert!(!dir.exists(), "--check created {}", dir.display());

    let install = wine
        .mapdrive(&["schedule", "install", file, "--all-users", "--json"])
        .success()
        .json();
    assert_eq!(install["change"], "create", "{install:#}");
    assert_eq!(install["definition"], check.stdout.as_str());
    assert_eq!(
        std::fs::read_to_string(dir.join("mapdrive.yaml")).unwrap(),
        DOC
    );
    assert_eq!(
        std::fs::read(dir.join("mapdrive.exe")).unwrap(),
        std::fs::read(wine.exe_path()).unwrap()
    );
    assert!(task_file(&wine, "mapdrive").exists());
    // The task itself is unchanged the second time. (The copies are written again under Wine,
    // which does not give back the ACL it was given: docs/unattended.md.)
    let again = wine
        .mapdrive(&["schedule", "install", file, "--all-users", "--json"])
        .success()
        .json();
    assert_eq!(again["change"], "unchanged", "{again:#}");
    wine.mapdrive(&["schedule", "remove"]).success();
    assert!(!task_file(&wine, "mapdrive").exists());
    assert_no_secret(&wine.transcript);
}

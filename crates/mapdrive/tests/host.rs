//! The Linux build of `mapdrive`: it explains that it manages Windows, and what works anywhere.
#![cfg(not(windows))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;

#[path = "host/windowless.rs"]
mod windowless;

fn mapdrive() -> Command {
    Command::cargo_bin("mapdrive").unwrap()
}

#[test]
fn windows_commands_explain_themselves_and_exit_4() {
    for args in [
        vec!["list"],
        vec!["map", "M:", r"\\srv\share"],
        vec!["doctor"],
        vec!["cred", "list"],
    ] {
        let out = mapdrive().args(&args).assert().code(4).get_output().clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("run mapdrive.exe on Windows"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn json_errors_go_to_stdout_as_one_object() {
    let out = mapdrive()
        .args(["list", "--json"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failed"], true);
    assert_eq!(v["error"]["kind"], "unsupported");
}

#[test]
fn explain_works_anywhere() {
    let out = mapdrive()
        .args(["explain", "1312"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("1312 ERROR_NO_SUCH_LOGON_SESSION"),
        "{stdout}"
    );
    assert!(stdout.contains("become"), "{stdout}");
    mapdrive().args(["explain", "424242"]).assert().code(2);
    // The HRESULT as PowerShell prints it (signed), as docs/commands.md promises.
    for form in ["-2147024843", "0x80070035", "0x35", "53"] {
        let out = mapdrive()
            .args(["explain", form])
            .assert()
            .success()
            .get_output()
            .clone();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.starts_with("53 ERROR_BAD_NETPATH"),
            "{form}: {stdout}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    mapdrive()
        .args(["map", "M:", r"\\srv\share", "--password-stdin"])
        .assert()
        .code(2);
    mapdrive()
        .args(["map", "M:", r"\\srv\share", "--global", "--user", "x"])
        .assert()
        .code(2);
    mapdrive().args(["unmap"]).assert().code(2);
    mapdrive()
        .args(["map", "G:", r"\\srv\share", "--global", "--session", "both"])
        .assert()
        .code(2);
    mapdrive()
        .args(["cred", "set", "srv", "--user", "u", "--secret", "x"])
        .assert()
        .code(2);
}

#[test]
fn help_documents_exit_codes_and_every_command() {
    let out = mapdrive()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .clone();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Exit codes:",
        "list",
        "map",
        "unmap",
        "cred",
        "whoami",
        "restore",
        "doctor",
        "policy",
        "explain",
    ] {
        assert!(
            help.contains(needle),
            "{needle} missing from --help:\n{help}"
        );
    }
}

/// `net use` habits: a password typed on the command line is refused without being repeated.
#[test]
fn a_password_on_the_command_line_is_never_echoed_by_the_real_binary() {
    for args in [
        vec!["map", "M:", r"\\srv\share", "Pa55!", "--user", "U"],
        vec![
            "map",
            "M:",
            r"\\srv\share",
            "--user",
            "U",
            "--password-stdin=Pa55!",
        ],
        vec![
            "map",
            "M:",
            r"\\srv\share",
            "--user",
            "U",
            "--password",
            "Pa55!",
        ],
        vec!["cred", "set", "srv", "--user", "U", "Pa55!"],
        vec![
            "cred",
            "set",
            "srv",
            "--user",
            "U",
            "--secret=Pa55!",
            "--json",
        ],
    ] {
        let out = mapdrive().args(&args).assert().code(2).get_output().clone();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("Pa55"), "{args:?} echoed the secret: {all}");
        assert!(all.contains("standard input"), "{args:?}: {all}");
    }
}

#[test]
fn slash_question_mark_and_upper_case_commands_work() {
    let out = mapdrive()
        .args(["MAP", "/?"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--temporary"));
    // Parsed (then refused for want of Windows), not a usage error.
    mapdrive().args(["LIST"]).assert().code(4);
    mapdrive().args(["Cred", "List", "--json"]).assert().code(4);
}

/// The README's exit-code table, `--help`, the JSON error kinds and docs/json.md's table of kinds
/// say the same thing.
#[test]
fn readme_exit_codes_match_help_and_error_kinds() {
    let doc = |path: &str| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(path),
        )
        .unwrap()
    };
    let readme = doc("README.md");
    let table = &readme[readme.find("## Exit codes").unwrap()..];
    let json_doc = doc("docs/json.md");
    let detail = &json_doc[json_doc.find("## Exit codes in detail").unwrap()..];
    let out = mapdrive()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .clone();
    let help = String::from_utf8(out.stdout).unwrap();
    for code in 0..=4 {
        assert!(
            table.contains(&format!("| {code} |")),
            "README lacks exit code {code}"
        );
        assert!(
            help.contains(&format!("  {code}  ")),
            "--help lacks exit code {code}"
        );
    }
    assert!(!table.contains("| 5 |"));
    // Each error kind's exit code, from real runs: usage (2) and unsupported (4) here.
    for (args, kind, code) in [
        (
            vec!["map", "M:", r"\\srv\share", "x", "--json"],
            "invalid_input",
            2,
        ),
        (vec!["list", "--json"], "unsupported", 4),
        (vec!["explain", "99999", "--json"], "invalid_input", 2),
    ] {
        let out = mapdrive()
            .args(&args)
            .assert()
            .code(code)
            .get_output()
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], kind, "{args:?}");
    }
    // Every kind is documented with its exit code, and no other code appears.
    for (kind, code) in [
        ("windows_error", 1),
        ("not_converged", 1),
        ("invalid_input", 2),
        ("refused", 3),
        ("unsupported", 4),
    ] {
        assert!(
            detail.contains(&format!("| {code} | `{kind}` |")),
            "docs/json.md does not document {kind} with exit code {code}"
        );
    }
    assert!(detail.contains("| 0 |"), "docs/json.md lacks exit code 0");
    assert!(!detail.contains("| 5 |"));
}

/// `--version`: the version from Cargo.toml, the commit it was built from, the target; as text
/// and (in any order with `--json`, or as `-V`) as JSON.
#[test]
fn version_names_the_commit_and_the_target() {
    let text = mapdrive()
        .arg("--version")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        concat!("mapdrive ", env!("CARGO_PKG_VERSION")),
        "{text}"
    );
    let commit = lines[1].strip_prefix("commit: ").expect("a commit line");
    // The build script reruns when HEAD moves: the binary names the checkout's current commit
    // (or "unknown" where this is no git checkout).
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    match head {
        Some(head) => assert_eq!(commit, head, "{text}"),
        None => assert_eq!(commit, "unknown", "{text}"),
    }
    let target = lines[2].strip_prefix("target: ").expect("a target line");
    assert!(target.contains('-'), "{text}");
    for args in [
        &["--version", "--json"][..],
        &["--json", "--version"],
        &["-V", "--json"],
    ] {
        let out = mapdrive()
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["name"], "mapdrive");
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["commit"], commit, "{args:?}");
        assert_eq!(v["target"], target);
        assert!(out.stderr.is_empty());
    }
}

/// `completions SHELL` prints clap's completion script for each shell, naming every command.
#[test]
fn completions_are_produced_for_every_shell() {
    let commands = [
        "list",
        "map",
        "unmap",
        "cred",
        "whoami",
        "restore",
        "policy",
        "doctor",
        "apply",
        "export",
        "dsc",
        "explain",
        "completions",
    ];
    for (shell, marker) in [
        ("powershell", "Register-ArgumentCompleter"),
        ("bash", "complete -F"),
        ("zsh", "#compdef mapdrive"),
        ("fish", "complete -c mapdrive"),
    ] {
        let out = mapdrive()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .clone();
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker}:\n{script}");
        for c in commands {
            assert!(script.contains(c), "{shell}: {c} missing");
        }
        // Subcommand options too, e.g. map's --password-stdin.
        assert!(script.contains("password-stdin"), "{shell}");
    }
    // Any case, as for every command name; an unknown shell is a usage error.
    mapdrive().args(["COMPLETIONS", "bash"]).assert().success();
    mapdrive().args(["completions", "tcsh"]).assert().code(2);
}

/// The message table (`res/messages.mc`, compiled into `mapdrive.exe` on Windows targets) has
/// exactly one message per audit event ID, with the enum's symbolic names, inserts only among
/// the nine every event carries, and docs/audit.md's table lists the same IDs.
#[test]
fn the_message_table_matches_the_audit_event_ids() {
    use mapdrive_core::audit::AuditKind;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mc = std::fs::read_to_string(root.join("res/messages.mc")).unwrap();
    let mut messages: Vec<(u32, String, String)> = Vec::new();
    let mut lines = mc.lines();
    let (mut id, mut symbol) = (None, None);
    while let Some(line) = lines.next() {
        let line = line.trim_end();
        if let Some(v) = line.strip_prefix("MessageId=") {
            id = Some(v.trim().parse::<u32>().unwrap());
        } else if let Some(v) = line.strip_prefix("SymbolicName=") {
            symbol = Some(v.trim().to_string());
        } else if line.starts_with("Language=") {
            let mut text = String::new();
            for body in lines.by_ref() {
                if body.trim_end() == "." {
                    break;
                }
                text.push_str(body);
            }
            messages.push((id.take().unwrap(), symbol.take().unwrap(), text));
        } else {
            // Severity= or Facility= would set high bits of the message ID, which would then
            // differ from the event ID ReportEventW passes: Event Viewer would find no text.
            assert!(
                line.is_empty()
                    || line.starts_with(';')
                    || line.starts_with("MessageIdTypedef=")
                    || line.starts_with("LanguageNames="),
                "unexpected line in messages.mc: {line}"
            );
        }
    }
    let from_mc: Vec<(u32, &str)> = messages.iter().map(|(i, s, _)| (*i, s.as_str())).collect();
    let from_enum: Vec<(u32, &str)> = AuditKind::ALL
        .iter()
        .map(|k| (k.id(), k.symbol()))
        .collect();
    assert_eq!(from_mc, from_enum, "res/messages.mc and AuditKind differ");
    for (id, _, text) in &messages {
        assert!(text.contains("%1"), "{id}: no subject: {text}");
        for (i, _) in text.match_indices('%') {
            let next = text[i + 1..].chars().next().unwrap();
            assert!(
                matches!(next, '1'..='9' | 'n'),
                "{id}: only %1..%9 and %n: {text}"
            );
        }
    }
    let doc = std::fs::read_to_string(root.join("../../docs/audit.md")).unwrap();
    for k in AuditKind::ALL {
        let row = format!("| {} | `{}` |", k.id(), k.symbol());
        assert!(doc.contains(&row), "docs/audit.md has no row {row}");
    }
}

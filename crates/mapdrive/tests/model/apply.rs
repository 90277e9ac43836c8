//! `mapdrive apply` / `mapdrive export` on the session model: the expression subset, the secret
//! rules, dependsOn ordering and skipping, failures that do not stop the rest, bad documents
//! refused with nothing changed, re-apply and export → apply with zero writes, and one
//! enumeration of drives and credentials for a 26-drive, 50-credential document.

use std::collections::BTreeMap;

use mapdrive::frontend::document::{self, Inputs, Options};
use mapdrive::frontend::report::Report;
use mapdrive_core::port::Port;
use mapdrive_model::fixture::{BOB, BOB_PW};
use mapdrive_model::{LogonKind, Machine, fixture};

use crate::support::{Hooked, connected, logon, mapdrive, mapdrive_stdin, secret};

// The saved credential must hold bob's real password: the model's file server checks it.
const NAS_PW: &str = BOB_PW;

const DOC: &str = r#"
$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
parameters:
  nasPassword:
    type: securestring
  server:
    type: string
    defaultValue: fileserver
resources:
  - name: Team drive
    type: Mapdrive/MappedDrive
    properties:
      letter: T
      path: \\fileserver\team
    dependsOn:
      - "[resourceId('Mapdrive/Credential','Fileserver credential')]"
  - name: Fileserver credential
    type: Mapdrive/Credential
    properties:
      name: "[parameters('server')]"
      type: domain_password
      username: CORP\bob
      secret: "[parameters('nasPassword')]"
      comment: team share
  - name: Public drive
    type: Mapdrive/MappedDrive
    properties:
      letter: "*"
      startLetter: P
      path: \\fileserver\public
      label: Public files
  - name: Backup token
    type: Mapdrive/Credential
    properties:
      name: app:backup
      type: generic_password
      username: svc
      secret: "[envvar('BACKUP_TOKEN')]"
"#;

fn bob() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m
}

fn env(name: &str) -> Option<String> {
    (name == "BACKUP_TOKEN").then(|| "backup-T0ken".to_string())
}

fn inputs<'a>(stdin: &[(&str, &str)], env: &'a dyn Fn(&str) -> Option<String>) -> Inputs<'a> {
    Inputs {
        parameters_file: None,
        stdin_parameters: stdin
            .iter()
            .map(|(k, v)| ((*k).to_string(), secret(v)))
            .collect(),
        env,
    }
}

fn run(m: &mut dyn Port, doc: &str, inputs: &Inputs<'_>, options: Options) -> Report {
    match document::apply(m, doc, inputs, options) {
        Ok(r) => document::render(&r, options.json, false),
        Err(e) => Report {
            stdout: String::new(),
            stderr: format!("error: {e}\n"),
            code: e.exit_code(),
        },
    }
}

#[track_caller]
fn no_secret(r: &Report) {
    for s in [NAS_PW, "backup-T0ken", BOB_PW] {
        assert!(!r.stdout.contains(s) && !r.stderr.contains(s), "{s} leaked");
    }
}

#[test]
fn apply_check_then_apply_then_reapply_with_zero_writes() {
    let mut m = bob();
    let e = env;
    let ins = inputs(&[("nasPassword", NAS_PW)], &e);
    let mut log = String::new();
    let check = run(
        &mut m,
        DOC,
        &ins,
        Options {
            check: true,
            ..Options::default()
        },
    );
    assert_eq!(m.writes(), 0);
    assert_eq!(check.code, 0);
    log.push_str(&format!(
        "$ mapdrive apply doc.yaml --check\n{}{}\n",
        check.stdout, check.stderr
    ));
    let first = run(&mut m, DOC, &ins, Options::default());
    no_secret(&first);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    log.push_str(&format!(
        "$ mapdrive apply doc.yaml\n{}{}\n",
        first.stdout, first.stderr
    ));
    // dependsOn moved the credential before the drive that needs it; the team share needs it.
    let c = connected(&m);
    assert!(
        c.contains(&"T:".into()) && c.contains(&"P:".into()),
        "{c:?}"
    );
    let w = m.writes();
    let again = run(
        &mut m,
        DOC,
        &ins,
        Options {
            json: true,
            ..Options::default()
        },
    );
    assert_eq!(m.writes(), w, "re-apply wrote");
    let v: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(v["changed"], false);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["result"] == "unchanged")
    );
    log.push_str(&format!(
        "$ mapdrive apply doc.yaml --json\n{}{}\n",
        again.stdout, again.stderr
    ));
    insta::assert_snapshot!(log);
}

#[test]
fn secrets_come_from_parameters_env_or_stdin_never_the_file() {
    let mut m = bob();
    let e = env;
    let literal = DOC.replace("\"[parameters('nasPassword')]\"", "Plain-Text-Pw");
    let wrapped = DOC.replace(
        "\"[parameters('nasPassword')]\"",
        "{secureString: Plain-Text-Pw}",
    );
    let not_secure = DOC.replace("type: securestring", "type: string");
    let with_default = DOC.replace(
        "type: securestring",
        "type: securestring\n    defaultValue: Plain-Text-Pw",
    );
    let mut log = String::new();
    for (what, doc) in [
        ("literal secret", literal.as_str()),
        ("literal secureString object", wrapped.as_str()),
        ("string parameter", not_secure.as_str()),
        ("securestring default in the file", with_default.as_str()),
        ("no value for the parameter", DOC),
    ] {
        let ins = if what == "no value for the parameter" {
            inputs(&[], &e)
        } else {
            inputs(&[("nasPassword", NAS_PW)], &e)
        };
        let r = run(&mut m, doc, &ins, Options::default());
        assert_eq!(r.code, 2, "{what}: {}", r.stdout);
        assert!(!r.stderr.contains("Plain-Text-Pw"));
        log.push_str(&format!("# {what}\n{}", r.stderr));
    }
    assert_eq!(m.writes(), 0);
    // From a parameters file, as dsc takes them.
    let params = format!(r#"{{"parameters": {{"nasPassword": "{NAS_PW}"}}}}"#);
    let ins = Inputs {
        parameters_file: Some(&params),
        stdin_parameters: BTreeMap::new(),
        env: &e,
    };
    let r = run(&mut m, DOC, &ins, Options::default());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    no_secret(&r);
    insta::assert_snapshot!(log);
}

#[test]
fn bad_documents_are_refused_before_anything_changes() {
    let mut m = bob();
    let e = env;
    let ins = inputs(&[("nasPassword", NAS_PW)], &e);
    let cases = [
        ("other resource type", DOC.replace("type: Mapdrive/MappedDrive\n    properties:\n      letter: \"*\"", "type: Microsoft.Windows/Registry\n    properties:\n      letter: \"*\"")),
        ("other expression", DOC.replace("path: \\\\fileserver\\team", "path: \"[concat('a','b')]\"")),
        ("unknown property", DOC.replace("label: Public files", "colour: red")),
        ("bad letter", DOC.replace("letter: T", "letter: TT")),
        ("dependsOn unknown item", DOC.replace("'Fileserver credential'", "'Nope'")),
        ("dependsOn cycle", DOC.replace("      comment: team share", "      comment: team share\n    dependsOn:\n      - \"[resourceId('Mapdrive/MappedDrive','Team drive')]\"")),
        ("bad name", DOC.replace("name: Public drive", "name: Public-drive")),
        ("variables", format!("{DOC}variables:\n  x: 1\n")),
        ("not yaml", "resources: [".to_string()),
        ("undeclared parameter", DOC.replace("[parameters('server')]", "[parameters('nope')]")),
        ("unset envvar", DOC.replace("BACKUP_TOKEN", "NOT_SET_ANYWHERE")),
    ];
    let mut log = String::new();
    for (what, doc) in &cases {
        let r = run(&mut m, doc, &ins, Options::default());
        assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty());
        log.push_str(&format!("# {what}\n{}", r.stderr));
    }
    assert_eq!(m.writes(), 0, "a refused document changed something");
    insta::assert_snapshot!(log);
}

#[test]
fn a_failing_item_does_not_stop_the_rest_and_its_dependants_are_skipped() {
    let mut m = bob();
    let doc = r#"
$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
resources:
  - name: Local disk
    type: Mapdrive/MappedDrive
    properties: {letter: C, path: \\fileserver\public}
  - name: Needs the disk
    type: Mapdrive/MappedDrive
    properties: {letter: N, path: \\fileserver\public}
    dependsOn: ["[resourceId('Mapdrive/MappedDrive','Local disk')]"]
  - name: Public
    type: Mapdrive/MappedDrive
    properties: {letter: P, path: \\fileserver\public}
"#;
    let e = env;
    let ins = inputs(&[], &e);
    let r = run(&mut m, doc, &ins, Options::default());
    assert_eq!(r.code, 1);
    assert!(connected(&m).contains(&"P:".into()));
    assert!(!connected(&m).contains(&"N:".into()));
    let mut m2 = bob();
    let stop = run(
        &mut m2,
        doc,
        &ins,
        Options {
            stop_on_error: true,
            ..Options::default()
        },
    );
    assert_eq!(stop.code, 1);
    assert_eq!(m2.writes(), 0);
    insta::assert_snapshot!(format!(
        "$ mapdrive apply doc.yaml\n{}{}\n$ mapdrive apply doc.yaml --stop-on-error\n{}{}",
        r.stdout, r.stderr, stop.stdout, stop.stderr
    ));
}

#[test]
fn export_then_apply_changes_nothing() {
    let mut m = bob();
    crate::support::ok(&mapdrive(
        &mut m,
        &[
            "map",
            "P:",
            r"\\fileserver\public",
            "--label",
            "Public files",
            "--json",
        ],
    ));
    crate::support::ok(&mapdrive(
        &mut m,
        &["map", "Q:", r"\\fileserver\public", "--temporary", "--json"],
    ));
    crate::support::ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver.corp.example",
            "--user",
            BOB,
            "--secret-stdin",
            "--comment",
            "fqdn",
            "--json",
        ],
        "pw-1\n",
    ));
    let yaml = document::export(&mut m, false).unwrap();
    let json = document::export(&mut m, true).unwrap();
    assert_eq!(json.code, 0);
    let e = env;
    let ins = inputs(&[], &e);
    let w = m.writes();
    for doc in [&yaml.stdout, &json.stdout] {
        let r = run(&mut m, doc, &ins, Options::default());
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("4 items, 4 unchanged"), "{}", r.stdout);
    }
    assert_eq!(m.writes(), w);
    insta::assert_snapshot!(yaml.stdout);
}

/// After a restart a persistent drive can be remembered and not connected: in a logon Winlogon
/// does not restore (runas / Ansible become, a scheduled task, a network logon), or when the
/// restore failed. A fresh export of that state applies back unchanged: `--check` predicts no
/// change and applying writes nothing (the drive is exported with `rememberedIsEnough`).
#[test]
fn export_after_a_reboot_is_a_fixed_point() {
    for kind in [
        LogonKind::Runas,
        LogonKind::Batch,
        LogonKind::Network,
        LogonKind::NewCredentials,
    ] {
        let mut m = bob();
        crate::support::ok(&mapdrive(
            &mut m,
            &["map", "P:", r"\\fileserver\public", "--json"],
        ));
        m.reboot();
        logon(&mut m, BOB, kind);
        assert!(connected(&m).is_empty(), "{kind:?}");
        assert_eq!(crate::support::remembered(&m), ["P:"], "{kind:?}");
        let e = env;
        let ins = inputs(&[], &e);
        for json in [false, true] {
            let doc = document::export(&mut m, json).unwrap();
            assert!(doc.stdout.contains("rememberedIsEnough"), "{}", doc.stdout);
            let w = m.writes();
            let check = run(
                &mut m,
                &doc.stdout,
                &ins,
                Options {
                    check: true,
                    ..Options::default()
                },
            );
            assert_eq!(check.code, 0, "{kind:?}: {}{}", check.stdout, check.stderr);
            assert!(
                check.stdout.contains("2 items, 2 unchanged"),
                "{kind:?}: {}\n{}",
                check.stdout,
                doc.stdout
            );
            let r = run(&mut m, &doc.stdout, &ins, Options::default());
            assert_eq!(r.code, 0, "{kind:?}: {}{}", r.stdout, r.stderr);
            assert_eq!(m.writes(), w, "{kind:?}: {}", r.stdout);
        }
        // On a machine where the drive is not even remembered the same document maps it.
        let doc = document::export(&mut m, false).unwrap();
        let mut fresh = bob();
        let r = run(&mut fresh, &doc.stdout, &ins, Options::default());
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_eq!(connected(&fresh), ["P:"]);
        assert_eq!(crate::support::remembered(&fresh), ["P:"]);
    }
}

#[test]
fn through_the_cli_with_a_secret_on_standard_input() {
    let mut m = bob();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.yaml");
    std::fs::write(
        &file,
        DOC.replace("[envvar('BACKUP_TOKEN')]", "[parameters('nasPassword')]"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let r = mapdrive_stdin(
        &mut m,
        &["apply", f, "--secret", "nasPassword=-"],
        &format!("{NAS_PW}\n"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    no_secret(&r);
    let r = mapdrive(&mut m, &["apply", f, "--secret", "nasPassword"]);
    assert_eq!(r.code, 2);
    let r = mapdrive(
        &mut m,
        &["apply", f, "--secret", "nasPassword=Typed-S3cret"],
    );
    assert_eq!(r.code, 2);
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("Typed-S3cret"));
    let r = mapdrive(&mut m, &["export", "--json"]);
    assert_eq!(r.code, 0);
    no_secret(&r);
}

// ------------------------------------------------------------ one enumeration

/// 25 lettered drives and one first-available drive, 50 credentials.
pub fn big_document() -> String {
    let mut doc = String::from(
        "$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json\nresources:\n",
    );
    for l in ('A'..='Z').filter(|l| *l != 'C') {
        doc.push_str(&format!(
            "  - name: Drive {l}\n    type: Mapdrive/MappedDrive\n    properties: {{letter: {l}, path: '\\\\fileserver\\public'}}\n"
        ));
    }
    doc.push_str("  - name: First available\n    type: Mapdrive/MappedDrive\n    properties: {letter: '*', startLetter: D, path: '\\\\fileserver\\public'}\n");
    for i in 0..50 {
        doc.push_str(&format!(
            "  - name: Credential {i}\n    type: Mapdrive/Credential\n    properties: {{name: server{i}, type: domain_password, username: 'CORP\\bob', comment: number {i}}}\n"
        ));
    }
    doc
}

#[test]
fn a_26_drive_50_credential_document_enumerates_once() {
    let mut m = bob();
    let doc = big_document();
    let e = env;
    let ins = inputs(&[], &e);
    let r = run(&mut m, &doc, &ins, Options::default());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("76 items, 75 changed, 1 unchanged"),
        "{}",
        r.stdout
    );
    let w = m.writes();
    let mut counting = Hooked::new(&mut m, |_, _| None);
    let r = run(&mut counting, &doc, &ins, Options::default());
    assert!(r.stdout.contains("76 items, 76 unchanged"), "{}", r.stdout);
    let calls = counting.calls();
    let count = |method: &str| calls.get(method).copied().unwrap_or_default();
    assert_eq!(
        (
            count("connected"),
            count("remembered"),
            count("credentials")
        ),
        (1, 1, 1),
        "one enumeration of drives and credentials, not one per item"
    );
    // Every other fact is read at most once per token too (76 items, a handful of reads).
    for (method, n) in &calls {
        assert!(
            *n <= 2 || *method == "use_token" || (*method == "dos_device" && *n <= 26),
            "{method} reached the machine {n} times: {calls:?}"
        );
    }
    assert_eq!(m.writes(), w);
}

#[test]
fn the_caching_port_reads_once_until_an_action_invalidates() {
    use mapdrive_core::domain::{DriveLetter, RemotePath};
    use mapdrive_core::engine::cache::CachingPort;

    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut c = CachingPort::new(&mut m);
    c.connected().unwrap();
    c.connected().unwrap();
    c.remembered().unwrap();
    assert_eq!(c.reads().connected, 1);
    let remote: RemotePath = r"\\fileserver\public".parse().unwrap();
    let m_: DriveLetter = "M".parse().unwrap();
    c.add_connection(m_, &remote, None, None, true).unwrap();
    assert_eq!(c.connected().unwrap().len(), 1);
    assert_eq!(c.remembered().unwrap().len(), 1);
    assert_eq!(c.reads().connected, 2);
    assert_eq!(c.reads().remembered, 2);
}

/// `mapdrive test FILE`, Intune's detection: exit 1 and a one-line summary while anything is
/// missing, nothing written; exit 0 once `apply` made it hold; exit 2 for a bad document.
#[test]
fn test_detects_without_changing_and_apply_remediates() {
    let mut m = bob();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drives.yaml");
    std::fs::write(
        &file,
        "resources:\n- name: Public drive\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: P\n    path: \\\\fileserver\\public\n- name: Team drive\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: T\n    path: \\\\fileserver\\team\n    persistent: false\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let w = m.writes();
    let r = mapdrive(&mut m, &["test", path]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(m.writes(), w, "test changed something");
    let last = r.stdout.lines().last().unwrap();
    assert_eq!(
        last,
        "mapdrive: 2 of 2 items not in desired state: Public drive missing, Team drive missing"
    );
    let r = mapdrive(&mut m, &["test", path, "--json"]);
    assert_eq!(r.code, 1);
    assert_eq!(ok_or_err_json(&r)["summary"], last);
    let r = mapdrive(&mut m, &["apply", path]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().last().unwrap(),
        "mapdrive: all 2 items in desired state (2 changed)"
    );
    let r = mapdrive(&mut m, &["test", path]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().last().unwrap(),
        "mapdrive: all 2 items in desired state"
    );
    std::fs::write(&file, "resources:\n- name: x\n  type: Nope/Nope\n").unwrap();
    let r = mapdrive(&mut m, &["test", path]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

/// The summary stays one line under Intune's 2,048 characters, however many items fail.
#[test]
fn the_summary_of_a_big_document_fits_intunes_line() {
    let mut m = bob();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, big_document()).unwrap();
    let r = mapdrive(&mut m, &["test", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let last = r.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("mapdrive: 76 of 76 items not in desired state: Drive A missing, "),
        "{last}"
    );
    assert!(last.chars().count() < 2048, "{}", last.len());
}

fn ok_or_err_json(r: &Report) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap()
}

/// With `--json`, `apply`, `test` and `export` leave stderr empty: warnings travel in the JSON
/// (each item's `warnings`; the exported document's `metadata.mapdrive.warnings`).
#[test]
fn json_output_keeps_warnings_out_of_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.yaml");
    std::fs::write(
        &file,
        "resources:\n- name: Public\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: P\n    path: \\\\fileserver\\public\n    session: current\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    // In the elevated half of a split token Windows does not remember the drive: a warning.
    let elevated = || {
        let mut m = fixture::corp();
        logon(&mut m, fixture::ALICE, LogonKind::Interactive);
        m.elevate().unwrap();
        m
    };
    let mut m = elevated();
    let r = mapdrive(&mut m, &["apply", path]);
    assert!(r.stderr.contains("warning: "), "{}", r.stderr);

    let mut m = elevated();
    let r = mapdrive(&mut m, &["apply", path, "--json"]);
    assert_eq!(r.stderr, "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        v["items"][0]["warnings"]
            .as_array()
            .is_some_and(|w| !w.is_empty()),
        "{v}"
    );
    for args in [vec!["test", path, "--json"], vec!["export", "--json"]] {
        let r = mapdrive(&mut m, &args);
        assert_eq!(r.stderr, "", "{args:?}");
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap();
    }
}

/// `--secret NAME=-` reads one line each, in order: a name given twice, a missing line and an
/// extra line are refused before anything changes, naming the parameter, never the secret.
#[test]
fn secrets_on_standard_input_are_one_line_each() {
    use crate::support::mapdrive_lines;
    let mut m = bob();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.yaml");
    std::fs::write(&file, DOC).unwrap();
    let path = file.to_str().unwrap();
    let w = m.writes();
    let nas = ["--secret", "nasPassword=-"];
    let cases: [(Vec<&str>, Vec<&str>, &str); 3] = [
        (
            [nas, nas].concat(),
            vec![NAS_PW, NAS_PW],
            "--secret nasPassword=- is given twice",
        ),
        (
            nas.to_vec(),
            vec![],
            "--secret nasPassword=- (line 1 of standard input)",
        ),
        (
            nas.to_vec(),
            vec![NAS_PW, "Extra-L1ne!"],
            "standard input holds more lines than the 1 --secret option(s)",
        ),
    ];
    for (flags, lines, expect) in cases {
        let args: Vec<&str> = ["apply", path].into_iter().chain(flags).collect();
        let r = mapdrive_lines(&mut m, &args, &lines);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(expect), "{args:?}: {}", r.stderr);
        for s in [NAS_PW, "Extra-L1ne!"] {
            assert!(!r.stdout.contains(s) && !r.stderr.contains(s));
        }
    }
    assert_eq!(m.writes(), w);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    /// export → apply is a fixed point for any comment, labels and comments that start with `[`
    /// (an expression's opening) included: the exported document escapes them as `[[`.
    #[test]
    fn export_then_apply_keeps_any_comment(
        comment in "(\\[|\\[\\[|\\[parameters\\('x'\\)\\]|\\[envvar\\('COMPUTERNAME'\\)\\]|)[a-zA-Z0-9 \\[\\]()'.,é-]{0,20}"
    ) {
        let mut m = bob();
        // `--comment=VALUE`: a comment may start with `-`.
        let comment_arg = format!("--comment={comment}");
        let set = mapdrive_stdin(
            &mut m,
            &["cred", "set", "fileserver", "--user", BOB, "--secret-stdin", &comment_arg],
            "pw-1\n",
        );
        proptest::prop_assume!(set.code == 0);
        for json in [false, true] {
            let doc = document::export(&mut m, json).unwrap();
            let e = env;
            let ins = inputs(&[], &e);
            let w = m.writes();
            let r = run(&mut m, &doc.stdout, &ins, Options::default());
            proptest::prop_assert_eq!(r.code, 0, "{}{}\n{}", r.stdout, r.stderr, doc.stdout);
            proptest::prop_assert_eq!(m.writes(), w, "{}", doc.stdout);
        }
        let stored = m
            .credential("fileserver", mapdrive_core::domain::CredentialKind::DomainPassword)
            .unwrap()
            .and_then(|c| c.comment)
            .unwrap_or_default();
        // The comment is what was given: applying the export did not turn it into an
        // expression's value.
        proptest::prop_assert_eq!(stored, comment);
    }
}

//! DSC resources and desired-state files end to end: the real mapdrive.exe under Wine against
//! the fake SMB provider. `mapdrive dsc ...` for every resource (each stdout line validated
//! against the schema embedded in the manifest), what-if changing nothing, `apply` with a
//! first-available letter and credentials, a re-apply with the registry untouched, export →
//! apply unchanged, a failing item not stopping the rest, bad documents refused with nothing
//! changed, and every output searched for the test passwords.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::harness::{BOB_PASSWORD, Prefix, Run, assert_no_secret};

fn schema(type_name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dsc/mapdrive.dsc.manifests.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == type_name)
        .unwrap()["schema"]["embedded"]
        .clone()
}

/// `mapdrive dsc OP --resource TYPE` with `input` on stdin; every instance line is validated.
fn dsc(wine: &mut Prefix, op: &str, type_name: &str, input: &str, what_if: bool) -> Run {
    let mut args = vec!["dsc", op, "--resource", type_name];
    if what_if {
        args.push("--what-if");
    }
    let run = wine.mapdrive_stdin(&args, &format!("{input}\n"));
    let validator = jsonschema::validator_for(&schema(type_name)).unwrap();
    for (i, line) in run.stdout.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if i == 1 && matches!(op, "set" | "test") {
            assert!(v.is_array(), "{line}");
            continue;
        }
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{op} {line}: {errors:?}");
    }
    for line in run.stderr.lines() {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("stderr not JSON ({e}): {line}"));
    }
    run
}

fn first(run: &Run) -> Value {
    serde_json::from_str(
        run.stdout
            .lines()
            .next()
            .unwrap_or_else(|| panic!("{}", run.stderr)),
    )
    .unwrap()
}

fn second(run: &Run) -> String {
    run.stdout.lines().nth(1).unwrap_or_default().to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Last-write time of a key in the flushed `user.reg` (`[Network\\M] <seconds>`).
fn key_written_at(reg: &str, key: &str) -> Option<u64> {
    let head = format!("[{}] ", key.replace('\\', "\\\\"));
    let line = reg.lines().find(|l| l.starts_with(&head))?;
    line[head.len()..].trim().parse().ok()
}

const DRIVE: &str = "Mapdrive/MappedDrive";
const CRED: &str = "Mapdrive/Credential";

#[test]
fn dsc_mapped_drive_get_test_set_delete_export() {
    let mut wine = Prefix::new();
    let want = r#"{"letter":"M","path":"\\\\fileserver\\public","label":"Public files"}"#;
    assert_eq!(
        first(&dsc(&mut wine, "get", DRIVE, r#"{"letter":"M"}"#, false))["_exist"],
        false
    );
    let t = dsc(&mut wine, "test", DRIVE, want, false);
    t.success();
    assert_eq!(first(&t)["_inDesiredState"], false);
    // What-if changes nothing and says what it would do.
    let w = dsc(&mut wine, "set", DRIVE, want, true);
    w.success();
    assert!(
        first(&w)["_metadata"]["whatIf"][0]
            .as_str()
            .unwrap()
            .contains("connect M:")
    );
    assert!(
        wine.reg_values(r"HKCU\Network\M").is_none(),
        "what-if remembered M:"
    );
    let s = dsc(&mut wine, "set", DRIVE, want, false);
    s.success();
    assert_eq!(first(&s)["path"], r"\\fileserver\public");
    assert!(second(&s).contains("_exist"));
    assert!(wine.reg_values(r"HKCU\Network\M").is_some());
    // Re-run in another spelling: unchanged, nothing written.
    let before = wine.reg_query(r"HKCU\Network").unwrap();
    let same = r#"{"letter":"m:","path":"\\\\FILESERVER\\Public\\","label":"Public files"}"#;
    let again = dsc(&mut wine, "set", DRIVE, same, false);
    again.success();
    assert_eq!(second(&again), "[]");
    assert_eq!(wine.reg_query(r"HKCU\Network").unwrap(), before);
    let t = dsc(&mut wine, "test", DRIVE, same, false);
    assert_eq!(first(&t)["_inDesiredState"], true);
    let e = dsc(&mut wine, "export", DRIVE, "", false);
    e.success();
    assert!(
        e.stdout
            .contains(r#""letter":"M:","path":"\\\\fileserver\\public""#),
        "{}",
        e.stdout
    );
    dsc(&mut wine, "delete", DRIVE, r#"{"letter":"M"}"#, true).success();
    assert!(
        wine.reg_values(r"HKCU\Network\M").is_some(),
        "what-if delete removed M:"
    );
    dsc(&mut wine, "delete", DRIVE, r#"{"letter":"M"}"#, false).success();
    assert!(wine.reg_values(r"HKCU\Network\M").is_none());
    assert_eq!(
        first(&dsc(&mut wine, "get", DRIVE, r#"{"letter":"M"}"#, false))["_exist"],
        false
    );
    // A refused letter: exit 3 and a JSON error line, as the manifest declares.
    let c = dsc(
        &mut wine,
        "set",
        DRIVE,
        r#"{"letter":"C","path":"\\\\fileserver\\public"}"#,
        false,
    );
    assert_eq!(c.code, 3);
    assert!(
        c.stderr
            .lines()
            .any(|l| l.starts_with(r#"{"error":"failed to create mapped drive C"#)),
        "{}",
        c.stderr
    );
}

#[test]
fn dsc_credential_secret_is_written_never_returned() {
    let mut wine = Prefix::new();
    let want = format!(
        r#"{{"name":"nas","type":"domain_password","username":"NAS\\bob","secret":{{"secureString":"{BOB_PASSWORD}"}},"comment":"media box"}}"#
    );
    dsc(&mut wine, "set", CRED, &want, true).success();
    assert!(!wine.mapdrive(&["cred", "list"]).stdout.contains("nas"));
    let s = dsc(&mut wine, "set", CRED, &want, false);
    s.success();
    assert_eq!(first(&s)["username"], r"NAS\bob");
    // The secret works: the share needs it.
    wine.mapdrive(&["map", "N:", r"\\nas\media"]).success();
    let g = dsc(
        &mut wine,
        "get",
        CRED,
        r#"{"name":"NAS","type":"domain_password"}"#,
        false,
    );
    assert_eq!(first(&g)["comment"], "media box");
    assert_eq!(
        first(&dsc(&mut wine, "test", CRED, &want, false))["_inDesiredState"],
        true
    );
    let again = dsc(&mut wine, "set", CRED, &want, false);
    assert_eq!(second(&again), "[]");
    let e = dsc(&mut wine, "export", CRED, "", false);
    assert!(e.stdout.contains(r#""name":"nas""#), "{}", e.stdout);
    // Certificate types go to the core like the password types: an absent one does not exist.
    // (Wine 8 refuses to store certificate credentials at all, 87: creating one is covered on the
    // session model and in the adapter's Windows-target tests.)
    let cert = dsc(
        &mut wine,
        "get",
        CRED,
        r#"{"name":"x","type":"domain_certificate"}"#,
        false,
    );
    cert.success();
    assert_eq!(first(&cert)["_exist"], false);
    dsc(
        &mut wine,
        "delete",
        CRED,
        r#"{"name":"nas","type":"domain_password"}"#,
        false,
    )
    .success();
    assert_eq!(
        first(&dsc(
            &mut wine,
            "get",
            CRED,
            r#"{"name":"nas","type":"domain_password"}"#,
            false
        ))["_exist"],
        false
    );
    assert_no_secret(&wine.transcript);
}

#[test]
fn dsc_global_drive_and_linked_connections() {
    let mut wine = Prefix::new();
    let g = "Mapdrive/GlobalDrive";
    let want = r#"{"letter":"Y","path":"\\\\fileserver\\public"}"#;
    dsc(&mut wine, "set", g, want, true).success();
    assert!(!wine.mapdrive(&["list"]).stdout.contains("Y:"));
    dsc(&mut wine, "set", g, want, false).success();
    assert_eq!(
        first(&dsc(
            &mut wine,
            "test",
            g,
            r#"{"letter":"y:","path":"\\\\FILESERVER\\public"}"#,
            false
        ))["_inDesiredState"],
        true
    );
    assert_eq!(second(&dsc(&mut wine, "set", g, want, false)), "[]");
    assert!(
        dsc(&mut wine, "export", g, "", false)
            .stdout
            .contains(r#""letter":"Y:""#)
    );
    dsc(&mut wine, "delete", g, r#"{"letter":"Y"}"#, false).success();
    assert_eq!(
        first(&dsc(&mut wine, "get", g, r#"{"letter":"Y"}"#, false))["_exist"],
        false
    );

    let l = "Mapdrive/LinkedConnections";
    let t = dsc(&mut wine, "test", l, r#"{"enabled":true}"#, false);
    assert_eq!(first(&t)["_inDesiredState"], false);
    dsc(&mut wine, "set", l, r#"{"enabled":true}"#, true).success();
    let after_what_if = dsc(&mut wine, "get", l, "{}", false);
    assert_eq!(first(&after_what_if)["_exist"], false, "what-if wrote");
    dsc(&mut wine, "set", l, r#"{"enabled":true}"#, false).success();
    let e = dsc(&mut wine, "export", l, "", false);
    assert!(e.stdout.contains(r#""enabled":true"#), "{}", e.stdout);
    let t = dsc(&mut wine, "test", l, r#"{"enabled":true}"#, false);
    assert_eq!(first(&t)["_inDesiredState"], true);
    assert_eq!(
        first(&dsc(&mut wine, "get", l, "{}", false))["enabled"],
        true
    );
    assert_eq!(
        second(&dsc(&mut wine, "set", l, r#"{"enabled":true}"#, false)),
        "[]"
    );
    dsc(&mut wine, "delete", l, "{}", false).success();
    assert_eq!(
        first(&dsc(&mut wine, "get", l, "{}", false))["_exist"],
        false
    );
}

const DOC: &str = r#"$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
parameters:
  nasPassword:
    type: securestring
resources:
  - name: Media
    type: Mapdrive/MappedDrive
    properties:
      letter: N
      path: \\nas\media
    dependsOn:
      - "[resourceId('Mapdrive/Credential','Nas credential')]"
  - name: Nas credential
    type: Mapdrive/Credential
    properties:
      name: nas
      type: domain_password
      username: NAS\bob
      secret: "[parameters('nasPassword')]"
  - name: Public
    type: Mapdrive/MappedDrive
    properties:
      letter: "*"
      startLetter: P
      path: \\fileserver\public
      label: Public files
"#;

fn write_doc(wine: &Prefix, name: &str, text: &str) -> String {
    std::fs::write(wine.path().join("drive_c").join(name), text).unwrap();
    format!(r"C:\{name}")
}

#[test]
fn apply_then_reapply_writes_nothing_and_export_round_trips() {
    let mut wine = Prefix::new();
    // P: is taken: the first available letter from P: is Q:.
    wine.mapdrive(&["map", "P:", r"\\fileserver\busy"])
        .success();
    let doc = write_doc(&wine, "doc.yaml", DOC);
    let check = wine.mapdrive_stdin(
        &["apply", &doc, "--check", "--secret", "nasPassword=-"],
        &format!("{BOB_PASSWORD}\n"),
    );
    check.success();
    assert!(check.stdout.contains("would change"), "{}", check.stdout);
    assert!(
        wine.reg_values(r"HKCU\Network\N").is_none(),
        "--check changed something"
    );
    let run = wine.mapdrive_stdin(
        &["apply", &doc, "--secret", "nasPassword=-", "--json"],
        &format!("{BOB_PASSWORD}\n"),
    );
    run.success();
    let v = run.json();
    assert_eq!(v["changed"], true);
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Nas credential", "Media", "Public"],
        "dependsOn ordering"
    );
    let n = wine.reg_values(r"HKCU\Network\N").expect("N: remembered");
    assert!(
        n.iter()
            .any(|(k, _, d)| k == "RemotePath" && d == r"\\nas\media")
    );
    let q = wine
        .reg_values(r"HKCU\Network\Q")
        .expect("first available: Q:");
    assert!(
        q.iter()
            .any(|(k, _, d)| k == "RemotePath" && d == r"\\fileserver\public")
    );

    // Re-apply: every item unchanged, HKCU\Network not written.
    let before = wine.reg_query(r"HKCU\Network").unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let started = now();
    let again = wine.mapdrive_stdin(
        &["apply", &doc, "--secret", "nasPassword=-"],
        &format!("{BOB_PASSWORD}\n"),
    );
    again.success();
    assert!(
        again.stdout.contains("3 items, 3 unchanged"),
        "{}",
        again.stdout
    );
    assert_eq!(wine.reg_query(r"HKCU\Network").unwrap(), before);

    // export → apply: unchanged.
    let export = wine.mapdrive(&["export"]);
    export.success();
    let exported = write_doc(&wine, "export.yaml", &export.stdout);
    let round = wine.mapdrive(&["apply", &exported]);
    round.success();
    assert!(!round.stdout.contains(" changed "), "{}", round.stdout);
    let json_export = wine.mapdrive(&["export", "--json"]);
    let exported = write_doc(&wine, "export.json", &json_export.stdout);
    let round = wine.mapdrive(&["apply", &exported, "--json"]);
    round.success();
    assert_eq!(round.json()["changed"], false);

    let reg = wine.registry_files();
    for key in [r"Network\N", r"Network\Q", r"Network\P"] {
        let t = key_written_at(&reg, key).unwrap_or_else(|| panic!("{key} missing"));
        assert!(t < started, "a no-op apply wrote HKCU\\{key}");
    }
    assert_no_secret(&wine.transcript);
    assert_no_secret(&reg);
}

#[test]
fn a_failing_item_does_not_stop_the_rest_and_bad_documents_change_nothing() {
    let mut wine = Prefix::new();
    let bad = DOC.replace("\"[parameters('nasPassword')]\"", BOB_PASSWORD);
    let doc = write_doc(&wine, "bad.yaml", &bad);
    let refused = wine.mapdrive(&["apply", &doc]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("MS14-025"), "{}", refused.stderr);
    let other = write_doc(
        &wine,
        "other.yaml",
        &DOC.replace(
            "type: Mapdrive/MappedDrive\n    properties:\n      letter: N",
            "type: Microsoft.Windows/Registry\n    properties:\n      letter: N",
        ),
    );
    assert_eq!(
        wine.mapdrive_stdin(
            &["apply", &other, "--secret", "nasPassword=-"],
            &format!("{BOB_PASSWORD}\n")
        )
        .code,
        2
    );
    assert!(
        wine.reg_query(r"HKCU\Network")
            .is_none_or(|t| !t.contains("RemotePath"))
    );
    assert!(!wine.mapdrive(&["cred", "list"]).stdout.contains("nas"));

    let failing = r#"$schema: https://aka.ms/dsc/schemas/v3/bundled/config/document.json
resources:
  - name: Dead
    type: Mapdrive/MappedDrive
    properties: {letter: D, path: \\deadserver\x}
  - name: After dead
    type: Mapdrive/MappedDrive
    properties: {letter: E, path: \\fileserver\public}
    dependsOn: ["[resourceId('Mapdrive/MappedDrive','Dead')]"]
  - name: Public
    type: Mapdrive/MappedDrive
    properties: {letter: F, path: \\fileserver\public}
"#;
    let doc = write_doc(&wine, "failing.yaml", failing);
    let run = wine.mapdrive(&["apply", &doc, "--json"]);
    assert_eq!(run.code, 1);
    let v = run.json();
    let results: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["failed", "skipped", "changed"]);
    assert!(
        v["items"][0]["error"].as_str().unwrap().contains("1203"),
        "{v}"
    );
    assert!(wine.reg_values(r"HKCU\Network\F").is_some());
    assert!(wine.reg_values(r"HKCU\Network\E").is_none());
    assert_no_secret(&wine.transcript);
}

/// Standard input as Windows tools write it reaches the resources and `apply`: a pretty-printed
/// instance over several lines, with a UTF-8 byte order mark, or as UTF-16LE with one
/// (PowerShell 5.1); `--secret` reads exactly one line per option (read through mapdrive's own
/// handle, not std's buffered reader), and an extra line is refused.
#[test]
fn stdin_is_read_as_windows_tools_write_it() {
    let mut wine = Prefix::new();
    let pretty =
        "{\r\n  \"letter\": \"M\",\r\n  \"path\": \"\\\\\\\\fileserver\\\\public\"\r\n}\r\n";
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(pretty.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(pretty.encode_utf16().flat_map(u16::to_le_bytes));
    for bytes in [pretty.as_bytes().to_vec(), bom8, utf16] {
        let run = wine.mapdrive_stdin_bytes(
            &["dsc", "test", "--resource", "Mapdrive/MappedDrive"],
            &bytes,
        );
        run.success();
        let state: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(state["_inDesiredState"], false, "{}", run.stdout);
    }
    let doc = write_doc(&wine, "doc.yaml", DOC);
    let extra = wine.mapdrive_stdin(
        &["apply", &doc, "--check", "--secret", "nasPassword=-"],
        &format!("{BOB_PASSWORD}\nExtra-L1ne!\n"),
    );
    assert_eq!(extra.code, 2, "{}{}", extra.stdout, extra.stderr);
    assert!(
        extra.stderr.contains("standard input holds more lines"),
        "{}",
        extra.stderr
    );
    assert!(!extra.stderr.contains("Extra-L1ne!") && !extra.stdout.contains("Extra-L1ne!"));
    let ok = wine.mapdrive_stdin(
        &["apply", &doc, "--check", "--secret", "nasPassword=-"],
        &format!("{BOB_PASSWORD}\r\n\r\n"),
    );
    ok.success();
}

//! Every `--json` output of the session-model CLI scenarios is validated against the command's
//! checked-in JSON Schema (`schemas/`, generated from the output types by `tests/schemas.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use mapdrive::cli::output::schema_name;
use mapdrive::frontend::report::Report;

type Schemas = HashMap<&'static str, serde_json::Value>;

fn schemas() -> &'static Mutex<Schemas> {
    static SCHEMAS: OnceLock<Mutex<Schemas>> = OnceLock::new();
    SCHEMAS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Panics unless a `--json` run printed one JSON value that matches its command's schema.
#[track_caller]
pub fn check(args: &[&str], report: &Report) {
    if !args.contains(&"--json") {
        return;
    }
    // `dsc` speaks the DSC protocol: its stdout is validated against the manifest's embedded
    // schemas (tests/model/dsc.rs). `apply`/`test`/`export` are validated in tests/model/apply.rs;
    // `gpp convert` writes a configuration document, applied in tests/model/gpp.rs.
    if matches!(
        args.first(),
        Some(&"dsc" | &"apply" | &"test" | &"export" | &"gpp")
    ) {
        return;
    }
    let name = schema_name(args).unwrap_or_else(|| panic!("{args:?}: no schema for this command"));
    let schema = {
        let mut cache = schemas().lock().unwrap();
        cache
            .entry(name)
            .or_insert_with(|| {
                let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("../../schemas/{name}.json"));
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
            })
            .clone()
    };
    let value: serde_json::Value = serde_json::from_str(&report.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: --json printed no JSON ({e}):\n{}", report.stdout));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{args:?}: output does not match schemas/{name}.json:\n{}\n{value:#}",
        errors.join("\n")
    );
    assert_eq!(
        report.code != 0,
        value.get("failed") == Some(&serde_json::Value::Bool(true)),
        "{args:?}: exit code {} but failed = {:?}",
        report.code,
        value.get("failed")
    );
}

#[test]
fn a_new_drive_with_a_label_has_no_before_state() {
    use crate::support::{logon, mapdrive, ok};
    use mapdrive_model::LogonKind;
    use mapdrive_model::fixture;
    let mut m = fixture::corp();
    logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Interactive);
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "P:",
            r"\\fileserver\public",
            "--label",
            "Public",
            "--json",
        ],
    ));
    assert_eq!(out["before"], serde_json::Value::Null, "{out}");
    assert_eq!(out["after"]["label"], "Public", "{out}");
    assert_eq!(out["after"]["connected"], true, "{out}");
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    let p = list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == "P:")
        .unwrap();
    assert_eq!(p["connected"], true, "the same fact has the same name: {p}");
    let policy = ok(&mapdrive(
        &mut m,
        &["policy", "linked-connections", "--json"],
    ));
    assert!(policy.get("linked_connections").is_some(), "{policy}");
}

#[test]
fn the_rollback_note_does_not_read_as_if_the_drive_became_temporary() {
    use crate::support::{logon, mapdrive, ok};
    use mapdrive_model::LogonKind;
    use mapdrive_model::fixture;
    let mut m = fixture::corp();
    logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Interactive);
    ok(&mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--json"],
    ));
    // bob has no access to svc: the re-map fails and the old mapping is put back.
    let r = mapdrive(&mut m, &["map", "P:", r"\\fileserver\svc", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let remedy = v["error"]["remedy"].as_str().unwrap();
    assert!(remedy.contains("were undone"), "{remedy}");
    assert!(!remedy.contains("for this logon session only"), "{remedy}");
    assert!(
        remedy.contains(r"reconnect P: to \\fileserver\public as it was"),
        "{remedy}"
    );
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    let p = list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == "P:")
        .unwrap();
    assert_eq!(
        (p["connected"].clone(), p["remembered"].clone()),
        (true.into(), true.into()),
        "{p}"
    );
}

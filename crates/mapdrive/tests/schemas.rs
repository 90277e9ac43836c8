//! The JSON contract: one JSON Schema per command, generated from the output types, checked in
//! under `schemas/`. A change to the types that is not reflected there fails here; regenerate with
//! `MAPDRIVE_BLESS=1 cargo test --test schemas`. The session-model CLI scenarios
//! (`tests/model/contract.rs`) validate every `--json` output against these files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use mapdrive::cli::output::schemas;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

#[test]
fn checked_in_schemas_match_the_output_types() {
    let bless = std::env::var_os("MAPDRIVE_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in schemas() {
        let path = dir().join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if bless {
            std::fs::create_dir_all(dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/ is out of date for {stale:?}: run `MAPDRIVE_BLESS=1 cargo test -p mapdrive --test schemas` and review the diff"
    );
    // No stray files: every schema belongs to a command.
    let names: Vec<String> = schemas().iter().map(|(n, _)| format!("{n}.json")).collect();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            names.contains(&file),
            "schemas/{file} belongs to no command"
        );
    }
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema() {
    for (name, schema) in schemas() {
        let v = serde_json::to_value(&schema).unwrap();
        jsonschema::draft202012::meta::validate(&v)
            .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"));
    }
}

#[test]
fn usage_and_explain_errors_match_the_schema() {
    // Real outputs of the Linux build: an argument error with --json, and explain --json.
    for (schema, args) in [
        ("map", vec!["map", "M:", r"\\srv\share", "Pa55!", "--json"]),
        ("explain", vec!["explain", "0x80070035", "--json"]),
        ("explain", vec!["explain", "0x35", "--json"]),
        ("explain", vec!["explain", "424242", "--json"]),
        ("list", vec!["list", "--json"]),
        ("version", vec!["--version", "--json"]),
    ] {
        let out = assert_cmd::Command::cargo_bin("mapdrive")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"));
        let s: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir().join(format!("{schema}.json"))).unwrap(),
        )
        .unwrap();
        let validator = jsonschema::validator_for(&s).unwrap();
        if let Err(e) = validator.validate(&v) {
            panic!("{args:?}: output does not match schemas/{schema}.json: {e}\n{v:#}");
        }
    }
}

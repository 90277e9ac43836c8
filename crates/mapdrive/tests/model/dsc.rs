//! DSC v3 protocol conformance without the engine: every operation of every resource on the
//! session model, each stdout document validated against the schema embedded in the manifest,
//! the manifest read with dsc's own (`deny_unknown_fields`) shapes, golden transcripts of the
//! exact stdout/stderr lines, zero writes on re-runs and in what-if mode, secrets never echoed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mapdrive::frontend::dsc::{self, Kind, Level, Op};
use mapdrive::frontend::report::Report;
use mapdrive_model::fixture::{ALICE, BOB, BOB_PW};
use mapdrive_model::{LogonKind, Machine, fixture};
use serde::Deserialize;
use serde_json::Value;

use crate::support::logon;

const SECRET: &str = "Dsc-S3cret-99";

fn manifest_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dsc/mapdrive.dsc.manifests.json")
}

/// The schema embedded in the checked-in manifest for `kind`.
fn embedded_schema(kind: Kind) -> Value {
    let text = std::fs::read_to_string(manifest_path()).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == kind.type_name())
        .unwrap()["schema"]["embedded"]
        .clone()
}

/// Validates every stdout line of `op` as dsc does: instances against the schema, diff lines as
/// arrays of property names.
#[track_caller]
fn validate(kind: Kind, op: Op, r: &Report) {
    let schema = embedded_schema(kind);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let lines: Vec<&str> = r.stdout.lines().collect();
    let expected = match op {
        Op::Test | Op::Set => Some(2),
        Op::Get | Op::Schema => Some(1),
        Op::Delete => None,
        Op::Export => None,
    };
    if r.code == 0
        && let Some(n) = expected
    {
        assert_eq!(lines.len(), n, "{op:?} printed {:?}", r.stdout);
    }
    for (i, text) in lines.iter().enumerate() {
        let v: Value = serde_json::from_str(text).unwrap();
        if i == 1 && matches!(op, Op::Test | Op::Set) {
            let names = v.as_array().expect("line 2 is an array");
            assert!(names.iter().all(Value::is_string), "{v}");
            assert!(!names.iter().any(|n| n == "_inDesiredState"));
            continue;
        }
        if op == Op::Schema {
            assert!(jsonschema::meta::is_valid(&v), "not a JSON Schema: {v}");
            continue;
        }
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{op:?} output {v} fails the schema: {errors:?}"
        );
        match op {
            Op::Test => assert!(v["_inDesiredState"].is_boolean(), "{v}"),
            _ => assert!(v.get("_inDesiredState").is_none(), "{v}"),
        }
    }
    for line in r.stderr.lines() {
        let v: Value = serde_json::from_str(line).expect("stderr lines are JSON");
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), 1, "{line}");
        assert!(
            ["error", "warn", "info", "debug", "trace"]
                .contains(&obj.keys().next().unwrap().as_str())
        );
    }
    assert!(!r.stdout.contains(SECRET) && !r.stderr.contains(SECRET));
    assert!(!r.stdout.contains(BOB_PW) && !r.stderr.contains(BOB_PW));
}

/// Runs one operation, validates it, and appends it to `log`.
fn call(
    m: &mut Machine,
    log: &mut String,
    op: Op,
    kind: Kind,
    what_if: bool,
    input: &str,
) -> Report {
    call_at(m, log, op, kind, what_if, input, Level::Warn)
}

fn call_at(
    m: &mut Machine,
    log: &mut String,
    op: Op,
    kind: Kind,
    what_if: bool,
    input: &str,
    level: Level,
) -> Report {
    let writes = m.writes();
    let r = dsc::run(op, kind, what_if, Some(input), Some(m), level);
    validate(kind, op, &r);
    if what_if || matches!(op, Op::Get | Op::Test | Op::Export | Op::Schema) {
        assert_eq!(m.writes(), writes, "{op:?} (what-if {what_if}) wrote");
    }
    log.push_str(&format!(
        "$ mapdrive dsc {}{} --resource {} <<< {}\n{}{}[exit {}]\n\n",
        format!("{op:?}").to_lowercase(),
        if what_if { " --what-if" } else { "" },
        kind.type_name(),
        input.replace(SECRET, "<secret>"),
        r.stdout,
        r.stderr,
        r.code
    ));
    r
}

fn first(r: &Report) -> Value {
    let line = r
        .stdout
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no stdout: {}", r.stderr));
    serde_json::from_str(line).unwrap()
}

fn bob() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m
}

fn elevated_alice() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    m
}

// ---------------------------------------------------------------- manifest

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ManifestList {
    resources: Vec<ResourceManifest>,
}

/// dsc's `ResourceManifest` (dsc-gpp-crates.md §1.2): unknown fields are an error, and dsc then
/// skips the manifest silently.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct ResourceManifest {
    #[serde(rename = "$schema")]
    schema_version: String,
    #[serde(rename = "type")]
    type_name: String,
    version: String,
    description: Option<String>,
    tags: Option<Vec<String>>,
    kind: Option<String>,
    get: Option<Method>,
    set: Option<Method>,
    what_if: Option<Method>,
    test: Option<Method>,
    delete: Option<Method>,
    export: Option<Method>,
    validate: Option<Method>,
    resolve: Option<Method>,
    exit_codes: Option<BTreeMap<String, String>>,
    schema: Option<SchemaKind>,
    condition: Option<String>,
    deprecation_message: Option<String>,
    metadata: Option<Value>,
}

/// dsc's method structs (§1.3), all in one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Method {
    executable: String,
    args: Option<Vec<Arg>>,
    input: Option<InputKind>,
    implements_pretest: Option<bool>,
    handles_exist: Option<bool>,
    #[serde(rename = "return")]
    returns: Option<ReturnKind>,
    what_if_returns: Option<ReturnKind>,
    require_security_context: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Arg {
    Text(String),
    JsonInput {
        #[serde(rename = "jsonInputArg")]
        json_input_arg: String,
        mandatory: Option<bool>,
    },
    WhatIf {
        #[serde(rename = "whatIfArg")]
        what_if_arg: String,
    },
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
enum InputKind {
    Stdin,
    Env,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
enum ReturnKind {
    State,
    StateAndDiff,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
enum SchemaKind {
    Command {
        executable: String,
        args: Vec<String>,
    },
    Embedded(Value),
}

#[test]
fn manifest_is_generated_from_the_types_and_checked_in() {
    let generated = dsc::manifest_text();
    let path = manifest_path();
    if std::env::var_os("MAPDRIVE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date with the Rust types: run `MAPDRIVE_BLESS=1 cargo test -p mapdrive --test model dsc::` and commit it",
        path.display()
    );
}

#[test]
fn manifest_loads_with_dscs_rules() {
    let text = std::fs::read_to_string(manifest_path()).unwrap();
    let list: ManifestList = serde_json::from_str(&text).expect("dsc would skip this manifest");
    assert_eq!(list.resources.len(), 4);
    let type_pattern = |t: &str| {
        let (owner, name) = t.split_once('/').unwrap();
        owner
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    for r in &list.resources {
        assert!(type_pattern(&r.type_name), "{}", r.type_name);
        assert!(Kind::from_type(&r.type_name).is_some());
        let set = r.set.as_ref().unwrap();
        assert_eq!(set.implements_pretest, Some(true));
        assert_eq!(set.handles_exist, Some(true));
        assert_eq!(set.returns, Some(ReturnKind::StateAndDiff));
        assert!(
            set.args
                .as_ref()
                .unwrap()
                .iter()
                .any(|a| matches!(a, Arg::WhatIf { what_if_arg } if what_if_arg == "--what-if"))
        );
        assert_eq!(
            r.test.as_ref().unwrap().returns,
            Some(ReturnKind::StateAndDiff)
        );
        for m in [&r.get, &r.set, &r.test, &r.delete] {
            assert_eq!(m.as_ref().unwrap().input, Some(InputKind::Stdin));
        }
        let codes = r.exit_codes.as_ref().unwrap();
        for c in codes.keys() {
            c.parse::<i32>().unwrap();
        }
        assert_eq!(codes.len(), 5);
        let Some(SchemaKind::Embedded(schema)) = &r.schema else {
            panic!("embedded schema expected")
        };
        assert!(jsonschema::meta::is_valid(schema));
        // With additionalProperties false, dsc needs _exist and _inDesiredState declared.
        assert_eq!(schema["additionalProperties"], false);
        for p in ["_exist", "_inDesiredState"] {
            assert!(schema["properties"].get(p).is_some(), "{p} missing");
        }
        assert_eq!(schema["properties"]["_inDesiredState"]["readOnly"], true);
    }
}

// ---------------------------------------------------------------- resources

#[test]
fn mapped_drive_get_test_set_delete_export() {
    let mut m = bob();
    let mut log = String::new();
    let k = Kind::MappedDrive;
    let want = r#"{"letter":"P","path":"\\\\fileserver\\public","label":"Public files"}"#;
    let r = call(&mut m, &mut log, Op::Get, k, false, r#"{"letter":"P"}"#);
    assert_eq!(first(&r)["_exist"], false);
    let r = call(&mut m, &mut log, Op::Test, k, false, want);
    assert_eq!(first(&r)["_inDesiredState"], false);
    let r = call(&mut m, &mut log, Op::Set, k, true, want);
    assert!(
        first(&r)["_metadata"]["whatIf"][0]
            .as_str()
            .unwrap()
            .contains("connect P:")
    );
    let w = m.writes();
    let r = call(&mut m, &mut log, Op::Set, k, false, want);
    assert!(m.writes() > w);
    assert_eq!(first(&r)["persistent"], true);
    // Re-run: nothing to do, nothing written; case and trailing separators do not count.
    let w = m.writes();
    let same = r#"{"letter":"p:","path":"\\\\FILESERVER\\Public\\","label":"Public files"}"#;
    let r = call(&mut m, &mut log, Op::Set, k, false, same);
    assert_eq!(r.stdout.lines().nth(1), Some("[]"));
    assert_eq!(m.writes(), w);
    let r = call(&mut m, &mut log, Op::Test, k, false, same);
    assert_eq!(first(&r)["_inDesiredState"], true);
    // A temporary mapping differs in `persistent`.
    let r = call(
        &mut m,
        &mut log,
        Op::Test,
        k,
        false,
        r#"{"letter":"P","path":"\\\\fileserver\\public","persistent":false}"#,
    );
    assert_eq!(r.stdout.lines().nth(1), Some(r#"["persistent"]"#));
    call(&mut m, &mut log, Op::Export, k, false, "");
    call(&mut m, &mut log, Op::Delete, k, true, r#"{"letter":"P"}"#);
    let w = m.writes();
    call(&mut m, &mut log, Op::Delete, k, false, r#"{"letter":"P"}"#);
    assert!(m.writes() > w);
    let r = call(
        &mut m,
        &mut log,
        Op::Set,
        k,
        false,
        r#"{"letter":"P","_exist":false}"#,
    );
    assert_eq!(r.stdout.lines().nth(1), Some("[]"));
    let r = call(&mut m, &mut log, Op::Get, k, false, r#"{"letter":"P"}"#);
    assert_eq!(first(&r)["_exist"], false);
    insta::assert_snapshot!(log);
}

#[test]
fn first_available_letter_as_group_policy() {
    let mut m = bob();
    let mut log = String::new();
    let k = Kind::MappedDrive;
    // E: is taken by another share; the first free letter from E: is F:.
    crate::support::ok(&crate::support::mapdrive(
        &mut m,
        &["map", "E:", r"\\fileserver\team", "--json"],
    ));
    let want = r#"{"letter":"*","startLetter":"E","path":"\\\\fileserver\\public"}"#;
    let r = call(&mut m, &mut log, Op::Test, k, false, want);
    assert_eq!(first(&r)["_exist"], false);
    let r = call(&mut m, &mut log, Op::Set, k, false, want);
    assert_eq!(first(&r)["path"], r"\\fileserver\public");
    assert!(crate::support::connected(&m).contains(&"F:".to_string()));
    // Already mapped on one of the letters: in the desired state, even with E: freed.
    crate::support::ok(&crate::support::mapdrive(
        &mut m,
        &["unmap", "E:", "--json"],
    ));
    let w = m.writes();
    let r = call(&mut m, &mut log, Op::Test, k, false, want);
    assert_eq!(first(&r)["_inDesiredState"], true);
    call(&mut m, &mut log, Op::Set, k, false, want);
    assert_eq!(m.writes(), w);
    // Also when mapped outside the range: a new letter in the range is used.
    let r = call(
        &mut m,
        &mut log,
        Op::Test,
        k,
        false,
        r#"{"letter":"*","startLetter":"G","path":"\\\\fileserver\\public"}"#,
    );
    assert_eq!(first(&r)["_inDesiredState"], false);
    insta::assert_snapshot!(log);
}

#[test]
fn credential_secret_is_write_only() {
    let mut m = bob();
    let mut log = String::new();
    let k = Kind::Credential;
    let want = format!(
        r#"{{"name":"fileserver","type":"domain_password","username":"CORP\\bob","secret":{{"secureString":"{SECRET}"}},"comment":"team share"}}"#
    );
    call(
        &mut m,
        &mut log,
        Op::Get,
        k,
        false,
        r#"{"name":"fileserver","type":"domain_password"}"#,
    );
    let r = call(&mut m, &mut log, Op::Test, k, false, &want);
    assert_eq!(first(&r)["_inDesiredState"], false);
    let r = call(&mut m, &mut log, Op::Set, k, true, &want);
    assert!(r.stdout.contains("whatIf"));
    call(&mut m, &mut log, Op::Set, k, false, &want);
    // updateSecret defaults to onCreate: a re-run writes nothing.
    let w = m.writes();
    let r = call(&mut m, &mut log, Op::Set, k, false, &want);
    assert_eq!(m.writes(), w);
    assert_eq!(r.stdout.lines().nth(1), Some("[]"));
    // updateSecret always: Windows never returns a domain password, so it is rewritten and said so.
    let always = want.replace(r#""comment""#, r#""updateSecret":"always","comment""#);
    let r = call(&mut m, &mut log, Op::Test, k, false, &always);
    assert_eq!(first(&r)["_inDesiredState"], false);
    assert_eq!(r.stdout.lines().nth(1), Some("[]"));
    // A plain string secret is accepted from dsc too; username differs.
    let plain = format!(
        r#"{{"name":"FILESERVER","type":"domain_password","username":"CORP\\alice","secret":"{SECRET}"}}"#
    );
    let r = call(&mut m, &mut log, Op::Test, k, false, &plain);
    assert_eq!(r.stdout.lines().nth(1), Some(r#"["username"]"#));
    call(&mut m, &mut log, Op::Export, k, false, "");
    // Certificate types go to the core like the password types (an absent one is `_exist: false`).
    let r = call(
        &mut m,
        &mut log,
        Op::Get,
        k,
        false,
        r#"{"name":"x","type":"generic_certificate"}"#,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(r#""_exist":false"#), "{}", r.stdout);
    call(
        &mut m,
        &mut log,
        Op::Delete,
        k,
        false,
        r#"{"name":"fileserver","type":"domain_password"}"#,
    );
    let r = call(
        &mut m,
        &mut log,
        Op::Get,
        k,
        false,
        r#"{"name":"fileserver","type":"domain_password"}"#,
    );
    assert_eq!(first(&r)["_exist"], false);
    // A secret nobody can see in a trace, even at trace level.
    let w = m.writes();
    let r = call_at(&mut m, &mut log, Op::Set, k, true, &want, Level::Trace);
    assert!(!r.stderr.is_empty());
    assert_eq!(m.writes(), w);
    insta::assert_snapshot!(log);
}

#[test]
fn global_drive_and_linked_connections() {
    let mut m = elevated_alice();
    let mut log = String::new();
    let g = Kind::GlobalDrive;
    let want = r#"{"letter":"G","path":"\\\\fileserver\\public"}"#;
    call(&mut m, &mut log, Op::Get, g, false, r#"{"letter":"G"}"#);
    call(&mut m, &mut log, Op::Set, g, true, want);
    call(&mut m, &mut log, Op::Set, g, false, want);
    let w = m.writes();
    let r = call(
        &mut m,
        &mut log,
        Op::Test,
        g,
        false,
        r#"{"letter":"g:","path":"\\\\FILESERVER\\public\\"}"#,
    );
    assert_eq!(first(&r)["_inDesiredState"], true);
    call(&mut m, &mut log, Op::Set, g, false, want);
    assert_eq!(m.writes(), w);
    call(&mut m, &mut log, Op::Export, g, false, "");
    call(&mut m, &mut log, Op::Delete, g, false, r#"{"letter":"G"}"#);

    let l = Kind::LinkedConnections;
    call(&mut m, &mut log, Op::Get, l, false, "{}");
    call(&mut m, &mut log, Op::Test, l, false, r#"{"enabled":true}"#);
    call(&mut m, &mut log, Op::Set, l, false, r#"{"enabled":true}"#);
    let w = m.writes();
    call(&mut m, &mut log, Op::Set, l, false, r#"{"enabled":true}"#);
    assert_eq!(m.writes(), w);
    call(&mut m, &mut log, Op::Export, l, false, "");
    call(&mut m, &mut log, Op::Set, l, false, r#"{"_exist":false}"#);
    insta::assert_snapshot!(log);
}

#[test]
fn bad_input_is_refused_with_exit_2_and_a_json_error() {
    let mut m = bob();
    let mut log = String::new();
    for (kind, input) in [
        (
            Kind::MappedDrive,
            r#"{"letter":"P","path":"\\\\fileserver\\public","colour":"red"}"#,
        ),
        (
            Kind::MappedDrive,
            r#"{"letter":"1","path":"\\\\fileserver\\public"}"#,
        ),
        (Kind::MappedDrive, r#"{"letter":"P"}"#),
        (
            Kind::MappedDrive,
            r#"{"letter":"P","path":"\\\\fileserver\\public","_inDesiredState":true}"#,
        ),
        (
            Kind::Credential,
            r#"{"name":"nas","type":"domain_password","secret":""}"#,
        ),
        (Kind::Credential, r#"{"name":"nas","type":"smartcard"}"#),
        (Kind::MappedDrive, "not json"),
    ] {
        let w = m.writes();
        let r = call(&mut m, &mut log, Op::Set, kind, false, input);
        assert_eq!(r.code, 2, "{input}");
        assert!(r.stdout.is_empty());
        assert_eq!(m.writes(), w);
    }
    // A letter held by a local disk: refused (3), as the CLI does.
    let r = call(
        &mut m,
        &mut log,
        Op::Set,
        Kind::MappedDrive,
        false,
        r#"{"letter":"C","path":"\\\\fileserver\\public"}"#,
    );
    assert_eq!(r.code, 3);
    insta::assert_snapshot!(log);
}

#[test]
fn schema_operation_prints_the_embedded_schema() {
    for kind in Kind::ALL {
        let r = dsc::run(Op::Schema, kind, false, None, None, Level::Warn);
        validate(kind, Op::Schema, &r);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v, embedded_schema(kind));
    }
    // Without Windows every other operation says so (exit 4), as JSON on stderr.
    let r = dsc::run(
        Op::Get,
        Kind::MappedDrive,
        false,
        Some("{}"),
        None,
        Level::Warn,
    );
    assert_eq!(r.code, 4);
    assert!(r.stderr.starts_with(r#"{"error":"#));
}

/// An instance that only says the policy should exist does not switch a machine-wide policy on
/// by a default: `enabled` is required (test, set, and `mapdrive apply` before anything
/// changes); `get {}` and `_exist: false` need no value.
#[test]
fn an_empty_linked_connections_instance_changes_nothing() {
    let mut m = bob();
    let mut log = String::new();
    let l = Kind::LinkedConnections;
    let w = m.writes();
    for (op, input) in [
        (Op::Set, "{}"),
        (Op::Test, "{}"),
        (Op::Set, r#"{"_exist":true}"#),
    ] {
        let r = call(&mut m, &mut log, op, l, false, input);
        assert_eq!(r.code, 2, "{op:?} {input}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("enabled"), "{}", r.stderr);
    }
    assert_eq!(m.writes(), w);
    assert_eq!(call(&mut m, &mut log, Op::Get, l, false, "{}").code, 0);
    assert_eq!(
        call(&mut m, &mut log, Op::Set, l, false, r#"{"_exist":false}"#).code,
        0
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(
        &file,
        "resources:\n- name: Public\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: P\n    path: \\\\fileserver\\public\n- name: Policy\n  type: Mapdrive/LinkedConnections\n  properties: {}\n",
    )
    .unwrap();
    let w = m.writes();
    let r = crate::support::mapdrive(&mut m, &["apply", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("enabled"), "{}", r.stderr);
    assert_eq!(m.writes(), w, "a refused document changed something");
}

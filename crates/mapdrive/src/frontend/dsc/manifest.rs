//! The DSC resource manifests, generated from the resource types (checked in as
//! `dsc/mapdrive.dsc.manifests.json`; a test fails when the file drifts, `MAPDRIVE_BLESS=1`
//! rewrites it).

use serde_json::{Value, json};

use super::resources::Kind;

/// The executable dsc runs (found on `PATH` or beside the manifest).
pub const EXECUTABLE: &str = "mapdrive";

/// Exit codes, as declared in the manifest (the same as the CLI's).
pub const EXIT_CODES: [(&str, &str); 5] = [
    ("0", "Success (also when nothing had to change)"),
    (
        "1",
        "Windows refused the operation; the error names the Win32 code and what to do",
    ),
    ("2", "Invalid input; nothing was changed"),
    (
        "3",
        "Refused: mapdrive will not do this as asked (letter is a local disk, no free letter, unsupported credential type)",
    ),
    ("4", "Not supported here: not running on Windows"),
];

fn method(op: &str, kind: Kind, what_if: bool, input: bool) -> Value {
    let mut args = vec![
        json!("dsc"),
        json!(op),
        json!("--resource"),
        json!(kind.type_name()),
    ];
    if what_if {
        args.push(json!({"whatIfArg": "--what-if"}));
    }
    let mut m = json!({"executable": EXECUTABLE, "args": args});
    if input {
        m["input"] = json!("stdin");
    }
    m
}

/// One resource's manifest.
pub fn manifest(kind: Kind) -> Value {
    let mut set = method("set", kind, true, true);
    set["implementsPretest"] = json!(true);
    set["handlesExist"] = json!(true);
    set["return"] = json!("stateAndDiff");
    let mut test = method("test", kind, false, true);
    test["return"] = json!("stateAndDiff");
    let exit_codes: serde_json::Map<String, Value> = EXIT_CODES
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    json!({
        "$schema": "https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json",
        "type": kind.type_name(),
        "version": env!("CARGO_PKG_VERSION"),
        "description": kind.description(),
        "tags": ["Windows", "SMB", "mapdrive"],
        "get": method("get", kind, false, true),
        "set": set,
        "test": test,
        "delete": method("delete", kind, true, true),
        "export": method("export", kind, false, false),
        "exitCodes": exit_codes,
        "schema": {"embedded": kind.schema()},
    })
}

/// The manifest list file: every resource.
pub fn manifests() -> Value {
    json!({"resources": Kind::ALL.iter().map(|k| manifest(*k)).collect::<Vec<_>>()})
}

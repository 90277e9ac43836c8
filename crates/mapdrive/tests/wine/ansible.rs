//! The Ansible module's standard-input mode, `mapdrive.exe -`: what the collection's PowerShell
//! shim uses for every task that carries a `password` or `secret` (ansible/README.md), so that
//! the secret is never written to a file. End to end: the arguments as Windows tools write them
//! (UTF-8 with and without a byte order mark, UTF-16LE with one), the secret never printed, and
//! oversize or undecodable input refused before anything runs.

use serde_json::{Value, json};

use crate::harness::{ALICE_PASSWORD, Prefix, assert_no_secret};

const MASK: &str = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";

/// `{"ANSIBLE_MODULE_ARGS": options}` for `module`, as the shim writes it.
fn arguments(module: &str, mut options: Value) -> String {
    options["_ansible_module_name"] = json!(module);
    json!({ "ANSIBLE_MODULE_ARGS": options }).to_string()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

#[test]
fn ansible_stdin_mode_takes_secrets_in_windows_encodings_and_never_prints_them() {
    let mut wine = Prefix::new();

    // UTF-8 without a byte order mark (what the shim writes): a mapping that needs the password.
    let map = arguments(
        "win_mapped_drive",
        json!({"letter": "T", "path": r"\\fileserver\team", "username": r"CORP\alice",
               "password": ALICE_PASSWORD}),
    );
    let run = wine.mapdrive_stdin(&["-"], &map);
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true, "{out}");
    assert!(out.get("failed").is_none(), "{out}");
    assert_eq!(out["invocation"]["module_args"]["password"], MASK, "{out}");
    let list = wine.mapdrive(&["list", "--json"]).json();
    let t = list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == "T:")
        .unwrap_or_else(|| panic!("T: not listed: {list}"));
    assert_eq!(t["status"], "OK", "{t}");
    assert_eq!(t["remote"], r"\\fileserver\team", "{t}");

    // UTF-16LE with a byte order mark (PowerShell 5.1's `>`): a saved credential with a secret.
    let cred = arguments(
        "win_credential",
        json!({"name": "fileserver", "type": "domain_password", "username": r"CORP\alice",
               "secret": ALICE_PASSWORD, "update_secret": "on_create"}),
    );
    let run = wine.mapdrive_stdin_bytes(&["-"], &utf16le_with_bom(&cred));
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["invocation"]["module_args"]["secret"], MASK, "{out}");
    let creds = wine.mapdrive(&["cred", "list", "--json"]).json();
    assert!(
        creds
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["target"] == "fileserver" && c["user_name"] == r"CORP\alice"),
        "{creds}"
    );

    // UTF-8 with a byte order mark (Out-File -Encoding utf8 in PowerShell 5.1): the same task again
    // is unchanged.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(cred.as_bytes());
    let run = wine.mapdrive_stdin_bytes(&["-"], &bom);
    run.success();
    assert_eq!(run.json()["changed"], false, "{}", run.stdout);

    // A wrong password: the module fails, and says so without the secret it was given.
    let wrong = arguments(
        "win_mapped_drive",
        json!({"letter": "U", "path": r"\\fileserver\team", "username": r"CORP\alice",
               "password": format!("{ALICE_PASSWORD}-wrong")}),
    );
    let run = wine.mapdrive_stdin(&["-"], &wrong);
    let out = run.json();
    assert_eq!(out["failed"], true, "{out}");
    assert_eq!(out["invocation"]["module_args"]["password"], MASK, "{out}");

    // Oversize input is refused with the limit, before anything runs (the secret first in it).
    let mut huge = arguments(
        "win_mapped_drive",
        json!({"letter": "V", "path": r"\\fileserver\team", "username": r"CORP\alice",
               "password": ALICE_PASSWORD}),
    );
    huge.push_str(&" ".repeat(4 * 1024 * 1024));
    let run = wine.mapdrive_stdin(&["-"], &huge);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let out = run.json();
    assert_eq!(out["failed"], true, "{out}");
    let msg = out["msg"].as_str().unwrap();
    assert!(
        msg.contains("standard input") && msg.contains("larger than 4 MiB"),
        "{msg}"
    );
    assert!(run.stdout.len() < 1000, "the refusal echoes the input");

    // Text in a code page (not UTF-8, no byte order mark): refused, naming the encodings accepted.
    let mut latin1 = arguments(
        "win_mapped_drive",
        json!({"letter": "V", "path": r"\\fileserver\team", "password": ALICE_PASSWORD}),
    )
    .into_bytes();
    let at = latin1.len() - 3;
    latin1.insert(at, 0xE4);
    let run = wine.mapdrive_stdin_bytes(&["-"], &latin1);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let msg = run.json()["msg"].as_str().unwrap().to_string();
    assert!(
        msg.contains("are not UTF-8") && msg.contains("UTF-16 with a byte order mark"),
        "{msg}"
    );

    // Nothing was mapped by the refused runs; no output carried the secret.
    let list = wine.mapdrive(&["list", "--json"]).json();
    assert!(
        !list["drives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["letter"] == "U:" || d["letter"] == "V:"),
        "{list}"
    );
    assert_no_secret(&wine.transcript);
}

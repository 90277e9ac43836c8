//! The audit trail's Windows side: `mapdrive eventlog install` writes the event source's
//! registration (read back from the prefix's registry), a second run changes nothing, `remove`
//! deletes it; the executable holds the message table Event Viewer formats the events with
//! (read through `LoadLibraryExW` + `FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE)` by a small C
//! program, `messagetable.c`); and a change still succeeds with the Event Log written to. Wine's
//! `ReportEventW` records nothing, so the events themselves are checked on the session model
//! (tests/model/audit.rs).

use std::path::{Path, PathBuf};

use crate::harness::{Prefix, assert_no_secret};

const KEY: &str = r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\mapdrive";

/// The value `name` of the source's key: (type, data).
fn value(wine: &mut Prefix, name: &str) -> Option<(String, String)> {
    wine.reg_values(KEY)?
        .into_iter()
        .find(|v| v.0 == name)
        .map(|v| (v.1, v.2))
}

#[test]
fn eventlog_install_registers_the_source_once_and_remove_removes_it() {
    let mut wine = Prefix::new();
    assert!(wine.reg_values(KEY).is_none(), "registered from the start");

    let check = wine.mapdrive(&["eventlog", "install", "--check", "--json"]);
    check.success();
    assert_eq!(check.json()["changed"], true);
    assert!(wine.reg_values(KEY).is_none(), "--check registered it");

    let run = wine.mapdrive(&["eventlog", "install"]);
    run.success();
    assert!(run.stdout.contains(": changed"), "{}", run.stdout);
    let (ty, file) = value(&mut wine, "EventMessageFile").expect("EventMessageFile");
    assert_eq!(ty, "REG_EXPAND_SZ");
    // The executable's own path as Windows names it (Wine: the Z: drive over /).
    let unix = file
        .strip_prefix("Z:")
        .unwrap_or_else(|| panic!("{file}"))
        .replace('\\', "/");
    assert_eq!(
        Path::new(&unix).canonicalize().unwrap(),
        wine.exe_path().canonicalize().unwrap(),
        "{file}"
    );
    assert_eq!(
        value(&mut wine, "TypesSupported"),
        Some(("REG_DWORD".into(), "0x7".into()))
    );

    // Again: nothing to do, and the values are the same.
    let before = wine.reg_values(KEY);
    let again = wine.mapdrive(&["eventlog", "install", "--json"]);
    again.success();
    assert_eq!(again.json()["changed"], false, "{}", again.stdout);
    assert_eq!(again.json()["after"]["message_file"], file.as_str());
    assert_eq!(wine.reg_values(KEY), before);

    // Changes are made (and reported) with the source registered.
    let map = wine.mapdrive(&["map", "M:", r"\\fileserver\public"]);
    map.success();
    assert!(
        !map.stderr.contains("event log"),
        "writing the event failed: {}",
        map.stderr
    );
    wine.mapdrive(&["unmap", "M:"]).success();

    let removed = wine.mapdrive(&["eventlog", "remove", "--json"]);
    removed.success();
    assert_eq!(removed.json()["changed"], true, "{}", removed.stdout);
    assert!(wine.reg_values(KEY).is_none(), "the key is still there");
    let again = wine.mapdrive(&["eventlog", "remove"]);
    again.success();
    assert!(again.stdout.contains(": unchanged"), "{}", again.stdout);

    // Without a registered source events are still written, and nothing fails.
    wine.mapdrive(&["map", "M:", r"\\fileserver\public"])
        .success();
    assert_no_secret(&wine.transcript);
}

/// `res/messages.mc`'s messages: (ID, text with `%n` as a line break).
fn messages() -> Vec<(u32, String)> {
    let mc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("res/messages.mc"))
        .unwrap();
    let mut out = Vec::new();
    let mut id = None;
    let mut lines = mc.lines();
    while let Some(line) = lines.next() {
        if let Some(v) = line.strip_prefix("MessageId=") {
            id = Some(v.trim().parse().unwrap());
        } else if line.starts_with("Language=") {
            let mut text = String::new();
            for body in lines.by_ref() {
                if body.trim_end() == "." {
                    break;
                }
                text.push_str(body.trim_end());
            }
            out.push((id.take().unwrap(), text.replace("%n", "\n")));
        }
    }
    out
}

#[test]
fn the_executable_holds_the_message_table_event_viewer_formats_events_with() {
    let mut p = Prefix::new();
    let drive_c: PathBuf = p.path().join("drive_c");
    crate::harness::build_c_helper("messagetable", &drive_c.join("messagetable.exe"), &[]);
    std::fs::copy(p.exe_path(), drive_c.join("mapdrive.exe")).unwrap();
    let expected = messages();
    assert_eq!(
        expected.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        mapdrive_core::audit::AuditKind::ALL
            .iter()
            .map(|k| k.id())
            .collect::<Vec<_>>()
    );
    let ids: Vec<String> = expected.iter().map(|(id, _)| id.to_string()).collect();
    let mut args = vec![r"C:\mapdrive.exe"];
    args.extend(ids.iter().map(String::as_str));
    let run = p.run_windows_program(&drive_c.join("messagetable.exe"), &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.stdout.replace("\r\n", "\n");
    let formatted: Vec<(u32, String)> = out
        .split("\n--\n")
        .filter(|b| !b.trim().is_empty())
        .map(|b| {
            let (id, text) = b.split_once('=').unwrap();
            (id.parse().unwrap(), text.trim_end().to_string())
        })
        .collect();
    assert_eq!(formatted.len(), expected.len(), "{out}");
    for ((id, text), (want_id, want)) in formatted.iter().zip(&expected) {
        assert_eq!(id, want_id);
        let mut want = want.clone();
        for i in 1..=9 {
            want = want.replace(&format!("%{i}"), &format!("<{i}>"));
        }
        assert_eq!(text, &want, "message {id}");
        assert!(text.starts_with("mapdrive "), "{id}: {text}");
    }
}

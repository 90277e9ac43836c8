//! Issue 17: `mapdrive sessions` draws the article's scenarios. The tree and the Mermaid text are
//! snapshots; every Mermaid diagram passes a grammar check of the subset mapdrive emits; the
//! tree fits 100 columns for 26 drives with long paths; no secret appears.

use mapdrive::cli::sessions::{Glyphs, LEGEND, WIDTH, mermaid, mermaid_text, tree};
use mapdrive_core::doctor::picture::{self, Inputs, Picture};
use mapdrive_core::domain::{
    DriveLetter, Elevation, Identity, LinkedConnections, LogonType, Luid, lanman_target,
};
use mapdrive_core::port::{GlobalNamespace, LogonSessionInfo, Port};

use mapdrive_model::{LogonKind, Machine};

use crate::support::{logon, mapdrive, ok};
use mapdrive_model::fixture::{ALICE, ALICE_PW, BOB, BOB_PW, SVC_PW};

fn host() -> Machine {
    mapdrive_model::fixture::corp()
}

/// The three drawings of the picture as the process sees it, each checked: the tree within the
/// width, the Mermaid text by the grammar, the JSON by the schema (through `mapdrive`), none of
/// them with a secret.
fn draw(m: &mut Machine) -> (String, String, serde_json::Value) {
    let tree = mapdrive(m, &["sessions"]);
    ok(&tree);
    let mermaid = mapdrive(m, &["sessions", "--format", "mermaid"]);
    ok(&mermaid);
    let json = mapdrive(m, &["sessions", "--json"]);
    let value = ok(&json);
    for text in [&tree.stdout, &mermaid.stdout, &json.stdout, &tree.stderr] {
        for secret in [ALICE_PW, BOB_PW, SVC_PW] {
            assert!(!text.contains(secret), "a secret in:\n{text}");
        }
    }
    assert_width(&tree.stdout);
    check_mermaid(&mermaid.stdout).unwrap_or_else(|e| panic!("{e}\n{}", mermaid.stdout));
    (tree.stdout, mermaid.stdout, value)
}

#[track_caller]
fn assert_width(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= WIDTH,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

fn session(v: &serde_json::Value, luid: Luid) -> &serde_json::Value {
    v["terminal_sessions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["logon_sessions"].as_array().unwrap())
        .find(|s| s["logon_id"] == luid.to_string())
        .unwrap_or_else(|| panic!("no logon session {luid} in {v:#}"))
}

fn drive<'a>(s: &'a serde_json::Value, letter: &str) -> Option<&'a serde_json::Value> {
    s["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == letter)
}

#[test]
fn split_token_with_drives_in_the_limited_half() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    let full = m.linked(limited).unwrap();
    ok(&mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]));
    ok(&mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--temporary"],
    ));
    m.elevate().unwrap();
    let (tree, mermaid, json) = draw(&mut m);
    let l = session(&json, limited);
    assert_eq!(l["explorer"], true);
    assert_eq!(l["elevation"], "Limited");
    assert_eq!(l["linked_logon_id"], full.to_string());
    assert_eq!(drive(l, "Z:").unwrap()["status"], "connected");
    assert_eq!(drive(l, "Z:").unwrap()["made_by"], limited.to_string());
    let f = session(&json, full);
    assert_eq!(f["this_process"], true);
    assert_eq!(
        drive(f, "Z:").unwrap()["status"],
        "remembered_not_connected",
        "HKCU\\Network is drawn in both halves"
    );
    assert!(
        drive(f, "P:").is_none(),
        "a temporary drive is nowhere else"
    );
    insta::assert_snapshot!("split_token_tree", tree);
    insta::assert_snapshot!("split_token_mermaid", mermaid);
    // docs/doctor-and-sessions.md shows this picture, both ways.
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/doctor-and-sessions.md"
    ))
    .unwrap();
    assert!(
        doc.contains(&format!("C:\\> mapdrive sessions\n{tree}```")),
        "{tree}"
    );
    assert!(
        doc.contains(&format!("```mermaid\n{mermaid}```")),
        "{mermaid}"
    );
}

#[test]
fn system_global_drive_and_a_local_letter_that_hides_one() {
    let mut m = host();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "G:", r"\\fileserver\public", "--global"],
    ));
    ok(&mapdrive(
        &mut m,
        &["map", "H:", r"\\fileserver\public", "--global"],
    ));
    m.run_in(limited).unwrap();
    // mapdrive refuses to shadow a global drive; `net use H: ...` does not.
    m.add_connection(
        "H:".parse().unwrap(),
        &r"\\fileserver\team".parse().unwrap(),
        None,
        None,
        false,
    )
    .unwrap();
    let (tree, mermaid, json) = draw(&mut m);
    let g = &json["global"]["drives"];
    let gd = |letter: &str| {
        g.as_array()
            .unwrap()
            .iter()
            .find(|d| d["letter"] == letter)
            .unwrap()
            .clone()
    };
    assert_eq!(gd("G:")["status"], "disconnected");
    assert_eq!(gd("G:")["made_by"], "0x3e7");
    assert_eq!(gd("H:")["hidden_in"][0], limited.to_string());
    assert_eq!(
        drive(session(&json, limited), "H:").unwrap()["hides_global"],
        true
    );
    assert!(tree.contains("by 0x3e7 (SYSTEM)"), "{tree}");
    assert!(tree.contains("[hides global]"), "{tree}");
    insta::assert_snapshot!("system_global_tree", tree);
    insta::assert_snapshot!("system_global_mermaid", mermaid);
}

#[test]
fn boot_time_drive_and_one_waiting_for_the_next_boot() {
    let mut m = host();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "Y:", r"\\fileserver\public", "--global", "--at-boot"],
    ));
    m.reboot();
    m.run_as_system();
    ok(&mapdrive(
        &mut m,
        &["map", "W:", r"\\fileserver\team", "--global", "--at-boot"],
    ));
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let (tree, mermaid, json) = draw(&mut m);
    let g = json["global"]["drives"].as_array().unwrap();
    let y = g.iter().find(|d| d["letter"] == "Y:").unwrap();
    assert_eq!(y["boot_time"], true);
    assert_eq!(y["status"], "disconnected");
    let w = g.iter().find(|d| d["letter"] == "W:").unwrap();
    assert_eq!(w["status"], "at_next_boot");
    insta::assert_snapshot!("boot_time_tree", tree);
    insta::assert_snapshot!("boot_time_mermaid", mermaid);
}

#[test]
fn winrm_session_with_remembered_but_unrestored_drives() {
    let mut m = host();
    let desktop = logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]));
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    let winrm = logon(&mut m, ALICE, LogonKind::Network);
    let (tree, mermaid, json) = draw(&mut m);
    let w = session(&json, winrm);
    assert_eq!(w["logon_type"], "network");
    assert_eq!(w["this_process"], true);
    for letter in ["P:", "Z:"] {
        assert_eq!(
            drive(w, letter).unwrap()["status"],
            "remembered_not_connected"
        );
        assert_eq!(
            drive(session(&json, desktop), letter).unwrap()["status"],
            "connected"
        );
    }
    insta::assert_snapshot!("winrm_tree", tree);
    insta::assert_snapshot!("winrm_mermaid", mermaid);
}

#[test]
fn sessions_of_others_are_unreadable_without_administrator_rights() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]));
    let bob = logon(&mut m, BOB, LogonKind::RemoteInteractive);
    ok(&mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]));
    let (tree, mermaid, json) = draw(&mut m);
    let others: Vec<&serde_json::Value> = json["terminal_sessions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["logon_sessions"].as_array().unwrap())
        .filter(|s| s["logon_id"] != bob.to_string() && s["system"] == false)
        .collect();
    assert_eq!(others.len(), 2, "alice's two halves");
    for s in others {
        assert_eq!(s["unreadable"], 5, "{s}");
        assert!(s["drives"].as_array().unwrap().is_empty());
        assert!(s["account"].is_null(), "LSA refuses another user's session");
    }
    assert!(
        tree.contains("drives unknown: not readable (5, access denied)"),
        "{tree}"
    );
    assert!(
        !tree.contains(r"\\fileserver\team"),
        "alice's drive is not guessed"
    );
    insta::assert_snapshot!("unreadable_tree", tree);
    insta::assert_snapshot!("unreadable_mermaid", mermaid);
}

#[test]
fn enable_linked_connections_mirrors_into_the_elevated_half() {
    let mut m = host();
    m.set_enable_linked_connections(Some(1));
    m.reboot();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    let full = m.linked(limited).unwrap();
    ok(&mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]));
    m.elevate().unwrap();
    let (tree, mermaid, json) = draw(&mut m);
    assert_eq!(json["linked_connections"], "enabled");
    let mirrored = drive(session(&json, full), "Z:").unwrap();
    assert_eq!(mirrored["status"], "connected");
    assert_eq!(
        mirrored["made_by"],
        limited.to_string(),
        "the mirror keeps the maker's target"
    );
    insta::assert_snapshot!("linked_connections_tree", tree);
    insta::assert_snapshot!("linked_connections_mermaid", mermaid);
}

/// The console decides the characters: box drawing on OEM and UTF-8 code pages, ASCII on an
/// ANSI one or with `--ascii`.
#[test]
fn ascii_fallback_follows_the_console_code_page() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "Z:", r"\\fileserver\team"]));
    for (cp, boxed) in [
        (None, true),
        (Some(437), true),
        (Some(65001), true),
        (Some(1252), false),
    ] {
        m.set_console_output_code_page(cp);
        let out = mapdrive(&mut m, &["sessions"]).stdout;
        assert_eq!(out.contains('├'), boxed, "{cp:?}\n{out}");
        assert_eq!(out.is_ascii(), !boxed, "{cp:?}\n{out}");
    }
    m.set_console_output_code_page(Some(65001));
    let ascii = mapdrive(&mut m, &["sessions", "--ascii"]).stdout;
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.contains("`-- "), "{ascii}");
    assert!(ascii.contains(LEGEND), "{ascii}");
}

/// 26 drives with long paths (and a long account name): every line of the tree fits 100
/// columns, paths are shortened in the middle, and JSON keeps them whole.
#[test]
fn twenty_six_drives_with_long_paths_fit_100_columns() {
    let me = Luid(0x1234_5678_9abc);
    let long = |l: DriveLetter| {
        format!(
            r"fileserver-with-a-long-name.department.corp.example.com\share-{}\Projects\2026\Quarterly reports\Final versions\{}",
            l.as_char(),
            "x".repeat(40)
        )
    };
    let drives: Vec<(DriveLetter, String)> = DriveLetter::all()
        .map(|l| (l, lanman_target(l, me, &long(l))))
        .collect();
    let identity = Identity {
        user: format!(r"CORP\{}", "a-very-long-account-name".repeat(4)),
        sid: "S-1-5-21-1-1001".into(),
        logon_id: me,
        logon_type: LogonType::Interactive,
        elevation: Elevation::Limited,
        linked_logon_id: Some(Luid(0x1234_5678_9abd)),
        is_system: false,
    };
    let info =
        |logon_id: Luid, drives: Vec<(DriveLetter, String)>, current: bool| LogonSessionInfo {
            logon_id,
            account: Some(identity.user.clone()),
            terminal_session: Some(4_000_000_000),
            logon_type: Some(LogonType::RemoteInteractive),
            elevation: Some(if current {
                Elevation::Limited
            } else {
                Elevation::Full
            }),
            linked_logon_id: Some(if current { Luid(0x1234_5678_9abd) } else { me }),
            is_current: current,
            is_explorer: current,
            drives,
            unreadable: None,
        };
    let p: Picture = picture::build(Inputs {
        identity: identity.clone(),
        linked_connections: LinkedConnections::NotConfigured,
        sessions: vec![
            info(me, drives.clone(), true),
            info(Luid(0x1234_5678_9abd), drives.clone(), false),
        ],
        remembered: Vec::new(),
        global: Ok(GlobalNamespace {
            directory: r"\GLOBAL??".into(),
            drives: drives
                .iter()
                .map(|(l, _)| (*l, lanman_target(*l, Luid::SYSTEM, &long(*l))))
                .collect(),
        }),
        boot: Vec::new(),
        warnings: Vec::new(),
    });
    for glyphs in [Glyphs::BOX, Glyphs::ASCII] {
        let text = tree(&p, glyphs);
        assert_width(&text);
        assert!(
            text.lines().filter(|l| l.contains(r"\\fileserver")).count() >= 26 * 2,
            "{text}"
        );
        // Shortened in the middle: the server and the last folder stay.
        assert!(text.contains(&"x".repeat(5)), "{text}");
        assert!(text.contains(r"\\fileserver"), "{text}");
    }
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains(&"x".repeat(40)), "JSON keeps the full path");
    check_mermaid(&mermaid(&p)).unwrap();
}

#[test]
fn mermaid_labels_escape_what_mermaid_treats_specially() {
    assert_eq!(
        mermaid_text(r#"a"b#c&d<e>f`g"#),
        "a#34;b#35;c#38;d#60;e#62;f#96;g"
    );
    assert_eq!(mermaid_text("tab\there"), "tab here");
    // A share name with every special character still makes a valid diagram.
    let mut m = Machine::new();
    m.add_user(ALICE, "S-1-5-21-1-1001", ALICE_PW, false);
    let weird = r"we#ird[share]{x}(y)&`;%";
    m.add_share("srv", weird, mapdrive_model::ShareAccess::anyone());
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.add_connection(
        "Q:".parse().unwrap(),
        &format!(r"\\srv\{weird}").parse().unwrap(),
        None,
        None,
        true,
    )
    .unwrap();
    let (_, mermaid, _) = draw(&mut m);
    assert!(
        mermaid.contains("we#35;ird[share]{x}(y)#38;#96;;%"),
        "{mermaid}"
    );
}

// ------------------------------------------------------------------ Mermaid grammar check

/// Checks the Mermaid subset mapdrive emits (flowchart, subgraphs, nodes with quoted labels,
/// links with optional quoted text), line by line, as Mermaid's flowchart grammar reads it:
/// identifiers are ASCII letters, digits and `_`, not a keyword and not starting with `o`/`x`
/// right after a link; a quoted label holds no `"` and no raw `<`, `>`, `&`, `#` or backtick
/// except entity codes (`#34;`) and `<br/>`; subgraphs are balanced; every link joins declared
/// nodes; no identifier is declared twice.
fn check_mermaid(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    match lines.next() {
        Some("flowchart LR" | "flowchart TB" | "flowchart TD") => {}
        other => return Err(format!("first line must declare a flowchart: {other:?}")),
    }
    let mut depth = 0usize;
    let mut declared = std::collections::BTreeSet::new();
    let mut links = Vec::new();
    for (n, raw) in lines.enumerate() {
        let at = |e: &str| format!("line {}: {e}: {raw:?}", n + 2);
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "end" {
            depth = depth
                .checked_sub(1)
                .ok_or_else(|| at("`end` without subgraph"))?;
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let (id, label) = split_node(rest).map_err(|e| at(&e))?;
            check_label(label).map_err(|e| at(&e))?;
            if !declared.insert(id.to_string()) {
                return Err(at("identifier declared twice"));
            }
            depth += 1;
            continue;
        }
        if let Some((from, arrow, to)) = split_link(line) {
            let arrow_text = arrow
                .split_once('|')
                .map(|(a, t)| (a, Some(t)))
                .unwrap_or((arrow, None));
            if !["-->", "---", "-.->", "<-.->", "-.-", "==>"].contains(&arrow_text.0) {
                return Err(at("unknown link"));
            }
            if let Some(t) = arrow_text.1 {
                let t = t
                    .strip_suffix('|')
                    .ok_or_else(|| at("link text must be closed by |"))?;
                check_label(t).map_err(|e| at(&e))?;
            }
            for id in [from, to] {
                check_id(id).map_err(|e| at(&e))?;
            }
            links.push((from.to_string(), to.to_string(), n + 2));
            continue;
        }
        let (id, label) = split_node(line).map_err(|e| at(&e))?;
        check_label(label).map_err(|e| at(&e))?;
        if !declared.insert(id.to_string()) {
            return Err(at("identifier declared twice"));
        }
    }
    if depth != 0 {
        return Err(format!("{depth} subgraph(s) not closed"));
    }
    for (from, to, n) in links {
        for id in [&from, &to] {
            if !declared.contains(id) {
                return Err(format!("line {n}: link to undeclared node {id}"));
            }
        }
    }
    Ok(())
}

fn check_id(id: &str) -> Result<(), String> {
    const KEYWORDS: &[&str] = &[
        "end",
        "subgraph",
        "graph",
        "flowchart",
        "style",
        "class",
        "classDef",
        "click",
        "linkStyle",
        "direction",
        "default",
    ];
    let ok = !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && !id.starts_with(['o', 'x'])
        && !KEYWORDS.contains(&id);
    if ok {
        Ok(())
    } else {
        Err(format!("bad identifier {id:?}"))
    }
}

/// `ID["label"]` → (ID, label).
fn split_node(s: &str) -> Result<(&str, &str), String> {
    let open = s
        .find("[\"")
        .ok_or("a node needs a quoted label [\"...\"]")?;
    let id = &s[..open];
    check_id(id)?;
    let label = s[open + 2..]
        .strip_suffix("\"]")
        .ok_or("a quoted label must end with \"]")?;
    Ok((id, label))
}

/// `A --> B`, `A -.->|"text"| B` → (A, arrow with text, B).
fn split_link(s: &str) -> Option<(&str, &str, &str)> {
    let (from, rest) = s.split_once(' ')?;
    if !rest.starts_with(['-', '<', '=']) {
        return None;
    }
    let (arrow, to) = rest.rsplit_once(' ')?;
    Some((from, arrow, to))
}

/// A quoted label (or link text `"..."`): no raw `"` inside, entity codes well formed, `<`
/// only in `<br/>`.
fn check_label(label: &str) -> Result<(), String> {
    let inner = match label.strip_prefix('"') {
        Some(t) => t.strip_suffix('"').ok_or("unclosed quoted text")?,
        None => label,
    };
    let text = inner.replace("<br/>", "\n");
    if text.contains(['"', '<', '>', '&', '`']) {
        return Err(format!("raw special character in label {label:?}"));
    }
    let mut rest = text.as_str();
    while let Some(i) = rest.find('#') {
        let after = &rest[i + 1..];
        let end = after.find(';').ok_or("# without ;")?;
        let code = &after[..end];
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("bad entity code #{code}; in {label:?}"));
        }
        rest = &after[end + 1..];
    }
    if inner.chars().any(char::is_control) {
        return Err("control character in label".into());
    }
    Ok(())
}

#[test]
fn the_grammar_check_rejects_what_breaks_a_diagram() {
    for bad in [
        "graph XY\n",
        "flowchart LR\n  A[\"x\"y\"]\n",
        "flowchart LR\n  subgraph S[\"s\"]\n",
        "flowchart LR\n  A[\"a\"]\n  A --> B\n",
        "flowchart LR\n  end[\"a\"]\n",
        "flowchart LR\n  A[\"a #x; b\"]\n",
        "flowchart LR\n  A[\"a <b> c\"]\n",
        "flowchart LR\n  A[\"a\"]\n  A[\"again\"]\n",
    ] {
        assert!(check_mermaid(bad).is_err(), "{bad}");
    }
    check_mermaid("flowchart LR\n  A[\"a#35;<br/>b\"]\n  B[\"b\"]\n  A -.->|\"t\"| B\n").unwrap();
}

//! `mapdrive apply Drives.xml` on the session model: the GPP actions against starting states
//! through the CLI, targeting evaluated in the session the drives go into (an elevated prompt's
//! limited token, a SYSTEM run), removePolicy across two applies, NoDrives, no writes on a re-run,
//! and refused files that change nothing and never print a secret.

use std::path::PathBuf;

use mapdrive::frontend::report::Report;
use mapdrive_core::port::Port;
use mapdrive_model::fixture::{self, ALICE, BOB, PUBLIC, TEAM};
use mapdrive_model::{LogonKind, Machine};

use crate::support::{connected, l, logon, mapdrive, remembered};

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">
"#;

/// One `Drive` element, as the Group Policy editor writes it.
fn item(letter: &str, uid: &str, attrs: &str, props: &str, filters: &str) -> String {
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!("\n    <Filters>{filters}</Filters>")
    };
    format!(
        r#"  <Drive clsid="{{935D1B74-9CB8-4e3c-9914-7DD559B7A417}}" name="{letter}:" status="{letter}:" image="2" changed="2024-02-01 09:00:00" uid="{{{uid}}}" {attrs}>
    <Properties thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" persistent="1" useLetter="1" letter="{letter}" {props}/>{filters}
  </Drive>
"#
    )
}

/// A Drives.xml on disk (kept until the test ends).
struct File {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl File {
    fn new(items: &[String]) -> File {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Drives.xml");
        let f = File { _dir: dir, path };
        f.write(items);
        f
    }

    fn write(&self, items: &[String]) {
        std::fs::write(&self.path, format!("{HEAD}{}</Drives>\n", items.concat())).unwrap();
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

fn apply(m: &mut Machine, f: &File, more: &[&str]) -> Report {
    let mut args = vec!["apply", f.path()];
    args.extend_from_slice(more);
    mapdrive(m, &args)
}

/// The report row of `name` (table output).
fn row<'a>(r: &'a Report, name: &str) -> &'a str {
    r.stdout
        .lines()
        .find(|line| line.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no row {name}:\n{}", r.stdout))
}

fn bob() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m
}

#[test]
fn each_action_against_each_starting_state() {
    let mut m = bob();
    // Starting states: P: free, T: the same share, S: another share, R: remembered only.
    m.add_connection(l("T:"), &TEAM.parse().unwrap(), None, None, true)
        .unwrap();
    m.add_connection(l("S:"), &PUBLIC.parse().unwrap(), None, None, true)
        .unwrap();
    m.set_label(&TEAM.parse().unwrap(), Some("Old label"))
        .unwrap();
    m.add_connection(l("R:"), &PUBLIC.parse().unwrap(), None, None, true)
        .unwrap();
    m.cancel_connection(l("R:"), false, false).unwrap();
    assert_eq!(remembered(&m), ["R:", "S:", "T:"]);
    let f = File::new(&[
        item("P", "1", "", r#"action="C" path="\\fileserver\public""#, ""),
        item("T", "2", "", r#"action="U" path="\\fileserver\team""#, ""),
        item("S", "3", "", r#"action="R" path="\\fileserver\team""#, ""),
        item("R", "4", "", r#"action="D" path="""#, ""),
        item("Q", "5", "", r#"action="D" path="""#, ""),
        item("T", "6", "", r#"action="C" path="\\fileserver\public""#, ""),
    ]);
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    insta::assert_snapshot!("gpp_actions", r.stdout);
    assert_eq!(connected(&m), ["P:", "S:", "T:"]);
    assert_eq!(remembered(&m), ["P:", "S:", "T:"]);
    assert_eq!(
        m.connected().unwrap()[1].remote.to_lowercase(),
        TEAM.to_lowercase()
    );
    // Replace overwrites every setting: its empty label removed the old one.
    assert_eq!(m.label(&TEAM.parse().unwrap()).unwrap(), None);

    // The same file again: every row unchanged, nothing written.
    let writes = m.writes();
    let again = apply(&mut m, &f, &[]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(m.writes(), writes, "{}", again.stdout);
    for name in ["P:", "T:", "S:", "R:", "Q:"] {
        assert!(row(&again, name).contains("unchanged"), "{}", again.stdout);
    }
}

#[test]
fn check_and_test_change_nothing_and_say_what_would() {
    let mut m = bob();
    let f = File::new(&[item(
        "P",
        "1",
        "",
        r#"action="U" path="\\fileserver\public" label="Public""#,
        "",
    )]);
    let writes = m.writes();
    let r = apply(&mut m, &f, &["--check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(row(&r, "P:").contains("would change"), "{}", r.stdout);
    assert!(
        row(&r, "P:").contains(r"map P: to \\fileserver\public (remembered)"),
        "{}",
        r.stdout
    );
    let t = mapdrive(&mut m, &["test", f.path()]);
    assert_eq!(t.code, 1, "{}", t.stdout);
    assert_eq!(m.writes(), writes);
    assert!(connected(&m).is_empty());
    assert_eq!(apply(&mut m, &f, &["--json"]).code, 0);
    let t = mapdrive(&mut m, &["test", f.path()]);
    assert_eq!(t.code, 0, "{}", t.stdout);
    assert!(
        t.stdout
            .trim_end()
            .ends_with("mapdrive: all 1 items in desired state"),
        "{}",
        t.stdout
    );
}

/// Filters on the user's groups: team for everyone, sales for bob only, Administrators.
fn targeted_file() -> File {
    File::new(&[
        item(
            "T",
            "1",
            "",
            r#"action="U" path="\\fileserver\team""#,
            r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="S-1-5-21-1-1201" userContext="1" primaryGroup="0" localGroup="0"/>"#,
        ),
        item(
            "S",
            "2",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterGroup bool="AND" not="0" name="CORP\Sales" sid="S-1-5-21-1-1187" userContext="1" primaryGroup="0" localGroup="0"/>"#,
        ),
        item(
            "A",
            "3",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterGroup bool="AND" not="0" name="BUILTIN\Administrators" sid="S-1-5-32-544" userContext="1" primaryGroup="0" localGroup="1"/>"#,
        ),
        item(
            "H",
            "4",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterComputer bool="AND" not="0" type="NETBIOS" name="HOST"/><FilterUser bool="OR" not="0" name="CORP\nobody"/>"#,
        ),
    ])
}

#[test]
fn an_elevated_prompt_evaluates_the_limited_tokens_groups() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let f = targeted_file();
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    insta::assert_snapshot!("gpp_elevated_limited_token", r.stdout);
    assert!(row(&r, "T:").contains("changed"), "{}", r.stdout);
    assert!(
        row(&r, "S:").contains(r"FilterGroup CORP\Sales: "),
        "{}",
        r.stdout
    );
    // Administrators is deny-only in the limited token Explorer runs with.
    assert!(row(&r, "A:").contains("not applicable"), "{}", r.stdout);
    // The drives went into the limited session, not the elevated one.
    assert!(connected(&m).is_empty(), "{:?}", connected(&m));
    m.use_token(mapdrive_core::port::TokenChoice::Linked)
        .unwrap();
    assert_eq!(connected(&m), ["H:", "T:"]);
    m.use_token(mapdrive_core::port::TokenChoice::Current)
        .unwrap();

    // --session current: the elevated token, where Administrators is membership.
    let r = apply(&mut m, &f, &["--session", "current", "--check"]);
    assert!(row(&r, "A:").contains("would change"), "{}", r.stdout);
}

#[test]
fn bob_is_in_sales_and_targeting_says_which_rule_said_no() {
    let mut m = bob();
    let r = apply(&mut m, &targeted_file(), &["--check"]);
    assert!(row(&r, "S:").contains("would change"), "{}", r.stdout);
    assert!(row(&r, "A:").contains("not applicable"), "{}", r.stdout);
    assert!(
        row(&r, "A:").contains(r"FilterGroup BUILTIN\Administrators"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_system_run_evaluates_systems_token() {
    let mut m = fixture::corp();
    m.run_as_system();
    let f = File::new(&[
        item(
            "B",
            "1",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterUser bool="AND" not="0" name="CORP\bob" sid="S-1-5-21-1-1002"/>"#,
        ),
        item(
            "P",
            "2",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterUser bool="AND" not="0" name="NT AUTHORITY\SYSTEM" sid="S-1-5-18"/>"#,
        ),
    ]);
    let r = apply(&mut m, &f, &["--check"]);
    insta::assert_snapshot!("gpp_system", r.stdout);
    assert!(row(&r, "B:").contains("not applicable"), "{}", r.stdout);
    // A plain mapping as SYSTEM would be a global drive, which mapdrive refuses (as `mapdrive map`
    // does): `--check` says so as applying does, and nothing changes.
    assert!(row(&r, "P:").contains("failed"), "{}", r.stdout);
    let writes = m.writes();
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(row(&r, "P:").contains("failed"), "{}", r.stdout);
    assert!(r.stdout.contains("SYSTEM"), "{}", r.stdout);
    assert_eq!(m.writes(), writes);
}

#[test]
fn remove_policy_removes_what_an_item_mapped_once_it_no_longer_applies() {
    let mut m = bob();
    let home = item(
        "H",
        "9",
        r#"removePolicy="1""#,
        r#"action="R" path="\\fileserver\team" label="Home""#,
        "",
    );
    let public = item("P", "8", "", r#"action="U" path="\\fileserver\public""#, "");
    let f = File::new(&[home, public.clone()]);
    assert_eq!(apply(&mut m, &f, &[]).code, 0);
    assert_eq!(connected(&m), ["H:", "P:"]);
    // The record names the file and the item's letter and share.
    let name = mapdrive::frontend::document::gpp::record_name(
        std::path::absolute(&f.path).unwrap().to_str().unwrap(),
    );
    let rec = m.gpp_record_of(BOB, &name).unwrap();
    assert!(rec.contains(r#""letter":"H:""#), "{rec}");

    // The second version of the file no longer has the item.
    f.write(&[public]);
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("the item is gone from the file"),
        "{}",
        r.stdout
    );
    assert_eq!(connected(&m), ["P:"]);
    assert_eq!(remembered(&m), ["P:"]);
    assert_eq!(m.gpp_record_of(BOB, &name), None);
    let writes = m.writes();
    assert_eq!(apply(&mut m, &f, &[]).code, 0);
    assert_eq!(m.writes(), writes);
}

#[test]
fn hide_writes_no_drives_once() {
    let mut m = bob();
    let f = File::new(&[item(
        "T",
        "1",
        "",
        r#"action="U" path="\\fileserver\team" thisDrive="HIDE""#,
        "",
    )
    .replace(r#"thisDrive="NOCHANGE" "#, "")]);
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        row(&r, "T:").contains("NoDrives 0x0 -> 0x80000"),
        "{}",
        r.stdout
    );
    assert_eq!(m.no_drives_of(BOB), Some(1 << 19));
    let writes = m.writes();
    let again = apply(&mut m, &f, &[]);
    assert!(row(&again, "T:").contains("unchanged"), "{}", again.stdout);
    assert_eq!(m.writes(), writes);
}

#[test]
fn refused_files_change_nothing_and_never_print_the_secret() {
    let mut m = bob();
    const CPASSWORD: &str = "j1Uyj3Vx8TY9LtLZil2uAuZkFQA/4latT76ZwgdHdhw";
    let with_password = File::new(&[
        item("P", "1", "", r#"action="U" path="\\fileserver\public""#, ""),
        item(
            "S",
            "2",
            "",
            &format!(r#"action="U" path="\\fileserver\svc" cpassword="{CPASSWORD}""#),
            "",
        )
        .replace(r#"userName="""#, r#"userName="FILESERVER\svc""#),
    ]);
    let wmi = File::new(&[item(
        "W",
        "3",
        "",
        r#"action="U" path="\\fileserver\public""#,
        r#"<FilterWmi bool="AND" not="0" query="SELECT * FROM Win32_Battery" nameSpace="Root\cimv2" property="" variableName=""/>"#,
    )]);
    let writes = m.writes();
    let shown = |f: &File, r: &Report| r.stderr.replace(f.path(), "Drives.xml");
    let r = apply(&mut m, &with_password, &[]);
    insta::assert_snapshot!("gpp_refused_cpassword", shown(&with_password, &r));
    let r = apply(&mut m, &wmi, &[]);
    insta::assert_snapshot!("gpp_refused_unevaluable", shown(&wmi, &r));
    for (f, words) in [
        (&with_password, &["MS14-025", "S:"][..]),
        (&wmi, &["FilterWmi", "W:", "--unevaluable-filters skip"][..]),
    ] {
        for extra in [&[][..], &["--json"][..], &["--check"][..]] {
            let r = apply(&mut m, f, extra);
            assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
            let all = format!("{}{}", r.stdout, r.stderr);
            for w in words {
                assert!(all.contains(w), "{w}: {all}");
            }
            assert!(!all.contains(CPASSWORD), "{all}");
            assert!(!all.contains("j1Uyj3"), "{all}");
        }
    }
    assert_eq!(m.writes(), writes);
    assert!(connected(&m).is_empty());

    // Skipping unevaluable filters: the item is not applicable, and says why.
    let r = apply(&mut m, &wmi, &["--unevaluable-filters", "skip"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    insta::assert_snapshot!("gpp_unevaluable_skipped", r.stdout);
    assert!(row(&r, "W:").contains("not applicable"), "{}", r.stdout);
    assert!(row(&r, "W:").contains("FilterWmi"), "{}", r.stdout);
}

#[test]
fn a_failure_with_bypass_errors_off_stops_the_rest() {
    let mut m = bob();
    let f = File::new(&[
        item(
            "V",
            "1",
            r#"bypassErrors="0""#,
            r#"action="U" path="\\nosuchserver\share""#,
            "",
        ),
        item("P", "2", "", r#"action="U" path="\\fileserver\public""#, ""),
    ]);
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(row(&r, "V:").contains("failed"), "{}", r.stdout);
    assert!(row(&r, "P:").contains("not processed"), "{}", r.stdout);
    assert!(connected(&m).is_empty());
}

#[test]
fn utf16_files_and_dsc_only_options() {
    let mut m = bob();
    let f = File::new(&[item(
        "P",
        "1",
        "",
        r#"action="U" path="\\fileserver\public""#,
        "",
    )]);
    let text = std::fs::read_to_string(&f.path).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&f.path, bytes).unwrap();
    let r = apply(&mut m, &f, &["--secret", "x=-"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = apply(&mut m, &f, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(connected(&m), ["P:"]);
}

#[test]
fn every_fact_is_read_once_per_run() {
    use mapdrive::frontend::document::gpp::{self as gpp_front, GppOptions};
    use mapdrive_core::engine::SessionChoice;
    use mapdrive_core::gpp::UnevaluablePolicy;

    let mut m = bob();
    // 26 items with two filters each (group and registry), a third of them hidden.
    let items: Vec<String> = ('A'..='Z')
        .map(|c| {
            item(
                &c.to_string(),
                &format!("{}", c as u32),
                "",
                r#"action="U" path="\\fileserver\public""#,
                r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="S-1-5-21-1-1201" userContext="1" primaryGroup="0" localGroup="0"/><FilterRegistry bool="AND" not="1" type="KEYEXISTS" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp\NoMaps" valueName="" valueType="" valueData=""/>"#,
            )
        })
        .collect();
    let f = File::new(&items);
    let maps = gpp_front::load(
        &std::fs::read_to_string(&f.path).unwrap(),
        f.path(),
        UnevaluablePolicy::Refuse,
    )
    .unwrap();
    let mut hooked = crate::support::Hooked::new(&mut m, |_, _| None);
    let report = gpp_front::apply(
        &mut hooked,
        &maps,
        f.path(),
        GppOptions {
            check: true,
            session: SessionChoice::Auto,
            unevaluable: UnevaluablePolicy::Refuse,
        },
    )
    .unwrap();
    assert_eq!(report.items.len(), 26);
    let calls = hooked.calls();
    for fact in [
        "targeting_facts",
        "registry_key_exists",
        "no_drives",
        "gpp_record",
        "connected",
        "remembered",
    ] {
        assert_eq!(calls.get(fact), Some(&1), "{fact}: {calls:?}");
    }
}

/// What a user's drives look like: connected, remembered (with share), labels, NoDrives.
fn end_state(m: &Machine) -> String {
    let mut out = String::new();
    for c in m.connected().unwrap() {
        out.push_str(&format!(
            "connected {} {}\n",
            c.letter,
            c.remote.to_lowercase()
        ));
    }
    for r in m.remembered().unwrap() {
        out.push_str(&format!(
            "remembered {} {}\n",
            r.letter,
            r.remote.to_lowercase()
        ));
        let label = m.label(&r.remote.parse().unwrap()).unwrap();
        out.push_str(&format!("label {} {label:?}\n", r.letter));
    }
    out.push_str(&format!("NoDrives {:?}\n", m.no_drives().unwrap()));
    out
}

#[test]
fn the_converted_document_gives_the_same_end_state() {
    let f = File::new(&[
        item(
            "T",
            "1",
            "",
            r#"action="U" path="\\fileserver\team" label="Team" thisDrive="HIDE""#,
            r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="S-1-5-21-1-1201" userContext="1" primaryGroup="0" localGroup="0"/>"#,
        )
        .replace(r#"thisDrive="NOCHANGE" "#, ""),
        item(
            "P",
            "2",
            "",
            r#"action="R" path="\\fileserver\public" label="Public""#,
            "",
        ),
        item(
            "A",
            "3",
            "",
            r#"action="U" path="\\fileserver\public""#,
            r#"<FilterCollection bool="AND" not="0" name="admins"><FilterGroup bool="AND" not="0" name="CORP\Domain Admins" sid="S-1-5-21-1-512" userContext="1" primaryGroup="0" localGroup="0"/><FilterComputer bool="OR" not="0" type="NETBIOS" name="KIOSK*"/></FilterCollection>"#,
        ),
        item("R", "4", "", r#"action="D" path="""#, ""),
        item(
            "F",
            "5",
            "",
            r#"action="C" path="\\fileserver\public""#,
            r#"<FilterVariable bool="AND" not="0" variableName="USERNAME" value="bob"/>"#,
        )
        .replace(r#"useLetter="1""#, r#"useLetter="0""#),
    ]);
    let start = |m: &mut Machine| {
        m.add_connection(l("R:"), &PUBLIC.parse().unwrap(), None, None, true)
            .unwrap();
    };
    let mut direct = bob();
    start(&mut direct);
    let r = apply(&mut direct, &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let mut converted = bob();
    start(&mut converted);
    let out = f.path.with_file_name("converted.yaml");
    let c = mapdrive(
        &mut converted,
        &[
            "gpp",
            "convert",
            f.path(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(c.code, 0, "{}\n{}", c.stdout, c.stderr);
    let doc = std::fs::read_to_string(&out).unwrap();
    insta::assert_snapshot!("gpp_converted", doc.replace(f.path(), "Drives.xml"));
    let r2 = mapdrive(&mut converted, &["apply", out.to_str().unwrap()]);
    assert_eq!(r2.code, 0, "{}\n{}", r2.stdout, r2.stderr);
    assert_eq!(end_state(&converted), end_state(&direct), "{}", r2.stdout);
    assert!(end_state(&direct).contains("NoDrives Some(524288)"));
    // And again: nothing to do.
    let writes = converted.writes();
    let again = mapdrive(&mut converted, &["apply", out.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(converted.writes(), writes, "{}", again.stdout);
    // JSON too.
    let j = mapdrive(&mut converted, &["gpp", "convert", f.path(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["resources"].as_array().unwrap().len(), 5);
}

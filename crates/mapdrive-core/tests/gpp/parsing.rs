//! Reading `Drives.xml`: the item model, encodings, and every refusal with its line number.

use mapdrive_core::gpp::{Action, GppError, MAX_FILE_BYTES, Visibility, decode, parse, parse_str};

use crate::support::*;

#[test]
fn the_sheet_example_reads_as_the_editor_wrote_it() {
    let m = parse(&fixture("team-and-public.xml")).unwrap();
    assert!(!m.disabled);
    assert_eq!(m.items.len(), 2);
    let t = &m.items[0];
    assert_eq!(t.index, 0);
    assert_eq!(t.item.name, "T:");
    assert_eq!(
        t.item.uid.as_deref(),
        Some("{0B9E2A57-35C3-4D0E-9A52-6E1D2D1C7A01}")
    );
    assert_eq!(t.item.line, 3);
    assert_eq!(t.action, Action::Update);
    assert_eq!(t.path, r"\\files\team");
    assert_eq!(t.label, "Team");
    assert_eq!(t.letter, letter('T'));
    assert!(t.use_letter && t.persistent && t.bypass_errors);
    assert!(!t.disabled && !t.remove_policy && !t.user_context);
    assert_eq!(t.this_drive, Visibility::Hide);
    assert_eq!(t.all_drives, Visibility::NoChange);
    assert_eq!(t.user_name, None);
    assert_eq!(t.filters.filters.len(), 1);
    assert_eq!(t.filters.filters[0].element, "FilterGroup");
    assert_eq!(t.filters.filters[0].line, 8);

    let p = &m.items[1];
    assert_eq!(p.action, Action::Create);
    assert!(!p.use_letter && !p.persistent);
    assert_eq!(p.letter, letter('P'));
    assert!(p.filters.is_empty());
    // No bypassErrors attribute: mapdrive reads it as the Common tab's default (keep going).
    assert!(p.bypass_errors);
}

#[test]
fn the_cleanup_example_reads_delete_all_and_remove_policy() {
    let m = parse(&fixture("cleanup.xml")).unwrap();
    assert_eq!(m.items[0].action, Action::Delete);
    assert!(!m.items[0].use_letter);
    assert_eq!(m.items[1].action, Action::Replace);
    assert!(m.items[1].remove_policy && m.items[1].user_context);
    assert_eq!(m.items[1].path, r"\\files\home\%LogonUser%");
}

#[test]
fn utf16_with_a_bom_reads_like_utf8() {
    let utf8 = parse(&fixture("team-and-public.xml")).unwrap();
    // A file written as the editor may write it: UTF-16LE with BOM and CRLF line ends.
    let le = parse(&fixture("team-and-public-utf16le.xml")).unwrap();
    assert_eq!(le, utf8);

    let text = String::from_utf8(fixture("team-and-public.xml")).unwrap();
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(parse(&be).unwrap(), utf8);

    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend(text.as_bytes());
    assert_eq!(parse(&bom8).unwrap(), utf8);
}

#[test]
fn utf16_without_a_bom_and_legacy_code_pages_are_refused() {
    let text = String::from_utf8(fixture("team-and-public.xml")).unwrap();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let e = parse(&le).unwrap_err();
    assert!(matches!(e, GppError::Encoding { .. }), "{e:?}");
    assert!(e.to_string().contains("without a byte-order mark"), "{e}");

    // Windows-1252 "é" on line 3.
    let mut bytes = b"<Drives>\n<!-- x -->\n<!-- caf".to_vec();
    bytes.push(0xE9);
    bytes.extend(b" -->\n</Drives>");
    let e = decode(&bytes).unwrap_err().to_string();
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("UTF-8"), "{e}");

    let odd = [0xFF, 0xFE, b'<'];
    assert!(matches!(parse(&odd), Err(GppError::Encoding { .. })));
}

#[test]
fn bad_xml_is_refused_with_its_line() {
    let xml = "<?xml version=\"1.0\"?>\n<Drives>\n  <Drive name=\"H:\">\n    <Properties action=\"U\" letter=\"H\"\n  </Drive>\n</Drives>\n";
    let e = parse_str(xml).unwrap_err();
    let GppError::Xml { line, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(*line == 4 || *line == 5, "{e}");
    assert!(
        e.to_string()
            .starts_with("the file is not well-formed XML: line")
    );

    let e = parse_str("<Drives>\n<Drive>\n</Drives>").unwrap_err();
    assert!(matches!(e, GppError::Xml { line: 3, .. }), "{e:?}");
}

#[test]
fn a_dtd_is_refused() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE Drives [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<Drives>&b;</Drives>";
    assert!(matches!(parse_str(xml), Err(GppError::Xml { .. })));
}

#[test]
fn another_root_is_refused_naming_it() {
    let e = parse_str(
        "<?xml version=\"1.0\"?>\n\n<Printers clsid=\"{1F577D12-3D1B-471e-A1B7-060317597B9C}\"/>",
    )
    .unwrap_err();
    assert!(
        matches!(&e, GppError::UnknownRoot { line: 3, found, .. } if found == "Printers"),
        "{e:?}"
    );
    assert!(e.to_string().contains("Printers preference file"), "{e}");

    let e = parse_str("<DriveMapSettings/>").unwrap_err().to_string();
    assert!(e.contains("report"), "{e}");
    assert!(e.contains("SYSVOL"), "{e}");
}

fn invalid_line(xml: &str) -> (u32, String) {
    match parse_str(xml) {
        Err(e @ GppError::Invalid { line, .. }) => (line, e.to_string()),
        other => panic!("expected Invalid, got {other:?}\n{xml}"),
    }
}

#[test]
fn an_unknown_action_is_refused_with_the_line_and_the_item() {
    let xml = drives(&[
        drive("G:", "", &props("U", r"\\s\g", 'G', true, true), ""),
        drive("H:", "", &props("X", r"\\s\h", 'H', true, true), ""),
    ]);
    let (line, msg) = invalid_line(&xml);
    assert_eq!(line, 7, "{msg}\n{xml}");
    assert!(msg.contains("Drive item \"H:\""), "{msg}");
    assert!(msg.contains("unknown action \"X\""), "{msg}");
    assert!(msg.starts_with("line 7, Drive item \"H:\" (uid {"), "{msg}");
}

#[test]
fn action_defaults_to_update_and_accepts_lower_case() {
    let xml = drives(&[
        drive("H:", "", r#"path="\\s\h" letter="H""#, ""),
        drive("I:", "", r#"action="r" path="\\s\i" letter="I""#, ""),
    ]);
    let m = maps(&xml);
    assert_eq!(m.items[0].action, Action::Update);
    assert!(m.items[0].use_letter, "useLetter absent = a fixed letter");
    assert!(!m.items[0].persistent);
    assert_eq!(m.items[1].action, Action::Replace);
}

#[test]
fn out_of_range_letters_are_refused() {
    for bad in ["", "1", "HH", "[", "`", "Ä", "H:\\"] {
        let xml = drives(&[drive(
            "H:",
            "",
            &format!(r#"action="U" path="\\s\h" useLetter="1" letter="{bad}""#),
            "",
        )]);
        let (line, msg) = invalid_line(&xml);
        assert_eq!(line, 4, "{msg}");
        assert!(msg.contains("not a drive letter"), "{bad:?}: {msg}");
    }
    for good in ["h", "H", "z:"] {
        let xml = drives(&[drive(
            "H:",
            "",
            &format!(r#"path="\\s\h" letter="{good}""#),
            "",
        )]);
        maps(&xml);
    }
}

#[test]
fn flags_and_visibility_outside_their_values_are_refused() {
    let cases = [
        (
            r#"path="\\s\h" letter="H" persistent="yes""#,
            "persistent=\"yes\"",
        ),
        (
            r#"path="\\s\h" letter="H" useLetter="2""#,
            "useLetter=\"2\"",
        ),
        (
            r#"path="\\s\h" letter="H" thisDrive="HIDDEN""#,
            "NOCHANGE, SHOW or HIDE",
        ),
        (r#"path="\\s\h" letter="H" allDrives="x""#, "allDrives"),
    ];
    for (p, want) in cases {
        let (line, msg) = invalid_line(&drives(&[drive("H:", "", p, "")]));
        assert_eq!(line, 4);
        assert!(msg.contains(want), "{msg}");
    }
    let (line, msg) = invalid_line(&drives(&[drive(
        "H:",
        r#"disabled="maybe""#,
        r#"path="\\s\h" letter="H""#,
        "",
    )]));
    assert_eq!(line, 3);
    assert!(msg.contains("disabled"), "{msg}");
    // xs:boolean spellings are fine.
    let m = maps(&drives(&[drive(
        "H:",
        r#"removePolicy="true" bypassErrors="false""#,
        r#"path="\\s\h" letter="H""#,
        "",
    )]));
    assert!(m.items[0].remove_policy && !m.items[0].bypass_errors);
}

#[test]
fn structure_errors_are_refused() {
    let (line, msg) = invalid_line("<Drives>\n  <Printer/>\n</Drives>");
    assert_eq!(line, 2);
    assert!(msg.contains("<Printer>"), "{msg}");

    let (line, msg) = invalid_line("<Drives>\n  <Drive name=\"H:\">\n  </Drive>\n</Drives>");
    assert_eq!(line, 2);
    assert!(msg.contains("no <Properties>"), "{msg}");

    let (line, msg) = invalid_line(
        "<Drives>\n  <Drive name=\"H:\">\n    <Properties letter=\"H\" path=\"\\\\s\\h\"/>\n    <Properties letter=\"H\"/>\n  </Drive>\n</Drives>",
    );
    assert_eq!(line, 4);
    assert!(msg.contains("one <Properties>"), "{msg}");

    let (_, msg) =
        invalid_line("<Drives clsid=\"{00000000-0000-0000-0000-000000000000}\"></Drives>");
    assert!(msg.contains("clsid"), "{msg}");

    let (_, msg) = invalid_line(&drives(&[drive(
        "H:",
        "",
        &props("C", "", 'H', true, true),
        "",
    )]));
    assert!(msg.contains("action Create needs a path"), "{msg}");
    let (_, msg) = invalid_line(&drives(&[drive(
        "H:",
        "",
        &props("R", "", 'H', true, true),
        "",
    )]));
    assert!(msg.contains("action Replace needs a path"), "{msg}");
    let (_, msg) = invalid_line(&drives(&[drive(
        "H:",
        "",
        &props("U", "", 'H', false, true),
        "",
    )]));
    assert!(msg.contains("useLetter=\"1\""), "{msg}");
}

#[test]
fn filter_attributes_with_meaning_are_checked() {
    let cases = [
        (
            r#"<FilterGroup bool="XOR" not="0" name="CORP\Sales"/>"#,
            "AND or OR",
        ),
        (
            r#"<FilterGroup bool="AND" not="2" name="CORP\Sales"/>"#,
            "not=\"2\"",
        ),
        (
            r#"<FilterGroup bool="AND" not="0"/>"#,
            "neither name nor sid",
        ),
        (
            r#"<FilterComputer bool="AND" not="0" type="WINS" name="x"/>"#,
            "NETBIOS or DNS",
        ),
        (
            r#"<FilterIpRange bool="AND" not="0" min="10.0.0.9" max="10.0.0.1"/>"#,
            "after its end",
        ),
        (
            r#"<FilterIpRange bool="AND" not="0" min="10.0.0.1" max="fd00::1"/>"#,
            "mixes",
        ),
        (
            r#"<FilterIpRange bool="AND" not="0" min="10.0.0" max="10.0.0.1"/>"#,
            "not an IP address",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" type="FOO" key="k"/>"#,
            "KEYEXISTS",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" type="MATCHVALUE" subtype="REGEX" key="k"/>"#,
            "EQUALHEX",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" hive="HKEY_NOWHERE" key="k"/>"#,
            "not a registry hive",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" type="MATCHVALUE" subtype="EQUALDEC" valueType="REG_DWORD" valueData="0x1F" key="k" valueName="v"/>"#,
            "decimal number",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" type="MATCHVALUE" subtype="VERSION" min="1.x" key="k" valueName="v"/>"#,
            "not a version",
        ),
        (
            r#"<FilterRegistry bool="AND" not="0" type="GETVALUE" key="k" valueName="v"/>"#,
            "variableName",
        ),
        (
            r#"<FilterVariable bool="AND" not="0" value="1"/>"#,
            "variableName",
        ),
        (
            r#"<FilterLanguage bool="AND" not="0" language="en" locale="1"/>"#,
            "not a number",
        ),
    ];
    for (filter, want) in cases {
        let xml = drives(&[drive("H:", "", r#"path="\\s\h" letter="H""#, filter)]);
        let (line, msg) = invalid_line(&xml);
        assert_eq!(line, 6, "{msg}");
        assert!(msg.contains(want), "{filter}: {msg}");
        assert!(msg.contains("Drive item \"H:\""), "{msg}");
    }
}

#[test]
fn the_size_cap_is_said_in_the_error() {
    let mut big = b"<Drives>".to_vec();
    big.resize(MAX_FILE_BYTES + 1, b' ');
    let e = parse(&big).unwrap_err();
    assert!(matches!(e, GppError::TooLarge { .. }));
    let msg = e.to_string();
    assert!(msg.contains(&MAX_FILE_BYTES.to_string()), "{msg}");
    assert!(msg.contains(&(MAX_FILE_BYTES + 1).to_string()), "{msg}");
}

const SECRET: &str = "j1Uyj3Vx8TY9LtLZil2uAuZkFQA/4latT76ZwgdHdhw";

#[test]
fn a_cpassword_refuses_the_file_naming_the_item_and_ms14_025_never_the_value() {
    let xml = drives(&[
        drive("G:", "", &props("U", r"\\s\g", 'G', true, true), ""),
        drive(
            "H:",
            "",
            &format!(
                r#"action="U" userName="CORP\svc_map" cpassword="{SECRET}" path="\\s\h" letter="H""#
            ),
            "",
        ),
    ]);
    let e = parse_str(&xml).unwrap_err();
    let GppError::CPassword { items } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].name, "H:");
    assert_eq!(items[0].line, 6);
    let msg = e.to_string();
    for want in [
        "Drive item \"H:\"",
        "uid {",
        "at line 6",
        "MS14-025",
        "Mapdrive/Credential",
        "securestring",
        "change it",
    ] {
        assert!(msg.contains(want), "{want}: {msg}");
    }
    assert!(!msg.contains(SECRET), "{msg}");
    assert!(!format!("{e:?}").contains(SECRET));
    // Checked before anything else, also when a later part of the file is wrong.
    let worse = xml.replace("action=\"U\" thisDrive", "action=\"Q\" thisDrive");
    let e = parse_str(&worse).unwrap_err();
    assert!(matches!(e, GppError::CPassword { .. }), "{e:?}");
}

#[test]
fn every_cpassword_is_named_and_an_empty_one_is_no_password() {
    let xml = drives(&[
        drive(
            "G:",
            "",
            &format!(r#"cpassword="{SECRET}" path="\\s\g" letter="G""#),
            "",
        ),
        drive(
            "H:",
            "",
            r#"cpassword="" userName="" path="\\s\h" letter="H""#,
            "",
        ),
        drive(
            "I:",
            "",
            &format!(r#"cpassword="{SECRET}x" path="\\s\i" letter="I""#),
            "",
        ),
    ]);
    let e = parse_str(&xml).unwrap_err();
    let GppError::CPassword { items } = &e else {
        panic!("{e:?}")
    };
    let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["G:", "I:"]);
    assert!(e.to_string().contains("carry a cpassword"));
    assert!(!e.to_string().contains(SECRET));

    let ok = drives(&[drive(
        "H:",
        "",
        r#"cpassword="" userName="CORP\svc" path="\\s\h" letter="H""#,
        "",
    )]);
    assert_eq!(maps(&ok).items[0].user_name.as_deref(), Some("CORP\\svc"));
}

#[test]
fn broken_xml_with_a_cpassword_withholds_the_parser_detail() {
    // An entity reference inside the value would otherwise be echoed by the XML parser.
    let xml = format!(
        "<Drives>\n<Drive name=\"H:\"><Properties cpassword=\"{SECRET}&{SECRET};\" letter=\"H\"/></Drive>\n</Drives>"
    );
    let e = parse_str(&xml).unwrap_err();
    assert!(matches!(e, GppError::Xml { line: 2, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(!msg.contains(SECRET), "{msg}");
    assert!(!format!("{e:?}").contains(SECRET));
    assert!(msg.contains("withheld"), "{msg}");

    // Without a cpassword the parser's detail is given.
    let e = parse_str("<Drives>\n<Drive name=\"H&x;\"/>\n</Drives>").unwrap_err();
    assert!(e.to_string().contains("x"), "{e}");
}

#[test]
fn the_whole_file_can_be_disabled() {
    let m =
        maps("<Drives clsid=\"{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}\" disabled=\"1\"></Drives>");
    assert!(m.disabled);
    assert!(m.items.is_empty());
}

#[test]
fn an_empty_file_has_no_items() {
    assert!(maps("<Drives/>").items.is_empty());
}

proptest::proptest! {
    #[test]
    fn no_cpassword_value_ever_reaches_a_message(
        secret in "[A-Za-z0-9+/]{12,64}",
        variant in 0usize..6,
    ) {
        let good = props("U", r"\\s\h", 'H', true, true);
        let with = |p: &str| p.replace("userName=\"\"", &format!("userName=\"CORP\\svc\" cpassword=\"{secret}\""));
        let xml = match variant {
            0 => drives(&[drive("H:", "", &with(&good), "")]),
            1 => drives(&[drive("H:", "", &with(&good).replace("action=\"U\"", "action=\"Z\""), "")]),
            2 => drives(&[drive("H:", "", &with(&good), "")]).replace("</Drives>", "</Drive>"),
            3 => drives(&[drive("H:", "", &with(&good).replace(&secret, &format!("&{secret};")), "")]),
            4 => drives(&[drive("H:", "", &good, &format!(r#"<FilterUser bool="AND" not="0" name="x" cpassword="{secret}"/>"#))]),
            _ => format!("<Drives cpassword=\"{secret}\">\n</Drives>"),
        };
        let e = parse_str(&xml).unwrap_err();
        proptest::prop_assert!(!e.to_string().contains(&secret), "{}", e);
        let debug = format!("{e:?}");
        proptest::prop_assert!(!debug.contains(&secret));
        if variant != 2 && variant != 3 {
            proptest::prop_assert!(matches!(e, GppError::CPassword { .. }), "{:?}", e);
        }
    }
}

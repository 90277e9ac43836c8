//! Group Policy Drive Maps end to end: the real mapdrive.exe under Wine applies a Drives.xml
//! (UTF-16, as the Group Policy editor may write it) with targeting read from the real token,
//! registry and computer name, against the fake SMB provider; HKCU\Network and Explorer's
//! NoDrives are checked, a re-run changes nothing, and a refused file changes nothing.

use crate::harness::{Prefix, assert_no_secret};

const DRIVES: &str = r#"<?xml version="1.0" encoding="utf-16"?>
<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">
  <Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="T:" status="T:" image="2" changed="2024-02-01 09:00:00" uid="{0B9E2A57-35C3-4D0E-9A52-6E1D2D1C7A01}" bypassErrors="1">
    <Properties action="U" thisDrive="HIDE" allDrives="NOCHANGE" userName="" path="\\fileserver\public" label="Public" persistent="1" useLetter="1" letter="T"/>
    <Filters>
      <FilterRegistry bool="AND" not="0" type="KEYEXISTS" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Microsoft" valueName="" valueType="" valueData=""/>
      <FilterGroup bool="AND" not="0" name="\Everyone" sid="S-1-1-0" userContext="1" primaryGroup="0" localGroup="0"/>
    </Filters>
  </Drive>
  <Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="S:" status="S:" image="2" changed="2024-02-01 09:00:00" uid="{0B9E2A57-35C3-4D0E-9A52-6E1D2D1C7A02}">
    <Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="\\fileserver\public" label="" persistent="1" useLetter="1" letter="S"/>
    <Filters>
      <FilterGroup bool="AND" not="0" name="CORP\Sales" sid="S-1-5-21-1111111111-2222222222-3333333333-1187" userContext="1" primaryGroup="0" localGroup="0"/>
    </Filters>
  </Drive>
</Drives>
"#;

const EXPLORER: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Policies\Explorer";

fn write_utf16(wine: &Prefix, name: &str, text: &str) -> String {
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(wine.path().join("drive_c").join(name), bytes).unwrap();
    format!(r"C:\{name}")
}

#[test]
fn apply_a_drives_xml_then_rerun_unchanged() {
    let mut wine = Prefix::new();
    let file = write_utf16(&wine, "Drives.xml", DRIVES);

    let check = wine.mapdrive(&["apply", &file, "--check"]);
    check.success();
    assert!(check.stdout.contains("would change"), "{}", check.stdout);
    assert!(wine.reg_values(r"HKCU\Network\T").is_none());

    let run = wine.mapdrive(&["apply", &file]);
    run.success();
    assert!(run.stdout.contains("T:"), "{}", run.stdout);
    assert!(
        run.stdout.contains(r"FilterGroup CORP\Sales: "),
        "{}",
        run.stdout
    );
    let t = wine.reg_values(r"HKCU\Network\T").expect("T: remembered");
    assert!(
        t.iter()
            .any(|(k, _, d)| k == "RemotePath" && d == r"\\fileserver\public"),
        "{t:?}"
    );
    assert!(wine.reg_values(r"HKCU\Network\S").is_none());
    let explorer = wine.reg_values(EXPLORER).expect("NoDrives written");
    assert!(
        explorer
            .iter()
            .any(|(k, ty, d)| k == "NoDrives" && ty == "REG_DWORD" && d == "0x80000"),
        "{explorer:?}"
    );
    let records = wine
        .reg_values(r"HKCU\Software\mapdrive\Gpp")
        .unwrap_or_default();
    assert!(
        records.is_empty(),
        "no removePolicy item: no record {records:?}"
    );

    // Re-run: unchanged, nothing written.
    let network = wine.reg_query(r"HKCU\Network").unwrap();
    let policies = wine.reg_query(EXPLORER).unwrap();
    let again = wine.mapdrive(&["apply", &file]);
    again.success();
    assert!(
        again
            .stdout
            .contains("2 items, 1 unchanged, 1 not applicable"),
        "{}",
        again.stdout
    );
    assert_eq!(wine.reg_query(r"HKCU\Network").unwrap(), network);
    assert_eq!(wine.reg_query(EXPLORER).unwrap(), policies);
    let test = wine.mapdrive(&["test", &file]);
    test.success();

    // A file with a cpassword is refused and changes nothing.
    let refused = write_utf16(
        &wine,
        "Refused.xml",
        &DRIVES.replace(
            r#"userName="" path="\\fileserver\public" label="" "#,
            r#"userName="CORP\alice" cpassword="Zm9vYmFyYmF6cXV4" path="\\fileserver\team" label="" "#,
        ),
    );
    let r = wine.mapdrive(&["apply", &refused]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("MS14-025"), "{}", r.stderr);
    assert!(!r.stdout.contains("Zm9vYmFy") && !r.stderr.contains("Zm9vYmFy"));
    assert_eq!(wine.reg_query(r"HKCU\Network").unwrap(), network);
    assert_no_secret(&wine.transcript);
}

/// `mapdrive gpp convert` → `mapdrive apply` with the real exe gives the same end state as
/// applying the Drives.xml itself (HKCU\Network and NoDrives, each in a fresh prefix), and a
/// re-apply of the converted document changes nothing.
#[test]
fn convert_then_apply_gives_the_drives_xml_end_state() {
    let state = |wine: &mut Prefix| {
        let t = wine.reg_values(r"HKCU\Network\T").map(|v| {
            v.into_iter()
                .filter(|(k, _, _)| k == "RemotePath")
                .collect::<Vec<_>>()
        });
        let s = wine.reg_values(r"HKCU\Network\S");
        let no_drives = wine.reg_values(EXPLORER).map(|v| {
            v.into_iter()
                .filter(|(k, _, _)| k == "NoDrives")
                .collect::<Vec<_>>()
        });
        (t, s.is_some(), no_drives)
    };
    let mut direct = Prefix::new();
    let file = write_utf16(&direct, "Drives.xml", DRIVES);
    direct.mapdrive(&["apply", &file]).success();
    let want = state(&mut direct);

    let mut converted = Prefix::new();
    let file = write_utf16(&converted, "Drives.xml", DRIVES);
    converted
        .mapdrive(&[
            "gpp",
            "convert",
            &file,
            "--output",
            r"C:\converted.dsc.yaml",
        ])
        .success();
    let doc = std::fs::read_to_string(converted.path().join("drive_c").join("converted.dsc.yaml"))
        .unwrap();
    assert!(doc.contains("targeting"), "{doc}");
    converted
        .mapdrive(&["apply", r"C:\converted.dsc.yaml"])
        .success();
    assert_eq!(state(&mut converted), want);
    let network = converted.reg_query(r"HKCU\Network").unwrap();
    let again = converted.mapdrive(&["apply", r"C:\converted.dsc.yaml"]);
    again.success();
    assert_eq!(converted.reg_query(r"HKCU\Network").unwrap(), network);
    converted
        .mapdrive(&["test", r"C:\converted.dsc.yaml"])
        .success();
}

//! "nothing was changed; correct the input and run again" is said once per refusal, whatever
//! the front-end and however deep in a document the bad value sits.

use mapdrive::frontend::dsc::{self, Kind, Level, Op};
use mapdrive::frontend::report::Report;
use mapdrive_model::fixture::{self, BOB};
use mapdrive_model::{LogonKind, Machine};

use crate::support::{logon, mapdrive};

const HINT: &str = "nothing was changed";

fn bob() -> Machine {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m
}

#[track_caller]
fn said_once(what: &str, r: &Report) {
    assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(all.matches(HINT).count(), 1, "{what}:\n{all}");
}

#[test]
fn a_refusal_says_nothing_was_changed_once() {
    let mut m = bob();
    for args in [
        &["map", "1:", r"\\fileserver\public"][..],
        &["map", "M:", r"\\fileserver"][..],
        &["map", "M:", r"\\fileserver\public", "--label", "a\u{202e}b"][..],
        &["unmap", "TT:"][..],
    ] {
        said_once(&format!("{args:?}"), &mapdrive(&mut m, args));
        let mut json = args.to_vec();
        json.push("--json");
        said_once(&format!("{json:?}"), &mapdrive(&mut m, &json));
    }

    let dir = tempfile::tempdir().unwrap();
    let docs = [
        (
            "bad letter",
            "d.yaml",
            "resources:\n- name: Public drive\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: TT\n    path: \\\\fileserver\\public\n",
        ),
        (
            "unknown property",
            "d.yaml",
            "resources:\n- name: Public drive\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: P\n    colour: red\n    path: \\\\fileserver\\public\n",
        ),
        ("not a document", "d.yaml", "resources: ["),
        (
            "cpassword",
            "Drives.xml",
            "<?xml version=\"1.0\"?>\n<Drives clsid=\"{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}\"><Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"S:\" uid=\"{2}\"><Properties action=\"U\" path=\"\\\\fileserver\\svc\" letter=\"S\" userName=\"svc\" cpassword=\"abc\"/></Drive></Drives>\n",
        ),
    ];
    for (what, name, text) in docs {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap();
        for verb in ["apply", "test"] {
            said_once(&format!("{verb} {what}"), &mapdrive(&mut m, &[verb, path]));
            said_once(
                &format!("{verb} --json {what}"),
                &mapdrive(&mut m, &[verb, path, "--json"]),
            );
        }
    }

    for input in [
        r#"{"letter":"1","path":"\\\\fileserver\\public"}"#,
        r#"{"letter":"P","colour":"red","path":"\\\\fileserver\\public"}"#,
    ] {
        for op in [Op::Set, Op::Test, Op::Get] {
            let r = dsc::run(
                op,
                Kind::MappedDrive,
                false,
                Some(input),
                Some(&mut m),
                Level::Info,
            );
            said_once(&format!("dsc {op:?} {input}"), &r);
        }
    }
    assert_eq!(m.writes(), 0);
}

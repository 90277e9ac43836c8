//! Per-item decisions: every action against every starting state, first available, persistent,
//! labels, hide/show, disabled, bypassErrors, processing order, removePolicy across runs.

use mapdrive_core::gpp::{
    AppliedItem, AppliedRecord, Decision, DriveState, LetterState, NoDrivesChange, PlanOptions,
    ProcessingOrder, RunPlan, no_drives_bit,
};

use crate::support::*;

const TEAM: &str = r"\\files\team";
const OTHER: &str = r"\\old\stuff";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    /// Map, with `replace`.
    Map(bool),
    Unmap,
    Unchanged,
    Failed,
}

fn kind(d: &Decision) -> Want {
    match d {
        Decision::Map { replace, .. } => Want::Map(*replace),
        Decision::Unmap { .. } => Want::Unmap,
        Decision::Unchanged { .. } => Want::Unchanged,
        Decision::Failed { .. } => Want::Failed,
        other => panic!("unexpected {other:?}"),
    }
}

fn one(action: &str, path: &str, start: Option<LetterState>) -> RunPlan {
    let xml = drives(&[drive("T:", "", &props(action, path, 'T', true, true), "")]);
    let st = match start {
        Some(s) => state(&[('T', s)]),
        None => DriveState::default(),
    };
    run(&xml, &st)
}

#[test]
fn every_action_against_every_starting_state() {
    use Want::*;
    // (state, [Create, Replace, Update, Delete]) for an item T: = \\files\team, persistent.
    let table: Vec<(&str, Option<LetterState>, [Want; 4])> = vec![
        (
            "free",
            None,
            [Map(false), Map(false), Map(false), Unchanged],
        ),
        (
            "same path, connected and remembered",
            Some(connected(TEAM)),
            [Unchanged, Unchanged, Unchanged, Unmap],
        ),
        (
            "same path, other case and trailing separator",
            Some(connected(r"\\FILES\Team\")),
            [Unchanged, Unchanged, Unchanged, Unmap],
        ),
        (
            "same path, connected but not remembered",
            Some(connected_only(TEAM)),
            [Unchanged, Map(true), Map(false), Unmap],
        ),
        (
            "other path",
            Some(connected(OTHER)),
            [Unchanged, Map(true), Map(true), Unmap],
        ),
        (
            "remembered only (same path)",
            Some(remembered_only(TEAM)),
            [Unchanged, Map(true), Map(false), Unmap],
        ),
        (
            "remembered only (other path)",
            Some(remembered_only(OTHER)),
            [Unchanged, Map(true), Map(true), Unmap],
        ),
        (
            "local device",
            Some(local()),
            [Failed, Failed, Failed, Unchanged],
        ),
    ];
    for (name, start, wants) in table {
        for (action, want) in ["C", "R", "U", "D"].into_iter().zip(wants) {
            let path = if action == "D" { "" } else { TEAM };
            let p = one(action, path, start.clone());
            let got = kind(&p.items[0].decision);
            assert_eq!(got, want, "{action} on {name}: {:?}", p.items[0].decision);
            let end = p.end_state.letter(letter('T'));
            match want {
                Map(_) => {
                    assert_eq!(end.connected.as_deref(), Some(TEAM), "{action} on {name}");
                    assert_eq!(end.remembered.as_deref(), Some(TEAM), "{action} on {name}");
                }
                Unmap => assert_eq!(end, LetterState::default(), "{action} on {name}"),
                Unchanged | Failed => {
                    assert_eq!(end, start.clone().unwrap_or_default(), "{action} on {name}")
                }
            }
        }
    }
}

#[test]
fn map_carries_what_the_engine_needs() {
    let xml = drives(&[drive(
        "T:",
        "",
        r#"action="R" thisDrive="HIDE" allDrives="NOCHANGE" userName="CORP\svc_files" path="\\files\team\" label="Team" persistent="0" useLetter="1" letter="t""#,
        "",
    )]);
    let p = run(&xml, &state(&[('T', connected(OTHER))]));
    let Decision::Map {
        letter: l,
        path,
        persistent,
        label,
        hide,
        replace,
        user_name,
    } = &p.items[0].decision
    else {
        panic!()
    };
    assert_eq!(*l, letter('T'));
    assert_eq!(path.as_str(), TEAM);
    assert!(!persistent);
    assert_eq!(label.as_deref(), Some("Team"));
    assert_eq!(*hide, Some(true));
    assert!(*replace);
    assert_eq!(user_name.as_deref(), Some(r"CORP\svc_files"));
    assert_eq!(p.items[0].item.name, "T:");
    assert!(p.items[0].changes());
}

#[test]
fn update_with_an_empty_path_keeps_the_share() {
    let xml = drives(&[drive(
        "T:",
        "",
        r#"action="U" path="" label="Renamed" persistent="1" useLetter="1" letter="T""#,
        "",
    )]);
    let p = run(&xml, &state(&[('T', connected_only(OTHER))]));
    match &p.items[0].decision {
        Decision::Map {
            path,
            label,
            replace,
            persistent,
            ..
        } => {
            assert_eq!(path.as_str(), OTHER);
            assert_eq!(label.as_deref(), Some("Renamed"));
            assert!(!replace);
            assert!(persistent);
        }
        d => panic!("{d:?}"),
    }
    // A remembered-only drive is reconnected on the same share.
    let p = run(&xml, &state(&[('T', remembered_only(OTHER))]));
    assert!(matches!(&p.items[0].decision, Decision::Map { path, .. } if path.as_str() == OTHER));
    // Nothing on the letter: nothing to update.
    let p = run(&xml, &DriveState::default());
    let Decision::Failed { error } = &p.items[0].decision else {
        panic!()
    };
    assert!(error.contains("T: is not mapped"), "{error}");
}

#[test]
fn persistent_on_and_off() {
    let on = drives(&[drive("T:", "", &props("U", TEAM, 'T', true, true), "")]);
    let off = drives(&[drive("T:", "", &props("U", TEAM, 'T', true, false), "")]);
    // Off, and the drive is remembered: the remembered entry must go (a change).
    let p = run(&off, &state(&[('T', connected(TEAM))]));
    assert!(matches!(
        p.items[0].decision,
        Decision::Map {
            persistent: false,
            replace: false,
            ..
        }
    ));
    assert_eq!(p.end_state.letter(letter('T')).remembered, None);
    // Off, connected only: unchanged.
    let p = run(&off, &state(&[('T', connected_only(TEAM))]));
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
    // On, connected only: remember it.
    let p = run(&on, &state(&[('T', connected_only(TEAM))]));
    assert!(matches!(
        p.items[0].decision,
        Decision::Map {
            persistent: true,
            ..
        }
    ));
    assert_eq!(
        p.end_state.letter(letter('T')).remembered.as_deref(),
        Some(TEAM)
    );
}

#[test]
fn labels_update_keeps_replace_overwrites() {
    let with_label = |label: Option<&str>| LetterState {
        label: label.map(str::to_string),
        ..connected(TEAM)
    };
    let item = |action: &str, label: &str| {
        drives(&[drive(
            "T:",
            "",
            &format!(
                r#"action="{action}" path="\\files\team" label="{label}" persistent="1" useLetter="1" letter="T""#
            ),
            "",
        )])
    };
    // Update without a label keeps the current one.
    let p = run(&item("U", ""), &state(&[('T', with_label(Some("Old")))]));
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
    // Update with another label sets it.
    let p = run(&item("U", "New"), &state(&[('T', with_label(Some("Old")))]));
    assert!(
        matches!(&p.items[0].decision, Decision::Map { label: Some(l), replace: false, .. } if l == "New")
    );
    assert_eq!(
        p.end_state.letter(letter('T')).label.as_deref(),
        Some("New")
    );
    // Same label: unchanged.
    let p = run(&item("U", "Old"), &state(&[('T', with_label(Some("Old")))]));
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
    // Replace without a label removes the old one (the result overwrites every setting).
    let p = run(&item("R", ""), &state(&[('T', with_label(Some("Old")))]));
    assert!(
        matches!(&p.items[0].decision, Decision::Map { label: Some(l), replace: true, .. } if l.is_empty())
    );
    assert_eq!(p.end_state.letter(letter('T')).label, None);
    // Replace, already exactly as defined: unchanged.
    let p = run(&item("R", "Old"), &state(&[('T', with_label(Some("Old")))]));
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
}

#[test]
fn first_available_skips_taken_letters() {
    let xml = drives(&[drive(
        "P:",
        "",
        &props("C", r"\\files\public", 'P', false, false),
        "",
    )]);
    let st = state(&[
        ('P', connected(OTHER)),
        ('Q', remembered_only(r"\\x\y")),
        ('R', local()),
    ]);
    let p = run(&xml, &st);
    assert!(
        matches!(&p.items[0].decision, Decision::Map { letter: l, replace: false, .. } if *l == letter('S'))
    );

    // The share is already on a letter in the range: that letter, unchanged (no drift per run).
    let st = state(&[
        ('P', connected(OTHER)),
        ('Q', connected_only(r"\\files\public")),
    ]);
    let p = run(&xml, &st);
    assert!(
        matches!(&p.items[0].decision, Decision::Unchanged { letter: Some(l), .. } if *l == letter('Q'))
    );

    // Letters before the start do not count.
    let st = state(&[('O', connected_only(r"\\files\public"))]);
    let p = run(&xml, &st);
    assert!(matches!(&p.items[0].decision, Decision::Map { letter: l, .. } if *l == letter('P')));

    // Nothing free up to Z:.
    let xml = drives(&[drive(
        "Y:",
        "",
        &props("U", r"\\files\public", 'Y', false, false),
        "",
    )]);
    let p = run(&xml, &state(&[('Y', local()), ('Z', connected(OTHER))]));
    let Decision::Failed { error } = &p.items[0].decision else {
        panic!()
    };
    assert!(
        error.contains("no free drive letter from Y: to Z:"),
        "{error}"
    );
}

#[test]
fn two_first_available_items_take_two_letters() {
    let xml = drives(&[
        drive("P:", "", &props("C", r"\\files\a", 'P', false, true), ""),
        drive("Q:", "", &props("C", r"\\files\b", 'P', false, true), ""),
    ]);
    let p = run(&xml, &DriveState::default());
    let letters: Vec<_> = p
        .items
        .iter()
        .map(|o| match &o.decision {
            Decision::Map { letter, .. } => *letter,
            d => panic!("{d:?}"),
        })
        .collect();
    assert_eq!(letters, [letter('P'), letter('Q')]);
}

#[test]
fn delete_all_from_a_letter_skips_free_letters_and_local_devices() {
    let xml = String::from_utf8(fixture("cleanup.xml")).unwrap();
    let st = state(&[
        ('V', connected(OTHER)),
        ('W', connected(OTHER)),
        ('Y', remembered_only(r"\\x\y")),
        ('Z', local()),
    ]);
    let p = run(&xml, &st);
    assert_eq!(
        p.items[0].decision,
        Decision::Unmap {
            letters: vec![letter('W'), letter('Y')]
        }
    );
    assert!(p.end_state.letters.contains_key(&letter('V')));
    assert!(p.end_state.letters.contains_key(&letter('Z')));
    // Home drive from the same file, with variables.
    match &p.items[1].decision {
        Decision::Map { path, label, .. } => {
            assert_eq!(path.as_str(), r"\\files\home\alice");
            assert_eq!(label.as_deref(), Some("Home of alice"));
        }
        d => panic!("{d:?}"),
    }
    // Nothing mapped in the range.
    let p = run(&xml, &state(&[('Z', local())]));
    assert!(
        matches!(&p.items[0].decision, Decision::Unchanged { why, .. } if why.contains("no drive from W: to Z: is mapped"))
    );
}

#[test]
fn hide_and_show_change_the_no_drives_bits() {
    assert_eq!(no_drives_bit(letter('A')), 0x1);
    assert_eq!(no_drives_bit(letter('G')), 0x40);
    assert_eq!(no_drives_bit(letter('Z')), 0x200_0000);
    let item = |this: &str, all: &str| {
        drives(&[drive(
            "T:",
            "",
            &format!(
                r#"action="U" thisDrive="{this}" allDrives="{all}" path="\\files\team" persistent="1" useLetter="1" letter="T""#
            ),
            "",
        )])
    };
    let t = no_drives_bit(letter('T'));
    let mut st = state(&[('T', connected(TEAM))]);
    st.no_drives = 0x4; // C: hidden by someone else: kept.
    let p = run(&item("HIDE", "NOCHANGE"), &st);
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
    assert_eq!(
        p.items[0].no_drives,
        Some(NoDrivesChange {
            before: 0x4,
            after: 0x4 | t
        })
    );
    assert!(p.items[0].changes());
    assert_eq!(p.no_drives, p.items[0].no_drives);

    st.no_drives = 0x4 | t;
    let p = run(&item("HIDE", "NOCHANGE"), &st);
    assert_eq!(p.items[0].no_drives, None);
    assert_eq!(p.no_drives, None);
    assert!(!p.items[0].changes());
    let p = run(&item("SHOW", "NOCHANGE"), &st);
    assert_eq!(p.end_state.no_drives, 0x4);

    st.no_drives = 0;
    let p = run(&item("NOCHANGE", "HIDE"), &st);
    assert_eq!(p.end_state.no_drives, 0x3FF_FFFF);
    let p = run(&item("SHOW", "HIDE"), &st);
    assert_eq!(p.end_state.no_drives, 0x3FF_FFFF & !t);
    st.no_drives = 0x3FF_FFFF;
    let p = run(&item("NOCHANGE", "SHOW"), &st);
    assert_eq!(p.end_state.no_drives, 0);
    assert_eq!(
        p.no_drives,
        Some(NoDrivesChange {
            before: 0x3FF_FFFF,
            after: 0
        })
    );
}

#[test]
fn hide_follows_the_first_available_letter() {
    let xml = drives(&[drive(
        "P:",
        "",
        r#"action="C" thisDrive="HIDE" path="\\files\public" useLetter="0" letter="P""#,
        "",
    )]);
    let p = run(&xml, &state(&[('P', local())]));
    assert_eq!(p.end_state.no_drives, no_drives_bit(letter('Q')));
}

#[test]
fn not_applicable_items_change_nothing_and_say_why() {
    let xml = drives(&[drive(
        "T:",
        "",
        r#"action="U" thisDrive="HIDE" path="\\files\team" letter="T""#,
        &format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}"/>"#),
    )]);
    let p = run(&xml, &DriveState::default());
    assert_eq!(
        p.items[0].decision,
        Decision::NotApplicable {
            reason: r"FilterGroup CORP\Team: user is not a member".into()
        }
    );
    assert_eq!(p.no_drives, None);
    assert_eq!(p.end_state, DriveState::default());
}

#[test]
fn the_sheet_example_as_a_whole() {
    let p = run_bytes(&fixture("team-and-public.xml"));
    // alice is not in CORP\Team.
    assert!(
        matches!(&p.items[0].decision, Decision::NotApplicable { reason } if reason.contains(r"CORP\Team"))
    );
    assert!(
        matches!(&p.items[1].decision, Decision::Map { letter: l, persistent: false, .. } if *l == letter('P'))
    );
    // Same result from the UTF-16 file.
    assert_eq!(run_bytes(&fixture("team-and-public-utf16le.xml")), p);
}

#[test]
fn disabled_items_and_disabled_files_are_skipped() {
    let xml = drives(&[
        drive(
            "G:",
            r#"disabled="1""#,
            &props("U", r"\\s\g", 'G', true, true),
            "",
        ),
        drive(
            "H:",
            r#"disabled="0""#,
            &props("U", r"\\s\h", 'H', true, true),
            "",
        ),
    ]);
    let p = run(&xml, &DriveState::default());
    assert_eq!(
        p.items[0].decision,
        Decision::Skipped {
            why: "the item is disabled (disabled=\"1\")".into()
        }
    );
    assert!(matches!(p.items[1].decision, Decision::Map { .. }));

    let off = xml.replace("<Drives clsid=", "<Drives disabled=\"1\" clsid=");
    let p = run(&off, &DriveState::default());
    for o in &p.items {
        assert!(matches!(&o.decision, Decision::Skipped { why } if why.contains("whole file")));
    }
}

#[test]
fn bypass_errors_off_stops_the_rest_on() {
    let bad = r#"action="U" path="\\s\%Nope%" letter="G""#;
    let xml = |bypass: &str| {
        drives(&[
            drive("G:", &format!(r#"bypassErrors="{bypass}""#), bad, ""),
            drive("H:", "", &props("U", r"\\s\h", 'H', true, true), ""),
        ])
    };
    let p = run(&xml("1"), &DriveState::default());
    assert!(matches!(p.items[0].decision, Decision::Failed { .. }));
    assert!(matches!(p.items[1].decision, Decision::Map { .. }));
    assert!(p.items[0].bypass_errors);

    let p = run(&xml("0"), &DriveState::default());
    assert!(!p.items[0].bypass_errors);
    let Decision::NotProcessed { why } = &p.items[1].decision else {
        panic!("{:?}", p.items[1])
    };
    assert!(why.contains("Drive item \"G:\""), "{why}");
    assert!(why.contains("bypassErrors=\"0\""), "{why}");
    assert_eq!(p.end_state, DriveState::default());
}

#[test]
fn processing_order_file_order_or_bottom_up() {
    // Delete all from W:, then map X: — in file order X: stays; bottom-up the delete removes it.
    let xml = drives(&[
        drive("W:", "", &props("D", "", 'W', false, false), ""),
        drive("X:", "", &props("U", r"\\s\x", 'X', true, true), ""),
    ]);
    let p = run(&xml, &DriveState::default());
    assert_eq!(p.items[0].index, 0);
    assert!(p.end_state.letters.contains_key(&letter('X')));
    let p = run_with(
        &xml,
        &DriveState::default(),
        &AppliedRecord::default(),
        &PlanOptions {
            order: ProcessingOrder::BottomUp,
            ..PlanOptions::default()
        },
    );
    assert_eq!(p.items[0].index, 1);
    assert_eq!(
        p.items[1].decision,
        Decision::Unmap {
            letters: vec![letter('X')]
        }
    );
    assert!(!p.end_state.letters.contains_key(&letter('X')));
}

fn home(remove: bool, filters: &str, letter_: char) -> String {
    drives(&[drive(
        "H:",
        if remove { r#"removePolicy="1""# } else { "" },
        &format!(
            r#"action="R" path="\\files\home\%LogonUser%" persistent="1" useLetter="1" letter="{letter_}""#
        ),
        filters,
    )])
}

const HOME: &str = r"\\files\home\alice";

#[test]
fn remove_policy_records_what_applied() {
    let p = run(&home(true, "", 'H'), &DriveState::default());
    assert_eq!(
        p.record,
        AppliedRecord {
            items: vec![AppliedItem {
                uid: "{00000000-0000-0000-0000-000000000072}".into(),
                name: "H:".into(),
                letter: letter('H'),
                path: HOME.into(),
            }],
            run_once: vec![],
        }
    );
    // Unchanged items are recorded too (with the share on the letter).
    let p2 = run(&home(true, "", 'H'), &p.end_state);
    assert!(matches!(p2.items[0].decision, Decision::Unchanged { .. }));
    assert_eq!(p2.record, p.record);
    assert!(p2.removals.is_empty());
    // Without removePolicy nothing is recorded.
    let p = run(&home(false, "", 'H'), &DriveState::default());
    assert!(p.record.items.is_empty());
    // The record round-trips through JSON (how the caller stores it).
    let json = serde_json::to_string(&p2.record).unwrap();
    assert!(json.contains("\"letter\":\"H:\""), "{json}");
    let back: AppliedRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p2.record);
}

#[test]
fn remove_policy_removes_an_item_gone_from_the_file() {
    let first = run(&home(true, "", 'H'), &DriveState::default());
    let p = run_with(
        &drives(&[]),
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert_eq!(p.removals.len(), 1);
    assert_eq!(p.removals[0].reason, "the item is gone from the file");
    assert_eq!(
        p.removals[0].decision,
        Decision::Unmap {
            letters: vec![letter('H')]
        }
    );
    assert!(p.record.items.is_empty());
    assert_eq!(p.end_state.letter(letter('H')), LetterState::default());
}

#[test]
fn remove_policy_removes_an_item_now_out_of_scope_or_disabled() {
    let first = run(&home(true, "", 'H'), &DriveState::default());
    let scoped = home(
        true,
        &format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}"/>"#),
        'H',
    );
    let p = run_with(
        &scoped,
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert_eq!(
        p.removals[0].reason,
        r"the item no longer applies: FilterGroup CORP\Team: user is not a member"
    );
    assert_eq!(
        p.removals[0].decision,
        Decision::Unmap {
            letters: vec![letter('H')]
        }
    );
    assert!(matches!(
        p.items[0].decision,
        Decision::NotApplicable { .. }
    ));
    assert!(p.record.items.is_empty());

    let disabled =
        home(true, "", 'H').replace("removePolicy=\"1\"", "removePolicy=\"1\" disabled=\"1\"");
    let p = run_with(
        &disabled,
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert!(p.removals[0].reason.contains("disabled"));
    assert!(matches!(p.removals[0].decision, Decision::Unmap { .. }));
}

#[test]
fn remove_policy_leaves_a_letter_the_user_remapped() {
    let first = run(&home(true, "", 'H'), &DriveState::default());
    let st = state(&[('H', connected(OTHER))]);
    let p = run_with(&drives(&[]), &st, &first.record, &PlanOptions::default());
    assert!(
        matches!(&p.removals[0].decision, Decision::Unchanged { why, .. } if why.contains("no longer holds"))
    );
    assert_eq!(p.end_state, st);
    assert!(p.record.items.is_empty());
}

#[test]
fn remove_policy_follows_an_item_moved_to_another_letter() {
    let first = run(&home(true, "", 'H'), &DriveState::default());
    let p = run_with(
        &home(true, "", 'I'),
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert_eq!(p.removals[0].reason, "the item now maps I: instead of H:");
    assert_eq!(
        p.removals[0].decision,
        Decision::Unmap {
            letters: vec![letter('H')]
        }
    );
    assert!(matches!(&p.items[0].decision, Decision::Map { letter: l, .. } if *l == letter('I')));
    assert_eq!(p.record.items.len(), 1);
    assert_eq!(p.record.items[0].letter, letter('I'));
}

#[test]
fn a_failed_item_keeps_its_history_entry() {
    let first = run(&home(true, "", 'H'), &DriveState::default());
    let broken = home(true, "", 'H').replace("%LogonUser%", "%Nope%");
    let p = run_with(
        &broken,
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert!(p.removals.is_empty());
    assert!(matches!(p.items[0].decision, Decision::Failed { .. }));
    assert_eq!(p.record, first.record);
}

#[test]
fn create_records_only_its_own_share() {
    let create = |path: &str| {
        drives(&[drive(
            "H:",
            r#"removePolicy="1""#,
            &props("C", path, 'H', true, true),
            "",
        )])
    };
    // H: already holds another share: Create leaves it, and it is not this item's to remove.
    let p = run(&create(HOME), &state(&[('H', connected(OTHER))]));
    assert!(matches!(p.items[0].decision, Decision::Unchanged { .. }));
    assert!(p.record.items.is_empty());
    // H: already holds this item's share: recorded.
    let p = run(&create(HOME), &state(&[('H', connected(HOME))]));
    assert_eq!(p.record.items.len(), 1);
    assert_eq!(p.record.items[0].path, HOME);
}

#[test]
fn apply_once_applies_once_and_is_not_removed_afterwards() {
    let once = drives(&[drive(
        "H:",
        r#"removePolicy="1""#,
        &props("U", HOME, 'H', true, true),
        r#"<FilterRunOnce hidden="1" not="0" bool="AND" id="{9C5E1D22-1B8C-4A43-9C57-3F0E2B6A7D10}"/>"#,
    )]);
    let first = run(&once, &DriveState::default());
    assert!(matches!(first.items[0].decision, Decision::Map { .. }));
    assert_eq!(
        first.record.run_once,
        ["{9C5E1D22-1B8C-4A43-9C57-3F0E2B6A7D10}"]
    );
    // The user removed the drive; the next run leaves it removed.
    let second = run_with(
        &once,
        &DriveState::default(),
        &first.record,
        &PlanOptions::default(),
    );
    let Decision::NotApplicable { reason } = &second.items[0].decision else {
        panic!("{:?}", second.items[0])
    };
    assert!(
        reason.starts_with("FilterRunOnce {9C5E1D22-1B8C-4A43-9C57-3F0E2B6A7D10}: the item was already applied once"),
        "{reason}"
    );
    // Still mapped: not removed either (it is not "no longer applied").
    let third = run_with(
        &once,
        &first.end_state,
        &first.record,
        &PlanOptions::default(),
    );
    assert!(third.removals.is_empty(), "{:?}", third.removals);
    assert_eq!(third.record, first.record);
    // An item not applied (targeting said no) does not use up its run.
    let scoped = once.replace(
        "<FilterRunOnce",
        &format!(
            r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}"/><FilterRunOnce"#
        ),
    );
    let p = run(&scoped, &DriveState::default());
    assert!(p.record.run_once.is_empty());
    // The record keeps run-once ids through JSON.
    let json = serde_json::to_string(&first.record).unwrap();
    assert_eq!(
        serde_json::from_str::<AppliedRecord>(&json).unwrap(),
        first.record
    );
    assert_eq!(
        serde_json::from_str::<AppliedRecord>(r#"{"items": []}"#).unwrap(),
        AppliedRecord::default()
    );
}

#[test]
fn status_and_why_for_the_report() {
    let xml = drives(&[
        drive(
            "G:",
            r#"disabled="1""#,
            &props("U", r"\\s\g", 'G', true, true),
            "",
        ),
        drive(
            "H:",
            "",
            r#"action="R" thisDrive="HIDE" path="\\files\home\%LogonUser%" label="Home" persistent="1" letter="H""#,
            "",
        ),
        drive(
            "I:",
            "",
            &props("U", r"\\s\i", 'I', true, true),
            &format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}"/>"#),
        ),
        drive("J:", "", &props("U", r"\\s\%Nope%", 'J', true, true), ""),
        drive("W:", "", &props("D", "", 'W', false, false), ""),
        drive("K:", "", &props("C", r"\\s\k", 'K', true, true), ""),
    ]);
    let st = state(&[('W', connected(OTHER)), ('K', connected(OTHER))]);
    let p = run(&xml, &st);
    let rows: Vec<(&str, String)> = p.items.iter().map(|o| (o.status(), o.why())).collect();
    assert_eq!(
        rows[0],
        (
            "skipped (disabled)",
            "the item is disabled (disabled=\"1\")".into()
        )
    );
    assert_eq!(
        rows[1],
        (
            "changed",
            r#"map H: to \\files\home\alice (remembered), label "Home"; NoDrives 0x0 -> 0x80 (Explorer shows the change at its next start)"#.into()
        )
    );
    assert_eq!(
        rows[2],
        (
            "not applicable",
            r"FilterGroup CORP\Team: user is not a member".into()
        )
    );
    assert_eq!(rows[3].0, "failed");
    assert_eq!(rows[4], ("changed", "remove W:".into()));
    assert_eq!(
        rows[5],
        (
            "unchanged",
            r"K: is already mapped to \\old\stuff; Create leaves an existing mapping alone".into()
        )
    );
}

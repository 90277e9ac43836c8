//! Logon sessions and tokens: split tokens and elevated prompts, `--session`, runas, WinRM,
//! the over-the-shoulder and Administrator-protection cases.

use mapdrive_core::doctor::{diagnose, whoami};
use mapdrive_core::domain::{Elevation, owner_mismatch};
use mapdrive_core::port::Port;
use mapdrive_model::fixture::{ALICE, BOB, SVC, SVC_PW};
use mapdrive_model::{LogonKind, Machine, fixture};

use crate::support::{connected, drive, logon, mapdrive, mapdrive_stdin, ok, remembered};

#[test]
fn elevated_admin_maps_in_the_limited_session_by_default() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let out = ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--json"],
    ));
    assert_eq!(out["changed"], true);
    assert_eq!(out["after"]["remembered"], true);
    assert!(out["warnings"].as_array().unwrap().is_empty(), "{out}");
    // The elevated process itself does not see it (separate logon session) ...
    assert!(connected(&m).is_empty());
    // ... but `list` looks where mapdrive acts: the limited session.
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    assert_eq!(list["identity"]["elevation"], "Limited");
    assert_eq!(drive(&list, "M:").unwrap()["status"], "OK");
    let here = ok(&mapdrive(
        &mut m,
        &["list", "--session", "current", "--json"],
    ));
    assert_eq!(here["identity"]["elevation"], "Full");
    assert_eq!(drive(&here, "M:").unwrap()["status"], "Unavailable");
    let both = ok(&mapdrive(&mut m, &["list", "--session", "both", "--json"]));
    assert_eq!(both["sessions"].as_array().unwrap().len(), 2);
    // ... Explorer's limited session does, and it survives a new logon.
    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["M:"]);
    assert_eq!(remembered(&m), ["M:"]);
    m.logoff(limited).unwrap();
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(connected(&m), ["M:"], "Winlogon restored it");
}

#[test]
fn session_current_from_elevated_is_remembered_by_mapdrive_and_converges() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let args = [
        "map",
        "M:",
        r"\\fileserver\team",
        "--session",
        "current",
        "--json",
    ];
    let out = ok(&mapdrive(&mut m, &args));
    assert_eq!(out["after"]["connected"], true);
    // Windows does not persist a Full token's mapping; mapdrive writes HKCU\Network itself.
    assert_eq!(out["after"]["remembered"], true);
    let warning = out["warnings"][0].as_str().unwrap();
    assert!(warning.contains("Windows did not remember M:"), "{warning}");
    assert_eq!(connected(&m), ["M:"]);
    let writes = m.writes();
    let again = ok(&mapdrive(&mut m, &args));
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(m.writes(), writes);
}

#[test]
fn session_both_maps_in_both_halves_of_the_split_token() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--session",
            "both",
            "--json",
        ],
    ));
    assert_eq!(out["changed"], true);
    let sessions = out["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(connected(&m), ["M:"], "elevated half");
    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["M:"], "limited half");
    // From the limited half alone, `both` cannot reach the elevated twin.
    let r = mapdrive(
        &mut m,
        &["map", "N:", r"\\fileserver\public", "--session", "both"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("needs an elevated process"),
        "{}",
        r.stderr
    );
}

/// `--session both`: the limited half changed, then the elevated half failed. Both are reported.
#[test]
fn session_both_reports_the_half_that_changed_next_to_the_failure() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    // The elevated session already talks to fileserver as svc: team as alice gives 1219/5 there.
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "map",
            "S:",
            r"\\fileserver\svc",
            "--session",
            "current",
            "--temporary",
            "--user",
            SVC,
            "--password-stdin",
        ],
        SVC_PW,
    ));
    let r = mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--session",
            "both",
            "--json",
        ],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["failed"], true);
    assert_eq!(v["changed"], true, "{v}");
    assert_eq!(v["sessions"][0]["session"], "linked");
    assert_eq!(v["sessions"][0]["changed"], true);
    m.run_in(limited).unwrap();
    assert!(connected(&m).contains(&"T:".to_string()));
}

#[test]
fn runas_and_winrm_list_remembered_drives_as_unavailable() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\public"]));
    for kind in [LogonKind::Runas, LogonKind::Network, LogonKind::Batch] {
        logon(&mut m, ALICE, kind);
        let list = ok(&mapdrive(&mut m, &["list", "--json"]));
        let d = drive(&list, "M:").unwrap_or_else(|| panic!("{kind:?}: {list}"));
        assert_eq!(d["status"], "Unavailable", "{kind:?}");
        assert_eq!(d["remembered"], true);
    }
}

/// From an elevated prompt, `unmap` of a drive that exists only in the elevated session points to
/// `--session current` instead of silently reporting "unchanged".
#[test]
fn unmap_from_an_elevated_prompt_points_to_the_elevated_drive() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive(
        &mut m,
        &[
            "map",
            "E:",
            r"\\fileserver\public",
            "--session",
            "current",
            "--temporary",
        ],
    ));
    let out = ok(&mapdrive(&mut m, &["unmap", "E:", "--json"]));
    assert_eq!(out["changed"], false);
    assert!(
        out["warnings"][0]
            .as_str()
            .unwrap()
            .contains("--session current"),
        "{out}"
    );
    ok(&mapdrive(&mut m, &["unmap", "E:", "--session", "current"]));
    assert!(connected(&m).is_empty());
}

#[test]
fn session_limited_refuses_a_token_that_is_not_split() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let before = m.writes();
    let r = mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "limited"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("not split"), "{}", r.stderr);
    assert_eq!(m.writes(), before);
    // The limited half of a split token is itself the limited session.
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "limited"],
    ));
}

#[test]
fn whoami_says_whether_the_limited_token_is_usable() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let w = ok(&mapdrive(&mut m, &["whoami", "--json"]));
    assert!(w.get("limited_token").is_none(), "not elevated: {w}");
    m.elevate().unwrap();
    let w = ok(&mapdrive(&mut m, &["whoami", "--json"]));
    assert_eq!(w["limited_token"]["usable"], true, "{w}");
    let text = mapdrive(&mut m, &["whoami"]);
    assert!(text.stdout.contains("Limited token"), "{}", text.stdout);
}

/// The codes of the doctor's findings for the token in effect.
fn codes(m: &mut Machine) -> Vec<&'static str> {
    diagnose(m, None)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

/// Bob (standard user) is at the console and types Alice's administrator password at the UAC
/// prompt. The elevated token and its linked limited token are both Alice's: `--session auto`
/// would map into Alice's limited session and write Alice's HKCU\Network, which Bob's
/// Explorer never shows. The port reports both accounts; the check names them.
#[test]
fn over_the_shoulder_elevation_is_detected() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.elevate_as(ALICE).unwrap();
    let id = m.identity().unwrap();
    assert_eq!((id.user.as_str(), id.elevation), (ALICE, Elevation::Full));
    let users = m.session_users().unwrap();
    assert_eq!(users.linked.as_ref().map(|a| a.user.as_str()), Some(ALICE));
    assert_eq!(
        users.interactive.as_ref().map(|a| a.user.as_str()),
        Some(BOB)
    );

    let mismatch = owner_mismatch(&id, &users, true).expect("auto acts for Alice");
    assert_eq!(
        (mismatch.acting.as_str(), mismatch.desktop.as_str()),
        (ALICE, BOB)
    );
    assert!(
        mismatch.message.contains("over the shoulder"),
        "{mismatch:?}"
    );
    assert!(mismatch.remedy.contains(BOB), "{mismatch:?}");
    assert!(
        owner_mismatch(&id, &users, false).is_some(),
        "--session current too"
    );

    // The engine refuses to change Alice's session from Bob's desktop (auto, limited, both), and
    // --check says the same; nothing is written.
    let before = m.writes();
    for session in ["auto", "limited", "both"] {
        for check in [false, true] {
            let mut args = vec!["map", "P:", r"\\fileserver\public", "--session", session];
            if check {
                args.push("--check");
            }
            let r = mapdrive(&mut m, &args);
            assert_eq!(r.code, 3, "{args:?}: {r:?}");
            assert!(r.stderr.contains("over the shoulder"), "{}", r.stderr);
        }
    }
    assert_eq!(m.writes(), before);
    // `cred set` follows the same choice.
    let r = mapdrive(&mut m, &["cred", "set", "nas", "--user", r"NAS\bob"]);
    assert_eq!(r.code, 3, "{r:?}");
    // --session current maps deliberately for Alice (in her elevated session), with a warning;
    // what the refusal prevents is the silent case: Alice's profile gets the drive, not Bob's.
    let r = mapdrive(
        &mut m,
        &["map", "P:", r"\\fileserver\public", "--session", "current"],
    );
    ok(&r);
    assert!(
        r.stderr.contains("not as this desktop's user"),
        "{}",
        r.stderr
    );
    assert_eq!(
        crate::support::connected(&m),
        ["P:"],
        "in Alice's elevated session"
    );
    // Reads only warn.
    let r = mapdrive(&mut m, &["list"]);
    ok(&r);
    assert!(r.stderr.contains(BOB), "{}", r.stderr);

    // whoami and the doctor say so.
    let w = whoami(&mut m).unwrap();
    assert_eq!(
        w.owner_mismatch.as_ref().map(|x| x.desktop.as_str()),
        Some(BOB)
    );
    let r = mapdrive(&mut m, &["whoami"]);
    assert!(
        r.stdout
            .contains(&format!("Desktop user:             {BOB}")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("over the shoulder"), "{}", r.stderr);
    assert!(codes(&mut m).contains(&"MD014"));
    insta::assert_snapshot!(mapdrive(&mut m, &["doctor"]).stdout);
}

/// Windows 11 Administrator protection: the elevated token is a separate shadow account.
#[test]
fn administrator_protection_shadow_account_is_detected() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate_with_administrator_protection().unwrap();
    let id = m.identity().unwrap();
    assert!(id.user.ends_with("ADMIN_alice"), "{id:?}");
    let users = m.session_users().unwrap();
    assert_eq!(
        users.interactive.as_ref().map(|a| a.user.as_str()),
        Some(ALICE)
    );
    let mismatch = owner_mismatch(&id, &users, false).expect("the shadow account is not Alice");
    assert!(
        mismatch.message.contains("Administrator protection"),
        "{mismatch:?}"
    );
    assert!(codes(&mut m).contains(&"MD014"));
}

/// The usual cases stay quiet: an administrator elevating herself, a standard user, WinRM
/// (session 0 has no desktop user) and SYSTEM.
#[test]
fn own_elevation_winrm_and_system_are_not_flagged() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let (id, users) = (m.identity().unwrap(), m.session_users().unwrap());
    assert_eq!(users.linked.as_ref().map(|a| a.user.as_str()), Some(ALICE));
    assert_eq!(owner_mismatch(&id, &users, true), None);
    assert_eq!(owner_mismatch(&id, &users, false), None);
    assert!(!codes(&mut m).contains(&"MD014"));

    logon(&mut m, BOB, LogonKind::Interactive);
    let (id, users) = (m.identity().unwrap(), m.session_users().unwrap());
    assert_eq!(users.linked, None);
    assert_eq!(owner_mismatch(&id, &users, false), None);

    logon(&mut m, ALICE, LogonKind::Network);
    assert_eq!(m.session_users().unwrap().interactive, None);
    m.run_as_system();
    assert_eq!(m.session_users().unwrap().interactive, None);
}

/// WinRM, Ansible and scheduled-task re-runs settle: in a logon session Winlogon never restores
/// drives into (here a network logon, as WinRM makes), "remembered with the same path, not
/// connected" is the desired state — unchanged, nothing written, said so — instead of a
/// reconnect on every run that needs credentials the session does not have.
#[test]
fn a_remembered_drive_is_the_desired_state_in_a_network_logon() {
    let mut m = mapdrive_model::fixture::corp();
    logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Interactive);
    let r = crate::support::mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Network);
    let w = m.writes();
    for _ in 0..2 {
        let r = crate::support::mapdrive(&mut m, &["map", "P:", r"\\fileserver\public", "--json"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["changed"], false, "{v}");
        assert!(v["warnings"].to_string().contains("never restores"), "{v}");
    }
    assert_eq!(
        m.writes(),
        w,
        "a re-run in the network logon wrote something"
    );
}

/// Where a remembered drive is reconnected (an interactive-type logon such as runas / Ansible
/// become, which Winlogon did not restore), the reconnect does not update the profile: the entry
/// already names the path, and Windows would answer 1202 (`ERROR_DEVICE_ALREADY_REMEMBERED`) to
/// `CONNECT_UPDATE_PROFILE`. A 1202 answer all the same is read again, not a failure.
#[test]
fn a_remembered_drive_is_reconnected_without_updating_the_profile_and_1202_is_no_failure() {
    use crate::support::Hooked;
    use mapdrive_core::engine::{self, Change, Request, SessionChoice};
    use mapdrive_core::error::ApiError;
    use mapdrive_core::plan::MapRequest;
    for inject_1202 in [false, true] {
        let mut m = mapdrive_model::fixture::corp();
        logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Interactive);
        let r = crate::support::mapdrive(&mut m, &["map", "P:", r"\\fileserver\public"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        m.reboot();
        logon(&mut m, mapdrive_model::fixture::BOB, LogonKind::Runas);
        assert!(connected(&m).is_empty());
        let mut injected = !inject_1202;
        let mut p = Hooked::new(&mut m, |_, call| {
            if call == "add_connection" && !injected {
                injected = true;
                return Some(ApiError::new("WNetAddConnection2W", 1202));
            }
            None
        });
        let request = Request {
            change: Change::Map(
                MapRequest {
                    as_system: mapdrive_core::plan::AsSystem::Refuse,
                    remembered_is_enough: false,
                    letter: crate::support::l("P:"),
                    remote: crate::support::unc(r"\\fileserver\public"),
                    remember: true,
                    user: None,
                    with_password: false,
                    label: None,
                },
                None,
            ),
            session: SessionChoice::Auto,
            check: false,
        };
        let r = engine::execute(&mut p, request).unwrap();
        let (_, o) = &r.outcomes[0];
        assert!(o.changed);
        assert_eq!(
            o.actions,
            [r"connect P: to \\fileserver\public, for this logon session only"],
            "{o:?}"
        );
        let after = crate::support::state_json(&o.after);
        assert_eq!(after["connected"], true, "{after}");
        assert_eq!(after["remembered"], true, "{after}");
        drop(p);
        assert_eq!(connected(&m), ["P:"]);
        assert_eq!(remembered(&m), ["P:"]);
    }
}

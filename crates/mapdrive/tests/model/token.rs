//! The Windows-adapter facts of issue 13 as the engine sees them: the SMB provider's name as
//! Windows gives it, the acting accounts of `--session both`, the desktop user read on the process
//! token, the profile that is not loaded.

use mapdrive_core::port::Port;
use mapdrive_model::fixture::{ALICE, BOB};
use mapdrive_model::{DesktopUserLookup, LogonKind, fixture};

use mapdrive_core::engine::{self, Change, Request, SessionChoice};
use mapdrive_core::plan::MapRequest;

use crate::support::{l, logon, mapdrive, ok, unc};

/// `map M: \\fileserver\team --session current`.
fn map_m_here() -> Request {
    Request {
        change: Change::Map(
            MapRequest {
                as_system: mapdrive_core::plan::AsSystem::Refuse,
                letter: l("M:"),
                remote: unc(r"\\fileserver\team"),
                remember: true,
                user: None,
                with_password: false,
                label: None,
                remembered_is_enough: false,
            },
            None,
        ),
        session: SessionChoice::Current,
        check: false,
    }
}

/// German Windows' name of the SMB provider.
const GERMAN_LANMAN: &str = "Microsoft Windows-Netzwerk";

#[test]
fn the_remembered_provider_name_is_the_one_windows_reports() {
    let mut m = fixture::corp();
    m.set_lanman_provider_name(GERMAN_LANMAN);
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
    assert_eq!(out["after"]["remembered"], true, "{out}");
    let remembered = m.remembered().unwrap();
    let entry = remembered.iter().find(|e| e.letter.to_string() == "M:");
    assert_eq!(
        entry.map(|e| e.provider.as_str()),
        Some(GERMAN_LANMAN),
        "{remembered:?}"
    );
    // The same when the provider does not list the connection: the name comes from the fact.
    let mut m = fixture::corp();
    m.set_lanman_provider_name(GERMAN_LANMAN);
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    m.set_provider_lists_connections(false);
    let r = engine::execute(&mut m, map_m_here());
    println!("{r:?}");
    m.set_provider_lists_connections(true);
    let remembered = m.remembered().unwrap();
    let entry = remembered.iter().find(|e| e.letter.to_string() == "M:");
    assert_eq!(
        entry.map(|e| e.provider.as_str()),
        Some(GERMAN_LANMAN),
        "{remembered:?}"
    );
    // And Winlogon restores it at the next logon (MPR knows the provider by that name).
    m.logoff(limited).unwrap();
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(crate::support::connected(&m), ["M:"]);

    // A redirection of this session that the provider does not list and nothing remembers is
    // still this session's connection, of the provider Windows names.
    let mut m = fixture::corp();
    m.set_lanman_provider_name(GERMAN_LANMAN);
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    m.add_connection(l("N:"), &unc(r"\\fileserver\team"), None, None, false)
        .unwrap();
    m.set_provider_lists_connections(false);
    let state =
        mapdrive_core::plan::inventory::observe_letter(&m, l("N:"), &mut Vec::new()).unwrap();
    assert_eq!(
        state.connected.map(|c| c.provider).as_deref(),
        Some(GERMAN_LANMAN)
    );
}

/// `runas /noprofile` (or a service or task that does not load the profile): the user's hive is
/// not loaded, `RegOpenCurrentUser` would give `HKEY_USERS\.DEFAULT`. mapdrive's own write of
/// `HKCU\Network` (Windows never remembers an elevated token's mapping) is refused with 500,
/// what it means and what to do; nothing lands in any hive.
#[test]
fn a_profile_that_is_not_loaded_is_never_written() {
    let mut m = fixture::corp();
    m.set_profile_loaded(ALICE, false);
    logon(&mut m, ALICE, LogonKind::Runas);
    m.elevate().unwrap();
    let r = mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "current"],
    );
    println!("{}\n{}", r.stdout, r.stderr);
    assert_ne!(r.code, 0);
    for needle in [
        "RegOpenCurrentUser",
        "500",
        "ERROR_USER_PROFILE_LOAD",
        "log on once",
    ] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
    assert!(m.remembered().unwrap().is_empty());
    // Loaded (the user logged on once), the same command converges.
    m.set_profile_loaded(ALICE, true);
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--session",
            "current",
            "--json",
        ],
    ));
    assert_eq!(out["after"]["remembered"], true, "{out}");
}

fn codes(d: &mapdrive_core::doctor::Diagnosis) -> Vec<&'static str> {
    d.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Over the shoulder (Bob at the console, Alice's elevated token): the doctor judges Alice's
/// limited session (`--session auto`) and still reports MD014, because whose desktop this is was
/// read on the process token before the limited token was impersonated (it used to be read
/// while impersonating, which Windows may refuse, and MD014 silently vanished).
#[test]
fn the_desktop_user_is_read_on_the_process_token_before_impersonating() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.elevate_as(ALICE).unwrap();
    m.set_desktop_user_lookup(DesktopUserLookup::DeniedWhileImpersonating);
    let port = &mut m;
    let d = engine::diagnose(port, None, SessionChoice::Auto).unwrap();
    assert!(codes(&d).contains(&"MD014"), "{:#?}", d.findings);
    let f = d.findings.iter().find(|f| f.code == "MD014").unwrap();
    assert!(f.title.contains(BOB), "{f:?}");
    let w = mapdrive_core::doctor::whoami(port).unwrap();
    assert!(w.owner_mismatch.is_some(), "{w:?}");
    assert_eq!(w.session_users_error, None);
}

/// When Windows refuses the lookup altogether, MD014 says it could not check (never silence);
/// `whoami` shows the error, and a change from an elevated prompt warns.
#[test]
fn a_refused_desktop_user_lookup_is_reported_not_dropped() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.elevate_as(ALICE).unwrap();
    m.set_desktop_user_lookup(DesktopUserLookup::Denied);
    let port = &mut m;
    let d = engine::diagnose(port, None, SessionChoice::Current).unwrap();
    let f = d.findings.iter().find(|f| f.code == "MD014");
    let f = f.unwrap_or_else(|| panic!("MD014 dropped: {:#?}", d.findings));
    assert_eq!(f.severity, mapdrive_core::doctor::Severity::Info);
    assert!(f.title.contains("could not check"), "{f:?}");
    assert!(f.explanation.contains("OpenProcessToken"), "{f:?}");
    let w = mapdrive_core::doctor::whoami(port).unwrap();
    let e = w.session_users_error.unwrap_or_default();
    assert!(e.contains("OpenProcessToken"), "{e}");
    let r = engine::execute(port, map_m_here()).unwrap();
    let warnings: Vec<&String> = r.outcomes.iter().flat_map(|(_, o)| &o.warnings).collect();
    assert!(
        warnings.iter().any(|w| w.contains("could not check")),
        "{warnings:?}"
    );
}

/// Administrator protection, in the unverified variant where the shadow account's elevated token
/// is linked to the user's own: `--session both` would map for two different accounts (the
/// shadow administrator's profile and the user's). A change is refused (exit 3) before anything
/// is written, naming both accounts; a read warns; `--session limited` acts as the user.
#[test]
fn session_both_refuses_two_different_accounts() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate_with_administrator_protection_linked().unwrap();
    let id = m.identity().unwrap();
    assert!(id.user.ends_with("ADMIN_alice"), "{id:?}");
    let before = m.writes();
    for check in [false, true] {
        let mut args = vec!["map", "M:", r"\\fileserver\team", "--session", "both"];
        if check {
            args.push("--check");
        }
        let r = mapdrive(&mut m, &args);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        for needle in [
            "two different accounts",
            "ADMIN_alice",
            ALICE,
            "--session limited",
        ] {
            assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
        }
    }
    assert_eq!(m.writes(), before, "nothing written");
    let r = mapdrive(&mut m, &["list", "--session", "both"]);
    ok(&r);
    assert!(r.stderr.contains("two different accounts"), "{}", r.stderr);
    let out = ok(&mapdrive(
        &mut m,
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--session",
            "limited",
            "--json",
        ],
    ));
    assert_eq!(out["changed"], true, "{out}");
}

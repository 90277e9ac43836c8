//! Another process acting between mapdrive's plan and apply, or between apply and the check.

use mapdrive_core::engine::{self, Change, Request, SessionChoice};
use mapdrive_core::error::{ApiError, Error};
use mapdrive_core::plan::{MapRequest, UnmapRequest};
use mapdrive_core::port::Port;
use mapdrive_model::fixture::BOB;
use mapdrive_model::{LogonKind, Machine, fixture};

use crate::support::{Hooked, connected, l, logon, remembered, unc};

fn map_p() -> Request {
    Request {
        change: Change::Map(
            MapRequest {
                as_system: mapdrive_core::plan::AsSystem::Refuse,
                remembered_is_enough: false,
                letter: l("P:"),
                remote: unc(r"\\fileserver\public"),
                remember: true,
                user: None,
                with_password: false,
                label: None,
            },
            None,
        ),
        session: SessionChoice::Auto,
        check: false,
    }
}

fn unmap_p() -> Request {
    Request {
        change: Change::Unmap(UnmapRequest {
            letter: l("P:"),
            expect: None,
            force: false,
            keep_remembered: false,
        }),
        session: SessionChoice::Auto,
        check: false,
    }
}

/// A concurrent `unmap` right after mapdrive connected.
fn unmap_after_connect(times: usize) -> impl FnMut(&mut Machine, &str) -> Option<ApiError> {
    let mut left = times;
    move |m, call| {
        if call == "add_connection:done" && left > 0 {
            left -= 1;
            m.cancel_connection(l("P:"), true, true).unwrap();
        }
        None
    }
}

#[test]
fn a_map_undone_by_another_process_is_applied_again_and_verified() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut hook = unmap_after_connect(1);
    let mut p = Hooked::new(&mut m, &mut hook);
    let r = engine::execute(&mut p, map_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(o.changed);
    assert_eq!(
        crate::support::state_json(&o.after)["connected"],
        true,
        "{:?}",
        o.after
    );
    assert_eq!(
        crate::support::state_json(&o.after)["remembered"],
        true,
        "{:?}",
        o.after
    );
    assert!(
        o.warnings.iter().any(|w| w.contains("another process")),
        "{:?}",
        o.warnings
    );
    drop(p);
    assert_eq!(connected(&m), ["P:"]);
    assert_eq!(remembered(&m), ["P:"]);
}

#[test]
fn a_map_that_keeps_being_undone_fails_instead_of_claiming_success() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut hook = unmap_after_connect(usize::MAX);
    let mut last_action_unmaps = Hooked::new(&mut m, &mut hook);
    let e = engine::execute(&mut last_action_unmaps, map_p()).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("another process"), "{e}");
}

#[test]
fn already_mapped_by_another_process_is_unchanged_not_85() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    // The other process maps the same share on the same letter just before mapdrive does.
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "add_connection" && m.connected().unwrap().is_empty() {
            m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
                .unwrap();
        }
        None
    });
    let r = engine::execute(&mut p, map_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(!o.changed, "{o:?}");
    assert_eq!(crate::support::state_json(&o.after)["connected"], true);
    assert!(
        o.warnings.iter().any(|w| w.contains("85")),
        "{:?}",
        o.warnings
    );
}

#[test]
fn already_unmapped_by_another_process_is_unchanged_not_2250() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
        .unwrap();
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "cancel_connection" && !m.connected().unwrap().is_empty() {
            m.cancel_connection(l("P:"), true, true).unwrap();
        }
        None
    });
    let r = engine::execute(&mut p, unmap_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(!o.changed, "{o:?}");
    assert!(o.after.is_none(), "{:?}", o.after);
    drop(p);
    assert!(connected(&m).is_empty() && remembered(&m).is_empty());
}

#[test]
fn restore_racing_another_restore_reports_connected_not_85() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
        .unwrap();
    m.cancel_connection(l("P:"), false, false).unwrap();
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "add_connection" && m.connected().unwrap().is_empty() {
            m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, false)
                .unwrap();
        }
        None
    });
    let reports = engine::restore(&mut p, SessionChoice::Auto, false).unwrap();
    let drive = &reports[0].drives[0];
    assert_eq!(drive.result, "connected", "{drive:?}");
    assert!(!reports[0].failed);
    assert!(
        drive.detail.as_deref().unwrap_or("").contains("same time"),
        "{drive:?}"
    );
}

fn cred_set_nas(secret: &str) -> Request {
    Request {
        change: Change::CredSet(
            mapdrive_core::plan::CredSetRequest {
                target: mapdrive_core::domain::CredentialTarget::parse(
                    "nas",
                    mapdrive_core::domain::CredentialKind::DomainPassword,
                )
                .unwrap(),
                kind: mapdrive_core::domain::CredentialKind::DomainPassword,
                user_name: r"NAS\bob".into(),
                persistence: None,
                alias: None,
                comment: None,
                update_secret: mapdrive_core::plan::UpdateSecret::Always,
                attributes: None,
                new_user_without_secret: mapdrive_core::plan::NewUserWithoutSecret::Refuse,
            },
            Some(crate::support::secret(secret)),
        ),
        session: SessionChoice::Auto,
        check: false,
    }
}

#[test]
fn a_credential_removed_by_another_process_right_after_saving_is_saved_again() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut removed = false;
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "write_credential:done" && !removed {
            removed = true;
            m.delete_credential("nas", mapdrive_core::domain::CredentialKind::DomainPassword)
                .unwrap();
        }
        None
    });
    let r = engine::execute(&mut p, cred_set_nas("pw")).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(o.after.is_some(), "{o:?}");
    assert!(
        o.warnings.iter().any(|w| w.contains("another process")),
        "{o:?}"
    );
    drop(p);
    assert!(
        m.credential("nas", mapdrive_core::domain::CredentialKind::DomainPassword)
            .unwrap()
            .is_some()
    );
    // Removed after every write: a failure, not `changed` with `after: null`.
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "write_credential:done" {
            m.delete_credential("nas", mapdrive_core::domain::CredentialKind::DomainPassword)
                .unwrap();
        }
        None
    });
    let e = engine::execute(&mut p, cred_set_nas("pw")).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
}

#[test]
fn a_connect_that_races_a_teardown_is_tried_once_more() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut failed = false;
    let mut p = Hooked::new(&mut m, |_, call| {
        if call == "add_connection" && !failed {
            failed = true;
            return Some(ApiError::new("WNetAddConnection2W", 3));
        }
        None
    });
    let r = engine::execute(&mut p, map_p()).unwrap();
    assert_eq!(
        crate::support::state_json(&r.outcomes[0].1.after)["connected"],
        true
    );
    drop(p);
    assert_eq!(connected(&m), ["P:"]);
}

/// Another process rewrites the credential with another user right after mapdrive saved it:
/// the whole requested state is verified (not only that a credential exists), so the run applies
/// it again, or fails `not_converged` — never success with `after.user_name` another user.
#[test]
fn a_credential_rewritten_with_another_user_is_not_a_success() {
    use mapdrive_core::domain::{CredentialKind, Persistence};
    use mapdrive_core::port::{CredentialWrite, SecretWrite};
    let other = |m: &mut Machine| {
        m.write_credential(&CredentialWrite {
            target: "nas",
            kind: CredentialKind::DomainPassword,
            user_name: r"NAS\carol",
            persistence: Persistence::Local,
            alias: None,
            comment: None,
            secret: SecretWrite::Empty,
        })
        .unwrap();
    };
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut once = false;
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "write_credential:done" && !once {
            once = true;
            other(m);
        }
        None
    });
    let r = engine::execute(&mut p, cred_set_nas("pw")).unwrap();
    let after = crate::support::state_json(&r.outcomes[0].1.after);
    assert_eq!(after["user_name"], r"NAS\bob", "{after}");
    // Rewritten after every write: not_converged.
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let mut p = Hooked::new(&mut m, |m, call| {
        if call == "write_credential:done" {
            other(m);
        }
        None
    });
    let e = engine::execute(&mut p, cred_set_nas("pw")).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
}

/// Windows answers 85 (already assigned) because another process mapped the letter to another
/// share at the same moment, and keeps doing so: the retry's result is verified, so the run is
/// `not_converged` instead of a success whose `after` names the other share.
#[test]
fn a_retry_after_already_assigned_is_verified() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    let other = |m: &mut Machine| {
        let _ = m.cancel_connection(l("P:"), true, true);
        m.add_connection(l("P:"), &unc(r"\\fileserver\team"), None, None, true)
            .unwrap();
    };
    let mut first = true;
    let mut p = Hooked::new(&mut m, |m, call| {
        match call {
            // The first connect meets the other process's drive: 85.
            "add_connection" if first => {
                first = false;
                other(m);
                return Some(ApiError::new("WNetAddConnection2W", 85));
            }
            // And the retry is undone by it right away.
            "add_connection:done" => other(m),
            _ => {}
        }
        None
    });
    match engine::execute(&mut p, map_p()) {
        Err(e) => assert!(
            matches!(e, Error::NotConverged { .. } | Error::Api { .. }),
            "{e:?}"
        ),
        Ok(r) => {
            let after = crate::support::state_json(&r.outcomes[0].1.after);
            assert!(
                after["remote"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(r"\\fileserver\public")),
                "a success must report the requested share: {after}"
            );
        }
    }
}

/// A re-map raced by a storm of other `map`/`unmap` runs on the same letter: the connect fails
/// with `ERROR_PATH_NOT_FOUND` (the letter torn down under it) and the undo (reconnecting the old
/// share) with 85 (another process mapped the letter meanwhile), twice in a row. The run is judged
/// on the state it then observes: the retry applies the request and it holds, so it succeeds.
#[test]
fn a_teardown_race_with_a_failed_undo_is_retried_and_judged_by_the_state() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\team"), None, None, true)
        .unwrap();
    let mut storms = 2;
    let mut p = Hooked::new(&mut m, |m, call| {
        // mapdrive's own connect (the letter is free: it just disconnected the old share), not
        // the undo's reconnect, which then meets the other process's drive: 85.
        if call == "add_connection" && storms > 0 && m.connected().unwrap().is_empty() {
            storms -= 1;
            // Another process maps the letter again, and the connect met its teardown.
            m.add_connection(l("P:"), &unc(r"\\fileserver\team"), None, None, true)
                .unwrap();
            return Some(ApiError::new("WNetAddConnection2W", 3));
        }
        None
    });
    let r = engine::execute(&mut p, map_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    let after = crate::support::state_json(&o.after);
    assert_eq!(after["connected"], true, "{after}");
    assert_eq!(after["remote"], r"\\fileserver\public", "{after}");
    assert!(o.changed);
    drop(p);
    assert_eq!(connected(&m), ["P:"]);
}

/// `unmap` while other processes map and unmap the same letter: Windows answers 2250
/// (`ERROR_NOT_CONNECTED`) to mapdrive's cancel twice in a row (the connection it saw was gone,
/// and another one came). Each time the state is read again and the unmap applied once more: the
/// run ends judged by the state, not failing with 2250.
#[test]
fn unmap_raced_twice_by_map_and_unmap_is_not_a_2250_failure() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
        .unwrap();
    let mut storms = 2;
    let mut p = Hooked::new(&mut m, |_, call| {
        if call == "cancel_connection" && storms > 0 {
            storms -= 1;
            return Some(ApiError::new("WNetCancelConnection2W", 2250));
        }
        None
    });
    let r = engine::execute(&mut p, unmap_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(o.after.is_none(), "{:?}", o.after);
    assert!(o.changed);
    drop(p);
    assert!(connected(&m).is_empty() && remembered(&m).is_empty());
}

/// A storm that never ends: the run gives up `not_converged` (exit 1) after a bounded number
/// of tries, never with the raw 2250.
#[test]
fn an_endless_unmap_race_is_not_converged() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
        .unwrap();
    let mut p = Hooked::new(&mut m, |_, call| {
        (call == "cancel_connection").then(|| ApiError::new("WNetCancelConnection2W", 2250))
    });
    let e = engine::execute(&mut p, unmap_p()).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
    assert!(p.calls()["cancel_connection"] <= 5, "{:?}", p.calls());
}

/// Found by a storm of 8 processes under Wine: `unmap` disconnected the drive, another process
/// mapped it again before the check, and on the next try a third one unmapped it first, so
/// Windows answered 2250 to that try. The drive is gone as asked: judged on the state, not 2250.
#[test]
fn an_unmap_raced_after_it_succeeded_once_is_judged_by_the_state() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
        .unwrap();
    let mut cancels = 0;
    let mut p = Hooked::new(&mut m, |m, call| {
        match call {
            // After mapdrive's disconnect, another process maps the drive again.
            "cancel_connection:done" if cancels == 1 => {
                m.add_connection(l("P:"), &unc(r"\\fileserver\public"), None, None, true)
                    .unwrap();
            }
            // Mapdrive's second disconnect: a third process got there first (2250).
            "cancel_connection" => {
                cancels += 1;
                if cancels == 2 {
                    m.cancel_connection(l("P:"), true, true).unwrap();
                }
            }
            _ => {}
        }
        None
    });
    let r = engine::execute(&mut p, unmap_p()).unwrap();
    let (_, o) = &r.outcomes[0];
    assert!(o.after.is_none(), "{:?}", o.after);
    assert!(o.changed);
    drop(p);
    assert!(connected(&m).is_empty() && remembered(&m).is_empty());
}

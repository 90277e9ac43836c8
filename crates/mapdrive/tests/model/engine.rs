//! The engine's decisions, seen through the CLI on the session model: credentials follow the
//! session choice, `--session limited` refuses a token that is not split, the one secret reader,
//! and `cred set` keeps what it was not told to change.

use mapdrive_core::port::Port;
use mapdrive_model::LogonKind;

use crate::cli::{ALICE, BOB, SVC, SVC_PW, host, logon, mapdrive, mapdrive_stdin, ok};

#[test]
fn elevated_cred_set_lands_in_the_vault_the_mapping_uses() {
    // An administrator at an elevated prompt saves a session-only credential, then maps with it.
    // Both run in the limited session (auto): before, the credential went to the elevated
    // session's vault and the mapping from the limited one could not see it (access denied).
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            SVC,
            "--persistence",
            "session",
            "--secret-stdin",
        ],
        SVC_PW,
    ));
    let out = ok(&mapdrive(
        &mut m,
        &["map", "S:", r"\\fileserver\svc", "--json"],
    ));
    assert_eq!(out["after"]["connected"], true, "{out}");
    // `cred list` (auto) looks at the same vault; `--session current` at the elevated one.
    let listed = ok(&mapdrive(&mut m, &["cred", "list", "--json"]));
    assert_eq!(listed[0]["target"], "fileserver", "{listed}");
    let here = ok(&mapdrive(
        &mut m,
        &["cred", "list", "--json", "--session", "current"],
    ));
    assert_eq!(here, serde_json::json!([]), "{here}");
}

#[test]
fn session_limited_refuses_a_token_that_is_not_split() {
    let mut m = host();
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
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(
        &mut m,
        &["map", "M:", r"\\fileserver\team", "--session", "limited"],
    ));
}

#[test]
fn one_secret_reader_refuses_empty_and_nul_and_strips_bom_and_cr() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    let map = [
        "map",
        "S:",
        r"\\fileserver\svc",
        "--user",
        SVC,
        "--password-stdin",
    ];
    for bad in ["", "\n", "\r\n", "a\0b\n"] {
        let before = m.writes();
        let r = mapdrive_stdin(&mut m, &map, bad);
        assert_eq!(r.code, 2, "{bad:?}: {r:?}");
        assert_eq!(m.writes(), before, "{bad:?} wrote something");
    }
    // PowerShell 5.1 pipes a BOM and CRLF: both are stripped, the password works.
    let r = mapdrive_stdin(&mut m, &map, &format!("\u{feff}{SVC_PW}\r\n"));
    ok(&r);
    // A lone trailing CR too.
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(&mut m, &map, &format!("{SVC_PW}\r")));
}

#[test]
fn cred_set_keeps_fields_not_given_and_clears_with_empty() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    let set = |extra: &[&str]| {
        let mut args = vec![
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\bob",
            "--update-secret",
            "on-create",
            "--json",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |m: &mut mapdrive_model::Machine, args: &[String], stdin: &str| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        mapdrive_stdin(m, &refs, stdin)
    };
    ok(&run(
        &mut m,
        &set(&[
            "--secret-stdin",
            "--alias",
            "NAS",
            "--comment",
            "media box",
            "--persistence",
            "enterprise",
        ]),
        "pw-1",
    ));
    // Re-run without alias/comment/persistence: kept, nothing written.
    let before = m.writes();
    let out = ok(&run(&mut m, &set(&[]), ""));
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["after"]["alias"], "NAS");
    assert_eq!(out["after"]["persistence"], "enterprise");
    assert_eq!(m.writes(), before);
    // An explicit "" removes the comment; the re-run is a no-op.
    let out = ok(&run(&mut m, &set(&["--comment", ""]), ""));
    assert_eq!(out["changed"], true, "{out}");
    assert!(out["after"]["comment"].is_null(), "{out}");
    assert_eq!(out["after"]["alias"], "NAS");
    let before = m.writes();
    let out = ok(&run(&mut m, &set(&["--comment", ""]), ""));
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(m.writes(), before);
}

#[test]
fn changing_the_user_of_a_password_credential_needs_its_secret() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    ok(&mapdrive_stdin(
        &mut m,
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        "bob-pw",
    ));
    let before = m.writes();
    let r = mapdrive(&mut m, &["cred", "set", "nas", "--user", r"NAS\carl"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains(r"NAS\carl") && r.stderr.contains("secret"),
        "{}",
        r.stderr
    );
    assert_eq!(m.writes(), before);
    // With carl's secret it is a plain update.
    ok(&mapdrive_stdin(
        &mut m,
        &[
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\carl",
            "--secret-stdin",
        ],
        "carl-pw",
    ));
}

#[test]
fn every_path_that_defines_a_letter_refuses_a_local_disk() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    let before = m.writes();
    for args in [
        &["map", "C:", r"\\fileserver\public"][..],
        &["map", "C:", r"\\fileserver\public", "--global", "--at-boot"][..],
        &[
            "map",
            "C:",
            r"\\fileserver\public",
            "--global",
            "--at-boot",
            "--force",
        ][..],
    ] {
        let r = mapdrive(&mut m, args);
        assert_eq!(r.code, 3, "{args:?}: {r:?}");
        assert!(r.stderr.contains("local disk"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(m.writes(), before);
    // A boot-time C: written anyway (by hand, or by an older mapdrive) can still be removed.
    m.set_boot_device(
        "C:",
        r"\Device\LanmanRedirector\;C:00000000000003e7\fileserver\public",
    )
    .unwrap();
    ok(&mapdrive(&mut m, &["unmap", "C:", "--global", "--at-boot"]));
    assert!(m.boot_devices().unwrap().is_empty());
}

#[test]
fn unmap_removes_the_label_of_a_drive_that_goes_away() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    let public = crate::support::unc(r"\\fileserver\public");
    ok(&mapdrive(
        &mut m,
        &[
            "map",
            "T:",
            r"\\fileserver\public",
            "--temporary",
            "--label",
            "Pub",
        ],
    ));
    assert_eq!(m.label(&public).unwrap().as_deref(), Some("Pub"));
    // Another letter on the same path keeps the label alive.
    ok(&mapdrive(&mut m, &["map", "U:", r"\\fileserver\public"]));
    ok(&mapdrive(&mut m, &["unmap", "T:"]));
    assert_eq!(m.label(&public).unwrap().as_deref(), Some("Pub"));
    ok(&mapdrive(&mut m, &["unmap", "U:"]));
    assert_eq!(m.label(&public).unwrap(), None);
    let before = m.writes();
    ok(&mapdrive(&mut m, &["unmap", "U:"]));
    assert_eq!(m.writes(), before);
}

#[test]
fn list_shows_a_local_disk_and_the_remembered_entry_on_its_letter() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    m.remember(&mapdrive_core::port::Remembered {
        letter: crate::support::l("C:"),
        remote: r"\\fileserver\public".into(),
        provider: "Microsoft Windows Network".into(),
        provider_type: Some(0x20000),
        user_name: Some(String::new()),
    })
    .unwrap();
    let list = ok(&mapdrive(&mut m, &["list", "--json"]));
    let c: Vec<&serde_json::Value> = list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["letter"] == "C:")
        .collect();
    assert_eq!(c.len(), 2, "{list}");
    assert_eq!(c[0]["kind"], "local disk", "{list}");
    assert_eq!(c[1]["remote"], r"\\fileserver\public", "{list}");
    assert_eq!(c[1]["status"], "Unavailable", "{list}");
    let text = mapdrive(&mut m, &["list"]);
    assert!(text.stdout.contains("local disk"), "{}", text.stdout);
    assert!(text.stderr.contains("never be restored"), "{}", text.stderr);
}

#[test]
fn whoami_says_whether_the_limited_token_is_usable() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    let w = ok(&mapdrive(&mut m, &["whoami", "--json"]));
    assert!(w.get("limited_token").is_none(), "not elevated: {w}");
    m.elevate().unwrap();
    let w = ok(&mapdrive(&mut m, &["whoami", "--json"]));
    assert_eq!(w["limited_token"]["usable"], true, "{w}");
    let text = mapdrive(&mut m, &["whoami"]);
    assert!(text.stdout.contains("Limited token"), "{}", text.stdout);
}

#[test]
fn cred_set_takes_certificate_types_by_thumbprint() {
    let mut m = host();
    logon(&mut m, BOB, LogonKind::Interactive);
    let tp: mapdrive_core::domain::Thumbprint =
        "00112233445566778899AABBCCDDEEFF00112233".parse().unwrap();
    let args = [
        "cred",
        "set",
        "certhost",
        "--type",
        "domain_certificate",
        "--user",
        "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 11 22 33",
        "--json",
    ];
    // Not in CurrentUser\My: win_credential's message, nothing written.
    let before = m.writes();
    let r = mapdrive(&mut m, &args);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("CurrentUser"), "{}", r.stdout);
    assert_eq!(m.writes(), before);
    m.add_certificate(BOB, &tp);
    let out = ok(&mapdrive(&mut m, &args));
    assert_eq!(out["after"]["user_name"], tp.as_str(), "{out}");
    let again = ok(&mapdrive(&mut m, &args));
    assert_eq!(again["changed"], false, "{again}");
    ok(&mapdrive(
        &mut m,
        &["cred", "remove", "certhost", "--type", "domain_certificate"],
    ));
}

#[test]
fn doctor_judges_the_session_it_is_asked_about() {
    let mut m = host();
    logon(&mut m, ALICE, LogonKind::Interactive);
    ok(&mapdrive(&mut m, &["map", "M:", r"\\fileserver\team"]));
    m.elevate().unwrap();
    let here = ok(&mapdrive(&mut m, &["doctor", "--json"]));
    assert_eq!(here["identity"]["elevation"], "Full", "{here}");
    let codes = |d: &serde_json::Value| d["findings"].to_string();
    assert!(codes(&here).contains("MD002"), "{here}");
    // Where drive commands act by default: the limited session, which has M:.
    let there = ok(&mapdrive(
        &mut m,
        &["doctor", "--session", "auto", "--json"],
    ));
    assert_eq!(there["identity"]["elevation"], "Limited", "{there}");
    assert!(!codes(&there).contains("MD002"), "{there}");
}

mod concurrency {
    //! Another process acting between mapdrive's plan and apply, or between apply and the check.

    use mapdrive_core::engine::{self, Change, Request, SessionChoice};
    use mapdrive_core::error::{ApiError, Error};
    use mapdrive_core::plan::{MapRequest, UnmapRequest};
    use mapdrive_core::port::Port;
    use mapdrive_model::{LogonKind, Machine};

    use crate::cli::{BOB, host, logon};
    use crate::support::{Hooked, connected, l, remembered, unc};

    fn map_p() -> Request {
        Request {
            change: Change::Map(
                MapRequest {
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
        let mut m = host();
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
}

#[test]
fn the_caching_port_reads_once_until_an_action_invalidates() {
    use mapdrive_core::domain::{DriveLetter, RemotePath};
    use mapdrive_core::engine::cache::CachingPort;
    use mapdrive_model::{Machine, ShareAccess};

    let mut m = Machine::new();
    m.add_user(r"CORP\alice", "S-1-5-21-1-1001", "pw", false);
    m.add_share("fs", "pub", ShareAccess::anyone());
    let id = m.logon(r"CORP\alice", LogonKind::Interactive);
    m.run_in(id.unwrap()).unwrap();
    let mut c = CachingPort::new(&mut m);
    c.connected().unwrap();
    c.connected().unwrap();
    c.remembered().unwrap();
    assert_eq!(c.reads().connected, 1);
    let remote: RemotePath = r"\\fs\pub".parse().unwrap();
    let m_: DriveLetter = "M".parse().unwrap();
    c.add_connection(m_, &remote, None, None, true).unwrap();
    assert_eq!(c.connected().unwrap().len(), 1);
    assert_eq!(c.remembered().unwrap().len(), 1);
    assert_eq!(c.reads().connected, 2);
    assert_eq!(c.reads().remembered, 2);
}

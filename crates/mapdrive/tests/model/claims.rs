//! One test per claim of "Windows mapped drives – what the hell is going on?" (the article
//! `mapped-drives-explained.md` is built from) and of its closing TL;DR list, run against the
//! session model. Tests look only at what a user would see: `net use` (connected), the
//! profile (remembered), `QueryDosDevice`, `whoami`-style identity, Credential Manager and
//! whether a drive opens.

use mapdrive_core::domain::{
    CredentialKind, DosTarget, Elevation, LinkedConnections, LogonType, Luid, Persistence,
};
use mapdrive_core::port::{CredentialWrite, Port, SecretWrite, TokenChoice};
use mapdrive_model::fixture::{
    self, ALICE, BOB, BOB_PW, BUILTIN_ADMIN, CAROL, LOCAL_ADMIN, PUBLIC, SVC, SVC_PW, SVC_SHARE,
    TEAM,
};
use mapdrive_model::{Access, LogonEvent, LogonKind, Machine};

use crate::support::{connected, l, logon, remembered, secret, unc};

/// `net use L: REMOTE [/persistent:yes]`
fn net_use(m: &mut Machine, letter: &str, remote: &str, persistent: bool) -> Result<(), u32> {
    m.add_connection(l(letter), &unc(remote), None, None, persistent)
        .map_err(|e| e.code)
}

/// `net use L: REMOTE /user:USER PASSWORD [/persistent:yes]`
fn net_use_user(
    m: &mut Machine,
    letter: &str,
    remote: &str,
    user: &str,
    pw: &str,
    persistent: bool,
) -> Result<(), u32> {
    m.add_connection(
        l(letter),
        &unc(remote),
        Some(user),
        Some(&secret(pw)),
        persistent,
    )
    .map_err(|e| e.code)
}

/// `cmdkey /add:TARGET /user:USER /pass:PW`
fn cmdkey_add(m: &mut Machine, target: &str, user: &str, pw: &str) -> Result<(), u32> {
    let pw = secret(pw);
    m.write_credential(&CredentialWrite {
        target,
        kind: CredentialKind::DomainPassword,
        user_name: user,
        persistence: Persistence::Local,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&pw),
    })
    .map_err(|e| e.code)
}

/// Letters `net use` shows as "Unavailable": remembered, not connected here.
fn unavailable(m: &Machine) -> Vec<String> {
    let live = connected(m);
    remembered(m)
        .into_iter()
        .filter(|r| !live.contains(r))
        .collect()
}

/// Where a letter points for this process (`QueryDosDevice`).
fn points_to(m: &Machine, letter: &str) -> Option<String> {
    m.dos_device(l(letter)).unwrap()
}

/// The remote path a letter reaches for this process, if it is a network drive.
fn remote_of(m: &Machine, letter: &str) -> Option<String> {
    points_to(m, letter).and_then(|t| DosTarget::parse(&t).remote().map(str::to_string))
}

/// The account `dir L:\` is authenticated as (`None` = anonymous), or the Win32 error.
fn opens_as(m: &Machine, letter: &str) -> Result<Option<String>, u32> {
    match m.access(l(letter)).map_err(|e| e.code)? {
        Access::Share { account, .. } => Ok(account),
        Access::Local { target } => panic!("{letter} is a local device ({target})"),
    }
}

fn restore_failures(m: &Machine, luid: Luid) -> Vec<(String, u32)> {
    m.restore_events()
        .iter()
        .filter_map(|e| match e {
            LogonEvent::RestoreFailure {
                logon_id,
                letter,
                code,
                ..
            } if *logon_id == luid => Some((letter.to_string(), *code)),
            _ => None,
        })
        .collect()
}

fn enable_linked_connections_and_reboot(m: &mut Machine) {
    m.run_as_system();
    m.set_linked_connections(Some(true)).unwrap();
    m.reboot();
}

// ------------------------------------------------------------------ DOS devices

/// "a mapped drive is actually a DOS Device Name that points to an NT device that does all the
/// redirection": `\Device\LanmanRedirector\;Z:<logon id>\server\share`.
#[test]
fn mapped_drive_is_a_dos_device_pointing_to_the_lanman_redirector() {
    let mut m = fixture::corp();
    let luid = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    assert_eq!(
        points_to(&m, "Z:").unwrap(),
        format!(
            r"\Device\LanmanRedirector\;Z:{}\fileserver\team",
            luid.redirector_form()
        )
    );
    assert_eq!(connected(&m), ["Z:"]);
}

/// "A physical hard drive device, like C:, is a global device and is accessible to all users."
#[test]
fn local_disk_is_a_global_device_seen_by_every_session() {
    let mut m = fixture::corp();
    for (user, kind) in [
        (BOB, LogonKind::Interactive),
        (ALICE, LogonKind::Network),
        (CAROL, LogonKind::Batch),
    ] {
        logon(&mut m, user, kind);
        assert_eq!(
            points_to(&m, "C:").as_deref(),
            Some(r"\Device\HarddiskVolume1")
        );
        assert_eq!(
            m.access(l("C:")).unwrap(),
            Access::Local {
                target: r"\Device\HarddiskVolume1".into()
            }
        );
        assert!(
            connected(&m).is_empty(),
            "a disk is not a network connection"
        );
    }
    m.run_as_system();
    assert_eq!(
        points_to(&m, "C:").as_deref(),
        Some(r"\Device\HarddiskVolume1")
    );
}

/// "a device name in the local scope takes priority over a global DOS device".
#[test]
fn local_device_shadows_global_one() {
    let mut m = fixture::corp();
    let bob = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.run_as_system();
    net_use(&mut m, "Z:", PUBLIC, false).unwrap();

    m.run_in(bob).unwrap();
    assert_eq!(
        remote_of(&m, "Z:").as_deref(),
        Some(TEAM),
        "Bob's own Z: wins"
    );
    logon(&mut m, CAROL, LogonKind::Interactive);
    assert_eq!(
        remote_of(&m, "Z:").as_deref(),
        Some(PUBLIC),
        "Carol sees the global Z:"
    );
}

// ------------------------------------------------------------------ logon sessions

/// "mapped drives are created per logon session": another logon of the same user does not
/// see them, and `net use` there does not list them.
#[test]
fn mapped_drives_are_per_logon_session() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();

    let second = logon(&mut m, BOB, LogonKind::RemoteInteractive);
    assert_ne!(first, second);
    assert_eq!(points_to(&m, "Z:"), None);
    assert!(connected(&m).is_empty());

    m.run_in(first).unwrap();
    assert_eq!(connected(&m), ["Z:"]);
}

/// "a logon session is created whenever LSA processes a new logon request": console, RDP,
/// scheduled task, runas, SMB/WinRM, service, LogonUser(NEW_CREDENTIALS): each gets its own id.
#[test]
fn every_logon_creates_a_new_logon_session() {
    let mut m = fixture::corp();
    let kinds = [
        (LogonKind::Interactive, LogonType::Interactive),
        (LogonKind::RemoteInteractive, LogonType::RemoteInteractive),
        (LogonKind::Batch, LogonType::Batch),
        (LogonKind::Runas, LogonType::Interactive),
        (LogonKind::Network, LogonType::Network),
        (LogonKind::NetworkCleartext, LogonType::NetworkCleartext),
        (LogonKind::Service, LogonType::Service),
        (LogonKind::NewCredentials, LogonType::NewCredentials),
    ];
    let mut seen = Vec::new();
    for (kind, logon_type) in kinds {
        let luid = logon(&mut m, BOB, kind);
        let id = m.identity().unwrap();
        assert_eq!(
            (id.user.as_str(), id.logon_id, id.logon_type),
            (BOB, luid, logon_type)
        );
        assert!(!seen.contains(&luid), "{kind:?} reused a logon id");
        seen.push(luid);
    }
}

/// `runas /netonly` (LOGON32_LOGON_NEW_CREDENTIALS) creates a new logon id, so drives mapped in
/// it land in that new session's namespace, not the user's.
#[test]
fn netonly_logon_gets_its_own_logon_session() {
    let mut m = fixture::corp();
    let desktop = logon(&mut m, BOB, LogonKind::Interactive);
    let netonly = logon(&mut m, BOB, LogonKind::NewCredentials);
    assert_ne!(desktop, netonly);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.run_in(desktop).unwrap();
    assert_eq!(points_to(&m, "Z:"), None);
}

/// SYSTEM's logon session is always 0x3e7 (`00000000000003e7` in redirector targets).
#[test]
fn system_logon_session_is_0x3e7() {
    let mut m = fixture::corp();
    m.run_as_system();
    let id = m.identity().unwrap();
    assert_eq!(id.logon_id, Luid(0x3e7));
    assert_eq!(
        (id.user.as_str(), id.sid.as_str(), id.is_system),
        (r"NT AUTHORITY\SYSTEM", "S-1-5-18", true)
    );
    assert_eq!(id.elevation, Elevation::Default);
    net_use(&mut m, "G:", PUBLIC, false).unwrap();
    assert_eq!(
        points_to(&m, "G:").unwrap(),
        r"\Device\LanmanRedirector\;G:00000000000003e7\fileserver\public"
    );
}

// ------------------------------------------------------------------ token elevation types

/// "a user may have one or two access tokens that are linked together to a single logon":
/// an administrator's console logon yields a Limited token (the default) and a linked Full
/// token, each with its own logon id.
#[test]
fn split_token_has_two_logon_ids() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    let id = m.identity().unwrap();
    assert_eq!(id.elevation, Elevation::Limited);
    let full = id.linked_logon_id.unwrap();
    assert_ne!(full, limited);
    assert_eq!(m.linked(limited), Some(full));

    m.elevate().unwrap();
    let id = m.identity().unwrap();
    assert_eq!(
        (id.logon_id, id.elevation, id.linked_logon_id),
        (full, Elevation::Full, Some(limited))
    );
    assert_eq!(id.user, ALICE);
}

/// TokenElevationTypeDefault: "UAC is disabled".
#[test]
fn default_token_when_uac_is_disabled() {
    let mut m = fixture::corp();
    m.set_uac(false);
    logon(&mut m, ALICE, LogonKind::Interactive);
    let id = m.identity().unwrap();
    assert_eq!(
        (id.elevation, id.linked_logon_id),
        (Elevation::Default, None)
    );
}

/// TokenElevationTypeDefault: "the BUILTIN\Administrator account and FilterAdministratorToken
/// is set to Disabled (default behaviour)"; enabled, it is split like any administrator.
#[test]
fn builtin_administrator_is_not_split_unless_filter_administrator_token() {
    let mut m = fixture::corp();
    logon(&mut m, BUILTIN_ADMIN, LogonKind::Interactive);
    assert_eq!(m.identity().unwrap().elevation, Elevation::Default);
    m.set_filter_administrator_token(true);
    logon(&mut m, BUILTIN_ADMIN, LogonKind::Interactive);
    assert_eq!(m.identity().unwrap().elevation, Elevation::Limited);
    // A local administrator that is not RID 500 is always split.
    m.set_filter_administrator_token(false);
    logon(&mut m, LOCAL_ADMIN, LogonKind::Interactive);
    assert_eq!(m.identity().unwrap().elevation, Elevation::Limited);
}

/// TokenElevationTypeDefault: "logging in with a standard user account".
#[test]
fn standard_user_is_not_split() {
    let mut m = fixture::corp();
    for kind in [
        LogonKind::Interactive,
        LogonKind::RemoteInteractive,
        LogonKind::Runas,
        LogonKind::Network,
    ] {
        logon(&mut m, BOB, kind);
        let id = m.identity().unwrap();
        assert_eq!(
            (id.elevation, id.linked_logon_id),
            (Elevation::Default, None),
            "{kind:?}"
        );
    }
}

/// TokenElevationTypeDefault: "logging in through a network logon, like SMB or WinRM, with a
/// domain account".
#[test]
fn network_logon_with_domain_account_is_not_split() {
    let mut m = fixture::corp();
    logon(&mut m, ALICE, LogonKind::Network);
    let id = m.identity().unwrap();
    assert_eq!(
        (id.elevation, id.linked_logon_id, id.logon_type),
        (Elevation::Default, None, LogonType::Network)
    );
}

/// TokenElevationTypeDefault: "a network logon with a local account and
/// LocalAccountTokenFilterPolicy is set to 1"; without it the local administrator is filtered.
#[test]
fn network_logon_with_local_account_is_default_only_with_token_filter_policy() {
    let mut m = fixture::corp();
    logon(&mut m, LOCAL_ADMIN, LogonKind::Network);
    assert_eq!(m.identity().unwrap().elevation, Elevation::Limited);
    assert_eq!(
        m.set_linked_connections(Some(true)).unwrap_err().code,
        5,
        "filtered: no admin rights"
    );
    m.set_local_account_token_filter_policy(true);
    logon(&mut m, LOCAL_ADMIN, LogonKind::Network);
    assert_eq!(m.identity().unwrap().elevation, Elevation::Default);
    m.set_linked_connections(Some(true)).unwrap();
}

// ------------------------------------------------------------------ split tokens and drives

/// "an admin process will not be able to see drives mapped under a limited token and vice versa".
#[test]
fn limited_admin_sees_drive_elevated_does_not_and_vice_versa() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    assert_eq!(points_to(&m, "Z:"), None);
    assert!(connected(&m).is_empty());
    net_use(&mut m, "Y:", TEAM, false).unwrap();
    assert_eq!(connected(&m), ["Y:"]);

    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(points_to(&m, "Y:"), None);
}

/// The local devices live in `\Sessions\0\DosDevices\<logon id>`: an elevated process can list
/// every logon session of the user with its own drives; a limited one reads only its pair's and
/// lists the others without being able to open their directories, which is reported as
/// unreadable, never as "no drives" (issue 8).
#[test]
fn each_logon_session_has_its_own_dos_device_directory() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    let full = m.linked(limited).unwrap();
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    let other = logon(&mut m, ALICE, LogonKind::Runas);
    net_use(&mut m, "X:", PUBLIC, false).unwrap();
    m.run_in(full).unwrap();
    net_use(&mut m, "Y:", TEAM, false).unwrap();

    let views = m.sessions().unwrap();
    let drives = |luid: Luid| -> Vec<String> {
        let v = views.iter().find(|v| v.logon_id == luid).unwrap();
        v.drives.iter().map(|(d, _)| d.to_string()).collect()
    };
    assert_eq!(drives(limited), ["Z:"]);
    assert_eq!(drives(full), ["Y:"]);
    assert_eq!(drives(other), ["X:"]);
    assert!(
        views
            .iter()
            .find(|v| v.logon_id == full)
            .unwrap()
            .is_current
    );

    assert!(views.iter().all(|v| v.unreadable.is_none()), "{views:?}");

    m.run_in(limited).unwrap();
    let views = m.sessions().unwrap();
    let visible: Vec<Luid> = views.iter().map(|v| v.logon_id).collect();
    assert!(visible.contains(&limited) && visible.contains(&full) && visible.contains(&other));
    for v in &views {
        if v.logon_id == limited || v.logon_id == full {
            assert_eq!((v.unreadable, v.drives.len()), (None, 1), "{v:?}");
        } else {
            assert_eq!(
                (v.unreadable, v.drives.is_empty()),
                (Some(5), true),
                "a limited token may not look into other logon sessions: {v:?}"
            );
        }
    }
}

/// TL;DR: "a typical administrator has 2 logon sessions and only the limited session will be
/// able to add/enumerate/remove a mapped drive" that Explorer (the limited token) and later
/// logons see.
#[test]
fn typical_admin_has_two_logon_sessions_and_only_the_limited_one_maps_for_explorer() {
    let mut m = fixture::corp();
    let explorer = m.logon(ALICE, LogonKind::Interactive).unwrap();
    m.run_in(explorer).unwrap();
    m.elevate().unwrap();
    net_use(&mut m, "Y:", TEAM, true).unwrap();
    m.run_in(explorer).unwrap();
    assert_eq!(
        points_to(&m, "Y:"),
        None,
        "Explorer does not see the elevated mapping"
    );
    assert_eq!(
        m.cancel_connection(l("Y:"), true, false).unwrap_err().code,
        2250
    );

    net_use(&mut m, "Z:", TEAM, true).unwrap();
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(remembered(&m), ["Z:"]);
    m.cancel_connection(l("Z:"), true, false).unwrap();
    assert!(connected(&m).is_empty());
    assert!(remembered(&m).is_empty());
}

// ------------------------------------------------------------------ EnableLinkedConnections

/// "When it is set, any drives created in one logon session will then be added to the logon
/// session of the split token", in both directions.
#[test]
fn enable_linked_connections_makes_both_tokens_see_it() {
    let mut m = fixture::corp();
    enable_linked_connections_and_reboot(&mut m);
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    assert_eq!(remote_of(&m, "Z:").as_deref(), Some(TEAM));
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(ALICE.into())));
    net_use(&mut m, "Y:", PUBLIC, false).unwrap();
    m.run_in(limited).unwrap();
    assert_eq!(connected(&m), ["Y:", "Z:"]);
}

/// Unmapping on either side removes the drive from both sessions.
#[test]
fn unmapping_with_linked_connections_removes_both_copies() {
    let mut m = fixture::corp();
    enable_linked_connections_and_reboot(&mut m);
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    m.cancel_connection(l("Z:"), false, false).unwrap();
    assert_eq!(points_to(&m, "Z:"), None);
    m.run_in(limited).unwrap();
    assert_eq!(points_to(&m, "Z:"), None);
}

/// The policy "takes effect after restart" (KB937624): writing the value changes nothing for
/// the running system; the tool can read the configured value and see a reboot is pending.
#[test]
fn enable_linked_connections_needs_a_reboot() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    assert_eq!(
        m.linked_connections().unwrap(),
        LinkedConnections::NotConfigured
    );
    m.set_linked_connections(Some(true)).unwrap();
    assert_eq!(m.linked_connections().unwrap(), LinkedConnections::Enabled);
    assert!(m.pending_reboot());

    m.run_in(limited).unwrap();
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    assert_eq!(points_to(&m, "Z:"), None, "not in effect before the reboot");

    m.reboot();
    assert!(!m.pending_reboot());
    logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    assert_eq!(remote_of(&m, "Z:").as_deref(), Some(TEAM));
}

/// The policy links the two halves of one logon only: "Not helpful for runas/WinRM … which
/// creates another logon session".
#[test]
fn enable_linked_connections_does_not_reach_other_logons() {
    let mut m = fixture::corp();
    enable_linked_connections_and_reboot(&mut m);
    logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    for kind in [LogonKind::Runas, LogonKind::Network] {
        logon(&mut m, ALICE, kind);
        assert_eq!(points_to(&m, "Z:"), None, "{kind:?}");
    }
}

// ------------------------------------------------------------------ persistence

/// "when the user logs off and back on, the logon session ID will be different and it will no
/// longer be able to access the mapped drive from before".
#[test]
fn drive_is_gone_after_relogon_unless_remembered() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Y:", TEAM, false).unwrap();
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    m.logoff(first).unwrap();
    let second = logon(&mut m, BOB, LogonKind::Interactive);
    assert_ne!(first, second);
    assert_eq!(points_to(&m, "Y:"), None);
    assert_eq!(connected(&m), ["Z:"]);
}

/// "/persistent:yes … will create a registry key at HKCU:\Network\{letter}" whose "values
/// match up to the WNetAddConnection2 API".
#[test]
fn persistent_mapping_writes_hkcu_network_values() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    net_use(&mut m, "Y:", PUBLIC, false).unwrap();
    let r = m.remembered().unwrap();
    assert_eq!(r.len(), 1, "only /persistent:yes is remembered");
    assert_eq!(r[0].letter, l("Z:"));
    assert_eq!(r[0].remote, TEAM);
    assert_eq!(r[0].provider, "Microsoft Windows Network");
    assert_eq!(r[0].provider_type, Some(0x20000));
    assert_eq!(r[0].user_name.as_deref(), Some(""));
}

/// "TokenElevationTypeFull cannot persist a mapped drive": the Full token's /persistent:yes
/// maps the drive but writes nothing.
#[test]
fn full_token_cannot_persist_a_mapping() {
    let mut m = fixture::corp();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    m.elevate().unwrap();
    net_use(&mut m, "Y:", TEAM, true).unwrap();
    assert_eq!(connected(&m), ["Y:"]);
    assert_eq!(
        remembered(&m),
        ["Z:"],
        "the profile is shared, but only Z: was written"
    );

    m.logoff(limited).unwrap();
    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Z:"]);
    m.run_in(m.linked(limited).unwrap()).unwrap();
    assert!(connected(&m).is_empty(), "Y: was not persisted");
}

/// "Having the EnableLinkedConnections set means TokenElevationTypeFull access tokens will be
/// able to see and persisted mapped network drives like the other token elevation types".
#[test]
fn enable_linked_connections_lets_full_token_persist() {
    let mut m = fixture::corp();
    enable_linked_connections_and_reboot(&mut m);
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    net_use(&mut m, "Y:", TEAM, true).unwrap();
    assert_eq!(remembered(&m), ["Y:"]);
}

/// "Log off and back on again and we will continue to see that Z: is mapped based on the
/// values in the registry key and is still accessible from other limited processes like
/// Windows Explorer": Winlogon restores remembered drives at a console logon.
#[test]
fn interactive_logon_restores_remembered_drives() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    m.logoff(first).unwrap();

    let second = logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(
        points_to(&m, "Z:").unwrap(),
        format!(
            r"\Device\LanmanRedirector\;Z:{}\fileserver\team",
            second.redirector_form()
        )
    );
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(BOB.into())));
    assert!(m.restore_events().contains(&LogonEvent::Restored {
        logon_id: second,
        letter: l("Z:"),
        remote: TEAM.into()
    }));
}

/// Winlogon also handles RDP logons ("a new session when logging on through RDP").
#[test]
fn rdp_logon_restores_remembered_drives() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    m.reboot();
    logon(&mut m, BOB, LogonKind::RemoteInteractive);
    assert_eq!(connected(&m), ["Z:"]);
}

/// The restore maps into the limited token; the Full token gets the drive only with
/// EnableLinkedConnections ("the network provider will also map the same drive to the split
/// token with the TokenElevationTypeFull type").
#[test]
fn restore_maps_the_limited_token_and_the_full_one_only_with_linked_connections() {
    let mut m = fixture::corp();
    let first = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    m.logoff(first).unwrap();

    let limited = logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Z:"]);
    m.elevate().unwrap();
    assert!(connected(&m).is_empty());

    enable_linked_connections_and_reboot(&mut m);
    let limited2 = logon(&mut m, ALICE, LogonKind::Interactive);
    assert_ne!(limited, limited2);
    assert_eq!(connected(&m), ["Z:"]);
    m.elevate().unwrap();
    assert_eq!(connected(&m), ["Z:"]);
}

/// runas.exe: "while it has the same Windows Session, groups, and privileges, the logon session
/// ID is different" and `net use` shows the drive as Unavailable because it only finds the
/// registry entry, not the DOS device.
#[test]
fn runas_session_sees_remembered_drive_as_unavailable() {
    let mut m = fixture::corp();
    let desktop = logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();

    let runas = logon(&mut m, BOB, LogonKind::Runas);
    assert_ne!(runas, desktop);
    let id = m.identity().unwrap();
    assert_eq!(
        (id.user.as_str(), id.logon_type),
        (BOB, LogonType::Interactive)
    );
    assert_eq!(remembered(&m), ["Z:"]);
    assert!(connected(&m).is_empty());
    assert_eq!(unavailable(&m), ["Z:"]);
    assert_eq!(points_to(&m, "Z:"), None);
    assert!(
        restore_failures(&m, runas).is_empty(),
        "no restore was even attempted"
    );
}

/// TL;DR: "a WinRM process, will never see a persisted mapped drive as the automatic mapping
/// only occurs with certain logon types".
#[test]
fn winrm_session_never_sees_persisted_drives() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", PUBLIC, true).unwrap();
    m.reboot();
    for kind in [LogonKind::Network, LogonKind::NetworkCleartext] {
        logon(&mut m, BOB, kind);
        assert_eq!(unavailable(&m), ["Z:"], "{kind:?}");
        assert_eq!(points_to(&m, "Z:"), None);
    }
}

/// "runas.exe, WinRM, scheduled tasks don't use Winlogon, the persistent drive mapping is
/// never automatically run".
#[test]
fn scheduled_task_does_not_restore_drives() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    for kind in [
        LogonKind::Batch,
        LogonKind::Service,
        LogonKind::NewCredentials,
    ] {
        logon(&mut m, BOB, kind);
        assert!(connected(&m).is_empty(), "{kind:?}");
        assert_eq!(unavailable(&m), ["Z:"]);
    }
}

/// "They can manually call net use or read the registry and call WNetAddConnection2W but this
/// will not be handled by Windows automatically."
#[test]
fn winrm_can_map_a_remembered_drive_manually() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    logon(&mut m, BOB, LogonKind::Network);
    let entry = m.remembered().unwrap().remove(0);
    let r = m.add_connection(
        entry.letter,
        &unc(&entry.remote),
        Some(BOB),
        Some(&secret(BOB_PW)),
        false,
    );
    r.unwrap();
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(BOB.into())));
}

/// A logoff ends the logon session: its DOS devices go with it.
#[test]
fn logoff_removes_the_sessions_drives() {
    let mut m = fixture::corp();
    let desktop = logon(&mut m, ALICE, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    m.elevate().unwrap();
    net_use(&mut m, "Y:", TEAM, false).unwrap();
    m.logoff(desktop).unwrap();
    assert_eq!(
        m.identity().unwrap_err().code,
        1312,
        "the elevated process ended with the logon"
    );
    let next = logon(&mut m, ALICE, LogonKind::Interactive);
    assert!(connected(&m).is_empty());
    m.run_in(m.linked(next).unwrap()).unwrap();
    assert!(connected(&m).is_empty());
}

// ------------------------------------------------------------------ credentials

/// "Here is the order in which credentials are used": explicit user/password, then a
/// credential for the remote target in the user's store, then the user's own logon
/// credentials, then anonymous.
#[test]
fn credentials_order_explicit_then_vault_then_own_then_anonymous() {
    let mut m = fixture::corp();
    m.add_user(r"CORP\dave", "S-1-5-21-1-1004", "dave-pw", false); // no account on the server
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();

    // 1. explicit credentials win over the saved one
    net_use_user(&mut m, "X:", TEAM, BOB, BOB_PW, false).unwrap();
    assert_eq!(opens_as(&m, "X:"), Ok(Some(BOB.into())));
    m.cancel_connection(l("X:"), false, false).unwrap();
    // 2. the saved credential wins over Bob's own logon
    net_use(&mut m, "Y:", SVC_SHARE, false).unwrap();
    assert_eq!(opens_as(&m, "Y:"), Ok(Some(SVC.into())));
    m.cancel_connection(l("Y:"), false, false).unwrap();
    m.delete_credential("fileserver", CredentialKind::DomainPassword)
        .unwrap();
    // 3. the logon's own credentials
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(BOB.into())));
    // 4. anonymous, when the server does not know the user
    logon(&mut m, r"CORP\dave", LogonKind::Interactive);
    net_use(&mut m, "P:", PUBLIC, false).unwrap();
    assert_eq!(opens_as(&m, "P:"), Ok(None));
    assert_eq!(net_use(&mut m, "T:", TEAM, false), Err(5));
}

/// "typically a WinRM connection will not have access to the user's credentials so the last
/// scenario applies": no vault, no delegation, so the server sees an anonymous user.
#[test]
fn winrm_session_authenticates_anonymously_without_explicit_credentials() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    logon(&mut m, BOB, LogonKind::Network);
    assert_eq!(net_use(&mut m, "Z:", TEAM, false), Err(5));
    net_use(&mut m, "P:", PUBLIC, false).unwrap();
    assert_eq!(opens_as(&m, "P:"), Ok(None));
}

/// Cred* in a network logon: "Network logon sessions do not have an associated credential
/// set" → ERROR_NO_SUCH_LOGON_SESSION.
#[test]
fn network_logon_has_no_credential_vault_1312() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Network);
    assert_eq!(m.credentials().unwrap_err().code, 1312);
    assert_eq!(cmdkey_add(&mut m, "fileserver", SVC, SVC_PW), Err(1312));
    assert_eq!(
        m.delete_credential("fileserver", CredentialKind::DomainPassword)
            .unwrap_err()
            .code,
        1312
    );
    let r = m.credential_secret_equals("fileserver", CredentialKind::DomainPassword, &secret("x"));
    assert_eq!(r.unwrap_err().code, 1312);
    assert_eq!(m.writes(), 0);
}

/// "Using CredSSP as an authentication option, this will allow the user to access its
/// credential vault as well as delegate its own credentials".
#[test]
fn credssp_logon_can_use_the_vault_and_delegate() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::NetworkCleartext);
    net_use(&mut m, "Z:", TEAM, false).unwrap();
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(BOB.into())));
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    assert_eq!(m.credentials().unwrap().len(), 1);
}

/// "The magic behind all this is using Ansible's become process to change the logon type from
/// network to interactive so that it can access the user's credentials".
#[test]
fn become_logon_can_use_the_vault() {
    let mut m = fixture::corp();
    for kind in [LogonKind::Runas, LogonKind::Batch] {
        logon(&mut m, BOB, kind);
        cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
        assert_eq!(m.credentials().unwrap()[0].target, "fileserver", "{kind:?}");
    }
}

/// "net use … /user:username password" writes UserName and works now, but "the lpPassword
/// value is not stored anywhere so subsequent logons will fail as Windows is sending a blank
/// password" (STATUS_WRONG_PASSWORD).
#[test]
fn user_mapping_fails_after_relogon_unless_credential_saved() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    net_use_user(&mut m, "Z:", SVC_SHARE, SVC, SVC_PW, true).unwrap();
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(SVC.into())));
    assert_eq!(m.remembered().unwrap()[0].user_name.as_deref(), Some(SVC));
    m.logoff(first).unwrap();

    let second = logon(&mut m, BOB, LogonKind::Interactive);
    assert!(connected(&m).is_empty());
    assert_eq!(unavailable(&m), ["Z:"]);
    assert_eq!(restore_failures(&m, second), [("Z:".to_string(), 86)]);
}

/// "the only way I've found to automatically map a network drive that requires credentials is
/// to store the required credential in the Windows Credential Manager": `cmdkey /add:<server>`
/// then `net use /persistent:yes`, and the next logon reconnects.
#[test]
fn saved_credential_makes_drive_reconnect_at_logon() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    net_use(&mut m, "Z:", SVC_SHARE, true).unwrap();
    m.logoff(first).unwrap();
    m.reboot();
    let second = logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Z:"]);
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(SVC.into())));
    assert!(restore_failures(&m, second).is_empty());

    // The same holds for a drive first mapped with /user: once its credential is saved.
    net_use_user(&mut m, "Y:", r"\\fileserver\svc\sub", SVC, SVC_PW, true).unwrap();
    m.logoff(second).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Y:", "Z:"]);
}

/// Ansible's two-task recipe: `win_credential` with become writes the credential into the
/// user's vault, `win_mapped_drive` with become remembers the drive; "Any future interactive
/// logon sessions for that user will be able to see that drive and it will automatically use
/// the credentials that were created in the first task".
#[test]
fn credential_and_mapping_made_through_become_reconnect_at_every_interactive_logon() {
    let mut m = fixture::corp();
    let become_ = logon(&mut m, BOB, LogonKind::Runas);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    net_use(&mut m, "Z:", SVC_SHARE, true).unwrap();
    m.logoff(become_).unwrap();
    for kind in [LogonKind::Interactive, LogonKind::RemoteInteractive] {
        logon(&mut m, BOB, kind);
        assert_eq!(opens_as(&m, "Z:"), Ok(Some(SVC.into())), "{kind:?}");
    }
}

/// win_mapped_drive with username/password "will not save the username in the registry" (it
/// blanks UserName): the next logon tries the user's own or saved credentials instead of a
/// blank password, so the drive "will just require manual authentication by the user" unless
/// those are accepted.
#[test]
fn blank_remembered_user_name_makes_logon_use_saved_or_own_credentials() {
    let mut m = fixture::corp();
    fixture::admit_svc_to_team(&mut m);
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    net_use_user(&mut m, "Z:", SVC_SHARE, SVC, SVC_PW, true).unwrap();
    net_use_user(&mut m, "T:", r"\\fileserver\team\docs", SVC, SVC_PW, true).unwrap();
    m.set_remembered_user_name(l("Z:"), "").unwrap();
    m.set_remembered_user_name(l("T:"), "").unwrap();
    m.logoff(first).unwrap();

    let second = logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(
        opens_as(&m, "T:"),
        Ok(Some(BOB.into())),
        "Bob's own account opens team"
    );
    assert_eq!(
        restore_failures(&m, second),
        [("Z:".to_string(), 5)],
        "svc share needs svc"
    );
    net_use_user(&mut m, "Z:", SVC_SHARE, SVC, SVC_PW, false).unwrap_err(); // 1219: Bob already holds a session
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    m.logoff(second).unwrap();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(SVC.into())));
}

/// "Credentials are stored per user account so you cannot share credentials or create a global
/// credential".
#[test]
fn credentials_are_per_user_no_global_vault() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    m.run_as_system();
    cmdkey_add(&mut m, "*", SVC, SVC_PW).unwrap();
    logon(&mut m, CAROL, LogonKind::Interactive);
    assert!(m.credentials().unwrap().is_empty());
    net_use(&mut m, "Z:", SVC_SHARE, false).unwrap_err();
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(
        m.credentials().unwrap().len(),
        1,
        "a second logon of Bob shares Bob's vault"
    );
}

/// "each network resource can only have one credential assigned to it": writing again
/// replaces it (per target and type).
#[test]
fn one_credential_per_server_and_type() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", r"CORP\old", "x").unwrap();
    cmdkey_add(&mut m, "FILESERVER", SVC, SVC_PW).unwrap();
    let pw = secret("app");
    m.write_credential(&CredentialWrite {
        target: "fileserver",
        kind: CredentialKind::GenericPassword,
        user_name: "app",
        persistence: Persistence::Local,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&pw),
    })
    .unwrap();
    let creds = m.credentials().unwrap();
    let domain: Vec<_> = creds
        .iter()
        .filter(|c| c.kind == CredentialKind::DomainPassword)
        .collect();
    assert_eq!(domain.len(), 1);
    assert_eq!(domain[0].user_name.as_deref(), Some(SVC));
    assert_eq!(creds.len(), 2, "a generic credential is another type");
    net_use(&mut m, "Z:", SVC_SHARE, false).unwrap();
}

/// Domain passwords are stored "in a reversible encrypted format that can only be read by a LSA
/// authentication providers": a tool can never compare them; generic secrets it can.
#[test]
fn domain_password_is_never_read_back() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    let r = m.credential_secret_equals(
        "fileserver",
        CredentialKind::DomainPassword,
        &secret(SVC_PW),
    );
    assert_eq!(r.unwrap(), None);
    let pw = secret("app");
    m.write_credential(&CredentialWrite {
        target: "app",
        kind: CredentialKind::GenericPassword,
        user_name: "u",
        persistence: Persistence::Local,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&pw),
    })
    .unwrap();
    let r = m.credential_secret_equals("app", CredentialKind::GenericPassword, &secret("app"));
    assert_eq!(r.unwrap(), Some(true));
}

/// The SMB client looks the credential up by the host name as written in the UNC: a credential
/// saved for `fileserver` does not serve `\\10.0.0.5\…`.
#[test]
fn credential_target_must_match_the_host_as_written() {
    let mut m = fixture::corp();
    m.add_server_alias("fileserver", "10.0.0.5");
    logon(&mut m, BOB, LogonKind::Interactive);
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    assert_eq!(net_use(&mut m, "Z:", r"\\10.0.0.5\svc", false), Err(5));
    net_use(&mut m, "Z:", SVC_SHARE, false).unwrap();
}

/// A `CRED_PERSIST_SESSION` credential lives as long as the logon session that wrote it.
#[test]
fn session_persisted_credential_dies_with_its_logon_session() {
    let mut m = fixture::corp();
    let first = logon(&mut m, BOB, LogonKind::Interactive);
    let pw = secret(SVC_PW);
    m.write_credential(&CredentialWrite {
        target: "fileserver",
        kind: CredentialKind::DomainPassword,
        user_name: SVC,
        persistence: Persistence::Session,
        alias: None,
        comment: None,
        secret: SecretWrite::Set(&pw),
    })
    .unwrap();
    net_use(&mut m, "Z:", SVC_SHARE, true).unwrap();
    logon(&mut m, BOB, LogonKind::Runas);
    assert!(
        m.credentials().unwrap().is_empty(),
        "another logon session does not see it"
    );
    m.logoff(first).unwrap();
    let next = logon(&mut m, BOB, LogonKind::Interactive);
    assert!(m.credentials().unwrap().is_empty());
    assert_eq!(restore_failures(&m, next), [("Z:".to_string(), 5)]);
}

// ------------------------------------------------------------------ global drives

/// TL;DR: "mapped drives are created per logon session, the only exception is a mapped drive
/// created by the SYSTEM account which is global"; "a global mapped drive can be created by
/// running the mapping process as the SYSTEM account" and it is "accessible to all the users".
#[test]
fn system_mapping_is_global_and_visible_to_all_users() {
    let mut m = fixture::corp();
    let bob = logon(&mut m, BOB, LogonKind::Interactive);
    m.run_as_system();
    net_use(&mut m, "G:", PUBLIC, false).unwrap();
    assert_eq!(connected(&m), ["G:"]);

    m.run_in(bob).unwrap();
    assert_eq!(
        remote_of(&m, "G:").as_deref(),
        Some(PUBLIC),
        "an existing session sees it"
    );
    for (user, kind) in [
        (CAROL, LogonKind::Interactive),
        (ALICE, LogonKind::Network),
        (BOB, LogonKind::Batch),
    ] {
        logon(&mut m, user, kind);
        assert_eq!(
            remote_of(&m, "G:").as_deref(),
            Some(PUBLIC),
            "{user} {kind:?}"
        );
        assert_eq!(opens_as(&m, "G:").map(|_| ()), Ok(()));
    }
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    assert_eq!(
        remote_of(&m, "G:").as_deref(),
        Some(PUBLIC),
        "both halves of a split token"
    );
}

/// "or impersonating the SYSTEM account": a thread of a user's process impersonating SYSTEM
/// maps into the global namespace too.
#[test]
fn mapping_while_impersonating_system_is_global() {
    let mut m = fixture::corp();
    let bob = logon(&mut m, BOB, LogonKind::Interactive);
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    m.impersonate_system();
    assert!(m.identity().unwrap().is_system);
    net_use(&mut m, "G:", PUBLIC, false).unwrap();
    m.use_token(TokenChoice::Current).unwrap();
    assert_eq!(m.identity().unwrap().user, ALICE);
    assert_eq!(remote_of(&m, "G:").as_deref(), Some(PUBLIC));
    assert!(
        connected(&m).is_empty(),
        "not a connection of Alice's logon session"
    );
    m.run_in(bob).unwrap();
    assert_eq!(remote_of(&m, "G:").as_deref(), Some(PUBLIC));
}

/// SYSTEM's drives are global whatever else happens: impersonating the limited token from
/// SYSTEM is not possible, and SYSTEM may not log off.
#[test]
fn system_mapping_is_not_tied_to_a_user_logon() {
    let mut m = fixture::corp();
    let bob = logon(&mut m, BOB, LogonKind::Interactive);
    m.run_as_system();
    net_use(&mut m, "G:", PUBLIC, false).unwrap();
    assert_eq!(m.use_token(TokenChoice::Linked).unwrap_err().code, 1312);
    m.logoff(bob).unwrap();
    logon(&mut m, CAROL, LogonKind::Interactive);
    assert_eq!(remote_of(&m, "G:").as_deref(), Some(PUBLIC));
}

/// TL;DR: "a global mapped drive will only exist until the host is rebooted".
#[test]
fn global_mapping_lasts_only_until_reboot() {
    let mut m = fixture::corp();
    m.run_as_system();
    net_use(&mut m, "G:", PUBLIC, true).unwrap();
    m.reboot();
    assert_eq!(points_to(&m, "G:"), None);
    assert!(connected(&m).is_empty());
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(points_to(&m, "G:"), None);
}

/// TL;DR: "you can define global mapped drives that are mapped when Windows starts up by editing
/// the registry" (`Session Manager\DOS Devices`, data `\Device\LanmanRedirector\;Z:<SYSTEM
/// luid>\server\share`); mapping it as SYSTEM first "is only necessary if you want it available
/// immediately".
#[test]
fn boot_time_dos_devices_value_recreates_global_drive_at_boot() {
    let mut m = fixture::corp();
    let target = r"\Device\LanmanRedirector\;Z:00000000000003e7\fileserver\public";
    logon(&mut m, ALICE, LogonKind::Interactive);
    m.elevate().unwrap();
    m.set_boot_device("Z:", target).unwrap();
    assert_eq!(m.boot_devices().unwrap()[0].target, target);
    assert_eq!(
        points_to(&m, "Z:"),
        None,
        "smss.exe reads the table at boot only"
    );

    m.reboot();
    assert_eq!(points_to(&m, "Z:").as_deref(), Some(target));
    logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(points_to(&m, "Z:").as_deref(), Some(target));
    m.reboot();
    logon(&mut m, CAROL, LogonKind::Interactive);
    assert_eq!(points_to(&m, "Z:").as_deref(), Some(target), "every boot");
}

/// A boot-time drive "shows up as disconnected" (the provider never made it: it is not a
/// connection) "but you can still double click and open it", and "we should now be able to see
/// this drive in a WinRM task".
#[test]
fn boot_time_global_drive_is_not_a_connection_but_opens_everywhere_even_in_winrm() {
    let mut m = fixture::corp();
    m.run_as_system();
    m.set_boot_device(
        "Z:",
        r"\Device\LanmanRedirector\;Z:00000000000003e7\fileserver\public",
    )
    .unwrap();
    m.reboot();
    assert!(connected(&m).is_empty());
    logon(&mut m, BOB, LogonKind::Interactive);
    assert!(connected(&m).is_empty());
    assert_eq!(opens_as(&m, "Z:"), Ok(Some(BOB.into())));
    logon(&mut m, BOB, LogonKind::Network);
    assert_eq!(remote_of(&m, "Z:").as_deref(), Some(PUBLIC));
    assert_eq!(opens_as(&m, "Z:"), Ok(None), "WinRM reaches it anonymously");
}

/// "If the network resource requires authentication with a different account … the user account
/// must have a credential for that network host defined in it's own credential vault as there is
/// no global credential vault".
#[test]
fn global_drive_auth_uses_accessing_users_vault() {
    let mut m = fixture::corp();
    m.run_as_system();
    net_use_user(&mut m, "S:", SVC_SHARE, SVC, SVC_PW, false).unwrap();
    assert_eq!(
        opens_as(&m, "S:"),
        Ok(Some(SVC.into())),
        "SYSTEM's own connection"
    );

    let bob = logon(&mut m, BOB, LogonKind::Interactive);
    assert_eq!(remote_of(&m, "S:").as_deref(), Some(SVC_SHARE));
    assert_eq!(
        opens_as(&m, "S:"),
        Err(5),
        "Bob's own account is not allowed on svc"
    );
    cmdkey_add(&mut m, "fileserver", SVC, SVC_PW).unwrap();
    assert_eq!(opens_as(&m, "S:"), Ok(Some(SVC.into())));

    logon(&mut m, CAROL, LogonKind::Interactive);
    assert_eq!(
        opens_as(&m, "S:"),
        Err(5),
        "Bob's credential is not Carol's"
    );
    m.run_in(bob).unwrap();
    logon(&mut m, BOB, LogonKind::Network);
    assert_eq!(
        opens_as(&m, "S:"),
        Err(5),
        "a network logon has no vault to use"
    );
}

// ------------------------------------------------------------------ Ansible's approach

/// "the recent refactor is able to handle this scenario by impersonating the limited token when
/// managing the network resources": from an elevated process, mapping through the linked
/// (limited) token gives the drive Explorer sees and a remembered entry.
#[test]
fn full_token_maps_through_linked_limited_token() {
    let mut m = fixture::corp();
    let explorer = logon(&mut m, ALICE, LogonKind::Runas);
    m.elevate().unwrap();
    m.use_token(TokenChoice::Linked).unwrap();
    assert_eq!(m.identity().unwrap().logon_id, explorer);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    assert_eq!(connected(&m), ["Z:"]);
    m.use_token(TokenChoice::Current).unwrap();
    assert_eq!(m.identity().unwrap().elevation, Elevation::Full);
    assert!(connected(&m).is_empty());
    assert_eq!(remembered(&m), ["Z:"]);

    m.run_in(explorer).unwrap();
    assert_eq!(connected(&m), ["Z:"]);
    logon(&mut m, ALICE, LogonKind::Interactive);
    assert_eq!(connected(&m), ["Z:"], "restored at the next real logon");
}

/// An idempotent second run (observe everything, change nothing) writes nothing.
#[test]
fn observing_writes_nothing() {
    let mut m = fixture::corp();
    logon(&mut m, BOB, LogonKind::Interactive);
    net_use(&mut m, "Z:", TEAM, true).unwrap();
    let before = m.writes();
    m.identity().unwrap();
    m.connected().unwrap();
    m.remembered().unwrap();
    m.dos_device(l("Z:")).unwrap();
    m.credentials().unwrap();
    m.boot_devices().unwrap();
    m.sessions().unwrap();
    m.linked_connections().unwrap();
    m.label(&unc(TEAM)).unwrap();
    m.access(l("Z:")).unwrap();
    assert_eq!(m.writes(), before);
    assert_eq!(net_use(&mut m, "Z:", TEAM, true), Err(85));
    assert_eq!(m.writes(), before, "failed calls change nothing");
}

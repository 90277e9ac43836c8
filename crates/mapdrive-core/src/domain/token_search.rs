//! Which running process's token the Win32 adapter borrows to act in the linked (limited) logon
//! session of an elevated process: the decision, kept apart from the Win32 calls that gather the
//! facts and open the handles (`mapdrive-win32/src/token.rs`), so that it is tested on any host.
//!
//! Two sources, in this order (docs/doctor-and-sessions.md, "How the limited token is obtained"):
//!
//! 1. **A process already running in the linked logon session** (the user's `explorer.exe`): its
//!    token belongs to the linked token's user, its `TokenStatistics.AuthenticationId` is the
//!    linked logon id and it is a Limited token. Its duplicate is impersonated directly; no SYSTEM
//!    token is involved.
//! 2. Only when there is none: **a SYSTEM token whose SeTcbPrivilege is enabled**
//!    (`SE_PRIVILEGE_ENABLED`), `winlogon.exe` of the caller's Windows session first, to ask for
//!    `TokenLinkedToken` as SYSTEM (Windows then returns a primary token). A privilege that is
//!    held but not enabled never counts: nothing enables it.
//!
//! `lsass.exe` is never a candidate, and neither is the process itself.

use super::{Elevation, Luid};

/// `NT AUTHORITY\SYSTEM`.
const SYSTEM_SID: &str = "S-1-5-18";

/// What a token says about SeTcbPrivilege (`TokenPrivileges`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    /// Not in the token (or not looked at: only SYSTEM tokens are).
    Absent,
    /// Held, not enabled.
    Disabled,
    /// Held and enabled (`SE_PRIVILEGE_ENABLED`).
    Enabled,
}

/// What the adapter read about one running process, opened for looking only
/// (`PROCESS_QUERY_LIMITED_INFORMATION`, then its token with `TOKEN_QUERY`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessToken {
    pub pid: u32,
    /// The executable's file name (`PROCESSENTRY32W.szExeFile`).
    pub name: String,
    /// Its Windows (terminal services) session, when known.
    pub terminal_session: Option<u32>,
    /// The token's user SID.
    pub user_sid: String,
    /// `TokenStatistics.AuthenticationId`.
    pub logon_id: Luid,
    /// `TokenElevationType`, when readable.
    pub elevation: Option<Elevation>,
    /// SeTcbPrivilege in the token (read for SYSTEM tokens only).
    pub tcb: Privilege,
}

/// What the caller is looking for: its own token's facts and its linked token's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTarget {
    /// This process's id (never a candidate).
    pub own_pid: u32,
    /// This process's logon session.
    pub own_logon_id: Luid,
    /// This process's Windows session, when known.
    pub own_terminal_session: Option<u32>,
    /// The linked token's user SID (the same account as the process token's for a UAC split
    /// token; Administrator protection's elevated half may differ, hence read from the linked
    /// token itself).
    pub linked_user_sid: String,
    /// The linked token's logon session.
    pub linked_logon_id: Luid,
}

fn is_lsass(p: &ProcessToken) -> bool {
    p.name.eq_ignore_ascii_case("lsass.exe")
}

/// Whether `p` runs in the linked logon session with the linked user's Limited token, so that
/// its token can be impersonated instead of the linked one. Asked again of the re-opened token
/// (the process may have exited and its id been reused in between).
pub fn is_linked_donor(target: &SearchTarget, p: &ProcessToken) -> bool {
    // A linked session that is this very session is no linked session (Wine answers every
    // LUID as 0): borrowing a token of it would only be ourselves again.
    target.linked_logon_id != target.own_logon_id
        && p.pid != target.own_pid
        && p.pid != 0
        && !is_lsass(p)
        && p.logon_id == target.linked_logon_id
        && p.user_sid.eq_ignore_ascii_case(&target.linked_user_sid)
        && p.elevation == Some(Elevation::Limited)
}

/// Whether `p` is a SYSTEM token whose SeTcbPrivilege is enabled.
pub fn is_system_donor(target: &SearchTarget, p: &ProcessToken) -> bool {
    p.pid != target.own_pid
        && p.pid != 0
        && !is_lsass(p)
        && p.user_sid.eq_ignore_ascii_case(SYSTEM_SID)
        && p.tcb == Privilege::Enabled
}

/// Rank of `name` in `session`: the preferred executable in the caller's Windows session first,
/// then the preferred executable elsewhere, then any other process; ties keep the listing order.
fn rank(target: &SearchTarget, p: &ProcessToken, preferred: &str) -> u8 {
    let named = p.name.eq_ignore_ascii_case(preferred);
    let here =
        target.own_terminal_session.is_some() && p.terminal_session == target.own_terminal_session;
    match (named, here) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

fn ordered(
    target: &SearchTarget,
    processes: &[ProcessToken],
    keep: impl Fn(&ProcessToken) -> bool,
    preferred: &str,
) -> Vec<u32> {
    let mut found: Vec<(u8, usize, u32)> = processes
        .iter()
        .enumerate()
        .filter(|(_, p)| keep(p))
        .map(|(i, p)| (rank(target, p, preferred), i, p.pid))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, _, pid)| pid).collect()
}

/// The processes whose token may stand in for the linked token, best first: `explorer.exe` of
/// the caller's Windows session, then any other process of the linked session.
pub fn linked_donors(target: &SearchTarget, processes: &[ProcessToken]) -> Vec<u32> {
    ordered(
        target,
        processes,
        |p| is_linked_donor(target, p),
        "explorer.exe",
    )
}

/// The SYSTEM processes to ask `TokenLinkedToken` as, best first: `winlogon.exe` of the caller's
/// Windows session, then other `winlogon.exe`, then any SYSTEM process whose SeTcbPrivilege is
/// enabled. Only asked when [`linked_donors`] yielded no usable token.
pub fn system_donors(target: &SearchTarget, processes: &[ProcessToken]) -> Vec<u32> {
    ordered(
        target,
        processes,
        |p| is_system_donor(target, p),
        "winlogon.exe",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "S-1-5-21-1-2-3-1001";
    const FULL: Luid = Luid(0xbd3c0);
    const LIMITED: Luid = Luid(0xbd3f6);

    fn target() -> SearchTarget {
        SearchTarget {
            own_pid: 100,
            own_logon_id: FULL,
            own_terminal_session: Some(1),
            linked_user_sid: ALICE.into(),
            linked_logon_id: LIMITED,
        }
    }

    fn process(pid: u32, name: &str, session: u32, sid: &str, logon: Luid) -> ProcessToken {
        ProcessToken {
            pid,
            name: name.into(),
            terminal_session: Some(session),
            user_sid: sid.into(),
            logon_id: logon,
            elevation: Some(if sid == SYSTEM_SID {
                Elevation::Default
            } else if logon == LIMITED {
                Elevation::Limited
            } else {
                Elevation::Full
            }),
            tcb: Privilege::Absent,
        }
    }

    fn system(pid: u32, name: &str, session: u32, tcb: Privilege) -> ProcessToken {
        ProcessToken {
            tcb,
            ..process(pid, name, session, SYSTEM_SID, Luid::SYSTEM)
        }
    }

    /// A desktop: SYSTEM services, winlogon of two sessions, alice's elevated prompt (this
    /// process) and her limited Explorer and a limited app, bob's Explorer in session 2.
    fn desktop() -> Vec<ProcessToken> {
        vec![
            system(4, "System", 0, Privilege::Enabled),
            system(600, "lsass.exe", 0, Privilege::Enabled),
            system(700, "services.exe", 0, Privilege::Enabled),
            system(800, "winlogon.exe", 2, Privilege::Enabled),
            system(900, "winlogon.exe", 1, Privilege::Enabled),
            system(950, "svchost.exe", 0, Privilege::Disabled),
            process(100, "mapdrive.exe", 1, ALICE, FULL),
            process(1500, "notepad.exe", 1, ALICE, LIMITED),
            process(1600, "explorer.exe", 1, ALICE, LIMITED),
            process(
                1700,
                "explorer.exe",
                2,
                "S-1-5-21-1-2-3-1002",
                Luid(0xc0000),
            ),
            process(1800, "cmd.exe", 1, ALICE, FULL),
        ]
    }

    #[test]
    fn the_users_explorer_in_the_linked_session_comes_first() {
        assert_eq!(linked_donors(&target(), &desktop()), vec![1600, 1500]);
    }

    #[test]
    fn only_the_linked_session_of_the_linked_user_with_a_limited_token_counts() {
        let t = target();
        let other_user = process(1, "explorer.exe", 1, "S-1-5-21-9", LIMITED);
        assert!(!is_linked_donor(&t, &other_user), "another user");
        assert!(is_linked_donor(
            &t,
            &process(1, "explorer.exe", 1, ALICE, LIMITED)
        ));
        assert!(!is_linked_donor(
            &t,
            &process(2, "explorer.exe", 1, ALICE, FULL)
        ));
        let mut full_here = process(3, "explorer.exe", 1, ALICE, LIMITED);
        full_here.elevation = Some(Elevation::Full);
        assert!(
            !is_linked_donor(&t, &full_here),
            "an elevated token is no limited half"
        );
        full_here.elevation = None;
        assert!(!is_linked_donor(&t, &full_here), "unknown elevation");
        let mut me = process(100, "mapdrive.exe", 1, ALICE, LIMITED);
        assert!(!is_linked_donor(&t, &me), "never itself");
        me.pid = 0;
        assert!(!is_linked_donor(&t, &me), "never the idle process");
        let lsass = process(5, "LSASS.EXE", 1, ALICE, LIMITED);
        assert!(!is_linked_donor(&t, &lsass));
    }

    /// Wine: every LUID is 0, the "linked" session is this one; nothing is borrowed.
    #[test]
    fn a_linked_session_that_is_this_session_has_no_donor() {
        let t = SearchTarget {
            own_logon_id: Luid(0),
            linked_logon_id: Luid(0),
            ..target()
        };
        let mut explorer = process(32, "explorer.exe", 1, ALICE, Luid(0));
        explorer.elevation = Some(Elevation::Limited);
        assert!(linked_donors(&t, &[explorer]).is_empty());
    }

    #[test]
    fn system_donors_hold_tcb_enabled_winlogon_of_this_session_first_never_lsass() {
        assert_eq!(
            system_donors(&target(), &desktop()),
            vec![900, 800, 4, 700],
            "winlogon here, winlogon elsewhere, then the rest in listing order; \
             lsass never, a disabled SeTcb never"
        );
    }

    #[test]
    fn a_privilege_held_but_not_enabled_never_counts() {
        let t = target();
        assert!(!is_system_donor(
            &t,
            &system(9, "winlogon.exe", 1, Privilege::Disabled)
        ));
        assert!(!is_system_donor(
            &t,
            &system(9, "winlogon.exe", 1, Privilege::Absent)
        ));
        assert!(is_system_donor(
            &t,
            &system(9, "winlogon.exe", 1, Privilege::Enabled)
        ));
        let mut not_system = system(9, "winlogon.exe", 1, Privilege::Enabled);
        not_system.user_sid = ALICE.into();
        assert!(!is_system_donor(&t, &not_system));
    }

    #[test]
    fn without_a_known_session_winlogon_still_comes_first() {
        let t = SearchTarget {
            own_terminal_session: None,
            ..target()
        };
        assert_eq!(system_donors(&t, &desktop()), vec![800, 900, 4, 700]);
    }
}

//! The standard world of the tests: a domain-joined host and one file server, `fileserver`.
//!
//! | account | on the host | on `fileserver` |
//! |---|---|---|
//! | [`ALICE`] | domain administrator (a split token under UAC) | team |
//! | [`BOB`], [`CAROL`] | standard domain users | team |
//! | [`SVC`] | — (an account only the file server knows) | svc |
//! | [`LOCAL_ADMIN`] | local administrator | — |
//! | [`BUILTIN_ADMIN`] | the built-in Administrator (SID `-500`) | — |
//!
//! Shares: [`TEAM`] (alice, bob, carol), [`SVC_SHARE`] (svc only), [`PUBLIC`] (anyone, anonymous
//! included). Nobody is logged on: tests log on as the user their scenario needs.

use crate::{Machine, ShareAccess};

/// A domain administrator: logging on interactively gives a limited and an elevated session.
pub const ALICE: &str = r"CORP\alice";
/// Alice's password.
pub const ALICE_PW: &str = "alice-Pw-41";
/// A standard domain user.
pub const BOB: &str = r"CORP\bob";
/// Bob's password.
pub const BOB_PW: &str = "bob-Pw-42";
/// Another standard domain user.
pub const CAROL: &str = r"CORP\carol";
/// Carol's password.
pub const CAROL_PW: &str = "carol-Pw-44";
/// An account that only the file server knows (used with explicit or saved credentials).
pub const SVC: &str = r"FILESERVER\svc";
/// Svc's password.
pub const SVC_PW: &str = "svc-Pw-43";
/// A local administrator of the host.
pub const LOCAL_ADMIN: &str = r"HOST\admin";
/// The local administrator's password.
pub const LOCAL_ADMIN_PW: &str = "admin-Pw-45";
/// The host's built-in Administrator (RID 500: no UAC split by default).
pub const BUILTIN_ADMIN: &str = r"HOST\Administrator";
/// The built-in Administrator's password.
pub const BUILTIN_ADMIN_PW: &str = "root-Pw-46";

/// The file server.
pub const SERVER: &str = "fileserver";
/// Alice's, Bob's and Carol's share.
pub const TEAM: &str = r"\\fileserver\team";
/// Svc's share: nobody else may open it.
pub const SVC_SHARE: &str = r"\\fileserver\svc";
/// A share anyone may open, anonymous included.
pub const PUBLIC: &str = r"\\fileserver\public";

/// `CORP\Team`: alice, bob and carol.
pub const TEAM_GROUP: (&str, &str) = ("S-1-5-21-1-1201", r"CORP\Team");
/// `CORP\Sales`: bob only.
pub const SALES_GROUP: (&str, &str) = ("S-1-5-21-1-1187", r"CORP\Sales");
/// `CORP\Domain Admins`: alice only.
pub const DOMAIN_ADMINS_GROUP: (&str, &str) = ("S-1-5-21-1-512", r"CORP\Domain Admins");

/// The host and its file server, nobody logged on. The host is `HOST` (`host.corp.example`,
/// joined to `CORP`, `10.1.2.30`, Windows 11 24H2, en-US); every domain user's primary group is
/// `CORP\Domain Users`, and their tokens hold [`TEAM_GROUP`], [`SALES_GROUP`] (bob) and
/// [`DOMAIN_ADMINS_GROUP`] (alice) besides the well-known groups.
pub fn corp() -> Machine {
    let mut m = Machine::new();
    m.add_user(ALICE, "S-1-5-21-1-1001", ALICE_PW, true);
    m.add_user(BOB, "S-1-5-21-1-1002", BOB_PW, false);
    m.add_user(CAROL, "S-1-5-21-1-1003", CAROL_PW, false);
    m.add_local_user(LOCAL_ADMIN, "S-1-5-21-9-1001", LOCAL_ADMIN_PW, true);
    m.add_local_user(BUILTIN_ADMIN, "S-1-5-21-9-500", BUILTIN_ADMIN_PW, true);
    for (user, pw) in [
        (ALICE, ALICE_PW),
        (BOB, BOB_PW),
        (CAROL, CAROL_PW),
        (SVC, SVC_PW),
    ] {
        m.add_account(SERVER, user, pw);
    }
    m.add_share(SERVER, "team", ShareAccess::only(&[ALICE, BOB, CAROL]));
    m.add_share(SERVER, "svc", ShareAccess::only(&[SVC]));
    m.add_share(SERVER, "public", ShareAccess::anyone());
    for user in [ALICE, BOB, CAROL] {
        m.add_group(user, TEAM_GROUP.0, TEAM_GROUP.1);
    }
    m.add_group(BOB, SALES_GROUP.0, SALES_GROUP.1);
    m.add_group(ALICE, DOMAIN_ADMINS_GROUP.0, DOMAIN_ADMINS_GROUP.1);
    m
}

/// Lets svc open team too, for scenarios where one account opens both shares.
pub fn admit_svc_to_team(m: &mut Machine) {
    m.add_share(SERVER, "team", ShareAccess::only(&[ALICE, BOB, CAROL, SVC]));
}

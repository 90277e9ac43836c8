//! `mapdrive doctor`: rules over the same facts the port reports, each producing a finding with a
//! stable code, a severity, an explanation naming the logon sessions involved, and the command
//! that fixes it. Gathering reads; the rules are pure; nothing is ever written.

pub mod picture;
mod rules;

use serde::Serialize;

pub use rules::evaluate;

use crate::domain::{
    CredentialCaps, CredentialInfo, DriveLetter, Elevation, Identity, LinkedConnections,
    OwnerMismatch, SessionUsers, owner_mismatch,
};
use crate::error::{ApiError, Error};
use crate::plan::inventory::observe_all;
use crate::port::{BootDevice, Connection, Port, Remembered, SessionView, TokenChoice};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something is broken or will break.
    Error,
    /// Something behaves in a way that surprises people.
    Warning,
    /// Context worth knowing.
    Info,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Defines [`Code`]: each finding's variant and the stable code it is printed and serialised as.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal;)*) => {
        /// A finding's stable code: printed, and serialised as, `MD001`...; scripts match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Code {
            $($(#[doc = $doc])* #[serde(rename = $code)] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed (`MD001`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }
        }
    };
}

codes! {
    /// A remembered drive is not connected in this logon session.
    RememberedNotRestored = "MD001";
    /// A drive is connected only in the other half of a split token.
    OnlyInLinkedSession = "MD002";
    /// A remembered drive names another account, and no saved credential for that account covers
    /// its server: it will fail to reconnect at the next logon.
    UserNameWithoutCredential = "MD003";
    /// A remembered drive's server has no saved credential, which it needs to reconnect.
    NoCredentialForServer = "MD004";
    /// A global drive (visible to every logon session), possibly shadowed by a session's own.
    GlobalDrive = "MD005";
    /// A boot-time DOS device value that is not a well-formed network drive.
    BootDeviceMalformed = "MD006";
    /// A remembered letter is a local disk or another device here.
    LetterCollision = "MD007";
    /// The logon session has no credential vault (a network logon).
    NoCredentialVault = "MD008";
    /// The process runs with an elevated (Full) token.
    ElevatedToken = "MD009";
    /// The process runs as SYSTEM.
    RunningAsSystem = "MD010";
    /// A connected drive points elsewhere than its remembered entry.
    RememberedPathDiffers = "MD011";
    /// No network provider is loaded.
    NoNetwork = "MD013";
    /// The acting account is not the desktop's user.
    SessionOwnerMismatch = "MD014";
    /// The logon session caps how long saved credentials may persist.
    CredentialPersistenceCapped = "MD015";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One diagnosis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Stable code (`MD001`).
    #[schemars(with = "String")]
    pub code: Code,
    /// Stable name (`remembered-not-restored`).
    pub slug: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// The drive it is about, if any.
    pub letter: Option<DriveLetter>,
    /// What is wrong, in one line.
    pub title: String,
    /// What is going on, naming the logon sessions involved.
    pub explanation: String,
    /// The exact command (or step) that fixes it.
    pub remedy: String,
}

/// Everything the rules look at.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The token mapdrive looked with.
    pub identity: Identity,
    /// EnableLinkedConnections as configured.
    pub linked_connections: LinkedConnections,
    /// Connected drives of this session (`Err` when the network is absent).
    pub connected: Result<Vec<Connection>, ApiError>,
    /// Remembered drives of this user.
    pub remembered: Vec<Remembered>,
    /// DOS device target of every letter.
    pub devices: Vec<(DriveLetter, Option<String>)>,
    /// Saved credentials of the judged session's vault (`Err(1312)` from a network logon).
    pub credentials: Result<Vec<CredentialInfo>, ApiError>,
    /// `CredGetSessionTypes` of the judged session (`Err(1312)` from a network logon).
    pub credential_caps: Result<CredentialCaps, ApiError>,
    /// The linked account and the desktop's user, read on the process token before any other
    /// token is used; `Err` when Windows refused (then MD014 says it could not check).
    pub session_users: Result<SessionUsers, ApiError>,
    /// Whether the judged token is the linked one (`--session limited`/`auto` from an elevated
    /// process) rather than the process token.
    pub judged_linked: bool,
    /// Boot-time DOS devices.
    pub boot_devices: Vec<BootDevice>,
    /// This user's logon sessions mapdrive may look at (the current one included).
    pub sessions: Vec<SessionView>,
}

/// Reads the facts of the process token's session through the port (reads only).
pub fn gather(port: &mut dyn Port) -> Result<Facts, Error> {
    gather_in(port, TokenChoice::Current)
}

/// Reads the facts of the session `token` selects: its identity, drives, remembered drives and
/// its own credential vault and caps (`CredEnumerateW`/`CredGetSessionTypes` follow the thread
/// token, like the drive calls) all under that one token; then reverts to the process token.
pub fn gather_in(port: &mut dyn Port, token: TokenChoice) -> Result<Facts, Error> {
    // Whose desktop this is, and the process token's linked account: read first, on the process
    // token (asked while impersonating the limited token, opening the elevated process token
    // can be refused, which used to drop MD014 without a word).
    let session_users = port.session_users();
    port.use_token(token)
        .map_err(|e| Error::api("could not use the selected token", e))?;
    let facts = read_facts(port, token, session_users);
    let reverted = port
        .use_token(TokenChoice::Current)
        .map_err(|e| Error::api("could not revert to the process token", e));
    let mut facts = facts?;
    reverted?;
    if token == TokenChoice::Current {
        peek_at_linked_twin(port, &mut facts)?;
    }
    Ok(facts)
}

/// Everything under the token in effect.
fn read_facts(
    port: &mut dyn Port,
    token: TokenChoice,
    session_users: Result<SessionUsers, ApiError>,
) -> Result<Facts, Error> {
    let identity = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    let linked_connections = port
        .linked_connections()
        .map_err(|e| Error::api("could not read the EnableLinkedConnections policy", e))?;
    let connected = port.connected();
    let mut ignored = Vec::new();
    let (_, remembered, devices) = observe_all(&*port, &mut ignored)?;
    let credentials = port.credentials();
    let credential_caps = port.credential_caps();
    let boot_devices = port
        .boot_devices()
        .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?;
    // Other sessions are best effort: without admin rights only our own is readable.
    let sessions = port.sessions().unwrap_or_default();
    Ok(Facts {
        identity,
        linked_connections,
        connected,
        remembered,
        devices,
        credentials,
        credential_caps,
        session_users,
        judged_linked: token == TokenChoice::Linked,
        boot_devices,
        sessions,
    })
}

/// An elevated process can look at its limited twin the way it acts in it. A failed revert to the
/// process token is an error: every later read would otherwise run as the linked token.
fn peek_at_linked_twin(port: &mut dyn Port, facts: &mut Facts) -> Result<(), Error> {
    let identity = &facts.identity;
    if identity.elevation != Elevation::Full {
        return Ok(());
    }
    let Some(linked) = identity.linked_logon_id else {
        return Ok(());
    };
    let known = facts
        .sessions
        .iter()
        .any(|s| s.logon_id == linked && s.unreadable.is_none() && !s.drives.is_empty());
    if known || port.use_token(TokenChoice::Linked).is_err() {
        return Ok(());
    }
    let drives = port
        .connected()
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let target = port.dos_device(c.letter).ok().flatten().unwrap_or_default();
            (c.letter, target)
        })
        .collect();
    port.use_token(TokenChoice::Current)
        .map_err(|e| Error::api("could not revert to the process token", e))?;
    facts.sessions.retain(|s| s.logon_id != linked);
    facts.sessions.push(SessionView {
        logon_id: linked,
        logon_type: identity.logon_type,
        elevation: Some(Elevation::Limited),
        is_current: false,
        drives,
        unreadable: None,
    });
    Ok(())
}

/// The over-the-shoulder check for the session the facts judge: `--session auto` from an
/// elevated process acts in the linked half when it can.
pub fn owner_check(f: &Facts) -> Option<OwnerMismatch> {
    let users = f.session_users.as_ref().ok()?;
    let acting_linked =
        f.judged_linked || (f.identity.elevation == Elevation::Full && users.linked.is_some());
    owner_mismatch(&f.identity, users, acting_linked)
}

/// What `mapdrive whoami` shows.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct WhoAmI {
    /// The token in effect.
    #[serde(flatten)]
    pub identity: Identity,
    /// The EnableLinkedConnections policy as configured.
    pub linked_connections: LinkedConnections,
    /// `CredGetSessionTypes` (`None` when the session has no credential set, 1312).
    pub credential_persistence: Option<CredentialCaps>,
    /// Why the caps are unknown, when they are (`CredGetSessionTypes failed with 1312 ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_persistence_error: Option<String>,
    /// The linked account and the desktop's user.
    pub session_users: SessionUsers,
    /// Why the linked account and the desktop's user are unknown, when Windows refused to say
    /// (then nobody can tell whether the over-the-shoulder warning applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_users_error: Option<String>,
    /// The over-the-shoulder warning, when the acting account is not the desktop's.
    pub owner_mismatch: Option<OwnerMismatch>,
    /// For an elevated (Full) token: whether mapdrive can act in the linked limited session
    /// (`--session auto`'s first choice), and if not, why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_token: Option<LimitedToken>,
}

/// Whether the linked limited token of an elevated process can be used.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LimitedToken {
    /// It can: `--session auto` acts in the limited session.
    pub usable: bool,
    /// Why it cannot (the failing call, code and name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads what `whoami` shows for the token in effect (reads only; obtaining the linked token
/// changes nothing).
pub fn whoami(port: &mut dyn Port) -> Result<WhoAmI, Error> {
    // On the process token, before the linked token is tried.
    let users = port.session_users();
    let limited_token = match port.identity() {
        Ok(id) if id.elevation == Elevation::Full => Some(
            match port
                .use_token(TokenChoice::Linked)
                .and_then(|()| port.use_token(TokenChoice::Current))
            {
                Ok(()) => LimitedToken {
                    usable: true,
                    error: None,
                },
                Err(e) => LimitedToken {
                    usable: false,
                    error: Some(e.to_string()),
                },
            },
        ),
        _ => None,
    };
    let port: &dyn Port = port;
    let identity = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    let linked_connections = port
        .linked_connections()
        .map_err(|e| Error::api("could not read the EnableLinkedConnections policy", e))?;
    let caps = port.credential_caps();
    let session_users_error = users.as_ref().err().map(ToString::to_string);
    let session_users = users.unwrap_or_default();
    let acting_linked = identity.elevation == Elevation::Full && session_users.linked.is_some();
    let owner_mismatch = owner_mismatch(&identity, &session_users, acting_linked);
    Ok(WhoAmI {
        credential_persistence: caps.as_ref().ok().copied(),
        credential_persistence_error: caps.err().map(|e| e.to_string()),
        identity,
        linked_connections,
        session_users,
        session_users_error,
        owner_mismatch,
        limited_token,
    })
}

/// The doctor's answer.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    /// Who looked.
    pub identity: Identity,
    /// The EnableLinkedConnections policy as configured.
    pub linked_connections: LinkedConnections,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
}

/// Gathers and evaluates the process token's session, optionally for one letter (session-wide
/// findings are always kept).
pub fn diagnose(port: &mut dyn Port, letter: Option<DriveLetter>) -> Result<Diagnosis, Error> {
    diagnose_in(port, letter, TokenChoice::Current)
}

/// [`diagnose`] for the session `token` selects (its drives judged against its own vault).
pub fn diagnose_in(
    port: &mut dyn Port,
    letter: Option<DriveLetter>,
    token: TokenChoice,
) -> Result<Diagnosis, Error> {
    let facts = gather_in(port, token)?;
    let mut findings = evaluate(&facts);
    if let Some(l) = letter {
        findings.retain(|f| f.letter.is_none() || f.letter == Some(l));
    }
    Ok(Diagnosis {
        identity: facts.identity,
        linked_connections: facts.linked_connections,
        findings,
    })
}

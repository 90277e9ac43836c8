//! `mapdrive doctor`: rules over the same facts the port reports, each producing a finding with a
//! stable code, a severity, an explanation naming the logon sessions involved, and the command
//! that fixes it. Gathering reads; the rules are pure; nothing is ever written.

mod rules;

use serde::Serialize;

pub use rules::evaluate;

use crate::domain::{CredentialInfo, DriveLetter, Elevation, Identity, LinkedConnections};
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

/// One diagnosis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Stable code (`MD001`).
    pub code: &'static str,
    /// Stable name (`remembered-not-restored`).
    pub slug: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The drive it is about, if any.
    pub letter: Option<DriveLetter>,
    /// One line.
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
    /// Saved credentials (`Err(1312)` from a network logon).
    pub credentials: Result<Vec<CredentialInfo>, ApiError>,
    /// Boot-time DOS devices.
    pub boot_devices: Vec<BootDevice>,
    /// This user's logon sessions mapdrive may look at (the current one included).
    pub sessions: Vec<SessionView>,
}

/// Reads the facts through the port (reads only).
pub fn gather(port: &mut dyn Port) -> Result<Facts, Error> {
    port.use_token(TokenChoice::Current)
        .map_err(|e| Error::api("could not use the process token", e))?;
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
    let boot_devices = port
        .boot_devices()
        .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?;
    // Other sessions are best effort: without admin rights only our own is visible.
    let mut sessions = port.sessions().unwrap_or_default();
    // An elevated process can look at its limited twin the way it acts in it.
    if identity.elevation == Elevation::Full
        && let Some(linked) = identity.linked_logon_id
        && sessions
            .iter()
            .all(|s| s.logon_id != linked || s.drives.is_empty())
        && port.use_token(TokenChoice::Linked).is_ok()
    {
        let drives = port
            .connected()
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                let target = port.dos_device(c.letter).ok().flatten().unwrap_or_default();
                (c.letter, target)
            })
            .collect();
        let _ = port.use_token(TokenChoice::Current);
        sessions.retain(|s| s.logon_id != linked);
        sessions.push(SessionView {
            logon_id: linked,
            logon_type: identity.logon_type,
            elevation: Some(Elevation::Limited),
            is_current: false,
            drives,
        });
    }
    Ok(Facts {
        identity,
        linked_connections,
        connected,
        remembered,
        devices,
        credentials,
        boot_devices,
        sessions,
    })
}

/// The doctor's answer.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    /// Who looked.
    pub identity: Identity,
    /// EnableLinkedConnections.
    pub linked_connections: LinkedConnections,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
}

/// Gathers and evaluates, optionally for one letter (session-wide findings are always kept).
pub fn diagnose(port: &mut dyn Port, letter: Option<DriveLetter>) -> Result<Diagnosis, Error> {
    let facts = gather(port)?;
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

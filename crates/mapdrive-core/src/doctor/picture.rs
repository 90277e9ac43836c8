//! `mapdrive sessions`: the picture of the machine's logon sessions and their drives, as a graph
//! (Windows sessions → logon sessions → drives, and the global namespace) that the front-end
//! draws as a tree, a Mermaid flowchart or JSON. Reads only.
//!
//! Where each fact comes from:
//! - logon sessions, their accounts, Windows sessions, elevation and split-token partners, which
//!   one is this process's and which one Explorer's: [`Port::logon_sessions`];
//! - each session's drives: its DOS-device directory (`\Sessions\0\DosDevices\<LUID>`);
//! - who made a network drive: the logon id inside the redirector target
//!   (`\Device\LanmanRedirector\;Z:<luid>\server\share`);
//! - remembered drives: `HKCU\Network` of this process's user, drawn in every readable session of
//!   that user (both halves of a split token) where the letter is not connected;
//! - the global namespace (`\GLOBAL??`) and the boot-time table (`Session Manager\DOS Devices`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::{
    DosTarget, DriveLetter, Elevation, Identity, LinkedConnections, LogonType, Luid,
};
use crate::error::{ApiError, Error};
use crate::port::{BootDevice, LogonSessionInfo, Port, Remembered};

/// Status of a drive in the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriveStatus {
    /// The redirection exists in the namespace it is drawn in, made by that namespace's owner.
    Connected,
    /// Remembered in `HKCU\Network` but not connected in this logon session ("Unavailable").
    RememberedNotConnected,
    /// A redirection seen in a namespace its maker does not own: a global drive made by SYSTEM
    /// or defined at boot, which Explorer shows as "Disconnected" (it still works).
    Disconnected,
    /// In the boot-time table but not (or not so) in the global namespace: created at the next
    /// restart.
    AtNextBoot,
}

impl DriveStatus {
    /// Words for the tree.
    pub fn words(self) -> &'static str {
        match self {
            DriveStatus::Connected => "connected",
            DriveStatus::RememberedNotConnected => "remembered, not connected",
            DriveStatus::Disconnected => "disconnected",
            DriveStatus::AtNextBoot => "at next boot",
        }
    }
}

/// What a drive letter points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriveKind {
    /// A redirector (SMB or WebDAV) drive.
    Network,
    /// A local volume.
    LocalDisk,
    /// A CD-ROM.
    CdRom,
    /// `subst` (a DOS path).
    Subst,
    /// Another device.
    Device,
    /// Only an `HKCU\Network` entry: no device.
    Remembered,
}

/// One drive letter in one namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DriveNode {
    /// The letter.
    pub letter: DriveLetter,
    /// What it points at.
    pub kind: DriveKind,
    /// `\\server\share[\dir]` for network drives, the device or path otherwise (full, never
    /// shortened).
    pub path: String,
    /// Status (network drives only).
    pub status: Option<DriveStatus>,
    /// The logon session that made it (from the redirector target).
    pub made_by: Option<Luid>,
    /// This process's user remembers the letter (`HKCU\Network`).
    pub remembered: bool,
    /// The remembered path, when it differs from `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered_path: Option<String>,
    /// A local drive that hides the global drive of the same letter from its session.
    pub hides_global: bool,
    /// A global drive: the logon sessions whose own drive of the same letter hides it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_in: Vec<Luid>,
    /// A global drive created from the boot-time table.
    pub boot_time: bool,
    /// The raw DOS-device target (`None` for a remembered-only entry).
    pub target: Option<String>,
}

/// One logon session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LogonSessionNode {
    /// Logon id.
    pub logon_id: Luid,
    /// `DOMAIN\user`, when readable.
    pub account: Option<String>,
    /// Logon type, when readable.
    pub logon_type: Option<LogonType>,
    /// Elevation type, when known.
    pub elevation: Option<Elevation>,
    /// The other half of its split-token pair.
    pub linked_logon_id: Option<Luid>,
    /// This process runs in it.
    pub this_process: bool,
    /// The desktop shell (Explorer) of this process's Windows session runs in it.
    pub explorer: bool,
    /// `NT AUTHORITY\SYSTEM` (0x3e7): its drives are the global namespace's.
    pub system: bool,
    /// `Some(code)` when its drives could not be read (5: access denied, administrator rights
    /// needed): they are unknown, not absent.
    pub unreadable: Option<u32>,
    /// Its drives (local DOS devices, and remembered entries not connected here).
    pub drives: Vec<DriveNode>,
}

/// One Windows (terminal services) session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TerminalSession {
    /// Its id (0: services, WinRM, scheduled tasks; 1 and up: desktops); `None` for logon
    /// sessions whose Windows session could not be read.
    pub id: Option<u32>,
    /// This process runs in it.
    pub this_process: bool,
    /// Its logon sessions (split-token halves next to each other).
    pub logon_sessions: Vec<LogonSessionNode>,
}

/// The global DOS-device namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GlobalNode {
    /// The object directory read (`\GLOBAL??`).
    pub directory: String,
    /// `Some(code)` when it could not be read.
    pub unreadable: Option<u32>,
    /// Its drive letters, then boot-time entries that take effect at the next restart.
    pub drives: Vec<DriveNode>,
}

/// What `mapdrive sessions` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Picture {
    /// The token the picture was taken with.
    pub identity: Identity,
    /// EnableLinkedConnections as configured.
    pub linked_connections: LinkedConnections,
    /// Windows sessions and their logon sessions.
    pub terminal_sessions: Vec<TerminalSession>,
    /// The global namespace.
    pub global: GlobalNode,
    /// Things the picture could not show.
    pub warnings: Vec<String>,
}

impl Picture {
    /// Every logon session, in drawing order.
    pub fn logon_sessions(&self) -> impl Iterator<Item = &LogonSessionNode> {
        self.terminal_sessions
            .iter()
            .flat_map(|t| t.logon_sessions.iter())
    }

    /// What a logon id is to the viewer: `this process`, `SYSTEM`, `Explorer`, `linked half`.
    pub fn role(&self, luid: Luid) -> Option<&'static str> {
        if luid == self.identity.logon_id {
            Some("this process")
        } else if luid == Luid::SYSTEM {
            Some("SYSTEM")
        } else if self
            .logon_sessions()
            .any(|s| s.logon_id == luid && s.explorer)
        {
            Some("Explorer")
        } else if Some(luid) == self.identity.linked_logon_id {
            Some("linked half")
        } else {
            None
        }
    }
}

/// Reads the picture through the port (reads only).
pub fn gather(port: &dyn Port) -> Result<Picture, Error> {
    let identity = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    let linked_connections = port
        .linked_connections()
        .map_err(|e| Error::api("could not read the EnableLinkedConnections policy", e))?;
    let mut warnings = Vec::new();
    let sessions = port
        .logon_sessions()
        .map_err(|e| Error::api("could not list the logon sessions", e))?;
    let remembered = match port.remembered() {
        Ok(r) => r,
        Err(e) => {
            warnings.push(format!(
                "remembered drives (HKCU\\Network) could not be read: {e}"
            ));
            Vec::new()
        }
    };
    let global = match port.global_namespace() {
        Ok(g) => Ok(g),
        Err(e) => {
            warnings.push(format!(
                "the global DOS-device namespace could not be read: {e}"
            ));
            Err(e)
        }
    };
    let boot = match port.boot_devices() {
        Ok(b) => b,
        Err(e) => {
            warnings.push(format!(
                "the boot-time table (Session Manager\\DOS Devices) could not be read: {e}"
            ));
            Vec::new()
        }
    };
    if let Ok(g) = &global
        && !g.directory.eq_ignore_ascii_case(r"\GLOBAL??")
    {
        warnings.push(format!(
            r"there is no \GLOBAL?? directory: read {} instead, the one DOS-device namespace every logon session shares (Wine)",
            g.directory
        ));
    }
    Ok(build(Inputs {
        identity,
        linked_connections,
        sessions,
        remembered,
        global,
        boot,
        warnings,
    }))
}

/// Everything [`build`] draws from.
pub struct Inputs {
    /// The token the picture is taken with.
    pub identity: Identity,
    /// EnableLinkedConnections.
    pub linked_connections: LinkedConnections,
    /// [`Port::logon_sessions`].
    pub sessions: Vec<LogonSessionInfo>,
    /// `HKCU\Network` of this process's user.
    pub remembered: Vec<Remembered>,
    /// [`Port::global_namespace`].
    pub global: Result<crate::port::GlobalNamespace, ApiError>,
    /// The boot-time table.
    pub boot: Vec<BootDevice>,
    /// Warnings so far.
    pub warnings: Vec<String>,
}

/// A drive node from a DOS-device target.
fn device_node(letter: DriveLetter, target: &str) -> DriveNode {
    let dos = DosTarget::parse(target);
    let (kind, path, made_by) = match &dos {
        DosTarget::Network {
            logon_id, remote, ..
        } => (DriveKind::Network, remote.clone(), Some(*logon_id)),
        DosTarget::LocalDisk { device } => (DriveKind::LocalDisk, device.clone(), None),
        DosTarget::CdRom { device } => (DriveKind::CdRom, device.clone(), None),
        DosTarget::Subst { path } => (DriveKind::Subst, path.clone(), None),
        DosTarget::Other { target } => (DriveKind::Device, target.clone(), None),
    };
    DriveNode {
        letter,
        kind,
        path,
        status: None,
        made_by,
        remembered: false,
        remembered_path: None,
        hides_global: false,
        hidden_in: Vec::new(),
        boot_time: false,
        target: Some(target.to_string()),
    }
}

fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('\\')
        .eq_ignore_ascii_case(b.trim_end_matches('\\'))
}

fn same_account(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

/// Builds the graph (pure).
pub fn build(inputs: Inputs) -> Picture {
    let Inputs {
        identity,
        linked_connections,
        sessions,
        remembered,
        global,
        boot,
        warnings,
    } = inputs;
    let (directory, global_drives, global_unreadable) = match global {
        Ok(g) => (g.directory, g.drives, None),
        Err(e) => (r"\GLOBAL??".to_string(), Vec::new(), Some(e.code)),
    };
    let global_letters: BTreeMap<DriveLetter, &String> =
        global_drives.iter().map(|(l, t)| (*l, t)).collect();

    // Split-token partners, from either side.
    let mut partner: BTreeMap<Luid, Luid> = BTreeMap::new();
    for s in &sessions {
        if let Some(l) = s.linked_logon_id {
            partner.insert(s.logon_id, l);
            partner.entry(l).or_insert(s.logon_id);
        }
    }
    if let Some(l) = identity.linked_logon_id.filter(|l| *l != identity.logon_id) {
        partner.insert(identity.logon_id, l);
        partner.entry(l).or_insert(identity.logon_id);
    }
    let elevation_of: BTreeMap<Luid, Elevation> = sessions
        .iter()
        .filter_map(|s| s.elevation.map(|e| (s.logon_id, e)))
        .collect();
    let terminal_of: BTreeMap<Luid, u32> = sessions
        .iter()
        .filter_map(|s| s.terminal_session.map(|t| (s.logon_id, t)))
        .collect();
    let my_terminal = sessions
        .iter()
        .find(|s| s.is_current)
        .and_then(|s| s.terminal_session);

    let mut hidden: BTreeMap<DriveLetter, Vec<Luid>> = BTreeMap::new();
    let mut remembered_global: Vec<DriveLetter> = Vec::new();
    let mut nodes: Vec<(Option<u32>, LogonSessionNode)> = Vec::new();
    for s in &sessions {
        let system = s.logon_id == Luid::SYSTEM;
        // Wine answers every token's LUID, its linked one's too, as 0: no pair with itself.
        let linked = s
            .linked_logon_id
            .or_else(|| partner.get(&s.logon_id).copied())
            .filter(|l| *l != s.logon_id);
        let elevation = s.elevation.or_else(|| {
            let other = elevation_of.get(&linked?)?;
            match other {
                Elevation::Full => Some(Elevation::Limited),
                Elevation::Limited => Some(Elevation::Full),
                Elevation::Default => None,
            }
        });
        let terminal = s
            .terminal_session
            .or_else(|| terminal_of.get(&linked?).copied());
        let account = s.account.clone().or_else(|| {
            // The partner's account is the same user's.
            sessions
                .iter()
                .find(|o| Some(o.logon_id) == linked)
                .and_then(|o| o.account.clone())
        });
        let mut drives = Vec::new();
        if s.unreadable.is_none() {
            for (letter, target) in &s.drives {
                let mut d = device_node(*letter, target);
                if d.kind == DriveKind::Network {
                    d.status = Some(DriveStatus::Connected);
                }
                if !system && global_letters.contains_key(letter) {
                    d.hides_global = true;
                    hidden.entry(*letter).or_default().push(s.logon_id);
                }
                drives.push(d);
            }
            // HKCU\Network belongs to this process's user: drawn in that user's sessions.
            let mine = s.is_current
                || Some(s.logon_id) == identity.linked_logon_id
                || same_account(account.as_deref(), &identity.user);
            if mine && !system {
                for r in &remembered {
                    // This session's own connection that lives in the global namespace (Wine's
                    // single namespace) is drawn there, remembered.
                    let own_global = global_letters.get(&r.letter).is_some_and(|t| {
                        matches!(DosTarget::parse(t), DosTarget::Network { logon_id, ref remote, .. }
                            if logon_id == s.logon_id && same_path(remote, &r.remote))
                    });
                    if own_global && !drives.iter().any(|d| d.letter == r.letter) {
                        remembered_global.push(r.letter);
                        continue;
                    }
                    match drives.iter_mut().find(|d| d.letter == r.letter) {
                        Some(d) => {
                            d.remembered = true;
                            if !same_path(&d.path, &r.remote) {
                                d.remembered_path = Some(r.remote.clone());
                            }
                        }
                        None => drives.push(DriveNode {
                            letter: r.letter,
                            kind: DriveKind::Remembered,
                            path: r.remote.clone(),
                            status: Some(DriveStatus::RememberedNotConnected),
                            made_by: None,
                            remembered: true,
                            remembered_path: None,
                            hides_global: false,
                            hidden_in: Vec::new(),
                            boot_time: false,
                            target: None,
                        }),
                    }
                }
            }
            drives.sort_by_key(|d| d.letter);
        }
        nodes.push((
            terminal,
            LogonSessionNode {
                logon_id: s.logon_id,
                account: if system {
                    Some(r"NT AUTHORITY\SYSTEM".to_string())
                } else {
                    account
                },
                logon_type: s.logon_type,
                elevation,
                linked_logon_id: linked,
                this_process: s.is_current,
                explorer: s.is_explorer,
                system,
                unreadable: s.unreadable,
                drives,
            },
        ));
    }

    // Global namespace: its drives, then the boot-time entries not (so) in it.
    let mut gdrives = Vec::new();
    for (letter, target) in &global_drives {
        let mut d = device_node(*letter, target);
        d.boot_time = boot.iter().any(|b| {
            b.name
                .trim_end_matches(':')
                .eq_ignore_ascii_case(letter.to_string().trim_end_matches(':'))
                && b.target.eq_ignore_ascii_case(target)
        });
        if d.kind == DriveKind::Network {
            d.status = Some(if d.made_by == Some(identity.logon_id) {
                DriveStatus::Connected
            } else {
                DriveStatus::Disconnected
            });
        }
        d.hidden_in = hidden.get(letter).cloned().unwrap_or_default();
        d.remembered = remembered_global.contains(letter);
        gdrives.push(d);
    }
    for b in &boot {
        let Ok(letter) = b.name.parse::<DriveLetter>() else {
            continue;
        };
        let active = global_letters
            .get(&letter)
            .is_some_and(|t| t.eq_ignore_ascii_case(&b.target));
        if active {
            continue;
        }
        let mut d = device_node(letter, &b.target);
        d.status = Some(DriveStatus::AtNextBoot);
        d.boot_time = true;
        gdrives.push(d);
    }

    // Group by Windows session; split halves next to each other.
    let mut groups: BTreeMap<(u8, u32), Vec<LogonSessionNode>> = BTreeMap::new();
    for (terminal, node) in nodes {
        let key = match terminal {
            Some(t) => (0, t),
            None => (1, 0),
        };
        groups.entry(key).or_default().push(node);
    }
    let terminal_sessions = groups
        .into_iter()
        .map(|((unknown, id), mut list)| {
            list.sort_by_key(|n| {
                let pair = n.linked_logon_id.map_or(n.logon_id, |l| l.min(n.logon_id));
                (pair, n.logon_id)
            });
            let id = (unknown == 0).then_some(id);
            TerminalSession {
                id,
                this_process: id.is_some() && id == my_terminal,
                logon_sessions: list,
            }
        })
        .collect();
    Picture {
        identity,
        linked_connections,
        terminal_sessions,
        global: GlobalNode {
            directory,
            unreadable: global_unreadable,
            drives: gdrives,
        },
        warnings,
    }
}

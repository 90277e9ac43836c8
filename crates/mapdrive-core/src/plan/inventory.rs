//! What this logon session sees: every drive letter with its connection, remembered entry and
//! DOS-device target. `list` renders it; planning and `doctor` start from it.

use serde::Serialize;

use crate::domain::{DosTarget, DriveLetter, Identity, Luid, RemotePath};
use crate::error::{ApiError, ERROR_NO_NETWORK, Error, error_name};
use crate::port::{BootDevice, Connection, Port, Remembered};

/// Status of a network drive, as `net use` words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Status {
    /// Connected in this logon session.
    #[serde(rename = "OK")]
    Ok,
    /// Remembered in `HKCU\Network` but not connected in this logon session.
    Unavailable,
    /// A redirector DOS device this session sees but does not own (global, or boot-time).
    Disconnected,
}

impl Status {
    /// `OK`, `Unavailable`, `Disconnected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Unavailable => "Unavailable",
            Status::Disconnected => "Disconnected",
        }
    }
}

/// Everything known about one letter.
#[derive(Clone, Debug, Default)]
pub struct LetterState {
    /// The live connection in this session.
    pub connected: Option<Connection>,
    /// The remembered entry.
    pub remembered: Option<Remembered>,
    /// The DOS device target (raw).
    pub dos_target: Option<String>,
}

impl LetterState {
    /// The parsed DOS target.
    pub fn dos(&self) -> Option<DosTarget> {
        self.dos_target.as_deref().map(DosTarget::parse)
    }

    /// A DOS device that is not a network redirection (local disk, CD-ROM, subst, other).
    pub fn non_network_device(&self) -> Option<DosTarget> {
        self.dos()
            .filter(|d| !matches!(d, DosTarget::Network { .. }))
    }
}

/// One row of `list`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DriveEntry {
    /// The drive letter (`M:`).
    pub letter: DriveLetter,
    /// `network`, `local disk`, `cd-rom`, `subst`, `device`, or `remembered` (no device).
    pub kind: String,
    /// Remote path (connected, else remembered).
    pub remote: Option<String>,
    /// Network status (the `net use` word).
    pub status: Option<Status>,
    /// Connected in this logon session (status `OK`).
    pub connected: bool,
    /// The network provider (`Microsoft Windows Network`, `Web Client Network`).
    pub provider: Option<String>,
    /// Has an `HKCU\Network` entry.
    pub remembered: bool,
    /// The remembered path when it differs from the connected one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered_remote: Option<String>,
    /// Remembered `UserName` (non-empty means reconnecting at logon needs a saved credential).
    pub user_name: Option<String>,
    /// Owning logon session (from the DOS target).
    pub logon_id: Option<Luid>,
    /// `session` (this logon session's namespace) or `global` (SYSTEM's, visible to everyone).
    pub scope: Option<&'static str>,
    /// The share's Explorer label (Group Policy's "Label as"), if one is set.
    pub label: Option<String>,
    /// Raw `QueryDosDeviceW` target.
    pub dos_target: Option<String>,
}

/// The whole picture for `list`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Inventory {
    /// The token the picture was taken with.
    pub identity: Identity,
    /// Letters in use, A to Z.
    pub drives: Vec<DriveEntry>,
    /// Global drives defined at boot (`Session Manager\DOS Devices`).
    pub boot_devices: Vec<BootDevice>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

/// Reads connected + remembered once; tolerates a missing network (1222) with a warning.
pub fn read_network(
    port: &dyn Port,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Connection>, Vec<Remembered>), Error> {
    let connected = match port.connected() {
        Ok(c) => c,
        Err(ApiError {
            code: ERROR_NO_NETWORK,
            ..
        }) => {
            warnings.push(format!(
                "no network provider is loaded ({ERROR_NO_NETWORK} {}): connected drives cannot be listed",
                error_name(ERROR_NO_NETWORK)
            ));
            Vec::new()
        }
        Err(e) => return Err(Error::api("could not list connected drives", e)),
    };
    let remembered = port
        .remembered()
        .map_err(|e| Error::api("could not list remembered drives", e))?;
    Ok((connected, remembered))
}

/// Observes one letter.
pub fn observe_letter(
    port: &dyn Port,
    letter: DriveLetter,
    warnings: &mut Vec<String>,
) -> Result<LetterState, Error> {
    let (connected, remembered) = read_network(port, warnings)?;
    let dos_target = port
        .dos_device(letter)
        .map_err(|e| Error::api(format!("could not query the DOS device {letter}"), e))?;
    let remembered = remembered.into_iter().find(|r| r.letter == letter);
    let mut connected = connected.into_iter().find(|c| c.letter == letter);
    if connected.is_none()
        && let Some(DosTarget::Network {
            logon_id, remote, ..
        }) = dos_target.as_deref().map(DosTarget::parse)
    {
        // A redirection owned by this very logon session that the provider does not list as
        // connected (Windows restores drives at logon in a deferred, "Disconnected" state) is
        // still this session's connection: cancel or keep it like one, never refuse it.
        let me = port
            .identity()
            .map_err(|e| Error::api("could not read the process token", e))?;
        if logon_id == me.logon_id && !me.is_system {
            connected = Some(Connection {
                letter,
                remote,
                provider: match remembered.as_ref() {
                    Some(r) => r.provider.clone(),
                    None => port
                        .lanman_provider_name()
                        .map_err(|e| Error::api("could not read the SMB provider's name", e))?,
                },
            });
        }
    }
    Ok(LetterState {
        connected,
        remembered,
        dos_target,
    })
}

/// Connected, remembered and the DOS device of every letter, read once.
pub type Observed = (
    Vec<Connection>,
    Vec<Remembered>,
    Vec<(DriveLetter, Option<String>)>,
);

/// Reads everything `list`, `restore` and `doctor` start from.
pub fn observe_all(port: &dyn Port, warnings: &mut Vec<String>) -> Result<Observed, Error> {
    let (connected, remembered) = read_network(port, warnings)?;
    let mut devices = Vec::with_capacity(26);
    for letter in DriveLetter::all() {
        let target = port
            .dos_device(letter)
            .map_err(|e| Error::api(format!("could not query the DOS device {letter}"), e))?;
        devices.push((letter, target));
    }
    Ok((connected, remembered, devices))
}

/// Builds the `list` picture.
pub fn inventory(port: &dyn Port) -> Result<Inventory, Error> {
    let identity = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    let mut warnings = Vec::new();
    let (connected, remembered, devices) = observe_all(port, &mut warnings)?;
    let mut drives = Vec::new();
    for (letter, dos_target) in devices {
        let state = LetterState {
            connected: connected.iter().find(|c| c.letter == letter).cloned(),
            remembered: remembered.iter().find(|r| r.letter == letter).cloned(),
            dos_target,
        };
        // A remembered entry on a letter a local disk (CD-ROM, subst) holds: show both, never
        // the entry in place of the disk.
        let states = match (
            &state.connected,
            state.non_network_device(),
            &state.remembered,
        ) {
            (None, Some(device), Some(r)) => {
                warnings.push(format!(
                    "{letter} is remembered as {} in HKCU\\Network, but here the letter is a {}: that drive \
                     can never be restored on it (`mapdrive doctor {letter}`)",
                    r.remote,
                    device.kind_name()
                ));
                vec![
                    LetterState {
                        connected: None,
                        remembered: None,
                        dos_target: state.dos_target.clone(),
                    },
                    LetterState {
                        connected: None,
                        remembered: state.remembered.clone(),
                        dos_target: None,
                    },
                ]
            }
            _ => vec![state],
        };
        for state in states {
            if let Some(entry) = entry_for(port, &identity, letter, state, &mut warnings)? {
                drives.push(entry);
            }
        }
    }
    let boot_devices = port
        .boot_devices()
        .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?
        .into_iter()
        .filter(|d| d.name.len() == 2 && d.name.ends_with(':'))
        .collect();
    Ok(Inventory {
        identity,
        drives,
        boot_devices,
        warnings,
    })
}

fn entry_for(
    port: &dyn Port,
    identity: &Identity,
    letter: DriveLetter,
    state: LetterState,
    warnings: &mut Vec<String>,
) -> Result<Option<DriveEntry>, Error> {
    let dos = state.dos();
    if state.connected.is_none() && state.remembered.is_none() && dos.is_none() {
        return Ok(None);
    }
    let (logon_id, dos_remote) = match &dos {
        Some(DosTarget::Network {
            logon_id, remote, ..
        }) => (Some(*logon_id), Some(remote.clone())),
        _ => (None, None),
    };
    let status = match (&state.connected, &dos, &state.remembered) {
        (Some(_), _, _) => Some(Status::Ok),
        (None, Some(DosTarget::Network { .. }), _) => Some(Status::Disconnected),
        (None, _, Some(_)) => Some(Status::Unavailable),
        _ => None,
    };
    let remote = state
        .connected
        .as_ref()
        .map(|c| c.remote.clone())
        .or(dos_remote)
        .or_else(|| state.remembered.as_ref().map(|r| r.remote.clone()));
    let remembered_remote = match (&remote, &state.remembered) {
        (Some(now), Some(r)) if !same_path(now, &r.remote) => {
            warnings.push(format!(
                "{letter} is connected to {now} but remembered as {}: the next logon restores the remembered path",
                r.remote
            ));
            Some(r.remote.clone())
        }
        _ => None,
    };
    let kind = match (&dos, &state.remembered) {
        (Some(d), _) => d.kind_name().to_string(),
        (None, Some(_)) => "network".to_string(),
        (None, None) => "network".to_string(),
    };
    let scope = logon_id.map(|id| {
        if id == Luid::SYSTEM && !identity.is_system {
            "global"
        } else {
            "session"
        }
    });
    let label = match remote.as_deref().and_then(|r| r.parse::<RemotePath>().ok()) {
        Some(path) => port
            .label(&path)
            .map_err(|e| Error::api(format!("could not read the label of {path}"), e))?,
        None => None,
    };
    Ok(Some(DriveEntry {
        letter,
        kind,
        provider: state
            .connected
            .as_ref()
            .map(|c| c.provider.clone())
            .or_else(|| state.remembered.as_ref().map(|r| r.provider.clone())),
        remembered: state.remembered.is_some(),
        user_name: state.remembered.as_ref().and_then(|r| r.user_name.clone()),
        remembered_remote,
        remote,
        connected: status == Some(Status::Ok),
        status,
        logon_id,
        scope,
        label,
        dos_target: state.dos_target,
    }))
}

/// Compares two remote paths the way Windows does (case-insensitive, trailing separators ignored).
pub fn same_path(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches(['\\', '/'])
            .replace('/', "\\")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

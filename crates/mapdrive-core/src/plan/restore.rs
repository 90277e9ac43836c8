//! `restore`: reconnect this user's remembered drives in a logon session Winlogon did not restore
//! (WinRM, scheduled task, runas), the way Winlogon would.

use serde::Serialize;

use super::inventory::{observe_all, same_path};
use crate::domain::{DosTarget, DriveLetter, RemotePath};
use crate::error::{
    ERROR_ALREADY_ASSIGNED, ERROR_DEVICE_ALREADY_REMEMBERED, ERROR_INVALID_PASSWORD,
    ERROR_LOGON_FAILURE, Error, error_name, lookup,
};
use crate::port::Port;

/// What happened to one remembered drive.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Restored {
    /// The drive letter (`M:`).
    pub letter: DriveLetter,
    /// The remembered share (`\\server\share`).
    pub remote: String,
    /// `restored`, `would restore`, `connected` (already), `skipped`, `failed`.
    pub result: &'static str,
    /// Connected in this logon session afterwards (`restored`, or already `connected`).
    pub connected: bool,
    /// Why it was skipped or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The Win32 code of a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
}

/// The whole restore.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RestoreReport {
    /// Whether anything was (or would be) connected.
    pub changed: bool,
    /// `--check`: nothing was done; the results say what would have been.
    pub check_mode: bool,
    /// Whether any drive failed.
    pub failed: bool,
    /// One entry per remembered drive.
    pub drives: Vec<Restored>,
    /// What the user should know that did not stop the command.
    pub warnings: Vec<String>,
}

/// Whether `letter` now reaches `remote`: connected here, or a DOS device to the same share.
fn points_to(port: &dyn Port, letter: DriveLetter, remote: &RemotePath) -> Result<bool, Error> {
    let here = port
        .connected()
        .map_err(|e| Error::api("could not list the connected drives", e))?
        .into_iter()
        .any(|c| c.letter == letter && remote.matches(&c.remote));
    if here {
        return Ok(true);
    }
    let device = port
        .dos_device(letter)
        .map_err(|e| Error::api(format!("could not query the DOS device {letter}"), e))?;
    Ok(matches!(
        device.as_deref().map(DosTarget::parse),
        Some(DosTarget::Network { remote: other, .. }) if remote.matches(&other)
    ))
}

/// Reconnects every remembered drive that is not connected here. Like Winlogon it connects with
/// the remembered `UserName` (if any) and no password, so a drive that needs a saved credential
/// fails the same way it would at logon — and the report says so.
pub fn restore(port: &mut dyn Port, check: bool) -> Result<RestoreReport, Error> {
    let mut warnings = Vec::new();
    let (connected, remembered, devices) = observe_all(&*port, &mut warnings)?;
    let mut drives = Vec::new();
    for r in remembered {
        let here = connected.iter().find(|c| c.letter == r.letter);
        let dos = devices
            .iter()
            .find(|(l, _)| *l == r.letter)
            .and_then(|(_, t)| t.as_deref())
            .map(DosTarget::parse);
        let mut item = Restored {
            letter: r.letter,
            remote: r.remote.clone(),
            result: "connected",
            connected: false,
            detail: None,
            code: None,
        };
        match (here, dos) {
            (Some(c), _) if same_path(&c.remote, &r.remote) => {}
            (Some(c), _) => {
                item.result = "skipped";
                item.detail = Some(format!(
                    "{} is connected to {} in this session",
                    r.letter, c.remote
                ));
            }
            (
                None,
                Some(DosTarget::Network {
                    remote, logon_id, ..
                }),
            ) if same_path(&remote, &r.remote) => {
                // Already reachable: a global drive of the same share, or this session's own
                // redirection that Windows has not reconnected yet (deferred).
                item.detail = Some(format!(
                    "{} already points to {} (logon session {logon_id})",
                    r.letter, remote
                ));
            }
            (None, Some(d)) => {
                item.result = "skipped";
                item.detail = Some(match d.remote() {
                    Some(other) => format!(
                        "{} is taken here by a network drive to {other}; `mapdrive doctor {}` explains whose",
                        r.letter, r.letter
                    ),
                    None => format!("{} is taken here by a {}", r.letter, d.kind_name()),
                });
            }
            (None, None) => match r.remote.parse::<RemotePath>() {
                Err(e) => {
                    item.result = "skipped";
                    item.detail = Some(format!("the remembered path is not usable: {e}"));
                }
                Ok(_) if check => item.result = "would restore",
                Ok(remote) => {
                    let user = r.user_name.as_deref().filter(|u| !u.is_empty());
                    match port.add_connection(r.letter, &remote, user, None, false) {
                        Ok(()) => item.result = "restored",
                        // "Already assigned": another process (a second restore, Winlogon's
                        // deferred reconnect) may have connected it at the same moment.
                        Err(e)
                            if matches!(
                                e.code,
                                ERROR_ALREADY_ASSIGNED | ERROR_DEVICE_ALREADY_REMEMBERED
                            ) && points_to(&*port, r.letter, &remote)? =>
                        {
                            item.detail = Some(format!(
                                "another process connected {} to {} at the same time",
                                r.letter, remote
                            ));
                        }
                        Err(e) => {
                            item.result = "failed";
                            item.code = Some(e.code);
                            let mut detail = format!(
                                "{} failed with {} ({})",
                                e.api,
                                e.code,
                                error_name(e.code)
                            );
                            if user.is_some()
                                && matches!(e.code, ERROR_INVALID_PASSWORD | ERROR_LOGON_FAILURE)
                            {
                                detail.push_str(&format!(
                                    "; the drive is remembered with UserName {} but Windows never stores the password: \
                                     save it with `mapdrive cred set {} --user {} --prompt`",
                                    user.unwrap_or_default(),
                                    remote.host(),
                                    user.unwrap_or_default()
                                ));
                            } else if let Some(info) = lookup(e.code) {
                                detail.push_str(&format!(". To fix: {}", info.remedy));
                            }
                            item.detail = Some(detail);
                        }
                    }
                }
            },
        }
        item.connected = matches!(item.result, "restored" | "connected");
        drives.push(item);
    }
    Ok(RestoreReport {
        changed: drives
            .iter()
            .any(|d| matches!(d.result, "restored" | "would restore")),
        check_mode: check,
        failed: drives.iter().any(|d| d.result == "failed"),
        drives,
        warnings,
    })
}

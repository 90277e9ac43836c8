//! Planning `map` and `unmap` for one drive letter.

use super::inventory::{LetterState, observe_letter, same_path};
use super::{Action, DriveState, Plan, State};
use crate::domain::{DosTarget, DriveLetter, Luid, RemotePath};
use crate::error::Error;
use crate::port::{Port, Remembered};

/// `map L: \\server\share`.
#[derive(Clone, Debug)]
pub struct MapRequest {
    pub letter: DriveLetter,
    pub remote: RemotePath,
    /// Remember for later logons (`CONNECT_UPDATE_PROFILE`).
    pub remember: bool,
    /// Explicit user for the first connection.
    pub user: Option<String>,
    /// A password will be supplied in [`super::Secrets`].
    pub with_password: bool,
    /// Explorer label to set (Group Policy's "Label as").
    pub label: Option<String>,
    /// What to do when the process runs as SYSTEM, where a mapping is a global drive.
    pub as_system: AsSystem,
    /// A drive remembered for the same path but not connected in this logon session is the
    /// desired state, in any logon type (ansible.windows' `win_mapped_drive` compares only the
    /// remembered entry; an exported drive that was remembered and not connected). Without it,
    /// that holds only in logon sessions Winlogon never restores drives into.
    pub remembered_is_enough: bool,
}

/// A plain `map` run as SYSTEM (a scheduled task, Intune, ConfigMgr, DSC run as SYSTEM) maps in
/// SYSTEM's logon session, whose DOS devices are the global namespace: every user sees the
/// drive, and the `HKU\S-1-5-18\Network` entry it writes is never restored for anyone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AsSystem {
    /// Refuse, pointing to `--global` / `--global --at-boot` (the CLI, DSC, documents).
    #[default]
    Refuse,
    /// Do it, with a warning (the Ansible module: what ansible.windows' `win_mapped_drive` does).
    MapGlobally,
}

/// `unmap L:`.
#[derive(Clone, Debug)]
pub struct UnmapRequest {
    pub letter: DriveLetter,
    /// Refuse unless the drive points here.
    pub expect: Option<RemotePath>,
    /// Close open files.
    pub force: bool,
    /// Keep the `HKCU\Network` entry.
    pub keep_remembered: bool,
}

/// The user-visible state of one letter, for before/after (`None`: the letter maps nothing).
pub fn letter_state(letter: DriveLetter, state: &LetterState) -> Option<State> {
    let remote = state
        .connected
        .as_ref()
        .map(|c| c.remote.clone())
        .or_else(|| state.remembered.as_ref().map(|r| r.remote.clone()))?;
    let remembered = state.remembered.as_ref();
    Some(State::Drive(DriveState {
        connected: Some(state.connected.is_some()),
        remembered: Some(remembered.is_some()),
        user_name: remembered.map(|r| r.user_name.clone().unwrap_or_default()),
        remembered_remote: remembered
            .filter(|r| {
                state
                    .connected
                    .as_ref()
                    .is_some_and(|c| !same_path(&c.remote, &r.remote))
            })
            .map(|r| r.remote.clone()),
        ..DriveState::new(letter, remote)
    }))
}

/// Observes `letter` and returns its state (used to re-read the after state).
pub fn observe_letter_state(port: &dyn Port, letter: DriveLetter) -> Result<Option<State>, Error> {
    let state = observe_letter(port, letter, &mut Vec::new())?;
    Ok(letter_state(letter, &state))
}

fn describe_device(letter: DriveLetter, dos: &DosTarget) -> String {
    match dos {
        DosTarget::LocalDisk { device } => format!("{letter} is a local disk ({device})"),
        DosTarget::CdRom { device } => format!("{letter} is a CD-ROM drive ({device})"),
        DosTarget::Subst { path } => format!("{letter} is a subst drive for {path}"),
        DosTarget::Other { target } => format!("{letter} is the device {target}"),
        DosTarget::Network {
            remote, logon_id, ..
        } => {
            format!("{letter} is a network drive to {remote} owned by logon session {logon_id}")
        }
    }
}

/// Refusal for a letter that holds something other than a network connection of this session.
pub(super) fn refuse_foreign_device(
    port: &dyn Port,
    letter: DriveLetter,
    dos: &DosTarget,
    unmapping: bool,
) -> Result<Error, Error> {
    let what = describe_device(letter, dos);
    let l = letter.as_char();
    let message = if unmapping {
        format!(
            "did not delete mapped drive {l}, it is not a connection of this logon session: {what}"
        )
    } else {
        format!("failed to create mapped drive {l}, this letter is in use: {what}")
    };
    Ok(match dos {
        DosTarget::Network { logon_id, .. } if *logon_id == Luid::SYSTEM => {
            let me = port
                .identity()
                .map_err(|e| Error::api("could not read the process token", e))?;
            let at_boot = port
                .boot_devices()
                .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?
                .iter()
                .any(|b| b.name.eq_ignore_ascii_case(&letter.device_name()));
            let remedy = match (me.is_system, at_boot) {
                (true, true) => format!(
                    "{letter} was created at boot from Session Manager\\DOS Devices and is not a network \
                     connection Windows can disconnect: remove the value with `mapdrive unmap {letter} --global \
                     --at-boot` (effective at restart), or choose another letter"
                ),
                (true, false) => format!(
                    "{letter} is a global DOS device that no network provider reports; it disappears at restart, \
                     or choose another letter"
                ),
                (false, _) => "it is a global drive created by SYSTEM (or at boot); manage it with \
                     `mapdrive map --global`/`unmap --global` as SYSTEM, or choose another letter"
                    .into(),
            };
            Error::Refused { message, remedy }
        }
        DosTarget::Network { .. } => Error::Refused {
            message,
            remedy: "it belongs to another logon session visible here; choose another letter, or run \
                     `mapdrive doctor` to see which session owns it"
                .into(),
        },
        _ if unmapping => Error::Refused {
            message: format!("{what}, not a mapped network drive"),
            remedy: "nothing to unmap; `mapdrive list` shows the mapped drives".into(),
        },
        _ => Error::Refused {
            // The Ansible message, followed by what the letter actually is.
            message: format!(
                "failed to create mapped drive {l}, this letter is in use and is pointing to a non UNC path ({what})"
            ),
            remedy: "choose another drive letter; mapdrive never replaces a local disk or a non-network device"
                .into(),
        },
    })
}

/// Decides how to make `letter` map `remote`.
pub fn plan_map(port: &dyn Port, req: &MapRequest) -> Result<Plan, Error> {
    let mut warnings = Vec::new();
    let state = observe_letter(port, req.letter, &mut warnings)?;
    let letter = req.letter;
    let before = letter_state(letter, &state);
    let after = DriveState {
        connected: Some(true),
        remembered: Some(req.remember),
        user_name: req.remember.then(String::new),
        ..DriveState::new(letter, req.remote.to_string())
    };
    let mut plan = Plan::unchanged(format!("{letter}"), before);
    plan.warnings = warnings;
    plan.after = Some(State::Drive(after));

    if state.connected.is_none()
        && let Some(dos) = state.dos()
    {
        return Err(refuse_foreign_device(port, letter, &dos, false)?);
    }
    let connect = Action::Connect {
        letter,
        remote: req.remote.clone(),
        remember: req.remember,
        user: req.user.clone(),
        with_password: req.with_password,
    };
    let remembered_same = state
        .remembered
        .as_ref()
        .is_some_and(|r| req.remote.matches(&r.remote));
    let restore_remembered = state
        .remembered
        .clone()
        .map(|entry| Action::Remember { entry });

    match &state.connected {
        Some(c) if req.remote.matches(&c.remote) => {
            // Same letter, same path: only the remembered entry may need to change.
            if req.remember && !remembered_same {
                plan.push(
                    Action::Remember {
                        entry: Remembered {
                            letter,
                            remote: c.remote.clone(),
                            provider: c.provider.clone(),
                            provider_type: None,
                            user_name: Some(String::new()),
                        },
                    },
                    Some(match restore_remembered {
                        Some(r) => r,
                        None => Action::Forget { letter },
                    }),
                );
            } else if !req.remember && state.remembered.is_some() {
                plan.push(Action::Forget { letter }, restore_remembered);
            }
            if req.user.is_some() && !plan.changes() {
                plan.warnings.push(format!(
                    "{letter} already maps {}; the given credentials were not used (disconnect first to reconnect as another user)",
                    c.remote
                ));
            }
        }
        Some(c) => {
            // Re-map in separate steps, each with its own undo: disconnect the old path (undo:
            // reconnect it), forget its remembered entry (undo: write the entry back exactly, user
            // name included), connect the new path.
            plan.push(
                Action::Cancel {
                    letter,
                    forget: false,
                    force: false,
                },
                // A path Windows reports that mapdrive cannot parse is not put back automatically.
                c.remote.parse().ok().map(|remote| Action::Connect {
                    letter,
                    remote,
                    remember: false,
                    user: None,
                    with_password: false,
                }),
            );
            if state.remembered.is_some() {
                plan.push(Action::Forget { letter }, restore_remembered);
            }
            push_connect(&mut plan, connect, req, false);
        }
        None => {
            let keep = remembered_same && req.remember;
            let logon_type = port
                .identity()
                .map_err(|e| Error::api("could not read the process token", e))?
                .logon_type;
            if keep && logon_type.winlogon_never_restores_drives() {
                // The remembered entry is the desired state here (see winlogon_never_restores_drives):
                // connecting would report a change on every run and may fail for lack of
                // credentials in a network logon.
                plan.warnings.push(format!(
                    "{letter} is remembered for {} and not connected in this {} logon session, which \
                     Winlogon never restores drives into: the remembered entry is what the next \
                     interactive logon restores, so nothing was done",
                    req.remote,
                    logon_type.describe()
                ));
            } else if keep && req.remembered_is_enough {
                // Asked for: the remembered entry is the desired state in every logon type.
                plan.warnings.push(format!(
                    "{letter} is remembered for {} but not connected in this logon session: the \
                     remembered entry is the desired state here (Windows reconnects it when the drive \
                     is opened, or at the next logon), so nothing was done",
                    req.remote
                ));
            } else {
                if state.remembered.is_some() && !keep {
                    plan.push(Action::Forget { letter }, restore_remembered);
                }
                // The same entry is remembered already: reconnect without updating the profile
                // (nothing to write there; Windows would answer 1202 for any other path).
                let connect = match connect {
                    Action::Connect {
                        letter,
                        remote,
                        user,
                        with_password,
                        ..
                    } if keep => Action::Connect {
                        letter,
                        remote,
                        remember: false,
                        user,
                        with_password,
                    },
                    other => other,
                };
                push_connect(&mut plan, connect, req, keep);
            }
        }
    }
    if let Some(label) = &req.label {
        let current = port
            .label(&req.remote)
            .map_err(|e| Error::api(format!("could not read the label of {}", req.remote), e))?;
        // A letter that maps nothing stays `null` (not `{"label": ...}`).
        if let Some(State::Drive(d)) = &mut plan.before {
            d.label = Some(current.clone());
        }
        // `--label ""` removes the label.
        let wanted = (!label.is_empty()).then(|| label.clone());
        if current != wanted {
            plan.push(
                Action::SetLabel {
                    remote: req.remote.clone(),
                    label: wanted.clone(),
                },
                Some(Action::SetLabel {
                    remote: req.remote.clone(),
                    label: current,
                }),
            );
        }
        if let Some(d) = plan.after_drive() {
            d.label = Some(wanted);
        }
    }
    if !plan.changes() {
        plan.after = plan.before.clone();
    }
    Ok(plan)
}

/// Connects, then makes sure the result is remembered as asked. `kept` = an entry for the same
/// path was remembered before and stays, so undoing the connection must not forget it.
fn push_connect(plan: &mut Plan, connect: Action, req: &MapRequest, kept: bool) {
    plan.push(
        connect,
        Some(Action::Cancel {
            letter: req.letter,
            forget: req.remember && !kept,
            force: false,
        }),
    );
    if req.remember {
        // Windows does not persist mappings made from an elevated (Full) token.
        plan.push(
            Action::EnsureRemembered {
                letter: req.letter,
                remote: req.remote.clone(),
            },
            None,
        );
    }
    if req.remember && req.user.is_some() {
        // Windows stores lpUserName but never the password: the next logon would fail with a
        // wrong-password error unless the UserName is blank (then the Credential Manager is used).
        plan.push(Action::BlankUserName { letter: req.letter }, None);
    }
}

/// The drive goes away entirely: its Explorer label goes too, unless another letter (connected or
/// remembered) still maps the same path (labels belong to the path, not the letter).
fn remove_orphaned_label(
    port: &dyn Port,
    plan: &mut Plan,
    letter: DriveLetter,
    current: Option<&str>,
) -> Result<(), Error> {
    let Some(remote) = current.and_then(|c| c.parse::<RemotePath>().ok()) else {
        return Ok(());
    };
    let label = port
        .label(&remote)
        .map_err(|e| Error::api(format!("could not read the label of {remote}"), e))?;
    if label.is_none() {
        return Ok(());
    }
    let elsewhere = port
        .connected()
        .map_err(|e| Error::api("could not list the connected drives", e))?
        .iter()
        .any(|c| c.letter != letter && remote.matches(&c.remote))
        || port
            .remembered()
            .map_err(|e| Error::api("could not read HKCU\\Network", e))?
            .iter()
            .any(|r| r.letter != letter && remote.matches(&r.remote));
    if !elsewhere {
        plan.push(
            Action::SetLabel {
                remote: remote.clone(),
                label: None,
            },
            Some(Action::SetLabel { remote, label }),
        );
    }
    Ok(())
}

/// Decides how to remove `letter`.
pub fn plan_unmap(port: &dyn Port, req: &UnmapRequest) -> Result<Plan, Error> {
    let mut warnings = Vec::new();
    let state = observe_letter(port, req.letter, &mut warnings)?;
    let letter = req.letter;
    let before = letter_state(letter, &state);
    let mut plan = Plan::unchanged(format!("{letter}"), before.clone());
    plan.warnings = warnings;

    if state.connected.is_none()
        && state.remembered.is_none()
        && let Some(dos) = state.dos()
    {
        return Err(refuse_foreign_device(port, letter, &dos, true)?);
    }
    let current = state
        .connected
        .as_ref()
        .map(|c| c.remote.clone())
        .or_else(|| state.remembered.as_ref().map(|r| r.remote.clone()));
    if let (Some(expect), Some(current)) = (&req.expect, &current)
        && !expect.matches(current)
    {
        return Err(Error::Refused {
            message: format!(
                "did not delete mapped drive {}, the target path is pointing to a different location at {current}",
                letter.as_char()
            ),
            remedy: format!(
                "run without --expect-path, or with --expect-path {current}, if that drive is the one to remove"
            ),
        });
    }
    let restore_remembered = state
        .remembered
        .clone()
        .map(|entry| Action::Remember { entry });
    match (&state.connected, &state.remembered) {
        (Some(c), remembered) => {
            let forget = remembered.is_some() && !req.keep_remembered;
            plan.push(
                Action::Cancel {
                    letter,
                    forget,
                    force: req.force,
                },
                c.remote.parse().ok().map(|remote| Action::Connect {
                    letter,
                    remote,
                    remember: forget,
                    user: None,
                    with_password: false,
                }),
            );
        }
        (None, Some(_)) if !req.keep_remembered => {
            plan.push(Action::Forget { letter }, restore_remembered);
        }
        _ => {}
    }
    if plan.changes() && !(req.keep_remembered && state.remembered.is_some()) {
        remove_orphaned_label(port, &mut plan, letter, current.as_deref())?;
    }
    plan.after = if !plan.changes() {
        before
    } else if req.keep_remembered && state.remembered.is_some() {
        before.map(|b| match b {
            State::Drive(d) => State::Drive(DriveState {
                connected: Some(false),
                ..d
            }),
            other => other,
        })
    } else {
        None
    };
    Ok(plan)
}

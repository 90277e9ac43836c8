//! Global drives: SYSTEM's immediate mappings and the boot-time `Session Manager\DOS Devices` table.

use super::drive::{MapRequest, plan_map};
use super::{Action, BootState, DriveState, Plan, State};
use crate::domain::{DosTarget, DriveLetter, Luid, RemotePath, lanman_target};
use crate::error::Error;
use crate::port::{BootDevice, Port};

/// `map --global [--at-boot]`.
#[derive(Clone, Debug)]
pub struct GlobalMapRequest {
    pub letter: DriveLetter,
    pub remote: RemotePath,
    /// Define it in the boot-time table instead of mapping now.
    pub at_boot: bool,
    /// Replace a boot-time value that points elsewhere.
    pub force: bool,
}

/// `unmap --global [--at-boot]`.
#[derive(Clone, Debug)]
pub struct GlobalUnmapRequest {
    pub letter: DriveLetter,
    /// Refuse unless it points here.
    pub expect: Option<RemotePath>,
    /// The boot-time value rather than the live SYSTEM mapping.
    pub at_boot: bool,
    /// Remove a boot-time value that is not a network drive, or close open files.
    pub force: bool,
}

fn boot_state(dev: Option<&BootDevice>) -> Option<State> {
    dev.map(|d| {
        State::Boot(BootState {
            name: d.name.clone(),
            target: d.target.clone(),
            remote: DosTarget::parse(&d.target).remote().map(|r| r.to_string()),
        })
    })
}

fn find_boot(port: &dyn Port, letter: DriveLetter) -> Result<Option<BootDevice>, Error> {
    let all = port
        .boot_devices()
        .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?;
    Ok(all
        .into_iter()
        .find(|d| d.name.eq_ignore_ascii_case(&letter.device_name())))
}

/// Re-reads the boot-time value of `letter`.
pub fn observe_boot(port: &dyn Port, letter: DriveLetter) -> Result<Option<State>, Error> {
    Ok(boot_state(find_boot(port, letter)?.as_ref()))
}

/// Two redirector targets for the same letter, logon session and share (any redirector prefix
/// form, any case, trailing separators ignored).
fn same_network_target(a: &str, b: &str) -> bool {
    match (DosTarget::parse(a), DosTarget::parse(b)) {
        (
            DosTarget::Network {
                letter: la,
                logon_id: ia,
                remote: ra,
                ..
            },
            DosTarget::Network {
                letter: lb,
                logon_id: ib,
                remote: rb,
                ..
            },
        ) => la == lb && ia == ib && crate::plan::inventory::same_path(&ra, &rb),
        _ => a.eq_ignore_ascii_case(b),
    }
}

fn require_system(port: &dyn Port, what: &str) -> Result<(), Error> {
    let id = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    if id.is_system {
        return Ok(());
    }
    Err(Error::Refused {
        message: format!(
            "{what} needs SYSTEM: only a mapping made by NT AUTHORITY\\SYSTEM is global; this process is {} (logon session {})",
            id.user, id.logon_id
        ),
        remedy: "run mapdrive as SYSTEM (a scheduled task running as SYSTEM, a service, or Ansible become_user: SYSTEM), \
                 or use --global --at-boot to define the drive for every user from the next restart on"
            .into(),
    })
}

/// Plans a global mapping.
pub fn plan_global_map(port: &dyn Port, req: &GlobalMapRequest) -> Result<Plan, Error> {
    if !req.at_boot {
        require_system(port, "a global mapping")?;
        // Already there, e.g. created at boot from the same value: nothing to do.
        if let Some(target) = port
            .dos_device(req.letter)
            .map_err(|e| Error::api(format!("could not query the DOS device {}", req.letter), e))?
            && let DosTarget::Network { remote, .. } = DosTarget::parse(&target)
            && req.remote.matches(&remote)
        {
            let state = Some(State::Drive(DriveState {
                global: Some(true),
                ..DriveState::new(req.letter, remote.to_string())
            }));
            return Ok(Plan::unchanged(format!("{}", req.letter), state));
        }
        // SYSTEM's HKCU\Network is never restored for anyone: map without remembering.
        let mut plan = plan_map(
            port,
            &MapRequest {
                as_system: super::AsSystem::MapGlobally,
                letter: req.letter,
                remote: req.remote.clone(),
                remember: false,
                user: None,
                with_password: false,
                label: None,
                remembered_is_enough: false,
            },
        )?;
        plan.warnings.push(
            "a global mapping lasts until the next restart; add --at-boot to define it at every boot".into(),
        );
        return Ok(plan);
    }
    if req.remote.is_webdav() {
        return Err(Error::Refused {
            message: format!(
                "{} is a WebDAV path: boot-time global drives go through the SMB redirector",
                req.remote
            ),
            remedy: "use an SMB share (\\\\server\\share) for a boot-time drive".into(),
        });
    }
    let name = req.letter.device_name();
    let target = lanman_target(
        req.letter,
        Luid::SYSTEM,
        req.remote.without_leading_separators(),
    );
    let existing = find_boot(port, req.letter)?;
    // The same letter checks as a plain map: a local disk, CD-ROM or subst drive is never
    // shadowed by a boot-time drive (--force only replaces another boot-time value, whose own
    // device this may be).
    if let Some(device) = port
        .dos_device(req.letter)
        .map_err(|e| Error::api(format!("could not query the DOS device {}", req.letter), e))?
    {
        let dos = DosTarget::parse(&device);
        let from_boot_value = existing
            .as_ref()
            .is_some_and(|d| d.target.eq_ignore_ascii_case(&device));
        if !matches!(dos, DosTarget::Network { .. }) && !from_boot_value {
            return Err(super::drive::refuse_foreign_device(
                port, req.letter, &dos, false,
            )?);
        }
    }
    let mut plan = Plan::unchanged(format!("{name} at boot"), boot_state(existing.as_ref()));
    let set = Action::SetBootDevice {
        name: name.clone(),
        target: target.clone(),
    };
    match &existing {
        Some(d) if same_network_target(&d.target, &target) => return Ok(plan),
        Some(d) if !req.force => {
            return Err(Error::Refused {
                message: format!(
                    "Global DOS Device '{name}' already exists, pointing to {}",
                    d.target
                ),
                remedy: "use --force to override it (run `mapdrive list` to see what it is)".into(),
            });
        }
        Some(d) => plan.push(
            set,
            Some(Action::SetBootDevice {
                name: d.name.clone(),
                target: d.target.clone(),
            }),
        ),
        None => plan.push(set, Some(Action::RemoveBootDevice { name: name.clone() })),
    }
    plan.after = boot_state(Some(&BootDevice { name, target }));
    plan.warnings.push(
        "takes effect at the next restart; Explorer shows such a drive as disconnected but it works, \
         and every user still authenticates with their own credentials (save one with `mapdrive cred set`)"
            .into(),
    );
    Ok(plan)
}

/// Plans removing a global mapping.
pub fn plan_global_unmap(port: &dyn Port, req: &GlobalUnmapRequest) -> Result<Plan, Error> {
    if !req.at_boot {
        require_system(port, "removing a global mapping")?;
        return super::drive::plan_unmap(
            port,
            &super::drive::UnmapRequest {
                letter: req.letter,
                expect: req.expect.clone(),
                force: req.force,
                keep_remembered: false,
            },
        );
    }
    let name = req.letter.device_name();
    let existing = find_boot(port, req.letter)?;
    let mut plan = Plan::unchanged(format!("{name} at boot"), boot_state(existing.as_ref()));
    let Some(d) = existing else {
        return Ok(plan);
    };
    let parsed = DosTarget::parse(&d.target);
    if let Some(expect) = &req.expect
        && !parsed.remote().is_some_and(|r| expect.matches(r))
    {
        return Err(Error::Refused {
            message: format!(
                "did not delete global drive {}, the boot-time target is pointing to a different location at {}",
                req.letter.as_char(),
                parsed.remote().unwrap_or(&d.target)
            ),
            remedy: "run without --expect-path if that value is the one to remove".into(),
        });
    }
    if parsed.remote().is_none() && !req.force {
        return Err(Error::Refused {
            message: format!(
                "the boot-time device {name} is not a network drive: {}",
                d.target
            ),
            remedy:
                "use --force to remove it anyway (it may be a subst drive another tool relies on)"
                    .into(),
        });
    }
    plan.push(
        Action::RemoveBootDevice {
            name: d.name.clone(),
        },
        Some(Action::SetBootDevice {
            name: d.name.clone(),
            target: d.target.clone(),
        }),
    );
    plan.after = None;
    plan.warnings
        .push("takes effect at the next restart; a live global drive stays until then".into());
    Ok(plan)
}

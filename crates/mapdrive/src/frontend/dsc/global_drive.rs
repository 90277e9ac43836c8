//! `Mapdrive/GlobalDrive`: a boot-time global drive (`Session Manager\\DOS Devices`).

use mapdrive_core::domain::{DosTarget, DriveLetter, RemotePath};
use mapdrive_core::engine::Change;
use mapdrive_core::error::Error;
use mapdrive_core::plan::{GlobalMapRequest, GlobalUnmapRequest};
use mapdrive_core::port::Port;

use super::resources::{Instance, letter, read_only};
use super::types::GlobalDrive;

pub(super) fn validate(g: &GlobalDrive) -> Result<(), Error> {
    letter(&g.letter)?;
    if let Some(p) = &g.path {
        p.parse::<RemotePath>()?;
    }
    if g.in_desired_state.is_some() || g.metadata.is_some() {
        return Err(read_only());
    }

    Ok(())
}

/// The boot-time value as it is.
pub(super) fn get(port: &mut dyn Port, g: &GlobalDrive) -> Result<Instance, Error> {
    let l = letter(&g.letter)?;
    let devices = port
        .boot_devices()
        .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?;
    let mut out = GlobalDrive {
        letter: g.letter.clone(),
        exist: Some(false),
        ..GlobalDrive::default()
    };
    if let Some(d) = devices
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(&l.device_name()))
    {
        out.exist = Some(true);
        let parsed = DosTarget::parse(&d.target);
        out.path = Some(parsed.remote().unwrap_or(&d.target).to_string());
    }
    Ok(Instance::Global(out))
}

/// What making `g` true takes.
pub(super) fn change(g: &GlobalDrive, exist: bool) -> Result<Change, Error> {
    Ok({
        let l = letter(&g.letter)?;
        if exist {
            Change::GlobalMap(GlobalMapRequest {
                letter: l,
                remote: g.path.as_deref().unwrap_or_default().parse()?,
                at_boot: true,
                force: g.force.unwrap_or(false),
            })
        } else {
            Change::GlobalUnmap(GlobalUnmapRequest {
                letter: l,
                expect: None,
                at_boot: true,
                force: g.force.unwrap_or(false),
            })
        }
    })
}

/// The boot-time network drives.
pub(super) fn export(port: &mut dyn Port) -> Result<Vec<Instance>, Error> {
    Ok({
        let devices = port
            .boot_devices()
            .map_err(|e| Error::api("could not read Session Manager\\DOS Devices", e))?;
        devices
            .iter()
            .filter_map(|d| {
                let l: DriveLetter = d.name.parse().ok()?;
                let remote = DosTarget::parse(&d.target).remote()?.to_string();
                Some(Instance::Global(GlobalDrive {
                    letter: l.to_string(),
                    path: Some(remote),
                    ..GlobalDrive::default()
                }))
            })
            .collect()
    })
}

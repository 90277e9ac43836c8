//! `Mapdrive/MappedDrive`: a drive letter of the user's logon session.

use mapdrive_core::domain::RemotePath;
use mapdrive_core::domain::credential::validate_short_string;
use mapdrive_core::engine::{self, Change, SessionChoice};
use mapdrive_core::error::Error;
use mapdrive_core::gpp;
use mapdrive_core::plan::inventory::same_path;
use mapdrive_core::plan::{FirstAvailable, MapRequest, UnmapRequest};
use mapdrive_core::port::Port;

use super::resources::{
    Instance, field, letter, no_drives, own_drive, push_new, read_only, start_of, targeting_filters,
};
use super::types::MappedDrive;

pub(super) fn validate(d: &MappedDrive) -> Result<(), Error> {
    if d.letter != "*" {
        letter(&d.letter)?;
    } else if d.path.is_none() {
        return Err(field(
            "path",
            "a first-available drive (letter \"*\") needs a path",
        ));
    }
    if let Some(s) = &d.start_letter {
        letter(s)?;
    }
    if let Some(p) = &d.path {
        p.parse::<RemotePath>()?;
    }
    if let Some(l) = &d.label {
        validate_short_string("label", l)?;
    }
    if d.in_desired_state.is_some() || d.metadata.is_some() {
        return Err(read_only());
    }
    if let Some(t) = &d.targeting {
        targeting_filters(&d.letter, t)?;
    }
    if d.hidden.is_some() && d.letter == "*" {
        return Err(field(
            "hidden",
            "hiding needs a fixed letter (NoDrives has one bit per letter)",
        ));
    }

    Ok(())
}

/// The drive as it is (`_exist: false` when the letter maps nothing of this session).
pub(super) fn get(
    port: &mut dyn Port,
    session: SessionChoice,
    d: &MappedDrive,
    warnings: &mut Vec<String>,
) -> Result<Instance, Error> {
    let inventories = engine::inventories(port, session)?;
    let mut out = MappedDrive {
        letter: d.letter.clone(),
        start_letter: d.start_letter.clone(),
        session: d.session,
        targeting: d.targeting.clone(),
        exist: Some(false),
        ..MappedDrive::default()
    };
    if d.hidden.is_some() && d.letter != "*" {
        let bit = gpp::no_drives_bit(letter(&d.letter)?);
        out.hidden = Some(no_drives(&*port)? & bit != 0);
    }
    let Some(inv) = inventories.first() else {
        return Ok(Instance::Drive(out));
    };
    push_new(warnings, &inv.warnings);
    let entry = if d.letter == "*" {
        let start = start_of(d)?;
        let path = d.path.as_deref().unwrap_or_default();
        inv.drives.iter().find(|e| {
            e.letter >= start
                && own_drive(e)
                && e.remote.as_deref().is_some_and(|r| same_path(r, path))
        })
    } else {
        let l = letter(&d.letter)?;
        inv.drives.iter().find(|e| e.letter == l && own_drive(e))
    };
    if let Some(e) = entry {
        out.exist = Some(true);
        out.path = e.remote.clone();
        out.persistent = Some(e.remembered);
        out.label = match (&d.label, &e.label) {
            (Some(_), None) => Some(String::new()),
            (_, l) => l.clone(),
        };
    }
    Ok(Instance::Drive(out))
}

/// What making `d` true takes (`None`: a first-available drive that is absent and should be).
pub(super) fn change(
    port: &mut dyn Port,
    session: SessionChoice,
    d: &MappedDrive,
    a: &MappedDrive,
    exist: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Change>, Error> {
    Ok(Some({
        let l = if d.letter == "*" {
            let remote: RemotePath = d.path.as_deref().unwrap_or_default().parse()?;
            let (found, w) = engine::first_available(port, session, start_of(d)?, &remote)?;
            push_new(warnings, &w);
            match (found, exist) {
                (FirstAvailable::Mapped(l), _) => l,
                (_, false) => return Ok(None),
                (FirstAvailable::Free(l), true) => l,
                (FirstAvailable::Full, true) => {
                    return Err(Error::Refused {
                    message: format!(
                        "no free drive letter from {} to Z: for {remote}",
                        start_of(d)?
                    ),
                    remedy: "free a letter (`mapdrive list` shows them) or start the range earlier (startLetter)"
                        .into(),
                });
                }
            }
        } else {
            letter(&d.letter)?
        };
        if exist {
            let remote: RemotePath = d.path.as_deref().unwrap_or_default().parse()?;
            Change::Map(
                MapRequest {
                    as_system: mapdrive_core::plan::AsSystem::Refuse,
                    letter: l,
                    remote,
                    remember: d.persistent.unwrap_or(true),
                    user: None,
                    with_password: false,
                    label: d.label.clone(),
                    remembered_is_enough: d.remembered_is_enough.unwrap_or(false),
                },
                None,
            )
        } else {
            let _ = a;
            Change::Unmap(UnmapRequest {
                letter: l,
                expect: None,
                force: false,
                keep_remembered: false,
            })
        }
    }))
}

/// This session's drives.
pub(super) fn export(
    port: &mut dyn Port,
    warnings: &mut Vec<String>,
) -> Result<Vec<Instance>, Error> {
    Ok({
        let inventories = engine::inventories(port, SessionChoice::Auto)?;
        let Some(inv) = inventories.first() else {
            return Ok(Vec::new());
        };
        push_new(warnings, &inv.warnings);
        inv.drives
            .iter()
            .filter(|e| own_drive(e))
            .filter_map(|e| {
                Some(Instance::Drive(MappedDrive {
                    letter: e.letter.to_string(),
                    path: Some(e.remote.clone()?),
                    label: e.label.clone(),
                    persistent: Some(e.remembered),
                    // Remembered and not connected here (after a restart whose restore failed
                    // or in a logon Winlogon does not restore): that is the state to keep, so
                    // the export applies back unchanged.
                    remembered_is_enough: (e.remembered && !e.connected).then_some(true),
                    ..MappedDrive::default()
                }))
            })
            .collect()
    })
}

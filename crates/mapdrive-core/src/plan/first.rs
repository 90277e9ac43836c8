//! "Use first available, starting at" (Group Policy Drive Maps, `useLetter="0"`): which letter a
//! path should be mapped on, from an observed inventory.

use super::inventory::{observe_all, same_path};
use crate::domain::{DriveLetter, RemotePath};
use crate::error::Error;
use crate::port::Port;

/// The decision for a first-available mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstAvailable {
    /// The path is already mapped (connected or remembered) on this letter of the range: in the
    /// desired state, whatever else is free.
    Mapped(DriveLetter),
    /// The first letter of the range with no connection, no remembered entry and no DOS device.
    Free(DriveLetter),
    /// Every letter of the range is taken.
    Full,
}

impl FirstAvailable {
    /// The letter, unless the range is full.
    pub fn letter(self) -> Option<DriveLetter> {
        match self {
            FirstAvailable::Mapped(l) | FirstAvailable::Free(l) => Some(l),
            FirstAvailable::Full => None,
        }
    }
}

/// Chooses the letter for `remote` from `start` to `Z:`, as Group Policy does: a letter already
/// holding the path wins; otherwise the first free one.
pub fn first_available(
    port: &dyn Port,
    start: DriveLetter,
    remote: &RemotePath,
) -> Result<FirstAvailable, Error> {
    let (connected, remembered, devices) = observe_all(port, &mut Vec::new())?;
    let range = || DriveLetter::all().filter(|l| *l >= start);
    for letter in range() {
        let here = connected
            .iter()
            .filter(|c| c.letter == letter)
            .map(|c| c.remote.as_str())
            .chain(
                remembered
                    .iter()
                    .filter(|r| r.letter == letter)
                    .map(|r| r.remote.as_str()),
            )
            .any(|p| same_path(p, remote.as_str()));
        if here {
            return Ok(FirstAvailable::Mapped(letter));
        }
    }
    for letter in range() {
        let taken = connected.iter().any(|c| c.letter == letter)
            || remembered.iter().any(|r| r.letter == letter)
            || devices.iter().any(|(l, t)| *l == letter && t.is_some());
        if !taken {
            return Ok(FirstAvailable::Free(letter));
        }
    }
    Ok(FirstAvailable::Full)
}

//! Helpers shared by the model test modules: parsing shorthands and what `net use` shows.

use mapdrive::domain::{DriveLetter, RemotePath, Secret};
use mapdrive::model::Machine;
use mapdrive::port::Port;
use zeroize::Zeroizing;

/// `"M:"` as a letter.
pub fn l(s: &str) -> DriveLetter {
    s.parse().unwrap()
}

/// A UNC path.
pub fn unc(s: &str) -> RemotePath {
    s.parse().unwrap()
}

/// A secret.
pub fn secret(s: &str) -> Secret {
    Secret::new(Zeroizing::new(s.to_string())).unwrap()
}

/// Letters `net use` lists as connected here.
pub fn connected(m: &Machine) -> Vec<String> {
    m.connected()
        .unwrap()
        .iter()
        .map(|c| c.letter.to_string())
        .collect()
}

/// Letters of `HKCU\Network`.
pub fn remembered(m: &Machine) -> Vec<String> {
    m.remembered()
        .unwrap()
        .iter()
        .map(|r| r.letter.to_string())
        .collect()
}

//! Drive letters: exactly one ASCII letter A–Z, with or without a colon, any case.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::InputError;

/// A drive letter `A:`–`Z:`. Stored upper case; displayed as `Z:`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct DriveLetter(u8);

impl DriveLetter {
    /// Every drive letter, `A:` to `Z:`.
    pub fn all() -> impl Iterator<Item = DriveLetter> {
        (b'A'..=b'Z').map(DriveLetter)
    }

    /// The upper-case letter without colon (`Z`): the `HKCU\Network` subkey name.
    pub fn as_char(self) -> char {
        char::from(self.0)
    }

    /// `Z:` — the DOS device name and `lpLocalName`.
    pub fn device_name(self) -> String {
        format!("{}:", self.as_char())
    }

    /// Builds a letter from a byte; `None` unless it is an ASCII letter.
    pub fn from_byte(b: u8) -> Option<DriveLetter> {
        b.is_ascii_alphabetic()
            .then(|| DriveLetter(b.to_ascii_uppercase()))
    }
}

impl FromStr for DriveLetter {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let letter = match bytes {
            [b] => Some(*b),
            [b, b':'] => Some(*b),
            _ => None,
        };
        letter
            .and_then(DriveLetter::from_byte)
            .ok_or_else(|| InputError::DriveLetter(s.to_string()))
    }
}

impl fmt::Display for DriveLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.as_char())
    }
}

impl Serialize for DriveLetter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_letter_with_or_without_colon_any_case() {
        for s in ["z", "Z", "z:", "Z:"] {
            assert_eq!(s.parse::<DriveLetter>().unwrap().to_string(), "Z:");
        }
    }

    #[test]
    fn rejects_the_characters_ansibles_a_z_typo_admits() {
        // Ansible's `^[a-zA-z]{1}$` admits [ \ ] ^ _ and backtick.
        for s in [
            "[", "\\", "]", "^", "_", "`", "", "ZZ", "Z:\\", "1", ":", "é", "Z::",
        ] {
            assert!(s.parse::<DriveLetter>().is_err(), "{s:?} must be rejected");
        }
    }

    proptest! {
        #[test]
        fn parse_display_roundtrip(c in proptest::char::range('A', 'Z'), colon: bool, lower: bool) {
            let c = if lower { c.to_ascii_lowercase() } else { c };
            let s = if colon { format!("{c}:") } else { c.to_string() };
            let l: DriveLetter = s.parse().unwrap();
            prop_assert_eq!(l.to_string(), format!("{}:", c.to_ascii_uppercase()));
        }

        #[test]
        fn anything_else_is_rejected(s in "\\PC{0,4}") {
            let ok = matches!(s.as_bytes(), [b] | [b, b':'] if b.is_ascii_alphabetic());
            prop_assert_eq!(s.parse::<DriveLetter>().is_ok(), ok);
        }
    }
}

//! Secrets: zeroized on drop, never printable, never serialisable.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::InputError;

/// Largest credential blob Windows stores (`CRED_MAX_CREDENTIAL_BLOB_SIZE`, 5 × 512 bytes).
pub const MAX_BLOB_BYTES: usize = 5 * 512;

/// A password or secret. It has no `Display` and no `Serialize`; `Debug` prints a
/// placeholder; its memory is wiped when dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret, checking that it fits in a credential blob as UTF-16LE.
    pub fn new(value: Zeroizing<String>) -> Result<Secret, InputError> {
        if value.encode_utf16().count() * 2 > MAX_BLOB_BYTES {
            return Err(InputError::SecretTooLong {
                max_bytes: MAX_BLOB_BYTES,
            });
        }
        Ok(Secret(value))
    }

    /// Reads one secret line: strips one trailing `\n` / `\r\n`, nothing else.
    pub fn from_line(mut line: Zeroizing<String>) -> Result<Secret, InputError> {
        if line.ends_with('\n') {
            line.pop();
            if line.ends_with('\r') {
                line.pop();
            }
        }
        Secret::new(line)
    }

    /// The secret text. Callers must not copy it into anything that outlives the call
    /// without zeroizing it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// UTF-16LE bytes (the credential blob form), zeroized on drop.
    pub fn to_utf16le(&self) -> Zeroizing<Vec<u8>> {
        // Sized once: a growing Vec would free partial copies of the secret without wiping them.
        let mut blob = Vec::with_capacity(self.0.encode_utf16().count() * 2);
        for unit in self.0.encode_utf16() {
            blob.extend_from_slice(&unit.to_le_bytes());
        }
        Zeroizing::new(blob)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time-ish: compare all bytes regardless of first difference.
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_does_not_reveal() {
        let s = Secret::new(Zeroizing::new("hunter2".into())).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
    }

    #[test]
    fn from_line_strips_one_newline_only() {
        let s = Secret::from_line(Zeroizing::new(" pa ss \r\n".into())).unwrap();
        assert_eq!(s.expose(), " pa ss ");
        let s = Secret::from_line(Zeroizing::new("x\n\n".into())).unwrap();
        assert_eq!(s.expose(), "x\n");
    }

    #[test]
    fn utf16le_blob() {
        let s = Secret::new(Zeroizing::new("Ab".into())).unwrap();
        assert_eq!(&*s.to_utf16le(), &[0x41, 0, 0x62, 0]);
    }

    #[test]
    fn limit_is_the_blob_size() {
        assert!(Secret::new(Zeroizing::new("a".repeat(1280))).is_ok());
        assert!(Secret::new(Zeroizing::new("a".repeat(1281))).is_err());
    }
}

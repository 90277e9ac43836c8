//! `QueryDosDeviceW`.

use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_MORE_DATA,
};
use windows_sys::Win32::Storage::FileSystem::QueryDosDeviceW;

use super::handle::last_error;
use super::wide::{self, WStr};
use mapdrive_core::domain::DriveLetter;
use mapdrive_core::error::ApiError;

const API: &str = "QueryDosDeviceW";
/// Characters; targets are short, a stacked definition list rarely exceeds this.
const FIRST_BUFFER: usize = 1024;
/// `UNICODE_STRING` limit: no target can be longer.
const MAX_BUFFER: usize = 64 * 1024;

/// The current target of a device name (`"M:"`): the *first* string `QueryDosDeviceW`
/// returns (later ones are older, stacked definitions). The buffer grows on
/// `ERROR_INSUFFICIENT_BUFFER` (122). `ERROR_FILE_NOT_FOUND` (2) = not defined = `None`.
pub(crate) fn query(name: &str) -> Result<Option<String>, ApiError> {
    let name = WStr::new(name, API)?;
    let mut len = FIRST_BUFFER;
    loop {
        let mut buf = vec![0u16; len];
        let cap = u32::try_from(len).map_err(|_| ApiError::new(API, ERROR_INSUFFICIENT_BUFFER))?;
        // SAFETY: `name` is NUL-terminated; `buf` holds `cap` writable units.
        let n = unsafe { QueryDosDeviceW(name.as_ptr(), buf.as_mut_ptr(), cap) };
        if n != 0 {
            let used = (n as usize).min(len);
            return Ok(Some(wide::from_buf(&buf[..used])));
        }
        match last_error() {
            ERROR_FILE_NOT_FOUND => return Ok(None),
            // Some implementations report 234 instead of 122; both mean "grow".
            ERROR_INSUFFICIENT_BUFFER | ERROR_MORE_DATA if len < MAX_BUFFER => len *= 4,
            code => return Err(ApiError::new(API, code)),
        }
    }
}

/// `query` for a drive letter.
pub(crate) fn drive(letter: DriveLetter) -> Result<Option<String>, ApiError> {
    query(&letter.device_name())
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    #[test]
    fn c_is_defined_and_q_is_not() -> Result<(), ApiError> {
        let c = query("C:")?;
        assert!(c.as_deref().is_some_and(|t| t.starts_with('\\')), "{c:?}");
        assert_eq!(query("Q:")?, None);
        Ok(())
    }
}

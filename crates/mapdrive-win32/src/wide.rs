//! UTF-16 in and out.
//!
//! Win32 distinguishes a NULL string pointer from a pointer to `L""` (for
//! `WNetAddConnection2W` NULL user = "the caller's context", `L""` password = "no password").
//! Callers therefore build an `Option<WStr>` and turn it into a pointer with [`opt_ptr`]:
//! `None` is NULL, `Some(WStr::new("")?)` is a pointer to a lone terminator. Nothing here
//! converts one into the other.

use core::ptr;

use zeroize::Zeroizing;

use mapdrive_core::domain::Secret;
use mapdrive_core::error::{ApiError, ERROR_INVALID_PARAMETER};

/// A NUL-terminated UTF-16 string owned by Rust.
#[derive(Clone, Debug)]
pub(crate) struct WStr(Vec<u16>);

impl WStr {
    /// Converts `s`; an embedded NUL is refused with `ERROR_INVALID_PARAMETER` for `api`,
    /// because Win32 would read only the part before it.
    pub(crate) fn new(s: &str, api: &'static str) -> Result<WStr, ApiError> {
        if s.contains('\0') {
            return Err(ApiError::new(api, ERROR_INVALID_PARAMETER));
        }
        Ok(WStr(s.encode_utf16().chain(Some(0)).collect()))
    }

    /// Pointer to the first unit; valid while `self` lives.
    pub(crate) fn as_ptr(&self) -> *const u16 {
        self.0.as_ptr()
    }

    /// The same pointer typed as `PWSTR`, for input-only fields of Win32 structs that are
    /// declared non-const (`NETRESOURCEW`, `CREDENTIALW`). The callee does not write through it.
    pub(crate) fn as_pwstr(&self) -> *mut u16 {
        self.0.as_ptr().cast_mut()
    }
}

/// NULL for `None`, the string for `Some` (which may be `L""`).
pub(crate) fn opt_ptr(s: Option<&WStr>) -> *const u16 {
    s.map_or(ptr::null(), WStr::as_ptr)
}

/// [`opt_ptr`] typed as `PWSTR` for input-only struct fields.
pub(crate) fn opt_pwstr(s: Option<&WStr>) -> *mut u16 {
    s.map_or(ptr::null_mut(), WStr::as_pwstr)
}

/// A secret as a NUL-terminated UTF-16 string (for `WNetAddConnection2W`'s `lpPassword`),
/// wiped when dropped.
pub(crate) fn secret(s: &Secret, api: &'static str) -> Result<Zeroizing<Vec<u16>>, ApiError> {
    let text = s.expose();
    if text.contains('\0') {
        return Err(ApiError::new(api, ERROR_INVALID_PARAMETER));
    }
    // Allocated once at its final size (a UTF-16 string has at most as many units as its
    // UTF-8 form has bytes): a Vec that grew would free earlier copies without wiping them.
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() + 1));
    out.extend(text.encode_utf16());
    out.push(0);
    Ok(out)
}

/// A secret as UTF-16LE bytes without a terminator (a `CREDENTIALW` blob),
/// wiped when dropped.
///
/// Not `Secret::to_utf16le`: collecting an iterator grows its Vec step by step, and every
/// reallocation frees a partial copy of the secret without wiping it. This buffer is
/// allocated once, at its final size.
pub(crate) fn secret_blob(s: &Secret) -> Zeroizing<Vec<u8>> {
    let text = s.expose();
    let mut out = Zeroizing::new(Vec::with_capacity(text.encode_utf16().count() * 2));
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// The text of a UTF-16 buffer up to its first NUL (or its end). Invalid UTF-16 is replaced.
pub(crate) fn from_buf(buf: &[u16]) -> String {
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

/// Reads a NUL-terminated string; `None` for a NULL pointer.
///
/// Units are read unaligned: Wine's `CredEnumerateW` packs entries after odd-sized blobs,
/// so strings it returns are not always 2-aligned (observed under Wine 8.0).
///
/// # Safety
/// `p` is NULL or points to a readable NUL-terminated UTF-16 string.
pub(crate) unsafe fn from_ptr(p: *const u16) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut units = Vec::new();
    loop {
        // SAFETY: the caller guarantees a terminator, so every unit up to it is readable.
        let c = unsafe { p.add(units.len()).read_unaligned() };
        if c == 0 {
            break;
        }
        units.push(c);
    }
    Some(String::from_utf16_lossy(&units))
}

/// Reads a counted string (`UNICODE_STRING`: `len_bytes` bytes, no terminator needed).
///
/// # Safety
/// `p` is NULL or points to at least `len_bytes` readable bytes.
pub(crate) unsafe fn from_counted(p: *const u16, len_bytes: u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let units: Vec<u16> = (0..usize::from(len_bytes) / 2)
        // SAFETY: guaranteed by the caller; read unaligned as in `from_ptr`.
        .map(|i| unsafe { p.add(i).read_unaligned() })
        .collect();
    String::from_utf16_lossy(&units)
}

/// `None` for NULL or `L""`, else the string (`CREDENTIALW` optional fields).
///
/// # Safety
/// As [`from_ptr`].
pub(crate) unsafe fn from_ptr_nonempty(p: *const u16) -> Option<String> {
    // SAFETY: forwarded contract.
    unsafe { from_ptr(p) }.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_empty_are_different() {
        let empty = WStr::new("", "T").ok();
        assert!(opt_ptr(None).is_null());
        assert!(!opt_ptr(empty.as_ref()).is_null());
        // SAFETY: `empty` is alive and NUL-terminated.
        let read = unsafe { from_ptr(opt_ptr(empty.as_ref())) };
        assert_eq!(read.as_deref(), Some(""));
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { from_ptr(core::ptr::null()) }, None);
    }

    #[test]
    fn embedded_nul_is_refused() {
        let e = WStr::new("a\0b", "CredWriteW").err();
        assert_eq!(e, Some(ApiError::new("CredWriteW", 87)));
    }

    #[test]
    fn secret_buffers_are_allocated_once() -> Result<(), mapdrive_core::error::InputError> {
        let s = Secret::new(Zeroizing::new("pässwörd-with-𝄞-and-more-text".to_string()))?;
        let blob = secret_blob(&s);
        assert_eq!(&*blob, &*s.to_utf16le());
        assert_eq!(blob.capacity(), blob.len(), "no spare (re)allocation");
        let w = secret(&s, "T").ok();
        let w = w.as_deref().map_or(&[][..], Vec::as_slice);
        assert_eq!(w.last(), Some(&0));
        assert_eq!(w.len(), s.expose().encode_utf16().count() + 1);
        Ok(())
    }

    #[test]
    fn round_trip_and_buffers() {
        let w = WStr::new("Zürich\\ß", "T").ok();
        // SAFETY: alive and terminated.
        let read = unsafe { from_ptr(opt_ptr(w.as_ref())) };
        assert_eq!(read.as_deref(), Some("Zürich\\ß"));
        assert_eq!(from_buf(&[0x41, 0x3a, 0, 0x42]), "A:");
        assert_eq!(from_buf(&[0x41]), "A");
    }
}

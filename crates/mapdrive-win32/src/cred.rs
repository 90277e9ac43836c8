//! Credential Manager. Secrets live only in `Zeroizing` buffers; blobs Windows
//! hands back are compared in place and wiped before `CredFree`.

use core::ptr;

use windows_sys::Win32::Foundation::ERROR_NOT_FOUND;
use windows_sys::Win32::Security::Credentials::{
    CRED_PRESERVE_CREDENTIAL_BLOB, CRED_TYPE_MAXIMUM, CREDENTIAL_ATTRIBUTEW, CREDENTIALW,
    CredDeleteW, CredEnumerateW, CredGetSessionTypes, CredReadW, CredWriteW,
};
use zeroize::{Zeroize, Zeroizing};

use super::handle::{Buffer, Free, last_error};
use super::wide::{self, WStr};
use mapdrive_core::domain::{
    CredentialAttribute, CredentialCaps, CredentialInfo, CredentialKind, Persistence, Secret,
};
use mapdrive_core::error::{ApiError, ERROR_INVALID_PARAMETER};
use mapdrive_core::port::{CredentialWrite, SecretWrite};

/// Reads one entry; `None` for types mapdrive does not manage (not 1 or 2) or an unknown
/// persistence. The structure is copied with an unaligned read: Wine 8.0's `CredEnumerateW`
/// packs entries back to back after their strings and blobs, so they are not always
/// 8-aligned (observed: a misaligned-pointer panic on a plain dereference).
///
/// # Safety
/// `p` points to a readable `CREDENTIALW` from `CredEnumerateW`/`CredReadW`.
unsafe fn info(p: *const CREDENTIALW) -> Option<CredentialInfo> {
    // SAFETY: readable per the caller; no alignment assumed.
    let c = unsafe { p.read_unaligned() };
    let kind = CredentialKind::from_cred_type(c.Type)?;
    let persistence = Persistence::from_value(c.Persist)?;
    // SAFETY: the strings of a CREDENTIALW returned by Cred* are NULL or NUL-terminated.
    unsafe {
        Some(CredentialInfo {
            target: wide::from_ptr(c.TargetName).unwrap_or_default(),
            kind,
            user_name: wide::from_ptr_nonempty(c.UserName),
            persistence,
            alias: wide::from_ptr_nonempty(c.TargetAlias),
            comment: wide::from_ptr_nonempty(c.Comment),
            attributes: attributes(c.Attributes, c.AttributeCount),
        })
    }
}

/// Copies `count` `CREDENTIAL_ATTRIBUTEW`s (keyword and value bytes). Read unaligned (see `info`).
///
/// # Safety
/// `p` is NULL or points to `count` readable attributes of a `CREDENTIALW` returned by Cred*,
/// whose keywords are NUL-terminated and whose values are `ValueSize` readable bytes.
unsafe fn attributes(p: *const CREDENTIAL_ATTRIBUTEW, count: u32) -> Vec<CredentialAttribute> {
    if p.is_null() {
        return Vec::new();
    }
    (0..count as usize)
        .map(|i| {
            // SAFETY: per the caller, `i < count` attributes are readable.
            let a = unsafe { p.add(i).read_unaligned() };
            let value = if a.Value.is_null() || a.ValueSize == 0 {
                Vec::new()
            } else {
                // SAFETY: per the caller, `Value` holds `ValueSize` readable bytes.
                unsafe { core::slice::from_raw_parts(a.Value, a.ValueSize as usize) }.to_vec()
            };
            CredentialAttribute {
                // SAFETY: per the caller the keyword is NULL or NUL-terminated.
                keyword: unsafe { wide::from_ptr(a.Keyword) }.unwrap_or_default(),
                value,
            }
        })
        .collect()
}

/// Wipes, in place, the blob of a `CREDENTIALW` Windows returned, so that no secret goes
/// back to the heap with `CredFree` (Wine returns even domain passwords).
///
/// # Safety
/// `p` points to a readable `CREDENTIALW` from `CredEnumerateW`/`CredReadW` whose blob (NULL
/// or `CredentialBlobSize` bytes) lies in the same allocation, owned by the caller until
/// `CredFree`.
unsafe fn wipe_blob(p: *const CREDENTIALW) {
    // SAFETY: readable per the caller; no alignment assumed (see `info`).
    let c = unsafe { p.read_unaligned() };
    if c.CredentialBlob.is_null() || c.CredentialBlobSize == 0 {
        return;
    }
    // SAFETY: per the caller the blob is `CredentialBlobSize` writable bytes that nothing
    // else references; `u8` needs no alignment.
    let blob =
        unsafe { core::slice::from_raw_parts_mut(c.CredentialBlob, c.CredentialBlobSize as usize) };
    blob.zeroize();
}

/// `CredEnumerateW(NULL, 0)`: `ERROR_NOT_FOUND` is an empty vault; types
/// other than GENERIC (1) and DOMAIN_PASSWORD (2) are skipped. 1312 (network logon) is an
/// error the caller explains.
pub(crate) fn credentials() -> Result<Vec<CredentialInfo>, ApiError> {
    let mut count = 0u32;
    let mut list: *mut *mut CREDENTIALW = ptr::null_mut();
    // SAFETY: NULL filter = all; `count` and `list` are valid out pointers.
    let ok = unsafe { CredEnumerateW(ptr::null(), 0, &mut count, &mut list) };
    let list = Buffer::new(list, Free::Cred);
    if ok == 0 {
        return match last_error() {
            ERROR_NOT_FOUND => Ok(Vec::new()),
            code => Err(ApiError::new("CredEnumerateW", code)),
        };
    }
    let mut out = Vec::new();
    if list.ptr().is_null() {
        return Ok(out);
    }
    for i in 0..count as usize {
        // SAFETY: `list` is an array of `count` pointers to CREDENTIALW, all inside the one
        // CredFree'd block that lives until the end of this function. Read unaligned (see
        // `info`).
        let entry = unsafe { list.ptr().add(i).read_unaligned() };
        if entry.is_null() {
            continue;
        }
        // SAFETY: see above.
        if let Some(c) = unsafe { info(entry) } {
            out.push(c);
        }
        // SAFETY: see above; the block is ours until `list` drops (CredFree).
        unsafe { wipe_blob(entry) };
    }
    out.sort_by_key(|c| (c.target.to_lowercase(), c.kind));
    Ok(out)
}

/// `CredReadW` of one target and type: the `CREDENTIALW` Windows allocated (freed
/// with `CredFree` when the buffer drops), or `None` for `ERROR_NOT_FOUND` (1168).
fn cred_read(target: &str, kind: CredentialKind) -> Result<Option<Buffer<CREDENTIALW>>, ApiError> {
    const API: &str = "CredReadW";
    let name = WStr::new(target, API)?;
    let mut c: *mut CREDENTIALW = ptr::null_mut();
    // SAFETY: `name` is NUL-terminated; flags 0; `c` is a valid out pointer.
    let ok = unsafe { CredReadW(name.as_ptr(), kind.cred_type(), 0, &mut c) };
    let c = Buffer::new(c, Free::Cred);
    if ok == 0 {
        return match last_error() {
            ERROR_NOT_FOUND => Ok(None),
            code => Err(ApiError::new(API, code)),
        };
    }
    Ok((!c.ptr().is_null()).then_some(c))
}

/// One credential, without its secret: reads one entry instead of enumerating the vault
/// (`cred set`/`remove` look at one target; Wine 8's `CredEnumerateW` also races with concurrent
/// writes). The blob that came back is wiped.
pub(crate) fn read(target: &str, kind: CredentialKind) -> Result<Option<CredentialInfo>, ApiError> {
    let Some(c) = cred_read(target, kind)? else {
        return Ok(None);
    };
    // SAFETY: `c` is the CREDENTIALW CredReadW allocated for us, alive until `c` drops.
    let found = unsafe { info(c.ptr()) };
    // SAFETY: as above; we own the allocation until CredFree (when `c` drops, after this).
    unsafe { wipe_blob(c.ptr()) };
    Ok(found)
}

/// `CredGetSessionTypes(CRED_TYPE_MAXIMUM)`: the highest persistence per type the logon
/// session of the token in effect may store, policy caps included. 1312 = no credential set
/// (a network logon).
pub(crate) fn session_caps() -> Result<CredentialCaps, ApiError> {
    let mut max = [0u32; CRED_TYPE_MAXIMUM as usize];
    // SAFETY: `max` holds CRED_TYPE_MAXIMUM writable elements, the count passed.
    if unsafe { CredGetSessionTypes(CRED_TYPE_MAXIMUM, max.as_mut_ptr()) } == 0 {
        return Err(ApiError::new("CredGetSessionTypes", last_error()));
    }
    Ok(CredentialCaps::from_session_types(&max))
}

/// Equality of two byte strings without an early exit on the first difference.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

/// `CredReadW`, then compare the blob with `secret` as UTF-16LE.
/// Not found is `Err(CredReadW, 1168)`. A domain password is `Ok(None)` without comparing
/// the blob: Windows never returns it (Wine does; the result must not depend on
/// that). Whatever blob came back is wiped in place before `CredFree`.
pub(crate) fn secret_equals(
    target: &str,
    kind: CredentialKind,
    secret: &Secret,
) -> Result<Option<bool>, ApiError> {
    let c = cred_read(target, kind)?.ok_or(ApiError::new("CredReadW", ERROR_NOT_FOUND))?;
    let equal = kind.secret_is_readable().then(|| {
        // SAFETY: `c` is the CREDENTIALW CredReadW allocated for us; its blob is NULL or
        // CredentialBlobSize bytes inside the same allocation, which lives until `c` drops.
        let blob: &[u8] = unsafe {
            let cred = c.ptr().read_unaligned();
            if cred.CredentialBlob.is_null() {
                &[]
            } else {
                core::slice::from_raw_parts(cred.CredentialBlob, cred.CredentialBlobSize as usize)
            }
        };
        same_bytes(blob, &wide::secret_blob(secret))
    });
    // SAFETY: as above; we own the allocation until CredFree (when `c` drops, after this).
    unsafe { wipe_blob(c.ptr()) };
    Ok(equal)
}

/// `CredWriteW`. Comment and TargetAlias are NULL when `None`, never `L""` (an empty string
/// made `CredWriteW` fail for wildcard targets: ansible/ansible#67278). An empty user name is
/// passed as NULL too.
/// Secret: `Set` → UTF-16LE blob (no terminator) in a `Zeroizing` buffer; `Preserve` → size 0
/// with `CRED_PRESERVE_CREDENTIAL_BLOB`; `Empty` → size 0, flags 0.
pub(crate) fn write(cred: &CredentialWrite<'_>) -> Result<(), ApiError> {
    write_with_attributes(cred, &[])
}

/// [`write`] with `Attributes` (they replace the stored ones). Wine 8 accepts and drops them.
pub(crate) fn write_with_attributes(
    cred: &CredentialWrite<'_>,
    attributes: &[CredentialAttribute],
) -> Result<(), ApiError> {
    const API: &str = "CredWriteW";
    let keywords = attributes
        .iter()
        .map(|a| WStr::new(&a.keyword, API))
        .collect::<Result<Vec<_>, _>>()?;
    let mut values: Vec<Vec<u8>> = attributes.iter().map(|a| a.value.clone()).collect();
    let mut list: Vec<CREDENTIAL_ATTRIBUTEW> = keywords
        .iter()
        .zip(values.iter_mut())
        .map(|(k, v)| -> Result<CREDENTIAL_ATTRIBUTEW, ApiError> {
            Ok(CREDENTIAL_ATTRIBUTEW {
                Keyword: k.as_pwstr(),
                Flags: 0,
                ValueSize: u32::try_from(v.len())
                    .map_err(|_| ApiError::new(API, ERROR_INVALID_PARAMETER))?,
                Value: if v.is_empty() {
                    ptr::null_mut()
                } else {
                    v.as_mut_ptr()
                },
            })
        })
        .collect::<Result<_, _>>()?;
    let attribute_count =
        u32::try_from(list.len()).map_err(|_| ApiError::new(API, ERROR_INVALID_PARAMETER))?;
    let target = WStr::new(cred.target, API)?;
    let user = (!cred.user_name.is_empty())
        .then(|| WStr::new(cred.user_name, API))
        .transpose()?;
    let alias = cred.alias.map(|a| WStr::new(a, API)).transpose()?;
    let comment = cred.comment.map(|c| WStr::new(c, API)).transpose()?;
    let mut blob: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    let flags = match cred.secret {
        SecretWrite::Set(s) => {
            blob = wide::secret_blob(s);
            0
        }
        SecretWrite::Preserve => CRED_PRESERVE_CREDENTIAL_BLOB,
        SecretWrite::Empty => 0,
    };
    let blob_size =
        u32::try_from(blob.len()).map_err(|_| ApiError::new(API, ERROR_INVALID_PARAMETER))?;
    let c = CREDENTIALW {
        Flags: 0,
        Type: cred.kind.cred_type(),
        TargetName: target.as_pwstr(),
        Comment: wide::opt_pwstr(comment.as_ref()),
        CredentialBlobSize: blob_size,
        CredentialBlob: if blob.is_empty() {
            ptr::null_mut()
        } else {
            blob.as_mut_ptr()
        },
        Persist: cred.persistence.value(),
        TargetAlias: wide::opt_pwstr(alias.as_ref()),
        UserName: wide::opt_pwstr(user.as_ref()),
        AttributeCount: attribute_count,
        // NULL when there are none (ansible/ansible#67278: a pointer with count 0 was refused).
        Attributes: if list.is_empty() {
            ptr::null_mut()
        } else {
            list.as_mut_ptr()
        },
        ..Default::default()
    };
    // SAFETY: `c` and every buffer it points to (strings, blob, `list` with its keywords and
    // values) live until the call returns; CredWriteW only reads them.
    if unsafe { CredWriteW(&c, flags) } == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    Ok(())
}

/// `CredDeleteW(target, type, 0)`.
pub(crate) fn delete(target: &str, kind: CredentialKind) -> Result<(), ApiError> {
    const API: &str = "CredDeleteW";
    let name = WStr::new(target, API)?;
    // SAFETY: `name` is NUL-terminated and alive; flags 0.
    if unsafe { CredDeleteW(name.as_ptr(), kind.cred_type(), 0) } == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    Ok(())
}

#[cfg(test)]
mod unit {
    use super::same_bytes;

    #[test]
    fn compare_sees_length_and_content() {
        assert!(same_bytes(b"ab", b"ab"));
        assert!(!same_bytes(b"ab", b"ac"));
        assert!(!same_bytes(b"ab", b"abc"));
        assert!(!same_bytes(b"", b"\0"));
        assert!(same_bytes(b"", b""));
    }
}

#[cfg(test)]
mod session_types {
    use mapdrive_core::domain::identity as core;
    use windows_sys::Win32::Security::Credentials as sdk;

    /// The indexes the caps are read at are wincred.h's `CRED_TYPE_*` values, and all of them
    /// fit in the `CRED_TYPE_MAXIMUM` entries `session_caps` asks for.
    #[test]
    fn the_indexes_are_the_sdk_types() {
        assert_eq!(core::CRED_TYPE_GENERIC, sdk::CRED_TYPE_GENERIC as usize);
        assert_eq!(
            core::CRED_TYPE_DOMAIN_PASSWORD,
            sdk::CRED_TYPE_DOMAIN_PASSWORD as usize
        );
        assert_eq!(
            core::CRED_TYPE_DOMAIN_CERTIFICATE,
            sdk::CRED_TYPE_DOMAIN_CERTIFICATE as usize
        );
        assert_eq!(
            core::CRED_TYPE_GENERIC_CERTIFICATE,
            sdk::CRED_TYPE_GENERIC_CERTIFICATE as usize
        );
        assert!(core::CRED_TYPE_GENERIC_CERTIFICATE < sdk::CRED_TYPE_MAXIMUM as usize);
    }

    /// What this Windows (or Wine) answers, each type from its own entry.
    #[test]
    fn session_caps_are_read() {
        match super::session_caps() {
            Ok(caps) => println!("{caps:?}"),
            Err(e) => assert_eq!(e.code, 1312, "{e}"),
        }
    }
}

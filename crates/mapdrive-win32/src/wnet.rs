//! mpr.dll: connect, cancel, enumerate.
//!
//! WNet functions return the error code directly; `GetLastError` is not consulted
//! (Wine skips `SetLastError` on some paths).

use core::mem::size_of;
use core::ptr;

use windows_sys::Win32::Foundation::{
    ERROR_EXTENDED_ERROR, ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, HANDLE, NO_ERROR,
};
use windows_sys::Win32::NetworkManagement::WNet::{
    CONNECT_UPDATE_PROFILE, NETINFOSTRUCT, NETRESOURCEW, RESOURCETYPE_DISK, WNetAddConnection2W,
    WNetCancelConnection2W, WNetEnumResourceW, WNetGetLastErrorW, WNetGetNetworkInformationW,
    WNetGetProviderNameW, WNetOpenEnumW,
};

pub(crate) use windows_sys::Win32::NetworkManagement::WNet::{
    RESOURCE_CONNECTED, RESOURCE_REMEMBERED,
};

use super::handle::EnumHandle;
use super::wide::{self, WStr};
use mapdrive_core::domain::{DriveLetter, RemotePath, Secret};
use mapdrive_core::error::{ApiError, ERROR_NOT_ENOUGH_MEMORY, ProviderError};

/// `WNetGetLastErrorW`: what the provider reported with `WNetSetLastErrorW`. Must run at once
/// after the WNet call that returned `ERROR_EXTENDED_ERROR`, on the same thread, before any
/// other WNet call replaces the report (WNetGetLastErrorW remarks).
fn provider_error() -> ProviderError {
    let mut code = 0u32;
    let mut text = [0u16; 1024];
    let mut name = [0u16; 256];
    // SAFETY: both buffers are writable for the lengths (in characters) passed; `code` is a
    // valid out pointer.
    let rc = unsafe {
        WNetGetLastErrorW(
            &mut code,
            text.as_mut_ptr(),
            text.len() as u32,
            name.as_mut_ptr(),
            name.len() as u32,
        )
    };
    if rc != NO_ERROR {
        return ProviderError::Unavailable(rc);
    }
    ProviderError::Reported {
        provider: wide::from_buf(&name),
        code,
        text: wide::from_buf(&text),
    }
}

/// A WNet return code as a result; `ERROR_EXTENDED_ERROR` (1208) carries the provider's own
/// code, text and name, read at once.
fn check(api: &'static str, rc: u32) -> Result<(), ApiError> {
    match rc {
        NO_ERROR => Ok(()),
        ERROR_EXTENDED_ERROR => Err(ApiError::new(api, rc).with_provider(provider_error())),
        code => Err(ApiError::new(api, code)),
    }
}

/// The `dwFlags` of `WNetAddConnection2W`: `CONNECT_UPDATE_PROFILE` to remember, else 0 (what
/// `net use /persistent:no` passes). Never `CONNECT_TEMPORARY`, which the documentation
/// defines as a connection made for browsing that may be released quickly, nor
/// `CONNECT_INTERACTIVE` (mapdrive never prompts; Wine answers 67 for it).
pub(crate) fn connect_flags(remember: bool) -> u32 {
    if remember { CONNECT_UPDATE_PROFILE } else { 0 }
}

/// Recommended first buffer ("MS recommends a 16 KiB buffer").
const FIRST_BUFFER: usize = 16 * 1024;
/// A larger request than this is treated as a provider bug rather than grown into.
const MAX_BUFFER: usize = 16 * 1024 * 1024;

/// One `NETRESOURCEW` of an enumeration, copied out of the buffer.
#[derive(Debug)]
pub(crate) struct Resource {
    /// `lpLocalName` (`"M:"`), `None` for deviceless connections.
    pub(crate) local: Option<String>,
    /// `lpRemoteName`.
    pub(crate) remote: Option<String>,
    /// `lpProvider`.
    pub(crate) provider: Option<String>,
}

impl Resource {
    /// The drive letter, when `lpLocalName` is one (`"M:"`).
    pub(crate) fn letter(&self) -> Option<DriveLetter> {
        self.local.as_deref()?.parse().ok()
    }
}

/// `WNetOpenEnumW(scope, RESOURCETYPE_DISK, 0, NULL)` + `WNetEnumResourceW` until
/// `ERROR_NO_MORE_ITEMS` (259), growing the buffer on `ERROR_MORE_DATA` (234), then
/// `WNetCloseEnum` (RAII).
pub(crate) fn enumerate(scope: u32) -> Result<Vec<Resource>, ApiError> {
    let mut raw: HANDLE = ptr::null_mut();
    // SAFETY: lpNetResource must be NULL for CONNECTED/REMEMBERED; `raw` is a
    // valid out pointer.
    let rc = unsafe { WNetOpenEnumW(scope, RESOURCETYPE_DISK, 0, ptr::null(), &mut raw) };
    check("WNetOpenEnumW", rc)?;
    let handle = EnumHandle::new(raw);
    // u64 words: the buffer is read as NETRESOURCEW (pointer-aligned).
    let mut buf = vec![0u64; FIRST_BUFFER / 8];
    let mut out = Vec::new();
    loop {
        let mut count = u32::MAX; // "-1 = as many as fit"
        let bytes = buf.len() * 8;
        let mut size = u32::try_from(bytes)
            .map_err(|_| ApiError::new("WNetEnumResourceW", ERROR_NOT_ENOUGH_MEMORY))?;
        // SAFETY: `buf` holds `size` writable bytes; `count` and `size` are valid in/out.
        let rc = unsafe {
            WNetEnumResourceW(handle.raw(), &mut count, buf.as_mut_ptr().cast(), &mut size)
        };
        match rc {
            NO_ERROR => {
                let n = count as usize;
                if n == 0 {
                    // Success without entries would repeat forever: treat it as the end.
                    return Ok(out);
                }
                if n.saturating_mul(size_of::<NETRESOURCEW>()) > bytes {
                    return Err(ApiError::new("WNetEnumResourceW", ERROR_MORE_DATA));
                }
                let first = buf.as_ptr().cast::<NETRESOURCEW>();
                for i in 0..n {
                    // SAFETY: `n` entries fit in the buffer (checked); their string pointers
                    // are NULL or point to NUL-terminated strings inside the same buffer,
                    // which is not touched until the next call.
                    out.push(unsafe {
                        let nr = &*first.add(i);
                        Resource {
                            local: wide::from_ptr(nr.lpLocalName),
                            remote: wide::from_ptr(nr.lpRemoteName),
                            provider: wide::from_ptr(nr.lpProvider),
                        }
                    });
                }
            }
            ERROR_MORE_DATA => {
                let want = (size as usize).max(bytes * 2);
                if want > MAX_BUFFER {
                    return Err(ApiError::new("WNetEnumResourceW", ERROR_MORE_DATA));
                }
                buf = vec![0u64; want.div_ceil(8)];
            }
            ERROR_NO_MORE_ITEMS => return Ok(out),
            code => return check("WNetEnumResourceW", code).map(|()| out),
        }
    }
}

/// `WNetAddConnection2W`. Only dwType, lpLocalName and lpRemoteName
/// are set; everything else is 0/NULL (lpProvider NULL = MPR picks the provider).
/// `user`/`password` `None` → NULL (use defaults), `Some("")` → `L""`.
/// Flags: [`connect_flags`].
pub(crate) fn add_connection(
    letter: DriveLetter,
    remote: &RemotePath,
    user: Option<&str>,
    password: Option<&Secret>,
    remember: bool,
) -> Result<(), ApiError> {
    const API: &str = "WNetAddConnection2W";
    let local = WStr::new(&letter.device_name(), API)?;
    let remote = WStr::new(remote.as_str(), API)?;
    let user = user.map(|u| WStr::new(u, API)).transpose()?;
    let password = password.map(|p| wide::secret(p, API)).transpose()?;
    let nr = NETRESOURCEW {
        dwType: RESOURCETYPE_DISK,
        lpLocalName: local.as_pwstr(),
        lpRemoteName: remote.as_pwstr(),
        ..Default::default()
    };
    let flags = connect_flags(remember);
    let password_ptr = password.as_ref().map_or(ptr::null(), |p| p.as_ptr());
    // SAFETY: `nr` and every string it and the call point to live until the call returns;
    // the function only reads them.
    let rc = unsafe { WNetAddConnection2W(&nr, password_ptr, wide::opt_ptr(user.as_ref()), flags) };
    // `password` (Zeroizing) is wiped when it goes out of scope.
    check(API, rc)
}

/// `WNetCancelConnection2W("M:", forget ? CONNECT_UPDATE_PROFILE : 0, force)`.
pub(crate) fn cancel_connection(
    letter: DriveLetter,
    forget: bool,
    force: bool,
) -> Result<(), ApiError> {
    const API: &str = "WNetCancelConnection2W";
    let local = WStr::new(&letter.device_name(), API)?;
    let flags = if forget { CONNECT_UPDATE_PROFILE } else { 0 };
    // SAFETY: `local` is NUL-terminated and alive for the call.
    let rc = unsafe { WNetCancelConnection2W(local.as_ptr(), flags, i32::from(force)) };
    check(API, rc)
}

/// The provider's `WNNC_NET_*` type as stored in `HKCU\Network\<L>\ProviderType`:
/// `NETINFOSTRUCT.wNetType << 16` (LanMan = 0x00020000). `None` when the
/// provider is unknown or WNet fails.
pub(crate) fn provider_type(provider: &str) -> Option<u32> {
    let name = WStr::new(provider, "WNetGetNetworkInformationW").ok()?;
    let mut info = NETINFOSTRUCT {
        cbStructure: size_of::<NETINFOSTRUCT>() as u32,
        ..Default::default()
    };
    // SAFETY: `name` is NUL-terminated; `info` is writable with cbStructure set.
    let rc = unsafe { WNetGetNetworkInformationW(name.as_ptr(), &mut info) };
    if rc != NO_ERROR {
        return None;
    }
    Some(u32::from(net_type(&info)) << 16)
}

/// `WNNC_NET_LANMAN` (winnetwk.h): the SMB redirector's network type.
const WNNC_NET_LANMAN: u32 = 0x0002_0000;
/// Longest provider name accepted (characters); a provider asking for more is refused.
const MAX_PROVIDER_NAME: u32 = 1024;

/// The SMB provider's name as this Windows gives it: `WNetGetProviderNameW(WNNC_NET_LANMAN)`
/// ("Microsoft Windows Network" in English, localised elsewhere). The buffer size is in
/// characters; `ERROR_MORE_DATA` (234) says how many are needed. `ERROR_NO_NETWORK` (1222)
/// without a LanMan provider. Reviewed against the WNetGetProviderNameW page: only the high word
/// of `dwNetType` is used; "if two networks claim the same type, the function returns the name
/// of the provider loaded first", i.e. MPR has loaded the providers to answer.
pub(crate) fn lanman_provider_name() -> Result<String, ApiError> {
    const API: &str = "WNetGetProviderNameW";
    let mut buf = vec![0u16; 128];
    loop {
        let mut len = u32::try_from(buf.len()).map_err(|_| ApiError::new(API, ERROR_MORE_DATA))?;
        // SAFETY: `buf` holds `len` writable characters; `len` is a valid in/out pointer.
        let rc = unsafe { WNetGetProviderNameW(WNNC_NET_LANMAN, buf.as_mut_ptr(), &mut len) };
        match rc {
            NO_ERROR => return Ok(wide::from_buf(&buf)),
            ERROR_MORE_DATA if len as usize > buf.len() && len <= MAX_PROVIDER_NAME => {
                buf = vec![0u16; len as usize];
            }
            code => return Err(ApiError::new(API, code)),
        }
    }
}

/// Opens and closes an enumeration of the connected disk resources: every provider's
/// `NPOpenEnum` is called, so MPR has loaded every provider DLL when this returns
/// (`lpNetResource` must be NULL for `RESOURCE_CONNECTED`, WNetOpenEnumW page). Harmless
/// (reads nothing, changes nothing); a failure (no provider: 1222) is ignored, there is
/// nothing to load then.
pub(crate) fn touch_providers() {
    let mut raw: HANDLE = ptr::null_mut();
    // SAFETY: lpNetResource must be NULL for RESOURCE_CONNECTED; `raw` is a valid out pointer.
    let rc = unsafe {
        WNetOpenEnumW(
            RESOURCE_CONNECTED,
            RESOURCETYPE_DISK,
            0,
            ptr::null(),
            &mut raw,
        )
    };
    if rc == NO_ERROR {
        // Closed at once (WNetCloseEnum, RAII).
        drop(EnumHandle::new(raw));
    }
}

/// Size of `NETINFOSTRUCT` when `dwHandle` is a `DWORD` instead of the SDK's `ULONG_PTR`.
const NETINFOSTRUCT_DWORD_HANDLE: u32 = 32;

/// `wNetType`, also for Wine 8.0, whose header declares `dwHandle` as `DWORD`: its mpr sets
/// `cbStructure` to 32 (its own size) and writes `wNetType` at offset 20 — bits 32..48 of the
/// SDK layout's `dwHandle` — and `dwPrinters = -1` over the SDK's `wNetType` (observed: the
/// SDK field read 0xffff under Wine). Windows uses the SDK layout (40 bytes on x64).
fn net_type(info: &NETINFOSTRUCT) -> u16 {
    if cfg!(target_pointer_width = "64") && info.cbStructure == NETINFOSTRUCT_DWORD_HANDLE {
        ((info.dwHandle as u64 >> 32) & 0xffff) as u16
    } else {
        info.wNetType
    }
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;
    use windows_sys::Win32::NetworkManagement::WNet::{CONNECT_INTERACTIVE, CONNECT_TEMPORARY};

    /// `net use /persistent:no` passes no flag; CONNECT_TEMPORARY means "for browsing, may be
    /// released quickly" (mapdrive used to pass it for --temporary).
    #[test]
    fn non_remembered_connection_passes_no_flag() {
        assert_eq!(connect_flags(false), 0);
        assert_eq!(connect_flags(true), CONNECT_UPDATE_PROFILE);
        for remember in [false, true] {
            assert_eq!(
                connect_flags(remember) & (CONNECT_TEMPORARY | CONNECT_INTERACTIVE),
                0
            );
        }
    }

    /// 1208 is followed at once by WNetGetLastErrorW; other codes are passed on as they are.
    /// Wine's WNetGetLastErrorW is a stub (1222), so the provider's text is checked on Windows
    /// only; the e2e test `errors::extended_error_reports_the_provider` drives 1208 through mpr.
    /// Under Wine with the fake provider (`MAPDRIVE_TEST_PROVIDER=1`) the LanMan provider's
    /// name is the fake's; without any provider, 1222.
    #[test]
    fn the_lanman_provider_is_named_by_windows() {
        match lanman_provider_name() {
            Ok(name) => {
                assert!(!name.is_empty());
                if std::env::var_os("MAPDRIVE_TEST_PROVIDER").is_some() {
                    assert_eq!(name, "Microsoft Windows Network");
                }
            }
            Err(e) => assert_eq!(e, ApiError::new("WNetGetProviderNameW", 1222)),
        }
    }

    #[test]
    fn extended_error_asks_the_provider() {
        assert_eq!(check("X", NO_ERROR), Ok(()));
        assert_eq!(check("X", 67), Err(ApiError::new("X", 67)));
        let Err(e) = check("X", ERROR_EXTENDED_ERROR) else {
            panic!("1208 is an error");
        };
        assert_eq!(e.code, ERROR_EXTENDED_ERROR);
        assert!(e.provider.is_some(), "{e:?}");
        println!("{e}");
    }
}

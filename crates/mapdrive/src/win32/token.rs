//! Access tokens: who the token in effect is, its logon session and elevation, and how an
//! elevated process obtains a usable (primary) linked token (win32.md §3, ansible.md §1.4).

use core::mem::{offset_of, size_of};
use core::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use windows_sys::Win32::Foundation::{
    ERROR_BAD_LENGTH, ERROR_INSUFFICIENT_BUFFER, ERROR_NO_TOKEN, ERROR_NOT_ALL_ASSIGNED,
    ERROR_SUCCESS, HANDLE, LUID,
};
use windows_sys::Win32::Security::Authentication::Identity::{
    LsaGetLogonSessionData, LsaNtStatusToWinError, SECURITY_LOGON_SESSION_DATA,
};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::{
    AdjustTokenPrivileges, GetTokenInformation, LUID_AND_ATTRIBUTES, LookupAccountSidW,
    LookupPrivilegeValueW, PSID, SE_PRIVILEGE_ENABLED, SID_NAME_USE, SecurityImpersonation,
    TOKEN_ADJUST_PRIVILEGES, TOKEN_DUPLICATE, TOKEN_INFORMATION_CLASS, TOKEN_LINKED_TOKEN,
    TOKEN_PRIVILEGES, TOKEN_QUERY, TOKEN_STATISTICS, TOKEN_USER, TokenElevationType,
    TokenLinkedToken, TokenPrimary, TokenPrivileges, TokenStatistics, TokenUser,
};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetCurrentThread, OpenProcess, OpenProcessToken, OpenThreadToken,
    PROCESS_QUERY_LIMITED_INFORMATION,
};

use super::handle::{Buffer, Free, Impersonation, OwnedHandle, last_error};
use super::wide::{self, WStr};
use crate::domain::{Elevation, Identity, LogonType, Luid};
use crate::error::ApiError;

/// `NT AUTHORITY\SYSTEM`.
pub(crate) const SYSTEM_SID: &str = "S-1-5-18";

const ERROR_ACCESS_DENIED: u32 = 5;
const ERROR_INVALID_DATA: u32 = 13;
/// `ERROR_NO_SUCH_LOGON_SESSION`: what a Default (non-split) token answers for its linked
/// token (win32.md §8 question 3, believed 1312).
const ERROR_NO_SUCH_LOGON_SESSION: u32 = 1312;
/// `ERROR_BAD_IMPERSONATION_LEVEL` (win32.md §1.8).
const ERROR_BAD_IMPERSONATION_LEVEL: u32 = 1346;

/// The LUID as one u64, HighPart:LowPart (domain `Luid`).
pub(crate) fn luid(l: LUID) -> Luid {
    // HighPart is declared i32; reinterpret its bits.
    Luid((u64::from(l.HighPart as u32) << 32) | u64::from(l.LowPart))
}

/// The token in effect: the thread's impersonation token if there is one, else the process
/// token. `OpenAsSelf = TRUE` so that an identification-level thread token can still be opened.
pub(crate) fn effective_token() -> Result<OwnedHandle, ApiError> {
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: GetCurrentThread returns a pseudo-handle; `h` is a valid out pointer.
    let ok = unsafe { OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, 1, &mut h) };
    if ok != 0 {
        return OwnedHandle::new(h).ok_or(ApiError::new("OpenThreadToken", ERROR_NO_TOKEN));
    }
    match last_error() {
        ERROR_NO_TOKEN => process_token(TOKEN_QUERY),
        code => Err(ApiError::new("OpenThreadToken", code)),
    }
}

/// The process token with `access`.
pub(crate) fn process_token(access: u32) -> Result<OwnedHandle, ApiError> {
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: GetCurrentProcess returns a pseudo-handle; `h` is a valid out pointer.
    if unsafe { OpenProcessToken(GetCurrentProcess(), access, &mut h) } == 0 {
        return Err(ApiError::new("OpenProcessToken", last_error()));
    }
    OwnedHandle::new(h).ok_or(ApiError::new("OpenProcessToken", ERROR_INVALID_DATA))
}

/// A variable-size token information block, 8-byte aligned so it can be read as the
/// structure the class returns.
struct InfoBuf {
    words: Vec<u64>,
    len: usize,
}

impl InfoBuf {
    fn ptr<T>(&self) -> *const T {
        self.words.as_ptr().cast()
    }
}

/// `GetTokenInformation` for variable-size classes: ask for the size, then fill
/// (win32.md §3.1: the size probe fails with 122 or 24).
fn query_var(
    token: &OwnedHandle,
    class: TOKEN_INFORMATION_CLASS,
    api: &'static str,
) -> Result<InfoBuf, ApiError> {
    let mut needed = 0u32;
    // SAFETY: a zero-length probe with a NULL buffer; `needed` is a valid out pointer.
    let ok = unsafe { GetTokenInformation(token.raw(), class, ptr::null_mut(), 0, &mut needed) };
    if ok == 0 {
        let code = last_error();
        if code != ERROR_INSUFFICIENT_BUFFER && code != ERROR_BAD_LENGTH {
            return Err(ApiError::new(api, code));
        }
    }
    let len = needed as usize;
    let mut words = vec![0u64; len.div_ceil(8).max(1)];
    let cap = u32::try_from(words.len() * 8).map_err(|_| ApiError::new(api, ERROR_INVALID_DATA))?;
    // SAFETY: `words` holds `cap` writable bytes, 8-aligned; `needed` is a valid out pointer.
    let ok = unsafe {
        GetTokenInformation(
            token.raw(),
            class,
            words.as_mut_ptr().cast(),
            cap,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(ApiError::new(api, last_error()));
    }
    Ok(InfoBuf {
        words,
        len: needed as usize,
    })
}

/// `GetTokenInformation` for fixed-size classes.
fn query_fixed<T: Default>(
    token: &OwnedHandle,
    class: TOKEN_INFORMATION_CLASS,
    api: &'static str,
) -> Result<T, ApiError> {
    let mut out = T::default();
    let size = u32::try_from(size_of::<T>()).map_err(|_| ApiError::new(api, ERROR_INVALID_DATA))?;
    let mut needed = 0u32;
    // SAFETY: `out` is a properly aligned, writable T of `size` bytes.
    let ok = unsafe {
        GetTokenInformation(
            token.raw(),
            class,
            ptr::from_mut(&mut out).cast(),
            size,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(ApiError::new(api, last_error()));
    }
    Ok(out)
}

/// `TokenStatistics`.
pub(crate) fn statistics(token: &OwnedHandle) -> Result<TOKEN_STATISTICS, ApiError> {
    query_fixed(
        token,
        TokenStatistics,
        "GetTokenInformation(TokenStatistics)",
    )
}

/// `TokenElevationType` (win32.md §3.1: Default 1, Full 2, Limited 3).
pub(crate) fn elevation(token: &OwnedHandle) -> Result<Elevation, ApiError> {
    const API: &str = "GetTokenInformation(TokenElevationType)";
    let v: i32 = query_fixed(token, TokenElevationType, API)?;
    u32::try_from(v)
        .ok()
        .and_then(Elevation::from_value)
        .ok_or(ApiError::new(API, ERROR_INVALID_DATA))
}

/// `TokenLinkedToken`. `None` when Windows answers with a NULL handle (Wine does that for
/// Default tokens, win32.md §5.6).
pub(crate) fn linked_token(token: &OwnedHandle) -> Result<Option<OwnedHandle>, ApiError> {
    let linked: TOKEN_LINKED_TOKEN = query_fixed(
        token,
        TokenLinkedToken,
        "GetTokenInformation(TokenLinkedToken)",
    )?;
    Ok(OwnedHandle::new(linked.LinkedToken))
}

/// The SID string of `sid` (`ConvertSidToStringSidW`, buffer freed with `LocalFree`).
pub(crate) fn sid_string(sid: PSID) -> Result<String, ApiError> {
    let mut out: *mut u16 = ptr::null_mut();
    // SAFETY: `sid` points to a valid SID owned by the caller's buffer; `out` is a valid out
    // pointer.
    if unsafe { ConvertSidToStringSidW(sid, &mut out) } == 0 {
        return Err(ApiError::new("ConvertSidToStringSidW", last_error()));
    }
    let owned = Buffer::new(out, Free::Local);
    // SAFETY: on success `out` is a NUL-terminated string allocated for us.
    let s = unsafe { wide::from_ptr(owned.ptr()) };
    Ok(s.unwrap_or_default())
}

/// `DOMAIN\user` of `sid` (`LookupAccountSidW`); `None` when it cannot be resolved.
fn account_name(sid: PSID) -> Option<String> {
    let (mut name_len, mut dom_len) = (0u32, 0u32);
    let mut use_: SID_NAME_USE = 0;
    // SAFETY: size probe with NULL buffers and valid length pointers.
    unsafe {
        LookupAccountSidW(
            ptr::null(),
            sid,
            ptr::null_mut(),
            &mut name_len,
            ptr::null_mut(),
            &mut dom_len,
            &mut use_,
        )
    };
    if name_len == 0 {
        return None;
    }
    let mut name = vec![0u16; name_len as usize];
    let mut dom = vec![0u16; dom_len.max(1) as usize];
    let mut dom_len = dom.len() as u32;
    // SAFETY: both buffers hold the lengths passed alongside them.
    let ok = unsafe {
        LookupAccountSidW(
            ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut name_len,
            dom.as_mut_ptr(),
            &mut dom_len,
            &mut use_,
        )
    };
    if ok == 0 {
        return None;
    }
    let (name, dom) = (wide::from_buf(&name), wide::from_buf(&dom));
    Some(if dom.is_empty() {
        name
    } else {
        format!("{dom}\\{name}")
    })
}

/// Runs `f` on the token's user SID (`TokenUser`); the SID lives in a buffer that is freed
/// when `f` returns.
fn with_user_sid<R>(
    token: &OwnedHandle,
    f: impl FnOnce(PSID) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    const API: &str = "GetTokenInformation(TokenUser)";
    let buf = query_var(token, TokenUser, API)?;
    if buf.len < size_of::<TOKEN_USER>() {
        return Err(ApiError::new(API, ERROR_INVALID_DATA));
    }
    // SAFETY: the buffer is aligned and holds at least a TOKEN_USER; its SID pointer points
    // into the same buffer, which outlives `f`.
    let sid = unsafe { (*buf.ptr::<TOKEN_USER>()).User.Sid };
    f(sid)
}

/// The token's user SID as a string (no account lookup: cheap, never touches the network).
fn user_sid(token: &OwnedHandle) -> Result<String, ApiError> {
    with_user_sid(token, sid_string)
}

/// The token's user as `(SID string, DOMAIN\user or the SID when the lookup fails)`.
pub(crate) fn user(token: &OwnedHandle) -> Result<(String, String), ApiError> {
    with_user_sid(token, |sid| {
        let text = sid_string(sid)?;
        let name = account_name(sid).unwrap_or_else(|| text.clone());
        Ok((text, name))
    })
}

/// What `LsaGetLogonSessionData` says about a logon session.
pub(crate) struct SessionData {
    /// `SECURITY_LOGON_TYPE` (Wine: always 0).
    pub(crate) logon_type: u32,
    /// The session's user SID, when present.
    pub(crate) sid: Option<String>,
}

/// `LsaGetLogonSessionData` (win32.md §3.2), freed with `LsaFreeReturnBuffer`.
pub(crate) fn session_data(id: Luid) -> Result<SessionData, ApiError> {
    const API: &str = "LsaGetLogonSessionData";
    let l = LUID {
        LowPart: (id.0 & 0xffff_ffff) as u32,
        HighPart: (id.0 >> 32) as u32 as i32,
    };
    let mut data: *mut SECURITY_LOGON_SESSION_DATA = ptr::null_mut();
    // SAFETY: `l` and `data` are valid for the call.
    let status = unsafe { LsaGetLogonSessionData(&l, &mut data) };
    let data = Buffer::new(data, Free::Lsa);
    if status != 0 {
        // SAFETY: pure conversion.
        return Err(ApiError::new(API, unsafe { LsaNtStatusToWinError(status) }));
    }
    // For LocalSystem (0x0:0x3e7) the function succeeds but "returns zero for the logon
    // session data" (LsaGetLogonSessionData remarks): no session data is logon type 0
    // (System), not a failure that `logon_type` would report as Network.
    const NO_DATA: SessionData = SessionData {
        logon_type: 0,
        sid: None,
    };
    let p = data.ptr();
    if p.is_null() {
        return Ok(NO_DATA);
    }
    // SAFETY: on success `p` points to a SECURITY_LOGON_SESSION_DATA whose `Size` says how
    // much of it is present; LogonType and Sid are read only when covered by Size.
    unsafe {
        let size = (*p).Size as usize;
        if size == 0 {
            return Ok(NO_DATA);
        }
        if size < offset_of!(SECURITY_LOGON_SESSION_DATA, LogonTime) {
            return Err(ApiError::new(API, ERROR_INVALID_DATA));
        }
        let sid = (*p).Sid;
        Ok(SessionData {
            logon_type: (*p).LogonType,
            sid: if sid.is_null() {
                None
            } else {
                sid_string(sid).ok()
            },
        })
    }
}

/// The logon type of a session. A failed query is reported as `Network`, like Ansible
/// (win32.md §3.2: "Ansible maps a failed query to Network").
pub(crate) fn logon_type(id: Luid) -> LogonType {
    session_data(id).map_or(LogonType::Network, |d| LogonType::from_value(d.logon_type))
}

/// Who the token in effect is (win32.md §3.1, §3.2).
pub(crate) fn identity() -> Result<Identity, ApiError> {
    let token = effective_token()?;
    let (sid, user) = user(&token)?;
    let logon_id = luid(statistics(&token)?.AuthenticationId);
    let elevation = elevation(&token)?;
    // Only a split pair has a linked session (win32.md §3.4: never ask for a Default token).
    let linked_logon_id = match elevation {
        // A failure here only loses information, so it does not fail the identity.
        Elevation::Full | Elevation::Limited => linked_token(&token)
            .ok()
            .flatten()
            .and_then(|linked| statistics(&linked).ok())
            .map(|s| luid(s.AuthenticationId)),
        Elevation::Default => None,
    };
    Ok(Identity {
        user,
        is_system: sid == SYSTEM_SID,
        sid,
        logon_id,
        logon_type: logon_type(logon_id),
        elevation,
        linked_logon_id,
    })
}

/// The attributes (`SE_PRIVILEGE_*`) of a privilege in the token, `None` when the token does
/// not hold it (`TokenPrivileges`).
fn privilege_attributes(token: &OwnedHandle, privilege: LUID) -> Result<Option<u32>, ApiError> {
    const API: &str = "GetTokenInformation(TokenPrivileges)";
    let buf = query_var(token, TokenPrivileges, API)?;
    if buf.len < size_of::<u32>() {
        return Ok(None);
    }
    let tp = buf.ptr::<TOKEN_PRIVILEGES>();
    // SAFETY: the buffer is 8-aligned and holds at least the count.
    let count = unsafe { (*tp).PrivilegeCount } as usize;
    let first = offset_of!(TOKEN_PRIVILEGES, Privileges);
    let end = count
        .checked_mul(size_of::<LUID_AND_ATTRIBUTES>())
        .and_then(|n| n.checked_add(first));
    if end.is_none_or(|end| end > buf.len) {
        return Err(ApiError::new(API, ERROR_INVALID_DATA));
    }
    // SAFETY: `count` entries fit in the buffer (checked above), aligned as in the structure
    // (the buffer is 8-aligned; LUID_AND_ATTRIBUTES needs 4).
    let entries = unsafe {
        core::slice::from_raw_parts(
            ptr::addr_of!((*tp).Privileges).cast::<LUID_AND_ATTRIBUTES>(),
            count,
        )
    };
    Ok(entries
        .iter()
        .find(|e| e.Luid.LowPart == privilege.LowPart && e.Luid.HighPart == privilege.HighPart)
        .map(|e| e.Attributes))
}

/// Whether the token holds a privilege (present; enabled or not), `TokenPrivileges`.
fn has_privilege(token: &OwnedHandle, privilege: LUID) -> Result<bool, ApiError> {
    Ok(privilege_attributes(token, privilege)?.is_some())
}

/// `LookupPrivilegeValueW(NULL, name)`.
fn privilege_value(name: &str) -> Result<LUID, ApiError> {
    let w = WStr::new(name, "LookupPrivilegeValueW")?;
    let mut l = LUID::default();
    // SAFETY: `w` is NUL-terminated and alive; `l` is a valid out pointer.
    if unsafe { LookupPrivilegeValueW(ptr::null(), w.as_ptr(), &mut l) } == 0 {
        return Err(ApiError::new("LookupPrivilegeValueW", last_error()));
    }
    Ok(l)
}

/// Serialises changes to the process token's privileges: two threads enabling and restoring
/// the same privilege would otherwise restore each other's state too early.
static PRIVILEGES: Mutex<()> = Mutex::new(());

/// Held while the process token's privileges are being changed (see [`PRIVILEGES`]).
type PrivilegeSerial = MutexGuard<'static, ()>;

fn privilege_serial() -> PrivilegeSerial {
    PRIVILEGES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A privilege enabled on the process token until this guard drops, which puts back the
/// state `AdjustTokenPrivileges` reported as changed (Windows reports nothing for a
/// privilege that was enabled already; Wine 8.0 reports it, enabled).
struct EnabledPrivilege<'a> {
    token: OwnedHandle,
    /// `PreviousState`: at most the one privilege changed, with its former attributes.
    previous: TOKEN_PRIVILEGES,
    _serial: &'a PrivilegeSerial,
}

/// `AdjustTokenPrivileges(process token, enable name)`. `Ok(None)` when the token does not
/// hold the privilege (`ERROR_NOT_ALL_ASSIGNED`, reported with success): nothing changed.
fn enable_privilege<'a>(
    serial: &'a PrivilegeSerial,
    name: &str,
) -> Result<Option<EnabledPrivilege<'a>>, ApiError> {
    const API: &str = "AdjustTokenPrivileges";
    let luid = privilege_value(name)?;
    // TOKEN_QUERY as well: PreviousState is requested.
    let token = process_token(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY)?;
    let new = TOKEN_PRIVILEGES {
        PrivilegeCount: 1,
        Privileges: [LUID_AND_ATTRIBUTES {
            Luid: luid,
            Attributes: SE_PRIVILEGE_ENABLED,
        }],
    };
    let mut previous = TOKEN_PRIVILEGES::default();
    let mut returned = 0u32;
    // SAFETY: `new` is a valid one-entry TOKEN_PRIVILEGES; `previous` is a writable
    // TOKEN_PRIVILEGES of the byte length passed (room for the one entry that can change).
    let ok = unsafe {
        AdjustTokenPrivileges(
            token.raw(),
            0,
            &new,
            size_of::<TOKEN_PRIVILEGES>() as u32,
            &mut previous,
            &mut returned,
        )
    };
    // Read at once, also on success: ERROR_NOT_ALL_ASSIGNED comes with TRUE.
    let code = last_error();
    if ok == 0 {
        return Err(ApiError::new(API, code));
    }
    match code {
        ERROR_SUCCESS => Ok(Some(EnabledPrivilege {
            token,
            previous,
            _serial: serial,
        })),
        ERROR_NOT_ALL_ASSIGNED => Ok(None),
        code => Err(ApiError::new(API, code)),
    }
}

impl Drop for EnabledPrivilege<'_> {
    fn drop(&mut self) {
        if self.previous.PrivilegeCount == 0 {
            return; // it was enabled already: nothing to put back
        }
        // SAFETY: `token` is our process token opened with TOKEN_ADJUST_PRIVILEGES;
        // `previous` is the TOKEN_PRIVILEGES AdjustTokenPrivileges filled. No PreviousState.
        // A failure leaves the privilege enabled, which nothing here can improve.
        unsafe {
            AdjustTokenPrivileges(
                self.token.raw(),
                0,
                &self.previous,
                0,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
    }
}

/// Primary tokens (`TOKEN_QUERY | TOKEN_DUPLICATE`) of SYSTEM processes that hold
/// SeTcbPrivilege (ansible.md §1.4). Processes we cannot open are skipped; the last such
/// failure is returned when nothing was found.
///
/// SeDebugPrivilege is enabled on the process token for the enumeration only and put back
/// afterwards (win32.md §3.5, quoting Ansible.Become: "The main privilege required is the
/// SeDebugPrivilege"). An elevated interactive token holds it *disabled*; without it,
/// `OpenProcess` gets only what each SYSTEM process's DACL grants Administrators. Ansible
/// calls no AdjustTokenPrivileges itself [inference: its WinRM/become processes already run
/// with the privilege enabled]. Best effort: if it cannot be enabled the enumeration still
/// tries with the rights it has, and reports what failed.
fn system_tcb_tokens() -> Result<Vec<OwnedHandle>, ApiError> {
    const API: &str = "OpenProcessToken(SYSTEM)";
    let tcb = privilege_value("SeTcbPrivilege")?;
    let serial = privilege_serial();
    let _debug = enable_privilege(&serial, "SeDebugPrivilege").ok().flatten();
    // SAFETY: plain call; the result is checked below.
    let snap = OwnedHandle::new(unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) })
        .ok_or_else(|| ApiError::new("CreateToolhelp32Snapshot", last_error()))?;
    let mut entry = PROCESSENTRY32W {
        dwSize: size_of::<PROCESSENTRY32W>() as u32,
        ..Default::default()
    };
    let mut found = Vec::new();
    let mut last_failure = ERROR_ACCESS_DENIED;
    // SAFETY: `snap` is a process snapshot; `entry.dwSize` is set as required.
    let mut more = unsafe { Process32FirstW(snap.raw(), &mut entry) } != 0;
    if !more {
        return Err(ApiError::new("Process32FirstW", last_error()));
    }
    while more {
        let pid = entry.th32ProcessID;
        if pid != 0 {
            // SAFETY: plain call; the result is checked by OwnedHandle::new.
            let process =
                OwnedHandle::new(unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) });
            match process {
                None => last_failure = last_error(),
                Some(process) => {
                    let mut h: HANDLE = ptr::null_mut();
                    // SAFETY: `process` is open; `h` is a valid out pointer.
                    let ok = unsafe {
                        OpenProcessToken(process.raw(), TOKEN_QUERY | TOKEN_DUPLICATE, &mut h)
                    };
                    match (ok != 0).then(|| OwnedHandle::new(h)).flatten() {
                        None => last_failure = last_error(),
                        Some(token) => {
                            let is_system = user_sid(&token).is_ok_and(|sid| sid == SYSTEM_SID);
                            if is_system && has_privilege(&token, tcb).unwrap_or(false) {
                                found.push(token);
                            }
                        }
                    }
                }
            }
        }
        // SAFETY: as for Process32FirstW.
        more = unsafe { Process32NextW(snap.raw(), &mut entry) } != 0;
    }
    if found.is_empty() {
        return Err(ApiError::new(API, last_failure));
    }
    Ok(found)
}

/// The primary linked (limited) token of an elevated process (win32.md §3.4,
/// ansible.md §1.4): `TokenLinkedToken` asked while impersonating a SYSTEM token that holds
/// SeTcbPrivilege, so that Windows returns a primary token instead of an identification one.
///
/// - Default (not split): error 1312 (there is no linked token).
/// - Limited: error 1346 (the linked Full token is only usable from an elevated process).
/// - Full: the SYSTEM dance; a non-primary result is error 1346.
pub(crate) fn linked_primary_token() -> Result<OwnedHandle, ApiError> {
    const API: &str = "GetTokenInformation(TokenLinkedToken)";
    let process = process_token(TOKEN_QUERY | TOKEN_DUPLICATE)?;
    match elevation(&process)? {
        Elevation::Default => return Err(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION)),
        Elevation::Limited => return Err(ApiError::new(API, ERROR_BAD_IMPERSONATION_LEVEL)),
        Elevation::Full => {}
    }
    let mut last = ApiError::new(API, ERROR_BAD_IMPERSONATION_LEVEL);
    for system in system_tcb_tokens()? {
        let linked = {
            let _as_system = match Impersonation::start(&system) {
                Ok(g) => g,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            linked_token(&process)
            // `_as_system` reverts here, before the result is inspected.
        };
        match linked {
            Ok(Some(token)) => {
                if statistics(&token)?.TokenType == TokenPrimary {
                    return Ok(token);
                }
                // SeTcbPrivilege was not in effect: an identification-level token.
                last = ApiError::new(API, ERROR_BAD_IMPERSONATION_LEVEL);
            }
            Ok(None) => last = ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Checks that the thread now impersonates at `SecurityImpersonation` or above: Windows
/// may silently grant only identification (win32.md §3.3), and then every later call would
/// fail with 1346 or, worse, act as the wrong token.
pub(crate) fn check_thread_impersonation_level() -> Result<(), ApiError> {
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: pseudo-handle and valid out pointer.
    if unsafe { OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, 1, &mut h) } == 0 {
        return Err(ApiError::new("OpenThreadToken", last_error()));
    }
    let token = OwnedHandle::new(h).ok_or(ApiError::new("OpenThreadToken", ERROR_NO_TOKEN))?;
    if statistics(&token)?.ImpersonationLevel < SecurityImpersonation {
        return Err(ApiError::new(
            "ImpersonateLoggedOnUser",
            ERROR_BAD_IMPERSONATION_LEVEL,
        ));
    }
    Ok(())
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    #[test]
    fn identity_is_populated() -> Result<(), ApiError> {
        let id = identity()?;
        assert!(id.sid.starts_with("S-1-"), "{id:?}");
        assert!(!id.user.is_empty(), "{id:?}");
        assert_eq!(id.is_system, id.sid == SYSTEM_SID);
        if id.elevation == Elevation::Default {
            assert_eq!(id.linked_logon_id, None);
        }
        Ok(())
    }

    /// SeDebugPrivilege is enabled for the guard's lifetime and put back as it was (Wine:
    /// present but disabled, win32.md §5.6). A token without it is left untouched.
    #[test]
    fn enabled_privilege_is_restored() -> Result<(), ApiError> {
        let debug = privilege_value("SeDebugPrivilege")?;
        let serial = privilege_serial();
        let token = process_token(TOKEN_QUERY)?;
        let before = privilege_attributes(&token, debug)?;
        {
            let guard = enable_privilege(&serial, "SeDebugPrivilege")?;
            assert_eq!(guard.is_some(), before.is_some(), "{before:?}");
            if guard.is_some() {
                let during = privilege_attributes(&token, debug)?;
                assert!(
                    during.is_some_and(|a| a & SE_PRIVILEGE_ENABLED != 0),
                    "{during:?}"
                );
            }
        }
        assert_eq!(privilege_attributes(&token, debug)?, before);
        // Enabling what is enabled already and dropping that guard leaves it enabled (Windows
        // reports no previous state for it; Wine 8.0 reports it as enabled): only the outer
        // guard puts back the original state.
        if before.is_some() {
            let outer = enable_privilege(&serial, "SeDebugPrivilege")?;
            drop(enable_privilege(&serial, "SeDebugPrivilege")?);
            let during = privilege_attributes(&token, debug)?;
            assert!(
                during.is_some_and(|a| a & SE_PRIVILEGE_ENABLED != 0),
                "{during:?}"
            );
            drop(outer);
            assert_eq!(privilege_attributes(&token, debug)?, before);
        }
        Ok(())
    }

    #[test]
    fn luid_packs_high_and_low() {
        let l = LUID {
            LowPart: 0x000b_d3f6,
            HighPart: 1,
        };
        assert_eq!(luid(l), Luid(0x1_000b_d3f6));
        assert_eq!(luid(l).directory_form(), "00000001-000bd3f6");
    }
}

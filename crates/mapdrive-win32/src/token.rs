//! Access tokens: who the token in effect is, its logon session and elevation, and how an
//! elevated process obtains a usable (primary) linked token.

use core::mem::{offset_of, size_of};
use core::ptr;

use windows_sys::Win32::Foundation::{
    ERROR_BAD_LENGTH, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_DATA, ERROR_NO_TOKEN, HANDLE, LUID,
};
use windows_sys::Win32::Security::Authentication::Identity::{
    LsaNtStatusToWinError, SECURITY_LOGON_SESSION_DATA,
};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::{
    DuplicateTokenEx, GetTokenInformation, LUID_AND_ATTRIBUTES, LookupAccountNameW,
    LookupAccountSidW, LookupPrivilegeValueW, PSID, SE_PRIVILEGE_ENABLED, SID_AND_ATTRIBUTES,
    SID_NAME_USE, SecurityImpersonation, TOKEN_DUPLICATE, TOKEN_GROUPS, TOKEN_IMPERSONATE,
    TOKEN_INFORMATION_CLASS, TOKEN_LINKED_TOKEN, TOKEN_PRIMARY_GROUP, TOKEN_PRIVILEGES,
    TOKEN_QUERY, TOKEN_STATISTICS, TOKEN_USER, TokenElevationType, TokenGroups, TokenImpersonation,
    TokenLinkedToken, TokenPrimary, TokenPrimaryGroup, TokenPrivileges, TokenStatistics, TokenUser,
};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::RemoteDesktop::{
    ProcessIdToSessionId, WTS_CURRENT_SERVER_HANDLE, WTS_INFO_CLASS, WTSDomainName, WTSUserName,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetCurrentProcessId, GetCurrentThread, OpenProcess, OpenProcessToken,
    OpenThreadToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

use super::handle::{Buffer, Free, Impersonation, OwnedHandle, last_error};
use super::wide::{self, WStr};
use mapdrive_core::domain::token_search::{self, Privilege};
use mapdrive_core::domain::{Account, Elevation, Identity, LogonType, Luid, SessionUsers};
use mapdrive_core::error::{
    ApiError, ERROR_BAD_IMPERSONATION_LEVEL, ERROR_NO_SUCH_LOGON_SESSION, ERROR_PRIVILEGE_NOT_HELD,
};

/// `NT AUTHORITY\SYSTEM`.
pub(crate) const SYSTEM_SID: &str = "S-1-5-18";

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
/// (the size probe fails with 122 or 24).
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

/// `TokenElevationType` (Default 1, Full 2, Limited 3).
pub(crate) fn elevation(token: &OwnedHandle) -> Result<Elevation, ApiError> {
    const API: &str = "GetTokenInformation(TokenElevationType)";
    let v: i32 = query_fixed(token, TokenElevationType, API)?;
    u32::try_from(v)
        .ok()
        .and_then(Elevation::from_value)
        .ok_or(ApiError::new(API, ERROR_INVALID_DATA))
}

/// `TokenLinkedToken`. `None` when Windows answers with a NULL handle (Wine does that for
/// Default tokens).
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

/// The user SID of the token in effect (thread, else process).
pub(crate) fn identity_sid() -> Result<String, ApiError> {
    user_sid(&effective_token()?)
}

/// The token's user as `(SID string, DOMAIN\user or the SID when the lookup fails)`.
pub(crate) fn user(token: &OwnedHandle) -> Result<(String, String), ApiError> {
    with_user_sid(token, |sid| {
        let text = sid_string(sid)?;
        let name = account_name(sid).unwrap_or_else(|| text.clone());
        Ok((text, name))
    })
}

/// `SE_GROUP_USE_FOR_DENY_ONLY`: the group only denies access (UAC's limited token).
const SE_GROUP_USE_FOR_DENY_ONLY: u32 = 0x0000_0010;
/// `SE_GROUP_LOGON_ID`: the logon SID (`S-1-5-5-x-y`), not a group anyone targets.
const SE_GROUP_LOGON_ID: u32 = 0xC000_0000;

/// A group of a token: SID string, `DOMAIN\name` when it resolves, deny-only.
pub(crate) struct GroupEntry {
    pub(crate) sid: String,
    pub(crate) name: Option<String>,
    pub(crate) deny_only: bool,
}

/// The token's groups (`TokenGroups`, names by `LookupAccountSidW`; logon SIDs left out) and
/// its primary group's SID (`TokenPrimaryGroup`).
pub(crate) fn groups(token: &OwnedHandle) -> Result<(Vec<GroupEntry>, Option<String>), ApiError> {
    const API: &str = "GetTokenInformation(TokenGroups)";
    let buf = query_var(token, TokenGroups, API)?;
    let head = offset_of!(TOKEN_GROUPS, Groups);
    if buf.len < head {
        return Err(ApiError::new(API, ERROR_INVALID_DATA));
    }
    // SAFETY: the buffer is 8-aligned and holds at least the count.
    let count = unsafe { (*buf.ptr::<TOKEN_GROUPS>()).GroupCount } as usize;
    if buf.len < head + count * size_of::<SID_AND_ATTRIBUTES>() {
        return Err(ApiError::new(API, ERROR_INVALID_DATA));
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: `i < count` and the buffer holds `count` entries after the header (checked
        // above); the array starts at `Groups`, suitably aligned inside the 8-aligned buffer.
        let entry = unsafe {
            *buf.ptr::<u8>()
                .add(head + i * size_of::<SID_AND_ATTRIBUTES>())
                .cast::<SID_AND_ATTRIBUTES>()
        };
        if entry.Attributes & SE_GROUP_LOGON_ID == SE_GROUP_LOGON_ID {
            continue;
        }
        out.push(GroupEntry {
            sid: sid_string(entry.Sid)?,
            name: account_name(entry.Sid),
            deny_only: entry.Attributes & SE_GROUP_USE_FOR_DENY_ONLY != 0,
        });
    }
    const PRIMARY: &str = "GetTokenInformation(TokenPrimaryGroup)";
    let primary = match query_var(token, TokenPrimaryGroup, PRIMARY) {
        Ok(b) if b.len >= size_of::<TOKEN_PRIMARY_GROUP>() => {
            // SAFETY: aligned and large enough; the SID points into the same buffer.
            let sid = unsafe { (*b.ptr::<TOKEN_PRIMARY_GROUP>()).PrimaryGroup };
            sid_string(sid).ok()
        }
        _ => None,
    };
    Ok((out, primary))
}

/// What `LsaGetLogonSessionData` says about a logon session.
pub(crate) struct SessionData {
    /// `SECURITY_LOGON_TYPE` (Wine: always 0).
    pub(crate) logon_type: u32,
    /// The session's user SID, when present.
    pub(crate) sid: Option<String>,
    /// `LogonDomain\UserName`, when present.
    pub(crate) account: Option<String>,
    /// The Windows (terminal services) session it was logged on to.
    pub(crate) terminal_session: u32,
}

/// `LsaGetLogonSessionData`, freed with `LsaFreeReturnBuffer`.
pub(crate) fn session_data(id: Luid) -> Result<SessionData, ApiError> {
    const API: &str = "LsaGetLogonSessionData";
    let l = LUID {
        LowPart: (id.0 & 0xffff_ffff) as u32,
        HighPart: (id.0 >> 32) as u32 as i32,
    };
    let get = super::lazy::LsaGetLogonSessionData()?;
    let mut data: *mut SECURITY_LOGON_SESSION_DATA = ptr::null_mut();
    // SAFETY: `l` and `data` are valid for the call.
    let status = unsafe { get(&l, &mut data) };
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
        account: None,
        terminal_session: 0,
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
        let user = wide::from_counted((*p).UserName.Buffer, (*p).UserName.Length);
        let domain = wide::from_counted((*p).LogonDomain.Buffer, (*p).LogonDomain.Length);
        Ok(SessionData {
            logon_type: (*p).LogonType,
            sid: if sid.is_null() {
                None
            } else {
                sid_string(sid).ok()
            },
            account: match (domain.is_empty(), user.is_empty()) {
                (_, true) => None,
                (true, false) => Some(user),
                (false, false) => Some(format!("{domain}\\{user}")),
            },
            terminal_session: (*p).Session,
        })
    }
}

/// The logon type of a session. A failed query is reported as `Network`, like Ansible
/// ("Ansible maps a failed query to Network").
pub(crate) fn logon_type(id: Luid) -> LogonType {
    session_data(id).map_or(LogonType::Network, |d| LogonType::from_value(d.logon_type))
}

/// Who the token in effect is.
pub(crate) fn identity() -> Result<Identity, ApiError> {
    let token = effective_token()?;
    let (sid, user) = user(&token)?;
    let logon_id = luid(statistics(&token)?.AuthenticationId);
    let elevation = elevation(&token)?;
    // Only a split pair has a linked session (never ask for a Default token).
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

/// Process ids and executable names (`CreateToolhelp32Snapshot`): no process is opened.
pub(crate) fn processes() -> Result<Vec<(u32, String)>, ApiError> {
    // SAFETY: plain call; the result is checked below.
    let snap = OwnedHandle::new(unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) })
        .ok_or_else(|| ApiError::new("CreateToolhelp32Snapshot", last_error()))?;
    let mut entry = PROCESSENTRY32W {
        dwSize: size_of::<PROCESSENTRY32W>() as u32,
        ..Default::default()
    };
    // SAFETY: `snap` is a process snapshot; `entry.dwSize` is set as required.
    if unsafe { Process32FirstW(snap.raw(), &mut entry) } == 0 {
        return Err(ApiError::new("Process32FirstW", last_error()));
    }
    let mut out = Vec::new();
    loop {
        out.push((entry.th32ProcessID, wide::from_buf(&entry.szExeFile)));
        // SAFETY: as for Process32FirstW.
        if unsafe { Process32NextW(snap.raw(), &mut entry) } == 0 {
            return Ok(out);
        }
    }
}

/// The Windows (terminal services) session of a process (`ProcessIdToSessionId`).
pub(crate) fn terminal_session_of(pid: u32) -> Option<u32> {
    let mut session = 0u32;
    // SAFETY: plain call with a valid out pointer.
    (unsafe { ProcessIdToSessionId(pid, &mut session) } != 0).then_some(session)
}

/// This process's Windows session.
pub(crate) fn own_terminal_session() -> Option<u32> {
    // SAFETY: plain call.
    terminal_session_of(unsafe { GetCurrentProcessId() })
}

/// What a process's token says about its logon session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenFacts {
    /// `TokenStatistics.AuthenticationId`.
    pub(crate) logon_id: Luid,
    /// `TokenElevationType`, when readable.
    pub(crate) elevation: Option<Elevation>,
    /// The linked token's logon session (split pairs only).
    pub(crate) linked: Option<Luid>,
}

/// The token facts of process `pid`, opened for looking only: `PROCESS_QUERY_LIMITED_INFORMATION`
/// and `TOKEN_QUERY` (never `TOKEN_DUPLICATE`: nothing is impersonated or borrowed). The linked
/// token comes back as an identification token, enough to read its statistics.
pub(crate) fn token_facts(pid: u32) -> Result<TokenFacts, ApiError> {
    const API: &str = "OpenProcessToken";
    // SAFETY: plain call; the result is checked by OwnedHandle::new.
    let process =
        OwnedHandle::new(unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) })
            .ok_or_else(|| ApiError::new("OpenProcess", last_error()))?;
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: `process` is open; `h` is a valid out pointer.
    if unsafe { OpenProcessToken(process.raw(), TOKEN_QUERY, &mut h) } == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    let token = OwnedHandle::new(h).ok_or(ApiError::new(API, ERROR_INVALID_DATA))?;
    let logon_id = luid(statistics(&token)?.AuthenticationId);
    let elevation = elevation(&token).ok();
    let linked = match elevation {
        Some(Elevation::Full | Elevation::Limited) => linked_token(&token)
            .ok()
            .flatten()
            .and_then(|t| statistics(&t).ok())
            .map(|s| luid(s.AuthenticationId))
            // Wine answers every token's LUID as 0, its linked one's too.
            .filter(|l| *l != logon_id),
        _ => None,
    };
    Ok(TokenFacts {
        logon_id,
        elevation,
        linked,
    })
}

/// Where a candidate failed, in the order the steps run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// `OpenProcess`/`OpenProcessToken(TOKEN_QUERY)` of some process, or reading its token
    /// (before knowing whether it is a candidate).
    Open,
    /// `OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE)` of a candidate.
    Reopen,
    /// `DuplicateTokenEx` of a linked-session candidate's token.
    Duplicate,
    /// `ImpersonateLoggedOnUser(SYSTEM token)`.
    Impersonate,
    /// `TokenLinkedToken` asked as SYSTEM, or its result not a primary token.
    Linked,
}

/// What the search met, to say why no candidate worked (not just the last process's error).
#[derive(Debug, Default)]
struct SearchReport {
    open: Option<ApiError>,
    reopen: Option<ApiError>,
    duplicate: Option<ApiError>,
    impersonate: Option<ApiError>,
    linked: Option<ApiError>,
    candidates: usize,
}

impl SearchReport {
    /// Keeps the first failure of each stage.
    fn failed(&mut self, stage: Stage, e: ApiError) {
        let slot = match stage {
            Stage::Open => &mut self.open,
            Stage::Reopen => &mut self.reopen,
            Stage::Duplicate => &mut self.duplicate,
            Stage::Impersonate => &mut self.impersonate,
            Stage::Linked => &mut self.linked,
        };
        slot.get_or_insert(e);
    }

    /// The failure of the furthest step any candidate reached; without any candidate, the
    /// refused opens (candidates may be among them) or, when nothing was refused,
    /// `ERROR_PRIVILEGE_NOT_HELD`: no process of the linked session, and no SYSTEM process whose
    /// SeTcbPrivilege is enabled (Wine has neither).
    fn outcome(self) -> ApiError {
        if let Some(e) = self
            .linked
            .or(self.impersonate)
            .or(self.duplicate)
            .or(self.reopen)
        {
            return e;
        }
        match self.open {
            Some(e) if self.candidates == 0 => e,
            _ => ApiError::new("OpenProcessToken(SYSTEM)", ERROR_PRIVILEGE_NOT_HELD),
        }
    }
}

/// The token of process `pid` with exactly `access`; the process itself is opened with
/// `PROCESS_QUERY_LIMITED_INFORMATION` only (all `OpenProcessToken` needs). Opening a token is
/// decided by that token's own access list; no privilege is enabled for it.
fn open_token_of(pid: u32, access: u32, api: &'static str) -> Result<OwnedHandle, ApiError> {
    // SAFETY: plain call; the result is checked by OwnedHandle::new.
    let process =
        OwnedHandle::new(unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) })
            .ok_or_else(|| ApiError::new(api, last_error()))?;
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: `process` is open; `h` is a valid out pointer.
    if unsafe { OpenProcessToken(process.raw(), access, &mut h) } == 0 {
        return Err(ApiError::new(api, last_error()));
    }
    OwnedHandle::new(h).ok_or(ApiError::new(api, ERROR_INVALID_DATA))
}

/// What the decision ([`token_search`]) needs to know about one process's token. SeTcbPrivilege
/// is read for SYSTEM tokens only.
fn facts_of(
    token: &OwnedHandle,
    pid: u32,
    name: &str,
    tcb: LUID,
) -> Result<token_search::ProcessToken, ApiError> {
    let user_sid = user_sid(token)?;
    let logon_id = luid(statistics(token)?.AuthenticationId);
    let tcb = if user_sid == SYSTEM_SID {
        match privilege_attributes(token, tcb)? {
            None => Privilege::Absent,
            Some(a) if a & SE_PRIVILEGE_ENABLED != 0 => Privilege::Enabled,
            Some(_) => Privilege::Disabled,
        }
    } else {
        Privilege::Absent
    };
    Ok(token_search::ProcessToken {
        pid,
        name: name.to_string(),
        terminal_session: terminal_session_of(pid),
        user_sid,
        logon_id,
        elevation: elevation(token).ok(),
        tcb,
    })
}

/// Re-opens a chosen candidate's token with `TOKEN_QUERY | TOKEN_DUPLICATE` and checks that it
/// is still what was chosen (the process may have exited and its id been reused since it was
/// looked at): `Ok(None)` when it is not.
fn reopen(
    candidate: &token_search::ProcessToken,
    tcb: LUID,
    still: impl Fn(&token_search::ProcessToken) -> bool,
) -> Result<Option<OwnedHandle>, (Stage, ApiError)> {
    const API: &str = "OpenProcessToken(TOKEN_DUPLICATE)";
    let token = open_token_of(candidate.pid, TOKEN_QUERY | TOKEN_DUPLICATE, API)
        .map_err(|e| (Stage::Reopen, e))?;
    let facts =
        facts_of(&token, candidate.pid, &candidate.name, tcb).map_err(|e| (Stage::Reopen, e))?;
    Ok(still(&facts).then_some(token))
}

/// An impersonation-level duplicate of a linked-session process's token, to impersonate in
/// place of the linked token (`ImpersonateLoggedOnUser` takes it with `TOKEN_QUERY |
/// TOKEN_IMPERSONATE`). The duplicate is our own: the other process cannot change it.
fn impersonation_copy(token: &OwnedHandle) -> Result<OwnedHandle, (Stage, ApiError)> {
    const API: &str = "DuplicateTokenEx";
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: `token` is open with TOKEN_DUPLICATE; NULL attributes (default security, not
    // inheritable); `h` is a valid out pointer.
    let ok = unsafe {
        DuplicateTokenEx(
            token.raw(),
            TOKEN_QUERY | TOKEN_IMPERSONATE,
            ptr::null(),
            SecurityImpersonation,
            TokenImpersonation,
            &mut h,
        )
    };
    if ok == 0 {
        return Err((Stage::Duplicate, ApiError::new(API, last_error())));
    }
    OwnedHandle::new(h).ok_or((Stage::Duplicate, ApiError::new(API, ERROR_INVALID_DATA)))
}

/// `TokenLinkedToken` of `process` asked while impersonating `system`; only a primary token
/// (SeTcbPrivilege was in effect) is usable.
fn linked_as(
    system: &OwnedHandle,
    process: &OwnedHandle,
) -> Result<OwnedHandle, (Stage, ApiError)> {
    const API: &str = "GetTokenInformation(TokenLinkedToken)";
    let linked = {
        let _as_system = Impersonation::start(system).map_err(|e| (Stage::Impersonate, e))?;
        linked_token(process)
        // `_as_system` reverts here, before the result is inspected.
    };
    match linked {
        Ok(Some(token)) => match statistics(&token) {
            Ok(s) if s.TokenType == TokenPrimary => Ok(token),
            // SeTcbPrivilege was not in effect: an identification-level token.
            Ok(_) => Err((
                Stage::Linked,
                ApiError::new(API, ERROR_BAD_IMPERSONATION_LEVEL),
            )),
            Err(e) => Err((Stage::Linked, e)),
        },
        Ok(None) => Err((
            Stage::Linked,
            ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION),
        )),
        Err(e) => Err((Stage::Linked, e)),
    }
}

/// What this process looks for: its own logon session and Windows session, and its linked
/// token's user and logon session (read from the identification-level linked token, which
/// needs no privilege). When the linked token cannot be read, the linked session is set to this
/// one, so that no process is taken for it.
fn search_target(process: &OwnedHandle) -> Result<token_search::SearchTarget, ApiError> {
    let own_logon_id = luid(statistics(process)?.AuthenticationId);
    let linked = linked_token(process).ok().flatten().and_then(|t| {
        Some((
            user_sid(&t).ok()?,
            luid(statistics(&t).ok()?.AuthenticationId),
        ))
    });
    let (linked_user_sid, linked_logon_id) = linked.unwrap_or((String::new(), own_logon_id));
    Ok(token_search::SearchTarget {
        // SAFETY: plain call.
        own_pid: unsafe { GetCurrentProcessId() },
        own_logon_id,
        own_terminal_session: own_terminal_session(),
        linked_user_sid,
        linked_logon_id,
    })
}

/// The search for a token that acts in the linked logon session (see [`token_search`] and
/// docs/doctor-and-sessions.md, "How the limited token is obtained"):
///
/// 1. Every process is looked at with `PROCESS_QUERY_LIMITED_INFORMATION` and its token opened
///    with `TOKEN_QUERY` only (user SID, logon id, elevation; SeTcbPrivilege for SYSTEM tokens);
///    `lsass.exe` and this process are never opened.
/// 2. A process of the linked logon session (the user's `explorer.exe` first): only that one
///    token is re-opened with `TOKEN_DUPLICATE`, checked again and duplicated for impersonation.
/// 3. Only when none worked: SYSTEM tokens whose SeTcbPrivilege is enabled (`winlogon.exe` of
///    this Windows session first) are re-opened with `TOKEN_DUPLICATE` one at a time, checked
///    again and impersonated only to ask for `TokenLinkedToken`.
///
/// No privilege is enabled, no handle is kept of a process not about to be used, a failing
/// candidate is skipped and the furthest failure is reported ([`SearchReport::outcome`]).
///
/// Reviewed against Microsoft's documentation (Wine has no second logon session and no SYSTEM
/// process, so only real Windows runs steps 2 and 3):
/// - `OpenProcessToken`: the process handle needs only `PROCESS_QUERY_LIMITED_INFORMATION`; the
///   token access asked for is checked against the token's own DACL (a Limited token's default
///   DACL grants its user, the same SID as this elevated process for a UAC split token).
/// - `DuplicateTokenEx`: `hExistingToken` must be opened with `TOKEN_DUPLICATE`; the access asked
///   for the new token is checked against the existing token's DACL; `SecurityImpersonation` +
///   `TokenImpersonation` make an impersonation token.
/// - `ImpersonateLoggedOnUser`: an impersonation token needs `TOKEN_QUERY | TOKEN_IMPERSONATE` (a
///   primary one `TOKEN_QUERY | TOKEN_DUPLICATE`); Windows grants impersonation level only to a
///   caller with SeImpersonatePrivilege (an elevated administrator has it) or the same identity,
///   else silently identification: `check_thread_impersonation_level` catches that.
/// - `TokenLinkedToken` returns a primary token only to a caller with SeTcbPrivilege *in
///   effect* (enabled), else an identification token: step 3 counts only enabled privileges
///   and `linked_as` still checks the token type.
fn linked_by_search(process: &OwnedHandle) -> Result<OwnedHandle, ApiError> {
    let target = search_target(process)?;
    let tcb = privilege_value("SeTcbPrivilege")?;
    let mut report = SearchReport::default();
    let mut seen = Vec::new();
    for (pid, name) in processes()? {
        if pid == 0 || pid == target.own_pid || name.eq_ignore_ascii_case("lsass.exe") {
            continue;
        }
        let facts = open_token_of(pid, TOKEN_QUERY, "OpenProcessToken(TOKEN_QUERY)")
            .and_then(|token| facts_of(&token, pid, &name, tcb));
        match facts {
            Ok(f) => seen.push(f),
            Err(e) => report.failed(Stage::Open, e),
        }
    }
    let find = |pid: u32| seen.iter().find(|p| p.pid == pid);
    for candidate in token_search::linked_donors(&target, &seen)
        .into_iter()
        .filter_map(find)
    {
        report.candidates += 1;
        let copy = reopen(candidate, tcb, |f| {
            token_search::is_linked_donor(&target, f)
        })
        .and_then(|t| t.map(|t| impersonation_copy(&t)).transpose());
        match copy {
            Ok(Some(token)) => return Ok(token),
            Ok(None) => {}
            Err((stage, e)) => report.failed(stage, e),
        }
    }
    for candidate in token_search::system_donors(&target, &seen)
        .into_iter()
        .filter_map(find)
    {
        report.candidates += 1;
        let linked = reopen(candidate, tcb, |f| {
            token_search::is_system_donor(&target, f)
        })
        .and_then(|t| t.map(|system| linked_as(&system, process)).transpose());
        match linked {
            Ok(Some(token)) => return Ok(token),
            Ok(None) => {}
            Err((stage, e)) => report.failed(stage, e),
        }
    }
    Err(report.outcome())
}

/// A token that acts in the linked (limited) logon session of an elevated process: the
/// impersonation copy of a process's token in that session, or else the primary linked token
/// obtained the way Ansible's `become` does (`TokenLinkedToken` asked while impersonating a
/// SYSTEM token whose SeTcbPrivilege is enabled). The adapter calls this once per process and
/// keeps the answer (`Win32::use_token`).
///
/// - Default (not split): error 1312 (there is no linked token).
/// - Limited: error 1346 (the linked Full token is only usable from an elevated process).
/// - Full: the search ([`linked_by_search`]).
pub(crate) fn linked_primary_token() -> Result<OwnedHandle, ApiError> {
    const API: &str = "GetTokenInformation(TokenLinkedToken)";
    let process = process_token(TOKEN_QUERY | TOKEN_DUPLICATE)?;
    match elevation(&process)? {
        Elevation::Default => Err(ApiError::new(API, ERROR_NO_SUCH_LOGON_SESSION)),
        Elevation::Limited => Err(ApiError::new(API, ERROR_BAD_IMPERSONATION_LEVEL)),
        Elevation::Full => linked_by_search(&process),
    }
}

/// One string of `WTSQuerySessionInformationW`, `None` when unavailable or empty.
fn wts_string(session: u32, class: WTS_INFO_CLASS) -> Option<String> {
    // wtsapi32.dll is loaded on first use; without it there is no name to read.
    let query = super::lazy::WTSQuerySessionInformationW().ok()?;
    let mut buf: *mut u16 = ptr::null_mut();
    let mut bytes = 0u32;
    // SAFETY: `buf` and `bytes` are valid out pointers; the buffer is freed by `owned`.
    let ok = unsafe {
        query(
            WTS_CURRENT_SERVER_HANDLE,
            session,
            class,
            &mut buf,
            &mut bytes,
        )
    };
    let owned = Buffer::new(buf, Free::Wts);
    if ok == 0 {
        return None;
    }
    // SAFETY: on success the buffer is a NUL-terminated string that lives until `owned` drops.
    unsafe { wide::from_ptr_nonempty(owned.ptr()) }
}

/// The SID string of an account name (`LookupAccountNameW`); `None` when it does not resolve.
fn account_sid(name: &str) -> Option<String> {
    let w = WStr::new(name, "LookupAccountNameW").ok()?;
    let (mut sid_len, mut dom_len) = (0u32, 0u32);
    let mut use_: SID_NAME_USE = 0;
    // SAFETY: size probe with NULL buffers and valid length pointers.
    unsafe {
        LookupAccountNameW(
            ptr::null(),
            w.as_ptr(),
            ptr::null_mut(),
            &mut sid_len,
            ptr::null_mut(),
            &mut dom_len,
            &mut use_,
        )
    };
    if sid_len == 0 {
        return None;
    }
    let mut sid = vec![0u64; (sid_len as usize).div_ceil(8)];
    let mut dom = vec![0u16; dom_len.max(1) as usize];
    let mut dom_len = dom.len() as u32;
    // SAFETY: the SID buffer holds at least `sid_len` bytes (8-aligned), the domain buffer
    // `dom_len` units, as passed.
    let ok = unsafe {
        LookupAccountNameW(
            ptr::null(),
            w.as_ptr(),
            sid.as_mut_ptr().cast(),
            &mut sid_len,
            dom.as_mut_ptr(),
            &mut dom_len,
            &mut use_,
        )
    };
    if ok == 0 {
        return None;
    }
    sid_string(sid.as_mut_ptr().cast()).ok()
}

/// The user logged on to the Windows (terminal) session this process runs in, whose Explorer
/// shows drives: `WTSUserName` and `WTSDomainName` of `ProcessIdToSessionId`'s session.
/// `None` in session 0 (services, WinRM, scheduled tasks) or without a logged-on user.
fn interactive_user() -> Option<Account> {
    let session = own_terminal_session().filter(|s| *s != 0)?;
    let name = wts_string(session, WTSUserName)?;
    let user = match wts_string(session, WTSDomainName) {
        Some(domain) => format!("{domain}\\{name}"),
        None => name,
    };
    Some(Account {
        sid: account_sid(&user),
        user,
    })
}

/// The process token's linked account (`TokenLinkedToken`: an identification token suffices
/// to read its user) and the interactive session's user: the facts of the over-the-shoulder
/// check. Neither needs a privilege.
pub(crate) fn session_users() -> Result<SessionUsers, ApiError> {
    let process = process_token(TOKEN_QUERY)?;
    let linked = match elevation(&process)? {
        Elevation::Default => None,
        Elevation::Full | Elevation::Limited => linked_token(&process)
            .ok()
            .flatten()
            .and_then(|t| user(&t).ok())
            .map(|(sid, user)| Account {
                user,
                sid: Some(sid),
            }),
    };
    Ok(SessionUsers {
        linked,
        interactive: interactive_user(),
    })
}

/// Checks that the thread now impersonates at `SecurityImpersonation` or above: Windows
/// may silently grant only identification, and then every later call would
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

    /// Why no candidate worked is the furthest step any SYSTEM candidate reached, not the
    /// last process's error (the loop used to keep only the last failure).
    #[test]
    fn search_report_names_the_furthest_failure() {
        let open = ApiError::new("OpenProcessToken(SYSTEM)", 5);
        let imp = ApiError::new("ImpersonateLoggedOnUser", 1346);
        let linked = ApiError::new("GetTokenInformation(TokenLinkedToken)", 1346);
        let mut r = SearchReport::default();
        r.failed(Stage::Open, open.clone());
        r.failed(Stage::Open, ApiError::new("OpenProcessToken(SYSTEM)", 87));
        assert_eq!(r.outcome(), open, "no candidate: the first refused open");
        let r = SearchReport::default();
        assert_eq!(
            r.outcome(),
            ApiError::new("OpenProcessToken(SYSTEM)", ERROR_PRIVILEGE_NOT_HELD),
            "nothing refused, no SYSTEM token with SeTcb"
        );
        let mut r = SearchReport::default();
        r.failed(Stage::Open, open.clone());
        r.failed(Stage::Impersonate, imp.clone());
        r.candidates = 1;
        assert_eq!(r.outcome(), imp);
        let mut r = SearchReport::default();
        r.failed(Stage::Linked, linked.clone());
        r.failed(Stage::Impersonate, imp);
        r.failed(Stage::Open, open.clone());
        r.candidates = 2;
        assert_eq!(r.outcome(), linked);
        // A linked-session candidate that could not be duplicated beats one that could not
        // even be re-opened with TOKEN_DUPLICATE.
        let reopen = ApiError::new("OpenProcessToken(TOKEN_DUPLICATE)", 5);
        let dup = ApiError::new("DuplicateTokenEx", 1346);
        let mut r = SearchReport::default();
        r.failed(Stage::Open, open);
        r.failed(Stage::Reopen, reopen.clone());
        r.candidates = 1;
        assert_eq!(r.outcome(), reopen);
        let mut r = SearchReport::default();
        r.failed(Stage::Reopen, reopen);
        r.failed(Stage::Duplicate, dup.clone());
        r.candidates = 2;
        assert_eq!(r.outcome(), dup);
    }

    /// The search enables no privilege: SeDebugPrivilege stays as it was (Wine: held,
    /// disabled), whatever the outcome.
    #[test]
    fn linked_token_search_enables_no_privilege() -> Result<(), ApiError> {
        let debug = privilege_value("SeDebugPrivilege")?;
        let token = process_token(TOKEN_QUERY)?;
        let before = privilege_attributes(&token, debug)?;
        let result = linked_primary_token();
        println!("linked_primary_token: {:?}", result.as_ref().map(|_| ()));
        assert_eq!(privilege_attributes(&token, debug)?, before);
        Ok(())
    }

    #[test]
    fn session_users_are_read_without_privileges() -> Result<(), ApiError> {
        let users = session_users()?;
        let id = identity()?;
        println!("{users:?}");
        if id.elevation == Elevation::Default {
            assert_eq!(users.linked, None);
        }
        // The desktop's user is this test's user (a console session), or nobody (session 0).
        if let Some(desktop) = &users.interactive {
            let me = Account {
                user: id.user.clone(),
                sid: Some(id.sid.clone()),
            };
            assert!(desktop.same(&me), "{desktop:?} vs {me:?}");
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

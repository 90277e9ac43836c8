//! Logon sessions of the current user and their local DOS devices.
//!
//! Sessions: `LsaEnumerateLogonSessions` + `LsaGetLogonSessionData` (keep the user's SID).
//! Drives of *another* session: the object directory `\Sessions\0\DosDevices\<HHHHHHHH-LLLLLLLL>`
//! read with the native object-manager calls, declared here because windows-sys only has them
//! behind the large WDK features. Drives of the current session: `QueryDosDeviceW`.

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr;
use std::collections::BTreeMap;

use windows_sys::Win32::Foundation::{
    HANDLE, LUID, NTSTATUS, RtlNtStatusToDosError, UNICODE_STRING,
};
use windows_sys::Win32::Security::Authentication::Identity::LsaNtStatusToWinError;

use super::dosdev;
use super::handle::{Buffer, Free, OwnedHandle};
use super::token;
use mapdrive_core::domain::{DriveLetter, Elevation, Identity, LogonType, Luid};
use mapdrive_core::error::{
    ApiError, ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND,
};
use mapdrive_core::port::{GlobalNamespace, LogonSessionInfo, SessionView};

/// `OBJECT_ATTRIBUTES` (x64: 48 bytes).
#[repr(C)]
struct ObjectAttributes {
    length: u32,
    root_directory: HANDLE,
    object_name: *const UNICODE_STRING,
    attributes: u32,
    security_descriptor: *const c_void,
    security_quality_of_service: *const c_void,
}

/// `OBJECT_DIRECTORY_INFORMATION` (x64: 32 bytes).
#[repr(C)]
struct ObjectDirectoryInformation {
    name: UNICODE_STRING,
    type_name: UNICODE_STRING,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<UNICODE_STRING>() == 16);
    assert!(size_of::<ObjectAttributes>() == 48);
    assert!(size_of::<ObjectDirectoryInformation>() == 32);
};

#[link(name = "ntdll")]
unsafe extern "system" {
    fn NtOpenDirectoryObject(
        handle: *mut HANDLE,
        access: u32,
        attributes: *const ObjectAttributes,
    ) -> NTSTATUS;
    fn NtQueryDirectoryObject(
        handle: HANDLE,
        buffer: *mut c_void,
        length: u32,
        return_single_entry: u8,
        restart_scan: u8,
        context: *mut u32,
        return_length: *mut u32,
    ) -> NTSTATUS;
    fn NtOpenSymbolicLinkObject(
        handle: *mut HANDLE,
        access: u32,
        attributes: *const ObjectAttributes,
    ) -> NTSTATUS;
    fn NtQuerySymbolicLinkObject(
        handle: HANDLE,
        target: *mut UNICODE_STRING,
        return_length: *mut u32,
    ) -> NTSTATUS;
}

const OBJ_CASE_INSENSITIVE: u32 = 0x40;
const DIRECTORY_QUERY: u32 = 0x1;
const DIRECTORY_TRAVERSE: u32 = 0x2;
const SYMBOLIC_LINK_QUERY: u32 = 0x1;
const STATUS_MORE_ENTRIES: NTSTATUS = 0x105;
const STATUS_NO_MORE_ENTRIES: NTSTATUS = 0x8000_001A_u32 as i32;
const STATUS_BUFFER_OVERFLOW: NTSTATUS = 0x8000_0005_u32 as i32;
const STATUS_BUFFER_TOO_SMALL: NTSTATUS = 0xC000_0023_u32 as i32;
const STATUS_ACCESS_DENIED: NTSTATUS = 0xC000_0022_u32 as i32;
const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = 0xC000_0034_u32 as i32;
const STATUS_OBJECT_PATH_NOT_FOUND: NTSTATUS = 0xC000_003A_u32 as i32;
/// Byte limit of a `UNICODE_STRING`.
const MAX_BYTES: usize = 0xfffe;

fn nt_error(api: &'static str, status: NTSTATUS) -> ApiError {
    // SAFETY: pure conversion.
    ApiError::new(api, unsafe { RtlNtStatusToDosError(status) })
}

/// A UTF-16 name with a `UNICODE_STRING` pointing at it (no terminator needed).
struct NtName {
    units: Vec<u16>,
}

impl NtName {
    fn new(s: &str) -> NtName {
        let mut units: Vec<u16> = s.encode_utf16().collect();
        units.truncate(MAX_BYTES / 2);
        NtName { units }
    }

    /// The counted string; valid while `self` lives and is not changed.
    fn unicode(&self) -> UNICODE_STRING {
        let bytes = (self.units.len() * 2) as u16;
        UNICODE_STRING {
            Length: bytes,
            MaximumLength: bytes,
            Buffer: self.units.as_ptr().cast_mut(),
        }
    }
}

/// Opens `name` (relative to `root` when given) with an `Nt*Open*Object` function.
fn open_object(
    open: unsafe extern "system" fn(*mut HANDLE, u32, *const ObjectAttributes) -> NTSTATUS,
    root: Option<&OwnedHandle>,
    name: &str,
    access: u32,
) -> Result<OwnedHandle, NTSTATUS> {
    let name = NtName::new(name);
    let us = name.unicode();
    let attributes = ObjectAttributes {
        length: size_of::<ObjectAttributes>() as u32,
        root_directory: root.map_or(ptr::null_mut(), OwnedHandle::raw),
        object_name: &us,
        attributes: OBJ_CASE_INSENSITIVE,
        security_descriptor: ptr::null(),
        security_quality_of_service: ptr::null(),
    };
    let mut h: HANDLE = ptr::null_mut();
    // SAFETY: `attributes`, `us` and `name` live across the call; `h` is a valid out pointer.
    let status = unsafe { open(&mut h, access, &attributes) };
    if status < 0 {
        return Err(status);
    }
    OwnedHandle::new(h).ok_or(STATUS_OBJECT_NAME_NOT_FOUND)
}

/// Names and type names of the entries of an object directory.
fn directory_entries(dir: &OwnedHandle) -> Result<Vec<(String, String)>, ApiError> {
    const API: &str = "NtQueryDirectoryObject";
    let mut buf = vec![0u64; 512];
    let mut context = 0u32;
    let mut restart = 1u8;
    let mut out = Vec::new();
    loop {
        let bytes = buf.len() * 8;
        let mut returned = 0u32;
        // SAFETY: `buf` holds `bytes` writable, 8-aligned bytes; one entry per call.
        let status = unsafe {
            NtQueryDirectoryObject(
                dir.raw(),
                buf.as_mut_ptr().cast(),
                bytes as u32,
                1,
                restart,
                &mut context,
                &mut returned,
            )
        };
        match status {
            STATUS_NO_MORE_ENTRIES => return Ok(out),
            STATUS_BUFFER_TOO_SMALL | STATUS_BUFFER_OVERFLOW if bytes < MAX_BYTES * 4 => {
                buf = vec![0u64; (returned as usize).max(bytes * 2).div_ceil(8)];
                continue;
            }
            s if s < 0 => return Err(nt_error(API, s)),
            _ => {}
        }
        restart = 0;
        // SAFETY: on success the buffer starts with an ObjectDirectoryInformation whose
        // strings point into the same buffer (lengths in bytes).
        let entry = unsafe {
            let info = &*buf.as_ptr().cast::<ObjectDirectoryInformation>();
            (
                super::wide::from_counted(info.name.Buffer, info.name.Length),
                super::wide::from_counted(info.type_name.Buffer, info.type_name.Length),
            )
        };
        out.push(entry);
        if status != STATUS_MORE_ENTRIES && status != 0 {
            return Ok(out);
        }
    }
}

/// The target of the symbolic link `name` inside `dir`.
fn link_target(dir: &OwnedHandle, name: &str) -> Result<String, ApiError> {
    let link = open_object(
        NtOpenSymbolicLinkObject,
        Some(dir),
        name,
        SYMBOLIC_LINK_QUERY,
    )
    .map_err(|s| nt_error("NtOpenSymbolicLinkObject", s))?;
    let mut units = 256usize;
    loop {
        let mut buf = vec![0u16; units];
        let mut target = UNICODE_STRING {
            Length: 0,
            MaximumLength: (units * 2) as u16,
            Buffer: buf.as_mut_ptr(),
        };
        let mut returned = 0u32;
        // SAFETY: `target` describes `buf`, writable for MaximumLength bytes.
        let status = unsafe { NtQuerySymbolicLinkObject(link.raw(), &mut target, &mut returned) };
        if status == STATUS_BUFFER_TOO_SMALL && units < MAX_BYTES / 2 {
            // `returned` is the size needed in bytes; never past a UNICODE_STRING's limit
            // (not `clamp`: its lower bound, `units * 2`, may exceed that limit).
            let needed = (returned as usize).div_ceil(2) + 1;
            units = needed.max(units * 2).min(MAX_BYTES / 2);
            continue;
        }
        if status < 0 {
            return Err(nt_error("NtQuerySymbolicLinkObject", status));
        }
        let len = (usize::from(target.Length) / 2).min(units);
        return Ok(String::from_utf16_lossy(&buf[..len]));
    }
}

/// What an object directory of drive letters holds, as far as this process may look.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Directory {
    /// Its drive-letter links and their targets.
    Drives(Vec<(DriveLetter, String)>),
    /// It does not exist: the session has defined no device (no drives).
    Missing,
    /// It could not be opened (the Win32 code; 5 without administrator rights): the drives
    /// are unknown, which is not "no drives".
    Unreadable(u32),
}

/// How a failed `NtOpenDirectoryObject` is reported: a missing directory has no drives; any
/// other failure (access denied first of all) leaves them unknown.
fn open_failure(status: NTSTATUS) -> Directory {
    match status {
        STATUS_OBJECT_NAME_NOT_FOUND | STATUS_OBJECT_PATH_NOT_FOUND => Directory::Missing,
        STATUS_ACCESS_DENIED => Directory::Unreadable(ERROR_ACCESS_DENIED),
        other => Directory::Unreadable(nt_error("NtOpenDirectoryObject", other).code),
    }
}

/// Drive-letter symbolic links (`X:`) of an object directory and their targets.
pub(crate) fn directory_drives(path: &str) -> Result<Directory, ApiError> {
    let dir = match open_object(
        NtOpenDirectoryObject,
        None,
        path,
        DIRECTORY_QUERY | DIRECTORY_TRAVERSE,
    ) {
        Ok(d) => d,
        Err(status) => return Ok(open_failure(status)),
    };
    match directory_entries(&dir) {
        Ok(entries) => Ok(drive_links(entries, |name| link_target(&dir, name))),
        // Opened but not listable: its drives are unknown, and the other sessions go on.
        Err(e) => Ok(Directory::Unreadable(e.code)),
    }
}

/// The drive-letter links among a directory's `(name, type)` entries, each resolved by
/// `target`. A link that vanished in between (2, 3: another process removed the drive) is left
/// out; one that cannot be queried (access denied, any other failure) makes the whole directory
/// [`Directory::Unreadable`], never a listing with that drive silently missing.
fn drive_links(
    entries: Vec<(String, String)>,
    mut target: impl FnMut(&str) -> Result<String, ApiError>,
) -> Directory {
    let mut out = Vec::new();
    for (name, type_name) in entries {
        let letter = match name.as_bytes() {
            [l, b':'] => DriveLetter::from_byte(*l),
            _ => None,
        };
        let Some(letter) = letter else { continue };
        if !type_name.eq_ignore_ascii_case("SymbolicLink") {
            continue;
        }
        match target(&name) {
            Ok(t) => out.push((letter, t)),
            Err(e) if matches!(e.code, ERROR_FILE_NOT_FOUND | ERROR_PATH_NOT_FOUND) => continue,
            Err(e) => return Directory::Unreadable(e.code),
        }
    }
    out.sort_by_key(|(l, _)| *l);
    Directory::Drives(out)
}

/// LUIDs of every logon session (`LsaEnumerateLogonSessions`, buffer freed by the LSA).
fn logon_session_ids() -> Result<Vec<Luid>, ApiError> {
    let enumerate = super::lazy::LsaEnumerateLogonSessions()?;
    let mut count = 0u32;
    let mut list: *mut LUID = ptr::null_mut();
    // SAFETY: both are valid out pointers.
    let status = unsafe { enumerate(&mut count, &mut list) };
    let list = Buffer::new(list, Free::Lsa);
    if status != 0 {
        // SAFETY: pure conversion.
        let code = unsafe { LsaNtStatusToWinError(status) };
        return Err(ApiError::new("LsaEnumerateLogonSessions", code));
    }
    if list.ptr().is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: the LSA returned an array of `count` LUIDs that lives until `list` drops.
    let ids = unsafe { core::slice::from_raw_parts(list.ptr(), count as usize) };
    Ok(ids.iter().map(|l| token::luid(*l)).collect())
}

fn other_half(e: Elevation) -> Option<Elevation> {
    match e {
        Elevation::Full => Some(Elevation::Limited),
        Elevation::Limited => Some(Elevation::Full),
        Elevation::Default => None,
    }
}

/// Drives of the current session: every letter `QueryDosDeviceW` resolves (local + global).
fn current_drives() -> Result<Vec<(DriveLetter, String)>, ApiError> {
    let mut out = Vec::new();
    for letter in DriveLetter::all() {
        if let Some(target) = dosdev::drive(letter)? {
            out.push((letter, target));
        }
    }
    Ok(out)
}

fn view(me: &Identity, id: Luid, logon_type: LogonType) -> Result<SessionView, ApiError> {
    let is_current = id == me.logon_id;
    let elevation = if is_current {
        Some(me.elevation)
    } else if Some(id) == me.linked_logon_id {
        other_half(me.elevation)
    } else {
        None
    };
    let (drives, unreadable) = if is_current {
        (current_drives()?, None)
    } else {
        let path = format!(r"\Sessions\0\DosDevices\{}", id.directory_form());
        // One session's failure stays its own: unreadable, never the end of every session.
        match directory_drives(&path) {
            Ok(Directory::Drives(d)) => (d, None),
            Ok(Directory::Missing) => (Vec::new(), None),
            Ok(Directory::Unreadable(code)) => (Vec::new(), Some(code)),
            Err(e) => (Vec::new(), Some(e.code)),
        }
    };
    Ok(SessionView {
        logon_id: id,
        logon_type,
        elevation,
        is_current,
        drives,
        unreadable,
    })
}

/// The logon sessions of `me`'s user. Sessions whose data cannot be read are skipped.
/// The current session is always present: Wine enumerates no sessions at all, and a failing
/// `LsaEnumerateLogonSessions` leaves the current session's view.
pub(crate) fn sessions(me: &Identity) -> Result<Vec<SessionView>, ApiError> {
    sessions_from(me, logon_session_ids())
}

/// [`sessions`] over an enumeration result (a failure lists only the current session).
fn sessions_from(
    me: &Identity,
    ids: Result<Vec<Luid>, ApiError>,
) -> Result<Vec<SessionView>, ApiError> {
    let mut out = Vec::new();
    for id in ids.unwrap_or_default() {
        let Ok(data) = token::session_data(id) else {
            continue;
        };
        if data.sid.as_deref() != Some(me.sid.as_str()) {
            continue;
        }
        out.push(view(me, id, LogonType::from_value(data.logon_type))?);
    }
    if !out.iter().any(|s| s.is_current) {
        out.push(view(me, me.logon_id, me.logon_type)?);
    }
    out.sort_by_key(|s| (!s.is_current, s.logon_id));
    Ok(out)
}

/// The global DOS-device namespace: `\GLOBAL??`, or, where it does not exist (Wine, whose one
/// namespace is the directory `\??`), `\??`. Never missing on Windows.
pub(crate) fn global_namespace() -> Result<GlobalNamespace, ApiError> {
    for directory in [r"\GLOBAL??", r"\??"] {
        match directory_drives(directory)? {
            Directory::Drives(drives) => {
                return Ok(GlobalNamespace {
                    directory: directory.to_string(),
                    drives,
                });
            }
            Directory::Missing => continue,
            Directory::Unreadable(code) => {
                return Err(ApiError::new("NtOpenDirectoryObject", code));
            }
        }
    }
    Err(ApiError::new("NtOpenDirectoryObject", 3))
}

/// What the processes this process may look at say, per logon session: elevation, linked
/// session and Windows session (from the first process seen), and the logon session of the
/// Explorer of `terminal`.
#[derive(Default)]
struct ProcessView {
    tokens: BTreeMap<Luid, (token::TokenFacts, Option<u32>)>,
    explorer: Option<Luid>,
}

fn process_view(terminal: Option<u32>) -> ProcessView {
    let mut view = ProcessView::default();
    // Best effort: without the list, only this process's own facts are known.
    for (pid, name) in token::processes().unwrap_or_default() {
        if pid == 0 {
            continue;
        }
        let Ok(facts) = token::token_facts(pid) else {
            continue;
        };
        let session = token::terminal_session_of(pid);
        if name.eq_ignore_ascii_case("explorer.exe")
            && session.is_some()
            && session == terminal
            && view.explorer.is_none()
        {
            view.explorer = Some(facts.logon_id);
        }
        view.tokens
            .entry(facts.logon_id)
            .or_insert((facts, session));
    }
    view
}

/// This session's own drive letters: its directory, or, when that cannot be opened, what
/// `QueryDosDeviceW` resolves that differs from the global namespace.
fn own_drives(
    me: &Identity,
    global: &[(DriveLetter, String)],
) -> Result<Vec<(DriveLetter, String)>, ApiError> {
    let path = format!(r"\Sessions\0\DosDevices\{}", me.logon_id.directory_form());
    Ok(match directory_drives(&path) {
        Ok(Directory::Drives(d)) => d,
        Ok(Directory::Missing) => Vec::new(),
        Ok(Directory::Unreadable(_)) | Err(_) => current_drives()?
            .into_iter()
            .filter(|(l, t)| !global.iter().any(|(gl, gt)| gl == l && gt == t))
            .collect(),
    })
}

/// Every logon session `LsaEnumerateLogonSessions` lists (Wine lists none: then the logon
/// sessions of the processes seen), with what may be read about it (issue 17).
pub(crate) fn logon_sessions(me: &Identity) -> Result<Vec<LogonSessionInfo>, ApiError> {
    let terminal = token::own_terminal_session();
    let processes = process_view(terminal);
    let mut ids = logon_session_ids().unwrap_or_default();
    ids.push(me.logon_id);
    ids.extend(processes.tokens.keys().copied());
    ids.sort();
    ids.dedup();
    let global = global_namespace().map(|g| g.drives).unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        let is_current = id == me.logon_id;
        let data = token::session_data(id).ok();
        let facts = processes.tokens.get(&id);
        let account = if is_current {
            Some(me.user.clone())
        } else {
            data.as_ref().and_then(|d| d.account.clone())
        };
        let terminal_session = if is_current {
            terminal.or(data.as_ref().map(|d| d.terminal_session))
        } else {
            facts
                .and_then(|(_, t)| *t)
                .or(data.as_ref().map(|d| d.terminal_session))
        };
        let logon_type = if is_current {
            Some(me.logon_type)
        } else {
            data.as_ref().map(|d| LogonType::from_value(d.logon_type))
        };
        let (elevation, linked) = if is_current {
            (Some(me.elevation), me.linked_logon_id.filter(|l| *l != id))
        } else {
            (
                facts.and_then(|(f, _)| f.elevation),
                facts.and_then(|(f, _)| f.linked),
            )
        };
        let (drives, unreadable) = if is_current {
            (own_drives(me, &global)?, None)
        } else if id == Luid::SYSTEM {
            // SYSTEM's `\??` is the global namespace: drawn there.
            (Vec::new(), None)
        } else {
            let path = format!(r"\Sessions\0\DosDevices\{}", id.directory_form());
            // A directory that opens but cannot be listed is as unknown as one that does not
            // open: one session's failure does not end the picture.
            match directory_drives(&path) {
                Ok(Directory::Drives(d)) => (d, None),
                Ok(Directory::Missing) => (Vec::new(), None),
                Ok(Directory::Unreadable(code)) => (Vec::new(), Some(code)),
                Err(e) => (Vec::new(), Some(e.code)),
            }
        };
        out.push(LogonSessionInfo {
            logon_id: id,
            account,
            terminal_session,
            logon_type,
            elevation,
            linked_logon_id: linked,
            is_current,
            is_explorer: processes.explorer == Some(id),
            drives,
            unreadable,
        });
    }
    Ok(out)
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    #[test]
    fn current_session_is_listed_with_its_drives() -> Result<(), ApiError> {
        let me = token::identity()?;
        let all = sessions(&me)?;
        let current: Vec<_> = all.iter().filter(|s| s.is_current).collect();
        assert_eq!(current.len(), 1, "{all:?}");
        assert_eq!(current[0].logon_id, me.logon_id);
        assert_eq!(current[0].elevation, Some(me.elevation));
        assert!(
            current[0].drives.iter().any(|(l, _)| l.as_char() == 'C'),
            "{all:?}"
        );
        Ok(())
    }

    /// `\??` opened as a directory is this logon session's local
    /// `\Sessions\0\DosDevices\<LUID>` on Windows; `C:` lives in `\GLOBAL??` (this
    /// test used to read `\??` and passed only on Wine's single namespace). Wine has no
    /// `\GLOBAL??` directory: its one namespace is the directory `\??` (with `\??\Global` a
    /// link to itself), read only when `\GLOBAL??` does not exist, which never happens on
    /// Windows. Exercises the structure layouts and the directory and symbolic-link calls used
    /// for other sessions.
    #[test]
    fn object_directory_layout_reads_dos_devices() -> Result<(), ApiError> {
        let global = match directory_drives(r"\GLOBAL??")? {
            Directory::Missing => directory_drives(r"\??")?,
            other => other,
        };
        let Directory::Drives(drives) = global else {
            panic!("the global DOS-device directory must be readable: {global:?}");
        };
        let c = drives.iter().find(|(l, _)| l.as_char() == 'C');
        let expected = dosdev::query("C:")?;
        match c {
            Some((_, target)) => assert_eq!(Some(target.clone()), expected),
            None => panic!("C: missing from the global listing: {drives:?}"),
        }
        // A directory that does not exist has no drives.
        assert_eq!(
            directory_drives(r"\Sessions\0\DosDevices\ffffffff-ffffffff")?,
            Directory::Missing
        );
        Ok(())
    }

    /// A drive link that cannot be queried makes the session unreadable (its drives are
    /// unknown), never a listing without that drive; a link removed in between is just gone.
    #[test]
    fn an_unqueryable_link_makes_the_directory_unreadable() {
        let entries = || {
            vec![
                ("P:".to_string(), "SymbolicLink".to_string()),
                ("Q:".to_string(), "SymbolicLink".to_string()),
                ("Global".to_string(), "SymbolicLink".to_string()),
                ("R:".to_string(), "Device".to_string()),
            ]
        };
        let target = |code: u32| {
            move |name: &str| match name {
                "Q:" => Err(ApiError::new("NtOpenSymbolicLinkObject", code)),
                _ => Ok(format!(r"\Device\LanmanRedirector\;{name}0\srv\share")),
            }
        };
        let p = DriveLetter::from_byte(b'P').expect("P");
        let p_target = r"\Device\LanmanRedirector\;P:0\srv\share".to_string();
        assert_eq!(
            drive_links(entries(), target(ERROR_ACCESS_DENIED)),
            Directory::Unreadable(ERROR_ACCESS_DENIED)
        );
        assert_eq!(
            drive_links(entries(), target(1450)),
            Directory::Unreadable(1450)
        );
        for gone in [ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND] {
            assert_eq!(
                drive_links(entries(), target(gone)),
                Directory::Drives(vec![(p, p_target.clone())])
            );
        }
    }

    /// Access denied (normal for another session without administrator rights) is reported
    /// as unreadable, never as "no drives".
    #[test]
    fn unopenable_directory_is_unreadable_not_empty() {
        assert_eq!(open_failure(STATUS_ACCESS_DENIED), Directory::Unreadable(5));
        assert_eq!(
            open_failure(STATUS_OBJECT_NAME_NOT_FOUND),
            Directory::Missing
        );
        assert_eq!(
            open_failure(STATUS_OBJECT_PATH_NOT_FOUND),
            Directory::Missing
        );
        assert!(matches!(
            open_failure(0xC000_0001_u32 as i32),
            Directory::Unreadable(c) if c != 0
        ));
    }

    /// The picture's adapter pieces. Wine has one logon session (LUID 0, logon type 0) and no
    /// SYSTEM process, and keeps every DOS device in one namespace, `\??` (no `\GLOBAL??`): so
    /// here the current session is the only one, its drives are the global namespace's, and
    /// Explorer (Wine's desktop process) runs in it. On Windows the same test sees more.
    #[test]
    fn logon_sessions_list_this_process_and_the_global_drives() -> Result<(), ApiError> {
        let me = token::identity()?;
        let all = logon_sessions(&me)?;
        println!("{all:#?}");
        let current: Vec<_> = all.iter().filter(|s| s.is_current).collect();
        assert_eq!(current.len(), 1, "{all:?}");
        assert_eq!(current[0].logon_id, me.logon_id);
        assert_eq!(current[0].account.as_deref(), Some(me.user.as_str()));
        assert!(current[0].unreadable.is_none());
        assert_eq!(current[0].terminal_session, token::own_terminal_session());
        // Explorer, when it runs on this desktop, is in one of the listed sessions.
        let explorers = all.iter().filter(|s| s.is_explorer).count();
        assert!(explorers <= 1, "{all:?}");
        let global = global_namespace()?;
        assert!(
            global.directory == r"\GLOBAL??" || global.directory == r"\??",
            "{global:?}"
        );
        assert!(
            global.drives.iter().any(|(l, _)| l.as_char() == 'C'),
            "{global:?}"
        );
        // Token facts are read with query rights only, for this process too.
        // SAFETY: plain call.
        let pid = unsafe { windows_sys::Win32::System::Threading::GetCurrentProcessId() };
        let facts = token::token_facts(pid)?;
        assert_eq!(facts.logon_id, me.logon_id);
        assert_eq!(facts.elevation, Some(me.elevation));
        Ok(())
    }

    /// A failing `LsaEnumerateLogonSessions` still leaves the current session's view.
    #[test]
    fn failed_session_enumeration_keeps_the_current_session() -> Result<(), ApiError> {
        let me = token::identity()?;
        let all = sessions_from(&me, Err(ApiError::new("LsaEnumerateLogonSessions", 5)))?;
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(all[0].is_current && all[0].logon_id == me.logon_id);
        assert!(all[0].unreadable.is_none());
        Ok(())
    }
}

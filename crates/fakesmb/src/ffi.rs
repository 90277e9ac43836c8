//! The exported network-provider entry points (npapi.h). Each export converts its raw
//! arguments, calls the safe logic in [`crate::provider`] / [`crate::enumbuf`] with the Win32
//! host, and writes results back. No panics: every fallible step maps to a `WN_*` code.
#![allow(non_snake_case)]

use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::sync::{Mutex, MutexGuard, PoisonError};

use windows_sys::Win32::Foundation::{HANDLE, HWND};
use windows_sys::Win32::NetworkManagement::WNet::{
    NETRESOURCEW, WNNC_CON_ADDCONNECTION, WNNC_CON_ADDCONNECTION3, WNNC_CON_CANCELCONNECTION,
    WNNC_CON_GETCONNECTIONS, WNNC_CONNECTION, WNNC_ENUM_LOCAL, WNNC_ENUMERATION, WNNC_NET_TYPE,
    WNNC_SPEC_VERSION, WNNC_SPEC_VERSION51,
};

use crate::codes;
use crate::enumbuf::{self, EnumEntry, EnumState, HandleTable, Step};
use crate::fixture::Fixture;
use crate::names;
use crate::provider::{self, AddRequest, PROVIDER_NAME};
use crate::win::{Win32Host, wide};

/// `WNNC_NET_LANMAN`: the network type of the real SMB redirector, so `HKCU\Network\X\ProviderType`
/// matches Windows.
const WNNC_NET_LANMAN: u32 = 0x0002_0000;
/// Longest string read from a caller pointer, in UTF-16 units (the longest NT path).
const MAX_WSTR: usize = 32_767;

// The pure layout code in `enumbuf` must agree with the real structure.
const _: () = assert!(size_of::<NETRESOURCEW>() == enumbuf::NETRESOURCEW_SIZE);
const _: () = assert!(offset_of!(NETRESOURCEW, dwScope) == 0);
const _: () = assert!(offset_of!(NETRESOURCEW, dwType) == 4);
const _: () = assert!(offset_of!(NETRESOURCEW, dwDisplayType) == 8);
const _: () = assert!(offset_of!(NETRESOURCEW, dwUsage) == 12);
const _: () = assert!(offset_of!(NETRESOURCEW, lpLocalName) == enumbuf::OFFSET_LOCAL_NAME);
const _: () = assert!(offset_of!(NETRESOURCEW, lpRemoteName) == enumbuf::OFFSET_REMOTE_NAME);
const _: () = assert!(offset_of!(NETRESOURCEW, lpComment) == enumbuf::OFFSET_COMMENT);
const _: () = assert!(offset_of!(NETRESOURCEW, lpProvider) == enumbuf::OFFSET_PROVIDER);

/// Open `NPOpenEnum` handles of this process.
static ENUMS: Mutex<HandleTable<EnumState>> = Mutex::new(HandleTable::new());

fn enums() -> MutexGuard<'static, HandleTable<EnumState>> {
    // A poisoned lock would need a panic, which panic=abort rules out; take the data anyway.
    ENUMS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads a NUL-terminated UTF-16 string; `None` for a NULL pointer.
///
/// # Safety
/// `p` must be NULL or point to a readable NUL-terminated UTF-16 string (only the first
/// [`MAX_WSTR`] units are read if it is longer).
pub(crate) unsafe fn read_wstr(p: *const u16) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut len = 0usize;
    // SAFETY: per the contract every unit up to and including the terminator is readable, and
    // the loop stops at the terminator.
    while len < MAX_WSTR && unsafe { p.add(len).read_unaligned() } != 0 {
        len += 1;
    }
    let units: Vec<u16> = (0..len)
        // SAFETY: these `len` units were just read above.
        .map(|i| unsafe { p.add(i).read_unaligned() })
        .collect();
    Some(String::from_utf16_lossy(&units))
}

/// Provider capabilities.
#[unsafe(no_mangle)]
pub extern "system" fn NPGetCaps(index: u32) -> u32 {
    match index {
        WNNC_SPEC_VERSION => WNNC_SPEC_VERSION51,
        WNNC_NET_TYPE => WNNC_NET_LANMAN,
        WNNC_CONNECTION => {
            WNNC_CON_ADDCONNECTION
                | WNNC_CON_CANCELCONNECTION
                | WNNC_CON_GETCONNECTIONS
                | WNNC_CON_ADDCONNECTION3
        }
        WNNC_ENUMERATION => WNNC_ENUM_LOCAL,
        _ => 0,
    }
}

/// Connects `lpNetResource` (see [`NPAddConnection3`]).
///
/// # Safety
/// Same contract as [`NPAddConnection3`].
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPAddConnection(
    net_resource: *const NETRESOURCEW,
    password: *const u16,
    user_name: *const u16,
) -> u32 {
    // SAFETY: the caller upholds NPAddConnection3's contract for these arguments.
    unsafe { NPAddConnection3(std::ptr::null_mut(), net_resource, password, user_name, 0) }
}

/// Connects `lpNetResource->lpRemoteName`, redirecting `lpLocalName` if it is non-empty.
///
/// # Safety
/// `net_resource` must be NULL or point to a readable `NETRESOURCEW` whose string fields are
/// NULL or NUL-terminated; `password` and `user_name` must be NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPAddConnection3(
    _hwnd_owner: HWND,
    net_resource: *const NETRESOURCEW,
    password: *const u16,
    user_name: *const u16,
    _flags: u32,
) -> u32 {
    if net_resource.is_null() {
        return codes::INVALID_ADDRESS;
    }
    // SAFETY: non-NULL and readable per the contract; strings are NULL or NUL-terminated.
    let req = unsafe {
        let nr = net_resource.read_unaligned();
        AddRequest {
            resource_type: nr.dwType,
            local: read_wstr(nr.lpLocalName),
            remote: read_wstr(nr.lpRemoteName),
            password: read_wstr(password),
            user: read_wstr(user_name),
        }
    };
    provider::add_connection(&mut Win32Host, &Fixture::load_from_env(), &req)
}

/// Disconnects drive `name` (`"M:"`).
///
/// # Safety
/// `name` must be NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPCancelConnection(name: *const u16, force: i32) -> u32 {
    // SAFETY: NULL or NUL-terminated per the contract.
    let Some(name) = (unsafe { read_wstr(name) }) else {
        return codes::NOT_CONNECTED;
    };
    provider::cancel_connection(&mut Win32Host, &Fixture::load_from_env(), &name, force != 0)
}

/// The remote name behind drive `local_name`.
///
/// # Safety
/// `local_name` must be NULL or NUL-terminated; `buffer_len` NULL or a valid `DWORD` pointer;
/// `remote_name` NULL or writable for `*buffer_len` UTF-16 units.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPGetConnection(
    local_name: *const u16,
    remote_name: *mut u16,
    buffer_len: *mut u32,
) -> u32 {
    if buffer_len.is_null() {
        return codes::INVALID_ADDRESS;
    }
    // SAFETY: NULL or NUL-terminated per the contract.
    let Some(local) = (unsafe { read_wstr(local_name) }) else {
        return codes::NOT_CONNECTED;
    };
    let remote = match provider::get_connection(&Win32Host, &local) {
        Ok(r) => wide(&r),
        Err(code) => return code,
    };
    let needed = u32::try_from(remote.len()).unwrap_or(u32::MAX);
    // SAFETY: buffer_len is non-NULL and valid per the contract.
    let capacity = unsafe { buffer_len.read_unaligned() };
    if remote_name.is_null() || capacity < needed {
        // SAFETY: as above.
        unsafe { buffer_len.write_unaligned(needed) };
        return codes::MORE_DATA;
    }
    // SAFETY: remote_name is writable for `capacity` >= remote.len() units; the source is a
    // separate allocation.
    unsafe { std::ptr::copy_nonoverlapping(remote.as_ptr(), remote_name, remote.len()) };
    codes::SUCCESS
}

/// Opens an enumeration. Only `RESOURCE_CONNECTED` is supported: a snapshot of the drive letters
/// whose DOS device is a redirector one.
///
/// # Safety
/// `handle_out` must be NULL or a valid `HANDLE` pointer.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPOpenEnum(
    scope: u32,
    resource_type: u32,
    _usage: u32,
    _net_resource: *const NETRESOURCEW,
    handle_out: *mut HANDLE,
) -> u32 {
    if handle_out.is_null() {
        return codes::INVALID_ADDRESS;
    }
    if scope != enumbuf::RESOURCE_CONNECTED {
        return codes::NOT_SUPPORTED;
    }
    let entries = if resource_type == enumbuf::RESOURCETYPE_ANY
        || resource_type == enumbuf::RESOURCETYPE_DISK
    {
        provider::connections(&Win32Host)
            .into_iter()
            .map(|c| EnumEntry {
                local: names::drive_name(c.letter),
                remote: c.target.unc.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let handle = enums().insert(EnumState::new(entries, PROVIDER_NAME));
    // SAFETY: handle_out is non-NULL and valid per the contract.
    unsafe { handle_out.write_unaligned(std::ptr::without_provenance_mut(handle)) };
    codes::SUCCESS
}

/// Returns the next entries of an enumeration.
///
/// # Safety
/// `count` and `buffer_size` must be NULL or valid `DWORD` pointers; `buffer` NULL or writable for
/// `*buffer_size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NPEnumResource(
    handle: HANDLE,
    count: *mut u32,
    buffer: *mut c_void,
    buffer_size: *mut u32,
) -> u32 {
    if count.is_null() || buffer.is_null() || buffer_size.is_null() {
        return codes::INVALID_ADDRESS;
    }
    // SAFETY: both are non-NULL and valid per the contract.
    let (requested, size) = unsafe { (count.read_unaligned(), buffer_size.read_unaligned()) };
    let mut table = enums();
    let Some(state) = table.get_mut(handle.addr()) else {
        return codes::BAD_HANDLE;
    };
    match state.step(requested, buffer.addr(), size as usize) {
        Step::NoMore => {
            // SAFETY: count is valid per the contract.
            unsafe { count.write_unaligned(0) };
            codes::NO_MORE_ITEMS
        }
        Step::MoreData { needed } => {
            // SAFETY: count and buffer_size are valid per the contract.
            unsafe {
                count.write_unaligned(0);
                buffer_size.write_unaligned(u32::try_from(needed).unwrap_or(u32::MAX));
            }
            codes::MORE_DATA
        }
        Step::Filled { image, count: n } => {
            // SAFETY: buffer is writable for `size` bytes and `image` has exactly `size` bytes
            // (its pointers were computed for this address); count is valid per the contract.
            unsafe {
                std::ptr::copy_nonoverlapping(image.as_ptr(), buffer.cast::<u8>(), image.len());
                count.write_unaligned(n);
            }
            codes::SUCCESS
        }
    }
}

/// Closes an enumeration handle.
#[unsafe(no_mangle)]
pub extern "system" fn NPCloseEnum(handle: HANDLE) -> u32 {
    match enums().remove(handle.addr()) {
        Some(_) => codes::SUCCESS,
        None => codes::BAD_HANDLE,
    }
}

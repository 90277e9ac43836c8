//! The real [`Host`]: DOS devices, Credential Manager, the caller's token and the volatile
//! session keys, through Win32. Every `unsafe` block here is a single API call on buffers owned
//! by the calling function.

use std::ffi::c_void;
use std::mem::size_of;
use std::ptr::{null, null_mut};

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS, GetLastError, HANDLE,
};
use windows_sys::Win32::Security::Credentials::{
    CRED_TYPE_DOMAIN_PASSWORD, CREDENTIALW, CredFree, CredReadW,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TOKEN_QUERY, TOKEN_STATISTICS, TokenStatistics,
};
use windows_sys::Win32::Storage::FileSystem::{
    DDD_EXACT_MATCH_ON_REMOVE, DDD_RAW_TARGET_PATH, DDD_REMOVE_DEFINITION, DefineDosDeviceW,
    QueryDosDeviceW,
};
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_CURRENT_USER, KEY_SET_VALUE, REG_OPTION_VOLATILE, REG_SZ, RRF_RT_REG_SZ,
    RegCloseKey, RegCreateKeyExW, RegDeleteKeyW, RegGetValueW, RegSetValueExW,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetCurrentThread, OpenProcessToken, OpenThreadToken,
};

use crate::auth::{SavedCredential, Session, decode_password_blob};
use crate::ffi::read_wstr;
use crate::provider::Host;

/// Parent of the per-drive session keys (`<letter>` subkeys with `Server` and `User` values).
/// Created volatile, so it disappears with the wineserver/logon like the DOS devices.
const SESSIONS_KEY: &str = r"Software\FakeSmb\Sessions";
/// Largest `QueryDosDeviceW` / registry string buffer tried, in UTF-16 units.
const MAX_UNITS: usize = 1 << 16;

/// NUL-terminated UTF-16 copy of `s`.
pub(crate) fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

fn last_error() -> u32 {
    // SAFETY: GetLastError has no preconditions.
    unsafe { GetLastError() }
}

fn session_key(letter: char) -> Vec<u16> {
    wide(&format!(r"{SESSIONS_KEY}\{letter}"))
}

fn reg_get_sz(subkey: &[u16], value: &str) -> Option<String> {
    let value = wide(value);
    let mut buf = vec![0u16; 256];
    loop {
        let mut bytes = u32::try_from(buf.len() * 2).unwrap_or(u32::MAX);
        // SAFETY: subkey and value are NUL-terminated; buf is writable for `bytes` bytes and
        // `bytes` is a valid in/out pointer.
        let rc = unsafe {
            RegGetValueW(
                HKEY_CURRENT_USER,
                subkey.as_ptr(),
                value.as_ptr(),
                RRF_RT_REG_SZ,
                null_mut(),
                buf.as_mut_ptr().cast::<c_void>(),
                &mut bytes,
            )
        };
        if rc == ERROR_SUCCESS {
            let units = buf.get(..bytes as usize / 2).unwrap_or(&buf);
            let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
            return Some(String::from_utf16_lossy(units.get(..end).unwrap_or(units)));
        }
        let wanted = bytes as usize / 2 + 1;
        if rc != windows_sys::Win32::Foundation::ERROR_MORE_DATA || wanted > MAX_UNITS {
            return None;
        }
        buf.resize(wanted, 0);
    }
}

fn reg_set_sz(key: HKEY, name: &str, data: &str) -> Result<(), u32> {
    let name = wide(name);
    let data = wide(data);
    let bytes = u32::try_from(data.len() * 2).map_err(|_| crate::codes::BAD_DEVICE)?;
    // SAFETY: key is an open key with KEY_SET_VALUE; name is NUL-terminated; data is `bytes`
    // bytes long including its terminator.
    let rc = unsafe {
        RegSetValueExW(
            key,
            name.as_ptr(),
            0,
            REG_SZ,
            data.as_ptr().cast::<u8>(),
            bytes,
        )
    };
    if rc == ERROR_SUCCESS { Ok(()) } else { Err(rc) }
}

/// Opens the caller's effective token: the thread token when impersonating, else the process's.
fn open_effective_token() -> Option<HANDLE> {
    let mut token: HANDLE = null_mut();
    // SAFETY: GetCurrentThread returns a pseudo-handle; `token` is a valid out pointer.
    if unsafe { OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, 1, &mut token) } != 0 {
        return Some(token);
    }
    // SAFETY: GetCurrentProcess returns a pseudo-handle; `token` is a valid out pointer.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } != 0 {
        return Some(token);
    }
    None
}

/// The Win32 host. Zero-sized: all state lives in the system.
pub(crate) struct Win32Host;

impl Host for Win32Host {
    fn query_dos_device(&self, name: &str) -> Option<String> {
        let name = wide(name);
        let mut buf = vec![0u16; 1024];
        loop {
            let cap = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            // SAFETY: name is NUL-terminated; buf is writable for `cap` UTF-16 units.
            let n = unsafe { QueryDosDeviceW(name.as_ptr(), buf.as_mut_ptr(), cap) };
            if n == 0 {
                if last_error() == ERROR_INSUFFICIENT_BUFFER && buf.len() < MAX_UNITS {
                    buf.resize(buf.len() * 4, 0);
                    continue;
                }
                return None;
            }
            // A REG_MULTI_SZ-style list: the current target is the first string.
            let filled = buf.get(..n as usize).unwrap_or(&buf);
            let first = filled.split(|&u| u == 0).next().unwrap_or(filled);
            return Some(String::from_utf16_lossy(first));
        }
    }

    fn define_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32> {
        let (name, target) = (wide(name), wide(target));
        // SAFETY: both strings are NUL-terminated.
        let ok = unsafe { DefineDosDeviceW(DDD_RAW_TARGET_PATH, name.as_ptr(), target.as_ptr()) };
        if ok != 0 { Ok(()) } else { Err(last_error()) }
    }

    fn remove_dos_device(&mut self, name: &str, target: &str) -> Result<(), u32> {
        let (name, target) = (wide(name), wide(target));
        let flags = DDD_REMOVE_DEFINITION | DDD_RAW_TARGET_PATH | DDD_EXACT_MATCH_ON_REMOVE;
        // SAFETY: both strings are NUL-terminated.
        let ok = unsafe { DefineDosDeviceW(flags, name.as_ptr(), target.as_ptr()) };
        if ok != 0 { Ok(()) } else { Err(last_error()) }
    }

    fn domain_credential(&self, server: &str) -> Option<SavedCredential> {
        let target = wide(server);
        let mut cred: *mut CREDENTIALW = null_mut();
        // SAFETY: target is NUL-terminated; `cred` is a valid out pointer.
        if unsafe { CredReadW(target.as_ptr(), CRED_TYPE_DOMAIN_PASSWORD, 0, &mut cred) } == 0 {
            return None;
        }
        if cred.is_null() {
            return None;
        }
        // SAFETY: CredReadW succeeded, so `cred` points to a CREDENTIALW that stays valid until
        // CredFree below; its strings are NULL or NUL-terminated.
        let (user, blob) = unsafe {
            let c = &*cred;
            let blob = if c.CredentialBlob.is_null() || c.CredentialBlobSize == 0 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(c.CredentialBlob, c.CredentialBlobSize as usize).to_vec()
            };
            (read_wstr(c.UserName), blob)
        };
        // SAFETY: `cred` was allocated by CredReadW and is freed exactly once.
        unsafe { CredFree(cred.cast::<c_void>()) };
        Some(SavedCredential {
            user: user.unwrap_or_default(),
            password: decode_password_blob(&blob),
        })
    }

    fn logon_luid(&self) -> u64 {
        let Some(token) = open_effective_token() else {
            return 0;
        };
        let mut stats = TOKEN_STATISTICS::default();
        let mut len = 0u32;
        let size = u32::try_from(size_of::<TOKEN_STATISTICS>()).unwrap_or(0);
        // SAFETY: token is open with TOKEN_QUERY; `stats` is a writable TOKEN_STATISTICS of
        // `size` bytes; `len` is a valid out pointer.
        let ok = unsafe {
            GetTokenInformation(
                token,
                TokenStatistics,
                (&mut stats as *mut TOKEN_STATISTICS).cast::<c_void>(),
                size,
                &mut len,
            )
        };
        // SAFETY: token was opened above and is closed exactly once.
        unsafe { CloseHandle(token) };
        if ok == 0 {
            return 0;
        }
        let id = stats.AuthenticationId;
        (u64::from(id.HighPart as u32) << 32) | u64::from(id.LowPart)
    }

    fn session(&self, letter: char) -> Option<Session> {
        let key = session_key(letter);
        Some(Session {
            server: reg_get_sz(&key, "Server")?,
            user: reg_get_sz(&key, "User")?,
        })
    }

    fn record_session(&mut self, letter: char, session: &Session) -> Result<(), u32> {
        let key_name = session_key(letter);
        let mut key: HKEY = null_mut();
        // SAFETY: key_name is NUL-terminated; `key` is a valid out pointer; the class and
        // security attributes are optional (NULL).
        let rc = unsafe {
            RegCreateKeyExW(
                HKEY_CURRENT_USER,
                key_name.as_ptr(),
                0,
                null(),
                REG_OPTION_VOLATILE,
                KEY_SET_VALUE,
                null(),
                &mut key,
                null_mut(),
            )
        };
        if rc != ERROR_SUCCESS {
            return Err(rc);
        }
        let result = reg_set_sz(key, "Server", &session.server)
            .and_then(|()| reg_set_sz(key, "User", &session.user));
        // SAFETY: key was opened above and is closed exactly once.
        unsafe { RegCloseKey(key) };
        result
    }

    fn forget_session(&mut self, letter: char) {
        let key_name = session_key(letter);
        // SAFETY: key_name is NUL-terminated. A missing key is not an error worth reporting.
        unsafe { RegDeleteKeyW(HKEY_CURRENT_USER, key_name.as_ptr()) };
    }
}

//! Registry facts and actions: `HKCU\Network`, Explorer labels, boot-time DOS devices and
//! the EnableLinkedConnections policy.
//!
//! Errors from `windows-registry` are HRESULTs; [`map`] turns `HRESULT_FROM_WIN32(code)`
//! back into the Win32 code so the error catalog applies.

use core::ptr;

use windows_registry::{CURRENT_USER, Key, LOCAL_MACHINE, Type, Value};
use windows_sys::Win32::System::Registry::{HKEY, RegOpenCurrentUser};

use super::wide;
use mapdrive_core::audit::EventSourceRegistration;
use mapdrive_core::domain::{DriveLetter, LinkedConnections, RemotePath};
use mapdrive_core::error::{
    ApiError, ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER, ERROR_USER_PROFILE_LOAD,
};
use mapdrive_core::gpp::{Hive as GppHive, RegValue};
use mapdrive_core::port::{BootDevice, Remembered};

/// `MAXIMUM_ALLOWED` access mask.
const MAXIMUM_ALLOWED: u32 = 0x0200_0000;

/// `HKCU\Network`.
const NETWORK: &str = "Network";
/// Explorer labels.
const MOUNT_POINTS: &str = r"Software\Microsoft\Windows\CurrentVersion\Explorer\MountPoints2";
/// Label value name.
const LABEL_VALUE: &str = "_LabelFromReg";
/// EnableLinkedConnections location.
const POLICIES_SYSTEM: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System";
const LINKED_VALUE: &str = "EnableLinkedConnections";
/// Boot-time DOS devices.
const DOS_DEVICES: &str = r"SYSTEM\CurrentControlSet\Control\Session Manager\DOS Devices";

/// The Win32 code inside an HRESULT: `HRESULT_FROM_WIN32(c)` is `0x8007xxxx`; anything else
/// is passed on as the raw HRESULT bits.
fn win32_code(hresult: i32) -> u32 {
    let hr = hresult as u32;
    if hr & 0xffff_0000 == 0x8007_0000 {
        hr & 0xffff
    } else {
        hr
    }
}

/// Maps a `windows-registry` result to an [`ApiError`] for `api`.
pub(crate) fn map<T>(r: windows_registry::Result<T>, api: &'static str) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::new(api, win32_code(e.code().0)))
}

/// `Ok(None)` for "does not exist" (`ERROR_FILE_NOT_FOUND`).
fn absent_ok<T>(r: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code == ERROR_FILE_NOT_FOUND => Ok(None),
        Err(e) => Err(e),
    }
}

/// `Ok(())` for "does not exist".
fn absent_is_done(r: Result<(), ApiError>) -> Result<(), ApiError> {
    absent_ok(r).map(|_| ())
}

fn open_read(parent: &Key, path: &str) -> Result<Option<Key>, ApiError> {
    absent_ok(map(parent.open(path), "RegOpenKeyExW"))
}

fn open_write(parent: &Key, path: &str) -> Result<Option<Key>, ApiError> {
    absent_ok(map(
        parent.options().read().write().open(path),
        "RegOpenKeyExW",
    ))
}

fn create(parent: &Key, path: &str) -> Result<Key, ApiError> {
    map(parent.create(path), "RegCreateKeyExW")
}

fn value(key: &Key, name: &str) -> Result<Option<Value>, ApiError> {
    absent_ok(map(key.get_value(name), "RegQueryValueExW"))
}

fn text(v: &Value) -> Option<String> {
    matches!(v.ty(), Type::String | Type::ExpandString).then(|| wide::from_buf(v.as_wide()))
}

fn dword(v: &Value) -> Option<u32> {
    match (v.ty(), &v[..]) {
        (Type::U32, [a, b, c, d]) => Some(u32::from_le_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

fn read_string(key: &Key, name: &str) -> Result<Option<String>, ApiError> {
    Ok(value(key, name)?.as_ref().and_then(text))
}

fn read_dword(key: &Key, name: &str) -> Result<Option<u32>, ApiError> {
    Ok(value(key, name)?.as_ref().and_then(dword))
}

fn set_string(key: &Key, name: &str, data: &str) -> Result<(), ApiError> {
    if data.contains('\0') {
        return Err(ApiError::new("RegSetValueExW", ERROR_INVALID_PARAMETER));
    }
    map(key.set_string(name, data), "RegSetValueExW")
}

fn set_dword(key: &Key, name: &str, data: u32) -> Result<(), ApiError> {
    map(key.set_u32(name, data), "RegSetValueExW")
}

fn remove_value(key: &Key, name: &str) -> Result<(), ApiError> {
    absent_is_done(map(key.remove_value(name), "RegDeleteValueW"))
}

/// The current user's hive for the token in effect, always opened with `RegOpenCurrentUser`
/// (which maps to the *thread* token's user), never through the predefined `HKEY_CURRENT_USER`:
/// that handle is mapped once per process, by whichever thread uses it first — an
/// impersonating thread would map it for the whole process — and stays mapped
/// (RegOpenCurrentUser remarks; [`touch_predefined_current_user`] maps it early for any system DLL
/// that uses it).
///
/// When the token's user has no loaded profile (no `HKEY_USERS\<SID>`: a service or task that did
/// not load it), `RegOpenCurrentUser` opens `HKEY_USERS\.DEFAULT` instead, a hive every such
/// process shares. That is detected by looking for `HKEY_USERS\<SID>`; such a hive is read (as
/// Windows' own components would) but never written: [`Hive::writable`] refuses with
/// `ERROR_USER_PROFILE_LOAD` (500).
///
/// Reviewed against Microsoft's documentation: RegOpenCurrentUser "uses the thread's token to
/// access the appropriate key, or the default if the profile is not loaded", and the predefined
/// key "is cached for all threads in a process"; RegDisablePredefinedCache names the default as
/// `HKEY_USERS\.DEFAULT`; LoadUserProfile: "if a service or an application impersonates a user,
/// the system does not load the user's profile".
pub(crate) struct Hive {
    key: Key,
    /// `HKEY_USERS\<SID>` exists.
    profile_loaded: bool,
}

impl Hive {
    /// `RegOpenCurrentUser` for the token in effect, whose user is `user_sid`.
    pub(crate) fn current_user(user_sid: &str) -> Result<Hive, ApiError> {
        let mut h: HKEY = ptr::null_mut();
        // SAFETY: `h` is a valid out pointer.
        let rc = unsafe { RegOpenCurrentUser(MAXIMUM_ALLOWED, &mut h) };
        if rc != 0 {
            return Err(ApiError::new("RegOpenCurrentUser", rc));
        }
        // SAFETY: `h` is an open key we own; `Key` closes it on drop.
        let key = unsafe { Key::from_raw(h) };
        let profile_loaded = open_read(windows_registry::USERS, user_sid)?.is_some();
        Ok(Hive {
            key,
            profile_loaded,
        })
    }

    /// For reading.
    fn key(&self) -> &Key {
        &self.key
    }

    /// For writing: refused when the hive is `HKEY_USERS\.DEFAULT` standing in for a profile
    /// that is not loaded.
    pub(crate) fn writable(&self) -> Result<&Key, ApiError> {
        if self.profile_loaded {
            Ok(&self.key)
        } else {
            Err(ApiError::new("RegOpenCurrentUser", ERROR_USER_PROFILE_LOAD))
        }
    }
}

/// Opens and closes a subkey of the predefined `HKEY_CURRENT_USER` on the process token, so that
/// the process-wide mapping of that handle is the process user's hive before any thread
/// impersonates (mapdrive itself never uses it; a system DLL might).
pub(crate) fn touch_predefined_current_user() {
    let _ = CURRENT_USER.open("Software");
}

fn network_key_path(letter: DriveLetter) -> String {
    format!(r"{NETWORK}\{}", letter.as_char())
}

/// `UserName` and `ProviderType` of `HKCU\Network\<L>`: `UserName` REG_SZ,
/// or REG_DWORD 0 (seen in exports) meaning blank; other types are treated as absent.
pub(crate) fn remembered_details(
    hive: &Hive,
    letter: DriveLetter,
) -> Result<(Option<String>, Option<u32>), ApiError> {
    let Some(key) = open_read(hive.key(), &network_key_path(letter))? else {
        return Ok((None, None));
    };
    details(&key)
}

fn details(key: &Key) -> Result<(Option<String>, Option<u32>), ApiError> {
    let user = value(key, "UserName")?.and_then(|v| match dword(&v) {
        Some(0) => Some(String::new()),
        Some(_) => None,
        None => text(&v),
    });
    Ok((user, read_dword(key, "ProviderType")?))
}

/// `HKCU\Network` read directly (fallback when WNet has no provider):
/// every subkey that is a drive letter. A missing `Network` key is an empty list.
pub(crate) fn remembered(hive: &Hive) -> Result<Vec<Remembered>, ApiError> {
    let Some(network) = open_read(hive.key(), NETWORK)? else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = map(network.keys(), "RegQueryInfoKeyW")?.collect();
    let mut out = Vec::new();
    for name in names {
        let Ok(letter) = name.parse::<DriveLetter>() else {
            continue;
        };
        // Deleted between enumeration and open: skip.
        let Some(key) = open_read(&network, &name)? else {
            continue;
        };
        let (user_name, provider_type) = details(&key)?;
        out.push(Remembered {
            letter,
            remote: read_string(&key, "RemotePath")?.unwrap_or_default(),
            provider: read_string(&key, "ProviderName")?.unwrap_or_default(),
            provider_type,
            user_name,
        });
    }
    out.sort_by_key(|r| r.letter);
    Ok(out)
}

/// Deletes `HKCU\Network\<L>` and everything under it; absent is success.
pub(crate) fn forget(hive: &Hive, letter: DriveLetter) -> Result<(), ApiError> {
    absent_is_done(map(
        hive.writable()?.remove_tree(network_key_path(letter)),
        "RegDeleteTreeW",
    ))
}

/// Writes `HKCU\Network\<L>` with the values Windows writes:
/// RemotePath, UserName, ProviderName, ProviderType (omitted — and removed if stale — when
/// unknown), ConnectionType = 1 (disk), ConnectFlags = 0, DeferFlags = 4.
pub(crate) fn remember(
    hive: &Hive,
    entry: &Remembered,
    provider_type: Option<u32>,
) -> Result<(), ApiError> {
    let key = create(hive.writable()?, &network_key_path(entry.letter))?;
    set_string(&key, "RemotePath", &entry.remote)?;
    set_string(&key, "UserName", entry.user_name.as_deref().unwrap_or(""))?;
    set_string(&key, "ProviderName", &entry.provider)?;
    match provider_type {
        Some(t) => set_dword(&key, "ProviderType", t)?,
        None => remove_value(&key, "ProviderType")?,
    }
    set_dword(&key, "ConnectionType", 1)?;
    set_dword(&key, "ConnectFlags", 0)?;
    set_dword(&key, "DeferFlags", 4)
}

/// Sets `UserName` of an existing `HKCU\Network\<L>`; a missing key is
/// `ApiError { RegOpenKeyExW, 2 }` (never creates a half entry).
pub(crate) fn set_remembered_user_name(
    hive: &Hive,
    letter: DriveLetter,
    user_name: &str,
) -> Result<(), ApiError> {
    let key = map(
        hive.writable()?
            .options()
            .read()
            .write()
            .open(network_key_path(letter)),
        "RegOpenKeyExW",
    )?;
    set_string(&key, "UserName", user_name)
}

/// `MountPoints2\<key>\_LabelFromReg`.
pub(crate) fn label(hive: &Hive, remote: &RemotePath) -> Result<Option<String>, ApiError> {
    let path = format!(r"{MOUNT_POINTS}\{}", remote.mount_points_key());
    let Some(key) = open_read(hive.key(), &path)? else {
        return Ok(None);
    };
    read_string(&key, LABEL_VALUE)
}

/// Writes (`Some`, creating the key) or removes (`None`, absent is success) a label.
pub(crate) fn set_label(
    hive: &Hive,
    remote: &RemotePath,
    label: Option<&str>,
) -> Result<(), ApiError> {
    let path = format!(r"{MOUNT_POINTS}\{}", remote.mount_points_key());
    match label {
        Some(l) => set_string(&create(hive.writable()?, &path)?, LABEL_VALUE, l),
        None => match open_write(hive.writable()?, &path)? {
            Some(key) => remove_value(&key, LABEL_VALUE),
            None => Ok(()),
        },
    }
}

/// The EnableLinkedConnections policy. Missing key or value: not configured.
/// A value of another type than REG_DWORD is also reported as not configured
/// ([inference] the policy is documented as REG_DWORD only).
pub(crate) fn linked_connections() -> Result<LinkedConnections, ApiError> {
    let Some(key) = open_read(LOCAL_MACHINE, POLICIES_SYSTEM)? else {
        return Ok(LinkedConnections::NotConfigured);
    };
    Ok(LinkedConnections::from_value(read_dword(
        &key,
        LINKED_VALUE,
    )?))
}

/// Sets the policy to 1/0 (`Some`) or deletes the value (`None`, absent is success).
pub(crate) fn set_linked_connections(enabled: Option<bool>) -> Result<(), ApiError> {
    match enabled {
        Some(on) => set_dword(
            &create(LOCAL_MACHINE, POLICIES_SYSTEM)?,
            LINKED_VALUE,
            u32::from(on),
        ),
        None => match open_write(LOCAL_MACHINE, POLICIES_SYSTEM)? {
            Some(key) => remove_value(&key, LINKED_VALUE),
            None => Ok(()),
        },
    }
}

/// Every REG_SZ value under `Session Manager\DOS Devices`.
pub(crate) fn boot_devices() -> Result<Vec<BootDevice>, ApiError> {
    let Some(key) = open_read(LOCAL_MACHINE, DOS_DEVICES)? else {
        return Ok(Vec::new());
    };
    let values = map(key.values(), "RegQueryInfoKeyW")?;
    Ok(values
        .filter(|(_, v)| v.ty() == Type::String)
        .map(|(name, v)| BootDevice {
            name,
            target: wide::from_buf(v.as_wide()),
        })
        .collect())
}

/// Sets a boot-time DOS device (REG_SZ).
pub(crate) fn set_boot_device(name: &str, target: &str) -> Result<(), ApiError> {
    set_string(&create(LOCAL_MACHINE, DOS_DEVICES)?, name, target)
}

/// Removes a boot-time DOS device; absent is success.
pub(crate) fn remove_boot_device(name: &str) -> Result<(), ApiError> {
    match open_write(LOCAL_MACHINE, DOS_DEVICES)? {
        Some(key) => remove_value(&key, name),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------- the Event Log source

/// The key of the Application log's sources.
const EVENTLOG_APPLICATION: &str = r"SYSTEM\CurrentControlSet\Services\EventLog\Application";

/// The registration of the `mapdrive` event source; `None` when its key is absent.
pub(crate) fn event_source() -> Result<Option<EventSourceRegistration>, ApiError> {
    let Some(key) = open_read(LOCAL_MACHINE, mapdrive_core::audit::SOURCE_KEY)? else {
        return Ok(None);
    };
    Ok(Some(EventSourceRegistration {
        message_file: read_string(&key, "EventMessageFile")?.unwrap_or_default(),
        types_supported: read_dword(&key, "TypesSupported")?,
    }))
}

/// Writes the registration (`EventMessageFile` as REG_EXPAND_SZ, `TypesSupported` as REG_DWORD),
/// or deletes the source's key with everything in it (absent is success).
pub(crate) fn set_event_source(
    registration: Option<&EventSourceRegistration>,
) -> Result<(), ApiError> {
    match registration {
        Some(r) => {
            let key = create(LOCAL_MACHINE, mapdrive_core::audit::SOURCE_KEY)?;
            if r.message_file.contains('\0') {
                return Err(ApiError::new("RegSetValueExW", ERROR_INVALID_PARAMETER));
            }
            map(
                key.set_expand_string("EventMessageFile", &r.message_file),
                "RegSetValueExW",
            )?;
            match r.types_supported {
                Some(t) => set_dword(&key, "TypesSupported", t),
                None => remove_value(&key, "TypesSupported"),
            }
        }
        None => match open_write(LOCAL_MACHINE, EVENTLOG_APPLICATION)? {
            Some(parent) => absent_is_done(map(
                parent.remove_tree(mapdrive_core::audit::SOURCE),
                "RegDeleteTreeW",
            )),
            None => Ok(()),
        },
    }
}

// ---------------------------------------------------------------- Group Policy Drive Maps

/// Explorer's per-user policies, where `NoDrives` lives (KB 158457).
const EXPLORER_POLICIES: &str = r"Software\Microsoft\Windows\CurrentVersion\Policies\Explorer";
const NO_DRIVES: &str = "NoDrives";
/// mapdrive's record of what each `Drives.xml` applied for this user (one value per file).
const GPP_RECORDS: &str = r"Software\mapdrive\Gpp";

fn root(hive: &Hive, which: GppHive) -> &Key {
    match which {
        GppHive::LocalMachine => LOCAL_MACHINE,
        GppHive::CurrentUser => hive.key(),
        GppHive::ClassesRoot => windows_registry::CLASSES_ROOT,
        GppHive::Users => windows_registry::USERS,
        GppHive::CurrentConfig => windows_registry::CURRENT_CONFIG,
    }
}

/// Whether `which\path` exists (`RegOpenKeyExW` for reading).
pub(crate) fn key_exists(hive: &Hive, which: GppHive, path: &str) -> Result<bool, ApiError> {
    Ok(open_read(root(hive, which), path)?.is_some())
}

/// A value of `which\path` as `FilterRegistry` reads it; `None` when the key or value is absent.
pub(crate) fn any_value(
    hive: &Hive,
    which: GppHive,
    path: &str,
    name: &str,
) -> Result<Option<RegValue>, ApiError> {
    let Some(key) = open_read(root(hive, which), path)? else {
        return Ok(None);
    };
    let Some(v) = value(&key, name)? else {
        return Ok(None);
    };
    Ok(Some(match v.ty() {
        Type::String => RegValue::Sz(wide::from_buf(v.as_wide())),
        Type::ExpandString => RegValue::ExpandSz(wide::from_buf(v.as_wide())),
        Type::MultiString => RegValue::MultiSz(
            v.as_wide()
                .split(|c| *c == 0)
                .filter(|s| !s.is_empty())
                .map(String::from_utf16_lossy)
                .collect(),
        ),
        Type::U32 => match dword(&v) {
            Some(n) => RegValue::Dword(n),
            None => RegValue::Binary(v.to_vec()),
        },
        Type::U64 => match <[u8; 8]>::try_from(&v[..]) {
            Ok(b) => RegValue::Qword(u64::from_le_bytes(b)),
            Err(_) => RegValue::Binary(v.to_vec()),
        },
        Type::Bytes | Type::Other(_) => RegValue::Binary(v.to_vec()),
    }))
}

/// The subkey names of `HKLM\path` (empty when it does not exist).
pub(crate) fn machine_subkeys(path: &str) -> Result<Vec<String>, ApiError> {
    let Some(key) = open_read(LOCAL_MACHINE, path)? else {
        return Ok(Vec::new());
    };
    Ok(map(key.keys(), "RegEnumKeyExW")?.collect())
}

/// The user's `NoDrives`.
pub(crate) fn no_drives(hive: &Hive) -> Result<Option<u32>, ApiError> {
    match open_read(hive.key(), EXPLORER_POLICIES)? {
        Some(k) => read_dword(&k, NO_DRIVES),
        None => Ok(None),
    }
}

/// Writes the user's `NoDrives` (`REG_DWORD`), creating the key.
pub(crate) fn set_no_drives(hive: &Hive, value: u32) -> Result<(), ApiError> {
    set_dword(
        &create(hive.writable()?, EXPLORER_POLICIES)?,
        NO_DRIVES,
        value,
    )
}

/// One record of `HKCU\Software\mapdrive\Gpp`.
pub(crate) fn gpp_record(hive: &Hive, name: &str) -> Result<Option<String>, ApiError> {
    match open_read(hive.key(), GPP_RECORDS)? {
        Some(k) => read_string(&k, name),
        None => Ok(None),
    }
}

/// Writes (`Some`) or removes (`None`) one record of `HKCU\Software\mapdrive\Gpp`.
pub(crate) fn set_gpp_record(
    hive: &Hive,
    name: &str,
    record: Option<&str>,
) -> Result<(), ApiError> {
    match record {
        Some(text) => set_string(&create(hive.writable()?, GPP_RECORDS)?, name, text),
        None => match open_write(hive.writable()?, GPP_RECORDS)? {
            Some(k) => remove_value(&k, name),
            None => Ok(()),
        },
    }
}

#[cfg(test)]
mod unit {
    use super::win32_code;

    #[test]
    fn hresult_from_win32_is_unwrapped() {
        assert_eq!(win32_code(0x8007_0002_u32 as i32), 2);
        assert_eq!(win32_code(0x8007_0005_u32 as i32), 5);
        assert_eq!(win32_code(0x8000_4005_u32 as i32), 0x8000_4005);
    }
}

//! Task Scheduler 2.0 (`ITaskService`, through the `windows` crate's COM interfaces) and the
//! protected files of an `--all-users` task: owner and DACL from SDDL, compared as Windows
//! stores them.
//!
//! COM and BSTRs come from `ole32.dll`/`oleaut32.dll` loaded on first use ([`super::lazy`]), so
//! they are not in the import table: the `windows` crate's own `BSTR` would import oleaut32
//! (its `Drop` calls `SysFreeString`), so every BSTR here lives in a [`Bstr`] that frees it
//! through the lazily loaded function instead.

use core::ffi::c_void;
use core::mem::ManuallyDrop;
use core::ptr;

use windows::Win32::System::TaskScheduler::{
    IRegisteredTask, ITaskFolder, ITaskService, TASK_CREATE_OR_UPDATE, TASK_LOGON_GROUP,
    TASK_LOGON_INTERACTIVE_TOKEN, TASK_LOGON_NONE, TASK_LOGON_TYPE, TaskScheduler,
};
use windows::Win32::System::Variant::VARIANT;
use windows::core::{BSTR, Interface};
use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, LocalFree, WIN32_ERROR,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSecurityDescriptorToStringSecurityDescriptorW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, GetNamedSecurityInfoW, SDDL_REVISION_1,
    SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, GetSecurityDescriptorOwner,
    OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    SECURITY_ATTRIBUTES,
};
use windows_sys::Win32::Storage::FileSystem::CreateDirectoryW;
use windows_sys::core::{BOOL, PWSTR};

use super::handle::last_error;
use super::lazy;
use super::wide::WStr;
use mapdrive_core::error::ApiError;
use mapdrive_core::port::ScheduledTask;

/// `COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE`.
const COINIT: u32 = 0x2 | 0x4;
/// `RPC_E_CHANGED_MODE`: COM is already initialised on this thread with another model (usable).
const RPC_E_CHANGED_MODE: u32 = 0x8001_0106;
/// `CLSCTX_INPROC_SERVER`.
const CLSCTX_INPROC_SERVER: u32 = 0x1;
/// `E_OUTOFMEMORY`.
const E_OUTOFMEMORY: u32 = 0x8007_000E;

/// An HRESULT as an [`ApiError`]: one that wraps a Win32 code (`0x8007xxxx`) becomes that code
/// (so the catalog explains it), any other stays the HRESULT (`SCHED_E_*`, `REGDB_E_*`).
fn hresult(api: &'static str, hr: u32) -> ApiError {
    let code = if hr & 0xFFFF_0000 == 0x8007_0000 {
        hr & 0xFFFF
    } else {
        hr
    };
    ApiError::new(api, code)
}

fn com_error(api: &'static str, e: &windows::core::Error) -> ApiError {
    hresult(api, e.code().0 as u32)
}

/// COM initialised on this thread; uninitialised when dropped (when this call initialised it).
struct Com {
    uninit: bool,
}

impl Com {
    fn init() -> Result<Com, ApiError> {
        let init = lazy::CoInitializeEx()?;
        // SAFETY: reserved pointer NULL as required; a valid COINIT combination.
        let hr = unsafe { init(ptr::null(), COINIT) } as u32;
        if hr == RPC_E_CHANGED_MODE {
            return Ok(Com { uninit: false });
        }
        if hr & 0x8000_0000 != 0 {
            return Err(hresult("CoInitializeEx", hr));
        }
        // S_OK or S_FALSE: each needs a matching CoUninitialize.
        Ok(Com { uninit: true })
    }
}

impl Drop for Com {
    fn drop(&mut self) {
        if self.uninit
            && let Ok(uninit) = lazy::CoUninitialize()
        {
            // SAFETY: matches the successful CoInitializeEx of this thread; every interface
            // pointer of this module is released before (they are dropped before `Com`).
            unsafe { uninit() };
        }
    }
}

/// A BSTR freed with the lazily loaded `SysFreeString` (never the `windows` crate's `Drop`).
struct Bstr(ManuallyDrop<BSTR>);

impl Bstr {
    fn new(s: &str) -> Result<Bstr, ApiError> {
        let wide: Vec<u16> = s.encode_utf16().collect();
        let len =
            u32::try_from(wide.len()).map_err(|_| hresult("SysAllocStringLen", E_OUTOFMEMORY))?;
        let alloc = lazy::SysAllocStringLen()?;
        // SAFETY: `wide` holds `len` units; SysAllocStringLen copies them into a new BSTR.
        let raw = unsafe { alloc(wide.as_ptr(), len) };
        if raw.is_null() {
            return Err(hresult("SysAllocStringLen", E_OUTOFMEMORY));
        }
        // SAFETY: `raw` is a BSTR just allocated by SysAllocStringLen; ownership moves here.
        Ok(Bstr(ManuallyDrop::new(unsafe { BSTR::from_raw(raw) })))
    }

    /// Takes ownership of a BSTR a COM method returned.
    fn owned(b: BSTR) -> Bstr {
        Bstr(ManuallyDrop::new(b))
    }

    fn get(&self) -> &BSTR {
        &self.0
    }

    /// The text (the `windows` crate's `Deref` would import `SysStringLen`).
    fn text(&self) -> Result<String, ApiError> {
        // SAFETY: reads the pointer without taking ownership (`into_raw` of a bitwise copy that
        // is never dropped).
        let raw = unsafe { core::mem::transmute_copy::<BSTR, *const u16>(&self.0) };
        if raw.is_null() {
            return Ok(String::new());
        }
        let len = lazy::SysStringLen()?;
        // SAFETY: a valid BSTR; SysStringLen gives its length in units.
        let n = unsafe { len(raw) } as usize;
        // SAFETY: a BSTR holds `n` units at `raw`, alive while `self` is.
        let units = unsafe { core::slice::from_raw_parts(raw, n) };
        Ok(String::from_utf16_lossy(units))
    }
}

impl Drop for Bstr {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and never used again.
        let b = unsafe { ManuallyDrop::take(&mut self.0) };
        let raw = b.into_raw();
        if !raw.is_null()
            && let Ok(free) = lazy::SysFreeString()
        {
            // SAFETY: a BSTR allocated by oleaut32 (by us or by the COM server in this
            // process), freed once.
            unsafe { free(raw) };
        }
    }
}

/// The root folder of the local Task Scheduler, with COM kept initialised while it is used.
struct Root {
    // Field order is drop order: the interfaces go before COM is uninitialised.
    folder: ITaskFolder,
    _service: ITaskService,
    _com: Com,
}

fn root() -> Result<Root, ApiError> {
    let com = Com::init()?;
    let create = lazy::CoCreateInstance()?;
    let mut raw: *mut c_void = ptr::null_mut();
    // SAFETY: valid CLSID and IID pointers that outlive the call; `raw` receives an interface
    // pointer of type ITaskService on success.
    let hr = unsafe {
        create(
            (&TaskScheduler as *const windows::core::GUID).cast(),
            ptr::null_mut(),
            CLSCTX_INPROC_SERVER,
            (&ITaskService::IID as *const windows::core::GUID).cast(),
            &mut raw,
        )
    } as u32;
    if hr & 0x8000_0000 != 0 || raw.is_null() {
        return Err(hresult("CoCreateInstance(TaskScheduler)", hr));
    }
    // SAFETY: CoCreateInstance returned an owned ITaskService pointer (one reference).
    let service = unsafe { ITaskService::from_raw(raw) };
    let empty = ManuallyDrop::new(VARIANT::default());
    // SAFETY: empty VARIANTs (VT_EMPTY) for server, user, domain and password: the local
    // scheduler as the caller.
    unsafe { service.Connect(&empty, &empty, &empty, &empty) }
        .map_err(|e| com_error("ITaskService::Connect", &e))?;
    let path = Bstr::new("\\")?;
    // SAFETY: a valid BSTR that outlives the call.
    let folder = unsafe { service.GetFolder(path.get()) }
        .map_err(|e| com_error("ITaskService::GetFolder", &e))?;
    Ok(Root {
        folder,
        _service: service,
        _com: com,
    })
}

fn date(value: windows::core::Result<f64>) -> Option<String> {
    value.ok().and_then(mapdrive_core::schedule::ole_date_text)
}

/// `ITaskFolder::GetTask` in the root folder.
pub(crate) fn get(name: &str) -> Result<Option<ScheduledTask>, ApiError> {
    let root = root()?;
    let path = Bstr::new(name)?;
    // SAFETY: a valid BSTR that outlives the call.
    let task: IRegisteredTask = match unsafe { root.folder.GetTask(path.get()) } {
        Ok(t) => t,
        Err(e) => {
            let err = com_error("ITaskFolder::GetTask", &e);
            if err.code == ERROR_FILE_NOT_FOUND || err.code == ERROR_PATH_NOT_FOUND {
                return Ok(None);
            }
            return Err(err);
        }
    };
    // SAFETY: each call reads a property of a live registered task; the returned BSTR is owned
    // by the caller and freed by `Bstr`.
    let definition = match unsafe { task.Xml() } {
        Ok(b) => Bstr::owned(b).text()?,
        Err(e) => return Err(com_error("IRegisteredTask::get_Xml", &e)),
    };
    // SAFETY: as above (plain values).
    let enabled = unsafe { task.Enabled() }.map_or(true, |v| v.0 != 0);
    // SAFETY: as above.
    let last_run = date(unsafe { task.LastRunTime() });
    // SAFETY: as above.
    let last_result = unsafe { task.LastTaskResult() }.ok().map(|r| r as u32);
    // SAFETY: as above.
    let next_run = date(unsafe { task.NextRunTime() });
    Ok(Some(ScheduledTask {
        definition,
        enabled,
        last_run,
        last_result,
        next_run,
    }))
}

/// The logon type to register with: what the definition's principal says.
fn logon_type(definition: &str) -> TASK_LOGON_TYPE {
    if definition.contains("<GroupId>") {
        TASK_LOGON_GROUP
    } else if definition.contains("<LogonType>InteractiveToken</LogonType>") {
        TASK_LOGON_INTERACTIVE_TOKEN
    } else {
        TASK_LOGON_NONE
    }
}

/// `ITaskFolder::RegisterTask(name, xml, TASK_CREATE_OR_UPDATE, no user, no password, …)`.
pub(crate) fn register(name: &str, definition: &str) -> Result<(), ApiError> {
    let root = root()?;
    let path = Bstr::new(name)?;
    let xml = Bstr::new(definition)?;
    let empty = ManuallyDrop::new(VARIANT::default());
    // SAFETY: valid BSTRs and VT_EMPTY VARIANTs that outlive the call (no user, no password:
    // the principal of the XML decides; no SDDL). The returned task is released at once.
    let registered = unsafe {
        root.folder.RegisterTask(
            path.get(),
            xml.get(),
            TASK_CREATE_OR_UPDATE.0,
            &empty,
            &empty,
            logon_type(definition),
            &empty,
        )
    };
    registered
        .map(drop)
        .map_err(|e| com_error("ITaskFolder::RegisterTask", &e))
}

/// `ITaskFolder::DeleteTask`.
pub(crate) fn delete(name: &str) -> Result<(), ApiError> {
    let root = root()?;
    let path = Bstr::new(name)?;
    // SAFETY: a valid BSTR that outlives the call; flags must be 0.
    unsafe { root.folder.DeleteTask(path.get(), 0) }
        .map_err(|e| com_error("ITaskFolder::DeleteTask", &e))
}

/// A security descriptor made from SDDL (`LocalFree`d when dropped).
struct Descriptor(PSECURITY_DESCRIPTOR);

impl Descriptor {
    fn from_sddl(sddl: &str) -> Result<Descriptor, ApiError> {
        const API: &str = "ConvertStringSecurityDescriptorToSecurityDescriptorW";
        let text = WStr::new(sddl, API)?;
        let mut sd: PSECURITY_DESCRIPTOR = ptr::null_mut();
        // SAFETY: a NUL-terminated SDDL string; `sd` receives a LocalAlloc'd descriptor.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                text.as_ptr(),
                SDDL_REVISION_1,
                &mut sd,
                ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(ApiError::new(API, last_error()));
        }
        Ok(Descriptor(sd))
    }

    /// Its owner and DACL as SDDL, the way Windows writes them.
    fn sddl(&self) -> Result<String, ApiError> {
        sddl_of(self.0)
    }

    fn owner_and_dacl(&self) -> Result<(PSID, *mut ACL), ApiError> {
        let mut owner: PSID = ptr::null_mut();
        let mut defaulted: BOOL = 0;
        // SAFETY: a valid descriptor; the out pointers point into it and live as long as it.
        if unsafe { GetSecurityDescriptorOwner(self.0, &mut owner, &mut defaulted) } == 0 {
            return Err(ApiError::new("GetSecurityDescriptorOwner", last_error()));
        }
        let mut present: BOOL = 0;
        let mut dacl: *mut ACL = ptr::null_mut();
        // SAFETY: as above.
        if unsafe { GetSecurityDescriptorDacl(self.0, &mut present, &mut dacl, &mut defaulted) }
            == 0
        {
            return Err(ApiError::new("GetSecurityDescriptorDacl", last_error()));
        }
        Ok((owner, dacl))
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated with LocalAlloc by the API that returned it; freed once.
        unsafe { LocalFree(self.0) };
    }
}

/// Owner and DACL of a descriptor as SDDL.
fn sddl_of(sd: PSECURITY_DESCRIPTOR) -> Result<String, ApiError> {
    const API: &str = "ConvertSecurityDescriptorToStringSecurityDescriptorW";
    let mut text: PWSTR = ptr::null_mut();
    let mut len: u32 = 0;
    // SAFETY: a valid descriptor; `text` receives a LocalAlloc'd string of `len` units.
    let ok = unsafe {
        ConvertSecurityDescriptorToStringSecurityDescriptorW(
            sd,
            SDDL_REVISION_1,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut text,
            &mut len,
        )
    };
    if ok == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    // SAFETY: `text` is NUL-terminated and `len` units long (with the terminator).
    let units = unsafe { core::slice::from_raw_parts(text, len as usize) };
    let out = String::from_utf16_lossy(units)
        .trim_end_matches('\0')
        .to_string();
    // SAFETY: allocated with LocalAlloc by the call above; freed once.
    unsafe { LocalFree(text.cast()) };
    Ok(out)
}

/// Whether `path`'s owner and DACL are those of `sddl`; `None` when it does not exist.
pub(crate) fn security_matches(path: &str, sddl: &str) -> Result<Option<bool>, ApiError> {
    const API: &str = "GetNamedSecurityInfoW";
    let name = WStr::new(path, API)?;
    let mut sd: PSECURITY_DESCRIPTOR = ptr::null_mut();
    // SAFETY: a NUL-terminated path; only the descriptor is asked for (LocalAlloc'd).
    let rc: WIN32_ERROR = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut sd,
        )
    };
    if rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND {
        return Ok(None);
    }
    if rc != 0 {
        return Err(ApiError::new(API, rc));
    }
    let have = Descriptor(sd);
    let want = Descriptor::from_sddl(sddl)?;
    Ok(Some(
        without_auto_inherited(&have.sddl()?) == without_auto_inherited(&want.sddl()?),
    ))
}

/// The SDDL without the DACL's `AI` (auto-inherited) flag: `SetNamedSecurityInfoW` sets it, a
/// directory created with a descriptor (`CreateDirectoryW`) may not have it, and it changes
/// nothing about who may do what (the DACL is protected: nothing is inherited either way).
fn without_auto_inherited(sddl: &str) -> String {
    sddl.replacen("D:PAI", "D:P", 1).replacen("D:AI", "D:", 1)
}

/// Sets `path`'s owner and a protected DACL from `sddl`.
fn set_security(path: &str, sd: &Descriptor) -> Result<(), ApiError> {
    const API: &str = "SetNamedSecurityInfoW";
    let name = WStr::new(path, API)?;
    let (owner, dacl) = sd.owner_and_dacl()?;
    // SAFETY: a NUL-terminated path; owner and DACL point into `sd`, alive during the call.
    let rc = unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION
                | DACL_SECURITY_INFORMATION
                | PROTECTED_DACL_SECURITY_INFORMATION,
            owner,
            ptr::null_mut(),
            dacl,
            ptr::null(),
        )
    };
    if rc != 0 {
        return Err(ApiError::new(API, rc));
    }
    Ok(())
}

/// Creates the directory with `sddl` (atomically: nobody can put a file in it first), or sets
/// `sddl` on it when it exists.
pub(crate) fn secure_directory(path: &str, sddl: &str) -> Result<(), ApiError> {
    let sd = Descriptor::from_sddl(sddl)?;
    let name = WStr::new(path, "CreateDirectoryW")?;
    let attributes = SECURITY_ATTRIBUTES {
        nLength: core::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd.0,
        bInheritHandle: 0,
    };
    // SAFETY: a NUL-terminated path and a SECURITY_ATTRIBUTES whose descriptor outlives the call.
    if unsafe { CreateDirectoryW(name.as_ptr(), &attributes) } != 0 {
        return Ok(());
    }
    match last_error() {
        // ERROR_ALREADY_EXISTS: secure what is there.
        183 => set_security(path, &sd),
        code => Err(ApiError::new("CreateDirectoryW", code)),
    }
}

/// Creates or replaces the file with `contents`, then sets its owner and protected DACL.
pub(crate) fn write_file(path: &str, contents: &[u8], sddl: &str) -> Result<(), ApiError> {
    let sd = Descriptor::from_sddl(sddl)?;
    std::fs::write(path, contents).map_err(|e| io_error("WriteFile", &e))?;
    set_security(path, &sd)
}

/// A file's contents, `None` when it does not exist.
pub(crate) fn read_file(path: &str) -> Result<Option<Vec<u8>>, ApiError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("ReadFile", &e)),
    }
}

fn io_error(api: &'static str, e: &std::io::Error) -> ApiError {
    // raw_os_error is the Win32 code on Windows.
    ApiError::new(api, e.raw_os_error().map_or(31, |c| c as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bstr_round_trips_through_the_lazily_loaded_oleaut32() {
        for text in ["", "\\", "C:\\R&D <x>\\it's.yaml", "é ☃"] {
            assert_eq!(Bstr::new(text).unwrap().text().unwrap(), text);
        }
    }

    #[test]
    fn hresults_wrapping_win32_codes_become_the_code() {
        assert_eq!(hresult("x", 0x8007_0005).code, 5);
        assert_eq!(hresult("x", 0x8004_131A).code, 0x8004_131A);
    }

    #[test]
    fn the_auto_inherited_flag_is_not_a_difference() {
        assert_eq!(
            without_auto_inherited("O:BAD:PAI(A;OICI;FA;;;SY)"),
            "O:BAD:P(A;OICI;FA;;;SY)"
        );
        assert_eq!(
            without_auto_inherited("O:BAD:AI(A;;FA;;;SY)"),
            "O:BAD:(A;;FA;;;SY)"
        );
    }

    #[test]
    fn the_sddl_mapdrive_sets_is_one_windows_accepts() {
        for sddl in [
            mapdrive_core::schedule::DIRECTORY_SDDL,
            mapdrive_core::schedule::FILE_SDDL,
        ] {
            let sd = Descriptor::from_sddl(sddl).unwrap();
            let text = sd.sddl().unwrap();
            assert!(text.starts_with("O:BAD:PAI("), "{text}");
            let (owner, dacl) = sd.owner_and_dacl().unwrap();
            assert!(!owner.is_null() && !dacl.is_null());
        }
    }

    #[test]
    fn a_missing_path_has_no_security_and_no_contents() {
        let path = r"C:\mapdrive-no-such-dir\no-such-file";
        assert_eq!(
            security_matches(path, mapdrive_core::schedule::FILE_SDDL),
            Ok(None)
        );
        assert_eq!(read_file(path), Ok(None));
    }
}

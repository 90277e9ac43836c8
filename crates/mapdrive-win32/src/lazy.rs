//! System DLLs that `--version` and most commands do not need, loaded on first use instead of
//! imported.
//!
//! `ole32.dll` and `oleaut32.dll` (COM and BSTRs, for Task Scheduler 2.0 in `mapdrive schedule`)
//! are loaded here too: under Wine they bring combase and rpcrt4 with them.
//!
//! Every DLL in the import table is loaded (with its own imports) when the process starts, even for
//! `mapdrive --version`: under Wine `crypt32.dll` (certificate credentials only), `wtsapi32.dll`
//! (session user names, for `sessions` and the linked-token search) and above all `secur32.dll`
//! (logon sessions; its load brings in Wine's Kerberos and MSV1_0 packages and their network
//! DLLs) cost start-up memory every run (docs/performance.md). Here each such DLL is loaded from System32 only
//! (`LOAD_LIBRARY_SEARCH_SYSTEM32`: never from the current or the executable's directory) the first
//! time one of its functions is wanted, stays loaded for the life of the process (the function
//! pointers handed out stay valid), and each function is resolved with `GetProcAddress`.
//!
//! The function pointer types below are windows-sys's declarations written out: calling windows-sys's
//! own functions would put the DLL back in the import table. The unit test
//! `the_types_are_windows_sys_declarations` checks at compile time that each type is exactly the type
//! of windows-sys's function.

use core::ffi::{CStr, c_void};
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{ERROR_INVALID_PARAMETER, HANDLE, HMODULE, LUID, NTSTATUS};
use windows_sys::Win32::Security::Authentication::Identity::SECURITY_LOGON_SESSION_DATA;
use windows_sys::Win32::Security::Cryptography::{
    CERT_CONTEXT, CERT_FIND_FLAGS, CERT_OPEN_STORE_FLAGS, CERT_QUERY_ENCODING_TYPE, HCERTSTORE,
    HCRYPTPROV_LEGACY,
};
use windows_sys::Win32::System::Com::CLSCTX;
use windows_sys::Win32::System::LibraryLoader::{
    GetProcAddress, LOAD_LIBRARY_SEARCH_SYSTEM32, LoadLibraryExW,
};
use windows_sys::Win32::System::RemoteDesktop::WTS_INFO_CLASS;
use windows_sys::core::{BOOL, BSTR, GUID, HRESULT, PCSTR, PCWSTR, PWSTR};

use super::handle::last_error;
use mapdrive_core::error::ApiError;

/// What `GetProcAddress` returns for a function that exists (windows-sys's `FARPROC`, unwrapped).
type Proc = unsafe extern "system" fn() -> isize;

/// A module handle of a DLL this process loaded and never unloads.
#[derive(Clone, Copy, Debug)]
struct Module(HMODULE);

// SAFETY: a module handle is the DLL's base address, valid in every thread of the process; the
// module is never freed, so sharing the handle between threads cannot outlive it.
unsafe impl Send for Module {}
// SAFETY: as for Send: nothing about the handle is tied to a thread, and it is only read.
unsafe impl Sync for Module {}

/// A system DLL loaded on first use; the outcome of the load (module or Win32 error) is cached.
#[derive(Debug)]
pub(crate) struct Dll {
    /// The file name, NUL-terminated UTF-16 (`LoadLibraryExW`'s argument).
    file: &'static [u16],
    /// What a load failure names: `LoadLibraryExW(name.dll)`.
    load_api: &'static str,
    module: OnceLock<Result<Module, u32>>,
}

/// `name.dll` as NUL-terminated UTF-16, at compile time (ASCII only).
macro_rules! wide_z {
    ($s:literal) => {{
        const S: &[u8] = $s.as_bytes();
        const W: [u16; S.len() + 1] = {
            let mut w = [0u16; S.len() + 1];
            let mut i = 0;
            while i < S.len() {
                assert!(S[i].is_ascii() && S[i] != 0);
                w[i] = S[i] as u16;
                i += 1;
            }
            w
        };
        &W
    }};
}

/// `crypt32.dll`: the certificate store (certificate credentials only).
pub(crate) static CRYPT32: Dll = Dll {
    file: wide_z!("crypt32.dll"),
    load_api: "LoadLibraryExW(crypt32.dll)",
    module: OnceLock::new(),
};

/// `secur32.dll`: logon sessions (under Wine its load alone brings in the Kerberos and MSV1_0
/// packages with dnsapi, ws2_32, rpcrt4 and netapi32).
pub(crate) static SECUR32: Dll = Dll {
    file: wide_z!("secur32.dll"),
    load_api: "LoadLibraryExW(secur32.dll)",
    module: OnceLock::new(),
};

/// `wtsapi32.dll`: a terminal session's user and domain name.
pub(crate) static WTSAPI32: Dll = Dll {
    file: wide_z!("wtsapi32.dll"),
    load_api: "LoadLibraryExW(wtsapi32.dll)",
    module: OnceLock::new(),
};

/// `ole32.dll`: COM (`CoInitializeEx`, `CoCreateInstance`), for Task Scheduler.
pub(crate) static OLE32: Dll = Dll {
    file: wide_z!("ole32.dll"),
    load_api: "LoadLibraryExW(ole32.dll)",
    module: OnceLock::new(),
};

/// `oleaut32.dll`: BSTRs, for Task Scheduler's COM interfaces.
pub(crate) static OLEAUT32: Dll = Dll {
    file: wide_z!("oleaut32.dll"),
    load_api: "LoadLibraryExW(oleaut32.dll)",
    module: OnceLock::new(),
};

impl Dll {
    /// The module, loaded from System32 by the first caller.
    fn module(&self) -> Result<Module, ApiError> {
        let loaded = self.module.get_or_init(|| {
            // SAFETY: `file` is a NUL-terminated UTF-16 string that lives for the whole program;
            // the reserved `hFile` is NULL as required.
            let module = unsafe {
                LoadLibraryExW(
                    self.file.as_ptr(),
                    core::ptr::null_mut(),
                    LOAD_LIBRARY_SEARCH_SYSTEM32,
                )
            };
            if module.is_null() {
                Err(last_error())
            } else {
                Ok(Module(module))
            }
        });
        loaded.map_err(|code| ApiError::new(self.load_api, code))
    }

    /// The address of the export `name` (NUL-terminated), loading the DLL first if needed. A
    /// missing DLL is an error of `LoadLibraryExW(name.dll)`, a missing function one of `api`
    /// (callers pass `GetProcAddress(Function)`), each with the Win32 code (126, 127).
    pub(crate) fn function(&self, name: &'static str, api: &'static str) -> Result<Proc, ApiError> {
        let name = CStr::from_bytes_with_nul(name.as_bytes())
            .map_err(|_| ApiError::new(api, ERROR_INVALID_PARAMETER))?;
        let module = self.module()?;
        // SAFETY: `module` is loaded for the rest of the process; `name` is NUL-terminated ANSI.
        let address = unsafe { GetProcAddress(module.0, name.as_ptr().cast()) };
        address.ok_or_else(|| ApiError::new(api, last_error()))
    }
}

/// `CertOpenStore` (crypt32), as windows-sys declares it.
pub(crate) type CertOpenStoreFn = unsafe extern "system" fn(
    PCSTR,
    CERT_QUERY_ENCODING_TYPE,
    HCRYPTPROV_LEGACY,
    CERT_OPEN_STORE_FLAGS,
    *const c_void,
) -> HCERTSTORE;
/// `CertFindCertificateInStore` (crypt32), as windows-sys declares it.
pub(crate) type CertFindCertificateInStoreFn = unsafe extern "system" fn(
    HCERTSTORE,
    CERT_QUERY_ENCODING_TYPE,
    u32,
    CERT_FIND_FLAGS,
    *const c_void,
    *const CERT_CONTEXT,
) -> *mut CERT_CONTEXT;
/// `CertCloseStore` (crypt32), as windows-sys declares it.
pub(crate) type CertCloseStoreFn = unsafe extern "system" fn(HCERTSTORE, u32) -> BOOL;
/// `CertFreeCertificateContext` (crypt32), as windows-sys declares it.
pub(crate) type CertFreeCertificateContextFn =
    unsafe extern "system" fn(*const CERT_CONTEXT) -> BOOL;
/// `LsaGetLogonSessionData` (secur32), as windows-sys declares it.
pub(crate) type LsaGetLogonSessionDataFn =
    unsafe extern "system" fn(*const LUID, *mut *mut SECURITY_LOGON_SESSION_DATA) -> NTSTATUS;
/// `LsaEnumerateLogonSessions` (secur32), as windows-sys declares it.
pub(crate) type LsaEnumerateLogonSessionsFn =
    unsafe extern "system" fn(*mut u32, *mut *mut LUID) -> NTSTATUS;
/// `LsaFreeReturnBuffer` (secur32), as windows-sys declares it.
pub(crate) type LsaFreeReturnBufferFn = unsafe extern "system" fn(*const c_void) -> NTSTATUS;
/// `WTSQuerySessionInformationW` (wtsapi32), as windows-sys declares it.
pub(crate) type WTSQuerySessionInformationWFn =
    unsafe extern "system" fn(HANDLE, u32, WTS_INFO_CLASS, *mut PWSTR, *mut u32) -> BOOL;
/// `WTSFreeMemory` (wtsapi32), as windows-sys declares it.
pub(crate) type WTSFreeMemoryFn = unsafe extern "system" fn(*mut c_void);

/// `CoInitializeEx` (ole32), as windows-sys declares it.
pub(crate) type CoInitializeExFn = unsafe extern "system" fn(*const c_void, u32) -> HRESULT;
/// `CoUninitialize` (ole32), as windows-sys declares it.
pub(crate) type CoUninitializeFn = unsafe extern "system" fn();
/// `CoCreateInstance` (ole32), as windows-sys declares it.
pub(crate) type CoCreateInstanceFn = unsafe extern "system" fn(
    *const GUID,
    *mut c_void,
    CLSCTX,
    *const GUID,
    *mut *mut c_void,
) -> HRESULT;
/// `SysAllocStringLen` (oleaut32), as windows-sys declares it.
pub(crate) type SysAllocStringLenFn = unsafe extern "system" fn(PCWSTR, u32) -> BSTR;
/// `SysStringLen` (oleaut32), as windows-sys declares it.
pub(crate) type SysStringLenFn = unsafe extern "system" fn(BSTR) -> u32;
/// `SysFreeString` (oleaut32), as windows-sys declares it.
pub(crate) type SysFreeStringFn = unsafe extern "system" fn(BSTR);

/// Each `pub(crate) fn name() -> Result<NameFn, ApiError>`: the function `name` of `$dll`.
macro_rules! functions {
    ($dll:ident: $($name:ident: $ty:ty;)*) => {$(
        #[allow(non_snake_case)]
        pub(crate) fn $name() -> Result<$ty, ApiError> {
            let address = $dll.function(
                concat!(stringify!($name), "\0"),
                concat!("GetProcAddress(", stringify!($name), ")"),
            )?;
            // SAFETY: `address` is the export `$name` of `$dll`, the system DLL that defines it,
            // and `$ty` is that function's signature exactly as windows-sys declares it (checked at
            // compile time by `the_types_are_windows_sys_declarations`): calling through it is
            // calling the function windows-sys would have imported.
            Ok(unsafe { core::mem::transmute::<Proc, $ty>(address) })
        }
    )*};
}

functions! { CRYPT32:
    CertOpenStore: CertOpenStoreFn;
    CertFindCertificateInStore: CertFindCertificateInStoreFn;
    CertCloseStore: CertCloseStoreFn;
    CertFreeCertificateContext: CertFreeCertificateContextFn;
}

functions! { SECUR32:
    LsaGetLogonSessionData: LsaGetLogonSessionDataFn;
    LsaEnumerateLogonSessions: LsaEnumerateLogonSessionsFn;
    LsaFreeReturnBuffer: LsaFreeReturnBufferFn;
}

functions! { OLE32:
    CoInitializeEx: CoInitializeExFn;
    CoUninitialize: CoUninitializeFn;
    CoCreateInstance: CoCreateInstanceFn;
}

functions! { OLEAUT32:
    SysAllocStringLen: SysAllocStringLenFn;
    SysStringLen: SysStringLenFn;
    SysFreeString: SysFreeStringFn;
}

functions! { WTSAPI32:
    WTSQuerySessionInformationW: WTSQuerySessionInformationWFn;
    WTSFreeMemory: WTSFreeMemoryFn;
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::Foundation::{ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND};

    /// A type error here (not a test failure) if a type above is not windows-sys's declaration.
    /// Only the test build names windows-sys's functions, so only it imports their DLLs.
    #[test]
    fn the_types_are_windows_sys_declarations() {
        use windows_sys::Win32::Security::Authentication::Identity as s;
        use windows_sys::Win32::Security::Cryptography as c;
        use windows_sys::Win32::System::RemoteDesktop as w;
        let _: CertOpenStoreFn = c::CertOpenStore;
        let _: CertFindCertificateInStoreFn = c::CertFindCertificateInStore;
        let _: CertCloseStoreFn = c::CertCloseStore;
        let _: CertFreeCertificateContextFn = c::CertFreeCertificateContext;
        let _: LsaGetLogonSessionDataFn = s::LsaGetLogonSessionData;
        let _: LsaEnumerateLogonSessionsFn = s::LsaEnumerateLogonSessions;
        let _: LsaFreeReturnBufferFn = s::LsaFreeReturnBuffer;
        let _: WTSQuerySessionInformationWFn = w::WTSQuerySessionInformationW;
        let _: WTSFreeMemoryFn = w::WTSFreeMemory;
        use windows_sys::Win32::Foundation as f;
        use windows_sys::Win32::System::Com as com;
        let _: CoInitializeExFn = com::CoInitializeEx;
        let _: CoUninitializeFn = com::CoUninitialize;
        let _: CoCreateInstanceFn = com::CoCreateInstance;
        let _: SysAllocStringLenFn = f::SysAllocStringLen;
        let _: SysStringLenFn = f::SysStringLen;
        let _: SysFreeStringFn = f::SysFreeString;
    }

    #[test]
    fn a_function_is_resolved_once_its_dll_is_loaded() {
        assert!(CertCloseStore().is_ok());
        assert!(WTSFreeMemory().is_ok());
        assert!(LsaFreeReturnBuffer().is_ok());
        // The second time comes from the cached module.
        assert!(CRYPT32.module.get().is_some_and(|m| m.is_ok()));
        let open = CertOpenStore().unwrap();
        assert_eq!(open as usize, CertOpenStore().unwrap() as usize);
    }

    #[test]
    fn a_missing_dll_or_function_is_named_with_its_code() {
        static MISSING: Dll = Dll {
            file: wide_z!("mapdrive-no-such-dll.dll"),
            load_api: "LoadLibraryExW(mapdrive-no-such-dll.dll)",
            module: OnceLock::new(),
        };
        let e = MISSING
            .function("Anything\0", "GetProcAddress(Anything)")
            .unwrap_err();
        assert_eq!(e.api, "LoadLibraryExW(mapdrive-no-such-dll.dll)");
        assert_eq!(e.code, ERROR_MOD_NOT_FOUND);
        // The failure is cached: the same answer without another load.
        let again = MISSING.function("Anything\0", "x").unwrap_err();
        assert_eq!((again.api, again.code), (e.api, e.code));

        let e = CRYPT32
            .function("CertNoSuchFunction\0", "GetProcAddress(CertNoSuchFunction)")
            .unwrap_err();
        assert_eq!(e.api, "GetProcAddress(CertNoSuchFunction)");
        assert_eq!(e.code, ERROR_PROC_NOT_FOUND);
    }
}

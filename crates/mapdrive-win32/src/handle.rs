//! RAII owners for everything Win32 hands out: kernel handles, WNet enumeration handles,
//! `CredFree`/`LsaFreeReturnBuffer`/`LocalFree` buffers, and thread impersonation.
//!
//! Every owner is `!Send` (it holds a raw pointer): impersonation is per *thread*, and the
//! adapter must revert on the thread that impersonated.

use core::ffi::c_void;
use core::marker::PhantomData;

use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, HANDLE, INVALID_HANDLE_VALUE, LocalFree,
};
use windows_sys::Win32::NetworkManagement::WNet::WNetCloseEnum;
use windows_sys::Win32::Security::Credentials::CredFree;
use windows_sys::Win32::Security::{ImpersonateLoggedOnUser, RevertToSelf};

use mapdrive_core::error::ApiError;

/// The calling thread's last error.
pub(crate) fn last_error() -> u32 {
    // SAFETY: GetLastError only reads thread-local state.
    unsafe { GetLastError() }
}

/// An owned kernel handle (process, token, snapshot, object directory, symbolic link),
/// closed with `CloseHandle`.
#[derive(Debug)]
pub(crate) struct OwnedHandle(HANDLE);

impl OwnedHandle {
    /// Takes ownership; `None` for NULL and `INVALID_HANDLE_VALUE` (the two failure values).
    pub(crate) fn new(h: HANDLE) -> Option<OwnedHandle> {
        (!h.is_null() && h != INVALID_HANDLE_VALUE).then_some(OwnedHandle(h))
    }

    /// The raw handle, valid while `self` lives.
    pub(crate) fn raw(&self) -> HANDLE {
        self.0
    }
}

impl Drop for OwnedHandle {
    fn drop(&mut self) {
        // SAFETY: we own a valid handle that nobody else closes. Failure leaves nothing to do.
        unsafe { CloseHandle(self.0) };
    }
}

/// A `WNetOpenEnumW` handle, closed with `WNetCloseEnum`.
#[derive(Debug)]
pub(crate) struct EnumHandle(HANDLE);

impl EnumHandle {
    /// Takes ownership of a handle `WNetOpenEnumW` returned with `NO_ERROR`.
    pub(crate) fn new(h: HANDLE) -> EnumHandle {
        EnumHandle(h)
    }

    /// The raw handle.
    pub(crate) fn raw(&self) -> HANDLE {
        self.0
    }
}

impl Drop for EnumHandle {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: an open enumeration handle we own; closed exactly once.
            unsafe { WNetCloseEnum(self.0) };
        }
    }
}

/// Which deallocator a [`Buffer`] needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Free {
    /// `CredFree` (`CredReadW`, `CredEnumerateW`).
    Cred,
    /// `LsaFreeReturnBuffer` (`LsaGetLogonSessionData`, `LsaEnumerateLogonSessions`).
    Lsa,
    /// `LocalFree` (`ConvertSidToStringSidW`).
    Local,
    /// `WTSFreeMemory` (`WTSQuerySessionInformationW`).
    Wts,
}

/// A buffer allocated by Win32 on our behalf, released with the matching function.
#[derive(Debug)]
pub(crate) struct Buffer<T> {
    ptr: *mut T,
    free: Free,
}

impl<T> Buffer<T> {
    /// Takes ownership of `ptr` (may be NULL: then nothing is freed).
    pub(crate) fn new(ptr: *mut T, free: Free) -> Buffer<T> {
        Buffer { ptr, free }
    }

    /// The pointer, valid while `self` lives.
    pub(crate) fn ptr(&self) -> *mut T {
        self.ptr
    }
}

impl<T> Drop for Buffer<T> {
    fn drop(&mut self) {
        if self.ptr.is_null() {
            return;
        }
        let p = self.ptr.cast::<c_void>();
        match self.free {
            Free::Cred => {
                // SAFETY: allocated by CredReadW/CredEnumerateW for us; freed once.
                unsafe { CredFree(p) };
            }
            Free::Lsa => {
                // secur32 is loaded (it allocated the buffer): this only fails if it lacks the
                // function, and then the buffer is left allocated.
                if let Ok(free) = super::lazy::LsaFreeReturnBuffer() {
                    // SAFETY: allocated by the LSA for us; freed once.
                    unsafe { free(p) };
                }
            }
            Free::Local => {
                // SAFETY: allocated with LocalAlloc by the API that returned it; freed once.
                unsafe { LocalFree(p) };
            }
            Free::Wts => {
                // wtsapi32 is loaded (it allocated the buffer): this only fails if it lacks the
                // function, and then the buffer is left allocated.
                if let Ok(free) = super::lazy::WTSFreeMemory() {
                    // SAFETY: allocated by WTSQuerySessionInformationW for us; freed once.
                    unsafe { free(p) };
                }
            }
        }
    }
}

/// The calling thread impersonates a token until this guard is dropped; dropping it calls
/// `RevertToSelf`. Not `Send`: the revert must run on the same thread.
#[derive(Debug)]
pub(crate) struct Impersonation {
    _not_send: PhantomData<*const ()>,
}

impl Impersonation {
    /// `ImpersonateLoggedOnUser(token)`, checking its result (on failure the
    /// thread keeps running as the process).
    pub(crate) fn start(token: &OwnedHandle) -> Result<Impersonation, ApiError> {
        // SAFETY: `token` is a valid token handle for the duration of the call.
        if unsafe { ImpersonateLoggedOnUser(token.raw()) } == 0 {
            return Err(ApiError::new("ImpersonateLoggedOnUser", last_error()));
        }
        Ok(Impersonation {
            _not_send: PhantomData,
        })
    }
}

impl Drop for Impersonation {
    fn drop(&mut self) {
        // SAFETY: RevertToSelf takes no arguments and only changes the calling thread's token;
        // the guard is `!Send`, so this is the thread that started the impersonation.
        if unsafe { RevertToSelf() } == 0 {
            // The thread would go on as the impersonated token (possibly SYSTEM, see
            // `token::linked_primary_token`): stopping is the only safe answer
            // (on failure the code keeps running with the wrong identity). Said first: no exit
            // of mapdrive is silent.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!(
                    "error: mapdrive stopped: RevertToSelf failed ({}), so this thread could not \
                     stop impersonating another token; run `mapdrive list` to see the current \
                     state\n",
                    last_error()
                )
                .as_bytes(),
            );
            std::process::abort();
        }
    }
}

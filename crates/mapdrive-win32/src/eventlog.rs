//! The Application log: `RegisterEventSourceW(NULL, "mapdrive")` once per process (on the
//! first event), `ReportEventW` with the actor's SID, `DeregisterEventSource` when the adapter
//! is dropped. Whether the source is registered does not matter for writing: without a
//! registration Windows stores the event and shows it with a generic text.
//!
//! Nothing here fails a command: an event that cannot be written is dropped, and the first such
//! failure is said once on stderr.

use core::ptr;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Security::Authorization::ConvertStringSidToSidW;
use windows_sys::Win32::System::EventLog::{
    DeregisterEventSource, RegisterEventSourceW, ReportEventW,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleFileNameW;

use mapdrive_core::audit::{AuditEvent, SOURCE};
use mapdrive_core::error::ApiError;

use super::handle::{Buffer, Free, last_error};
use super::wide::{self, WStr};

/// The longest insert passed (`ReportEventW` takes at most 31,839 characters per string).
const MAX_INSERT: usize = 8000;

/// An event source handle, deregistered when dropped.
#[derive(Debug)]
pub(crate) struct EventSource(HANDLE);

impl EventSource {
    /// `RegisterEventSourceW(NULL, "mapdrive")`.
    pub(crate) fn register() -> Result<EventSource, ApiError> {
        const API: &str = "RegisterEventSourceW";
        let name = WStr::new(SOURCE, API)?;
        // SAFETY: NULL server (the local computer) and a NUL-terminated source name that lives
        // for the call.
        let h = unsafe { RegisterEventSourceW(ptr::null(), name.as_ptr()) };
        if h.is_null() {
            return Err(ApiError::new(API, last_error()));
        }
        Ok(EventSource(h))
    }
}

impl Drop for EventSource {
    fn drop(&mut self) {
        // SAFETY: a handle RegisterEventSourceW returned, owned here and closed once.
        unsafe { DeregisterEventSource(self.0) };
    }
}

/// The writer: the source handle once registered, or why it could not be (not tried again).
#[derive(Debug, Default)]
pub(crate) struct EventLog {
    source: Option<Result<EventSource, ApiError>>,
}

impl EventLog {
    /// Writes `event`; the engine makes an error a warning of the change it reports.
    pub(crate) fn report(&mut self, event: &AuditEvent) -> Result<(), ApiError> {
        match self.source.get_or_insert_with(EventSource::register) {
            Ok(source) => write(source, event),
            Err(e) => Err(e.clone()),
        }
    }
}

/// One `ReportEventW` call.
pub(crate) fn write(source: &EventSource, event: &AuditEvent) -> Result<(), ApiError> {
    const API: &str = "ReportEventW";
    let inserts: Vec<WStr> = event
        .inserts()
        .iter()
        .map(|s| {
            let clean: String = s
                .chars()
                .map(|c| if c == '\0' { ' ' } else { c })
                .take(MAX_INSERT)
                .collect();
            WStr::new(&clean, API)
        })
        .collect::<Result<_, _>>()?;
    let pointers: Vec<*const u16> = inserts.iter().map(WStr::as_ptr).collect();
    let sid = sid(&event.actor.sid);
    let count = u16::try_from(pointers.len()).unwrap_or(u16::MAX);
    // SAFETY: a registered source handle; the SID (or NULL) and every insert string live until
    // the call returns; `count` strings are behind `pointers`; no raw data.
    let ok = unsafe {
        ReportEventW(
            source.0,
            event.severity.event_type(),
            0,
            event.kind.id(),
            sid.as_ref().map_or(ptr::null_mut(), Buffer::ptr),
            count,
            0,
            pointers.as_ptr(),
            ptr::null(),
        )
    };
    if ok == 0 {
        return Err(ApiError::new(API, last_error()));
    }
    Ok(())
}

/// The binary SID of `text` (`ConvertStringSidToSidW`, freed with `LocalFree`); `None` when
/// it is empty or not a SID (the event is then written without a user).
fn sid(text: &str) -> Option<Buffer<core::ffi::c_void>> {
    if text.is_empty() {
        return None;
    }
    let w = WStr::new(text, "ConvertStringSidToSidW").ok()?;
    let mut out = ptr::null_mut();
    // SAFETY: a NUL-terminated string and an out pointer; the SID returned is freed with
    // LocalFree by the Buffer.
    if unsafe { ConvertStringSidToSidW(w.as_ptr(), &mut out) } == 0 {
        return None;
    }
    Some(Buffer::new(out, Free::Local))
}

/// The full path of this executable (`GetModuleFileNameW(NULL)`), for `EventMessageFile`.
pub(crate) fn executable_path() -> Result<String, ApiError> {
    const API: &str = "GetModuleFileNameW";
    let mut size = 260usize;
    loop {
        let mut buf = vec![0u16; size];
        let cap = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        // SAFETY: NULL module (this executable) and a writable buffer of `cap` units.
        let n = unsafe { GetModuleFileNameW(ptr::null_mut(), buf.as_mut_ptr(), cap) } as usize;
        if n == 0 {
            return Err(ApiError::new(API, last_error()));
        }
        // Truncated: the result fills the whole buffer.
        if n < buf.len() {
            return Ok(wide::from_buf(&buf[..n]));
        }
        if size >= 32_768 {
            // ERROR_INSUFFICIENT_BUFFER: longer than any Windows path.
            return Err(ApiError::new(API, 122));
        }
        size *= 2;
    }
}

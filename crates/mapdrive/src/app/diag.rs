//! `MAPDRIVE_DIAG_FILE=PATH`: a line appended to PATH when the process starts, when it is about
//! to exit (the exit code, how many bytes it wrote to stdout and stderr and whether those writes
//! worked) and on a panic. The Wine test harness sets it to tell "Wine never started
//! mapdrive.exe" from "mapdrive exited without a word" (issue 13). Never any value of the run:
//! only codes and sizes.

use std::io::Write;

pub fn note(line: &str) {
    let Some(path) = std::env::var_os("MAPDRIVE_DIAG_FILE") else {
        return;
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// The standard handles the process was given: a null one swallows every write silently
/// (the standard library treats a missing console handle as a sink), which would make a
/// failure look silent.
#[cfg(windows)]
pub fn std_handles() -> String {
    use std::os::windows::io::AsRawHandle;
    format!(
        "handles stdin {:?} stdout {:?} stderr {:?}",
        std::io::stdin().as_raw_handle(),
        std::io::stdout().as_raw_handle(),
        std::io::stderr().as_raw_handle()
    )
}

#[cfg(not(windows))]
pub fn std_handles() -> String {
    String::new()
}

pub fn outcome(r: &std::io::Result<()>) -> String {
    match r {
        Ok(()) => "written".into(),
        Err(e) => format!("write failed: {e}"),
    }
}

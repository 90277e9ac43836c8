//! `mapdrive.exe`: pick the platform port, run the Ansible module protocol or the command line
//! through its front-end, print, exit.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use mapdrive::cli::run;
use mapdrive::frontend::ansible;
use mapdrive::frontend::input::StdSecretInput;
use mapdrive::frontend::report::Report;
use mapdrive_core::port::Port;

fn main() -> ExitCode {
    diag::note(&format!(
        "start pid {} {}",
        std::process::id(),
        diag::std_handles()
    ));
    let exe = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .unwrap_or_default();
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let module = ansible::is_module_invocation(&exe, &args);
    say_why_on_panic(module);
    let report = if module {
        // One JSON object on stdout, whatever happens: Ansible reads `failed` from it.
        let (stdout, code) = with_port(|port| ansible::run_invocation(&exe, &args, port))
            .unwrap_or_else(|e| {
                let msg = format!("could not start: {e}");
                (
                    ansible::ascii_json(&serde_json::json!({"failed": true, "msg": msg})),
                    1,
                )
            });
        Report {
            stdout,
            stderr: String::new(),
            code,
        }
    } else {
        match mapdrive::cli::parse(std::env::args_os()) {
            Err(usage) => usage,
            Ok(cli) => {
                with_port(|port| run(cli, port, &mut StdSecretInput)).unwrap_or_else(|e| Report {
                    stdout: String::new(),
                    stderr: format!("error: could not start: {e}\n"),
                    code: 1,
                })
            }
        }
    };
    let report = report.said();
    // A closed stdout (e.g. `| head`) is not an error worth a panic.
    let out = std::io::stdout()
        .write_all(report.stdout.as_bytes())
        .and_then(|()| std::io::stdout().flush());
    let err = std::io::stderr().write_all(report.stderr.as_bytes());
    diag::note(&format!(
        "exit {} stdout {} bytes ({}) stderr {} bytes ({})",
        report.code,
        report.stdout.len(),
        diag::outcome(&out),
        report.stderr.len(),
        diag::outcome(&err)
    ));
    ExitCode::from(report.code)
}

/// `MAPDRIVE_DIAG_FILE=PATH`: a line appended to PATH when the process starts, when it is about
/// to exit (the exit code, how many bytes it wrote to stdout and stderr and whether those writes
/// worked) and on a panic. The Wine test harness sets it to tell "Wine never started
/// mapdrive.exe" from "mapdrive exited without a word" (issue 13). Never any value of the run:
/// only codes and sizes.
mod diag {
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
}

/// A panic (a bug: the code has no `unwrap`) still ends with a message, and for Ansible with the
/// one JSON object it reads. Only the place is printed, never the panic's text, which could
/// quote a value.
fn say_why_on_panic(module: bool) {
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = format!(
            "mapdrive stopped on an internal error{at}: this is a bug; run `mapdrive list` to see \
             the current state, and report the command that did it"
        );
        diag::note(&format!("panic{at}"));
        if module {
            let _ = std::io::stdout().write_all(
                ansible::ascii_json(&serde_json::json!({"failed": true, "msg": msg})).as_bytes(),
            );
        } else {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
        }
    }));
}

/// Runs `f` with the Windows port, or with none where this build is not on Windows.
#[cfg(windows)]
fn with_port<T>(f: impl FnOnce(Option<&mut dyn Port>) -> T) -> Result<T, String> {
    let mut port = mapdrive_win32::Win32::new().map_err(|e| e.to_string())?;
    Ok(f(Some(&mut port)))
}

/// Runs `f` with the Windows port, or with none where this build is not on Windows.
#[cfg(not(windows))]
fn with_port<T>(f: impl FnOnce(Option<&mut dyn Port>) -> T) -> Result<T, String> {
    Ok(f(None))
}

//! What both executables do, whole: `mapdrive.exe` (console subsystem) and `mapdrivew.exe` (GUI
//! subsystem, no console) are each a `main` that calls [`main`] with their [`Output`]. Picking the
//! platform port, the Ansible module protocol or the command line, the exit code: all here, once.
//!
//! The front-ends return a [`Report`] (stdout, stderr, exit code) and print nothing themselves, so
//! the only difference between the two executables is where that report goes ([`Output`]) and
//! that the windowless one cannot prompt on a console.

mod diag;
pub mod log;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use mapdrive_core::engine::SecretInput;
use mapdrive_core::port::Port;
use zeroize::Zeroizing;

use crate::frontend::ansible;
use crate::frontend::input::StdSecretInput;
use crate::frontend::report::Report;

/// Where the process's report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `mapdrive.exe`: standard output and standard error (the console or whatever the caller
    /// redirected them to).
    Console,
    /// `mapdrivew.exe`: one block per run appended to the log file ([`log::default_path`]), and
    /// also standard output and standard error when a caller handed it some (redirected
    /// handles); without them those writes go nowhere. No console prompt.
    Windowless,
}

/// The whole program: runs the process's command line and returns its exit code.
pub fn main(output: Output) -> ExitCode {
    diag::note(&format!(
        "start pid {} {}",
        std::process::id(),
        diag::std_handles()
    ));
    let argv: Vec<OsString> = std::env::args_os().collect();
    let log = match output {
        Output::Console => None,
        Output::Windowless => Some(log::Log::new(log::default_path(), &argv)),
    };
    let exe = argv.first().map(PathBuf::from).unwrap_or_default();
    let module = ansible::is_module_invocation(&exe, argv.get(1..).unwrap_or_default());
    say_why_on_panic(module, log.clone());
    let report = match output {
        Output::Console => run(&argv, &mut StdSecretInput),
        Output::Windowless => run(&argv, &mut NoConsole(StdSecretInput)),
    };
    let report = report.said();
    if let Some(log) = &log {
        // A log that cannot be written changes nothing about the run or its exit code.
        let _ = log.append(&report);
    }
    // A closed stdout (e.g. `| head`) is not an error worth a panic; in a windowless process
    // without standard handles these writes succeed without going anywhere.
    let out = io::stdout()
        .write_all(report.stdout.as_bytes())
        .and_then(|()| io::stdout().flush());
    let err = io::stderr().write_all(report.stderr.as_bytes());
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

/// Runs `argv` (program name first): the Ansible module protocol or the command line, with the
/// platform port. What the process prints and returns, printed by nobody yet.
pub fn run(argv: &[OsString], input: &mut dyn SecretInput) -> Report {
    let exe = argv.first().map(PathBuf::from).unwrap_or_default();
    let args = argv.get(1..).unwrap_or_default();
    if ansible::is_module_invocation(&exe, args) {
        // One JSON object on stdout, whatever happens: Ansible reads `failed` from it.
        let (stdout, code) = with_port(|port| ansible::run_invocation(&exe, args, port))
            .unwrap_or_else(|e| {
                let msg = format!("could not start: {e}");
                (
                    ansible::ascii_json(&serde_json::json!({"failed": true, "msg": msg})),
                    1,
                )
            });
        return Report {
            stdout,
            stderr: String::new(),
            code,
        };
    }
    match crate::cli::parse(argv.iter().cloned()) {
        Err(usage) => usage,
        Ok(cli) => with_port(|port| crate::cli::run(cli, port, input)).unwrap_or_else(|e| Report {
            stdout: String::new(),
            stderr: format!("error: could not start: {e}\n"),
            code: 1,
        }),
    }
}

/// The secret input of the windowless executable: standard input as usual (a caller may pipe
/// a secret in), but no console prompt: a process without a console would otherwise wait for
/// an answer nobody can type. The engine turns the error into a usage error (exit 2) that says
/// to pipe the secret in instead.
pub struct NoConsole<I>(pub I);

/// Why [`NoConsole`] refuses a prompt (completes "there is no console to prompt on (...)").
pub const NO_CONSOLE: &str =
    "mapdrivew.exe runs without a console; run mapdrive.exe to be prompted";

impl<I: SecretInput> SecretInput for NoConsole<I> {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        self.0.stdin_line()
    }

    fn prompt(&mut self, _prompt: &str) -> io::Result<Zeroizing<String>> {
        Err(io::Error::new(io::ErrorKind::Unsupported, NO_CONSOLE))
    }

    fn stdin_all(&mut self) -> io::Result<Zeroizing<String>> {
        self.0.stdin_all()
    }

    fn stdin_has_more(&mut self) -> io::Result<bool> {
        self.0.stdin_has_more()
    }
}

/// A panic (a bug: the code has no `unwrap`) still ends with a message, and for Ansible with the
/// one JSON object it reads; the windowless executable also appends it to its log. Only the
/// place is printed, never the panic's text, which could quote a value.
fn say_why_on_panic(module: bool, log: Option<log::Log>) {
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = format!(
            "mapdrive stopped on an internal error{at}: this is a bug; run `mapdrive list` to see \
             the current state, and report the command that did it"
        );
        if let Some(log) = &log {
            let _ = log.append_stopped(&format!("error: {msg}\n"));
        }
        diag::note(&format!("panic{at}"));
        if module {
            let _ = io::stdout().write_all(
                ansible::ascii_json(&serde_json::json!({"failed": true, "msg": msg})).as_bytes(),
            );
        } else {
            let _ = writeln!(io::stderr(), "error: {msg}");
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines;
    impl SecretInput for Lines {
        fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
            Ok(Zeroizing::new("line\n".into()))
        }
        fn prompt(&mut self, _: &str) -> io::Result<Zeroizing<String>> {
            Ok(Zeroizing::new("typed".into()))
        }
    }

    #[test]
    fn the_windowless_input_reads_stdin_but_never_prompts() {
        let mut input = NoConsole(Lines);
        assert_eq!(input.stdin_line().unwrap().as_str(), "line\n");
        let e = input.prompt("Password: ").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        assert!(e.to_string().contains("without a console"), "{e}");
    }
}

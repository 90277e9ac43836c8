//! `mapdrive.exe`: parse → run against the platform port → print → exit code.

use std::io::Write;
use std::process::ExitCode;

use std::ffi::OsString;
use std::path::PathBuf;

use mapdrive::cli::{Cli, Report, StdSecretInput, run};
use mapdrive::frontend::ansible;
use zeroize::Zeroizing;

fn main() -> ExitCode {
    let exe = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .unwrap_or_default();
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if ansible::is_module_invocation(&exe, &args) {
        return run_ansible_module(&exe, &args);
    }
    let report = mapdrive::cli::parse(std::env::args_os()).map_or_else(|usage| usage, run_platform);
    // A closed stdout (e.g. `| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(report.stdout.as_bytes());
    let _ = std::io::stderr().write_all(report.stderr.as_bytes());
    ExitCode::from(report.code)
}

#[cfg(windows)]
fn run_platform(cli: Cli) -> Report {
    match mapdrive::win32::Win32::new() {
        Ok(mut port) => run(cli, Some(&mut port), &mut StdSecretInput),
        Err(e) => Report {
            stdout: String::new(),
            stderr: format!("error: could not start: {e}\n"),
            code: 1,
        },
    }
}

#[cfg(not(windows))]
fn run_platform(cli: Cli) -> Report {
    run(cli, None, &mut StdSecretInput)
}

/// `mapdrive.exe ARGS_FILE` as an Ansible binary module: one JSON object on stdout, exit 0 (Ansible
/// reads `failed` from the JSON), 1 when the arguments file cannot be read.
fn run_ansible_module(exe: &std::path::Path, args: &[OsString]) -> ExitCode {
    let module = ansible::Module::from_exe(exe);
    let (text, code) = match args {
        [path] => match std::fs::read(path) {
            // The file may hold a secret: keep the bytes in a wiped buffer.
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                match std::str::from_utf8(&bytes) {
                    Ok(s) => (ansible_platform(s, module), 0),
                    Err(_) => (ansible::run("\"not UTF-8\"", module, None), 1),
                }
            }
            Err(e) => (
                ansible::ascii_json(&serde_json::json!({
                    "failed": true,
                    "msg": format!("could not read the arguments file {}: {e}", path.to_string_lossy()),
                })),
                1,
            ),
        },
        _ => (
            ansible::ascii_json(&serde_json::json!({
                "failed": true,
                "msg": "an Ansible module takes exactly one argument: the path of the arguments file",
            })),
            1,
        ),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::from(code)
}

#[cfg(windows)]
fn ansible_platform(args: &str, module: Option<ansible::Module>) -> String {
    match mapdrive::win32::Win32::new() {
        Ok(mut port) => ansible::run(args, module, Some(&mut port)),
        Err(e) => ansible::ascii_json(&serde_json::json!({
            "failed": true,
            "msg": format!("could not start: {e}"),
        })),
    }
}

#[cfg(not(windows))]
fn ansible_platform(args: &str, module: Option<ansible::Module>) -> String {
    ansible::run(args, module, None)
}

//! `mapdrive.exe`: parse → run against the platform port → print → exit code.

use std::io::Write;
use std::process::ExitCode;

use mapdrive::cli::{Cli, Report, StdSecretInput, run};

fn main() -> ExitCode {
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

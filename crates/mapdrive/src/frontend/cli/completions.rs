//! `mapdrive completions SHELL`: the completion script clap_complete generates from the same
//! command definition the parser uses, so it never lags behind the options.

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::{Cli, ShellArg};
use crate::frontend::report::Report;

/// The script for `shell`, on stdout.
pub fn script(shell: ShellArg) -> Report {
    let shell = match shell {
        ShellArg::Powershell => Shell::PowerShell,
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mapdrive", &mut out);
    Report {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::new(),
        code: 0,
    }
}

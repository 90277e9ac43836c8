//! `mapdrivew.exe`: the same program ([`mapdrive::app`]) for the Windows GUI subsystem, so that
//! nothing flashes on the screen when a scheduled task starts it. Same commands and exit codes;
//! what `mapdrive.exe` would print goes to `%LOCALAPPDATA%\mapdrive\mapdrive.log`
//! (docs/mapdrivew.md). Elsewhere than on Windows the attribute changes nothing.

#![windows_subsystem = "windows"]

use std::process::ExitCode;

fn main() -> ExitCode {
    mapdrive::app::main(mapdrive::app::Output::Windowless)
}

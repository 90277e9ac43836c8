//! `mapdrive.exe`: the program ([`mapdrive::app`]) with its output on the console.

use std::process::ExitCode;

fn main() -> ExitCode {
    mapdrive::app::main(mapdrive::app::Output::Console)
}

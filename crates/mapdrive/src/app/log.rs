//! The log of `mapdrivew.exe`, the windowless executable: what `mapdrive.exe` would have printed,
//! one block per run, appended to `%LOCALAPPDATA%\mapdrive\mapdrive.log` (see [`default_path`]).
//!
//! A block:
//!
//! ```text
//! === 2026-12-05T03:10:00Z pid 4242: C:\Tools\mapdrivew.exe apply C:\ProgramData\mapdrive\drives.yaml
//! --- stdout
//! ...what mapdrive.exe prints on standard output...
//! --- stderr
//! ...what it prints on standard error...
//! === exit code 0
//! ```
//!
//! (`--- stdout` / `--- stderr` only when there is some.) Bounds: a stream longer than
//! [`STREAM_HEAD`] + [`STREAM_TAIL`] bytes keeps its start and its end (the summary line comes
//! last) with a note of what was left out; the command line is cut at [`COMMAND_LINE_MAX`]
//! characters; before a block would take the file past [`LIMIT`], the file is renamed to
//! `mapdrive.log.1` (replacing the previous one) and a new one started. So the log takes at most
//! twice [`LIMIT`] on disk.
//!
//! Never a secret: the outputs hold none (the front-ends never print one), and the command line,
//! which by design holds none either, is logged masked all the same: the value after `--secret`
//! (`NAME=-` is kept: `-` only says "standard input") and after any option whose name speaks of
//! a password, secret, token or key, and, when the command line does not parse, every argument
//! that is not a mapdrive command or option name (the way `net use` takes a password is a
//! positional argument). A masked value is also replaced by `***` wherever it appears in the
//! logged output.
//!
//! Writing the log never changes the run: its errors are returned to the caller, which ignores
//! them.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::frontend::report::Report;

/// The log file's size limit: a block that would take it past this starts a new file.
pub const LIMIT: u64 = 1024 * 1024;
/// Bytes kept from the start of a long stdout or stderr.
pub const STREAM_HEAD: usize = 64 * 1024;
/// Bytes kept from the end of a long stdout or stderr.
pub const STREAM_TAIL: usize = 64 * 1024;
/// Characters of the command line logged.
pub const COMMAND_LINE_MAX: usize = 4096;
/// What a masked value is logged as.
pub const MASK: &str = "***";

/// `%LOCALAPPDATA%\mapdrive\mapdrive.log`: the environment variable (Windows sets it in every
/// user's environment, a scheduled task's included, from the Local AppData known folder), else
/// `%USERPROFILE%\AppData\Local`, else the temporary folder. The known-folder API itself is not
/// called: it would add shell32.dll (and what it loads) to every start of both executables, to
/// answer what the variable already says.
pub fn default_path() -> PathBuf {
    path_in(
        std::env::var_os("LOCALAPPDATA"),
        std::env::var_os("USERPROFILE"),
        std::env::temp_dir(),
    )
}

/// [`default_path`] from the values of `LOCALAPPDATA`, `USERPROFILE` and the temporary folder
/// (a value that is not an absolute path counts as unset).
pub fn path_in(
    local_app_data: Option<OsString>,
    user_profile: Option<OsString>,
    temp: PathBuf,
) -> PathBuf {
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    absolute(local_app_data)
        .or_else(|| absolute(user_profile).map(|p| p.join("AppData").join("Local")))
        .unwrap_or(temp)
        .join("mapdrive")
        .join("mapdrive.log")
}

/// The file a full log is renamed to: `mapdrive.log.1`.
pub fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// One run's log: where it goes, the masked command line, when it started.
#[derive(Debug, Clone)]
pub struct Log {
    path: PathBuf,
    command_line: String,
    /// Masked values, replaced by [`MASK`] in the logged output too.
    scrub: Vec<String>,
    started: SystemTime,
}

impl Log {
    /// The log of a run of `argv` (program name first), appended to `path`. The command line is
    /// masked with [`masked_command_line`], as if it parsed when mapdrive's command line parser
    /// accepts it (or it is an Ansible module invocation, a path alone).
    pub fn new(path: PathBuf, argv: &[OsString]) -> Log {
        let exe = argv.first().map(PathBuf::from).unwrap_or_default();
        let args = argv.get(1..).unwrap_or_default();
        let parses = crate::frontend::ansible::is_module_invocation(&exe, args)
            || match crate::cli::parse(argv.iter().cloned()) {
                Ok(_) => true,
                // --help and --version
                Err(report) => report.code == 0,
            };
        let (command_line, scrub) = masked_command_line(argv, parses);
        Log {
            path,
            command_line,
            scrub,
            started: SystemTime::now(),
        }
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The command line as logged.
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// Appends the block of a finished run.
    pub fn append(&self, report: &Report) -> io::Result<()> {
        self.write(&self.block(
            &report.stdout,
            &report.stderr,
            &format!("exit code {}", report.code),
        ))
    }

    /// Appends the block of a run stopped by an internal error (a panic), with its message.
    pub fn append_stopped(&self, stderr: &str) -> io::Result<()> {
        self.write(&self.block("", stderr, "stopped on an internal error"))
    }

    /// The text of one block.
    pub fn block(&self, stdout: &str, stderr: &str, end: &str) -> String {
        let mut b = format!(
            "=== {} pid {}: {}\n",
            humantime::format_rfc3339_seconds(self.started),
            std::process::id(),
            self.command_line
        );
        for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
            if text.is_empty() {
                continue;
            }
            let mut text = clip(text);
            for s in &self.scrub {
                text = text.replace(s.as_str(), MASK);
            }
            b.push_str(&format!("--- {name}\n{text}"));
            if !text.ends_with('\n') {
                b.push('\n');
            }
        }
        b.push_str(&format!("=== {end}\n"));
        b
    }

    /// Appends `block`, first renaming a file it would take past [`LIMIT`] to
    /// [`rotated`]`(path)`. Creates the folder.
    fn write(&self, block: &str) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let len = fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if len > 0 && len + block.len() as u64 > LIMIT {
            // Another run may have rotated it a moment ago: then this append starts the new file.
            let _ = fs::rename(&self.path, rotated(&self.path));
        }
        // One write of the whole block in append mode: blocks of runs at the same time do not
        // interleave.
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?
            .write_all(block.as_bytes())
    }
}

/// A stream longer than [`STREAM_HEAD`] + [`STREAM_TAIL`] bytes: its start, a note, its end
/// (cut at character boundaries).
fn clip(text: &str) -> String {
    if text.len() <= STREAM_HEAD + STREAM_TAIL {
        return text.to_string();
    }
    let mut head = STREAM_HEAD;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - STREAM_TAIL;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{}\n[... {} bytes not logged ...]\n{}",
        &text[..head],
        tail - head,
        &text[tail..]
    )
}

/// Whether an option's name speaks of a secret.
fn secret_bearing(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "key", "credential"]
        .iter()
        .any(|w| name.contains(w))
}

/// Long options of mapdrive's command line (any command) that take no value (`--json`,
/// `--password-stdin`), and those that take one.
fn long_options() -> (Vec<String>, Vec<String>) {
    fn walk(cmd: &clap::Command, flags: &mut Vec<String>, valued: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            if let Some(long) = a.get_long() {
                if a.get_action().takes_values() {
                    valued.push(long.to_string());
                } else {
                    flags.push(long.to_string());
                }
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, flags, valued);
        }
    }
    let (mut flags, mut valued) = (vec!["help".to_string(), "version".to_string()], Vec::new());
    walk(&Cli::command(), &mut flags, &mut valued);
    (flags, valued)
}

/// Names of mapdrive's commands at every level (`list`, `cred`, `set`, ...).
fn command_names() -> Vec<String> {
    fn walk(cmd: &clap::Command, names: &mut Vec<String>) {
        for s in cmd.get_subcommands() {
            names.push(s.get_name().to_ascii_lowercase());
            walk(s, names);
        }
    }
    let mut names = vec!["help".to_string()];
    walk(&Cli::command(), &mut names);
    names
}

/// How the next argument is masked.
#[derive(Clone, Copy)]
enum Next {
    /// The value of `--secret`: `NAME=-` shown, anything else masked after `NAME=`.
    Secret,
    /// Masked whole.
    Whole,
}

/// The command line as logged, and the values masked in it (longer than a character, not `-`).
/// `parses`: whether the command line is one mapdrive accepts; when it is not, only command
/// and option names are shown.
pub fn masked_command_line(argv: &[OsString], parses: bool) -> (String, Vec<String>) {
    let (flags, valued) = long_options();
    let commands = if parses { Vec::new() } else { command_names() };
    let mut scrub = Vec::new();
    let mut shown: Vec<String> = Vec::with_capacity(argv.len());
    let mut next: Option<Next> = None;
    for (i, arg) in argv.iter().enumerate() {
        let text = arg.to_string_lossy();
        if i == 0 {
            shown.push(quote(&text));
            continue;
        }
        if let Some(how) = next.take() {
            shown.push(match how {
                Next::Secret => secret_value(&text, &mut scrub),
                Next::Whole => masked(&text, &mut scrub),
            });
            continue;
        }
        if let Some(option) = text.strip_prefix("--").filter(|o| !o.is_empty()) {
            let (name, value) = match option.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (option, None),
            };
            let known = flags.iter().chain(&valued).any(|o| o == name);
            shown.push(match (name, value) {
                ("secret", Some(v)) => {
                    format!("--secret={}", secret_value(v, &mut scrub))
                }
                ("secret", None) => {
                    next = Some(Next::Secret);
                    quote(&text)
                }
                (n, Some(v)) if secret_bearing(n) || !parses => {
                    let n = if known || parses || secret_bearing(n) {
                        n
                    } else {
                        MASK
                    };
                    format!("--{n}={}", masked(v, &mut scrub))
                }
                (n, None) if secret_bearing(n) && !flags.iter().any(|f| f == n) => {
                    // Not one of mapdrive's switches: whatever follows could be its value.
                    next = Some(Next::Whole);
                    quote(&text)
                }
                _ if known || parses => quote(&text),
                _ => masked(&text, &mut scrub),
            });
            continue;
        }
        if parses || commands.iter().any(|c| text.eq_ignore_ascii_case(c)) {
            shown.push(quote(&text));
        } else {
            shown.push(masked(&text, &mut Vec::new()));
        }
    }
    let mut line = shown.join(" ");
    if line.chars().count() > COMMAND_LINE_MAX {
        line = line.chars().take(COMMAND_LINE_MAX).collect();
        line.push_str("... (clipped)");
    }
    (line, scrub)
}

/// [`MASK`], after adding `value` to the values to scrub from the output (unless it is a single
/// character: replacing that everywhere would garble the output for nothing).
fn masked(value: &str, scrub: &mut Vec<String>) -> String {
    if value.chars().count() > 1 && !scrub.iter().any(|s| s == value) {
        scrub.push(value.to_string());
    }
    MASK.to_string()
}

/// The value of `--secret`: `NAME=-` as it is; `NAME=VALUE` as `NAME=***`; anything else masked.
fn secret_value(value: &str, scrub: &mut Vec<String>) -> String {
    match value.split_once('=') {
        Some((_, "-")) => quote(value),
        Some((name, v)) => format!("{}={}", quote(name), masked(v, scrub)),
        None => masked(value, scrub),
    }
}

/// An argument as it would be typed in cmd.exe: in double quotes when it is empty or has a space,
/// a tab or a quote (a quote inside written `\"`).
fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_string();
    }
    format!("\"{}\"", arg.replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("mapdrivew.exe")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn line(args: &[&str], parses: bool) -> (String, Vec<String>) {
        masked_command_line(&argv(args), parses)
    }

    #[test]
    fn a_command_line_that_parses_is_shown_as_typed() {
        let (l, s) = line(&["apply", r"C:\My Drives\d.yaml", "--json"], true);
        assert_eq!(l, r#"mapdrivew.exe apply "C:\My Drives\d.yaml" --json"#);
        assert!(s.is_empty());
        let (l, _) = line(
            &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
            true,
        );
        assert_eq!(
            l,
            r"mapdrivew.exe cred set nas --user NAS\bob --secret-stdin"
        );
    }

    #[test]
    fn secret_values_are_masked_but_not_stdin_markers() {
        let (l, s) = line(&["apply", "d.yaml", "--secret", "nasPassword=-"], true);
        assert_eq!(l, "mapdrivew.exe apply d.yaml --secret nasPassword=-");
        assert!(s.is_empty());
        let (l, s) = line(&["apply", "d.yaml", "--secret", "pw=Al1ce-Pa55!"], true);
        assert_eq!(l, "mapdrivew.exe apply d.yaml --secret pw=***");
        assert_eq!(s, ["Al1ce-Pa55!"]);
        let (l, _) = line(&["apply", "d.yaml", "--secret=pw=Al1ce-Pa55!"], true);
        assert_eq!(l, "mapdrivew.exe apply d.yaml --secret=pw=***");
        let (l, _) = line(&["apply", "d.yaml", "--secret", "Al1ce-Pa55!"], true);
        assert_eq!(l, "mapdrivew.exe apply d.yaml --secret ***");
    }

    #[test]
    fn anything_after_a_secret_bearing_option_is_masked() {
        for (args, want) in [
            (
                &["map", "Z:", r"\\s\x", "--password", "B0b-Pa55!"][..],
                r"mapdrivew.exe map *** *** --password ***",
            ),
            (
                &["map", "--password=B0b-Pa55!"][..],
                "mapdrivew.exe map --password=***",
            ),
            (
                &["cred", "set", "--token", "-B0b-Pa55!"][..],
                "mapdrivew.exe cred set --token ***",
            ),
            (
                &["map", "--password-stdin", "Z:"][..],
                "mapdrivew.exe map --password-stdin ***",
            ),
        ] {
            let (l, s) = line(args, false);
            assert_eq!(l, want);
            assert!(!l.contains("B0b"), "{l}");
            if want.contains("--password ***") || want.contains("=***") {
                assert!(s.iter().any(|v| v.contains("B0b-Pa55!")), "{s:?}");
            }
        }
    }

    #[test]
    fn a_command_line_that_does_not_parse_shows_only_mapdrive_words() {
        // `net use` habits: the password is a positional argument.
        let (l, _) = line(
            &["map", "Z:", r"\\nas\x", "B0b-Pa55!", "/user:bob", "--json"],
            false,
        );
        assert_eq!(l, "mapdrivew.exe map *** *** *** *** --json");
        let (l, _) = line(&["map", "--colour=B0b-Pa55!", "--nope"], false);
        assert_eq!(l, "mapdrivew.exe map --***=*** ***");
    }

    #[test]
    fn long_streams_keep_start_and_end() {
        let long = format!("{}{}", "é".repeat(STREAM_HEAD), "last line\n");
        let c = clip(&long);
        assert!(c.len() < STREAM_HEAD + STREAM_TAIL + 100);
        assert!(c.starts_with('é') && c.ends_with("last line\n"));
        assert!(c.contains(" bytes not logged ...]"));
        assert_eq!(clip("short\n"), "short\n");
    }

    #[test]
    fn the_path_comes_from_localappdata_then_the_profile_then_temp() {
        let tmp = std::env::temp_dir();
        let abs = tmp.join("lad");
        assert_eq!(
            path_in(Some(abs.clone().into()), None, tmp.clone()),
            abs.join("mapdrive").join("mapdrive.log")
        );
        assert_eq!(
            path_in(
                Some("relative".into()),
                Some(abs.clone().into()),
                tmp.clone()
            ),
            abs.join("AppData")
                .join("Local")
                .join("mapdrive")
                .join("mapdrive.log")
        );
        assert_eq!(
            path_in(None, None, tmp.clone()),
            tmp.join("mapdrive").join("mapdrive.log")
        );
        assert_eq!(
            rotated(&tmp.join("mapdrive.log")),
            tmp.join("mapdrive.log.1")
        );
    }
}

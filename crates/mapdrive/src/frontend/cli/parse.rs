//! From the process's arguments to a [`Cli`], with Windows habits and without ever repeating a
//! value that could be a secret.
//!
//! clap's own messages quote whatever was typed (`unexpected argument 'Pa55!' found`,
//! `unexpected value 'Pa55!' for '--password-stdin'`), which lands in CI logs when someone types a
//! password the `net use` way. [`parse`] rebuilds every usage error from what clap knows about
//! mapdrive's own options (names, choices, usage line) and never from what was typed. It also
//! accepts `/?` for help and command names in any case (`MAPDRIVE LIST`, `Map`).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use super::args::Cli;
use super::render;
use crate::frontend::report::Report;
use mapdrive_core::error::{Error, InputError};

/// Said in place of an argument that is not shown.
pub const SECRETS_NOTE: &str = "mapdrive never takes a password or secret on the command line: it reads them only \
     from standard input (--password-stdin, --secret-stdin) or a no-echo prompt (--prompt)";

/// Parses `argv` (program name first). `Err` holds what to print: help and `--version` (exit 0),
/// or a usage error (exit 2) as text, or as a JSON error object when `--json` was given.
pub fn parse<I, T>(argv: I) -> Result<Cli, Report>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args = normalise(argv.into_iter().map(Into::into).collect());
    let json = args.iter().any(|a| a == "--json");
    if let Some(json) = version_request(&args) {
        return Err(render::version(json));
    }
    let command = Cli::command();
    let result = command
        .clone()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match result {
        Ok(cli) => Ok(cli),
        Err(e) => Err(report(&e, json, &args)),
    }
}

/// `mapdrive --version` (or `-V`), alone or with `--json` in any order: `Some(json)`. clap would
/// stop at `--version` and refuse a `--json` before it, as the top level has no `--json`.
fn version_request(args: &[OsString]) -> Option<bool> {
    let (mut version, mut json) = (false, false);
    for a in args.iter().skip(1) {
        match a.to_str()? {
            "--version" | "-V" => version = true,
            "--json" => json = true,
            _ => return None,
        }
    }
    version.then_some(json)
}

/// `/?` → `--help`; command names (and `cred`/`policy`/`help` subcommand names) lower-cased
/// when they match a command in any case.
fn normalise(mut args: Vec<OsString>) -> Vec<OsString> {
    for a in args.iter_mut().skip(1) {
        if a == "/?" {
            *a = "--help".into();
        }
    }
    let root = Cli::command();
    let mut level: Option<clap::Command> = Some(root);
    let mut after_help = false;
    for a in args.iter_mut().skip(1) {
        let Some(text) = a.to_str() else { break };
        if text.starts_with('-') {
            continue;
        }
        let lower = text.to_ascii_lowercase();
        if after_help {
            // `help map`, `help cred set`: names only.
            if is_command_name(&lower) {
                *a = lower.into();
                continue;
            }
            break;
        }
        let Some(cmd) = level.take() else { break };
        let sub = cmd
            .get_subcommands()
            .find(|s| s.get_name() == lower || s.get_all_aliases().any(|al| al == lower))
            .cloned();
        match sub {
            Some(sub) => {
                *a = lower.into();
                if sub.has_subcommands() {
                    level = Some(sub);
                }
            }
            None if lower == "help" => {
                *a = lower.into();
                after_help = true;
            }
            // A positional argument (letter, path, target): leave it and everything after.
            None => break,
        }
    }
    args
}

fn is_command_name(lower: &str) -> bool {
    fn walk(cmd: &clap::Command, lower: &str) -> bool {
        cmd.get_subcommands()
            .any(|s| s.get_name() == lower || walk(s, lower))
    }
    walk(&Cli::command(), lower)
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        ContextValue::None => None,
        _ => None,
    }
}

/// Every long option name mapdrive defines anywhere (`--json`, `--global`, ...).
fn known_option(token: &str) -> bool {
    fn walk(cmd: &clap::Command, token: &str) -> bool {
        cmd.get_arguments()
            .filter_map(clap::Arg::get_long)
            .any(|l| token.strip_prefix("--") == Some(l))
            || cmd.get_subcommands().any(|s| walk(s, token))
    }
    token == "--help" || token == "--version" || walk(&Cli::command(), token)
}

/// A usage error, built only from mapdrive's own vocabulary.
fn usage_error(e: &clap::Error) -> InputError {
    let arg = context(e, ContextKind::InvalidArg);
    let message = match e.kind() {
        ErrorKind::UnknownArgument => match arg.as_deref() {
            Some(token) if known_option(token) => {
                // `apply --secret NAME=-` exists; elsewhere a secret option is a typed secret.
                if token.contains("secret") || token.contains("password") {
                    format!("{token} is not an option of this command. {SECRETS_NOTE}")
                } else {
                    format!("{token} is not an option of this command")
                }
            }
            _ => format!(
                "unexpected argument (not repeated here: it could be a secret). {SECRETS_NOTE}"
            ),
        },
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let what = arg.unwrap_or_else(|| "an option".into());
            match context(e, ContextKind::ValidValue) {
                Some(valid) => {
                    format!("invalid value for {what} (not repeated here): choose one of {valid}")
                }
                None => format!("invalid value for {what} (not repeated here). {SECRETS_NOTE}"),
            }
        }
        ErrorKind::TooManyValues | ErrorKind::NoEquals => format!(
            "{} takes no value here (the value is not repeated). {SECRETS_NOTE}",
            arg.unwrap_or_else(|| "an option".into())
        ),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!(
            "{} has the wrong number of values",
            arg.unwrap_or_else(|| "an option".into())
        ),
        ErrorKind::ArgumentConflict => match (arg, context(e, ContextKind::PriorArg)) {
            (Some(a), Some(p)) => format!("{a} cannot be used with {p}"),
            _ => "these options cannot be used together".into(),
        },
        ErrorKind::MissingRequiredArgument => format!(
            "missing {}",
            arg.unwrap_or_else(|| "a required argument".into())
        ),
        ErrorKind::InvalidSubcommand | ErrorKind::MissingSubcommand => {
            let names: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            format!("unknown command; the commands are {}", names.join(", "))
        }
        _ => format!("invalid arguments. {SECRETS_NOTE}"),
    };
    let mut remedy = String::from("nothing was changed");
    let suggestion = context(e, ContextKind::SuggestedArg)
        .or_else(|| context(e, ContextKind::SuggestedSubcommand))
        .or_else(|| context(e, ContextKind::SuggestedValue));
    if let Some(s) = suggestion {
        remedy.push_str(&format!("; did you mean {s}?"));
    }
    if let Some(usage) = context(e, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        remedy.push_str(&format!("; usage: {usage}"));
    }
    remedy.push_str("; `mapdrive help COMMAND` lists every option");
    InputError::Usage { message, remedy }
}

fn report(e: &clap::Error, json: bool, _args: &[OsString]) -> Report {
    match e.kind() {
        ErrorKind::DisplayVersion => render::version(json),
        ErrorKind::DisplayHelp => Report {
            stdout: e.render().to_string(),
            stderr: String::new(),
            code: 0,
        },
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if !json => Report {
            stdout: String::new(),
            stderr: e.render().to_string(),
            code: 2,
        },
        _ => render::error(&Error::Input(usage_error(e)), json),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::frontend::cli::args::{Command, CredCommand};

    fn err(argv: &[&str]) -> Report {
        let mut all = vec!["mapdrive"];
        all.extend_from_slice(argv);
        match parse(all) {
            Ok(cli) => panic!("{argv:?} parsed: {cli:?}"),
            Err(r) => r,
        }
    }

    fn ok(argv: &[&str]) -> Cli {
        let mut all = vec!["mapdrive"];
        all.extend_from_slice(argv);
        parse(all).unwrap_or_else(|r| panic!("{argv:?}: {r:?}"))
    }

    #[test]
    fn a_password_typed_on_the_command_line_is_never_echoed() {
        for argv in [
            &["map", "M:", r"\\srv\share", "Pa55!", "--user", "U"][..],
            &[
                "map",
                "M:",
                r"\\srv\share",
                "--user",
                "U",
                "--password-stdin=Pa55!",
            ],
            &[
                "map",
                "M:",
                r"\\srv\share",
                "--user",
                "U",
                "--password",
                "Pa55!",
            ],
            &[
                "map",
                "M:",
                r"\\srv\share",
                "--user",
                "U",
                "--password=Pa55!",
            ],
            &["map", "M:", r"\\srv\share", "/user:U", "Pa55!"],
            &["cred", "set", "srv", "--user", "U", "Pa55!"],
            &["cred", "set", "srv", "--user", "U", "--secret", "Pa55!"],
            &["cred", "set", "srv", "--user", "U", "--secret-stdin=Pa55!"],
            &["cred", "set", "srv", "--user", "U", "--prompt=Pa55!"],
            &["cred", "set", "srv", "--user", "U", "--type", "Pa55!"],
            &["cred", "set", "srv", "--user", "U", "--json", "Pa55!"],
            &["list", "Pa55!"],
            &["unmap", "M:", "Pa55!"],
            &["map", "M:", r"\\srv\share", "--session=Pa55!"],
            &["Pa55!"],
        ] {
            let r = err(argv);
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(!all.contains("Pa55"), "{argv:?} echoed the secret:\n{all}");
            assert_eq!(r.code, 2, "{argv:?}: {all}");
            let choice = argv.contains(&"--type") || argv.contains(&"--session=Pa55!");
            if argv[0] != "Pa55!" && !choice {
                assert!(all.contains("standard input"), "{argv:?}: {all}");
            }
        }
    }

    #[test]
    fn usage_errors_are_json_with_json() {
        let r = err(&["map", "M:", r"\\srv\share", "Pa55!", "--json"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["failed"], true);
        assert_eq!(v["changed"], false);
        assert_eq!(v["error"]["kind"], "invalid_input");
        assert!(!r.stdout.contains("Pa55"));
    }

    #[test]
    fn usage_errors_keep_the_useful_parts() {
        let r = err(&["map", "G:", r"\\srv\share", "--global", "--user", "x"]);
        assert!(r.stderr.contains("--global"), "{}", r.stderr);
        assert!(r.stderr.contains("--user"), "{}", r.stderr);
        let r = err(&["list", "--sesion", "current"]);
        assert!(r.stderr.contains("--session"), "{}", r.stderr);
        let r = err(&["list", "--session", "bogus"]);
        assert!(
            r.stderr.contains("auto, current, limited, both"),
            "{}",
            r.stderr
        );
        let r = err(&["unmap"]);
        assert!(r.stderr.contains("<LETTER>"), "{}", r.stderr);
        let r = err(&["map", "M:", r"\\srv\share", "--global-"]);
        assert!(r.stderr.contains("usage: mapdrive map"), "{}", r.stderr);
    }

    #[test]
    fn slash_question_mark_prints_help() {
        for argv in [&["/?"][..], &["map", "/?"], &["cred", "set", "/?"]] {
            let r = err(argv);
            assert_eq!(r.code, 0, "{argv:?}");
            assert!(r.stdout.contains("Usage:"), "{argv:?}: {}", r.stdout);
        }
        assert!(err(&["map", "/?"]).stdout.contains("--temporary"));
    }

    #[test]
    fn command_names_are_case_insensitive() {
        assert!(matches!(ok(&["LIST"]).command, Command::List(_)));
        assert!(matches!(
            ok(&["Map", "m:", r"\\SRV\Share"]).command,
            Command::Map(a) if a.remote == r"\\SRV\Share"
        ));
        assert!(matches!(
            ok(&["CRED", "List"]).command,
            Command::Cred(CredCommand::List(_))
        ));
        // Values keep their case.
        assert!(matches!(
            ok(&["cred", "SET", "List", "--user", "U"]).command,
            Command::Cred(CredCommand::Set(a)) if a.target == "List"
        ));
        assert!(err(&["HELP", "MAP"]).stdout.contains("--temporary"));
    }
}

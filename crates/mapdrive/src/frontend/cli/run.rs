//! Runs one parsed command: arguments → an engine request → render. No decisions live here.

use super::args::{
    Cli, Command, CredCommand, CredSetArgs, EventlogCommand, OnOffUnset, PolicyCommand,
};
use super::render;
use mapdrive_core::domain::{CredentialTarget, DriveLetter, RemotePath};
use mapdrive_core::engine::{self, Change, Request, Response, SecretSource, SessionChoice};
use mapdrive_core::error::Error;
use mapdrive_core::plan::{
    CredRemoveRequest, CredSetRequest, GlobalMapRequest, GlobalUnmapRequest, MapRequest,
    UnmapRequest,
};
use mapdrive_core::port::Port;

use mapdrive_core::engine::SecretInput;

use crate::frontend::report::Report;

fn needs_windows() -> Error {
    Error::Unsupported(
        "mapdrive manages Windows mapped drives and saved credentials: run mapdrive.exe on Windows \
         (or under Wine, see the README). Only `mapdrive explain CODE` works on other systems."
            .into(),
    )
}

/// Runs `cli`. `port` is `None` where there is no Windows to talk to.
pub fn run(cli: Cli, port: Option<&mut dyn Port>, input: &mut dyn SecretInput) -> Report {
    let json = wants_json(&cli.command);
    let result = match (cli.command, port) {
        (Command::Explain(a), _) => {
            mapdrive_core::error::explain(&a.code).map(|i| render::explain(i, a.json))
        }
        (Command::Completions(a), _) => Ok(super::completions::script(a.shell)),
        (Command::Dsc(a), port) => return crate::frontend::dsc::cli::run(&a, port, input),
        (Command::Gpp(a), _) => crate::frontend::document::gpp::run_command(&a),
        (_, None) => Err(needs_windows()),
        (command, Some(port)) => dispatch(command, port, input),
    };
    match result {
        Ok(report) => report,
        Err(e) => render::error(&e, json),
    }
}

fn wants_json(command: &Command) -> bool {
    match command {
        Command::List(a) => a.json,
        Command::Map(a) => a.change.json,
        Command::Unmap(a) => a.change.json,
        Command::Whoami(a) => a.json,
        Command::Cred(CredCommand::List(a)) => a.json,
        Command::Cred(CredCommand::Set(a)) => a.change.json,
        Command::Cred(CredCommand::Remove(a)) => a.change.json,
        Command::Restore(a) => a.change.json,
        Command::Doctor(a) => a.json,
        Command::Sessions(a) => a.json,
        Command::Policy(PolicyCommand::LinkedConnections(a)) => a.change.json,
        Command::Explain(a) => a.json,
        Command::Eventlog(EventlogCommand::Install(a) | EventlogCommand::Remove(a)) => a.json,
        Command::Apply(a) => a.json,
        Command::Test(a) => a.json,
        Command::Export(a) => a.json,
        Command::Schedule(a) => a.json(),
        Command::Dsc(_) | Command::Completions(_) => false,
        Command::Gpp(crate::frontend::document::gpp::GppCommand::Convert(a)) => a.json,
    }
}

fn dispatch(
    command: Command,
    port: &mut dyn Port,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    match command {
        Command::List(a) => {
            let inventories = engine::inventories(port, a.session)?;
            Ok(render::inventories(&inventories, a.json))
        }
        Command::Whoami(a) => Ok(render::whoami(
            &mapdrive_core::doctor::whoami(port)?,
            a.json,
        )),
        Command::Map(a) => {
            let letter: DriveLetter = a.letter.parse()?;
            let remote: RemotePath = a.remote.parse()?;
            let request = if a.global {
                Change::GlobalMap(GlobalMapRequest {
                    letter,
                    remote,
                    at_boot: a.at_boot,
                    force: a.force,
                })
            } else {
                let password = if a.password_stdin {
                    Some(engine::read_secret(
                        input,
                        SecretSource::Stdin {
                            flag: "--password-stdin",
                        },
                        "password",
                    )?)
                } else if a.prompt {
                    let text = format!(
                        "Password for {} ({remote}): ",
                        a.user.as_deref().unwrap_or("")
                    );
                    Some(engine::read_secret(
                        input,
                        SecretSource::Prompt {
                            text: &text,
                            stdin_flag: "--password-stdin",
                        },
                        "password",
                    )?)
                } else {
                    None
                };
                Change::Map(
                    MapRequest {
                        as_system: mapdrive_core::plan::AsSystem::Refuse,
                        letter,
                        remote,
                        remember: !a.temporary,
                        user: a.user,
                        with_password: password.is_some(),
                        label: a.label,
                        remembered_is_enough: false,
                    },
                    password,
                )
            };
            submit(port, request, a.session, a.change.check, a.change.json)
        }
        Command::Unmap(a) => {
            let letter: DriveLetter = a.letter.parse()?;
            let expect = a
                .expect_path
                .as_deref()
                .map(str::parse::<RemotePath>)
                .transpose()?;
            let request = if a.global {
                Change::GlobalUnmap(GlobalUnmapRequest {
                    letter,
                    expect,
                    at_boot: a.at_boot,
                    force: a.force,
                })
            } else {
                Change::Unmap(UnmapRequest {
                    letter,
                    expect,
                    force: a.force,
                    keep_remembered: a.keep_remembered,
                })
            };
            submit(port, request, a.session, a.change.check, a.change.json)
        }
        Command::Doctor(a) => {
            let letter = a
                .letter
                .as_deref()
                .map(str::parse::<DriveLetter>)
                .transpose()?;
            let diagnosis = engine::diagnose(port, letter, a.session)?;
            Ok(render::doctor(&diagnosis, a.json))
        }
        Command::Sessions(a) => {
            let picture = mapdrive_core::doctor::picture::gather(&*port)?;
            Ok(super::sessions::render(
                &picture,
                &a,
                port.console_output_code_page(),
            ))
        }
        Command::Restore(a) => {
            let reports = engine::restore(port, a.session, a.change.check)?;
            Ok(render::restore(&reports, a.change.json))
        }
        Command::Policy(PolicyCommand::LinkedConnections(a)) => match a.value {
            None => {
                let current = port.linked_connections().map_err(|e| {
                    Error::api("could not read the EnableLinkedConnections policy", e)
                })?;
                Ok(render::policy(current, a.change.json))
            }
            Some(v) => {
                let desired = match v {
                    OnOffUnset::On => Some(true),
                    OnOffUnset::Off => Some(false),
                    OnOffUnset::Unset => None,
                };
                submit(
                    port,
                    Change::LinkedConnections(desired),
                    SessionChoice::Current,
                    a.change.check,
                    a.change.json,
                )
            }
        },
        Command::Cred(CredCommand::List(a)) => {
            let (vaults, warnings) = engine::credentials(port, a.session)?;
            Ok(render::credentials(&vaults, &warnings, a.json))
        }
        Command::Cred(CredCommand::Set(a)) => cred_set(port, a, input),
        Command::Cred(CredCommand::Remove(a)) => {
            let kind = a.kind;
            let req = CredRemoveRequest {
                target: CredentialTarget::parse(&a.target, kind)?,
                kind,
            };
            submit(
                port,
                Change::CredRemove(req),
                a.session,
                a.change.check,
                a.change.json,
            )
        }
        Command::Explain(a) => {
            mapdrive_core::error::explain(&a.code).map(|i| render::explain(i, a.json))
        }
        Command::Completions(a) => Ok(super::completions::script(a.shell)),
        Command::Eventlog(c) => {
            let (install, a) = match c {
                EventlogCommand::Install(a) => (true, a),
                EventlogCommand::Remove(a) => (false, a),
            };
            let outcome = engine::audit::event_source(port, install, a.check)?;
            Ok(render::event_source(&outcome, a.json))
        }
        Command::Dsc(a) => Ok(crate::frontend::dsc::cli::run(&a, Some(port), input)),
        Command::Apply(a) => crate::frontend::document::cli::apply(&a, port, input),
        Command::Test(a) => crate::frontend::document::cli::test(&a, port, input),
        Command::Export(a) => crate::frontend::document::cli::export(&a, port),
        Command::Gpp(a) => crate::frontend::document::gpp::run_command(&a),
        Command::Schedule(a) => super::schedule::run(&a, port),
    }
}

fn cred_set(
    port: &mut dyn Port,
    a: CredSetArgs,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    let kind = a.kind;
    let target = CredentialTarget::parse(&a.target, kind)?;
    let secret = if a.secret_stdin {
        Some(engine::read_secret(
            input,
            SecretSource::Stdin {
                flag: "--secret-stdin",
            },
            "secret",
        )?)
    } else if a.prompt {
        let text = format!("Secret for {} ({}): ", a.user, target);
        Some(engine::read_secret(
            input,
            SecretSource::Prompt {
                text: &text,
                stdin_flag: "--secret-stdin",
            },
            "secret",
        )?)
    } else {
        None
    };
    let req = CredSetRequest {
        target,
        kind,
        user_name: a.user,
        persistence: a.persistence,
        alias: a.alias,
        comment: a.comment,
        update_secret: a.update_secret,
        attributes: None,
        new_user_without_secret: mapdrive_core::plan::NewUserWithoutSecret::Refuse,
    };
    submit(
        port,
        Change::CredSet(req, secret),
        a.session,
        a.change.check,
        a.change.json,
    )
}

/// Asks the engine for a change and renders what it did.
fn submit(
    port: &mut dyn Port,
    change: Change,
    session: SessionChoice,
    check: bool,
    json: bool,
) -> Result<Report, Error> {
    let Response { outcomes, failure } = engine::execute(
        port,
        Request {
            change,
            session,
            check,
        },
    )?;
    Ok(match (failure, outcomes.as_slice()) {
        (Some(e), done) => render::partial(done, &e, json),
        (None, [(_, one)]) => render::outcome(one, json),
        (None, many) => render::outcomes(many, json),
    })
}

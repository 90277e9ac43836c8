//! Runs one parsed command against a port and returns what to print and the exit code.

use std::io::{self, BufRead};

use zeroize::Zeroizing;

use super::args::{
    ChangeArgs, Cli, Command, CredCommand, CredSetArgs, CredTypeArg, OnOffUnset, PersistArg,
    PolicyCommand, SessionArg, UpdateSecretArg,
};
use super::render;
use crate::domain::credential::{validate_short_string, validate_user_name};
use crate::domain::{
    CredentialKind, CredentialTarget, DriveLetter, Elevation, Persistence, RemotePath, Secret,
};
use crate::error::{Error, InputError, error_name};
use crate::plan::{
    self, CredRemoveRequest, CredSetRequest, GlobalMapRequest, GlobalUnmapRequest, MapRequest,
    Outcome, Plan, Secrets, UnmapRequest, UpdateSecret,
};
use crate::port::{Port, TokenChoice};

/// What the process prints and returns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub code: u8,
}

/// Where secrets come from (a trait so tests can supply them).
pub trait SecretInput {
    /// The first line of standard input.
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>>;
    /// A no-echo console prompt.
    fn prompt(&mut self, prompt: &str) -> io::Result<Zeroizing<String>>;
}

/// The process's real stdin and console.
pub struct StdSecretInput;

impl SecretInput for StdSecretInput {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        // Room for any secret Windows can store, so reading never reallocates (a reallocation
        // would free an unwiped partial copy).
        let mut line = Zeroizing::new(String::with_capacity(8192));
        io::stdin().lock().read_line(&mut line)?;
        Ok(line)
    }

    fn prompt(&mut self, prompt: &str) -> io::Result<Zeroizing<String>> {
        rpassword::prompt_password(prompt).map(Zeroizing::new)
    }
}

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
        (Command::Explain { code }, _) => Ok(render::explain(code)),
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
        Command::Policy(PolicyCommand::LinkedConnections(a)) => a.change.json,
        Command::Explain { .. } => false,
    }
}

fn dispatch(
    command: Command,
    port: &mut dyn Port,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    match command {
        Command::List(a) => {
            let (tokens, warnings) = enter_sessions(port, a.session)?;
            let mut inventories = Vec::new();
            for token in tokens {
                port.use_token(token)
                    .map_err(|e| Error::api("could not switch to the selected token", e))?;
                let result = plan::inventory::inventory(port);
                port.use_token(TokenChoice::Current)
                    .map_err(|e| Error::api("could not revert to the process token", e))?;
                let mut inv = result?;
                inv.warnings.splice(0..0, warnings.iter().cloned());
                inventories.push(inv);
            }
            Ok(render::inventories(&inventories, a.json))
        }
        Command::Whoami(a) => Ok(render::whoami(&crate::doctor::whoami(port)?, a.json)),
        Command::Map(a) => {
            let letter: DriveLetter = a.letter.parse()?;
            let remote: RemotePath = a.remote.parse()?;
            if let Some(u) = &a.user {
                validate_user_name(u)?;
            }
            if let Some(l) = &a.label {
                validate_short_string("label", l)?;
            }
            if a.global {
                let req = GlobalMapRequest {
                    letter,
                    remote,
                    at_boot: a.at_boot,
                    force: a.force,
                };
                return global_change(port, a.change, letter, req.at_boot, |p| {
                    plan::plan_global_map(p, &req)
                });
            }
            let mut secrets = Secrets::default();
            if a.password_stdin {
                secrets.password = Some(read_stdin_secret(input)?);
            }
            let req = MapRequest {
                letter,
                remote,
                remember: !a.temporary,
                user: a.user,
                with_password: a.password_stdin,
                label: a.label,
            };
            per_session(port, a.session, a.change, |port, _| {
                let mut outcome = change(
                    port,
                    a.change,
                    &secrets,
                    |p| plan::plan_map(p, &req),
                    |p| observe_with_label(p, letter, req.label.as_ref().map(|_| &req.remote)),
                )?;
                if req.remember
                    && !outcome.check_mode
                    && outcome.after.get("remembered") == Some(&serde_json::Value::Bool(false))
                {
                    outcome
                        .warnings
                        .push(not_remembered_warning(&*port, letter)?);
                }
                Ok(outcome)
            })
        }
        Command::Unmap(a) => {
            let letter: DriveLetter = a.letter.parse()?;
            let expect = a
                .expect_path
                .as_deref()
                .map(str::parse::<RemotePath>)
                .transpose()?;
            if a.global {
                let req = GlobalUnmapRequest {
                    letter,
                    expect,
                    at_boot: a.at_boot,
                    force: a.force,
                };
                return global_change(port, a.change, letter, req.at_boot, |p| {
                    plan::plan_global_unmap(p, &req)
                });
            }
            let req = UnmapRequest {
                letter,
                expect,
                force: a.force,
                keep_remembered: a.keep_remembered,
            };
            let auto = a.session == SessionArg::Auto;
            per_session(port, a.session, a.change, |port, token| {
                let mut outcome = change(
                    port,
                    a.change,
                    &Secrets::default(),
                    |p| plan::plan_unmap(p, &req),
                    |p| plan::observe_json(p, letter),
                )?;
                if auto && token == TokenChoice::Linked && !outcome.changed {
                    // Nothing in the limited session: say so if the drive is in this elevated one.
                    port.use_token(TokenChoice::Current)
                        .map_err(|e| Error::api("could not revert to the process token", e))?;
                    if !plan::observe_json(port, letter)?.is_null() {
                        outcome.warnings.push(format!(
                            "{letter} is not in the limited session mapdrive acts in by default, but it is \
                             in this elevated one: run `mapdrive unmap {letter} --session current`"
                        ));
                    }
                }
                Ok(outcome)
            })
        }
        Command::Doctor(a) => {
            let letter = a
                .letter
                .as_deref()
                .map(str::parse::<DriveLetter>)
                .transpose()?;
            let diagnosis = crate::doctor::diagnose(port, letter)?;
            Ok(render::doctor(&diagnosis, a.json))
        }
        Command::Restore(a) => {
            let (tokens, warnings) = enter_sessions(port, a.session)?;
            let mut reports = Vec::new();
            for token in tokens {
                port.use_token(token)
                    .map_err(|e| Error::api("could not switch to the selected token", e))?;
                let result = plan::restore(port, a.change.check);
                port.use_token(TokenChoice::Current)
                    .map_err(|e| Error::api("could not revert to the process token", e))?;
                let mut report = result?;
                report.warnings.splice(0..0, warnings.iter().cloned());
                reports.push(report);
            }
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
                change(
                    port,
                    a.change,
                    &Secrets::default(),
                    |p| plan::plan_linked_connections(p, desired),
                    |p| {
                        p.linked_connections()
                            .map(|l| serde_json::json!(l))
                            .map_err(|e| {
                                Error::api("could not read the EnableLinkedConnections policy", e)
                            })
                    },
                )
                .map(|o| render::outcome(&o, a.change.json))
            }
        },
        Command::Cred(CredCommand::List(a)) => {
            let creds = port
                .credentials()
                .map_err(|e| Error::api("could not read the Credential Manager", e))?;
            Ok(render::credentials(&creds, a.json))
        }
        Command::Cred(CredCommand::Set(a)) => cred_set(port, a, input),
        Command::Cred(CredCommand::Remove(a)) => {
            let kind = kind_of(a.kind);
            let req = CredRemoveRequest {
                target: CredentialTarget::parse(&a.target, kind)?,
                kind,
            };
            change(
                port,
                a.change,
                &Secrets::default(),
                |p| plan::plan_cred_remove(p, &req),
                |p| plan::observe_credential(p, &req.target, kind),
            )
            .map(|o| render::outcome(&o, a.change.json))
        }
        Command::Explain { code } => Ok(render::explain(code)),
    }
}

/// A global (SYSTEM) or boot-time change, in the process's own token (HKLM writes need it).
fn global_change(
    port: &mut dyn Port,
    args: ChangeArgs,
    letter: DriveLetter,
    at_boot: bool,
    make_plan: impl FnOnce(&dyn Port) -> Result<Plan, Error>,
) -> Result<Report, Error> {
    change(port, args, &Secrets::default(), make_plan, |p| {
        if at_boot {
            plan::observe_boot(p, letter)
        } else {
            plan::observe_json(p, letter)
        }
    })
    .map(|o| render::outcome(&o, args.json))
}

/// Windows connected the drive but did not write `HKCU\Network`: say why.
fn not_remembered_warning(port: &dyn Port, letter: DriveLetter) -> Result<String, Error> {
    let id = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    Ok(if id.elevation == Elevation::Full {
        format!(
            "Windows did not remember {letter} because this is the elevated (Full) half of a split token, logon session {}, \
             and Windows persists mappings only from the limited half (or with EnableLinkedConnections). \
             Map from a non-elevated prompt, or with --session limited.",
            id.logon_id
        )
    } else {
        format!("Windows connected {letter} but did not remember it in HKCU\\Network")
    })
}

/// The after state of a map, with the label when one was asked for.
fn observe_with_label(
    port: &dyn Port,
    letter: DriveLetter,
    labelled: Option<&RemotePath>,
) -> Result<serde_json::Value, Error> {
    let mut v = plan::observe_json(port, letter)?;
    if let Some(remote) = labelled {
        let label = port
            .label(remote)
            .map_err(|e| Error::api(format!("could not read the label of {remote}"), e))?;
        v["label"] = serde_json::json!(label);
    }
    Ok(v)
}

fn kind_of(k: CredTypeArg) -> CredentialKind {
    match k {
        CredTypeArg::DomainPassword => CredentialKind::DomainPassword,
        CredTypeArg::GenericPassword => CredentialKind::GenericPassword,
    }
}

fn cred_set(
    port: &mut dyn Port,
    a: CredSetArgs,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    let kind = kind_of(a.kind);
    let target = CredentialTarget::parse(&a.target, kind)?;
    validate_user_name(&a.user)?;
    if let Some(alias) = &a.alias {
        validate_short_string("alias", alias)?;
    }
    if let Some(comment) = &a.comment {
        validate_short_string("comment", comment)?;
    }
    let secret = if a.secret_stdin {
        Some(read_stdin_secret(input)?)
    } else if a.prompt {
        let line = input
            .prompt(&format!("Secret for {} ({}): ", a.user, target))
            .map_err(|e| InputError::Field {
                what: "secret",
                why: format!("could not read it from the console: {e}"),
            })?;
        Some(Secret::new(line)?)
    } else {
        None
    };
    if secret.as_ref().is_some_and(|s| s.expose().is_empty()) {
        return Err(InputError::Field {
            what: "secret",
            why: "it is empty; to save a user-only credential (Windows then prompts for the password), \
                  omit --secret-stdin and --prompt"
                .into(),
        }
        .into());
    }

    let req = CredSetRequest {
        target,
        kind,
        user_name: a.user,
        persistence: match a.persistence {
            PersistArg::Session => Persistence::Session,
            PersistArg::Local => Persistence::Local,
            PersistArg::Enterprise => Persistence::Enterprise,
        },
        alias: a.alias.filter(|s| !s.is_empty()),
        comment: a.comment.filter(|s| !s.is_empty()),
        update_secret: match a.update_secret {
            UpdateSecretArg::Always => UpdateSecret::Always,
            UpdateSecretArg::OnCreate => UpdateSecret::OnCreate,
        },
    };
    let secrets = Secrets {
        password: None,
        credential_secret: secret,
    };
    change(
        port,
        a.change,
        &secrets,
        |p| plan::plan_cred_set(p, &req, secrets.credential_secret.as_ref()),
        |p| plan::observe_credential(p, &req.target, kind),
    )
    .map(|o| render::outcome(&o, a.change.json))
}

fn read_stdin_secret(input: &mut dyn SecretInput) -> Result<Secret, Error> {
    let line = input.stdin_line().map_err(|e| InputError::Field {
        what: "secret",
        why: format!("could not read standard input: {e}"),
    })?;
    Ok(Secret::from_line(line)?)
}

/// Plans, and applies unless `--check`.
fn change(
    port: &mut dyn Port,
    args: ChangeArgs,
    secrets: &Secrets,
    make_plan: impl FnOnce(&dyn Port) -> Result<Plan, Error>,
    observe: impl FnOnce(&dyn Port) -> Result<serde_json::Value, Error>,
) -> Result<Outcome, Error> {
    let plan = make_plan(&*port)?;
    if args.check {
        Ok(Outcome::checked(plan))
    } else {
        plan::apply(port, plan, secrets, observe)
    }
}

/// Chooses the token(s) drive operations run under. Returns the tokens and warnings.
fn enter_sessions(
    port: &mut dyn Port,
    session: SessionArg,
) -> Result<(Vec<TokenChoice>, Vec<String>), Error> {
    let identity = port
        .identity()
        .map_err(|e| Error::api("could not read the process token", e))?;
    let full = identity.elevation == Elevation::Full;
    let linked = |port: &mut dyn Port| port.use_token(TokenChoice::Linked);
    match session {
        SessionArg::Current => Ok((vec![TokenChoice::Current], Vec::new())),
        SessionArg::Auto if !full => Ok((vec![TokenChoice::Current], Vec::new())),
        SessionArg::Auto => match linked(port) {
            Ok(()) => {
                port.use_token(TokenChoice::Current)
                    .map_err(|e| Error::api("could not revert to the process token", e))?;
                Ok((vec![TokenChoice::Linked], Vec::new()))
            }
            Err(e) => Ok((
                vec![TokenChoice::Current],
                vec![format!(
                    "elevated process (Full token) and the limited token is unavailable ({} failed with {} {}): \
                     acting in this elevated logon session {}, whose drives Explorer does not see; \
                     --session current acts here without this warning",
                    e.api,
                    e.code,
                    error_name(e.code),
                    identity.logon_id
                )],
            )),
        },
        SessionArg::Limited | SessionArg::Both if full => {
            linked(port).map_err(|e| Error::Api {
                context: "could not act in the limited (non-elevated) logon session".into(),
                fix: None,
                changed: false,
                api_error: e,
                hint: Some(
                    "The linked limited token is only usable with SYSTEM's SeTcbPrivilege, which needs an \
                     administrator able to open SYSTEM processes. Alternatively run mapdrive from a non-elevated \
                     prompt, or enable EnableLinkedConnections (`mapdrive policy linked-connections on`, then restart)."
                        .into(),
                ),
            })?;
            port.use_token(TokenChoice::Current)
                .map_err(|e| Error::api("could not revert to the process token", e))?;
            Ok(if session == SessionArg::Both {
                (vec![TokenChoice::Linked, TokenChoice::Current], Vec::new())
            } else {
                (vec![TokenChoice::Linked], Vec::new())
            })
        }
        SessionArg::Both if identity.elevation == Elevation::Limited => Err(Error::Refused {
            message: "--session both needs an elevated process: a limited token cannot act in its elevated twin".into(),
            remedy: "run mapdrive from an elevated prompt (Run as administrator), or use --session current".into(),
        }),
        SessionArg::Limited | SessionArg::Both => Ok((
            vec![TokenChoice::Current],
            if identity.elevation == Elevation::Default && session == SessionArg::Both {
                vec!["this token is not split (elevation Default): there is only one logon session to act in".into()]
            } else {
                Vec::new()
            },
        )),
    }
}

/// Runs `op` once per selected token and renders the outcome(s).
fn per_session(
    port: &mut dyn Port,
    session: SessionArg,
    args: ChangeArgs,
    mut op: impl FnMut(&mut dyn Port, TokenChoice) -> Result<Outcome, Error>,
) -> Result<Report, Error> {
    let (tokens, warnings) = enter_sessions(port, session)?;
    let mut outcomes = Vec::new();
    for token in &tokens {
        port.use_token(*token)
            .map_err(|e| Error::api("could not switch to the selected token", e))?;
        let result = op(&mut *port, *token);
        port.use_token(TokenChoice::Current)
            .map_err(|e| Error::api("could not revert to the process token", e))?;
        let mut outcome = match result {
            Ok(outcome) => outcome,
            // An earlier session was already changed: report that next to the failure.
            Err(e) if !outcomes.is_empty() => return Ok(render::partial(&outcomes, &e, args.json)),
            Err(e) => return Err(e),
        };
        outcome.warnings.splice(0..0, warnings.iter().cloned());
        outcomes.push((*token, outcome));
    }
    Ok(match outcomes.as_slice() {
        [(_, one)] => render::outcome(one, args.json),
        many => render::outcomes(many, args.json),
    })
}

//! `win_mapped_drive`: ansible.windows' options, messages and diff, over the engine's map/unmap.

use serde_json::{Value, json};

use super::spec::{Opt, Params, Spec};
use super::{Failure, Success, change_result, session_of};
use mapdrive_core::domain::credential::{validate_short_string, validate_user_name};
use mapdrive_core::domain::{DriveLetter, RemotePath};
use mapdrive_core::engine::{self, Change, Request, Response};
use mapdrive_core::error::Error;
use mapdrive_core::plan::State;
use mapdrive_core::plan::{GlobalMapRequest, GlobalUnmapRequest, MapRequest, UnmapRequest};
use mapdrive_core::port::Port;

const OPTIONS: &[Opt] = &[
    Opt::str("letter").required(),
    Opt::str("path").path(),
    Opt::choice("state", &["absent", "present"], Some("present")),
    Opt::str("username"),
    Opt::str("password").secret(),
    // mapdrive's own options.
    Opt::str("label"),
    Opt::choice(
        "session",
        &["auto", "current", "limited", "both"],
        Some("auto"),
    ),
    Opt::bool("persistent", true),
    Opt::bool("global", false),
    Opt::bool("at_boot", false),
    Opt::bool("force", true),
];

/// The argument spec.
pub(super) const SPEC: Spec = Spec {
    options: OPTIONS,
    required_if: &[("state", "present", &["path"])],
};

/// `letter` as ansible.windows accepts it: exactly one letter (its `[a-zA-z]` also let through
/// `[`, `\`, `]`, `^`, `_` and a backtick; those are refused here).
fn letter(given: &str) -> Result<DriveLetter, Failure> {
    match given.as_bytes() {
        [b] if b.is_ascii_alphabetic() => given
            .parse()
            .map_err(|e: mapdrive_core::error::InputError| Failure::msg(e.to_string())),
        _ => Err(Failure::msg(format!(
            "letter must be a single letter from A-Z, was: {given}"
        ))),
    }
}

/// ansible.windows' messages name the letter as the task wrote it; the core's name it upper case.
fn ansible_message(e: Error, given: &str, letter: DriveLetter) -> Failure {
    let mut f = Failure::from_error(&e);
    let upper = letter.as_char();
    let non_unc = format!(
        "failed to create mapped drive {upper}, this letter is in use and is pointing to a non UNC path"
    );
    let other_path = format!("did not delete mapped drive {upper}, the target path");
    if let Error::Refused { message, .. } = &e {
        if message.starts_with(&non_unc) {
            f.msg = format!(
                "failed to create mapped drive {given}, this letter is in use and is pointing to a non UNC path"
            );
            f.extra.insert("detail".into(), json!(message));
        } else if message.starts_with(&other_path)
            && let Some(rest) =
                message.strip_prefix(&format!("did not delete mapped drive {upper}"))
        {
            f.msg = format!("did not delete mapped drive {given}{rest}");
        }
    }
    f
}

/// `{letter, path}` of a state, or `""` (ansible.windows' diff shape).
fn diff_side(given: &str, state: Option<&State>) -> Value {
    match state {
        Some(State::Drive(d)) => json!({ "letter": given, "path": d.remote }),
        Some(State::Boot(b)) => match &b.remote {
            Some(path) => json!({ "letter": given, "path": path }),
            None => json!(""),
        },
        _ => json!(""),
    }
}

pub(super) fn run(params: &mut Params, port: &mut dyn Port) -> Result<Success, Failure> {
    let given = params.str("letter").unwrap_or_default().to_string();
    let letter = letter(&given)?;
    let present = params.str("state") != Some("absent");
    let session = session_of(params)?;
    let path = params
        .str("path")
        .map(str::parse::<RemotePath>)
        .transpose()
        .map_err(|e| Failure::msg(e.to_string()))?;
    let user = params.str("username").map(str::to_string);
    if let Some(u) = &user {
        validate_user_name(u).map_err(|e| Failure::msg(e.to_string()))?;
    }
    let label = params.str("label").map(str::to_string);
    if let Some(l) = &label {
        validate_short_string("label", l).map_err(|e| Failure::msg(e.to_string()))?;
    }
    let global = params.bool("global");
    let at_boot = params.bool("at_boot");
    if at_boot && !global {
        return Err(Failure::msg("at_boot requires global: true"));
    }
    if global && (user.is_some() || params.has("password") || label.is_some()) {
        return Err(Failure::msg(
            "global drives take no username, password or label: every user authenticates with their own \
             credentials (save one with win_credential)",
        ));
    }
    if global && params.str("session") != Some("auto") {
        return Err(Failure::msg(
            "global drives are made in the process token: session does not apply",
        ));
    }
    let password = params
        .take_secret("password")
        .map(|p| engine::secret_from_text(p, "password"))
        .transpose()
        .map_err(|e| Failure::msg(e.to_string()))?;
    let force = params.bool("force");
    let change = match (present, global) {
        (true, false) => {
            let remote = path.ok_or_else(|| {
                Failure::msg("state is present but all of the following are missing: path")
            })?;
            Change::Map(
                MapRequest {
                    as_system: mapdrive_core::plan::AsSystem::MapGlobally,
                    letter,
                    remote,
                    remember: params.bool("persistent"),
                    user,
                    with_password: password.is_some(),
                    label,
                    // As ansible.windows, which compares only the remembered entry: remembered
                    // with the same path is the desired state in every logon type.
                    remembered_is_enough: true,
                },
                password,
            )
        }
        (true, true) => Change::GlobalMap(GlobalMapRequest {
            letter,
            remote: path.ok_or_else(|| {
                Failure::msg("state is present but all of the following are missing: path")
            })?,
            at_boot,
            force,
        }),
        (false, false) => Change::Unmap(UnmapRequest {
            letter,
            expect: path,
            force,
            keep_remembered: false,
        }),
        (false, true) => Change::GlobalUnmap(GlobalUnmapRequest {
            letter,
            expect: path,
            at_boot,
            force,
        }),
    };
    let response = engine::execute(
        port,
        Request {
            change,
            session,
            check: params.check_mode,
        },
    )
    .map_err(|e| ansible_message(e, &given, letter))?;
    render(&given, present, response)
}

fn render(given: &str, present: bool, response: Response) -> Result<Success, Failure> {
    let (changed, mut result, warnings) = change_result(&response);
    let first = response.outcomes.first().map(|(_, o)| o);
    let diff = json!({
        "before": diff_side(given, first.and_then(|o| o.before.as_ref())),
        "after": if present {
            diff_side(given, first.and_then(|o| o.after.as_ref()))
        } else {
            json!("")
        },
    });
    let sessions: Vec<Value> = response
        .outcomes
        .iter()
        .map(|(token, o)| json!({ "token": token, "before": o.before, "after": o.after }))
        .collect();
    result.insert("sessions".into(), json!(sessions));
    if let Some(e) = response.failure {
        // One session changed, a later one failed.
        let mut f = Failure::from_error(&e);
        f.changed = true;
        f.extra.extend(result);
        return Err(f);
    }
    Ok(Success {
        changed,
        result,
        diff: Some(diff),
        warnings,
    })
}

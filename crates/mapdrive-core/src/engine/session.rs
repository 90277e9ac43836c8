//! Which logon session(s) an operation acts in. Every front-end passes a [`SessionChoice`]; the choice
//! of token, the fallback and its warning, and acting in both halves of a split token are made
//! here and nowhere else.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{Elevation, Identity, owner_mismatch};
use crate::error::{Error, InputError, error_name};
use crate::port::{Port, TokenChoice};

/// Which logon session(s) an operation acts in: `--session`, and `session` in Ansible and DSC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum SessionChoice {
    /// From an elevated (Full) token: the linked limited session, where Explorer runs, falling back
    /// to this one with a warning when it cannot be reached; otherwise this one.
    #[default]
    Auto,
    /// This process's own logon session.
    Current,
    /// The limited (non-elevated) session, where Explorer runs and mappings persist; fails when
    /// there is none to reach.
    Limited,
    /// Both halves of a split token (Group Policy's behaviour).
    Both,
}

impl SessionChoice {
    /// The accepted spellings.
    pub const CHOICES: &'static str = "auto, current, limited, both";

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionChoice::Auto => "auto",
            SessionChoice::Current => "current",
            SessionChoice::Limited => "limited",
            SessionChoice::Both => "both",
        }
    }
}

impl fmt::Display for SessionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SessionChoice {
    type Err = InputError;
    fn from_str(s: &str) -> Result<SessionChoice, InputError> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(SessionChoice::Auto),
            "current" => Ok(SessionChoice::Current),
            "limited" => Ok(SessionChoice::Limited),
            "both" => Ok(SessionChoice::Both),
            _ => Err(InputError::Choice {
                what: "session",
                input: s.into(),
                choices: SessionChoice::CHOICES,
            }),
        }
    }
}

/// The tokens chosen for an operation, in order, and what the user should know about the choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// Tokens to act under, in order.
    pub tokens: Vec<TokenChoice>,
    /// Warnings about the choice (printed once, not per session).
    pub warnings: Vec<String>,
    /// The identity of the process token.
    pub identity: Identity,
}

pub(crate) fn read_identity(port: &dyn Port) -> Result<Identity, Error> {
    port.identity()
        .map_err(|e| Error::api("could not read the process token", e))
}

/// Chooses the token(s) for `session` to read in: like [`choose_to_change`], but acting for another
/// account than the desktop's is only a warning.
pub fn choose(port: &mut dyn Port, session: SessionChoice) -> Result<Chosen, Error> {
    choose_for(port, session, false)
}

/// Chooses the token(s) for `session` to change something in. Leaves the port on the process
/// token. Refuses (exit 3) when the chosen session belongs to another account than this desktop's
/// ("over the shoulder" elevation, Windows 11 Administrator protection), unless `--session
/// current` asked for exactly that.
pub fn choose_to_change(port: &mut dyn Port, session: SessionChoice) -> Result<Chosen, Error> {
    choose_for(port, session, true)
}

fn choose_for(
    port: &mut dyn Port,
    session: SessionChoice,
    changing: bool,
) -> Result<Chosen, Error> {
    // Whose session is this? Read first, on the process token (before the linked token is
    // tried). A failing query skips the check rather than blocking the operation, and says so.
    let users = port.session_users();
    let mut chosen = choose_tokens(port, session)?;
    if let Err(e) = &users
        && chosen.identity.elevation == Elevation::Full
    {
        chosen.warnings.push(format!(
            "could not check whether this desktop's user is the acting account ({e}): see `mapdrive whoami`"
        ));
    }
    if session == SessionChoice::Both
        && chosen.tokens.contains(&TokenChoice::Linked)
        && chosen.tokens.contains(&TokenChoice::Current)
        && let Some(linked) = other_account_in_linked_half(port, &chosen.identity)?
    {
        let message = format!(
            "--session both would act as two different accounts: the elevated half is {} ({}), the linked \
             half {} ({}). Under Windows 11 Administrator protection the elevated half is a separate shadow \
             administrator account with its own profile, so the drive would be mapped and remembered for \
             two users, one of which no Explorer of this desktop shows",
            chosen.identity.user, chosen.identity.sid, linked.user, linked.sid
        );
        let remedy = format!(
            "choose one account: --session limited acts as {} (normally the one at the keyboard), \
             --session current as {}",
            linked.user, chosen.identity.user
        );
        if changing {
            return Err(Error::Refused { message, remedy });
        }
        chosen.warnings.push(format!("{message}; {remedy}"));
    }
    if let Ok(users) = users {
        let acting_linked = chosen.tokens.contains(&TokenChoice::Linked);
        if let Some(mismatch) = owner_mismatch(&chosen.identity, &users, acting_linked) {
            if changing && session != SessionChoice::Current {
                return Err(Error::Refused {
                    message: mismatch.message,
                    remedy: mismatch.remedy,
                });
            }
            chosen.warnings.push(format!(
                "acting as {}, not as this desktop's user {}: see `mapdrive whoami`",
                mismatch.acting, mismatch.desktop
            ));
        }
    }
    Ok(chosen)
}

fn choose_tokens(port: &mut dyn Port, session: SessionChoice) -> Result<Chosen, Error> {
    let identity = read_identity(&*port)?;
    let full = identity.elevation == Elevation::Full;
    let (tokens, warnings) = match session {
        SessionChoice::Current => (vec![TokenChoice::Current], Vec::new()),
        SessionChoice::Auto if !full => (vec![TokenChoice::Current], Vec::new()),
        SessionChoice::Auto => match try_linked(port) {
            Ok(()) => (vec![TokenChoice::Linked], Vec::new()),
            Err(e) => (
                vec![TokenChoice::Current],
                vec![format!(
                    "acting in this elevated logon session {}, whose drives Explorer does not see: the limited \
                     token is unavailable ({} {}); see `mapdrive whoami`",
                    identity.logon_id,
                    e.code,
                    error_name(e.code)
                )],
            ),
        },
        SessionChoice::Limited | SessionChoice::Both if full => {
            try_linked(port).map_err(|e| Error::Api {
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
            if session == SessionChoice::Both {
                (vec![TokenChoice::Linked, TokenChoice::Current], Vec::new())
            } else {
                (vec![TokenChoice::Linked], Vec::new())
            }
        }
        SessionChoice::Limited if identity.elevation == Elevation::Limited => {
            (vec![TokenChoice::Current], Vec::new())
        }
        SessionChoice::Limited => {
            return Err(Error::Refused {
                message: format!(
                    "--session limited: this token is not split (elevation {:?}), so there is no limited \
                     half to act in; logon session {} is the only one",
                    identity.elevation,
                    identity.logon_id
                ),
                remedy: "use --session current (or auto) to act in this logon session".into(),
            });
        }
        SessionChoice::Both if identity.elevation == Elevation::Limited => {
            return Err(Error::Refused {
                message: "--session both needs an elevated process: a limited token cannot act in its elevated twin".into(),
                remedy: "run mapdrive from an elevated prompt (Run as administrator), or use --session current".into(),
            });
        }
        SessionChoice::Both => (
            vec![TokenChoice::Current],
            vec!["this token is not split (elevation Default): there is only one logon session to act in".into()],
        ),
    };
    Ok(Chosen {
        tokens,
        warnings,
        identity,
    })
}

/// The account the linked half acts as, when it is not the process token's own (compared by
/// SID). A split UAC token's two halves are always the same account; Administrator protection's
/// elevated token belongs to a shadow account, and whether its linked token is the user's is
/// not verified, so `--session both` checks instead of assuming. Leaves the port on the process
/// token.
fn other_account_in_linked_half(
    port: &mut dyn Port,
    process: &Identity,
) -> Result<Option<Identity>, Error> {
    port.use_token(TokenChoice::Linked).map_err(|e| {
        Error::api(
            "could not act in the limited (non-elevated) logon session",
            e,
        )
    })?;
    let linked = port.identity();
    port.use_token(TokenChoice::Current)
        .map_err(|e| Error::api("could not revert to the process token", e))?;
    let linked = linked.map_err(|e| Error::api("could not read the linked token", e))?;
    Ok((!linked.sid.eq_ignore_ascii_case(&process.sid)).then_some(linked))
}

fn try_linked(port: &mut dyn Port) -> Result<(), crate::error::ApiError> {
    port.use_token(TokenChoice::Linked)?;
    port.use_token(TokenChoice::Current)
}

/// Runs `op` under `token`, always returning to the process token.
pub fn under<T>(
    port: &mut dyn Port,
    token: TokenChoice,
    op: impl FnOnce(&mut dyn Port) -> Result<T, Error>,
) -> Result<T, Error> {
    port.use_token(token)
        .map_err(|e| Error::api("could not switch to the selected token", e))?;
    let result = op(&mut *port);
    port.use_token(TokenChoice::Current)
        .map_err(|e| Error::api("could not revert to the process token", e))?;
    result
}

//! Plan and apply: the one core every front-end (CLI, Ansible, DSC) goes through.
//!
//! `plan_*` functions read the world through the [`Port`] and decide what to do; they never
//! write. [`apply`] performs the actions in order and undoes the completed ones when a later
//! one fails. `--check` stops after planning.

mod cred;
mod drive;
mod first;
mod global;
pub mod inventory;
mod policy;
mod restore;
pub mod state;

use serde::Serialize;

pub use cred::{
    CredRemoveRequest, CredSetRequest, NewUserWithoutSecret, UpdateSecret, observe_credential,
    plan_cred_remove, plan_cred_set, readable_user_name,
};
pub use drive::{AsSystem, MapRequest, UnmapRequest, observe_letter_state, plan_map, plan_unmap};
pub use first::{FirstAvailable, first_available};
pub use global::{
    GlobalMapRequest, GlobalUnmapRequest, observe_boot, plan_global_map, plan_global_unmap,
};
pub use policy::plan_linked_connections;
pub use restore::{RestoreReport, Restored, restore};
pub use state::{BootState, DriveState, State, changed_fields};

use crate::domain::{
    CredentialAttribute, CredentialKind, DriveLetter, Persistence, RemotePath, Secret,
};
use crate::error::{ApiError, ERROR_ACCESS_DENIED, Error};
use crate::port::{CredentialWrite, Port, Remembered, SecretWrite};

/// One step of a plan. Serialisable (it never holds a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// `WNetCancelConnection2W`.
    Cancel {
        letter: DriveLetter,
        /// Also remove the remembered entry.
        forget: bool,
        /// Close open files.
        force: bool,
    },
    /// Delete `HKCU\Network\<L>`.
    Forget { letter: DriveLetter },
    /// `WNetAddConnection2W`.
    Connect {
        letter: DriveLetter,
        remote: RemotePath,
        /// `CONNECT_UPDATE_PROFILE`.
        remember: bool,
        /// Explicit user for this first connection (never stored).
        user: Option<String>,
        /// Whether a password is supplied (the secret itself travels separately).
        with_password: bool,
    },
    /// Write `HKCU\Network\<L>` for a live connection.
    Remember { entry: Remembered },
    /// Write `HKCU\Network\<L>` if Windows did not remember the connection (elevated token).
    EnsureRemembered {
        letter: DriveLetter,
        remote: RemotePath,
    },
    /// Blank `HKCU\Network\<L>\UserName` if Windows stored the explicit user there.
    BlankUserName { letter: DriveLetter },
    /// `CredWriteW`.
    WriteCredential {
        target: String,
        #[serde(rename = "type")]
        kind: CredentialKind,
        user_name: String,
        persistence: Persistence,
        alias: Option<String>,
        comment: Option<String>,
        /// What happens to the secret.
        secret: SecretPlan,
        /// Attributes to store (they replace the stored ones; the stored ones when kept).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        attributes: Vec<CredentialAttribute>,
    },
    /// `CredDeleteW`.
    DeleteCredential {
        target: String,
        #[serde(rename = "type")]
        kind: CredentialKind,
    },
    /// Write or remove `MountPoints2\<key>\_LabelFromReg`.
    SetLabel {
        remote: RemotePath,
        /// New label (`None` removes it).
        label: Option<String>,
    },
    /// Write a boot-time DOS device (`Session Manager\DOS Devices`).
    SetBootDevice {
        /// Value name (`Z:`).
        name: String,
        /// The NT path it will point to (`\??\UNC\server\share`).
        target: String,
    },
    /// Remove a boot-time DOS device.
    RemoveBootDevice {
        /// Value name (`Z:`).
        name: String,
    },
    /// Write or remove the EnableLinkedConnections policy value.
    SetLinkedConnections {
        /// `Some(true)` = 1, `Some(false)` = 0, `None` = remove.
        enabled: Option<bool>,
    },
}

/// What a credential write does with the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretPlan {
    /// Store the supplied secret.
    Set,
    /// Keep the stored one.
    Preserve,
    /// Store none.
    Empty,
}

impl Action {
    /// Steps that check first and usually do nothing; they are reported only when they act.
    pub fn is_conditional(&self) -> bool {
        matches!(self, Action::EnsureRemembered { .. })
    }

    /// How a step reads when it undoes an earlier one: what is put back, as it was (a connection
    /// put back without `CONNECT_UPDATE_PROFILE` is not "for this logon session only": its
    /// remembered entry is put back by its own step, or was never touched).
    pub fn describe_undo(&self) -> String {
        match self {
            Action::Connect { letter, remote, .. } => {
                format!("reconnect {letter} to {remote} as it was")
            }
            Action::Remember { entry } => format!(
                "remember {} -> {} again in HKCU\\Network",
                entry.letter, entry.remote
            ),
            Action::Cancel { letter, .. } => format!("disconnect {letter} again"),
            Action::Forget { letter } => {
                format!("remove HKCU\\Network\\{} again", letter.as_char())
            }
            other => other.describe(),
        }
    }

    /// A one-line description for humans.
    pub fn describe(&self) -> String {
        match self {
            Action::Cancel {
                letter,
                forget,
                force,
            } => format!(
                "disconnect {letter}{}{}",
                if *forget {
                    " and forget it (HKCU\\Network)"
                } else {
                    ""
                },
                if *force { ", closing open files" } else { "" }
            ),
            Action::Forget { letter } => format!(
                "forget the remembered entry HKCU\\Network\\{}",
                letter.as_char()
            ),
            Action::Connect {
                letter,
                remote,
                remember,
                user,
                ..
            } => format!(
                "connect {letter} to {remote}{}{}",
                if *remember {
                    ", remembered for later logons"
                } else {
                    ", for this logon session only"
                },
                user.as_ref()
                    .map(|u| format!(", first connection as {u}"))
                    .unwrap_or_default()
            ),
            Action::Remember { entry } => format!(
                "remember {} -> {} in HKCU\\Network so it is restored at logon",
                entry.letter, entry.remote
            ),
            Action::EnsureRemembered { letter, .. } => format!(
                "make sure HKCU\\Network\\{} remembers it (Windows does not for an elevated token)",
                letter.as_char()
            ),
            Action::BlankUserName { letter } => format!(
                "blank HKCU\\Network\\{}\\UserName so reconnecting at logon uses the Credential Manager",
                letter.as_char()
            ),
            Action::WriteCredential {
                target,
                kind,
                secret,
                ..
            } => format!(
                "write {kind} credential {target}{}",
                match secret {
                    SecretPlan::Set => " with the new secret",
                    SecretPlan::Preserve => ", keeping the stored secret",
                    SecretPlan::Empty => " without a secret",
                }
            ),
            Action::DeleteCredential { target, kind } => {
                format!("delete {kind} credential {target}")
            }
            Action::SetLabel { remote, label } => match label {
                Some(l) => format!("label {remote} as \"{l}\" in Explorer (MountPoints2)"),
                None => format!("remove the Explorer label of {remote}"),
            },
            Action::SetBootDevice { name, target } => format!(
                "define the global drive {name} -> {target} at boot \
                 (HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\DOS Devices)"
            ),
            Action::RemoveBootDevice { name } => {
                format!("remove the boot-time global drive {name}")
            }
            Action::SetLinkedConnections { enabled } => format!(
                "{} (takes effect after a restart)",
                match enabled {
                    Some(true) => "set EnableLinkedConnections = 1",
                    Some(false) => "set EnableLinkedConnections = 0",
                    None => "remove the EnableLinkedConnections value",
                }
            ),
        }
    }
}

/// One step of a plan and what undoes it (used when a later step fails).
#[derive(Clone, Debug)]
pub struct Step {
    /// What is done.
    pub action: Action,
    /// What puts things back as they were, where that is possible.
    pub undo: Option<Action>,
}

/// A decided change: the subject's state before and predicted after, and the ordered steps.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What the operation is about (`M:`, `credential fileserver`).
    pub subject: String,
    /// The state before (`None`: the subject does not exist).
    pub before: Option<State>,
    /// The predicted state after.
    pub after: Option<State>,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

impl Plan {
    fn unchanged(subject: String, state: Option<State>) -> Plan {
        Plan {
            subject,
            before: state.clone(),
            after: state,
            steps: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn push(&mut self, action: Action, undo: Option<Action>) {
        self.steps.push(Step { action, undo });
    }

    /// The actions, in order.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.steps.iter().map(|s| &s.action)
    }

    /// Whether applying it changes anything.
    pub fn changes(&self) -> bool {
        !self.steps.is_empty()
    }

    /// The drive state after, for the plans that change a drive letter.
    fn after_drive(&mut self) -> Option<&mut DriveState> {
        match &mut self.after {
            Some(State::Drive(d)) => Some(d),
            _ => None,
        }
    }
}

/// The secrets an apply may need; kept apart from the serialisable plan.
#[derive(Default, Debug)]
pub struct Secrets {
    /// Password for an explicit-credential connection.
    pub password: Option<Secret>,
    /// Secret for a credential write.
    pub credential_secret: Option<Secret>,
}

/// The result every front-end renders.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Outcome {
    /// Whether anything changed (or, in check mode, would change).
    pub changed: bool,
    /// Check mode: nothing was done.
    pub check_mode: bool,
    /// What the change is about, as messages name it (a drive letter, a credential, the policy).
    pub subject: String,
    /// State before (`null`: the subject did not exist).
    pub before: Option<State>,
    /// State after (observed after applying; predicted in check mode).
    pub after: Option<State>,
    /// What was (or would be) done.
    pub actions: Vec<String>,
    /// What the user should know that did not stop the command.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// The outcome of a plan that is not applied.
    pub fn checked(plan: Plan) -> Outcome {
        let actions = described(&plan);
        Outcome {
            changed: plan.changes(),
            check_mode: true,
            subject: plan.subject,
            actions,
            before: plan.before,
            after: plan.after,
            warnings: plan.warnings,
        }
    }
}

/// The descriptions of the unconditional actions.
fn described(plan: &Plan) -> Vec<String> {
    plan.actions()
        .filter(|a| !a.is_conditional())
        .map(Action::describe)
        .collect()
}

/// Performs one action; `Some(note)` when a conditional step had to act and the user should know.
fn perform(
    port: &mut dyn Port,
    action: &Action,
    secrets: &Secrets,
) -> Result<Option<String>, ApiError> {
    perform_step(port, action, secrets)?;
    match action {
        Action::EnsureRemembered { letter, remote } => ensure_remembered(port, *letter, remote),
        _ => Ok(None),
    }
}

/// Writes `HKCU\Network\<L>` when Windows connected the drive but did not remember it, which it
/// never does for an elevated (Full) token: the next logon then restores it in the limited session.
fn ensure_remembered(
    port: &mut dyn Port,
    letter: DriveLetter,
    remote: &RemotePath,
) -> Result<Option<String>, ApiError> {
    if port
        .remembered()?
        .iter()
        .any(|r| r.letter == letter && remote.matches(&r.remote))
    {
        return Ok(None);
    }
    // The provider that holds the connection; else the SMB provider by the name this Windows
    // gives it (localised: "Microsoft Windows-Netzwerk" on German Windows), never a literal.
    let provider = match port.connected()?.into_iter().find(|c| c.letter == letter) {
        Some(c) => c.provider,
        None => port.lanman_provider_name()?,
    };
    port.remember(&Remembered {
        letter,
        remote: remote.to_string(),
        provider,
        provider_type: None,
        user_name: Some(String::new()),
    })?;
    Ok(Some(format!(
        "Windows did not remember {letter} (it never does for an elevated token's mappings), so mapdrive \
         wrote HKCU\\Network\\{} itself: the next logon restores the drive",
        letter.as_char()
    )))
}

fn perform_step(port: &mut dyn Port, action: &Action, secrets: &Secrets) -> Result<(), ApiError> {
    match action {
        Action::EnsureRemembered { .. } => Ok(()),
        Action::Cancel {
            letter,
            forget,
            force,
        } => port.cancel_connection(*letter, *forget, *force),
        Action::Forget { letter } => port.forget(*letter),
        Action::Connect {
            letter,
            remote,
            remember,
            user,
            with_password,
        } => {
            let password = if *with_password {
                secrets.password.as_ref()
            } else {
                None
            };
            port.add_connection(*letter, remote, user.as_deref(), password, *remember)
        }
        Action::Remember { entry } => port.remember(entry),
        Action::BlankUserName { letter } => {
            // Read first: Wine (and some providers) already write "", and a no-op must write nothing.
            let current = port.remembered()?;
            let needs = current.iter().any(|r| {
                r.letter == *letter && r.user_name.as_deref().is_some_and(|u| !u.is_empty())
            });
            if needs {
                port.set_remembered_user_name(*letter, "")?;
            }
            Ok(())
        }
        Action::WriteCredential {
            target,
            kind,
            user_name,
            persistence,
            alias,
            comment,
            secret,
            attributes,
        } => {
            let secret = match (secret, secrets.credential_secret.as_ref()) {
                (SecretPlan::Set, Some(s)) => SecretWrite::Set(s),
                (SecretPlan::Set, None) | (SecretPlan::Empty, _) => SecretWrite::Empty,
                (SecretPlan::Preserve, _) => SecretWrite::Preserve,
            };
            port.write_credential_with_attributes(
                &CredentialWrite {
                    target,
                    kind: *kind,
                    user_name,
                    persistence: *persistence,
                    alias: alias.as_deref(),
                    comment: comment.as_deref(),
                    secret,
                },
                attributes,
            )
        }
        Action::DeleteCredential { target, kind } => port.delete_credential(target, *kind),
        Action::SetLabel { remote, label } => port.set_label(remote, label.as_deref()),
        Action::SetBootDevice { name, target } => port.set_boot_device(name, target),
        Action::RemoveBootDevice { name } => port.remove_boot_device(name),
        Action::SetLinkedConnections { enabled } => port.set_linked_connections(*enabled),
    }
}

fn failure_context(action: &Action) -> String {
    match action {
        Action::Cancel { letter, .. } => format!("could not disconnect {letter}"),
        Action::Forget { letter } => format!("could not forget {letter}"),
        Action::Connect { letter, remote, .. } => format!("could not map {letter} to {remote}"),
        Action::Remember { entry } => format!("could not remember {}", entry.letter),
        Action::EnsureRemembered { letter, .. } => format!("could not remember {letter}"),
        Action::BlankUserName { letter } => {
            format!("could not blank the remembered user name of {letter}")
        }
        Action::WriteCredential { target, .. } => format!("could not save the credential {target}"),
        Action::DeleteCredential { target, .. } => {
            format!("could not delete the credential {target}")
        }
        Action::SetLabel { remote, .. } => format!("could not write the label of {remote}"),
        Action::SetBootDevice { name, .. } => {
            format!("could not define the boot-time drive {name}")
        }
        Action::RemoveBootDevice { name } => format!("could not remove the boot-time drive {name}"),
        Action::SetLinkedConnections { .. } => {
            "could not write the EnableLinkedConnections policy".into()
        }
    }
}

/// A remedy more precise than the error catalog's, where the action tells more than the code.
fn specific_fix(action: &Action, code: u32) -> Option<String> {
    match (action, code) {
        (
            Action::SetBootDevice { .. }
            | Action::RemoveBootDevice { .. }
            | Action::SetLinkedConnections { .. },
            ERROR_ACCESS_DENIED,
        ) => Some(
            "HKLM is writable only by administrators: run mapdrive from an elevated prompt \
             (Run as administrator)"
                .into(),
        ),
        (
            Action::Forget { .. }
            | Action::Remember { .. }
            | Action::EnsureRemembered { .. }
            | Action::BlankUserName { .. },
            ERROR_ACCESS_DENIED,
        ) => Some("check the permissions of HKCU\\Network for this user".into()),
        (Action::SetLabel { .. }, ERROR_ACCESS_DENIED) => Some(
            "check the permissions of HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\MountPoints2"
                .into(),
        ),
        _ => None,
    }
}

/// Performs a plan. On failure, completed steps are undone in reverse order and the error says
/// whether that worked. `observe` re-reads the after state once everything succeeded.
pub fn apply(
    port: &mut dyn Port,
    plan: Plan,
    secrets: &Secrets,
    observe: impl FnOnce(&dyn Port) -> Result<Option<State>, Error>,
) -> Result<Outcome, Error> {
    let mut notes = Vec::new();
    for (i, Step { action, .. }) in plan.steps.iter().enumerate() {
        let api_error = match perform(port, action, secrets) {
            Ok(note) => {
                notes.extend(note);
                continue;
            }
            Err(e) => e,
        };
        {
            let mut undone = Vec::new();
            let mut undo_failed = Vec::new();
            for undo in plan.steps[..i].iter().rev().filter_map(|s| s.undo.as_ref()) {
                match perform(port, undo, secrets) {
                    Ok(_) => undone.push(undo.describe_undo()),
                    Err(e) => undo_failed.push(format!("{} ({e})", undo.describe_undo())),
                }
            }
            // Something stays changed unless every earlier step had an undo and all of them worked.
            let left_changed = i > 0
                && (!undo_failed.is_empty() || plan.steps[..i].iter().any(|s| s.undo.is_none()));
            let mut hint = String::new();
            if !undone.is_empty() && undo_failed.is_empty() {
                hint = format!("The earlier steps were undone: {}.", undone.join("; "));
            } else if !undo_failed.is_empty() {
                hint = format!(
                    "Undoing the earlier steps failed too: {}. Run `mapdrive list` to see the current state.",
                    undo_failed.join("; ")
                );
            }
            return Err(Error::Api {
                fix: specific_fix(action, api_error.code),
                context: failure_context(action),
                api_error,
                hint: (!hint.is_empty()).then_some(hint),
                changed: left_changed,
            });
        }
    }
    let changed = plan.changes();
    let actions = described(&plan);
    let after = if changed {
        observe(&*port)?
    } else {
        plan.after
    };
    Ok(Outcome {
        changed,
        check_mode: false,
        actions,
        subject: plan.subject,
        before: plan.before,
        after,
        warnings: plan.warnings.into_iter().chain(notes).collect(),
    })
}

//! Planning `cred set` and `cred remove`.

use super::{Action, Plan, SecretPlan, State};
use crate::domain::credential::validate_attributes;
use crate::domain::{
    CredentialAttribute, CredentialInfo, CredentialKind, CredentialTarget, Persistence, Secret,
    Thumbprint,
};
use crate::error::Error;
use crate::port::Port;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// When a supplied secret is written to an existing credential (`--update-secret`,
/// `update_secret` in Ansible, `updateSecret` in DSC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "camelCase")]
pub enum UpdateSecret {
    /// Whenever it may differ: a domain password cannot be read back, so it is written on every run.
    #[default]
    Always,
    /// Only when the credential is created (the default in DSC documents).
    OnCreate,
}

/// What `cred set` does when the user of a password credential changes and no secret is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NewUserWithoutSecret {
    /// Refuse (exit 3): the stored password would be sent as the new user (the CLI, DSC).
    #[default]
    Refuse,
    /// Keep the stored secret and warn: win_credential's behaviour, which playbooks rely on.
    KeepSecretAndWarn,
}

/// `cred set`.
#[derive(Clone, Debug)]
pub struct CredSetRequest {
    pub target: CredentialTarget,
    pub kind: CredentialKind,
    pub user_name: String,
    /// Persistence (`None` = keep the stored one; `local` for a new credential).
    pub persistence: Option<Persistence>,
    /// Alias (`None` = keep the stored one, `Some("")` = remove it).
    pub alias: Option<String>,
    /// Comment (`None` = keep the stored one, `Some("")` = remove it).
    pub comment: Option<String>,
    /// When a supplied secret is written to an existing credential.
    pub update_secret: UpdateSecret,
    /// Attributes (`None` = keep the stored ones; `Some` = exactly these, in order).
    pub attributes: Option<Vec<CredentialAttribute>>,
    /// A new user for a password credential without its secret.
    pub new_user_without_secret: NewUserWithoutSecret,
}

/// `cred remove`.
#[derive(Clone, Debug)]
pub struct CredRemoveRequest {
    pub target: CredentialTarget,
    pub kind: CredentialKind,
}

/// The state of a credential (never the secret).
fn credential_state(c: Option<&CredentialInfo>) -> Option<State> {
    c.cloned().map(State::Credential)
}

/// Reads the one credential (`CredReadW`), never the whole vault; a certificate credential's
/// user name is shown as the certificate's thumbprint.
fn find(
    port: &dyn Port,
    target: &CredentialTarget,
    kind: CredentialKind,
) -> Result<Option<CredentialInfo>, Error> {
    let found = port
        .credential(target.as_str(), kind)
        .map_err(|e| Error::api("could not read the Credential Manager", e))?;
    found.map(|c| readable_user_name(port, c)).transpose()
}

/// A certificate credential stores a marshaled reference (`@@B...`) as its user name: show the
/// certificate's thumbprint instead (other credentials are returned as they are).
pub fn readable_user_name(port: &dyn Port, mut c: CredentialInfo) -> Result<CredentialInfo, Error> {
    if c.kind.is_certificate()
        && let Some(name) = c.user_name.as_deref()
        && let Some(tp) = port
            .unmarshal_certificate(name)
            .map_err(|e| Error::api("could not read the certificate reference", e))?
    {
        c.user_name = Some(tp.to_string());
    }
    Ok(c)
}

/// For a certificate credential: the thumbprint must name a certificate in the user's
/// `CurrentUser\My` store (win_credential's message). Returns the user name to store and the
/// one to show and compare (the normalised thumbprint for certificates).
fn user_names(port: &dyn Port, req: &CredSetRequest) -> Result<(String, String), Error> {
    if !req.kind.is_certificate() {
        return Ok((req.user_name.clone(), req.user_name.clone()));
    }
    let tp: Thumbprint = req.user_name.parse()?;
    let found = port
        .certificate_in_my_store(&tp)
        .map_err(|e| Error::api("could not search the CurrentUser\\My certificate store", e))?;
    if !found {
        return Err(Error::Refused {
            message: format!(
                "Failed to find certificate with the thumbprint {tp} in the CurrentUser\\My store"
            ),
            remedy: "import the certificate with its private key into the personal store of the user the \
                     credential is for (certmgr.msc, or Import-PfxCertificate -CertStoreLocation \
                     Cert:\\CurrentUser\\My), then run again"
                .into(),
        });
    }
    let stored = port
        .marshal_certificate(&tp)
        .map_err(|e| Error::api("could not marshal the certificate reference", e))?;
    Ok((stored, tp.to_string()))
}

/// A free-text field as stored: `None` and `""` both mean "none".
fn text(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// The value to write for a field: the requested one (`""` = none), else the stored one.
fn keep_or(requested: Option<&String>, stored: Option<&String>) -> Option<String> {
    match requested {
        Some(r) => text(Some(r)).map(str::to_string),
        None => stored.cloned(),
    }
}

/// Re-reads one credential's state.
pub fn observe_credential(
    port: &dyn Port,
    target: &CredentialTarget,
    kind: CredentialKind,
) -> Result<Option<State>, Error> {
    Ok(credential_state(find(port, target, kind)?.as_ref()))
}

/// Refuses (exit 3) a write that this logon session may not store: `CredGetSessionTypes`
/// reports the cap (a policy such as DisableDomainCreds), which the logon type does not tell.
/// A failing query is left to the write itself to report.
fn refuse_beyond_cap(
    port: &dyn Port,
    req: &CredSetRequest,
    persistence: Persistence,
) -> Result<(), Error> {
    let Ok(caps) = port.credential_caps() else {
        return Ok(());
    };
    match caps.refusal(req.kind, persistence) {
        None => Ok(()),
        Some((message, remedy)) => Err(Error::Refused {
            message: format!("not saving credential {}: {message}", req.target),
            remedy,
        }),
    }
}

/// Decides how to make the credential match; `secret` is the supplied secret, if any.
pub fn plan_cred_set(
    port: &dyn Port,
    req: &CredSetRequest,
    secret: Option<&Secret>,
) -> Result<Plan, Error> {
    let (stored_user, shown_user) = user_names(port, req)?;
    let existing = find(port, &req.target, req.kind)?;
    let before = credential_state(existing.as_ref());
    if let Some(list) = &req.attributes {
        validate_attributes(list)?;
    }
    let desired = CredentialInfo {
        target: existing
            .as_ref()
            .map_or_else(|| req.target.to_string(), |c| c.target.clone()),
        kind: req.kind,
        user_name: Some(shown_user.clone()),
        persistence: req
            .persistence
            .or(existing.as_ref().map(|c| c.persistence))
            .unwrap_or(Persistence::Local),
        alias: keep_or(
            req.alias.as_ref(),
            existing.as_ref().and_then(|c| c.alias.as_ref()),
        ),
        comment: keep_or(
            req.comment.as_ref(),
            existing.as_ref().and_then(|c| c.comment.as_ref()),
        ),
        attributes: req.attributes.clone().unwrap_or_else(|| {
            existing
                .as_ref()
                .map(|c| c.attributes.clone())
                .unwrap_or_default()
        }),
    };
    let subject = format!("credential {} ({})", req.target, req.kind);
    let mut plan = Plan::unchanged(subject, before);
    // A removed field is written as NULL, which Windows stores as none (an empty string is refused
    // for some targets: ansible/ansible#67278). Wine 8 keeps the old value instead
    // (docs/wine-differences.md).
    let alias_out = desired.alias.clone();
    let comment_out = desired.comment.clone();
    let write = |secret: SecretPlan| Action::WriteCredential {
        target: desired.target.clone(),
        kind: req.kind,
        user_name: stored_user.clone(),
        persistence: desired.persistence,
        alias: alias_out.clone(),
        comment: comment_out.clone(),
        secret,
        attributes: desired.attributes.clone(),
    };
    let Some(existing) = existing else {
        refuse_beyond_cap(port, req, desired.persistence)?;
        plan.push(
            write(if secret.is_some() {
                SecretPlan::Set
            } else {
                SecretPlan::Empty
            }),
            None,
        );
        plan.after = Some(State::Credential(desired));
        return Ok(plan);
    };
    let user_differs = !existing
        .user_name
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case(&shown_user));
    if user_differs && secret.is_none() && req.kind.has_password() {
        let what = format!(
            "changing the user of {} {} from {} to {} without a secret keeps the stored password \
             attached to the new user, and the next connection would fail (1326)",
            req.kind,
            existing.target,
            existing.user_name.as_deref().unwrap_or("(none)"),
            shown_user
        );
        match req.new_user_without_secret {
            NewUserWithoutSecret::Refuse => {
                return Err(Error::Refused {
                    message: what,
                    remedy:
                        "give the new user's secret (--secret-stdin or --prompt), or remove the \
                             credential first"
                            .into(),
                });
            }
            NewUserWithoutSecret::KeepSecretAndWarn => plan
                .warnings
                .push(format!("{what}: give the new user's secret too")),
        }
    }
    let fields_differ = user_differs
        || existing.persistence != desired.persistence
        || text(existing.alias.as_deref()) != text(desired.alias.as_deref())
        || text(existing.comment.as_deref()) != text(desired.comment.as_deref())
        // Keywords case-sensitively, values byte for byte, order included (win_credential compared
        // base64 text case-insensitively and could miss a change).
        || existing.attributes != desired.attributes;
    let secret_write = match (secret, req.update_secret) {
        (Some(s), UpdateSecret::Always) => {
            match port
                .credential_secret_equals(&existing.target, req.kind, s)
                .map_err(|e| Error::api("could not read the stored secret", e))?
            {
                Some(true) => false,
                Some(false) => true,
                None => {
                    plan.warnings.push(format!(
                        "Windows never returns a {} secret, so it cannot be compared: it is rewritten on every run with \
                         --update-secret always; use --update-secret on-create for runs that change nothing",
                        req.kind
                    ));
                    true
                }
            }
        }
        _ => false,
    };
    if secret_write || fields_differ {
        refuse_beyond_cap(port, req, desired.persistence)?;
    }
    if secret_write {
        plan.push(write(SecretPlan::Set), None);
    } else if fields_differ {
        // Keep the stored secret: writing the empty read-back blob would wipe it (Ansible's on_create defect).
        plan.push(write(SecretPlan::Preserve), None);
    }
    plan.after = if plan.changes() {
        Some(State::Credential(desired))
    } else {
        plan.before.clone()
    };
    Ok(plan)
}

/// Decides whether a credential must be deleted.
pub fn plan_cred_remove(port: &dyn Port, req: &CredRemoveRequest) -> Result<Plan, Error> {
    let existing = find(port, &req.target, req.kind)?;
    let mut plan = Plan::unchanged(
        format!("credential {} ({})", req.target, req.kind),
        credential_state(existing.as_ref()),
    );
    if let Some(c) = existing {
        plan.push(
            Action::DeleteCredential {
                target: c.target,
                kind: req.kind,
            },
            None,
        );
        plan.after = None;
    }
    Ok(plan)
}

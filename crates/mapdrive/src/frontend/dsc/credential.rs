//! `Mapdrive/Credential`: a saved credential (Credential Manager) of the user's logon session.

use mapdrive_core::domain::credential::{validate_short_string, validate_user_name};
use mapdrive_core::domain::{CredentialInfo, CredentialTarget};
use mapdrive_core::engine::{self, Change, SessionChoice};
use mapdrive_core::error::Error;
use mapdrive_core::plan::{CredRemoveRequest, CredSetRequest, UpdateSecret};
use mapdrive_core::port::Port;

use super::resources::{Instance, field, push_new, read_only};
use super::types::Credential;

pub(super) fn validate(c: &Credential) -> Result<(), Error> {
    CredentialTarget::parse(&c.name, c.kind)?;
    if let Some(u) = &c.username {
        validate_user_name(u)?;
    }
    if let Some(a) = &c.alias {
        validate_short_string("alias", a)?;
    }
    if let Some(a) = &c.comment {
        validate_short_string("comment", a)?;
    }
    if c.in_desired_state.is_some() || c.metadata.is_some() {
        return Err(read_only());
    }

    Ok(())
}

/// The credential as it is, never its secret.
pub(super) fn get(
    port: &mut dyn Port,
    session: SessionChoice,
    c: &Credential,
    warnings: &mut Vec<String>,
) -> Result<Instance, Error> {
    let kind = c.kind;
    let (vaults, w) = engine::credentials(port, session)?;
    push_new(warnings, &w);
    let target = CredentialTarget::parse(&c.name, kind)?;
    let found = vaults
        .first()
        .and_then(|(_, list)| {
            list.iter()
                .find(|i| i.kind == kind && target.matches(&i.target))
        })
        .cloned();
    let mut out = Credential {
        name: c.name.clone(),
        kind: c.kind,
        session: c.session,
        exist: Some(false),
        ..Credential::default()
    };
    if let Some(i) = found {
        out.exist = Some(true);
        out.username = i.user_name;
        out.persistence = Some(i.persistence);
        out.alias = match (&c.alias, i.alias) {
            (Some(_), None) => Some(String::new()),
            (_, a) => a,
        };
        out.comment = match (&c.comment, i.comment) {
            (Some(_), None) => Some(String::new()),
            (_, a) => a,
        };
    }
    Ok(Instance::Credential(out))
}

/// What making `c` true takes.
pub(super) fn change(c: &Credential, a: &Credential, exist: bool) -> Result<Change, Error> {
    Ok({
        let kind = c.kind;
        let target = CredentialTarget::parse(&c.name, kind)?;
        if !exist {
            Change::CredRemove(CredRemoveRequest { target, kind })
        } else {
            let user_name = c
                .username
                .clone()
                .or_else(|| a.username.clone())
                .ok_or_else(|| field("username", "it is required to create a credential"))?;
            Change::CredSet(
                CredSetRequest {
                    target,
                    kind,
                    user_name,
                    persistence: c.persistence,
                    alias: c.alias.clone(),
                    comment: c.comment.clone(),
                    attributes: None,
                    new_user_without_secret: mapdrive_core::plan::NewUserWithoutSecret::Refuse,
                    update_secret: c.update_secret.unwrap_or(UpdateSecret::OnCreate),
                },
                c.secret.as_ref().map(|s| s.0.clone()),
            )
        }
    })
}

/// This session's saved credentials.
pub(super) fn export(
    port: &mut dyn Port,
    warnings: &mut Vec<String>,
) -> Result<Vec<Instance>, Error> {
    Ok({
        let (vaults, w) = match engine::credentials(port, SessionChoice::Auto) {
            Ok(v) => v,
            // A network logon (WinRM, PowerShell remoting) has no credential set: the drives are
            // still exported.
            Err(e) if e.code() == Some(1312) => {
                push_new(
                    warnings,
                    &[
                        "no credentials exported: this logon session has no credential set \
                       (1312 ERROR_NO_SUCH_LOGON_SESSION, a network logon such as WinRM); export \
                       them from an interactive logon, or through Ansible become"
                            .to_string(),
                    ],
                );
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        push_new(warnings, &w);
        vaults
            .first()
            .map(|(_, list)| list.iter().map(credential_instance).collect())
            .unwrap_or_default()
    })
}

fn credential_instance(i: &CredentialInfo) -> Instance {
    Instance::Credential(Credential {
        name: i.target.clone(),
        kind: i.kind,
        username: i.user_name.clone(),
        persistence: Some(i.persistence),
        alias: i.alias.clone(),
        comment: i.comment.clone(),
        ..Credential::default()
    })
}

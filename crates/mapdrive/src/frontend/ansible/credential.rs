//! `win_credential`: ansible.windows' options, messages and diff, over the engine's cred set/remove.

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::spec::{Kind, Opt, Params, Spec};
use super::{Failure, Success, change_result, session_of};
use mapdrive_core::domain::credential::base64_decode;
use mapdrive_core::domain::credential::{validate_short_string, validate_user_name};
use mapdrive_core::domain::{
    CredentialAttribute, CredentialKind, CredentialTarget, Persistence, Secret,
};
use mapdrive_core::engine::{self, Change, Request};
use mapdrive_core::error::Error;
use mapdrive_core::plan::State;
use mapdrive_core::plan::{CredRemoveRequest, CredSetRequest, UpdateSecret};
use mapdrive_core::port::Port;

const ATTRIBUTE_OPTIONS: &[Opt] = &[
    Opt::str("name").required(),
    Opt::str("data"),
    Opt::choice("data_format", &["base64", "text"], Some("text")),
];

const OPTIONS: &[Opt] = &[
    Opt::str("name").required(),
    Opt::choice(
        "type",
        &[
            "domain_certificate",
            "domain_password",
            "generic_certificate",
            "generic_password",
        ],
        None,
    )
    .required(),
    Opt::str("username"),
    Opt::str("secret").secret(),
    Opt::choice("secret_format", &["base64", "text"], Some("text")),
    Opt::str("alias"),
    Opt::str("comment"),
    Opt {
        name: "attributes",
        kind: Kind::ListOfDicts(ATTRIBUTE_OPTIONS),
        required: false,
        default: None,
        choices: &[],
        no_log: false,
    },
    Opt::choice(
        "persistence",
        &["enterprise", "local", "session"],
        Some("local"),
    ),
    Opt::choice("update_secret", &["always", "on_create"], Some("always")),
    Opt::choice("state", &["absent", "present"], Some("present")),
    // mapdrive's own option.
    Opt::choice(
        "session",
        &["auto", "current", "limited", "both"],
        Some("auto"),
    ),
];

/// The argument spec.
pub(super) const SPEC: Spec = Spec {
    options: OPTIONS,
    required_if: &[("state", "present", &["username"])],
};

/// What ansible.windows says when the vault is unreachable, and what to do about it.
pub(super) const NO_VAULT: &str =
    "Failed to access the user's credential store, run the module with become";

fn no_vault_message(e: &Error) -> String {
    format!(
        "{NO_VAULT}: {e}. This task runs in a network logon (WinRM or SSH without CredSSP), which has no \
         credential vault. Add `become: true` with `become_method: runas`, `become_user` set to the user whose \
         credentials to manage and `ansible_become_password` (the mapdrive.windows action plugin then runs the \
         module in that user's interactive logon), or connect with CredSSP."
    )
}

/// Maps a core error; 1312 (no credential vault) gets ansible.windows' message and the way out.
pub(super) fn failure(e: Error) -> Failure {
    let mut f = Failure::from_error(&e);
    if e.code() == Some(1312) {
        f.msg = no_vault_message(&e);
    }
    f
}

/// Decodes `secret` as `secret_format` says: text is stored as UTF-16LE; base64 is the blob's bytes,
/// which must be UTF-16LE text (mapdrive keeps secrets as text so they can be wiped and compared).
fn secret(params: &mut Params) -> Result<Option<Secret>, Failure> {
    let Some(raw) = params.take_secret("secret") else {
        return Ok(None);
    };
    let text = if params.str("secret_format") == Some("base64") {
        let bytes =
            Zeroizing::new(base64_decode(raw.trim()).ok_or_else(|| {
                Failure::msg("secret is not valid base64 (secret_format: base64)")
            })?);
        if bytes.len() % 2 != 0 {
            return Err(Failure::msg(format!(
                "secret (secret_format: base64) decodes to {} bytes: a credential blob is stored and compared as \
                 UTF-16LE text, which needs an even number of bytes",
                bytes.len()
            )));
        }
        let units: Zeroizing<Vec<u16>> = Zeroizing::new(
            bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        );
        let mut text = Zeroizing::new(String::with_capacity(units.len() * 3));
        for c in char::decode_utf16(units.iter().copied()) {
            text.push(c.map_err(|_| {
                Failure::msg(
                    "secret (secret_format: base64) is not UTF-16LE text (an unpaired surrogate)",
                )
            })?);
        }
        text
    } else {
        raw
    };
    engine::secret_from_text(text, "secret")
        .map(Some)
        .map_err(|e| Failure::msg(e.to_string()))
}

/// ansible.windows' names in diffs and facts.
fn type_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::DomainPassword => "DomainPassword",
        CredentialKind::GenericPassword => "Generic",
        CredentialKind::DomainCertificate => "DomainCertificate",
        CredentialKind::GenericCertificate => "GenericCertificate",
    }
}

fn persistence_name(p: Persistence) -> &'static str {
    match p {
        Persistence::Local => "LocalMachine",
        Persistence::Enterprise => "Enterprise",
        Persistence::Session => "Session",
    }
}

/// A credential's state in ansible.windows' diff shape (never a secret), or `""` when absent.
pub(super) fn diff_side(state: Option<&State>) -> Value {
    let Some(State::Credential(c)) = state else {
        return json!("");
    };
    json!({
        "alias": c.alias,
        "attributes": c.attributes,
        "comment": c.comment,
        "name": c.target,
        "persistence": persistence_name(c.persistence),
        "type": type_name(c.kind),
        "username": c.user_name,
    })
}

/// `attributes`: given (even empty) = exactly these; omitted = keep the stored ones. `data_format`
/// text is stored as UTF-8 (what ansible.windows' code does; its documentation says UTF-16LE).
fn attributes(params: &Params) -> Result<Option<Vec<CredentialAttribute>>, Failure> {
    let Some(list) = params.list("attributes") else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
        let data = item.get("data").and_then(Value::as_str).unwrap_or_default();
        let value = if item.get("data_format").and_then(Value::as_str) == Some("base64") {
            base64_decode(data.trim()).ok_or_else(|| {
                Failure::msg(format!(
                    "attributes: the data of {name} is not valid base64 (data_format: base64)"
                ))
            })?
        } else {
            data.as_bytes().to_vec()
        };
        out.push(CredentialAttribute::new(name, value).map_err(|e| Failure::msg(e.to_string()))?);
    }
    Ok(Some(out))
}

pub(super) fn run(params: &mut Params, port: &mut dyn Port) -> Result<Success, Failure> {
    let kind: CredentialKind = params
        .str("type")
        .unwrap_or_default()
        .parse()
        .map_err(|e: mapdrive_core::error::InputError| Failure::msg(e.to_string()))?;
    let name = params.str("name").unwrap_or_default().to_string();
    let target = CredentialTarget::parse(&name, kind).map_err(|e| Failure::msg(e.to_string()))?;
    let session = session_of(params)?;
    let present = params.str("state") != Some("absent");
    let attributes = attributes(params)?;
    let change = if present {
        let user_name = params.str("username").unwrap_or_default().to_string();
        validate_user_name(&user_name).map_err(|e| Failure::msg(e.to_string()))?;
        // ansible.windows writes what the task says: an omitted alias or comment removes the stored one.
        let alias = params.str("alias").unwrap_or_default().to_string();
        let comment = params.str("comment").unwrap_or_default().to_string();
        validate_short_string("alias", &alias).map_err(|e| Failure::msg(e.to_string()))?;
        validate_short_string("comment", &comment).map_err(|e| Failure::msg(e.to_string()))?;
        let persistence: Persistence = params
            .str("persistence")
            .unwrap_or("local")
            .parse()
            .map_err(|e: mapdrive_core::error::InputError| Failure::msg(e.to_string()))?;
        let secret = secret(params)?;
        Change::CredSet(
            CredSetRequest {
                target,
                kind,
                user_name,
                persistence: Some(persistence),
                alias: Some(alias),
                comment: Some(comment),
                update_secret: if params.str("update_secret") == Some("on_create") {
                    UpdateSecret::OnCreate
                } else {
                    UpdateSecret::Always
                },
                attributes,
                new_user_without_secret:
                    mapdrive_core::plan::NewUserWithoutSecret::KeepSecretAndWarn,
            },
            secret,
        )
    } else {
        Change::CredRemove(CredRemoveRequest { target, kind })
    };
    let response = engine::execute(
        port,
        Request {
            change,
            session,
            check: params.check_mode,
        },
    )
    .map_err(failure)?;
    let (changed, mut result, warnings) = change_result(&response);
    let first = response.outcomes.first().map(|(_, o)| o);
    let diff = json!({
        "before": diff_side(first.and_then(|o| o.before.as_ref())),
        "after": diff_side(first.and_then(|o| o.after.as_ref())),
    });
    if let Some(e) = response.failure {
        let mut f = failure(e);
        f.changed = true;
        f.extra.extend(result);
        return Err(f);
    }
    result.insert(
        "credential".into(),
        diff_side(first.and_then(|o| o.after.as_ref())),
    );
    Ok(Success {
        changed,
        result,
        diff: Some(diff),
        warnings,
    })
}

//! `win_mapped_drive_info`: what `mapdrive list`, `cred list`, `whoami` and `doctor` report, as
//! module results. Reads only.

use serde_json::{Value, json};

use super::spec::{Opt, Params, Spec};
use super::{Failure, Success, session_of};
use mapdrive_core::engine;
use mapdrive_core::port::Port;

const OPTIONS: &[Opt] = &[
    Opt::choice(
        "session",
        &["auto", "current", "limited", "both"],
        Some("auto"),
    ),
    Opt::bool("credentials", true),
    Opt::bool("doctor", true),
];

/// The argument spec.
pub(super) const SPEC: Spec = Spec {
    options: OPTIONS,
    required_if: &[],
};

pub(super) fn run(params: &mut Params, port: &mut dyn Port) -> Result<Success, Failure> {
    let session = session_of(params)?;
    let mut result = serde_json::Map::new();
    let mut warnings = Vec::new();

    // The same whoami as `mapdrive whoami --json` (token, caps, desktop user, limited token).
    result.insert("whoami".into(), json!(mapdrive_core::doctor::whoami(port)?));

    let inventories = engine::inventories(port, session)?;
    for w in inventories.iter().flat_map(|i| &i.warnings) {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    let drives: Vec<Value> = inventories
        .first()
        .map(|i| i.drives.iter().map(|d| json!(d)).collect())
        .unwrap_or_default();
    let remembered: Vec<Value> = inventories
        .first()
        .map(|i| {
            i.drives
                .iter()
                .filter(|d| d.remembered)
                .map(|d| {
                    json!({
                        "letter": d.letter,
                        "path": d.remembered_remote.clone().or_else(|| d.remote.clone()),
                        "user_name": d.user_name,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    result.insert("drives".into(), json!(drives));
    result.insert("remembered".into(), json!(remembered));
    result.insert("sessions".into(), json!(inventories));

    if params.bool("credentials") {
        match engine::credentials(port, session) {
            Ok((vaults, _)) => {
                let creds: Vec<Value> = vaults
                    .iter()
                    .flat_map(|(token, list)| {
                        list.iter().map(move |c| {
                            let mut v = json!(c);
                            v["session"] = json!(token);
                            v
                        })
                    })
                    .collect();
                result.insert("credentials".into(), json!(creds));
            }
            Err(e) => {
                // No vault (1312) is what the doctor explains (MD008); report it, do not fail.
                let msg = if e.code() == Some(1312) {
                    format!(
                        "{}: credentials cannot be listed ({e}); see finding MD008",
                        super::credential::NO_VAULT
                    )
                } else {
                    format!("credentials cannot be listed: {e}")
                };
                warnings.push(msg);
                result.insert("credentials".into(), json!([]));
            }
        }
    }

    if params.bool("doctor") {
        // Judged in the session the drives above were read from.
        let diagnosis = engine::diagnose(port, None, session)?;
        result.insert("findings".into(), json!(diagnosis.findings));
    }
    Ok(Success {
        changed: false,
        result,
        diff: None,
        warnings,
    })
}

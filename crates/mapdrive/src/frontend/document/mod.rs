//! Desired-state files: `mapdrive apply FILE` runs a DSC v3 configuration document of
//! `Mapdrive/*` resources without the DSC engine, and `mapdrive export` writes the current state
//! as such a document. The same file runs unchanged with `dsc config set --file`.
//!
//! A document is read whole and every item is resolved and validated (types, properties,
//! expressions, secrets, `dependsOn`) before anything changes; then the items are applied in
//! dependency order through one [`CachingPort`](mapdrive_core::engine::cache::CachingPort), so the machine is enumerated once, not once per
//! item. A failed item is reported and the others go on (its dependants are skipped), unless
//! `--stop-on-error`.

mod apply;
pub mod cli;
mod export;
pub mod expr;
pub mod gpp;
mod load;
pub mod text;

pub(crate) use apply::summary;
pub use apply::{ApplyReport, ItemReport, ItemResult, MAX_SUMMARY_CHARS, apply, render};
pub use export::export;
pub(crate) use export::{escape_literals, item_name};

use std::collections::BTreeMap;

pub(crate) use crate::frontend::dsc::error_text;
use mapdrive_core::domain::Secret;
use mapdrive_core::error::{Error, InputError};

/// The `$schema` of a configuration document.
pub const DOCUMENT_SCHEMA: &str = "https://aka.ms/dsc/schemas/v3/bundled/config/document.json";

/// Where the values of a document's parameters and environment variables come from.
pub struct Inputs<'a> {
    /// The `--parameters-file` text (`{"parameters": {...}}`, JSON or YAML).
    pub parameters_file: Option<&'a str>,
    /// Parameters given on standard input (`--secret NAME=-`).
    pub stdin_parameters: BTreeMap<String, Secret>,
    /// Environment lookup (`[envvar('NAME')]`).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// How `apply` runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Report what would change, change nothing.
    pub check: bool,
    /// JSON output.
    pub json: bool,
    /// Stop at the first failed item.
    pub stop_on_error: bool,
}

/// Refuses a file whose secret anyone who can read it would have: a DSC document with a literal
/// secret (or a securestring parameter's `defaultValue`), or a `Drives.xml` with a `cpassword`
/// (refused by the Drives.xml parser, with anything else it cannot read). What `schedule
/// install` checks before it changes anything.
pub fn refuse_literal_secrets(text: &str, shown: &str) -> Result<(), Error> {
    if gpp::is_xml(text) {
        gpp::load(text, shown, mapdrive_core::gpp::UnevaluablePolicy::Skip).map(|_| ())
    } else {
        load::refuse_literal_secrets(text)
    }
}

fn bad(why: impl Into<String>) -> Error {
    Error::Input(InputError::Conflict(why.into()))
}

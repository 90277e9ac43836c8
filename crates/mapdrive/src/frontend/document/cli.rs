//! `mapdrive apply` and `mapdrive export`: arguments and the calls into [`super`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Inputs, Options};
use mapdrive_core::engine::SecretInput;

use crate::frontend::report::Report;
use mapdrive_core::engine::{self, SecretSource};
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::gpp::UnevaluablePolicy;
use mapdrive_core::port::Port;

use mapdrive_core::engine::SessionChoice;

/// What `--unevaluable-filters` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum UnevaluableArg {
    /// Refuse the whole file before anything changes (exit 2), naming the item and the filter.
    #[default]
    Refuse,
    /// Treat items with such a filter as not applicable.
    Skip,
}

/// Options only a Group Policy `Drives.xml` takes.
#[derive(Debug, Args, Clone, Copy)]
pub struct GppArgs {
    /// Drives.xml only: the logon session the drives go into (DSC documents set `session` per resource).
    #[arg(long, value_enum)]
    pub session: Option<SessionChoice>,
    /// Drives.xml only: targeting filters mapdrive cannot evaluate (WMI, LDAP, OU, site, unknown).
    #[arg(long, value_enum, value_name = "refuse|skip")]
    pub unevaluable_filters: Option<UnevaluableArg>,
}

/// The document and where its parameters come from (`apply` and `test`).
#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// A DSC v3 configuration document (YAML or JSON) of Mapdrive/* resources, or a Group Policy
    /// Preferences Drive Maps file (Drives.xml, UTF-8 or UTF-16).
    pub file: PathBuf,
    #[command(flatten)]
    pub gpp: GppArgs,
    /// Values of the document's parameters: {"parameters": {"name": value}} (JSON or YAML), as for dsc.
    #[arg(long, value_name = "FILE")]
    pub parameters_file: Option<PathBuf>,
    /// A securestring parameter read from standard input, one line each, in order: --secret nasPassword=-
    #[arg(long, value_name = "NAME=-")]
    pub secret: Vec<String>,
}

/// `mapdrive apply FILE`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Stop at the first failed item (by default the others go on; dependants are skipped).
    #[arg(long)]
    pub stop_on_error: bool,
    /// Report what would change, change nothing.
    #[arg(long)]
    pub check: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `mapdrive test FILE`: the detection half of a detection/remediation pair.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Print JSON instead of a table (the summary is its `summary` field).
    #[arg(long)]
    pub json: bool,
}

/// `mapdrive export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the document as JSON instead of YAML.
    #[arg(long)]
    pub json: bool,
}

/// Runs `mapdrive apply`.
pub fn apply(
    a: &ApplyArgs,
    port: &mut dyn Port,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    let options = Options {
        check: a.check,
        json: a.json,
        stop_on_error: a.stop_on_error,
    };
    let report = run(&a.document, options, port, input)?;
    summarize(
        port,
        engine::audit::Run::Apply { check: a.check },
        &a.document.file,
        &report,
    );
    Ok(super::render(&report, a.json, false))
}

/// Runs `mapdrive test`: changes nothing; exit 0 when every item holds its desired state, 1 when
/// any does not (Intune's detection convention), 2 for bad input.
pub fn test(
    a: &TestArgs,
    port: &mut dyn Port,
    input: &mut dyn SecretInput,
) -> Result<Report, Error> {
    let options = Options {
        check: true,
        json: a.json,
        stop_on_error: false,
    };
    let report = run(&a.document, options, port, input)?;
    summarize(port, engine::audit::Run::Test, &a.document.file, &report);
    Ok(super::render(&report, a.json, true))
}

/// The run's summary event in the Application log (the engine decides whether there is one).
fn summarize(
    port: &mut dyn Port,
    run: engine::audit::Run,
    file: &Path,
    report: &super::ApplyReport,
) {
    let full = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    engine::audit::report_summary(
        port,
        run,
        &full.to_string_lossy(),
        report.changed,
        report.failed,
        &report.summary,
    );
}

/// Reads the document, its parameters and stdin secrets, and applies it (or checks it).
fn run(
    document: &DocumentArgs,
    options: Options,
    port: &mut dyn Port,
    input: &mut dyn SecretInput,
) -> Result<super::ApplyReport, Error> {
    let secrets = &document.secret;
    let text = super::text::read_file(&document.file, "the document")?;
    let gpp_args = document.gpp;
    if super::gpp::is_xml(&text) {
        return run_gpp(
            &document.file,
            &text,
            document.parameters_file.as_ref(),
            secrets,
            gpp_args,
            options,
            port,
        );
    }
    if gpp_args.session.is_some() || gpp_args.unevaluable_filters.is_some() {
        return Err(Error::Input(InputError::Conflict(
            "--session and --unevaluable-filters are for Group Policy Drives.xml files; in a DSC \
             document each Mapdrive/MappedDrive resource has its own session property"
                .into(),
        )));
    }
    // Secrets may be in it: wiped when dropped.
    let params = document
        .parameters_file
        .as_ref()
        .map(|p| super::text::read_file(p, "the parameters file"))
        .transpose()?;
    let mut stdin_parameters = BTreeMap::new();
    for s in secrets {
        let Some(name) = s.strip_suffix("=-").filter(|n| !n.is_empty()) else {
            // Never repeat what was typed: it may be the secret itself.
            return Err(Error::Input(InputError::Conflict(
                "--secret takes NAME=- (not repeated here): the value is read from standard input, \
                 never from the command line"
                    .into(),
            )));
        };
        if stdin_parameters.contains_key(name) {
            return Err(Error::Input(InputError::Conflict(format!(
                "--secret {name}=- is given twice: give each parameter once, one line of standard \
                 input each, in order"
            ))));
        }
        let secret = engine::read_secret(input, SecretSource::Stdin { flag: "--secret" }, "secret")
            .map_err(|e| {
                Error::Input(InputError::Conflict(format!(
                    "--secret {name}=- (line {} of standard input): {e}",
                    stdin_parameters.len() + 1
                )))
            })?;
        stdin_parameters.insert(name.to_string(), secret);
    }
    if !secrets.is_empty() && input.stdin_has_more().unwrap_or(false) {
        return Err(Error::Input(InputError::Conflict(format!(
            "standard input holds more lines than the {} --secret option(s) read from it: give \
             one --secret NAME=- per line, in order (the extra lines are not repeated here)",
            secrets.len()
        ))));
    }
    let env = |name: &str| std::env::var(name).ok();
    let inputs = Inputs {
        parameters_file: params.as_ref().map(|p| p.as_str()),
        stdin_parameters,
        env: &env,
    };
    super::apply(port, &text, &inputs, options)
}

/// Runs a Group Policy `Drives.xml`.
fn run_gpp(
    file: &Path,
    text: &str,
    parameters_file: Option<&PathBuf>,
    secrets: &[String],
    gpp_args: GppArgs,
    options: Options,
    port: &mut dyn Port,
) -> Result<super::ApplyReport, Error> {
    if parameters_file.is_some() || !secrets.is_empty() {
        return Err(Error::Input(InputError::Conflict(
            "--parameters-file and --secret are for DSC documents: a Drives.xml has no parameters \
             (and mapdrive refuses passwords in it, MS14-025)"
                .into(),
        )));
    }
    let shown = file.to_string_lossy().to_string();
    let unevaluable = match gpp_args.unevaluable_filters.unwrap_or_default() {
        UnevaluableArg::Refuse => UnevaluablePolicy::Refuse,
        UnevaluableArg::Skip => UnevaluablePolicy::Skip,
    };
    let maps = super::gpp::load(text, &shown, unevaluable)?;
    let full = std::path::absolute(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .to_string_lossy()
        .to_string();
    super::gpp::apply(
        port,
        &maps,
        &full,
        super::gpp::GppOptions {
            check: options.check,
            session: gpp_args.session.unwrap_or_default(),
            unevaluable,
        },
    )
}

/// Runs `mapdrive export`.
pub fn export(a: &ExportArgs, port: &mut dyn Port) -> Result<Report, Error> {
    super::export(port, a.json)
}

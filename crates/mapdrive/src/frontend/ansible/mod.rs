//! The Ansible front-end: `mapdrive.exe ARGS_FILE` runs as an Ansible binary module
//! (`win_mapped_drive`, `win_credential`, `win_mapped_drive_info` of the `mapdrive.windows`
//! collection).
//!
//! Protocol (ansible-core's binary modules): `argv[1]` names a file holding one flat JSON object
//! (the task's options plus `_ansible_*` keys; an `ANSIBLE_MODULE_ARGS` wrapper is accepted
//! too), or is `-`: the same JSON on standard input (what the collection's PowerShell shim
//! passes, so that a secret is never written to a file; see [`input`]); the module is chosen by the last dotted part of `_ansible_module_name`, else by the
//! exe's file name (`win_credential.exe`, `AnsiballZ_win_credential.exe`); exactly one ASCII
//! JSON object goes to stdout. Options are validated with Ansible's coercion and wording
//! ([`spec`]); the modules build [`mapdrive_core::engine::Request`]s and render what comes back.

mod credential;
mod info;
pub mod input;
mod mapped_drive;
pub mod spec;

#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use mapdrive_core::engine::Response;
use mapdrive_core::error::{Error, lookup};
use mapdrive_core::port::Port;
use spec::{Params, Spec};

/// The modules this exe implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// `win_mapped_drive`.
    MappedDrive,
    /// `win_credential`.
    Credential,
    /// `win_mapped_drive_info`.
    MappedDriveInfo,
}

impl Module {
    /// Every module, with its name.
    pub const ALL: [(Module, &'static str); 3] = [
        (Module::MappedDrive, "win_mapped_drive"),
        (Module::Credential, "win_credential"),
        (Module::MappedDriveInfo, "win_mapped_drive_info"),
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Module::MappedDrive => "win_mapped_drive",
            Module::Credential => "win_credential",
            Module::MappedDriveInfo => "win_mapped_drive_info",
        }
    }

    /// By name (the last dotted part of an FQCN counts).
    pub fn from_name(name: &str) -> Option<Module> {
        let last = name.rsplit('.').next().unwrap_or(name);
        Module::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(last))
            .map(|(m, _)| *m)
    }

    /// By the exe's file name: `win_credential.exe`, `AnsiballZ_win_credential.exe`.
    pub fn from_exe(path: &Path) -> Option<Module> {
        // The last component, whichever separator the path uses.
        let name = path.to_str()?.rsplit(['\\', '/']).next()?;
        let stem = name
            .rsplit_once('.')
            .filter(|(_, ext)| ext.eq_ignore_ascii_case("exe"))
            .map_or(name, |(stem, _)| stem);
        let stem = stem
            .strip_prefix("AnsiballZ_")
            .or_else(|| stem.strip_prefix("ansiballz_"))
            .unwrap_or(stem);
        Module::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(stem))
            .map(|(m, _)| *m)
    }

    fn spec(self) -> &'static Spec {
        match self {
            Module::MappedDrive => &mapped_drive::SPEC,
            Module::Credential => &credential::SPEC,
            Module::MappedDriveInfo => &info::SPEC,
        }
    }
}

/// Whether this process was started as an Ansible module: one argument naming an existing
/// file that is not a mapdrive command, or an exe named after a module.
pub fn is_module_invocation(exe: &Path, args: &[std::ffi::OsString]) -> bool {
    if Module::from_exe(exe).is_some() {
        return true;
    }
    match args {
        // `-`: the arguments on standard input (the CLI has no use for a lone `-`).
        [one] if one == input::STDIN_ARGUMENT => true,
        [one] => {
            // A command name (any case, as the CLI accepts them), an option or `/?` is the CLI,
            // even when a file of that name happens to exist in the working directory.
            let is_command = one.to_str().is_some_and(|s| {
                s.starts_with('-')
                    || (s.starts_with('/') && s.len() <= 3)
                    || s.eq_ignore_ascii_case("help")
                    || <crate::cli::Cli as clap::CommandFactory>::command()
                        .get_subcommands()
                        .any(|c| c.get_name().eq_ignore_ascii_case(s))
            });
            !is_command && Path::new(one).is_file()
        }
        _ => false,
    }
}

/// A module failure: the message, extra result keys, and whether something stayed changed.
#[derive(Debug, Default)]
pub(crate) struct Failure {
    msg: String,
    extra: Map<String, Value>,
    changed: bool,
}

impl Failure {
    fn msg(msg: impl Into<String>) -> Failure {
        Failure {
            msg: msg.into(),
            ..Failure::default()
        }
    }

    /// A core error: its message, remedy and Win32 code as result keys.
    fn from_error(e: &Error) -> Failure {
        let mut extra = Map::new();
        if let Some(r) = e.remedy() {
            extra.insert("remedy".into(), json!(r));
        }
        if let Some(code) = e.code() {
            extra.insert("win32_error".into(), json!(code));
            if let Some(info) = lookup(code) {
                extra.insert("win32_error_name".into(), json!(info.name));
            }
        }
        extra.insert("error_kind".into(), json!(e.kind()));
        Failure {
            msg: e.to_string(),
            extra,
            changed: e.left_changed(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::from_error(&e)
    }
}

/// What a module returns on success (without `changed`/`invocation`, added here).
pub(crate) struct Success {
    changed: bool,
    result: Map<String, Value>,
    diff: Option<Value>,
    warnings: Vec<String>,
}

/// The common result keys of a change: `changed`, warnings, and what was (or would be) done.
fn change_result(response: &Response) -> (bool, Map<String, Value>, Vec<String>) {
    let mut result = Map::new();
    let actions: Vec<&String> = response
        .outcomes
        .iter()
        .flat_map(|(_, o)| &o.actions)
        .collect();
    result.insert("actions".into(), json!(actions));
    (response.changed(), result, response.warnings())
}

/// Runs the invocation `is_module_invocation` accepted: reads the arguments from the file named by
/// the one argument, or from standard input when it is `-` ([`input`]: encodings, size limit),
/// and returns the one JSON line for stdout and the exit code (0: Ansible reads `failed` from the
/// JSON; 1 when the arguments cannot be read). `port` is `None` where there is no Windows.
pub fn run_invocation(
    exe: &Path,
    args: &[std::ffi::OsString],
    port: Option<&mut dyn Port>,
) -> (String, u8) {
    let module = Module::from_exe(exe);
    let [arg] = args else {
        return (
            failed_without_params(
                "an Ansible module takes exactly one argument: the path of the arguments file, or - \
                 to read the arguments from standard input",
            ),
            1,
        );
    };
    match input::read(arg) {
        // `text` may hold a secret: it is wiped when dropped.
        Ok(text) => (run(&text, module, port), 0),
        Err(msg) => (failed_without_params(&msg), 1),
    }
}

/// Runs one module from the arguments' JSON text (from the file or standard input).
pub fn run(args: &str, exe_module: Option<Module>, port: Option<&mut dyn Port>) -> String {
    let parsed: Map<String, Value> = match serde_json::from_str(args) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return failed_without_params("the module arguments are not a JSON object"),
        Err(e) => {
            return failed_without_params(&format!(
                "the module arguments are not JSON ({e}); mapdrive.exe runs as an Ansible module when \
                 given the path of Ansible's arguments file, or - with the arguments on standard input"
            ));
        }
    };
    let inner = match parsed.get("ANSIBLE_MODULE_ARGS") {
        Some(Value::Object(m)) => m,
        _ => &parsed,
    };
    let by_name = inner
        .get("_ansible_module_name")
        .and_then(Value::as_str)
        .map(|n| (n.to_string(), Module::from_name(n)));
    let module = match (by_name, exe_module) {
        (Some((_, Some(m))), _) => m,
        (_, Some(m)) => m,
        (Some((name, None)), None) => {
            return failed_without_params(&format!(
                "mapdrive.exe does not implement the module {name}; it implements {}",
                module_names()
            ));
        }
        (None, None) => {
            return failed_without_params(&format!(
                "no module named: set _ansible_module_name or name the exe after a module ({})",
                module_names()
            ));
        }
    };
    let spec = module.spec();
    let mut params = match spec::validate(module.name(), spec, parsed) {
        Ok(p) => p,
        Err(msg) => return failed_without_params(&msg),
    };
    let given_secrets = params.given_secrets();
    let scrub = params.secret_values();
    let invocation = params.invocation(spec, &given_secrets);
    let outcome = match port {
        None => Err(Failure::msg(
            "mapdrive's Ansible modules manage Windows mapped drives and saved credentials: they run on \
             Windows hosts only",
        )),
        Some(port) => match module {
            Module::MappedDrive => mapped_drive::run(&mut params, port),
            Module::Credential => credential::run(&mut params, port),
            Module::MappedDriveInfo => info::run(&mut params, port),
        },
    };
    let mut out = Map::new();
    match outcome {
        Ok(s) => {
            out.insert("changed".into(), json!(s.changed));
            out.extend(s.result);
            if params.diff
                && let Some(d) = s.diff
            {
                out.insert("diff".into(), d);
            }
            let warnings: Vec<String> = params.warnings.iter().cloned().chain(s.warnings).collect();
            if !warnings.is_empty() {
                out.insert("warnings".into(), json!(warnings));
            }
        }
        Err(f) => {
            out.insert("failed".into(), json!(true));
            out.insert("changed".into(), json!(f.changed));
            out.insert("msg".into(), json!(f.msg));
            out.extend(f.extra);
            if !params.warnings.is_empty() {
                out.insert("warnings".into(), json!(params.warnings));
            }
        }
    }
    out.insert("invocation".into(), invocation);
    let mut value = Value::Object(out);
    scrub_secrets(&mut value, &scrub);
    ascii_json(&value)
}

fn module_names() -> String {
    Module::ALL.map(|(_, n)| n).join(", ")
}

fn failed_without_params(msg: &str) -> String {
    ascii_json(&json!({ "failed": true, "changed": false, "msg": msg }))
}

/// Replaces any `no_log` value found inside a result string, as Ansible's `remove_values` does
/// (defence in depth: the modules never put secrets in results).
fn scrub_secrets(v: &mut Value, secrets: &[Zeroizing<String>]) {
    match v {
        Value::String(s) => {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "********");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| scrub_secrets(i, secrets)),
        Value::Object(map) => map.values_mut().for_each(|i| scrub_secrets(i, secrets)),
        _ => {}
    }
}

/// One line of JSON, non-ASCII escaped as `\uXXXX` (survives any console code page).
pub fn ascii_json(v: &Value) -> String {
    crate::frontend::json::line(v)
}

/// Reads the session option every module has.
fn session_of(params: &Params) -> Result<mapdrive_core::engine::SessionChoice, Failure> {
    params
        .str("session")
        .unwrap_or("auto")
        .parse()
        .map_err(|e: mapdrive_core::error::InputError| Failure::msg(e.to_string()))
}

//! Argument specs and Ansible's type coercion: what `Ansible.Basic` (and Python's
//! `AnsibleModule`) do with a module's options before the module sees them, with the same
//! wording for every failure.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The mask Ansible puts in place of a `no_log` value.
pub const NO_LOG_MASK: &str = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";

/// An option's type.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `str`: numbers and booleans are turned into text.
    Str,
    /// `path`: a string with `%VAR%` environment variables expanded.
    Path,
    /// `bool`: Ansible's spellings (`yes`/`no`, `true`/`false`, `on`/`off`, `1`/`0`, `y`/`n`, `t`/`f`).
    Bool,
    /// `list` of `dict`s with these sub-options.
    ListOfDicts(&'static [Opt]),
}

/// One option.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Default (a string for `str` options, `"true"`/`"false"` for `bool` ones).
    pub default: Option<&'static str>,
    /// Allowed values (compared case-insensitively, as `Ansible.Basic` does; stored as listed).
    pub choices: &'static [&'static str],
    /// A secret: never echoed, masked in `invocation`.
    pub no_log: bool,
}

impl Opt {
    /// A plain optional `str` option.
    pub const fn str(name: &'static str) -> Opt {
        Opt {
            name,
            kind: Kind::Str,
            required: false,
            default: None,
            choices: &[],
            no_log: false,
        }
    }

    /// A `bool` option with a default.
    pub const fn bool(name: &'static str, default: bool) -> Opt {
        Opt {
            name,
            kind: Kind::Bool,
            required: false,
            default: Some(if default { "true" } else { "false" }),
            choices: &[],
            no_log: false,
        }
    }

    /// A `str` option limited to `choices`.
    pub const fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        default: Option<&'static str>,
    ) -> Opt {
        Opt {
            name,
            kind: Kind::Str,
            required: false,
            default,
            choices,
            no_log: false,
        }
    }

    /// Makes it required.
    pub const fn required(mut self) -> Opt {
        self.required = true;
        self
    }

    /// Marks it `no_log`.
    pub const fn secret(mut self) -> Opt {
        self.no_log = true;
        self
    }

    /// Makes it a `path`.
    pub const fn path(mut self) -> Opt {
        self.kind = Kind::Path;
        self
    }
}

/// A module's argument spec.
#[derive(Debug)]
pub struct Spec {
    pub options: &'static [Opt],
    /// `required_if`: when option `.0` equals `.1`, all of `.2` must be given.
    pub required_if: &'static [(&'static str, &'static str, &'static [&'static str])],
}

/// Validated options: plain values (defaults applied) and the secrets, kept apart. Its `Debug`
/// names the secret options but never shows their values.
#[derive(Default)]
pub struct Params {
    values: Map<String, Value>,
    secrets: BTreeMap<&'static str, Zeroizing<String>>,
    /// `_ansible_check_mode`.
    pub check_mode: bool,
    /// `_ansible_diff`.
    pub diff: bool,
    /// Warnings produced while validating.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params")
            .field("values", &self.values)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("check_mode", &self.check_mode)
            .field("diff", &self.diff)
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Params {
    /// A string option (`None` when omitted and without default).
    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(Value::as_str)
    }

    /// A bool option (`false` when omitted and without default).
    pub fn bool(&self, name: &str) -> bool {
        self.values
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// A list option.
    pub fn list(&self, name: &str) -> Option<&Vec<Value>> {
        self.values.get(name).and_then(Value::as_array)
    }

    /// Whether the task gave the option (or it has a default).
    pub fn has(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| !v.is_null()) || self.secrets.contains_key(name)
    }

    /// A `no_log` option, taken out (so it is wiped once used).
    pub fn take_secret(&mut self, name: &str) -> Option<Zeroizing<String>> {
        self.secrets.remove(name)
    }

    /// Every secret value still held (for scrubbing output).
    pub fn secret_values(&self) -> Vec<Zeroizing<String>> {
        self.secrets.values().cloned().collect()
    }

    /// `invocation.module_args`: every option, `no_log` ones masked.
    pub fn invocation(&self, spec: &Spec, given_secrets: &[&'static str]) -> Value {
        let mut args = Map::new();
        for opt in spec.options {
            let v = if opt.no_log {
                if given_secrets.contains(&opt.name) {
                    Value::String(NO_LOG_MASK.into())
                } else {
                    Value::Null
                }
            } else {
                self.values.get(opt.name).cloned().unwrap_or(Value::Null)
            };
            args.insert(opt.name.to_string(), v);
        }
        serde_json::json!({ "module_args": args })
    }

    /// Names of the `no_log` options the task gave.
    pub fn given_secrets(&self) -> Vec<&'static str> {
        self.secrets.keys().copied().collect()
    }
}

/// Ansible's true spellings (compared case-insensitively).
const TRUE_WORDS: &[&str] = &["yes", "on", "1", "true", "y", "t", "1.0"];
/// Ansible's false spellings.
const FALSE_WORDS: &[&str] = &["no", "off", "0", "false", "n", "f", "0.0"];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn conversion_error(name: &str, v: &Value, to: &str, why: &str) -> String {
    format!(
        "argument for {name} is of type {} and we were unable to convert to {to}: {why}",
        type_name(v)
    )
}

/// Ansible's bool conversion.
pub fn to_bool(name: &str, v: &Value) -> Result<bool, String> {
    let word = match v {
        Value::Bool(b) => return Ok(*b),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => String::new(),
    };
    if TRUE_WORDS.contains(&word.as_str()) {
        Ok(true)
    } else if FALSE_WORDS.contains(&word.as_str()) {
        Ok(false)
    } else {
        Err(conversion_error(
            name,
            v,
            "bool",
            &format!(
                "The value '{}' is not a valid boolean. Valid booleans include: 'yes', 'no', 'true', 'false', \
                 'on', 'off', '1', '0', 'y', 'n', 't', 'f'",
                match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }
            ),
        ))
    }
}

fn to_str(name: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(if *b { "True" } else { "False" }.into()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(conversion_error(
            name,
            other,
            "str",
            "only text, numbers and booleans convert to a string",
        )),
    }
}

/// Expands `%VAR%` (Windows `ExpandEnvironmentStrings`): unknown variables stay as written.
pub fn expand_env(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) if end > 0 => {
                let var = &after[..end];
                match std::env::var(var) {
                    Ok(val) => out.push_str(&val),
                    Err(_) => {
                        out.push('%');
                        out.push_str(var);
                        out.push('%');
                    }
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_choice(opt: &Opt, s: String) -> Result<String, String> {
    if opt.choices.is_empty() {
        return Ok(s);
    }
    opt.choices
        .iter()
        .find(|c| c.eq_ignore_ascii_case(&s))
        .map(|c| (*c).to_string())
        .ok_or_else(|| {
            format!(
                "value of {} must be one of: {}. Got no match for: {s}",
                opt.name,
                opt.choices.join(", ")
            )
        })
}

/// Validates `raw` against `options` (`module` names the module in messages; `context` is the
/// parent option for sub-options). Secrets are moved into `secrets`.
fn validate_options(
    module: &str,
    options: &'static [Opt],
    mut raw: Map<String, Value>,
    context: Option<&str>,
    secrets: &mut BTreeMap<&'static str, Zeroizing<String>>,
) -> Result<Map<String, Value>, String> {
    let mut unsupported: Vec<&String> = raw
        .keys()
        .filter(|k| !k.starts_with("_ansible_") && !options.iter().any(|o| o.name == k.as_str()))
        .collect();
    if !unsupported.is_empty() {
        unsupported.sort();
        let mut supported: Vec<&str> = options.iter().map(|o| o.name).collect();
        supported.sort_unstable();
        let names: Vec<&str> = unsupported.iter().map(|s| s.as_str()).collect();
        return Err(match context {
            None => format!(
                "Unsupported parameters for ({module}) module: {}. Supported parameters include: {}",
                names.join(", "),
                supported.join(", ")
            ),
            Some(parent) => format!(
                "Unsupported parameters for ({module}) module: {} found in {parent}. Supported parameters include: {}",
                names.join(", "),
                supported.join(", ")
            ),
        });
    }
    let missing: Vec<&str> = options
        .iter()
        .filter(|o| o.required && raw.get(o.name).is_none_or(Value::is_null))
        .map(|o| o.name)
        .collect();
    if !missing.is_empty() {
        return Err(match context {
            None => format!("missing required arguments: {}", missing.join(", ")),
            Some(parent) => format!(
                "missing required arguments: {} found in {parent}",
                missing.join(", ")
            ),
        });
    }
    let mut out = Map::new();
    for opt in options {
        let given = raw.remove(opt.name).filter(|v| !v.is_null());
        let value = match (given, opt.default) {
            (Some(v), _) => Some(v),
            (None, Some(d)) => Some(match opt.kind {
                Kind::Bool => Value::Bool(d == "true"),
                _ => Value::String(d.into()),
            }),
            (None, None) => None,
        };
        let Some(mut value) = value else {
            out.insert(opt.name.into(), Value::Null);
            continue;
        };
        let converted = match opt.kind {
            Kind::Bool => Value::Bool(to_bool(opt.name, &value)?),
            Kind::Str | Kind::Path if opt.no_log => {
                // Take the text out of the JSON tree so only the zeroizing copy remains.
                let text = match &mut value {
                    Value::String(s) => Zeroizing::new(std::mem::take(s)),
                    other => Zeroizing::new(to_str(opt.name, other)?),
                };
                secrets.insert(opt.name, text);
                continue;
            }
            Kind::Str => Value::String(check_choice(opt, to_str(opt.name, &value)?)?),
            Kind::Path => Value::String(expand_env(&to_str(opt.name, &value)?)),
            Kind::ListOfDicts(sub) => {
                let items = match value {
                    Value::Array(items) => items,
                    other => {
                        return Err(conversion_error(
                            opt.name,
                            &other,
                            "list",
                            "give a list of dictionaries",
                        ));
                    }
                };
                let mut list = Vec::new();
                for item in items {
                    let Value::Object(map) = item else {
                        return Err(format!(
                            "Elements value for option '{}' is of type {} and we were unable to convert to dict",
                            opt.name,
                            type_name(&item)
                        ));
                    };
                    let mut nested = BTreeMap::new();
                    let v = validate_options(module, sub, map, Some(opt.name), &mut nested)?;
                    list.push(Value::Object(v));
                }
                Value::Array(list)
            }
        };
        out.insert(opt.name.into(), converted);
    }
    Ok(out)
}

/// Reads the arguments file's JSON (flat, or wrapped in `ANSIBLE_MODULE_ARGS`) and validates it.
pub fn validate(module: &str, spec: &Spec, args: Map<String, Value>) -> Result<Params, String> {
    let mut args = match args.get("ANSIBLE_MODULE_ARGS") {
        Some(Value::Object(inner)) if args.len() == 1 => inner.clone(),
        _ => args,
    };
    let check_mode = match args.get("_ansible_check_mode") {
        Some(v) => to_bool("_ansible_check_mode", v)?,
        None => false,
    };
    let diff = match args.get("_ansible_diff") {
        Some(v) => to_bool("_ansible_diff", v)?,
        None => false,
    };
    args.retain(|k, _| !k.starts_with("_ansible_"));
    let mut secrets = BTreeMap::new();
    let values = validate_options(module, spec.options, args, None, &mut secrets)?;
    let params = Params {
        values,
        secrets,
        check_mode,
        diff,
        warnings: Vec::new(),
    };
    for (key, wanted, needed) in spec.required_if {
        if params.str(key) == Some(*wanted) {
            let missing: Vec<&str> = needed.iter().copied().filter(|n| !params.has(n)).collect();
            if !missing.is_empty() {
                return Err(format!(
                    "{key} is {wanted} but all of the following are missing: {}",
                    missing.join(", ")
                ));
            }
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OPTS: &[Opt] = &[
        Opt::str("letter").required(),
        Opt::str("path").path(),
        Opt::choice("state", &["absent", "present"], Some("present")),
        Opt::str("password").secret(),
        Opt::bool("persistent", true),
    ];
    const SPEC: Spec = Spec {
        options: OPTS,
        required_if: &[("state", "present", &["path"])],
    };

    fn run(v: Value) -> Result<Params, String> {
        let Value::Object(m) = v else { unreachable!() };
        validate("win_x", &SPEC, m)
    }

    #[test]
    fn ansible_bool_spellings_and_defaults() {
        for (word, want) in [
            ("yes", true),
            ("No", false),
            ("ON", true),
            ("off", false),
            ("1", true),
            ("0", false),
            ("True", true),
            ("f", false),
        ] {
            let p = run(json!({"letter": "M", "path": "x", "persistent": word})).unwrap();
            assert_eq!(p.bool("persistent"), want, "{word}");
        }
        let p = run(json!({"letter": "M", "path": "x", "persistent": 0})).unwrap();
        assert!(!p.bool("persistent"));
        let p = run(json!({"letter": "M", "path": "x"})).unwrap();
        assert!(p.bool("persistent"));
        assert_eq!(p.str("state"), Some("present"));
        let e = run(json!({"letter": "M", "path": "x", "persistent": "maybe"})).unwrap_err();
        assert!(e.contains("is not a valid boolean"), "{e}");
    }

    #[test]
    fn ansible_wording_for_unknown_missing_choices_and_required_if() {
        assert_eq!(
            run(json!({"letter": "M", "path": "x", "foo": 1, "_ansible_new_key": 2})).unwrap_err(),
            "Unsupported parameters for (win_x) module: foo. Supported parameters include: letter, password, path, persistent, state"
        );
        assert_eq!(
            run(json!({"path": "x"})).unwrap_err(),
            "missing required arguments: letter"
        );
        assert_eq!(
            run(json!({"letter": "M", "state": "gone"})).unwrap_err(),
            "value of state must be one of: absent, present. Got no match for: gone"
        );
        assert_eq!(
            run(json!({"letter": "M"})).unwrap_err(),
            "state is present but all of the following are missing: path"
        );
        let p = run(json!({"letter": 5, "state": "ABSENT"})).unwrap();
        assert_eq!(p.str("letter"), Some("5"));
        assert_eq!(p.str("state"), Some("absent"));
    }

    #[test]
    fn wrapper_internal_keys_and_secrets() {
        let mut p = run(json!({"ANSIBLE_MODULE_ARGS": {
            "letter": "M", "path": "x", "password": "s3cret",
            "_ansible_check_mode": "yes", "_ansible_diff": true, "_ansible_tracebacks_for": []
        }}))
        .unwrap();
        assert!(p.check_mode && p.diff);
        let inv = p.invocation(&SPEC, &p.given_secrets()).to_string();
        assert!(
            inv.contains(NO_LOG_MASK) && !inv.contains("s3cret"),
            "{inv}"
        );
        assert_eq!(p.take_secret("password").unwrap().as_str(), "s3cret");
    }

    #[test]
    fn env_expansion() {
        // SAFETY-free: tests only read a variable set here.
        let home = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand_env("%PATH%\\x"), format!("{home}\\x"));
        assert_eq!(
            expand_env("%NO_SUCH_VAR_MAPDRIVE%\\x"),
            "%NO_SUCH_VAR_MAPDRIVE%\\x"
        );
        assert_eq!(expand_env("50%"), "50%");
    }
}

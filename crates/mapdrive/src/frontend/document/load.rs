//! Reading a configuration document: its shape, parameters, expressions and secrets, resolved
//! and validated as a whole before anything changes; and the order `dependsOn` gives.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::expr::{self, Expr, Text};
use super::{Inputs, bad, text};
use crate::frontend::dsc::error_text;
use crate::frontend::dsc::resources::{Instance, Kind};
use crate::frontend::dsc::types::SecretField;
use mapdrive_core::domain::Secret;
use mapdrive_core::engine::secret_from_text;
use mapdrive_core::error::Error;

/// One resolved item.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) instance: Instance,
    pub(super) depends_on: Vec<usize>,
}

/// A declared parameter.
struct Parameter {
    kind: String,
    default: Option<Value>,
    allowed: Option<Vec<Value>>,
}

/// Whether `v` is of the parameter type `kind` (as dsc checks a value and a `defaultValue`).
fn of_type(kind: &str, v: &Value) -> bool {
    match kind.to_ascii_lowercase().as_str() {
        "string" | "securestring" => v.is_string(),
        "int" => v.is_i64() || v.is_u64(),
        "bool" => v.is_boolean(),
        "object" | "secureobject" => v.is_object(),
        "array" => v.is_array(),
        _ => false,
    }
}

struct Resolver<'a> {
    declared: BTreeMap<String, Parameter>,
    given: Map<String, Value>,
    inputs: &'a Inputs<'a>,
}

impl Drop for Resolver<'_> {
    /// The parameters file may hold secrets: wipe every string of it.
    fn drop(&mut self) {
        fn wipe(v: &mut Value) {
            match v {
                Value::String(s) => s.zeroize(),
                Value::Array(a) => a.iter_mut().for_each(wipe),
                Value::Object(o) => o.values_mut().for_each(wipe),
                _ => {}
            }
        }
        self.given.values_mut().for_each(wipe);
    }
}

impl Resolver<'_> {
    fn parameter(&self, name: &str, item: &str) -> Result<Value, Error> {
        let p = self.declared.get(name).ok_or_else(|| {
            bad(format!(
                "item {item:?}: parameter {name:?} is not declared in the document's parameters"
            ))
        })?;
        if p.kind.eq_ignore_ascii_case("securestring")
            || p.kind.eq_ignore_ascii_case("secureobject")
        {
            return Err(bad(format!(
                "item {item:?}: the {} parameter {name:?} may only give a credential's secret",
                p.kind
            )));
        }
        if self.inputs.stdin_parameters.contains_key(name) {
            return Err(bad(format!(
                "--secret {name}=- is for securestring parameters; {name:?} is a {}",
                p.kind
            )));
        }
        let value = self
            .given
            .get(name)
            .cloned()
            .or_else(|| p.default.clone())
            .ok_or_else(|| {
                bad(format!(
                    "parameter {name:?} has no value: give it in --parameters-file or declare a defaultValue"
                ))
            })?;
        if !of_type(&p.kind, &value) {
            return Err(bad(format!(
                "parameter {name:?} is declared {} but its value is not one (the value is not repeated here)",
                p.kind
            )));
        }
        if let Some(allowed) = &p.allowed
            && !allowed.contains(&value)
        {
            return Err(bad(format!(
                "parameter {name:?}: its value is not one of its allowedValues (the value is not repeated here)"
            )));
        }
        Ok(value)
    }

    fn env(&self, name: &str, item: &str) -> Result<String, Error> {
        (self.inputs.env)(name).ok_or_else(|| {
            bad(format!(
                "item {item:?}: the environment variable {name} is not set"
            ))
        })
    }

    /// Resolves every expression inside `v` (not `dependsOn`, not a secret).
    fn resolve(&self, v: Value, item: &str) -> Result<Value, Error> {
        Ok(match v {
            Value::String(s) => {
                match expr::parse(&s).map_err(|e| bad(format!("item {item:?}: {e}")))? {
                    Text::Literal(l) => Value::String(l),
                    Text::Expr(Expr::Parameter(p)) => self.parameter(&p, item)?,
                    Text::Expr(Expr::EnvVar(n)) => Value::String(self.env(&n, item)?),
                    Text::Expr(Expr::ResourceId(..)) => {
                        return Err(bad(format!(
                            "item {item:?}: resourceId() belongs in dependsOn, not in properties"
                        )));
                    }
                }
            }
            Value::Array(a) => Value::Array(
                a.into_iter()
                    .map(|x| self.resolve(x, item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, x)| Ok((k, self.resolve(x, item)?)))
                    .collect::<Result<_, Error>>()?,
            ),
            other => other,
        })
    }

    /// A credential's secret: only from a securestring parameter (a parameters file or
    /// standard input) or an environment variable, never a literal in the file (MS14-025).
    fn secret(&self, v: &Value, item: &str) -> Result<Secret, Error> {
        let literal = || {
            bad(format!(
                "item {item:?}: the secret is written in the file in plain text, which mapdrive refuses \
                 (the Group Policy cpassword lesson, MS14-025: anyone who can read the file has the \
                 password); use \"[parameters('name')]\" with a securestring parameter given by \
                 --parameters-file or --secret name=- (standard input), or \"[envvar('NAME')]\""
            ))
        };
        let text = match secret_source(v) {
            SecretSource::Literal => return Err(literal()),
            SecretSource::Env(n) => Zeroizing::new(self.env(&n, item)?),
            SecretSource::Parameter(p) => {
                let decl = self.declared.get(&p).ok_or_else(|| {
                    bad(format!(
                        "item {item:?}: parameter {p:?} is not declared in the document's parameters"
                    ))
                })?;
                if !decl.kind.eq_ignore_ascii_case("securestring") {
                    return Err(bad(format!(
                        "item {item:?}: the secret comes from parameter {p:?} of type {}: declare it \
                         `type: securestring` so dsc redacts it too",
                        decl.kind
                    )));
                }
                if decl.default.is_some() {
                    return Err(literal());
                }
                if let Some(s) = self.inputs.stdin_parameters.get(&p) {
                    return Ok(s.clone());
                }
                match self.given.get(&p) {
                    Some(Value::String(s)) => Zeroizing::new(s.clone()),
                    Some(Value::Object(o)) => match o.get("secureString") {
                        Some(Value::String(s)) => Zeroizing::new(s.clone()),
                        _ => return Err(bad(format!("parameter {p:?} is not a string"))),
                    },
                    Some(_) => return Err(bad(format!("parameter {p:?} is not a string"))),
                    None => {
                        return Err(bad(format!(
                            "item {item:?}: securestring parameter {p:?} has no value: give it with \
                             --parameters-file, or --secret {p}=- on standard input"
                        )));
                    }
                }
            }
        };
        Ok(secret_from_text(text, "secret")?)
    }
}

/// Where a credential's `secret` property takes its value from.
enum SecretSource {
    /// Written in the file (not a string, not an expression, or an expression that is not a
    /// parameter or an environment variable): refused, MS14-025.
    Literal,
    /// `[envvar('NAME')]`.
    Env(String),
    /// `[parameters('name')]` (a literal too when the parameter has a `defaultValue`).
    Parameter(String),
}

fn secret_source(v: &Value) -> SecretSource {
    let Value::String(s) = v else {
        return SecretSource::Literal;
    };
    // A string that is not an expression is a literal secret.
    match expr::parse(s) {
        Ok(Text::Expr(Expr::EnvVar(n))) => SecretSource::Env(n),
        Ok(Text::Expr(Expr::Parameter(p))) => SecretSource::Parameter(p),
        _ => SecretSource::Literal,
    }
}

/// Refuses a document that writes a secret in the file itself: a credential's `secret` that is
/// a literal, or a parameter whose `defaultValue` holds it (what [`load`] refuses as it resolves
/// the document; here without resolving anything, so no parameter or environment value is
/// needed). The message names the item, never the value.
pub(super) fn refuse_literal_secrets(text: &str) -> Result<(), Error> {
    let doc = text::parse(text, "the document")?;
    let doc: DocumentShape = serde_json::from_value(doc).map_err(|e| {
        bad(format!(
            "the document is not one mapdrive apply understands: {}",
            text::without_values_keeping_names(&e.to_string())
        ))
    })?;
    for r in &doc.resources {
        if Kind::from_type(&r.type_name) != Some(Kind::Credential) {
            continue;
        }
        let Some(v) = r.properties.get("secret") else {
            continue;
        };
        let literal = match secret_source(v) {
            SecretSource::Literal => true,
            SecretSource::Env(_) => false,
            SecretSource::Parameter(p) => doc
                .parameters
                .get(&p)
                .is_some_and(|d| d.default_value.is_some()),
        };
        if literal {
            return Err(bad(format!(
                "item {:?}: the secret is written in the file in plain text, which mapdrive refuses \
                 (the Group Policy cpassword lesson, MS14-025: anyone who can read the file has the \
                 password); save the credential once with `mapdrive cred set` (or the document with \
                 --secret NAME=- in the user's session) and leave the secret out of the scheduled file",
                r.name
            )));
        }
    }
    Ok(())
}

/// The shape of a configuration document, as far as `mapdrive apply` understands it: anything
/// else is refused by name before anything changes. Values stay JSON until their expressions are
/// resolved (only that needs hand-written code).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentShape {
    #[serde(rename = "$schema")]
    _schema: Option<Value>,
    #[serde(default)]
    parameters: BTreeMap<String, ParameterShape>,
    resources: Vec<ResourceShape>,
    #[serde(rename = "metadata")]
    _metadata: Option<Value>,
}

/// A parameter declaration.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ParameterShape {
    #[serde(rename = "type")]
    kind: String,
    default_value: Option<Value>,
    #[serde(rename = "description")]
    _description: Option<Value>,
    #[serde(rename = "metadata")]
    _metadata: Option<Value>,
    allowed_values: Option<Vec<Value>>,
}

/// One resource instance.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResourceShape {
    name: String,
    #[serde(rename = "type")]
    type_name: String,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    depends_on: Vec<String>,
    #[serde(rename = "metadata")]
    _metadata: Option<Value>,
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

const PARAMETER_TYPES: [&str; 7] = [
    "string",
    "securestring",
    "int",
    "bool",
    "object",
    "secureobject",
    "array",
];

/// Reads and resolves a whole document; nothing is touched.
pub(super) fn load(text: &str, inputs: &Inputs<'_>) -> Result<Vec<Item>, Error> {
    let doc = text::parse(text, "the document")?;
    if !doc.is_object() {
        return Err(bad("the document is not a mapping with a resources list"));
    }
    // The shape's errors never quote a value (serde names fields and types only), but a
    // parameter's default could be a secret someone wrote there: no value is in these messages.
    let doc: DocumentShape = serde_json::from_value(doc).map_err(|e| {
        bad(format!(
            "the document is not one mapdrive apply understands: {}",
            text::without_values_keeping_names(&e.to_string())
        ))
    })?;
    let mut declared = BTreeMap::new();
    for (name, p) in doc.parameters {
        let kind = p.kind;
        if !PARAMETER_TYPES.contains(&kind.to_ascii_lowercase().as_str()) {
            return Err(bad(format!("parameter {name:?}: unknown type {kind:?}")));
        }
        let default = p.default_value;
        if let Some(d) = &default
            && !of_type(&kind, d)
        {
            return Err(bad(format!(
                "parameter {name:?}: its defaultValue is not of its type {kind}"
            )));
        }
        let allowed = match p.allowed_values {
            Some(a) if a.is_empty() => {
                return Err(bad(format!(
                    "parameter {name:?}: allowedValues must be a non-empty list"
                )));
            }
            other => other,
        };
        if let (Some(d), Some(a)) = (&default, &allowed)
            && !a.contains(d)
        {
            return Err(bad(format!(
                "parameter {name:?}: its defaultValue is not one of its allowedValues"
            )));
        }
        declared.insert(
            name,
            Parameter {
                kind,
                default,
                allowed,
            },
        );
    }
    let given = match inputs.parameters_file {
        None => Map::new(),
        Some(text) => match text::parse(text, "the parameters file")? {
            Value::Object(mut o) => match o.remove("parameters") {
                Some(Value::Object(p)) if o.is_empty() => p,
                _ => {
                    return Err(bad(
                        "the parameters file must be {\"parameters\": {\"name\": value, ...}} (as for dsc)",
                    ));
                }
            },
            _ => return Err(bad("the parameters file must be a mapping")),
        },
    };
    for name in given.keys().chain(inputs.stdin_parameters.keys()) {
        if !declared.contains_key(name) {
            return Err(bad(format!(
                "parameter {name:?} is given but the document does not declare it"
            )));
        }
    }
    let resolver = Resolver {
        declared,
        given,
        inputs,
    };
    let mut items: Vec<Item> = Vec::new();
    let mut depends: Vec<Vec<(String, String)>> = Vec::new();
    for r in doc.resources {
        let name = r.name;
        if !valid_name(&name) {
            return Err(bad(format!(
                "item {name:?}: a resource name may hold only letters, digits and spaces (dsc's rule)"
            )));
        }
        let type_name = r.type_name;
        let kind = Kind::from_type(&type_name).ok_or_else(|| {
            bad(format!(
                "item {name:?}: mapdrive apply runs only Mapdrive/* resources ({}), not {type_name}; \
                 run documents with other resources with dsc config set",
                Kind::ALL.map(Kind::type_name).join(", ")
            ))
        })?;
        if items.iter().any(|it| it.name == name && it.kind == kind) {
            return Err(bad(format!("two items are named {name:?}")));
        }
        let mut props = r.properties;
        let secret = match (kind, props.remove("secret")) {
            (_, None) => None,
            (Kind::Credential, Some(v)) => Some(resolver.secret(&v, &name)?),
            (_, Some(_)) => return Err(bad(format!("item {name:?}: unknown property secret"))),
        };
        let props = resolver.resolve(Value::Object(props), &name)?;
        let mut instance = Instance::from_value(kind, props)
            .and_then(|i| i.check_desired().map(|()| i))
            // An input error's remedy is the one the refusal below carries: said once.
            .map_err(|e| match e {
                Error::Input(_) => bad(format!("item {name:?}: {e}")),
                e => bad(format!("item {name:?}: {}", error_text(&e))),
            })?;
        if let (Instance::Credential(c), Some(s)) = (&mut instance, secret) {
            c.secret = Some(SecretField(s));
        }
        let mut deps = Vec::new();
        for d in &r.depends_on {
            match expr::parse(d) {
                Ok(Text::Expr(Expr::ResourceId(t, n))) => deps.push((t, n)),
                _ => {
                    return Err(bad(format!(
                        "item {name:?}: dependsOn entries must be \"[resourceId('Type','name')]\""
                    )));
                }
            }
        }
        depends.push(deps);
        items.push(Item {
            name,
            kind,
            instance,
            depends_on: Vec::new(),
        });
    }
    for (i, deps) in depends.into_iter().enumerate() {
        for (t, n) in deps {
            let target = items
                .iter()
                .position(|it| it.name == n && it.kind.type_name().eq_ignore_ascii_case(&t))
                .ok_or_else(|| {
                    bad(format!(
                        "item {:?} depends on [resourceId('{t}','{n}')], which is not in the document",
                        items[i].name
                    ))
                })?;
            items[i].depends_on.push(target);
        }
    }
    Ok(items)
}

/// Document order, moved so that every item comes after what it depends on.
pub(super) fn order(items: &[Item]) -> Result<Vec<usize>, Error> {
    let mut done = vec![false; items.len()];
    let mut out = Vec::with_capacity(items.len());
    while out.len() < items.len() {
        let next = (0..items.len())
            .find(|&i| !done[i] && items[i].depends_on.iter().all(|&d| done[d]))
            .ok_or_else(|| {
                let stuck: Vec<&str> = (0..items.len())
                    .filter(|&i| !done[i])
                    .map(|i| items[i].name.as_str())
                    .collect();
                bad(format!(
                    "dependsOn forms a cycle among: {}",
                    stuck.join(", ")
                ))
            })?;
        done[next] = true;
        out.push(next);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_literal_secret_is_refused_without_repeating_it() {
        let env = |_: &str| None;
        let inputs = Inputs {
            parameters_file: None,
            stdin_parameters: BTreeMap::new(),
            env: &env,
        };
        for secret in ["[Al1ce-S3cret!]", "[x(y]", "Al1ce-S3cret!", "[concat('a')]"] {
            let doc = format!(
                "resources:\n- name: nas\n  type: Mapdrive/Credential\n  properties:\n    name: nas\n    \
                 type: domain_password\n    username: u\n    secret: \"{secret}\"\n"
            );
            let e = load(&doc, &inputs).unwrap_err().to_string();
            assert!(e.contains("plain text"), "{e}");
            assert!(!e.contains(secret), "{e}");
        }
    }

    #[test]
    fn parameter_declarations_are_enforced_as_dsc_does() {
        let env = |_: &str| None;
        let inputs = |file: Option<&'static str>| Inputs {
            parameters_file: file,
            stdin_parameters: BTreeMap::new(),
            env: &env,
        };
        let drive = "resources:\n- name: d\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: \"[parameters('l')]\"\n    path: \\\\fs\\pub\n";
        for (params, file, expect) in [
            (
                "l:\n    type: int\n    defaultValue: S\n",
                None,
                "defaultValue is not of its type",
            ),
            (
                "l:\n    type: string\n    defaultValue: S\n    allowedValues: [T, U]\n",
                None,
                "defaultValue is not one of its allowedValues",
            ),
            (
                "l:\n    type: string\n    allowedValues: [T, U]\n",
                Some("parameters:\n  l: S3cretish\n"),
                "not one of its allowedValues",
            ),
            (
                "l:\n    type: string\n",
                Some("parameters:\n  l: 42\n"),
                "is declared string but its value is not one",
            ),
        ] {
            let doc = format!("parameters:\n  {params}{drive}");
            let e = load(&doc, &inputs(file)).unwrap_err().to_string();
            assert!(e.contains(expect), "{doc}: {e}");
            assert!(!e.contains("S3cretish"), "{e}");
        }
        let ok = format!(
            "parameters:\n  l:\n    type: string\n    defaultValue: T\n    allowedValues: [T, U]\n{drive}"
        );
        assert!(load(&ok, &inputs(None)).is_ok());
    }

    #[test]
    fn duplicate_keys_are_refused_before_anything_changes() {
        let env = |_: &str| None;
        let inputs = Inputs {
            parameters_file: Some("parameters:\n  pw: a\n  pw: b\n"),
            stdin_parameters: BTreeMap::new(),
            env: &env,
        };
        let doc = "parameters:\n  pw:\n    type: securestring\nresources: []\n";
        let e = load(doc, &inputs).unwrap_err().to_string();
        assert!(e.contains("given twice"), "{e}");
        let inputs = Inputs {
            parameters_file: None,
            ..inputs
        };
        for doc in [
            "resources: []\nresources: []\n",
            "resources:\n- name: d\n  type: Mapdrive/MappedDrive\n  properties:\n    letter: S\n    letter: T\n    path: \\\\fs\\pub\n",
        ] {
            let e = load(doc, &inputs).unwrap_err().to_string();
            assert!(e.contains("given twice"), "{doc}: {e}");
        }
    }
}

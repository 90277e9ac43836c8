//! Desired-state files: `mapdrive apply FILE` runs a DSC v3 configuration document of
//! `Mapdrive/*` resources without the DSC engine, and `mapdrive export` writes the current state
//! as such a document. The same file runs unchanged with `dsc config set --file`.
//!
//! A document is read whole and every item is resolved and validated (types, properties,
//! expressions, secrets, `dependsOn`) before anything changes; then the items are applied in
//! dependency order through one [`CachingPort`], so the machine is enumerated once, not once per
//! item. A failed item is reported and the others go on (its dependants are skipped), unless
//! `--stop-on-error`.

pub mod cli;
pub mod expr;
pub mod gpp;
pub mod text;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use zeroize::{Zeroize, Zeroizing};

use crate::frontend::dsc::error_text;
use crate::frontend::dsc::resources::{self, Instance, Kind};
use crate::frontend::dsc::types::SecretField;
use crate::frontend::report::Report;
use expr::{Expr, Text};
use mapdrive_core::domain::Secret;
use mapdrive_core::engine::cache::CachingPort;
use mapdrive_core::engine::secret_from_text;
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::port::Port;

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

fn bad(why: impl Into<String>) -> Error {
    Error::Input(InputError::Conflict(why.into()))
}

/// One resolved item.
#[derive(Debug)]
struct Item {
    name: String,
    kind: Kind,
    instance: Instance,
    depends_on: Vec<usize>,
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
        let Value::String(s) = v else {
            return Err(literal());
        };
        // A string that is not an expression is a literal secret: refused without repeating it.
        let text = match expr::parse(s).map_err(|_| literal())? {
            Text::Literal(_) | Text::Expr(Expr::ResourceId(..)) => return Err(literal()),
            Text::Expr(Expr::EnvVar(n)) => Zeroizing::new(self.env(&n, item)?),
            Text::Expr(Expr::Parameter(p)) => {
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
fn load(text: &str, inputs: &Inputs<'_>) -> Result<Vec<Item>, Error> {
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
            .map_err(|e| bad(format!("item {name:?}: {}", error_text(&e))))?;
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
fn order(items: &[Item]) -> Result<Vec<usize>, Error> {
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

/// The result of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// Applied, something changed.
    Changed,
    /// Already in the desired state.
    Unchanged,
    /// `--check`: would change.
    #[serde(rename = "would change")]
    WouldChange,
    /// Failed.
    Failed,
    /// Not run: something it depends on failed (or `--stop-on-error`).
    Skipped,
    /// A `Drives.xml` item whose targeting said no (the row names the first rule that did).
    #[serde(rename = "not applicable")]
    NotApplicable,
    /// A `Drives.xml` item with `disabled="1"`.
    #[serde(rename = "skipped (disabled)")]
    Disabled,
    /// A `Drives.xml` item after one that failed with `bypassErrors="0"`.
    #[serde(rename = "not processed")]
    NotProcessed,
}

impl ItemResult {
    fn as_str(self) -> &'static str {
        match self {
            ItemResult::Changed => "changed",
            ItemResult::Unchanged => "unchanged",
            ItemResult::WouldChange => "would change",
            ItemResult::Failed => "failed",
            ItemResult::Skipped => "skipped",
            ItemResult::NotApplicable => "not applicable",
            ItemResult::Disabled => "skipped (disabled)",
            ItemResult::NotProcessed => "not processed",
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    /// The item's `name` in the document.
    pub name: String,
    /// Its resource type (`Mapdrive/MappedDrive`, ...).
    #[serde(rename = "type")]
    pub type_name: &'static str,
    pub result: ItemResult,
    /// What changed (or would).
    pub changes: Vec<String>,
    pub changed_properties: Vec<String>,
    /// Why it failed or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Exit-code class of the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<mapdrive_core::error::ErrorKind>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Whether the item asks for its resource to exist (`_exist`), for the summary.
    #[serde(skip)]
    pub wants_present: bool,
}

impl ItemReport {
    /// How the item is short of its desired state, in a few words (`None`: it holds).
    fn shortfall(&self) -> Option<String> {
        let name = &self.name;
        match self.result {
            ItemResult::Changed
            | ItemResult::Unchanged
            | ItemResult::NotApplicable
            | ItemResult::Disabled => None,
            ItemResult::Failed => Some(format!("{name} failed")),
            ItemResult::Skipped | ItemResult::NotProcessed => Some(format!("{name} not run")),
            ItemResult::WouldChange => {
                Some(if self.changed_properties.iter().any(|p| p == "_exist") {
                    if self.wants_present {
                        format!("{name} missing")
                    } else {
                        format!("{name} present")
                    }
                } else if self.changed_properties.is_empty() {
                    format!("{name} differs")
                } else {
                    format!("{name}: {} differs", self.changed_properties.join(", "))
                })
            }
        }
    }
}

/// The longest summary line: Intune shows only the last line of a detection or remediation
/// script's output, up to 2,048 characters.
pub const MAX_SUMMARY_CHARS: usize = 2000;

/// The one-line summary printed last: what Intune's detection and remediation show.
fn summary(items: &[ItemReport], check: bool) -> String {
    let short: Vec<String> = items.iter().filter_map(ItemReport::shortfall).collect();
    let total = items.len();
    let changed = items
        .iter()
        .filter(|i| i.result == ItemResult::Changed)
        .count();
    let mut line = if short.is_empty() {
        let mut l = format!("mapdrive: all {total} items in desired state");
        if changed > 0 {
            let _ = write!(l, " ({changed} changed)");
        }
        l
    } else {
        format!(
            "mapdrive: {} of {total} items not in desired state{}: ",
            short.len(),
            if check { "" } else { " after applying" }
        )
    };
    for (n, s) in short.iter().enumerate() {
        let more = format!("and {} more", short.len() - n);
        if line.chars().count() + s.chars().count() + more.len() + 4 > MAX_SUMMARY_CHARS {
            line.push_str(&more);
            break;
        }
        line.push_str(s);
        if n + 1 < short.len() {
            line.push_str(", ");
        }
    }
    // One line, whatever an item's name holds.
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What `apply` did.
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    /// Anything changed (or would, in check mode).
    pub changed: bool,
    /// Any item failed or was skipped.
    pub failed: bool,
    pub check_mode: bool,
    /// Per item, in the order applied.
    pub items: Vec<ItemReport>,
    /// One line: how many items hold their desired state, and which do not (the last line of
    /// the text output).
    pub summary: String,
}

/// Applies a document (text already read). Errors before anything changed are `Err`.
pub fn apply(
    port: &mut dyn Port,
    text: &str,
    inputs: &Inputs<'_>,
    options: Options,
) -> Result<ApplyReport, Error> {
    let items = load(text, inputs)?;
    let order = order(&items)?;
    let mut cached = CachingPort::new(port);
    let mut results: Vec<Option<ItemResult>> = vec![None; items.len()];
    let mut reports = Vec::new();
    let mut stop = false;
    for i in order {
        let item = &items[i];
        let mut report = ItemReport {
            name: item.name.clone(),
            type_name: item.kind.type_name(),
            result: ItemResult::Skipped,
            changes: Vec::new(),
            changed_properties: Vec::new(),
            error: None,
            error_kind: None,
            warnings: Vec::new(),
            wants_present: item.instance.exist(),
        };
        let failed_dep = item.depends_on.iter().find(|&&d| {
            matches!(
                results[d],
                Some(ItemResult::Failed | ItemResult::Skipped) | None
            )
        });
        if stop {
            report.error =
                Some("not run: an earlier item failed and --stop-on-error is set".into());
        } else if let Some(&d) = failed_dep {
            report.error = Some(format!(
                "not run: it depends on {:?}, which did not succeed",
                items[d].name
            ));
        } else {
            match resources::set(
                &mut cached,
                &item.instance,
                options.check,
                &mut report.warnings,
            ) {
                Ok(r) => {
                    report.result = match (r.changed, options.check) {
                        (false, _) => ItemResult::Unchanged,
                        (true, true) => ItemResult::WouldChange,
                        (true, false) => ItemResult::Changed,
                    };
                    report.changes = r.actions;
                    report.changed_properties = r.changed_properties;
                }
                Err(e) => {
                    report.result = ItemResult::Failed;
                    report.error = Some(error_text(&e));
                    report.error_kind = Some(e.kind());
                    stop = options.stop_on_error;
                }
            }
        }
        results[i] = Some(report.result);
        reports.push(report);
    }
    Ok(ApplyReport {
        changed: reports
            .iter()
            .any(|r| matches!(r.result, ItemResult::Changed | ItemResult::WouldChange)),
        failed: reports
            .iter()
            .any(|r| matches!(r.result, ItemResult::Failed | ItemResult::Skipped)),
        check_mode: options.check,
        summary: summary(&reports, options.check),
        items: reports,
    })
}

/// Renders an apply report: a table (or JSON) on stdout, the summary line last, warnings on
/// stderr; exit 1 when an item failed, or for `test` (`detection`) when any item does not hold
/// its desired state (Intune's detection convention).
pub fn render(report: &ApplyReport, json: bool, detection: bool) -> Report {
    let code = u8::from(report.failed || (detection && report.changed));
    if json {
        // The warnings are in each item's `warnings`; with --json, stderr stays empty.
        let text = serde_json::to_string_pretty(report).unwrap_or_default();
        return Report {
            stdout: ascii(&text) + "\n",
            stderr: String::new(),
            code,
        };
    }
    let mut stderr = String::new();
    let mut seen: Vec<&String> = Vec::new();
    for w in report.items.iter().flat_map(|i| &i.warnings) {
        if !seen.contains(&w) {
            seen.push(w);
            let _ = writeln!(stderr, "warning: {w}");
        }
    }
    let width = report
        .items
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let type_width = report
        .items
        .iter()
        .map(|i| i.type_name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let result_width = report
        .items
        .iter()
        .map(|i| i.result.as_str().len())
        .max()
        .unwrap_or(12)
        .max(12);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:width$}  {:type_width$}  {:result_width$}  WHAT",
        "ITEM", "TYPE", "RESULT"
    );
    for i in &report.items {
        let what: Vec<String> = match &i.error {
            Some(e) => vec![e.clone()],
            None => i.changes.clone(),
        };
        let first = what.first().map(String::as_str).unwrap_or("");
        let row = format!(
            "{:width$}  {:type_width$}  {:result_width$}  {first}",
            i.name,
            i.type_name,
            i.result.as_str()
        );
        let _ = writeln!(out, "{}", row.trim_end());
        for more in what.iter().skip(1) {
            let _ = writeln!(
                out,
                "{:width$}  {:type_width$}  {:result_width$}  {more}",
                "", "", ""
            );
        }
    }
    let count = |r: ItemResult| report.items.iter().filter(|i| i.result == r).count();
    let mut counts = vec![format!("{} items", report.items.len())];
    for r in [
        ItemResult::Changed,
        ItemResult::WouldChange,
        ItemResult::Unchanged,
        ItemResult::Failed,
        ItemResult::Skipped,
        ItemResult::NotApplicable,
        ItemResult::Disabled,
        ItemResult::NotProcessed,
    ] {
        let n = count(r);
        if n > 0 {
            counts.push(format!("{n} {}", r.as_str()));
        }
    }
    let _ = writeln!(out, "{}", counts.join(", "));
    let _ = writeln!(out, "{}", report.summary);
    Report {
        stdout: out,
        stderr,
        code,
    }
}

/// JSON text with non-ASCII escaped (survives console code pages, as the CLI's JSON does).
fn ascii(text: &str) -> String {
    crate::frontend::json::ascii(text)
}

/// A name dsc accepts (letters, digits, spaces), unique among `used`.
fn item_name(base: &str, used: &mut Vec<String>) -> String {
    let mut name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        name = "Item".into();
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{name} {n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Writes every string that starts with `[` as `[[...`: in a configuration document a leading `[`
/// makes an expression (`[envvar('X')]`), so a label or comment that starts with one would change
/// meaning, or break the document, when it is applied again.
fn escape_literals(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with('[') => s.insert(0, '['),
        Value::Array(a) => a.iter_mut().for_each(escape_literals),
        Value::Object(o) => o.values_mut().for_each(escape_literals),
        _ => {}
    }
}

/// The current state as a configuration document (`mapdrive export`).
pub fn export(port: &mut dyn Port, json_output: bool) -> Result<Report, Error> {
    let mut cached = CachingPort::new(port);
    let mut warnings = Vec::new();
    let mut resources_out = Vec::new();
    let mut used = Vec::new();
    for kind in Kind::ALL {
        for instance in resources::export(&mut cached, kind, &mut warnings)? {
            let mut props = instance.to_json();
            escape_literals(&mut props);
            let base = match &instance {
                Instance::Drive(d) => format!("Drive {}", d.letter),
                Instance::Credential(c) => format!("Credential {} {}", c.name, c.kind.as_str()),
                Instance::Global(g) => format!("Boot drive {}", g.letter),
                Instance::LinkedConnectionsPolicy(_) => "Linked connections".to_string(),
            };
            resources_out.push(json!({
                "name": item_name(&base, &mut used),
                "type": kind.type_name(),
                "properties": props,
            }));
        }
    }
    let mut doc = json!({"$schema": DOCUMENT_SCHEMA, "resources": resources_out});
    let mut stderr = String::new();
    if json_output {
        // With --json stderr stays empty: the warnings go into the document's metadata, which
        // dsc and `mapdrive apply` both accept and ignore.
        if !warnings.is_empty() {
            doc["metadata"] = json!({"mapdrive": {"warnings": warnings}});
        }
    } else {
        for w in &warnings {
            let _ = writeln!(stderr, "warning: {w}");
        }
    }
    let stdout = if json_output {
        ascii(&serde_json::to_string_pretty(&doc).unwrap_or_default()) + "\n"
    } else {
        let yaml =
            yaml_serde::to_string(&doc).map_err(|e| bad(format!("could not write YAML: {e}")))?;
        format!(
            "# mapdrive export: the current state as a DSC v3 configuration document.\n\
             # Apply with `mapdrive apply FILE` or `dsc config set --file FILE`; secrets are never exported.\n{yaml}"
        )
    };
    Ok(Report {
        stdout,
        stderr,
        code: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_one_line_under_intunes_limit() {
        let items: Vec<ItemReport> = (0..300)
            .map(|n| ItemReport {
                name: format!("A rather long item name for drive number {n}\nwith a break"),
                type_name: "Mapdrive/MappedDrive",
                result: ItemResult::WouldChange,
                changes: Vec::new(),
                changed_properties: vec!["path".into()],
                error: None,
                error_kind: None,
                warnings: Vec::new(),
                wants_present: true,
            })
            .collect();
        let line = summary(&items, true);
        assert!(line.chars().count() <= MAX_SUMMARY_CHARS, "{}", line.len());
        assert!(!line.contains('\n'));
        assert!(
            line.starts_with("mapdrive: 300 of 300 items not in desired state: A rather long"),
            "{line}"
        );
        assert!(line.ends_with(" more"), "{line}");
        assert!(
            line.contains("drive number 0 with a break: path differs"),
            "{line}"
        );
    }

    #[test]
    fn exported_literals_starting_with_a_bracket_read_back_unchanged() {
        for text in [
            "[envvar('COMPUTERNAME')]",
            "[[x]",
            "[parameters('x')]",
            "[",
            "plain",
        ] {
            let mut v = json!({"comment": text, "nested": [text]});
            escape_literals(&mut v);
            for exported in [&v["comment"], &v["nested"][0]] {
                let Some(s) = exported.as_str() else {
                    panic!("{exported}")
                };
                assert_eq!(expr::parse(s), Ok(Text::Literal(text.to_string())), "{s}");
            }
        }
    }

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

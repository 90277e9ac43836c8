//! The four resources over the engine: read the actual state, turn a desired state into an
//! [`engine::Request`], compare (ours: letters and UNC paths case-insensitive, trailing `\`
//! ignored). `dsc` and `mapdrive apply` both go through [`get`], [`test()`] and [`set`].

use serde_json::Value;

use super::types::{Credential, GlobalDrive, LinkedConnections, MappedDrive, Metadata};
use super::{credential, global_drive, linked_connections, mapped_drive};
use mapdrive_core::domain::DriveLetter;
use mapdrive_core::engine::{self, Request, Response, SessionChoice};
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::gpp::{self, EvalContext, Filters, ItemRef, RawFilter, Verdict};
use mapdrive_core::plan::inventory::{DriveEntry, Status};
use mapdrive_core::plan::{State, changed_fields};
use mapdrive_core::port::{Port, TokenChoice};

use crate::frontend::document::gpp::PortRegistry;

/// A resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Mapdrive/MappedDrive`.
    MappedDrive,
    /// `Mapdrive/Credential`.
    Credential,
    /// `Mapdrive/GlobalDrive`.
    GlobalDrive,
    /// `Mapdrive/LinkedConnections`.
    LinkedConnections,
}

impl Kind {
    /// Every resource, in manifest order.
    pub const ALL: [Kind; 4] = [
        Kind::MappedDrive,
        Kind::Credential,
        Kind::GlobalDrive,
        Kind::LinkedConnections,
    ];

    /// The fully qualified type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::MappedDrive => "Mapdrive/MappedDrive",
            Kind::Credential => "Mapdrive/Credential",
            Kind::GlobalDrive => "Mapdrive/GlobalDrive",
            Kind::LinkedConnections => "Mapdrive/LinkedConnections",
        }
    }

    /// From a type name (case-insensitive, as dsc matches types).
    pub fn from_type(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.type_name().eq_ignore_ascii_case(name))
    }

    /// What the resource manages, for the manifest.
    pub fn description(self) -> &'static str {
        match self {
            Kind::MappedDrive => {
                "A mapped network drive of the user's logon session (first-available letters as Group Policy)"
            }
            Kind::Credential => {
                "A saved credential in the Credential Manager (the secret is write-only)"
            }
            Kind::GlobalDrive => {
                "A boot-time global drive (HKLM\\...\\Session Manager\\DOS Devices), effective after restart"
            }
            Kind::LinkedConnections => {
                "The EnableLinkedConnections policy (both halves of a split token see the same drives)"
            }
        }
    }

    /// The JSON Schema of its instances.
    pub fn schema(self) -> Value {
        let schema = match self {
            Kind::MappedDrive => schemars::schema_for!(MappedDrive),
            Kind::Credential => schemars::schema_for!(Credential),
            Kind::GlobalDrive => schemars::schema_for!(GlobalDrive),
            Kind::LinkedConnections => schemars::schema_for!(LinkedConnections),
        };
        schema.to_value()
    }
}

/// One instance of any resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instance {
    /// A mapped drive.
    Drive(MappedDrive),
    /// A credential.
    Credential(Credential),
    /// A boot-time drive.
    Global(GlobalDrive),
    /// The EnableLinkedConnections policy (`Mapdrive/LinkedConnections`).
    LinkedConnectionsPolicy(LinkedConnections),
}

fn input(e: impl std::fmt::Display, kind: Kind) -> Error {
    Error::Input(InputError::Conflict(format!(
        "invalid {} instance: {e}",
        kind.type_name()
    )))
}

impl Instance {
    /// Parses an instance of `kind` from JSON text (the DSC input).
    pub fn from_text(kind: Kind, text: &str) -> Result<Instance, Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let out = match kind {
            Kind::MappedDrive => serde::Deserialize::deserialize(&mut de).map(Instance::Drive),
            Kind::Credential => serde::Deserialize::deserialize(&mut de).map(Instance::Credential),
            Kind::GlobalDrive => serde::Deserialize::deserialize(&mut de).map(Instance::Global),
            Kind::LinkedConnections => {
                serde::Deserialize::deserialize(&mut de).map(Instance::LinkedConnectionsPolicy)
            }
        }
        .map_err(|e| input(e, kind))?;
        de.end().map_err(|e| input(e, kind))?;
        out.validate()?;
        Ok(out)
    }

    /// Builds an instance of `kind` from a JSON value (a document's resolved properties).
    pub fn from_value(kind: Kind, value: Value) -> Result<Instance, Error> {
        let out = match kind {
            Kind::MappedDrive => serde_json::from_value(value).map(Instance::Drive),
            Kind::Credential => serde_json::from_value(value).map(Instance::Credential),
            Kind::GlobalDrive => serde_json::from_value(value).map(Instance::Global),
            Kind::LinkedConnections => {
                serde_json::from_value(value).map(Instance::LinkedConnectionsPolicy)
            }
        }
        .map_err(|e| input(e, kind))?;
        out.validate()?;
        Ok(out)
    }

    /// Its resource type.
    pub fn kind(&self) -> Kind {
        match self {
            Instance::Drive(_) => Kind::MappedDrive,
            Instance::Credential(_) => Kind::Credential,
            Instance::Global(_) => Kind::GlobalDrive,
            Instance::LinkedConnectionsPolicy(_) => Kind::LinkedConnections,
        }
    }

    /// The JSON DSC sees (never a secret).
    pub fn to_json(&self) -> Value {
        let v = match self {
            Instance::Drive(d) => serde_json::to_value(d),
            Instance::Credential(c) => serde_json::to_value(c),
            Instance::Global(g) => serde_json::to_value(g),
            Instance::LinkedConnectionsPolicy(l) => serde_json::to_value(l),
        };
        v.unwrap_or(Value::Null)
    }

    /// `_exist` (default true).
    pub fn exist(&self) -> bool {
        match self {
            Instance::Drive(d) => d.exist,
            Instance::Credential(c) => c.exist,
            Instance::Global(g) => g.exist,
            Instance::LinkedConnectionsPolicy(l) => l.exist,
        }
        .unwrap_or(true)
    }

    /// The logon session choice.
    pub fn session(&self) -> SessionChoice {
        match self {
            Instance::Drive(d) => d.session.unwrap_or_default(),
            Instance::Credential(c) => c.session.unwrap_or_default(),
            Instance::Global(_) | Instance::LinkedConnectionsPolicy(_) => SessionChoice::Current,
        }
    }

    /// A short name for messages (`M:`, `credential nas (domain_password)`).
    pub fn subject(&self) -> String {
        match self {
            Instance::Drive(d) if d.letter == "*" => format!(
                "first available letter from {} for {}",
                d.start_letter.as_deref().unwrap_or("D"),
                d.path.as_deref().unwrap_or("?")
            ),
            Instance::Drive(d) => d.letter.to_uppercase(),
            Instance::Credential(c) => format!("credential {} ({})", c.name, c.kind.as_str()),
            Instance::Global(g) => format!("{} at boot", g.letter.to_uppercase()),
            Instance::LinkedConnectionsPolicy(_) => "EnableLinkedConnections".into(),
        }
    }

    fn set_in_desired_state(&mut self, v: bool) {
        match self {
            Instance::Drive(d) => d.in_desired_state = Some(v),
            Instance::Credential(c) => c.in_desired_state = Some(v),
            Instance::Global(g) => g.in_desired_state = Some(v),
            Instance::LinkedConnectionsPolicy(l) => l.in_desired_state = Some(v),
        }
    }

    fn set_what_if(&mut self, what_if: Vec<String>) {
        let m = (!what_if.is_empty()).then_some(Metadata { what_if });
        match self {
            Instance::Drive(d) => d.metadata = m,
            Instance::Credential(c) => c.metadata = m,
            Instance::Global(g) => g.metadata = m,
            Instance::LinkedConnectionsPolicy(l) => l.metadata = m,
        }
    }

    /// Checks what the schema cannot say, before anything is read or changed.
    /// What a desired state (for `test`, `set` and `mapdrive apply`, not `get`) must say: the
    /// path of a drive, and whether the policy is on or off — an instance that only says
    /// `_exist: true` must not switch a machine-wide policy on by a default.
    pub fn check_desired(&self) -> Result<(), Error> {
        if !self.exist() {
            return Ok(());
        }
        match self {
            Instance::Drive(d) if d.path.is_none() => {
                Err(field("path", "it is required unless _exist is false"))
            }
            Instance::Global(g) if g.path.is_none() => {
                Err(field("path", "it is required unless _exist is false"))
            }
            Instance::LinkedConnectionsPolicy(l) if l.enabled.is_none() => Err(field(
                "enabled",
                "it is required unless _exist is false (true sets EnableLinkedConnections = 1, \
                 false sets 0)",
            )),
            _ => Ok(()),
        }
    }

    fn validate(&self) -> Result<(), Error> {
        match self {
            Instance::Drive(d) => mapped_drive::validate(d),
            Instance::Credential(c) => credential::validate(c),
            Instance::Global(g) => global_drive::validate(g),
            Instance::LinkedConnectionsPolicy(l) => linked_connections::validate(l),
        }
    }
}

pub(super) fn field(what: &'static str, why: &str) -> Error {
    Error::Input(InputError::Field {
        what,
        why: why.into(),
    })
}

pub(super) fn read_only() -> Error {
    Error::Input(InputError::Conflict(
        "_inDesiredState and _metadata are read-only: leave them out of the desired state".into(),
    ))
}

pub(super) fn letter(s: &str) -> Result<DriveLetter, Error> {
    Ok(s.parse::<DriveLetter>()?)
}

/// A drive of this logon session: connected here, or remembered (not a global or foreign device).
pub(super) fn own_drive(e: &DriveEntry) -> bool {
    matches!(e.status, Some(Status::Ok | Status::Unavailable)) && e.scope != Some("global")
}

pub(super) fn start_of(d: &MappedDrive) -> Result<DriveLetter, Error> {
    // Group Policy's default start of a first-available range is D:.
    letter(d.start_letter.as_deref().unwrap_or("D"))
}

/// The `targeting` property read with the same checks as a Drives.xml's `Filters`; a filter
/// mapdrive cannot evaluate is refused.
pub(super) fn targeting_filters(letter: &str, raw: &[RawFilter]) -> Result<Filters, Error> {
    let item = ItemRef {
        name: format!("{}:", letter.trim_end_matches(':')),
        uid: None,
        line: 0,
    };
    let filters = Filters::from_raw(raw, &item).map_err(|e| field("targeting", &e.to_string()))?;
    if let Some(f) = filters.unevaluable().first() {
        return Err(field(
            "targeting",
            &format!(
                "{} cannot be evaluated by mapdrive: {}",
                f.element,
                f.unevaluable_reason().unwrap_or_default()
            ),
        ));
    }
    Ok(filters)
}

/// When the drive's targeting says no (evaluated with the facts of the session the drive goes
/// into), the first rule that did.
fn targeting_says_no(port: &mut dyn Port, d: &MappedDrive) -> Result<Option<String>, Error> {
    let Some(raw) = &d.targeting else {
        return Ok(None);
    };
    let filters = targeting_filters(&d.letter, raw)?;
    let chosen = engine::choose(port, d.session.unwrap_or_default())?;
    let token = chosen
        .tokens
        .first()
        .copied()
        .unwrap_or(TokenChoice::Current);
    engine::under(port, token, |p| {
        let facts = p
            .targeting_facts()
            .map_err(|e| Error::api("could not read the targeting facts", e))?;
        let verdict = gpp::evaluate(
            &filters,
            &facts,
            &PortRegistry(&*p),
            &mut EvalContext::default(),
        );
        Ok(match verdict {
            Verdict::Applies => None,
            Verdict::NotApplicable(reason) => Some(reason),
        })
    })
}

/// The user's `NoDrives` (absent = 0).
pub(super) fn no_drives(port: &dyn Port) -> Result<u32, Error> {
    Ok(port
        .no_drives()
        .map_err(|e| Error::api("could not read NoDrives", e))?
        .unwrap_or(0))
}

/// The `NoDrives` value `desired` asks for, when it differs from `current`.
fn wanted_no_drives(desired: &Instance, current: u32) -> Result<Option<u32>, Error> {
    let Instance::Drive(d) = desired else {
        return Ok(None);
    };
    let (Some(hide), true) = (d.hidden, desired.exist()) else {
        return Ok(None);
    };
    let bit = gpp::no_drives_bit(letter(&d.letter)?);
    let want = if hide { current | bit } else { current & !bit };
    Ok((want != current).then_some(want))
}

/// The actual state of the instance `desired` names; `warnings` collects what the reads said.
pub fn get(
    port: &mut dyn Port,
    desired: &Instance,
    warnings: &mut Vec<String>,
) -> Result<Instance, Error> {
    match desired {
        Instance::Drive(d) => mapped_drive::get(port, desired.session(), d, warnings),
        Instance::Credential(c) => credential::get(port, desired.session(), c, warnings),
        Instance::Global(g) => global_drive::get(port, g),
        Instance::LinkedConnectionsPolicy(_) => linked_connections::get(port),
    }
}

pub(super) fn push_new(out: &mut Vec<String>, new: &[String]) {
    for w in new {
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
}

/// How [`planned_diff`] names a change of existence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DiffKind {
    /// `test`'s differing properties (and what-if's): `_exist` alone stands for the whole
    /// instance.
    Differing,
    /// What `set` changed: `_exist` and every property that appears or goes with the
    /// instance (`_exist` first when it comes into being, last when it goes).
    Changed,
}

/// The resource's properties that the engine's plan changes (or, in check mode, would change),
/// named as the resource names them, in the resource's order. A secret is never part of a
/// state, so never named.
fn planned_diff(desired: &Instance, resp: &Response, kind: DiffKind) -> Vec<String> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, o) in &resp.outcomes {
        let (before, after) = (o.before.as_ref(), o.after.as_ref());
        let exists = |s: Option<&State>| match s {
            None => false,
            Some(State::LinkedConnections(l)) => {
                *l != mapdrive_core::domain::LinkedConnections::NotConfigured
            }
            Some(_) => true,
        };
        let names = match (exists(before), exists(after), kind) {
            (false, true, DiffKind::Changed) => [
                vec!["_exist"],
                after.map(present_properties).unwrap_or_default(),
            ]
            .concat(),
            (true, false, DiffKind::Changed) => [
                before.map(present_properties).unwrap_or_default(),
                vec!["_exist"],
            ]
            .concat(),
            (b, a, DiffKind::Differing) if b != a => vec!["_exist"],
            _ => changed_fields(before, after)
                .into_iter()
                .filter_map(|field| property_of(desired, field))
                .collect(),
        };
        for name in names {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out.into_iter().map(String::from).collect()
}

/// The properties an existing instance shows (the ones that appear or go with it).
fn present_properties(state: &State) -> Vec<&'static str> {
    match state {
        State::Drive(d) => {
            let mut v = vec!["path"];
            if matches!(d.label, Some(Some(_))) {
                v.push("label");
            }
            v.push("persistent");
            v
        }
        State::Boot(_) => vec!["path"],
        State::Credential(c) => [
            c.user_name.is_some().then_some("username"),
            Some("persistence"),
            c.alias.is_some().then_some("alias"),
            c.comment.is_some().then_some("comment"),
        ]
        .into_iter()
        .flatten()
        .collect(),
        State::LinkedConnections(_) => vec!["enabled"],
    }
}

/// The resource property a changed state field belongs to (`None`: none the resource has).
fn property_of(desired: &Instance, field: &'static str) -> Option<&'static str> {
    Some(match (desired, field) {
        (Instance::Drive(_), "remembered" | "user_name" | "remembered_remote") => "persistent",
        (Instance::Drive(_), "label") => "label",
        (Instance::Drive(_) | Instance::Global(_), _) => "path",
        (Instance::Credential(_), "user_name") => "username",
        (Instance::Credential(_), "persistence" | "alias" | "comment") => field,
        (Instance::Credential(_), _) => return None,
        (Instance::LinkedConnectionsPolicy(_), _) => "enabled",
    })
}

/// What making `desired` true takes: a change for the engine, or nothing (already so).
fn request(
    port: &mut dyn Port,
    desired: &Instance,
    actual: &Instance,
    check: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Request>, Error> {
    let session = desired.session();
    desired.check_desired()?;
    let exist = desired.exist();
    let change = match (desired, actual) {
        (Instance::Drive(d), Instance::Drive(a)) => {
            match mapped_drive::change(port, session, d, a, exist, warnings)? {
                Some(c) => c,
                None => return Ok(None),
            }
        }
        (Instance::Credential(c), Instance::Credential(a)) => credential::change(c, a, exist)?,
        (Instance::Global(g), _) => global_drive::change(g, exist)?,
        (Instance::LinkedConnectionsPolicy(l), _) => linked_connections::change(l, exist),
        _ => return Ok(None),
    };
    Ok(Some(Request {
        change,
        session,
        check,
    }))
}

/// What `test` reports.
#[derive(Debug)]
pub struct Tested {
    /// The actual state with `_inDesiredState`.
    pub actual: Instance,
    /// The differing properties.
    pub diff: Vec<String>,
}

/// Compares the machine with `desired`: the engine's own check decides (so `test` and `set`
/// never disagree); the differing properties name what differs.
pub fn test(
    port: &mut dyn Port,
    desired: &Instance,
    warnings: &mut Vec<String>,
) -> Result<Tested, Error> {
    let mut actual = get(port, desired, warnings)?;
    if let Instance::Drive(d) = desired
        && targeting_says_no(port, d)?.is_some()
    {
        actual.set_in_desired_state(true);
        return Ok(Tested {
            actual,
            diff: Vec::new(),
        });
    }
    let hidden_differs = wanted_no_drives(desired, no_drives(&*port)?)?.is_some();
    let (changes, mut diff) = match request(port, desired, &actual, true, warnings)? {
        None => (false, Vec::new()),
        Some(req) => {
            let resp = engine::execute(port, req)?;
            push_new(warnings, &resp.warnings());
            // Only a secret that cannot be read back would be rewritten without a differing
            // property (the engine's warning says so).
            (
                resp.changed(),
                planned_diff(desired, &resp, DiffKind::Differing),
            )
        }
    };
    if hidden_differs {
        diff.push("hidden".to_string());
    }
    actual.set_in_desired_state(!changes && !hidden_differs);
    Ok(Tested { actual, diff })
}

/// What `set` did (or, with what-if, would do).
#[derive(Debug)]
pub struct SetResult {
    /// The state after (predicted, with `_metadata.whatIf`, in what-if mode).
    pub state: Instance,
    /// The properties that changed.
    pub changed_properties: Vec<String>,
    /// Whether anything changed (or would).
    pub changed: bool,
    /// The steps taken (or that would be).
    pub actions: Vec<String>,
}

/// Makes the machine match `desired` (`what_if`: only says what it would do).
pub fn set(
    port: &mut dyn Port,
    desired: &Instance,
    what_if: bool,
    warnings: &mut Vec<String>,
) -> Result<SetResult, Error> {
    let before = get(port, desired, warnings)?;
    if let Instance::Drive(d) = desired
        && let Some(reason) = targeting_says_no(port, d)?
    {
        return Ok(SetResult {
            state: before,
            changed_properties: Vec::new(),
            changed: false,
            actions: vec![format!("not applicable: {reason}")],
        });
    }
    let mut result = set_mapping(port, desired, &before, what_if, warnings)?;
    if let Some(want) = wanted_no_drives(desired, no_drives(&*port)?)? {
        let current = no_drives(&*port)?;
        if !what_if {
            engine::audit::set_no_drives(port, Some(current), want)?;
        }
        result.changed = true;
        result.changed_properties.push("hidden".into());
        result.actions.push(format!(
            "{} {} in Explorer (NoDrives 0x{current:X} -> 0x{want:X})",
            if want > current { "hide" } else { "show" },
            desired.subject()
        ));
        if let Instance::Drive(d) = &mut result.state {
            d.hidden = Some(want > current);
        }
    }
    Ok(result)
}

fn set_mapping(
    port: &mut dyn Port,
    desired: &Instance,
    before: &Instance,
    what_if: bool,
    warnings: &mut Vec<String>,
) -> Result<SetResult, Error> {
    let before = before.clone();
    let Some(req) = request(port, desired, &before, what_if, warnings)? else {
        return Ok(SetResult {
            state: before,
            changed_properties: Vec::new(),
            changed: false,
            actions: Vec::new(),
        });
    };
    let mut resp: Response = engine::execute(port, req)?;
    push_new(warnings, &resp.warnings());
    if let Some(e) = resp.failure.take() {
        return Err(e);
    }
    let changed = resp.changed();
    let actions: Vec<String> = resp
        .outcomes
        .iter()
        .flat_map(|(_, o)| o.actions.iter().cloned())
        .collect();
    if what_if {
        let mut state = predicted(desired, &before, changed);
        state.set_what_if(actions.clone());
        let changed_properties = planned_diff(desired, &resp, DiffKind::Differing);
        return Ok(SetResult {
            state,
            changed_properties,
            changed,
            actions,
        });
    }
    let after = if changed {
        get(port, desired, warnings)?
    } else {
        before.clone()
    };
    Ok(SetResult {
        changed_properties: planned_diff(desired, &resp, DiffKind::Changed),
        state: after,
        changed,
        actions,
    })
}

/// The state `desired` leads to, from `before`.
fn predicted(desired: &Instance, before: &Instance, changed: bool) -> Instance {
    if !changed {
        return before.clone();
    }
    let mut v = before.to_json();
    if let (Value::Object(out), Value::Object(want)) = (&mut v, desired.to_json()) {
        if !desired.exist() {
            out.retain(|k, _| key_property(desired.kind(), k));
        }
        for (k, val) in want {
            if k != "letter" || val != "*" {
                out.insert(k, val);
            }
        }
        out.insert("_exist".into(), Value::Bool(desired.exist()));
    }
    Instance::from_value(desired.kind(), v).unwrap_or_else(|_| before.clone())
}

fn key_property(kind: Kind, name: &str) -> bool {
    match kind {
        Kind::MappedDrive => matches!(name, "letter" | "startLetter" | "session"),
        Kind::Credential => matches!(name, "name" | "type" | "session"),
        Kind::GlobalDrive => name == "letter",
        Kind::LinkedConnections => false,
    }
}

/// Removes the instance (`_exist: false`).
pub fn delete(
    port: &mut dyn Port,
    desired: &Instance,
    what_if: bool,
    warnings: &mut Vec<String>,
) -> Result<SetResult, Error> {
    let absent = match desired.clone() {
        Instance::Drive(mut d) => {
            d.exist = Some(false);
            Instance::Drive(d)
        }
        Instance::Credential(mut c) => {
            c.exist = Some(false);
            Instance::Credential(c)
        }
        Instance::Global(mut g) => {
            g.exist = Some(false);
            Instance::Global(g)
        }
        Instance::LinkedConnectionsPolicy(mut l) => {
            l.exist = Some(false);
            Instance::LinkedConnectionsPolicy(l)
        }
    };
    set(port, &absent, what_if, warnings)
}

/// Every instance of `kind` on this machine, as the acting session sees it.
pub fn export(
    port: &mut dyn Port,
    kind: Kind,
    warnings: &mut Vec<String>,
) -> Result<Vec<Instance>, Error> {
    match kind {
        Kind::MappedDrive => mapped_drive::export(port, warnings),
        Kind::Credential => credential::export(port, warnings),
        Kind::GlobalDrive => global_drive::export(port),
        Kind::LinkedConnections => linked_connections::export(port, warnings),
    }
}

//! `mapdrive apply Drives.xml`: a Group Policy Preferences Drive Maps file run as the Group
//! Policy client would, with the same engine, session choice, report table and exit codes as a
//! DSC document.
//!
//! The facts targeting needs (token groups, names, environment, registry, addresses), the
//! drives, `NoDrives` and the record of what the file applied before are read once, through a
//! [`CachingPort`], in the logon session the drives go into (for an elevated prompt: the limited
//! token's, so its deny-only Administrators SID is not membership). [`gpp::plan`] decides every
//! item; mappings are then made with [`engine::execute`] (`Change::Map`/`Change::Unmap`), and
//! `NoDrives` and the record are written only when they change.
//!
//! The record lives in `HKCU\Software\mapdrive\Gpp`, one `REG_SZ` value per file, named by a
//! hash of the file's full path (lower case), holding JSON: the path, the `removePolicy` entries
//! (uid, letter, share) and the "Apply once" ids.

use serde::{Deserialize, Serialize};

use super::{ApplyReport, ItemReport, ItemResult, summary};
use mapdrive_core::engine::cache::CachingPort;
use mapdrive_core::engine::{self, Change, Request, SessionChoice, under};
use mapdrive_core::error::{Error, InputError};
use mapdrive_core::gpp::{
    self, AppliedRecord, Decision, DriveMaps, DriveState, Hive, LetterState, PlanOptions, RegValue,
    RegistryLookup, RunPlan, UnevaluablePolicy,
};
use mapdrive_core::plan::{MapRequest, UnmapRequest};
use mapdrive_core::port::{Port, TokenChoice};

/// The report's type column for an item of a `Drives.xml`.
const ITEM_TYPE: &str = "GPP Drive";
/// The report's type column for a removal decided from the record (`removePolicy`).
const REMOVAL_TYPE: &str = "GPP removePolicy";

/// How a `Drives.xml` runs.
#[derive(Clone, Copy, Debug)]
pub struct GppOptions {
    /// Report what would change, change nothing.
    pub check: bool,
    /// The logon session(s) the drives go into.
    pub session: SessionChoice,
    /// Filters mapdrive cannot evaluate: refuse the file, or skip the items.
    pub unevaluable: UnevaluablePolicy,
}

fn bad(why: impl Into<String>) -> Error {
    Error::Input(InputError::Conflict(why.into()))
}

/// Does this (decoded) text look like a `Drives.xml`? Any XML is taken for one: [`gpp::parse`]
/// then refuses another root element by name. DSC documents (YAML, JSON) never start with `<`.
pub fn is_xml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// Parses a `Drives.xml` (refusing bad XML, `cpassword`, unknown actions, …; exit 2) and, with
/// the default policy, unevaluable filters, naming the item and the filter.
pub fn load(text: &str, shown: &str, unevaluable: UnevaluablePolicy) -> Result<DriveMaps, Error> {
    let maps = gpp::parse_str(text).map_err(|e| bad(format!("{shown}: {e}")))?;
    if unevaluable == UnevaluablePolicy::Refuse {
        maps.refuse_unevaluable()
            .map_err(|e| bad(format!("{shown}: {e}")))?;
    }
    Ok(maps)
}

/// The name of the record value of a file: FNV-1a (64 bits) of its full path in lower case.
pub fn record_name(full_path: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in full_path.to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The stored record: which file, and what it applied.
#[derive(Serialize, Deserialize, Default, PartialEq, Debug)]
struct StoredRecord {
    file: String,
    #[serde(flatten)]
    record: AppliedRecord,
}

/// `FilterRegistry` through the port (cached): a key or value that cannot be read counts as
/// absent, as for the Group Policy client.
pub(crate) struct PortRegistry<'a>(pub(crate) &'a dyn Port);

impl RegistryLookup for PortRegistry<'_> {
    fn key_exists(&self, hive: Hive, key: &str) -> bool {
        self.0.registry_key_exists(hive, key).unwrap_or(false)
    }
    fn value(&self, hive: Hive, key: &str, name: &str) -> Option<RegValue> {
        self.0.registry_value(hive, key, name).ok().flatten()
    }
}

fn read_err(what: &str) -> impl FnOnce(mapdrive_core::error::ApiError) -> Error + '_ {
    move |e| Error::api(format!("could not read {what}"), e)
}

/// The drives of the token in effect, as [`gpp::plan`] wants them.
fn drive_state(p: &dyn Port) -> Result<DriveState, Error> {
    let mut st = DriveState::default();
    let connected = p.connected().map_err(read_err("the connected drives"))?;
    let remembered = p
        .remembered()
        .map_err(read_err("the remembered drives (HKCU\\Network)"))?;
    for l in mapdrive_core::domain::DriveLetter::all() {
        let c = connected.iter().find(|c| c.letter == l);
        let r = remembered.iter().find(|r| r.letter == l);
        let local = c.is_none()
            && p.dos_device(l)
                .map_err(read_err("the DOS devices"))?
                .is_some();
        let remote = c.map(|c| c.remote.clone()).or(r.map(|r| r.remote.clone()));
        let label = match remote.as_deref().map(str::parse) {
            Some(Ok(path)) => p.label(&path).map_err(read_err("Explorer's labels"))?,
            _ => None,
        };
        let s = LetterState {
            connected: c.map(|c| c.remote.clone()),
            remembered: r.map(|r| r.remote.clone()),
            local,
            label,
        };
        if s != LetterState::default() {
            st.letters.insert(l, s);
        }
    }
    st.no_drives = p
        .no_drives()
        .map_err(read_err("NoDrives (HKCU\\...\\Policies\\Explorer)"))?
        .unwrap_or(0);
    Ok(st)
}

/// What was read in the chosen session, and what the file decides.
struct Planned {
    old: Option<StoredRecord>,
    no_drives_before: u32,
    plan: RunPlan,
}

fn plan_in(
    p: &mut dyn Port,
    maps: &DriveMaps,
    record: &str,
    options: &GppOptions,
) -> Result<Planned, Error> {
    let facts = p.targeting_facts().map_err(read_err(
        "the targeting facts (token groups, computer names)",
    ))?;
    let state = drive_state(&*p)?;
    let old: Option<StoredRecord> = match p.gpp_record(record).map_err(read_err(
        "mapdrive's record (HKCU\\Software\\mapdrive\\Gpp)",
    ))? {
        None => None,
        Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
            bad(format!(
                "mapdrive's record HKCU\\Software\\mapdrive\\Gpp\\{record} is not readable ({e}): \
                 delete that value to start afresh (removePolicy items are then not removed)"
            ))
        })?),
    };
    let previous = old.as_ref().map(|o| o.record.clone()).unwrap_or_default();
    let plan = gpp::plan(
        maps,
        &facts,
        &PortRegistry(&*p),
        &state,
        &previous,
        &PlanOptions {
            unevaluable: options.unevaluable,
            ..PlanOptions::default()
        },
    )
    .map_err(|e| bad(e.to_string()))?;
    Ok(Planned {
        old,
        no_drives_before: state.no_drives,
        plan,
    })
}

fn report(name: String, type_name: &'static str, result: ItemResult, why: String) -> ItemReport {
    ItemReport {
        name,
        type_name,
        result,
        changes: vec![why],
        changed_properties: Vec::new(),
        error: None,
        error_kind: None,
        warnings: Vec::new(),
        wants_present: true,
    }
}

fn unmap(letter: mapdrive_core::domain::DriveLetter) -> Change {
    Change::Unmap(UnmapRequest {
        letter,
        expect: None,
        force: false,
        keep_remembered: false,
    })
}

/// Runs the changes of one decision through the engine; the warnings it gave.
fn carry_out(
    port: &mut dyn Port,
    decision: &Decision,
    session: SessionChoice,
    check: bool,
) -> Result<Vec<String>, Error> {
    let mut changes = Vec::new();
    match decision {
        Decision::Unmap { letters } => changes.extend(letters.iter().map(|l| unmap(*l))),
        Decision::Map {
            letter,
            path,
            persistent,
            label,
            replace,
            user_name,
            ..
        } => {
            if *replace {
                changes.push(unmap(*letter));
            }
            changes.push(Change::Map(
                MapRequest {
                    letter: *letter,
                    remote: path.clone(),
                    remember: *persistent,
                    user: user_name.clone().filter(|u| !u.is_empty()),
                    with_password: false,
                    // `Some("")` removes the label, as `map --label ""` does.
                    label: label.clone(),
                    // As `mapdrive map` and the DSC resource: no silent global drive as SYSTEM.
                    as_system: mapdrive_core::plan::AsSystem::Refuse,
                    remembered_is_enough: false,
                },
                None,
            ));
        }
        _ => {}
    }
    let mut warnings = Vec::new();
    for change in changes {
        let response = engine::execute(
            port,
            Request {
                change,
                session,
                check,
            },
        )?;
        warnings.extend(response.warnings());
        if let Some(e) = response.failure {
            return Err(e);
        }
    }
    Ok(warnings)
}

/// Applies (or checks) a parsed `Drives.xml` for the acting user. `full_path` names the file
/// for the record. Errors before anything changed are `Err` (exit 2 for the file's faults).
pub fn apply(
    port: &mut dyn Port,
    maps: &DriveMaps,
    full_path: &str,
    options: GppOptions,
) -> Result<ApplyReport, Error> {
    let record = record_name(full_path);
    let mut cached = CachingPort::new(port);
    let chosen = engine::choose_to_change(&mut cached, options.session)?;
    let token = chosen
        .tokens
        .first()
        .copied()
        .unwrap_or(TokenChoice::Current);
    let planned = under(&mut cached, token, |p| plan_in(p, maps, &record, &options))?;
    let Planned {
        old,
        no_drives_before,
        plan,
    } = planned;
    let mut reports: Vec<ItemReport> = Vec::new();
    let mut warnings = chosen.warnings.clone();
    let mut record_out = plan.record.clone();
    let mut no_drives = no_drives_before;

    for removal in &plan.removals {
        let name = if removal.entry.name.is_empty() {
            removal.entry.uid.clone()
        } else {
            removal.entry.name.clone()
        };
        let why = match &removal.decision {
            Decision::Unmap { .. } => format!(
                "remove {} ({}): {}",
                removal.entry.letter, removal.entry.path, removal.reason
            ),
            Decision::Unchanged { why, .. } => format!("{}; {why}", removal.reason),
            _ => removal.reason.clone(),
        };
        let changes = matches!(removal.decision, Decision::Unmap { .. });
        let result = match (changes, options.check) {
            (false, _) => ItemResult::Unchanged,
            (true, true) => ItemResult::WouldChange,
            (true, false) => {
                match carry_out(&mut cached, &removal.decision, options.session, false) {
                    Ok(w) => {
                        warnings.extend(w);
                        ItemResult::Changed
                    }
                    Err(e) => {
                        // Keep the entry: a later run can still remove the drive.
                        if !record_out
                            .items
                            .iter()
                            .any(|i| i.uid.eq_ignore_ascii_case(&removal.entry.uid))
                        {
                            record_out.items.push(removal.entry.clone());
                        }
                        let mut r =
                            report(name.clone(), REMOVAL_TYPE, ItemResult::Failed, why.clone());
                        r.error = Some(format!("{why}: {}", super::error_text(&e)));
                        r.error_kind = Some(e.kind());
                        reports.push(r);
                        continue;
                    }
                }
            }
        };
        reports.push(report(name, REMOVAL_TYPE, result, why));
    }

    let mut stopped: Option<String> = None;
    for item in &plan.items {
        let name = if item.item.name.is_empty() {
            format!("item {}", item.index + 1)
        } else {
            item.item.name.clone()
        };
        let why = item.why();
        if let Some(by) = &stopped {
            if let Some(uid) = item.item.uid.as_ref() {
                record_out
                    .items
                    .retain(|i| !i.uid.eq_ignore_ascii_case(uid) || keep(&old, uid));
            }
            reports.push(report(
                name,
                ITEM_TYPE,
                ItemResult::NotProcessed,
                by.clone(),
            ));
            continue;
        }
        let result = match &item.decision {
            Decision::NotApplicable { .. } => ItemResult::NotApplicable,
            Decision::Skipped { .. } => ItemResult::Disabled,
            Decision::NotProcessed { .. } => ItemResult::NotProcessed,
            Decision::Failed { .. } => ItemResult::Failed,
            _ if !item.changes() => ItemResult::Unchanged,
            // In check mode the engine checks the change too, so `--check` fails where the
            // change would (e.g. a mapping refused as SYSTEM) instead of predicting success.
            d => match carry_out(&mut cached, d, options.session, options.check) {
                Ok(w) => {
                    warnings.extend(w);
                    if options.check {
                        ItemResult::WouldChange
                    } else {
                        ItemResult::Changed
                    }
                }
                Err(e) => {
                    let uid = item
                        .item
                        .uid
                        .clone()
                        .unwrap_or_else(|| item.item.name.clone());
                    record_out
                        .items
                        .retain(|i| !i.uid.eq_ignore_ascii_case(&uid));
                    let mut r = report(name.clone(), ITEM_TYPE, ItemResult::Failed, why.clone());
                    r.error = Some(super::error_text(&e));
                    r.error_kind = Some(e.kind());
                    reports.push(r);
                    if !item.bypass_errors {
                        stopped = Some(format!(
                            "not processed: {} failed and stops the remaining items \
                             (bypassErrors=\"0\")",
                            item.item
                        ));
                    }
                    continue;
                }
            },
        };
        if result == ItemResult::Failed && !item.bypass_errors {
            stopped = Some(format!(
                "not processed: {} failed and stops the remaining items (bypassErrors=\"0\")",
                item.item
            ));
        }
        // The item's NoDrives bits, when it applied.
        if let Some(c) = item.no_drives
            && matches!(result, ItemResult::Changed | ItemResult::WouldChange)
        {
            no_drives = (no_drives | (c.after & !c.before)) & !(c.before & !c.after);
        }
        let mut r = report(name, ITEM_TYPE, result, why.clone());
        if result == ItemResult::Failed {
            r.error = Some(why);
        }
        reports.push(r);
    }

    // NoDrives and the record: written only when they change.
    let old_record = old.map(|o| o.record).unwrap_or_default();
    let write_record = record_out != old_record;
    if !options.check && (no_drives != no_drives_before || write_record) {
        let stored = StoredRecord {
            file: full_path.to_string(),
            record: record_out.clone(),
        };
        let text = serde_json::to_string(&stored).unwrap_or_default();
        under(&mut cached, token, |p| {
            if no_drives != no_drives_before {
                engine::audit::set_no_drives(p, Some(no_drives_before), no_drives)?;
            }
            if write_record {
                let value = (record_out != AppliedRecord::default()).then_some(text.as_str());
                p.set_gpp_record(&record, value).map_err(|e| {
                    Error::api(
                        format!("could not write mapdrive's record HKCU\\Software\\mapdrive\\Gpp\\{record}"),
                        e,
                    )
                })?;
            }
            Ok(())
        })?;
    }
    if let Some(first) = reports.first_mut() {
        let mut seen = Vec::new();
        for w in warnings {
            if !seen.contains(&w) {
                seen.push(w);
            }
        }
        first.warnings = seen;
    }
    let changed = reports
        .iter()
        .any(|r| matches!(r.result, ItemResult::Changed | ItemResult::WouldChange))
        || no_drives != no_drives_before;
    Ok(ApplyReport {
        changed,
        failed: reports
            .iter()
            .any(|r| matches!(r.result, ItemResult::Failed | ItemResult::NotProcessed)),
        check_mode: options.check,
        summary: summary(&reports, options.check),
        items: reports,
    })
}

/// Whether the old record holds an entry for `uid` (kept when its item was not processed).
fn keep(old: &Option<StoredRecord>, uid: &str) -> bool {
    old.as_ref().is_some_and(|o| {
        o.record
            .items
            .iter()
            .any(|i| i.uid.eq_ignore_ascii_case(uid))
    })
}

// ---------------------------------------------------------------- mapdrive gpp convert

/// `mapdrive gpp convert FILE`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// A Group Policy Preferences Drive Maps file (Drives.xml, UTF-8 or UTF-16).
    pub file: std::path::PathBuf,
    /// Write the document to this file instead of standard output.
    #[arg(long, value_name = "OUT")]
    pub output: Option<std::path::PathBuf>,
    /// Write JSON instead of YAML (notes then live only in each resource's metadata).
    #[arg(long)]
    pub json: bool,
}

/// `mapdrive gpp ...`.
#[derive(Debug, clap::Subcommand)]
pub enum GppCommand {
    /// Convert a Drives.xml into the equivalent DSC v3 configuration document over Mapdrive/*
    /// resources (one resource per item, in order; targeting kept).
    Convert(ConvertArgs),
}

/// Runs `mapdrive gpp ...` (no Windows needed).
pub fn run_command(command: &GppCommand) -> Result<crate::frontend::report::Report, Error> {
    let GppCommand::Convert(a) = command;
    let text = super::text::read_file(&a.file, "the Drives.xml")?;
    let shown = a.file.to_string_lossy().to_string();
    let maps = gpp::parse_str(&text).map_err(|e| bad(format!("{shown}: {e}")))?;
    let converted = convert(&maps);
    let out = if a.json {
        crate::frontend::json::ascii(
            &serde_json::to_string_pretty(&converted.document).unwrap_or_default(),
        ) + "\n"
    } else {
        let yaml = yaml_serde::to_string(&converted.document)
            .map_err(|e| bad(format!("could not write YAML: {e}")))?;
        let mut head = format!(
            "# Converted by `mapdrive gpp convert` from {shown}.\n\
             # Apply with `mapdrive apply FILE` or `dsc config set --file FILE`. Targeting is kept in\n\
             # each Mapdrive/MappedDrive's `targeting` property and evaluated by the resource.\n"
        );
        if !converted.notes.is_empty() {
            head.push_str("#\n# What has no equivalent in a DSC document:\n");
            for n in &converted.notes {
                head.push_str(&format!("# - {}\n", n.replace('\n', " ")));
            }
        }
        head + &yaml
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, out.as_bytes())
                .map_err(|e| bad(format!("could not write {}: {e}", path.to_string_lossy())))?;
            Ok(crate::frontend::report::Report {
                stdout: String::new(),
                stderr: format!(
                    "wrote {} resources to {}\n",
                    converted.resources,
                    path.to_string_lossy()
                ),
                code: 0,
            })
        }
        None => Ok(crate::frontend::report::Report {
            stdout: out,
            stderr: String::new(),
            code: 0,
        }),
    }
}

/// A converted document and its notes.
pub struct Converted {
    /// The DSC v3 configuration document.
    pub document: serde_json::Value,
    /// What has no equivalent, one line per finding (YAML comments; also each resource's
    /// `metadata.gpp.notes`).
    pub notes: Vec<String>,
    /// How many resources it holds.
    pub resources: usize,
}

/// The DSC document equivalent to a `Drives.xml`: one `Mapdrive/MappedDrive` per item (one per
/// letter for "Delete all, starting at"), in file order, each depending on the previous
/// resource for the same letter (or on every earlier one for first-available letters), so
/// order-sensitive files keep their order under dsc.
pub fn convert(maps: &DriveMaps) -> Converted {
    use gpp::{Action, Visibility};
    use serde_json::{Value, json};

    let mut resources: Vec<Value> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    // (letter or "*", resource name) of the resources so far.
    let mut earlier: Vec<(String, String)> = Vec::new();
    if maps.disabled {
        notes.push(
            "the whole file is disabled (Drives disabled=\"1\"): no resource is written".into(),
        );
    }
    for item in maps.items.iter().filter(|_| !maps.disabled) {
        let label = item.item.label();
        let mut item_notes: Vec<String> = Vec::new();
        if item.disabled {
            notes.push(format!("{label}: disabled, not converted"));
            continue;
        }
        if item.path.contains('%') || item.label.contains('%') {
            notes.push(format!(
                "{label}: the path or label uses preference variables ({}); `mapdrive apply` of \
                 the Drives.xml expands them for each user, a DSC document cannot: not converted",
                item.path
            ));
            continue;
        }
        if item.action == Action::Update && item.path.is_empty() {
            notes.push(format!(
                "{label}: Update without a path changes an existing mapping's settings only; a \
                 Mapdrive/MappedDrive names its share: not converted"
            ));
            continue;
        }
        if item.remove_policy {
            item_notes.push(
                "removePolicy (remove the drive once the item no longer applies) needs a history \
                 a DSC document does not keep: remove the resource and add one with _exist: false"
                    .into(),
            );
        }
        if item.action == Action::Create {
            item_notes.push(
                "Create leaves a letter mapped to another share alone; the resource maps it to \
                 this share"
                    .into(),
            );
        }
        if let Some(u) = item.user_name.as_ref().filter(|u| !u.is_empty()) {
            item_notes.push(format!(
                "userName {u}: save that account's password with a Mapdrive/Credential resource \
                 (securestring parameter) for the server"
            ));
        }
        if item.all_drives != Visibility::NoChange {
            item_notes.push(
                "allDrives (hide or show all 26 letters) has no property: set NoDrives by policy"
                    .into(),
            );
        }
        if !item.filters.run_once_ids().is_empty() {
            item_notes.push(
                "\"Apply once and do not reapply\" (FilterRunOnce) is evaluated as never applied \
                 before by the resource"
                    .into(),
            );
        }
        let targeting = (!item.filters.is_empty()).then(|| item.filters.to_raw());
        let mut entries: Vec<(String, serde_json::Map<String, Value>)> = Vec::new();
        let base_name = format!(
            "{} {}",
            item.item.name.trim_end_matches(':'),
            item.action.as_str()
        );
        if item.action == Action::Delete {
            let letters: Vec<mapdrive_core::domain::DriveLetter> = if item.use_letter {
                vec![item.letter]
            } else {
                mapdrive_core::domain::DriveLetter::all()
                    .filter(|l| *l >= item.letter)
                    .collect()
            };
            for l in letters {
                let mut p = serde_json::Map::new();
                p.insert("letter".into(), json!(l.as_char().to_string()));
                p.insert("_exist".into(), json!(false));
                let name = if item.use_letter {
                    base_name.clone()
                } else {
                    format!("{base_name} {}", l.as_char())
                };
                entries.push((name, p));
            }
        } else {
            let mut p = serde_json::Map::new();
            if item.use_letter {
                p.insert("letter".into(), json!(item.letter.as_char().to_string()));
            } else {
                p.insert("letter".into(), json!("*"));
                p.insert(
                    "startLetter".into(),
                    json!(item.letter.as_char().to_string()),
                );
            }
            p.insert("path".into(), json!(item.path));
            match (item.action, item.label.is_empty()) {
                (Action::Replace, _) | (_, false) => {
                    p.insert("label".into(), json!(item.label));
                }
                _ => {}
            }
            p.insert("persistent".into(), json!(item.persistent));
            match item.this_drive {
                Visibility::Hide if item.use_letter => {
                    p.insert("hidden".into(), json!(true));
                }
                Visibility::Show if item.use_letter => {
                    p.insert("hidden".into(), json!(false));
                }
                Visibility::NoChange => {}
                _ => item_notes.push(
                    "thisDrive on a first-available letter: hidden needs a fixed letter".into(),
                ),
            }
            entries.push((base_name, p));
        }
        for n in &item_notes {
            notes.push(format!("{label}: {n}"));
        }
        for (name, mut props) in entries {
            if let Some(t) = &targeting {
                props.insert(
                    "targeting".into(),
                    serde_json::to_value(t).unwrap_or(Value::Null),
                );
            }
            let mut value = Value::Object(props);
            super::escape_literals(&mut value);
            let name = super::item_name(&name, &mut used);
            let letter = value["letter"].as_str().unwrap_or("*").to_string();
            let depends: Vec<String> = earlier
                .iter()
                .filter(|(l, _)| l == &letter || l == "*" || letter == "*")
                .map(|(_, n)| n.clone())
                .next_back()
                .map(|n| format!("[resourceId('Mapdrive/MappedDrive','{n}')]"))
                .into_iter()
                .collect();
            let mut r = json!({
                "name": name,
                "type": "Mapdrive/MappedDrive",
                "properties": value,
            });
            if !depends.is_empty() {
                r["dependsOn"] = json!(depends);
            }
            let mut meta = json!({"index": item.index + 1, "name": item.item.name});
            if let Some(uid) = &item.item.uid {
                meta["uid"] = json!(uid);
            }
            if !item_notes.is_empty() {
                meta["notes"] = json!(item_notes);
            }
            r["metadata"] = json!({ "Mapdrive/gpp": meta });
            earlier.push((letter, name));
            resources.push(r);
        }
    }
    let count = resources.len();
    Converted {
        document: json!({"$schema": super::DOCUMENT_SCHEMA, "resources": resources}),
        notes,
        resources: count,
    }
}

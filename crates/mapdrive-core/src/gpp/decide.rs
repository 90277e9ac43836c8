//! What each item decides: processing order, the GPP actions against the current drives,
//! first-available letters, `removePolicy` history and Explorer's `NoDrives` bits.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{GppError, ItemRef};
use super::filter::{EvalContext, RegistryLookup, TargetingFacts, Verdict, evaluate};
use super::parse::{Action, DriveItem, DriveMaps, Visibility};
use super::vars::expand;
use crate::domain::{DriveLetter, RemotePath};

/// The order items are processed in.
///
/// The GPMC help ("Configure Common Options") says preference extensions process items "from
/// the bottom of the list to the top"; files and the editor's Order column list them top to
/// bottom, and administrators commonly rely on the top item (e.g. "Delete all, starting at")
/// running first. Which is right is not settled by the sources; both are offered and the
/// default is file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProcessingOrder {
    /// Top to bottom, as the items appear in the file (the editor's Order 1, 2, 3, …).
    #[default]
    FileOrder,
    /// Bottom to top, as the GPMC help words it.
    BottomUp,
}

/// What to do with filters mapdrive cannot evaluate ([`DriveMaps::unevaluable`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnevaluablePolicy {
    /// Refuse the whole file ([`GppError::Unevaluable`], exit 2) before anything changes.
    #[default]
    Refuse,
    /// Treat every item carrying one as not applicable (`--unevaluable-filters skip`).
    Skip,
}

/// Options of [`plan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// Processing order.
    pub order: ProcessingOrder,
    /// Unevaluable filters.
    pub unevaluable: UnevaluablePolicy,
}

/// One letter as the caller found it (read once through the port).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LetterState {
    /// A live network connection on the letter in this logon session: its remote path.
    pub connected: Option<String>,
    /// A remembered connection (`HKCU\Network\<letter>`, restored at logon): its remote path.
    pub remembered: Option<String>,
    /// A local device holds the letter (a disk, `subst`, another redirector): not a mapping,
    /// and not free.
    pub local: bool,
    /// Explorer's label for the mapped share (`MountPoints2\…\_LabelFromReg`), if set.
    pub label: Option<String>,
}

impl LetterState {
    /// The mapping on the letter: the connected path, else the remembered one.
    pub fn mapped(&self) -> Option<&str> {
        self.connected.as_deref().or(self.remembered.as_deref())
    }

    fn is_free(&self) -> bool {
        !self.local && self.connected.is_none() && self.remembered.is_none()
    }
}

/// The drives of the user's logon session, as the caller read them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DriveState {
    /// Letters that are not free; a letter absent here is free.
    pub letters: BTreeMap<DriveLetter, LetterState>,
    /// The user's `NoDrives` value (absent = 0).
    pub no_drives: u32,
}

impl DriveState {
    /// The state of one letter (default: free).
    pub fn letter(&self, l: DriveLetter) -> LetterState {
        self.letters.get(&l).cloned().unwrap_or_default()
    }

    fn set(&mut self, l: DriveLetter, s: LetterState) {
        if s == LetterState::default() {
            self.letters.remove(&l);
        } else {
            self.letters.insert(l, s);
        }
    }
}

/// The bit of `NoDrives` that hides a letter (`A:` = `0x1`, `Z:` = `0x2000000`).
pub fn no_drives_bit(letter: DriveLetter) -> u32 {
    1 << (u32::from(letter.as_char()) - u32::from('A'))
}

/// All 26 letters in `NoDrives` (`0x3FFFFFF`).
const ALL_DRIVES: u32 = 0x03FF_FFFF;

/// A change of the `NoDrives` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoDrivesChange {
    /// Value before.
    pub before: u32,
    /// Value after.
    pub after: u32,
}

/// What one item (or one removal) does to the drives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Connect `letter` to `path` (first removing what is there when `replace`).
    Map {
        /// The letter (the chosen one for "first available").
        letter: DriveLetter,
        /// The share, variables expanded and validated.
        path: RemotePath,
        /// Remember it (`HKCU\Network`) so it is restored at logon.
        persistent: bool,
        /// Explorer label: `None` leaves it as it is; `Some("")` removes it; else sets it.
        label: Option<String>,
        /// `thisDrive`: `Some(true)` HIDE, `Some(false)` SHOW, `None` NOCHANGE (the bits are
        /// in [`ItemOutcome::no_drives`]).
        hide: Option<bool>,
        /// Something is on the letter and must go first (Replace, or Update to another share).
        replace: bool,
        /// `userName`: connect as this account (its password comes from a saved credential,
        /// never from the file).
        user_name: Option<String>,
    },
    /// Remove these mappings, connected and remembered.
    Unmap {
        /// The letters, in order.
        letters: Vec<DriveLetter>,
    },
    /// The drives already are as the item wants (or the action leaves them alone).
    Unchanged {
        /// The letter concerned, when there is one.
        letter: Option<DriveLetter>,
        /// Why nothing changes.
        why: String,
    },
    /// Targeting said no.
    NotApplicable {
        /// The first rule that said no (`FilterGroup CORP\Sales: user is not a member`).
        reason: String,
    },
    /// `disabled="1"` on the item (or on the whole file).
    Skipped {
        /// Which.
        why: String,
    },
    /// The item cannot be applied (unknown variable, invalid path after expansion, no free
    /// letter, a local device on the letter, …). With `bypassErrors` off the rest stop.
    Failed {
        /// What happened and what to do.
        error: String,
    },
    /// Not processed: an earlier item failed with "Stop processing items in this extension if
    /// an error occurs on this item" (`bypassErrors="0"`).
    NotProcessed {
        /// Names the item that stopped the run.
        why: String,
    },
}

/// The decision for one `Drive` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemOutcome {
    /// 0-based position in the file.
    pub index: usize,
    /// Name, uid and line.
    pub item: ItemRef,
    /// The item's action.
    pub action: Action,
    /// What happens.
    pub decision: Decision,
    /// The item's `thisDrive`/`allDrives` change of `NoDrives`, when it changes anything.
    pub no_drives: Option<NoDrivesChange>,
    /// `bypassErrors`: when false and applying this item fails, the engine stops the rest
    /// (mark them [`Decision::NotProcessed`]).
    pub bypass_errors: bool,
}

impl ItemOutcome {
    /// Does applying this item change anything (mapping or `NoDrives`)?
    pub fn changes(&self) -> bool {
        matches!(self.decision, Decision::Map { .. } | Decision::Unmap { .. })
            || self.no_drives.is_some()
    }

    /// The result word for a report, before applying: `changed`, `unchanged`,
    /// `not applicable`, `skipped (disabled)`, `failed` or `not processed`. (After applying,
    /// a change that fails is `failed`.)
    pub fn status(&self) -> &'static str {
        match &self.decision {
            _ if self.changes() => "changed",
            Decision::Unchanged { .. } | Decision::Map { .. } | Decision::Unmap { .. } => {
                "unchanged"
            }
            Decision::NotApplicable { .. } => "not applicable",
            Decision::Skipped { .. } => "skipped (disabled)",
            Decision::Failed { .. } => "failed",
            Decision::NotProcessed { .. } => "not processed",
        }
    }

    /// Why, in one line: the reason, error or note the decision carries; for a change, what
    /// it does (`map H: to \\files\home\alice (remembered)`, `remove W:, Y:`, `hide T:`).
    pub fn why(&self) -> String {
        let mut parts = Vec::new();
        match &self.decision {
            Decision::Map {
                letter,
                path,
                persistent,
                label,
                replace,
                ..
            } => {
                let verb = if *replace { "replace" } else { "map" };
                let mut s = format!(
                    "{verb} {letter} to {path} ({})",
                    if *persistent {
                        "remembered"
                    } else {
                        "this logon only"
                    }
                );
                match label.as_deref() {
                    Some("") => s.push_str(", label removed"),
                    Some(l) => s.push_str(&format!(", label \"{l}\"")),
                    None => {}
                }
                parts.push(s);
            }
            Decision::Unmap { letters } => parts.push(format!(
                "remove {}",
                letters
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Decision::Unchanged { why, .. } | Decision::Skipped { why } => parts.push(why.clone()),
            Decision::NotProcessed { why } => parts.push(why.clone()),
            Decision::NotApplicable { reason } => parts.push(reason.clone()),
            Decision::Failed { error } => parts.push(error.clone()),
        }
        if let Some(c) = self.no_drives {
            parts.push(format!(
                "NoDrives 0x{:X} -> 0x{:X} (Explorer shows the change at its next start)",
                c.before, c.after
            ));
        }
        parts.join("; ")
    }
}

/// One entry of the `removePolicy` history: an item with "Remove this item when it is no
/// longer applied" that mapped a drive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedItem {
    /// The item's `uid` (its `name` when it has none).
    pub uid: String,
    /// The item's `name`, for messages.
    pub name: String,
    /// The letter it mapped.
    #[serde(serialize_with = "ser_letter", deserialize_with = "de_letter")]
    pub letter: DriveLetter,
    /// The share it mapped.
    pub path: String,
}

/// What one `Drives.xml` applied for one user, kept between runs: the `removePolicy` entries
/// and the `FilterRunOnce` ids (the Group Policy client keeps a per-user history copy of the
/// file; mapdrive keeps this record, wherever the caller stores it).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AppliedRecord {
    /// The `removePolicy` entries.
    pub items: Vec<AppliedItem>,
    /// `FilterRunOnce` ids of items applied ("Apply once and do not reapply").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_once: Vec<String>,
}

fn ser_letter<S: Serializer>(l: &DriveLetter, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(l)
}

fn de_letter<'de, D: Deserializer<'de>>(d: D) -> Result<DriveLetter, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

/// A removal decided from the history: an item that applied before with `removePolicy` and is
/// now gone from the file, disabled, out of scope or moved to another letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovalOutcome {
    /// The history entry.
    pub entry: AppliedItem,
    /// Why it no longer applies.
    pub reason: String,
    /// [`Decision::Unmap`], or [`Decision::Unchanged`] when the letter no longer holds that
    /// share.
    pub decision: Decision,
}

/// Everything one run of a `Drives.xml` decides, before anything is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunPlan {
    /// Removals from the history, applied first.
    pub removals: Vec<RemovalOutcome>,
    /// One outcome per item, in processing order.
    pub items: Vec<ItemOutcome>,
    /// The overall `NoDrives` change, when there is one.
    pub no_drives: Option<NoDrivesChange>,
    /// The history to store once every change succeeded. When an item's change fails, drop
    /// its entry ([`AppliedRecord::items`] by `uid`); when a removal fails, keep its old entry.
    pub record: AppliedRecord,
    /// The drives as they will be when every change succeeds.
    pub end_state: DriveState,
}

fn uid_of(item: &ItemRef) -> String {
    item.uid.clone().unwrap_or_else(|| item.name.clone())
}

struct Scope {
    verdict: Result<(), Decision>,
    captured: Vec<(String, String)>,
}

/// Decides every item of a parsed `Drives.xml` for one user: targeting against `facts` and
/// `registry`, variables, the GPP action against `state`, the `removePolicy` history in
/// `previous`. Pure: nothing is read or written; the caller applies the [`RunPlan`].
///
/// Refuses ([`GppError::Unevaluable`]) when the file holds filters mapdrive cannot evaluate and
/// `options.unevaluable` is [`UnevaluablePolicy::Refuse`].
///
/// The actions, as MS-GPPREF 2.2.1.4.1 defines them (a mapping is the connected or remembered
/// share on the letter):
///
/// | action | letter not mapped | letter mapped |
/// |---|---|---|
/// | Create | map | leave it (unchanged) |
/// | Replace | map | remove and map again, unless it already is exactly the item |
/// | Update | map (an empty `path` fails: nothing to update) | change what the item defines; empty `path` keeps the share |
/// | Delete | nothing | remove (`useLetter="0"`: every mapping from the letter to `Z:`) |
///
/// "First available" (`useLetter="0"`) takes, from `letter` to `Z:`, the letter already mapped
/// to the same share if there is one (so runs repeat without moving the drive), else the first
/// letter with no connection, no remembered connection and no local device. `thisDrive` and
/// `allDrives` change the user's `NoDrives` bits (`allDrives` first, then `thisDrive`) for every
/// item that applies. A decision already failing (an unknown variable, …) stops the remaining
/// items when the item has `bypassErrors="0"`.
pub fn plan(
    maps: &DriveMaps,
    facts: &TargetingFacts,
    registry: &dyn RegistryLookup,
    state: &DriveState,
    previous: &AppliedRecord,
    options: &PlanOptions,
) -> Result<RunPlan, GppError> {
    if options.unevaluable == UnevaluablePolicy::Refuse {
        maps.refuse_unevaluable()?;
    }
    let mut order: Vec<&DriveItem> = maps.items.iter().collect();
    if options.order == ProcessingOrder::BottomUp {
        order.reverse();
    }

    // Pass 1: scope (disabled, targeting), in processing order (GETVALUE variables carry on).
    let mut ctx = EvalContext {
        variables: Vec::new(),
        run_once_done: previous.run_once.clone(),
    };
    let mut scopes: Vec<Scope> = Vec::with_capacity(order.len());
    let mut applied_once: Vec<String> = Vec::new();
    for item in &order {
        let verdict = if maps.disabled {
            Err(Decision::Skipped {
                why: "the whole file is disabled (Drives disabled=\"1\")".into(),
            })
        } else if item.disabled {
            Err(Decision::Skipped {
                why: "the item is disabled (disabled=\"1\")".into(),
            })
        } else if let Some(f) = item.filters.unevaluable().first() {
            let at = if f.line > 0 {
                format!(" at line {}", f.line)
            } else {
                String::new()
            };
            Err(Decision::NotApplicable {
                reason: format!(
                    "{}{at} cannot be evaluated ({}); skipped as asked",
                    f.element,
                    f.unevaluable_reason().unwrap_or_default()
                ),
            })
        } else {
            let before = ctx.clone();
            match evaluate(&item.filters, facts, registry, &mut ctx) {
                Verdict::Applies => Ok(()),
                Verdict::NotApplicable(reason) => {
                    // Held back only by "Apply once": it applied before and still would.
                    if !item.filters.run_once_ids().is_empty() {
                        let mut again = EvalContext {
                            run_once_done: Vec::new(),
                            ..before
                        };
                        if evaluate(&item.filters, facts, registry, &mut again) == Verdict::Applies
                        {
                            applied_once.push(uid_of(&item.item));
                        }
                    }
                    Err(Decision::NotApplicable { reason })
                }
            }
        };
        scopes.push(Scope {
            verdict,
            captured: ctx.variables.clone(),
        });
    }

    let mut st = state.clone();

    // Pass 2: removals from the history.
    let mut removals = Vec::new();
    let mut kept: Vec<AppliedItem> = Vec::new();
    for entry in &previous.items {
        let current = order
            .iter()
            .zip(&scopes)
            .find(|(i, _)| uid_of(&i.item).eq_ignore_ascii_case(&entry.uid));
        let reason = match current {
            None => Some("the item is gone from the file".to_string()),
            Some((
                _,
                Scope {
                    verdict: Err(d), ..
                },
            )) => Some(match d {
                Decision::Skipped { why } => why.clone(),
                Decision::NotApplicable { reason } => {
                    format!("the item no longer applies: {reason}")
                }
                _ => "the item no longer applies".to_string(),
            }),
            Some((i, _)) if i.use_letter && i.letter != entry.letter => Some(format!(
                "the item now maps {} instead of {}",
                i.letter, entry.letter
            )),
            Some(_) => None,
        };
        // An "Apply once" item that already applied is not "no longer applied".
        let reason = reason.filter(|_| {
            !applied_once
                .iter()
                .any(|u| u.eq_ignore_ascii_case(&entry.uid))
        });
        let Some(reason) = reason else {
            kept.push(entry.clone());
            continue;
        };
        let cur = st.letter(entry.letter);
        let decision = match cur.mapped() {
            Some(p) if same_path(p, &entry.path) => {
                st.set(entry.letter, LetterState::default());
                Decision::Unmap {
                    letters: vec![entry.letter],
                }
            }
            _ => Decision::Unchanged {
                letter: Some(entry.letter),
                why: format!(
                    "{} no longer holds {}: nothing to remove",
                    entry.letter, entry.path
                ),
            },
        };
        removals.push(RemovalOutcome {
            entry: entry.clone(),
            reason,
            decision,
        });
    }

    // Pass 3: the items.
    let before_all = st.no_drives;
    let mut items = Vec::with_capacity(order.len());
    let mut record: Vec<AppliedItem> = Vec::new();
    let mut stopped: Option<String> = None;
    let mut run_once = previous.run_once.clone();
    for (item, scope) in order.iter().zip(scopes) {
        let mut no_drives = None;
        let mut applied = None;
        let decision = if let Some(by) = &stopped {
            Decision::NotProcessed { why: by.clone() }
        } else {
            match scope.verdict {
                Err(d) => d,
                Ok(()) => {
                    let (d, a) = decide(item, facts, &scope.captured, &mut st);
                    if !matches!(d, Decision::Failed { .. }) {
                        no_drives = visibility(item, &d, &mut st);
                    }
                    applied = a;
                    d
                }
            }
        };
        if matches!(decision, Decision::Failed { .. }) && !item.bypass_errors {
            stopped = Some(format!(
                "{} failed and stops the remaining items (bypassErrors=\"0\": \"Stop processing \
                 items in this extension if an error occurs on this item\")",
                item.item
            ));
        }
        if item.remove_policy
            && let Some((letter, path)) = applied
        {
            record.push(AppliedItem {
                uid: uid_of(&item.item),
                name: item.item.name.clone(),
                letter,
                path,
            });
        }
        if matches!(
            decision,
            Decision::Map { .. } | Decision::Unmap { .. } | Decision::Unchanged { .. }
        ) {
            for id in item.filters.run_once_ids() {
                if !run_once.iter().any(|r| r.eq_ignore_ascii_case(id)) {
                    run_once.push(id.to_string());
                }
            }
        }
        items.push(ItemOutcome {
            index: item.index,
            item: item.item.clone(),
            action: item.action,
            decision,
            no_drives,
            bypass_errors: item.bypass_errors,
        });
    }
    // Entries kept from the history whose item did not record again (it failed or was not
    // processed this time) stay, so a later run can still remove what they mapped.
    for k in kept {
        if !record.iter().any(|r| r.uid.eq_ignore_ascii_case(&k.uid)) {
            record.push(k);
        }
    }
    let no_drives = (st.no_drives != before_all).then_some(NoDrivesChange {
        before: before_all,
        after: st.no_drives,
    });
    Ok(RunPlan {
        removals,
        items,
        no_drives,
        record: AppliedRecord {
            items: record,
            run_once,
        },
        end_state: st,
    })
}

fn same_path(a: &str, b: &str) -> bool {
    let n = |s: &str| s.trim_end_matches('\\').to_lowercase();
    n(a) == n(b)
}

fn failed(error: String) -> Decision {
    Decision::Failed { error }
}

/// The letter an item acts on: the fixed one, or the first available from it.
fn target_letter(item: &DriveItem, path: &str, st: &DriveState) -> Result<DriveLetter, Decision> {
    if item.use_letter {
        return Ok(item.letter);
    }
    let range = || DriveLetter::all().filter(|l| *l >= item.letter);
    if let Some(l) = range().find(|l| st.letter(*l).mapped().is_some_and(|p| same_path(p, path))) {
        return Ok(l);
    }
    range().find(|l| st.letter(*l).is_free()).ok_or_else(|| {
        failed(format!(
            "no free drive letter from {} to Z: (a letter with a connection, a remembered \
             connection or a local device is taken): free one, or start the range earlier",
            item.letter
        ))
    })
}

/// The item's mapping once the decision is applied: (letter, share), when it is the item's.
type Applied = Option<(DriveLetter, String)>;

fn decide(
    item: &DriveItem,
    facts: &TargetingFacts,
    captured: &[(String, String)],
    st: &mut DriveState,
) -> (Decision, Applied) {
    let d = decide_mapping(item, facts, captured, st);
    let applied = match &d {
        Decision::Map { letter, path, .. } => Some((*letter, path.to_string())),
        Decision::Unchanged {
            letter: Some(l), ..
        } if item.action != Action::Delete => {
            let on_letter = st.letter(*l).mapped().map(str::to_string);
            let wanted = expand(&item.path, facts, captured).unwrap_or_default();
            on_letter
                .filter(|p| wanted.is_empty() || same_path(p, &wanted))
                .map(|p| (*l, p))
        }
        _ => None,
    };
    (d, applied)
}

fn decide_mapping(
    item: &DriveItem,
    facts: &TargetingFacts,
    captured: &[(String, String)],
    st: &mut DriveState,
) -> Decision {
    let hide = match item.this_drive {
        Visibility::NoChange => None,
        Visibility::Hide => Some(true),
        Visibility::Show => Some(false),
    };
    if item.action == Action::Delete {
        let letters: Vec<DriveLetter> = if item.use_letter {
            vec![item.letter]
        } else {
            DriveLetter::all().filter(|l| *l >= item.letter).collect()
        };
        let mapped: Vec<DriveLetter> = letters
            .into_iter()
            .filter(|l| st.letter(*l).mapped().is_some())
            .collect();
        if mapped.is_empty() {
            let what = if item.use_letter {
                format!("{} is not mapped", item.letter)
            } else {
                format!("no drive from {} to Z: is mapped", item.letter)
            };
            return Decision::Unchanged {
                letter: item.use_letter.then_some(item.letter),
                why: format!("{what}: nothing to delete"),
            };
        }
        for l in &mapped {
            st.set(*l, LetterState::default());
        }
        return Decision::Unmap { letters: mapped };
    }

    let path_text = match expand(&item.path, facts, captured) {
        Ok(p) => p,
        Err(e) => return failed(format!("path \"{}\": {e}", item.path)),
    };
    let label_text = match expand(&item.label, facts, captured) {
        Ok(l) => l,
        Err(e) => return failed(format!("label \"{}\": {e}", item.label)),
    };
    let letter = match target_letter(item, &path_text, st) {
        Ok(l) => l,
        Err(d) => return d,
    };
    let cur = st.letter(letter);
    if cur.local {
        return failed(format!(
            "{letter} is in use by a local device (ERROR_ALREADY_ASSIGNED, 85): Windows maps a \
             network drive only on a free letter; choose another letter"
        ));
    }
    let current = cur.mapped().map(str::to_string);
    if item.action == Action::Create
        && let Some(p) = &current
    {
        return Decision::Unchanged {
            letter: Some(letter),
            why: format!(
                "{letter} is already mapped to {p}; Create leaves an existing mapping alone"
            ),
        };
    }
    let path_text = if path_text.is_empty() {
        match &current {
            Some(p) => p.clone(),
            None => {
                return failed(format!(
                    "Update without a path changes an existing mapping, and {letter} is not \
                     mapped: give the item a path, or map {letter} first"
                ));
            }
        }
    } else {
        path_text
    };
    let path: RemotePath = match path_text.parse() {
        Ok(p) => p,
        Err(e) => return failed(format!("path \"{path_text}\": {e}")),
    };
    // Replace overwrites every setting; Update changes only what the item defines.
    let label = match (item.action, label_text.is_empty()) {
        (Action::Replace, _) => Some(label_text),
        (_, true) => None,
        (_, false) => Some(label_text),
    };
    let same_share = current.as_deref().is_some_and(|p| path.matches(p));
    let connected_same = cur.connected.as_deref().is_some_and(|p| path.matches(p));
    let remembered_ok = if item.persistent {
        cur.remembered.as_deref().is_some_and(|p| path.matches(p))
    } else {
        cur.remembered.is_none()
    };
    let label_ok = match &label {
        None => true,
        Some(l) => cur.label.as_deref().unwrap_or_default() == l.as_str(),
    };
    if connected_same && remembered_ok && label_ok {
        return Decision::Unchanged {
            letter: Some(letter),
            why: format!("{letter} already is {path} as the item defines"),
        };
    }
    let new_label = match &label {
        None if same_share => cur.label.clone(),
        None => None,
        Some(l) if l.is_empty() => None,
        Some(l) => Some(l.clone()),
    };
    st.set(
        letter,
        LetterState {
            connected: Some(path.to_string()),
            remembered: item.persistent.then(|| path.to_string()),
            local: false,
            label: new_label,
        },
    );
    Decision::Map {
        letter,
        path,
        persistent: item.persistent,
        label,
        hide,
        replace: current.is_some() && (item.action == Action::Replace || !same_share),
        user_name: item.user_name.clone(),
    }
}

/// Applies `allDrives` then `thisDrive` to the working `NoDrives`; the change, if any.
fn visibility(item: &DriveItem, d: &Decision, st: &mut DriveState) -> Option<NoDrivesChange> {
    let before = st.no_drives;
    let mut v = before;
    match item.all_drives {
        Visibility::Hide => v |= ALL_DRIVES,
        Visibility::Show => v &= !ALL_DRIVES,
        Visibility::NoChange => {}
    }
    let letter = match d {
        Decision::Map { letter, .. } => *letter,
        Decision::Unchanged {
            letter: Some(l), ..
        } => *l,
        _ => item.letter,
    };
    match item.this_drive {
        Visibility::Hide => v |= no_drives_bit(letter),
        Visibility::Show => v &= !no_drives_bit(letter),
        Visibility::NoChange => {}
    }
    st.no_drives = v;
    (v != before).then_some(NoDrivesChange { before, after: v })
}

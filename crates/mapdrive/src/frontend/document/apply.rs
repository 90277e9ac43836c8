//! Applying a resolved document item by item through one caching port, and the report every
//! run prints: a table (or JSON) and the one-line summary Intune shows.

use std::fmt::Write as _;

use serde::Serialize;

use super::load::{load, order};
use super::{Inputs, Options};
use crate::frontend::dsc::error_text;
use crate::frontend::dsc::resources::{self};
use crate::frontend::report::Report;
use mapdrive_core::engine::cache::CachingPort;
use mapdrive_core::error::Error;
use mapdrive_core::port::Port;

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
pub(crate) fn summary(items: &[ItemReport], check: bool) -> String {
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
pub(crate) fn ascii(text: &str) -> String {
    crate::frontend::json::ascii(text)
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
}

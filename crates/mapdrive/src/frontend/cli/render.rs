//! Rendering for humans (tables, sentences) and machines (JSON).

use std::fmt::Write as _;

use serde::Serialize;

use super::output::{
    ChangeOutput, CredListOutput, ErrorReport, ExplainOutput, ListOutput, PolicyOutput,
    RestoreOutput, SessionOutcome, Vault,
};
use crate::frontend::report::Report;
use mapdrive_core::domain::{CredentialInfo, Elevation, LinkedConnections};
use mapdrive_core::error::{Error, ErrorInfo};
use mapdrive_core::plan::Outcome;
use mapdrive_core::plan::State;
use mapdrive_core::plan::inventory::Inventory;
use mapdrive_core::port::TokenChoice;

/// Pretty JSON with every non-ASCII character escaped (see [`crate::frontend::json`]).
fn to_json<T: Serialize>(v: &T) -> String {
    crate::frontend::json::pretty(v)
}

fn ok(stdout: String, warnings: &[String], json: bool) -> Report {
    let stderr = if json {
        String::new()
    } else {
        warnings.iter().map(|w| format!("warning: {w}\n")).collect()
    };
    Report {
        stdout,
        stderr,
        code: 0,
    }
}

/// An error, as text on stderr or a JSON object on stdout.
pub fn error(e: &Error, json: bool) -> Report {
    let remedy = e.remedy();
    if json {
        return Report {
            stdout: to_json(&ErrorReport::new(e)),
            stderr: String::new(),
            code: e.exit_code(),
        };
    }
    let mut stderr = format!("error: {e}\n");
    if let Some(r) = remedy {
        let _ = writeln!(stderr, "  {r}");
    }
    Report {
        stdout: String::new(),
        stderr,
        code: e.exit_code(),
    }
}

/// `--version` (text: the version line clap would print, then the commit and the target).
pub fn version(json: bool) -> Report {
    let v = super::output::VersionOutput::current();
    if json {
        return ok(to_json(&v), &[], true);
    }
    ok(
        format!(
            "{} {}\ncommit: {}\ntarget: {}\n",
            v.name, v.version, v.commit, v.target
        ),
        &[],
        false,
    )
}

/// `mapdrive explain CODE`.
pub fn explain(i: &ErrorInfo, json: bool) -> Report {
    if json {
        let out = ExplainOutput {
            code: i.code,
            name: i.name.into(),
            meaning: i.meaning.into(),
            remedy: i.remedy.into(),
        };
        return ok(to_json(&out), &[], true);
    }
    let stdout = format!(
        "{} {}\n  {}.\n  To fix: {}.\n",
        i.code, i.name, i.meaning, i.remedy
    );
    ok(stdout, &[], false)
}

fn state_line(state: Option<&State>) -> String {
    let Some(state) = state else {
        return "(none)".into();
    };
    match state {
        State::LinkedConnections(l) => l.as_str().to_string(),
        State::Boot(b) => format!(
            "{} -> {} (global, defined at boot)",
            b.name,
            b.remote.as_deref().unwrap_or(&b.target)
        ),
        State::Drive(d) => {
            let mut flags = vec![if d.connected == Some(true) {
                "connected".to_string()
            } else {
                "not connected".to_string()
            }];
            if d.remembered == Some(true) {
                flags.push("remembered".into());
            }
            if let Some(u) = d.user_name.as_deref().filter(|u| !u.is_empty()) {
                flags.push(format!("user {u}"));
            }
            if let Some(Some(l)) = &d.label {
                flags.push(format!("label \"{l}\""));
            }
            format!("{} ({})", d.remote, flags.join(", "))
        }
        State::Credential(c) => {
            let mut s = format!(
                "{} user {}, persistence {}",
                c.target,
                c.user_name.as_deref().unwrap_or(""),
                c.persistence.as_str()
            );
            if let Some(a) = &c.alias {
                let _ = write!(s, ", alias {a}");
            }
            if let Some(c) = &c.comment {
                let _ = write!(s, ", comment \"{c}\"");
            }
            s
        }
    }
}

fn outcome_text(o: &Outcome) -> String {
    let mut s = String::new();
    let verdict = match (o.changed, o.check_mode) {
        (false, _) => "unchanged",
        (true, false) => "changed",
        (true, true) => "would change (check mode, nothing done)",
    };
    let sep = if o.subject.ends_with(':') { " " } else { ": " };
    let _ = writeln!(s, "{}{sep}{verdict}", o.subject);
    if o.changed {
        let _ = writeln!(s, "  before: {}", state_line(o.before.as_ref()));
        let _ = writeln!(s, "  after:  {}", state_line(o.after.as_ref()));
        let head = if o.check_mode { "would" } else { "done" };
        for a in &o.actions {
            let _ = writeln!(s, "  {head}:   {a}");
        }
    } else {
        let _ = writeln!(s, "  state:  {}", state_line(o.after.as_ref()));
    }
    s
}

/// One change outcome.
pub fn outcome(o: &Outcome, json: bool) -> Report {
    if json {
        ok(to_json(o), &o.warnings, true)
    } else {
        ok(outcome_text(o), &o.warnings, false)
    }
}

/// Some sessions changed, then one failed (`--session both`): both facts, exit code of the error.
pub fn partial(done: &[(TokenChoice, Outcome)], e: &Error, json: bool) -> Report {
    let failed = error(e, json);
    let changed = e.left_changed() || done.iter().any(|(_, o)| o.changed);
    if json {
        let mut report = ErrorReport::new(e);
        report.changed = changed;
        report.sessions = Some(session_outcomes(done));
        return Report {
            stdout: to_json(&report),
            stderr: String::new(),
            code: failed.code,
        };
    }
    let mut stdout = String::new();
    for (t, o) in done {
        let _ = writeln!(stdout, "[{} token]", token_name(*t));
        stdout.push_str(&outcome_text(o));
    }
    Report {
        stdout,
        stderr: failed.stderr,
        code: failed.code,
    }
}

fn session_outcomes(list: &[(TokenChoice, Outcome)]) -> Vec<SessionOutcome> {
    list.iter()
        .map(|(t, o)| SessionOutcome {
            session: (*t).into(),
            outcome: o.clone(),
        })
        .collect()
}

fn token_name(t: TokenChoice) -> &'static str {
    match t {
        TokenChoice::Current => "current",
        TokenChoice::Linked => "linked",
    }
}

/// Outcomes of the same change in several logon sessions (`--session both`).
pub fn outcomes(list: &[(TokenChoice, Outcome)], json: bool) -> Report {
    let changed = list.iter().any(|(_, o)| o.changed);
    let mut warnings: Vec<String> = Vec::new();
    for (_, o) in list {
        for w in &o.warnings {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
    }
    if json {
        let out = ChangeOutput::Sessions {
            changed,
            sessions: session_outcomes(list),
        };
        return ok(to_json(&out), &warnings, true);
    }
    let mut s = String::new();
    for (t, o) in list {
        let _ = writeln!(s, "[{} token]", token_name(*t));
        s.push_str(&outcome_text(o));
    }
    ok(s, &warnings, false)
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ", w = widths[i]);
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// `list`, for one or (with `--session both`) two logon sessions.
pub fn inventories(list: &[Inventory], json: bool) -> Report {
    match list {
        [one] => inventory(one, json),
        many if json => ok(
            to_json(&ListOutput::Sessions {
                sessions: many.to_vec(),
            }),
            &[],
            true,
        ),
        many => {
            let mut out = Report::default();
            for (i, inv) in many.iter().enumerate() {
                let r = inventory(inv, false);
                if i > 0 {
                    out.stdout.push('\n');
                }
                out.stdout.push_str(&r.stdout);
                if i == 0 {
                    out.stderr.push_str(&r.stderr);
                }
            }
            out
        }
    }
}

/// `list` of one logon session.
fn inventory(inv: &Inventory, json: bool) -> Report {
    if json {
        return ok(to_json(inv), &inv.warnings, true);
    }
    let rows: Vec<Vec<String>> = inv
        .drives
        .iter()
        .map(|d| {
            let status = d
                .status
                .map_or_else(|| d.kind.clone(), |s| s.as_str().to_string());
            let remote = d
                .remote
                .clone()
                .or_else(|| d.dos_target.clone())
                .unwrap_or_default();
            let remembered = match (&d.remembered, &d.remembered_remote) {
                (true, Some(other)) => format!("yes: {other}"),
                (true, None) => match d.user_name.as_deref() {
                    Some(u) if !u.is_empty() => format!("yes, as {u}"),
                    _ => "yes".into(),
                },
                (false, _) if d.status.is_some() => "no".into(),
                (false, _) => String::new(),
            };
            let session = match (d.scope, d.logon_id) {
                (Some("global"), _) => "global".to_string(),
                (_, Some(id)) => id.to_string(),
                _ => String::new(),
            };
            vec![
                d.letter.to_string(),
                status,
                remote,
                remembered,
                session,
                d.label.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut out = format!(
        "Logon session {} ({}) of {}, elevation {:?}\n\n",
        inv.identity.logon_id,
        inv.identity.logon_type.describe(),
        inv.identity.user,
        inv.identity.elevation
    );
    out.push_str(&table(
        &[
            "Drive",
            "Status",
            "Remote",
            "Remembered",
            "Session",
            "Label",
        ],
        &rows,
    ));
    if !inv.boot_devices.is_empty() {
        out.push_str(
            "\nGlobal drives defined at boot (HKLM\\...\\Session Manager\\DOS Devices):\n",
        );
        for d in &inv.boot_devices {
            let parsed = mapdrive_core::domain::DosTarget::parse(&d.target);
            let _ = writeln!(
                out,
                "  {}  {}",
                d.name,
                parsed.remote().unwrap_or(&d.target)
            );
        }
    }
    ok(out, &inv.warnings, false)
}

/// `whoami`.
pub fn whoami(w: &mapdrive_core::doctor::WhoAmI, json: bool) -> Report {
    let warnings: Vec<String> = w
        .owner_mismatch
        .iter()
        .map(|m| format!("{} To fix: {}.", m.message, m.remedy))
        .collect();
    if json {
        return ok(to_json(w), &warnings, true);
    }
    let id = &w.identity;
    let linked = w.linked_connections;
    let elevation = match (id.elevation, id.linked_logon_id) {
        (Elevation::Default, _) => "Default (not split: one logon session)".to_string(),
        (Elevation::Full, Some(l)) => {
            format!("Full (elevated half of a split token; limited twin is logon session {l})")
        }
        (Elevation::Limited, Some(l)) => {
            format!("Limited (filtered half of a split token; elevated twin is logon session {l})")
        }
        (e, None) => format!("{e:?} (split token; linked session unknown)"),
    };
    let account = |a: &Option<mapdrive_core::domain::Account>, none: &str| {
        a.as_ref().map_or_else(
            || none.to_string(),
            |a| match &a.sid {
                Some(sid) => format!("{} ({sid})", a.user),
                None => a.user.clone(),
            },
        )
    };
    let vault = match (&w.credential_persistence, &w.credential_persistence_error) {
        (Some(c), _) => format!(
            "{}, {} (CredGetSessionTypes)",
            c.describe(mapdrive_core::domain::CredentialKind::DomainPassword),
            c.describe(mapdrive_core::domain::CredentialKind::GenericPassword)
        ),
        (None, Some(e)) if e.contains("1312") => {
            "none: this logon session has no credential set (CredGetSessionTypes: 1312)".into()
        }
        (None, Some(e)) => format!("unknown ({e})"),
        (None, None) => "unknown".into(),
    };
    let rows = vec![
        vec!["User".to_string(), id.user.clone()],
        vec!["SID".into(), id.sid.clone()],
        vec![
            "Logon session".into(),
            format!("{} ({})", id.logon_id, id.logon_id.directory_form()),
        ],
        vec!["Logon type".into(), id.logon_type.describe().into()],
        vec!["Elevation".into(), elevation],
        vec![
            "SYSTEM".into(),
            if id.is_system {
                "yes: drives mapped here are global".into()
            } else {
                "no".into()
            },
        ],
        vec![
            "Restored at logon".into(),
            if id.logon_type.winlogon_restores_drives() {
                "yes: Winlogon reconnects remembered drives for this logon type".into()
            } else {
                "no: Winlogon does not restore remembered drives for this logon type (`mapdrive restore` does)".into()
            },
        ],
        vec!["Credential vault".into(), vault],
        vec![
            "Limited token".into(),
            match &w.limited_token {
                None => "(not an elevated token)".into(),
                Some(t) if t.usable => {
                    "usable: drive commands act in the limited session, where Explorer runs".into()
                }
                Some(t) => format!(
                    "unavailable ({}): drive commands act in this elevated session",
                    t.error.as_deref().unwrap_or("unknown")
                ),
            },
        ],
        vec![
            "Linked token user".into(),
            match &w.session_users_error {
                Some(e) => format!("(unknown: {e})"),
                None => account(&w.session_users.linked, "(none: not a split token)"),
            },
        ],
        vec![
            "Desktop user".into(),
            match &w.session_users_error {
                Some(e) => format!("(unknown: {e})"),
                None => account(
                    &w.session_users.interactive,
                    "(none: no interactive user in this Windows session)",
                ),
            },
        ],
        vec![
            "EnableLinkedConnections".into(),
            match linked {
                LinkedConnections::NotConfigured => "not configured".into(),
                LinkedConnections::Disabled => "disabled (0)".into(),
                LinkedConnections::Enabled => {
                    "enabled (1): both halves of a split token see the same drives".into()
                }
            },
        ],
    ];
    let mut out = String::new();
    for r in rows {
        let _ = writeln!(out, "{:<26}{}", format!("{}:", r[0]), r[1]);
    }
    ok(out, &warnings, false)
}

/// `cred list`: one vault per session acted in (usually one).
pub fn credentials(
    vaults: &[(TokenChoice, Vec<CredentialInfo>)],
    warnings: &[String],
    json: bool,
) -> Report {
    if json {
        let out = match vaults {
            [(_, creds)] => CredListOutput::One(creds.clone()),
            many => CredListOutput::Sessions(
                many.iter()
                    .map(|(t, c)| Vault {
                        session: (*t).into(),
                        credentials: c.clone(),
                    })
                    .collect(),
            ),
        };
        return ok(to_json(&out), warnings, true);
    }
    let mut out = String::new();
    for (token, creds) in vaults {
        if vaults.len() > 1 {
            out.push_str(&format!("{} logon session:\n", token_name(*token)));
        }
        out.push_str(&vault_text(creds));
    }
    ok(out, warnings, false)
}

fn vault_text(creds: &[CredentialInfo]) -> String {
    let rows: Vec<Vec<String>> = creds
        .iter()
        .map(|c| {
            vec![
                c.target.clone(),
                c.kind.to_string(),
                c.user_name.clone().unwrap_or_default(),
                c.persistence.as_str().to_string(),
                c.alias.clone().unwrap_or_default(),
                c.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "no saved password credentials\n".into();
    }
    table(
        &["Target", "Type", "User", "Persistence", "Alias", "Comment"],
        &rows,
    )
}

/// `restore`.
pub fn restore(reports: &[mapdrive_core::plan::RestoreReport], json: bool) -> Report {
    let failed = reports.iter().any(|r| r.failed);
    let warnings: Vec<String> = reports.iter().flat_map(|r| r.warnings.clone()).collect();
    let mut report = if json {
        let out = match reports {
            [one] => RestoreOutput::One(one.clone()),
            many => RestoreOutput::Sessions {
                changed: many.iter().any(|r| r.changed),
                sessions: many.to_vec(),
            },
        };
        ok(to_json(&out), &warnings, true)
    } else {
        let mut s = String::new();
        for r in reports {
            if r.drives.is_empty() {
                s.push_str("nothing is remembered for this user: nothing to restore\n");
            }
            for d in &r.drives {
                let _ = write!(s, "{}  {:<14} {}", d.letter, d.result, d.remote);
                if let Some(detail) = &d.detail {
                    let _ = write!(s, "\n    {detail}");
                }
                s.push('\n');
            }
        }
        ok(s, &warnings, false)
    };
    if failed {
        report.code = 1;
    }
    report
}

/// `policy linked-connections` without a value.
pub fn policy(current: LinkedConnections, json: bool) -> Report {
    if json {
        return ok(
            to_json(&PolicyOutput {
                linked_connections: current,
            }),
            &[],
            true,
        );
    }
    let text = match current {
        LinkedConnections::NotConfigured => {
            "EnableLinkedConnections: not configured (off): the elevated and the limited halves of a split token see different drives\n"
        }
        LinkedConnections::Disabled => {
            "EnableLinkedConnections: 0 (off): the elevated and the limited halves of a split token see different drives\n"
        }
        LinkedConnections::Enabled => {
            "EnableLinkedConnections: 1 (on): drives mapped in either half of a split token appear in both (from the restart after it was set)\n"
        }
    };
    ok(text.into(), &[], false)
}

/// `eventlog install|remove`.
pub fn event_source(o: &mapdrive_core::engine::audit::EventSourceOutcome, json: bool) -> Report {
    if json {
        return ok(to_json(o), &[], true);
    }
    let registration = |r: &Option<mapdrive_core::audit::EventSourceRegistration>| match r {
        Some(r) => format!(
            "registered: EventMessageFile = {}, TypesSupported = {}",
            r.message_file,
            r.types_supported
                .map_or_else(|| "(absent)".to_string(), |t| t.to_string())
        ),
        None => "not registered".to_string(),
    };
    let verb = match (o.changed, o.check_mode) {
        (false, _) => "unchanged",
        (true, true) => "would change",
        (true, false) => "changed",
    };
    let mut text = format!("Event Log source mapdrive ({}): {verb}\n", o.key);
    if o.changed {
        text.push_str(&format!("  before: {}\n", registration(&o.before)));
        text.push_str(&format!("  after:  {}\n", registration(&o.after)));
    } else {
        text.push_str(&format!("  {}\n", registration(&o.after)));
    }
    ok(text, &[], false)
}

/// `doctor`.
pub fn doctor(d: &mapdrive_core::doctor::Diagnosis, json: bool) -> Report {
    if json {
        return ok(to_json(d), &[], true);
    }
    let id = &d.identity;
    let mut s = format!(
        "mapdrive doctor: {} in logon session {} ({}), elevation {:?}{}\n",
        id.user,
        id.logon_id,
        id.logon_type.describe(),
        id.elevation,
        id.linked_logon_id
            .map(|l| format!(", linked session {l}"))
            .unwrap_or_default()
    );
    if d.findings.is_empty() {
        s.push_str("\nNo problems found: what this session sees is what Windows will restore.\n");
    }
    for f in &d.findings {
        let _ = writeln!(
            s,
            "\n{} {} [{}] {}",
            f.severity.as_str(),
            f.code,
            f.slug,
            f.title
        );
        for line in wrap(&f.explanation, 96) {
            let _ = writeln!(s, "  {line}");
        }
        let _ = writeln!(s, "  fix: {}", f.remedy);
    }
    ok(s, &[], false)
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::to_json;

    #[test]
    fn labels_are_shown_as_typed() {
        use mapdrive_core::plan::{DriveState, State};
        let v = State::Drive(DriveState {
            connected: Some(true),
            remembered: Some(true),
            label: Some(Some(r"Team\Docs".into())),
            ..DriveState::new("P".parse().unwrap(), r"\\srv\x".into())
        });
        let line = super::state_line(Some(&v));
        assert!(line.contains(r#"label "Team\Docs""#), "{line}");
    }

    #[test]
    fn json_is_ascii_and_round_trips() {
        let v = serde_json::json!({"share": "\\\\café\\données", "emoji": "📁"});
        let text = to_json(&v);
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("caf\\u00e9"), "{text}");
        assert!(text.contains("\\ud83d\\udcc1"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}

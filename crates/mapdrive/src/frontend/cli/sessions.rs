//! `mapdrive sessions`: the picture of logon sessions and their drives, drawn as a text tree
//! (box-drawing characters, or ASCII where the console cannot show them), as a Mermaid flowchart,
//! or printed as JSON (issue 17).

use std::fmt::Write as _;

use clap::{Args, ValueEnum};

use crate::frontend::report::Report;
use mapdrive_core::doctor::picture::{
    DriveKind, DriveNode, DriveStatus, LogonSessionNode, Picture, TerminalSession,
};
use mapdrive_core::domain::{Elevation, LinkedConnections, LogonType, Luid};

/// Widest line of the tree, in characters.
pub const WIDTH: usize = 100;

/// `sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Print the graph as JSON instead of drawing it.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// How to draw it: a text tree, or a Mermaid flowchart (for wikis and ticket systems).
    #[arg(long, value_enum, default_value = "tree")]
    pub format: Format,
    /// Draw the tree with ASCII characters only (default: box-drawing characters unless the
    /// console's code page cannot show them).
    #[arg(long)]
    pub ascii: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text tree.
    Tree,
    /// Mermaid flowchart.
    Mermaid,
}

/// The characters a tree is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    tee: &'static str,
    last: &'static str,
    pipe: &'static str,
    blank: &'static str,
    ellipsis: &'static str,
}

impl Glyphs {
    /// Box-drawing characters (all in code page 437 and its OEM relatives).
    pub const BOX: Glyphs = Glyphs {
        tee: "├── ",
        last: "└── ",
        pipe: "│   ",
        blank: "    ",
        ellipsis: "…",
    };
    /// ASCII only.
    pub const ASCII: Glyphs = Glyphs {
        tee: "|-- ",
        last: "`-- ",
        pipe: "|   ",
        blank: "    ",
        ellipsis: "...",
    };

    /// What a console with this output code page can show: box drawing on UTF-8 (65001) and on
    /// the OEM code pages that contain the box-drawing block; ASCII on the others (ANSI code
    /// pages such as 1252 have none). Without a console (output redirected to a file or a
    /// pipe, or not Windows) the text is UTF-8: box drawing.
    pub fn for_code_page(code_page: Option<u32>) -> Glyphs {
        const BOX_PAGES: &[u32] = &[
            437, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865, 866, 869, 65001,
        ];
        match code_page {
            Some(cp) if !BOX_PAGES.contains(&cp) => Glyphs::ASCII,
            _ => Glyphs::BOX,
        }
    }
}

/// `mapdrive sessions` as text: the tree or the Mermaid flowchart.
pub fn render(p: &Picture, args: &SessionsArgs, code_page: Option<u32>) -> Report {
    if args.json {
        return Report {
            stdout: crate::frontend::json::pretty(p),
            stderr: String::new(),
            code: 0,
        };
    }
    let stdout = match args.format {
        Format::Tree => {
            let glyphs = if args.ascii {
                Glyphs::ASCII
            } else {
                Glyphs::for_code_page(code_page)
            };
            tree(p, glyphs)
        }
        Format::Mermaid => mermaid(p),
    };
    let stderr = p
        .warnings
        .iter()
        .map(|w| format!("warning: {w}\n"))
        .collect();
    Report {
        stdout,
        stderr,
        code: 0,
    }
}

/// Control characters (a terminal escape in a share name) are shown as `?`.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// `s` shortened to `max` characters by cutting its middle (the server and the last folder are
/// what identify a path).
pub fn truncate_middle(s: &str, max: usize, ellipsis: &str) -> String {
    let n = width(s);
    if n <= max {
        return s.to_string();
    }
    let e = width(ellipsis);
    if max <= e {
        return s.chars().take(max).collect();
    }
    let keep = max - e;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}{ellipsis}{end}")
}

/// A line cut to [`WIDTH`] (the last resort for an unusually long account name).
fn fit(line: String, g: Glyphs) -> String {
    if width(&line) <= WIDTH {
        line
    } else {
        let keep = WIDTH - width(g.ellipsis);
        let mut s: String = line.chars().take(keep).collect();
        s.push_str(g.ellipsis);
        s
    }
}

fn logon_type_words(t: Option<LogonType>) -> String {
    match t {
        None => "logon type unknown".into(),
        Some(LogonType::System) => "system".into(),
        Some(LogonType::Interactive) => "interactive".into(),
        Some(LogonType::Network) => "network".into(),
        Some(LogonType::Batch) => "batch".into(),
        Some(LogonType::Service) => "service".into(),
        Some(LogonType::NetworkCleartext) => "network-cleartext".into(),
        Some(LogonType::NewCredentials) => "new-credentials".into(),
        Some(LogonType::RemoteInteractive) => "RDP".into(),
        Some(LogonType::CachedInteractive) => "cached-interactive".into(),
        Some(LogonType::Other(n)) => format!("logon type {n}"),
    }
}

fn elevation_words(e: Option<Elevation>) -> &'static str {
    match e {
        None => "elevation unknown",
        Some(Elevation::Default) => "not split",
        Some(Elevation::Full) => "elevated",
        Some(Elevation::Limited) => "limited",
    }
}

fn who(p: &Picture, luid: Luid) -> String {
    match p.role(luid) {
        Some(role) => format!("by {luid} ({role})"),
        None => format!("by {luid}"),
    }
}

fn kind_words(k: DriveKind) -> &'static str {
    match k {
        DriveKind::Network => "network",
        DriveKind::LocalDisk => "local disk",
        DriveKind::CdRom => "cd-rom",
        DriveKind::Subst => "subst",
        DriveKind::Device => "device",
        DriveKind::Remembered => "remembered",
    }
}

/// What follows a drive's path: status (or kind), maker, marks.
fn drive_rest(p: &Picture, d: &DriveNode) -> String {
    let mut parts = vec![match d.status {
        Some(s) => s.words().to_string(),
        None => kind_words(d.kind).to_string(),
    }];
    if let Some(by) = d.made_by {
        parts.push(who(p, by));
    }
    let mut rest = parts.join(", ");
    if d.remembered && d.status != Some(DriveStatus::RememberedNotConnected) {
        rest.push_str(" [remembered]");
    }
    if let Some(r) = &d.remembered_path {
        let _ = write!(rest, " [remembered as {}]", clean(r));
    }
    if d.boot_time {
        rest.push_str(" [boot-time]");
    }
    if d.hides_global {
        rest.push_str(" [hides global]");
    }
    if !d.hidden_in.is_empty() {
        let list: Vec<String> = d.hidden_in.iter().map(ToString::to_string).collect();
        let _ = write!(rest, " [hidden in {}]", list.join(" "));
    }
    rest
}

/// One drive line to be laid out.
struct DriveLine {
    prefix: String,
    letter: String,
    path: String,
    rest: String,
}

/// Everything to print, in order: finished lines and drive lines (laid out together so their
/// paths share one column).
enum Line {
    Text(String),
    Drive(DriveLine),
}

fn session_header(s: &LogonSessionNode, g: Glyphs) -> String {
    let mut marks = String::new();
    if s.this_process {
        marks.push_str(" [this process]");
    }
    if s.explorer {
        marks.push_str(" [Explorer]");
    }
    if let Some(l) = s.linked_logon_id {
        let _ = write!(marks, " <-> {l}");
    }
    let kind = if s.system {
        "system".to_string()
    } else {
        format!(
            "{}, {}",
            logon_type_words(s.logon_type),
            elevation_words(s.elevation)
        )
    };
    let account = clean(s.account.as_deref().unwrap_or("account unknown"));
    let fixed = format!("{}  {kind}{marks}", s.logon_id);
    // Keep the line within the width by shortening the account name in the middle.
    let room = (WIDTH - 8).saturating_sub(width(&fixed) + 2).max(12);
    format!(
        "{}  {}  {kind}{marks}",
        s.logon_id,
        truncate_middle(&account, room, g.ellipsis)
    )
}

fn session_lines(p: &Picture, s: &LogonSessionNode, indent: &str, g: Glyphs, out: &mut Vec<Line>) {
    let mut children: Vec<Line> = Vec::new();
    if s.system {
        children.push(Line::Text(
            "its drives are the global namespace's (below)".into(),
        ));
    } else if let Some(code) = s.unreadable {
        children.push(Line::Text(format!(
            "drives unknown: not readable ({code}{}); run as administrator to see them",
            if code == 5 { ", access denied" } else { "" }
        )));
    } else {
        for d in &s.drives {
            children.push(Line::Drive(DriveLine {
                prefix: String::new(),
                letter: d.letter.to_string(),
                path: clean(&d.path),
                rest: drive_rest(p, d),
            }));
        }
    }
    let n = children.len();
    for (i, mut c) in children.into_iter().enumerate() {
        let branch = if i + 1 == n { g.last } else { g.tee };
        match &mut c {
            Line::Text(t) => *t = format!("{indent}{branch}{t}"),
            Line::Drive(d) => d.prefix = format!("{indent}{branch}"),
        }
        out.push(c);
    }
}

fn terminal_title(t: &TerminalSession) -> String {
    let mut s = match t.id {
        Some(0) => "Windows session 0 (services, network logons, tasks)".to_string(),
        Some(id) => format!("Windows session {id}"),
        None => "Windows session unknown (not readable without administrator rights)".to_string(),
    };
    if t.this_process {
        s.push_str(" [this process]");
    }
    s
}

/// The legend: what the marks mean (one line within the width).
pub const LEGEND: &str = "Legend: <-> split-token pair | by: logon session that made it | [hides global]: local letter wins";

/// The text tree.
pub fn tree(p: &Picture, g: Glyphs) -> String {
    let mut lines: Vec<Line> = Vec::new();
    let id = &p.identity;
    lines.push(Line::Text(format!(
        "Logon sessions and drives, seen by {} from logon session {} ({})",
        clean(&id.user),
        id.logon_id,
        elevation_words(Some(id.elevation))
    )));
    lines.push(Line::Text(format!(
        "EnableLinkedConnections: {}",
        match p.linked_connections {
            LinkedConnections::NotConfigured =>
                "not configured (split-token halves see their own drives)",
            LinkedConnections::Disabled => "disabled (split-token halves see their own drives)",
            LinkedConnections::Enabled => "enabled (mappings are mirrored into the linked half)",
        }
    )));
    for t in &p.terminal_sessions {
        lines.push(Line::Text(terminal_title(t)));
        let n = t.logon_sessions.len();
        for (i, s) in t.logon_sessions.iter().enumerate() {
            let last = i + 1 == n;
            let branch = if last { g.last } else { g.tee };
            lines.push(Line::Text(format!("{branch}{}", session_header(s, g))));
            let indent = if last { g.blank } else { g.pipe };
            session_lines(p, s, indent, g, &mut lines);
        }
    }
    let global = &p.global;
    lines.push(Line::Text(format!(
        "Global namespace {} (seen by every logon session without its own drive of that letter)",
        global.directory
    )));
    if let Some(code) = global.unreadable {
        lines.push(Line::Text(format!(
            "{}drives unknown: not readable ({code})",
            g.last
        )));
    } else if global.drives.is_empty() {
        lines.push(Line::Text(format!("{}(no drive letters)", g.last)));
    }
    let n = global.drives.len();
    for (i, d) in global.drives.iter().enumerate() {
        let branch = if i + 1 == n { g.last } else { g.tee };
        lines.push(Line::Drive(DriveLine {
            prefix: branch.to_string(),
            letter: d.letter.to_string(),
            path: clean(&d.path),
            rest: drive_rest(p, d),
        }));
    }
    lines.push(Line::Text(LEGEND.to_string()));
    layout(lines, g)
}

/// Lays drive lines out in columns (letter, path, the rest) within [`WIDTH`], shortening paths
/// in the middle where they do not fit.
fn layout(lines: Vec<Line>, g: Glyphs) -> String {
    let drives: Vec<&DriveLine> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Drive(d) => Some(d),
            Line::Text(_) => None,
        })
        .collect();
    let max_lead = drives
        .iter()
        .map(|d| width(&d.prefix) + width(&d.letter))
        .max()
        .unwrap_or(0);
    let max_path = drives.iter().map(|d| width(&d.path)).max().unwrap_or(0);
    let budget = |d: &DriveLine| WIDTH.saturating_sub(max_lead + 2 + 2 + width(&d.rest));
    // One column for every path when that leaves each path at least 40 characters; otherwise
    // each line gives its path what its own rest leaves.
    let common = drives.iter().map(|d| budget(d)).min().unwrap_or(WIDTH);
    let column = (common >= max_path.min(40)).then_some(max_path.min(common));
    let mut out = String::new();
    for l in lines {
        let text = match l {
            Line::Text(t) => t,
            Line::Drive(d) => {
                let lead = format!("{}{}", d.prefix, d.letter);
                // Pad the letter to the common lead so paths line up.
                let pad = max_lead - width(&lead);
                let w = match column {
                    Some(c) => c,
                    None => budget(&d).min(max_path),
                }
                .max(12);
                let path = truncate_middle(&d.path, w, g.ellipsis);
                let fill = w.saturating_sub(width(&path));
                format!(
                    "{lead}{}  {path}{}  {}",
                    " ".repeat(pad),
                    " ".repeat(fill),
                    d.rest
                )
                .trim_end()
                .to_string()
            }
        };
        out.push_str(&fit(text, g));
        out.push('\n');
    }
    out
}

// ------------------------------------------------------------------------------- Mermaid

/// Text for a quoted Mermaid label: `"`, `#`, `&`, `<`, `>` and the backtick become entity
/// codes (`#34;`); control characters become spaces. Line breaks are added by the caller as
/// `<br/>`.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '#' | '&' | '<' | '>' | '`' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn label(lines: &[String]) -> String {
    let parts: Vec<String> = lines.iter().map(|l| mermaid_text(l)).collect();
    format!("[\"{}\"]", parts.join("<br/>"))
}

fn session_id(l: Luid) -> String {
    format!("S{:x}", l.0)
}

fn drive_label(p: &Picture, d: &DriveNode) -> String {
    label(&[format!("{} {}", d.letter, d.path), drive_rest(p, d)])
}

/// The same graph as a Mermaid flowchart.
pub fn mermaid(p: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut edges: Vec<String> = Vec::new();
    for t in &p.terminal_sessions {
        let tid = match t.id {
            Some(id) => format!("T{id}"),
            None => "Tunknown".to_string(),
        };
        let _ = writeln!(out, "  subgraph {tid}{}", label(&[terminal_title(t)]));
        for s in &t.logon_sessions {
            let sid = session_id(s.logon_id);
            let mut text = vec![format!(
                "logon session {} {}",
                s.logon_id,
                s.account.as_deref().unwrap_or("account unknown")
            )];
            text.push(if s.system {
                "system".to_string()
            } else {
                format!(
                    "{}, {}",
                    logon_type_words(s.logon_type),
                    elevation_words(s.elevation)
                )
            });
            let mut marks = Vec::new();
            if s.this_process {
                marks.push("[this process]");
            }
            if s.explorer {
                marks.push("[Explorer]");
            }
            if !marks.is_empty() {
                text.push(marks.join(" "));
            }
            if let Some(code) = s.unreadable {
                text.push(format!("drives unknown: not readable ({code})"));
            }
            let _ = writeln!(out, "    {sid}{}", label(&text));
            for d in &s.drives {
                let did = format!("{sid}_{}", d.letter.as_char());
                let _ = writeln!(out, "    {did}{}", drive_label(p, d));
                edges.push(format!("  {sid} --> {did}"));
                if d.hides_global {
                    edges.push(format!("  {did} -.->|\"hides\"| G_{}", d.letter.as_char()));
                }
            }
            if let Some(l) = s.linked_logon_id
                && s.logon_id < l
                && p.logon_sessions().any(|o| o.logon_id == l)
            {
                edges.push(format!(
                    "  {sid} <-.->|\"split-token pair\"| {}",
                    session_id(l)
                ));
            }
        }
        out.push_str("  end\n");
    }
    let _ = writeln!(
        out,
        "  subgraph GLOBAL{}",
        label(&[format!("Global namespace {}", p.global.directory)])
    );
    if let Some(code) = p.global.unreadable {
        let _ = writeln!(
            out,
            "    G_unreadable{}",
            label(&[format!("drives unknown: not readable ({code})")])
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in &p.global.drives {
        // A boot-time entry for a letter the namespace already has gets its own node.
        let base = if d.status == Some(DriveStatus::AtNextBoot) {
            "B"
        } else {
            "G"
        };
        let gid = format!("{base}_{}", d.letter.as_char());
        if !seen.insert(gid.clone()) {
            continue;
        }
        let _ = writeln!(out, "    {gid}{}", drive_label(p, d));
        if let Some(by) = d.made_by
            && by == Luid::SYSTEM
            && p.logon_sessions().any(|s| s.logon_id == by)
        {
            edges.push(format!("  {} -.->|\"made\"| {gid}", session_id(by)));
        }
    }
    out.push_str("  end\n");
    // A "hides" edge needs its global node.
    for e in edges {
        if let Some(target) = e.strip_prefix("  ").and_then(|e| e.rsplit(' ').next())
            && target.starts_with("G_")
            && !seen.contains(target)
        {
            continue;
        }
        out.push_str(&e);
        out.push('\n');
    }
    out
}

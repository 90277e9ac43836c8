//! The task definition: Task Scheduler 2.0 XML, generated from a [`TaskSpec`] (pure), and the
//! comparison of a registered definition with the desired one.
//!
//! Why each part is what it is (docs/unattended.md tells the story):
//! - the principal is the user's own SID with `InteractiveToken` (or the Users group), so the
//!   task runs *in the interactive logon session* of whoever is signed in, where Explorer looks
//!   for drives. Never `Password` or `S4U`: those make Task Scheduler log the user on again, into
//!   a batch logon session of its own whose drives nobody sees;
//! - `LeastPrivilege`: the limited half of an administrator's split token, the one Explorer runs
//!   with (an elevated task would map drives only the elevated half sees);
//! - triggers: logon, session unlock, remote (RDP) connect, and event 10000 of
//!   `Microsoft-Windows-NetworkProfile/Operational` (a network connected: the VPN came up, the
//!   laptop joined Wi-Fi), each with a short delay;
//! - `IgnoreNew`: a trigger firing while a run is going does not start a second one;
//! - a short `ExecutionTimeLimit`: an apply waits at most a few connection timeouts.

use std::fmt::Write as _;

use roxmltree::{Document, Node};

/// The Task Scheduler XML namespace.
pub const TASK_NAMESPACE: &str = "http://schemas.microsoft.com/windows/2004/02/mit/task";
/// `BUILTIN\Users`: the group principal of an `--all-users` task.
pub const USERS_SID: &str = "S-1-5-32-545";
/// The event log channel whose event 10000 says a network was connected.
pub const NETWORK_CHANNEL: &str = "Microsoft-Windows-NetworkProfile/Operational";
/// NetworkProfile's "network connected" event.
pub const NETWORK_CONNECTED_EVENT: u32 = 10000;

/// Delay after logon. Winlogon restores remembered drives itself and the network (a VPN, Wi-Fi)
/// is often not up in the first seconds; 15 s lets both happen before mapdrive looks, and is
/// still before a user opens a drive.
pub const LOGON_DELAY: &str = "PT15S";
/// Delay after an unlock or an RDP reconnect: the network is usually up already; 5 s lets a
/// resumed laptop's adapter settle.
pub const SESSION_DELAY: &str = "PT5S";
/// Delay after "network connected": DNS and the VPN's routes come a moment after the event.
pub const NETWORK_DELAY: &str = "PT10S";
/// The longest one run may take: an apply of a few drives waits at most a few connection
/// timeouts (about 20 s each for an unreachable server); a hung run is ended after this.
pub const EXECUTION_TIME_LIMIT: &str = "PT5M";

/// Who the task runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskPrincipal {
    /// The calling user (`UserId` = their SID, `InteractiveToken`).
    User {
        /// `S-1-5-21-…`.
        sid: String,
        /// `DOMAIN\user` (for the description and the comparison: Windows may report either).
        account: String,
    },
    /// Whoever signs on: the Users group (`GroupId` S-1-5-32-545).
    AllUsers,
}

impl TaskPrincipal {
    /// How the principal reads in text output.
    pub fn describe(&self) -> String {
        match self {
            TaskPrincipal::User { account, sid } => format!("{account} ({sid})"),
            TaskPrincipal::AllUsers => {
                format!("every user who signs on (BUILTIN\\Users, {USERS_SID})")
            }
        }
    }
}

/// What the task definition is made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskSpec {
    /// The task's name (`mapdrive`, `mapdrive-NAME`).
    pub name: String,
    /// The full path of `mapdrivew.exe`.
    pub program: String,
    /// The full path of the desired-state file.
    pub file: String,
    /// Who it runs as.
    pub principal: TaskPrincipal,
}

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The event query of the network trigger (an XPath subscription, before XML escaping).
pub fn network_subscription() -> String {
    format!(
        "<QueryList><Query Id=\"0\" Path=\"{NETWORK_CHANNEL}\"><Select Path=\"{NETWORK_CHANNEL}\">\
         *[System[Provider[@Name='Microsoft-Windows-NetworkProfile'] and EventID={NETWORK_CONNECTED_EVENT}]]\
         </Select></Query></QueryList>"
    )
}

/// The command line arguments of the action: `apply "FILE"`, quoted as `CommandLineToArgvW`
/// reads it (backslashes before the closing quote doubled). A path never holds `"` (Windows
/// forbids it in file names; [`super::validate_file_path`] refuses it).
pub fn arguments(file: &str) -> String {
    let trailing = file.len() - file.trim_end_matches('\\').len();
    format!("apply \"{file}{}\"", "\\".repeat(trailing))
}

/// The description shown in Task Scheduler: what the task does, for whom, and how to remove it.
fn description(spec: &TaskSpec) -> String {
    let who = match &spec.principal {
        TaskPrincipal::User { account, .. } => account.clone(),
        TaskPrincipal::AllUsers => "every user who signs on".to_string(),
    };
    let remove = match spec.name.strip_prefix("mapdrive-") {
        Some(n) => format!("mapdrive schedule remove --name {n}"),
        None => "mapdrive schedule remove".to_string(),
    };
    format!(
        "Keeps the drives of {} true for {who}: at logon, on unlock and remote connect, and when a \
         network connects (mapdrive schedule install; remove with {remove}).",
        spec.file
    )
}

/// A small indenting XML writer: every value goes through [`escape`].
struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
    fn open(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>");
        self.depth += 1;
    }
    fn open_with(&mut self, tag: &str, attr: &str, value: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag} {attr}=\"{}\">", escape(value));
        self.depth += 1;
    }
    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }
    fn leaf(&mut self, tag: &str, value: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", escape(value));
    }
}

/// The complete task definition (what `--check` prints and `install` registers, byte for byte).
pub fn definition(spec: &TaskSpec) -> String {
    let mut w = Writer {
        out: String::from("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"),
        depth: 0,
    };
    w.out.push_str(&format!(
        "<Task version=\"1.2\" xmlns=\"{TASK_NAMESPACE}\">\n"
    ));
    w.depth = 1;

    w.open("RegistrationInfo");
    w.leaf("Author", "mapdrive");
    w.leaf("Description", &description(spec));
    w.leaf("URI", &format!("\\{}", spec.name));
    w.close("RegistrationInfo");

    let user = match &spec.principal {
        TaskPrincipal::User { sid, .. } => Some(sid.as_str()),
        TaskPrincipal::AllUsers => None,
    };
    w.open("Triggers");
    w.open("LogonTrigger");
    w.leaf("Enabled", "true");
    if let Some(sid) = user {
        w.leaf("UserId", sid);
    }
    w.leaf("Delay", LOGON_DELAY);
    w.close("LogonTrigger");
    for change in ["SessionUnlock", "RemoteConnect"] {
        w.open("SessionStateChangeTrigger");
        w.leaf("Enabled", "true");
        if let Some(sid) = user {
            w.leaf("UserId", sid);
        }
        w.leaf("Delay", SESSION_DELAY);
        w.leaf("StateChange", change);
        w.close("SessionStateChangeTrigger");
    }
    w.open("EventTrigger");
    w.leaf("Enabled", "true");
    w.leaf("Subscription", &network_subscription());
    w.leaf("Delay", NETWORK_DELAY);
    w.close("EventTrigger");
    w.close("Triggers");

    w.open("Principals");
    w.open_with("Principal", "id", "Author");
    match &spec.principal {
        TaskPrincipal::User { sid, .. } => {
            w.leaf("UserId", sid);
            w.leaf("LogonType", "InteractiveToken");
        }
        TaskPrincipal::AllUsers => w.leaf("GroupId", USERS_SID),
    }
    w.leaf("RunLevel", "LeastPrivilege");
    w.close("Principal");
    w.close("Principals");

    w.open("Settings");
    w.leaf("MultipleInstancesPolicy", "IgnoreNew");
    w.leaf("DisallowStartIfOnBatteries", "false");
    w.leaf("StopIfGoingOnBatteries", "false");
    w.leaf("AllowHardTerminate", "true");
    w.leaf("StartWhenAvailable", "false");
    w.leaf("RunOnlyIfNetworkAvailable", "false");
    w.leaf("AllowStartOnDemand", "true");
    w.leaf("Enabled", "true");
    w.leaf("Hidden", "false");
    w.leaf("RunOnlyIfIdle", "false");
    w.leaf("WakeToRun", "false");
    w.leaf("ExecutionTimeLimit", EXECUTION_TIME_LIMIT);
    w.leaf("Priority", "7");
    w.close("Settings");

    w.open_with("Actions", "Context", "Author");
    w.open("Exec");
    w.leaf("Command", &spec.program);
    w.leaf("Arguments", &arguments(&spec.file));
    w.close("Exec");
    w.close("Actions");

    w.depth = 0;
    w.out.push_str("</Task>\n");
    w.out
}

/// One trigger of a definition, as `schedule status` reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TriggerInfo {
    /// `logon`, `session_unlock`, `remote_connect`, `event`, or the element name of another kind.
    pub kind: String,
    /// The `Delay` (ISO 8601 duration), when set.
    pub delay: Option<String>,
    /// The user it is limited to (`UserId`), when set; none = any user.
    pub user: Option<String>,
    /// For an event trigger: the channel and event its query selects, as written in it.
    pub event: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|c| c.text().unwrap_or_default().trim().to_string())
}

/// The triggers of a definition (empty when it cannot be parsed or has none: Wine 8 drops them
/// when it stores a task).
pub fn triggers(xml: &str) -> Vec<TriggerInfo> {
    let Ok(doc) = Document::parse(xml) else {
        return Vec::new();
    };
    let Some(triggers) = child(doc.root_element(), "Triggers") else {
        return Vec::new();
    };
    triggers
        .children()
        .filter(Node::is_element)
        .map(|t| {
            let name = t.tag_name().name();
            let kind = match (name, child_text(t, "StateChange").as_deref()) {
                ("LogonTrigger", _) => "logon".to_string(),
                ("SessionStateChangeTrigger", Some("SessionUnlock")) => "session_unlock".into(),
                ("SessionStateChangeTrigger", Some("RemoteConnect")) => "remote_connect".into(),
                ("EventTrigger", _) => "event".into(),
                (other, _) => other.to_string(),
            };
            let event = child_text(t, "Subscription").map(|q| describe_query(&q));
            TriggerInfo {
                kind,
                delay: child_text(t, "Delay"),
                user: child_text(t, "UserId"),
                event,
                enabled: child_text(t, "Enabled").is_none_or(|e| e != "false"),
            }
        })
        .collect()
}

/// `Channel, EventID=N` from an event query, or the query itself when it is not one mapdrive
/// wrote.
fn describe_query(query: &str) -> String {
    let parsed = Document::parse(query).ok().and_then(|q| {
        let select = q.descendants().find(|n| n.has_tag_name("Select"))?;
        let path = select.attribute("Path")?.to_string();
        let text = select.text()?;
        let id = text.split("EventID=").nth(1)?;
        let id: String = id.chars().take_while(char::is_ascii_digit).collect();
        Some(format!("{path}, EventID={id}"))
    });
    parsed.unwrap_or_else(|| query.to_string())
}

/// The action's command and arguments (`None` when the definition has no `Exec` action with a
/// command: Wine 8 reports every task with an empty `<Exec/>`).
pub fn action(xml: &str) -> Option<(String, String)> {
    let doc = Document::parse(xml).ok()?;
    let exec = child(child(doc.root_element(), "Actions")?, "Exec")?;
    let command = child_text(exec, "Command").filter(|c| !c.is_empty())?;
    Some((command, child_text(exec, "Arguments").unwrap_or_default()))
}

/// Whether a registered definition is the desired one, compared by meaning rather than by text
/// (Task Scheduler rewrites what it stores: it adds `Date`, default settings and
/// `IdleSettings`, may indent differently, and may report a user by name instead of SID):
///
/// - every value the desired definition sets must be there with the same value (booleans and
///   names without regard to case; `UserId` as the SID or the account name);
/// - `Triggers` and `Actions` must hold the same elements, in order (an extra trigger someone
///   added is a difference);
/// - a scheduler that reports no action with any content does not report what it stores
///   (Windows refuses a task without an action, and an `Exec` without a `Command`; Wine 8 drops
///   triggers, actions and the principal when it saves a task and gives back `<Triggers/>`,
///   an empty `<Principal>` and `<Actions><Exec/></Actions>`): then `Triggers`, `Actions` and
///   `Principals` cannot be compared and only the rest is. The description names the file and the user, so a change of either still shows.
///
/// A registered definition that is not well-formed XML (Wine writes values unescaped) differs.
pub fn same_definition(desired: &str, registered: &str, principal: &TaskPrincipal) -> bool {
    let (Ok(want), Ok(have)) = (Document::parse(desired), Document::parse(registered)) else {
        return false;
    };
    let (want, have) = (want.root_element(), have.root_element());
    if have.tag_name().name() != "Task" {
        return false;
    }
    // Every action Windows stores has content (an `Exec` has its `Command`); Wine 8 gives back
    // `<Actions><Exec/></Actions>`.
    let reported = child(have, "Actions").is_some_and(|a| {
        a.descendants()
            .any(|n| n.is_text() && !n.text().unwrap_or_default().trim().is_empty())
    });
    for section in want.children().filter(Node::is_element) {
        let name = section.tag_name().name();
        if !reported && matches!(name, "Triggers" | "Actions" | "Principals") {
            continue;
        }
        let Some(theirs) = child(have, name) else {
            return false;
        };
        let ordered = matches!(name, "Triggers" | "Actions");
        if !same_subtree(section, theirs, ordered, principal) {
            return false;
        }
        // Whatever else the scheduler adds to the principal, never a logon type that logs the
        // user on again.
        if name == "Principals"
            && theirs.descendants().any(|n| {
                let t = n.text().unwrap_or_default().trim();
                n.has_tag_name("LogonType")
                    && !t.eq_ignore_ascii_case("InteractiveToken")
                    && !(*principal == TaskPrincipal::AllUsers && t.eq_ignore_ascii_case("Group"))
            })
        {
            return false;
        }
    }
    true
}

/// Whether every element and value under `want` is under `have` (elements of the same name
/// matched in order; with `exact_children`, `have` has no element children `want` lacks, and
/// elements of the same name are matched in order).
fn same_subtree(
    want: Node<'_, '_>,
    have: Node<'_, '_>,
    exact_children: bool,
    principal: &TaskPrincipal,
) -> bool {
    let want_children: Vec<Node> = want.children().filter(Node::is_element).collect();
    if want_children.is_empty() {
        return same_value(
            want.tag_name().name(),
            want.text().unwrap_or_default().trim(),
            have.text().unwrap_or_default().trim(),
            principal,
        ) && want
            .attributes()
            .all(|a| have.attribute(a.name()) == Some(a.value()));
    }
    let have_children: Vec<Node> = have.children().filter(Node::is_element).collect();
    if exact_children {
        // Nothing more than what is wanted (a trigger someone added, a repetition), counted by
        // name; what is wanted but left out at its default is allowed below.
        let count = |v: &[Node], name: &str| v.iter().filter(|n| n.has_tag_name(name)).count();
        if have_children.iter().any(|h| {
            let name = h.tag_name().name();
            count(&have_children, name) > count(&want_children, name)
        }) {
            return false;
        }
    }
    let mut used = vec![false; have_children.len()];
    for w in &want_children {
        let name = w.tag_name().name();
        // The first element of the same name not yet matched, in order.
        let Some(i) = (0..have_children.len())
            .find(|&i| !used[i] && have_children[i].tag_name().name() == name)
        else {
            // A scheduler may leave out a setting that has its default value.
            let value = w.text().unwrap_or_default().trim();
            if w.children().all(|c| !c.is_element())
                && schema_default(name).is_some_and(|d| d.eq_ignore_ascii_case(value))
            {
                continue;
            }
            return false;
        };
        used[i] = true;
        if !same_subtree(*w, have_children[i], exact_children, principal) {
            return false;
        }
    }
    true
}

/// The Task Scheduler schema's default of a setting or trigger element mapdrive writes (what an
/// absent element means).
fn schema_default(element: &str) -> Option<&'static str> {
    Some(match element {
        "Enabled" | "AllowHardTerminate" | "AllowStartOnDemand" => "true",
        "Hidden"
        | "RunOnlyIfIdle"
        | "WakeToRun"
        | "StartWhenAvailable"
        | "RunOnlyIfNetworkAvailable" => "false",
        "MultipleInstancesPolicy" => "IgnoreNew",
        "Priority" => "7",
        _ => return None,
    })
}

fn same_value(element: &str, want: &str, have: &str, principal: &TaskPrincipal) -> bool {
    if want == have {
        return true;
    }
    match element {
        "UserId" => match principal {
            TaskPrincipal::User { sid, account } => {
                have.eq_ignore_ascii_case(sid) || have.eq_ignore_ascii_case(account)
            }
            TaskPrincipal::AllUsers => false,
        },
        // The scheduler keeps the subscription as given; tolerate only whitespace changes.
        "Subscription" => {
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            squeeze(want) == squeeze(have)
        }
        _ => want.eq_ignore_ascii_case(have),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> TaskPrincipal {
        TaskPrincipal::User {
            sid: "S-1-5-21-1-1104".into(),
            account: r"CORP\bob".into(),
        }
    }

    fn spec(principal: TaskPrincipal) -> TaskSpec {
        TaskSpec {
            name: "mapdrive".into(),
            program: r"C:\Tools\mapdrivew.exe".into(),
            file: r"C:\Users\bob\drives.yaml".into(),
            principal,
        }
    }

    fn doc(xml: &str) -> Document<'_> {
        Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn text_at(d: &Document<'_>, path: &[&str]) -> Option<String> {
        let mut node = d.root_element();
        for p in path {
            node = child(node, p)?;
        }
        Some(node.text().unwrap_or_default().to_string())
    }

    #[test]
    fn the_definition_is_task_scheduler_xml_in_its_namespace() {
        let xml = definition(&spec(user()));
        let d = doc(&xml);
        let root = d.root_element();
        assert_eq!(root.tag_name().name(), "Task");
        assert_eq!(root.tag_name().namespace(), Some(TASK_NAMESPACE));
        assert_eq!(root.attribute("version"), Some("1.2"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"));
        for section in [
            "RegistrationInfo",
            "Triggers",
            "Principals",
            "Settings",
            "Actions",
        ] {
            assert!(child(root, section).is_some(), "{section}");
        }
    }

    #[test]
    fn a_user_task_runs_as_the_users_sid_with_an_interactive_token_and_least_privilege() {
        let xml = definition(&spec(user()));
        let d = doc(&xml);
        let p = ["Principals", "Principal"];
        assert_eq!(
            text_at(&d, &[p[0], p[1], "UserId"]).as_deref(),
            Some("S-1-5-21-1-1104")
        );
        assert_eq!(
            text_at(&d, &[p[0], p[1], "LogonType"]).as_deref(),
            Some("InteractiveToken")
        );
        assert_eq!(
            text_at(&d, &[p[0], p[1], "RunLevel"]).as_deref(),
            Some("LeastPrivilege")
        );
        assert_eq!(text_at(&d, &[p[0], p[1], "GroupId"]), None);
        // Every trigger but the (machine-wide) event is limited to this user.
        for t in triggers(&xml).iter().filter(|t| t.kind != "event") {
            assert_eq!(t.user.as_deref(), Some("S-1-5-21-1-1104"), "{t:?}");
        }
    }

    #[test]
    fn an_all_users_task_runs_as_the_users_group_with_least_privilege() {
        let xml = definition(&spec(TaskPrincipal::AllUsers));
        let d = doc(&xml);
        assert_eq!(
            text_at(&d, &["Principals", "Principal", "GroupId"]).as_deref(),
            Some(USERS_SID)
        );
        assert_eq!(text_at(&d, &["Principals", "Principal", "UserId"]), None);
        assert_eq!(
            text_at(&d, &["Principals", "Principal", "RunLevel"]).as_deref(),
            Some("LeastPrivilege")
        );
        // Triggers fire for any user.
        for t in triggers(&xml) {
            assert_eq!(t.user, None, "{t:?}");
        }
    }

    #[test]
    fn never_a_logon_type_that_logs_the_user_on_again() {
        for p in [user(), TaskPrincipal::AllUsers] {
            let xml = definition(&spec(p));
            let d = doc(&xml);
            for n in d.descendants().filter(|n| n.has_tag_name("LogonType")) {
                let v = n.text().unwrap_or_default();
                assert_eq!(v, "InteractiveToken");
            }
            for word in ["Password", "S4U", "ServiceAccount", "HighestAvailable"] {
                assert!(!xml.contains(&format!(">{word}<")), "{word} in\n{xml}");
            }
        }
    }

    #[test]
    fn triggers_logon_unlock_remote_connect_and_network_each_with_a_short_delay() {
        let xml = definition(&spec(user()));
        let t = triggers(&xml);
        let kinds: Vec<&str> = t.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["logon", "session_unlock", "remote_connect", "event"]
        );
        for t in &t {
            let delay = t.delay.as_deref().unwrap();
            let secs: u32 = delay
                .strip_prefix("PT")
                .and_then(|d| d.strip_suffix('S'))
                .unwrap()
                .parse()
                .unwrap();
            assert!(secs > 0 && secs <= 30, "{t:?}");
            assert!(t.enabled);
        }
        assert_eq!(
            t[3].event.as_deref(),
            Some("Microsoft-Windows-NetworkProfile/Operational, EventID=10000")
        );
    }

    #[test]
    fn the_event_subscription_is_an_escaped_xpath_query_that_parses() {
        let xml = definition(&spec(user()));
        // In the definition the query is text: its markup is escaped.
        assert!(xml.contains("<Subscription>&lt;QueryList&gt;&lt;Query Id=&quot;0&quot;"));
        let d = doc(&xml);
        let q = text_at(&d, &["Triggers", "EventTrigger", "Subscription"]).unwrap();
        assert_eq!(q, network_subscription());
        let query = doc(&q);
        let select = query
            .descendants()
            .find(|n| n.has_tag_name("Select"))
            .unwrap();
        assert_eq!(select.attribute("Path"), Some(NETWORK_CHANNEL));
        assert_eq!(
            select.text(),
            Some("*[System[Provider[@Name='Microsoft-Windows-NetworkProfile'] and EventID=10000]]")
        );
    }

    #[test]
    fn settings_ignore_new_instances_run_on_batteries_and_stop_after_a_short_time() {
        let d_xml = definition(&spec(user()));
        let d = doc(&d_xml);
        let s = |n: &str| text_at(&d, &["Settings", n]);
        assert_eq!(s("MultipleInstancesPolicy").as_deref(), Some("IgnoreNew"));
        assert_eq!(s("DisallowStartIfOnBatteries").as_deref(), Some("false"));
        assert_eq!(s("StopIfGoingOnBatteries").as_deref(), Some("false"));
        assert_eq!(s("ExecutionTimeLimit").as_deref(), Some("PT5M"));
        assert_eq!(s("Enabled").as_deref(), Some("true"));
    }

    #[test]
    fn the_action_runs_the_windowless_twin_with_apply_and_the_quoted_file() {
        let xml = definition(&spec(user()));
        assert_eq!(
            action(&xml),
            Some((
                r"C:\Tools\mapdrivew.exe".to_string(),
                r#"apply "C:\Users\bob\drives.yaml""#.to_string()
            ))
        );
        assert_eq!(arguments(r"C:\a b\"), r#"apply "C:\a b\\""#);
    }

    #[test]
    fn every_value_is_escaped_paths_with_markup_characters_included() {
        let nasty = TaskSpec {
            name: "mapdrive-x".into(),
            program: r#"C:\R&D <tools>\it's\mapdrivew.exe"#.into(),
            file: r"C:\R&D <tools>\it's\drives & more.yaml".into(),
            principal: TaskPrincipal::User {
                sid: "S-1-5-21-1-1104".into(),
                account: r"CORP\o'brien&co".into(),
            },
        };
        let xml = definition(&nasty);
        let d = doc(&xml);
        let (command, args) = action(&xml).unwrap();
        assert_eq!(command, nasty.program);
        assert_eq!(args, format!("apply \"{}\"", nasty.file));
        let desc = text_at(&d, &["RegistrationInfo", "Description"]).unwrap();
        assert!(desc.contains(&nasty.file) && desc.contains(r"CORP\o'brien&co"));
        assert!(desc.contains("mapdrive schedule remove --name x"));
        assert!(!xml.contains("R&D") && xml.contains("R&amp;D &lt;tools&gt;\\it&apos;s"));
        assert_eq!(escape(r#"&<>"'"#), "&amp;&lt;&gt;&quot;&apos;");
    }

    // The snapshot files are found through a Unix path: checked by the host run, not under Wine.
    #[cfg(not(windows))]
    #[test]
    fn the_definition_is_a_snapshot() {
        insta::assert_snapshot!(definition(&spec(user())));
        insta::assert_snapshot!("all_users", definition(&spec(TaskPrincipal::AllUsers)));
    }

    #[test]
    fn a_definition_is_the_same_as_itself_and_as_windows_rewrites_it() {
        let xml = definition(&spec(user()));
        assert!(same_definition(&xml, &xml, &user()));
        // Windows adds Date and default settings, reindents, and may name the user.
        let rewritten = xml
            .replace("<Author>mapdrive</Author>", "<Date>2026-12-05T03:00:00</Date>\n<Author>mapdrive</Author>")
            .replace("<Priority>7</Priority>", "<Priority>7</Priority><IdleSettings><StopOnIdleEnd>true</StopOnIdleEnd></IdleSettings>")
            .replace("<UserId>S-1-5-21-1-1104</UserId>", r"<UserId>corp\BOB</UserId>")
            .replace("<Enabled>true</Enabled>", "<Enabled>True</Enabled>")
            .replace("\n  ", "\n\t");
        assert!(same_definition(&xml, &rewritten, &user()), "{rewritten}");
    }

    #[test]
    fn a_trigger_without_its_default_enabled_is_the_same_but_one_with_more_is_not() {
        let xml = definition(&spec(user()));
        let without = xml.replacen(
            "<LogonTrigger>\n      <Enabled>true</Enabled>",
            "<LogonTrigger>",
            1,
        );
        assert_ne!(without, xml);
        assert!(same_definition(&xml, &without, &user()));
        let more = xml.replacen(
            "<LogonTrigger>",
            "<LogonTrigger><EndBoundary>2027-01-01T00:00:00</EndBoundary>",
            1,
        );
        assert!(!same_definition(&xml, &more, &user()));
    }

    #[test]
    fn a_setting_left_out_at_its_default_is_the_same() {
        let xml = definition(&spec(user()));
        for element in ["Hidden", "WakeToRun", "Priority", "AllowStartOnDemand"] {
            let start = xml.find(&format!("<{element}>")).unwrap();
            let end = xml.find(&format!("</{element}>")).unwrap() + element.len() + 3;
            let left_out = format!("{}{}", &xml[..start], &xml[end..]);
            assert!(same_definition(&xml, &left_out, &user()), "{element}");
        }
        // Not a setting whose default differs from what mapdrive sets (batteries: true).
        let start = xml.find("<StopIfGoingOnBatteries>").unwrap();
        let end = xml.find("</StopIfGoingOnBatteries>").unwrap() + 25;
        let left_out = format!("{}{}", &xml[..start], &xml[end..]);
        assert!(!same_definition(&xml, &left_out, &user()));
    }

    #[test]
    fn another_file_program_principal_or_trigger_is_a_different_definition() {
        let xml = definition(&spec(user()));
        let mut other_file = spec(user());
        other_file.file = r"C:\Users\bob\other.yaml".into();
        let mut other_program = spec(user());
        other_program.program = r"D:\mapdrivew.exe".into();
        for other in [
            definition(&other_file),
            definition(&other_program),
            definition(&spec(TaskPrincipal::AllUsers)),
            xml.replace("<Delay>PT15S</Delay>", "<Delay>PT1M</Delay>"),
            xml.replace(
                "</Triggers>",
                "<BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>",
            ),
            xml.replace("IgnoreNew", "Parallel"),
            xml.replace("InteractiveToken", "Password"),
            xml.replace(
                "<RunLevel>LeastPrivilege</RunLevel>",
                "<RunLevel>LeastPrivilege</RunLevel><LogonType>S4U</LogonType>",
            ),
            "not xml".to_string(),
        ] {
            assert!(!same_definition(&xml, &other, &user()), "{other}");
        }
        // Wine writes values unescaped: what it gives back is not XML, so it differs.
        let mut amp = spec(user());
        amp.file = r"C:\R&D\drives.yaml".into();
        let amp = definition(&amp);
        assert!(!same_definition(&amp, &amp.replace("&amp;", "&"), &user()));
    }

    #[test]
    fn a_scheduler_that_reports_no_actions_is_compared_on_the_rest() {
        // What Wine 8 gives back: registration info and settings, no triggers, actions or
        // principal.
        let xml = definition(&spec(user()));
        let d = doc(&xml);
        let desc = text_at(&d, &["RegistrationInfo", "Description"]).unwrap();
        let wine = |desc: &str| {
            format!(
                "<?xml version=\"1.0\"?>\n<Task version=\"1.2\" xmlns=\"{TASK_NAMESPACE}\">\n\
                 <RegistrationInfo><Author>mapdrive</Author><Description>{}</Description><URI>\\mapdrive</URI></RegistrationInfo>\n\
                 <Settings><AllowStartOnDemand>true</AllowStartOnDemand><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\
                 <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\
                 <AllowHardTerminate>true</AllowHardTerminate><StartWhenAvailable>false</StartWhenAvailable>\
                 <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable><WakeToRun>false</WakeToRun><Enabled>true</Enabled>\
                 <Hidden>false</Hidden><ExecutionTimeLimit>PT5M</ExecutionTimeLimit><Priority>7</Priority><RunOnlyIfIdle>false</RunOnlyIfIdle></Settings>\n\
                 <Triggers/>\n<Principals><Principal>\n</Principal></Principals>\n<Actions><Exec/></Actions>\n</Task>\n",
                escape(desc)
            )
        };
        assert!(same_definition(&xml, &wine(&desc), &user()));
        // The description names the file: another file is still a difference there.
        let mut other = spec(user());
        other.file = r"C:\other.yaml".into();
        assert!(!same_definition(&definition(&other), &wine(&desc), &user()));
    }
}

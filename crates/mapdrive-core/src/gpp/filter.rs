//! Item-level targeting: the `Filters` tree, the facts it is evaluated against, the evaluator.
//!
//! What Windows does (GPMC help "Preference Item-Level Targeting"): each targeting item is true
//! or false; each item after the first is combined with the value so far by its own `bool`
//! (`AND`/`OR`); "Is Not" (`not="1"`) inverts one item or a whole `FilterCollection` (a
//! parenthesised group). Microsoft documents no AND-over-OR precedence, so mapdrive folds left
//! to right: `A OR B AND C` is `(A OR B) AND C`; the first filter's `bool` has no effect.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use roxmltree::Node;
use serde::{Deserialize, Serialize};

use super::error::{GppError, ItemRef};
use super::parse::{line_of, shorten};

/// How a filter combines with the value of the filters before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    /// `bool="AND"` (also the reading of an absent `bool`).
    And,
    /// `bool="OR"`.
    Or,
}

/// The targeting of one item: filters in file order. Empty = the item applies to everyone.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Filters {
    /// Top-level filters, combined left to right.
    pub filters: Vec<Filter>,
}

/// One targeting item.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// `bool`: how it combines with the value before it.
    pub op: BoolOp,
    /// `not="1"` ("Is Not"): the value is inverted.
    pub not: bool,
    /// The element name as written (`FilterGroup`).
    pub element: String,
    /// 1-based line of the element (0 when read from a [`RawFilter`]).
    pub line: u32,
    /// The element's attributes as written (`bool` and `not` included), so the filter can be
    /// written out again unchanged ([`Filters::to_raw`]).
    pub attributes: BTreeMap<String, String>,
    /// What it tests.
    pub kind: FilterKind,
}

/// A Windows release as `FilterOs/@version` names it: (major, minor, server?) — `None` for
/// "either".
pub type OsRelease = (u32, u32, Option<bool>);

/// Computer name forms for `FilterComputer/@type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputerNameKind {
    /// `NETBIOS`: the NetBIOS name; `*` and `?` wildcards allowed (GPMC help).
    NetBios,
    /// `DNS`: the fully qualified DNS name, compared whole.
    Dns,
}

/// What a filter tests.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterKind {
    /// `FilterCollection`: a parenthesised group.
    Collection {
        /// `name` (display only).
        name: String,
        /// The filters inside, combined left to right.
        filters: Vec<Filter>,
    },
    /// `FilterUser`: the user is this account — by `sid` when given, else by `name`
    /// (`DOMAIN\user`, or `user` alone; `*`/`?` wildcards).
    User {
        /// `name` as written.
        name: String,
        /// `sid`, when given.
        sid: Option<String>,
    },
    /// `FilterGroup` with `userContext="1"`: the user's token holds this group — by `sid` when
    /// given (the GPMC help: membership is decided by SID, the name is for display), else by
    /// `name`. Deny-only groups (the Administrators SID of a limited token) are not membership.
    Group {
        /// `name` as written (`CORP\Sales`).
        name: String,
        /// `sid`, when given.
        sid: Option<String>,
        /// `primaryGroup="1"`: the group must be the user's primary group.
        primary_group: bool,
        /// `localGroup="1"`: a local or BUILTIN group.
        local_group: bool,
    },
    /// `FilterComputer`: the computer's name.
    Computer {
        /// `type`.
        kind: ComputerNameKind,
        /// `name`.
        name: String,
    },
    /// `FilterDomain`: `userContext="1"` the user's logon domain (`%LogonDomain%`), else the
    /// computer's domain (`%DomainName%`); `*`/`?` wildcards.
    Domain {
        /// `name` (NetBIOS domain name).
        name: String,
        /// `userContext`.
        user: bool,
    },
    /// `FilterVariable`: the environment variable `variableName` has the value `value`
    /// (both compared without regard to case).
    Variable {
        /// `variableName`.
        name: String,
        /// `value`.
        value: String,
    },
    /// `FilterRegistry`.
    Registry(RegistryFilter),
    /// `FilterIpRange`: one of the computer's addresses lies in `min..=max`.
    IpRange {
        /// `min`.
        min: IpAddr,
        /// `max`.
        max: IpAddr,
    },
    /// `FilterOs`: every part that is not `NE` ("any") matches.
    Os {
        /// `version` as (major, minor, server?) — `None` = any; `Some(None)` = a Windows 9x
        /// release, never true on Windows NT.
        release: Option<Option<OsRelease>>,
        /// `type` (computer role), `None` = any.
        role: Option<ProductType>,
        /// `sp`: `Gold` = 0, `Service Pack N` = N; `None` = any.
        service_pack: Option<u16>,
        /// `class="9X"`: never true on Windows NT.
        class_9x: bool,
        /// The attributes as written, for messages.
        text: String,
    },
    /// `FilterLanguage`: `language` + `locale` form a LANGID (`locale << 10 | language`; a
    /// `language` above 255 is taken as a whole LANGID). With none of `default` (the user's
    /// locale or UI language), `system`, `native` set: the language is installed; else every
    /// checked one must match. A sublanguage of 0 matches any sublanguage.
    Language {
        /// The LANGID.
        langid: u16,
        /// `default="1"`.
        user: bool,
        /// `system="1"`.
        system: bool,
        /// `native="1"`.
        native: bool,
    },
    /// `FilterRunOnce` (the Common tab's "Apply once and do not reapply", written as a hidden
    /// filter): true until an item carrying this `id` has been applied for the user. Group
    /// Policy keeps that in its own history; mapdrive keeps the ids in
    /// [`super::AppliedRecord::run_once`].
    RunOnce {
        /// `id` (a GUID).
        id: String,
    },
    /// A filter mapdrive cannot evaluate (FilterWmi, FilterLdap, FilterOrgUnit, FilterSite,
    /// FilterGroup for the computer account, unknown elements, unknown codes, …).
    Unevaluable {
        /// Why.
        why: String,
    },
}

/// `FilterRegistry`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegistryFilter {
    /// `hive` (default `HKEY_LOCAL_MACHINE`).
    pub hive: Hive,
    /// `key`, without the hive.
    pub key: String,
    /// `valueName`; empty = the key's default value.
    pub value_name: String,
    /// `valueType` (`REG_SZ`, …); `None` = any type.
    pub value_type: Option<String>,
    /// What is tested.
    pub test: RegistryMatch,
}

/// `FilterRegistry/@type` (and `subtype`).
#[derive(Clone, Debug, PartialEq)]
pub enum RegistryMatch {
    /// `KEYEXISTS`.
    KeyExists,
    /// `VALUEEXISTS` (of `valueType`, when given).
    ValueExists,
    /// `MATCHVALUE` with `EQUALHEX`/`EQUALDEC`: the value exists and equals `valueData`
    /// (numbers: `valueData` read as hex or decimal; strings: without regard to case;
    /// `REG_MULTI_SZ`: any of its strings; binary: hex bytes).
    Equal {
        /// `valueData`.
        data: String,
        /// `EQUALHEX` (true) or `EQUALDEC`.
        hex: bool,
    },
    /// `MATCHVALUE` + `SUBSTRING`: the value exists and contains `valueData` (without regard
    /// to case).
    Substring {
        /// `valueData`.
        data: String,
    },
    /// `MATCHVALUE` + `VERSION`: the value is a `1.2.3.4` (or `1,2,3,4`) version inside the
    /// range; `gte`/`lte` make `min`/`max` inclusive.
    Version {
        /// `min`.
        min: Option<Vec<u32>>,
        /// `max`.
        max: Option<Vec<u32>>,
        /// `gte="1"`: `>= min`, else `> min`.
        gte: bool,
        /// `lte="1"`: `<= max`, else `< max`.
        lte: bool,
    },
    /// `GETVALUE`: true when the value exists (of `valueType`, when given); its data is then
    /// stored in the variable `variableName` for the rest of the run (paths and labels of this
    /// and later items may use it).
    GetValue {
        /// `variableName`.
        variable: String,
    },
}

/// Registry hives `FilterRegistry/@hive` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hive {
    /// `HKEY_LOCAL_MACHINE`.
    LocalMachine,
    /// `HKEY_CURRENT_USER` (the user whose drives are mapped).
    CurrentUser,
    /// `HKEY_CLASSES_ROOT`.
    ClassesRoot,
    /// `HKEY_USERS`.
    Users,
    /// `HKEY_CURRENT_CONFIG`.
    CurrentConfig,
}

impl Hive {
    /// The hive's full name.
    pub fn as_str(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKEY_LOCAL_MACHINE",
            Hive::CurrentUser => "HKEY_CURRENT_USER",
            Hive::ClassesRoot => "HKEY_CLASSES_ROOT",
            Hive::Users => "HKEY_USERS",
            Hive::CurrentConfig => "HKEY_CURRENT_CONFIG",
        }
    }

    fn parse(s: &str) -> Option<Hive> {
        let all = [
            Hive::LocalMachine,
            Hive::CurrentUser,
            Hive::ClassesRoot,
            Hive::Users,
            Hive::CurrentConfig,
        ];
        let short = ["HKLM", "HKCU", "HKCR", "HKU", "HKCC"];
        all.into_iter()
            .zip(short)
            .find(|(h, sh)| s.eq_ignore_ascii_case(h.as_str()) || s.eq_ignore_ascii_case(sh))
            .map(|(h, _)| h)
    }
}

/// A registry value as the port reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegValue {
    /// `REG_SZ`.
    Sz(String),
    /// `REG_EXPAND_SZ` (unexpanded).
    ExpandSz(String),
    /// `REG_MULTI_SZ`.
    MultiSz(Vec<String>),
    /// `REG_DWORD`.
    Dword(u32),
    /// `REG_QWORD`.
    Qword(u64),
    /// `REG_BINARY` (and any other type, raw).
    Binary(Vec<u8>),
}

impl RegValue {
    /// The type's name (`REG_SZ`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            RegValue::Sz(_) => "REG_SZ",
            RegValue::ExpandSz(_) => "REG_EXPAND_SZ",
            RegValue::MultiSz(_) => "REG_MULTI_SZ",
            RegValue::Dword(_) => "REG_DWORD",
            RegValue::Qword(_) => "REG_QWORD",
            RegValue::Binary(_) => "REG_BINARY",
        }
    }

    /// The data as text (what `GETVALUE` stores, what `SUBSTRING` searches): strings as they
    /// are, `REG_MULTI_SZ` joined with `;`, numbers in decimal, binary as hex.
    pub fn to_text(&self) -> String {
        match self {
            RegValue::Sz(s) | RegValue::ExpandSz(s) => s.clone(),
            RegValue::MultiSz(v) => v.join(";"),
            RegValue::Dword(n) => n.to_string(),
            RegValue::Qword(n) => n.to_string(),
            RegValue::Binary(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        }
    }
}

/// Registry reads targeting needs. The port answers them on Windows (read once per run and
/// cached); [`InMemoryRegistry`] answers them in tests and in the session model.
pub trait RegistryLookup {
    /// Does `hive\key` exist?
    fn key_exists(&self, hive: Hive, key: &str) -> bool;
    /// The value `name` (empty = the default value) of `hive\key`, if present.
    fn value(&self, hive: Hive, key: &str, name: &str) -> Option<RegValue>;
}

/// A registry in memory; key paths and value names compare without regard to case.
#[derive(Clone, Debug, Default)]
pub struct InMemoryRegistry {
    keys: BTreeMap<(Hive, String), BTreeMap<String, RegValue>>,
}

impl InMemoryRegistry {
    /// An empty registry.
    pub fn new() -> InMemoryRegistry {
        InMemoryRegistry::default()
    }

    fn norm(key: &str) -> String {
        key.trim_matches('\\').to_lowercase()
    }

    /// Creates `hive\key` (and nothing else).
    pub fn add_key(&mut self, hive: Hive, key: &str) {
        self.keys.entry((hive, Self::norm(key))).or_default();
    }

    /// Sets a value, creating the key.
    pub fn set(&mut self, hive: Hive, key: &str, name: &str, value: RegValue) {
        self.keys
            .entry((hive, Self::norm(key)))
            .or_default()
            .insert(name.to_lowercase(), value);
    }
}

impl InMemoryRegistry {
    /// Removes a value (the key stays).
    pub fn remove(&mut self, hive: Hive, key: &str, name: &str) {
        if let Some(k) = self.keys.get_mut(&(hive, Self::norm(key))) {
            k.remove(&name.to_lowercase());
        }
    }
}

impl RegistryLookup for InMemoryRegistry {
    fn key_exists(&self, hive: Hive, key: &str) -> bool {
        self.keys.contains_key(&(hive, Self::norm(key)))
    }

    fn value(&self, hive: Hive, key: &str, name: &str) -> Option<RegValue> {
        self.keys
            .get(&(hive, Self::norm(key)))
            .and_then(|k| k.get(&name.to_lowercase()))
            .cloned()
    }
}

/// A group in the user's token.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TokenGroup {
    /// The SID (`S-1-5-21-…-1187`).
    pub sid: String,
    /// `DOMAIN\Name`, when the SID could be looked up.
    pub name: Option<String>,
    /// `SE_GROUP_USE_FOR_DENY_ONLY`: present only to deny access (the Administrators SID of a
    /// UAC-limited token); not membership.
    pub deny_only: bool,
}

/// `ProductType` of `OSVERSIONINFOEX` (and `FilterOs/@type`: `WS`, `DC`, `SV`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProductType {
    /// `VER_NT_WORKSTATION` (1).
    #[default]
    Workstation,
    /// `VER_NT_DOMAIN_CONTROLLER` (2).
    DomainController,
    /// `VER_NT_SERVER` (3): a member or stand-alone server.
    Server,
}

/// The Windows version facts `FilterOs` needs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OsFacts {
    /// Major version (10 for Windows 10, 11 and Server 2016+).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Build number.
    pub build: u32,
    /// Workstation, domain controller or server.
    pub product_type: ProductType,
    /// Service pack major version (0 = none, "Gold").
    pub service_pack: u16,
}

/// The language facts `FilterLanguage` needs, as LANGIDs (`0x0409` = en-US).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LanguageFacts {
    /// The user's default locale (`GetUserDefaultLangID`).
    pub user: u16,
    /// The user's UI language (`GetUserDefaultUILanguage`).
    pub ui: u16,
    /// The system locale (`GetSystemDefaultLangID`).
    pub system: u16,
    /// The language of the installed system (`GetSystemDefaultUILanguage`, ntdll's language).
    pub native: u16,
    /// Installed languages; when empty, the four above stand for them.
    pub installed: Vec<u16>,
}

/// Everything targeting and preference variables are evaluated against: read once per run by
/// the caller (from the token of the logon session the drives go into — for an elevated prompt,
/// the limited token's user and groups), never by this module.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TargetingFacts {
    /// The user's account name without domain (`%LogonUser%`, `alice`).
    pub user_name: String,
    /// The user's NetBIOS domain (`%LogonDomain%`, `CORP`; the computer name for a local user).
    pub user_domain: String,
    /// The user's SID (`%LogonUserSid%`).
    pub user_sid: String,
    /// The domain controller that authenticated the user, without `\\` (`%LogonServer%`).
    pub logon_server: String,
    /// The token's groups (nested groups are already expanded there).
    pub groups: Vec<TokenGroup>,
    /// The token's primary group SID (`TokenPrimaryGroup`).
    pub primary_group_sid: Option<String>,
    /// Is this computer joined to the user's on-premises AD domain? When false (Entra-joined,
    /// workgroup) the token carries no on-premises domain groups, and group filters say so.
    pub joined_to_user_domain: bool,
    /// The computer's NetBIOS name (`%ComputerName%`).
    pub computer_netbios: String,
    /// The computer's fully qualified DNS name.
    pub computer_dns: String,
    /// The computer's domain or workgroup (`%DomainName%`).
    pub computer_domain: String,
    /// The computer's own account-domain SID (`S-1-5-21-a-b-c`), telling local groups from
    /// domain groups.
    pub computer_sid: Option<String>,
    /// The user's environment block (names compare without regard to case).
    pub environment: Vec<(String, String)>,
    /// Known folders for the directory variables (`AppDataDir`, `DesktopDir`, …), by variable
    /// name without `%`.
    pub folders: Vec<(String, String)>,
    /// The computer's IP addresses.
    pub ip_addresses: Vec<IpAddr>,
    /// The Windows version.
    pub os: OsFacts,
    /// Languages.
    pub languages: LanguageFacts,
}

impl TargetingFacts {
    /// An environment variable, by name without regard to case.
    pub fn env(&self, name: &str) -> Option<&str> {
        lookup(&self.environment, name)
    }
}

pub(super) fn lookup<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What targeting evaluation carries from one item to the next in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvalContext {
    /// Variables stored by `FilterRegistry type="GETVALUE"` so far: (name, value).
    pub variables: Vec<(String, String)>,
    /// `FilterRunOnce` ids already applied for this user ([`super::AppliedRecord::run_once`]).
    pub run_once_done: Vec<String>,
}

/// The result of evaluating an item's targeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The item applies.
    Applies,
    /// It does not: the first rule that said no, e.g.
    /// `FilterGroup CORP\Sales: user is not a member`.
    NotApplicable(String),
}

/// A targeting element exactly as `Drives.xml` writes it: element name, attributes, and for a
/// `FilterCollection` its filters. This is the form a converted DSC document carries in
/// `Mapdrive/MappedDrive`'s `targeting` property; [`Filters::from_raw`] reads it back through
/// the same checks as the XML, so the resource evaluates the same tree.
///
/// ```json
/// {"element": "FilterGroup", "attributes": {"bool": "AND", "not": "0", "name": "CORP\\Sales",
///  "sid": "S-1-5-21-1111111111-2222222222-3333333333-1187"}}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFilter {
    /// The element name (`FilterGroup`, `FilterCollection`, …).
    pub element: String,
    /// Its attributes, as written (`bool`, `not`, `name`, `sid`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The filters inside a `FilterCollection`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<RawFilter>,
}

impl Filters {
    /// The filters in their written form, for a DSC document (lossless: every attribute).
    pub fn to_raw(&self) -> Vec<RawFilter> {
        fn raw(list: &[Filter]) -> Vec<RawFilter> {
            list.iter()
                .map(|f| RawFilter {
                    element: f.element.clone(),
                    attributes: f.attributes.clone(),
                    filters: match &f.kind {
                        FilterKind::Collection { filters, .. } => raw(filters),
                        _ => Vec::new(),
                    },
                })
                .collect()
        }
        raw(&self.filters)
    }

    /// Reads filters back from their written form, with the same checks and the same
    /// meaning as in `Drives.xml`. `item` names the owner in messages (lines are 0).
    pub fn from_raw(raw: &[RawFilter], item: &ItemRef) -> Result<Filters, GppError> {
        let filters = raw
            .iter()
            .map(|r| parse_filter(&r, item, 0))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Filters { filters })
    }

    /// Every unevaluable filter, nested ones included, in file order.
    pub fn unevaluable(&self) -> Vec<&Filter> {
        fn walk<'a>(list: &'a [Filter], out: &mut Vec<&'a Filter>) {
            for f in list {
                match &f.kind {
                    FilterKind::Collection { filters, .. } => walk(filters, out),
                    FilterKind::Unevaluable { .. } => out.push(f),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.filters, &mut out);
        out
    }

    /// The `FilterRunOnce` ids in the tree (nested ones included).
    pub fn run_once_ids(&self) -> Vec<&str> {
        fn walk<'a>(list: &'a [Filter], out: &mut Vec<&'a str>) {
            for f in list {
                match &f.kind {
                    FilterKind::Collection { filters, .. } => walk(filters, out),
                    FilterKind::RunOnce { id } => out.push(id),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.filters, &mut out);
        out
    }

    /// No filters: the item applies to everyone.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }
}

impl Filter {
    /// Why the filter cannot be evaluated, for [`FilterKind::Unevaluable`].
    pub fn unevaluable_reason(&self) -> Option<&str> {
        match &self.kind {
            FilterKind::Unevaluable { why } => Some(why),
            _ => None,
        }
    }

    fn subject(&self) -> String {
        match &self.kind {
            FilterKind::Collection { name, .. } => format!("\"{name}\""),
            FilterKind::User { name, sid } | FilterKind::Group { name, sid, .. } => {
                if name.is_empty() {
                    sid.clone().unwrap_or_default()
                } else {
                    name.clone()
                }
            }
            FilterKind::Computer { name, .. } | FilterKind::Domain { name, .. } => name.clone(),
            FilterKind::Variable { name, value } => format!("%{name}%={value}"),
            FilterKind::Registry(r) => {
                let mut s = format!("{}\\{}", r.hive.as_str(), r.key);
                if !matches!(r.test, RegistryMatch::KeyExists) {
                    let v = if r.value_name.is_empty() {
                        "(Default)"
                    } else {
                        &r.value_name
                    };
                    s.push_str(&format!(" value {v}"));
                }
                s
            }
            FilterKind::IpRange { min, max } => format!("{min}-{max}"),
            FilterKind::Os { text, .. } => text.clone(),
            FilterKind::Language { langid, .. } => format!("0x{langid:04X}"),
            FilterKind::RunOnce { id } => id.clone(),
            FilterKind::Unevaluable { .. } => String::new(),
        }
    }
}

/// Evaluates an item's targeting, left to right, stopping as soon as the rest cannot change
/// the result. `ctx` carries what evaluation shares between items: the variables
/// `FilterRegistry type="GETVALUE"` stores (consulted by `FilterVariable` before the
/// environment, and by [`super::expand`]) and the `FilterRunOnce` ids already applied.
pub fn evaluate(
    filters: &Filters,
    facts: &TargetingFacts,
    registry: &dyn RegistryLookup,
    ctx: &mut EvalContext,
) -> Verdict {
    match fold(&filters.filters, facts, registry, ctx) {
        (true, _) => Verdict::Applies,
        (false, reason) => Verdict::NotApplicable(reason),
    }
}

/// Left-to-right fold; returns the value and, when false, the first rule that made it false.
fn fold(
    list: &[Filter],
    facts: &TargetingFacts,
    registry: &dyn RegistryLookup,
    ctx: &mut EvalContext,
) -> (bool, String) {
    let mut acc: Option<(bool, String)> = None;
    for f in list {
        acc = Some(match acc {
            None => one(f, facts, registry, ctx),
            Some((true, r)) if f.op == BoolOp::Or => (true, r),
            Some((false, r)) if f.op == BoolOp::And => (false, r),
            Some((_, r)) => {
                let (v, why) = one(f, facts, registry, ctx);
                // OR of false and false: the earlier "no" stays the first one.
                if !v && f.op == BoolOp::Or {
                    (false, r)
                } else {
                    (v, why)
                }
            }
        });
    }
    acc.unwrap_or((true, String::new()))
}

/// One filter with its `not`; the reason is only meaningful when the value is false.
fn one(
    f: &Filter,
    facts: &TargetingFacts,
    registry: &dyn RegistryLookup,
    ctx: &mut EvalContext,
) -> (bool, String) {
    let prefix = if f.not {
        format!("not {}", f.element)
    } else {
        f.element.clone()
    };
    let subject = f.subject();
    let head = if subject.is_empty() {
        prefix
    } else {
        format!("{prefix} {subject}")
    };
    if let FilterKind::Collection { filters, .. } = &f.kind {
        let (v, inner) = fold(filters, facts, registry, ctx);
        let value = v != f.not;
        let why = if v {
            "its rules say yes".to_string()
        } else {
            inner
        };
        return (value, format!("{head}: {why}"));
    }
    let (raw, fact) = test(&f.kind, facts, registry, ctx);
    (raw != f.not, format!("{head}: {fact}"))
}

/// A leaf's raw value and the fact that decided it.
fn test(
    kind: &FilterKind,
    facts: &TargetingFacts,
    registry: &dyn RegistryLookup,
    ctx: &mut EvalContext,
) -> (bool, String) {
    match kind {
        FilterKind::Collection { .. } => (true, String::new()),
        FilterKind::Unevaluable { why } => (false, format!("cannot be evaluated: {why}")),
        FilterKind::RunOnce { id } => {
            if ctx.run_once_done.iter().any(|d| d.eq_ignore_ascii_case(id)) {
                (
                    false,
                    "the item was already applied once for this user (\"Apply once and do not \
                     reapply\")"
                        .into(),
                )
            } else {
                (
                    true,
                    "the item has not been applied for this user yet".into(),
                )
            }
        }
        FilterKind::User { name, sid } => {
            let me = format!("{}\\{}", facts.user_domain, facts.user_name);
            let hit = match sid {
                Some(s) => s.eq_ignore_ascii_case(&facts.user_sid),
                None if name.contains('\\') => glob(name, &me),
                None => glob(name, &facts.user_name),
            };
            if hit {
                (true, format!("the user is {me}"))
            } else {
                (false, format!("the user is {me}"))
            }
        }
        FilterKind::Group {
            name,
            sid,
            primary_group,
            local_group,
        } => group(facts, name, sid.as_deref(), *primary_group, *local_group),
        FilterKind::Computer { kind, name } => match kind {
            ComputerNameKind::NetBios => (
                glob(name, &facts.computer_netbios),
                format!("the computer's NetBIOS name is {}", facts.computer_netbios),
            ),
            ComputerNameKind::Dns => (
                name.trim_end_matches('.')
                    .eq_ignore_ascii_case(facts.computer_dns.trim_end_matches('.')),
                format!("the computer's DNS name is {}", facts.computer_dns),
            ),
        },
        FilterKind::Domain { name, user } => {
            let (what, value) = if *user {
                ("the user's logon domain", &facts.user_domain)
            } else {
                ("the computer's domain", &facts.computer_domain)
            };
            (glob(name, value), format!("{what} is {value}"))
        }
        FilterKind::Variable { name, value } => {
            let current = lookup(&ctx.variables, name).or_else(|| facts.env(name));
            match current {
                None => (false, format!("%{name}% is not set")),
                Some(v) => (
                    v.eq_ignore_ascii_case(value),
                    format!("%{name}% is \"{}\"", shorten(v)),
                ),
            }
        }
        FilterKind::Registry(r) => registry_test(r, registry, &mut ctx.variables),
        FilterKind::IpRange { min, max } => {
            let hit = facts.ip_addresses.iter().any(|a| in_range(a, min, max));
            let list = if facts.ip_addresses.is_empty() {
                "none".to_string()
            } else {
                facts
                    .ip_addresses
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let fact = if hit {
                format!("an address is in the range (addresses: {list})")
            } else {
                format!("no address of this computer is in the range (addresses: {list})")
            };
            (hit, fact)
        }
        FilterKind::Os {
            release,
            role,
            service_pack,
            class_9x,
            ..
        } => {
            let os = &facts.os;
            let server = os.product_type != ProductType::Workstation;
            let release_ok = match release {
                None => true,
                Some(None) => false,
                Some(Some((major, minor, srv))) => {
                    *major == os.major && *minor == os.minor && srv.is_none_or(|s| s == server)
                }
            };
            let hit = !class_9x
                && release_ok
                && role.is_none_or(|r| r == os.product_type)
                && service_pack.is_none_or(|sp| sp == os.service_pack);
            let kind = match os.product_type {
                ProductType::Workstation => "workstation",
                ProductType::DomainController => "domain controller",
                ProductType::Server => "server",
            };
            let sp = if os.service_pack == 0 {
                String::new()
            } else {
                format!(" service pack {}", os.service_pack)
            };
            (
                hit,
                format!(
                    "this computer runs Windows {}.{} build {} ({kind}){sp}",
                    os.major, os.minor, os.build
                ),
            )
        }
        FilterKind::Language {
            langid,
            user,
            system,
            native,
        } => {
            let l = &facts.languages;
            let m = |have: u16| lang_match(*langid, have);
            let hit = if !user && !system && !native {
                if l.installed.is_empty() {
                    [l.user, l.ui, l.system, l.native].into_iter().any(m)
                } else {
                    l.installed.iter().copied().any(m)
                }
            } else {
                (!user || m(l.user) || m(l.ui))
                    && (!system || m(l.system))
                    && (!native || m(l.native))
            };
            (
                hit,
                format!(
                    "user locale 0x{:04X}, UI language 0x{:04X}, system locale 0x{:04X}, \
                     installed language 0x{:04X}",
                    l.user, l.ui, l.system, l.native
                ),
            )
        }
    }
}

fn group(
    facts: &TargetingFacts,
    name: &str,
    sid: Option<&str>,
    primary_group: bool,
    local_group: bool,
) -> (bool, String) {
    let matches = |g: &TokenGroup| match sid {
        Some(s) => g.sid.eq_ignore_ascii_case(s),
        None => g.name.as_deref().is_some_and(|n| {
            // `Sales` matches `CORP\Sales`; `CORP\Sales` must match whole.
            let n = if name.contains('\\') {
                n
            } else {
                n.rsplit('\\').next().unwrap_or(n)
            };
            n.eq_ignore_ascii_case(name)
        }),
    };
    if primary_group {
        let primary = facts.primary_group_sid.as_deref().unwrap_or_default();
        let hit = match sid {
            Some(s) => s.eq_ignore_ascii_case(primary),
            None => facts
                .groups
                .iter()
                .any(|g| g.sid.eq_ignore_ascii_case(primary) && matches(g)),
        };
        return if hit {
            (true, "it is the user's primary group".into())
        } else {
            (false, "it is not the user's primary group".into())
        };
    }
    let held = facts.groups.iter().find(|g| matches(g));
    // The primary group counts even when the caller's group list leaves it out.
    let is_primary = sid.is_some_and(|s| {
        facts
            .primary_group_sid
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    });
    if held.is_none() && is_primary {
        return (true, "user is a member (primary group)".into());
    }
    match held {
        Some(g) if g.deny_only => (
            false,
            "user is not a member: the token holds the group only for deny (a UAC-limited \
             token; drives go into the limited session)"
                .into(),
        ),
        Some(_) => (true, "user is a member".into()),
        None if !facts.joined_to_user_domain
            && !local_group
            && is_domain_group(facts, name, sid) =>
        {
            (
                false,
                "user is not a member: this computer is not joined to the user's on-premises \
             domain (Entra-joined or workgroup), so the user's token carries no on-premises \
             domain groups"
                    .into(),
            )
        }
        None => (false, "user is not a member".into()),
    }
}

/// Is this an Active Directory domain group (not local, BUILTIN or well-known)?
fn is_domain_group(facts: &TargetingFacts, name: &str, sid: Option<&str>) -> bool {
    if let Some(s) = sid {
        if !s
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("S-1-5-21-"))
        {
            return false;
        }
        let domain_part: Vec<&str> = s.split('-').take(7).collect();
        let domain = domain_part.join("-");
        return facts
            .computer_sid
            .as_deref()
            .is_none_or(|c| !c.eq_ignore_ascii_case(&domain));
    }
    match name.split_once('\\') {
        Some((dom, _)) => {
            !dom.eq_ignore_ascii_case(&facts.computer_netbios)
                && !dom.eq_ignore_ascii_case("BUILTIN")
                && !dom.eq_ignore_ascii_case("NT AUTHORITY")
                && !dom.is_empty()
        }
        None => false,
    }
}

fn lang_match(want: u16, have: u16) -> bool {
    if want >> 10 == 0 {
        want & 0x3FF == have & 0x3FF
    } else {
        want == have
    }
}

fn in_range(a: &IpAddr, min: &IpAddr, max: &IpAddr) -> bool {
    match (a, min, max) {
        (IpAddr::V4(a), IpAddr::V4(lo), IpAddr::V4(hi)) => {
            (u32::from(*lo)..=u32::from(*hi)).contains(&u32::from(*a))
        }
        (IpAddr::V6(a), IpAddr::V6(lo), IpAddr::V6(hi)) => {
            (u128::from(*lo)..=u128::from(*hi)).contains(&u128::from(*a))
        }
        _ => false,
    }
}

fn registry_test(
    r: &RegistryFilter,
    registry: &dyn RegistryLookup,
    captured: &mut Vec<(String, String)>,
) -> (bool, String) {
    if matches!(r.test, RegistryMatch::KeyExists) {
        return if registry.key_exists(r.hive, &r.key) {
            (true, "the key exists".into())
        } else {
            (false, "the key does not exist".into())
        };
    }
    let Some(value) = registry.value(r.hive, &r.key, &r.value_name) else {
        return (false, "the value does not exist".into());
    };
    if let Some(t) = &r.value_type
        && !t.eq_ignore_ascii_case(value.type_name())
    {
        return (
            false,
            format!("the value is {}, not {t}", value.type_name()),
        );
    }
    let shown = shorten(&value.to_text());
    match &r.test {
        RegistryMatch::KeyExists | RegistryMatch::ValueExists => (true, "the value exists".into()),
        RegistryMatch::GetValue { variable } => {
            captured.retain(|(n, _)| !n.eq_ignore_ascii_case(variable));
            captured.push((variable.clone(), value.to_text()));
            (
                true,
                format!("the value exists and was stored in %{variable}%"),
            )
        }
        RegistryMatch::Equal { data, hex } => (
            equal(&value, data, *hex),
            format!("the value is \"{shown}\""),
        ),
        RegistryMatch::Substring { data } => {
            let hay = value.to_text().to_lowercase();
            (
                hay.contains(&data.to_lowercase()),
                format!("the value is \"{shown}\""),
            )
        }
        RegistryMatch::Version { min, max, gte, lte } => {
            let Some(v) = parse_version(&value.to_text()) else {
                return (false, format!("the value \"{shown}\" is not a version"));
            };
            let lo = min.as_ref().is_none_or(|m| {
                let o = cmp_version(&v, m);
                o.is_gt() || (*gte && o.is_eq())
            });
            let hi = max.as_ref().is_none_or(|m| {
                let o = cmp_version(&v, m);
                o.is_lt() || (*lte && o.is_eq())
            });
            (lo && hi, format!("the version is {shown}"))
        }
    }
}

fn parse_number(data: &str, hex: bool) -> Option<u64> {
    let d = data.trim();
    if hex {
        let d = d
            .strip_prefix("0x")
            .or_else(|| d.strip_prefix("0X"))
            .unwrap_or(d);
        u64::from_str_radix(d, 16).ok()
    } else {
        d.parse().ok()
    }
}

fn equal(value: &RegValue, data: &str, hex: bool) -> bool {
    match value {
        RegValue::Sz(s) | RegValue::ExpandSz(s) => s.to_lowercase() == data.to_lowercase(),
        RegValue::MultiSz(v) => v.iter().any(|s| s.to_lowercase() == data.to_lowercase()),
        RegValue::Dword(n) => parse_number(data, hex) == Some(u64::from(*n)),
        RegValue::Qword(n) => parse_number(data, hex) == Some(*n),
        RegValue::Binary(b) => {
            let digits: String = data.chars().filter(char::is_ascii_hexdigit).collect();
            digits.len() == b.len() * 2
                && b.iter()
                    .enumerate()
                    .all(|(i, x)| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16) == Ok(*x))
        }
    }
}

fn parse_version(s: &str) -> Option<Vec<u32>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.split(['.', ','])
        .map(|p| p.trim().parse::<u32>().ok().filter(|n| *n <= 65535))
        .collect()
}

fn cmp_version(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// `*` (any run) and `?` (one character) wildcards, without regard to case.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Parses the children of a `Filters` element (or of a list of raw filters).
pub(super) fn parse_filters<S: Source>(node: &S, item: &ItemRef) -> Result<Filters, GppError> {
    Ok(Filters {
        filters: parse_list(node, item, 0)?,
    })
}

const MAX_DEPTH: usize = 32;

/// Where filters are read from: `Drives.xml` elements, or [`RawFilter`]s (a DSC document's
/// `targeting`), so both go through the same checks.
pub(super) trait Source: Sized {
    fn element(&self) -> &str;
    fn attribute(&self, name: &str) -> Option<&str>;
    fn attributes(&self) -> BTreeMap<String, String>;
    fn children(&self) -> Vec<Self>;
    /// 1-based line, 0 when there is none.
    fn line(&self) -> u32;
}

/// An XML element as a filter source.
pub(super) struct Xml<'a, 'input>(pub(super) Node<'a, 'input>);

impl Source for Xml<'_, '_> {
    fn element(&self) -> &str {
        self.0.tag_name().name()
    }
    fn attribute(&self, name: &str) -> Option<&str> {
        self.0.attribute(name)
    }
    fn attributes(&self) -> BTreeMap<String, String> {
        self.0
            .attributes()
            .map(|a| (a.name().to_string(), a.value().to_string()))
            .collect()
    }
    fn children(&self) -> Vec<Self> {
        self.0
            .children()
            .filter(Node::is_element)
            .map(Xml)
            .collect()
    }
    fn line(&self) -> u32 {
        line_of(&self.0)
    }
}

impl Source for &RawFilter {
    fn element(&self) -> &str {
        &self.element
    }
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
    fn attributes(&self) -> BTreeMap<String, String> {
        self.attributes.clone()
    }
    fn children(&self) -> Vec<Self> {
        self.filters.iter().collect()
    }
    fn line(&self) -> u32 {
        0
    }
}

/// A `0`/`1` flag of a filter (`true`/`false` accepted too).
fn sflag<S: Source>(node: &S, name: &str, default: bool, item: &ItemRef) -> Result<bool, GppError> {
    match node.attribute(name).map(str::trim) {
        None | Some("") => Ok(default),
        Some("1") => Ok(true),
        Some("0") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(bad(
            node,
            item,
            format!(
                "{} has {name}=\"{}\": it must be \"0\" or \"1\"",
                node.element(),
                shorten(v)
            ),
        )),
    }
}

fn parse_list<S: Source>(node: &S, item: &ItemRef, depth: usize) -> Result<Vec<Filter>, GppError> {
    if depth > MAX_DEPTH {
        return Err(bad(
            node,
            item,
            format!("filter collections are nested more than {MAX_DEPTH} deep"),
        ));
    }
    node.children()
        .iter()
        .map(|c| parse_filter(c, item, depth))
        .collect()
}

fn bad<S: Source>(node: &S, item: &ItemRef, what: String) -> GppError {
    GppError::Invalid {
        line: node.line(),
        item: item.label(),
        what,
    }
}

fn attr<'a, S: Source>(node: &'a S, name: &str) -> &'a str {
    node.attribute(name).map(str::trim).unwrap_or_default()
}

fn parse_filter<S: Source>(node: &S, item: &ItemRef, depth: usize) -> Result<Filter, GppError> {
    let element = node.element().to_string();
    let op = match attr(node, "bool") {
        "" => BoolOp::And,
        b if b.eq_ignore_ascii_case("AND") => BoolOp::And,
        b if b.eq_ignore_ascii_case("OR") => BoolOp::Or,
        b => {
            return Err(bad(
                node,
                item,
                format!(
                    "{element} has bool=\"{}\": it must be AND or OR",
                    shorten(b)
                ),
            ));
        }
    };
    let not = sflag(node, "not", false, item)?;
    let unevaluable = |why: &str| FilterKind::Unevaluable { why: why.into() };
    let sid = || Some(attr(node, "sid").to_string()).filter(|s| !s.is_empty());
    let kind = match element.as_str() {
        "FilterCollection" => FilterKind::Collection {
            name: attr(node, "name").to_string(),
            filters: parse_list(node, item, depth + 1)?,
        },
        "FilterUser" => {
            let (name, sid) = (attr(node, "name").to_string(), sid());
            if name.is_empty() && sid.is_none() {
                return Err(bad(
                    node,
                    item,
                    "FilterUser has neither name nor sid".into(),
                ));
            }
            FilterKind::User { name, sid }
        }
        "FilterGroup" => {
            let (name, sid) = (attr(node, "name").to_string(), sid());
            if name.is_empty() && sid.is_none() {
                return Err(bad(
                    node,
                    item,
                    "FilterGroup has neither name nor sid".into(),
                ));
            }
            if !sflag(node, "userContext", true, item)? {
                unevaluable(
                    "it tests the computer account's groups (\"Computer in group\"), which only \
                     the computer's own token carries",
                )
            } else {
                FilterKind::Group {
                    name,
                    sid,
                    primary_group: sflag(node, "primaryGroup", false, item)?,
                    local_group: sflag(node, "localGroup", false, item)?,
                }
            }
        }
        "FilterComputer" => {
            let kind = match attr(node, "type") {
                "" => ComputerNameKind::NetBios,
                t if t.eq_ignore_ascii_case("NETBIOS") => ComputerNameKind::NetBios,
                t if t.eq_ignore_ascii_case("DNS") => ComputerNameKind::Dns,
                t => {
                    return Err(bad(
                        node,
                        item,
                        format!(
                            "FilterComputer type=\"{}\" must be NETBIOS or DNS",
                            shorten(t)
                        ),
                    ));
                }
            };
            FilterKind::Computer {
                kind,
                name: attr(node, "name").to_string(),
            }
        }
        "FilterDomain" => FilterKind::Domain {
            name: attr(node, "name").to_string(),
            user: sflag(node, "userContext", true, item)?,
        },
        "FilterVariable" => {
            let name = attr(node, "variableName").to_string();
            if name.is_empty() {
                return Err(bad(node, item, "FilterVariable has no variableName".into()));
            }
            FilterKind::Variable {
                name,
                value: node.attribute("value").unwrap_or("1").to_string(),
            }
        }
        "FilterRegistry" => parse_registry(node, item)?,
        "FilterIpRange" => {
            let parse = |name: &str| -> Result<IpAddr, GppError> {
                let v = attr(node, name);
                v.parse().map_err(|_| {
                    bad(
                        node,
                        item,
                        format!(
                            "FilterIpRange {name}=\"{}\" is not an IP address",
                            shorten(v)
                        ),
                    )
                })
            };
            let (min, max) = (parse("min")?, parse("max")?);
            let ordered = match (min, max) {
                (IpAddr::V4(a), IpAddr::V4(b)) => a <= b,
                (IpAddr::V6(a), IpAddr::V6(b)) => a <= b,
                _ => {
                    return Err(bad(
                        node,
                        item,
                        "FilterIpRange mixes an IPv4 and an IPv6 address".into(),
                    ));
                }
            };
            if !ordered {
                return Err(bad(
                    node,
                    item,
                    format!("FilterIpRange starts at {min}, after its end {max}"),
                ));
            }
            FilterKind::IpRange { min, max }
        }
        "FilterOs" => parse_os(node),
        "FilterLanguage" => {
            let num = |name: &str| -> Result<u16, GppError> {
                let v = attr(node, name);
                if v.is_empty() {
                    return Ok(0);
                }
                v.parse().map_err(|_| {
                    bad(
                        node,
                        item,
                        format!("FilterLanguage {name}=\"{}\" is not a number", shorten(v)),
                    )
                })
            };
            let (language, locale) = (num("language")?, num("locale")?);
            let langid = if language > 0xFF {
                language
            } else {
                (locale << 10) | language
            };
            FilterKind::Language {
                langid,
                user: sflag(node, "default", false, item)?,
                system: sflag(node, "system", false, item)?,
                native: sflag(node, "native", false, item)?,
            }
        }
        "FilterWmi" => unevaluable("WMI queries are not run by mapdrive"),
        "FilterLdap" => {
            unevaluable("LDAP queries need the directory, which mapdrive does not query")
        }
        "FilterOrgUnit" => unevaluable(
            "organizational-unit membership needs Active Directory, which mapdrive does not query",
        ),
        "FilterSite" => unevaluable("the Active Directory site needs the domain's site data"),
        "FilterRunOnce" => {
            let id = attr(node, "id").to_string();
            if id.is_empty() {
                return Err(bad(node, item, "FilterRunOnce has no id".into()));
            }
            FilterKind::RunOnce { id }
        }
        "FilterDate" | "FilterTime" => {
            unevaluable("date and time targeting would make the result change with the clock")
        }
        "FilterProcMode" => {
            unevaluable("it tests Group Policy's processing mode, which mapdrive does not have")
        }
        "FilterBattery" | "FilterPcmcia" | "FilterPortable" | "FilterCpu" | "FilterRam"
        | "FilterDisk" | "FilterFile" | "FilterMsi" | "FilterTerminal" | "FilterDun"
        | "FilterMacRange" => unevaluable("mapdrive does not evaluate this targeting type"),
        _ => unevaluable("mapdrive does not know this targeting element"),
    };
    Ok(Filter {
        op,
        not,
        element,
        line: node.line(),
        attributes: node.attributes(),
        kind,
    })
}

fn parse_registry<S: Source>(node: &S, item: &ItemRef) -> Result<FilterKind, GppError> {
    let hive_text = attr(node, "hive");
    let hive = if hive_text.is_empty() {
        Hive::LocalMachine
    } else {
        Hive::parse(hive_text).ok_or_else(|| {
            bad(
                node,
                item,
                format!(
                    "FilterRegistry hive=\"{}\" is not a registry hive",
                    shorten(hive_text)
                ),
            )
        })?
    };
    let key = attr(node, "key").trim_matches('\\').to_string();
    let value_name = node.attribute("valueName").unwrap_or_default().to_string();
    let value_type = Some(attr(node, "valueType").to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &value_type {
        let known = [
            "REG_SZ",
            "REG_EXPAND_SZ",
            "REG_MULTI_SZ",
            "REG_DWORD",
            "REG_QWORD",
            "REG_BINARY",
        ];
        if !known.iter().any(|k| k.eq_ignore_ascii_case(t)) {
            return Err(bad(
                node,
                item,
                format!(
                    "FilterRegistry valueType=\"{}\" is not a registry type",
                    shorten(t)
                ),
            ));
        }
    }
    let data = node.attribute("valueData").unwrap_or_default().to_string();
    let typ = attr(node, "type");
    let sub = attr(node, "subtype");
    let version = |name: &str| -> Result<Option<Vec<u32>>, GppError> {
        let v = attr(node, name);
        if v.is_empty() {
            return Ok(None);
        }
        parse_version(v).map(Some).ok_or_else(|| {
            bad(
                node,
                item,
                format!(
                    "FilterRegistry {name}=\"{}\" is not a version (1.2.3.4)",
                    shorten(v)
                ),
            )
        })
    };
    let test = if typ.is_empty() || typ.eq_ignore_ascii_case("KEYEXISTS") {
        RegistryMatch::KeyExists
    } else if typ.eq_ignore_ascii_case("VALUEEXISTS") {
        RegistryMatch::ValueExists
    } else if typ.eq_ignore_ascii_case("GETVALUE") {
        let variable = attr(node, "variableName").to_string();
        if variable.is_empty() {
            return Err(bad(
                node,
                item,
                "FilterRegistry GETVALUE has no variableName".into(),
            ));
        }
        RegistryMatch::GetValue { variable }
    } else if typ.eq_ignore_ascii_case("MATCHVALUE") {
        if sub.is_empty()
            || sub.eq_ignore_ascii_case("EQUALHEX")
            || sub.eq_ignore_ascii_case("EQUALDEC")
        {
            let hex = !sub.eq_ignore_ascii_case("EQUALDEC");
            let numeric = value_type.as_deref().is_some_and(|t| {
                t.eq_ignore_ascii_case("REG_DWORD") || t.eq_ignore_ascii_case("REG_QWORD")
            });
            if numeric && parse_number(&data, hex).is_none() {
                return Err(bad(
                    node,
                    item,
                    format!(
                        "FilterRegistry valueData=\"{}\" is not a {} number",
                        shorten(&data),
                        if hex { "hexadecimal" } else { "decimal" }
                    ),
                ));
            }
            RegistryMatch::Equal { data, hex }
        } else if sub.eq_ignore_ascii_case("SUBSTRING") {
            RegistryMatch::Substring { data }
        } else if sub.eq_ignore_ascii_case("VERSION") {
            RegistryMatch::Version {
                min: version("min")?,
                max: version("max")?,
                gte: sflag(node, "gte", false, item)?,
                lte: sflag(node, "lte", false, item)?,
            }
        } else {
            return Err(bad(
                node,
                item,
                format!(
                    "FilterRegistry subtype=\"{}\" must be EQUALHEX, EQUALDEC, SUBSTRING or VERSION",
                    shorten(sub)
                ),
            ));
        }
    } else {
        return Err(bad(
            node,
            item,
            format!(
                "FilterRegistry type=\"{}\" must be KEYEXISTS, VALUEEXISTS, MATCHVALUE or GETVALUE",
                shorten(typ)
            ),
        ));
    };
    Ok(FilterKind::Registry(RegistryFilter {
        hive,
        key,
        value_name,
        value_type,
        test,
    }))
}

fn parse_os<S: Source>(node: &S) -> FilterKind {
    let get = |name: &str| {
        let v = attr(node, name);
        if v.is_empty() || v.eq_ignore_ascii_case("NE") {
            None
        } else {
            Some(v)
        }
    };
    let text = ["class", "version", "type", "edition", "sp"]
        .iter()
        .filter_map(|n| get(n).map(|v| format!("{n}={v}")))
        .collect::<Vec<_>>()
        .join(" ");
    let unevaluable = |why: String| FilterKind::Unevaluable { why };
    let class_9x = match get("class") {
        None => false,
        Some(c) if c.eq_ignore_ascii_case("NT") => false,
        Some(c) if c.eq_ignore_ascii_case("9X") => true,
        Some(c) => {
            return unevaluable(format!(
                "operating system class \"{}\" is unknown",
                shorten(c)
            ));
        }
    };
    let release = match get("version") {
        None => None,
        Some(v) => {
            let table: &[(&str, Option<OsRelease>)] = &[
                ("95", None),
                ("98", None),
                ("ME", None),
                ("NT", Some((4, 0, None))),
                ("2K", Some((5, 0, None))),
                ("XP", Some((5, 1, Some(false)))),
                ("2K3", Some((5, 2, Some(true)))),
                ("2K3R2", Some((5, 2, Some(true)))),
                ("VISTA", Some((6, 0, Some(false)))),
                ("2K8", Some((6, 0, Some(true)))),
                ("WIN7", Some((6, 1, Some(false)))),
                ("2K8R2", Some((6, 1, Some(true)))),
                ("WIN8", Some((6, 2, Some(false)))),
                ("WIN8S", Some((6, 2, Some(true)))),
                ("WINBLUE", Some((6, 3, Some(false)))),
                ("WINBLUESRV", Some((6, 3, Some(true)))),
                ("WINTHRESHOLD", Some((10, 0, Some(false)))),
                ("WINTHRESHOLDSRV", Some((10, 0, Some(true)))),
            ];
            match table.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
                Some((_, r)) => Some(*r),
                None => {
                    return unevaluable(format!(
                        "operating system version \"{}\" is not one mapdrive knows",
                        shorten(v)
                    ));
                }
            }
        }
    };
    let role = match get("type") {
        None => None,
        Some(t) if t.eq_ignore_ascii_case("WS") => Some(ProductType::Workstation),
        Some(t) if t.eq_ignore_ascii_case("SV") => Some(ProductType::Server),
        Some(t) if t.eq_ignore_ascii_case("DC") => Some(ProductType::DomainController),
        Some(t) => {
            return unevaluable(format!(
                "operating system type \"{}\" is not a computer role mapdrive knows (WS, SV, DC)",
                shorten(t)
            ));
        }
    };
    if let Some(e) = get("edition") {
        return unevaluable(format!(
            "operating system edition \"{}\" is not evaluated by mapdrive",
            shorten(e)
        ));
    }
    let service_pack = match get("sp") {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("Gold") => Some(0),
        Some(s) => match s
            .strip_prefix("Service Pack ")
            .and_then(|n| n.trim().parse::<u16>().ok())
        {
            Some(n) => Some(n),
            None => {
                return unevaluable(format!("service pack \"{}\" is not understood", shorten(s)));
            }
        },
    };
    FilterKind::Os {
        release,
        role,
        service_pack,
        class_9x,
        text,
    }
}

impl fmt::Display for BoolOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BoolOp::And => "AND",
            BoolOp::Or => "OR",
        })
    }
}

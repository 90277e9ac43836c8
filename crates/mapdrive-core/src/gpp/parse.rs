//! Reading `Drives.xml`: bytes → text → the item model, refusing before anything changes.

use roxmltree::{Document, Node, ParsingOptions};

use super::error::{GppError, ItemRef};
use super::filter::{Filters, Xml, parse_filters};
use crate::domain::DriveLetter;

/// The largest `Drives.xml` accepted: 1 MiB. The editor writes about 600 bytes per item, so this
/// is far beyond any real file and keeps a wrong file (or a hostile one) from costing memory.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Most XML nodes accepted (elements, attributes and text together).
const MAX_NODES: u32 = 200_000;

/// The `clsid` of the `Drives` root element (MS-GPPREF, outer element table).
pub const DRIVES_CLSID: &str = "{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}";
/// The `clsid` of each `Drive` element (MS-GPPREF, inner element table).
pub const DRIVE_CLSID: &str = "{935D1B74-9CB8-4e3c-9914-7DD559B7A417}";

/// A GPP action (`Properties/@action`, MS-GPPREF 2.2.1.4.1). Absent means [`Action::Update`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `C`: map the letter when it is not mapped; an existing mapping is left alone, no error.
    Create,
    /// `R`: delete any mapping on the letter and create it again; the result overwrites every
    /// setting of the old mapping.
    Replace,
    /// `U` (the default): create the mapping when absent, else change only what the item
    /// defines; an empty `path` keeps the current share.
    Update,
    /// `D`: remove the mapping (and with `useLetter="0"`, every mapping from the letter to `Z:`);
    /// nothing to remove is no error.
    Delete,
}

impl Action {
    /// The action's name as the editor shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "Create",
            Action::Replace => "Replace",
            Action::Update => "Update",
            Action::Delete => "Delete",
        }
    }
}

/// `thisDrive` / `allDrives`: Explorer visibility. MS-GPPREF says only "visibility"; mapdrive
/// writes it as Windows' per-user drive hiding, the `NoDrives` bitmask
/// (`HKCU\Software\Microsoft\Windows\CurrentVersion\Policies\Explorer`, REG_DWORD, bit *n* hides
/// letter `A`+*n*, KB 158457). Hiding only removes icons from Explorer and the common file
/// dialogs; the drive stays usable. That the Drive Maps extension writes exactly this value is
/// not stated by the sources at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Visibility {
    /// `NOCHANGE` (and absent): leave the bits as they are.
    #[default]
    NoChange,
    /// `SHOW`: clear the bit(s).
    Show,
    /// `HIDE`: set the bit(s).
    Hide,
}

/// One `Drive` element.
#[derive(Clone, Debug, PartialEq)]
pub struct DriveItem {
    /// 0-based position in the file.
    pub index: usize,
    /// How messages name it (name, uid, line).
    pub item: ItemRef,
    /// `desc`: the Common tab's description.
    pub desc: Option<String>,
    /// `disabled="1"`: the client does not process the item.
    pub disabled: bool,
    /// `bypassErrors`: `true` (`"1"`, and mapdrive's reading of an absent attribute, matching the
    /// Common tab's default) = a failure of this item does not stop the others; `false` = it
    /// stops the remaining items of the file ("Stop processing items in this extension if an
    /// error occurs on this item").
    pub bypass_errors: bool,
    /// `removePolicy="1"`: "Remove this item when it is no longer applied".
    pub remove_policy: bool,
    /// `userContext="1"`: "Run in logged-on user's security context". Drive Maps always run as
    /// the user (the extension impersonates the user's token), so this changes nothing.
    pub user_context: bool,
    /// `Properties/@action`.
    pub action: Action,
    /// `path` as written (variables not expanded); empty = keep the current share (Update).
    pub path: String,
    /// `label` as written (variables not expanded); empty = none given.
    pub label: String,
    /// `letter`: the letter, or the start of the range when `use_letter` is false.
    pub letter: DriveLetter,
    /// `useLetter="1"`: exactly `letter`; `"0"`: the first available from `letter` up to `Z:`
    /// (for Delete: every mapped drive from `letter` through `Z:`).
    pub use_letter: bool,
    /// `persistent="1"`: reconnect at logon (remembered in `HKCU\Network`).
    pub persistent: bool,
    /// `thisDrive`: visibility of the mapped letter.
    pub this_drive: Visibility,
    /// `allDrives`: visibility of all 26 letters.
    pub all_drives: Visibility,
    /// `userName` (connect as this account). Never with a password: files with a `cpassword`
    /// are refused by [`parse`].
    pub user_name: Option<String>,
    /// `Filters` (item-level targeting); empty = applies to everyone.
    pub filters: Filters,
}

/// A parsed `Drives.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct DriveMaps {
    /// `disabled="1"` on the `Drives` root: no item is processed.
    pub disabled: bool,
    /// The `Drive` items, in file order.
    pub items: Vec<DriveItem>,
}

/// Decodes the bytes of a `Drives.xml`: UTF-8 (with or without a BOM), UTF-16LE or UTF-16BE
/// with a BOM, as the Group Policy editor and Notepad write it. Refuses inputs larger than
/// [`MAX_FILE_BYTES`].
pub fn decode(bytes: &[u8]) -> Result<String, GppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(GppError::TooLarge {
            len: bytes.len(),
            max: MAX_FILE_BYTES,
        });
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.len() >= 2 && (bytes[0] == 0 || bytes[1] == 0) {
        return Err(GppError::Encoding {
            why: "it looks like UTF-16 without a byte-order mark".into(),
        });
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, GppError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            Err(GppError::Encoding {
                why: format!(
                    "line {line} has a byte sequence that is not UTF-8 (byte offset {}); \
                     was it saved in a legacy code page?",
                    e.valid_up_to()
                ),
            })
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, GppError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(GppError::Encoding {
            why: "it has a UTF-16 byte-order mark but an odd number of bytes".into(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for ch in char::decode_utf16(units) {
        match ch {
            Ok(c) => out.push(c),
            Err(_) => {
                let line = 1 + out.matches('\n').count();
                return Err(GppError::Encoding {
                    why: format!("line {line} has an unpaired UTF-16 surrogate"),
                });
            }
        }
    }
    Ok(out)
}

/// Reads a `Drives.xml` from its bytes: [`decode`], then [`parse_str`].
pub fn parse(bytes: &[u8]) -> Result<DriveMaps, GppError> {
    parse_str(&decode(bytes)?)
}

/// Parses the text of a `Drives.xml`. Refuses, naming the line: XML that is not well-formed
/// (a DTD too: files written by the editor have none), a root other than `Drives`, elements a
/// Drive Maps file does not have, an unknown `action`, a `letter` outside `A`–`Z`, flags other
/// than `0`/`1`, visibility other than `NOCHANGE|SHOW|HIDE`, a Create/Replace item without a
/// path, and any non-empty `cpassword` (checked first, for the whole file). Filters mapdrive
/// cannot evaluate are *not* refused here: see [`DriveMaps::unevaluable`].
pub fn parse_str(text: &str) -> Result<DriveMaps, GppError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(GppError::TooLarge {
            len: text.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| xml_error(text, &e))?;
    let root = doc.root_element();
    let root_name = root.tag_name().name();
    if root_name != "Drives" {
        return Err(GppError::UnknownRoot {
            line: line_of(&root),
            found: root_name.to_string(),
            hint: root_hint(root_name),
        });
    }
    refuse_cpasswords(&root)?;
    if let Some(clsid) = root.attribute("clsid")
        && !clsid.eq_ignore_ascii_case(DRIVES_CLSID)
    {
        return Err(GppError::Invalid {
            line: line_of(&root),
            item: String::new(),
            what: format!(
                "the Drives element has clsid {clsid}, not the Drive Maps clsid {DRIVES_CLSID}"
            ),
        });
    }
    let disabled = flag(&root, "disabled", false, "")?;
    let mut items = Vec::new();
    for child in root.children().filter(Node::is_element) {
        if child.tag_name().name() != "Drive" {
            return Err(GppError::Invalid {
                line: line_of(&child),
                item: String::new(),
                what: format!(
                    "unexpected element <{}> in <Drives>: a Drive Maps file holds only <Drive> items",
                    child.tag_name().name()
                ),
            });
        }
        items.push(parse_item(&child, items.len())?);
    }
    Ok(DriveMaps { disabled, items })
}

impl DriveMaps {
    /// Every filter mapdrive cannot evaluate (FilterWmi, FilterLdap, FilterOrgUnit, FilterSite,
    /// unknown elements, …), with its item, in file order. The caller refuses the file
    /// (`GppError::Unevaluable`, exit 2) or, when told to skip, treats those items as not
    /// applicable ([`super::UnevaluablePolicy`]).
    pub fn unevaluable(&self) -> Vec<super::UnevaluableFilter> {
        let mut out = Vec::new();
        for item in &self.items {
            for f in item.filters.unevaluable() {
                out.push(super::UnevaluableFilter {
                    item: item.item.clone(),
                    element: f.element.clone(),
                    line: f.line,
                    why: f.unevaluable_reason().unwrap_or_default().to_string(),
                });
            }
        }
        out
    }
}

impl DriveMaps {
    /// [`GppError::Unevaluable`] when the file holds filters mapdrive cannot evaluate: what
    /// `gpp convert` and a refusing `apply` say before anything changes.
    pub fn refuse_unevaluable(&self) -> Result<(), GppError> {
        let filters = self.unevaluable();
        if filters.is_empty() {
            Ok(())
        } else {
            Err(GppError::Unevaluable { filters })
        }
    }
}

/// 1-based line of a node's start.
pub(super) fn line_of(node: &Node<'_, '_>) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

fn xml_error(text: &str, e: &roxmltree::Error) -> GppError {
    let pos = e.pos();
    let detail = if text.to_ascii_lowercase().contains("cpassword") {
        "details withheld because the file contains a cpassword attribute, whose value mapdrive \
         never prints"
            .to_string()
    } else {
        e.to_string().replace(&format!(" at {pos}"), "")
    };
    GppError::Xml {
        line: pos.row,
        column: pos.col,
        detail,
    }
}

fn root_hint(name: &str) -> String {
    let other = [
        (
            "DriveMapSettings",
            "a Group Policy report (gpresult, Get-GPOReport)",
        ),
        ("Printers", "a Printers preference file"),
        ("Shortcuts", "a Shortcuts preference file"),
        ("Files", "a Files preference file"),
        ("Folders", "a Folders preference file"),
        ("Groups", "a Local Users and Groups preference file"),
        ("RegistrySettings", "a Registry preference file"),
        ("EnvironmentVariables", "an Environment preference file"),
        ("ScheduledTasks", "a Scheduled Tasks preference file"),
        ("NTServices", "a Services preference file"),
        ("DataSources", "a Data Sources preference file"),
        ("IniFiles", "an Ini Files preference file"),
    ];
    match other.iter().find(|(n, _)| *n == name) {
        Some((_, what)) => format!(
            " (it looks like {what}); use the Drives.xml from the GPO's \
             User\\Preferences\\Drives folder in SYSVOL"
        ),
        None => String::new(),
    }
}

fn item_ref(node: &Node<'_, '_>) -> ItemRef {
    ItemRef {
        name: node.attribute("name").unwrap_or_default().to_string(),
        uid: node
            .attribute("uid")
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        line: line_of(node),
    }
}

/// Finds every non-empty `cpassword` in the file, before anything else is looked at, and
/// refuses naming the items (never the value).
fn refuse_cpasswords(root: &Node<'_, '_>) -> Result<(), GppError> {
    let mut items: Vec<ItemRef> = Vec::new();
    for node in root.descendants().filter(Node::is_element) {
        let has = node
            .attributes()
            .any(|a| a.name().eq_ignore_ascii_case("cpassword") && !a.value().trim().is_empty());
        if !has {
            continue;
        }
        let owner = node
            .ancestors()
            .find(|a| a.is_element() && a.tag_name().name() == "Drive")
            .map(|d| item_ref(&d))
            .unwrap_or_else(|| ItemRef {
                name: node.tag_name().name().to_string(),
                uid: None,
                line: line_of(&node),
            });
        if !items.contains(&owner) {
            items.push(owner);
        }
    }
    if items.is_empty() {
        Ok(())
    } else {
        Err(GppError::CPassword { items })
    }
}

fn invalid(node: &Node<'_, '_>, item: &ItemRef, what: String) -> GppError {
    GppError::Invalid {
        line: line_of(node),
        item: item.label(),
        what,
    }
}

/// A `0`/`1` flag (`true`/`false` accepted too, as xs:boolean allows).
pub(super) fn flag(
    node: &Node<'_, '_>,
    name: &str,
    default: bool,
    item: &str,
) -> Result<bool, GppError> {
    match node.attribute(name).map(str::trim) {
        None | Some("") => Ok(default),
        Some("1") => Ok(true),
        Some("0") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(GppError::Invalid {
            line: line_of(node),
            item: item.to_string(),
            what: format!("{name}=\"{}\" must be \"0\" or \"1\"", shorten(v)),
        }),
    }
}

/// A value quoted in a message, cut to a readable length.
pub(super) fn shorten(v: &str) -> String {
    const MAX: usize = 60;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        format!("{}…", v.chars().take(MAX).collect::<String>())
    }
}

fn parse_item(node: &Node<'_, '_>, index: usize) -> Result<DriveItem, GppError> {
    let item = item_ref(node);
    let label = item.label();
    if let Some(clsid) = node.attribute("clsid")
        && !clsid.eq_ignore_ascii_case(DRIVE_CLSID)
    {
        return Err(invalid(
            node,
            &item,
            format!("clsid {clsid} is not the Drive Maps item clsid {DRIVE_CLSID}"),
        ));
    }
    let disabled = flag(node, "disabled", false, &label)?;
    let bypass_errors = flag(node, "bypassErrors", true, &label)?;
    let remove_policy = flag(node, "removePolicy", false, &label)?;
    let user_context = flag(node, "userContext", false, &label)?;

    let mut props = None;
    let mut filters = Filters::default();
    let mut seen_filters = false;
    for child in node.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "Properties" if props.is_none() => props = Some(child),
            "Filters" if !seen_filters => {
                seen_filters = true;
                filters = parse_filters(&Xml(child), &item)?;
            }
            other => {
                return Err(invalid(
                    &child,
                    &item,
                    format!(
                        "unexpected element <{other}>: a Drive item holds one <Properties> and at \
                         most one <Filters>"
                    ),
                ));
            }
        }
    }
    let Some(p) = props else {
        return Err(invalid(
            node,
            &item,
            "the item has no <Properties> element".into(),
        ));
    };

    let action = match p.attribute("action").map(str::trim) {
        None | Some("") => Action::Update,
        Some(a) if a.eq_ignore_ascii_case("C") => Action::Create,
        Some(a) if a.eq_ignore_ascii_case("R") => Action::Replace,
        Some(a) if a.eq_ignore_ascii_case("U") => Action::Update,
        Some(a) if a.eq_ignore_ascii_case("D") => Action::Delete,
        Some(a) => {
            return Err(invalid(
                &p,
                &item,
                format!(
                    "unknown action \"{}\": Drive Maps actions are C (Create), R (Replace), \
                     U (Update) and D (Delete)",
                    shorten(a)
                ),
            ));
        }
    };
    let letter_text = p.attribute("letter").map(str::trim).unwrap_or_default();
    let letter = match letter_text.as_bytes() {
        [b] | [b, b':'] => DriveLetter::from_byte(*b),
        _ => None,
    };
    let Some(letter) = letter else {
        return Err(invalid(
            &p,
            &item,
            format!(
                "letter=\"{}\" is not a drive letter: give one letter from A to Z",
                shorten(letter_text)
            ),
        ));
    };
    let use_letter = flag(&p, "useLetter", true, &label)?;
    let persistent = flag(&p, "persistent", false, &label)?;
    let this_drive = visibility(&p, "thisDrive", &item)?;
    let all_drives = visibility(&p, "allDrives", &item)?;
    let path = p.attribute("path").unwrap_or_default().trim().to_string();
    let text_label = p.attribute("label").unwrap_or_default().to_string();
    let user_name = p
        .attribute("userName")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);

    if path.is_empty() && matches!(action, Action::Create | Action::Replace) {
        return Err(invalid(
            &p,
            &item,
            format!(
                "action {} needs a path (\\\\server\\share): only Update (change an existing \
                 mapping) and Delete work without one",
                action.as_str()
            ),
        ));
    }
    if path.is_empty() && action == Action::Update && !use_letter {
        return Err(invalid(
            &p,
            &item,
            "Update without a path changes the mapping on one letter: set useLetter=\"1\"".into(),
        ));
    }

    Ok(DriveItem {
        index,
        item,
        desc: node
            .attribute("desc")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        disabled,
        bypass_errors,
        remove_policy,
        user_context,
        action,
        path,
        label: text_label,
        letter,
        use_letter,
        persistent,
        this_drive,
        all_drives,
        user_name,
        filters,
    })
}

fn visibility(p: &Node<'_, '_>, name: &str, item: &ItemRef) -> Result<Visibility, GppError> {
    match p.attribute(name).map(str::trim) {
        None | Some("") => Ok(Visibility::NoChange),
        Some(v) if v.eq_ignore_ascii_case("NOCHANGE") => Ok(Visibility::NoChange),
        Some(v) if v.eq_ignore_ascii_case("SHOW") => Ok(Visibility::Show),
        Some(v) if v.eq_ignore_ascii_case("HIDE") => Ok(Visibility::Hide),
        Some(v) => Err(invalid(
            p,
            item,
            format!("{name}=\"{}\" must be NOCHANGE, SHOW or HIDE", shorten(v)),
        )),
    }
}

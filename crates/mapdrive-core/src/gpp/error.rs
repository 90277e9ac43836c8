//! Why a `Drives.xml` is refused. Every refusal happens before anything changes; the front-end
//! maps all of them to exit code 2. No message ever contains a `cpassword` value.

use std::fmt;

/// Names one `Drive` item in messages: its `name` (the letter with colon, as the editor writes
/// it), its `uid` when present, and the line of its `Drive` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRef {
    /// The item's `name` attribute (`"H:"`), or empty when absent.
    pub name: String,
    /// The item's `uid` attribute (`{GUID}`), when present.
    pub uid: Option<String>,
    /// 1-based line of the `Drive` element (0: not from a file).
    pub line: u32,
}

impl ItemRef {
    /// `Drive item "H:" (uid {…})`, without the line.
    pub fn label(&self) -> String {
        let mut s = if self.name.is_empty() {
            "Drive item".to_string()
        } else {
            format!("Drive item \"{}\"", self.name)
        };
        if let Some(uid) = &self.uid {
            s.push_str(&format!(" (uid {uid})"));
        }
        s
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())?;
        if self.line > 0 {
            write!(f, " at line {}", self.line)?;
        }
        Ok(())
    }
}

/// A targeting filter mapdrive cannot evaluate (WMI, LDAP, OU, site, an unknown element, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnevaluableFilter {
    /// The item that carries the filter.
    pub item: ItemRef,
    /// The filter's element name (`FilterWmi`).
    pub element: String,
    /// 1-based line of the filter element.
    pub line: u32,
    /// Why it cannot be evaluated here.
    pub why: String,
}

impl fmt::Display for UnevaluableFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.element)?;
        if self.line > 0 {
            write!(f, " at line {}", self.line)?;
        }
        write!(f, " cannot be evaluated by mapdrive: {}", self.why)
    }
}

/// A `Drives.xml` mapdrive refuses as a whole.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum GppError {
    /// Larger than [`super::MAX_FILE_BYTES`].
    #[error(
        "the file is {len} bytes; a Drives.xml larger than {max} bytes is refused (the Group Policy \
         editor writes a few kilobytes for dozens of items): check that this is the right file"
    )]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// Not UTF-8 and not UTF-16 with a byte-order mark.
    #[error(
        "the file is not readable text: {why}. The Group Policy editor writes UTF-8 (or UTF-16 \
         with a byte-order mark); save the file in one of those encodings"
    )]
    Encoding {
        /// What was wrong, with the line when known.
        why: String,
    },
    /// Not well-formed XML.
    #[error("the file is not well-formed XML: line {line}, column {column}: {detail}")]
    Xml {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What the XML parser found (withheld when the file contains a `cpassword`).
        detail: String,
    },
    /// The root element is not `Drives`.
    #[error(
        "line {line}: the root element is <{found}>, not <Drives>: this is not a Group Policy \
         Drive Maps file{hint}"
    )]
    UnknownRoot {
        /// 1-based line of the root element.
        line: u32,
        /// Its name.
        found: String,
        /// A hint for known look-alikes (reports, other preference files).
        hint: String,
    },
    /// One or more items carry a `cpassword` (MS14-025).
    #[error(
        "{} carr{} a cpassword: a password stored in Group Policy Preferences is readable by every \
         domain user (MS14-025: the AES key that decrypts it is published), so mapdrive refuses \
         the whole file and never decrypts or prints it. Treat that password as compromised: \
         change it, save the new one with a Mapdrive/Credential resource (a securestring \
         parameter) or `mapdrive cred set`, then remove userName and cpassword from the item",
        list(.items), if .items.len() == 1 { "ies" } else { "y" }
    )]
    CPassword {
        /// The items (never the value).
        items: Vec<ItemRef>,
    },
    /// An attribute or element with a meaning mapdrive does not know or a value out of range.
    #[error("{}", invalid_text(*.line, .item, .what))]
    Invalid {
        /// 1-based line of the offending element (0: not from a file).
        line: u32,
        /// The item it belongs to ([`ItemRef::label`]: `Drive item "H:" (uid …)`), or empty at
        /// file level.
        item: String,
        /// What is wrong and what to do.
        what: String,
    },
    /// Filters mapdrive cannot evaluate, and the caller chose to refuse them.
    #[error(
        "{}; mapdrive refuses the whole file rather than guess. Remove or replace these filters, \
         or use --unevaluable-filters skip to treat their items as not applicable",
        list(.filters)
    )]
    Unevaluable {
        /// Each filter, with its item.
        filters: Vec<UnevaluableFilter>,
    },
}

fn invalid_text(line: u32, item: &str, what: &str) -> String {
    match (line > 0, item.is_empty()) {
        (true, true) => format!("line {line}: {what}"),
        (true, false) => format!("line {line}, {item}: {what}"),
        (false, true) => what.to_string(),
        (false, false) => format!("{item}: {what}"),
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

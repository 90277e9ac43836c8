//! Group Policy Preferences **Drive Maps** (`Drives.xml`), the pure part: parsing, item-level
//! targeting, preference variables and what each item decides. Nothing here calls Windows or
//! the port: the caller reads the facts once ([`TargetingFacts`], a [`RegistryLookup`], a
//! [`DriveState`]) and applies the [`RunPlan`] with the engine.
//!
//! What Windows does, and what this module does (MS-GPPREF 2.2.1.4 Drive Maps, the GPMC help):
//!
//! - The Group Policy editor writes `<gpo>\User\Preferences\Drives\Drives.xml`: a `Drives` root
//!   with one `Drive` element per item, each with a `Properties` child (action, path, letter, …)
//!   and optional `Filters` (item-level targeting). The Drive Maps client-side extension reads it
//!   at logon and applies the items for the user. [`parse`] reads such a file (UTF-8, or UTF-16
//!   with a byte-order mark, as the editor writes it) and refuses, with the line number and
//!   before anything changes, what mapdrive must not guess about: bad XML, another root, an
//!   unknown `action`, a letter outside `A`–`Z`, and any `cpassword` (MS14-025).
//! - [`Filters`] evaluate left to right ([`evaluate`]): each filter after the first is combined
//!   with the value so far by its own `bool` (`AND`/`OR`), `not="1"` inverts a filter or a whole
//!   `FilterCollection`. A false result says which rule said no.
//! - `%LogonUser%`, `%LogonDomain%`, `%ComputerName%`, … and environment variables in `path`
//!   and `label` are expanded by [`expand`]; an unknown variable is an error for that item.
//! - [`plan`] walks the items in the processing order, with the GPP action semantics
//!   (Create/Replace/Update/Delete), first-available letters, `removePolicy` history and
//!   Explorer's `NoDrives` bits, and returns one [`Decision`] per item.

mod decide;
mod error;
mod filter;
mod parse;
mod vars;

pub use decide::{
    AppliedItem, AppliedRecord, Decision, DriveState, ItemOutcome, LetterState, NoDrivesChange,
    PlanOptions, ProcessingOrder, RemovalOutcome, RunPlan, UnevaluablePolicy, no_drives_bit, plan,
};
pub use error::{GppError, ItemRef, UnevaluableFilter};
pub use filter::{
    BoolOp, ComputerNameKind, Filter, FilterKind, Filters, Hive, InMemoryRegistry, LanguageFacts,
    OsFacts, OsRelease, ProductType, RawFilter, RegValue, RegistryFilter, RegistryLookup,
    RegistryMatch, TargetingFacts, TokenGroup, Verdict, evaluate,
};
pub use parse::{
    Action, DRIVE_CLSID, DRIVES_CLSID, DriveItem, DriveMaps, MAX_FILE_BYTES, Visibility, decode,
    parse, parse_str,
};
pub use vars::{VariableError, expand};

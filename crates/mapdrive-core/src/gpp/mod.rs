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
//!
//! ```
//! use mapdrive_core::gpp::{
//!     AppliedRecord, Decision, DriveState, InMemoryRegistry, PlanOptions, TargetingFacts, parse,
//!     plan,
//! };
//!
//! let xml = br#"<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">
//!   <Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="H:" uid="{1}" removePolicy="1">
//!     <Properties action="U" path="\\files\home$\%LogonUser%" label="Home" persistent="1"
//!                 useLetter="1" letter="H"/>
//!     <Filters><FilterGroup bool="AND" not="0" name="CORP\Staff"/></Filters>
//!   </Drive>
//! </Drives>"#;
//! let maps = parse(xml)?; // refusals (exit 2) happen here, before anything changes
//! let facts = TargetingFacts {
//!     user_name: "alice".into(),
//!     user_domain: "CORP".into(),
//!     joined_to_user_domain: true,
//!     ..TargetingFacts::default()
//! };
//! let run = plan(
//!     &maps,
//!     &facts,
//!     &InMemoryRegistry::new(),
//!     &DriveState::default(),
//!     &AppliedRecord::default(),
//!     &PlanOptions::default(),
//! )?;
//! assert_eq!(
//!     run.items[0].decision,
//!     Decision::NotApplicable { reason: r"FilterGroup CORP\Staff: user is not a member".into() }
//! );
//! # Ok::<(), mapdrive_core::gpp::GppError>(())
//! ```

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
    BoolOp, ComputerNameKind, EvalContext, Filter, FilterKind, Filters, Hive, InMemoryRegistry,
    LanguageFacts, OsFacts, OsRelease, ProductType, RawFilter, RegValue, RegistryFilter,
    RegistryLookup, RegistryMatch, TargetingFacts, TokenGroup, Verdict, evaluate,
};
pub use parse::{
    Action, DRIVE_CLSID, DRIVES_CLSID, DriveItem, DriveMaps, MAX_FILE_BYTES, Visibility, decode,
    parse, parse_str,
};
pub use vars::{VariableError, expand};

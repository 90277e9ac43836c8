//! Preference variables in `path` and `label` (GPMC help "Variables in Preference Items").
//!
//! The preference client defines process variables (`%LogonUser%`, `%LogonDomain%`,
//! `%ComputerName%`, …) beside the user's environment variables; names compare without regard
//! to case. mapdrive expands the ones whose value is a fact of the run, refuses the ones that
//! change on every run (`%DateTime%`, `%CurrentProcessId%`, …) and makes an unknown name an
//! error for that item rather than a literal path.

use super::filter::{TargetingFacts, lookup};

/// Why a `path` or `label` could not be expanded. The item is not applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VariableError {
    /// Neither a preference variable nor one of the user's environment variables.
    #[error(
        "%{name}% is neither a Group Policy preference variable nor an environment variable of \
         this user: check the spelling (names are not case sensitive), or define the variable"
    )]
    Unknown {
        /// The name without `%`.
        name: String,
    },
    /// A variable whose value changes with every run; a drive cannot depend on it.
    #[error(
        "%{name}% changes on every run (time, process, last error), so a drive's path or label \
         cannot depend on it"
    )]
    Unstable {
        /// The name without `%`.
        name: String,
    },
    /// A preference variable mapdrive knows but has no value for here.
    #[error("%{name}% has no value here: {why}")]
    Unavailable {
        /// The name without `%`.
        name: String,
        /// Why.
        why: String,
    },
    /// A `%` without its closing `%`.
    #[error("the '%' at character {position} has no closing '%': variables are written %Name%")]
    Unpaired {
        /// 1-based character position.
        position: usize,
    },
}

const UNSTABLE: &[&str] = &[
    "DateTime",
    "DateTimeEx",
    "LocalTime",
    "LocalTimeEx",
    "TimeStamp",
    "CurrentProcessId",
    "CurrentThreadId",
    "LastError",
    "LastErrorText",
    "ResultCode",
    "ResultText",
    "TraceFile",
];

const NOT_COMPUTED: &[&str] = &[
    "BinaryComputerSid",
    "BinaryUserSid",
    "LdapComputerSid",
    "LdapUserSid",
    "ReversedComputerSid",
    "ReversedUserSid",
    "MacAddress",
    "OsVersion",
    "GroupPolicyVersion",
    "LogonServerSid",
];

const FOLDERS: &[(&str, Option<&str>)] = &[
    ("AppDataDir", Some("APPDATA")),
    ("CommonAppdataDir", Some("ProgramData")),
    ("ProgramFilesDir", Some("ProgramFiles")),
    ("TempDir", Some("TEMP")),
    ("SystemDrive", Some("SystemDrive")),
    ("WindowsDir", Some("SystemRoot")),
    ("DesktopDir", None),
    ("FavoritesDir", None),
    ("NetPlacesDir", None),
    ("ProgramsDir", None),
    ("RecentDocumentsDir", None),
    ("SendToDir", None),
    ("StartMenuDir", None),
    ("StartUpDir", None),
    ("CommonDesktopDir", None),
    ("CommonFavoritesDir", None),
    ("CommonProgramsDir", None),
    ("CommonStartMenuDir", None),
    ("CommonStartUpDir", None),
];

fn nonempty(name: &str, value: &str, what: &str) -> Result<String, VariableError> {
    if value.is_empty() {
        Err(VariableError::Unavailable {
            name: name.to_string(),
            why: format!("{what} is not known for this session"),
        })
    } else {
        Ok(value.to_string())
    }
}

/// The value of a preference process variable, `None` when `name` is not one.
fn preference(name: &str, facts: &TargetingFacts) -> Option<Result<String, VariableError>> {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    let value = if is("LogonUser") {
        nonempty(name, &facts.user_name, "the user's name")
    } else if is("LogonDomain") {
        nonempty(name, &facts.user_domain, "the user's logon domain")
    } else if is("LogonServer") {
        nonempty(name, &facts.logon_server, "the logon server")
    } else if is("LogonUserSid") {
        nonempty(name, &facts.user_sid, "the user's SID")
    } else if is("ComputerName") {
        nonempty(name, &facts.computer_netbios, "the computer's NetBIOS name")
    } else if is("DomainName") {
        nonempty(name, &facts.computer_domain, "the computer's domain")
    } else if is("SystemDir") {
        match facts.env("SystemRoot").or_else(|| facts.env("windir")) {
            Some(w) => Ok(format!("{}\\System32", w.trim_end_matches('\\'))),
            None => nonempty(name, "", "the Windows folder"),
        }
    } else if UNSTABLE.iter().any(|n| is(n)) {
        Err(VariableError::Unstable {
            name: name.to_string(),
        })
    } else if NOT_COMPUTED.iter().any(|n| is(n)) {
        Err(VariableError::Unavailable {
            name: name.to_string(),
            why: "mapdrive does not compute this preference variable; write the value itself"
                .into(),
        })
    } else if let Some((canonical, env)) = FOLDERS.iter().find(|(n, _)| is(n)) {
        match lookup(&facts.folders, canonical).or_else(|| env.and_then(|e| facts.env(e))) {
            Some(v) => Ok(v.to_string()),
            None => nonempty(name, "", "this folder"),
        }
    } else {
        return None;
    };
    Some(value)
}

/// Expands `%Name%` variables in a `path` or `label`, as the preference client does:
/// preference process variables first (`%LogonUser%`, `%LogonDomain%`, `%LogonServer%`,
/// `%LogonUserSid%`, `%ComputerName%`, `%DomainName%`, the folder variables such as
/// `%AppDataDir%`, `%SystemDir%`, `%WindowsDir%`, `%TempDir%`), then variables stored by an
/// earlier `FilterRegistry type="GETVALUE"` (`captured`), then the user's environment
/// ([`TargetingFacts::environment`]). Names compare without regard to case. Text without `%`
/// is returned as it is.
pub fn expand(
    text: &str,
    facts: &TargetingFacts,
    captured: &[(String, String)],
) -> Result<String, VariableError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0usize;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let position = consumed + rest[..start].chars().count() + 1;
        let Some(end) = after.find('%') else {
            return Err(VariableError::Unpaired { position });
        };
        let name = &after[..end];
        if name.is_empty() || name.contains('\\') {
            return Err(VariableError::Unpaired { position });
        }
        let value = match preference(name, facts) {
            Some(v) => v?,
            None => match lookup(captured, name).or_else(|| facts.env(name)) {
                Some(v) => v.to_string(),
                None => {
                    return Err(VariableError::Unknown {
                        name: name.to_string(),
                    });
                }
            },
        };
        out.push_str(&value);
        consumed += rest[..start + 1 + end + 1].chars().count();
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

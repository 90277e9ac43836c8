//! Errors: bad input, Win32 failures (with name, meaning and remedy) and refusals.

use schemars::JsonSchema;
use serde::Serialize;
use thiserror::Error;

/// Input that was rejected before anything was touched.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Not a drive letter.
    #[error("invalid drive letter {}: give one letter A-Z, with or without a colon (Z or Z:)", shown_letter(.0))]
    DriveLetter(String),
    /// Not a usable remote path.
    #[error("invalid remote path {}: {why}", shown_path(input))]
    RemotePath {
        /// What was given.
        input: String,
        /// Why it was rejected.
        why: String,
    },
    /// A field failed validation.
    #[error("invalid {what}: {why}")]
    Field {
        /// Field name.
        what: &'static str,
        why: String,
    },
    /// A value is not one of the choices.
    #[error("invalid {what} \"{input}\": choose one of {choices}")]
    Choice {
        /// Field name.
        what: &'static str,
        /// What was given.
        input: String,
        /// Allowed values.
        choices: &'static str,
    },
    /// A secret longer than a credential blob.
    #[error("the secret is too long: a credential holds at most {max_bytes} bytes of UTF-16 ({} characters)", max_bytes / 2)]
    SecretTooLong {
        /// Limit in bytes.
        max_bytes: usize,
    },
    /// Options that do not go together.
    #[error("{0}")]
    Conflict(String),
    /// The command line could not be parsed (built without repeating what was typed).
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do (usage line, suggestion).
        remedy: String,
    },
}

/// A rejected drive letter as typed, unless it could be a secret typed in the wrong place
/// (`map Pa55! \\srv\share`): short text and paths are shown, anything else is not repeated.
fn shown_letter(input: &str) -> String {
    if input.chars().count() <= 3 || input.starts_with("\\\\") {
        format!("\"{input}\"")
    } else {
        "(not repeated here: it could be a secret)".into()
    }
}

/// A rejected remote path as typed when it looks like one (`\\...`, `//...`); anything else could
/// be a password given where the path goes (`map M: Pa55!`) and is not repeated.
fn shown_path(input: &str) -> String {
    if input.starts_with("\\\\") || input.starts_with("//") {
        input.to_string()
    } else {
        "(not repeated here: it does not start with \\\\server, and could be a secret)".into()
    }
}

/// One entry of the Win32 error catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Numeric code.
    pub code: u32,
    /// `ERROR_*` name.
    pub name: &'static str,
    /// What it means for mapped drives.
    pub meaning: &'static str,
    /// What to do.
    pub remedy: &'static str,
}

/// Defines the catalog and, for every entry, a constant named as Windows names the code
/// (`ERROR_ACCESS_DENIED`), so code that matches on a Win32 error names it once, here.
macro_rules! catalog {
    ($($name:ident = $code:literal, $meaning:literal $remedy:literal;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "` (", stringify!($code), "): ", $meaning, ".")]
            pub const $name: u32 = $code;
        )*

        /// Every Win32 code mapdrive explains.
        pub const CATALOG: &[ErrorInfo] = &[$(ErrorInfo { code: $code, name: stringify!($name), meaning: $meaning, remedy: $remedy }),*];
    };
}

catalog! {
    ERROR_ACCESS_DENIED = 5, "the server or share refused this account, or the operation needs another token (elevated vs limited)"
        "check the share and NTFS permissions for the account; save a credential for the server with `mapdrive cred set SERVER --user DOMAIN\\user --secret-stdin`, or map with --user";
    ERROR_PATH_NOT_FOUND = 3, "the system cannot find the path specified: a registry key, directory or device path does not exist"
        "check the path; `mapdrive list` shows the drives and `mapdrive doctor` explains what is missing";
    ERROR_FILE_NOT_FOUND = 2, "the registry key, value or device does not exist"
        "nothing to remove; `mapdrive list` shows what exists";
    ERROR_INVALID_HANDLE = 6, "a handle was invalid" "report this as a mapdrive bug, with the command line";
    ERROR_NOT_ENOUGH_MEMORY = 8, "not enough memory (Wine also answers this when HKCU\\Network does not exist)"
        "retry; under Wine this means nothing is remembered";
    ERROR_NOT_SUPPORTED = 50, "the network provider does not support this request" "use another provider or operation";
    ERROR_BAD_NETPATH = 53, "the network path was not found: the server name does not resolve or does not answer"
        "check the server name (ping it, try its FQDN or IP address) and that the Workstation service and file sharing are running";
    ERROR_NETNAME_DELETED = 64, "the network session was dropped during the operation" "retry; check the network and the server";
    ERROR_BAD_DEV_TYPE = 66, "the device type does not match the remote resource" "map a disk share to a drive letter";
    ERROR_BAD_NET_NAME = 67, "the network name cannot be found: the share does not exist on that server"
        "check the share name (`net view \\\\server` lists them)";
    ERROR_ALREADY_ASSIGNED = 85, "the drive letter is already in use in this logon session"
        "unmap it first (`mapdrive unmap L:`) or choose another letter";
    ERROR_INVALID_PASSWORD = 86, "the network password is not correct"
        "give the right password; if a saved credential is used, update it with `mapdrive cred set SERVER --user ... --secret-stdin`";
    ERROR_INVALID_PARAMETER = 87, "a parameter was rejected by Windows" "report this as a mapdrive bug, with the command line";
    ERROR_USER_PROFILE_LOAD = 500, "the user's profile is not loaded (there is no HKEY_USERS\\<SID>), so HKEY_CURRENT_USER would be HKEY_USERS\\.DEFAULT, shared by every such process: mapdrive does not write there"
        "log on once as that user (interactively or over RDP) so that the profile exists, and run mapdrive where it is loaded: a scheduled task whose settings load the profile, or a service that calls LoadUserProfile";
    ERROR_MORE_DATA = 234, "more data is available" "internal: mapdrive retries with a larger buffer";
    ERROR_NO_MORE_ITEMS = 259, "no more items" "internal: end of an enumeration";
    ERROR_INVALID_FLAGS = 1004, "invalid flags" "report this as a mapdrive bug";
    ERROR_NO_TOKEN = 1008, "the thread has no impersonation token" "report this as a mapdrive bug";
    ERROR_KEY_DELETED = 1018, "the registry key was deleted while it was being read (another program changed it)"
        "run the command again";
    ERROR_NOT_FOUND = 1168, "element not found" "nothing to do: the entry does not exist";
    ERROR_BAD_DEVICE = 1200, "the device name is invalid" "give a drive letter such as Z:";
    ERROR_CONNECTION_UNAVAIL = 1201, "the drive is remembered but not connected in this logon session"
        "reconnect it with `mapdrive restore` or `mapdrive map L: \\\\server\\share`";
    ERROR_DEVICE_ALREADY_REMEMBERED = 1202, "the letter is remembered for a different remote path in this user's profile (HKCU\\Network)"
        "remove the remembered entry first: `mapdrive unmap L:`";
    ERROR_NO_NET_OR_BAD_PATH = 1203, "no network provider accepted the path"
        "check that the path is a share (\\\\server\\share) and that the Workstation (and WebClient, for WebDAV) services are running";
    ERROR_BAD_PROVIDER = 1204, "the network provider name is invalid" "leave the provider unset";
    ERROR_CANNOT_OPEN_PROFILE = 1205, "the user profile (HKCU\\Network) cannot be opened" "run in a logon session whose profile is loaded (interactive, or a task with 'load profile')";
    ERROR_BAD_PROFILE = 1206, "the user profile (HKCU\\Network) is corrupt" "inspect HKCU\\Network with regedit and remove the broken entry";
    ERROR_EXTENDED_ERROR = 1208, "the network provider reported its own error (its code, text and name follow the Win32 code)"
        "act on the provider's message; for WebDAV (\\\\host@SSL\\path) check that the WebClient service runs and the URL answers in a browser";
    ERROR_SESSION_CREDENTIAL_CONFLICT = 1219, "this logon session already has an SMB session to that server under another user name; Windows allows one set of credentials per server per logon session"
        "disconnect every connection to the server first (`mapdrive list`, then `mapdrive unmap` each; also `net use \\\\server\\IPC$ /delete`), or reach the same server under another name (its FQDN or IP address) for the second account";
    ERROR_NO_NETWORK = 1222, "the network is not present or not started: no network provider is loaded"
        "start the Workstation service (`sc start LanmanWorkstation`) and check the provider order in HKLM\\SYSTEM\\CurrentControlSet\\Control\\NetworkProvider\\Order";
    ERROR_CANCELLED = 1223, "the operation was cancelled by the user" "retry";
    ERROR_SMB_GUEST_LOGON_BLOCKED = 1272, "the server only allows guest access and this client blocks insecure guest logons"
        "give the server a real account and save a credential for it; do not re-enable insecure guest logons";
    ERROR_NO_SUCH_LOGON_SESSION = 1312, "this logon session has no credential set: network logons (WinRM, SSH, PowerShell remoting without CredSSP) cannot use the Credential Manager"
        "run in a logon session with a credential vault: Ansible `become: yes` (runas as the same user), CredSSP, a scheduled task with the user's password, or an interactive logon";
    ERROR_PRIVILEGE_NOT_HELD = 1314, "a required privilege is not held (for the limited token: no SYSTEM process token with SeTcbPrivilege could be used)"
        "run from an elevated prompt as an administrator, or act in this session with --session current";
    ERROR_LOGON_FAILURE = 1326, "the user name or password is incorrect (the server rejected the account)"
        "check the account (DOMAIN\\user) and password; update a saved credential with `mapdrive cred set SERVER --user DOMAIN\\user --secret-stdin`";
    ERROR_BAD_IMPERSONATION_LEVEL = 1346, "the token is only usable for identification (a linked token obtained without SeTcbPrivilege)"
        "run as an administrator so mapdrive can use SYSTEM's SeTcbPrivilege, or run from the non-elevated prompt";
    ERROR_BAD_USERNAME = 2202, "the user name is invalid" "write the account as DOMAIN\\user or user@domain";
    ERROR_NOT_CONNECTED = 2250, "this network connection does not exist in this logon session"
        "nothing is mapped on that letter here; `mapdrive list` shows what this session sees and `mapdrive doctor` explains other sessions";
    ERROR_OPEN_FILES = 2401, "there are open files on the connection"
        "close the files or programs using the drive, or disconnect it anyway with `mapdrive unmap L: --force` (open files lose unsaved data)";
    ERROR_ACTIVE_CONNECTIONS = 2402, "active connections still exist" "close them first, or disconnect anyway with `mapdrive unmap L: --force`";
    ERROR_DEVICE_IN_USE = 2404, "the device is in use by an active process"
        "close the programs (and Explorer windows, command prompts) using the drive, or disconnect it anyway with `mapdrive unmap L: --force`";
    E_NOTIMPL = 0x8000_4001, "not implemented: this system's COM server lacks the function (Wine implements only part of Task Scheduler)"
        "on Wine, nothing to do; on Windows, report it with the command line";
    REGDB_E_CLASSNOTREG = 0x8004_0154, "the COM class is not registered: Task Scheduler 2.0 (taskschd.dll) is missing"
        "repair Windows (`sfc /scannow`); Task Scheduler 2.0 is part of every Windows since Vista";
    SCHED_E_SERVICE_NOT_INSTALLED = 0x8004_130C, "the Task Scheduler service is not installed"
        "repair Windows; the Schedule service is part of every Windows";
    SCHED_E_SERVICE_NOT_RUNNING = 0x8004_1315, "the Task Scheduler service (Schedule) is not running"
        "start it (`sc start Schedule`; it starts automatically on a normal Windows)";
    SCHED_E_NAMESPACE = 0x8004_1317, "the task definition is not in the Task Scheduler XML namespace"
        "report it with the output of `mapdrive schedule install FILE --check`";
    SCHED_E_INVALIDVALUE = 0x8004_1318, "a value in the task definition is invalid"
        "report it with the output of `mapdrive schedule install FILE --check`";
    SCHED_E_MISSINGNODE = 0x8004_1319, "the task definition lacks a required element"
        "report it with the output of `mapdrive schedule install FILE --check`";
    SCHED_E_MALFORMEDXML = 0x8004_131A, "the task definition is not well-formed XML"
        "report it with the output of `mapdrive schedule install FILE --check`";
    SCHED_E_SERVICE_NOT_AVAILABLE = 0x8004_1322, "the Task Scheduler service is not available"
        "wait for the Schedule service to start, then run the command again";
}

/// Looks a code up in the catalog.
pub fn lookup(code: u32) -> Option<&'static ErrorInfo> {
    CATALOG.iter().find(|e| e.code == code)
}

/// What to do about `code` when `api` failed: the catalog's remedy where it fits that kind of
/// call, else one that does (a token or registry call refused with 5 is no share permission
/// problem; a "not found" from anything but a delete is no reason to do nothing).
pub fn remedy_for(api: &str, info: &ErrorInfo) -> &'static str {
    let wnet = api.starts_with("WNet");
    let deleting = api.contains("Delete") || api.starts_with("WNetCancel");
    match info.code {
        ERROR_ACCESS_DENIED if api.starts_with("Reg") => {
            "check the permissions of the registry key; HKLM is writable only from an elevated prompt (Run as administrator)"
        }
        ERROR_ACCESS_DENIED if api.starts_with("Cred") => {
            "the Credential Manager refused this token: run in the user's own logon session (not a network logon), or act in this session with --session current"
        }
        ERROR_ACCESS_DENIED if !wnet => {
            "this step needs another token or privilege: run from an elevated prompt as an administrator, or act in this session with --session current"
        }
        ERROR_FILE_NOT_FOUND | ERROR_PATH_NOT_FOUND | ERROR_NOT_FOUND if !deleting => {
            "check the name or path; `mapdrive list`, `mapdrive cred list` and `mapdrive doctor` show what exists"
        }
        _ => info.remedy,
    }
}

/// What `code` means when `api` failed: the catalog's meaning, except where it is about another
/// kind of call (5 from a token, registry or credential call is not a share refusing an account).
pub fn meaning_for(api: &str, info: &ErrorInfo) -> &'static str {
    match info.code {
        ERROR_ACCESS_DENIED if !api.starts_with("WNet") => {
            "access is denied to this process's token"
        }
        _ => info.meaning,
    }
}

/// Parses an error code as `explain` accepts it: decimal (`53`), hex (`0x35`), or an HRESULT
/// wrapping a Win32 code (`0x80070035`, also as a signed decimal `-2147024843`).
pub fn parse_code(text: &str) -> Result<u32, InputError> {
    let t = text.trim();
    let bad = || InputError::Field {
        what: "error code",
        why: "give a Win32 code in decimal (53), hex (0x35) or as an HRESULT (0x80070035)".into(),
    };
    let value = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).map_err(|_| bad())?
    } else if let Some(neg) = t.strip_prefix('-') {
        // A signed HRESULT: -2147024843 is 0x80070035.
        let n: i64 = neg.parse().map_err(|_| bad())?;
        u32::try_from(-n + (1i64 << 32)).map_err(|_| bad())?
    } else {
        t.parse::<u32>().map_err(|_| bad())?
    };
    // HRESULT_FROM_WIN32: severity 1, facility 7 (FACILITY_WIN32), code in the low 16 bits.
    Ok(if value & 0xFFFF_0000 == 0x8007_0000 {
        value & 0xFFFF
    } else {
        value
    })
}

/// `explain`: the catalog entry for `text` (any form [`parse_code`] accepts).
pub fn explain(text: &str) -> Result<&'static ErrorInfo, Error> {
    let code = parse_code(text)?;
    lookup(code).ok_or_else(|| {
        Error::Input(InputError::Field {
            what: "error code",
            why: format!(
                "mapdrive has no explanation for Win32 error {code}; `certutil -error {code}` or `net helpmsg {code}` prints Windows' text"
            ),
        })
    })
}

/// What a network provider said about its own failure: `WNetGetLastErrorW`, read at once
/// after a WNet call returned `ERROR_EXTENDED_ERROR` (1208). WebDAV and third-party providers
/// report failures only this way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The provider's own report.
    Reported {
        /// The provider's name (`lpNameBuf`).
        provider: String,
        /// The provider's error code (`*lpError`), in the provider's own numbering.
        code: u32,
        /// The provider's text (`lpErrorBuf`).
        text: String,
    },
    /// `WNetGetLastErrorW` itself failed with this code (Wine: a stub answering 1222).
    Unavailable(u32),
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderError::Reported {
                provider,
                code,
                text,
            } => {
                let who = if provider.is_empty() {
                    "the network provider"
                } else {
                    provider.as_str()
                };
                write!(f, "{who} reported error {code}")?;
                if !text.is_empty() {
                    write!(f, ": {}", text.trim_end())?;
                }
                Ok(())
            }
            ProviderError::Unavailable(code) => write!(
                f,
                "the provider's own error could not be read (WNetGetLastErrorW failed with {code})"
            ),
        }
    }
}

/// A Win32 code in decimal, an HRESULT (a COM failure: severity bit set) in hex.
fn shown_code(code: u32) -> String {
    if code >= 0x8000_0000 {
        format!("0x{code:08X}")
    } else {
        code.to_string()
    }
}

fn provider_note(p: &Option<Box<ProviderError>>) -> String {
    p.as_ref().map_or_else(String::new, |p| format!("; {p}"))
}

/// A Win32 API returned an error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{api} failed with {} ({}){}", shown_code(*.code), error_name(*.code), provider_note(.provider))]
pub struct ApiError {
    /// The function that failed, e.g. `WNetAddConnection2W`.
    pub api: &'static str,
    /// The Win32 error code.
    pub code: u32,
    /// For `ERROR_EXTENDED_ERROR` (1208): what the provider reported.
    pub provider: Option<Box<ProviderError>>,
}

/// Runs a read of the registry (or of what MPR reads from it) again when a key was deleted
/// under it by another process (`ERROR_KEY_DELETED`, 1018): that is not a failure but a changed
/// state, and a new read sees it. At most three tries, so a key deleted over and over still ends.
pub fn retry_when_deleted<T>(mut read: impl FnMut() -> Result<T, ApiError>) -> Result<T, ApiError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match read() {
            Err(e) if e.code == ERROR_KEY_DELETED && tries < 3 => {}
            other => return other,
        }
    }
}

impl ApiError {
    /// Builds an error for `api` with `code`.
    pub fn new(api: &'static str, code: u32) -> ApiError {
        ApiError {
            api,
            code,
            provider: None,
        }
    }

    /// The same error with the provider's own report attached.
    pub fn with_provider(mut self, provider: ProviderError) -> ApiError {
        self.provider = Some(Box::new(provider));
        self
    }

    /// The catalog entry, if any.
    pub fn info(&self) -> Option<&'static ErrorInfo> {
        lookup(self.code)
    }
}

/// `ERROR_*` name of a code, or `error N` when not in the catalog.
pub fn error_name(code: u32) -> String {
    lookup(code).map_or_else(|| format!("Win32 error {code}"), |e| e.name.to_string())
}

/// `context: error`, without doubling the colon of a drive letter that ends the context.
fn join_context(context: &str, api_error: &ApiError) -> String {
    if context.ends_with(':') {
        format!("{context} {api_error}")
    } else {
        format!("{context}: {api_error}")
    }
}

/// The kind of an error, which also fixes the exit code: `error.kind` in `--json` output,
/// `error_kind` in Ansible results and `apply` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Exit 1: Windows refused the operation.
    WindowsError,
    /// Exit 1: the operation succeeded but the requested state does not hold afterwards
    /// (another program changed it at the same time).
    NotConverged,
    /// Exit 2: invalid input or usage; nothing was changed.
    InvalidInput,
    /// Exit 3: mapdrive refused to do this as asked.
    Refused,
    /// Exit 4: not supported here.
    Unsupported,
}

impl ErrorKind {
    /// The process exit code of this kind of error.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::WindowsError | ErrorKind::NotConverged => 1,
            ErrorKind::InvalidInput => 2,
            ErrorKind::Refused => 3,
            ErrorKind::Unsupported => 4,
        }
    }
}

/// Everything that can go wrong in a mapdrive operation.
#[derive(Debug, Error)]
pub enum Error {
    /// Rejected input; nothing was changed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Windows refused an operation.
    #[error("{}", join_context(context, api_error))]
    Api {
        /// What mapdrive was doing (e.g. `mapping M: to \\srv\share`).
        context: String,
        /// The failing call.
        api_error: ApiError,
        /// Extra explanation specific to this situation.
        hint: Option<String>,
        /// What to do, when it is more specific than the catalog's remedy for the code.
        fix: Option<String>,
        /// Earlier steps changed something that is still changed (not, or not fully, undone).
        changed: bool,
    },
    /// mapdrive refused to act because the result would not be what was asked for.
    #[error("{message}")]
    Refused {
        /// What is wrong.
        message: String,
        /// What to do.
        remedy: String,
    },
    /// Not available on this system.
    #[error("{0}")]
    Unsupported(String),
    /// The change was made, but the requested state does not hold afterwards (another process
    /// changed the same thing at the same time), even after one retry.
    #[error("{message}")]
    NotConverged {
        /// What holds instead.
        message: String,
        /// What to do.
        remedy: String,
    },
}

impl Error {
    /// Wraps an [`ApiError`] with what mapdrive was doing.
    pub fn api(context: impl Into<String>, api_error: ApiError) -> Error {
        Error::Api {
            context: context.into(),
            api_error,
            hint: None,
            fix: None,
            changed: false,
        }
    }

    /// The process exit code for this error (documented in `--help` and the README).
    pub fn exit_code(&self) -> u8 {
        self.kind().exit_code()
    }

    /// What kind of failure this is (which also fixes the exit code).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { .. } => ErrorKind::WindowsError,
            Error::NotConverged { .. } => ErrorKind::NotConverged,
            Error::Input(_) => ErrorKind::InvalidInput,
            Error::Refused { .. } => ErrorKind::Refused,
            Error::Unsupported(_) => ErrorKind::Unsupported,
        }
    }

    /// Whether something stayed changed despite the failure.
    pub fn left_changed(&self) -> bool {
        matches!(
            self,
            Error::Api { changed: true, .. } | Error::NotConverged { .. }
        )
    }

    /// The Win32 code, when Windows reported one.
    pub fn code(&self) -> Option<u32> {
        match self {
            Error::Api { api_error, .. } => Some(api_error.code),
            _ => None,
        }
    }

    /// What it means and what to do, in plain words.
    pub fn remedy(&self) -> Option<String> {
        match self {
            Error::Api {
                api_error,
                hint,
                fix,
                ..
            } => {
                let info = api_error.info();
                let mut out = String::new();
                if let Some(info) = info {
                    out.push_str(&format!(
                        "{}: {}.",
                        info.name,
                        meaning_for(api_error.api, info)
                    ));
                }
                if let Some(h) = hint {
                    out.push(' ');
                    out.push_str(h);
                }
                match (fix, info) {
                    (Some(f), _) => out.push_str(&format!(" To fix: {f}.")),
                    (None, Some(info)) => {
                        out.push_str(&format!(" To fix: {}.", remedy_for(api_error.api, info)));
                    }
                    (None, None) => {}
                }
                (!out.is_empty()).then(|| out.trim().to_string())
            }
            Error::Refused { remedy, .. } | Error::NotConverged { remedy, .. } => {
                Some(remedy.clone())
            }
            Error::Input(InputError::Usage { remedy, .. }) => Some(remedy.clone()),
            Error::Input(_) => Some("nothing was changed; correct the input and run again".into()),
            Error::Unsupported(_) => None,
        }
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn a_key_deleted_under_a_read_is_read_again_three_times_at_most() {
        let mut calls = 0;
        let r = retry_when_deleted(|| {
            calls += 1;
            if calls < 3 {
                Err(ApiError::new("RegEnumKeyExW", ERROR_KEY_DELETED))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r, Ok(3));
        let mut calls = 0;
        let r: Result<(), ApiError> = retry_when_deleted(|| {
            calls += 1;
            Err(ApiError::new("RegEnumKeyExW", ERROR_KEY_DELETED))
        });
        assert_eq!((r.map_err(|e| e.code), calls), (Err(1018), 3));
        let mut calls = 0;
        let r: Result<(), ApiError> = retry_when_deleted(|| {
            calls += 1;
            Err(ApiError::new("RegOpenKeyExW", 5))
        });
        assert_eq!((r.map_err(|e| e.code), calls), (Err(5), 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_issue_lists_is_explained() {
        for code in [
            5, 53, 67, 85, 86, 1202, 1203, 1219, 1222, 1312, 1326, 2250, 2401, 2404,
        ] {
            let info = lookup(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(info.name.starts_with("ERROR_"));
            assert!(!info.remedy.is_empty());
        }
    }

    #[test]
    fn explain_accepts_decimal_hex_and_hresult_forms() {
        for text in ["53", "0x35", "0X35", "0x80070035", "-2147024843", " 53 "] {
            assert_eq!(parse_code(text), Ok(53), "{text}");
        }
        for bad in ["", "x", "0x", "0xZZ", "-1x", "99999999999", "-99999999999"] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
        // An HRESULT that is not a Win32 code is kept as it is (and explain has no entry for it).
        assert_eq!(parse_code("0x80004005"), Ok(0x8000_4005));
        assert!(explain("0x80004005").is_err());
        assert_eq!(explain("0x80070035").unwrap().name, "ERROR_BAD_NETPATH");
    }

    #[test]
    fn error_3_has_a_name_and_meaning() {
        let info = lookup(3).unwrap();
        assert_eq!(info.name, "ERROR_PATH_NOT_FOUND");
        assert_eq!(error_name(3), "ERROR_PATH_NOT_FOUND");
    }

    #[test]
    fn remedies_fit_the_call_that_failed() {
        let token = Error::api(
            "could not read the process token",
            ApiError::new("OpenProcessToken", 5),
        );
        let r = token.remedy().unwrap();
        assert!(!r.contains("share"), "{r}");
        assert!(r.contains("elevated"), "{r}");
        let reg = Error::api("could not write", ApiError::new("RegSetValueExW", 5));
        assert!(!reg.remedy().unwrap().contains("share"));
        let read = Error::api(
            "could not read the credential",
            ApiError::new("CredReadW", 1168),
        );
        assert!(!read.remedy().unwrap().contains("does not exist"));
        let delete = Error::api("could not delete", ApiError::new("CredDeleteW", 1168));
        assert!(delete.remedy().unwrap().contains("does not exist"));
        let map = Error::api("could not map", ApiError::new("WNetAddConnection2W", 5));
        assert!(map.remedy().unwrap().contains("share"));
        // Every remedy that says --force names a command that takes it.
        for info in CATALOG {
            if info.remedy.contains("--force") {
                assert!(
                    info.remedy.contains("mapdrive unmap L: --force"),
                    "{}",
                    info.name
                );
            }
        }
    }

    #[test]
    fn paths_in_messages_are_shown_as_typed() {
        let e = InputError::RemotePath {
            input: r"\\srv\a*b".into(),
            why: "bad".into(),
        };
        assert_eq!(e.to_string(), r"invalid remote path \\srv\a*b: bad");
        assert_eq!(
            InputError::DriveLetter(r"\\x".into()).to_string(),
            r#"invalid drive letter "\\x": give one letter A-Z, with or without a colon (Z or Z:)"#
        );
    }

    #[test]
    fn a_secret_typed_where_a_letter_or_path_goes_is_not_repeated() {
        let letter: Result<crate::domain::DriveLetter, _> = "Pa55word!".parse();
        let path: Result<crate::domain::RemotePath, _> = "Pa55word!".parse();
        for e in [
            letter.unwrap_err().to_string(),
            path.unwrap_err().to_string(),
        ] {
            assert!(!e.contains("Pa55"), "{e}");
        }
        let path: Result<crate::domain::RemotePath, _> = r"\\srv".parse();
        assert!(path.unwrap_err().to_string().contains(r"\\srv"));
    }

    #[test]
    fn catalog_has_no_duplicates() {
        let mut codes: Vec<u32> = CATALOG.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CATALOG.len());
    }

    #[test]
    fn a_context_ending_in_a_drive_letter_is_not_followed_by_a_second_colon() {
        let e = Error::api(
            "could not disconnect Z:",
            ApiError::new("WNetCancelConnection2W", 2401),
        );
        assert_eq!(
            e.to_string(),
            "could not disconnect Z: WNetCancelConnection2W failed with 2401 (ERROR_OPEN_FILES)"
        );
    }

    #[test]
    fn extended_error_carries_the_providers_report() {
        let e = ApiError::new("WNetAddConnection2W", 1208).with_provider(ProviderError::Reported {
            provider: "Web Client Network".into(),
            code: 12029,
            text: "The server did not answer.\r\n".into(),
        });
        assert_eq!(
            e.to_string(),
            "WNetAddConnection2W failed with 1208 (ERROR_EXTENDED_ERROR); Web Client Network reported error 12029: The server did not answer."
        );
        let e = ApiError::new("WNetAddConnection2W", 1208)
            .with_provider(ProviderError::Unavailable(1222));
        assert!(
            e.to_string()
                .ends_with("(WNetGetLastErrorW failed with 1222)"),
            "{e}"
        );
        assert_ne!(e, ApiError::new("WNetAddConnection2W", 1208));
    }

    #[test]
    fn api_error_message_names_the_code() {
        let e = Error::api(
            r"could not map M: to \\srv\share",
            ApiError::new("WNetAddConnection2W", 1219),
        );
        assert_eq!(
            e.to_string(),
            r"could not map M: to \\srv\share: WNetAddConnection2W failed with 1219 (ERROR_SESSION_CREDENTIAL_CONFLICT)"
        );
        let r = e.remedy().unwrap();
        assert!(r.contains("IPC$"), "{r}");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(error_name(9999), "Win32 error 9999");
    }
}

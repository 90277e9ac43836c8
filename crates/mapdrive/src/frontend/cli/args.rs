//! Command-line arguments (clap derive). Validation into domain types happens in [`super::run`].

use clap::{Args, Parser, Subcommand, ValueEnum};

use mapdrive_core::domain::{CredentialKind, Persistence};
use mapdrive_core::engine::SessionChoice;
use mapdrive_core::plan::UpdateSecret;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (also when nothing had to change, and in --check mode)
  1  Windows refused the operation (the message names the Win32 code and what to do)
  2  invalid input or usage; nothing was changed
  3  refused: mapdrive will not do this as asked (letter is a local disk, --expect-path differs, ...)
  4  not supported here (mapdrive manages Windows; this build is not running on Windows)";

/// Manage Windows mapped network drives and the saved credentials they depend on.
///
/// A mapped drive lives in one logon session: an elevated prompt, runas, a scheduled task and
/// WinRM each have their own. mapdrive shows what this session sees and why.
#[derive(Debug, Parser)]
#[command(name = "mapdrive", version, about, long_about = None, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every drive letter this logon session sees: network drives (connected or remembered) and local disks.
    List(ListArgs),
    /// Map a drive letter to a share and, unless --temporary, remember it for later logons.
    Map(MapArgs),
    /// Disconnect a mapped drive and forget it.
    Unmap(UnmapArgs),
    /// Manage saved credentials in the Credential Manager (what `cmdkey` does).
    #[command(subcommand)]
    Cred(CredCommand),
    /// Show who this process is: user, SID, logon session, logon type, elevation, linked token.
    Whoami(OutputArgs),
    /// Reconnect this user's remembered drives in a logon session Winlogon did not restore (WinRM, task, runas).
    Restore(RestoreArgs),
    /// Read or set machine policies that change how mapped drives behave.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Explain what is going on with this session's drives, across logon sessions, with the commands that fix it.
    Doctor(DoctorArgs),
    /// Draw the logon sessions and their drives: who sees which drive, and which session is looking.
    Sessions(super::sessions::SessionsArgs),
    /// Apply a desired-state file (a DSC v3 configuration document of Mapdrive/* resources), without dsc.
    Apply(crate::frontend::document::cli::ApplyArgs),
    /// Check a desired-state file without changing anything: exit 0 when every item holds, 1 when
    /// any does not (Intune detection), 2 for bad input; a one-line summary comes last.
    Test(crate::frontend::document::cli::TestArgs),
    /// Write the current state as a desired-state file that `apply` (or `dsc config set`) accepts.
    Export(crate::frontend::document::cli::ExportArgs),
    /// Microsoft DSC v3 resource operations (what dsc runs; the manifest is dsc/mapdrive.dsc.manifests.json).
    Dsc(crate::frontend::dsc::cli::DscArgs),
    /// Group Policy Preferences Drive Maps (Drives.xml): `gpp convert` writes the equivalent DSC document.
    #[command(subcommand)]
    Gpp(crate::frontend::document::gpp::GppCommand),
    /// Register (install) or remove the Event Log source `mapdrive`, so that Event Viewer shows
    /// the audit trail's events with their text (needs administrator rights).
    #[command(subcommand)]
    Eventlog(EventlogCommand),
    /// Keep a desired-state file true without anyone running mapdrive: a Task Scheduler task at
    /// logon, unlock, remote connect and network change, in the user's own logon session.
    #[command(subcommand)]
    Schedule(super::schedule::ScheduleCommand),
    /// Explain a Win32 error code (works anywhere, no Windows needed).
    Explain(ExplainArgs),
    /// Print a shell completion script (PowerShell: add `mapdrive completions powershell | Out-String | Invoke-Expression` to $PROFILE).
    Completions(CompletionsArgs),
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// Windows PowerShell 5.1 and PowerShell 7 (Register-ArgumentCompleter).
    Powershell,
    /// bash (WSL, Git Bash, MSYS2).
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

/// `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code: decimal (1219), hex (0x4c3) or an HRESULT (0x800704c3, or signed: -2147023677).
    #[arg(allow_negative_numbers = true)]
    pub code: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `--json`.
#[derive(Debug, Args, Clone, Copy)]
pub struct OutputArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `--check` and `--json`.
#[derive(Debug, Args, Clone, Copy)]
pub struct ChangeArgs {
    /// Report what would change, change nothing.
    #[arg(long)]
    pub check: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Logon session to look at.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
}

/// `map`.
#[derive(Debug, Args)]
pub struct MapArgs {
    /// Drive letter: Z or Z:.
    pub letter: String,
    /// Share: \\server\share[\dir], \\host@SSL@port\path (WebDAV), \\2001-db8--1.ipv6-literal.net\share.
    pub remote: String,
    /// Do not remember the mapping for later logons.
    #[arg(long)]
    pub temporary: bool,
    /// Account for the first connection (DOMAIN\user); never stored.
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password for --user from the first line of standard input.
    #[arg(long, requires = "user", conflicts_with = "prompt")]
    pub password_stdin: bool,
    /// Prompt for the password for --user on the console (no echo).
    #[arg(long, requires = "user")]
    pub prompt: bool,
    /// Explorer label for the share (HKCU\...\Explorer\MountPoints2, Group Policy's "Label as"); "" removes it.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// A global drive, visible to every user: as SYSTEM, map now (until restart); with --at-boot, define it at boot.
    #[arg(long, conflicts_with_all = ["user", "temporary", "label", "session"])]
    pub global: bool,
    /// With --global: write HKLM\...\Session Manager\DOS Devices so the drive exists from the next restart on.
    #[arg(long, requires = "global")]
    pub at_boot: bool,
    /// With --global --at-boot: replace a boot-time value that points elsewhere.
    #[arg(long, requires = "at_boot")]
    pub force: bool,
    /// Logon session to act in.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `unmap`.
#[derive(Debug, Args)]
pub struct UnmapArgs {
    /// Drive letter: Z or Z:.
    pub letter: String,
    /// Refuse unless the drive currently points to this path.
    #[arg(long, value_name = "PATH")]
    pub expect_path: Option<String>,
    /// Disconnect even with open files (unsaved data in them is lost); with --global --at-boot,
    /// remove a boot-time value that is not a network drive.
    #[arg(long)]
    pub force: bool,
    /// Disconnect but keep the remembered entry (it is restored at the next logon).
    #[arg(long)]
    pub keep_remembered: bool,
    /// A global drive: as SYSTEM, disconnect it now; with --at-boot, remove its boot-time definition.
    #[arg(long, conflicts_with_all = ["keep_remembered", "session"])]
    pub global: bool,
    /// With --global: remove the HKLM\...\Session Manager\DOS Devices value (effective at restart).
    #[arg(long, requires = "global")]
    pub at_boot: bool,
    /// Logon session to act in.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `eventlog` subcommands.
#[derive(Debug, Subcommand)]
pub enum EventlogCommand {
    /// Register the source: HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\mapdrive,
    /// EventMessageFile = this executable, TypesSupported = 7.
    Install(ChangeArgs),
    /// Remove the source's registration (the events already written stay in the log).
    Remove(ChangeArgs),
}

/// `cred` subcommands.
#[derive(Debug, Subcommand)]
pub enum CredCommand {
    /// List saved password credentials (never their secrets).
    List(CredListArgs),
    /// Create or update a credential. The secret comes from stdin or a prompt, never from the command line.
    Set(CredSetArgs),
    /// Delete a credential.
    Remove(CredRemoveArgs),
}

/// `cred set`.
#[derive(Debug, Args)]
pub struct CredSetArgs {
    /// Target: the server name as written in the UNC path (fileserver, fileserver.corp.example, *.corp.example).
    pub target: String,
    /// Credential type.
    #[arg(long = "type", value_enum, default_value = "domain_password")]
    pub kind: CredentialKind,
    /// Account: DOMAIN\user or user@domain.
    #[arg(long)]
    pub user: String,
    /// Read the secret from the first line of standard input.
    #[arg(long, conflicts_with = "prompt")]
    pub secret_stdin: bool,
    /// Prompt for the secret on the console (no echo).
    #[arg(long)]
    pub prompt: bool,
    /// Persistence [default for a new credential: local; an existing one keeps its own].
    #[arg(long, value_enum)]
    pub persistence: Option<Persistence>,
    /// Target alias (e.g. the NetBIOS name); left out = keep the stored one, "" = remove it.
    #[arg(long)]
    pub alias: Option<String>,
    /// Comment; left out = keep the stored one, "" = remove it.
    #[arg(long)]
    pub comment: Option<String>,
    /// When to write a supplied secret to an existing credential.
    #[arg(long, value_enum, default_value = "always")]
    pub update_secret: UpdateSecret,
    /// Logon session whose vault to write (the same choice as for drives, so the credential is where the drive is).
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `cred remove`.
#[derive(Debug, Args)]
pub struct CredRemoveArgs {
    /// Target name.
    pub target: String,
    /// Credential type.
    #[arg(long = "type", value_enum, default_value = "domain_password")]
    pub kind: CredentialKind,
    /// Logon session whose vault to change.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `cred list`.
#[derive(Debug, Args)]
pub struct CredListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Logon session whose vault to list.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Logon session to act in.
    #[arg(long, value_enum, default_value_t)]
    pub session: SessionChoice,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// EnableLinkedConnections: make both halves of a split (UAC) token see the same drives. Needs a restart.
    LinkedConnections(LinkedConnectionsArgs),
}

/// Values for `policy linked-connections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOffUnset {
    /// Set the value to 1.
    On,
    /// Set the value to 0.
    Off,
    /// Remove the value (Windows' default: off).
    Unset,
}

/// `policy linked-connections`.
#[derive(Debug, Args)]
pub struct LinkedConnectionsArgs {
    /// New setting; without it, show the current one.
    #[arg(value_enum)]
    pub value: Option<OnOffUnset>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub change: ChangeArgs,
}

/// `doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only this drive (plus findings about the whole session).
    pub letter: Option<String>,
    /// Logon session to judge: this process's own (default), or the one drive commands act in (auto, limited).
    #[arg(long, value_enum, default_value = "current")]
    pub session: SessionChoice,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

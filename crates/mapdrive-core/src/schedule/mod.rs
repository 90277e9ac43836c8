//! `mapdrive schedule`: a Task Scheduler task that keeps a desired-state file true at logon, on
//! unlock and remote connect, and on every network connection, in the user's own interactive
//! logon session.
//!
//! The definition is generated here ([`xml`], pure); the engine ([`install`], [`status`],
//! [`remove`]) reads and changes the machine only through the [`Port`], so the session model
//! runs the same decisions the real system does: create, update or leave the task as it is,
//! check mode, and for `--all-users` the administrator check and the protected copies under
//! `%ProgramData%\mapdrive\`.

pub mod xml;

use serde::Serialize;

use crate::audit::AuditKind;
use crate::engine::audit as audit_trail;
use crate::error::{ApiError, Error, InputError};
use crate::port::{Port, ScheduledTask};
pub use xml::{TaskPrincipal, TaskSpec, TriggerInfo};

/// The windowless twin the task runs (a GUI-subsystem build of the same program: nothing flashes
/// at logon).
pub const GUI_EXE: &str = "mapdrivew.exe";
/// The console executable.
pub const CLI_EXE: &str = "mapdrive.exe";
/// `BUILTIN\Administrators`.
pub const ADMINISTRATORS_SID: &str = "S-1-5-32-544";
/// The folder under `%ProgramData%` an `--all-users` task runs from.
pub const PROGRAM_DATA_FOLDER: &str = "mapdrive";

/// The security of `%ProgramData%\mapdrive\`: owner Administrators; a protected DACL (nothing
/// inherited from `%ProgramData%`, whose default lets every user create files) that gives SYSTEM
/// and Administrators full control and Users read and execute, inherited by what is created in
/// it (`OICI`). A drive file a user could change would redirect every user's drives.
pub const DIRECTORY_SDDL: &str = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)";
/// The security each copied file gets explicitly (so a file that was there before, with
/// whatever ACL, ends up the same): as the directory's, without inheritance flags.
pub const FILE_SDDL: &str = "O:BAD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FRFX;;;BU)";

/// `SCHED_S_TASK_HAS_NOT_RUN`: what `LastTaskResult` holds before the first run.
pub const SCHED_S_TASK_HAS_NOT_RUN: u32 = 0x0004_1303;
/// `SCHED_S_TASK_RUNNING`.
pub const SCHED_S_TASK_RUNNING: u32 = 0x0004_1301;

/// A validated task name: `mapdrive` or `mapdrive-NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskName(String);

impl TaskName {
    /// `mapdrive` without `--name`, `mapdrive-NAME` with it. NAME: 1 to 64 ASCII letters,
    /// digits, `-`, `_` or `.`, starting with a letter or digit (a name Task Scheduler, the
    /// file system and a shell all take as it is).
    pub fn new(name: Option<&str>) -> Result<TaskName, Error> {
        let Some(n) = name else {
            return Ok(TaskName("mapdrive".into()));
        };
        let valid = (1..=64).contains(&n.len())
            && n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(Error::Input(InputError::Field {
                what: "--name",
                why: "give 1 to 64 ASCII letters, digits, '-', '_' or '.', starting with a letter \
                      or digit (the task is then named mapdrive-NAME)"
                    .into(),
            }));
        }
        Ok(TaskName(format!("mapdrive-{n}")))
    }

    /// The task's name in the root folder.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TaskName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Refuses a path the task's command line could not carry: `"` (never in a Windows file name)
/// or control characters.
pub fn validate_file_path(path: &str) -> Result<(), Error> {
    if path.is_empty() || path.contains('"') || path.chars().any(char::is_control) {
        return Err(Error::Input(InputError::Field {
            what: "FILE",
            why: "the path holds a double quote or a control character, which a task's command \
                  line cannot carry; move the file to a plain path"
                .into(),
        }));
    }
    Ok(())
}

/// What happens (or, in check mode, would happen) to one thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// It does not exist yet.
    Create,
    /// It exists and differs.
    Update,
    /// It exists and is as desired.
    Unchanged,
    /// It exists and goes away.
    Delete,
    /// It does not exist, which is what was asked.
    Absent,
}

impl Change {
    /// Whether this is a change.
    pub fn is_change(self) -> bool {
        matches!(self, Change::Create | Change::Update | Change::Delete)
    }
}

/// `schedule install`.
#[derive(Clone, Debug)]
pub struct InstallRequest<'a> {
    /// The task.
    pub name: TaskName,
    /// The desired-state file's full path.
    pub file: &'a str,
    /// Its contents, as read and checked by the front-end (what `--all-users` copies).
    pub file_contents: &'a [u8],
    /// The extension the copy keeps (`yaml`, `json`, `xml`), for `--all-users`.
    pub file_extension: &'a str,
    /// For every user (the Users group), run from `%ProgramData%\mapdrive\`.
    pub all_users: bool,
    /// Change nothing.
    pub check: bool,
}

/// One file `--all-users` copies, or the directory it copies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileOutcome {
    /// Its full path.
    pub path: String,
    /// What happened to it (its contents or its security).
    pub change: Change,
}

/// What `schedule install` did (or would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InstallOutcome {
    /// Whether anything changed (with `--check`: would change).
    pub changed: bool,
    /// Check mode: nothing was changed.
    pub check: bool,
    /// The task's name (in the root folder of Task Scheduler).
    pub task: String,
    /// What happened to the task.
    pub change: Change,
    /// Who it runs as.
    pub principal: String,
    /// The program it runs.
    pub program: String,
    /// The desired-state file it applies.
    pub file: String,
    /// With `--all-users`: the directory and the files copied to it.
    pub files: Vec<FileOutcome>,
    /// With `--all-users`: the Event Log source's registration (`mapdrive eventlog install` for
    /// the copied executable).
    pub event_source: Option<crate::engine::audit::EventSourceOutcome>,
    /// Things that are not errors but will bite.
    pub warnings: Vec<String>,
    /// The complete task definition (Task Scheduler XML), as registered.
    pub definition: String,
}

fn dir_of(path: &str) -> &str {
    path.rfind(['\\', '/']).map_or("", |i| &path[..i])
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}\\{name}")
    }
}

fn api(context: impl Into<String>, e: ApiError, fix: Option<&str>) -> Error {
    let mut err = Error::api(context, e);
    if let (Error::Api { fix: f, .. }, Some(text)) = (&mut err, fix) {
        *f = Some(text.to_string());
    }
    err
}

/// Whether the token in effect may install for every user: SYSTEM, or `BUILTIN\Administrators`
/// enabled in its groups (an elevated prompt; not the limited half of a split token, where the
/// group is deny-only).
fn require_administrator(port: &dyn Port, is_system: bool) -> Result<(), Error> {
    if is_system {
        return Ok(());
    }
    let facts = port
        .targeting_facts()
        .map_err(|e| api("could not read this process's groups", e, None))?;
    let admin = facts
        .groups
        .iter()
        .any(|g| g.sid == ADMINISTRATORS_SID && !g.deny_only);
    if admin {
        return Ok(());
    }
    Err(Error::Refused {
        message: "schedule install --all-users needs an administrator: it writes to \
                  %ProgramData%\\mapdrive\\ and registers a task for every user, and this process's \
                  token is not an elevated administrator's (nor SYSTEM); nothing was changed"
            .into(),
        remedy: "run it from an elevated prompt (Run as administrator), or as SYSTEM the way Intune \
                 and ConfigMgr run scripts; or leave out --all-users to schedule for yourself only"
            .into(),
    })
}

/// The task's definition and what registering it changes, without changing anything.
fn plan_task(
    port: &dyn Port,
    name: &TaskName,
    desired: &str,
    principal: &TaskPrincipal,
) -> Result<Change, Error> {
    let existing = port.scheduled_task(name.as_str()).map_err(|e| {
        api(
            format!("could not read the scheduled task {name}"),
            e,
            Some("make sure the Task Scheduler service (Schedule) is running"),
        )
    })?;
    Ok(match existing {
        None => Change::Create,
        Some(t) if xml::same_definition(desired, &t.definition, principal) => Change::Unchanged,
        Some(_) => Change::Update,
    })
}

/// `schedule install`: registers (or updates, or leaves alone) the task; with `all_users` first
/// copies the executables and the file to `%ProgramData%\mapdrive\` with a protected ACL.
/// Nothing is changed in check mode, nor when anything is refused.
pub fn install(port: &mut dyn Port, req: &InstallRequest<'_>) -> Result<InstallOutcome, Error> {
    validate_file_path(req.file)?;
    let me = port
        .identity()
        .map_err(|e| api("could not read who this process is", e, None))?;
    let exe = port
        .executable_path()
        .map_err(|e| api("could not find this executable's path", e, None))?;
    let exe_dir = dir_of(&exe).to_string();
    let mut warnings = Vec::new();

    let (principal, program, file, copies) = if req.all_users {
        require_administrator(&*port, me.is_system)?;
        let program_data = port
            .program_data()
            .map_err(|e| api("could not find %ProgramData%", e, None))?;
        let dir = join(&program_data, PROGRAM_DATA_FOLDER);
        let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
        for (exe_name, required) in [(CLI_EXE, true), (GUI_EXE, false)] {
            let source = join(&exe_dir, exe_name);
            match port
                .read_file(&source)
                .map_err(|e| api(format!("could not read {source}"), e, None))?
            {
                Some(bytes) => copies.push((join(&dir, exe_name), bytes)),
                None if required => {
                    return Err(Error::Refused {
                        message: format!("{source} is not there to copy; nothing was changed"),
                        remedy: "run the mapdrive.exe of a complete installation".into(),
                    });
                }
                None => warnings.push(format!(
                    "{GUI_EXE} is not next to {CLI_EXE} ({exe_dir}): the task runs {dir}\\{GUI_EXE}, \
                     which fails until it is there; put it next to {CLI_EXE} and install again"
                )),
            }
        }
        let ext = if req.file_extension.is_empty() {
            String::new()
        } else {
            format!(".{}", req.file_extension)
        };
        let copy = join(&dir, &format!("{}{ext}", req.name));
        copies.push((copy.clone(), req.file_contents.to_vec()));
        (
            TaskPrincipal::AllUsers,
            join(&dir, GUI_EXE),
            copy,
            Some((dir, copies)),
        )
    } else {
        if me.is_system {
            // SYSTEM has no interactive session: a task of SYSTEM's maps drives nobody sees
            // (what the PowerShell such scripts copy gets wrong).
            return Err(Error::Refused {
                message: "this process runs as SYSTEM, which has no interactive logon session: a \
                          task of SYSTEM's would map drives no user sees; nothing was changed"
                    .into(),
                remedy: "add --all-users (the task then runs for whoever signs on, in their own \
                         session), as an Intune or ConfigMgr script running as SYSTEM should"
                    .into(),
            });
        }
        let program = join(&exe_dir, GUI_EXE);
        if port
            .read_file(&program)
            .map_err(|e| api(format!("could not read {program}"), e, None))?
            .is_none()
        {
            warnings.push(format!(
                "{program} is not there: the task fails until it is (it is the windowless twin of \
                 {CLI_EXE}, shipped next to it)"
            ));
        }
        (
            TaskPrincipal::User {
                sid: me.sid.clone(),
                account: me.user.clone(),
            },
            program,
            req.file.to_string(),
            None,
        )
    };

    let spec = TaskSpec {
        name: req.name.as_str().to_string(),
        program: program.clone(),
        file: file.clone(),
        principal: principal.clone(),
    };
    let definition = xml::definition(&spec);

    // Plan everything before changing anything.
    let mut files = Vec::new();
    let mut file_actions: Vec<(String, Vec<u8>)> = Vec::new();
    let mut secure_dir: Option<String> = None;
    if let Some((dir, copies)) = &copies {
        let dir_change = match port
            .security_matches(dir, DIRECTORY_SDDL)
            .map_err(|e| api(format!("could not read the security of {dir}"), e, None))?
        {
            None => Change::Create,
            Some(false) => Change::Update,
            Some(true) => Change::Unchanged,
        };
        if dir_change.is_change() {
            secure_dir = Some(dir.clone());
        }
        files.push(FileOutcome {
            path: dir.clone(),
            change: dir_change,
        });
        for (path, bytes) in copies {
            let existing = port
                .read_file(path)
                .map_err(|e| api(format!("could not read {path}"), e, None))?;
            let secured = port
                .security_matches(path, FILE_SDDL)
                .map_err(|e| api(format!("could not read the security of {path}"), e, None))?;
            let change = match existing {
                None => Change::Create,
                Some(b) if b == *bytes && secured == Some(true) => Change::Unchanged,
                Some(_) => Change::Update,
            };
            if change.is_change() {
                file_actions.push((path.clone(), bytes.clone()));
            }
            files.push(FileOutcome {
                path: path.clone(),
                change,
            });
        }
    }
    let task_change = plan_task(&*port, &req.name, &definition, &principal)?;
    let mut changed = task_change.is_change() || files.iter().any(|f| f.change.is_change());
    // With --all-users the Event Log source is registered too, its message file the copied
    // mapdrive.exe. It is the audit trail's text, not what the task needs: a failure is a warning.
    let event_source_file = req.all_users.then(|| join(dir_of(&program), CLI_EXE));
    let mut event_source = None;
    let mut register_event_source = |port: &mut dyn Port, check: bool| {
        if let Some(exe) = &event_source_file {
            match crate::engine::audit::event_source_for(port, Some(exe.clone()), check) {
                Ok(o) => {
                    changed |= o.changed;
                    event_source = Some(o);
                }
                Err(e) => warnings.push(format!(
                    "the Event Log source was not registered ({e}); events are still written, \
                     shown with a generic text; run `mapdrive eventlog install` from {exe}"
                )),
            }
        }
    };
    if req.check {
        register_event_source(port, true);
    }

    if !req.check {
        let task = format!("scheduled task {}", req.name);
        let asked = format!(
            "runs {program} {} as {}",
            xml::arguments(&file),
            principal.describe()
        );
        let mut done = false;
        let step = |done: bool, e: Error| -> Error {
            match e {
                Error::Api {
                    context,
                    api_error,
                    hint,
                    fix,
                    ..
                } => Error::Api {
                    context,
                    api_error,
                    hint,
                    fix,
                    changed: done,
                },
                other => other,
            }
        };
        if let Some(dir) = &secure_dir {
            port.secure_directory(dir, DIRECTORY_SDDL).map_err(|e| {
                step(
                    done,
                    api(
                        format!("could not create or secure {dir}"),
                        e,
                        Some(
                            "run from an elevated prompt; check that nothing holds the folder open",
                        ),
                    ),
                )
            })
            .inspect_err(|err| audit_trail::report_schedule_failure(port, &task, &asked, err))?;
            done = true;
        }
        for (path, bytes) in &file_actions {
            port.write_file(path, bytes, FILE_SDDL).map_err(|e| {
                step(
                    done,
                    api(
                        format!("could not write {path}"),
                        e,
                        Some("close any mapdrive still running from there (a running executable cannot be replaced) and install again"),
                    ),
                )
            })
            .inspect_err(|err| audit_trail::report_schedule_failure(port, &task, &asked, err))?;
            done = true;
        }
        // After the copies (the message file is the copied mapdrive.exe), before the task.
        register_event_source(port, false);
        if task_change.is_change() {
            port.register_task(req.name.as_str(), &definition)
                .map_err(|e| {
                    step(
                        done,
                        api(
                            format!("could not register the scheduled task {}", req.name),
                            e,
                            Some("make sure the Task Scheduler service (Schedule) is running; `mapdrive schedule install ... --check` prints the definition that was refused"),
                        ),
                    )
                })
                .inspect_err(|err| audit_trail::report_schedule_failure(port, &task, &asked, err))?;
        }
        if changed {
            let before = match task_change {
                Change::Create => "not registered".to_string(),
                Change::Update => "registered with another definition".to_string(),
                _ => "registered as asked".to_string(),
            };
            let what: Vec<String> = files
                .iter()
                .filter(|f| f.change.is_change())
                .map(|f| f.path.clone())
                .chain(
                    event_source
                        .as_ref()
                        .filter(|e| e.changed)
                        .map(|e| format!("HKLM\\{}", e.key.trim_start_matches("HKLM\\"))),
                )
                .chain(
                    task_change
                        .is_change()
                        .then(|| format!("task {}", req.name)),
                )
                .collect();
            if let Err(e) = audit_trail::report_schedule(
                port,
                AuditKind::ScheduledTaskInstalled,
                &task,
                before,
                asked.clone(),
                what.join(", "),
            ) {
                warnings.push(audit_trail::not_logged(&e));
            }
        }
    }

    Ok(InstallOutcome {
        changed,
        check: req.check,
        task: req.name.as_str().to_string(),
        change: task_change,
        principal: principal.describe(),
        program,
        file,
        files,
        event_source,
        warnings,
        definition,
    })
}

/// What `schedule status` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TaskStatus {
    /// The task's name.
    pub task: String,
    /// Whether it is registered.
    pub registered: bool,
    /// Whether it is enabled (`null` when not registered).
    pub enabled: Option<bool>,
    /// Its triggers, as the registered definition holds them (empty when the scheduler does not
    /// report them: Wine 8 drops them).
    pub triggers: Vec<TriggerInfo>,
    /// The program it runs (`null` when not reported).
    pub program: Option<String>,
    /// Its arguments (`null` when not reported).
    pub arguments: Option<String>,
    /// When it last ran (local time, ISO 8601), `null` if never.
    pub last_run: Option<String>,
    /// `LastTaskResult`: the exit code of the last run (0 = everything holds, 1 = something
    /// did not, 2 = bad input), or an HRESULT such as 0x41303 (has not run yet).
    pub last_result: Option<u32>,
    /// What `last_result` means.
    pub last_result_text: Option<String>,
    /// When it runs next, if on a schedule (the triggers here are events: usually `null`).
    pub next_run: Option<String>,
    /// The registered definition (Task Scheduler XML), `null` when not registered.
    pub definition: Option<String>,
}

/// Plain words for a `LastTaskResult`.
pub fn result_text(code: u32) -> String {
    match code {
        0 => "success: every item holds (exit code 0)".into(),
        1 => "exit code 1: an item did not hold or Windows refused a change (see the log of mapdrivew.exe)".into(),
        2 => "exit code 2: the file was refused (invalid input); nothing was changed".into(),
        3 => "exit code 3: mapdrive refused an item".into(),
        SCHED_S_TASK_HAS_NOT_RUN => "0x41303 SCHED_S_TASK_HAS_NOT_RUN: the task has not run yet".into(),
        SCHED_S_TASK_RUNNING => "0x41301 SCHED_S_TASK_RUNNING: the task is running".into(),
        0x8004_131F => "0x8004131F SCHED_E_ALREADY_RUNNING: an instance was already running (IgnoreNew)".into(),
        0x8007_0002 => "0x80070002 ERROR_FILE_NOT_FOUND: the program or the file is not there".into(),
        c if c >= 0x8000_0000 => format!("HRESULT 0x{c:08X}"),
        c => format!("exit code {c}"),
    }
}

/// `schedule status`.
pub fn status(port: &dyn Port, name: &TaskName) -> Result<TaskStatus, Error> {
    let task = port.scheduled_task(name.as_str()).map_err(|e| {
        api(
            format!("could not read the scheduled task {name}"),
            e,
            Some("make sure the Task Scheduler service (Schedule) is running"),
        )
    })?;
    Ok(match task {
        None => TaskStatus {
            task: name.to_string(),
            registered: false,
            enabled: None,
            triggers: Vec::new(),
            program: None,
            arguments: None,
            last_run: None,
            last_result: None,
            last_result_text: None,
            next_run: None,
            definition: None,
        },
        Some(ScheduledTask {
            definition,
            enabled,
            last_run,
            last_result,
            next_run,
        }) => {
            let action = xml::action(&definition);
            TaskStatus {
                task: name.to_string(),
                registered: true,
                enabled: Some(enabled),
                triggers: xml::triggers(&definition),
                program: action.as_ref().map(|a| a.0.clone()),
                arguments: action.map(|a| a.1),
                last_run,
                last_result,
                last_result_text: last_result.map(result_text),
                next_run,
                definition: Some(definition),
            }
        }
    })
}

/// What `schedule remove` did (or would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RemoveOutcome {
    /// Whether anything changed (with `--check`: would change).
    pub changed: bool,
    /// Check mode: nothing was changed.
    pub check: bool,
    /// The task's name.
    pub task: String,
    /// `delete`, or `absent` when there was no such task.
    pub change: Change,
    /// Things that are not errors (an audit event the Application log did not take).
    pub warnings: Vec<String>,
}

/// `schedule remove`: deletes the task (the files an `--all-users` install copied stay: other
/// tasks may run the same executables).
pub fn remove(port: &mut dyn Port, name: &TaskName, check: bool) -> Result<RemoveOutcome, Error> {
    let existing = port.scheduled_task(name.as_str()).map_err(|e| {
        api(
            format!("could not read the scheduled task {name}"),
            e,
            Some("make sure the Task Scheduler service (Schedule) is running"),
        )
    })?;
    let change = if existing.is_some() {
        Change::Delete
    } else {
        Change::Absent
    };
    let mut warnings = Vec::new();
    if change == Change::Delete && !check {
        let task = format!("scheduled task {name}");
        port.delete_task(name.as_str())
            .map_err(|e| {
                api(
                    format!("could not delete the scheduled task {name}"),
                    e,
                    Some(
                        "a task another user registered can be deleted only from an elevated prompt",
                    ),
                )
            })
            .inspect_err(|err| audit_trail::report_schedule_failure(port, &task, "delete", err))?;
        if let Err(e) = audit_trail::report_schedule(
            port,
            AuditKind::ScheduledTaskRemoved,
            &task,
            "registered".into(),
            "not registered".into(),
            String::new(),
        ) {
            warnings.push(audit_trail::not_logged(&e));
        }
    }
    Ok(RemoveOutcome {
        changed: change.is_change(),
        check,
        task: name.to_string(),
        change,
        warnings,
    })
}

/// An OLE Automation date (`DATE`: days since 1899-12-30, the fraction is the time of day), as
/// `IRegisteredTask::get_LastRunTime` returns it, in ISO 8601 (`2026-12-05T03:04:05`, the time as
/// Task Scheduler gave it); `None` for the zero date Task Scheduler reports for "never" (and
/// anything before 1970, which no task run can have, or not finite).
pub fn ole_date_text(date: f64) -> Option<String> {
    /// 1970-01-01 as an OLE date.
    const UNIX_EPOCH_DAYS: f64 = 25_569.0;
    if !date.is_finite() || date < UNIX_EPOCH_DAYS {
        return None;
    }
    let seconds = ((date - UNIX_EPOCH_DAYS) * 86_400.0).round() as u64;
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    let text = humantime::format_rfc3339_seconds(at).to_string();
    Some(text.trim_end_matches('Z').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names_are_mapdrive_or_mapdrive_dash_name() {
        assert_eq!(TaskName::new(None).unwrap().as_str(), "mapdrive");
        assert_eq!(
            TaskName::new(Some("office-1.b_c")).unwrap().as_str(),
            "mapdrive-office-1.b_c"
        );
        for bad in [
            "",
            "-x",
            ".x",
            "a b",
            r"a\b",
            "a/b",
            "a:b",
            "é",
            "a*",
            "a\"",
            &"x".repeat(65),
        ] {
            let e = TaskName::new(Some(bad)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn file_paths_with_quotes_or_control_characters_are_refused() {
        assert!(validate_file_path(r"C:\R&D\it's <x>.yaml").is_ok());
        for bad in ["", "C:\\a\"b.yaml", "C:\\a\nb.yaml", "C:\\a\u{7}.yaml"] {
            assert_eq!(validate_file_path(bad).unwrap_err().exit_code(), 2);
        }
    }

    #[test]
    fn ole_dates_become_iso_8601() {
        assert_eq!(ole_date_text(0.0), None);
        assert_eq!(ole_date_text(f64::NAN), None);
        assert_eq!(
            ole_date_text(25_569.0).as_deref(),
            Some("1970-01-01T00:00:00")
        );
        // 2026-12-05 03:04:05
        let d = 46_361.0 + (3.0 * 3600.0 + 4.0 * 60.0 + 5.0) / 86_400.0;
        assert_eq!(ole_date_text(d).as_deref(), Some("2026-12-05T03:04:05"));
        assert_eq!(
            ole_date_text(36_526.5).as_deref(),
            Some("2000-01-01T12:00:00")
        );
    }

    #[test]
    fn results_are_explained() {
        assert!(result_text(0).starts_with("success"));
        assert!(result_text(SCHED_S_TASK_HAS_NOT_RUN).contains("has not run"));
        assert_eq!(result_text(0x8004_1234), "HRESULT 0x80041234");
    }
}

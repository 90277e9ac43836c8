//! Helpers shared by the model test modules: parsing shorthands, what `net use` shows, running
//! `mapdrive` against the model, and a port wrapper with hooks.

use std::io;

use clap::Parser;
use mapdrive::cli::{Cli, run};
use mapdrive::frontend::report::Report;
use mapdrive_core::domain::{DriveLetter, RemotePath, Secret};
use mapdrive_core::engine::SecretInput;
use mapdrive_core::error::ApiError;
use mapdrive_core::port::{Action, Fact, Forward, Port, TokenChoice};
use mapdrive_model::fixture::{SVC, SVC_PW};
use mapdrive_model::{LogonKind, Machine};
use zeroize::Zeroizing;

/// `"M:"` as a letter.
pub fn l(s: &str) -> DriveLetter {
    s.parse().unwrap()
}

/// A UNC path.
pub fn unc(s: &str) -> RemotePath {
    s.parse().unwrap()
}

/// A secret.
pub fn secret(s: &str) -> Secret {
    Secret::new(Zeroizing::new(s.to_string())).unwrap()
}

/// Letters `net use` lists as connected here.
pub fn connected(m: &Machine) -> Vec<String> {
    m.connected()
        .unwrap()
        .iter()
        .map(|c| c.letter.to_string())
        .collect()
}

/// Letters of `HKCU\Network`.
pub fn remembered(m: &Machine) -> Vec<String> {
    m.remembered()
        .unwrap()
        .iter()
        .map(|r| r.letter.to_string())
        .collect()
}

/// Supplies stdin lines and prompt answers.
struct Input(String);

impl SecretInput for Input {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
    fn prompt(&mut self, _prompt: &str) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
}

/// Logs `user` on and runs the next commands in that (limited or default) session.
pub fn logon(m: &mut Machine, user: &str, kind: LogonKind) -> mapdrive_core::domain::Luid {
    let luid = m.logon(user, kind).unwrap();
    m.run_in(luid).unwrap();
    luid
}

/// `net use S: \\fileserver\svc /user:FILESERVER\svc PASSWORD /persistent:yes`: Windows remembers
/// the user name, never the password.
pub fn net_use_svc(m: &mut Machine) {
    m.add_connection(
        l("S:"),
        &unc(r"\\fileserver\svc"),
        Some(SVC),
        Some(&secret(SVC_PW)),
        true,
    )
    .unwrap();
}

/// `mapdrive map S: \\fileserver\svc --user FILESERVER\svc --password-stdin`, which must succeed.
pub fn map_svc(m: &mut Machine) {
    ok(&mapdrive_stdin(
        m,
        &[
            "map",
            "S:",
            r"\\fileserver\svc",
            "--user",
            SVC,
            "--password-stdin",
        ],
        SVC_PW,
    ));
}

/// `mapdrive ARGS`, with nothing on stdin; checks the JSON contract of what it prints.
pub fn mapdrive(m: &mut Machine, args: &[&str]) -> Report {
    mapdrive_stdin(m, args, "")
}

/// `mapdrive ARGS` with `stdin` as the line read from stdin (and the answer to prompts).
pub fn mapdrive_stdin(m: &mut Machine, args: &[&str], stdin: &str) -> Report {
    let cli = Cli::try_parse_from(std::iter::once("mapdrive").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let report = run(cli, Some(m), &mut Input(stdin.to_string()));
    crate::contract::check(args, &report);
    report
}

/// Standard input of several lines, read one line per call, as the real one is.
struct Lines(std::collections::VecDeque<String>);

impl SecretInput for Lines {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(
            self.0.pop_front().map(|l| l + "\n").unwrap_or_default(),
        ))
    }
    fn prompt(&mut self, _prompt: &str) -> io::Result<Zeroizing<String>> {
        self.stdin_line()
    }
    fn stdin_has_more(&mut self) -> io::Result<bool> {
        Ok(self.0.iter().any(|l| !l.trim().is_empty()))
    }
}

/// `mapdrive ARGS` with `lines` on standard input, one per read.
pub fn mapdrive_lines(m: &mut Machine, args: &[&str], lines: &[&str]) -> Report {
    let cli = Cli::try_parse_from(std::iter::once("mapdrive").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let report = run(
        cli,
        Some(m),
        &mut Lines(lines.iter().map(|l| l.to_string()).collect()),
    );
    crate::contract::check(args, &report);
    report
}

/// Asserts exit code 0 and returns stdout as JSON (`Null` when it is not JSON).
#[track_caller]
pub fn ok(r: &Report) -> serde_json::Value {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null)
}

/// The drive on `letter` in `list --json` output.
pub fn drive<'a>(list: &'a serde_json::Value, letter: &str) -> Option<&'a serde_json::Value> {
    list["drives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["letter"] == letter)
}

/// A hook run before every action of a [`Hooked`] port (with the method's name) and after each
/// successful one (`"<name>:done"`): it may act on the machine (another process doing something at
/// the same moment) and, before an action, return an error to inject instead of it.
pub type Hook<'h> = Box<dyn FnMut(&mut Machine, &str) -> Option<ApiError> + 'h>;

/// The session model with a hook before each action (facts pass straight through), counting
/// every call that reaches the machine, by method.
pub struct Hooked<'a, 'h> {
    m: &'a mut Machine,
    hook: Hook<'h>,
    calls: std::cell::RefCell<std::collections::BTreeMap<&'static str, u32>>,
}

impl<'a, 'h> Hooked<'a, 'h> {
    pub fn new(
        m: &'a mut Machine,
        hook: impl FnMut(&mut Machine, &str) -> Option<ApiError> + 'h,
    ) -> Self {
        Hooked {
            m,
            hook: Box::new(hook),
            calls: Default::default(),
        }
    }

    /// How often each port method reached the machine.
    pub fn calls(&self) -> std::collections::BTreeMap<&'static str, u32> {
        self.calls.borrow().clone()
    }

    fn count(&self, method: &'static str) {
        *self.calls.borrow_mut().entry(method).or_default() += 1;
    }
}

impl Forward for Hooked<'_, '_> {
    fn inner(&self) -> &dyn Port {
        &*self.m
    }

    fn inner_mut(&mut self) -> &mut dyn Port {
        &mut *self.m
    }

    /// Counts the read; a secret comparison is not counted (it is never cached, so not a read
    /// the caching tests are about).
    fn before_read(&self, fact: Fact) {
        if fact != Fact::CredentialSecretEquals {
            self.count(fact.name());
        }
    }

    /// Counts the action and runs the hook around it.
    fn act(
        &mut self,
        action: Action,
        op: impl FnOnce(&mut dyn Port) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let call = action.name();
        self.count(call);
        if let Some(e) = (self.hook)(self.m, call) {
            return Err(e);
        }
        op(&mut *self.m)?;
        let _ = (self.hook)(self.m, &format!("{call}:done"));
        Ok(())
    }
}

impl Port for Hooked<'_, '_> {
    mapdrive_core::forward_port!(
        identity,
        linked_connections,
        connected,
        remembered,
        dos_device,
        credential_caps,
        session_users,
        credentials,
        credential,
        credential_secret_equals,
        boot_devices,
        label,
        sessions,
        logon_sessions,
        global_namespace,
        console_output_code_page,
        lanman_provider_name,
        certificate_in_my_store,
        marshal_certificate,
        unmarshal_certificate,
        targeting_facts,
        registry_key_exists,
        registry_value,
        no_drives,
        gpp_record,
        add_connection,
        cancel_connection,
        forget,
        remember,
        set_remembered_user_name,
        write_credential,
        delete_credential,
        set_boot_device,
        remove_boot_device,
        set_label,
        set_linked_connections,
        set_no_drives,
        set_gpp_record,
        report_event,
        event_source,
        executable_path,
        set_event_source,
        scheduled_task,
        program_data,
        read_file,
        security_matches,
        register_task,
        delete_task,
        secure_directory,
        write_file,
    );

    // `write_credential_with_attributes` keeps the trait's default, which goes through
    // `write_credential` (the name the hooks of the tests look for).

    /// Counted, without the hook.
    fn use_token(&mut self, c: TokenChoice) -> Result<(), ApiError> {
        self.count("use_token");
        self.m.use_token(c)
    }
}

/// A plan's state as the JSON every front-end prints.
pub fn state_json(state: &Option<mapdrive_core::plan::State>) -> serde_json::Value {
    serde_json::to_value(state).unwrap()
}

/// A desired-state file on disk, kept until the test ends.
pub struct Doc {
    _dir: tempfile::TempDir,
    /// Its full path.
    pub path: String,
}

/// Writes `text` to a file named `name` in a fresh temporary folder.
pub fn doc_named(name: &str, text: &str) -> Doc {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    Doc { _dir: dir, path }
}

//! Helpers shared by the model test modules: parsing shorthands and what `net use` shows.

use mapdrive_core::domain::{
    CredentialInfo, CredentialKind, DriveLetter, Identity, LinkedConnections, RemotePath, Secret,
};
use mapdrive_core::error::ApiError;
use mapdrive_core::port::{
    BootDevice, Connection, CredentialWrite, Port, Remembered, SessionView, TokenChoice,
};
use mapdrive_model::Machine;
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

    fn around(
        &mut self,
        call: &'static str,
        action: impl FnOnce(&mut Machine) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        self.count(call);
        if let Some(e) = (self.hook)(self.m, call) {
            return Err(e);
        }
        action(self.m)?;
        let _ = (self.hook)(self.m, &format!("{call}:done"));
        Ok(())
    }
}

impl Port for Hooked<'_, '_> {
    fn identity(&self) -> Result<Identity, ApiError> {
        self.count("identity");
        self.m.identity()
    }
    fn linked_connections(&self) -> Result<LinkedConnections, ApiError> {
        self.count("linked_connections");
        self.m.linked_connections()
    }
    fn connected(&self) -> Result<Vec<Connection>, ApiError> {
        self.count("connected");
        self.m.connected()
    }
    fn remembered(&self) -> Result<Vec<Remembered>, ApiError> {
        self.count("remembered");
        self.m.remembered()
    }
    fn dos_device(&self, letter: DriveLetter) -> Result<Option<String>, ApiError> {
        self.count("dos_device");
        self.m.dos_device(letter)
    }
    fn credential_caps(&self) -> Result<mapdrive_core::domain::CredentialCaps, ApiError> {
        self.count("credential_caps");
        self.m.credential_caps()
    }
    fn session_users(&self) -> Result<mapdrive_core::domain::SessionUsers, ApiError> {
        self.count("session_users");
        self.m.session_users()
    }
    fn credentials(&self) -> Result<Vec<CredentialInfo>, ApiError> {
        self.count("credentials");
        self.m.credentials()
    }
    fn credential(&self, t: &str, k: CredentialKind) -> Result<Option<CredentialInfo>, ApiError> {
        self.count("credential");
        self.m.credential(t, k)
    }
    fn credential_secret_equals(
        &self,
        t: &str,
        k: CredentialKind,
        s: &Secret,
    ) -> Result<Option<bool>, ApiError> {
        self.m.credential_secret_equals(t, k, s)
    }
    fn boot_devices(&self) -> Result<Vec<BootDevice>, ApiError> {
        self.count("boot_devices");
        self.m.boot_devices()
    }
    fn label(&self, r: &RemotePath) -> Result<Option<String>, ApiError> {
        self.count("label");
        self.m.label(r)
    }
    fn sessions(&self) -> Result<Vec<SessionView>, ApiError> {
        self.count("sessions");
        self.m.sessions()
    }
    fn logon_sessions(&self) -> Result<Vec<mapdrive_core::port::LogonSessionInfo>, ApiError> {
        self.count("logon_sessions");
        self.m.logon_sessions()
    }
    fn global_namespace(&self) -> Result<mapdrive_core::port::GlobalNamespace, ApiError> {
        self.count("global_namespace");
        self.m.global_namespace()
    }
    fn console_output_code_page(&self) -> Option<u32> {
        self.m.console_output_code_page()
    }
    fn add_connection(
        &mut self,
        a: DriveLetter,
        b: &RemotePath,
        c: Option<&str>,
        d: Option<&Secret>,
        e: bool,
    ) -> Result<(), ApiError> {
        self.around("add_connection", |m| m.add_connection(a, b, c, d, e))
    }
    fn cancel_connection(&mut self, a: DriveLetter, b: bool, c: bool) -> Result<(), ApiError> {
        self.around("cancel_connection", |m| m.cancel_connection(a, b, c))
    }
    fn forget(&mut self, a: DriveLetter) -> Result<(), ApiError> {
        self.around("forget", |m| m.forget(a))
    }
    fn remember(&mut self, e: &Remembered) -> Result<(), ApiError> {
        self.around("remember", |m| m.remember(e))
    }
    fn set_remembered_user_name(&mut self, a: DriveLetter, u: &str) -> Result<(), ApiError> {
        self.around("set_remembered_user_name", |m| {
            m.set_remembered_user_name(a, u)
        })
    }
    fn write_credential(&mut self, c: &CredentialWrite<'_>) -> Result<(), ApiError> {
        self.around("write_credential", |m| m.write_credential(c))
    }
    fn delete_credential(&mut self, t: &str, k: CredentialKind) -> Result<(), ApiError> {
        self.around("delete_credential", |m| m.delete_credential(t, k))
    }
    fn set_boot_device(&mut self, n: &str, t: &str) -> Result<(), ApiError> {
        self.around("set_boot_device", |m| m.set_boot_device(n, t))
    }
    fn remove_boot_device(&mut self, n: &str) -> Result<(), ApiError> {
        self.around("remove_boot_device", |m| m.remove_boot_device(n))
    }
    fn set_label(&mut self, r: &RemotePath, l: Option<&str>) -> Result<(), ApiError> {
        self.around("set_label", |m| m.set_label(r, l))
    }
    fn set_linked_connections(&mut self, e: Option<bool>) -> Result<(), ApiError> {
        self.around("set_linked_connections", |m| m.set_linked_connections(e))
    }
    fn use_token(&mut self, c: TokenChoice) -> Result<(), ApiError> {
        self.count("use_token");
        self.m.use_token(c)
    }
}

/// A plan's state as the JSON every front-end prints.
pub fn state_json(state: &Option<mapdrive_core::plan::State>) -> serde_json::Value {
    serde_json::to_value(state).unwrap()
}

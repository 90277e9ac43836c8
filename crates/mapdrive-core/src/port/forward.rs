//! Port wrappers without hand-written forwarding: a wrapper (a cache, a test's hook) implements
//! [`Forward`] to name the port it wraps and what to do around each call, writes the methods it
//! changes, and lets [`forward_port!`](crate::forward_port) generate the rest:
//!
//! ```text
//! impl Port for Wrapper<'_> {
//!     fn connected(&self) -> Result<Vec<Connection>, ApiError> { /* its own */ }
//!     mapdrive_core::forward_port!(identity, remembered, add_connection /* , ... */);
//! }
//! ```

use crate::error::ApiError;
use crate::port::Port;

/// A port method that reads a fact (takes `&self`), as told to [`Forward::before_read`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    Identity,
    LinkedConnections,
    Connected,
    Remembered,
    DosDevice,
    CredentialCaps,
    SessionUsers,
    Credentials,
    Credential,
    CredentialSecretEquals,
    BootDevices,
    Label,
    Sessions,
    LogonSessions,
    GlobalNamespace,
    ConsoleOutputCodePage,
    LanmanProviderName,
    CertificateInMyStore,
    MarshalCertificate,
    UnmarshalCertificate,
    TargetingFacts,
    RegistryKeyExists,
    RegistryValue,
    NoDrives,
    GppRecord,
    EventSource,
    ExecutablePath,
    ScheduledTask,
    ProgramData,
    ReadFile,
    SecurityMatches,
}

impl Fact {
    /// The [`Port`] method's name.
    pub fn name(self) -> &'static str {
        match self {
            Fact::Identity => "identity",
            Fact::LinkedConnections => "linked_connections",
            Fact::Connected => "connected",
            Fact::Remembered => "remembered",
            Fact::DosDevice => "dos_device",
            Fact::CredentialCaps => "credential_caps",
            Fact::SessionUsers => "session_users",
            Fact::Credentials => "credentials",
            Fact::Credential => "credential",
            Fact::CredentialSecretEquals => "credential_secret_equals",
            Fact::BootDevices => "boot_devices",
            Fact::Label => "label",
            Fact::Sessions => "sessions",
            Fact::LogonSessions => "logon_sessions",
            Fact::GlobalNamespace => "global_namespace",
            Fact::ConsoleOutputCodePage => "console_output_code_page",
            Fact::LanmanProviderName => "lanman_provider_name",
            Fact::CertificateInMyStore => "certificate_in_my_store",
            Fact::MarshalCertificate => "marshal_certificate",
            Fact::UnmarshalCertificate => "unmarshal_certificate",
            Fact::TargetingFacts => "targeting_facts",
            Fact::RegistryKeyExists => "registry_key_exists",
            Fact::RegistryValue => "registry_value",
            Fact::NoDrives => "no_drives",
            Fact::GppRecord => "gpp_record",
            Fact::EventSource => "event_source",
            Fact::ExecutablePath => "executable_path",
            Fact::ScheduledTask => "scheduled_task",
            Fact::ProgramData => "program_data",
            Fact::ReadFile => "read_file",
            Fact::SecurityMatches => "security_matches",
        }
    }
}

/// A port method that changes something (takes `&mut self`), as told to [`Forward::act`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    AddConnection,
    CancelConnection,
    Forget,
    Remember,
    SetRememberedUserName,
    WriteCredential,
    WriteCredentialWithAttributes,
    DeleteCredential,
    SetBootDevice,
    RemoveBootDevice,
    SetLabel,
    SetLinkedConnections,
    SetNoDrives,
    SetGppRecord,
    UseToken,
    SetEventSource,
    RegisterTask,
    DeleteTask,
    SecureDirectory,
    WriteFile,
}

impl Action {
    /// The [`Port`] method's name.
    pub fn name(self) -> &'static str {
        match self {
            Action::AddConnection => "add_connection",
            Action::CancelConnection => "cancel_connection",
            Action::Forget => "forget",
            Action::Remember => "remember",
            Action::SetRememberedUserName => "set_remembered_user_name",
            Action::WriteCredential => "write_credential",
            Action::WriteCredentialWithAttributes => "write_credential_with_attributes",
            Action::DeleteCredential => "delete_credential",
            Action::SetBootDevice => "set_boot_device",
            Action::RemoveBootDevice => "remove_boot_device",
            Action::SetLabel => "set_label",
            Action::SetLinkedConnections => "set_linked_connections",
            Action::SetNoDrives => "set_no_drives",
            Action::SetGppRecord => "set_gpp_record",
            Action::UseToken => "use_token",
            Action::SetEventSource => "set_event_source",
            Action::RegisterTask => "register_task",
            Action::DeleteTask => "delete_task",
            Action::SecureDirectory => "secure_directory",
            Action::WriteFile => "write_file",
        }
    }
}

/// A [`Port`] that wraps another one: what [`forward_port!`](crate::forward_port) needs.
pub trait Forward {
    /// The wrapped port, for facts.
    fn inner(&self) -> &dyn Port;
    /// The wrapped port, for actions.
    fn inner_mut(&mut self) -> &mut dyn Port;
    /// Told before a forwarded fact is read from the wrapped port. Does nothing by default.
    fn before_read(&self, fact: Fact) {
        let _ = fact;
    }
    /// Runs a forwarded action: `op` performs it on the wrapped port. By default just that.
    fn act(
        &mut self,
        action: Action,
        op: impl FnOnce(&mut dyn Port) -> Result<(), ApiError>,
    ) -> Result<(), ApiError>
    where
        Self: Sized,
    {
        let _ = action;
        op(self.inner_mut())
    }
}

/// Generates, inside an `impl Port for W` where `W:` [`Forward`], the listed [`Port`] methods
/// as forwards to the wrapped port: facts after [`Forward::before_read`], actions through
/// [`Forward::act`]. List every method the wrapper does not write itself.
#[macro_export]
macro_rules! forward_port {
    ($($method:ident),+ $(,)?) => { $( $crate::forward_port!(@one $method); )+ };

    (@one identity) => { $crate::forward_port!(@fact Identity identity() -> $crate::domain::Identity); };
    (@one linked_connections) => {
        $crate::forward_port!(@fact LinkedConnections linked_connections() -> $crate::domain::LinkedConnections);
    };
    (@one connected) => {
        $crate::forward_port!(@fact Connected connected() -> ::std::vec::Vec<$crate::port::Connection>);
    };
    (@one remembered) => {
        $crate::forward_port!(@fact Remembered remembered() -> ::std::vec::Vec<$crate::port::Remembered>);
    };
    (@one dos_device) => {
        $crate::forward_port!(@fact DosDevice dos_device(letter: $crate::domain::DriveLetter)
            -> ::core::option::Option<::std::string::String>);
    };
    (@one credential_caps) => {
        $crate::forward_port!(@fact CredentialCaps credential_caps() -> $crate::domain::CredentialCaps);
    };
    (@one session_users) => {
        $crate::forward_port!(@fact SessionUsers session_users() -> $crate::domain::SessionUsers);
    };
    (@one credentials) => {
        $crate::forward_port!(@fact Credentials credentials() -> ::std::vec::Vec<$crate::domain::CredentialInfo>);
    };
    (@one credential) => {
        $crate::forward_port!(@fact Credential credential(target: &str, kind: $crate::domain::CredentialKind)
            -> ::core::option::Option<$crate::domain::CredentialInfo>);
    };
    (@one credential_secret_equals) => {
        $crate::forward_port!(@fact CredentialSecretEquals credential_secret_equals(
            target: &str, kind: $crate::domain::CredentialKind, secret: &$crate::domain::Secret
        ) -> ::core::option::Option<bool>);
    };
    (@one boot_devices) => {
        $crate::forward_port!(@fact BootDevices boot_devices() -> ::std::vec::Vec<$crate::port::BootDevice>);
    };
    (@one label) => {
        $crate::forward_port!(@fact Label label(remote: &$crate::domain::RemotePath)
            -> ::core::option::Option<::std::string::String>);
    };
    (@one sessions) => {
        $crate::forward_port!(@fact Sessions sessions() -> ::std::vec::Vec<$crate::port::SessionView>);
    };
    (@one logon_sessions) => {
        $crate::forward_port!(@fact LogonSessions logon_sessions()
            -> ::std::vec::Vec<$crate::port::LogonSessionInfo>);
    };
    (@one global_namespace) => {
        $crate::forward_port!(@fact GlobalNamespace global_namespace() -> $crate::port::GlobalNamespace);
    };
    (@one console_output_code_page) => {
        fn console_output_code_page(&self) -> ::core::option::Option<u32> {
            $crate::port::Forward::before_read(self, $crate::port::Fact::ConsoleOutputCodePage);
            $crate::port::Port::console_output_code_page($crate::port::Forward::inner(self))
        }
    };
    (@one lanman_provider_name) => {
        $crate::forward_port!(@fact LanmanProviderName lanman_provider_name() -> ::std::string::String);
    };
    (@one certificate_in_my_store) => {
        $crate::forward_port!(@fact CertificateInMyStore certificate_in_my_store(
            thumbprint: &$crate::domain::Thumbprint
        ) -> bool);
    };
    (@one marshal_certificate) => {
        $crate::forward_port!(@fact MarshalCertificate marshal_certificate(
            thumbprint: &$crate::domain::Thumbprint
        ) -> ::std::string::String);
    };
    (@one unmarshal_certificate) => {
        $crate::forward_port!(@fact UnmarshalCertificate unmarshal_certificate(user_name: &str)
            -> ::core::option::Option<$crate::domain::Thumbprint>);
    };
    (@one targeting_facts) => {
        $crate::forward_port!(@fact TargetingFacts targeting_facts() -> $crate::gpp::TargetingFacts);
    };
    (@one registry_key_exists) => {
        $crate::forward_port!(@fact RegistryKeyExists registry_key_exists(
            hive: $crate::gpp::Hive, key: &str
        ) -> bool);
    };
    (@one registry_value) => {
        $crate::forward_port!(@fact RegistryValue registry_value(
            hive: $crate::gpp::Hive, key: &str, name: &str
        ) -> ::core::option::Option<$crate::gpp::RegValue>);
    };
    (@one no_drives) => {
        $crate::forward_port!(@fact NoDrives no_drives() -> ::core::option::Option<u32>);
    };
    (@one gpp_record) => {
        $crate::forward_port!(@fact GppRecord gpp_record(key: &str)
            -> ::core::option::Option<::std::string::String>);
    };

    (@one add_connection) => {
        $crate::forward_port!(@action AddConnection add_connection(
            letter: $crate::domain::DriveLetter,
            remote: &$crate::domain::RemotePath,
            user: ::core::option::Option<&str>,
            password: ::core::option::Option<&$crate::domain::Secret>,
            remember: bool
        ));
    };
    (@one cancel_connection) => {
        $crate::forward_port!(@action CancelConnection cancel_connection(
            letter: $crate::domain::DriveLetter, forget: bool, force: bool
        ));
    };
    (@one forget) => {
        $crate::forward_port!(@action Forget forget(letter: $crate::domain::DriveLetter));
    };
    (@one remember) => {
        $crate::forward_port!(@action Remember remember(entry: &$crate::port::Remembered));
    };
    (@one set_remembered_user_name) => {
        $crate::forward_port!(@action SetRememberedUserName set_remembered_user_name(
            letter: $crate::domain::DriveLetter, user_name: &str
        ));
    };
    (@one write_credential) => {
        $crate::forward_port!(@action WriteCredential write_credential(
            cred: &$crate::port::CredentialWrite<'_>
        ));
    };
    (@one write_credential_with_attributes) => {
        $crate::forward_port!(@action WriteCredentialWithAttributes write_credential_with_attributes(
            cred: &$crate::port::CredentialWrite<'_>,
            attributes: &[$crate::domain::CredentialAttribute]
        ));
    };
    (@one delete_credential) => {
        $crate::forward_port!(@action DeleteCredential delete_credential(
            target: &str, kind: $crate::domain::CredentialKind
        ));
    };
    (@one set_boot_device) => {
        $crate::forward_port!(@action SetBootDevice set_boot_device(name: &str, target: &str));
    };
    (@one remove_boot_device) => {
        $crate::forward_port!(@action RemoveBootDevice remove_boot_device(name: &str));
    };
    (@one set_label) => {
        $crate::forward_port!(@action SetLabel set_label(
            remote: &$crate::domain::RemotePath, label: ::core::option::Option<&str>
        ));
    };
    (@one set_linked_connections) => {
        $crate::forward_port!(@action SetLinkedConnections set_linked_connections(
            enabled: ::core::option::Option<bool>
        ));
    };
    (@one set_no_drives) => {
        $crate::forward_port!(@action SetNoDrives set_no_drives(value: u32));
    };
    (@one set_gpp_record) => {
        $crate::forward_port!(@action SetGppRecord set_gpp_record(
            key: &str, record: ::core::option::Option<&str>
        ));
    };
    (@one event_source) => {
        $crate::forward_port!(@fact EventSource event_source()
            -> ::core::option::Option<$crate::audit::EventSourceRegistration>);
    };
    (@one executable_path) => {
        $crate::forward_port!(@fact ExecutablePath executable_path() -> ::std::string::String);
    };
    (@one set_event_source) => {
        $crate::forward_port!(@action SetEventSource set_event_source(
            registration: ::core::option::Option<&$crate::audit::EventSourceRegistration>
        ));
    };
    // Not an action on the machine's state: straight to the wrapped port, outside `act`.
    (@one report_event) => {
        fn report_event(
            &mut self,
            event: &$crate::audit::AuditEvent,
        ) -> ::core::result::Result<(), $crate::error::ApiError> {
            $crate::port::Port::report_event($crate::port::Forward::inner_mut(self), event)
        }
    };
    (@one use_token) => {
        $crate::forward_port!(@action UseToken use_token(choice: $crate::port::TokenChoice));
    };

    (@one scheduled_task) => {
        $crate::forward_port!(@fact ScheduledTask scheduled_task(name: &str)
            -> ::core::option::Option<$crate::port::ScheduledTask>);
    };
    (@one program_data) => {
        $crate::forward_port!(@fact ProgramData program_data() -> ::std::string::String);
    };
    (@one read_file) => {
        $crate::forward_port!(@fact ReadFile read_file(path: &str)
            -> ::core::option::Option<::std::vec::Vec<u8>>);
    };
    (@one security_matches) => {
        $crate::forward_port!(@fact SecurityMatches security_matches(path: &str, sddl: &str)
            -> ::core::option::Option<bool>);
    };
    (@one register_task) => {
        $crate::forward_port!(@action RegisterTask register_task(name: &str, definition: &str));
    };
    (@one delete_task) => {
        $crate::forward_port!(@action DeleteTask delete_task(name: &str));
    };
    (@one secure_directory) => {
        $crate::forward_port!(@action SecureDirectory secure_directory(path: &str, sddl: &str));
    };
    (@one write_file) => {
        $crate::forward_port!(@action WriteFile write_file(path: &str, contents: &[u8], sddl: &str));
    };

    (@fact $variant:ident $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty) => {
        fn $name(&self $(, $arg: $ty)*) -> ::core::result::Result<$ret, $crate::error::ApiError> {
            $crate::port::Forward::before_read(self, $crate::port::Fact::$variant);
            $crate::port::Port::$name($crate::port::Forward::inner(self) $(, $arg)*)
        }
    };
    (@action $variant:ident $name:ident ($($arg:ident : $ty:ty),* $(,)?)) => {
        fn $name(&mut self $(, $arg: $ty)*) -> ::core::result::Result<(), $crate::error::ApiError> {
            $crate::port::Forward::act(self, $crate::port::Action::$variant, |port| {
                $crate::port::Port::$name(port $(, $arg)*)
            })
        }
    };
}

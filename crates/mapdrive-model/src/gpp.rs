//! What Group Policy Drive Maps read and write, modelled: the computer's names, addresses,
//! version and languages, the groups of each user's tokens (the Administrators SID is deny-only
//! in the limited half of a split token, as UAC makes it), `HKLM` and each user's `HKCU`
//! (Explorer's `NoDrives`, mapdrive's records of what a `Drives.xml` applied).

use std::net::IpAddr;

use mapdrive_core::domain::Elevation;
use mapdrive_core::error::ApiError;
use mapdrive_core::gpp::{
    Hive, InMemoryRegistry, LanguageFacts, OsFacts, ProductType, RegValue, RegistryLookup,
    TargetingFacts, TokenGroup,
};

use super::{Machine, key};

/// `HKCU\Software\Microsoft\Windows\CurrentVersion\Policies\Explorer`, where `NoDrives` lives.
pub const EXPLORER_POLICIES: &str = r"Software\Microsoft\Windows\CurrentVersion\Policies\Explorer";
/// `HKCU\Software\mapdrive\Gpp`: one value per `Drives.xml` file, the record of what it applied.
pub const GPP_RECORDS: &str = r"Software\mapdrive\Gpp";

/// The computer's facts.
#[derive(Clone, Debug)]
pub(crate) struct Computer {
    pub netbios: String,
    pub dns: String,
    pub domain: String,
    /// The computer's own account-domain SID (local accounts are `<sid>-<rid>`).
    pub sid: String,
    /// Joined to the users' on-premises domain (`CORP`).
    pub joined: bool,
    pub ips: Vec<IpAddr>,
    pub os: OsFacts,
    pub languages: LanguageFacts,
    /// `HKLM`, `HKCR`, `HKU`, `HKCC`.
    pub registry: InMemoryRegistry,
}

impl Default for Computer {
    /// `HOST`, `host.corp.example`, joined to `CORP`, `10.1.2.30` and `fe80::30`, Windows 11
    /// 24H2 (10.0.26100) workstation, en-US everywhere.
    fn default() -> Computer {
        Computer {
            netbios: "HOST".into(),
            dns: "host.corp.example".into(),
            domain: "CORP".into(),
            sid: "S-1-5-21-9".into(),
            joined: true,
            ips: vec![
                IpAddr::from([10, 1, 2, 30]),
                IpAddr::from([0xfe80, 0, 0, 0, 0, 0, 0, 0x30]),
            ],
            os: OsFacts {
                major: 10,
                minor: 0,
                build: 26100,
                product_type: ProductType::Workstation,
                service_pack: 0,
            },
            languages: LanguageFacts {
                user: 0x0409,
                ui: 0x0409,
                system: 0x0409,
                native: 0x0409,
                installed: vec![0x0409],
            },
            registry: InMemoryRegistry::new(),
        }
    }
}

const BUILTIN_ADMINISTRATORS: &str = "S-1-5-32-544";

fn group(sid: &str, name: &str) -> TokenGroup {
    TokenGroup {
        sid: sid.into(),
        name: Some(name.into()),
        deny_only: false,
    }
}

impl Machine {
    // ---------------------------------------------------------------- scenario: targeting

    /// Adds a group to `user`'s tokens (as the domain controller's group membership would).
    pub fn add_group(&mut self, user: &str, sid: &str, name: &str) {
        if let Some(u) = self.users.get_mut(&key(user)) {
            u.groups.push(group(sid, name));
        }
    }

    /// Sets a variable in `user`'s environment block.
    pub fn set_user_environment(&mut self, user: &str, name: &str, value: &str) {
        if let Some(u) = self.users.get_mut(&key(user)) {
            u.environment.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            u.environment.push((name.into(), value.into()));
        }
    }

    /// Sets a registry value: `HKEY_CURRENT_USER` of `user` (`None` for the machine hives).
    pub fn set_registry_value(
        &mut self,
        user: Option<&str>,
        hive: Hive,
        key_path: &str,
        name: &str,
        value: RegValue,
    ) {
        match user {
            Some(u) => {
                if let Some(u) = self.users.get_mut(&key(u)) {
                    u.hkcu.set(hive, key_path, name, value);
                }
            }
            None => self.computer.registry.set(hive, key_path, name, value),
        }
    }

    /// Creates a registry key in a machine hive.
    pub fn add_registry_key(&mut self, hive: Hive, key_path: &str) {
        self.computer.registry.add_key(hive, key_path);
    }

    /// Whether the computer is joined to the users' on-premises domain (`false`: Entra-joined,
    /// the tokens carry no on-premises groups).
    pub fn set_domain_joined(&mut self, joined: bool) {
        self.computer.joined = joined;
    }

    /// `user`'s `NoDrives` (`None` when absent), whatever session the process is in.
    pub fn no_drives_of(&self, user: &str) -> Option<u32> {
        let u = self.users.get(&key(user))?;
        match u
            .hkcu
            .value(Hive::CurrentUser, EXPLORER_POLICIES, "NoDrives")
        {
            Some(RegValue::Dword(v)) => Some(v),
            _ => None,
        }
    }

    /// The names of `user`'s Group Policy records (`HKCU\Software\mapdrive\Gpp`).
    pub fn gpp_record_of(&self, user: &str, record: &str) -> Option<String> {
        let u = self.users.get(&key(user))?;
        match u.hkcu.value(Hive::CurrentUser, GPP_RECORDS, record) {
            Some(RegValue::Sz(s)) => Some(s),
            _ => None,
        }
    }

    // ---------------------------------------------------------------- port

    pub(crate) fn facts(&self) -> Result<TargetingFacts, ApiError> {
        const API: &str = "GetTokenInformation";
        let luid = self.token(API)?;
        let s = self.session(luid, API)?;
        let u = self.user_of(luid, API)?;
        let (domain, name) = u.name.split_once('\\').unwrap_or(("", u.name.as_str()));
        let mut groups = vec![
            group("S-1-1-0", r"\Everyone"),
            group("S-1-5-11", r"NT AUTHORITY\Authenticated Users"),
        ];
        let primary;
        if s.is_system() {
            groups.push(group(BUILTIN_ADMINISTRATORS, r"BUILTIN\Administrators"));
            primary = "S-1-5-18".to_string();
        } else {
            groups.push(group("S-1-5-32-545", r"BUILTIN\Users"));
            groups.push(group("S-1-5-4", r"NT AUTHORITY\INTERACTIVE"));
            if u.is_admin {
                let mut admins = group(BUILTIN_ADMINISTRATORS, r"BUILTIN\Administrators");
                // UAC's limited token keeps the Administrators SID for deny only.
                admins.deny_only = s.elevation == Elevation::Limited;
                groups.push(admins);
            }
            if u.local {
                primary = format!("{}-513", self.computer.sid);
                groups.push(group(&primary, &format!(r"{domain}\None")));
            } else {
                let domain_sid = u.sid.rsplit_once('-').map_or("", |(d, _)| d);
                primary = format!("{domain_sid}-513");
                groups.push(group(&primary, &format!(r"{domain}\Domain Users")));
                if self.computer.joined {
                    // UAC's limited token keeps Domain Admins, Schema Admins, Enterprise Admins
                    // and Group Policy Creator Owners for deny only, like Administrators.
                    groups.extend(u.groups.iter().cloned().map(|mut g| {
                        let rid = g.sid.rsplit('-').next().unwrap_or_default();
                        g.deny_only = s.elevation == Elevation::Limited
                            && matches!(rid, "512" | "518" | "519" | "520");
                        g
                    }));
                }
            }
            if u.local {
                groups.extend(u.groups.iter().cloned());
            }
        }
        let mut environment = vec![
            ("USERNAME".to_string(), name.to_string()),
            ("USERDOMAIN".to_string(), domain.to_string()),
            ("COMPUTERNAME".to_string(), self.computer.netbios.clone()),
            ("USERPROFILE".to_string(), format!(r"C:\Users\{name}")),
            ("SystemRoot".to_string(), r"C:\Windows".to_string()),
        ];
        if !u.local && !s.is_system() {
            environment.push(("LOGONSERVER".into(), r"\\DC01".into()));
            environment.push(("USERDNSDOMAIN".into(), "CORP.EXAMPLE".into()));
        }
        for (n, v) in &u.environment {
            environment.retain(|(e, _)| !e.eq_ignore_ascii_case(n));
            environment.push((n.clone(), v.clone()));
        }
        Ok(TargetingFacts {
            user_name: name.to_string(),
            user_domain: domain.to_string(),
            user_sid: u.sid.clone(),
            logon_server: if u.local || s.is_system() {
                self.computer.netbios.clone()
            } else {
                "DC01".into()
            },
            groups,
            primary_group_sid: Some(primary),
            joined_to_user_domain: u.local || s.is_system() || self.computer.joined,
            computer_netbios: self.computer.netbios.clone(),
            computer_dns: self.computer.dns.clone(),
            computer_domain: self.computer.domain.clone(),
            computer_sid: Some(self.computer.sid.clone()),
            environment,
            folders: vec![
                (
                    "AppDataDir".into(),
                    format!(r"C:\Users\{name}\AppData\Roaming"),
                ),
                ("DesktopDir".into(), format!(r"C:\Users\{name}\Desktop")),
            ],
            ip_addresses: self.computer.ips.clone(),
            os: self.computer.os.clone(),
            languages: self.computer.languages.clone(),
        })
    }

    fn hive_of(&self, hive: Hive, api: &'static str) -> Result<&InMemoryRegistry, ApiError> {
        if hive == Hive::CurrentUser {
            let luid = self.token(api)?;
            Ok(&self.user_of(luid, api)?.hkcu)
        } else {
            self.token(api)?;
            Ok(&self.computer.registry)
        }
    }

    pub(crate) fn reg_key_exists(&self, hive: Hive, key_path: &str) -> Result<bool, ApiError> {
        Ok(self
            .hive_of(hive, "RegOpenKeyExW")?
            .key_exists(hive, key_path))
    }

    pub(crate) fn reg_value(
        &self,
        hive: Hive,
        key_path: &str,
        name: &str,
    ) -> Result<Option<RegValue>, ApiError> {
        Ok(self
            .hive_of(hive, "RegQueryValueExW")?
            .value(hive, key_path, name))
    }

    pub(crate) fn hkcu_mut(
        &mut self,
        api: &'static str,
    ) -> Result<&mut InMemoryRegistry, ApiError> {
        let luid = self.token(api)?;
        Ok(&mut self.hkcu_owner_mut(luid, api)?.hkcu)
    }
}

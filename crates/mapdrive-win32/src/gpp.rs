//! The targeting facts of Group Policy Drive Maps, read for the token in effect: its user and
//! groups (`GetTokenInformation`), the computer's names (`GetComputerNameExW`), the process
//! environment, IPv4 addresses, the Windows version and the languages.
//!
//! Choices that keep the import table as it is (README "Build for Windows"): IP addresses come
//! from the TCP/IP interface keys (`HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\
//! Interfaces\*`: `IPAddress` and `DhcpIPAddress`; IPv4 only) rather than `GetAdaptersAddresses`
//! (iphlpapi.dll); the version from `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion` and
//! `ProductOptions` rather than `RtlGetVersion`; "joined to the user's domain" is "a domain
//! account on a computer with a DNS domain" rather than `NetGetJoinInformation` (netapi32.dll).

use std::net::IpAddr;

use windows_sys::Win32::Globalization::{
    GetSystemDefaultLangID, GetSystemDefaultUILanguage, GetUserDefaultLangID,
    GetUserDefaultUILanguage,
};
use windows_sys::Win32::System::SystemInformation::{
    COMPUTER_NAME_FORMAT, ComputerNameDnsDomain, ComputerNameDnsFullyQualified,
    ComputerNameNetBIOS, GetComputerNameExW,
};

use super::handle::last_error;
use super::registry::{self, Hive};
use super::{token, wide};
use mapdrive_core::error::ApiError;
use mapdrive_core::gpp::{
    Hive as GppHive, LanguageFacts, OsFacts, ProductType, RegValue, TargetingFacts, TokenGroup,
};

const ERROR_MORE_DATA: u32 = 234;

/// `GetComputerNameExW`; empty when the name is not set (a workgroup has no DNS domain).
fn computer_name(format: COMPUTER_NAME_FORMAT) -> Result<String, ApiError> {
    let mut len = 0u32;
    // SAFETY: a size probe with a NULL buffer; `len` is a valid out pointer.
    let ok = unsafe { GetComputerNameExW(format, core::ptr::null_mut(), &mut len) };
    if ok == 0 {
        let code = last_error();
        if code != ERROR_MORE_DATA {
            return Err(ApiError::new("GetComputerNameExW", code));
        }
    }
    if len == 0 {
        return Ok(String::new());
    }
    let mut buf = vec![0u16; len as usize + 1];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` writable UTF-16 units.
    if unsafe { GetComputerNameExW(format, buf.as_mut_ptr(), &mut len) } == 0 {
        return Err(ApiError::new("GetComputerNameExW", last_error()));
    }
    Ok(wide::from_buf(&buf))
}

fn text(v: Option<RegValue>) -> Option<String> {
    match v? {
        RegValue::Sz(s) | RegValue::ExpandSz(s) => Some(s),
        RegValue::Dword(n) => Some(n.to_string()),
        _ => None,
    }
}

fn machine_value(hive: &Hive, key: &str, name: &str) -> Option<RegValue> {
    registry::any_value(hive, GppHive::LocalMachine, key, name)
        .ok()
        .flatten()
}

fn os(hive: &Hive) -> OsFacts {
    const CURRENT: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion";
    let dword = |name: &str| match machine_value(hive, CURRENT, name) {
        Some(RegValue::Dword(n)) => Some(n),
        _ => None,
    };
    let (major, minor) = match (
        dword("CurrentMajorVersionNumber"),
        dword("CurrentMinorVersionNumber"),
    ) {
        (Some(a), Some(b)) => (a, b),
        // Before Windows 10: "6.1", "6.3".
        _ => text(machine_value(hive, CURRENT, "CurrentVersion"))
            .and_then(|v| {
                let (a, b) = v.split_once('.')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .unwrap_or((0, 0)),
    };
    let build = text(machine_value(hive, CURRENT, "CurrentBuildNumber"))
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    let product_type = match text(machine_value(
        hive,
        r"SYSTEM\CurrentControlSet\Control\ProductOptions",
        "ProductType",
    ))
    .as_deref()
    {
        Some(t) if t.eq_ignore_ascii_case("LanmanNT") => ProductType::DomainController,
        Some(t) if t.eq_ignore_ascii_case("ServerNT") => ProductType::Server,
        _ => ProductType::Workstation,
    };
    let service_pack = text(machine_value(hive, CURRENT, "CSDVersion"))
        .and_then(|s| s.rsplit(' ').next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    OsFacts {
        major,
        minor,
        build,
        product_type,
        service_pack,
    }
}

fn ip_addresses(hive: &Hive) -> Vec<IpAddr> {
    const INTERFACES: &str = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces";
    let mut out: Vec<IpAddr> = Vec::new();
    for sub in registry::machine_subkeys(INTERFACES).unwrap_or_default() {
        let key = format!(r"{INTERFACES}\{sub}");
        let mut found = Vec::new();
        match machine_value(hive, &key, "IPAddress") {
            Some(RegValue::MultiSz(v)) => found.extend(v),
            Some(RegValue::Sz(s)) => found.push(s),
            _ => {}
        }
        if let Some(s) = text(machine_value(hive, &key, "DhcpIPAddress")) {
            found.push(s);
        }
        for a in found {
            if let Ok(ip) = a.trim().parse::<IpAddr>()
                && !ip.is_unspecified()
                && !out.contains(&ip)
            {
                out.push(ip);
            }
        }
    }
    out
}

fn languages() -> LanguageFacts {
    // SAFETY: these take no arguments and only read the caller's settings.
    let (user, ui, system, native) = unsafe {
        (
            GetUserDefaultLangID(),
            GetUserDefaultUILanguage(),
            GetSystemDefaultLangID(),
            GetSystemDefaultUILanguage(),
        )
    };
    LanguageFacts {
        user,
        ui,
        system,
        native,
        installed: Vec::new(),
    }
}

/// The user's shell folders (`HKCU\...\Explorer\Shell Folders`) for the directory variables.
fn folders(hive: &Hive) -> Vec<(String, String)> {
    const SHELL: &str = r"Software\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders";
    const COMMON: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders";
    let mut out = Vec::new();
    for (var, value, hive_of) in [
        ("DesktopDir", "Desktop", GppHive::CurrentUser),
        ("FavoritesDir", "Favorites", GppHive::CurrentUser),
        ("NetPlacesDir", "NetHood", GppHive::CurrentUser),
        ("ProgramsDir", "Programs", GppHive::CurrentUser),
        ("RecentDocumentsDir", "Recent", GppHive::CurrentUser),
        ("SendToDir", "SendTo", GppHive::CurrentUser),
        ("StartMenuDir", "Start Menu", GppHive::CurrentUser),
        ("StartUpDir", "Startup", GppHive::CurrentUser),
        ("CommonDesktopDir", "Common Desktop", GppHive::LocalMachine),
        (
            "CommonFavoritesDir",
            "Common Favorites",
            GppHive::LocalMachine,
        ),
        (
            "CommonProgramsDir",
            "Common Programs",
            GppHive::LocalMachine,
        ),
        (
            "CommonStartMenuDir",
            "Common Start Menu",
            GppHive::LocalMachine,
        ),
        ("CommonStartUpDir", "Common Startup", GppHive::LocalMachine),
    ] {
        let key = if hive_of == GppHive::CurrentUser {
            SHELL
        } else {
            COMMON
        };
        if let Some(v) = text(
            registry::any_value(hive, hive_of, key, value)
                .ok()
                .flatten(),
        ) {
            out.push((var.to_string(), v));
        }
    }
    out
}

/// Everything targeting needs, for the token in effect (`hive` is its user's `HKCU`).
pub(crate) fn facts(hive: &Hive) -> Result<TargetingFacts, ApiError> {
    let tok = token::effective_token()?;
    let (user_sid, account) = token::user(&tok)?;
    let (groups, primary_group_sid) = token::groups(&tok)?;
    let (user_domain, user_name) = match account.split_once('\\') {
        Some((d, n)) => (d.to_string(), n.to_string()),
        None => (String::new(), account.clone()),
    };
    let computer_netbios = computer_name(ComputerNameNetBIOS)?;
    let computer_dns = computer_name(ComputerNameDnsFullyQualified)?;
    let dns_domain = computer_name(ComputerNameDnsDomain)?;
    let environment: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(n, v)| Some((n.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let env = |name: &str| {
        environment
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let local = user_domain.eq_ignore_ascii_case(&computer_netbios)
        || user_domain.eq_ignore_ascii_case("NT AUTHORITY")
        || user_domain.eq_ignore_ascii_case("BUILTIN");
    let computer_domain = env("USERDOMAIN").filter(|_| !local).unwrap_or_else(|| {
        dns_domain
            .split('.')
            .next()
            .unwrap_or_default()
            .to_uppercase()
    });
    let computer_sid = user_sid
        .rsplit_once('-')
        .map(|(d, _)| d.to_string())
        .filter(|_| local && user_sid.starts_with("S-1-5-21-"));
    Ok(TargetingFacts {
        logon_server: env("LOGONSERVER")
            .map(|s| s.trim_start_matches('\\').to_string())
            .unwrap_or_else(|| computer_netbios.clone()),
        joined_to_user_domain: local || !dns_domain.is_empty(),
        groups: groups
            .into_iter()
            .map(|g| TokenGroup {
                sid: g.sid,
                name: g.name,
                deny_only: g.deny_only,
            })
            .collect(),
        primary_group_sid,
        computer_netbios,
        computer_dns,
        computer_domain,
        computer_sid,
        folders: folders(hive),
        ip_addresses: ip_addresses(hive),
        os: os(hive),
        languages: languages(),
        environment,
        user_name,
        user_domain,
        user_sid,
    })
}

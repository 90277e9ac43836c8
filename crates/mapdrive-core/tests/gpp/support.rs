//! Facts, registries and XML builders shared by the tests.

use std::net::IpAddr;
use std::path::PathBuf;

use mapdrive_core::domain::DriveLetter;
use mapdrive_core::gpp::{
    AppliedRecord, DriveMaps, DriveState, Hive, InMemoryRegistry, LanguageFacts, LetterState,
    OsFacts, PlanOptions, ProductType, RegValue, RunPlan, TargetingFacts, TokenGroup, parse,
    parse_str, plan,
};

pub const DOMAIN_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333";
pub const SALES_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1187";
pub const TEAM_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1201";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("gpp")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn letter(c: char) -> DriveLetter {
    c.to_string().parse().unwrap()
}

/// CORP\alice on PC01, joined to CORP, member of Domain Users (primary) and Sales; the
/// Administrators SID is deny-only (a UAC-limited token).
pub fn facts() -> TargetingFacts {
    TargetingFacts {
        user_name: "alice".into(),
        user_domain: "CORP".into(),
        user_sid: format!("{DOMAIN_SID}-1104"),
        logon_server: "DC01".into(),
        groups: vec![
            TokenGroup {
                sid: format!("{DOMAIN_SID}-513"),
                name: Some("CORP\\Domain Users".into()),
                deny_only: false,
            },
            TokenGroup {
                sid: SALES_SID.into(),
                name: Some("CORP\\Sales".into()),
                deny_only: false,
            },
            TokenGroup {
                sid: "S-1-5-32-545".into(),
                name: Some("BUILTIN\\Users".into()),
                deny_only: false,
            },
            TokenGroup {
                sid: "S-1-5-32-544".into(),
                name: Some("BUILTIN\\Administrators".into()),
                deny_only: true,
            },
        ],
        primary_group_sid: Some(format!("{DOMAIN_SID}-513")),
        joined_to_user_domain: true,
        computer_netbios: "PC01".into(),
        computer_dns: "pc01.corp.example.com".into(),
        computer_domain: "CORP".into(),
        computer_sid: Some("S-1-5-21-9-9-9".into()),
        environment: vec![
            ("USERNAME".into(), "alice".into()),
            ("Dept".into(), "Sales".into()),
            ("SystemRoot".into(), "C:\\Windows".into()),
            (
                "APPDATA".into(),
                "C:\\Users\\alice\\AppData\\Roaming".into(),
            ),
        ],
        folders: vec![],
        ip_addresses: vec![
            "10.1.2.3".parse::<IpAddr>().unwrap(),
            "fd00::17".parse::<IpAddr>().unwrap(),
        ],
        os: OsFacts {
            major: 10,
            minor: 0,
            build: 19045,
            product_type: ProductType::Workstation,
            service_pack: 0,
        },
        languages: LanguageFacts {
            user: 0x0407,
            ui: 0x0409,
            system: 0x0409,
            native: 0x0409,
            installed: vec![0x0409, 0x0407],
        },
    }
}

pub fn registry() -> InMemoryRegistry {
    let mut r = InMemoryRegistry::new();
    r.add_key(Hive::LocalMachine, "SOFTWARE\\Corp\\MapAll");
    r.set(
        Hive::LocalMachine,
        "SOFTWARE\\Corp",
        "Site",
        RegValue::Sz("Berlin-HQ".into()),
    );
    r.set(
        Hive::LocalMachine,
        "SOFTWARE\\Corp",
        "Level",
        RegValue::Dword(0x1f),
    );
    r.set(
        Hive::LocalMachine,
        "SOFTWARE\\Corp",
        "Version",
        RegValue::Sz("4.2.1".into()),
    );
    r.set(
        Hive::LocalMachine,
        "SOFTWARE\\Corp",
        "Servers",
        RegValue::MultiSz(vec!["files1".into(), "files2".into()]),
    );
    r.set(
        Hive::LocalMachine,
        "SOFTWARE\\Corp",
        "Blob",
        RegValue::Binary(vec![0xde, 0xad, 0x01]),
    );
    r.set(
        Hive::CurrentUser,
        "Software\\Corp",
        "HomeServer",
        RegValue::Sz("files7".into()),
    );
    r
}

/// One `Drive` element. `props` are the Properties attributes; `filters` the `Filters` body
/// (none when empty).
pub fn drive(name: &str, common: &str, props: &str, filters: &str) -> String {
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!("\n    <Filters>\n      {filters}\n    </Filters>")
    };
    format!(
        "  <Drive clsid=\"{{935D1B74-9CB8-4e3c-9914-7DD559B7A417}}\" name=\"{name}\" \
         status=\"{name}\" image=\"2\" changed=\"2024-02-01 09:00:00\" \
         uid=\"{{00000000-0000-0000-0000-0000000000{n:02}}}\" {common}>\n    \
         <Properties {props}/>{filters}\n  </Drive>\n",
        n = name.bytes().next().unwrap_or(b'0') % 100
    )
}

/// A `Drives.xml` around the given `Drive` elements.
pub fn drives(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Drives clsid=\"{{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}}\">\n{}</Drives>\n",
        items.concat()
    )
}

/// Properties attributes in the editor's order.
pub fn props(action: &str, path: &str, letter: char, use_letter: bool, persistent: bool) -> String {
    format!(
        "action=\"{action}\" thisDrive=\"NOCHANGE\" allDrives=\"NOCHANGE\" userName=\"\" \
         path=\"{path}\" label=\"\" persistent=\"{}\" useLetter=\"{}\" letter=\"{letter}\"",
        u8::from(persistent),
        u8::from(use_letter)
    )
}

pub fn maps(xml: &str) -> DriveMaps {
    parse_str(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

pub fn run(xml: &str, state: &DriveState) -> RunPlan {
    run_with(
        xml,
        state,
        &AppliedRecord::default(),
        &PlanOptions::default(),
    )
}

pub fn run_with(
    xml: &str,
    state: &DriveState,
    previous: &AppliedRecord,
    options: &PlanOptions,
) -> RunPlan {
    plan(&maps(xml), &facts(), &registry(), state, previous, options)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn run_bytes(bytes: &[u8]) -> RunPlan {
    plan(
        &parse(bytes).unwrap(),
        &facts(),
        &registry(),
        &DriveState::default(),
        &AppliedRecord::default(),
        &PlanOptions::default(),
    )
    .unwrap()
}

pub fn state(entries: &[(char, LetterState)]) -> DriveState {
    DriveState {
        letters: entries
            .iter()
            .map(|(c, s)| (letter(*c), s.clone()))
            .collect(),
        no_drives: 0,
    }
}

pub fn connected(path: &str) -> LetterState {
    LetterState {
        connected: Some(path.into()),
        remembered: Some(path.into()),
        ..LetterState::default()
    }
}

pub fn connected_only(path: &str) -> LetterState {
    LetterState {
        connected: Some(path.into()),
        ..LetterState::default()
    }
}

pub fn remembered_only(path: &str) -> LetterState {
    LetterState {
        remembered: Some(path.into()),
        ..LetterState::default()
    }
}

pub fn local() -> LetterState {
    LetterState {
        local: true,
        ..LetterState::default()
    }
}

//! Every parser of outside data under property tests (stable Rust, proptest): command-line paths
//! (UNC and WebDAV), DOS-device targets, `HKCU\Network` and `Session Manager\DOS Devices` values
//! as Windows hands them over, credential targets, secrets from stdin, Ansible argument files, DSC
//! resource instances and configuration documents.
//!
//! Two properties each: no panic on any input, and no accepted value that a later step rejects
//! (what a parser accepts goes through the engine on the session model without an input error,
//! and whatever the doctor prints as a fix for a malformed entry is a command mapdrive accepts).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;

use mapdrive::cli::{parse, run};
use mapdrive::frontend::report::Report;
use mapdrive_core::domain::{
    CredentialKind, CredentialTarget, DosTarget, DriveLetter, Luid, RemotePath, lanman_target,
};
use mapdrive_core::engine::SecretInput;
use mapdrive_core::engine::secret_from_text;
use mapdrive_core::port::{Port, Remembered};
use mapdrive_model::fixture::{self, BOB};
use mapdrive_model::{LogonKind, Machine};
use proptest::prelude::*;
use zeroize::Zeroizing;

struct Stdin(String);

impl SecretInput for Stdin {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
    fn prompt(&mut self, _: &str) -> io::Result<Zeroizing<String>> {
        Ok(Zeroizing::new(self.0.clone()))
    }
}

/// The standard test host with a standard user (Bob) logged on interactively.
fn machine() -> Machine {
    let mut m = fixture::corp();
    let luid = m.logon(BOB, LogonKind::Interactive).unwrap();
    m.run_in(luid).unwrap();
    m
}

fn mapdrive(m: &mut Machine, args: &[&str], stdin: &str) -> Report {
    let cli = parse(std::iter::once("mapdrive").chain(args.iter().copied()))
        .unwrap_or_else(|r| panic!("{args:?} refused by the parser: {r:?}"));
    run(cli, Some(m), &mut Stdin(stdin.to_string()))
}

/// Text that looks like what arrives: mostly path-ish characters, sometimes anything.
fn pathish() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\\\[a-zA-Z0-9.@_ -]{0,20}(\\\\[a-zA-Z0-9.$@_ -]{0,12}){0,3}\\\\?",
        "\\\\[a-z0-9-]{1,12}@SSL(@[0-9]{1,6})?(\\\\[a-zA-Z0-9._-]{0,10}){0,3}",
        "\\\\[0-9a-f]{1,4}(-[0-9a-f]{0,4}){0,7}\\.ipv6-literal\\.net\\\\[a-z]{1,8}",
        "\\PC{0,40}",
    ]
}

/// A `Session Manager\DOS Devices` or `QueryDosDeviceW` target as Windows could hold it.
fn dos_target() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\\\Device\\\\(LanmanRedirector|Mup|WebDavRedirector)\\\\;[A-Z]?:?[0-9a-fA-F]{0,20}(\\\\[a-zA-Z0-9.@ $-]{0,12}){0,4}",
        "\\\\Device\\\\(HarddiskVolume[0-9]{1,2}|CdRom0)",
        "\\\\\\?\\?\\\\[A-Z]:\\\\[a-z]{0,8}",
        "\\PC{0,60}",
    ]
}

/// Every `mapdrive ...` command a fix mentions: from `mapdrive ` to a backtick, three spaces,
/// `, then`, ` (` or the end (outside double quotes).
fn commands_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("mapdrive ") {
        let tail = &rest[at..];
        let mut quoted = false;
        let mut end = tail.len();
        for (i, c) in tail.char_indices() {
            if c == '"' {
                quoted = !quoted;
            }
            if quoted {
                continue;
            }
            let here = &tail[i..];
            if c == '`'
                || here.starts_with("   ")
                || here.starts_with(", then")
                || here.starts_with(" (")
            {
                end = i;
                break;
            }
        }
        let cmd = tail[..end].trim_end_matches(['.', ')', ' ']);
        out.push(cmd.to_string());
        rest = &tail[end..];
    }
    out
}

/// Splits a command line the way cmd.exe would for these (double quotes group).
fn words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The fixes `doctor --json` prints are commands mapdrive accepts (or prose, never a broken
/// command).
fn assert_fixes_parse(doctor_json: &str) -> Result<(), TestCaseError> {
    let v: serde_json::Value = serde_json::from_str(doctor_json).unwrap();
    for f in v["findings"].as_array().into_iter().flatten() {
        let remedy = f["remedy"].as_str().unwrap_or_default();
        for cmd in commands_in(remedy) {
            if cmd.contains("...") || cmd.contains("SERVER") || cmd.contains('<') {
                continue; // a template, not a command
            }
            let w = words(&cmd);
            prop_assert!(
                parse(w.iter().map(String::as_str)).is_ok(),
                "doctor's fix `{}` is not a command mapdrive accepts ({})",
                cmd,
                f["code"]
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// An accepted path re-parses to itself, builds a redirector target that parses back to it,
    /// and `map` takes it without an input error (the engine's checks agree with the parser's).
    #[test]
    fn accepted_remote_paths_are_accepted_by_every_later_step(s in pathish()) {
        let Ok(path) = s.parse::<RemotePath>() else { return Ok(()) };
        let again: RemotePath = path.as_str().parse().unwrap();
        prop_assert_eq!(&again, &path);
        if !path.is_webdav() {
            let l = DriveLetter::from_byte(b'M').unwrap();
            let target = lanman_target(l, Luid(0x3e7), path.without_leading_separators());
            let parsed = DosTarget::parse(&target);
            prop_assert!(parsed.remote().is_some_and(|r| path.matches(r)), "{} -> {:?}", target, parsed);
        }
        let mut m = machine();
        let r = mapdrive(&mut m, &["map", "M:", path.as_str(), "--json"], "");
        prop_assert_ne!(r.code, 2, "{} accepted by the parser, refused later: {}", path, r.stdout);
    }

    #[test]
    fn dos_targets_never_panic_and_network_ones_name_a_path(t in dos_target()) {
        if let DosTarget::Network { remote, .. } = DosTarget::parse(&t) {
            prop_assert!(remote.starts_with("\\\\"), "{} -> {}", t, remote);
        }
    }

    /// Whatever `HKCU\Network` holds, list, doctor and restore answer (exit 0 or 1, never a panic
    /// or an input error), and the doctor's fixes are valid commands.
    #[test]
    fn any_hkcu_network_value_is_listed_diagnosed_and_restored(
        letter in proptest::char::range('A', 'Z'),
        remote in pathish(),
        user in proptest::option::of("\\PC{0,20}"),
        provider in "\\PC{0,20}",
    ) {
        let mut m = machine();
        m.remember(&Remembered {
            letter: DriveLetter::from_byte(letter as u8).unwrap(),
            remote,
            provider,
            provider_type: None,
            user_name: user,
        }).unwrap();
        for args in [&["list", "--json"][..], &["doctor", "--json"], &["restore", "--json"], &["restore", "--check", "--json"]] {
            let r = mapdrive(&mut m, args, "");
            prop_assert!(matches!(r.code, 0 | 1), "{:?}: exit {}\n{}{}", args, r.code, r.stdout, r.stderr);
            let _: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            if args[0] == "doctor" {
                assert_fixes_parse(&r.stdout)?;
            }
        }
    }

    /// Whatever `Session Manager\DOS Devices` holds, list and doctor answer, and the doctor's
    /// fixes for a malformed value are valid commands.
    #[test]
    fn any_boot_time_value_is_listed_and_diagnosed(
        name in prop_oneof!["[A-Z]:", "[A-Za-z0-9:]{0,4}", "\\PC{1,8}"],
        target in dos_target(),
    ) {
        let mut m = machine();
        m.run_as_system();
        if m.set_boot_device(&name, &target).is_err() {
            return Ok(());
        }
        for args in [&["list", "--json"][..], &["doctor", "--json"]] {
            let r = mapdrive(&mut m, args, "");
            prop_assert!(matches!(r.code, 0 | 1), "{:?}: exit {}\n{}{}", args, r.code, r.stdout, r.stderr);
            if args[0] == "doctor" {
                assert_fixes_parse(&r.stdout)?;
            }
        }
    }

    /// An accepted credential target is saved without an input error later.
    #[test]
    fn accepted_credential_targets_are_saved(t in prop_oneof!["[a-zA-Z0-9.*_-]{1,40}", "\\PC{0,60}", "[a-z]{300,340}"], generic: bool) {
        let kind = if generic { CredentialKind::GenericPassword } else { CredentialKind::DomainPassword };
        let Ok(target) = CredentialTarget::parse(&t, kind) else { return Ok(()) };
        let mut m = machine();
        let kind_arg = if generic { "generic_password" } else { "domain_password" };
        // After `--`, a target may start with '-'.
        let r = mapdrive(&mut m, &["cred", "set", "--type", kind_arg, "--user", BOB, "--secret-stdin", "--json", "--", target.as_str()], "s3cret\n");
        prop_assert_ne!(r.code, 2, "{:?} accepted by the parser, refused later: {}", t, r.stdout);
    }

    /// A secret the stdin reader accepts is stored without an input error, and never printed.
    #[test]
    fn accepted_secrets_are_stored_and_never_printed(s in prop_oneof!["\\PC{0,40}", "\u{feff}?[a-zA-Z0-9!#]{1,20}(\r?\n)?", "[a]{1,600}"]) {
        let Ok(_) = secret_from_text(Zeroizing::new(s.clone()), "secret") else { return Ok(()) };
        let mut m = machine();
        let r = mapdrive(&mut m, &["cred", "set", "fileserver", "--user", BOB, "--secret-stdin", "--json"], &s);
        prop_assert_ne!(r.code, 2, "{:?} accepted by the reader, refused later: {}", s, r.stdout);
        let trimmed = s.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
        if trimmed.len() >= 6 {
            prop_assert!(!r.stdout.contains(trimmed) && !r.stderr.contains(trimmed));
        }
    }

    /// Any Ansible arguments file: one JSON object back, never a panic, never the secret.
    #[test]
    fn ansible_argument_files_never_panic(
        body in prop_oneof![
            "\\PC{0,80}",
            "\\{\"ANSIBLE_MODULE_ARGS\": \\{\"letter\": \"[A-Z:]{0,3}\", \"path\": \"[a-z\\\\\\\\]{0,16}\", \"state\": \"(present|absent|x)\"\\}\\}",
            "\\{\"name\": \"[a-z*.]{0,10}\", \"type\": \"(domain_password|generic_password|x)\", \"secret\": \"Zz-secret-9\", \"username\": \"[a-z\\\\\\\\]{0,8}\", \"state\": \"(present|absent)\"\\}",
        ],
        module in 0usize..3,
    ) {
        use mapdrive::frontend::ansible::{Module, run as ansible};
        let module = [Module::MappedDrive, Module::Credential, Module::MappedDriveInfo][module];
        let mut m = machine();
        let out = ansible(&body, Some(module), Some(&mut m));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        prop_assert!(v.is_object(), "{}", out);
        prop_assert!(!out.contains("Zz-secret-9"), "{}", out);
    }

    /// Any DSC resource instance on stdin, for every operation and resource: no panic, exit 0-4,
    /// and an accepted `test` is followed by a `set` that takes the same instance.
    #[test]
    fn dsc_instances_never_panic(
        body in prop_oneof![
            "\\PC{0,80}",
            "\\{\"letter\": \"[A-Za-z:]{0,3}\", \"path\": \"(\\\\\\\\\\\\\\\\fileserver\\\\\\\\public|[a-z\\\\\\\\ ]{0,16})\"(, \"label\": \"[a-zA-Z ]{0,8}\")?(, \"_exist\": (true|false))?\\}",
            "\\{\"name\": \"[a-z*.]{0,10}\", \"type\": \"(domain_password|generic_password|x)\", \"username\": \"[a-zA-Z\\\\\\\\]{0,8}\", \"secret\": \"Zz-secret-9\"\\}",
        ],
        op in 0usize..4,
        kind in 0usize..4,
    ) {
        use mapdrive::frontend::dsc::{self, Kind, Level, Op};
        let op = [Op::Get, Op::Test, Op::Set, Op::Delete][op];
        let kind = Kind::ALL[kind];
        let mut m = machine();
        let r = dsc::run(op, kind, true, Some(&body), Some(&mut m), Level::Warn);
        prop_assert!(r.code <= 4, "{:?} {:?}: exit {}", op, kind, r.code);
        prop_assert!(!r.stdout.contains("Zz-secret-9") && !r.stderr.contains("Zz-secret-9"));
        if op == Op::Test && r.code == 0 {
            let set = dsc::run(Op::Set, kind, true, Some(&body), Some(&mut m), Level::Warn);
            prop_assert_ne!(set.code, 2, "test accepted {}, set --what-if refused it: {}", body, set.stderr);
        }
    }

    /// Any configuration document (YAML or JSON): no panic, and check mode writes nothing.
    #[test]
    fn configuration_documents_never_panic(
        body in prop_oneof![
            "\\PC{0,120}",
            "resources:\n  - name: [a-z ]{0,8}\n    type: Mapdrive/(MappedDrive|Credential|GlobalDrive|LinkedConnections|X)\n    properties:\n      letter: [A-Z:]{0,2}\n      path: (\\\\\\\\fileserver\\\\public|[a-z\\\\]{0,10})\n",
            "\\{\"resources\": \\[\\{\"name\": \"[a-z]{0,5}\", \"type\": \"Mapdrive/MappedDrive\", \"properties\": \\{\"letter\": \"[A-Z]\", \"path\": \"[a-z]{0,5}\"\\}, \"dependsOn\": \\[\"\\[resourceId\\('Mapdrive/MappedDrive','[a-z]{0,5}'\\)\\]\"\\]\\}\\]\\}",
        ],
    ) {
        use mapdrive::frontend::document::{self, Inputs, Options};
        let mut m = machine();
        let writes = m.writes();
        let env = |_: &str| None;
        let inputs = Inputs { parameters_file: None, stdin_parameters: Default::default(), env: &env };
        let options = Options { check: true, json: true, stop_on_error: false };
        if let Ok(report) = document::apply(&mut m, &body, &inputs, options) {
            let r = document::render(&report, true, false);
            let _: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        }
        prop_assert_eq!(m.writes(), writes, "check mode wrote");
    }
}

#[test]
fn the_doctor_fix_extractor_finds_commands() {
    assert_eq!(
        commands_in(
            "from an elevated prompt: mapdrive map M: \\\\fileserver\\team --session both   (or: mapdrive policy linked-connections on, then restart)"
        ),
        vec![
            "mapdrive map M: \\\\fileserver\\team --session both",
            "mapdrive policy linked-connections on"
        ]
    );
    assert_eq!(
        commands_in(
            r#"mapdrive unmap M:   then map the share to a free letter: mapdrive map X: "\\srv\a (b)""#
        ),
        vec!["mapdrive unmap M:", r#"mapdrive map X: "\\srv\a (b)""#]
    );
    assert_eq!(
        commands_in("run `mapdrive unmap Z: --global --at-boot` now"),
        vec!["mapdrive unmap Z: --global --at-boot"]
    );
    assert_eq!(
        words(r#"mapdrive map M: "a b""#),
        ["mapdrive", "map", "M:", "a b"]
    );
}

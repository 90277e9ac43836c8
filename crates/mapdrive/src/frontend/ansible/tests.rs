//! The modules against the session model: ansible.windows' scenarios (messages, `changed`, state
//! afterwards), check mode, diff, no_log, dispatch, and the logon sessions Wine cannot show.

use std::path::Path;

use serde_json::{Value, json};

use super::{Module, run};
use mapdrive_core::port::Port;
use mapdrive_model::fixture::{self, BOB, SVC, SVC_PW};
use mapdrive_model::{LogonKind, Machine};

/// The standard test host with Bob logged on (`kind`).
fn host(kind: LogonKind) -> Machine {
    let mut m = fixture::corp();
    let luid = m.logon(BOB, kind).unwrap();
    m.run_in(luid).unwrap();
    m
}

/// Runs `module` with `args` (plus `_ansible_*` keys) and parses the one JSON line.
fn module(m: &mut Machine, module: &str, args: Value) -> Value {
    let mut args = args;
    args["_ansible_module_name"] = json!(module);
    args["_ansible_verbosity"] = json!(3);
    args["_ansible_tracebacks_for"] = json!([]);
    let out = run(&args.to_string(), None, Some(m));
    assert!(
        out.is_ascii() && out.ends_with('\n') && out.lines().count() == 1,
        "{out}"
    );
    serde_json::from_str(&out).unwrap()
}

fn check(mut args: Value) -> Value {
    args["_ansible_check_mode"] = json!(true);
    args
}

fn remote_of(m: &Machine, letter: &str) -> Option<String> {
    m.remembered()
        .unwrap()
        .into_iter()
        .find(|r| r.letter.to_string() == letter)
        .map(|r| r.remote)
}

fn changed(v: &Value) -> bool {
    assert_ne!(v["failed"], json!(true), "{v}");
    v["changed"] == json!(true)
}

#[test]
fn win_mapped_drive_upstream_scenarios() {
    let mut m = host(LogonKind::Interactive);
    let md = "ansible.windows.win_mapped_drive";
    let public = r"\\fileserver\public";
    let team = r"\\fileserver\team";

    let v = module(&mut m, md, json!({"letter": "invalid", "state": "absent"}));
    assert_eq!(
        v["msg"],
        "letter must be a single letter from A-Z, was: invalid"
    );
    let v = module(&mut m, md, json!({"letter": "[", "state": "absent"}));
    assert_eq!(v["failed"], true, "the upstream A-z typo is not copied");
    let v = module(&mut m, md, json!({"letter": "T", "state": "present"}));
    assert_eq!(
        v["msg"],
        "state is present but all of the following are missing: path"
    );
    let v = module(&mut m, md, json!({"letter": "c", "path": public}));
    assert_eq!(
        v["msg"],
        "failed to create mapped drive c, this letter is in use and is pointing to a non UNC path"
    );
    assert!(v["detail"].as_str().unwrap().contains("local disk"), "{v}");

    let writes = m.writes();
    assert!(changed(&module(
        &mut m,
        md,
        check(json!({"letter": "T", "path": public}))
    )));
    assert_eq!(m.writes(), writes, "check mode writes nothing");
    assert_eq!(remote_of(&m, "T:"), None);
    assert!(changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "path": public})
    )));
    assert_eq!(remote_of(&m, "T:").as_deref(), Some(public));
    let writes = m.writes();
    assert!(!changed(&module(
        &mut m,
        md,
        json!({"letter": "t", "path": r"\\FILESERVER\Public\"})
    )));
    assert_eq!(m.writes(), writes, "a no-op writes nothing");

    assert!(changed(&module(
        &mut m,
        md,
        check(json!({"letter": "T", "path": team}))
    )));
    assert_eq!(remote_of(&m, "T:").as_deref(), Some(public));
    assert!(changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "path": team})
    )));
    assert_eq!(remote_of(&m, "T:").as_deref(), Some(team));

    let v = module(
        &mut m,
        md,
        json!({"letter": "T", "path": public, "state": "absent"}),
    );
    assert_eq!(
        v["msg"],
        r"did not delete mapped drive T, the target path is pointing to a different location at \\fileserver\team"
    );
    assert!(changed(&module(
        &mut m,
        md,
        check(json!({"letter": "T", "path": team, "state": "absent"}))
    )));
    assert_eq!(remote_of(&m, "T:").as_deref(), Some(team));
    assert!(changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "path": team, "state": "absent"})
    )));
    assert_eq!(remote_of(&m, "T:"), None);
    assert!(!changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "path": team, "state": "absent"})
    )));

    // Explicit credentials: first connection only, UserName blanked, a re-run is unchanged.
    let with_user =
        json!({"letter": "T", "path": r"\\fileserver\svc", "username": SVC, "password": SVC_PW});
    assert!(changed(&module(&mut m, md, check(with_user.clone()))));
    assert_eq!(remote_of(&m, "T:"), None);
    let v = module(&mut m, md, with_user.clone());
    assert!(changed(&v));
    let entry = m
        .remembered()
        .unwrap()
        .into_iter()
        .find(|r| r.letter.to_string() == "T:")
        .unwrap();
    assert_eq!(entry.user_name.as_deref(), Some(""));
    assert!(!changed(&module(&mut m, md, with_user)));
    // Delete without a path.
    assert!(changed(&module(
        &mut m,
        md,
        check(json!({"letter": "T", "state": "absent"}))
    )));
    assert!(remote_of(&m, "T:").is_some());
    assert!(changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "state": "absent"})
    )));
    assert!(!changed(&module(
        &mut m,
        md,
        json!({"letter": "T", "state": "absent"})
    )));
}

#[test]
fn win_mapped_drive_diff_no_log_and_booleans() {
    let mut m = host(LogonKind::Interactive);
    let args = json!({
        "letter": "S", "path": r"\\fileserver\svc", "username": SVC, "password": SVC_PW,
        "persistent": "no", "_ansible_diff": true,
    });
    let v = module(&mut m, "win_mapped_drive", args);
    assert!(changed(&v));
    assert_eq!(
        v["diff"],
        json!({"before": "", "after": {"letter": "S", "path": r"\\fileserver\svc"}})
    );
    assert_eq!(
        v["invocation"]["module_args"]["password"],
        "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    );
    assert_eq!(v["invocation"]["module_args"]["persistent"], false);
    assert!(!v.to_string().contains(SVC_PW));
    assert_eq!(remote_of(&m, "S:"), None, "persistent: no → not remembered");
    // Without _ansible_diff there is no diff.
    let v = module(
        &mut m,
        "win_mapped_drive",
        json!({"letter": "S", "state": "absent"}),
    );
    assert!(changed(&v) && v.get("diff").is_none());
}

#[test]
fn win_credential_upstream_scenarios() {
    let mut m = host(LogonKind::Interactive);
    let wc = "win_credential";
    let cred = |m: &Machine, kind| m.credential("testhost", kind).unwrap();
    let domain = mapdrive_core::domain::CredentialKind::DomainPassword;
    let generic = mapdrive_core::domain::CredentialKind::GenericPassword;
    let base = json!({"name": "testhost", "type": "domain_password", "username": r"DOMAIN\username", "secret": "password"});

    assert!(changed(&module(&mut m, wc, check(base.clone()))));
    assert!(cred(&m, domain).is_none());
    let v = module(&mut m, wc, base.clone());
    assert!(changed(&v));
    let c = cred(&m, domain).unwrap();
    assert_eq!(c.user_name.as_deref(), Some(r"DOMAIN\username"));
    assert_eq!((c.alias, c.comment), (None, None));
    assert_eq!(c.persistence, mapdrive_core::domain::Persistence::Local);
    // A domain password cannot be read back: always → changed; on_create → unchanged.
    let v = module(&mut m, wc, base.clone());
    assert!(changed(&v) && v["warnings"].to_string().contains("never returns"));
    let mut on_create = base.clone();
    on_create["update_secret"] = json!("on_create");
    assert!(!changed(&module(&mut m, wc, on_create)));

    // Update fields (the user change comes with its secret: see ansible/README.md's differences).
    let update = json!({"name": "testhost", "type": "domain_password", "username": r"DOMAIN\username2",
        "secret": "password2", "alias": "ansible", "comment": "Credential comment", "persistence": "enterprise",
        "update_secret": "on_create", "_ansible_diff": true});
    let v = module(&mut m, wc, check(update.clone()));
    assert!(changed(&v));
    assert_eq!(
        cred(&m, domain).unwrap().user_name.as_deref(),
        Some(r"DOMAIN\username")
    );
    let v = module(&mut m, wc, update.clone());
    assert!(changed(&v));
    assert_eq!(v["diff"]["before"]["persistence"], "LocalMachine");
    assert_eq!(
        v["diff"]["after"],
        json!({"alias": "ansible", "attributes": [], "comment": "Credential comment", "name": "testhost",
               "persistence": "Enterprise", "type": "DomainPassword", "username": r"DOMAIN\username2"})
    );
    let c = cred(&m, domain).unwrap();
    assert_eq!(c.alias.as_deref(), Some("ansible"));
    assert_eq!(c.comment.as_deref(), Some("Credential comment"));
    assert!(!changed(&module(&mut m, wc, update)));
    // Omitting alias and comment removes them, as ansible.windows does.
    let mut plain = base.clone();
    plain["username"] = json!(r"DOMAIN\username2");
    plain["update_secret"] = json!("on_create");
    plain["persistence"] = json!("enterprise");
    assert!(changed(&module(&mut m, wc, plain)));
    let c = cred(&m, domain).unwrap();
    assert_eq!((c.alias, c.comment), (None, None));

    // Remove (check, real, again), wildcard.
    let rm = json!({"name": "testhost", "type": "domain_password", "state": "absent"});
    assert!(changed(&module(&mut m, wc, check(rm.clone()))));
    assert!(cred(&m, domain).is_some());
    assert!(changed(&module(&mut m, wc, rm.clone())));
    assert!(cred(&m, domain).is_none());
    assert!(!changed(&module(&mut m, wc, rm)));
    let wild = json!({"name": "*.testhost", "type": "domain_password", "username": r"DOMAIN\username", "secret": "password", "persistence": "enterprise"});
    assert!(changed(&module(&mut m, wc, wild)));
    assert_eq!(
        m.credential("*.testhost", domain).unwrap().unwrap().target,
        "*.testhost"
    );
    assert!(changed(&module(
        &mut m,
        wc,
        json!({"name": "*.testhost", "type": "domain_password", "state": "absent"})
    )));

    // Generic password: readable, so a re-run compares and is unchanged.
    let gen_args = json!({"name": "testhost", "type": "generic_password", "persistence": "enterprise", "username": "genericuser", "secret": "genericpass"});
    assert!(changed(&module(&mut m, wc, check(gen_args.clone()))));
    assert!(cred(&m, generic).is_none());
    assert!(changed(&module(&mut m, wc, gen_args.clone())));
    assert!(!changed(&module(&mut m, wc, gen_args.clone())));
    // The same secret given as base64 of its UTF-16LE bytes is the same secret.
    let mut b64 = gen_args.clone();
    b64["secret"] = json!(mapdrive_core::domain::credential::base64_encode(
        &"genericpass"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    ));
    b64["secret_format"] = json!("base64");
    assert!(!changed(&module(&mut m, wc, b64)));
    let mut other = gen_args;
    other["secret"] = json!("otherpass");
    assert!(changed(&module(&mut m, wc, other)));

    let v = module(&mut m, wc, json!({"name": "x", "type": "domain_password"}));
    assert_eq!(
        v["msg"],
        "state is present but all of the following are missing: username"
    );
    let v = module(
        &mut m,
        wc,
        json!({"name": "x", "type": "password", "username": "u"}),
    );
    assert!(v["msg"].as_str().unwrap().starts_with("value of type must be one of: domain_certificate, domain_password, generic_certificate, generic_password"), "{v}");
}

#[test]
fn win_credential_on_create_with_another_change_keeps_the_secret() {
    // ansible.windows blanks the stored password here (`CRED_PRESERVE_CREDENTIAL_BLOB` is not
    // used); the server must still accept it.
    let mut m = host(LogonKind::Interactive);
    let args =
        json!({"name": "fileserver", "type": "domain_password", "username": SVC, "secret": SVC_PW});
    assert!(changed(&module(&mut m, "win_credential", args)));
    let args = json!({"name": "fileserver", "type": "domain_password", "username": SVC, "secret": "ignored-on-update",
        "comment": "now with a comment", "update_secret": "on_create"});
    assert!(changed(&module(&mut m, "win_credential", args)));
    let v = module(
        &mut m,
        "win_mapped_drive",
        json!({"letter": "S", "path": r"\\fileserver\svc"}),
    );
    assert!(changed(&v), "the saved password still works: {v}");
}

#[test]
fn win_credential_changes_the_user_without_a_secret_like_upstream_but_warns() {
    // Playbooks written for ansible.windows change the user without repeating the secret; the
    // module keeps that (the CLI refuses it) and says what it means.
    let mut m = host(LogonKind::Interactive);
    let args =
        json!({"name": "fileserver", "type": "domain_password", "username": SVC, "secret": SVC_PW});
    assert!(changed(&module(&mut m, "win_credential", args)));
    let v = module(
        &mut m,
        "win_credential",
        json!({"name": "fileserver", "type": "domain_password", "username": r"FILESERVER\other"}),
    );
    assert!(changed(&v), "{v}");
    assert!(v.get("failed").is_none(), "{v}");
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("without a secret"), "{v}");
}

#[test]
fn win_credential_without_a_vault_says_to_use_become() {
    let mut m = host(LogonKind::Network);
    let v = module(
        &mut m,
        "win_credential",
        json!({"name": "testhost", "type": "domain_password", "username": r"DOMAIN\username", "secret": "password"}),
    );
    assert_eq!(v["failed"], true);
    let msg = v["msg"].as_str().unwrap();
    assert!(
        msg.contains("Failed to access the user's credential store, run the module with become"),
        "{msg}"
    );
    assert!(
        msg.contains("become_method: runas") && msg.contains("1312"),
        "{msg}"
    );
    assert!(
        !v.to_string().contains("\"password\""),
        "no secret in the result: {v}"
    );
    // The info module does not fail: it warns and the doctor names MD008.
    let v = module(&mut m, "win_mapped_drive_info", json!({}));
    assert_eq!(v["changed"], false);
    assert!(v["warnings"].to_string().contains("MD008"), "{v}");
    assert!(v["findings"].to_string().contains("MD008"), "{v}");
}

#[test]
fn win_mapped_drive_info_reports_drives_credentials_identity_and_findings() {
    let mut m = host(LogonKind::Interactive);
    module(
        &mut m,
        "win_credential",
        json!({"name": "fileserver", "type": "domain_password", "username": SVC, "secret": SVC_PW}),
    );
    module(
        &mut m,
        "win_mapped_drive",
        json!({"letter": "S", "path": r"\\fileserver\svc"}),
    );
    let v = module(
        &mut m,
        "mapdrive.windows.win_mapped_drive_info",
        json!({"_ansible_check_mode": true}),
    );
    assert_eq!(v["changed"], false);
    assert_eq!(
        v["remembered"],
        json!([{"letter": "S:", "path": r"\\fileserver\svc", "user_name": ""}])
    );
    assert!(
        v["drives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["letter"] == "S:" && d["status"] == "OK"),
        "{v}"
    );
    assert_eq!(v["credentials"][0]["target"], "fileserver");
    assert_eq!(v["whoami"]["user"], BOB);
    assert!(v["whoami"].get("credential_persistence").is_some(), "{v}");
    assert!(v["findings"].is_array());
    assert!(!v.to_string().contains(SVC_PW));
}

#[test]
fn protocol_dispatch_unknown_options_and_bad_input() {
    // A command name, in any case, is the CLI even when a file of that name exists; an existing
    // file that is no command is an arguments file.
    let exe = Path::new("mapdrive.exe");
    for cmd in [
        "export",
        "EXPORT",
        "dsc",
        "Apply",
        "list",
        "help",
        "/?",
        "--version",
    ] {
        assert!(
            !super::is_module_invocation(exe, &[cmd.into()]),
            "{cmd} taken for a module"
        );
    }
    let args_file = std::env::temp_dir().join(format!("mapdrive-args-{}", std::process::id()));
    std::fs::write(&args_file, "{}").unwrap();
    assert!(super::is_module_invocation(
        exe,
        &[args_file.clone().into()]
    ));
    std::fs::remove_file(&args_file).unwrap();
    // `-` reads the arguments from standard input, whatever the exe is called.
    assert!(super::is_module_invocation(exe, &["-".into()]));
    assert!(super::is_module_invocation(
        Path::new("win_credential.exe"),
        &["-".into()]
    ));
    // An arguments file in UTF-16LE with a byte order mark (PowerShell 5.1's `>`) is read like
    // UTF-8: it gets as far as the port (none here), not an encoding error.
    let utf16 = std::env::temp_dir().join(format!("mapdrive-args16-{}", std::process::id()));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        r#"{"letter": "M", "path": "\\\\srv\\s", "_ansible_module_name": "win_mapped_drive"}"#
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    std::fs::write(&utf16, bytes).unwrap();
    let (out, code) = super::run_invocation(exe, &[utf16.clone().into()], None);
    std::fs::remove_file(&utf16).unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("run on Windows hosts only"), "{out}");
    let (out, code) = super::run_invocation(exe, &[utf16.into()], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("could not read the arguments file"), "{out}");

    let mut m = host(LogonKind::Interactive);
    // Chosen by the exe's name when _ansible_module_name is absent; the wrapper form is accepted.
    let exe = Module::from_exe(Path::new(r"C:\tmp\AnsiballZ_win_credential.exe"));
    assert_eq!(exe, Some(Module::Credential));
    assert_eq!(
        Module::from_exe(Path::new("win_mapped_drive_info.exe")),
        Some(Module::MappedDriveInfo)
    );
    assert_eq!(Module::from_exe(Path::new("mapdrive.exe")), None);
    let out = run(
        r#"{"ANSIBLE_MODULE_ARGS": {"name": "x", "type": "generic_password", "state": "absent"}}"#,
        exe,
        Some(&mut m),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["changed"], false, "{v}");
    let v = module(
        &mut m,
        "win_mapped_drive",
        json!({"letter": "M", "path": "x", "bogus": 1}),
    );
    assert_eq!(
        v["msg"],
        "Unsupported parameters for (win_mapped_drive) module: bogus. Supported parameters include: at_boot, force, global, label, letter, password, path, persistent, session, state, username"
    );
    let v: Value = serde_json::from_str(&run("not json", exe, Some(&mut m))).unwrap();
    assert_eq!(v["failed"], true);
    let v: Value = serde_json::from_str(&run(
        r#"{"_ansible_module_name": "win_other"}"#,
        None,
        Some(&mut m),
    ))
    .unwrap();
    assert!(
        v["msg"].as_str().unwrap().contains("does not implement"),
        "{v}"
    );
    let v: Value = serde_json::from_str(&run(
        r#"{"letter": "M", "state": "absent"}"#,
        Some(Module::MappedDrive),
        None,
    ))
    .unwrap();
    assert!(
        v["msg"].as_str().unwrap().contains("Windows hosts only"),
        "{v}"
    );
    assert_eq!(v["invocation"]["module_args"]["letter"], "M");
}

#[test]
fn win_credential_attributes_on_the_model() {
    // Wine 8 drops attributes on write: this is where upstream's attribute scenarios are held.
    let mut m = host(LogonKind::Interactive);
    let kind = mapdrive_core::domain::CredentialKind::DomainPassword;
    let b64 = |s: &str| mapdrive_core::domain::credential::base64_encode(s.as_bytes());
    let with = |attrs: Value| {
        json!({"name": "testhost", "type": "domain_password", "username": r"DOMAIN\username", "secret": "password",
               "update_secret": "on_create", "attributes": attrs, "_ansible_diff": true})
    };
    let two = json!([{"name": "attribute 1", "data": "attribute 1 value"},
                     {"name": "attribute 2", "data": b64("attribute 2 value"), "data_format": "base64"}]);
    let names = |m: &Machine| {
        m.credential("testhost", kind)
            .unwrap()
            .unwrap()
            .attributes
            .iter()
            .map(|a| {
                (
                    a.keyword.clone(),
                    String::from_utf8(a.value.clone()).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(changed(&module(
        &mut m,
        "win_credential",
        check(with(two.clone()))
    )));
    assert!(m.credential("testhost", kind).unwrap().is_none());
    let v = module(&mut m, "win_credential", with(two.clone()));
    assert!(changed(&v));
    assert_eq!(
        v["diff"]["after"]["attributes"][1],
        json!({"name": "attribute 2", "data": b64("attribute 2 value")})
    );
    assert_eq!(
        names(&m),
        [
            ("attribute 1".into(), "attribute 1 value".into()),
            ("attribute 2".into(), "attribute 2 value".into())
        ]
    );
    assert!(!changed(&module(
        &mut m,
        "win_credential",
        with(two.clone())
    )));
    // Omitted attributes are kept (upstream compares them only when given).
    let mut without = with(json!(null));
    without.as_object_mut().unwrap().remove("attributes");
    assert!(!changed(&module(&mut m, "win_credential", without)));
    let mut three = two.clone();
    three
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "attribute 3", "data": "attribute 3 value"}));
    assert!(changed(&module(&mut m, "win_credential", with(three))));
    assert_eq!(names(&m).len(), 3);
    assert!(changed(&module(
        &mut m,
        "win_credential",
        with(two.clone())
    )));
    assert_eq!(names(&m).len(), 2);
    let mut edited = two;
    edited[0]["data"] = json!("attribute 1 value new");
    assert!(changed(&module(&mut m, "win_credential", with(edited))));
    assert_eq!(names(&m)[0].1, "attribute 1 value new");
    // A change of letter case in the data is a change (upstream compared base64 case-insensitively).
    let cased = json!([{"name": "attribute 1", "data": "Attribute 1 value new"},
                       {"name": "attribute 2", "data": b64("attribute 2 value"), "data_format": "base64"}]);
    assert!(changed(&module(&mut m, "win_credential", with(cased))));
    let v = module(
        &mut m,
        "win_credential",
        with(json!([{"name": "x", "data": "not base64!", "data_format": "base64"}])),
    );
    assert!(
        v["msg"].as_str().unwrap().contains("not valid base64"),
        "{v}"
    );
}

#[test]
fn win_credential_certificates_on_the_model() {
    // Wine 8's CredWriteW refuses both certificate types with 87: upstream's certificate scenarios are held here.
    let mut m = host(LogonKind::Interactive);
    let tp: mapdrive_core::domain::Thumbprint =
        "AA BB CC DD EE FF 00 11 22 33 44 55 66 77 88 99 aa bb cc dd"
            .parse()
            .unwrap();
    m.add_certificate(BOB, &tp);
    let v = module(
        &mut m,
        "win_credential",
        json!({"name": "testhost", "type": "domain_certificate",
        "username": "00112233445566778899AABBCCDDEEFF00112233"}),
    );
    assert_eq!(
        v["msg"],
        r"Failed to find certificate with the thumbprint 00112233445566778899AABBCCDDEEFF00112233 in the CurrentUser\My store"
    );
    // Lower case with spaces is normalised, as upstream does.
    let dc = json!({"name": "testhost", "type": "domain_certificate", "username": "aabbccddeeff00112233445566778899AABBCCDD", "_ansible_diff": true});
    let domain_cert = mapdrive_core::domain::CredentialKind::DomainCertificate;
    assert!(changed(&module(
        &mut m,
        "win_credential",
        check(dc.clone())
    )));
    assert!(m.credential("testhost", domain_cert).unwrap().is_none());
    let v = module(&mut m, "win_credential", dc.clone());
    assert!(changed(&v));
    assert_eq!(v["diff"]["after"]["username"], tp.as_str());
    assert_eq!(v["diff"]["after"]["type"], "DomainCertificate");
    let stored = m.credential("testhost", domain_cert).unwrap().unwrap();
    assert_eq!(
        stored.user_name.as_deref(),
        Some(format!("@@B{tp}").as_str()),
        "stored marshaled"
    );
    assert!(!changed(&module(&mut m, "win_credential", dc)));
    // Generic certificate with a base64 PIN; again without a secret is unchanged.
    let pin = mapdrive_core::domain::credential::base64_encode(b"pin code");
    let gc = json!({"name": "testhost", "type": "generic_certificate", "username": tp.as_str(), "secret": pin, "secret_format": "base64"});
    assert!(changed(&module(
        &mut m,
        "win_credential",
        check(gc.clone())
    )));
    assert!(changed(&module(&mut m, "win_credential", gc.clone())));
    assert!(!changed(&module(&mut m, "win_credential", gc)));
    let again = json!({"name": "testhost", "type": "generic_certificate", "username": tp.as_str()});
    assert!(!changed(&module(&mut m, "win_credential", again)));
    let v = module(&mut m, "win_mapped_drive_info", json!({}));
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["user_name"] == tp.as_str()),
        "{v}"
    );
}

/// As SYSTEM the module keeps what ansible.windows' win_mapped_drive does (a global drive),
/// and warns that every user sees it; the CLI refuses the same request.
#[test]
fn win_mapped_drive_as_system_maps_globally_with_a_warning() {
    let mut m = fixture::corp();
    m.run_as_system();
    let r = module(
        &mut m,
        "win_mapped_drive",
        json!({"letter": "G", "path": r"\\fileserver\public"}),
    );
    assert_eq!(r["changed"], true, "{r}");
    let warnings = r["warnings"].to_string();
    assert!(warnings.contains("global drive"), "{r}");
}

/// A refusal of bad input never says "nothing was changed" twice, across `msg` and `remedy`.
#[test]
fn a_refusal_says_nothing_was_changed_once() {
    let mut m = host(LogonKind::Interactive);
    for args in [
        json!({"letter": "TT", "path": r"\\fileserver\public"}),
        json!({"letter": "1", "path": r"\\fileserver\public"}),
        json!({"letter": "M", "path": r"\\fileserver"}),
        json!({"letter": "M", "path": "relative"}),
    ] {
        let v = module(&mut m, "win_mapped_drive", args.clone());
        assert_eq!(v["failed"], json!(true), "{args}: {v}");
        // ansible.windows' own messages, which do not say it; never twice.
        let said = v.to_string().matches("nothing was changed").count();
        assert!(said <= 1, "{args}: {v}");
    }
    let v = module(
        &mut m,
        "win_credential",
        json!({"name": "fileserver", "type": "domain_password", "secret": "", "state": "present"}),
    );
    assert_eq!(v["failed"], json!(true), "{v}");
    assert!(
        v.to_string().matches("nothing was changed").count() <= 1,
        "{v}"
    );
}

/// As ansible.windows (which compares only the remembered entry), "remembered with the same path"
/// is the desired state in every logon type: a WinRM (network), become (runas), scheduled-task
/// (batch), service or `runas /netonly` re-run after a restart settles — unchanged, nothing
/// written, in check mode too — instead of reconnecting on every run.
#[test]
fn win_mapped_drive_remembered_with_the_same_path_is_enough_in_every_logon_type() {
    for kind in [
        LogonKind::Network,
        LogonKind::NetworkCleartext,
        LogonKind::Batch,
        LogonKind::Service,
        LogonKind::NewCredentials,
        LogonKind::Runas,
        LogonKind::Interactive,
    ] {
        let mut m = host(LogonKind::Interactive);
        let args = json!({"letter": "P", "path": r"\\fileserver\public"});
        assert!(changed(&module(&mut m, "win_mapped_drive", args.clone())));
        m.reboot();
        let luid = m.logon(BOB, kind).unwrap();
        m.run_in(luid).unwrap();
        if kind == LogonKind::Interactive {
            // Winlogon restored it; take the connection away as a failed restore would.
            m.cancel_connection("P:".parse().unwrap(), false, true)
                .unwrap();
        }
        assert!(m.connected().unwrap().is_empty(), "{kind:?}");
        assert_eq!(remote_of(&m, "P:").as_deref(), Some(r"\\fileserver\public"));
        let w = m.writes();
        for a in [check(args.clone()), args.clone(), args.clone()] {
            let v = module(&mut m, "win_mapped_drive", a);
            assert!(!changed(&v), "{kind:?}: {v}");
        }
        assert_eq!(m.writes(), w, "{kind:?}");
        // Another path is still a change (and a failure where the session cannot connect).
        let v = module(
            &mut m,
            "win_mapped_drive",
            check(json!({"letter": "P", "path": r"\\fileserver\team"})),
        );
        assert!(changed(&v), "{kind:?}: {v}");
    }
}

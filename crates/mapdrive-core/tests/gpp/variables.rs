//! Preference variables in `path` and `label`.

use mapdrive_core::gpp::{Decision, DriveState, VariableError, expand};

use crate::support::*;

fn ex(text: &str) -> Result<String, VariableError> {
    expand(text, &facts(), &[])
}

#[test]
fn preference_variables_expand_without_regard_to_case() {
    assert_eq!(
        ex(r"\\files\home$\%LogonUser%").unwrap(),
        r"\\files\home$\alice"
    );
    assert_eq!(
        ex(r"\\files\%logondomain%\%LOGONUSER%").unwrap(),
        r"\\files\CORP\alice"
    );
    assert_eq!(ex(r"\\%ComputerName%\c$").unwrap(), r"\\PC01\c$");
    assert_eq!(ex(r"\\%LogonServer%\netlogon").unwrap(), r"\\DC01\netlogon");
    assert_eq!(ex("%DomainName%").unwrap(), "CORP");
    assert_eq!(ex("%LogonUserSid%").unwrap(), format!("{DOMAIN_SID}-1104"));
    assert_eq!(ex("%SystemDir%").unwrap(), r"C:\Windows\System32");
    assert_eq!(ex("%WindowsDir%").unwrap(), r"C:\Windows");
    assert_eq!(
        ex("%AppDataDir%").unwrap(),
        r"C:\Users\alice\AppData\Roaming"
    );
    assert_eq!(ex("no variables").unwrap(), "no variables");
    assert_eq!(ex("").unwrap(), "");
}

#[test]
fn environment_variables_expand_too() {
    assert_eq!(
        ex(r"\\files\%DEPT%\%username%").unwrap(),
        r"\\files\Sales\alice"
    );
    let captured = vec![("HomeSrv".to_string(), "files7".to_string())];
    assert_eq!(
        expand(r"\\%homesrv%\x", &facts(), &captured).unwrap(),
        r"\\files7\x"
    );
}

#[test]
fn unknown_unstable_and_unpaired_are_errors() {
    let e = ex(r"\\files\%Nope%").unwrap_err();
    assert_eq!(
        e,
        VariableError::Unknown {
            name: "Nope".into()
        }
    );
    assert!(e.to_string().contains("%Nope%"));
    assert!(matches!(
        ex("%DateTime%"),
        Err(VariableError::Unstable { .. })
    ));
    assert!(matches!(
        ex("%currentprocessid%"),
        Err(VariableError::Unstable { .. })
    ));
    assert!(matches!(
        ex("%BinaryUserSid%"),
        Err(VariableError::Unavailable { .. })
    ));
    assert!(matches!(
        ex("%DesktopDir%"),
        Err(VariableError::Unavailable { .. })
    ));
    assert_eq!(
        ex(r"\\files\50%off").unwrap_err(),
        VariableError::Unpaired { position: 11 }
    );
    assert!(matches!(ex("%%"), Err(VariableError::Unpaired { .. })));
    let mut f = facts();
    f.logon_server.clear();
    assert!(matches!(
        expand("%LogonServer%", &f, &[]),
        Err(VariableError::Unavailable { .. })
    ));
    f.folders
        .push(("DesktopDir".into(), r"C:\Users\alice\Desktop".into()));
    assert_eq!(
        expand("%desktopdir%", &f, &[]).unwrap(),
        r"C:\Users\alice\Desktop"
    );
}

#[test]
fn an_unknown_variable_fails_its_item_only() {
    let xml = drives(&[
        drive(
            "G:",
            "",
            r#"action="U" path="\\files\%Nope%" letter="G""#,
            "",
        ),
        drive(
            "H:",
            "",
            r#"action="R" path="\\files\home\%LogonUser%" label="%LogonUser% (%LogonDomain%)" letter="H" persistent="1""#,
            "",
        ),
        drive(
            "I:",
            "",
            r#"action="U" path="\\files\x" label="%Bad%" letter="I""#,
            "",
        ),
    ]);
    let p = run(&xml, &DriveState::default());
    let Decision::Failed { error } = &p.items[0].decision else {
        panic!("{:?}", p.items[0])
    };
    assert!(
        error.starts_with(r#"path "\\files\%Nope%": %Nope% is neither"#),
        "{error}"
    );
    match &p.items[1].decision {
        Decision::Map { path, label, .. } => {
            assert_eq!(path.as_str(), r"\\files\home\alice");
            assert_eq!(label.as_deref(), Some("alice (CORP)"));
        }
        d => panic!("{d:?}"),
    }
    let Decision::Failed { error } = &p.items[2].decision else {
        panic!()
    };
    assert!(error.starts_with(r#"label "%Bad%""#), "{error}");
}

#[test]
fn a_path_that_is_not_unc_after_expansion_fails_the_item() {
    let xml = drives(&[drive(
        "H:",
        "",
        r#"action="U" path="%SystemDir%" letter="H""#,
        "",
    )]);
    let p = run(&xml, &DriveState::default());
    let Decision::Failed { error } = &p.items[0].decision else {
        panic!()
    };
    assert!(error.contains(r"C:\Windows\System32"), "{error}");
}

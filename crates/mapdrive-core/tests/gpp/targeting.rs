//! Item-level targeting: each filter true and false, `not`, AND/OR left to right, collections,
//! the first rule that said no, unevaluable filters.

use mapdrive_core::gpp::{
    AppliedRecord, Decision, DriveState, EvalContext, GppError, PlanOptions, ProductType,
    TargetingFacts, UnevaluablePolicy, Verdict, evaluate, parse_str, plan,
};

use crate::support::*;

fn verdict_with(filters: &str, facts: &TargetingFacts) -> Verdict {
    let xml = drives(&[drive("H:", "", r#"path="\\s\h" letter="H""#, filters)]);
    let m = maps(&xml);
    evaluate(
        &m.items[0].filters,
        facts,
        &registry(),
        &mut EvalContext::default(),
    )
}

fn verdict(filters: &str) -> Verdict {
    verdict_with(filters, &facts())
}

fn applies(filters: &str) {
    assert_eq!(verdict(filters), Verdict::Applies, "{filters}");
}

fn says_no(filters: &str) -> String {
    match verdict(filters) {
        Verdict::NotApplicable(r) => r,
        Verdict::Applies => panic!("expected not applicable: {filters}"),
    }
}

#[test]
fn no_filters_applies() {
    applies("");
}

#[test]
fn filter_group_by_sid_and_by_name() {
    applies(&format!(
        r#"<FilterGroup bool="AND" not="0" name="CORP\Renamed" sid="{SALES_SID}" userContext="1" primaryGroup="0" localGroup="0"/>"#
    ));
    applies(r#"<FilterGroup bool="AND" not="0" name="corp\sales" userContext="1"/>"#);
    applies(r#"<FilterGroup bool="AND" not="0" name="Sales"/>"#);
    says_no(r#"<FilterGroup bool="AND" not="0" name="LAB\Sales"/>"#);
    applies(
        r#"<FilterGroup bool="AND" not="0" name="BUILTIN\Users" sid="S-1-5-32-545" localGroup="1"/>"#,
    );
    assert_eq!(
        says_no(&format!(
            r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}" userContext="1"/>"#
        )),
        r"FilterGroup CORP\Team: user is not a member"
    );
    // The SID decides, not the display name.
    assert_eq!(
        says_no(&format!(
            r#"<FilterGroup bool="AND" not="0" name="CORP\Sales" sid="{TEAM_SID}"/>"#
        )),
        r"FilterGroup CORP\Sales: user is not a member"
    );
    assert_eq!(
        says_no(r#"<FilterGroup bool="AND" not="1" name="CORP\Sales" userContext="1"/>"#),
        r"not FilterGroup CORP\Sales: user is a member"
    );
}

#[test]
fn filter_group_primary_group() {
    applies(&format!(
        r#"<FilterGroup bool="AND" not="0" name="CORP\Domain Users" sid="{DOMAIN_SID}-513" primaryGroup="1"/>"#
    ));
    applies(r#"<FilterGroup bool="AND" not="0" name="CORP\Domain Users" primaryGroup="1"/>"#);
    let mut f = facts();
    f.groups.retain(|g| !g.sid.ends_with("-513"));
    assert_eq!(
        verdict_with(
            &format!(
                r#"<FilterGroup bool="AND" not="0" name="CORP\Domain Users" sid="{DOMAIN_SID}-513"/>"#
            ),
            &f
        ),
        Verdict::Applies,
        "the primary group is membership even when the group list leaves it out"
    );
    let r = says_no(&format!(
        r#"<FilterGroup bool="AND" not="0" name="CORP\Sales" sid="{SALES_SID}" primaryGroup="1"/>"#
    ));
    assert_eq!(
        r,
        r"FilterGroup CORP\Sales: it is not the user's primary group"
    );
}

#[test]
fn a_deny_only_group_is_not_membership() {
    let r = says_no(
        r#"<FilterGroup bool="AND" not="0" name="BUILTIN\Administrators" sid="S-1-5-32-544" localGroup="1"/>"#,
    );
    assert!(
        r.starts_with(r"FilterGroup BUILTIN\Administrators: user is not a member"),
        "{r}"
    );
    assert!(r.contains("deny"), "{r}");
}

#[test]
fn an_on_premises_group_on_a_machine_outside_the_domain_says_why() {
    let mut f = facts();
    f.joined_to_user_domain = false;
    f.groups.retain(|g| !g.sid.starts_with(DOMAIN_SID));
    let r = match verdict_with(
        &format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Sales" sid="{SALES_SID}"/>"#),
        &f,
    ) {
        Verdict::NotApplicable(r) => r,
        Verdict::Applies => panic!(),
    };
    assert!(
        r.starts_with(r"FilterGroup CORP\Sales: user is not a member: "),
        "{r}"
    );
    assert!(
        r.contains("not joined to the user's on-premises domain"),
        "{r}"
    );
    assert!(r.contains("no on-premises domain groups"), "{r}");
    // By name only, too.
    let r = match verdict_with(r#"<FilterGroup bool="AND" not="0" name="CORP\Sales"/>"#, &f) {
        Verdict::NotApplicable(r) => r,
        Verdict::Applies => panic!(),
    };
    assert!(r.contains("on-premises"), "{r}");
    // A local group is not explained that way.
    let r = match verdict_with(
        r#"<FilterGroup bool="AND" not="0" name="PC01\Helpdesk" sid="S-1-5-21-9-9-9-1001" localGroup="1"/>"#,
        &f,
    ) {
        Verdict::NotApplicable(r) => r,
        Verdict::Applies => panic!(),
    };
    assert_eq!(r, r"FilterGroup PC01\Helpdesk: user is not a member");
}

#[test]
fn filter_user_by_name_sid_and_wildcard() {
    applies(r#"<FilterUser bool="AND" not="0" name="CORP\alice"/>"#);
    applies(r#"<FilterUser bool="AND" not="0" name="ALICE"/>"#);
    applies(r#"<FilterUser bool="AND" not="0" name="CORP\al*"/>"#);
    applies(&format!(
        r#"<FilterUser bool="AND" not="0" name="CORP\old-name" sid="{DOMAIN_SID}-1104"/>"#
    ));
    assert_eq!(
        says_no(r#"<FilterUser bool="AND" not="0" name="CORP\bob"/>"#),
        r"FilterUser CORP\bob: the user is CORP\alice"
    );
    assert_eq!(
        says_no(r#"<FilterUser bool="AND" not="1" name="CORP\alice"/>"#),
        r"not FilterUser CORP\alice: the user is CORP\alice"
    );
}

#[test]
fn filter_computer_netbios_and_dns() {
    applies(r#"<FilterComputer bool="AND" not="0" type="NETBIOS" name="pc01"/>"#);
    applies(r#"<FilterComputer bool="AND" not="0" type="NETBIOS" name="PC?1"/>"#);
    applies(r#"<FilterComputer bool="AND" not="0" type="DNS" name="PC01.corp.example.com"/>"#);
    assert_eq!(
        says_no(r#"<FilterComputer bool="AND" not="0" type="NETBIOS" name="KIOSK*"/>"#),
        "FilterComputer KIOSK*: the computer's NetBIOS name is PC01"
    );
    assert_eq!(
        says_no(r#"<FilterComputer bool="AND" not="0" type="DNS" name="pc01.other.example.com"/>"#),
        "FilterComputer pc01.other.example.com: the computer's DNS name is pc01.corp.example.com"
    );
}

#[test]
fn filter_domain() {
    applies(r#"<FilterDomain bool="AND" not="0" name="corp" userContext="1"/>"#);
    applies(r#"<FilterDomain bool="AND" not="0" name="CORP" userContext="0"/>"#);
    assert_eq!(
        says_no(r#"<FilterDomain bool="AND" not="0" name="LAB" userContext="1"/>"#),
        "FilterDomain LAB: the user's logon domain is CORP"
    );
}

#[test]
fn filter_variable() {
    applies(r#"<FilterVariable bool="AND" not="0" variableName="DEPT" value="sales"/>"#);
    assert_eq!(
        says_no(r#"<FilterVariable bool="AND" not="0" variableName="Dept" value="HR"/>"#),
        "FilterVariable %Dept%=HR: %Dept% is \"Sales\""
    );
    assert_eq!(
        says_no(r#"<FilterVariable bool="AND" not="0" variableName="NOPE" value="1"/>"#),
        "FilterVariable %NOPE%=1: %NOPE% is not set"
    );
}

#[test]
fn filter_registry_key_and_value_exist() {
    applies(
        r#"<FilterRegistry bool="AND" not="0" type="KEYEXISTS" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp\MapAll" valueName="" valueType="" valueData=""/>"#,
    );
    assert_eq!(
        says_no(
            r#"<FilterRegistry bool="AND" not="0" type="KEYEXISTS" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp\Nothing"/>"#
        ),
        r"FilterRegistry HKEY_LOCAL_MACHINE\SOFTWARE\Corp\Nothing: the key does not exist"
    );
    applies(
        r#"<FilterRegistry bool="AND" not="0" type="VALUEEXISTS" hive="HKEY_CURRENT_USER" key="Software\Corp" valueName="HomeServer" valueType="REG_SZ"/>"#,
    );
    assert_eq!(
        says_no(
            r#"<FilterRegistry bool="AND" not="0" type="VALUEEXISTS" hive="HKEY_CURRENT_USER" key="Software\Corp" valueName="HomeServer" valueType="REG_DWORD"/>"#
        ),
        r"FilterRegistry HKEY_CURRENT_USER\Software\Corp value HomeServer: the value is REG_SZ, not REG_DWORD"
    );
    assert_eq!(
        says_no(
            r#"<FilterRegistry bool="AND" not="0" type="VALUEEXISTS" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp" valueName="Missing"/>"#
        ),
        r"FilterRegistry HKEY_LOCAL_MACHINE\SOFTWARE\Corp value Missing: the value does not exist"
    );
}

#[test]
fn filter_registry_value_matches() {
    let m = |sub: &str, name: &str, data: &str| {
        format!(
            r#"<FilterRegistry bool="AND" not="0" type="MATCHVALUE" subtype="{sub}" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp" valueName="{name}" valueType="" valueData="{data}"/>"#
        )
    };
    applies(&m("EQUALHEX", "Site", "berlin-hq"));
    applies(&m("EQUALHEX", "Level", "1f"));
    applies(&m("EQUALHEX", "Level", "0x1F"));
    applies(&m("EQUALDEC", "Level", "31"));
    applies(&m("EQUALHEX", "Servers", "FILES2"));
    applies(&m("EQUALHEX", "Blob", "DE AD 01"));
    applies(&m("SUBSTRING", "Site", "Berlin"));
    assert!(says_no(&m("EQUALDEC", "Level", "1f")).ends_with("the value is \"31\""));
    assert!(says_no(&m("EQUALHEX", "Site", "Paris")).ends_with("the value is \"Berlin-HQ\""));
    assert!(says_no(&m("SUBSTRING", "Site", "Paris")).contains("value Site"));
    assert!(says_no(&m("EQUALHEX", "Blob", "DEAD02")).contains("Blob"));
}

#[test]
fn filter_registry_version_range() {
    let v = |min: &str, max: &str, gte: u8, lte: u8| {
        format!(
            r#"<FilterRegistry bool="AND" not="0" type="MATCHVALUE" subtype="VERSION" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\Corp" valueName="Version" min="{min}" max="{max}" gte="{gte}" lte="{lte}"/>"#
        )
    };
    applies(&v("4.0", "5.0", 1, 0));
    applies(&v("4.2.1", "4.2.1", 1, 1));
    assert!(says_no(&v("4.2.1", "5", 0, 0)).ends_with("the version is 4.2.1"));
    says_no(&v("1", "4.2.1", 1, 0));
    applies(&v("1,0", "8,5,1", 1, 0));
}

#[test]
fn filter_registry_getvalue_stores_a_variable_for_the_path() {
    let xml = drives(&[
        drive(
            "H:",
            "",
            r#"action="U" path="\\%HomeSrv%\home\%LogonUser%" letter="H" useLetter="1" persistent="1""#,
            r#"<FilterRegistry bool="AND" not="0" type="GETVALUE" hive="HKEY_CURRENT_USER" key="Software\Corp" valueName="HomeServer" valueType="REG_SZ" variableName="HomeSrv"/>"#,
        ),
        drive(
            "I:",
            "",
            r#"action="U" path="\\%HomeSrv%\common" letter="I""#,
            r#"<FilterVariable bool="AND" not="0" variableName="HomeSrv" value="files7"/>"#,
        ),
    ]);
    let p = run(&xml, &DriveState::default());
    match &p.items[0].decision {
        Decision::Map { path, .. } => assert_eq!(path.as_str(), r"\\files7\home\alice"),
        d => panic!("{d:?}"),
    }
    match &p.items[1].decision {
        Decision::Map { path, .. } => assert_eq!(path.as_str(), r"\\files7\common"),
        d => panic!("{d:?}"),
    }
    // A GETVALUE of a missing value says no.
    let r = says_no(
        r#"<FilterRegistry bool="AND" not="0" type="GETVALUE" hive="HKEY_CURRENT_USER" key="Software\Corp" valueName="Nope" variableName="X"/>"#,
    );
    assert!(r.ends_with("the value does not exist"), "{r}");
}

#[test]
fn filter_ip_range_v4_and_v6() {
    applies(r#"<FilterIpRange bool="AND" not="0" min="10.1.0.0" max="10.1.255.255"/>"#);
    applies(r#"<FilterIpRange bool="AND" not="0" min="10.1.2.3" max="10.1.2.3"/>"#);
    applies(r#"<FilterIpRange bool="AND" not="0" min="fd00::1" max="fd00::ff"/>"#);
    let r = says_no(r#"<FilterIpRange bool="AND" not="0" min="192.168.0.1" max="192.168.0.254"/>"#);
    assert_eq!(
        r,
        "FilterIpRange 192.168.0.1-192.168.0.254: no address of this computer is in the range (addresses: 10.1.2.3, fd00::17)"
    );
}

#[test]
fn filter_os() {
    applies(
        r#"<FilterOs bool="AND" not="0" class="NT" version="WINTHRESHOLD" type="NE" edition="NE" sp="NE"/>"#,
    );
    applies(
        r#"<FilterOs bool="AND" not="0" class="NT" version="NE" type="WS" edition="NE" sp="Gold"/>"#,
    );
    let r = says_no(
        r#"<FilterOs bool="AND" not="0" class="NT" version="WIN7" type="NE" edition="NE" sp="NE"/>"#,
    );
    assert_eq!(
        r,
        "FilterOs class=NT version=WIN7: this computer runs Windows 10.0 build 19045 (workstation)"
    );
    says_no(r#"<FilterOs bool="AND" not="0" version="WINTHRESHOLDSRV"/>"#);
    says_no(r#"<FilterOs bool="AND" not="0" type="DC"/>"#);
    says_no(r#"<FilterOs bool="AND" not="0" sp="Service Pack 1"/>"#);
    says_no(r#"<FilterOs bool="AND" not="0" class="9X"/>"#);
    let mut server = facts();
    server.os.product_type = ProductType::Server;
    assert_eq!(
        verdict_with(
            r#"<FilterOs bool="AND" not="0" version="WINTHRESHOLDSRV" type="SV"/>"#,
            &server
        ),
        Verdict::Applies
    );
}

#[test]
fn filter_language() {
    // en-US installed (language 9, sublanguage 1 = 0x0409).
    applies(
        r#"<FilterLanguage bool="AND" not="0" language="9" locale="1" displayName="English (United States)" default="0" system="0" native="0"/>"#,
    );
    // The user's locale is de-DE (0x0407), UI en-US: the "User" option accepts either.
    applies(r#"<FilterLanguage bool="AND" not="0" language="7" locale="1" default="1"/>"#);
    applies(r#"<FilterLanguage bool="AND" not="0" language="1033" locale="0" system="1"/>"#);
    // Sublanguage 0 matches any sublanguage of German.
    applies(r#"<FilterLanguage bool="AND" not="0" language="7" locale="0"/>"#);
    let r = says_no(r#"<FilterLanguage bool="AND" not="0" language="12" locale="1"/>"#);
    assert!(r.starts_with("FilterLanguage 0x040C: "), "{r}");
    says_no(r#"<FilterLanguage bool="AND" not="0" language="7" locale="1" system="1"/>"#);
}

#[test]
fn and_or_fold_left_to_right() {
    let t = r#"<FilterUser bool="AND" not="0" name="CORP\alice"/>"#;
    let f = r#"<FilterUser bool="AND" not="0" name="CORP\bob"/>"#;
    let or = |x: &str| x.replacen("bool=\"AND\"", "bool=\"OR\"", 1);
    // A OR B AND C = (A OR B) AND C.
    applies(&format!("{t}{}{t}", or(f)));
    says_no(&format!("{t}{}{f}", or(f)));
    // Under AND-over-OR precedence this would be A OR (B AND C) = true; left to right it is false.
    let r = says_no(&format!("{t}{}{f}", or(t)));
    assert_eq!(r, r"FilterUser CORP\bob: the user is CORP\alice");
    // F OR T applies; the first filter's bool has no effect.
    applies(&format!("{}{}", or(f), or(t)));
    // F OR F: the first "no" is reported.
    let r = says_no(&format!("{f}{}", or(&f.replace("bob", "carol"))));
    assert_eq!(r, r"FilterUser CORP\bob: the user is CORP\alice");
    // F AND T: the first "no".
    assert_eq!(
        says_no(&format!("{f}{t}")),
        r"FilterUser CORP\bob: the user is CORP\alice"
    );
    // T AND F: the one that said no.
    let r = says_no(&format!(
        "{t}<FilterComputer bool=\"AND\" not=\"0\" type=\"NETBIOS\" name=\"KIOSK01\"/>"
    ));
    assert_eq!(
        r,
        "FilterComputer KIOSK01: the computer's NetBIOS name is PC01"
    );
}

#[test]
fn nested_collections_and_not_on_a_collection() {
    let sales = format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Sales" sid="{SALES_SID}"/>"#);
    let team = format!(r#"<FilterGroup bool="AND" not="0" name="CORP\Team" sid="{TEAM_SID}"/>"#);
    let coll = |not: u8, body: &str| {
        format!(
            r#"<FilterCollection bool="AND" not="{not}" name="outer">{body}</FilterCollection>"#
        )
    };
    applies(&coll(0, &sales));
    let r = says_no(&coll(0, &format!("{sales}{team}")));
    assert_eq!(
        r,
        r#"FilterCollection "outer": FilterGroup CORP\Team: user is not a member"#
    );
    let r = says_no(&coll(1, &sales));
    assert_eq!(r, r#"not FilterCollection "outer": its rules say yes"#);
    applies(&coll(1, &team));
    // Two levels: outer( inner(team) OR sales ).
    let inner =
        format!(r#"<FilterCollection bool="AND" not="0" name="inner">{team}</FilterCollection>"#);
    applies(&coll(
        0,
        &format!("{inner}{}", sales.replace("bool=\"AND\"", "bool=\"OR\"")),
    ));
    let r = says_no(&coll(0, &format!("{inner}{sales}")));
    assert_eq!(
        r,
        r#"FilterCollection "outer": FilterCollection "inner": FilterGroup CORP\Team: user is not a member"#
    );
    // An empty collection is true.
    applies(&coll(0, ""));
}

#[test]
fn the_sheet_collection_example() {
    // (Sales AND battery) OR marker key, AND NOT KIOSK01 — FilterBattery is unevaluable, so the
    // file is refused by default and the item is not applicable when skipping.
    let m = parse_str(&String::from_utf8(fixture("sales-laptops.xml")).unwrap()).unwrap();
    let unevaluable = m.unevaluable();
    assert_eq!(unevaluable.len(), 1);
    assert_eq!(unevaluable[0].element, "FilterBattery");
    assert_eq!(unevaluable[0].line, 11);
    assert_eq!(unevaluable[0].item.name, "S:");

    // With the battery filter replaced by one mapdrive evaluates, the fold gives true (the key
    // exists) and the NOT KIOSK01 keeps it true on PC01.
    let text = String::from_utf8(fixture("sales-laptops.xml"))
        .unwrap()
        .replace(
            r#"<FilterBattery bool="AND" not="0"/>"#,
            r#"<FilterOs bool="AND" not="0" type="WS"/>"#,
        );
    let p = run(&text, &DriveState::default());
    assert!(
        matches!(p.items[0].decision, Decision::Map { .. }),
        "{:?}",
        p.items[0]
    );
    let mut kiosk = facts();
    kiosk.computer_netbios = "KIOSK01".into();
    let p = plan(
        &maps(&text),
        &kiosk,
        &registry(),
        &DriveState::default(),
        &AppliedRecord::default(),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        p.items[0].decision,
        Decision::NotApplicable {
            reason: "not FilterComputer KIOSK01: the computer's NetBIOS name is KIOSK01".into()
        }
    );
}

#[test]
fn unevaluable_filters_refuse_the_file_or_skip_their_items() {
    let xml = drives(&[
        drive(
            "G:",
            "",
            r#"path="\\s\g" letter="G""#,
            r#"<FilterWmi bool="AND" not="0" query="SELECT * FROM Win32_Battery" nameSpace="root\cimv2" property="" variableName=""/>"#,
        ),
        drive("H:", "", r#"path="\\s\h" letter="H""#, ""),
        drive(
            "I:",
            "",
            r#"path="\\s\i" letter="I""#,
            r#"<FilterCollection bool="AND" not="0" name="x"><FilterLdap bool="AND" not="0" searchFilter="(cn=x)" binding="LDAP:" attribute="" variableName=""/></FilterCollection>"#,
        ),
        drive(
            "J:",
            "",
            r#"path="\\s\j" letter="J""#,
            r#"<FilterOrgUnit bool="AND" not="0" name="OU=Sales,DC=corp,DC=example,DC=com" userContext="1" directMember="0"/>"#,
        ),
        drive(
            "K:",
            "",
            r#"path="\\s\k" letter="K""#,
            r#"<FilterSite bool="AND" not="0" name="Berlin"/>"#,
        ),
        drive(
            "L:",
            "",
            r#"path="\\s\l" letter="L""#,
            r#"<FilterFancy bool="AND" not="0"/>"#,
        ),
        drive(
            "M:",
            "",
            r#"path="\\s\m" letter="M""#,
            r#"<FilterGroup bool="AND" not="0" name="CORP\Laptops" userContext="0"/>"#,
        ),
        drive(
            "N:",
            "",
            r#"path="\\s\n" letter="N""#,
            r#"<FilterOs bool="AND" not="0" version="WIN12"/>"#,
        ),
    ]);
    let m = maps(&xml);
    let list = m.unevaluable();
    let names: Vec<(&str, &str)> = list
        .iter()
        .map(|u| (u.item.name.as_str(), u.element.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("G:", "FilterWmi"),
            ("I:", "FilterLdap"),
            ("J:", "FilterOrgUnit"),
            ("K:", "FilterSite"),
            ("L:", "FilterFancy"),
            ("M:", "FilterGroup"),
            ("N:", "FilterOs"),
        ]
    );
    let e = plan(
        &m,
        &facts(),
        &registry(),
        &DriveState::default(),
        &AppliedRecord::default(),
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, GppError::Unevaluable { .. }));
    assert_eq!(m.refuse_unevaluable(), Err(e.clone()));
    let msg = e.to_string();
    for want in [
        "Drive item \"G:\"",
        "FilterWmi at line 6",
        "FilterLdap",
        "FilterFancy",
        "WIN12",
        "--unevaluable-filters skip",
    ] {
        assert!(msg.contains(want), "{want}: {msg}");
    }

    let p = plan(
        &m,
        &facts(),
        &registry(),
        &DriveState::default(),
        &AppliedRecord::default(),
        &PlanOptions {
            unevaluable: UnevaluablePolicy::Skip,
            ..PlanOptions::default()
        },
    )
    .unwrap();
    assert!(matches!(p.items[1].decision, Decision::Map { .. }));
    for (i, o) in p.items.iter().enumerate() {
        if i == 1 {
            continue;
        }
        let Decision::NotApplicable { reason } = &o.decision else {
            panic!("{o:?}")
        };
        assert!(reason.contains("cannot be evaluated"), "{reason}");
    }
    let Decision::NotApplicable { reason } = &p.items[0].decision else {
        panic!()
    };
    assert!(
        reason.starts_with("FilterWmi at line 6 cannot be evaluated (WMI"),
        "{reason}"
    );
}

#[test]
fn the_filter_tree_round_trips_through_its_written_form() {
    let text = String::from_utf8(fixture("sales-laptops.xml")).unwrap();
    let item = maps(&text).items.remove(0);
    let raw = item.filters.to_raw();
    assert_eq!(raw.len(), 3);
    assert_eq!(raw[0].element, "FilterCollection");
    assert_eq!(raw[0].filters.len(), 2);
    assert_eq!(raw[0].filters[0].attributes["sid"], SALES_SID);
    assert_eq!(raw[2].attributes["not"], "1");
    let json = serde_json::to_string(&raw).unwrap();
    let back: Vec<mapdrive_core::gpp::RawFilter> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, raw);
    let read = mapdrive_core::gpp::Filters::from_raw(&back, &item.item).unwrap();
    assert_eq!(read.to_raw(), raw);
    // The same meaning: evaluate both against the same facts.
    let mut f = facts();
    f.computer_netbios = "KIOSK01".into();
    let reg = registry();
    let a = evaluate(&item.filters, &f, &reg, &mut EvalContext::default());
    let b = evaluate(&read, &f, &reg, &mut EvalContext::default());
    assert_eq!(a, b);
    assert!(matches!(a, Verdict::NotApplicable(_)));
    // Unevaluable filters stay unevaluable.
    assert_eq!(read.unevaluable().len(), 1);
    assert_eq!(read.unevaluable()[0].line, 0);
}

#[test]
fn the_written_form_is_checked_like_the_xml() {
    let item = mapdrive_core::gpp::ItemRef {
        name: "Team share".into(),
        uid: None,
        line: 0,
    };
    let raw: Vec<mapdrive_core::gpp::RawFilter> = serde_json::from_str(
        r#"[{"element": "FilterIpRange", "attributes": {"bool": "AND", "not": "0", "min": "10.0.0.9", "max": "10.0.0.1"}}]"#,
    )
    .unwrap();
    let e = mapdrive_core::gpp::Filters::from_raw(&raw, &item)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "Drive item \"Team share\": FilterIpRange starts at 10.0.0.9, after its end 10.0.0.1"
    );
    assert!(
        serde_json::from_str::<Vec<mapdrive_core::gpp::RawFilter>>(
            r#"[{"element": "FilterUser", "attrs": {}}]"#
        )
        .is_err()
    );
}

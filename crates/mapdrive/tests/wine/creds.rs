//! Credential Manager: cred set/list/remove, idempotency rules, and the authentication order
//! the fake redirector enforces (explicit > saved credential > anonymous).

use crate::harness::{ALICE_PASSWORD, BOB_PASSWORD, Prefix, assert_no_secret};

fn creds(wine: &mut Prefix) -> Vec<serde_json::Value> {
    let run = wine.mapdrive(&["cred", "list", "--json"]);
    run.success();
    run.json().as_array().unwrap().clone()
}

/// `cred set nas --user NAS\bob --secret-stdin EXTRA...` with `stdin`.
fn set_nas(wine: &mut Prefix, extra: &[&str], stdin: &str) -> crate::harness::Run {
    let args = [
        &["cred", "set", "nas", "--user", r"NAS\bob", "--secret-stdin"],
        extra,
    ]
    .concat();
    wine.mapdrive_stdin(&args, stdin)
}

#[test]
fn cred_set_list_remove() {
    let mut wine = Prefix::new();
    let run = set_nas(
        &mut wine,
        &["--comment", "media box", "--json"],
        &format!("{BOB_PASSWORD}\n"),
    );
    run.success();
    let out = run.json();
    assert_eq!(out["changed"], true);
    assert!(out["before"].is_null());
    assert_eq!(out["after"]["user_name"], r"NAS\bob");
    assert_eq!(out["after"]["type"], "domain_password");
    assert_eq!(out["after"]["persistence"], "local");

    let list = creds(&mut wine);
    let nas = list.iter().find(|c| c["target"] == "nas").expect("listed");
    assert_eq!(nas["comment"], "media box");
    let text = wine.mapdrive(&["cred", "list"]);
    assert!(text.stdout.contains(r"NAS\bob"), "{}", text.stdout);

    // Windows never returns a domain password: `always` rewrites it (and says so), `on-create` does not.
    let again = set_nas(
        &mut wine,
        &["--comment", "media box", "--json"],
        &format!("{BOB_PASSWORD}\n"),
    );
    again.success();
    assert_eq!(again.json()["changed"], true);
    assert!(
        again.json()["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("never returns")),
        "{}",
        again.stdout
    );
    let on_create = set_nas(
        &mut wine,
        &[
            "--comment",
            "media box",
            "--update-secret",
            "on-create",
            "--json",
        ],
        &format!("{BOB_PASSWORD}\n"),
    );
    on_create.success();
    assert_eq!(on_create.json()["changed"], false);

    // A field change with on-create keeps the stored secret: the drive still authenticates.
    set_nas(
        &mut wine,
        &["--comment", "renamed", "--update-secret", "on-create"],
        "ignored-secret\n",
    )
    .success();
    wine.mapdrive(&["map", "N:", r"\\nas\media"]).success();

    let rm = wine.mapdrive(&["cred", "remove", "nas", "--json"]);
    rm.success();
    assert_eq!(rm.json()["changed"], true);
    assert!(creds(&mut wine).iter().all(|c| c["target"] != "nas"));
    assert_eq!(
        wine.mapdrive(&["cred", "remove", "nas", "--json"]).json()["changed"],
        false
    );
    assert_no_secret(&wine.transcript);
}

#[test]
fn generic_credential_is_idempotent_when_the_secret_matches() {
    let mut wine = Prefix::new();
    let args = [
        "cred",
        "set",
        "app:backup",
        "--type",
        "generic_password",
        "--user",
        "svc",
        "--secret-stdin",
        "--json",
    ];
    assert_eq!(
        wine.mapdrive_stdin(&args, "gen-S3cret\n").json()["changed"],
        true
    );
    assert_eq!(
        wine.mapdrive_stdin(&args, "gen-S3cret\n").json()["changed"],
        false
    );
    assert_eq!(
        wine.mapdrive_stdin(&args, "other\n").json()["changed"],
        true
    );
    let check = wine.mapdrive(&[
        "cred",
        "remove",
        "app:backup",
        "--type",
        "generic",
        "--check",
        "--json",
    ]);
    assert_eq!(check.json()["changed"], true);
    assert!(
        creds(&mut wine).iter().any(|c| c["target"] == "app:backup"),
        "check mode removed nothing"
    );
}

#[test]
fn auth_order_explicit_then_saved_credential_then_anonymous() {
    let mut wine = Prefix::new();
    // Anonymous is refused on a share that needs an account.
    let anon = wine.mapdrive(&["map", "T:", r"\\fileserver\team"]);
    assert_eq!(anon.code, 1);
    assert!(
        anon.stderr.contains("5 (ERROR_ACCESS_DENIED)"),
        "{}",
        anon.stderr
    );
    // A saved domain credential for the server is used when no explicit one is given.
    wine.mapdrive_stdin(
        &[
            "cred",
            "set",
            "fileserver",
            "--user",
            r"CORP\alice",
            "--secret-stdin",
        ],
        &format!("{ALICE_PASSWORD}\n"),
    )
    .success();
    wine.mapdrive(&["map", "T:", r"\\fileserver\team"])
        .success();
    wine.mapdrive(&["unmap", "T:"]).success();
    // Explicit credentials win over the saved one: a wrong explicit password fails.
    let wrong = wine.mapdrive_stdin(
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--password-stdin",
        ],
        "wrong\n",
    );
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("86 (ERROR_INVALID_PASSWORD)"),
        "{}",
        wrong.stderr
    );
    // The credential is per server name as written: the alias has none, so it is anonymous there.
    let alias = wine.mapdrive(&["map", "T:", r"\\fileserver.corp.example\team"]);
    assert!(
        alias.stderr.contains("ERROR_ACCESS_DENIED"),
        "{}",
        alias.stderr
    );
    assert_no_secret(&wine.transcript);
}

#[test]
fn secrets_never_reach_output_or_registry() {
    let mut wine = Prefix::new();
    set_nas(&mut wine, &["--json"], &format!("{BOB_PASSWORD}\n")).success();
    wine.mapdrive_stdin(
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--password-stdin",
            "--json",
        ],
        &format!("{ALICE_PASSWORD}\n"),
    )
    .success();
    wine.mapdrive_stdin(
        &[
            "map",
            "N:",
            r"\\nas\media",
            "--user",
            r"NAS\bob",
            "--password-stdin",
        ],
        "bad\n",
    );
    wine.mapdrive(&["list", "--json"]).success();
    wine.mapdrive(&["list"]).success();
    wine.mapdrive(&["cred", "list", "--json"]).success();
    assert_no_secret(&wine.transcript);
    // The Credential Manager keeps the secret encrypted; nothing else in the registry holds it.
    assert_no_secret(&wine.registry_files());
}

/// Fields left out are kept, so a re-run converges on Wine too (Wine keeps a comment or alias that
/// is rewritten with NULL; before, every run passed NULL for them and never settled).
#[test]
fn cred_set_keeps_fields_it_is_not_given_and_settles() {
    let mut wine = Prefix::new();
    set_nas(
        &mut wine,
        &[
            "--comment",
            "media box",
            "--alias",
            "NAS",
            "--persistence",
            "enterprise",
        ],
        &format!("{BOB_PASSWORD}\n"),
    )
    .success();
    let store = wine.reg_query(r"HKCU\Software\Wine\Credential Manager");
    for _ in 0..2 {
        let again = wine.mapdrive(&[
            "cred",
            "set",
            "nas",
            "--user",
            r"NAS\bob",
            "--update-secret",
            "on-create",
            "--json",
        ]);
        again.success();
        assert_eq!(again.json()["changed"], false, "{}", again.stdout);
        assert_eq!(again.json()["after"]["comment"], "media box");
        assert_eq!(again.json()["after"]["persistence"], "enterprise");
    }
    assert_eq!(
        wine.reg_query(r"HKCU\Software\Wine\Credential Manager"),
        store,
        "a no-op run wrote nothing"
    );
    // `--comment ""` removes the comment on Windows (CredWriteW with Comment NULL). Wine 8 keeps
    // the old comment instead: the Windows assertion (comment gone) cannot hold here.
    let clear = wine.mapdrive(&[
        "cred",
        "set",
        "nas",
        "--user",
        r"NAS\bob",
        "--comment",
        "",
        "--json",
        "--update-secret",
        "on-create",
    ]);
    clear.success();
    assert_eq!(clear.json()["changed"], true, "{}", clear.stdout);
    let nas = creds(&mut wine)
        .into_iter()
        .find(|c| c["target"] == "nas")
        .expect("listed");
    assert_eq!(nas["alias"], "NAS", "the alias was kept");
    assert_eq!(
        nas["comment"], "media box",
        "Wine keeps a comment rewritten with NULL (Windows removes it)"
    );
}

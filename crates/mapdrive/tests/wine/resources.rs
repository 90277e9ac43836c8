//! What Windows reads from `mapdrive.exe` itself: the version resource (through
//! `GetFileVersionInfoW`/`VerQueryValueW`, as Explorer's Properties and PowerShell's `VersionInfo`
//! do), the application manifest (RT_MANIFEST 1), and `--version`. The reader is a small C program
//! (`versioninfo.c`) built here with mingw-w64 and run under Wine beside mapdrive.exe.

use std::path::Path;

use crate::harness::Prefix;

#[test]
fn version_resource_and_manifest_read_back_through_windows_apis() {
    let mut p = Prefix::new();
    let drive_c = p.path().join("drive_c");
    crate::harness::build_c_helper(
        "versioninfo",
        &drive_c.join("versioninfo.exe"),
        &["-lversion"],
    );
    std::fs::copy(p.exe_path(), drive_c.join("mapdrive.exe")).unwrap();
    let run = p.run_windows_program(&drive_c.join("versioninfo.exe"), &[r"C:\mapdrive.exe"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (fields, manifest) = run
        .stdout
        .split_once("Manifest:\n")
        .unwrap_or_else(|| panic!("no manifest:\n{}", run.stdout));
    let field = |name: &str| -> String {
        fields
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in:\n{fields}"))
            .to_string()
    };
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(field("FileVersion"), version);
    assert_eq!(field("ProductVersion"), version);
    assert_eq!(field("Fixed.FileVersion"), format!("{version}.0"));
    assert_eq!(field("Fixed.ProductVersion"), format!("{version}.0"));
    assert_eq!(field("Fixed.FileType"), "1", "VFT_APP");
    assert_eq!(field("ProductName"), "mapdrive");
    assert_eq!(field("OriginalFilename"), "mapdrive.exe");
    assert_eq!(field("FileDescription"), env!("CARGO_PKG_DESCRIPTION"));
    assert!(
        field("LegalCopyright").contains("The mapdrive developers"),
        "{fields}"
    );
    assert!(field("LegalCopyright").contains("MIT OR Apache-2.0"));

    for needle in [
        r#"level="asInvoker""#,
        r#"uiAccess="false""#,
        // Windows 10 and 11 share this supportedOS id.
        "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}",
        ">UTF-8</activeCodePage>",
        ">true</longPathAware>",
    ] {
        assert!(manifest.contains(needle), "{needle} missing:\n{manifest}");
    }
    assert_eq!(
        manifest.trim_end(),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("res/mapdrive.exe.manifest")
        )
        .unwrap()
        .trim_end()
    );
}

#[test]
fn version_names_the_commit_and_the_windows_target() {
    let mut p = Prefix::new();
    let text = p.mapdrive(&["--version"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout
            .starts_with(&format!("mapdrive {}\n", env!("CARGO_PKG_VERSION"))),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("target: x86_64-pc-windows-gnu\n"));
    let v = p.mapdrive(&["--version", "--json"]).json();
    assert_eq!(v["target"], "x86_64-pc-windows-gnu");
    let commit = v["commit"].as_str().unwrap();
    assert!(text.stdout.contains(&format!("commit: {commit}\n")));
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
}

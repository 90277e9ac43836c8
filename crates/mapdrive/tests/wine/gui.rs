//! `mapdrivew.exe`, the windowless twin (docs/mapdrivew.md): a GUI-subsystem executable (read
//! from the PE headers here, on the host), with mapdrive.exe's version resource under its own
//! names, the same exit codes and output, and each run appended to
//! `%LOCALAPPDATA%\mapdrive\mapdrive.log` in the prefix, never with a secret.

use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{ALICE_PASSWORD, BOB_PASSWORD, Prefix, Run, assert_no_secret};

/// IMAGE_OPTIONAL_HEADER's Subsystem of the PE file at `path`: 2 = IMAGE_SUBSYSTEM_WINDOWS_GUI,
/// 3 = IMAGE_SUBSYSTEM_WINDOWS_CUI.
fn pe_subsystem(path: &Path) -> u16 {
    let pe = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let u16_at = |at: usize| u16::from_le_bytes([pe[at], pe[at + 1]]);
    assert_eq!(&pe[..2], b"MZ", "{}: not an MZ file", path.display());
    // IMAGE_DOS_HEADER.e_lfanew: where the NT headers start.
    let nt = u32::from_le_bytes([pe[0x3c], pe[0x3d], pe[0x3e], pe[0x3f]]) as usize;
    assert_eq!(
        &pe[nt..nt + 4],
        b"PE\0\0",
        "{}: no PE signature",
        path.display()
    );
    // After the signature, IMAGE_FILE_HEADER (20 bytes), then the optional header.
    let optional = nt + 4 + 20;
    assert_eq!(u16_at(optional), 0x20b, "PE32+ (a 64-bit executable)");
    // Subsystem sits at offset 68 of the optional header (PE32 and PE32+ alike).
    u16_at(optional + 68)
}

/// The log file in the prefix: `C:\users\<the user>\AppData\Local\mapdrive\mapdrive.log`.
fn log_path(wine: &Prefix) -> PathBuf {
    let users = wine.path().join("drive_c/users");
    let mut homes: Vec<PathBuf> = fs::read_dir(&users)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "Public") && p.is_dir())
        .collect();
    assert_eq!(homes.len(), 1, "one user profile in {}", users.display());
    homes.remove(0).join("AppData/Local/mapdrive/mapdrive.log")
}

fn read_log(wine: &Prefix) -> String {
    let path = log_path(wine);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The blocks of the log, each from its `=== <time> pid <n>: <command line>` line to its
/// `=== exit code N` line.
fn blocks(log: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in log.lines() {
        if line.starts_with("=== ") && line.contains(" pid ") {
            out.push(String::new());
        }
        let last = out.last_mut().expect("the log starts with a block header");
        last.push_str(line);
        last.push('\n');
    }
    out
}

/// Runs `args` through both executables in the same prefix state: the same exit code, stdout
/// and stderr (mapdrivew also writes to redirected standard handles).
fn both(wine: &mut Prefix, args: &[&str], stdin: &str) -> Run {
    let w = wine.mapdrivew_stdin(args, stdin);
    let c = wine.mapdrive_stdin(args, stdin);
    assert_eq!(w.code, c.code, "{args:?}: mapdrivew {w:?}, mapdrive {c:?}");
    assert_eq!(w.stdout, c.stdout, "{args:?}");
    assert_eq!(w.stderr, c.stderr, "{args:?}");
    w
}

#[test]
fn mapdrivew_is_a_gui_subsystem_executable_and_mapdrive_a_console_one() {
    let wine = Prefix::new();
    assert_eq!(
        pe_subsystem(&wine.mapdrivew_path()),
        2,
        "IMAGE_SUBSYSTEM_WINDOWS_GUI"
    );
    assert_eq!(
        pe_subsystem(&wine.exe_path()),
        3,
        "IMAGE_SUBSYSTEM_WINDOWS_CUI"
    );
}

#[test]
fn mapdrivew_carries_the_version_resource_under_its_own_name() {
    let mut wine = Prefix::new();
    let drive_c = wine.path().join("drive_c");
    crate::harness::build_c_helper(
        "versioninfo",
        &drive_c.join("versioninfo.exe"),
        &["-lversion"],
    );
    fs::copy(wine.mapdrivew_path(), drive_c.join("mapdrivew.exe")).unwrap();
    let run = wine.run_windows_program(&drive_c.join("versioninfo.exe"), &[r"C:\mapdrivew.exe"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (fields, manifest) = run.stdout.split_once("Manifest:\n").unwrap();
    for (name, want) in [
        ("OriginalFilename", "mapdrivew.exe"),
        ("InternalName", "mapdrivew"),
        ("ProductName", "mapdrive"),
        ("FileVersion", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(
            fields.lines().any(|l| l == format!("{name}={want}")),
            "{name}={want} missing:\n{fields}"
        );
    }
    assert!(manifest.contains(r#"level="asInvoker""#), "{manifest}");
}

#[test]
fn mapdrivew_logs_each_run_with_mapdrives_output_and_exit_codes() {
    let mut wine = Prefix::new();
    let log = log_path(&wine);
    assert!(!log.exists());

    // Success, bad input (2), a failing operation (1): the same as mapdrive.exe.
    let list = both(&mut wine, &["list"], "");
    assert_eq!(list.code, 0, "{list:?}");
    let bad = both(&mut wine, &["map", "Q:", "not-a-share"], "");
    assert_eq!(bad.code, 2, "{bad:?}");
    let refused = both(
        &mut wine,
        &[
            "map",
            "M:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--password-stdin",
        ],
        "nope\n",
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("86 (ERROR_INVALID_PASSWORD)"));
    // A password typed the `net use` way, and a real one piped in.
    let typed = wine.mapdrivew_stdin(
        &["map", "Q:", r"\\nas\media", BOB_PASSWORD, r"/user:NAS\bob"],
        "",
    );
    assert_eq!(typed.code, 2, "{typed:?}");
    let mapped = wine.mapdrivew_stdin(
        &[
            "map",
            "N:",
            r"\\nas\media",
            "--user",
            r"NAS\bob",
            "--password-stdin",
        ],
        &format!("{BOB_PASSWORD}\n"),
    );
    assert_eq!(mapped.code, 0, "{mapped:?}");
    // No console to prompt on: refused at once (exit 2), not a wait.
    let prompt = wine.mapdrivew_stdin(
        &[
            "map",
            "T:",
            r"\\fileserver\team",
            "--user",
            r"CORP\alice",
            "--prompt",
        ],
        "",
    );
    assert_eq!(prompt.code, 2, "{prompt:?}");

    let text = read_log(&wine);
    assert_no_secret(&text);
    assert!(!text.contains(ALICE_PASSWORD) && !text.contains(BOB_PASSWORD));
    let b = blocks(&text);
    assert_eq!(b.len(), 6, "one block per mapdrivew run:\n{text}");
    let header = |i: usize| b[i].lines().next().unwrap().to_string();
    let first = header(0);
    assert!(
        first.starts_with("=== 20") && first.contains("Z pid "),
        "an RFC 3339 UTC time and the process id: {first}"
    );
    assert!(first.ends_with(r"\mapdrivew.exe list"), "{first}");
    assert_eq!(
        b[0],
        format!(
            "{first}\n--- stdout\n{}--- stderr\n{}=== exit code 0\n",
            list.stdout, list.stderr
        ),
        "the block holds exactly what mapdrive.exe prints"
    );
    assert!(b[1].contains("--- stderr\nerror: "), "{}", b[1]);
    assert!(b[1].ends_with("=== exit code 2\n"), "{}", b[1]);
    assert!(
        header(2).ends_with(r"map M: \\fileserver\team --user CORP\alice --password-stdin"),
        "{}",
        header(2)
    );
    assert!(b[2].contains("86 (ERROR_INVALID_PASSWORD)"), "{}", b[2]);
    assert!(b[2].ends_with("=== exit code 1\n"), "{}", b[2]);
    // The command line did not parse: only mapdrive's own words are shown.
    assert!(
        header(3).ends_with(r"\mapdrivew.exe map *** *** *** ***"),
        "{}",
        header(3)
    );
    assert!(b[3].ends_with("=== exit code 2\n"), "{}", b[3]);
    assert!(b[4].ends_with("=== exit code 0\n"), "{}", b[4]);
    assert!(
        b[5].contains("mapdrivew.exe runs without a console")
            && b[5].contains("--password-stdin")
            && b[5].ends_with("=== exit code 2\n"),
        "{}",
        b[5]
    );
    // The transcript quotes the typed password as an argument; the outputs must not.
    for run in [&list, &bad, &refused, &typed, &mapped, &prompt] {
        assert_no_secret(&format!("{}{}", run.stdout, run.stderr));
    }
}

#[test]
fn mapdrivew_applies_a_document_with_a_piped_secret_and_logs_the_summary() {
    let mut wine = Prefix::new();
    let doc = r#"parameters:
  nasPassword:
    type: securestring
resources:
  - name: Media
    type: Mapdrive/MappedDrive
    properties:
      letter: N
      path: \\nas\media
    dependsOn:
      - "[resourceId('Mapdrive/Credential','Nas credential')]"
  - name: Nas credential
    type: Mapdrive/Credential
    properties:
      name: nas
      type: domain_password
      username: NAS\bob
      secret: "[parameters('nasPassword')]"
"#;
    fs::write(wine.path().join("drive_c/drives.yaml"), doc).unwrap();
    let args = ["apply", r"C:\drives.yaml", "--secret", "nasPassword=-"];
    let run = wine.mapdrivew_stdin(&args, &format!("{BOB_PASSWORD}\n"));
    assert_eq!(run.code, 0, "{run:?}");
    let test = wine.mapdrivew_stdin(
        &["test", r"C:\drives.yaml", "--secret", "nasPassword=-"],
        &format!("{BOB_PASSWORD}\n"),
    );
    assert_eq!(test.code, 0, "{test:?}");
    let text = read_log(&wine);
    assert_no_secret(&text);
    let b = blocks(&text);
    assert_eq!(b.len(), 2, "{text}");
    assert!(
        b[0].lines()
            .next()
            .unwrap()
            .ends_with(r"apply C:\drives.yaml --secret nasPassword=-"),
        "{}",
        b[0]
    );
    // stdout whole, its last line Intune's summary.
    assert!(
        b[0].contains(&format!("--- stdout\n{}--- stderr\n", run.stdout)),
        "{}",
        b[0]
    );
    assert!(
        run.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("mapdrive: all 2 items in desired state")
    );
    assert!(b[0].ends_with("=== exit code 0\n"), "{}", b[0]);
    assert!(b[1].ends_with("=== exit code 0\n"), "{}", b[1]);
    assert_no_secret(&wine.transcript);
}

#[test]
fn a_full_log_is_rotated_and_an_unwritable_one_changes_nothing() {
    let mut wine = Prefix::new();
    let log = log_path(&wine);
    fs::create_dir_all(log.parent().unwrap()).unwrap();
    // 1 MiB less a few bytes: the next block takes it past the limit.
    let old = "x".repeat(1024 * 1024 - 16) + "\n";
    fs::write(&log, &old).unwrap();
    let rotated = log.with_file_name("mapdrive.log.1");
    fs::write(&rotated, "the oldest\n").unwrap();
    let run = wine.mapdrivew_stdin(&["explain", "5"], "");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        fs::read_to_string(&rotated).unwrap(),
        old,
        "one old file kept"
    );
    let text = read_log(&wine);
    assert_eq!(blocks(&text).len(), 1, "{text}");
    assert!(text.contains("ERROR_ACCESS_DENIED"), "{text}");

    // The log's folder cannot be created (a file is in its place): the run and its exit code
    // are unchanged, and the output still reaches redirected handles.
    let dir = log.parent().unwrap();
    fs::remove_dir_all(dir).unwrap();
    fs::write(dir, "not a folder").unwrap();
    for (args, code) in [(&["explain", "5"][..], 0), (&["map", "Q:", "x"][..], 2)] {
        let run = wine.mapdrivew_stdin(args, "");
        assert_eq!(run.code, code, "{run:?}");
        let console = wine.mapdrive(args);
        assert_eq!(run.stdout, console.stdout);
        assert_eq!(run.stderr, console.stderr);
    }
    assert_eq!(fs::read_to_string(dir).unwrap(), "not a folder");
}

#[test]
fn without_any_standard_handle_mapdrivew_still_logs_and_exits_the_same() {
    // As Task Scheduler starts it: no console, no standard input, output or error.
    let mut wine = Prefix::new();
    let drive_c = wine.path().join("drive_c");
    crate::harness::build_c_helper("nohandles", &drive_c.join("nohandles.exe"), &[]);
    fs::copy(wine.mapdrivew_path(), drive_c.join("mapdrivew.exe")).unwrap();
    let started = |wine: &mut Prefix, args: &str| -> String {
        let run = wine.run_windows_program(
            &drive_c.join("nohandles.exe"),
            &[&format!(r"C:\mapdrivew.exe {args}")],
        );
        assert_eq!(run.code, 0, "{run:?}");
        run.stdout.trim().to_string()
    };
    assert_eq!(started(&mut wine, "explain 5"), "exit=0");
    assert_eq!(started(&mut wine, "map Q: x"), "exit=2");
    // Standard input is not there to read a password from: refused, not waited for.
    assert_eq!(
        started(
            &mut wine,
            r"map Q: \\nas\media --user NAS\bob --password-stdin"
        ),
        "exit=2"
    );
    let explain = wine.mapdrive(&["explain", "5"]);
    let text = read_log(&wine);
    let b = blocks(&text);
    assert_eq!(b.len(), 3, "{text}");
    assert!(
        b[0].ends_with(&format!("--- stdout\n{}=== exit code 0\n", explain.stdout)),
        "{}",
        b[0]
    );
    assert!(b[1].ends_with("=== exit code 2\n"), "{}", b[1]);
    assert!(
        b[2].contains("standard input") && b[2].ends_with("=== exit code 2\n"),
        "{}",
        b[2]
    );
}

//! `mapdrivew`, the windowless twin, on the host: the same exit codes and output as `mapdrive`,
//! each run appended to `$LOCALAPPDATA/mapdrive/mapdrive.log` (here a temporary folder), and the
//! log writer itself (`mapdrive::app::log`): appending, rotation at the limit, masking, no
//! secret.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mapdrive::app::log::{LIMIT, Log, rotated};
use mapdrive::frontend::report::Report;

/// Output with the program's own name (clap's usage line says `mapdrivew`) made `mapdrive`'s.
fn same(out: &[u8]) -> String {
    String::from_utf8_lossy(out).replace("mapdrivew ", "mapdrive ")
}

/// `mapdrivew` with `LOCALAPPDATA` = `dir`.
fn mapdrivew(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("mapdrivew").unwrap();
    c.env("LOCALAPPDATA", dir);
    c
}

fn log_of(dir: &Path) -> PathBuf {
    dir.join("mapdrive").join("mapdrive.log")
}

fn blocks(log: &str) -> usize {
    log.lines()
        .filter(|l| l.starts_with("=== ") && l.contains(" pid "))
        .count()
}

#[test]
fn mapdrivew_exits_and_prints_as_mapdrive_does_and_logs_each_run() {
    let dir = tempfile::tempdir().unwrap();
    for (args, code) in [
        (&["explain", "5"][..], 0),
        (&["map", "Q:"][..], 2),
        (&["list"][..], 4),
        (&["--version"][..], 0),
    ] {
        let w = mapdrivew(dir.path()).args(args).assert().code(code);
        let c = Command::cargo_bin("mapdrive")
            .unwrap()
            .args(args)
            .assert()
            .code(code);
        assert_eq!(
            same(&w.get_output().stdout),
            same(&c.get_output().stdout),
            "{args:?}"
        );
        assert_eq!(
            same(&w.get_output().stderr),
            same(&c.get_output().stderr),
            "{args:?}"
        );
    }
    let log = std::fs::read_to_string(log_of(dir.path())).unwrap();
    assert_eq!(blocks(&log), 4, "{log}");
    assert!(log.contains("mapdrivew explain 5\n--- stdout\n"), "{log}");
    assert!(log.contains("ERROR_ACCESS_DENIED"), "{log}");
    for code in [0, 2, 4, 0] {
        assert!(log.contains(&format!("=== exit code {code}\n")), "{log}");
    }
    let exits: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("=== exit code "))
        .collect();
    assert_eq!(
        exits,
        [
            "=== exit code 0",
            "=== exit code 2",
            "=== exit code 4",
            "=== exit code 0"
        ]
    );
}

#[test]
fn a_password_typed_on_the_command_line_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 6] = [
        &["map", "M:", r"\\srv\share", "Pa55!-x", "--user", "U"],
        &[
            "map",
            "M:",
            r"\\srv\share",
            "--user",
            "U",
            "--password-stdin=Pa55!-x",
        ],
        &[
            "map",
            "M:",
            r"\\srv\share",
            "--user",
            "U",
            "--password",
            "Pa55!-x",
        ],
        &[
            "cred",
            "set",
            "srv",
            "--user",
            "U",
            "--secret=Pa55!-x",
            "--json",
        ],
        &["apply", "d.yaml", "--secret", "pw=Pa55!-x"],
        &["apply", "d.yaml", "--secret=pw=Pa55!-x"],
    ];
    for args in cases {
        // 2 for the command lines that do not parse, 4 (no Windows here) for those that do.
        let code = mapdrivew(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code();
        assert!(matches!(code, Some(2 | 4)), "{args:?}: {code:?}");
    }
    let log = std::fs::read_to_string(log_of(dir.path())).unwrap();
    assert_eq!(blocks(&log), cases.len(), "{log}");
    assert!(
        !log.contains("Pa55"),
        "a typed password reached the log:\n{log}"
    );
    assert!(log.contains("--password ***"), "{log}");
    assert!(log.contains("--secret=***"), "{log}");
}

#[test]
fn a_command_line_asking_for_a_prompt_is_logged_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    // No Windows here, so `cred set` stops before the secret (exit 4) on the host; what the
    // windowless input answers to a prompt is checked by mapdrive's unit tests and, on Windows,
    // by tests/wine/gui.rs. The command line with --prompt still parses and is logged as typed.
    mapdrivew(dir.path())
        .args(["cred", "set", "srv", "--user", "U", "--prompt"])
        .assert()
        .code(4);
    let log = std::fs::read_to_string(log_of(dir.path())).unwrap();
    assert!(
        log.contains("mapdrivew cred set srv --user U --prompt\n"),
        "{log}"
    );
}

#[test]
fn an_unwritable_log_changes_neither_the_run_nor_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the log's folder should be.
    std::fs::write(dir.path().join("mapdrive"), "not a folder").unwrap();
    for (args, code) in [(&["explain", "5"][..], 0), (&["map"][..], 2)] {
        let w = mapdrivew(dir.path()).args(args).assert().code(code);
        let c = Command::cargo_bin("mapdrive")
            .unwrap()
            .args(args)
            .assert()
            .code(code);
        assert_eq!(same(&w.get_output().stdout), same(&c.get_output().stdout));
        assert_eq!(same(&w.get_output().stderr), same(&c.get_output().stderr));
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mapdrive")).unwrap(),
        "not a folder"
    );
}

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("mapdrivew.exe")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}

fn report(stdout: &str, stderr: &str, code: u8) -> Report {
    Report {
        stdout: stdout.into(),
        stderr: stderr.into(),
        code,
    }
}

#[test]
fn the_log_appends_and_rotates_at_the_limit_keeping_one_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_of(dir.path());
    let log = Log::new(path.clone(), &argv(&["explain", "5"]));
    log.append(&report("first\n", "", 0)).unwrap();
    log.append(&report("", "error: second", 2)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(blocks(&text), 2);
    assert!(
        text.contains("--- stdout\nfirst\n=== exit code 0\n"),
        "{text}"
    );
    // A missing final line end is added before the end line.
    assert!(
        text.contains("--- stderr\nerror: second\n=== exit code 2\n"),
        "{text}"
    );
    assert!(!rotated(&path).exists());

    // Fill it: the file never goes past the limit, and the run that would have crossed it
    // starts a new file after moving the old one to mapdrive.log.1.
    let line = format!("{}\n", "x".repeat(1023));
    let big = report(&line.repeat(100), "", 0); // 100 KiB a block
    let mut rotations = 0;
    let mut previous = std::fs::metadata(&path).unwrap().len();
    for _ in 0..25 {
        log.append(&big).unwrap();
        let len = std::fs::metadata(&path).unwrap().len();
        assert!(len <= LIMIT, "{len} bytes");
        if len < previous {
            rotations += 1;
            let old = std::fs::metadata(rotated(&path)).unwrap().len();
            assert!(old <= LIMIT && old + (len) > LIMIT, "{old} + {len}");
        }
        previous = len;
    }
    assert_eq!(rotations, 2, "25 blocks of 100 KiB in files of 1 MiB");
    // One old file kept, nothing else.
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["mapdrive.log", "mapdrive.log.1"]);
}

#[test]
fn a_huge_output_is_clipped_in_the_middle() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_of(dir.path());
    let log = Log::new(path.clone(), &argv(&["export"]));
    let huge = format!(
        "{}\nmapdrive: the summary line\n",
        "y".repeat(3 * 1024 * 1024)
    );
    log.append(&report(&huge, "", 0)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.len() < 200 * 1024, "{} bytes", text.len());
    assert!(text.contains(" bytes not logged ...]"));
    assert!(text.ends_with("mapdrive: the summary line\n=== exit code 0\n"));
}

#[test]
fn masked_values_are_scrubbed_from_the_logged_output_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_of(dir.path());
    let log = Log::new(
        path.clone(),
        &argv(&["apply", "d.yaml", "--secret", "pw=B0b-Pa55!"]),
    );
    assert_eq!(
        log.command_line(),
        "mapdrivew.exe apply d.yaml --secret pw=***"
    );
    log.append(&report("", "error: B0b-Pa55! is not a parameter\n", 2))
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("B0b-Pa55!"), "{text}");
    assert!(text.contains("error: *** is not a parameter"), "{text}");
}

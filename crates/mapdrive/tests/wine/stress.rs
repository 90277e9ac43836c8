//! Concurrency under Wine: N processes × M rounds of map / unmap / restore / cred set / cred
//! remove on the same letters and targets, all at once, in one prefix.
//!
//! Asserts: no crash and no hang (every run ends within a timeout with exit 0, 1 or 3 and one JSON
//! object); every exit code agrees with what the run reports (`failed` ⇔ exit ≠ 0) and with the
//! state it reports after acting (a successful `map` is connected and remembered; a successful
//! `unmap` left nothing; a successful `cred set` left the credential, `cred remove` none); no
//! "already there/gone" answer is reported as a failure when the requested state holds (`map` or
//! `restore` failing with 85 on a letter every run maps to the same share, `unmap` with 2250); and
//! the final state agrees with the last run that did not overlap another (never remembered but
//! disconnected after a successful `map`).
//!
//! `cred list` (CredEnumerateW) never runs next to credential writes: Wine 8's CredEnumerateW has
//! a heap race with concurrent writes (crashes and hangs in Wine itself); it runs only at the end.
//! Size: `MAPDRIVE_STRESS_PROCESSES` (default 3) × `MAPDRIVE_STRESS_ROUNDS` (default 6);
//! `MAPDRIVE_STRESS_WINEDEBUG` (default `-all,err+all`: Wine's errors stay in each run's text)
//! for Wine's traces of the runs, `--nocapture` for
//! a summary and the text of every run that failed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{
    BOB_PASSWORD, Prefix, assert_no_secret, diagnose_silent_exit, fixed_layout, silent_failure,
    windows_path,
};

const SHARE: &str = r"\\fileserver\public";
/// Longer than any single run takes on a loaded 2-core machine; a run past it has hung.
const TIMEOUT: Duration = Duration::from_secs(120);

static FILES: AtomicUsize = AtomicUsize::new(0);

fn exe() -> PathBuf {
    std::env::var_os("MAPDRIVE_EXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/x86_64-pc-windows-gnu/release/mapdrive.exe")
        })
}

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .clamp(1, 16)
}

/// One operation of the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Map(&'static str),
    Unmap(&'static str),
    Restore,
    CredSet,
    CredRemove,
}

const MIX: [Op; 7] = [
    Op::Map("P:"),
    Op::Unmap("P:"),
    Op::Restore,
    Op::CredSet,
    Op::Map("Q:"),
    Op::CredRemove,
    Op::Unmap("Q:"),
];

impl Op {
    fn args(self) -> Vec<&'static str> {
        match self {
            Op::Map(l) => vec!["map", l, SHARE, "--json"],
            Op::Unmap(l) => vec!["unmap", l, "--json"],
            Op::Restore => vec!["restore", "--json"],
            Op::CredSet => vec![
                "cred",
                "set",
                "nas",
                "--user",
                r"NAS\bob",
                "--secret-stdin",
                "--json",
            ],
            Op::CredRemove => vec!["cred", "remove", "nas", "--json"],
        }
    }

    /// The drive letter or credential the operation is about.
    fn subject(self) -> Option<&'static str> {
        match self {
            Op::Map(l) | Op::Unmap(l) => Some(l),
            Op::CredSet | Op::CredRemove => Some("nas"),
            Op::Restore => None,
        }
    }
}

/// What one run did.
#[derive(Debug)]
struct Done {
    op: Op,
    start: Instant,
    end: Instant,
    code: i32,
    json: Value,
    text: String,
}

/// Runs mapdrive.exe in the prefix with output in files (never pipes: the wineserver would keep
/// them open), killing it after [`TIMEOUT`].
fn run(prefix: &Path, op: Op) -> Done {
    let n = FILES.fetch_add(1, Ordering::SeqCst);
    let out = prefix.join(format!("stress-out-{n}.txt"));
    let err = prefix.join(format!("stress-err-{n}.txt"));
    let inp = prefix.join(format!("stress-in-{n}.txt"));
    let diag = prefix.join(format!("stress-diag-{n}.txt"));
    fs::write(&inp, format!("{BOB_PASSWORD}\n")).unwrap();
    let start = Instant::now();
    let mut child = fixed_layout("wine")
        .arg(exe())
        .args(op.args())
        .env("WINEPREFIX", prefix)
        .env(
            "WINEDEBUG",
            std::env::var("MAPDRIVE_STRESS_WINEDEBUG").unwrap_or_else(|_| "-all,err+all".into()),
        )
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("MAPDRIVE_DIAG_FILE", windows_path(&diag))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(fs::File::open(&inp).unwrap())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .expect("wine");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let stacks = backtraces(prefix);
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{:?} hung: no exit after {TIMEOUT:?}; winedbg's backtraces of the mapdrive.exe processes still running:\n{stacks}",
                op.args()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let end = Instant::now();
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    if silent_failure(&status, &stdout, &stderr) {
        panic!(
            "mapdrive {:?} ended without any output:\n{}",
            op.args(),
            diagnose_silent_exit(prefix, &status, &diag)
        );
    }
    for f in [out, err, inp, diag] {
        let _ = fs::remove_file(f);
    }
    let text = format!(
        "$ mapdrive {}\n{stdout}{stderr}[exit {:?}]\n",
        op.args().join(" "),
        status.code()
    );
    let code = status.code().unwrap_or(-1);
    // 0, 1 (Windows said no / did not converge), 3 (refused); anything else is a crash (Wine
    // maps an unhandled exception or an abort to the low byte of its NTSTATUS).
    assert!(
        matches!(code, 0 | 1 | 3),
        "crash or unexpected exit code:\n{text}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Unhandled"),
        "crash:\n{text}"
    );
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not one JSON object ({e}):\n{text}"));
    Done {
        op,
        start,
        end,
        code,
        json,
        text,
    }
}

/// What `winedbg` shows of every mapdrive.exe still running in the prefix (for a hang report).
fn backtraces(prefix: &Path) -> String {
    let winedbg = |commands: &str| -> String {
        let out = prefix.join(format!(
            "stress-dbg-{}.txt",
            FILES.fetch_add(1, Ordering::SeqCst)
        ));
        let Ok(file) = fs::File::create(&out) else {
            return String::new();
        };
        let child = Command::new("winedbg")
            .args(["--command", commands])
            .env("WINEPREFIX", prefix)
            .env("WINEDEBUG", "-all")
            .stdin(std::process::Stdio::null())
            .stdout(file)
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            let start = Instant::now();
            while child.try_wait().ok().flatten().is_none()
                && start.elapsed() < Duration::from_secs(30)
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let text = fs::read_to_string(&out).unwrap_or_default();
        let _ = fs::remove_file(out);
        text
    };
    let procs = winedbg("info proc");
    let mut all = procs.clone();
    for line in procs.lines().filter(|l| l.contains("'mapdrive.exe'")) {
        if let Some(pid) = line
            .split_whitespace()
            .find(|w| w.chars().all(|c| c.is_ascii_hexdigit()))
        {
            all.push_str(&winedbg(&format!("attach 0x{pid}\nbt all\ndetach\nquit")));
        }
    }
    all
}

fn same_path(a: &Value, b: &str) -> bool {
    a.as_str().is_some_and(|a| {
        a.trim_end_matches('\\')
            .eq_ignore_ascii_case(b.trim_end_matches('\\'))
    })
}

/// Every run's exit code agrees with what it reports about itself.
fn check_run(d: &Done) -> Vec<String> {
    let mut bad = Vec::new();
    let failed = d.json.get("failed") == Some(&Value::Bool(true));
    if failed != (d.code != 0) {
        bad.push(format!("exit {} but failed = {failed}", d.code));
    }
    let code = d.json["error"]["code"].as_u64();
    match (d.op, d.code) {
        (Op::Map(_), 0) => {
            let after = &d.json["after"];
            if after["connected"] != true || after["remembered"] != true {
                bad.push(format!(
                    "a successful map is not connected and remembered: after = {after}"
                ));
            }
            if !same_path(&after["remote"], SHARE) {
                bad.push(format!("a successful map points elsewhere: after = {after}"));
            }
        }
        (Op::Map(_), _) if code == Some(85) => bad.push(
            "map failed with 85 (ERROR_ALREADY_ASSIGNED) although every run maps the letter to the same share: \
             re-observe and report unchanged"
                .into(),
        ),
        (Op::Unmap(_), 0) => {
            let after = &d.json["after"];
            if !after.is_null() {
                bad.push(format!("a successful unmap left {after}"));
            }
        }
        (Op::Unmap(_), _) if code == Some(2250) => bad.push(
            "unmap failed with 2250 (ERROR_NOT_CONNECTED): the drive is gone, which is what was asked"
                .into(),
        ),
        (Op::Restore, _) => {
            for drive in d.json["drives"].as_array().into_iter().flatten() {
                if drive["result"] == "failed" && drive["code"] == 85 {
                    bad.push(format!(
                        "restore reports {} failed with 85 although it is the same share: {drive}",
                        drive["letter"]
                    ));
                }
            }
        }
        (Op::CredSet, 0) if d.json["after"]["user_name"] != r"NAS\bob" => bad.push(format!(
            "a successful cred set reports after = {}",
            d.json["after"]
        )),
        (Op::CredRemove, 0) if !d.json["after"].is_null() => bad.push(format!(
            "a successful cred remove reports after = {}",
            d.json["after"]
        )),
        _ => {}
    }
    bad
}

/// The last successful run on `subject`, if it overlapped no other run on the same subject (then
/// the final state must be the one it asked for).
fn last_alone<'a>(done: &'a [Done], subject: &str) -> Option<&'a Done> {
    let on: Vec<&Done> = done
        .iter()
        .filter(|d| d.op.subject() == Some(subject) || (d.op == Op::Restore && subject != "nas"))
        .collect();
    let last = on.iter().max_by_key(|d| d.end)?;
    let overlaps = on
        .iter()
        .any(|o| !std::ptr::eq(*o, *last) && o.end > last.start);
    (last.code == 0 && !overlaps && last.op != Op::Restore).then_some(*last)
}

#[test]
fn concurrent_runs_converge_and_tell_the_truth() {
    let processes = size("MAPDRIVE_STRESS_PROCESSES", 3);
    let rounds = size("MAPDRIVE_STRESS_ROUNDS", 6);
    let mut wine = Prefix::new();
    let prefix = wine.path().to_path_buf();
    let mut done: Vec<Done> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..processes)
            .map(|w| {
                let prefix = prefix.clone();
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for r in 0..rounds {
                        for i in 0..3 {
                            let op = MIX[(w * 2 + r * 3 + i) % MIX.len()];
                            mine.push(run(&prefix, op));
                        }
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|d| d.end);
    let transcript: String = done.iter().map(|d| d.text.as_str()).collect();
    assert_no_secret(&transcript);

    // What happened, for the log (`--nocapture`): runs per operation and exit code.
    let mut summary = std::collections::BTreeMap::new();
    for d in &done {
        *summary
            .entry(format!("{:?} exit {}", d.op, d.code))
            .or_insert(0) += 1;
    }
    eprintln!("stress: {summary:?}");
    for d in done.iter().filter(|d| d.code != 0) {
        eprintln!("stress: a run that failed (consistently):\n{}", d.text);
    }

    let mut problems = Vec::new();
    for d in &done {
        for p in check_run(d) {
            problems.push(format!("{p}\n{}", d.text));
        }
    }

    // The final state, read with nothing else running (cred list only now: see the module doc).
    let list = wine.mapdrive(&["list", "--json"]);
    list.success();
    let list = list.json();
    // Connected here: `status` OK (the `net use` word; `connected` says the same).
    let connected = |r: &Value| r["status"] == "OK" || r["connected"] == true;
    for letter in ["P:", "Q:"] {
        let row = list["drives"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["letter"] == letter);
        let state = row.map_or("absent".to_string(), |r| {
            format!("connected {} remembered {}", connected(r), r["remembered"])
        });
        if let Some(r) = row
            && r["remembered"] == true
            && !connected(r)
            && let Some(last) = last_alone(&done, letter)
            && matches!(last.op, Op::Map(_))
        {
            problems.push(format!(
                "{letter} is remembered but disconnected after a successful map:\n{}",
                last.text
            ));
        }
        if let Some(last) = last_alone(&done, letter) {
            let expected = matches!(last.op, Op::Map(_));
            let mapped = row.is_some_and(|r| connected(r) && r["remembered"] == true);
            let gone = row.is_none();
            if (expected && !mapped) || (!expected && !gone) {
                problems.push(format!(
                    "{letter} ends {state}, but the last run on it (overlapping no other) was:\n{}",
                    last.text
                ));
            }
        }
    }
    let creds = wine.mapdrive(&["cred", "list", "--json"]);
    creds.success();
    let has_nas = creds
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["target"] == "nas");
    if let Some(last) = last_alone(&done, "nas")
        && has_nas != (last.op == Op::CredSet)
    {
        problems.push(format!(
            "the credential nas {} at the end, but the last run on it (overlapping no other) was:\n{}",
            if has_nas { "exists" } else { "is gone" },
            last.text
        ));
    }
    assert_no_secret(&wine.transcript);
    assert!(
        problems.is_empty(),
        "{} runs ({processes} processes × {rounds} rounds × 3), {} problems:\n\n{}",
        done.len(),
        problems.len(),
        problems.join("\n")
    );
}

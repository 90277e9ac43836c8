//! The documentation's claims about the executable itself: the DLLs it imports (the README's
//! "Build for Windows", checked against the PE import table read with mingw's objdump) and its size
//! (docs/performance.md). Both executables: `mapdrive.exe` and the windowless `mapdrivew.exe` are
//! the same program (docs/mapdrivew.md), so the same claims hold for both.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn exe() -> PathBuf {
    std::env::var_os("MAPDRIVE_EXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/x86_64-pc-windows-gnu/release/mapdrive.exe"))
}

/// `mapdrive.exe` and `mapdrivew.exe` beside it.
fn exes() -> [PathBuf; 2] {
    [exe(), exe().with_file_name("mapdrivew.exe")]
}

/// A documentation file, by its path in the repository.
fn doc(path: &str) -> String {
    std::fs::read_to_string(workspace().join(path)).unwrap()
}

/// The DLL names in the README sentence "`mapdrive.exe` imports only system DLLs (a, b, ...)".
fn readme_imports() -> Vec<String> {
    let text = doc("README.md").replace('\n', " ");
    let start = text
        .find("imports only system DLLs (")
        .expect("README names the imported DLLs")
        + "imports only system DLLs (".len();
    let end = start + text[start..].find(')').unwrap();
    let mut names: Vec<String> = text[start..end]
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    names.sort();
    names
}

fn exe_imports(exe: &Path) -> Vec<String> {
    let out = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(exe)
        .output()
        .expect("x86_64-w64-mingw32-objdump (gcc-mingw-w64-x86-64's binutils)");
    assert!(out.status.success());
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DLL Name: "))
        .map(|n| {
            n.trim()
                .to_ascii_lowercase()
                .trim_end_matches(".dll")
                .to_string()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_import_table_is_what_the_readme_says() {
    for path in exes() {
        let exe = exe_imports(&path);
        let name = path.display();
        assert!(exe.contains(&"mpr".to_string()), "{name}: {exe:?}");
        // oleaut32 (and with it ole32, combase, rpcrt4 under Wine) only came in for COM error
        // details that mapdrive never reads: .cargo/config.toml sets windows_slim_errors.
        assert!(!exe.contains(&"oleaut32".to_string()), "{name}: {exe:?}");
        // Loaded on first use (mapdrive-win32's `lazy`), so that `--version` does not pay for them
        // (docs/performance.md, "Start-up"). ole32 and oleaut32: COM for Task Scheduler
        // (`mapdrive schedule`), also loaded on first use.
        for lazy in ["secur32", "wtsapi32", "crypt32", "ole32"] {
            assert!(
                !exe.contains(&lazy.to_string()),
                "{name}: {lazy} is imported: {exe:?}"
            );
        }
        assert_eq!(
            readme_imports(),
            exe,
            "the README's import list (section Build for Windows) differs from {name}'s import table"
        );
    }
}

#[test]
fn the_size_in_the_docs_is_within_a_fifth_of_the_executable() {
    let text = doc("docs/performance.md").replace('\n', " ");
    let at = text
        .find("`mapdrive.exe` is ")
        .expect("docs/performance.md states the size")
        + "`mapdrive.exe` is ".len();
    let kib: f64 = text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    for path in exes() {
        let actual = std::fs::metadata(&path).unwrap().len() as f64 / 1024.0;
        assert!(
            (actual / kib - 1.0).abs() <= 0.2,
            "docs/performance.md says {kib} KiB, {} is {actual:.0} KiB: update its section The executable",
            path.display()
        );
    }
}

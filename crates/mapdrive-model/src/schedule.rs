//! Task Scheduler and the file system as far as `mapdrive schedule` uses them: registered tasks
//! (name → definition, kept exactly as registered, as Windows keeps what it is given), the
//! running executable's path, `%ProgramData%`, and files and directories with their security
//! (an SDDL string, compared as it was set).

use std::collections::BTreeMap;

/// A registered task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelTask {
    /// The definition as registered.
    pub definition: String,
    /// Enabled.
    pub enabled: bool,
    /// Last run (ISO 8601), if it ran.
    pub last_run: Option<String>,
    /// `LastTaskResult`.
    pub last_result: u32,
}

/// A file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFile {
    /// Contents.
    pub contents: Vec<u8>,
    /// Owner and DACL, as SDDL (`None`: whatever it inherited).
    pub sddl: Option<String>,
}

/// The scheduler and the files.
#[derive(Clone, Debug)]
pub struct Scheduler {
    /// Lower-case task name → task.
    pub tasks: BTreeMap<String, ModelTask>,
    /// Lower-case path → file.
    pub files: BTreeMap<String, ModelFile>,
    /// Lower-case path → the directory's SDDL (`None`: inherited).
    pub dirs: BTreeMap<String, Option<String>>,
    /// `%ProgramData%`.
    pub program_data: String,
}

/// Where the model's mapdrive.exe is installed.
pub const PROGRAM_DIR: &str = r"C:\Program Files\mapdrive";

impl Default for Scheduler {
    /// `mapdrive.exe` and `mapdrivew.exe` in [`PROGRAM_DIR`], `%ProgramData%` = `C:\ProgramData`,
    /// no tasks.
    fn default() -> Self {
        let mut files = BTreeMap::new();
        for (name, bytes) in [
            ("mapdrive.exe", b"MZ mapdrive console".to_vec()),
            ("mapdrivew.exe", b"MZ mapdrive windows".to_vec()),
        ] {
            files.insert(
                format!(r"{PROGRAM_DIR}\{name}").to_lowercase(),
                ModelFile {
                    contents: bytes,
                    sddl: None,
                },
            );
        }
        Scheduler {
            tasks: BTreeMap::new(),
            files,
            dirs: BTreeMap::from([
                (PROGRAM_DIR.to_lowercase(), None),
                (r"c:\programdata".into(), None),
            ]),
            program_data: r"C:\ProgramData".into(),
        }
    }
}

/// The directory part of a path, lower-case.
pub(crate) fn parent(path: &str) -> String {
    path.rfind('\\')
        .map_or(String::new(), |i| path[..i].to_lowercase())
}

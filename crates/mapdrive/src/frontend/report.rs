//! What every front-end returns to `main.rs`: the bytes for standard output and standard error,
//! and the exit code.

/// What the process prints and returns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub code: u8,
}

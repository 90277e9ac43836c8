//! What every front-end returns to `main.rs`: the bytes for standard output and standard error,
//! and the exit code.

/// What the process prints and returns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The process exit code (0 success, 1 Windows refused, 2 bad input, 3 refused, 4 unsupported).
    pub code: u8,
}

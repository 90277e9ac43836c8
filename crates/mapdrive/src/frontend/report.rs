//! What every front-end returns to [`crate::app`]: the bytes for standard output and standard error,
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

impl Report {
    /// Makes sure a failure says something: a non-zero exit with nothing on stdout or stderr
    /// leaves a user (and CI) with nothing to go on, so it gets a message saying that much.
    pub fn said(mut self) -> Report {
        if self.code != 0 && self.stdout.trim().is_empty() && self.stderr.trim().is_empty() {
            self.stderr = format!(
                "error: mapdrive failed (exit code {}) without a message: this is a bug; run \
                 `mapdrive list` to see the current state, and report the command that did it\n",
                self.code
            );
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Report;

    #[test]
    fn a_failure_always_says_something() {
        let silent = Report {
            code: 1,
            ..Report::default()
        };
        let r = silent.said();
        assert!(
            r.stderr.starts_with("error: mapdrive failed (exit code 1)"),
            "{r:?}"
        );
        let spoke = Report {
            code: 1,
            stdout: "{\"failed\": true}".into(),
            ..Report::default()
        };
        assert_eq!(spoke.clone().said(), spoke);
        assert_eq!(Report::default().said(), Report::default());
    }
}

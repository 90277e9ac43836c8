//! The one secret reader every front-end uses: standard input, a no-echo prompt, or a value that
//! arrived in a document (Ansible arguments, DSC JSON). Whatever the source, the same rules apply.

use std::io;

use zeroize::Zeroizing;

use crate::domain::Secret;
use crate::error::InputError;

/// Where secrets come from (a trait so tests can supply them).
pub trait SecretInput {
    /// The next line of standard input (empty at its end).
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>>;
    /// A no-echo console prompt.
    fn prompt(&mut self, prompt: &str) -> io::Result<Zeroizing<String>>;
    /// All of standard input (an instance of JSON, which may span lines and hold a secret). By
    /// default the next line, which is what a test double that answers lines gives.
    fn stdin_all(&mut self) -> io::Result<Zeroizing<String>> {
        self.stdin_line()
    }
    /// Whether standard input holds more than blank lines after what was read: a line nobody
    /// asked for is a mistake (one `--secret` too few) to refuse, not to ignore.
    fn stdin_has_more(&mut self) -> io::Result<bool> {
        Ok(false)
    }
}

/// How a front-end asks for a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource<'a> {
    /// The first line of standard input; `flag` names the option (`--password-stdin`).
    Stdin {
        /// The option that asked for it, for messages.
        flag: &'static str,
    },
    /// A no-echo console prompt with this text; `stdin_flag` is the alternative to suggest.
    Prompt {
        /// The prompt.
        text: &'a str,
        /// The stdin option to suggest when there is no console.
        stdin_flag: &'static str,
    },
}

/// Reads a secret from `source` and validates it (see [`secret_from_text`]).
pub fn read_secret(
    input: &mut dyn SecretInput,
    source: SecretSource<'_>,
    what: &'static str,
) -> Result<Secret, InputError> {
    let line = match source {
        SecretSource::Stdin { flag } => input.stdin_line().map_err(|e| InputError::Field {
            what,
            why: if e.kind() == io::ErrorKind::InvalidData {
                format!(
                    "standard input ({flag}) is not UTF-8 text: in cmd.exe run `chcp 65001` first; in \
                     PowerShell set `$OutputEncoding = [Text.UTF8Encoding]::new($false)` before piping"
                )
            } else {
                format!("could not read standard input ({flag}): {e}")
            },
        })?,
        SecretSource::Prompt { text, stdin_flag } => {
            input.prompt(text).map_err(|e| InputError::Field {
                what,
                why: format!(
                    "there is no console to prompt on ({e}): pipe the secret into {stdin_flag} instead"
                ),
            })?
        }
    };
    secret_from_text(line, what)
}

/// Turns text into a [`Secret`]: drops a leading UTF-8 byte-order mark (PowerShell 5.1 writes one)
/// and one trailing line end (`\r\n`, `\n` or a lone `\r`), then refuses an empty secret and one
/// containing NUL (Windows would cut it there). Everything else, spaces included, is kept.
pub fn secret_from_text(
    mut text: Zeroizing<String>,
    what: &'static str,
) -> Result<Secret, InputError> {
    if text.starts_with('\u{feff}') {
        text.replace_range(..'\u{feff}'.len_utf8(), "");
    }
    if text.ends_with('\n') {
        text.pop();
    }
    if text.ends_with('\r') {
        text.pop();
    }
    if text.is_empty() {
        return Err(InputError::Field {
            what,
            why: "it is empty: an empty password would only be refused by the server (and count towards \
                  account lockout); give the real one, or leave the option out"
                .into(),
        });
    }
    if text.contains('\0') {
        return Err(InputError::Field {
            what,
            why: "it contains a NUL character, which Windows cannot store or send".into(),
        });
    }
    Secret::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Result<String, InputError> {
        secret_from_text(Zeroizing::new(s.into()), "password").map(|s| s.expose().to_string())
    }

    #[test]
    fn strips_one_line_end_and_a_bom() {
        assert_eq!(text("pa ss\r\n").unwrap(), "pa ss");
        assert_eq!(text("pass\n").unwrap(), "pass");
        assert_eq!(text("pass\r").unwrap(), "pass");
        assert_eq!(text("\u{feff}pass\r\n").unwrap(), "pass");
        assert_eq!(text("x\n\n").unwrap(), "x\n");
        assert_eq!(text(" x ").unwrap(), " x ");
    }

    #[test]
    fn refuses_empty_and_nul() {
        for bad in ["", "\n", "\r\n", "\r", "\u{feff}\r\n", "a\0b"] {
            assert!(text(bad).is_err(), "{bad:?} accepted");
        }
    }

    struct NoConsole;
    impl SecretInput for NoConsole {
        fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
            Err(io::Error::new(io::ErrorKind::InvalidData, "not utf-8"))
        }
        fn prompt(&mut self, _: &str) -> io::Result<Zeroizing<String>> {
            Err(io::Error::other("Invalid handle"))
        }
    }

    #[test]
    fn explains_missing_console_and_code_pages() {
        let e = read_secret(
            &mut NoConsole,
            SecretSource::Prompt {
                text: "x",
                stdin_flag: "--secret-stdin",
            },
            "secret",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no console") && e.contains("--secret-stdin"),
            "{e}"
        );
        let e = read_secret(
            &mut NoConsole,
            SecretSource::Stdin {
                flag: "--password-stdin",
            },
            "password",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("chcp 65001"), "{e}");
    }
}

//! Reading text that may hold a secret, as Windows tools write it: bounded in size, into wiped
//! buffers, decoded from UTF-8 (with or without a byte order mark) or UTF-16 (with one, or
//! UTF-16LE without one when the text starts with an ASCII character). Used for Ansible's
//! module arguments and for desired-state documents and their parameters files.

use std::fs::File;
use std::io::{self, ErrorKind, Read};

use mapdrive_core::engine::SecretInput;
use zeroize::Zeroizing;

/// The process's real standard input and console, for secrets. Standard input is read through a
/// handle of its own, a byte at a time up to the line's end, into one wiped buffer: std's shared
/// buffered reader would keep a copy of the secret (and of the lines after it) for the life of
/// the process.
pub struct StdSecretInput;

/// Room for any secret Windows stores (512 UTF-16 units of a password, a 2,560-byte blob), so
/// reading never reallocates (a reallocation would leave an unwiped partial copy behind).
const MAX_LINE_BYTES: usize = 8192;

/// The most read as a whole from standard input (a DSC instance is a few hundred bytes).
const MAX_STDIN_BYTES: usize = 1024 * 1024;

impl SecretInput for StdSecretInput {
    fn stdin_line(&mut self) -> io::Result<Zeroizing<String>> {
        let mut stdin = stdin_file()?;
        let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE_BYTES));
        let mut byte = [0u8; 1];
        while line.len() < MAX_LINE_BYTES {
            match stdin.read(&mut byte) {
                Ok(0) => break,
                Ok(_) => {
                    line.push(byte[0]);
                    if byte[0] == b'\n' {
                        break;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        byte.fill(0);
        match std::str::from_utf8(&line) {
            Ok(text) => {
                let mut out = Zeroizing::new(String::with_capacity(line.len()));
                out.push_str(text);
                Ok(out)
            }
            Err(_) => Err(io::Error::new(ErrorKind::InvalidData, "not UTF-8")),
        }
    }

    fn prompt(&mut self, prompt: &str) -> io::Result<Zeroizing<String>> {
        rpassword::prompt_password(prompt).map(Zeroizing::new)
    }

    fn stdin_all(&mut self) -> io::Result<Zeroizing<String>> {
        let bytes = read_at_most(stdin_file()?, MAX_STDIN_BYTES).map_err(|e| match e {
            TooLarge::Io(e) => e,
            TooLarge::Over => io::Error::new(
                ErrorKind::InvalidData,
                format!(
                    "standard input is larger than {} KiB, the most mapdrive reads",
                    MAX_STDIN_BYTES / 1024
                ),
            ),
        })?;
        decode(&bytes).map_err(|e| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("the contents of standard input {e}"),
            )
        })
    }

    fn stdin_has_more(&mut self) -> io::Result<bool> {
        match read_at_most(stdin_file()?, MAX_LINE_BYTES) {
            Ok(rest) => Ok(rest.iter().any(|b| !b.is_ascii_whitespace())),
            Err(TooLarge::Over) => Ok(true),
            Err(TooLarge::Io(e)) => Err(e),
        }
    }
}

/// A path shown in an error, clipped so that a hostile argument cannot make the result huge.
pub(crate) fn clip(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    if text.chars().count() <= MAX_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_CHARS).collect();
    format!("{head}... (clipped)")
}

/// Standard input as a file of its own (a duplicate of the handle), read without std's
/// process-wide `BufReader`.
#[cfg(windows)]
pub(crate) fn stdin_file() -> std::io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(
        std::io::stdin().as_handle().try_clone_to_owned()?,
    ))
}

/// Standard input as a file of its own (a duplicate of the descriptor), read without std's
/// process-wide `BufReader`.
#[cfg(not(windows))]
pub(crate) fn stdin_file() -> std::io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(std::io::stdin().as_fd().try_clone_to_owned()?))
}

/// Why [`read_at_most`] stopped.
#[derive(Debug)]
pub(crate) enum TooLarge {
    /// The source holds more than the limit.
    Over,
    /// Reading failed.
    Io(std::io::Error),
}

/// Reads at most `limit` bytes from `source` into one wiped buffer (allocated once, never grown,
/// so no unwiped copy is left behind); more than `limit` is [`TooLarge::Over`], so an endless
/// source stops at once.
pub(crate) fn read_at_most(
    mut source: impl Read,
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, TooLarge> {
    let mut buf = Zeroizing::new(vec![0u8; limit + 1]);
    let mut len = 0;
    while len < buf.len() {
        match source.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(TooLarge::Io(e)),
        }
    }
    if len > limit {
        return Err(TooLarge::Over);
    }
    buf.truncate(len);
    Ok(buf)
}

/// Decodes text: UTF-8 (a leading byte order mark is dropped), UTF-16LE/BE with a
/// byte order mark, or UTF-16LE without one (first byte ASCII, second zero). The error completes
/// a sentence about the text ("the module arguments in … are not UTF-8") and never quotes it.
pub(crate) fn decode(bytes: &[u8]) -> Result<Zeroizing<String>, String> {
    const ADVICE: &str = "write them as UTF-8, or as UTF-16 with a byte order mark";
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        utf8(rest, 3).map_err(|e| format!("start with a UTF-8 byte order mark but {e}; {ADVICE}"))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
            .map_err(|e| format!("start with a UTF-16LE byte order mark but {e}; {ADVICE}"))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
            .map_err(|e| format!("start with a UTF-16BE byte order mark but {e}; {ADVICE}"))
    } else if let [first, 0, ..] = bytes
        && first.is_ascii()
        && *first != 0
    {
        utf16(bytes, u16::from_le_bytes)
            .map_err(|e| format!("look like UTF-16LE without a byte order mark but {e}; {ADVICE}"))
    } else {
        utf8(bytes, 0).map_err(|e| format!("are not UTF-8: {e}; {ADVICE}"))
    }
}

/// `offset`: bytes before `bytes` (a byte order mark), so the error counts from the start.
fn utf8(bytes: &[u8], offset: usize) -> Result<Zeroizing<String>, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_string())),
        Err(e) => Err(format!(
            "byte {} is not valid UTF-8",
            e.valid_up_to() + offset
        )),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Zeroizing<String>, String> {
    let pairs = bytes.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err("their length is an odd number of bytes".into());
    }
    // At most 3 UTF-8 bytes per UTF-16 unit: the text never reallocates (no unwiped copy).
    let mut text = Zeroizing::new(String::with_capacity(bytes.len() / 2 * 3));
    let units = pairs.map(|p| unit([p[0], p[1]]));
    let mut at = 0;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                text.push(c);
                at += c.len_utf16();
            }
            Err(_) => return Err(format!("UTF-16 unit {at} is an unpaired surrogate")),
        }
    }
    Ok(text)
}

//! Reading a module's arguments: from the file Ansible names (`mapdrive.exe ARGS_FILE`) or from
//! standard input (`mapdrive.exe -`, what the collection's PowerShell shim uses so that a
//! secret never lands in a file). The text is decoded the way Windows tools write it (UTF-8 with
//! or without a byte order mark, UTF-16 with a byte order mark, and UTF-16LE without one, which
//! JSON's leading ASCII character makes unambiguous), bounded in size, and kept in wiped buffers
//! (it may hold a password): standard input is read through its own handle, not through std's
//! process-wide buffered reader, which would keep a copy.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use crate::frontend::input::{TooLarge, clip, decode, read_at_most, stdin_file};

/// The largest arguments document read, from a file or from standard input (4 MiB; a task's
/// options are a few hundred bytes).
pub const MAX_ARGUMENTS_BYTES: usize = 4 * 1024 * 1024;

/// The argument that selects standard input.
pub const STDIN_ARGUMENT: &str = "-";

/// Where the arguments come from, as the one command-line argument says.
pub(crate) fn read(arg: &OsStr) -> Result<Zeroizing<String>, String> {
    if arg == OsStr::new(STDIN_ARGUMENT) {
        let file = stdin_file()
            .map_err(|e| format!("could not read the module arguments from standard input: {e}"))?;
        read_bounded(file, "standard input")
    } else {
        let shown = arg.to_string_lossy();
        let shown = clip(&shown);
        let file = File::open(Path::new(arg))
            .map_err(|e| format!("could not read the arguments file {shown}: {e}"))?;
        read_bounded(file, &format!("the arguments file {shown}"))
    }
}

/// Reads at most [`MAX_ARGUMENTS_BYTES`] from `source` into one wiped buffer and decodes it.
pub(crate) fn read_bounded(source: impl Read, what: &str) -> Result<Zeroizing<String>, String> {
    let bytes = read_at_most(source, MAX_ARGUMENTS_BYTES).map_err(|e| match e {
        TooLarge::Io(e) => format!("could not read the module arguments from {what}: {e}"),
        TooLarge::Over => format!(
            "the module arguments in {what} are larger than {} MiB ({MAX_ARGUMENTS_BYTES} bytes), \
             the most mapdrive reads: refused without running the module; pass Ansible's arguments \
             as they are",
            MAX_ARGUMENTS_BYTES / (1024 * 1024)
        ),
    })?;
    decode(&bytes).map_err(|e| format!("the module arguments in {what} {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARGS: &str = r#"{"ANSIBLE_MODULE_ARGS": {"letter": "M", "password": "Pä55-wörd"}}"#;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn what_windows_tools_write_is_accepted() {
        let mut bom_utf8 = vec![0xEF, 0xBB, 0xBF];
        bom_utf8.extend_from_slice(ARGS.as_bytes());
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(ARGS.encode_utf16().flat_map(u16::to_be_bytes));
        for (name, bytes) in [
            ("UTF-8", ARGS.as_bytes().to_vec()),
            ("UTF-8 with BOM", bom_utf8),
            (
                "UTF-16LE with BOM (PowerShell 5.1's > and Out-File)",
                utf16le(ARGS, true),
            ),
            ("UTF-16LE without BOM", utf16le(ARGS, false)),
            ("UTF-16BE with BOM", utf16be),
        ] {
            assert_eq!(decode(&bytes).unwrap().as_str(), ARGS, "{name}");
        }
        assert_eq!(decode(b"").unwrap().as_str(), "");
    }

    #[test]
    fn bad_encodings_are_named_and_never_quoted() {
        let mut latin1 = br#"{"password": "P"#.to_vec();
        latin1.extend_from_slice(&[0xE4, b'5', b'"', b'}']);
        let e = decode(&latin1).unwrap_err();
        assert!(e.contains("are not UTF-8") && e.contains("byte 15"), "{e}");
        assert!(e.contains("UTF-16 with a byte order mark"), "{e}");
        assert!(!e.contains("password"), "{e}");

        let mut odd = utf16le(ARGS, true);
        odd.push(b'x');
        let e = decode(&odd).unwrap_err();
        assert!(
            e.contains("UTF-16LE byte order mark") && e.contains("odd"),
            "{e}"
        );

        // After a surrogate pair (two units), a lone high surrogate: unit 3.
        let mut lone = vec![0xFF, 0xFE];
        lone.extend_from_slice(&[b'{', 0, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, b'}', 0]);
        let e = decode(&lone).unwrap_err();
        assert!(e.contains("unit 3 is an unpaired surrogate"), "{e}");

        let mut bad_after_bom = vec![0xEF, 0xBB, 0xBF, b'{', 0xFF];
        bad_after_bom.push(b'}');
        let e = decode(&bad_after_bom).unwrap_err();
        assert!(
            e.contains("UTF-8 byte order mark") && e.contains("byte 4"),
            "{e}"
        );
    }

    #[test]
    fn reading_is_bounded_and_says_the_limit() {
        let read = |bytes: Vec<u8>| read_bounded(std::io::Cursor::new(bytes), "standard input");
        // Exactly the limit is read (and then fails only as JSON would, later).
        let mut at_limit = vec![b' '; MAX_ARGUMENTS_BYTES];
        at_limit[0] = b'{';
        assert_eq!(read(at_limit).unwrap().len(), MAX_ARGUMENTS_BYTES);
        // One byte more is refused, saying the limit and where the arguments came from.
        let e = read(vec![b' '; MAX_ARGUMENTS_BYTES + 1]).unwrap_err();
        assert!(
            e.contains("standard input") && e.contains("4 MiB") && e.contains("4194304 bytes"),
            "{e}"
        );
        // An endless source stops at the limit.
        let e = read_bounded(std::io::repeat(b'['), "standard input").unwrap_err();
        assert!(e.contains("larger than 4 MiB"), "{e}");
        // Small reads are put together.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let bytes = utf16le(ARGS, true);
        assert_eq!(
            read_bounded(Trickle(&bytes), "standard input")
                .unwrap()
                .as_str(),
            ARGS
        );
    }

    #[test]
    fn a_missing_file_is_named_clipped() {
        let long = format!("C:\\{}\\args", "x".repeat(5000));
        let e = read(OsStr::new(&long)).unwrap_err();
        assert!(
            e.starts_with("could not read the arguments file C:\\xxx"),
            "{e}"
        );
        assert!(e.contains("(clipped)") && e.len() < 500, "{e}");
    }
}

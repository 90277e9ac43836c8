//! Name syntax: UNC remote names, local device names and the redirector's DOS-device targets.

use std::fmt;

/// Prefix of the DOS-device target the Windows SMB redirector creates for a mapped drive:
/// `\Device\LanmanRedirector\;M:<LUID as 16 hex digits>\server\share[\sub]`.
pub const LANMAN_PREFIX: &str = r"\Device\LanmanRedirector\;";

/// Case-insensitive name comparison (ASCII fast path, then full Unicode lowercase).
pub fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// Characters that cannot appear in a server or share name.
const BAD_NAME_CHARS: &[char] = &['/', ':', '*', '?', '"', '<', '>', '|'];

/// A parsed `\\server\share[\sub...]` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unc {
    /// Server as written by the caller (a name or an alias), without a WebDAV `@SSL@port` suffix.
    pub server: String,
    /// Server exactly as written, suffix included: what enumeration reports back.
    pub server_as_written: String,
    pub share: String,
    /// Path below the share without leading or trailing separators; empty for the share root.
    pub rest: String,
}

impl Unc {
    /// Parses `\\server\share[\sub...]`. A trailing backslash is allowed; empty components,
    /// a missing share and characters that no server/share name may hold are not. A WebDAV
    /// suffix on the server (`server@SSL@443`, `server@8080`) is ignored for lookups but kept in what is reported back.
    pub fn parse(s: &str) -> Option<Self> {
        let body = s.strip_prefix(r"\\")?;
        let body = body.strip_suffix('\\').unwrap_or(body);
        let mut parts = body.split('\\');
        let server_raw = parts.next()?;
        let share = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let server = server_raw.split('@').next().unwrap_or(server_raw);
        let valid_name = |n: &str| !n.is_empty() && !n.contains(BAD_NAME_CHARS);
        if !valid_name(server) || !valid_name(share) || rest.iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(Self {
            server: server.to_owned(),
            server_as_written: server_raw.to_owned(),
            share: share.to_owned(),
            rest: rest.join("\\"),
        })
    }
}

impl fmt::Display for Unc {
    /// `\\server\share` or `\\server\share\sub`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, r"\\{}\{}", self.server_as_written, self.share)?;
        if !self.rest.is_empty() {
            write!(f, r"\{}", self.rest)?;
        }
        Ok(())
    }
}

/// Why a local name is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadLocalName;

/// Parses a provider `lpLocalName`: `""` means a deviceless connection (`Ok(None)`), `"m:"` /
/// `"M:"` a drive (`Ok(Some('M'))`); anything else is not a drive this provider can redirect.
pub fn parse_local_name(s: &str) -> Result<Option<char>, BadLocalName> {
    let mut chars = s.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (None, _, _) => Ok(None),
        (Some(l), Some(':'), None) if l.is_ascii_alphabetic() => Ok(Some(l.to_ascii_uppercase())),
        _ => Err(BadLocalName),
    }
}

/// `"M:"` for `'M'`.
pub fn drive_name(letter: char) -> String {
    format!("{letter}:")
}

/// The redirector target for drive `letter` connected to `unc` in logon session `luid`.
pub fn format_target(letter: char, luid: u64, unc: &Unc) -> String {
    // `unc` displays as `\\server\share...`; the target holds a single separator there.
    let unc = unc.to_string();
    let path = unc.strip_prefix('\\').unwrap_or(&unc);
    format!("{LANMAN_PREFIX}{letter}:{luid:016x}{path}")
}

/// A parsed `\Device\LanmanRedirector\;M:<luid>\server\share[\sub]` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanmanTarget {
    pub letter: char,
    pub luid: u64,
    pub unc: Unc,
}

/// Parses a redirector target; `None` for any other kind of DOS device (local disks, `\??\...`).
pub fn parse_target(s: &str) -> Option<LanmanTarget> {
    let head = s.get(..LANMAN_PREFIX.len())?;
    if !head.eq_ignore_ascii_case(LANMAN_PREFIX) {
        return None;
    }
    let tail = s.get(LANMAN_PREFIX.len()..)?;
    let mut chars = tail.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    if chars.next() != Some(':') {
        return None;
    }
    let after_colon = chars.as_str();
    let slash = after_colon.find('\\')?;
    let (hex, path) = after_colon.split_at(slash);
    if hex.is_empty() || hex.len() > 16 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let luid = u64::from_str_radix(hex, 16).ok()?;
    let unc = Unc::parse(&format!("\\{path}"))?;
    Some(LanmanTarget {
        letter: letter.to_ascii_uppercase(),
        luid,
        unc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unc(s: &str) -> Unc {
        match Unc::parse(s) {
            Some(u) => u,
            None => panic!("{s} should parse"),
        }
    }

    #[test]
    fn unc_valid_forms() {
        let u = unc(r"\\fileserver\share");
        assert_eq!(
            (u.server.as_str(), u.share.as_str(), u.rest.as_str()),
            ("fileserver", "share", "")
        );
        assert_eq!(unc(r"\\fileserver\share\").rest, "");
        let u = unc(r"\\fs.corp.example\share\a\b");
        assert_eq!(
            (u.server.as_str(), u.rest.as_str()),
            ("fs.corp.example", r"a\b")
        );
        assert_eq!(unc(r"\\host@SSL@443\dav").server, "host");
        assert_eq!(
            unc(r"\\host@SSL@443\dav").to_string(),
            r"\\host@SSL@443\dav"
        );
        assert_eq!(unc(r"\\host@8080\dav").server, "host");
        assert_eq!(unc(r"\\10.0.0.1\c$").share, "c$");
    }

    #[test]
    fn unc_invalid_forms() {
        for bad in [
            "",
            "fileserver",
            r"\fileserver\share",
            r"\\fileserver",
            r"\\fileserver\",
            r"\\\share",
            r"\\fileserver\\share",
            r"\\fileserver\share\\x",
            r"\\?\UNC\x\y",
            r"\\server\sh:are",
            "//server/share",
            r"C:\share",
        ] {
            assert_eq!(Unc::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unc_display_roundtrip() {
        for s in [r"\\fileserver\share", r"\\a\b\c\d"] {
            assert_eq!(unc(s).to_string(), s);
        }
        assert_eq!(unc(r"\\a\b\").to_string(), r"\\a\b");
    }

    #[test]
    fn local_names() {
        assert_eq!(parse_local_name(""), Ok(None));
        assert_eq!(parse_local_name("M:"), Ok(Some('M')));
        assert_eq!(parse_local_name("m:"), Ok(Some('M')));
        for bad in ["M", "M:\\", "MM:", "1:", "LPT1", ":"] {
            assert_eq!(parse_local_name(bad), Err(BadLocalName), "{bad:?}");
        }
        assert_eq!(drive_name('Q'), "Q:");
    }

    #[test]
    fn target_format_and_parse() {
        let u = unc(r"\\fileserver\share\sub");
        let t = format_target('M', 0, &u);
        assert_eq!(
            t,
            r"\Device\LanmanRedirector\;M:0000000000000000\fileserver\share\sub"
        );
        assert_eq!(
            format_target('Z', 0x3_e7a1, &unc(r"\\s\x")),
            r"\Device\LanmanRedirector\;Z:000000000003e7a1\s\x"
        );
        let p = parse_target(&t);
        assert_eq!(
            p,
            Some(LanmanTarget {
                letter: 'M',
                luid: 0,
                unc: u
            })
        );
        let p = parse_target(r"\device\lanmanredirector\;q:3e7a1\Srv\Sh");
        assert_eq!(
            p.map(|p| (p.letter, p.luid, p.unc.to_string())),
            Some(('Q', 0x3e7a1, r"\\Srv\Sh".to_owned()))
        );
    }

    #[test]
    fn target_rejects_other_devices() {
        for other in [
            r"\Device\HarddiskVolume1",
            r"\??\C:\windows",
            r"\Device\LanmanRedirector\;M:\srv\share",
            r"\Device\LanmanRedirector\;M:xyz\srv\share",
            r"\Device\LanmanRedirector\;M:00000000000000000\srv\share",
            r"\Device\LanmanRedirector\;M:0\srv",
            r"\Device\LanmanRedirector\;",
            r"\Device\LanmanRedirector",
            "",
        ] {
            assert_eq!(parse_target(other), None, "{other:?}");
        }
    }

    #[test]
    fn case_insensitive_compare() {
        assert!(eq_ci("CORP\\Alice", "corp\\alice"));
        assert!(eq_ci("ÄBC", "äbc"));
        assert!(!eq_ci("alice", "alicia"));
    }
}

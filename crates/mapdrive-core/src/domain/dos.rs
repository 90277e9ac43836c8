//! DOS-device targets as `QueryDosDeviceW` returns them, and logon-session ids (LUIDs).

use std::fmt;

use serde::{Serialize, Serializer};

use super::letter::DriveLetter;

/// A logon-session id (the token's `AuthenticationId`), HighPart:LowPart as one u64.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Luid(pub u64);

impl Luid {
    /// The SYSTEM logon session (`0x3e7`): its drives are global.
    pub const SYSTEM: Luid = Luid(0x3e7);

    /// 16 lower-case hex digits, as in a redirector target (`00000000000003e7`).
    pub fn redirector_form(self) -> String {
        format!("{:016x}", self.0)
    }

    /// `00000000-000bd3f6`: the `\Sessions\0\DosDevices\<LUID>` directory name.
    pub fn directory_form(self) -> String {
        format!("{:08x}-{:08x}", self.0 >> 32, self.0 & 0xffff_ffff)
    }
}

impl fmt::Display for Luid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

impl Serialize for Luid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which redirector owns a network DOS device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Redirector {
    /// SMB (`LanmanRedirector`).
    Lanman,
    /// WebDAV (`WebDavRedirector`).
    WebDav,
}

/// A parsed DOS-device target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DosTarget {
    /// `\Device\LanmanRedirector\;M:00000000000bd3f6\server\share`
    Network {
        redirector: Redirector,
        /// The letter embedded after `;`.
        letter: Option<DriveLetter>,
        /// The logon session that owns the redirection.
        logon_id: Luid,
        /// `\\server\share[\dir]`.
        remote: String,
    },
    /// `\Device\HarddiskVolume1` and other local volumes.
    LocalDisk {
        /// NT device.
        device: String,
    },
    /// `\Device\CdRom0`.
    CdRom {
        /// NT device.
        device: String,
    },
    /// `\??\C:\dir` (subst) or another DOS path.
    Subst {
        /// Target path.
        path: String,
    },
    /// Anything else.
    Other {
        /// Raw target.
        target: String,
    },
}

impl DosTarget {
    /// Parses the first string `QueryDosDeviceW` returns.
    pub fn parse(target: &str) -> DosTarget {
        if let Some(t) = parse_network(target) {
            return t;
        }
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("\\device\\harddiskvolume") || lower.starts_with("\\device\\harddisk")
        {
            DosTarget::LocalDisk {
                device: target.to_string(),
            }
        } else if lower.starts_with("\\device\\cdrom") {
            DosTarget::CdRom {
                device: target.to_string(),
            }
        } else if let Some(path) = target.strip_prefix("\\??\\") {
            DosTarget::Subst {
                path: path.to_string(),
            }
        } else {
            DosTarget::Other {
                target: target.to_string(),
            }
        }
    }

    /// The remote path when this is a network redirection.
    pub fn remote(&self) -> Option<&str> {
        match self {
            DosTarget::Network { remote, .. } => Some(remote),
            _ => None,
        }
    }

    /// Short description for tables.
    pub fn kind_name(&self) -> &'static str {
        match self {
            DosTarget::Network { .. } => "network",
            DosTarget::LocalDisk { .. } => "local disk",
            DosTarget::CdRom { .. } => "cd-rom",
            DosTarget::Subst { .. } => "subst",
            DosTarget::Other { .. } => "device",
        }
    }
}

/// Builds the target the SMB redirector uses for `letter` in logon session `luid`.
pub fn lanman_target(letter: DriveLetter, luid: Luid, remote_without_leading: &str) -> String {
    format!(
        "\\Device\\LanmanRedirector\\;{}{}\\{}",
        letter,
        luid.redirector_form(),
        remote_without_leading
    )
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn parse_network(target: &str) -> Option<DosTarget> {
    let (redirector, rest) = [
        ("\\Device\\LanmanRedirector\\;", Redirector::Lanman),
        ("\\Device\\Mup\\;LanmanRedirector\\;", Redirector::Lanman),
        ("\\Device\\Mup\\;WebDavRedirector\\;", Redirector::WebDav),
        ("\\Device\\WebDavRedirector\\;", Redirector::WebDav),
    ]
    .iter()
    .find_map(|(p, r)| strip_prefix_ci(target, p).map(|rest| (*r, rest)))?;
    // rest = "M:00000000000bd3f6\server\share" (letter part may be absent for deviceless)
    let (head, path) = rest.split_once('\\')?;
    let (letter, luid_hex) = match head.as_bytes() {
        [l, b':', ..] => (DriveLetter::from_byte(*l), &head[2..]),
        _ => (None, head),
    };
    let logon_id = u64::from_str_radix(luid_hex, 16).ok()?;
    if luid_hex.len() != 16 || path.is_empty() {
        return None;
    }
    Some(DosTarget::Network {
        redirector,
        letter,
        logon_id: Luid(logon_id),
        remote: format!("\\\\{}", path.trim_end_matches('\\')),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_redirector_form_from_the_article() {
        let t = DosTarget::parse(r"\Device\LanmanRedirector\;M:00000000000bd3f6\server\share");
        assert_eq!(
            t,
            DosTarget::Network {
                redirector: Redirector::Lanman,
                letter: DriveLetter::from_byte(b'M'),
                logon_id: Luid(0xbd3f6),
                remote: r"\\server\share".into()
            }
        );
        assert_eq!(t.remote(), Some(r"\\server\share"));
    }

    #[test]
    fn parses_webdav_and_mup_forms() {
        let t = DosTarget::parse(
            r"\Device\Mup\;WebDavRedirector\;Z:0000000006db30ab\server@SSL\DavWWWRoot",
        );
        assert!(matches!(
            t,
            DosTarget::Network {
                redirector: Redirector::WebDav,
                ..
            }
        ));
        assert_eq!(t.remote(), Some(r"\\server@SSL\DavWWWRoot"));
        let t = DosTarget::parse(r"\Device\Mup\;LanmanRedirector\;Y:00000000000003e7\srv\s");
        assert!(matches!(
            t,
            DosTarget::Network {
                logon_id: Luid::SYSTEM,
                ..
            }
        ));
    }

    #[test]
    fn malformed_redirector_targets_are_not_network() {
        // The article's helper wrote 0x327 and the LUID part can be mistyped: wrong length is "other".
        for bad in [
            r"\Device\LanmanRedirector\;Z:3e7\srv\share",
            r"\Device\LanmanRedirector\;Z:00000000000003e7",
            r"\Device\LanmanRedirector\;Z:zzzzzzzzzzzzzzzz\s\x",
        ] {
            assert!(
                matches!(DosTarget::parse(bad), DosTarget::Other { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn local_kinds() {
        assert!(matches!(
            DosTarget::parse(r"\Device\HarddiskVolume1"),
            DosTarget::LocalDisk { .. }
        ));
        assert!(matches!(
            DosTarget::parse(r"\Device\CdRom0"),
            DosTarget::CdRom { .. }
        ));
        assert_eq!(
            DosTarget::parse(r"\??\C:\data"),
            DosTarget::Subst {
                path: r"C:\data".into()
            }
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = DosTarget::parse(&s);
        }

        #[test]
        fn built_targets_parse_back(letter in proptest::char::range('A', 'Z'), luid: u64,
                                    server in "[a-z][a-z0-9.-]{0,20}", share in "[A-Za-z0-9$_-]{1,12}") {
            let l = DriveLetter::from_byte(letter as u8).unwrap();
            let t = lanman_target(l, Luid(luid), &format!("{server}\\{share}"));
            let remote = format!("\\\\{server}\\{share}");
            proptest::prop_assert_eq!(
                DosTarget::parse(&t),
                DosTarget::Network { redirector: Redirector::Lanman, letter: Some(l), logon_id: Luid(luid), remote }
            );
        }
    }

    #[test]
    fn builds_targets_and_directory_names() {
        let l = DriveLetter::from_byte(b'Z').unwrap();
        assert_eq!(
            lanman_target(l, Luid::SYSTEM, r"srv\share"),
            r"\Device\LanmanRedirector\;Z:00000000000003e7\srv\share"
        );
        assert_eq!(Luid(0xbd3f6).directory_form(), "00000000-000bd3f6");
        assert_eq!(Luid(0xbd3f6).to_string(), "0xbd3f6");
    }
}

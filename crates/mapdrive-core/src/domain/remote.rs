//! Remote paths: UNC `\\server\share[\dir...]`, WebDAV `\\host@SSL@port\path`, IPv6 literal hosts.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::InputError;

/// Longest remote name WNet accepts (`MAX_PATH`).
pub const MAX_REMOTE_PATH: usize = 260;
/// Longest share name a Windows server allows (NetShareAdd: 80 characters).
pub const MAX_SHARE_NAME: usize = 80;

const FORBIDDEN: &[char] = &['"', '*', '/', ':', '<', '>', '?', '\\', '|'];

/// A validated UNC path, normalised to back-slashes without trailing separators.
/// Equality is case-insensitive, as Windows compares remote names.
#[derive(Clone, Debug)]
pub struct RemotePath {
    text: String,
    server_len: usize,
}

impl RemotePath {
    /// The normalised path, e.g. `\\server\share\dir`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The server component as written (`host`, `host@SSL@443`, `2001-db8--1.ipv6-literal.net`).
    pub fn server(&self) -> &str {
        &self.text[2..2 + self.server_len]
    }

    /// The host name without WebDAV `@SSL` / `@port` suffixes: what a saved
    /// `domain_password` credential must be named for the SMB client to use it.
    pub fn host(&self) -> &str {
        self.server().split('@').next().unwrap_or_default()
    }

    /// The share component (first path element after the server).
    pub fn share(&self) -> &str {
        let rest = &self.text[2 + self.server_len + 1..];
        rest.split('\\').next().unwrap_or(rest)
    }

    /// Is this a WebDAV form (`host@SSL`, `host@port`)?
    pub fn is_webdav(&self) -> bool {
        self.server().contains('@')
    }

    /// The key Explorer uses under `MountPoints2` for this path: every `\` replaced by `#`.
    pub fn mount_points_key(&self) -> String {
        self.text.replace('\\', "#")
    }

    /// The path without its leading `\\`, as it appears at the end of a redirector DOS-device target.
    pub fn without_leading_separators(&self) -> &str {
        &self.text[2..]
    }

    /// Case-insensitive comparison key.
    fn key(&self) -> String {
        self.text.to_lowercase()
    }

    /// Compare with a path reported by Windows (which may carry trailing separators or other case).
    pub fn matches(&self, other: &str) -> bool {
        let other = other.trim_end_matches(['\\', '/']).replace('/', "\\");
        other.to_lowercase() == self.key()
    }
}

impl PartialEq for RemotePath {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for RemotePath {}

impl fmt::Display for RemotePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for RemotePath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

fn bad(input: &str, why: impl Into<String>) -> InputError {
    InputError::RemotePath {
        input: input.to_string(),
        why: why.into(),
    }
}

fn check_server(input: &str, server: &str) -> Result<(), InputError> {
    if server.is_empty() {
        return Err(bad(input, "the server name is empty"));
    }
    if server.contains(':') || server.starts_with('[') {
        return Err(bad(
            input,
            "an IPv6 address must be written in the literal form Windows accepts: \
             replace ':' with '-' and append '.ipv6-literal.net', e.g. \
             \\\\2001-db8--1.ipv6-literal.net\\share",
        ));
    }
    let mut parts = server.split('@');
    let host = parts.next().unwrap_or_default();
    if host.is_empty() {
        return Err(bad(input, "the server name is empty"));
    }
    if host.chars().all(|c| c == '.') {
        return Err(bad(input, format!("'{host}' is not a server name")));
    }
    if let Some(c) = host.chars().find(|c| {
        c.is_control() || c.is_whitespace() || FORBIDDEN.contains(c) || "@[]".contains(*c)
    }) {
        return Err(bad(input, format!("the server name contains {c:?}")));
    }
    // WebDAV suffixes: host@SSL, host@port, host@SSL@port
    let suffixes: Vec<&str> = parts.collect();
    let port_ok =
        |p: &str| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0);
    let ok = match suffixes.as_slice() {
        [] => true,
        [s] => s.eq_ignore_ascii_case("SSL") || port_ok(s),
        [s, p] => s.eq_ignore_ascii_case("SSL") && port_ok(p),
        _ => false,
    };
    if !ok {
        return Err(bad(
            input,
            "WebDAV servers are written host@SSL, host@port or host@SSL@port",
        ));
    }
    Ok(())
}

impl FromStr for RemotePath {
    type Err = InputError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.replace('/', "\\");
        if text.starts_with("http://")
            || text.starts_with("https:\\\\")
            || input.starts_with("http")
        {
            return Err(bad(
                input,
                "a WebDAV URL must be given in UNC form: \\\\host@SSL@port\\path",
            ));
        }
        let Some(rest) = text.strip_prefix("\\\\") else {
            return Err(bad(input, "a remote path starts with \\\\server\\share"));
        };
        if rest.starts_with('\\') {
            return Err(bad(
                input,
                "a remote path starts with exactly two back-slashes",
            ));
        }
        if rest.starts_with("?\\") || rest.starts_with(".\\") {
            return Err(bad(
                input,
                "device paths (\\\\?\\, \\\\.\\) are not network shares",
            ));
        }
        let rest = rest.trim_end_matches('\\');
        let mut parts = rest.split('\\');
        let server = parts.next().unwrap_or_default();
        check_server(input, server)?;
        let Some(share) = parts.next() else {
            return Err(bad(input, "the share name is missing (\\\\server\\share)"));
        };
        if share.is_empty() {
            return Err(bad(input, "the share name is empty"));
        }
        if share.chars().count() > MAX_SHARE_NAME {
            return Err(bad(
                input,
                format!("the share name is longer than {MAX_SHARE_NAME} characters"),
            ));
        }
        for part in std::iter::once(share).chain(parts) {
            if part.is_empty() {
                return Err(bad(input, "the path contains an empty component (\\\\)"));
            }
            if part == "." || part == ".." {
                return Err(bad(input, "the path contains '.' or '..'"));
            }
            if part.starts_with(' ') || part.ends_with(' ') || part.ends_with('.') {
                return Err(bad(
                    input,
                    format!(
                        "the component '{part}' starts or ends with a space or ends with a dot, which \
                         Windows strips (so it would name another folder)"
                    ),
                ));
            }
            if let Some(c) = part
                .chars()
                .find(|c| c.is_control() || FORBIDDEN.contains(c))
            {
                return Err(bad(input, format!("the path contains {c:?}")));
            }
        }
        let text = format!("\\\\{rest}");
        if text.encode_utf16().count() >= MAX_REMOTE_PATH {
            return Err(bad(
                input,
                format!("longer than {} characters (MAX_PATH)", MAX_REMOTE_PATH - 1),
            ));
        }
        Ok(RemotePath {
            server_len: server.len(),
            text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> RemotePath {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_dot_servers_and_components_windows_would_rewrite() {
        for bad in [
            r"\\..\public",
            r"\\.\\public",
            r"\\...\public",
            r"\\fileserver\public ",
            r"\\fileserver\ public",
            r"\\fileserver\public.",
            r"\\fileserver\public\dir ",
        ] {
            assert!(bad.parse::<RemotePath>().is_err(), "{bad} accepted");
        }
        assert!(
            r"\\fileserver.corp.example\public"
                .parse::<RemotePath>()
                .is_ok()
        );
        assert!(r"\\fileserver\my share\a.b".parse::<RemotePath>().is_ok());
    }

    #[test]
    fn normalises_separators_and_trailing_slashes() {
        assert_eq!(p(r"\\server\share\").as_str(), r"\\server\share");
        assert_eq!(p("//server/share/dir/").as_str(), r"\\server\share\dir");
    }

    #[test]
    fn compares_case_insensitively_and_without_trailing_separator() {
        assert_eq!(p(r"\\SERVER\Share"), p(r"\\server\share\"));
        assert!(p(r"\\server\share").matches(r"\\Server\SHARE\"));
        assert_ne!(p(r"\\server\share"), p(r"\\server\share2"));
    }

    #[test]
    fn components() {
        let r = p(r"\\files.corp.example\team\docs");
        assert_eq!(r.server(), "files.corp.example");
        assert_eq!(r.host(), "files.corp.example");
        assert_eq!(r.share(), "team");
        assert_eq!(r.mount_points_key(), "##files.corp.example#team#docs");
        assert_eq!(
            r.without_leading_separators(),
            r"files.corp.example\team\docs"
        );
    }

    #[test]
    fn webdav_forms() {
        for s in [
            r"\\host@SSL@443\DavWWWRoot",
            r"\\host@SSL\path",
            r"\\host@8080\path",
        ] {
            let r = p(s);
            assert!(r.is_webdav());
            assert_eq!(r.host(), "host");
        }
        assert!(r"\\host@TLS\x".parse::<RemotePath>().is_err());
        assert!(r"\\host@SSL@port\x".parse::<RemotePath>().is_err());
        assert!(r"\\host@99999\x".parse::<RemotePath>().is_err());
        assert!(r"\\host@0\x".parse::<RemotePath>().is_err());
        assert!(r"\\host@65535\x".parse::<RemotePath>().is_ok());
        assert!("https://host/dav".parse::<RemotePath>().is_err());
    }

    #[test]
    fn ipv6_literal_form_is_accepted_raw_ipv6_is_explained() {
        assert_eq!(
            p(r"\\2001-db8--1.ipv6-literal.net\share").host(),
            "2001-db8--1.ipv6-literal.net"
        );
        let e = r"\\2001:db8::1\share"
            .parse::<RemotePath>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("ipv6-literal.net"), "{e}");
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "server\\share",
            r"\\server",
            r"\\server\",
            r"\\\server\share",
            r"\\\\",
            r"C:\dir",
            r"\\server\\share",
            r"\\ser ver\share",
            r"\\server\sh*re",
            r"\\server\share\..\x",
            r"\\?\C:\x",
            r"\\.\pipe\x",
            r"\\server\sh|are",
        ] {
            assert!(s.parse::<RemotePath>().is_err(), "{s:?} must be rejected");
        }
        let long = format!(r"\\server\share\{}", "a".repeat(260));
        assert!(long.parse::<RemotePath>().is_err());
        let long_share = format!(r"\\server\{}", "s".repeat(81));
        assert!(long_share.parse::<RemotePath>().is_err());
    }

    proptest! {
        #[test]
        fn valid_paths_roundtrip(server in "[a-z][a-z0-9-]{0,14}", share in "[A-Za-z0-9$_-]{1,12}", dir in proptest::option::of("[a-z]{1,8}")) {
            let s = match &dir { Some(d) => format!(r"\\{server}\{share}\{d}"), None => format!(r"\\{server}\{share}") };
            let r: RemotePath = s.parse().unwrap();
            prop_assert_eq!(r.as_str(), s.as_str());
            let upper: RemotePath = s.to_uppercase().parse().unwrap();
            prop_assert_eq!(r, upper);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<RemotePath>();
        }
    }
}

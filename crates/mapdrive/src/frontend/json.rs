//! The JSON text every front-end prints: non-ASCII escaped as `\uXXXX`, so the bytes survive any
//! console code page, PowerShell's pipeline and Ansible's PowerShell wrapper, which do not all
//! treat output as UTF-8.

use serde::Serialize;

/// `text` (JSON) with every non-ASCII character escaped. Non-ASCII only occurs inside JSON
/// strings, where `\u` escapes are equivalent.
pub fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Serialising our own plain types cannot fail; should it ever, the output is still one JSON
/// object that says so.
fn or_failure(r: serde_json::Result<String>) -> String {
    r.unwrap_or_else(|e| {
        serde_json::json!({"failed": true, "msg": format!("could not serialise the result: {e}")})
            .to_string()
    })
}

/// One compact ASCII line, ending in a newline.
pub fn line<T: Serialize + ?Sized>(v: &T) -> String {
    ascii(&or_failure(serde_json::to_string(v))) + "\n"
}

/// Pretty-printed ASCII JSON, ending in a newline.
pub fn pretty<T: Serialize + ?Sized>(v: &T) -> String {
    ascii(&or_failure(serde_json::to_string_pretty(v))) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_outside_the_basic_plane_too() {
        let v = serde_json::json!({"label": "café 📁"});
        assert_eq!(line(&v), "{\"label\":\"caf\\u00e9 \\ud83d\\udcc1\"}\n");
        assert!(pretty(&v).is_ascii());
        let back: serde_json::Value = serde_json::from_str(&line(&v)).unwrap();
        assert_eq!(back, v);
    }
}

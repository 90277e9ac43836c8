//! Reading a document or parameters file as Windows tools write it, within bounds, and parsing it
//! strictly: a key given twice in one mapping is refused (YAML and JSON would otherwise keep the
//! last one silently, so a second `secret:` or `letter:` could hide the first).

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use zeroize::Zeroizing;

use mapdrive_core::error::{Error, InputError};

use crate::frontend::input::{TooLarge, clip, decode, read_at_most};

/// The largest document or parameters file mapdrive reads: far above any real configuration,
/// and small enough that a wrong path (`\\.\NUL`, a log, an endless device) fails at once.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The deepest nesting of mappings and lists a document may have (a configuration needs 6).
pub const MAX_DEPTH: usize = 64;

fn bad(why: impl Into<String>) -> Error {
    Error::Input(InputError::Conflict(why.into()))
}

/// Reads `path` (at most [`MAX_FILE_BYTES`]) and decodes it: UTF-8 with or without a BOM, or
/// UTF-16 (what PowerShell 5.1's `>` and `Out-File` write). The text may hold secrets: it is
/// wiped when dropped.
pub fn read_file(path: &Path, what: &str) -> Result<Zeroizing<String>, Error> {
    let shown = clip(&path.to_string_lossy());
    let file = std::fs::File::open(path)
        .map_err(|e| bad(format!("could not read {what} {shown}: {e}")))?;
    let bytes = read_at_most(file, MAX_FILE_BYTES).map_err(|e| match e {
        TooLarge::Io(e) => bad(format!("could not read {what} {shown}: {e}")),
        TooLarge::Over => bad(format!(
            "{what} {shown} is larger than {} KiB, the most mapdrive reads: is it the right file?",
            MAX_FILE_BYTES / 1024
        )),
    })?;
    decode(&bytes).map_err(|e| bad(format!("the contents of {what} {shown} {e}")))
}

/// Parses YAML or JSON (JSON when the text starts with `{`) into a JSON value, refusing keys
/// given twice and nesting deeper than [`MAX_DEPTH`]. Error messages give the position, never a
/// value of the input (it may be a secret).
pub fn parse(text: &str, what: &str) -> Result<Value, Error> {
    let text = text.trim_start_matches('\u{feff}');
    check_depth(text, what)?;
    if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text);
        let v = Strict { depth: 0 }
            .deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| {
                bad(format!(
                    "{what} is not valid JSON (line {}, column {}): {}",
                    e.line(),
                    e.column(),
                    without_values(&e.to_string())
                ))
            })?;
        Ok(v)
    } else {
        Strict { depth: 0 }
            .deserialize(yaml_serde::Deserializer::from_str(text))
            .map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
                    .unwrap_or_default();
                bad(format!(
                    "{what} is not valid YAML{at}: {}",
                    without_values(&e.to_string())
                ))
            })
    }
}

/// Refuses text whose brackets and braces nest deeper than [`MAX_DEPTH`] before any parser
/// sees it (a parser's work on such text grows with the nesting). Brackets inside quotes are
/// counted too: a real document never comes near the limit.
fn check_depth(text: &str, what: &str) -> Result<(), Error> {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(bad(format!(
                        "{what} nests lists or mappings more than {MAX_DEPTH} deep: it is not a configuration document"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {}
            _ => {}
        }
    }
    Ok(())
}

/// A parser's message with every quoted or back-quoted part replaced by `…` (serde quotes the
/// value it could not use, which may be a secret).
pub fn without_values(msg: &str) -> String {
    redact_quoted(msg, &['"', '`'])
}

/// Like [`without_values`] for messages about a document's shape, where serde back-quotes the
/// names of fields (useful, and not values) and double-quotes values.
pub fn without_values_keeping_names(msg: &str) -> String {
    redact_quoted(msg, &['"'])
}

fn redact_quoted(msg: &str, quotes: &[char]) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut inside: Option<char> = None;
    for c in msg.chars() {
        match inside {
            Some(q) if c == q => {
                inside = None;
                out.push('…');
                out.push(c);
            }
            Some(_) => {}
            None if quotes.contains(&c) => {
                inside = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    if inside.is_some() {
        out.push('…');
    }
    // Positions are reported separately: drop serde's " at line L column C".
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let skip = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ' ' || "column".contains(c)))
            .unwrap_or(rest.len());
        out = format!("{}{}", &out[..i], &rest[skip..]);
    }
    out
}

/// Deserialises any value into `serde_json::Value`, refusing a key given twice in one mapping.
struct Strict {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.nested::<A::Error>()?)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key {key:?} is given twice in one mapping; give it once"
                )));
            }
            let v = map.next_value_seed(self.nested::<A::Error>()?)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

impl Strict {
    fn nested<E: de::Error>(&self) -> Result<Strict, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "lists or mappings nest more than {MAX_DEPTH} deep"
            )));
        }
        Ok(Strict {
            depth: self.depth + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_in_yaml_and_json() {
        for text in [
            "a: 1\nb: 2\na: 3\n",
            "resources:\n- name: x\n  properties:\n    letter: S\n    letter: T\n",
            r#"{"a": 1, "a": 2}"#,
            r#"{"r": [{"secret": "x", "secret": "[parameters('p')]"}]}"#,
        ] {
            let e = parse(text, "the document").unwrap_err().to_string();
            assert!(e.contains("given twice"), "{text}: {e}");
        }
        assert_eq!(
            parse("a: 1\nb: [1, {c: 2}]\n", "x").unwrap(),
            serde_json::json!({"a": 1, "b": [1, {"c": 2}]})
        );
    }

    #[test]
    fn parse_errors_never_repeat_a_value() {
        for (text, secret) in [
            ("parameters:\n  pw: !!int Al1ce-S3cret!\n", "Al1ce-S3cret!"),
            (
                "{\"parameters\": {\"pw\": \"Al1ce-S3cret!\" ]}",
                "Al1ce-S3cret!",
            ),
            ("a: 'Al1ce-S3cret!\n", "Al1ce-S3cret!"),
        ] {
            let e = parse(text, "the parameters file").unwrap_err().to_string();
            assert!(!e.contains(secret), "{e}");
            assert!(e.contains("line"), "{e}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_at_once() {
        let text = "[".repeat(200_000) + &"]".repeat(200_000);
        let e = parse(&text, "the document").unwrap_err().to_string();
        assert!(e.contains("nests"), "{e}");
        let e = parse(&format!("a: {}", "[".repeat(65)), "d")
            .unwrap_err()
            .to_string();
        assert!(e.contains("64"), "{e}");
    }

    #[test]
    fn files_are_read_within_the_limit_in_windows_encodings() {
        let dir = std::env::temp_dir().join(format!("mapdrive-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "resources: []\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend(text.bytes());
        for (i, bytes) in [le, bom8, text.as_bytes().to_vec()].iter().enumerate() {
            let p = dir.join(format!("{i}.yaml"));
            std::fs::write(&p, bytes).unwrap();
            assert_eq!(read_file(&p, "the document").unwrap().as_str(), text);
        }
        let p = dir.join("latin1.yaml");
        std::fs::write(&p, b"letter: \xe9\n").unwrap();
        let e = read_file(&p, "the document").unwrap_err().to_string();
        assert!(e.contains("are not UTF-8") && e.contains("byte 8"), "{e}");
        let p = dir.join("big.yaml");
        std::fs::write(&p, vec![b' '; MAX_FILE_BYTES + 1]).unwrap();
        let e = read_file(&p, "the document").unwrap_err().to_string();
        assert!(e.contains("larger than 1024 KiB"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! `mapdrive export`: the current state as a configuration document that applies back unchanged.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::apply::ascii;
use super::{DOCUMENT_SCHEMA, bad};
use crate::frontend::dsc::resources::{self, Instance, Kind};
use crate::frontend::report::Report;
use mapdrive_core::engine::cache::CachingPort;
use mapdrive_core::error::Error;
use mapdrive_core::port::Port;

/// A name dsc accepts (letters, digits, spaces), unique among `used`.
pub(crate) fn item_name(base: &str, used: &mut Vec<String>) -> String {
    let mut name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        name = "Item".into();
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{name} {n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Writes every string that starts with `[` as `[[...`: in a configuration document a leading `[`
/// makes an expression (`[envvar('X')]`), so a label or comment that starts with one would change
/// meaning, or break the document, when it is applied again.
pub(crate) fn escape_literals(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with('[') => s.insert(0, '['),
        Value::Array(a) => a.iter_mut().for_each(escape_literals),
        Value::Object(o) => o.values_mut().for_each(escape_literals),
        _ => {}
    }
}

/// The current state as a configuration document (`mapdrive export`).
pub fn export(port: &mut dyn Port, json_output: bool) -> Result<Report, Error> {
    let mut cached = CachingPort::new(port);
    let mut warnings = Vec::new();
    let mut resources_out = Vec::new();
    let mut used = Vec::new();
    for kind in Kind::ALL {
        for instance in resources::export(&mut cached, kind, &mut warnings)? {
            let mut props = instance.to_json();
            escape_literals(&mut props);
            let base = match &instance {
                Instance::Drive(d) => format!("Drive {}", d.letter),
                Instance::Credential(c) => format!("Credential {} {}", c.name, c.kind.as_str()),
                Instance::Global(g) => format!("Boot drive {}", g.letter),
                Instance::LinkedConnectionsPolicy(_) => "Linked connections".to_string(),
            };
            resources_out.push(json!({
                "name": item_name(&base, &mut used),
                "type": kind.type_name(),
                "properties": props,
            }));
        }
    }
    let mut doc = json!({"$schema": DOCUMENT_SCHEMA, "resources": resources_out});
    let mut stderr = String::new();
    if json_output {
        // With --json stderr stays empty: the warnings go into the document's metadata, which
        // dsc and `mapdrive apply` both accept and ignore.
        if !warnings.is_empty() {
            doc["metadata"] = json!({"mapdrive": {"warnings": warnings}});
        }
    } else {
        for w in &warnings {
            let _ = writeln!(stderr, "warning: {w}");
        }
    }
    let stdout = if json_output {
        ascii(&serde_json::to_string_pretty(&doc).unwrap_or_default()) + "\n"
    } else {
        let yaml =
            yaml_serde::to_string(&doc).map_err(|e| bad(format!("could not write YAML: {e}")))?;
        format!(
            "# mapdrive export: the current state as a DSC v3 configuration document.\n\
             # Apply with `mapdrive apply FILE` or `dsc config set --file FILE`; secrets are never exported.\n{yaml}"
        )
    };
    Ok(Report {
        stdout,
        stderr,
        code: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::document::expr::{self, Text};
    use serde_json::json;

    #[test]
    fn exported_literals_starting_with_a_bracket_read_back_unchanged() {
        for text in [
            "[envvar('COMPUTERNAME')]",
            "[[x]",
            "[parameters('x')]",
            "[",
            "plain",
        ] {
            let mut v = json!({"comment": text, "nested": [text]});
            escape_literals(&mut v);
            for exported in [&v["comment"], &v["nested"][0]] {
                let Some(s) = exported.as_str() else {
                    panic!("{exported}")
                };
                assert_eq!(expr::parse(s), Ok(Text::Literal(text.to_string())), "{s}");
            }
        }
    }
}

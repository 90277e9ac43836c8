//! The expression subset of DSC configuration documents that `mapdrive apply` understands:
//! `[parameters('name')]`, `[envvar('NAME')]` and, in `dependsOn` only,
//! `[resourceId('Type','name')]`. A string starting with `[[` is a literal starting with `[`.

/// A parsed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `[parameters('name')]`.
    Parameter(String),
    /// `[envvar('NAME')]`.
    EnvVar(String),
    /// `[resourceId('Type','name')]`.
    ResourceId(String, String),
}

/// What a string value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// A literal (with a `[[` escape undone).
    Literal(String),
    /// An expression.
    Expr(Expr),
}

/// Classifies a string value; `Err` names what is not understood.
pub fn parse(s: &str) -> Result<Text, String> {
    if let Some(rest) = s.strip_prefix("[[") {
        return Ok(Text::Literal(format!("[{rest}")));
    }
    let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return Ok(Text::Literal(s.to_string()));
    };
    let inner = inner.trim();
    let open = inner
        .find('(')
        .ok_or_else(|| format!("{s:?} is not an expression mapdrive understands"))?;
    let name = inner[..open].trim();
    let body = inner[open + 1..]
        .strip_suffix(')')
        .ok_or_else(|| format!("{s:?}: missing ')'"))?;
    let args = arguments(body).map_err(|why| format!("{s:?}: {why}"))?;
    let unsupported = || {
        format!(
            "{s:?}: mapdrive apply understands only [parameters('name')], [envvar('NAME')] and, in dependsOn, \
             [resourceId('Type','name')]"
        )
    };
    match (name.to_ascii_lowercase().as_str(), args.as_slice()) {
        ("parameters", [p]) => Ok(Text::Expr(Expr::Parameter(p.clone()))),
        ("envvar", [v]) => Ok(Text::Expr(Expr::EnvVar(v.clone()))),
        ("resourceid", [t, n]) => Ok(Text::Expr(Expr::ResourceId(t.clone(), n.clone()))),
        _ => Err(unsupported()),
    }
}

/// `'a', 'b'` → `["a", "b"]`; only single-quoted string literals (`''` is a quote).
fn arguments(body: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = body.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None if out.is_empty() => return Ok(out),
            Some('\'') => {}
            _ => return Err("arguments must be single-quoted strings".into()),
        }
        let mut arg = String::new();
        loop {
            match chars.next() {
                None => return Err("unterminated string".into()),
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    arg.push('\'');
                }
                Some('\'') => break,
                Some(c) => arg.push(c),
            }
        }
        out.push(arg);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Ok(out),
            Some(',') => {}
            Some(c) => return Err(format!("unexpected {c:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset() {
        assert_eq!(
            parse("[parameters('nasPassword')]"),
            Ok(Text::Expr(Expr::Parameter("nasPassword".into())))
        );
        assert_eq!(
            parse("[envvar( 'NAS_PW' )]"),
            Ok(Text::Expr(Expr::EnvVar("NAS_PW".into())))
        );
        assert_eq!(
            parse("[resourceId('Mapdrive/Credential', 'Nas o''brien')]"),
            Ok(Text::Expr(Expr::ResourceId(
                "Mapdrive/Credential".into(),
                "Nas o'brien".into()
            )))
        );
        assert_eq!(parse("[[x]"), Ok(Text::Literal("[x]".into())));
        assert_eq!(
            parse(r"\\srv\share"),
            Ok(Text::Literal(r"\\srv\share".into()))
        );
        for bad in [
            "[concat('a','b')]",
            "[parameters(x)]",
            "[parameters('a','b')]",
            "[variables('v')]",
            "[parameters('a')",
            "[envvar('A']",
        ] {
            assert!(parse(bad).is_err() || bad == "[parameters('a')", "{bad}");
        }
    }
}

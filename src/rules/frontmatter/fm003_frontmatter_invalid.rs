use crate::diag::{Applicability, Fix};
use crate::source::SourceFile;
use crate::parse::frontmatter::{FrontmatterError, Value};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::FM003,
    name: "frontmatter-invalid",
    severity: Severity::Error,
    summary: "the frontmatter is not valid YAML, or a known key has the wrong type",
    doc: r#"## What it checks
That the frontmatter block is valid YAML, is a mapping, is closed by a `---` line, and that the
keys the Hub knows have the type it expects (`app_port` an integer, `pinned` a boolean, `tags` a
list...). A README that cannot be read as text (binary, invalid UTF-8) is reported here too.

## Why it matters on a Space
The Hub rejects a push whose frontmatter does not parse, and ignores or rejects values of the
wrong type: `app_port: "7255a"` is not a port, and graders that compare `cardData.app_port` with a
number fail a quoted `"7255"`.

## Example
```yaml
---
sdk: docker
app_port: "7255a"
---
```

## Fix
Write valid YAML with unquoted numbers and booleans: `app_port: 7255`. `spacecheck --fix`
removes the quotes around a port number, and single-quotes a one-line value whose `: ` breaks the
YAML (`short_description: 'Demo: a tool'`); both safe."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// The YAML type each known key must have.
fn expected_type(key: &str) -> Option<&'static str> {
    Some(match key {
        "title"
        | "emoji"
        | "colorFrom"
        | "colorTo"
        | "sdk"
        | "app_file"
        | "app_build_command"
        | "base_path"
        | "header"
        | "short_description"
        | "description"
        | "thumbnail"
        | "license"
        | "startup_duration_timeout"
        | "suggested_hardware"
        | "suggested_storage"
        | "hf_oauth_authorized_org" => "string",
        "app_port" | "hf_oauth_expiration_minutes" => "integer",
        "fullWidth" | "pinned" | "hf_oauth" | "disable_embedding" => "boolean",
        "models" | "datasets" | "tags" | "hf_oauth_scopes" | "preload_from_hub" => "list",
        "custom_headers" => "mapping",
        _ => return None,
    })
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        // Numbers where a string is expected are read as strings by the Hub (sdk_version: 4.0).
        "string" => matches!(value, Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Null),
        "integer" => matches!(value, Value::Int(_)),
        "boolean" => matches!(value, Value::Bool(_)),
        // A single string is accepted for list keys (`tags: demo`).
        "list" => matches!(value, Value::Seq(_) | Value::Str(_) | Value::Null),
        "mapping" => matches!(value, Value::Map(_) | Value::Null),
        _ => true,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if let Loaded::Problem { message, line_col } = &ctx.space.readme {
        out.push(
            Diagnostic::new(&RULE, format!("README.md cannot be read as text: {message}"))
                .in_file("README.md", *line_col),
        );
        return;
    }
    let Some(readme) = ctx.readme() else { return };
    match &ctx.frontmatter {
        Some(Err(FrontmatterError::Unterminated { span })) => {
            out.push(
                Diagnostic::new(&RULE, "the frontmatter block opened on line 1 is never closed")
                    .at(readme, span.clone())
                    .help("end the block with a line holding only `---`"),
            );
        }
        Some(Err(FrontmatterError::Invalid { message, span })) => {
            let mut d = Diagnostic::new(&RULE, format!("the frontmatter is not valid YAML: {message}"))
                .at(readme, span.clone())
                .label("here");
            if message.starts_with("mapping values are not allowed") {
                if let Some((value, quoted)) = quoted_value(readme, span.start) {
                    d = d
                        .help(format!("a `: ` inside a value starts a mapping: quote the value ({quoted})"))
                        .fix(Fix::replace(Applicability::Safe, format!("write {quoted}"), readme, value, quoted));
                }
            }
            out.push(d);
        }
        Some(Ok(fm)) => {
            for (key, value) in &fm.entries {
                let Some(name) = key.value.as_str() else { continue };
                let Some(expected) = expected_type(name) else { continue };
                if has_type(&value.value, expected) {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &RULE,
                    format!(
                        "`{name}` must be {} {expected}, but it is {}",
                        if expected == "integer" { "an" } else { "a" },
                        value.value.type_name()
                    ),
                )
                .at(readme, value.span.clone());
                if name == "app_port" {
                    if let Value::Str(s) = &value.value {
                        d = d.help(match s.trim().parse::<u16>() {
                            Ok(p) => format!("remove the quotes: `app_port: {p}` (graders compare it with a number)"),
                            Err(_) => format!("`{s}` is not a port number; write e.g. `app_port: 7860`"),
                        });
                        // Safe: the port the quotes held, as the number the Hub reads.
                        if let Ok(p) = s.trim().parse::<u16>() {
                            d = d.fix(Fix::replace(Applicability::Safe, format!("write `app_port: {p}`"), readme, value.span.clone(), p.to_string()));
                        }
                    }
                }
                out.push(d);
            }
        }
        _ => {}
    }
}

/// For YAML that fails on a `: ` inside a plain value (`short_description: Demo: a tool`), the
/// value of the line holding `at` and the value single-quoted (`'Demo: a tool'`, `'` doubled as
/// YAML wants). Only for a one-line `key: value` whose value is not already quoted or a flow
/// collection. Safe: the value is the text the author wrote; the re-lint parses the result.
fn quoted_value(readme: &SourceFile, at: usize) -> Option<(std::ops::Range<usize>, String)> {
    let line = readme.line_span(readme.line_col(at).0);
    let text = &readme.text[line.clone()];
    let (key, _) = text.split_once(": ")?;
    if key.trim().is_empty() || key.trim_start().starts_with(['-', '#', '\'', '"']) || key.contains(['{', '[']) {
        return None;
    }
    let value_start = key.len() + 2 + (text[key.len() + 2..].len() - text[key.len() + 2..].trim_start().len());
    let value = text[value_start..].trim_end();
    if value.is_empty() || value.starts_with(['\'', '"', '[', '{', '|', '>', '&', '*', '!']) || value.contains(" #") {
        return None;
    }
    let range = line.start + value_start..line.start + value_start + value.len();
    Some((range, format!("'{}'", value.replace('\'', "''"))))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires, lint};

    #[test]
    fn fires_on_bad_yaml_and_types() {
        assert!(fires(&[("README.md", "---\nsdk: [docker\n---\n")], "FM003"));
        assert!(fires(&[("README.md", "---\nsdk: docker\napp_port: \"7255a\"\n---\n")], "FM003"));
        assert!(fires(&[("README.md", "---\nsdk: docker\npinned: maybe\n---\n")], "FM003"));
        assert!(fires(&[("README.md", "---\nsdk: docker\n")], "FM003"));
        assert!(fires(&[("README.md", "---\n- a\n- b\n---\n")], "FM003"));
    }

    #[test]
    fn quoted_port_gets_a_precise_help() {
        let d = lint(&[("README.md", "---\nsdk: docker\napp_port: \"7255\"\n---\n")]);
        let fm3 = d.iter().find(|d| d.code == "FM003").unwrap();
        assert!(fm3.help.as_ref().unwrap().contains("app_port: 7255"));
        assert_eq!(fm3.position.as_ref().unwrap().line, 3);
    }

    #[test]
    fn silent_on_valid_frontmatter() {
        let readme = "---\ntitle: X\nsdk: docker\napp_port: 7860\ntags: demo\nsdk_version: 4.0\npinned: false\n---\n";
        assert!(!fires(&[("README.md", readme)], "FM003"));
    }

    #[test]
    fn binary_readme_is_reported_with_place() {
        let d = lint(&[("README.md", "---\nsdk: docker\x00\n---\n")]);
        let fm3 = d.iter().find(|d| d.code == "FM003").unwrap();
        assert_eq!(fm3.position.as_ref().unwrap().line, 2);
    }
}

use crate::diag::{Applicability, Fix};
use crate::parse::frontmatter::Frontmatter;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::FM006,
    name: "description-missing",
    severity: Severity::Error,
    summary: "the policy's `description_contains` is not in `short_description`",
    doc: r#"## What it checks
With a policy that sets `space.description_contains`: that the frontmatter's `short_description`
contains that text. When it is only in `title`, the rule passes with a note.

## Why it matters on a Space
Assignments and catalogues identify a Space by a token in its description, which the Hub shows
on the Space's card. `short_description` is limited to 60 characters.

## Example
```yaml
---
sdk: docker
short_description: My API
---
```
with a policy `description_contains: deployment-ready-ga2-f0af22`.

## Fix
`short_description: deployment-ready-ga2-f0af22 API`. `--fix` adds the key, or appends the token
to a description that has room for it within 60 characters; with `--unsafe-fixes` it replaces a
description too long to take it."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm), Some(token)) =
        (ctx.readme(), ctx.frontmatter(), ctx.policy.space.description_contains.as_deref())
    else {
        return;
    };
    let desc = fm.get("short_description");
    if desc.is_some_and(|(_, v)| v.value.to_text().contains(token)) {
        return;
    }
    if let Some((_, title)) = fm.get("title").filter(|(_, v)| v.value.to_text().contains(token)) {
        out.push(
            Diagnostic::new(&RULE, format!("`{token}` is in `title` but not in `short_description`; accepted, but graders reading the description will not find it"))
                .at(readme, title.span.clone())
                .severity(Severity::Info),
        );
        return;
    }
    let (span, message) = match desc {
        Some((_, v)) => (v.span.clone(), format!("`short_description` does not contain `{token}`")),
        None => (
            fm.yaml.start..fm.yaml.start,
            format!("the frontmatter has no `short_description`; it must contain `{token}`"),
        ),
    };
    let d = Diagnostic::new(&RULE, message)
        .at(readme, span)
        .help(format!("put `{token}` in `short_description` (at most 60 characters)"));
    out.push(d.fix(fix(readme, fm, token)));
}

/// The Hub shows at most 60 characters of `short_description` (FM008).
const MAX_DESCRIPTION: usize = 60;

/// A YAML scalar for `text`: plain when YAML reads it back as the same string, else
/// double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn yaml_scalar(text: &str) -> String {
    let special_start = text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c));
    let reads_as_other = matches!(text.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "null" | "~" | "on" | "off")
        || text.parse::<f64>().is_ok();
    let plain = !text.is_empty()
        && !special_start
        && !reads_as_other
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with([':', ' '])
        && !text.chars().any(|c| c.is_control());
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

/// Adds `short_description: <token>` when there is none (safe); appends the token to one that
/// has room for it (safe: nothing is lost), else replaces it with the token (unsafe: the
/// author's words go).
fn fix(readme: &SourceFile, fm: &Frontmatter, token: &str) -> Fix {
    let Some((_, value)) = fm.get("short_description") else {
        let line = format!("short_description: {}{}", yaml_scalar(token), readme.newline());
        let start = fm.yaml.start;
        return Fix::replace(Applicability::Safe, format!("add `short_description: {token}`"), readme, start..start, line);
    };
    let current = value.value.to_text();
    if current.trim().is_empty() {
        let message = format!("set `short_description` to `{token}`");
        return Fix::replace(Applicability::Safe, message, readme, value.span.clone(), yaml_scalar(token));
    }
    let joined = format!("{} {token}", current.trim_end());
    if joined.chars().count() > MAX_DESCRIPTION {
        let message = format!("replace `short_description` with `{token}`");
        return Fix::replace(Applicability::Unsafe, message, readme, value.span.clone(), yaml_scalar(token));
    }
    Fix::replace(Applicability::Safe, format!("add `{token}` to `short_description`"), readme, value.span.clone(), yaml_scalar(&joined))
}

#[cfg(test)]
mod tests {
    use crate::policy;
    use crate::rules::{testing::lint_with, Severity};

    fn run(readme: &str) -> Vec<crate::rules::Diagnostic> {
        let p = policy::parse("space:\n  description_contains: ready-x\n", "p").unwrap();
        lint_with(&[("README.md", readme)], &p).into_iter().filter(|d| d.code == "FM006").collect()
    }

    #[test]
    fn fires_when_absent() {
        assert_eq!(run("---\nsdk: docker\nshort_description: hello\n---\n").len(), 1);
        assert_eq!(run("---\nsdk: docker\n---\n").len(), 1);
    }

    #[test]
    fn yaml_scalars_read_back_as_written() {
        use super::yaml_scalar;
        assert_eq!(yaml_scalar("deployment-ready-x"), "deployment-ready-x");
        assert_eq!(yaml_scalar("my api deployment-ready-x"), "my api deployment-ready-x");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("- x"), "\"- x\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("3.10"), "\"3.10\"");
        assert_eq!(yaml_scalar("say \"hi\" #1"), "\"say \\\"hi\\\" #1\"");
    }

    #[test]
    fn silent_when_present_and_note_for_title() {
        assert!(run("---\nsdk: docker\nshort_description: api ready-x\n---\n").is_empty());
        let d = run("---\nsdk: docker\ntitle: ready-x\n---\n");
        assert_eq!(d[0].severity, Severity::Info);
    }
}

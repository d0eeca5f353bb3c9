use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::FM001,
    name: "readme-missing",
    severity: Severity::Error,
    summary: "no README.md at the Space root",
    doc: r#"## What it checks
That the Space has a `README.md` at its root.

## Why it matters on a Space
The Hub reads the Space's configuration (`sdk: docker`, `app_port`, title, description) from the
YAML frontmatter of `README.md`. Without it the Hub does not know the Space is a Docker Space and
routes traffic to the default port 7860.

## Example
A Space folder with only `Dockerfile` and `app.py`.

## Fix
Add a `README.md` that starts with the frontmatter block:
```yaml
---
title: My Space
sdk: docker
app_port: 7860
---
```"#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if matches!(ctx.space.readme, Loaded::Missing) {
        out.push(
            Diagnostic::new(
                &RULE,
                "the Space has no README.md, so the Hub has no configuration for it (sdk, app_port)",
            )
            .help("add a README.md starting with a `---` block holding at least `sdk: docker` and `app_port`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires, README};

    #[test]
    fn fires_without_readme() {
        assert!(fires(&[("Dockerfile", "FROM python:3.11\n")], "FM001"));
    }

    #[test]
    fn silent_with_readme() {
        assert!(!fires(&[("README.md", README), ("Dockerfile", "FROM python:3.11\n")], "FM001"));
    }
}

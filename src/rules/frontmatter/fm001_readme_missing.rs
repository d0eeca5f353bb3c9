use crate::diag::{Applicability, Edit, Fix};
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
```
`spacecheck --fix` creates it with `sdk: docker` and the `app_port` the policy requires or the
server listens on (safe: the Hub gets the configuration, nothing else)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Listed (by the Hub, or as a file that exists) but not read: it is there, its content is
    // not known.
    if matches!(ctx.space.readme, Loaded::Missing) && ctx.space.file("README.md").is_some() {
        for code in [Code::FM001, Code::FM002] {
            ctx.skip(code, "README.md exists but its content was not read".into());
        }
        return;
    }
    if matches!(ctx.space.readme, Loaded::Missing) {
        out.push(
            Diagnostic::new(
                &RULE,
                "the Space has no README.md, so the Hub has no configuration for it (sdk, app_port)",
            )
            .help("add a README.md starting with a `---` block holding at least `sdk: docker` and `app_port`")
            .fix(Fix {
                // Safe: the Space gets the configuration the Hub reads, and nothing else.
                applicability: Applicability::Safe,
                message: "create README.md with a frontmatter block".into(),
                edits: vec![Edit { file: "README.md".into(), range: 0..0, replacement: super::new_block(ctx, "\n") }],
            }),
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

    /// A README the Hub lists but that was not fetched exists: not missing, not judged.
    #[test]
    fn a_listed_readme_is_not_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.11\n").unwrap();
        let mut space = crate::space::Space::load(dir.path()).unwrap();
        space.add_listed_files(&["README.md".to_string()]);
        let policy = crate::policy::Policy::baseline();
        let ctx = crate::rules::Context::new(&space, &policy);
        let found = crate::rules::run_static(&ctx, &|_| true);
        assert!(!found.iter().any(|d| d.code == "FM001"), "{found:?}");
        assert!(ctx.skipped().iter().any(|s| s.code == crate::rules::Code::FM001));
    }

    #[test]
    fn silent_with_readme() {
        assert!(!fires(&[("README.md", README), ("Dockerfile", "FROM python:3.11\n")], "FM001"));
    }
}

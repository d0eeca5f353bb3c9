use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::FM004,
    name: "sdk-not-docker",
    severity: Severity::Error,
    summary: "`sdk` is absent or not `docker` (or not the policy's `space.sdk`)",
    doc: r#"## What it checks
That the frontmatter sets `sdk: docker` (or the SDK the policy's `space.sdk` names).

## Why it matters on a Space
Without `sdk: docker` the Hub does not build the Dockerfile: it treats the repository as a Gradio,
Streamlit or static Space, or refuses to start it.

## Example
```yaml
---
title: My API
sdk: gradio
---
```

## Fix
`sdk: docker` in the frontmatter.

`spacecheck --fix` adds a missing `sdk: docker` (safe: the Hub requires the key). Replacing another
SDK is an unsafe fix (`--fix --unsafe-fixes`): the Hub then builds the Dockerfile instead."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm)) = (ctx.readme(), ctx.frontmatter()) else { return };
    let expected = ctx.policy.space.sdk.as_deref().unwrap_or("docker");
    match fm.get("sdk") {
        None => {
            // The Hub requires `sdk`: adding the one this Space is built for changes nothing else.
            let line = format!("sdk: {expected}{}", readme.newline());
            let fix = Fix::replace(
                Applicability::Safe,
                format!("add `sdk: {expected}`"),
                readme,
                fm.yaml.start..fm.yaml.start,
                line,
            );
            out.push(
                Diagnostic::new(&RULE, format!("the frontmatter has no `sdk` key; this Space needs `sdk: {expected}`"))
                    .at(readme, fm.yaml.start..fm.yaml.start)
                    .help(format!("add `sdk: {expected}` to the frontmatter"))
                    .fix(fix),
            )
        }
        Some((_, value)) => {
            let got = value.value.to_text();
            if got != expected {
                let note = if got == "streamlit" { " (`streamlit` is a legacy SDK)" } else { "" };
                let mut finding =
                    Diagnostic::new(&RULE, format!("`sdk` is `{got}`{note}, but this Space must use `{expected}`"))
                        .at(readme, value.span.clone())
                        .help(format!("set `sdk: {expected}`"));
                // Another SDK is another kind of Space: the Hub builds something else (unsafe).
                // Only a one-line value is replaced (a block scalar keeps its indicator).
                if !readme.text[value.span.clone()].contains('\n') {
                    let message = format!("set `sdk: {expected}` (the Hub then builds the Dockerfile)");
                    finding =
                        finding.fix(Fix::replace(Applicability::Unsafe, message, readme, value.span.clone(), expected));
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy;
    use crate::rules::testing::{fires, lint_with};

    #[test]
    fn fires_on_other_or_missing_sdk() {
        assert!(fires(&[("README.md", "---\nsdk: gradio\n---\n")], "FM004"));
        assert!(fires(&[("README.md", "---\ntitle: x\n---\n")], "FM004"));
    }

    #[test]
    fn silent_on_docker() {
        assert!(!fires(&[("README.md", "---\nsdk: docker\n---\n")], "FM004"));
    }

    #[test]
    fn policy_sdk_wins() {
        let p = policy::parse("space:\n  sdk: static\n", "p").unwrap();
        assert!(lint_with(&[("README.md", "---\nsdk: docker\n---\n")], &p).iter().any(|d| d.code == "FM004"));
        assert!(!lint_with(&[("README.md", "---\nsdk: static\n---\n")], &p).iter().any(|d| d.code == "FM004"));
    }
}

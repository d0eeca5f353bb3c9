use crate::parse::frontmatter::Value;
use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::FM005,
    name: "app-port-mismatch",
    severity: Severity::Error,
    summary: "`app_port` is absent (Hub default 7860) or differs from the policy's `space.app_port`",
    doc: r#"## What it checks
With a policy that sets `space.app_port`: that the frontmatter's `app_port` is present and equal to
it. Without one, the Dockerfile rules (DF007, DF008) compare the server with the port the Hub will
use, so a missing `app_port` is reported there, where the conflicting port is.

## Why it matters on a Space
The Hub sends traffic only to `app_port` (7860 when absent). An assignment or company policy that
prescribes a port also checks the frontmatter value itself.

## Example
```yaml
---
sdk: docker
app_port: 7860   # the policy says 7255
---
```

## Fix
`app_port: 7255`, and the server in the Dockerfile listening on that port.

`spacecheck --fix` sets `app_port` to the policy's port when the server already listens on it
(safe: the Hub is pointed at the server); otherwise the fix is unsafe (`--unsafe-fixes`): the
server must then be moved to that port too."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Setting `app_port` moves the Hub's traffic: safe when the server already listens on the
/// required port (the fix then only points the Hub at it), unsafe otherwise.
fn fix(ctx: &Context, expected: u16, range: std::ops::Range<usize>, replacement: String) -> Option<Fix> {
    let readme = ctx.readme()?;
    let listening = ctx.start.as_ref().is_some_and(|s| s.servers.iter().any(|v| v.port.as_ref().and_then(|p| p.port()) == Some(expected)));
    let (applicability, message) = if listening {
        (Applicability::Safe, format!("set `app_port: {expected}`, the port the server listens on"))
    } else {
        (Applicability::Unsafe, format!("set `app_port: {expected}` (the server must then listen on {expected})"))
    };
    Some(Fix::replace(applicability, message, readme, range, replacement))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm), Some(expected)) = (ctx.readme(), ctx.frontmatter(), ctx.policy.space.app_port) else {
        return;
    };
    match fm.get("app_port") {
        None => {
            let at = fm.yaml.start..fm.yaml.start;
            let line = format!("app_port: {expected}{}", readme.newline());
            let mut finding = Diagnostic::new(
                &RULE,
                format!("the frontmatter has no `app_port`, so the Hub routes to 7860; the policy requires {expected}"),
            )
            .at(readme, at.clone())
            .help(format!("add `app_port: {expected}` to the frontmatter"));
            finding.fix = fix(ctx, expected, at, line);
            out.push(finding)
        }
        // A value of the wrong type is FM003's finding.
        Some((_, value)) => {
            if let Value::Int(p) = value.value {
                if p != i64::from(expected) {
                    let mut finding =
                        Diagnostic::new(&RULE, format!("`app_port` is {p}, but the policy requires {expected}"))
                            .at(readme, value.span.clone())
                            .help(format!("set `app_port: {expected}` and make the server listen on it"));
                    finding.fix = fix(ctx, expected, value.span.clone(), expected.to_string());
                    out.push(finding);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy;
    use crate::rules::testing::lint_with;

    fn fires(readme: &str) -> bool {
        let p = policy::parse("space:\n  app_port: 7255\n", "p").unwrap();
        lint_with(&[("README.md", readme)], &p).iter().any(|d| d.code == "FM005")
    }

    #[test]
    fn fires_on_missing_or_other_port() {
        assert!(fires("---\nsdk: docker\n---\n"));
        assert!(fires("---\nsdk: docker\napp_port: 7860\n---\n"));
    }

    #[test]
    fn silent_when_equal_or_wrong_type() {
        assert!(!fires("---\nsdk: docker\napp_port: 7255\n---\n"));
        assert!(!fires("---\nsdk: docker\napp_port: \"x\"\n---\n"), "FM003 reports the type");
    }

    #[test]
    fn silent_without_policy_port() {
        let d = crate::rules::testing::lint(&[("README.md", "---\nsdk: docker\n---\n")]);
        assert!(!d.iter().any(|d| d.code == "FM005"));
    }
}

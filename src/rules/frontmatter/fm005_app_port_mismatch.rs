use crate::parse::frontmatter::Value;
use crate::rules::{Check, Code, Context, Diagnostic, Rule, Severity};

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
`app_port: 7255`, and the server in the Dockerfile listening on that port."#,
    check: Check::Local(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm), Some(expected)) = (ctx.readme(), ctx.frontmatter(), ctx.policy.space.app_port) else {
        return;
    };
    match fm.get("app_port") {
        None => out.push(
            Diagnostic::new(
                &RULE,
                format!("the frontmatter has no `app_port`, so the Hub routes to 7860; the policy requires {expected}"),
            )
            .at(readme, fm.yaml.start..fm.yaml.start)
            .help(format!("add `app_port: {expected}` to the frontmatter")),
        ),
        // A value of the wrong type is FM003's finding.
        Some((_, value)) => {
            if let Value::Int(p) = value.value {
                if p != i64::from(expected) {
                    out.push(
                        Diagnostic::new(&RULE, format!("`app_port` is {p}, but the policy requires {expected}"))
                            .at(readme, value.span.clone())
                            .help(format!("set `app_port: {expected}` and make the server listen on it")),
                    );
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

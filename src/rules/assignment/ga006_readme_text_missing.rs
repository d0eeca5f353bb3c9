use crate::assignment::grader;
use crate::parse::frontmatter::Value;
use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA006,
    name: "readme-text-missing",
    severity: Severity::Error,
    summary: "README.md lacks the description token, `app_port: <port>` or `sdk: docker`",
    doc: r#"## What it checks
That README.md contains the description token anywhere, matches `app_port:\s*<port>` and `sdk:\s*docker` (check 11), and that `app_port` is a YAML integer (check 6 compares `cardData.app_port` with a number).

## Why it matters on a Space
The grader reads the raw README and the frontmatter the Hub parsed; a quoted `"7349"` is a string to the Hub.

## Example
```yaml
---
sdk: docker
app_port: "7349"
short_description: my api
---
```

## Fix
`app_port: 7349` unquoted, `sdk: docker`, and the token `deployment-ready-<name>` in `short_description`.
`--fix` writes `app_port` as the integer the grader reads; FM004, FM005 and FM006 fix the rest."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(v) = &ctx.policy.assignment else { return };
    let Some(readme) = ctx.readme() else {
        out.push(
            Diagnostic::new(&RULE, "the grader will say \"README.md not found\" (check 11)")
                .grader_check(11)
                .help("add README.md with the Space's frontmatter"),
        );
        return;
    };
    if let Err(message) = grader::check_readme(Some(&readme.text), v) {
        out.push(
            Diagnostic::new(&RULE, format!("the grader will say \"{message}\" (check 11)"))
                .grader_check(11)
                .in_file(&readme.path, None)
                .help(format!("the README needs `sdk: docker`, `app_port: {}` and `{}`", v.app_port, v.description)),
        );
    }
    if let Some(node) = ctx.frontmatter().and_then(|fm| fm.value("app_port")) {
        let card = match &node.value {
            Value::Int(i) => Some(serde_json::json!(i)),
            other => Some(serde_json::json!(other.to_text())),
        };
        if let Err(message) = grader::check_card_port(card.as_ref(), v.app_port) {
            let why = if matches!(node.value, Value::Int(_)) { "" } else { ": the value is not a YAML integer" };
            // Safe: the assignment fixes the port, and the Hub reads the same number.
            let fix = Fix::replace(
                Applicability::Safe,
                format!("write `app_port: {}`", v.app_port),
                readme,
                node.span.clone(),
                v.app_port.to_string(),
            );
            out.push(
                Diagnostic::new(&RULE, format!("the grader will say \"{message}\" (check 6){why}"))
                    .grader_check(6)
                    .at(readme, node.span.clone())
                    .help(format!("write `app_port: {}` without quotes", v.app_port))
                    .fix(fix),
            );
        }
    }
}

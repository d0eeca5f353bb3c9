use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB008,
    name: "name-mismatch",
    severity: Severity::Error,
    summary: "the Space's repo name differs from the policy's `space.name`",
    doc: r#"## What it checks
That the Space's repository name (the part after the owner) is the policy's `space.name`.

## Why it matters on a Space
Assignments derive a name per student; a grader looks the Space up by that exact name.

## Example
A policy with `name: ga2-f0af22` and a Space named `ga2-space`.

## Fix
Rename the Space (Settings → Rename) or create it with the required name."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Space's name is a setting on the Hub (rename or create it there)"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let (Some(_), Some(want)) = (ctx.probe.info(), ctx.policy.space.name.as_deref()) else { return };
    let name = ctx.probe.name();
    if name != want {
        let case = if name.eq_ignore_ascii_case(want) {
            " (only the case differs, and the name is case-sensitive)"
        } else {
            ""
        };
        out.diagnostics.push(
            Diagnostic::new(&RULE, format!("the Space is named `{name}`, but the policy requires `{want}`{case}"))
                .help(format!("rename the Space to `{want}` (Settings → Rename)")),
        );
    }
}

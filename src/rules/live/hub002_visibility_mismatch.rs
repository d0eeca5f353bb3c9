use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB002,
    name: "visibility-mismatch",
    severity: Severity::Error,
    summary: "the Space's `private` flag differs from the policy's `space.visibility`",
    doc: r#"## What it checks
That the Space's visibility on the Hub (`private` in the Space info) is the policy's `space.visibility`.

## Why it matters on a Space
Assignments require a public Space so graders can reach it without credentials; company Spaces must stay private.

## Example
A policy with `visibility: public` and a Space created private.

## Fix
Settings → Change Space visibility."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("visibility is a setting of the Space on the Hub"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let (Some(info), Some(want)) = (ctx.probe.info(), ctx.policy.space.visibility.as_deref()) else { return };
    let Some(private) = info.private else {
        out.skip(&RULE, "the Hub's answer has no `private` field");
        return;
    };
    let is = if private { "private" } else { "public" };
    let matches = match want {
        "public" => !private,
        "private" | "protected" => private,
        _ => true,
    };
    if !matches {
        out.diagnostics.push(
            Diagnostic::new(&RULE, format!("`{}` is {is}, but the policy requires it {want}", ctx.probe.space_id))
                .help(format!("Settings → Change Space visibility → {want}")),
        );
    }
}

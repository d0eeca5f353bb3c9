use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB005,
    name: "live-sdk-mismatch",
    severity: Severity::Error,
    summary: "the Hub's `sdk` for the Space is not docker (or the policy's)",
    doc: r#"## What it checks
That the Hub sees the Space as a Docker Space (`sdk` in the Space info).

## Why it matters on a Space
The local README may say docker while the pushed one does not: what the Hub builds is what counts.

## Example
A Space created with the Gradio SDK whose README was never updated on the Hub.

## Fix
Push a README with `sdk: docker`."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Hub's SDK follows the README pushed: push it"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let Some(info) = ctx.probe.info() else { return };
    let want = ctx.policy.space.sdk.as_deref().unwrap_or("docker");
    match info.sdk.as_deref() {
        Some(sdk) if sdk == want => {}
        Some(sdk) => out.diagnostics.push(
            Diagnostic::new(&RULE, format!("the Hub runs `{}` as a `{sdk}` Space, not `{want}`", ctx.probe.space_id))
                .help(format!("push a README.md whose frontmatter says `sdk: {want}`")),
        ),
        None => out.skip(&RULE, "the Hub's answer has no `sdk`"),
    }
}

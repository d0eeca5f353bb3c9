use crate::hub::probe::InfoOutcome;
use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB001,
    name: "space-not-found",
    severity: Severity::Error,
    summary: "the Hub answers 404, or 401/403 for a Space the token cannot see",
    doc: r#"## What it checks
That the Space exists on the Hub and the token (if any) can see it: `GET /api/spaces/{owner}/{name}` answers 200.

## Why it matters on a Space
Without a token the Hub answers 401 for private, gated and missing Spaces alike; a grader checking a private or misspelt Space sees nothing.

## Example
`spacecheck --space alice/my-spce .` (a typo in the name).

## Fix
Check the owner and name in the URL, make the Space public, or give a token that can read it (HF_TOKEN)."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Space must exist on the Hub and be visible to the token"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let InfoOutcome::NotVisible(resp) = &ctx.probe.info else { return };
    let id = &ctx.probe.space_id;
    let bad_token = resp.error_message.as_deref().is_some_and(|m| m.contains("Invalid credentials"));
    let (message, help) = match resp.status {
        404 => (format!("the Hub has no Space `{id}` ({})", resp.describe()), "check the owner and the name (they are case-sensitive on the URL)"),
        401 if bad_token => (format!("the Hub refused the token for `{id}`: invalid credentials ({})", resp.describe()), "the token is wrong or revoked: set a valid HF_TOKEN"),
        401 if !ctx.probe.with_token => (
            format!("the Hub does not show `{id}` without a token: it is private, gated or missing (the Hub does not say which) ({})", resp.describe()),
            "make the Space public, or set HF_TOKEN to a token that can read it",
        ),
        _ => (format!("the token cannot see `{id}` ({})", resp.describe()), "use a token of the owner (or of an organization member)"),
    };
    out.diagnostics.push(Diagnostic::new(&RULE, message).help(help));
}

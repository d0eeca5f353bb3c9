use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB007,
    name: "local-remote-drift",
    severity: Severity::Warning,
    summary: "the Hub's cardData (app_port, short_description, sdk) differs from the local README",
    doc: r#"## What it checks
That the frontmatter the Hub parsed (`cardData`) has the same `app_port`, `short_description` and `sdk` as the local README.md.

## Why it matters on a Space
A local fix that was never pushed: spacecheck passes locally while the Hub still runs the old configuration.

## Example
Local `app_port: 7255`, Hub `app_port: 7860`.

## Fix
Commit and push README.md."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("which side is right, the local README or the Hub's, is the author's call: push or pull"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let (Some(info), Some(local)) = (ctx.probe.info(), ctx.local) else { return };
    let Some(card) = &info.card_data else {
        out.skip(&RULE, "the Hub's answer has no cardData");
        return;
    };
    for key in ["sdk", "app_port", "short_description"] {
        let here = local.value(key).map(|n| n.value.to_text());
        let there = card.get(key).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        });
        if here == there {
            continue;
        }
        let show = |v: &Option<String>| v.as_ref().map_or("(absent)".to_string(), |s| format!("`{s}`"));
        out.diagnostics.push(
            Diagnostic::new(
                &RULE,
                format!(
                    "`{key}` is {} in the local README.md but {} on the Hub: the local change is not pushed",
                    show(&here),
                    show(&there)
                ),
            )
            .help("commit and push README.md (or pull the Hub's version)"),
        );
    }
}

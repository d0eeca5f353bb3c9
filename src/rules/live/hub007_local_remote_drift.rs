use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB007",
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
    check: None,
    live: true,
};

use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB005",
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
    check: None,
    live: true,
};

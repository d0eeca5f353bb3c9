use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB002",
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
    check: None,
    live: true,
};

use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB008",
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
    check: None,
    live: true,
};

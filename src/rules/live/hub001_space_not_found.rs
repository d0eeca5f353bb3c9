use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB001",
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
    check: None,
    live: true,
};

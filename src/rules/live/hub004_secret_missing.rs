use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB004",
    name: "secret-missing",
    severity: Severity::Error,
    summary: "a policy secret name is not among the Space's secrets",
    doc: r#"## What it checks
That each name of the policy's `space.secrets` exists among the Space's secrets (`GET /api/spaces/{id}/secrets`, names only; values are never read). Needs a token with write access; without one the rule is reported as skipped. A name found among the public variables instead is reported with its own message.

## Why it matters on a Space
An app that reads its key from an environment variable fails at run time when the secret is not set, and a secret set as a variable is public.

## Example
A policy with `secrets: [GA2_TOKEN_ECB8]` and a Space with no secrets.

## Fix
Settings → Variables and secrets → New secret, with that exact name."#,
    check: None,
    live: true,
};

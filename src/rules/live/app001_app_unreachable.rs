use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "APP001",
    name: "app-unreachable",
    severity: Severity::Error,
    summary: "GET on the Space's app URL does not answer 2xx within the timeout",
    doc: r#"## What it checks
That the app answers: a GET on the URL the Hub reports (`host`, plus `base_path`) returns a 2xx within the timeout.

## Why it matters on a Space
This is what users and graders see: a Space can be RUNNING while its server listens on the wrong port or interface.

## Example
A uvicorn server bound to 127.0.0.1: the Space runs, the URL times out.

## Fix
See DF008/DF009 for the usual causes; check the Space's logs."#,
    check: None,
    live: true,
};

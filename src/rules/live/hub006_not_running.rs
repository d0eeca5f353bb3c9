use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB006",
    name: "not-running",
    severity: Severity::Warning,
    summary: "`runtime.stage` is not RUNNING (an error for BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR, NO_APP_FILE)",
    doc: r#"## What it checks
The Space's runtime stage. Sleeping, paused or building Spaces are a warning; build, runtime and config errors are errors.

## Why it matters on a Space
A Space that is not running answers nobody; graders that check the live app fail it.

## Example
A Space stuck in BUILD_ERROR after a bad push.

## Fix
Open the Space's logs on the Hub, fix the build or runtime error, and restart it."#,
    check: None,
    live: true,
};

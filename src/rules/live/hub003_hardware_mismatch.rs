use crate::rules::{Rule, Severity};

/// A live rule: its check runs in the Hub prober (`--space`, `hf://`), not over local files.
pub static RULE: Rule = Rule {
    code: "HUB003",
    name: "hardware-mismatch",
    severity: Severity::Error,
    summary: "`runtime.hardware.current` (or `requested`) differs from the policy's `space.hardware`",
    doc: r#"## What it checks
That the hardware the Space runs on (`runtime.hardware.current`, or `requested` while it is not running) is the policy's `space.hardware`.

## Why it matters on a Space
Paid hardware costs money every hour; an assignment that requires `cpu-basic` fails a Space on an upgraded flavor.

## Example
A policy with `hardware: cpu-basic` and a Space on `t4-small`.

## Fix
Settings → Space hardware."#,
    check: None,
    live: true,
};

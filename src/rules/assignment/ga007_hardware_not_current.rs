use crate::assignment::grader;
use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA007,
    name: "hardware-not-current",
    severity: Severity::Error,
    summary: "`runtime.hardware.current` is null or not cpu-basic: the grader fails now",
    doc: r#"## What it checks
Live (`--space`, `hf://`): that the Space's `runtime.hardware.current` is `cpu-basic` at this moment (check 12).

## Why it matters on a Space
A sleeping, paused or building Space has no current hardware: the grader fails it even though the Space is fine and would wake up for a visitor.

## Example
A correct Space that fell asleep after 48 hours without visits.

## Fix
Wake or restart the Space, wait until it is Running, then submit."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Space's hardware is a setting on the Hub (Settings → Space hardware), not a file"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let (Some(_), Some(info)) = (&ctx.policy.assignment, ctx.probe.info()) else { return };
    let current = info.runtime.as_ref().map(|r| r.hardware_current.clone());
    if let Err(message) = grader::check_hardware(current.as_ref()) {
        let stage = info.runtime.as_ref().and_then(|r| r.stage.clone()).unwrap_or_else(|| "unknown".into());
        out.diagnostics.push(
            Diagnostic::new(
                &RULE,
                format!("the grader fails the Space now: \"{message}\" (check 12; the Space is {stage})"),
            )
            .grader_check(12)
            .help("wake or restart the Space, wait until it is Running, then submit"),
        );
    }
}

use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB003,
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
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("hardware is a setting of the Space on the Hub"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let (Some(info), Some(want)) = (ctx.probe.info(), ctx.policy.space.hardware.as_deref()) else { return };
    let Some(rt) = &info.runtime else {
        out.skip(&RULE, "the Hub's answer has no runtime");
        return;
    };
    let (hw, which) = match (&rt.hardware_current, &rt.hardware_requested) {
        (Some(c), _) => (c, "runs on"),
        (None, Some(r)) => (r, "is not running; it has requested"),
        (None, None) => {
            out.skip(&RULE, "the Hub reports no current or requested hardware");
            return;
        }
    };
    if hw != want {
        out.diagnostics.push(
            Diagnostic::new(
                &RULE,
                format!("`{}` {which} `{hw}`, but the policy requires `{want}`", ctx.probe.space_id),
            )
            .help(format!("Settings → Space hardware → {want}")),
        );
    }
}

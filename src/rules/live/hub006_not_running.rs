use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB006,
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
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let Some(info) = ctx.probe.info() else { return };
    let Some(stage) = info.runtime.as_ref().and_then(|r| r.stage.as_deref()) else {
        out.skip(&RULE, "the Hub reports no runtime stage");
        return;
    };
    let (severity, what) = match stage {
        "RUNNING" => return,
        "BUILD_ERROR" => (Severity::Error, "its last build failed"),
        "RUNTIME_ERROR" => (Severity::Error, "its app crashed"),
        "CONFIG_ERROR" => (Severity::Error, "its configuration (README frontmatter) is invalid"),
        "NO_APP_FILE" => (Severity::Error, "the Hub finds no app to run (no Dockerfile?)"),
        "SLEEPING" | "PAUSED" | "STOPPED" => {
            (Severity::Warning, "it is not running: visitors wake it, graders may not")
        }
        "BUILDING" | "APP_STARTING" | "RUNNING_APP_STARTING" | "RUNNING_BUILDING" => {
            (Severity::Warning, "it is being built or started")
        }
        _ => (Severity::Warning, "it is not running"),
    };
    out.diagnostics.push(
        Diagnostic::new(&RULE, format!("`{}` is {stage}: {what}", ctx.probe.space_id))
            .severity(severity)
            .help("open the Space's logs on the Hub; restart it once the cause is fixed"),
    );
}

use crate::redact;
use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB006,
    name: "not-running",
    severity: Severity::Warning,
    summary: "`runtime.stage` is not RUNNING (an error for BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR, NO_APP_FILE)",
    doc: r#"## What it checks
The Space's runtime stage. Sleeping, paused or building Spaces are a warning; build, runtime and config errors are errors.
The Hub's own error message (`runtime.errorMessage`: "Memory limit exceeded (16Gi)", "Launch timed
out, workload was not healthy after 30 min") is quoted, cut to 300 characters and with any
credential in it masked.

## Why it matters on a Space
A Space that is not running answers nobody; graders that check the live app fail it.

## Example
A Space stuck in BUILD_ERROR after a bad push.

## Fix
Open the Space's logs on the Hub, fix the build or runtime error, and restart it."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Space's state on the Hub follows its build and logs, not one file"),
};

/// How much of the Hub's error message is quoted, in characters.
const MAX_QUOTED: usize = 300;

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
    // The Hub's own words for the failure, cut to one line of reasonable length, then masked
    // (a log excerpt may hold a credential), then stripped of control characters.
    let hub_says = info.runtime.as_ref().and_then(|r| r.error_message.as_deref()).map(|m| {
        let one_line = m.split_whitespace().collect::<Vec<_>>().join(" ");
        let cut: String = one_line.chars().take(MAX_QUOTED).collect();
        let ellipsis = if one_line.chars().count() > MAX_QUOTED { "…" } else { "" };
        format!("; the Hub says: \"{}{ellipsis}\"", redact::neutralize_controls(&redact::mask(&cut)))
    });
    let help = match hub_says.as_deref() {
        Some(m) if m.contains("Memory limit exceeded") => {
            "the app needs more memory than its hardware has: load a smaller model, or request larger hardware"
        }
        Some(m) if m.contains("Launch timed out") || m.contains("not healthy") => {
            "nothing answered on app_port in time: check that the server listens on 0.0.0.0 at app_port, and that start-up (model downloads) finishes within the startup timeout (`startup_duration_timeout`)"
        }
        _ => "open the Space's logs on the Hub; restart it once the cause is fixed",
    };
    out.diagnostics.push(
        Diagnostic::new(&RULE, format!("`{}` is {stage}: {what}{}", ctx.probe.space_id, hub_says.unwrap_or_default()))
            .severity(severity)
            .help(help),
    );
}

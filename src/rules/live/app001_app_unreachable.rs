use crate::hub::probe::AppOutcome;
use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::APP001,
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
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the app not answering is a state of the running Space, not a file"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let Some(info) = ctx.probe.info() else { return };
    match &ctx.probe.app {
        AppOutcome::Answered(_) => {}
        AppOutcome::NotChecked(why) => out.skip(&RULE, why.clone()),
        AppOutcome::Failed(why) => {
            let stage = info.runtime.as_ref().and_then(|r| r.stage.clone()).unwrap_or_else(|| "unknown".into());
            let hint = if stage == "RUNNING" {
                "the Space runs but its app does not answer: check the server's port (DF008) and host (DF009), and the logs"
            } else {
                "the Space is not running (see HUB006)"
            };
            out.diagnostics.push(
                Diagnostic::new(&RULE, format!("the app of `{}` does not answer: {why}", ctx.probe.space_id))
                    .help(hint),
            );
        }
    }
}

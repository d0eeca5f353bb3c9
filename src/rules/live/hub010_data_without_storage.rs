use crate::model::fs::Owner;
use crate::model::Access;
use crate::rules::{Check, Code, Diagnostic, Enabled, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB010,
    name: "data-without-storage",
    severity: Severity::Error,
    summary: "the Dockerfile points the app at /data, but the Space has no persistent storage",
    doc: r#"## What it checks
Whether the Space on the Hub has no persistent storage (`runtime.storage` is null) while the
Dockerfile's final image points the app at `/data` through an ENV (`HF_HOME=/data/.huggingface`,
`DATA_DIR=/data`), the folder the Hub mounts storage on. What happens then depends on the image,
and the model's map of owners tells which:
- UID 1000 cannot create or write the path (`/data` does not exist and `/` is root's, or the
  build made it as root): an error, the app fails with "PermissionError: [Errno 13]";
- UID 1000 may write it (the build made `/data` and gave it to UID 1000): a warning, the app runs
  but everything it writes there is lost at every restart, rebuild or hardware change.
Nothing is said when the map cannot tell (an image spacecheck does not know).

## Why it matters on a Space
Persistent storage is an option bought per Space; the Hub mounts it on `/data` only when it is
attached. Code written for a Space with storage (or copied from one) breaks on a Space without.

## Example
A Space without persistent storage and `ENV HF_HOME=/data/.huggingface`.

## Fix
Attach persistent storage in the Space's settings, or point the variable at a folder UID 1000
owns (`$HOME/.cache/huggingface`, `/tmp`)."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("persistent storage is a paid setting of the Space on the Hub"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let Some(info) = ctx.probe.info() else { return };
    // Without the runtime block, whether storage is attached is not known.
    let Some(runtime) = info.runtime.as_ref() else { return };
    if runtime.storage.is_some() {
        return;
    }
    for data_use in &ctx.facts.data_uses {
        let lead = format!(
            "`{}` has no persistent storage, so nothing is mounted on /data, but `ENV {}={}` (Dockerfile line {}) points the app there",
            ctx.probe.space_id, data_use.variable, data_use.path, data_use.line
        );
        let diagnostic = match &data_use.access {
            Access::No { path, state } => {
                let owner = match &state.owner {
                    Owner::Root => "root".to_string(),
                    Owner::User(user) => format!("`{user}`"),
                };
                Diagnostic::new(
                    &RULE,
                    format!("{lead}: UID 1000 cannot create or write it (`{path}` is owned by {owner}), so the app fails with \"PermissionError: [Errno 13] Permission denied\""),
                )
            }
            Access::Yes => Diagnostic::new(
                &RULE,
                format!("{lead}: it is an ordinary folder of the container, and everything the app writes there is lost at every restart or rebuild"),
            )
            .severity(Severity::Warning),
            Access::Unknown => continue,
        };
        out.diagnostics.push(
            diagnostic
                .in_file("Dockerfile", Some((data_use.line, 1)))
                .help(format!(
                    "attach persistent storage in the Space's settings, or point {} at a folder UID 1000 owns (`$HOME/.cache`, `/tmp`)",
                    data_use.variable
                )),
        );
    }
}

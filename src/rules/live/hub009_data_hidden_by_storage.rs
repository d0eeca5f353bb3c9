use crate::rules::{Check, Code, Diagnostic, Enabled, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB009,
    name: "data-hidden-by-storage",
    severity: Severity::Warning,
    summary: "the build puts files under /data, where the Space's persistent storage is mounted and hides them",
    doc: r#"## What it checks
Whether the Space has persistent storage (`runtime.storage` on the Hub) while its Dockerfile
puts files under `/data` during the build: a `COPY`/`ADD` there, or a `RUN` that writes there
(`--local-dir=/data/models`, `> /data/seed.json`, `cp … /data/`). Creating the folder alone
(`mkdir`, `chmod`) is not reported.

## Why it matters on a Space
The Hub mounts persistent storage on `/data` when the Space starts. The mount hides whatever the
image has in `/data`: models downloaded during the build, seed databases and copied files are
gone for the app, which downloads again (slow start, "Launch timed out") or fails on a missing
file.

## Example
A Space with persistent storage and `RUN huggingface-cli download org/model --local-dir /data/model`.

## Fix
Build into another folder (`/app/models`, `/opt/models`) and read it from there, or copy it to
`/data` from the start command when the storage is empty."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("moving the files out of /data changes the paths the app reads"),
};

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let Some(info) = ctx.probe.info() else { return };
    let Some(storage) = info.runtime.as_ref().and_then(|r| r.storage.as_deref()) else { return };
    let Some((line, path)) = ctx.facts.data_writes.first() else { return };
    let more = match ctx.facts.data_writes.len() {
        1 => String::new(),
        n => format!(" (and {} more place{})", n - 1, if n > 2 { "s" } else { "" }),
    };
    out.diagnostics.push(
        Diagnostic::new(
            &RULE,
            format!(
                "`{}` has persistent storage ({storage}), mounted on /data when it runs: it hides `{path}`, which the build puts there (Dockerfile line {line}){more}, so the app does not see it",
                ctx.probe.space_id
            ),
        )
        .in_file("Dockerfile", Some((*line, 1)))
        .help("build into another folder (`/app/models`, `/opt/models`), or copy to /data from the start command when the storage is empty"),
    );
}

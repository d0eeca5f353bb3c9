//! DL rules: hadolint's rules that break or bloat a Space build, under hadolint's own codes
//! and semantics (each rule's tests reproduce hadolint's spec cases, `test/Hadolint/Rule/*Spec.hs`),
//! so a Dockerfile's `# hadolint ignore=DL3008` comments work unchanged. Rules whose finding
//! means a failed build or a Space that does not do what its author wrote run by default; pure
//! hygiene (image size, pinning, pipefail) runs only when selected (`--select DL`).
//!
//! These rules read the Dockerfile as hadolint does, instruction by instruction in every stage
//! and inside ONBUILD, with the shell of each RUN parsed as written (no variable expansion).
//! Where hadolint's letter would make a finding we could not defend (a `COPY --from` naming an
//! image, which hadolint takes for a missing stage), the rule's documentation says how it differs.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_hadolint.rs"));

use std::ops::Range;

use crate::parse::dockerfile::{Args, Dockerfile, Kind};
use crate::parse::shell::{self, SimpleCommand};
pub use crate::rules::steps::{parse_runs, steps, ParsedRun, Step};

/// The `AS` name of every stage, by stage index (lower-cased, as BuildKit compares them).
pub fn stage_names(df: &Dockerfile) -> Vec<Option<String>> {
    df.instructions
        .iter()
        .filter_map(|i| match &i.args {
            Args::From { alias, .. } => Some(alias.as_ref().map(|a| a.text.to_ascii_lowercase())),
            _ => None,
        })
        .collect()
}

/// The image a stage is built FROM, as written.
pub fn stage_images(df: &Dockerfile) -> Vec<&str> {
    df.instructions
        .iter()
        .filter_map(|i| match &i.args {
            Args::From { image, .. } => Some(image.text.as_str()),
            _ => None,
        })
        .collect()
}

/// The earlier stage each stage is built FROM, as hadolint reads it: its image, as written,
/// names that stage (the last of that name before it).
pub fn stage_parents(df: &Dockerfile) -> Vec<Option<usize>> {
    let names = stage_names(df);
    stage_images(df)
        .iter()
        .enumerate()
        .map(|(s, image)| {
            let image = image.to_ascii_lowercase();
            names[..s].iter().rposition(|n| n.as_deref() == Some(image.as_str()))
        })
        .collect()
}

/// A COPY's `--from` flag and its value, unquoted and lower-cased (stage names compare so).
pub fn copy_from<'a>(step: &Step<'a>) -> Option<(&'a crate::parse::dockerfile::Flag, String)> {
    let flag = step.ins.flag("from")?;
    let value = shell::unquote(flag.value.as_deref()?).to_ascii_lowercase();
    Some((flag, value))
}

/// A RUN's shell, parsed as written.
pub struct Script<'a> {
    pub step: Step<'a>,
    pub commands: &'a [SimpleCommand],
    /// Where the parsed text starts in the file, for fixes: `None` for exec form, where the
    /// words are JSON strings and no edit is offered.
    pub base: Option<usize>,
}

impl Script<'_> {
    /// The file span of word `word` of `command`, when the script is shell form.
    pub fn word_span(&self, command: &SimpleCommand, word: usize) -> Option<Range<usize>> {
        let base = self.base?;
        let span = command.spans.get(word)?;
        Some(base + span.start..base + span.end)
    }
}

/// Every RUN with its parsed commands (see [`parse_runs`]), parsed once per Space.
pub fn scripts<'a>(ctx: &'a crate::rules::context::Context) -> Vec<Script<'a>> {
    let Some(df) = ctx.parsed_dockerfile() else { return Vec::new() };
    let runs = ctx.hadolint_runs();
    steps(df)
        .into_iter()
        .filter(|s| s.ins.kind == Kind::Run && matches!(s.ins.args, Args::Command(_)))
        .zip(runs)
        .map(|(step, run)| Script { step, commands: &run.commands, base: run.base })
        .collect()
}

/// Whether `command` is `program` (by its base name: `/usr/bin/apt-get` is `apt-get`).
pub fn is_program(command: &SimpleCommand, names: &[&str]) -> bool {
    command.program_name().is_some_and(|p| names.contains(&p))
}

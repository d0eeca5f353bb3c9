//! The Dockerfile's instructions as written, in file order with each ONBUILD's instruction
//! (marked), and each RUN's shell parsed from the file's own text (so word spans are file
//! offsets): what the DL rules read, parsed once per Space and kept by the rule `Context`.

use crate::parse::dockerfile::{Args, CommandForm, Dockerfile, Instruction, Kind};
use crate::parse::shell::{self, SimpleCommand};
use crate::source::SourceFile;

/// One instruction with where it sits: its stage (the index of the FROM it follows; 0 before
/// any FROM, as hadolint pretends a base image there) and whether it is an ONBUILD trigger.
#[derive(Clone, Copy)]
pub struct Step<'a> {
    pub ins: &'a Instruction,
    pub stage: usize,
    pub onbuild: bool,
}

/// Every instruction in file order, the instruction of an ONBUILD included (marked).
pub fn steps(df: &Dockerfile) -> Vec<Step<'_>> {
    let mut out = Vec::with_capacity(df.instructions.len());
    let mut stage = 0;
    let mut seen_from = false;
    for ins in &df.instructions {
        if ins.kind == Kind::From {
            if seen_from {
                stage += 1;
            }
            seen_from = true;
        }
        match &ins.args {
            Args::Onbuild(inner) => out.push(Step { ins: inner, stage, onbuild: true }),
            _ => out.push(Step { ins, stage, onbuild: false }),
        }
    }
    out
}

/// The commands of one RUN as hadolint reads them, and where its text starts in the file.
pub struct ParsedRun {
    pub commands: Vec<SimpleCommand>,
    pub base: Option<usize>,
}

/// Every RUN (ONBUILD RUN included), its shell-form text read from the file itself so that
/// word spans are file offsets. A file with another escape character (`# escape=\``) is read
/// from the parser's text instead, without fixes: our shell reader knows only `\`.
/// Several DL rules read the same scripts: they are parsed once per Space (`Context`).
pub fn parse_runs(file: &SourceFile, df: &Dockerfile) -> Vec<ParsedRun> {
    steps(df)
        .into_iter()
        .filter(|s| s.ins.kind == Kind::Run)
        .filter_map(|step| {
            let Args::Command(form) = &step.ins.args else { return None };
            Some(match form {
                CommandForm::Shell(word) => {
                    let raw = file.text.get(word.span.clone()).filter(|_| df.escape == '\\');
                    // What BuildKit drops inside the continued RUN is blanked, offsets kept.
                    let blanked = raw.map(|r| crate::parse::dockerfile::blank_dropped_lines(r, df.escape));
                    let text = blanked.as_deref().unwrap_or(&word.text);
                    let commands = shell::parse_commands(text, &shell::no_vars);
                    ParsedRun { commands, base: raw.map(|_| word.span.start) }
                }
                CommandForm::Exec(words) => {
                    let words: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
                    let command = SimpleCommand { raw_words: words.clone(), words, ..SimpleCommand::default() };
                    ParsedRun { commands: vec![command], base: None }
                }
            })
        })
        .collect()
}

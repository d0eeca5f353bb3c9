//! Dockerfile parsing: `parse-dockerfile` for the instructions, wrapped by a BuildKit-faithful
//! pre-pass for what the crate does not do.
//!
//! The crate only understands a heredoc that opens a `RUN` (`RUN <<EOF`) or is a `COPY`/`ADD`
//! source. BuildKit finds heredocs anywhere in a `RUN`/`COPY`/`ADD` line: every whitespace-
//! separated word matching `^(\d*)<<(-?)([^<]*)$` opens one (so `RUN cat <<'EOF' > f` and
//! `RUN python - <<PY` are heredocs, and since BuildKit v0.22 `cat << EOF` too). The pre-pass reads
//! the file the way BuildKit's parser does (directives, comments, continuation lines, heredocs),
//! records every heredoc body, and blanks the bodies the crate would misread as instructions,
//! keeping every byte offset, so the crate's spans stay true. It also applies two checks the
//! crate lacks and BuildKit makes: lines over 64 KiB and `ENV NAME` without a value.

use std::ops::Range;

use super::shell::{split_words_raw, unquote};
use crate::source::SourceFile;

/// What the crate is shown in place of the keyword of an `ENTRYPOINT []` (same length).
const ENTRYPOINT_AS_CMD: &str = "CMD       ";

/// BuildKit reads lines with Go's `bufio.Scanner`, which refuses longer lines.
pub const MAX_LINE_BYTES: usize = 64 * 1024 - 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    From,
    Run,
    Cmd,
    Entrypoint,
    Copy,
    Add,
    Env,
    Arg,
    Expose,
    User,
    Workdir,
    Label,
    Healthcheck,
    Shell,
    Volume,
    Stopsignal,
    Maintainer,
    Onbuild,
}

impl Kind {
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::From => "FROM",
            Kind::Run => "RUN",
            Kind::Cmd => "CMD",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Copy => "COPY",
            Kind::Add => "ADD",
            Kind::Env => "ENV",
            Kind::Arg => "ARG",
            Kind::Expose => "EXPOSE",
            Kind::User => "USER",
            Kind::Workdir => "WORKDIR",
            Kind::Label => "LABEL",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Shell => "SHELL",
            Kind::Volume => "VOLUME",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
        }
    }
}

/// `RUN`/`CMD`/`ENTRYPOINT` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    /// JSON array: run as is, no shell, no variable expansion.
    Exec(Vec<Word>),
    /// Run by `/bin/sh -c` (or the `SHELL`).
    Shell(Word),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    /// As written, quotes kept; `None` for `ARG NAME` without a default.
    pub value: Option<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    From { image: Word, alias: Option<Word> },
    Command(CommandForm),
    Copy { sources: Vec<CopySource>, dest: Word },
    KeyValues(Vec<KeyValue>),
    Words(Vec<Word>),
    Text(Word),
    Healthcheck(Option<CommandForm>),
    Onbuild(Box<Instruction>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopySource {
    Path(Word),
    /// Inline file content (`COPY <<EOF /dest`).
    Heredoc(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// Whether `$VAR` in the body is expanded (the delimiter was not quoted).
    pub expand: bool,
    pub body: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: Kind,
    /// From the keyword to the end of the arguments (heredoc bodies excluded).
    pub span: Range<usize>,
    pub keyword_span: Range<usize>,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Every heredoc opened on this instruction's line, in order (BuildKit's view).
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub escape: char,
}

impl Dockerfile {
    /// Pairs (earlier, later) of instructions of `kind` given again in the same stage, in file
    /// order: only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage counts. ONBUILD triggers
    /// are not counted (they run in another build).
    pub fn repeated_in_stage(&self, kind: Kind) -> Vec<(&Instruction, &Instruction)> {
        let mut out = Vec::new();
        let mut previous: Option<&Instruction> = None;
        for ins in &self.instructions {
            if ins.kind == Kind::From {
                previous = None;
            } else if ins.kind == kind {
                if let Some(earlier) = previous {
                    out.push((earlier, ins));
                }
                previous = Some(ins);
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Not a syntax error: the file is past a budget ([`crate::budget`]) and was not read.
    pub over_budget: bool,
    pub message: String,
    /// Byte span in the (BOM-less) text.
    pub span: Range<usize>,
}

/// Parses the file's text. Errors carry the place, for DF002.
pub fn parse(file: &SourceFile) -> Result<Dockerfile, ParseError> {
    let text = file.text.as_str();
    let pre = prepass(text)?;
    let to_parse = pre.masked.as_deref().unwrap_or(text);
    let parsed = parse_dockerfile::parse(to_parse).map_err(|e| {
        let line = e.line().max(1);
        let mut span = file.line_span(line);
        let col_offset = file.text[span.clone()].char_indices().nth(e.column().saturating_sub(1)).map(|(i, _)| i);
        if let Some(off) = col_offset {
            span.start += off;
        }
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        ParseError { over_budget: false, message: explain_crate_error(&message, text, &span), span }
    })?;
    if let Some(past) = parsed.instructions.get(crate::budget::MAX_INSTRUCTIONS) {
        crate::budget::exhausted(crate::budget::Family::Instructions);
        let span = convert(past, text).map(|i| i.span).unwrap_or(0..0);
        return Err(ParseError {
            over_budget: true,
            message: format!(
                "over {} instructions: too long for spacecheck to check (its budget, not a BuildKit limit)",
                crate::budget::MAX_INSTRUCTIONS
            ),
            span,
        });
    }
    let mut instructions = Vec::with_capacity(parsed.instructions.len());
    for ins in &parsed.instructions {
        let mut converted = convert(ins, text)?;
        // The crate saw a blank where the file has an escaped trailing escape: give the
        // instruction its real text back.
        if pre.restored.iter().any(|&at| converted.span.contains(&at) || converted.span.end == at) {
            restore_text(&mut converted, text, &pre.restored);
        }
        if let Args::From { alias: Some(alias), .. } = &mut converted.args {
            if pre.renamed_stages.contains(&alias.span) {
                alias.text = text[alias.span.clone()].to_string();
            }
        }
        if converted.kind == Kind::Cmd && pre.empty_entrypoints.contains(&converted.keyword_span.start) {
            converted.kind = Kind::Entrypoint;
            converted.keyword_span.end = converted.keyword_span.start + ENTRYPOINT_AS_CMD.len();
        }
        blank_dropped_in_commands(&mut converted, pre.escape);
        instructions.push(converted);
    }
    // Attach the pre-pass heredocs to the instruction whose line opened them.
    for doc in pre.heredocs {
        if let Some(ins) = instructions.iter_mut().rev().find(|i| i.keyword_span.start <= doc.opened_at) {
            ins.heredocs.push(doc.heredoc);
        }
    }
    Ok(Dockerfile { instructions, escape: pre.escape })
}

/// The shell-form command of RUN, CMD, ENTRYPOINT, HEALTHCHECK (and ONBUILD's) as BuildKit
/// keeps it: comment and empty lines inside the continuation dropped (blanked, offsets kept),
/// so every reader of the command sees the words BuildKit runs (`apt-get install -y \` /
/// `# tools` / `wget git` is one command).
fn blank_dropped_in_commands(ins: &mut Instruction, escape: char) {
    let blank = |w: &mut Word| {
        if let std::borrow::Cow::Owned(text) = blank_dropped_lines(&w.text, escape) {
            w.text = text;
        }
    };
    match &mut ins.args {
        Args::Command(CommandForm::Shell(w)) | Args::Healthcheck(Some(CommandForm::Shell(w))) => blank(w),
        Args::Onbuild(inner) => blank_dropped_in_commands(inner, escape),
        _ => {}
    }
}

fn restore_text(ins: &mut Instruction, text: &str, restored: &[usize]) {
    let fix = |w: &mut Word| {
        if restored.iter().any(|&at| w.span.start <= at && at <= w.span.end) {
            let end = restored
                .iter()
                .copied()
                .filter(|&at| at >= w.span.end && at <= w.span.end + 1)
                .max()
                .map_or(w.span.end, |at| at + 1);
            w.span.end = end.min(text.len());
            w.text = text[w.span.clone()].to_string();
        }
    };
    match &mut ins.args {
        Args::KeyValues(kvs) => {
            for kv in kvs {
                if let Some(v) = &mut kv.value {
                    fix(v);
                }
            }
        }
        Args::Text(w) => fix(w),
        Args::Words(ws) => ws.iter_mut().for_each(fix),
        Args::Command(CommandForm::Shell(w)) => fix(w),
        _ => {}
    }
    if let Some(&at) = restored.iter().find(|&&at| at >= ins.span.end && at <= ins.span.end + 1) {
        ins.span.end = at + 1;
    }
}

fn explain_crate_error(message: &str, text: &str, span: &Range<usize>) -> String {
    let line = &text[span.clone()];
    if message.starts_with("unknown instruction")
        && line.trim_start().starts_with(|c: char| c.is_ascii_lowercase())
        && !line.contains(' ')
    {
        return format!("{message}: is this a line of a shell command or heredoc that lost its `\\` or `<<`?");
    }
    message.to_string()
}

struct FoundHeredoc {
    opened_at: usize,
    heredoc: Heredoc,
}

struct Prepass {
    escape: char,
    heredocs: Vec<FoundHeredoc>,
    /// Byte offsets of line-final escapes that BuildKit does not take as a continuation (the
    /// line ends in an escaped escape, `C:\\`), blanked for the crate and restored after.
    restored: Vec<usize>,
    /// The text with the heredoc bodies the crate cannot read blanked out (same length).
    masked: Option<String>,
    /// Where an `ENTRYPOINT []` starts. BuildKit accepts it (it clears the base image's
    /// entrypoint); the crate wants an argument, so it is shown the crate a `CMD []` in the
    /// same bytes and made an ENTRYPOINT again after.
    empty_entrypoints: Vec<usize>,
    /// Spans of stage names that repeat an earlier one: BuildKit only warns
    /// (DuplicateStageName), the crate refuses, so it is shown a stand-in of the same length and
    /// the name is given back after.
    renamed_stages: Vec<Range<usize>>,
}

/// Stage names seen so far, and the repeated ones with their stand-ins.
#[derive(Default)]
struct StageNames {
    seen: Vec<String>,
    renamed: Vec<(Range<usize>, String)>,
}

impl StageNames {
    /// Reads a one-line `FROM image AS name`; a name seen before gets a stand-in.
    fn read(&mut self, text: &str, start: usize, logical: &str) {
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..line_end];
        if line.trim_end() != logical.trim_end() {
            return; // continued over lines: left to the crate
        }
        let words: Vec<(Range<usize>, &str)> = split_words_raw(line, '\\');
        let [(_, from), _, (_, as_word), (span, name)] = words.as_slice() else { return };
        if !from.eq_ignore_ascii_case("FROM") || !as_word.eq_ignore_ascii_case("AS") || !name.is_ascii() {
            return;
        }
        let lower = name.to_ascii_lowercase();
        if !self.seen.contains(&lower) {
            self.seen.push(lower);
            return;
        }
        // A stand-in of the same length no stage has: `b` → `z`, `build` → `buil0`…
        let stand_in = (0..36u32 * 36).find_map(|n| {
            let suffix: String = [n / 36, n % 36].iter().map(|d| char::from_digit(*d, 36).unwrap_or('z')).collect();
            let width = name.len().min(2);
            let keep = name.len() - width;
            let candidate = format!("{}{}", &lower[..keep], &suffix[2 - width..]);
            let valid = candidate.starts_with(|c: char| c.is_ascii_lowercase());
            (valid && !self.seen.contains(&candidate)).then_some(candidate)
        });
        if let Some(stand_in) = stand_in {
            self.seen.push(stand_in.clone());
            self.renamed.push((start + span.start..start + span.end, stand_in));
        }
    }
}

/// `ENTRYPOINT []` (any case, any blanks): BuildKit's way to clear the entrypoint.
fn is_empty_entrypoint(logical: &str) -> bool {
    let words: Vec<&str> = logical.split_whitespace().collect();
    let Some(keyword) = words.first() else { return false };
    keyword.eq_ignore_ascii_case("ENTRYPOINT") && words[1..].concat() == "[]"
}

/// Physical lines with their byte ranges (line ending included).
fn physical_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

/// The raw text of an instruction's argument (continuation lines and all) with what BuildKit
/// drops inside a continued instruction blanked out: comment lines and empty lines, each with
/// its line break, become spaces of the same byte length, so that a shell parser reads the
/// words BuildKit keeps (`apt-get install \` / `# tools` / `curl sudo`) while every byte
/// offset still points into the file.
pub fn blank_dropped_lines(raw: &str, escape: char) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut continued = false;
    let mut at = 0;
    for line in raw.split_inclusive('\n') {
        let dropped = continued && (is_comment(line) || trim_newline(line).trim().is_empty());
        if dropped {
            let blanked = out.get_or_insert_with(|| raw[..at].to_string());
            blanked.extend(std::iter::repeat_n(' ', line.len()));
        } else {
            if let Some(o) = out.as_mut() {
                o.push_str(line);
            }
            continued = continues(line, escape).is_some();
        }
        at += line.len();
    }
    out.map_or(std::borrow::Cow::Borrowed(raw), std::borrow::Cow::Owned)
}

fn is_comment(line: &str) -> bool {
    trim_newline(line).trim_start().starts_with('#')
}

/// BuildKit: `([^E])E[ \t]*$|^E[ \t]*$`.
fn continues(line: &str, escape: char) -> Option<&str> {
    let t = trim_newline(line).trim_end_matches([' ', '\t']);
    let body = t.strip_suffix(escape)?;
    if body.is_empty() || !body.ends_with(escape) {
        Some(body)
    } else {
        None
    }
}

fn prepass(text: &str) -> Result<Prepass, ParseError> {
    let lines = physical_lines(text);
    let escape = directives(text, &lines)?;
    if let Some(line) = lines.iter().find(|l| l.len() > MAX_LINE_BYTES + 1) {
        return Err(ParseError {
            over_budget: false,
            message: format!(
                "this line is {} bytes long; BuildKit refuses Dockerfile lines over {} bytes",
                line.len(),
                MAX_LINE_BYTES
            ),
            span: line.start..line.start,
        });
    }
    let mut scanner =
        Scanner { text, lines: &lines, next: 0, escape, heredocs: Vec::new(), mask: Vec::new(), restored: Vec::new() };
    let mut empty_entrypoints = Vec::new();
    let mut stage_names = StageNames::default();
    while let Some((start, logical)) = scanner.next_instruction() {
        if is_empty_entrypoint(&logical) {
            empty_entrypoints.push(start);
        }
        stage_names.read(text, start, &logical);
        scanner.heredocs_of(start, &logical)?;
    }
    let mut masked = blank_out(text, &scanner.mask, &scanner.restored);
    if !empty_entrypoints.is_empty() || !stage_names.renamed.is_empty() {
        let mut bytes = masked.take().unwrap_or_else(|| text.to_string()).into_bytes();
        for &at in &empty_entrypoints {
            bytes[at..at + ENTRYPOINT_AS_CMD.len()].copy_from_slice(ENTRYPOINT_AS_CMD.as_bytes());
        }
        for (span, stand_in) in &stage_names.renamed {
            bytes[span.clone()].copy_from_slice(stand_in.as_bytes());
        }
        // ASCII written over ASCII: still UTF-8.
        masked = Some(String::from_utf8(bytes).unwrap_or_default());
    }
    let renamed_stages = stage_names.renamed.into_iter().map(|(span, _)| span).collect();
    Ok(Prepass {
        escape,
        heredocs: scanner.heredocs,
        restored: scanner.restored,
        masked,
        empty_entrypoints,
        renamed_stages,
    })
}

/// Parser directives, only at the very top before any other line: the escape character
/// (`# escape=`` ` ``); `syntax` and `check` are read elsewhere.
fn directives(text: &str, lines: &[Range<usize>]) -> Result<char, ParseError> {
    let mut escape = '\\';
    for line in lines {
        let l = trim_newline(&text[line.clone()]).trim();
        let Some(rest) = l.strip_prefix('#') else { break };
        let Some((key, value)) = rest.split_once('=') else { break };
        let key = key.trim().to_ascii_lowercase();
        if !key.chars().all(|c| c.is_ascii_alphanumeric()) || key.is_empty() {
            break;
        }
        match key.as_str() {
            "escape" => match value.trim() {
                "`" => escape = '`',
                "\\" => escape = '\\',
                other => {
                    return Err(ParseError {
                        over_budget: false,
                        message: format!("invalid escape token '{other}' does not match ` or \\"),
                        span: line.start..line.start + l.len(),
                    })
                }
            },
            "syntax" | "check" => {}
            _ => break,
        }
    }
    Ok(escape)
}

/// Blanks the masked ranges (heredoc bodies the crate cannot read) with spaces, newlines kept,
/// and writes over escaped trailing escapes; `None` when nothing changes.
fn blank_out(text: &str, mask: &[Range<usize>], restored: &[usize]) -> Option<String> {
    if mask.is_empty() && restored.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in mask {
        for b in &mut bytes[range.clone()] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Not a blank: `\\ ` followed by a newline would still read as a continuation.
    for &at in restored {
        bytes[at] = b'x';
    }
    // Only ASCII bytes were written over whole lines, so this stays valid UTF-8.
    Some(String::from_utf8(bytes).unwrap_or_default())
}

/// Walks the physical lines as BuildKit does: logical instructions (continuations joined,
/// comments and blank lines inside them skipped) and the heredoc bodies after them.
struct Scanner<'a> {
    text: &'a str,
    lines: &'a [Range<usize>],
    /// The next physical line to read.
    next: usize,
    escape: char,
    heredocs: Vec<FoundHeredoc>,
    /// Heredoc bodies to blank for the crate.
    mask: Vec<Range<usize>>,
    /// Offsets of escaped trailing escapes (`\\` at a line's end is not a continuation).
    restored: Vec<usize>,
}

impl<'a> Scanner<'a> {
    fn line(&self, n: usize) -> &'a str {
        &self.text[self.lines[n].clone()]
    }

    fn note_escaped_escape(&mut self, n: usize) {
        let l = trim_newline(self.line(n));
        let t = l.trim_end_matches([' ', '\t']);
        let mut chars = t.chars().rev();
        if chars.next() == Some(self.escape) && chars.next() == Some(self.escape) && !is_comment(l) {
            self.restored.push(self.lines[n].start + t.len() - self.escape.len_utf8());
        }
    }

    /// The next logical instruction: its start offset and its text with continuations joined.
    fn next_instruction(&mut self) -> Option<(usize, String)> {
        while self.next < self.lines.len() {
            let n = self.next;
            self.next += 1;
            let first = self.line(n);
            if is_comment(first) || trim_newline(first).trim().is_empty() {
                continue;
            }
            let start = self.lines[n].start + (first.len() - first.trim_start().len());
            self.note_escaped_escape(n);
            let mut cont = continues(first, self.escape);
            let mut logical = cont.unwrap_or_else(|| trim_newline(first)).trim_start().to_string();
            while cont.is_some() && self.next < self.lines.len() {
                let n = self.next;
                self.next += 1;
                let l = self.line(n);
                if is_comment(l) || trim_newline(l).trim().is_empty() {
                    continue;
                }
                self.note_escaped_escape(n);
                cont = continues(l, self.escape);
                logical.push_str(cont.unwrap_or_else(|| trim_newline(self.line(n))));
            }
            return Some((start, logical));
        }
        None
    }

    /// Reads the heredoc bodies a RUN/COPY/ADD (also under ONBUILD) opens. Those the crate
    /// reads itself (a RUN's leading heredoc, COPY/ADD sources) stay; the others are masked.
    fn heredocs_of(&mut self, start: usize, logical: &str) -> Result<(), ParseError> {
        let words = join_spaced_heredocs(split_words_raw(logical, '\\'));
        let Some((_, keyword)) = words.first() else { return Ok(()) };
        let keyword = keyword.to_ascii_uppercase();
        let (kind, args_from) = match keyword.as_str() {
            "ONBUILD" => (words.get(1).map(|(_, w)| w.to_ascii_uppercase()).unwrap_or_default(), 2),
            _ => (keyword.clone(), 1),
        };
        if !matches!(kind.as_str(), "RUN" | "COPY" | "ADD") {
            return Ok(());
        }
        let args: Vec<&str> =
            words[args_from..].iter().map(|(_, w)| w.as_ref()).filter(|w| !w.starts_with("--")).collect();
        let consumed_by_crate = match (keyword.as_str(), kind.as_str()) {
            ("ONBUILD", _) => 0,
            (_, "RUN") => usize::from(args.first().is_some_and(|w| heredoc_marker(w).is_some())),
            _ => args[..args.len().saturating_sub(1)].iter().filter(|w| heredoc_marker(w).is_some()).count(),
        };
        let markers: Vec<(String, bool, bool)> =
            words[args_from..].iter().filter_map(|(_, w)| heredoc_marker(w)).collect();
        for (n, (name, chomp, expand)) in markers.into_iter().enumerate() {
            let (body, span, end_of_terminator) = self.heredoc_body(start, &name, chomp)?;
            if n >= consumed_by_crate {
                self.mask.push(span.start..end_of_terminator);
            }
            self.heredocs.push(FoundHeredoc { opened_at: start, heredoc: Heredoc { name, expand, body, span } });
        }
        Ok(())
    }

    /// One heredoc body up to its terminator line: (body, its span, the end of the terminator).
    fn heredoc_body(
        &mut self,
        start: usize,
        name: &str,
        chomp: bool,
    ) -> Result<(String, Range<usize>, usize), ParseError> {
        let body_start = self.lines.get(self.next).map_or(self.text.len(), |l| l.start);
        let mut body = String::new();
        let mut terminated = false;
        while self.next < self.lines.len() {
            let l = self.line(self.next);
            self.next += 1;
            let candidate = trim_newline(l);
            let candidate = if chomp { candidate.trim_start_matches('\t') } else { candidate };
            if candidate == name {
                terminated = true;
                break;
            }
            body.push_str(l);
        }
        if !terminated {
            return Err(ParseError {
                over_budget: false,
                message: format!("unterminated heredoc: no line `{name}` closes the heredoc opened here"),
                // The logical line has continuations removed: its offsets are not the file's.
                span: start..start,
            });
        }
        let span = body_start..body_start + body.len();
        let end_of_terminator = self.lines.get(self.next - 1).map_or(self.text.len(), |l| l.end);
        let body =
            if chomp { body.lines().map(|l| l.trim_start_matches('\t')).collect::<Vec<_>>().join("\n") } else { body };
        Ok((body, span, end_of_terminator))
    }
}

/// `<< 'EOF'` with white space after `<<` opens a heredoc since BuildKit v0.22 (Dockerfile
/// frontend 1.16, moby/buildkit#5817: `^(\d*)<<(-?)\s*([^<]*)$`): a word that is only the
/// operator is read with the word after it.
fn join_spaced_heredocs(words: Vec<(Range<usize>, &str)>) -> Vec<(Range<usize>, std::borrow::Cow<'_, str>)> {
    let mut out: Vec<(Range<usize>, std::borrow::Cow<'_, str>)> = Vec::with_capacity(words.len());
    let mut iter = words.into_iter().peekable();
    while let Some((at, w)) = iter.next() {
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        let operator_only = matches!(&w[digits..], "<<" | "<<-");
        match iter.peek() {
            Some((_, next)) if operator_only && !next.starts_with('<') => {
                let joined = format!("{w}{next}");
                iter.next();
                out.push((at, std::borrow::Cow::Owned(joined)));
            }
            _ => out.push((at, std::borrow::Cow::Borrowed(w))),
        }
    }
    out
}

/// BuildKit's heredoc word: `^(\d*)<<(-?)([^<]*)$` whose rest is one non-empty shell word.
/// Returns (delimiter, strip leading tabs, expand variables in the body).
fn heredoc_marker(word: &str) -> Option<(String, bool, bool)> {
    let digits = word.bytes().take_while(|b| b.is_ascii_digit()).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest);
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return None;
    }
    let expand = !rest.contains(['\'', '"']);
    Some((name, chomp, expand))
}

fn word(s: &parse_dockerfile::UnescapedString<'_>) -> Word {
    Word { text: s.value.to_string(), span: s.span.clone() }
}

fn command(c: &parse_dockerfile::Command<'_>) -> CommandForm {
    match c {
        parse_dockerfile::Command::Exec(v) => CommandForm::Exec(v.value.iter().map(word).collect()),
        parse_dockerfile::Command::Shell(s) => {
            CommandForm::Shell(Word { text: s.value.to_string(), span: s.span.clone() })
        }
        _ => CommandForm::Exec(vec![]),
    }
}

/// End of a command's arguments: the closing `]` of exec form, the last byte of shell form.
fn command_end(c: &parse_dockerfile::Command<'_>) -> usize {
    match c {
        parse_dockerfile::Command::Exec(v) => v.span.end,
        parse_dockerfile::Command::Shell(s) => s.span.end,
        _ => 0,
    }
}

fn flags(options: &[parse_dockerfile::Flag<'_>]) -> Vec<Flag> {
    options
        .iter()
        .map(|f| Flag {
            name: f.name.value.to_string(),
            value: f.value.as_ref().map(|v| v.value.to_string()),
            span: f.span(),
        })
        .collect()
}

/// An instruction's pieces: kind, keyword span, flags, arguments, and where it ends.
type Parts = (Kind, Range<usize>, Vec<Flag>, Args, usize);

fn convert(ins: &parse_dockerfile::Instruction<'_>, text: &str) -> Result<Instruction, ParseError> {
    let parts = match build_parts(ins, text)? {
        Some(parts) => parts,
        None => setting_parts(ins)?.ok_or_else(|| ParseError {
            over_budget: false,
            message: "an instruction spacecheck does not know".into(),
            span: 0..0,
        })?,
    };
    let (kind, keyword_span, flag_list, args, end) = parts;
    let end = end.min(text.len()).max(keyword_span.end);
    // Heredoc bodies come from the pre-pass (BuildKit's view, with names), attached by `parse`.
    Ok(Instruction { kind, span: keyword_span.start..end, keyword_span, flags: flag_list, args, heredocs: vec![] })
}

/// The instructions that build: FROM, RUN, COPY, ADD, HEALTHCHECK, ONBUILD.
fn build_parts(ins: &parse_dockerfile::Instruction<'_>, text: &str) -> Result<Option<Parts>, ParseError> {
    use parse_dockerfile::Instruction as I;
    Ok(Some(match ins {
        I::From(f) => {
            let end = f.as_.as_ref().map_or(f.image.span.end, |(_, a)| a.span.end);
            (
                Kind::From,
                f.from.span.clone(),
                flags(&f.options),
                Args::From { image: word(&f.image), alias: f.as_.as_ref().map(|(_, a)| word(a)) },
                end,
            )
        }
        I::Run(r) => {
            let c = command(&r.arguments);
            let end = command_end(&r.arguments);
            (Kind::Run, r.run.span.clone(), flags(&r.options), Args::Command(c), end)
        }
        I::Copy(c) => {
            let sources = c.src.iter().map(source).collect();
            (
                Kind::Copy,
                c.copy.span.clone(),
                flags(&c.options),
                Args::Copy { sources, dest: word(&c.dest) },
                c.dest.span.end,
            )
        }
        I::Add(c) => {
            let sources = c.src.iter().map(source).collect();
            (
                Kind::Add,
                c.add.span.clone(),
                flags(&c.options),
                Args::Copy { sources, dest: word(&c.dest) },
                c.dest.span.end,
            )
        }
        I::Healthcheck(h) => {
            let (c, end) = match &h.arguments {
                parse_dockerfile::HealthcheckArguments::Cmd { arguments, cmd, .. } => {
                    let c = command(arguments);
                    let end = command_end(arguments).max(cmd.span.end);
                    (Some(c), end)
                }
                parse_dockerfile::HealthcheckArguments::None { none, .. } => (None, none.span.end),
                _ => (None, h.healthcheck.span.end),
            };
            (Kind::Healthcheck, h.healthcheck.span.clone(), flags(&h.options), Args::Healthcheck(c), end)
        }
        I::Onbuild(o) => {
            let inner = convert(&o.instruction, text)?;
            let end = inner.span.end;
            (Kind::Onbuild, o.onbuild.span.clone(), vec![], Args::Onbuild(Box::new(inner)), end)
        }
        _ => return Ok(None),
    }))
}

/// The instructions that set the image's configuration: ENV, ARG, LABEL, EXPOSE, USER,
/// WORKDIR, STOPSIGNAL, MAINTAINER, SHELL, VOLUME, CMD, ENTRYPOINT.
fn setting_parts(ins: &parse_dockerfile::Instruction<'_>) -> Result<Option<Parts>, ParseError> {
    use parse_dockerfile::Instruction as I;
    Ok(Some(match ins {
        I::Cmd(r) => {
            let c = command(&r.arguments);
            let end = command_end(&r.arguments).max(r.cmd.span.end);
            (Kind::Cmd, r.cmd.span.clone(), vec![], Args::Command(c), end)
        }
        I::Entrypoint(r) => {
            let c = command(&r.arguments);
            let end = command_end(&r.arguments).max(r.entrypoint.span.end);
            (Kind::Entrypoint, r.entrypoint.span.clone(), vec![], Args::Command(c), end)
        }
        I::Env(e) => {
            let pairs = key_values(&e.arguments, true).map_err(|m| ParseError {
                over_budget: false,
                message: m,
                span: e.env.span.start..e.arguments.span.end,
            })?;
            (Kind::Env, e.env.span.clone(), vec![], Args::KeyValues(pairs), e.arguments.span.end)
        }
        I::Arg(a) => {
            let pairs = key_values(&a.arguments, false).map_err(|m| ParseError {
                over_budget: false,
                message: m,
                span: a.arg.span.start..a.arguments.span.end,
            })?;
            (Kind::Arg, a.arg.span.clone(), vec![], Args::KeyValues(pairs), a.arguments.span.end)
        }
        I::Label(l) => {
            let pairs = key_values(&l.arguments, true).unwrap_or_default();
            (Kind::Label, l.label.span.clone(), vec![], Args::KeyValues(pairs), l.arguments.span.end)
        }
        I::Expose(e) => {
            let end = e.arguments.last().map_or(e.expose.span.end, |w| w.span.end);
            (Kind::Expose, e.expose.span.clone(), vec![], Args::Words(e.arguments.iter().map(word).collect()), end)
        }
        I::User(u) => (Kind::User, u.user.span.clone(), vec![], Args::Text(word(&u.arguments)), u.arguments.span.end),
        I::Workdir(w) => {
            (Kind::Workdir, w.workdir.span.clone(), vec![], Args::Text(word(&w.arguments)), w.arguments.span.end)
        }
        I::Stopsignal(s) => {
            (Kind::Stopsignal, s.stopsignal.span.clone(), vec![], Args::Text(word(&s.arguments)), s.arguments.span.end)
        }
        I::Maintainer(m) => {
            (Kind::Maintainer, m.maintainer.span.clone(), vec![], Args::Text(word(&m.name)), m.name.span.end)
        }
        I::Shell(s) => {
            let words: Vec<Word> = s.arguments.iter().map(word).collect();
            let end = words.last().map_or(s.shell.span.end, |w| w.span.end + 1);
            (Kind::Shell, s.shell.span.clone(), vec![], Args::Words(words), end)
        }
        I::Volume(v) => {
            let words: Vec<Word> = match &v.arguments {
                parse_dockerfile::JsonOrStringArray::Json(a) => a.value.iter().map(word).collect(),
                parse_dockerfile::JsonOrStringArray::String(a) => a.iter().map(word).collect(),
            };
            let end = words.last().map_or(v.volume.span.end, |w| w.span.end);
            (Kind::Volume, v.volume.span.clone(), vec![], Args::Words(words), end)
        }
        _ => return Ok(None),
    }))
}

fn source(s: &parse_dockerfile::Source<'_>) -> CopySource {
    match s {
        parse_dockerfile::Source::Path(p) => CopySource::Path(word(p)),
        parse_dockerfile::Source::HereDoc(h) => CopySource::Heredoc(h.value.to_string()),
        _ => CopySource::Heredoc(String::new()),
    }
}

/// ENV/ARG/LABEL arguments as BuildKit's `parseNameVal` reads them: either the legacy
/// `NAME value with spaces`, or `NAME=value NAME2="quoted value"` pairs (quotes kept, for the
/// model's expansion to remove).
fn key_values(args: &parse_dockerfile::UnescapedString<'_>, value_required: bool) -> Result<Vec<KeyValue>, String> {
    let text = args.value.as_ref();
    let base = args.span.start;
    // Offsets into the unescaped value match the source only when no continuation was removed;
    // otherwise point at the instruction's arguments as a whole.
    let exact = args.span.end - args.span.start == text.len();
    let span_of = |r: Range<usize>| if exact { base + r.start..base + r.end } else { args.span.clone() };
    let words = split_words_raw(text, '\\');
    let Some((first_range, first)) = words.first() else {
        return if value_required { Err("ENV requires at least one argument".into()) } else { Ok(vec![]) };
    };
    if !first.contains('=') {
        if !value_required {
            return Ok(words
                .iter()
                .map(|(r, w)| KeyValue { key: Word { text: w.to_string(), span: span_of(r.clone()) }, value: None })
                .collect());
        }
        let rest = text[first_range.end..].trim_start();
        if rest.is_empty() {
            return Err(format!(
                "`ENV {first}` has no value: BuildKit needs `ENV {first}=value` (or `ENV {first} value`)"
            ));
        }
        let rest_start = text.len() - rest.len();
        return Ok(vec![KeyValue {
            key: Word { text: first.to_string(), span: span_of(first_range.clone()) },
            value: Some(Word { text: rest.to_string(), span: span_of(rest_start..text.len()) }),
        }]);
    }
    let mut out = Vec::new();
    for (r, w) in &words {
        match w.split_once('=') {
            Some((k, v)) => out.push(KeyValue {
                key: Word { text: k.to_string(), span: span_of(r.start..r.start + k.len()) },
                value: Some(Word { text: v.to_string(), span: span_of(r.start + k.len() + 1..r.end) }),
            }),
            None if !value_required => {
                out.push(KeyValue { key: Word { text: w.to_string(), span: span_of(r.clone()) }, value: None })
            }
            None => return Err(format!("can't find = in `{w}`: every word must be of the form name=value")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod blank_tests {
    use super::blank_dropped_lines;

    #[test]
    fn comment_and_empty_lines_inside_a_continuation_become_spaces() {
        let raw = "apt-get install -y \\\n    # tools\n\n    curl sudo \\\n    # é\n    git";
        let blanked = blank_dropped_lines(raw, '\\');
        assert_eq!(blanked.len(), raw.len());
        assert!(!blanked.contains('#'));
        let words: Vec<String> =
            crate::parse::shell::parse_commands(&blanked, &crate::parse::shell::no_vars)[0].words.clone();
        assert_eq!(words, ["apt-get", "install", "-y", "curl", "sudo", "git"]);
        // Nothing to drop: the text itself.
        assert!(matches!(blank_dropped_lines("echo # not a line\n", '\\'), std::borrow::Cow::Borrowed(_)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Dockerfile, ParseError> {
        parse(&SourceFile::new("Dockerfile", s.to_string()))
    }

    #[test]
    fn heredoc_after_a_command_is_read_like_buildkit() {
        let d = parse_str("FROM a\nRUN python - <<'PY'\nfrom x import y\nimport z\nPY\nUSER 1000\n").unwrap();
        assert_eq!(d.instructions.len(), 3);
        assert_eq!(d.instructions[1].heredocs[0].body, "from x import y\nimport z\n");
        assert!(!d.instructions[1].heredocs[0].expand);
        assert_eq!(d.instructions[2].kind, Kind::User);
    }

    /// BuildKit builds `ENTRYPOINT []` (it clears the base image's entrypoint).
    #[test]
    fn an_empty_entrypoint_parses_as_an_entrypoint() {
        let d = parse_str("FROM a\nentrypoint [ ]\nCMD [\"x\"]\n").unwrap();
        assert_eq!(d.instructions[1].kind, Kind::Entrypoint);
        assert_eq!(d.instructions[1].keyword_span, 7..17);
        assert_eq!(d.instructions[1].args, Args::Command(CommandForm::Exec(vec![])));
        assert_eq!(d.instructions[2].kind, Kind::Cmd);
        assert!(parse_str("FROM a\nENTRYPOINT\n").is_err());
    }

    /// A repeated stage name is a BuildKit warning (DuplicateStageName), not a parse error.
    #[test]
    fn a_repeated_stage_name_parses() {
        let d = parse_str("FROM a AS b\nFROM c AS B\nFROM d AS build\nFROM e AS build\n").unwrap();
        let aliases: Vec<&str> = d
            .instructions
            .iter()
            .filter_map(|i| match &i.args {
                Args::From { alias, .. } => alias.as_ref().map(|a| a.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(aliases, vec!["b", "B", "build", "build"]);
    }

    #[test]
    fn leading_heredoc_still_parsed_by_the_crate() {
        let d = parse_str("FROM a\nRUN <<EOF\nuseradd -u 1000 user\nEOF\n").unwrap();
        assert_eq!(d.instructions[1].heredocs.len(), 1);
        assert!(d.instructions[1].heredocs[0].body.contains("useradd"));
    }

    #[test]
    fn two_heredocs_on_one_run() {
        let d = parse_str("FROM a\nRUN <<A && cat <<B\na\nA\nb\nB\nCMD x\n").unwrap();
        let names: Vec<&str> = d.instructions[1].heredocs.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, vec!["A", "B"]);
        assert_eq!(d.instructions[2].kind, Kind::Cmd);
    }

    #[test]
    fn chomp_heredoc_strips_tabs() {
        let d = parse_str("FROM a\nRUN cat <<-EOF > f\n\tfrom x\n\tEOF\n").unwrap();
        assert_eq!(d.instructions[1].heredocs[0].body, "from x");
    }

    /// Since BuildKit v0.22 (moby/buildkit#5817) white space may follow `<<`.
    #[test]
    fn spaced_heredoc_is_one_since_buildkit_0_22() {
        let d =
            parse_str("FROM a\nRUN cat << 'EOF' > run.sh\nFONT=/x\nEOF\nRUN cat <<- END\n\tx\n\tEND\nCMD y\n").unwrap();
        assert_eq!(d.instructions.len(), 4, "{d:?}");
        assert_eq!((d.instructions[1].heredocs[0].name.as_str(), d.instructions[1].heredocs[0].expand), ("EOF", false));
        assert_eq!(d.instructions[2].heredocs[0].body, "x");
        // `<<` followed by another redirection opens none.
        assert!(parse_str("FROM a\nRUN echo << <x\n").is_ok());
    }

    #[test]
    fn unterminated_heredoc_is_an_error_with_place() {
        let err = parse_str("FROM a\nRUN cat <<EOF > f\nhello\n").unwrap_err();
        assert!(err.message.contains("unterminated"));
        assert_eq!(err.span.start, 7);
    }

    #[test]
    fn env_without_value_is_rejected_as_buildkit_does() {
        assert!(parse_str("FROM a\nENV PATH\n").is_err());
        let d = parse_str("FROM a\nENV A=\"b c\" D=e\nENV LEGACY some value\nARG X Y=1\n").unwrap();
        let Args::KeyValues(kv) = &d.instructions[1].args else { panic!() };
        assert_eq!((kv[0].key.text.as_str(), kv[0].value.as_ref().unwrap().text.as_str()), ("A", "\"b c\""));
        let Args::KeyValues(kv) = &d.instructions[2].args else { panic!() };
        assert_eq!(kv[0].value.as_ref().unwrap().text, "some value");
        let Args::KeyValues(kv) = &d.instructions[3].args else { panic!() };
        assert_eq!(kv.len(), 2);
        assert!(kv[0].value.is_none());
    }

    #[test]
    fn escaped_trailing_escape_is_not_a_continuation() {
        let d = parse_str("FROM a\nENV C trailing\\\\backslash\\\\\nENV D next\n").unwrap();
        assert_eq!(d.instructions.len(), 3, "{:?}", d.instructions);
        let Args::KeyValues(kv) = &d.instructions[1].args else { panic!() };
        assert_eq!(kv[0].value.as_ref().unwrap().text, "trailing\\\\backslash\\\\");
    }

    #[test]
    fn overlong_line_is_rejected_without_parsing_it() {
        let s = format!("FROM a\nRUN echo {}\n", "x".repeat(100_000));
        let err = parse_str(&s).unwrap_err();
        assert!(err.message.contains("BuildKit refuses"));
    }

    #[test]
    fn escape_directive_and_crlf() {
        let d = parse_str("# escape=`\r\nFROM a\r\nRUN echo `\r\n  hi\r\n").unwrap();
        assert_eq!(d.escape, '`');
        assert_eq!(d.instructions.len(), 2);
    }

    #[test]
    fn spans_point_into_the_text() {
        let f = SourceFile::new("Dockerfile", "\u{feff}FROM python:3.11\nUSER user\n".into());
        let d = parse(&f).unwrap();
        let Args::Text(w) = &d.instructions[1].args else { panic!() };
        assert_eq!(&f.text[w.span.clone()], "user");
    }
}

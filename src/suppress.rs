//! Inline suppressions: `# spacecheck: ignore=DF007,DF011 -- why` on the line before a
//! Dockerfile instruction, or a YAML comment on the line before a frontmatter key. A suppression
//! that suppresses nothing is reported (SC001), like ruff's unused `noqa`, and a `# spacecheck`
//! comment that is not one spacecheck can read is reported (SC003), never silently ignored.
//!
//! hadolint's own comments are honoured for the DL rules spacecheck implements, so a Dockerfile
//! written for hadolint needs no change: `# hadolint ignore=DL3008,DL3009` before an
//! instruction, `# hadolint global ignore=DL3013` anywhere for the whole file. They belong to
//! another tool, so they are never reported as unused or malformed (a code spacecheck does not
//! implement simply matches nothing).

use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::Dockerfile;
use crate::rules::{meta::sc001_unused_suppression, meta::sc003_malformed_suppression, Code, Diagnostic};
use crate::source::SourceFile;

struct Suppression {
    file: String,
    comment_span: std::ops::Range<usize>,
    codes: Vec<String>,
    reason: Option<String>,
    /// Lines (inclusive) the suppression covers.
    covers: (usize, usize),
    used: Vec<bool>,
    /// A `# hadolint` comment: codes match whole, and it is never reported as unused.
    hadolint: bool,
}

/// `# hadolint ignore=DL3008,DL3009` (the next instruction) or `# hadolint global
/// ignore=DL3013` (the whole file), as hadolint reads them: the codes, and whether global.
fn parse_hadolint(line: &str) -> Option<(Vec<String>, bool)> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("hadolint")?.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(after) => (true, after.trim_start()),
        None => (false, rest),
    };
    let list = rest.strip_prefix("ignore")?.trim_start().strip_prefix('=')?;
    // Codes separated by commas; whatever follows the last code (a reason) is not a code.
    let mut codes = Vec::new();
    for part in list.split(',') {
        let mut words = part.split_whitespace();
        let Some(code) = words.next() else { break };
        codes.push(code.to_ascii_uppercase());
        if words.next().is_some() {
            break;
        }
    }
    (!codes.is_empty()).then_some((codes, global))
}

/// What a comment line says to spacecheck.
#[derive(Debug, PartialEq)]
enum Directive {
    /// Not a `# spacecheck` comment.
    None,
    /// `# spacecheck: ignore=CODES[ -- reason]`.
    Ignore { codes: Vec<String>, reason: Option<String> },
    /// A `# spacecheck` comment spacecheck cannot read: why, and the comment as it should be
    /// written when that is clear (every code known).
    Malformed { why: String, canonical: Option<String> },
}

/// `# spacecheck: ignore=A,B -- reason`, as it should be written.
fn canonical(codes: &[String], reason: Option<&str>) -> String {
    let reason = reason.map(|r| format!(" -- {r}")).unwrap_or_default();
    format!("# spacecheck: ignore={}{reason}", codes.join(","))
}

fn parse_comment(line: &str) -> Directive {
    let Some(rest) = line.trim_start().strip_prefix('#').map(str::trim_start) else { return Directive::None };
    if !rest.get(..10).is_some_and(|w| w.eq_ignore_ascii_case("spacecheck")) {
        return Directive::None;
    }
    let after = &rest[10..];
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_') {
        return Directive::None; // `# spacecheck-style …`: another word, not ours
    }
    let (body, reason) = match after.split_once(" -- ") {
        Some((body, reason)) => (body, Some(reason.trim()).filter(|r| !r.is_empty())),
        None => (after, None),
    };
    // The words of the directive, however it was spaced: `: ignore = A, B` → ignore, A, B.
    let words: Vec<String> =
        body.split([':', '=', ',', ' ', '\t']).map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect();
    let codes: Vec<String> = words.iter().skip(1).map(|w| w.to_ascii_uppercase()).collect();
    let fixable = |codes: &[String]| {
        (!codes.is_empty() && codes.iter().all(|c| Code::is_known_prefix(c))).then(|| canonical(codes, reason))
    };
    let strict = body.strip_prefix(':').map(str::trim_start).and_then(|b| b.strip_prefix("ignore="));
    let Some(list) = strict else {
        let why = match words.first().map(|w| w.to_ascii_lowercase()) {
            Some(w) if w == "ignore" => {
                "write it `# spacecheck: ignore=CODES` (a `:` after spacecheck, no space around `=`)".to_string()
            }
            Some(w) => format!("`{w}` is not a spacecheck directive; the one there is is `ignore=`"),
            None => "a `# spacecheck` comment with no directive".to_string(),
        };
        let canonical =
            if words.first().is_some_and(|w| w.eq_ignore_ascii_case("ignore")) { fixable(&codes) } else { None };
        return Directive::Malformed { why, canonical };
    };
    let list = list.trim_end();
    let listed: Vec<String> = list.split(',').map(|c| c.trim().to_ascii_uppercase()).collect();
    if list.is_empty() || listed.iter().all(|c| c.is_empty()) {
        return Directive::Malformed { why: "`ignore=` names no rule code".into(), canonical: None };
    }
    if let Some(spaced) = listed.iter().find(|c| c.contains(char::is_whitespace) || c.is_empty()) {
        let why = format!("codes are separated by commas, not spaces (`{spaced}`); a reason goes after ` -- `");
        return Directive::Malformed { why, canonical: fixable(&codes) };
    }
    if let Some(unknown) = listed.iter().find(|c| !Code::is_known_prefix(c)) {
        let hint = crate::suggest::nearest_code(unknown).map(|k| format!(" (did you mean {k}?)")).unwrap_or_default();
        return Directive::Malformed { why: format!("`{unknown}` is not a rule code{hint}"), canonical: None };
    }
    Directive::Ignore { codes: listed, reason: reason.map(str::to_string) }
}

/// A `# spacecheck` comment that could not be read.
struct Malformed {
    file: String,
    span: std::ops::Range<usize>,
    why: String,
    canonical: Option<String>,
}

fn collect(
    file: &SourceFile,
    in_range: impl Fn(usize) -> bool,
    target_lines: impl Fn(usize) -> (usize, usize),
    malformed: &mut Vec<Malformed>,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    // For each line, the next line at or after it that is neither blank nor a comment (one
    // pass from the end: a run of comment lines is not walked once per comment).
    let count = file.line_count();
    let mut next_code = vec![count + 1; count + 2];
    for line_no in (1..=count).rev() {
        let t = file.text[file.line_span(line_no)].trim();
        next_code[line_no] = if !t.is_empty() && !t.starts_with('#') { line_no } else { next_code[line_no + 1] };
    }
    for line_no in 1..=count {
        if !in_range(line_no) {
            continue;
        }
        let span = file.line_span(line_no);
        // hadolint's comments reach hadolint's codes only (`# hadolint ignore=DF004` is not ours).
        let hadolint = parse_hadolint(&file.text[span.clone()])
            .map(|(codes, global)| (codes.into_iter().filter(|c| c.starts_with("DL")).collect::<Vec<_>>(), global));
        let directive = match &hadolint {
            Some((codes, _)) => Directive::Ignore { codes: codes.clone(), reason: None },
            None => parse_comment(&file.text[span.clone()]),
        };
        let (codes, reason) = match directive {
            Directive::None => continue,
            Directive::Ignore { codes, reason } => (codes, reason),
            Directive::Malformed { why, canonical } => {
                let span = comment_only(file, span);
                malformed.push(Malformed { file: file.path.clone(), span, why, canonical });
                continue;
            }
        };
        // The next line that is neither blank nor a comment is the target.
        let target = next_code[line_no + 1];
        let used = vec![false; codes.len()];
        let covers = match hadolint {
            Some((_, true)) => (1, usize::MAX),
            _ => target_lines(target),
        };
        out.push(Suppression {
            file: file.path.clone(),
            comment_span: span,
            codes,
            reason,
            covers,
            used,
            hadolint: hadolint.is_some(),
        });
    }
    out
}

/// Drops suppressed diagnostics and adds SC001 for suppressions that matched nothing.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    dockerfile: Option<(&SourceFile, Option<&Dockerfile>)>,
    readme: Option<(&SourceFile, Option<std::ops::Range<usize>>)>,
    ran: &dyn Fn(Code) -> bool,
) -> Vec<Diagnostic> {
    let readme_file = readme.as_ref().map(|(f, _)| *f);
    let mut sups = Vec::new();
    let mut malformed = Vec::new();
    if let Some((file, parsed)) = dockerfile {
        sups.extend(collect(
            file,
            |_| true,
            |target| {
                // The whole instruction that starts on the target line (continuation lines
                // included): instructions are in order, so a binary search finds it.
                let found = parsed.and_then(|df| {
                    let at = df.instructions.partition_point(|i| file.line_col(i.span.start).0 < target);
                    df.instructions.get(at).filter(|i| file.line_col(i.span.start).0 == target)
                });
                match found {
                    Some(i) => (target, file.line_col(i.span.end).0),
                    None => (target, target),
                }
            },
            &mut malformed,
        ));
    }
    if let Some((file, Some(yaml))) = &readme {
        let first = file.line_col(yaml.start).0;
        let last = file.line_col(yaml.end).0;
        sups.extend(collect(file, |l| l >= first && l <= last, |t| (t, t), &mut malformed));
    }
    let file_of = |path: &str| [dockerfile.map(|(f, _)| f), readme_file].into_iter().flatten().find(|f| f.path == path);
    let mut diagnostics = diagnostics;
    if ran(Code::SC003) {
        diagnostics.extend(malformed.into_iter().filter_map(|m| Some(malformed_finding(file_of(&m.file)?, m))));
    }
    if sups.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let mut suppressed = false;
        if let (Some(file), Some(pos)) = (&d.file, &d.position) {
            for s in sups.iter_mut().filter(|s| &s.file == file && pos.line >= s.covers.0 && pos.line <= s.covers.1) {
                for (i, code) in s.codes.iter().enumerate() {
                    let matches = if s.hadolint { d.code.as_str() == code } else { d.code.matches_prefix(code) };
                    if matches {
                        s.used[i] = true;
                        suppressed = true;
                    }
                }
            }
        }
        if !suppressed {
            kept.push(d);
        }
    }
    for s in sups {
        let file =
            if Some(&s.file) == dockerfile.map(|(f, _)| &f.path) { dockerfile.map(|(f, _)| f) } else { readme_file };
        if let Some(d) = file.and_then(|file| unused_finding(file, &s, ran)) {
            kept.push(d);
        }
    }
    kept
}

/// SC001 for a suppression with codes that suppressed nothing (of rules that ran).
fn unused_finding(file: &SourceFile, s: &Suppression, ran: &dyn Fn(Code) -> bool) -> Option<Diagnostic> {
    if s.hadolint {
        return None; // hadolint's comment: its other codes are hadolint's business
    }
    // A code whose rules did not run (deselected, turned off) cannot be judged unused.
    let judged = |c: &str| {
        let named: Vec<Code> = Code::ALL.iter().copied().filter(|k| k.matches_prefix(c)).collect();
        named.is_empty() || named.iter().any(|k| ran(*k))
    };
    let unused: Vec<&str> =
        s.codes.iter().zip(&s.used).filter(|(c, u)| !**u && judged(c)).map(|(c, _)| c.as_str()).collect();
    if unused.is_empty() {
        return None;
    }
    let message = format!("`spacecheck: ignore={}` suppresses nothing on line {}", unused.join(","), s.covers.0);
    let mut d = Diagnostic::new(&sc001_unused_suppression::RULE, message)
        .at(file, s.comment_span.clone())
        .help("remove the codes that no longer apply");
    d.fix = Some(remove_unused(file, s, &unused));
    Some(d)
}

/// SC003 for a comment that could not be read, with the rewrite when it is clear.
fn malformed_finding(file: &SourceFile, m: Malformed) -> Diagnostic {
    let d = Diagnostic::new(&sc003_malformed_suppression::RULE, format!("this suppression is not read: {}", m.why))
        .at(file, m.span.clone())
        .help("write `# spacecheck: ignore=CODE[,CODE] -- reason`");
    match m.canonical {
        Some(text) => d.fix(Fix::replace(Applicability::Safe, format!("write `{text}`"), file, m.span, text)),
        None => d,
    }
}

/// SC001's fix: the codes that suppress nothing taken out of the comment, or the whole comment
/// line when none is left. Safe: an unused suppression changes nothing.
fn remove_unused(file: &SourceFile, s: &Suppression, unused: &[&str]) -> Fix {
    let kept: Vec<String> = s.codes.iter().filter(|c| !unused.contains(&c.as_str())).cloned().collect();
    if kept.is_empty() {
        let end = (s.comment_span.end + 1).min(file.text.len());
        let end = if file.text[s.comment_span.end..].starts_with("\r\n") { s.comment_span.end + 2 } else { end };
        return Fix::replace(Applicability::Safe, "remove the unused suppression", file, s.comment_span.start..end, "");
    }
    let text = canonical(&kept, s.reason.as_deref());
    let message = format!("keep only `{}`", kept.join(","));
    Fix::replace(Applicability::Safe, message, file, comment_only(file, s.comment_span.clone()), text)
}

/// A comment line's span without its indentation and line break: what a fix rewrites.
fn comment_only(file: &SourceFile, line: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let text = &file.text[line.clone()];
    line.start + (text.len() - text.trim_start().len())..line.start + text.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(codes: &[&str], reason: Option<&str>) -> Directive {
        Directive::Ignore { codes: codes.iter().map(|c| c.to_string()).collect(), reason: reason.map(String::from) }
    }

    #[test]
    fn directives_read_as_written() {
        assert_eq!(parse_comment("# spacecheck: ignore=DF004"), ignore(&["DF004"], None));
        assert_eq!(
            parse_comment("  #spacecheck: ignore=df004, FM -- base runs as 1000"),
            ignore(&["DF004", "FM"], Some("base runs as 1000"))
        );
        assert_eq!(parse_comment("# a comment"), Directive::None);
        assert_eq!(parse_comment("# spacechecker: hello"), Directive::None);
        assert_eq!(parse_comment("RUN echo # spacecheck: ignore=DF004"), Directive::None);
    }

    #[test]
    fn hadolint_comments_read_as_hadolint_reads_them() {
        assert_eq!(
            parse_hadolint("# hadolint ignore=DL3008,dl3009"),
            Some((vec!["DL3008".into(), "DL3009".into()], false))
        );
        assert_eq!(parse_hadolint("#hadolint global ignore=DL3013"), Some((vec!["DL3013".into()], true)));
        assert_eq!(parse_hadolint("# hadolint ignore=DL3008 some words"), Some((vec!["DL3008".into()], false)));
        assert_eq!(parse_hadolint("# hadolint shell=powershell"), None);
        assert_eq!(parse_hadolint("# spacecheck: ignore=DF004"), None);
        assert_eq!(parse_hadolint("RUN x # hadolint ignore=DL3008"), None);
    }

    #[test]
    fn malformed_directives_are_reported_with_their_form() {
        let malformed = |line: &str| match parse_comment(line) {
            Directive::Malformed { why, canonical } => (why, canonical),
            other => panic!("{line}: {other:?}"),
        };
        let (why, fixed) = malformed("# spacecheck: ignore = DF004 -- base image");
        assert!(why.contains("no space around `=`"), "{why}");
        assert_eq!(fixed.as_deref(), Some("# spacecheck: ignore=DF004 -- base image"));
        assert_eq!(malformed("# spacecheck ignore=DF004").1.as_deref(), Some("# spacecheck: ignore=DF004"));
        assert_eq!(
            malformed("# spacecheck: ignore=DF004 DF007").1.as_deref(),
            Some("# spacecheck: ignore=DF004,DF007")
        );
        let (why, fixed) = malformed("# spacecheck: ignore=DF04");
        assert!(why.contains("did you mean"), "{why}");
        assert_eq!(fixed, None);
        assert!(malformed("# spacecheck: disable=DF004").0.contains("not a spacecheck directive"));
        assert!(malformed("# spacecheck: ignore=").0.contains("names no rule code"));
    }
}

//! Human output: miette's graphical diagnostics with source snippets. Colours and Unicode on a
//! terminal; plain ASCII without colour when not a terminal or when NO_COLOR is set (CI logs,
//! pipes, snapshot tests).

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};

use crate::lint::Report;
use crate::rules::{Diagnostic, Severity};

pub fn render(report: &Report, style: super::Style) -> String {
    let safe = without_controls(report);
    if style.quiet {
        let handler = handler(style.color);
        let mut out = String::new();
        let mut lines = Lines::default();
        for d in &safe.diagnostics {
            render_one(&handler, &safe, d, &mut lines, &mut out);
        }
        return out;
    }
    render_safe(&safe, style)
}

/// The skipped rules: one line per reason ("skipped 10 rules: --offline: …"), or each rule on
/// its own line with `--show-skipped` (and whenever a reason has one rule).
fn skipped_lines(report: &Report, show_all: bool) -> String {
    let mut out = String::new();
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for s in &report.skipped {
        match reasons.iter_mut().find(|(r, _)| *r == s.reason) {
            Some((_, codes)) => codes.push(s.code.to_string()),
            None => reasons.push((&s.reason, vec![s.code.to_string()])),
        }
    }
    for (reason, codes) in reasons {
        if show_all || codes.len() == 1 {
            for code in codes {
                out.push_str(&format!("skipped {code}: {reason}\n"));
            }
        } else {
            out.push_str(&format!("skipped {} rules: {reason} (--show-skipped lists them)\n", codes.len()));
        }
    }
    out
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::none() };
    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false)
}

/// The report with every text that came from a Space or the Hub stripped of terminal control
/// characters: messages, labels, help, file names, reasons and source snippets (whose byte
/// offsets are kept, so spans still point at the same places).
fn without_controls(report: &Report) -> Report {
    use crate::redact::{escape_controls, neutralize_controls};
    let mut safe = report.clone();
    safe.target = escape_controls(&safe.target);
    for d in &mut safe.diagnostics {
        d.message = escape_controls(&d.message);
        d.help = d.help.as_deref().map(escape_controls);
        d.label = d.label.as_deref().map(escape_controls);
        d.file = d.file.as_deref().map(escape_controls);
        // A fix's message may quote the Space (a user name, a suppression's reason).
        if let Some(fix) = &mut d.fix {
            fix.message = escape_controls(&fix.message);
        }
    }
    for s in &mut safe.skipped {
        s.reason = escape_controls(&s.reason);
    }
    safe.sources = safe.sources.iter().map(|(path, text)| (escape_controls(path), neutralize_controls(text))).collect();
    safe
}

fn render_safe(report: &Report, style: super::Style) -> String {
    let handler = handler(style.color);
    let mut out = String::new();
    let mut lines = Lines::default();
    out.push_str(&format!("spacecheck {} (policy: {})\n\n", report.target, report.policy));
    let is_grader = |d: &&Diagnostic| d.code.matches_prefix("GA");
    if report.grader.is_some() {
        // The Space's real needs and the grader's literal checks can disagree: show them apart.
        for (title, grader_side) in [("What the Space needs", false), ("What the grader will say", true)] {
            out.push_str(&format!("== {title} ==\n\n"));
            let mut any = false;
            for d in report.diagnostics.iter().filter(|d| is_grader(d) == grader_side) {
                render_one(&handler, report, d, &mut lines, &mut out);
                any = true;
            }
            if !any {
                out.push_str("  nothing to report\n\n");
            }
        }
    } else {
        for d in &report.diagnostics {
            render_one(&handler, report, d, &mut lines, &mut out);
        }
    }
    out.push_str(&skipped_lines(report, style.show_skipped));
    if !report.skipped.is_empty() {
        out.push('\n');
    }
    let (e, w, i) = (report.count(Severity::Error), report.count(Severity::Warning), report.count(Severity::Info));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    let verdict = match (&report.incomplete, report.failed()) {
        (Some(_), _) => "INCOMPLETE",
        (None, false) => "PASS",
        (None, true) => "FAIL",
    };
    out.push_str(&format!(
        "{verdict}: {}, {}, {} (failing on {}{})\n",
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
        report.fail_on.as_str(),
        if report.fail_on == Severity::Warning { " and above" } else { "" }
    ));
    if let Some(v) = &report.grader {
        out.push_str(&v.line());
        out.push('\n');
    }
    out
}

/// Where each line of each source begins, computed once per render: a report of thousands of
/// findings in one file must not scan the file from its start for each one.
#[derive(Default)]
struct Lines(std::collections::HashMap<String, Vec<usize>>);

impl Lines {
    fn starts(&mut self, name: &str, text: &str) -> &[usize] {
        self.0.entry(name.to_string()).or_insert_with(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect()
        })
    }
}

/// The lines of a source around a span, as miette reads them: miette walks a source from its
/// start to find a span's line, so it is given only these lines, with their true offsets and
/// line numbers.
struct Excerpt {
    name: String,
    text: String,
    /// Byte offset of `text` in the file, and its first line (0-based).
    start: usize,
    first_line: usize,
}

/// Lines of context miette shows around a label, and a margin.
const EXCERPT_LINES: usize = 4;

impl Excerpt {
    fn around(name: &str, text: &str, span: &std::ops::Range<usize>, starts: &[usize]) -> Excerpt {
        let line_of = |offset: usize| starts.partition_point(|s| *s <= offset).saturating_sub(1);
        let first_line = line_of(span.start).saturating_sub(EXCERPT_LINES);
        let last_line = line_of(span.end) + EXCERPT_LINES + 1;
        let start = starts[first_line];
        let end = starts.get(last_line).copied().unwrap_or(text.len());
        Excerpt { name: name.to_string(), text: text[start..end].to_string(), start, first_line }
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let offset = span.offset().checked_sub(self.start).ok_or(miette::MietteError::OutOfBounds)?;
        let local = miette::SourceSpan::new(offset.into(), span.len());
        let inner = self.text.as_bytes().read_span(&local, before, after)?;
        let at = miette::SourceSpan::new((inner.span().offset() + self.start).into(), inner.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            at,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

fn render_one(handler: &GraphicalReportHandler, report: &Report, d: &Diagnostic, lines: &mut Lines, out: &mut String) {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let source = d.file.as_ref().and_then(|f| report.sources.get(f).map(|t| (f, t)));
    let snippet = match (&source, &d.span) {
        (Some((name, text)), Some(span)) if !d.redact => Some((*name, *text, span.clone())),
        _ => None,
    };
    let show_snippet = snippet.is_some();
    let mut message = d.message.clone();
    if !show_snippet {
        if let Some(file) = &d.file {
            match &d.position {
                Some(p) => message.push_str(&format!("\n  at {file}:{}:{}", p.line, p.column)),
                None => message.push_str(&format!("\n  in {file}")),
            }
        }
    }
    let mut diag = MietteDiagnostic::new(message).with_code(format!("{}({})", d.code, d.name)).with_severity(severity);
    let fix = d.fix.as_ref().map(|f| match f.applicability {
        crate::diag::Applicability::Safe => format!("fix: {} (`--fix`)", f.message),
        crate::diag::Applicability::Unsafe => {
            format!("fix: {} (`--fix --unsafe-fixes`: it may change what the Space does)", f.message)
        }
    });
    let help = match (&d.help, fix) {
        (Some(h), Some(f)) => Some(format!("{h}\n{f}")),
        (h, f) => h.clone().or(f),
    };
    if let Some(h) = help {
        diag = diag.with_help(h);
    }
    let rendered = if let Some((name, text, span)) = snippet {
        diag = diag.with_label(LabeledSpan::new(d.label.clone(), span.start, span.end - span.start));
        let excerpt = Excerpt::around(name, text, &span, lines.starts(name, text));
        let report = miette::Report::new(diag).with_source_code(excerpt);
        let mut s = String::new();
        handler.render_report(&mut s, report.as_ref()).map(|_| s)
    } else {
        let mut s = String::new();
        handler.render_report(&mut s, &diag).map(|_| s)
    };
    match rendered {
        Ok(s) => out.push_str(&s),
        Err(_) => out.push_str(&format!(
            "{}: {}[{}] {}\n",
            d.file.as_deref().unwrap_or("-"),
            d.severity.as_str(),
            d.code,
            d.message
        )),
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use crate::diag::{Applicability, Fix};
    use crate::rules::{Code, Diagnostic};
    use crate::source::SourceFile;

    /// Found by the `reports` fuzz target: a fix message with a terminal control character.
    #[test]
    fn fix_messages_reach_the_terminal_without_controls() {
        let file = SourceFile::new("Dockerfile", "FROM x\u{1b}]0;t\u{7}\r\nRUN y\n".to_string());
        let fix = Fix::replace(Applicability::Safe, "lbl\u{7}\u{1b}[2J", &file, 0..4, "help");
        let d = Diagnostic::new(crate::rules::rule(Code::DF004), "msg \u{1b}[2J").at(&file, 0..4).fix(fix);
        let report = crate::lint::Report {
            target: "t".into(),
            policy: "p".into(),
            diagnostics: vec![d],
            skipped: vec![],
            fail_on: crate::rules::Severity::Error,
            sources: [("Dockerfile".to_string(), file.text.clone())].into_iter().collect(),
            grader: None,
            incomplete: None,
            revision: None,
            bom_files: vec![],
            lone_dockerfile: false,
            notes: vec![],
        };
        for color in [false, true] {
            let out = super::render(&report, crate::report::Style { color, ..Default::default() });
            let out = if color { out.replace('\u{1b}', "") } else { out };
            assert!(!out.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{out:?}");
            assert!(out.contains("fix: lbl"), "{out}");
        }
    }
}

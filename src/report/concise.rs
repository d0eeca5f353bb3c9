//! `--format concise`: one line per finding, as ruff's concise output and compilers print
//! them: `path:line:col: CODE name message` (paths from the working folder, as GitHub's).

use crate::lint::Report;

pub fn render(report: &Report) -> String {
    let prefix = report.path_prefix();
    let mut out = String::new();
    for d in &report.diagnostics {
        let place = match (&d.file, &d.position) {
            (Some(file), Some(p)) => format!("{prefix}{file}:{}:{}: ", p.line, p.column),
            (Some(file), None) => format!("{prefix}{file}: "),
            (None, _) => format!("{}: ", report.target),
        };
        // One finding, one line: neither a message nor a file name may span two, or carry a
        // terminal control character.
        let line = format!("{place}{} {} {}", d.code, d.name, d.message).replace(['\n', '\r'], " ");
        out.push_str(&crate::redact::escape_controls(&line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::{Code, Diagnostic};
    use crate::source::SourceFile;

    /// Found by the `reports` fuzz target: a file name with a line break split the line.
    #[test]
    fn one_line_per_finding_whatever_the_names() {
        let file = SourceFile::new("Dock\nerfile\u{1b}[2J", "FROM x\n".to_string());
        let d = Diagnostic::new(crate::rules::rule(Code::DF004), "two\nlines \u{7}").at(&file, 0..4);
        let report = crate::lint::Report {
            target: "t".into(),
            policy: "p".into(),
            diagnostics: vec![d],
            skipped: vec![],
            fail_on: crate::rules::Severity::Error,
            sources: Default::default(),
            grader: None,
            incomplete: None,
            revision: None,
            bom_files: vec![],
            lone_dockerfile: false,
            notes: vec![],
        };
        let out = super::render(&report);
        assert_eq!(out.lines().count(), 1, "{out:?}");
        assert!(!out.trim_end().chars().any(char::is_control), "{out:?}");
    }
}

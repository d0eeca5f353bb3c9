//! `--format concise`: one line per finding, as ruff's concise output and compilers print
//! them: `path:line:col: CODE name message` (paths from the working folder, as GitHub's).

use crate::lint::Report;

/// `path/` for the target's folder (nothing for `.` or a Space on the Hub).
pub fn folder_prefix(report: &Report) -> String {
    let folder = report.folder().trim_end_matches('/');
    if folder.is_empty() || folder == "." || folder.contains("://") {
        String::new()
    } else {
        format!("{}/", folder.trim_start_matches("./"))
    }
}

pub fn render(report: &Report) -> String {
    let prefix = folder_prefix(report);
    let mut out = String::new();
    for d in &report.diagnostics {
        let place = match (&d.file, &d.position) {
            (Some(file), Some(p)) => format!("{prefix}{file}:{}:{}: ", p.line, p.column),
            (Some(file), None) => format!("{prefix}{file}: "),
            (None, _) => format!("{}: ", report.target),
        };
        // One finding, one line: a message never spans two.
        let message = crate::redact::escape_controls(&d.message.replace('\n', " "));
        out.push_str(&format!("{place}{} {} {message}\n", d.code, d.name));
    }
    out
}

//! `--format github`: one workflow command per finding, so findings show as annotations on the
//! pull request. Paths are prefixed with the target folder so they are relative to the
//! repository root, where GitHub looks for them.

use crate::lint::Report;
use crate::rules::Severity;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let prefix = report.path_prefix();
    let mut out = String::new();
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_property(&format!("{prefix}{file}"))));
        }
        if let Some(p) = &d.position {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            if p.end_line != p.line || p.end_column != p.column {
                props.push(format!("endLine={}", p.end_line));
                props.push(format!("endColumn={}", p.end_column));
            }
        }
        props.push(format!("title={}", escape_property(&format!("{} {}", d.code, d.name))));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), escape_data(&message)));
    }
    out
}

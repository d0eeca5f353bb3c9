//! `--format gitlab`: GitLab's Code Quality report (`artifacts: reports: codequality:`), the
//! subset of the Code Climate spec GitLab reads: an array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location` (`path`, `lines.begin`).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::lint::Report;
use crate::rules::Severity;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let prefix = report.path_prefix();
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let path = format!("{prefix}{}", d.file.as_deref().unwrap_or("README.md"));
            let line = d.position.as_ref().map_or(1, |p| p.line);
            // GitLab shows one issue per fingerprint: the place and the message make it unique,
            // and the index separates two identical findings.
            let mut hash = Sha256::new();
            for part in [d.code.as_str(), &path, &line.to_string(), &d.message, &i.to_string()] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            let fingerprint: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
            let mut description = d.message.clone();
            if let Some(h) = &d.help {
                description.push_str(&format!(" (help: {h})"));
            }
            json!({
                "description": description,
                "check_name": format!("spacecheck/{} {}", d.code, d.name),
                "fingerprint": fingerprint,
                "severity": severity(d.severity),
                "location": {"path": path, "lines": {"begin": line}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}

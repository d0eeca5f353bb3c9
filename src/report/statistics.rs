//! `--statistics`: how many findings each rule has, most first (ruff's `--statistics`), as
//! text or JSON.

use serde_json::json;

use crate::lint::Report;
use crate::rules::{Code, Severity};

/// Findings per rule over all the reports: code, name, severity, count; most frequent first,
/// then by code.
fn counts(reports: &[Report]) -> Vec<(Code, &'static str, Severity, usize)> {
    let mut counts: Vec<(Code, &'static str, Severity, usize)> = Vec::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        match counts.iter_mut().find(|c| c.0 == d.code) {
            Some(c) => c.3 += 1,
            None => counts.push((d.code, d.name, d.severity, 1)),
        }
    }
    counts.sort_by(|a, b| b.3.cmp(&a.3).then(a.0.cmp(&b.0)));
    counts
}

/// `  3  DF004  error    run-as-root`, one line per rule; nothing when there is no finding.
pub fn text(reports: &[Report]) -> String {
    let counts = counts(reports);
    let width = counts.iter().map(|c| c.3.to_string().len()).max().unwrap_or(1);
    counts
        .iter()
        .map(|(code, name, severity, n)| {
            format!("{n:>width$}  {:<6} {:<8} {name}\n", code.to_string(), severity.as_str())
        })
        .collect()
}

/// `[{"code": "DF004", "name": "run-as-root", "severity": "error", "count": 3}, …]`.
pub fn json(reports: &[Report]) -> String {
    let items: Vec<_> = counts(reports)
        .iter()
        .map(|(code, name, severity, n)| {
            json!({"code": code.to_string(), "name": name, "severity": severity.as_str(), "count": n})
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
}

//! `--format json`: one object on stdout, shaped as contract.md says.

use serde_json::{json, Value};

use crate::lint::Report;
use crate::rules::Severity;

/// A fix as contract.md shapes it: edits as byte offsets into the file as read (BOM included).
pub fn fix(report: &Report, fix: &crate::diag::Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            let range = report.range_as_read(e);
            json!({"file": e.file, "start": range.start, "end": range.end, "replacement": e.replacement})
        })
        .collect();
    json!({"applicability": fix.applicability.as_str(), "message": fix.message, "edits": edits})
}

pub fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let p = d.position.as_ref();
            json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": d.file,
                "line": p.map(|p| p.line),
                "column": p.map(|p| p.column),
                "end_line": p.map(|p| p.end_line),
                "end_column": p.map(|p| p.end_column),
                "help": d.help,
                "url": crate::rules::doc_url(d.code),
                "fix": d.fix.as_ref().map(|f| fix(report, f)),
            })
        })
        .collect();
    let skipped: Vec<Value> = report.skipped.iter().map(|s| json!({"code": s.code, "reason": s.reason})).collect();
    let mut out = json!({
        "version": 1,
        "target": report.target,
        "policy": report.policy,
        "diagnostics": diagnostics,
        "skipped": skipped,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "infos": report.count(Severity::Info),
            "passed": report.passed(),
        }
    });
    if !report.notes.is_empty() {
        out["notes"] = json!(report.notes);
    }
    if let Some(why) = &report.incomplete {
        // The check could not be completed (exit 2): the findings above are those it made.
        // Never "passed" then: a consumer reading only the JSON must not take it for a pass.
        out["error"] = json!(why);
        out["summary"]["complete"] = json!(false);
        out["summary"]["passed"] = json!(false);
    }
    if let Some(v) = &report.grader {
        use crate::assignment::grader::Verdict;
        out["grader"] = match v {
            Verdict::Pass => json!({"verdict": "PASS", "line": v.line()}),
            Verdict::Fail { check, message } => {
                json!({"verdict": "FAIL", "check": check, "message": message, "line": v.line()})
            }
            Verdict::Incomplete { unknown } => {
                json!({"verdict": "INCOMPLETE", "unknown_checks": unknown, "line": v.line()})
            }
        };
    }
    serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
}

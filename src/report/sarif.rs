//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (validated against the OASIS schema
//! in the tests).

use serde_json::{json, Value};

use crate::lint::Report;
use crate::rules::{self, Severity};

pub const INFORMATION_URI: &str = "https://github.com/spacecheck/spacecheck";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference: every byte outside RFC 3986's unreserved set and `/`
/// percent-encoded (spaces, `#`, `?`, `%`, non-ASCII).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where the results' relative URIs resolve: the Space folder, relative to where spacecheck
/// ran (the repository root in CI), an absolute `file://` folder, or the `hf://` Space.
fn space_root(target: &str) -> Value {
    let description = json!({"text": format!("The linted Space: {target}")});
    let folder = target.trim_end_matches('/');
    let uri = if target.starts_with("hf://") {
        format!("{folder}/")
    } else if folder.starts_with('/') {
        format!("file://{}/", percent_encode(folder))
    } else {
        match folder.trim_start_matches("./") {
            "" | "." => return json!({"description": description}),
            relative => format!("{}/", percent_encode(relative)),
        }
    };
    json!({"uri": uri, "description": description})
}

/// Whether the run could check everything; when the Hub could not be asked, why.
fn invocation(report: &Report) -> Value {
    match &report.incomplete {
        None => json!({"executionSuccessful": true}),
        Some(why) => json!({
            "executionSuccessful": false,
            "toolExecutionNotifications": [{"level": "error", "message": {"text": why}}]
        }),
    }
}

/// A fix as SARIF's `fix`: one artifact change per edit, byte regions of the file as read.
fn sarif_fix(report: &Report, fix: &crate::diag::Fix) -> serde_json::Value {
    let changes: Vec<serde_json::Value> = fix
        .edits
        .iter()
        .map(|e| {
            let range = report.range_as_read(e);
            json!({
                "artifactLocation": {"uri": percent_encode(&e.file), "uriBaseId": "SPACEROOT"},
                "replacements": [{
                    "deletedRegion": {"byteOffset": range.start, "byteLength": range.len()},
                    "insertedContent": {"text": e.replacement}
                }]
            })
        })
        .collect();
    json!({"description": {"text": format!("{} ({})", fix.message, fix.applicability.as_str())}, "artifactChanges": changes})
}

pub fn render(report: &Report) -> String {
    let catalogue = rules::all();
    let driver_rules: Vec<Value> = catalogue
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.doc, "markdown": r.doc},
                "helpUri": rules::doc_url(r.code),
                "defaultConfiguration": {"level": level(r.severity), "enabled": r.enabled == rules::Enabled::ByDefault},
                "properties": {"tags": [if r.is_live() { "live" } else { "static" }]}
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = catalogue.iter().position(|r| r.code == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            // Code scanning wants a location for every result: place-less findings point at
            // the README (or the Dockerfile), line 1.
            let file = d.file.clone().unwrap_or_else(|| if report.sources.contains_key("README.md") { "README.md".into() } else { "Dockerfile".into() });
            let region = match &d.position {
                Some(p) => json!({"startLine": p.line, "startColumn": p.column, "endLine": p.end_line, "endColumn": p.end_column.max(if p.end_line == p.line { p.column } else { 1 })}),
                None => json!({"startLine": 1, "startColumn": 1}),
            };
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": percent_encode(&file), "uriBaseId": "SPACEROOT"},
                    "region": region
                }}]
            });
            if let Some(fix) = &d.fix {
                result["fixes"] = json!([sarif_fix(report, fix)]);
            }
            result
        })
        .collect();
    let out = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "spacecheck",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": driver_rules
            }},
            "originalUriBaseIds": {"SPACEROOT": space_root(report.folder())},
            "invocations": [invocation(report)],
            "results": results
        }]
    });
    serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"
}

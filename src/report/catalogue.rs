//! The rule catalogue as `spacecheck rules` and `spacecheck explain CODE` print it.

use crate::rules::{self, Enabled, Fixable, Rule};

/// One line a rule (`--json`: a JSON array).
pub fn list(json: bool) -> String {
    if json {
        let list: Vec<serde_json::Value> = rules::all()
            .iter()
            .map(|r| {
                serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity.as_str(),
                    "summary": r.summary, "live": r.is_live(),
                    "enabled_by_default": r.enabled == Enabled::ByDefault,
                    "fixable": r.fixable == Fixable::Yes})
            })
            .collect();
        return serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for r in rules::all() {
        let live = if r.is_live() { " (live)" } else { "" };
        let live =
            if r.enabled == Enabled::WhenSelected { format!("{live} (off unless selected)") } else { live.into() };
        let fix = if r.fixable == Fixable::Yes { "fix" } else { "-" };
        out += &format!("{:<7} {:<22} {:<8} {fix:<4} {}{live}\n", r.code, r.name, r.severity.as_str(), r.summary);
    }
    out
}

/// A rule's documentation page.
pub fn explain(rule: &Rule) -> String {
    let mut kind = if rule.is_live() { ", live: needs --space or hf://" } else { "" }.to_string();
    if rule.enabled == Enabled::WhenSelected {
        kind += &format!(", off unless selected: --select {} or `rules: {{{}: warning}}`", rule.code, rule.code);
    }
    let equivalents = match rule.equivalents {
        [] => String::new(),
        list => format!("\n\nEquivalents: {}", list.iter().map(|e| e.describe()).collect::<Vec<_>>().join(" · ")),
    };
    let fixable = match rule.fixable {
        Fixable::Yes => String::new(),
        Fixable::No(why) => format!("\n\nNo automatic fix: {why}."),
    };
    format!(
        "{} {} (default: {}{kind})\n\n{}{equivalents}\n\n{}{fixable}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.doc
    )
}

/// A rule's page in `docs/rules/` (the page [`rules::doc_url`] links to), generated from its
/// metadata: `tests/docs.rs` fails when the committed pages differ.
pub fn page(rule: &Rule) -> String {
    let runs = match (rule.is_live(), rule.enabled) {
        (true, _) => "live: with `--space OWNER/NAME` or `hf://OWNER/NAME`".to_string(),
        (false, Enabled::ByDefault) => "by default".to_string(),
        (false, Enabled::WhenSelected) => format!("only when selected (`--select {}`)", rule.code),
    };
    let fixable = match rule.fixable {
        Fixable::Yes => "yes (see Fix below)".to_string(),
        Fixable::No(why) => format!("no, {why}"),
    };
    let mut facts = vec![
        format!("- Default severity: {}", rule.severity.as_str()),
        format!("- Runs: {runs}"),
        format!("- Fixable: {fixable}"),
    ];
    if !rule.equivalents.is_empty() {
        let list: Vec<String> = rule.equivalents.iter().map(|e| e.describe()).collect();
        facts.push(format!("- Equivalents: {}", list.join(" · ")));
    }
    format!("# {} {}\n\n{}\n\n{}\n\n{}\n", rule.code, rule.name, rule.summary, facts.join("\n"), rule.doc.trim_end())
}

/// The index of `docs/rules/`: one line a rule.
pub fn index() -> String {
    let mut out =
        String::from("# Rules\n\nGenerated from the rule catalogue (`spacecheck rules`); one page a rule.\n\n");
    out += "| code | name | severity | fix | summary |\n|---|---|---|---|---|\n";
    for r in rules::all() {
        let fix = if r.fixable == Fixable::Yes { "yes" } else { "" };
        let summary = r.summary.replace('|', "\\|");
        out += &format!("| [{0}]({0}.md) | {1} | {2} | {fix} | {summary} |\n", r.code, r.name, r.severity.as_str());
    }
    out
}

/// The message for a code that names no rule, with the nearest code.
pub fn unknown_code(code: &str) -> String {
    let hint = crate::suggest::nearest_code(code).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
    format!("unknown rule code `{code}`{hint}; `spacecheck rules` lists them")
}

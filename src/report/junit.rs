//! `--format junit`: JUnit XML for CI systems that show test results (Jenkins, GitLab, Azure).
//! One test suite per target, one test case per finding (eslint's and hadolint's shape), and
//! the rules that could not run as skipped cases with the reason.

use crate::lint::Report;
use crate::rules::Severity;

/// Text for XML (attributes and content): the five entities, control characters dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => {}
            // Not XML characters at all (XML 1.0, `Char`): U+FFFE, U+FFFF. (Surrogates cannot
            // be in a Rust string.) Shown as the replacement character.
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One test case per finding: failing at or above `--fail-on` (the exit code's rule), passing
/// with its message as output below it; a Space without findings is one passing case; each
/// rule that could not run is a skipped case with the reason.
fn suite(report: &Report) -> (String, usize, usize) {
    let prefix = report.path_prefix();
    let classname = xml(&report.target);
    let mut cases = String::new();
    let mut failures = 0;
    for d in &report.diagnostics {
        let place = match (&d.file, &d.position) {
            (Some(f), Some(p)) => format!("{prefix}{f}:{}:{}", p.line, p.column),
            (Some(f), None) => format!("{prefix}{f}"),
            _ => report.target.clone(),
        };
        let name = xml(&format!("{} {} ({place})", d.code, d.name));
        let help = d.help.as_deref().map(|h| format!("\nhelp: {h}")).unwrap_or_default();
        let text = xml(&format!("{place}: {}{help}", d.message));
        if d.severity >= report.fail_on {
            failures += 1;
            let kind = if d.severity == Severity::Error { "error" } else { "warning" };
            cases.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"{classname}\"><failure message=\"{}\" type=\"{kind}\">{text}</failure></testcase>\n",
                xml(&d.message)
            ));
        } else {
            cases.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"{classname}\"><system-out>{text}</system-out></testcase>\n"
            ));
        }
    }
    if report.diagnostics.is_empty() {
        cases.push_str(&format!("    <testcase name=\"spacecheck\" classname=\"{classname}\"/>\n"));
    }
    for s in &report.skipped {
        cases.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{classname}\"><skipped message=\"{}\"/></testcase>\n",
            xml(&s.code.to_string()),
            xml(&s.reason)
        ));
    }
    let tests = report.diagnostics.len().max(1) + report.skipped.len();
    let text = format!(
        "  <testsuite name=\"spacecheck {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\">\n{cases}  </testsuite>\n",
        xml(&report.target),
        report.skipped.len()
    );
    (text, tests, failures)
}

pub fn render(reports: &[Report]) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for report in reports {
        let (text, t, f) = suite(report);
        suites.push_str(&text);
        tests += t;
        failures += f;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"spacecheck\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}

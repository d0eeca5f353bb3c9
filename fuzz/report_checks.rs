// Shared by the `reports` fuzz target and tests/fuzz_regressions.rs (which replays the inputs
// kept in tests/fuzz_regressions/reports/): one input, every format, every promise checked.

use spacecheck::diag::{Code, Diagnostic};
use spacecheck::lint::Report;
use spacecheck::report::{self, Format};
use spacecheck::rules;
use spacecheck::source::SourceFile;

/// Not a real token; the fuzzer's seeds carry it and pieces of it. Written in two pieces so
/// that this file holds no token-shaped text (spacecheck's own RP001 scans the repository).
const SECRET: &str = concat!("hf_", "FuzzSecretValueAbCdEfGhIjKlMnOpQr");

/// Renders a finding built from the input in every format and checks what each promises.
fn check_report_input(data: &[u8]) {
    static REMEMBER: std::sync::Once = std::sync::Once::new();
    REMEMBER.call_once(|| spacecheck::redact::remember_secret(SECRET));
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let mut next = || parts.next().unwrap_or("").to_string();
    let (message, help, label, file, source) = (next(), next(), next(), next(), next());
    let file = if file.is_empty() { "Dockerfile".to_string() } else { file };
    let source_file = SourceFile::new(file.clone(), source.clone());
    let span = source.len() / 3..source.len() / 2;
    // A fix whose message and replacement come from the input too: fixes are rendered as well.
    let fix = spacecheck::diag::Fix::replace(
        spacecheck::diag::Applicability::Safe,
        label.clone(),
        &source_file,
        span.clone(),
        help.clone(),
    );
    let diagnostic =
        Diagnostic::new(rules::rule(Code::DF004), message).help(help).label(label).at(&source_file, span).fix(fix);
    let report = Report {
        target: file.clone(),
        policy: "fuzz".into(),
        diagnostics: vec![diagnostic],
        skipped: vec![],
        fail_on: spacecheck::diag::Severity::Error,
        sources: [(file, source_file.text.clone())].into_iter().collect(),
        grader: None,
        incomplete: None,
        revision: None,
        bom_files: vec![],
        lone_dockerfile: false,
        notes: vec![],
    };
    let formats =
        [Format::Human, Format::Json, Format::Sarif, Format::Github, Format::Concise, Format::Junit, Format::Gitlab];
    for format in formats {
        let out = report::render(&report, format, report::Style::default());
        for piece in SECRET.as_bytes().windows(8) {
            assert!(!out.contains(std::str::from_utf8(piece).unwrap()), "{format:?} shows a piece of the secret");
        }
        match format {
            Format::Human => assert!(
                !out.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
                "a control character reaches the terminal"
            ),
            Format::Github => assert!(out.lines().all(|l| l.starts_with("::")), "a line that is not a command"),
            // One finding, one line, and no terminal control characters.
            Format::Concise => {
                assert_eq!(out.lines().count(), 1, "a finding over two lines");
                assert!(!out.trim_end().chars().any(|c| c.is_control() && c != '\t'), "a control character");
            }
            Format::Junit => assert!(
                !out.chars().any(|c| c.is_control() && !matches!(c, '\n')),
                "XML with a control character is not well-formed"
            ),
            Format::Json | Format::Sarif | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
        }
    }
}

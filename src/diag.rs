//! What a check produces, shared by every layer above parsing: severities, rule codes, findings
//! with their place, rules that could not run, and fixes (ruff's `Fix`/`Edit` shape).
//!
//! A leaf of the module graph: it depends only on [`crate::source`].

use std::ops::Range;

pub use crate::source::Position;
use crate::source::SourceFile;

include!(concat!(env!("OUT_DIR"), "/codes.rs"));

impl Code {
    /// Parses a code, case-insensitively (`df004` → `DF004`).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether this code starts with `prefix` (`DF`, `HUB00`, or a whole code), as
    /// `--select`/`--ignore` and suppressions match.
    pub fn matches_prefix(self, prefix: &str) -> bool {
        self.as_str().starts_with(prefix)
    }

    /// Whether some rule's code starts with `prefix` (`DF`, `HUB00`, `FM005`): the codes
    /// `--select`, policies and suppressions may name.
    pub fn is_known_prefix(prefix: &str) -> bool {
        !prefix.is_empty() && Code::ALL.iter().any(|k| k.matches_prefix(prefix))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Comparing with a name that is no rule code is a typo (a test that says "must not fire"
/// would then pass silently): debug builds, the tests', stop there.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        debug_assert!(Code::ALL.iter().any(|c| c.as_str() == *other), "`{other}` is not a rule code");
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a finding needs to know about the rule that made it.
pub trait RuleMeta {
    fn code(&self) -> Code;
    fn name(&self) -> &'static str;
    fn severity(&self) -> Severity;
}

/// A rule that could not be checked, and why (reported, never counted as passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub code: Code,
    pub reason: String,
}

/// Whether a fix may be applied without the user's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Keeps what the Space means; `--fix` applies it.
    Safe,
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// One replacement in one file: `range` is a byte range of the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: String,
    pub range: Range<usize>,
    pub replacement: String,
}

/// A fix: edits that together remove the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, for summaries ("set app_port to 7860").
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// One edit of `file`'s text.
    pub fn replace(
        applicability: Applicability,
        message: impl Into<String>,
        file: &SourceFile,
        range: Range<usize>,
        replacement: impl Into<String>,
    ) -> Fix {
        let edit = Edit { file: file.path.clone(), range, replacement: replacement.into() };
        Fix { applicability, message: message.into(), edits: vec![edit] }
    }

    /// Several edits of `file`'s text (none overlapping).
    pub fn edits(
        applicability: Applicability,
        message: impl Into<String>,
        file: &SourceFile,
        edits: impl IntoIterator<Item = (Range<usize>, String)>,
    ) -> Fix {
        let edits = edits.into_iter().map(|(range, replacement)| Edit { file: file.path.clone(), range, replacement });
        Fix { applicability, message: message.into(), edits: edits.collect() }
    }
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the Space root; `None` for findings without a place.
    pub file: Option<String>,
    pub span: Option<Range<usize>>,
    pub position: Option<Position>,
    pub help: Option<String>,
    /// Short text under the snippet's caret.
    pub label: Option<String>,
    /// Never show the source line (it holds a secret).
    pub redact: bool,
    pub fix: Option<Fix>,
    /// For the assignment grader's rules (GA): the number of the grader's check it reproduces,
    /// so reports list them in the order the grader runs them.
    pub grader_check: Option<u8>,
}

impl Diagnostic {
    pub fn new(rule: &impl RuleMeta, message: impl Into<String>) -> Self {
        Diagnostic {
            code: rule.code(),
            name: rule.name(),
            severity: rule.severity(),
            message: message.into(),
            file: None,
            span: None,
            position: None,
            help: None,
            label: None,
            redact: false,
            fix: None,
            grader_check: None,
        }
    }

    /// Places the finding on a span of a file (clamped to the text).
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        let len = file.text.len();
        let start = span.start.min(len);
        let span = start..span.end.min(len).max(start);
        self.position = Some(file.position(&span));
        self.file = Some(file.path.clone());
        self.span = Some(span);
        self
    }

    /// Places the finding on a file without a span (a whole-file problem), or a line/column.
    pub fn in_file(mut self, path: &str, line_col: Option<(usize, usize)>) -> Self {
        self.file = Some(path.to_string());
        self.position = line_col.map(|(line, column)| Position { line, column, end_line: line, end_column: column });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn redacted(mut self) -> Self {
        self.redact = true;
        self
    }

    pub fn grader_check(mut self, check: u8) -> Self {
        self.grader_check = Some(check);
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The fix, when there is one.
    pub fn maybe_fix(mut self, fix: Option<Fix>) -> Self {
        if fix.is_some() {
            self.fix = fix;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_match_prefixes() {
        assert_eq!(Code::parse("df004"), Some(Code::DF004));
        assert_eq!(Code::parse("DF999"), None);
        assert!(Code::HUB004.matches_prefix("HUB00"));
        assert!(!Code::DF004.matches_prefix("DF01"));
        assert_eq!(Code::DF004.to_string(), "DF004");
    }

    /// A misspelt code in a test (`d.code == "DF0O4"`) stops the test instead of never matching.
    #[test]
    #[should_panic(expected = "`DF0O4` is not a rule code")]
    fn a_misspelt_code_does_not_pass_silently() {
        let _ = Code::DF004 == "DF0O4";
    }
}

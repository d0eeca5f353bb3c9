//! Rules: one file per rule, each with its documentation beside its code.
//!
//! A rule is a `Rule` value (code, name, default severity, docs) and a `check` function that
//! reads the shared `Context` (parsed files, image model, policy) and pushes `Diagnostic`s.
//! Families: `frontmatter` (FM), `dockerfile` (DF), `repo` (RP), `live` (HUB/APP, probing the
//! Hub; their checks run only with `--space` or `hf://`), and `meta` (SC: spacecheck itself).

pub mod assignment;
pub mod context;
pub mod dockerfile;
pub mod frontmatter;
pub mod live;
pub mod meta;
pub mod repo;

use std::ops::Range;

use crate::source::{Position, SourceFile};
pub use context::Context;

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

pub type CheckFn = fn(&Context, &mut Vec<Diagnostic>);
pub type LiveCheckFn = fn(&LiveContext, &mut LiveOut);

/// What the live rules read: the probe of the Space, the policy, and the local README's
/// frontmatter when there is one (for HUB007).
pub struct LiveContext<'a> {
    pub probe: &'a crate::hub::probe::Probe,
    pub policy: &'a crate::policy::Policy,
    pub local: Option<&'a crate::parse::frontmatter::Frontmatter>,
}

/// A rule that could not be checked, and why (reported, never counted as passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub code: &'static str,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct LiveOut {
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<Skipped>,
}

impl LiveOut {
    pub fn skip(&mut self, rule: &Rule, reason: impl Into<String>) {
        self.skipped.push(Skipped { code: rule.code, reason: reason.into() });
    }
}

/// A rule of the catalogue. Codes and names are stable: users put them in ignore lists.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown: what it checks, why it matters on a Space, a failing example, the fix.
    pub doc: &'static str,
    /// The check over local files; `None` for live rules.
    pub check: Option<CheckFn>,
    /// The check over a probe of the Space on the Hub (`--space`, `hf://`).
    pub live_check: Option<LiveCheckFn>,
    pub live: bool,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
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
}

impl Diagnostic {
    pub fn new(rule: &Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            file: None,
            span: None,
            position: None,
            help: None,
            label: None,
            redact: false,
        }
    }

    /// Places the finding on a span of a file.
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        let span = span.start.min(file.text.len())..span.end.min(file.text.len()).max(span.start.min(file.text.len()));
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
}

/// Every rule, in catalogue order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: &[&Rule] = &[
        &frontmatter::fm001_readme_missing::RULE,
        &frontmatter::fm002_frontmatter_missing::RULE,
        &frontmatter::fm003_frontmatter_invalid::RULE,
        &frontmatter::fm004_sdk_not_docker::RULE,
        &frontmatter::fm005_app_port_mismatch::RULE,
        &frontmatter::fm006_description_missing::RULE,
        &frontmatter::fm007_unknown_key::RULE,
        &frontmatter::fm008_invalid_value::RULE,
        &dockerfile::df001_dockerfile_missing::RULE,
        &dockerfile::df002_dockerfile_invalid::RULE,
        &dockerfile::df003_base_image_mismatch::RULE,
        &dockerfile::df004_runs_as_root::RULE,
        &dockerfile::df005_user_not_uid_1000::RULE,
        &dockerfile::df006_files_not_owned::RULE,
        &dockerfile::df007_port_not_exposed::RULE,
        &dockerfile::df008_server_port_mismatch::RULE,
        &dockerfile::df009_binds_localhost::RULE,
        &dockerfile::df010_secret_in_image::RULE,
        &dockerfile::df011_unpinned_base_image::RULE,
        &repo::rp001_leaked_token::RULE,
        &repo::rp002_copy_source_missing::RULE,
        &repo::rp003_large_file::RULE,
        &repo::rp004_server_not_installed::RULE,
        &live::hub001_space_not_found::RULE,
        &live::hub002_visibility_mismatch::RULE,
        &live::hub003_hardware_mismatch::RULE,
        &live::hub004_secret_missing::RULE,
        &live::hub005_live_sdk_mismatch::RULE,
        &live::hub006_not_running::RULE,
        &live::hub007_local_remote_drift::RULE,
        &live::hub008_name_mismatch::RULE,
        &live::app001_app_unreachable::RULE,
        &assignment::ga001_title_not_space_name::RULE,
        &assignment::ga002_user_line_missing::RULE,
        &assignment::ga003_expose_line_missing::RULE,
        &assignment::ga004_app_port_env_missing::RULE,
        &assignment::ga005_requirements_incomplete::RULE,
        &assignment::ga006_readme_text_missing::RULE,
        &assignment::ga007_hardware_not_current::RULE,
        &assignment::ga008_submission_url::RULE,
        &meta::sc001_unused_suppression::RULE,
        &meta::sc002_walk_truncated::RULE,
    ];
    ALL
}

pub fn find(code: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Runs every live rule over a probe, in catalogue order.
pub fn run_live(ctx: &LiveContext) -> LiveOut {
    let mut out = LiveOut::default();
    for rule in all() {
        if let Some(check) = rule.live_check {
            check(ctx, &mut out);
        }
    }
    out
}

/// Runs every static rule over the context, in catalogue order.
pub fn run_static(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in all() {
        if let Some(check) = rule.check {
            check(ctx, &mut out);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for rule tests: lint a Space made of the given files.
    use super::*;
    use crate::policy::Policy;

    pub fn lint_with(files: &[(&str, &str)], policy: &Policy) -> Vec<Diagnostic> {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, content) in files {
            let p = dir.path().join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, content).expect("write");
        }
        let space = crate::space::Space::load(dir.path()).expect("space");
        let ctx = Context::new(&space, policy);
        run_static(&ctx)
    }

    /// A compliant README for port 7860, to pair with Dockerfiles under test.
    pub const README: &str = "---\ntitle: Demo\nsdk: docker\napp_port: 7860\n---\n";

    pub fn lint(files: &[(&str, &str)]) -> Vec<Diagnostic> {
        lint_with(files, &Policy::baseline())
    }

    /// Lints a Dockerfile beside the compliant README and returns the findings of one rule.
    pub fn codes_for(dockerfile: &str, code: &str) -> Vec<Diagnostic> {
        lint(&[("README.md", README), ("Dockerfile", dockerfile)]).into_iter().filter(|d| d.code == code).collect()
    }

    pub fn fires(files: &[(&str, &str)], code: &str) -> bool {
        lint(files).iter().any(|d| d.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        let mut codes: Vec<&str> = all().iter().map(|r| r.code).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        for r in all() {
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{} name",
                r.code
            );
            for section in ["## What", "## Why", "## Example", "## Fix"] {
                assert!(r.doc.contains(section), "{} doc lacks {section}", r.code);
            }
            if r.live {
                assert!(r.check.is_none() && r.live_check.is_some(), "{}: live rules run over a probe", r.code);
            } else {
                assert!(r.live_check.is_none(), "{}", r.code);
            }
        }
    }
}

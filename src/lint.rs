//! The lint pipeline for one Space: load → parse/model (Context) → rules → policy severities,
//! --select/--ignore, inline suppressions → a `Report`.

use std::collections::HashMap;

use crate::policy::{Policy, RuleSetting};
use crate::redact;
use crate::rules::dockerfile::df010_secret_in_image::secret_name;
use crate::rules::{self, Context, Diagnostic, LiveOut, Severity};
use crate::space::Space;
use crate::suppress;

#[derive(Debug, Clone)]
pub struct Options {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Severity,
    /// Live checks were requested to be skipped (`--offline`).
    pub offline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { select: vec![], ignore: vec![], fail_on: Severity::Error, offline: false }
    }
}

pub use crate::rules::Skipped;

#[derive(Debug, Clone)]
pub struct Report {
    pub target: String,
    pub policy: String,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<Skipped>,
    pub fail_on: Severity,
    /// File texts by path, for source snippets.
    pub sources: HashMap<String, String>,
    /// Assignment mode: the replayed grader's verdict.
    pub grader: Option<crate::assignment::grader::Verdict>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    /// False exactly when the exit code is 1.
    pub fn passed(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.severity >= self.fail_on)
    }
}

fn matches_any(code: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| code.starts_with(p.as_str()))
}

/// Lints a local Space (static rules only).
pub fn lint(space: &Space, policy: &Policy, options: &Options) -> Report {
    lint_with_live(Some(space), &space.display, policy, options, LiveOut::default())
}

/// Lints a Space's files (when there are any: a Space the Hub does not show has none) and adds
/// the findings of the live rules.
pub fn lint_with_live(
    space: Option<&Space>,
    target: &str,
    policy: &Policy,
    options: &Options,
    live: LiveOut,
) -> Report {
    let mut diagnostics = Vec::new();
    let mut sources = HashMap::new();
    if let Some(space) = space {
        let ctx = Context::new(space, policy);
        diagnostics = suppress::apply(
            rules::run_static(&ctx),
            ctx.dockerfile_file().map(|f| (f, ctx.parsed_dockerfile())),
            ctx.readme().map(|f| (f, ctx.frontmatter().map(|fm| fm.yaml.clone()))),
        );
        sources = redacted_sources(&ctx);
    }
    diagnostics.extend(live.diagnostics);
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter_map(|mut d| {
            match policy.setting(d.code) {
                Some(RuleSetting::Off) => return None,
                Some(RuleSetting::Severity(s)) => d.severity = s,
                None => {}
            }
            let selected = options.select.is_empty() || matches_any(d.code, &options.select);
            (selected && !matches_any(d.code, &options.ignore)).then_some(d)
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.file.clone(), d.position.as_ref().map(|p| (p.line, p.column)), d.code);
        key(a).cmp(&key(b))
    });
    let wanted = |code: &str| {
        (options.select.is_empty() || matches_any(code, &options.select))
            && !matches_any(code, &options.ignore)
            && policy.setting(code) != Some(RuleSetting::Off)
    };
    let mut skipped: Vec<Skipped> = live.skipped.into_iter().filter(|s| wanted(s.code)).collect();
    if options.offline {
        skipped.extend(
            rules::all()
                .iter()
                .filter(|r| r.live && wanted(r.code))
                .map(|r| Skipped { code: r.code, reason: "--offline: the Hub was not contacted".into() }),
        );
    }
    Report {
        target: target.to_string(),
        policy: policy.source.clone(),
        diagnostics,
        skipped,
        fail_on: options.fail_on,
        sources,
        grader: None,
    }
}

/// Snippet sources with secrets blanked: a context line shown for another finding must not
/// reveal a token or a secret-named ARG/ENV value.
fn redacted_sources(ctx: &Context) -> HashMap<String, String> {
    let mut sources = HashMap::new();
    for f in [ctx.readme(), ctx.dockerfile_file()].into_iter().flatten() {
        let mut ranges = redact::credential_ranges(&f.text);
        if Some(f) == ctx.dockerfile_file() {
            if let Some(m) = &ctx.model {
                ranges.extend(
                    m.var_defs
                        .iter()
                        .filter(|d| secret_name(&d.name))
                        .filter_map(|d| d.value.as_ref().map(|v| v.span.clone())),
                );
            }
        }
        sources.insert(f.path.clone(), redact::blank(&f.text, &ranges));
    }
    sources
}

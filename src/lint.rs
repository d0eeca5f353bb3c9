//! The lint pipeline for one Space: load → parse/model (Context) → rules → policy severities,
//! --select/--ignore, inline suppressions → a `Report`.

use std::collections::HashMap;

use crate::policy::{Policy, RuleSetting};
use crate::rules::{self, Context, Diagnostic, Severity};
use crate::space::Space;
use crate::redact;
use crate::rules::dockerfile::df010_secret_in_image::secret_name;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub code: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub target: String,
    pub policy: String,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<Skipped>,
    pub fail_on: Severity,
    /// File texts by path, for source snippets.
    pub sources: HashMap<String, String>,
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

pub fn lint(space: &Space, policy: &Policy, options: &Options) -> Report {
    let ctx = Context::new(space, policy);
    let diagnostics = rules::run_static(&ctx);
    let diagnostics = suppress::apply(
        diagnostics,
        ctx.dockerfile_file().map(|f| (f, ctx.parsed_dockerfile())),
        ctx.readme().map(|f| (f, ctx.frontmatter().map(|fm| fm.yaml.clone()))),
    );
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
    let skipped = if options.offline {
        rules::all()
            .iter()
            .filter(|r| r.live)
            .filter(|r| (options.select.is_empty() || matches_any(r.code, &options.select)) && !matches_any(r.code, &options.ignore))
            .map(|r| Skipped { code: r.code, reason: "--offline: the Hub was not contacted".into() })
            .collect()
    } else {
        vec![]
    };
    // Snippet sources with secrets blanked: a context line shown for another finding must not
    // reveal a token or a secret-named ARG/ENV value.
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
    Report { target: space.display.clone(), policy: policy.source.clone(), diagnostics, skipped, fail_on: options.fail_on, sources }
}

//! The lint pipeline for one Space: load → parse/model (Context) → rules → policy severities,
//! --select/--ignore, inline suppressions → a `Report`.

use std::collections::HashMap;

use crate::assignment::{self, grader};
use crate::hub::probe::Probe;
use crate::parse::frontmatter::Value;
use crate::policy::{Policy, RuleSetting};
use crate::redact;
use crate::rules::{self, Code, Context, Diagnostic, Enabled, LiveContext, Severity};
use crate::secrets::secret_name;
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
    /// Why the check is incomplete (the Hub could not be asked): the findings shown are those
    /// that could be made, and the run exits 2.
    pub incomplete: Option<String>,
    /// The commit of the Space the Hub answered about (live checks), for batch reports.
    pub revision: Option<String>,
    /// Files that begin with a BOM: fix offsets reported for the file as read count its 3 bytes.
    pub bom_files: Vec<String>,
    /// The target is a lone Dockerfile: its findings name the file, relative to its folder.
    pub lone_dockerfile: bool,
    /// Budgets that ran out ([`crate::budget`]): what was left unknown.
    pub notes: Vec<String>,
}

impl Report {
    /// The folder the findings' file paths are relative to: the target, or a lone
    /// Dockerfile's folder.
    pub fn folder(&self) -> &str {
        if !self.lone_dockerfile {
            return &self.target;
        }
        match self.target.rfind('/') {
            Some(0) => "/",
            Some(i) => &self.target[..i],
            None => ".",
        }
    }

    /// `folder/` to put before a finding's file for a path from the working folder (nothing
    /// for `.` or a Space on the Hub): what annotations and line formats print.
    pub fn path_prefix(&self) -> String {
        let folder = self.folder().trim_end_matches('/');
        if folder.is_empty() || folder == "." || folder.contains("://") {
            String::new()
        } else {
            format!("{}/", folder.trim_start_matches("./"))
        }
    }

    /// An edit's byte range in the file as read (a BOM's 3 bytes counted), as reports give it.
    pub fn range_as_read(&self, edit: &crate::diag::Edit) -> std::ops::Range<usize> {
        let shift = if self.bom_files.contains(&edit.file) { 3 } else { 0 };
        edit.range.start + shift..edit.range.end + shift
    }
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    /// 2 when the check could not be completed, 1 with a finding at or above the fail-on
    /// level, else 0 (contract.md, "Exit codes").
    pub fn exit_code(&self) -> i32 {
        match (&self.incomplete, self.failed()) {
            (Some(_), _) => 2,
            (None, false) => 0,
            (None, true) => 1,
        }
    }

    /// No finding at or above the fail-on level, and the check complete: a check the Hub
    /// could not answer (exit 2) has not passed, in any format.
    pub fn passed(&self) -> bool {
        self.incomplete.is_none() && !self.failed()
    }

    /// A finding at or above the fail-on level.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= self.fail_on)
    }
}

impl Options {
    /// `--select`/`--ignore` values, upper-cased; each must be the prefix of some rule code.
    /// The codes of `--select`/`--ignore` (`flag`): upper-cased prefixes of rule codes. An
    /// option given with no code at all (`--select ""`) is refused rather than read as "all".
    pub fn codes(values: &[String], flag: &str) -> Result<Vec<String>, String> {
        let codes: Vec<String> =
            values.iter().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect();
        if codes.is_empty() && !values.is_empty() {
            return Err(format!("{flag} was given no code (e.g. {flag} DF,HUB004); `spacecheck rules` lists them"));
        }
        match codes.iter().find(|c| !Code::is_known_prefix(c)) {
            Some(c) => {
                let hint = crate::suggest::nearest_code(c).map(|k| format!(" (did you mean {k}?)")).unwrap_or_default();
                Err(format!("`{c}` in {flag} matches no rule code{hint}; `spacecheck rules` lists them"))
            }
            None => Ok(codes),
        }
    }

    /// Whether a rule runs and reports: selected (or nothing selected), not ignored, and not
    /// turned off by the policy. A rule that is not wanted is never run.
    pub fn wants(&self, code: Code, policy: &Policy) -> bool {
        let named = self.select.iter().any(|p| code.matches_prefix(p));
        let selected = match rules::rule(code).enabled {
            Enabled::ByDefault => self.select.is_empty() || named,
            Enabled::WhenSelected => named || matches!(policy.setting(code), Some(RuleSetting::Severity(_))),
        };
        selected && self.allows(code, policy)
    }

    /// Whether neither `--ignore` nor the policy turns the rule off.
    pub fn allows(&self, code: Code, policy: &Policy) -> bool {
        !self.ignore.iter().any(|p| code.matches_prefix(p)) && policy.setting(code) != Some(RuleSetting::Off)
    }
}

/// What one lint reads besides the policy: the Space's files (none for a Space the Hub does not
/// show), a probe of the live Space, and, in assignment mode with `--space`, the files the
/// grader reads from the Hub.
#[derive(Default)]
pub struct Input<'a> {
    pub space: Option<&'a Space>,
    /// Why the live rules could not run (the Hub did not answer): they are reported as
    /// skipped with this reason, and the report is incomplete.
    pub live_failure: Option<String>,
    /// How reports name the target.
    pub target: String,
    pub live: Option<Live<'a>>,
    pub grader_files: Option<GraderFiles>,
    /// A lone Dockerfile: no README and no build context, so the rules that read them do not
    /// run (they are reported as skipped).
    pub lone_dockerfile: bool,
}

/// The files fixes edit that begin with a BOM: fix offsets count it. The README and the
/// Dockerfile are read already; another file a fix edits (`requirements.txt`) is looked at.
fn files_with_bom(ctx: &Context, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut files: Vec<String> =
        [ctx.readme(), ctx.dockerfile_file()].into_iter().flatten().filter(|f| f.bom).map(|f| f.path.clone()).collect();
    let edited = diagnostics.iter().filter_map(|d| d.fix.as_ref()).flat_map(|f| &f.edits).map(|e| &e.file);
    for path in edited {
        let known = files.contains(path) || path == "README.md" || path == "Dockerfile";
        if !known && ctx.space.read_bytes(path).is_some_and(|b| b.starts_with("\u{feff}".as_bytes())) {
            files.push(path.clone());
        }
    }
    files
}

/// The rules a lone Dockerfile cannot feed: the README's (FM, and the grader's GA), the build
/// context's (RP) and the walk's (SC002).
fn needs_the_space(code: Code) -> bool {
    // DF004 and DF006 judge what the app's code writes: without the build context there is none.
    ["FM", "RP", "GA", "SC002", "DF004", "DF006"].iter().any(|p| code.matches_prefix(p))
}

pub struct Live<'a> {
    pub probe: &'a Probe,
    /// The Space's README is a local copy to compare with the Hub's (HUB007); false for
    /// `hf://`, where the files are the Hub's own.
    pub compare_readme: bool,
}

/// The files as the grader reads them from the Hub: `None` for a file it does not have.
#[derive(Debug, Clone, Default)]
pub struct GraderFiles {
    pub dockerfile: Option<String>,
    pub requirements: Option<String>,
    pub readme: Option<String>,
}

/// Lints a local Space (static rules only).
pub fn lint(space: &Space, policy: &Policy, options: &Options) -> Report {
    run(&Input { space: Some(space), target: space.display.clone(), ..Input::default() }, policy, options)
}

/// Which rules run and report: the selection (`Options::wants`), BuildKit's experimental checks
/// the Dockerfile's `# check=experimental=` asks for (as BuildKit would run them), and not the
/// rules a lone Dockerfile cannot feed.
fn wanted_rules<'a>(input: &'a Input, policy: &'a Policy, options: &'a Options) -> impl Fn(Code) -> bool + 'a {
    let dockerfile = input.space.and_then(|s| s.dockerfile.text());
    let by_directive = move |code: Code| {
        let rule = rules::rule(code);
        rule.enabled == Enabled::WhenSelected
            && code.matches_prefix("BK")
            && dockerfile.is_some_and(|f| rules::buildkit::enabled_by_directive(f, rule))
            && options.allows(code, policy)
    };
    move |code: Code| {
        (options.wants(code, policy) || by_directive(code)) && !(input.lone_dockerfile && needs_the_space(code))
    }
}

/// What the live rules need from the local Dockerfile (see [`crate::rules::LocalFacts`]).
fn local_facts(ctx: &Context) -> crate::rules::LocalFacts {
    let (Some(model), Some(file)) = (ctx.model.as_ref(), ctx.dockerfile_file()) else { return Default::default() };
    let line = |span: &std::ops::Range<usize>| file.line_col(span.start).0;
    crate::rules::LocalFacts {
        secret_mounts: model.secret_mounts(),
        data_writes: model.data_writes().into_iter().map(|(span, path)| (line(&span), path)).collect(),
        data_uses: model
            .data_uses()
            .into_iter()
            .map(|(span, variable, path)| {
                let access = model.writable_at_run_time(&path);
                crate::rules::DataUse { line: line(&span), variable, path, access }
            })
            .collect(),
    }
}

/// The pipeline: context (parse + model) → the wanted rules, static and live → suppressions
/// → policy severities → sorted findings, skipped rules and, in assignment mode, the grader's
/// verdict.
pub fn run(input: &Input, policy: &Policy, options: &Options) -> Report {
    let wanted = wanted_rules(input, policy, options);
    // Budgets spent by an earlier lint on this thread are not this one's.
    let _ = crate::budget::take_notes();
    let ctx = input.space.map(|space| Context::new(space, policy));
    let mut diagnostics = Vec::new();
    let mut sources = HashMap::new();
    if let Some(ctx) = &ctx {
        diagnostics = suppress::apply(
            rules::run_static(ctx, &wanted),
            ctx.dockerfile_file().map(|f| (f, ctx.parsed_dockerfile())),
            ctx.readme().map(|f| (f, ctx.frontmatter().map(|fm| fm.yaml.clone()))),
            &wanted,
        );
        sources = redacted_sources(ctx);
    }
    let mut skipped = Vec::new();
    if let Some(live) = &input.live {
        let local = if live.compare_readme { ctx.as_ref().and_then(|c| c.frontmatter()) } else { None };
        let facts = ctx.as_ref().map(local_facts).unwrap_or_default();
        let live_ctx = LiveContext { probe: live.probe, policy, local, facts: &facts };
        let out = rules::run_live(&live_ctx, &wanted);
        diagnostics.extend(out.diagnostics);
        skipped = out.skipped;
    }
    if let Some(ctx) = &ctx {
        skipped.extend(ctx.skipped());
    }
    // Pipeline findings (SC001) pass the same selection as the rules.
    diagnostics.retain(|d| wanted(d.code));
    for d in &mut diagnostics {
        if let Some(RuleSetting::Severity(s)) = policy.setting(d.code) {
            d.severity = s;
        }
    }
    // The grader's findings come last, in the order the grader runs its checks (it stops at
    // the first that fails); the others by place.
    diagnostics.sort_by(|a, b| {
        // Within a check, by code: GA002-GA004 are check 9's literals in the grader's order.
        let key = |d: &Diagnostic| {
            let grader = d.grader_check.map(|check| (check, d.code));
            (grader, d.file.clone(), d.position.as_ref().map(|p| (p.line, p.column)), d.code)
        };
        key(a).cmp(&key(b))
    });
    limit_findings(&mut diagnostics);
    skipped.retain(|s| wanted(s.code));
    if input.lone_dockerfile {
        let reason = "a lone Dockerfile: no README.md or build context to check";
        let rules =
            rules::all().iter().filter(|r| !r.is_live() && needs_the_space(r.code) && options.wants(r.code, policy));
        skipped.extend(rules.map(|r| Skipped { code: r.code, reason: reason.into() }));
    }
    let not_asked = match (&input.live_failure, options.offline) {
        (Some(why), _) => Some(format!("the Hub could not be asked: {why}")),
        (None, true) => Some("--offline: the Hub was not contacted".to_string()),
        (None, false) => None,
    };
    if let Some(reason) = not_asked {
        let live_rules = rules::all().iter().filter(|r| r.is_live() && wanted(r.code));
        skipped.extend(live_rules.map(|r| Skipped { code: r.code, reason: reason.clone() }));
    }
    let grader =
        policy.assignment.as_ref().map(|values| grader::replay(&grader_inputs(input, ctx.as_ref(), policy), values));
    let bom_files = ctx.as_ref().map(|c| files_with_bom(c, &diagnostics)).unwrap_or_default();
    Report {
        target: input.target.clone(),
        policy: policy.source.clone(),
        diagnostics,
        skipped,
        fail_on: options.fail_on,
        sources,
        grader,
        incomplete: input.live_failure.clone().or_else(|| unreadable_folders(input.space?)),
        revision: input.live.as_ref().and_then(|l| l.probe.info()).and_then(|i| i.sha.clone()),
        lone_dockerfile: input.lone_dockerfile,
        bom_files,
        notes: budget_notes(input),
    }
}

/// The budgets that ran out while this target was read and linted.
fn budget_notes(input: &Input) -> Vec<String> {
    if input.space.is_some_and(|s| s.listing_cut) {
        crate::budget::exhausted(crate::budget::Family::Listing);
    }
    crate::budget::take_notes()
}

/// Why the check is incomplete when folders of the Space could not be read: their files (a
/// token among them) were not checked, so the run cannot pass.
fn unreadable_folders(space: &Space) -> Option<String> {
    let first = space.unreadable.first()?;
    let more = match space.unreadable.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!("cannot read `{first}`{more} in the Space: the files there are not checked"))
}

/// Past [`crate::budget::MAX_FINDINGS`], the most severe findings are kept, in their order: the
/// verdict (a finding at or above the fail-on level) is the same.
fn limit_findings(diagnostics: &mut Vec<Diagnostic>) {
    let max = crate::budget::MAX_FINDINGS;
    if diagnostics.len() <= max {
        return;
    }
    crate::budget::exhausted(crate::budget::Family::Findings);
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(diagnostics[*i].severity));
    let mut keep = vec![false; diagnostics.len()];
    for i in order.into_iter().take(max) {
        keep[i] = true;
    }
    let mut at = 0;
    diagnostics.retain(|_| {
        at += 1;
        keep[at - 1]
    });
}

/// What the replayed grader reads: the Hub's answer when there is a probe, and the files from
/// the Hub (`--space`) or from the Space; without the Hub, the Space's frontmatter stands in
/// for the cardData the Hub will parse from it (checks 6 and 7).
fn grader_inputs(input: &Input, ctx: Option<&Context>, policy: &Policy) -> grader::Inputs {
    let info = input.live.as_ref().map(|l| assignment::info_seen(l.probe));
    let submission = policy.submission.clone();
    if let Some(files) = &input.grader_files {
        return grader::Inputs {
            submission,
            info,
            dockerfile: Some(files.dockerfile.clone()),
            requirements: Some(files.requirements.clone()),
            readme: Some(files.readme.clone()),
            local_card: None,
        };
    }
    let Some(ctx) = ctx else { return grader::Inputs { submission, info, ..Default::default() } };
    let text = |p: &str| ctx.space.read_bytes(p).map(|b| crate::source::decode_bom_aware(&b));
    let local_card = ctx.frontmatter().map(|fm| {
        let port = fm.value("app_port").map(|n| match &n.value {
            Value::Int(i) => serde_json::json!(i),
            other => serde_json::json!(other.to_text()),
        });
        (port, fm.value("title").and_then(|t| t.value.as_str()).map(str::to_string))
    });
    grader::Inputs {
        submission,
        info,
        dockerfile: Some(text("Dockerfile")),
        requirements: Some(text("requirements.txt")),
        readme: Some(text("README.md")),
        local_card,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn space(files: &[(&str, &str)]) -> (tempfile::TempDir, Space) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, content) in files {
            std::fs::write(dir.path().join(path), content).expect("write");
        }
        let space = Space::load(dir.path()).expect("space");
        (dir, space)
    }

    const README: &str = "---\nsdk: docker\napp_port: 7860\n---\n";

    #[test]
    fn deselected_rules_do_not_report_and_their_suppressions_are_not_unused() {
        let dockerfile =
            "# spacecheck: ignore=DF011\nFROM python\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let app = "import os\nos.makedirs('data', exist_ok=True)\n";
        let (_dir, space) = space(&[("README.md", README), ("Dockerfile", dockerfile), ("app.py", app)]);
        let policy = Policy::baseline();
        let all = lint(&space, &policy, &Options::default());
        assert!(all.diagnostics.iter().any(|d| d.code == Code::DF004), "{:?}", all.diagnostics);
        assert!(!all.diagnostics.iter().any(|d| d.code == Code::SC001), "the suppression is used");
        let options = Options { ignore: vec!["DF".into()], ..Options::default() };
        let report = lint(&space, &policy, &options);
        assert!(report.diagnostics.iter().all(|d| !d.code.matches_prefix("DF")), "{:?}", report.diagnostics);
        assert!(!report.diagnostics.iter().any(|d| d.code == Code::SC001), "DF011 did not run: not unused");
    }

    #[test]
    fn policy_off_means_not_run() {
        let policy = crate::policy::parse("rules:\n  DF004: off\n", "test").expect("policy");
        let options = Options::default();
        assert!(!options.wants(Code::DF004, &policy));
        assert!(options.wants(Code::DF005, &policy));
        let only_fm = Options { select: vec!["FM".into()], ..Options::default() };
        assert!(only_fm.wants(Code::FM001, &policy) && !only_fm.wants(Code::RP001, &policy));
    }
}

//! Rules: one file per rule, each with its documentation beside its code.
//!
//! A rule is a `Rule` value (code, name, default severity, docs) and a `check` function that
//! reads the shared `Context` (parsed files, image model, policy) and pushes `Diagnostic`s.
//! Families: `frontmatter` (FM), `dockerfile` (DF), `repo` (RP), `live` (HUB/APP, probing the
//! Hub; their checks run only with `--space` or `hf://`), and `meta` (SC: spacecheck itself).

pub mod assignment;
pub mod buildkit;
pub mod context;
pub mod dockerfile;
pub mod edits;
pub mod frontmatter;
pub mod hadolint;
pub mod live;
pub mod meta;
pub mod repo;
pub mod start_form;
pub mod steps;

pub use crate::diag::{Code, Diagnostic, RuleMeta, Severity, Skipped};
pub use context::Context;

pub type CheckFn = fn(&Context, &mut Vec<Diagnostic>);
pub type LiveCheckFn = fn(&LiveContext, &mut LiveOut);

/// How a rule gets its findings.
#[derive(Clone, Copy)]
pub enum Check {
    /// Over the local files and the image model.
    Local(CheckFn),
    /// Over a probe of the Space on the Hub (`--space`, `hf://`).
    Live(LiveCheckFn),
    /// Emitted by the pipeline itself (suppressions, the file walk), not by a check function.
    Pipeline,
}

/// What the live rules read: the probe of the Space, the policy, and the local README's
/// frontmatter when there is one (for HUB007).
pub struct LiveContext<'a> {
    pub probe: &'a crate::hub::probe::Probe,
    pub policy: &'a crate::policy::Policy,
    pub local: Option<&'a crate::parse::frontmatter::Frontmatter>,
    /// What the local Dockerfile tells of the image, for comparing with the Space on the Hub.
    pub facts: &'a LocalFacts,
}

/// Facts of the local Dockerfile's image that live rules compare with the Hub's Space.
#[derive(Debug, Default)]
pub struct LocalFacts {
    /// The build secrets it mounts (`RUN --mount=type=secret,id=X`): the Hub fills them from the
    /// Space's secrets, so each must exist there (HUB004).
    pub secret_mounts: Vec<crate::model::SecretMount>,
    /// Where its build puts files under `/data`: (line, path) (HUB009).
    pub data_writes: Vec<(usize, String)>,
    /// Where it tells the app to use `/data` (HUB010).
    pub data_uses: Vec<DataUse>,
}

/// An ENV that points the app at `/data`, and whether UID 1000 may write there when no
/// persistent storage is mounted.
#[derive(Debug)]
pub struct DataUse {
    pub line: usize,
    pub variable: String,
    pub path: String,
    pub access: crate::model::Access,
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
/// Declared as `pub static RULE` in a file `src/rules/<family>/<code>_<name>.rs`; build.rs
/// registers every such file, so a rule cannot be left out of the catalogue.
pub struct Rule {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown: what it checks, why it matters on a Space, a failing example, the fix.
    pub doc: &'static str,
    pub check: Check,
    pub enabled: Enabled,
    /// The same check in other tools, named in `explain`.
    pub equivalents: &'static [Equivalent],
    /// Whether its findings carry fixes, or why no edit fixes them (`rules`, `explain`).
    pub fixable: Fixable,
}

/// The page that documents a rule (`docs/rules/DF004.md` in the repository): in JSON, SARIF's
/// `helpUri` and the language server's `codeDescription`.
pub fn doc_url(code: Code) -> String {
    format!("{}/blob/main/docs/rules/{}.md", env!("CARGO_PKG_REPOSITORY"), code.as_str())
}

/// Whether a rule's findings carry fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixable {
    /// Findings carry a fix where it has one right answer (its doc's Fix section says when, and
    /// whether it is safe or needs `--unsafe-fixes`).
    Yes,
    /// No edit of the Space's files fixes it: why.
    No(&'static str),
}

/// Whether a rule runs when nothing names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enabled {
    /// Runs unless deselected (`--ignore`, the policy).
    ByDefault,
    /// Pure hygiene (hadolint's bloat and style rules): runs only when `--select` (or the
    /// policy's `select`) names it or a prefix of it, or the policy's `rules:` gives it a
    /// severity.
    WhenSelected,
}

/// A check of another tool that finds the same problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Equivalent {
    /// A BuildKit build check (`docker build --check`), by its name (`UndefinedVar`).
    BuildKit(&'static str),
    /// A hadolint rule, by its code (`DL3044`).
    Hadolint(&'static str),
}

impl Equivalent {
    /// `BuildKit: UndefinedVar (https://docs.docker.com/reference/build-checks/undefined-var/)`.
    pub fn describe(self) -> String {
        match self {
            Equivalent::BuildKit(name) => {
                format!("BuildKit: {name} (https://docs.docker.com/reference/build-checks/{}/)", kebab_case(name))
            }
            Equivalent::Hadolint(code) => {
                format!("hadolint: {code} (https://github.com/hadolint/hadolint/wiki/{code})")
            }
        }
    }
}

/// BuildKit's rule names in the kebab-case of its documentation pages and of our rule names:
/// `UndefinedVar` → `undefined-var`, `JSONArgsRecommended` → `json-args-recommended`.
pub fn kebab_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if starts_word {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl Rule {
    pub fn is_live(&self) -> bool {
        matches!(self.check, Check::Live(_))
    }
}

impl RuleMeta for Rule {
    fn code(&self) -> Code {
        self.code
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn severity(&self) -> Severity {
        self.severity
    }
}

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

/// Every rule, in catalogue order.
pub fn all() -> &'static [&'static Rule] {
    ALL
}

pub fn find(code: &str) -> Option<&'static Rule> {
    Code::parse(code).map(rule)
}

/// The rule of a code (every code has one: both come from the same files, generated in the
/// same catalogue order, so a code's variant index is its rule's place; the catalogue test
/// checks it).
pub fn rule(code: Code) -> &'static Rule {
    ALL[code as usize]
}

/// Runs the selected live rules over a probe, in catalogue order.
pub fn run_live(ctx: &LiveContext, selected: &dyn Fn(Code) -> bool) -> LiveOut {
    let mut out = LiveOut::default();
    for rule in all().iter().filter(|r| selected(r.code)) {
        if let Check::Live(check) = rule.check {
            check(ctx, &mut out);
        }
    }
    out
}

/// Runs the selected static rules over the context, in catalogue order.
pub fn run_static(ctx: &Context, selected: &dyn Fn(Code) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in all().iter().filter(|r| selected(r.code)) {
        if let Check::Local(check) = rule.check {
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
        run_static(&ctx, &|_| true)
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

    /// A hadolint spec case's findings of `code`. hadolint lints instructions with no FROM
    /// before them; BuildKit (and so spacecheck) needs one, so such a case is given
    /// `FROM scratch` first. The case must parse: a DF002 fails the test.
    pub fn hadolint_case(dockerfile: &str, code: &str) -> Vec<Diagnostic> {
        let starts_with_from = dockerfile.trim_start().get(..4).is_some_and(|w| w.eq_ignore_ascii_case("FROM"));
        let text = if starts_with_from { dockerfile.to_string() } else { format!("FROM scratch\n{dockerfile}") };
        let all = lint(&[("README.md", README), ("Dockerfile", &text)]);
        assert!(all.iter().all(|d| d.code != "DF002"), "the case does not parse: {text}\n{all:?}");
        all.into_iter().filter(|d| d.code == code).collect()
    }

    /// A BuildKit check test case's findings of `code`: (line, message) sorted as BuildKit's
    /// tests sort them. The case must parse.
    pub fn buildkit_case(dockerfile: &str, code: &str) -> Vec<(usize, String)> {
        buildkit_case_with(&[("Dockerfile", dockerfile)], code)
    }

    /// The same, with other files of the build context (`.dockerignore`).
    pub fn buildkit_case_with(files: &[(&str, &str)], code: &str) -> Vec<(usize, String)> {
        let mut all_files = vec![("README.md", README)];
        all_files.extend_from_slice(files);
        let all = lint(&all_files);
        assert!(all.iter().all(|d| d.code != "DF002"), "the case does not parse: {files:?}\n{all:?}");
        let mut found: Vec<(usize, String)> =
            all.into_iter().filter(|d| d.code == code).map(|d| (d.position.map_or(0, |p| p.line), d.message)).collect();
        found.sort();
        found
    }

    /// The Dockerfile with the fixes of `code`'s findings applied (every edit, all in the
    /// Dockerfile), and what `code` reports on the result: the fix at work, re-linted.
    pub fn fixed(dockerfile: &str, code: &str) -> (String, Vec<Diagnostic>) {
        let found = codes_for(dockerfile, code);
        let edits: Vec<&crate::diag::Edit> =
            found.iter().filter_map(|d| d.fix.as_ref()).flat_map(|f| &f.edits).collect();
        assert!(edits.iter().all(|e| e.file == "Dockerfile"), "{edits:?}");
        let text = crate::fix::apply(dockerfile, &edits);
        let after = codes_for(&text, code);
        (text, after)
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
        let mut codes: Vec<Code> = all().iter().map(|r| r.code).collect();
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
        }
        // The doc's Fix section and `fixable` agree: a rule with fixes says what they do, one
        // without says why no edit fixes it, and never promises `--fix`.
        for r in all() {
            let fix_section = r.doc.split("## Fix").nth(1).unwrap_or_default().to_lowercase();
            let promises =
                fix_section.contains("--fix") || fix_section.contains("the fix") || fix_section.contains("safe fix");
            match r.fixable {
                Fixable::Yes => {
                    assert!(promises, "{}: fixable, but its Fix section does not say what the fix does", r.code)
                }
                Fixable::No(why) => {
                    assert!(!promises, "{}: not fixable, but its Fix section promises a fix", r.code);
                    assert!(!why.is_empty() && !why.ends_with('.'), "{}: the reason is a clause", r.code);
                }
            }
        }
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(ALL[i].code, *code, "the registry and the codes share one order");
        }
        for (file_code, rule) in FILE_CODES {
            assert_eq!(*file_code, rule.code, "the file of {} declares another code", file_code);
        }
    }
}

//! The fix figure (issue 23): of the error and warning findings on Spaces, how many carry a fix
//! that removes them, and whether fixing ever breaks a Space. Each Space is fixed in memory with
//! `--unsafe-fixes` (every fix there is), re-linted, and fixed again:
//! - a finding is **removed** when it carried a fix and, after fixing, its rule reports fewer
//!   findings by at least that many (counted per rule: spans move when a file is edited);
//! - a fix **breaks** a Space when, after fixing, a rule reports an error or a warning more often
//!   than before (a new finding), or a file no longer parses;
//! - fixing is **idempotent** when the second run changes nothing.

use std::collections::BTreeMap;

use spacecheck::diag::Severity;
use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::rules::{Code, Diagnostic};
use spacecheck::space::Space;

/// Per rule: findings (errors and warnings), those carrying a fix, those the fixes removed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub findings: usize,
    pub with_fix: usize,
    pub removed: usize,
}

#[derive(Debug, Default)]
pub struct Figure {
    pub per_code: BTreeMap<Code, Counts>,
    /// `space: CODE` for each finding a fix brought, or a file a fix left unparseable.
    pub broken: Vec<String>,
    /// Spaces a second `--fix` changes.
    pub not_idempotent: Vec<String>,
    /// `space: CODE` where a finding carried a fix and was still there after fixing.
    pub not_removed: Vec<String>,
}

impl Figure {
    pub fn total(&self) -> Counts {
        self.per_code.values().fold(Counts::default(), |a, c| Counts {
            findings: a.findings + c.findings,
            with_fix: a.with_fix + c.with_fix,
            removed: a.removed + c.removed,
        })
    }

    /// The table: one line per rule, then the total.
    pub fn table(&self) -> String {
        let mut out = String::from("rule     findings  with a fix  removed\n");
        for (code, c) in &self.per_code {
            out += &format!("{:<8} {:>8}  {:>10}  {:>7}\n", code.as_str(), c.findings, c.with_fix, c.removed);
        }
        let t = self.total();
        let pct = if t.findings == 0 { 0.0 } else { 100.0 * t.removed as f64 / t.findings as f64 };
        out += &format!(
            "{:<8} {:>8}  {:>10}  {:>7}  ({pct:.1} % removed by a fix)\n",
            "total", t.findings, t.with_fix, t.removed
        );
        out
    }
}

fn loud(d: &Diagnostic) -> bool {
    d.severity != Severity::Info
}

fn count(diagnostics: &[Diagnostic]) -> BTreeMap<Code, usize> {
    let mut out = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| loud(d)) {
        *out.entry(d.code).or_insert(0) += 1;
    }
    out
}

/// The Space `load` gives, with the texts `fixed` changed.
fn with_texts(load: &dyn Fn() -> Space, fixed: &spacecheck::fix::Fixed) -> Space {
    let mut space = load();
    for (path, (_, after)) in &fixed.files {
        space.set_text(path, after.clone());
    }
    space
}

/// Measures one Space (`name` for the lists) into `figure`.
pub fn measure(name: &str, load: &dyn Fn() -> Space, policy: &Policy, options: &Options, figure: &mut Figure) {
    let before = lint::lint(&load(), policy, options).diagnostics;
    let fixed = spacecheck::fix::fix(load(), policy, options, true);
    let space = with_texts(load, &fixed);
    let after = count(&lint::lint(&space, policy, options).diagnostics);
    let counted = count(&before);
    for (code, &n) in &counted {
        let k = before.iter().filter(|d| loud(d) && d.code == *code && d.fix.is_some()).count();
        let m = after.get(code).copied().unwrap_or(0);
        let removed = k.min(n.saturating_sub(m));
        if removed < k {
            figure.not_removed.push(format!("{name}: {code}"));
        }
        let c = figure.per_code.entry(*code).or_default();
        c.findings += n;
        c.with_fix += k;
        c.removed += removed;
    }
    for (code, &m) in &after {
        if m > counted.get(code).copied().unwrap_or(0) {
            figure.broken.push(format!("{name}: {code} ({} → {m})", counted.get(code).copied().unwrap_or(0)));
        }
    }
    if fixed.files.is_empty() {
        return;
    }
    let again = spacecheck::fix::fix(space, policy, options, true);
    if !again.files.is_empty() {
        figure.not_idempotent.push(format!("{name}: {:?}", again.applied));
    }
}

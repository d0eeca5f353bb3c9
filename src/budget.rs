//! Every limit on the work one input can cause, in one place.
//!
//! A Space is hostile input: a 600-byte Dockerfile can double an ENV value forty times, a
//! roster row can hold thousands of nested blocks. Each input family below has one budget; past
//! it, spacecheck stops building that fact, treats it as unknown (a rule that needs it does not
//! guess), and the run's report carries a note naming the family, so nothing is silently
//! partial. The figures are far above anything a real Space needs (the corpus of 322 Spaces
//! uses under a hundredth of each) and low enough that the worst input of each family finishes
//! in well under a second (see `tests/scaling.rs` and `tests/hostile.rs`).
//!
//! Budgets are counted where the work happens (no global counter to thread through every
//! parser); what ran out is recorded here, per thread: a lint runs on one thread from start to
//! end, and [`take_notes`] hands the record to its report.

use std::cell::RefCell;

/// The input families whose work is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// `$VAR` expansion: the bytes one expanded value may hold.
    Expansion,
    /// Paths of the image's file system: how long a path is modelled.
    PathLength,
    /// Stages: how many a Dockerfile may have before their lineage is not followed.
    Stages,
    /// Nesting of configuration blocks (nginx).
    Nesting,
    /// `.dockerignore` patterns.
    Ignore,
    /// Where COPY puts the build context's files.
    Placement,
    /// Glob matches of COPY sources against the Space's files.
    Globs,
    /// Bytes of one requirement line.
    Requirement,
    /// Files and bytes of the application read for the app model.
    AppCode,
    /// Entries of a Space's folder or a Hub listing.
    Listing,
    /// Findings in one report.
    Findings,
    /// Instructions of one Dockerfile.
    Instructions,
}

impl Family {
    pub const ALL: [Family; 12] = [
        Family::Expansion,
        Family::PathLength,
        Family::Stages,
        Family::Nesting,
        Family::Ignore,
        Family::Placement,
        Family::Globs,
        Family::Requirement,
        Family::AppCode,
        Family::Listing,
        Family::Findings,
        Family::Instructions,
    ];

    /// What was left unknown, for the report's note.
    pub fn note(self) -> String {
        let what = match self {
            Family::Expansion => format!(
                "a variable's value grew past {} KiB when expanded: it is left unexpanded",
                EXPANSION_BYTES >> 10
            ),
            Family::PathLength => {
                format!(
                    "a path is longer than {PATH_BYTES} bytes (Linux's PATH_MAX): the file system below it is unknown"
                )
            }
            Family::Stages => format!("over {MAX_STAGES} stages: what later stages inherit is unknown"),
            Family::Nesting => {
                format!("blocks nested over {MAX_NESTING} deep in a configuration file: the file is not read")
            }
            Family::Ignore => {
                format!("over {MAX_IGNORE_PATTERNS} distinct .dockerignore patterns: the later ones are not applied")
            }
            Family::Placement => {
                format!("over {PLACEMENT_ENTRIES} build context entries placed: what later COPYs put is unknown")
            }
            Family::Globs => format!("over {GLOB_STEPS} glob steps: later COPY sources are not matched"),
            Family::Requirement => {
                format!("a requirement line over {} KiB is not read", REQUIREMENT_BYTES >> 10)
            }
            Family::AppCode => format!(
                "the application is over {APP_FILES} files or {} MiB: the rest of its code is not read",
                APP_BYTES >> 20
            ),
            Family::Listing => format!(
                "over {LISTING_ENTRIES} files, or files over {LISTING_DEPTH} folders deep: the rest of the Space is not listed"
            ),
            Family::Instructions => {
                format!("a Dockerfile of over {MAX_INSTRUCTIONS} instructions is not checked")
            }
            Family::Findings => format!(
                "over {MAX_FINDINGS} findings: the most severe {MAX_FINDINGS} are listed (the verdict is the same)"
            ),
        };
        format!("budget: {what}")
    }
}

/// Bytes one `$VAR` expansion may produce (a Dockerfile line is at most 64 KiB).
pub const EXPANSION_BYTES: usize = 64 << 10;
/// Bytes of a path the file-system map models (Linux's PATH_MAX).
pub const PATH_BYTES: usize = 4096;
/// Stages whose lineage is followed.
pub const MAX_STAGES: usize = 1_000;
/// Depth of nested configuration blocks read.
pub const MAX_NESTING: usize = 100;
/// Distinct `.dockerignore` patterns applied.
pub const MAX_IGNORE_PATTERNS: usize = 2_000;
/// Build context entries looked at when placing COPY sources.
pub const PLACEMENT_ENTRIES: usize = 100_000;
/// Glob steps matching COPY sources.
pub const GLOB_STEPS: usize = 1_000_000;
/// Bytes of one requirement line read.
pub const REQUIREMENT_BYTES: usize = 8 << 10;
/// Files of the application read for the app model, and their bytes.
pub const APP_FILES: usize = 1_000;
pub const APP_BYTES: usize = 16 << 20;
/// Entries of a Space's folder or a Hub listing.
pub const LISTING_ENTRIES: usize = 100_000;
/// Folders deep a file of a Hub listing may be.
pub const LISTING_DEPTH: usize = 64;
/// Seconds one row of a batch may take (downloads, probes and linting), rate-limit waits
/// included.
pub const ROW_SECONDS: u64 = 900;
/// Instructions of one Dockerfile (the corpus's longest has under 200; each costs a few KiB
/// of model).
pub const MAX_INSTRUCTIONS: usize = 10_000;
/// Options weighed for "did you mean" suggestions, per rule and Dockerfile (help text only:
/// no note).
pub const SUGGESTION_OPTIONS: usize = 20_000;
/// Findings listed in one report (a Dockerfile of 60,000 lines can have a finding on each).
pub const MAX_FINDINGS: usize = 5_000;

thread_local! {
    static SPENT: RefCell<Vec<Family>> = const { RefCell::new(Vec::new()) };
}

/// Records that a family's budget ran out on this thread (once per family).
pub fn exhausted(family: Family) {
    SPENT.with(|spent| {
        let mut spent = spent.borrow_mut();
        if !spent.contains(&family) {
            spent.push(family);
        }
    });
}

/// The notes for every budget that ran out on this thread since the last call, in a stable
/// order; the record is cleared.
pub fn take_notes() -> Vec<String> {
    let mut spent = SPENT.with(|spent| std::mem::take(&mut *spent.borrow_mut()));
    spent.sort();
    spent.into_iter().map(Family::note).collect()
}

/// Takes `n` units of `left`; false (and the family recorded) when not enough is left.
pub fn spend(left: &mut usize, n: usize, family: Family) -> bool {
    match left.checked_sub(n) {
        Some(rest) => {
            *left = rest;
            true
        }
        None => {
            *left = 0;
            exhausted(family);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_leaves_one_note_per_family_until_taken() {
        let _ = take_notes();
        let mut left = 2;
        assert!(spend(&mut left, 2, Family::Globs));
        assert!(!spend(&mut left, 1, Family::Globs));
        assert!(!spend(&mut left, 1, Family::Globs));
        exhausted(Family::Expansion);
        let notes = take_notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("expanded") && notes[1].contains("glob"), "{notes:?}");
        assert!(take_notes().is_empty());
    }

    #[test]
    fn every_note_says_what_is_left_unknown() {
        for f in Family::ALL {
            let note = f.note();
            assert!(note.starts_with("budget: ") && note.len() > 40, "{note}");
        }
    }
}

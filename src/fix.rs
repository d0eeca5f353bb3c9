//! `--fix`, `--unsafe-fixes` and `--diff` (ruff's model): the fixes the rules attach to their
//! findings are applied in passes. Each pass lints the texts as they are, takes every fix
//! allowed (safe, or unsafe too with `--unsafe-fixes`) whose edits overlap no fix already taken,
//! applies them in one sweep, and lints again, until no fix is left (or 10 passes). README
//! fixes go in a pass of their own first: the frontmatter sets what the Dockerfile rules check. A pass
//! after which the README or the Dockerfile no longer parses (FM002/FM003/DF002 appear) is
//! undone and ends the run: a fix never leaves a file broken. Edits are byte ranges of the
//! BOM-less text; a file written back keeps its BOM, its line endings and its comments (only
//! the edited bytes change).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Applicability, Code, Edit};
use crate::lint::{self, Options};
use crate::policy::Policy;
use crate::space::Space;

/// More passes than any chain of fixes needs; a bound, not a goal.
const MAX_PASSES: usize = 10;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Fixed {
    /// The fixes applied, in order: code and what the fix did.
    pub applied: Vec<(Code, String)>,
    /// Files changed: path → (text before, text after), BOM-less.
    pub files: BTreeMap<String, (String, String)>,
    /// Files that kept their BOM (for the bytes written).
    pub bom: BTreeSet<String>,
    /// Files the fixes create (`requirements.txt` for GA005).
    pub created: BTreeSet<String>,
}

fn parse_errors(report: &lint::Report) -> BTreeSet<Code> {
    report.diagnostics.iter().map(|d| d.code).filter(|c| [Code::FM002, Code::FM003, Code::DF002].contains(c)).collect()
}

/// Two edits touch: overlapping ranges, or two insertions at one place (their order would be
/// a guess).
fn overlap(a: &Edit, b: &Edit) -> bool {
    a.file == b.file && (a.range.start < b.range.end && b.range.start < a.range.end || a.range.start == b.range.start)
}

/// `text` with `edits` (non-overlapping, all within `text` on char boundaries) applied.
pub fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

/// The current text of each file a fix may edit.
fn texts_of(space: &Space) -> BTreeMap<String, String> {
    [&space.readme, &space.dockerfile]
        .iter()
        .filter_map(|l| l.text())
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect()
}

/// The files other than the README and the Dockerfile that the report's fixes edit
/// (`requirements.txt`), read once: a missing one is an empty text the fix creates.
fn add_other_files(
    space: &Space,
    report: &lint::Report,
    original: &mut BTreeMap<String, String>,
    texts: &mut BTreeMap<String, String>,
    fixed: &mut Fixed,
) {
    let edited = report.diagnostics.iter().filter_map(|d| d.fix.as_ref()).flat_map(|f| &f.edits).map(|e| &e.file);
    for path in edited {
        if texts.contains_key(path) {
            continue;
        }
        let text = match space.read_bytes(path) {
            Some(bytes) => {
                if bytes.starts_with("\u{feff}".as_bytes()) {
                    fixed.bom.insert(path.clone());
                }
                crate::source::decode_bom_aware(&bytes)
            }
            None => {
                fixed.created.insert(path.clone());
                String::new()
            }
        };
        original.insert(path.clone(), text.clone());
        texts.insert(path.clone(), text);
    }
}

/// One pass: the fixes taken from `report` for `texts`, with their edits.
fn take_fixes<'r>(
    report: &'r lint::Report,
    texts: &BTreeMap<String, String>,
    unsafe_fixes: bool,
) -> (Vec<&'r Edit>, Vec<(Code, String)>) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let allowed = |fix: &&crate::diag::Fix| fix.applicability == Applicability::Safe || unsafe_fixes;
    // The frontmatter decides what other rules check (the app port, the SDK): when a fix edits
    // the README, the other files wait for the next pass, linted against the new frontmatter
    // (else a Dockerfile fix made for the old app_port would be applied beside the new one).
    let readme_first = report
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(allowed)
        .any(|f| f.edits.iter().any(|e| e.file == "README.md"));
    for d in &report.diagnostics {
        let Some(fix) = d.fix.as_ref().filter(allowed) else { continue };
        if readme_first && fix.edits.iter().any(|e| e.file != "README.md") {
            continue;
        }
        let fits = |e: &Edit| {
            texts.get(&e.file).is_some_and(|t| {
                e.range.start <= e.range.end
                    && e.range.end <= t.len()
                    && t.is_char_boundary(e.range.start)
                    && t.is_char_boundary(e.range.end)
            })
        };
        if fix.edits.is_empty() || !fix.edits.iter().all(fits) {
            continue;
        }
        if fix.edits.iter().any(|e| taken.iter().any(|t| overlap(t, e))) {
            continue; // the next pass takes it, on the texts this pass leaves
        }
        taken.extend(&fix.edits);
        applied.push((d.code, fix.message.clone()));
    }
    (taken, applied)
}

/// Applies the fixes to `space` (its texts only: nothing is written here).
pub fn fix(space: Space, policy: &Policy, options: &Options, unsafe_fixes: bool) -> Fixed {
    fix_by(space, unsafe_fixes, &|space: &Space| lint::lint(space, policy, options))
}

/// Applies the fixes to a lone Dockerfile (`Space::in_memory(None, Some(bytes))`), linted as
/// `spacecheck path/to/Dockerfile` lints it: the rules that need the rest of the Space are off,
/// so no fix reaches for a README.
pub fn fix_lone_dockerfile(space: Space, policy: &Policy, options: &Options, unsafe_fixes: bool) -> Fixed {
    fix_by(space, unsafe_fixes, &|space: &Space| {
        let input = lint::Input {
            space: Some(space),
            target: space.display.clone(),
            lone_dockerfile: true,
            ..lint::Input::default()
        };
        lint::run(&input, policy, options)
    })
}

fn fix_by(mut space: Space, unsafe_fixes: bool, lint: &dyn Fn(&Space) -> lint::Report) -> Fixed {
    let original = texts_of(&space);
    let mut fixed = Fixed {
        bom: [&space.readme, &space.dockerfile]
            .iter()
            .filter_map(|l| l.text())
            .filter(|f| f.bom)
            .map(|f| f.path.clone())
            .collect(),
        ..Fixed::default()
    };
    let mut original = original;
    let mut texts = original.clone();
    let mut report = lint(&space);
    let broken_before = parse_errors(&report);
    for _ in 0..MAX_PASSES {
        add_other_files(&space, &report, &mut original, &mut texts, &mut fixed);
        let (edits, applied) = take_fixes(&report, &texts, unsafe_fixes);
        if edits.is_empty() {
            break;
        }
        let mut next = texts.clone();
        for (path, text) in &texts {
            let mine: Vec<&Edit> = edits.iter().copied().filter(|e| &e.file == path).collect();
            if !mine.is_empty() {
                next.insert(path.clone(), apply(text, &mine));
            }
        }
        for (path, text) in &next {
            space.set_text(path, text.clone());
        }
        let after = lint(&space);
        if !parse_errors(&after).is_subset(&broken_before) {
            // Undo the pass: a fix must never leave a file that no longer parses.
            for (path, text) in &texts {
                space.set_text(path, text.clone());
            }
            break;
        }
        fixed.applied.extend(applied);
        texts = next;
        report = after;
    }
    for (path, after) in texts {
        let before = &original[&path];
        if *before != after {
            fixed.files.insert(path, (before.clone(), after));
        }
    }
    fixed
}

/// What the command line asks of the fixes.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub unsafe_fixes: bool,
    /// Print the changes as a diff and write nothing.
    pub diff: bool,
    /// No summary line on standard error.
    pub quiet: bool,
}

/// `--fix`/`--diff` on a lone Dockerfile (a path, or `-`): the file is written back (its BOM
/// kept, refused when it changed meanwhile), then linted again by the caller; `--diff` gives
/// the diff to print (exit 1 when there is one); from standard input the fixed Dockerfile is
/// what is printed. `Some((output, exit code))` ends the run.
pub fn lone_dockerfile(
    display: &str,
    bytes: &[u8],
    policy: &Policy,
    options: &Options,
    request: Request,
) -> Result<Option<(String, i32)>, String> {
    let mut space = Space::in_memory(None, Some(bytes));
    space.display = display.to_string();
    let fixed = fix_lone_dockerfile(space, policy, options, request.unsafe_fixes);
    let changed = fixed.files.get("Dockerfile").map(|(_, after)| after.clone());
    if request.diff {
        crate::redact::warn(&format!("spacecheck: --diff: {} to apply, nothing written", summary(&fixed)));
        let named = diff(&fixed)
            .replace("a/Dockerfile", &format!("a/{display}"))
            .replace("b/Dockerfile", &format!("b/{display}"));
        return Ok(Some((crate::redact::mask(&named), i32::from(changed.is_some()))));
    }
    if display == "-" {
        crate::redact::warn(&format!(
            "spacecheck: --fix: {} applied (the fixed Dockerfile is on standard output)",
            summary(&fixed)
        ));
        return Ok(Some((changed.unwrap_or_else(|| crate::source::decode_bom_aware(bytes)), 0)));
    }
    if let Some(after) = changed {
        let on_disk = std::fs::read(display).map_err(|e| format!("cannot read `{display}` to fix it: {e}"))?;
        if on_disk != bytes {
            return Err(format!("`{display}` changed while it was linted: not fixed"));
        }
        let bom = if bytes.starts_with("\u{feff}".as_bytes()) { "\u{feff}" } else { "" };
        std::fs::write(display, format!("{bom}{after}")).map_err(|e| format!("cannot write `{display}`: {e}"))?;
    }
    if !request.quiet {
        crate::redact::warn(&format!("spacecheck: --fix: {} applied", summary(&fixed)));
    }
    Ok(None)
}

/// Writes the fixed files into the Space folder. A file whose bytes on disk are not what was
/// linted (not UTF-8 as read, or changed meanwhile) is left alone and named in the error.
pub fn write(root: &Path, fixed: &Fixed) -> Result<(), String> {
    for (path, (before, after)) in &fixed.files {
        let file = root.join(path);
        if fixed.created.contains(path) {
            // A file the fix creates: never over one that appeared meanwhile.
            let mut new = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .map_err(|e| format!("cannot create `{path}`: {e}"))?;
            std::io::Write::write_all(&mut new, after.as_bytes()).map_err(|e| format!("cannot write `{path}`: {e}"))?;
            continue;
        }
        let bom = if fixed.bom.contains(path) { "\u{feff}" } else { "" };
        let on_disk = std::fs::read(&file).map_err(|e| format!("cannot read `{path}` to fix it: {e}"))?;
        if on_disk != format!("{bom}{before}").as_bytes() {
            return Err(format!("`{path}` is not as it was linted (changed meanwhile, or not UTF-8): not fixed"));
        }
        std::fs::write(&file, format!("{bom}{after}")).map_err(|e| format!("cannot write `{path}`: {e}"))?;
    }
    Ok(())
}

/// The changes as a unified diff (`--diff`), one file after another.
pub fn diff(fixed: &Fixed) -> String {
    let mut out = String::new();
    for (path, (before, after)) in &fixed.files {
        let diff = similar::TextDiff::from_lines(before, after);
        out.push_str(
            &diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")).to_string(),
        );
    }
    out
}

/// "2 fixes (FM004, FM005)", or "no fix" when nothing applies.
pub fn summary(fixed: &Fixed) -> String {
    let codes: BTreeSet<String> = fixed.applied.iter().map(|(c, _)| c.to_string()).collect();
    match fixed.applied.len() {
        0 => "no fix".to_string(),
        n => {
            format!("{n} fix{} ({})", if n == 1 { "" } else { "es" }, codes.into_iter().collect::<Vec<_>>().join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: std::ops::Range<usize>, replacement: &str) -> Edit {
        Edit { file: "README.md".into(), range, replacement: replacement.into() }
    }

    #[test]
    fn edits_apply_from_the_end() {
        let a = edit(0..0, "x: 1\n");
        let b = edit(4..5, "Z");
        assert_eq!(apply("abc\nd\n", &[&a, &b]), "x: 1\nabc\nZ\n");
    }

    #[test]
    fn insertions_at_one_place_overlap() {
        assert!(overlap(&edit(3..3, "a"), &edit(3..3, "b")));
        assert!(overlap(&edit(1..4, "a"), &edit(3..5, "b")));
        assert!(!overlap(&edit(1..3, "a"), &edit(3..5, "b")));
    }
}

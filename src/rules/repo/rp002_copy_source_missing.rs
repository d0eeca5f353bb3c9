use std::collections::HashMap;

use crate::model::{CopyFrom, CopyOp};
use crate::parse::dockerignore::{DockerIgnore, Glob};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::RP002,
    name: "copy-source-missing",
    severity: Severity::Error,
    summary: "a COPY/ADD source is not in the build context, or .dockerignore excludes it",
    doc: r#"## What it checks
Every `COPY`/`ADD` source taken from the build context, in the stages the final image needs:
that a file or folder matches it in the Space, that `.dockerignore` does not exclude it, and
that `.gitignore` does not keep it from being pushed (the Hub builds from the pushed repository,
not from your disk). A wildcard that matches nothing is fine, as BuildKit decides it: it copies
nothing (`COPY package.json package-lock.json* ./`). URLs, heredocs, `--from` copies and sources
built from variables without a value are not checked.

A missing source is an error when the folder is the whole Space (a git checkout's root, the
files of `hf://`, the tree a push sends); in any other folder, which a deploy step may complete
from a larger repository before pushing, it is a warning that says so.

## Why it matters on a Space
BuildKit stops with `"/app.py": not found` and the Space shows a build error. A file that exists
locally but is git-ignored builds on your machine and fails on the Hub.

## Example
```dockerfile
COPY requirements.txt .
```
in a Space whose file is `requirements-prod.txt`.

## Fix
Copy a path that exists (check the spelling and the case), remove it from `.dockerignore`, or
commit it."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("either the file or the COPY is wrong, and which is the author's call"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    if ctx.space.walk_truncated || ctx.space.listing_cut {
        return; // the file list is incomplete: a missing file may just not have been walked
    }
    let ignore = ctx.space.dockerignore.as_ref().map(|f| DockerIgnore::parse(&f.text));
    let needed = model.needed_stages();
    let mut globs = Globs { matched: HashMap::new(), budget: GLOB_BUDGET };
    for copy in model.all_copies.iter().filter(|c| needed.contains(&c.stage) && c.from == CopyFrom::Context) {
        for src in &copy.sources {
            check_source(ctx, file, copy, src, ignore.as_ref(), &mut globs, out);
        }
    }
}

/// How many Space paths the wildcard sources of one Dockerfile may be matched against in all:
/// past it, the wildcards left are not checked (a wildcard that matches nothing is no failure,
/// so nothing false is said).
const GLOB_BUDGET: usize = crate::budget::GLOB_STEPS;

/// The paths each wildcard source matched (a Dockerfile repeats the same ones), and what is
/// left of the budget.
struct Globs {
    matched: HashMap<String, Vec<(String, bool)>>,
    budget: usize,
}

impl Globs {
    fn matches(&mut self, space: &crate::space::Space, rel: &str) -> Vec<(String, bool)> {
        if let Some(found) = self.matched.get(rel) {
            return found.clone();
        }
        let cost = space.files.len() + space.dirs.len();
        if !crate::budget::spend(&mut self.budget, cost, crate::budget::Family::Globs) {
            return Vec::new();
        }
        let glob = Glob::new(rel);
        let found: Vec<(String, bool)> = space
            .files
            .iter()
            .map(|f| (f.path.clone(), f.git_ignored))
            .chain(space.dirs.iter().map(|d| (d.clone(), space.is_git_ignored(d, true))))
            .filter(|(p, _)| glob.matches(p))
            .collect();
        self.matched.insert(rel.to_string(), found.clone());
        found
    }
}

fn check_source(
    ctx: &Context,
    file: &crate::source::SourceFile,
    copy: &CopyOp,
    src: &crate::model::Valued,
    ignore: Option<&DockerIgnore>,
    globs: &mut Globs,
    out: &mut Vec<Diagnostic>,
) {
    let value = src.value.as_str();
    if value.contains("://") || value.starts_with("git@") || !src.is_resolved() {
        return;
    }
    let rel = value.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
    if rel.is_empty() || rel == "." {
        return;
    }
    let space = ctx.space;
    let is_glob = rel.contains(['*', '?', '[']);
    let matches: Vec<(String, bool)> = if is_glob {
        globs.matches(space, rel)
    } else if let Some(f) = space.file(rel) {
        vec![(f.path.clone(), f.git_ignored)]
    } else if space.has_dir(rel) {
        vec![(rel.to_string(), space.is_git_ignored(rel, true))]
    } else {
        vec![]
    };
    let kw = copy.kind.keyword();
    // BuildKit copies a wildcard that matches nothing as nothing (`AllowEmptyWildcard`): that
    // is how `COPY package.json package-lock.json* ./` works without a lock file.
    if matches.is_empty() && is_glob {
        return;
    }
    // Not on disk, but named by .gitignore: never pushed by git (a script that uploads through
    // the Hub's API is another matter).
    if matches.is_empty() && space.is_git_ignored(rel, false) && ctx.pushed_by_git() {
        out.push(
            Diagnostic::new(&RULE, format!("{kw} source `{value}` is ignored by .gitignore: it is never pushed, so the Hub's build cannot find it"))
                .at(file, src.span.clone())
                .help("commit it (remove it from .gitignore), or create it in the Dockerfile"),
        );
        return;
    }
    if matches.is_empty() {
        let case_hint = space
            .files
            .iter()
            .map(|f| f.path.as_str())
            .chain(space.dirs.iter().map(String::as_str))
            .find(|p| p.eq_ignore_ascii_case(rel));
        // A folder that is not the whole Space (no git checkout's root, not fetched from the
        // Hub, not a pushed tree) may be completed by a deploy step: what follows is assumed.
        let mut d = if space.whole {
            Diagnostic::new(&RULE, format!("{kw} source `{value}` is not in the Space, so the build fails with \"not found\""))
        } else {
            Diagnostic::new(&RULE, format!("{kw} source `{value}` is not in this folder: if the folder is what is pushed to the Space, the build fails with \"not found\" (it is not a git checkout's root, so a deploy step may add files to it)"))
                .severity(Severity::Warning)
        }
        .at(file, src.span.clone());
        if let Some(p) = case_hint {
            d = d.help(format!("the Space has `{p}`: paths are case-sensitive in the build"));
        }
        out.push(d);
        return;
    }
    let pushed: Vec<&(String, bool)> = matches.iter().filter(|(_, ignored)| !ignored).collect();
    if pushed.is_empty() {
        out.push(
            Diagnostic::new(&RULE, format!("{kw} source `{value}` is ignored by .gitignore: it is never pushed, so the Hub's build cannot find it"))
                .at(file, src.span.clone())
                .help("commit it (remove it from .gitignore), or create it in the Dockerfile"),
        );
        return;
    }
    if let Some(ignore) = ignore {
        if pushed.iter().all(|(p, _)| ignore.excludes(p)) {
            out.push(
                Diagnostic::new(
                    &RULE,
                    format!("{kw} source `{value}` is excluded by .dockerignore, so it is not in the build context"),
                )
                .at(file, src.span.clone())
                .help("remove the matching pattern from .dockerignore, or add a `!` exception"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn rp2(files: &[(&str, &str)]) -> Vec<String> {
        let mut all = vec![("README.md", README)];
        all.extend_from_slice(files);
        lint(&all).into_iter().filter(|d| d.code == "RP002").map(|d| d.message).collect()
    }

    #[test]
    fn fires_on_missing_ignored_or_excluded() {
        assert_eq!(rp2(&[("Dockerfile", "FROM p\nCOPY app.py /app/\n")]).len(), 1);
        assert!(rp2(&[("Dockerfile", "FROM p\nCOPY .env /app/\n"), (".env", "A=1"), (".gitignore", ".env\n")])[0]
            .contains(".gitignore"));
        assert!(rp2(&[
            ("Dockerfile", "FROM p\nCOPY data /app/data\n"),
            ("data/x.csv", "1"),
            (".dockerignore", "data\n")
        ])[0]
            .contains(".dockerignore"));
    }

    /// In a git checkout's root the folder is the Space: a missing source fails the build. In
    /// any other folder a deploy step may complete it: a warning that says what is assumed.
    #[test]
    fn an_error_in_a_checkout_a_warning_elsewhere() {
        let all = |files: &[(&str, &str)]| {
            let mut with = vec![("README.md", README), ("Dockerfile", "FROM p\nCOPY app.py /app/\n")];
            with.extend_from_slice(files);
            lint(&with).into_iter().filter(|d| d.code == "RP002").collect::<Vec<_>>()
        };
        let checkout = all(&[(".git/HEAD", "ref: refs/heads/main\n")]);
        assert_eq!(checkout[0].severity, crate::rules::Severity::Error);
        assert!(checkout[0].message.ends_with("is not in the Space, so the build fails with \"not found\""));
        let folder = all(&[]);
        assert_eq!(folder[0].severity, crate::rules::Severity::Warning);
        assert!(folder[0].message.contains("if the folder is what is pushed to the Space"), "{}", folder[0].message);
    }

    /// A source `.gitignore` names is never pushed, even where a deploy step completes the
    /// folder: an error, and the app rules skip (the build stops first).
    #[test]
    fn a_missing_source_git_ignores_is_an_error() {
        let files = [
            ("README.md", README),
            ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY app.db .\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
            (".gitignore", "app.db\n"),
            ("app.py", "import os\nos.makedirs('uploads')\n"),
        ];
        let found = lint(&files);
        let d = found.iter().find(|d| d.code == "RP002").expect("RP002");
        assert_eq!(d.severity, crate::rules::Severity::Error);
        assert!(d.message.contains("is ignored by .gitignore"), "{}", d.message);
        assert!(!found.iter().any(|d| d.code == "DF004"), "the build fails first: {found:?}");
    }

    /// BuildKit copies an empty wildcard match as nothing (its `AllowEmptyWildcard`).
    #[test]
    fn a_wildcard_that_matches_nothing_is_not_a_failure() {
        assert!(rp2(&[("Dockerfile", "FROM p\nCOPY *.py /app/\n")]).is_empty());
        assert!(rp2(&[("Dockerfile", "FROM p\nCOPY package.json package-lock.json* ./\n"), ("package.json", "{}")]).is_empty());
        assert!(rp2(&[("Dockerfile", "FROM p\nCOPY .env* ./\n")]).is_empty());
        assert_eq!(rp2(&[("Dockerfile", "FROM p\nCOPY package.json package-lock.json* ./\n")]).len(), 1);
    }

    #[test]
    fn silent_when_present() {
        assert!(rp2(&[
            ("Dockerfile", "FROM p\nCOPY . .\nCOPY app.py ./\nCOPY src/ /app/src\nCOPY *.txt /app/\n"),
            ("app.py", ""),
            ("src/m.py", ""),
            ("r.txt", "")
        ])
        .is_empty());
        assert!(rp2(&[(
            "Dockerfile",
            "FROM p AS b\nRUN x\nFROM p\nCOPY --from=b /out /out\nADD https://x.org/f /f\nCOPY <<EOF /x\nhi\nEOF\n"
        )])
        .is_empty());
        assert!(rp2(&[("Dockerfile", "FROM p\nARG SRC\nCOPY $SRC /app\n")]).is_empty());
        assert!(
            rp2(&[("Dockerfile", "FROM p AS unused\nCOPY missing.txt /\nFROM p\nCMD x\n")]).is_empty(),
            "stages the target does not need are not built"
        );
    }
}

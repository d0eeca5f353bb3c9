//! Where each COPY/ADD of the build context puts each Space file in the image, as BuildKit
//! copies: a folder source copies its content, a file lands inside the destination when that
//! names a folder (a final `/`, `.`, several sources or a wildcard, or a folder the image
//! already has: `COPY main.py .` and `COPY main.py ./` give `/app/main.py` alike), else at the
//! destination itself. One fact every rule asks, instead of each matching COPY text itself.

use std::collections::HashSet;

use super::CopyOp;
use crate::parse::dockerignore::{DockerIgnore, Glob};
use crate::space::Space;

/// The files and folders of the build context the Hub builds with: the Space's files less what
/// `.dockerignore` excludes and what git ignores (never pushed).
#[derive(Debug, Clone, Default)]
pub struct BuildContext {
    files: Vec<String>,
    dirs: Vec<String>,
    dir_set: HashSet<String>,
    /// Files of the Space that git ignores: never pushed, so never in the Hub's build context.
    git_ignored: HashSet<String>,
}

impl BuildContext {
    pub fn of_space(space: &Space) -> BuildContext {
        let ignore = space.dockerignore.as_ref().map(|f| DockerIgnore::parse(&f.text));
        let kept = |p: &str| !ignore.as_ref().is_some_and(|i| i.excludes(p));
        let files: Vec<String> =
            space.files.iter().filter(|f| !f.git_ignored && kept(&f.path)).map(|f| f.path.clone()).collect();
        let dirs: Vec<String> = space.dirs.iter().filter(|d| !d.is_empty() && kept(d)).cloned().collect();
        let mut context = BuildContext::new(files, dirs);
        context.git_ignored = space.files.iter().filter(|f| f.git_ignored).map(|f| f.path.clone()).collect();
        context
    }

    pub fn new(mut files: Vec<String>, mut dirs: Vec<String>) -> BuildContext {
        files.sort();
        dirs.sort();
        let dir_set = dirs.iter().cloned().collect();
        BuildContext { files, dirs, dir_set, git_ignored: HashSet::new() }
    }

    fn is_dir(&self, rel: &str) -> bool {
        rel.is_empty() || self.dir_set.contains(rel)
    }

    /// The sources of a context copy that name a file git ignores (never pushed: the Hub's
    /// build stops there with "not found").
    pub fn git_ignored<'a>(&self, op: &'a CopyOp) -> Vec<&'a str> {
        op.sources
            .iter()
            .map(|s| s.value.as_str())
            .filter(|v| self.git_ignored.contains(v.trim_start_matches("./").trim_end_matches('/')))
            .collect()
    }

    /// The sources of a context copy that name nothing in the context (wildcards, which may
    /// match nothing, left out).
    pub fn missing<'a>(&self, op: &'a CopyOp) -> Vec<&'a str> {
        op.sources
            .iter()
            .map(|s| s.value.as_str())
            .filter(|v| {
                let rel = v.trim_start_matches("./").trim_end_matches('/');
                let rel = if rel == "." { "" } else { rel };
                !rel.contains(['*', '?', '[', '$'])
                    && !v.contains("://")
                    && !self.is_dir(rel)
                    && self.files.binary_search_by(|f| f.as_str().cmp(rel)).is_err()
            })
            .collect()
    }
}

/// One Space file or folder as a COPY puts it in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Its path in the Space, relative, `/`-separated.
    pub rel: String,
    /// Its absolute path in the image.
    pub image_path: String,
    pub is_dir: bool,
    /// The COPY/ADD instruction (index in `Dockerfile::instructions`).
    pub instruction: usize,
}

/// How many context entries one model may look at while placing copies (a Dockerfile of ten
/// thousand `COPY . .` or wildcard copies over a large Space): past it, later copies are not
/// placed and the files they bring are unknown to the rules.
pub const PLACEMENT_BUDGET: usize = crate::budget::PLACEMENT_ENTRIES;

/// Whether the destination text names a folder by itself: `dir/`, `.`, `dir/.`.
pub fn dest_text_is_dir(dest: &str) -> bool {
    dest.ends_with('/') || dest == "." || dest.ends_with("/.") || dest == ".." || dest.ends_with("/..")
}

/// The entries one context COPY places; `dest_is_dir` when the destination is a folder (by its
/// text, several sources or a wildcard, or a folder already in the image). Each context entry
/// looked at takes one unit of `budget`; none is placed once it is spent.
pub fn place(op: &CopyOp, dest_is_dir: bool, context: &BuildContext, budget: &mut usize) -> Vec<Placed> {
    let dest = op.dest.trim_end_matches('/');
    let into = |rel_under: &str| -> String {
        match (dest.is_empty(), rel_under.is_empty()) {
            (true, true) => "/".to_string(),
            (false, true) => dest.to_string(),
            (true, false) => format!("/{rel_under}"),
            (false, false) => format!("{dest}/{rel_under}"),
        }
    };
    let many = op.sources.len() > 1;
    let mut out: Vec<Placed> = Vec::new();
    let mut push = |rel: &str, image_path: String, is_dir: bool| {
        out.push(Placed { rel: rel.to_string(), image_path, is_dir, instruction: op.instruction });
    };
    for source in &op.sources {
        let value = source.value.trim_start_matches("./").trim_end_matches('/');
        let value = if value == "." { "" } else { value };
        if value.contains(['*', '?', '[']) {
            let glob = Glob::new(value);
            for f in &context.files {
                if !spend(budget) {
                    return out;
                }
                if glob.matches(f) {
                    push(f, into(base(f)), false);
                }
            }
            for d in &context.dirs {
                if !spend(budget) {
                    return out;
                }
                if glob.matches(d) {
                    copy_dir(context, d, &into(""), budget, &mut push);
                }
            }
        } else if context.is_dir(value) {
            copy_dir(context, value, &into(""), budget, &mut push);
        } else if context.files.binary_search_by(|f| f.as_str().cmp(value)).is_ok() && spend(budget) {
            let image_path = if dest_is_dir || many { into(base(value)) } else { into("") };
            push(value, image_path, false);
        }
    }
    out
}

/// The entries a `COPY --from=<stage>` places: the sources are paths of that stage, whose
/// placed entries (`from`) at or below each source land in the destination as BuildKit copies
/// them (a folder's content into it, a file inside a folder destination or as it).
pub fn place_from_stage(op: &CopyOp, dest_is_dir: bool, from: &[Placed], budget: &mut usize) -> Vec<Placed> {
    let dest = op.dest.trim_end_matches('/');
    let join = |rest: &str| if dest.is_empty() { format!("/{rest}") } else { format!("{dest}/{rest}") };
    let many = op.sources.len() > 1;
    let mut out = Vec::new();
    for source in &op.sources {
        let path = super::join_path("/", &source.value);
        let path = path.trim_end_matches('/');
        let below = format!("{}/", if path == "/" { "" } else { path });
        for entry in from {
            if !spend(budget) {
                return out;
            }
            let image_path = if entry.image_path == path && !entry.is_dir {
                if dest_is_dir || many {
                    join(base(path))
                } else {
                    join("").trim_end_matches('/').to_string()
                }
            } else if let Some(rest) = entry.image_path.strip_prefix(&below) {
                join(rest)
            } else {
                continue;
            };
            out.push(Placed { rel: entry.rel.clone(), image_path, is_dir: entry.is_dir, instruction: op.instruction });
        }
    }
    out
}

/// Takes one unit of the budget; false when none is left.
fn spend(budget: &mut usize) -> bool {
    crate::budget::spend(budget, 1, crate::budget::Family::Placement)
}

/// The sorted entries of `list` below the folder `prefix` (`dir/`; empty: all), found by binary
/// search.
fn below<'a>(list: &'a [String], prefix: &str) -> &'a [String] {
    let start = list.partition_point(|p| p.as_str() < prefix);
    let len = list[start..].partition_point(|p| p.starts_with(prefix));
    &list[start..start + len]
}

/// A folder source: its content goes into `dest` (the folder itself is not re-created below it).
fn copy_dir(
    context: &BuildContext,
    dir: &str,
    dest: &str,
    budget: &mut usize,
    push: &mut dyn FnMut(&str, String, bool),
) {
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let join = |rest: &str| if dest == "/" { format!("/{rest}") } else { format!("{dest}/{rest}") };
    for (list, is_dir) in [(&context.dirs, true), (&context.files, false)] {
        for entry in below(list, &prefix) {
            if !spend(budget) {
                return;
            }
            push(entry, join(&entry[prefix.len()..]), is_dir);
        }
    }
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build_with_context;
    use crate::parse::dockerfile;
    use crate::source::SourceFile;

    fn placed(dockerfile_text: &str, files: &[&str], dirs: &[&str]) -> Vec<(String, String)> {
        let file = SourceFile::new("Dockerfile", dockerfile_text.to_string());
        let df = dockerfile::parse(&file).expect("parses");
        let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        let context = BuildContext::new(files, dirs.iter().map(|s| s.to_string()).collect());
        let model = build_with_context(&df, Some(&context));
        model.placed.iter().map(|p| (p.rel.clone(), p.image_path.clone())).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_file_into_the_workdir_with_or_without_a_final_slash() {
        let want = pairs(&[("main.py", "/app/main.py")]);
        assert_eq!(placed("FROM python:3.11\nWORKDIR /app\nCOPY main.py .\n", &["main.py"], &[]), want);
        assert_eq!(placed("FROM python:3.11\nWORKDIR /app\nCOPY main.py ./\n", &["main.py"], &[]), want);
        // `/app` exists (WORKDIR made it): the file goes inside.
        assert_eq!(placed("FROM python:3.11\nWORKDIR /app\nCOPY main.py /app\n", &["main.py"], &[]), want);
        // A destination that does not exist and names no folder is the file's new name.
        assert_eq!(
            placed("FROM python:3.11\nCOPY main.py /srv/server.py\n", &["main.py"], &[]),
            pairs(&[("main.py", "/srv/server.py")])
        );
    }

    #[test]
    fn folders_copy_their_content_and_wildcards_match() {
        let got = placed(
            "FROM python:3.11\nWORKDIR /code\nCOPY . .\nCOPY src/ /srv/\nCOPY *.txt /req/\n",
            &["app.py", "src/a.py", "src/b/c.py", "requirements.txt"],
            &["src", "src/b"],
        );
        assert!(got.contains(&("src/b/c.py".into(), "/code/src/b/c.py".into())));
        assert!(got.contains(&("src/b".into(), "/code/src/b".into())));
        assert!(got.contains(&("src/a.py".into(), "/srv/a.py".into())));
        assert!(got.contains(&("src/b/c.py".into(), "/srv/b/c.py".into())));
        assert!(got.contains(&("requirements.txt".into(), "/req/requirements.txt".into())));
        assert!(!got.iter().any(|(_, p)| p == "/srv/src/a.py"));
    }

    #[test]
    fn files_copied_from_a_stage_that_has_them() {
        let got = placed(
            "FROM python:3.11 AS builder\nWORKDIR /app\nCOPY . /app/env\nFROM python:3.11\nCOPY --from=builder /app/env /srv/env\nCOPY --from=builder /app/env/main.py /bin/\n",
            &["main.py", "server/app.py"],
            &["server"],
        );
        assert!(got.contains(&("server/app.py".into(), "/srv/env/server/app.py".into())), "{got:?}");
        assert!(got.contains(&("main.py".into(), "/bin/main.py".into())), "{got:?}");
        assert!(
            !got.iter().any(|(_, p)| p.starts_with("/app/env")),
            "the builder's own paths are not the final image's"
        );
    }

    #[test]
    fn files_missing_from_the_context_are_not_placed() {
        assert!(placed("FROM python:3.11\nCOPY nothere.py /app/\n", &["main.py"], &[]).is_empty());
        assert!(placed("FROM python:3.11\nCOPY --from=0 main.py /app/\n", &["main.py"], &[]).is_empty());
    }
}

//! `.dockerignore` as BuildKit reads it (moby's patternmatcher): patterns relative to the
//! context root, Go `filepath.Match` globs plus `**`, `!` exceptions, last match wins, and a
//! path is excluded when it or any of its parent folders matches.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::Regex;

/// Globs compiled so far in this process, by cleaned pattern. Compiling one took about 225,000
/// instructions (Unicode classes), more than linting a small Space; the same few globs
/// (`*.pyc`, `__pycache__`, `requirements*.txt`) recur across the Spaces a batch lints. Bounded:
/// past the cap a glob is compiled and not kept.
static COMPILED: LazyLock<Mutex<HashMap<String, Option<Regex>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));
const COMPILED_CAP: usize = 4096;

/// The regex of a cleaned glob; `None` for a glob that is not valid.
fn compiled(cleaned: &str) -> Option<Regex> {
    if let Some(found) = COMPILED.lock().ok().and_then(|cache| cache.get(cleaned).cloned()) {
        return found;
    }
    let re = Regex::new(&glob_to_regex(cleaned)).ok();
    if let Ok(mut cache) = COMPILED.lock() {
        if cache.len() < COMPILED_CAP {
            cache.insert(cleaned.to_string(), re.clone());
        }
    }
    re
}

pub struct DockerIgnore {
    patterns: Vec<(Regex, bool)>,
    /// The `!` exceptions as written (cleaned), for [`DockerIgnore::reincludes_under`].
    exceptions: Vec<String>,
}

impl DockerIgnore {
    /// The patterns of a `.dockerignore`. A pattern repeated later with the same sign decides
    /// every path the earlier one would (the last match wins), so only its last occurrence is
    /// kept; past [`crate::budget::MAX_IGNORE_PATTERNS`] distinct patterns the rest are not
    /// applied, and the budget is noted.
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        let mut exceptions = Vec::new();
        let mut lines: Vec<(bool, String)> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negate, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let cleaned = clean(pattern);
            if !cleaned.is_empty() {
                lines.push((negate, cleaned));
            }
        }
        let mut later: std::collections::HashSet<(bool, &str)> = std::collections::HashSet::new();
        let last: Vec<bool> = lines.iter().rev().map(|(n, c)| later.insert((*n, c.as_str()))).collect();
        let distinct: Vec<&(bool, String)> =
            lines.iter().zip(last.into_iter().rev()).filter(|(_, last)| *last).map(|(l, _)| l).collect();
        if distinct.len() > crate::budget::MAX_IGNORE_PATTERNS {
            crate::budget::exhausted(crate::budget::Family::Ignore);
        }
        for (negate, cleaned) in distinct.into_iter().take(crate::budget::MAX_IGNORE_PATTERNS) {
            let negate = *negate;
            if let Some(re) = compiled(cleaned) {
                patterns.push((re, negate));
            }
            if negate {
                exceptions.push(cleaned.clone());
            }
        }
        DockerIgnore { patterns, exceptions }
    }

    /// Whether an `!` exception can bring back something at or below `path` (a context path,
    /// possibly a glob): then a copy of `path` still has content.
    pub fn reincludes_under(&self, path: &str) -> bool {
        let path = clean(path);
        self.exceptions.iter().any(|exception| {
            let literal = exception.replace('\\', "");
            path.is_empty()
                || literal == path
                || literal.starts_with(&format!("{path}/"))
                || glob_matches(&path, &literal)
                || parents(&literal).any(|p| glob_matches(&path, p))
        })
    }

    /// Whether some pattern excludes the whole context (`*`, `**`).
    pub fn excludes_everything(&self) -> bool {
        self.patterns.iter().any(|(re, negate)| !negate && re.is_match("anything") && re.is_match(".anything"))
    }

    /// Whether the context path (relative, `/`-separated) is left out of the build context.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let mut excluded = false;
        for (re, negate) in &self.patterns {
            let matched = re.is_match(&path) || parents(&path).any(|p| re.is_match(p));
            if matched {
                excluded = !negate;
            }
        }
        excluded
    }
}

fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Like Go's `filepath.Clean` on a relative pattern, without a leading `/` or `./`.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn glob_to_regex(pattern: &str) -> String {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    // `**/` matches zero or more folders.
                    re.push_str("(.*/)?");
                    i += 1;
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let close = chars[i + 1..].iter().position(|&c| c == ']').map(|p| p + i + 1);
                match close {
                    Some(end) => {
                        let body: String = chars[i + 1..end].iter().collect();
                        let body = body.strip_prefix('^').map(|b| format!("^{b}")).unwrap_or(body);
                        re.push('[');
                        re.push_str(&body.replace('\\', "\\\\"));
                        re.push(']');
                        i = end;
                    }
                    None => re.push_str("\\["),
                }
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex::escape(&chars[i].to_string()));
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    re
}

/// A COPY source glob (`*.py`, `requirements*.txt`), compiled once to match many paths.
pub struct Glob(Option<Regex>);

impl Glob {
    pub fn new(glob: &str) -> Glob {
        Glob(compiled(&clean(glob)))
    }

    pub fn matches(&self, path: &str) -> bool {
        self.0.as_ref().is_some_and(|re| re.is_match(&clean(path)))
    }
}

/// Matches a COPY source glob against one context path.
pub fn glob_matches(glob: &str, path: &str) -> bool {
    Glob::new(glob).matches(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moby_semantics() {
        let d =
            DockerIgnore::parse("# comment\nnode_modules\n*.md\n!README.md\n**/__pycache__\n/secret.txt\ndata/*.csv\n");
        assert!(d.excludes("node_modules/x/y.js"));
        assert!(d.excludes("CHANGES.md"));
        assert!(!d.excludes("README.md"));
        assert!(!d.excludes("docs/a.md"), "`*.md` is anchored at the root");
        assert!(d.excludes("a/b/__pycache__/m.pyc"));
        assert!(d.excludes("secret.txt"));
        assert!(d.excludes("data/x.csv"));
        assert!(!d.excludes("data/sub/x.csv"));
        assert!(!d.excludes("app.py"));
    }

    /// Repeated patterns are kept once, at their last place: the last match still wins.
    #[test]
    fn repeated_patterns_keep_their_last_place() {
        assert!(DockerIgnore::parse("a\n!a\na\n").excludes("a"));
        assert!(!DockerIgnore::parse("!a\na\n!a\n").excludes("a"));
        let many = "**/\n".repeat(100_000) + "!keep\n";
        let d = DockerIgnore::parse(&many);
        assert_eq!(d.patterns.len(), 2);
        assert!(!d.excludes("keep"));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*.py", "app.py"));
        assert!(!glob_matches("*.py", "src/app.py"));
        assert!(glob_matches("./requirements*.txt", "requirements-dev.txt"));
        assert!(glob_matches("src/[a-c]*.py", "src/b.py"));
    }
}

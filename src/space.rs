//! Loading a Space: the files the rules read, read safely.
//!
//! Nothing here follows a link out of the Space, reads an unbounded amount, or trusts a file to
//! be text. Problems become values (`Loaded::Problem`) that rules report with the place; only an
//! unusable target (not a folder) is an error of the whole run.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::source::{decode_text, SourceFile};

/// Largest README.md / Dockerfile / config file read as text. Real ones are a few KiB.
pub const MAX_TEXT_BYTES: u64 = 4 << 20;
/// Largest prefix of any other file read when scanning for leaked tokens.
pub const MAX_SCAN_BYTES: u64 = 1 << 20;
/// Entries walked before giving up on the rest (a vendored node_modules, say).
pub const MAX_WALK_ENTRIES: usize = 100_000;
/// The Hub refuses files over 10 MB that are not in Git LFS.
pub const LARGE_FILE_BYTES: u64 = 10 * 1000 * 1000;

#[derive(Debug, Clone)]
pub enum Loaded {
    Missing,
    Text(SourceFile),
    /// The file is there but cannot be linted (binary, invalid UTF-8, too large, a folder,
    /// a link leaving the Space, a link loop). Line/column when the problem has a place.
    Problem {
        message: String,
        line_col: Option<(usize, usize)>,
    },
}

impl Loaded {
    pub fn text(&self) -> Option<&SourceFile> {
        match self {
            Loaded::Text(f) => Some(f),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Relative to the Space root, `/`-separated (a name that is not UTF-8 is shown with
    /// U+FFFD in place of its bad bytes).
    pub path: String,
    /// The name as it is on disk, relative to the root, for reading it (when it is not UTF-8,
    /// `path` names no file).
    pub on_disk: Option<PathBuf>,
    pub size: u64,
    pub is_symlink: bool,
    /// Ignored by a .gitignore: never pushed, so not in the Hub's build context.
    pub git_ignored: bool,
}

pub struct Space {
    /// How the user named the target (for reports).
    pub display: String,
    pub root: PathBuf,
    pub readme: Loaded,
    pub dockerfile: Loaded,
    pub dockerignore: Option<SourceFile>,
    pub files: Vec<FileEntry>,
    /// Folders seen by the walk (relative paths), including git-ignored ones.
    pub dirs: HashSet<String>,
    pub git_ignored_dirs: Vec<String>,
    pub walk_truncated: bool,
    pub walk_limit: usize,
    /// Whether the files' modes on disk are the Space's (a checkout), not those of copies made
    /// here (a Space fetched from the Hub, whose API gives no exec bits).
    pub modes_known: bool,
    /// Whether the folder is the whole Space as the Hub builds it: a git checkout's root, the
    /// files fetched from the Hub, or a pushed tree. A folder that is none of these may be a
    /// part of a larger repository that a deploy step completes before pushing.
    pub whole: bool,
    /// Folders inside the Space that could not be read (relative paths): their files are not
    /// checked, so the check is incomplete.
    pub unreadable: Vec<String>,
    /// Some files the Hub listed were left out ([`Space::add_listed_files`]): the file list is
    /// partial.
    pub listing_cut: bool,
    gitignores: Vec<Gitignore>,
    lfs: Option<Gitignore>,
    /// Built from texts (fuzzing, tests): nothing is ever read from disk.
    in_memory: bool,
    /// The root, resolved once (see `read_text`).
    canonical_root: std::sync::OnceLock<Result<PathBuf, String>>,
    /// Texts a fix being tried gives to other files than the README and the Dockerfile
    /// (`requirements.txt`): read before the disk, never written by the Space itself.
    edited: std::collections::BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct TargetError(pub String);

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Space {
    /// Replaces the text of a file (a fix being tried, an editor's unsaved text): the README
    /// and the Dockerfile in place, keeping whether they had a BOM; any other file
    /// (`requirements.txt`) in an overlay that `read_text`/`read_bytes` read before the disk.
    /// A text over `MAX_TEXT_BYTES` is bounded as one read from disk is: a problem to report
    /// (`read_bytes` gives its first `MAX_TEXT_BYTES`).
    pub fn set_text(&mut self, path: &str, text: String) -> bool {
        if text.len() as u64 > MAX_TEXT_BYTES && matches!(path, "README.md" | "Dockerfile") {
            let problem =
                Loaded::Problem { message: format!("`{path}` is over {MAX_TEXT_BYTES} bytes"), line_col: None };
            *if path == "README.md" { &mut self.readme } else { &mut self.dockerfile } = problem;
            return true;
        }
        let slot = match path {
            "README.md" => &mut self.readme,
            "Dockerfile" => &mut self.dockerfile,
            _ => {
                self.edited.insert(path.to_string(), text);
                return true;
            }
        };
        let bom = slot.text().is_some_and(|f| f.bom);
        let mut file = SourceFile::new(path, text);
        file.bom = bom;
        *slot = Loaded::Text(file);
        true
    }

    /// Loads a Space folder from disk.
    pub fn load(root: &Path) -> Result<Space, TargetError> {
        Space::load_with_limit(root, MAX_WALK_ENTRIES)
    }

    /// Loads a folder that holds exactly what was pushed (a commit's tree exported by the hook,
    /// the files fetched from the Hub): every file in it reached the remote, so the Space's own
    /// `.gitignore` is not applied (a force-added token file was pushed all the same).
    pub fn load_pushed(root: &Path) -> Result<Space, TargetError> {
        Space::load_inner(root, MAX_WALK_ENTRIES, true)
    }

    /// Loads a Space, walking at most `max_entries` files and folders.
    pub fn load_with_limit(root: &Path, max_entries: usize) -> Result<Space, TargetError> {
        Space::load_inner(root, max_entries, false)
    }

    fn load_inner(root: &Path, max_entries: usize, pushed: bool) -> Result<Space, TargetError> {
        let meta = fs::metadata(root).map_err(|e| TargetError(format!("cannot read `{}`: {e}", root.display())))?;
        if !meta.is_dir() {
            return Err(TargetError(format!(
                "`{}` is not a folder: spacecheck lints a Space folder (the one holding README.md and Dockerfile)",
                root.display()
            )));
        }
        let canonical_root =
            root.canonicalize().map_err(|e| TargetError(format!("cannot resolve `{}`: {e}", root.display())))?;
        let mut space = Space {
            display: root.display().to_string(),
            root: root.to_path_buf(),
            readme: Loaded::Missing,
            dockerfile: Loaded::Missing,
            dockerignore: None,
            files: Vec::new(),
            dirs: HashSet::new(),
            git_ignored_dirs: Vec::new(),
            walk_truncated: false,
            walk_limit: max_entries,
            gitignores: Vec::new(),
            lfs: None,
            modes_known: true,
            whole: pushed || root.join(".git").exists(),
            unreadable: Vec::new(),
            listing_cut: false,
            in_memory: false,
            canonical_root: std::sync::OnceLock::new(),
            edited: Default::default(),
        };
        space.readme = space.load_text_at(&canonical_root, "README.md");
        space.dockerfile = space.load_text_at(&canonical_root, "Dockerfile");
        space.dockerignore = space.load_text_at(&canonical_root, ".dockerignore").text().cloned();
        if let Some(attrs) = space.load_text_at(&canonical_root, ".gitattributes").text() {
            space.lfs = lfs_matcher(root, &attrs.text);
        }
        space.walk(max_entries, !pushed)?;
        Ok(space)
    }

    /// A Space made of a README and a Dockerfile given as bytes, with no folder behind it:
    /// every other file is missing and nothing is read from disk.
    pub fn in_memory(readme: Option<&[u8]>, dockerfile: Option<&[u8]>) -> Space {
        let load = |path: &str, bytes: Option<&[u8]>| match bytes {
            None => Loaded::Missing,
            Some(b) if b.len() as u64 > MAX_TEXT_BYTES => {
                Loaded::Problem { message: format!("`{path}` is over {MAX_TEXT_BYTES} bytes"), line_col: None }
            }
            Some(b) => match decode_text(b) {
                Ok(text) => Loaded::Text(SourceFile::new(path, text)),
                Err(e) => Loaded::Problem { message: format!("`{path}`: {}", e.message), line_col: e.line_col },
            },
        };
        let mut files = Vec::new();
        for (p, b) in [("Dockerfile", dockerfile), ("README.md", readme)] {
            if let Some(b) = b {
                files.push(FileEntry {
                    path: p.into(),
                    on_disk: None,
                    size: b.len() as u64,
                    is_symlink: false,
                    git_ignored: false,
                });
            }
        }
        Space {
            display: "(in memory)".into(),
            root: PathBuf::new(),
            readme: load("README.md", readme),
            dockerfile: load("Dockerfile", dockerfile),
            dockerignore: None,
            files,
            dirs: HashSet::new(),
            git_ignored_dirs: Vec::new(),
            walk_truncated: false,
            walk_limit: MAX_WALK_ENTRIES,
            gitignores: Vec::new(),
            lfs: None,
            modes_known: false,
            whole: false,
            unreadable: Vec::new(),
            listing_cut: false,
            in_memory: true,
            canonical_root: std::sync::OnceLock::new(),
            edited: Default::default(),
        }
    }

    /// Reads a text file of the Space by relative path, refusing links that leave the Space.
    pub fn read_text(&self, rel: &str) -> Loaded {
        if let Some(text) = self.edited.get(rel) {
            if text.len() as u64 > MAX_TEXT_BYTES {
                return Loaded::Problem { message: format!("`{rel}` is over {MAX_TEXT_BYTES} bytes"), line_col: None };
            }
            return Loaded::Text(SourceFile::new(rel, text.clone()));
        }
        if self.in_memory {
            return match rel {
                "README.md" => self.readme.clone(),
                "Dockerfile" => self.dockerfile.clone(),
                _ => Loaded::Missing,
            };
        }
        // Resolved once: a Space's files are read one after another.
        let root = self.canonical_root.get_or_init(|| self.root.canonicalize().map_err(|e| e.to_string()));
        match root {
            Ok(root) => self.load_text_at(root, rel),
            Err(e) => Loaded::Problem { message: format!("cannot resolve the Space folder: {e}"), line_col: None },
        }
    }

    fn load_text_at(&self, canonical_root: &Path, rel: &str) -> Loaded {
        let Some(path) = safe_join(&self.root, rel) else {
            return Loaded::Problem { message: format!("`{rel}` is outside the Space"), line_col: None };
        };
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
            Err(e) => return Loaded::Problem { message: format!("cannot read `{rel}`: {e}"), line_col: None },
        };
        let is_link = meta.file_type().is_symlink();
        if is_link {
            match path.canonicalize() {
                Ok(target) if target.starts_with(canonical_root) => {}
                Ok(_) => {
                    return Loaded::Problem {
                        message: format!("`{rel}` is a symbolic link that points outside the Space; spacecheck does not follow it (the Hub would not have its target)"),
                        line_col: None,
                    }
                }
                Err(e) => {
                    return Loaded::Problem {
                        message: format!("`{rel}` is a symbolic link that cannot be resolved (a loop or a missing target): {e}"),
                        line_col: None,
                    }
                }
            }
        }
        // Follow the link (inside the Space, checked above); a plain file's metadata is known.
        let meta = if is_link {
            match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => return Loaded::Problem { message: format!("cannot read `{rel}`: {e}"), line_col: None },
            }
        } else {
            meta
        };
        if meta.is_dir() {
            return Loaded::Problem { message: format!("`{rel}` is a folder, not a file"), line_col: None };
        }
        if meta.len() > MAX_TEXT_BYTES {
            return Loaded::Problem {
                message: format!(
                    "`{rel}` is {} bytes, over spacecheck's limit of {} bytes for this file",
                    meta.len(),
                    MAX_TEXT_BYTES
                ),
                line_col: None,
            };
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        match crate::source::open_regular(&path).and_then(|f| f.take(MAX_TEXT_BYTES + 1).read_to_end(&mut bytes)) {
            Ok(_) => {}
            Err(e) => return Loaded::Problem { message: format!("cannot read `{rel}`: {e}"), line_col: None },
        }
        if bytes.len() as u64 > MAX_TEXT_BYTES {
            return Loaded::Problem {
                message: format!("`{rel}` grew past {MAX_TEXT_BYTES} bytes while being read"),
                line_col: None,
            };
        }
        match decode_text(&bytes) {
            Ok(text) => Loaded::Text(SourceFile::new(rel, text)),
            Err(e) => Loaded::Problem { message: format!("`{rel}`: {}", e.message), line_col: e.line_col },
        }
    }

    /// Reads a walked file's first `MAX_TEXT_BYTES` as bytes (links not followed).
    pub fn read_bytes(&self, rel: &str) -> Option<Vec<u8>> {
        if let Some(text) = self.edited.get(rel) {
            let bound = usize::try_from(MAX_TEXT_BYTES).unwrap_or(usize::MAX).min(text.len());
            return Some(text.as_bytes()[..bound].to_vec());
        }
        if self.in_memory {
            return self.read_text(rel).text().map(|f| f.text.clone().into_bytes());
        }
        let entry = self.file(rel)?;
        if entry.is_symlink {
            return None;
        }
        let mut bytes = Vec::new();
        let file = crate::source::open_regular(&safe_join(&self.root, rel)?).ok()?;
        file.take(MAX_TEXT_BYTES).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Reads up to `MAX_SCAN_BYTES` of a walked file, for content scans. Links are not followed.
    pub fn read_prefix(&self, entry: &FileEntry) -> Option<Vec<u8>> {
        if self.in_memory {
            return self.read_bytes(&entry.path);
        }
        if entry.is_symlink {
            return None;
        }
        // The name on disk: a name that is not UTF-8 is read too.
        let path = match &entry.on_disk {
            Some(on_disk) => self.root.join(on_disk),
            None => safe_join(&self.root, &entry.path)?,
        };
        let file = crate::source::open_regular(&path).ok()?;
        // Sized from the listing (`take` hides the file's size from `read_to_end`, which would
        // otherwise grow the buffer by doubling and copying); one byte more finds the end.
        let mut bytes = Vec::with_capacity(entry.size.min(MAX_SCAN_BYTES) as usize + 1);
        file.take(MAX_SCAN_BYTES).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Lists the folder's files. A folder that cannot be read is an error (the Space itself)
    /// or is recorded in `unreadable` (a folder inside it: its files are not checked, and the
    /// report says the check is incomplete), never skipped in silence.
    fn walk(&mut self, max_entries: usize, gitignore: bool) -> Result<(), TargetError> {
        let root = self.root.clone();
        if let Some(gi) = gitignore.then(|| gitignore_in(&root)).flatten() {
            self.gitignores.push(gi);
        }
        let mut walker = walkdir::WalkDir::new(&root).follow_links(false).min_depth(1).into_iter();
        let mut seen = 0usize;
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(entry) => entry,
                // The Space folder itself (walkdir reads it at depth 0).
                Err(e) if e.depth() == 0 => {
                    let why = e.io_error().map_or_else(|| e.to_string(), ToString::to_string);
                    return Err(TargetError(format!("cannot read the folder `{}`: {why}", root.display())));
                }
                Err(e) => {
                    let at = e.path().and_then(|p| p.strip_prefix(&root).ok()).map(|p| p.to_string_lossy().to_string());
                    let at = at.unwrap_or_default();
                    // A git-ignored folder (another user's `.venv`) is never pushed: not a gap.
                    if !self.is_git_ignored(&at, true) {
                        self.unreadable.push(at);
                    }
                    continue;
                }
            };
            seen += 1;
            if seen > max_entries {
                self.walk_truncated = true;
                break;
            }
            let Ok(rel_on_disk) = entry.path().strip_prefix(&root) else { continue };
            let rel = rel_on_disk.to_string_lossy().replace('\\', "/");
            let file_type = entry.file_type();
            if file_type.is_dir() {
                if rel == ".git" {
                    walker.skip_current_dir();
                    continue;
                }
                let ignored = self.is_git_ignored(&rel, true);
                self.dirs.insert(rel.clone());
                if ignored {
                    self.git_ignored_dirs.push(rel);
                    walker.skip_current_dir();
                    continue;
                }
                if let Some(gi) = gitignore.then(|| gitignore_in(entry.path())).flatten() {
                    self.gitignores.push(gi);
                }
                continue;
            }
            let size = entry.path().symlink_metadata().map(|m| m.len()).unwrap_or(0);
            let git_ignored = self.is_git_ignored(&rel, false);
            let on_disk = Some(rel_on_disk.to_path_buf());
            self.files.push(FileEntry { path: rel, on_disk, size, is_symlink: file_type.is_symlink(), git_ignored });
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(())
    }

    /// Whether git would leave this path out of a push (the Hub builds from what was pushed).
    pub fn is_git_ignored(&self, rel: &str, is_dir: bool) -> bool {
        let path = self.root.join(rel);
        self.gitignores
            .iter()
            .rev()
            .any(|gi| path.starts_with(gi.path()) && gi.matched_path_or_any_parents(&path, is_dir).is_ignore())
            || self.git_ignored_dirs.iter().any(|d| rel.starts_with(&format!("{d}/")))
    }

    /// Whether .gitattributes puts this path in Git LFS.
    pub fn is_lfs_tracked(&self, rel: &str) -> bool {
        self.lfs.as_ref().is_some_and(|m| m.matched_path_or_any_parents(self.root.join(rel), false).is_ignore())
    }

    /// Records files known to exist (listed by the Hub) whose content was not fetched: they
    /// count for COPY checks, and reading them gives nothing. Each folder is kept once (a
    /// parent already known means all of its parents are); a path deeper than
    /// [`crate::budget::LISTING_DEPTH`] folders is not listed (6,000 files each 250 folders
    /// deep would keep 1.5 million folder names): the listing is then partial, which the
    /// report notes and the rules that need every file (RP002) respect.
    pub fn add_listed_files(&mut self, paths: &[String]) {
        for p in paths {
            if self.file(p).is_some() {
                continue;
            }
            if p.matches('/').count() > crate::budget::LISTING_DEPTH {
                self.listing_cut = true;
                continue;
            }
            let mut dir = p.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if !self.dirs.insert(parent.to_string()) {
                    break;
                }
                dir = parent;
            }
            self.files.push(FileEntry {
                path: p.clone(),
                on_disk: None,
                size: 0,
                is_symlink: false,
                git_ignored: false,
            });
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
    }

    pub fn file(&self, rel: &str) -> Option<&FileEntry> {
        self.files.binary_search_by(|f| f.path.as_str().cmp(rel)).ok().map(|i| &self.files[i])
    }

    pub fn has_dir(&self, rel: &str) -> bool {
        self.dirs.contains(rel)
    }
}

/// Joins a relative path to the root, refusing `..` and absolute components.
fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel_path = Path::new(rel);
    if rel_path.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return None;
    }
    Some(root.join(rel_path))
}

fn gitignore_in(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    let meta = fs::symlink_metadata(&file).ok()?;
    if !meta.is_file() || meta.len() > MAX_TEXT_BYTES {
        return None;
    }
    let mut builder = GitignoreBuilder::new(dir);
    builder.add(&file);
    builder.build().ok()
}

/// The `.gitattributes` patterns that carry `filter=lfs`, as a matcher.
fn lfs_matcher(root: &Path, attributes: &str) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(root);
    let mut any = false;
    for line in attributes.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(pattern) = parts.next() else { continue };
        if parts.any(|a| a == "filter=lfs") {
            any |= builder.add_line(None, pattern).is_ok();
        }
    }
    if any {
        builder.build().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An overlaid text (an editor's, a fix's) is bounded as a read from disk is.
    #[test]
    fn overlaid_texts_are_bounded() {
        let mut space = Space::in_memory(Some(b"---\nsdk: docker\n---\n"), Some(b"FROM python\n"));
        let big = "#".repeat(usize::try_from(MAX_TEXT_BYTES).unwrap() + 1);
        space.set_text("Dockerfile", big.clone());
        assert!(matches!(&space.dockerfile, Loaded::Problem { message, .. } if message.contains("is over")));
        space.set_text("main.py", big);
        assert!(matches!(space.read_text("main.py"), Loaded::Problem { .. }));
        assert_eq!(space.read_bytes("main.py").map(|b| b.len() as u64), Some(MAX_TEXT_BYTES));
        space.set_text("main.py", "print(1)\n".into());
        assert!(space.read_text("main.py").text().is_some());
    }

    /// The red team's listing: 6,000 files, each in its own chain of 250 folders. Past the
    /// depth budget the files are left out (the listing is partial, and says so) instead of
    /// keeping 1.5 million folder names; a shallow listing keeps every folder, once.
    #[test]
    fn a_deep_listing_is_cut_not_kept_whole() {
        let mut space = Space::in_memory(None, None);
        let deep: Vec<String> = (0..6000).map(|i| format!("{}/f.txt", vec![format!("c{i}"); 250].join("/"))).collect();
        space.add_listed_files(&deep);
        assert!(space.listing_cut && space.files.is_empty() && space.dirs.is_empty());
        let mut space = Space::in_memory(None, None);
        let shallow: Vec<String> = (0..100).map(|i| format!("a/b/c{i}/f.txt")).collect();
        space.add_listed_files(&shallow);
        assert!(!space.listing_cut && space.files.len() == 100);
        assert!(space.has_dir("a") && space.has_dir("a/b") && space.has_dir("a/b/c99"));
        assert_eq!(space.dirs.len(), 102);
    }
}

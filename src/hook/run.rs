//! `spacecheck hook run`: what the installed pre-push hook executes, with git's pre-push input
//! (`<local ref> <local sha> <remote ref> <remote sha>` per line) on standard input.
//!
//! For each pushed ref (deletions skipped): the commit's tree is written out exactly as git
//! stores it (every path, `.gitattributes` ignored: `git archive` would drop `export-ignore`
//! files, which are pushed all the same), and linted offline; then every commit the push sends
//! that no remote has yet is scanned for credentials, since a token committed and removed in the
//! next commit still reaches the remote's history.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::{git, HookError};
use crate::check::{self, PolicySource, Target};
use crate::lint::Options;

/// Largest blob read for the credential scan (as RP001 reads files).
const SCAN_BYTES: usize = 1 << 20;

/// One pushed ref, as git's pre-push input gives it.
struct Pushed {
    local_ref: String,
    local_sha: String,
    remote_sha: String,
}

fn pushed_refs(input: &mut dyn BufRead) -> Vec<Pushed> {
    let mut refs: Vec<Pushed> = Vec::new();
    for line in input.lines().map_while(Result::ok) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local_sha, _remote_ref, remote_sha] = fields[..] else { continue };
        let deletion = local_sha.bytes().all(|b| b == b'0');
        if !deletion && !refs.iter().any(|r| r.local_sha == local_sha) {
            refs.push(Pushed {
                local_ref: local_ref.to_string(),
                local_sha: local_sha.to_string(),
                remote_sha: remote_sha.to_string(),
            });
        }
    }
    refs
}

/// `git cat-file --batch`: one process for every blob.
struct Blobs {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Blobs {
    fn open(repo: &Path) -> Result<Blobs, HookError> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| HookError(format!("cannot run git cat-file: {e}")))?;
        let stdin = child.stdin.take().ok_or_else(|| HookError("git cat-file has no input".into()))?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(|| HookError("git cat-file has no output".into()))?);
        Ok(Blobs { child, stdin, stdout })
    }

    /// The content of an object (`<sha> <type> <size>` then the bytes).
    fn read(&mut self, sha: &str) -> Result<Vec<u8>, HookError> {
        let broken = |e: std::io::Error| HookError(format!("git cat-file: {e}"));
        writeln!(self.stdin, "{sha}").and_then(|_| self.stdin.flush()).map_err(broken)?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(broken)?;
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| HookError(format!("git cat-file: no object {sha}")))?;
        let mut content = vec![0; size + 1]; // the object, then a newline
        self.stdout.read_exact(&mut content).map_err(broken)?;
        content.truncate(size);
        Ok(content)
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a commit's tree into `dest` exactly: files with their bytes and exec bit, links as
/// links; submodules are left out (they are other repositories).
fn export_tree(repo: &Path, commit: &str, dest: &Path, blobs: &mut Blobs) -> Result<(), HookError> {
    let listing = git(repo, &["ls-tree", "-r", "-z", "--full-tree", commit])?;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let text = String::from_utf8_lossy(entry);
        let Some((meta, path)) = text.split_once('\t') else { continue };
        let [mode, kind, sha] = meta.split(' ').collect::<Vec<_>>()[..] else { continue };
        if kind != "blob" || path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            continue;
        }
        let target = dest.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| HookError(format!("cannot write {path}: {e}")))?;
        }
        let content = blobs.read(sha)?;
        let written = match mode {
            "120000" => std::os::unix::fs::symlink(String::from_utf8_lossy(&content).as_ref(), &target),
            _ => std::fs::write(&target, &content),
        };
        written.map_err(|e| HookError(format!("cannot write {path}: {e}")))?;
        if mode == "100755" {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(())
}

/// The commits this push sends that no remote has: after the remote's tip for an update, or
/// not on any remote-tracking ref for a new branch.
fn new_commits(repo: &Path, pushed: &Pushed) -> Result<Vec<String>, HookError> {
    let known_remote = pushed.remote_sha.bytes().any(|b| b != b'0');
    let out = if known_remote {
        git(repo, &["rev-list", &pushed.local_sha, "--not", &pushed.remote_sha])?
    } else {
        git(repo, &["rev-list", &pushed.local_sha, "--not", "--remotes"])?
    };
    Ok(String::from_utf8_lossy(&out).lines().map(str::to_string).collect())
}

/// Credentials each new commit adds, as `commit path: kind` (never the value).
fn credentials_in_history(repo: &Path, commits: &[String], blobs: &mut Blobs) -> Result<Vec<String>, HookError> {
    let mut found = Vec::new();
    for commit in commits {
        let changes = git(repo, &["diff-tree", "-r", "--root", "--no-commit-id", "-z", commit])?;
        // `:old_mode new_mode old_sha new_sha status\0path\0` per change.
        let fields: Vec<String> = changes.split(|b| *b == 0).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        for pair in fields.chunks(2) {
            let [meta, path] = pair else { continue };
            let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
            let (Some(new_mode), Some(new_sha), Some(status)) = (parts.get(1), parts.get(3), parts.get(4)) else {
                continue;
            };
            // Deletions add nothing; a submodule (160000) is another repository's commit.
            if status.starts_with('D') || *new_mode == "160000" || new_sha.bytes().all(|b| b == b'0') {
                continue;
            }
            let content = blobs.read(new_sha)?;
            let text = String::from_utf8_lossy(&content[..content.len().min(SCAN_BYTES)]).into_owned();
            for (kind, _) in crate::secrets::find_credentials(&text) {
                let short = &commit[..commit.len().min(8)];
                found.push(format!("commit {short} adds {kind} in `{path}` (value not shown)"));
            }
        }
    }
    found.dedup();
    Ok(found)
}

/// Runs the hook: 0 lets the push go, 1 blocks it.
pub fn run(repo: &Path, space_prefix: &str, input: &mut dyn BufRead) -> Result<i32, HookError> {
    let mut status = 0;
    let mut blobs = Blobs::open(repo)?;
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| HookError(e.to_string()))?;
    for pushed in pushed_refs(input) {
        let short = &pushed.local_sha[..pushed.local_sha.len().min(8)];
        let tmp = tempfile::tempdir().map_err(|e| HookError(format!("cannot create a temporary folder: {e}")))?;
        export_tree(repo, &pushed.local_sha, tmp.path(), &mut blobs)?;
        let suffix = if space_prefix.is_empty() { String::new() } else { format!("/{space_prefix}") };
        // The pushed tree is the whole Space only when the Space is the repository's root.
        let target = Target::Local {
            root: tmp.path().join(space_prefix),
            display: Some(format!("{}@{short}{suffix}", pushed.local_ref)),
            pushed: space_prefix.is_empty(),
        };
        let options = Options { offline: true, ..Options::default() };
        let policy = PolicySource::default().resolve(&target).map_err(|e| HookError(e.to_string()))?;
        let report = runtime
            .block_on(check::check(&target, &policy, &options, None, false, &mut Vec::new()))
            .map_err(|e| HookError(e.to_string()))?;
        // Silent on success: a push with nothing to say prints nothing.
        if !report.diagnostics.is_empty() {
            let _ = std::io::stderr().write_all(
                crate::report::render(&report, crate::report::Format::Human, crate::report::Style::default())
                    .as_bytes(),
            );
        }
        if !report.passed() {
            status = 1;
        }
        for finding in credentials_in_history(repo, &new_commits(repo, &pushed)?, &mut blobs)? {
            crate::redact::warn(&format!("spacecheck: error: {finding}: it would reach the remote's history"));
            status = 1;
        }
    }
    if status != 0 {
        crate::redact::warn(
            "spacecheck: push blocked: fix the findings above, or bypass once with: git push --no-verify",
        );
    }
    Ok(status)
}

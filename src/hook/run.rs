//! `spacecheck hook run`: what the installed pre-push hook executes, with git's pre-push input
//! (`<local ref> <local sha> <remote ref> <remote sha>` per line) on standard input.
//!
//! For each pushed ref (deletions skipped): the commit's tree is written out exactly as git
//! stores it (every path, `.gitattributes` ignored: `git archive` would drop `export-ignore`
//! files, which are pushed all the same), and linted offline; then every object the push sends
//! that the remote does not have (blobs, and the messages of commits and annotated tags, merges
//! included) is scanned for credentials, since a token committed and removed in the next commit
//! still reaches the remote's history.
//!
//! The pushed tree is hostile input: its paths are bytes (never decoded, so two names cannot
//! become one), every folder is created by this code inside a fresh temporary folder and
//! nothing is written through a link or over an entry already there, and a blob is streamed
//! (at most [`EXPORT_BYTES`] of it written, the rest a hole of the right size), never held whole.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::{git, HookError};
use crate::check::{self, PolicySource, Target};
use crate::lint::Options;

/// Largest part of a blob, commit or tag read for the credential scan (as RP001 reads files).
const SCAN_BYTES: u64 = crate::space::MAX_SCAN_BYTES;

/// Largest part of a blob written out for linting: no rule reads more of a file
/// ([`crate::space::MAX_TEXT_BYTES`]); the file still gets its true size (a hole after this).
const EXPORT_BYTES: u64 = crate::space::MAX_TEXT_BYTES;

/// One pushed ref, as git's pre-push input gives it.
struct Pushed {
    local_ref: String,
    local_sha: String,
    remote_sha: String,
}

/// An object id as git prints it (hex), never an option or a revision expression.
fn is_object_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn pushed_refs(input: &mut dyn BufRead) -> Vec<Pushed> {
    let mut refs: Vec<Pushed> = Vec::new();
    for line in input.lines().map_while(Result::ok) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local_sha, _remote_ref, remote_sha] = fields[..] else { continue };
        if !is_object_id(local_sha) || !is_object_id(remote_sha) {
            continue;
        }
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

/// Where the content of a pushed tree's blobs comes from: git's object store, or a fuzz
/// target's stand-in.
pub trait BlobSource {
    /// Streams a blob: its first `keep` bytes into `into`, the rest read and dropped; its
    /// size, or `None` when there is no such object.
    fn blob(&mut self, sha: &str, keep: u64, into: &mut dyn Write) -> Result<Option<u64>, HookError>;
}

impl BlobSource for Objects {
    fn blob(&mut self, sha: &str, keep: u64, into: &mut dyn Write) -> Result<Option<u64>, HookError> {
        Ok(self.stream(sha, keep, into)?.map(|h| h.size))
    }
}

/// `git cat-file --batch`: one process for every object, each streamed.
struct Objects {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// What `git cat-file --batch` says of an object before its bytes.
struct Header {
    kind: String,
    size: u64,
}

impl Objects {
    fn open(repo: &Path) -> Result<Objects, HookError> {
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
        Ok(Objects { child, stdin, stdout })
    }

    /// Streams an object: its first `keep` bytes into `into`, the rest read and dropped; `None`
    /// when git has no such object.
    fn stream(&mut self, sha: &str, keep: u64, into: &mut dyn Write) -> Result<Option<Header>, HookError> {
        let broken = |e: std::io::Error| HookError(format!("git cat-file: {e}"));
        writeln!(self.stdin, "{sha}").and_then(|_| self.stdin.flush()).map_err(broken)?;
        // `<sha> <type> <size>`, or `<sha> missing`: a short line, read within a bound.
        let mut header = Vec::new();
        (&mut self.stdout).take(256).read_until(b'\n', &mut header).map_err(broken)?;
        let header = String::from_utf8_lossy(&header);
        let fields: Vec<&str> = header.split_whitespace().collect();
        let [_, kind, size] = fields[..] else {
            // `<sha> missing`: nothing follows.
            return Ok(None);
        };
        let size: u64 = size.parse().map_err(|_| HookError(format!("git cat-file: no object {sha}")))?;
        let kept = std::io::copy(&mut (&mut self.stdout).take(size.min(keep)), into).map_err(broken)?;
        // The rest, then the newline after the object.
        let rest = size - kept + 1;
        let dropped = std::io::copy(&mut (&mut self.stdout).take(rest), &mut std::io::sink()).map_err(broken)?;
        if dropped != rest {
            return Err(HookError(format!("git cat-file: object {sha} cut short")));
        }
        Ok(Some(Header { kind: kind.to_string(), size }))
    }

    /// The first `keep` bytes of an object, and its header; `None` when git has no such object.
    fn prefix(&mut self, sha: &str, keep: u64) -> Result<Option<(Header, Vec<u8>)>, HookError> {
        let mut bytes = Vec::new();
        Ok(self.stream(sha, keep, &mut bytes)?.map(|header| (header, bytes)))
    }
}

impl Drop for Objects {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A path of the pushed tree that cannot be written out as it is.
fn refuse(path: &[u8], why: &str) -> HookError {
    let shown = String::from_utf8_lossy(path);
    HookError(format!("the pushed tree cannot be checked: `{shown}` {why}; spacecheck writes nothing through it"))
}

fn cannot_write(path: &[u8], e: std::io::Error) -> HookError {
    HookError(format!("cannot write {}: {e}", String::from_utf8_lossy(path)))
}

fn no_object(path: &[u8]) -> HookError {
    HookError(format!("git has no content for `{}` in the pushed tree", String::from_utf8_lossy(path)))
}

/// Creates the folders of `components` under `dest`, one at a time, refusing any that exists
/// as something other than a folder this export made (a link, a file).
fn make_folders(dest: &Path, components: &[&[u8]], path: &[u8]) -> Result<PathBuf, HookError> {
    let mut at = dest.to_path_buf();
    for part in components {
        at.push(OsStr::from_bytes(part));
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_dir() => {}
            Ok(_) => return Err(refuse(path, "passes through an entry of the tree that is a link or a file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&at).map_err(|e| cannot_write(path, e))?
            }
            Err(e) => return Err(cannot_write(path, e)),
        }
    }
    Ok(at)
}

/// Writes a commit's tree into `dest` (a fresh, empty folder) exactly: files with their bytes
/// and exec bit, links as links (never followed); submodules are left out (they are other
/// repositories), as are paths git itself would never check out (`.`, `..`, `.git`).
fn export_tree(repo: &Path, commit: &str, dest: &Path, objects: &mut Objects) -> Result<(), HookError> {
    let listing = git(repo, &["ls-tree", "-r", "-z", "--full-tree", commit])?;
    export_listing(&listing, dest, objects)
}

/// The export of [`export_tree`] from git's listing (`ls-tree -r -z` output: `<mode> SP <type>
/// SP <object> TAB <path>` entries ending in NUL) and a source of blobs. Public for the fuzz
/// target that feeds it hostile listings.
pub fn export_listing(listing: &[u8], dest: &Path, objects: &mut dyn BlobSource) -> Result<(), HookError> {
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> TAB <path>`: the path is bytes, kept as bytes.
        let Some(tab) = entry.iter().position(|b| *b == b'\t') else { continue };
        let (meta, path) = (String::from_utf8_lossy(&entry[..tab]), &entry[tab + 1..]);
        let [mode, kind, sha] = meta.split(' ').collect::<Vec<_>>()[..] else { continue };
        let parts: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
        let unsafe_part = |p: &&[u8]| p.is_empty() || *p == b"." || *p == b".." || p.eq_ignore_ascii_case(b".git");
        if kind != "blob" || !is_object_id(sha) || parts.iter().any(unsafe_part) {
            continue;
        }
        let (name, folders) = parts.split_last().expect("split gives one part at least");
        let target = make_folders(dest, folders, path)?.join(OsStr::from_bytes(name));
        let taken = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refuse(path, "is in the tree twice"),
            _ => cannot_write(path, e),
        };
        if mode == "120000" {
            let mut link = Vec::new();
            objects.blob(sha, 4096, &mut link)?.ok_or_else(|| no_object(path))?;
            std::os::unix::fs::symlink(OsStr::from_bytes(&link), &target).map_err(taken)?;
            continue;
        }
        // create_new: never opens what is already there, a link above all.
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(taken)?;
        let size = objects.blob(sha, EXPORT_BYTES, &mut file)?.ok_or_else(|| no_object(path))?;
        file.set_len(size).map_err(|e| cannot_write(path, e))?;
        if mode == "100755" {
            use std::os::unix::fs::PermissionsExt;
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(())
}

/// Every object this push sends that the remote does not have, with the path a blob or tree
/// was found at (empty for commits and tags): after the remote's tip for an update, or not on
/// any remote-tracking ref for a new branch or when that tip is not here. One git process,
/// however many commits; merges included.
fn new_objects(repo: &Path, pushed: &Pushed) -> Result<Vec<(String, Vec<u8>)>, HookError> {
    let remote_here =
        pushed.remote_sha.bytes().any(|b| b != b'0') && git(repo, &["cat-file", "-e", &pushed.remote_sha]).is_ok();
    let not: &str = if remote_here { &pushed.remote_sha } else { "--remotes" };
    let out = git(repo, &["rev-list", "--objects", &pushed.local_sha, "--not", not])?;
    // `<id>[ <path>]` per line; a path holding a newline continues on the next line.
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for line in out.split(|b| *b == b'\n') {
        let id_len = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let starts_object = matches!(id_len, 40 | 64) && matches!(line.get(id_len), None | Some(b' '));
        if starts_object {
            let name = line.get(id_len + 1..).unwrap_or_default().to_vec();
            objects.push((String::from_utf8_lossy(&line[..id_len]).into_owned(), name));
        } else if let Some((_, name)) = objects.last_mut() {
            name.push(b'\n');
            name.extend_from_slice(line);
        }
    }
    if objects.last().is_some_and(|(_, name)| name.ends_with(b"\n")) {
        objects.last_mut().expect("checked").1.pop();
    }
    Ok(objects)
}

/// Credentials in the objects a push sends (never the value): a blob's content, a commit's or
/// an annotated tag's message. Each object is scanned once, and read no further than
/// [`SCAN_BYTES`].
fn credentials_in_objects(
    objects: &[(String, Vec<u8>)],
    store: &mut Objects,
    seen: &mut std::collections::HashSet<String>,
) -> Result<Vec<String>, HookError> {
    let mut found = Vec::new();
    for (id, name) in objects {
        if !seen.insert(id.clone()) {
            continue;
        }
        // None: a path line that only looked like an object id.
        let Some((header, bytes)) = store.prefix(id, SCAN_BYTES)? else { continue };
        if !crate::secrets::may_hold_credentials(&bytes) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let short = &id[..8];
        let place = match header.kind.as_str() {
            "blob" => format!("in `{}`", String::from_utf8_lossy(name)),
            "commit" => format!("in the message of commit {short}"),
            "tag" => format!("in the message of tag `{}`", String::from_utf8_lossy(name)),
            _ => continue,
        };
        for (kind, _) in crate::secrets::find_credentials(&text) {
            let line = format!("the push adds {kind} {place} (object {short}, value not shown)");
            if !found.contains(&line) {
                found.push(line);
            }
        }
    }
    Ok(found)
}

/// Runs the hook: 0 lets the push go, 1 blocks it.
pub fn run(repo: &Path, space_prefix: &str, input: &mut dyn BufRead) -> Result<i32, HookError> {
    let mut status = 0;
    let mut objects = Objects::open(repo)?;
    let mut scanned = std::collections::HashSet::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| HookError(e.to_string()))?;
    for pushed in pushed_refs(input) {
        let short = &pushed.local_sha[..8];
        let tmp = tempfile::tempdir().map_err(|e| HookError(format!("cannot create a temporary folder: {e}")))?;
        // Only commits have a tree to lint (a pushed tag is scanned below).
        let is_commit = git(repo, &["cat-file", "-e", &format!("{}^{{commit}}", pushed.local_sha)]).is_ok();
        if is_commit {
            export_tree(repo, &pushed.local_sha, tmp.path(), &mut objects)?;
            let suffix = if space_prefix.is_empty() { String::new() } else { format!("/{space_prefix}") };
            // Every file of the export was pushed, and the Space's folder is all there.
            let target = Target::Local {
                root: tmp.path().join(space_prefix),
                display: Some(format!("{}@{short}{suffix}", pushed.local_ref)),
                pushed: true,
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
        }
        let sent = new_objects(repo, &pushed)?;
        for finding in credentials_in_objects(&sent, &mut objects, &mut scanned)? {
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

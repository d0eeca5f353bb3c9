//! The pre-push hook with a real git: a bare remote on disk, a compliant push goes through, a
//! failing one is refused, deletions and other branches are handled, existing hooks survive.

mod support {
    pub mod measure;
}

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_spacecheck")).parent().expect("bin dir").to_path_buf()
}

/// git with a fixed identity, spacecheck's folder first on PATH, and no user config.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    command
}

fn git(dir: &Path, args: &[&str]) -> Output {
    git_command(dir, args).output().expect("git")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn spacecheck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spacecheck"))
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("spacecheck")
}

const README: &str = "---\ntitle: t\nsdk: docker\napp_port: 7860\n---\n";
const GOOD: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /home/user/app\nEXPOSE 7860\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
/// Listens on 8080 while the Hub sends traffic to 7860 (DF008, an error).
const BAD: &str =
    "FROM python:3.11-slim\nWORKDIR /app\nEXPOSE 7860\nCMD [\"python\", \"-m\", \"http.server\", \"8080\"]\n";

/// A work repository with a compliant Space committed, and a bare remote.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let remote = root.path().join("remote.git");
    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    ok(root.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]);
    ok(&work, &["init", "-q", "-b", "main"]);
    ok(&work, &["remote", "add", "origin", remote.to_str().unwrap()]);
    std::fs::write(work.join("README.md"), README).unwrap();
    std::fs::write(work.join("Dockerfile"), GOOD).unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "good"]);
    (root, remote, work)
}

#[test]
fn compliant_push_passes_failing_push_is_refused() {
    let (_root, _remote, work) = setup();
    let out = spacecheck(&work, &["hook", "install"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("git push --no-verify"));

    let push = git(&work, &["push", "-q", "origin", "main"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
    // Silent on success: `git push -q` of a good Space prints nothing at all.
    assert!(push.stderr.is_empty(), "{}", String::from_utf8_lossy(&push.stderr));

    std::fs::write(work.join("Dockerfile"), BAD).unwrap();
    ok(&work, &["commit", "-q", "-am", "bad"]);
    let push = git(&work, &["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&push.stderr);
    assert!(!push.status.success(), "a failing Space was pushed");
    assert!(stderr.contains("DF004") && stderr.contains("push blocked") && stderr.contains("--no-verify"), "{stderr}");
    assert!(stderr.contains("refs/heads/main@"), "the report names the pushed ref: {stderr}");

    // Another branch, pointing at the good commit, is checked as pushed (not the working tree).
    ok(&work, &["branch", "other", "HEAD~1"]);
    let push = git(&work, &["push", "-q", "origin", "other"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
    // A deletion sends nothing to lint.
    let push = git(&work, &["push", "-q", "origin", ":other"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
    // --no-verify bypasses it.
    let push = git(&work, &["push", "-q", "--no-verify", "origin", "main"]);
    assert!(push.status.success());
}

#[test]
fn an_existing_hook_survives() {
    let (_root, _remote, work) = setup();
    let hook = work.join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = spacecheck(&work, &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");

    let out = spacecheck(&work, &["hook", "install", "--force"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(work.join(".git/hooks/pre-push.spacecheck-backup")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    assert!(std::fs::read_to_string(&hook).unwrap().contains("spacecheck-hook"));
    // Installing again is harmless: it replaces only its own hook.
    assert!(spacecheck(&work, &["hook", "install"]).status.success());

    let out = spacecheck(&work, &["hook", "uninstall"]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n", "the previous hook is back");
    // It never removes a hook it did not write.
    let out = spacecheck(&work, &["hook", "uninstall"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(hook.exists());
}

#[test]
fn core_hooks_path_and_a_space_in_a_subfolder() {
    let (_root, _remote, work) = setup();
    ok(&work, &["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir_all(work.join("space")).unwrap();
    std::fs::write(work.join("space/README.md"), README).unwrap();
    std::fs::write(work.join("space/Dockerfile"), BAD).unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "space in a folder"]);
    let out = spacecheck(&work.join("space"), &["hook", "install"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(work.join(".githooks/pre-push").exists());
    let push = git(&work, &["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&push.stderr);
    assert!(!push.status.success() && stderr.contains("DF004"), "the folder's Space was linted: {stderr}");
}

#[test]
fn outside_a_repository_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = spacecheck(dir.path(), &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

/// Built at run time so that this file holds no token-shaped text.
fn token() -> String {
    format!("hf_{}", "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi")
}

/// `export-ignore` files are pushed all the same: the hook lints the tree exactly.
#[test]
fn export_ignored_files_are_linted() {
    let (_root, _remote, work) = setup();
    assert!(spacecheck(&work, &["hook", "install"]).status.success());
    std::fs::write(work.join(".gitattributes"), "notes.txt export-ignore\n").unwrap();
    std::fs::write(work.join("notes.txt"), format!("token = {}\n", token())).unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "notes"]);
    refused(&work, &["push", "origin", "main"], "RP001");
}

/// A token committed and removed in the next commit still reaches the remote's history.
#[test]
fn a_token_in_an_earlier_pushed_commit_blocks_the_push() {
    let (_root, _remote, work) = setup();
    assert!(spacecheck(&work, &["hook", "install"]).status.success());
    assert!(git(&work, &["push", "-q", "origin", "main"]).status.success());
    std::fs::write(work.join("config.py"), format!("TOKEN = '{}'\n", token())).unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "oops"]);
    std::fs::remove_file(work.join("config.py")).unwrap();
    ok(&work, &["commit", "-q", "-am", "remove it"]);
    refused(&work, &["push", "origin", "main"], "adds a Hugging Face token in `config.py`");
    // A new branch holding only pushed commits goes through.
    ok(&work, &["branch", "clean", "HEAD~2"]);
    let push = git(&work, &["push", "-q", "origin", "clean"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
}

/// git with raw bytes on standard input (object names are bytes).
fn git_in(dir: &Path, args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = git_command(dir, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `spacecheck hook run` as the installed hook runs it, for one pushed commit (a new branch),
/// with the child's own peak memory (KiB).
fn hook_run(work: &Path, commit: &str) -> (Output, i64) {
    let zeros = "0".repeat(40);
    let input = format!("refs/heads/main {commit} refs/heads/main {zeros}\n");
    let mut command = Command::new(env!("CARGO_BIN_EXE_spacecheck"));
    command.current_dir(work).args(["hook", "run", "--prefix", ""]).env("GIT_CONFIG_GLOBAL", "/dev/null");
    let m = support::measure::run(&mut command, input.as_bytes());
    (m.output, m.peak_kib)
}

/// A commit of the given top-level tree entries (`mode type id\tname`, names as bytes), on
/// top of HEAD, beside the README and Dockerfile of HEAD.
fn commit_tree(work: &Path, entries: &[Vec<u8>]) -> String {
    let mut input = Vec::new();
    for path in ["README.md", "Dockerfile"] {
        let id = ok(work, &["rev-parse", &format!("HEAD:{path}")]);
        input.extend_from_slice(format!("100644 blob {}\t{path}\0", id.trim()).as_bytes());
    }
    for entry in entries {
        input.extend_from_slice(entry);
        input.push(0);
    }
    let tree = git_in(work, &["mktree", "-z"], &input);
    let head = ok(work, &["rev-parse", "HEAD"]);
    ok(work, &["commit-tree", &tree, "-p", head.trim(), "-m", "hostile"]).trim().to_string()
}

fn entry(mode: &str, kind: &str, id: &str, name: &[u8]) -> Vec<u8> {
    let mut e = format!("{mode} {kind} {id}\t").into_bytes();
    e.extend_from_slice(name);
    e
}

/// A pushed tree whose link and folder names decode to the same text (`\xfe`, `\xff`), or are
/// the same name, must not make the hook write through the link (the red team's `.bashrc`).
#[test]
fn a_hostile_tree_never_writes_outside_the_export() {
    let (root, _remote, work) = setup();
    let victim = root.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    let link = git_in(&work, &["hash-object", "-w", "--stdin"], victim.to_str().unwrap().as_bytes());
    let payload = git_in(&work, &["hash-object", "-w", "--stdin"], b"echo pwned\n");
    let folder = git_in(&work, &["mktree", "-z"], &entry("100644", "blob", &payload, b".bashrc"));

    // Two names git keeps apart, one text once decoded lossily.
    let twins =
        commit_tree(&work, &[entry("120000", "blob", &link, b"\xfe"), entry("040000", "tree", &folder, b"\xff")]);
    let (out, _) = hook_run(&work, &twins);
    assert!(
        !victim.join(".bashrc").exists(),
        "the hook wrote through a link: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some_and(|c| c <= 2), "{out:?}");

    // The same name twice: a link, then a folder.
    let same = commit_tree(&work, &[entry("120000", "blob", &link, b"a"), entry("040000", "tree", &folder, b"a")]);
    let (out, _) = hook_run(&work, &same);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!victim.join(".bashrc").exists(), "the hook wrote through a link: {stderr}");
    assert_eq!(out.status.code(), Some(2), "a tree that cannot be written out is refused: {stderr}");
    assert!(stderr.contains("cannot be checked") && stderr.contains("`a"), "{stderr}");
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 0);
}

/// A push the hook refuses, saying `why`, without the token's value.
fn refused(work: &Path, push: &[&str], why: &str) {
    let out = git(work, push);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{push:?} went through: {stderr}");
    assert!(stderr.contains(why), "{stderr}");
    assert!(!stderr.contains(&token()[3..20]), "{stderr}");
}

/// A token added by a merge commit (in neither parent) and removed in the next commit reaches
/// the remote all the same; so does one in a commit message or an annotated tag's message.
#[test]
fn tokens_in_merges_and_messages_block_the_push() {
    let (_root, _remote, work) = setup();
    assert!(spacecheck(&work, &["hook", "install"]).status.success());
    assert!(git(&work, &["push", "-q", "origin", "main"]).status.success());
    ok(&work, &["checkout", "-q", "-b", "side"]);
    std::fs::write(work.join("side.txt"), "side\n").unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "side"]);
    ok(&work, &["checkout", "-q", "main"]);
    std::fs::write(work.join("main.txt"), "main\n").unwrap();
    ok(&work, &["add", "."]);
    ok(&work, &["commit", "-q", "-m", "main"]);
    ok(&work, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
    std::fs::write(work.join("evil.py"), format!("TOKEN = '{}'\n", token())).unwrap();
    ok(&work, &["add", "evil.py"]);
    ok(&work, &["commit", "-q", "-m", "merge"]);
    ok(&work, &["rm", "-q", "evil.py"]);
    ok(&work, &["commit", "-q", "-m", "gone"]);
    refused(&work, &["push", "origin", "main"], "adds a Hugging Face token in `evil.py`");

    // A commit message.
    ok(&work, &["reset", "-q", "--hard", "HEAD~2"]);
    ok(&work, &["commit", "-q", "--allow-empty", "-m", &format!("deploy with {}", token())]);
    refused(&work, &["push", "origin", "main"], "in the message of commit");

    // An annotated tag's message, on a commit the remote already has.
    ok(&work, &["reset", "-q", "--hard", "HEAD~1"]);
    assert!(git(&work, &["push", "-q", "origin", "main"]).status.success());
    ok(&work, &["tag", "-a", "v1", "-m", &format!("release {}", token())]);
    refused(&work, &["push", "origin", "v1"], "in the message of tag");
    // A lightweight tag on a pushed commit sends nothing new.
    ok(&work, &["tag", "v2"]);
    let push = git(&work, &["push", "-q", "origin", "v2"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
}

/// A large blob (here 256 MB of zeros, 256 KB once compressed) is streamed, never held whole:
/// the hook's own memory stays small and the file keeps its size for the rules that weigh it.
#[test]
fn a_large_blob_is_streamed() {
    let (_root, _remote, work) = setup();
    let zeros = vec![0u8; 256 << 20];
    let blob = git_in(&work, &["hash-object", "-w", "--stdin"], &zeros);
    drop(zeros);
    let commit = commit_tree(&work, &[entry("100644", "blob", &blob, b"weights.bin")]);
    let (out, peak_kib) = hook_run(&work, &commit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{stderr}");
    assert!(peak_kib < 100 * 1024, "the hook held {peak_kib} KiB for a 256 MB blob");
    // Over 10 MB and not in LFS: the rule that weighs files still sees its true size.
    assert!(stderr.contains("weights.bin"), "{stderr}");
}

/// 3,001 new commits (made with `git fast-import`) are scanned by one git process, not one per
/// commit: the hook's time stays that of a lint (the red team measured 15-27 s before).
#[test]
fn many_new_commits_are_scanned_at_once() {
    let (_root, _remote, work) = setup();
    let head = ok(&work, &["rev-parse", "HEAD"]).trim().to_string();
    let mut stream = String::new();
    for i in 0..3001 {
        let from = if i == 0 { format!("from {head}\n") } else { String::new() };
        let body = format!("note {i}\n");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@example.com> {} +0000\ndata 2\nc\n{from}M 100644 inline notes.txt\ndata {}\n{body}\n",
            1_700_000_000 + i,
            body.len()
        ));
    }
    git_in(&work, &["fast-import", "--quiet"], stream.as_bytes());
    let tip = ok(&work, &["rev-parse", "main"]).trim().to_string();
    assert_eq!(ok(&work, &["rev-list", "--count", &format!("{head}..{tip}")]).trim(), "3001");
    let start = std::time::Instant::now();
    let (out, _) = hook_run(&work, &tip);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // A hang guard, not a benchmark (the figure is in the README): one git process per
    // commit took 15-27 s in a release build.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

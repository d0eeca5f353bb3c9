//! The pre-push hook with a real git: a bare remote on disk, a compliant push goes through, a
//! failing one is refused, deletions and other branches are handled, existing hooks survive.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_spacecheck")).parent().expect("bin dir").to_path_buf()
}

/// git with a fixed identity, spacecheck's folder first on PATH, and no user config.
fn git(dir: &Path, args: &[&str]) -> Output {
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git")
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
    let push = git(&work, &["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&push.stderr);
    assert!(!push.status.success(), "the token was pushed: {stderr}");
    assert!(stderr.contains("RP001") && stderr.contains("notes.txt"), "{stderr}");
    assert!(!stderr.contains(&token()[3..20]), "{stderr}");
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
    let push = git(&work, &["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&push.stderr);
    assert!(!push.status.success(), "history with a token was pushed: {stderr}");
    assert!(stderr.contains("adds a Hugging Face token in `config.py`"), "{stderr}");
    assert!(!stderr.contains(&token()[3..20]), "{stderr}");
    // A new branch holding only pushed commits goes through.
    ok(&work, &["branch", "clean", "HEAD~2"]);
    let push = git(&work, &["push", "-q", "origin", "clean"]);
    assert!(push.status.success(), "{}", String::from_utf8_lossy(&push.stderr));
}

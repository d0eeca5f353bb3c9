//! `spacecheck hook install|uninstall`: a git pre-push hook that lints what is being pushed and
//! blocks the push on failure.
//!
//! The installed hook is a small script that finds spacecheck and runs `spacecheck hook run`
//! ([`run`]) with git's pre-push input: each pushed commit's tree is linted exactly as pushed,
//! and every new commit is scanned for credentials. Installing honours `core.hooksPath`, never
//! replaces a hook spacecheck did not write without `--force` (and then keeps a backup), and
//! `uninstall` removes only its own hook.

pub mod run;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Marks hooks written by spacecheck.
pub const MARKER: &str = "# spacecheck-hook v1";

#[derive(Debug)]
pub struct HookError(pub String);

/// Runs git in `dir`; its output, or what git said on failure. Shared by installing the hook
/// and by `hook run`.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, HookError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| HookError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(HookError(format!("git {} failed: {}", args.join(" "), why.trim())));
    }
    Ok(out.stdout)
}

/// One line git prints about the repository holding `dir`.
fn repository_fact(dir: &Path, args: &[&str]) -> Result<String, HookError> {
    let out = git(dir, args)
        .map_err(|e| HookError(format!("`{}` is not inside a git repository: {}", dir.display(), e.0)))?;
    Ok(String::from_utf8_lossy(&out).trim_end_matches(['\n', '\r']).to_string())
}

/// The hook file for the repository holding `dir` (core.hooksPath honoured), and the Space's
/// folder inside the repository (`""` at the root).
pub fn locate(dir: &Path) -> Result<(PathBuf, String), HookError> {
    let hooks = repository_fact(dir, &["rev-parse", "--git-path", "hooks"])?;
    let hooks = if Path::new(&hooks).is_absolute() { PathBuf::from(hooks) } else { dir.join(hooks) };
    let prefix = repository_fact(dir, &["rev-parse", "--show-prefix"])?;
    Ok((hooks.join("pre-push"), prefix.trim_end_matches('/').to_string()))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The hook script.
pub fn script(space_prefix: &str, fallback_binary: &str) -> String {
    format!(
        r#"#!/bin/sh
{MARKER}
# Installed by `spacecheck hook install`; remove with `spacecheck hook uninstall`.
# Lints each pushed commit (not the working tree), scans the commits it sends for credentials,
# and blocks the push when spacecheck finds errors. Bypass once with: git push --no-verify
SPACE_PREFIX={prefix}
SPACECHECK_FALLBACK={fallback}
if command -v spacecheck >/dev/null 2>&1; then
    SC=spacecheck
elif [ -x "$SPACECHECK_FALLBACK" ]; then
    SC="$SPACECHECK_FALLBACK"
else
    echo "spacecheck: not found on PATH; install it, or bypass once with: git push --no-verify" >&2
    exit 1
fi
exec "$SC" hook run --prefix "$SPACE_PREFIX"
"#,
        prefix = shell_quote(space_prefix),
        fallback = shell_quote(fallback_binary),
    )
}

fn backup_path(hook: &Path) -> PathBuf {
    let base = hook.with_file_name("pre-push.spacecheck-backup");
    if !base.exists() {
        return base;
    }
    (1..).map(|n| hook.with_file_name(format!("pre-push.spacecheck-backup.{n}"))).find(|p| !p.exists()).unwrap_or(base)
}

/// Installs the hook; returns what was done, for the user.
pub fn install(dir: &Path, force: bool) -> Result<String, HookError> {
    let (hook, prefix) = locate(dir)?;
    let mut done = Vec::new();
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(MARKER) {
            if !force {
                return Err(HookError(format!(
                    "a pre-push hook already exists at {} and spacecheck did not write it; rerun with --force to replace it (it is kept as a backup)",
                    hook.display()
                )));
            }
            let backup = backup_path(&hook);
            std::fs::rename(&hook, &backup)
                .map_err(|e| HookError(format!("cannot back up {}: {e}", hook.display())))?;
            done.push(format!("kept the previous hook as {}", backup.display()));
        }
    } else if hook.exists() {
        return Err(HookError(format!("{} exists but cannot be read", hook.display())));
    }
    if let Some(parent) = hook.parent() {
        std::fs::create_dir_all(parent).map_err(|e| HookError(format!("cannot create {}: {e}", parent.display())))?;
    }
    let me = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
    std::fs::write(&hook, script(&prefix, &me))
        .map_err(|e| HookError(format!("cannot write {}: {e}", hook.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| HookError(format!("cannot make {} executable: {e}", hook.display())))?;
    }
    let what = if prefix.is_empty() { "the repository".to_string() } else { format!("the Space in `{prefix}/`") };
    done.insert(
        0,
        format!("installed the spacecheck pre-push hook at {}: every push lints {what} as pushed", hook.display()),
    );
    done.push("bypass it once with: git push --no-verify".into());
    Ok(done.join("\n"))
}

/// Removes the hook if spacecheck wrote it, restoring the backup `install --force` kept.
pub fn uninstall(dir: &Path) -> Result<String, HookError> {
    let (hook, _) = locate(dir)?;
    let Ok(existing) = std::fs::read_to_string(&hook) else {
        return Ok(format!("no pre-push hook at {}: nothing to remove", hook.display()));
    };
    if !existing.contains(MARKER) {
        return Err(HookError(format!(
            "the pre-push hook at {} was not installed by spacecheck; left as it is",
            hook.display()
        )));
    }
    std::fs::remove_file(&hook).map_err(|e| HookError(format!("cannot remove {}: {e}", hook.display())))?;
    let backup = hook.with_file_name("pre-push.spacecheck-backup");
    if backup.exists() {
        std::fs::rename(&backup, &hook).map_err(|e| HookError(format!("cannot restore {}: {e}", backup.display())))?;
        return Ok(format!("removed spacecheck's pre-push hook and restored the previous one at {}", hook.display()));
    }
    Ok(format!("removed spacecheck's pre-push hook at {}", hook.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_odd_paths() {
        assert_eq!(shell_quote("it's here"), "'it'\\''s here'");
        let s = script("spaces/my space", "/opt/x's/spacecheck");
        assert!(s.contains("SPACE_PREFIX='spaces/my space'"));
        assert!(s.contains(MARKER));
    }
}

use crate::diag::{Applicability, Fix};
use crate::parse::shell::SimpleCommand;
use crate::rules::hadolint::{is_program, scripts};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3004,
    name: "sudo",
    severity: Severity::Error,
    summary: "`sudo` in a RUN (hadolint DL3004)",
    doc: r#"## What it checks
A `RUN` (or `ONBUILD RUN`) that runs a command through `sudo`. Same semantics as hadolint's
DL3004.

## Why it matters on a Space
`RUN` runs as root until a `USER` line, so `sudo` adds nothing there, and the images Spaces
build on (`python:*`, `debian`, `ubuntu`, `node`) do not have it: the Hub build stops with
`/bin/sh: 1: sudo: not found`. After `USER user`, `sudo` asks for a password the build cannot
type. Either way the build fails.

## Example
```dockerfile
FROM python:3.11-slim
RUN sudo apt-get update
```

## Fix
Drop `sudo` and do root work before `USER user`. The fix removes the word `sudo` (unsafe: after
`USER`, move the line before it yourself)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3004")],
    fixable: crate::rules::Fixable::Yes,
};

/// A package manager's install of `sudo` (`apt-get install -y sudo`, `apk add sudo`).
fn installs_sudo(command: &SimpleCommand) -> bool {
    crate::model::installs::system_install(command).is_some_and(|i| i.names("sudo"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = ctx.dockerfile_file() else { return };
    let mut sudo_installed = false;
    for script in scripts(ctx) {
        for command in script.commands {
            if installs_sudo(command) {
                sudo_installed = true;
            }
            if !is_program(command, &["sudo"]) {
                continue;
            }
            let span = script.word_span(command, 0).unwrap_or_else(|| script.step.ins.span.clone());
            let d = if sudo_installed {
                // It builds: the image installs sudo (and, to run it here, a sudoers entry).
                Diagnostic::new(
                    &RULE,
                    "`sudo` in a RUN: it works only because this image installs sudo (and lets the user use \
                     it); a RUN before `USER` already runs as root, without sudo",
                )
                .severity(Severity::Warning)
            } else {
                Diagnostic::new(
                    &RULE,
                    "`sudo` in a RUN: RUN already runs as root before `USER`, and the usual Space base images have \
                     no sudo, so the Hub build fails with `sudo: not found`",
                )
            };
            let mut d = d.at(file, span).help("remove `sudo` and put root-only commands before `USER`");
            // Only a bare `sudo CMD`: with options (`sudo -u user …`) the intent is not ours to guess.
            // Not after a non-root USER either: without sudo the command would run as that user.
            let as_user = ctx.model.as_ref().is_some_and(|m| {
                let run = m.runs.iter().find(|r| r.span == script.step.ins.span);
                run.is_some_and(|r| matches!(m.account(r.stage, &r.user), crate::model::Account::NonRoot { .. }))
            });
            let next = script
                .word_span(command, 1)
                .filter(|_| !as_user && command.words.get(1).is_some_and(|w| !w.starts_with('-')));
            if let (Some(sudo), Some(next)) = (script.word_span(command, 0), next) {
                d = d.fix(Fix::replace(Applicability::Unsafe, "remove `sudo`", file, sudo.start..next.start, ""));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3004Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("RUN sudo apt-get update\n", "DL3004").len(), 1);
        assert_eq!(hadolint_case("ONBUILD RUN sudo apt-get update\n", "DL3004").len(), 1);
        assert!(hadolint_case("RUN apt-get install sudo\n", "DL3004").is_empty());
        assert!(hadolint_case("ONBUILD RUN apt-get install sudo\n", "DL3004").is_empty());
        assert_eq!(hadolint_case("RUN apt-get update && sudo apt-get install\n", "DL3004").len(), 1);
    }

    /// BuildKit drops comment lines inside a continued RUN: sudo listed after one is installed
    /// (corpus: nordeim__HF-Space).
    #[test]
    fn sudo_installed_in_a_list_broken_by_comment_lines() {
        let df = "FROM python:3.11\nRUN apt-get update && apt-get install -y \\\n    # Core utilities\n    curl sudo \\\n    # more\n    git\nRUN sudo ln -s /a /b\n";
        let d = hadolint_case(df, "DL3004");
        assert_eq!(d[0].severity, crate::rules::Severity::Warning, "{d:?}");
        assert!(d[0].message.contains("this image installs sudo"), "{}", d[0].message);
    }

    /// After a non-root USER, removing sudo would run the command as that user: no fix.
    #[test]
    fn no_fix_after_a_non_root_user() {
        let df = "FROM python:3.11\nRUN apt-get update && apt-get install -y sudo\nRUN useradd -m -u 1000 user\nUSER user\nRUN sudo ln -s /a /b\n";
        let d = hadolint_case(df, "DL3004");
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        let root = "FROM python:3.11\nRUN sudo apt-get update\n";
        assert!(hadolint_case(root, "DL3004")[0].fix.is_some());
    }

    /// An image that installs sudo builds: the finding says so, as a warning.
    #[test]
    fn installed_sudo_is_a_warning() {
        let df = "FROM python:3.11\nRUN apt-get update && apt-get install -y sudo\nUSER user\nRUN sudo ln -s /a /b\n";
        let found = hadolint_case(df, "DL3004");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, crate::rules::Severity::Warning);
        assert!(found[0].message.contains("works only because"), "{}", found[0].message);
    }
}

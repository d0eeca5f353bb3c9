use crate::parse::dockerfile::{Args, Kind};
use crate::rules::hadolint::{scripts, steps};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL4006,
    name: "pipefail",
    severity: Severity::Warning,
    summary: "a RUN with a pipe and no `-o pipefail` SHELL (hadolint DL4006; off unless selected)",
    doc: r#"## What it checks
A `RUN` whose shell has a pipe (`curl … | sh`) while the stage's `SHELL` is not bash, zsh or ash
with `-o pipefail`. Same semantics as hadolint's DL4006: `SHELL` is reset by every `FROM`, and
stages using PowerShell or cmd are not judged.

## Why it matters on a Space
Without pipefail a pipe succeeds when its last command does: `curl -fsSL URL | sh` with a failed
download builds an image without the tool, and the Space fails later, at start. Off by default
(`--select DL4006`): many pipes are harmless. Unlike hadolint, a pipe whose left side cannot fail
(`echo … | tee`) or whose list goes on after a failure anyway (`… | grep x || true`) is not
reported: pipefail would change nothing there.

## Example
```dockerfile
RUN curl -fsSL https://ollama.com/install.sh | sh
```

## Fix
`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (on Alpine: `/bin/ash`).
`spacecheck --fix --unsafe-fixes` adds that line for a Debian, Ubuntu or Alpine image (unsafe:
every later RUN of the stage runs in that shell, and fails where a pipe hid a failure)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL4006")],
    fixable: crate::rules::Fixable::Yes,
};

/// A SHELL that makes pipes fail with their first failing command, or one hadolint does not
/// judge (PowerShell, cmd).
fn shell_is_safe(words: &[String]) -> bool {
    let first = words.first().map(String::as_str).unwrap_or_default();
    if ["pwsh", "powershell", "cmd"].iter().any(|p| first.starts_with(p)) {
        return true;
    }
    let name = first.rsplit('/').next().unwrap_or(first);
    let has_o = words.iter().skip(1).any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('o'));
    ["bash", "zsh", "ash"].contains(&name) && has_o && words.iter().any(|w| w == "pipefail")
}

/// Programs that do not fail on the left of a pipe (they print what they are given).
const CANNOT_FAIL: &[&str] = &["echo", "printf", "true", ":", "yes"];

/// A command whose output goes into a pipe, that can fail, and whose failure would stop the
/// build with pipefail: not one whose list ends in `|| true` (or any `||`), nor one inside an
/// `if`: there the script goes on after a failure whatever the SHELL.
fn pipe_can_hide_a_failure(c: &crate::parse::shell::SimpleCommand) -> bool {
    c.piped && !c.conditional && !c.program_name().is_some_and(|p| CANNOT_FAIL.contains(&p))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let piped: Vec<bool> = scripts(ctx).iter().map(|s| s.commands.iter().any(pipe_can_hide_a_failure)).collect();
    let mut runs = piped.into_iter();
    let mut safe = false;
    for step in steps(df) {
        match (step.ins.kind, &step.ins.args) {
            (Kind::From, _) => safe = false,
            (Kind::Shell, Args::Words(words)) => {
                safe = shell_is_safe(&words.iter().map(|w| w.text.clone()).collect::<Vec<_>>());
            }
            // The guard advances `runs` on every RUN: its pipes are read in the same order.
            (Kind::Run, _) if runs.next() == Some(true) && !safe => out.push(
                Diagnostic::new(
                    &RULE,
                    "a pipe in a RUN without `-o pipefail`: if a command before the last `|` fails, the build goes on without it",
                )
                .at(file, step.ins.keyword_span.clone())
                .help("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (`/bin/ash` on Alpine)")
                .maybe_fix(pipefail_fix(ctx, file, step.stage, step.ins)),
            ),
            _ => {}
        }
    }
}

/// `SHELL [<the image's shell>, "-o", "pipefail", "-c"]` on the line before the RUN: bash on
/// Debian and Ubuntu images, ash on Alpine (both take `-o pipefail`), for an image the
/// catalogue knows. Unsafe: every later RUN of the stage runs in that shell, failing where a
/// pipe hid a failure before.
fn pipefail_fix(
    ctx: &Context,
    file: &crate::source::SourceFile,
    stage: usize,
    ins: &crate::parse::dockerfile::Instruction,
) -> Option<crate::diag::Fix> {
    use crate::model::base::Distro;
    let base = ctx.model.as_ref()?.stage_base(stage);
    let shell = match base.distro {
        Distro::Debian | Distro::Ubuntu => "/bin/bash",
        Distro::Alpine => "/bin/ash",
        _ => return None,
    };
    let at = crate::rules::edits::instruction_lines(file, ins)?.start;
    let line = format!("SHELL [\"{shell}\", \"-o\", \"pipefail\", \"-c\"]");
    let message = format!("add `{line}` before this RUN");
    Some(crate::diag::Fix::replace(crate::diag::Applicability::Unsafe, message, file, at..at, format!("{line}{}", file.newline())))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(lines: &[&str]) -> usize {
        hadolint_case(&(lines.join("\n") + "\n"), "DL4006").len()
    }

    const PIPE: &str = "RUN wget -O - https://some.site | wc -l file > /number";

    /// hadolint's DL4006Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(found(&["FROM scratch", "RUN wget -O - https://some.site | wc -l > /number"]), 1);
        assert_eq!(found(&["FROM scratch as build", "RUN wget -O - https://some.site && wc -l file > /number"]), 0);
        for shell in [
            r#"SHELL ["/bin/bash", "-eo", "pipefail", "-c"]"#,
            r#"SHELL ["/bin/bash", "-e", "-o", "pipefail", "-c"]"#,
            r#"SHELL ["/bin/bash", "-o", "errexit", "-o", "pipefail", "-c"]"#,
            r#"SHELL ["/bin/zsh", "-o", "pipefail", "-c"]"#,
            r#"SHELL ["/usr/bin/bash", "-o", "pipefail", "-c"]"#,
            r#"SHELL ["/usr/local/bin/zsh", "-o", "pipefail", "-c"]"#,
        ] {
            assert_eq!(found(&["FROM scratch as build", shell, PIPE]), 0, "{shell}");
        }
        let powershell = "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value";
        assert_eq!(found(&["FROM scratch as build", r#"SHELL ["pwsh", "-c"]"#, powershell]), 0);
        assert_eq!(found(&["FROM scratch as build", r#"SHELL ["/bin/sh", "-o", "pipefail", "-c"]"#, PIPE]), 1);
        let bash = r#"SHELL ["/bin/bash", "-o", "pipefail", "-c"]"#;
        assert_eq!(found(&["FROM scratch as build", bash, PIPE, "FROM scratch as build2", PIPE]), 1);
        assert_eq!(found(&["FROM scratch as build", bash, PIPE, r#"SHELL ["/bin/sh", "-c"]"#, PIPE]), 1);
        for shell in [r#"SHELL [ "pwsh", "-c" ]"#, r#"SHELL [ "powershell.exe" ]"#, r#"SHELL [ "cmd.exe", "/c" ]"#] {
            assert_eq!(found(&["FROM mcr.microsoft.com/powershell:ubuntu-16.04", shell, powershell]), 0, "{shell}");
        }
    }

    #[test]
    fn or_is_not_a_pipe() {
        assert_eq!(found(&["FROM python:3.11", "RUN test -f x || touch x"]), 0);
    }

    /// Issue 25: pipefail changes nothing where the list goes on after a failure anyway, or
    /// where the left side cannot fail.
    #[test]
    fn only_pipes_whose_failure_pipefail_would_catch() {
        assert_eq!(found(&["FROM python:3.11", "RUN curl -s https://x | grep foo || true"]), 0);
        assert_eq!(found(&["FROM python:3.11", "RUN if curl -s https://x | grep -q foo; then echo y; fi"]), 0);
        assert_eq!(found(&["FROM python:3.11", "RUN echo 'deb http://x stable main' | tee /etc/apt/sources.list.d/x.list"]), 0);
        assert_eq!(found(&["FROM python:3.11", "RUN printf 'a\\n' | sort"]), 0);
        // Near misses that still fire: the failing side is not covered.
        assert_eq!(found(&["FROM python:3.11", "RUN curl -s https://x | sh && echo done"]), 1);
        assert_eq!(found(&["FROM python:3.11", "RUN echo x | tee a && curl -s https://x | sh"]), 1);
    }
}

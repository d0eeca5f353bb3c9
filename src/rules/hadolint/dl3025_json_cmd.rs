use crate::parse::dockerfile::{Args, CommandForm, Dockerfile, Instruction, Kind};
use crate::rules::start_form::{self, ShellForm};
use crate::rules::hadolint::steps;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3025,
    name: "json-cmd",
    severity: Severity::Warning,
    summary: "`CMD`/`ENTRYPOINT` in shell form (hadolint DL3025; off unless selected)",
    doc: r#"## What it checks
A `CMD` or `ENTRYPOINT` written as a plain command line instead of a JSON array. Same semantics
as hadolint's DL3025.

## Why it matters on a Space
Shell form runs the server under `/bin/sh -c`: the shell, not the server, gets the stop signal
when the Hub restarts the Space, so the server is killed after the grace period instead of
shutting down cleanly. A shell-form `ENTRYPOINT` also ignores `CMD`. Off by default: shell form is
needed for `$PORT` and `&&`, and then it is right (`--select DL3025`).

## Example
```dockerfile
CMD uvicorn main:app --host 0.0.0.0 --port 7860
```

## Fix
`CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]`. The fix rewrites a command
line that is one plain command (no variables, quotes, operators or redirections) as a JSON array;
one that needs its shell becomes the array that runs the stage's SHELL with `exec` before the
last command (`CMD ["/bin/sh", "-c", "cd /app && exec uvicorn main:app --port $PORT"]`), where
that hands the shell's place to the server (unsafe: a shell-form ENTRYPOINT starts taking CMD's
arguments)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3025"), Equivalent::BuildKit("JSONArgsRecommended")],
    fixable: crate::rules::Fixable::Yes,
};

/// The stage's `SHELL` before this step (the default one when it sets none).
fn stage_shell(df: &Dockerfile, stage: usize, upto: *const Instruction) -> Vec<String> {
    let mut shell = start_form::default_shell();
    for step in steps(df).into_iter().filter(|s| s.stage == stage) {
        if std::ptr::eq(step.ins, upto) {
            break;
        }
        if let (Kind::Shell, Args::Words(words)) = (step.ins.kind, &step.ins.args) {
            shell = words.iter().map(|w| w.text.clone()).collect();
        }
    }
    shell
}

/// Whether a SHELL is bash: bash runs a single command in its own place (it execs it), so the
/// server gets the signal.
fn is_bash(shell: &[String]) -> bool {
    shell.first().is_some_and(|w| w.rsplit('/').next() == Some("bash"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    for step in steps(df).into_iter().filter(|s| matches!(s.ins.kind, Kind::Cmd | Kind::Entrypoint)) {
        let Args::Command(CommandForm::Shell(line)) = &step.ins.args else { continue };
        let keyword = step.ins.kind.keyword();
        let form = start_form::read(&line.text);
        let shell = stage_shell(df, step.stage, step.ins);
        let message = match &form {
            ShellForm::Execs | ShellForm::ExecLast => format!(
                "`{keyword}` in shell form ends with `exec`: the shell hands over to the server (it gets the stop \
                 signal); hadolint flags every shell form"
            ),
            ShellForm::Array(_) if is_bash(&shell) => format!(
                "`{keyword}` in shell form under `SHELL [\"bash\", …]`: bash runs a single command in its own place (the \
                 server gets the stop signal); hadolint flags every shell form"
            ),
            ShellForm::Array(_) => format!(
                "`{keyword}` in shell form runs through `/bin/sh -c`: where that shell does not replace itself with the \
                 command (busybox, older dash), the server does not get the stop signal when the Space restarts"
            ),
            ShellForm::NeedsShell | ShellForm::Waits => format!(
                "`{keyword}` in shell form with several commands keeps `/bin/sh` as the main process: the server never \
                 gets the stop signal when the Space restarts, and is killed instead of shutting down"
            ),
        };
        let d = Diagnostic::new(&RULE, message).at(file, line.span.clone()).help(start_form::help(&form, keyword, SKIP));
        out.push(d.maybe_fix(start_form::json_fix(file, keyword, line, &shell)));
    }
}

/// How hadolint is told that shell form is meant.
const SKIP: &str = "# hadolint ignore=DL3025";

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3025Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("FROM node as foo\nENTRYPOINT something\n", "DL3025").len(), 1);
        assert!(hadolint_case("FROM scratch as build\nENTRYPOINT [\"foo\", \"bar\"]\n", "DL3025").is_empty());
        assert_eq!(hadolint_case("FROM node as foo\nCMD something\n", "DL3025").len(), 1);
        assert!(hadolint_case("FROM scratch as build\nCMD [\"foo\", \"bar\"]\nCMD [ \"foo\", \"bar\" ]\n", "DL3025").is_empty());
    }

    /// The message and help fit the command (issue 25: `exec`, `SHELL ["bash", …]`, chains).
    #[test]
    fn says_what_the_command_does() {
        let one = |df: &str| {
            let found = hadolint_case(df, "DL3025");
            assert_eq!(found.len(), 1, "{df}: {found:?}");
            (found[0].message.clone(), found[0].help.clone().unwrap_or_default(), usize::from(found[0].fix.is_some()))
        };
        let (m, h, fixes) = one("FROM python:3.11\nCMD exec uvicorn app:app\n");
        assert!(m.contains("ends with `exec`") && h.contains("hadolint ignore=DL3025") && fixes == 1, "{m} / {h}");
        let (m, h, fixes) = one("FROM python:3.11\nCMD cd /app && exec uvicorn app:app\n");
        assert!(m.contains("ends with `exec`") && !h.contains("JSON array (`") && fixes == 1, "{m} / {h}");
        let (m, _, _) = one("FROM python:3.11\nSHELL [\"/bin/bash\", \"-c\"]\nCMD uvicorn app:app\n");
        assert!(m.contains("bash runs a single command in its own place"), "{m}");
        let (m, _, _) = one("FROM python:3.11\nSHELL [\"/bin/bash\", \"-c\"]\nFROM python:3.11\nCMD uvicorn app:app\n");
        assert!(m.contains("/bin/sh -c"), "another stage's SHELL does not count: {m}");
        let (m, h, fixes) = one("FROM python:3.11\nCMD cd /app && source env.sh && uvicorn app:app\n");
        assert!(m.contains("several commands") && h.contains("put `exec` before the last command") && fixes == 1, "{m} / {h}");
        // The array runs the stage's own SHELL, with `exec` before the last command.
        let found = hadolint_case("FROM python:3.11\nSHELL [\"/bin/bash\", \"-lc\"]\nCMD source env.sh && uvicorn app:app\n", "DL3025");
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.edits[0].replacement, "[\"/bin/bash\", \"-lc\", \"source env.sh && exec uvicorn app:app\"]");
        // Nothing that hands over (the server in the background): no fix.
        assert!(hadolint_case("FROM python:3.11\nCMD python w.py & python app.py & wait\n", "DL3025")[0].fix.is_none());
    }
}

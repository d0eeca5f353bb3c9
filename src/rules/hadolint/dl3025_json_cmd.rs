use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, CommandForm, Kind};
use crate::parse::shell::{self, SimpleCommand};
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
line that is one plain command (no variables, quotes, operators or redirections) as a JSON array
(unsafe: a shell-form ENTRYPOINT starts taking CMD's arguments)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3025"), Equivalent::BuildKit("JSONArgsRecommended")],
};

/// The JSON array for a shell-form command line, when exec form means exactly the same words:
/// one simple command, nothing a shell would interpret. A leading `exec` is the shell's builtin
/// (no program of that name exists): the array starts with the program it runs.
fn as_exec_form(text: &str) -> Option<String> {
    let shell_syntax = |c: char| "$`\\\"'*?[]{}~#;&|<>()".contains(c);
    if text.contains(shell_syntax) || text.contains('\n') {
        return None;
    }
    let commands = shell::parse_commands(text, &shell::no_vars);
    let [SimpleCommand { words, assignments, redirects, .. }] = commands.as_slice() else { return None };
    if words.is_empty() || !assignments.is_empty() || !redirects.is_empty() {
        return None;
    }
    let words = match words.split_first() {
        Some((first, rest)) if first == "exec" => rest,
        _ => words,
    };
    if words.is_empty() || words[0].starts_with('-') {
        return None;
    }
    serde_json::to_string(words).ok().map(|json| json.replace("\",\"", "\", \""))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    for step in steps(df).into_iter().filter(|s| matches!(s.ins.kind, Kind::Cmd | Kind::Entrypoint)) {
        let Args::Command(CommandForm::Shell(line)) = &step.ins.args else { continue };
        let keyword = step.ins.kind.keyword();
        let commands = shell::parse_commands(&line.text, &shell::no_vars);
        let execs = commands.len() == 1 && commands[0].words.first().is_some_and(|w| w == "exec");
        let message = if execs {
            format!(
                "`{keyword} exec …` in shell form: the shell already hands over to the server (it gets the stop \
                 signal); the JSON array says the same without a shell"
            )
        } else if commands.len() > 1 {
            format!(
                "`{keyword}` in shell form with several commands keeps `/bin/sh` as the main process: the server never \
                 gets the stop signal when the Space restarts, and is killed instead of shutting down"
            )
        } else {
            format!(
                "`{keyword}` in shell form runs through `/bin/sh -c`: where that shell does not replace itself with the \
                 command (busybox, older dash), the server does not get the stop signal when the Space restarts"
            )
        };
        let mut d = Diagnostic::new(&RULE, message)
        .at(file, line.span.clone())
        .help(format!("write it as a JSON array: `{keyword} [\"program\", \"arg\", …]`"));
        let written = file.text.get(line.span.clone()).filter(|raw| *raw == line.text);
        if let Some(json) = written.and_then(as_exec_form) {
            d = d.fix(Fix::replace(Applicability::Unsafe, format!("write `{keyword} {json}`"), file, line.span.clone(), json));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::as_exec_form;
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3025Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("FROM node as foo\nENTRYPOINT something\n", "DL3025").len(), 1);
        assert!(hadolint_case("FROM scratch as build\nENTRYPOINT [\"foo\", \"bar\"]\n", "DL3025").is_empty());
        assert_eq!(hadolint_case("FROM node as foo\nCMD something\n", "DL3025").len(), 1);
        assert!(hadolint_case("FROM scratch as build\nCMD [\"foo\", \"bar\"]\nCMD [ \"foo\", \"bar\" ]\n", "DL3025").is_empty());
    }

    #[test]
    fn exec_form_only_when_nothing_is_shell() {
        assert_eq!(
            as_exec_form("uvicorn main:app --host 0.0.0.0 --port 7860").as_deref(),
            Some(r#"["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]"#)
        );
        assert_eq!(as_exec_form("uvicorn main:app --port $PORT"), None);
        assert_eq!(as_exec_form("cd app && python app.py"), None);
        assert_eq!(as_exec_form("PORT=7860 node server.js"), None);
        assert_eq!(as_exec_form("python app.py > log"), None);
        assert_eq!(as_exec_form("python 'my app.py'"), None);
        // `exec` is the shell's builtin: the array runs the program it names.
        assert_eq!(as_exec_form("exec python app.py").as_deref(), Some(r#"["python", "app.py"]"#));
        assert_eq!(as_exec_form("exec"), None);
        assert_eq!(as_exec_form("exec -a name python app.py"), None);
    }
}

//! What a `CMD`/`ENTRYPOINT` in shell form means for the stop signal, and the help that fits it,
//! for the two rules that flag shell form: BuildKit's JSONArgsRecommended (BK007) and hadolint's
//! DL3025. A JSON array is offered only where one says the same command: `cd /app && uvicorn …`,
//! `--port $PORT` or `source env.sh` need the shell, and there the fix is `exec` before the
//! last command (POSIX `exec`: the shell replaces itself with it, so it gets the signal).

use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::Word;
use crate::parse::shell::{self, SimpleCommand};
use crate::source::SourceFile;

/// How a shell-form command line starts its last program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellForm {
    /// One plain command that a JSON array says exactly (these words).
    Array(Vec<String>),
    /// `exec prog …`, one plain command: the shell already hands over.
    Execs,
    /// Several commands (or shell syntax) whose last one is run with `exec`.
    ExecLast,
    /// Shell syntax a JSON array cannot say, the last command run as the shell's child.
    NeedsShell,
    /// The last command goes to the background or is `wait`: the shell stays in front.
    Waits,
}

/// Shell builtins a JSON array cannot run: there is no program of that name.
const NO_PROGRAM: &[&str] = &["cd", "source", ".", "export", "set", "ulimit", "umask", "eval", "trap"];

/// The JSON array's words for a shell-form command line, when exec form means exactly the same:
/// one simple command, nothing a shell would interpret. A leading `exec` is the shell's builtin
/// (no program of that name exists): the array starts with the program it runs.
pub fn exec_form(text: &str) -> Option<Vec<String>> {
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
    if words.is_empty() || words[0].starts_with('-') || NO_PROGRAM.contains(&words[0].as_str()) {
        return None;
    }
    Some(words.to_vec())
}

/// The unsafe fix that writes a shell-form `keyword` line as the JSON array that says the same
/// command, when there is one and the line is written as parsed (no continuation to keep).
/// Unsafe: a shell-form ENTRYPOINT starts taking CMD's arguments, and a shell that expanded
/// something no longer runs.
///
/// A command that needs its shell is written as the array that runs that shell, `shell` (the
/// stage's SHELL: `["/bin/sh", "-c"]` by default), with the line as its last word
/// (`["/bin/sh", "-c", "cd /app && exec uvicorn …"]`: what shell form runs), with `exec` before the last command so the server takes the shell's place and gets
/// the signal: when that last command is a plain program run in the main shell (not after `||`,
/// in a block, a pipe or a group, nor given variables before its name).
pub fn json_fix(file: &SourceFile, keyword: &str, line: &Word, shell: &[String]) -> Option<Fix> {
    let written = file.text.get(line.span.clone()).filter(|raw| *raw == line.text)?;
    let array = match exec_form(written) {
        Some(words) => words,
        None if !shell.is_empty() => {
            let mut array = shell.to_vec();
            array.push(with_exec_last(written)?);
            array
        }
        None => return None,
    };
    let json = serde_json::to_string(&array).ok()?.replace("\",\"", "\", \"");
    Some(Fix::replace(Applicability::Unsafe, format!("write `{keyword} {json}`"), file, line.span.clone(), json))
}

/// The command line with `exec` before its last command (as is when it has one), when that
/// hands the shell's place to it; `None` otherwise.
fn with_exec_last(text: &str) -> Option<String> {
    if text.contains(['(', ')', '{', '}', '`', '|', '\n', '\\', '#', '<', '>']) {
        return None;
    }
    let commands = shell::parse_commands(text, &shell::no_vars);
    let last = commands.last()?;
    // A builtin takes no `exec` (or leaves the shell nothing to hand over to).
    let builtin = |w: &str| NO_PROGRAM.contains(&w) || ["wait", "true", ":"].contains(&w);
    if last.conditional || last.background || last.piped || !last.assignments.is_empty() || last.words.is_empty() {
        return None;
    }
    if builtin(&last.words[0]) || ["then", "do", "fi", "done"].contains(&last.words[0].as_str()) {
        return None;
    }
    if last.words[0] == "exec" {
        return Some(text.to_string());
    }
    let start = last.spans.first()?.start;
    let end = last.spans.last()?.end;
    // Nothing after it but blanks and a last `;`.
    if !text[end..].trim().trim_end_matches(';').trim().is_empty() {
        return None;
    }
    Some(format!("{}exec {}", &text[..start], &text[start..]))
}

/// The shell a stage's shell-form commands run in when it sets no SHELL.
pub fn default_shell() -> Vec<String> {
    vec!["/bin/sh".to_string(), "-c".to_string()]
}

/// Reads a shell-form command line.
pub fn read(text: &str) -> ShellForm {
    let commands = shell::parse_commands(text, &shell::no_vars);
    let starts_exec = |c: &SimpleCommand| c.words.first().is_some_and(|w| w == "exec") && c.words.len() > 1;
    match exec_form(text) {
        Some(_) if commands.first().is_some_and(starts_exec) => return ShellForm::Execs,
        Some(words) => return ShellForm::Array(words),
        None => {}
    }
    match commands.last() {
        Some(last) if last.background || last.program_name() == Some("wait") => ShellForm::Waits,
        Some(last) if starts_exec(last) && !last.conditional => ShellForm::ExecLast,
        _ => ShellForm::NeedsShell,
    }
}

/// The help for a finding on a shell-form `keyword` (`CMD`), `skip` being how the tool is told
/// that shell form is meant (`# check=skip=JSONArgsRecommended`).
pub fn help(form: &ShellForm, keyword: &str, skip: &str) -> String {
    match form {
        ShellForm::Array(words) => {
            let json = serde_json::to_string(words).map(|j| j.replace("\",\"", "\", \"")).unwrap_or_default();
            let json = if json.chars().count() <= 100 { json } else { "[\"program\", \"arg\", …]".to_string() };
            format!("the server may not get the Hub's stop signal: write it as a JSON array (`{keyword} {json}`)")
        }
        ShellForm::Execs => format!(
            "`exec` already hands the stop signal to the server; the warning is about every shell form: a JSON array \
             says the same without a shell, or `{skip}` says shell form is meant"
        ),
        ShellForm::ExecLast => format!(
            "its last command runs with `exec`, so it takes the shell's place and gets the stop signal; the warning is \
             about every shell form: `{skip}` says shell form is meant"
        ),
        ShellForm::NeedsShell => {
            "a JSON array cannot say this command (it needs the shell): put `exec` before the last \
             command (`… && exec uvicorn …`) so the server takes the shell's place and gets the stop signal"
                .to_string()
        }
        ShellForm::Waits => "the shell stays the main process while the servers it started run as its children: none \
             gets the stop signal; start the last server in the foreground with `exec`"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_form_only_when_nothing_is_shell() {
        let words = |s: &str| exec_form(s).map(|w| w.join(" "));
        assert_eq!(
            words("uvicorn main:app --host 0.0.0.0 --port 7860").as_deref(),
            Some("uvicorn main:app --host 0.0.0.0 --port 7860")
        );
        assert_eq!(words("uvicorn main:app --port $PORT"), None);
        assert_eq!(words("cd app && python app.py"), None);
        assert_eq!(words("PORT=7860 node server.js"), None);
        assert_eq!(words("python app.py > log"), None);
        assert_eq!(words("python 'my app.py'"), None);
        assert_eq!(words("source env.sh"), None, "a builtin: no program of that name");
        // `exec` is the shell's builtin: the array runs the program it names.
        assert_eq!(words("exec python app.py").as_deref(), Some("python app.py"));
        assert_eq!(words("exec"), None);
        assert_eq!(words("exec -a name python app.py"), None);
    }

    /// The array that runs the shell, with `exec` before the last command where that hands
    /// over; none where it would not (a pipe, `||`, a group, a background server).
    #[test]
    fn shell_commands_become_the_shell_array() {
        assert_eq!(
            with_exec_last("cd /app && uvicorn main:app --port $PORT").as_deref(),
            Some("cd /app && exec uvicorn main:app --port $PORT")
        );
        assert_eq!(
            with_exec_last("pm2 start x.js -i $N --no-daemon").as_deref(),
            Some("exec pm2 start x.js -i $N --no-daemon")
        );
        assert_eq!(with_exec_last("cd /app && exec uvicorn x").as_deref(), Some("cd /app && exec uvicorn x"));
        for no in [
            "a | b",
            "test -f x || python app.py",
            "python w.py & python app.py &",
            "(cd x && y)",
            "a; PORT=1 b",
            "a && cd b",
            "if x; then y; fi",
        ] {
            assert_eq!(with_exec_last(no), None, "{no}");
        }
    }

    /// Found on the corpus: "write it as a JSON array" offered for `&&` chains and `source`.
    #[test]
    fn the_help_fits_the_command() {
        assert_eq!(
            read("uvicorn app:app --port 7860"),
            ShellForm::Array(vec!["uvicorn".into(), "app:app".into(), "--port".into(), "7860".into()])
        );
        assert_eq!(read("exec uvicorn app:app"), ShellForm::Execs);
        assert_eq!(read("cd /app && source env.sh && uvicorn app:app"), ShellForm::NeedsShell);
        assert_eq!(read("uvicorn app:app --port $PORT"), ShellForm::NeedsShell);
        assert_eq!(read("cd /app && exec uvicorn app:app"), ShellForm::ExecLast);
        assert_eq!(read("exec uvicorn app:app --port $PORT"), ShellForm::ExecLast);
        assert_eq!(read("python worker.py & python app.py & wait"), ShellForm::Waits);
        assert_eq!(read("python app.py &"), ShellForm::Waits);
        assert_eq!(read("test -f x || exec python app.py"), ShellForm::NeedsShell, "exec only when the test fails");
        let h = help(&read("cd /app && uvicorn app:app"), "CMD", "# check=skip=JSONArgsRecommended");
        assert!(h.contains("cannot say") && !h.contains("JSON array (`"), "{h}");
        let h = help(&read("uvicorn app:app"), "CMD", "");
        assert!(h.ends_with("(`CMD [\"uvicorn\", \"app:app\"]`)"), "{h}");
    }
}

use crate::parse::dockerfile::{Args, CommandForm, Kind};
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::start_form;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK007,
    name: "json-args-recommended",
    severity: Severity::Warning,
    summary: "`CMD`/`ENTRYPOINT` in shell form (BuildKit JSONArgsRecommended)",
    doc: r#"## What it checks
BuildKit's `JSONArgsRecommended`: a `CMD` or `ENTRYPOINT` in shell form in a stage where no
`SHELL` instruction (in it or the stages it is built on) chose another shell.

## Why it matters on a Space
The server runs under `/bin/sh -c`; where the shell does not hand its place to the server, the
server never gets the stop signal when the Hub restarts the Space and is killed after the grace
period instead of shutting down.

## Example
```dockerfile
CMD uvicorn main:app --host 0.0.0.0 --port 7860
```

## Fix
`CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]` (hadolint's DL3025 has
the fix). A command a JSON array cannot say (`cd /app && …`, `--port $PORT`, `source`) keeps
its shell form with `exec` before the last command (`cd /app && exec uvicorn …`): the help says
which fits, and that a command already ending in `exec` gets the signal. `spacecheck --fix
--unsafe-fixes` writes the array where one says the same command, or else the array that runs
`/bin/sh -c` with `exec` before the last command where that hands over (unsafe: a shell-form
ENTRYPOINT starts taking CMD's arguments)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("JSONArgsRecommended"), Equivalent::Hadolint("DL3025")],
    fixable: crate::rules::Fixable::Yes,
};

/// How BuildKit is told that shell form is meant.
const SKIP: &str = "# check=skip=JSONArgsRecommended";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    let Some(model) = &ctx.model else { return };
    // Whether each stage (by FROM order) set its own SHELL, or inherits one from its parent.
    let mut custom_shell = vec![false; model.stages.len()];
    for (s, stage) in model.stages.iter().enumerate() {
        let inherited = stage.parent.is_some_and(|p| custom_shell.get(p).copied().unwrap_or(false));
        let mut shell = inherited;
        for ins in &df.instructions[stage.body.clone()] {
            match (&ins.kind, &ins.args) {
                (Kind::Shell, _) => shell = true,
                (Kind::Cmd | Kind::Entrypoint, Args::Command(CommandForm::Shell(line))) if !shell => {
                    let name = ins.kind.keyword();
                    let message = format!("JSON arguments recommended for {name} to prevent unintended behavior related to OS signals");
                    let help = start_form::help(&start_form::read(&line.text), name, SKIP);
                    // Only without a SHELL of the stage's own: the default shell runs it.
                    let fix = start_form::json_fix(file, name, line, &start_form::default_shell());
                    out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, &help).map(|d| d.maybe_fix(fix)));
                }
                _ => {}
            }
        }
        custom_shell[s] = shell;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testJSONArgsRecommended (and the skips of testMaintainerDeprecated).
    #[test]
    fn buildkit_cases() {
        let msg = |name: &str| format!("JSON arguments recommended for {name} to prevent unintended behavior related to OS signals");
        assert_eq!(buildkit_case("\nFROM scratch\nCMD mycommand\n", "BK007"), vec![(3, msg("CMD"))]);
        assert_eq!(buildkit_case("\nFROM scratch\nENTRYPOINT mycommand\n", "BK007"), vec![(3, msg("ENTRYPOINT"))]);
        for silent in [
            "\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n",
            "\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nENTRYPOINT mycommand\n",
            "\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nCMD mycommand\n",
            "\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nENTRYPOINT mycommand\n",
            "\nFROM scratch\n# check=skip=JSONArgsRecommended\nCMD mycommand\n",
            "\nFROM scratch\n# check=skip=JSONArgsRecommended\nENTRYPOINT mycommand\n",
        ] {
            assert!(buildkit_case(silent, "BK007").is_empty(), "{silent}");
        }
    }

    /// The help offers a JSON array only for a command one can say (found on the corpus:
    /// offered for `cd /app && source env.sh && uvicorn …`).
    #[test]
    fn the_help_fits_the_command() {
        let help = |cmd: &str| {
            let all = crate::rules::testing::codes_for(&format!("FROM python:3.11\nCMD {cmd}\n"), "BK007");
            assert_eq!(all.len(), 1, "{cmd}: {all:?}");
            all[0].help.clone().unwrap_or_default()
        };
        assert!(help("uvicorn app:app --port 7860").contains("`CMD [\"uvicorn\", \"app:app\", \"--port\", \"7860\"]`"));
        let chain = help("cd /app && source env.sh && uvicorn app:app --port 7860");
        assert!(chain.contains("cannot say") && !chain.contains("`CMD ["), "{chain}");
        assert!(help("cd /app && exec uvicorn app:app").contains("check=skip=JSONArgsRecommended"));
        assert!(help("exec uvicorn app:app").contains("`exec` already hands"));
    }
}

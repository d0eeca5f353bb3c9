use std::collections::HashSet;

use crate::model::referenced_vars;
use crate::parse::dockerfile::{Args, Kind};
use crate::rules::hadolint::steps;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3044,
    name: "env-self-reference",
    severity: Severity::Error,
    summary: "an `ENV` refers to a variable it defines itself (hadolint DL3044)",
    doc: r#"## What it checks
An `ENV` with several variables where one value refers to another variable defined in the same
`ENV` (`ENV HOME=/home/user PATH=$HOME/.local/bin:$PATH`), when that variable was not defined by
an earlier `ARG` or `ENV`. A variable on its own right-hand side (`ENV PATH=/x:$PATH`) is fine.
Same semantics as hadolint's DL3044 (a reference is `$NAME` or `${NAME}` as a whole name).

## Why it matters on a Space
Docker expands every value of an `ENV` line with the variables as they were *before* the line:
`$HOME` above is still root's `/root` (or empty), so `PATH` gets `/root/.local/bin`, and the
server that `pip install --user` put in `/home/user/.local/bin` is not found: the Space stops
with `uvicorn: not found`.

## Example
```dockerfile
ENV HOME=/home/user PATH=$HOME/.local/bin:$PATH
```

## Fix
Split the line: `ENV HOME=/home/user` then `ENV PATH=$HOME/.local/bin:$PATH`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3044"), Equivalent::BuildKit("UndefinedVar")],
    fixable: crate::rules::Fixable::No("splitting the ENV changes which value the later key gets"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    // Every variable an earlier ARG or ENV defined, in any stage (hadolint's state).
    let mut defined: HashSet<&str> = HashSet::new();
    for step in steps(df) {
        let Args::KeyValues(pairs) = &step.ins.args else { continue };
        if step.ins.kind == Kind::Env {
            let mut reported: HashSet<&str> = HashSet::new();
            for (i, pair) in pairs.iter().enumerate() {
                let name = pair.key.text.as_str();
                if defined.contains(name) || !reported.insert(name) {
                    continue;
                }
                let used_by_other = pairs.iter().enumerate().find(|(j, other)| {
                    *j != i && other.value.as_ref().is_some_and(|v| referenced_vars(&v.text).iter().any(|r| r == name))
                });
                let Some((_, user)) = used_by_other else { continue };
                let value = user.value.as_ref().map_or(user.key.span.clone(), |v| v.span.clone());
                out.push(
                    Diagnostic::new(
                        &RULE,
                        format!(
                            "`{}` uses `${name}`, which this same ENV defines: Docker expands it with the value from \
                             before the line, not `{name}`'s new value",
                            user.key.text
                        ),
                    )
                    .at(file, value)
                    .help(format!("define `{name}` in an ENV of its own, before the one that uses it")),
                );
            }
        }
        if matches!(step.ins.kind, Kind::Env | Kind::Arg) {
            defined.extend(pairs.iter().map(|p| p.key.text.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(dockerfile: &str) -> usize {
        hadolint_case(&format!("{dockerfile}\n"), "DL3044").len()
    }

    /// hadolint's DL3044Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(found("ENV BLA=\"blubb\"\nENV BLUBB=\"${BLA}/blubb\""), 0);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"${FOOBLA}/blubb\""), 0);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"${BLAFOO}/blubb\""), 0);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"$FOOBLA/blubb\""), 0);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"$BLAFOO/blubb\""), 0);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"$BLA/$BLAFOO/blubb\""), 1);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"BLA/$BLAFOO/BLA\""), 0);
        assert_eq!(found("ARG BLA\nENV BLA=${BLA}"), 0);
        assert_eq!(found("ENV BLA blubb\nENV BLA=${BLA}"), 0);
        assert_eq!(found("ENV PATH=/bla:${PATH}"), 0);
        assert_eq!(found("ENV PATH=/bla:${PATH}\nENV PATH=/blubb:${PATH}"), 0);
        assert_eq!(found("ENV PATH=/bla:${PATH} PATH=/blubb:${PATH}"), 1);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"${BLA}/blubb\""), 1);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"$BLA/blubb\""), 1);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"$BLA\""), 1);
        assert_eq!(found("ENV BLA=\"blubb\" BLUBB=\"${BLA}\""), 1);
    }

    #[test]
    fn the_space_case() {
        assert_eq!(found("FROM python:3.11\nENV HOME=/home/user PATH=$HOME/.local/bin:$PATH"), 1);
        assert_eq!(found("FROM python:3.11\nENV HOME=/home/user \\\n    PATH=/home/user/.local/bin:$PATH"), 0);
    }
}

use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Dockerfile};
use crate::source::SourceFile;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK001,
    name: "stage-name-casing",
    severity: Severity::Warning,
    summary: "a stage name with capitals (BuildKit StageNameCasing)",
    doc: r#"## What it checks
BuildKit's `StageNameCasing`: a `FROM … AS Name` whose name is not lowercase.

## Why it matters on a Space
BuildKit lowercases stage names, so `COPY --from=Builder` and `--from=builder` are the same stage;
the capitals only mislead the reader. The Hub build prints the warning and goes on.

## Example
```dockerfile
FROM node:20 AS Frontend
```

## Fix
`FROM node:20 AS frontend`. `spacecheck --fix` writes the name in lowercase where it is defined
and where `FROM` and `COPY --from` name it (safe: BuildKit matches stage names in any case)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("StageNameCasing")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns); write the name in lowercase";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let Args::From { alias: Some(alias), .. } = &ins.args else { continue };
        if alias.text.to_lowercase() != alias.text {
            let message = format!("Stage name '{}' should be lowercase", alias.text);
            let fix = lowercase_fix(file, df, &alias.text);
            out.extend(finding(ctx, &RULE, ins.span.start, alias.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
        }
    }
}

/// The stage name in lowercase where it is defined, and every reference written as the name
/// (`FROM name`, `COPY --from=name`). Safe: BuildKit matches stage names whatever their case,
/// so a reference this leaves (in a `RUN --mount`) still finds the stage.
fn lowercase_fix(file: &SourceFile, df: &Dockerfile, name: &str) -> Option<Fix> {
    let lower = name.to_lowercase();
    let mut edits = Vec::new();
    for ins in &df.instructions {
        if let Args::From { image, alias } = &ins.args {
            for word in std::iter::once(image).chain(alias) {
                if word.text == name && file.text.get(word.span.clone()) == Some(name) {
                    edits.push((word.span.clone(), lower.clone()));
                }
            }
        }
        for flag in ins.flags.iter().filter(|f| f.name.eq_ignore_ascii_case("from") && f.value.as_deref() == Some(name)) {
            let written = file.text.get(flag.span.clone()).unwrap_or_default();
            if let Some(at) = written.strip_suffix(name).map(str::len) {
                edits.push((flag.span.start + at..flag.span.end, lower.clone()));
            }
        }
    }
    (!edits.is_empty()).then(|| Fix::edits(Applicability::Safe, format!("name the stage `{lower}`"), file, edits))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testStageName.
    #[test]
    fn buildkit_cases() {
        let df = "\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n\n# warning: 'as' should match 'FROM' cmd casing.\n#\nFROM scratch as base2\n\nFROM scratch AS base3\n";
        assert_eq!(buildkit_case(df, "BK001"), vec![(4, "Stage name 'BadStageName' should be lowercase".to_string())]);
        assert!(buildkit_case("FROM scratch AS b\n", "BK001").is_empty());
    }

    /// The fix renames the stage and the references written as its name.
    #[test]
    fn the_fix_lowercases_the_name_and_its_references() {
        let text = "FROM python:3.11 AS Build\nRUN echo\nFROM Build AS Final\nCOPY --from=Build /a /a\nCOPY --from=build /b /b\n";
        let (fixed, after) = crate::rules::testing::fixed(text, "BK001");
        assert_eq!(fixed, "FROM python:3.11 AS build\nRUN echo\nFROM build AS final\nCOPY --from=build /a /a\nCOPY --from=build /b /b\n");
        assert!(after.is_empty(), "{after:?}");
    }
}

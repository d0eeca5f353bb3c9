use crate::parse::dockerfile::Args;
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
`FROM node:20 AS frontend`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("StageNameCasing")],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns); write the name in lowercase";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let Args::From { alias: Some(alias), .. } = &ins.args else { continue };
        if alias.text.to_lowercase() != alias.text {
            let message = format!("Stage name '{}' should be lowercase", alias.text);
            out.extend(finding(ctx, &RULE, ins.span.start, alias.span.clone(), message, HELP));
        }
    }
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
}

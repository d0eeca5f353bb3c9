use crate::parse::dockerfile::Args;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK006,
    name: "reserved-stage-name",
    severity: Severity::Warning,
    summary: "a stage named `scratch` or `context` (BuildKit ReservedStageName)",
    doc: r#"## What it checks
BuildKit's `ReservedStageName`: a stage named `scratch` or `context`, names BuildKit gives the
empty image and the build context.

## Why it matters on a Space
`FROM scratch` or `COPY --from=context` meant for BuildKit's own would reach the stage instead, or
the reverse: the image gets other files than the ones intended.

## Example
```dockerfile
FROM python:3.11 AS context
```

## Fix
Name the stage otherwise (`AS app`)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("ReservedStageName")],
    fixable: crate::rules::Fixable::No("the new stage name is the author's to choose"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "`scratch` and `context` are BuildKit's own sources: name the stage otherwise";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let Args::From { alias: Some(alias), .. } = &ins.args else { continue };
        let name = alias.text.to_lowercase();
        if name == "scratch" || name == "context" {
            let message = format!("Stage name should not use the same name as reserved stage {name:?}");
            out.extend(finding(ctx, &RULE, ins.span.start, alias.span.clone(), message, HELP));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testReservedStageName.
    #[test]
    fn buildkit_cases() {
        let found = buildkit_case("\nFROM scratch AS scratch\nFROM scratch AS context\n", "BK006");
        assert_eq!(
            found,
            vec![
                (2, "Stage name should not use the same name as reserved stage \"scratch\"".to_string()),
                (3, "Stage name should not use the same name as reserved stage \"context\"".to_string())
            ]
        );
        assert!(buildkit_case("\nFROM scratch\nFROM scratch AS a\n", "BK006").is_empty());
    }
}

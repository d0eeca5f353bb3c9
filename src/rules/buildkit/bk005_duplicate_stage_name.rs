use crate::parse::dockerfile::Args;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK005,
    name: "duplicate-stage-name",
    severity: Severity::Warning,
    summary: "two stages with one name (BuildKit DuplicateStageName)",
    doc: r#"## What it checks
BuildKit's `DuplicateStageName`: a `FROM … AS name` whose name (compared lowercased, as BuildKit
does) an earlier stage already has. It is a warning, not a parse error: BuildKit builds the file.

## Why it matters on a Space
`COPY --from=name` and `FROM name` take the first stage of that name; the second one is only
reachable as the last stage. A copy from the "wrong" stage ships old or missing files.

## Example
```dockerfile
FROM node:20 AS build
FROM python:3.11 AS build
```

## Fix
Give each stage its own name."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("DuplicateStageName")],
    fixable: crate::rules::Fixable::No("which stage to rename, and so which references follow it, is the author's choice"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "`FROM`/`COPY --from` of this name reach the first stage that has it: give each stage its own name";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    let mut seen: Vec<String> = Vec::new();
    for ins in &df.instructions {
        let Args::From { alias: Some(alias), .. } = &ins.args else { continue };
        let name = alias.text.to_lowercase();
        if seen.contains(&name) {
            let message = format!("Duplicate stage name {name:?}, stage names should be unique");
            out.extend(finding(ctx, &RULE, ins.span.start, alias.span.clone(), message, HELP));
        }
        seen.push(name);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testDuplicateStageName.
    #[test]
    fn buildkit_cases() {
        assert_eq!(
            buildkit_case("\nFROM scratch AS b\nFROM scratch AS b\n", "BK005"),
            vec![(3, "Duplicate stage name \"b\", stage names should be unique".to_string())]
        );
        assert!(buildkit_case("\nFROM scratch AS b1\nFROM scratch AS b2\n", "BK005").is_empty());
    }
}

use crate::parse::dockerfile::Args;
use crate::rules::buildkit::{dockerfile, finding, platform_flag};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK017,
    name: "from-platform-flag-const-disallowed",
    severity: Severity::Warning,
    summary: "`FROM --platform=` a constant (BuildKit FromPlatformFlagConstDisallowed)",
    doc: r#"## What it checks
BuildKit's `FromPlatformFlagConstDisallowed`: `FROM --platform=linux/amd64` with a constant,
unless the stage's name says which platform it is for (`AS build-amd64`).

## Why it matters on a Space
The Hub builds for linux/amd64, so the constant changes nothing there; but the image can no
longer be built for another platform (an ARM laptop gets an emulated amd64 image).

## Example
```dockerfile
FROM --platform=linux/amd64 python:3.11
```

## Fix
Drop the flag, or use `$BUILDPLATFORM` for a stage that only runs build tools."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("FromPlatformFlagConstDisallowed")],
    fixable: crate::rules::Fixable::No("dropping or changing the platform changes the image built"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "drop the constant `--platform` (the Hub builds linux/amd64), or name the stage after its platform";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let (Some((value, span)), Args::From { alias, .. }) = (platform_flag(ins), &ins.args) else { continue };
        if value.contains('$') || value.is_empty() {
            continue;
        }
        let stage = alias.as_ref().map(|a| a.text.to_lowercase()).unwrap_or_default();
        if value.split('/').any(|part| !part.is_empty() && stage.contains(&part.to_lowercase())) {
            continue;
        }
        let message = format!("FROM --platform flag should not use constant value {value:?}");
        out.extend(finding(ctx, &RULE, ins.span.start, span, message, HELP));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testFromPlatformFlagConstDisallowed.
    #[test]
    fn buildkit_cases() {
        assert_eq!(
            buildkit_case("\nFROM --platform=linux/amd64 scratch\n", "BK017"),
            vec![(2, "FROM --platform flag should not use constant value \"linux/amd64\"".to_string())]
        );
        assert!(buildkit_case("\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n", "BK017").is_empty());
        assert!(buildkit_case("\nFROM --platform=linux/amd64 scratch AS linux\n", "BK017").is_empty());
    }
}

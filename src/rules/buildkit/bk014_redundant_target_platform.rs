use crate::diag::{Applicability, Fix};
use crate::rules::buildkit::{dockerfile, finding, platform_flag};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK014,
    name: "redundant-target-platform",
    severity: Severity::Warning,
    summary: "`FROM --platform=$TARGETPLATFORM` (BuildKit RedundantTargetPlatform)",
    doc: r#"## What it checks
BuildKit's `RedundantTargetPlatform`: `FROM --platform=$TARGETPLATFORM` (or
`${TARGETPLATFORM}`), which is what FROM does without the flag.

## Why it matters on a Space
Nothing breaks: the Hub builds for its own platform either way. The flag only adds noise.

## Example
```dockerfile
FROM --platform=$TARGETPLATFORM python:3.11
```

## Fix
Drop the flag: `FROM python:3.11`. `spacecheck --fix` does (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("RedundantTargetPlatform")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds for its own platform anyway: drop `--platform`";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let Some((value, span)) = platform_flag(ins) else { continue };
        if value == "$TARGETPLATFORM" || value == "${TARGETPLATFORM}" {
            let message = format!("Setting platform to predefined {value} in FROM is redundant as this is the default behavior");
            // The flag and the blanks after it. Safe: it asks for what BuildKit does anyway.
            let blanks = file.text[span.end..].len() - file.text[span.end..].trim_start_matches([' ', '\t']).len();
            let fix = Fix::replace(Applicability::Safe, "remove the flag", file, span.start..span.end + blanks, "");
            out.extend(finding(ctx, &RULE, ins.span.start, span, message, HELP).map(|d| d.fix(fix)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testRedundantTargetPlatform.
    #[test]
    fn buildkit_cases() {
        let msg = |v: &str| format!("Setting platform to predefined {v} in FROM is redundant as this is the default behavior");
        assert_eq!(buildkit_case("\nFROM --platform=$TARGETPLATFORM scratch\n", "BK014"), vec![(2, msg("$TARGETPLATFORM"))]);
        assert_eq!(buildkit_case("\nFROM --platform=${TARGETPLATFORM} scratch\n", "BK014"), vec![(2, msg("${TARGETPLATFORM}"))]);
        assert!(buildkit_case("\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n", "BK014").is_empty());
    }
}

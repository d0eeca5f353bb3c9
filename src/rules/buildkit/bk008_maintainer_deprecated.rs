use crate::parse::dockerfile::Kind;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK008,
    name: "maintainer-deprecated",
    severity: Severity::Warning,
    summary: "`MAINTAINER` (BuildKit MaintainerDeprecated)",
    doc: r#"## What it checks
BuildKit's `MaintainerDeprecated`: a `MAINTAINER` instruction.

## Why it matters on a Space
Nothing breaks (the Hub build prints the warning); the instruction is deprecated and may go.

## Example
```dockerfile
MAINTAINER me@example.org
```

## Fix
`LABEL org.opencontainers.image.authors="me@example.org"`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("MaintainerDeprecated")],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns): use `LABEL org.opencontainers.image.authors=\"…\"`";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| i.kind == Kind::Maintainer) {
        let message = "Maintainer instruction is deprecated in favor of using label".to_string();
        out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testMaintainerDeprecated.
    #[test]
    fn buildkit_cases() {
        assert_eq!(
            buildkit_case("\nFROM scratch\nMAINTAINER me@example.org\n", "BK008"),
            vec![(3, "Maintainer instruction is deprecated in favor of using label".to_string())]
        );
        assert!(buildkit_case("\nFROM scratch\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n", "BK008").is_empty());
        assert!(buildkit_case("\nFROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me@example.org\n", "BK008").is_empty());
    }
}

use crate::parse::dockerfile::Kind;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK013,
    name: "legacy-key-value-format",
    severity: Severity::Warning,
    summary: "`ENV key value` / `LABEL key value` (BuildKit LegacyKeyValueFormat)",
    doc: r#"## What it checks
BuildKit's `LegacyKeyValueFormat`: an `ENV` or `LABEL` written `KEY value` (no `=`).

## Why it matters on a Space
The legacy form takes everything after the key as one value: `ENV PORT 7860 HOST 0.0.0.0` sets
`PORT` to `7860 HOST 0.0.0.0`, and the server gets no valid port.

## Example
```dockerfile
ENV PORT 7860
```

## Fix
`ENV PORT=7860`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("LegacyKeyValueFormat")],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "write `KEY=value`: the legacy form takes the rest of the line as one value";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| matches!(i.kind, Kind::Env | Kind::Label)) {
        let args = file.text.get(ins.keyword_span.end..ins.span.end).unwrap_or_default();
        let first = args.split_whitespace().next().unwrap_or_default();
        if first.is_empty() || first.contains('=') {
            continue;
        }
        let name = ins.kind.keyword();
        let message = format!("\"{name} key=value\" should be used instead of legacy \"{name} key value\" format");
        out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    fn msg(name: &str) -> String {
        format!("\"{name} key=value\" should be used instead of legacy \"{name} key value\" format")
    }

    /// BuildKit's testLegacyKeyValueFormat (`--check` reads unreachable stages too).
    #[test]
    fn buildkit_cases() {
        assert_eq!(buildkit_case("\nFROM scratch\nENV testkey value\nLABEL key value\n", "BK013"), vec![(3, msg("ENV")), (4, msg("LABEL"))]);
        assert!(buildkit_case("\nFROM scratch\nENV testkey=value\nLABEL key=value\n", "BK013").is_empty());
        let unreachable = "\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\nFROM a AS c\n";
        assert_eq!(buildkit_case(unreachable, "BK013"), vec![(5, msg("ENV")), (6, msg("LABEL"))]);
        let skipped = "\nFROM scratch\n# check=skip=LegacyKeyValueFormat\nENV testkey value\n# check=skip=LegacyKeyValueFormat\nLABEL key value\n";
        assert!(buildkit_case(skipped, "BK013").is_empty());
    }
}

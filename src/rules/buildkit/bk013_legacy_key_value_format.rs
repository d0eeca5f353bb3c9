use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::Kind;
use crate::source::SourceFile;
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
`ENV PORT=7860`. `spacecheck --fix` writes the `=`, and quotes a value with spaces (safe: the
value is the same)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("LegacyKeyValueFormat")],
    fixable: crate::rules::Fixable::Yes,
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
        let fix = key_value_fix(file, ins.keyword_span.end, args, df.escape);
        out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP).map(|d| match fix {
            Some(fix) => d.fix(fix),
            None => d,
        }));
    }
}

/// `KEY value` → `KEY=value`, and `KEY a b` → `KEY="a b"`: BuildKit takes the legacy form's
/// whole rest as one word (quotes and variables processed as in `KEY=value`), so the value is
/// kept as written, quoted when it holds spaces. Safe: the variable gets the same value. Not
/// offered for values a pair of double quotes would change (quotes, the escape character) or
/// that continue on another line.
fn key_value_fix(file: &SourceFile, args_start: usize, args: &str, escape: char) -> Option<Fix> {
    let lead = args.len() - args.trim_start().len();
    let key_len = args[lead..].find(char::is_whitespace)?;
    let after_key = lead + key_len;
    let value = args[after_key..].trim();
    // One double-quoted string (`ENV A "x y"`) reads the same after `=`.
    let one_quoted = value.len() >= 2
        && value.starts_with('"')
        && value.ends_with('"')
        && !value[1..value.len() - 1].contains(['"', '\n', '\r', escape]);
    if value.is_empty() || (!one_quoted && value.contains(['"', '\'', '\n', '\r', escape])) {
        return None;
    }
    let key = &args[lead..after_key];
    let value_end = after_key + args[after_key..].trim_end().len();
    let replacement = if value.contains(char::is_whitespace) && !one_quoted {
        format!("=\"{value}\"")
    } else {
        format!("={value}")
    };
    let range = args_start + after_key..args_start + value_end;
    Some(Fix::replace(Applicability::Safe, format!("write `{key}{replacement}`"), file, range, replacement))
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

    /// The fix keeps the value: `=` for one word, double quotes around several.
    #[test]
    fn the_fix_keeps_the_value() {
        use crate::rules::testing::fixed;
        let (text, after) = fixed("FROM python:3.11\nENV PORT 7860\nENV MSG hello  big world \nLABEL maintainer me\n", "BK013");
        assert_eq!(text, "FROM python:3.11\nENV PORT=7860\nENV MSG=\"hello  big world\" \nLABEL maintainer=me\n");
        assert!(after.is_empty(), "{after:?}");
        // One quoted string keeps its quotes.
        let (text, _) = fixed("FROM python:3.11\nENV A \"x $B y\"\n", "BK013");
        assert_eq!(text, "FROM python:3.11\nENV A=\"x $B y\"\n");
        // Quotes inside, or a value on continued lines: reported, not rewritten.
        for text in ["FROM python:3.11\nENV A say \"hi\"\n", "FROM python:3.11\nENV A one \\\n  two\n"] {
            let (same, after) = fixed(text, "BK013");
            assert_eq!((same.as_str(), after.len()), (text, 1));
        }
    }
}

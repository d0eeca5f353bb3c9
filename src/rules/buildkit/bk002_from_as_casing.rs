use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::Args;
use crate::rules::buildkit::{dockerfile, finding, keyword};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK002,
    name: "from-as-casing",
    severity: Severity::Warning,
    summary: "`AS` cased unlike its `FROM` (BuildKit FromAsCasing)",
    doc: r#"## What it checks
BuildKit's `FromAsCasing`: in `FROM image AS name`, an all-uppercase `FROM` with an `as` that is
not, or an all-lowercase `from` with an `AS` that is not.

## Why it matters on a Space
Nothing breaks: the Hub build prints the warning. Consistent casing keeps the file readable.

## Example
```dockerfile
FROM python:3.11 as base
```

## Fix
`FROM python:3.11 AS base`. `spacecheck --fix` writes `AS` in the case of `FROM` (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("FromAsCasing")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns); write `AS` in the case of `FROM`";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let Args::From { image, alias: Some(alias) } = &ins.args else { continue };
        let Some(between) = file.text.get(image.span.end..alias.span.start) else { continue };
        let Some(offset) = between.find(|c: char| !c.is_whitespace()) else { continue };
        let as_start = image.span.end + offset;
        let as_word = between.trim();
        let from = keyword(file, ins);
        let upper = from.to_uppercase() == from && as_word.to_uppercase() != as_word;
        let lower = from.to_lowercase() == from && as_word.to_lowercase() != as_word;
        if upper || lower {
            let message = format!("'{as_word}' and '{from}' keywords' casing do not match");
            let span = as_start..as_start + as_word.len();
            let cased = if upper { as_word.to_uppercase() } else { as_word.to_lowercase() };
            let fix = Fix::replace(Applicability::Safe, format!("write `{cased}`"), file, span.clone(), cased);
            out.extend(finding(ctx, &RULE, ins.span.start, span, message, HELP).map(|d| d.fix(fix)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testStageName and testRuleCheckOption.
    #[test]
    fn buildkit_cases() {
        let df = "\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n\n# warning: 'as' should match 'FROM' cmd casing.\n#\nFROM scratch as base2\n\nFROM scratch AS base3\n";
        assert_eq!(buildkit_case(df, "BK002"), vec![(8, "'as' and 'FROM' keywords' casing do not match".to_string())]);
        let lower = "\n# warning: 'AS' should match 'from' cmd casing.\n#\nfrom scratch AS base\n\nfrom scratch as base2\n";
        assert_eq!(buildkit_case(lower, "BK002"), vec![(4, "'AS' and 'from' keywords' casing do not match".to_string())]);
        assert!(buildkit_case("From scratch as base\nFROM scratch AS base2\n", "BK002").is_empty());
        assert!(buildkit_case("#check=skip=all\nFROM scratch as base\ncopy Dockerfile .\n", "BK002").is_empty());
        let skip_other = "#check=skip=ConsistentInstructionCasing\nFROM scratch as base\ncopy Dockerfile .\n";
        assert_eq!(buildkit_case(skip_other, "BK002").len(), 1);
    }
}

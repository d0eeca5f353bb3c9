use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::Kind;
use crate::rules::buildkit::{dockerfile, finding, keyword};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK004,
    name: "consistent-instruction-casing",
    severity: Severity::Warning,
    summary: "an instruction cased unlike most of the file (BuildKit ConsistentInstructionCasing)",
    doc: r#"## What it checks
BuildKit's `ConsistentInstructionCasing`: the instructions of the stages (the ARGs before the
first FROM are not counted) are mostly uppercase or mostly lowercase (a tie counts as
uppercase); each one that is not in the majority's case, mixed case included, is reported.

## Why it matters on a Space
Nothing breaks: instructions are case-insensitive and the Hub build prints the warning. A file
in one case is easier to read and to grep.

## Example
```dockerfile
FROM python:3.11
copy . .
COPY requirements.txt .
```

## Fix
Write the instruction in the file's case: `COPY . .`. `spacecheck --fix` does (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("ConsistentInstructionCasing")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns); write the instruction in the file's case";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    let Some(first_from) = df.instructions.iter().position(|i| i.kind == Kind::From) else { return };
    let stages = &df.instructions[first_from..];
    let words: Vec<&str> = stages.iter().map(|i| keyword(file, i)).collect();
    // Mixed-case keywords (`From`) count for neither side.
    let lower = words.iter().filter(|w| w.to_lowercase() == **w).count();
    let upper = words.iter().filter(|w| w.to_uppercase() == **w).count();
    let majority_lower = lower > upper;
    for (ins, word) in stages.iter().zip(words) {
        let casing = if majority_lower && word.to_lowercase() != word {
            "lowercase"
        } else if !majority_lower && word.to_uppercase() != word {
            "uppercase"
        } else {
            continue;
        };
        let message = format!("Command '{word}' should match the case of the command majority ({casing})");
        let cased = if majority_lower { word.to_lowercase() } else { word.to_uppercase() };
        let fix = Fix::replace(Applicability::Safe, format!("write `{cased}`"), file, ins.keyword_span.clone(), cased);
        out.extend(finding(ctx, &RULE, ins.span.start, ins.keyword_span.clone(), message, HELP).map(|d| d.fix(fix)));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    fn one(line: usize, word: &str, casing: &str) -> Vec<(usize, String)> {
        vec![(line, format!("Command '{word}' should match the case of the command majority ({casing})"))]
    }

    /// BuildKit's testConsistentInstructionCasing.
    #[test]
    fn buildkit_cases() {
        let case = |df: &str| buildkit_case(df, "BK004");
        assert_eq!(case("\n# w\n#\nFrom scratch as base\nFROM scratch AS base2\n"), one(4, "From", "uppercase"));
        assert_eq!(case("\nFROM scratch\n# w\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n"), one(4, "copy", "uppercase"));
        assert_eq!(case("\n# w\n#\nfrOM scratch as base\nfrom scratch as base2\n"), one(4, "frOM", "lowercase"));
        assert_eq!(case("\nfrom scratch\n# w\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n"), one(4, "COPY", "lowercase"));
        let from_lower = "\n# w\n#\nfrom scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\nCOPY Dockerfile /baz\n";
        assert_eq!(case(from_lower), one(4, "from", "uppercase"));
        let from_upper = "\n# w\n#\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n";
        assert_eq!(case(from_upper), one(4, "FROM", "lowercase"));
        assert!(case("\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n").is_empty());
        assert!(case("\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n").is_empty());
        assert!(case("\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n").is_empty());
    }
}

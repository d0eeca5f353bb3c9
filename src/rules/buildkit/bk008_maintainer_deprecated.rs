use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Instruction, Kind};
use crate::source::SourceFile;
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
`LABEL org.opencontainers.image.authors="me@example.org"`. `spacecheck --fix` writes that label
with the name MAINTAINER gave (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("MaintainerDeprecated")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it (BuildKit only warns): use `LABEL org.opencontainers.image.authors=\"…\"`";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| i.kind == Kind::Maintainer) {
        let message = "Maintainer instruction is deprecated in favor of using label".to_string();
        let fix = label_fix(file, ins);
        out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
    }
}

/// `MAINTAINER name` → `LABEL org.opencontainers.image.authors="name"`, the label Docker's
/// documentation gives in its place. Safe: the image gets the same author, as a label. Not
/// offered for a name a quoted LABEL value would read otherwise (quotes, `\\`, `$`) or one on
/// continued lines.
fn label_fix(file: &SourceFile, ins: &Instruction) -> Option<Fix> {
    let name = file.text.get(ins.keyword_span.end..ins.span.end)?.trim();
    if name.is_empty() || name.contains(['"', '\\', '$', '\n', '\r', '`']) {
        return None;
    }
    let label = format!("LABEL org.opencontainers.image.authors=\"{name}\"");
    Some(Fix::replace(Applicability::Safe, format!("write `{label}`"), file, ins.span.clone(), label))
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

    /// The label carries the name; a name a quoted value would read otherwise keeps the finding.
    #[test]
    fn the_fix_writes_the_authors_label() {
        let (text, after) = crate::rules::testing::fixed("FROM python:3.11\nMAINTAINER Ada <ada@example.org>\n", "BK008");
        assert_eq!(text, "FROM python:3.11\nLABEL org.opencontainers.image.authors=\"Ada <ada@example.org>\"\n");
        assert!(after.is_empty());
        let quoted = "FROM python:3.11\nMAINTAINER \"Ada\"\n";
        assert_eq!(crate::rules::testing::fixed(quoted, "BK008").0, quoted);
    }
}

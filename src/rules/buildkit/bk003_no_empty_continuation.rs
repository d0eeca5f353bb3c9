use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK003,
    name: "no-empty-continuation",
    severity: Severity::Warning,
    summary: "an empty line inside a continued instruction (BuildKit NoEmptyContinuation)",
    doc: r#"## What it checks
BuildKit's `NoEmptyContinuation`: a blank line in the middle of an instruction continued with
`\`. Reported on the instruction's last line, as BuildKit does.

## Why it matters on a Space
BuildKit skips the blank line today and warns that it will become an error in a future release:
a Space that builds now may stop building when the Hub's builder is updated.

## Example
```dockerfile
RUN apt-get update && \

    apt-get install -y ffmpeg
```

## Fix
Remove the blank line (a comment line may stay)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("NoEmptyContinuation")],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it today, but BuildKit will make this an error: remove the blank line";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let (first, last) = (file.line_col(ins.span.start).0, file.line_col(ins.span.end.saturating_sub(1)).0);
        let mut continuing = false;
        let mut empty = false;
        for line in first..=last {
            let text = &file.text[file.line_span(line)];
            let trimmed = text.trim();
            if trimmed.is_empty() {
                empty |= continuing;
                continue;
            }
            if trimmed.starts_with('#') && line != first {
                continue;
            }
            continuing = trimmed.trim_end().ends_with(df.escape);
        }
        if empty {
            let span = file.line_span(last);
            out.extend(finding(ctx, &RULE, ins.span.start, span, "Empty continuation line".into(), HELP));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testNoEmptyContinuation.
    #[test]
    fn buildkit_cases() {
        let df = "\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n";
        assert_eq!(buildkit_case(df, "BK003"), vec![(6, "Empty continuation line".to_string())]);
        assert!(buildkit_case("FROM scratch\nRUN a \\\n# c\n  && b\n", "BK003").is_empty());
    }
}

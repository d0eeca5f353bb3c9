use crate::diag::{Applicability, Fix};
use crate::rules::buildkit::{dockerfile, finding};
use crate::source::SourceFile;
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
Remove the blank line (a comment line may stay). `spacecheck --fix` removes it (safe: BuildKit
skips it today)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("NoEmptyContinuation")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub builds it today, but BuildKit will make this an error: remove the blank line";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        let (first, last) = (file.line_col(ins.span.start).0, file.line_col(ins.span.end.saturating_sub(1)).0);
        let mut continuing = false;
        let mut empty = false;
        let mut blank_lines = Vec::new();
        for line in first..=last {
            let text = &file.text[file.line_span(line)];
            let trimmed = text.trim();
            if trimmed.is_empty() {
                empty |= continuing;
                if continuing {
                    blank_lines.push(line);
                }
                continue;
            }
            if trimmed.starts_with('#') && line != first {
                continue;
            }
            continuing = trimmed.trim_end().ends_with(df.escape);
        }
        if empty {
            let span = file.line_span(last);
            let fix = remove_lines(file, &blank_lines);
            out.extend(
                finding(ctx, &RULE, ins.span.start, span, "Empty continuation line".into(), HELP).map(|d| d.fix(fix)),
            );
        }
    }
}

/// The empty lines gone, each with its line ending. Safe: BuildKit skips them today (the
/// instruction is the same), and a future release that stops doing so would cut it there.
fn remove_lines(file: &SourceFile, lines: &[usize]) -> Fix {
    let edits = lines.iter().map(|&line| {
        let start = file.line_span(line).start;
        let end = file.text[start..].find('\n').map_or(file.text.len(), |i| start + i + 1);
        (start..end, String::new())
    });
    Fix::edits(Applicability::Safe, "remove the empty continuation lines", file, edits)
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

    #[test]
    fn the_fix_removes_the_empty_lines() {
        let (text, after) = crate::rules::testing::fixed("FROM python:3.11\nRUN apt-get update && \\\n\n    apt-get install -y curl\n", "BK003");
        assert_eq!(text, "FROM python:3.11\nRUN apt-get update && \\\n    apt-get install -y curl\n");
        assert!(after.is_empty());
    }
}

use crate::rules::{Check, Code, Enabled, Rule, Severity};

/// Emitted by the suppression pass (`crate::suppress`), which alone knows what each inline
/// `# spacecheck: ignore=` comment suppressed.
pub static RULE: Rule = Rule {
    code: Code::SC001,
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "an inline `# spacecheck: ignore=` comment that suppresses nothing",
    doc: r#"## What it checks
Each `# spacecheck: ignore=CODES` comment (in the Dockerfile, on the line before an instruction;
in the README frontmatter, on the line before a key) must suppress at least one finding of each
code it lists. Unknown codes are reported too.

## Why it matters on a Space
A stale suppression hides the next real problem of that kind on that line, and reviewers cannot
tell which suppressions still matter (ruff's RUF100, clippy's unfulfilled expectations).

## Example
```dockerfile
# spacecheck: ignore=DF011
FROM python:3.11-slim
```
The image is pinned: DF011 has nothing to suppress.

## Fix
Delete the comment, or the codes in it that no longer apply.

`spacecheck --fix` removes the unused codes, or the whole comment when none is used (safe)."#,
    check: Check::Pipeline,
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

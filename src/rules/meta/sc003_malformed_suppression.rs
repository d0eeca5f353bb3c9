use crate::rules::{Check, Code, Enabled, Rule, Severity};

/// Emitted by the suppression pass (`crate::suppress`), which reads the comments.
pub static RULE: Rule = Rule {
    code: Code::SC003,
    name: "malformed-suppression",
    severity: Severity::Warning,
    summary: "a `# spacecheck:` comment that is not a suppression spacecheck can read, or names an unknown code",
    doc: r#"## What it checks
Every comment that starts with `spacecheck` (in the Dockerfile, or a YAML comment in the README
frontmatter) must be a suppression spacecheck reads: `# spacecheck: ignore=CODE[,CODE…]`,
optionally followed by ` -- ` and the reason. Spaces around `=`, codes separated by spaces, a
missing `:`, another directive, no code, or a code that names no rule are reported.

## Why it matters on a Space
A suppression spacecheck cannot read suppresses nothing: the finding it was meant to silence is
still reported (or, worse, the author believes a check is off when it is not). Like ruff's
invalid `noqa` warnings, the comment is reported rather than silently ignored.

## Example
```dockerfile
# spacecheck: ignore = DF004 -- the base image runs as UID 1000
FROM ghcr.io/example/app:1.2
```

## Fix
`# spacecheck: ignore=DF004 -- the base image runs as UID 1000`. `spacecheck --fix` rewrites a
comment whose codes are all known into that form (safe: it then suppresses what it named)."#,
    check: Check::Pipeline,
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

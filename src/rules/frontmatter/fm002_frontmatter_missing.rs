use crate::diag::{Applicability, Fix};
use crate::parse::frontmatter::FrontmatterError;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::FM002,
    name: "frontmatter-missing",
    severity: Severity::Error,
    summary: "README.md does not begin with a `---` YAML block",
    doc: r#"## What it checks
That `README.md` begins with a YAML frontmatter block: a first line `---`, the keys, and a closing
`---` line.

## Why it matters on a Space
The Hub only reads configuration from a block at the very top of the README. A block further down,
or a README that starts with a heading, configures nothing: the Space gets the defaults (no Docker
SDK, port 7860).

## Example
```markdown
# My Space
---
sdk: docker
---
```

## Fix
Move the block to the first line of the file:
```markdown
---
sdk: docker
app_port: 7860
---
# My Space
```
`spacecheck --fix` puts a block with `sdk: docker` (and the `app_port` the policy requires or the
server listens on) on the first line, when no `---` block appears further down (safe). A block
further down is the author's to move."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(Err(FrontmatterError::Missing))) = (ctx.readme(), &ctx.frontmatter) else { return };
    let later_block = readme.text.lines().skip(1).any(|l| l.trim_end() == "---");
    let help = if later_block {
        "a `---` block appears later in the file: the Hub only reads one that starts on the first line"
    } else {
        "start README.md with `---`, the Space's keys (sdk: docker, app_port: ...), and a closing `---`"
    };
    let span = readme.line_span(1);
    // A block further down may be the one meant: moving it is the author's call.
    let fix = (!later_block).then(|| {
        let block = super::new_block(ctx, readme.newline());
        Fix::replace(Applicability::Safe, "start README.md with a frontmatter block", readme, 0..0, block)
    });
    out.push(
        Diagnostic::new(
            &RULE,
            "README.md does not start with a `---` frontmatter block, so the Hub sees no Space configuration",
        )
        .at(readme, span)
        .help(help)
        .maybe_fix(fix),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires, README};

    #[test]
    fn fires_when_readme_starts_with_text() {
        assert!(fires(&[("README.md", "# Title\n---\nsdk: docker\n---\n")], "FM002"));
        assert!(fires(&[("README.md", "\n---\nsdk: docker\n---\n")], "FM002"));
    }

    #[test]
    fn silent_with_block_first_even_with_bom_or_crlf() {
        assert!(!fires(&[("README.md", README)], "FM002"));
        assert!(!fires(&[("README.md", "\u{feff}---\r\nsdk: docker\r\n---\r\n")], "FM002"));
    }
}

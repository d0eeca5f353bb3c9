use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::SC002,
    name: "walk-truncated",
    severity: Severity::Info,
    summary: "the Space has more files than spacecheck walks: the repository checks are incomplete",
    doc: r#"## What it checks
Whether the walk of the Space's files stopped at spacecheck's cap (100,000 files and folders,
not counting `.git` and git-ignored folders). Past it, RP001 (leaked tokens), RP002 (COPY
sources) and RP003 (large files) only saw part of the Space; RP002 then reports nothing rather
than calling files missing.

## Why it matters on a Space
A cap keeps spacecheck fast and bounded in a pre-push hook; this says when it was reached, so a
pass is not mistaken for a complete check.

## Example
A Space with a vendored, not git-ignored, `node_modules/` of 150,000 files.

## Fix
Git-ignore generated and vendored folders (they should not be pushed anyway)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the Space has more files than spacecheck walks: there is nothing to edit"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.space.walk_truncated {
        out.push(
            Diagnostic::new(&RULE, format!("the Space has more than {} files and folders; spacecheck walked the first {}, so RP001-RP003 are incomplete", ctx.space.walk_limit, ctx.space.walk_limit))
                .help("git-ignore generated or vendored folders (node_modules, .venv, data dumps)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::{run_static, Context};
    use crate::space::Space;

    #[test]
    fn fires_past_the_cap_and_not_below() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..30 {
            std::fs::write(dir.path().join(format!("f{n}.txt")), "x").unwrap();
        }
        let policy = Policy::baseline();
        let capped = Space::load_with_limit(dir.path(), 10).unwrap();
        assert!(run_static(&Context::new(&capped, &policy), &|_| true).iter().any(|d| d.code == "SC002"));
        let whole = Space::load_with_limit(dir.path(), 100).unwrap();
        assert!(!run_static(&Context::new(&whole, &policy), &|_| true).iter().any(|d| d.code == "SC002"));
    }
}

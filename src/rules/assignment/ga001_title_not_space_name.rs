use crate::assignment::grader;
use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA001,
    name: "title-not-space-name",
    severity: Severity::Error,
    summary: "the frontmatter `title` is not the derived Space name",
    doc: r#"## What it checks
That the README frontmatter's `title` is exactly the Space name derived from the student's email (`ga2-` + 6 hex digits).

## Why it matters on a Space
The grader compares `cardData.title` with the name (check 7: "Space title should be <name>"). The Space itself works with any title.

## Example
```yaml
---
title: My Docker Space
sdk: docker
---
```

## Fix
`title: ga2-084d53` (your derived name: `spacecheck assignment show ga2 --email you@...`).

`spacecheck --fix` sets the title (safe: nothing runs by it)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(v), Some(readme), Some(fm)) = (&ctx.policy.assignment, ctx.readme(), ctx.frontmatter()) else { return };
    let title = fm.value("title");
    if let Err(message) = grader::check_title(title.and_then(|t| t.value.as_str()), &v.space_name) {
        let span = title.map_or(fm.yaml.start..fm.yaml.start, |t| t.span.clone());
        let mut d = Diagnostic::new(
            &RULE,
            format!("the grader will say \"{message}\" (check 7); the Space itself works with any title"),
        )
        .grader_check(7)
        .at(readme, span.clone())
        .help(format!("set `title: {}`", v.space_name));
        // Safe: the title is what the Space page shows, nothing runs by it.
        let message = format!("set `title: {}`", v.space_name);
        d.fix = match title {
            None => Some(Fix::replace(Applicability::Safe, message, readme, span, format!("title: {}{}", v.space_name, readme.newline()))),
            Some(_) if !readme.text[span.clone()].contains('\n') => {
                Some(Fix::replace(Applicability::Safe, message, readme, span, v.space_name.clone()))
            }
            Some(_) => None,
        };
        out.push(d);
    }
}

use crate::assignment::grader;
use crate::diag::Applicability;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA003,
    name: "expose-line-missing",
    severity: Severity::Error,
    summary: "the Dockerfile text lacks the literal `EXPOSE <port>`",
    doc: r#"## What it checks
That the Dockerfile's text contains `EXPOSE <port>` with the derived port, literally (check 9).

## Why it matters on a Space
`EXPOSE ${PORT}` documents the same port, but the grader reads text, not the built image.

## Example
```dockerfile
ARG PORT=7349
EXPOSE ${PORT}
```

## Fix
Write the number: `EXPOSE 7349` (your derived port).

`spacecheck --fix` adds the line `EXPOSE <port>` before the start command (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(v), Some(file)) = (&ctx.policy.assignment, ctx.dockerfile_file()) else { return };
    let literal = format!("EXPOSE {}", v.app_port);
    if grader::check_expose_line(&file.text, v.app_port).is_ok() {
        return;
    }
    let exposed = ctx.model.as_ref().is_some_and(|m| m.exposed.iter().any(|e| e.ports.contains(&v.app_port)));
    let note =
        if exposed { "; the port is exposed (through a variable), but the grader looks for the text" } else { "" };
    let mut d =
        Diagnostic::new(&RULE, format!("the grader will say \"Dockerfile must contain `{literal}`\" (check 9){note}"))
            .grader_check(9)
            .in_file(&file.path, None)
            .help(format!("add the line `{literal}`"));
    // Safe: EXPOSE documents a port; the grader reads the text.
    d.fix = crate::rules::dockerfile::add_line(ctx, file, &literal, Applicability::Safe, format!("add `{literal}`"));
    out.push(d);
}

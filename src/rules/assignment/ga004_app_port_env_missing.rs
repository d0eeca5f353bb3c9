use crate::assignment::grader;
use crate::diag::Applicability;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA004,
    name: "app-port-env-missing",
    severity: Severity::Error,
    summary: "the Dockerfile text does not match `ENV\\s+APP_PORT=`",
    doc: r#"## What it checks
That the Dockerfile's text matches `ENV\s+APP_PORT=` (check 9): an `ENV` instruction that starts with `APP_PORT=`.

## Why it matters on a Space
The grader wants the port in the image's environment under that name. `ENV HOME=/home/user APP_PORT=7349` sets it too, but does not match the grader's pattern.

## Example
```dockerfile
ENV PORT=7349
```

## Fix
A line of its own: `ENV APP_PORT=7349`.

`spacecheck --fix` adds the line `ENV APP_PORT=<port>` before the start command (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(v), Some(file)) = (&ctx.policy.assignment, ctx.dockerfile_file()) else { return };
    if let Err(message) = grader::check_env_app_port(&file.text) {
        let set_anyway = ctx.model.as_ref().is_some_and(|m| m.runtime_env.contains_key("APP_PORT"));
        let note = if set_anyway { "; APP_PORT is set, but not by an `ENV APP_PORT=` line" } else { "" };
        let line = format!("ENV APP_PORT={}", v.app_port);
        let mut d = Diagnostic::new(&RULE, format!("the grader will say \"{message}\" (check 9){note}"))
            .grader_check(9)
            .in_file(&file.path, None)
            .help(format!("add the line `{line}`"));
        // Safe: the variable holds the port the app serves on anyway.
        d.fix = crate::rules::dockerfile::add_line(ctx, file, &line, Applicability::Safe, format!("add `{line}`"));
        out.push(d);
    }
}

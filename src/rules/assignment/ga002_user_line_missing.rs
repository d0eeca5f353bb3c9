use crate::assignment::grader;
use crate::model::Uid;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA002,
    name: "user-line-missing",
    severity: Severity::Error,
    summary: "the Dockerfile text lacks the literal `USER user`",
    doc: r#"## What it checks
That the Dockerfile's text contains `USER user`, literally, as the grader searches it (check 9).

## Why it matters on a Space
The grader reads the raw Dockerfile and looks for that text: `USER 1000` or `USER app` created with `-u 1000` run as UID 1000 just as well on the Hub, but fail the grader.

## Example
```dockerfile
RUN useradd -m -u 1000 app
USER app
```

## Fix
Name the user `user`: `RUN useradd -m -u 1000 user` and `USER user`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(_), Some(file)) = (&ctx.policy.assignment, ctx.dockerfile_file()) else { return };
    if grader::check_user_line(&file.text).is_ok() {
        return;
    }
    let works = ctx.model.as_ref().is_some_and(|m| match m.runtime_user_text() {
        Some(u) => matches!(m.resolve_uid(u), Uid::Known(1000) | Uid::Inferred { uid: 1000, .. }),
        None => false,
    });
    let note =
        if works { "; the Space would still run as UID 1000, so only the grader's literal check fails" } else { "" };
    let span = ctx.model.as_ref().and_then(|m| match &m.runtime_user {
        crate::model::RuntimeUser::Set { user, .. } => Some(user.span.clone()),
        crate::model::RuntimeUser::Default => None,
    });
    let d =
        Diagnostic::new(&RULE, format!("the grader will say \"Dockerfile must contain `USER user`\" (check 9){note}"));
    let d = match span {
        Some(s) => d.at(file, s),
        None => d.in_file(&file.path, None),
    };
    out.push(d.help("create the user as `user` (`RUN useradd -m -u 1000 user`) and write `USER user`"));
}

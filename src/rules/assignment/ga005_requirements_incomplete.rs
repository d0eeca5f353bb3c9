use crate::assignment::grader;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA005,
    name: "requirements-incomplete",
    severity: Severity::Error,
    summary: "requirements.txt lacks fastapi or uvicorn, or is missing",
    doc: r#"## What it checks
That `requirements.txt` exists at the root and, lowercased, contains `fastapi` and `uvicorn` (check 10).

## Why it matters on a Space
The assignment's app is FastAPI served by uvicorn; the grader reads the raw requirements file.

## Example
A requirements.txt with `flask` only, or a `pyproject.toml` instead.

## Fix
`requirements.txt` with `fastapi` and `uvicorn[standard]`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(_) = &ctx.policy.assignment else { return };
    let text = ctx.space.read_bytes("requirements.txt").map(|b| crate::source::decode_bom_aware(&b));
    if let Err(message) = grader::check_requirements(text.as_deref()) {
        let d = Diagnostic::new(&RULE, format!("the grader will say \"{message}\" (check 10)"));
        let d = if text.is_some() { d.in_file("requirements.txt", None) } else { d };
        out.push(d.help("list `fastapi` and `uvicorn[standard]` in requirements.txt at the root of the Space"));
    }
}

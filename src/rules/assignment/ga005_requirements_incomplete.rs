use crate::assignment::grader;
use crate::diag::{Applicability, Fix};
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
`requirements.txt` with `fastapi` and `uvicorn[standard]`. `--fix` adds the missing ones at the
end of the file, or creates it (safe: the assignment's app needs both)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

const FILE: &str = "requirements.txt";

/// The lines the grader looks for that the file lacks, added at its end (the file is created
/// when missing). Safe: the assignment's app is FastAPI served by uvicorn, and adding them
/// installs what it needs.
fn fix(text: Option<&str>) -> Option<Fix> {
    let lower = text.unwrap_or_default().to_lowercase();
    let missing: Vec<&str> = [("fastapi", "fastapi"), ("uvicorn", "uvicorn[standard]")]
        .into_iter()
        .filter(|(name, _)| !lower.contains(name))
        .map(|(_, line)| line)
        .collect();
    if missing.is_empty() {
        return None;
    }
    let text = text.unwrap_or_default();
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let edit = crate::rules::edits::append_lines(FILE, text, &missing, nl);
    let message = format!("add `{}` to {FILE}", missing.join("`, `"));
    Some(Fix { applicability: Applicability::Safe, message, edits: vec![edit] })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(_) = &ctx.policy.assignment else { return };
    let text = ctx.space.read_bytes(FILE).map(|b| crate::source::decode_bom_aware(&b));
    if let Err(message) = grader::check_requirements(text.as_deref()) {
        let d = Diagnostic::new(&RULE, format!("the grader will say \"{message}\" (check 10)")).grader_check(10);
        let d = if text.is_some() { d.in_file(FILE, None) } else { d };
        let d = d.help("list `fastapi` and `uvicorn[standard]` in requirements.txt at the root of the Space");
        out.push(match fix(text.as_deref()) {
            Some(f) => d.fix(f),
            None => d,
        });
    }
}

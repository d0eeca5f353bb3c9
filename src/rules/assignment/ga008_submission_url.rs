use crate::assignment::grader;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::GA008,
    name: "submission-url",
    severity: Severity::Error,
    summary: "the URL to submit is not `https://huggingface.co/spaces/<owner>/<name>`, or ends with `/`",
    doc: r#"## What it checks
With `--submission URL`: that the URL is `https://huggingface.co/spaces/<owner>/<name>` without a trailing `/` (check 1), and names the Space being checked.

## Why it matters on a Space
The grader accepts a trailing `/` at check 1 but builds the raw file URLs from the untrimmed text, so `...//raw/main/Dockerfile` fails later with a confusing message.

## Example
`https://huggingface.co/spaces/alice/ga2-084d53/` or `huggingface.co/spaces/alice/ga2-084d53`.

## Fix
Submit exactly `https://huggingface.co/spaces/alice/ga2-084d53`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the URL is what is submitted, not a file of the Space"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(v), Some(url)) = (&ctx.policy.assignment, ctx.policy.submission.as_deref()) else { return };
    let trimmed = url.trim();
    let message = if let Err(m) = grader::check_submission(trimmed) {
        format!("the grader will say \"{m}\" (check 1)")
    } else if trimmed.ends_with('/') {
        "the URL ends with `/`: the grader accepts it at check 1, then fails to fetch `...//raw/main/Dockerfile`"
            .to_string()
    } else if trimmed.split('/').nth(5) != Some(v.space_name.as_str()) || trimmed.split('/').count() != 6 {
        format!(
            "the URL does not name a Space called `{}` (https://huggingface.co/spaces/<owner>/{})",
            v.space_name, v.space_name
        )
    } else {
        return;
    };
    out.push(
        Diagnostic::new(&RULE, message)
            .grader_check(1)
            .help(format!("submit `https://huggingface.co/spaces/<owner>/{}`, with no trailing `/`", v.space_name)),
    );
}

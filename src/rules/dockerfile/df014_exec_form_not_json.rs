use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, CommandForm, Kind};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF014,
    name: "exec-form-not-json",
    severity: Severity::Error,
    summary: "a CMD/ENTRYPOINT/RUN written as an array that is not valid JSON runs as a shell command",
    doc: r#"## What it checks
`CMD`, `ENTRYPOINT` and `RUN` lines written as an array (`CMD ['python', 'app.py']`) that is not
valid JSON: single or typographic quotes, a trailing comma, a missing comma. BuildKit then reads
the line as shell form and runs the text itself with `/bin/sh -c`. Checked: the start command the
container really uses (the last CMD and ENTRYPOINT of the final stage) and every RUN of the
stages the build needs. A shell test (`RUN [ -f x ] && …`) is not an array and is not reported.

## Why it matters on a Space
`/bin/sh -c "['python', 'app.py']"` looks for a program named `['python',`: "not found", exit
127. For CMD/ENTRYPOINT the container exits at once and the Space shows a runtime error; for RUN
the build fails. Nothing in the build says that the JSON was the problem.

## Example
```dockerfile
CMD ['uvicorn', 'app:app', '--host', '0.0.0.0', '--port', '7860']
```

## Fix
Double quotes, commas between the items and none after the last:
`CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "7860"]`. `spacecheck --fix` rewrites
the array as JSON when every item is a quoted string (safe: it runs what the array says)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("JSONArgsRecommended")],
    fixable: crate::rules::Fixable::Yes,
};

/// Why an array-looking command is not JSON, when it looks like an array meant as exec form:
/// `[` followed by a quote, and a closing `]`.
fn not_json_because(text: &str) -> Option<String> {
    let t = text.trim();
    let inner = t.strip_prefix('[')?.strip_suffix(']')?.trim();
    let starts_quoted = inner.starts_with(['"', '\'', '“', '‘', '”']);
    if !starts_quoted || serde_json::from_str::<Vec<String>>(t).is_ok() {
        return None;
    }
    Some(if inner.contains(['“', '”', '‘', '’']) {
        "typographic quotes".to_string()
    } else if inner.contains('\'') {
        "single quotes".to_string()
    } else if inner.trim_end().ends_with(',') {
        "a trailing comma".to_string()
    } else if let Some(bare) = unquoted_item(inner) {
        format!("the item `{bare}` is not in quotes")
    } else {
        "not valid JSON".to_string()
    })
}

/// The first item of a double-quoted list that is not in quotes (`["--port", PORT]` → `PORT`).
fn unquoted_item(inner: &str) -> Option<&str> {
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in inner.char_indices().chain([(inner.len(), ',')]) {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                let item = inner[start..i].trim();
                if !item.is_empty() && !item.starts_with('"') {
                    return Some(item);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The array's items when each is one quoted string without escapes, as JSON.
fn as_json(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut items: Vec<String> = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let open = rest.chars().next()?;
        let close = match open {
            '"' | '\'' => open,
            '“' | '”' => '”',
            '‘' | '’' => '’',
            _ => return None,
        };
        let body = &rest[open.len_utf8()..];
        let end = body.find(close)?;
        let item = &body[..end];
        if item.contains(['\\', '"', '\'']) {
            return None;
        }
        items.push(item.to_string());
        rest = body[end + close.len_utf8()..].trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    (!items.is_empty()).then(|| serde_json::to_string(&items).ok()).flatten().map(|j| j.replace("\",\"", "\", \""))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df), Some(model)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile(), &ctx.model) else {
        return;
    };
    let needed = model.needed_stages();
    let start: Vec<usize> =
        [&model.start.cmd, &model.start.entrypoint].iter().filter_map(|c| c.as_ref().map(|(_, span)| span.start)).collect();
    let runs: std::collections::HashSet<usize> =
        model.runs.iter().filter(|r| needed.contains(&r.stage)).map(|r| r.instruction).collect();
    for (n, ins) in df.instructions.iter().enumerate() {
        let Args::Command(CommandForm::Shell(word)) = &ins.args else { continue };
        let judged = match ins.kind {
            Kind::Cmd | Kind::Entrypoint => start.contains(&ins.span.start),
            Kind::Run => runs.contains(&n),
            _ => false,
        };
        let Some(why) = judged.then(|| not_json_because(&word.text)).flatten() else { continue };
        let keyword = ins.kind.keyword();
        let first = word.text.split_whitespace().next().unwrap_or_default();
        let consequence = if ins.kind == Kind::Run {
            "the build fails".to_string()
        } else {
            "the container exits at once and the Space never answers".to_string()
        };
        let mut d = Diagnostic::new(
            &RULE,
            format!("this {keyword} is not a JSON array ({why}), so BuildKit runs it as a shell command: `/bin/sh -c` finds no program `{first}` and {consequence}"),
        )
        .at(file, word.span.clone())
        .label("not JSON")
        .help(format!("write it with double quotes and commas only between items: `{keyword} [\"prog\", \"arg\"]`"));
        let raw = file.text.get(word.span.clone()).unwrap_or_default();
        d.fix = as_json(raw).filter(|_| raw == word.text).map(|json| {
            Fix::replace(Applicability::Safe, format!("rewrite as JSON: {json}"), file, word.span.clone(), json)
        });
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::codes_for;

    fn fires(dockerfile: &str) -> usize {
        codes_for(dockerfile, "DF014").len()
    }

    #[test]
    fn arrays_that_are_not_json() {
        assert_eq!(fires("FROM python:3.11\nCMD ['python', 'app.py']\n"), 1);
        assert_eq!(fires("FROM python:3.11\nCMD [\"python\", \"app.py\",]\n"), 1);
        assert_eq!(fires("FROM python:3.11\nENTRYPOINT [“python”, “app.py”]\n"), 1);
        assert_eq!(fires("FROM python:3.11\nRUN ['pip', 'install', 'x']\n"), 1);
        let d = codes_for("FROM python:3.11\nCMD ['python', 'app.py']\n", "DF014");
        assert!(d[0].message.contains("(single quotes)") && d[0].message.contains("`['python',`"), "{}", d[0].message);
        assert_eq!(d[0].fix.as_ref().unwrap().edits[0].replacement, "[\"python\", \"app.py\"]");
    }

    #[test]
    fn near_misses_stay_silent() {
        assert_eq!(fires("FROM python:3.11\nCMD [\"python\", \"app.py\"]\n"), 0);
        assert_eq!(fires("FROM python:3.11\nRUN [ -f requirements.txt ] && pip install -r requirements.txt\n"), 0);
        assert_eq!(fires("FROM python:3.11\nCMD python app.py\n"), 0);
        // An earlier CMD that a later one replaces does not run (DL4003's finding).
        assert_eq!(fires("FROM python:3.11\nCMD ['a']\nCMD [\"python\", \"app.py\"]\n"), 0);
        // A RUN of a stage the build does not need.
        assert_eq!(fires("FROM python:3.11 AS unused\nRUN ['x']\nFROM python:3.11\n"), 0);
    }

    #[test]
    fn reasons_and_rewrites() {
        assert_eq!(not_json_because("[\"a\" \"b\"]").as_deref(), Some("not valid JSON"));
        assert_eq!(
            not_json_because("[\"uvicorn\", \"--port\", PORT]").as_deref(),
            Some("the item `PORT` is not in quotes")
        );
        assert_eq!(as_json("['a', \"b\"]").as_deref(), Some("[\"a\", \"b\"]"));
        assert_eq!(as_json("['a' 'b']"), None);
        assert_eq!(as_json("['it\\'s']"), None);
    }
}

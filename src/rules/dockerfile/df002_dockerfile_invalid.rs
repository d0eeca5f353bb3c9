use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::DF002,
    name: "dockerfile-invalid",
    severity: Severity::Error,
    summary: "the Dockerfile cannot be parsed (with the place)",
    doc: r#"## What it checks
That the Dockerfile parses as BuildKit parses it: instructions, continuation lines, `# escape=`,
heredocs (`RUN <<EOF`, `RUN cat <<'EOF' > file`, `RUN python - <<PY`), and that it is a readable
text file (not binary, valid UTF-8, no line over BuildKit's 64 KiB limit, not a folder or a link
leaving the Space). Reported with the line and column of the problem.

## Why it matters on a Space
The Hub builds with BuildKit: a Dockerfile it cannot parse fails the build before anything runs,
and the Space shows a build error.

## Example
```dockerfile
FROM python:3.11
RUN cat <<EOF > start.sh
uvicorn main:app
```
The heredoc is never closed (no line `EOF`): BuildKit stops with "unterminated heredoc".

## Fix
Fix the line shown: here, end the heredoc with a line `EOF`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("a parse error has no single repair"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if let Loaded::Problem { message, line_col } = &ctx.space.dockerfile {
        out.push(
            Diagnostic::new(&RULE, format!("the Dockerfile cannot be read: {message}"))
                .in_file("Dockerfile", *line_col),
        );
        return;
    }
    let (Some(file), Some(parsed)) = (ctx.dockerfile_file(), &ctx.dockerfile) else { return };
    match parsed {
        Err(e) if e.over_budget => out.push(
            Diagnostic::new(&RULE, format!("the Dockerfile cannot be checked: {}", e.message))
                .at(file, e.span.clone())
                .label("here"),
        ),
        Err(e) => out.push(
            Diagnostic::new(&RULE, format!("the Dockerfile does not parse: {}", e.message))
                .at(file, e.span.clone())
                .label("here"),
        ),
        // It parses; BuildKit still stops on these before running anything.
        Ok(df) => out.extend(crate::parse::buildkit::errors(file, df).into_iter().map(|e| {
            Diagnostic::new(&RULE, format!("BuildKit stops the build before running anything: {}", e.message))
                .at(file, e.span)
                .label("here")
                .help("the Hub build fails on this line: fix the quoting or the flag it names")
        })),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn df2(dockerfile: &str) -> Option<crate::rules::Diagnostic> {
        lint(&[("README.md", README), ("Dockerfile", dockerfile)]).into_iter().find(|d| d.code == "DF002")
    }

    #[test]
    fn fires_with_place() {
        // A line the lexer cannot read as an instruction.
        let d = df2("FROM python:3.11\nRUN cat x\nFONT=/a\n").unwrap();
        assert_eq!(d.position.unwrap().line, 3);
        // `<< 'EOF'` with a space is a heredoc since BuildKit v0.22: no error.
        assert!(df2("FROM python:3.11\nRUN cat << 'EOF' > x\nFONT=/a\nEOF\n").is_none());
        assert!(df2("FROM a\nENV PATH\n").is_some());
        assert!(df2("").is_some());
        assert!(df2("# only a comment\n").is_some());
        assert!(df2("FROM a\nRUN \u{0}\n").is_some());
    }

    #[test]
    fn silent_on_buildkit_syntax() {
        let ok = "# syntax=docker/dockerfile:1\nFROM python:3.11\nRUN --mount=type=secret,id=X,dst=.env npm run build\nRUN python - <<'PY'\nimport os\nPY\nCOPY --link --chown=1000 . .\n";
        assert!(df2(ok).is_none());
    }
}

use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Kind};
use crate::parse::shell::unquote;
use crate::rules::hadolint::steps;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3021,
    name: "copy-dest-not-dir",
    severity: Severity::Warning,
    summary: "`COPY` with several sources to a destination not ending in `/` (hadolint DL3021)",
    doc: r#"## What it checks
A `COPY` with more than one source whose destination does not end with `/`. Same cases as
hadolint's DL3021, except that a destination made of a variable (`$APP_HOME`) is not judged (its
value may end with `/`), and the severity says what happens with BuildKit, which builds Spaces:
a warning (hadolint: error), or info when the destination is `.` or the stage's `WORKDIR`.

## Why it matters on a Space
The classic builder (`DOCKER_BUILDKIT=0`) refuses the line: "When using COPY with more than one
source file, the destination must be a directory and end with a /". BuildKit, which the Hub
uses, does not: when the destination is not already a folder it copies each source onto the
same path in turn, and only the last one is left, as a file with the folder's name
(moby/buildkit#1853). Into `.` or the working folder the copy works on the Hub.

## Example
```dockerfile
COPY app.py utils.py /home/user/app
```

## Fix
End the destination with `/`: `COPY app.py utils.py /home/user/app/`. The fix adds the `/`
(safe: with it, both builders copy into the folder)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3021")],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let mut workdir: Option<String> = None;
    for step in steps(df) {
        match (step.ins.kind, &step.ins.args) {
            (Kind::From, _) => workdir = None,
            (Kind::Workdir, Args::Text(dir)) if !step.onbuild => workdir = Some(unquote(&dir.text)),
            _ => {}
        }
        let Args::Copy { sources, dest } = &step.ins.args else { continue };
        let dest_text = unquote(&dest.text);
        if step.ins.kind != Kind::Copy || sources.len() < 2 || dest_text.ends_with('/') || dest.text.contains('$') {
            continue;
        }
        let working_folder = dest_text == "." || workdir.as_deref().is_some_and(|w| w.trim_end_matches('/') == dest_text);
        let d = if working_folder {
            Diagnostic::new(
                &RULE,
                format!(
                    "`COPY` of {} sources to `{dest_text}` without a final `/`: BuildKit, which builds the Space, copies \
                     into the working folder, but the classic builder refuses the line",
                    sources.len()
                ),
            )
            .severity(Severity::Info)
        } else {
            Diagnostic::new(
                &RULE,
                format!(
                    "`COPY` of {} sources to `{dest_text}` without a final `/`: unless `{dest_text}` is already a folder, \
                     BuildKit copies each source onto that path in turn and only the last is left, as a file",
                    sources.len()
                ),
            )
        };
        let mut d = d.at(file, dest.span.clone()).help(format!("write the destination as `{dest_text}/`"));
        // Quoted or JSON-form destinations end with a quote: leave those to the author.
        if file.text.get(dest.span.clone()) == Some(dest.text.as_str()) && !dest.text.ends_with(['"', '\'']) {
            let fix = Fix::replace(Applicability::Safe, "end the destination with `/`", file, dest.span.end..dest.span.end, "/");
            d = d.fix(fix);
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3021Spec cases.
    #[test]
    fn hadolint_spec() {
        assert!(hadolint_case("COPY foo bar\n", "DL3021").is_empty());
        assert_eq!(hadolint_case("COPY foo bar baz\n", "DL3021").len(), 1);
        assert!(hadolint_case("COPY foo bar baz/\n", "DL3021").is_empty());
    }

    #[test]
    fn near_misses() {
        assert!(hadolint_case("COPY foo bar $DEST\n", "DL3021").is_empty());
        assert!(hadolint_case("COPY [\"foo\", \"bar\", \"/app/\"]\n", "DL3021").is_empty());
        assert_eq!(hadolint_case("COPY --chown=user foo bar /app\n", "DL3021").len(), 1);
    }

    /// Into `.` or the WORKDIR, BuildKit copies into the folder: only the classic builder fails.
    #[test]
    fn the_working_folder_is_info() {
        for df in ["FROM python:3.11\nCOPY a b .\n", "FROM python:3.11\nWORKDIR /app\nCOPY a b /app\n"] {
            let found = hadolint_case(df, "DL3021");
            assert_eq!(found.len(), 1, "{df}");
            assert_eq!(found[0].severity, crate::rules::Severity::Info, "{df}");
        }
        let found = hadolint_case("FROM python:3.11\nWORKDIR /app\nCOPY a b /srv\n", "DL3021");
        assert_eq!(found[0].severity, crate::rules::Severity::Warning);
    }
}

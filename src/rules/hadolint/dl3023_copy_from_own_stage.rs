use crate::parse::dockerfile::Kind;
use crate::rules::hadolint::{copy_from, stage_names, steps};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3023,
    name: "copy-from-own-stage",
    severity: Severity::Error,
    summary: "`COPY --from` names the stage it is in (hadolint DL3023)",
    doc: r#"## What it checks
`COPY --from=NAME` inside the stage named NAME. Same semantics as hadolint's DL3023.

## Why it matters on a Space
A stage cannot copy from itself: BuildKit stops with "circular dependency detected on stage",
and the Hub build fails.

## Example
```dockerfile
FROM python:3.11-slim AS app
COPY --from=app /app/model /models
```

## Fix
Copy from the stage that produced the files (`--from=builder`), or from the build context
(drop `--from`)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3023")],
    fixable: crate::rules::Fixable::No("which stage or image was meant is the author's to say"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let names = stage_names(df);
    for step in steps(df).into_iter().filter(|s| s.ins.kind == Kind::Copy && !s.onbuild) {
        let Some((flag, from)) = copy_from(&step) else { continue };
        if names.get(step.stage).and_then(|n| n.as_deref()) != Some(from.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                format!("`COPY --from={from}` inside stage `{from}` itself: BuildKit stops with a circular dependency, so the Hub build fails"),
            )
            .at(file, flag.span.clone())
            .help("copy from the stage that made the files, or drop `--from` to copy from the build context"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3023Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("FROM node as foo\nCOPY --from=foo bar .\n", "DL3023").len(), 1);
        let other = "FROM scratch as build\nRUN foo\nFROM node as run\nCOPY --from=build foo .\nRUN baz\n";
        assert!(hadolint_case(other, "DL3023").is_empty());
    }
}

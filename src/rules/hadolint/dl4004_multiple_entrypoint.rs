use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL4004,
    name: "multiple-entrypoint",
    severity: Severity::Error,
    summary: "several `ENTRYPOINT` in one stage: only the last runs (hadolint DL4004)",
    doc: r#"## What it checks
A stage with more than one `ENTRYPOINT`; each one after the first is reported. Same semantics as
hadolint's DL4004.

## Why it matters on a Space
Only the last `ENTRYPOINT` of the final stage runs when the Space starts: the earlier ones (a
start script that sets up folders or secrets) are silently skipped.

## Example
```dockerfile
ENTRYPOINT ["/app/setup.sh"]
ENTRYPOINT ["python", "app.py"]
```

## Fix
Keep one `ENTRYPOINT`; chain the steps in a start script (`setup && exec python app.py`).
`spacecheck --fix --unsafe-fixes` removes the ones that never run (unsafe: their steps may be
meant to run)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL4004"), Equivalent::BuildKit("MultipleInstructionsDisallowed")],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    for (earlier, later) in df.repeated_in_stage(Kind::Entrypoint) {
        let line = file.line_col(earlier.span.start).0;
        out.push(
            Diagnostic::new(
                &RULE,
                format!("a second `ENTRYPOINT` in this stage: only the last one runs, the one on line {line} never does"),
            )
            .at(file, later.keyword_span.clone())
            .help("keep a single ENTRYPOINT; run the earlier steps from a start script")
            .maybe_fix(crate::rules::buildkit::bk012_multiple_instructions_disallowed::remove_unused(file, earlier)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL4004Spec cases.
    #[test]
    fn hadolint_spec() {
        assert!(hadolint_case("FROM busybox\n", "DL4004").is_empty());
        assert_eq!(hadolint_case("FROM debian\nENTRYPOINT bash\nRUN foo\nENTRYPOINT another\n", "DL4004").len(), 1);
        let stages = "FROM debian as distro1\nENTRYPOINT bash\nRUN foo\nFROM debian as distro2\nENTRYPOINT another\n";
        assert!(hadolint_case(stages, "DL4004").is_empty());
        let many =
            "FROM debian as distro1\nENTRYPOINT bash\nRUN foo\nENTRYPOINT another\nFROM debian as distro2\nENTRYPOINT another\n";
        assert_eq!(hadolint_case(many, "DL4004").len(), 1);
        assert!(hadolint_case("ENTRYPOINT /bin/true\n", "DL4004").is_empty());
    }
}

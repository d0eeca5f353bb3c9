use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL4003,
    name: "multiple-cmd",
    severity: Severity::Warning,
    summary: "several `CMD` in one stage: only the last runs (hadolint DL4003)",
    doc: r#"## What it checks
A stage with more than one `CMD`; each `CMD` after the first is reported. Same semantics as
hadolint's DL4003 (stages are counted apart).

## Why it matters on a Space
Only the last `CMD` of the final stage starts the Space. An edit to an earlier `CMD` ("I set the
port to 7860") changes nothing, and the Space keeps starting the command below it.

## Example
```dockerfile
CMD ["python", "app.py"]
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
```

## Fix
Keep one `CMD`, the one the Space should run. `spacecheck --fix --unsafe-fixes` removes the ones
that never run (unsafe: one of them may be the command meant)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL4003"), Equivalent::BuildKit("MultipleInstructionsDisallowed")],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    for (earlier, later) in df.repeated_in_stage(Kind::Cmd) {
        let line = file.line_col(earlier.span.start).0;
        out.push(
            Diagnostic::new(&RULE, format!("a second `CMD` in this stage: only the last one runs, the `CMD` on line {line} never does"))
                .at(file, later.keyword_span.clone())
                .help("keep a single CMD: remove the ones that do not run")
                .maybe_fix(crate::rules::buildkit::bk012_multiple_instructions_disallowed::remove_unused(file, earlier)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL4003Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("FROM debian\nCMD bash\nRUN foo\nCMD another\n", "DL4003").len(), 1);
        let stages = "FROM debian as distro1\nCMD bash\nRUN foo\nFROM debian as distro2\nCMD another\n";
        assert!(hadolint_case(stages, "DL4003").is_empty());
        let many = "FROM debian as distro1\nCMD bash\nRUN foo\nCMD another\nFROM debian as distro2\nCMD another\n";
        assert_eq!(hadolint_case(many, "DL4003").len(), 1);
        assert!(hadolint_case("CMD /bin/true\n", "DL4003").is_empty());
    }
}

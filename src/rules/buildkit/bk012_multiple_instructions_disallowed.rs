use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Instruction, Kind};
use crate::rules::edits;
use crate::source::SourceFile;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK012,
    name: "multiple-instructions-disallowed",
    severity: Severity::Warning,
    summary: "several CMD, ENTRYPOINT or HEALTHCHECK in a stage (BuildKit MultipleInstructionsDisallowed)",
    doc: r#"## What it checks
BuildKit's `MultipleInstructionsDisallowed`: a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` followed by
another of its kind in the same stage; the earlier one, which is ignored, is reported.

## Why it matters on a Space
Only the last one counts when the Space starts: editing the earlier one ("I fixed the port")
changes nothing.

## Example
```dockerfile
CMD ["python", "app.py"]
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
```

## Fix
Keep one of each per stage. `spacecheck --fix --unsafe-fixes` removes the ones that never take
effect (unsafe: the author may have meant them to run, and then they belong in a start script)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[
        Equivalent::BuildKit("MultipleInstructionsDisallowed"),
        Equivalent::Hadolint("DL4003"),
        Equivalent::Hadolint("DL4004"),
    ],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "only the last one runs when the Space starts: keep one";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for kind in [Kind::Entrypoint, Kind::Cmd, Kind::Healthcheck] {
        // BuildKit reports the earlier instruction: it is the one ignored.
        for (earlier, _) in df.repeated_in_stage(kind) {
            let name = kind.keyword();
            let message = format!("Multiple {name} instructions should not be used in the same stage because only the last one will be used");
            let fix = remove_unused(file, earlier);
            out.extend(finding(ctx, &RULE, earlier.span.start, earlier.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
        }
    }
}

/// The instruction that never takes effect removed. Unsafe: nothing the image does changes, but
/// the author may have meant it to run (then it belongs in a start script).
pub fn remove_unused(file: &SourceFile, ins: &Instruction) -> Option<Fix> {
    let lines = edits::instruction_lines(file, ins)?;
    let line = file.line_col(ins.span.start).0;
    let message = format!("remove the {} on line {line}, which never takes effect", ins.kind.keyword());
    Some(Fix::replace(Applicability::Unsafe, message, file, lines, String::new()))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    fn msg(name: &str) -> String {
        format!("Multiple {name} instructions should not be used in the same stage because only the last one will be used")
    }

    /// BuildKit's testMultipleInstructionsDisallowed.
    #[test]
    fn buildkit_cases() {
        let df = "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n";
        assert_eq!(buildkit_case(df, "BK012"), vec![(3, msg("ENTRYPOINT")), (5, msg("CMD")), (7, msg("HEALTHCHECK"))]);
        let split = "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n";
        assert_eq!(buildkit_case(split, "BK012"), vec![(3, msg("ENTRYPOINT")), (4, msg("CMD")), (5, msg("HEALTHCHECK"))]);
        let stages = "\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n";
        assert!(buildkit_case(stages, "BK012").is_empty());
    }

    /// The instructions that never take effect go with their lines; the last one stays.
    #[test]
    fn the_fix_removes_what_never_runs() {
        let (text, after) = crate::rules::testing::fixed("FROM python:3.11\nCMD a\nCMD [\"b\"]\nRUN x\nCMD c\n", "BK012");
        assert_eq!(text, "FROM python:3.11\nRUN x\nCMD c\n");
        assert!(after.is_empty());
    }
}

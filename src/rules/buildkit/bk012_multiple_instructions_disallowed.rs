use crate::parse::dockerfile::Kind;
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
Keep one of each per stage."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[
        Equivalent::BuildKit("MultipleInstructionsDisallowed"),
        Equivalent::Hadolint("DL4003"),
        Equivalent::Hadolint("DL4004"),
    ],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "only the last one runs when the Space starts: keep one";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for kind in [Kind::Entrypoint, Kind::Cmd, Kind::Healthcheck] {
        // BuildKit reports the earlier instruction: it is the one ignored.
        for (earlier, _) in df.repeated_in_stage(kind) {
            let name = kind.keyword();
            let message = format!("Multiple {name} instructions should not be used in the same stage because only the last one will be used");
            out.extend(finding(ctx, &RULE, earlier.span.start, earlier.span.clone(), message, HELP));
        }
    }
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
}

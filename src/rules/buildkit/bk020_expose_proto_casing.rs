use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Kind};
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK020,
    name: "expose-proto-casing",
    severity: Severity::Warning,
    summary: "an EXPOSE protocol not in lowercase (BuildKit ExposeProtoCasing)",
    doc: r#"## What it checks
BuildKit's `ExposeProtoCasing`: an `EXPOSE` port whose protocol is not lowercase (`80/TCP`).

## Why it matters on a Space
Nothing breaks (the Hub ignores EXPOSE, and routes HTTP to `app_port`); tools that read the image
may not recognise the protocol.

## Example
```dockerfile
EXPOSE 7860/TCP
```

## Fix
`EXPOSE 7860/tcp`, or just `EXPOSE 7860`. `spacecheck --fix` writes the protocol in lowercase
(safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("ExposeProtoCasing")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub ignores EXPOSE: write the protocol in lowercase, or drop it";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| i.kind == Kind::Expose) {
        let Args::Words(words) = &ins.args else { continue };
        for word in words {
            let Some((_, proto)) = word.text.split_once('/') else { continue };
            if proto.to_lowercase() != proto {
                let message = format!("Defined protocol '{}' in EXPOSE instruction should be lowercase", word.text);
                // Safe: Docker reads the protocol in any case.
                let fix = (file.text.get(word.span.clone()) == Some(word.text.as_str())).then(|| {
                    let lower = word.text.to_lowercase();
                    Fix::replace(Applicability::Safe, format!("write `{lower}`"), file, word.span.clone(), lower)
                });
                out.extend(finding(ctx, &RULE, ins.span.start, word.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testExposeProtoCasing.
    #[test]
    fn buildkit_cases() {
        let msg = |p: &str| format!("Defined protocol '{p}' in EXPOSE instruction should be lowercase");
        assert_eq!(buildkit_case("\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n", "BK020"), vec![(3, msg("80/TcP")), (3, msg("8080/TCP"))]);
    }
}

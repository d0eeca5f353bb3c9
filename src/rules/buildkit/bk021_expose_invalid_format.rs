use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Kind};
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK021,
    name: "expose-invalid-format",
    severity: Severity::Warning,
    summary: "an EXPOSE with an IP address or host port (BuildKit ExposeInvalidFormat)",
    doc: r#"## What it checks
BuildKit's `ExposeInvalidFormat`: an `EXPOSE` port written with an IP address or a host-port
mapping (`127.0.0.1:80:80`, `5000:5000`), which BuildKit says will become an error.

## Why it matters on a Space
An image cannot publish ports: the Hub routes traffic to `app_port` whatever EXPOSE says. The
line misleads, and a future BuildKit will fail the build on it.

## Example
```dockerfile
EXPOSE 7860:7860
```

## Fix
`EXPOSE 7860`. `spacecheck --fix` keeps the container port (and protocol), the only part Docker
exposes (safe)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("ExposeInvalidFormat")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub ignores EXPOSE and routes to app_port: write the port alone (`EXPOSE 7860`)";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| i.kind == Kind::Expose) {
        let Args::Words(words) = &ins.args else { continue };
        for word in words.iter().filter(|w| w.text.contains(':')) {
            let message = format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{}'", word.text);
            // The container port alone (with its protocol): what Docker exposes of the mapping.
            // Safe: the image exposes the same port.
            let port = word.text.rsplit(':').next().unwrap_or_default();
            let fix = (!port.is_empty() && file.text.get(word.span.clone()) == Some(word.text.as_str())).then(|| {
                Fix::replace(Applicability::Safe, format!("write `{port}`"), file, word.span.clone(), port)
            });
            out.extend(finding(ctx, &RULE, ins.span.start, word.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testExposeInvalidFormat.
    #[test]
    fn buildkit_cases() {
        let msg = |p: &str| format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{p}'");
        let found = buildkit_case("\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n", "BK021");
        assert_eq!(found, vec![(3, msg("127.0.0.1:80:80")), (3, msg("5000:5000")), (3, msg("[::1]:8080:8080"))]);
    }

    /// Only the container port (and protocol) stays.
    #[test]
    fn the_fix_keeps_the_container_port() {
        let (text, after) = crate::rules::testing::fixed("FROM python:3.11\nEXPOSE 127.0.0.1:80:7860/tcp 8080:80\n", "BK021");
        assert_eq!(text, "FROM python:3.11\nEXPOSE 7860/tcp 80\n");
        assert!(after.is_empty());
    }
}

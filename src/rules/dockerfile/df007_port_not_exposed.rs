use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF007,
    name: "port-not-exposed",
    severity: Severity::Warning,
    summary: "no EXPOSE in the final stage lists the app port",
    doc: r#"## What it checks
That the `EXPOSE` lines of the final stage (or a stage it is built from), when there are any,
list the app port: the frontmatter's `app_port`, or 7860 when it is absent. Variables are
expanded (`ARG PORT=7860` + `EXPOSE ${PORT}`), and ranges (`EXPOSE 7000-7999`) count. A
Dockerfile without EXPOSE is fine: the Hub ignores EXPOSE, and its own templates have none.

## Why it matters on a Space
The Hub routes traffic to `app_port` whatever EXPOSE says, so this is documentation, but it is the
documentation people and tools read: a Dockerfile exposing 8501 while the Space uses 7860 usually
means the server listens on the wrong port too, and local `docker run -P` tests the wrong one.

## Example
```dockerfile
EXPOSE 8501
CMD ["streamlit", "run", "app.py", "--server.port=7860"]
```
with `app_port: 7860`.

## Fix
`EXPOSE 7860` (the app port).

`spacecheck --fix` adds `EXPOSE <app_port>` before the start command (safe: EXPOSE documents the
port; the Hub routes by `app_port` alone)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

/// `EXPOSE <port>`, safe: EXPOSE documents the port and changes nothing the Hub does.
fn expose_fix(ctx: &Context, file: &SourceFile, port: u16) -> Option<Fix> {
    super::add_line(ctx, file, &format!("EXPOSE {port}"), Applicability::Safe, format!("add `EXPOSE {port}`"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    if model.stages.is_empty() {
        return;
    }
    let (port, _) = ctx.app_port();
    if model.exposed.iter().any(|e| e.ports.contains(&port)) {
        return;
    }
    // A variable nothing defines (no ARG, no ENV) expands to nothing in BuildKit (BK011 says
    // so): only one whose value is not known here (an ARG without a default) leaves it open.
    let defined = |raw: &str| {
        crate::rules::buildkit::var_refs(raw, '\\').iter().any(|v| model.var_defs.iter().any(|d| &d.name == v))
    };
    let unresolved: Vec<&str> = model
        .exposed
        .iter()
        .filter(|e| e.ports.is_empty() && defined(&e.text.raw))
        .map(|e| e.text.raw.as_str())
        .collect();
    if let Some(raw) = unresolved.first() {
        out.push(
            Diagnostic::new(
                &RULE,
                format!(
                    "`EXPOSE {raw}` cannot be resolved statically, so it cannot be checked against {}",
                    ctx.app_port_text()
                ),
            )
            .at(file, model.exposed.iter().find(|e| e.text.raw == *raw).map_or(0..0, |e| e.text.span.clone()))
            .severity(Severity::Info)
            .help(format!("give the variable a default, or write `EXPOSE {port}`")),
        );
        return;
    }
    // No EXPOSE at all is not reported: the Hub routes by `app_port` alone and its own Docker
    // templates have none (the assignment's literal `EXPOSE` line is GA003's).
    let resolved: Vec<&crate::model::ExposedPort> = model.exposed.iter().filter(|e| !e.ports.is_empty()).collect();
    let Some(first) = resolved.first() else { return };
    let listed: Vec<&str> = resolved.iter().map(|e| e.text.value.as_str()).collect();
    let mut finding = Diagnostic::new(&RULE, format!("EXPOSE lists {} but not {}", listed.join(", "), ctx.app_port_text()))
        .at(file, first.text.span.clone())
        .help(format!("expose {port}, the port the Hub sends traffic to"));
    finding.fix = expose_fix(ctx, file, port);
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes_for, lint};

    #[test]
    fn fires_when_another_port_is_exposed() {
        assert_eq!(codes_for("FROM python\nEXPOSE 8501\n", "DF007").len(), 1);
        assert_eq!(codes_for("FROM python\nEXPOSE 7860\nFROM python\nEXPOSE 8080\n", "DF007").len(), 1, "EXPOSE of another stage");
    }

    /// The Hub ignores EXPOSE, and its own Docker templates have none: no finding.
    #[test]
    fn silent_without_expose() {
        assert!(codes_for("FROM python\nCMD x\n", "DF007").is_empty());
        let template = "FROM python:3.9\nRUN useradd -m -u 1000 user\nUSER user\nENV PATH=\"/home/user/.local/bin:$PATH\"\nWORKDIR /app\nCOPY --chown=user ./requirements.txt requirements.txt\nRUN pip install --no-cache-dir --upgrade -r requirements.txt\nCOPY --chown=user . /app\nCMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]\n";
        assert!(codes_for(template, "DF007").is_empty());
    }

    #[test]
    fn silent_when_exposed_in_any_spelling() {
        assert!(codes_for("FROM python\nEXPOSE 7860\n", "DF007").is_empty());
        assert!(codes_for("FROM python\nARG PORT=7860\nENV PORT=${PORT}\nEXPOSE ${PORT}\n", "DF007").is_empty());
        assert!(codes_for("FROM python\nEXPOSE 80 7860/tcp\n", "DF007").is_empty());
        assert!(codes_for("FROM python AS base\nEXPOSE 7000-7999\nFROM base\n", "DF007").is_empty());
    }

    /// `EXPOSE $PORT` with nothing defining PORT exposes nothing (BuildKit expands it to an empty
    /// word; BK011 reports the variable); with an ARG without a default, the value is not known.
    #[test]
    fn an_undefined_variable_is_not_an_unknown_port() {
        assert!(codes_for("FROM python\nEXPOSE $PORT\n", "DF007").is_empty());
        let d = codes_for("FROM python\nARG PORT\nEXPOSE $PORT\n", "DF007");
        assert!(d[0].message.contains("cannot be resolved statically"), "{}", d[0].message);
    }

    #[test]
    fn uses_the_readme_port() {
        let d = lint(&[
            ("README.md", "---\nsdk: docker\napp_port: 7255\n---\n"),
            ("Dockerfile", "FROM python\nEXPOSE 7255\n"),
        ]);
        assert!(!d.iter().any(|d| d.code == "DF007"));
        let d = lint(&[("README.md", "---\nsdk: docker\n---\n"), ("Dockerfile", "FROM python\nEXPOSE 7255\n")]);
        let f = d.iter().find(|d| d.code == "DF007").unwrap();
        assert!(f.message.contains("default port 7860"), "{}", f.message);
    }
}

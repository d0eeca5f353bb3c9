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

`spacecheck --fix`, when the start command's server listens on the app port, writes the app port
in place of a lone exposed port nothing listens on, or adds `EXPOSE <app_port>` before the start
command (safe: EXPOSE documents the port; the Hub routes by `app_port` alone). When the server
listens elsewhere there is no fix: exposing the app port would hide the mismatch DF008 reports.
When spacecheck cannot tell where the server listens, adding the line is unsafe."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Where the start command's servers listen, as far as spacecheck can tell.
enum Listening {
    /// A server listens on the app port: EXPOSE is stale documentation.
    OnAppPort,
    /// The servers listen elsewhere (DF008 reports the server): these ports.
    Elsewhere(Vec<u16>),
    /// No server with a known port, one whose port is not known, or a program spacecheck does
    /// not know beside them.
    Unknown,
}

fn listening(ctx: &Context, app_port: u16) -> Listening {
    let Some(start) = &ctx.start else { return Listening::Unknown };
    let ports: Vec<u16> = start.servers.iter().filter_map(|s| s.port.as_ref()?.port()).collect();
    if ports.contains(&app_port) {
        Listening::OnAppPort
    } else if ports.is_empty() || ports.len() < start.servers.len() || !start.unknown.is_empty() {
        // A server whose port is not known (nginx with its own configuration) may be on it.
        Listening::Unknown
    } else {
        Listening::Elsewhere(ports)
    }
}

/// The fix, by what the start command says. A server on the app port: the EXPOSE is stale,
/// so a lone port nothing listens on is replaced by the app port, else the app port is added
/// (safe: EXPOSE documents the port and changes nothing the Hub does). A server elsewhere: no
/// fix, since exposing the app port would hide the mismatch that stops the Space (DF008's).
/// Nothing known: the app port is added, unsafe (the server may be on the exposed port).
fn expose_fix(ctx: &Context, file: &SourceFile, model: &crate::model::ImageModel, port: u16) -> Option<Fix> {
    let applicability = match listening(ctx, port) {
        Listening::Elsewhere(_) => return None,
        Listening::OnAppPort => Applicability::Safe,
        Listening::Unknown => Applicability::Unsafe,
    };
    let resolved: Vec<&crate::model::ExposedPort> = model.exposed.iter().filter(|e| !e.ports.is_empty()).collect();
    let served = |p: &u16| {
        ctx.start.as_ref().is_some_and(|s| s.servers.iter().any(|v| v.port.as_ref().and_then(|x| x.port()) == Some(*p)))
    };
    if let [only] = resolved.as_slice() {
        let literal = file.text.get(only.text.span.clone()) == Some(only.text.raw.as_str())
            && only.text.raw.bytes().all(|b| b.is_ascii_digit());
        if applicability == Applicability::Safe && literal && !only.ports.iter().any(served) {
            let message = format!("expose {port} instead of {}, where nothing listens", only.text.raw);
            return Some(Fix::replace(applicability, message, file, only.text.span.clone(), port.to_string()));
        }
    }
    super::add_line(ctx, file, &format!("EXPOSE {port}"), applicability, format!("add `EXPOSE {port}`"))
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
    let help = match listening(ctx, port) {
        Listening::Elsewhere(ports) => {
            let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
            format!(
                "the server listens on {}, not {port} (DF008): move the server to {port} first, then expose it; \
                 exposing {port} alone changes nothing on the Hub",
                ports.join(", ")
            )
        }
        _ => format!("expose {port}, the port the Hub sends traffic to"),
    };
    let mut finding = Diagnostic::new(&RULE, format!("EXPOSE lists {} but not {}", listed.join(", "), ctx.app_port_text()))
        .at(file, first.text.span.clone())
        .help(help);
    finding.fix = expose_fix(ctx, file, model, port);
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

    /// Issue 23: the fix added `EXPOSE 7860` beside a server that listens on 8080, a no-op on
    /// the Hub that hid the mismatch. The fix follows where the server listens.
    #[test]
    fn the_fix_follows_the_server() {
        use crate::diag::Applicability;
        let readme = ("README.md", "---\nsdk: docker\n---\n");
        let df007 = |dockerfile: &str| {
            let d = lint(&[readme, ("Dockerfile", dockerfile)]);
            d.into_iter().find(|d| d.code == "DF007").expect("DF007 fires")
        };
        let on = |port: u16, expose: &str| {
            format!("FROM python:3.11\nRUN pip install uvicorn\nEXPOSE {expose}\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"{port}\"]\n")
        };
        // The server elsewhere: no fix, the help names the server's port and DF008.
        let elsewhere = df007(&on(8080, "8080"));
        assert!(elsewhere.fix.is_none(), "{:?}", elsewhere.fix);
        assert!(elsewhere.help.as_deref().is_some_and(|h| h.contains("listens on 8080") && h.contains("DF008")), "{:?}", elsewhere.help);
        // The server on the app port: the stale port is replaced, safely.
        let stale = df007(&on(7860, "8501"));
        let fix = stale.fix.expect("a fix");
        assert_eq!((fix.applicability, fix.edits[0].replacement.as_str()), (Applicability::Safe, "7860"));
        // A port something listens on stays: the app port is added beside it.
        let text = "FROM python:3.11\nRUN pip install uvicorn\nEXPOSE 8501\nCMD uvicorn main:app --host 0.0.0.0 --port 7860 & streamlit run x.py\n";
        let both = df007(text);
        assert_eq!(both.fix.as_ref().map(|f| f.edits[0].replacement.as_str()), Some("EXPOSE 7860\n"), "{both:?}");
        // Nothing known of the server: added, unsafe.
        let unknown = df007("FROM python:3.11\nEXPOSE 8501\nCMD [\"./server\"]\n");
        assert_eq!(unknown.fix.map(|f| f.applicability), Some(Applicability::Unsafe));
    }
}

use std::ops::Range;

use crate::diag::{Applicability, Fix};
use crate::model::server::{Origin, Server, Setting};
use crate::model::ServerKind;
use crate::source::SourceFile;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF009,
    name: "binds-localhost",
    severity: Severity::Error,
    summary: "the server binds 127.0.0.1/localhost, or a loopback default (uvicorn, flask) is not overridden",
    doc: r#"## What it checks
That the server the container starts (found as for DF008) listens on all interfaces. It fires when
the host is `127.0.0.1`, `localhost` or `::1`, or when the server's default host is loopback and
nothing overrides it: uvicorn, gunicorn, hypercorn, `flask run`, `fastapi dev`, Django's
`manage.py runserver 7860` (an address is given as `runserver 0.0.0.0:7860`), Flask's
`app.run()` and `uvicorn.run()` without `host=`, gradio's `launch()` without `server_name=` and
without `GRADIO_SERVER_NAME`. Streamlit and `python -m http.server` bind all interfaces by default.
A server behind a reverse proxy may bind loopback; nginx in front may not: its `listen` on the
app port is read from the Space's `nginx.conf` when that file says all its listens (as for
DF008), and reported when every one is a loopback address (`listen 127.0.0.1:7860;`).

Gradio's default is loopback on a Space too: its `http_server.py` reads
`os.getenv("GRADIO_SERVER_NAME", "127.0.0.1")` and nothing else, and the Hub's own Docker
templates for Gradio set `GRADIO_SERVER_NAME=0.0.0.0` for that reason (the Gradio SDK runtime
sets it for Gradio Spaces; a Docker Space gets only what its Dockerfile sets). With the `gradio`
command, or a `python app.py` whose file is not in the Space, the call is not seen and nothing
is reported.

## Why it matters on a Space
The Hub's proxy reaches the container over its network interface, not its loopback. A server on
127.0.0.1 runs fine inside the container and locally, but on the Hub it never answers.

## Example
```dockerfile
CMD ["uvicorn", "main:app", "--port", "7860"]
```
uvicorn binds 127.0.0.1 unless told otherwise.

## Fix
`CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]`.

`spacecheck --fix` changes a loopback address in the start command to `0.0.0.0`, or adds
`--host 0.0.0.0` after `uvicorn` or `flask` (safe: a server on loopback never answers on the Hub).
A server started from a Python file is fixed in that file by hand."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(start)) = (ctx.dockerfile_file(), &ctx.start) else { return };
    let Some(span) = start.span.clone() else { return };
    let (app_port, _) = ctx.app_port();
    // The server on the app port if there is one, else the foreground one.
    let on_port: Vec<&Server> =
        start.servers.iter().filter(|s| s.port.as_ref().and_then(|p| p.port()) == Some(app_port)).collect();
    let behind_front = start.servers.iter().any(|s| matches!(s.kind, crate::model::ServerKind::Front(_)));
    if on_port.is_empty() && behind_front {
        // A server behind a proxy may well listen on loopback only; nginx in front must not.
        out.extend(nginx_on_loopback(ctx, file, span, app_port));
        return;
    }
    let candidates: Vec<&Server> =
        if on_port.is_empty() { start.servers.iter().filter(|s| !s.background).collect() } else { on_port };
    let Some(server) = candidates.last() else { return };
    if server.inferred || !server.binds_loopback() {
        return;
    }
    let Some(host) = &server.host else { return };
    let name = server.kind.name();
    let message = match &host.origin {
        Origin::Default => format!("{} binds 127.0.0.1 by default and nothing sets its host: the Hub's proxy cannot reach it, so the Space never answers", server.described()),
        _ => format!("{} binds `{}`, the loopback interface: the Hub's proxy cannot reach it, so the Space never answers", server.described(), host.value),
    };
    let fix = match server.kind {
        crate::model::ServerKind::Gunicorn | crate::model::ServerKind::Hypercorn => {
            format!("bind all interfaces: `--bind 0.0.0.0:{app_port}`")
        }
        crate::model::ServerKind::Flask if server.via.as_deref().is_some_and(|v| v.ends_with(".py")) => {
            "call `app.run(host=\"0.0.0.0\", ...)`".to_string()
        }
        crate::model::ServerKind::Uvicorn if server.via.as_deref().is_some_and(|v| v.ends_with(".py")) => {
            "call `uvicorn.run(app, host=\"0.0.0.0\", ...)`".to_string()
        }
        crate::model::ServerKind::DjangoRunserver => {
            format!("give runserver the address: `runserver 0.0.0.0:{app_port}`")
        }
        _ => "add `--host 0.0.0.0`".to_string(),
    };
    let mut finding =
        Diagnostic::new(&RULE, message).at(file, span.clone()).label(format!("{name} on {}", host.value)).help(fix);
    if server.via.is_none() {
        finding.fix = all_interfaces(file, span, server, host);
    }
    out.push(finding);
}

/// nginx in front whose every `listen` on the app port is a loopback address.
fn nginx_on_loopback(ctx: &Context, file: &SourceFile, span: Range<usize>, app_port: u16) -> Option<Diagnostic> {
    let listens = super::nginx::front_listens(ctx, ctx.model.as_ref()?)?;
    let on_port: Vec<&super::nginx::Listen> = listens.iter().filter(|l| l.port == app_port).collect();
    let first = on_port.first()?;
    if !on_port.iter().all(|l| l.binds_loopback()) {
        return None;
    }
    let place = match &first.at {
        Some((rel, line)) => format!("line {line} of {rel}"),
        None => "the nginx.conf the Dockerfile writes".to_string(),
    };
    let message = format!(
        "nginx listens on `{}` ({place}), the loopback interface: the Hub's proxy cannot reach it, so the Space never answers",
        first.written
    );
    let d = Diagnostic::new(&RULE, message).help(format!("listen on all interfaces: `listen {app_port};`"));
    Some(match &first.at {
        Some((rel, line)) => d.in_file(rel, Some((*line, 1))),
        None => d.at(file, span).label(format!("nginx on {}", first.written)),
    })
}

/// The edit that makes a server in the start command itself listen on all interfaces: the
/// loopback address written in the command becomes `0.0.0.0`, or uvicorn and `flask run`, bound
/// to loopback by default, get `--host 0.0.0.0` after their name. Only where the text to change
/// occurs once in the command, so the edit cannot land on another word. Safe: a loopback server
/// never answers on the Hub.
fn all_interfaces(file: &SourceFile, span: Range<usize>, server: &Server, host: &Setting) -> Option<Fix> {
    let command = &file.text[span.clone()];
    let once = |needle: &str| (command.matches(needle).count() == 1).then(|| command.find(needle)).flatten();
    let message = "listen on all interfaces (`0.0.0.0`)";
    match (&host.origin, host.value.as_str()) {
        (Origin::Flag(_), value @ ("127.0.0.1" | "localhost")) => {
            let at = span.start + once(value)?;
            Some(Fix::replace(Applicability::Safe, message, file, at..at + value.len(), "0.0.0.0"))
        }
        (Origin::Default, _) if matches!(server.kind, ServerKind::Uvicorn | ServerKind::Flask) => {
            // `--host` belongs to `flask run`, not to `flask`.
            let (shell, exec) = match server.kind {
                ServerKind::Uvicorn => ("uvicorn", "\"uvicorn\","),
                _ => ("flask run", "\"flask\", \"run\","),
            };
            if let Some(i) = once(exec) {
                let at = span.start + i + exec.len();
                return Some(Fix::replace(Applicability::Safe, message, file, at..at, " \"--host\", \"0.0.0.0\","));
            }
            let i = once(&format!("{shell} "))?;
            let at = span.start + i + shell.len();
            Some(Fix::replace(Applicability::Safe, message, file, at..at, " --host 0.0.0.0"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn gradio_launch_without_server_name_binds_loopback() {
        let df009 = |dockerfile: &str, app: Option<&str>| {
            let mut files = vec![("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", "gradio\n")];
            if let Some(app) = app {
                files.push(("app.py", app));
            }
            lint(&files).into_iter().filter(|d| d.code == "DF009").collect::<Vec<_>>()
        };
        let df = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let app = "import gradio as gr\ndemo = gr.Interface(lambda x: x, 'text', 'text')\ndemo.launch()\n";
        let d = df009(df, Some(app));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("gradio (in app.py) binds 127.0.0.1 by default"), "{}", d[0].message);
        // server_name=, GRADIO_SERVER_NAME, or no file to read: nothing to report.
        assert!(df009(df, Some(&app.replace("launch()", "launch(server_name=\"0.0.0.0\")"))).is_empty());
        let env = df.replace("CMD", "ENV GRADIO_SERVER_NAME=0.0.0.0\nCMD");
        assert!(df009(&env, Some(app)).is_empty());
        assert!(df009(df, None).is_empty());
    }

    use crate::rules::testing::{codes_for, lint, README};

    #[test]
    fn fires_on_loopback() {
        assert_eq!(
            codes_for("FROM p\nCMD uvicorn main:app --port 7860\n", "DF009").len(),
            1,
            "uvicorn without --host binds loopback"
        );
        assert_eq!(codes_for("FROM p\nCMD [\"gunicorn\", \"-b\", \"127.0.0.1:7860\", \"a:b\"]\n", "DF009").len(), 1);
        assert_eq!(codes_for("FROM p\nCMD flask run --port 7860\n", "DF009").len(), 1);
        let django = codes_for("FROM p\nCMD python manage.py runserver 7860\n", "DF009");
        assert_eq!(django[0].message, "runserver binds 127.0.0.1 by default and nothing sets its host: the Hub's proxy cannot reach it, so the Space never answers");
        assert_eq!(django[0].help.as_deref(), Some("give runserver the address: `runserver 0.0.0.0:7860`"));
        assert_eq!(
            codes_for("FROM p\nCMD streamlit run a.py --server.port 7860 --server.address localhost\n", "DF009").len(),
            1
        );
    }

    #[test]
    fn a_comment_line_inside_a_continued_cmd_does_not_cut_it() {
        // BuildKit drops the comment line: the bind after it is the server's (the red team's
        // "127.0.0.1:9000 passes").
        let df = "FROM p\nCMD [\"python\", \"-m\", \"http.server\", \\\n# the port\n    \"--bind\", \"127.0.0.1\", \"7860\"]\n";
        assert_eq!(codes_for(df, "DF009").len(), 1);
        let shell = "FROM p\nCMD uvicorn main:app --port 7860 \\\n# on loopback\n    --host 127.0.0.1\n";
        assert_eq!(codes_for(shell, "DF009").len(), 1);
    }

    #[test]
    fn silent_on_all_interfaces() {
        assert!(codes_for("FROM p\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD gunicorn -b :7860 a:b\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD streamlit run app.py --server.port 7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD python -m http.server 7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD python manage.py runserver 0.0.0.0:7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD python manage.py runserver 0:7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nENV UVICORN_HOST=0.0.0.0\nCMD uvicorn main:app --port 7860\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD [\"node\", \"server.js\"]\n", "DF009").is_empty());
        assert!(codes_for("FROM p\nCMD nginx && uvicorn a:b --port 8000\n", "DF009").is_empty(), "behind a proxy");
    }

    #[test]
    fn nginx_in_front_on_loopback() {
        use crate::rules::dockerfile::nginx::fixtures::{conf, with_nginx, CMD};
        let d = with_nginx("DF009", &conf("listen 127.0.0.1:7860;"), CMD);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "nginx listens on `127.0.0.1:7860` (line 7 of nginx.conf), the loopback interface: the Hub's proxy cannot reach it, so the Space never answers");
        assert_eq!((d[0].file.as_deref(), d[0].position.as_ref().map(|p| p.line)), (Some("nginx.conf"), Some(7)));
        // All interfaces; loopback and all interfaces both; loopback on another port (DF008's).
        for listen in ["listen 7860;", "listen 127.0.0.1:7860;\n        listen [::]:7860;", "listen 127.0.0.1:8080;"] {
            assert!(with_nginx("DF009", &conf(listen), CMD).is_empty(), "{listen}");
        }
    }

    #[test]
    fn flask_app_run_in_source() {
        let d = lint(&[
            ("README.md", README),
            ("Dockerfile", "FROM p\nCOPY . /app\nWORKDIR /app\nCMD python app.py\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(port=7860)\n"),
        ]);
        assert!(d.iter().any(|d| d.code == "DF009"));
    }
}

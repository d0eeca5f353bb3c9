use std::ops::Range;

use super::nginx::Listen;
use crate::diag::{Applicability, Fix};
use crate::model::server::{Origin, Server, ServerKind, Setting};
use crate::source::SourceFile;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF008,
    name: "server-port-mismatch",
    severity: Severity::Error,
    summary: "the server started by CMD/ENTRYPOINT listens on a port other than the app port",
    doc: r#"## What it checks
Finds the server the container starts, following `CMD`/`ENTRYPOINT` in shell and exec form,
`sh -c "..."`, wrappers (`exec`, `tini --`, `env X=1`), start scripts the image contains, and
`python app.py` files of the Space, and works out its port:
uvicorn/gunicorn/hypercorn `--port`/`-b`/`--bind`, streamlit `--server.port` (or
`.streamlit/config.toml`), gradio `GRADIO_SERVER_PORT`, flask `--port`, `python -m http.server N`,
`PORT` for node and friends, `uvicorn.run(port=...)` in Python, Django's `manage.py runserver
[addr:]port`, each with its default (uvicorn and runserver 8000, streamlit 8501, flask 5000,
gradio 7860). That port must be the app port (`app_port`, 7860 when absent). nginx in front is
judged by the `listen` directives of the `nginx.conf` the Space gives it, when that file says
them all (no `include` that may hold a server block, a `listen` in every server block); another
proxy or process manager (supervisord, caddy…) silences the rule. Also catches `CMD
["PORT=7860", "node", "build"]`: exec form runs no shell, so `PORT=7860` is taken for the
program name and nothing starts.

## Why it matters on a Space
The Hub forwards traffic to `app_port` only. A server on any other port never receives a request:
the Space stays "Starting" and then fails its health check.

## Example
```dockerfile
EXPOSE 7860
CMD ["streamlit", "run", "app.py"]
```
streamlit listens on 8501 by default.

## Fix
Start the server on the app port: `CMD ["streamlit", "run", "app.py", "--server.port=7860",
"--server.address=0.0.0.0"]`. When the port comes from a variable, set it with `ENV` (an `ARG`
does not exist at run time). `--fix` writes the app port in the start command where the port
number stands once, or adds `--port` after uvicorn and `flask run`: safe when a policy fixes the
port, unsafe otherwise (setting `app_port` in README.md may be what was meant)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    let Some(span) = start.span.clone() else { return };
    let (app_port, _) = ctx.app_port();
    if let Some(assignment) = &start.exec_form_assignment {
        let name = assignment.split('=').next().unwrap_or(assignment);
        out.push(
            Diagnostic::new(&RULE, format!("exec form runs no shell, so `{assignment}` is taken as the program to run: the container fails to start and `{name}` is never set"))
                .at(file, span.clone())
                .help(format!("set it with `ENV {assignment}` before CMD, or use shell form: `CMD {assignment} ...`")),
        );
        return;
    }
    let with_port: Vec<&Server> = start.servers.iter().filter(|s| s.port.is_some()).collect();
    if with_port.iter().any(|s| s.port.as_ref().and_then(|p| p.port()) == Some(app_port)) {
        return;
    }
    match fronts(ctx, model, &start.servers, app_port) {
        Fronts::MayServe => return,
        Fronts::NginxElsewhere(listens) => return out.push(nginx_elsewhere(ctx, file, span, &listens)),
        Fronts::Absent if with_port.is_empty() => return,
        Fronts::Absent => {}
    }
    // Another program the start command runs may listen on app_port: spacecheck cannot tell.
    if let Some(other) = start.unknown.first() {
        return ctx.skip(
            RULE.code,
            format!("the start command also runs `{other}`, which spacecheck does not know: it may listen on the app port"),
        );
    }
    let main = with_port.iter().rev().find(|s| !s.background).unwrap_or(&with_port[with_port.len() - 1]);
    let Some(setting) = &main.port else { return };
    let server = main.kind.name();
    let severity = if main.inferred { Severity::Warning } else { RULE.severity };
    match setting.port() {
        Some(port) => {
            let how = match &setting.origin {
                Origin::Default => format!("{server}'s default port {port}"),
                Origin::Flag(f) => format!("port {port} ({f})"),
                Origin::Env(v) => format!("port {port} (from {v})"),
                Origin::Source(s) => format!("port {port} ({s} in the code)"),
            };
            let inferred = if main.inferred { " (inferred: the app runs `python` and installs gradio)" } else { "" };
            let mut d = Diagnostic::new(
                &RULE,
                format!("{} listens on {how}, but the Hub sends traffic to {}{inferred}", main.described(), ctx.app_port_text()),
            )
            .at(file, span.clone())
            .severity(severity)
            .label(format!("{server} on {port}"))
            .help(match main.kind {
                ServerKind::DjangoRunserver => {
                    format!("give runserver the address: `runserver 0.0.0.0:{app_port}`, or set app_port: {port} in README.md")
                }
                _ => format!("make {server} listen on {app_port}, or set app_port: {port} in README.md"),
            });
            if main.via.is_none() {
                d.fix = to_app_port(ctx, file, span, main, setting, port);
            }
            out.push(d);
        }
        None => out.push(unresolved_port(ctx, model, file, span, main, setting)),
    }
}

/// A port that is not a number: a variable never expanded or never set, an ARG, a word.
fn unresolved_port(
    ctx: &Context,
    model: &crate::model::ImageModel,
    file: &SourceFile,
    span: Range<usize>,
    main: &Server,
    setting: &Setting,
) -> Diagnostic {
    let (app_port, _) = ctx.app_port();
    let value = setting.value.trim();
    let var = value.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
    let var = var.split(":-").next().unwrap_or(var);
    let is_arg = model.var_defs.iter().any(|d| d.name == var && d.kind == crate::parse::dockerfile::Kind::Arg);
    if value.contains('$') && main.via.is_none() && runs_without_shell(model) {
        return never_expanded(file, span, main.kind.name(), value, var, app_port);
    }
    let stops = stops_without_port(main, setting, value, var);
    if let Some(flag) = stops.filter(|_| !is_arg) {
        let message = format!(
            "{} is started with `{flag} {value}`, and nothing sets `{var}` (not the image; not the Hub either, unless it \
             is a Space variable): `{flag}` gets no value and {} stops at start with a usage error",
            main.described(),
            main.kind.name()
        );
        return Diagnostic::new(&RULE, message)
            .at(file, span)
            .severity(Severity::Warning)
            .help(format!("set `ENV {var}={app_port}` in the Dockerfile, or write the port: {app_port}"));
    }
    let why = if value.is_empty() {
        "an empty port".to_string()
    } else if is_arg {
        let consequence = match stops {
            Some(flag) => format!(": `{flag}` gets no value and {} stops at start", main.kind.name()),
            None => ", so the port is empty".to_string(),
        };
        format!("`{value}`, but `{var}` is an ARG: build arguments do not exist when the container runs{consequence}")
    } else if value.contains('$') {
        format!("`{value}`, which the image never sets (the Hub does not set `{var}` either, unless it is a Space variable)")
    } else {
        format!("`{value}`, which is not a port number")
    };
    Diagnostic::new(&RULE, format!("{} listens on {why}; the Hub sends traffic to {}", main.described(), ctx.app_port_text()))
        .at(file, span)
        .severity(Severity::Warning)
        .help(format!("set `ENV {var}={app_port}` in the Dockerfile, or write the port: {app_port}"))
}

/// The flag of a server whose command line parser stops on an option without its value (click:
/// uvicorn, streamlit, flask, fastapi; argparse: hypercorn), when the port is that flag given
/// only an unset variable: the shell drops the empty word (or passes an empty one), and the
/// parser exits ("Option '--port' requires an argument").
fn stops_without_port<'a>(main: &Server, setting: &'a Setting, value: &str, var: &str) -> Option<&'a str> {
    let Origin::Flag(flag) = &setting.origin else { return None };
    let bare = value == format!("${var}") || value == format!("${{{var}}}");
    let strict = matches!(
        main.kind,
        ServerKind::Uvicorn | ServerKind::Streamlit | ServerKind::Flask | ServerKind::FastApiCli | ServerKind::Hypercorn
    );
    (bare && strict).then_some(flag.as_str())
}

/// What the reverse proxies and process managers of the start command tell of the app port.
enum Fronts {
    /// None whose port is unknown: the servers' own ports decide.
    Absent,
    /// One may serve the app port (its port is not visible, or nginx listens there).
    MayServe,
    /// nginx, whose whole configuration is known, listens only elsewhere.
    NginxElsewhere(Vec<Listen>),
}

fn fronts(ctx: &Context, model: &crate::model::ImageModel, servers: &[Server], app_port: u16) -> Fronts {
    // nginx's ports are in its configuration: known when the Space's own nginx.conf says all.
    let nginx = super::nginx::front_listens(ctx, model);
    let unknown = servers
        .iter()
        .any(|s| matches!(s.kind, ServerKind::Front(_)) && s.port.is_none() && !(super::nginx::is_front(s) && nginx.is_some()));
    match nginx {
        _ if unknown => Fronts::MayServe,
        Some(listens) if listens.iter().any(|l| l.port == app_port) => Fronts::MayServe,
        Some(listens) if !listens.is_empty() => Fronts::NginxElsewhere(listens),
        _ => Fronts::Absent,
    }
}

/// nginx fronts the app, and no `listen` of its configuration is the app port.
fn nginx_elsewhere(ctx: &Context, file: &SourceFile, span: Range<usize>, listens: &[Listen]) -> Diagnostic {
    let (app_port, _) = ctx.app_port();
    let mut ports: Vec<u16> = Vec::new();
    for listen in listens {
        if !ports.contains(&listen.port) {
            ports.push(listen.port);
        }
    }
    let ports_text = ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let first = &listens[0];
    let place = match &first.at {
        Some((rel, line)) => format!("`listen {}` on line {line} of {rel}", first.written),
        None => format!("`listen {}` in the nginx.conf the Dockerfile writes", first.written),
    };
    let message = format!(
        "nginx listens on port{} {ports_text} ({place}), but the Hub sends traffic to {}: no `listen` of its configuration is that port, so the Space never answers",
        if ports.len() > 1 { "s" } else { "" },
        ctx.app_port_text()
    );
    let help = format!(
        "make nginx listen on {app_port} (`listen {app_port};` in its server block), or set app_port: {} in README.md",
        ports[0]
    );
    let d = Diagnostic::new(&RULE, message).help(help);
    match &first.at {
        Some((rel, line)) => d.in_file(rel, Some((*line, 1))),
        None => d.at(file, span).label(format!("nginx on {ports_text}")),
    }
}

/// `CMD ["uvicorn", …, "--port", "$PORT"]`: the server is given the text `$PORT`.
fn never_expanded(file: &SourceFile, span: Range<usize>, server: &str, value: &str, var: &str, app_port: u16) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        format!("{server} is given the text `{value}` as its port: exec form (`CMD [\"…\"]`) runs no shell, so variables are never expanded and {server} fails to start"),
    )
    .at(file, span)
    .label("not expanded")
    .help(format!("write the port ({app_port}), or run through a shell: `CMD [\"sh\", \"-c\", \"… --port ${{{var}:-{app_port}}}\"]`"))
}

/// Whether the start command runs its program directly, with no shell to expand variables:
/// exec form whose program is not a shell (`CMD ["uvicorn", …]`, `ENTRYPOINT ["tini", "--"]`).
fn runs_without_shell(model: &crate::model::ImageModel) -> bool {
    use crate::parse::dockerfile::CommandForm;
    let first = match (&model.start.entrypoint, &model.start.cmd) {
        (Some((CommandForm::Exec(words), _)), _) | (None, Some((CommandForm::Exec(words), _))) => words.first(),
        _ => None,
    };
    first.is_some_and(|w| {
        let program = w.text.rsplit('/').next().unwrap_or(&w.text);
        !matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh")
    })
}

/// The edit that makes a server in the start command itself listen on the app port: the port
/// written in the command replaced (where it occurs once as a number), or `--port N` after
/// uvicorn or `flask run`, which use their default. Safe when a policy fixes the port (the
/// server must move); unsafe otherwise, where moving `app_port` instead may be what was meant.
fn to_app_port(ctx: &Context, file: &SourceFile, span: Range<usize>, server: &Server, setting: &Setting, port: u16) -> Option<Fix> {
    let (app_port, _) = ctx.app_port();
    let fixed_by_policy = ctx.policy.space.app_port == Some(app_port);
    let applicability = if fixed_by_policy { Applicability::Safe } else { Applicability::Unsafe };
    let message = format!("make {} listen on {app_port}", server.kind.name());
    let command = &file.text[span.clone()];
    match &setting.origin {
        Origin::Flag(_) => {
            let written = port.to_string();
            let at: Vec<usize> = command
                .match_indices(&written)
                .map(|(i, _)| i)
                .filter(|&i| {
                    let before = command[..i].chars().next_back();
                    let after = command[i + written.len()..].chars().next();
                    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
                })
                .collect();
            let [i] = at.as_slice() else { return None };
            let start = span.start + i;
            Some(Fix::replace(applicability, message, file, start..start + written.len(), app_port.to_string()))
        }
        Origin::Default if matches!(server.kind, ServerKind::Uvicorn | ServerKind::Flask) => {
            let (shell, exec) = match server.kind {
                ServerKind::Uvicorn => ("uvicorn", "\"uvicorn\","),
                _ => ("flask run", "\"flask\", \"run\","),
            };
            let once = |needle: &str| (command.matches(needle).count() == 1).then(|| command.find(needle)).flatten();
            if let Some(i) = once(exec) {
                let at = span.start + i + exec.len();
                return Some(Fix::replace(applicability, message, file, at..at, format!(" \"--port\", \"{app_port}\",")));
            }
            let i = once(&format!("{shell} "))?;
            let at = span.start + i + shell.len();
            Some(Fix::replace(applicability, message, file, at..at, format!(" --port {app_port}")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::nginx::fixtures::{conf, with_nginx, CMD};
    use crate::rules::testing::{codes_for, lint};
    use crate::rules::Severity;

    /// The foreground server is the Space's own module run with `python -m` (corpus:
    /// RushikeshSonwane03__SpacePedia-AI): it listens on the app port, the background one need not.
    #[test]
    fn a_module_run_with_python_m_is_read() {
        let start = "#!/bin/bash\npython -m uvicorn app.api.main:app --host 0.0.0.0 --port 8000 &\nsleep 5\npython -m app.web.app\n";
        let web = "from flask import Flask\nimport os\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 7860)))\n";
        let df = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"bash\", \"start.sh\"]\n";
        let files = [("README.md", crate::rules::testing::README), ("Dockerfile", df), ("start.sh", start), ("app/web/app.py", web)];
        assert!(!lint(&files).iter().any(|d| d.code == "DF008"), "{:?}", lint(&files));
        // Without the module's file the mismatch is not claimed: another program may listen.
        let without = [files[0], files[1], files[2]];
        assert!(!lint(&without).iter().any(|d| d.code == "DF008"));
    }

    /// A program spacecheck does not know may listen on the app port (corpus: nordeim__HF-Space
    /// runs ttyd on 7681 beside a helper on 7860): skipped, with the reason.
    #[test]
    fn an_unknown_program_may_be_the_listener() {
        let df = "FROM python:3.11\nCMD ttyd -p 7681 bash & python -m http.server 7860\n";
        let readme = "---\nsdk: docker\napp_port: 7681\n---\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), readme).unwrap();
        std::fs::write(dir.path().join("Dockerfile"), df).unwrap();
        let space = crate::space::Space::load(dir.path()).unwrap();
        let report = crate::lint::lint(&space, &crate::policy::Policy::baseline(), &crate::lint::Options::default());
        assert!(!report.diagnostics.iter().any(|d| d.code == "DF008"), "{:?}", report.diagnostics);
        assert!(report.skipped.iter().any(|s| s.code == crate::rules::Code::DF008 && s.reason.contains("`ttyd`")));
        assert_eq!(codes_for("FROM python:3.11\nCMD python -m http.server 8080\n", "DF008").len(), 1);
    }

    #[test]
    fn nginx_listening_elsewhere() {
        let d = with_nginx("DF008", &conf("listen 8080;"), CMD);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "nginx listens on port 8080 (`listen 8080` on line 7 of nginx.conf), but the Hub sends traffic to app_port 7860 (README.md): no `listen` of its configuration is that port, so the Space never answers");
        assert_eq!((d[0].file.as_deref(), d[0].position.as_ref().map(|p| p.line)), (Some("nginx.conf"), Some(7)));
        let two = with_nginx("DF008", &conf("listen 0.0.0.0:8080;\n        listen [::]:8443 ssl;"), CMD);
        assert!(two[0].message.starts_with("nginx listens on ports 8080, 8443"), "{}", two[0].message);
    }

    #[test]
    fn nginx_near_misses_stay_silent() {
        let silent = [
            // On the app port; an address with it; a configuration that includes files the
            // image may hold; a server block without `listen` (port 80 or 8000); a variable.
            conf("listen 7860;"),
            conf("listen 0.0.0.0:7860 default_server;"),
            conf("listen 8080;").replace("include /etc/nginx/mime.types;", "include /etc/nginx/conf.d/*.conf;"),
            conf(""),
            conf("listen ${PORT};"),
        ];
        for c in &silent {
            assert!(with_nginx("DF008", c, CMD).is_empty(), "{c}");
        }
        // Something else on the app port; nginx run by supervisord; `nginx -t` only.
        let uvicorn_on_port = CMD.replace("--port 8000", "--port 7860");
        assert!(with_nginx("DF008", &conf("listen 8080;"), &uvicorn_on_port).is_empty());
        assert!(with_nginx("DF008", &conf("listen 8080;"), "CMD [\"supervisord\", \"-n\"]\n").is_empty());
        let tested_only = "CMD sh -c 'nginx -t && uvicorn main:app --host 0.0.0.0 --port 8000'\n";
        assert!(with_nginx("DF008", &conf("listen 8080;"), tested_only).is_empty(), "`nginx -t` serves nothing: its listen is not judged");
    }

    #[test]
    fn django_runserver_defaults_to_8000() {
        let d = codes_for("FROM p\nCMD python manage.py runserver\n", "DF008");
        assert_eq!(d[0].message, "runserver listens on runserver's default port 8000, but the Hub sends traffic to app_port 7860 (README.md)");
        assert!(d[0].help.as_deref().unwrap().starts_with("give runserver the address: `runserver 0.0.0.0:7860`"));
        assert_eq!(codes_for("FROM p\nCMD python manage.py runserver 0.0.0.0:8080\n", "DF008").len(), 1);
        assert!(codes_for("FROM p\nCMD python manage.py runserver 0.0.0.0:7860\n", "DF008").is_empty());
    }

    #[test]
    fn fires_on_wrong_ports() {
        assert_eq!(codes_for("FROM p\nEXPOSE 7860\nCMD streamlit run app.py\n", "DF008").len(), 1);
        assert_eq!(codes_for("FROM p\nCMD [\"uvicorn\", \"m:app\", \"--host\", \"0.0.0.0\"]\n", "DF008").len(), 1);
        assert_eq!(codes_for("FROM p\nCMD gunicorn -b 0.0.0.0:8080 app:app\n", "DF008").len(), 1);
        assert_eq!(codes_for("FROM node\nCMD [\"PORT=7860\", \"node\", \"build\"]\n", "DF008").len(), 1);
    }

    #[test]
    fn arg_port_is_empty_at_run_time() {
        let d = codes_for("FROM p\nARG PORT=7860\nCMD uvicorn m:app --host 0.0.0.0 --port $PORT\n", "DF008");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("is an ARG"), "{}", d[0].message);
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn exec_form_never_expands_variables() {
        let exec = "FROM p\nENV PORT=7860\nCMD [\"uvicorn\", \"m:app\", \"--host\", \"0.0.0.0\", \"--port\", \"$PORT\"]\n";
        let d = codes_for(exec, "DF008");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("never expanded"), "{}", d[0].message);
        assert_eq!(d[0].severity, Severity::Error);
        // Through a shell, the same variable is expanded.
        let shell = "FROM p\nENV PORT=7860\nCMD [\"sh\", \"-c\", \"uvicorn m:app --host 0.0.0.0 --port $PORT\"]\n";
        assert!(codes_for(shell, "DF008").is_empty());
    }

    #[test]
    fn silent_when_matching() {
        assert!(codes_for("FROM p\nENV PORT=7860\nCMD uvicorn m:app --host 0.0.0.0 --port $PORT\n", "DF008").is_empty());
        assert!(
            codes_for("FROM p\nCMD sh -c \"streamlit run app.py --server.port=${PORT:-7860}\"\n", "DF008").is_empty()
        );
        assert!(codes_for("FROM node\nCMD PORT=7860 node build\n", "DF008").is_empty());
        assert!(codes_for("FROM p\nCMD [\"python\", \"app.py\"]\n", "DF008").is_empty(), "unknown app: no guess");
        assert!(codes_for("FROM p\nCMD nginx -g 'daemon off;'\n", "DF008").is_empty());
        assert!(
            codes_for("FROM p\nCMD nginx && uvicorn a:b --host 0.0.0.0 --port 8000\n", "DF008").is_empty(),
            "nginx may serve 7860"
        );
        assert!(codes_for("FROM p\nCMD [\"sh\", \"-c\", \"socat TCP-LISTEN:${PORT:-7860},fork TCP:127.0.0.1:8000 & exec uvicorn a:b --port 8000\"]\n", "DF008").is_empty());
    }

    #[test]
    fn env_port_7255_matches_readme() {
        let d = lint(&[
            ("README.md", "---\nsdk: docker\napp_port: 7255\n---\n"),
            ("Dockerfile", "FROM p\nENV PORT=7255\nCMD uvicorn main:app --host 0.0.0.0 --port $PORT\n"),
        ]);
        assert!(!d.iter().any(|d| d.code == "DF008"));
    }

    #[test]
    fn follows_python_file_of_the_space() {
        let d = lint(&[
            ("README.md", "---\nsdk: docker\napp_port: 7860\n---\n"),
            ("Dockerfile", "FROM p\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
            ("app.py", "import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=8000)\n"),
        ]);
        let f = d.iter().find(|d| d.code == "DF008").unwrap();
        assert!(f.message.contains("app.py"), "{}", f.message);
    }

    /// The Python parser knows `subprocess.run` from Flask's `app.run`.
    #[test]
    fn subprocess_run_is_not_the_server() {
        let app = "import subprocess\nfrom flask import Flask\napp = Flask(__name__)\nsubprocess.run([\"ls\"])\n\
                   if __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=7860)\n";
        let dockerfile = "FROM python:3.11\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n";
        let found = lint(&[("README.md", crate::rules::testing::README), ("Dockerfile", dockerfile), ("app.py", app)]);
        assert!(!found.iter().any(|d| d.code == "DF008" || d.code == "DF009"), "{found:?}");
        let wrong = app.replace("port=7860", "port=5000");
        let found = lint(&[("README.md", crate::rules::testing::README), ("Dockerfile", dockerfile), ("app.py", &wrong)]);
        assert!(found.iter().any(|d| d.code == "DF008"), "{found:?}");
    }

    /// Issue 25: `--port $PORT` with nothing setting PORT: uvicorn is given `--port` without a
    /// value and exits ("Option '--port' requires an argument"), it does not listen elsewhere.
    #[test]
    fn an_unset_port_variable_stops_the_server() {
        let message = |cmd: &str| {
            let found = codes_for(&format!("FROM python:3.11\nRUN pip install uvicorn gunicorn\nCMD {cmd}\n"), "DF008");
            found.first().map(|d| d.message.clone()).unwrap_or_default()
        };
        let m = message("uvicorn app:app --host 0.0.0.0 --port $PORT");
        assert!(m.contains("`--port` gets no value and uvicorn stops at start"), "{m}");
        let m = message("streamlit run app.py --server.port ${PORT}");
        assert!(m.contains("gets no value and streamlit stops at start"), "{m}");
        // Near misses: a default applies; gunicorn's `-b 0.0.0.0:$PORT` keeps a word.
        assert_eq!(message("uvicorn app:app --host 0.0.0.0 --port ${PORT:-7860}"), "");
        let m = message("gunicorn -b 0.0.0.0:$PORT app:app");
        assert!(!m.contains("stops at start"), "{m}");
    }
}

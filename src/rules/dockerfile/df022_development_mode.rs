use std::ops::Range;

use crate::diag::{Applicability, Fix};
use crate::model::server::{DevMode, Origin, Server};
use crate::model::ServerKind;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF022,
    name: "development-mode",
    severity: Severity::Warning,
    summary: "the server runs in a development mode: a reloader, Flask's debugger, or a uvicorn.run that exits",
    doc: r#"## What it checks
The development modes of the server the container starts (found as for DF008), from its flags,
its environment and the call in the Python file it runs:
- a reloader: uvicorn's, hypercorn's and gunicorn's `--reload` (also `UVICORN_RELOAD`,
  `GUNICORN_CMD_ARGS`), `fastapi dev`, `uvicorn.run(…, reload=True)`, Flask's reloader
  (`flask run --debug`/`--reload`, `FLASK_DEBUG=1`, `app.run(debug=True)`), Django's
  `manage.py runserver` without `--noreload`;
- Werkzeug's interactive debugger: Flask's debug mode (`--debug`, `--debugger`, `FLASK_DEBUG`,
  `app.run(debug=True)`), unless `--no-debugger`/`use_debugger=False` turns it off;
- `uvicorn.run(app, reload=True)` or `workers=4` given the application *object* (`app =
  FastAPI()`, `from main import app`) instead of an import string.

A value spacecheck cannot read (`reload=os.getenv("RELOAD")`) is not reported; neither is
Flask-SocketIO's `socketio.run`.

## Why it matters on a Space
- uvicorn needs an import string to start the app in another process: given the object with
  `reload=True` or `workers=`, it logs "You must pass the application as an import string to
  enable 'reload' or 'workers'" and exits, so the server never starts (an error).
- The debugger's error pages show the traceback and the app's source code to whoever hits the
  error. Its Python console into the container (behind a PIN printed in the logs) answers only
  requests whose host is localhost since Werkzeug 3.0.3 (CVE-2024-34069's fix), so not the
  Space's `*.hf.space` host; older Werkzeug serves it to anyone who can reach the Space.
  Werkzeug's documentation says never to run it on a production machine (a warning).
- A reloader watches the code (from a second process, or a thread in each gunicorn worker) and
  restarts the server when a source file changes. On the Hub the code changes only by a push, which rebuilds the image and restarts the
  Space anyway: the watcher costs memory and CPU for nothing (information). uvicorn watches its
  working folder: with `WORKDIR /` (or none) that is every folder of the file system, far more
  work, and the kernel's limit on watched folders may run out (a warning).

## Example
```dockerfile
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860", "--reload"]
```

## Fix
Remove `--reload` (`spacecheck --fix` does, when the start command itself holds it once: safe,
nothing on the Hub edits the code of a running Space), run `fastapi run` instead of `fastapi
dev`, drop `debug=True`/`reload=True` from the call and `FLASK_DEBUG` from the environment. To
keep `workers=`, pass uvicorn the import string: `uvicorn.run("main:app", workers=2)`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    let Some(span) = start.span.clone() else { return };
    // An app that stops at start never serves in any mode.
    if start.servers.iter().any(|s| !s.dev_modes.is_empty()) {
        if let Some(why) = super::fails_at_start(ctx) {
            return ctx.skip(RULE.code, format!("the app stops at start before its server runs: {why}"));
        }
    }
    for server in &start.servers {
        // Flask's debug mode turns on both: one finding, whose fix removes both.
        let with_debugger = |origin: &Origin| server.dev_modes.contains(&DevMode::Debugger(origin.clone()));
        for mode in &server.dev_modes {
            let finding = match mode {
                DevMode::ImportStringRequired { object, by } => exits_at_start(ctx, server, object, by),
                DevMode::Debugger(origin) => {
                    debugger_served(server, origin, server.dev_modes.contains(&DevMode::Reload(origin.clone())))
                }
                DevMode::Reload(origin) if with_debugger(origin) => continue,
                DevMode::Reload(origin) => reloads(file, span.clone(), server, origin, &model.workdir),
            };
            out.push(finding.at(file, span.clone()));
        }
    }
}

/// Where a mode was turned on, as the message shows it.
fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Flag(flag) => format!("`{flag}`"),
        Origin::Env(var) => format!("`{var}` in the environment"),
        Origin::Source(call) => format!("`{call}`"),
        Origin::Default => "by default".to_string(),
    }
}

/// What turns a mode off, where it was turned on.
fn turn_off(origin: &Origin) -> String {
    match origin {
        Origin::Flag(flag) if flag == "fastapi dev" => {
            "run `fastapi run` instead of `fastapi dev` (it does not reload, and binds 0.0.0.0)".to_string()
        }
        Origin::Flag(flag) => format!("remove `{flag}` from the start command"),
        Origin::Env(var) => format!("remove `{var}` from the Dockerfile's ENV"),
        Origin::Source(call) => format!("drop `{call}` from the call"),
        Origin::Default => "turn it off".to_string(),
    }
}

fn exits_at_start(ctx: &Context, server: &Server, object: &str, by: &Origin) -> Diagnostic {
    let consequence = if server.background {
        "the server never starts".to_string()
    } else {
        format!("nothing answers on {}", ctx.app_port_text())
    };
    let module = server.via.as_deref().and_then(|v| v.strip_suffix(".py")).unwrap_or("main");
    let message = format!(
        "`uvicorn.run`{} is given the object `{object}` with {}: uvicorn needs an import string to start the app in another process, so it exits at once (\"You must pass the application as an import string to enable 'reload' or 'workers'\") and {consequence}",
        server.via.as_ref().map(|v| format!(" in {v}")).unwrap_or_default(),
        origin_text(by),
    );
    let keep = match by {
        Origin::Source(call) if call.starts_with("workers") => format!("pass the import string, `uvicorn.run(\"{module}:{object}\", …)` (module:variable), to keep `{call}`"),
        _ => format!("drop `reload=True` (on the Hub nothing edits the code of a running Space), or pass the import string, `uvicorn.run(\"{module}:{object}\", …)` (module:variable)"),
    };
    Diagnostic::new(&RULE, message).severity(Severity::Error).label("uvicorn exits at start").help(keep)
}

fn debugger_served(server: &Server, origin: &Origin, also_reloads: bool) -> Diagnostic {
    let message = format!(
        "{} runs Werkzeug's interactive debugger ({}): an error shows its traceback and the app's source code to whoever hit it (the console itself, behind a PIN printed in the logs, answers only requests to localhost since Werkzeug 3.0.3, not to the Space's host); Werkzeug's documentation says never to run it on a production machine",
        server.described(),
        origin_text(origin),
    );
    let also = if also_reloads { " (that also turns off the reloader debug mode starts)" } else { "" };
    Diagnostic::new(&RULE, message).label("debugger on").help(format!("{}{also}", turn_off(origin)))
}

fn reloads(file: &SourceFile, span: Range<usize>, server: &Server, origin: &Origin, workdir: &str) -> Diagnostic {
    let help = match server.kind {
        ServerKind::DjangoRunserver => {
            "add `--noreload`, or serve with gunicorn (`gunicorn <project>.wsgi --bind 0.0.0.0:<app_port>`), as Django's documentation advises for a public site".to_string()
        }
        _ => turn_off(origin),
    };
    // uvicorn (and `fastapi`, which runs it) watches its working folder, recursively.
    let watches_root = matches!(server.kind, ServerKind::Uvicorn | ServerKind::FastApiCli) && workdir == "/";
    let mut message = format!(
        "{} runs with a reloader ({}): it watches the code and restarts the server when a source file changes, but on the Hub the code changes only by a push, which rebuilds the image and restarts the Space anyway, so the watching costs memory and CPU for nothing",
        server.described(),
        origin_text(origin),
    );
    if watches_root {
        message.push_str("; with the working folder `/` it watches every folder of the file system, which costs far more and may run out of the kernel's file watches");
    }
    let severity = if watches_root { Severity::Warning } else { Severity::Info };
    let mut finding = Diagnostic::new(&RULE, message).severity(severity).label("reloads").help(help);
    if server.via.is_none() && *origin == Origin::Flag("--reload".into()) {
        finding.fix = remove_reload_flag(file, span);
    }
    finding
}

/// The edit that removes `--reload` from the start command, in exec form (`, "--reload"`) or
/// shell form (` --reload`), when the command holds it once. Safe: on the Hub nothing edits the
/// code of a running Space, so nothing is lost.
fn remove_reload_flag(file: &SourceFile, span: Range<usize>) -> Option<Fix> {
    let command = &file.text[span.clone()];
    if command.matches("--reload").count() != 1 {
        return None;
    }
    let at = command.find("--reload")?;
    let after = at + "--reload".len();
    let range = if command[..at].ends_with('"') && command[after..].starts_with('"') {
        // `, "--reload"` after an item, or `"--reload", ` first.
        let before = command[..at - 1].trim_end();
        if let Some(comma) = before.strip_suffix(',') {
            comma.len()..after + 1
        } else {
            let rest = command[after + 1..].trim_start().strip_prefix(',')?;
            at - 1..command.len() - rest.trim_start().len()
        }
    } else if command[..at].ends_with(' ') && command[after..].chars().next().is_none_or(|c| c == ' ' || c == '\n') {
        at - 1..after
    } else {
        return None;
    };
    let range = span.start + range.start..span.start + range.end;
    Some(Fix::replace(Applicability::Safe, "remove `--reload`", file, range, ""))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};
    use crate::rules::Diagnostic;

    const DOCKERFILE: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user PATH=/home/user/.local/bin:$PATH\nWORKDIR $HOME/app\nCOPY --chown=user . .\n";

    fn df022(cmd: &str, app: Option<&str>) -> Vec<Diagnostic> {
        let dockerfile = format!("{DOCKERFILE}{cmd}\n");
        let mut files = vec![("README.md", README), ("Dockerfile", dockerfile.as_str()), ("requirements.txt", "fastapi\nuvicorn\nflask\n")];
        if let Some(app) = app {
            files.push(("app.py", app));
        }
        lint(&files).into_iter().filter(|d| d.code == "DF022").collect()
    }

    /// An app that stops at start (corpus: a module-level write into root's `/app`) never runs
    /// its debugger: not reported.
    #[test]
    fn an_app_that_stops_at_start_is_not_judged_on_its_mode() {
        let debug = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=7860, debug=True)\n";
        assert_eq!(df022("CMD [\"python\", \"app.py\"]", Some(debug)).len(), 1);
        let stops = format!("import os\nos.makedirs('/srv/uploads')\n{debug}");
        assert!(df022("CMD [\"python\", \"app.py\"]", Some(&stops)).is_empty());
    }

    fn severities(found: &[Diagnostic]) -> Vec<&'static str> {
        found.iter().map(|d| d.severity.as_str()).collect()
    }

    #[test]
    fn reloaders_on_the_command_line() {
        let d = df022("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\", \"--reload\"]", None);
        assert_eq!(severities(&d), ["info"]);
        assert!(d[0].message.starts_with("uvicorn runs with a reloader (`--reload`)"), "{}", d[0].message);
        assert!(d[0].fix.is_some());
        for cmd in [
            "CMD uvicorn main:app --host 0.0.0.0 --port 7860 --reload",
            "CMD gunicorn -b 0.0.0.0:7860 --reload main:app",
            "CMD hypercorn --reload -b 0.0.0.0:7860 main:app",
            "CMD fastapi dev main.py --host 0.0.0.0 --port 7860",
            "CMD fastapi run main.py --port 7860 --reload",
            "CMD python -m uvicorn main:app --host 0.0.0.0 --port 7860 --reload",
            "ENV UVICORN_RELOAD=true\nCMD uvicorn main:app --host 0.0.0.0 --port 7860",
            "ENV GUNICORN_CMD_ARGS=\"--reload --workers 2\"\nCMD gunicorn -b 0.0.0.0:7860 main:app",
            "CMD flask run --host 0.0.0.0 --port 7860 --reload",
            "CMD python manage.py runserver 0.0.0.0:7860",
        ] {
            assert_eq!(severities(&df022(cmd, None)), ["info"], "{cmd}");
        }
        let django = df022("CMD python manage.py runserver 0.0.0.0:7860", None);
        assert!(django[0].message.starts_with("runserver runs with a reloader (by default)"), "{}", django[0].message);
        assert!(django[0].help.as_deref().unwrap().starts_with("add `--noreload`"), "{:?}", django[0].help);
        let dev = df022("CMD fastapi dev main.py --host 0.0.0.0 --port 7860", None);
        assert!(dev[0].help.as_deref().unwrap().contains("fastapi run"), "{:?}", dev[0].help);
    }

    #[test]
    fn uvicorn_watching_the_root_is_a_warning() {
        let d = lint(&[
            ("README.md", README),
            ("Dockerfile", "FROM python:3.11-slim\nCOPY . .\nUSER 1000\nCMD uvicorn main:app --host 0.0.0.0 --port 7860 --reload\n"),
        ]);
        let d: Vec<_> = d.into_iter().filter(|d| d.code == "DF022").collect();
        assert_eq!(severities(&d), ["warning"]);
        assert!(d[0].message.contains("every folder of the file system"), "{}", d[0].message);
    }

    #[test]
    fn flask_debug_mode_is_the_debugger() {
        for cmd in [
            "CMD flask run --host 0.0.0.0 --port 7860 --debug",
            "CMD flask --app app --debug run --host 0.0.0.0 --port 7860",
            "ENV FLASK_DEBUG=1\nCMD flask run --host 0.0.0.0 --port 7860",
            "CMD flask run --host 0.0.0.0 --port 7860 --no-reload --debugger",
        ] {
            let d = df022(cmd, None);
            assert_eq!(severities(&d), ["warning"], "{cmd}: one finding, the reloader folded in");
            assert!(d[0].message.contains("interactive debugger"), "{}", d[0].message);
        }
        let d = df022("CMD flask run --host 0.0.0.0 --port 7860 --debug --no-debugger", None);
        assert_eq!(severities(&d), ["info"], "the reloader alone");
        // Each turned on by its own flag: each reported, each help removes its own flag.
        let d = df022("CMD flask run --host 0.0.0.0 --port 7860 --debugger --reload", None);
        assert_eq!(severities(&d), ["warning", "info"]);
        assert_eq!(d[0].help.as_deref(), Some("remove `--debugger` from the start command"));
        let d = df022("CMD flask run --host 0.0.0.0 --port 7860 --debug", None);
        assert!(d[0].help.as_deref().unwrap().contains("also turns off the reloader"), "{:?}", d[0].help);
        let source = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=7860, debug=True)\n";
        let d = df022("CMD [\"python\", \"app.py\"]", Some(source));
        assert_eq!(severities(&d), ["warning"]);
        assert!(d[0].message.starts_with("flask (in app.py) runs Werkzeug's interactive debugger (`debug=True`)"), "{}", d[0].message);
        assert!(d[0].fix.is_none(), "a call is fixed by hand");
    }

    #[test]
    fn uvicorn_run_given_the_object_exits() {
        let app = "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nif __name__ == '__main__':\n    uvicorn.run(app, host='0.0.0.0', port=7860, reload=True)\n";
        let d = df022("CMD [\"python\", \"app.py\"]", Some(app));
        assert_eq!(severities(&d), ["error"]);
        assert!(d[0].message.contains("given the object `app` with `reload=True`") && d[0].message.contains("nothing answers on app_port 7860"), "{}", d[0].message);
        assert!(d[0].help.as_deref().unwrap().contains("uvicorn.run(\"app:app\", …)"), "{:?}", d[0].help);
        let workers = app.replace("reload=True", "workers=4");
        assert_eq!(severities(&df022("CMD [\"python\", \"app.py\"]", Some(&workers))), ["error"]);
        let imported = "import uvicorn\nfrom server import app\nuvicorn.run(app, host='0.0.0.0', port=7860, workers=2)\n";
        let dockerfile = format!("{DOCKERFILE}CMD [\"python\", \"app.py\"]\n");
        let files = [
            ("README.md", README),
            ("Dockerfile", dockerfile.as_str()),
            ("requirements.txt", "fastapi\nuvicorn\n"),
            ("app.py", imported),
            ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
        ];
        let found: Vec<Diagnostic> = lint(&files).into_iter().filter(|d| d.code == "DF022").collect();
        assert_eq!(severities(&found), ["error"]);
        // Without `server.py` the import itself stops the app first: not judged on its mode.
        assert!(df022("CMD [\"python\", \"app.py\"]", Some(imported)).is_empty());
        // An import string reloads (information), and is no error.
        let string = app.replace("uvicorn.run(app,", "uvicorn.run('app:app',");
        assert_eq!(severities(&df022("CMD [\"python\", \"app.py\"]", Some(&string))), ["info"]);
    }

    #[test]
    fn near_misses_stay_silent() {
        for cmd in [
            "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]",
            "CMD uvicorn main:app --host 0.0.0.0 --port 7860 --reload-dir src",
            "CMD fastapi dev main.py --host 0.0.0.0 --port 7860 --no-reload",
            "CMD fastapi run main.py --port 7860",
            "CMD python manage.py runserver 0.0.0.0:7860 --noreload",
            "CMD flask run --host 0.0.0.0 --port 7860 --no-debug",
            "ENV FLASK_DEBUG=0\nCMD flask run --host 0.0.0.0 --port 7860",
            "ENV UVICORN_RELOAD=false\nCMD uvicorn main:app --host 0.0.0.0 --port 7860",
            "CMD [\"python\", \"-c\", \"print('--reload')\"]",
        ] {
            assert!(df022(cmd, None).is_empty(), "{cmd}");
        }
        let run = "CMD [\"python\", \"app.py\"]";
        let silent = [
            // An object without reload or workers; reload from a variable; a string constant.
            "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nuvicorn.run(app, host='0.0.0.0', port=7860)\n",
            "import os, uvicorn\napp = make()\nuvicorn.run(app, host='0.0.0.0', port=7860, reload=os.getenv('RELOAD') == '1')\n",
            "import uvicorn\nfrom settings import APP_MODULE\nuvicorn.run(APP_MODULE, host='0.0.0.0', port=7860, workers=2)\n",
            "import uvicorn\nAPP = 'main:app'\nuvicorn.run(APP, host='0.0.0.0', port=7860, workers=2)\n",
            "import uvicorn\napp = FastAPI()\nuvicorn.run(app, host='0.0.0.0', port=7860, reload=False, workers=1)\n",
            // Flask without debug, debug=False, Flask-SocketIO's own run, gradio's debug=True.
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=7860)\n",
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=7860, debug=False)\n",
            "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\nsocketio = SocketIO(app)\nsocketio.run(app, host='0.0.0.0', port=7860, debug=True)\n",
            "import gradio as gr\ndemo = gr.Interface(lambda x: x, 'text', 'text')\ndemo.launch(server_name='0.0.0.0', debug=True)\n",
        ];
        for app in silent {
            assert!(df022(run, Some(app)).is_empty(), "{app}");
        }
    }

    #[test]
    fn the_fix_removes_the_flag_in_either_form() {
        for (cmd, fixed) in [
            ("CMD [\"uvicorn\", \"main:app\", \"--reload\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]", "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]"),
            ("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\", \"--reload\"]", "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]"),
            ("CMD uvicorn main:app --reload --host 0.0.0.0 --port 7860", "CMD uvicorn main:app --host 0.0.0.0 --port 7860"),
            ("CMD uvicorn main:app --host 0.0.0.0 --port 7860 --reload", "CMD uvicorn main:app --host 0.0.0.0 --port 7860"),
        ] {
            let d = df022(cmd, None);
            let dockerfile = format!("{DOCKERFILE}{cmd}\n");
            let edits: Vec<_> = d[0].fix.as_ref().expect("a fix").edits.iter().collect();
            let after = crate::fix::apply(&dockerfile, &edits);
            assert_eq!(after, format!("{DOCKERFILE}{fixed}\n"));
            // Re-linted, the fixed file has no reloader left.
            assert!(df022(fixed, None).is_empty(), "{fixed}");
        }
    }
}

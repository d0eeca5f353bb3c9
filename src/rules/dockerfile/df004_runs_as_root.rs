use super::final_from_span;
use crate::diag::{Applicability, Fix};
use super::AppWrites;
use crate::model::base::Distro;
use crate::model::{ImageModel, RuntimeUser, Uid};
use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Enabled, Equivalent, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF004,
    name: "runs-as-root",
    severity: Severity::Error,
    summary: "the image runs as root, and the app writes where UID 1000, the user the Hub runs it as, cannot",
    doc: r#"## What it checks
That a final stage built to run as root (no `USER` applies to it, or the last is `root`/`0`; a
`USER` in a builder stage the final stage only copies from does not count) does not leave the app
writing where it cannot. The Hub runs the container as UID 1000 whatever the Dockerfile says, so
what matters is what the app writes. spacecheck reads the app's own code from the start command
(`python app.py`, `uvicorn main:app`, `streamlit run`, start scripts…), follows its imports of the
Space's modules, and resolves each write (`open(…, "w")`, `os.makedirs`, `sqlite3.connect`,
`Path.mkdir`, `df.to_csv`, `logging.FileHandler`…, see `knowledge/python_writes.rs`) to a path of
the image through `__file__`, the working folder, HOME and ENV:
- **error**: a write at import time (module level) into a folder root made: the app stops at
  start; the finding names each write (`app.py:12`) and the folder that refuses it;
- **warning**: the same on an image spacecheck does not know (it may set its own user);
- a write in a request handler is not judged: on the corpus, half of those read by hand sat
  behind a setting, an earlier failure of the same request, or a caller that catches the error;
- nothing, and the rule reported as skipped with the reason, when the code the start command
  runs is not among the folder's files (cloned during the build, copied from a build context
  larger than the folder, a start script the folder lacks) or is code spacecheck does not read:
  the files cannot tell what it writes;
- nothing when the app's code is read and writes nothing UID 1000 cannot (`/tmp`, a folder it
  was given, a write whose error the code catches, a function nothing calls). Caches of
  libraries are DF015's.

The app is followed through its own calls: a write in a function that is only called under
another file's `if __name__ == "__main__"`, or never used, does not run; one whose every call is
inside a `try` that catches the error does not stop the app; one in a function called at module
level or registered with `@app.on_event("startup")` runs at start. Code spacecheck does not read
(a Node or compiled server) is reported as skipped, with the reason: no finding is made up.

## Why it matters on a Space
An image that never switches user is built, and tested locally, as root: the files it creates or
installs belong to root, and on the Hub the app cannot write its own folders (uploads, SQLite
files, logs), failing with "Permission denied" only once deployed. An app that writes nothing
there runs fine as UID 1000, and is not reported (an assignment that asks for `USER` has its GA
rules).

## Example
```dockerfile
FROM python:3.11-slim
WORKDIR /app
COPY . .
CMD ["python", "app.py"]   # app.py: os.makedirs("uploads", exist_ok=True)
```

## Fix
Create and switch to a UID 1000 user, and give it the app's files:
```dockerfile
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH
WORKDIR $HOME/app
COPY --chown=user . $HOME/app
```

`spacecheck --fix --unsafe-fixes` adds, before the start command, `USER` of a UID-1000 user the
Dockerfile or the base image already has (`node` on node images), else the user made the base
image's way (`adduser -D -u 1000 user` on Alpine, `useradd -m -u 1000 user` elsewhere) with
`USER user` and HOME/PATH. Unsafe: what was built as root stays root's (DF006 then offers the
`--chown`s)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3002")],
    fixable: crate::rules::Fixable::Yes,
};

/// The lines that make the final stage run as UID 1000 on this base: `USER` of a UID-1000 user
/// the Dockerfile creates or the base image has (`node`, `ubuntu` on 24.04+, `jovyan`…), else
/// the user created the way the base image does it (`adduser -D` on Alpine, `useradd -m`
/// elsewhere) with HOME and PATH for `pip install --user`.
pub(crate) fn run_as_1000(model: &ImageModel, nl: &str) -> String {
    let created = model
        .created_users
        .iter()
        .rev()
        .find(|u| matches!(model.resolve_uid(&u.name), Uid::Known(1000) | Uid::Inferred { uid: 1000, .. }))
        .map(|u| u.name.clone());
    if let Some(name) = created.or_else(|| model.base().uid_1000_user.map(str::to_string)) {
        return format!("USER {name}");
    }
    let create = model.base().distro.create_user_1000();
    format!("RUN {create}{nl}USER user{nl}ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH")
}

/// Unsafe: what the image built as root before stays root's, and the app may need to write it.
fn fix(ctx: &Context, model: &ImageModel, file: &SourceFile, folders: &[String]) -> Option<Fix> {
    // The folders the app writes at start, root's until now, go to UID 1000 first (HOME's
    // writes are served by the user's own home).
    let give: Vec<&str> = folders.iter().map(String::as_str).filter(|f| *f != "/").collect();
    let chown = if give.is_empty() {
        String::new()
    } else {
        format!("RUN chown -R 1000:1000 {}{}", give.join(" "), file.newline())
    };
    let run_as = run_as_1000(model, file.newline());
    let first = run_as.lines().next().unwrap_or("").to_string();
    let message = if give.is_empty() {
        format!("run as UID 1000: `{first}`… before the start command (check what the app writes)")
    } else {
        format!("give `{}` to UID 1000 and run as it: `{first}`… before the start command", give.join("`, `"))
    };
    let lines = format!("{chown}{run_as}");
    super::add_line(ctx, file, &lines, Applicability::Unsafe, message)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    if model.stages.is_empty() {
        return;
    }
    // Where the image is made to run as root: the final FROM (no USER), or the last USER.
    let (span, label, root) = match &model.runtime_user {
        RuntimeUser::Default => {
            // Images built to run unprivileged (Jupyter's docker-stacks, micromamba) run as their
            // own user, not root; a UID other than 1000 is DF005's.
            if model.base().default_user.is_some() {
                return;
            }
            let user_elsewhere =
                ctx.parsed_dockerfile().is_some_and(|df| df.instructions.iter().any(|i| i.kind == Kind::User));
            let mut root = "the final image never switches user, so it is built as root".to_string();
            if user_elsewhere {
                root.push_str(" (a USER in another stage does not carry into the final stage)");
            }
            (final_from_span(ctx).unwrap_or(0..0), Some("final stage"), root)
        }
        RuntimeUser::Set { user, .. } if matches!(model.resolve_uid(&user.value), Uid::Known(0)) => {
            (user.span.clone(), None, format!("the last USER is `{}`, so the image is built as root", user.value))
        }
        RuntimeUser::Set { .. } => return,
    };
    // An image spacecheck does not know may set its own USER: what follows is assumed.
    let known = model.base().distro != Distro::Unknown;
    let assumed_root = if known {
        String::new()
    } else {
        let image = model.base_image.as_ref().map_or("the base image".to_string(), |b| format!("`{}`", b.value));
        format!(" (spacecheck does not know which user {image} runs as; assuming root, as most images do)")
    };
    let mut folders: Vec<String> = Vec::new();
    let (message, severity) = match super::app_writes(ctx) {
        AppWrites::Denied(denied) if denied.is_empty() => return,
        AppWrites::Denied(denied) => {
            for d in &denied {
                if !folders.contains(&d.blocking) {
                    folders.push(d.blocking.clone());
                }
            }
            denied_message(ctx, file, &root, &assumed_root, known, &denied)
        }
        AppWrites::NotReadable(why) => {
            return ctx.skip(RULE.code, format!("{why}: what the app writes is not known"));
        }
    };
    let lines = run_as_1000(model, "` and `");
    let help = match &model.runtime_user {
        RuntimeUser::Default => format!("add `{lines}` to the final stage, and `COPY --chown` the app to that user"),
        RuntimeUser::Set { .. } => format!("end with `{lines}` after the steps that need root"),
    };
    let mut d = Diagnostic::new(&RULE, message).at(file, span).severity(severity).help(help);
    if let Some(label) = label {
        d = d.label(label);
    }
    d.fix = fix(ctx, model, file, &folders);
    out.push(d);
}

/// The message and severity of a finding that names the writes at start that root's files
/// refuse: an error on an image spacecheck knows.
fn denied_message(
    ctx: &Context,
    file: &SourceFile,
    root: &str,
    assumed_root: &str,
    known: bool,
    denied: &[crate::model::app::DeniedAppWrite],
) -> (String, Severity) {
    // Each runs when the app starts (the only writes judged): the first it makes stops it.
    let shown: Vec<String> = denied.iter().take(3).map(|d| super::describe_denied(ctx, file, d)).collect();
    let more = if denied.len() > 3 { format!(", and {} more", denied.len() - 3) } else { String::new() };
    let message = format!(
        "{root}{assumed_root}; the Hub runs the app as UID 1000, which cannot write what root made, and the app makes these writes when it starts: {}{more}; it stops with \"Permission denied\" at the first it makes",
        shown.join("; ")
    );
    (message, if known { RULE.severity } else { Severity::Warning })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};
    use crate::rules::Severity;

    fn df004_with(dockerfile: &str, files: &[(&str, &str)]) -> Vec<crate::rules::Diagnostic> {
        let mut all = vec![("README.md", README), ("Dockerfile", dockerfile)];
        all.extend_from_slice(files);
        lint(&all).into_iter().filter(|d| d.code == "DF004").collect()
    }

    fn df004(dockerfile: &str, app: &str) -> Vec<crate::rules::Diagnostic> {
        df004_with(dockerfile, &[("app.py", app)])
    }

    /// The app's code, copied to /app and run by the start command.
    const APP: &str = "WORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    const WRITES: &str = "import os\nos.makedirs('uploads', exist_ok=True)\n";

    #[test]
    fn fires_without_user_or_with_root() {
        assert_eq!(df004(&format!("FROM python:3.11\n{APP}"), WRITES).len(), 1);
        assert_eq!(df004(&format!("FROM python:3.11\nUSER 1000\nRUN x\nUSER root\n{APP}"), WRITES).len(), 1);
        assert_eq!(df004(&format!("FROM python:3.11\nUSER 0:0\n{APP}"), WRITES).len(), 1);
        let d = df004(&format!("FROM python AS b\nUSER 1000\nFROM python\n{APP}"), WRITES);
        assert!(d[0].message.contains("another stage"));
    }

    #[test]
    fn silent_with_user_in_chain() {
        let as_user = "FROM python:3.11\nRUN useradd -u 1000 user\nUSER user\n";
        assert!(df004(&format!("{as_user}{APP}"), WRITES).is_empty());
        assert!(df004(&format!("FROM python:3.11 AS base\nUSER 1000\nFROM base\n{APP}"), WRITES).is_empty());
        assert!(df004(&format!("FROM jupyter/base-notebook\n{APP}"), WRITES).is_empty());
    }

    #[test]
    fn an_unknown_base_image_is_an_assumption_said_as_a_warning() {
        let d = df004(&format!("FROM ghcr.io/acme/server:1.2\n{APP}"), WRITES);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("does not know which user `ghcr.io/acme/server:1.2` runs as"), "{}", d[0].message);
        assert_eq!(df004(&format!("FROM python:3.11\n{APP}"), WRITES)[0].severity, Severity::Error);
    }

    /// The code the start command runs is not in the folder (cloned during the build), or is
    /// code spacecheck does not read (a Node server): the files cannot tell what it writes, so
    /// the rule is skipped, with the reason.
    #[test]
    fn code_not_in_the_folder_or_not_read_is_skipped() {
        let skipped = |files: &[(&str, &str)]| {
            let dir = tempfile::tempdir().unwrap();
            for (p, t) in files {
                std::fs::write(dir.path().join(p), t).unwrap();
            }
            let space = crate::space::Space::load(dir.path()).unwrap();
            let report = crate::lint::lint(&space, &crate::policy::Policy::baseline(), &crate::lint::Options::default());
            assert!(!report.diagnostics.iter().any(|d| d.code == "DF004"), "{:?}", report.diagnostics);
            report.skipped.into_iter().find(|s| s.code == crate::rules::Code::DF004).expect("skipped").reason
        };
        let cloned = "FROM python:3.11\nRUN git clone https://example.org/app.git /app\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n";
        let why = skipped(&[("README.md", README), ("Dockerfile", cloned)]);
        assert!(why.contains("`/app/app.py`, which no file of this folder is copied to"), "{why}");
        let node = "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
        let why = skipped(&[("README.md", README), ("Dockerfile", node), ("server.js", "require('http')\n")]);
        assert!(why.contains("runs `node`, whose code spacecheck does not read"), "{why}");
    }

    /// The finding names the write the Hub refuses, read from the app's code.
    #[test]
    fn an_error_names_the_write_that_fails() {
        let root = format!("FROM python:3.11-slim\n{APP}");
        let d = df004(&root, WRITES);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].message.contains("`app.py:2` makes `/app/uploads` (`os.makedirs`) in `/app`, owned by root (created by WORKDIR on line 2)"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("it stops with \"Permission denied\" at the first it makes"), "{}", d[0].message);
        // A write inside a request handler may sit behind a setting or a caller that catches its
        // error: not judged.
        let handler = df004(&root, "from flask import Flask\napp = Flask(__name__)\n@app.post('/u')\ndef upload():\n    open('uploads.log', 'a')\n");
        assert!(handler.is_empty(), "{handler:?}");
        // A startup hook, or a function the module calls when it loads, runs at start.
        let hook = df004(&root, "@app.on_event('startup')\ndef init():\n    open('state.json', 'w')\n");
        assert_eq!(hook[0].severity, Severity::Error, "{:?}", hook);
        let called = df004(&root, "def init_db():\n    sqlite3.connect('app.db')\ninit_db()\n");
        assert_eq!(called[0].severity, Severity::Error, "{:?}", called);
    }

    /// Apps that write nothing UID 1000 cannot: no finding, root or not.
    #[test]
    fn silent_when_the_app_writes_nothing_it_cannot() {
        let root = format!("FROM python:3.11-slim\n{APP}");
        assert!(df004(&root, "import gradio as gr\ngr.Interface(fn=str, inputs='text', outputs='text').launch()\n").is_empty());
        assert!(df004(&root, "import tempfile, os\nopen('/tmp/x', 'w')\nos.makedirs(tempfile.gettempdir(), exist_ok=True)\n").is_empty());
        assert!(df004(&root, "data = open('data.csv').read()\n").is_empty());
        // A write whose PermissionError the code catches, where it is made or where it is called.
        assert!(df004(&root, "try:\n    open('cache.json', 'w')\nexcept OSError:\n    pass\n").is_empty());
        let caught_by_caller = "def log(x):\n    open('log.txt', 'a').write(x)\ndef handle(x):\n    try:\n        log(x)\n    except Exception:\n        pass\n";
        assert!(df004(&root, caught_by_caller).is_empty());
        // A function nothing calls, or one only another file's `__main__` guard calls.
        assert!(df004(&root, "def export():\n    open('out.csv', 'w')\n").is_empty());
        let guarded = [("app.py", "import tools\n"), ("tools.py", "def main():\n    open('out.csv', 'w')\nif __name__ == '__main__':\n    main()\n")];
        assert!(df004_with(&root, &guarded).is_empty());
    }
}

use crate::diag::Applicability;
use crate::model::{Account, ImageModel, RunCommand};
use crate::parse::dockerfile::Kind;
use crate::model::installs::pip_install;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF017,
    name: "user-scripts-not-on-path",
    severity: Severity::Error,
    summary: "the server is pip-installed as a user (into ~/.local/bin) but started by name without that folder on PATH",
    doc: r#"## What it checks
On the official `python` images, where the system site-packages belong to root: every
`pip install` of the final image runs as a non-root user (pip then falls back to a user install,
as `--user` does) or with `--user`, so console scripts such as `uvicorn`, `gunicorn` or
`streamlit` land in that user's `~/.local/bin`; and the start command runs the server by its bare
name while PATH does not include a `.local/bin` folder. `pip install --user` run as root is also
reported: it installs into `/root/.local`, which UID 1000 cannot enter at all.

Not reported when any pip install goes to the system (as root, without `--user`), into a virtual
environment, conda, `--target`/`--prefix`, or with uv, pipx, poetry or pdm; nor when the server
is started with `python -m`.

## Why it matters on a Space
The build succeeds; at start the shell finds no `uvicorn` in PATH and the container exits with
"uvicorn: not found" (exec form: "executable file not found in $PATH").

## Example
```dockerfile
FROM python:3.11-slim
RUN useradd -m -u 1000 user
USER user
WORKDIR /home/user/app
COPY --chown=user . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "7860"]
```

## Fix
Put the user's script folder on PATH, as the Docker Spaces template does:
`ENV PATH=/home/user/.local/bin:$PATH`; or start the server with `python -m uvicorn …`.
`spacecheck --fix` adds that line before the start command (safe). For `pip install --user` run
as root there is no fix: root's home is closed to UID 1000, so the install itself must change."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Programs that install Python packages some other way than pip's system or user site.
const OTHER_INSTALLERS: &[&str] = &["virtualenv", "conda", "mamba", "micromamba", "uv", "pipx", "poetry", "pdm", "pyenv"];

/// Whether a command installs Python packages elsewhere than pip's system or user site: another
/// installer, a virtual environment made (`python -m venv`), or a pip called by its path (a
/// virtual environment's, `/opt/venv/bin/pip install`).
fn installs_elsewhere(command: &crate::parse::shell::SimpleCommand) -> bool {
    let program = command.program_name().unwrap_or_default();
    let by_path = command.words.first().is_some_and(|w| w.contains('/')) && pip_install(command).is_some();
    OTHER_INSTALLERS.contains(&program)
        || by_path
        || crate::model::writes::created_venv(command, &crate::model::writes::Cwd::new("/")).is_some()
}

/// How the final image's pip installs went.
#[derive(Default)]
struct PipInstalls<'a> {
    /// A user install (`--user`, or pip run as a non-root user): the RUN and who ran it.
    user: Option<(&'a RunCommand, Account)>,
    system: bool,
    elsewhere: bool,
}

fn pip_installs(model: &ImageModel) -> PipInstalls<'_> {
    let mut found = PipInstalls::default();
    for run in model.runs_in_chain() {
        if run.commands.iter().any(installs_elsewhere) {
            found.elsewhere = true;
        }
        for command in run.commands.iter().filter(|c| pip_install(c).is_some()) {
            let has = |names: &[&str]| {
                command.words.iter().any(|w| {
                    names.iter().any(|n| w.strip_prefix(n).is_some_and(|rest| rest.is_empty() || rest.starts_with('=')))
                })
            };
            if has(&["--target", "-t", "--prefix", "--root"]) {
                found.elsewhere = true;
                continue;
            }
            let account = model.account(run.stage, &run.user);
            match (&account, has(&["--user"])) {
                (Account::Root, false) => found.system = true,
                (Account::Unknown, _) => found.elsewhere = true,
                _ => {
                    found.user.get_or_insert((run, account));
                }
            }
        }
    }
    found
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    if model.base_ref.as_ref().is_none_or(|b| b.short_name() != "python") {
        return;
    }
    let env = &model.runtime_env;
    if env.contains_key("VIRTUAL_ENV") || env.contains_key("CONDA_PREFIX") || env.contains_key("PYTHONUSERBASE") {
        return;
    }
    // The server the start command runs by its bare name, installed by pip.
    let Some(server) = start.servers.iter().find(|s| {
        s.kind.python_package().is_some_and(|p| ctx.installs_package(p)) && start.programs.iter().any(|p| p.name == s.kind.name())
    }) else {
        return;
    };
    let installs = pip_installs(model);
    let Some((run, account)) = installs.user.as_ref().filter(|_| !installs.system && !installs.elsewhere) else { return };
    let name = server.kind.name();
    let line = file.line_col(run.span.start).0;
    // pip's user base is `$HOME/.local` with the HOME of that RUN: an `ENV HOME` before it, else
    // the home of the account that runs it (root's is `/root`).
    let env_home = model
        .var_defs
        .iter()
        .rev()
        .find(|d| d.kind == Kind::Env && d.name == "HOME" && d.instruction < run.instruction)
        .and_then(|d| d.value.as_ref().map(|v| v.value.clone()));
    let home = match (env_home, account) {
        (Some(home), _) => home,
        (None, Account::Root) => "/root".to_string(),
        (None, _) => model.runtime_home().path,
    };
    let bin = crate::model::join_path(&home, ".local/bin");
    let (message, help, fix) = if bin.starts_with("/root/") {
        (
            format!("`{name}` is installed by `pip install --user` as root (line {line}), into `{bin}`: UID 1000, which the Hub runs the app as, cannot enter root's home, so the container fails with \"{name}: not found\""),
            format!("install as root without `--user` (into the system site-packages), or start it with `python -m {name}`"),
            None,
        )
    } else {
        let path = env.get("PATH").map(String::as_str).unwrap_or("/usr/local/bin:/usr/bin:/bin");
        if path.split(':').any(|p| p.trim_end_matches('/') == bin || p.ends_with(".local/bin")) {
            return;
        }
        let who = if *account == Account::Root { "`pip install --user`" } else { "pip run as a non-root user" };
        (
            format!("`{name}` is installed by {who} (line {line}), so pip puts its script in `{bin}` (the system site-packages belong to root), but PATH does not include that folder: the container fails with \"{name}: not found\""),
            format!("`ENV PATH={bin}:$PATH` (as the Docker Spaces template does), or start it with `python -m {name}`"),
            // Safe: the folder pip wrote the scripts to goes first on PATH, as in the template.
            if bin.contains(|c: char| c.is_whitespace() || "$\"'\\".contains(c)) {
                None
            } else {
                let line = format!("ENV PATH={bin}:$PATH");
                super::add_line(ctx, file, &line, Applicability::Safe, format!("add `{line}`"))
            },
        )
    };
    let span = start.span.clone().unwrap_or_else(|| run.span.clone());
    let d = Diagnostic::new(&RULE, message).at(file, span).label(format!("`{name}` not in PATH")).help(help);
    out.push(d.maybe_fix(fix));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn df017(dockerfile: &str) -> Vec<crate::rules::Diagnostic> {
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", "fastapi\nuvicorn\n")];
        lint(&files).into_iter().filter(|d| d.code == "DF017").collect()
    }

    const USER: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\n";
    const CMD: &str = "CMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]\n";

    #[test]
    fn user_installs_outside_path() {
        let d = df017(&format!("{USER}RUN pip install --no-cache-dir -r requirements.txt\n{CMD}"));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`/home/user/.local/bin`"), "{}", d[0].message);
        let d = df017(&format!("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install --user -r requirements.txt\n{CMD}"));
        assert!(d[0].message.contains("as root"), "{}", d[0].message);
    }

    #[test]
    fn near_misses_stay_silent() {
        // `--user` as root with HOME set: the scripts go to that HOME, which PATH names.
        let home = "FROM python:3.11\nENV HOME=/home/user PATH=/home/user/.local/bin:$PATH\nCOPY . .\nRUN pip install --user -r requirements.txt\nRUN useradd -m -u 1000 user\nUSER user\n";
        assert!(df017(&format!("{home}{CMD}")).is_empty());
        // PATH has the folder (the template), python -m, a system install, a venv.
        assert!(df017(&format!("{USER}ENV PATH=/home/user/.local/bin:$PATH\nRUN pip install -r requirements.txt\n{CMD}")).is_empty());
        let module = "CMD [\"python\", \"-m\", \"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]\n";
        assert!(df017(&format!("{USER}RUN pip install -r requirements.txt\n{module}")).is_empty());
        let system = "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN useradd -m -u 1000 user\nUSER user\n";
        assert!(df017(&format!("{system}{CMD}")).is_empty());
        assert!(df017(&format!("{USER}RUN python -m venv /home/user/venv && /home/user/venv/bin/pip install -r requirements.txt\n{CMD}")).is_empty());
        assert!(df017(&format!("{USER}RUN uv pip install --system -r requirements.txt\n{CMD}")).is_empty());
        // A word `venv` in a path is no virtual environment: the user install still fires.
        let d = df017(&format!("{USER}RUN pip install -r requirements.txt && mkdir -p /home/user/venv-notes\n{CMD}"));
        assert_eq!(d.len(), 1, "{d:?}");
        // Not the official python image.
        assert!(df017(&format!("FROM continuumio/miniconda3\nUSER 1000\nRUN pip install -r requirements.txt\n{CMD}")).is_empty());
    }
}

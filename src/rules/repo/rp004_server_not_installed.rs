use crate::diag::{Applicability, Fix};
use crate::rules::edits;
use crate::space::Loaded;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::RP004,
    name: "server-not-installed",
    severity: Severity::Warning,
    summary: "the server CMD runs is not in requirements/pyproject nor installed by a RUN",
    doc: r#"## What it checks
That the Python server the container starts (uvicorn, gunicorn, hypercorn, streamlit, gradio,
flask, the fastapi CLI) is installed: named in a requirements file, `pyproject.toml`,
`environment.yml` or `Pipfile` of the Space, or installed by a `RUN` (`pip install uvicorn`).
Packages that bring it along count (gradio and `fastapi[standard]` install uvicorn). It stays
silent when it cannot know: no dependency file at all, or a base image named after the server.

## Why it matters on a Space
The build succeeds and the container dies at start with `uvicorn: not found` or
`No module named uvicorn`; the Space shows a runtime error.

## Example
`CMD ["uvicorn", "main:app", ...]` with a requirements.txt holding only `fastapi`.

## Fix
Add it to requirements.txt: `uvicorn[standard]`. `spacecheck --fix` adds that line to the root
requirements.txt when a RUN installs it with `-r` (safe: the server gets installed)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    let Some(span) = start.span.clone() else { return };
    let installs_in_run = model
        .runs_in_chain()
        .any(|r| r.commands.iter().any(|c| crate::model::installs::python_install(c).is_some()));
    if (!ctx.packages_known && !installs_in_run) || ctx.unreadable_manifests || installs_unreadable_files(ctx, model) {
        return;
    }
    // Images named after the server ship it (`tiangolo/uvicorn-gunicorn-fastapi`).
    let base = model.base_ref.as_ref().map_or("", |b| b.repository.as_str());
    let mut reported = Vec::new();
    for server in &start.servers {
        let Some(package) = server.kind.python_package() else { continue };
        if server.inferred || reported.contains(&package) || base.contains(package) || ctx.installs_package(package) {
            continue;
        }
        reported.push(package);
        let sources = if ctx.packages_known { "the Space's requirements files" } else { "the RUN instructions" };
        // Started from Python code (`uvicorn.run` in app.py), the import fails, not the shell.
        let message = match &server.via {
            Some(via) if via.ends_with(".py") => format!("`{via}` starts {package}, but {sources} do not install it: the app stops with `ModuleNotFoundError: No module named '{package}'`"),
            _ => format!("the container starts {package}, but {sources} do not install it: it will fail with `{package}: not found`"),
        };
        let requirement = if package == "uvicorn" { "uvicorn[standard]" } else { package };
        out.push(
            Diagnostic::new(&RULE, message)
                .at(file, span.clone())
                .help(format!("add `{requirement}` to requirements.txt"))
                .maybe_fix(add_requirement(ctx, model, requirement)),
        );
    }
}

/// Whether a RUN installs from a file the Space does not have (its content is unknown):
/// `pip install -r requirements.txt` with no requirements.txt, `pip install .`, `uv sync`...
fn installs_unreadable_files(ctx: &Context, model: &crate::model::ImageModel) -> bool {
    let has = |name: &str| ctx.space.files.iter().any(|f| f.path == name || f.path.ends_with(&format!("/{name}")));
    for run in model.runs_in_chain() {
        for c in &run.commands {
            let w = &c.words;
            for (i, word) in w.iter().enumerate() {
                let file = if word == "-r" || word == "--requirement" || word == "-c" || word == "--constraint" {
                    w.get(i + 1).cloned()
                } else {
                    word.strip_prefix("--requirement=")
                        .or_else(|| word.strip_prefix("-r"))
                        .filter(|r| !r.is_empty() && word.starts_with("-r"))
                        .map(str::to_string)
                };
                if let Some(f) = file {
                    let base = f.rsplit('/').next().unwrap_or(&f).to_string();
                    if !has(&base) {
                        return true;
                    }
                }
            }
            let project_install = (w.iter().any(|x| x == "install")
                && w.iter().any(|x| x == "." || x == "-e" || x.starts_with("./")))
                || w.windows(2).any(|p| {
                    (p[0] == "uv" || p[0] == "pdm" || p[0] == "poetry" || p[0] == "pipenv")
                        && (p[1] == "sync" || p[1] == "install")
                });
            if project_install && !has("pyproject.toml") && !has("setup.py") && !has("Pipfile") {
                return true;
            }
        }
    }
    false
}

/// The requirement on a line of its own at the end of the root requirements.txt, when the
/// image installs that file. Safe: the server the start command runs gets installed.
fn add_requirement(ctx: &Context, model: &crate::model::ImageModel, requirement: &str) -> Option<Fix> {
    if !edits::requirements_installed(model) {
        return None;
    }
    let Loaded::Text(file) = ctx.space.read_text(edits::REQUIREMENTS) else { return None };
    let edit = edits::append_lines(&file.path, &file.text, &[requirement], file.newline());
    Some(Fix { applicability: Applicability::Safe, message: format!("add `{requirement}` to requirements.txt"), edits: vec![edit] })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn rp4(dockerfile: &str, requirements: Option<&str>) -> bool {
        let mut files = vec![("README.md", README), ("Dockerfile", dockerfile)];
        if let Some(r) = requirements {
            files.push(("requirements.txt", r));
        }
        lint(&files).iter().any(|d| d.code == "RP004")
    }

    const UVICORN: &str = "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n";

    #[test]
    fn fires_when_missing() {
        assert!(rp4(UVICORN, Some("fastapi\n")));
        assert!(rp4("FROM python:3.11\nRUN pip install flask\nCMD streamlit run a.py --server.port 7860\n", None));
    }

    #[test]
    fn silent_when_installed_directly_or_transitively_or_unknown() {
        assert!(!rp4(UVICORN, Some("fastapi\nuvicorn[standard]==0.30\n")));
        assert!(!rp4(UVICORN, Some("gradio\n")));
        assert!(!rp4(UVICORN, Some("fastapi[standard]\n")));
        assert!(!rp4("FROM python:3.11\nRUN pip install fastapi uvicorn\nCMD uvicorn main:app\n", None));
        assert!(!rp4("FROM python:3.11\nCMD uvicorn main:app\n", None), "nothing to go by");
        assert!(!rp4(UVICORN, None), "requirements.txt is not in the Space: its content is unknown");
        assert!(!rp4("FROM tiangolo/uvicorn-gunicorn:python3.11\nRUN pip install x\nCMD uvicorn main:app\n", None));
    }

    /// Only real dependencies count: a description that names uvicorn installs nothing.
    #[test]
    fn a_pyproject_description_is_not_a_dependency() {
        let pyproject = "[project]\nname = \"app\"\ndescription = \"served by uvicorn\"\ndependencies = [\"fastapi\"]\n";
        let files = [("README.md", README), ("Dockerfile", UVICORN), ("requirements.txt", "fastapi\n"), ("pyproject.toml", pyproject)];
        assert!(lint(&files).iter().any(|d| d.code == "RP004"));
    }

    /// `setup.py`'s `install_requires` counts, read with the Python parser.
    #[test]
    fn setup_py_install_requires_counts() {
        let setup = "from setuptools import setup\nsetup(name='app', install_requires=['fastapi', 'uvicorn'])\n";
        let dockerfile = "FROM python:3.11\nCOPY . .\nRUN pip install .\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n";
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("setup.py", setup)];
        assert!(!lint(&files).iter().any(|d| d.code == "RP004"));
        let without = setup.replace(", 'uvicorn'", "");
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("setup.py", without.as_str())];
        assert!(lint(&files).iter().any(|d| d.code == "RP004"));
    }
}

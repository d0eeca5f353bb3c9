use crate::diag::Applicability;
use crate::model::app::AppLoad;
use crate::model::fs::Access;
use crate::model::{Account, HomeFrom, ImageModel, RuntimeUser};
use crate::parse::dockerfile::{CommandForm, Kind};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use std::ops::Range;

pub static RULE: Rule = Rule {
    code: Code::DF015,
    name: "cache-not-writable",
    severity: Severity::Error,
    summary: "a cache the app writes at run time (Hugging Face models, ~/.ollama, numba) is not writable by UID 1000",
    doc: r#"## What it checks
Where the app will write its model cache at run time, and whether UID 1000 (the user the Hub
runs the app as) may create or write it, judged on the final image's file system as the
Dockerfile builds it (WORKDIR, COPY `--chown`, `mkdir`, `chown`, `chmod`, `useradd -m`):
- the Hugging Face cache, when the Space installs a library that downloads from the Hub at run
  time (transformers, sentence-transformers, diffusers, datasets, faster-whisper; not
  huggingface_hub alone, which may only call the Inference API) and the app's code calls it to
  load a model by its Hub id or the library's default (`SentenceTransformer("all-MiniLM-L6-v2")`,
  `pipeline("ner")`, `.from_pretrained("org/model")`: `knowledge/hub_downloads.rs`; an error
  naming the call), when the load runs as the app starts (module level, a function called
  there, a startup hook): loads in request handlers are not judged (a setting or an earlier
  failure of the same request may keep them from running). A model loaded from a folder of the image, or by a name the code computes
  (it may be a folder), `local_files_only=True` or a `cache_dir=`, a load whose error the code
  catches (where it is made or where its function is called), or a library installed and never
  loaded, is not reported. Code that is not in the folder (cloned during the build) or that
  spacecheck does not read makes this part skipped, with the reason. The cache is `HF_HUB_CACHE`, else
  `TRANSFORMERS_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
  `$HOME/.cache/huggingface/hub`;
- `$HOME/.ollama`, when the container starts `ollama serve` (it writes its key there);
- numba's cache, when the Space installs a library that compiles with `@jit(cache=True)` at
  import (librosa, umap-learn, pynndescent), a Python file of the Space imports it, and every
  `pip install` runs as root, so numba
  cannot write beside the modules: `NUMBA_CACHE_DIR`, else `$XDG_CACHE_HOME/numba`, else
  `$HOME/.cache/numba`. Importing the library then fails with "RuntimeError: cannot cache
  function '__shear_dense': no locator available for file '…/librosa/util/utils.py'"
  (librosa/librosa#1156).

HOME is `ENV HOME`, else the home of the account with UID 1000 (`useradd -m -u 1000 user`:
`/home/user`), else `/`: Docker's HOME for a UID the image has no account for. Not reported when
the models are downloaded during the build (`from_pretrained`, `snapshot_download`, `hf
download`… in a RUN), when `HF_HUB_OFFLINE`/`TRANSFORMERS_OFFLINE` is set, or when the base
image is one spacecheck does not know (its folders could be anything), nor for a folder under
`/data`: with persistent storage the Hub mounts `/data` there, writable by the app, and hides
what the build put there; whether the Space has it is a fact of the Hub, not of the files
(HUB010 checks it live). A cache that falls back by itself is not reported: matplotlib
(`MPLCONFIGDIR`, `~/.config/matplotlib`) warns and uses a temporary folder, and the app runs.

## Why it matters on a Space
The build succeeds, the app starts, and the first model download fails with
`PermissionError: [Errno 13] Permission denied: '/.cache'` (or the folder named): the Space
shows a runtime error. It is the most common failure of Docker Spaces that never set a user.

## Example
```dockerfile
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt   # transformers
CMD ["python", "app.py"]
```

## Fix
Give the app a home it owns (the Docker Spaces docs' way):
```dockerfile
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user
```
or point the cache at a folder UID 1000 can write: `ENV HF_HOME=/tmp/huggingface`.
`spacecheck --fix` adds that `ENV` before the start command: safe for a variable that names the
cache alone (`HF_HOME`, `NUMBA_CACHE_DIR`…), unsafe for `HOME`, which moves everything else."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Libraries that download from the Hub into its cache when the app runs.
/// (`huggingface_hub` alone is not one: an app may use it only to call the Inference API.)
const HUB_DOWNLOADERS: &[&str] = &["transformers", "sentence-transformers", "diffusers", "datasets", "faster-whisper"];

/// Words of a RUN that downloads models during the build: the app then finds them in the cache.
const BUILD_DOWNLOADS: &[&str] = &[
    "from_pretrained",
    "snapshot_download",
    "hf_hub_download",
    "huggingface-cli download",
    "hf download",
    "SentenceTransformer(",
    "pipeline(",
    "load_dataset(",
    "WhisperModel(",
];

/// Where a cache folder comes from, for the message.
struct CacheDir {
    path: String,
    /// `HF_HOME=/app/cache`, `HOME=/`…: how it was found.
    because: String,
    /// The ENV that set it, when one in this Dockerfile did.
    env_span: Option<Range<usize>>,
}

fn env_value(model: &ImageModel, name: &str) -> Option<(String, Option<Range<usize>>)> {
    let value = model.runtime_env.get(name).filter(|v| !v.trim().is_empty())?;
    let span = model.var_defs.iter().rev().find(|d| d.kind == Kind::Env && d.name == name).map(|d| d.key_span.clone());
    Some((value.clone(), span))
}

fn home_dir(model: &ImageModel, below: &str) -> Option<CacheDir> {
    let home = model.runtime_home();
    let because = match &home.from {
        HomeFrom::Env(_) => format!("HOME is `{}`", home.path),
        HomeFrom::Account(name) => format!("HOME is `{}`, the home of `{name}`", home.path),
        HomeFrom::NoAccount => "HOME is `/`: the image has no account with UID 1000".to_string(),
        HomeFrom::Unknown => return None,
    };
    let env_span = match home.from {
        HomeFrom::Env(span) => span,
        _ => None,
    };
    Some(CacheDir { path: crate::model::join_path(&home.path, below), because, env_span })
}

/// A cache folder: the first of `vars` the image sets (with the folder below it), else
/// `below_home` in HOME. `None` when a variable's value is not known.
fn cache_dir(model: &ImageModel, vars: &[(&str, &str)], below_home: &str) -> Option<CacheDir> {
    for (name, below) in vars {
        if let Some((value, env_span)) = env_value(model, name) {
            if crate::parse::shell::has_unresolved_var(&value) {
                return None;
            }
            let path = crate::model::join_path(&value, below);
            return Some(CacheDir { path, because: format!("{name} is `{value}`"), env_span });
        }
    }
    home_dir(model, below_home)
}

fn hf_cache(model: &ImageModel) -> Option<CacheDir> {
    let vars = [("HF_HUB_CACHE", ""), ("TRANSFORMERS_CACHE", ""), ("HF_HOME", "hub"), ("XDG_CACHE_HOME", "huggingface/hub")];
    cache_dir(model, &vars, ".cache/huggingface/hub")
}

/// Whether a RUN downloads models during the build into the folder the app reads: the cache
/// set by an ENV both share, or HOME's cache when the RUN runs as the app's own (non-root)
/// user. Models a root RUN downloads into `/root/.cache` are not where the app looks.
fn downloaded_at_build_into(model: &ImageModel, dir: &CacheDir) -> bool {
    let from_env = !dir.because.starts_with("HOME");
    build_downloads(model).any(|account| from_env || matches!(account, Account::NonRoot { .. }))
}

/// Whether a RUN run as root downloads models during the build (into root's own cache).
fn downloads_at_build_as_root(model: &ImageModel) -> bool {
    build_downloads(model).any(|account| account == Account::Root)
}

/// Who runs each RUN of the final image that downloads models during the build.
fn build_downloads(model: &ImageModel) -> impl Iterator<Item = Account> + '_ {
    model
        .runs_in_chain()
        .filter(|run| BUILD_DOWNLOADS.iter().any(|w| run.text.contains(w)))
        .map(|run| model.account(run.stage, &run.user))
}

fn offline(model: &ImageModel) -> bool {
    ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"].iter().any(|v| {
        model.runtime_env.get(*v).is_some_and(|x| matches!(x.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    })
}

/// Whether the container starts `ollama serve`: the start command names ollama, or the
/// ollama image's own start command is kept.
fn starts_ollama(model: &ImageModel) -> bool {
    let text = |c: &Option<(CommandForm, Range<usize>)>| match c {
        Some((CommandForm::Shell(w), _)) => w.text.clone(),
        Some((CommandForm::Exec(words), _)) => words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
        None => String::new(),
    };
    let start = format!("{} {}", text(&model.start.entrypoint), text(&model.start.cmd));
    let ollama_image = model.base_ref.as_ref().is_some_and(|b| b.repository == "ollama/ollama");
    start.contains("ollama") || (ollama_image && model.start.entrypoint.is_none() && model.start.cmd.is_none())
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = &ctx.model else { return };
    if model.stages.is_empty() {
        return;
    }
    let downloader = HUB_DOWNLOADERS.iter().find(|p| ctx.installs_package(p));
    if downloader.is_some() && !offline(model) {
        if let Some(mut dir) = hf_cache(model).filter(|dir| !downloaded_at_build_into(model, dir)) {
            if downloads_at_build_as_root(model) && dir.because.starts_with("HOME") {
                dir.because.push_str("; the models a root RUN downloads during the build go to `/root/.cache`, which the app does not read");
            }
            // What the app's code shows: a call that downloads, one whose model is computed, or
            // (code not read) what is assumed from the installed library.
            let (what, when, severity) = match hub_evidence(ctx) {
                // At start: the app stops.
                HubEvidence::Downloads(load) => {
                    (format!("{}, which downloads it", load.describe()), "when the app starts", Severity::Error)
                }

                // A name the code computes may be a folder as well as a repository: not judged.
                HubEvidence::Nothing => return self_numba_ollama(ctx, model, out),
                HubEvidence::NotReadable(why) => {
                    ctx.skip(RULE.code, format!("{why}: whether it loads models from the Hub is not known"));
                    return self_numba_ollama(ctx, model, out);
                }
            };
            let writer = Writer {
                what: &what,
                when,
                error: PERMISSION_ERROR,
                env_fix: "HF_HOME=/tmp/huggingface",
                severity,
            };
            report(ctx, &dir, &writer, out);
        }
    }
    self_numba_ollama(ctx, model, out);
}

/// A download from the Hub the app makes when it starts into a cache UID 1000 cannot write,
/// whose error nothing catches: the app stops there (`app.py:12` loads …).
pub fn start_download_fails(ctx: &Context) -> Option<String> {
    let (model, app) = (ctx.model.as_ref()?, ctx.app.as_ref()?);
    let load = app.loads.iter().find(|l| l.downloads() && l.at_start)?;
    if offline(model) || !HUB_DOWNLOADERS.iter().any(|p| ctx.installs_package(p)) {
        return None;
    }
    let dir = hf_cache(model).filter(|dir| !downloaded_at_build_into(model, dir))?;
    if dir.path == "/data" || dir.path.starts_with("/data/") {
        return None;
    }
    matches!(model.writable_at_run_time(&dir.path), Access::No { .. })
        .then(|| format!("{} into `{}`, which UID 1000 cannot create", load.describe(), dir.path))
}

/// What the app's code shows of downloads from the Hub.
enum HubEvidence<'a> {
    /// A call given a repository id, or none (the library's default model).
    Downloads(&'a AppLoad),
    /// The code was read: no call shows a download (local folders, names the code computes,
    /// or no loading call).
    Nothing,
    /// Code spacecheck does not read.
    NotReadable(String),
}

fn hub_evidence<'a>(ctx: &'a Context) -> HubEvidence<'a> {
    use crate::model::app::AppCode;
    let Some(app) = ctx.app.as_ref() else { return HubEvidence::NotReadable("no start command".into()) };
    match &app.code {
        // What code not in the folder loads is not known, as for code spacecheck does not read.
        AppCode::NotInSpace(why) | AppCode::NotReadable(why) | AppCode::BuildFails(why) => {
            HubEvidence::NotReadable(why.clone())
        }
        // The load at start first: it decides whether the app starts at all.
        // An import nothing provides stops the app before anything loads.
        AppCode::Read { .. } if !app.missing_imports.is_empty() => HubEvidence::NotReadable(app.missing_imports[0].clone()),
        // A load when the app starts: that it runs is certain. One in a handler may sit behind a
        // setting or an earlier failure of the same request: not judged.
        AppCode::Read { .. } => {
            app.loads.iter().find(|l| l.downloads() && l.at_start).map_or(HubEvidence::Nothing, HubEvidence::Downloads)
        }
    }
}

/// ollama's home and numba's cache.
fn self_numba_ollama(ctx: &Context, model: &ImageModel, out: &mut Vec<Diagnostic>) {
    if starts_ollama(model) {
        if let Some(dir) = home_dir(model, ".ollama") {
            let writer = Writer {
                what: "`ollama serve` writes its key and models",
                when: "when it starts",
                error: PERMISSION_ERROR,
                env_fix: "HOME=/tmp",
                severity: RULE.severity,
            };
            report(ctx, &dir, &writer, out);
        }
    }
    // An import nothing provides stops the app before the library is used.
    if ctx.app.as_ref().is_some_and(|a| !a.missing_imports.is_empty()) {
        return;
    }
    let numba_library = NUMBA_CACHERS.iter().find(|(package, module)| ctx.installs_package(package) && space_imports(ctx, module));
    if let Some((library, _)) = numba_library {
        if let Some(dir) = numba_cache(model).filter(|_| site_packages_are_roots(model)) {
            let what = format!("`{library}` (installed) compiles numba functions with `cache=True` and, its own folder in site-packages being root's, writes their cache");
            let error = "RuntimeError: cannot cache function …: no locator available for file …";
            let writer = Writer {
                what: &what,
                when: "when the app first uses it",
                error,
                env_fix: "NUMBA_CACHE_DIR=/tmp/numba",
                severity: RULE.severity,
            };
            report(ctx, &dir, &writer, out);
        }
    }
}

/// Libraries that decorate functions with numba's `@jit(cache=True)` at import time: numba
/// then needs a cache folder, next to the module (site-packages) or its user-wide one.
/// (package, module).
const NUMBA_CACHERS: &[(&str, &str)] = &[("librosa", "librosa"), ("umap-learn", "umap"), ("pynndescent", "pynndescent")];

/// Whether one of the Space's Python files imports `module` (an installed library the app
/// never imports compiles nothing).
fn space_imports(ctx: &Context, module: &str) -> bool {
    ctx.space.files.iter().filter(|f| f.path.ends_with(".py") && !f.git_ignored && f.size <= crate::space::MAX_TEXT_BYTES).any(|f| {
        matches!(ctx.space.read_text(&f.path), crate::space::Loaded::Text(text) if crate::parse::python::imported_modules(&text.text).iter().any(|m| m == module))
    })
}

/// numba's user-wide cache folder: `NUMBA_CACHE_DIR`, else `$XDG_CACHE_HOME/numba`, else
/// `$HOME/.cache/numba`.
fn numba_cache(model: &ImageModel) -> Option<CacheDir> {
    cache_dir(model, &[("NUMBA_CACHE_DIR", ""), ("XDG_CACHE_HOME", "numba")], ".cache/numba")
}

/// Whether every `pip install` of the final image runs as root: the packages are then in a
/// site-packages UID 1000 cannot write, and numba cannot keep its cache beside them. One run as
/// a user may have installed them in the user's own site-packages: not judged.
fn site_packages_are_roots(model: &ImageModel) -> bool {
    let installs = |run: &&crate::model::RunCommand| {
        run.commands.iter().any(|c| {
            crate::model::installs::python_install(c)
                .is_some_and(|(installer, _)| installer != crate::model::installs::PythonInstaller::Conda)
        })
    };
    let mut runs = model.runs_in_chain().filter(installs).peekable();
    runs.peek().is_some() && runs.all(|run| model.account(run.stage, &run.user) == Account::Root)
}

/// What writes a cache, for the message: who, when, the error it stops with, and the ENV that
/// moves the cache somewhere writable.
struct Writer<'a> {
    what: &'a str,
    when: &'a str,
    error: &'a str,
    env_fix: &'a str,
    severity: Severity,
}

const PERMISSION_ERROR: &str = "PermissionError: [Errno 13] Permission denied";

fn report(ctx: &Context, dir: &CacheDir, writer: &Writer, out: &mut Vec<Diagnostic>) {
    let Writer { what, when, error, env_fix, severity } = writer;
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    // Persistent storage is mounted on /data at run time: what the build made there is hidden.
    if dir.path == "/data" || dir.path.starts_with("/data/") {
        return;
    }
    let Access::No { path: blocking, state } = model.writable_at_run_time(&dir.path) else { return };
    let verb = if blocking == dir.path.trim_end_matches('/') { "write" } else { "create" };
    let message = format!(
        "{what} into `{}` {when} ({}), but UID 1000, the user the Hub runs the app as, cannot {verb} it: `{blocking}` is {}; the app fails with \"{error}\"",
        dir.path,
        dir.because,
        super::describe_state(ctx, file, &state)
    );
    let span = dir.env_span.clone().or_else(|| place_of_user(ctx, model)).unwrap_or(0..0);
    let own = if model.runtime_home().from == HomeFrom::NoAccount {
        "create a UID-1000 user with a home (`RUN useradd -m -u 1000 user`, `USER user`, `ENV HOME=/home/user`)".to_string()
    } else {
        format!("give the folder to UID 1000 (`RUN mkdir -p {} && chown -R 1000 {blocking}` before USER)", dir.path)
    };
    // The cache moved under /tmp, before the start command: safe for a variable that names the
    // cache alone; unsafe for HOME, which moves everything else that lives there.
    let applicability = if env_fix.starts_with("HOME=") { Applicability::Unsafe } else { Applicability::Safe };
    let line = format!("ENV {env_fix}");
    let fix = super::add_line(ctx, file, &line, applicability, format!("add `{line}`"));
    out.push(
        Diagnostic::new(&RULE, message)
            .at(file, span)
            .severity(*severity)
            .label("not writable at run time")
            .help(format!("{own}, or point it at a folder UID 1000 can write: `ENV {env_fix}`"))
            .maybe_fix(fix),
    );
}

/// The last USER of the final image, or its FROM when it sets none.
fn place_of_user(ctx: &Context, model: &ImageModel) -> Option<Range<usize>> {
    match &model.runtime_user {
        RuntimeUser::Set { user, .. } => Some(user.span.clone()),
        RuntimeUser::Default => super::final_from_span(ctx),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    /// The app loads transformers' default sentiment model when it starts.
    const LOADS: &str = "from transformers import pipeline\nclf = pipeline('sentiment-analysis')\n";

    fn df015(dockerfile: &str, requirements: &str) -> Vec<crate::rules::Diagnostic> {
        lint(&[("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", requirements), ("app.py", LOADS)])
            .into_iter()
            .filter(|d| d.code == "DF015")
            .collect()
    }

    const NO_USER: &str = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";

    #[test]
    fn no_account_for_uid_1000_means_home_is_root() {
        let d = df015(NO_USER, "transformers\ntorch\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`/.cache/huggingface/hub`"), "{}", d[0].message);
        assert!(d[0].message.contains("HOME is `/`: the image has no account with UID 1000"), "{}", d[0].message);
        assert!(d[0].message.contains("`/` is owned by root (in the base image)"), "{}", d[0].message);
    }

    #[test]
    fn models_a_root_build_downloads_are_not_where_the_app_looks() {
        // As root, the build's HOME is /root; the app's is /: it downloads again, and fails.
        let df = format!("{NO_USER}RUN python -c \"from transformers import pipeline; pipeline('x')\"\n");
        let d = df015(&df, "transformers\n");
        assert!(d[0].message.contains("go to `/root/.cache`, which the app does not read"), "{}", d[0].message);
    }

    #[test]
    fn a_cache_folder_made_by_root() {
        let df = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nRUN mkdir -p /app/cache\nENV HF_HOME=/app/cache\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
        let d = df015(df, "sentence-transformers\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`/app/cache` is owned by root (created by mkdir on line 3)"), "{}", d[0].message);
        assert!(d[0].message.contains("HF_HOME is `/app/cache`"), "{}", d[0].message);
    }

    fn numba(dockerfile: &str, app: &str) -> Vec<String> {
        lint(&[("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", "librosa\nfastapi\n"), ("app.py", app)])
            .into_iter()
            .filter(|d| d.code == "DF015")
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn numba_needs_a_cache_it_can_write() {
        let m = numba(NO_USER, "import librosa\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("`librosa` (installed) compiles numba functions") && m[0].contains("`/.cache/numba`") && m[0].contains("no locator available"), "{m:?}");
        // Near misses: the app never imports it; NUMBA_CACHE_DIR under /tmp; a HOME the user
        // owns; packages installed by the user (numba caches beside them).
        assert!(numba(NO_USER, "import numpy\n").is_empty());
        let tmp = NO_USER.replace("WORKDIR /app", "ENV NUMBA_CACHE_DIR=/tmp/numba\nWORKDIR /app");
        assert!(numba(&tmp, "import librosa\n").is_empty());
        let home = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nUSER user\nENV HOME=/home/user\nCMD [\"python\", \"app.py\"]\n";
        assert!(numba(home, "import librosa\n").is_empty());
        let user_pip = "FROM python:3.11-slim\nRUN useradd -u 1000 user\nUSER user\nWORKDIR /tmp/app\nCOPY --chown=user . .\nRUN pip install --user -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
        assert!(numba(user_pip, "import librosa\n").is_empty());
    }

    fn with_app(app: &str) -> Vec<crate::rules::Diagnostic> {
        lint(&[("README.md", README), ("Dockerfile", NO_USER), ("requirements.txt", "sentence-transformers\n"), ("app.py", app)])
            .into_iter()
            .filter(|d| d.code == "DF015")
            .collect()
    }

    /// With the app's code: the call that downloads is named; a local model, or a library
    /// installed and never used, downloads nothing.
    #[test]
    fn judged_from_what_the_app_loads() {
        let d = with_app("from sentence_transformers import SentenceTransformer\nm = SentenceTransformer('all-MiniLM-L6-v2')\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("`app.py:2` loads `all-MiniLM-L6-v2` (`SentenceTransformer`), which downloads it into `/.cache/huggingface/hub`"), "{}", d[0].message);
        assert_eq!(d[0].severity, crate::rules::Severity::Error);
        assert!(with_app("from sentence_transformers import SentenceTransformer\nm = SentenceTransformer('/app/models/mini')\n").is_empty());
        assert!(with_app("import fastapi\n").is_empty(), "installed, never loaded");
        // A name the code computes may be a folder: not judged.
        assert!(with_app("from sentence_transformers import SentenceTransformer\nm = SentenceTransformer(pick())\n").is_empty());
    }

    #[test]
    fn ollama_needs_its_home() {
        let df = "FROM ollama/ollama\nRUN useradd -u 1000 user\nUSER user\n";
        let d = df015(df, "");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`/home/user/.ollama`"), "{}", d[0].message);
    }

    #[test]
    fn near_misses_stay_silent() {
        // The Docker Spaces template: a home made by useradd -m, or HOME set to it.
        let template = "FROM python:3.9\nRUN useradd -m -u 1000 user\nUSER user\nENV PATH=/home/user/.local/bin:$PATH\nWORKDIR /app\nCOPY --chown=user . /app\n";
        assert!(df015(template, "transformers\n").is_empty());
        // A cache folder given to UID 1000, or open to all, or in /tmp.
        let chowned = "FROM python:3.11\nRUN mkdir -p /app/cache && chown -R 1000:1000 /app/cache\nENV HF_HOME=/app/cache\n";
        assert!(df015(chowned, "transformers\n").is_empty());
        let open = "FROM python:3.11\nRUN mkdir -p /data/hf && chmod -R 777 /data\nENV HF_HOME=/data/hf\n";
        assert!(df015(open, "transformers\n").is_empty());
        assert!(df015("FROM python:3.11\nENV HF_HOME=/tmp/hf\n", "transformers\n").is_empty());
        // Models downloaded during the build into the cache the app reads, or offline, or no
        // downloading library.
        let download = "RUN python -c \"from transformers import AutoModel; AutoModel.from_pretrained('x')\"\n";
        let baked = format!("FROM python:3.11\nENV HF_HOME=/app/models\nWORKDIR /app\n{download}");
        assert!(df015(&baked, "transformers\n").is_empty());
        assert!(df015(&format!("{NO_USER}ENV HF_HUB_OFFLINE=1\n"), "transformers\n").is_empty());
        assert!(df015(NO_USER, "fastapi\nuvicorn\n").is_empty());
        // Under /data, where persistent storage is mounted.
        let data = "FROM python:3.11\nRUN mkdir -p /data/hf\nENV HF_HOME=/data/hf\n";
        assert!(df015(data, "transformers\n").is_empty());
        // huggingface_hub alone may only call the Inference API.
        assert!(df015(NO_USER, "huggingface_hub\n").is_empty());
        // An image spacecheck does not know.
        assert!(df015("FROM ghcr.io/acme/base:1\nCOPY . .\n", "transformers\n").is_empty());
        // node images ship UID 1000 (`node`, home /home/node).
        assert!(df015("FROM node:20\nRUN apt-get update\n", "transformers\n").is_empty());
    }
}

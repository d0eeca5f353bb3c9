use crate::model::fs::Access;
use crate::model::{Account, HomeFrom, ImageModel, RuntimeUser};
use crate::parse::dockerfile::{CommandForm, Kind};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use std::ops::Range;

pub static RULE: Rule = Rule {
    code: Code::DF015,
    name: "cache-not-writable",
    severity: Severity::Error,
    summary: "the folder the app downloads models into (Hugging Face cache, ~/.ollama) is not writable by UID 1000",
    doc: r#"## What it checks
Where the app will write its model cache at run time, and whether UID 1000 (the user the Hub
runs the app as) may create or write it, judged on the final image's file system as the
Dockerfile builds it (WORKDIR, COPY `--chown`, `mkdir`, `chown`, `chmod`, `useradd -m`):
- the Hugging Face cache, when the Space installs a library that downloads from the Hub at run
  time (transformers, sentence-transformers, diffusers, datasets, faster-whisper; not
  huggingface_hub alone, which may only call the Inference API): `HF_HUB_CACHE`, else `TRANSFORMERS_CACHE`, else `$HF_HOME/hub`, else
  `$XDG_CACHE_HOME/huggingface/hub`, else `$HOME/.cache/huggingface/hub`;
- `$HOME/.ollama`, when the container starts `ollama serve` (it writes its key there).

HOME is `ENV HOME`, else the home of the account with UID 1000 (`useradd -m -u 1000 user`:
`/home/user`), else `/`: Docker's HOME for a UID the image has no account for. Not reported when
the models are downloaded during the build (`from_pretrained`, `snapshot_download`, `hf
download`… in a RUN), when `HF_HUB_OFFLINE`/`TRANSFORMERS_OFFLINE` is set, or when the base
image is one spacecheck does not know (its folders could be anything), nor for a folder under
`/data`: with persistent storage the Hub mounts `/data` there, writable by the app, and hides
what the build put there; whether the Space has it is a fact of the Hub, not of the files.

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
or point the cache at a folder UID 1000 can write: `ENV HF_HOME=/tmp/huggingface`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
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

fn hf_cache(model: &ImageModel) -> Option<CacheDir> {
    for (name, below) in [("HF_HUB_CACHE", ""), ("TRANSFORMERS_CACHE", ""), ("HF_HOME", "hub"), ("XDG_CACHE_HOME", "huggingface/hub")] {
        if let Some((value, env_span)) = env_value(model, name) {
            if crate::parse::shell::has_unresolved_var(&value) {
                return None;
            }
            let path = crate::model::join_path(&value, below);
            return Some(CacheDir { path, because: format!("{name} is `{value}`"), env_span });
        }
    }
    home_dir(model, ".cache/huggingface/hub")
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
    if let Some(library) = downloader.filter(|_| !offline(model)) {
        if let Some(mut dir) = hf_cache(model).filter(|dir| !downloaded_at_build_into(model, dir)) {
            if downloads_at_build_as_root(model) && dir.because.starts_with("HOME") {
                dir.because.push_str("; the models a root RUN downloads during the build go to `/root/.cache`, which the app does not read");
            }
            let what = format!("`{library}` (installed) downloads models");
            report(ctx, &dir, &what, "when the app first loads one", "HF_HOME=/tmp/huggingface", out);
        }
    }
    if starts_ollama(model) {
        if let Some(dir) = home_dir(model, ".ollama") {
            report(ctx, &dir, "`ollama serve` writes its key and models", "when it starts", "HOME=/tmp", out);
        }
    }
}

fn report(ctx: &Context, dir: &CacheDir, what: &str, when: &str, env_fix: &str, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    // Persistent storage is mounted on /data at run time: what the build made there is hidden.
    if dir.path == "/data" || dir.path.starts_with("/data/") {
        return;
    }
    let Access::No { path: blocking, state } = model.writable_at_run_time(&dir.path) else { return };
    let verb = if blocking == dir.path.trim_end_matches('/') { "write" } else { "create" };
    let message = format!(
        "{what} into `{}` {when} ({}), but UID 1000, the user the Hub runs the app as, cannot {verb} it: `{blocking}` is {}; the app fails with \"PermissionError: [Errno 13] Permission denied\"",
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
    out.push(
        Diagnostic::new(&RULE, message)
            .at(file, span)
            .label("not writable at run time")
            .help(format!("{own}, or point it at a folder UID 1000 can write: `ENV {env_fix}`")),
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

    fn df015(dockerfile: &str, requirements: &str) -> Vec<crate::rules::Diagnostic> {
        lint(&[("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", requirements)])
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
        let df = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nRUN mkdir -p /app/cache\nENV HF_HOME=/app/cache\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\nRUN pip install -r requirements.txt\n";
        let d = df015(df, "sentence-transformers\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`/app/cache` is owned by root (created by mkdir on line 3)"), "{}", d[0].message);
        assert!(d[0].message.contains("HF_HOME is `/app/cache`"), "{}", d[0].message);
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

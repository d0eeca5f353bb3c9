//! `spacecheck init [DIR]`: a minimal Docker Space that passes spacecheck's own lint, with the
//! values of a policy or a course assignment (port, title, description, base image). FastAPI by
//! default (the shape of `fixtures/reference-space`), or gradio, streamlit, or a static page.
//! It never overwrites a file: if any file it would write exists, it writes nothing, except in a
//! Space cloned from the Hub whose only file of the template is README.md, whose missing keys it
//! adds ([`install`]).

use std::path::{Path, PathBuf};

use crate::source::SourceFile;

use crate::policy::Policy;

/// The app the Space runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// A FastAPI app served by uvicorn (the shape of fixtures/reference-space).
    #[default]
    Fastapi,
    /// A gradio Blocks app.
    Gradio,
    /// A streamlit script.
    Streamlit,
    /// An `index.html` served by Python's http.server.
    Static,
}

/// The values the files are written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    pub title: String,
    pub port: u16,
    pub short_description: String,
    pub base_image: String,
    /// A secret the Space reads at run time (set on the Hub, never in a file).
    pub secret: Option<String>,
    /// Assignment mode: `ENV APP_PORT=` in the Dockerfile, as the grader reads it.
    pub app_port_env: bool,
}

/// Text for each language the files are written in. A policy is shared (a course hands one to
/// every student): its values are data, so each is written as a literal of the language it
/// lands in, never pasted as code.
mod quote {
    /// A double-quoted string literal, valid in Python and in YAML (a JSON string is both).
    pub fn string(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }

    /// A YAML value: as it is when it is plain words, else a quoted string.
    pub fn yaml(s: &str) -> String {
        let plain = !s.is_empty()
            && s.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | ','))
            && !s.starts_with([' ', '-'])
            && !s.ends_with(' ');
        if plain {
            s.to_string()
        } else {
            string(s)
        }
    }

    /// Text inside HTML elements.
    pub fn html(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
    }

    /// One line of Markdown (a heading): line breaks and other controls become spaces.
    pub fn line(s: &str) -> String {
        s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
    }
}

impl Values {
    /// The policy's values where it has them; a Space named after its folder on 7860 otherwise.
    /// A base image that is not an image reference, or a secret that is not a variable name,
    /// is refused: both are written into the Dockerfile and the app's code.
    pub fn of(policy: &Policy, dir: &Path) -> Result<Values, String> {
        // The folder's name (it may not exist yet); `.` is the current folder's.
        let name = |d: &Path| d.file_name().map(|n| n.to_string_lossy().to_string());
        let folder = name(dir)
            .or_else(|| dir.canonicalize().ok().as_deref().and_then(name))
            .unwrap_or_else(|| "my-space".into());
        let title = policy.space.name.clone().unwrap_or(folder);
        let short_description = match &policy.space.description_contains {
            Some(token) => format!("{token} Docker Space"),
            None => "A Docker Space checked by spacecheck".to_string(),
        };
        let base_image = policy.dockerfile.base_image.clone().unwrap_or_else(|| "python:3.11-slim".into());
        if base_image.contains(char::is_whitespace) || crate::parse::image_ref::ImageRef::parse(&base_image).is_err() {
            return Err(format!("the policy's base image {base_image:?} is not an image reference"));
        }
        let secret = policy.space.secrets.first().cloned();
        if let Some(name) = &secret {
            let mut chars = name.chars();
            let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("the policy's secret {name:?} is not an environment variable name"));
            }
        }
        Ok(Values {
            title,
            port: policy.space.app_port.unwrap_or(7860),
            short_description: short_description.chars().take(60).collect(),
            base_image,
            secret,
            app_port_env: policy.assignment.is_some(),
        })
    }
}

fn readme(v: &Values, template: Template) -> String {
    format!(
        "---\ntitle: {title}\nemoji: 🐳\ncolorFrom: blue\ncolorTo: indigo\nsdk: docker\napp_port: {port}\n\
         short_description: {desc}\npinned: false\n---\n\n# {heading}\n\nA {kind} Docker Space, made by \
         `spacecheck init` and checked by `spacecheck .`.\n",
        title = quote::yaml(&v.title),
        port = v.port,
        desc = quote::yaml(&v.short_description),
        heading = quote::line(&v.title),
        kind = match template {
            Template::Fastapi => "FastAPI",
            Template::Gradio => "gradio",
            Template::Streamlit => "streamlit",
            Template::Static => "static",
        },
    )
}

/// The Dockerfile: a UID 1000 user that owns the app, HOME and PATH for `pip --user`, the app
/// port exposed, and the server on 0.0.0.0 at the app port.
fn dockerfile(v: &Values, template: Template) -> String {
    let port = v.port;
    let (app_files, cmd) = match template {
        Template::Fastapi => {
            ("main.py", format!("[\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"{port}\"]"))
        }
        Template::Gradio => ("app.py", "[\"python\", \"app.py\"]".to_string()),
        Template::Streamlit => (
            "app.py",
            format!("[\"streamlit\", \"run\", \"app.py\", \"--server.address\", \"0.0.0.0\", \"--server.port\", \"{port}\"]"),
        ),
        Template::Static => ("index.html", format!("[\"python\", \"-m\", \"http.server\", \"{port}\"]")),
    };
    let install = match template {
        Template::Static => String::new(),
        _ => "COPY --chown=user requirements.txt .\nRUN pip install --no-cache-dir --user -r requirements.txt\n".into(),
    };
    let app_port_env = if v.app_port_env { format!("ENV APP_PORT={port}\n") } else { String::new() };
    format!(
        "FROM {base}\n\n# The Hub runs the container as UID 1000: build as that user, so it owns what it writes.\n\
         RUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user \\\n    PATH=/home/user/.local/bin:$PATH\n\
         {app_port_env}WORKDIR $HOME/app\n\n{install}COPY --chown=user {app_files} .\n\nEXPOSE {port}\nCMD {cmd}\n",
        base = v.base_image,
    )
}

/// What the app reads of its secret: whether it is set, never its value.
fn secret_line(v: &Values, indent: &str) -> String {
    match &v.secret {
        Some(name) => format!("{indent}\"secret_configured\": bool(os.environ.get({})),\n", quote::string(name)),
        None => String::new(),
    }
}

fn fastapi_app(v: &Values) -> String {
    let secret = secret_line(v, "        ");
    let body = format!(
        "    return {{\n        \"status\": \"ok\",\n        \"space\": {},\n{secret}    }}\n",
        quote::string(&v.title)
    );
    format!(
        "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\ndef root() -> dict:\n{body}"
    )
}

fn gradio_app(v: &Values) -> String {
    let greet = "def greet(name: str) -> str:\n    return f\"Hello, {name}!\"\n";
    let demo = format!(
        "demo = gr.Interface(fn=greet, inputs=\"text\", outputs=\"text\", title={})\n",
        quote::string(&v.title)
    );
    let launch = format!("    demo.launch(server_name=\"0.0.0.0\", server_port={})\n", v.port);
    format!("import gradio as gr\n\n\n{greet}\n\n{demo}\nif __name__ == \"__main__\":\n{launch}")
}

fn static_page(v: &Values) -> String {
    let t = quote::html(&v.title);
    let head = format!("<head><meta charset=\"utf-8\"><title>{t}</title></head>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n{head}<body><h1>{t}</h1><p>A static Docker Space.</p></body>\n</html>\n"
    )
}

/// The app's file: path and text.
fn app(v: &Values, template: Template) -> (&'static str, String) {
    match template {
        Template::Fastapi => ("main.py", fastapi_app(v)),
        Template::Gradio => ("app.py", gradio_app(v)),
        Template::Streamlit => (
            "app.py",
            format!(
                "import streamlit as st\n\nst.title({})\nst.write(\"Hello from a Docker Space.\")\n",
                quote::string(&v.title)
            ),
        ),
        Template::Static => ("index.html", static_page(v)),
    }
}

fn requirements(template: Template) -> Option<&'static str> {
    match template {
        Template::Fastapi => Some("fastapi==0.115.6\nuvicorn[standard]==0.32.1\n"),
        Template::Gradio => Some("gradio==5.9.1\n"),
        Template::Streamlit => Some("streamlit==1.41.1\n"),
        Template::Static => None,
    }
}

/// The files of the Space: path and text.
pub fn files(v: &Values, template: Template, policy_file: Option<String>) -> Vec<(&'static str, String)> {
    let mut files = vec![("README.md", readme(v, template)), ("Dockerfile", dockerfile(v, template)), app(v, template)];
    if let Some(r) = requirements(template) {
        files.push(("requirements.txt", r.to_string()));
    }
    if let Some(policy) = policy_file {
        files.push(("spacecheck.yaml", policy));
    }
    files
}

/// Writes the Space into `dir`: into an empty or new folder, or into a Space cloned from the Hub
/// (only its README.md there: merged, see [`merge_into_clone`]). The files written, and the
/// README's diff when it was merged.
pub fn install(dir: &Path, files: &[(&'static str, String)]) -> Result<Merged, String> {
    let existing: Vec<&str> =
        files.iter().map(|(p, _)| *p).filter(|p| dir.join(p).symlink_metadata().is_ok()).collect();
    if existing == ["README.md"] && dir.join("README.md").is_file() {
        return merge_into_clone(dir, files);
    }
    Ok(Merged { written: write(dir, files)?, readme_diff: String::new() })
}

/// What `init` did in a folder that already had a README (a Space created on the Hub, then
/// cloned): the files it wrote, and the README's keys it added, as a unified diff.
pub struct Merged {
    pub written: Vec<PathBuf>,
    pub readme_diff: String,
}

impl Merged {
    /// What `init` prints: the files written, the README's diff when it was merged, what next.
    pub fn summary(&self, dir: &Path, port: u16) -> String {
        let names: Vec<String> =
            self.written.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().to_string()).collect();
        let merged = match self.readme_diff.as_str() {
            "" => String::new(),
            diff => format!("; README.md kept, with the keys it lacked added:\n{diff}"),
        };
        let dir = dir.display();
        format!("spacecheck: wrote {} in {dir} (port {port}){merged}\nnext: spacecheck {dir}\n", names.join(", "))
    }
}

/// Into a Space cloned from the Hub, whose only file of the template is its README.md: every
/// other file is written, and the README keeps every key and line it has, the template's keys it
/// lacks added before the block's closing `---` (or the template's block put first, when it has
/// none). Refuses, writing nothing, when another file of the template exists too, or when the
/// README's frontmatter does not parse (it must be fixed first: `spacecheck --fix`).
pub fn merge_into_clone(dir: &Path, files: &[(&'static str, String)]) -> Result<Merged, String> {
    let path = dir.join("README.md");
    let before = std::fs::read_to_string(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let template = files.iter().find(|(p, _)| *p == "README.md").map(|(_, t)| t.as_str()).unwrap_or_default();
    let after = merged_readme(&before, template)?;
    let rest: Vec<(&'static str, String)> = files.iter().filter(|(p, _)| *p != "README.md").cloned().collect();
    let written = write(dir, &rest)?;
    if after != before {
        std::fs::write(&path, &after).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    let diff = similar::TextDiff::from_lines(&before, &after);
    let readme_diff = diff.unified_diff().context_radius(3).header("a/README.md", "b/README.md").to_string();
    Ok(Merged { written, readme_diff })
}

/// The README with the template's frontmatter keys it lacks.
fn merged_readme(before: &str, template: &str) -> Result<String, String> {
    use crate::parse::frontmatter::{self, FrontmatterError};
    let ours = frontmatter::parse(&SourceFile::new("README.md", template.to_string()))
        .map_err(|_| "the template's README has no frontmatter".to_string())?;
    let theirs = SourceFile::new("README.md", before.to_string());
    let nl = theirs.newline();
    match frontmatter::parse(&theirs) {
        Err(FrontmatterError::Missing) => {
            let block = &template[..ours.yaml.end];
            let close = template[ours.yaml.end..].find('\n').map_or(template.len(), |i| ours.yaml.end + i + 1);
            Ok(format!("{}{}{before}", block.replace('\n', nl), template[ours.yaml.end..close].replace('\n', nl)))
        }
        Err(_) => Err("README.md has a frontmatter block spacecheck cannot read: fix it first (`spacecheck README.md`'s folder shows where), then run init again".into()),
        Ok(fm) => {
            let mut added = String::new();
            for (key, value) in &ours.entries {
                let Some(name) = key.value.as_str() else { continue };
                if fm.get(name).is_none() {
                    let line = template[key.span.start..value.span.end].to_string();
                    added += &format!("{line}{nl}");
                }
            }
            let at = fm.yaml.end;
            let glue = if before[..at].ends_with('\n') || at == 0 { "" } else { nl };
            Ok(format!("{}{glue}{added}{}", &before[..at], &before[at..]))
        }
    }
}

/// Writes the Space into `dir` (made if missing). Refuses, writing nothing, when a file exists.
pub fn write(dir: &Path, files: &[(&'static str, String)]) -> Result<Vec<PathBuf>, String> {
    let existing: Vec<&str> =
        files.iter().map(|(p, _)| *p).filter(|p| dir.join(p).symlink_metadata().is_ok()).collect();
    if !existing.is_empty() {
        return Err(format!(
            "`{}` already has {}: spacecheck init never overwrites a file (nothing was written)",
            dir.display(),
            existing.join(", ")
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (path, text) in files {
        let full = dir.join(path);
        // create_new: a file that appeared meanwhile is still not overwritten.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)
            .map_err(|e| format!("cannot create `{}`: {e}", full.display()))?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        written.push(full);
    }
    Ok(written)
}

//! What every rule reads: the Space, its parsed files, the image model, and the policy.
//! Built once per Space; parsing and modelling happen here, never inside a rule.

use std::cell::{OnceCell, RefCell};

use crate::diag::{Code, Skipped};
use std::collections::HashSet;

use crate::model::app::{self, AppFiles, AppModel};
use crate::model::placement::BuildContext;
use crate::model::server::{self, Files, StartAnalysis};
use crate::model::{self, ImageModel};
use crate::parse::dockerfile::{self, Dockerfile, ParseError};
use crate::parse::frontmatter::{self, Frontmatter, FrontmatterError, Value};
use crate::parse::manifest::{self, ManifestKind, Package};
use crate::policy::Policy;
use crate::rules::steps::ParsedRun;
use crate::source::SourceFile;
use crate::space::Space;

pub struct Context<'a> {
    pub space: &'a Space,
    pub policy: &'a Policy,
    pub frontmatter: Option<Result<Frontmatter, FrontmatterError>>,
    pub dockerfile: Option<Result<Dockerfile, ParseError>>,
    pub model: Option<ImageModel>,
    pub start: Option<StartAnalysis>,
    /// What the app's own code does (entry files, imports, writes), from the start command.
    pub app: Option<AppModel>,
    /// Python packages the Space installs (requirements files, pyproject, `pip install` in RUNs).
    pub python_packages: HashSet<Package>,
    /// Whether the installed packages could be read completely (a requirements file was found).
    pub packages_known: bool,
    /// Whether a dependency file of the Space could not be read (listed by the Hub but not
    /// fetched, or unreadable): what it installs is not known.
    pub unreadable_manifests: bool,
    /// The RUN scripts as the DL rules read them, parsed on first use.
    hadolint_runs: OnceCell<Vec<ParsedRun>>,
    /// Rules that could not judge this Space, and why (reported as skipped, never as passed).
    skips: RefCell<Vec<Skipped>>,
    /// See [`Context::buildkit_stop`].
    buildkit_stop: OnceCell<Option<usize>>,
    /// See [`Context::pushed_by_git`].
    pushed_by_git: OnceCell<bool>,
}

/// Where the app port the Hub routes to comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppPortSource {
    Readme,
    Policy,
    HubDefault,
}

impl<'a> Context<'a> {
    pub fn new(space: &'a Space, policy: &'a Policy) -> Context<'a> {
        let frontmatter = space.readme.text().map(frontmatter::parse);
        let dockerfile = space.dockerfile.text().map(dockerfile::parse);
        let model = match &dockerfile {
            Some(Ok(df)) => Some(model::build_with_context(df, Some(&BuildContext::of_space(space)))),
            _ => None,
        };
        let mut ctx = Context {
            space,
            policy,
            frontmatter,
            dockerfile,
            model,
            start: None,
            app: None,
            python_packages: HashSet::new(),
            packages_known: false,
            unreadable_manifests: false,
            hadolint_runs: OnceCell::new(),
            skips: RefCell::new(Vec::new()),
            buildkit_stop: OnceCell::new(),
            pushed_by_git: OnceCell::new(),
        };
        ctx.collect_python_packages();
        if let Some(m) = &ctx.model {
            ctx.start = Some(server::analyze(m, &ctx));
        }
        if let (Some(m), Some(start)) = (&ctx.model, &ctx.start) {
            ctx.app = Some(app::build(m, start, &ctx));
        }
        ctx
    }

    /// The byte offset of the first instruction BuildKit cannot build (its error is DF002's),
    /// where its conversion of the instructions stops.
    pub fn buildkit_stop(&self) -> Option<usize> {
        *self.buildkit_stop.get_or_init(|| {
            let (file, df) = (self.dockerfile_file()?, self.parsed_dockerfile()?);
            let first = crate::parse::buildkit::errors(file, df).into_iter().map(|e| e.span.start).min()?;
            df.instructions.iter().filter(|i| i.span.start <= first).map(|i| i.span.start).max()
        })
    }

    /// Whether the Space reaches the Hub by `git push`, so that `.gitignore` decides what the
    /// Hub has: not when a Python file of the Space uploads it through the Hub's API
    /// (`HfApi.upload_folder`, `create_commit`…), which ignores `.gitignore`.
    pub fn pushed_by_git(&self) -> bool {
        const API_UPLOADS: &[&str] = &["upload_folder", "upload_file", "create_commit", "upload_large_folder"];
        *self.pushed_by_git.get_or_init(|| {
            !self.space.files.iter().filter(|f| f.path.ends_with(".py") && f.size <= crate::space::MAX_TEXT_BYTES).any(|f| {
                matches!(self.space.read_text(&f.path), crate::space::Loaded::Text(t) if crate::parse::python::calls_any(&t.text, API_UPLOADS))
            })
        })
    }

    /// A rule that cannot judge this Space says why: it is reported as skipped.
    pub fn skip(&self, code: Code, reason: String) {
        self.skips.borrow_mut().push(Skipped { code, reason });
    }

    /// The rules that said they could not judge, and why.
    pub fn skipped(&self) -> Vec<Skipped> {
        self.skips.borrow().clone()
    }

    pub fn readme(&self) -> Option<&SourceFile> {
        self.space.readme.text()
    }

    pub fn dockerfile_file(&self) -> Option<&SourceFile> {
        self.space.dockerfile.text()
    }

    pub fn frontmatter(&self) -> Option<&Frontmatter> {
        self.frontmatter.as_ref().and_then(|r| r.as_ref().ok())
    }

    pub fn parsed_dockerfile(&self) -> Option<&Dockerfile> {
        self.dockerfile.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// Every RUN's commands as the DL rules read them (see `steps::parse_runs`).
    pub fn hadolint_runs(&self) -> &[ParsedRun] {
        self.hadolint_runs.get_or_init(|| match (self.dockerfile_file(), self.parsed_dockerfile()) {
            (Some(file), Some(df)) => crate::rules::steps::parse_runs(file, df),
            _ => Vec::new(),
        })
    }

    /// The port the Hub sends traffic to, and where that comes from.
    pub fn app_port(&self) -> (u16, AppPortSource) {
        let readme = self.frontmatter().and_then(|fm| fm.value("app_port")).and_then(|v| match v.value {
            Value::Int(p) => u16::try_from(p).ok(),
            _ => None,
        });
        // A policy's port is the one the Space must serve on: FM005 reports a README that says
        // otherwise, and every other rule checks and advises the policy's port, so no two
        // findings ask for different ports.
        match (self.policy.space.app_port, readme) {
            (Some(policy), Some(readme)) if policy == readme => (readme, AppPortSource::Readme),
            (Some(policy), _) => (policy, AppPortSource::Policy),
            (None, Some(readme)) => (readme, AppPortSource::Readme),
            (None, None) => (7860, AppPortSource::HubDefault),
        }
    }

    /// Describes the app port for messages: "app_port 7255 (README.md)".
    pub fn app_port_text(&self) -> String {
        match self.app_port() {
            (p, AppPortSource::Readme) => format!("app_port {p} (README.md)"),
            (p, AppPortSource::Policy) => format!("the policy's app_port {p}"),
            (p, AppPortSource::HubDefault) => format!("the Hub's default port {p} (README.md sets no app_port)"),
        }
    }

    fn collect_python_packages(&mut self) {
        let mut packages = HashSet::new();
        let mut known = false;
        for entry in &self.space.files {
            let base = entry.path.rsplit('/').next().unwrap_or(&entry.path);
            let Some(kind) = ManifestKind::of(base) else { continue };
            if entry.size > crate::space::MAX_TEXT_BYTES {
                continue;
            }
            match self.space.read_bytes(&entry.path) {
                Some(bytes) => {
                    known = true;
                    packages.extend(manifest::packages(kind, &crate::source::decode_bom_aware(&bytes)));
                }
                None => self.unreadable_manifests = true,
            }
        }
        if let Some(m) = &self.model {
            for c in m.runs_in_chain().flat_map(|r| &r.commands) {
                packages.extend(crate::model::installs::python_packages(c).into_iter().flatten());
            }
        }
        self.python_packages = packages;
        self.packages_known = known;
    }

    /// Whether a Python package is installed, counting packages that pull it in
    /// (gradio and `fastapi[standard]` bring uvicorn; gradio brings fastapi).
    pub fn installs_package(&self, package: &str) -> bool {
        let has = |name: &str| self.python_packages.iter().any(|p| p.name == name);
        let has_extra = |name: &str, extra: &str| {
            self.python_packages.iter().any(|p| p.name == name && p.extras.iter().any(|e| e == extra))
        };
        has(package)
            || match package {
                // mcp's metadata: `Requires-Dist: uvicorn>=0.31.1` (its SSE and HTTP servers).
                "uvicorn" => {
                    has("mcp")
                        || has("gradio")
                        || has_extra("fastapi", "standard")
                        || has_extra("fastapi", "all")
                        || has("chainlit")
                        || has("fastapi-cli")
                }
                "fastapi" => has("gradio") || has("chainlit"),
                _ => false,
            }
    }

    /// Maps a path in the image to the Space file a context COPY put there.
    pub fn context_file_for(&self, image_path: &str) -> Option<String> {
        self.model.as_ref()?.space_file_at(image_path).map(str::to_string)
    }
}

impl Files for Context<'_> {
    fn file(&self, image_path: &str) -> Option<String> {
        let rel = self.context_file_for(image_path)?;
        self.space.read_text(&rel).text().map(|f| f.text.clone())
    }

    fn installs(&self, package: &str) -> bool {
        self.installs_package(package)
    }
}

impl AppFiles for Context<'_> {
    fn python_at(&self, image_path: &str) -> Option<(Option<String>, SourceFile)> {
        let model = self.model.as_ref()?;
        if let Some(text) = model.written_files.get(image_path) {
            return Some((None, SourceFile::new(image_path, text.clone())));
        }
        let rel = model.space_file_at(image_path)?;
        let file = self.space.read_text(rel).text()?.clone();
        Some((Some(rel.to_string()), file))
    }

    fn whole_space(&self) -> bool {
        self.space.whole
    }

    fn git_ignores(&self, rel: &str) -> bool {
        self.space.is_git_ignored(rel.trim_end_matches('/'), false) && self.pushed_by_git()
    }

    fn provides_module(&self, top: &str) -> bool {
        let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
        !self.packages_known
            || self.unreadable_manifests
            || self.python_packages.iter().any(|p| {
                norm(&p.name) == norm(top)
                    || crate::knowledge::python_modules::MODULE_OF
                        .iter()
                        .any(|(d, m)| *m == top && norm(d) == norm(&p.name))
            })
    }

    fn has_file(&self, image_path: &str) -> bool {
        self.model
            .as_ref()
            .is_some_and(|m| m.written_files.contains_key(image_path) || m.space_file_at(image_path).is_some())
    }
}

//! What every rule reads: the Space, its parsed files, the image model, and the policy.
//! Built once per Space; parsing and modelling happen here, never inside a rule.

use std::cell::OnceCell;
use std::collections::HashSet;

use crate::model::server::{self, Files, StartAnalysis};
use crate::model::{self, CopyFrom, ImageModel};
use crate::parse::dockerfile::{self, Dockerfile, ParseError};
use crate::parse::frontmatter::{self, Frontmatter, FrontmatterError, Value};
use crate::parse::manifest::{self, ManifestKind, Package};
use crate::policy::Policy;
use crate::rules::hadolint::ParsedRun;
use crate::source::SourceFile;
use crate::space::Space;

pub struct Context<'a> {
    pub space: &'a Space,
    pub policy: &'a Policy,
    pub frontmatter: Option<Result<Frontmatter, FrontmatterError>>,
    pub dockerfile: Option<Result<Dockerfile, ParseError>>,
    pub model: Option<ImageModel>,
    pub start: Option<StartAnalysis>,
    /// Python packages the Space installs (requirements files, pyproject, `pip install` in RUNs).
    pub python_packages: HashSet<Package>,
    /// Whether the installed packages could be read completely (a requirements file was found).
    pub packages_known: bool,
    /// The RUN scripts as the DL rules read them, parsed on first use.
    hadolint_runs: OnceCell<Vec<ParsedRun>>,
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
            Some(Ok(df)) => Some(model::build(df)),
            _ => None,
        };
        let mut ctx = Context {
            space,
            policy,
            frontmatter,
            dockerfile,
            model,
            start: None,
            python_packages: HashSet::new(),
            packages_known: false,
            hadolint_runs: OnceCell::new(),
        };
        ctx.collect_python_packages();
        if let Some(m) = &ctx.model {
            ctx.start = Some(server::analyze(m, &ctx));
        }
        ctx
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

    /// Every RUN's commands as the DL rules read them (see `hadolint::parse_runs`).
    pub fn hadolint_runs(&self) -> &[ParsedRun] {
        self.hadolint_runs.get_or_init(|| match (self.dockerfile_file(), self.parsed_dockerfile()) {
            (Some(file), Some(df)) => crate::rules::hadolint::parse_runs(file, df),
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
            if let Some(bytes) = self.space.read_bytes(&entry.path) {
                known = true;
                packages.extend(manifest::packages(kind, &crate::source::decode_bom_aware(&bytes)));
            }
        }
        if let Some(m) = &self.model {
            for c in m.runs_in_chain().flat_map(|r| &r.commands) {
                packages.extend(manifest::installed_by_command(&c.words).into_iter().flatten());
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
                "uvicorn" => {
                    has("gradio")
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
        let m = self.model.as_ref()?;
        for copy in m.copies.iter().rev() {
            if copy.from != CopyFrom::Context {
                continue;
            }
            for src in &copy.sources {
                let src_rel = src.value.trim_start_matches("./").trim_end_matches('/');
                let src_rel = if src_rel == "." { "" } else { src_rel };
                let dest = copy.dest.trim_end_matches('/');
                let is_dir_source = src_rel.is_empty() || self.space.has_dir(src_rel);
                let candidate = if is_dir_source {
                    image_path.strip_prefix(dest).and_then(|r| r.strip_prefix('/')).map(|r| {
                        if src_rel.is_empty() {
                            r.to_string()
                        } else {
                            format!("{src_rel}/{r}")
                        }
                    })
                } else if copy.dest.ends_with('/') || copy.sources.len() > 1 {
                    let base = src_rel.rsplit('/').next().unwrap_or(src_rel);
                    (format!("{dest}/{base}") == image_path).then(|| src_rel.to_string())
                } else {
                    (dest == image_path).then(|| src_rel.to_string())
                };
                if let Some(rel) = candidate {
                    if self.space.file(&rel).is_some() {
                        return Some(rel);
                    }
                }
            }
        }
        None
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

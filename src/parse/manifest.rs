//! Python dependency manifests read by real parsers: requirements files (PEP 508 per line,
//! pip's options skipped), `pyproject.toml` (`[project]` dependencies, Poetry) and `Pipfile`
//! through a TOML parser, `environment.yml` through the YAML parser, and the arguments of
//! `pip install`/`uv add`/`conda install` in a RUN. Only real dependencies count: a
//! description that says "served by uvicorn" installs nothing.

use std::str::FromStr;

use pep508_rs::Requirement;

/// A package a manifest installs: its normalised name (PEP 503: lowercase, `-` for runs of
/// `-_.`) and the extras it asks for (`uvicorn[standard]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Package {
    pub name: String,
    pub extras: Vec<String>,
}

/// The kinds of manifest, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    Requirements,
    Pyproject,
    Pipfile,
    CondaEnvironment,
    /// setuptools' `setup.py`: `install_requires`, read with the Python parser.
    SetupPy,
}

impl ManifestKind {
    pub const ALL: [ManifestKind; 5] = [
        ManifestKind::Requirements,
        ManifestKind::Pyproject,
        ManifestKind::Pipfile,
        ManifestKind::CondaEnvironment,
        ManifestKind::SetupPy,
    ];

    /// `requirements.txt`, `requirements-dev.txt`, `pyproject.toml`, `Pipfile`, `environment.yml`,
    /// `setup.py`.
    pub fn of(file_name: &str) -> Option<ManifestKind> {
        match file_name {
            "pyproject.toml" => Some(ManifestKind::Pyproject),
            "Pipfile" => Some(ManifestKind::Pipfile),
            "environment.yml" | "environment.yaml" => Some(ManifestKind::CondaEnvironment),
            "setup.py" => Some(ManifestKind::SetupPy),
            n if n.starts_with("requirements") && n.ends_with(".txt") => Some(ManifestKind::Requirements),
            _ => None,
        }
    }
}

/// PEP 503 normalisation.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// One PEP 508 requirement (`fastapi[standard]>=0.110; python_version>"3.8"`); `None` for a
/// URL, a path or anything that is not one.
pub fn requirement(text: &str) -> Option<Package> {
    // A direct reference (`name @ https://…`) names its package before the `@`; the URL itself
    // is not needed, and `pep508_rs`'s URL handling is left out of reach of hostile input.
    let text = text.split('@').next().unwrap_or(text).trim();
    if !names_are_pep508(text) || !within_budget(text) {
        return None;
    }
    let req = pep508(text)?;
    Some(Package {
        name: normalize_name(req.name.as_ref()),
        extras: req.extras.iter().map(|e| normalize_name(e.as_ref())).collect(),
    })
}

/// Whether a PEP 508 requirement constrains its version (`x==1`, `x>=1`, `x~=1`, `x!=1`, or a
/// direct reference `x @ URL`); `None` when the text is no requirement (a path, a URL).
pub fn requirement_constrains_version(text: &str) -> Option<bool> {
    let (name_part, url) = match text.split_once('@') {
        Some((name, url)) => (name.trim(), Some(url)),
        None => (text.trim(), None),
    };
    if !names_are_pep508(name_part) || !within_budget(name_part) {
        return None;
    }
    if url.is_some() {
        return Some(true);
    }
    let req = pep508(name_part)?;
    Some(match req.version_or_url {
        Some(pep508_rs::VersionOrUrl::VersionSpecifier(spec)) => !spec.is_empty(),
        Some(pep508_rs::VersionOrUrl::Url(_)) => true,
        None => false,
    })
}

/// A requirement as `pep508_rs` reads it; `None` when it is not one, or when the parser panics
/// (0.9 does on a non-ASCII character after a marker, `uvicorn ; os_name=="x"` then a BOM):
/// such a line is not read, and nothing is printed.
fn pep508(text: &str) -> Option<Requirement<pep508_rs::VerbatimUrl>> {
    crate::panic::caught(|| Requirement::<pep508_rs::VerbatimUrl>::from_str(text).ok()).flatten()
}

/// Whether a requirement is short enough to read ([`crate::budget::REQUIREMENT_BYTES`]): the
/// parser's time grows faster than the length (300,000 extras took 23 s).
fn within_budget(text: &str) -> bool {
    let ok = text.len() <= crate::budget::REQUIREMENT_BYTES;
    if !ok {
        crate::budget::exhausted(crate::budget::Family::Requirement);
    }
    ok
}

/// Whether the name and the extras are PEP 508 names (letters and digits, with `-_.` only
/// between them). `pep508_rs` 0.9 panics (an `expect`) on a name or an extra that ends in a
/// separator before a character it does not expect (`rp-/x`, `x[stand--]`: both found by
/// fuzzing), so such requirements are refused before it sees them.
fn names_are_pep508(text: &str) -> bool {
    let is_name = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let name_end =
        text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(text.len());
    if !is_name(&text[..name_end]) {
        return false;
    }
    let rest = text[name_end..].trim_start();
    let Some(extras) = rest.strip_prefix('[') else { return true };
    let Some((extras, _)) = extras.split_once(']') else { return false };
    extras.split(',').map(str::trim).filter(|e| !e.is_empty()).all(is_name)
}

/// The packages of a manifest's text.
pub fn packages(kind: ManifestKind, text: &str) -> Vec<Package> {
    match kind {
        ManifestKind::Requirements => requirements_txt(text),
        ManifestKind::Pyproject => pyproject(text),
        ManifestKind::Pipfile => pipfile(text),
        ManifestKind::CondaEnvironment => conda_environment(text),
        ManifestKind::SetupPy => super::python::setup_requires(text).iter().filter_map(|r| requirement(r)).collect(),
    }
}

/// pip's requirements format: logical lines (a trailing `\` continues), `#` comments after
/// whitespace, option lines (`-r`, `-e`, `--index-url`) and per-requirement options
/// (`--hash=…`) left out.
fn requirements_txt(text: &str) -> Vec<Package> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    joined
        .lines()
        .filter_map(|line| {
            let line = match line.find(" #").or_else(|| line.find("\t#")) {
                Some(i) => &line[..i],
                None => line,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
                return None;
            }
            let spec = line.split(" --").next().unwrap_or(line);
            requirement(spec)
        })
        .collect()
}

fn pyproject(text: &str) -> Vec<Package> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    let project_deps = doc.get("project").and_then(|p| p.get("dependencies")).and_then(|d| d.as_array());
    out.extend(project_deps.into_iter().flatten().filter_map(|d| d.as_str()).filter_map(requirement));
    let poetry = doc.get("tool").and_then(|t| t.get("poetry")).and_then(|p| p.get("dependencies"));
    out.extend(table_keys(poetry));
    out
}

fn pipfile(text: &str) -> Vec<Package> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    table_keys(doc.get("packages"))
}

/// Poetry's and Pipfile's `name = "version"` tables (extras in an inline table).
fn table_keys(table: Option<&toml::Value>) -> Vec<Package> {
    let Some(table) = table.and_then(|t| t.as_table()) else { return Vec::new() };
    table
        .iter()
        .filter(|(name, _)| name.as_str() != "python")
        .map(|(name, spec)| {
            let extras = spec.get("extras").and_then(|e| e.as_array()).into_iter().flatten();
            Package {
                name: normalize_name(name),
                extras: extras.filter_map(|e| e.as_str()).map(normalize_name).collect(),
            }
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct CondaEnvironment {
    #[serde(default)]
    dependencies: Vec<CondaDependency>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum CondaDependency {
    Spec(String),
    Pip { pip: Vec<String> },
    Other(serde::de::IgnoredAny),
}

/// `dependencies:` with conda match specs (`numpy>=1.2`, `conda-forge::gradio=4.0`) and a
/// `pip:` list of PEP 508 requirements.
fn conda_environment(text: &str) -> Vec<Package> {
    let Ok(env) = serde_saphyr::from_str::<CondaEnvironment>(text) else { return Vec::new() };
    let mut out = Vec::new();
    for dep in env.dependencies {
        match dep {
            CondaDependency::Spec(spec) => out.extend(conda_spec(&spec)),
            CondaDependency::Pip { pip } => out.extend(pip.iter().filter_map(|r| requirement(r))),
            CondaDependency::Other(_) => {}
        }
    }
    out
}

/// A conda match spec's package name: after an optional `channel::`, up to the version.
fn conda_spec(spec: &str) -> Option<Package> {
    let spec = spec.rsplit("::").next().unwrap_or(spec).trim();
    let end = spec.find(['=', '<', '>', '!', ' ', '[']).unwrap_or(spec.len());
    let name = &spec[..end];
    (!name.is_empty() && name != "python" && name != "pip")
        .then(|| Package { name: normalize_name(name), extras: vec![] })
}

/// The packages named by an installer's arguments (`pip install` / `uv add` / `conda install`
/// after the subcommand): options and their values left out, requirement files (`-r`) read as
/// manifests. Which commands install is [`crate::model::installs::python_install`]'s question.
pub fn install_arguments(args: &[String], conda: bool) -> Vec<Package> {
    // Options of pip/uv/conda that take a value as the next argument.
    const VALUE_OPTIONS: &[&str] = &[
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--python",
        "-p",
        "--channel",
        "-n",
        "--name",
        "--upgrade-strategy",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--trusted-host",
        "--cache-dir",
        "--src",
        "--group",
        "--extra",
        "--index",
    ];
    let operands = super::shell::ParsedArgs::parse(args, VALUE_OPTIONS).operands;
    operands.iter().filter_map(|arg| if conda { conda_spec(arg) } else { requirement(arg) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(packages: &[Package]) -> Vec<String> {
        packages.iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn requirements_lines() {
        let text = "fastapi==0.110\nuvicorn[standard]>=0.29 # server\n# comment\nGradio_Client\n-r other.txt\n\
                    --index-url https://x\ntorch==2.2 --hash=sha256:abc \\\n    --hash=sha256:def\n./local-pkg\n";
        let p = requirements_txt(text);
        assert_eq!(names(&p), vec!["fastapi", "uvicorn", "gradio-client", "torch"]);
        assert_eq!(p[1].extras, vec!["standard"]);
    }

    /// pep508_rs 0.9 panics on a BOM after a marker (the red team's row that ended a batch):
    /// the line is not read, the others are; a line over the budget is not read either.
    #[test]
    fn lines_the_parser_cannot_take_are_not_read() {
        let p = requirements_txt("uvicorn ; os_name==\"x\"\u{feff}\nfastapi\n");
        assert_eq!(names(&p), vec!["fastapi"]);
        assert_eq!(requirement_constrains_version("uvicorn ; os_name==\"x\"\u{feff}"), None);
        let _ = crate::budget::take_notes();
        let long = format!("uvicorn[{}]", vec!["e"; crate::budget::REQUIREMENT_BYTES].join(","));
        assert!(requirement(&long).is_none());
        assert!(crate::budget::take_notes().iter().any(|n| n.contains("requirement line")));
    }

    #[test]
    fn pyproject_dependencies_not_descriptions() {
        let text = "[project]\nname = \"x\"\ndescription = \"served by uvicorn\"\ndependencies = [\"fastapi>=0.1\"]\n";
        assert_eq!(names(&pyproject(text)), vec!["fastapi"]);
        let poetry = "[tool.poetry.dependencies]\npython = \"^3.11\"\nGradio = \"4.0\"\nuvicorn = { version = \"0.3\", extras = [\"standard\"] }\n";
        let p = pyproject(poetry);
        assert_eq!(names(&p), vec!["gradio", "uvicorn"]);
        assert_eq!(p[1].extras, vec!["standard"]);
        assert!(pyproject("not toml [").is_empty());
    }

    #[test]
    fn names_pep508_rs_would_panic_on_are_refused() {
        for text in ["rp-/requirements.txt", "a./b", "x_", "-e", "", "x[stand---]", "x[a-]>=1", "x[a"] {
            assert_eq!(requirement(text), None, "{text}");
        }
        assert_eq!(requirement("a.b-c_d>=1").map(|p| p.name), Some("a-b-c-d".into()));
        let direct = requirement("uvicorn[standard] @ https://example.com/u.whl").expect("a direct reference");
        assert_eq!((direct.name.as_str(), direct.extras.as_slice()), ("uvicorn", &["standard".to_string()][..]));
    }

    #[test]
    fn pipfile_and_conda() {
        assert_eq!(
            names(&pipfile("[packages]\nstreamlit = \"*\"\n[dev-packages]\npytest = \"*\"\n")),
            vec!["streamlit"]
        );
        let env = "name: x\ndependencies:\n  - python=3.10\n  - conda-forge::numpy>=1.2\n  - pip\n  - pip:\n    - gradio==4.0\n";
        assert_eq!(names(&conda_environment(env)), vec!["numpy", "gradio"]);
    }
}

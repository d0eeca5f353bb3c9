//! What a RUN's commands install, read by one recogniser that every rule asks: system packages
//! (`apt-get install`, `apt install`, `apk add`, `dnf`/`yum`/`microdnf install`), with each
//! package as the manager reads it (version pins, target releases and local `.deb` files apart),
//! and Python packages (`pip install` however pip is called, `uv pip install`, `uv add`/`sync`,
//! `poetry add`, `pdm add`, `conda install`). A rule never reads the RUN's text for this.

use crate::parse::shell::SimpleCommand;

/// A system package manager a RUN calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemManager {
    /// `apt-get install`, `apt install`, `aptitude install`.
    Apt,
    /// `apk add`.
    Apk,
    /// `dnf`, `yum`, `microdnf install`.
    Dnf,
}

/// One package named on an install command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package name (`libgl1`), without a version pin (`=1.2`) or a release (`/bookworm`).
    pub name: String,
    /// The position of the word among the command's words.
    pub word: usize,
}

/// A system-package install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInstall {
    pub manager: SystemManager,
    /// The packages it names as plain names; words with a variable or a glob, and local
    /// package files, are left out.
    pub packages: Vec<Package>,
    /// A target release chosen on the command line (`-t bookworm-backports`).
    pub target_release: Option<String>,
}

impl SystemInstall {
    pub fn names(&self, name: &str) -> bool {
        self.packages.iter().any(|p| p.name == name)
    }
}

/// A tool that installs Python packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonInstaller {
    /// `pip`, `pip3`, `pip3.11`, `python -m pip` (any python), by name or by path.
    Pip,
    /// `uv pip install`.
    UvPip,
    /// `uv add`, `uv sync`, `poetry add`, `pdm add`: a project's dependencies.
    Project,
    /// `conda`/`mamba`/`micromamba install` or `create`.
    Conda,
}

/// Whether a word names pip: `pip`, `pip3`, `pip3.11`.
fn is_pip(word: &str) -> bool {
    word.strip_prefix("pip").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// pip as it is called: `pip`, `pip3`, `pip3.11`, or `python -m pip` (any python); the index of
/// the word after `pip` (where its subcommand, or global options, start).
pub fn pip_args_start(command: &SimpleCommand) -> Option<usize> {
    let program = command.program_name()?;
    if is_pip(program) {
        return Some(1);
    }
    let is_python = program.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let words = &command.words;
    (is_python && words.get(1).is_some_and(|w| w == "-m") && words.get(2).is_some_and(|m| is_pip(m))).then_some(3)
}

/// `pip install …`: the index of the `install` word (global options may precede it:
/// `pip --quiet install`).
pub fn pip_install(command: &SimpleCommand) -> Option<usize> {
    let start = pip_args_start(command)?;
    let at = (start..command.words.len()).find(|&i| !command.words[i].starts_with('-'))?;
    (command.words[at] == "install").then_some(at)
}

/// A command that installs Python packages: the installer, and the index of the first word of
/// its arguments (after the subcommand).
pub fn python_install(command: &SimpleCommand) -> Option<(PythonInstaller, usize)> {
    if let Some(at) = pip_install(command) {
        return Some((PythonInstaller::Pip, at + 1));
    }
    let word = |i: usize| command.words.get(i).map(String::as_str).unwrap_or("");
    match command.program_name()? {
        "uv" if word(1) == "pip" && word(2) == "install" => Some((PythonInstaller::UvPip, 3)),
        "uv" if matches!(word(1), "add" | "sync") => Some((PythonInstaller::Project, 2)),
        "poetry" | "pdm" if word(1) == "add" => Some((PythonInstaller::Project, 2)),
        "conda" | "mamba" | "micromamba" if matches!(word(1), "install" | "create") => {
            Some((PythonInstaller::Conda, 2))
        }
        _ => None,
    }
}

/// The requirement files a Python install reads (`-r FILE`, `--requirement FILE`, `-rFILE`,
/// `--requirement=FILE`); empty for a command that is no install.
pub fn requirement_files(command: &SimpleCommand) -> Vec<String> {
    let Some((_, start)) = python_install(command) else { return Vec::new() };
    let args = command.words.get(start..).unwrap_or_default();
    let mut out = Vec::new();
    let mut next_is_file = false;
    for arg in args {
        if std::mem::take(&mut next_is_file) {
            out.push(arg.clone());
        } else if arg == "-r" || arg == "--requirement" {
            next_is_file = true;
        } else if let Some(file) = arg.strip_prefix("--requirement=").or_else(|| arg.strip_prefix("-r")) {
            if !file.is_empty() && !file.starts_with('-') {
                out.push(file.to_string());
            }
        }
    }
    out
}

/// The Python packages a command installs, when it is an installer; requirement files (`-r`)
/// are read as manifests by [`crate::parse::manifest::install_arguments`]. `uv sync` names none.
pub fn python_packages(command: &SimpleCommand) -> Option<Vec<crate::parse::manifest::Package>> {
    let (installer, start) = python_install(command)?;
    let args = command.words.get(start..).unwrap_or_default();
    Some(crate::parse::manifest::install_arguments(args, installer == PythonInstaller::Conda))
}

/// Options of each manager that take a value (the next word, unless written `--opt=value`).
fn valued_options(manager: SystemManager) -> &'static [&'static str] {
    match manager {
        SystemManager::Apt => &[
            "-o",
            "--option",
            "-c",
            "--config-file",
            "-t",
            "--target-release",
            "--default-release",
            "-a",
            "--host-architecture",
        ],
        SystemManager::Apk => &[
            "-t",
            "--virtual",
            "-X",
            "--repository",
            "--repositories-file",
            "-p",
            "--root",
            "--cache-dir",
            "--arch",
            "--keys-dir",
        ],
        SystemManager::Dnf => &[
            "--setopt",
            "--repo",
            "--enablerepo",
            "--disablerepo",
            "--releasever",
            "-c",
            "--config",
            "--installroot",
            "--exclude",
            "-x",
        ],
    }
}

/// The install a command makes, if it is one.
pub fn system_install(command: &SimpleCommand) -> Option<SystemInstall> {
    let program = command.program_name()?;
    let (manager, verbs): (SystemManager, &[&str]) = match program {
        "apt-get" | "apt" | "aptitude" => (SystemManager::Apt, &["install"]),
        "apk" => (SystemManager::Apk, &["add"]),
        "dnf" | "yum" | "microdnf" => (SystemManager::Dnf, &["install"]),
        _ => return None,
    };
    let valued = valued_options(manager);
    let words = &command.words;
    let mut verb_seen = false;
    let mut target_release = None;
    let mut packages = Vec::new();
    let mut i = 1;
    while i < words.len() {
        let word = words[i].as_str();
        if let Some(option) = word.strip_prefix('-').map(|_| word) {
            let (name, inline) = option.split_once('=').map_or((option, None), |(n, v)| (n, Some(v)));
            let takes_value = valued.contains(&name) && inline.is_none();
            let value = inline.map(str::to_string).or_else(|| takes_value.then(|| words.get(i + 1).cloned()).flatten());
            if matches!(name, "-t" | "--target-release" | "--default-release") && manager == SystemManager::Apt {
                target_release = value;
            }
            i += 1 + usize::from(takes_value);
            continue;
        }
        if !verb_seen {
            if !verbs.contains(&word) {
                return None;
            }
            verb_seen = true;
        } else if let Some(name) = package_name(manager, word) {
            packages.push(Package { name, word: i });
        }
        i += 1;
    }
    verb_seen.then_some(SystemInstall { manager, packages, target_release })
}

/// A package word read as its manager reads it: `name=1.2`, `name/bookworm` (apt), `name>=1.2`,
/// `name@edge` (apk); `None` for a variable, a glob, a local file, or apt's `name-` (remove).
fn package_name(manager: SystemManager, word: &str) -> Option<String> {
    if word.is_empty() || word.contains(['$', '*', '?', '[', '`']) || word.contains('/') && word.starts_with(['.', '/'])
    {
        return None;
    }
    if word.ends_with(".deb") || word.ends_with(".rpm") || word.ends_with(".apk") {
        return None;
    }
    let name = match manager {
        SystemManager::Apt => {
            if word.ends_with('-') || word.ends_with('+') {
                return None;
            }
            word.split(['=', '/']).next()?
        }
        SystemManager::Apk => word.split(['=', '>', '<', '~', '@']).next()?,
        SystemManager::Dnf => word,
    };
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell::{no_vars, parse_commands};

    fn install(script: &str) -> Option<SystemInstall> {
        parse_commands(script, &no_vars).iter().find_map(system_install)
    }

    fn names(script: &str) -> Vec<String> {
        install(script).map(|i| i.packages.into_iter().map(|p| p.name).collect()).unwrap_or_default()
    }

    #[test]
    fn apt_packages_as_apt_reads_them() {
        assert_eq!(names("apt-get install -y --no-install-recommends ffmpeg libgl1"), ["ffmpeg", "libgl1"]);
        assert_eq!(names("apt-get -o Dpkg::Options::=--force-confnew -y install git=1:2.39* curl=7.88.1-10"), ["curl"]);
        assert_eq!(names("apt install -y nodejs/bookworm-backports"), ["nodejs"]);
        assert_eq!(names("apt-get install -y ./google-chrome.deb $EXTRA wget"), ["wget"]);
        assert_eq!(
            install("apt-get -t bookworm-backports install -y git").and_then(|i| i.target_release).as_deref(),
            Some("bookworm-backports")
        );
        assert_eq!(names("/usr/bin/apt-get install -y sudo"), ["sudo"]);
    }

    #[test]
    fn apk_and_dnf() {
        assert_eq!(names("apk add --no-cache --virtual .build-deps gcc musl-dev"), ["gcc", "musl-dev"]);
        assert_eq!(names("apk --update add bash"), ["bash"], "options before the verb");
        assert_eq!(names("apk add python3=3.12.3-r1 py3-pip@edge"), ["python3", "py3-pip"]);
        assert_eq!(names("dnf install -y --setopt=tsflags=nodocs git"), ["git"]);
        assert_eq!(install("microdnf install shadow-utils").map(|i| i.manager), Some(SystemManager::Dnf));
    }

    fn python(script: &str) -> Option<(PythonInstaller, usize)> {
        parse_commands(script, &no_vars).iter().find_map(python_install)
    }

    #[test]
    fn python_installers() {
        assert_eq!(python("pip install -r requirements.txt"), Some((PythonInstaller::Pip, 2)));
        assert_eq!(python("pip3.11 --no-cache-dir install x"), Some((PythonInstaller::Pip, 3)));
        assert_eq!(python("python3 -m pip install x"), Some((PythonInstaller::Pip, 4)));
        assert_eq!(python("/opt/venv/bin/pip install x"), Some((PythonInstaller::Pip, 2)));
        assert_eq!(python("uv pip install --system x"), Some((PythonInstaller::UvPip, 3)));
        assert_eq!(python("uv sync --frozen"), Some((PythonInstaller::Project, 2)));
        assert_eq!(python("micromamba install -y -n base x"), Some((PythonInstaller::Conda, 2)));
        let names = |s: &str| {
            let c = parse_commands(s, &no_vars);
            python_packages(&c[0]).map(|p| p.into_iter().map(|p| p.name).collect::<Vec<_>>())
        };
        assert_eq!(
            names("pip install --no-cache-dir uvicorn fastapi==0.110"),
            Some(vec!["uvicorn".into(), "fastapi".into()])
        );
        let pip = "pip install --no-cache-dir -r requirements.txt -U uvicorn[standard] fastapi==0.1 -i https://x";
        assert_eq!(names(pip), Some(vec!["uvicorn".into(), "fastapi".into()]));
        assert_eq!(names("python3 -m pip install gradio"), Some(vec!["gradio".into()]));
        assert_eq!(names("uv pip install --system streamlit"), Some(vec!["streamlit".into()]));
        assert_eq!(names("conda install -c conda-forge gradio=4"), Some(vec!["gradio".into()]));
        assert_eq!(names("pip install -r requirements.txt"), Some(vec![]));
        assert_eq!(names("echo install uvicorn"), None);
        // Near misses: pip's other subcommands, pipx, a program named like pip.
        for other in
            ["pip download x", "pip --version", "pipx install poetry", "pipenv install", "uv venv", "python -m venv v"]
        {
            assert_eq!(python(other), None, "{other}");
        }
    }

    /// Near misses: other verbs, other programs, the word `install` as an argument.
    #[test]
    fn not_installs() {
        assert_eq!(install("apt-get update"), None);
        assert_eq!(install("apt-get remove -y git"), None);
        assert_eq!(install("apk del .build-deps"), None);
        assert_eq!(install("pipx install poetry"), None);
        assert_eq!(install("echo apt-get install git"), None);
        assert_eq!(install("make install"), None);
    }

    /// BuildKit drops comment lines inside a continued RUN: the install goes on past them
    /// (corpus: DevMando__LoraMint's `apt-get install -y \` / `# .NET dependencies` / `wget \`).
    #[test]
    fn an_install_continues_past_comment_lines() {
        let text = "FROM x\nRUN apt-get install -y \\\n    # tools\n    wget \\\n\n    git\n";
        let file = crate::source::SourceFile::new("Dockerfile", text.to_string());
        let model = crate::model::build(&crate::parse::dockerfile::parse(&file).expect("parses"));
        let installs: Vec<Vec<String>> = model.runs[0]
            .system_installs
            .iter()
            .map(|(_, i)| i.packages.iter().map(|p| p.name.clone()).collect())
            .collect();
        assert_eq!(installs, vec![vec!["wget".to_string(), "git".to_string()]]);
    }
}

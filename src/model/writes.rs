//! What a RUN's commands write in the image, read as the shell runs them: the files and folders
//! `mkdir`, `touch`, `cp`/`mv`/`install`/`ln`, `tee` and output redirections create, the folder a
//! `cd` moves to, and the virtual environment a `pip install` writes into. The model asks the
//! file-system map whether the RUN's user may write each of them at that point of the build.
//!
//! Only paths the text names completely are read: a word with `$`, `~`, a glob or a command
//! substitution is skipped, never guessed.

use super::join_path;
use crate::parse::shell::{ParsedArgs, SimpleCommand};

/// A path a command writes, as an absolute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    /// Whether the command only creates it when it is missing (`mkdir -p`): an existing path
    /// is then not written at all.
    pub only_if_missing: bool,
}

/// The working folder of a RUN's script, command after command (`cd` moves it).
#[derive(Debug, Clone)]
pub struct Cwd(Option<String>);

impl Cwd {
    pub fn new(workdir: &str) -> Cwd {
        Cwd(Some(workdir.to_string()))
    }

    /// The folder the next command runs in, when it is known.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Follows a `cd`; `cd $DIR`, `cd -` or `cd` alone make it unknown.
    pub fn follow(&mut self, command: &SimpleCommand) {
        if command.program_name() != Some("cd") {
            return;
        }
        let target = command.words.get(1).filter(|w| !w.starts_with('-') && plain(w));
        self.0 = match (target, &self.0) {
            (Some(t), _) if t.starts_with('/') => Some(join_path("/", t)),
            (Some(t), Some(cwd)) => Some(join_path(cwd, t)),
            _ => None,
        };
    }
}

/// Whether a word names a path completely: no variable, home, glob or substitution left.
fn plain(word: &str) -> bool {
    !word.is_empty() && !word.contains(['$', '~', '*', '?', '[', '`', '{'])
}

/// Device and kernel files every user may write (`> /dev/null`, `tee /dev/stderr`).
fn is_special(path: &str) -> bool {
    ["/dev/", "/proc/", "/sys/"].iter().any(|p| path.starts_with(p))
}

/// Whether [`written_paths`] reads what this program writes (beside redirections, which it
/// reads for every program).
pub fn knows_program(program: &str) -> bool {
    matches!(program, "mkdir" | "touch" | "tee" | "cp" | "mv" | "install" | "ln")
}

/// The paths one command writes, resolved against `cwd` (relative paths are skipped when the
/// folder is not known).
pub fn written_paths(command: &SimpleCommand, cwd: &Cwd) -> Vec<Written> {
    let resolve = |p: &str| -> Option<String> {
        if !plain(p) {
            return None;
        }
        let path = if p.starts_with('/') { join_path("/", p) } else { join_path(cwd.get()?, p) };
        (!is_special(&path)).then_some(path)
    };
    let mut out: Vec<Written> = command
        .redirects
        .iter()
        .filter(|r| r.writes())
        .filter_map(|r| resolve(&r.target))
        .map(|path| Written { path, only_if_missing: false })
        .collect();
    let Some(program) = command.program_name() else { return out };
    let made = |paths: Vec<&str>, only_if_missing: bool| -> Vec<Written> {
        paths.into_iter().filter_map(&resolve).map(|path| Written { path, only_if_missing }).collect()
    };
    match program {
        "mkdir" => {
            let args = command.args(&["-m", "--mode"]);
            let parents = args.has(&["-p", "--parents"]);
            out.extend(made(args.operands.iter().map(String::as_str).collect(), parents));
        }
        "touch" => {
            let args = command.args(&["-d", "--date", "-r", "--reference", "-t"]);
            out.extend(made(args.operands.iter().map(String::as_str).collect(), false));
        }
        "tee" => out.extend(made(command.args(&[]).operands.iter().map(String::as_str).collect(), false)),
        "cp" | "mv" | "install" | "ln" => {
            let args = command.args(&["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "-g"]);
            // `install -d DIR…` makes folders; otherwise the last operand (or `-t DIR`) is
            // where the copy, move or link goes.
            let target = if program == "install" && args.has(&["-d", "--directory"]) {
                args.operands.iter().map(String::as_str).collect()
            } else if let Some(dir) = args.value(&["-t", "--target-directory"]) {
                vec![dir]
            } else if args.operands.len() >= 2 {
                args.operands.last().map(String::as_str).into_iter().collect()
            } else {
                Vec::new()
            };
            out.extend(made(target, false));
        }
        _ => {}
    }
    out
}

/// The folder of a virtual environment a command creates: `python -m venv DIR`,
/// `virtualenv DIR`, `uv venv [DIR]` (`.venv` by default).
pub fn created_venv(command: &SimpleCommand, cwd: &Cwd) -> Option<String> {
    let program = command.program_name()?;
    let words = &command.words;
    let dir = if program.starts_with("python") && words.get(1..3).is_some_and(|w| w[0] == "-m" && w[1] == "venv") {
        ParsedArgs::parse(&words[3..], &["--prompt"]).operands.first().cloned()
    } else if program == "virtualenv" {
        ParsedArgs::parse(&words[1..], &["-p", "--python", "--prompt"]).operands.first().cloned()
    } else if program == "uv" && words.get(1).is_some_and(|w| w == "venv") {
        let args = ParsedArgs::parse(&words[2..], &["-p", "--python", "--prompt"]);
        Some(args.operands.first().cloned().unwrap_or_else(|| ".venv".to_string()))
    } else {
        None
    }?;
    if !plain(&dir) {
        return None;
    }
    if dir.starts_with('/') {
        Some(join_path("/", &dir))
    } else {
        cwd.get().map(|c| join_path(c, &dir))
    }
}

/// Where a `pip install` (`pip`, `pip3.11`, `python -m pip`) puts packages, when that is a
/// virtual environment the Dockerfile created: the pip of `VENV/bin/`, called by its path or found
/// first on `PATH`. `None` for anything else (the system's pip falls back to `--user` by
/// itself as a non-root user; `--target`/`--prefix` go elsewhere).
pub fn pip_venv<'v>(command: &SimpleCommand, path_var: Option<&str>, venvs: &'v [String]) -> Option<&'v str> {
    let words = &command.words;
    let program_word = words.first()?;
    let install_at = super::installs::pip_install(command)?;
    let args =
        ParsedArgs::parse(&words[install_at..], &["-r", "--requirement", "-c", "--constraint", "-i", "--index-url"]);
    if args.has(&["-t", "--target", "--prefix", "--root", "--dry-run"]) {
        return None;
    }
    let venv_of_bin = |bin: &str| venvs.iter().find(|v| bin.trim_end_matches('/') == format!("{v}/bin"));
    if let Some((dir, _)) = program_word.rsplit_once('/') {
        return venv_of_bin(dir).map(String::as_str);
    }
    // The first PATH entry that holds this program decides: a venv's bin, or a system folder.
    for entry in path_var?.split(':') {
        if let Some(venv) = venv_of_bin(entry) {
            return Some(venv);
        }
        if matches!(
            entry.trim_end_matches('/'),
            "/usr/local/bin" | "/usr/bin" | "/bin" | "/usr/local/sbin" | "/usr/sbin"
        ) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell::{no_vars, parse_commands};

    fn paths(script: &str, workdir: &str) -> Vec<String> {
        let mut cwd = Cwd::new(workdir);
        let mut out = Vec::new();
        for c in parse_commands(script, &no_vars) {
            out.extend(written_paths(&c, &cwd).into_iter().map(|w| w.path));
            cwd.follow(&c);
        }
        out
    }

    #[test]
    fn reads_what_commands_write() {
        assert_eq!(paths("mkdir -p /opt/models data", "/app"), vec!["/opt/models", "/app/data"]);
        assert_eq!(paths("cd /opt && mkdir x && touch y", "/app"), vec!["/opt/x", "/opt/y"]);
        assert_eq!(paths("cp a.conf /etc/nginx/conf.d/", "/"), vec!["/etc/nginx/conf.d/"]);
        assert_eq!(paths("ln -s /app/run.sh /usr/local/bin/run", "/"), vec!["/usr/local/bin/run"]);
        assert_eq!(paths("echo x > /etc/motd && echo y | tee -a /etc/hosts", "/"), vec!["/etc/motd", "/etc/hosts"]);
        assert_eq!(paths("install -d /var/cache/app", "/"), vec!["/var/cache/app"]);
    }

    #[test]
    fn skips_what_it_cannot_name() {
        // Variables, home, globs, devices; relative paths after `cd $X`.
        assert!(paths("mkdir -p $HOME/app ~/x /tmp/*", "/").is_empty());
        assert!(paths("echo x > /dev/null 2>&1", "/").is_empty());
        assert!(paths("cd $APP && mkdir data", "/").is_empty());
        // cp with one operand writes nothing named.
        assert!(paths("cp", "/").is_empty());
    }

    #[test]
    fn finds_the_venv_pip_writes_into() {
        let venvs = vec!["/opt/venv".to_string()];
        let pip = |script: &str, path: Option<&str>| {
            let c = &parse_commands(script, &no_vars)[0];
            pip_venv(c, path, &venvs).map(str::to_string)
        };
        let path = Some("/opt/venv/bin:/usr/local/bin:/usr/bin");
        assert_eq!(pip("pip install gradio", path).as_deref(), Some("/opt/venv"));
        assert_eq!(pip("python -m pip install -r requirements.txt", path).as_deref(), Some("/opt/venv"));
        assert_eq!(pip("/opt/venv/bin/pip install x", None).as_deref(), Some("/opt/venv"));
        // The system's pip first on PATH, another target, not an install.
        assert_eq!(pip("pip install x", Some("/usr/local/bin:/opt/venv/bin")), None);
        assert_eq!(pip("pip install --target /app/libs x", path), None);
        assert_eq!(pip("pip download x", path), None);
        assert_eq!(pip("pip install x", None), None);
        let created = |script: &str| created_venv(&parse_commands(script, &no_vars)[0], &Cwd::new("/app"));
        assert_eq!(created("python3 -m venv /opt/venv").as_deref(), Some("/opt/venv"));
        assert_eq!(created("uv venv").as_deref(), Some("/app/.venv"));
        assert_eq!(created("virtualenv -p python3.11 env").as_deref(), Some("/app/env"));
        assert_eq!(created("python -m pip install x"), None);
    }
}

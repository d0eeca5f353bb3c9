use std::collections::HashMap;

use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Kind};
use crate::model::installs::pip_install;
use crate::rules::hadolint::{scripts, stage_parents, steps};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3042,
    name: "pip-no-cache-dir",
    severity: Severity::Warning,
    summary: "`pip install` without `--no-cache-dir` (hadolint DL3042; off unless selected)",
    doc: r#"## What it checks
`pip install` (`pip`, `pip3`, `python -m pip`) without `--no-cache-dir`, unless
`PIP_NO_CACHE_DIR` is set to a true value (`1`, `true`, `yes`, `on`) by an `ENV` of the stage or a
stage it is built on, before the command (`PIP_NO_CACHE_DIR=1 pip …`), or by an `export` earlier
in the RUN. Same semantics as hadolint's DL3042 (`pipx` and `pipenv` are not pip).

## Why it matters on a Space
pip keeps every downloaded wheel in `~/.cache/pip` inside the image: for torch and CUDA
libraries that is gigabytes more to build, push and pull on every restart. Off by default: it
bloats, it does not break (`--select DL3042`).

## Example
```dockerfile
RUN pip install -r requirements.txt
```

## Fix
`pip install --no-cache-dir -r requirements.txt`. The fix adds `--no-cache-dir` after `install`
(safe: only the cache changes)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3042")],
    fixable: crate::rules::Fixable::Yes,
};

const VAR: &str = "PIP_NO_CACHE_DIR";

/// pip reads the variable as a boolean: true values turn the cache off.
fn truthy(value: &str) -> Option<bool> {
    match crate::parse::shell::unquote(value).to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether each stage's ENV turns the cache off before each RUN: by RUN position in `scripts`.
fn env_turns_cache_off(df: &crate::parse::dockerfile::Dockerfile) -> Vec<bool> {
    let parents = stage_parents(df);
    let mut stage_env: HashMap<usize, bool> = HashMap::new();
    let mut at_runs = Vec::new();
    for step in steps(df) {
        match (&step.ins.kind, &step.ins.args) {
            (Kind::From, _) => {
                let parent = parents.get(step.stage).copied().flatten();
                let inherited = parent.and_then(|p| stage_env.get(&p).copied()).unwrap_or(false);
                stage_env.insert(step.stage, inherited);
            }
            (Kind::Env, Args::KeyValues(pairs)) => {
                for pair in pairs.iter().filter(|p| p.key.text == VAR) {
                    let value = pair.value.as_ref().and_then(|v| truthy(&v.text)).unwrap_or(false);
                    stage_env.insert(step.stage, value);
                }
            }
            (Kind::Run, _) => at_runs.push(stage_env.get(&step.stage).copied().unwrap_or(false)),
            _ => {}
        }
    }
    at_runs
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    for (script, env_off) in scripts(ctx).iter().zip(env_turns_cache_off(df)) {
        let mut off = env_off;
        for command in script.commands {
            if let Some(value) = command.assignments.iter().find(|(k, _)| k == VAR).and_then(|(_, v)| truthy(v)) {
                if command.words.is_empty() {
                    off = value; // `PIP_NO_CACHE_DIR=1` alone sets it for the rest of the script
                }
            }
            if command.program_name() == Some("export") {
                for word in &command.words[1..] {
                    if let Some(value) = word.strip_prefix(VAR).and_then(|w| w.strip_prefix('=')).and_then(truthy) {
                        off = value;
                    }
                }
            }
            let Some(install) = pip_install(command) else { continue };
            let prefixed = command.assignments.iter().find(|(k, _)| k == VAR).and_then(|(_, v)| truthy(v));
            if prefixed.unwrap_or(off) || command.words.iter().any(|w| w == "--no-cache-dir") {
                continue;
            }
            let span = script.word_span(command, install).unwrap_or_else(|| script.step.ins.span.clone());
            let mut d = Diagnostic::new(
                &RULE,
                "`pip install` without `--no-cache-dir`: the downloaded wheels stay in the image's pip cache, \
                 making it larger to build and to start",
            )
            .at(file, span.clone())
            .help("add `--no-cache-dir` after `pip install` (or `ENV PIP_NO_CACHE_DIR=1`)");
            if script.base.is_some() {
                d = d.fix(Fix::replace(Applicability::Safe, "add `--no-cache-dir`", file, span.end..span.end, " --no-cache-dir"));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(dockerfile: &str) -> usize {
        hadolint_case(&format!("{dockerfile}\n"), "DL3042").len()
    }

    /// hadolint's DL3042Spec cases.
    #[test]
    fn hadolint_spec() {
        for prefix in ["", "ONBUILD "] {
            assert_eq!(found(&format!("{prefix}RUN pip2 install MySQL_python")), 1);
            assert_eq!(found(&format!("{prefix}RUN pip3 install MySQL_python")), 1);
            assert_eq!(found(&format!("{prefix}RUN pip install MySQL_python")), 1);
            assert_eq!(found(&format!("{prefix}RUN pip2 install MySQL_python --no-cache-dir")), 0);
            assert_eq!(found(&format!("{prefix}RUN pip3 install --no-cache-dir MySQL_python")), 0);
            assert_eq!(found(&format!("{prefix}RUN pip install MySQL_python --no-cache-dir")), 0);
            assert_eq!(found(&format!("{prefix}RUN pipx install software")), 0);
            assert_eq!(found(&format!("{prefix}RUN pipenv install library")), 0);
        }
        for value in ["1", "on", "yes", "true"] {
            assert_eq!(found(&format!("ENV PIP_NO_CACHE_DIR={value}\nRUN pip install MySQL_python")), 0);
            assert_eq!(found(&format!("RUN PIP_NO_CACHE_DIR={value} pip install MySQL_python")), 0);
            assert_eq!(found(&format!("RUN export PIP_NO_CACHE_DIR={value} && pip install MySQL_python")), 0);
        }
        for value in ["0", "off", "no", "false"] {
            assert_eq!(found(&format!("ENV PIP_NO_CACHE_DIR={value}\nRUN pip install MySQL_python")), 1);
            assert_eq!(found(&format!("RUN PIP_NO_CACHE_DIR={value} pip install MySQL_python")), 1);
            assert_eq!(found(&format!("RUN export PIP_NO_CACHE_DIR={value} && pip install MySQL_python")), 1);
        }
        assert_eq!(found("FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six"), 0);
        assert_eq!(found("FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:buster\nRUN pip install six"), 1);
    }

    #[test]
    fn python_m_pip() {
        assert_eq!(found("RUN python3 -m pip install -r requirements.txt"), 1);
        assert_eq!(found("RUN python -m pip install --upgrade pip --no-cache-dir"), 0);
        assert_eq!(found("RUN pip freeze"), 0);
    }
}

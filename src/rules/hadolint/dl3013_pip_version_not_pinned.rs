use crate::parse::manifest::requirement_constrains_version;
use crate::parse::shell::ParsedArgs;
use crate::model::installs::pip_install;
use crate::rules::hadolint::scripts;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3013,
    name: "pip-version-not-pinned",
    severity: Severity::Warning,
    summary: "`pip install` of a package without a version (hadolint DL3013; off unless selected)",
    doc: r#"## What it checks
A package named on a `pip install` line with no version constraint (`pip install gradio`). Same
semantics as hadolint's DL3013: any specifier counts (`==`, `~=`, `>=`, `<`, `!=`), as does a git
URL with `@ref`; requirement and constraint files (`-r`, `-c`), local paths, wheels and archives
are not judged.

## Why it matters on a Space
The Hub rebuilds the image on every push and restart after an update: an unpinned package
installs whatever was released that day, and a Space that worked yesterday fails to start today
(gradio and pydantic majors are the usual culprits). Off by default (`--select DL3013`).

## Example
```dockerfile
RUN pip install --no-cache-dir gradio
```

## Fix
Pin it (`gradio==5.9.1`) or install from a pinned `requirements.txt`."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3013")],
    fixable: crate::rules::Fixable::No("which version to pin is the author's choice"),
};

/// pip install options that take a value (so the value is no package).
const TAKES_VALUE: &[&str] = &[
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--platform",
    "--python-version", "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
    "-C", "--config-settings", "--global-option", "--install-option", "--no-binary", "--only-binary",
    "--progress-bar", "--root-user-action", "--report", "-i", "--index-url", "--extra-index-url", "-f",
    "--find-links", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host", "--cert",
    "--client-cert", "--cache-dir", "--log", "--build", "--python", "--keyring-provider",
];

/// A package operand that names no version: `None` for what is not judged (paths, archives).
fn unpinned(operand: &str) -> Option<bool> {
    if operand.contains('$') || operand.starts_with(['.', '/', '~']) {
        return None;
    }
    if let Some((_, rest)) = operand.split_once("://") {
        // A VCS or archive URL: pinned when its path names a ref (`repo.git@v1.2`).
        let path = rest.split_once('/').map_or("", |(_, p)| p);
        let path = path.split('#').next().unwrap_or(path);
        return operand.contains("git+").then_some(!path.contains('@'));
    }
    if [".whl", ".tar.gz", ".zip", ".tar.bz2"].iter().any(|ext| operand.ends_with(ext)) || operand.contains('/') {
        return None;
    }
    requirement_constrains_version(operand).map(|constrained| !constrained)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = ctx.dockerfile_file() else { return };
    for script in scripts(ctx) {
        for command in script.commands {
            let Some(install) = pip_install(command) else { continue };
            let args = ParsedArgs::parse(&command.words[install + 1..], TAKES_VALUE);
            if args.has(&["-c", "--constraint"]) {
                continue; // versions come from the constraints file
            }
            for operand in args.operands.iter().filter(|o| unpinned(o) == Some(true)) {
                let at = command.words.iter().rposition(|w| w == operand).unwrap_or(install);
                let span = script.word_span(command, at).unwrap_or_else(|| script.step.ins.span.clone());
                out.push(
                    Diagnostic::new(&RULE, format!("`pip install {operand}` without a version: each rebuild of the Space may install a different release"))
                        .at(file, span)
                        .help(format!("pin it: `{operand}==<version>` (the version that works today)")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(run: &str) -> usize {
        hadolint_case(&format!("RUN {run}\n"), "DL3013").len()
    }

    /// hadolint's DL3013Spec cases.
    #[test]
    fn hadolint_spec() {
        let fires = [
            "pip2 install MySQL_python",
            "pip3 install MySQL_python",
            "pip install MySQL_python",
            "python -m pip install example",
            "python -m pip install --index-url url example",
            "pip install git+https://github.com/rtfd/read-ext.git#egg=read-ext",
        ];
        for run in fires {
            assert_eq!(found(run), 1, "{run}");
        }
        let silent = [
            "pip3 install MySQL_python==1.2.2",
            "pip3 install mypkg.whl",
            "pip3 install mypkg.tar.gz",
            "pip install -r requirements.txt",
            "pip install --requirement requirements.txt",
            "pip install .",
            "pip install MySQL_python==1.2.2",
            "pip install MySQL_python~=1.2.2",
            "pip install MySQL_python===1.2.2",
            "pip install --ignore-installed MySQL_python==1.2.2",
            "pip3 install --build /opt/yamllint yamllint==1.20.0",
            "pip3 install --prefix /opt/yamllint yamllint==1.20.0",
            "pip3 install --root /opt/yamllint yamllint==1.20.0",
            "pip3 install --target /opt/yamllint yamllint==1.20.0",
            "pip3 install --trusted-host host example==1.2.2",
            "python -m pip install example==1.2.2",
            "pip install git+https://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext",
            "pip install 'alabaster>=0.7'",
            "pip install 'alabaster<0.7'",
            "pip install 'alabaster!=0.7'",
            "pip install MySQL_python==1.2.2 --user",
            "pip install MySQL_python==1.2.2 --disable-pip-version-check",
            "pip install --index-url https://eg.com/foo foobar==1.0.0",
            "pip install --index-url https://eg.com/foo --extra-index-url https://ex-eg.io/foo foobar==1.0.0",
            "pip install MySQL_python==1.2.2 --no-cache-dir",
            "pip install pykafka --constraint http://foo.bar.baz",
            "pip install pykafka -c http://foo.bar.baz",
            "pip install --index-url https://user:pass@eg.com/foo --extra-index-url https://user:pass@ex-eg.io/foo foobar==1.0.0",
        ];
        for run in silent {
            assert_eq!(found(run), 0, "{run}");
        }
    }
}

use std::collections::HashSet;

use super::{command_span, describe_base};
use crate::knowledge::base_images::{self, Shell, ToolEntry};
use crate::model::base::{BaseImage, Distro};
use crate::model::installs::SystemManager;
use crate::model::{ImageModel, RunCommand};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF024,
    name: "program-not-in-image",
    severity: Severity::Error,
    summary: "a RUN calls a program (git, curl, wget, unzip, gcc, make, ps, bash…) the base image lacks and no earlier step installs",
    doc: r#"## What it checks
Each command of a `RUN` in a needed stage whose program is one the base-image catalogue tracks
(`git`, `git-lfs`, `curl`, `wget`, `unzip`, `ps`, `gcc`/`cc`, `make`, `bash`), when the
catalogue says the stage's base image does not have it (`python:3.11-slim` has no git, curl or
wget; `node:20-slim` has no curl; Alpine has no bash) and no earlier install of the stage's
chain (`apt-get install`, `apk add`, in an earlier RUN or earlier in the same one) names a
package that brings it (the catalogue's `[[tool]]` table: `build-essential` brings gcc and
make). Not reported: an image the catalogue does not hold or whose tools it does not record,
a command that may fail harmlessly (`|| true`, inside an `if`), a program called by its path,
a stage where a `COPY --from` or another package manager (conda, mamba, a downloaded script)
may have put it, and a build that fails before, at a COPY of a file the Space lacks (RP002).

## Why it matters on a Space
The build stops at `/bin/sh: 1: git: not found` (exit 127): the Space is never built. On slim
images this is the most common first failure of a Dockerfile written on a full image.

## Example
```dockerfile
FROM python:3.11-slim
RUN git clone https://github.com/org/repo /app/repo
```

## Fix
Install it first, in the same RUN or an earlier one:
`RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*`.
`spacecheck --fix` adds that step before the one that needs the program, as root (between
`USER root` and the step's user when it runs as another), safe: the package the step needs."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// The packages of `manager` that bring `tool`.
fn packages(tool: &ToolEntry, manager: SystemManager) -> &'static [&'static str] {
    match manager {
        SystemManager::Apt => tool.apt,
        SystemManager::Apk => tool.apk,
        SystemManager::Dnf => &[],
    }
}

/// Whether the stage's chain may have the program by a way not read here: a `COPY --from`
/// into a folder of programs, or an installer other than apt/apk (conda, mamba, a script).
fn other_sources(model: &ImageModel, lineage: &HashSet<usize>) -> bool {
    let bin_dest = |d: &str| d == "/" || ["/usr", "/bin", "/opt", "/sbin"].iter().any(|p| d.starts_with(p));
    let copied = model
        .all_copies
        .iter()
        .any(|c| lineage.contains(&c.stage) && !matches!(c.from, crate::model::CopyFrom::Context) && bin_dest(&c.dest));
    let other_installer = |p: &str| matches!(p, "conda" | "mamba" | "micromamba" | "brew" | "nix" | "spack" | "dnf" | "yum" | "microdnf");
    copied || model.runs.iter().any(|r| lineage.contains(&r.stage) && r.commands.iter().any(|c| c.program_name().is_some_and(other_installer)))
}

/// The commands of the stage's RUNs that call a tracked program its image lacks (the first call
/// of each program): (RUN, command index, tool).
fn missing_programs<'m>(
    runs: &[&'m RunCommand],
    stage: usize,
    base: &BaseImage,
    manager: SystemManager,
) -> Vec<(&'m RunCommand, usize, &'static ToolEntry)> {
    let mut installed: Vec<&str> = Vec::new();
    let mut found = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for run in runs {
        for (k, c) in run.commands.iter().enumerate() {
            for (_, install) in run.system_installs.iter().filter(|(at, _)| *at == k) {
                installed.extend(install.packages.iter().map(|p| p.name.as_str()));
            }
            let Some(program) = c.words.first().filter(|w| !w.contains('/')) else { continue };
            let Some(tool) = base_images::tool_of_program(program) else { continue };
            let brought = packages(tool, manager).iter().any(|p| installed.contains(p));
            if run.stage != stage || c.conditional || brought || base.has_tool(tool.tool) != Some(false) || reported.contains(&program.as_str()) {
                continue;
            }
            reported.push(program);
            found.push((*run, k, tool));
        }
    }
    found
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let needed = model.needed_stages();
    if model.build_fails_at_copy() {
        return; // The build fails earlier, at a COPY whose source the context lacks (RP002).
    }
    // Only stages whose RUNs call a tracked program, found in one pass (chains stay linear).
    let calling: std::collections::BTreeSet<usize> = model
        .runs
        .iter()
        .filter(|r| r.commands.iter().any(|c| c.words.first().is_some_and(|w| base_images::tool_of_program(w).is_some())))
        .map(|r| r.stage)
        .collect();
    for stage in calling.into_iter().filter(|s| needed.contains(s)) {
        let base = model.stage_base(stage);
        let manager = match base.distro {
            Distro::Debian | Distro::Ubuntu => SystemManager::Apt,
            Distro::Alpine => SystemManager::Apk,
            _ => continue,
        };
        let lineage: HashSet<usize> = model.lineage(stage).into_iter().collect();
        if base.entry.and_then(|e| e.tools).is_none() || other_sources(model, &lineage) {
            continue;
        }
        let runs = model.lineage_runs(stage);
        for (run, k, tool) in missing_programs(&runs, stage, &base, manager) {
            let program = run.commands[k].words[0].as_str();
            let not_found = match base.entry.and_then(|e| e.sh) {
                Some(Shell::Busybox) => format!("/bin/sh: {program}: not found"),
                _ => format!("/bin/sh: 1: {program}: not found"),
            };
            let message = format!(
                "`{program}` is not in {} and no earlier step installs it: the build stops at \"{not_found}\"",
                describe_base(model, stage)
            );
            let package = packages(tool, manager).first().copied().unwrap_or(program);
            let install = match manager {
                SystemManager::Apk => format!("apk add --no-cache {package}"),
                _ => format!(
                    "apt-get update && apt-get install -y --no-install-recommends {package} && rm -rf /var/lib/apt/lists/*"
                ),
            };
            let help = format!("install it first: `{install}`");
            let fix = install_before(ctx, file, model, run, &install, package);
            out.push(Diagnostic::new(&RULE, message).at(file, command_span(ctx, run, k)).help(help).maybe_fix(fix));
        }
    }
}

/// `RUN <install>` on the line before the step, as root: wrapped in `USER root` … `USER <the
/// step's user>` when the step runs as another user. Safe: the package the step needs, from the
/// distribution's own repository.
fn install_before(
    ctx: &Context,
    file: &crate::source::SourceFile,
    model: &crate::model::ImageModel,
    run: &crate::model::RunCommand,
    install: &str,
    package: &str,
) -> Option<crate::diag::Fix> {
    let ins = ctx.parsed_dockerfile()?.instructions.get(run.instruction)?;
    let at = crate::rules::edits::instruction_lines(file, ins)?.start;
    let nl = file.newline();
    let line = match (&run.user, model.account(run.stage, &run.user)) {
        (_, crate::model::Account::Root) => format!("RUN {install}{nl}"),
        (crate::model::RuntimeUser::Set { user, .. }, _) => format!("USER root{nl}RUN {install}{nl}USER {}{nl}", user.raw),
        _ => return None,
    };
    let message = format!("install `{package}` before this step");
    Some(crate::diag::Fix::replace(crate::diag::Applicability::Safe, message, file, at..at, line))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    fn found(df: &str) -> Vec<crate::diag::Diagnostic> {
        codes_for(df, "DF024")
    }

    #[test]
    fn a_program_the_slim_image_lacks() {
        let d = found("FROM python:3.11-slim\nRUN git clone https://github.com/org/repo /app/repo\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message,
            "`git` is not in `python:3.11-slim` and no earlier step installs it: the build stops at \"/bin/sh: 1: git: not found\""
        );
        let alpine = found("FROM node:20-alpine\nRUN bash ./setup.sh\n");
        assert_eq!(alpine.len(), 1, "{alpine:?}");
        assert!(alpine[0].message.contains("\"/bin/sh: bash: not found\""), "{}", alpine[0].message);
        assert!(alpine[0].help.as_deref().is_some_and(|h| h.contains("apk add --no-cache bash")));
        let cc = found("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nRUN make -C native\n");
        assert_eq!(cc.len(), 1, "make is not brought by curl: {cc:?}");
    }

    /// Near misses: the full image has it; installed before (same RUN, earlier RUN, a package
    /// that depends on it); a parent stage installs it; `|| true`; a path; an unknown image.
    #[test]
    fn near_misses() {
        for df in [
            "FROM python:3.11\nRUN git clone https://x /r\n",
            "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y git && git clone https://x /r\n",
            "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y git\nRUN git clone https://x /r\n",
            "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y build-essential\nRUN make && gcc -o a a.c\n",
            "FROM python:3.11-slim AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\nRUN curl -fsSL https://x -o /tmp/x\n",
            "FROM python:3.11-slim\nRUN git --version || true\n",
            "FROM python:3.11-slim\nRUN /opt/tools/git clone https://x /r\n",
            "FROM acme/base:1\nRUN git clone https://x /r\n",
            "FROM alpine/git AS g\nFROM python:3.11-slim\nCOPY --from=g /usr/bin/git /usr/bin/git\nRUN git --version\n",
            "FROM python:3.11-slim AS unused\nRUN git clone https://x /r\nFROM python:3.11-slim\nCMD [\"python\"]\n",
        ] {
            assert!(found(df).is_empty(), "{df}: {:?}", found(df));
        }
    }
}

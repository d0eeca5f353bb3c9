use super::{describe_base, word_span};
use crate::diag::{Applicability, Fix};
use crate::knowledge::apt_packages::{self, AptPackage};
use crate::model::base::{BaseImage, Distro};
use crate::model::installs::SystemManager;
use crate::model::{ImageModel, RunCommand};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF023,
    name: "apt-package-unavailable",
    severity: Severity::Error,
    summary: "`apt-get install` names a package the base image's Debian release does not have",
    doc: r#"## What it checks
Each package an `apt-get install` (or `apt install`) of a needed stage names, against the
Debian release of that stage's base image: the release the tag names (`-bookworm`,
`-slim-bullseye`), else the one a floating tag gives today (`python:3.11-slim` is Debian 13
"trixie" since 2025-08-11; `node:20-slim` is still bookworm), from the base-image catalogue. The
packages known to fail come from the package catalogue, checked with `apt-get install -s`
against the Debian archive for bullseye, bookworm and trixie, for every package the corpus of
real Spaces installs (`libgl1-mesa-glx`, a transitional package Debian 13 dropped, is the
classic). Not reported: a base image the catalogue does not hold, a tag whose
release is not known (a tag pinning a patch version, `python:3.13.5-slim`, froze when the next
patch came out, on whichever release the floating tags had then), an install with a target release (`-t bookworm-backports`), one that may
fail harmlessly (`|| true`), after the Dockerfile adds apt sources (it may bring the package), or
when the build fails before, at a COPY of a file the Space lacks (RP002).

## Why it matters on a Space
The Hub builds the Space again on every push and on a factory rebuild, from today's base image:
a Dockerfile that built last year on bookworm stops at "E: Package 'libgl1-mesa-glx' has no
installation candidate" and the Space never starts.

## Example
```dockerfile
FROM python:3.11-slim
RUN apt-get update && apt-get install -y libgl1-mesa-glx
```

## Fix
Install what replaces it (`libgl1`; the fix offers it, unsafe: check the app still finds what it
loads), or pin the release in the tag (`python:3.11-slim-bookworm`) while the release still has
it."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// The Debian release a stage's base gives, with how it is known, when the catalogue says.
fn debian_release(base: &BaseImage) -> Option<&'static str> {
    (base.distro == Distro::Debian).then_some(base.release).flatten()
}

/// Whether a RUN before `at` (or this one) adds apt sources or keys: the package may come from
/// there.
fn adds_sources(runs: &[&RunCommand], at: usize) -> bool {
    runs[..=at].iter().flat_map(|r| r.commands.iter()).any(|c| {
        let program = c.program_name().unwrap_or_default();
        let to_sources = |p: &str| p.starts_with("/etc/apt/sources.list") || p.starts_with("/etc/apt/preferences");
        program == "add-apt-repository"
            || c.redirects.iter().any(|r| r.writes() && to_sources(&r.target))
            || (matches!(program, "tee" | "cp" | "mv" | "sed") && c.words.iter().any(|w| to_sources(w)))
    })
}

fn message(name: &str, entry: &AptPackage, release: &str, base: &str, moved: Option<&(&str, &str)>) -> String {
    let release_is = match moved {
        // The month: the official-images commit is dated a day before the tag moves on the Hub.
        Some((before, until)) => {
            format!("Debian {release}, which {base} gives since {} (it was {before} before)", until.get(..7).unwrap_or(until))
        }
        None => format!("Debian {release} ({base})"),
    };
    format!("`{name}` cannot be installed on {release_is}: the build stops at \"{}\"", entry.error)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let needed = model.needed_stages();
    // The build fails earlier, at a COPY whose source the context lacks (RP002): apt never runs.
    if model.build_fails_at_copy() {
        return;
    }
    // Only stages that install packages, found in one pass (a chain of stages stays linear).
    let installing: std::collections::BTreeSet<usize> =
        model.runs.iter().filter(|r| !r.system_installs.is_empty()).map(|r| r.stage).collect();
    for stage in installing.into_iter().filter(|s| needed.contains(s)) {
        let base = model.stage_base(stage);
        let Some(release) = debian_release(&base) else { continue };
        // A floating tag (no release in it) says when it moved to this release.
        let floating = crate::knowledge::base_images::release_in_tag(stage_tag(model, stage)).is_none();
        let moved = base.entry.and_then(|e| e.moved.first()).filter(|_| floating);
        let runs = model.lineage_runs(stage);
        for (at, run) in runs.iter().enumerate().filter(|(_, r)| r.stage == stage && !r.system_installs.is_empty()) {
            // Sources added up to this RUN may bring the package: asked once per RUN.
            if adds_sources(&runs, at) {
                continue;
            }
            for (k, install) in &run.system_installs {
                let plain = install.manager == SystemManager::Apt && install.target_release.is_none();
                if !plain || run.commands[*k].conditional {
                    continue;
                }
                for package in &install.packages {
                    let Some(entry) = apt_packages::fails_on(&package.name, release) else { continue };
                    let span = word_span(ctx, run, *k, package.word);
                    let text = message(&package.name, entry, release, &describe_base(model, stage), moved);
                    let mut d = Diagnostic::new(&RULE, text).at(file, span.clone());
                    d = match entry.instead {
                        [] => d.help(format!("remove `{}`: nothing in Debian {release} replaces it ({})", package.name, entry.why)),
                        instead => {
                            let with = instead.join(" ");
                            let d = d.help(format!("install `{with}` instead ({})", entry.why));
                            let exact = file.text.get(span.clone()) == Some(package.name.as_str());
                            if exact {
                                d.fix(Fix::replace(Applicability::Unsafe, format!("install `{with}`"), file, span, with))
                            } else {
                                d
                            }
                        }
                    };
                    out.push(d);
                }
            }
        }
    }
}

/// The tag a stage's root image is named with (`latest` when none).
fn stage_tag(model: &ImageModel, stage: usize) -> &str {
    let root = &model.stages[model.root_stage(stage)];
    root.image_ref.as_ref().and_then(|r| r.tag.as_deref()).unwrap_or("latest")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    fn found(df: &str) -> Vec<crate::diag::Diagnostic> {
        codes_for(df, "DF023")
    }

    #[test]
    fn a_package_the_release_no_longer_has() {
        let d = found("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y libgl1-mesa-glx ffmpeg\n");
        assert_eq!(d.len(), 1, "{d:?}");
        let expected = "`libgl1-mesa-glx` cannot be installed on Debian trixie, which `python:3.11-slim` gives since 2025-08 (it was bookworm before): the build stops at";
        assert!(d[0].message.starts_with(expected), "{}", d[0].message);
        assert!(d[0].help.as_deref().is_some_and(|h| h.starts_with("install `libgl1` instead (")), "{:?}", d[0].help);
        assert!(d[0].fix.is_some());
    }

    /// Near misses: a tag that names a release that has it, an unknown image, Ubuntu, a target
    /// release, `|| true`, sources added first, a stage the target does not need.
    #[test]
    fn near_misses() {
        for df in [
            "FROM python:3.11-slim-bookworm\nRUN apt-get install -y libgl1-mesa-glx\n",
            "FROM node:20-slim\nRUN apt-get install -y libgl1-mesa-glx\n",
            "FROM acme/base:1\nRUN apt-get install -y libgl1-mesa-glx\n",
            "FROM ubuntu:22.04\nRUN apt-get install -y libgl1-mesa-glx\n",
            "FROM python:3.11-slim\nRUN apt-get install -y -t bullseye libgl1-mesa-glx\n",
            "FROM python:3.11-slim\nRUN apt-get install -y libgl1-mesa-glx || true\n",
            "FROM python:3.11-slim\nRUN echo 'deb http://deb.debian.org/debian bullseye main' > /etc/apt/sources.list.d/old.list\nRUN apt-get update && apt-get install -y libgl1-mesa-glx\n",
            "FROM python:3.11-slim AS unused\nRUN apt-get install -y libgl1-mesa-glx\nFROM python:3.11-slim\nCMD [\"python\"]\n",
            // The build stops earlier, at a COPY of a file the Space lacks (corpus:
            // RobertinoGladden__ai-rag__hf-space): RP002's finding, not this one.
            "FROM python:3.11-slim\nRUN apt-get install -y libgl1-mesa-glx\nCOPY missing/requirements.txt .\n",
            "FROM python:3.11-slim\nRUN apt-get install -y libgl1 libglib2.0-0\n",
        ] {
            assert!(found(df).is_empty(), "{df}: {:?}", found(df));
        }
    }
}

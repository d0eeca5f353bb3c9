use std::collections::BTreeSet;

use crate::model::ImageModel;
use crate::parse::dockerfile::{Args, CopySource, Dockerfile, Instruction, Kind};
use crate::rules::buildkit::{dockerfile, finding, meta_args, suggest, var_refs};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK011,
    name: "undefined-var",
    severity: Severity::Warning,
    summary: "a variable used before any ARG or ENV defines it (BuildKit UndefinedVar)",
    doc: r#"## What it checks
BuildKit's `UndefinedVar`: a `$VAR` in an instruction BuildKit expands itself (ADD, COPY and their
`--chown`/`--chmod`, ENV and LABEL, ARG values, STOPSIGNAL, USER, VOLUME, WORKDIR, RUN's
`--mount`) that no `ARG` or `ENV` of the stage (or the stage it is built on) defined before, and
that the base image does not set. `RUN`, `CMD` and `ENTRYPOINT` are left to the shell at run
time, and `EXPOSE` is expanded without the check, as BuildKit does. Suggests
the nearest defined name. The base image's own variables come from the base-image catalogue
(`spacecheck` knows `python`, `node`, `golang`, `debian`, `ubuntu`, `alpine` and more, each from
its Dockerfile) and `scratch` has only `PATH`; a stage built on an image the catalogue does not
hold is not judged (its variables cannot be known without pulling it).

## Why it matters on a Space
The variable expands to nothing: `ENV PATH=$HOME/.local/bin:$PATH` before `HOME` is set gives a
`PATH` with `/.local/bin`, and the server `pip install --user` put in `/home/user/.local/bin` is
not found when the Space starts (`uvicorn: not found`).

## Example
```dockerfile
FROM python:3.11-slim
ENV PATH=$HOME/.local/bin:$PATH
```

## Fix
Define it first (`ENV HOME=/home/user` on its own line), or write the value."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("UndefinedVar"), Equivalent::Hadolint("DL3044")],
    fixable: crate::rules::Fixable::No("which variable was meant, or what it should hold, is the author's to say"),
};

/// The words of an instruction that BuildKit expands before running anything, as its
/// instructions' `Expand` methods list them (moby/buildkit `frontend/dockerfile/instructions/
/// commands.go`): COPY/ADD `--chown`, `--chmod` (ADD also `--checksum`), sources and
/// destination; ENV and LABEL keys and values; ARG values (dispatchArg); USER, VOLUME,
/// STOPSIGNAL, WORKDIR; RUN's `--mount` (setMountState). EXPOSE is expanded by dispatchExpose
/// without the check, and CMD, ENTRYPOINT, SHELL, HEALTHCHECK are left to the shell.
fn expanded_words(ins: &Instruction) -> Vec<&str> {
    let flags: &[&str] = match ins.kind {
        Kind::Copy => &["chown", "chmod"],
        Kind::Add => &["chown", "chmod", "checksum"],
        Kind::Run => &["mount"],
        _ => &[],
    };
    let flags = ins.flags.iter().filter(|f| flags.contains(&f.name.as_str())).filter_map(|f| f.value.as_deref());
    match (&ins.args, ins.kind) {
        (Args::Copy { sources, dest }, _) => flags
            .chain(sources.iter().filter_map(|s| match s {
                CopySource::Path(w) => Some(w.text.as_str()),
                CopySource::Heredoc(_) => None,
            }))
            .chain([dest.text.as_str()])
            .collect(),
        (Args::KeyValues(pairs), kind) => {
            let keys = pairs.iter().filter(|_| matches!(kind, Kind::Label | Kind::Env)).map(|p| p.key.text.as_str());
            keys.chain(pairs.iter().filter_map(|p| p.value.as_ref().map(|v| v.text.as_str()))).collect()
        }
        (Args::Words(words), Kind::User | Kind::Volume | Kind::Stopsignal | Kind::Workdir) => {
            words.iter().map(|w| w.text.as_str()).collect()
        }
        (Args::Text(word), Kind::User | Kind::Volume | Kind::Stopsignal | Kind::Workdir) => vec![word.text.as_str()],
        _ => flags.collect(),
    }
}

/// The variables a stage's base image sets, from the base-image catalogue; `scratch` has only
/// the `PATH` BuildKit gives every Linux image. `None` for an image the catalogue does not hold
/// or whose variables it does not record: its variables cannot be judged.
fn base_env(model: &ImageModel, stage: &crate::model::Stage) -> Option<&'static [&'static str]> {
    if stage.image.eq_ignore_ascii_case("scratch") {
        return Some(&["PATH"]);
    }
    model.stage_base(stage.index).env()
}

/// Names each stage ends with (ENV and ARG), so a stage built on it starts with them; `None`
/// for a stage on an image whose variables are not known.
fn check_stages(ctx: &Context, df: &Dockerfile, model: &ImageModel, out: &mut Vec<Diagnostic>) {
    let meta: Vec<String> = meta_args(model).into_iter().map(|(n, _)| n).collect();
    let mut suggestions = crate::budget::SUGGESTION_OPTIONS;
    let mut ended: Vec<Option<BTreeSet<String>>> = Vec::with_capacity(model.stages.len());
    for stage in &model.stages {
        let start = match stage.parent {
            Some(p) => ended.get(p).cloned().flatten(),
            None => base_env(model, stage).map(|env| env.iter().map(|v| v.to_string()).collect()),
        };
        let Some(mut defined) = start else {
            ended.push(None);
            continue;
        };
        for ins in &df.instructions[stage.body.clone()] {
            let mut reported: Vec<String> = Vec::new();
            for name in expanded_words(ins).into_iter().flat_map(|w| var_refs(w, df.escape)) {
                if defined.contains(&name) || reported.contains(&name) {
                    continue;
                }
                let options = defined.iter().map(String::as_str).chain(meta.iter().map(String::as_str));
                let hint = suggest(&name, options, &mut suggestions).map(|s| format!(" (did you mean ${s}?)")).unwrap_or_default();
                let message = format!("Usage of undefined variable '${name}'{hint}");
                let with_default = expanded_words(ins).iter().any(|w| w.contains(&format!("${{{name}:-")) || w.contains(&format!("${{{name}-")));
                let help = if with_default { HELP_DEFAULT } else { HELP };
                out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, help));
                reported.push(name);
            }
            if let (Kind::Env | Kind::Arg, Args::KeyValues(pairs)) = (ins.kind, &ins.args) {
                defined.extend(pairs.iter().map(|p| p.key.text.clone()));
            }
        }
        ended.push(Some(defined));
    }
}

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the variable expands to nothing here: define it (ARG or ENV) before this line, or write the value";

/// For `${NAME:-default}`: the default applies, BuildKit warns all the same.
const HELP_DEFAULT: &str = "the default after `:-` is what the build uses; BuildKit warns because nothing defines the variable: declare it (`ARG NAME=default`) to say so";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((_, df)), Some(model)) = (dockerfile(ctx), &ctx.model) else { return };
    check_stages(ctx, df, model, out);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit stops converting at an instruction it cannot build (here an unterminated quote:
    /// DF002): the checks of that instruction and those after it are never run.
    #[test]
    fn nothing_after_the_instruction_buildkit_stops_at() {
        let df = "FROM python:3.11\nENV A=\"0.0.0.0\u{201d}\nWORKDIR /app/$UNDEFINED\n";
        let all = crate::rules::testing::lint(&[("README.md", crate::rules::testing::README), ("Dockerfile", df)]);
        assert!(all.iter().any(|d| d.code == "DF002"), "{all:?}");
        assert!(!all.iter().any(|d| d.code == "BK011"), "{all:?}");
        let fine = df.replace('\u{201d}', "\"");
        assert_eq!(buildkit_case(&fine, "BK011").len(), 1, "without the error it is reported");
    }

    fn msg(name: &str, hint: Option<&str>) -> String {
        let hint = hint.map(|h| format!(" (did you mean ${h}?)")).unwrap_or_default();
        format!("Usage of undefined variable '${name}'{hint}")
    }

    /// BuildKit's testUnmatchedVars and testAllTargetUnmarshal (alpine as the base image).
    #[test]
    fn buildkit_cases() {
        assert!(buildkit_case("\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n", "BK011").is_empty());
        assert!(buildkit_case("\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n", "BK011").is_empty());
        assert!(buildkit_case("\nFROM alpine\nRUN echo $PATH\n", "BK011").is_empty());
        assert_eq!(buildkit_case("\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n", "BK011"), vec![(3, msg("foo", None))]);
        let assets = "\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t";
        assert_eq!(buildkit_case(assets, "BK011"), vec![(6, msg("DIR_ASSET", Some("DIR_ASSETS")))]);
        assert_eq!(buildkit_case("\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t", "BK011"), vec![(3, msg("PAHT", Some("PATH")))]);
        let two = "\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n";
        assert_eq!(buildkit_case(two, "BK011"), vec![(3, msg("foo", None)), (6, msg("bar", None))]);
    }

    /// The Space case: `$HOME` is not set by python images; an unknown base is not judged.
    #[test]
    fn home_before_it_is_set() {
        let df = "FROM python:3.11-slim\nENV PATH=$HOME/.local/bin:$PATH\n";
        assert_eq!(buildkit_case(df, "BK011"), vec![(2, msg("HOME", None))]);
        assert!(buildkit_case("FROM python:3.11-slim\nENV HOME=/home/user\nENV PATH=$HOME/.local/bin:$PATH\n", "BK011").is_empty());
        assert!(buildkit_case("FROM ghcr.io/acme/base:1\nENV PATH=$HOME/.local/bin:$PATH\n", "BK011").is_empty());
    }

    /// Which words BuildKit expands with the check (found on the corpus: `EXPOSE $PORT` was
    /// reported, which BuildKit's dispatchExpose never does).
    #[test]
    fn only_the_words_buildkit_checks() {
        let case = |body: &str| buildkit_case(&format!("FROM alpine\n{body}\n"), "BK011");
        assert!(case("EXPOSE $PORT").is_empty(), "EXPOSE is expanded without the check");
        assert!(case("CMD echo $X").is_empty());
        assert!(case("RUN --network=$NET echo").is_empty(), "only --mount of RUN is expanded");
        assert!(case("COPY --from=$STAGE /a /b").is_empty(), "--from is not expanded by Expand");
        assert!(case("ARG $NAME=1").is_empty(), "an ARG's key is not expanded");
        assert_eq!(case("RUN --mount=type=cache,target=$CACHE echo"), vec![(2, msg("CACHE", None))]);
        assert_eq!(case("COPY --chown=$OWNER a b"), vec![(2, msg("OWNER", None))]);
        assert_eq!(case("ADD --checksum=$SUM a b"), vec![(2, msg("SUM", None))]);
        assert_eq!(case("ENV $KEY=1"), vec![(2, msg("KEY", None))]);
        assert_eq!(case("STOPSIGNAL $SIG"), vec![(2, msg("SIG", None))]);
        assert_eq!(case("USER $WHO"), vec![(2, msg("WHO", None))]);
    }
}

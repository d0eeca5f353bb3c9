use super::final_from_span;
use crate::parse::image_ref::ImageRef;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF003,
    name: "base-image-mismatch",
    severity: Severity::Error,
    summary: "the final stage's base image differs from the policy's `dockerfile.base_image`",
    doc: r#"## What it checks
With a policy that sets `dockerfile.base_image`: that the image the final stage is built on,
after ARG expansion and following `FROM <stage>` aliases, is that image. `docker.io/library/`
and a `@sha256:` digest are normalised away, so `docker.io/library/python:3.11-slim@sha256:...`
matches `python:3.11-slim`.

## Why it matters on a Space
Assignments and company checks prescribe a base image (size, security patches, licensing). What
counts is the final stage: a builder stage on another image does not ship.

## Example
```dockerfile
FROM python:3.12
```
with a policy `base_image: python:3.11-slim`.

## Fix
`FROM python:3.11-slim` in the final stage (or in the stage it is built from). `spacecheck --fix
--unsafe-fixes` writes the policy's image in a final FROM that names an image itself (unsafe: the
steps after it may need the other image's packages, users or paths)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Whether two spellings name the same image (`docker.io/library/python:3.11-slim@sha256:…`
/// is `python:3.11-slim`; no tag is `latest`). Spellings that are not valid references are
/// compared as written.
fn same_image(a: &str, b: &str) -> bool {
    match (ImageRef::parse(a.trim()), ImageRef::parse(b.trim())) {
        (Ok(a), Ok(b)) => a.canonical() == b.canonical(),
        _ => a.trim() == b.trim(),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(want)) =
        (ctx.dockerfile_file(), &ctx.model, ctx.policy.dockerfile.base_image.as_deref())
    else {
        return;
    };
    let Some(base) = &model.base_image else { return };
    if !base.is_resolved() {
        out.push(
            Diagnostic::new(&RULE, format!("the final stage's base image `{}` depends on a build argument without a default, so it cannot be checked against `{want}`", base.raw))
                .at(file, base.span.clone())
                .severity(Severity::Warning)
                .help(format!("give the ARG a default (`ARG BASE_IMAGE={want}`) or write the image in FROM")),
        );
        return;
    }
    if same_image(&base.value, want) {
        return;
    }
    let (span, via) = if model.chain.len() > 1 {
        let root = &model.stages[model.chain[0]];
        (
            final_from_span(ctx).unwrap_or(base.span.clone()),
            format!(" (through stage `{}`)", root.alias.as_deref().unwrap_or("?")),
        )
    } else {
        (base.span.clone(), String::new())
    };
    out.push(
        Diagnostic::new(
            &RULE,
            format!("the final image is built on `{}`{via}, but the policy requires `{want}`", base.value),
        )
        .at(file, span)
        .label(format!("built on {}", base.value))
        .help(format!("use `FROM {want}` for the final stage"))
        .maybe_fix(image_fix(file, base, want, model.chain.len())),
    );
}

/// The policy's image in the final stage's FROM, written as a plain image (not through an
/// earlier stage or a build argument). Unsafe: the build steps after it may need another image's
/// packages, users or paths.
fn image_fix(file: &crate::source::SourceFile, base: &crate::model::Valued, want: &str, chain: usize) -> Option<crate::diag::Fix> {
    let written = file.text.get(base.span.clone()) == Some(base.raw.as_str()) && base.raw == base.value;
    (chain == 1 && written).then(|| {
        crate::diag::Fix::replace(crate::diag::Applicability::Unsafe, format!("build on `{want}`"), file, base.span.clone(), want)
    })
}

#[cfg(test)]
mod tests {
    use super::same_image;
    use crate::policy;
    use crate::rules::testing::{lint_with, README};

    fn fires(dockerfile: &str) -> bool {
        let p = policy::parse("dockerfile:\n  base_image: python:3.11-slim\n", "p").unwrap();
        lint_with(&[("README.md", README), ("Dockerfile", dockerfile)], &p).iter().any(|d| d.code == "DF003")
    }

    #[test]
    fn fires_on_other_base() {
        assert!(fires("FROM python:3.12\n"));
        assert!(fires("FROM python:3.11-slim AS build\nFROM node:20\n"), "the final stage counts");
        assert!(fires("ARG BASE\nFROM ${BASE}\n"), "unresolved is reported (as a warning)");
    }

    #[test]
    fn silent_on_equivalent_spellings() {
        let digest = "sha256:9d78ad0da0e88ca15da5735b9f70064d3099ac0a8cd9dc839795789400a38e42";
        assert!(!fires(&format!("FROM docker.io/library/python:3.11-slim@{digest}\n")));
        assert!(!fires("ARG PY=3.11\nFROM python:${PY}-slim AS base\nFROM base\n"));
        assert!(!fires("FROM node:20 AS ui\nFROM python:3.11-slim\n"));
    }

    #[test]
    fn normalisation() {
        assert!(same_image("python", "docker.io/library/python:latest"));
        assert!(same_image("ghcr.io/a/b:1", "ghcr.io/a/b:1"));
        assert!(!same_image("ghcr.io/a/b:1", "docker.io/a/b:1"));
        assert!(!same_image("localhost:5000/python:3.11-slim", "python:3.11-slim"));
    }
}

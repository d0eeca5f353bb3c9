use crate::rules::{Check, Code, Enabled, Equivalent, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF011,
    name: "unpinned-base-image",
    severity: Severity::Warning,
    summary: "a base image without a tag, or tagged `latest`",
    doc: r#"## What it checks
Every `FROM` of an external image (not `scratch`, not an earlier stage) names a tag other than
`latest`, or a digest. Variables are expanded first, so `ARG TAG=3.11` + `FROM python:${TAG}` is
pinned.

## Why it matters on a Space
The Hub rebuilds a Space on every push and on restarts after an update: an unpinned base image
silently changes under the Space (a new Python, a new CUDA), and a Space that worked yesterday
fails to build or to start today.

## Example
```dockerfile
FROM python
```

## Fix
Pin a version: `FROM python:3.11-slim` (or a digest)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3006"), Equivalent::Hadolint("DL3007")],
    fixable: crate::rules::Fixable::No("which tag or digest to pin is the author's choice (spacecheck does not look tags up)"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    // Stages, `scratch`, unresolved or invalid references have no `image_ref`.
    for (stage, image) in model.stages.iter().filter_map(|s| s.image_ref.as_ref().map(|r| (s, r))) {
        if !image.is_unpinned() {
            continue;
        }
        let message = match image.tag {
            None => format!("`FROM {}` has no tag, so it means `latest` and changes under the Space", stage.image),
            Some(_) => format!("`FROM {}` follows `latest`, which changes under the Space", stage.image),
        };
        out.push(
            Diagnostic::new(&RULE, message)
                .at(file, stage.image_word.span.clone())
                .help(format!("pin a version, e.g. `{}:<version>`", image.familiar_name())),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    #[test]
    fn fires_on_untagged_or_latest() {
        assert_eq!(codes_for("FROM python\n", "DF011").len(), 1);
        assert_eq!(codes_for("FROM ollama/ollama:latest\n", "DF011").len(), 1);
        assert_eq!(codes_for("FROM node AS ui\nFROM python:3.11\n", "DF011").len(), 1);
    }

    #[test]
    fn silent_on_pinned() {
        assert!(codes_for("FROM python:3.11-slim\n", "DF011").is_empty());
        let digest = "sha256:9d78ad0da0e88ca15da5735b9f70064d3099ac0a8cd9dc839795789400a38e42";
        assert!(codes_for(&format!("FROM python@{digest}\n"), "DF011").is_empty());
        assert!(codes_for("ARG TAG=3.11\nFROM python:${TAG}\n", "DF011").is_empty());
        assert!(codes_for("FROM python:3.11 AS base\nFROM base\n", "DF011").is_empty());
        assert!(codes_for("FROM scratch\n", "DF011").is_empty());
        assert!(codes_for("FROM localhost:5000/img:1.0\n", "DF011").is_empty());
    }

    /// A registry port is not a tag: the help names the whole repository.
    #[test]
    fn registry_with_port() {
        let found = codes_for("FROM localhost:5000/img\n", "DF011");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].help.as_deref(), Some("pin a version, e.g. `localhost:5000/img:<version>`"));
    }
}

use super::final_from_span;
use crate::diag::{Applicability, Fix};
use crate::model::base::Distro;
use crate::model::{ImageModel, RuntimeUser, Uid};
use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Enabled, Equivalent, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF004,
    name: "runs-as-root",
    severity: Severity::Error,
    summary: "the final stage runs as root (no USER, or the last USER is root/0)",
    doc: r#"## What it checks
That the final stage (with the stages it is built `FROM`) switches to a non-root user: some
`USER` instruction applies to it, and the last one is not `root` or `0`. A `USER` in a builder
stage that the final stage only copies from does not count.

## Why it matters on a Space
The Hub starts the container as UID 1000 whatever the Dockerfile says. An image that never
switches user is built, and tested locally, as root: the files it creates or installs belong to
root, and at run time on the Hub the app cannot write its own folders (caches, uploads, SQLite
files), failing with "Permission denied" only once deployed.

## Example
```dockerfile
FROM python:3.11-slim
WORKDIR /app
COPY . .
CMD ["python", "app.py"]
```

## Fix
Create and switch to a UID 1000 user, and give it the app's files:
```dockerfile
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH
WORKDIR $HOME/app
COPY --chown=user . $HOME/app
```

`spacecheck --fix --unsafe-fixes` adds, before the start command, `USER` of a UID-1000 user the
Dockerfile or the base image already has (`node` on node images), else the user made the base
image's way (`adduser -D -u 1000 user` on Alpine, `useradd -m -u 1000 user` elsewhere) with
`USER user` and HOME/PATH. Unsafe: what was built as root stays root's (DF006 then offers the
`--chown`s)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3002")],
};

/// The lines that make the final stage run as UID 1000 on this base: `USER` of a UID-1000 user
/// the Dockerfile creates or the base image has (`node`, `ubuntu` on 24.04+, `jovyan`…), else
/// the user created the way the base image does it (`adduser -D` on Alpine, `useradd -m`
/// elsewhere) with HOME and PATH for `pip install --user`.
pub(crate) fn run_as_1000(model: &ImageModel, nl: &str) -> String {
    let created = model
        .created_users
        .iter()
        .rev()
        .find(|u| matches!(model.resolve_uid(&u.name), Uid::Known(1000) | Uid::Inferred { uid: 1000, .. }))
        .map(|u| u.name.clone());
    if let Some(name) = created.or_else(|| model.base().uid_1000_user.map(str::to_string)) {
        return format!("USER {name}");
    }
    let create = model.base().distro.create_user_1000();
    format!("RUN {create}{nl}USER user{nl}ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH")
}

/// Unsafe: what the image built as root before stays root's, and the app may need to write it.
fn fix(ctx: &Context, model: &ImageModel, file: &SourceFile) -> Option<Fix> {
    let lines = run_as_1000(model, file.newline());
    let first = lines.lines().next().unwrap_or("").to_string();
    let message = format!("run as UID 1000: `{first}`… before the start command (check what the app writes)");
    super::add_line(ctx, file, &lines, Applicability::Unsafe, message)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    if model.stages.is_empty() {
        return;
    }
    match &model.runtime_user {
        RuntimeUser::Default => {
            // Images built to run unprivileged (Jupyter's docker-stacks, micromamba) run as their
            // own user, not root; a UID other than 1000 is DF005's.
            if model.base().default_user.is_some() {
                return;
            }
            let user_elsewhere =
                ctx.parsed_dockerfile().is_some_and(|df| df.instructions.iter().any(|i| i.kind == Kind::User));
            let mut message = "the final image never switches user, so it is built as root: files it creates belong to root, and the Hub runs the app as UID 1000, which cannot write them".to_string();
            // An image spacecheck does not know may set its own USER: say what is assumed, as a
            // warning rather than an error.
            let known = model.base().distro != Distro::Unknown;
            if !known {
                let image = model.base_image.as_ref().map_or("the base image".to_string(), |b| format!("`{}`", b.value));
                message = format!("the Dockerfile never sets USER, and spacecheck does not know which user {image} runs as; assuming root, as most images do: files built as root are not writable by UID 1000, the user the Hub runs the app as");
            }
            if user_elsewhere {
                message.push_str(" (a USER in another stage does not carry into the final stage)");
            }
            let lines = run_as_1000(model, "` and `");
            let mut d = Diagnostic::new(&RULE, message)
                .at(file, final_from_span(ctx).unwrap_or(0..0))
                .severity(if known { RULE.severity } else { Severity::Warning })
                .label("final stage")
                .help(format!("add `{lines}` to the final stage, and `COPY --chown` the app to that user"));
            d.fix = fix(ctx, model, file);
            out.push(d);
        }
        RuntimeUser::Set { user, .. } => {
            if matches!(model.resolve_uid(&user.value), Uid::Known(0)) {
                let mut d = Diagnostic::new(&RULE, format!("the last USER is `{}`, so the image is built to run as root; the Hub runs it as UID 1000, which cannot write what root created", user.value))
                    .at(file, user.span.clone())
                    .help(format!("end with `{}` after the steps that need root", run_as_1000(model, "` and `")));
                d.fix = fix(ctx, model, file);
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    #[test]
    fn fires_without_user_or_with_root() {
        assert_eq!(codes_for("FROM python:3.11\nCMD x\n", "DF004").len(), 1);
        assert_eq!(codes_for("FROM python:3.11\nUSER 1000\nRUN x\nUSER root\n", "DF004").len(), 1);
        assert_eq!(codes_for("FROM python:3.11\nUSER 0:0\n", "DF004").len(), 1);
        let d = codes_for("FROM python AS b\nUSER 1000\nFROM python\n", "DF004");
        assert!(d[0].message.contains("another stage"));
    }

    #[test]
    fn silent_with_user_in_chain() {
        assert!(codes_for("FROM python:3.11\nRUN useradd -u 1000 user\nUSER user\n", "DF004").is_empty());
        assert!(codes_for("FROM python:3.11 AS base\nUSER 1000\nFROM base\nCMD x\n", "DF004").is_empty());
        assert!(codes_for("FROM jupyter/base-notebook\n", "DF004").is_empty());
    }

    #[test]
    fn an_unknown_base_image_is_an_assumption_said_as_a_warning() {
        let d = codes_for("FROM ghcr.io/acme/server:1.2\nCMD x\n", "DF004");
        assert_eq!(d[0].severity, crate::rules::Severity::Warning);
        assert!(d[0].message.contains("does not know which user `ghcr.io/acme/server:1.2` runs as"), "{}", d[0].message);
        assert_eq!(codes_for("FROM python:3.11\nCMD x\n", "DF004")[0].severity, crate::rules::Severity::Error);
    }
}

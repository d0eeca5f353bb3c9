use crate::diag::{Applicability, Fix};
use crate::model::Uid;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::DF020,
    name: "supervisord-user",
    severity: Severity::Error,
    summary: "supervisord's configuration switches users (user=root), which it cannot do as UID 1000",
    doc: r#"## What it checks
When the start command runs supervisord: the configuration files it reads that the Space
provides (the `-c` file, and those the Dockerfile copies under `/etc/supervisor/`), for a
`user=` that is not the UID-1000 account: in `[supervisord]`, or in a `[program:x]` section.
A value spacecheck cannot resolve (`%(ENV_USER)s`, a name nothing creates) is not reported.

## Why it matters on a Space
The Hub runs the container as UID 1000, so supervisord runs as UID 1000 too, and only root may
switch users. With `user=root` in `[supervisord]` it stops at once with "Error: Can't drop
privilege as nonroot user" (supervisor 3.3.4 and later), and nothing listens on the app port;
a `[program:x]` with another user never starts ("couldn't setuid … Can't drop privilege as
nonroot user").

## Example
```ini
[supervisord]
nodaemon=true
user=root
```

## Fix
Remove the `user=` lines (everything then runs as UID 1000), and give UID 1000 the files the
programs write (logs, pid and socket files: point them at `/tmp`). `spacecheck --fix
--unsafe-fixes` removes the `user=` line (unsafe: run locally as root, supervisord then keeps root
for every program)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// `user=` lines of an INI text: (section, value, line).
fn user_lines(text: &str) -> Vec<(String, String, usize)> {
    let mut section = String::new();
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        if key.trim() == "user" {
            // An inline comment needs a space before `;`.
            let value = value.split(" ;").next().unwrap_or(value).trim();
            found.push((section.clone(), value.to_string(), n + 1));
        }
    }
    found
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(model), Some(start)) = (&ctx.model, &ctx.start) else { return };
    let Some(explicit) = &start.supervisord else { return };
    for rel in super::supervisord_configs(ctx, model, explicit.as_deref()) {
        let Loaded::Text(conf) = ctx.space.read_text(&rel) else { continue };
        for (section, user, line) in user_lines(&conf.text) {
            let uid = match model.resolve_uid(&user) {
                Uid::Known(uid) | Uid::Inferred { uid, .. } => uid,
                Uid::Unknown(_) => continue,
            };
            if uid == crate::model::ImageModel::HUB_UID {
                continue;
            }
            let message = if section == "supervisord" {
                format!("`user={user}` in [supervisord]: the Hub runs supervisord as UID 1000, which cannot switch users, so it stops at once with \"Error: Can't drop privilege as nonroot user\" and nothing listens")
            } else {
                format!("`user={user}` in [{section}]: supervisord runs as UID 1000 on the Hub and cannot switch users, so this program never starts (\"Can't drop privilege as nonroot user\")")
            };
            // The `user=` line removed, with its line ending. Unsafe: run locally as root,
            // supervisord then keeps root for every program.
            let whole = conf.line_span(line);
            let end = conf.text[whole.end..].find('\n').map_or(conf.text.len(), |i| whole.end + i + 1);
            let fix = Fix::replace(Applicability::Unsafe, format!("remove `user={user}` from [{section}]"), &conf, whole.start..end, "");
            out.push(
                Diagnostic::new(&RULE, message)
                    .in_file(&rel, Some((line, 1)))
                    .help("remove the `user=` line: every program then runs as UID 1000; point logs, pid and socket files at /tmp")
                    .fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{lint, README};

    fn df020(dockerfile: &str, conf: &str) -> Vec<Diagnostic> {
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("supervisord.conf", conf)];
        lint(&files).into_iter().filter(|d| d.code == "DF020").collect()
    }

    const DOCKERFILE: &str = "FROM python:3.11\nRUN useradd -m -u 1000 user\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nUSER user\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/app.conf\"]\n";

    #[test]
    fn users_supervisord_cannot_switch_to() {
        let d = df020(DOCKERFILE, "[supervisord]\nnodaemon=true\nuser=root\n\n[program:api]\ncommand=uvicorn a:b\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("in [supervisord]") && d[0].message.contains("Can't drop privilege"), "{}", d[0].message);
        assert_eq!(d[0].position.as_ref().map(|p| p.line), Some(3));
        let d = df020(DOCKERFILE, "[supervisord]\nnodaemon=true\n[program:db]\nuser=postgres ; the db\n");
        assert!(d.is_empty(), "postgres is unknown here: not judged");
        let d = df020(DOCKERFILE, "[program:api]\nuser = 0\n");
        assert!(d[0].message.contains("[program:api]"), "{}", d[0].message);
    }

    #[test]
    fn near_misses_stay_silent() {
        // The UID-1000 user, no user line, a commented one, supervisord not started.
        assert!(df020(DOCKERFILE, "[supervisord]\nuser=user\n").is_empty());
        assert!(df020(DOCKERFILE, "[supervisord]\nnodaemon=true\n;user=root\n").is_empty());
        let not_started = DOCKERFILE.replace("CMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/app.conf\"]", "CMD [\"python\", \"app.py\"]");
        assert!(df020(&not_started, "[supervisord]\nuser=root\n").is_empty());
        assert!(df020(DOCKERFILE, "[supervisord]\nuser=%(ENV_USER)s\n").is_empty());
    }

    #[test]
    fn ini_user_lines() {
        assert_eq!(
            user_lines("[supervisord]\nuser=root ; comment\n[program:x]\n  user = app\n"),
            vec![("supervisord".into(), "root".into(), 2), ("program:x".into(), "app".into(), 4)]
        );
    }
}

use super::describe_user;
use crate::diag::{Applicability, Fix};
use crate::model::{Account, SecretMount};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF025,
    name: "secret-mount-unreadable",
    severity: Severity::Error,
    summary: "a `RUN --mount=type=secret` run as a non-root USER whose secret file that user cannot read",
    doc: r#"## What it checks
A `RUN --mount=type=secret,id=X` of a needed stage that runs as a non-root user (a `USER` before
it) while the secret file is mounted as BuildKit does by default: owned by root (`uid=0`) with
mode `0400`, so that user cannot read it. Not reported with `mode=0444` (or any mode that lets
others read), with `uid=` set to that user's UID, with `env=` alone (the secret is then a
variable, no file), as root, or when the user's UID is not known.

## Why it matters on a Space
The Hub passes Space secrets to the build as BuildKit secrets; its documentation mounts them with
`mode=0444` for this reason. Without it, `cat /run/secrets/HF_TOKEN` stops the build with
"Permission denied", or a `$(cat …)` gives an empty token and the download or the build that
needs it fails.

## Example
```dockerfile
USER user
RUN --mount=type=secret,id=HF_TOKEN,required=true \
    HF_TOKEN=$(cat /run/secrets/HF_TOKEN) python download.py
```

## Fix
`--mount=type=secret,id=HF_TOKEN,mode=0444,required=true` (the safe fix adds `mode=0444`), or
`uid=1000`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df), Some(model)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile(), &ctx.model) else { return };
    let needed = model.needed_stages();
    for run in model.runs.iter().filter(|r| !r.secret_mounts.is_empty() && needed.contains(&r.stage)) {
        let account = model.account(run.stage, &run.user);
        let Account::NonRoot { uid: Some(uid), .. } = account else { continue };
        let Some(ins) = df.instructions.get(run.instruction) else { continue };
        for flag in ins.flags.iter().filter(|f| f.name.eq_ignore_ascii_case("mount")) {
            let Some(mount) = flag.value.as_deref().and_then(SecretMount::parse) else { continue };
            if uid == 0 || mount.readable_by(uid) {
                continue;
            }
            let owner = match mount.uid {
                None | Some(0) => "root's".to_string(),
                Some(other) => format!("UID {other}'s"),
            };
            let message = format!(
                "the secret `{}` is mounted at {} as {owner} with mode {:04o}, and this RUN runs as {}: reading it fails with \"Permission denied\"",
                mount.id,
                mount.path,
                mount.mode.unwrap_or(0o400),
                describe_user(file, &run.user, &account)
            );
            let mut d = Diagnostic::new(&RULE, message)
                .at(file, flag.span.clone())
                .help("add `mode=0444` to the mount (as the Hub's documentation does), or `uid=` with the user's UID");
            let plain = file.text.get(flag.span.clone()).is_some_and(|raw| !raw.ends_with(['"', '\'']));
            if plain && mount.mode.is_none() {
                let end = flag.span.end;
                d = d.fix(Fix::replace(Applicability::Safe, "add `mode=0444`", file, end..end, ",mode=0444".to_string()));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    const USER: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\n";

    #[test]
    fn a_secret_the_user_cannot_read() {
        let d = codes_for(&format!("{USER}RUN --mount=type=secret,id=HF_TOKEN,required=true cat /run/secrets/HF_TOKEN > /tmp/t\n"), "DF025");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.starts_with("the secret `HF_TOKEN` is mounted at /run/secrets/HF_TOKEN as root's with mode 0400, and this RUN runs as `user`"), "{}", d[0].message);
        assert!(d[0].fix.is_some());
        let d = codes_for(&format!("{USER}RUN --mount=type=secret,id=k,target=/app/.env,mode=0440 npm run build\n"), "DF025");
        assert!(d[0].message.contains("at /app/.env") && d[0].message.contains("mode 0440") && d[0].fix.is_none(), "{d:?}");
    }

    /// Near misses: mode 0444, the user's uid, env= alone, root, an unknown user.
    #[test]
    fn near_misses() {
        for df in [
            format!("{USER}RUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true cat /run/secrets/HF_TOKEN\n"),
            format!("{USER}RUN --mount=type=secret,id=HF_TOKEN,uid=1000 cat /run/secrets/HF_TOKEN\n"),
            format!("{USER}RUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN python download.py\n"),
            "FROM python:3.11-slim\nRUN --mount=type=secret,id=HF_TOKEN cat /run/secrets/HF_TOKEN\n".to_string(),
            "FROM python:3.11-slim\nARG WHO\nUSER $WHO\nRUN --mount=type=secret,id=HF_TOKEN cat /run/secrets/HF_TOKEN\n".to_string(),
            format!("{USER}RUN --mount=type=cache,target=/home/user/.cache pip install x\n"),
        ] {
            assert!(codes_for(&df, "DF025").is_empty(), "{df}");
        }
    }
}

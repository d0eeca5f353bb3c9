use crate::model::{RuntimeUser, Uid};
use crate::parse::user_spec::UserSpec;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF005,
    name: "user-not-uid-1000",
    severity: Severity::Error,
    summary: "the last USER is not UID 1000 (or the policy's `user_uid`)",
    doc: r#"## What it checks
That the last `USER` of the final stage resolves to UID 1000 (or the policy's
`dockerfile.user_uid`). A name is resolved through the `useradd`/`adduser`/`usermod` calls of the
stage chain (`-u`, `--uid`) and the users well-known base images ship (`node` is 1000 in the node
images). A `useradd` without `-u` gets the first free UID: 1000 on most images, 1001 where the
base already has a UID 1000 user (node, ubuntu 24.04). With `numeric_user: true` in the policy, a
non-numeric `USER` fails too (some graders demand `USER 1000` literally).

Under the built-in baseline the rule judges what the app does, as DF004 and DF006 do: it
reports only where a write the app's code makes (`app.py:12`) lands in a path that the user of
the other UID owns, which UID 1000 cannot write; an app that writes nothing there is not
reported. When the code the start command runs is not in the folder, or is code spacecheck does
not read (a Node or compiled server), the rule is reported as skipped, with the reason. A policy that sets `user_uid` (an assignment) prescribes the UID: there
every other UID is reported.

## Why it matters on a Space
The Hub runs the container as UID 1000. If the image prepares its files for another UID (say
`USER app` created as 999), the process that really runs cannot write them.

## Example
```dockerfile
FROM node:20
RUN useradd -m app
USER app
```
`app` gets UID 1001 here: the node image already has `node` as 1000.

## Fix
Create the user with `-u 1000` (`RUN useradd -m -u 1000 user`), or use the image's own UID 1000
user (`USER node`). `spacecheck --fix` writes the UID in the `useradd`/`adduser` that creates the
user (safe: the Hub runs the container as UID 1000 whatever the image says), unless the base
image already has an account with that UID (DF013's)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let want = ctx.policy.dockerfile.user_uid.unwrap_or(1000);
    let RuntimeUser::Set { user, .. } = &model.runtime_user else {
        // No USER: a base image that runs as its own non-root user (micromamba's `mambauser`).
        if let Some((name, uid)) = model.base().default_user.filter(|(_, u)| *u != want) {
            let base = model.base_image.as_ref().map_or("the base image", |b| b.value.as_str());
            out.push(
                Diagnostic::new(&RULE, format!("`{base}` runs as `{name}` (UID {uid}), but the Hub runs the container as UID {want}: files prepared for {uid} are not writable at run time"))
                    .at(file, super::final_from_span(ctx).unwrap_or(0..0))
                    .label(format!("UID {uid}"))
                    .help(format!("give the app's files to UID {want} (`COPY --chown={want}`, `chown -R {want}` as root), or rebuild the base with `MAMBA_USER_ID={want}`")),
            );
        }
        return;
    };
    let spec = UserSpec::parse(&user.value);
    let name = spec.user.as_str();
    if ctx.policy.dockerfile.numeric_user && spec.uid().is_none() {
        out.push(
            Diagnostic::new(
                &RULE,
                format!("the policy requires a numeric USER, but the Dockerfile says `USER {}`", user.value),
            )
            .at(file, user.span.clone())
            .help(format!("write `USER {want}`")),
        );
        return;
    }
    match model.resolve_uid(&user.value) {
        Uid::Known(0) => {} // DF004 reports root.
        Uid::Known(uid) if uid == want => {}
        Uid::Inferred { uid, .. } if uid == want => {}
        Uid::Known(uid) => {
            let message = format!("`USER {}` is UID {uid}, but the Hub runs the container as UID {want}", user.value);
            let d = Diagnostic::new(&RULE, message)
                .at(file, user.span.clone())
                .label(format!("UID {uid}"))
                .help(format!("create the user with `-u {want}` and switch to it"))
                .maybe_fix(uid_fix(ctx, model, name, uid, want));
            judged(ctx, model, name, d, out);
        }
        Uid::Inferred { uid, why } => {
            let d = Diagnostic::new(&RULE, format!("{why}, not {want}"))
                .at(file, user.span.clone())
                .label(format!("UID {uid}"))
                .help(format!("pin the UID: `useradd -m -u {want} {name}`"));
            judged(ctx, model, name, d, out);
        }
        Uid::Unknown(why) => {
            let message = format!("cannot tell which UID `USER {}` is: {why}; the Hub runs the container as UID {want}", user.value);
            let d = Diagnostic::new(&RULE, message).at(file, user.span.clone()).help(format!(
                "create the user in this Dockerfile with `useradd -m -u {want} {name}`, or write `USER {want}`"
            ));
            judged(ctx, model, name, d, out);
        }
    }
}

/// Completes a finding on the UID by what the app does: under a policy that prescribes the UID,
/// as it is; under the baseline, only where the app's writes land in what `user` owns (named),
/// as an assumption when the code is not in the folder, skipped when it is code spacecheck does
/// not read.
/// The UID the Dockerfile's `useradd`/`adduser` gives the user, written as `want`. Safe: the
/// Hub runs the container as `want` whatever the image says, so the account that owns the
/// app's files must have it. Not where the base image already has an account with `want`
/// (DF013's), nor for a UID given in a variable.
fn uid_fix(ctx: &Context, model: &crate::model::ImageModel, name: &str, uid: u32, want: u32) -> Option<crate::diag::Fix> {
    if model.base().uid_1000_user.is_some() && want == 1000 {
        return None;
    }
    let file = ctx.dockerfile_file()?;
    let uid_text = uid.to_string();
    for run in model.runs_in_chain() {
        for (index, cmd) in run.commands.iter().enumerate() {
            let made = crate::model::users::user_change(cmd);
            if made.is_none_or(|u| u.name != name || u.uid != Some(uid) || u.renamed_from.is_some()) {
                continue;
            }
            // `-u 1001`, `--uid 1001`: the word after the flag; `-u1001`, `--uid=1001`: its tail.
            for (w, raw) in cmd.raw_words.iter().enumerate() {
                let tail = raw.strip_suffix(uid_text.as_str());
                let glued = tail.is_some_and(|t| t == "-u" || t == "--uid=" || t == "--uid ");
                let separate = raw == &uid_text && w > 0 && matches!(cmd.raw_words[w - 1].as_str(), "-u" | "--uid");
                if !(glued || separate) {
                    continue;
                }
                let span = super::word_span(ctx, run, index, w);
                let written = file.text.get(span.clone())?;
                if written != raw {
                    return None;
                }
                let at = span.end - uid_text.len()..span.end;
                let message = format!("create `{name}` with UID {want}");
                return Some(crate::diag::Fix::replace(crate::diag::Applicability::Safe, message, file, at, want.to_string()));
            }
        }
    }
    None
}

fn judged(ctx: &Context, model: &crate::model::ImageModel, user: &str, d: Diagnostic, out: &mut Vec<Diagnostic>) {
    use super::AppWrites;
    use crate::model::fs::Owner;
    if ctx.policy.source != crate::policy::BASELINE_NAME {
        return out.push(d);
    }
    let Some(file) = ctx.dockerfile_file() else { return };
    match super::app_writes(ctx) {
        AppWrites::Denied(denied) => {
            let owned: Vec<_> = denied
                .iter()
                .filter(|w| matches!(&w.state.owner, Owner::User(o) if model.same_user(o, user)))
                .collect();
            if owned.is_empty() {
                return;
            }
            let shown: Vec<String> = owned.iter().take(3).map(|w| super::describe_denied(ctx, file, w)).collect();
            let more = if owned.len() > 3 { format!(", and {} more", owned.len() - 3) } else { String::new() };
            let message = format!(
                "{}, which cannot write what `{user}` owns, and the app makes these writes when it starts: {}{more}; it stops with \"Permission denied\" at the first it makes",
                d.message,
                shown.join("; ")
            );
            out.push(Diagnostic { message, ..d });
        }
        AppWrites::NotReadable(why) => ctx.skip(RULE.code, format!("{why}: what the app writes is not known")),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy;
    use crate::rules::testing::{lint, lint_with, README};

    /// Under a policy that prescribes the UID (an assignment's), every other UID is reported.
    fn codes_for(dockerfile: &str, code: &str) -> Vec<crate::rules::Diagnostic> {
        let p = policy::parse("dockerfile:\n  user_uid: 1000\n", "p").unwrap();
        lint_with(&[("README.md", README), ("Dockerfile", dockerfile)], &p).into_iter().filter(|d| d.code == code).collect()
    }

    #[test]
    fn fires_on_wrong_or_unknown_uid() {
        assert_eq!(codes_for("FROM python\nUSER 1001\n", "DF005").len(), 1);
        assert_eq!(codes_for("FROM python\nRUN useradd -u 999 app\nUSER app\n", "DF005").len(), 1);
        assert_eq!(codes_for("FROM python\nUSER ghost\n", "DF005").len(), 1);
        assert_eq!(codes_for("FROM node:20\nRUN useradd -m app\nUSER app\n", "DF005").len(), 1);
        assert_eq!(codes_for("FROM python\nARG U\nUSER $U\n", "DF005").len(), 1);
        // Under the baseline, code spacecheck cannot see: skipped, not reported.
        assert!(crate::rules::testing::codes_for("FROM python\nUSER 1001\nCMD [\"python\", \"/srv/cloned/app.py\"]\n", "DF005").is_empty());
    }

    /// With the app's code: reported where the app writes what the other UID owns, naming the
    /// write; silent when it writes nothing there (the corpus's Next.js and proxy Spaces).
    #[test]
    fn judged_by_what_the_app_writes() {
        let df = "FROM python:3.11\nRUN useradd -m -u 1001 app\nUSER app\nWORKDIR /home/app/srv\nCOPY --chown=app . .\nCMD [\"python\", \"main.py\"]\n";
        let writes = lint(&[("README.md", README), ("Dockerfile", df), ("main.py", "import sqlite3\ndb = sqlite3.connect('app.db')\n")]);
        let d: Vec<_> = writes.iter().filter(|d| d.code == "DF005").collect();
        assert_eq!(d.len(), 1, "{writes:?}");
        assert!(d[0].message.contains("which cannot write what `app` owns, and the app makes these writes when it starts: `main.py:2` writes `/home/app/srv/app.db`"), "{}", d[0].message);
        assert!(!writes.iter().any(|d| d.code == "DF006"), "one finding per cause: {writes:?}");
        let reads = lint(&[("README.md", README), ("Dockerfile", df), ("main.py", "print(open('config.json').read())\n")]);
        assert!(!reads.iter().any(|d| d.code == "DF005"), "{reads:?}");
        // A policy that prescribes the UID reports it whatever the app does.
        let p = policy::parse("dockerfile:\n  user_uid: 1000\n", "p").unwrap();
        let prescribed = lint_with(&[("README.md", README), ("Dockerfile", df), ("main.py", "print(1)\n")], &p);
        assert!(prescribed.iter().any(|d| d.code == "DF005"));
    }

    #[test]
    fn silent_on_uid_1000_in_every_form() {
        assert!(codes_for("FROM python\nRUN useradd -m -u 1000 user\nUSER user\n", "DF005").is_empty());
        assert!(codes_for("FROM python\nUSER 1000:1000\n", "DF005").is_empty());
        assert!(codes_for("FROM node:20\nUSER node\n", "DF005").is_empty());
        assert!(codes_for("FROM python:3.11\nRUN useradd -m user\nUSER user\n", "DF005").is_empty());
        assert!(codes_for(
            "FROM python AS base\nRUN adduser --uid 1000 --disabled-password app\nFROM base\nUSER app\n",
            "DF005"
        )
        .is_empty());
        assert!(codes_for("FROM python\nUSER root\n", "DF005").is_empty(), "root is DF004's");
    }

    /// `usermod -l user node` renames node's UID-1000 account: `USER user` is UID 1000 (the
    /// corpus's blackdreamio4 linkscribe Space).
    #[test]
    fn a_renamed_base_user_keeps_its_uid() {
        let renamed = "FROM node:20-slim\nRUN usermod -l user node && groupmod -n user node && usermod -d /home/user -m user\nUSER user\n";
        assert!(codes_for(renamed, "DF005").is_empty());
        let other = "FROM node:20-slim\nRUN useradd -u 1001 app && usermod -l svc app\nUSER svc\n";
        assert_eq!(codes_for(other, "DF005").len(), 1);
    }

    /// micromamba's images run as `mambauser` (57439) when no USER is set: not root (no DF004),
    /// but not the Hub's UID either.
    #[test]
    fn a_base_that_runs_as_its_own_user() {
        let mamba = "FROM mambaorg/micromamba:1.5.8\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
        let found = crate::rules::testing::codes_for(mamba, "DF005");
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("mambauser") && found[0].message.contains("57439"), "{}", found[0].message);
        assert!(crate::rules::testing::codes_for(mamba, "DF004").is_empty());
        assert!(codes_for("FROM jupyter/base-notebook:latest\n", "DF005").is_empty());
    }

    #[test]
    fn numeric_user_policy() {
        let p = policy::parse("dockerfile:\n  numeric_user: true\n", "p").unwrap();
        let d = lint_with(
            &[("README.md", README), ("Dockerfile", "FROM python\nRUN useradd -u 1000 user\nUSER user\n")],
            &p,
        );
        assert!(d.iter().any(|d| d.code == "DF005"));
        let d = lint_with(&[("README.md", README), ("Dockerfile", "FROM python\nUSER 1000\n")], &p);
        assert!(!d.iter().any(|d| d.code == "DF005"));
    }

    /// The fix writes 1000 where the Dockerfile gives the UID, in any spelling; a base image
    /// whose own account has UID 1000 gets none (creating a second one fails: DF013's).
    #[test]
    fn the_fix_gives_the_user_uid_1000() {
        // A policy of its own: DF005 then reports the UID whatever the app writes.
        let policy = crate::policy::parse("space:\n  app_port: 7860\n", "p").expect("policy");
        let df005 = |text: &str| -> Vec<crate::rules::Diagnostic> {
            let files = [("README.md", README), ("Dockerfile", text)];
            crate::rules::testing::lint_with(&files, &policy).into_iter().filter(|d| d.code == "DF005").collect()
        };
        let fixed = |text: &str| {
            let found = df005(text);
            let edits: Vec<&crate::diag::Edit> = found.iter().filter_map(|d| d.fix.as_ref()).flat_map(|f| &f.edits).collect();
            let text = crate::fix::apply(text, &edits);
            let left = df005(&text);
            (text, left)
        };
        let tail = "USER app\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
        for (spelling, after) in [("-u 1001", "-u 1000"), ("-u1001", "-u1000"), ("--uid 1001", "--uid 1000"), ("--uid=1001", "--uid=1000")] {
            let text = format!("FROM python:3.11\nRUN useradd -m {spelling} app\n{tail}");
            let (fixed_text, left) = fixed(&text);
            assert_eq!(fixed_text, format!("FROM python:3.11\nRUN useradd -m {after} app\n{tail}"), "{spelling}");
            assert!(left.is_empty(), "{left:?}");
        }
        let node = format!("FROM node:20\nRUN useradd -m -u 1001 app\n{tail}");
        assert_eq!(fixed(&node).0, node);
    }
}


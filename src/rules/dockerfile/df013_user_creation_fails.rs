use super::{command_span, describe_base};
use crate::model::base::Distro;
use crate::model::installs::{system_install, SystemManager};
use crate::model::RunCommand;
use crate::parse::shell::{ParsedArgs, SimpleCommand};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF013,
    name: "user-creation-fails",
    severity: Severity::Error,
    summary: "creating the UID-1000 user fails on this base image (UID 1000 taken, or no useradd on Alpine)",
    doc: r#"## What it checks
`RUN` lines that create users or groups, against what the base image ships:
- `useradd -u 1000` (or `adduser -u 1000`, `groupadd -g 1000`) on an image that already has
  UID 1000: `node` in the node images, `bun` in oven/bun, `ubuntu` from Ubuntu 24.04 on (and
  images built on it, `nvidia/cuda:…-ubuntu24.04`), `jovyan` in Jupyter's images. Not reported
  with `-o`/`--non-unique` (or `groupadd -f`), after the Dockerfile removes or renumbers that
  user (`userdel -r node`, `usermod -u 1001 node`), or when the command may fail harmlessly
  (`… || true`, inside an `if`).
- `useradd`, `groupadd`, `usermod`, `userdel` on Alpine, which has BusyBox's `adduser` and
  `addgroup` only, unless the Dockerfile installs `shadow` (`apk add shadow`) first.

## Why it matters on a Space
The Hub runs the container as UID 1000, so the Space's docs create a UID-1000 user. On an image
where UID 1000 exists, useradd stops with "useradd: UID 1000 is not unique" (exit 4); on Alpine,
with "useradd: not found" (exit 127): the build fails and the Space never starts.

## Example
```dockerfile
FROM node:20-slim
RUN useradd -m -u 1000 user
USER user
```

## Fix
Use the user the image already has (`USER node` on node images: it is UID 1000), or remove it
first (`userdel -r node && useradd -m -u 1000 user`). On Alpine: `adduser -D -u 1000 user`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("reusing or renaming the image's own UID-1000 account changes the names and paths the Dockerfile uses; the help shows both ways"),
};

const USERADD_VALUES: &[&str] = &[
    "-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home-dir", "--home", "-s", "--shell", "-c", "--comment",
    "-k", "--skel", "-K", "--key", "-e", "--expiredate", "-f", "--inactive", "-p", "--password", "-b", "--base-dir",
    "-h",
];
const SHADOW_TOOLS: &[&str] = &["useradd", "groupadd", "usermod", "userdel", "groupdel", "groupmod"];

/// The UID (or GID) 1000 this command asks for, unless it allows a duplicate.
fn asks_for_1000(command: &SimpleCommand) -> bool {
    let Some(program) = command.program_name() else { return false };
    let args: ParsedArgs = command.args(USERADD_VALUES);
    let id_flags: &[&str] = match program {
        "useradd" | "adduser" => &["-u", "--uid"],
        "groupadd" | "addgroup" => &["-g", "--gid"],
        _ => return false,
    };
    let allows_duplicate = args.has(&["-o", "--non-unique"]) || (program == "groupadd" && args.has(&["-f", "--force"]));
    args.value(id_flags) == Some("1000") && !allows_duplicate
}

/// The commands that run before command `index` of RUN `at`: those of the earlier RUNs, then
/// the earlier ones of that RUN.
fn commands_before<'a>(runs: &'a [&'a RunCommand], at: usize, index: usize) -> impl Iterator<Item = &'a SimpleCommand> {
    runs.iter().take(at + 1).enumerate().flat_map(move |(r, run)| {
        let upto = if r == at { index } else { run.commands.len() };
        run.commands[..upto.min(run.commands.len())].iter()
    })
}

/// Whether the commands before `(run, index)` remove or renumber `user`.
fn freed_before(runs: &[&RunCommand], at: usize, index: usize, user: &str) -> bool {
    commands_before(runs, at, index).any(|c| {
        let names_user = c.words.iter().skip(1).any(|w| w == user);
        match c.program_name() {
            Some("userdel" | "deluser" | "groupdel" | "delgroup") => names_user,
            Some("usermod" | "groupmod") => {
                let args = c.args(USERADD_VALUES);
                names_user && args.value(&["-u", "--uid", "-g", "--gid"]).is_some_and(|v| v != "1000")
            }
            _ => false,
        }
    })
}

/// Whether the commands before `(run, index)` install shadow (`apk add shadow`).
fn installs_shadow_before(runs: &[&RunCommand], at: usize, index: usize) -> bool {
    commands_before(runs, at, index).any(|c| system_install(c).is_some_and(|i| i.manager == SystemManager::Apk && i.names("shadow")))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let needed = model.needed_stages();
    for stage in needed.iter().copied() {
        // Only a stage that creates users or groups can fail here (most have none: the look
        // back below is not paid for them).
        let creates = |c: &crate::parse::shell::SimpleCommand| {
            asks_for_1000(c) || c.program_name().is_some_and(|p| SHADOW_TOOLS.contains(&p))
        };
        if !model.runs.iter().any(|r| r.stage == stage && r.commands.iter().any(creates)) {
            continue;
        }
        let base = model.stage_base(stage);
        // The RUNs this stage's image is made of: its own and those of the stages it is built FROM.
        let runs = model.lineage_runs(stage);
        for (at, run) in runs.iter().enumerate().filter(|(_, r)| r.stage == stage) {
            let found = run.commands.iter().enumerate().filter(|(_, c)| !c.conditional).find_map(|(k, c)| {
                let program = c.program_name()?;
                if let Some(existing) = base.uid_1000_user {
                    if asks_for_1000(c) && !freed_before(&runs, at, k, existing) {
                        let what = if program.contains("group") { "GID" } else { "UID" };
                        let message = format!(
                            "`{program}` asks for {what} 1000, but {} already has `{existing}` with {what} 1000: the build fails with \"{program}: {what} 1000 is not unique\"",
                            describe_base(model, stage)
                        );
                        let help = format!("use the image's own user (`USER {existing}`: it is UID 1000), or remove it first: `userdel -r {existing} && useradd -m -u 1000 user`");
                        return Some((k, message, help));
                    }
                }
                if base.distro == Distro::Alpine && SHADOW_TOOLS.contains(&program) && !installs_shadow_before(&runs, at, k) {
                    let message = format!(
                        "`{program}` is not on Alpine ({} has BusyBox's adduser and addgroup only): the build fails with \"{program}: not found\"",
                        describe_base(model, stage)
                    );
                    let help = "on Alpine, `adduser -D -u 1000 user` (or `apk add --no-cache shadow` first)".to_string();
                    return Some((k, message, help));
                }
                None
            });
            if let Some((k, message, help)) = found {
                out.push(Diagnostic::new(&RULE, message).at(file, command_span(ctx, run, k)).label("fails").help(help));
            }
        }
    }
    out.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    fn fires(dockerfile: &str) -> usize {
        codes_for(dockerfile, "DF013").len()
    }

    #[test]
    fn uid_1000_taken_fails() {
        assert_eq!(fires("FROM node:20-slim\nRUN useradd -m -u 1000 user\nUSER user\n"), 1);
        assert_eq!(fires("FROM ubuntu:24.04\nRUN groupadd -g 1000 app && useradd -m -u 1000 -g app app\n"), 1);
        assert_eq!(fires("FROM node:20-alpine\nRUN adduser -D -u 1000 user\n"), 1);
        assert_eq!(fires("FROM nvidia/cuda:12.6.0-runtime-ubuntu24.04\nRUN useradd --uid=1000 -m user\n"), 1);
        let d = codes_for("FROM node:20\nRUN useradd -m -u 1000 user\n", "DF013");
        assert!(d[0].message.contains("`node:20` already has `node` with UID 1000"), "{}", d[0].message);
    }

    #[test]
    fn useradd_on_alpine_fails() {
        assert_eq!(fires("FROM python:3.12-alpine\nRUN useradd -m -u 1000 user\n"), 1);
        assert_eq!(fires("FROM alpine:3.20\nRUN apk add --no-cache shadow && useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM python:3.12-alpine\nRUN adduser -D -u 1000 user\n"), 0);
    }

    #[test]
    fn near_misses_stay_silent() {
        assert_eq!(fires("FROM python:3.11\nRUN useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM ubuntu:22.04\nRUN useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM node:20\nUSER node\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN userdel -r node && useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN usermod -u 1001 node\nRUN useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN useradd -o -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN useradd -m -u 1000 user || true\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN id -u 1000 || useradd -m -u 1000 user\n"), 0);
        assert_eq!(fires("FROM node:20\nRUN useradd -m user\n"), 0);
        // A builder stage on node that the final image does not need.
        assert_eq!(fires("FROM node:20 AS x\nRUN useradd -u 1000 u\nFROM python:3.11\n"), 0);
    }
}

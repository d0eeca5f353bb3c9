use crate::diag::{Applicability, Fix};
use super::{command_span, describe_state, describe_user};
use crate::model::{Account, DeniedWrite, RuntimeUser, WriteTarget};
use crate::parse::shell::SimpleCommand;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF012,
    name: "root-command-as-user",
    severity: Severity::Error,
    summary: "a RUN after USER runs a command that needs root (apt-get, useradd…) or writes where its user cannot: the build fails",
    doc: r#"## What it checks
Each `RUN` of the stages the build needs, with the user it runs as: the last `USER` before it
in its stage (and the stages it is built `FROM`), or the base image's own user (`jovyan` in
Jupyter's images, `mambauser` in micromamba's). When that user is not root, a command that
only root may run is reported: package managers that change the system (`apt-get install`,
`apt-get update`, `apk add`, `dpkg -i`, `dnf install`…), account tools (`useradd`, `groupadd`,
`usermod`, `adduser`…), and `npm install -g` without an npm prefix the user owns
(`NPM_CONFIG_PREFIX`). A command the script survives (`… || true`, inside an `if`) or that
runs through `sudo`/`gosu` is not reported. `pip install` is not reported: as a non-root user
pip falls back to `--user` by itself.

It also reports a write the user may not make at that point of the build, asked of the model's
map of owners: `mkdir`, `touch`, `cp`/`mv`/`install`/`ln`, `tee` or a `>` redirection into a
folder root owns (`/opt`, `/etc`, `/usr`, a WORKDIR created before USER), and `pip install` into
a virtual environment root created (`python -m venv /opt/venv` before USER, its `bin` first on
PATH): pip does not fall back to `--user` inside a venv. Only paths the script names completely
are judged (no `$VAR`, `~`, globs), only on base images whose tree is known and that run as root
(Jupyter's and micromamba's images own folders the map does not show), and `mkdir -p` only when
the folder it makes is new (`mkdir -p /usr/local/bin` writes nothing).

## Why it matters on a Space
`USER` applies to every later `RUN`, not only to the app. apt-get run as UID 1000 stops with
"Could not open lock file /var/lib/apt/lists/lock (13: Permission denied)", apk with "Unable
to lock database: Permission denied", useradd with "Permission denied ... cannot lock
/etc/passwd", `mkdir /opt/models` with "Permission denied", pip in root's venv with "[Errno 13]
Permission denied: '/opt/venv/lib/python3.11/site-packages/…'": the Hub's build fails and the
Space never starts.

## Example
```dockerfile
FROM python:3.11-slim
RUN useradd -m -u 1000 user
USER user
RUN apt-get update && apt-get install -y ffmpeg
```

## Fix
Install system packages before `USER`, or wrap them in `USER root` … `USER user`:
```dockerfile
FROM python:3.11-slim
RUN apt-get update && apt-get install -y ffmpeg
RUN useradd -m -u 1000 user
USER user
```
For a write, make the folder before `USER` and give it to the user
(`RUN mkdir -p /opt/models && chown -R user /opt/models`), or write under the user's home; create
a venv after `USER` (or `chown -R user /opt/venv` before it).

`spacecheck --fix --unsafe-fixes` puts `USER root` before the step and the user back after it
(unsafe: what the step makes is then root's, and moving it before `USER` may be preferred)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Package-manager subcommands that write the system's package database or files.
const APT_WRITES: &[&str] = &[
    "install",
    "update",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "remove",
    "purge",
    "autoremove",
    "build-dep",
    "clean",
    "autoclean",
];
const APK_WRITES: &[&str] = &["add", "del", "update", "upgrade", "fix"];
const RPM_WRITES: &[&str] =
    &["install", "in", "update", "up", "upgrade", "remove", "rm", "erase", "makecache", "clean", "groupinstall", "reinstall"];
const ACCOUNT_TOOLS: &[&str] = &[
    "useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod", "adduser", "addgroup", "deluser", "delgroup",
    "chpasswd",
];
/// `dpkg` actions that install, remove or configure packages.
const DPKG_WRITES: &[&str] =
    &["-i", "--install", "-r", "--remove", "-P", "--purge", "--configure", "--unpack", "-a", "--set-selections"];

/// What in `command` needs root, as it would be quoted (`apt-get install`), if anything.
fn needs_root(command: &SimpleCommand, npm_prefix_owned: bool) -> Option<String> {
    let program = command.program_name()?;
    let subcommand = || command.words.iter().skip(1).find(|w| !w.starts_with('-')).map(String::as_str);
    let with_sub = |writes: &[&str]| subcommand().filter(|s| writes.contains(s)).map(|s| format!("{program} {s}"));
    match program {
        "apt-get" | "apt" | "aptitude" => {
            // `-s`/`--simulate` and friends only print what would happen.
            let simulated =
                command.words.iter().any(|w| matches!(w.as_str(), "-s" | "--simulate" | "--dry-run" | "--just-print"));
            with_sub(APT_WRITES).filter(|_| !simulated)
        }
        "apk" => with_sub(APK_WRITES),
        "dnf" | "yum" | "microdnf" | "tdnf" | "zypper" => with_sub(RPM_WRITES),
        "dpkg" => command.words.iter().skip(1).find(|w| DPKG_WRITES.contains(&w.as_str())).map(|w| format!("dpkg {w}")),
        p if ACCOUNT_TOOLS.contains(&p) => Some(p.to_string()),
        "npm" | "pnpm" if !npm_prefix_owned => {
            let global = command.words.iter().any(|w| w == "-g" || w == "--global");
            let installs = subcommand().is_some_and(|s| matches!(s, "install" | "i" | "add" | "update"));
            (global && installs).then(|| format!("{program} {} -g", subcommand().unwrap_or("install")))
        }
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let needed = model.needed_stages();
    // A global npm prefix the user owns makes `npm install -g` a user install.
    let npm_prefix_owned = model.var_defs.iter().any(|v| v.name.eq_ignore_ascii_case("NPM_CONFIG_PREFIX"))
        || model.runs.iter().any(|r| r.text.contains("npm config set prefix"));
    for (n, run) in model.runs.iter().enumerate().filter(|(_, r)| needed.contains(&r.stage)) {
        let account = model.account(run.stage, &run.user);
        if !matches!(account, Account::NonRoot { .. }) {
            continue;
        }
        let found = run
            .commands
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.conditional)
            .find_map(|(k, c)| needs_root(c, npm_prefix_owned).map(|what| (k, what)));
        let who = describe_user(file, &run.user, &account);
        if let Some((index, what)) = found {
            out.push(
                Diagnostic::new(
                    &RULE,
                    format!("`{what}` runs as {who}, but only root may run it: the build fails with \"Permission denied\""),
                )
                .at(file, command_span(ctx, run, index))
                .label("needs root")
                .help(help_for(&run.user))
                .maybe_fix(as_root(ctx, file, run)),
            );
        } else if let Some(denied) = model.denied_writes.iter().find(|d| d.run == n) {
            out.push(denied_write(ctx, file, run, denied, &who).maybe_fix(as_root(ctx, file, run)));
        }
    }
}

/// `USER root` on the line before the RUN and the user as written back on the line after it.
/// Unsafe: what the step makes is then root's, which the app may need to write (the re-lint
/// says so); moving the step before `USER` may be what the author prefers.
fn as_root(ctx: &Context, file: &crate::source::SourceFile, run: &crate::model::RunCommand) -> Option<Fix> {
    let RuntimeUser::Set { user, .. } = &run.user else { return None };
    let ins = ctx.parsed_dockerfile()?.instructions.get(run.instruction)?;
    let lines = crate::rules::edits::instruction_lines(file, ins)?;
    let nl = file.newline();
    let glue = if file.text[..lines.end].ends_with('\n') { "" } else { nl };
    let edits = [
        (lines.start..lines.start, format!("USER root{nl}")),
        (lines.end..lines.end, format!("{glue}USER {}{nl}", user.raw)),
    ];
    let message = format!("run this step as root: `USER root` before it, `USER {}` after it", user.raw);
    Some(Fix::edits(Applicability::Unsafe, message, file, edits))
}

fn help_for(user: &RuntimeUser) -> String {
    match user {
        RuntimeUser::Set { user, .. } => format!(
            "run it before `USER {}`, or put `USER root` before this RUN and `USER {}` after it",
            user.raw, user.raw
        ),
        RuntimeUser::Default => "put `USER root` before this RUN and the image's user back after it".to_string(),
    }
}

/// A write the RUN's user may not make: where, and who owns what stops it.
fn denied_write(
    ctx: &Context,
    file: &crate::source::SourceFile,
    run: &crate::model::RunCommand,
    denied: &DeniedWrite,
    who: &str,
) -> Diagnostic {
    let state = describe_state(ctx, file, &denied.state);
    let program = run.commands.get(denied.command).and_then(|c| c.program_name()).unwrap_or("the command");
    let user = match &run.user {
        RuntimeUser::Set { user, .. } => user.raw.clone(),
        RuntimeUser::Default => "the image's user".to_string(),
    };
    let (message, help) = match &denied.target {
        WriteTarget::Path(path) => {
            let verb = if denied.blocking == path.trim_end_matches('/') { "write" } else { "create" };
            (
                format!(
                    "`{program}` runs as {who}, which cannot {verb} `{path}`: `{}` is {state}; the build fails with \"Permission denied\"",
                    denied.blocking
                ),
                format!(
                    "make it before `USER {user}` and give it to the user (`mkdir -p {path} && chown -R {user} {path}`), or write under the user's home; or {}",
                    help_for(&run.user)
                ),
            )
        }
        WriteTarget::Venv(venv) => (
            format!(
                "`{program} install` runs as {who} into the virtual environment `{venv}`: `{}` is {state}, and pip does not fall back to `--user` in a venv; the build fails with \"[Errno 13] Permission denied\"",
                denied.blocking
            ),
            format!(
                "give the venv to the user before USER (`chown -R {user} {venv}`), or create it after `USER {user}`, or run this pip install before USER"
            ),
        ),
    };
    Diagnostic::new(&RULE, message)
        .at(file, command_span(ctx, run, denied.command))
        .label("permission denied")
        .help(help)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    const USER: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\n";

    fn fires(dockerfile: &str) -> usize {
        codes_for(dockerfile, "DF012").len()
    }

    #[test]
    fn root_commands_after_user_fail() {
        assert_eq!(fires(&format!("{USER}RUN apt-get update && apt-get install -y ffmpeg\n")), 1);
        assert_eq!(fires(&format!("{USER}RUN useradd -m other\n")), 1);
        assert_eq!(fires("FROM python:3.11-alpine\nRUN adduser -D -u 1000 user\nUSER user\nRUN apk add --no-cache git\n"), 1);
        assert_eq!(fires(&format!("{USER}RUN npm install -g pnpm\n")), 1);
        assert_eq!(fires("FROM python:3.11\nUSER 1000\nRUN dpkg -i x.deb\n"), 1);
        // The base image's own user: Jupyter's images run as jovyan.
        assert_eq!(fires("FROM jupyter/base-notebook\nRUN apt-get install -y git\n"), 1);
        // A USER in the stage a later stage is built FROM carries over.
        assert_eq!(fires("FROM python:3.11 AS base\nRUN useradd -m -u 1000 user\nUSER user\nFROM base\nRUN apt-get update\n"), 1);
        let d = codes_for(&format!("{USER}WORKDIR /app\nRUN pip install x && apt-get install -y git\n"), "DF012");
        assert!(d[0].message.contains("`apt-get install` runs as `user` (UID 1000, set by USER on line 3)"), "{}", d[0].message);
    }

    #[test]
    fn writes_the_user_may_not_make_fail() {
        let messages = |dockerfile: &str| -> Vec<String> {
            codes_for(dockerfile, "DF012").into_iter().map(|d| d.message).collect()
        };
        let m = messages(&format!("{USER}RUN mkdir -p /opt/models\n"));
        assert!(m[0].contains("cannot create `/opt/models`: `/opt` is owned by root (in the base image)"), "{m:?}");
        // A WORKDIR made by root before USER: the user cannot add to it.
        let m = messages("FROM python:3.11\nWORKDIR /app\nRUN useradd -m -u 1000 user\nUSER user\nRUN mkdir data\n");
        assert!(m[0].contains("cannot create `/app/data`: `/app` is owned by root (created by WORKDIR on line 2)"), "{m:?}");
        assert_eq!(fires(&format!("{USER}RUN echo 'x' > /etc/app.conf\n")), 1);
        assert_eq!(fires(&format!("{USER}RUN cd /opt && touch ready\n")), 1);
        assert_eq!(fires(&format!("{USER}RUN ln -s /home/user/run.sh /usr/local/bin/run\n")), 1);
        // pip into a venv root made, found first on PATH or called by its path.
        let venv = "FROM python:3.11-slim\nRUN python -m venv /opt/venv\nRUN useradd -m -u 1000 user\nUSER user\n";
        assert_eq!(fires(&format!("{venv}ENV PATH=/opt/venv/bin:$PATH\nRUN pip install gradio\n")), 1);
        assert_eq!(fires(&format!("{venv}RUN /opt/venv/bin/pip install gradio\n")), 1);
    }

    #[test]
    fn writes_the_user_may_make_stay_silent() {
        // Its home, a folder given to it before USER, one WORKDIR made after USER, /tmp.
        assert_eq!(fires(&format!("{USER}RUN mkdir -p /home/user/app/data && touch /home/user/x\n")), 0);
        assert_eq!(fires("FROM python:3.11\nRUN useradd -m -u 1000 user\nRUN mkdir -p /app && chown -R user /app\nUSER user\nRUN mkdir /app/data\n"), 0);
        assert_eq!(fires(&format!("{USER}WORKDIR /app\nRUN mkdir data && echo x > data/seed\n")), 0);
        assert_eq!(fires("FROM python:3.11\nRUN useradd -m -u 1000 user\nCOPY --chown=1000 . /app\nUSER user\nRUN mkdir /app/data\n"), 0);
        assert_eq!(fires(&format!("{USER}RUN echo x > /tmp/x && mkdir -p /tmp/a /var/tmp/b\n")), 0);
        // A folder the base image already has: `mkdir -p` writes nothing.
        assert_eq!(fires(&format!("{USER}RUN mkdir -p /usr/local/bin /opt\n")), 0);
        // What the text does not name completely, or a write the script survives.
        assert_eq!(fires(&format!("{USER}RUN mkdir -p $HOME/data ~/x && cd $APP && mkdir y\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN mkdir /opt/x || true\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN echo x > /dev/null 2>&1\n")), 0);
        // A base image with its own user owns folders the map does not show.
        assert_eq!(fires("FROM jupyter/base-notebook\nRUN mkdir -p /opt/conda/share/x\n"), 0);
        // The venv given to the user, made after USER, or the system's pip first on PATH.
        let venv = "FROM python:3.11-slim\nRUN python -m venv /opt/venv\nRUN useradd -m -u 1000 user\n";
        assert_eq!(fires(&format!("{venv}RUN chown -R user /opt/venv\nUSER user\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install x\n")), 0);
        assert_eq!(fires("FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nRUN python -m venv /home/user/venv\nENV PATH=/home/user/venv/bin:$PATH\nRUN pip install x\n"), 0);
        assert_eq!(fires(&format!("{venv}USER user\nRUN pip install x\n")), 0);
    }

    #[test]
    fn near_misses_stay_silent() {
        // Before USER, back to root, through sudo, survived, simulated, pip (falls back to --user).
        assert_eq!(fires("FROM python:3.11\nRUN apt-get update\nRUN useradd -m -u 1000 user\nUSER user\n"), 0);
        assert_eq!(fires(&format!("{USER}USER root\nRUN apt-get update\nUSER user\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN sudo apt-get update\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN useradd other || true\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN apt-get -s install git\n")), 0);
        assert_eq!(fires(&format!("{USER}RUN pip install --no-cache-dir gradio\n")), 0);
        assert_eq!(fires(&format!("{USER}ENV NPM_CONFIG_PREFIX=/home/user/.npm-global\nRUN npm install -g pnpm\n")), 0);
        // apt-get in a builder stage run as root; USER only in the final stage.
        assert_eq!(fires("FROM node:20 AS ui\nRUN apt-get update\nFROM python:3.11\nUSER 1000\nCOPY --from=ui /a /a\n"), 0);
        // A stage the final image does not need is not built.
        assert_eq!(fires("FROM python:3.11 AS unused\nUSER 1000\nRUN apt-get update\nFROM python:3.11\n"), 0);
        // A USER from a build argument without a value: unknown, not judged.
        assert_eq!(fires("FROM python:3.11\nARG U\nUSER $U\nRUN apt-get update\n"), 0);
        // `USER root` by UID.
        assert_eq!(fires("FROM python:3.11\nUSER 0\nRUN apt-get update\n"), 0);
    }
}

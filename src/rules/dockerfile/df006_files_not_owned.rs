use crate::diag::{Applicability, Fix};
use super::AppWrites;
use crate::model::app::DeniedAppWrite;
use crate::model::fs::Change;
use crate::model::{CopyFrom, CopyOp, ImageModel, RuntimeUser, Uid};
use crate::parse::user_spec::UserSpec;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF006,
    name: "files-not-owned",
    severity: Severity::Warning,
    summary: "the app, run as a non-root user, writes into a folder or file another user owns",
    doc: r#"## What it checks
For an image that runs as a non-root user, every write the app's code makes (read as DF004 reads
it: the start command's Python files and the Space modules they import, each write resolved to a
path of the image) against the final image's file system: who owns each path after every
`COPY --chown`, `chown -R`, `chmod` and `WORKDIR`. One finding per path that refuses writes, at
the instruction that made it (the `COPY` that wrote it as root, the `WORKDIR` or `mkdir` run as
root), naming the writes (`app.py:12`): an **error** when one runs at import time (the app stops
at start), a warning when they run in a function. Files the app only reads (a root-owned copy of
`config.json`, `requirements.txt`, the code itself) are never reported.

When the code the start command runs is not in the Space's folder (cloned during the build,
copied from outside the folder), the files cannot tell what it writes: each root-owned context
copy into an app folder is reported as an **info** that says what is assumed; copies into
system folders (`/etc`, `/usr`, `/tmp`...), from other stages, and of dependency manifests and
`.sh` scripts are not. When the app is code spacecheck does not read (a Node or compiled
server), the rule is reported as skipped, with the reason.

## Why it matters on a Space
`COPY` always writes files as root, whatever `USER` says. On the Hub the app runs as UID 1000 and
cannot write its own folder: SQLite databases, caches, uploads and generated files fail with
"Permission denied".

## Example
```dockerfile
RUN useradd -m -u 1000 user
USER user
WORKDIR /home/user/app
COPY . .          # data/ comes from the Space, root-owned
# app.py: sqlite3.connect("data/app.db")
```

## Fix
`COPY --chown=user . .` (or `--chown=1000`) for a copied folder; for a folder made as root
(`WORKDIR`, `mkdir` before `USER`), `RUN chown -R user <dir>`, or make it after `USER`.

`spacecheck --fix` adds `--chown=<UID>` (the runtime user's UID: a number needs no passwd entry
at that step) or puts the UID in place of another owner (safe: the app's user gets its files)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

const SYSTEM_DIRS: &[&str] =
    &["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/tmp", "/var/lib/apt", "/docker-entrypoint.d"];

/// The owner to give the files: the runtime user's UID, a number COPY resolves without looking
/// the name up (a user created later in the file, as DF004's fix does, still works). Only when
/// the UID is certain.
fn owner_uid(model: &ImageModel, runtime: &str) -> Option<u32> {
    match model.resolve_uid(runtime) {
        Uid::Known(uid) => Some(uid),
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let RuntimeUser::Set { user, .. } = &model.runtime_user else { return };
    let runtime = user.value.as_str();
    if model.same_user(runtime, "root") || UserSpec::parse(runtime).is_root() {
        return;
    }
    let denied = match super::app_writes(ctx) {
        AppWrites::Denied(denied) => denied,
        AppWrites::NotInSpace(why) => return assumed(file, model, runtime, &why, out),
        AppWrites::NotReadable(why) => {
            return ctx.skip(RULE.code, format!("{why}: what the app writes is not known"));
        }
    };
    // One finding per path that refuses the writes, at the instruction that made it root's (or
    // another user's), naming every write it refuses.
    let mut by_blocking: Vec<(String, Vec<&DeniedAppWrite>)> = Vec::new();
    for d in &denied {
        match by_blocking.iter_mut().find(|(b, _)| *b == d.blocking) {
            Some((_, list)) => list.push(d),
            None => by_blocking.push((d.blocking.clone(), vec![d])),
        }
    }
    for (blocking, writes) in by_blocking {
        let state = &writes[0].state;
        let instruction = state.instruction.and_then(|n| ctx.parsed_dockerfile()?.instructions.get(n));
        let span = instruction.map(|i| i.span.clone()).or_else(|| ctx.start.as_ref()?.span.clone()).unwrap_or(0..0);
        let at_start = writes.iter().any(|d| !d.write.in_function);
        let shown: Vec<String> = writes.iter().take(3).map(|d| super::describe_denied(ctx, file, d)).collect();
        let more = if writes.len() > 3 { format!(", and {} more", writes.len() - 3) } else { String::new() };
        let consequence = if at_start {
            "the app fails at start with \"Permission denied\""
        } else {
            "that code fails with \"Permission denied\" when it runs"
        };
        let message = format!(
            "the Hub runs the app as UID 1000, which cannot write `{blocking}`: {}{more}; {consequence}",
            shown.join("; ")
        );
        let copy = model.copies.iter().find(|c| Some(c.instruction) == state.instruction && c.from == CopyFrom::Context);
        let help = match (copy, state.change) {
            (Some(c), _) => format!("add `--chown={runtime}` to this {}", c.kind.keyword()),
            (None, Change::Base) => format!("write under the app user's HOME or `/tmp` instead of `{blocking}`, or create it in the Dockerfile with `RUN mkdir -p {blocking} && chown {runtime} {blocking}`"),
            (None, _) => format!("make `{blocking}` the app user's: `RUN chown -R {runtime} {blocking}` after it is created, or create it after `USER {runtime}`"),
        };
        let mut d = Diagnostic::new(&RULE, message)
            .at(file, span)
            .severity(if at_start { Severity::Error } else { RULE.severity })
            .help(help);
        // Safe: the app's user gets the files the app writes.
        d.fix = copy.filter(|c| c.chown.is_none()).and_then(|c| chown_fix(file, c, model, runtime));
        out.push(d);
    }
}

/// Without the app's code: every root-owned copy into an app folder, said as an assumption.
fn assumed(file: &SourceFile, model: &ImageModel, runtime: &str, why: &str, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<String> = Vec::new();
    for copy in &model.copies {
        if copy.from != CopyFrom::Context || SYSTEM_DIRS.iter().any(|d| copy.dest == *d || copy.dest.starts_with(&format!("{d}/")))
        {
            continue;
        }
        if let Some(chown) = &copy.chown {
            if model.same_user(&chown.value, runtime) {
                continue;
            }
            let mut d = Diagnostic::new(
                &RULE,
                format!("this {} gives the files to `{}`, but the image runs as `{runtime}`; spacecheck cannot see what the app writes ({why}), so it assumes the app writes its own files", copy.kind.keyword(), chown.value),
            )
            .at(file, chown.span.clone())
            .severity(Severity::Info)
            .help(format!("use `--chown={runtime}`"));
            // Safe: the files go to the user the app runs as.
            // The value of `--chown=…` (the span is the whole flag).
            let flag = &file.text[chown.span.clone()];
            let value = flag.find('=').map(|eq| chown.span.start + eq + 1..chown.span.end);
            d.fix = owner_uid(model, runtime).zip(value).filter(|(_, v)| !file.text[v.clone()].contains(['\n', '$'])).map(
                |(uid, value)| {
                    let message = format!("give the files to UID {uid} (`{runtime}`)");
                    Fix::replace(Applicability::Safe, message, file, value, uid.to_string())
                },
            );
            out.push(d);
            continue;
        }
        if copy.chmod.is_some_and(|m| m.world_writable())
            || fixed_later(model, copy, runtime)
            || only_build_manifests(copy)
            || copied_over_later(model, copy, runtime)
        {
            continue;
        }
        // One finding per folder: copies into a folder already reported add nothing.
        let dest = copy.dest.trim_end_matches('/').to_string();
        if reported.iter().any(|r: &String| dest == *r || dest.starts_with(&format!("{r}/"))) {
            continue;
        }
        reported.push(dest);
        let mut d = Diagnostic::new(
            &RULE,
            format!("{} writes `{}` as root, but the app runs as `{runtime}`, so it cannot change these files (COPY ignores USER); spacecheck cannot see what the app writes ({why}), so it assumes the app writes there", copy.kind.keyword(), copy.dest),
        )
        .at(file, copy.span.clone())
        .severity(Severity::Info)
        .help(format!("add `--chown={runtime}` to this {}", copy.kind.keyword()));
        d.fix = chown_fix(file, copy, model, runtime);
        out.push(d);
    }
}

/// `--chown=<uid>` right after the COPY/ADD keyword. Safe: the app's user gets the files it
/// runs from, which is what a Space needs.
fn chown_fix(file: &SourceFile, copy: &CopyOp, model: &ImageModel, runtime: &str) -> Option<Fix> {
    let uid = owner_uid(model, runtime)?;
    let text = &file.text[copy.span.clone()];
    let keyword = text.len() - text.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
    if keyword == 0 || !text[keyword..].starts_with([' ', '\t']) {
        return None;
    }
    let at = copy.span.start + keyword;
    let message = format!("add `--chown={uid}` (`{runtime}`)");
    Some(Fix::replace(Applicability::Safe, message, file, at..at, format!(" --chown={uid}")))
}

/// Files a build reads to install dependencies and nothing writes at run time.
const BUILD_MANIFESTS: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "environment.yaml",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "Gemfile",
    "Gemfile.lock",
];

/// A copy of dependency manifests or start scripts only (`COPY requirements.txt .`,
/// `COPY start.sh /start.sh`): they are read or run, never written by the app.
fn only_build_manifests(copy: &CopyOp) -> bool {
    !copy.sources.is_empty()
        && copy.sources.iter().all(|s| {
            let name = s.value.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            BUILD_MANIFESTS.contains(&name)
                || (name.starts_with("requirements") && name.ends_with(".txt"))
                || name.ends_with(".sh")
        })
}

/// A later copy of the whole context (`COPY --chown=user . .`) into the same folder or a folder
/// above it, owned by the runtime user: it replaces these files with the user's own.
fn copied_over_later(model: &ImageModel, copy: &CopyOp, runtime: &str) -> bool {
    let dest = copy.dest.trim_end_matches('/');
    model.copies.iter().filter(|c| c.instruction > copy.instruction && c.from == CopyFrom::Context).any(|later| {
        let owned = later.chown.as_ref().is_some_and(|c| model.same_user(&c.value, runtime));
        let whole_context = later.sources.iter().any(|s| matches!(s.value.trim_end_matches('/'), "." | "./" | ""));
        let later_dest = later.dest.trim_end_matches('/');
        owned && whole_context && (dest == later_dest || dest.starts_with(&format!("{later_dest}/")) || later_dest.is_empty())
    })
}

/// A later `chown -R user dir` or world-writable `chmod -R` covering the destination.
fn fixed_later(model: &ImageModel, copy: &CopyOp, runtime: &str) -> bool {
    let dest = copy.dest.trim_end_matches('/');
    model.ownership_fixes.iter().filter(|f| f.instruction > copy.instruction).any(|fix| {
        let owner_ok = fix.world_writable() || fix.owner.as_ref().is_some_and(|o| model.same_user(&o.user, runtime));
        let covers = fix.paths.iter().any(|p| {
            let p = p.trim_end_matches('/');
            let p = if p.is_empty() { "/" } else { p };
            dest == p || (fix.recursive && (p == "/" || dest.starts_with(&format!("{p}/"))))
        });
        owner_ok && covers
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes_for, lint, README};

    /// The start command runs code no file of the folder is copied to (cloned during the
    /// build): the files cannot tell what the app writes, so each root-owned copy is an assumed
    /// info.
    fn assumed(dockerfile: &str, code: &str) -> Vec<crate::rules::Diagnostic> {
        codes_for(&format!("{dockerfile}CMD [\"python\", \"/srv/cloned/main.py\"]\n"), code)
    }

    fn df006(dockerfile: &str, files: &[(&str, &str)]) -> Vec<crate::rules::Diagnostic> {
        let mut all = vec![("README.md", README), ("Dockerfile", dockerfile)];
        all.extend_from_slice(files);
        lint(&all).into_iter().filter(|d| d.code == "DF006").collect()
    }

    const APP_AS_USER: &str = "FROM python:3.11\nRUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY . .\nUSER user\nCMD [\"python\", \"app.py\"]\n";

    /// With the app's code: one finding per path that refuses a write, at the instruction that
    /// made it, naming the writes.
    #[test]
    fn names_the_writes_a_root_owned_copy_refuses() {
        let files = [("app.py", "import sqlite3\ndb = sqlite3.connect('data/app.db')\n"), ("data/seed.csv", "a\n")];
        let d = df006(APP_AS_USER, &files);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("cannot write `/app/data`"), "{}", d[0].message);
        assert!(d[0].message.contains("`app.py:2` writes `/app/data/app.db` (`sqlite3.connect`)"), "{}", d[0].message);
        assert_eq!(d[0].severity, crate::rules::Severity::Error);
        assert_eq!(d[0].position.as_ref().map(|p| p.line), Some(4), "at the COPY");
        assert!(d[0].fix.is_some(), "--chown on the COPY");
        // A write in WORKDIR's root-made folder: no COPY to fix, the help says how.
        let workdir = df006(APP_AS_USER, &[("app.py", "@app.get('/log')\ndef log(x):\n    open('app.log', 'a').write(x)\n")]);
        assert_eq!(workdir[0].position.as_ref().map(|p| p.line), Some(3), "{workdir:?}");
        assert_eq!(workdir[0].severity, crate::rules::Severity::Warning);
        assert!(workdir[0].help.as_deref().is_some_and(|h| h.contains("chown -R user /app")), "{workdir:?}");
    }

    /// The corpus's false findings: a root-owned COPY of files the app only reads.
    #[test]
    fn silent_when_the_app_only_reads_what_root_copied() {
        let files = [("app.py", "import json\nconfig = json.load(open('config.json'))\nopen('/tmp/out.txt', 'w')\n"), ("config.json", "{}")];
        assert!(df006(APP_AS_USER, &files).is_empty());
        // Code spacecheck does not read: skipped, not assumed.
        assert!(codes_for(&APP_AS_USER.replace("python\", \"app.py", "node\", \"server.js"), "DF006").is_empty());
        let cloned = assumed(&APP_AS_USER.replace("CMD [\"python\", \"app.py\"]\n", ""), "DF006");
        assert_eq!(cloned[0].severity, crate::rules::Severity::Info, "without the code it is an assumption");
        assert!(cloned[0].message.contains("which no file of this folder is copied to"), "{}", cloned[0].message);
    }

    const USER: &str = "FROM python:3.11\nRUN useradd -m -u 1000 user\n";

    #[test]
    fn fires_on_root_owned_copies() {
        assert_eq!(assumed(&format!("{USER}USER user\nWORKDIR /home/user/app\nCOPY . .\n"), "DF006").len(), 1);
        assert_eq!(assumed(&format!("{USER}WORKDIR /app\nCOPY . .\nUSER user\n"), "DF006").len(), 1);
        assert_eq!(assumed(&format!("{USER}USER user\nCOPY --chown=nobody . /app\n"), "DF006").len(), 1);
    }

    #[test]
    fn silent_when_owned() {
        assert!(assumed(&format!("{USER}USER user\nCOPY --chown=user . /app\n"), "DF006").is_empty());
        assert!(assumed(&format!("{USER}USER user\nCOPY --link --chown=1000 . /app\n"), "DF006").is_empty());
        assert!(assumed(&format!("{USER}WORKDIR /app\nCOPY . .\nRUN chown -R user:user /app\nUSER user\n"), "DF006")
            .is_empty());
        assert!(assumed(&format!("{USER}COPY . /app\nRUN chmod -R 777 /app\nUSER user\n"), "DF006").is_empty());
        assert!(assumed(&format!("{USER}COPY nginx.conf /etc/nginx/nginx.conf\nUSER user\n"), "DF006").is_empty());
        assert!(assumed(
            "FROM python AS b\nRUN x\nFROM python\nRUN useradd -u 1000 u\nCOPY --from=b /x /x\nUSER u\n",
            "DF006"
        )
        .is_empty());
        assert!(assumed("FROM python\nCOPY . /app\n", "DF006").is_empty(), "root at run time is DF004's");
    }

    /// The corpus's false findings: a manifest nothing writes, a folder reported once per copy,
    /// a copy the whole context then replaces with the user's own files.
    #[test]
    fn one_finding_per_folder_and_none_for_manifests_or_replaced_files() {
        let manifests = format!("{USER}WORKDIR /code\nCOPY ./requirements.txt /code/requirements.txt\nUSER user\n");
        assert!(assumed(&manifests, "DF006").is_empty());
        assert!(assumed(&format!("{USER}WORKDIR /app\nCOPY package.json package-lock.json ./\nUSER user\n"), "DF006").is_empty());
        assert!(assumed(&format!("{USER}COPY start.sh /start.sh\nUSER user\n"), "DF006").is_empty());
        let three = format!("{USER}WORKDIR /app\nCOPY requirements.txt .\nCOPY app.py .\nCOPY model/ ./model/\nUSER user\n");
        assert_eq!(assumed(&three, "DF006").len(), 1);
        let replaced = format!("{USER}WORKDIR /home/user/app\nCOPY app.py .\nUSER user\nCOPY --chown=user . .\n");
        assert!(assumed(&replaced, "DF006").is_empty());
    }

    #[test]
    fn chown_before_copy_does_not_count() {
        assert_eq!(assumed(&format!("{USER}RUN chown -R user /app\nCOPY . /app\nUSER user\n"), "DF006").len(), 1);
    }

    /// One definition of world-writable for `COPY --chmod` and `RUN chmod`.
    #[test]
    fn world_writable_modes_agree() {
        for mode in ["772", "777", "0666", "o+w", "a+rwX"] {
            let copy = format!("{USER}COPY --chmod={mode} . /app\nUSER user\n");
            let run = format!("{USER}COPY . /app\nRUN chmod -R {mode} /app\nUSER user\n");
            assert!(assumed(&copy, "DF006").is_empty(), "COPY --chmod={mode}");
            assert!(assumed(&run, "DF006").is_empty(), "RUN chmod {mode}");
        }
        for mode in ["775", "755", "u+w"] {
            assert_eq!(assumed(&format!("{USER}COPY --chmod={mode} . /app\nUSER user\n"), "DF006").len(), 1, "{mode}");
            let run = format!("{USER}COPY . /app\nRUN chmod -R {mode} /app\nUSER user\n");
            assert_eq!(assumed(&run, "DF006").len(), 1, "{mode}");
        }
    }
}

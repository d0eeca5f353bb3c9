use crate::diag::{Applicability, Fix};
use super::AppWrites;
use crate::model::app::DeniedAppWrite;
use crate::model::base::Distro;
use crate::model::fs::{Change, Owner};
use crate::model::{CopyFrom, CopyOp, ImageModel, RuntimeUser, Uid};
use crate::parse::dockerfile::Instruction;
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
root), naming the writes (`app.py:12`): an **error**, for the writes made when the app starts
(module level, a function called there, a startup hook), which stop it; writes in request
handlers are not judged (they may sit behind a setting or a caller that catches the error). Files the app only reads (a root-owned copy of
`config.json`, `requirements.txt`, the code itself) are never reported.

When the code the start command runs is not in the Space's folder (cloned during the build,
copied from a larger build context) or is code spacecheck does not read (a Node or compiled
server), the files cannot tell what it writes: the rule is reported as skipped, with the reason.

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
    fixable: crate::rules::Fixable::Yes,
};

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
        AppWrites::NotReadable(why) => {
            return ctx.skip(RULE.code, format!("{why}: what the app writes is not known"));
        }
    };
    // One finding per path that refuses the writes, at the instruction that made it root's (or
    // another user's), naming every write it refuses. A path the runtime user itself owns is
    // refused because that user is not UID 1000: DF005's.
    let mut by_blocking: Vec<(String, Vec<&DeniedAppWrite>)> = Vec::new();
    let own = |d: &&DeniedAppWrite| matches!(&d.state.owner, crate::model::fs::Owner::User(o) if model.same_user(o, runtime));
    for d in denied.iter().filter(|d| !own(d)) {
        match by_blocking.iter_mut().find(|(b, _)| *b == d.blocking) {
            Some((_, list)) => list.push(d),
            None => by_blocking.push((d.blocking.clone(), vec![d])),
        }
    }
    for (blocking, writes) in by_blocking {
        let state = &writes[0].state;
        let instruction = state.instruction.and_then(|n| ctx.parsed_dockerfile()?.instructions.get(n));
        let span = instruction.map(|i| i.span.clone()).or_else(|| ctx.start.as_ref()?.span.clone()).unwrap_or(0..0);
        let shown: Vec<String> = writes.iter().take(3).map(|d| super::describe_denied(ctx, file, d)).collect();
        let more = if writes.len() > 3 { format!(", and {} more", writes.len() - 3) } else { String::new() };
        let message = format!(
            "the Hub runs the app as UID 1000, which cannot write `{blocking}`, and the app makes these writes when it starts: {}{more}; it stops with \"Permission denied\" at the first it makes",
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
            .severity(Severity::Error)
            .help(help);
        // Safe: the app's user gets the files the app writes.
        d.fix = match (copy, state.change, instruction) {
            (Some(c), _, _) => copy_fix(file, c, model, runtime),
            (None, Change::Workdir | Change::Mkdir, Some(made)) if state.owner == Owner::Root => {
                folder_fix(file, made, &blocking, model, runtime)
            }
            _ => None,
        };
        out.push(d);
    }
}

/// `--chown=<uid>` right after the COPY/ADD keyword. Safe: the app's user gets the files it
/// runs from, which is what a Space needs.
fn copy_fix(file: &SourceFile, copy: &CopyOp, model: &ImageModel, runtime: &str) -> Option<Fix> {
    if copy.chown.is_some() {
        return None; // another owner given on purpose: the help says what to change
    }
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

/// `RUN chown <uid> <folder>` on the line after the instruction that made the folder as root
/// (a `WORKDIR`, a `RUN mkdir`). Only the folder: what is later copied into it keeps its owner
/// (a COPY into an existing folder leaves the folder's owner alone), and the re-lint reports a
/// copied file the app also writes. Safe: the app's user gets the folder the app writes, and
/// the step runs as root, who made the folder. Only on a known distribution (a shell and
/// `chown` are there).
fn folder_fix(file: &SourceFile, made: &Instruction, folder: &str, model: &ImageModel, runtime: &str) -> Option<Fix> {
    let uid = owner_uid(model, runtime)?;
    if model.base().distro == Distro::Unknown || folder.contains(|c: char| c.is_whitespace() || "$'\"\\`".contains(c)) {
        return None;
    }
    let end = file.text[made.span.end..].find('\n').map(|i| made.span.end + i + 1)?;
    let line = format!("RUN chown {uid} {folder}{}", file.newline());
    let message = format!("add `RUN chown {uid} {folder}` (`{runtime}`) after line {}", file.line_col(made.span.start).0);
    Some(Fix::replace(Applicability::Safe, message, file, end..end, line))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes_for, lint, README};

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
        let workdir = df006(APP_AS_USER, &[("app.py", "log = open('app.log', 'a')\n")]);
        assert_eq!(workdir[0].position.as_ref().map(|p| p.line), Some(3), "{workdir:?}");
        assert_eq!(workdir[0].severity, crate::rules::Severity::Error);
        assert!(workdir[0].help.as_deref().is_some_and(|h| h.contains("chown -R user /app")), "{workdir:?}");
    }

    /// The corpus's false findings: a root-owned COPY of files the app only reads.
    #[test]
    fn silent_when_the_app_only_reads_what_root_copied() {
        let files = [("app.py", "import json\nconfig = json.load(open('config.json'))\nopen('/tmp/out.txt', 'w')\n"), ("config.json", "{}")];
        assert!(df006(APP_AS_USER, &files).is_empty());
        // Code spacecheck does not read: skipped, not assumed.
        assert!(codes_for(&APP_AS_USER.replace("python\", \"app.py", "node\", \"server.js"), "DF006").is_empty());
        let cloned = APP_AS_USER.replace("CMD [\"python\", \"app.py\"]", "CMD [\"python\", \"/srv/cloned/main.py\"]");
        assert!(codes_for(&cloned, "DF006").is_empty(), "code the folder does not hold: skipped");
    }

}

use crate::diag::{Applicability, Fix};
use crate::model::{CopyFrom, CopyOp, ImageModel, RuntimeUser, Uid};
use crate::parse::user_spec::UserSpec;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::DF006,
    name: "files-not-owned",
    severity: Severity::Warning,
    summary: "a COPY/ADD of the build context lands root-owned while the app runs as a non-root user",
    doc: r#"## What it checks
For each `COPY`/`ADD` from the build context into the final image, while the image runs as a
non-root user: that the files end up owned by that user, through `--chown` naming it (by name or
UID), or a later `RUN chown -R <user> <dir>` (or a world-writable `chmod -R`) covering the
destination, or a later `COPY --chown=<user> . <dir>` that replaces them. Copies into system
folders (`/etc`, `/usr`, `/tmp`...), from other stages, and of files the app only reads or runs
(dependency manifests such as `requirements.txt` or `package.json`, `.sh` start scripts) are not
checked; a folder is reported once, at its first root-owned copy.

## Why it matters on a Space
`COPY` always writes files as root, whatever `USER` says. On the Hub the app runs as UID 1000 and
cannot write its own folder: SQLite databases, caches, uploads and generated files fail with
"Permission denied".

## Example
```dockerfile
RUN useradd -m -u 1000 user
USER user
WORKDIR /home/user/app
COPY . .
```

## Fix
`COPY --chown=user . .` (or `--chown=1000`).

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
                format!("this {} gives the files to `{}`, but the image runs as `{runtime}`", copy.kind.keyword(), chown.value),
            )
            .at(file, chown.span.clone())
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
            format!("{} writes `{}` as root, but the app runs as `{runtime}`, so it cannot change these files (COPY ignores USER)", copy.kind.keyword(), copy.dest),
        )
        .at(file, copy.span.clone())
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
    use crate::rules::testing::codes_for;

    const USER: &str = "FROM python:3.11\nRUN useradd -m -u 1000 user\n";

    #[test]
    fn fires_on_root_owned_copies() {
        assert_eq!(codes_for(&format!("{USER}USER user\nWORKDIR /home/user/app\nCOPY . .\n"), "DF006").len(), 1);
        assert_eq!(codes_for(&format!("{USER}WORKDIR /app\nCOPY . .\nUSER user\n"), "DF006").len(), 1);
        assert_eq!(codes_for(&format!("{USER}USER user\nCOPY --chown=nobody . /app\n"), "DF006").len(), 1);
    }

    #[test]
    fn silent_when_owned() {
        assert!(codes_for(&format!("{USER}USER user\nCOPY --chown=user . /app\n"), "DF006").is_empty());
        assert!(codes_for(&format!("{USER}USER user\nCOPY --link --chown=1000 . /app\n"), "DF006").is_empty());
        assert!(codes_for(&format!("{USER}WORKDIR /app\nCOPY . .\nRUN chown -R user:user /app\nUSER user\n"), "DF006")
            .is_empty());
        assert!(codes_for(&format!("{USER}COPY . /app\nRUN chmod -R 777 /app\nUSER user\n"), "DF006").is_empty());
        assert!(codes_for(&format!("{USER}COPY nginx.conf /etc/nginx/nginx.conf\nUSER user\n"), "DF006").is_empty());
        assert!(codes_for(
            "FROM python AS b\nRUN x\nFROM python\nRUN useradd -u 1000 u\nCOPY --from=b /x /x\nUSER u\n",
            "DF006"
        )
        .is_empty());
        assert!(codes_for("FROM python\nCOPY . /app\n", "DF006").is_empty(), "root at run time is DF004's");
    }

    /// The corpus's false findings: a manifest nothing writes, a folder reported once per copy,
    /// a copy the whole context then replaces with the user's own files.
    #[test]
    fn one_finding_per_folder_and_none_for_manifests_or_replaced_files() {
        let manifests = format!("{USER}WORKDIR /code\nCOPY ./requirements.txt /code/requirements.txt\nUSER user\n");
        assert!(codes_for(&manifests, "DF006").is_empty());
        assert!(codes_for(&format!("{USER}WORKDIR /app\nCOPY package.json package-lock.json ./\nUSER user\n"), "DF006").is_empty());
        assert!(codes_for(&format!("{USER}COPY start.sh /start.sh\nUSER user\n"), "DF006").is_empty());
        let three = format!("{USER}WORKDIR /app\nCOPY requirements.txt .\nCOPY app.py .\nCOPY model/ ./model/\nUSER user\n");
        assert_eq!(codes_for(&three, "DF006").len(), 1);
        let replaced = format!("{USER}WORKDIR /home/user/app\nCOPY app.py .\nUSER user\nCOPY --chown=user . .\n");
        assert!(codes_for(&replaced, "DF006").is_empty());
    }

    #[test]
    fn chown_before_copy_does_not_count() {
        assert_eq!(codes_for(&format!("{USER}RUN chown -R user /app\nCOPY . /app\nUSER user\n"), "DF006").len(), 1);
    }

    /// One definition of world-writable for `COPY --chmod` and `RUN chmod`.
    #[test]
    fn world_writable_modes_agree() {
        for mode in ["772", "777", "0666", "o+w", "a+rwX"] {
            let copy = format!("{USER}COPY --chmod={mode} . /app\nUSER user\n");
            let run = format!("{USER}COPY . /app\nRUN chmod -R {mode} /app\nUSER user\n");
            assert!(codes_for(&copy, "DF006").is_empty(), "COPY --chmod={mode}");
            assert!(codes_for(&run, "DF006").is_empty(), "RUN chmod {mode}");
        }
        for mode in ["775", "755", "u+w"] {
            assert_eq!(codes_for(&format!("{USER}COPY --chmod={mode} . /app\nUSER user\n"), "DF006").len(), 1, "{mode}");
            let run = format!("{USER}COPY . /app\nRUN chmod -R {mode} /app\nUSER user\n");
            assert_eq!(codes_for(&run, "DF006").len(), 1, "{mode}");
        }
    }
}

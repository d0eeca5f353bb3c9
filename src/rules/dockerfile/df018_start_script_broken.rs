use crate::diag::{Applicability, Edit, Fix};
use crate::model::base::Distro;
use crate::parse::dockerfile::{Args, CommandForm};
use crate::model::server::ScriptRun;
use crate::model::ImageModel;
use crate::parse::mode::Mode;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF018,
    name: "start-script-broken",
    severity: Severity::Error,
    summary: "a start script the container runs has CRLF line endings, no exec bit, or a #! interpreter the image lacks",
    doc: r#"## What it checks
The script files the start command runs (`CMD ["./start.sh"]`, `ENTRYPOINT ["/app/entrypoint.sh"]`,
`CMD bash run.sh`) when the Space has them:
- Windows line endings (CRLF), unless a RUN converts them (`dos2unix`, `sed -i 's/\r$//'`);
- run as a program (not through `bash FILE`): no exec bit on the Space's file and no
  `RUN chmod +x` (or `COPY --chmod`) that gives it one; no `#!` line; a `#!/bin/bash` on Alpine,
  which has no bash unless the Dockerfile installs it.

## Why it matters on a Space
CRLF: the kernel looks for the interpreter `/bin/bash\r` ("no such file or directory"), and a
shell reading the file fails on `$'\r': command not found` or passes `7860\r` as the port. No
exec bit: "permission denied". No `#!`: "exec format error". Each stops the container at once,
after a build that succeeded.

## Example
`start.sh` saved on Windows, and `CMD ["./start.sh"]`.

## Fix
Save the script with LF line endings (`git config core.autocrlf input`, or a `.gitattributes`
line `*.sh text eol=lf`), make it executable (`git update-index --chmod=+x start.sh`, or
`COPY --chmod=755 start.sh .`), start it with `#!/bin/sh` (or install bash on Alpine).

`spacecheck --fix` removes the CRs of a CRLF script, and runs a script without its exec bit
through the interpreter its `#!` line names (`CMD ["bash", "./start.sh"]`), which needs no
exec bit (both safe). A missing `#!` line or bash on Alpine have no fix: which shell the
script is written for is the author's to say."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Whether a RUN of the final image converts line endings.
fn converts_line_endings(model: &ImageModel) -> bool {
    model.runs_in_chain().flat_map(|r| &r.commands).any(|c| match c.program_name() {
        Some("dos2unix" | "fromdos") => true,
        // `sed -i 's/\r$//' start.sh`, `tr -d '\r'`.
        Some("sed" | "tr" | "perl") => c.words.iter().skip(1).any(|w| w.contains("\\r") || w.contains('\r')),
        _ => false,
    })
}

/// Whether the Dockerfile makes `path` executable: a `chmod` naming it (or `*.sh`, or a folder
/// above it with `-R`) with exec bits, or a COPY `--chmod` with exec bits putting it there.
fn made_executable(model: &ImageModel, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let by_run = model.runs_in_chain().flat_map(|r| r.commands.iter()).any(|c| {
        if c.program_name() != Some("chmod") {
            return false;
        }
        let args = c.args(&["--reference"]);
        let Some((mode, operands)) = args.operands.split_first() else { return false };
        let executable = mode.contains('x') || Mode::parse(mode).is_some_and(|m| matches!(m, Mode::Octal(bits) if bits & 0o111 != 0));
        let recursive = args.has(&["-R", "--recursive"]);
        executable
            && operands.iter().any(|o| {
                let o = o.trim_end_matches('/');
                o.ends_with(name) || o.contains('*') || o.contains('$') || (recursive && path.starts_with(&format!("{o}/")))
            })
    });
    let by_copy = model.copies.iter().any(|c| {
        matches!(c.chmod, Some(Mode::Octal(bits)) if bits & 0o111 != 0) && path.starts_with(c.dest.trim_end_matches('/'))
    });
    by_run || by_copy
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    let Some(span) = start.span.clone() else { return };
    let mut seen: Vec<&str> = Vec::new();
    for script in &start.scripts {
        if seen.contains(&script.image_path.as_str()) {
            continue;
        }
        seen.push(&script.image_path);
        let Some(rel) = ctx.context_file_for(&script.image_path) else { continue };
        let Some(bytes) = ctx.space.read_bytes(&rel) else { continue };
        if let Some((message, help, fix)) = problem(ctx, model, script, &rel, &bytes) {
            let d = Diagnostic::new(&RULE, message).at(file, span.clone()).label(format!("runs {rel}")).help(help);
            let fix = match fix {
                Remedy::LineEndings => lf_fix(&rel, &bytes),
                Remedy::Interpreter(words) => interpreter_fix(ctx, file, &span, script, &words),
                Remedy::None => None,
            };
            out.push(d.maybe_fix(fix));
        }
    }
}

/// The first problem of one script, as (message, help).
/// What fixes a script's problem.
enum Remedy {
    /// Its CRLF line endings made LF.
    LineEndings,
    /// Run by the interpreter its `#!` line names (these words), which needs no exec bit.
    Interpreter(Vec<String>),
    None,
}

fn problem(ctx: &Context, model: &ImageModel, script: &ScriptRun, rel: &str, bytes: &[u8]) -> Option<(String, String, Remedy)> {
    if bytes.windows(2).any(|w| w == b"\r\n") && !converts_line_endings(model) {
        return Some((
            format!("`{rel}` has Windows line endings (CRLF): the container fails at start (`/bin/sh\\r: not found`, `$'\\r': command not found`, or a port read as `7860\\r`)"),
            format!("save `{rel}` with LF line endings (a `.gitattributes` line `*.sh text eol=lf`), or add `RUN sed -i 's/\\r$//' {}`", script.image_path),
            Remedy::LineEndings,
        ));
    }
    if !script.direct {
        return None;
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let Some(shebang) = first_line.strip_prefix("#!") else {
        return Some((
            format!("`{rel}` is run as a program but has no `#!` line: the container fails with \"exec format error\""),
            format!("start `{rel}` with `#!/bin/sh`, or run it as `CMD [\"sh\", \"{}\"]`", script.image_path),
            Remedy::None,
        ));
    };
    let interpreter = shebang.split_whitespace().next().unwrap_or_default();
    let installs_bash = model.runs_in_chain().flat_map(|r| &r.system_installs).any(|(_, i)| i.names("bash"));
    if model.base().distro == Distro::Alpine && interpreter.ends_with("/bash") && !installs_bash {
        return Some((
            format!("`{rel}` starts with `#!{interpreter}`, but Alpine has no bash: the container fails with \"no such file or directory\""),
            "use `#!/bin/sh`, or `RUN apk add --no-cache bash`".to_string(),
            Remedy::None,
        ));
    }
    if !is_executable_on_disk(ctx, rel)? && !made_executable(model, &script.image_path) {
        return Some((
            format!("`{rel}` is run as a program but has no exec bit, and no `chmod +x` gives it one: the container fails with \"permission denied\""),
            format!("`git update-index --chmod=+x {rel}` (or `RUN chmod +x {}`, or `COPY --chmod=755`)", script.image_path),
            Remedy::Interpreter(shebang.split_whitespace().map(str::to_string).collect()),
        ));
    }
    None
}

/// Every CR before an LF removed from the script, nothing else. Safe: a shell reads the same
/// script without the stray CRs. Only for a script in UTF-8 (the offsets are its text's).
fn lf_fix(rel: &str, bytes: &[u8]) -> Option<Fix> {
    let text = std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)).ok()?;
    let edits: Vec<Edit> = text
        .match_indices("\r\n")
        .map(|(i, _)| Edit { file: rel.to_string(), range: i..i + 1, replacement: String::new() })
        .collect();
    let message = format!("save `{rel}` with LF line endings");
    Some(Fix { applicability: Applicability::Safe, message, edits })
}

/// The start command runs the script through the interpreter its `#!` line names (`["bash",
/// "./start.sh"]`), which reads it without an exec bit: what the kernel would do with the bit.
/// Safe. Only where the start instruction's first word is the script.
fn interpreter_fix(
    ctx: &Context,
    file: &crate::source::SourceFile,
    span: &std::ops::Range<usize>,
    script: &ScriptRun,
    interpreter: &[String],
) -> Option<Fix> {
    let ins = ctx.parsed_dockerfile()?.instructions.iter().find(|i| i.span == *span)?;
    let name = script.image_path.rsplit('/').next()?;
    let names_script = |w: &str| w.rsplit('/').next() == Some(name);
    if interpreter.is_empty() || interpreter.len() > 2 || interpreter.iter().any(|w| w.contains(['"', '\\'])) {
        return None;
    }
    let (at, inserted, written) = match &ins.args {
        Args::Command(CommandForm::Exec(words)) => {
            let first = words.first().filter(|w| names_script(&w.text))?;
            // The element's opening quote, at its span or just before it.
            let quote = [first.span.start, first.span.start.checked_sub(1)?]
                .into_iter()
                .find(|&at| file.text.get(at..at + 1) == Some("\""))?;
            (quote, interpreter.iter().map(|w| format!("\"{w}\", ")).collect::<String>(), first.text.as_str())
        }
        Args::Command(CommandForm::Shell(line)) => {
            let first = line.text.split_whitespace().next().filter(|w| names_script(w))?;
            if file.text.get(line.span.clone()) != Some(line.text.as_str()) || !line.text.starts_with(first) {
                return None;
            }
            (line.span.start, format!("{} ", interpreter.join(" ")), first)
        }
        _ => return None,
    };
    let message = format!("run it as `{} {written}`", interpreter.join(" "));
    Some(Fix::replace(Applicability::Safe, message, file, at..at, inserted))
}

/// The Space file's exec bit; `None` where it cannot be known (a Space fetched from the Hub).
fn is_executable_on_disk(ctx: &Context, rel: &str) -> Option<bool> {
    if !ctx.space.modes_known {
        return None;
    }
    let entry = ctx.space.file(rel).filter(|e| !e.is_symlink)?;
    let path = ctx.space.root.join(entry.on_disk.as_ref()?);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path).ok().map(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn df018(dockerfile: &str, script: &str) -> Vec<crate::rules::Diagnostic> {
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("start.sh", script)];
        lint(&files).into_iter().filter(|d| d.code == "DF018").collect()
    }

    const DIRECT: &str = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"./start.sh\"]\n";
    const LF: &str = "#!/bin/sh\nexec uvicorn app:app --host 0.0.0.0 --port 7860\n";

    #[test]
    fn broken_scripts() {
        let crlf = LF.replace('\n', "\r\n");
        let d = df018("FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"bash\", \"start.sh\"]\n", &crlf);
        assert!(d[0].message.contains("CRLF"), "{}", d[0].message);
        // Written by the test with mode 644: no exec bit, and nothing gives it one.
        let d = df018(DIRECT, LF);
        assert!(d[0].message.contains("no exec bit"), "{}", d[0].message);
        let d = df018(DIRECT, "exec uvicorn app:app\n");
        assert!(d[0].message.contains("no `#!` line"), "{}", d[0].message);
        let alpine = "FROM python:3.12-alpine\nWORKDIR /app\nCOPY --chmod=755 . .\nCMD [\"./start.sh\"]\n";
        let d = df018(alpine, "#!/bin/bash\nexec uvicorn app:app\n");
        assert!(d[0].message.contains("Alpine has no bash"), "{}", d[0].message);
    }

    #[test]
    fn near_misses_stay_silent() {
        // An LF script with its exec bit given by the Dockerfile, or run through a shell.
        assert!(df018("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN chmod +x start.sh\nCMD [\"./start.sh\"]\n", LF).is_empty());
        assert!(df018("FROM python:3.11\nWORKDIR /app\nCOPY --chmod=755 start.sh .\nCMD [\"./start.sh\"]\n", LF).is_empty());
        assert!(df018("FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"sh\", \"start.sh\"]\n", LF).is_empty());
        // CRLF converted during the build.
        let crlf = LF.replace('\n', "\r\n");
        let fixed = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN sed -i 's/\\r$//' start.sh && chmod +x start.sh\nCMD [\"./start.sh\"]\n";
        assert!(df018(fixed, &crlf).is_empty());
        // bash installed on Alpine.
        let alpine = "FROM python:3.12-alpine\nRUN apk add --no-cache bash\nWORKDIR /app\nCOPY --chmod=755 . .\nCMD [\"./start.sh\"]\n";
        assert!(df018(alpine, "#!/bin/bash\nexec uvicorn app:app\n").is_empty());
        // Issue 25: options before `add` (the old text search missed them, a false error).
        let update = "FROM python:3.12-alpine\nRUN apk --update add bash\nWORKDIR /app\nCOPY --chmod=755 . .\nCMD [\"./start.sh\"]\n";
        assert!(df018(update, "#!/bin/bash\nexec uvicorn app:app\n").is_empty());
        // A word `bash` that is not an install still leaves Alpine without bash.
        let echo = "FROM python:3.12-alpine\nRUN echo 'apk add bash' > /notes\nWORKDIR /app\nCOPY --chmod=755 . .\nCMD [\"./start.sh\"]\n";
        assert_eq!(df018(echo, "#!/bin/bash\nexec uvicorn app:app\n").len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_exec_bit_on_the_file_is_enough() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), README).unwrap();
        std::fs::write(dir.path().join("Dockerfile"), DIRECT).unwrap();
        let script = dir.path().join("start.sh");
        std::fs::write(&script, LF).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let space = crate::space::Space::load(dir.path()).unwrap();
        let policy = crate::policy::Policy::baseline();
        let ctx = crate::rules::Context::new(&space, &policy);
        assert!(crate::rules::run_static(&ctx, &|_| true).iter().all(|d| d.code != "DF018"));
        // Files fetched from the Hub carry no mode: a missing exec bit is not judged.
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut space = crate::space::Space::load(dir.path()).unwrap();
        let ctx = crate::rules::Context::new(&space, &policy);
        assert!(crate::rules::run_static(&ctx, &|_| true).iter().any(|d| d.code == "DF018"));
        space.modes_known = false;
        let ctx = crate::rules::Context::new(&space, &policy);
        assert!(crate::rules::run_static(&ctx, &|_| true).iter().all(|d| d.code != "DF018"));
    }
}

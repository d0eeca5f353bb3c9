//! The RUN instructions as the model reads them: the commands of each (shell form, exec form,
//! a `RUN <<EOF` script), its user, its secret mounts and what it installs; the files a heredoc
//! writes; the `chown`/`chmod` that fix ownership of earlier copies.

use std::collections::HashMap;
use std::ops::Range;

use super::installs;
use super::{join_path, server, RuntimeUser, Scope};
use crate::parse::dockerfile::{Args, CommandForm, Instruction};
use crate::parse::mode::Mode;
use crate::parse::shell::{parse_commands, SimpleCommand};
use crate::parse::user_spec::UserSpec;

/// A `chown`/`chmod` done by a RUN: it fixes ownership of earlier copies.
#[derive(Debug, Clone)]
pub struct OwnershipFix {
    pub instruction: usize,
    pub owner: Option<UserSpec>,
    /// A chmod's effect on the others' write bit (`None`: a chown, or a mode that leaves it).
    pub others_write: Option<bool>,
    pub recursive: bool,
    pub paths: Vec<String>,
}

impl OwnershipFix {
    /// Whether it makes the paths writable by any user.
    pub fn world_writable(&self) -> bool {
        self.others_write == Some(true)
    }
}

#[derive(Debug, Clone)]
pub struct RunCommand {
    pub instruction: usize,
    pub stage: usize,
    pub span: Range<usize>,
    pub commands: Vec<SimpleCommand>,
    /// The raw script text (shell form and heredoc bodies) for text searches.
    pub text: String,
    /// The user the RUN executes as: the USER in effect at that point of its stage's chain.
    pub user: RuntimeUser,
    /// Its `--mount=type=secret` flags: build secrets the builder must provide.
    pub secret_mounts: Vec<SecretMount>,
    /// The system packages it installs: (index in `commands`, the install), read once by
    /// [`installs::system_install`].
    pub system_installs: Vec<(usize, installs::SystemInstall)>,
}

/// A `RUN --mount=type=secret,id=X[,required=true]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretMount {
    /// The secret's id: `id=`, else the file name of `target=`/`dst=` (BuildKit's default).
    pub id: String,
    pub required: bool,
    /// `mode=` (octal; BuildKit's default is 0400) and `uid=` (default 0) of the file.
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    /// Whether it is mounted as a file: not with `env=` alone (then it is a variable).
    pub file: bool,
    /// Where the file is: `target=`, else `/run/secrets/<id>`.
    pub path: String,
}

impl SecretMount {
    /// Reads one `--mount` value; `None` for other mount types.
    pub fn parse(value: &str) -> Option<SecretMount> {
        let mut kind = None;
        let mut id = None;
        let mut target = None;
        let mut env = false;
        let mut mount = SecretMount::default();
        for field in value.split(',') {
            let (key, val) = field.split_once('=').unwrap_or((field, "true"));
            match key.trim().to_ascii_lowercase().as_str() {
                "type" => kind = Some(val.trim().to_string()),
                "id" => id = Some(val.trim().to_string()),
                "target" | "dst" | "destination" => target = Some(val.trim().to_string()),
                "required" => mount.required = val.trim().eq_ignore_ascii_case("true"),
                "mode" => mount.mode = u32::from_str_radix(val.trim(), 8).ok(),
                "uid" => mount.uid = val.trim().parse().ok(),
                "env" => env = true,
                _ => {}
            }
        }
        if kind.as_deref() != Some("secret") {
            return None;
        }
        mount.file = !env || target.is_some();
        mount.id = id.or_else(|| target.as_ref().map(|t| t.rsplit('/').next().unwrap_or(t).to_string()))?;
        mount.path = target.unwrap_or_else(|| format!("/run/secrets/{}", mount.id));
        (!mount.id.is_empty() && !mount.id.contains('$')).then_some(mount)
    }

    /// Whether UID `uid` may read the mounted file: its owner (`uid=`, root by default) or a
    /// mode that lets others read (BuildKit's default 0400 does not).
    pub fn readable_by(&self, uid: u32) -> bool {
        !self.file || self.uid.unwrap_or(0) == uid || self.mode.unwrap_or(0o400) & 0o004 != 0
    }
}

pub(super) fn run_command(
    i: &Instruction,
    n: usize,
    stage: usize,
    scope: &Scope,
    scope_user: &RuntimeUser,
) -> RunCommand {
    let lookup = |name: &str| scope.get(name);
    let mut text = String::new();
    let mut commands = Vec::new();
    match &i.args {
        Args::Command(CommandForm::Shell(w)) => {
            text.push_str(&w.text);
            commands.extend(parse_commands(&w.text, &lookup));
        }
        Args::Command(CommandForm::Exec(words)) => {
            let argv: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
            text.push_str(&argv.join(" "));
            commands.extend(server::unwrap_shell_c(&argv, &lookup));
        }
        _ => {}
    }
    // A `RUN <<EOF` heredoc is the script itself; other heredocs are data fed to a command
    // (`python - <<PY`), searched as text only.
    let script_heredoc =
        matches!(&i.args, Args::Command(CommandForm::Shell(w)) if w.text.trim_start().starts_with("<<"));
    for (k, h) in i.heredocs.iter().enumerate() {
        text.push('\n');
        text.push_str(&h.body);
        if script_heredoc && k == 0 {
            commands.extend(parse_commands(&h.body, &lookup));
        }
    }
    let secret_mounts = i
        .flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref().and_then(SecretMount::parse))
        .collect();
    let system_installs = commands
        .iter()
        .enumerate()
        .filter_map(|(k, c)| installs::system_install(c).map(|install| (k, install)))
        .collect();
    RunCommand {
        instruction: n,
        stage,
        span: i.span.clone(),
        commands,
        text,
        user: scope_user.clone(),
        secret_mounts,
        system_installs,
    }
}

/// `cat <<EOF > /app/run.sh` and `tee /app/run.sh <<EOF`: remember the content, so a CMD
/// that runs that script can be followed.
pub(super) fn record_written_files(
    i: &Instruction,
    run: &RunCommand,
    workdir: &str,
    out: &mut HashMap<String, String>,
) {
    let Some(first) = i.heredocs.first() else { return };
    // The command that opened the heredoc: the first of the RUN.
    let Some(opener) = run.commands.first() else { return };
    let redirected = opener.redirects.iter().find(|r| r.writes()).map(|r| r.target.clone());
    let teed = || (opener.program_name() == Some("tee")).then(|| opener.args(&[]).operands.first().cloned()).flatten();
    if let Some(target) = redirected.or_else(teed).filter(|t| !t.is_empty()) {
        out.insert(join_path(workdir, &target), first.body.clone());
    }
}

pub(super) fn ownership_fix(c: &SimpleCommand, n: usize, workdir: &str) -> Option<OwnershipFix> {
    let program = c.program_name()?;
    if program != "chown" && program != "chmod" {
        return None;
    }
    let args = c.args(&["--reference", "--from"]);
    let recursive = args.has(&["-R", "--recursive"]);
    let (first, paths) = args.operands.split_first()?;
    let paths = paths.iter().map(|p| join_path(workdir, p)).collect();
    let (owner, others_write) = match program {
        "chown" => (Some(UserSpec::parse(first)), None),
        _ => (None, Mode::parse(first)?.others_write()),
    };
    (owner.is_some() || others_write.is_some()).then_some(OwnershipFix {
        instruction: n,
        owner,
        others_write,
        recursive,
        paths,
    })
}

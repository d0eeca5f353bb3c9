//! The model of the image at run time, built once from the parsed Dockerfile and shared by all
//! rules: stages and `FROM <stage>` chains, ARG/ENV values, the effective user, which files land
//! in the final image and who owns them, the exposed ports and the server the container starts.

pub mod server;
pub mod users;

use std::collections::HashMap;
use std::ops::Range;

use crate::parse::dockerfile::{Args, CommandForm, CopySource, Dockerfile, Instruction, Kind, Word};
use crate::parse::shell::{self, parse_commands, SimpleCommand};
pub use server::{Server, ServerKind};
use users::CreatedUser;

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction in `Dockerfile::instructions`.
    pub from_index: usize,
    /// Instruction indices of the stage, FROM excluded.
    pub body: Range<usize>,
    /// The image after expanding global ARGs (`python:3.11-slim`, or a stage name).
    pub image: String,
    pub image_word: Word,
    pub alias: Option<String>,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// Names of global ARGs used in FROM that have no default (unresolvable statically).
    pub unresolved_args: Vec<String>,
}

/// A value as written and as expanded, with the place it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valued {
    pub raw: String,
    pub value: String,
    pub span: Range<usize>,
}

impl Valued {
    pub fn is_resolved(&self) -> bool {
        !shell::has_unresolved_var(&self.value)
    }
}

/// What user the container runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeUser {
    /// No USER anywhere in the chain: the base image's default (root for nearly all).
    Default,
    /// The last USER instruction of the chain.
    Set { user: Valued, stage: usize },
}

/// What a user reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uid {
    Known(u32),
    /// A name that was created without `-u`: the UID is the next free one, inferred here.
    Inferred {
        uid: u32,
        why: String,
    },
    /// A name nothing in the chain creates, or a variable without a value.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct CopyOp {
    pub instruction: usize,
    pub span: Range<usize>,
    pub kind: Kind,
    /// `--from=stage|image`; `None` copies from the build context.
    pub from: Option<String>,
    pub sources: Vec<Valued>,
    pub has_heredoc: bool,
    /// Absolute destination after WORKDIR and variables.
    pub dest: String,
    pub chown: Option<Valued>,
    pub chmod: Option<String>,
    pub stage: usize,
}

/// A `chown`/`chmod` done by a RUN: it fixes ownership of earlier copies.
#[derive(Debug, Clone)]
pub struct OwnershipFix {
    pub instruction: usize,
    pub owner: Option<String>,
    pub world_writable: bool,
    pub recursive: bool,
    pub paths: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ExposedPort {
    pub text: Valued,
    /// Ports this EXPOSE word covers (a range gives several); empty when unresolved.
    pub ports: Vec<u16>,
}

#[derive(Debug, Clone)]
pub struct RunCommand {
    pub instruction: usize,
    pub stage: usize,
    pub span: Range<usize>,
    pub commands: Vec<SimpleCommand>,
    /// The raw script text (shell form and heredoc bodies) for text searches.
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct VarDef {
    pub name: String,
    pub value: Option<Valued>,
    pub key_span: Range<usize>,
    pub kind: Kind,
    pub instruction: usize,
}

/// The command the container starts with.
#[derive(Debug, Clone)]
pub struct StartCommand {
    pub entrypoint: Option<(CommandForm, Range<usize>)>,
    pub cmd: Option<(CommandForm, Range<usize>)>,
}

#[derive(Debug, Clone)]
pub struct ImageModel {
    pub stages: Vec<Stage>,
    /// Stage indices from the first ancestor to the final stage.
    pub chain: Vec<usize>,
    /// The external image the final stage is built on (after stage aliases and ARGs).
    pub base_image: Option<Valued>,
    pub runtime_user: RuntimeUser,
    pub created_users: Vec<CreatedUser>,
    /// Environment of the running container (ENV only: ARGs do not reach run time).
    pub runtime_env: HashMap<String, String>,
    /// Every ARG and ENV of the whole file (for secret checks).
    pub var_defs: Vec<VarDef>,
    pub copies: Vec<CopyOp>,
    /// COPY/ADD of every stage, not only the final chain (for source checks).
    pub all_copies: Vec<CopyOp>,
    pub ownership_fixes: Vec<OwnershipFix>,
    pub exposed: Vec<ExposedPort>,
    pub runs: Vec<RunCommand>,
    pub start: StartCommand,
    /// The WORKDIR the container starts in.
    pub workdir: String,
    /// Files written by heredocs in RUNs (`cat <<EOF > /app/start.sh`): path → content.
    pub written_files: HashMap<String, String>,
}

impl ImageModel {
    pub fn final_stage(&self) -> &Stage {
        &self.stages[*self.chain.last().unwrap_or(&0)]
    }

    pub fn runs_in_chain(&self) -> impl Iterator<Item = &RunCommand> {
        self.runs.iter().filter(|r| self.chain.contains(&r.stage))
    }

    /// Resolves a user reference (`user`, `1000`, `user:group`) to a UID.
    pub fn resolve_uid(&self, user: &str) -> Uid {
        let name = user.split(':').next().unwrap_or(user).trim();
        if name.is_empty() {
            return Uid::Unknown("an empty user".into());
        }
        if let Ok(uid) = name.parse::<u32>() {
            return Uid::Known(uid);
        }
        if shell::has_unresolved_var(name) {
            return Uid::Unknown(format!(
                "`{name}` has no value that spacecheck can see (a build argument without a default?)"
            ));
        }
        // The last change wins (usermod after useradd).
        if let Some(u) = self.created_users.iter().rev().find(|u| u.name == name) {
            if let Some(uid) = u.uid {
                return Uid::Known(uid);
            }
            return self.infer_uid(name, u);
        }
        let base = self.base_image.as_ref().map_or("", |b| b.value.as_str());
        if let Some(uid) = users::base_image_user(base, name) {
            return Uid::Known(uid);
        }
        Uid::Unknown(format!("no useradd/adduser in the Dockerfile creates `{name}`"))
    }

    /// `useradd user` without `-u` takes the first free UID from 1000 (system users: below 1000).
    fn infer_uid(&self, name: &str, user: &CreatedUser) -> Uid {
        if user.system {
            return Uid::Unknown(format!(
                "`{name}` is created as a system user (`-r`/`--system`), so its UID is below 1000"
            ));
        }
        let base = self.base_image.as_ref().map_or("", |b| b.value.as_str());
        let mut taken: Vec<u32> = Vec::new();
        if users::base_has_uid_1000(base).is_some() {
            taken.push(1000);
        }
        for u in &self.created_users {
            if u.name == name {
                break;
            }
            match u.uid {
                Some(uid) => taken.push(uid),
                None if !u.system => {
                    let mut next = 1000;
                    while taken.contains(&next) {
                        next += 1;
                    }
                    taken.push(next);
                }
                None => {}
            }
        }
        let mut uid = 1000;
        while taken.contains(&uid) {
            uid += 1;
        }
        let why = match users::base_has_uid_1000(base) {
            Some(existing) if uid != 1000 => format!("`{name}` is created without `-u`, and `{base}` already has `{existing}` with UID 1000, so `{name}` gets UID {uid}"),
            _ => format!("`{name}` is created without `-u`; it gets the first free UID, {uid}"),
        };
        Uid::Inferred { uid, why }
    }

    /// Whether a user reference names the same account as the runtime user.
    pub fn same_user(&self, a: &str, b: &str) -> bool {
        let name = |s: &str| s.split(':').next().unwrap_or(s).trim().to_string();
        if name(a) == name(b) {
            return true;
        }
        let uid = |s: &str| match self.resolve_uid(s) {
            Uid::Known(u) | Uid::Inferred { uid: u, .. } => Some(u),
            Uid::Unknown(_) => None,
        };
        matches!((uid(a), uid(b)), (Some(x), Some(y)) if x == y)
    }

    pub fn runtime_user_text(&self) -> Option<&str> {
        match &self.runtime_user {
            RuntimeUser::Default => None,
            RuntimeUser::Set { user, .. } => Some(&user.value),
        }
    }
}

/// Expands BuildKit-style: quotes removed, `$VAR`/`${VAR:-x}` from the given scope.
fn expand(text: &str, scope: &Scope) -> String {
    shell::expand_shell_word(text, &|name: &str| scope.get(name))
}

#[derive(Default, Clone)]
struct Scope {
    /// ENV values (carried into child stages).
    env: HashMap<String, String>,
    /// ARGs declared in the current stage (value `None` = no default).
    args: HashMap<String, Option<String>>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.env.get(name) {
            return Some(v.clone());
        }
        self.args.get(name).cloned().flatten()
    }
}

/// Builds the model. Never fails: what cannot be resolved is kept as written.
pub fn build(df: &Dockerfile) -> ImageModel {
    let ins = &df.instructions;
    // Global ARGs: those before the first FROM.
    let first_from = ins.iter().position(|i| i.kind == Kind::From).unwrap_or(ins.len());
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let mut var_defs = Vec::new();
    for (n, i) in ins[..first_from].iter().enumerate() {
        if let Args::KeyValues(kvs) = &i.args {
            let scope = Scope { env: HashMap::new(), args: global.clone() };
            for kv in kvs {
                let value = kv.value.as_ref().map(|v| Valued {
                    raw: v.text.clone(),
                    value: expand(&v.text, &scope),
                    span: v.span.clone(),
                });
                global.insert(kv.key.text.clone(), value.as_ref().map(|v| v.value.clone()));
                var_defs.push(VarDef {
                    name: kv.key.text.clone(),
                    value,
                    key_span: kv.key.span.clone(),
                    kind: i.kind,
                    instruction: n,
                });
            }
        }
    }

    // Stages.
    let mut stages: Vec<Stage> = Vec::new();
    let from_indices: Vec<usize> =
        ins.iter().enumerate().filter(|(_, i)| i.kind == Kind::From).map(|(n, _)| n).collect();
    for (s, &fi) in from_indices.iter().enumerate() {
        let end = from_indices.get(s + 1).copied().unwrap_or(ins.len());
        let Args::From { image, alias } = &ins[fi].args else { continue };
        let global_scope = Scope { env: HashMap::new(), args: global.clone() };
        let expanded = expand(&image.text, &global_scope);
        let unresolved_args =
            referenced_vars(&image.text).into_iter().filter(|v| global_scope.get(v).is_none()).collect();
        let parent =
            stages.iter().rposition(|st| st.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&expanded)));
        stages.push(Stage {
            index: s,
            from_index: fi,
            body: fi + 1..end,
            image: expanded,
            image_word: image.clone(),
            alias: alias.as_ref().map(|a| a.text.clone()),
            parent,
            unresolved_args,
        });
    }

    let mut model = ImageModel {
        stages: stages.clone(),
        chain: Vec::new(),
        base_image: None,
        runtime_user: RuntimeUser::Default,
        created_users: Vec::new(),
        runtime_env: HashMap::new(),
        var_defs,
        copies: Vec::new(),
        all_copies: Vec::new(),
        ownership_fixes: Vec::new(),
        exposed: Vec::new(),
        runs: Vec::new(),
        start: StartCommand { entrypoint: None, cmd: None },
        workdir: "/".into(),
        written_files: HashMap::new(),
    };
    if stages.is_empty() {
        return model;
    }

    // The chain of the final stage, root ancestor first (guarding against cycles).
    let mut chain = vec![stages.len() - 1];
    while let Some(p) = stages[*chain.last().unwrap_or(&0)].parent {
        if chain.contains(&p) {
            break;
        }
        chain.push(p);
    }
    chain.reverse();
    model.chain = chain.clone();
    let root = &stages[chain[0]];
    model.base_image = Some(Valued {
        raw: root.image_word.text.clone(),
        value: root.image.clone(),
        span: root.image_word.span.clone(),
    });

    // Walk every stage (for source checks and secrets), with the chain's state carried along.
    let mut stage_scopes: Vec<Scope> = vec![Scope::default(); stages.len()];
    let mut stage_users: Vec<RuntimeUser> = vec![RuntimeUser::Default; stages.len()];
    let mut stage_workdirs: Vec<String> = vec!["/".into(); stages.len()];
    let mut stage_start: Vec<StartCommand> = vec![StartCommand { entrypoint: None, cmd: None }; stages.len()];
    for stage in &stages {
        let in_chain = chain.contains(&stage.index);
        let (mut scope, mut user, mut workdir, mut start) = match stage.parent {
            Some(p) => {
                let mut sc = stage_scopes[p].clone();
                sc.args.clear();
                (sc, stage_users[p].clone(), stage_workdirs[p].clone(), stage_start[p].clone())
            }
            None => {
                (Scope::default(), RuntimeUser::Default, "/".to_string(), StartCommand { entrypoint: None, cmd: None })
            }
        };
        let mut cmd_inherited = start.cmd.is_some();
        for n in stage.body.clone() {
            let i = &ins[n];
            let i = match &i.args {
                Args::Onbuild(_) => continue, // runs in images built FROM this one, not here
                _ => i,
            };
            match i.kind {
                Kind::Arg | Kind::Env => {
                    let Args::KeyValues(kvs) = &i.args else { continue };
                    for kv in kvs {
                        let name = kv.key.text.clone();
                        let value = match &kv.value {
                            Some(v) => Some(Valued {
                                raw: v.text.clone(),
                                value: expand(&v.text, &scope),
                                span: v.span.clone(),
                            }),
                            // `ARG NAME` in a stage takes the global default.
                            None if i.kind == Kind::Arg => global.get(&name).cloned().flatten().map(|g| Valued {
                                raw: String::new(),
                                value: g,
                                span: kv.key.span.clone(),
                            }),
                            None => None,
                        };
                        if i.kind == Kind::Env {
                            scope.env.insert(name.clone(), value.as_ref().map(|v| v.value.clone()).unwrap_or_default());
                        } else {
                            scope.args.insert(name.clone(), value.as_ref().map(|v| v.value.clone()));
                        }
                        model.var_defs.push(VarDef {
                            name,
                            value,
                            key_span: kv.key.span.clone(),
                            kind: i.kind,
                            instruction: n,
                        });
                    }
                }
                Kind::User => {
                    if let Args::Text(w) = &i.args {
                        user = RuntimeUser::Set {
                            user: Valued { raw: w.text.clone(), value: expand(&w.text, &scope), span: w.span.clone() },
                            stage: stage.index,
                        };
                    }
                }
                Kind::Workdir => {
                    if let Args::Text(w) = &i.args {
                        workdir = join_path(&workdir, &expand(&w.text, &scope));
                    }
                }
                Kind::Run => {
                    let run = run_command(i, n, stage.index, &scope);
                    if in_chain {
                        for c in &run.commands {
                            if let Some(u) = users::user_change(c) {
                                model.created_users.push(u);
                            }
                            if let Some(fix) = ownership_fix(c, n, &workdir) {
                                model.ownership_fixes.push(fix);
                            }
                        }
                        record_written_files(i, &workdir, &mut model.written_files);
                    }
                    model.runs.push(run);
                }
                Kind::Copy | Kind::Add => {
                    let op = copy_op(i, n, stage.index, &scope, &workdir);
                    if in_chain {
                        model.copies.push(op.clone());
                    }
                    model.all_copies.push(op);
                }
                Kind::Expose if in_chain => {
                    if let Args::Words(words) = &i.args {
                        for w in words {
                            let value = expand(&w.text, &scope);
                            model.exposed.push(ExposedPort {
                                ports: parse_port_spec(&value),
                                text: Valued { raw: w.text.clone(), value, span: w.span.clone() },
                            });
                        }
                    }
                }
                Kind::Cmd => {
                    if let Args::Command(c) = &i.args {
                        start.cmd = Some((c.clone(), i.span.clone()));
                        cmd_inherited = false;
                    }
                }
                Kind::Entrypoint => {
                    if let Args::Command(c) = &i.args {
                        start.entrypoint = Some((c.clone(), i.span.clone()));
                        // Docker resets an inherited CMD when ENTRYPOINT is set.
                        if cmd_inherited {
                            start.cmd = None;
                        }
                    }
                }
                _ => {}
            }
        }
        stage_scopes[stage.index] = scope;
        stage_users[stage.index] = user;
        stage_workdirs[stage.index] = workdir;
        stage_start[stage.index] = start;
    }
    let last = *chain.last().unwrap_or(&0);
    model.runtime_env = stage_scopes[last].env.clone();
    model.runtime_user = stage_users[last].clone();
    model.workdir = stage_workdirs[last].clone();
    model.start = stage_start[last].clone();
    model
}

fn referenced_vars(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let r = rest.strip_prefix('{').unwrap_or(rest);
        let len = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(r.len());
        if len > 0 {
            out.push(r[..len].to_string());
        }
    }
    out
}

/// `/app` + `data` → `/app/data`; absolute paths replace; `.` and `..` are folded.
pub fn join_path(base: &str, path: &str) -> String {
    let full = if path.starts_with('/') { path.to_string() } else { format!("{base}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for p in full.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = format!("/{}", parts.join("/"));
    if path.ends_with('/') && joined != "/" {
        joined + "/"
    } else {
        joined
    }
}

/// `7860`, `7860/tcp`, `8000-8002/udp`, `${PORT}` (unresolved → empty).
pub fn parse_port_spec(spec: &str) -> Vec<u16> {
    let port = spec.split('/').next().unwrap_or(spec);
    match port.split_once('-') {
        Some((a, b)) => match (a.parse::<u16>(), b.parse::<u16>()) {
            (Ok(a), Ok(b)) if a <= b && b - a <= 1024 => (a..=b).collect(),
            _ => vec![],
        },
        None => port.parse().map(|p| vec![p]).unwrap_or_default(),
    }
}

fn run_command(i: &Instruction, n: usize, stage: usize, scope: &Scope) -> RunCommand {
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
    RunCommand { instruction: n, stage, span: i.span.clone(), commands, text }
}

/// `cat <<EOF > /app/run.sh` and `tee` into a file: remember the content, so a CMD that runs
/// that script can be followed.
fn record_written_files(i: &Instruction, workdir: &str, out: &mut HashMap<String, String>) {
    let Some(first) = i.heredocs.first() else { return };
    let Args::Command(CommandForm::Shell(w)) = &i.args else { return };
    // The redirection target of the line that opened the heredoc.
    let line = w.text.lines().next().unwrap_or("");
    let target =
        line.split_once('>').map(|(_, t)| t.trim_start_matches('>').split_whitespace().next().unwrap_or("")).or_else(
            || line.split_once("tee ").map(|(_, t)| t.split_whitespace().find(|a| !a.starts_with('-')).unwrap_or("")),
        );
    if let Some(t) = target.filter(|t| !t.is_empty() && !t.starts_with('&')) {
        out.insert(join_path(workdir, &shell::unquote(t)), first.body.clone());
    }
}

fn ownership_fix(c: &SimpleCommand, n: usize, workdir: &str) -> Option<OwnershipFix> {
    let program = c.program()?.rsplit('/').next()?;
    let args = &c.words[1..];
    let recursive = args
        .iter()
        .any(|a| a == "-R" || a == "--recursive" || (a.starts_with('-') && !a.starts_with("--") && a.contains('R')));
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    match program {
        "chown" => {
            let (owner, paths) = operands.split_first()?;
            Some(OwnershipFix {
                instruction: n,
                owner: Some(owner.to_string()),
                world_writable: false,
                recursive,
                paths: paths.iter().map(|p| join_path(workdir, p)).collect(),
            })
        }
        "chmod" => {
            let (mode, paths) = operands.split_first()?;
            let world_writable = match mode.parse::<u32>() {
                Ok(_) => mode.chars().last().is_some_and(|c| matches!(c, '2' | '3' | '6' | '7')),
                Err(_) => {
                    mode.split(',').any(|m| (m.contains('o') || m.contains('a')) && m.contains("+") && m.contains('w'))
                }
            };
            world_writable.then(|| OwnershipFix {
                instruction: n,
                owner: None,
                world_writable,
                recursive,
                paths: paths.iter().map(|p| join_path(workdir, p)).collect(),
            })
        }
        _ => None,
    }
}

fn copy_op(i: &Instruction, n: usize, stage: usize, scope: &Scope, workdir: &str) -> CopyOp {
    let Args::Copy { sources, dest } = &i.args else {
        return CopyOp {
            instruction: n,
            span: i.span.clone(),
            kind: i.kind,
            from: None,
            sources: vec![],
            has_heredoc: false,
            dest: workdir.into(),
            chown: None,
            chmod: None,
            stage,
        };
    };
    let flag_value = |name: &str| i.flag(name).and_then(|f| f.value.clone());
    let chown = i.flag("chown").and_then(|f| {
        f.value.as_ref().map(|v| Valued { raw: v.clone(), value: expand(v, scope), span: f.span.clone() })
    });
    CopyOp {
        instruction: n,
        span: i.span.clone(),
        kind: i.kind,
        from: flag_value("from").map(|v| expand(&v, scope)),
        sources: sources
            .iter()
            .filter_map(|s| match s {
                CopySource::Path(w) => {
                    Some(Valued { raw: w.text.clone(), value: expand(&w.text, scope), span: w.span.clone() })
                }
                CopySource::Heredoc(_) => None,
            })
            .collect(),
        has_heredoc: sources.iter().any(|s| matches!(s, CopySource::Heredoc(_))),
        dest: join_path(workdir, &expand(&dest.text, scope)),
        chown,
        chmod: flag_value("chmod"),
        stage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dockerfile;
    use crate::source::SourceFile;

    pub(crate) fn model(s: &str) -> ImageModel {
        build(&dockerfile::parse(&SourceFile::new("Dockerfile", s.to_string())).unwrap())
    }

    #[test]
    fn final_stage_chain_follows_aliases() {
        let m =
            model("ARG BASE=python:3.11-slim\nFROM ${BASE} AS base\nUSER 1000\nFROM node:20 AS ui\nFROM base\nCMD x\n");
        assert_eq!(m.chain, vec![0, 2]);
        assert_eq!(m.base_image.unwrap().value, "python:3.11-slim");
        assert!(matches!(m.runtime_user, RuntimeUser::Set { .. }));
    }

    #[test]
    fn user_in_builder_stage_does_not_count() {
        let m = model("FROM python AS build\nUSER 1000\nFROM python\nCOPY --from=build /a /a\n");
        assert_eq!(m.runtime_user, RuntimeUser::Default);
    }

    #[test]
    fn args_and_env_expand_with_defaults() {
        let m = model("FROM python\nARG PORT=7860\nENV APP_PORT=${PORT} HOME=/home/user\nWORKDIR $HOME/app\nEXPOSE ${APP_PORT:-1}\n");
        assert_eq!(m.runtime_env.get("APP_PORT").unwrap(), "7860");
        assert_eq!(m.workdir, "/home/user/app");
        assert_eq!(m.exposed[0].ports, vec![7860]);
        assert!(!m.runtime_env.contains_key("PORT"), "ARGs do not reach run time");
    }

    #[test]
    fn global_arg_redeclared_in_stage_takes_default() {
        let m = model("ARG UID=1000\nFROM python\nARG UID\nUSER ${UID}\n");
        assert_eq!(m.runtime_user_text(), Some("1000"));
    }

    #[test]
    fn useradd_names_resolve_to_uids() {
        let m = model("FROM python:3.11\nRUN useradd -m -u 1000 user\nUSER user\n");
        assert_eq!(m.resolve_uid("user"), Uid::Known(1000));
        let m = model("FROM node:20\nRUN useradd -m app\nUSER app\n");
        assert!(matches!(m.resolve_uid("app"), Uid::Inferred { uid: 1001, .. }));
        let m = model("FROM python:3.11\nRUN useradd -m app\nUSER app\n");
        assert!(matches!(m.resolve_uid("app"), Uid::Inferred { uid: 1000, .. }));
        assert!(matches!(m.resolve_uid("ghost"), Uid::Unknown(_)));
    }

    #[test]
    fn copies_resolve_destination_and_owner() {
        let m = model("FROM python\nENV HOME=/home/user\nWORKDIR $HOME/app\nCOPY --chown=user . .\nCOPY --link --chown=1000 a b/\n");
        assert_eq!(m.copies[0].dest, "/home/user/app");
        assert_eq!(m.copies[0].chown.as_ref().unwrap().value, "user");
        assert_eq!(m.copies[1].dest, "/home/user/app/b/");
    }

    #[test]
    fn entrypoint_resets_inherited_cmd() {
        let m = model("FROM python AS a\nCMD [\"x\"]\nFROM a\nENTRYPOINT [\"y\"]\n");
        assert!(m.start.cmd.is_none());
        assert!(m.start.entrypoint.is_some());
    }

    #[test]
    fn heredoc_scripts_are_remembered() {
        let m = model("FROM python\nWORKDIR /app\nRUN cat <<'EOF' > start.sh\nuvicorn a:b --host 0.0.0.0\nEOF\n");
        assert!(m.written_files.get("/app/start.sh").unwrap().contains("uvicorn"));
    }

    #[test]
    fn port_specs() {
        assert_eq!(parse_port_spec("7860/tcp"), vec![7860]);
        assert_eq!(parse_port_spec("8000-8002"), vec![8000, 8001, 8002]);
        assert!(parse_port_spec("$PORT").is_empty());
    }

    #[test]
    fn paths_join_like_workdir() {
        assert_eq!(join_path("/app", "../data"), "/data");
        assert_eq!(join_path("/app", "/x/"), "/x/");
        assert_eq!(join_path("/", "."), "/");
    }
}

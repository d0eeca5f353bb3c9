//! The model of the image at run time, built once from the parsed Dockerfile and shared by all
//! rules: stages and `FROM <stage>` chains, ARG/ENV values, the effective user, which files land
//! in the final image and who owns them, the exposed ports and the server the container starts.

pub mod app;
pub mod base;
pub mod copies;
pub mod fs;
pub mod installs;
pub mod placement;
pub mod runs;
pub mod server;
pub mod users;
pub mod writes;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::parse::dockerfile::{Args, CommandForm, Dockerfile, Instruction, KeyValue, Kind, Word};
use crate::parse::image_ref::ImageRef;
use crate::parse::shell::{self, SimpleCommand};
use crate::parse::user_spec::UserSpec;
pub use base::BaseImage;
use copies::copy_op;
pub use copies::{CopyFrom, CopyOp};
pub use fs::Access;
use fs::{Change, FileSystem, Owner};
use runs::{ownership_fix, record_written_files, run_command};
pub use runs::{OwnershipFix, RunCommand, SecretMount};
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
    /// The image parsed as a reference, for an external image (not a stage, not `scratch`)
    /// that resolves and is valid.
    pub image_ref: Option<ImageRef>,
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

/// The HOME of the running app, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeHome {
    pub path: String,
    pub from: HomeFrom,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeFrom {
    /// `ENV HOME=…` (the place of its key, when the ENV is in this Dockerfile).
    Env(Option<Range<usize>>),
    /// The home of the account that has UID 1000.
    Account(String),
    /// No account has UID 1000: Docker sets HOME to `/`.
    NoAccount,
    /// An image spacecheck does not know may have an account with UID 1000.
    Unknown,
}

/// Who runs a step, as far as the Dockerfile and the base image tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Root,
    NonRoot { name: String, uid: Option<u32> },
    Unknown,
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
pub struct ExposedPort {
    pub text: Valued,
    /// Ports this EXPOSE word covers (a range gives several); empty when unresolved.
    pub ports: Vec<u16>,
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
    /// The same, parsed (when it resolves to a valid reference).
    pub base_ref: Option<ImageRef>,
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
    /// Who owns the paths the final chain creates or changes, and who may write them.
    pub fs: FileSystem,
    /// What is known of the final stage's base image (see [`ImageModel::base`]).
    base_facts: BaseImage,
    /// See [`ImageModel::needed_stages`].
    needed: HashSet<usize>,
    /// See [`ImageModel::stage_base`], by stage index.
    stage_bases: Vec<BaseImage>,
    /// Virtual environments the final chain creates (`python -m venv /opt/venv`).
    pub venvs: Vec<String>,
    /// Writes a RUN of the final chain makes that its user may not make (DF012).
    pub denied_writes: Vec<DeniedWrite>,
    /// Where the final chain's context copies put the Space's files (with a build context).
    pub placed: Vec<placement::Placed>,
    /// Image path → index in `placed` (the last copy to a path wins).
    placed_at: HashMap<String, usize>,
    /// Sources of context copies that name nothing in the build context (with one).
    pub missing_sources: Vec<String>,
    /// Sources of context copies that name a file git ignores: the Hub's build fails there.
    pub git_ignored_sources: Vec<String>,
}

/// A write a RUN makes as a non-root user where that user may not write at that point of the
/// build: the command fails with "Permission denied".
#[derive(Debug, Clone)]
pub struct DeniedWrite {
    /// Index of the RUN in [`ImageModel::runs`], and of the command in its script.
    pub run: usize,
    pub command: usize,
    pub target: WriteTarget,
    /// The path that decides (the target itself, or the folder it would be created in).
    pub blocking: String,
    pub state: fs::PathState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteTarget {
    /// A file or folder the command creates or writes.
    Path(String),
    /// The virtual environment a `pip install` installs into.
    Venv(String),
}

impl ImageModel {
    pub fn final_stage(&self) -> &Stage {
        &self.stages[*self.chain.last().unwrap_or(&0)]
    }

    /// The stages BuildKit builds for the final target: its chain and the stages it copies from
    /// (computed once, when the model is built).
    pub fn needed_stages(&self) -> &HashSet<usize> {
        &self.needed
    }

    fn compute_needed_stages(&self) -> HashSet<usize> {
        // The stages each stage copies from, gathered once.
        let mut copied_from: HashMap<usize, Vec<usize>> = HashMap::new();
        for c in &self.all_copies {
            if let CopyFrom::Stage(i) = c.from {
                copied_from.entry(c.stage).or_default().push(i);
            }
        }
        let mut needed: HashSet<usize> = HashSet::new();
        let mut todo: Vec<usize> = self.chain.clone();
        while let Some(s) = todo.pop() {
            if !needed.insert(s) {
                continue;
            }
            todo.extend(self.stages[s].parent);
            todo.extend(copied_from.get(&s).into_iter().flatten());
        }
        needed
    }

    /// Where the running app is told to use `/data`: an ENV of the final image whose value is
    /// `/data` or a path below it (`HF_HOME=/data/.huggingface`): (the ENV's name span, the
    /// variable, the path). Persistent storage is mounted there; without it, `/data` is a
    /// folder of the image like any other.
    pub fn data_uses(&self) -> Vec<(Range<usize>, String, String)> {
        let mut found: Vec<(Range<usize>, String, String)> = self
            .runtime_env
            .iter()
            .filter(|(_, v)| v.as_str() == "/data" || v.starts_with("/data/"))
            .filter_map(|(name, value)| {
                let def = self.var_defs.iter().rev().find(|d| d.kind == Kind::Env && &d.name == name)?;
                Some((def.key_span.clone(), name.clone(), value.clone()))
            })
            .collect();
        found.sort_by_key(|(span, _, _)| span.start);
        found
    }

    /// Where the final image's build puts files under `/data` (COPY/ADD there, a RUN writing
    /// there): (instruction span, the path). Persistent storage mounted on `/data` hides them.
    pub fn data_writes(&self) -> Vec<(Range<usize>, String)> {
        let under_data = |p: &str| p == "/data" || p.starts_with("/data/");
        let mut found: Vec<(Range<usize>, String)> = Vec::new();
        for copy in self.copies.iter().filter(|c| under_data(c.dest.trim_end_matches('/'))) {
            found.push((copy.span.clone(), copy.dest.trim_end_matches('/').to_string()));
        }
        for run in self.runs_in_chain() {
            let cwd = writes::Cwd::new("/");
            let written = run.commands.iter().find_map(|c| {
                let program = c.program_name()?;
                // Creating the folder is harmless, and so is what only reads, links or removes:
                // files put in it are what the mount hides.
                if matches!(
                    program,
                    "mkdir" | "chown" | "chmod" | "chgrp" | "ls" | "test" | "[" | "rm" | "cat" | "stat" | "du" | "find"
                ) {
                    return None;
                }
                // The programs the writes model reads (`ln -s /data /app/data` writes
                // `/app/data`, `cp x /data/` writes under /data), as the shell runs them.
                if writes::knows_program(program) || !c.redirects.is_empty() {
                    let only_folders = program == "install" && c.args(&[]).has(&["-d", "--directory"]);
                    let paths = writes::written_paths(c, &cwd).into_iter().filter(|_| !only_folders);
                    return paths.map(|w| w.path.trim_end_matches('/').to_string()).find(|p| under_data(p));
                }
                // Any other program (a downloader, a script) writes where it is told: `/data/x`
                // as an operand, or as an option's value (`--local-dir=/data/x`).
                let operands = c.words.iter().skip(1).map(|w| w.rsplit('=').next().unwrap_or(w));
                operands.into_iter().find(|p| under_data(p.trim_end_matches('/'))).map(str::to_string)
            });
            if let Some(path) = written {
                found.push((run.span.clone(), path));
            }
        }
        found.sort_by_key(|(span, _)| span.start);
        found
    }

    /// The build secrets the RUNs of the needed stages mount, once each (required if any mount
    /// requires it).
    pub fn secret_mounts(&self) -> Vec<SecretMount> {
        let needed = self.needed_stages();
        let mut mounts: Vec<SecretMount> = Vec::new();
        for m in self.runs.iter().filter(|r| needed.contains(&r.stage)).flat_map(|r| r.secret_mounts.iter()) {
            match mounts.iter_mut().find(|x| x.id == m.id) {
                Some(x) => x.required |= m.required,
                None => mounts.push(m.clone()),
            }
        }
        mounts
    }

    /// Whether a RUN of the final chain writes this path (`echo … > /app/start.sh`, `cp`, `tee`):
    /// a file the image has that no COPY put there.
    pub fn run_writes(&self, path: &str) -> bool {
        self.runs_in_chain().any(|run| {
            let cwd = writes::Cwd::new("/");
            run.commands.iter().any(|c| writes::written_paths(c, &cwd).iter().any(|w| w.path == path))
        })
    }

    /// The Space file (relative path) a context COPY put at this image path.
    pub fn space_file_at(&self, image_path: &str) -> Option<&str> {
        self.placed_at.get(image_path).map(|&i| self.placed[i].rel.as_str())
    }

    pub fn runs_in_chain(&self) -> impl Iterator<Item = &RunCommand> {
        self.runs.iter().filter(|r| self.chain.contains(&r.stage))
    }

    /// Resolves a user reference (`user`, `1000`, `user:group`) to a UID.
    pub fn resolve_uid(&self, user: &str) -> Uid {
        let spec = UserSpec::parse(user);
        let name = spec.user.as_str();
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
        if let Some((at, u)) = self.created_users.iter().enumerate().rev().find(|(_, u)| u.name == name) {
            if let Some(uid) = u.uid {
                return Uid::Known(uid);
            }
            if let Some(old) = &u.renamed_from {
                return self.uid_before(at, old);
            }
            return self.infer_uid(name, u);
        }
        if let Some(uid) = self.base_facts.user_uid(name) {
            return Uid::Known(uid);
        }
        Uid::Unknown(format!("no useradd/adduser in the Dockerfile creates `{name}`"))
    }

    /// The UID `name` had before the user change at `at` (a renamed account keeps its UID).
    fn uid_before(&self, at: usize, name: &str) -> Uid {
        if let Some(u) = self.created_users[..at].iter().rev().find(|u| u.name == name) {
            if let Some(uid) = u.uid {
                return Uid::Known(uid);
            }
        }
        match self.base_facts.user_uid(name) {
            Some(uid) => Uid::Known(uid),
            None => Uid::Unknown(format!("`{name}` is renamed, but spacecheck cannot tell its UID")),
        }
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
        if self.base_facts.uid_1000_user.is_some() {
            taken.push(1000);
        }
        for u in &self.created_users {
            if u.name == name {
                break;
            }
            match u.uid {
                Some(uid) => taken.push(uid),
                // A renamed account keeps its UID: it takes no new one.
                None if !u.system && u.renamed_from.is_none() => {
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
        let why = match self.base_facts.uid_1000_user {
            Some(existing) if uid != 1000 => format!("`{name}` is created without `-u`, and `{base}` already has `{existing}` with UID 1000, so `{name}` gets UID {uid}"),
            _ => format!("`{name}` is created without `-u`; it gets the first free UID, {uid}"),
        };
        Uid::Inferred { uid, why }
    }

    /// Whether a user reference names the same account as the runtime user.
    pub fn same_user(&self, a: &str, b: &str) -> bool {
        if UserSpec::parse(a).user == UserSpec::parse(b).user {
            return true;
        }
        let uid = |s: &str| match self.resolve_uid(s) {
            Uid::Known(u) | Uid::Inferred { uid: u, .. } => Some(u),
            Uid::Unknown(_) => None,
        };
        matches!((uid(a), uid(b)), (Some(x), Some(y)) if x == y)
    }

    /// What is known of the image the final stage is built on.
    pub fn base(&self) -> BaseImage {
        self.base_facts
    }

    /// `stage` and the stages it is built `FROM`, nearest first. A parent is always an earlier
    /// stage (BuildKit resolves `FROM name` to a stage above), so the walk ends; past
    /// [`crate::budget::MAX_STAGES`] it stops, and the root is unknown.
    pub fn lineage(&self, stage: usize) -> Vec<usize> {
        let mut lineage = vec![stage];
        while let Some(parent) = lineage.last().and_then(|s| self.stages.get(*s)).and_then(|st| st.parent) {
            if lineage.len() >= crate::budget::MAX_STAGES {
                crate::budget::exhausted(crate::budget::Family::Stages);
                break;
            }
            lineage.push(parent);
        }
        lineage
    }

    /// The RUNs `stage`'s image is made of, in file order: its own and those of the stages it
    /// is built `FROM`.
    pub fn lineage_runs(&self, stage: usize) -> Vec<&RunCommand> {
        let lineage: HashSet<usize> = self.lineage(stage).into_iter().collect();
        self.runs.iter().filter(|r| lineage.contains(&r.stage)).collect()
    }

    /// Whether the build stops at a COPY/ADD whose source the build context lacks (or git
    /// ignores) before any RUN could fail: RP002's finding, where the RUN rules stay silent.
    pub fn build_fails_at_copy(&self) -> bool {
        !self.missing_sources.is_empty() || !self.git_ignored_sources.is_empty()
    }

    /// The first stage of `stage`'s lineage: the one built on an external image (or scratch).
    pub fn root_stage(&self, stage: usize) -> usize {
        self.lineage(stage).last().copied().unwrap_or(stage)
    }

    /// What is known of the external image a stage is built on (through the stages it is
    /// built `FROM`).
    pub fn stage_base(&self, stage: usize) -> BaseImage {
        self.stage_bases.get(stage).copied().unwrap_or_else(|| BaseImage::of(None))
    }

    /// Who a `USER` state of `stage` stands for: root, a non-root account, or unknown (a build
    /// argument without a value; with no USER, a base image spacecheck does not know).
    pub fn account(&self, stage: usize, user: &RuntimeUser) -> Account {
        match user {
            RuntimeUser::Default => {
                let base = self.stage_base(stage);
                match base.default_user {
                    Some((name, uid)) => Account::NonRoot { name: name.to_string(), uid: Some(uid) },
                    None if base.distro != base::Distro::Unknown => Account::Root,
                    None => Account::Unknown,
                }
            }
            RuntimeUser::Set { user, .. } => {
                let name = UserSpec::parse(&user.value).user;
                match self.resolve_uid(&user.value) {
                    Uid::Known(0) => Account::Root,
                    Uid::Known(uid) | Uid::Inferred { uid, .. } => Account::NonRoot { name, uid: Some(uid) },
                    Uid::Unknown(_) => Account::Unknown,
                }
            }
        }
    }

    /// The UID the Hub runs the app as.
    pub const HUB_UID: u32 = 1000;

    /// Whether the app, run by the Hub as UID 1000, may write (or create) `path`.
    pub fn writable_at_run_time(&self, path: &str) -> Access {
        self.fs.access(path, Self::HUB_UID, &|owner| self.uid_of_owner(owner))
    }

    /// The UID of a path's owner, when the model can tell it.
    fn uid_of_owner(&self, owner: &Owner) -> Option<u32> {
        match owner {
            Owner::Root => Some(0),
            Owner::User(name) => match self.resolve_uid(name) {
                Uid::Known(uid) | Uid::Inferred { uid, .. } => Some(uid),
                Uid::Unknown(_) => None,
            },
        }
    }

    /// The HOME the app sees on the Hub: `ENV HOME`, else the home of the account with UID
    /// 1000 in the image's passwd, else `/` (Docker's HOME for a UID without an account).
    pub fn runtime_home(&self) -> RuntimeHome {
        if let Some(home) = self.runtime_env.get("HOME") {
            let def = self.var_defs.iter().rev().find(|d| d.kind == Kind::Env && d.name == "HOME");
            return RuntimeHome { path: home.clone(), from: HomeFrom::Env(def.map(|d| d.key_span.clone())) };
        }
        let created = self.created_users.iter().rev().find(|u| {
            u.home.is_some() && matches!(self.resolve_uid(&u.name), Uid::Known(1000) | Uid::Inferred { uid: 1000, .. })
        });
        if let Some(user) = created {
            let path = user.home.as_ref().map_or_else(|| format!("/home/{}", user.name), |h| h.path.clone());
            return RuntimeHome { path, from: HomeFrom::Account(user.name.clone()) };
        }
        let base = self.base();
        match base.uid_1000_user.or(base.default_user.filter(|(_, uid)| *uid == 1000).map(|(n, _)| n)) {
            Some(name) => RuntimeHome { path: format!("/home/{name}"), from: HomeFrom::Account(name.to_string()) },
            None if base.distro != base::Distro::Unknown => RuntimeHome { path: "/".into(), from: HomeFrom::NoAccount },
            None => RuntimeHome { path: "/".into(), from: HomeFrom::Unknown },
        }
    }

    pub fn runtime_user_text(&self) -> Option<&str> {
        match &self.runtime_user {
            RuntimeUser::Default => None,
            RuntimeUser::Set { user, .. } => Some(&user.value),
        }
    }
}

/// Expands BuildKit-style: quotes removed, `$VAR`/`${VAR:-x}` from the given scope.
pub(super) fn expand(text: &str, scope: &Scope) -> String {
    shell::expand_shell_word(text, &|name: &str| scope.get(name))
}

#[derive(Default, Clone)]
pub(super) struct Scope {
    /// ENV values (carried into child stages).
    env: HashMap<String, String>,
    /// ARGs declared in the current stage (value `None` = no default).
    args: HashMap<String, Option<String>>,
}

impl Scope {
    pub(super) fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.env.get(name) {
            return Some(v.clone());
        }
        self.args.get(name).cloned().flatten()
    }
}

/// What a stage hands to the stages built FROM it, and what the final one hands to run time.
#[derive(Clone)]
struct StageState {
    scope: Scope,
    user: RuntimeUser,
    workdir: String,
    start: StartCommand,
}

impl Default for StageState {
    fn default() -> Self {
        StageState {
            scope: Scope::default(),
            user: RuntimeUser::Default,
            workdir: "/".into(),
            start: StartCommand { entrypoint: None, cmd: None },
        }
    }
}

/// Builds the model without a build context (a lone Dockerfile): copies are not placed.
pub fn build(df: &Dockerfile) -> ImageModel {
    build_with_context(df, None)
}

/// Builds the model. Never fails: what cannot be resolved is kept as written. With the build
/// context, each context COPY of the final chain places the Space's files in the image (and in
/// the file-system map, with the copy's owner).
pub fn build_with_context(df: &Dockerfile, context: Option<&placement::BuildContext>) -> ImageModel {
    let ins = &df.instructions;
    let first_from = ins.iter().position(|i| i.kind == Kind::From).unwrap_or(ins.len());
    let (global, var_defs) = global_args(&ins[..first_from]);
    let stages = read_stages(ins, &global);
    let mut model = ImageModel {
        stages: stages.clone(),
        chain: chain_of(&stages),
        base_image: None,
        base_ref: None,
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
        fs: FileSystem::default(),
        base_facts: BaseImage::of(None),
        needed: HashSet::new(),
        stage_bases: Vec::new(),
        venvs: Vec::new(),
        denied_writes: Vec::new(),
        placed: Vec::new(),
        placed_at: HashMap::new(),
        missing_sources: Vec::new(),
        git_ignored_sources: Vec::new(),
    };
    model.stage_bases = (0..stages.len())
        .map(|s| BaseImage::of(stages.get(model.root_stage(s)).and_then(|st| st.image_ref.as_ref())))
        .collect();
    let Some(&root) = model.chain.first() else { return model };
    let root = &stages[root];
    model.base_image = Some(Valued {
        raw: root.image_word.text.clone(),
        value: root.image.clone(),
        span: root.image_word.span.clone(),
    });
    model.base_ref = root.image_ref.clone();
    model.base_facts = BaseImage::of(model.base_ref.as_ref());
    model.fs = base_file_system(&model.base());
    let mut builder = Builder {
        ins,
        global: &global,
        model,
        states: vec![StageState::default(); stages.len()],
        context,
        placed_dirs: HashSet::new(),
        placement_budget: placement::PLACEMENT_BUDGET,
        stage_placed: vec![Vec::new(); stages.len()],
    };
    for stage in &stages {
        builder.walk(stage);
    }
    let final_index = *builder.model.chain.last().unwrap_or(&0);
    let final_state = builder.states[final_index].clone();
    let placed = std::mem::take(&mut builder.stage_placed[final_index]);
    let mut model = builder.model;
    model.placed = placed;
    model.runtime_env = final_state.scope.env;
    model.runtime_user = final_state.user;
    model.workdir = final_state.workdir;
    model.start = final_state.start;
    model.needed = model.compute_needed_stages();
    model.placed_at = model.placed.iter().enumerate().map(|(i, p)| (p.image_path.clone(), i)).collect();
    model
}

/// The folders every image of the base's distribution has, and the home of its own user.
fn base_file_system(base: &BaseImage) -> FileSystem {
    let user = base.uid_1000_user.or(base.default_user.map(|(name, _)| name));
    let home = user.map(|name| (name, format!("/home/{name}")));
    FileSystem::of_base(base.distro != base::Distro::Unknown, home.as_ref().map(|(n, h)| (*n, h.as_str())))
}

/// Who owns what a step creates: the USER in effect, or the base image's own user.
fn owner_of(user: &RuntimeUser, base: &BaseImage) -> Owner {
    match user {
        RuntimeUser::Set { user, .. } => {
            let name = UserSpec::parse(&user.value).user;
            if name == "root" || name == "0" {
                Owner::Root
            } else {
                Owner::User(name)
            }
        }
        RuntimeUser::Default => base.default_user.map_or(Owner::Root, |(name, _)| Owner::User(name.to_string())),
    }
}

/// ARGs before the first FROM: their defaults (expanded in order) and their definitions.
fn global_args(before_from: &[Instruction]) -> (HashMap<String, Option<String>>, Vec<VarDef>) {
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let mut var_defs = Vec::new();
    for (n, i) in before_from.iter().enumerate() {
        let Args::KeyValues(kvs) = &i.args else { continue };
        for kv in kvs {
            let value = kv.value.as_ref().map(|w| Valued {
                raw: w.text.clone(),
                value: shell::expand_shell_word(&w.text, &|name: &str| global.get(name).cloned().flatten()),
                span: w.span.clone(),
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
    (global, var_defs)
}

pub(super) fn valued(w: &Word, scope: &Scope) -> Valued {
    Valued { raw: w.text.clone(), value: expand(&w.text, scope), span: w.span.clone() }
}

/// The stages, with their images expanded from the global ARGs and their parents resolved.
fn read_stages(ins: &[Instruction], global: &HashMap<String, Option<String>>) -> Vec<Stage> {
    let from_indices: Vec<usize> =
        ins.iter().enumerate().filter(|(_, i)| i.kind == Kind::From).map(|(n, _)| n).collect();
    let global_scope = Scope { env: HashMap::new(), args: global.clone() };
    let mut stages: Vec<Stage> = Vec::new();
    // Each alias (case-insensitive, as BuildKit compares them) → the last stage named so.
    let mut aliases: HashMap<String, usize> = HashMap::new();
    for (s, &fi) in from_indices.iter().enumerate() {
        let end = from_indices.get(s + 1).copied().unwrap_or(ins.len());
        let Args::From { image, alias } = &ins[fi].args else { continue };
        let expanded = expand(&image.text, &global_scope);
        let unresolved_args: Vec<String> =
            referenced_vars(&image.text).into_iter().filter(|v| global_scope.get(v).is_none()).collect();
        let parent = aliases.get(&expanded.to_ascii_lowercase()).copied();
        if let Some(a) = alias {
            aliases.insert(a.text.to_ascii_lowercase(), s);
        }
        let external = parent.is_none() && unresolved_args.is_empty() && !expanded.eq_ignore_ascii_case("scratch");
        stages.push(Stage {
            index: s,
            from_index: fi,
            body: fi + 1..end,
            image_ref: external.then(|| ImageRef::parse(&expanded).ok()).flatten(),
            image: expanded,
            image_word: image.clone(),
            alias: alias.as_ref().map(|a| a.text.clone()),
            parent,
            unresolved_args,
        });
    }
    stages
}

/// The final stage's chain, root ancestor first (parents are earlier stages: the walk ends).
fn chain_of(stages: &[Stage]) -> Vec<usize> {
    let Some(last) = stages.len().checked_sub(1) else { return Vec::new() };
    let mut chain = vec![last];
    while let Some(p) = stages[*chain.last().unwrap_or(&0)].parent {
        chain.push(p);
    }
    chain.reverse();
    chain
}

/// Walks every stage (for source checks and secrets), with each stage's state carried into
/// the stages built FROM it.
struct Builder<'a> {
    ins: &'a [Instruction],
    global: &'a HashMap<String, Option<String>>,
    model: ImageModel,
    states: Vec<StageState>,
    context: Option<&'a placement::BuildContext>,
    /// The folders context copies placed so far (a file copied onto one goes inside it).
    placed_dirs: HashSet<String>,
    /// What is left of `placement::PLACEMENT_BUDGET`.
    placement_budget: usize,
    /// The Space's files each stage holds, by stage index.
    stage_placed: Vec<Vec<placement::Placed>>,
}

impl Builder<'_> {
    /// A COPY/ADD of a stage: the Space's files it puts in that stage, from the build context
    /// or from an earlier stage that has them; in the final chain each is also a path of the
    /// file-system map, with the copy's owner.
    fn place(&mut self, op: &CopyOp, owner: &Owner, world_writable: bool, in_chain: bool) {
        let Some(context) = self.context else { return };
        // A folder the image already has (WORKDIR, mkdir, an earlier copy's folder) takes the
        // file inside it.
        let existing_dir = (in_chain && self.model.fs.get(&op.dest).is_some_and(|s| s.change != Change::Copy))
            || self.placed_dirs.contains(op.dest.trim_end_matches('/'));
        let dest_is_dir = op.dest_names_dir || existing_dir;
        let placed = match op.from {
            CopyFrom::Context => {
                let missing = context.missing(op);
                self.model.missing_sources.extend(missing.into_iter().map(str::to_string));
                let ignored = context.git_ignored(op);
                self.model.git_ignored_sources.extend(ignored.into_iter().map(str::to_string));
                placement::place(op, dest_is_dir, context, &mut self.placement_budget)
            }
            CopyFrom::Stage(from) if from < op.stage => {
                placement::place_from_stage(op, dest_is_dir, &self.stage_placed[from], &mut self.placement_budget)
            }
            _ => return,
        };
        for p in &placed {
            if in_chain {
                self.model.fs.create(&p.image_path, owner, world_writable, op.instruction, Change::Copy);
            }
            if p.is_dir {
                self.placed_dirs.insert(p.image_path.clone());
            }
        }
        self.stage_placed[op.stage].extend(placed);
    }

    fn walk(&mut self, stage: &Stage) {
        let in_chain = self.model.chain.contains(&stage.index);
        // A stage built FROM another has the files that one placed.
        if let Some(p) = stage.parent.filter(|p| *p < stage.index) {
            self.stage_placed[stage.index] = self.stage_placed[p].clone();
        }
        let mut state = match stage.parent {
            Some(p) => {
                let mut inherited = self.states[p].clone();
                inherited.scope.args.clear();
                inherited
            }
            None => StageState::default(),
        };
        let mut cmd_inherited = state.start.cmd.is_some();
        for n in stage.body.clone() {
            let i = &self.ins[n];
            match (i.kind, &i.args) {
                // ONBUILD runs in images built FROM this one, not here.
                (_, Args::Onbuild(_)) => {}
                (Kind::Arg | Kind::Env, Args::KeyValues(kvs)) => self.variables(i.kind, n, kvs, &mut state.scope),
                (Kind::User, Args::Text(w)) => {
                    state.user = RuntimeUser::Set { user: valued(w, &state.scope), stage: stage.index };
                }
                (Kind::Workdir, Args::Text(w)) => {
                    let workdir = join_path(&state.workdir, &expand(&w.text, &state.scope));
                    // Past PATH_MAX the build fails (mkdir: file name too long); the model
                    // keeps the last folder it could model rather than grow without bound.
                    if workdir.len() > crate::budget::PATH_BYTES {
                        crate::budget::exhausted(crate::budget::Family::PathLength);
                        continue;
                    }
                    state.workdir = workdir;
                    if in_chain {
                        // BuildKit creates a missing WORKDIR as the USER of that point.
                        let owner = owner_of(&state.user, &self.model.base());
                        self.model.fs.create(&state.workdir, &owner, false, n, Change::Workdir);
                    }
                }
                (Kind::Run, _) => self.run(i, n, stage.index, in_chain, &state),
                (Kind::Copy | Kind::Add, _) => {
                    let op = copy_op(i, n, stage.index, &state.scope, &state.workdir, &self.model.stages);
                    // COPY writes as root unless `--chown` names another owner.
                    let owner =
                        op.owner().map_or(Owner::Root, |o| if o.is_root() { Owner::Root } else { Owner::User(o.user) });
                    let world_writable = op.chmod.is_some_and(|m| m.world_writable());
                    self.place(&op, &owner, world_writable, in_chain);
                    if in_chain {
                        self.model.fs.create(&op.dest, &owner, world_writable, n, Change::Copy);
                        self.model.copies.push(op.clone());
                    }
                    self.model.all_copies.push(op);
                }
                (Kind::Expose, Args::Words(words)) if in_chain => {
                    for w in words {
                        let text = valued(w, &state.scope);
                        self.model.exposed.push(ExposedPort { ports: parse_port_spec(&text.value), text });
                    }
                }
                (Kind::Cmd, Args::Command(c)) => {
                    state.start.cmd = Some((c.clone(), i.span.clone()));
                    cmd_inherited = false;
                }
                (Kind::Entrypoint, Args::Command(c)) => {
                    state.start.entrypoint = Some((c.clone(), i.span.clone()));
                    // Docker resets an inherited CMD when ENTRYPOINT is set.
                    if cmd_inherited {
                        state.start.cmd = None;
                    }
                }
                _ => {}
            }
        }
        self.states[stage.index] = state;
    }

    fn variables(&mut self, kind: Kind, n: usize, kvs: &[KeyValue], scope: &mut Scope) {
        for kv in kvs {
            let name = kv.key.text.clone();
            let value = match &kv.value {
                Some(v) => Some(valued(v, scope)),
                // `ARG NAME` in a stage takes the global default.
                None if kind == Kind::Arg => self.global.get(&name).cloned().flatten().map(|g| Valued {
                    raw: String::new(),
                    value: g,
                    span: kv.key.span.clone(),
                }),
                None => None,
            };
            if kind == Kind::Env {
                scope.env.insert(name.clone(), value.as_ref().map(|v| v.value.clone()).unwrap_or_default());
            } else {
                scope.args.insert(name.clone(), value.as_ref().map(|v| v.value.clone()));
            }
            self.model.var_defs.push(VarDef { name, value, key_span: kv.key.span.clone(), kind, instruction: n });
        }
    }

    fn run(&mut self, i: &Instruction, n: usize, stage: usize, in_chain: bool, state: &StageState) {
        let run = run_command(i, n, stage, &state.scope, &state.user);
        if in_chain {
            let owner = owner_of(&state.user, &self.model.base());
            let writer = self.judged_build_uid(&owner);
            let path_var = state.scope.env.get("PATH").map(String::as_str);
            let mut cwd = writes::Cwd::new(&state.workdir);
            for (k, c) in run.commands.iter().enumerate() {
                if let Some(uid) = writer.filter(|_| !c.conditional) {
                    self.check_writes(c, (self.model.runs.len(), k), &cwd, uid, path_var);
                }
                let folder = cwd.get().unwrap_or(&state.workdir).to_string();
                let change = users::user_change(c);
                if let Some(home) = change.as_ref().and_then(|u| u.home.as_ref().filter(|h| h.created).map(|h| (u, h)))
                {
                    let (user, home) = home;
                    self.model.fs.create(&home.path, &Owner::User(user.name.clone()), false, n, Change::UserHome);
                }
                self.model.created_users.extend(change);
                // One reading of chown/chmod: the file-system map and DF006 both use it.
                if let Some(fix) = ownership_fix(c, n, &folder) {
                    self.model.fs.apply_ownership(&fix);
                    self.model.ownership_fixes.push(fix);
                }
                if let Some(venv) = writes::created_venv(c, &cwd) {
                    self.model.fs.create(&venv, &owner, false, n, Change::Venv);
                    self.model.venvs.push(venv);
                }
                self.model.fs.apply(c, &folder, &owner, n);
                cwd.follow(c);
            }
            record_written_files(i, &run, &state.workdir, &mut self.model.written_files);
        }
        self.model.runs.push(run);
    }

    /// The UID a RUN's writes are judged for: a non-root user, on a base image whose tree is
    /// known and that ships no user of its own (Jupyter's and micromamba's images give their
    /// user folders the map does not show).
    fn judged_build_uid(&self, owner: &Owner) -> Option<u32> {
        let base = self.model.base();
        if base.distro == base::Distro::Unknown || base.default_user.is_some() {
            return None;
        }
        let Owner::User(name) = owner else { return None };
        match self.model.resolve_uid(name) {
            Uid::Known(uid) | Uid::Inferred { uid, .. } if uid != 0 => Some(uid),
            _ => None,
        }
    }

    /// Records the first write of `command` that `uid` may not make at this point.
    fn check_writes(
        &mut self,
        command: &SimpleCommand,
        (run, index): (usize, usize),
        cwd: &writes::Cwd,
        uid: u32,
        path_var: Option<&str>,
    ) {
        let model = &self.model;
        let uid_of = |owner: &Owner| model.uid_of_owner(owner);
        let mut path_writes = writes::written_paths(command, cwd).into_iter().filter_map(|w| {
            if w.only_if_missing && model.fs.get(&w.path).is_some() {
                return None;
            }
            match model.fs.access(&w.path, uid, &uid_of) {
                Access::No { path, state } if decides(&w.path, &path, state.change, w.only_if_missing) => {
                    Some((WriteTarget::Path(w.path), path, state))
                }
                _ => None,
            }
        });
        let venv_write = || {
            let venv = writes::pip_venv(command, path_var, &model.venvs)?;
            match model.fs.access(&format!("{venv}/lib"), uid, &uid_of) {
                Access::No { path, state } => Some((WriteTarget::Venv(venv.to_string()), path, state)),
                _ => None,
            }
        };
        let denied = path_writes.next().or_else(venv_write);
        if let Some((target, blocking, state)) = denied {
            self.model.denied_writes.push(DeniedWrite { run, command: index, target, blocking, state });
        }
    }
}

/// Whether a folder that denies a write decides it: the path itself, or the folder it is made
/// in, or `/usr` and `/etc`, where a base image has nothing a user may write. Deeper below a
/// base image's folder, what exists there is not known. `mkdir -p` writes nothing when the
/// folder exists, and packages make folders in the system's trees (`/var/lib/nginx`), so there
/// only a folder the Dockerfile made, or one of `/`, `/opt`, `/srv`, `/home`, decides.
fn decides(path: &str, blocking: &str, change: Change, only_if_missing: bool) -> bool {
    let path = path.trim_end_matches('/');
    if only_if_missing {
        let known_empty = change != Change::Base || matches!(blocking, "/" | "/opt" | "/srv" | "/home");
        return known_empty && blocking == fs::parent(path);
    }
    blocking == path || blocking == fs::parent(path) || matches!(blocking, "/usr" | "/etc")
}

pub fn referenced_vars(text: &str) -> Vec<String> {
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
    // Both already clean (a WORKDIR chain joins one folder at a time): one copy, no split.
    let clean = |p: &str| !p.split('/').any(|part| matches!(part, "." | ".."));
    let base_clean = base.starts_with('/') && !base.contains("//") && (base == "/" || !base.ends_with('/'));
    if base_clean && !path.is_empty() && !path.starts_with('/') && !path.contains("//") && clean(base) && clean(path) {
        return if base == "/" { format!("/{path}") } else { format!("{base}/{path}") };
    }
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
    fn secret_mounts_are_read_from_run_flags() {
        let m = model("FROM python\nRUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true --mount=type=cache,target=/root/.cache x\nRUN --mount=type=secret,dst=/run/secrets/API_KEY y\n");
        assert_eq!(
            m.secret_mounts(),
            vec![
                SecretMount {
                    id: "HF_TOKEN".into(),
                    required: true,
                    mode: Some(0o444),
                    uid: None,
                    file: true,
                    path: "/run/secrets/HF_TOKEN".into()
                },
                SecretMount {
                    id: "API_KEY".into(),
                    required: false,
                    mode: None,
                    uid: None,
                    file: true,
                    path: "/run/secrets/API_KEY".into()
                }
            ]
        );
    }

    #[test]
    fn what_the_build_puts_under_data() {
        let m = model("FROM python\nRUN mkdir -p /data && chmod 777 /data\nCOPY models/ /data/models/\nRUN huggingface-cli download org/m --local-dir=/data/hf\nRUN echo x > /data/seed.txt\nRUN ls /database\nRUN ln -s /data /app/data && ln -sf /data/cache /root/.cache\nRUN cp /data/x /app/x && rm -rf /data/tmp\nRUN cp seed.db /data/\n");
        let paths: Vec<String> = m.data_writes().into_iter().map(|(_, p)| p).collect();
        // A link to /data is made elsewhere (issue 25: `ln -s /data /app/data` is no write
        // under /data); a copy from it or a removal puts nothing there.
        assert_eq!(paths, vec!["/data/models", "/data/hf", "/data/seed.txt", "/data"]);
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
        // The fast path (both clean) and the full one agree.
        assert_eq!(join_path("/", "a"), "/a");
        assert_eq!(join_path("/app", "a/b/"), "/app/a/b/");
        assert_eq!(join_path("/app/", "x"), "/app/x");
        assert_eq!(join_path("/app//b", "x"), "/app/b/x");
        assert_eq!(join_path("/app", "x/./y"), "/app/x/y");
        assert_eq!(join_path("/app", ".hidden/x"), "/app/.hidden/x");
    }
}

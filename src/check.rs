//! The one path every way of checking a Space goes through: the lint command (a folder, a
//! folder with `--space`, `hf://`), the batch grader and the pre-push hook (which runs the lint
//! command). It picks the policy, probes the Hub when the target is live, fetches the Hub's files
//! when the target is remote, and hands everything to [`lint::run`].

use std::path::{Path, PathBuf};

use crate::assignment::{self, Assignment, StudentValues};
use crate::hub::client::{HubClient, HubError};
use crate::hub::probe::{self, ProbeOptions};
use crate::hub::remote;
use crate::lint::{self, GraderFiles, Input, Live, Options, Report};
use crate::policy::Policy;
use crate::space::Space;

/// What to check.
#[derive(Debug, Clone)]
pub enum Target {
    /// A Space folder; `display` names it in reports (the hook lints an export of a commit);
    /// `pushed` when the folder holds exactly a pushed tree (the hook's export of a commit):
    /// it is the whole Space, and every file in it was pushed (`.gitignore` does not apply).
    Local { root: PathBuf, display: Option<String>, pushed: bool },
    /// A Space folder, and the same Space live on the Hub (`--space OWNER/NAME`).
    LocalAndLive { root: PathBuf, space_id: String },
    /// The files stored on the Hub and the live Space (`hf://OWNER/NAME`, grading).
    Remote { space_id: String },
    /// A lone Dockerfile (a file path, or `-` for standard input), linted as hadolint would:
    /// the rules that need the README or the build context are skipped with the reason.
    Dockerfile { display: String, bytes: Vec<u8> },
}

/// The most a lone Dockerfile may hold: as much as a Space's.
const MAX_DOCKERFILE_BYTES: u64 = crate::space::MAX_TEXT_BYTES;

/// A lone Dockerfile's bytes: `-` is standard input; anything else a regular file.
fn read_dockerfile(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().lock().take(MAX_DOCKERFILE_BYTES + 1).read_to_end(&mut bytes)
    } else {
        crate::source::open_regular(Path::new(path))
            .and_then(|f| f.take(MAX_DOCKERFILE_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read `{path}`: {e}"))?;
    if bytes.len() as u64 > MAX_DOCKERFILE_BYTES {
        return Err(format!("`{path}` is over {MAX_DOCKERFILE_BYTES} bytes: not a Dockerfile spacecheck reads"));
    }
    Ok(bytes)
}

impl Target {
    /// The target the lint command names: `hf://OWNER/NAME`, or a folder with or without
    /// `--space OWNER/NAME` (which `--offline` turns off); `display` names a folder in reports.
    pub fn from_args(
        path: &str,
        space: Option<&str>,
        offline: bool,
        display: Option<String>,
    ) -> Result<Target, String> {
        // A Space's page on the Hub means the same as hf://OWNER/NAME.
        if path.contains("://") && !path.starts_with("hf://") {
            let id = probe::parse_space(path)?;
            return Target::from_args(&format!("hf://{id}"), space, offline, display);
        }
        if path == "-" || Path::new(path).is_file() {
            if space.is_some() {
                return Err("--space checks a Space folder; a lone Dockerfile has no README to compare".into());
            }
            let bytes = read_dockerfile(path)?;
            let display = display.unwrap_or_else(|| if path == "-" { "-".into() } else { path.to_string() });
            return Ok(Target::Dockerfile { display, bytes });
        }
        let remote = path.strip_prefix("hf://").map(|s| s.trim_end_matches('/').to_string());
        let space_id = match (&remote, space) {
            (Some(_), Some(_)) => return Err("give either hf://OWNER/NAME or --space, not both".into()),
            (Some(_), None) if offline => {
                return Err("hf:// lints the files stored on the Hub; with --offline there is nothing to lint".into());
            }
            (id, space) => id.clone().or_else(|| space.map(str::to_string)),
        };
        if let Some(id) = space_id.as_deref().filter(|id| !probe::valid_space_id(id)) {
            return Err(format!("`{id}` is not a Space id: expected OWNER/NAME (letters, digits, `-`, `_`, `.`)"));
        }
        let root = PathBuf::from(path);
        Ok(match (remote, space_id) {
            (Some(space_id), _) => Target::Remote { space_id },
            (None, Some(space_id)) if !offline => Target::LocalAndLive { root, space_id },
            _ => Target::Local { root, display, pushed: false },
        })
    }

    pub fn space_id(&self) -> Option<&str> {
        match self {
            Target::Local { .. } => None,
            Target::LocalAndLive { space_id, .. } | Target::Remote { space_id } => Some(space_id),
            Target::Dockerfile { .. } => None,
        }
    }

    /// The target after `--fix` wrote it: a lone Dockerfile is read again, so the report is of
    /// the fixed file (a folder is read when it is linted).
    pub fn after_fix(self, path: &str, offline: bool) -> Result<Target, String> {
        match self {
            Target::Dockerfile { display, .. } if display != "-" => {
                Target::from_args(path, None, offline, Some(display))
            }
            target => Ok(target),
        }
    }

    pub fn root(&self) -> Option<&Path> {
        match self {
            Target::Local { root, .. } | Target::LocalAndLive { root, .. } => Some(root),
            Target::Remote { .. } | Target::Dockerfile { .. } => None,
        }
    }
}

/// Where the policy comes from, in order: the assignment's derived values, `--policy`, a
/// `spacecheck.yaml` in a local Space, the built-in baseline.
#[derive(Clone, Default)]
pub struct PolicySource {
    pub assignment: Option<(&'static Assignment, StudentValues)>,
    pub file: Option<PathBuf>,
    /// Assignment mode: the URL the student will submit (default: built from the Space id).
    pub submission: Option<String>,
}

impl PolicySource {
    /// The policy for a target. A policy file inside a remote Space is never used: it is
    /// written by the people being checked.
    pub fn resolve(&self, target: &Target) -> Result<Policy, CheckError> {
        let url = |id: &str| format!("https://huggingface.co/spaces/{id}");
        if let Some((a, values)) = &self.assignment {
            let mut policy = assignment::policy_for(values, a);
            policy.submission = self.submission.clone().or_else(|| target.space_id().map(url));
            return Ok(policy);
        }
        let file = match &self.file {
            Some(path) => Some(path.clone()),
            None => target.root().map(space_policy).transpose()?.flatten(),
        };
        let Some(path) = file else { return Ok(Policy::baseline()) };
        let policy = Policy::load(&path).map_err(|e| CheckError::Local(e.0))?;
        // `assignment` and `email` in the file: the assignment's values, with the file's own
        // selection, fail level and rule settings.
        let Some((id, email)) = policy.assignment_ref.clone() else { return Ok(policy) };
        let a = assignment::lookup(&id).map_err(|e| CheckError::Local(format!("{}: {e}", path.display())))?;
        let values = assignment::student(&email).map_err(|e| CheckError::Local(format!("{}: {e}", path.display())))?;
        let mut assigned = assignment::policy_for(&values, a);
        assigned.source = format!("{} ({})", path.display(), assigned.source);
        assigned.submission = self.submission.clone().or_else(|| target.space_id().map(url));
        assigned.rules = policy.rules;
        (assigned.select, assigned.ignore, assigned.fail_on) = (policy.select, policy.ignore, policy.fail_on);
        Ok(assigned)
    }
}

/// The policy a local Space folder is checked against when nothing else is said: its own
/// `spacecheck.yaml`, else the baseline (the language server's).
pub fn local_policy(root: &Path) -> Result<Policy, String> {
    let target = Target::Local { root: root.to_path_buf(), display: None, pushed: false };
    PolicySource::default().resolve(&target).map_err(|e| match e {
        CheckError::Local(message) => message,
        CheckError::Hub(e) => format!("{e:?}"),
    })
}

/// The Space's own `spacecheck.yaml`, if it has one. A link is followed only inside the Space:
/// the policy's text is echoed in errors, and a link may point anywhere.
fn space_policy(root: &Path) -> Result<Option<PathBuf>, CheckError> {
    let path = root.join("spacecheck.yaml");
    let Ok(meta) = std::fs::symlink_metadata(&path) else { return Ok(None) };
    if meta.file_type().is_symlink() {
        let inside = match (path.canonicalize(), root.canonicalize()) {
            (Ok(target), Ok(root)) => target.starts_with(root),
            _ => false,
        };
        if !inside {
            let why = "is a symbolic link that points outside the Space (or nowhere); spacecheck does not follow it";
            return Err(CheckError::Local(format!("`{}` {why}; use --policy", path.display())));
        }
    }
    Ok(Some(path))
}

/// Why a Space could not be checked (exit 2 for a single Space, an error row in a batch).
#[derive(Debug)]
pub enum CheckError {
    /// The Hub could not be asked.
    Hub(HubError),
    /// Local input: an unreadable folder or policy, a temporary folder that cannot be made.
    Local(String),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Hub(e) => write!(f, "{e}"),
            CheckError::Local(m) => f.write_str(m),
        }
    }
}

/// The probe requests a policy needs: secrets only when the policy names some (or the local
/// Dockerfile mounts build secrets, which the Hub fills from them); the public variables (one
/// more API call that only refines a message) not in a batch.
pub fn probe_options(policy: &Policy, batch: bool) -> ProbeOptions {
    ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true, variables: !batch }
}

/// Whether a Space's Dockerfile mounts build secrets (`RUN --mount=type=secret`), read from
/// its text: the model that says which ones is built later, by the lint.
fn mounts_secrets(space: &Space) -> bool {
    space.dockerfile.text().is_some_and(|f| f.text.contains("type=secret"))
}

/// Runs CPU work (parsing, modelling, rules) without holding a worker of a multi-threaded
/// runtime: its other tasks (a batch's downloads and probes) move to another thread meanwhile,
/// so one costly Space cannot stall the batch. On a current-thread runtime (one target, the
/// hook) there is nothing else to run.
fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// Checks one target. `client` is needed for live targets; `notes` receives remarks about
/// files of a remote Space that were not read.
pub async fn check(
    target: &Target,
    policy: &Policy,
    options: &Options,
    client: Option<&HubClient>,
    batch: bool,
    notes: &mut Vec<String>,
) -> Result<Report, CheckError> {
    match target {
        Target::Local { root, display, pushed } => {
            let space = if *pushed { Space::load_pushed(root) } else { Space::load(root) };
            let mut space = space.map_err(|e| CheckError::Local(e.0))?;
            if let Some(name) = display {
                space.display = name.clone();
            }
            space.whole |= *pushed;
            Ok(off_the_runtime(|| lint::lint(&space, policy, options)))
        }
        Target::LocalAndLive { root, space_id } => {
            let space = Space::load(root).map_err(|e| CheckError::Local(e.0))?;
            let client = client.ok_or_else(|| CheckError::Local("live checks need the Hub client".into()))?;
            let asked = async {
                let mut options = probe_options(policy, batch);
                options.secrets |= mounts_secrets(&space);
                let probe = probe::probe(client, space_id, options).await?;
                // The grader reads the files stored on the Hub, not the local ones.
                let grader_files = match policy.assignment {
                    Some(_) => Some(hub_grader_files(client, space_id).await?),
                    None => None,
                };
                Ok::<_, HubError>((probe, grader_files))
            };
            let target = space.display.clone();
            match asked.await {
                Ok((probe, grader_files)) => {
                    let live = Some(Live { probe: &probe, compare_readme: true });
                    let input = Input { space: Some(&space), target, live, grader_files, ..Input::default() };
                    Ok(off_the_runtime(|| lint::run(&input, policy, options)))
                }
                // The local findings stand; the live rules are skipped with the reason.
                Err(e) => {
                    let live_failure = Some(format!("could not check `{space_id}` on the Hub: {e}"));
                    let input = Input { space: Some(&space), target, live_failure, ..Input::default() };
                    Ok(off_the_runtime(|| lint::run(&input, policy, options)))
                }
            }
        }
        Target::Dockerfile { display, bytes } => {
            let mut space = Space::in_memory(None, Some(bytes));
            space.display = display.clone();
            // Findings name the file given, relative to its folder (`Report::folder`); standard
            // input stays `Dockerfile`.
            let name = Path::new(display.as_str()).file_name().map(|n| n.to_string_lossy().to_string());
            if let (crate::space::Loaded::Text(file), Some(name), false) = (&mut space.dockerfile, name, display == "-")
            {
                file.path = name;
            }
            let input =
                Input { space: Some(&space), target: display.clone(), lone_dockerfile: true, ..Input::default() };
            Ok(off_the_runtime(|| lint::run(&input, policy, options)))
        }
        Target::Remote { space_id } => {
            let client = client.ok_or_else(|| CheckError::Local("hf:// needs the Hub client".into()))?;
            match check_remote(client, space_id, policy, options, batch, notes).await {
                Err(CheckError::Hub(e)) if !batch => {
                    // A valid, empty report that says why (an empty CI artifact helps no one).
                    let live_failure = Some(format!("could not check `{space_id}` on the Hub: {e}"));
                    let target = format!("hf://{space_id}");
                    Ok(lint::run(&Input { target, live_failure, ..Input::default() }, policy, options))
                }
                other => other,
            }
        }
    }
}

/// `hf://id`: probe the Space, fetch its files into a private temporary folder, and lint them
/// as a local Space would be, with the live findings.
async fn check_remote(
    client: &HubClient,
    id: &str,
    policy: &Policy,
    options: &Options,
    batch: bool,
    notes: &mut Vec<String>,
) -> Result<Report, CheckError> {
    let target = format!("hf://{id}");
    let mut probe = probe::probe(client, id, probe_options(policy, batch)).await.map_err(CheckError::Hub)?;
    let live = || Some(Live { probe: &probe, compare_readme: false });
    let Some(info) = probe.info() else {
        // A Space the Hub does not show has no files to lint.
        return Ok(lint::run(&Input { target, live: live(), ..Input::default() }, policy, options));
    };
    let dir = tempfile::tempdir().map_err(|e| CheckError::Local(format!("cannot create a temporary folder: {e}")))?;
    let fetched = remote::fetch_files(client, id, info, dir.path()).await.map_err(CheckError::Hub)?;
    notes.extend(fetched.notes);
    // Every file fetched from the Hub was pushed: the Space's .gitignore does not apply.
    let mut space = Space::load_pushed(dir.path()).map_err(|e| CheckError::Local(e.0))?;
    space.display = target.clone();
    space.modes_known = false;
    space.add_listed_files(&fetched.listed_only);
    if mounts_secrets(&space) {
        probe::add_secrets(client, &mut probe).await.map_err(CheckError::Hub)?;
    }
    let live = Some(Live { probe: &probe, compare_readme: false });
    let input = Input { space: Some(&space), target, live, ..Input::default() };
    Ok(off_the_runtime(|| {
        #[cfg(debug_assertions)]
        crate::panic::test_fault(id);
        lint::run(&input, policy, options)
    }))
}

async fn hub_grader_files(client: &HubClient, id: &str) -> Result<GraderFiles, HubError> {
    let fetch = |path: &'static str| remote::fetch_text(client, id, path);
    let (dockerfile, requirements, readme) =
        tokio::join!(fetch("Dockerfile"), fetch("requirements.txt"), fetch("README.md"));
    Ok(GraderFiles { dockerfile: dockerfile?, requirements: requirements?, readme: readme? })
}

//! The final image's file system as far as the Dockerfile shapes it: for every path that a
//! WORKDIR, COPY/ADD or RUN (`mkdir`, `chown`, `chmod`, `useradd -m`, `rm`) creates or changes,
//! who owns it and whether others may write it; plus the few paths every base image of a known
//! distribution has (`/` and `/home` owned by root, `/tmp` writable by all, the home of the user
//! the image ships).
//!
//! Rules ask it one question: can a UID create or write a path at run time? The answer is
//! `Unknown` wherever the base image could hold something the Dockerfile does not show (an image
//! spacecheck does not know, an owner that does not resolve), so a rule never guesses.

use std::collections::BTreeMap;

use super::OwnershipFix;
use crate::parse::mode::Mode;
use crate::parse::shell::SimpleCommand;

/// Who owns a path: root, or a user as the Dockerfile names it (a name or a UID, resolved to a
/// UID by the model when asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Root,
    User(String),
}

/// What last gave a path its owner or mode, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Present in the base image.
    Base,
    /// Created by WORKDIR (as the USER of that point, as BuildKit does).
    Workdir,
    /// Created by COPY/ADD (root, or the `--chown` owner).
    Copy,
    /// Created by `mkdir` in a RUN (as the RUN's user).
    Mkdir,
    /// A home created by `useradd -m` / `adduser`.
    UserHome,
    /// A virtual environment (`python -m venv`, `virtualenv`, `uv venv`).
    Venv,
    Chown,
    Chmod,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathState {
    pub owner: Owner,
    pub world_writable: bool,
    /// The instruction that last changed it (`None` for the base image's paths).
    pub instruction: Option<usize>,
    pub change: Change,
}

/// Whether a UID may write (or create) a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Yes,
    /// No: the path, or the folder it would be created in, and its state.
    No {
        path: String,
        state: PathState,
    },
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct FileSystem {
    paths: BTreeMap<String, PathState>,
    /// Whether the base image's tree is known (its distribution is): otherwise a path the
    /// Dockerfile does not create may exist in the base with any owner.
    base_known: bool,
}

impl FileSystem {
    /// The paths every image of a known distribution has, and the home of its own user.
    pub fn of_base(base_known: bool, base_user_home: Option<(&str, &str)>) -> FileSystem {
        let mut fs = FileSystem { paths: BTreeMap::new(), base_known };
        if !base_known {
            return fs;
        }
        let base = |owner: Owner, world_writable: bool| PathState {
            owner,
            world_writable,
            instruction: None,
            change: Change::Base,
        };
        for dir in [
            "/",
            "/home",
            "/root",
            "/usr",
            "/etc",
            "/opt",
            "/var",
            "/srv",
            "/run",
            "/var/run",
            "/var/lib",
            "/var/log",
            "/var/cache",
        ] {
            fs.paths.insert(dir.to_string(), base(Owner::Root, false));
        }
        for dir in ["/tmp", "/var/tmp", "/dev/shm"] {
            fs.paths.insert(dir.to_string(), base(Owner::Root, true));
        }
        if let Some((user, home)) = base_user_home {
            fs.paths.insert(home.to_string(), base(Owner::User(user.to_string()), false));
        }
        fs
    }

    pub fn get(&self, path: &str) -> Option<&PathState> {
        self.paths.get(normalize(path))
    }

    /// Creates `path` and its missing parents (`mkdir -p`, WORKDIR, COPY's destination), owned
    /// by `owner`; an existing path keeps its owner.
    ///
    /// Every path in the map has its parents in it, so only the missing tail is walked: the
    /// deepest ancestor present is found from the end (a chain of relative WORKDIRs adds one
    /// folder per line instead of walking every parent again). A path past
    /// [`crate::budget::PATH_BYTES`] is not modelled: below it, the map is unknown.
    pub fn create(&mut self, path: &str, owner: &Owner, world_writable: bool, instruction: usize, change: Change) {
        if path.len() > crate::budget::PATH_BYTES {
            crate::budget::exhausted(crate::budget::Family::PathLength);
            return;
        }
        let cleaned;
        let path = if path.contains("//") {
            cleaned = path.split('/').filter(|p| !p.is_empty()).fold(String::new(), |at, p| at + "/" + p);
            normalize(&cleaned)
        } else {
            normalize(path)
        };
        // The deepest ancestor (or the path itself) already in the map.
        let mut present = path;
        while present != "/" && !self.paths.contains_key(present) {
            present = parent(present);
        }
        if present == path {
            return;
        }
        let start = if present == "/" { 0 } else { present.len() };
        for (i, _) in path[start + 1..].match_indices('/').map(|(i, s)| (start + 1 + i, s)).chain([(path.len(), "")]) {
            self.paths.entry(path[..i].to_string()).or_insert(PathState {
                owner: owner.clone(),
                world_writable,
                instruction: Some(instruction),
                change,
            });
        }
    }

    /// `chown [-R] owner path`: the path, and with `-R` every path below it.
    pub fn chown(&mut self, path: &str, owner: &Owner, recursive: bool, instruction: usize) {
        self.change_tree(path, recursive, instruction, |state| {
            state.owner = owner.clone();
            state.change = Change::Chown;
        });
    }

    /// `chmod [-R] mode path`, for the bit that matters here: may others write.
    pub fn chmod(&mut self, path: &str, world_writable: bool, recursive: bool, instruction: usize) {
        self.change_tree(path, recursive, instruction, |state| {
            state.world_writable = world_writable;
            state.change = Change::Chmod;
        });
    }

    /// `rm -r path`: the path and everything below it are gone.
    pub fn remove(&mut self, path: &str) {
        let path = normalize(path).to_string();
        if path == "/" {
            return;
        }
        let below = format!("{path}/");
        self.paths.retain(|p, _| *p != path && !p.starts_with(&below));
    }

    fn change_tree(&mut self, path: &str, recursive: bool, instruction: usize, change: impl Fn(&mut PathState)) {
        let path = normalize(path).to_string();
        // A path the Dockerfile did not create (it came with the base image, or from a COPY of
        // a folder's content) exists now with this state.
        let state = self.paths.entry(path.clone()).or_insert(PathState {
            owner: Owner::Root,
            world_writable: false,
            instruction: Some(instruction),
            change: Change::Base,
        });
        state.instruction = Some(instruction);
        change(state);
        if recursive {
            let below = if path == "/" { "/".to_string() } else { format!("{path}/") };
            for (p, state) in self.paths.iter_mut() {
                if p.starts_with(&below) {
                    state.instruction = Some(instruction);
                    change(state);
                }
            }
        }
    }

    /// What one command of a RUN does to the tree besides ownership: `mkdir`, `rm -r`, run as
    /// `owner` in `workdir` (chown and chmod come through [`FileSystem::apply_ownership`]).
    pub fn apply(&mut self, command: &SimpleCommand, workdir: &str, owner: &Owner, instruction: usize) {
        let Some(program) = command.program_name() else { return };
        let path = |p: &String| super::join_path(workdir, p);
        match program {
            "mkdir" => {
                let args = command.args(&["-m", "--mode"]);
                let world_writable =
                    args.value(&["-m", "--mode"]).and_then(Mode::parse).is_some_and(Mode::world_writable);
                for p in args.operands.iter().filter(|p| !p.contains('$')) {
                    self.create(&path(p), owner, world_writable, instruction, Change::Mkdir);
                }
            }
            "rm" => {
                let args = command.args(&[]);
                if args.has(&["-r", "-R", "--recursive"]) {
                    for p in args.operands.iter().filter(|p| !p.contains('$') && !p.contains('*')) {
                        self.remove(&path(p));
                    }
                }
            }
            _ => {}
        }
    }

    /// A RUN's `chown`/`chmod`, as the model reads it: the new owner, or the others' write bit.
    pub fn apply_ownership(&mut self, fix: &OwnershipFix) {
        for p in fix.paths.iter().filter(|p| !p.contains('$') && !p.contains('*')) {
            if let Some(owner) = &fix.owner {
                // `chown :group path` changes only the group.
                if owner.user.is_empty() {
                    continue;
                }
                let new_owner = if owner.is_root() { Owner::Root } else { Owner::User(owner.user.clone()) };
                self.chown(p, &new_owner, fix.recursive, fix.instruction);
            }
            if let Some(world_writable) = fix.others_write {
                self.chmod(p, world_writable, fix.recursive, fix.instruction);
            }
        }
    }

    /// Whether `uid` may write `path`, or create it: a missing path is created in the deepest
    /// folder above it that exists, so that folder decides. `uid_of` resolves an owner.
    pub fn access(&self, path: &str, uid: u32, uid_of: &dyn Fn(&Owner) -> Option<u32>) -> Access {
        let path = normalize(path);
        // Not modelled (see `create`): what is there is unknown.
        if path.len() > crate::budget::PATH_BYTES {
            return Access::Unknown;
        }
        let mut at = path;
        loop {
            if let Some(state) = self.paths.get(at) {
                // What the base image holds below its known folders is not known.
                if at != path && state.change == Change::Base && !self.base_known {
                    return Access::Unknown;
                }
                if state.world_writable {
                    return Access::Yes;
                }
                return match uid_of(&state.owner) {
                    Some(owner) if owner == uid => Access::Yes,
                    Some(_) => Access::No { path: at.to_string(), state: state.clone() },
                    None => Access::Unknown,
                };
            }
            if at == "/" {
                return Access::Unknown;
            }
            at = parent(at);
        }
    }
}

/// `/app/` → `/app`; `` → `/`.
fn normalize(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// `/app/data` → `/app`; `/app` → `/`.
pub(super) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid_of(owner: &Owner) -> Option<u32> {
        match owner {
            Owner::Root => Some(0),
            Owner::User(u) if u == "user" => Some(1000),
            Owner::User(u) => u.parse().ok(),
        }
    }

    fn access(fs: &FileSystem, path: &str) -> Access {
        fs.access(path, 1000, &uid_of)
    }

    #[test]
    fn missing_paths_are_created_in_the_deepest_existing_folder() {
        let mut fs = FileSystem::of_base(true, None);
        assert!(matches!(access(&fs, "/.cache/huggingface"), Access::No { path, .. } if path == "/"));
        assert_eq!(access(&fs, "/tmp/hf"), Access::Yes);
        fs.create("/home/user", &Owner::User("user".into()), false, 1, Change::UserHome);
        assert_eq!(access(&fs, "/home/user/.cache/huggingface"), Access::Yes);
        fs.create("/app/cache", &Owner::Root, false, 2, Change::Mkdir);
        assert!(matches!(access(&fs, "/app/cache/hub"), Access::No { path, .. } if path == "/app/cache"));
        fs.chmod("/app", true, true, 3);
        assert_eq!(access(&fs, "/app/cache/hub"), Access::Yes);
    }

    #[test]
    fn chown_recursive_covers_what_is_below() {
        let mut fs = FileSystem::of_base(true, None);
        fs.create("/app/data/db", &Owner::Root, false, 1, Change::Mkdir);
        fs.chown("/app", &Owner::User("1000".into()), false, 2);
        assert!(matches!(access(&fs, "/app/data/x"), Access::No { .. }));
        fs.chown("/app", &Owner::User("user".into()), true, 3);
        assert_eq!(access(&fs, "/app/data/x"), Access::Yes);
        fs.remove("/app/data");
        assert_eq!(access(&fs, "/app/data/x"), Access::Yes, "created again in /app");
        // An existing path keeps its owner when created again.
        fs.create("/app", &Owner::Root, false, 4, Change::Workdir);
        assert_eq!(access(&fs, "/app/x"), Access::Yes);
    }

    #[test]
    fn an_unknown_base_answers_unknown() {
        let fs = FileSystem::of_base(false, None);
        assert_eq!(access(&fs, "/.cache"), Access::Unknown);
        let mut fs = FileSystem::of_base(false, None);
        fs.create("/data", &Owner::Root, false, 1, Change::Mkdir);
        assert!(matches!(access(&fs, "/data/x"), Access::No { .. }));
    }
}

//! The base-image catalogue: what an image family holds, by repository and tag pattern, each
//! entry citing the Dockerfile or docs it comes from. The data is `base_images.toml` beside this
//! file, validated and compiled in by build.rs (`build/catalogue.rs`). An image the catalogue
//! does not hold is not known: [`entry`] answers `None`, and nothing is guessed.

/// The distribution an image is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    /// Debian or an image built on it (`python:3.11-slim`, `node:20`): apt, shadow's
    /// `useradd`, Debian's `adduser`, dash as `/bin/sh`.
    Debian,
    /// Ubuntu or an image built on it (`nvidia/cuda:…-ubuntu22.04`): apt, `useradd`.
    Ubuntu,
    /// Alpine (`alpine`, `python:3.12-alpine`): apk, BusyBox `adduser`/`addgroup`; no `useradd`
    /// or `groupadd` unless the `shadow` package is installed.
    Alpine,
    /// Red Hat family (`fedora`, `redhat/ubi9`, `rockylinux`, `amazonlinux`): dnf/yum/microdnf.
    Redhat,
    /// Distroless images: no shell, no package manager.
    Distroless,
    /// Known, but none of these.
    Other,
    /// Not in the catalogue: nothing is assumed.
    Unknown,
}

impl Distro {
    pub fn name(self) -> &'static str {
        match self {
            Distro::Debian => "Debian",
            Distro::Ubuntu => "Ubuntu",
            Distro::Alpine => "Alpine",
            Distro::Redhat => "Red Hat",
            Distro::Distroless => "distroless",
            Distro::Other => "another distribution",
            Distro::Unknown => "an unknown distribution",
        }
    }

    /// The command that creates a UID-1000 user with a home on this distribution.
    pub fn create_user_1000(self) -> &'static str {
        match self {
            Distro::Alpine => "adduser -D -u 1000 user",
            _ => "useradd -m -u 1000 user",
        }
    }
}

/// What `/bin/sh` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Dash,
    Bash,
    Busybox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Apt,
    Apk,
    Dnf,
    Microdnf,
    Yum,
    None,
}

/// Programs whose presence in an image matters to a Space's build or start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Bash,
    Curl,
    Wget,
    Git,
    GitLfs,
    Ps,
    Sudo,
    Python3,
    Pip,
    Node,
    Npm,
    Gcc,
    Make,
    Unzip,
    CaCertificates,
}

/// An account the image ships (root is implied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub name: &'static str,
    pub uid: u32,
    pub gid: Option<u32>,
    pub home: &'static str,
}

/// One image family and tag pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageEntry {
    pub id: &'static str,
    pub repositories: &'static [&'static str],
    /// Glob patterns (`*` only) on the tag; `latest` when FROM names none.
    pub tags: &'static [&'static str],
    pub distro: Distro,
    /// The release a tag that names none gives today.
    pub release: Option<&'static str>,
    /// Earlier releases of that floating tag: (release, the day the tag moved off it).
    pub moved: &'static [(&'static str, &'static str)],
    pub sh: Option<Shell>,
    pub package_manager: Option<PackageManager>,
    /// The USER the image runs as.
    pub user: &'static str,
    pub users: &'static [Account],
    pub workdir: &'static str,
    /// Every variable the image sets (PATH included); `None` when not recorded.
    pub env: Option<&'static [&'static str]>,
    /// The tools of [`Tool`] present; `None` when not recorded.
    pub tools: Option<&'static [Tool]>,
    /// `"tag"` (the version the tag names) or a version (`"3.10"`).
    pub python: Option<&'static str>,
    pub externally_managed: Option<bool>,
    pub sources: &'static [&'static str],
}

/// A release of a distribution: its codename and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseEntry {
    pub distro: Distro,
    pub name: &'static str,
    pub version: &'static str,
    pub released: Option<&'static str>,
    pub source: &'static str,
}

/// A tool: the program names it answers to, and the packages that install it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolEntry {
    pub tool: Tool,
    pub programs: &'static [&'static str],
    pub apt: &'static [&'static str],
    pub apk: &'static [&'static str],
    pub sources: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/base_images.rs"));

/// The tool a program name is (`git`, `cc` is gcc), when the catalogue tracks it.
pub fn tool_of_program(program: &str) -> Option<&'static ToolEntry> {
    TOOLS.iter().find(|t| t.programs.contains(&program))
}

/// `*` matches any run of characters, everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else { return pattern == text };
    let Some(mut left) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = rest.split('*').collect();
    let (last, middle) = parts.split_last().expect("split gives one part at least");
    for part in middle {
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last)
}

/// The catalogue's entry for a repository (`python`, `nvidia/cuda`, `quay.io/jupyter/base-notebook`,
/// without `docker.io/` and `library/`) and tag (`latest` when none): the first that matches.
pub fn entry(repository: &str, tag: &str) -> Option<&'static ImageEntry> {
    IMAGES.iter().find(|e| e.repositories.contains(&repository) && e.tags.iter().any(|p| glob(p, tag)))
}

/// The release a tag names (`-bookworm`, `-slim-trixie`, `ubuntu22.04`, `alpine3.20`,
/// `jammy`), as the catalogue's release table knows them.
pub fn release_in_tag(tag: &str) -> Option<&'static ReleaseEntry> {
    tag.split(['-', '_']).find_map(|part| {
        let ubuntu = part.strip_prefix("ubuntu").filter(|v| !v.is_empty());
        let alpine = part.strip_prefix("alpine").filter(|v| !v.is_empty());
        RELEASES.iter().find(|r| match r.distro {
            Distro::Ubuntu => ubuntu == Some(r.version) || part == r.name,
            Distro::Alpine => alpine == Some(r.version),
            _ => part == r.name,
        })
    })
}

/// A release by name or version.
pub fn release(distro: Distro, name: &str) -> Option<&'static ReleaseEntry> {
    RELEASES.iter().find(|r| r.distro == distro && (r.name == name || r.version == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*-slim", "3.11-slim"));
        assert!(!glob("*-slim", "3.11-slim-bookworm"));
        assert!(glob("*-slim-*", "3.11-slim-bookworm"));
        assert!(glob("*", "anything"));
        assert!(glob("latest", "latest"));
        assert!(glob("*alpine*", "3.12-alpine3.20"));
        assert!(!glob("*alpine*", "3.12-slim"));
        assert!(glob("a*b*c", "abc"));
        assert!(!glob("a*b*c", "acb"));
        assert!(!glob("ab*ba", "aba"), "the ends may not overlap");
    }

    /// Every entry is reached by a tag of its own (no earlier entry takes all its patterns),
    /// and every Debian, Ubuntu or Alpine entry that names a release names a known one.
    #[test]
    fn entries_are_reachable_and_releases_known() {
        for e in IMAGES {
            let concrete: Vec<String> = e.tags.iter().map(|t| t.replace('*', "3.11")).collect();
            let reached =
                e.repositories.iter().any(|r| concrete.iter().any(|t| entry(r, t).is_some_and(|hit| hit.id == e.id)));
            assert!(reached, "{}: an earlier entry takes every tag it names", e.id);
            if let (Some(name), Distro::Debian | Distro::Ubuntu | Distro::Alpine) = (e.release, e.distro) {
                assert!(release(e.distro, name).is_some(), "{}: release {name} is not in the release table", e.id);
            }
        }
    }
}

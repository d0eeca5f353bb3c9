//! What spacecheck knows of common base images: which distribution they are built on (so which
//! package manager and which tool creates users), the user they run as, and whether they already
//! have a UID-1000 user.
//!
//! The facts come from the images' own Dockerfiles (the official `python`, `node`, `ubuntu`,
//! `debian`, `alpine` images, `nvidia/cuda`, `pytorch/pytorch`, Jupyter's docker-stacks,
//! `mambaorg/micromamba`, `continuumio/miniconda3`). For any other image nothing is assumed:
//! [`BaseImage::of`] answers `Distro::Unknown`, and rules that need the distribution stay silent
//! or say what they assumed.

use crate::parse::image_ref::ImageRef;

/// The distribution an image is built on, as far as its name and tag tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    /// Debian or a Debian-based official image (`python:3.11-slim`, `node:20`): apt, shadow's
    /// `useradd`, Debian's `adduser`.
    Debian,
    /// Ubuntu or an image built on it (`nvidia/cuda:…-ubuntu22.04`): apt, `useradd`.
    Ubuntu,
    /// Alpine (`alpine`, `python:3.12-alpine`): apk, BusyBox `adduser`/`addgroup`; no `useradd`
    /// or `groupadd` unless the `shadow` package is installed.
    Alpine,
    /// Red Hat family (`fedora`, `redhat/ubi9`, `rockylinux`, `amazonlinux`): dnf/yum/microdnf.
    RedHat,
    /// Distroless images: no shell, no package manager.
    Distroless,
    /// Anything else: nothing is assumed.
    Unknown,
}

impl Distro {
    pub fn name(self) -> &'static str {
        match self {
            Distro::Debian => "Debian",
            Distro::Ubuntu => "Ubuntu",
            Distro::Alpine => "Alpine",
            Distro::RedHat => "Red Hat",
            Distro::Distroless => "distroless",
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

/// The facts about one base image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseImage {
    pub distro: Distro,
    /// The user the image runs as when the Dockerfile sets none, when it is not root:
    /// Jupyter's docker-stacks run as `jovyan` (1000), micromamba's images as `mambauser`
    /// (57439, its `MAMBA_USER_ID`).
    pub default_user: Option<(&'static str, u32)>,
    /// The user that already has UID 1000 in the image (`node` in the node images, `ubuntu`
    /// from Ubuntu 24.04 on, `jovyan`), so `useradd -u 1000` fails there.
    pub uid_1000_user: Option<&'static str>,
}

/// Official images built on Debian unless their tag says otherwise (`-alpine`, `-ubuntu`).
const DEBIAN_BASED: &[&str] = &[
    "python",
    "node",
    "golang",
    "ruby",
    "php",
    "perl",
    "rust",
    "openjdk",
    "r-base",
    "buildpack-deps",
    "gradio/python",
    "mambaorg/micromamba",
    "continuumio/miniconda3",
    "continuumio/anaconda3",
    "astral-sh/uv",
    "oven/bun",
    "nginx",
];
/// Images built on Ubuntu whatever their tag.
const UBUNTU_BASED: &[&str] =
    &["ubuntu", "nvidia/cuda", "pytorch/pytorch", "tensorflow/tensorflow", "eclipse-temurin", "ollama/ollama"];
const RED_HAT: &[&str] =
    &["fedora", "centos", "rockylinux", "almalinux", "amazonlinux", "redhat/ubi8", "redhat/ubi9", "ubi8", "ubi9"];

/// Ubuntu releases from 24.04 on, which ship a `ubuntu` user with UID 1000.
const UBUNTU_WITH_USER: &[&str] =
    &["24.04", "24.10", "25.04", "25.10", "26.04", "noble", "oracular", "plucky", "questing", "rolling"];

impl BaseImage {
    /// What is known of `image`; `None` (no image: a stage, `scratch`, an unresolved ARG)
    /// gives an unknown image.
    pub fn of(image: Option<&ImageRef>) -> BaseImage {
        let unknown = BaseImage { distro: Distro::Unknown, default_user: None, uid_1000_user: None };
        let Some(image) = image else { return unknown };
        let repo = image.repository.strip_prefix("library/").unwrap_or(&image.repository);
        let tag = image.tag.as_deref().unwrap_or("latest");
        // `nvidia/cuda` and `docker.io/nvidia/cuda`, not `acme/notnvidia/cuda`.
        let is = |names: &[&str]| {
            names.iter().any(|n| repo.strip_suffix(n).is_some_and(|rest| rest.is_empty() || rest.ends_with('/')))
        };
        let distro = if repo == "alpine" || tag.split('-').any(|p| p.starts_with("alpine")) {
            Distro::Alpine
        } else if repo.contains("distroless") {
            Distro::Distroless
        } else if is(UBUNTU_BASED) || repo.starts_with("jupyter/") || tag.contains("ubuntu") {
            Distro::Ubuntu
        } else if repo == "debian" || is(DEBIAN_BASED) {
            Distro::Debian
        } else if is(RED_HAT) {
            Distro::RedHat
        } else {
            Distro::Unknown
        };
        let jupyter = repo.starts_with("jupyter/");
        let default_user = if jupyter {
            Some(("jovyan", 1000))
        } else if repo.ends_with("mambaorg/micromamba") {
            Some(("mambauser", 57439))
        } else {
            None
        };
        let short = image.short_name();
        let uid_1000_user = if short == "node" {
            Some("node")
        } else if short == "bun" {
            Some("bun")
        } else if jupyter {
            Some("jovyan")
        } else if ships_ubuntu_user(short, tag) {
            Some("ubuntu")
        } else {
            None
        };
        BaseImage { distro, default_user, uid_1000_user }
    }

    /// The UID of a user the image ships, by name.
    pub fn user_uid(&self, name: &str) -> Option<u32> {
        match name {
            "root" => Some(0),
            "daemon" => Some(1),
            "nobody" => Some(65534),
            "www-data" => Some(33),
            // Jupyter's docker-stacks user, also in images built FROM them under other names.
            "jovyan" => Some(1000),
            _ if self.uid_1000_user == Some(name) => Some(1000),
            _ => self.default_user.filter(|(user, _)| *user == name).map(|(_, uid)| uid),
        }
    }
}

/// Ubuntu 24.04 and later ship a `ubuntu` user with UID 1000 (so do images built on them,
/// such as `nvidia/cuda:12.6.0-runtime-ubuntu24.04`).
fn ships_ubuntu_user(short_name: &str, tag: &str) -> bool {
    if short_name == "ubuntu" {
        return tag == "latest" || UBUNTU_WITH_USER.iter().any(|v| tag.contains(v));
    }
    // Other images say their Ubuntu in the tag (`…-ubuntu24.04`).
    tag.split('-').any(|part| part.strip_prefix("ubuntu").is_some_and(|v| UBUNTU_WITH_USER.contains(&v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> BaseImage {
        BaseImage::of(ImageRef::parse(s).ok().as_ref())
    }

    #[test]
    fn distributions_from_name_and_tag() {
        assert_eq!(base("python:3.11-slim").distro, Distro::Debian);
        assert_eq!(base("python:3.12-alpine3.20").distro, Distro::Alpine);
        assert_eq!(base("node:20-alpine").distro, Distro::Alpine);
        assert_eq!(base("alpine").distro, Distro::Alpine);
        assert_eq!(base("nvidia/cuda:12.4.1-runtime-ubuntu22.04").distro, Distro::Ubuntu);
        assert_eq!(base("ubuntu:22.04").distro, Distro::Ubuntu);
        assert_eq!(base("jupyter/base-notebook").distro, Distro::Ubuntu);
        assert_eq!(base("ghcr.io/astral-sh/uv:python3.12-bookworm-slim").distro, Distro::Debian);
        assert_eq!(base("gcr.io/distroless/python3").distro, Distro::Distroless);
        assert_eq!(base("metabase/metabase").distro, Distro::Unknown);
        assert_eq!(BaseImage::of(None).distro, Distro::Unknown);
    }

    #[test]
    fn users_the_images_ship() {
        assert_eq!(base("node:20-slim").uid_1000_user, Some("node"));
        assert_eq!(base("ubuntu:24.04").uid_1000_user, Some("ubuntu"));
        assert_eq!(base("ubuntu:22.04").uid_1000_user, None);
        assert_eq!(base("ubuntu").uid_1000_user, Some("ubuntu"));
        assert_eq!(base("nvidia/cuda:12.6.0-runtime-ubuntu24.04").uid_1000_user, Some("ubuntu"));
        assert_eq!(base("nvidia/cuda:12.4.1-runtime-ubuntu22.04").uid_1000_user, None);
        assert_eq!(base("python:3.11").uid_1000_user, None);
        assert_eq!(base("mambaorg/micromamba:1.5").default_user, Some(("mambauser", 57439)));
        assert_eq!(base("jupyter/base-notebook").default_user, Some(("jovyan", 1000)));
        // By name, as USER names them.
        assert_eq!(base("node:20-slim").user_uid("node"), Some(1000));
        assert_eq!(base("python:3.11").user_uid("node"), None);
        assert_eq!(base("ubuntu:24.04").user_uid("ubuntu"), Some(1000));
        assert_eq!(base("ubuntu:22.04").user_uid("ubuntu"), None);
        assert_eq!(base("ubuntu").user_uid("ubuntu"), Some(1000));
        assert_eq!(base("python:3.11-slim").uid_1000_user, None);
        assert_eq!(base("mambaorg/micromamba:1.5").user_uid("mambauser"), Some(57439));
        assert_eq!(base("python:3.11").user_uid("root"), Some(0));
    }
}

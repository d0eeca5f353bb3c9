//! What spacecheck knows of a stage's base image, asked of the base-image catalogue
//! (`knowledge/base_images.toml`: each entry cites the image's Dockerfile or docs): the
//! distribution and release the tag gives, the shell, the users it ships, the user it runs as,
//! its variables and tools. For an image the catalogue does not hold nothing is assumed:
//! `Distro::Unknown`, no entry, and rules that need the facts stay silent or say what they
//! assumed.

pub use crate::knowledge::base_images::Distro;
use crate::knowledge::base_images::{self as catalogue, ImageEntry, Tool};
use crate::parse::image_ref::ImageRef;

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
    /// The catalogue's entry, when the image is in it.
    pub entry: Option<&'static ImageEntry>,
    /// The release the tag gives: named in the tag (`-bookworm`, `ubuntu22.04`), else the one
    /// a floating tag gives today (`python:3.11-slim`: trixie).
    pub release: Option<&'static str>,
}

impl BaseImage {
    /// What is known of `image`; `None` (no image: a stage, `scratch`, an unresolved ARG)
    /// gives an unknown image.
    pub fn of(image: Option<&ImageRef>) -> BaseImage {
        let unknown =
            BaseImage { distro: Distro::Unknown, default_user: None, uid_1000_user: None, entry: None, release: None };
        let Some(image) = image else { return unknown };
        let Some(entry) = catalogue::entry(&catalogue_name(image), image.tag.as_deref().unwrap_or("latest")) else {
            return unknown;
        };
        let tag = image.tag.as_deref().unwrap_or("latest");
        let named = catalogue::release_in_tag(tag).filter(|r| r.distro == entry.distro).map(|r| r.name);
        // A tag that pins a patch version (`3.13.5-slim`) was last built when the next patch
        // came out: on a floating entry that moved, which release it froze on is not known.
        let frozen = pins_patch_version(tag) && !entry.moved.is_empty();
        let floating = entry.release.filter(|_| !frozen);
        let release = named.or(floating.map(|r| catalogue::release(entry.distro, r).map_or(r, |known| known.name)));
        let account = |name: &str| entry.users.iter().find(|a| a.name == name);
        let default_user = match entry.user {
            "root" => None,
            name => account(name).map(|a| (a.name, a.uid)),
        };
        let uid_1000_user = entry.users.iter().find(|a| a.uid == 1000).map(|a| a.name);
        BaseImage { distro: entry.distro, default_user, uid_1000_user, entry: Some(entry), release }
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
            _ => self.entry?.users.iter().find(|a| a.name == name).map(|a| a.uid),
        }
    }

    /// Whether the image is known to have `tool`; `None` when the catalogue does not say.
    pub fn has_tool(&self, tool: Tool) -> Option<bool> {
        Some(self.entry?.tools?.contains(&tool))
    }

    /// The variables the image sets (PATH included), when the catalogue records them.
    pub fn env(&self) -> Option<&'static [&'static str]> {
        self.entry?.env
    }
}

/// Whether a tag starts with a version of three numbers (`3.13.5`, `20.11.1-slim`).
fn pins_patch_version(tag: &str) -> bool {
    let version = tag.split('-').next().unwrap_or(tag);
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() >= 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// The name the catalogue files an image under: the repository without `library/` for
/// Docker Hub, `registry/repository` for any other registry.
fn catalogue_name(image: &ImageRef) -> String {
    let repo = image.repository.strip_prefix("library/").unwrap_or(&image.repository);
    match image.registry.as_str() {
        "docker.io" => repo.to_string(),
        registry => format!("{registry}/{repo}"),
    }
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
        assert_eq!(base("docker.io/library/python:3.11").distro, Distro::Debian);
        // Not in the catalogue: nothing is guessed.
        assert_eq!(base("metabase/metabase").distro, Distro::Unknown);
        assert_eq!(base("acme/python:3.11-slim").distro, Distro::Unknown);
        assert_eq!(base("gcr.io/distroless/python3").distro, Distro::Distroless);
        assert_eq!(base("gcr.io/distroless/python3:nonroot").default_user, Some(("nonroot", 65532)));
        assert_eq!(BaseImage::of(None).distro, Distro::Unknown);
    }

    /// The release a tag gives: named in it, else the floating tag's today (the catalogue's
    /// `release`, from docker-library/official-images).
    #[test]
    fn releases_from_the_tag_or_the_catalogue() {
        assert_eq!(base("python:3.11-slim").release, Some("trixie"));
        assert_eq!(base("python:3.11-slim-bookworm").release, Some("bookworm"));
        assert_eq!(base("python:3.10-slim-bullseye").release, Some("bullseye"));
        assert_eq!(base("python:3.12").release, Some("trixie"));
        assert_eq!(base("python:3.12-alpine3.20").release, Some("3.20"));
        assert_eq!(base("node:20-bookworm-slim").release, Some("bookworm"));
        assert_eq!(base("ubuntu:22.04").release, Some("jammy"));
        assert_eq!(base("nvidia/cuda:12.4.1-runtime-ubuntu22.04").release, Some("jammy"));
        assert_eq!(base("metabase/metabase").release, None);
        // A patch version froze when the next came out (corpus: python:3.13.5-slim, last built
        // before the move to trixie): not known, unless the tag names the release.
        assert_eq!(base("python:3.13.5-slim").release, None);
        assert_eq!(base("python:3.13.5-slim-bookworm").release, Some("bookworm"));
        assert_eq!(base("python:3.13-slim").release, Some("trixie"));
    }

    #[test]
    fn variables_and_tools() {
        let slim = base("python:3.11-slim");
        assert!(slim.env().is_some_and(|e| e.contains(&"PYTHON_VERSION") && e.contains(&"PATH")));
        assert_eq!(slim.has_tool(Tool::Curl), Some(false));
        assert_eq!(base("python:3.11").has_tool(Tool::Curl), Some(true));
        assert_eq!(base("acme/x").has_tool(Tool::Curl), None);
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

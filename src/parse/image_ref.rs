//! Image references (`FROM python:3.11-slim`, `localhost:5000/img:1.0`, `ghcr.io/o/r@sha256:…`)
//! parsed by Docker's own grammar (distribution/reference, through `oci-spec`), so a registry
//! port is never taken for a tag and `docker.io/library/python` is `python`.

use oci_spec::distribution::Reference;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (`docker.io` when none is written).
    pub registry: String,
    /// The repository, normalised the way Docker does (`library/python` for `python`).
    pub repository: String,
    /// The tag as written; `None` when there is none (Docker then pulls `latest`, unless a
    /// digest is given).
    pub tag: Option<String>,
    /// `sha256:…` when the reference pins a digest.
    pub digest: Option<String>,
}

const DOCKER_HUB: &str = "docker.io";

impl ImageRef {
    /// Parses a reference; the error is Docker's reason (`invalid reference format`).
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let text = text.trim();
        let parsed: Reference = text.parse().map_err(|e| format!("`{text}` is not a valid image reference: {e}"))?;
        // oci-spec fills in `latest` when no tag is written; the grammar puts a tag only after
        // the last path component, before any digest.
        let name_and_tag = text.split('@').next().unwrap_or(text);
        let tag_written = name_and_tag.rsplit('/').next().is_some_and(|last| last.contains(':'));
        Ok(ImageRef {
            registry: parsed.registry().to_string(),
            repository: parsed.repository().to_string(),
            tag: parsed.tag().filter(|_| tag_written).map(str::to_string),
            digest: parsed.digest().map(str::to_string),
        })
    }

    /// The name Docker shows (`python`, `nvidia/cuda`, `ghcr.io/o/r`), without tag or digest.
    pub fn familiar_name(&self) -> String {
        match (self.registry.as_str(), self.repository.strip_prefix("library/")) {
            (DOCKER_HUB, Some(official)) => official.to_string(),
            (DOCKER_HUB, None) => self.repository.clone(),
            (registry, _) => format!("{registry}/{}", self.repository),
        }
    }

    /// The last path component of the repository (`python`, `cuda`, `img`).
    pub fn short_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    /// Whether the reference follows a moving tag: none written (so `latest`) or `latest`,
    /// without a digest.
    pub fn is_unpinned(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|t| t == "latest")
    }

    /// The image as Docker resolves it, for comparing two spellings: registry, repository
    /// and tag (`latest` when none is written); the digest pins a version of that tag and
    /// does not change which image is meant.
    pub fn canonical(&self) -> String {
        format!("{}/{}:{}", self.registry, self.repository, self.tag.as_deref().unwrap_or("latest"))
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.familiar_name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:9d78ad0da0e88ca15da5735b9f70064d3099ac0a8cd9dc839795789400a38e42";

    #[test]
    fn official_images_normalise() {
        let a = ImageRef::parse("python:3.11-slim").unwrap();
        let b = ImageRef::parse(&format!("docker.io/library/python:3.11-slim@{DIGEST}")).unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.familiar_name(), "python");
        assert_eq!(a.tag.as_deref(), Some("3.11-slim"));
        assert_eq!(b.digest.as_deref(), Some(DIGEST));
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        let r = ImageRef::parse("localhost:5000/img").unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.tag, None);
        assert!(r.is_unpinned());
        assert_eq!(r.familiar_name(), "localhost:5000/img");
        let pinned = ImageRef::parse("localhost:5000/img:1.0").unwrap();
        assert!(!pinned.is_unpinned());
    }

    #[test]
    fn tags_and_digests() {
        assert!(ImageRef::parse("python").unwrap().is_unpinned());
        assert!(ImageRef::parse("ollama/ollama:latest").unwrap().is_unpinned());
        assert!(!ImageRef::parse(&format!("python@{DIGEST}")).unwrap().is_unpinned());
        assert_eq!(ImageRef::parse("nvidia/cuda:12.1.0-runtime-ubuntu22.04").unwrap().short_name(), "cuda");
        assert_eq!(ImageRef::parse("ghcr.io/owner/app:v1").unwrap().familiar_name(), "ghcr.io/owner/app");
    }

    #[test]
    fn invalid_references_are_errors() {
        for bad in ["", "Python:3.11", "python:3.11 extra", "python@sha256:abc", "python:"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }
}

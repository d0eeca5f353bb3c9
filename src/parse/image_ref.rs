//! Image references (`FROM python:3.11-slim`, `localhost:5000/img:1.0`, `ghcr.io/o/r@sha256:…`)
//! parsed by Docker's grammar (distribution/reference, `reference.go`) and normalised as
//! Docker does (`normalize.go`), so a registry port is never taken for a tag and
//! `docker.io/library/python` is `python`.
//!
//! Why not a crate: `oci-spec` (a port of the same Go code) and `docker-image-reference` both
//! compile a large regex on first use, measured at 117 ms and 0.95 ms in a release build;
//! spacecheck runs once per push in a hook and once per Space in a batch, where that is most of
//! the time it takes. The grammar is a dozen lines; this is a recursive-descent reading of it,
//! checked against `docker-image-reference` on generated references (tests/image_refs.rs).

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
    /// Parses a reference; the error says what Docker would reject.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let invalid = |why: &str| format!("`{text}` is not a valid image reference: {why}");
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (text, None),
        };
        // A tag can only follow the last path component.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag.filter(|t| !is_tag(t)) {
            return Err(invalid(&format!("`{tag}` is not a tag")));
        }
        if let Some(digest) = digest.filter(|d| !is_digest(d)) {
            return Err(invalid(&format!("`{digest}` is not a digest")));
        }
        let (registry, repository) = split_name(name).ok_or_else(|| invalid("invalid reference format"))?;
        if repository.len() > 255 {
            return Err(invalid("repository name must not be more than 255 characters"));
        }
        Ok(ImageRef { registry, repository, tag: tag.map(str::to_string), digest: digest.map(str::to_string) })
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

/// `name := [domain '/'] path-component ['/' path-component]*`, split and normalised as
/// Docker's `splitDockerDomain`: the first component is a registry when it looks like a host
/// (has a `.`, a `:` or an upper-case letter, or is `localhost`); otherwise the image is on Docker Hub, and a
/// one-component name is an official image under `library/`.
fn split_name(name: &str) -> Option<(String, String)> {
    let components: Vec<&str> = name.split('/').collect();
    let (first, rest) = components.split_first()?;
    let all_paths = |c: &[&str]| c.iter().all(|c| is_path_component(c));
    let grammatical = (!rest.is_empty() && is_domain(first) && all_paths(rest)) || all_paths(&components);
    if !grammatical {
        return None;
    }
    let looks_like_host =
        first.contains(['.', ':']) || *first == "localhost" || first.bytes().any(|b| b.is_ascii_uppercase());
    let (registry, path) =
        if !rest.is_empty() && looks_like_host { (*first, rest) } else { (DOCKER_HUB, &components[..]) };
    let registry = if registry == "index.docker.io" { DOCKER_HUB } else { registry };
    let repository = path.join("/");
    let repository =
        if registry == DOCKER_HUB && path.len() == 1 { format!("library/{repository}") } else { repository };
    Some((registry.to_string(), repository))
}

/// `domain := domain-component ['.' domain-component]* [':' port-number]`.
fn is_domain(text: &str) -> bool {
    let (host, port) = match text.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    };
    let component = |c: &str| {
        !c.is_empty()
            && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !c.starts_with('-')
            && !c.ends_with('-')
    };
    host.split('.').all(component) && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `path-component := alpha-numeric [separator alpha-numeric]*`, alpha-numeric `[a-z0-9]+`,
/// separator `[_.]|__|[-]*`.
fn is_path_component(text: &str) -> bool {
    let bytes = text.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(|b| alnum(*b)) || !bytes.last().is_some_and(|b| alnum(*b)) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &text[start..i];
        if !(separator == "_" || separator == "." || separator == "__" || separator.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

/// `tag := [\w][\w.-]{0,127}`.
fn is_tag(text: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && word(bytes[0])
        && bytes.iter().all(|b| word(*b) || matches!(b, b'.' | b'-'))
}

/// `digest := algorithm ':' hex`, algorithm components `[A-Za-z][A-Za-z0-9]*` joined by
/// `[+._-]`, hex `[0-9a-fA-F]{32,}`.
fn is_digest(text: &str) -> bool {
    let Some((algorithm, hex)) = text.split_once(':') else { return false };
    let component = |c: &str| {
        c.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic()) && c.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    algorithm.split(['+', '.', '_', '-']).all(component)
        && hex.len() >= 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
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
        for bad in ["", "Python:3.11", "python:3.11 extra", "python@sha256:abc", "python:", " python"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }
}

//! `hf://OWNER/NAME`: the Space's files as stored on the Hub, fetched through the resolve
//! endpoint into a private temporary folder and linted like a local Space.
//!
//! The file list comes from the info's `siblings`. Text files the static rules read (README,
//! Dockerfile, ignore files, requirements, Python and shell sources, configs) are downloaded;
//! the others are only known to exist, which is all the COPY checks need. Paths from the Hub are
//! untrusted: absolute paths, `..` and odd bytes are refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::client::{HubClient, HubError};
use super::probe::SpaceInfo;

/// Most files downloaded for one Space, and the size cap of each.
pub const MAX_DOWNLOADS: usize = 200;
pub const MAX_FILE_BYTES: usize = 1 << 20;
const CONCURRENT_DOWNLOADS: usize = 8;

#[derive(Debug, Default)]
pub struct Fetched {
    pub downloaded: Vec<String>,
    /// Known from `siblings`, not downloaded (binary, large, or past the download cap).
    pub listed_only: Vec<String>,
    /// Refused paths and files too large to read, for the report.
    pub notes: Vec<String>,
}

/// A repository path the Hub listed that is safe to recreate under a folder.
pub fn safe_repo_path(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 512
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains('\0')
        && p.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && !p.starts_with(".git/")
}

/// Whether the static rules read this file's content.
fn wanted(p: &str) -> bool {
    let base = p.rsplit('/').next().unwrap_or(p);
    let depth = p.matches('/').count();
    if matches!(
        base,
        "README.md"
            | "Dockerfile"
            | ".dockerignore"
            | ".gitignore"
            | ".gitattributes"
            | "Pipfile"
            | "setup.py"
            | "package.json"
    ) {
        return depth <= 2;
    }
    let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    depth <= 3
        && matches!(
            ext.as_str(),
            "py" | "sh" | "txt" | "toml" | "yml" | "yaml" | "cfg" | "conf" | "ini" | "json" | "js" | "mjs" | "env"
        )
}

/// Download order: the Space's configuration and build file, the ignore files, dependency
/// manifests, then the rest.
fn priority(p: &str) -> u8 {
    match p {
        "README.md" | "Dockerfile" => 0,
        ".dockerignore" | ".gitignore" | ".gitattributes" | "spacecheck.yaml" => 1,
        "pyproject.toml" | "Pipfile" | "package.json" | "environment.yml" | "packages.txt" => 2,
        p if !p.contains('/') && p.starts_with("requirements") => 2,
        _ => 3,
    }
}

/// Percent-encodes one path segment for a URL.
fn encode_segment(seg: &str) -> String {
    let mut out = String::new();
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The files to download, most useful first and at most [`MAX_DOWNLOADS`]; the others go to
/// `listed_only` (known to exist), unsafe paths to the notes.
fn plan_downloads(info: &SpaceInfo, fetched: &mut Fetched) -> Vec<String> {
    let mut wanted_files = Vec::new();
    for p in &info.siblings {
        if !safe_repo_path(p) {
            fetched.notes.push(format!(
                "the Hub lists a file with an unsafe path ({:?}); ignored",
                p.chars().take(80).collect::<String>()
            ));
            continue;
        }
        if wanted(p) {
            wanted_files.push(p.clone());
        } else {
            fetched.listed_only.push(p.clone());
        }
    }
    // What the Hub itself reads comes first, whatever the listing order: a cap that is hit
    // leaves out only files of least use, and they stay known to exist.
    wanted_files.sort_by_key(|p| (priority(p), p.matches('/').count(), p.clone()));
    let to_get: Vec<String> = wanted_files.iter().take(MAX_DOWNLOADS).cloned().collect();
    if wanted_files.len() > MAX_DOWNLOADS {
        let left = wanted_files.len() - MAX_DOWNLOADS;
        fetched.notes.push(format!(
            "{left} more text files were not downloaded (spacecheck reads at most {MAX_DOWNLOADS} per Space); \
             they are known to exist, but their content was not checked"
        ));
        fetched.listed_only.extend(wanted_files.into_iter().skip(MAX_DOWNLOADS));
    }
    to_get
}

/// Downloads the files the rules read into `dest`.
pub async fn fetch_files(client: &HubClient, id: &str, info: &SpaceInfo, dest: &Path) -> Result<Fetched, HubError> {
    let mut fetched = Fetched::default();
    let to_get = plan_downloads(info, &mut fetched);
    let gate = Arc::new(Semaphore::new(CONCURRENT_DOWNLOADS));
    let mut tasks = tokio::task::JoinSet::new();
    for p in to_get {
        let client = client.clone();
        let gate = gate.clone();
        let url = client.url(&format!(
            "/spaces/{id}/resolve/main/{}",
            p.split('/').map(encode_segment).collect::<Vec<_>>().join("/")
        ));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            (p, client.get(&url, true, MAX_FILE_BYTES).await)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((p, result)) = joined else { continue };
        match result {
            Ok(resp) if resp.is_success() => {
                let target: PathBuf = dest.join(&p);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| HubError::BadAnswer {
                        url: resp.url.clone(),
                        message: format!("cannot store it: {e}"),
                    })?;
                }
                std::fs::write(&target, &resp.body).map_err(|e| HubError::BadAnswer {
                    url: resp.url.clone(),
                    message: format!("cannot store it: {e}"),
                })?;
                fetched.downloaded.push(p);
            }
            // Listed but gone (a race with a push), or not downloadable: known to exist only.
            Ok(resp) if matches!(resp.status, 401 | 403 | 404) => {
                fetched.notes.push(format!("`{p}`: {}", resp.describe()));
                fetched.listed_only.push(p);
            }
            Ok(resp) => {
                return Err(HubError::Status { url: resp.url.clone(), status: resp.status, detail: resp.describe() })
            }
            Err(HubError::TooLarge { .. }) => {
                fetched.notes.push(format!("`{p}` is over {MAX_FILE_BYTES} bytes; not downloaded"));
                fetched.listed_only.push(p);
            }
            Err(e) => return Err(e),
        }
    }
    fetched.downloaded.sort();
    fetched.listed_only.sort();
    Ok(fetched)
}

/// One file's text through the resolve endpoint; `None` when the Hub has no such file.
pub async fn fetch_text(client: &HubClient, id: &str, path: &str) -> Result<Option<String>, HubError> {
    let url = client.url(&format!(
        "/spaces/{id}/resolve/main/{}",
        path.split('/').map(encode_segment).collect::<Vec<_>>().join("/")
    ));
    let resp = client.get(&url, true, MAX_FILE_BYTES).await?;
    match resp.status {
        200..=299 => Ok(Some(crate::source::decode_bom_aware(&resp.body))),
        401 | 403 | 404 => Ok(None),
        _ => Err(HubError::Status { url: resp.url.clone(), status: resp.status, detail: resp.describe() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", ".git/config", "", "a/./b"] {
            assert!(!safe_repo_path(bad), "{bad}");
        }
        assert!(safe_repo_path("src/app.py"));
    }

    #[test]
    fn wanted_files() {
        assert!(
            wanted("README.md")
                && wanted("Dockerfile")
                && wanted("app/main.py")
                && wanted("requirements.txt")
                && wanted(".streamlit/config.toml")
        );
        assert!(!wanted("model.safetensors") && !wanted("static/logo.png"));
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("a b#?.py"), "a%20b%23%3F.py");
    }
}

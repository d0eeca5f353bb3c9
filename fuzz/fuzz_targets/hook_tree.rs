//! Arbitrary bytes as `git ls-tree -r -z` output, exported as the pre-push hook exports a pushed
//! tree: whatever the names (bytes, `..`, duplicates, a link and a folder of one name), nothing
//! may be written outside the export folder. Each blob's content is chosen by its id's first
//! digit, so links can point out of the export (`../outside`, `../../outside`, `/`).
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use spacecheck::hook::run::{export_listing, BlobSource};
use spacecheck::hook::HookError;

struct Blobs;

impl BlobSource for Blobs {
    fn blob(&mut self, sha: &str, keep: u64, into: &mut dyn Write) -> Result<Option<u64>, HookError> {
        let content: &[u8] = match sha.as_bytes().first() {
            Some(b'0') => b"../outside",
            Some(b'1') => b"../../outside",
            Some(b'2') => b"/",
            Some(b'3') => b".",
            Some(b'4') => b"..",
            Some(b'f') => return Ok(None),
            _ => b"payload\n",
        };
        let kept = &content[..content.len().min(keep as usize)];
        into.write_all(kept).map_err(|e| HookError(e.to_string()))?;
        Ok(Some(content.len() as u64))
    }
}

/// A private sandbox: `outside/` must stay empty; each input is exported into a fresh folder
/// beside it.
fn sandbox() -> &'static PathBuf {
    static SANDBOX: OnceLock<PathBuf> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("spacecheck-fuzz-hook-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("outside")).expect("sandbox");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let root = sandbox();
    let dest = root.join("export");
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir(&dest).expect("export folder");
    let _ = export_listing(data, &dest, &mut Blobs);
    let outside: Vec<_> = std::fs::read_dir(root.join("outside")).expect("outside").collect();
    assert!(outside.is_empty(), "the export wrote outside its folder");
    let siblings = std::fs::read_dir(root).expect("sandbox").count();
    assert_eq!(siblings, 2, "the export wrote beside its folder");
});

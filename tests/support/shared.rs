//! `../shared` beside the checkout (the corpus, BuildKit's fixtures, the SARIF schema). A test
//! that needs it says so in one line and passes when it is missing on a developer's machine;
//! in CI (`CI` set) it fails, since CI always has it.

use std::path::PathBuf;

/// The path under `../shared`, or `None` (with a one-line note) when it is missing outside CI.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    let note = format!("needs ../shared/{relative} beside the checkout, which is missing: not run");
    if std::env::var_os("CI").is_some() {
        panic!("{note} (CI must have it)");
    }
    eprintln!("note: {note}");
    None
}

//! `docs/rules/`: one page a rule, generated from the catalogue (`report::catalogue::page`), the
//! pages every finding links to (JSON `url`, SARIF `helpUri`, the language server's
//! `codeDescription`). This test fails when a committed page differs from its rule; run it with
//! `SPACECHECK_WRITE_DOCS=1` to write them.

use std::path::PathBuf;

use spacecheck::report::catalogue;
use spacecheck::rules;

#[test]
fn rule_pages_are_generated_from_the_catalogue() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut expected: Vec<(PathBuf, String)> =
        rules::all().iter().map(|r| (dir.join(format!("{}.md", r.code)), catalogue::page(r))).collect();
    expected.push((dir.join("README.md"), catalogue::index()));
    if std::env::var_os("SPACECHECK_WRITE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (path, text) in &expected {
            std::fs::write(path, text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (path, text) in &expected {
        if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(stale.is_empty(), "stale pages in docs/rules (SPACECHECK_WRITE_DOCS=1 cargo test --test docs): {stale:?}");
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !expected.iter().any(|(q, _)| q == p))
        .map(|p| p.display().to_string())
        .collect();
    assert!(extra.is_empty(), "pages of no rule: {extra:?}");
    // Every page a finding links to exists.
    for r in rules::all() {
        let url = rules::doc_url(r.code);
        let file = url.rsplit("/blob/main/").next().unwrap();
        assert!(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file).is_file(), "{url}");
    }
}

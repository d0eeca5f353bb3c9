//! Every input kept in tests/fuzz_regressions/<target>/ goes through what its fuzz target
//! checks: Dockerfiles and frontmatter lint without a panic, report inputs render in every
//! format with every promise kept (the same checks as the target, included from fuzz/).

use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::space::Space;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        out.push((entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).expect("read")));
    }
    out
}

#[test]
fn dockerfile_regressions() {
    for (name, data) in inputs("dockerfile") {
        let space = Space::in_memory(Some(b"---\nsdk: docker\napp_port: 7860\n---\n"), Some(&data));
        let r = std::panic::catch_unwind(|| lint::lint(&space, &Policy::baseline(), &Options::default()));
        assert!(r.is_ok(), "panic on {name}");
    }
}

#[test]
fn frontmatter_regressions() {
    for (name, data) in inputs("frontmatter") {
        let space = Space::in_memory(Some(&data), Some(b"FROM python:3.11-slim\nUSER 1000\n"));
        let r = std::panic::catch_unwind(|| lint::lint(&space, &Policy::baseline(), &Options::default()));
        assert!(r.is_ok(), "panic on {name}");
    }
}

#[test]
fn in_memory_spaces_behave_like_folders() {
    // The fuzz targets lint in-memory Spaces: they must find what the same files on disk give.
    let dockerfile = b"FROM python\nCMD uvicorn main:app\n";
    let readme = b"---\nsdk: docker\napp-port: 7860\n---\n";
    let mem = lint::lint(&Space::in_memory(Some(readme), Some(dockerfile)), &Policy::baseline(), &Options::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join("README.md"), readme).unwrap();
    let disk = lint::lint(&Space::load(dir.path()).unwrap(), &Policy::baseline(), &Options::default());
    let codes = |r: &lint::Report| r.diagnostics.iter().map(|d| (d.code, d.message.clone())).collect::<Vec<_>>();
    assert_eq!(codes(&mem), codes(&disk));
    assert!(codes(&mem).iter().any(|(c, _)| *c == "DF009"));
}

// The `reports` fuzz target's checks, shared with it.
include!("../fuzz/report_checks.rs");

#[test]
fn reports_regressions() {
    let inputs = inputs("reports");
    assert!(!inputs.is_empty(), "tests/fuzz_regressions/reports/ holds the crashes found so far");
    for (name, data) in inputs {
        eprintln!("{name}");
        check_report_input(&data);
    }
}

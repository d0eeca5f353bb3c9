//! The Hub's own Docker Space templates (the FastAPI example of the Docker Spaces docs, which
//! works in `/app`, and the older first-demo one that installs as root into `/code` and runs
//! from `$HOME/app`) must lint clean: no warning and no error, with every rule on. A linter
//! that flags the documented way to write a Space teaches users to ignore it.

use std::path::Path;

use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::rules::{Code, Severity};
use spacecheck::space::Space;

/// Every rule on, the hygiene rules that are off by default included.
fn every_rule() -> Options {
    Options { select: Code::ALL.iter().map(|c| c.as_str().to_string()).collect(), ..Options::default() }
}

fn findings(template: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/templates").join(template);
    let space = Space::load(&dir).expect("template folder");
    warnings_and_errors(&space)
}

fn warnings_and_errors(space: &Space) -> Vec<String> {
    lint::lint(space, &Policy::baseline(), &every_rule())
        .diagnostics
        .into_iter()
        .filter(|d| matches!(d.severity, Severity::Warning | Severity::Error))
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect()
}

#[test]
fn the_fastapi_template_of_the_docker_spaces_docs_is_clean() {
    assert_eq!(findings("fastapi"), Vec::<String>::new());
}

#[test]
fn the_older_code_template_is_clean() {
    assert_eq!(findings("code"), Vec::<String>::new());
}

#[test]
fn every_rule_is_on_in_this_test() {
    // A hygiene rule that is off by default (DL3042) fires under the same options: the clean
    // templates above are clean with it on.
    let space = Space::in_memory(
        Some(b"---\ntitle: x\nsdk: docker\n---\n"),
        Some(b"FROM python:3.9\nRUN useradd -m -u 1000 user\nUSER user\nRUN pip install fastapi\n"),
    );
    let found = warnings_and_errors(&space);
    assert!(found.iter().any(|f| f.starts_with("DL3042")), "{found:?}");
}

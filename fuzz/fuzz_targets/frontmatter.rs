//! Arbitrary bytes as README.md: frontmatter parsing (with its YAML budgets) and the FM rules
//! must return without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::report;
use spacecheck::space::Space;

const DOCKERFILE: &[u8] =
    b"FROM python:3.11-slim\nUSER 1000\nEXPOSE 7860\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";

fuzz_target!(|data: &[u8]| {
    let space = Space::in_memory(Some(data), Some(DOCKERFILE));
    let report = lint::lint(&space, &Policy::baseline(), &Options::default());
    // Rendering slices the sources at the findings' spans: it must hold for any input too.
    let _ = report::human::render(&report, report::Style::default());
    let _ = report::human::render(&report, report::Style { color: true, quiet: false, show_skipped: true });
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
});

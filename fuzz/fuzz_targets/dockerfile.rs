//! Arbitrary bytes as a Dockerfile: parse, model, start-command analysis and every static rule
//! must return without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::report;
use spacecheck::space::Space;

const README: &[u8] = b"---\nsdk: docker\napp_port: 7860\n---\n";

fuzz_target!(|data: &[u8]| {
    let space = Space::in_memory(Some(README), Some(data));
    let report = lint::lint(&space, &Policy::baseline(), &Options::default());
    // Rendering slices the sources at the findings' spans: it must hold for any input too.
    let _ = report::human::render(&report, report::Style::default());
    let _ = report::human::render(&report, report::Style { color: true, quiet: false, show_skipped: true });
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
});

//! Arbitrary bytes as a Dockerfile: parse, model, start-command analysis and every static rule
//! must return without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::space::Space;

const README: &[u8] = b"---\nsdk: docker\napp_port: 7860\n---\n";

fuzz_target!(|data: &[u8]| {
    let space = Space::in_memory(Some(README), Some(data));
    let _ = lint::lint(&space, &Policy::baseline(), &Options::default());
});

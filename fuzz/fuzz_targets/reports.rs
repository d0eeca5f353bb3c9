//! Hostile strings through every report writer: a finding's message, help, label and file name,
//! and the source it points into, all come from the input. Whatever they hold, no output shows
//! a piece of the secret in use, the human output carries no terminal control character, and
//! every line of the GitHub output is a workflow command of spacecheck's own.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../report_checks.rs");

fuzz_target!(|data: &[u8]| check_report_input(data));

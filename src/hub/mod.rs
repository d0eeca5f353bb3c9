//! The live side: asking the Hub about a Space (`--space OWNER/NAME`) and linting a Space's
//! files as stored on the Hub (`hf://OWNER/NAME`). Everything here is tested against a fake Hub
//! on 127.0.0.1 (`tests/support/fake_hub.rs`); the real Hub cannot be reached from CI.

pub mod client;
pub mod pace;
pub mod probe;
pub mod remote;
pub mod token;

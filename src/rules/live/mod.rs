//! HUB/APP rules: checks of the live Space on the Hub. Their catalogue entries and documentation
//! live here; their checks need the Hub prober (`--space OWNER/NAME`, `hf://OWNER/NAME`), which
//! reports findings with these codes. Offline, they are listed as skipped.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_live.rs"));

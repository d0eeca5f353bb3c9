//! RP rules: the repository's files as the Hub receives them (pushed, built from).

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_repo.rs"));

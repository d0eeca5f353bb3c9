//! SC rules: about spacecheck's own use (suppression comments).

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_meta.rs"));

//! SC rules: about spacecheck's own use (suppression comments).

pub mod sc001_unused_suppression;
pub mod sc002_walk_truncated;

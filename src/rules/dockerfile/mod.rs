//! DF rules: what the Dockerfile makes the image do at run time, read from the image model.

pub mod df001_dockerfile_missing;
pub mod df002_dockerfile_invalid;
pub mod df003_base_image_mismatch;
pub mod df004_runs_as_root;
pub mod df005_user_not_uid_1000;
pub mod df006_files_not_owned;
pub mod df007_port_not_exposed;
pub mod df008_server_port_mismatch;
pub mod df009_binds_localhost;
pub mod df010_secret_in_image;
pub mod df011_unpinned_base_image;

use crate::rules::Context;
use std::ops::Range;

/// The FROM line of the final stage: where whole-image findings point.
pub fn final_from_span(ctx: &Context) -> Option<Range<usize>> {
    let m = ctx.model.as_ref()?;
    let df = ctx.parsed_dockerfile()?;
    df.instructions.get(m.final_stage().from_index).map(|i| i.span.clone())
}

//! DF rules: what the Dockerfile makes the image do at run time, read from the image model.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_dockerfile.rs"));

use crate::rules::Context;
use std::ops::Range;

/// The FROM line of the final stage: where whole-image findings point.
pub fn final_from_span(ctx: &Context) -> Option<Range<usize>> {
    let m = ctx.model.as_ref()?;
    let df = ctx.parsed_dockerfile()?;
    df.instructions.get(m.final_stage().from_index).map(|i| i.span.clone())
}

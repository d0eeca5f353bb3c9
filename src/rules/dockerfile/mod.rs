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

/// A fix that adds `line` (an instruction, without its line break) to the Dockerfile: before
/// the start command of the final stage when the Dockerfile has one, else at the end. Not
/// offered when the end of the file continues a line (`\`), where the new line would join an
/// instruction.
pub fn add_line(
    ctx: &Context,
    file: &crate::source::SourceFile,
    line: &str,
    applicability: crate::diag::Applicability,
    message: String,
) -> Option<crate::diag::Fix> {
    use crate::diag::Fix;
    let nl = file.newline();
    let line = format!("{line}{nl}");
    if let Some(span) = ctx.start.as_ref().and_then(|s| s.span.clone()) {
        let line_start = file.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        if file.text[line_start..span.start].trim().is_empty() {
            return Some(Fix::replace(applicability, message, file, line_start..line_start, line));
        }
    }
    if file.text.trim_end().ends_with('\\') {
        return None;
    }
    let end = file.text.len();
    let glue = if file.text.ends_with('\n') || file.text.is_empty() { "" } else { nl };
    Some(Fix::replace(applicability, message, file, end..end, format!("{glue}{line}")))
}

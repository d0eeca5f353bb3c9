//! Edits that several rules' fixes make to a Dockerfile: an instruction removed with its lines.

use std::ops::Range;

use crate::parse::dockerfile::Instruction;
use crate::source::SourceFile;

/// The bytes of the whole lines an instruction stands on, with the last line's ending: what
/// removing it takes away. `None` when something else shares its first or last line.
pub fn instruction_lines(file: &SourceFile, ins: &Instruction) -> Option<Range<usize>> {
    let start = file.text[..ins.span.start].rfind('\n').map_or(0, |i| i + 1);
    if !file.text[start..ins.span.start].trim().is_empty() {
        return None;
    }
    let rest = &file.text[ins.span.end..];
    let end = match rest.find('\n') {
        Some(i) if rest[..i].trim().is_empty() => ins.span.end + i + 1,
        Some(_) => return None,
        None if rest.trim().is_empty() => file.text.len(),
        None => return None,
    };
    Some(start..end)
}

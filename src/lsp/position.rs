//! Byte offsets of a text as LSP positions: zero-based lines, and columns counted in UTF-16 code
//! units (the protocol's default encoding, and the one every client supports).

use lsp_types::{Position, Range};

/// The line starts of one text, for converting both ways.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = self.text[self.starts[line]..offset].encode_utf16().count();
        Position { line: saturate(line), character: saturate(column) }
    }

    pub fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end) }
    }

    /// The byte offset of a position; a line past the end is the text's end, a column past the
    /// line's end is the line's end (as the protocol asks).
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let end = self.starts.get(position.line as usize + 1).map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// Where the text ends.
    pub fn end(&self) -> Position {
        self.position(self.text.len())
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_both_ways() {
        let text = "FROM python\nENV X=\"é😀\" Y=1\n";
        let index = LineIndex::new(text);
        let y = text.find("Y=").unwrap();
        // `é` is one UTF-16 unit, `😀` two: `ENV X="` 7, then 1 + 2, `"` and a space.
        assert_eq!(index.position(y), Position { line: 1, character: 12 });
        assert_eq!(index.offset(Position { line: 1, character: 12 }), y);
        assert_eq!(index.position(0), Position { line: 0, character: 0 });
        assert_eq!(index.offset(Position { line: 9, character: 0 }), text.len());
        assert_eq!(index.offset(Position { line: 0, character: 99 }), "FROM python".len());
        assert_eq!(index.end(), Position { line: 2, character: 0 });
        // Inside a multi-byte char: moved back to its start.
        let e = text.find('é').unwrap();
        assert_eq!(index.position(e + 1), index.position(e));
    }
}

//! Text files as the rules see them: decoded, BOM-stripped, with a line index so byte spans
//! can be turned into 1-based line/column positions for reports.

use std::ops::Range;

/// Opens a file for reading only if it is a regular file, without ever blocking: a FIFO, a
/// device or a socket (in a Space written by someone else) would hang a plain `open`. The
/// descriptor is opened non-blocking and checked with `fstat` before anything is read.
pub fn open_regular(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, a device or a socket); spacecheck does not read it",
        ));
    }
    Ok(file)
}

/// One text file of the Space. `text` never contains the UTF-8 BOM: every span in spacecheck
/// (and in `parse-dockerfile`) is a byte offset into this BOM-less text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the Space root, with `/` separators (`Dockerfile`, `README.md`).
    pub path: String,
    pub text: String,
    /// The file began with a UTF-8 BOM (3 bytes before `text`): edits written back keep it,
    /// and offsets reported for the file as read count it.
    pub bom: bool,
    line_starts: Vec<usize>,
}

/// A resolved place in a file, 1-based like editors and SARIF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: String) -> Self {
        let (text, bom) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest.to_string(), true),
            None => (text, false),
        };
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile { path: path.into(), text, bom, line_starts }
    }

    /// The file's line ending (`\r\n` when its first line ends so), for text a fix inserts.
    pub fn newline(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if self.text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        }
    }

    /// 1-based line and column (columns count characters, not bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    pub fn position(&self, span: &Range<usize>) -> Position {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end.max(span.start));
        Position { line, column, end_line, end_column }
    }

    /// Byte range of a 1-based line, without its line ending.
    pub fn line_span(&self, line: usize) -> Range<usize> {
        let start = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(self.text.len());
        let end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' { end - 1 } else { end };
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Why a file could not be read as text. Rules turn this into DF002/FM003 with the place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    /// 1-based line and column of the offending byte, when there is one.
    pub line_col: Option<(usize, usize)>,
}

/// Decodes bytes as UTF-8 text, refusing binary content, and says where the first bad byte is.
pub fn decode_text(bytes: &[u8]) -> Result<String, DecodeError> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError {
            message: "the file is binary (it contains a NUL byte)".into(),
            line_col: Some(line_col_of_bytes(bytes, nul)),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(DecodeError {
                message: format!("the file is not valid UTF-8 (byte 0x{:02x} at offset {at})", bytes[at]),
                line_col: Some(line_col_of_bytes(bytes, at)),
            })
        }
    }
}

/// Decodes a file the way pip reads requirements: a UTF-16/UTF-32 byte-order mark selects that
/// encoding (PowerShell's `pip freeze > requirements.txt` writes UTF-16), else lossy UTF-8.
pub fn decode_bom_aware(bytes: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => String::new(),
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes)).into_owned(),
    }
}

fn line_col_of_bytes(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let f = SourceFile::new("x", "ab\nçd\r\nef".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2)); // after the two-byte ç
        assert_eq!(f.line_span(2), 3..6); // without the \r
        assert_eq!(f.line_count(), 3);
    }

    #[test]
    fn bom_is_stripped_so_spans_start_after_it() {
        let f = SourceFile::new("x", "\u{feff}FROM a".into());
        assert_eq!(&f.text[0..4], "FROM");
    }

    #[test]
    fn utf16_requirements_decode() {
        let mut bytes = vec![0xFF, 0xFE];
        for c in "uvicorn==0.30\n".encode_utf16() {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(decode_bom_aware(&bytes), "uvicorn==0.30\n");
    }

    #[test]
    fn decode_reports_the_place_of_bad_bytes() {
        let err = decode_text(b"FROM a\nRUN \xff").unwrap_err();
        assert_eq!(err.line_col, Some((2, 5)));
        let err = decode_text(b"ab\0").unwrap_err();
        assert!(err.message.contains("binary"));
    }
}

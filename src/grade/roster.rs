//! The roster: a CSV (RFC 4180) with a `space` column, read one record at a time.

use std::io::BufRead;

pub use crate::hub::probe::parse_space;

/// Reads CSV records (RFC 4180: quotes, doubled quotes, quoted newlines, CRLF), one at a time.
pub struct CsvReader<R: BufRead> {
    input: R,
    line: usize,
    /// Bytes read so far: where the next record starts.
    offset: u64,
    /// Whether the last record read ended with a line break (a cut-off file's last does not).
    ended_by_newline: bool,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(input: R) -> Self {
        CsvReader { input, line: 0, offset: 0, ended_by_newline: false }
    }

    /// The byte offset where the next record starts (after the last one returned).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the last record read ended with a line break.
    pub fn ended_by_newline(&self) -> bool {
        self.ended_by_newline
    }

    /// The next record, `Ok(None)` at the end. Lines over 1 MiB are refused.
    pub fn next_record(&mut self) -> Result<Option<Vec<String>>, String> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut any = false;
        // A record is bounded as a line is: an unclosed quote must not swallow the roster.
        let mut record_bytes = 0usize;
        loop {
            let mut buf = String::new();
            let n = std::io::Read::take(self.input.by_ref(), 1 << 20)
                .read_line(&mut buf)
                .map_err(|e| format!("line {}: cannot read: {e}", self.line + 1))?;
            if n == 0 {
                if in_quotes {
                    return Err(format!("line {}: a quoted field is never closed", self.line));
                }
                if any {
                    fields.push(field);
                    return Ok(Some(fields));
                }
                return Ok(None);
            }
            if n == 1 << 20 && !buf.ends_with('\n') {
                return Err(format!("line {}: longer than 1 MiB", self.line + 1));
            }
            self.line += 1;
            self.offset += n as u64;
            self.ended_by_newline = buf.ends_with('\n');
            any = true;
            record_bytes += n;
            if record_bytes > 1 << 20 {
                return Err(format!("line {}: a quoted field runs past 1 MiB (is a quote never closed?)", self.line));
            }
            let mut chars = buf.chars().peekable();
            while let Some(c) = chars.next() {
                match (in_quotes, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    (true, '"') => in_quotes = false,
                    (true, c) => field.push(c),
                    (false, '"') if field.is_empty() => in_quotes = true,
                    (false, ',') => fields.push(std::mem::take(&mut field)),
                    (false, '\r') if chars.peek() == Some(&'\n') => {}
                    (false, '\n') => {}
                    (false, c) => field.push(c),
                }
            }
            if !in_quotes {
                fields.push(field);
                return Ok(Some(fields));
            }
        }
    }
}

/// Where the columns are.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub space: usize,
    pub student: Option<usize>,
    pub email: Option<usize>,
}

pub fn columns(header: &[String]) -> Result<Columns, String> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(n)))
    };
    let space = find(&["space", "space_url", "url"])
        .ok_or_else(|| format!("the roster's header has no `space` column (it has: {})", header.join(", ")))?;
    Ok(Columns { space, student: find(&["student", "id", "name"]), email: find(&["email", "e-mail"]) })
}

/// Counts the roster's data rows (for the progress bar and the estimate), reading it once.
pub fn count_rows(path: &std::path::Path) -> Option<usize> {
    let f = std::fs::File::open(path).ok()?;
    let mut reader = CsvReader::new(std::io::BufReader::new(f));
    let mut n = 0usize;
    reader.next_record().ok()??;
    while let Ok(Some(r)) = reader.next_record() {
        if !r.iter().all(|f| f.trim().is_empty()) {
            n += 1;
        }
    }
    Some(n)
}

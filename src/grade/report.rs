//! The batch report: written row by row as results arrive (CSV, JSON, or the HTML page of
//! `html.rs`), and read back for `--resume` and `--since`. Every row is masked whole before it
//! is written: a token may sit in any cell (an error, a roster field, a finding's message).

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::roster::CsvReader;
use super::{Finding, Outcome, Row, RowResult};
use crate::redact::{mask, mask_encoded, Encoding};

/// The columns of the CSV report, in order.
pub const CSV_HEADER: &str = "row,space,student,email,result,failing_codes,grader,error,sha,messages";

/// The report's formats, by the `--out` file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Html,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Format::Json,
            Some("html" | "htm") => Format::Html,
            _ => Format::Csv,
        }
    }
}

/// One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return first) gets a leading `'`, as OWASP advises: rosters and Space
/// names are written by the people being graded.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A CSV cell as written back to its value (the `'` a formula got is taken off again).
fn csv_value(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

fn result_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail(_) => "fail",
        Outcome::Error(_) => "error",
    }
}

fn messages_text(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{}: {}", f.code, f.message)).collect::<Vec<_>>().join("\n")
}

/// One row as a CSV line (masked).
pub fn csv_line(r: &RowResult) -> String {
    let (codes, error) = match &r.outcome {
        Outcome::Fail(c) => (c.join(";"), ""),
        Outcome::Error(e) => (String::new(), e.as_str()),
        Outcome::Pass => (String::new(), ""),
    };
    mask(&format!(
        "{},{},{},{},{},{},{},{},{},{}",
        r.row.index,
        csv_field(&r.row.space),
        csv_field(&r.row.student),
        csv_field(&r.row.email),
        result_word(&r.outcome),
        csv_field(&codes),
        csv_field(r.grader.as_deref().unwrap_or("")),
        csv_field(error),
        csv_field(r.sha.as_deref().unwrap_or("")),
        csv_field(&messages_text(&r.findings)),
    ))
}

/// One row as a JSON object on one line (masked).
pub fn json_line(r: &RowResult) -> String {
    let (codes, error) = match &r.outcome {
        Outcome::Fail(c) => (c.clone(), None),
        Outcome::Error(e) => (Vec::new(), Some(e.clone())),
        Outcome::Pass => (Vec::new(), None),
    };
    let findings: Vec<Value> = r.findings.iter().map(|f| json!({"code": f.code, "message": f.message})).collect();
    let v = json!({
        "row": r.row.index, "space": r.row.space, "student": r.row.student, "email": r.row.email,
        "result": result_word(&r.outcome), "failing_codes": codes, "grader": r.grader, "error": error,
        "sha": r.sha, "findings": findings, "reused": r.reused,
    });
    mask_encoded(&v.to_string(), Encoding::Json)
}

/// A row read back from a JSON line; `None` for anything that is not one (a cut-off line).
pub fn row_from_json(v: &Value) -> Option<RowResult> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        let items = v.get(k).and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>());
        items.unwrap_or_default().into_iter().map(String::from).collect()
    };
    let outcome = match text("result")?.as_str() {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail(list("failing_codes")),
        "error" => Outcome::Error(text("error").unwrap_or_default()),
        _ => return None,
    };
    let findings = v
        .get("findings")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    Some(Finding { code: f.get("code")?.as_str()?.into(), message: f.get("message")?.as_str()?.into() })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(RowResult {
        row: Row {
            index: usize::try_from(v.get("row")?.as_u64()?).ok()?,
            space: text("space")?,
            student: text("student").unwrap_or_default(),
            email: text("email").unwrap_or_default(),
        },
        outcome,
        grader: text("grader"),
        sha: text("sha"),
        findings,
        reused: v.get("reused").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn row_from_csv(header: &[String], record: &[String]) -> Option<RowResult> {
    if record.len() != header.len() {
        return None;
    }
    let cell = |name: &str| header.iter().position(|h| h == name).map(|i| csv_value(&record[i]));
    let outcome = match cell("result")?.as_str() {
        "pass" => Outcome::Pass,
        "fail" => {
            Outcome::Fail(cell("failing_codes")?.split(';').filter(|c| !c.is_empty()).map(String::from).collect())
        }
        "error" => Outcome::Error(cell("error").unwrap_or_default()),
        _ => return None,
    };
    let findings = cell("messages")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(code, message)| Finding { code: code.into(), message: message.into() })
        .collect();
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Some(RowResult {
        row: Row {
            index: cell("row")?.parse().ok()?,
            space: cell("space")?,
            student: cell("student").unwrap_or_default(),
            email: cell("email").unwrap_or_default(),
        },
        outcome,
        grader: non_empty(cell("grader")),
        sha: non_empty(cell("sha")),
        findings,
        reused: false,
    })
}

/// An earlier report, read one row at a time. `end` is where the last whole row read ends (a
/// report cut off by an interrupted batch is read up to its last whole row).
pub struct PreviousReport {
    rows: Box<dyn Iterator<Item = (RowResult, u64)>>,
    /// Where the rows start (after the CSV header or the JSON `[`).
    pub start: u64,
    pub end: u64,
}

impl PreviousReport {
    pub fn open(path: &Path) -> Result<PreviousReport, String> {
        let file = crate::source::open_regular(path)
            .map_err(|e| format!("cannot read the earlier report `{}`: {e}", path.display()))?;
        // Empty: a batch interrupted before its first line. Nothing to keep.
        if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
            return Ok(PreviousReport { rows: Box::new(std::iter::empty()), start: 0, end: 0 });
        }
        let report = match Format::of(path) {
            Format::Csv => Self::csv(BufReader::new(file)),
            Format::Json => Self::json(BufReader::new(file)),
            Format::Html => {
                return Err(format!(
                    "`{}` is an HTML page: --resume and --since read a CSV or JSON report",
                    path.display()
                ))
            }
        };
        // Never cut or append to a file that is not a report (a roster given by mistake).
        report.ok_or_else(|| {
            format!(
                "`{}` is not a spacecheck report (a CSV report's header has a `result` column, a JSON report starts \
                 with `[`)",
                path.display()
            )
        })
    }

    fn csv(input: impl BufRead + 'static) -> Option<PreviousReport> {
        let mut reader = CsvReader::new(input);
        let header = match reader.next_record() {
            Ok(Some(h)) if h.iter().any(|c| c == "result") => h,
            _ => return None,
        };
        let start = reader.offset();
        let rows = std::iter::from_fn(move || {
            let record = reader.next_record().ok()??;
            // A last line without its line break may be cut inside its last cell.
            let whole = reader.ended_by_newline();
            Some(row_from_csv(&header, &record).filter(|_| whole).map(|r| (r, reader.offset())))
        })
        .map_while(|r| r);
        Some(PreviousReport { rows: Box::new(rows), start, end: start })
    }

    fn json(mut input: impl BufRead + 'static) -> Option<PreviousReport> {
        let mut first = String::new();
        if input.read_line(&mut first).is_err() || first.trim() != "[" {
            return None;
        }
        let start = first.len() as u64;
        let mut offset = start;
        let rows = std::iter::from_fn(move || {
            let mut line = String::new();
            let n = (&mut input).take(1 << 20).read_line(&mut line).ok().filter(|n| *n > 0)?;
            let line_start = offset;
            offset += n as u64;
            let object = line.trim_start().trim_end().trim_end_matches(',');
            let indent = line.len() - line.trim_start().len();
            let row = serde_json::from_str::<Value>(object).ok().as_ref().and_then(row_from_json)?;
            Some((row, line_start + (indent + object.len()) as u64))
        });
        Some(PreviousReport { rows: Box::new(rows), start, end: start })
    }
}

impl Iterator for PreviousReport {
    type Item = RowResult;

    fn next(&mut self) -> Option<RowResult> {
        let (row, end) = self.rows.next()?;
        self.end = end;
        Some(row)
    }
}

/// Where the rows go.
pub trait RowSink {
    fn write(&mut self, r: &RowResult) -> std::io::Result<()>;
    fn finish(&mut self) -> std::io::Result<()>;
}

impl<S: RowSink + ?Sized> RowSink for Box<S> {
    fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        (**self).write(r)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        (**self).finish()
    }
}

/// The CSV and JSON reports, written as rows arrive and flushed row by row, so an interrupted
/// batch leaves whole rows for `--resume`.
pub enum ReportWriter<W: Write> {
    Csv(W),
    Json { out: W, first: bool },
}

impl<W: Write> ReportWriter<W> {
    /// A new report: its header (CSV) or opening bracket (JSON).
    pub fn start(format: Format, mut out: W) -> std::io::Result<ReportWriter<W>> {
        match format {
            Format::Json => {
                write!(out, "[")?;
                Ok(ReportWriter::Json { out, first: true })
            }
            _ => {
                writeln!(out, "{CSV_HEADER}")?;
                Ok(ReportWriter::Csv(out))
            }
        }
    }

    /// A report continued where an earlier one ends (`--resume` into the same file).
    pub fn continuing(format: Format, out: W, has_rows: bool) -> ReportWriter<W> {
        match format {
            Format::Json => ReportWriter::Json { out, first: !has_rows },
            _ => ReportWriter::Csv(out),
        }
    }
}

impl<W: Write> RowSink for ReportWriter<W> {
    fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        match self {
            ReportWriter::Csv(out) => {
                writeln!(out, "{}", csv_line(r))?;
                out.flush()
            }
            ReportWriter::Json { out, first } => {
                let sep = if *first { "\n  " } else { ",\n  " };
                *first = false;
                write!(out, "{sep}{}", json_line(r))?;
                out.flush()
            }
        }
    }

    fn finish(&mut self) -> std::io::Result<()> {
        match self {
            ReportWriter::Csv(out) => out.flush(),
            ReportWriter::Json { out, .. } => {
                writeln!(out, "\n]")?;
                out.flush()
            }
        }
    }
}

/// `--order roster`: rows are kept in a temporary file as they arrive (one JSON line each)
/// with their offsets, and written to the report in roster order when the batch ends. Memory
/// holds 16 bytes a row, never the rows.
pub struct RosterOrder<S: RowSink> {
    spool: std::fs::File,
    at: Vec<(usize, u64)>,
    end: u64,
    inner: S,
}

impl<S: RowSink> RosterOrder<S> {
    pub fn new(inner: S) -> std::io::Result<RosterOrder<S>> {
        Ok(RosterOrder { spool: tempfile::tempfile()?, at: Vec::new(), end: 0, inner })
    }
}

impl<S: RowSink> RowSink for RosterOrder<S> {
    fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        let line = json_line(r) + "\n";
        self.spool.write_all(line.as_bytes())?;
        self.at.push((r.row.index, self.end));
        self.end += line.len() as u64;
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.at.sort_unstable();
        let mut reader = BufReader::new(&self.spool);
        for &(_, offset) in &self.at {
            reader.seek(SeekFrom::Start(offset))?;
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let row = serde_json::from_str::<Value>(&line).ok().as_ref().and_then(row_from_json).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "a spooled row could not be read back")
            })?;
            self.inner.write(&row)?;
        }
        self.inner.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(index: usize, outcome: Outcome) -> RowResult {
        RowResult {
            row: Row { index, space: format!("a/s{index}"), student: "=cmd".into(), email: "e@x".into() },
            outcome,
            grader: Some("PASS 7/7".into()),
            sha: Some("4f1c2b7e9a0d3c5b6a7e8f9012345678abcdef01".into()),
            findings: vec![Finding { code: "DF004".into(), message: "runs as root, \"quoted\"".into() }],
            reused: false,
        }
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("alice/demo"), "alice/demo");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    fn write_all(format: Format, rows: &[RowResult]) -> Vec<u8> {
        let mut w = ReportWriter::start(format, Vec::new()).unwrap();
        for r in rows {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
        match w {
            ReportWriter::Csv(out) | ReportWriter::Json { out, .. } => out,
        }
    }

    fn read_back(format: Format, bytes: Vec<u8>) -> (Vec<RowResult>, u64) {
        let cursor = std::io::Cursor::new(bytes);
        let mut report = match format {
            Format::Json => PreviousReport::json(BufReader::new(cursor)),
            _ => PreviousReport::csv(BufReader::new(cursor)),
        }
        .expect("a report");
        let rows: Vec<RowResult> = report.by_ref().collect();
        (rows, report.end)
    }

    #[test]
    fn reports_read_back_as_written() {
        let rows = [result(1, Outcome::Fail(vec!["DF004".into()])), result(2, Outcome::Error("x, \"y\"".into()))];
        for format in [Format::Csv, Format::Json] {
            let (back, _) = read_back(format, write_all(format, &rows));
            assert_eq!(back.len(), 2, "{format:?}");
            for (a, b) in rows.iter().zip(&back) {
                assert_eq!(
                    (&a.row, &a.outcome, &a.grader, &a.sha, &a.findings),
                    (&b.row, &b.outcome, &b.grader, &b.sha, &b.findings)
                );
            }
        }
    }

    #[test]
    fn a_cut_off_report_is_read_to_its_last_whole_row() {
        let rows = [result(1, Outcome::Pass), result(2, Outcome::Pass)];
        for format in [Format::Csv, Format::Json] {
            let whole = write_all(format, &rows);
            let (_, end_of_two) = read_back(format, whole.clone());
            let cut = whole[..whole.len() - 12].to_vec();
            let (back, end) = read_back(format, cut.clone());
            assert_eq!(back.len(), 1, "{format:?}: {}", String::from_utf8_lossy(&cut));
            assert!(end < end_of_two);
            // What ends there is a whole row: continuing from it gives a valid report.
            let mut continued = cut[..end as usize].to_vec();
            let mut w = ReportWriter::continuing(format, &mut continued, true);
            w.write(&rows[1]).unwrap();
            w.finish().unwrap();
            let (again, _) = read_back(format, continued.clone());
            assert_eq!(again.len(), 2, "{}", String::from_utf8_lossy(&continued));
            if format == Format::Json {
                serde_json::from_slice::<Value>(&continued).expect("valid JSON");
            }
        }
    }

    #[test]
    fn roster_order_sorts_through_a_file() {
        let mut order = RosterOrder::new(ReportWriter::start(Format::Csv, Vec::new()).unwrap()).unwrap();
        for i in [3, 1, 2] {
            order.write(&result(i, Outcome::Pass)).unwrap();
        }
        order.finish().unwrap();
        let ReportWriter::Csv(out) = order.inner else { panic!() };
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(rows, ["1", "2", "3"]);
    }
}

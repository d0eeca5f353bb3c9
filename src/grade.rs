//! Batch grading: `spacecheck grade ROSTER`. Each roster row is a Space checked as
//! `hf://OWNER/NAME` would be, with bounded concurrency and one shared Hub client (so a 429 or
//! an almost spent rate-limit window slows the whole batch, not one task). The roster is read
//! as the batch goes, and results are written as they come, so 100,000 rows need little memory.
//! A bad row (malformed, missing Space, network failure) is a row of the report, never the end
//! of the batch.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use tokio::sync::{mpsc, Semaphore};

use crate::assignment;
use crate::check::{self, CheckError, Target};
use crate::hub::client::HubClient;
use crate::hub::probe::valid_space_id;
use crate::lint::Options;
use crate::policy::Policy;
use crate::redact::mask;

/// One roster row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based, data rows only.
    pub index: usize,
    pub space: String,
    pub student: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(Vec<String>),
    Error(String),
}

#[derive(Debug, Clone)]
pub struct RowResult {
    pub row: Row,
    pub outcome: Outcome,
    pub grader: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

/// Reads CSV records (RFC 4180: quotes, doubled quotes, quoted newlines, CRLF), one at a time.
pub struct CsvReader<R: BufRead> {
    input: R,
    line: usize,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(input: R) -> Self {
        CsvReader { input, line: 0 }
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
    space: usize,
    student: Option<usize>,
    email: Option<usize>,
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

/// `owner/name`, `https://huggingface.co/spaces/owner/name[/...]` (hf.co too) → `owner/name`.
pub fn parse_space(value: &str) -> Result<String, String> {
    let v = value.trim();
    let path = [
        "https://huggingface.co/spaces/",
        "http://huggingface.co/spaces/",
        "https://www.huggingface.co/spaces/",
        "https://hf.co/spaces/",
        "huggingface.co/spaces/",
        "hf://",
    ]
    .iter()
    .find_map(|p| v.strip_prefix(p));
    let id = match path {
        Some(rest) => rest.split(['?', '#']).next().unwrap_or(rest).split('/').take(2).collect::<Vec<_>>().join("/"),
        None if v.contains("://") => {
            return Err(format!("`{v}` is not a Space URL (https://huggingface.co/spaces/OWNER/NAME)"))
        }
        None => v.to_string(),
    };
    if valid_space_id(&id) {
        Ok(id)
    } else {
        Err(format!(
            "`{}` is not a Space (OWNER/NAME or https://huggingface.co/spaces/OWNER/NAME)",
            v.chars().take(200).collect::<String>()
        ))
    }
}

pub struct Grader {
    pub client: HubClient,
    pub policy: Policy,
    pub assignment: Option<&'static assignment::Assignment>,
    pub options: Options,
    pub concurrency: usize,
}

impl Grader {
    async fn grade_row(&self, row: &Row) -> RowResult {
        let id = match parse_space(&row.space) {
            Ok(id) => id,
            Err(e) => return RowResult { row: row.clone(), outcome: Outcome::Error(e), grader: None },
        };
        let policy = match self.assignment {
            Some(a) if row.email.trim().is_empty() => {
                return RowResult {
                    row: row.clone(),
                    outcome: Outcome::Error(format!("no email in this row: {} needs one to derive the values", a.id)),
                    grader: None,
                };
            }
            Some(a) => {
                let mut p = assignment::policy_for(&assignment::derive(&row.email), a);
                p.submission = Some(row.space.trim().to_string()).filter(|s| s.contains("://"));
                p
            }
            None => self.policy.clone(),
        };
        let mut notes = Vec::new();
        let target = Target::Remote { space_id: id };
        match check::check(&target, &policy, &self.options, Some(&self.client), true, &mut notes).await {
            Ok(report) => {
                let grader = report.grader.as_ref().map(|v| v.line());
                let failing: Vec<String> = {
                    let mut c: Vec<String> = report
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity >= report.fail_on)
                        .map(|d| d.code.to_string())
                        .collect();
                    c.sort();
                    c.dedup();
                    c
                };
                let outcome = if report.passed() { Outcome::Pass } else { Outcome::Fail(failing) };
                RowResult { row: row.clone(), outcome, grader }
            }
            Err(CheckError::Hub(e)) => {
                RowResult { row: row.clone(), outcome: Outcome::Error(e.to_string()), grader: None }
            }
            Err(CheckError::Local(m)) => RowResult { row: row.clone(), outcome: Outcome::Error(m), grader: None },
        }
    }

    /// Grades every row of the roster; `sink` gets results as they complete.
    pub async fn run<R: BufRead>(
        self: Arc<Self>,
        mut roster: CsvReader<R>,
        mut sink: impl FnMut(&RowResult),
    ) -> Result<Summary, String> {
        let header = roster.next_record()?.ok_or("the roster is empty")?;
        let cols = columns(&header)?;
        let gate = Arc::new(Semaphore::new(self.concurrency.max(1)));
        let (tx, mut rx) = mpsc::channel::<RowResult>(self.concurrency.max(1) * 2);
        let mut summary = Summary::default();
        let mut index = 0usize;
        let mut read_error = None;
        loop {
            // Write what is done while waiting for a free slot: memory stays bounded.
            let permit = loop {
                tokio::select! {
                    permit = gate.clone().acquire_owned() => break permit.map_err(|e| e.to_string())?,
                    Some(done) = rx.recv() => record(&done, &mut summary, &mut sink),
                }
            };
            let record_fields = match roster.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            };
            if record_fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            index += 1;
            let get = |i: Option<usize>| i.and_then(|i| record_fields.get(i)).cloned().unwrap_or_default();
            let row = Row { index, space: get(Some(cols.space)), student: get(cols.student), email: get(cols.email) };
            let me = self.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let result = me.grade_row(&row).await;
                drop(permit);
                let _ = tx.send(result).await;
            });
        }
        drop(tx);
        while let Some(done) = rx.recv().await {
            record(&done, &mut summary, &mut sink);
        }
        match read_error {
            Some(e) => Err(format!(
                "the roster could not be read past row {index}: {e} (the rows before it are in the report)"
            )),
            None => Ok(summary),
        }
    }
}

fn record(r: &RowResult, summary: &mut Summary, sink: &mut impl FnMut(&RowResult)) {
    summary.total += 1;
    match r.outcome {
        Outcome::Pass => summary.passed += 1,
        Outcome::Fail(_) => summary.failed += 1,
        Outcome::Error(_) => summary.errors += 1,
    }
    sink(r);
}

/// The report's formats.
pub enum ReportWriter<W: Write> {
    Csv(W),
    Json { out: W, first: bool },
}

/// One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return first) gets a leading `'`, as OWASP advises: rosters and Space
/// names are written by the people being graded.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl<W: Write> ReportWriter<W> {
    pub fn start(&mut self) -> std::io::Result<()> {
        match self {
            ReportWriter::Csv(out) => writeln!(out, "row,space,student,email,result,failing_codes,grader,error"),
            ReportWriter::Json { out, .. } => write!(out, "["),
        }
    }

    pub fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        let (result, codes, error) = match &r.outcome {
            Outcome::Pass => ("pass", String::new(), String::new()),
            Outcome::Fail(c) => ("fail", c.join(";"), String::new()),
            Outcome::Error(e) => ("error", String::new(), e.clone()),
        };
        // Every line is masked whole: a token may sit in any cell (an error, a roster field).
        match self {
            ReportWriter::Csv(out) => writeln!(
                out,
                "{}",
                mask(&format!(
                    "{},{},{},{},{result},{},{},{}",
                    r.row.index,
                    csv_field(&r.row.space),
                    csv_field(&r.row.student),
                    csv_field(&r.row.email),
                    csv_field(&codes),
                    csv_field(r.grader.as_deref().unwrap_or("")),
                    csv_field(&error)
                ))
            ),
            ReportWriter::Json { out, first } => {
                let v = json!({
                    "row": r.row.index, "space": r.row.space, "student": r.row.student, "email": r.row.email, "result": result,
                    "failing_codes": if codes.is_empty() { vec![] } else { codes.split(';').collect::<Vec<_>>() },
                    "grader": r.grader, "error": if error.is_empty() { None } else { Some(error) },
                });
                let sep = if *first { "\n  " } else { ",\n  " };
                *first = false;
                write!(out, "{sep}{}", mask(&v.to_string()))
            }
        }
    }

    pub fn finish(&mut self) -> std::io::Result<()> {
        match self {
            ReportWriter::Csv(out) => out.flush(),
            ReportWriter::Json { out, .. } => {
                writeln!(out, "\n]")?;
                out.flush()
            }
        }
    }
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

pub fn elapsed_text(start: Instant) -> String {
    format!("{:.1} s", start.elapsed().as_secs_f64())
}

/// A batch as the `grade` command asks for it.
pub struct Batch {
    /// The roster CSV; `-` is standard input.
    pub roster: std::path::PathBuf,
    /// Where the report goes (`.json` for JSON, else CSV); `None`: CSV on `out`.
    pub report: Option<std::path::PathBuf>,
}

impl Batch {
    fn roster_reader(&self) -> Result<Box<dyn BufRead>, String> {
        if self.roster.as_os_str() == "-" {
            return Ok(Box::new(std::io::BufReader::new(std::io::stdin())));
        }
        let f = std::fs::File::open(&self.roster)
            .map_err(|e| format!("cannot read the roster `{}`: {e}", self.roster.display()))?;
        Ok(Box::new(std::io::BufReader::new(f)))
    }

    fn writer<'a>(&self, out: &'a mut dyn Write) -> Result<ReportWriter<Box<dyn Write + 'a>>, String> {
        let Some(path) = &self.report else { return Ok(ReportWriter::Csv(Box::new(out))) };
        let f = std::fs::File::create(path).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        let w: Box<dyn Write> = Box::new(std::io::BufWriter::new(f));
        Ok(if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            ReportWriter::Json { out: w, first: true }
        } else {
            ReportWriter::Csv(w)
        })
    }
}

/// Says up front how many API calls the batch needs and how long the Hub's quota makes it.
fn announce(total: usize, concurrency: usize, with_secrets: bool) {
    // Info is one API call per Space, secrets one more; files and the app are not API calls.
    let calls = total * if with_secrets { 2 } else { 1 };
    crate::redact::warn(&format!(
        "spacecheck: grading {total} Spaces, {concurrency} at a time: {calls} API calls; at the Hub's anonymous quota \
         (500 calls / 5 min) that takes at least {:.1} min, at a free account's (1,000) {:.1} min",
        calls as f64 / 500.0 * 5.0,
        calls as f64 / 1000.0 * 5.0
    ));
}

fn progress_bar(total: Option<usize>) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    let total = total.filter(|_| std::io::stderr().is_terminal())?;
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} Spaces, {elapsed} (eta {eta}) {msg}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Runs the `grade` command: streams the roster through the grader into the report, and
/// returns the exit code (0 when every Space passed).
pub fn run_batch(batch: &Batch, grader: Grader, out: &mut dyn Write) -> Result<i32, String> {
    let reader = batch.roster_reader()?;
    let total = if batch.roster.as_os_str() == "-" { None } else { count_rows(&batch.roster) };
    if let Some(n) = total {
        let with_secrets =
            (grader.assignment.is_some() || !grader.policy.space.secrets.is_empty()) && grader.client.has_token();
        announce(n, grader.concurrency, with_secrets);
    }
    let write_err = |e: std::io::Error| format!("cannot write the report: {e}");
    let mut writer = batch.writer(out)?;
    writer.start().map_err(write_err)?;
    let bar = progress_bar(total);
    let start = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let mut write_failure = None;
    let summary = rt.block_on(Arc::new(grader).run(CsvReader::new(reader), |r| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if write_failure.is_none() {
            write_failure = writer.write(r).err();
        }
    }));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_failure {
        return Err(write_err(e));
    }
    writer.finish().map_err(write_err)?;
    drop(writer);
    let summary = summary?;
    crate::redact::warn(&format!(
        "spacecheck: graded {} Spaces in {}: {} passed, {} failed, {} could not be checked",
        summary.total,
        elapsed_text(start),
        summary.passed,
        summary.failed,
        summary.errors
    ));
    Ok(if summary.failed == 0 && summary.errors == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_be_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("alice/demo"), "alice/demo");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    fn records(text: &str) -> Vec<Vec<String>> {
        let mut r = CsvReader::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec);
        }
        out
    }

    #[test]
    fn csv_quotes_and_newlines() {
        let r = records("space,student\r\n\"a/b\",\"Doe, \"\"J\"\"\"\nc/d,\"two\nlines\"\n");
        assert_eq!(r[1], vec!["a/b", "Doe, \"J\""]);
        assert_eq!(r[2], vec!["c/d", "two\nlines"]);
        assert!(CsvReader::new("a,\"open\n".as_bytes()).next_record().is_err());
    }

    #[test]
    fn spaces_from_ids_and_urls() {
        assert_eq!(parse_space("alice/ga2-084d53").unwrap(), "alice/ga2-084d53");
        assert_eq!(parse_space(" https://huggingface.co/spaces/alice/ga2-084d53/ ").unwrap(), "alice/ga2-084d53");
        assert_eq!(parse_space("https://huggingface.co/spaces/alice/x/tree/main").unwrap(), "alice/x");
        assert_eq!(parse_space("hf://alice/x").unwrap(), "alice/x");
        for bad in ["", "alice", "https://example.com/spaces/a/b", "a/b/c d", "https://huggingface.co/spaces/alice"] {
            assert!(parse_space(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_columns() {
        let c = columns(&["Student".into(), "Email".into(), "Space".into()]).unwrap();
        assert_eq!((c.space, c.student, c.email), (2, Some(0), Some(1)));
        assert!(columns(&["url2".into()]).is_err());
    }

    #[test]
    fn csv_output_escapes() {
        let mut w = ReportWriter::Csv(Vec::new());
        w.start().unwrap();
        let row = Row { index: 1, space: "a/b".into(), student: "Doe, J".into(), email: String::new() };
        w.write(&RowResult { row, outcome: Outcome::Fail(vec!["DF004".into(), "FM005".into()]), grader: None })
            .unwrap();
        let ReportWriter::Csv(out) = w else { panic!() };
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "row,space,student,email,result,failing_codes,grader,error\n1,a/b,\"Doe, J\",,fail,DF004;FM005,,\n"
        );
    }
}

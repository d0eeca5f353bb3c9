//! Batch grading: `spacecheck grade ROSTER`. Each roster row is a Space checked as
//! `hf://OWNER/NAME` would be, with bounded concurrency and one shared Hub client (so a 429 or
//! an almost spent rate-limit window slows the whole batch, not one task). The roster is read
//! as the batch goes, and results are written as they come, so 100,000 rows need little memory.
//! A bad row (malformed, missing Space, network failure) is a row of the report, never the end
//! of the batch.
//!
//! A long batch can be interrupted and resumed (`--resume REPORT`: the rows already in the
//! report are not graded again), and a new round can reuse the results of Spaces whose commit
//! has not changed (`--since REPORT`). `--order roster` writes the report in roster order.

mod html;
mod report;
mod roster;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, Semaphore};

use crate::assignment;
use crate::check::{self, CheckError, Target};
use crate::hub::client::HubClient;
use crate::hub::probe::{self, InfoOutcome};
use crate::lint::{Options, Report};
use crate::policy::Policy;
use report::{Format, PreviousReport, ReportWriter, RosterOrder, RowSink};
pub use roster::{columns, count_rows, parse_space, CsvReader};

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

/// A finding that made a Space fail, for reports people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct RowResult {
    pub row: Row,
    pub outcome: Outcome,
    pub grader: Option<String>,
    /// The commit the Space was graded at.
    pub sha: Option<String>,
    /// The findings at or above the fail-on level, in report order.
    pub findings: Vec<Finding>,
    /// Taken from the `--since` report (the Space's commit is unchanged).
    pub reused: bool,
}

/// The live checks a report skipped (what the Hub was not asked), as an error row's reason.
fn unchecked(report: &Report) -> Option<String> {
    let live = |code| crate::rules::all().iter().any(|r| r.code == code && r.is_live());
    let skipped: Vec<String> =
        report.skipped.iter().filter(|s| live(s.code)).map(|s| format!("{} ({})", s.code, s.reason)).collect();
    (!skipped.is_empty()).then(|| format!("not checked: {}", skipped.join("; ")))
}

impl RowResult {
    fn error(row: &Row, message: String) -> RowResult {
        RowResult {
            row: row.clone(),
            outcome: Outcome::Error(message),
            grader: None,
            sha: None,
            findings: Vec::new(),
            reused: false,
        }
    }

    fn of_report(row: &Row, report: &Report) -> RowResult {
        let failing: Vec<&crate::diag::Diagnostic> =
            report.diagnostics.iter().filter(|d| d.severity >= report.fail_on).collect();
        let mut codes: Vec<String> = failing.iter().map(|d| d.code.to_string()).collect();
        codes.sort();
        codes.dedup();
        RowResult {
            row: row.clone(),
            outcome: match (&report.incomplete, report.failed(), unchecked(report)) {
                // The Hub could not be asked: never a pass, whatever was found before.
                (Some(why), _, _) => Outcome::Error(why.clone()),
                (None, true, _) => Outcome::Fail(codes),
                // A requirement of the Hub left unchecked (the secrets, without a token that
                // may list them) is not passed: the row says what was not checked.
                (None, false, Some(why)) => Outcome::Error(why),
                (None, false, None) => Outcome::Pass,
            },
            grader: report.grader.as_ref().map(|v| v.line()),
            sha: report.revision.clone(),
            // Bounded: a report row is for reading, and a hostile Space can fail many times.
            findings: failing
                .iter()
                .take(50)
                .map(|d| Finding { code: d.code.to_string(), message: d.message.chars().take(500).collect() })
                .collect(),
            reused: false,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Rows taken from the `--resume` report, not graded again.
    pub resumed: usize,
    /// Rows whose result was reused (`--since`: the commit is unchanged).
    pub reused: usize,
}

impl Summary {
    fn count(&mut self, r: &RowResult) {
        self.total += 1;
        self.reused += usize::from(r.reused);
        match r.outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail(_) => self.failed += 1,
            Outcome::Error(_) => self.errors += 1,
        }
    }
}

/// Results of an earlier report that may be reused: by Space and email, a pass or fail with
/// the commit it was graded at.
#[derive(Debug, Default)]
pub struct Earlier {
    results: HashMap<(String, String), RowResult>,
}

impl Earlier {
    fn key(space_id: &str, email: &str) -> (String, String) {
        (space_id.to_ascii_lowercase(), email.trim().to_ascii_lowercase())
    }

    pub fn load(path: &Path) -> Result<Earlier, String> {
        let mut results = HashMap::new();
        for r in PreviousReport::open(path)? {
            let (Some(_), Ok(id)) = (&r.sha, parse_space(&r.row.space)) else { continue };
            if !matches!(r.outcome, Outcome::Error(_)) {
                results.insert(Earlier::key(&id, &r.row.email), r);
            }
        }
        Ok(Earlier { results })
    }

    fn get(&self, space_id: &str, email: &str) -> Option<&RowResult> {
        self.results.get(&Earlier::key(space_id, email))
    }
}

pub struct Grader {
    pub client: HubClient,
    pub policy: Policy,
    pub assignment: Option<&'static assignment::Assignment>,
    pub options: Options,
    pub concurrency: usize,
    /// `--since`: results reused where the Space's commit is unchanged.
    pub earlier: Option<Earlier>,
}

impl Grader {
    /// The policy of one row: the grader's, or the assignment's values for the row's email.
    fn policy_for(&self, row: &Row) -> Result<Policy, String> {
        match self.assignment {
            Some(a) if row.email.trim().is_empty() => {
                Err(format!("no email in this row: {} needs one to derive the values", a.id))
            }
            Some(a) => {
                let mut p = assignment::policy_for(&assignment::derive(&row.email), a);
                // A URL is what the student submitted, checked as written (check 1); a row
                // naming the Space (`OWNER/NAME`) stands for its Spaces URL, as `hf://` does.
                let space = row.space.trim();
                p.submission = Some(match parse_space(space) {
                    Ok(id) if !space.contains("://") => format!("https://huggingface.co/spaces/{id}"),
                    _ => space.to_string(),
                });
                Ok(p)
            }
            None => Ok(self.policy.clone()),
        }
    }

    /// `--since`: the earlier result, when the Space is still at the commit it was graded at
    /// and what the info call shows of it now could not change the result: the Space runs,
    /// and its visibility is the one the policy asks for. (A Space made private since, or
    /// crashed and answering 503, is graded again.) Costs the one info call the full check
    /// would make first.
    async fn unchanged(&self, row: &Row, id: &str, policy: &Policy) -> Option<RowResult> {
        let earlier = self.earlier.as_ref()?.get(id, &row.email)?;
        let Ok(InfoOutcome::Found(info)) = probe::fetch_info(&self.client, id).await else { return None };
        let running = info.runtime.as_ref().and_then(|r| r.stage.as_deref()) == Some("RUNNING");
        let visibility = match policy.space.visibility.as_deref() {
            Some("public") => info.private == Some(false),
            Some(_) => info.private == Some(true),
            None => true,
        };
        let same = info.sha.is_some() && info.sha == earlier.sha && running && visibility;
        same.then(|| RowResult { row: row.clone(), reused: true, ..earlier.clone() })
    }

    async fn grade_row(&self, row: &Row) -> RowResult {
        let id = match parse_space(&row.space) {
            Ok(id) => id,
            Err(e) => return RowResult::error(row, e),
        };
        let policy = match self.policy_for(row) {
            Ok(p) => p,
            Err(e) => return RowResult::error(row, e),
        };
        if let Some(reused) = self.unchanged(row, &id, &policy).await {
            return reused;
        }
        let mut notes = Vec::new();
        let target = Target::Remote { space_id: id };
        match check::check(&target, &policy, &self.options, Some(&self.client), true, &mut notes).await {
            Ok(report) => RowResult::of_report(row, &report),
            Err(CheckError::Hub(e)) => RowResult::error(row, e.to_string()),
            Err(CheckError::Local(m)) => RowResult::error(row, m),
        }
    }

    /// One row, whatever happens: a panic while grading it (a dependency's, on hostile input)
    /// becomes an error row with the masked message, and a row past
    /// [`crate::budget::ROW_SECONDS`] an error row too; the batch goes on.
    async fn grade_row_guarded(self: Arc<Self>, row: Row) -> RowResult {
        let seconds = crate::budget::ROW_SECONDS;
        let for_error = row.clone();
        let graded = tokio::spawn(async move {
            tokio::time::timeout(std::time::Duration::from_secs(seconds), self.grade_row(&row)).await
        })
        .await;
        match graded {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => RowResult::error(&for_error, format!("not graded: the row took over {seconds} s")),
            Err(e) => match e.try_into_panic() {
                Ok(payload) => RowResult::error(
                    &for_error,
                    format!("internal error while grading this row: {}", crate::panic::describe(&*payload)),
                ),
                Err(e) => RowResult::error(&for_error, format!("not graded: {e}")),
            },
        }
    }

    /// Grades every row of the roster but those in `done` (row index → Space, from the
    /// `--resume` report); `sink` gets results as they complete. Returns how many rows were
    /// sent to grading, for the caller to check that each came back.
    pub async fn run<R: BufRead>(
        self: Arc<Self>,
        mut roster: CsvReader<R>,
        done: &HashMap<usize, String>,
        mut sink: impl FnMut(&RowResult),
    ) -> Result<usize, String> {
        let header = roster.next_record()?.ok_or("the roster is empty")?;
        let cols = columns(&header)?;
        let gate = Arc::new(Semaphore::new(self.concurrency.max(1)));
        let (tx, mut rx) = mpsc::channel::<RowResult>(self.concurrency.max(1) * 2);
        let mut index = 0usize;
        let mut spawned = 0usize;
        let mut read_error = None;
        loop {
            // Write what is done while waiting for a free slot: memory stays bounded.
            let permit = loop {
                tokio::select! {
                    permit = gate.clone().acquire_owned() => break permit.map_err(|e| e.to_string())?,
                    Some(done) = rx.recv() => sink(&done),
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
            if done.get(&index) == Some(&row.space) {
                continue;
            }
            let me = self.clone();
            let tx = tx.clone();
            spawned += 1;
            tokio::spawn(async move {
                let result = me.grade_row_guarded(row).await;
                drop(permit);
                let _ = tx.send(result).await;
            });
        }
        drop(tx);
        while let Some(done) = rx.recv().await {
            sink(&done);
        }
        match read_error {
            Some(e) => Err(format!(
                "the roster could not be read past row {index}: {e} (the rows before it are in the report)"
            )),
            None => Ok(spawned),
        }
    }
}

pub fn elapsed_text(start: Instant) -> String {
    format!("{:.1} s", start.elapsed().as_secs_f64())
}

/// The order of the report's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// As results arrive (the report is useful while the batch runs).
    #[default]
    Completion,
    /// The roster's order, once the batch ends.
    Roster,
}

/// A batch as the `grade` command asks for it.
#[derive(Debug, Default)]
pub struct Batch {
    /// The roster CSV; `-` is standard input.
    pub roster: PathBuf,
    /// Where the report goes (`.json`, `.html`, else CSV); `None`: the `--resume` report, or
    /// CSV on standard output.
    pub report: Option<PathBuf>,
    /// `--resume`: the report of an interrupted batch; its rows are not graded again.
    pub resume: Option<PathBuf>,
    pub order: Order,
}

/// Where rows go, and the rows of the `--resume` report (index → Space).
struct Output<'a> {
    sink: Box<dyn RowSink + 'a>,
    done: HashMap<usize, String>,
    summary: Summary,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
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

    /// The report's path: `--out`, else the `--resume` report.
    fn report_path(&self) -> Option<&Path> {
        self.report.as_deref().or(self.resume.as_deref())
    }

    /// A new report of the format its path names (CSV on `out` without a path).
    fn new_sink<'a>(&self, out: &'a mut dyn Write) -> Result<Box<dyn RowSink + 'a>, String> {
        let cannot = |path: &Path, e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
        let Some(path) = self.report_path() else {
            return Ok(Box::new(ReportWriter::start(Format::Csv, out).map_err(|e| e.to_string())?));
        };
        let file = std::fs::File::create(path).map_err(|e| cannot(path, e))?;
        let w: Box<dyn Write> = Box::new(std::io::BufWriter::new(file));
        let sink: Box<dyn RowSink + 'a> = match Format::of(path) {
            Format::Html => Box::new(html::HtmlReport::new(w).map_err(|e| cannot(path, e))?),
            format => Box::new(ReportWriter::start(format, w).map_err(|e| cannot(path, e))?),
        };
        Ok(sink)
    }

    /// The report written: a new one, or the `--resume` report continued in place (cut to its
    /// last whole row, then appended to), or the rows of the `--resume` report copied first.
    fn output<'a>(&self, out: &'a mut dyn Write) -> Result<Output<'a>, String> {
        let mut done = HashMap::new();
        let mut summary = Summary::default();
        if self.report_path().is_some_and(|p| p.exists() && same_file(p, &self.roster)) {
            return Err("the report would overwrite the roster: give --out another file".into());
        }
        let Some(resume) = self.resume.as_deref().filter(|p| p.exists()) else {
            return Ok(Output { sink: self.wrap(self.new_sink(out)?)?, done, summary });
        };
        let mut previous = PreviousReport::open(resume)?;
        let in_place = self.report.as_deref().is_none_or(|out| same_file(out, resume));
        if in_place {
            if self.order == Order::Roster {
                return Err("--order roster rewrites the report: give --out another file than --resume".into());
            }
            for r in previous.by_ref() {
                summary.count(&r);
                summary.resumed += 1;
                done.insert(r.row.index, r.row.space);
            }
            let sink = continue_in_place(resume, previous.start, previous.end)?;
            return Ok(Output { sink, done, summary });
        }
        let mut sink = self.wrap(self.new_sink(out)?)?;
        for r in previous {
            summary.count(&r);
            summary.resumed += 1;
            sink.write(&r).map_err(|e| format!("cannot write the report: {e}"))?;
            done.insert(r.row.index, r.row.space);
        }
        Ok(Output { sink, done, summary })
    }

    fn wrap<'a>(&self, sink: Box<dyn RowSink + 'a>) -> Result<Box<dyn RowSink + 'a>, String> {
        match self.order {
            Order::Completion => Ok(sink),
            Order::Roster => {
                Ok(Box::new(RosterOrder::new(sink).map_err(|e| format!("cannot create a temporary file: {e}"))?))
            }
        }
    }
}

/// The `--resume` report, cut after its last whole row and opened to append to.
fn continue_in_place(path: &Path, start: u64, end: u64) -> Result<Box<dyn RowSink>, String> {
    let cannot = |e: std::io::Error| format!("cannot continue `{}`: {e}", path.display());
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(cannot)?;
    // `start` 0: an empty file (PreviousReport refuses anything else that is not a report).
    let keep = if start == 0 { 0 } else { end.max(start) };
    file.set_len(keep).map_err(cannot)?;
    let mut file = file;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(cannot)?;
    let w: Box<dyn Write> = Box::new(std::io::BufWriter::new(file));
    let format = Format::of(path);
    if keep == 0 {
        return Ok(Box::new(ReportWriter::start(format, w).map_err(cannot)?));
    }
    Ok(Box::new(ReportWriter::continuing(format, w, end > start)))
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

fn closing_line(summary: &Summary, start: Instant) -> String {
    let mut line = format!(
        "spacecheck: graded {} Spaces in {}: {} passed, {} failed, {} could not be checked",
        summary.total,
        elapsed_text(start),
        summary.passed,
        summary.failed,
        summary.errors
    );
    if summary.resumed > 0 {
        line.push_str(&format!("; {} were already in the report", summary.resumed));
    }
    if summary.reused > 0 {
        line.push_str(&format!("; {} reused (commit unchanged)", summary.reused));
    }
    line
}

/// Runs the `grade` command: streams the roster through the grader into the report, and
/// returns the exit code (0 when every Space passed).
pub fn run_batch(batch: &Batch, grader: Grader, out: &mut dyn Write) -> Result<i32, String> {
    let reader = batch.roster_reader()?;
    let output = batch.output(out)?;
    let total = if batch.roster.as_os_str() == "-" { None } else { count_rows(&batch.roster) };
    let to_grade = total.map(|n| n.saturating_sub(output.done.len()));
    if let Some(n) = to_grade {
        let with_secrets =
            (grader.assignment.is_some() || !grader.policy.space.secrets.is_empty()) && grader.client.has_token();
        announce(n, grader.concurrency, with_secrets);
    }
    let write_err = |e: std::io::Error| format!("cannot write the report: {e}");
    let bar = progress_bar(to_grade);
    let start = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let mut write_failure = None;
    let mut written = 0usize;
    let Output { mut sink, done, mut summary } = output;
    let graded = rt.block_on(Arc::new(grader).run(CsvReader::new(reader), &done, |r| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        written += 1;
        summary.count(r);
        if write_failure.is_none() {
            write_failure = sink.write(r).err();
        }
    }));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_failure {
        return Err(write_err(e));
    }
    sink.finish().map_err(write_err)?;
    drop(sink);
    let sent = graded?;
    // Every row read must be in the report: a row lost is never a pass.
    if written != sent {
        return Err(format!(
            "{} of the {sent} rows read are missing from the report: the batch is incomplete",
            sent.saturating_sub(written)
        ));
    }
    crate::redact::warn(&closing_line(&summary, start));
    Ok(if summary.failed == 0 && summary.errors == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

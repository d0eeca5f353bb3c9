//! `grade --out report.html`: one self-contained page for the people who grade. Totals, the
//! share of Spaces failing each check as a bar chart, the grader's verdicts, and a table with
//! one row per Space (a link to it, its failing codes and their messages) that sorts by any
//! column and filters by text and result.
//!
//! Nothing on the page is fetched: CSS, script and chart are inline, and the page's
//! Content-Security-Policy forbids every request, so opening a report never tells anyone it
//! was opened. Rows go to a temporary file as they arrive and the page is assembled from it at
//! the end, so memory holds the counts, never the rows. Every text is masked, then escaped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};

use super::report::RowSink;
use super::roster::parse_space;
use super::{Outcome, RowResult};
use crate::redact::mask;

pub struct HtmlReport<W: Write> {
    out: W,
    rows: std::fs::File,
    totals: Totals,
}

#[derive(Default)]
struct Totals {
    spaces: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    reused: usize,
    /// Spaces failing each code.
    failing: BTreeMap<String, usize>,
    /// The grader's verdict (PASS, FAIL, INCOMPLETE) and how many Spaces got it.
    verdicts: BTreeMap<String, usize>,
}

/// Text for HTML, masked first (a token may sit in any cell).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in mask(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// "grader: FAIL at check 3: …" → "FAIL".
fn verdict_word(line: &str) -> String {
    let rest = line.strip_prefix("grader: ").unwrap_or(line);
    rest.split([' ', ':']).next().unwrap_or(rest).to_string()
}

fn table_row(r: &RowResult) -> String {
    let (result, codes) = match &r.outcome {
        Outcome::Pass => ("pass", String::new()),
        Outcome::Fail(c) => ("fail", c.join(" ")),
        Outcome::Error(_) => ("error", String::new()),
    };
    let space = match parse_space(&r.row.space) {
        Ok(id) => format!(
            "<a href=\"https://huggingface.co/spaces/{}\" rel=\"noreferrer\">{}</a>",
            escape(&id),
            escape(&r.row.space)
        ),
        Err(_) => escape(&r.row.space),
    };
    let details = match &r.outcome {
        Outcome::Error(e) => format!("<li>{}</li>", escape(e)),
        _ => r
            .findings
            .iter()
            .map(|f| format!("<li><code>{}</code> {}</li>", escape(&f.code), escape(&f.message)))
            .collect(),
    };
    let sha = r.sha.as_deref().map(|s| s.chars().take(7).collect::<String>()).unwrap_or_default();
    let reused = if r.reused { " <span class=\"reused\" title=\"from the earlier report\">reused</span>" } else { "" };
    format!(
        "<tr class=\"{result}\"><td data-value=\"{index}\">{index}</td><td>{space}</td><td>{student}</td>\
         <td>{email}</td><td><span class=\"badge\">{result}</span>{reused}</td><td>{codes}</td><td>{grader}</td>\
         <td><ul>{details}</ul></td><td><code>{sha}</code></td></tr>\n",
        index = r.row.index,
        student = escape(&r.row.student),
        email = escape(&r.row.email),
        codes = escape(&codes),
        grader = escape(r.grader.as_deref().unwrap_or("")),
        sha = escape(&sha),
    )
}

impl<W: Write> HtmlReport<W> {
    pub fn new(out: W) -> std::io::Result<HtmlReport<W>> {
        Ok(HtmlReport { out, rows: tempfile::tempfile()?, totals: Totals::default() })
    }

    fn chart(&self) -> String {
        let t = &self.totals;
        let mut bars: Vec<(&String, &usize)> = t.failing.iter().collect();
        bars.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if bars.is_empty() {
            return "<p>No check failed.</p>".into();
        }
        let (row_height, label_width, bar_width) = (22, 90, 420);
        let mut svg = format!(
            "<svg role=\"img\" aria-label=\"Share of Spaces failing each check\" viewBox=\"0 0 {} {}\" width=\"{}\" \
             height=\"{}\">",
            label_width + bar_width + 90,
            bars.len() * row_height,
            label_width + bar_width + 90,
            bars.len() * row_height
        );
        for (i, (code, count)) in bars.iter().enumerate() {
            let share = **count as f64 / t.spaces.max(1) as f64;
            let y = i * row_height;
            svg.push_str(&format!(
                "<text x=\"0\" y=\"{ty}\" class=\"label\">{code}</text>\
                 <rect x=\"{label_width}\" y=\"{ry}\" width=\"{w:.1}\" height=\"{h}\" class=\"bar\"><title>{code}: {count} \
                 of {spaces} Spaces</title></rect><text x=\"{tx:.1}\" y=\"{ty}\">{pct:.0}% ({count})</text>",
                ty = y + 15,
                ry = y + 3,
                w = share * bar_width as f64,
                h = row_height - 6,
                tx = label_width as f64 + share * bar_width as f64 + 6.0,
                pct = share * 100.0,
                code = escape(code),
                spaces = t.spaces,
            ));
        }
        svg.push_str("</svg>");
        svg
    }

    fn head(&self) -> String {
        let t = &self.totals;
        let verdicts: String = if t.verdicts.is_empty() {
            "<p>No grader replayed (grade with <code>--assignment</code> for the grader's verdicts).</p>".into()
        } else {
            let items: String =
                t.verdicts.iter().map(|(v, n)| format!("<li><strong>{}</strong>: {n}</li>", escape(v))).collect();
            format!("<ul class=\"verdicts\">{items}</ul>")
        };
        let reused =
            if t.reused > 0 { format!("<li>{} taken from an earlier report</li>", t.reused) } else { String::new() };
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
             script-src 'unsafe-inline'; img-src data:\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>spacecheck grading report</title><style>{STYLE}</style></head><body>\n\
             <h1>spacecheck grading report</h1>\n<section class=\"totals\"><ul>\
             <li><strong id=\"total\">{spaces}</strong> Spaces</li><li class=\"pass\"><strong>{passed}</strong> passed</li>\
             <li class=\"fail\"><strong>{failed}</strong> failed</li><li class=\"error\"><strong>{errors}</strong> could \
             not be checked</li>{reused}</ul></section>\n\
             <section><h2>Spaces failing each check</h2>{chart}</section>\n\
             <section><h2>Grader verdicts</h2>{verdicts}</section>\n\
             <section><h2>Spaces</h2><div class=\"controls\"><label>Filter <input id=\"filter\" type=\"search\" \
             placeholder=\"space, student, code…\"></label> <label>Result <select id=\"result\"><option value=\"\">all\
             </option><option>pass</option><option>fail</option><option>error</option></select></label> \
             <span id=\"shown\"></span></div>\n<table id=\"spaces\"><thead><tr>\
             <th data-sort=\"number\">Row</th><th data-sort=\"text\">Space</th>\
             <th data-sort=\"text\">Student</th><th data-sort=\"text\">Email</th><th data-sort=\"text\">Result</th>\
             <th data-sort=\"text\">Failing codes</th><th data-sort=\"text\">Grader</th><th>Messages</th>\
             <th data-sort=\"text\">Commit</th></tr></thead><tbody>\n",
            spaces = t.spaces,
            passed = t.passed,
            failed = t.failed,
            errors = t.errors,
            chart = self.chart(),
        )
    }
}

impl<W: Write> RowSink for HtmlReport<W> {
    fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        let t = &mut self.totals;
        t.spaces += 1;
        t.reused += usize::from(r.reused);
        match &r.outcome {
            Outcome::Pass => t.passed += 1,
            Outcome::Fail(codes) => {
                t.failed += 1;
                for code in codes {
                    *t.failing.entry(code.clone()).or_default() += 1;
                }
            }
            Outcome::Error(_) => t.errors += 1,
        }
        if let Some(line) = &r.grader {
            *t.verdicts.entry(verdict_word(line)).or_default() += 1;
        }
        self.rows.write_all(table_row(r).as_bytes())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        let head = self.head();
        self.out.write_all(head.as_bytes())?;
        self.rows.seek(SeekFrom::Start(0))?;
        let mut rows = BufReader::new(&self.rows);
        loop {
            let chunk = rows.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            self.out.write_all(chunk)?;
            let n = chunk.len();
            rows.consume(n);
        }
        write!(self.out, "</tbody></table></section>\n<script>{SCRIPT}</script>\n</body></html>\n")?;
        self.out.flush()
    }
}

const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:78rem;padding:0 1rem;color:#1d2330}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}\
.totals ul{display:flex;gap:1.5rem;list-style:none;padding:0;flex-wrap:wrap}\
.totals strong{font-size:1.4rem;margin-right:.25rem}\
.pass strong,.pass .badge{color:#17633a}.fail strong,.fail .badge{color:#a3261b}.error strong,.error .badge{color:#8a5a00}\
svg text{font-size:13px;fill:#1d2330}svg .label{font-family:ui-monospace,monospace}svg .bar{fill:#c0392b}\
.controls{margin:.5rem 0}#shown{color:#555;margin-left:.5rem}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dde;padding:.35rem .5rem;text-align:left;\
vertical-align:top}th[data-sort]{cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}\
th[aria-sort=descending]::after{content:' \\25BC'}thead th{background:#f3f4f8;position:sticky;top:0}\
td ul{margin:0;padding-left:1rem}.badge{font-weight:600}.reused{font-size:.8em;color:#555}\
@media print{.controls{display:none}thead th{position:static}body{max-width:none;margin:0}a{color:inherit}\
tr{break-inside:avoid}}";

const SCRIPT: &str = r#"
(function () {
  const table = document.getElementById('spaces');
  const body = table.tBodies[0];
  const filter = document.getElementById('filter');
  const result = document.getElementById('result');
  const shown = document.getElementById('shown');
  const rows = Array.from(body.rows);
  function key(row, index, numeric) {
    const cell = row.cells[index];
    const value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    return numeric ? Number(value) : value.toLowerCase();
  }
  function sortBy(th, ascending) {
    const index = th.cellIndex;
    const numeric = th.dataset.sort === 'number';
    table.tHead.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const sorted = Array.from(body.rows).sort(function (a, b) {
      const x = key(a, index, numeric), y = key(b, index, numeric);
      const order = x < y ? -1 : x > y ? 1 : key(a, 0, true) - key(b, 0, true);
      return ascending ? order : -order;
    });
    body.append.apply(body, sorted);
  }
  table.tHead.querySelectorAll('th[data-sort]').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th, th.getAttribute('aria-sort') !== 'ascending'); });
  });
  // Rows are written as results arrive: shown in roster order.
  sortBy(table.tHead.querySelector('th[data-sort]'), true);
  function apply() {
    const text = filter.value.trim().toLowerCase();
    const wanted = result.value;
    let visible = 0;
    rows.forEach(function (row) {
      const show = (!wanted || row.classList.contains(wanted)) &&
        (!text || row.textContent.toLowerCase().includes(text));
      row.hidden = !show;
      visible += show ? 1 : 0;
    });
    shown.textContent = 'showing ' + visible + ' of ' + rows.length;
  }
  filter.addEventListener('input', apply);
  result.addEventListener('change', apply);
  apply();
})();
"#;

#[cfg(test)]
mod tests {
    use super::super::{Finding, Row};
    use super::*;

    #[test]
    fn text_is_masked_and_escaped() {
        let token = format!("hf_{}", "AbCdEfGhIjKlMnOpQrStUvWxYz012345");
        let r = RowResult {
            row: Row { index: 1, space: "a/b".into(), student: "<script>x</script>".into(), email: token.clone() },
            outcome: Outcome::Fail(vec!["DF004".into()]),
            grader: Some("grader: FAIL at check 3: \"x\"".into()),
            sha: None,
            findings: vec![Finding { code: "DF004".into(), message: "a & b".into() }],
            reused: false,
        };
        let row = table_row(&r);
        assert!(!row.contains("<script>") && row.contains("&lt;script&gt;"), "{row}");
        assert!(!row.contains(&token), "{row}");
        assert!(row.contains("a &amp; b") && row.contains("href=\"https://huggingface.co/spaces/a/b\""));
        assert_eq!(verdict_word("grader: FAIL at check 3: x"), "FAIL");
        assert_eq!(verdict_word("grader: INCOMPLETE: no check"), "INCOMPLETE");
    }
}

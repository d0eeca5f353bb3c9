//! Inline suppressions: `# spacecheck: ignore=DF007,DF011` on the line before a Dockerfile
//! instruction, or a YAML comment on the line before a frontmatter key. A suppression that
//! suppresses nothing is reported (SC001), like ruff's unused `noqa`.

use crate::parse::dockerfile::Dockerfile;
use crate::rules::{meta::sc001_unused_suppression, Code, Diagnostic};
use crate::source::SourceFile;

struct Suppression {
    file: String,
    comment_span: std::ops::Range<usize>,
    codes: Vec<String>,
    /// Lines (inclusive) the suppression covers.
    covers: (usize, usize),
    used: Vec<bool>,
}

fn parse_comment(line: &str) -> Option<Vec<String>> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("spacecheck:")?.trim_start();
    let codes = rest.strip_prefix("ignore=")?.trim();
    let codes: Vec<String> =
        codes.split([',', ' ']).map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect();
    (!codes.is_empty()).then_some(codes)
}

fn collect(
    file: &SourceFile,
    in_range: impl Fn(usize) -> bool,
    target_lines: impl Fn(usize) -> (usize, usize),
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for line_no in 1..=file.line_count() {
        if !in_range(line_no) {
            continue;
        }
        let span = file.line_span(line_no);
        let Some(codes) = parse_comment(&file.text[span.clone()]) else { continue };
        // The next line that is neither blank nor a comment is the target.
        let mut target = line_no + 1;
        while target <= file.line_count() {
            let t = file.text[file.line_span(target)].trim();
            if !t.is_empty() && !t.starts_with('#') {
                break;
            }
            target += 1;
        }
        let used = vec![false; codes.len()];
        out.push(Suppression {
            file: file.path.clone(),
            comment_span: span,
            codes,
            covers: target_lines(target),
            used,
        });
    }
    out
}

/// Drops suppressed diagnostics and adds SC001 for suppressions that matched nothing.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    dockerfile: Option<(&SourceFile, Option<&Dockerfile>)>,
    readme: Option<(&SourceFile, Option<std::ops::Range<usize>>)>,
    ran: &dyn Fn(Code) -> bool,
) -> Vec<Diagnostic> {
    let readme_file = readme.as_ref().map(|(f, _)| *f);
    let mut sups = Vec::new();
    if let Some((file, parsed)) = dockerfile {
        sups.extend(collect(
            file,
            |_| true,
            |target| {
                // The whole instruction that starts on the target line (continuation lines included).
                let found =
                    parsed.and_then(|df| df.instructions.iter().find(|i| file.line_col(i.span.start).0 == target));
                match found {
                    Some(i) => (target, file.line_col(i.span.end).0),
                    None => (target, target),
                }
            },
        ));
    }
    if let Some((file, Some(yaml))) = &readme {
        let first = file.line_col(yaml.start).0;
        let last = file.line_col(yaml.end).0;
        sups.extend(collect(file, |l| l >= first && l <= last, |t| (t, t)));
    }
    if sups.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let mut suppressed = false;
        if let (Some(file), Some(pos)) = (&d.file, &d.position) {
            for s in sups.iter_mut().filter(|s| &s.file == file && pos.line >= s.covers.0 && pos.line <= s.covers.1) {
                for (i, code) in s.codes.iter().enumerate() {
                    if d.code.matches_prefix(code) {
                        s.used[i] = true;
                        suppressed = true;
                    }
                }
            }
        }
        if !suppressed {
            kept.push(d);
        }
    }
    for s in sups {
        // A code whose rules did not run (deselected, turned off) cannot be judged unused.
        let judged = |c: &str| {
            let named: Vec<Code> = Code::ALL.iter().copied().filter(|k| k.matches_prefix(c)).collect();
            named.is_empty() || named.iter().any(|k| ran(*k))
        };
        let unused: Vec<&str> =
            s.codes.iter().zip(&s.used).filter(|(c, u)| !**u && judged(c)).map(|(c, _)| c.as_str()).collect();
        if unused.is_empty() {
            continue;
        }
        let file =
            if Some(&s.file) == dockerfile.map(|(f, _)| &f.path) { dockerfile.map(|(f, _)| f) } else { readme_file };
        let Some(file) = file else { continue };
        let unknown: Vec<&str> =
            unused.iter().copied().filter(|c| !Code::ALL.iter().any(|k| k.matches_prefix(c))).collect();
        let message = if unknown.is_empty() {
            format!("`spacecheck: ignore={}` suppresses nothing on line {}", unused.join(","), s.covers.0)
        } else {
            format!("`spacecheck: ignore=` names unknown rule code(s) {}", unknown.join(", "))
        };
        kept.push(
            Diagnostic::new(&sc001_unused_suppression::RULE, message)
                .at(file, s.comment_span.clone())
                .help("remove the codes that no longer apply"),
        );
    }
    kept
}

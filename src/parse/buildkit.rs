//! What BuildKit refuses after parsing and before running anything, on a file that parses:
//! flags an instruction does not take (`instructions/parse.go`: "unknown flag"), and words its
//! lexer cannot expand (`shell/lex.go`: an unterminated quote, a `${` without `}`) in the
//! instructions BuildKit expands itself. Words are split as BuildKit's parser splits each
//! instruction: COPY, ADD, EXPOSE, VOLUME and FROM on whitespace, quotes or not (so
//! `COPY "my file.csv" /data/` gives the word `"my`, which fails); ENV, LABEL and ARG into
//! `key=value` words that respect quotes (an unclosed quote runs to the end); USER, WORKDIR and STOPSIGNAL as one word.

use std::ops::Range;

use super::dockerfile::{Dockerfile, Instruction, Kind, ParseError};
use crate::source::SourceFile;

/// The flags each instruction takes (BuildKit's, with the newer `--exclude`, `--parents`,
/// `--unpack` and `--device` accepted so that no file a current BuildKit builds is refused).
fn known_flags(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::Copy => &["chown", "chmod", "from", "link", "parents", "exclude"],
        Kind::Add => &["chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "unpack"],
        Kind::Run => &["mount", "network", "security", "device"],
        Kind::From => &["platform"],
        Kind::Healthcheck => &["interval", "timeout", "start-period", "start-interval", "retries"],
        _ => return None,
    })
}

/// Every error BuildKit would stop at, in file order.
pub fn errors(file: &SourceFile, df: &Dockerfile) -> Vec<ParseError> {
    let mut out = Vec::new();
    for ins in &df.instructions {
        let ins = match &ins.args {
            super::dockerfile::Args::Onbuild(inner) => inner.as_ref(),
            _ => ins,
        };
        if let Some(known) = known_flags(ins.kind) {
            // A bare `--` ends the flags (BuildKit's BFlags).
            let flags = ins.flags.iter().take_while(|f| !f.name.is_empty());
            for flag in flags.filter(|f| !known.contains(&f.name.to_ascii_lowercase().as_str())) {
                let message = format!("unknown flag: {}", flag.name);
                out.push(ParseError { over_budget: false, message, span: flag.span.clone() });
            }
        }
        for (word, span) in expanded_words(file, ins, df.escape) {
            if let Some(why) = lex_error(&word, df.escape) {
                out.push(ParseError {
                    over_budget: false,
                    message: format!("failed to process {word:?}: {why}"),
                    span,
                });
            }
        }
    }
    out
}

/// The instruction's arguments as BuildKit's parser sees them: continuation lines joined,
/// comment lines inside dropped, flags left out; with the span of the first line's arguments.
fn logical_args(file: &SourceFile, ins: &Instruction, escape: char) -> (String, Range<usize>) {
    let after_flags =
        ins.flags.iter().map(|f| f.span.end).max().unwrap_or(ins.keyword_span.end).max(ins.keyword_span.end);
    let raw = file.text.get(after_flags..ins.span.end).unwrap_or_default();
    let mut joined = String::with_capacity(raw.len());
    for (n, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if n > 0 && line.trim_start().starts_with('#') {
            continue;
        }
        let trimmed = line.trim_end();
        match trimmed.strip_suffix(escape) {
            Some(body) if !body.ends_with(escape) => joined.push_str(body),
            _ => joined.push_str(line),
        }
    }
    let first_line_end = raw.find('\n').map_or(ins.span.end, |i| after_flags + i);
    (joined, after_flags..first_line_end)
}

/// The words BuildKit expands, each with the span reported for it.
fn expanded_words(file: &SourceFile, ins: &Instruction, escape: char) -> Vec<(String, Range<usize>)> {
    let expands = matches!(
        ins.kind,
        Kind::Copy
            | Kind::Add
            | Kind::Expose
            | Kind::Volume
            | Kind::From
            | Kind::Env
            | Kind::Label
            | Kind::Arg
            | Kind::User
            | Kind::Workdir
            | Kind::Stopsignal
    );
    if !expands {
        return Vec::new();
    }
    let (args, span) = logical_args(file, ins, escape);
    let args = args.trim();
    if args.starts_with('[') && matches!(ins.kind, Kind::Copy | Kind::Add | Kind::Volume) {
        // JSON form: the strings are expanded too.
        let words: Vec<String> = serde_json::from_str(args).unwrap_or_default();
        return words.into_iter().map(|w| (w, span.clone())).collect();
    }
    let words: Vec<String> = match ins.kind {
        Kind::User | Kind::Workdir | Kind::Stopsignal => vec![args.to_string()],
        // BuildKit's `parseWords`: whitespace splits words except inside quotes.
        Kind::Env | Kind::Label | Kind::Arg => {
            super::shell::split_words_raw(args, escape).into_iter().map(|(_, w)| w.to_string()).collect()
        }
        Kind::From => args.split_whitespace().take(1).map(str::to_string).collect(),
        _ => args.split_whitespace().map(str::to_string).collect(),
    };
    words.into_iter().map(|w| (w, span.clone())).collect()
}

/// What BuildKit's lexer says of a word it cannot expand, if anything.
pub fn lex_error(word: &str, escape: char) -> Option<&'static str> {
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if c == escape => i += 1,
            '\'' => match chars[i + 1..].iter().position(|&c| c == '\'') {
                Some(end) => i += end + 1,
                None => return Some("unexpected end of statement while looking for matching single-quote"),
            },
            '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Some("unexpected end of statement while looking for matching double-quote"),
                        Some('"') => break,
                        Some(&c) if c == escape => i += 2,
                        Some('$') if chars.get(i + 1) == Some(&'{') && !chars[i..].contains(&'}') => {
                            return Some("missing '}'");
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            '$' if chars.get(i + 1) == Some(&'{') && !chars[i..].contains(&'}') => return Some("missing '}'"),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(text: &str) -> Vec<String> {
        let file = SourceFile::new("Dockerfile", text.to_string());
        let df = super::super::dockerfile::parse(&file).expect("parses");
        errors(&file, &df).into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn the_lexer_finds_what_buildkit_cannot_expand() {
        assert_eq!(lex_error("\"a b\"", '\\'), None);
        assert_eq!(lex_error("'a", '\\'), Some("unexpected end of statement while looking for matching single-quote"));
        assert_eq!(
            lex_error("\"0.0.0.0\u{201d}", '\\'),
            Some("unexpected end of statement while looking for matching double-quote")
        );
        assert_eq!(lex_error("\\\"x", '\\'), None);
        assert_eq!(lex_error("${A", '\\'), Some("missing '}'"));
        assert_eq!(lex_error("${A}b", '\\'), None);
    }

    /// The failures the issue names, and their near misses.
    #[test]
    fn buildkit_refuses_these_files() {
        let typographic = errors_of("FROM python:3.11\nENV GRADIO_SERVER_NAME=\"0.0.0.0\u{201d}\n");
        assert_eq!(typographic.len(), 1);
        assert!(typographic[0].contains("matching double-quote"), "{typographic:?}");
        let spaced = errors_of("FROM python:3.11\nCOPY \"IMDB Dataset.csv\" /data/\n");
        assert!(spaced.iter().any(|e| e.starts_with("failed to process \"\\\"IMDB\"")), "{spaced:?}");
        assert_eq!(errors_of("FROM python:3.11\nCOPY --chmown=1000 a /b/\n"), vec!["unknown flag: chmown"]);
        assert!(errors_of("FROM python:3.11\nCOPY -- a /b/\n").is_empty(), "`--` ends the flags");
        for fine in [
            "FROM python:3.11\nENV A=\"x y\" B='z'\nCOPY --chown=1000 --link a b /c/\n",
            "FROM python:3.11\nCOPY [\"my file.csv\", \"/data/\"]\n",
            "FROM python:3.11\nLABEL description=\"it's fine\"\n",
            "FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache pip install x\n",
            "FROM python:3.11\nENV A=1 \\\n    B=\"two words\"\n",
            "FROM python:3.11\nUSER 1000:1000\nWORKDIR /home/user/app\n",
        ] {
            assert!(errors_of(fine).is_empty(), "{fine}: {:?}", errors_of(fine));
        }
    }
}

//! What spacecheck knows about secrets, shared by the rules (DF010, RP001) and by the
//! redaction of every output: which variable names hold secrets, and the shapes of well-known
//! credentials.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use memchr::memmem;

use regex::Regex;

/// Whether an ARG/ENV name says it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(['_', '-']).filter(|p| !p.is_empty()).collect();
    if parts.last().is_some_and(|l| {
        matches!(*l, "FILE" | "PATH" | "DIR" | "URL" | "ID" | "NAME" | "LENGTH" | "SIZE" | "LIMIT" | "TYPE" | "HEADER")
    }) {
        return false;
    }
    let compact = upper.replace(['_', '-'], "");
    parts.iter().any(|p| matches!(*p, "TOKEN" | "SECRET" | "PASSWORD" | "PASSWD" | "PWD" | "CREDENTIALS" | "APIKEY"))
        && !(parts.len() == 1 && parts[0] == "PWD")
        || compact.contains("APIKEY")
        || compact.contains("ACCESSKEY")
        || compact.contains("PRIVATEKEY")
        || compact.contains("SECRETKEY")
}

/// One credential shape: the literal texts every match contains, and its regex, compiled the
/// first time a text holds one of them (compiling all eight took more than half of the
/// instructions of a one-Space run, and most runs need none or one).
struct Pattern {
    kind: &'static str,
    needles: &'static [&'static str],
    source: &'static str,
    re: OnceLock<Regex>,
}

impl Pattern {
    const fn new(kind: &'static str, needles: &'static [&'static str], source: &'static str) -> Pattern {
        Pattern { kind, needles, source, re: OnceLock::new() }
    }

    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| Regex::new(self.source).expect("valid credential regex"))
    }
}

static PATTERNS: [Pattern; 8] = [
    Pattern::new("a Hugging Face token", &["hf_"], r"(?-u:\b)hf_[A-Za-z]{30,}(?-u:\b)"),
    Pattern::new(
        "a GitHub token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})(?-u:\b)",
    ),
    Pattern::new(
        "an API secret key (sk-...)",
        &["sk-"],
        r"(?-u:\b)sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}",
    ),
    Pattern::new("a Stripe live key", &["k_live_"], r"(?-u:\b)[sr]k_live_[0-9A-Za-z]{24,}(?-u:\b)"),
    Pattern::new("an AWS access key id", &["AKIA", "ASIA"], r"(?-u:\b)(?:AKIA|ASIA)[0-9A-Z]{16}(?-u:\b)"),
    Pattern::new("a Google API key", &["AIza"], r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}(?-u:\b)"),
    Pattern::new("a Slack token", &["xox"], r"(?-u:\b)xox[baprs]-[0-9A-Za-z\-]{10,}"),
    Pattern::new(
        "a private key",
        &["PRIVATE KEY"],
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    ),
];

/// A SIMD substring searcher for every literal, built once, and the pattern it belongs to.
/// Measured with callgrind on the corpus: a scan per literal with `memchr::memmem` costs a
/// fraction of an instruction per byte; one Aho-Corasick automaton over the fourteen literals
/// (seven first bytes, so no fast prefilter) cost about eight.
static NEEDLES: LazyLock<Vec<(memmem::Finder<'static>, usize)>> = LazyLock::new(|| {
    PATTERNS.iter().enumerate().flat_map(|(i, p)| p.needles.iter().map(move |n| (memmem::Finder::new(n), i))).collect()
});

/// Whether a text holds any literal every credential shape contains: one without needs no
/// regex scan.
pub fn may_hold_credentials(text: &[u8]) -> bool {
    NEEDLES.iter().any(|(finder, _)| finder.find(text).is_some())
}

/// The patterns whose literals occur in a text.
fn patterns_in(text: &str) -> [bool; PATTERNS.len()] {
    let mut present = [false; PATTERNS.len()];
    for (finder, owner) in NEEDLES.iter() {
        if !present[*owner] && finder.find(text.as_bytes()).is_some() {
            present[*owner] = true;
        }
    }
    present
}

/// Credentials found in a text: (what it looks like, byte range). Placeholders are skipped.
pub fn find_credentials(text: &str) -> Vec<(&'static str, Range<usize>)> {
    let mut found = Vec::new();
    let present = patterns_in(text);
    for p in PATTERNS.iter().zip(present).filter(|(_, here)| *here).map(|(p, _)| p) {
        for m in p.regex().find_iter(text) {
            let header_only = m.as_str().starts_with("-----BEGIN") && !has_key_body(&text[m.end()..]);
            if !is_placeholder(m.as_str()) && !header_only {
                found.push((p.kind, m.range()));
            }
        }
    }
    found.sort_by_key(|(_, r)| r.start);
    found
}

/// Whether a PEM header is followed by a key: base64 text (at least 40 characters, across
/// line breaks, written `\n` escapes and string quotes) within the next few hundred bytes. A
/// header alone (`line.startswith("-----BEGIN RSA PRIVATE KEY-----")`, a parser's test) holds
/// nothing secret.
fn has_key_body(after: &str) -> bool {
    let mut run = 0usize;
    let mut chars = after.chars().take(600).peekable();
    while let Some(c) = chars.next() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' | '=' => {
                run += 1;
                if run >= 40 {
                    return true;
                }
            }
            // A written `\n` in a string literal.
            '\\' if chars.peek() == Some(&'n') => {
                chars.next();
            }
            ' ' | '\t' | '\r' | '\n' | '"' | '\'' => {}
            // A header line of an encrypted key (`Proc-Type: 4,ENCRYPTED`) starts the count again.
            _ => run = 0,
        }
    }
    false
}

/// `hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`, `sk-XXXX...`: too few distinct characters to be real.
fn is_placeholder(s: &str) -> bool {
    if s.starts_with("-----BEGIN") {
        return false;
    }
    let body = s.split_once(['_', '-']).map_or(s, |(_, b)| b);
    let mut distinct: Vec<char> = body.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 8 || body.to_ascii_lowercase().contains("your") || body.contains("XXXX") || body.contains("xxxx")
}

//! What spacecheck knows about secrets, shared by the rules (DF010, RP001) and by the
//! redaction of every output: which variable names hold secrets, and the shapes of well-known
//! credentials.

use std::ops::Range;
use std::sync::LazyLock;

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

struct Pattern {
    kind: &'static str,
    re: Regex,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |kind, re: &str| Pattern { kind, re: Regex::new(re).expect("valid credential regex") };
    vec![
        p("a Hugging Face token", r"\bhf_[A-Za-z]{30,}\b"),
        p("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
        p("an API secret key (sk-...)", r"\bsk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}"),
        p("a Stripe live key", r"\b[sr]k_live_[0-9A-Za-z]{24,}\b"),
        p("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        p("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        p("a Slack token", r"\bxox[baprs]-[0-9A-Za-z\-]{10,}"),
        p("a private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
    ]
});

/// Substrings every credential shape contains: a text with none of them needs no regex scan.
pub const NEEDLES: &[&str] =
    &["hf_", "gh", "github_pat_", "sk-", "k_live_", "AKIA", "ASIA", "AIza", "xox", "PRIVATE KEY"];

/// Credentials found in a text: (what it looks like, byte range). Placeholders are skipped.
pub fn find_credentials(text: &str) -> Vec<(&'static str, Range<usize>)> {
    let mut found = Vec::new();
    if !NEEDLES.iter().any(|n| text.contains(n)) {
        return found;
    }
    for p in PATTERNS.iter() {
        for m in p.re.find_iter(text) {
            if !is_placeholder(m.as_str()) {
                found.push((p.kind, m.range()));
            }
        }
    }
    found.sort_by_key(|(_, r)| r.start);
    found
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

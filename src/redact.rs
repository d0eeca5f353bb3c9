//! Keeping secrets out of every output. Findings about secrets never carry the value; on top of
//! that, source snippets get secret values blanked (so a context line next to another finding
//! cannot show them), and everything spacecheck writes (reports, notes, errors, grade reports)
//! goes through [`mask`]: the values of the secrets in use (the Hub token), and any piece of 8
//! characters or more of them, become `****`; then anything shaped like a credential is shown as
//! `hf_****` plus its last 4 characters at most.

use std::ops::Range;
use std::sync::RwLock;

use crate::secrets::find_credentials;

/// Replaces the given byte ranges with `*`, byte for byte, so every span stays valid.
pub fn blank(text: &str, ranges: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        let (start, end) = (r.start.min(bytes.len()), r.end.min(bytes.len()));
        for b in &mut bytes[start..end] {
            *b = b'*';
        }
    }
    // Whole characters are replaced only when ranges fall on char boundaries; repair otherwise.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The secret values in use in this process (the Hub token), known by value.
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// The shortest piece of a secret that is masked wherever it appears (a message cut in the
/// middle of a token still hides what it shows of it).
const PIECE: usize = 8;

/// Remembers a secret value, so that [`mask`] removes it (and its pieces) from every output.
pub fn remember_secret(value: &str) {
    if value.len() < PIECE {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
    }
}

/// What every output passes through: secret values and their pieces removed, then credential
/// shapes masked. Cut a message before masking it, never after.
pub fn mask(text: &str) -> String {
    mask_encoded(text, Encoding::Plain)
}

/// How a text spells characters it cannot hold as they are. Masking an encoded text replaces
/// whole escapes: `\u001f` cut after `\u001` is no longer JSON (a secret's piece may begin
/// with the `f` of an escape), and `&am` is no longer XML.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    Plain,
    /// JSON text: `\n`, `\"`, `\u001f` inside strings.
    Json,
    /// XML text: `&amp;`, `&#x1f;`.
    Xml,
}

/// [`mask`] for an encoded output (a JSON or XML report): what it replaces grows to whole
/// escapes, so the output stays well-formed.
pub fn mask_encoded(text: &str, encoding: Encoding) -> String {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut text = text.to_string();
    for secret in secrets.iter() {
        text = mask_value(&text, secret, encoding);
    }
    mask_credentials_encoded(&text, encoding)
}

/// The escapes of an encoded text, in order.
fn escapes(text: &str, encoding: Encoding) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let len = match (encoding, bytes[i]) {
            (Encoding::Json, b'\\') if bytes.get(i + 1) == Some(&b'u') => 6,
            (Encoding::Json, b'\\') => 2,
            // An entity ends at its `;` (the longest XML writes is `&#x10ffff;`).
            (Encoding::Xml, b'&') => bytes[i..].iter().take(11).position(|&b| b == b';').map_or(1, |p| p + 1),
            _ => {
                i += 1;
                continue;
            }
        };
        let end = (i + len).min(bytes.len());
        out.push(i..end);
        i = end;
    }
    out
}

/// A range to replace, grown at both ends to the escapes it cuts.
fn widen(range: Range<usize>, escapes: &[Range<usize>]) -> Range<usize> {
    let around = |at: usize| {
        let i = escapes.partition_point(|e| e.end <= at);
        escapes.get(i).filter(|e| e.start <= at)
    };
    let start = around(range.start).map_or(range.start, |e| e.start);
    let end = match range.end.checked_sub(1).and_then(around) {
        Some(e) => e.end.max(range.end),
        None => range.end,
    };
    start..end
}

/// Writes a line to standard error, masked, with control characters escaped (a file name or a
/// Hub message may carry terminal escapes); a closed stderr is ignored, never a panic.
pub fn warn(line: &str) {
    use std::io::Write;
    // One line, whatever it quotes: a newline in a file name must not start a line of its own
    // (`::error …` would be read by GitHub Actions as a workflow command).
    let line = escape_controls(&mask(line)).replace('\n', "\\n");
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Control characters shown as escapes (`\u{1b}`), so text from a Space or the Hub cannot
/// move the cursor, retitle the terminal or hide what follows. Newlines and tabs stay.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_hostile_control) {
        return text.to_string();
    }
    text.chars().map(|c| if is_hostile_control(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

fn is_hostile_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The same, for a source text whose byte offsets must not move (snippets): each control
/// character becomes as many `?` as it has bytes. A `\r` before a `\n` stays.
pub fn neutralize_controls(text: &str) -> String {
    // Most texts hold none: copy them whole instead of char by char.
    if !has_hostile_control(text.as_bytes()) {
        return text.to_string();
    }
    neutralize_each_char(text)
}

fn neutralize_each_char(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let crlf = c == '\r' && chars.peek() == Some(&'\n');
        if is_hostile_control(c) && !crlf {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether UTF-8 bytes hold a character [`neutralize_controls`] replaces: a C0 control but a
/// line break, tab or the `\r` of a `\r\n`, DEL, or a C1 control (U+0080-U+009F, `0xC2 0x80-0x9F`).
fn has_hostile_control(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\n' | b'\t' => false,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        0..=0x1f | 0x7f => true,
        0xc2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)),
        _ => false,
    })
}

/// Replaces every run of `text` of at least [`PIECE`] bytes that also appears in `secret`.
fn mask_value(text: &str, secret: &str, encoding: Encoding) -> String {
    let bytes = text.as_bytes();
    let windows: std::collections::HashSet<&[u8]> = secret.as_bytes().windows(PIECE).collect();
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i + PIECE <= bytes.len() {
        if !windows.contains(&bytes[i..i + PIECE]) {
            i += 1;
            continue;
        }
        // Extend the run while it stays a piece of the secret.
        let mut end = i + PIECE;
        while end < bytes.len() && secret.contains(std::str::from_utf8(&bytes[i..=end]).unwrap_or("\u{0}")) {
            end += 1;
        }
        runs.push(i..end);
        i = end;
    }
    if runs.is_empty() {
        return text.to_string();
    }
    if encoding != Encoding::Plain {
        let escapes = escapes(text, encoding);
        runs = runs.into_iter().map(|run| widen(run, &escapes)).collect();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for run in runs {
        // Secrets are ASCII here (tokens); keep to char boundaries for any other text.
        if !text.is_char_boundary(run.start) || !text.is_char_boundary(run.end) {
            continue;
        }
        // Grown to whole escapes, a run may reach into the one before.
        if mask_rest_of_overlap(&mut out, &mut last, &run) {
            continue;
        }
        out.push_str(&text[last..run.start]);
        out.push_str("****");
        last = run.end;
    }
    out.push_str(&text[last..]);
    out
}

/// For a range (visited in order of start) that begins inside what is masked already, up to
/// `last`: masks what it reaches beyond, and says it was handled.
fn mask_rest_of_overlap(out: &mut String, last: &mut usize, range: &Range<usize>) -> bool {
    if range.start >= *last {
        return false;
    }
    if range.end > *last {
        out.push_str("****");
        *last = range.end;
    }
    true
}

/// Credential-shaped ranges of a text.
pub fn credential_ranges(text: &str) -> Vec<Range<usize>> {
    find_credentials(text).into_iter().map(|(_, r)| r).collect()
}

/// Shapes masked in outputs beyond those RP001 reports: Hub tokens glued to other characters
/// (`auth%3Dhf_…%26`), with digits, OAuth and organization tokens. Looser than RP001's patterns
/// on purpose: a false mask costs nothing, a false finding does.
static OUTPUT_ONLY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"hf_oauth_[A-Za-z0-9_]{20,}|hf_[A-Za-z0-9]{30,}|api_org_[A-Za-z0-9]{20,}")
        .expect("valid credential regex")
});

/// Whether an `hf_` or `api_org_` in the text is followed by 20 or more characters a token
/// holds: the shortest match of [`OUTPUT_ONLY`]. Paths like `…__hf_space` are not, and the
/// regex is then neither compiled nor run.
fn may_hold_output_token(text: &str) -> bool {
    ["hf_", "api_org_"].iter().any(|prefix| {
        text.match_indices(prefix).any(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count() >= 20
        })
    })
}

/// `hf_AbCd...WxYz` → `hf_****WxYz`: the most of a token any output may show.
pub fn mask_credentials(text: &str) -> String {
    mask_credentials_encoded(text, Encoding::Plain)
}

fn mask_credentials_encoded(text: &str, encoding: Encoding) -> String {
    let mut found = find_credentials(text);
    if may_hold_output_token(text) {
        found.extend(OUTPUT_ONLY.find_iter(text).map(|m| ("a token", m.range())));
        // Where two shapes start together, the longer one is masked.
        found.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
    }
    if found.is_empty() {
        return text.to_string();
    }
    let escapes = if encoding == Encoding::Plain { Vec::new() } else { escapes(text, encoding) };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, r) in found {
        let whole = widen(r.clone(), &escapes);
        if mask_rest_of_overlap(&mut out, &mut last, &whole) {
            continue;
        }
        out.push_str(&text[last..whole.start]);
        // A shape that cuts an escape is masked whole: its prefix or tail would cut it too.
        if whole != r {
            out.push_str("****");
            last = whole.end;
            continue;
        }
        let token = &text[r.clone()];
        let prefix_len = token.find(['_', '-']).map_or(0, |i| i + 1).min(token.len());
        let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        out.push_str(&token[..prefix_len]);
        out.push_str("****");
        if token.len() > prefix_len + 12 {
            out.push_str(&tail);
        }
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_of_neutralize_controls_agrees_with_the_slow_one() {
        for text in [
            "plain text\n\tindented",
            "crlf\r\nline",
            "lone\rreturn",
            "bell\u{7}",
            "del\u{7f}",
            "c1\u{85}next",
            "é ü 日本 \u{a0}",
            "\u{9b}31m",
            "",
        ] {
            assert_eq!(neutralize_controls(text), neutralize_each_char(text), "{text:?}");
            assert_eq!(neutralize_controls(text).len(), text.len());
        }
    }

    #[test]
    fn the_output_regex_runs_only_near_a_token_shape() {
        assert!(!may_hold_output_token("target: corpus/x__hf_space, hf_ alone, api_org_short"));
        assert!(may_hold_output_token(&format!("auth%3Dhf_{}%26", "a1".repeat(15))));
        assert!(may_hold_output_token(&format!("api_org_{}", "Q".repeat(20))));
    }

    // Built with concat! so this source file holds no token-shaped text (RP001 scans it).
    const TOKEN: &str = concat!("hf", "_QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi");

    #[test]
    fn masks_to_prefix_and_last_four() {
        let masked = mask_credentials(&format!("token {TOKEN} here"));
        assert_eq!(masked, "token hf_****TyUi here");
    }

    #[test]
    fn secrets_are_masked_by_value_and_by_piece() {
        let token = concat!("api_org_", "Zq3xW9vK2mN8pL4rT6yU1iO0");
        remember_secret(token);
        for shown in [
            format!("auth%3D{token}%26"),
            format!("prefix{token}suffix"),
            format!("cut: {}", &token[3..22]),
            format!("end {}", &token[token.len() - 9..]),
        ] {
            let masked = mask(&shown);
            for piece in token.as_bytes().windows(PIECE) {
                assert!(!masked.contains(std::str::from_utf8(piece).unwrap()), "{masked}");
            }
            assert!(masked.contains("****"), "{masked}");
        }
        assert_eq!(mask("no secret here"), "no secret here");
        assert_eq!(mask("only 7 of it: Zq3xW9v"), "only 7 of it: Zq3xW9v");
    }

    #[test]
    fn masking_an_encoded_output_keeps_it_well_formed() {
        // A piece of a secret may begin inside an escape: the `f` of `\u001f`, the `t` of `\t`.
        let token = concat!("hf_", "MaskEscapesValueXyZ0123456789ab");
        remember_secret(token);
        for raw in ["\u{1f}_MaskEscapes", "\u{1f}", "a\tValueXyZ0\n", "x\"y\\", "\u{1f}hf_MaskEsca"] {
            let json = serde_json::to_string(&serde_json::json!({ "message": raw })).unwrap();
            let masked = mask_encoded(&json, Encoding::Json);
            let back: serde_json::Value = serde_json::from_str(&masked).expect(&masked);
            let shown = back["message"].as_str().unwrap();
            for piece in token.as_bytes().windows(PIECE) {
                let piece = std::str::from_utf8(piece).unwrap();
                assert!(!masked.contains(piece) && !shown.contains(piece), "{masked}");
            }
        }
        // A credential shape right after an escape: `\u001f` then a token of 32 characters.
        let credential = concat!("hf_", "AbCdEfGhIjKlMnOpQrStUvWxYz012345");
        let json = serde_json::to_string(&format!("\u{1f}{credential}")).unwrap();
        let masked = mask_encoded(&json, Encoding::Json);
        assert!(serde_json::from_str::<String>(&masked).is_ok() && !masked.contains("IjKlMnOp"), "{masked}");
        // XML: an entity is replaced whole or not at all.
        let xml = "<m>&amp;_MaskEscapesValue&#x1f;</m>";
        let masked = mask_encoded(xml, Encoding::Xml);
        assert_eq!(masked, "<m>&amp;****&#x1f;</m>");
    }

    #[test]
    fn widening_reaches_whole_escapes_only() {
        let escapes = escapes(r#""a\u001fbc\n""#, Encoding::Json);
        assert_eq!(escapes, vec![2..8, 10..12]);
        assert_eq!(widen(7..10, &escapes), 2..10);
        assert_eq!(widen(8..11, &escapes), 8..12);
        assert_eq!(widen(8..10, &escapes), 8..10);
        assert_eq!(widen(0..0, &escapes), 0..0);
    }

    #[test]
    fn controls_are_escaped_or_neutralized_in_place() {
        assert_eq!(escape_controls("a\u{1b}]0;title\u{7}b\n"), "a\\u{1b}]0;title\\u{7}b\n");
        let source = "FROM x\u{1b}[2J\r\nRUN \u{85}y\n";
        let neutral = neutralize_controls(source);
        assert_eq!(neutral.len(), source.len());
        assert_eq!(neutral, "FROM x?[2J\r\nRUN ??y\n");
    }

    #[test]
    fn other_token_shapes_are_masked_in_outputs() {
        let oauth = concat!("hf_oauth_", "Zq3xW9vK2mN8pL4rT6yU1iO0pQ");
        let glued = concat!("auth%3Dhf_", "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTy", "%26");
        let org = concat!("api_org_", "AbCdEfGhIjKlMnOpQrStUv");
        for text in [oauth, glued, org] {
            let masked = mask(text);
            assert!(
                masked.contains("****") && !masked.contains("OpAsDfGhJk") && !masked.contains("W9vK2mN8"),
                "{masked}"
            );
        }
    }

    #[test]
    fn blank_keeps_offsets() {
        let t = format!("ENV A={TOKEN}\nUSER 1\n");
        let b = blank(&t, &credential_ranges(&t));
        assert_eq!(b.len(), t.len());
        assert!(!b.contains(TOKEN) && b.ends_with("USER 1\n"));
    }
}

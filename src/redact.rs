//! Keeping secrets out of every output. Findings about secrets never carry the value; on top of
//! that, source snippets get secret values blanked (so a context line next to another finding
//! cannot show them), and every rendered report goes through a last pass that masks anything
//! shaped like a credential as `hf_****` plus its last 4 characters.

use std::ops::Range;

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

/// Credential-shaped ranges of a text.
pub fn credential_ranges(text: &str) -> Vec<Range<usize>> {
    find_credentials(text).into_iter().map(|(_, r)| r).collect()
}

/// `hf_AbCd...WxYz` → `hf_****WxYz`: the most of a token any output may show.
pub fn mask_credentials(text: &str) -> String {
    let found = find_credentials(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, r) in found {
        if r.start < last {
            continue;
        }
        out.push_str(&text[last..r.start]);
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

    // Built with concat! so this source file holds no token-shaped text (RP001 scans it).
    const TOKEN: &str = concat!("hf", "_QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi");

    #[test]
    fn masks_to_prefix_and_last_four() {
        let masked = mask_credentials(&format!("token {TOKEN} here"));
        assert_eq!(masked, "token hf_****TyUi here");
    }

    #[test]
    fn blank_keeps_offsets() {
        let t = format!("ENV A={TOKEN}\nUSER 1\n");
        let b = blank(&t, &credential_ranges(&t));
        assert_eq!(b.len(), t.len());
        assert!(!b.contains(TOKEN) && b.ends_with("USER 1\n"));
    }
}

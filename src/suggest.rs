//! "Did you mean" suggestions for misspelt keys (`app-port` → `app_port`).

/// The closest candidate, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normalized = normalize(word);
    let mut best: Option<(&str, usize)> = None;
    for &c in candidates {
        let d =
            if normalize(c) == normalized { 0 } else { distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()) };
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    let (c, d) = best?;
    let limit = (word.chars().count() / 3).max(1);
    (d <= limit).then_some(c)
}

/// The rule code nearest a misspelt one (`DF04` → `DF004`), if it is a plausible typo.
pub fn nearest_code(word: &str) -> Option<&'static str> {
    let codes: Vec<&'static str> = crate::diag::Code::ALL.iter().map(|c| c.as_str()).collect();
    nearest(&word.to_ascii_uppercase(), &codes)
}

/// Case and separator blind: `App-Port`, `appPort` and `app_port` are one key.
fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Levenshtein distance over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["app_port", "sdk", "short_description", "colorFrom"];
        assert_eq!(nearest("app-port", &keys), Some("app_port"));
        assert_eq!(nearest("appport", &keys), Some("app_port"));
        assert_eq!(nearest("colorfrom", &keys), Some("colorFrom"));
        assert_eq!(nearest("short_descripton", &keys), Some("short_description"));
        assert_eq!(nearest("banana", &keys), None);
    }
}

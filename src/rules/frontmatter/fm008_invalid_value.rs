use crate::parse::frontmatter::{Node, Value};
use crate::diag::{Applicability, Fix};
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::FM008,
    name: "invalid-value",
    severity: Severity::Warning,
    summary: "a frontmatter value the Hub rejects or ignores",
    doc: r#"## What it checks
Values the Hub rejects or silently ignores:
- `colorFrom`/`colorTo` outside red, yellow, green, blue, indigo, purple, pink, gray (the Hub
  rejects the push: "Invalid metadata in README.md", huggingface/OpenEnv#1016; an error);
- `short_description` over 60 characters (the Hub rejects the push; an error);
- `suggested_hardware` that is not a hardware flavor;
- `emoji` that is not a single emoji;
- an unquoted `python_version: 3.10` (YAML reads the number 3.1);
- `base_path` not starting with `/`;
- `custom_headers` keys other than the three allowed lowercase names;
- `app_port` below 1025 (reported refused);
- `sdk: streamlit` (legacy).

## Why it matters on a Space
The Hub refuses the push (`"short_description" length must be less than or equal to 60 characters
long`) or drops the value, so the Space does not look or run as intended.

## Example
```yaml
---
sdk: docker
colorFrom: orange
short_description: A very long description that goes on and on past the sixty character limit
---
```

## Fix
Use the documented values: a listed color, a description of at most 60 characters, quoted
versions (`python_version: "3.10"`).

`spacecheck --fix` quotes a numeric `python_version` as written (`3.10` → `"3.10"`) and adds the
missing `/` to `base_path` (both safe: the value meant)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

const COLORS: &[&str] = &["red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"];
const HEADERS: &[&str] =
    &["cross-origin-embedder-policy", "cross-origin-opener-policy", "cross-origin-resource-policy"];
use crate::policy::HARDWARE_FLAVORS as HARDWARE;

/// A value the Hub refuses on push: the Space cannot be updated at all, an error.
fn rejected(out: &mut [Diagnostic]) {
    if let Some(d) = out.last_mut() {
        d.severity = Severity::Error;
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm)) = (ctx.readme(), ctx.frontmatter()) else { return };
    let report = |out: &mut Vec<Diagnostic>, node: &Node, message: String, help: Option<String>| {
        let mut d = Diagnostic::new(&RULE, message).at(readme, node.span.clone());
        if let Some(h) = help {
            d = d.help(h);
        }
        out.push(d);
    };
    for (key, value) in &fm.entries {
        let Some(name) = key.value.as_str() else { continue };
        let text = value.value.to_text();
        match (name, &value.value) {
            // The Hub validates the metadata on push and refuses it: `Invalid metadata in
            // README.md. "colorFrom" must be one of [...]` (huggingface/OpenEnv#1016).
            ("colorFrom" | "colorTo", Value::Str(c)) if !COLORS.contains(&c.as_str()) => {
                report(out, value, format!("`{name}: {c}` is not a Hub color; the Hub rejects the push (\"Invalid metadata in README.md\")"), Some(format!("use one of {}", COLORS.join(", "))));
                rejected(out);
            }
            ("short_description", Value::Str(s)) if s.chars().count() > 60 => {
                report(
                    out,
                    value,
                    format!("`short_description` is {} characters; the Hub rejects a push over 60", s.chars().count()),
                    Some("shorten it to 60 characters or fewer".into()),
                );
                rejected(out);
            }
            ("suggested_hardware", Value::Str(h)) if !HARDWARE.contains(&h.as_str()) => {
                report(out, value, format!("`suggested_hardware: {h}` is not a Hub hardware flavor"), Some("e.g. cpu-basic, cpu-upgrade, t4-small, a10g-small".into()))
            }
            ("emoji", Value::Str(e)) if !is_single_emoji(e) => report(out, value, format!("`emoji: {e}` is not a single emoji"), None),
            // Only when the number is not the version written (`3.10` is read as 3.1): `3.11`
            // reads as 3.11, and a Docker Space does not use the value at all.
            ("python_version", Value::Float(f)) if readme.text[value.span.clone()].trim() != f.to_string() => {
                let help = if text == "3.1" { "write `python_version: \"3.10\"` (quoted)".to_string() } else { format!("quote it: `python_version: \"{f}\"`") };
                report(out, value, format!("`python_version` is the number {f}, not a version string (YAML reads 3.10 as 3.1)"), Some(help));
                // The digits as written, quoted: `3.10` stays 3.10. Safe: the version meant.
                let written = &readme.text[value.span.clone()];
                if let (Some(d), false) = (out.last_mut(), written.contains(['\n', '"', '\''])) {
                    let quoted = format!("\"{}\"", written.trim());
                    d.fix = Some(Fix::replace(Applicability::Safe, format!("quote it: `python_version: {quoted}`"), readme, value.span.clone(), quoted));
                }
            }
            ("base_path", Value::Str(p)) if !p.starts_with('/') => {
                report(out, value, format!("`base_path: {p}` must start with `/`"), Some(format!("write `base_path: /{p}`")));
                let written = &readme.text[value.span.clone()];
                if let (Some(d), true) = (out.last_mut(), written == p.as_str()) {
                    d.fix = Some(Fix::replace(Applicability::Safe, format!("write `base_path: /{p}`"), readme, value.span.clone(), format!("/{p}")));
                }
            }
            ("custom_headers", Value::Map(entries)) => {
                for (hk, _) in entries {
                    let h = hk.value.to_text();
                    if !HEADERS.contains(&h.as_str()) {
                        let mut d = Diagnostic::new(&RULE, format!("custom header `{h}` is not allowed; the Hub only accepts {}", HEADERS.join(", "))).at(readme, hk.span.clone());
                        if HEADERS.contains(&h.to_ascii_lowercase().as_str()) {
                            d = d.help(format!("write it in lowercase: `{}`", h.to_ascii_lowercase()));
                        }
                        out.push(d);
                    }
                }
            }
            ("app_port", Value::Int(p)) if *p < 1025 => report(
                out,
                value,
                format!("`app_port: {p}` is below 1025; the Hub is reported to refuse privileged ports, and UID 1000 cannot bind them"),
                Some("use a port above 1024, e.g. 7860".into()),
            ),
            ("sdk", Value::Str(s)) if s == "streamlit" => report(out, value, "`sdk: streamlit` is a legacy SDK".into(), Some("a Docker Space uses `sdk: docker`".into())),
            _ => {}
        }
    }
}

/// One emoji: one grapheme made of pictographic code points, joiners and modifiers.
fn is_single_emoji(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() {
        return false;
    }
    let mut pictographs = 0;
    let mut after_joiner = false;
    for c in s.chars() {
        let cp = c as u32;
        let is_pictograph = (0x1F000..=0x1FAFF).contains(&cp)
            || (0x2600..=0x27BF).contains(&cp)
            || (0x2B00..=0x2BFF).contains(&cp)
            || (0x2300..=0x23FF).contains(&cp)
            || (0x2190..=0x21FF).contains(&cp)
            || cp == 0x00A9
            || cp == 0x00AE
            || (0x3030..=0x303D).contains(&cp)
            || (0x3297..=0x3299).contains(&cp)
            || (0x2100..=0x214F).contains(&cp)
            || (0x25A0..=0x25FF).contains(&cp)
            || (0x2900..=0x297F).contains(&cp);
        let is_modifier = cp == 0x200D
            || cp == 0xFE0F
            || cp == 0xFE0E
            || (0x1F3FB..=0x1F3FF).contains(&cp)
            || (0xE0020..=0xE007F).contains(&cp)
            || cp == 0x20E3;
        let is_keycap_base = c.is_ascii_digit() || c == '#' || c == '*';
        if cp == 0x200D {
            after_joiner = true;
            continue;
        }
        if is_modifier {
            continue;
        }
        if is_pictograph || (is_keycap_base && s.contains('\u{20E3}')) {
            // A joined part (ZWJ sequence) or the second regional indicator of a flag is part of
            // the same emoji.
            let second_flag_half = (0x1F1E6..=0x1F1FF).contains(&cp) && pictographs == 1;
            if !(after_joiner || second_flag_half) {
                pictographs += 1;
            }
            after_joiner = false;
            continue;
        }
        return false;
    }
    pictographs == 1
}

#[cfg(test)]
mod tests {
    use super::is_single_emoji;
    use crate::rules::testing::lint;

    fn fm8(body: &str) -> usize {
        lint(&[("README.md", &format!("---\nsdk: docker\n{body}---\n"))]).iter().filter(|d| d.code == "FM008").count()
    }

    #[test]
    fn fires_on_each_bad_value() {
        assert_eq!(fm8("colorFrom: orange\n"), 1);
        assert_eq!(fm8(&format!("short_description: {}\n", "x".repeat(61))), 1);
        assert_eq!(fm8("suggested_hardware: gpu-huge\n"), 1);
        assert_eq!(fm8("emoji: ab\n"), 1);
        assert_eq!(fm8("python_version: 3.10\n"), 1);
        assert_eq!(fm8("python_version: 3.11\n"), 0, "3.11 is read as the version written");
        assert_eq!(fm8("base_path: docs\n"), 1);
        assert_eq!(fm8("custom_headers:\n  Cross-Origin-Opener-Policy: same-origin\n"), 1);
        assert_eq!(fm8("app_port: 80\n"), 1);
        assert_eq!(
            lint(&[("README.md", "---\nsdk: streamlit\n---\n")]).iter().filter(|d| d.code == "FM008").count(),
            1
        );
    }

    #[test]
    fn silent_on_good_values() {
        let body = "colorFrom: indigo\ncolorTo: gray\nshort_description: short\nsuggested_hardware: t4-small\nemoji: 🚀\npython_version: \"3.10\"\nbase_path: /docs\ncustom_headers:\n  cross-origin-opener-policy: same-origin\napp_port: 7860\n";
        assert_eq!(fm8(body), 0);
    }

    #[test]
    fn emoji_shapes() {
        for e in ["🚀", "👩‍💻", "❤️", "🇫🇷", "👍🏽", "⚡"] {
            assert!(is_single_emoji(e), "{e}");
        }
        for e in ["🚀🚀", "a", "", "🚀 x"] {
            assert!(!is_single_emoji(e), "{e}");
        }
    }
}

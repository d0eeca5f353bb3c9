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
missing `/` to `base_path` (both safe: the value meant). With `--unsafe-fixes` it writes the Hub
color nearest to a color it does not take (`cyan` → `blue`, `#8b6914` → `yellow`; unsafe: the
color asked for does not exist there). A long `short_description` has no fix: what to cut is
the author's to say."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
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

/// The Hub colors' shades as RGB (their hues are compared): Tailwind's 500 shades (the Hub's cards are drawn with
/// Tailwind's palette). Source: tailwindcss.com/docs/colors (v3 palette, shade 500).
const HUB_RGB: &[(&str, [u8; 3])] = &[
    ("red", [0xef, 0x44, 0x44]),
    ("yellow", [0xea, 0xb3, 0x08]),
    ("green", [0x22, 0xc5, 0x5e]),
    ("blue", [0x3b, 0x82, 0xf6]),
    ("indigo", [0x63, 0x66, 0xf1]),
    ("purple", [0xa8, 0x55, 0xf7]),
    ("pink", [0xec, 0x48, 0x99]),
    ("gray", [0x6b, 0x72, 0x80]),
];

/// Color names people write that the Hub refuses: Tailwind's other families (shade 500,
/// tailwindcss.com/docs/colors) and CSS named colors (www.w3.org/TR/css-color-4/#named-colors).
const OTHER_RGB: &[(&str, [u8; 3])] = &[
    ("orange", [0xf9, 0x73, 0x16]),
    ("amber", [0xf5, 0x9e, 0x0b]),
    ("lime", [0x84, 0xcc, 0x16]),
    ("emerald", [0x10, 0xb9, 0x81]),
    ("teal", [0x14, 0xb8, 0xa6]),
    ("cyan", [0x06, 0xb6, 0xd4]),
    ("sky", [0x0e, 0xa5, 0xe9]),
    ("violet", [0x8b, 0x5c, 0xf6]),
    ("fuchsia", [0xd9, 0x46, 0xef]),
    ("rose", [0xf4, 0x3f, 0x5e]),
    ("slate", [0x64, 0x74, 0x8b]),
    ("zinc", [0x71, 0x71, 0x7a]),
    ("neutral", [0x73, 0x73, 0x73]),
    ("stone", [0x78, 0x71, 0x6c]),
    ("grey", [0x80, 0x80, 0x80]),
    ("black", [0x00, 0x00, 0x00]),
    ("white", [0xff, 0xff, 0xff]),
    ("silver", [0xc0, 0xc0, 0xc0]),
    ("brown", [0xa5, 0x2a, 0x2a]),
    ("gold", [0xff, 0xd7, 0x00]),
    ("magenta", [0xff, 0x00, 0xff]),
    ("aqua", [0x00, 0xff, 0xff]),
    ("turquoise", [0x40, 0xe0, 0xd0]),
    ("navy", [0x00, 0x00, 0x80]),
    ("maroon", [0x80, 0x00, 0x00]),
    ("olive", [0x80, 0x80, 0x00]),
    ("crimson", [0xdc, 0x14, 0x3c]),
    ("lavender", [0xe6, 0xe6, 0xfa]),
];

/// The Hub color nearest in hue to a color name or a `#rgb`/`#rrggbb` value; `None` for a
/// value that names no color.
fn nearest_color(value: &str) -> Option<&'static str> {
    let lower = value.trim().to_ascii_lowercase();
    if let Some((hub, _)) = HUB_RGB.iter().find(|(n, _)| lower == *n || lower.strip_suffix('s') == Some(n)) {
        return Some(hub); // `Blue`, `reds`
    }
    let rgb = match lower.strip_prefix('#') {
        Some(hex) if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            [byte(0)?, byte(2)?, byte(4)?]
        }
        Some(hex) if hex.len() == 3 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let nibble = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok().map(|n| n * 17);
            [nibble(0)?, nibble(1)?, nibble(2)?]
        }
        Some(_) => return None,
        None => OTHER_RGB.iter().find(|(n, _)| *n == lower)?.1,
    };
    // By hue, as people name colors: a washed-out or very dark one is gray.
    let (hue, saturation, value) = hsv(rgb);
    if saturation < 0.15 || value < 0.15 {
        return Some("gray");
    }
    let apart = |h: f64| {
        let d = (h - hue).abs();
        d.min(360.0 - d)
    };
    HUB_RGB
        .iter()
        .filter(|(n, _)| *n != "gray")
        .min_by(|(_, a), (_, b)| apart(hsv(*a).0).total_cmp(&apart(hsv(*b).0)))
        .map(|(n, _)| *n)
}

/// Hue (degrees), saturation and value of an RGB color.
fn hsv([r, g, b]: [u8; 3]) -> (f64, f64, f64) {
    let (r, g, b) = (f64::from(r) / 255.0, f64::from(g) / 255.0, f64::from(b) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let hue = if delta == 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    (hue, if max == 0.0 { 0.0 } else { delta / max }, max)
}

/// Whether FM008 takes `value` for key `name` (the values it checks by a list or a length): the
/// test of its own findings, and of a fix that would give a value a key (FM007's rename).
pub(super) fn accepts(name: &str, value: &Value) -> bool {
    match (name, value) {
        ("colorFrom" | "colorTo", Value::Str(c)) => COLORS.contains(&c.as_str()),
        ("short_description", Value::Str(s)) => s.chars().count() <= 60,
        ("suggested_hardware", Value::Str(h)) => HARDWARE.contains(&h.as_str()),
        ("emoji", Value::Str(e)) => is_single_emoji(e),
        _ => true,
    }
}

/// `colorFrom: cyan`: the finding, with the nearest Hub color as an unsafe fix (the color asked
/// for does not exist on the Hub; the nearest is a guess at what the author would pick).
fn color_finding(readme: &crate::source::SourceFile, name: &str, value: &Node, c: &str) -> Diagnostic {
    let near = nearest_color(c);
    let help = match near {
        Some(n) => format!("use one of {} (`{n}` is the nearest)", COLORS.join(", ")),
        None => format!("use one of {}", COLORS.join(", ")),
    };
    let message = format!("`{name}: {c}` is not a Hub color; the Hub rejects the push (\"Invalid metadata in README.md\")");
    let d = Diagnostic::new(&RULE, message).at(readme, value.span.clone()).help(help);
    let written = readme.text.get(value.span.clone()).is_some_and(|w| [c.to_string(), format!("\"{c}\""), format!("'{c}'")].contains(&w.to_string()));
    let fix = near.filter(|_| written).map(|n| {
        Fix::replace(Applicability::Unsafe, format!("write `{name}: {n}`"), readme, value.span.clone(), n)
    });
    d.maybe_fix(fix)
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
            ("colorFrom" | "colorTo", Value::Str(c)) if !accepts(name, &value.value) => {
                out.push(color_finding(readme, name, value, c));
                rejected(out);
            }
            ("short_description", Value::Str(s)) if !accepts(name, &value.value) => {
                report(
                    out,
                    value,
                    format!("`short_description` is {} characters; the Hub rejects a push over 60", s.chars().count()),
                    Some("shorten it to 60 characters or fewer".into()),
                );
                rejected(out);
            }
            ("suggested_hardware", Value::Str(h)) if !accepts(name, &value.value) => {
                report(out, value, format!("`suggested_hardware: {h}` is not a Hub hardware flavor"), Some("e.g. cpu-basic, cpu-upgrade, t4-small, a10g-small".into()))
            }
            ("emoji", Value::Str(e)) if !accepts(name, &value.value) => report(out, value, format!("`emoji: {e}` is not a single emoji"), None),
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

    /// The nearest Hub color to names and hex values the corpus's Spaces wrote.
    #[test]
    fn nearest_hub_colors() {
        for (asked, near) in [("cyan", "blue"), ("amber", "yellow"), ("#8b6914", "yellow"), ("#6b4f10", "yellow"), ("Blue", "blue"), ("teal", "green"), ("#f0f", "purple"), ("white", "gray")] {
            assert_eq!(super::nearest_color(asked), Some(near), "{asked}");
        }
        assert_eq!(super::nearest_color("sparkly"), None);
        assert_eq!(super::nearest_color("#12"), None);
    }
}


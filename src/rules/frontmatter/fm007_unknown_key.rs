use crate::diag::{Applicability, Fix};
use super::KNOWN_KEYS;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::suggest;

pub static RULE: Rule = Rule {
    code: Code::FM007,
    name: "unknown-key",
    severity: Severity::Warning,
    summary: "a frontmatter key outside the Spaces config reference",
    doc: r#"## What it checks
That every top-level frontmatter key is one the Spaces configuration reference knows, and suggests
the nearest known key for a typo.

## Why it matters on a Space
The Hub silently ignores unknown keys: `app-port: 7255` leaves the port at 7860, and the Space
never answers.

## Example
```yaml
---
sdk: docker
app-port: 7255
---
```

## Fix
Use the documented spelling: `app_port: 7255`. `spacecheck --fix --unsafe-fixes` renames a key to
the one suggested (a near spelling, or `hardware` → `suggested_hardware`, `port` → `app_port`),
never onto a key the block already has (unsafe: the suggestion is a guess)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Keys people write for a Spaces key too far from it for a spelling suggestion.
const ALIASES: &[(&str, &str)] = &[("hardware", "suggested_hardware"), ("port", "app_port"), ("description_short", "short_description")];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm)) = (ctx.readme(), ctx.frontmatter()) else { return };
    for (key, value) in &fm.entries {
        let name = key.value.to_text();
        if KNOWN_KEYS.contains(&name.as_str()) {
            continue;
        }
        let mut d = Diagnostic::new(&RULE, format!("`{name}` is not a Spaces configuration key; the Hub ignores it"))
            .at(readme, key.span.clone());
        let meant = ALIASES.iter().find(|(a, _)| *a == name).map(|(_, k)| *k).or_else(|| suggest::nearest(&name, KNOWN_KEYS));
        if let Some(s) = meant {
            d = d.help(format!("did you mean `{s}`?")).label(format!("did you mean `{s}`?"));
            // Unsafe: the key the Hub reads, renamed from a guess; never onto a key the block
            // already has (YAML refuses a key twice).
            let written = readme.text.get(key.span.clone()) == Some(name.as_str());
            let taken = fm.entries.iter().any(|(k, _)| k.value.as_str() == Some(s));
            // A value the renamed key refuses would only move the finding (FM008's).
            if written && !taken && super::fm008_invalid_value::accepts(s, &value.value) {
                d = d.fix(Fix::replace(Applicability::Unsafe, format!("rename it `{s}`"), readme, key.span.clone(), s));
            }
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    #[test]
    fn fires_with_suggestion() {
        let d = lint(&[("README.md", "---\nsdk: docker\napp-port: 7255\n---\n")]);
        let f = d.iter().find(|d| d.code == "FM007").unwrap();
        assert_eq!(f.help.as_deref(), Some("did you mean `app_port`?"));
        assert_eq!(f.position.as_ref().unwrap().line, 3);
    }

    #[test]
    fn silent_on_known_keys() {
        let d = lint(&[("README.md", "---\ntitle: a\nemoji: 🚀\ncolorFrom: red\ncolorTo: blue\nsdk: docker\napp_port: 7860\npinned: false\nlicense: mit\nshort_description: x\n---\n")]);
        assert!(!d.iter().any(|d| d.code == "FM007"));
    }

    /// Keys the Hub uses beyond its reference page: chat-ui's `failure_strategy: rollback` (the
    /// corpus's datastax__chat-ui), the Hub's own `duplicated_from`.
    #[test]
    fn silent_on_keys_the_hub_uses_beyond_its_reference() {
        let d = lint(&[("README.md", "---\nsdk: docker\nfailure_strategy: rollback\nduplicated_from: huggingface/chat-ui\n---\n")]);
        assert!(!d.iter().any(|d| d.code == "FM007"), "{d:?}");
    }
}

use crate::parse::dockerfile::Args;
use crate::parse::image_ref::ImageRef;
use crate::parse::shell::expand_shell_word;
use crate::rules::buildkit::{dockerfile, finding, meta_args};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK016,
    name: "invalid-default-arg-in-from",
    severity: Severity::Warning,
    summary: "a FROM that is no valid image with the ARG defaults (BuildKit InvalidDefaultArgInFrom)",
    doc: r#"## What it checks
BuildKit's `InvalidDefaultArgInFrom`: the `FROM` image, expanded with the defaults of the ARGs
before the first FROM (as if no build argument were given), is empty or not a valid image
reference (`busybox:` from `FROM busybox:$VERSION` with `ARG VERSION`).

## Why it matters on a Space
The Hub passes no build arguments but the Space's variables: unless the Space has a variable of
that name, the FROM is what the defaults make of it, and the build fails.

## Example
```dockerfile
ARG VERSION
FROM python:$VERSION
```

## Fix
Give the ARG a default (`ARG VERSION=3.11`), or set a Space variable of that name."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("InvalidDefaultArgInFrom")],
    fixable: crate::rules::Fixable::No("the default that names a valid image is the author's to give"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the Hub passes only Space variables as build args: give the ARG a default, or add a Space variable of that name";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((_, df)), Some(model)) = (dockerfile(ctx), &ctx.model) else { return };
    let meta = meta_args(model);
    let mut stages: Vec<String> = Vec::new();
    for ins in &df.instructions {
        let Args::From { image, alias } = &ins.args else { continue };
        if image.text.contains('$') {
            // Undeclared or value-less ARGs are empty, as BuildKit expands them without build args.
            let lookup = |name: &str| {
                Some(meta.iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.clone()).unwrap_or_default())
            };
            let expanded = expand_shell_word(&image.text, &lookup);
            let is_stage = stages.iter().any(|s| s.eq_ignore_ascii_case(&expanded));
            let valid = is_stage || expanded.eq_ignore_ascii_case("scratch") || ImageRef::parse(&expanded).is_ok();
            if expanded.is_empty() || !valid {
                let message = format!("Default value for ARG {} results in empty or invalid base image name", image.text);
                out.extend(finding(ctx, &RULE, ins.span.start, image.span.clone(), message, HELP));
            }
        }
        stages.extend(alias.as_ref().map(|a| a.text.clone()));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    fn msg(base: &str) -> Vec<(usize, String)> {
        vec![(3, format!("Default value for ARG {base} results in empty or invalid base image name"))]
    }

    /// BuildKit's testInvalidDefaultArgInFrom.
    #[test]
    fn buildkit_cases() {
        assert_eq!(buildkit_case("\nARG VERSION\nFROM busybox:$VERSION\n", "BK016"), msg("busybox:$VERSION"));
        assert_eq!(buildkit_case("\nARG IMAGE\nFROM $IMAGE\n", "BK016"), msg("$IMAGE"));
        assert_eq!(buildkit_case("\nARG SFX=\"box:\"\nFROM busy${SFX}\n", "BK016"), msg("busy${SFX}"));
        assert!(buildkit_case("\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n", "BK016").is_empty());
        assert!(buildkit_case("\nARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}\n", "BK016").is_empty());
        assert!(buildkit_case("\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t", "BK016").is_empty());
    }
}

use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::FM006,
    name: "description-missing",
    severity: Severity::Error,
    summary: "the policy's `description_contains` is not in `short_description`",
    doc: r#"## What it checks
With a policy that sets `space.description_contains`: that the frontmatter's `short_description`
contains that text. When it is only in `title`, the rule passes with a note.

## Why it matters on a Space
Assignments and catalogues identify a Space by a token in its description, which the Hub shows
on the Space's card. `short_description` is limited to 60 characters.

## Example
```yaml
---
sdk: docker
short_description: My API
---
```
with a policy `description_contains: deployment-ready-ga2-f0af22`.

## Fix
`short_description: deployment-ready-ga2-f0af22 API`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(readme), Some(fm), Some(token)) =
        (ctx.readme(), ctx.frontmatter(), ctx.policy.space.description_contains.as_deref())
    else {
        return;
    };
    let desc = fm.get("short_description");
    if desc.is_some_and(|(_, v)| v.value.to_text().contains(token)) {
        return;
    }
    if let Some((_, title)) = fm.get("title").filter(|(_, v)| v.value.to_text().contains(token)) {
        out.push(
            Diagnostic::new(&RULE, format!("`{token}` is in `title` but not in `short_description`; accepted, but graders reading the description will not find it"))
                .at(readme, title.span.clone())
                .severity(Severity::Info),
        );
        return;
    }
    let (span, message) = match desc {
        Some((_, v)) => (v.span.clone(), format!("`short_description` does not contain `{token}`")),
        None => (
            fm.yaml.start..fm.yaml.start,
            format!("the frontmatter has no `short_description`; it must contain `{token}`"),
        ),
    };
    out.push(
        Diagnostic::new(&RULE, message)
            .at(readme, span)
            .help(format!("put `{token}` in `short_description` (at most 60 characters)")),
    );
}

#[cfg(test)]
mod tests {
    use crate::policy;
    use crate::rules::{testing::lint_with, Severity};

    fn run(readme: &str) -> Vec<crate::rules::Diagnostic> {
        let p = policy::parse("space:\n  description_contains: ready-x\n", "p").unwrap();
        lint_with(&[("README.md", readme)], &p).into_iter().filter(|d| d.code == "FM006").collect()
    }

    #[test]
    fn fires_when_absent() {
        assert_eq!(run("---\nsdk: docker\nshort_description: hello\n---\n").len(), 1);
        assert_eq!(run("---\nsdk: docker\n---\n").len(), 1);
    }

    #[test]
    fn silent_when_present_and_note_for_title() {
        assert!(run("---\nsdk: docker\nshort_description: api ready-x\n---\n").is_empty());
        let d = run("---\nsdk: docker\ntitle: ready-x\n---\n");
        assert_eq!(d[0].severity, Severity::Info);
    }
}

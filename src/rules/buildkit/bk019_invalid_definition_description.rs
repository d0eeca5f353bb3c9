use crate::diag::{Applicability, Fix};
use crate::parse::dockerfile::{Args, Kind};
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK019,
    name: "invalid-definition-description",
    severity: Severity::Warning,
    summary: "a comment above ARG/FROM AS not in `# name description` form (BuildKit InvalidDefinitionDescription, experimental)",
    doc: r#"## What it checks
BuildKit's experimental `InvalidDefinitionDescription`: the comment right above an `ARG` or a
named `FROM` is read as its description and must start with the name (`# version the version to
build`). Off unless the Dockerfile asks for it (`# check=experimental=InvalidDefinitionDescription`)
or it is selected.

## Why it matters on a Space
Nothing breaks; tools that list build arguments and stages show the wrong description.

## Example
```dockerfile
# the Python to use
ARG PY=3.11
```

## Fix
`# PY the Python to use`, or a blank line between the comment and the instruction. `spacecheck
--fix` puts the blank line (safe: the comment stays, and nothing built changes)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::BuildKit("InvalidDefinitionDescription")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "start the comment with the name (`# NAME description`), or put a blank line between";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((file, df)) = dockerfile(ctx) else { return };
    for ins in &df.instructions {
        // The names the comment may start with; the one the message shows.
        let (names, name): (Vec<String>, String) = match (&ins.kind, &ins.args) {
            (Kind::Arg, Args::KeyValues(pairs)) if pairs.len() == 1 => (vec![pairs[0].key.text.clone()], pairs[0].key.text.clone()),
            (Kind::Arg, Args::KeyValues(pairs)) => (pairs.iter().map(|p| p.key.text.clone()).collect(), "<arg_key>".into()),
            (Kind::From, Args::From { alias: Some(alias), .. }) => (vec![alias.text.to_lowercase()], alias.text.to_lowercase()),
            _ => continue,
        };
        let line = file.line_col(ins.span.start).0;
        if line < 2 {
            continue;
        }
        let above = file.text[file.line_span(line - 1)].trim();
        let Some(comment) = above.strip_prefix('#').map(str::trim) else { continue };
        // A directive is not a description; a bare `#` separates.
        if comment.is_empty() || comment.starts_with("check=") || comment.starts_with("syntax=") || comment.starts_with("escape=") {
            continue;
        }
        if !comment.split_whitespace().next().is_some_and(|first| names.iter().any(|n| n == first)) {
            let message = format!("Comment for {} should follow the format: `# {name} <description>`", ins.kind.keyword());
            // A blank line between: the comment stays a comment of the lines above, and is no
            // longer read as a description. Safe: nothing built changes.
            let at = file.line_span(line).start;
            let fix = Some(Fix::replace(Applicability::Safe, "put a blank line after the comment", file, at..at, file.newline()));
            out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testDefinitionDescription.
    #[test]
    fn buildkit_cases() {
        let good = "# check=skip=all;experimental=InvalidDefinitionDescription\n# foo this is the foo\nARG foo=bar\n\n# base this is the base image\nFROM scratch AS base\n\n# version this is the version number\nARG version=latest\n\n# baz this is the baz\nARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n# comment for something other than ARG or FROM\nCOPY Dockerfile .\n";
        assert!(buildkit_case(good, "BK019").is_empty());
        let bad = "# check=experimental=InvalidDefinitionDescription\n# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\nFROM scratch AS base\n# definitely a bad comment\nARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n";
        let msg = |i: &str, n: &str| format!("Comment for {i} should follow the format: `# {n} <description>`");
        assert_eq!(
            buildkit_case(bad, "BK019"),
            vec![(3, msg("ARG", "foo")), (5, msg("FROM", "base")), (7, msg("ARG", "version")), (9, msg("ARG", "<arg_key>"))]
        );
    }
}

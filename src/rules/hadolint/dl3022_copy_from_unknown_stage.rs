use crate::parse::dockerfile::Kind;
use crate::rules::hadolint::{copy_from, stage_names, steps};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3022,
    name: "copy-from-unknown-stage",
    severity: Severity::Warning,
    summary: "`COPY --from` names no stage defined before it (hadolint DL3022)",
    doc: r#"## What it checks
`COPY --from=NAME` where no earlier `FROM … AS NAME` defines that stage. Like hadolint's
DL3022, with two differences so that every finding is true: a value that is an image reference
(`ghcr.io/astral-sh/uv:0.5`, `nginx:1.27`, anything with `/`, `:` or `@`) is an image BuildKit
pulls, not a stage, and is not reported; a stage index (`--from=0`) counts when that stage comes
before.

## Why it matters on a Space
A name that is no stage is read by BuildKit as an image on Docker Hub: a typo in a stage name
(`--from=bulder`) makes the Hub build fail pulling `docker.io/library/bulder`. A stage defined
*after* the COPY is found by BuildKit, but not by the classic builder or by readers.

## Example
```dockerfile
FROM node:20 AS frontend
RUN npm ci && npm run build
FROM python:3.11-slim
COPY --from=front /app/dist ./static
```

## Fix
Use the name the stage was given (`--from=frontend`), and define stages before they are copied
from."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3022")],
    fixable: crate::rules::Fixable::No("which stage or image was meant is the author's to say"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let names = stage_names(df);
    for step in steps(df).into_iter().filter(|s| s.ins.kind == Kind::Copy) {
        let Some((flag, from)) = copy_from(&step) else { continue };
        let is_image = from.contains(['/', ':', '@']);
        let earlier = |s: usize| s < step.stage || (step.onbuild && s <= step.stage);
        let known = match from.parse::<usize>() {
            Ok(index) => earlier(index),
            Err(_) => names.iter().enumerate().any(|(s, n)| n.as_deref() == Some(from.as_str()) && earlier(s)),
        };
        if known || is_image || from.contains('$') || from == "context" {
            continue;
        }
        let later = names.iter().position(|n| n.as_deref() == Some(from.as_str()));
        let message = match later {
            Some(s) if s > step.stage => format!(
                "`COPY --from={from}` names a stage defined after this line: BuildKit finds it, but the classic \
                 builder does not and readers expect stages in build order"
            ),
            _ => format!(
                "`COPY --from={from}`: no stage is named `{from}`, so BuildKit pulls an image `{from}` from Docker \
                 Hub, and the Hub build fails unless one exists"
            ),
        };
        let help = match later {
            Some(_) => "move that stage above this COPY".to_string(),
            None => {
                let defined: Vec<&str> = names[..step.stage.min(names.len())].iter().flatten().map(String::as_str).collect();
                let prefix_of = defined.iter().copied().find(|n| n.starts_with(from.as_str()));
                match crate::suggest::nearest(&from, &defined).or(prefix_of) {
                    Some(name) => format!("did you mean `--from={name}`? Otherwise name a stage `{from}` (`FROM … AS {from}`) above"),
                    None => format!("define the stage first (`FROM … AS {from}`), or name the image with its tag"),
                }
            }
        };
        out.push(Diagnostic::new(&RULE, message).at(file, flag.span.clone()).help(help));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3022Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(hadolint_case("COPY --from=foo bar .\n", "DL3022").len(), 1);
        let defined_after = "FROM scratch\nCOPY --from=build foo .\nFROM node as build\nRUN baz\n";
        assert_eq!(hadolint_case(defined_after, "DL3022").len(), 1);
        let defined_before = "FROM scratch as build\nRUN foo\nFROM node\nCOPY --from=build foo .\nRUN baz\n";
        assert!(hadolint_case(defined_before, "DL3022").is_empty());
    }

    /// Where hadolint's letter would be wrong: images and stage indexes.
    #[test]
    fn images_and_indexes_are_not_stages() {
        assert!(hadolint_case("FROM python:3.11\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/\n", "DL3022").is_empty());
        assert!(hadolint_case("FROM python:3.11\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n", "DL3022").is_empty());
        assert!(hadolint_case("FROM node AS a\nFROM python:3.11\nCOPY --from=0 /x /x\n", "DL3022").is_empty());
        assert_eq!(hadolint_case("FROM python:3.11\nCOPY --from=1 /x /x\n", "DL3022").len(), 1);
        assert!(hadolint_case("FROM node AS Build\nFROM python:3.11\nCOPY --from=build /x /x\n", "DL3022").is_empty());
    }
}

use crate::parse::dockerfile::{Args, CopySource, Kind};
use crate::parse::dockerignore::DockerIgnore;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK018,
    name: "copy-ignored-file",
    severity: Severity::Warning,
    summary: "COPY/ADD of a path `.dockerignore` excludes (BuildKit CopyIgnoredFile)",
    doc: r#"## What it checks
BuildKit's `CopyIgnoredFile`: a `COPY` or `ADD` from the build context of a path that
`.dockerignore` excludes, unless an `!` exception brings back something below it. On by default
since the Dockerfile frontend 1.21.0 promoted it out of experimental (moby/buildkit 4187c344c,
January 2026); `# check=skip=CopyIgnoredFile` turns it off. RP002 reports the same copy as the
build failure it is.

## Why it matters on a Space
The file is not sent to the builder: the Hub build fails with "not found", or, for a folder, the
image lacks the files.

## Example
```dockerfile
# .dockerignore: *.csv
COPY data.csv /app/
```

## Fix
Remove the pattern from `.dockerignore`, add an exception (`!data.csv`), or stop copying it."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("CopyIgnoredFile")],
    fixable: crate::rules::Fixable::No("either `.dockerignore` or the COPY is wrong, and which is the author's call"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the file is not sent to the builder, so the Hub build fails: allow it in .dockerignore or stop copying it";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((_, df)), Some(ignore)) = (dockerfile(ctx), ctx.space.dockerignore.as_ref()) else { return };
    let ignore = DockerIgnore::parse(&ignore.text);
    for ins in df.instructions.iter().filter(|i| matches!(i.kind, Kind::Copy | Kind::Add) && i.flag("from").is_none()) {
        let Args::Copy { sources, .. } = &ins.args else { continue };
        let verb = if ins.kind == Kind::Add { "Add" } else { "Copy" };
        for source in sources {
            let CopySource::Path(word) = source else { continue };
            let path = crate::parse::shell::unquote(&word.text);
            if path.contains("://") || path.contains('$') {
                continue;
            }
            let root = path.trim_start_matches("./").trim_end_matches('/');
            let excluded = if root.is_empty() || root == "." {
                ignore.excludes_everything() && !ignore.reincludes_under("")
            } else {
                ignore.excludes(root) && !ignore.reincludes_under(root)
            };
            if excluded {
                let message = format!("Attempting to {verb} file {path:?} that is excluded by .dockerignore");
                out.extend(finding(ctx, &RULE, ins.span.start, word.span.clone(), message, HELP));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case_with;

    fn case(dockerignore: &str, dockerfile: &str) -> Vec<(usize, String)> {
        buildkit_case_with(&[(".dockerignore", dockerignore), ("Dockerfile", dockerfile)], "BK018")
    }

    /// BuildKit's testCopyIgnoredFiles, testCopyIgnoredFileContextRoot and
    /// testCopyIgnoredFileNegation (the Dockerfile turns the experimental check on).
    #[test]
    fn buildkit_cases() {
        let on = "# check=experimental=CopyIgnoredFile\n";
        let msg = |verb: &str, file: &str| format!("Attempting to {verb} file \"{file}\" that is excluded by .dockerignore");
        let df = format!("{on}FROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n");
        assert_eq!(case("\nDockerfile\n", &df), vec![(3, msg("Copy", "Dockerfile")), (4, msg("Add", "Dockerfile"))]);
        let skipped = "# check=skip=CopyIgnoredFile;experimental=CopyIgnoredFile\n\nFROM scratch\nCOPY Dockerfile .\n";
        assert!(case("\nDockerfile\n", skipped).is_empty());
        let from_stage = format!("{on}FROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\nFROM base\nCOPY --from=base /foobar /Dockerfile\n");
        assert!(case("\nfoobar\n", &from_stage).is_empty());
        assert!(case("\n**\n!Dockerfile\n", &format!("{on}FROM scratch\nCOPY ./Dockerfile .\n")).is_empty());
        assert!(case("\n**\n!Dockerfile\n", &format!("{on}FROM scratch\nCOPY . .\n\t")).is_empty());
        assert!(case("\n.*\n", &format!("{on}FROM scratch\nCOPY . .\n")).is_empty());
        assert_eq!(case("\n*\n", &format!("{on}FROM scratch\nCOPY . .\n")), vec![(3, msg("Copy", "."))]);
        for ignore in ["sub\n!sub/b.txt\n", "sub\n!other.txt\n", "sub\n!nope/missing.txt\n", "!sub/b.txt\nsub\n"] {
            let found = case(ignore, &format!("{on}FROM scratch\nCOPY sub/a.txt /\n"));
            assert_eq!(found, vec![(3, msg("Copy", "sub/a.txt"))], "{ignore}");
        }
        for copy in ["COPY sub /sub", "COPY . /ctx", "COPY sub/a.txt /", "COPY sub/*.txt /"] {
            assert!(case("sub\n!sub/a.txt\n", &format!("{on}FROM scratch\n{copy}\n")).is_empty(), "{copy}");
        }
        assert!(case("su.b\n!su\\.b/keep.txt\n", &format!("{on}FROM scratch\nCOPY su.b /sub\n")).is_empty());
    }
}

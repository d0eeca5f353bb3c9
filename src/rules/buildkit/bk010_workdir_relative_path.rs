use crate::rules::edits;
use crate::parse::dockerfile::{Args, Kind};
use crate::parse::shell::unquote;
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK010,
    name: "workdir-relative-path",
    severity: Severity::Warning,
    summary: "a relative WORKDIR with no absolute one before it (BuildKit WorkdirRelativePath)",
    doc: r#"## What it checks
BuildKit's `WorkdirRelativePath`: `WORKDIR app` (relative) in a stage where no absolute
`WORKDIR` was set before, in it or in the stages it is built on. A path that starts with a
variable is not judged.

## Why it matters on a Space
The folder lands under whatever working directory the base image has (`/` for `python`,
`/home/node/app` elsewhere): a base image update moves the app, and the start command no longer
finds its files.

## Example
```dockerfile
FROM python:3.11-slim
WORKDIR app
```

## Fix
An absolute path: `WORKDIR /home/user/app`. `spacecheck --fix` writes the path the relative one
means today, the base image's WORKDIR joined with it, when the base-image catalogue knows the image
(safe: the same folder)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("WorkdirRelativePath")],
    fixable: crate::rules::Fixable::Yes,
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the folder depends on the base image's working directory: use an absolute WORKDIR";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((file, df)), Some(model)) = (dockerfile(ctx), &ctx.model) else { return };
    let mut absolute_set = vec![false; model.stages.len()];
    for (s, stage) in model.stages.iter().enumerate() {
        let mut set = stage.parent.is_some_and(|p| absolute_set.get(p).copied().unwrap_or(false));
        // Only the first relative WORKDIR is fixed: the next ones are relative to it, and once
        // it is absolute they are no longer reported.
        let mut relative_before = false;
        for ins in &df.instructions[stage.body.clone()] {
            let (Kind::Workdir, Args::Text(dir)) = (ins.kind, &ins.args) else { continue };
            let path = unquote(&dir.text);
            if path.starts_with('/') || path.starts_with('$') {
                set |= path.starts_with('/');
                continue;
            }
            if !set {
                let message = format!("Relative workdir {path:?} can have unexpected results if the base image changes");
                // The folder it means today, for the first relative one of the stage.
                let first = !std::mem::replace(&mut relative_before, true);
                let fix = first.then(|| edits::absolute_in_base(file, stage, dir, &path)).flatten();
                out.extend(finding(ctx, &RULE, ins.span.start, dir.span.clone(), message, HELP).map(|d| d.maybe_fix(fix)));
            }
        }
        absolute_set[s] = set;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testWorkdirRelativePath.
    #[test]
    fn buildkit_cases() {
        assert_eq!(
            buildkit_case("\nFROM scratch\nWORKDIR app/\n", "BK010"),
            vec![(3, "Relative workdir \"app/\" can have unexpected results if the base image changes".to_string())]
        );
        assert!(buildkit_case("\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n", "BK010").is_empty());
        assert!(buildkit_case("\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n", "BK010").is_empty());
    }

    /// The base image's WORKDIR joined with the path, for the first relative WORKDIR only (the
    /// next is relative to it); an image the catalogue does not know gets no fix.
    #[test]
    fn the_fix_writes_the_folder_meant_today() {
        let (text, after) = crate::rules::testing::fixed("FROM python:3.11\nWORKDIR app\nWORKDIR src\n", "BK010");
        assert_eq!(text, "FROM python:3.11\nWORKDIR /app\nWORKDIR src\n");
        assert!(after.is_empty(), "{after:?}");
        let unknown = "FROM example.org/private:1\nWORKDIR app\n";
        assert_eq!(crate::rules::testing::fixed(unknown, "BK010").0, unknown);
    }
}

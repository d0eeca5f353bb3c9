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
An absolute path: `WORKDIR /home/user/app`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("WorkdirRelativePath")],
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the folder depends on the base image's working directory: use an absolute WORKDIR";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((_, df)), Some(model)) = (dockerfile(ctx), &ctx.model) else { return };
    let mut absolute_set = vec![false; model.stages.len()];
    for (s, stage) in model.stages.iter().enumerate() {
        let mut set = stage.parent.is_some_and(|p| absolute_set.get(p).copied().unwrap_or(false));
        for ins in &df.instructions[stage.body.clone()] {
            let (Kind::Workdir, Args::Text(dir)) = (ins.kind, &ins.args) else { continue };
            let path = unquote(&dir.text);
            if path.starts_with('/') || path.starts_with('$') {
                set |= path.starts_with('/');
                continue;
            }
            if !set {
                let message = format!("Relative workdir {path:?} can have unexpected results if the base image changes");
                out.extend(finding(ctx, &RULE, ins.span.start, dir.span.clone(), message, HELP));
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
}

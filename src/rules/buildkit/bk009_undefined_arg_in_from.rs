use crate::parse::dockerfile::Args;
use crate::rules::buildkit::{dockerfile, finding, meta_args, platform_flag, suggest, var_refs, PLATFORM_ARGS};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK009,
    name: "undefined-arg-in-from",
    severity: Severity::Warning,
    summary: "a FROM uses an ARG not declared before the first FROM (BuildKit UndefinedArgInFrom)",
    doc: r#"## What it checks
BuildKit's `UndefinedArgInFrom`: a variable in a `FROM` line (image or `--platform`) that is
neither an `ARG` before the first `FROM` nor one of BuildKit's platform arguments
(`TARGETPLATFORM`, `BUILDPLATFORM`…). Suggests the nearest declared name.

## Why it matters on a Space
The variable is empty when the Hub builds: `FROM python:${PY_VERSION}-slim` becomes
`python:-slim`, and the build fails pulling it.

## Example
```dockerfile
ARG PYTHON_VERSION=3.11
FROM python:${PY_VERSION}-slim
```

## Fix
Declare it before the first FROM (`ARG PY_VERSION=3.11`), or use the name declared."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("UndefinedArgInFrom")],
    fixable: crate::rules::Fixable::No("the ARG's value is the author's to give (`ARG NAME=value` before the first FROM)"),
};

/// What the finding means on the Hub, and the fix.
const HELP: &str = "the variable is empty when the Hub builds: declare it with an ARG before the first FROM";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some((_, df)), Some(model)) = (dockerfile(ctx), &ctx.model) else { return };
    let meta = meta_args(model);
    let declared: Vec<&str> = meta.iter().map(|(n, _)| n.as_str()).chain(PLATFORM_ARGS.iter().copied()).collect();
    let mut suggestions = crate::budget::SUGGESTION_OPTIONS;
    for ins in &df.instructions {
        let Args::From { image, .. } = &ins.args else { continue };
        let platform = platform_flag(ins).map(|(v, _)| v).unwrap_or_default();
        let mut reported: Vec<String> = Vec::new();
        for name in var_refs(platform, df.escape).into_iter().chain(var_refs(&image.text, df.escape)) {
            if declared.contains(&name.as_str()) || reported.contains(&name) {
                continue;
            }
            let hint = suggest(&name, declared.iter().copied(), &mut suggestions).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            let message = format!("FROM argument '{name}' is not declared{hint}");
            out.extend(finding(ctx, &RULE, ins.span.start, ins.span.clone(), message, HELP));
            reported.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testUndeclaredArg.
    #[test]
    fn buildkit_cases() {
        for silent in [
            "\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n",
            "\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n",
            "\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n",
            "\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n",
            "\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n",
            "\nARG DEBUG=\"\"\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n",
        ] {
            assert!(buildkit_case(silent, "BK009").is_empty(), "{silent}");
        }
        assert_eq!(
            buildkit_case("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n", "BK009"),
            vec![(2, "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)".to_string())]
        );
        let arch = "\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t";
        assert_eq!(buildkit_case(arch, "BK009"), vec![(4, "FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)".to_string())]);
        let version = "\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n";
        assert_eq!(buildkit_case(version, "BK009"), vec![(3, "FROM argument 'version' is not declared".to_string())]);
    }
}

use crate::diag::{Applicability, Fix};
use crate::parse::shell::ParsedArgs;
use crate::rules::hadolint::{is_program, scripts};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3014,
    name: "apt-get-yes",
    severity: Severity::Warning,
    summary: "`apt-get install` without `-y` (hadolint DL3014)",
    doc: r#"## What it checks
`apt-get install` in a RUN without `-y`, `--yes`, `--assume-yes` or quiet level 2 (`-qq`, which
implies `-y`). Same semantics as hadolint's DL3014.

## Why it matters on a Space
When an install pulls in a dependency, apt-get asks "Do you want to continue? [Y/n]". A build
has no one to answer: apt-get reads end of input, prints `Abort.`, and the Hub build fails.

## Example
```dockerfile
RUN apt-get update && apt-get install ffmpeg
```

## Fix
`apt-get install -y ffmpeg`. The fix adds `-y` after `install` (safe: it answers the question
the build cannot)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::Hadolint("DL3014")],
    fixable: crate::rules::Fixable::Yes,
};

/// apt-get options that take a value: their value is not the subcommand.
const TAKES_VALUE: &[&str] = &["-o", "--option", "-c", "--config-file", "-t", "--target-release"];

/// Whether apt-get will not ask: `-y`/`--yes`/`--assume-yes`, `-qq` (quiet level 2 implies -y),
/// or the option itself set on the command line (`-o APT::Get::Assume-Yes=true`, apt-get(8)).
fn answers_yes(args: &ParsedArgs) -> bool {
    let quiet = args.flags.iter().filter(|(f, _)| f == "-q").count();
    let quiet_level_2 = args.flags.iter().any(|(f, v)| matches!(f.as_str(), "-q" | "--quiet") && v.as_deref() == Some("2"));
    let assume_yes_option = args.flags.iter().any(|(f, v)| {
        let Some((key, value)) = v.as_deref().and_then(|v| v.split_once('=')) else { return false };
        matches!(f.as_str(), "-o" | "--option")
            && key.eq_ignore_ascii_case("APT::Get::Assume-Yes")
            && matches!(value.to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "on")
    });
    args.has(&["-y", "--yes", "--assume-yes"]) || quiet >= 2 || quiet_level_2 || assume_yes_option
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = ctx.dockerfile_file() else { return };
    for script in scripts(ctx) {
        for command in script.commands.iter().filter(|c| is_program(c, &["apt-get"])) {
            let args = command.args(TAKES_VALUE);
            if args.operands.first().map(String::as_str) != Some("install") || answers_yes(&args) {
                continue;
            }
            let install = command.words.iter().position(|w| w == "install").unwrap_or(0);
            let span = script.word_span(command, install).unwrap_or_else(|| script.step.ins.span.clone());
            let mut d = Diagnostic::new(
                &RULE,
                "`apt-get install` without `-y`: when it asks \"Do you want to continue?\", the build cannot \
                 answer and apt-get aborts, failing the Hub build",
            )
            .at(file, span.clone())
            .help("add `-y`: `apt-get install -y …`");
            if script.base.is_some() {
                d = d.fix(Fix::replace(Applicability::Safe, "add `-y`", file, span.end..span.end, " -y"));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    /// hadolint's DL3014Spec cases (each also under ONBUILD).
    #[test]
    fn hadolint_spec() {
        for prefix in ["", "ONBUILD "] {
            let found = |run: &str| hadolint_case(&format!("{prefix}{run}\n"), "DL3014").len();
            assert_eq!(found("RUN apt-get install python"), 1);
            assert_eq!(found("RUN apt-get install -yq python"), 0);
            assert_eq!(found("RUN apt-get install -qq python"), 0);
            assert_eq!(found("RUN apt-get install -y python"), 0);
            assert_eq!(found("RUN apt-get -y install python"), 0);
            assert_eq!(found("RUN apt-get --yes install python"), 0);
            assert_eq!(found("RUN apt-get --assume-yes install python"), 0);
        }
    }

    #[test]
    fn near_misses() {
        assert!(hadolint_case("RUN apt-get update\n", "DL3014").is_empty());
        assert!(hadolint_case("RUN apt-get -o Dpkg::Options::=--force-confnew install -y x\n", "DL3014").is_empty());
        assert!(hadolint_case("RUN apt-get -q -q install x\n", "DL3014").is_empty());
        assert!(hadolint_case("RUN echo apt-get install x\n", "DL3014").is_empty());
        // The option itself (found by the rule's fixture near miss): apt-get does not ask.
        assert!(hadolint_case("RUN apt-get -o APT::Get::Assume-Yes=true install x\n", "DL3014").is_empty());
        assert!(hadolint_case("RUN apt-get --option=apt::get::assume-yes=1 install x\n", "DL3014").is_empty());
        assert_eq!(hadolint_case("RUN apt-get -o APT::Get::Assume-Yes=false install x\n", "DL3014").len(), 1);
        assert_eq!(hadolint_case("RUN apt-get update && \\\n    apt-get install --no-install-recommends x\n", "DL3014").len(), 1);
    }
}

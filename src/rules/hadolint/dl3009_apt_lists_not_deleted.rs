use crate::parse::shell::SimpleCommand;
use crate::rules::hadolint::{is_program, scripts, stage_images, stage_names, Script};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3009,
    name: "apt-lists-not-deleted",
    severity: Severity::Info,
    summary: "`apt-get update` without deleting `/var/lib/apt/lists` (hadolint DL3009; off unless selected)",
    doc: r#"## What it checks
A RUN with `apt-get update` that does not end by removing the package lists
(`rm -rf /var/lib/apt/lists/*`), in the final stage or in a stage another stage is built `FROM`.
A BuildKit cache mount on `/var/lib/apt/lists` (or on both `/var/lib/apt` and `/var/cache/apt`)
keeps the lists out of the image and is fine. Same semantics as hadolint's DL3009.

## Why it matters on a Space
The lists are tens of megabytes left in a layer of the image, pulled on every restart of the
Space. Off by default: it bloats, it does not break (`--select DL3009`).

## Example
```dockerfile
RUN apt-get update && apt-get install -y ffmpeg
```

## Fix
`RUN apt-get update && apt-get install -y ffmpeg && rm -rf /var/lib/apt/lists/*`."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3009")],
    fixable: crate::rules::Fixable::No("where the lists are removed depends on the RUN's chain of commands (an `apt-get update` alone must keep them for the next RUN)"),
};

fn has_args(command: &SimpleCommand, program: &str, args: &[&str]) -> bool {
    is_program(command, &[program]) && args.iter().all(|a| command.words[1..].iter().any(|w| w == a))
}

/// `apt-get update` with no `rm -rf /var/lib/apt/lists/*` after it.
fn forgets_cleanup(script: &Script) -> bool {
    let updates = script.commands.iter().any(|c| has_args(c, "apt-get", &["update"]));
    let cleans = script.commands.iter().any(|c| {
        has_args(c, "rm", &["/var/lib/apt/lists/*"])
            && c.args(&[]).flags.iter().map(|(f, _)| f.as_str()).collect::<String>().contains('r')
    });
    updates && !cleans
}

/// A `--mount=type=cache` whose target starts with `dir`.
fn cache_mount(script: &Script, dir: &str) -> bool {
    script.step.ins.flags.iter().filter(|f| f.name == "mount").filter_map(|f| f.value.as_deref()).any(|v| {
        let options: Vec<(&str, &str)> = v.split(',').filter_map(|o| o.split_once('=')).collect();
        let cache = options.iter().any(|(k, v)| *k == "type" && *v == "cache");
        cache && options.iter().any(|(k, v)| matches!(*k, "target" | "dst" | "destination") && v.starts_with(dir))
    })
}

const HELP: &str = "end the same RUN with `&& rm -rf /var/lib/apt/lists/*`";
const HELP_ALONE: &str = "this RUN only updates: put `apt-get update` in the RUN that installs and end that one with \
     `&& rm -rf /var/lib/apt/lists/*` (removing the lists here would leave the next RUN's install without them)";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let names = stage_names(df);
    let images: Vec<String> = stage_images(df).iter().map(|i| i.to_ascii_lowercase()).collect();
    let last_stage = names.len().saturating_sub(1);
    for script in scripts(ctx) {
        if !forgets_cleanup(&script)
            || cache_mount(&script, "/var/lib/apt/lists")
            || (cache_mount(&script, "/var/lib/apt") && cache_mount(&script, "/var/cache/apt"))
        {
            continue;
        }
        // What ends in an image: the final stage, and stages a later FROM builds on.
        let stage = script.step.stage;
        let built_on = names.get(stage).cloned().flatten().is_some_and(|n| images.iter().skip(stage + 1).any(|i| *i == n));
        if stage != last_stage && !built_on && !script.step.onbuild {
            continue;
        }
        // `RUN apt-get update` on its own line: removing the lists there would leave the next
        // RUN's `apt-get install` without them ("Unable to locate package").
        let installs = script.commands.iter().any(|c| has_args(c, "apt-get", &["install"]) || has_args(c, "apt", &["install"]));
        let help = if installs { HELP } else { HELP_ALONE };
        out.push(
            Diagnostic::new(&RULE, "`apt-get update` without `rm -rf /var/lib/apt/lists/*`: the package lists stay in the image")
                .at(file, script.step.ins.keyword_span.clone())
                .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(lines: &[&str]) -> usize {
        hadolint_case(&(lines.join("\n") + "\n"), "DL3009").len()
    }

    /// hadolint's DL3009Spec cases (the plain ones; its ONBUILD variants judge stages apart).
    #[test]
    fn hadolint_spec() {
        assert_eq!(found(&["FROM scratch", "RUN apt-get update && apt-get install python"]), 1);
        assert_eq!(found(&["FROM ubuntu as foo", "RUN apt-get update && apt-get install python", "FROM scratch", "RUN echo hey!"]), 0);
        assert_eq!(found(&["FROM ubuntu as foo", "RUN hey!", "FROM scratch", "RUN apt-get update && apt-get install python"]), 1);
        assert_eq!(found(&["FROM ubuntu as foo", "RUN apt-get update && apt-get install python", "FROM foo", "RUN hey!"]), 1);
        let cleaned = "RUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*";
        assert_eq!(found(&["FROM ubuntu as foo", cleaned, "FROM foo", "RUN hey!"]), 0);
        assert_eq!(found(&["FROM scratch", cleaned]), 0);
        assert_eq!(found(&["RUN --mount=type=cache,target=/var/lib/apt/lists \\", "    apt-get update && apt-get install python"]), 0);
        let both = [
            "RUN --mount=type=cache,target=/var/lib/apt \\",
            "    --mount=type=cache,target=/var/cache/apt \\",
            "    rm -f /etc/apt/apt.conf.d/docker-clean && \\",
            "    apt-get update && apt-get install python",
        ];
        assert_eq!(found(&both), 0);
        let separate = [
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean",
            "RUN --mount=type=cache,target=/var/cache/apt \\",
            "    --mount=type=cache,target=/var/lib/apt \\",
            "    apt-get update && apt-get install foo",
        ];
        assert_eq!(found(&separate), 0);
        let cache_only = [
            "RUN --mount=type=cache,target=/var/cache/apt \\",
            "    rm -f /etc/apt/apt.conf.d/docker-clean && \\",
            "    apt-get update && apt-get install python",
        ];
        assert_eq!(found(&cache_only), 1);
        let lib_only = ["RUN rm -f /etc/apt/apt.conf.d/docker-clean", "RUN --mount=type=cache,target=/var/lib/apt \\", "    apt-get update && apt-get install python"];
        assert_eq!(found(&lib_only), 1);
    }

    /// Issue 25: where `apt-get update` stands alone, "end the same RUN with rm" would break the
    /// next RUN's install; the help says to join them instead.
    #[test]
    fn an_update_on_its_own_is_joined_not_cleaned() {
        let help = |lines: &[&str]| {
            let found = hadolint_case(&(lines.join("\n") + "\n"), "DL3009");
            assert_eq!(found.len(), 1, "{lines:?}");
            found[0].help.clone().unwrap_or_default()
        };
        let alone = help(&["FROM python:3.11", "RUN apt-get update", "RUN apt-get install -y ffmpeg && rm -rf /var/lib/apt/lists/*"]);
        assert!(alone.starts_with("this RUN only updates"), "{alone}");
        let together = help(&["FROM python:3.11", "RUN apt-get update && apt-get install -y ffmpeg"]);
        assert!(together.starts_with("end the same RUN"), "{together}");
    }
}

use crate::parse::dockerfile::{Args, Kind};
use crate::parse::shell::unquote;
use crate::rules::hadolint::{stage_parents, steps};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DL3045,
    name: "copy-relative-without-workdir",
    severity: Severity::Warning,
    summary: "`COPY` to a relative path with no `WORKDIR` set (hadolint DL3045; off unless selected)",
    doc: r#"## What it checks
A `COPY` whose destination is relative (`COPY app.py app.py`) in a stage where no `WORKDIR` was
set, in it or in the stages it is built `FROM`. Same semantics as hadolint's DL3045: absolute
destinations (`/app`, `c:\app`) and destinations that start with a variable are fine, and a
`WORKDIR` inherited through `FROM base` counts.

## Why it matters on a Space
The files land relative to whatever working directory the base image chose (`/` for `python`),
and the start command, run from elsewhere, may not find them. Off by default: it is a
readability rule, not a failure (`--select DL3045` turns it on).

## Example
```dockerfile
FROM python:3.11-slim
COPY app.py app.py
```

## Fix
Set `WORKDIR /home/user/app` (or use an absolute destination) before the `COPY`. `spacecheck
--fix` writes the destination the relative one means today, the base image's WORKDIR joined with
it, when the base-image catalogue knows the image (safe: the files land where they land now)."#,
    check: Check::Local(check),
    enabled: Enabled::WhenSelected,
    equivalents: &[Equivalent::Hadolint("DL3045")],
    fixable: crate::rules::Fixable::Yes,
};

/// `/app`, `c:\app`, `d:/app`: hadolint's absolute paths (Windows ones included).
fn is_absolute(dest: &str) -> bool {
    let bytes = dest.as_bytes();
    dest.starts_with('/') || (bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && matches!(bytes[2], b'\\' | b'/'))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(df)) = (ctx.dockerfile_file(), ctx.parsed_dockerfile()) else { return };
    let parents = stage_parents(df);
    // Whether each stage has a WORKDIR, its own or inherited from the stage it is built on.
    let mut has_workdir = vec![false; parents.len().max(1)];
    for step in steps(df) {
        if step.ins.kind == Kind::From {
            let parent = parents.get(step.stage).copied().flatten();
            has_workdir[step.stage] = parent.is_some_and(|p| has_workdir[p]);
            continue;
        }
        if step.ins.kind == Kind::Workdir {
            has_workdir[step.stage] = true;
            continue;
        }
        let Args::Copy { dest, .. } = &step.ins.args else { continue };
        let target = unquote(&dest.text);
        // Windows paths are judged as written: unquoting would take `\` for an escape.
        let written = dest.text.trim_matches(['"', '\'']);
        let absolute = is_absolute(&target) || is_absolute(written);
        if step.ins.kind != Kind::Copy || has_workdir[step.stage] || absolute || target.starts_with('$') {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                format!("`COPY` to the relative path `{target}` with no WORKDIR set: the files land wherever the base image's working directory is"),
            )
            .at(file, dest.span.clone())
            .help("set `WORKDIR /home/user/app` before this COPY, or give an absolute destination")
            .maybe_fix(destination_fix(ctx, file, step.stage, dest, &target)),
        );
    }
}

/// The destination the relative one means today (safe: the files land where they land now).
fn destination_fix(
    ctx: &Context,
    file: &crate::source::SourceFile,
    stage: usize,
    dest: &crate::parse::dockerfile::Word,
    target: &str,
) -> Option<crate::diag::Fix> {
    crate::rules::edits::absolute_in_base(file, ctx.model.as_ref()?.stages.get(stage)?, dest, target)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::hadolint_case;

    fn found(dockerfile: &str) -> usize {
        hadolint_case(dockerfile, "DL3045").len()
    }

    /// hadolint's DL3045Spec cases.
    #[test]
    fn hadolint_spec() {
        assert_eq!(found("COPY bla.sh /usr/local/bin/blubb.sh\n"), 0);
        assert_eq!(found("COPY bla.sh \"/usr/local/bin/blubb.sh\"\n"), 0);
        assert_eq!(found("COPY bla.sh c:\\system32\\blubb.sh\n"), 0);
        assert_eq!(found("COPY bla.sh \"d:\\mypath\\blubb.sh\"\n"), 0);
        assert_eq!(found("COPY bla.sh c:/system32/blubb.sh\n"), 0);
        assert_eq!(found("FROM scratch\nWORKDIR /usr\nCOPY bla.sh blubb.sh\n"), 0);
        assert_eq!(found("FROM scratch\nWORKDIR c:\\system32\nCOPY bla.sh blubb.sh\n"), 0);
        assert_eq!(found("COPY src.sh ${SRC_BASE_ENV}\n"), 0);
        assert_eq!(found("COPY src.sh $SRC_BASE_ENV\n"), 0);
        assert_eq!(found("COPY src.sh \"${SRC_BASE_ENV}\"\n"), 0);
        assert_eq!(found("COPY src.sh \"$SRC_BASE_ENV\"\n"), 0);
        assert_eq!(found("COPY bla.sh blubb.sh\n"), 1);
        assert_eq!(found("COPY bla.sh \"blubb.sh\"\n"), 1);
        assert_eq!(found("ONBUILD COPY bla.sh blubb.sh\n"), 1);
        assert_eq!(found("FROM debian:buster as stage1\nWORKDIR /usr\nFROM debian:buster\nCOPY foo bar\n"), 1);
        let inherited = "FROM debian:buster as base\nWORKDIR /usr\nFROM debian:buster as stage-inbetween\nRUN foo\nFROM base\nCOPY foo bar\n";
        assert_eq!(found(inherited), 0);
        let deep = "FROM debian:buster as base1\nWORKDIR /usr\nFROM base1 as base2\nRUN foo\nFROM base2\nCOPY foo bar\n";
        assert_eq!(found(deep), 0);
        assert_eq!(found("FROM debian:buster\nONBUILD WORKDIR /usr/local/lib\nONBUILD COPY foo bar\n"), 0);
        assert_eq!(found("COPY a b\n"), 1);
    }
}

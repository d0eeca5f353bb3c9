//! BK rules: BuildKit's build checks (what `docker build --check` reports), one rule per check,
//! named after it in kebab-case (`UndefinedVar` → `undefined-var`), with BuildKit's semantics,
//! lines and texts: each finding's message is BuildKit's own, the help says what it means for
//! the Space. Like `--check`, every stage is checked, reachable from the target or not.
//!
//! BuildKit's `# check=` directive is honoured as BuildKit reads it: at the top of the file it
//! sets `skip=A,B` (or `skip=all`), `error=true` (findings become errors: BuildKit then fails the
//! build, on the Hub too) and `experimental=A` (or `all`) for the experimental checks; the same
//! comment right above an instruction applies to that instruction only.
//!
//! Not reproduced: `InvalidBaseImagePlatform` (it needs the pulled image's platform).

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_buildkit.rs"));

use std::ops::Range;

use crate::parse::dockerfile::{Dockerfile, Instruction};
use crate::rules::{Context, Diagnostic, Equivalent, Rule, Severity};
use crate::source::SourceFile;

/// What a `# check=` comment asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub skip: Vec<String>,
    pub skip_all: bool,
    pub error: bool,
    pub experimental: Vec<String>,
    pub experimental_all: bool,
}

impl CheckOptions {
    /// BuildKit's `ParseLintOptions`: `skip=A,B;error=true;experimental=C`. A `// remark` after
    /// the options (allowed on instruction comments) is not part of them.
    pub fn parse(text: &str) -> Result<CheckOptions, String> {
        let text = text.split(" //").next().unwrap_or(text).trim();
        let mut options = CheckOptions::default();
        if text.is_empty() {
            return Ok(options);
        }
        for part in text.split(';') {
            let Some((key, value)) = part.split_once('=') else {
                return Err(format!("invalid check option {part:?}"));
            };
            let names = || value.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
            match key.trim() {
                "skip" if value.trim() == "all" => options.skip_all = true,
                "skip" => options.skip = names(),
                "experimental" if value.trim() == "all" => options.experimental_all = true,
                "experimental" => options.experimental = names(),
                "error" => {
                    options.error = match value.trim().to_ascii_lowercase().as_str() {
                        "1" | "t" | "true" => true,
                        "0" | "f" | "false" => false,
                        other => {
                            return Err(format!("failed to parse check option {part:?}: invalid syntax {other:?}"))
                        }
                    }
                }
                other => return Err(format!("invalid check option {other:?}")),
            }
        }
        Ok(options)
    }

    fn skips(&self, check: &str) -> bool {
        self.skip_all || self.skip.iter().any(|s| s == check)
    }

    fn enables(&self, check: &str) -> bool {
        self.experimental_all || self.experimental.iter().any(|s| s == check)
    }
}

/// The `# check=` parser directive at the top of the file (before anything but directives).
pub fn file_options(file: &SourceFile) -> CheckOptions {
    for line in file.text.lines() {
        let Some(rest) = line.trim().strip_prefix('#') else { break };
        let Some((key, value)) = rest.split_once('=') else { break };
        let key = key.trim().to_ascii_lowercase();
        if key == "check" {
            return CheckOptions::parse(value).unwrap_or_default();
        }
        if !key.chars().all(|c| c.is_ascii_alphanumeric()) || key.is_empty() {
            break;
        }
    }
    CheckOptions::default()
}

/// `# check=` comments right above an instruction (consecutive comment lines): options for it
/// alone.
fn instruction_options(file: &SourceFile, at: usize) -> Vec<CheckOptions> {
    let mut line = file.line_col(at).0;
    let mut found = Vec::new();
    while line > 1 {
        line -= 1;
        let text = file.text[file.line_span(line)].trim();
        let Some(comment) = text.strip_prefix('#') else { break };
        if let Some(value) = comment.trim().strip_prefix("check=") {
            found.extend(CheckOptions::parse(value).ok());
        }
    }
    found
}

/// BuildKit's name of a rule of this family (its first BuildKit equivalent).
pub fn check_name(rule: &Rule) -> &'static str {
    rule.equivalents
        .iter()
        .find_map(|e| match e {
            Equivalent::BuildKit(name) => Some(*name),
            Equivalent::Hadolint(_) => None,
        })
        .unwrap_or(rule.name)
}

/// Whether the file's directive turns on one of BuildKit's experimental checks.
pub fn enabled_by_directive(file: &SourceFile, rule: &Rule) -> bool {
    file_options(file).enables(check_name(rule))
}

/// BuildKit's checks that run as each instruction is converted (`dispatch`), after the
/// parser's: an instruction that fails stops them.
const DISPATCH_CHECKS: &[&str] =
    &["UndefinedVar", "LegacyKeyValueFormat", "JSONArgsRecommended", "SecretsUsedInArgOrEnv"];

/// A finding of `rule` at `span` (the instruction starting at `instruction_start`): BuildKit's
/// message, and a help that says what it means on the Hub; unless the
/// file's or the instruction's `# check=` skips it; an error when the file asks `error=true`.
pub fn finding(
    ctx: &Context,
    rule: &Rule,
    instruction_start: usize,
    span: Range<usize>,
    message: String,
    help: &str,
) -> Option<Diagnostic> {
    let file = ctx.dockerfile_file()?;
    let name = check_name(rule);
    // The checks BuildKit runs while it converts instructions stop where it stops: at the
    // first instruction it cannot build (an unterminated quote, an unknown flag).
    if DISPATCH_CHECKS.contains(&name) && ctx.buildkit_stop().is_some_and(|stop| instruction_start >= stop) {
        return None;
    }
    let options = file_options(file);
    if options.skips(name) || instruction_options(file, instruction_start).iter().any(|o| o.skips(name)) {
        return None;
    }
    let d = Diagnostic::new(rule, message).at(file, span).help(help);
    Some(if options.error { d.severity(Severity::Error) } else { d })
}

/// The Dockerfile and its file, for the checks.
pub fn dockerfile<'a>(ctx: &'a Context) -> Option<(&'a SourceFile, &'a Dockerfile)> {
    Some((ctx.dockerfile_file()?, ctx.parsed_dockerfile()?))
}

/// The keyword of an instruction as written (`from`, `Copy`).
pub fn keyword<'a>(file: &'a SourceFile, ins: &Instruction) -> &'a str {
    file.text.get(ins.keyword_span.clone()).unwrap_or_default()
}

/// BuildKit's suggestion (`util/suggest`): the option at Levenshtein distance below 3, case
/// sensitive; none when the value is itself an option.
///
/// A suggestion is help text: an option whose length alone puts it 3 away is skipped, and each
/// option weighed takes one unit of `budget` (one per rule and Dockerfile, from
/// [`crate::budget::SUGGESTION_OPTIONS`]): a Dockerfile of thousands of variables, each used
/// undefined, would otherwise compare every pair. Once it is spent, no suggestion is made.
pub fn suggest<'a>(value: &str, options: impl IntoIterator<Item = &'a str>, budget: &mut usize) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    let len = value.chars().count();
    for option in options {
        if option == value {
            return None;
        }
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if option.chars().count().abs_diff(len) >= 3 {
            continue;
        }
        let d = crate::suggest::distance(value, option);
        if d < 3 && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((option, d));
        }
    }
    best.map(|(o, _)| o)
}

/// The variables a word refers to, as BuildKit's lexer expands it: `$NAME`, `${NAME}`, and the
/// forms with a modifier (`${NAME:-word}`, whose word is read too); nothing inside single
/// quotes, nothing escaped.
pub fn var_refs(word: &str, escape: char) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    let mut single = false;
    let mut double = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c == escape && !single => i += 1,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' if !single => {
                let (name, used, inner) = reference_at(&chars[i + 1..]);
                if !name.is_empty() {
                    out.push(name);
                }
                if let Some(inner) = inner {
                    out.extend(var_refs(&inner, escape));
                }
                i += used;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// After a `$`: the name, the characters used, and a modifier's word (`${A:-$B}` → `$B`).
fn reference_at(rest: &[char]) -> (String, usize, Option<String>) {
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if rest.first() == Some(&'{') {
        let Some(close) = rest.iter().position(|&c| c == '}') else { return (String::new(), 0, None) };
        let body: String = rest[1..close].iter().collect();
        let name: String = body.chars().take_while(|c| is_name(c)).collect();
        let modifier = body[name.len()..].trim_start_matches([':', '-', '+', '?', '#', '%', '/']);
        let inner = (!modifier.is_empty()).then(|| modifier.to_string());
        return (name, close + 1, inner);
    }
    let name: String = rest.iter().take_while(|c| is_name(c)).collect();
    let used = name.chars().count();
    (name, used, None)
}

/// BuildKit's predefined platform arguments, usable in FROM without a declaration.
pub const PLATFORM_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// The ARGs before the first FROM, as the model read them: name and default (expanded, quotes
/// removed), `None` without one.
pub fn meta_args(model: &crate::model::ImageModel) -> Vec<(String, Option<String>)> {
    let first_from = model.stages.first().map_or(usize::MAX, |s| s.from_index);
    model
        .var_defs
        .iter()
        .filter(|d| d.kind == crate::parse::dockerfile::Kind::Arg && d.instruction < first_from)
        .map(|d| (d.name.clone(), d.value.as_ref().map(|v| v.value.clone())))
        .collect()
}

/// A FROM's `--platform` flag: its value as written and the flag's span.
pub fn platform_flag(ins: &Instruction) -> Option<(&str, Range<usize>)> {
    let flag = ins.flag("platform")?;
    Some((flag.value.as_deref()?, flag.span.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_options_read_as_buildkit_reads_them() {
        let o = CheckOptions::parse("skip=A, B;error=true").unwrap();
        assert_eq!((o.skip, o.error), (vec!["A".to_string(), "B".to_string()], true));
        assert!(CheckOptions::parse("skip=all").unwrap().skip_all);
        assert!(CheckOptions::parse("experimental=all").unwrap().experimental_all);
        assert_eq!(CheckOptions::parse("skip=X // why").unwrap().skip, vec!["X".to_string()]);
        assert!(CheckOptions::parse("error=maybe").is_err());
        assert!(CheckOptions::parse("nonsense").is_err());
    }

    #[test]
    fn variables_as_the_lexer_sees_them() {
        assert_eq!(var_refs("$A/${B}:${C:-$D}", '\\'), vec!["A", "B", "C", "D"]);
        assert_eq!(var_refs("'$A' \\$B \"$C\"", '\\'), vec!["C"]);
        assert_eq!(var_refs("${", '\\'), Vec::<String>::new());
        assert_eq!(var_refs("$", '\\'), Vec::<String>::new());
    }

    #[test]
    fn suggestions_are_close_names() {
        let mut budget = 100;
        assert_eq!(suggest("PAHT", ["PATH", "HOME"], &mut budget), Some("PATH"));
        assert_eq!(suggest("BULIDPLATFORM", PLATFORM_ARGS.iter().copied(), &mut budget), Some("BUILDPLATFORM"));
        assert_eq!(suggest("version", ["tag"], &mut budget), None);
        // A spent budget makes no suggestion.
        assert_eq!(suggest("PAHT", ["PATH"], &mut 0), None);
    }
}

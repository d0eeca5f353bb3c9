//! Policy: what a Space is checked against (contract.md, "Policy").
//!
//! Unknown keys are errors with their line and a suggestion: a typo in a grader's policy must
//! not silently check nothing.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Code, Severity};
use crate::parse::frontmatter::{Node, Value};
use crate::source::SourceFile;
use crate::suggest;

/// The Hub's hardware flavors (hub.md); the list grows, so a name far from all of them is
/// accepted, and only a near miss is refused as a typo.
pub const HARDWARE_FLAVORS: &[&str] = &[
    "cpu-basic",
    "cpu-upgrade",
    "cpu-performance",
    "cpu-xl",
    "zero-a10g",
    "t4-small",
    "t4-medium",
    "l4x1",
    "l4x4",
    "l40sx1",
    "l40sx4",
    "l40sx8",
    "a10g-small",
    "a10g-large",
    "a10g-largex2",
    "a10g-largex4",
    "a100-large",
    "a100x4",
    "a100x8",
    "h100",
    "h100x8",
    "rtx-pro-6000",
    "rtx-pro-6000x2",
    "rtx-pro-6000x4",
    "rtx-pro-6000x8",
];

pub const BASELINE_NAME: &str = "built-in baseline (rules/hf-docker.yaml)";
pub const BASELINE_YAML: &str = include_str!("../rules/hf-docker.yaml");

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpacePolicy {
    pub name: Option<String>,
    pub visibility: Option<String>,
    pub hardware: Option<String>,
    pub sdk: Option<String>,
    pub app_port: Option<u16>,
    pub description_contains: Option<String>,
    pub secrets: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DockerfilePolicy {
    pub base_image: Option<String>,
    pub user_uid: Option<u32>,
    pub numeric_user: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

/// What the assignment asks of one student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentValues {
    pub email: String,
    pub space_name: String,
    pub secret: String,
    pub app_port: u16,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Where it came from, for reports (`rules/ga2-f0af22.yaml`).
    pub source: String,
    pub space: SpacePolicy,
    pub dockerfile: DockerfilePolicy,
    pub rules: HashMap<Code, RuleSetting>,
    /// Set in assignment mode: the student's values, which also turn the GA rules on.
    pub assignment: Option<StudentValues>,
    /// In assignment mode, the URL the student will submit (GA008).
    pub submission: Option<String>,
    /// What the command line's options would say, kept in the policy so a hook or pre-commit
    /// runs exactly what the command line would (`select`, `ignore`, `fail_on`); the command
    /// line wins where it says something.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// `assignment` and `email`: check against a course assignment, as `--assignment ID
    /// --email E` would (resolved by `check::PolicySource`).
    pub assignment_ref: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const TOP_KEYS: &[&str] = &["space", "dockerfile", "rules", "select", "ignore", "fail_on", "assignment", "email"];
const SPACE_KEYS: &[&str] = &["name", "visibility", "hardware", "sdk", "app_port", "description_contains", "secrets"];
const DOCKERFILE_KEYS: &[&str] = &["base_image", "user_uid", "numeric_user"];

impl Policy {
    pub fn baseline() -> Policy {
        // Parsed once: a multi-target run or a batch asks for it per Space, and reading the
        // YAML was about 8 % of linting a Space.
        static BASELINE: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(|| {
            parse(BASELINE_YAML, BASELINE_NAME).expect("the built-in baseline policy is valid")
        });
        BASELINE.clone()
    }

    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        use std::io::Read;
        let cannot = |e: std::io::Error| PolicyError(format!("cannot read policy `{}`: {e}", path.display()));
        let file = crate::source::open_regular(path).map_err(cannot)?;
        let mut bytes = Vec::new();
        file.take((1 << 20) + 1).read_to_end(&mut bytes).map_err(cannot)?;
        if bytes.len() > 1 << 20 {
            let why = "is over 1 MiB; a policy is a small YAML file";
            return Err(PolicyError(format!("policy `{}` {why}", path.display())));
        }
        let text = crate::source::decode_text(&bytes)
            .map_err(|e| PolicyError(format!("policy `{}`: {}", path.display(), e.message)))?;
        parse(&text, &path.display().to_string())
    }

    pub fn setting(&self, code: Code) -> Option<RuleSetting> {
        self.rules.get(&code).copied()
    }
}

/// Parses a policy file's text; `name` is used in messages.
pub fn parse(text: &str, name: &str) -> Result<Policy, PolicyError> {
    // Reuse the frontmatter reader: a policy is a YAML mapping with spans.
    let wrapped = format!("---\n{text}\n---\n");
    let file = SourceFile::new(name, wrapped);
    let fm = crate::parse::frontmatter::parse(&file).map_err(|e| match e {
        crate::parse::frontmatter::FrontmatterError::Invalid { message, span } => {
            let (line, col) = file.line_col(span.start);
            PolicyError(format!("{name}:{}:{col}: invalid YAML: {message}", line.saturating_sub(1).max(1)))
        }
        _ => PolicyError(format!("{name}: invalid YAML")),
    })?;
    let at = |node: &Node| {
        let (line, col) = file.line_col(node.span.start);
        format!("{name}:{}:{col}", line.saturating_sub(1).max(1))
    };
    let mut policy = Policy { source: name.to_string(), ..Policy::default() };
    // Every error at once: a policy is fixed in one edit, not one run per mistake.
    let mut errors = Vec::new();
    let (mut assignment, mut email) = (None, None);
    for (key, value) in &fm.entries {
        let k = key.value.to_text();
        let result = match k.as_str() {
            "space" => space_section(&mut policy.space, value, &at),
            "dockerfile" => dockerfile_section(&mut policy.dockerfile, value, &at),
            "rules" => mapping(value, &at, "rules").map(|entries| {
                for (rk, rv) in entries {
                    match rule_setting(rk, rv, &at) {
                        Ok((code, setting)) => drop(policy.rules.insert(code, setting)),
                        Err(e) => errors.push(e.0),
                    }
                }
            }),
            "select" => codes(value, &at, "select").map(|c| policy.select = c),
            "ignore" => codes(value, &at, "ignore").map(|c| policy.ignore = c),
            "fail_on" => fail_on(value, &at).map(|f| policy.fail_on = Some(f)),
            "assignment" => string(value, &at, "assignment").map(|a| assignment = Some((a, value))),
            "email" => string(value, &at, "email").map(|e| email = Some(e)),
            _ => Err(unknown(&at(key), "the top level", &k, TOP_KEYS)),
        };
        if let Err(e) = result {
            errors.push(e.0);
        }
    }
    match (assignment, email) {
        (Some((a, _)), Some(e)) => policy.assignment_ref = Some((a, e)),
        (Some((_, node)), None) => errors.push(format!("{}: `assignment` needs `email` (the student's)", at(node))),
        (None, Some(_)) => errors.push(format!("{name}: `email` is for `assignment`, which is missing")),
        (None, None) => {}
    }
    if !errors.is_empty() {
        return Err(PolicyError(errors.join("\n")));
    }
    Ok(policy)
}

/// `select`/`ignore`: rule codes or prefixes, as a list or a comma string (`DF, HUB004`).
fn codes(node: &Node, at: &At, what: &str) -> Result<Vec<String>, PolicyError> {
    let items: Vec<String> = match &node.value {
        Value::Seq(items) => items.iter().map(|i| string(i, at, what)).collect::<Result<_, _>>()?,
        _ => string(node, at, what)?.split(',').map(str::to_string).collect(),
    };
    let codes: Vec<String> = items.iter().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect();
    if codes.is_empty() {
        return Err(PolicyError(format!("{}: `{what}` names no rule code (e.g. `{what}: [DF, HUB004]`)", at(node))));
    }
    if let Some(bad) = codes.iter().find(|c| !Code::is_known_prefix(c)) {
        let hint = suggest::nearest_code(bad).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
        return Err(PolicyError(format!("{}: `{bad}` in {what} matches no rule code{hint}", at(node))));
    }
    Ok(codes)
}

fn fail_on(node: &Node, at: &At) -> Result<Severity, PolicyError> {
    match string(node, at, "fail_on")?.to_ascii_lowercase().as_str() {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        other => Err(PolicyError(format!("{}: fail_on must be error or warning, not `{other}`", at(node)))),
    }
}

/// Says where a node is: `policy.yaml:3:5`.
type At<'a> = dyn Fn(&Node) -> String + 'a;

fn space_section(space: &mut SpacePolicy, value: &Node, at: &At) -> Result<(), PolicyError> {
    for (sk, sv) in mapping(value, at, "space")? {
        let skn = sk.value.to_text();
        match skn.as_str() {
            "name" => space.name = Some(string(sv, at, "space.name")?),
            "visibility" => {
                let v = string(sv, at, "space.visibility")?;
                if !matches!(v.as_str(), "public" | "private" | "protected") {
                    let why = format!("space.visibility must be public, private or protected, not `{v}`");
                    return Err(PolicyError(format!("{}: {why}", at(sv))));
                }
                space.visibility = Some(v);
            }
            "hardware" => {
                let flavor = string(sv, at, "space.hardware")?;
                // One edit away (or the same but for case): a typo, not a flavor the list lacks.
                let near = (!HARDWARE_FLAVORS.contains(&flavor.as_str()))
                    .then(|| HARDWARE_FLAVORS.iter().find(|k| suggest::distance(&flavor.to_ascii_lowercase(), k) <= 1))
                    .flatten();
                if let Some(known) = near {
                    let why = format!("`{flavor}` is not a hardware flavor; did you mean `{known}`?");
                    return Err(PolicyError(format!("{}: space.hardware: {why}", at(sv))));
                }
                space.hardware = Some(flavor);
            }
            "sdk" => space.sdk = Some(string(sv, at, "space.sdk")?),
            "app_port" => space.app_port = Some(port(sv, at)?),
            "description_contains" => space.description_contains = Some(string(sv, at, "space.description_contains")?),
            "secrets" => {
                let Value::Seq(items) = &sv.value else {
                    return Err(PolicyError(format!("{}: space.secrets must be a list of names", at(sv))));
                };
                for item in items {
                    space.secrets.push(string(item, at, "space.secrets")?);
                }
            }
            _ => return Err(unknown(&at(sk), "space", &skn, SPACE_KEYS)),
        }
    }
    Ok(())
}

fn dockerfile_section(dockerfile: &mut DockerfilePolicy, value: &Node, at: &At) -> Result<(), PolicyError> {
    for (dk, dv) in mapping(value, at, "dockerfile")? {
        let dkn = dk.value.to_text();
        match (dkn.as_str(), &dv.value) {
            ("base_image", _) => dockerfile.base_image = Some(string(dv, at, "dockerfile.base_image")?),
            ("user_uid", Value::Int(i)) if (0..=i64::from(u32::MAX)).contains(i) => {
                dockerfile.user_uid = Some(*i as u32)
            }
            ("user_uid", _) => {
                return Err(PolicyError(format!("{}: dockerfile.user_uid must be a UID number", at(dv))))
            }
            ("numeric_user", Value::Bool(b)) => dockerfile.numeric_user = *b,
            ("numeric_user", _) => {
                return Err(PolicyError(format!("{}: dockerfile.numeric_user must be true or false", at(dv))))
            }
            _ => return Err(unknown(&at(dk), "dockerfile", &dkn, DOCKERFILE_KEYS)),
        }
    }
    Ok(())
}

/// `DF011: off`, `FM007: error`: a known code and a setting.
fn rule_setting(rk: &Node, rv: &Node, at: &At) -> Result<(Code, RuleSetting), PolicyError> {
    let code = rk.value.to_text().to_ascii_uppercase();
    let Some(parsed) = Code::parse(&code) else {
        let hint = suggest::nearest_code(&code).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
        let why = format!("unknown rule code `{code}` under rules{hint}; `spacecheck rules` lists them");
        return Err(PolicyError(format!("{}: {why}", at(rk))));
    };
    let setting = match &rv.value {
        Value::Bool(false) => Some(RuleSetting::Off),
        Value::Str(s) => match s.to_ascii_lowercase().as_str() {
            "off" | "ignore" | "none" => Some(RuleSetting::Off),
            "error" => Some(RuleSetting::Severity(Severity::Error)),
            "warning" | "warn" => Some(RuleSetting::Severity(Severity::Warning)),
            "info" | "note" => Some(RuleSetting::Severity(Severity::Info)),
            other => {
                let why = format!("rules.{code} must be off, error, warning or info, not `{other}`");
                return Err(PolicyError(format!("{}: {why}", at(rv))));
            }
        },
        _ => None,
    };
    let setting =
        setting.ok_or_else(|| PolicyError(format!("{}: rules.{code} must be off, error, warning or info", at(rv))))?;
    Ok((parsed, setting))
}

fn unknown(place: &str, section: &str, key: &str, known: &[&str]) -> PolicyError {
    let hint = match suggest::nearest(key, known) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("known keys: {}", known.join(", ")),
    };
    PolicyError(format!("{place}: unknown policy key `{key}` in {section}; {hint}"))
}

fn mapping<'a>(node: &'a Node, at: &dyn Fn(&Node) -> String, what: &str) -> Result<&'a [(Node, Node)], PolicyError> {
    match &node.value {
        Value::Map(entries) => Ok(entries),
        Value::Null => Ok(&[]),
        other => Err(PolicyError(format!("{}: `{what}` must be a mapping, not {}", at(node), other.type_name()))),
    }
}

fn string(node: &Node, at: &dyn Fn(&Node) -> String, what: &str) -> Result<String, PolicyError> {
    match &node.value {
        Value::Str(s) => Ok(s.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(node.value.to_text()),
        other => Err(PolicyError(format!("{}: `{what}` must be a string, not {}", at(node), other.type_name()))),
    }
}

fn port(node: &Node, at: &dyn Fn(&Node) -> String) -> Result<u16, PolicyError> {
    match node.value {
        Value::Int(i) if (1..=65535).contains(&i) => Ok(i as u16),
        _ => Err(PolicyError(format!("{}: space.app_port must be a port number (1-65535)", at(node)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_policies_parse() {
        let p = parse(include_str!("../rules/ga2-f0af22.yaml"), "ga2").unwrap();
        assert_eq!(p.space.app_port, Some(7255));
        assert_eq!(p.space.secrets, vec!["GA2_TOKEN_ECB8"]);
        assert_eq!(p.dockerfile.base_image.as_deref(), Some("python:3.11-slim"));
        assert_eq!(Policy::baseline().dockerfile.user_uid, Some(1000));
    }

    #[test]
    fn unknown_keys_are_errors_with_line_and_suggestion() {
        let err = parse("space:\n  app-port: 7255\n", "p.yaml").unwrap_err();
        assert!(err.0.starts_with("p.yaml:2:3:"), "{}", err.0);
        assert!(err.0.contains("did you mean `app_port`"), "{}", err.0);
        let err = parse("dockerfil:\n  user_uid: 1000\n", "p.yaml").unwrap_err();
        assert!(err.0.contains("`dockerfile`"), "{}", err.0);
    }

    #[test]
    fn rule_settings() {
        let p = parse("rules:\n  DF011: off\n  fm007: error\n", "p").unwrap();
        assert_eq!(p.setting(Code::DF011), Some(RuleSetting::Off));
        assert_eq!(p.setting(Code::FM007), Some(RuleSetting::Severity(Severity::Error)));
        assert!(parse("rules:\n  DF099: off\n", "p").unwrap_err().0.contains("unknown rule code"));
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(parse("space:\n  app_port: \"x\"\n", "p").is_err());
        assert!(parse("space:\n  visibility: secret\n", "p").is_err());
        assert!(parse("space: [1]\n", "p").is_err());
    }
}

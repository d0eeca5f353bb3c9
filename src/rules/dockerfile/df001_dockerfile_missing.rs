use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::DF001,
    name: "dockerfile-missing",
    severity: Severity::Error,
    summary: "no Dockerfile at the Space root",
    doc: r#"## What it checks
That the Space has a file named exactly `Dockerfile` at its root.

## Why it matters on a Space
A Docker Space is built from the root `Dockerfile`; the Hub does not look for `dockerfile`,
`Dockerfile.prod` or one in a subfolder. Without it the build fails with "no application file".

## Example
A Space whose Dockerfile is `docker/Dockerfile`.

## Fix
Put the Dockerfile at the root of the Space repository, named `Dockerfile`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("what the Space runs is the author's to say; `spacecheck init` writes a template"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !matches!(ctx.space.dockerfile, Loaded::Missing) {
        return;
    }
    let near: Vec<&str> = ctx
        .space
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| {
            let base = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
            base == "dockerfile" || base.starts_with("dockerfile.") || base.ends_with(".dockerfile")
        })
        .take(3)
        .collect();
    let mut d = Diagnostic::new(&RULE, "the Space has no Dockerfile at its root, so the Hub has nothing to build");
    d = match near.first() {
        Some(_) => d.help(format!(
            "found {}: the Hub only builds `Dockerfile` at the root",
            near.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        )),
        None => d.help("add a Dockerfile at the root of the Space"),
    };
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires, lint, README};

    #[test]
    fn fires_without_dockerfile_and_names_near_misses() {
        let d = lint(&[("README.md", README), ("docker/Dockerfile", "FROM x\n")]);
        let f = d.iter().find(|d| d.code == "DF001").unwrap();
        assert!(f.help.as_ref().unwrap().contains("docker/Dockerfile"));
    }

    #[test]
    fn silent_with_dockerfile() {
        assert!(!fires(&[("README.md", README), ("Dockerfile", "FROM python:3.11\n")], "DF001"));
    }
}

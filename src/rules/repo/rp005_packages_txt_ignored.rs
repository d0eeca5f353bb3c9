use crate::model::base::Distro;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::RP005,
    name: "packages-txt-ignored",
    severity: Severity::Warning,
    summary: "a packages.txt that a Docker Space ignores: its system packages are never installed",
    doc: r#"## What it checks
A `packages.txt` at the root of the Space that the Dockerfile does not use (no `COPY` of it and
no `RUN` that reads it), listing packages the Dockerfile does not install itself (`apt-get
install`, `apk add`): those are named.

## Why it matters on a Space
The Hub installs the Debian packages listed in `packages.txt` for Gradio and Streamlit Spaces
only. A Docker Space is built from its Dockerfile alone: the packages are not installed, and the
app fails at run time where it needs them ("ffmpeg: not found", "libGL.so.1: cannot open shared
object file").

## Example
A Docker Space with `packages.txt` holding `ffmpeg` and a Dockerfile that never mentions it.

## Fix
Install them in the Dockerfile, before `USER`:
`RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*`
(on Alpine: `RUN apk add --no-cache ffmpeg`)."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("the packages belong in an `apt-get install` as root before USER: the help shows the line"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.space.file("packages.txt").is_none() {
        return;
    }
    let Some(file) = ctx.dockerfile_file() else { return };
    // Any mention counts: `COPY packages.txt .`, `xargs apt-get install -y < packages.txt`.
    if file.text.contains("packages.txt") {
        return;
    }
    let Loaded::Text(list) = ctx.space.read_text("packages.txt") else { return };
    let packages: Vec<&str> = list
        .text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || "+-.:".contains(c)))
        .collect();
    // Those the Dockerfile installs itself are not missing (`apt-get install -y ffmpeg`).
    let installed = system_packages_installed(ctx);
    let packages: Vec<&str> = packages.into_iter().filter(|p| !installed.iter().any(|i| i == p)).collect();
    if packages.is_empty() {
        return;
    }
    let shown = packages.iter().take(6).copied().collect::<Vec<_>>().join(" ");
    let more = if packages.len() > 6 { " …" } else { "" };
    let alpine = ctx.model.as_ref().is_some_and(|m| m.base().distro == Distro::Alpine);
    let install = if alpine {
        format!("RUN apk add --no-cache {shown}{more}")
    } else {
        format!("RUN apt-get update && apt-get install -y --no-install-recommends {shown}{more} && rm -rf /var/lib/apt/lists/*")
    };
    out.push(
        Diagnostic::new(
            &RULE,
            format!("packages.txt lists {} system package(s) ({shown}{more}), but a Docker Space ignores it: the Hub installs them for Gradio and Streamlit Spaces only, so the app runs without them", packages.len()),
        )
        .in_file("packages.txt", Some((1, 1)))
        .help(format!("install them in the Dockerfile, before USER: `{install}`")),
    );
}

/// The system packages the final image's RUNs install: the operands of `apt-get install`,
/// `apt install` and `apk add` (a version pin `pkg=1.2` named by its package).
fn system_packages_installed(ctx: &Context) -> Vec<String> {
    let Some(model) = &ctx.model else { return Vec::new() };
    let mut found = Vec::new();
    for (_, install) in model.runs_in_chain().flat_map(|r| &r.system_installs) {
        if install.manager == crate::model::installs::SystemManager::Dnf {
            continue;
        }
        for package in install.packages.iter().map(|p| p.name.as_str()) {
            found.push(package.to_string());
            found.extend(PROVIDES.iter().filter(|(name, _)| *name == package).map(|(_, p)| p.to_string()));
        }
    }
    found
}

/// Packages that install another under its new name: (package, what it brings).
/// `libgl1-mesa-glx` is a transitional package depending on `libgl1` in Debian 12 (bookworm):
/// packages.debian.org/bookworm/libgl1-mesa-glx.
const PROVIDES: &[(&str, &str)] = &[("libgl1-mesa-glx", "libgl1")];

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires, README};

    #[test]
    fn ignored_packages_txt() {
        let df = "FROM python:3.11\nRUN useradd -m -u 1000 user\nUSER user\n";
        assert!(fires(&[("README.md", README), ("Dockerfile", df), ("packages.txt", "ffmpeg\nlibgl1\n")], "RP005"));
    }

    #[test]
    fn near_misses_stay_silent() {
        let used = "FROM python:3.11\nCOPY packages.txt .\nRUN xargs -a packages.txt apt-get install -y\n";
        assert!(!fires(&[("README.md", README), ("Dockerfile", used), ("packages.txt", "ffmpeg\n")], "RP005"));
        let df = "FROM python:3.11\n";
        assert!(!fires(&[("README.md", README), ("Dockerfile", df), ("packages.txt", "# nothing\n\n")], "RP005"));
        // The Dockerfile installs every listed package itself.
        let apt = "FROM python:3.11\nRUN apt-get update && apt-get install -y --no-install-recommends libgomp1 ffmpeg=7:5.1\n";
        assert!(!fires(&[("README.md", README), ("Dockerfile", apt), ("packages.txt", "libgomp1\nffmpeg\n")], "RP005"));
        let mesa = "FROM python:3.11\nRUN apt-get update && apt-get install -y libgl1-mesa-glx\n";
        assert!(!fires(&[("README.md", README), ("Dockerfile", mesa), ("packages.txt", "libgl1\n")], "RP005"));
        let some = crate::rules::testing::lint(&[("README.md", README), ("Dockerfile", apt), ("packages.txt", "ffmpeg\nlibgl1\n")]);
        let d = some.iter().find(|d| d.code == "RP005").expect("libgl1 is not installed");
        assert!(d.message.contains("1 system package(s) (libgl1)"), "{}", d.message);
        assert!(!fires(&[("README.md", README), ("Dockerfile", df)], "RP005"));
    }
}

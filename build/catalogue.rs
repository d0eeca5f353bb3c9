//! The knowledge catalogues kept as data (`src/knowledge/*.toml`): read, validated and turned
//! into Rust statics at build time, so a wrong entry fails the build with its file and entry
//! named, and the binary holds the tables without parsing anything at run time.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

/// The Debian releases the package catalogue speaks of, oldest first.
const DEBIAN_RELEASES: &[&str] = &["bullseye", "bookworm", "trixie"];
const DISTROS: &[&str] = &["debian", "ubuntu", "alpine", "redhat", "distroless", "other"];
const SHELLS: &[&str] = &["dash", "bash", "busybox"];
const MANAGERS: &[&str] = &["apt", "apk", "dnf", "microdnf", "yum", "none"];
const TOOLS: &[&str] = &[
    "bash",
    "curl",
    "wget",
    "git",
    "git-lfs",
    "ps",
    "sudo",
    "python3",
    "pip",
    "node",
    "npm",
    "gcc",
    "make",
    "unzip",
    "ca-certificates",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Images {
    image: Vec<Image>,
    #[serde(default)]
    release: Vec<Release>,
    #[serde(default)]
    tool: Vec<ToolEntry>,
}

/// Which programs a tool of the vocabulary is, and which packages bring it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolEntry {
    name: String,
    programs: Vec<String>,
    #[serde(default)]
    apt: Vec<String>,
    #[serde(default)]
    apk: Vec<String>,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    distro: String,
    name: String,
    version: String,
    #[serde(default)]
    released: Option<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Moved {
    release: String,
    until: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Account {
    name: String,
    uid: u32,
    #[serde(default)]
    gid: Option<u32>,
    home: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Image {
    id: String,
    repositories: Vec<String>,
    tags: Vec<String>,
    distro: String,
    #[serde(default)]
    release: Option<String>,
    #[serde(default)]
    moved: Vec<Moved>,
    #[serde(default)]
    sh: Option<String>,
    #[serde(default)]
    package_manager: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    users: Vec<Account>,
    #[serde(default)]
    workdir: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    tools: Option<Vec<String>>,
    #[serde(default)]
    python: Option<String>,
    #[serde(default)]
    externally_managed: Option<bool>,
    sources: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Packages {
    #[serde(default)]
    checked: Vec<String>,
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Package {
    name: String,
    fails_on: Vec<String>,
    error: String,
    #[serde(default)]
    instead: Vec<String>,
    why: String,
    sources: Vec<String>,
}

/// Stops the build with the file and the entry at fault.
fn fail(file: &Path, entry: &str, what: impl std::fmt::Display) -> ! {
    panic!("{}: {entry}: {what}", file.display())
}

fn check_one_of(file: &Path, entry: &str, field: &str, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        fail(file, entry, format!("{field} = {value:?} is none of {allowed:?}"));
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn variant(name: &str) -> String {
    name.split(['-', '.'])
        .map(|part| {
            let mut c = part.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn check_image(file: &Path, image: &Image, ids: &mut BTreeSet<String>) {
    let entry = format!("image {:?}", image.id);
    let e = entry.as_str();
    let kebab = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !kebab(&image.id) || !ids.insert(image.id.clone()) {
        fail(file, e, "the id must be kebab-case and unique");
    }
    if image.repositories.is_empty() || image.tags.is_empty() || image.sources.is_empty() {
        fail(file, e, "repositories, tags and sources may not be empty");
    }
    for repo in &image.repositories {
        let plain = repo.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
        if !plain || repo.starts_with("docker.io/") || repo.starts_with("library/") {
            fail(file, e, format!("repository {repo:?}: lower case, without docker.io/ or library/"));
        }
    }
    for tag in &image.tags {
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || "._-*".contains(c)) {
            fail(file, e, format!("tag pattern {tag:?}: letters, digits, '.', '_', '-' and '*' only"));
        }
    }
    check_one_of(file, e, "distro", &image.distro, DISTROS);
    if let Some(sh) = &image.sh {
        check_one_of(file, e, "sh", sh, SHELLS);
    }
    if let Some(m) = &image.package_manager {
        check_one_of(file, e, "package_manager", m, MANAGERS);
    }
    for tool in image.tools.iter().flatten() {
        check_one_of(file, e, "tools", tool, TOOLS);
    }
    for name in image.env.iter().flatten() {
        if !is_env_name(name) {
            fail(file, e, format!("env {name:?} is not a variable name"));
        }
    }
    for moved in &image.moved {
        if !is_date(&moved.until) || moved.release.is_empty() {
            fail(file, e, format!("moved: {:?} until {:?} (YYYY-MM-DD)", moved.release, moved.until));
        }
    }
    for account in &image.users {
        if account.name.is_empty() || !account.home.starts_with('/') {
            fail(file, e, format!("user {:?}: a name and an absolute home", account.name));
        }
    }
    if image.workdir.as_deref().is_some_and(|w| !w.starts_with('/')) {
        fail(file, e, "workdir must be absolute");
    }
    if let Some(python) = &image.python {
        let version = python.split('.').count() == 2
            && python.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if python != "tag" && !version {
            fail(file, e, format!("python = {python:?}: \"tag\" or a version like \"3.11\""));
        }
    }
    for source in &image.sources {
        if !source.starts_with("https://") {
            fail(file, e, format!("source {source:?} must be an https:// address"));
        }
    }
}

/// Entries a previous one hides: same repository, and an earlier pattern of `*` alone.
fn check_reachable(file: &Path, images: &[Image]) {
    for (i, later) in images.iter().enumerate() {
        for earlier in &images[..i] {
            let same_repo = later.repositories.iter().any(|r| earlier.repositories.contains(r));
            if same_repo && earlier.tags.iter().any(|t| t == "*") {
                fail(
                    file,
                    &format!("image {:?}", later.id),
                    format!("never reached: {:?} takes every tag first", earlier.id),
                );
            }
        }
    }
}

fn strs(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", inner.join(", "))
}

fn opt_str(s: &Option<String>) -> String {
    s.as_ref().map_or("None".to_string(), |s| format!("Some({s:?})"))
}

fn image_source(image: &Image) -> String {
    let mut s = String::from("    ImageEntry {\n");
    writeln!(s, "        id: {:?},", image.id).unwrap();
    writeln!(s, "        repositories: {},", strs(&image.repositories)).unwrap();
    writeln!(s, "        tags: {},", strs(&image.tags)).unwrap();
    writeln!(s, "        distro: Distro::{},", variant(&image.distro)).unwrap();
    writeln!(s, "        release: {},", opt_str(&image.release)).unwrap();
    let moved: Vec<String> = image.moved.iter().map(|m| format!("({:?}, {:?})", m.release, m.until)).collect();
    writeln!(s, "        moved: &[{}],", moved.join(", ")).unwrap();
    writeln!(s, "        sh: {},", image.sh.as_ref().map_or("None".into(), |v| format!("Some(Shell::{})", variant(v))))
        .unwrap();
    let manager =
        image.package_manager.as_ref().map_or("None".into(), |v| format!("Some(PackageManager::{})", variant(v)));
    writeln!(s, "        package_manager: {manager},").unwrap();
    writeln!(s, "        user: {:?},", image.user.as_deref().unwrap_or("root")).unwrap();
    let users: Vec<String> = image
        .users
        .iter()
        .map(|a| format!("Account {{ name: {:?}, uid: {}, gid: {:?}, home: {:?} }}", a.name, a.uid, a.gid, a.home))
        .collect();
    writeln!(s, "        users: &[{}],", users.join(", ")).unwrap();
    writeln!(s, "        workdir: {:?},", image.workdir.as_deref().unwrap_or("/")).unwrap();
    writeln!(s, "        env: {},", image.env.as_ref().map_or("None".into(), |e| format!("Some({})", strs(e))))
        .unwrap();
    let tools = image.tools.as_ref().map_or("None".into(), |t| {
        format!("Some(&[{}])", t.iter().map(|t| format!("Tool::{}", variant(t))).collect::<Vec<_>>().join(", "))
    });
    writeln!(s, "        tools: {tools},").unwrap();
    writeln!(s, "        python: {},", opt_str(&image.python)).unwrap();
    writeln!(s, "        externally_managed: {:?},", image.externally_managed).unwrap();
    writeln!(s, "        sources: {},", strs(&image.sources)).unwrap();
    s.push_str("    },\n");
    s
}

fn release_source(r: &Release) -> String {
    format!(
        "    ReleaseEntry {{ distro: Distro::{}, name: {:?}, version: {:?}, released: {:?}, source: {:?} }},\n",
        variant(&r.distro),
        r.name,
        r.version,
        r.released,
        r.source
    )
}

/// `src/knowledge/base_images.toml` → `base_images.rs` in OUT_DIR.
pub fn base_images(file: &Path, out: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| fail(file, "read", e));
    let images: Images = toml::from_str(&text).unwrap_or_else(|e| fail(file, "parse", e));
    let mut ids = BTreeSet::new();
    for image in &images.image {
        check_image(file, image, &mut ids);
    }
    check_reachable(file, &images.image);
    for r in &images.release {
        let entry = format!("release {:?}", r.name);
        check_one_of(file, &entry, "distro", &r.distro, DISTROS);
        if r.released.as_deref().is_some_and(|d| !is_date(d)) || !r.source.starts_with("https://") {
            fail(file, &entry, "released is YYYY-MM-DD and source an https:// address");
        }
    }
    let mut tools = BTreeSet::new();
    for t in &images.tool {
        let entry = format!("tool {:?}", t.name);
        check_one_of(file, &entry, "name", &t.name, TOOLS);
        if !tools.insert(t.name.clone())
            || t.programs.is_empty()
            || t.sources.iter().any(|s| !s.starts_with("https://"))
            || t.sources.is_empty()
        {
            fail(file, &entry, "once, with programs and https:// sources");
        }
    }
    let mut s = String::from("/// The base-image catalogue (generated by build.rs from base_images.toml).\npub static IMAGES: &[ImageEntry] = &[\n");
    images.image.iter().for_each(|i| s.push_str(&image_source(i)));
    s.push_str("];\n\n/// Distribution releases, to read a tag's release (generated).\npub static RELEASES: &[ReleaseEntry] = &[\n");
    images.release.iter().for_each(|r| s.push_str(&release_source(r)));
    s.push_str("];\n\n/// The programs each tool is, and the packages that bring it (generated).\npub static TOOLS: &[ToolEntry] = &[\n");
    for t in &images.tool {
        writeln!(
            s,
            "    ToolEntry {{ tool: Tool::{}, programs: {}, apt: {}, apk: {}, sources: {} }},",
            variant(&t.name),
            strs(&t.programs),
            strs(&t.apt),
            strs(&t.apk),
            strs(&t.sources)
        )
        .unwrap();
    }
    s.push_str("];\n");
    std::fs::write(out.join("base_images.rs"), s).expect("write base_images.rs");
}

/// `src/knowledge/apt_packages.toml` → `apt_packages.rs` in OUT_DIR.
pub fn apt_packages(file: &Path, out: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| fail(file, "read", e));
    let packages: Packages = toml::from_str(&text).unwrap_or_else(|e| fail(file, "parse", e));
    let debian_name = |n: &str| {
        n.len() >= 2
            && n.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
    };
    let mut names = BTreeSet::new();
    for p in &packages.package {
        let entry = format!("package {:?}", p.name);
        if !debian_name(&p.name) || !names.insert(p.name.clone()) {
            fail(file, &entry, "a Debian package name, once");
        }
        if p.fails_on.is_empty() || p.sources.is_empty() || p.why.is_empty() || p.error.is_empty() {
            fail(file, &entry, "fails_on, error, why and sources may not be empty");
        }
        for release in &p.fails_on {
            check_one_of(file, &entry, "fails_on", release, DEBIAN_RELEASES);
        }
        if let Some(bad) = p.instead.iter().find(|n| !debian_name(n)) {
            fail(file, &entry, format!("instead: {bad:?} is not a package name"));
        }
    }
    if let Some(both) = packages.checked.iter().find(|n| names.contains(*n)) {
        fail(file, &format!("checked {both:?}"), "listed as working everywhere and as failing");
    }
    let mut s = String::from("/// Packages whose install fails on some Debian release (generated by build.rs).\npub static FAILING: &[AptPackage] = &[\n");
    for p in &packages.package {
        writeln!(
            s,
            "    AptPackage {{ name: {:?}, fails_on: {}, error: {:?}, instead: {}, why: {:?}, sources: {} }},",
            p.name,
            strs(&p.fails_on),
            p.error,
            strs(&p.instead),
            p.why,
            strs(&p.sources)
        )
        .unwrap();
    }
    s.push_str("];\n\n/// Names checked to install on every release (generated).\npub static WORKING: &[&str] = ");
    s.push_str(&strs(&packages.checked));
    s.push_str(";\n");
    std::fs::write(out.join("apt_packages.rs"), s).expect("write apt_packages.rs");
}

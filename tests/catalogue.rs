//! The knowledge catalogues' build-time validation (`build/catalogue.rs`, run by build.rs) on
//! broken entries: each must stop the build with the file and the entry named. The real files
//! pass (the crate built), and a good entry here passes too, so the failures are the checks'.

#[path = "../build/catalogue.rs"]
#[allow(dead_code)]
mod catalogue;

use std::path::Path;

const GOOD_IMAGE: &str = r#"
[[image]]
id = "python-slim"
repositories = ["python"]
tags = ["*-slim"]
distro = "debian"
release = "trixie"
moved = [{ release = "bookworm", until = "2025-08-11" }]
sh = "dash"
package_manager = "apt"
users = [{ name = "app", uid = 1000, home = "/home/app" }]
env = ["PATH"]
tools = ["bash"]
python = "tag"
sources = ["https://github.com/docker-library/python/blob/master/3.13/slim-trixie/Dockerfile"]

[[release]]
distro = "debian"
name = "trixie"
version = "13"
source = "https://www.debian.org/releases/trixie/"
"#;

const GOOD_PACKAGE: &str = r#"
checked = ["curl"]
[[package]]
name = "libgl1-mesa-glx"
fails_on = ["bookworm", "trixie"]
error = "E: Package 'libgl1-mesa-glx' has no installation candidate"
instead = ["libgl1"]
why = "removed in Debian 12"
sources = ["https://packages.debian.org/bookworm/libgl1-mesa-glx"]
"#;

/// Runs a generator on `text`; the panic message when it refuses it.
fn refusal(generate: fn(&Path, &Path), text: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("catalogue.toml");
    std::fs::write(&file, text).expect("write");
    let out = dir.path().to_path_buf();
    let result = std::panic::catch_unwind(move || generate(&file, &out));
    result.err().map(|e| e.downcast_ref::<String>().cloned().unwrap_or_default())
}

#[test]
fn good_entries_pass_and_generate_rust() {
    assert_eq!(refusal(catalogue::base_images, GOOD_IMAGE), None);
    assert_eq!(refusal(catalogue::apt_packages, GOOD_PACKAGE), None);
}

#[test]
fn broken_image_entries_stop_the_build() {
    for (broken, expected) in [
        (GOOD_IMAGE.replace("distro = \"debian\"", "distro = \"debain\""), "distro = \"debain\" is none of"),
        (GOOD_IMAGE.replace("tools = [\"bash\"]", "tools = [\"bash\", \"vim\"]"), "tools = \"vim\""),
        (GOOD_IMAGE.replace("until = \"2025-08-11\"", "until = \"August 2025\""), "moved"),
        (GOOD_IMAGE.replace("https://github.com/docker-library", "github.com/docker-library"), "must be an https:// address"),
        (GOOD_IMAGE.replace("repositories = [\"python\"]", "repositories = [\"library/python\"]"), "without docker.io/ or library/"),
        (GOOD_IMAGE.replace("python = \"tag\"", "python = \"3\""), "python = \"3\""),
        (GOOD_IMAGE.replace("home = \"/home/app\"", "home = \"home/app\""), "absolute home"),
        (GOOD_IMAGE.replace("env = [\"PATH\"]", "env = [\"MY-VAR\"]"), "not a variable name"),
        (GOOD_IMAGE.replace("sh = \"dash\"", "shell = \"dash\""), "unknown field"),
        (format!("{GOOD_IMAGE}\n[[image]]\nid = \"python-slim\"\nrepositories = [\"python\"]\ntags = [\"x\"]\ndistro = \"debian\"\nsources = [\"https://a\"]\n"), "unique"),
        (GOOD_IMAGE.replace("tags = [\"*-slim\"]", "tags = [\"*\"]") + "\n[[image]]\nid = \"python-later\"\nrepositories = [\"python\"]\ntags = [\"x\"]\ndistro = \"debian\"\nsources = [\"https://a\"]\n", "never reached"),
    ] {
        let said = refusal(catalogue::base_images, &broken).unwrap_or_else(|| panic!("accepted: {broken}"));
        assert!(said.contains("catalogue.toml") && said.contains(expected), "{expected}: {said}");
    }
}

#[test]
fn broken_package_entries_stop_the_build() {
    for (broken, expected) in [
        (GOOD_PACKAGE.replace("[\"bookworm\", \"trixie\"]", "[\"bookworm\", \"sid\"]"), "fails_on = \"sid\""),
        (GOOD_PACKAGE.replace("instead = [\"libgl1\"]", "instead = [\"LibGL\"]"), "not a package name"),
        (GOOD_PACKAGE.replace("why = \"removed in Debian 12\"", "why = \"\""), "may not be empty"),
        (
            GOOD_PACKAGE.replace("checked = [\"curl\"]", "checked = [\"libgl1-mesa-glx\"]"),
            "working everywhere and as failing",
        ),
        (format!("{GOOD_PACKAGE}{}", GOOD_PACKAGE.replace("checked = [\"curl\"]", "")), "once"),
    ] {
        let said = refusal(catalogue::apt_packages, &broken).unwrap_or_else(|| panic!("accepted: {broken}"));
        assert!(said.contains("catalogue.toml") && said.contains(expected), "{expected}: {said}");
    }
}

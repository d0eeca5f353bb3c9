//! The Python distribution's files agree with the crate: the wheel's project, the pre-commit
//! hooks (this repository's and the mirror's) and the mirror's pinned version. What they do
//! when installed is checked by `scripts/test_python.sh` (run by `scripts/test.sh`).

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn toml(path: &str) -> toml::Table {
    read(path).parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_wheel_is_the_binary_and_its_finder() {
    let project = toml("pyproject.toml");
    let maturin = &project["tool"]["maturin"];
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(maturin["module-name"].as_str(), Some("spacecheck"));
    assert_eq!(project["project"]["name"].as_str(), Some("spacecheck"));
    // The version comes from Cargo.toml.
    assert!(project["project"]["dynamic"].as_array().unwrap().iter().any(|v| v.as_str() == Some("version")));
    let package = read("python/spacecheck/__init__.py");
    assert!(package.contains("def find_spacecheck_bin"));
    assert!(read("python/spacecheck/__main__.py").contains("sys.exit(main())"));
}

#[test]
fn the_mirror_pins_this_version() {
    let mirror = toml("python/pre-commit-mirror/pyproject.toml");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(mirror["project"]["version"].as_str(), Some(version));
    let dependencies: Vec<&str> =
        mirror["project"]["dependencies"].as_array().unwrap().iter().filter_map(|d| d.as_str()).collect();
    assert_eq!(dependencies, [format!("spacecheck=={version}")]);
}

#[derive(serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
}

#[test]
fn both_hooks_install_the_python_package() {
    for path in [".pre-commit-hooks.yaml", "python/pre-commit-mirror/.pre-commit-hooks.yaml"] {
        let hooks: Vec<Hook> = serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(hooks.len(), 1, "{path}");
        assert_eq!((hooks[0].id.as_str(), hooks[0].language.as_str()), ("spacecheck", "python"), "{path}");
        assert!(hooks[0].entry.starts_with("spacecheck "), "{path}");
    }
}

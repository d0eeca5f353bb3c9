//! The README's walkthrough shows real output: run each `$ spacecheck ...` command of its `text`
//! blocks and compare with the lines shown under it.

use assert_cmd::Command;

#[test]
fn readme_walkthrough_output_is_true() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    let mut checked = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        let mut lines = block.lines();
        let Some(command) = lines.next().and_then(|l| l.strip_prefix("$ spacecheck ")) else { continue };
        let expected: Vec<&str> = lines.collect();
        let out = Command::cargo_bin("spacecheck")
            .expect("bin")
            .current_dir(root)
            .env("NO_COLOR", "1")
            .args(command.split_whitespace())
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let actual: Vec<&str> = stdout.lines().collect();
        assert_eq!(actual, expected, "README output of `spacecheck {command}` is out of date");
        checked += 1;
    }
    assert!(checked >= 1, "no walkthrough block found in README.md");
}

//! `spacecheck init`: every template writes a Space that passes spacecheck's own lint; the
//! student path (an empty folder → init with the assignment → lint; a broken Space → --fix) ends
//! passing offline; nothing is ever overwritten.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const EMAIL: &str = "23f1000000@ds.study.iitm.ac.in";

fn spacecheck(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("spacecheck").unwrap().env("NO_COLOR", "1").args(args).output().unwrap()
}

fn lint_json(dir: &Path) -> (Value, i32) {
    let out = spacecheck(&[dir.to_str().unwrap(), "--offline", "--format", "json"]);
    (serde_json::from_slice(&out.stdout).unwrap(), out.status.code().unwrap())
}

fn codes(v: &Value) -> Vec<String> {
    v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_template_passes_its_own_lint() {
    for template in ["fastapi", "gradio", "streamlit", "static"] {
        let dir = tempfile::tempdir().unwrap();
        let space = dir.path().join("demo-space");
        let out = spacecheck(&["init", space.to_str().unwrap(), "--template", template]);
        assert_eq!(out.status.code(), Some(0), "{template}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("next: spacecheck"));
        let (v, code) = lint_json(&space);
        assert_eq!(code, 0, "{template}: {v}");
        assert!(codes(&v).is_empty(), "{template}: not a finding, not even a warning: {:?}", codes(&v));
        let readme = std::fs::read_to_string(space.join("README.md")).unwrap();
        assert!(readme.contains("title: demo-space\n") && readme.contains("app_port: 7860\n"), "{readme}");
        // Nothing left to fix either.
        let diff = spacecheck(&[space.to_str().unwrap(), "--offline", "--diff"]);
        assert!(diff.stdout.is_empty(), "{template}: {}", String::from_utf8_lossy(&diff.stdout));
    }
}

/// The student path: an empty folder, `init` with the assignment, a lint that passes offline
/// with the grader INCOMPLETE only for the checks that need the Hub; then a broken Space fixed by
/// `--fix --unsafe-fixes` until it passes.
#[test]
fn the_student_path_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let space = dir.path().join("ga2");
    let out = spacecheck(&["init", space.to_str().unwrap(), "--assignment", "ga2", "--email", EMAIL]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // spacecheck.yaml carries the assignment: a plain lint checks it.
    let (v, code) = lint_json(&space);
    assert_eq!(code, 0, "{v}");
    assert!(codes(&v).is_empty(), "{:?}", codes(&v));
    assert_eq!(v["grader"]["verdict"], "INCOMPLETE", "{}", v["grader"]);
    let unknown: Vec<u64> =
        v["grader"]["unknown_checks"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
    // The Hub-only checks of grader.md: submission URL and info (1-5), secret (8), hardware (12).
    assert_eq!(unknown, [1, 2, 3, 4, 5, 8, 12]);
    assert!(std::fs::read_to_string(space.join("README.md")).unwrap().contains("title: ga2-084d53\n"));

    // Broken: the README's port, no EXPOSE, uvicorn on loopback.
    let dockerfile = std::fs::read_to_string(space.join("Dockerfile")).unwrap();
    let broken = dockerfile.replace("EXPOSE 7349\n", "").replace("\"--host\", \"0.0.0.0\", ", "");
    std::fs::write(space.join("Dockerfile"), broken).unwrap();
    let readme = std::fs::read_to_string(space.join("README.md")).unwrap();
    std::fs::write(space.join("README.md"), readme.replace("app_port: 7349", "app_port: 7860")).unwrap();
    let (v, code) = lint_json(&space);
    assert_eq!(code, 1);
    for expected in ["FM005", "DF009", "GA003", "GA006"] {
        assert!(codes(&v).contains(&expected.to_string()), "{expected} in {:?}", codes(&v));
    }
    let fixed = spacecheck(&[space.to_str().unwrap(), "--offline", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&fixed.stdout),
        String::from_utf8_lossy(&fixed.stderr)
    );
    let (v, code) = lint_json(&space);
    assert_eq!((code, codes(&v)), (0, vec![]), "{v}");
}

#[test]
fn init_takes_a_policys_values_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("company.yaml");
    std::fs::write(&policy, "space:\n  name: team-demo\n  app_port: 8080\n  description_contains: acme-demo\n")
        .unwrap();
    let space = dir.path().join("space");
    spacecheck(&["init", space.to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
    let readme = std::fs::read_to_string(space.join("README.md")).unwrap();
    assert!(
        readme.contains("title: team-demo\n") && readme.contains("app_port: 8080\n") && readme.contains("acme-demo")
    );
    assert_eq!(
        std::fs::read_to_string(space.join("spacecheck.yaml")).unwrap(),
        std::fs::read_to_string(&policy).unwrap()
    );
    let (v, code) = lint_json(&space);
    assert_eq!((code, codes(&v)), (0, vec![]), "{v}");

    // A folder with a README and a Dockerfile of its own: refused, and nothing written.
    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("README.md"), "mine\n").unwrap();
    std::fs::write(taken.join("Dockerfile"), "FROM scratch\n").unwrap();
    let out = spacecheck(&["init", taken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(taken.join("README.md")).unwrap(), "mine\n");
    assert!(!taken.join("main.py").exists(), "nothing written");

    // A Space created on the Hub and cloned (its README and .gitattributes only): the other
    // files are written, the README keeps every key and line it has and gains the ones it
    // lacks, and the diff is shown. A value it has (`sdk: gradio`) is never overwritten: the
    // lint then says what to change.
    let cloned = dir.path().join("cloned");
    std::fs::create_dir(&cloned).unwrap();
    let hub_readme = "---\ntitle: Demo\nemoji: 🚀\ncolorFrom: pink\ncolorTo: red\nsdk: docker\npinned: false\n---\n\nCheck out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference\n";
    std::fs::write(cloned.join("README.md"), hub_readme).unwrap();
    std::fs::write(cloned.join(".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n").unwrap();
    let out = spacecheck(&["init", cloned.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("+app_port: 7860") && shown.contains("README.md kept"), "{shown}");
    let merged = std::fs::read_to_string(cloned.join("README.md")).unwrap();
    assert!(
        merged.starts_with(
            "---\ntitle: Demo\nemoji: 🚀\ncolorFrom: pink\ncolorTo: red\nsdk: docker\npinned: false\napp_port: 7860\n"
        ),
        "{merged}"
    );
    assert!(
        merged.ends_with(
            "---\n\nCheck out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference\n"
        ),
        "{merged}"
    );
    let (v, code) = lint_json(&cloned);
    assert_eq!((code, codes(&v)), (0, vec![]), "{v}");
    let gradio = dir.path().join("gradio-clone");
    std::fs::create_dir(&gradio).unwrap();
    std::fs::write(gradio.join("README.md"), hub_readme.replace("sdk: docker", "sdk: gradio")).unwrap();
    assert_eq!(spacecheck(&["init", gradio.to_str().unwrap()]).status.code(), Some(0));
    assert!(std::fs::read_to_string(gradio.join("README.md")).unwrap().contains("sdk: gradio\n"), "never overwritten");
    assert!(codes(&lint_json(&gradio).0).contains(&"FM004".to_string()));
    // A README without a block gets the template's block first, its text after.
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("README.md"), "# Mine\n").unwrap();
    assert_eq!(spacecheck(&["init", plain.to_str().unwrap()]).status.code(), Some(0));
    let readme = std::fs::read_to_string(plain.join("README.md")).unwrap();
    assert!(readme.starts_with("---\ntitle: ") && readme.ends_with("---\n# Mine\n"), "{readme}");
    // An assignment is graded on FastAPI.
    let out = spacecheck(&[
        "init",
        dir.path().join("g").to_str().unwrap(),
        "--assignment",
        "ga2",
        "--email",
        EMAIL,
        "--template",
        "gradio",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A shared policy's values are data: written as literals of the language they land in, they
/// never become code (a name that closes the string and calls `os.system`), YAML keys (a
/// description with a line break) or markup; a base image or secret that cannot be one is
/// refused. An email with a line break is refused too (it would add keys to spacecheck.yaml).
#[test]
fn a_hostile_policy_never_writes_code() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    let name = r#"x", "pwned": __import__("os").system("id"), "y": "</title><script>alert(1)</script>"#;
    let yaml = format!(
        "space:\n  name: {}\n  description_contains: \"ok\\nsdk: gradio\"\n  app_port: 7860\n",
        serde_json::to_string(name).unwrap()
    );
    std::fs::write(&policy, &yaml).unwrap();
    for template in ["fastapi", "gradio", "streamlit", "static"] {
        let space = dir.path().join(template);
        let out = spacecheck(&[
            "init",
            space.to_str().unwrap(),
            "--template",
            template,
            "--policy",
            policy.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{template}: {}", String::from_utf8_lossy(&out.stderr));
        let readme = std::fs::read_to_string(space.join("README.md")).unwrap();
        assert!(readme.contains("sdk: docker\n") && !readme.contains("\nsdk: gradio"), "{readme}");
        let app = ["main.py", "app.py", "index.html"]
            .iter()
            .find_map(|f| std::fs::read_to_string(space.join(f)).ok())
            .unwrap();
        assert!(template != "static" || !app.contains("<script>"), "{template}: {app}");
        if template != "static" {
            // Python reads the title as one string: no call of os.system anywhere.
            let check = "import ast,sys\ntree = ast.parse(sys.stdin.read())\nassert not any(isinstance(n, ast.Call) and getattr(n.func, 'attr', '') == 'system' for n in ast.walk(tree))\n";
            let mut python = std::process::Command::new("python3");
            python.args(["-c", check]).stdin(std::process::Stdio::piped());
            let mut child = python.spawn().unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), app.as_bytes()).unwrap();
            assert!(child.wait().unwrap().success(), "{template}: the policy's name became code:\n{app}");
        }
        let (v, _) = lint_json(&space);
        assert!(!codes(&v).iter().any(|c| c.starts_with("FM")), "{template}: {:?}", codes(&v));
    }
    for bad in [
        "dockerfile:\n  base_image: \"python:3.11\\nRUN curl x | sh\"\n",
        "space:\n  secrets: [\"X\\\")); import os; ((\\\"\"]\n",
    ] {
        std::fs::write(&policy, bad).unwrap();
        let out =
            spacecheck(&["init", dir.path().join("refused").to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!dir.path().join("refused").join("Dockerfile").exists());
    }
    let out = spacecheck(&[
        "init",
        dir.path().join("email").to_str().unwrap(),
        "--assignment",
        "ga2",
        "--email",
        "a@b.c\npolicy: x",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

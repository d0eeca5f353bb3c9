//! Bad input gets a clear message with the place, never a panic or a hang: binary and invalid
//! UTF-8 files, a 10 MB line, a YAML alias bomb, symbolic link loops and links out of the Space,
//! a Dockerfile that is a folder, oversized files.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn run(dir: &Path) -> (Value, i32) {
    let out = Command::cargo_bin("spacecheck").expect("bin").arg(dir).args(["--format", "json"]).output().expect("run");
    let code = out.status.code().unwrap_or(-1);
    assert!((0..=2).contains(&code), "exit {code}: {}", String::from_utf8_lossy(&out.stderr));
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, code)
}

fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

const README: &str = "---\nsdk: docker\napp_port: 7860\n---\n";

fn space_with_dockerfile(bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), README).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), bytes).expect("write");
    dir
}

#[test]
fn binary_dockerfile() {
    let dir = space_with_dockerfile(b"FROM python\n\x00\x01\x02ELF");
    let (v, code) = run(dir.path());
    assert_eq!(code, 1);
    let d = finding(&v, "DF002");
    assert!(d["message"].as_str().unwrap().contains("binary"));
    assert_eq!(d["line"].as_u64(), Some(2));
}

#[test]
fn invalid_utf8_names_the_place() {
    let dir = space_with_dockerfile(b"FROM python\nRUN echo \xff\xfe\n");
    let (v, _) = run(dir.path());
    let d = finding(&v, "DF002");
    assert!(d["message"].as_str().unwrap().contains("not valid UTF-8"));
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(10)));
}

#[test]
fn a_ten_megabyte_line() {
    let mut bytes = b"FROM python\nRUN echo ".to_vec();
    bytes.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    let dir = space_with_dockerfile(&bytes);
    let (v, _) = run(dir.path());
    // Over the 4 MiB read cap: refused before parsing, with the reason.
    assert!(finding(&v, "DF002")["message"].as_str().unwrap().contains("limit"));
    // Under the cap but over BuildKit's 64 KiB line limit: refused by the parser, with the line.
    let mut bytes = b"FROM python\nRUN echo ".to_vec();
    bytes.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    let dir = space_with_dockerfile(&bytes);
    let (v, _) = run(dir.path());
    let d = finding(&v, "DF002");
    assert!(d["message"].as_str().unwrap().contains("BuildKit refuses"));
    assert_eq!(d["line"].as_u64(), Some(2));
}

#[test]
fn yaml_alias_bomb_in_the_frontmatter() {
    let mut yaml = String::from(
        "---\nsdk: docker\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='i' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    yaml.push_str("---\n");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), yaml).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.11\n").expect("write");
    let (v, code) = run(dir.path());
    assert_eq!(code, 1);
    assert!(finding(&v, "FM003")["message"].as_str().unwrap().contains("not valid YAML"));
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_links_out_of_the_space() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret"), "FROM python\n").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), README).expect("write");
    symlink(outside.path().join("secret"), dir.path().join("Dockerfile")).expect("link");
    symlink("loop-b", dir.path().join("loop-a")).expect("link");
    symlink("loop-a", dir.path().join("loop-b")).expect("link");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    symlink("..", dir.path().join("sub/up")).expect("link");
    let (v, _) = run(dir.path());
    assert!(finding(&v, "DF002")["message"].as_str().unwrap().contains("outside the Space"));

    std::fs::remove_file(dir.path().join("Dockerfile")).expect("rm");
    symlink("Dockerfile", dir.path().join("Dockerfile")).expect("self link");
    let (v, _) = run(dir.path());
    assert!(finding(&v, "DF002")["message"].as_str().unwrap().contains("cannot be resolved"));
}

#[test]
fn dockerfile_that_is_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), README).expect("write");
    std::fs::create_dir(dir.path().join("Dockerfile")).expect("mkdir");
    let (v, _) = run(dir.path());
    assert!(finding(&v, "DF002")["message"].as_str().unwrap().contains("is a folder"));
}

#[test]
fn empty_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "").expect("write");
    std::fs::write(dir.path().join("Dockerfile"), "").expect("write");
    let (v, code) = run(dir.path());
    assert_eq!(code, 1);
    finding(&v, "FM002");
    finding(&v, "DF002");
}

#[test]
fn no_output_format_shows_a_secret() {
    // Built with concat! so this source file holds no token-shaped text (RP001 scans it).
    let token = concat!("hf", "_ZyXwVuTsRqPoNmLkJiHgFeDcBaZyXwVuTs");
    let password = "correct-horse-battery-staple";
    let dockerfile = format!("FROM python\nENV HF_TOKEN={token}\nENV DB_PASSWORD={password}\nRUN curl -H 'Authorization: Bearer {token}' x\nUSER 1001\n");
    let readme = format!("---\nsdk: docker\ntitle: {token}\n---\n");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), readme).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write");
    std::fs::write(dir.path().join("notes.txt"), format!("my token is {token}\n")).expect("write");
    let mut seen = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let out = Command::cargo_bin("spacecheck")
            .expect("bin")
            .arg(dir.path())
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(token), "{format} shows the token:\n{all}");
        assert!(!all.contains(&token[3..20]), "{format} shows part of the token");
        assert!(!all.contains(password), "{format} shows the password:\n{all}");
        seen.push(all);
    }
    // The findings are there all the same.
    assert!(seen[1].contains("DF010") && seen[1].contains("RP001"));
}

#[test]
fn oversized_policy_and_roster_line_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), README).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.11\n").unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, format!("# {}\nspace: {{}}\n", "x".repeat(2 << 20))).unwrap();
    let out = Command::cargo_bin("spacecheck").unwrap().arg(dir.path()).arg("--policy").arg(&policy).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a policy is a small YAML file"));

    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, format!("space\n{}\n", "a".repeat(2 << 20))).unwrap();
    let out = Command::cargo_bin("spacecheck")
        .unwrap()
        .args(["grade", roster.to_str().unwrap()])
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("longer than 1 MiB"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// A FIFO anywhere in the Space (README.md, the Dockerfile, any other file, the policy) is
/// never opened for a blocking read: spacecheck finishes, and says what it could not read.
#[test]
fn fifos_never_block() {
    for name in ["README.md", "Dockerfile", "app.py", "spacecheck.yaml"] {
        let dir = space_with_dockerfile(b"FROM python:3.11\nUSER 1000\n");
        let _ = std::fs::remove_file(dir.path().join(name));
        mkfifo(&dir.path().join(name));
        let start = std::time::Instant::now();
        let out = Command::cargo_bin("spacecheck")
            .expect("bin")
            .arg(dir.path())
            .args(["--format", "json"])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("run");
        let code = out.status.code();
        assert!(matches!(code, Some(0..=2)), "{name}: {code:?} {}", String::from_utf8_lossy(&out.stderr));
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "{name} took {:?}", start.elapsed());
        if name == "spacecheck.yaml" {
            assert_eq!(code, Some(2));
            assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
        }
    }
}

/// A `spacecheck.yaml` that links out of the Space is not read (its text would be echoed).
#[test]
fn a_policy_linking_out_of_the_space_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("passwd"), "root:x:0:0:secret line\n").expect("write");
    let dir = space_with_dockerfile(b"FROM python:3.11\nUSER 1000\n");
    std::os::unix::fs::symlink(outside.path().join("passwd"), dir.path().join("spacecheck.yaml")).expect("link");
    let out = Command::cargo_bin("spacecheck").expect("bin").arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("outside the Space") && !stderr.contains("secret line"), "{stderr}");
}

/// Escape sequences in a Space's files and file names never reach the terminal raw: a clear
/// screen, a title change or hidden text in a Dockerfile line is shown as `?` in the snippet
/// and as `\u{1b}` in messages; a newline in a file name cannot start a workflow command.
#[test]
fn terminal_escapes_are_neutralized() {
    // (Not `\x1b[8m` in the COPY source: `[` makes it a wildcard, which may match nothing.)
    let dir =
        space_with_dockerfile(b"FROM python\x1b[2J\x1b]0;owned\x07\nCOPY missing\x1b]0;x\x07.txt /app/\nUSER 1000\n");
    std::fs::write(dir.path().join("evil\x1b[31m\n::error file=x::forged.txt"), "hf").expect("write");
    let out =
        Command::cargo_bin("spacecheck").expect("bin").arg(dir.path()).env("NO_COLOR", "1").output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\x1b') && !stdout.contains('\x07'), "{stdout}");
    assert!(stdout.contains("RP002") || stdout.contains("DF011"), "{stdout}");
    let github = Command::cargo_bin("spacecheck")
        .expect("bin")
        .arg(dir.path())
        .args(["--format", "github"])
        .output()
        .expect("run");
    for line in String::from_utf8_lossy(&github.stdout).lines().chain(String::from_utf8_lossy(&github.stderr).lines()) {
        assert!(!line.starts_with("::error file=x"), "forged: {line}");
    }
}

/// A credential in a file whose name is not UTF-8 is still found (the name is shown with
/// U+FFFD for its bad bytes).
#[test]
fn a_token_in_a_file_with_a_non_utf8_name_is_found() {
    use std::os::unix::ffi::OsStrExt;
    let dir = space_with_dockerfile(b"FROM python:3.11\nUSER 1000\n");
    let name = std::ffi::OsStr::from_bytes(b"conf\xff\xfe.py");
    let token = format!("hf_{}", "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTy");
    std::fs::write(dir.path().join(name), format!("TOKEN = '{token}'\n")).expect("write");
    let (v, code) = run(dir.path());
    assert_eq!(code, 1);
    let rp001 = finding(&v, "RP001");
    assert!(rp001["file"].as_str().unwrap().starts_with("conf"), "{rp001}");
    assert!(!v.to_string().contains(&token[3..20]));
}

/// U+FFFE and U+FFFF are not XML characters: a file name holding them must not make the
/// JUnit report ill-formed.
#[test]
fn junit_never_carries_characters_xml_forbids() {
    let dir = space_with_dockerfile(b"FROM python:3.11\nUSER 1000\n");
    let token = format!("hf_{}", "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi");
    std::fs::write(dir.path().join("notes\u{FFFE}\u{FFFF}.txt"), format!("t = '{token}'\n")).expect("write");
    let out = Command::cargo_bin("spacecheck")
        .expect("bin")
        .arg(dir.path())
        .args(["--format", "junit"])
        .output()
        .expect("run");
    let xml = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(xml.contains("RP001") && xml.contains("notes"), "{xml}");
    assert!(!xml.contains(['\u{FFFE}', '\u{FFFF}']), "{xml}");
}

/// spacecheck as a user who cannot read what mode 000 hides: this user, or (root reads
/// everything) `nobody` through util-linux's `setpriv`; `None` when neither is possible.
fn as_unprivileged(args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    let bin = assert_cmd::cargo::cargo_bin("spacecheck");
    let mut command = if unsafe { libc::geteuid() } != 0 {
        std::process::Command::new(&bin)
    } else if std::path::Path::new("/usr/bin/setpriv").exists() {
        let mut c = std::process::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(&bin);
        c
    } else {
        return None;
    };
    Some(command.args(args).output().expect("run"))
}

/// A folder the user cannot read is never skipped in silence: inside the Space, the check is
/// incomplete (exit 2, the folder named: a token there would not be seen); the Space folder
/// itself, a clear error (exit 2), not findings about "missing" files.
#[test]
fn unreadable_folders_are_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = space_with_dockerfile(b"FROM python:3.11\nUSER 1000\n");
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
    mode(dir.path(), 0o755);
    let secret = dir.path().join("secret");
    std::fs::create_dir(&secret).expect("mkdir");
    std::fs::write(secret.join("token.txt"), "x").expect("write");
    mode(&secret, 0o000);
    let json = std::ffi::OsStr::new("--format=json");
    let Some(out) = as_unprivileged(&[dir.path().as_os_str(), json]) else {
        eprintln!("note: running as root without setpriv: unreadable folders not tested");
        return;
    };
    mode(&secret, 0o755);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status.code(), Some(2), "{v} {}", String::from_utf8_lossy(&out.stderr));
    assert!(v["error"].as_str().is_some_and(|e| e.contains("`secret`")), "{v}");
    // Git-ignored, the folder is never pushed: no gap in the check.
    std::fs::write(dir.path().join(".gitignore"), "secret/\n").expect("write");
    mode(&secret, 0o000);
    let out = as_unprivileged(&[dir.path().as_os_str(), json]).expect("as before");
    mode(&secret, 0o755);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stdout));
    mode(dir.path(), 0o000);
    let out = as_unprivileged(&[dir.path().as_os_str()]).expect("as before");
    mode(dir.path(), 0o755);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"), "{}", String::from_utf8_lossy(&out.stderr));
}

//! Scaling: for each input family the application model reads, doubling the input (1x, 2x, 4x,
//! 8x) must not grow the work faster than linearly, so a quadratic path fails here instead of
//! in a grader's batch. Each size is linted in-process, best of three; the 8x input must take at
//! most 3 × 8 times the 1x one (room for noise and caches), and under 10 s.

use std::path::Path;
use std::time::{Duration, Instant};

use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::space::Space;

const README: &str = "---\nsdk: docker\napp_port: 7860\n---\n";

fn write(dir: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Best of three in-process lints of the Space that `make(n)` writes.
fn time_of(n: usize, make: &dyn Fn(usize) -> Vec<(String, String)>) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &make(n));
    let policy = Policy::baseline();
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let space = Space::load(dir.path()).unwrap();
            let report = lint::lint(&space, &policy, &Options::default());
            std::hint::black_box(report);
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn assert_linear(name: &str, base: usize, make: &dyn Fn(usize) -> Vec<(String, String)>) {
    let times: Vec<Duration> = [1, 2, 4, 8].iter().map(|k| time_of(base * k, make)).collect();
    let (one, eight) = (times[0].max(Duration::from_micros(200)), times[3]);
    assert!(eight < Duration::from_secs(10), "{name}: 8x took {eight:?}");
    assert!(
        eight <= one * 24,
        "{name}: 1x {:?}, 2x {:?}, 4x {:?}, 8x {:?}: faster than linear",
        times[0],
        times[1],
        times[2],
        eight
    );
}

fn base_files(dockerfile: String) -> Vec<(String, String)> {
    vec![("README.md".into(), README.into()), ("Dockerfile".into(), dockerfile)]
}

/// A chain of modules, each importing the next, each writing a file.
#[test]
fn an_import_chain_grows_linearly() {
    assert_linear("import chain", 100, &|n| {
        let mut files = base_files("FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"m0.py\"]\n".into());
        for i in 0..n {
            let text = format!(
                "import os\nimport m{}\nfrom . import m{}\nos.makedirs('out{i}', exist_ok=True)\n",
                i + 1,
                i + 1
            );
            files.push((format!("m{i}.py"), text));
        }
        files
    });
}

/// One file with many writes and path constants.
#[test]
fn many_writes_grow_linearly() {
    assert_linear("writes", 500, &|n| {
        let mut app = String::from("import os\nBASE = os.path.dirname(__file__)\n");
        for i in 0..n {
            app.push_str(&format!(
                "P{i} = os.path.join(BASE, 'd{i}')\nos.makedirs(P{i}, exist_ok=True)\nopen(f'{{P{i}}}/x.txt', 'w')\n"
            ));
        }
        let mut files = base_files("FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n".into());
        files.push(("app.py".into(), app));
        files
    });
}

fn copies(copies: usize, files: usize) -> Vec<(String, String)> {
    let mut dockerfile = String::from("FROM python:3.11\nWORKDIR /app\n");
    for i in 0..copies {
        dockerfile.push_str(&format!("COPY . /app/c{i}/\nCOPY src/*.py /srv/{i}/\n"));
    }
    dockerfile.push_str("CMD [\"python\", \"app.py\"]\n");
    let mut all = base_files(dockerfile);
    all.push(("app.py".into(), "print(1)\n".into()));
    for i in 0..files {
        all.push((format!("src/f{i}.py"), String::new()));
    }
    all
}

/// Many context copies of a Space's files: each places them again, in time linear in the copies.
#[test]
fn many_copies_grow_linearly() {
    assert_linear("copies", 100, &|n| copies(n, 20));
}

/// A copy of many files.
#[test]
fn many_files_grow_linearly() {
    assert_linear("files", 500, &|n| copies(2, n));
}

/// Both at once: the placement budget bounds the work (past it, copies are not placed).
#[test]
fn copies_times_files_stay_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &copies(500, 500));
    let start = Instant::now();
    let space = Space::load(dir.path()).unwrap();
    let report = lint::lint(&space, &Policy::baseline(), &Options::default());
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    std::hint::black_box(report);
}

/// The Dockerfile families the red team made quadratic or worse: each doubles linearly now.
fn dockerfile(body: &str) -> Vec<(String, String)> {
    base_files(format!("FROM python:3.11\n{body}CMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n"))
}

/// Each relative WORKDIR makes a longer path: below PATH_MAX (the budget) the paths' total
/// length grows with the square of the lines, as the image's would; past it (after about a
/// hundred lines of 40 characters, so in every size here) the work is linear.
#[test]
fn relative_workdir_chains_grow_linearly() {
    let line = format!("WORKDIR {}\n", "a".repeat(40));
    assert_linear("WORKDIR chain", 150, &|n| dockerfile(&line.repeat(n)));
}

#[test]
fn stage_chains_grow_linearly() {
    assert_linear("stage chain", 100, &|n| {
        let mut body = String::from("FROM python:3.11 AS s0\n");
        for i in 0..n {
            body.push_str(&format!("FROM s{i} AS s{}\nRUN echo {i}\n", i + 1));
        }
        base_files(body + "CMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n")
    });
}

#[test]
fn env_and_arg_chains_grow_linearly() {
    assert_linear("ENV chain", 200, &|n| {
        let mut body = String::new();
        for i in 0..n {
            body.push_str(&format!("ARG A{}=${{A{i}}}x\nENV E{}=$E{i}y\n", i + 1, i + 1));
        }
        let mut files = dockerfile(&body);
        files[1].1 = (0..n).map(|i| format!("ARG G{i}=$G{}\n", i.saturating_sub(1))).collect::<String>() + &files[1].1;
        files
    });
}

#[test]
fn run_lines_grow_linearly() {
    assert_linear("RUN lines", 250, &|n| dockerfile(&"RUN echo hi && mkdir -p /app/x\n".repeat(n)));
}

#[test]
fn suppression_comments_grow_linearly() {
    assert_linear("suppressions", 250, &|n| dockerfile(&"# spacecheck: ignore=DF004\n".repeat(n)));
}

#[test]
fn dockerignore_patterns_grow_linearly() {
    assert_linear(".dockerignore", 100, &|n| {
        let mut files = dockerfile("COPY . .\n");
        files.push((".dockerignore".into(), (0..n).map(|i| format!("d{i}/**\n**/\n")).collect()));
        files.push(("app.py".into(), "print(1)\n".into()));
        files
    });
}

#[test]
fn nginx_blocks_grow_linearly() {
    assert_linear("nginx blocks", 50, &|n| {
        let mut files = base_files(
            "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n".into(),
        );
        let servers: String = (0..n)
            .map(|i| format!("server {{\n listen {};\n location / {{\n if ($x) {{ return 200; }}\n }}\n}}\n", 8000 + i))
            .collect();
        files.push(("nginx.conf".into(), format!("events {{}}\nhttp {{\n{servers}}}\n")));
        files
    });
}

#[test]
fn requirement_extras_grow_linearly() {
    assert_linear("extras", 50, &|n| {
        let mut files = dockerfile("COPY requirements.txt .\nRUN pip install -r requirements.txt\n");
        let extras = (0..n).map(|i| format!("e{i}")).collect::<Vec<_>>().join(",");
        files.push(("requirements.txt".into(), format!("uvicorn[{extras}]\nfastapi\n")));
        files
    });
}

/// Subshells the shell reader tracks (a group's and-or list is restored when it closes):
/// nested or in a row, the work stays linear.
#[test]
fn subshell_nesting_grows_linearly() {
    assert_linear("nested subshells", 2000, &|n| {
        dockerfile(&format!("RUN {}apt-get install -y curl{} || true\n", "(".repeat(n), ")".repeat(n)))
    });
    assert_linear("subshells in a row", 2000, &|n| dockerfile(&format!("RUN {}true\n", "(curl x | sh) || ".repeat(n))));
}

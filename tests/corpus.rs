//! The real-world corpus (`../shared/corpus`): every Space lints without a panic, the findings
//! checked by hand stay right, and the parser matches BuildKit's own fixtures.

use std::path::{Path, PathBuf};

use spacecheck::lint::{self, Options};
use spacecheck::parse::dockerfile;
use spacecheck::policy::Policy;
use spacecheck::rules::Diagnostic;
use spacecheck::source::SourceFile;
use spacecheck::space::Space;

#[path = "support/shared.rs"]
mod shared;

#[path = "support/fix_figure.rs"]
mod fix_figure;

/// `../shared/corpus`; `None` (said in one line) when it is missing outside CI.
fn corpus() -> Option<PathBuf> {
    shared::shared("corpus")
}

/// Lints a corpus folder as the real Space: the files its `.skipped` lists exist in the Space
/// (binaries, LFS objects, files over the corpus's budget) but are not stored here, so they are
/// added as listed files, as `hf://` adds the files it lists but does not fetch.
fn lint_dir(dir: &Path) -> Vec<Diagnostic> {
    lint::lint(&load_real(dir), &Policy::baseline(), &Options::default()).diagnostics
}

/// Writes every finding on the corpus, as the judged sample's test sees them, to the file
/// `SPACECHECK_CORPUS_DUMP` names: `space, code, line, severity, message` a line. For judging:
/// `SPACECHECK_CORPUS_DUMP=/tmp/f.tsv cargo test --test corpus dump -- --ignored`.
#[test]
#[ignore]
fn dump_findings() {
    let (Some(corpus), Ok(out)) = (corpus(), std::env::var("SPACECHECK_CORPUS_DUMP")) else { return };
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(corpus.join("real")).expect("corpus/real").map(|e| e.expect("entry").path()).collect();
    names.sort();
    let mut text = String::new();
    for path in names.iter().filter(|p| p.is_dir()) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for d in lint_dir(path) {
            let line = d.position.as_ref().map_or(0, |p| p.line);
            let message = d.message.replace(['\t', '\n'], " ");
            text.push_str(&format!("{name}\t{}\t{line}\t{}\t{message}\n", d.code.as_str(), d.severity.as_str()));
        }
    }
    std::fs::write(out, text).expect("write the dump");
}

/// A corpus folder as the real Space (see `lint_dir`).
fn load_real(dir: &Path) -> Space {
    let mut space = Space::load(dir).expect("a folder");
    let skipped = std::fs::read_to_string(dir.join(".skipped")).unwrap_or_default();
    let listed: Vec<String> =
        skipped.lines().filter_map(|l| l.split('\t').next()).filter(|p| !p.is_empty()).map(str::to_string).collect();
    space.add_listed_files(&listed);
    space
}

/// Issue 23's fix figure on the real Spaces: every Space fixed in memory with
/// `--unsafe-fixes`, re-linted and fixed again. No fix may bring a finding, leave a file
/// unparseable or leave its finding, and a second run changes nothing. The table (with
/// `--nocapture`) is the figure the README quotes.
#[test]
fn fixing_real_spaces_breaks_nothing() {
    let Some(corpus) = corpus() else { return };
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(corpus.join("real")).expect("corpus/real").map(|e| e.expect("entry").path()).collect();
    names.sort();
    let mut figure = fix_figure::Figure::default();
    for path in names.iter().filter(|p| p.is_dir()) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        fix_figure::measure(&name, &|| load_real(path), &Policy::baseline(), &Options::default(), &mut figure);
    }
    eprintln!("{}", figure.table());
    assert!(figure.broken.is_empty(), "fixes brought findings: {:#?}", figure.broken);
    assert!(figure.not_removed.is_empty(), "fixes left their finding: {:#?}", figure.not_removed);
    assert!(figure.not_idempotent.is_empty(), "a second --fix changed: {:#?}", figure.not_idempotent);
}

fn real(corpus: &Path, name: &str) -> Vec<Diagnostic> {
    lint_dir(&corpus.join("real").join(name))
}

#[test]
fn every_real_space_lints_without_panic() {
    let Some(corpus) = corpus() else { return };
    let mut count = 0;
    for entry in std::fs::read_dir(corpus.join("real")).expect("corpus/real") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let result = std::panic::catch_unwind(|| lint_dir(&path));
        assert!(result.is_ok(), "panic on {}", path.display());
        count += 1;
    }
    assert!(count >= 300, "only {count} Spaces");
}

#[test]
fn every_real_space_exits_0_1_or_2_from_the_cli() {
    let Some(corpus) = corpus() else { return };
    for entry in std::fs::read_dir(corpus.join("real")).expect("corpus/real") {
        let path = entry.expect("entry").path();
        let out = assert_cmd::Command::cargo_bin("spacecheck")
            .expect("bin")
            .arg(&path)
            .args(["--format", "json"])
            .output()
            .expect("run");
        let code = out.status.code().unwrap_or(-1);
        assert!((0..=2).contains(&code), "{} exited {code}", path.display());
        if code != 2 {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(v["summary"]["passed"].as_bool(), Some(code == 0));
        }
    }
}

fn has(d: &[Diagnostic], code: &str, needle: &str) -> bool {
    d.iter().any(|d| d.code == code && d.message.contains(needle))
}

#[test]
fn heredocs_after_a_command_parse_like_buildkit() {
    let Some(corpus) = corpus() else { return };
    // `RUN python - <<'PY'`, `RUN cat <<'EOF' > file` (bodies holding `import`, `<!DOCTYPE`,
    // `from ...` lines that must not be read as instructions).
    for name in [
        "CatPawsCoder__Nornickel_aI_science_hack__hf-space",
        "hfmirror-s0__Colin-yepp__Minesweeperplus",
        "hfmirror-s0__cathychan168__contract-gen-xl",
        "hfmirror-s0__gijl__gemma4",
    ] {
        let d = real(&corpus, name);
        assert!(
            !d.iter().any(|d| d.code == "DF002"),
            "{name}: {:?}",
            d.iter().filter(|d| d.code == "DF002").collect::<Vec<_>>()
        );
    }
}

#[test]
fn hand_checked_findings() {
    let Some(corpus) = corpus() else { return };
    // `RUN cat << 'EOF' > run.sh`: with white space after `<<`, a heredoc since BuildKit v0.22
    // (moby/buildkit#5817): the file parses.
    let d = real(&corpus, "hfmirror-s0__sj12pslre__dtv");
    assert!(!d.iter().any(|d| d.code == "DF002"), "{:?}", d.iter().filter(|d| d.code == "DF002").collect::<Vec<_>>());
    // `ENV HF_TOKEN` without a value: BuildKit rejects it.
    assert!(has(&real(&corpus, "AlphaHinex__hf-models"), "DF002", "`ENV HF_TOKEN` has no value"));
    // A typographic closing quote: BuildKit's lexer finds no matching `"` and stops the build.
    assert!(has(
        &real(&corpus, "koyeb__example-stable-diffusion-inpainting"),
        "DF002",
        "looking for matching double-quote"
    ));
    // gunicorn bound to 8080 while the Hub uses 7860.
    assert!(has(&real(&corpus, "Tamizh-me__Techgium"), "DF008", "gunicorn listens on port 8080"));
    // socat forwards ${PORT:-7860} to uvicorn on 8000: not a port mismatch.
    assert!(!real(&corpus, "Ray-0906__DebugZero").iter().any(|d| d.code == "DF008"));
    // requirements.txt in UTF-16 (PowerShell's `pip freeze >`) lists uvicorn: installed.
    assert!(!real(&corpus, "hfmirror-s0__osamaaok__multi-tool-agent").iter().any(|d| d.code == "RP004"));
    assert!(
        !real(&corpus, "hfmirror-s0__RiolanPratama__Coccinellidae-Species-Classification")
            .iter()
            .any(|d| d.code == "RP004"),
        "gunicorn is in the UTF-16 requirements"
    );
    // A real port mismatch: node reads PORT=8080 while the Hub uses 7860.
    assert!(has(&real(&corpus, "jianglinzhang__hfproxy"), "DF008", "port 8080 (from PORT)"));
    // A Next.js user created with UID 1001, whose app writes nothing at run time (prerendered
    // pages only): the UID alone fails nothing, so it is not reported.
    assert!(!real(&corpus, "ShahzeenaSamad__Q4-Hackathon-2-Evolution-of-todo-app__huggingface")
        .iter()
        .any(|d| d.code == "DF005"));
    // Flags named like secrets are not secrets.
    assert!(!real(&corpus, "N1KH1LT0X1N__Agentic-RagBot__huggingface").iter().any(|d| d.code == "DF010"));
    // README without frontmatter.
    assert!(real(&corpus, "solenedietsch__enAcuity-coding-challenge").iter().any(|d| d.code == "FM002"));
}

/// BuildKit's AST dump names each instruction first: `(from "debian")`.
fn result_keywords(result: &str) -> Vec<String> {
    result
        .lines()
        .filter_map(|l| l.strip_prefix('('))
        .map(|l| l.split([' ', ')']).next().unwrap_or("").to_ascii_uppercase())
        .collect()
}

#[test]
fn buildkit_fixtures() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("buildkit");
    // These parse in BuildKit's line parser but no build accepts them: a Dockerfile without FROM
    // (six cases), or HEALTHCHECK without arguments. spacecheck reports them as DF002.
    let unbuildable = [
        "json",
        "jeztah-invalid-json-json-inside-string",
        "jeztah-invalid-json-json-inside-string-double",
        "jeztah-invalid-json-single-quotes",
        "jeztah-invalid-json-unterminated-bracket",
        "jeztah-invalid-json-unterminated-string",
        "health",
    ];
    let mut parsed = 0;
    for entry in std::fs::read_dir(root.join("testfiles")).expect("testfiles") {
        let case = entry.expect("entry").path();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(case.join("Dockerfile")).expect("Dockerfile");
        let file = SourceFile::new("Dockerfile", String::from_utf8_lossy(&bytes).into_owned());
        match dockerfile::parse(&file) {
            Ok(df) => {
                assert!(!unbuildable.contains(&name.as_str()), "{name} should be reported");
                let want = result_keywords(&std::fs::read_to_string(case.join("result")).expect("result"));
                let got: Vec<String> = df.instructions.iter().map(|i| i.kind.keyword().to_string()).collect();
                assert_eq!(got, want, "{name}: instruction sequence differs from BuildKit's dump");
                // Parser fixtures a build would still stop on: `ENV name='a\'b'` and
                // `ADD \conf\\"` (unterminated quotes), `COPY --user=me` (no such flag).
                let stops = !spacecheck::parse::buildkit::errors(&file, &df).is_empty();
                assert_eq!(stops, ["env", "escapes", "flags"].contains(&name.as_str()), "{name}");
                parsed += 1;
            }
            Err(e) => assert!(unbuildable.contains(&name.as_str()), "{name}: {}", e.message),
        }
    }
    assert_eq!(parsed, 26);
    for entry in std::fs::read_dir(root.join("testfiles-negative")).expect("negative") {
        let case = entry.expect("entry").path();
        let text = std::fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile");
        assert!(
            dockerfile::parse(&SourceFile::new("Dockerfile", text)).is_err(),
            "{} must be rejected",
            case.display()
        );
    }
}

/// One row of `tests/corpus_judged.tsv`.
struct Judged {
    space: String,
    code: String,
    line: usize,
    verdict: String,
}

fn judged() -> Vec<Judged> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_judged.tsv"))
        .expect("tests/corpus_judged.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() == 5, "five columns: {l}");
            assert!(["true", "false", "buildkit"].contains(&cols[3]), "verdict: {l}");
            Judged {
                space: cols[0].into(),
                code: cols[1].into(),
                line: cols[2].parse().expect("line"),
                verdict: cols[3].into(),
            }
        })
        .collect()
}

/// The hand-judged sample stays right: every finding judged true is still reported (a lost one
/// is a regression, or a judgement to revisit), at least 95 % of each rule's judged findings
/// that are reported are true, and every rule that fires on the corpus has a judged sample of
/// at least min(15, its findings), so a rule cannot start firing without being read.
#[test]
fn hand_judged_sample_is_at_least_95_percent_true() {
    let Some(corpus) = corpus() else { return };
    let rows = judged();
    let mut found: std::collections::HashMap<String, Vec<(String, usize)>> = std::collections::HashMap::new();
    let mut per_code: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(corpus.join("real")).expect("corpus/real") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let list: Vec<(String, usize)> = lint_dir(&path)
            .iter()
            .map(|d| (d.code.as_str().to_string(), d.position.as_ref().map_or(0, |p| p.line)))
            .collect();
        for (code, _) in &list {
            *per_code.entry(code.clone()).or_default() += 1;
        }
        found.insert(name, list);
    }
    let mut lost = Vec::new();
    let mut tally: std::collections::BTreeMap<String, (usize, usize)> = std::collections::BTreeMap::new();
    for row in &rows {
        let reported = found.get(&row.space).is_some_and(|l| l.contains(&(row.code.clone(), row.line)));
        let counts_true = row.verdict == "true" || (row.verdict == "buildkit" && row.code.starts_with("BK"));
        if !reported {
            if counts_true {
                lost.push(format!("{} {} line {}", row.space, row.code, row.line));
            }
            continue;
        }
        let t = tally.entry(row.code.clone()).or_default();
        t.0 += usize::from(counts_true);
        t.1 += 1;
    }
    assert!(lost.is_empty(), "findings judged true are no longer reported: {lost:#?}");
    for (code, (true_count, reported)) in &tally {
        assert!(
            *true_count as f64 >= 0.95 * *reported as f64,
            "{code}: {true_count} of {reported} judged findings are true (goal: 95 %)"
        );
    }
    for (code, total) in &per_code {
        let sampled = tally.get(code).map_or(0, |t| t.1);
        assert!(
            sampled >= (*total).min(15),
            "{code} has {total} findings on the corpus but only {sampled} judged ones: judge its findings in tests/corpus_judged.tsv"
        );
    }
}

use std::ops::Range;

use crate::secrets::find_credentials;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::source::SourceFile;

pub static RULE: Rule = Rule {
    code: Code::RP001,
    name: "leaked-token",
    severity: Severity::Error,
    summary: "a file that would be pushed contains a Hugging Face token or another known credential",
    doc: r#"## What it checks
Every file that would be pushed (not ignored by `.gitignore`, not a link, the first MiB of it) for
well-known credential shapes: Hugging Face tokens (`hf_` + 30 or more letters), GitHub tokens
(`ghp_`, `github_pat_`), OpenAI/Anthropic-style keys (`sk-...`), AWS access key ids (`AKIA...`),
Google API keys (`AIza...`), Slack tokens (`xox...`), Stripe live keys and private key blocks.
Obvious placeholders (`hf_xxxxxxxx...`) are skipped. The value is never printed: the finding
gives the file, line and column only. Token-shaped values in Dockerfile ARG/ENV are DF010's.

## Why it matters on a Space
A Space repository is public unless made private, and its history keeps every version: a pushed
token is a leaked token, and bots scan the Hub for them within minutes.

## Example
`config.py` containing `HF_TOKEN = "hf_AbCd..."`.

## Fix
Remove the value, revoke the token at once, read it from an environment variable, and set it as a
Space secret. Rewrite history if it was ever pushed."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("a leaked token must be revoked: it stays in the git history, and no edit un-leaks it"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // ARG/ENV values in the Dockerfile are DF010's findings.
    let df_value_spans: Vec<Range<usize>> = ctx
        .model
        .as_ref()
        .map(|m| m.var_defs.iter().filter_map(|d| d.value.as_ref().map(|v| v.span.clone())).collect())
        .unwrap_or_default();
    for entry in &ctx.space.files {
        if entry.git_ignored || entry.is_symlink || entry.path.starts_with(".git/") {
            continue;
        }
        // README.md and the Dockerfile are already in memory.
        let in_memory = match entry.path.as_str() {
            "README.md" => ctx.readme(),
            "Dockerfile" => ctx.dockerfile_file(),
            _ => None,
        };
        let file = match in_memory {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => {
                let Some(bytes) = ctx.space.read_prefix(entry) else { continue };
                // The cheap pre-filter first: most files hold nothing credential-shaped.
                if !crate::secrets::may_hold_credentials(&bytes) {
                    continue;
                }
                // A binary file (a committed SQLite database, a `.pyc`) holds a token in clear
                // all the same: reported on the file, since lines mean nothing there.
                if bytes.iter().take(8192).any(|&b| b == 0) {
                    let text = String::from_utf8_lossy(&bytes);
                    let mut kinds: Vec<&str> = find_credentials(&text).into_iter().map(|(kind, _)| kind).collect();
                    kinds.dedup();
                    for kind in kinds {
                        out.push(
                            Diagnostic::new(
                                &RULE,
                                format!("`{}` (a binary file) contains {kind}; pushing it publishes it (value not shown)", entry.path),
                            )
                            .in_file(&entry.path, None)
                            .help("remove the file from the Space (and its history), revoke the credential now, and set it as a Space secret")
                            .redacted(),
                        );
                    }
                    continue;
                }
                let text = String::from_utf8_lossy(&bytes);
                std::borrow::Cow::Owned(SourceFile::new(entry.path.clone(), text.into_owned()))
            }
        };
        for (kind, range) in find_credentials(&file.text) {
            if entry.path == "Dockerfile" && df_value_spans.iter().any(|s| s.start <= range.start && range.end <= s.end)
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    format!("`{}` contains {kind}; pushing it publishes it (value not shown)", entry.path),
                )
                .at(&file, range.start..range.start)
                .help("remove it, revoke it now, read it from an environment variable, and set it as a Space secret")
                .redacted(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::secrets::find_credentials;
    use crate::rules::testing::{lint, README};

    // Built with concat! so this source file holds no token-shaped text (RP001 scans it).
    const TOKEN: &str = concat!("hf", "_QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi");

    #[test]
    fn finds_shapes_and_skips_placeholders() {
        assert_eq!(find_credentials(&format!("x = '{TOKEN}'")).len(), 1);
        assert_eq!(find_credentials(concat!("AKIA", "IOSFODNN7EXAMPLQ")).len(), 1);
        assert!(find_credentials("hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").is_empty());
        assert!(find_credentials("from huggingface_hub import hf_hub_download").is_empty());
        // A PEM header with its key; a header alone (a parser's constant) holds nothing.
        let body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n";
        let key = format!("{}\n{body}-----END OPENSSH PRIVATE KEY-----\n", concat!("-----BEGIN OPENSSH ", "PRIVATE KEY-----"));
        assert_eq!(find_credentials(&key).len(), 1);
        let escaped = format!("KEY = \"{}\\n{}\"", concat!("-----BEGIN RSA ", "PRIVATE KEY-----"), body.trim());
        assert_eq!(find_credentials(&escaped).len(), 1);
        assert!(find_credentials(concat!("-----BEGIN OPENSSH ", "PRIVATE KEY-----")).is_empty());
        let check = format!("if line.startswith(\"{}\"):\n    return True\n", concat!("-----BEGIN RSA ", "PRIVATE KEY-----"));
        assert!(find_credentials(&check).is_empty());
    }

    /// A committed SQLite file or `.pyc` holds the token in clear among binary bytes: found,
    /// reported on the file (a line means nothing there).
    #[test]
    fn binary_files_are_scanned() {
        let mut db = b"SQLite format 3\0\0\x10\0".to_vec();
        db.extend_from_slice(format!("\0\0token={TOKEN}\0\x01").as_bytes());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), README).unwrap();
        std::fs::write(dir.path().join("cache.db"), &db).unwrap();
        let space = crate::space::Space::load(dir.path()).unwrap();
        let report = crate::lint::lint(&space, &crate::policy::Policy::baseline(), &Default::default());
        let f = report.diagnostics.iter().find(|d| d.code == "RP001").expect("RP001 in a binary file");
        assert_eq!(f.file.as_deref(), Some("cache.db"));
        assert!(f.position.is_none() && f.message.contains("binary") && !f.message.contains(&TOKEN[3..]));
    }

    #[test]
    fn fires_in_pushed_files_with_place_and_no_value() {
        let cfg = format!("import os\nTOKEN = \"{TOKEN}\"\n");
        let d = lint(&[("README.md", README), ("config.py", &cfg)]);
        let f = d.iter().find(|d| d.code == "RP001").unwrap();
        assert_eq!(f.position.as_ref().unwrap().line, 2);
        assert!(f.redact && !f.message.contains(TOKEN));
    }

    #[test]
    fn silent_in_ignored_files_and_on_env_lookups() {
        let cfg = format!("{TOKEN}\n");
        assert!(!lint(&[("README.md", README), (".env", &cfg), (".gitignore", ".env\n")])
            .iter()
            .any(|d| d.code == "RP001"));
        assert!(!lint(&[("README.md", README), ("app.py", "token = os.environ['HF_TOKEN']\n")])
            .iter()
            .any(|d| d.code == "RP001"));
    }

    #[test]
    fn dockerfile_env_tokens_are_left_to_df010() {
        let df = format!("FROM python:3.11\nENV HF_TOKEN={TOKEN}\n");
        let d = lint(&[("README.md", README), ("Dockerfile", &df)]);
        assert!(d.iter().any(|d| d.code == "DF010"));
        assert!(!d.iter().any(|d| d.code == "RP001"));
    }
}

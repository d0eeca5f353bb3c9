use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};
use crate::space::LARGE_FILE_BYTES;

pub static RULE: Rule = Rule {
    code: Code::RP003,
    name: "large-file",
    severity: Severity::Warning,
    summary: "a file over 10 MB that Git LFS does not track",
    doc: r#"## What it checks
Files that would be pushed (not ignored by `.gitignore`) larger than 10 MB whose path no
`.gitattributes` pattern with `filter=lfs` covers.

## Why it matters on a Space
The Hub rejects pushes that contain files over 10 MB outside Git LFS ("Your push was rejected
because it contains files larger than 10 MiB"), so the Space never updates.

## Example
A 200 MB `model.safetensors` next to the Dockerfile, with no `.gitattributes`.

## Fix
Track it with LFS (`git lfs track "*.safetensors"`, commit `.gitattributes`), or download it at
run time from a model repository with `huggingface_hub`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("tracking it with Git LFS rewrites history (`git lfs migrate import`), not a file"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in &ctx.space.files {
        if f.git_ignored || f.is_symlink || f.size <= LARGE_FILE_BYTES || ctx.space.is_lfs_tracked(&f.path) {
            continue;
        }
        let ext = f.path.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.contains('/'));
        let track = ext.map_or_else(|| format!("git lfs track \"{}\"", f.path), |e| format!("git lfs track \"*.{e}\""));
        out.push(
            Diagnostic::new(
                &RULE,
                format!(
                    "`{}` is {:.1} MB and not in Git LFS: the Hub rejects pushes with files over 10 MB outside LFS",
                    f.path,
                    f.size as f64 / 1e6
                ),
            )
            .in_file(&f.path, None)
            .help(format!("`{track}` and commit .gitattributes, or fetch the file at run time")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn big() -> String {
        "x".repeat(10_000_001)
    }

    #[test]
    fn fires_on_big_untracked_file() {
        let b = big();
        let d = lint(&[("README.md", README), ("model.bin", &b)]);
        assert!(d.iter().any(|d| d.code == "RP003" && d.file.as_deref() == Some("model.bin")));
    }

    #[test]
    fn silent_when_lfs_tracked_ignored_or_small() {
        let b = big();
        assert!(!lint(&[
            ("README.md", README),
            ("model.bin", &b),
            (".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
        ])
        .iter()
        .any(|d| d.code == "RP003"));
        assert!(!lint(&[("README.md", README), ("model.bin", &b), (".gitignore", "*.bin\n")])
            .iter()
            .any(|d| d.code == "RP003"));
        assert!(!lint(&[("README.md", README), ("small.bin", "x")]).iter().any(|d| d.code == "RP003"));
    }
}

use crate::parse::dockerfile::{Args, Kind};
use crate::rules::buildkit::{dockerfile, finding};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Equivalent, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::BK015,
    name: "secrets-used-in-arg-or-env",
    severity: Severity::Warning,
    summary: "an ARG or ENV named like a secret (BuildKit SecretsUsedInArgOrEnv)",
    doc: r#"## What it checks
BuildKit's `SecretsUsedInArgOrEnv`: an `ARG` or `ENV` whose name has, between underscores, one of
`apikey`, `auth`, `credential(s)`, `key`, `password`, `pword`, `passwd`, `secret`, `token`, and
none of `public`, `file`, `version`. The name alone decides; DF010 is about values that are real
credentials.

## Why it matters on a Space
On the Hub, Space secrets are not build arguments (only Space variables are): a secret-named ARG
is empty in the build. An ENV value is stored in the image, readable by anyone who pulls it. Space
secrets reach the running container as environment variables, and a build step through
`RUN --mount=type=secret,id=NAME`.

## Example
```dockerfile
ARG HF_TOKEN
RUN huggingface-cli download --token $HF_TOKEN org/model
```

## Fix
`RUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN huggingface-cli download org/model`, or read
the secret at run time."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[Equivalent::BuildKit("SecretsUsedInArgOrEnv")],
    fixable: crate::rules::Fixable::No("a secret moved to `RUN --mount=type=secret` or a Space secret changes the code that reads it; a name that holds no secret is the author's to keep"),
};

const DENY: &[&str] = &["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"];
const ALLOW: &[&str] = &["public", "file", "version"];

/// BuildKit's test: a `_`-separated part of the name is a secret word, none is an allowed one.
pub fn is_secret_name(name: &str) -> bool {
    let parts: Vec<String> = name.split('_').map(str::to_ascii_lowercase).collect();
    parts.iter().any(|p| DENY.contains(&p.as_str())) && !parts.iter().any(|p| ALLOW.contains(&p.as_str()))
}

/// What the finding means on the Hub, and the fix.
const HELP: &str = "BuildKit judges the name alone. If it holds a secret: Space secrets are not build args (the ARG is empty on the Hub) and an ENV value stays in the image, so use `RUN --mount=type=secret,id=NAME` or read it at run time. If it is a setting (a flag, a path), put `# check=skip=SecretsUsedInArgOrEnv` on the line above";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((_, df)) = dockerfile(ctx) else { return };
    for ins in df.instructions.iter().filter(|i| matches!(i.kind, Kind::Arg | Kind::Env)) {
        let Args::KeyValues(pairs) = &ins.args else { continue };
        for pair in pairs.iter().filter(|p| is_secret_name(&p.key.text)) {
            let message =
                format!("Do not use ARG or ENV instructions for sensitive data ({} {:?})", ins.kind.keyword(), pair.key.text);
            out.extend(finding(ctx, &RULE, ins.span.start, pair.key.span.clone(), message, HELP));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::buildkit_case;

    /// BuildKit's testSecretsUsedInArgOrEnv, instruction-local `# check=` comments included.
    #[test]
    fn buildkit_cases() {
        let df = "# check=skip=InvalidDefinitionDescription\n\nFROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\nARG SECRET_PASSPHRASE_FILE\nENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n# check=skip=SecretsUsedInArgOrEnv // allow secret in arg\nARG password\n# check=skip=all // is local to only this instruction\nENV alternate_password=bar\n# check=skip=all // is local to only this instruction\nARG alternate_password\n";
        let msg = |i: &str, k: &str| format!("Do not use ARG or ENV instructions for sensitive data ({i} \"{k}\")");
        let expected = vec![
            (4, msg("ARG", "SECRET_PASSPHRASE")),
            (5, msg("ENV", "SUPER_Secret")),
            (6, msg("ENV", "password")),
            (6, msg("ENV", "secret")),
            (7, msg("ARG", "auth")),
            (7, msg("ARG", "super_duper_secret_token")),
            (8, msg("ENV", "apikey")),
            (9, msg("ENV", "git_key")),
        ];
        assert_eq!(buildkit_case(df, "BK015"), expected);
    }
}

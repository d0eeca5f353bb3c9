use crate::secrets::{find_credentials, secret_name};
use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Enabled, Context, Diagnostic, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF010,
    name: "secret-in-image",
    severity: Severity::Error,
    summary: "an ARG/ENV with a secret-looking name has a value, or a value looks like a token",
    doc: r#"## What it checks
`ARG` and `ENV` instructions whose name looks secret (a `TOKEN`, `SECRET`, `PASSWORD`, `PASSWD`,
`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, `CREDENTIALS` part, as in `HF_TOKEN` or `OPENAI_API_KEY`;
not `TOKENIZERS_PARALLELISM` nor `MAX_TOKENS`) and that carry a literal value, and any ARG/ENV
value that looks like a credential (`hf_` followed by 30+ letters, `ghp_...`, `sk-...`) or is a
URL with a password in it (`postgresql://user:pass@host`), and an `ENV` that copies a
secret-named `ARG` into the image (`ARG HF_TOKEN` + `ENV HF_TOKEN=${HF_TOKEN}`). Names ending in
`_FILE`/`_PATH`/`_DIR` (pointers to a secret), switches (`1`, `false`), placeholders
(`your_api_key_here`, `changeme`, `<token>`, `xxx`) and values that only reference another
variable are not flagged. The value is never printed, not even in a source snippet. (A
secret-like name alone is BuildKit's `secrets-used-in-arg-or-env`, BK015.)

## Why it matters on a Space
A Docker Space's repository and image layers are readable by anyone who can see the Space: a
token in the Dockerfile is a leaked token. Spaces have a place for secrets: they reach the
container as environment variables at run time, and `RUN --mount=type=secret,id=NAME` at build
time.

## Example
```dockerfile
ENV HF_TOKEN=hf_AbCdEf...
```

## Fix
Delete the value, revoke the token, and add it as a Space secret (Settings → Variables and
secrets); read it from the environment at run time."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("a secret baked into the image or the repository must be revoked: no edit un-leaks it"),
};

/// A value written to be replaced: `your_api_key_here`, `changeme`, `<token>`, `xxx`, `...`.
fn is_placeholder(literal: &str) -> bool {
    let lower = literal.to_ascii_lowercase();
    let words = ["your", "changeme", "change_me", "change-me", "replace", "placeholder", "example", "dummy", "todo", "fixme", "insert", "enter_"];
    words.iter().any(|w| lower.contains(w))
        || (lower.starts_with('<') && lower.ends_with('>'))
        || lower.chars().all(|c| matches!(c, 'x' | '*' | '.' | '-' | '_'))
}

/// `scheme://user:password@host`: a password written into a URL (not a `$VAR` reference, not a
/// placeholder).
fn url_with_password(literal: &str) -> bool {
    let Some((_, rest)) = literal.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some((userinfo, _host)) = authority.rsplit_once('@') else { return false };
    let Some((_, password)) = userinfo.split_once(':') else { return false };
    !password.is_empty() && !password.starts_with('$') && !is_placeholder(password)
}

/// `ENV TOKEN=$TOKEN` where `$TOKEN` is an ARG with a secret's name.
fn fed_by_secret_arg(model: &crate::model::ImageModel, reference: &str) -> bool {
    let name = reference.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
    secret_name(name) && model.var_defs.iter().any(|d| d.kind == Kind::Arg && d.name == name)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    for def in &model.var_defs {
        let Some(value) = &def.value else { continue };
        let kw = def.kind.keyword();
        if !find_credentials(&value.value).is_empty() || !find_credentials(&value.raw).is_empty() {
            let kinds = find_credentials(&value.value);
            let what = kinds.first().map_or("a credential", |c| c.0);
            out.push(
                Diagnostic::new(&RULE, format!("{kw} {} holds what looks like {what}; anyone who can see the Space can read it (value not shown)", def.name))
                    .at(file, def.key_span.clone())
                    .help("remove it, revoke it, and store it as a Space secret (read from the environment at run time)")
                    .redacted(),
            );
            continue;
        }
        let literal = value.raw.trim().trim_matches(|c| c == '"' || c == '\'');
        if url_with_password(literal) {
            out.push(
                Diagnostic::new(&RULE, format!("{kw} {} holds a URL with a password in it; it is baked into the image and the repository (value not shown)", def.name))
                    .at(file, def.key_span.clone())
                    .help("keep the URL without the password here, and pass the password as a Space secret read at run time")
                    .redacted(),
            );
            continue;
        }
        if !secret_name(&def.name) {
            continue;
        }
        let only_reference = literal.starts_with('$')
            && !literal[1..].contains('$')
            && literal.chars().skip(1).all(|c| c.is_ascii_alphanumeric() || "_{}:-".contains(c))
            && !literal.contains(":-");
        // Switches such as HF_HUB_DISABLE_IMPLICIT_TOKEN=1 or REQUIRE_API_KEY=False are not secrets.
        let switch = matches!(
            literal.to_ascii_lowercase().as_str(),
            "0" | "1" | "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
        );
        if only_reference && def.kind == Kind::Env && fed_by_secret_arg(model, literal) {
            out.push(
                Diagnostic::new(&RULE, format!("ENV {} copies the build argument `{literal}` into the image: a Space secret is never a build argument (the value is empty), and a Space variable given there is baked into the image (which anyone can pull from registry.hf.space when the Space is public)", def.name))
                    .at(file, def.key_span.clone())
                    .help(format!("remove this ENV and the ARG: add `{}` as a Space secret, which the container gets as an environment variable at run time (use `RUN --mount=type=secret,id={}` if a build step needs it)", def.name, def.name)),
            );
            continue;
        }
        if literal.is_empty() || only_reference || switch || is_placeholder(literal) {
            continue;
        }
        out.push(
            Diagnostic::new(&RULE, format!("{kw} {} sets a value for a secret in the Dockerfile; it is baked into the image and the repository (value not shown)", def.name))
                .at(file, def.key_span.clone())
                .help(format!("add `{}` as a Space secret instead: it reaches the container as an environment variable at run time", def.name))
                .redacted(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::secrets::secret_name;
    use crate::rules::testing::codes_for;

    // Built with concat! so this source file holds no token-shaped text (RP001 scans it).
    const TOKEN: &str = concat!("hf", "_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh");

    #[test]
    fn secret_names() {
        for n in [
            "HF_TOKEN",
            "OPENAI_API_KEY",
            "DB_PASSWORD",
            "SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "apiKey",
            "GA2_TOKEN_ECB8",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in ["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "HF_TOKEN_PATH", "PWD", "PATH", "KEYBOARD", "SECRET_FILE"] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn fires_and_never_prints_the_value() {
        let d = codes_for(&format!("FROM p\nENV HF_TOKEN={TOKEN}\n"), "DF010");
        assert_eq!(d.len(), 1);
        assert!(d[0].redact);
        assert!(!d[0].message.contains(TOKEN) && !d[0].help.as_ref().unwrap().contains(TOKEN));
        assert_eq!(codes_for("FROM p\nARG DB_PASSWORD=hunter2\n", "DF010").len(), 1);
        assert_eq!(codes_for(&format!("FROM p\nENV SOMETHING={TOKEN}\n"), "DF010").len(), 1, "token-shaped value");
    }

    #[test]
    fn silent_on_references_and_harmless_names() {
        assert!(codes_for("FROM p\nENV HF_TOKEN=${HF_TOKEN}\n", "DF010").is_empty(), "no ARG feeds it");
        assert!(codes_for("FROM p\nARG MODEL\nENV MODEL_NAME=${MODEL}\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV TOKENIZERS_PARALLELISM=false MAX_TOKENS=512\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV HF_TOKEN_PATH=/run/secrets/hf\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV API_KEY=\"\"\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV HF_HUB_DISABLE_IMPLICIT_TOKEN=1 REQUIRE_API_KEY=False\n", "DF010").is_empty());
    }

    /// Values written to be replaced are not credentials (the corpus's `ENV API_KEY="your_…"`).
    #[test]
    fn silent_on_placeholders() {
        for value in ["your_api_key_here", "\"your-token\"", "changeme", "<token>", "xxx", "REPLACE_ME", "..."] {
            assert!(codes_for(&format!("FROM p\nENV API_KEY={value}\n"), "DF010").is_empty(), "{value}");
        }
    }

    /// A secret-named ARG copied into an ENV: empty on the Hub, or baked into the image.
    #[test]
    fn fires_on_an_env_fed_from_a_secret_arg() {
        let d = codes_for("FROM p\nARG HF_TOKEN\nENV HF_TOKEN=${HF_TOKEN}\n", "DF010");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("never a build argument"), "{}", d[0].message);
    }

    /// Passwords inside URLs (a database URL, a stream key), never printed.
    #[test]
    fn fires_on_a_url_with_a_password() {
        let url = format!("postgresql://app:{}@db.example.com:5432/app", "s3cretPw9");
        let d = codes_for(&format!("FROM p\nENV DATABASE_URL={url}\n"), "DF010");
        assert_eq!(d.len(), 1);
        assert!(d[0].redact && !d[0].message.contains("s3cretPw9"));
        assert!(codes_for("FROM p\nENV DATABASE_URL=postgresql://app:${DB_PASSWORD}@db/app\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV HOMEPAGE=https://user@example.com/x\n", "DF010").is_empty());
    }
}

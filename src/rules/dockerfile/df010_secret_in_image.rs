use crate::secrets::{find_credentials, secret_name};
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
value that looks like a credential (`hf_` followed by 30+ letters, `ghp_...`, `sk-...`). Names
ending in `_FILE`/`_PATH`/`_DIR` (pointers to a secret) and values that only reference another
variable are not flagged. The value is never printed, not even in a source snippet.

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
};

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
        if !secret_name(&def.name) {
            continue;
        }
        let literal = value.raw.trim().trim_matches(|c| c == '"' || c == '\'');
        let only_reference = literal.starts_with('$')
            && !literal[1..].contains('$')
            && literal.chars().skip(1).all(|c| c.is_ascii_alphanumeric() || "_{}:-".contains(c))
            && !literal.contains(":-");
        // Switches such as HF_HUB_DISABLE_IMPLICIT_TOKEN=1 or REQUIRE_API_KEY=False are not secrets.
        let switch = matches!(
            literal.to_ascii_lowercase().as_str(),
            "0" | "1" | "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
        );
        if literal.is_empty() || only_reference || switch {
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
        assert!(codes_for("FROM p\nARG HF_TOKEN\nENV HF_TOKEN=${HF_TOKEN}\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV TOKENIZERS_PARALLELISM=false MAX_TOKENS=512\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV HF_TOKEN_PATH=/run/secrets/hf\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV API_KEY=\"\"\n", "DF010").is_empty());
        assert!(codes_for("FROM p\nENV HF_HUB_DISABLE_IMPLICIT_TOKEN=1 REQUIRE_API_KEY=False\n", "DF010").is_empty());
    }
}

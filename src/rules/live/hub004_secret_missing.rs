use crate::hub::probe::SecretsOutcome;
use crate::model::SecretMount;
use crate::rules::{Check, Code, Enabled, Diagnostic, LiveContext, LiveOut, Rule, Severity};

/// A live rule: it checks a probe of the Space on the Hub (`--space`, `hf://`).
pub static RULE: Rule = Rule {
    code: Code::HUB004,
    name: "secret-missing",
    severity: Severity::Error,
    summary: "a policy secret name is not among the Space's secrets",
    doc: r#"## What it checks
That each name of the policy's `space.secrets`, and each build secret the Dockerfile mounts
(`RUN --mount=type=secret,id=X`, with or without a policy), exists among the Space's secrets (`GET /api/spaces/{id}/secrets`, names only; values are never read). Needs a token with write access; without one the rule is reported as skipped. A name found among the public variables instead is reported with its own message.

## Why it matters on a Space
An app that reads its key from an environment variable fails at run time when the secret is not set, and a secret set as a variable is public.
The Hub fills build secret mounts from the Space's secrets: a missing one fails a build that
requires it (`required=true`) and leaves `/run/secrets/X` missing otherwise.

## Example
A policy with `secrets: [GA2_TOKEN_ECB8]` and a Space with no secrets.

## Fix
Settings → Variables and secrets → New secret, with that exact name."#,
    check: Check::Live(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("secrets are set in the Space's settings on the Hub"),
};

/// Why a secret must exist: the policy names it, or the Dockerfile mounts it at build time.
enum Wanted<'a> {
    Policy(&'a str),
    Mount(&'a SecretMount),
}

impl Wanted<'_> {
    fn name(&self) -> &str {
        match self {
            Wanted::Policy(name) => name,
            Wanted::Mount(m) => &m.id,
        }
    }
}

fn check(ctx: &LiveContext, out: &mut LiveOut) {
    let mut wanted: Vec<Wanted> = ctx.policy.space.secrets.iter().map(|s| Wanted::Policy(s.as_str())).collect();
    for mount in &ctx.facts.secret_mounts {
        if !wanted.iter().any(|w| w.name() == mount.id) {
            wanted.push(Wanted::Mount(mount));
        }
    }
    if wanted.is_empty() || ctx.probe.info().is_none() {
        return;
    }
    let names = match &ctx.probe.secrets {
        Some(SecretsOutcome::Names(n)) => n,
        Some(SecretsOutcome::NoToken) | None => {
            out.skip(&RULE, "no token: secrets can only be listed with a write token");
            return;
        }
        Some(SecretsOutcome::Denied(why)) => {
            out.skip(&RULE, format!("the token cannot list this Space's secrets (it needs write access): {why}"));
            return;
        }
        Some(SecretsOutcome::Unsupported(why)) => {
            out.skip(
                &RULE,
                format!("this Hub does not offer the secrets listing, so the secrets cannot be verified: {why}"),
            );
            return;
        }
    };
    let variables = ctx.probe.variables.as_deref().unwrap_or(&[]);
    for wanted in &wanted {
        let want = wanted.name();
        if names.iter().any(|n| n == want) {
            continue;
        }
        let d = if variables.iter().any(|v| v == want) {
            Diagnostic::new(
                &RULE,
                format!(
                    "`{want}` is set as a public *variable* of `{}`, not as a secret: its value is visible to anyone",
                    ctx.probe.space_id
                ),
            )
            .help(format!("delete the variable, rotate its value, and add `{want}` as a secret"))
        } else {
            let case = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(want))
                .map(|n| format!(" (there is `{n}`: names are case-sensitive)"))
                .unwrap_or_default();
            let why = match wanted {
                Wanted::Policy(_) => String::new(),
                Wanted::Mount(m) if m.required => format!(": the Dockerfile mounts it at build time (`RUN --mount=type=secret,id={want},required=true`), so the Hub's build fails"),
                Wanted::Mount(_) => format!(": the Dockerfile mounts it at build time (`RUN --mount=type=secret,id={want}`), and without it `/run/secrets/{want}` does not exist during the build"),
            };
            Diagnostic::new(&RULE, format!("`{}` has no secret `{want}`{case}{why}", ctx.probe.space_id))
                .help(format!("Settings → Variables and secrets → New secret `{want}`"))
        };
        out.diagnostics.push(d);
    }
}

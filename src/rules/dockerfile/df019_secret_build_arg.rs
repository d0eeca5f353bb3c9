use crate::model::referenced_vars;
use crate::parse::dockerfile::Kind;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::secrets::secret_name;

pub static RULE: Rule = Rule {
    code: Code::DF019,
    name: "secret-build-arg",
    severity: Severity::Warning,
    summary: "a RUN reads a secret-named build argument, which the Hub never fills from a Space secret",
    doc: r#"## What it checks
A `RUN` of a stage the build needs that reads (`$NAME`, `${NAME}`) a build argument whose name
says it holds a secret (`HF_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`…) and that has no value of
its own (`ARG HF_TOKEN`, `ARG HF_TOKEN=`).

## Why it matters on a Space
The Hub passes a Space's *variables* to the build as build arguments, but never its *secrets*:
with the token stored as a secret, the RUN sees an empty value (a private model download fails
with 401, a login with "token is empty"). Stored as a variable instead, it works, but the token
is then public to anyone who can see the Space's settings, and the build logs may print it.
Build-time secrets go through a secret mount, which the Hub fills from the Space's secrets.

## Example
```dockerfile
ARG HF_TOKEN
RUN huggingface-cli download org/private-model --token $HF_TOKEN
```

## Fix
```dockerfile
RUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true \
    HF_TOKEN=$(cat /run/secrets/HF_TOKEN) huggingface-cli download org/private-model
```
with `HF_TOKEN` stored as a Space secret."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("reading the secret at run time, or through `RUN --mount=type=secret`, changes the code that uses it"),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let needed = model.needed_stages();
    for stage in model.stages.iter().filter(|s| needed.contains(&s.index)) {
        // ARGs of this stage without a value of their own, whose names say secret.
        let args: Vec<_> = model
            .var_defs
            .iter()
            .filter(|d| d.kind == Kind::Arg && stage.body.contains(&d.instruction) && secret_name(&d.name))
            .filter(|d| d.value.as_ref().is_none_or(|v| v.value.trim().is_empty()))
            .collect();
        for arg in args {
            let reader = model.runs.iter().find(|r| {
                r.stage == stage.index && r.instruction > arg.instruction && referenced_vars(&r.text).contains(&arg.name)
            });
            let Some(run) = reader else { continue };
            let name = &arg.name;
            out.push(
                Diagnostic::new(
                    &RULE,
                    format!("this RUN reads the build argument `{name}`, but the Hub fills build arguments from Space variables only, never from secrets: stored as a secret, `{name}` is empty here (stored as a variable, it is public)"),
                )
                .at(file, run.span.clone())
                .label(format!("`${name}` is empty on the Hub"))
                .help(format!("read it from a secret mount: `RUN --mount=type=secret,id={name},mode=0444,required=true {name}=$(cat /run/secrets/{name}) …`, with `{name}` as a Space secret")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes_for;

    fn fires(dockerfile: &str) -> usize {
        codes_for(dockerfile, "DF019").len()
    }

    #[test]
    fn secret_build_args_read_by_a_run() {
        assert_eq!(fires("FROM python:3.11\nARG HF_TOKEN\nRUN huggingface-cli download org/m --token $HF_TOKEN\n"), 1);
        assert_eq!(fires("FROM python:3.11\nARG OPENAI_API_KEY=\nRUN echo ${OPENAI_API_KEY} > .env\n"), 1);
        // A global ARG brought into the stage.
        assert_eq!(fires("ARG HF_TOKEN\nFROM python:3.11\nARG HF_TOKEN\nRUN python dl.py $HF_TOKEN\n"), 1);
    }

    #[test]
    fn near_misses_stay_silent() {
        // A secret mount, an ARG no RUN reads, a name that is not a secret, a RUN before the ARG.
        assert_eq!(fires("FROM python:3.11\nRUN --mount=type=secret,id=HF_TOKEN,mode=0444 cat /run/secrets/HF_TOKEN\n"), 0);
        assert_eq!(fires("FROM python:3.11\nARG HF_TOKEN\nRUN pip install x\n"), 0);
        assert_eq!(fires("FROM python:3.11\nARG MODEL_ID\nRUN echo $MODEL_ID\n"), 0);
        assert_eq!(fires("FROM python:3.11\nRUN echo $HF_TOKEN\nARG HF_TOKEN\n"), 0);
        // With a value of its own it is DF010's.
        assert_eq!(fires("FROM python:3.11\nARG API_TOKEN=abc\nRUN echo $API_TOKEN\n"), 0);
        // A stage the build does not need.
        assert_eq!(fires("FROM python:3.11 AS unused\nARG HF_TOKEN\nRUN echo $HF_TOKEN\nFROM python:3.11\n"), 0);
    }
}

use super::final_from_span;
use crate::model::server::Started;
use crate::model::ImageModel;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::DF016,
    name: "no-server",
    severity: Severity::Error,
    summary: "the start command starts no server: nothing listens on app_port",
    doc: r#"## What it checks
What the container runs when it starts, followed through wrappers, `sh -c`, start scripts the
image contains and `python FILE`:
- no CMD or ENTRYPOINT at all, on a base image whose own start command is an interpreter or a
  shell (`python3` on python images, `node` on node images, `bash` on debian, ubuntu,
  nvidia/cuda…);
- a start command that only runs programs that serve nothing: `sleep infinity`,
  `tail -f /dev/null`, a bare `bash` or `python`, `echo`;
- `python app.py` where `app.py` (in the Space) is a Streamlit script with no server of its own;
- `python main.py` where `main.py` imports only modules that serve nothing (the standard library
  without its networking and process modules; numpy, pandas, torch, transformers, requests, the
  OpenAI client…) and calls nothing that runs another program (`os.system`, `exec`). A script
  importing anything else, the Space's own modules included, is not judged: they may serve.

A start command with any program spacecheck cannot judge (a binary, a script it cannot read,
`node server.js`) is not reported.

## Why it matters on a Space
The Hub waits for an answer on `app_port`. Without a TTY a REPL or shell exits at once (the Space
shows a runtime error); `sleep infinity` keeps the container alive with nothing listening, and
the Space stays "Starting" until the Hub gives up ("Launch timed out"). A Streamlit script run
with `python` draws nothing: Streamlit serves only under `streamlit run`.

## Example
```dockerfile
FROM python:3.11-slim
COPY . /app
RUN pip install -r /app/requirements.txt
```

## Fix
End with the command that starts the server on the app port, for instance
`CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "7860"]`, or for Streamlit
`CMD ["streamlit", "run", "app.py", "--server.port", "7860", "--server.address", "0.0.0.0"]`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::No("which server the Space should start is the author's to say"),
};

/// The start command of the base image when the Dockerfile sets none, where it serves nothing
/// (an interpreter or a shell); `None` for any other image, whose own command may serve.
fn base_default_command(model: &ImageModel) -> Option<&'static str> {
    let base = model.base_ref.as_ref()?;
    match base.short_name() {
        "python" => Some("python3"),
        "node" => Some("node"),
        "debian" | "ubuntu" | "buildpack-deps" | "golang" | "miniconda3" => Some("bash"),
        "alpine" => Some("/bin/sh"),
        "cuda" if base.repository.ends_with("nvidia/cuda") => Some("bash"),
        "pytorch" if base.repository.ends_with("pytorch/pytorch") => Some("bash"),
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model), Some(start)) = (ctx.dockerfile_file(), &ctx.model, &ctx.start) else { return };
    if model.stages.is_empty() {
        return;
    }
    let port = ctx.app_port_text();
    let Some(span) = start.span.clone() else {
        let Some(default) = base_default_command(model) else { return };
        let image = model.base_image.as_ref().map_or(String::new(), |b| b.value.clone());
        out.push(
            Diagnostic::new(
                &RULE,
                format!("the image has no CMD or ENTRYPOINT, so the container runs the start command of `{image}`, `{default}`, which serves nothing and exits at once without a terminal: nothing listens on {port}"),
            )
            .at(file, final_from_span(ctx).unwrap_or(0..0))
            .label("no start command")
            .help("end with the command that starts the server on the app port, e.g. `CMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]`"),
        );
        return;
    };
    if !start.servers.is_empty() || start.started.is_empty() || start.started.contains(&Started::Other) {
        return;
    }
    let special = start.started.iter().find(|s| matches!(s, Started::StreamlitScript(_) | Started::PlainScript(..)));
    let (message, help) = match special {
        Some(Started::PlainScript(path, modules)) => {
            let imports = if modules.is_empty() {
                "imports nothing".to_string()
            } else {
                let shown: Vec<String> = modules.iter().take(5).map(|m| format!("`{m}`")).collect();
                let more = if modules.len() > 5 { ", …" } else { "" };
                format!("imports only {}{more}", shown.join(", "))
            };
            (
                format!("`python {path}` runs a script that starts no server: it {imports}, none of which serves, and runs no other program; it does its work and exits (or loops) and nothing listens on {port}"),
                "serve the app from the script (a Gradio `demo.launch(server_name=\"0.0.0.0\", server_port=7860)`, `uvicorn.run(app, host=\"0.0.0.0\", port=7860)`), or run the server in the CMD".to_string(),
            )
        }
        Some(Started::StreamlitScript(path)) => (
            format!("`python {path}` runs a Streamlit script as a plain Python program: Streamlit serves only under `streamlit run`, so nothing listens on {port}"),
            format!("`CMD [\"streamlit\", \"run\", \"{path}\", \"--server.port\", \"7860\", \"--server.address\", \"0.0.0.0\"]` (with the app port)"),
        ),
        _ => {
            let shown: Vec<String> = start
                .started
                .iter()
                .filter_map(|s| match s {
                    Started::Idle(c) => Some(format!("`{c}`")),
                    _ => None,
                })
                .collect();
            (
                format!("the start command runs only {}, which serves nothing: nothing listens on {port}, and the Space never answers", shown.join(", ")),
                "start the server in the CMD (for a container kept alive by `sleep`/`tail`, put the server in its place)".to_string(),
            )
        }
    };
    out.push(Diagnostic::new(&RULE, message).at(file, span).label("no server").help(help));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    fn df016(files: &[(&str, &str)]) -> Vec<crate::rules::Diagnostic> {
        let mut all = vec![("README.md", README)];
        all.extend_from_slice(files);
        lint(&all).into_iter().filter(|d| d.code == "DF016").collect()
    }

    #[test]
    fn nothing_listens() {
        let d = df016(&[("Dockerfile", "FROM python:3.11-slim\nCOPY . /app\n")]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`python:3.11-slim`, `python3`"), "{}", d[0].message);
        let d = df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"sleep\", \"infinity\"]\n")]);
        assert!(d[0].message.contains("runs only `sleep infinity`"), "{}", d[0].message);
        assert_eq!(df016(&[("Dockerfile", "FROM ubuntu:22.04\nCMD tail -f /dev/null\n")]).len(), 1);
        assert_eq!(df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"python\"]\n")]).len(), 1);
        // What echo prints, or a word from a variable, is not repeated (it may be a secret).
        let d = df016(&[("Dockerfile", "FROM python:3.11\nENV K=s3cr3t-v4lue-1234567890abc\nCMD echo $K && sleep $K\n")]);
        assert!(d[0].message.contains("`echo`, `sleep …`") && !d[0].message.contains("s3cr3t"), "{}", d[0].message);
        let streamlit = [
            ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
            ("app.py", "import streamlit as st\nst.title('hi')\n"),
        ];
        let d = df016(&streamlit);
        assert!(d[0].message.contains("`python app.py` runs a Streamlit script"), "{}", d[0].message);
        let plain = [
            ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n"),
            ("main.py", "import os\nfrom transformers import pipeline\nprint(pipeline('sentiment-analysis')(os.environ['TEXT']))\n"),
        ];
        let d = df016(&plain);
        assert!(d[0].message.contains("`python main.py` runs a script that starts no server: it imports only `os`, `transformers`"), "{}", d[0].message);
    }

    #[test]
    fn near_misses_stay_silent() {
        assert!(df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"uvicorn\", \"a:b\", \"--host\", \"0.0.0.0\", \"--port\", \"7860\"]\n")]).is_empty());
        // A program spacecheck cannot judge, or a script it cannot read.
        assert!(df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"./server\"]\n")]).is_empty());
        assert!(df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"bash\", \"start.sh\"]\n")]).is_empty());
        assert!(df016(&[("Dockerfile", "FROM python:3.11\nCMD sleep 5 && ./server\n")]).is_empty());
        // A base whose own start command serves (ollama, an unknown image).
        assert!(df016(&[("Dockerfile", "FROM ollama/ollama\nRUN echo hi\n")]).is_empty());
        assert!(df016(&[("Dockerfile", "FROM ghcr.io/acme/server:1\n")]).is_empty());
        // A Python file that serves (uvicorn.run) or one the Space does not have.
        let served = [
            ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
            ("app.py", "import uvicorn\nuvicorn.run('a:b', host='0.0.0.0', port=7860)\n"),
        ];
        assert!(df016(&served).is_empty());
        assert!(df016(&[("Dockerfile", "FROM python:3.11\nCMD [\"python\", \"app.py\"]\n")]).is_empty());
        // A script that imports the Space's own module, a bot library, or starts a program.
        for script in ["import server\nserver.main()\n", "import discord\n", "import os\nos.system('gradio app.py')\n"] {
            let files = [
                ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n"),
                ("main.py", script),
            ];
            assert!(df016(&files).is_empty(), "{script}");
        }
    }
}

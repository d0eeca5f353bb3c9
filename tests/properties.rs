//! Property tests: Dockerfiles generated with a known base image, runtime user, port and server;
//! the model must recover them, and cosmetic rewrites (comments, blank lines, line
//! continuations, CRLF, lowercase keywords) must never change a finding.

use proptest::prelude::*;
use spacecheck::lint::{self, Options};
use spacecheck::model::{self, server, Uid};
use spacecheck::parse::dockerfile;
use spacecheck::policy::Policy;
use spacecheck::source::SourceFile;
use spacecheck::space::Space;

#[derive(Debug, Clone)]
enum User {
    None,
    Numeric(u32),
    Named { name: String, uid: u32 },
}

#[derive(Debug, Clone)]
struct Spec {
    base: &'static str,
    user: User,
    port: u16,
    server: usize,
    exec_form: bool,
    port_via_env: bool,
    builder_stage: bool,
}

const BASES: &[&str] = &[
    "python:3.11-slim",
    "python:3.12",
    "debian:bookworm-slim",
    "ubuntu:22.04",
    "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
];

fn spec() -> impl Strategy<Value = Spec> {
    let user = prop_oneof![
        Just(User::None),
        (1u32..60000).prop_map(User::Numeric),
        ("[a-z][a-z0-9]{2,8}", 1u32..60000)
            .prop_filter("not a base user", |(n, _)| !["root", "daemon", "nobody", "node", "ubuntu", "bun", "jovyan"]
                .contains(&n.as_str()))
            .prop_map(|(name, uid)| User::Named { name, uid }),
    ];
    (0..BASES.len(), user, 1025u16..65535, 0usize..4, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(b, user, port, server, exec_form, port_via_env, builder_stage)| Spec {
            base: BASES[b],
            user,
            port,
            server,
            exec_form,
            port_via_env,
            builder_stage,
        },
    )
}

/// The instructions, one string each (continuation lines allowed inside).
fn instructions(s: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    if s.builder_stage {
        out.push("FROM node:20 AS ui".to_string());
        out.push("USER node".to_string());
        out.push("RUN npm ci && npm run build".to_string());
    }
    out.push(format!("FROM {}", s.base));
    out.push("ENV PYTHONUNBUFFERED=1".to_string());
    if s.port_via_env {
        out.push(format!("ENV PORT={}", s.port));
    }
    match &s.user {
        User::None => {}
        User::Numeric(uid) => out.push(format!("USER {uid}")),
        User::Named { name, uid } => {
            out.push(format!("RUN useradd -m -u {uid} {name} && mkdir -p /app && chown -R {name} /app"));
            out.push(format!("USER {name}"));
        }
    }
    out.push("WORKDIR /app".to_string());
    out.push(format!("EXPOSE {}", s.port));
    let port = if s.port_via_env && !s.exec_form { "$PORT".to_string() } else { s.port.to_string() };
    let argv: Vec<String> = match s.server {
        0 => vec!["uvicorn".into(), "main:app".into(), "--host".into(), "0.0.0.0".into(), "--port".into(), port],
        1 => vec!["streamlit".into(), "run".into(), "app.py".into(), format!("--server.port={port}")],
        2 => vec!["gunicorn".into(), "-b".into(), format!("0.0.0.0:{port}"), "app:app".into()],
        _ => vec!["python".into(), "-m".into(), "http.server".into(), port],
    };
    if s.exec_form {
        let quoted: Vec<String> = argv.iter().map(|a| format!("\"{a}\"")).collect();
        out.push(format!("CMD [{}]", quoted.join(", ")));
    } else {
        out.push(format!("CMD {}", argv.join(" ")));
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Cosmetics {
    comments: bool,
    blank_lines: bool,
    continuations: bool,
    crlf: bool,
    lowercase: bool,
}

fn cosmetics() -> impl Strategy<Value = Cosmetics> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(comments, blank_lines, continuations, crlf, lowercase)| Cosmetics {
            comments,
            blank_lines,
            continuations,
            crlf,
            lowercase,
        },
    )
}

fn render(lines: &[String], c: Cosmetics) -> String {
    let mut out = String::new();
    for (n, line) in lines.iter().enumerate() {
        if c.comments {
            out.push_str(&format!("# step {n}: a comment that mentions USER root and EXPOSE 1\n"));
        }
        if c.blank_lines {
            out.push('\n');
        }
        let mut line = line.clone();
        if c.continuations {
            line = line.replace(" && ", " \\\n    && ");
        }
        if c.lowercase {
            if let Some((kw, rest)) = line.split_once(' ') {
                line = format!("{} {rest}", kw.to_ascii_lowercase());
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    if c.crlf {
        out = out.replace('\n', "\r\n");
    }
    out
}

fn findings(dockerfile: &str, port: u16) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), format!("---\nsdk: docker\napp_port: {port}\n---\n")).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write");
    let space = Space::load(dir.path()).expect("space");
    // BuildKit's checks (BK) are about how the file is written (keyword casing, blank lines in
    // continuations) by design: the property is about what the image does.
    let mut f: Vec<(String, String)> = lint::lint(&space, &Policy::baseline(), &Options::default())
        .diagnostics
        .into_iter()
        .filter(|d| !d.code.matches_prefix("BK"))
        .map(|d| (d.code.to_string(), d.message))
        .collect();
    f.sort();
    f
}

struct NoFiles;
impl server::Files for NoFiles {
    fn file(&self, _: &str) -> Option<String> {
        None
    }
    fn installs(&self, _: &str) -> bool {
        false
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn the_model_recovers_what_was_built(s in spec(), c in cosmetics()) {
        let text = render(&instructions(&s), c);
        let file = SourceFile::new("Dockerfile", text.clone());
        let df = dockerfile::parse(&file).map_err(|e| TestCaseError::fail(format!("{}: {text}", e.message)))?;
        let m = model::build(&df);
        prop_assert_eq!(m.base_image.as_ref().map(|b| b.value.as_str()), Some(s.base));
        match &s.user {
            User::None => prop_assert_eq!(m.runtime_user.clone(), model::RuntimeUser::Default, "the builder's USER must not leak"),
            User::Numeric(uid) | User::Named { uid, .. } => {
                let u = m.runtime_user_text().expect("a user");
                prop_assert_eq!(m.resolve_uid(u), Uid::Known(*uid));
            }
        }
        prop_assert!(m.exposed.iter().any(|e| e.ports.contains(&s.port)));
        let start = server::analyze(&m, &NoFiles);
        let srv = start.servers.last().expect("a server");
        prop_assert_eq!(srv.port.as_ref().and_then(|p| p.port()), Some(s.port), "{:?}", srv);
        prop_assert!(!srv.binds_loopback());
    }

    #[test]
    fn cosmetics_never_change_a_finding(s in spec(), c in cosmetics(), port_offset in 0u16..2) {
        let lines = instructions(&s);
        // Half the time the README names another port, so that port findings exist too.
        let app_port = if port_offset == 0 { s.port } else if s.port > 2000 { s.port - 1 } else { s.port + 1 };
        let plain = findings(&render(&lines, Cosmetics { comments: false, blank_lines: false, continuations: false, crlf: false, lowercase: false }), app_port);
        let dressed = findings(&render(&lines, c), app_port);
        prop_assert_eq!(plain, dressed);
    }
}

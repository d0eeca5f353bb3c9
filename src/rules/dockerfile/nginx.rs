//! nginx as the image runs it: the nginx the start command starts, and the configuration it
//! reads as far as the Space holds it. Shared by DF021 (what nginx writes) and DF008 (where it
//! listens).

use crate::model::server::{Server, ServerKind};
use crate::model::{CopyFrom, ImageModel};
use crate::parse::nginx::{self, Directive};
use crate::parse::shell;
use crate::rules::Context;
use crate::space::Loaded;

pub const MAIN_CONF: &str = "/etc/nginx/nginx.conf";

/// The arguments of every nginx the start command runs: on the command line or in a script,
/// or as a supervisord program.
pub fn nginx_runs(ctx: &Context, model: &ImageModel) -> Vec<Vec<String>> {
    let Some(start) = &ctx.start else { return Vec::new() };
    let mut runs: Vec<Vec<String>> =
        start.programs.iter().filter(|p| p.base_name() == "nginx").map(|p| p.args.clone()).collect();
    if let Some(explicit) = &start.supervisord {
        for rel in super::supervisord_configs(ctx, model, explicit.as_deref()) {
            let Loaded::Text(conf) = ctx.space.read_text(&rel) else { continue };
            for line in conf.text.lines() {
                let Some(("command", value)) = line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) else {
                    continue;
                };
                for c in shell::parse_commands(value, &shell::no_vars) {
                    if c.program_name() == Some("nginx") {
                        runs.push(c.words[1..].to_vec());
                    }
                }
            }
        }
    }
    runs
}

/// A configuration file nginx reads: where it comes from (a Space file, or a heredoc of the
/// Dockerfile) and its directives.
pub struct ConfFile {
    /// The Space file, when the configuration is one (for pointing at its lines).
    pub space_file: Option<String>,
    pub directives: Vec<Directive>,
}

/// The configuration nginx reads, as far as the Space holds it.
pub struct Configuration {
    /// The main file; `None` when it is the package's own (its paths are the build's defaults).
    pub main: Option<ConfFile>,
    /// The files copied or written beside it under /etc/nginx.
    pub others: Vec<ConfFile>,
}

/// `None` when the configuration cannot be known: edited by a RUN or at start, a main file
/// the image gets from elsewhere, a file nginx would refuse.
pub fn configuration(ctx: &Context, model: &ImageModel, main: &str) -> Option<Configuration> {
    if edited_by_a_run(model) || edited_at_start(ctx, model) {
        return None;
    }
    let read = |rel: &str| -> Option<ConfFile> {
        let Loaded::Text(file) = ctx.space.read_text(rel) else { return None };
        let directives = nginx::parse(&file.text).ok()?;
        Some(ConfFile { space_file: Some(rel.to_string()), directives })
    };
    let main_file = if let Some(text) = model.written_files.get(main) {
        Some(ConfFile { space_file: None, directives: nginx::parse(text).ok()? })
    } else if let Some(rel) = ctx.context_file_for(main) {
        Some(read(&rel)?)
    } else if main == MAIN_CONF && !copied_over(model, main) {
        None
    } else {
        // A file the image gets some other way (another stage, the start script).
        return None;
    };
    let mut others = Vec::new();
    for (_, text) in model.written_files.iter().filter(|(p, _)| p.starts_with("/etc/nginx/") && *p != main) {
        others.push(ConfFile { space_file: None, directives: nginx::parse(text).ok()? });
    }
    for rel in copied_under_etc_nginx(ctx, model) {
        if main_file.as_ref().and_then(|m| m.space_file.as_deref()) != Some(rel.as_str()) {
            // A file that is not nginx's syntax (mime.types is; an html page is not) is skipped.
            others.extend(read(&rel));
        }
    }
    Some(Configuration { main: main_file, others })
}

/// Whether a COPY from another stage or an ADD of a URL writes the path.
fn copied_over(model: &ImageModel, path: &str) -> bool {
    model.copies.iter().any(|c| c.from != CopyFrom::Context && (c.dest == path || path.starts_with(&c.dest)))
}

/// The Space files copied somewhere under /etc/nginx.
fn copied_under_etc_nginx(ctx: &Context, model: &ImageModel) -> Vec<String> {
    let mut files = Vec::new();
    for copy in model.copies.iter().filter(|c| c.from == CopyFrom::Context && c.dest.starts_with("/etc/nginx")) {
        for source in &copy.sources {
            let rel = source.value.trim_start_matches("./").trim_end_matches('/');
            if ctx.space.file(rel).is_some() {
                files.push(rel.to_string());
            } else if ctx.space.has_dir(rel) {
                let below = format!("{rel}/");
                files.extend(ctx.space.files.iter().filter(|f| f.path.starts_with(&below)).map(|f| f.path.clone()));
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

/// Whether a RUN of the final image edits nginx's configuration in place (`sed -i`, `>`), which
/// the Space's files then do not show.
fn edited_by_a_run(model: &ImageModel) -> bool {
    model.runs_in_chain().flat_map(|r| &r.commands).any(|c| {
        let edits = matches!(c.program_name(), Some("sed" | "perl" | "tee" | "envsubst" | "ln" | "cp" | "mv"));
        let targets_etc = c.words.iter().skip(1).any(|w| w.contains("/etc/nginx"));
        let redirects = c.redirects.iter().any(|r| r.writes() && r.target.starts_with("/etc/nginx"));
        // A heredoc written into /etc/nginx is read from the model's written files.
        let heredoc = c.redirects.iter().any(|r| model.written_files.contains_key(&r.target));
        (edits && targets_etc) || (redirects && !heredoc)
    })
}

/// Whether a start script writes nginx's configuration when the container starts (`envsubst <
/// template > /etc/nginx/conf.d/default.conf`, `sed -i`): the image's files are then not what
/// nginx reads.
fn edited_at_start(ctx: &Context, model: &ImageModel) -> bool {
    let Some(start) = &ctx.start else { return false };
    start.scripts.iter().any(|s| {
        let text = model.written_files.get(&s.image_path).cloned().or_else(|| {
            let rel = ctx.context_file_for(&s.image_path)?;
            match ctx.space.read_text(&rel) {
                Loaded::Text(f) => Some(f.text),
                _ => None,
            }
        });
        text.is_some_and(|t| {
            shell::parse_commands(&t, &shell::no_vars).iter().any(|c| {
                c.redirects.iter().any(|r| r.writes() && r.target.contains("nginx"))
                    || (matches!(c.program_name(), Some("sed" | "perl" | "envsubst" | "cp" | "mv" | "ln" | "tee"))
                        && c.words.iter().skip(1).any(|w| w.contains("nginx")))
            })
        })
    })
}

/// The nginx the start command starts as a server, and the main configuration file it reads:
/// `None` when none is started, or one with `-p` (which moves every relative path). `-t`, `-s`
/// and `-v` start no server.
pub fn started(ctx: &Context, model: &ImageModel) -> Option<(Vec<String>, String)> {
    let runs = nginx_runs(ctx, model);
    let args = runs.into_iter().find(|a| !a.iter().any(|w| matches!(w.as_str(), "-t" | "-T" | "-s" | "-v" | "-V")))?;
    if args.iter().any(|w| w == "-p") {
        return None;
    }
    let main = args
        .windows(2)
        .find(|w| w[0] == "-c")
        .map_or(MAIN_CONF.to_string(), |w| crate::model::join_path("/etc/nginx", &w[1]));
    Some((args, main))
}

/// Whether a server of the start command is nginx in front of the app.
pub fn is_front(server: &Server) -> bool {
    server.kind == ServerKind::Front("nginx".into())
}

/// [`listens`] of the nginx the start command puts in front of the app; `None` when it runs
/// none or its listens are not all known.
pub fn front_listens(ctx: &Context, model: &ImageModel) -> Option<Vec<Listen>> {
    ctx.start.as_ref()?.servers.iter().any(is_front).then(|| listens(ctx, model)).flatten()
}

/// Where one `listen` directive makes nginx listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub port: u16,
    /// As written (`8080`, `0.0.0.0:8080 default_server`'s first word).
    pub written: String,
    /// The Space file and line of the directive; `None` for a heredoc of the Dockerfile.
    pub at: Option<(String, usize)>,
}

impl Listen {
    /// Whether it listens on the loopback interface only (`127.0.0.1:7860`, `localhost:7860`,
    /// `[::1]:7860`), which the Hub's proxy cannot reach.
    pub fn binds_loopback(&self) -> bool {
        let host = match self.written.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => self.written.rsplit_once(':').map_or(self.written.as_str(), |(host, _)| host),
        };
        host == "localhost" || host == "::1" || host.starts_with("127.")
    }
}

/// Includes that hold no `server` block: MIME types and the `*_params` files.
fn holds_no_server(include: &str) -> bool {
    let name = include.rsplit('/').next().unwrap_or(include);
    name == "mime.types" || name.ends_with("_params") || name.ends_with("_params.conf")
}

/// Every port the started nginx listens on, when the Space's own main configuration says all of
/// it: no include that may hold a `server` block (`conf.d/*.conf`, `sites-enabled/*`: the image
/// may hold files there the Space does not show), a `listen` in every `server` block (without
/// one nginx listens on 80, or 8000 when not root), and every `listen` a TCP port.
pub fn listens(ctx: &Context, model: &ImageModel) -> Option<Vec<Listen>> {
    let (_, main) = started(ctx, model)?;
    let conf = configuration(ctx, model, &main)?;
    let main = conf.main?;
    let mut found = Vec::new();
    let (mut blocks, mut blocks_with_listen, mut this_block_listens) = (0, 0, false);
    for d in &main.directives {
        let inside = |block: &str| d.context.last().is_some_and(|c| c == block);
        match d.name.as_str() {
            "include" if !d.args.first().is_some_and(|a| holds_no_server(a)) => return None,
            // `server` also names an upstream's members; only a block in `http` or `stream`
            // listens.
            "server" if inside("http") || inside("stream") => {
                blocks += 1;
                this_block_listens = false;
            }
            "listen" if inside("server") => {
                if !this_block_listens {
                    blocks_with_listen += 1;
                    this_block_listens = true;
                }
                let written = d.args.first()?.clone();
                let port = listen_port(&written)?;
                found.push(Listen { port, written, at: main.space_file.clone().map(|f| (f, d.line)) });
            }
            _ => {}
        }
    }
    (blocks > 0 && blocks_with_listen == blocks).then_some(found)
}

/// The port of a `listen` address: `8080`, `*:8080`, `0.0.0.0:8080`, `[::]:8080`; an address
/// alone (`127.0.0.1`) is port 80. `None` for a UNIX socket or a variable.
fn listen_port(address: &str) -> Option<u16> {
    if address.starts_with("unix:") || address.contains('$') {
        return None;
    }
    if let Ok(port) = address.parse::<u16>() {
        return Some(port);
    }
    let port = match address.strip_prefix('[') {
        Some(v6) => v6.split_once("]")?.1.strip_prefix(':'),
        None => address.rsplit_once(':').map(|(_, port)| port),
    };
    match port {
        Some(port) => port.parse().ok(),
        None => Some(80),
    }
}

/// A Space whose image runs uvicorn on loopback behind nginx, for the rules that read nginx.
#[cfg(test)]
pub mod fixtures {
    use crate::rules::testing::{lint, README};
    use crate::rules::Diagnostic;

    const DOCKERFILE: &str = "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y nginx\nRUN useradd -m -u 1000 user\nCOPY nginx.conf /etc/nginx/nginx.conf\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\n";
    /// uvicorn on 127.0.0.1:8000 in the background, nginx in front.
    pub const CMD: &str =
        "CMD [\"sh\", \"-c\", \"uvicorn main:app --host 127.0.0.1 --port 8000 & nginx -g 'daemon off;'\"]\n";

    /// The findings of `code` for that image started by `cmd`, with `conf` as its nginx.conf.
    pub fn with_nginx(code: &str, conf: &str, cmd: &str) -> Vec<Diagnostic> {
        let dockerfile = format!("{DOCKERFILE}{cmd}");
        let files = [("README.md", README), ("Dockerfile", dockerfile.as_str()), ("nginx.conf", conf)];
        lint(&files).into_iter().filter(|d| d.code == code).collect()
    }

    /// An nginx.conf whose one server block holds `listen` (line 7) and proxies to uvicorn.
    pub fn conf(listen: &str) -> String {
        format!("pid /tmp/nginx.pid;\nevents {{}}\nhttp {{\n    include /etc/nginx/mime.types;\n    upstream app {{ server 127.0.0.1:8000; }}\n    server {{\n        {listen}\n        location / {{ proxy_pass http://app; }}\n    }}\n}}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::listen_port;

    #[test]
    fn loopback_listen_addresses() {
        let listen = |written: &str| super::Listen { port: 7860, written: written.into(), at: None };
        for loopback in ["127.0.0.1:7860", "localhost:7860", "[::1]:7860", "127.0.0.1"] {
            assert!(listen(loopback).binds_loopback(), "{loopback}");
        }
        for all in ["7860", "0.0.0.0:7860", "*:7860", "[::]:7860", "10.0.0.1:7860"] {
            assert!(!listen(all).binds_loopback(), "{all}");
        }
    }

    #[test]
    fn ports_of_listen_addresses() {
        assert_eq!(listen_port("8080"), Some(8080));
        assert_eq!(listen_port("0.0.0.0:7860"), Some(7860));
        assert_eq!(listen_port("*:7860"), Some(7860));
        assert_eq!(listen_port("[::]:7860"), Some(7860));
        assert_eq!(listen_port("[::1]"), Some(80));
        assert_eq!(listen_port("127.0.0.1"), Some(80));
        assert_eq!(listen_port("localhost:8000"), Some(8000));
        assert_eq!(listen_port("unix:/tmp/nginx.sock"), None);
        assert_eq!(listen_port("${PORT}"), None);
    }
}

use crate::model::fs::{Access, Change, PathState};
use crate::model::{CopyFrom, ImageModel};
use crate::parse::nginx::{self, Directive};
use crate::parse::shell;
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::DF021,
    name: "nginx-not-writable",
    severity: Severity::Error,
    summary: "nginx runs as UID 1000 on the Hub but its temp folders, logs or pid file are root's: it stops at once",
    doc: r#"## What it checks
When the start command runs nginx (directly, from a start script, or as a supervisord program),
the paths the nginx master process creates or opens when it starts: the five temp folders
(`client_body_temp_path`, `proxy_temp_path`, `fastcgi_temp_path`, `uwsgi_temp_path`,
`scgi_temp_path`), the `error_log` and `access_log` files and the `pid` file. Each comes from the
configuration the image holds (the `nginx.conf` copied or written to `/etc/nginx`, the files
copied beside it, `-c` and `-g` on the command line), else from the defaults the nginx build was
compiled with: Debian's and Ubuntu's package (`/var/lib/nginx/body`, `/run/nginx.pid`,
`/var/log/nginx/`), Alpine's (`/var/lib/nginx/tmp/…`, `/run/nginx/nginx.pid`) or the official
`nginx` image (`/var/cache/nginx/…_temp`; its logs go to the container's output). Each path is
asked of the model's map of owners: can UID 1000 create or write it?

Not judged: another nginx build (`nginxinc/nginx-unprivileged` is made for this and passes;
OpenResty), a configuration the Space does not hold or that a RUN or the start script edits
(`sed -i`, `envsubst >`), relative paths and paths with variables.

## Why it matters on a Space
The Hub runs the container as UID 1000. nginx as that user cannot make its folders under the
package's root-owned `/var/lib/nginx` or `/var/cache/nginx`, nor open `/run/nginx.pid`: it stops
with `[emerg] mkdir() "/var/lib/nginx/body" failed (13: Permission denied)` and nothing answers
on the app port. (The `user` directive is then ignored with a warning; that is harmless.)

## Example
```dockerfile
FROM python:3.11-slim
RUN apt-get update && apt-get install -y nginx
COPY nginx.conf /etc/nginx/nginx.conf
CMD ["nginx", "-g", "daemon off;"]
```
with an `nginx.conf` that sets none of those paths.

## Fix
Point every path at `/tmp` in `nginx.conf`:
```nginx
pid /tmp/nginx.pid;
error_log /dev/stderr;
http {
    access_log /dev/stdout;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    …
}
```
or give the folders to UID 1000 in the Dockerfile, as root:
`RUN chown -R 1000 /var/lib/nginx /var/log/nginx && touch /run/nginx.pid && chown 1000 /run/nginx.pid`."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
};

/// The paths an nginx build was compiled with, and the folders its package makes.
struct Build {
    name: &'static str,
    pid: &'static str,
    /// `(directive, default path)` for the five temp folders.
    temp: [(&'static str, &'static str); 5],
    error_log: &'static str,
    access_log: &'static str,
    /// Its default log files are links to the container's output (the official image).
    logs_to_output: bool,
    /// Folders the package makes, root's (or its own user's): named in messages instead of the
    /// base image's folder above them.
    package_dirs: &'static [&'static str],
}

const DEBIAN: Build = Build {
    name: "Debian's nginx package",
    pid: "/run/nginx.pid",
    temp: [
        ("client_body_temp_path", "/var/lib/nginx/body"),
        ("proxy_temp_path", "/var/lib/nginx/proxy"),
        ("fastcgi_temp_path", "/var/lib/nginx/fastcgi"),
        ("uwsgi_temp_path", "/var/lib/nginx/uwsgi"),
        ("scgi_temp_path", "/var/lib/nginx/scgi"),
    ],
    error_log: "/var/log/nginx/error.log",
    access_log: "/var/log/nginx/access.log",
    logs_to_output: false,
    package_dirs: &["/var/lib/nginx", "/var/log/nginx"],
};

const ALPINE: Build = Build {
    name: "Alpine's nginx package",
    pid: "/run/nginx/nginx.pid",
    temp: [
        ("client_body_temp_path", "/var/lib/nginx/tmp/client_body"),
        ("proxy_temp_path", "/var/lib/nginx/tmp/proxy"),
        ("fastcgi_temp_path", "/var/lib/nginx/tmp/fastcgi"),
        ("uwsgi_temp_path", "/var/lib/nginx/tmp/uwsgi"),
        ("scgi_temp_path", "/var/lib/nginx/tmp/scgi"),
    ],
    error_log: "/var/log/nginx/error.log",
    access_log: "/var/log/nginx/access.log",
    logs_to_output: false,
    package_dirs: &["/var/lib/nginx/tmp", "/var/lib/nginx", "/var/log/nginx", "/run/nginx"],
};

const OFFICIAL: Build = Build {
    name: "the official nginx image",
    pid: "/run/nginx.pid",
    temp: [
        ("client_body_temp_path", "/var/cache/nginx/client_temp"),
        ("proxy_temp_path", "/var/cache/nginx/proxy_temp"),
        ("fastcgi_temp_path", "/var/cache/nginx/fastcgi_temp"),
        ("uwsgi_temp_path", "/var/cache/nginx/uwsgi_temp"),
        ("scgi_temp_path", "/var/cache/nginx/scgi_temp"),
    ],
    error_log: "/var/log/nginx/error.log",
    access_log: "/var/log/nginx/access.log",
    logs_to_output: true,
    package_dirs: &["/var/cache/nginx", "/var/log/nginx"],
};

const MAIN_CONF: &str = "/etc/nginx/nginx.conf";

/// Which nginx the final image runs: the official image, or the distribution's package.
fn build_of(model: &ImageModel) -> Option<&'static Build> {
    let repo = model.base_ref.as_ref().map(|r| r.repository.strip_prefix("library/").unwrap_or(&r.repository));
    if repo == Some("nginx") {
        return Some(&OFFICIAL);
    }
    let installs = |managers: &[&str], subcommand: &str| {
        model.runs_in_chain().flat_map(|r| &r.commands).any(|c| {
            c.program_name().is_some_and(|p| managers.contains(&p))
                && c.words.iter().any(|w| w == subcommand)
                && c.words.iter().any(|w| w == "nginx" || w.starts_with("nginx-"))
        })
    };
    match model.base().distro {
        crate::model::base::Distro::Debian | crate::model::base::Distro::Ubuntu
            if installs(&["apt-get", "apt"], "install") =>
        {
            Some(&DEBIAN)
        }
        crate::model::base::Distro::Alpine if installs(&["apk"], "add") => Some(&ALPINE),
        _ => None,
    }
}

/// The arguments of every nginx the start command runs: on the command line or in a script,
/// or as a supervisord program.
fn nginx_runs(ctx: &Context, model: &ImageModel) -> Vec<Vec<String>> {
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
struct ConfFile {
    /// The Space file, when the configuration is one (for pointing at its lines).
    space_file: Option<String>,
    directives: Vec<Directive>,
}

/// The configuration nginx reads, as far as the Space holds it.
struct Configuration {
    /// The main file; `None` when it is the package's own (its paths are the build's defaults).
    main: Option<ConfFile>,
    /// The files copied or written beside it under /etc/nginx.
    others: Vec<ConfFile>,
}

/// `None` when the configuration cannot be known: edited by a RUN or at start, a main file
/// the image gets from elsewhere, a file nginx would refuse.
fn configuration(ctx: &Context, model: &ImageModel, main: &str) -> Option<Configuration> {
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

/// A path nginx writes when it starts, and where it comes from.
struct NeededPath {
    path: String,
    /// `client_body_temp_path`, `error_log`, `pid`.
    directive: &'static str,
    /// A temp folder (created) or a file (opened).
    folder: bool,
    /// The directive that sets it: (Space file, line); `None` for the build's default or a
    /// directive written by the Dockerfile.
    set_at: Option<(String, usize)>,
}

/// Every path the nginx master writes at start, in the order it tries them: temp folders, log
/// files, then the pid file.
fn needed_paths(build: &Build, args: &[String], conf: &Configuration) -> Vec<NeededPath> {
    let command_line: Vec<Directive> =
        args.windows(2).filter(|w| w[0] == "-g").filter_map(|w| nginx::parse(&w[1]).ok()).flatten().collect();
    let all: Vec<(&Directive, Option<&str>)> = command_line
        .iter()
        .map(|d| (d, None))
        .chain(conf.main.iter().chain(&conf.others).flat_map(|f| f.directives.iter().map(|d| (d, f.space_file.as_deref()))))
        .collect();
    let set = |name: &str| -> Vec<(&Directive, Option<&str>)> {
        all.iter().filter(|(d, _)| d.name == name).copied().collect()
    };
    let place = |d: &Directive, file: Option<&str>| file.map(|f| (f.to_string(), d.line));
    let mut out = Vec::new();
    for (directive, default) in build.temp {
        match set(directive).first() {
            Some((d, file)) => out.extend(d.args.first().map(|p| NeededPath {
                path: p.clone(),
                directive,
                folder: true,
                set_at: place(d, *file),
            })),
            None => out.push(NeededPath { path: default.into(), directive, folder: true, set_at: None }),
        }
    }
    for (directive, default) in [("error_log", build.error_log), ("access_log", build.access_log)] {
        let given = set(directive);
        if given.is_empty() && !build.logs_to_output {
            out.push(NeededPath { path: default.into(), directive, folder: false, set_at: None });
        }
        for (d, file) in given {
            out.extend(d.args.first().map(|p| NeededPath {
                path: p.clone(),
                directive,
                folder: false,
                set_at: place(d, file),
            }));
        }
    }
    match set("pid").first() {
        Some((d, file)) => out.extend(d.args.first().map(|p| NeededPath {
            path: p.clone(),
            directive: "pid",
            folder: false,
            set_at: place(d, *file),
        })),
        None => out.push(NeededPath { path: build.pid.into(), directive: "pid", folder: false, set_at: None }),
    }
    // What nginx does not write to a file, or what cannot be placed: the container's output,
    // syslog, `off`, a relative path (under nginx's prefix), a variable.
    out.retain(|p| p.path.starts_with('/') && !p.path.starts_with("/dev/") && !p.path.contains('$'));
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(file), Some(model)) = (ctx.dockerfile_file(), &ctx.model) else { return };
    let Some(build) = build_of(model) else { return };
    let runs = nginx_runs(ctx, model);
    // `-p` moves every relative path; `-t`/`-s`/`-v` do not start a server.
    let Some(args) = runs.iter().find(|a| !a.iter().any(|w| matches!(w.as_str(), "-t" | "-T" | "-s" | "-v" | "-V")))
    else {
        return;
    };
    if args.iter().any(|w| w == "-p") {
        return;
    }
    let main = args.windows(2).find(|w| w[0] == "-c").map_or(MAIN_CONF.to_string(), |w| crate::model::join_path("/etc/nginx", &w[1]));
    let Some(conf) = configuration(ctx, model, &main) else { return };
    let denied: Vec<(NeededPath, String, PathState)> = needed_paths(build, args, &conf)
        .into_iter()
        .filter_map(|p| match model.writable_at_run_time(&p.path) {
            Access::No { path, state } => Some((p, path, state)),
            _ => None,
        })
        .collect();
    let Some((first, blocking, state)) = denied.first() else { return };
    let (blocking, owner) = package_folder(build, &first.path, blocking, state)
        .map(|dir| (dir.to_string(), "owned by root (made by the nginx package)".to_string()))
        .unwrap_or_else(|| (blocking.clone(), super::describe_state(ctx, file, state)));
    let verb = if first.folder { "create" } else { "open" };
    let call = if first.folder { "mkdir" } else { "open" };
    let source = match &first.set_at {
        Some((rel, line)) => format!("`{}` on line {line} of {rel}", first.directive),
        None => format!("`{}`, the default of {}", first.directive, build.name),
    };
    let also: Vec<String> = denied.iter().skip(1).map(|(p, _, _)| format!("`{}`", p.path)).collect();
    let also = if also.is_empty() { String::new() } else { format!("; it could not write {} either", also.join(", ")) };
    let message = format!(
        "nginx runs as UID 1000 on the Hub and cannot {verb} `{}` ({source}): `{blocking}` is {owner}; nginx stops with `[emerg] {call}() \"{}\" failed (13: Permission denied)` and nothing answers on {}{also}",
        first.path,
        first.path,
        ctx.app_port_text()
    );
    let help = "point what nginx writes at /tmp in its configuration (`pid /tmp/nginx.pid;` and `error_log /dev/stderr;` at the top; `access_log /dev/stdout;` and `client_body_temp_path /tmp/client_temp;`, `proxy_temp_path`, `fastcgi_temp_path`, `uwsgi_temp_path`, `scgi_temp_path` under /tmp in `http {}`), or give the folders to UID 1000 in the Dockerfile before USER (`chown -R 1000 /var/lib/nginx /var/log/nginx`, `touch /run/nginx.pid && chown 1000 /run/nginx.pid`)";
    let d = Diagnostic::new(&RULE, message).help(help);
    out.push(match &first.set_at {
        Some((rel, line)) => d.in_file(rel, Some((*line, 1))),
        None => match ctx.start.as_ref().and_then(|s| s.span.clone()) {
            Some(span) => d.at(file, span).label("starts nginx"),
            None => d.at(file, super::final_from_span(ctx).unwrap_or(0..0)),
        },
    });
}

/// The nginx package's own folder that holds `path`, when the map only knows a base image
/// folder above it: the package made it, root's, and the message names it.
fn package_folder(build: &Build, path: &str, blocking: &str, state: &PathState) -> Option<&'static str> {
    if state.change != Change::Base {
        return None;
    }
    build
        .package_dirs
        .iter()
        .find(|dir| path.starts_with(&format!("{dir}/")) && dir.starts_with(&format!("{blocking}/")))
        .copied()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes_for, lint, README};

    const APT: &str = "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y nginx\n";

    fn fires(dockerfile: &str, files: &[(&str, &str)]) -> Vec<String> {
        let mut all = vec![("README.md", README), ("Dockerfile", dockerfile)];
        all.extend_from_slice(files);
        lint(&all).into_iter().filter(|d| d.code == "DF021").map(|d| d.message).collect()
    }

    #[test]
    fn nginx_with_the_packages_paths_stops() {
        let m = fires(&format!("{APT}CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"), &[]);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("cannot create `/var/lib/nginx/body` (`client_body_temp_path`, the default of Debian's nginx package): `/var/lib/nginx` is owned by root (made by the nginx package)"), "{m:?}");
        assert!(m[0].contains("`/run/nginx.pid`"), "{m:?}");
        // Its own configuration, setting the temp folders but not the pid file.
        let conf = "events {}\nhttp {\n client_body_temp_path /tmp/a;\n proxy_temp_path /tmp/b;\n fastcgi_temp_path /tmp/c;\n uwsgi_temp_path /tmp/d;\n scgi_temp_path /tmp/e;\n access_log /dev/stdout;\n}\nerror_log stderr;\n";
        let m = fires(&format!("{APT}COPY nginx.conf /etc/nginx/nginx.conf\nCMD nginx -g 'daemon off;'\n"), &[("nginx.conf", conf)]);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("cannot open `/run/nginx.pid` (`pid`, the default of Debian's nginx package)"), "{m:?}");
        // The official image; Alpine's package; run by supervisord.
        assert_eq!(fires("FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n", &[("site/index.html", "x")]).len(), 0);
        let m = fires("FROM nginx:1.27\nUSER 1000\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", &[]);
        assert!(m[0].contains("`/var/cache/nginx/client_temp`"), "{m:?}");
        let m = fires("FROM alpine:3.20\nRUN apk add --no-cache nginx\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", &[]);
        assert!(m[0].contains("`/var/lib/nginx/tmp/client_body`"), "{m:?}");
        let sup = "[supervisord]\nnodaemon=true\n[program:web]\ncommand=nginx -g \"daemon off;\"\n";
        let m = fires(&format!("{APT}RUN pip install supervisor\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCMD [\"supervisord\", \"-n\"]\n"), &[("supervisord.conf", sup)]);
        assert_eq!(m.len(), 1, "{m:?}");
    }

    #[test]
    fn nginx_that_can_write_stays_silent() {
        // Everything under /tmp; the folders given to UID 1000; writable by all.
        let conf = "pid /tmp/nginx.pid;\nerror_log /dev/stderr;\nevents {}\nhttp {\n access_log /dev/stdout;\n client_body_temp_path /tmp/a;\n proxy_temp_path /tmp/b;\n fastcgi_temp_path /tmp/c;\n uwsgi_temp_path /tmp/d;\n scgi_temp_path /tmp/e;\n}\n";
        assert!(fires(&format!("{APT}COPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"), &[("nginx.conf", conf)]).is_empty());
        let chowned = "RUN chown -R 1000 /var/lib/nginx /var/log/nginx /run\n";
        assert!(fires(&format!("{APT}{chowned}CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"), &[]).is_empty());
        let opened = "RUN chmod -R 777 /var/lib/nginx /var/log/nginx /run\n";
        assert!(fires(&format!("{APT}{opened}CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"), &[]).is_empty());
        // The image made for this; nginx not started; a configuration edited at build time.
        assert!(fires("FROM nginxinc/nginx-unprivileged:1.27\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", &[]).is_empty());
        assert!(fires(&format!("{APT}CMD [\"python\", \"app.py\"]\n"), &[("app.py", "print(1)\n")]).is_empty());
        assert!(fires(&format!("{APT}RUN sed -i 's|/run/nginx.pid|/tmp/nginx.pid|' /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n"), &[]).is_empty());
        // A configuration nginx would refuse is not judged here.
        assert!(codes_for(&format!("{APT}CMD [\"nginx\", \"-t\"]\n"), "DF021").is_empty());
    }
}

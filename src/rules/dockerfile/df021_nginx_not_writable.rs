use super::nginx::{configuration, Configuration};
use crate::model::fs::{Access, Change, PathState};
use crate::model::ImageModel;
use crate::parse::nginx::{self, Directive};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};

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
    fixable: crate::rules::Fixable::No("the folders to give nginx depend on its configuration and the paths it is built with"),
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

/// Which nginx the final image runs: the official image, or the distribution's package.
fn build_of(model: &ImageModel) -> Option<&'static Build> {
    let repo = model.base_ref.as_ref().map(|r| r.repository.strip_prefix("library/").unwrap_or(&r.repository));
    if repo == Some("nginx") {
        return Some(&OFFICIAL);
    }
    use crate::model::installs::SystemManager;
    let installs = |manager: SystemManager| {
        model.runs_in_chain().flat_map(|r| &r.system_installs).any(|(_, i)| {
            i.manager == manager && i.packages.iter().any(|p| p.name == "nginx" || p.name.starts_with("nginx-"))
        })
    };
    match model.base().distro {
        crate::model::base::Distro::Debian | crate::model::base::Distro::Ubuntu if installs(SystemManager::Apt) => {
            Some(&DEBIAN)
        }
        crate::model::base::Distro::Alpine if installs(SystemManager::Apk) => Some(&ALPINE),
        _ => None,
    }
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
    let Some((args, main)) = super::nginx::started(ctx, model) else { return };
    let Some(conf) = configuration(ctx, model, &main) else { return };
    let denied: Vec<(NeededPath, String, PathState)> = needed_paths(build, &args, &conf)
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

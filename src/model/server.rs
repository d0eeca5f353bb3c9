//! The server the container starts: which program, on which host and port.
//!
//! Follows the start command through wrappers (`exec`, `tini --`, `env X=1`), shells
//! (`sh -c "..."`), start scripts the image contains (copied from the Space or written by a
//! heredoc), `python -m`, and the Python file a `python app.py` runs, and knows each common
//! server's flags, environment variables and defaults.

use std::collections::HashMap;
use std::ops::Range;

use super::{ImageModel, StartCommand};
use crate::parse::dockerfile::CommandForm;
use crate::parse::python::{self, Application, ArgValue, ServerCall, ServerCallKind};
use crate::parse::shell::{self, parse_commands, ParsedArgs, SimpleCommand, VarLookup};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerKind {
    Uvicorn,
    Gunicorn,
    Hypercorn,
    Streamlit,
    Gradio,
    Flask,
    HttpServer,
    FastApiCli,
    /// Django's development server: `python manage.py runserver [addrport]`,
    /// `django-admin runserver`.
    DjangoRunserver,
    /// node, npm, next, bun, deno... : they read `PORT` by convention.
    PortEnv(String),
    /// A process that may own the app port in ways not visible here: a reverse proxy (nginx,
    /// caddy, socat...) or a process manager (supervisord, pm2). Its port, when known, is set.
    Front(String),
}

impl ServerKind {
    pub fn name(&self) -> &str {
        match self {
            ServerKind::Uvicorn => "uvicorn",
            ServerKind::Gunicorn => "gunicorn",
            ServerKind::Hypercorn => "hypercorn",
            ServerKind::Streamlit => "streamlit",
            ServerKind::Gradio => "gradio",
            ServerKind::Flask => "flask",
            ServerKind::HttpServer => "python -m http.server",
            ServerKind::FastApiCli => "fastapi",
            ServerKind::DjangoRunserver => "runserver",
            ServerKind::PortEnv(p) | ServerKind::Front(p) => p,
        }
    }

    /// The package that provides the server (for RP004), when it is a Python package.
    pub fn python_package(&self) -> Option<&'static str> {
        match self {
            ServerKind::Uvicorn => Some("uvicorn"),
            ServerKind::Gunicorn => Some("gunicorn"),
            ServerKind::Hypercorn => Some("hypercorn"),
            ServerKind::Streamlit => Some("streamlit"),
            ServerKind::Gradio => Some("gradio"),
            ServerKind::Flask => Some("flask"),
            ServerKind::FastApiCli => Some("fastapi"),
            _ => None,
        }
    }
}

/// Where a host or port value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, as written (`--port $PORT`).
    Flag(String),
    /// An environment variable the server reads (`GRADIO_SERVER_PORT`).
    Env(String),
    /// The server's built-in default.
    Default,
    /// A call in the Python source (`uvicorn.run(app, port=...)`).
    Source(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value after expansion; may still hold `$VAR` when it could not be resolved.
    pub value: String,
    pub origin: Origin,
}

impl Setting {
    pub fn port(&self) -> Option<u16> {
        self.value.trim().parse().ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub kind: ServerKind,
    pub port: Option<Setting>,
    pub host: Option<Setting>,
    /// The script or file the server was found in, when not the CMD itself.
    pub via: Option<String>,
    pub background: bool,
    /// True when the server is inferred (a `python app.py` with gradio installed).
    pub inferred: bool,
    /// The development modes it runs in (a reloader, a debugger), from its flags, environment
    /// or call.
    pub dev_modes: Vec<DevMode>,
}

/// A development mode a server runs in. A Space gains nothing from one (its code changes only
/// by a push, which rebuilds the image and restarts the Space), and some stop it or expose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevMode {
    /// A file watcher that restarts the server when a watched source file changes: uvicorn's,
    /// hypercorn's and gunicorn's `--reload`, `fastapi dev`, Flask's reloader.
    Reload(Origin),
    /// Werkzeug's interactive debugger (Flask's debug mode): an error page offers a Python
    /// console into the process.
    Debugger(Origin),
    /// `uvicorn.run(app, reload=True)` (or `workers=4`) given the application object, not an
    /// import string: uvicorn cannot start the app in another process and exits at once ("You
    /// must pass the application as an import string to enable 'reload' or 'workers'"). The
    /// object's name, and the keyword that needs the import string.
    ImportStringRequired { object: String, by: Origin },
}

impl Server {
    /// How messages name it: `uvicorn`, or `uvicorn (in app.py)` when found in a file.
    pub fn described(&self) -> String {
        match &self.via {
            Some(via) => format!("{} (in {via})", self.kind.name()),
            None => self.kind.name().to_string(),
        }
    }

    /// Whether it binds only the loopback interface (unreachable from the Hub's proxy).
    pub fn binds_loopback(&self) -> bool {
        self.host.as_ref().is_some_and(|h| {
            let v = h.value.trim().trim_start_matches('[').trim_end_matches(']');
            v == "127.0.0.1" || v == "localhost" || v == "::1" || v.starts_with("127.")
        })
    }
}

/// What the start command does, for DF008/DF009/RP004.
#[derive(Debug, Clone, Default)]
pub struct StartAnalysis {
    pub servers: Vec<Server>,
    /// `CMD ["PORT=7860", "node", "build"]`: exec form runs `PORT=7860` as a program.
    pub exec_form_assignment: Option<String>,
    /// The CMD/ENTRYPOINT instruction the analysis starts from.
    pub span: Option<Range<usize>>,
    /// Every program the start command runs, after wrappers and shells, as far as followed.
    pub started: Vec<Started>,
    /// The programs it runs, with their arguments as expanded at run time.
    pub programs: Vec<Program>,
    /// Every command it runs after wrappers and shells, Python interpreters included, with the
    /// environment it runs with (for the application model's entry files).
    pub commands: Vec<(Program, HashMap<String, String>)>,
    /// The script files it runs (`./start.sh`, `bash /app/run.sh`), by path in the image.
    pub scripts: Vec<ScriptRun>,
    /// When it runs supervisord: the configuration it reads (`-c PATH`, by path in the image;
    /// `None` for supervisord's default search).
    pub supervisord: Option<Option<String>>,
    /// Programs it runs that spacecheck knows neither as a server nor as a tool that serves
    /// nothing (`ttyd`, a compiled binary, a Python module it cannot read): any may listen.
    pub unknown: Vec<String>,
}

/// Programs a start script runs around the server that listen on nothing.
pub const NON_SERVING: &[&str] = &[
    "echo",
    "printf",
    "sleep",
    "true",
    "false",
    "test",
    "[",
    "mkdir",
    "chmod",
    "chown",
    "cp",
    "mv",
    "rm",
    "ln",
    "cat",
    "touch",
    "export",
    "cd",
    "set",
    "source",
    ".",
    "sed",
    "grep",
    "awk",
    "wait",
    "trap",
    "exit",
    "ls",
    "pip",
    "pip3",
    "uv",
    "npm",
    "git",
    "curl",
    "wget",
    "env",
    "exec",
    "date",
    "whoami",
    "id",
    "find",
    "tar",
    "unzip",
    "tee",
    "head",
    "tail",
    "useradd",
    "huggingface-cli",
    "hf",
];

/// A program the start command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// As written (`uvicorn`, `/opt/venv/bin/gunicorn`): a bare name is looked up in PATH.
    pub name: String,
    pub args: Vec<String>,
}

impl Program {
    /// The name without its folder (`/usr/sbin/nginx` → `nginx`).
    pub fn base_name(&self) -> &str {
        basename(&self.name)
    }
}

/// A script file the start command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    pub image_path: String,
    /// Executed itself (`./start.sh`: the kernel reads its `#!` line and needs its exec bit),
    /// not handed to a shell (`bash start.sh`).
    pub direct: bool,
}

/// A program the start command runs, for telling a command that serves nothing from one that
/// spacecheck cannot judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// Known to serve nothing: `sleep infinity`, `tail -f /dev/null`, a bare shell or Python
    /// REPL (with no terminal, they exit at once), `echo`.
    Idle(String),
    /// `python app.py` where the file is a Streamlit script: it serves only under
    /// `streamlit run`.
    StreamlitScript(String),
    /// `python main.py` where the file imports only modules that serve nothing and runs no
    /// other program (`python::Script::serves_nothing`): the path and the modules it imports.
    PlainScript(String, Vec<String>),
    /// A server, or a program spacecheck cannot judge.
    Other,
}

/// Programs that serve nothing, as the start command runs them: the words shown in messages.
/// Arguments are shown only when they look like plain words (`infinity`, `-f`, `/dev/null`):
/// an expanded variable may hold a secret, and `echo`'s text is not shown at all.
fn idle_program(name: &str, args: &[String]) -> Option<String> {
    let plain = |a: &String| {
        a.len() <= 20 && a.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    let shown = || {
        let words = args.iter().map(|a| if plain(a) { a.as_str() } else { "…" });
        std::iter::once(name).chain(words).collect::<Vec<_>>().join(" ")
    };
    match name {
        "echo" | "printf" => Some(name.to_string()),
        "sleep" | "true" | "wait" | "pause" => Some(shown()),
        "tail" if args.iter().any(|a| a == "-f" || a == "-F") && args.iter().any(|a| a == "/dev/null") => Some(shown()),
        "cat" if args.is_empty() => Some(shown()),
        _ => None,
    }
}

/// Where a Python interpreter's own options end (`python -u -W ignore app.py`: at `app.py`),
/// or at `-m`/`-c`.
pub fn python_operand(args: &[String]) -> usize {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i] != "-m" && args[i] != "-c" {
        i += if matches!(args[i].as_str(), "-W" | "-X") { 2 } else { 1 };
    }
    i
}

/// Gives the content of files the image contains, by absolute path in the image.
pub trait Files {
    fn file(&self, image_path: &str) -> Option<String>;
    /// Python packages the Space installs (from requirements files and RUN lines), lowercase.
    fn installs(&self, package: &str) -> bool;
}

pub fn analyze(model: &ImageModel, files: &dyn Files) -> StartAnalysis {
    let StartCommand { entrypoint, cmd } = &model.start;
    let mut analysis =
        StartAnalysis { span: cmd.as_ref().or(entrypoint.as_ref()).map(|(_, s)| s.clone()), ..Default::default() };
    let argv = |c: &CommandForm| -> Vec<String> {
        match c {
            CommandForm::Exec(words) => words.iter().map(|w| w.text.clone()).collect(),
            CommandForm::Shell(w) => vec!["/bin/sh".into(), "-c".into(), w.text.clone()],
        }
    };
    let mut full: Vec<String> = Vec::new();
    let mut exec_first = None;
    match (entrypoint, cmd) {
        (Some((ep @ CommandForm::Shell(_), _)), _) => full = argv(ep),
        (Some((ep, _)), Some((c, _))) => {
            full = argv(ep);
            full.extend(argv(c));
            exec_first = Some(ep);
        }
        (Some((ep, _)), None) => {
            full = argv(ep);
            exec_first = Some(ep);
        }
        (None, Some((c, _))) => {
            full = argv(c);
            exec_first = Some(c);
        }
        (None, None) => {}
    }
    if let Some(CommandForm::Exec(words)) = exec_first {
        if let Some(first) = words.first() {
            if shell::assignment(&first.text).is_some() {
                analysis.exec_form_assignment = Some(first.text.clone());
            }
        }
    }
    let mut walker = Walker {
        model,
        files,
        env: model.runtime_env.clone(),
        servers: Vec::new(),
        started: Vec::new(),
        programs: Vec::new(),
        commands: Vec::new(),
        scripts: Vec::new(),
        supervisord: None,
        unknown: Vec::new(),
        via: None,
        depth: 0,
    };
    walker.argv(&full, false);
    // An entrypoint script that ends in `exec "$@"` runs the CMD: also read the CMD alone.
    if let (Some((CommandForm::Exec(_), _)), Some((c, _))) = (entrypoint, cmd) {
        if walker.servers.is_empty() {
            walker.argv(&argv(c), false);
        }
    }
    analysis.servers = walker.servers;
    analysis.started = walker.started;
    analysis.programs = walker.programs;
    analysis.commands = walker.commands;
    analysis.scripts = walker.scripts;
    analysis.supervisord = walker.supervisord;
    analysis.unknown = walker.unknown;
    analysis
}

/// `sh -c "..."` in an exec-form RUN: the commands inside.
pub fn unwrap_shell_c(argv: &[String], vars: &dyn VarLookup) -> Vec<SimpleCommand> {
    if argv.len() >= 3 && is_shell(&argv[0]) && argv[1].starts_with('-') && argv[1].contains('c') {
        parse_commands(&argv[2], vars)
    } else {
        vec![SimpleCommand { words: argv.to_vec(), raw_words: argv.to_vec(), ..SimpleCommand::default() }]
    }
}

fn is_shell(program: &str) -> bool {
    matches!(basename(program), "sh" | "bash" | "dash" | "ash" | "zsh")
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

struct Walker<'a> {
    model: &'a ImageModel,
    files: &'a dyn Files,
    env: HashMap<String, String>,
    servers: Vec<Server>,
    started: Vec<Started>,
    programs: Vec<Program>,
    commands: Vec<(Program, HashMap<String, String>)>,
    scripts: Vec<ScriptRun>,
    supervisord: Option<Option<String>>,
    unknown: Vec<String>,
    via: Option<String>,
    depth: usize,
}

const WRAPPERS: &[&str] =
    &["exec", "nohup", "tini", "dumb-init", "time", "stdbuf", "setsid", "xvfb-run", "catatonit", "runuser"];

impl Walker<'_> {
    fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| self.env.get(name).cloned()
    }

    fn argv(&mut self, argv: &[String], background: bool) {
        if self.depth > 6 {
            return;
        }
        let mut i = 0;
        let mut local_env: Vec<(String, String)> = Vec::new();
        // Strip wrappers and their options.
        while i < argv.len() {
            let w = argv[i].as_str();
            let b = basename(w);
            if WRAPPERS.contains(&b) || w == "--" {
                i += 1;
                while i < argv.len() && argv[i].starts_with('-') && argv[i] != "--" {
                    i += 1;
                }
            } else if b == "env" {
                i += 1;
                while i < argv.len() && (argv[i].starts_with('-') || shell::assignment(&argv[i]).is_some()) {
                    if let Some((k, v)) = shell::assignment(&argv[i]) {
                        local_env.push((k.to_string(), v.to_string()));
                    }
                    i += 1;
                }
            } else if matches!(b, "gosu" | "su-exec") {
                i += 2;
            } else if (b == "conda" || b == "micromamba" || b == "mamba") && argv.get(i + 1).is_some_and(|a| a == "run")
            {
                i += 2;
                while i < argv.len() && argv[i].starts_with('-') {
                    i += if matches!(argv[i].as_str(), "-n" | "--name" | "-p" | "--prefix") { 2 } else { 1 };
                }
            } else if matches!(b, "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye")
                && argv.get(i + 1).is_some_and(|a| a == "run")
            {
                i += 2;
                while i < argv.len() && argv[i].starts_with('-') {
                    i += 1;
                }
            } else if shell::assignment(w).is_some() && i == 0 {
                // Exec form running `PORT=7860`: not a program; the rest never runs. Reported
                // separately; read the rest as if the shell had set it, to find the server.
                i += 1;
            } else {
                break;
            }
        }
        let saved = self.env.clone();
        for (k, v) in local_env {
            self.env.insert(k, v);
        }
        if let Some(program) = argv.get(i) {
            self.command(program, &argv[i + 1..], background);
        }
        self.env = saved;
    }

    fn script(&mut self, script: &str, via: Option<String>) {
        let commands = parse_commands(script, &self.lookup());
        let outer_via = self.via.clone();
        if via.is_some() {
            self.via = via;
        }
        self.depth += 1;
        for c in commands {
            // Expand with what earlier lines of the script set.
            let c = c.reexpand(&self.lookup());
            let program = c.program().unwrap_or("");
            if program.is_empty() || program == "export" || program == "set" || program == "readonly" {
                // `PORT=7860` alone, or `export PORT=7860`: the shell keeps it for later commands.
                for (k, v) in &c.assignments {
                    self.env.insert(k.clone(), v.clone());
                }
                for w in c.words.iter().skip(1) {
                    if let Some((k, v)) = shell::assignment(w) {
                        self.env.insert(k.to_string(), v.to_string());
                    }
                }
                continue;
            }
            let saved = self.env.clone();
            for (k, v) in &c.assignments {
                self.env.insert(k.clone(), v.clone());
            }
            self.argv(&c.words, c.background);
            self.env = saved;
        }
        self.depth -= 1;
        self.via = outer_via;
    }

    fn image_path(&self, p: &str) -> String {
        super::join_path(&self.model.workdir, p)
    }

    fn command(&mut self, program: &str, args: &[String], background: bool) {
        let b = basename(program);
        if self.commands.len() < 256 {
            self.commands.push((Program { name: program.to_string(), args: args.to_vec() }, self.env.clone()));
        }
        if is_shell(program) {
            if let Some(pos) = args.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c')) {
                if let Some(script) = args.get(pos + 1) {
                    let script = script.clone();
                    self.script(&script, None);
                }
                return;
            }
            match args.iter().find(|a| !a.starts_with('-')) {
                Some(path) => self.run_script_file(path, false),
                None => self.started.push(Started::Idle(b.to_string())),
            }
            return;
        }
        if b.starts_with("python") && !b.contains("config") {
            self.python(args, background);
            return;
        }
        self.started.push(idle_program(b, args).map_or(Started::Other, Started::Idle));
        self.programs.push(Program { name: program.to_string(), args: args.to_vec() });
        if b == "supervisord" {
            let config = flag_value(args, &["-c", "--configuration"]).map(|c| self.image_path(&c));
            self.supervisord = Some(config);
        }
        let kind = match b {
            "uvicorn" => Some(ServerKind::Uvicorn),
            "gunicorn" => Some(ServerKind::Gunicorn),
            "hypercorn" => Some(ServerKind::Hypercorn),
            "streamlit" => Some(ServerKind::Streamlit),
            "gradio" => Some(ServerKind::Gradio),
            "flask" => Some(ServerKind::Flask),
            "fastapi" => Some(ServerKind::FastApiCli),
            "django-admin" if args.first().is_some_and(|a| a == "runserver") => Some(ServerKind::DjangoRunserver),
            "node" | "npm" | "yarn" | "pnpm" | "bun" | "deno" | "next" | "nuxt" | "npx" => {
                Some(ServerKind::PortEnv(b.to_string()))
            }
            "nginx" | "caddy" | "haproxy" | "traefik" | "envoy" | "httpd" | "apache2" | "apache2ctl" | "lighttpd"
            | "socat" | "supervisord" | "supervisorctl" | "pm2" | "pm2-runtime" | "honcho" | "foreman"
            | "s6-svscan" | "circusd" | "openresty" => Some(ServerKind::Front(b.to_string())),
            _ => None,
        };
        match kind {
            Some(k) => self.server(k, args, background),
            None => {
                if program.ends_with(".sh")
                    || program.starts_with("./")
                    || (program.starts_with('/') && self.files.file(program).is_some())
                {
                    self.run_script_file(program, true);
                } else if idle_program(b, args).is_none() && !NON_SERVING.contains(&b) {
                    self.unknown.push(b.to_string());
                }
            }
        }
    }

    fn run_script_file(&mut self, path: &str, direct: bool) {
        let image_path = self.image_path(path);
        self.scripts.push(ScriptRun { image_path: image_path.clone(), direct });
        let content = self.model.written_files.get(&image_path).cloned().or_else(|| self.files.file(&image_path));
        match content {
            Some(content) => {
                let name = path.rsplit('/').next().unwrap_or(path).to_string();
                self.script(&content, Some(name));
            }
            None => self.started.push(Started::Other),
        }
    }

    fn python(&mut self, args: &[String], background: bool) {
        let i = python_operand(args);
        match args.get(i).map(String::as_str) {
            Some("-m") => {
                let Some(module) = args.get(i + 1) else { return };
                let rest = &args[i + 2..];
                let kind = match module.as_str() {
                    "uvicorn" => ServerKind::Uvicorn,
                    "gunicorn" => ServerKind::Gunicorn,
                    "hypercorn" => ServerKind::Hypercorn,
                    "streamlit" => ServerKind::Streamlit,
                    "flask" => ServerKind::Flask,
                    "gradio" | "gradio.cli" => ServerKind::Gradio,
                    "fastapi" => ServerKind::FastApiCli,
                    "http.server" | "SimpleHTTPServer" => ServerKind::HttpServer,
                    // The Space's own module (`python -m app.web.app`): read like a file.
                    _ => return self.python_module(module, background),
                };
                self.server(kind, rest, background);
            }
            Some(path) if basename(path) == "manage.py" && args.get(i + 1).is_some_and(|a| a == "runserver") => {
                self.server(ServerKind::DjangoRunserver, &args[i + 1..], background);
            }
            Some(path) if path.ends_with(".py") => {
                let image_path = self.image_path(path);
                let source =
                    self.model.written_files.get(&image_path).cloned().or_else(|| self.files.file(&image_path));
                self.python_file(path, source.as_deref(), background);
            }
            // `python` alone is a REPL: with no terminal it reads nothing and exits.
            None => self.started.push(Started::Idle("python".into())),
            _ => self.started.push(Started::Other),
        }
    }

    /// `python -m pkg.mod`: the module's file in the working folder (`pkg/mod.py`, or a
    /// package's `__main__.py`), read as `python pkg/mod.py` would be; a module the image does
    /// not show (an installed package's) is a program spacecheck cannot judge.
    fn python_module(&mut self, module: &str, background: bool) {
        let rel = module.replace('.', "/");
        for candidate in [format!("{rel}.py"), format!("{rel}/__main__.py")] {
            let image_path = self.image_path(&candidate);
            let source = self.model.written_files.get(&image_path).cloned().or_else(|| self.files.file(&image_path));
            if let Some(source) = source {
                return self.python_file(&candidate, Some(&source), background);
            }
        }
        self.started.push(Started::Other);
        self.unknown.push(format!("python -m {module}"));
    }

    /// A `python app.py`: read the file when the Space has it; otherwise infer gradio when it
    /// is the one web framework the Space installs.
    fn python_file(&mut self, path: &str, source: Option<&str>, background: bool) {
        let via = Some(path.rsplit('/').next().unwrap_or(path).to_string());
        if let Some(src) = source {
            let script = python::Script::parse(src);
            let found = python_source_server(&script, &self.lookup());
            match found {
                Some(server) => self.servers.push(Server { via, background, ..server }),
                None if script.imported_modules().iter().any(|m| m == "streamlit") => {
                    self.started.push(Started::StreamlitScript(path.to_string()));
                }
                None => match script.serves_nothing() {
                    Some(modules) => self.started.push(Started::PlainScript(path.to_string(), modules)),
                    None => {
                        self.started.push(Started::Other);
                        self.unknown.push(path.to_string());
                    }
                },
            }
            return;
        }
        self.started.push(Started::Other);
        let frameworks =
            ["gradio", "streamlit", "flask", "fastapi", "uvicorn", "gunicorn", "django", "aiohttp", "tornado"];
        let installed: Vec<&str> = frameworks.iter().copied().filter(|f| self.files.installs(f)).collect();
        if installed == ["gradio"]
            || installed == ["gradio", "fastapi"]
            || installed == ["gradio", "uvicorn"]
            || installed == ["gradio", "fastapi", "uvicorn"]
        {
            let mut s = gradio_defaults(&self.lookup());
            s.via = via;
            s.background = background;
            s.inferred = true;
            self.servers.push(s);
        }
    }

    /// A setting read the way the server reads it: the first of these flags given on the
    /// command line, else the environment variable, else the default.
    fn setting(&self, args: &[String], lookup: SettingLookup) -> Option<Setting> {
        let (flags, env, default) = lookup;
        let from_flag =
            flags.first().and_then(|first| flag_value(args, flags).map(|v| set(v, Origin::Flag((*first).into()))));
        let from_env = || env.and_then(|e| self.env.get(e).map(|v| set(v.clone(), Origin::Env(e.into()))));
        from_flag.or_else(from_env).or_else(|| default.map(|d| set(d.into(), Origin::Default)))
    }

    fn server(&mut self, kind: ServerKind, args: &[String], background: bool) {
        let (host, port) = match &kind {
            ServerKind::Uvicorn | ServerKind::FastApiCli => {
                // `fastapi run` binds all interfaces; `fastapi dev` and uvicorn bind loopback.
                let dev = kind == ServerKind::FastApiCli && args.first().is_some_and(|a| a == "dev");
                let default_host = if kind == ServerKind::FastApiCli && !dev { "0.0.0.0" } else { "127.0.0.1" };
                let host = self.setting(args, (&["--host"], Some("UVICORN_HOST"), Some(default_host)));
                (host, self.setting(args, (&["--port"], Some("UVICORN_PORT"), Some("8000"))))
            }
            ServerKind::Gunicorn | ServerKind::Hypercorn => self.bind_server(&kind, args),
            ServerKind::Streamlit => {
                let host = self.setting(args, (&["--server.address"], Some("STREAMLIT_SERVER_ADDRESS"), None));
                let port =
                    self.setting(args, (&["--server.port"], Some("STREAMLIT_SERVER_PORT"), None)).or_else(|| {
                        self.streamlit_config_port().map(|p| set(p, Origin::Source(".streamlit/config.toml".into())))
                    });
                (host, port.or_else(|| Some(set("8501".into(), Origin::Default))))
            }
            ServerKind::Gradio => {
                let s = gradio_defaults(&|name: &str| self.env.get(name).cloned());
                (s.host, s.port)
            }
            ServerKind::Flask => (
                self.setting(args, (&["--host", "-h"], Some("FLASK_RUN_HOST"), Some("127.0.0.1"))),
                self.setting(args, (&["--port", "-p"], Some("FLASK_RUN_PORT"), Some("5000"))),
            ),
            ServerKind::HttpServer => {
                let host = self.setting(args, (&["-b", "--bind"], None, None));
                let port = positional(args, &["-b", "--bind", "-d", "--directory"])
                    .map(|v| set(v, Origin::Flag("port argument".into())))
                    .unwrap_or_else(|| set("8000".into(), Origin::Default));
                (host, Some(port))
            }
            ServerKind::Front(program) => front_listener(program, args),
            ServerKind::DjangoRunserver => {
                // `runserver [addrport]` (the arguments begin with `runserver`): `7860` (on
                // 127.0.0.1), `0.0.0.0:7860`, `0:7860` (Django's shorthand for 0.0.0.0),
                // `[::]:7860`; none is 127.0.0.1:8000.
                match positional(
                    args.get(1..).unwrap_or_default(),
                    &["--settings", "--pythonpath", "-v", "--verbosity"],
                ) {
                    Some(addrport) if addrport.parse::<u16>().is_ok() => (
                        Some(set("127.0.0.1".into(), Origin::Default)),
                        Some(set(addrport, Origin::Flag("runserver's address".into()))),
                    ),
                    Some(addrport) => {
                        let (host, port) = split_bind(&addrport);
                        let origin = Origin::Flag("runserver's address".into());
                        (Some(set(host, origin.clone())), port.map(|p| set(p, origin)))
                    }
                    None => (Some(set("127.0.0.1".into(), Origin::Default)), Some(set("8000".into(), Origin::Default))),
                }
            }
            ServerKind::PortEnv(_) => {
                // `serve -l 7860`, `next start -p 7860`, `http-server -p`: explicit flags win;
                // otherwise the program reads PORT (npm start & co: the script decides).
                let explicit = flag_value(args, &["-p", "--port", "-l", "--listen"])
                    .filter(|v| v.parse::<u16>().is_ok() || v.contains('$'));
                let port = match explicit {
                    Some(v) => Some(set(v, Origin::Flag("--port".into()))),
                    None => self.setting(args, (&[], Some("PORT"), None)),
                };
                (None, port)
            }
        };
        let dev_modes = self.dev_modes(&kind, args);
        self.servers.push(Server { kind, port, host, via: self.via.clone(), background, inferred: false, dev_modes });
    }

    /// The development modes a server's command line and environment turn on.
    fn dev_modes(&self, kind: &ServerKind, args: &[String]) -> Vec<DevMode> {
        let parsed = ParsedArgs::parse(args, &[]);
        let flag = |name: &str| parsed.has(&[name]);
        let env = |name: &str| self.env.get(name).map(String::as_str);
        let reload_flag = || DevMode::Reload(Origin::Flag("--reload".into()));
        match kind {
            ServerKind::Uvicorn | ServerKind::Hypercorn if flag("--reload") => vec![reload_flag()],
            // uvicorn reads every option from `UVICORN_<OPTION>` too (click's auto_envvar_prefix).
            ServerKind::Uvicorn if env("UVICORN_RELOAD").is_some_and(click_true) => {
                vec![DevMode::Reload(Origin::Env("UVICORN_RELOAD".into()))]
            }
            ServerKind::Gunicorn if flag("--reload") => vec![reload_flag()],
            ServerKind::Gunicorn if self.gunicorn_cmd_args().is_some_and(|a| a.iter().any(|w| w == "--reload")) => {
                vec![DevMode::Reload(Origin::Env("GUNICORN_CMD_ARGS".into()))]
            }
            // `fastapi dev` reloads unless told not to; `fastapi run` only with `--reload`.
            ServerKind::FastApiCli if args.first().is_some_and(|a| a == "dev") && !flag("--no-reload") => {
                vec![DevMode::Reload(Origin::Flag("fastapi dev".into()))]
            }
            ServerKind::FastApiCli if flag("--reload") => vec![reload_flag()],
            // Django's runserver reloads unless told `--noreload`.
            ServerKind::DjangoRunserver if !flag("--noreload") => vec![DevMode::Reload(Origin::Default)],
            ServerKind::Flask => {
                // flask/cli.py: `--debug` (or FLASK_DEBUG) turns on the reloader and the
                // debugger, each of which its own flag turns on or off.
                let debug = if flag("--no-debug") {
                    None
                } else if flag("--debug") {
                    Some(Origin::Flag("--debug".into()))
                } else {
                    env("FLASK_DEBUG").filter(|v| flask_debug_true(v)).map(|_| Origin::Env("FLASK_DEBUG".into()))
                };
                let mut modes = Vec::new();
                if flag("--debugger") {
                    modes.push(DevMode::Debugger(Origin::Flag("--debugger".into())));
                } else if let Some(origin) = debug.clone().filter(|_| !flag("--no-debugger")) {
                    modes.push(DevMode::Debugger(origin));
                }
                if flag("--reload") {
                    modes.push(reload_flag());
                } else if let Some(origin) = debug.filter(|_| !flag("--no-reload")) {
                    modes.push(DevMode::Reload(origin));
                }
                modes
            }
            _ => Vec::new(),
        }
    }

    /// The options gunicorn also reads from `GUNICORN_CMD_ARGS`, split as it splits them.
    fn gunicorn_cmd_args(&self) -> Option<Vec<String>> {
        Some(self.env.get("GUNICORN_CMD_ARGS")?.split_whitespace().map(String::from).collect())
    }

    /// gunicorn and hypercorn: `-b host:port` (gunicorn also from GUNICORN_CMD_ARGS, or
    /// `0.0.0.0:$PORT` when PORT is set); a config file may bind, so nothing is assumed then.
    fn bind_server(&self, kind: &ServerKind, args: &[String]) -> (Option<Setting>, Option<Setting>) {
        let env = |name: &str| self.env.get(name).cloned();
        let bind = flag_value(args, &["-b", "--bind"]).map(|v| (v, Origin::Flag("--bind".into())));
        let bind = bind.or_else(|| {
            if *kind != ServerKind::Gunicorn {
                return None;
            }
            flag_value(&self.gunicorn_cmd_args()?, &["-b", "--bind"])
                .map(|v| (v, Origin::Env("GUNICORN_CMD_ARGS".into())))
        });
        match bind {
            Some((b, origin)) => {
                let (h, p) = split_bind(&b);
                (Some(set(h, origin.clone())), p.map(|p| set(p, origin)))
            }
            None if *kind == ServerKind::Gunicorn && env("PORT").is_some() => (
                Some(set("0.0.0.0".into(), Origin::Env("PORT".into()))),
                Some(set(env("PORT").unwrap_or_default(), Origin::Env("PORT".into()))),
            ),
            None if flag_value(args, &["-c", "--config"]).is_some() => (None, None),
            None => (Some(set("127.0.0.1".into(), Origin::Default)), Some(set("8000".into(), Origin::Default))),
        }
    }

    fn streamlit_config_port(&self) -> Option<String> {
        let home = self.env.get("HOME").cloned().unwrap_or_else(|| "/root".into());
        for dir in [self.model.workdir.clone(), home] {
            let path = super::join_path(&dir, ".streamlit/config.toml");
            if let Some(text) = self.files.file(&path) {
                // `[server]` `port = 8501` in Streamlit's config.
                let config = text.parse::<toml::Table>().ok()?;
                let port = config.get("server").and_then(|s| s.get("port")).and_then(|p| p.as_integer());
                return port.map(|p| p.to_string());
            }
        }
        None
    }
}

/// Where a server setting is read from: flags (the first names the origin), an environment
/// variable, a default.
type SettingLookup = (&'static [&'static str], Option<&'static str>, Option<&'static str>);

/// `socat TCP-LISTEN:7860,fork TCP:127.0.0.1:8000`: the listening side is known; other fronts
/// (nginx, supervisord) are configured in files.
fn front_listener(program: &str, args: &[String]) -> (Option<Setting>, Option<Setting>) {
    let listen = (program == "socat")
        .then(|| {
            args.iter().find_map(|a| {
                a.strip_prefix("TCP-LISTEN:")
                    .or_else(|| a.strip_prefix("TCP4-LISTEN:"))
                    .map(|r| r.split(',').next().unwrap_or(r).to_string())
            })
        })
        .flatten();
    (
        listen.as_ref().map(|_| set("0.0.0.0".into(), Origin::Flag("TCP-LISTEN".into()))),
        listen.map(|p| set(p, Origin::Flag("TCP-LISTEN".into()))),
    )
}

fn set(value: String, origin: Origin) -> Setting {
    Setting { value, origin }
}

fn gradio_defaults(env: &dyn Fn(&str) -> Option<String>) -> Server {
    // Without the app's `launch(...)` call (the `gradio` command, a file spacecheck cannot read)
    // the host is not known: only GRADIO_SERVER_NAME is. A `launch()` read from the source
    // without `server_name=` binds 127.0.0.1 (see `python_source_server`).
    let host = env("GRADIO_SERVER_NAME").map(|v| set(v, Origin::Env("GRADIO_SERVER_NAME".into())));
    let port = env("GRADIO_SERVER_PORT")
        .map(|v| set(v, Origin::Env("GRADIO_SERVER_PORT".into())))
        .unwrap_or_else(|| set("7860".into(), Origin::Default));
    Server {
        kind: ServerKind::Gradio,
        port: Some(port),
        host,
        via: None,
        background: false,
        inferred: false,
        dev_modes: Vec::new(),
    }
}

/// A boolean option read from the environment by click (uvicorn): `1`, `true`, `yes`, `on`…
fn click_true(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "t" | "yes" | "y" | "on")
}

/// Flask's `get_debug_flag`: set, and not `0`, `false` or `no`.
fn flask_debug_true(value: &str) -> bool {
    !value.is_empty() && !matches!(value.to_ascii_lowercase().as_str(), "0" | "false" | "no")
}

/// The last value of one of these options (`--port 7860`, `--port=7860`, `-p7860`).
fn flag_value(args: &[String], names: &[&str]) -> Option<String> {
    ParsedArgs::parse(args, names).value(names).map(str::to_string)
}

/// The first operand, given the options that take a value.
fn positional(args: &[String], value_flags: &[&str]) -> Option<String> {
    ParsedArgs::parse(args, value_flags).operands.into_iter().next()
}

/// `0.0.0.0:7860`, `:7860`, `[::]:7860`, `unix:/tmp/s` → (host, port).
fn split_bind(bind: &str) -> (String, Option<String>) {
    if bind.starts_with("unix:") || bind.starts_with("fd://") {
        return (bind.to_string(), None);
    }
    if let Some(rest) = bind.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once("]:") {
            return (h.to_string(), Some(p.to_string()));
        }
    }
    match bind.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && !p.contains(['{', '}']) => {
            (if h.is_empty() { "0.0.0.0".into() } else { h.to_string() }, Some(p.to_string()))
        }
        _ => (bind.to_string(), Some("8000".into())),
    }
}

/// Finds the server a Python file starts: `uvicorn.run(...)`, gradio's `.launch(...)`,
/// Flask's `app.run(...)`, read with the Python parser (so `subprocess.run` is not a server).
/// Values may come from `os.environ.get("PORT", 7860)` or a module constant. The last
/// uvicorn or gradio call wins over a Flask one (`app.run` may sit behind it unused).
pub fn python_source_server(script: &python::Script, env: &dyn Fn(&str) -> Option<String>) -> Option<Server> {
    let mut best: Option<Server> = None;
    for call in script.server_calls() {
        // gradio/http_server.py: `LOCALHOST_NAME = os.getenv("GRADIO_SERVER_NAME",
        // "127.0.0.1")`, whatever the platform; a Space does not change it.
        let (kind, host, port) = match call.kind {
            ServerCallKind::UvicornRun => (ServerKind::Uvicorn, ("host", None, "127.0.0.1"), ("port", None, "8000")),
            ServerCallKind::GradioLaunch => (
                ServerKind::Gradio,
                ("server_name", Some("GRADIO_SERVER_NAME"), "127.0.0.1"),
                ("server_port", Some("GRADIO_SERVER_PORT"), "7860"),
            ),
            ServerCallKind::FlaskRun | ServerCallKind::SocketIoRun => {
                (ServerKind::Flask, ("host", None, "127.0.0.1"), ("port", None, "5000"))
            }
        };
        // Where a call may also give them by position: `app.run(host, port)`,
        // `socketio.run(app, host, port)`; uvicorn's and gradio's are keyword-only here.
        let (host_at, port_at) = match call.kind {
            ServerCallKind::FlaskRun => (Some(0), Some(1)),
            ServerCallKind::SocketIoRun => (Some(1), Some(2)),
            ServerCallKind::UvicornRun | ServerCallKind::GradioLaunch => (None, None),
        };
        // The keyword or positional argument, else the server's environment variable, else its
        // default. A value given but computed is unknown, not the default; so is one that a
        // `**config` may hold.
        let setting = |(keyword, variable, default): (&str, Option<&str>, &str), at: Option<usize>| match call
            .keywords
            .get(keyword)
            .or_else(|| at.and_then(|i| call.positional.get(i)))
        {
            Some(v) => argument_text(v, env).map(|v| set(v, Origin::Source(format!("{keyword}=")))),
            None if call.keyword_splat => None,
            None => Some(
                variable
                    .and_then(|var| env(var).map(|v| set(v, Origin::Env(var.into()))))
                    .unwrap_or_else(|| set(default.into(), Origin::Default)),
            ),
        };
        let (host, port) = (setting(host, host_at), setting(port, port_at));
        let dev_modes = call_dev_modes(&call, env);
        let server = Server { kind, port, host, via: None, background: false, inferred: false, dev_modes };
        if best.is_none() || server.kind != ServerKind::Flask {
            best = Some(server);
        }
    }
    best
}

/// The development modes a server call turns on: uvicorn's `reload=True` (and what it and
/// `workers=` need), Flask's `debug=True`, `use_reloader=`, `use_debugger=` (FLASK_DEBUG when
/// `debug` is not given, as `Flask.run` reads it). Flask-SocketIO's `run` is left alone.
fn call_dev_modes(call: &ServerCall, env: &dyn Fn(&str) -> Option<String>) -> Vec<DevMode> {
    let flag = |name: &str| match call.keywords.get(name) {
        Some(ArgValue::Bool(b)) => Some(*b),
        _ => None,
    };
    match call.kind {
        ServerCallKind::UvicornRun => {
            let workers = match call.keywords.get("workers") {
                Some(ArgValue::Int(n)) if *n > 1 => Some(*n),
                _ => None,
            };
            let by = match (flag("reload"), workers) {
                (Some(true), _) => Origin::Source("reload=True".into()),
                (_, Some(n)) => Origin::Source(format!("workers={n}")),
                _ => return Vec::new(),
            };
            match &call.application {
                Application::Object(object) => vec![DevMode::ImportStringRequired { object: object.clone(), by }],
                _ if flag("reload") == Some(true) => vec![DevMode::Reload(by)],
                _ => Vec::new(),
            }
        }
        ServerCallKind::FlaskRun => {
            let debug = match flag("debug") {
                Some(true) => Some(Origin::Source("debug=True".into())),
                Some(false) => None,
                None => env("FLASK_DEBUG").filter(|v| flask_debug_true(v)).map(|_| Origin::Env("FLASK_DEBUG".into())),
            };
            let mode = |keyword: &str, make: fn(Origin) -> DevMode| match flag(keyword) {
                Some(true) => Some(make(Origin::Source(format!("{keyword}=True")))),
                Some(false) => None,
                None => debug.clone().map(make),
            };
            mode("use_debugger", DevMode::Debugger).into_iter().chain(mode("use_reloader", DevMode::Reload)).collect()
        }
        ServerCallKind::GradioLaunch | ServerCallKind::SocketIoRun => Vec::new(),
    }
}

/// A keyword argument as the server sees it: a literal, or an environment variable's value
/// from the image (else its default, else `$VAR`, unresolved); `None` when it is computed.
fn argument_text(value: &ArgValue, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match value {
        ArgValue::Int(i) => Some(i.to_string()),
        ArgValue::Str(s) => Some(s.clone()),
        ArgValue::Env { var, default } => {
            Some(env(var).or_else(|| default.clone()).unwrap_or_else(|| format!("${var}")))
        }
        ArgValue::Bool(_) | ArgValue::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::model;

    fn server_in(src: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<Server> {
        python_source_server(&python::Script::parse(src), env)
    }

    struct NoFiles(Vec<&'static str>);
    impl Files for NoFiles {
        fn file(&self, _: &str) -> Option<String> {
            None
        }
        fn installs(&self, p: &str) -> bool {
            self.0.contains(&p)
        }
    }

    fn servers(dockerfile: &str) -> StartAnalysis {
        analyze(&model(dockerfile), &NoFiles(vec![]))
    }

    fn one(dockerfile: &str) -> (String, Option<String>, Option<String>) {
        let a = servers(dockerfile);
        let s = a.servers.last().unwrap_or_else(|| panic!("no server in {dockerfile}"));
        (s.kind.name().to_string(), s.host.as_ref().map(|h| h.value.clone()), s.port.as_ref().map(|p| p.value.clone()))
    }

    #[test]
    fn uvicorn_flags_env_and_defaults() {
        assert_eq!(
            one("FROM p\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]"),
            ("uvicorn".into(), Some("0.0.0.0".into()), Some("7255".into()))
        );
        assert_eq!(
            one("FROM p\nCMD uvicorn main:app"),
            ("uvicorn".into(), Some("127.0.0.1".into()), Some("8000".into()))
        );
        assert_eq!(
            one("FROM p\nENV PORT=7255\nCMD uvicorn main:app --host 0.0.0.0 --port $PORT").2,
            Some("7255".into())
        );
        assert_eq!(
            one("FROM p\nARG PORT=7255\nCMD uvicorn main:app --port $PORT").2,
            Some("$PORT".into()),
            "ARG is gone at run time"
        );
        assert_eq!(
            one("FROM p\nCMD [\"sh\", \"-c\", \"uvicorn main:app --port=${PORT:-7860}\"]").2,
            Some("7860".into())
        );
        assert_eq!(one("FROM p\nCMD python -m uvicorn app:app --host=0.0.0.0").1, Some("0.0.0.0".into()));
    }

    #[test]
    fn other_servers() {
        assert_eq!(one("FROM p\nCMD gunicorn -b 0.0.0.0:7860 app:app").2, Some("7860".into()));
        assert_eq!(one("FROM p\nCMD streamlit run app.py --server.port=8501").2, Some("8501".into()));
        assert_eq!(one("FROM p\nENV GRADIO_SERVER_PORT=7861\nCMD gradio app.py").2, Some("7861".into()));
        assert_eq!(one("FROM p\nCMD flask run").1, Some("127.0.0.1".into()));
        assert_eq!(one("FROM p\nCMD python3 -m http.server 7860").2, Some("7860".into()));
        assert_eq!(one("FROM p\nENV PORT=3000\nCMD [\"node\", \"server.js\"]").2, Some("3000".into()));
    }

    #[test]
    fn wrappers_and_scripts() {
        assert_eq!(
            one("FROM p\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD exec uvicorn a:b --port 1").2,
            Some("1".into())
        );
        let a = servers("FROM p\nWORKDIR /app\nRUN cat <<'EOF' > start.sh\nexport PORT=7860\nnginx &\nuvicorn a:b --host 0.0.0.0 --port $PORT\nEOF\nCMD [\"bash\", \"start.sh\"]\n");
        let s = a.servers.last().unwrap();
        assert_eq!(s.port.as_ref().unwrap().value, "7860");
        assert_eq!(s.via.as_deref(), Some("start.sh"));
    }

    #[test]
    fn front_processes() {
        let a = servers("FROM p\nCMD [\"sh\", \"-c\", \"socat TCP-LISTEN:${PORT:-7860},fork TCP:127.0.0.1:8000 & exec uvicorn a:b --port 8000\"]");
        assert!(a
            .servers
            .iter()
            .any(|s| s.kind == ServerKind::Front("socat".into()) && s.port.as_ref().unwrap().value == "7860"));
        let a = servers("FROM p\nCMD nginx && uvicorn a:b --port 8000");
        assert!(a.servers.iter().any(|s| s.kind == ServerKind::Front("nginx".into()) && s.port.is_none()));
    }

    #[test]
    fn exec_form_assignment_is_noticed() {
        let a = servers("FROM node\nCMD [\"PORT=7860\", \"node\", \"build\"]");
        assert_eq!(a.exec_form_assignment.as_deref(), Some("PORT=7860"));
    }

    #[test]
    fn python_file_with_gradio_installed() {
        let a = analyze(&model("FROM p\nCMD python app.py"), &NoFiles(vec!["gradio"]));
        assert_eq!(a.servers[0].kind, ServerKind::Gradio);
        assert!(a.servers[0].inferred);
        let a = analyze(&model("FROM p\nCMD python app.py"), &NoFiles(vec!["gradio", "streamlit"]));
        assert!(a.servers.is_empty(), "ambiguous: say nothing");
    }

    #[test]
    fn django_runserver_address() {
        let server = |cmd: &str| {
            let a = analyze(&model(&format!("FROM p\nCMD {cmd}")), &NoFiles(vec![]));
            let s = a.servers.into_iter().next().expect("a server");
            assert_eq!(s.kind, ServerKind::DjangoRunserver);
            (s.host.map(|h| h.value), s.port.map(|p| p.value), s.dev_modes.len())
        };
        let some = |h: &str, p: &str, reloads: usize| (Some(h.to_string()), Some(p.to_string()), reloads);
        assert_eq!(server("python manage.py runserver"), some("127.0.0.1", "8000", 1));
        assert_eq!(server("python manage.py runserver 7860"), some("127.0.0.1", "7860", 1));
        assert_eq!(server("python3 /app/manage.py runserver 0.0.0.0:7860 --noreload"), some("0.0.0.0", "7860", 0));
        assert_eq!(server("django-admin runserver --settings=site.settings 0:7860"), some("0", "7860", 1));
        assert_eq!(server("python manage.py runserver [::]:7860"), some("::", "7860", 1));
        let migrate = analyze(&model("FROM p\nCMD python manage.py migrate"), &NoFiles(vec![]));
        assert!(migrate.servers.is_empty());
    }

    #[test]
    fn python_source_calls() {
        let env = |n: &str| if n == "PORT" { Some("7000".to_string()) } else { None };
        let s = server_in("import uvicorn\nif __name__ == '__main__':\n    uvicorn.run(app, host=\"0.0.0.0\", port=int(os.environ.get(\"PORT\", 7860)))\n", &env).unwrap();
        assert_eq!((s.host.unwrap().value, s.port.unwrap().value), ("0.0.0.0".into(), "7000".into()));
        let s = server_in("demo.queue().launch(server_name='0.0.0.0', server_port=7860)\n", &|_| None).unwrap();
        assert_eq!(s.port.unwrap().value, "7860");
        let s = server_in("app = Flask(__name__)\napp.run(debug=True)\n", &|_| None).unwrap();
        assert!(s.binds_loopback());
        assert!(server_in("# uvicorn.run(app)\nprint(1)\n", &|_| None).is_none());
    }

    #[test]
    fn a_computed_host_or_port_is_unknown_not_the_default() {
        let server = |src: &str| {
            let s = server_in(src, &|_| None).expect("a server");
            (s.host.map(|h| h.value), s.port.map(|p| p.value))
        };
        let none = (None, None);
        assert_eq!(server("import uvicorn\nuvicorn.run(app, host=pick_host(), port=pick_port())\n"), none);
        assert_eq!(server("import uvicorn\nuvicorn.run(app, **settings)\n"), none);
        assert_eq!(server("demo.launch(**options)\n"), none);
        // A constant rebound to a computed value is no longer known.
        assert_eq!(
            server(
                "import uvicorn\nPORT = 7860\nPORT = int(sys.argv[1])\nuvicorn.run(app, host='0.0.0.0', port=PORT)\n"
            )
            .1,
            None
        );
        // Flask's and Flask-SocketIO's run take host and port by position too.
        let by_position = server("app = Flask(__name__)\napp.run('0.0.0.0', 7860)\n");
        assert_eq!(by_position, (Some("0.0.0.0".into()), Some("7860".into())));
        let socketio = "app = Flask(__name__)\nsocketio = SocketIO(app)\nsocketio.run(app, '0.0.0.0', 7860)\n";
        assert_eq!(server(socketio), (Some("0.0.0.0".into()), Some("7860".into())));
        // Absent, they are the defaults.
        assert_eq!(server("import uvicorn\nuvicorn.run(app)\n"), (Some("127.0.0.1".into()), Some("8000".into())));
    }

    #[test]
    fn binds() {
        assert_eq!(split_bind(":7860"), ("0.0.0.0".into(), Some("7860".into())));
        assert_eq!(split_bind("[::]:7860"), ("::".into(), Some("7860".into())));
    }
}

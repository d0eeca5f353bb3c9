//! The Space's Python sources, read with a real Python parser (ruff's, error-tolerant), so a
//! call is known by its receiver and its keyword arguments: `app.run(host=…)` on a Flask app
//! starts a server, `subprocess.run([...])` does not.

use std::collections::{HashMap, HashSet};

use rustpython_ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use rustpython_ruff_python_ast::{Expr, ModModule, Number, PySourceType, Stmt};
use rustpython_ruff_python_parser::{parse_unchecked_source, Parsed};

/// What starts a server in a Python file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCallKind {
    /// `uvicorn.run(app, host=…, port=…)` (also through `import uvicorn as u`, `from uvicorn import run`).
    UvicornRun,
    /// Gradio's `demo.launch(server_name=…, server_port=…)` (any receiver: Blocks, Interface,
    /// `demo.queue().launch()`).
    GradioLaunch,
    /// `app.run(host=…, port=…)` where `app = Flask(…)`.
    FlaskRun,
    /// `socketio.run(app, host=…, port=…)` where `socketio = SocketIO(…)` (Flask-SocketIO).
    SocketIoRun,
}

/// A keyword argument's value, as far as it can be known without running the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue {
    Int(i64),
    Str(String),
    /// `True`, `False`.
    Bool(bool),
    /// `os.environ.get("PORT", 7860)`, `os.getenv("PORT")`, `os.environ["PORT"]`, possibly
    /// wrapped in `int(…)`/`str(…)`: the variable and its default.
    Env {
        var: String,
        default: Option<String>,
    },
    /// Anything else (a computed value, an unknown name).
    Unknown,
}

/// One call that starts a server, with its keyword arguments (module-level constants and
/// environment reads resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCall {
    pub kind: ServerCallKind,
    pub keywords: HashMap<String, ArgValue>,
    /// Its positional arguments (`app.run("0.0.0.0", 7860)`).
    pub positional: Vec<ArgValue>,
    /// Whether it also spreads a mapping of keywords (`**config`): a keyword it does not show
    /// may be in there.
    pub keyword_splat: bool,
    /// What the call is given as the application: its first positional argument, else its
    /// `app=` keyword (`uvicorn.run(app)`, `uvicorn.run("main:app")`).
    pub application: Application,
}

/// The application a server call is given, for uvicorn: an import string lets it re-import the
/// app in a new process (for `reload=True`, `workers=4`), an object does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Application {
    /// `"main:app"`, or a name bound to such a string.
    ImportString,
    /// A name bound to what a call returned (`app = FastAPI()`) or imported (`from main import
    /// app`): the name.
    Object(String),
    /// None given, or a value not known here (an f-string, a parameter).
    Unknown,
}

/// One parse of a Python source, asked several questions (the start-command walker asks a
/// script for its server calls, then its imports, then whether it serves at all). A file that
/// does not parse is read as far as the parser recovers.
pub struct Script(Parsed<ModModule>);

impl Script {
    pub fn parse(source: &str) -> Script {
        Script(parse_unchecked_source(source, PySourceType::Python))
    }

    fn body(&self) -> &[Stmt] {
        &self.0.syntax().body
    }

    /// The server calls, in source order.
    pub fn server_calls(&self) -> Vec<ServerCall> {
        let mut finder = Finder::default();
        finder.visit_body(self.body());
        finder.calls
    }

    /// The top-level packages it imports (`import streamlit as st`, `from
    /// streamlit.components import v1` → `streamlit`), anywhere in the file.
    pub fn imported_modules(&self) -> Vec<String> {
        let mut finder = ImportFinder::default();
        finder.visit_body(self.body());
        finder.modules
    }

    /// When the script can be shown to start no server: every module it imports is one that
    /// serves nothing (so none of the Space's own modules either), and it calls nothing that
    /// runs another program or hidden code. Returns the modules it imports, for messages;
    /// `None` when the script may serve (it is then not judged).
    pub fn serves_nothing(&self) -> Option<Vec<String>> {
        let mut imports = ImportFinder::default();
        imports.visit_body(self.body());
        let mut calls = CallNames::default();
        calls.visit_body(self.body());
        let known = imports.modules.iter().all(|m| SERVE_NOTHING.contains(&m.as_str()));
        let spawns = calls.names.iter().any(|n| RUNS_OTHER_CODE.contains(&n.as_str()))
            || calls.used.iter().any(|n| SERVING_NAMES.contains(&n.as_str()));
        (known && !imports.relative && !spawns).then_some(imports.modules)
    }
}

/// The top-level packages a Python source imports ([`Script::imported_modules`]).
pub fn imported_modules(source: &str) -> Vec<String> {
    Script::parse(source).imported_modules()
}

#[derive(Default)]
struct ImportFinder {
    modules: Vec<String>,
    /// Whether it imports from its own package (`from . import app`, `from .server import x`).
    relative: bool,
}

impl<'a> Visitor<'a> for ImportFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let top = |name: &str| name.split('.').next().unwrap_or(name).to_string();
        match stmt {
            Stmt::Import(import) => self.modules.extend(import.names.iter().map(|a| top(a.name.as_str()))),
            Stmt::ImportFrom(from) if from.level == 0 => {
                self.modules.extend(from.module.as_ref().map(|m| top(m.as_str())));
            }
            Stmt::ImportFrom(_) => self.relative = true,
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

/// Modules that start no server and run no other program when a script imports them: the
/// standard library without its networking, process and import machinery, and the data and
/// machine-learning packages Spaces use (their clients call out; none listens).
const SERVE_NOTHING: &[&str] = &[
    "__future__",
    "abc",
    "argparse",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "inspect",
    "io",
    "itertools",
    "json",
    "locale",
    "logging",
    "math",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "shutil",
    "signal",
    "statistics",
    "string",
    "struct",
    "sys",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "traceback",
    "typing",
    "typing_extensions",
    "unicodedata",
    "uuid",
    "warnings",
    "zipfile",
    // Data and machine learning.
    "accelerate",
    "datasets",
    "diffusers",
    "dotenv",
    "einops",
    "evaluate",
    "faiss",
    "huggingface_hub",
    "joblib",
    "librosa",
    "lightgbm",
    "matplotlib",
    "nltk",
    "numpy",
    "onnxruntime",
    "openai",
    "anthropic",
    "pandas",
    "peft",
    "PIL",
    "cv2",
    "pydantic",
    "requests",
    "httpx",
    "safetensors",
    "scipy",
    "seaborn",
    "sentence_transformers",
    "sklearn",
    "soundfile",
    "tiktoken",
    "timm",
    "tokenizers",
    "torch",
    "torchaudio",
    "torchvision",
    "tqdm",
    "transformers",
    "trl",
    "xgboost",
    "yaml",
];

/// Calls that run another program or code the text does not show (`os.system("uvicorn …")`,
/// `exec(…)`), by their last name.
const RUNS_OTHER_CODE: &[&str] = &[
    "system",
    "popen",
    "startfile",
    "execl",
    "execle",
    "execlp",
    "execlpe",
    "execv",
    "execve",
    "execvp",
    "execvpe",
    "spawnl",
    "spawnle",
    "spawnlp",
    "spawnlpe",
    "spawnv",
    "spawnve",
    "spawnvp",
    "spawnvpe",
    "posix_spawn",
    "posix_spawnp",
    "exec",
    "eval",
    "__import__",
    "compile",
];

/// Names of allowed packages that do serve: huggingface_hub's webhooks server (a Gradio app,
/// started by `WebhooksServer(…).launch()` or at exit under `@webhook_endpoint`).
const SERVING_NAMES: &[&str] = &["WebhooksServer", "webhook_endpoint"];

/// Whether a source calls one of `names` (by the called name: `api.upload_folder(…)` is
/// `upload_folder`).
pub fn calls_any(source: &str, names: &[&str]) -> bool {
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let mut calls = CallNames::default();
    calls.visit_body(&parsed.syntax().body);
    calls.names.iter().any(|n| names.contains(&n.as_str()))
}

/// The names a source calls, and every name it uses (`x`, the `y` of `a.y`) or imports.
#[derive(Default)]
struct CallNames {
    names: Vec<String>,
    used: Vec<String>,
}

impl<'a> Visitor<'a> for CallNames {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::ImportFrom(from) = stmt {
            self.used.extend(from.names.iter().map(|a| a.name.to_string()));
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.names.extend(callee_name(&call.func).map(str::to_string)),
            Expr::Name(name) => self.used.push(name.id.to_string()),
            Expr::Attribute(attr) => self.used.push(attr.attr.to_string()),
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// The requirement strings of `setup(install_requires=[...])` (setuptools' `setup.py`): string
/// literals of a list or tuple; anything computed is left out.
pub fn setup_requires(source: &str) -> Vec<String> {
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let mut finder = SetupFinder::default();
    finder.visit_body(&parsed.syntax().body);
    finder.requires
}

#[derive(Default)]
struct SetupFinder {
    requires: Vec<String>,
}

impl<'a> Visitor<'a> for SetupFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if callee_name(&call.func) == Some("setup") {
                let requires = call
                    .arguments
                    .keywords
                    .iter()
                    .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "install_requires"));
                let items = match requires.map(|k| &k.value) {
                    Some(Expr::List(list)) => list.elts.iter().collect::<Vec<_>>(),
                    Some(Expr::Tuple(tuple)) => tuple.elts.iter().collect(),
                    _ => Vec::new(),
                };
                for item in items {
                    if let Expr::StringLiteral(s) = item {
                        self.requires.push(s.value.to_str().to_string());
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}

#[derive(Default)]
struct Finder {
    /// Local names bound to the uvicorn module (`import uvicorn as u`).
    uvicorn_modules: Vec<String>,
    /// Local names bound to `uvicorn.run` (`from uvicorn import run`).
    uvicorn_run: Vec<String>,
    /// Names bound to a Flask application object.
    flask_apps: Vec<String>,
    /// Names bound to a Flask-SocketIO `SocketIO(…)` object.
    socketio_apps: Vec<String>,
    /// Names bound to what a call returned or to an imported name: objects, not strings.
    objects: HashSet<String>,
    /// Module-level `NAME = value` assignments, for `port=PORT`.
    constants: HashMap<String, ArgValue>,
    calls: Vec<ServerCall>,
}

impl<'a> Visitor<'a> for Finder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in import.names.iter().filter(|a| a.name.as_str() == "uvicorn") {
                    self.uvicorn_modules.push(alias.asname.as_ref().unwrap_or(&alias.name).to_string());
                }
            }
            Stmt::ImportFrom(from) if from.module.as_ref().is_some_and(|m| m.as_str() == "uvicorn") => {
                for alias in from.names.iter().filter(|a| a.name.as_str() == "run") {
                    self.uvicorn_run.push(alias.asname.as_ref().unwrap_or(&alias.name).to_string());
                }
            }
            Stmt::ImportFrom(from) => {
                for alias in &from.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    self.constants.remove(&name);
                    // `from main import app` is an object; `from settings import APP_MODULE`,
                    // a constant by PEP 8's naming, may well be an import string.
                    if name.chars().any(|c| c.is_ascii_lowercase()) {
                        self.objects.insert(name);
                    }
                }
            }
            Stmt::Assign(assign) => self.record_assignment(&assign.targets, &assign.value),
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.record_assignment(std::slice::from_ref(&*assign.target), value);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(kind) = self.server_kind(&call.func) {
                let keywords = call
                    .arguments
                    .keywords
                    .iter()
                    .filter_map(|k| k.arg.as_ref().map(|name| (name.to_string(), self.value_of(&k.value))))
                    .collect();
                let application = call
                    .arguments
                    .args
                    .first()
                    .or_else(|| {
                        call.arguments
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "app"))
                            .map(|k| &k.value)
                    })
                    .map_or(Application::Unknown, |app| self.application(app));
                let positional = call.arguments.args.iter().map(|a| self.value_of(a)).collect();
                let keyword_splat = call.arguments.keywords.iter().any(|k| k.arg.is_none());
                self.calls.push(ServerCall { kind, keywords, positional, keyword_splat, application });
            }
        }
        walk_expr(self, expr);
    }
}

impl Finder {
    fn record_assignment(&mut self, targets: &[Expr], value: &Expr) {
        let constructor = match value {
            Expr::Call(c) => callee_name(&c.func),
            _ => None,
        };
        let is_call = matches!(value, Expr::Call(_));
        let value = self.value_of(value);
        for target in targets {
            if let Expr::Name(name) = target {
                let name = name.id.to_string();
                match constructor {
                    Some("Flask") => self.flask_apps.push(name.clone()),
                    Some("SocketIO") => self.socketio_apps.push(name.clone()),
                    _ => {}
                }
                if value != ArgValue::Unknown {
                    self.objects.remove(&name);
                    self.constants.insert(name, value.clone());
                } else if is_call {
                    self.constants.remove(&name);
                    self.objects.insert(name);
                } else {
                    self.constants.remove(&name);
                    self.objects.remove(&name);
                }
            }
        }
    }

    fn application(&self, expr: &Expr) -> Application {
        match (expr, self.value_of(expr)) {
            (_, ArgValue::Str(_)) => Application::ImportString,
            (Expr::Name(name), _) if self.objects.contains(name.id.as_str()) => {
                Application::Object(name.id.to_string())
            }
            _ => Application::Unknown,
        }
    }

    fn server_kind(&self, func: &Expr) -> Option<ServerCallKind> {
        match func {
            Expr::Name(name) if self.uvicorn_run.iter().any(|n| n == name.id.as_str()) => {
                Some(ServerCallKind::UvicornRun)
            }
            Expr::Attribute(attr) => match (attr.attr.as_str(), &*attr.value) {
                ("launch", _) => Some(ServerCallKind::GradioLaunch),
                ("run", Expr::Name(receiver)) => {
                    let receiver = receiver.id.as_str();
                    if self.uvicorn_modules.iter().any(|m| m == receiver) {
                        Some(ServerCallKind::UvicornRun)
                    } else if self.flask_apps.iter().any(|a| a == receiver) {
                        Some(ServerCallKind::FlaskRun)
                    } else if self.socketio_apps.iter().any(|a| a == receiver) {
                        Some(ServerCallKind::SocketIoRun)
                    } else {
                        None
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn value_of(&self, expr: &Expr) -> ArgValue {
        match expr {
            Expr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => i.as_i64().map_or(ArgValue::Unknown, ArgValue::Int),
                _ => ArgValue::Unknown,
            },
            Expr::StringLiteral(s) => ArgValue::Str(s.value.to_str().to_string()),
            Expr::BooleanLiteral(b) => ArgValue::Bool(b.value),
            Expr::Name(name) => self.constants.get(name.id.as_str()).cloned().unwrap_or(ArgValue::Unknown),
            // `int(…)`, `str(…)` around a value keep it.
            Expr::Call(call)
                if matches!(callee_name(&call.func), Some("int" | "str")) && call.arguments.args.len() == 1 =>
            {
                call.arguments.args.first().map_or(ArgValue::Unknown, |a| self.value_of(a))
            }
            Expr::Call(call) if is_env_get(&call.func) => {
                let mut args = call.arguments.args.iter();
                let Some(ArgValue::Str(var)) = args.next().map(|a| self.value_of(a)) else { return ArgValue::Unknown };
                let default = args.next().and_then(|d| match self.value_of(d) {
                    ArgValue::Int(i) => Some(i.to_string()),
                    ArgValue::Str(s) => Some(s),
                    _ => None,
                });
                ArgValue::Env { var, default }
            }
            Expr::Subscript(sub) if is_os_environ(&sub.value) => match self.value_of(&sub.slice) {
                ArgValue::Str(var) => ArgValue::Env { var, default: None },
                _ => ArgValue::Unknown,
            },
            _ => ArgValue::Unknown,
        }
    }
}

/// The called name: `Flask` for `Flask(…)` and `flask.Flask(…)`.
fn callee_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// `os.environ.get`, `os.getenv`, `environ.get`, `getenv`.
fn is_env_get(func: &Expr) -> bool {
    match func {
        Expr::Name(name) => name.id.as_str() == "getenv",
        Expr::Attribute(attr) => match attr.attr.as_str() {
            "getenv" => matches!(&*attr.value, Expr::Name(m) if m.id.as_str() == "os"),
            "get" => is_os_environ(&attr.value),
            _ => false,
        },
        _ => false,
    }
}

fn is_os_environ(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attr) => {
            attr.attr.as_str() == "environ" && matches!(&*attr.value, Expr::Name(m) if m.id.as_str() == "os")
        }
        Expr::Name(name) => name.id.as_str() == "environ",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_top_level_modules() {
        let src = "import os, streamlit as st\nfrom streamlit.components import v1\nfrom . import local\ndef f():\n    import pandas\n";
        assert_eq!(imported_modules(src), vec!["os", "streamlit", "streamlit", "pandas"]);
    }

    fn one(src: &str) -> ServerCall {
        let calls = server_calls(src);
        assert_eq!(calls.len(), 1, "{calls:?}");
        calls.into_iter().next().unwrap()
    }

    #[test]
    fn uvicorn_run_with_literals_and_env() {
        let c = one("import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=int(os.environ.get('PORT', 7860)))\n");
        assert_eq!(c.kind, ServerCallKind::UvicornRun);
        assert_eq!(c.keywords["host"], ArgValue::Str("0.0.0.0".into()));
        assert_eq!(c.keywords["port"], ArgValue::Env { var: "PORT".into(), default: Some("7860".into()) });
        let aliased = one("import uvicorn as u\nif __name__ == '__main__':\n    u.run('main:app', port=7255)\n");
        assert_eq!(aliased.keywords["port"], ArgValue::Int(7255));
        let from = one("from uvicorn import run\nrun(app, host=\"0.0.0.0\")\n");
        assert_eq!(from.kind, ServerCallKind::UvicornRun);
    }

    #[test]
    fn the_application_a_call_is_given() {
        let app = |src: &str| one(src).application;
        let object = Application::Object("app".into());
        assert_eq!(app("import uvicorn\napp = FastAPI()\nuvicorn.run(app, reload=True)\n"), object);
        assert_eq!(app("import uvicorn\nfrom main import app\nuvicorn.run(app=app)\n"), object);
        assert_eq!(app("import uvicorn\nuvicorn.run('main:app')\n"), Application::ImportString);
        assert_eq!(app("import uvicorn\nTARGET = 'main:app'\nuvicorn.run(TARGET)\n"), Application::ImportString);
        // Rebound to a string after the object; an f-string; a constant imported by name.
        assert_eq!(
            app("import uvicorn\napp = FastAPI()\napp = 'main:app'\nuvicorn.run(app)\n"),
            Application::ImportString
        );
        assert_eq!(app("import uvicorn\nuvicorn.run(f'{__name__}:app')\n"), Application::Unknown);
        assert_eq!(app("import uvicorn\nfrom settings import APP\nuvicorn.run(APP)\n"), Application::Unknown);
        let c = one("import uvicorn\nuvicorn.run('m:a', reload=True, workers=False)\n");
        assert_eq!((&c.keywords["reload"], &c.keywords["workers"]), (&ArgValue::Bool(true), &ArgValue::Bool(false)));
    }

    #[test]
    fn socketio_run_is_told_from_flask_run() {
        let src = "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\nsocketio = SocketIO(app)\nsocketio.run(app, port=7860)\n";
        assert_eq!(one(src).kind, ServerCallKind::SocketIoRun);
    }

    #[test]
    fn subprocess_run_is_not_a_server() {
        let src = "import subprocess\nfrom flask import Flask\napp = Flask(__name__)\n\
                   subprocess.run(['ls'])\nif __name__ == '__main__':\n    app.run(host=\"0.0.0.0\", port=7860)\n";
        let c = one(src);
        assert_eq!(c.kind, ServerCallKind::FlaskRun);
        assert_eq!(c.keywords["port"], ArgValue::Int(7860));
    }

    #[test]
    fn module_constants_and_gradio_launch() {
        let c = one(
            "PORT = int(os.getenv('PORT', '7860'))\ndemo.queue().launch(server_name='0.0.0.0', server_port=PORT)\n",
        );
        assert_eq!(c.kind, ServerCallKind::GradioLaunch);
        assert_eq!(c.keywords["server_port"], ArgValue::Env { var: "PORT".into(), default: Some("7860".into()) });
        let subscript = one("app = Flask(__name__)\napp.run(port=os.environ['PORT'])\n");
        assert_eq!(subscript.keywords["port"], ArgValue::Env { var: "PORT".into(), default: None });
    }

    #[test]
    fn calls_by_name() {
        assert!(calls_any(
            "from huggingface_hub import HfApi\nHfApi().upload_folder(folder_path='.')\n",
            &["upload_folder"]
        ));
        assert!(!calls_any("# api.upload_folder()\nprint('upload_folder')\n", &["upload_folder"]));
    }

    #[test]
    fn setup_py_requirements() {
        let src = "from setuptools import setup\nsetup(name='x', install_requires=['fastapi>=0.1', \"uvicorn[standard]\", DEP])\n";
        assert_eq!(setup_requires(src), vec!["fastapi>=0.1", "uvicorn[standard]"]);
        assert!(setup_requires("setup(name='x')\n").is_empty());
    }

    #[test]
    fn comments_strings_and_broken_files() {
        assert!(server_calls("# uvicorn.run(app, port=1)\nx = 'demo.launch()'\n").is_empty());
        assert!(server_calls("def f(:\n").is_empty());
        let recovered = server_calls("import uvicorn\ndef broken(:\n    pass\nuvicorn.run(app, port=7860)\n");
        assert_eq!(recovered.len(), 1);
        assert!(server_calls("task.run()\nrunner.run(port=1)\n").is_empty());
    }

    fn serves_nothing(source: &str) -> Option<Vec<String>> {
        Script::parse(source).serves_nothing()
    }

    fn server_calls(source: &str) -> Vec<ServerCall> {
        Script::parse(source).server_calls()
    }

    #[test]
    fn tells_a_script_that_serves_nothing() {
        let plain = "import os, json\nfrom transformers import pipeline\nprint(pipeline('sentiment-analysis')('hi'))\n";
        assert_eq!(serves_nothing(plain), Some(vec!["os".into(), "json".into(), "transformers".into()]));
        assert_eq!(serves_nothing("print('hello')\n"), Some(vec![]));
        // A framework, its own modules, another program, hidden code, huggingface_hub's webhooks.
        assert_eq!(serves_nothing("import gradio as gr\n"), None);
        assert_eq!(serves_nothing("import app\napp.main()\n"), None);
        assert_eq!(serves_nothing("from .server import run\nrun()\n"), None);
        assert_eq!(serves_nothing("import os\nos.system('uvicorn app:app --port 7860')\n"), None);
        assert_eq!(serves_nothing("import subprocess\nsubprocess.run(['streamlit', 'run', 'a.py'])\n"), None);
        assert_eq!(serves_nothing("exec(open('x.py').read())\n"), None);
        assert_eq!(
            serves_nothing("from huggingface_hub import webhook_endpoint\n@webhook_endpoint\nasync def h(p): pass\n"),
            None
        );
        // An import inside a function counts too.
        assert_eq!(serves_nothing("def main():\n    import flask\n"), None);
    }
}

//! The application the container runs, from the Space's own files: the Python files the start
//! command runs (`python app.py`, `python -m pkg`, `uvicorn main:app`, `streamlit run app.py`,
//! `flask run`…), followed through their imports of the Space's own modules, and the writes
//! that code makes, each resolved to an absolute path of the image (through `__file__`, the
//! working folder, HOME and the image's ENV) and asked of the file-system map.
//!
//! Only what the files show is used: a write whose path the code computes (a parameter, a
//! call's result) is not guessed, and code the Space does not hold (cloned at build time, a
//! compiled server, a language spacecheck does not read) is said to be so (`AppCode`), never guessed.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::fs::Access;
use super::server::{Program, StartAnalysis};
use super::{join_path, ImageModel};
use crate::knowledge::python_writes::Makes;
use crate::parse::python_facts::{self, PathExpr, PyImport};
use crate::source::SourceFile;

/// Gives the Python source at an image path: the Space file a COPY put there (its path in the
/// Space, its text), or a file a RUN heredoc wrote (no Space path).
pub trait AppFiles {
    fn python_at(&self, image_path: &str) -> Option<(Option<String>, SourceFile)>;
    /// Whether the image has a file there that `python_at` can give (without reading it).
    fn has_file(&self, image_path: &str) -> bool;
    /// Whether the folder is the whole Space as the Hub builds it (see `Space::whole`).
    fn whole_space(&self) -> bool;
    /// Whether an installed package may provide this top-level module (true when the installed
    /// packages are not known).
    fn provides_module(&self, top: &str) -> bool;
    /// Whether the Space's `.gitignore` keeps this path (relative) from being pushed.
    fn git_ignores(&self, _rel: &str) -> bool {
        false
    }
}

/// How far the app's code could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCode {
    /// The entry files the start command runs, and every file read (entries and the Space's
    /// own modules they import), as image paths.
    Read { entries: Vec<String>, files: Vec<String> },
    /// The code the start command runs is not among the files of this folder (cloned during the
    /// build, copied from outside the folder, a start script the folder lacks): the files cannot
    /// tell what it writes. Why, for messages.
    NotInSpace(String),
    /// It runs code spacecheck does not read (a Node or compiled server, an installed module):
    /// why, for the rules to say they were skipped.
    NotReadable(String),
    /// The Hub's build fails before the app could run (a COPY of a file git ignores): why.
    BuildFails(String),
}

impl AppCode {
    /// Why the code was not read, when it was not.
    pub fn not_read(&self) -> Option<&str> {
        match self {
            AppCode::Read { .. } => None,
            AppCode::NotInSpace(why) | AppCode::NotReadable(why) | AppCode::BuildFails(why) => Some(why),
        }
    }
}

/// A write the app's code makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppWrite {
    /// The Space file that holds the call (`app.py`), or the image path of a heredoc file.
    pub file: String,
    /// 1-based line of the call.
    pub line: usize,
    /// Byte range of the call in that file.
    pub range: Range<usize>,
    /// The call as messages name it (`os.makedirs`, `open`).
    pub call: String,
    /// The absolute path written: a file or folder, or with `in_folder` the folder a file of
    /// computed name is written into.
    pub path: String,
    pub in_folder: bool,
    pub makes: Makes,
    /// The code catches the error a denied write raises.
    pub handled: bool,
    /// Made inside a function (when it is called: a request), not when the module loads.
    pub in_function: bool,
    /// The innermost function that makes it.
    pub function: Option<String>,
    /// Under an `if`, a loop or a `match`: it may not run.
    pub branched: bool,
}

impl AppWrite {
    /// `app.py:12`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// What is written, for messages: `` `/app/uploads` ``.
    pub fn what(&self) -> String {
        format!("`{}`", self.path)
    }
}

/// A write that UID 1000 cannot make at run time, and the path that refuses it.
#[derive(Debug, Clone)]
pub struct DeniedAppWrite<'a> {
    pub write: &'a AppWrite,
    /// The path, or the folder it would be created in, that UID 1000 may not write.
    pub blocking: String,
    pub state: super::fs::PathState,
}

/// What a call that may download from the Hub is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadTarget {
    /// A repository id (`org/model`, `bert-base-uncased`): downloaded into the Hub cache.
    Hub(String),
    /// A folder of the image (`./models/bert`, `/app/model`): read, nothing downloaded.
    Local(String),
    /// None given: the library downloads its default model.
    LibraryDefault,
    /// Computed by the code: not known.
    Unknown,
}

/// A call of the app's code that may download from the Hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLoad {
    pub file: String,
    pub line: usize,
    pub call: String,
    pub target: LoadTarget,
    /// The code catches its error (where it is made, or wherever its function is called).
    pub handled: bool,
    /// The innermost function that makes it.
    pub function: Option<String>,
    /// It runs when the app starts (module level, a function called there, a startup hook).
    pub at_start: bool,
}

impl AppLoad {
    /// Whether it downloads into the Hub cache, and a failure there is not caught.
    pub fn downloads(&self) -> bool {
        !self.handled && matches!(self.target, LoadTarget::Hub(_) | LoadTarget::LibraryDefault)
    }

    /// `` `app.py:12` loads `org/model` (`SentenceTransformer`) ``.
    pub fn describe(&self) -> String {
        let what = match &self.target {
            LoadTarget::Hub(id) => format!("`{id}`"),
            LoadTarget::Local(path) => format!("`{path}`"),
            LoadTarget::LibraryDefault => "its default model".to_string(),
            LoadTarget::Unknown => "a model the code computes".to_string(),
        };
        format!("`{}:{}` loads {what} (`{}`)", self.file, self.line, self.call)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppModel {
    pub code: AppCode,
    pub writes: Vec<AppWrite>,
    /// Calls that may download from the Hub, in the files read.
    pub loads: Vec<AppLoad>,
    /// The top-level modules the files read import (`transformers`, `gradio`), once each.
    pub imports: Vec<String>,
    /// Imports that run whenever their file runs and that nothing provides (no file of the
    /// image, not the standard library, no installed package): `main.py:8` imports `config`.
    pub missing_imports: Vec<String>,
    /// Absolute imports the app makes when it starts ([`StartImport`]), in the Space's files.
    pub start_imports: Vec<StartImport>,
}

/// An import that runs when the app starts: an unconditional import (module level, in no
/// `try`, `if` or function) of a file that runs at start, which is an entry the start command
/// runs or imports, or a module such a file imports unconditionally. An import that fails
/// there stops the app before it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartImport {
    /// The dotted module (`cv2`, `a.b`).
    pub module: String,
    /// The Space file that imports it, the line, and the module name's byte range there.
    pub file: String,
    pub line: usize,
    pub range: Range<usize>,
}

/// Budgets: files followed through imports, and bytes of Python read.
const MAX_FILES: usize = crate::budget::APP_FILES;
const MAX_BYTES: usize = crate::budget::APP_BYTES;

/// Servers and tools that run a Python file or module given as an argument.
const RUNS_SCRIPT: &[(&str, &[&str])] = &[
    // (program, subcommands before the script; empty: the first operand)
    ("streamlit", &["run"]),
    ("chainlit", &["run"]),
    ("fastapi", &["run", "dev"]),
    ("solara", &["run"]),
    ("marimo", &["run", "edit"]),
    ("panel", &["serve"]),
    ("shiny", &["run"]),
    ("mesop", &[]),
    ("gradio", &[]),
];

/// ASGI/WSGI servers given `module:attribute` (gunicorn also a bare module).
const APP_SERVERS: &[&str] = &["uvicorn", "gunicorn", "hypercorn", "granian", "daphne", "waitress-serve"];

/// Options of those servers and of Python that take a value (so the value is no operand).
const VALUE_OPTIONS: &[&str] = &[
    "-b",
    "--bind",
    "--host",
    "--port",
    "-w",
    "--workers",
    "-k",
    "--worker-class",
    "-c",
    "--config",
    "--app-dir",
    "--chdir",
    "--log-level",
    "-t",
    "--timeout",
    "--root-path",
    "--env-file",
    "--forwarded-allow-ips",
    "--log-config",
    "--interface",
    "--threads",
    "--graceful-timeout",
    "--keep-alive",
    "--server.port",
    "--server.address",
    "-W",
    "-X",
    "--app",
    "--listen",
    "-p",
];

/// What one command runs of Python: the working folder it is read from, and the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Script(String),
    Module(String),
    /// `uvicorn main:app`: the module is imported, so its `if __name__ == "__main__"` block
    /// does not run.
    Imported(String),
}

/// The operands of an argument list, options and their values left out.
fn operands(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a.starts_with('-') {
            i += if !a.contains('=') && VALUE_OPTIONS.contains(&a) { 2 } else { 1 };
            continue;
        }
        out.push(a);
        i += 1;
    }
    out
}

/// A Python dotted name (`main`, `app.server`).
fn is_module_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            p.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The Python entry a command runs, if any.
fn entry_of(program: &Program, env: &HashMap<String, String>) -> Option<Entry> {
    let name = program.base_name();
    let args = &program.args;
    if name.starts_with("python") && !name.contains("config") {
        let i = super::server::python_operand(args);
        return match args.get(i).map(String::as_str) {
            Some("-m") => {
                let module = args.get(i + 1)?;
                let rest = Program { name: module.clone(), args: args[i + 2..].to_vec() };
                let known = APP_SERVERS.contains(&module.as_str())
                    || RUNS_SCRIPT.iter().any(|(p, _)| p == module)
                    || matches!(module.as_str(), "flask" | "gradio.cli");
                if known {
                    entry_of(&rest, env)
                } else {
                    Some(Entry::Module(module.clone()))
                }
            }
            Some("-c") | None => None,
            Some(script) => Some(Entry::Script(script.to_string())),
        };
    }
    if APP_SERVERS.contains(&name) {
        let target = operands(args).into_iter().find(|a| {
            let module = a.split(':').next().unwrap_or(a);
            is_module_name(module) && (a.contains(':') || name == "gunicorn")
        })?;
        return Some(Entry::Imported(target.split(':').next().unwrap_or(target).to_string()));
    }
    if name == "flask" {
        let app = args
            .iter()
            .position(|a| a == "--app" || a == "-A")
            .and_then(|i| args.get(i + 1).cloned())
            .or_else(|| args.iter().find_map(|a| a.strip_prefix("--app=").map(str::to_string)))
            .or_else(|| env.get("FLASK_APP").cloned())
            .unwrap_or_else(|| "app.py".to_string());
        let app = app.split(':').next().unwrap_or(&app).to_string();
        return Some(if app.ends_with(".py") { Entry::Script(app) } else { Entry::Module(app) });
    }
    let (_, subcommands) = RUNS_SCRIPT.iter().find(|(p, _)| *p == name)?;
    let ops = operands(args);
    let script = if subcommands.is_empty() {
        ops.first().copied()
    } else {
        (ops.first().is_some_and(|s| subcommands.contains(s))).then(|| ops.get(1).copied()).flatten()
    }?;
    script.ends_with(".py").then(|| Entry::Script(script.to_string()))
}

/// What one entry of the start command is in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
enum EntryFile {
    /// A file of the image; `as_main` when Python runs it as `__main__` (a script, `python -m`),
    /// not when a server imports it (`uvicorn main:app`: its `__main__` guard does not run).
    Path { path: String, as_main: bool },
    /// A module no file of the image holds (an installed package's, such as `http.server`).
    Installed(String),
}

/// The entries the start command runs, the folders imports are looked up in, and whether the
/// start command runs Python at all.
fn entries(model: &ImageModel, start: &StartAnalysis, files: &dyn AppFiles) -> (Vec<EntryFile>, Vec<String>, bool) {
    let cwd = &model.workdir;
    let mut entries: Vec<EntryFile> = Vec::new();
    let mut roots: Vec<String> = vec![cwd.clone()];
    if let Some(pp) = model.runtime_env.get("PYTHONPATH") {
        roots.extend(pp.split(':').filter(|p| p.starts_with('/')).map(str::to_string));
    }
    let mut wanted = false;
    for (program, env) in &start.commands {
        let Some(entry) = entry_of(program, env) else { continue };
        wanted = true;
        let (module, as_main) = match entry {
            Entry::Script(path) => {
                let image_path = join_path(cwd, &path);
                let dir = super::fs::parent(&image_path).to_string();
                if !roots.contains(&dir) {
                    roots.push(dir);
                }
                entries.push(EntryFile::Path { path: image_path, as_main: true });
                continue;
            }
            Entry::Module(module) => (module, true),
            Entry::Imported(module) => (module, false),
        };
        let rel = module.replace('.', "/");
        let found = roots.iter().find_map(|root| {
            [format!("{rel}.py"), format!("{rel}/__main__.py"), format!("{rel}/__init__.py")]
                .into_iter()
                .map(|f| join_path(root, &f))
                .find(|p| files.has_file(p))
        });
        entries.push(match found {
            Some(path) => EntryFile::Path { path, as_main },
            None => EntryFile::Installed(module),
        });
    }
    (entries, roots, wanted)
}

pub fn build(model: &ImageModel, start: &StartAnalysis, files: &dyn AppFiles) -> AppModel {
    let mut app = read(model, start, files);
    let ignored_missing = model.missing_sources.iter().find(|s| files.git_ignores(s.trim_start_matches("./")));
    if let Some(ignored) = model.git_ignored_sources.first().or(ignored_missing) {
        app.code = AppCode::BuildFails(format!(
            "the Hub's build fails before the app runs: the Dockerfile copies `{ignored}`, which git ignores, so it is never pushed"
        ));
    }
    app
}

fn read(model: &ImageModel, start: &StartAnalysis, files: &dyn AppFiles) -> AppModel {
    let (entries, roots, wanted) = entries(model, start, files);
    let main: HashSet<&str> = entries
        .iter()
        .filter_map(|e| match e {
            EntryFile::Path { path, as_main: true } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    let paths: Vec<String> = entries
        .iter()
        .filter_map(|e| match e {
            EntryFile::Path { path, .. } => Some(path.clone()),
            EntryFile::Installed(_) => None,
        })
        .collect();
    if !wanted {
        return AppModel {
            code: not_read(model, start, files),
            writes: Vec::new(),
            loads: Vec::new(),
            imports: Vec::new(),
            missing_imports: Vec::new(),
            start_imports: Vec::new(),
        };
    }
    let mut reader = Reader {
        model,
        files,
        cwd: model.workdir.clone(),
        home: model.runtime_home().path,
        roots,
        seen: HashSet::new(),
        read: Vec::new(),
        bytes: 0,
        writes: Vec::new(),
        loads: Vec::new(),
        imports: Vec::new(),
        uses: HashMap::new(),
        functions: HashMap::new(),
        callers: HashMap::new(),
        missing_imports: Vec::new(),
        start_edges: HashMap::new(),
        file_imports: HashMap::new(),
    };
    let mut todo: Vec<String> = paths.clone();
    let mut read_entries = Vec::new();
    while let Some(path) = todo.pop() {
        if reader.seen.len() >= MAX_FILES || reader.bytes >= MAX_BYTES {
            crate::budget::exhausted(crate::budget::Family::AppCode);
            continue;
        }
        if !reader.seen.insert(path.clone()) {
            continue;
        }
        let Some((rel, file)) = files.python_at(&path) else { continue };
        if paths.contains(&path) {
            read_entries.push(path.clone());
        }
        let is_main = main.contains(path.as_str());
        todo.extend(reader.read_file(&path, rel, &file, is_main));
    }
    reader.follow_calls();
    let start_imports = reader.start_imports(&read_entries);
    let code = if read_entries.is_empty() {
        not_read_entries(model, files, &entries)
    } else {
        AppCode::Read { entries: read_entries, files: reader.read }
    };
    AppModel {
        code,
        writes: reader.writes,
        loads: reader.loads,
        imports: reader.imports,
        missing_imports: reader.missing_imports,
        start_imports,
    }
}

/// Why the entries the start command runs were not read: in the Space but not readable (listed
/// by the Hub, too large), written by a RUN, in a build context larger than the folder, an
/// installed module, or code no file of the folder is copied to.
fn not_read_entries(model: &ImageModel, files: &dyn AppFiles, entries: &[EntryFile]) -> AppCode {
    let paths: Vec<&str> = entries
        .iter()
        .filter_map(|e| match e {
            EntryFile::Path { path, .. } => Some(path.as_str()),
            EntryFile::Installed(_) => None,
        })
        .collect();
    if let Some(listed) = paths.iter().find(|p| files.has_file(p)) {
        return AppCode::NotReadable(format!("the start command runs `{listed}`, whose content was not read"));
    }
    if let Some(written) = paths.iter().find(|p| model.run_writes(p)) {
        return AppCode::NotReadable(format!(
            "the start command runs `{written}`, which a RUN writes; spacecheck does not read it"
        ));
    }
    if let Some(missing) = model.missing_sources.first().filter(|_| !files.whole_space()) {
        return AppCode::NotReadable(format!(
            "the Dockerfile copies `{missing}`, which this folder does not hold: its build context may be a larger repository"
        ));
    }
    let shown = |list: Vec<&str>| list.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
    if paths.is_empty() {
        let modules: Vec<&str> = entries
            .iter()
            .filter_map(|e| match e {
                EntryFile::Installed(m) => Some(m.as_str()),
                EntryFile::Path { .. } => None,
            })
            .collect();
        AppCode::NotReadable(format!(
            "the start command runs the module {}, which is not among this folder's files (an installed package's), and spacecheck does not read it",
            shown(modules)
        ))
    } else {
        AppCode::NotInSpace(format!(
            "the start command runs {}, which no file of this folder is copied to",
            shown(paths)
        ))
    }
}

/// Why no Python code was read when the start command runs none: a script it runs that the
/// image lacks, or the program it runs.
fn not_read(model: &ImageModel, start: &StartAnalysis, files: &dyn AppFiles) -> AppCode {
    let unread = |s: &&super::server::ScriptRun| !files.has_file(&s.image_path);
    if let Some(written) = start.scripts.iter().filter(unread).find(|s| model.run_writes(&s.image_path)) {
        return AppCode::NotReadable(format!(
            "the start command runs `{}`, which a RUN writes; spacecheck does not read it",
            written.image_path
        ));
    }
    if let Some(missing) = model.missing_sources.first().filter(|_| !files.whole_space()) {
        if start.scripts.iter().any(|s| unread(&s)) {
            return AppCode::NotReadable(format!(
                "the Dockerfile copies `{missing}`, which this folder does not hold: its build context may be a larger repository"
            ));
        }
    }
    if let Some(missing) = start.scripts.iter().find(unread) {
        return AppCode::NotInSpace(format!(
            "the start command runs `{}`, which no file of this folder is copied to",
            missing.image_path
        ));
    }
    let program = start.servers.first().map(|s| s.kind.name().to_string()).or_else(|| {
        start
            .programs
            .iter()
            .map(Program::base_name)
            .find(|p| {
                p.starts_with(|c: char| c.is_alphanumeric() || c == '/') && !super::server::NON_SERVING.contains(p)
            })
            .map(str::to_string)
    });
    AppCode::NotReadable(match program {
        Some(p) => format!("the start command runs `{p}`, whose code spacecheck does not read"),
        None => "spacecheck found no code of the app that the start command runs".to_string(),
    })
}

struct Reader<'a> {
    model: &'a ImageModel,
    files: &'a dyn AppFiles,
    cwd: String,
    home: String,
    roots: Vec<String>,
    seen: HashSet<String>,
    read: Vec<String>,
    bytes: usize,
    writes: Vec<AppWrite>,
    loads: Vec<AppLoad>,
    imports: Vec<String>,
    /// How each name is used across the files read (the `__main__` guard of an entry file
    /// counts as run).
    uses: HashMap<String, python_facts::NameUse>,
    /// Functions by name: (decorated, run at startup).
    functions: HashMap<String, (bool, bool)>,
    /// The functions that call a name without catching its error.
    callers: HashMap<String, HashSet<String>>,
    missing_imports: Vec<String>,
    /// The files each file read imports unconditionally (image paths), for what runs at start.
    start_edges: HashMap<String, Vec<String>>,
    /// The unconditional absolute imports of each Space file read.
    file_imports: HashMap<String, Vec<StartImport>>,
}

/// A path being resolved: its known text, and whether an unknown part follows it.
struct Piece {
    text: String,
    complete: bool,
}

/// Whether every use of function `name` catches its error: calls inside `try`s that catch it,
/// or calls from functions that are themselves caught wherever they are used (followed 8 deep);
/// never for a decorated function (its framework calls it) or one used otherwise.
fn caught_by_callers(
    name: &str,
    uses: &HashMap<String, python_facts::NameUse>,
    functions: &HashMap<String, (bool, bool)>,
    callers: &HashMap<String, HashSet<String>>,
    depth: usize,
) -> bool {
    let u = uses.get(name).copied().unwrap_or_default();
    if depth > 8 || u.direct || functions.get(name).is_some_and(|(decorated, _)| *decorated) {
        return false;
    }
    callers
        .get(name)
        .is_none_or(|list| list.iter().all(|g| g != name && caught_by_callers(g, uses, functions, callers, depth + 1)))
        && (u.handled || callers.get(name).is_some_and(|l| !l.is_empty()))
}

impl Reader<'_> {
    /// Judges each write made in a function by how the files use that function: never used
    /// (only under another file's `__main__` guard), it does not run; called only where a `try`
    /// catches its error, the app goes on; called at module level or registered as a startup
    /// hook, it runs at start. A decorated function (a route) is called by its framework.
    fn follow_calls(&mut self) {
        let (uses, functions, callers) = (&self.uses, &self.functions, &self.callers);
        // (runs at all, its error is caught by every caller, runs at start)
        let judge = |function: &Option<String>| -> Option<(bool, bool)> {
            let Some(name) = function else { return Some((false, false)) };
            let (decorated, at_startup) = functions.get(name).copied().unwrap_or((false, false));
            let u = uses.get(name).copied().unwrap_or_default();
            if !decorated && !u.unhandled && !u.handled {
                return None;
            }
            let caught = !decorated && caught_by_callers(name, uses, functions, callers, 0);
            Some((caught, at_startup || u.module_call))
        };
        self.writes.retain_mut(|w| match judge(&w.function) {
            None => false,
            Some((caught, at_start)) => {
                w.handled |= caught;
                w.in_function &= !at_start;
                true
            }
        });
        self.loads.retain_mut(|l| match judge(&l.function) {
            None => false,
            Some((caught, at_start)) => {
                l.handled |= caught;
                l.at_start |= at_start;
                true
            }
        });
    }

    /// Reads one Python file of the image (`rel`: its Space path, when it has one): its writes
    /// and loads. Returns the image files its imports may load.
    fn read_file(&mut self, path: &str, rel: Option<String>, file: &SourceFile, is_entry: bool) -> Vec<String> {
        self.bytes += file.text.len();
        let facts = python_facts::facts(&file.text);
        self.read.push(path.to_string());
        // Under `if __name__ == "__main__"`, code runs only in the file Python runs.
        for (name, u) in &facts.uses {
            let all = self.uses.entry(name.clone()).or_default();
            all.unhandled |= u.unhandled || (is_entry && u.in_main_guard);
            all.direct |= u.direct || (is_entry && u.in_main_guard);
            all.handled |= u.handled;
            all.module_call |= u.module_call || (is_entry && u.main_guard_call);
        }
        for (callee, callers) in &facts.callers {
            let all = self.callers.entry(callee.clone()).or_default();
            all.extend(callers.iter().cloned());
        }
        for f in &facts.functions {
            let all = self.functions.entry(f.name.clone()).or_insert((false, false));
            all.0 |= f.decorated;
            all.1 |= f.at_startup;
        }
        let mut next = Vec::new();
        let shown = rel.clone().unwrap_or_else(|| path.to_string());
        for import in &facts.imports {
            let found = self.modules_of(path, import);
            // The `__main__` guard runs only in the file Python runs.
            if import.unconditional && (is_entry || !import.in_main_guard) {
                self.start_edges.entry(path.to_string()).or_default().extend(found.iter().cloned());
                if import.level == 0 && rel.is_some() {
                    self.file_imports.entry(path.to_string()).or_default().push(StartImport {
                        module: import.module.clone(),
                        file: shown.clone(),
                        line: file.line_col(import.at).0,
                        range: import.name.clone(),
                    });
                }
            }
            if found.is_empty() && import.level == 0 && import.unconditional && !self.provided(&import.module) {
                self.missing_imports.push(format!(
                    "`{shown}:{}` imports `{}`, which neither a file of the image nor an installed package provides",
                    file.line_col(import.at).0,
                    import.module
                ));
            }
            next.extend(found);
            let top = import.module.split('.').next().unwrap_or_default();
            if import.level == 0 && !top.is_empty() && !self.imports.iter().any(|m| m == top) {
                self.imports.push(top.to_string());
            }
        }
        for w in facts.writes.into_iter().filter(|w| is_entry || !w.in_main_guard) {
            // A path the code computes: kept, unresolved (an empty path), for the rules to know
            // the app may write somewhere they cannot judge.
            let (resolved, in_folder) = self.resolve(&w.path, path).unwrap_or_default();
            // Made only when a path the image has is missing: not made.
            let guard = w.unless_exists.as_ref().and_then(|g| self.resolve(g, path));
            if guard.is_some_and(|(g, in_folder)| {
                !in_folder && (self.model.fs.get(&g).is_some() || self.files.has_file(&g))
            }) {
                continue;
            }
            self.writes.push(AppWrite {
                file: shown.clone(),
                line: file.line_col(w.range.start).0,
                range: w.range,
                call: w.call,
                path: resolved,
                in_folder,
                makes: w.makes,
                handled: w.handled,
                in_function: w.in_function,
                function: w.function,
                branched: w.branched,
            });
        }
        self.read_loads(facts.loads, is_entry, path, &shown, file);
        next
    }

    /// The imports of the files that run at start: the entries read, then what they import
    /// unconditionally, transitively (each file once).
    fn start_imports(&mut self, entries: &[String]) -> Vec<StartImport> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo: Vec<&str> = entries.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        while let Some(path) = todo.pop() {
            if !seen.insert(path) {
                continue;
            }
            out.extend(self.file_imports.remove(path).unwrap_or_default());
            todo.extend(self.start_edges.get(path).into_iter().flatten().map(String::as_str));
        }
        out
    }

    /// Whether a module the files do not hold is there all the same: the standard library, an
    /// installed package, or a folder of the image (a namespace package).
    fn provided(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or(module);
        top.is_empty()
            || crate::knowledge::python_modules::is_stdlib(top)
            || crate::knowledge::python_modules::OFTEN_TRANSITIVE.contains(&top)
            || self.files.provides_module(top)
            || self.roots.iter().any(|r| self.model.fs.get(&join_path(r, top)).is_some())
    }

    /// The Hub loads of a file just read (the `__main__` guard's only in a file Python runs).
    fn read_loads(
        &mut self,
        loads: Vec<python_facts::PyLoad>,
        is_entry: bool,
        path: &str,
        shown: &str,
        file: &SourceFile,
    ) {
        for l in loads.into_iter().filter(|l| is_entry || !l.in_main_guard) {
            let target = match &l.target {
                None if l.default_downloads => LoadTarget::LibraryDefault,
                None => continue,
                Some(expr) => self.load_target(expr, path),
            };
            self.loads.push(AppLoad {
                file: shown.to_string(),
                line: file.line_col(l.range.start).0,
                call: l.call,
                target,
                handled: l.handled,
                at_start: l.function.is_none(),
                function: l.function,
            });
        }
    }

    /// The image files an import may load: the module, the packages above it, and for
    /// `from pkg import name`, `pkg/name.py` (a name may be a submodule).
    fn modules_of(&self, from_file: &str, import: &PyImport) -> Vec<String> {
        let bases: Vec<String> = if import.level > 0 {
            let mut dir = from_file.rsplit_once('/').map_or("/".to_string(), |(d, _)| d.to_string());
            for _ in 1..import.level {
                dir = dir.rsplit_once('/').map_or("/".to_string(), |(d, _)| d.to_string());
            }
            vec![dir]
        } else {
            self.roots.clone()
        };
        let mut parts: Vec<String> = import.module.split('.').filter(|p| !p.is_empty()).map(str::to_string).collect();
        let mut out = Vec::new();
        for base in &bases {
            let mut at = base.clone();
            for (i, part) in parts.iter().enumerate() {
                at = join_path(&at, part);
                out.push(format!("{at}/__init__.py"));
                if i + 1 == parts.len() {
                    out.push(format!("{at}.py"));
                }
            }
            for name in &import.names {
                let pkg = if parts.is_empty() { base.clone() } else { at.clone() };
                out.push(join_path(&pkg, &format!("{name}.py")));
                out.push(join_path(&pkg, &format!("{name}/__init__.py")));
            }
        }
        parts.clear();
        out.retain(|p| self.files.has_file(p));
        out
    }

    /// The absolute path a write's expression names, and whether it is the folder of a file
    /// whose name is computed. `None` when the code does not show it.
    fn resolve(&self, expr: &PathExpr, this_file: &str) -> Option<(String, bool)> {
        let piece = self.piece(expr, this_file, 0);
        let (text, in_folder) = if piece.complete {
            (piece.text, false)
        } else {
            // `f"{UPLOADS}/{name}"`: the folder is known up to its last `/`.
            let cut = piece.text.rfind('/')?;
            (piece.text[..cut.max(1)].to_string(), true)
        };
        if text.is_empty() || text.starts_with('~') || text.contains("://") || text.starts_with(':') {
            return None;
        }
        let absolute = join_path(&self.cwd, &text);
        let absolute = absolute.trim_end_matches('/');
        Some((if absolute.is_empty() { "/".to_string() } else { absolute.to_string() }, in_folder))
    }

    /// What a loading call is given: a folder of the image (a path, or a name the image holds
    /// as a folder), else a repository id.
    fn load_target(&self, expr: &PathExpr, this_file: &str) -> LoadTarget {
        let piece = self.piece(expr, this_file, 0);
        if !piece.complete || piece.text.is_empty() {
            return LoadTarget::Unknown;
        }
        let text = piece.text;
        let absolute = join_path(&self.cwd, &text);
        let pathlike = text.starts_with('/') || text.starts_with("./") || text.starts_with("../") || text == ".";
        if pathlike || self.model.fs.get(&absolute).is_some() {
            LoadTarget::Local(absolute)
        } else {
            LoadTarget::Hub(text)
        }
    }

    fn piece(&self, expr: &PathExpr, this_file: &str, depth: usize) -> Piece {
        let unknown = || Piece { text: String::new(), complete: false };
        if depth > 32 {
            return unknown();
        }
        let done = |text: String| Piece { text, complete: true };
        match expr {
            PathExpr::Text(t) => done(t.clone()),
            PathExpr::ThisFile => done(this_file.to_string()),
            PathExpr::Cwd => done(self.cwd.clone()),
            PathExpr::Home => done(self.home.clone()),
            PathExpr::Env { var, default } => match (self.model.runtime_env.get(var), default) {
                (Some(v), _) => done(v.clone()),
                (None, Some(d)) => self.piece(d, this_file, depth + 1),
                (None, None) => unknown(),
            },
            PathExpr::Parent(inner) => {
                let p = self.piece(inner, this_file, depth + 1);
                if !p.complete {
                    return unknown();
                }
                let absolute = join_path(&self.cwd, &p.text);
                done(super::fs::parent(absolute.trim_end_matches('/')).to_string())
            }
            PathExpr::Join(parts) => {
                let mut acc: Option<String> = None;
                for part in parts {
                    let p = self.piece(part, this_file, depth + 1);
                    let joined = match (&acc, p.text.starts_with('/')) {
                        (Some(a), false) if !p.text.is_empty() || p.complete => {
                            format!("{}/{}", a.trim_end_matches('/'), p.text)
                        }
                        (Some(a), false) => a.clone(),
                        _ => p.text.clone(),
                    };
                    if !p.complete {
                        // `os.path.join(UPLOADS, name)`: a file in UPLOADS.
                        let folder = match (&acc, p.text.is_empty()) {
                            (Some(a), true) => format!("{}/", a.trim_end_matches('/')),
                            _ => joined,
                        };
                        return Piece { text: folder, complete: false };
                    }
                    acc = Some(joined);
                }
                acc.map_or_else(unknown, done)
            }
            PathExpr::Concat(pieces) => {
                let mut text = String::new();
                for piece in pieces {
                    let p = self.piece(piece, this_file, depth + 1);
                    text.push_str(&p.text);
                    if !p.complete {
                        return Piece { text, complete: false };
                    }
                }
                done(text)
            }
            PathExpr::Unknown => unknown(),
        }
    }
}

impl AppModel {
    /// Whether the app, when it starts, makes a write whose path the code computes (a value
    /// returned by a function, a parameter): it may fail there before any write the rules judge.
    pub fn computed_write_at_start(&self) -> Option<&AppWrite> {
        self.writes.iter().find(|w| w.path.is_empty() && !w.in_function && !w.branched && !w.handled)
    }

    /// The writes UID 1000 may not make at run time, in file order. Paths under `/data` are
    /// left to the storage rules (persistent storage is mounted there, writable).
    pub fn denied_writes<'a>(&'a self, model: &ImageModel) -> Vec<DeniedAppWrite<'a>> {
        let mut out = Vec::new();
        for w in &self.writes {
            if w.path.is_empty() || w.path == "/data" || w.path.starts_with("/data/") {
                continue;
            }
            // A folder made only when missing writes nothing where the image has it.
            if w.makes == Makes::Folder && !w.in_folder && model.fs.get(&w.path).is_some() {
                continue;
            }
            let inside = |folder: &str| format!("{}/.write", folder.trim_end_matches('/'));
            // Each path the write needs, the folder first (it decides more writes).
            let probes = if w.in_folder || w.makes == Makes::FilesIn {
                vec![inside(&w.path)]
            } else if w.makes == Makes::FileBeside {
                vec![inside(super::fs::parent(&w.path)), w.path.clone()]
            } else {
                vec![w.path.clone()]
            };
            let denied = probes.iter().find_map(|probe| match model.writable_at_run_time(probe) {
                Access::No { path, state } => Some((path, state)),
                Access::Yes | Access::Unknown => None,
            });
            if let Some((path, state)) = denied {
                out.push(DeniedAppWrite { write: w, blocking: path, state });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::placement::BuildContext;
    use crate::model::server::{self, Files};
    use crate::parse::dockerfile;
    use crate::source::SourceFile;

    /// A Space as (path, text) pairs, copied by the Dockerfile.
    struct Fake<'a> {
        model: &'a ImageModel,
        files: &'a [(&'a str, &'a str)],
    }

    impl AppFiles for Fake<'_> {
        fn python_at(&self, image_path: &str) -> Option<(Option<String>, SourceFile)> {
            let rel = self.model.space_file_at(image_path)?;
            self.files
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(p, t)| (Some(p.to_string()), SourceFile::new(*p, t.to_string())))
        }

        fn has_file(&self, image_path: &str) -> bool {
            self.model.space_file_at(image_path).is_some()
        }

        fn whole_space(&self) -> bool {
            false
        }

        fn provides_module(&self, _: &str) -> bool {
            true
        }
    }

    impl Files for Fake<'_> {
        fn file(&self, image_path: &str) -> Option<String> {
            self.python_at(image_path).map(|(_, f)| f.text)
        }
        fn installs(&self, _: &str) -> bool {
            false
        }
    }

    fn app(dockerfile_text: &str, files: &[(&str, &str)]) -> (ImageModel, AppModel) {
        let df = dockerfile::parse(&SourceFile::new("Dockerfile", dockerfile_text.to_string())).expect("parses");
        let mut dirs: Vec<String> = Vec::new();
        for (p, _) in files {
            let mut at = String::new();
            for part in p.split('/').collect::<Vec<_>>().split_last().map(|(_, d)| d.to_vec()).unwrap_or_default() {
                at = if at.is_empty() { part.to_string() } else { format!("{at}/{part}") };
                if !dirs.contains(&at) {
                    dirs.push(at.clone());
                }
            }
        }
        let context = BuildContext::new(files.iter().map(|(p, _)| p.to_string()).collect(), dirs);
        let model = crate::model::build_with_context(&df, Some(&context));
        let fake = Fake { model: &model, files };
        let start = server::analyze(&model, &fake);
        let app = build(&model, &start, &fake);
        (model, app)
    }

    fn denied(dockerfile_text: &str, files: &[(&str, &str)]) -> Vec<(String, String)> {
        let (model, app) = app(dockerfile_text, files);
        app.denied_writes(&model).iter().map(|d| (d.write.place(), d.write.path.clone())).collect()
    }

    const ROOT: &str = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";

    #[test]
    fn a_write_into_the_root_owned_app_folder_is_denied() {
        let app_py = "import os\nos.makedirs('uploads', exist_ok=True)\n";
        assert_eq!(denied(ROOT, &[("app.py", app_py)]), vec![("app.py:2".into(), "/app/uploads".into())]);
        // The same folder shipped in the Space already exists: makedirs writes nothing.
        assert!(denied(ROOT, &[("app.py", app_py), ("uploads/.keep", "")]).is_empty());
        // ... but a file written into it is denied (root owns the copied folder).
        let save = "open('uploads/x.txt', 'w')\n";
        assert_eq!(
            denied(ROOT, &[("app.py", save), ("uploads/.keep", "")]),
            vec![("app.py:1".into(), "/app/uploads/x.txt".into())]
        );
    }

    #[test]
    fn near_misses_write_where_uid_1000_may() {
        // /tmp, a handled error, a computed path, an app that only reads.
        let files = [("app.py", "import os, tempfile\nopen('/tmp/a', 'w')\ntry:\n    os.makedirs('cache')\nexcept OSError:\n    pass\nopen(name, 'w')\nopen('data.csv')\n")];
        let (model, a) = app(ROOT, &files);
        assert!(a.denied_writes(&model).iter().all(|d| d.write.handled), "{:?}", a.writes);
        // Owned by the user the Hub runs as.
        let owned = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\nCMD python app.py\n";
        assert!(denied(owned, &[("app.py", "import os\nos.makedirs('uploads')\nopen('db.sqlite', 'w')\n")]).is_empty());
    }

    /// SQLite's journal and a rename's new entry go in the file's folder: a file given to UID
    /// 1000 in a folder root made is not enough, and the folder is what refuses.
    #[test]
    fn a_file_written_beside_needs_its_folder() {
        let df = "FROM python:3.11-slim\nWORKDIR /app\nCOPY --chown=1000 db.sqlite out.json ./\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n";
        let files = [("db.sqlite", ""), ("out.json", "")];
        let blocking = |app_py: &str| {
            let all = [files[0], files[1], ("app.py", app_py)];
            let (model, a) = app(df, &all);
            a.denied_writes(&model).iter().map(|d| d.blocking.clone()).collect::<Vec<_>>()
        };
        assert_eq!(blocking("import sqlite3\nsqlite3.connect('db.sqlite')\n"), ["/app"]);
        assert_eq!(blocking("import os\nos.replace('/tmp/x', 'out.json')\n"), ["/app"]);
        // Written in place, a file of its own is enough; in memory, SQLite writes no file.
        assert!(blocking("open('out.json', 'w')\n").is_empty());
        assert!(blocking("import sqlite3\nsqlite3.connect(':memory:')\nsqlite3.connect(database='')\n").is_empty());
    }

    #[test]
    fn follows_imports_and_module_entries() {
        let files = [
            ("main.py", "from fastapi import FastAPI\nfrom app.store import save\napp = FastAPI()\n"),
            ("app/__init__.py", ""),
            ("app/store.py", "import sqlite3\nDB = sqlite3.connect('data/app.db')\n"),
            ("unused.py", "open('never.txt', 'w')\n"),
        ];
        let df = "FROM python:3.11\nWORKDIR /code\nCOPY main.py .\nCOPY app app\nCOPY unused.py .\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n";
        assert_eq!(denied(df, &files), vec![("app/store.py:2".into(), "/code/data/app.db".into())]);
    }

    #[test]
    fn paths_through_file_home_and_environment() {
        let files = [("src/app.py", "import os\nBASE = os.path.dirname(os.path.abspath(__file__))\nopen(os.path.join(BASE, 'log.txt'), 'a')\nos.makedirs(os.path.expanduser('~/.myapp'))\nD = os.getenv('OUT', 'out')\nopen(f'{D}/{name}.json', 'w')\n")];
        let df = "FROM python:3.11\nENV OUT=/srv/out\nCOPY src /opt/app\nCMD python /opt/app/app.py\n";
        let got = denied(df, &files);
        assert_eq!(
            got,
            vec![
                ("src/app.py:3".into(), "/opt/app/log.txt".into()),
                ("src/app.py:4".into(), "/.myapp".into()),
                ("src/app.py:6".into(), "/srv/out".into()),
            ]
        );
    }

    #[test]
    fn hub_loads_tell_a_repository_from_a_folder_of_the_image() {
        let files = [
            ("app.py", "from sentence_transformers import SentenceTransformer\nimport os\nA = SentenceTransformer('all-MiniLM-L6-v2')\nB = SentenceTransformer('models/local')\nC = SentenceTransformer(os.path.join(os.path.dirname(__file__), 'm'))\nD = SentenceTransformer(name)\n"),
            ("models/local/config.json", "{}"),
        ];
        let (_, a) = app(ROOT, &files);
        let targets: Vec<LoadTarget> = a.loads.iter().map(|l| l.target.clone()).collect();
        assert_eq!(
            targets,
            vec![
                LoadTarget::Hub("all-MiniLM-L6-v2".into()),
                LoadTarget::Local("/app/models/local".into()),
                LoadTarget::Local("/app/m".into()),
                LoadTarget::Unknown,
            ]
        );
        assert_eq!(a.imports, vec!["sentence_transformers", "os"]);
    }

    /// Code the image has but spacecheck does not read: written by a RUN, or copied from a
    /// build context larger than the folder.
    #[test]
    fn code_written_by_a_run_or_outside_the_folder_is_not_judged() {
        let written = "FROM python:3.11\nWORKDIR /app\nRUN echo 'uvicorn main:app' > /app/start.sh\nCMD [\"sh\", \"/app/start.sh\"]\n";
        let (_, a) = app(written, &[]);
        assert!(matches!(a.code, AppCode::NotReadable(ref why) if why.contains("which a RUN writes")), "{:?}", a.code);
        let outside = "FROM python:3.11\nWORKDIR /app\nCOPY hf-space/start.sh .\nCMD [\"sh\", \"start.sh\"]\n";
        let (_, b) = app(outside, &[]);
        assert!(
            matches!(b.code, AppCode::NotReadable(ref why) if why.contains("`hf-space/start.sh`, which this folder does not hold")),
            "{:?}",
            b.code
        );
    }

    /// A load whose error its caller catches does not stop the app.
    #[test]
    fn a_load_caught_by_its_caller_is_handled() {
        let src = "from sentence_transformers import SentenceTransformer\ndef load():\n    return SentenceTransformer('all-MiniLM-L6-v2')\ntry:\n    m = load()\nexcept Exception:\n    m = None\n";
        let (_, a) = app(ROOT, &[("app.py", src)]);
        assert_eq!(a.loads.len(), 1);
        assert!(a.loads[0].handled && !a.loads[0].downloads(), "{:?}", a.loads);
    }

    /// An import that nothing provides: not a file of the image, the standard library, an
    /// installed package, or a module such packages bring.
    #[test]
    fn an_import_nothing_provides() {
        struct Known<'a>(Fake<'a>);
        impl AppFiles for Known<'_> {
            fn python_at(&self, p: &str) -> Option<(Option<String>, SourceFile)> {
                self.0.python_at(p)
            }
            fn has_file(&self, p: &str) -> bool {
                self.0.has_file(p)
            }
            fn whole_space(&self) -> bool {
                false
            }
            fn provides_module(&self, top: &str) -> bool {
                top == "flask"
            }
        }
        let files = [("app.py", "import os, json\nfrom flask import Flask\nimport transformers\nfrom helpers import x\nfrom config import KEY\ntry:\n    import extra\nexcept ImportError:\n    pass\n"), ("helpers.py", "")];
        let df = dockerfile::parse(&SourceFile::new("Dockerfile", ROOT.to_string())).unwrap();
        let context = BuildContext::new(files.iter().map(|(p, _)| p.to_string()).collect(), vec![]);
        let model = crate::model::build_with_context(&df, Some(&context));
        let known = Known(Fake { model: &model, files: &files });
        let start = server::analyze(&model, &known.0);
        let a = build(&model, &start, &known);
        assert_eq!(
            a.missing_imports,
            vec!["`app.py:5` imports `config`, which neither a file of the image nor an installed package provides"]
        );
    }

    #[test]
    fn an_installed_module_is_not_the_space_s_code() {
        let (_, a) = app("FROM python:3.11\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n", &[]);
        assert!(
            matches!(a.code, AppCode::NotReadable(ref why) if why.starts_with("the start command runs the module `http.server`, which is not among this folder's files")),
            "{:?}",
            a.code
        );
    }

    #[test]
    fn entries_of_the_common_servers() {
        let e = |cmd: &str| {
            let words: Vec<String> = cmd.split(' ').map(str::to_string).collect();
            entry_of(&Program { name: words[0].clone(), args: words[1..].to_vec() }, &HashMap::new())
        };
        assert_eq!(e("python -u app.py"), Some(Entry::Script("app.py".into())));
        assert_eq!(e("python -m uvicorn api.main:app --port 7860"), Some(Entry::Imported("api.main".into())));
        assert_eq!(e("gunicorn -b 0.0.0.0:7860 wsgi:app"), Some(Entry::Imported("wsgi".into())));
        assert_eq!(e("streamlit run src/ui.py --server.port 8501"), Some(Entry::Script("src/ui.py".into())));
        assert_eq!(e("flask run --host 0.0.0.0"), Some(Entry::Script("app.py".into())));
        assert_eq!(e("python -m mypkg"), Some(Entry::Module("mypkg".into())));
        assert_eq!(e("node server.js"), None);
        assert_eq!(e("python -c print(1)"), None);
    }

    #[test]
    fn code_the_space_does_not_hold_is_not_read() {
        let (_, a) = app("FROM python:3.11\nRUN git clone https://x/y /app\nWORKDIR /app\nCMD python app.py\n", &[]);
        assert!(
            matches!(a.code, AppCode::NotInSpace(ref why) if why.contains("`/app/app.py`, which no file of this folder is copied to")),
            "{:?}",
            a.code
        );
        let (_, node) = app("FROM node:20\nCOPY . .\nCMD node server.js\n", &[("server.js", "")]);
        assert!(matches!(node.code, AppCode::NotReadable(ref why) if why.contains("`node`")), "{:?}", node.code);
        let (_, script) =
            app("FROM python:3.11\nWORKDIR /app\nCOPY app.py .\nCMD [\"./start.sh\"]\n", &[("app.py", "")]);
        assert!(
            matches!(script.code, AppCode::NotInSpace(ref why) if why.contains("`/app/start.sh`")),
            "{:?}",
            script.code
        );
    }
}

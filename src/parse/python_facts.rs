//! What a Python source says about files and other modules, read with ruff's parser: the
//! modules it imports (to follow the app from its entry file), and the calls that write a file
//! or make a folder, with the path each writes as the source builds it (`PathExpr`), before the
//! image is known. The application model resolves those paths against the image.
//!
//! Which calls write comes from `knowledge::python_writes`, plus `open()` with a writing mode
//! and the writing methods of `pathlib.Path`.

use std::collections::HashMap;
use std::ops::Range;

use rustpython_ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use rustpython_ruff_python_ast::{
    ExceptHandler, Expr, ExprContext, FStringPart, InterpolatedStringElement, Operator, PySourceType, Stmt,
};
use rustpython_ruff_python_parser::parse_unchecked_source;
use rustpython_ruff_text_size::Ranged;

use crate::knowledge::hub_downloads;
use crate::knowledge::python_writes::{self, Makes};

/// A path as the source builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathExpr {
    /// A string piece (`"uploads"`, `"/data"`, `"/"`).
    Text(String),
    /// `__file__`: this file's own path.
    ThisFile,
    /// `os.getcwd()`, `Path.cwd()`.
    Cwd,
    /// `Path.home()`, `os.path.expanduser("~")`.
    Home,
    /// `os.getenv("DIR", default)`, `os.environ["DIR"]`.
    Env { var: String, default: Option<Box<PathExpr>> },
    /// `os.path.dirname(x)`, `Path(x).parent`.
    Parent(Box<PathExpr>),
    /// `os.path.join(a, b)`, `Path(a) / b`, `Path(a, b)`: path components.
    Join(Vec<PathExpr>),
    /// An f-string or `a + b`: pieces glued together.
    Concat(Vec<PathExpr>),
    /// Anything the source computes otherwise (a parameter, a call's result).
    Unknown,
}

/// A call that writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyWrite {
    /// The call as messages name it: `os.makedirs`, `open(…, "w")`, `.to_csv`.
    pub call: String,
    pub path: PathExpr,
    pub makes: Makes,
    /// Byte range of the call in the source.
    pub range: Range<usize>,
    /// Inside a `try` whose handler catches the error a denied write raises (`OSError`,
    /// `PermissionError`, `Exception`, a bare `except`): the app may go on without it.
    pub handled: bool,
    /// Inside a function: it runs when that function is called (a request handler), not when
    /// the module is imported.
    pub in_function: bool,
    /// The innermost function that holds it.
    pub function: Option<String>,
    /// Under `if __name__ == "__main__":` (runs only when the file is the one Python runs).
    pub in_main_guard: bool,
    /// Under `if not os.path.exists(P):` (or `isfile`, `isdir`, `P.exists()`): made only when P
    /// is missing.
    pub unless_exists: Option<PathExpr>,
    /// Under another `if`, a loop or a `match`: whether it runs depends on what the code meets.
    pub branched: bool,
}

/// How a source uses a name (a function's, for whether and how the function is called).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameUse {
    /// Used (called or passed on) outside `if __name__ == "__main__"` and not as a call whose
    /// error a `try` catches.
    pub unhandled: bool,
    /// Called inside a `try` that catches the error of a denied write.
    pub handled: bool,
    /// Used under `if __name__ == "__main__"`.
    pub in_main_guard: bool,
    /// Called at module level (the module's import runs it), outside the `__main__` guard.
    pub module_call: bool,
    /// Called at module level under the `__main__` guard.
    pub main_guard_call: bool,
    /// Used outside the guard other than by a call inside a function whose error nothing there
    /// catches (a reference passed on, a call at module level).
    pub direct: bool,
}

/// A function the source defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyFunction {
    pub name: String,
    /// Decorated (a route, a callback a framework registers): the framework calls it.
    pub decorated: bool,
    /// Registered to run when the server starts (`@app.on_event("startup")`).
    pub at_startup: bool,
}

/// An `import a.b` or `from .a import b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyImport {
    /// The dotted module (`a.b`; empty for `from . import x`).
    pub module: String,
    /// The names a `from` import takes (each may be a submodule).
    pub names: Vec<String>,
    /// Leading dots of a relative import (0 for absolute).
    pub level: u32,
    /// At module level, in no `try`, `if`… but the `__main__` guard: it runs whenever the
    /// file runs, and an import that fails stops it.
    pub unconditional: bool,
    /// Byte offset of the statement.
    pub at: usize,
    /// Byte range of the module's name (`cv2` of `import cv2`, `a.b` of `from a.b import c`;
    /// the statement when a relative import names none).
    pub name: Range<usize>,
    /// Under `if __name__ == "__main__":` (runs only in the file Python runs).
    pub in_main_guard: bool,
}

/// A call that may download from the Hub (`knowledge::hub_downloads`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyLoad {
    /// The call as messages name it: `SentenceTransformer`, `.from_pretrained`.
    pub call: String,
    /// The repository id or folder it is given; `None` when given none (the library's default).
    pub target: Option<PathExpr>,
    pub default_downloads: bool,
    pub range: Range<usize>,
    /// As for a write: inside a `try` that catches the error, in which function, under the
    /// `__main__` guard.
    pub handled: bool,
    pub function: Option<String>,
    pub in_main_guard: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PyFacts {
    pub imports: Vec<PyImport>,
    pub writes: Vec<PyWrite>,
    pub loads: Vec<PyLoad>,
    pub functions: Vec<PyFunction>,
    /// How each name is used, once per name.
    pub uses: HashMap<String, NameUse>,
    /// The functions that call a name without catching its error, by the name called.
    pub callers: HashMap<String, Vec<String>>,
}

/// Reads a Python source (as far as the parser recovers from errors).
pub fn facts(source: &str) -> PyFacts {
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let mut reader = Reader::default();
    reader.visit_body(&parsed.syntax().body);
    PyFacts {
        imports: reader.imports,
        writes: reader.writes,
        loads: reader.loads,
        functions: reader.functions,
        uses: reader.uses,
        callers: reader.callers,
    }
}

#[derive(Default)]
struct Reader {
    imports: Vec<PyImport>,
    writes: Vec<PyWrite>,
    loads: Vec<PyLoad>,
    /// Local names of imported modules and names: `np` → `numpy`, `makedirs` → `os.makedirs`.
    aliases: HashMap<String, String>,
    /// Names bound to a path the source builds (`UPLOAD_DIR = "uploads"`).
    paths: HashMap<String, PathExpr>,
    /// How many `try` bodies that catch a denied write enclose the current node.
    handled: usize,
    /// The function bodies that enclose the current node, innermost last.
    function_stack: Vec<String>,
    /// How many `if __name__ == "__main__"` bodies enclose the current node.
    main_guard: usize,
    functions: Vec<PyFunction>,
    uses: HashMap<String, NameUse>,
    callers: HashMap<String, Vec<String>>,
    /// The paths of the `if not os.path.exists(P):` bodies around the current node.
    exists_guards: Vec<PathExpr>,
    /// How many `try`, `if`, `with`, loop bodies enclose the current node.
    conditional: usize,
    /// How many `if` (but an exists-guard), loop and `match` bodies enclose the current node.
    branches: usize,
    /// The classes whose body encloses the current node (innermost last).
    classes: Vec<String>,
    /// How many function bodies enclose the current node, and the changes made to `paths`
    /// inside them (name, what it was), undone when a function's body ends.
    scopes: usize,
    undo: Vec<(String, Option<PathExpr>)>,
}

/// The last names of the calls that build a path (`os.path.join`, `Path`, `os.getenv`…).
const PATH_CALLS: &[&str] = &[
    "join",
    "dirname",
    "abspath",
    "realpath",
    "normpath",
    "fspath",
    "str",
    "getcwd",
    "home",
    "cwd",
    "expanduser",
    "Path",
    "PurePath",
    "PosixPath",
    "getenv",
    "get",
    "resolve",
    "absolute",
    "joinpath",
];

/// The last names of every call the reader judges: `open`, the `pathlib.Path` writers, and the
/// catalogues' calls (`makedirs`, `to_csv`, `from_pretrained`…).
fn interesting_calls() -> &'static std::collections::HashSet<&'static str> {
    static NAMES: std::sync::LazyLock<std::collections::HashSet<&'static str>> = std::sync::LazyLock::new(|| {
        let last = |callee: &'static str| callee.rsplit('.').next().unwrap_or(callee);
        let mut names: std::collections::HashSet<&'static str> =
            ["open", "write_text", "write_bytes", "touch", "mkdir"].into_iter().collect();
        names.extend(python_writes::CALLS.iter().map(|c| last(c.callee)));
        names.extend(hub_downloads::LOADS.iter().map(|l| last(l.callee)));
        names
    });
    &NAMES
}

/// `if __name__ == "__main__":` (either side).
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else { return false };
    let [right] = &*c.comparators else { return false };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&c.left) && is_main(right)) || (is_main(&c.left) && is_name(right))
}

/// `@app.on_event("startup")`: the server calls it when it starts.
fn is_startup_hook(decorator: &Expr) -> bool {
    let Expr::Call(call) = decorator else { return false };
    let on_event = matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "on_event");
    on_event && matches!(call.arguments.args.first(), Some(Expr::StringLiteral(s)) if s.value.to_str() == "startup")
}

/// Exception names that a denied write (`PermissionError`, an `OSError`) is caught by.
fn catches_denied_write(handler: &ExceptHandler) -> bool {
    let ExceptHandler::ExceptHandler(h) = handler;
    let Some(kind) = &h.type_ else { return true };
    let names: Vec<&Expr> = match &**kind {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    names.iter().any(|e| {
        let name = match e {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return false,
        };
        matches!(name, "Exception" | "BaseException" | "OSError" | "IOError" | "EnvironmentError" | "PermissionError")
    })
}

impl<'a> Visitor<'a> for Reader {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => self.import(import, stmt),
            Stmt::ImportFrom(from) => self.import_from(from, stmt),
            Stmt::Assign(assign) => {
                let value = self.path_of(&assign.value);
                for target in &assign.targets {
                    self.bind(target, &value);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let value = self.path_of(value);
                    self.bind(&assign.target, &value);
                }
            }
            Stmt::FunctionDef(def) => return self.function_def(def, stmt),
            Stmt::If(i) if is_main_guard(&i.test) => return self.main_guard(i),
            Stmt::If(i) => {
                let guard = self.missing_test(&i.test);
                self.visit_expr(&i.test);
                self.conditional += 1;
                let branch = usize::from(guard.is_none());
                self.branches += branch;
                if let Some(path) = guard.clone() {
                    self.exists_guards.push(path);
                }
                self.visit_body(&i.body);
                if guard.is_some() {
                    self.exists_guards.pop();
                }
                for clause in &i.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
                self.branches -= branch;
                self.conditional -= 1;
                return;
            }
            Stmt::Try(t) => {
                self.conditional += 1;
                self.try_stmt(t);
                self.conditional -= 1;
                return;
            }
            Stmt::ClassDef(c) => {
                self.conditional += 1;
                self.classes.push(c.name.to_string());
                walk_stmt(self, stmt);
                self.classes.pop();
                self.conditional -= 1;
                return;
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::Match(_) => {
                self.conditional += 1;
                self.branches += 1;
                walk_stmt(self, stmt);
                self.branches -= 1;
                self.conditional -= 1;
                return;
            }
            Stmt::With(_) => {
                self.conditional += 1;
                walk_stmt(self, stmt);
                self.conditional -= 1;
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                self.call(call);
                // The callee is used as a call; its receiver and arguments as they are.
                match &*call.func {
                    Expr::Name(n) => self.use_name(n.id.as_str(), true),
                    Expr::Attribute(a) => {
                        self.use_name(a.attr.as_str(), true);
                        self.visit_expr(&a.value);
                    }
                    other => self.visit_expr(other),
                }
                for arg in call.arguments.args.iter() {
                    self.visit_expr(arg);
                }
                for keyword in call.arguments.keywords.iter() {
                    self.visit_expr(&keyword.value);
                }
                return;
            }
            // `if log is not None:` tests the name; it neither calls nor passes it on.
            Expr::Compare(c) => {
                for operand in std::iter::once(&*c.left).chain(c.comparators.iter()) {
                    if !matches!(operand, Expr::Name(_)) {
                        self.visit_expr(operand);
                    }
                }
                return;
            }
            // A name read (not one assigned: `log = None` uses nothing).
            Expr::Name(n) if n.ctx == ExprContext::Load => self.use_name(n.id.as_str(), false),
            Expr::Attribute(a) if a.ctx == ExprContext::Load => self.use_name(a.attr.as_str(), false),
            _ => {}
        }
        walk_expr(self, expr);
    }
}

impl Reader {
    fn import(&mut self, import: &rustpython_ruff_python_ast::StmtImport, stmt: &Stmt) {
        for alias in &import.names {
            let module = alias.name.to_string();
            match &alias.asname {
                Some(local) => self.aliases.insert(local.to_string(), module.clone()),
                // `import os.path` binds `os`.
                None => {
                    let top = module.split('.').next().unwrap_or(&module).to_string();
                    self.aliases.insert(top.clone(), top)
                }
            };
            self.imports.push(PyImport {
                module,
                names: Vec::new(),
                level: 0,
                unconditional: self.unconditional(),
                at: stmt.range().start().to_usize(),
                name: alias.name.range().start().to_usize()..alias.name.range().end().to_usize(),
                in_main_guard: self.main_guard > 0,
            });
        }
    }

    fn import_from(&mut self, from: &rustpython_ruff_python_ast::StmtImportFrom, stmt: &Stmt) {
        let module = from.module.as_ref().map_or(String::new(), ToString::to_string);
        for alias in &from.names {
            let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
            self.unbind(&local);
            if from.level == 0 {
                self.aliases.insert(local, format!("{module}.{}", alias.name));
            } else {
                self.aliases.remove(&local);
            }
        }
        let names = from.names.iter().map(|a| a.name.to_string()).collect();
        let name = from.module.as_ref().map_or(stmt.range(), Ranged::range);
        self.imports.push(PyImport {
            module,
            names,
            level: from.level,
            unconditional: self.unconditional(),
            at: stmt.range().start().to_usize(),
            name: name.start().to_usize()..name.end().to_usize(),
            in_main_guard: self.main_guard > 0,
        });
    }

    fn unconditional(&self) -> bool {
        self.function_stack.is_empty() && self.conditional == 0
    }

    /// `not os.path.exists(P)` (`isfile`, `isdir`), `not P.exists()`: the path P.
    fn missing_test(&self, test: &Expr) -> Option<PathExpr> {
        let Expr::UnaryOp(u) = test else { return None };
        if u.op != rustpython_ruff_python_ast::UnaryOp::Not {
            return None;
        }
        let Expr::Call(call) = &*u.operand else { return None };
        let q = self.qualified(&call.func);
        let path = match q.as_deref() {
            Some("os.path.exists" | "os.path.isfile" | "os.path.isdir") => self.path_of(call.arguments.args.first()?),
            _ => match &*call.func {
                Expr::Attribute(a) if matches!(a.attr.as_str(), "exists" | "is_file" | "is_dir") => {
                    self.path_of(&a.value)
                }
                _ => return None,
            },
        };
        (path != PathExpr::Unknown).then_some(path)
    }

    fn function_def<'a>(&mut self, def: &'a rustpython_ruff_python_ast::StmtFunctionDef, stmt: &'a Stmt) {
        // A class's `__init__` runs where the class is called: it goes by the class's name.
        let name = match (def.name.as_str(), self.classes.last()) {
            ("__init__", Some(class)) => class.clone(),
            _ => def.name.to_string(),
        };
        self.functions.push(PyFunction {
            name: name.clone(),
            decorated: !def.decorator_list.is_empty(),
            at_startup: def.decorator_list.iter().any(|d| is_startup_hook(&d.expression)),
        });
        // A parameter hides a module-level name of the same spelling; what the body binds stays
        // in the body: every change made inside is logged and undone on the way out.
        let mark = self.undo.len();
        self.scopes += 1;
        for p in def.parameters.iter() {
            self.unbind(p.name().as_str());
        }
        self.function_stack.push(name);
        let classes = std::mem::take(&mut self.classes);
        let branches = std::mem::take(&mut self.branches);
        walk_stmt(self, stmt);
        self.branches = branches;
        self.classes = classes;
        self.function_stack.pop();
        self.scopes -= 1;
        while self.undo.len() > mark {
            let Some((name, previous)) = self.undo.pop() else { break };
            match previous {
                Some(p) => self.paths.insert(name, p),
                None => self.paths.remove(&name),
            };
        }
    }

    /// `if __name__ == "__main__":`: its body runs only in the file Python runs.
    fn main_guard(&mut self, i: &rustpython_ruff_python_ast::StmtIf) {
        self.visit_expr(&i.test);
        self.main_guard += 1;
        self.visit_body(&i.body);
        self.main_guard -= 1;
        for clause in &i.elif_else_clauses {
            if let Some(test) = &clause.test {
                self.visit_expr(test);
            }
            self.visit_body(&clause.body);
        }
    }

    /// A `try` whose handler catches a denied write's error guards its body.
    fn try_stmt(&mut self, t: &rustpython_ruff_python_ast::StmtTry) {
        let guards = t.handlers.iter().any(catches_denied_write);
        self.handled += usize::from(guards);
        self.visit_body(&t.body);
        self.handled -= usize::from(guards);
        for h in &t.handlers {
            let ExceptHandler::ExceptHandler(h) = h;
            self.visit_body(&h.body);
        }
        self.visit_body(&t.orelse);
        self.visit_body(&t.finalbody);
    }

    fn use_name(&mut self, name: &str, call: bool) {
        let guard = self.main_guard > 0;
        let module_level = self.function_stack.is_empty();
        let handled = self.handled > 0;
        // Most names are used again and again: no new key for those.
        if !self.uses.contains_key(name) {
            self.uses.insert(name.to_string(), NameUse::default());
        }
        let Some(u) = self.uses.get_mut(name) else { return };
        if guard {
            u.in_main_guard = true;
            u.main_guard_call |= call && module_level;
        } else if call && handled {
            u.handled = true;
        } else {
            u.unhandled = true;
            match self.function_stack.last().filter(|_| call) {
                Some(caller) => {
                    let callers = self.callers.entry(name.to_string()).or_default();
                    if !callers.contains(caller) {
                        callers.push(caller.clone());
                    }
                }
                None => u.direct = true,
            }
        }
        // Only a call that always runs with the module: not one under an `if`, a loop or a `try`.
        u.module_call |= call && module_level && !guard && self.conditional == 0;
    }

    fn bind(&mut self, target: &Expr, value: &PathExpr) {
        if let Expr::Name(name) = target {
            if *value == PathExpr::Unknown {
                self.unbind(name.id.as_str());
            } else {
                let previous = self.paths.insert(name.id.to_string(), value.clone());
                if self.scopes > 0 {
                    self.undo.push((name.id.to_string(), previous));
                }
            }
        }
    }

    /// Forgets what a name is bound to (logged inside a function, to be undone).
    fn unbind(&mut self, name: &str) {
        if let Some(previous) = self.paths.remove(name) {
            if self.scopes > 0 {
                self.undo.push((name.to_string(), Some(previous)));
            }
        }
    }

    /// The dotted name of a callee or value after the imports: `np.save` → `numpy.save`.
    fn qualified(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(n) => {
                let id = n.id.as_str();
                Some(self.aliases.get(id).cloned().unwrap_or_else(|| id.to_string()))
            }
            Expr::Attribute(a) => Some(format!("{}.{}", self.qualified(&a.value)?, a.attr)),
            _ => None,
        }
    }

    /// A write at the current place: where it is (a function, a `try`, a guard) comes from the
    /// reader's state.
    fn push_write(&mut self, call: String, path: PathExpr, makes: Makes, range: Range<usize>) {
        self.writes.push(PyWrite {
            call,
            path,
            makes,
            range,
            handled: self.handled > 0,
            in_function: !self.function_stack.is_empty(),
            function: self.function_stack.last().cloned(),
            in_main_guard: self.main_guard > 0,
            unless_exists: self.exists_guards.last().cloned(),
            branched: self.branches > 0,
        });
    }

    fn call(&mut self, call: &rustpython_ruff_python_ast::ExprCall) {
        // Most calls are of nothing that writes or loads: told by their last name, no allocation.
        let last = match &*call.func {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return,
        };
        if !interesting_calls().contains(last) && !self.aliases.contains_key(last) {
            return;
        }
        let qualified = self.qualified(&call.func);
        let (method, receiver) = match &*call.func {
            Expr::Attribute(a) => (Some(a.attr.as_str()), Some(&*a.value)),
            _ => (None, None),
        };
        let arg = |position: Option<usize>, keyword: Option<&str>| -> Option<&Expr> {
            keyword
                .and_then(|k| {
                    call.arguments.keywords.iter().find(|kw| kw.arg.as_ref().is_some_and(|a| a.as_str() == k))
                })
                .map(|kw| &kw.value)
                .or_else(|| position.and_then(|p| call.arguments.args.get(p)))
        };
        let range = call.range().start().to_usize()..call.range().end().to_usize();
        let mode_writes = |mode: Option<&Expr>| match mode {
            Some(Expr::StringLiteral(s)) => s.value.to_str().contains(['w', 'a', 'x', '+']),
            _ => false,
        };
        // `open(path, "w")`, and a Path's own `open("w")`, `write_text`, `touch`, `mkdir`.
        if matches!(qualified.as_deref(), Some("open" | "io.open" | "codecs.open")) {
            if mode_writes(arg(Some(1), Some("mode"))) {
                if let Some(path) = arg(Some(0), Some("file")) {
                    let path = self.path_of(path);
                    self.push_write("open".into(), path, Makes::File, range);
                }
            }
            return;
        }
        if let (Some(method), Some(receiver)) = (method, receiver) {
            let on_path = || self.path_of(receiver);
            let makes = match method {
                "write_text" | "write_bytes" | "touch" => Some(Makes::File),
                "open" if mode_writes(arg(Some(0), Some("mode"))) => Some(Makes::File),
                "mkdir" => Some(Makes::Folder),
                _ => None,
            };
            if let Some(makes) = makes {
                let path = on_path();
                // Only a receiver known to be a path (`Path("x")`, a name bound to one): a
                // file object's `open` or a zip's `mkdir` are not.
                if path != PathExpr::Unknown && self.is_pathlib(receiver) {
                    self.push_write(format!("Path.{method}"), path, makes, range);
                }
                return;
            }
        }
        if let Some(entry) = hub_downloads::find(qualified.as_deref(), method) {
            let target = arg(entry.position, entry.keyword).map(|e| self.path_of(e));
            return self.hub_load(call, entry, target, range);
        }
        let Some(entry) = python_writes::find(qualified.as_deref(), method) else { return };
        let path = match (arg(entry.position, entry.keyword), entry.default) {
            (Some(Expr::StringLiteral(s)), _) if entry.no_file.contains(&s.value.to_str()) => return,
            (Some(path), _) => self.path_of(path),
            (None, Some(default)) => match default.strip_prefix("~/") {
                Some(rest) => PathExpr::Join(vec![PathExpr::Home, PathExpr::Text(rest.to_string())]),
                None => PathExpr::Text(default.to_string()),
            },
            (None, None) => return,
        };
        self.push_write(entry.callee.to_string(), path, entry.makes, range);
    }

    /// A call that may download from the Hub, unless it is told to keep elsewhere
    /// (`cache_dir=`, `local_dir=`) or to download nothing (`local_files_only=True`).
    fn hub_load(
        &mut self,
        call: &rustpython_ruff_python_ast::ExprCall,
        entry: &hub_downloads::HubLoad,
        target: Option<PathExpr>,
        range: Range<usize>,
    ) {
        let elsewhere = call.arguments.keywords.iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| matches!(a.as_str(), "cache_dir" | "local_dir" | "cache_folder"))
                || (k.arg.as_ref().is_some_and(|a| a.as_str() == "local_files_only")
                    && matches!(k.value, Expr::BooleanLiteral(ref b) if b.value))
        });
        if elsewhere {
            return;
        }
        let call_name = entry.callee.rsplit('.').next().unwrap_or(entry.callee);
        let call_name = if entry.callee.starts_with('.') { format!(".{call_name}") } else { call_name.to_string() };
        self.loads.push(PyLoad {
            call: call_name,
            target,
            default_downloads: entry.default_downloads,
            range,
            handled: self.handled > 0,
            function: self.function_stack.last().cloned(),
            in_main_guard: self.main_guard > 0,
        });
    }

    /// Whether an expression is a `pathlib.Path` (built by `Path(…)`, `/`, `.parent`, or a
    /// name bound to one).
    fn is_pathlib(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Call(c) => {
                let constructor = matches!(
                    self.qualified(&c.func).as_deref(),
                    Some(
                        "pathlib.Path"
                            | "pathlib.PurePath"
                            | "pathlib.PosixPath"
                            | "pathlib.Path.home"
                            | "pathlib.Path.cwd"
                    )
                );
                constructor
                    || matches!(&*c.func, Expr::Attribute(a)
                        if matches!(a.attr.as_str(), "resolve" | "absolute" | "expanduser" | "joinpath")
                            && self.is_pathlib(&a.value))
            }
            Expr::BinOp(b) => b.op == Operator::Div && self.is_pathlib(&b.left),
            Expr::Attribute(a) => a.attr.as_str() == "parent" && self.is_pathlib(&a.value),
            Expr::Name(n) => self.pathlib_names().any(|x| x == n.id.as_str()),
            _ => false,
        }
    }

    fn pathlib_names(&self) -> impl Iterator<Item = &str> {
        // A name bound to a path: whether it is a Path object is not kept, so any bound path
        // name counts (a `str` has no `mkdir`/`write_text`, so such a call is on a Path).
        self.paths.keys().map(String::as_str)
    }

    /// The path an expression builds, as far as the source shows it.
    fn path_of(&self, expr: &Expr) -> PathExpr {
        match expr {
            Expr::StringLiteral(s) => PathExpr::Text(s.value.to_str().to_string()),
            Expr::FString(f) => {
                let mut pieces = Vec::new();
                for part in f.value.iter() {
                    match part {
                        FStringPart::Literal(l) => pieces.push(PathExpr::Text(l.value.to_string())),
                        FStringPart::FString(fs) => {
                            for element in fs.elements.iter() {
                                match element {
                                    InterpolatedStringElement::Literal(l) => {
                                        pieces.push(PathExpr::Text(l.value.to_string()));
                                    }
                                    InterpolatedStringElement::Interpolation(i) => {
                                        pieces.push(if i.format_spec.is_some() {
                                            PathExpr::Unknown
                                        } else {
                                            self.path_of(&i.expression)
                                        });
                                    }
                                }
                            }
                        }
                    }
                }
                PathExpr::Concat(pieces)
            }
            Expr::Name(n) if n.id.as_str() == "__file__" => PathExpr::ThisFile,
            Expr::Name(n) => self.paths.get(n.id.as_str()).cloned().unwrap_or(PathExpr::Unknown),
            Expr::BinOp(b) if b.op == Operator::Add => {
                PathExpr::Concat(vec![self.path_of(&b.left), self.path_of(&b.right)])
            }
            Expr::BinOp(b) if b.op == Operator::Div && self.is_pathlib(&b.left) => {
                PathExpr::Join(vec![self.path_of(&b.left), self.path_of(&b.right)])
            }
            Expr::Attribute(a) if a.attr.as_str() == "parent" => PathExpr::Parent(Box::new(self.path_of(&a.value))),
            Expr::Subscript(s) if self.qualified(&s.value).as_deref() == Some("os.environ") => match &*s.slice {
                Expr::StringLiteral(var) => PathExpr::Env { var: var.value.to_str().to_string(), default: None },
                _ => PathExpr::Unknown,
            },
            Expr::Call(c) => self.call_path(c),
            _ => PathExpr::Unknown,
        }
    }

    fn call_path(&self, c: &rustpython_ruff_python_ast::ExprCall) -> PathExpr {
        let last = match &*c.func {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return PathExpr::Unknown,
        };
        if !PATH_CALLS.contains(&last) && !self.aliases.contains_key(last) {
            return PathExpr::Unknown;
        }
        let args: Vec<PathExpr> = c.arguments.args.iter().map(|a| self.path_of(a)).collect();
        let first = || args.first().cloned().unwrap_or(PathExpr::Unknown);
        let q = self.qualified(&c.func);
        match q.as_deref() {
            Some("os.path.join" | "posixpath.join") => return PathExpr::Join(args),
            Some("os.path.dirname") => return PathExpr::Parent(Box::new(first())),
            Some("os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "os.fspath" | "str") => return first(),
            Some("os.getcwd") => return PathExpr::Cwd,
            Some("pathlib.Path.home") => return PathExpr::Home,
            Some("pathlib.Path.cwd") => return PathExpr::Cwd,
            Some("os.path.expanduser") => {
                return match first() {
                    PathExpr::Text(t) if t == "~" => PathExpr::Home,
                    PathExpr::Text(t) if t.starts_with("~/") => {
                        PathExpr::Join(vec![PathExpr::Home, PathExpr::Text(t[2..].to_string())])
                    }
                    PathExpr::Text(t) if !t.starts_with('~') => PathExpr::Text(t),
                    _ => PathExpr::Unknown,
                };
            }
            Some("pathlib.Path" | "pathlib.PurePath" | "pathlib.PosixPath") => {
                return if args.is_empty() { PathExpr::Text(".".into()) } else { PathExpr::Join(args) };
            }
            Some("os.getenv" | "os.environ.get") => {
                let Some(Expr::StringLiteral(var)) = c.arguments.args.first() else { return PathExpr::Unknown };
                let default = c
                    .arguments
                    .args
                    .get(1)
                    .or_else(|| {
                        c.arguments
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a == "default"))
                            .map(|k| &k.value)
                    })
                    .map(|d| Box::new(self.path_of(d)));
                return PathExpr::Env { var: var.value.to_str().to_string(), default };
            }
            _ => {}
        }
        // Path methods that keep the path: `p.resolve()`, `p.absolute()`, `p.joinpath(a)`.
        if let Expr::Attribute(a) = &*c.func {
            if self.is_pathlib(&a.value) {
                let receiver = self.path_of(&a.value);
                match a.attr.as_str() {
                    "resolve" | "absolute" => return receiver,
                    "expanduser" => return receiver,
                    "joinpath" => {
                        let mut parts = vec![receiver];
                        parts.extend(args);
                        return PathExpr::Join(parts);
                    }
                    _ => {}
                }
            }
        }
        PathExpr::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathExpr::{Concat, Env, Join, Parent, Text, ThisFile, Unknown};

    #[test]
    fn hub_loads_and_what_they_are_given() {
        let src = "from sentence_transformers import SentenceTransformer\nfrom transformers import pipeline, AutoModel\n\
                   MODEL = 'sentence-transformers/all-MiniLM-L6-v2'\nm = SentenceTransformer(MODEL)\n\
                   clf = pipeline('sentiment-analysis')\nAutoModel.from_pretrained('./models/bert')\n\
                   AutoModel.from_pretrained('x', local_files_only=True)\nAutoModel.from_pretrained('y', cache_dir='/tmp/c')\n";
        let loads: Vec<(String, Option<PathExpr>)> = facts(src).loads.into_iter().map(|l| (l.call, l.target)).collect();
        assert_eq!(
            loads,
            vec![
                ("SentenceTransformer".into(), Some(t("sentence-transformers/all-MiniLM-L6-v2"))),
                ("pipeline".into(), None),
                (".from_pretrained".into(), Some(t("./models/bert"))),
            ]
        );
    }

    /// How names are used, for whether a function's writes run and are caught.
    #[test]
    fn uses_of_a_function_name() {
        let f = facts("from m import log\nlog = None\nif log is not None:\n    try:\n        log(1)\n    except Exception:\n        pass\nregister(cb=save)\nif __name__ == '__main__':\n    main()\ninit()\n");
        let u = |n: &str| f.uses.get(n).copied().unwrap_or_default();
        assert_eq!((u("log").handled, u("log").unhandled), (true, false), "a test and a guarded call");
        assert!(u("save").unhandled, "passed on: may be called anywhere");
        assert_eq!((u("main").in_main_guard, u("main").main_guard_call, u("main").unhandled), (true, true, false));
        assert!(u("init").module_call);
        let conditional = facts("import os\nif not os.path.exists('db'):\n    init_db()\n");
        assert!(!conditional.uses["init_db"].module_call, "a call under an `if` may not run");
    }

    /// `__init__` goes by its class's name: `Service()` at module level runs it at import.
    #[test]
    fn a_constructor_is_its_class() {
        let f = facts(
            "import os\nclass Service:\n    def __init__(self):\n        os.makedirs('data')\nservice = Service()\n",
        );
        assert_eq!(f.writes[0].function.as_deref(), Some("Service"));
        assert!(f.uses["Service"].module_call);
    }

    #[test]
    fn a_write_in_a_function_runs_when_called() {
        let w = facts("open('a', 'w')\ndef handler():\n    open('b', 'w')\nopen('c', 'w')\n").writes;
        let in_function: Vec<bool> = w.iter().map(|w| w.in_function).collect();
        assert_eq!(in_function, vec![false, true, false]);
    }

    fn writes(src: &str) -> Vec<(String, PathExpr, bool)> {
        facts(src).writes.into_iter().map(|w| (w.call, w.path, w.handled)).collect()
    }

    fn t(s: &str) -> PathExpr {
        Text(s.into())
    }

    #[test]
    fn open_writes_only_with_a_writing_mode() {
        assert_eq!(writes("open('out.txt', 'w')\n"), vec![("open".into(), t("out.txt"), false)]);
        assert_eq!(writes("with open(p, mode='a') as f: pass\n")[0].1, Unknown);
        assert_eq!(writes("import io\nio.open('x.bin', 'rb+')\n").len(), 1);
        // Reading, or a mode that is not a literal, is no write.
        assert!(writes("open('in.txt')\nopen('in.txt', 'rb')\nopen('x', mode)\n").is_empty());
    }

    #[test]
    fn paths_built_from_constants_file_and_environment() {
        let src = "import os\nBASE = os.path.dirname(os.path.abspath(__file__))\nUP = os.path.join(BASE, 'uploads')\nos.makedirs(UP, exist_ok=True)\n";
        assert_eq!(writes(src)[0].1, Join(vec![Parent(Box::new(ThisFile)), t("uploads")]));
        let env = "import os\nD = os.getenv('DATA_DIR', '/data')\nopen(f'{D}/db.json', 'w')\n";
        assert_eq!(
            writes(env)[0].1,
            Concat(vec![Env { var: "DATA_DIR".into(), default: Some(Box::new(t("/data"))) }, t("/db.json")])
        );
        let pathlib = "from pathlib import Path\nOUT = Path(__file__).parent / 'out'\nOUT.mkdir(parents=True, exist_ok=True)\n(OUT / 'a.txt').write_text('x')\n";
        let w = writes(pathlib);
        assert_eq!(w[0], ("Path.mkdir".into(), Join(vec![Parent(Box::new(Join(vec![ThisFile]))), t("out")]), false));
        assert_eq!(w[1].0, "Path.write_text");
    }

    #[test]
    fn catalogue_calls_through_imports() {
        let src = "import numpy as np\nfrom shutil import copy\nimport sqlite3\nimport pandas as pd\n\
                   np.save('a.npy', x)\ncopy(src, 'static/out.png')\nsqlite3.connect('app.db')\ndf.to_csv('r.csv')\n\
                   logging.basicConfig(filename='app.log')\n";
        let calls: Vec<String> = writes(src).into_iter().map(|w| w.0).collect();
        assert_eq!(calls, vec!["numpy.save", "shutil.copy", "sqlite3.connect", ".to_csv", "logging.basicConfig"]);
    }

    /// A call given no path writes its documented default (`~` is HOME).
    #[test]
    fn a_default_path_when_none_is_given() {
        let w = writes("import easyocr\nreader = easyocr.Reader(['en'])\n");
        assert_eq!(w[0].1, Join(vec![PathExpr::Home, t(".EasyOCR/user_network")]));
    }

    #[test]
    fn near_misses() {
        // A method of a file object, a zip's mkdir, os.path.exists, a to_json that returns text.
        assert!(writes("f.open('w')\nz.mkdir('x')\nos.path.exists('a')\n").is_empty());
        assert_eq!(writes("s = df.to_json()\n"), vec![]);
        // A parameter hides the module constant of the same name.
        let src = "P = 'data'\ndef save(P):\n    open(P, 'w')\nopen(P, 'w')\n";
        let w = writes(src);
        assert_eq!((w[0].1.clone(), w[1].1.clone()), (Unknown, t("data")));
    }

    #[test]
    fn a_try_that_catches_the_error_handles_it() {
        let src = "try:\n    os.makedirs('cache')\nexcept OSError:\n    pass\ntry:\n    open('x','w')\nexcept ValueError:\n    pass\n";
        let w = writes(src);
        assert_eq!((w[0].2, w[1].2), (true, false));
    }

    #[test]
    fn imports_absolute_and_relative() {
        let f = facts("import app.utils as u\nfrom .db import session\nfrom . import models\n");
        let short: Vec<(String, Vec<String>, u32, bool)> =
            f.imports.iter().map(|i| (i.module.clone(), i.names.clone(), i.level, i.unconditional)).collect();
        assert_eq!(
            short,
            vec![
                ("app.utils".into(), vec![], 0, true),
                ("db".into(), vec!["session".into()], 1, true),
                (String::new(), vec!["models".into()], 1, true),
            ]
        );
        let guarded =
            facts("try:\n    import fancy\nexcept ImportError:\n    fancy = None\ndef f():\n    import lazy\n");
        assert!(guarded.imports.iter().all(|i| !i.unconditional));
    }
}

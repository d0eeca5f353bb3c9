//! `spacecheck server`: a language server over stdio (the protocol of `lsp-server`, as ruff and
//! rust-analyzer speak it; measured against `tower-lsp-server` in the README).
//!
//! Each open document belongs to a Space: the nearest folder above it holding a `Dockerfile`
//! (else a `README.md`). On open, change and save the whole Space is linted, with every open
//! document's unsaved text laid over the disk, so an edit of `main.py` updates a Dockerfile
//! finding; diagnostics are published for every file of that Space that has findings (and
//! cleared for those that no longer have). Code actions carry the findings' fixes (unsafe ones
//! labelled) and "fix all safe"; hover on a finding or a code shows the rule's documentation;
//! `# spacecheck: ignore=` completes codes.
//!
//! Nothing here panics on a client's input: a request that cannot be read is answered with an
//! error, a notification that cannot be read is dropped.

mod position;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeDescription, CompletionItem,
    CompletionItemKind, CompletionParams, Diagnostic as LspDiagnostic, DiagnosticSeverity, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, NumberOrString, PublishDiagnosticsParams, TextEdit, Url, WorkspaceEdit,
};

pub use position::LineIndex;

use crate::diag::{Applicability, Diagnostic, Severity};
use crate::lint::{self, Options};
use crate::policy::Policy;
use crate::rules::{self, Code};
use crate::space::Space;

/// The code action kind of "fix all safe".
const FIX_ALL: &str = "source.fixAll.spacecheck";

/// Runs the server on stdin/stdout until the client says `exit`; the process's exit code.
pub fn run() -> i32 {
    let (connection, io) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => 0,
        Err(e) => {
            crate::redact::warn(&format!("spacecheck server: {e}"));
            1
        }
    };
    drop(connection);
    let _ = io.join();
    code
}

/// The server's answer to `initialize`: what it offers.
pub fn capabilities() -> serde_json::Value {
    serde_json::json!({
        "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": false}},
        "codeActionProvider": {"codeActionKinds": ["quickfix", FIX_ALL]},
        "hoverProvider": true,
        "completionProvider": {"triggerCharacters": ["=", ","]},
    })
}

/// Serves one client on `connection` (stdio, or an in-memory pair in tests).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "spacecheck", "version": env!("CARGO_PKG_VERSION")},
    });
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection.initialize_finish(id, init).map_err(|e| e.to_string())?;
    let mut server = State::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let response = server.request(request);
                connection.sender.send(Message::Response(response)).map_err(|e| e.to_string())?;
            }
            Message::Notification(notification) => {
                for publish in server.notification(notification) {
                    let note = Notification::new("textDocument/publishDiagnostics".into(), publish);
                    connection.sender.send(Message::Notification(note)).map_err(|e| e.to_string())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The open documents and what was published.
#[derive(Default)]
pub struct State {
    /// Open documents: absolute path → the client's text.
    docs: HashMap<PathBuf, String>,
    /// Per Space root, the files diagnostics were published for (to clear them later).
    published: HashMap<PathBuf, BTreeSet<PathBuf>>,
}

/// A Space linted with the open documents over it.
struct Linted {
    root: PathBuf,
    space: Space,
    policy: Policy,
    diagnostics: Vec<Diagnostic>,
}

impl State {
    /// Answers a request.
    pub fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            "textDocument/codeAction" => parse(request).map(|p| to_value(self.code_actions(&p))),
            "textDocument/hover" => parse(request).map(|p| to_value(self.hover(&p))),
            "textDocument/completion" => parse(request).map(|p| to_value(self.completion(&p))),
            method => Err((ErrorCode::MethodNotFound, format!("spacecheck does not answer `{method}`"))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Takes a notification; the diagnostics to publish.
    pub fn notification(&mut self, notification: Notification) -> Vec<PublishDiagnosticsParams> {
        let path = match notification.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(notification.params) else {
                    return Vec::new();
                };
                let Some(path) = file_path(&p.text_document.uri) else { return Vec::new() };
                self.docs.insert(path.clone(), strip_bom(p.text_document.text));
                path
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(notification.params)
                else {
                    return Vec::new();
                };
                let Some(path) = file_path(&p.text_document.uri) else { return Vec::new() };
                // Full sync: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else { return Vec::new() };
                self.docs.insert(path.clone(), strip_bom(change.text));
                path
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(notification.params) else {
                    return Vec::new();
                };
                let Some(path) = file_path(&p.text_document.uri) else { return Vec::new() };
                path
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(notification.params) else {
                    return Vec::new();
                };
                let Some(path) = file_path(&p.text_document.uri) else { return Vec::new() };
                self.docs.remove(&path);
                path
            }
            _ => return Vec::new(),
        };
        self.diagnose(&path)
    }

    /// Lints the Space of `path` and gives the diagnostics of each of its files (empty lists for
    /// the files that had some and have none now).
    pub fn diagnose(&mut self, path: &Path) -> Vec<PublishDiagnosticsParams> {
        let Some(linted) = self.lint(path) else { return Vec::new() };
        // The findings by file, each with its span there.
        let mut found: BTreeMap<PathBuf, Vec<(&Diagnostic, std::ops::Range<usize>)>> = BTreeMap::new();
        let fallback = ["Dockerfile", "README.md"].into_iter().map(|f| linted.root.join(f)).find(|p| self.exists(p));
        for d in &linted.diagnostics {
            let (file, span) = match (&d.file, &fallback) {
                (Some(rel), _) => (linted.root.join(rel), d.span.clone().unwrap_or(0..0)),
                // A finding without a place (no README at all) is shown at the Dockerfile's top.
                (None, Some(f)) => (f.clone(), 0..0),
                (None, None) => continue,
            };
            found.entry(file).or_default().push((d, span));
        }
        // Each file's text read, and its lines indexed, once for all its findings.
        let mut by_file: BTreeMap<PathBuf, Vec<LspDiagnostic>> = BTreeMap::new();
        for (file, findings) in found {
            let text = self.text_of(&file).unwrap_or_default();
            let index = LineIndex::new(&text);
            let converted = findings.iter().map(|(d, span)| lsp_diagnostic(d, &index, span)).collect();
            by_file.insert(file, converted);
        }
        // The document that changed always gets its list, empty or not.
        by_file.entry(path.to_path_buf()).or_default();
        let now: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
        let before = self.published.insert(linted.root.clone(), now).unwrap_or_default();
        for gone in before {
            by_file.entry(gone).or_default();
        }
        by_file
            .into_iter()
            .filter_map(|(file, diagnostics)| {
                let uri = Url::from_file_path(&file).ok()?;
                Some(PublishDiagnosticsParams { uri, diagnostics, version: None })
            })
            .collect()
    }

    fn exists(&self, path: &Path) -> bool {
        self.docs.contains_key(path) || path.is_file()
    }

    /// A file's text: the open document's, else the disk's (BOM-less).
    fn text_of(&self, path: &Path) -> Option<String> {
        if let Some(text) = self.docs.get(path) {
            return Some(text.clone());
        }
        let bytes = std::fs::read(path).ok()?;
        Some(crate::source::decode_bom_aware(&bytes))
    }

    /// The Space a file belongs to: the nearest folder above it with a Dockerfile, else with a
    /// README.md (on disk or open).
    fn root_of(&self, path: &Path) -> Option<PathBuf> {
        let ancestors = || path.ancestors().skip(1).take(64);
        ancestors()
            .find(|dir| self.exists(&dir.join("Dockerfile")))
            .or_else(|| ancestors().find(|dir| self.exists(&dir.join("README.md"))))
            .map(Path::to_path_buf)
    }

    /// The Space of `path`, loaded with the open documents laid over it, and linted.
    fn lint(&self, path: &Path) -> Option<Linted> {
        let root = self.root_of(path)?;
        let mut space = Space::load(&root).ok()?;
        for (open, text) in &self.docs {
            if let Ok(rel) = open.strip_prefix(&root) {
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                space.set_text(&rel.join("/"), text.clone());
            }
        }
        let policy = crate::check::local_policy(&root).unwrap_or_else(|_| Policy::baseline());
        let diagnostics = lint::lint(&space, &policy, &Options::default()).diagnostics;
        Some(Linted { root, space, policy, diagnostics })
    }

    /// The fixes of the findings under the range, one action each, and "fix all safe".
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(path) = file_path(&params.text_document.uri) else { return Vec::new() };
        let Some(linted) = self.lint(&path) else { return Vec::new() };
        let text = self.text_of(&path).unwrap_or_default();
        let index = LineIndex::new(&text);
        let (start, end) = (index.offset(params.range.start), index.offset(params.range.end));
        let wants = |kind: &str| {
            params.context.only.as_ref().is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let mut actions = Vec::new();
        for d in linted.diagnostics.iter().filter(|d| d.file.as_ref().is_some_and(|f| linted.root.join(f) == path)) {
            let (Some(fix), Some(span)) = (&d.fix, &d.span) else { continue };
            if span.start > end || span.end < start || !wants("quickfix") {
                continue;
            }
            let Some(edit) = self.workspace_edit(&linted.root, &fix.edits) else { continue };
            let unsafe_label = if fix.applicability == Applicability::Unsafe { " (unsafe)" } else { "" };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("{}: {}{unsafe_label}", d.code, fix.message),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic(d, &index, span)]),
                edit: Some(edit),
                is_preferred: Some(fix.applicability == Applicability::Safe),
                ..CodeAction::default()
            }));
        }
        if wants(FIX_ALL)
            && linted.diagnostics.iter().any(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Safe))
        {
            let fixed = crate::fix::fix(linted.space, &linted.policy, &Options::default(), false);
            let mut changes = HashMap::new();
            for (rel, (before, after)) in &fixed.files {
                let Ok(uri) = Url::from_file_path(linted.root.join(rel)) else { continue };
                let whole =
                    lsp_types::Range { start: lsp_types::Position::default(), end: LineIndex::new(before).end() };
                changes.insert(uri, vec![TextEdit { range: whole, new_text: after.clone() }]);
            }
            if !changes.is_empty() && fixed.created.is_empty() {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("spacecheck: fix all safe ({})", crate::fix::summary(&fixed)),
                    kind: Some(CodeActionKind::new(FIX_ALL)),
                    edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                    ..CodeAction::default()
                }));
            }
        }
        actions
    }

    /// A fix's edits as text edits of the files they touch; `None` when one of them does not
    /// exist yet (a file the fix creates) or cannot be named by a URI.
    fn workspace_edit(&self, root: &Path, edits: &[crate::diag::Edit]) -> Option<WorkspaceEdit> {
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        let mut texts: HashMap<PathBuf, String> = HashMap::new();
        for edit in edits {
            let file = root.join(&edit.file);
            if !texts.contains_key(&file) {
                texts.insert(file.clone(), self.text_of(&file)?);
            }
            let index = LineIndex::new(&texts[&file]);
            let uri = Url::from_file_path(&file).ok()?;
            changes
                .entry(uri)
                .or_default()
                .push(TextEdit { range: index.range(&edit.range), new_text: edit.replacement.clone() });
        }
        Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })
    }

    /// The documentation of the finding under the cursor, or of the code under it.
    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let path = file_path(&at.text_document.uri)?;
        let text = self.text_of(&path)?;
        let index = LineIndex::new(&text);
        let offset = index.offset(at.position);
        let linted = self.lint(&path);
        let finding = linted.as_ref().and_then(|l| {
            l.diagnostics.iter().find(|d| {
                d.file.as_ref().is_some_and(|f| l.root.join(f) == path)
                    && d.span.as_ref().is_some_and(|s| s.start <= offset && offset <= s.end)
            })
        });
        let (code, range) = match finding {
            Some(d) => (d.code, d.span.as_ref().map(|s| index.range(s))),
            None => {
                let (word, span) = word_at(&text, offset)?;
                (rules::find(word)?.code, Some(index.range(&span)))
            }
        };
        Some(Hover { contents: HoverContents::Markup(documentation(code)), range })
    }

    /// Rule codes after `spacecheck: ignore=` (and after each comma there).
    fn completion(&self, params: &CompletionParams) -> Option<Vec<CompletionItem>> {
        let at = &params.text_document_position;
        let path = file_path(&at.text_document.uri)?;
        let text = self.text_of(&path)?;
        let index = LineIndex::new(&text);
        let offset = index.offset(at.position);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..offset];
        let listed = before.split("spacecheck:").nth(1)?.trim_start().strip_prefix("ignore=")?;
        if listed.contains(char::is_whitespace) {
            return None; // past the codes: the reason after `--`
        }
        let given: Vec<&str> = listed.split(',').collect();
        let items = rules::all()
            .iter()
            .filter(|r| !given.contains(&r.code.as_str()))
            .map(|r| CompletionItem {
                label: r.code.as_str().to_string(),
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(format!("{} ({})", r.name, r.summary)),
                documentation: Some(lsp_types::Documentation::MarkupContent(documentation(r.code))),
                ..CompletionItem::default()
            })
            .collect();
        Some(items)
    }
}

/// A finding as an LSP diagnostic at `span` of the text `index` reads.
fn lsp_diagnostic(d: &Diagnostic, index: &LineIndex, span: &std::ops::Range<usize>) -> LspDiagnostic {
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message += &format!("\nhelp: {help}");
    }
    LspDiagnostic {
        range: index.range(span),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: Url::parse(&rules::doc_url(d.code)).ok().map(|href| CodeDescription { href }),
        source: Some("spacecheck".to_string()),
        message,
        ..LspDiagnostic::default()
    }
}

/// A rule's page as hover or completion documentation.
fn documentation(code: Code) -> MarkupContent {
    let rule = rules::rule(code);
    let value = format!(
        "**{}** `{}` ({})\n\n{}\n\n{}\n\n[{}]({})",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.doc,
        rules::doc_url(code),
        rules::doc_url(code)
    );
    MarkupContent { kind: MarkupKind::Markdown, value }
}

/// The word of letters and digits around `offset`.
fn word_at(text: &str, offset: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let is_word = |c: char| c.is_ascii_alphanumeric();
    let start = text[..offset].rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1);
    let end = text[offset..].find(|c: char| !is_word(c)).map_or(text.len(), |i| offset + i);
    (start < end).then(|| (&text[start..end], start..end))
}

fn file_path(uri: &Url) -> Option<PathBuf> {
    (uri.scheme() == "file").then(|| uri.to_file_path().ok()).flatten()
}

fn strip_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

type Failure = (ErrorCode, String);

fn parse<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, Failure> {
    serde_json::from_value(request.params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("cannot read the request: {e}")))
}

fn to_value(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

//! A small POSIX-shell reader: enough to see the simple commands of a `RUN`, a shell-form `CMD`,
//! an `sh -c "..."` string or a start script, with quotes removed and variables expanded.
//!
//! It is not a shell: it does not run anything and understands no functions or arithmetic.
//! It aims at what Space Dockerfiles do (`useradd ... && chown ...`, `exec uvicorn ...`,
//! `PORT=7860 node build`, `cd app && streamlit run x.py &`), and never panics on the rest.

use std::ops::Range;

/// One simple command: `NAME=value ... word word ...`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words that precede the command name (they set its environment).
    pub assignments: Vec<(String, String)>,
    /// The command name and its arguments, quotes removed, variables expanded where known.
    pub words: Vec<String>,
    /// Whether the command was sent to the background with `&`.
    pub background: bool,
    /// The words and assignment values as written, for expanding again later with the
    /// variables a script set before this command (`export PORT=7860` then `--port $PORT`).
    pub raw_words: Vec<String>,
    pub raw_assignments: Vec<(String, String)>,
    /// Where each of `raw_words` is in the parsed script (byte ranges), for fixes.
    pub spans: Vec<Range<usize>>,
    /// Whether the command's output goes into a pipe (`cmd | next`; not `||`).
    pub piped: bool,
    /// File redirections (`> /app/run.sh`, `>> log`, `< in`); descriptor duplications
    /// (`2>&1`) and heredoc markers are not files.
    pub redirects: Vec<Redirect>,
    /// Whether the script goes on when this command fails, or may not run it at all: a side
    /// of `||` (`useradd -u 1000 user || true`, `id user || useradd user`), or a command inside
    /// an `if`/`while`/`until`/`case` block. A rule that says "this command fails the build"
    /// must not say it of such a command.
    pub conditional: bool,
}

/// One file redirection of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The operator as written: `>`, `>>`, `<`, `&>`, `>|`.
    pub op: String,
    /// The target word, quotes removed and variables expanded.
    pub target: String,
}

impl Redirect {
    /// Whether the command writes the target (every operator but `<`).
    pub fn writes(&self) -> bool {
        self.op.contains('>')
    }
}

/// A command's arguments read as options and operands, given which options take a value:
/// `--port=7860`, `--port 7860`, `-p7860`, `-p 7860`, clusters of short flags (`-Rf`), and
/// `--` ending the options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedArgs {
    /// `(name, value)`, names with their dashes (`--port`, `-R`).
    pub flags: Vec<(String, Option<String>)>,
    pub operands: Vec<String>,
}

impl ParsedArgs {
    pub fn parse(args: &[String], takes_value: &[&str]) -> ParsedArgs {
        let mut parsed = ParsedArgs::default();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                parsed.operands.extend(iter.cloned());
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                    None if takes_value.contains(&arg.as_str()) => (arg.clone(), iter.next().cloned()),
                    None => (arg.clone(), None),
                };
                parsed.flags.push((name, value));
            } else if arg.len() > 1 && arg.starts_with('-') {
                parsed.short_cluster(arg, &mut iter, takes_value);
            } else {
                parsed.operands.push(arg.clone());
            }
        }
        parsed
    }

    /// `-Rf`, `-u1000`, `-u 1000`: letters are flags until one takes a value.
    fn short_cluster<'a>(&mut self, arg: &str, rest: &mut impl Iterator<Item = &'a String>, takes_value: &[&str]) {
        if takes_value.contains(&arg) {
            self.flags.push((arg.to_string(), rest.next().cloned()));
            return;
        }
        for (i, c) in arg.char_indices().skip(1) {
            let name = format!("-{c}");
            if takes_value.contains(&name.as_str()) {
                let glued = &arg[i + c.len_utf8()..];
                let value = if glued.is_empty() { rest.next().cloned() } else { Some(glued.to_string()) };
                self.flags.push((name, value));
                return;
            }
            self.flags.push((name, None));
        }
    }

    /// The value of the last of these options given.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.flags.iter().rev().find(|(n, _)| names.contains(&n.as_str())).and_then(|(_, v)| v.as_deref())
    }

    pub fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|(n, _)| names.contains(&n.as_str()))
    }
}

impl SimpleCommand {
    /// The same command with its variables expanded again from `vars`.
    pub fn reexpand(&self, vars: &dyn VarLookup) -> SimpleCommand {
        SimpleCommand {
            assignments: self.raw_assignments.iter().map(|(k, v)| (k.clone(), expand_shell_word(v, vars))).collect(),
            words: self.raw_words.iter().map(|w| expand_shell_word(w, vars)).collect(),
            background: self.background,
            raw_words: self.raw_words.clone(),
            raw_assignments: self.raw_assignments.clone(),
            redirects: self.redirects.clone(),
            spans: self.spans.clone(),
            piped: self.piped,
            conditional: self.conditional,
        }
    }

    pub fn program(&self) -> Option<&str> {
        self.words.first().map(|w| w.as_str())
    }

    /// The program's base name (`/usr/bin/chown` → `chown`).
    pub fn program_name(&self) -> Option<&str> {
        self.program().map(|p| p.rsplit('/').next().unwrap_or(p))
    }

    /// The arguments after the program, as options and operands.
    pub fn args(&self, takes_value: &[&str]) -> ParsedArgs {
        ParsedArgs::parse(self.words.get(1..).unwrap_or_default(), takes_value)
    }
}

/// Looks up a variable's value; `None` leaves the reference as written (`$PORT`), so a rule
/// can say it could not be resolved instead of guessing.
pub trait VarLookup {
    fn get(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> VarLookup for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// No variables known: every reference stays as written.
pub fn no_vars(_: &str) -> Option<String> {
    None
}

/// Splits a line into words the way BuildKit's lexer does with `RawQuotes`: on unquoted
/// whitespace, keeping quotes and escapes in the words. Used to find heredoc markers.
pub fn split_words_raw(line: &str, escape: char) -> Vec<(Range<usize>, &str)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if start.is_none() {
            if c.is_whitespace() {
                continue;
            }
            start = Some(i);
        }
        match quote {
            Some(q) => {
                if c == escape && q == '"' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == escape {
                    chars.next();
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c.is_whitespace() {
                    let s = start.take().unwrap_or(i);
                    words.push((s..i, &line[s..i]));
                }
            }
        }
    }
    if let Some(s) = start {
        words.push((s..line.len(), &line[s..]));
    }
    words
}

/// Removes one level of shell quoting from a word, without expanding variables.
pub fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'') | (None, '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    if quote == Some('"') && !matches!(n, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(n);
                }
            }
            (_, c) => out.push(c),
        }
    }
    out
}

const CONTROL_WORDS: &[&str] =
    &["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case", "esac", "{", "}", "!"];

/// Parses a shell script into its simple commands, in order.
pub fn parse_commands(script: &str, vars: &dyn VarLookup) -> Vec<SimpleCommand> {
    let mut p = Parser {
        src: script.as_bytes(),
        text: script,
        pos: 0,
        vars,
        pending_heredocs: Vec::new(),
        after_or: false,
        blocks: 0,
        list_start: 0,
        groups: Vec::new(),
    };
    p.run()
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    vars: &'a dyn VarLookup,
    pending_heredocs: Vec<(String, bool)>,
    /// The command being read follows `||`: it runs only when the one before failed.
    after_or: bool,
    /// How many `if`/`while`/`until`/`for`/`case` blocks the reader is inside (a loop's body
    /// may run no time at all).
    blocks: usize,
    /// Where the current and-or list (`a && b || c`) starts in the commands read: when it
    /// holds a `||`, a failure anywhere in it before the `||` does not stop the script.
    list_start: usize,
    /// The `list_start` of each enclosing `( … )`, restored when it closes.
    groups: Vec<usize>,
}

impl Parser<'_> {
    fn run(&mut self) -> Vec<SimpleCommand> {
        let mut commands = Vec::new();
        let mut current = SimpleCommand::default();
        // The next word is the target of this redirection operator, not an argument.
        let mut redirect_op: Option<String> = None;
        loop {
            self.skip_blanks();
            let Some(&b) = self.src.get(self.pos) else { break };
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.skip_pending_heredocs();
                    self.end_list(&mut commands, &mut current, false);
                }
                b'#' => self.skip_to_line_end(),
                b';' => {
                    self.pos += 1;
                    self.end_list(&mut commands, &mut current, false);
                }
                // A subshell or a group is one command of the and-or list around it:
                // `(curl … | sh) || true` makes what runs inside conditional.
                b'(' => {
                    self.pos += 1;
                    finish(&mut commands, &mut current, false);
                    self.groups.push(self.list_start);
                    self.list_start = commands.len();
                }
                b')' => {
                    self.pos += 1;
                    finish(&mut commands, &mut current, false);
                    self.list_start = self.groups.pop().unwrap_or(commands.len()).min(commands.len());
                }
                b'&' if self.peek(1) == Some(b'&') => {
                    self.pos += 2;
                    finish(&mut commands, &mut current, false);
                }
                b'&' if self.peek(1) == Some(b'>') => {
                    self.pos += 2;
                    let append = self.peek(0) == Some(b'>');
                    self.pos += usize::from(append);
                    redirect_op = Some(if append { "&>>" } else { "&>" }.to_string());
                }
                b'&' => {
                    self.pos += 1;
                    self.end_list(&mut commands, &mut current, true);
                }
                b'|' => self.pipe_or_or(&mut commands, &mut current),
                b'<' if self.peek(1) == Some(b'<') && self.peek(2) != Some(b'<') => {
                    self.pos += 2;
                    let strip = self.peek(0) == Some(b'-');
                    if strip {
                        self.pos += 1;
                    }
                    self.skip_blanks();
                    let raw = self.read_word_raw();
                    let delim = unquote(raw);
                    if !delim.is_empty() {
                        self.pending_heredocs.push((delim, strip));
                    }
                }
                b'<' | b'>' => {
                    let start = self.pos;
                    while matches!(self.peek(0), Some(b'<' | b'>' | b'&' | b'|')) {
                        self.pos += 1;
                    }
                    let op = &self.text[start..self.pos];
                    if op.ends_with('&') {
                        // `2>&1`, `>&2`: the target is a descriptor, not a file.
                        self.skip_blanks();
                        self.read_word_raw();
                    } else {
                        redirect_op = Some(op.to_string());
                    }
                }
                _ => self.word(&mut current, &mut redirect_op),
            }
        }
        finish(&mut commands, &mut current, false);
        commands
    }

    /// The end of an and-or list (`;`, a line break, `&`, parentheses).
    fn end_list(&mut self, commands: &mut Vec<SimpleCommand>, current: &mut SimpleCommand, background: bool) {
        finish(commands, current, background);
        self.list_start = commands.len();
    }

    /// `|` ends a command whose output is piped; `||` makes the whole list so far, and the
    /// command after it, conditional.
    fn pipe_or_or(&mut self, commands: &mut Vec<SimpleCommand>, current: &mut SimpleCommand) {
        let or = self.peek(1) == Some(b'|');
        self.pos += if or { 2 } else { 1 };
        current.piped = !or;
        finish(commands, current, false);
        if or {
            let start = self.list_start.min(commands.len());
            commands[start..].iter_mut().for_each(|c| c.conditional = true);
            self.after_or = true;
        }
    }

    /// A word: a redirection's target, an assignment before the command name, or an argument.
    fn word(&mut self, current: &mut SimpleCommand, redirect_op: &mut Option<String>) {
        let start = self.pos;
        let word_raw = self.read_word_raw().to_string();
        if word_raw.is_empty() {
            self.pos = start + 1; // an unexpected byte: move on, never loop
            return;
        }
        // A file descriptor number glued to a redirection (`2>`) is not a word.
        if word_raw.bytes().all(|c| c.is_ascii_digit()) && matches!(self.peek(0), Some(b'<' | b'>')) {
            return;
        }
        if let Some(op) = redirect_op.take() {
            let target = self.expand(&word_raw);
            current.redirects.push(Redirect { op, target });
            return;
        }
        let word = self.expand(&word_raw);
        if current.words.is_empty() && current.assignments.is_empty() && !CONTROL_WORDS.contains(&word.as_str()) {
            // A new command: conditional after `||` or inside a block (its condition included).
            current.conditional = self.after_or || self.blocks > 0;
            self.after_or = false;
        }
        if current.words.is_empty() {
            if let Some((name, value)) = assignment(&word_raw) {
                current.assignments.push((name.to_string(), self.expand(value)));
                current.raw_assignments.push((name.to_string(), value.to_string()));
                return;
            }
            if CONTROL_WORDS.contains(&word.as_str()) {
                match word.as_str() {
                    "if" | "while" | "until" | "case" | "for" => self.blocks += 1,
                    "fi" | "done" | "esac" => self.blocks = self.blocks.saturating_sub(1),
                    _ => {}
                }
                return;
            }
        }
        current.words.push(word);
        current.raw_words.push(word_raw);
        current.spans.push(start..self.pos);
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            if b == b' ' || b == b'\t' || b == b'\r' {
                self.pos += 1;
            } else if b == b'\\' && matches!(self.peek(1), Some(b'\n')) {
                self.pos += 2;
            } else if b == b'\\' && self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') {
                self.pos += 3;
            } else {
                break;
            }
        }
    }

    fn skip_to_line_end(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            if b == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// After a line that opened heredocs, their bodies are data, not commands.
    fn skip_pending_heredocs(&mut self) {
        for (delim, strip) in std::mem::take(&mut self.pending_heredocs) {
            while self.pos < self.src.len() {
                let end = self.text[self.pos..].find('\n').map_or(self.src.len(), |i| self.pos + i);
                let line = self.text[self.pos..end].trim_end_matches('\r');
                let line = if strip { line.trim_start_matches('\t') } else { line };
                self.pos = (end + 1).min(self.src.len());
                if line == delim {
                    break;
                }
            }
        }
    }

    /// Reads one word as written, up to an unquoted blank or operator.
    fn read_word_raw(&mut self) -> &str {
        let start = self.pos;
        let mut quote: Option<u8> = None;
        let mut depth = 0usize; // inside $( ... )
        while let Some(&b) = self.src.get(self.pos) {
            match quote {
                Some(q) => {
                    if b == b'\\' && q == b'"' {
                        self.pos += 1;
                    } else if b == q {
                        quote = None;
                    }
                }
                None => match b {
                    b'\'' | b'"' | b'`' => quote = Some(b),
                    b'\\' => self.pos += 1,
                    b'$' if self.peek(1) == Some(b'(') => {
                        depth += 1;
                        self.pos += 1;
                    }
                    b')' if depth > 0 => depth -= 1,
                    b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' if depth == 0 => {
                        break
                    }
                    _ => {}
                },
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.src.len());
        // Never split inside a UTF-8 sequence: move back to a char boundary.
        while !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn expand(&self, word: &str) -> String {
        expand_shell_word(word, self.vars)
    }
}

fn finish(commands: &mut Vec<SimpleCommand>, current: &mut SimpleCommand, background: bool) {
    if !current.words.is_empty() || !current.assignments.is_empty() || !current.redirects.is_empty() {
        let mut cmd = std::mem::take(current);
        cmd.background = background;
        commands.push(cmd);
    }
    current.piped = false;
}

/// `NAME=value` (as written, before unquoting) → (NAME, raw value).
pub fn assignment(word: &str) -> Option<(&str, &str)> {
    let eq = word.find('=')?;
    let name = &word[..eq];
    let mut chars = name.chars();
    let first = chars.next()?;
    if (first.is_ascii_alphabetic() || first == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Some((name, &word[eq + 1..]))
    } else {
        None
    }
}

/// Removes quotes and expands `$VAR`, `${VAR}`, `${VAR:-default}` and friends in one shell word.
/// Unknown variables stay as written, and so does a reference whose value would take the word
/// past [`crate::budget::EXPANSION_BYTES`] (`ENV A1=$A0$A0`, doubled forty times, would take
/// terabytes): every word expands to at most that budget plus its own length.
pub fn expand_shell_word(word: &str, vars: &dyn VarLookup) -> String {
    let mut out = String::with_capacity(word.len());
    let bytes = word.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match (quote, b) {
            (None, b'\'') => {
                let end = word[i + 1..].find('\'').map_or(word.len(), |j| i + 1 + j);
                out.push_str(&word[i + 1..end]);
                i = end + 1;
                continue;
            }
            (None, b'"') => {
                quote = Some(b'"');
                i += 1;
                continue;
            }
            (Some(b'"'), b'"') => {
                quote = None;
                i += 1;
                continue;
            }
            (_, b'\\') if i + 1 < bytes.len() => {
                let next = word[i + 1..].chars().next().unwrap_or(' ');
                if quote.is_some() && !matches!(next, '"' | '\\' | '$' | '`') {
                    out.push('\\');
                }
                out.push(next);
                i += 1 + next.len_utf8();
                continue;
            }
            (_, b'$') => {
                let (text, used) = expand_reference(&word[i..], vars);
                if out.len() + text.len() > crate::budget::EXPANSION_BYTES && text.len() > used {
                    crate::budget::exhausted(crate::budget::Family::Expansion);
                    out.push_str(&word[i..i + used]);
                } else {
                    out.push_str(&text);
                }
                i += used;
                continue;
            }
            _ => {}
        }
        let c = word[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Expands the `$...` reference at the start of `s`; returns the text and the bytes used.
pub fn expand_reference(s: &str, vars: &dyn VarLookup) -> (String, usize) {
    let rest = &s[1..];
    if let Some(inner) = rest.strip_prefix('{') {
        let Some(close) = find_closing_brace(inner) else { return (s.to_string(), s.len()) };
        let body = &inner[..close];
        let used = 2 + close + 1;
        let name_len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
        let (name, op) = body.split_at(name_len);
        let value = vars.get(name);
        let text = match op {
            "" => value.unwrap_or_else(|| s[..used].to_string()),
            _ if op.starts_with(":-") || op.starts_with('-') => {
                let default = op.trim_start_matches(':')[1..].to_string();
                let default = expand_shell_word(&default, vars);
                match value {
                    Some(v) if !(v.is_empty() && op.starts_with(':')) => v,
                    _ => default,
                }
            }
            _ if op.starts_with(":+") || op.starts_with('+') => {
                let alt = op.trim_start_matches(':')[1..].to_string();
                match value {
                    Some(v) if !(v.is_empty() && op.starts_with(':')) => expand_shell_word(&alt, vars),
                    Some(_) => String::new(),
                    None => s[..used].to_string(),
                }
            }
            _ => value.unwrap_or_else(|| s[..used].to_string()),
        };
        (text, used)
    } else {
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if name_len == 0 {
            return ("$".to_string(), 1);
        }
        let name = &rest[..name_len];
        (vars.get(name).unwrap_or_else(|| s[..1 + name_len].to_string()), 1 + name_len)
    }
}

fn find_closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// True when the word still holds an unexpanded `$VAR` reference.
pub fn has_unresolved_var(word: &str) -> bool {
    word.contains('$')
}

#[cfg(test)]
mod tests {
    #[test]
    fn commands_the_script_survives_are_conditional() {
        let conditional = |s: &str| -> Vec<(String, bool)> {
            parse_commands(s, &no_vars).iter().map(|c| (c.words[0].clone(), c.conditional)).collect()
        };
        let pairs = |v: &[(&str, bool)]| v.iter().map(|(w, c)| (w.to_string(), *c)).collect::<Vec<_>>();
        assert_eq!(conditional("useradd -u 1000 user || true"), pairs(&[("useradd", true), ("true", true)]));
        assert_eq!(
            conditional("apt-get update && id user || useradd user; chown user /app"),
            pairs(&[("apt-get", true), ("id", true), ("useradd", true), ("chown", false)])
        );
        assert_eq!(
            conditional("if ! id 1000; then\n useradd -u 1000 user\nfi\napt-get install -y x"),
            pairs(&[("id", true), ("useradd", true), ("apt-get", false)])
        );
        assert_eq!(conditional("a | b && c"), pairs(&[("a", false), ("b", false), ("c", false)]));
        assert_eq!(conditional("a ||\n  b\nc"), pairs(&[("a", true), ("b", true), ("c", false)]));
        // A subshell is one command of the list around it.
        assert_eq!(
            conditional("(curl x | sh) || true; d"),
            pairs(&[("curl", true), ("sh", true), ("true", true), ("d", false)])
        );
        assert_eq!(conditional("a && (b; c) && d"), pairs(&[("a", false), ("b", false), ("c", false), ("d", false)]));
        assert_eq!(
            conditional("(a) ) ) b || c"),
            pairs(&[("a", false), ("b", true), ("c", true)]),
            "a stray `)` ends the list"
        );
    }

    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "PORT" => Some("7860".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn words(script: &str) -> Vec<Vec<String>> {
        parse_commands(script, &vars).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_lists_and_pipes() {
        assert_eq!(
            words("useradd -m -u 1000 user && chown -R user /app; echo hi | tee x"),
            vec![
                vec!["useradd", "-m", "-u", "1000", "user"],
                vec!["chown", "-R", "user", "/app"],
                vec!["echo", "hi"],
                vec!["tee", "x"]
            ]
        );
    }

    #[test]
    fn expands_quotes_and_defaults() {
        assert_eq!(words("uvicorn a:b --port \"$PORT\""), vec![vec!["uvicorn", "a:b", "--port", "7860"]]);
        assert_eq!(words("x ${MISSING:-8000} ${EMPTY:-1} ${EMPTY-2}"), vec![vec!["x", "8000", "1", ""]]);
        assert_eq!(words("x $UNKNOWN '$PORT'"), vec![vec!["x", "$UNKNOWN", "$PORT"]]);
    }

    #[test]
    fn an_expansion_past_its_budget_stays_as_written() {
        let big = "x".repeat(crate::budget::EXPANSION_BYTES / 2 + 1);
        let vars = |name: &str| (name == "A").then(|| big.clone());
        let _ = crate::budget::take_notes();
        let once = expand_shell_word("$A", &vars);
        assert_eq!(once.len(), big.len());
        let twice = expand_shell_word("${A}-$A", &vars);
        assert_eq!(twice, format!("{big}-$A"));
        assert!(crate::budget::take_notes().iter().any(|n| n.contains("expanded")));
    }

    #[test]
    fn assignments_and_background() {
        let cmds = parse_commands("PORT=9000 node build & nginx -g 'daemon off;'", &no_vars);
        assert_eq!(cmds[0].assignments, vec![("PORT".to_string(), "9000".to_string())]);
        assert!(cmds[0].background);
        assert_eq!(cmds[1].words, vec!["nginx", "-g", "daemon off;"]);
    }

    #[test]
    fn redirections_and_heredoc_bodies_are_not_commands() {
        let cmds = words("cat > /app/run.sh <<'EOF'\nuvicorn x\nEOF\nchmod +x /app/run.sh 2>&1");
        assert_eq!(cmds, vec![vec!["cat"], vec!["chmod", "+x", "/app/run.sh"]]);
    }

    #[test]
    fn continuation_lines_join() {
        assert_eq!(words("apt-get install \\\n  curl"), vec![vec!["apt-get", "install", "curl"]]);
    }

    #[test]
    fn raw_words_keep_quotes() {
        let w: Vec<&str> = split_words_raw("RUN cat <<'EOF' > \"a b\"", '\\').into_iter().map(|(_, w)| w).collect();
        assert_eq!(w, vec!["RUN", "cat", "<<'EOF'", ">", "\"a b\""]);
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for s in ["$", "${", "\"unterminated", "'x", "a\\", "é$(x", "<<", ">", "2>", "$((1+2))", "`a"] {
            let _ = parse_commands(s, &no_vars);
        }
    }

    #[test]
    fn redirections_are_recorded() {
        let cmds = parse_commands(
            "cat <<'EOF' > /app/run.sh 2>&1\nuvicorn x\nEOF\necho a >> \"$HOME/log\" && tee x < in",
            &no_vars,
        );
        assert_eq!(cmds[0].redirects, vec![Redirect { op: ">".into(), target: "/app/run.sh".into() }]);
        assert_eq!(cmds[1].redirects, vec![Redirect { op: ">>".into(), target: "$HOME/log".into() }]);
        assert!(!cmds[2].redirects[0].writes());
        assert_eq!(cmds[2].words, vec!["tee", "x"]);
    }

    #[test]
    fn options_and_operands() {
        let argv = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let a = ParsedArgs::parse(&argv("-Rf user:user /app --reference=x -- -odd"), &[]);
        assert!(a.has(&["-R"]) && a.has(&["-f"]));
        assert_eq!(a.operands, vec!["user:user", "/app", "-odd"]);
        assert_eq!(a.value(&["--reference"]), Some("x"));
        let u = ParsedArgs::parse(&argv("-m -u1000 -s /bin/bash user"), &["-u", "-s"]);
        assert_eq!(u.value(&["-u"]), Some("1000"));
        assert_eq!(u.operands, vec!["user"]);
        let p = ParsedArgs::parse(&argv("main:app --port 7860 --host=0.0.0.0 -p 1"), &["--port", "-p"]);
        assert_eq!(p.value(&["--port", "-p"]), Some("1"));
        assert_eq!(p.value(&["--host"]), Some("0.0.0.0"));
    }
}

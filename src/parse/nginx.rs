//! nginx configuration, read as nginx's own lexer reads it (`ngx_conf_read_token`): directives
//! are words up to `;` or a block `{ … }`; `#` starts a comment outside quotes; single or double
//! quotes group a word and `\` escapes the next character. Only what a rule asks is kept: each
//! directive's name, arguments, line and the blocks it sits in.

/// One directive: `pid /tmp/nginx.pid;` or the head of a block (`http {`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    /// 1-based line of the directive's name.
    pub line: usize,
    /// The names of the blocks around it, outermost first (`["http", "server"]`).
    pub context: Vec<String>,
}

/// A configuration nginx would refuse: the line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfError {
    pub line: usize,
    pub message: String,
}

/// Every directive of a configuration text, in order (block heads included). Blocks nested
/// deeper than [`crate::budget::MAX_NESTING`] (each directive carries its context, so depth
/// costs memory per directive) make the text unread: an error, as callers treat any text
/// they cannot read, with the budget noted.
pub fn parse(text: &str) -> Result<Vec<Directive>, ConfError> {
    let mut lexer = Lexer { chars: text.chars().peekable(), line: 1 };
    let mut out = Vec::new();
    let mut context: Vec<String> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut first_line = 1;
    while let Some(token) = lexer.next_token()? {
        match token {
            Token::Word(w, line) => {
                if words.is_empty() {
                    first_line = line;
                }
                words.push(w);
            }
            Token::End | Token::Open => {
                let Some((name, args)) = words.split_first() else {
                    return Err(ConfError { line: lexer.line, message: "unexpected \";\" or \"{\"".into() });
                };
                out.push(Directive {
                    name: name.clone(),
                    args: args.to_vec(),
                    line: first_line,
                    context: context.clone(),
                });
                if token == Token::Open {
                    if context.len() >= crate::budget::MAX_NESTING {
                        crate::budget::exhausted(crate::budget::Family::Nesting);
                        return Err(ConfError { line: first_line, message: "blocks nested too deep to read".into() });
                    }
                    context.push(name.clone());
                }
                words.clear();
            }
            Token::Close => {
                if !words.is_empty() || context.pop().is_none() {
                    return Err(ConfError { line: lexer.line, message: "unexpected \"}\"".into() });
                }
            }
        }
    }
    if !words.is_empty() || !context.is_empty() {
        return Err(ConfError { line: lexer.line, message: "unexpected end of file, expecting \";\" or \"}\"".into() });
    }
    Ok(out)
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String, usize),
    End,
    Open,
    Close,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn next_token(&mut self) -> Result<Option<Token>, ConfError> {
        loop {
            let Some(&c) = self.chars.peek() else { return Ok(None) };
            match c {
                c if c.is_whitespace() => {
                    self.bump();
                }
                '#' => {
                    while self.chars.peek().is_some_and(|&c| c != '\n') {
                        self.bump();
                    }
                }
                ';' | '{' | '}' => {
                    self.bump();
                    return Ok(Some(match c {
                        ';' => Token::End,
                        '{' => Token::Open,
                        _ => Token::Close,
                    }));
                }
                '"' | '\'' => {
                    let line = self.line;
                    self.bump();
                    let word = self.quoted(c)?;
                    return Ok(Some(Token::Word(word, line)));
                }
                _ => {
                    let line = self.line;
                    return Ok(Some(Token::Word(self.bare(), line)));
                }
            }
        }
    }

    fn quoted(&mut self, quote: char) -> Result<String, ConfError> {
        let mut word = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(ConfError {
                        line: self.line,
                        message: "unexpected end of file in a quoted word".into(),
                    })
                }
                Some('\\') => word.extend(self.bump()),
                Some(c) if c == quote => return Ok(word),
                Some(c) => word.push(c),
            }
        }
    }

    fn bare(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            if c.is_whitespace() || matches!(c, ';' | '{' | '}') {
                break;
            }
            self.bump();
            if c == '\\' {
                word.extend(self.bump());
            } else {
                word.push(c);
            }
        }
        word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives_with_their_blocks() {
        let conf = "# main\npid /tmp/nginx.pid;\nevents { worker_connections 1024; }\nhttp {\n  client_body_temp_path \"/tmp/client body\";\n  server { listen 7860; location / { root /app; } }\n}\n";
        let d = parse(conf).unwrap();
        let names: Vec<&str> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "pid",
                "events",
                "worker_connections",
                "http",
                "client_body_temp_path",
                "server",
                "listen",
                "location",
                "root"
            ]
        );
        assert_eq!(d[0].args, ["/tmp/nginx.pid"]);
        assert_eq!(d[4].args, ["/tmp/client body"]);
        assert_eq!(d[4].line, 5);
        assert_eq!(d[6].context, ["http", "server"]);
        assert_eq!(d[8].context, ["http", "server", "location"]);
    }

    #[test]
    fn nesting_past_the_budget_is_not_read() {
        let depth = crate::budget::MAX_NESTING;
        let ok = format!("{}{}", "a {\n".repeat(depth), "}\n".repeat(depth));
        assert_eq!(parse(&ok).unwrap().len(), depth);
        let deep = format!("{}{}", "a {\n".repeat(depth + 1), "}\n".repeat(depth + 1));
        assert_eq!(parse(&deep).unwrap_err().line, depth + 1);
    }

    #[test]
    fn refuses_what_nginx_refuses() {
        assert_eq!(parse("http {\n listen 80;\n").unwrap_err().line, 3);
        assert!(parse("pid /tmp/x").is_err());
        assert!(parse("}").is_err());
        assert!(parse("error_log \"/tmp/x;").is_err());
        // `#` inside quotes is text; a comment ends at the line's end.
        let d = parse("add_header X \"a#b\"; # c ;\n").unwrap();
        assert_eq!(d[0].args, ["X", "a#b"]);
    }
}

//! Finding the user's Hugging Face token the way the Python client does, and holding it so that
//! it cannot be printed by accident: `Token` has no `Display`, and its `Debug` is masked.

use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// An empty or blank token is no token.
    pub fn new(raw: &str) -> Option<Token> {
        let t: String = raw.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        let t = t.trim();
        if t.is_empty() {
            return None;
        }
        // Known by value from now on: no output may show it, whatever its shape.
        crate::redact::remember_secret(t);
        Some(Token(t.to_string()))
    }

    /// The value, for the Authorization header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `hf_****` plus the last 4 characters: the most any output may show.
    pub fn masked(&self) -> String {
        let tail: String = self.0.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        if self.0.chars().count() > 8 {
            format!("hf_****{tail}")
        } else {
            "hf_****".into()
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.masked())
    }
}

/// Where the token came from, for messages (never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env(&'static str),
    File(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env(name) => write!(f, "${name}"),
            TokenSource::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`, then the file at `HF_TOKEN_PATH`, else
/// `$HF_HOME/token` (HF_HOME defaulting to `$XDG_CACHE_HOME/huggingface`, then
/// `~/.cache/huggingface`). `env` reads the environment (injectable for tests).
pub fn discover(env: &dyn Fn(&str) -> Option<String>) -> Option<(Token, TokenSource)> {
    for name in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
        if let Some(t) = env(name).as_deref().and_then(Token::new) {
            return Some((t, TokenSource::Env(name)));
        }
    }
    let path = match env("HF_TOKEN_PATH").filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let home = match env("HF_HOME").filter(|p| !p.is_empty()) {
                Some(h) => PathBuf::from(h),
                None => match env("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
                    Some(x) => PathBuf::from(x).join("huggingface"),
                    None => PathBuf::from(env("HOME")?).join(".cache").join("huggingface"),
                },
            };
            home.join("token")
        }
    };
    // A token file is a few dozen bytes; refuse to read anything large, or anything that is
    // not a regular file (a FIFO would block).
    use std::io::Read;
    let mut text = String::new();
    crate::source::open_regular(&path).ok()?.take(4097).read_to_string(&mut text).ok()?;
    if text.len() > 4096 {
        return None;
    }
    Token::new(&text).map(|t| (t, TokenSource::File(path)))
}

/// Reads the real process environment.
pub fn from_process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn order_of_discovery() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "  from-home-file\r\n").unwrap();
        let home = dir.path().to_string_lossy().to_string();
        let (t, s) = discover(&env_of(&[("HF_TOKEN", "a-token"), ("HUGGING_FACE_HUB_TOKEN", "b")])).unwrap();
        assert_eq!((t.expose(), s), ("a-token", TokenSource::Env("HF_TOKEN")));
        let (t, _) = discover(&env_of(&[("HF_TOKEN", "  "), ("HUGGING_FACE_HUB_TOKEN", "b")])).unwrap();
        assert_eq!(t.expose(), "b", "a blank HF_TOKEN is no token");
        let (t, s) = discover(&env_of(&[("HF_HOME", &home)])).unwrap();
        assert_eq!(t.expose(), "from-home-file");
        assert_eq!(s, TokenSource::File(dir.path().join("token")));
        let xdg = tempfile::tempdir().unwrap();
        std::fs::create_dir(xdg.path().join("huggingface")).unwrap();
        std::fs::write(xdg.path().join("huggingface/token"), "xdg").unwrap();
        let (t, _) = discover(&env_of(&[("XDG_CACHE_HOME", &xdg.path().to_string_lossy())])).unwrap();
        assert_eq!(t.expose(), "xdg");
        std::fs::write(dir.path().join("custom"), "custom-path").unwrap();
        let custom = dir.path().join("custom").to_string_lossy().to_string();
        let (t, _) = discover(&env_of(&[("HF_TOKEN_PATH", &custom), ("HF_HOME", &home)])).unwrap();
        assert_eq!(t.expose(), "custom-path");
        assert!(discover(&env_of(&[("HOME", "/nonexistent-home")])).is_none());
        // A "token file" of megabytes is not a token file: not read.
        std::fs::write(dir.path().join("big"), "x".repeat(1 << 20)).unwrap();
        let big = dir.path().join("big").to_string_lossy().to_string();
        assert!(discover(&env_of(&[("HF_TOKEN_PATH", &big)])).is_none());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let t = Token::new(concat!("hf", "_abcdefghijklmnopqrstuvwxyzABCD")).unwrap();
        let shown = format!("{t:?}");
        assert_eq!(shown, "Token(hf_****ABCD)");
        assert!(!shown.contains("abcdefgh"));
    }
}

//! README frontmatter: the `---` YAML block that configures a Space, parsed with `serde-saphyr`
//! into a tree that keeps every key's and value's byte span (for precise diagnostics) and the
//! YAML type the Hub will see (`app_port: "7255"` is a string, `python_version: 3.10` is 3.1).

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};

use crate::source::SourceFile;

/// Budgets that stop alias bombs and absurd documents long before they cost memory or time;
/// a real Space's frontmatter is a few dozen nodes.
fn budget() -> Budget {
    let mut b = Budget::default();
    b.max_events = 200_000;
    b.max_aliases = 1_000;
    b.max_anchors = 1_000;
    b.max_depth = 64;
    b.max_nodes = 100_000;
    b.max_total_scalar_bytes = 1 << 20;
    b.max_documents = 1;
    b
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as text, for comparisons that do not care about the YAML type.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            Value::Seq(_) | Value::Map(_) => String::new(),
        }
    }
}

/// A YAML node with its byte span in the README (not in the YAML block).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Frontmatter {
    /// Top-level keys and values, in document order.
    pub entries: Vec<(Node, Node)>,
    /// Byte range of the YAML text between the `---` lines.
    pub yaml: Range<usize>,
}

impl Frontmatter {
    pub fn get(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries.iter().find(|(k, _)| k.value.as_str() == Some(key))
    }

    pub fn value(&self, key: &str) -> Option<&Node> {
        self.get(key).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FrontmatterError {
    /// The README does not start with a `---` line.
    Missing,
    /// A `---` opens the block and nothing closes it.
    Unterminated { span: Range<usize> },
    /// Not YAML, or not a mapping.
    Invalid { message: String, span: Range<usize> },
}

/// Finds and parses the frontmatter block of a README.
pub fn parse(readme: &SourceFile) -> Result<Frontmatter, FrontmatterError> {
    let text = readme.text.as_str();
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err(FrontmatterError::Missing);
    }
    let yaml_start = first_end;
    let mut pos = yaml_start;
    let mut yaml_end = None;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            yaml_end = Some(pos);
            break;
        }
        pos = end;
    }
    let Some(yaml_end) = yaml_end else {
        return Err(FrontmatterError::Unterminated { span: 0..3 });
    };
    let yaml = &text[yaml_start..yaml_end];
    let mut options = Options::default();
    options.budget = Some(budget());
    let parsed: Result<Option<Node>, _> = serde_saphyr::from_str_with_options(yaml, options);
    let root = match parsed {
        Ok(root) => root,
        Err(e) => {
            let location = e.location();
            let offset = location
                .and_then(|l| l.span().byte_offset().map(|o| o as usize))
                .or_else(|| location.and_then(|l| offset_of(yaml, l.line(), l.column())))
                .map_or(0, |o| o.min(yaml.len()));
            let at = yaml_start + offset;
            return Err(FrontmatterError::Invalid {
                message: without_location(&first_line(&e.to_string())),
                span: at..at,
            });
        }
    };
    let entries = match root {
        None => vec![],
        Some(Node { value: Value::Null, .. }) => vec![],
        Some(Node { value: Value::Map(entries), .. }) => entries,
        Some(other) => {
            return Err(FrontmatterError::Invalid {
                message: format!(
                    "the frontmatter must be a mapping of keys to values, not {}",
                    other.value.type_name()
                ),
                span: shift(other.span.clone(), yaml_start),
            })
        }
    };
    let entries = entries.into_iter().map(|(k, v)| (shift_node(k, yaml_start), shift_node(v, yaml_start))).collect();
    Ok(Frontmatter { entries, yaml: yaml_start..yaml_end })
}

/// The byte offset of a 1-based line and column (in characters) of `text`.
fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let rest = text.get(start..)?;
    let column = usize::try_from(column).unwrap_or(1).saturating_sub(1);
    Some(start + rest.char_indices().nth(column).map_or(rest.trim_end_matches(['\n', '\r']).len(), |(i, _)| i))
}

/// The parser's message without its own place (`error: line 5 column 6: …`): it counts lines
/// from inside the block, while the finding's place counts them in the README.
fn without_location(message: &str) -> String {
    let rest = message.strip_prefix("error: ").unwrap_or(message);
    match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((place, what)) if place.split(' ').next().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) => {
            what.to_string()
        }
        _ => message.to_string(),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

fn shift(span: Range<usize>, by: usize) -> Range<usize> {
    span.start + by..span.end + by
}

fn shift_node(mut node: Node, by: usize) -> Node {
    node.span = shift(node.span, by);
    node.value = match node.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|n| shift_node(n, by)).collect()),
        Value::Map(entries) => {
            Value::Map(entries.into_iter().map(|(k, v)| (shift_node(k, by), shift_node(v, by))).collect())
        }
        other => other,
    };
    node
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned: Spanned<Value> = Spanned::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Ok(Node { value: spanned.value, span: start..start + len })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(s: &str) -> (SourceFile, Result<Frontmatter, FrontmatterError>) {
        let f = SourceFile::new("README.md", s.to_string());
        let r = parse(&f);
        (f, r)
    }

    #[test]
    fn keys_and_values_keep_types_and_spans() {
        let (f, r) = fm("---\ntitle: Demo\nsdk: docker\napp_port: \"7255\"\npython_version: 3.10\n---\n# Demo\n");
        let fm = r.unwrap();
        let (k, v) = fm.get("app_port").unwrap();
        assert_eq!(&f.text[k.span.clone()], "app_port");
        assert_eq!(v.value, Value::Str("7255".into()));
        assert_eq!(fm.value("python_version").unwrap().value, Value::Float(3.1));
        assert_eq!(f.line_col(fm.value("sdk").unwrap().span.start), (3, 6));
    }

    #[test]
    fn missing_and_unterminated() {
        assert_eq!(fm("# Title\n").1.unwrap_err(), FrontmatterError::Missing);
        assert!(matches!(fm("---\ntitle: x\n").1.unwrap_err(), FrontmatterError::Unterminated { .. }));
    }

    #[test]
    fn invalid_yaml_reports_a_place() {
        let (f, r) = fm("---\ntitle: [unclosed\nsdk: docker\n---\n");
        let FrontmatterError::Invalid { span, .. } = r.unwrap_err() else { panic!() };
        assert!(f.line_col(span.start).0 >= 2);
        // The error's own line of the README (line 6), not the block's first line, and a
        // message that does not count lines from inside the block.
        let (f, r) = fm("---\ntitle: x\nsdk: docker\napp_port: 7860\ncolorFrom: [blue\nemoji: x\n---\n");
        let FrontmatterError::Invalid { span, message } = r.unwrap_err() else { panic!() };
        assert_eq!(f.line_col(span.start).0, 6, "{message}");
        assert!(!message.contains("line 5"), "{message}");
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        assert_eq!(offset_of("a: 1\nbé: [x\n", 2, 4), Some(9));
        assert_eq!(offset_of("a: 1\n", 1, 1), Some(0));
        assert_eq!(without_location("error: line 5 column 6: illegal placement"), "illegal placement");
        assert_eq!(without_location("something else"), "something else");
    }

    #[test]
    fn alias_bomb_is_stopped_by_the_budget() {
        let mut y = String::from("---\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            y.push_str(&format!(
                "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = c;
        }
        y.push_str("---\n");
        let (_, r) = fm(&y);
        assert!(matches!(r, Err(FrontmatterError::Invalid { .. })), "{r:?}");
    }

    #[test]
    fn empty_block_is_an_empty_mapping() {
        assert!(fm("---\n---\n").1.unwrap().entries.is_empty());
    }
}

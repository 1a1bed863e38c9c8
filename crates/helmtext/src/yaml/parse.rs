//! YAML text to values, read the way Helm reads values files.
//!
//! Helm decodes values with sigs.k8s.io/yaml: go-yaml v2 resolves every scalar with its
//! YAML 1.1 rules, mapping keys are turned into strings, and the tree goes through JSON. We
//! rebuild that tree from yaml-rust2's event stream rather than from a ready-made document
//! type, because the resolution depends on what only the events expose: the scalar style
//! (a quoted `"yes"` is a string, a plain `yes` is `true`) and the explicit tag.
//!
//! The events are pulled one at a time ([`Parser::next_token`]) and the tree is built on an
//! explicit stack. yaml-rust2's own `Parser::load` recurses once per nesting level, so a
//! hostile file (100,000 `[`) would overflow the stack before we could count the depth.
//!
//! Deliberate differences from Helm:
//! - integers stay exact ([`Value::Int`]) where Helm would make float64;
//! - a key written twice in one mapping is an error (Helm silently keeps the last one);
//! - documents nesting deeper than [`MAX_DEPTH`] or expanding to more than [`MAX_NODES`]
//!   nodes (alias bombs) are rejected;
//! - a value of `.inf` or `.nan` is reported with its position (Helm fails later, without one).

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::resolve::{Resolved, resolve};
use crate::go;
use crate::value::{Map, Value, is_secret_path};

/// The deepest nesting of maps and lists accepted (counting alias expansions).
pub const MAX_DEPTH: usize = 256;

/// The most nodes one input may produce, counting every copy made by an alias. This bounds
/// the time and memory an alias bomb ("billion laughs") can cost.
pub const MAX_NODES: usize = 1_000_000;

/// A YAML syntax or semantic error, with its origin (file name) and position.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// The whole message: `origin:line:column: what went wrong`.
    pub message: String,
    /// Where the text came from, as given by the caller (usually a file name).
    pub origin: String,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// Keys and list indexes leading to the offending node, e.g. `image.pullSecrets[0]`;
    /// empty at the top level.
    pub path: String,
}

impl YamlError {
    /// An error about what the text means (a duplicate key, an alias, a value): the message
    /// names the key path, `origin:line:column: path: reason`, so that the user need not
    /// count indentation to find which `tag:` is meant.
    fn new(origin: &str, line: usize, column: usize, path: String, reason: &str) -> Self {
        let place = if path.is_empty() {
            String::new()
        } else {
            format!("{path}: ")
        };
        YamlError {
            message: format!("{origin}:{line}:{column}: {place}{reason}"),
            origin: origin.to_string(),
            line,
            column,
            path,
        }
    }

    /// A syntax error: the message gives only the position. The parser notices a syntax
    /// error where the text stops making sense, often on the line after the mistake (bad
    /// indentation is reported at the next key), so the path it is in could name the wrong
    /// key; the line and column are what is reliable.
    fn syntax(origin: &str, line: usize, column: usize, path: String, reason: &str) -> Self {
        YamlError {
            message: format!("{origin}:{line}:{column}: {reason}"),
            ..YamlError::new(origin, line, column, path, reason)
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// Parses a values file as Helm's `chartutil.ReadValues` does.
///
/// Only the first document is read (like `yaml.Unmarshal`); empty text, a document holding
/// only comments, or `null` give an empty map; any other top-level kind is an error.
///
/// ```
/// use qspgb_helmtext::value::Value;
/// use qspgb_helmtext::yaml::parse_values;
///
/// let values = parse_values("replicas: 3\nenabled: yes\ntag: \"0123\"\n", "values.yaml").unwrap();
/// let map = values.as_map().unwrap();
/// assert_eq!(map["replicas"], Value::Int(3));
/// assert_eq!(map["enabled"], Value::Bool(true)); // YAML 1.1, as in Helm
/// assert_eq!(map["tag"], Value::String("0123".into()));
///
/// let err = parse_values("- a\n", "values.yaml").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "values.yaml:1:1: expected a map of values at the top level, found a list"
/// );
/// ```
pub fn parse_values(text: &str, origin: &str) -> Result<Value, YamlError> {
    let Some(doc) = parse_stream(text, origin, true)?.pop() else {
        return Ok(Value::Map(Map::default()));
    };
    match doc.value {
        Value::Null => Ok(Value::Map(Map::default())),
        Value::Map(map) => Ok(Value::Map(map)),
        other => {
            let kind = other.type_name();
            let article = if kind == "int" { "an" } else { "a" };
            let reason =
                format!("expected a map of values at the top level, found {article} {kind}");
            Err(YamlError::new(
                origin,
                doc.line,
                doc.column,
                String::new(),
                &reason,
            ))
        }
    }
}

/// Parses every document of a stream (documents separated by `---`).
///
/// Documents may have any top-level kind; an empty document is [`Value::Null`], and empty
/// text has no documents at all. Scalars follow the same rules as [`parse_values`].
///
/// ```
/// use qspgb_helmtext::value::Value;
/// use qspgb_helmtext::yaml::parse_documents;
///
/// let docs = parse_documents("a: 1\n---\n- x\n---\n", "manifest.yaml").unwrap();
/// assert_eq!(docs.len(), 3);
/// assert!(docs[0].is_map());
/// assert_eq!(docs[1], Value::List(vec![Value::String("x".into())]));
/// assert_eq!(docs[2], Value::Null);
/// ```
pub fn parse_documents(text: &str, origin: &str) -> Result<Vec<Value>, YamlError> {
    Ok(parse_stream(text, origin, false)?
        .into_iter()
        .map(|doc| doc.value)
        .collect())
}

/// One parsed document and the position of its top-level node.
struct Document {
    value: Value,
    line: usize,
    column: usize,
}

fn parse_stream(text: &str, origin: &str, first_only: bool) -> Result<Vec<Document>, YamlError> {
    check_characters(text, origin)?;
    // go-yaml skips a leading byte order mark; yaml-rust2 would read it as content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::new(origin, text);
    let mut docs = Vec::new();
    loop {
        let (event, mark) = parser.next_token().map_err(|e| builder.scan_error(&e))?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart => builder.start_document(),
            Event::DocumentEnd => {
                docs.push(builder.root.take().unwrap_or(Document {
                    value: Value::Null,
                    line: mark.line(),
                    column: mark.col() + 1,
                }));
                // Helm's yaml.Unmarshal never looks past the first document.
                if first_only {
                    break;
                }
            }
            event => builder.event(event, mark)?,
        }
    }
    Ok(docs)
}

/// A file's bytes as text, or an error naming where they stop being UTF-8 (go-yaml reads
/// nothing else). The offending byte is not quoted: it may be part of a password.
///
/// ```
/// use qspgb_helmtext::yaml::text_from_bytes;
/// assert_eq!(text_from_bytes(b"a: 1\n".to_vec(), "v.yaml").unwrap(), "a: 1\n");
/// let err = text_from_bytes(b"a: 1\nb: caf\xe9\n".to_vec(), "v.yaml").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "v.yaml:2:7: not UTF-8 text (values and chart files must be UTF-8; is it Latin-1?)"
/// );
/// ```
pub fn text_from_bytes(bytes: Vec<u8>, origin: &str) -> Result<String, YamlError> {
    let err = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(err) => err,
    };
    let bytes = err.as_bytes();
    let valid = &bytes[..err.utf8_error().valid_up_to()];
    let before = std::str::from_utf8(valid).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let guess = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "it looks like UTF-16: save it as UTF-8"
    } else if bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
        .count()
        > bytes.len() / 20
    {
        // Text, in any encoding, has few control characters; random bytes have one in 8.
        "it looks like binary data, not text"
    } else {
        "is it Latin-1?"
    };
    let reason = format!("not UTF-8 text (values and chart files must be UTF-8; {guess})");
    Err(YamlError::syntax(
        origin,
        line,
        column,
        String::new(),
        &reason,
    ))
}

/// Rejects the characters go-yaml's reader rejects (NUL and other C0/C1 controls,
/// surrogates, U+FFFE/U+FFFF); yaml-rust2 would let them into scalars.
fn check_characters(text: &str, origin: &str) -> Result<(), YamlError> {
    // Nearly every text is printable ASCII: bytes, no UTF-8 decoding (every rendered
    // document is read through here).
    if text
        .bytes()
        .all(|b| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~'))
    {
        return Ok(());
    }
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    };
    let Some((offset, c)) = text.char_indices().find(|&(_, c)| !allowed(c)) else {
        return Ok(());
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let reason = format!(
        "control characters are not allowed (found U+{:04X})",
        c as u32
    );
    Err(YamlError::new(origin, line, column, String::new(), &reason))
}

/// A scalar after go-yaml v2's resolution, before it becomes a value or a key: the two
/// conversions differ (`.inf` is a fine key but no JSON value; big unsigned ints are the
/// reverse).
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// Above `i64::MAX`: go-yaml gives a uint64.
    Uint(u64),
    Float(f64),
    Str(String),
    /// A plain `<<` in key position: a merge key.
    Merge,
}

impl Scalar {
    fn into_value(self) -> Result<Value, String> {
        Ok(match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            // Helm reads every number as float64 anyway, so this is what it would see.
            Scalar::Uint(u) => Value::Float(u as f64),
            Scalar::Float(f) if f.is_finite() => Value::Float(f),
            Scalar::Float(f) => {
                return Err(format!(
                    "{} is not representable in JSON, so Helm cannot read it",
                    format_float32(f)
                ));
            }
            Scalar::Str(s) => Value::String(s),
            Scalar::Merge => Value::String("<<".into()),
        })
    }

    /// The key as sigs.k8s.io/yaml's `convertToJSONableObject` spells it.
    fn into_key(self) -> Result<String, String> {
        Ok(match self {
            Scalar::Str(s) => s,
            Scalar::Merge => "<<".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => format_float32(f),
            Scalar::Uint(u) => {
                return Err(format!(
                    "unsupported map key {u}: Helm cannot convert an integer above 2^63-1 in a key"
                ));
            }
            Scalar::Null => {
                return Err("unsupported map key null: Helm cannot convert a null key".into());
            }
        })
    }

    /// The tag go-yaml names in "cannot decode" errors.
    fn tag_name(&self) -> &'static str {
        match self {
            Scalar::Null => "!!null",
            Scalar::Bool(_) => "!!bool",
            Scalar::Int(_) | Scalar::Uint(_) => "!!int",
            Scalar::Float(_) => "!!float",
            Scalar::Str(_) | Scalar::Merge => "!!str",
        }
    }
}

/// Resolves one scalar event as go-yaml v2's `decoder.scalar` does for an `interface{}`.
///
/// `quote`: whether an error may quote the text (false for secrets).
fn resolve_scalar(
    text: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
    quote: bool,
) -> Result<Scalar, String> {
    let tag = tag.map(short_tag);
    let plain = style == TScalarStyle::Plain;
    if text == "<<" && (tag.as_deref() == Some("!!merge") || (plain && tag.is_none())) {
        return Ok(Scalar::Merge);
    }
    match tag.as_deref() {
        None if plain => Ok(resolve_plain(text)),
        // Quoted and block scalars are never resolved. Timestamps stay text: go-yaml v2 hands
        // `interface{}` targets the original string for them.
        None | Some("!!str" | "!!timestamp") => Ok(Scalar::Str(text)),
        Some("!!binary") => match go::base64::decode(&text) {
            // Go keeps the bytes in a string; JSON then replaces invalid UTF-8.
            Some(bytes) => Ok(Scalar::Str(String::from_utf8_lossy(&bytes).into_owned())),
            None => Err("!!binary value contains invalid base64 data".into()),
        },
        Some(tag @ ("!!int" | "!!float" | "!!bool" | "!!null")) => {
            match (tag, resolve_plain(text.clone())) {
                ("!!int", s @ (Scalar::Int(_) | Scalar::Uint(_)))
                | ("!!float", s @ Scalar::Float(_))
                | ("!!bool", s @ Scalar::Bool(_))
                | ("!!null", s @ Scalar::Null) => Ok(s),
                ("!!float", Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
                (tag, other) if quote => Err(format!(
                    "cannot decode {} {text:?} as a {tag}",
                    other.tag_name()
                )),
                (tag, other) => Err(format!(
                    "cannot decode a {} as a {tag} (the value is not shown: it is a secret)",
                    other.tag_name()
                )),
            }
        }
        // go-yaml v2 does not resolve scalars with any other tag (`!foo`, `!`, `!!merge`).
        Some(_) => Ok(Scalar::Str(text)),
    }
}

/// `!!str` for `tag:yaml.org,2002:str`, local tags as written.
fn short_tag(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle, tag.suffix);
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(name) => format!("!!{name}"),
        None => full,
    }
}

/// A plain untagged scalar as go-yaml v2 resolves it; timestamps stay text.
fn resolve_plain(text: String) -> Scalar {
    match resolve(&text) {
        Resolved::Null => Scalar::Null,
        Resolved::Bool(b) => Scalar::Bool(b),
        Resolved::Int(i) => Scalar::Int(i),
        Resolved::Uint(u) => Scalar::Uint(u),
        Resolved::Float(f) => Scalar::Float(f),
        Resolved::Timestamp | Resolved::Str => Scalar::Str(text),
    }
}

/// A float as sigs.k8s.io/yaml spells a float key: Go's `FormatFloat(f, 'g', -1, 32)`
/// with YAML's spellings of the special values.
fn format_float32(f: f64) -> String {
    match go::strconv::format_float32(f).as_str() {
        "NaN" => ".nan".into(),
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        text => text.into(),
    }
}

/// A finished node, ready to be placed in its parent.
#[derive(Clone)]
enum Node {
    Scalar(Scalar),
    /// A map or list, with its height (levels of nesting) and size (nodes) for the limits.
    Tree {
        value: Value,
        height: usize,
        size: usize,
    },
}

impl Node {
    fn shape(&self) -> (usize, usize) {
        match self {
            Node::Scalar(_) => (0, 1),
            Node::Tree { height, size, .. } => (*height, *size),
        }
    }
}

/// What a mapping is waiting for after its key.
enum PendingKey {
    Key(String),
    Merge,
}

enum FrameKind {
    List(Vec<Value>),
    Map {
        map: Map,
        key: Option<PendingKey>,
        /// Line of each key written in this mapping, to report duplicates. Keys brought in by
        /// a merge are not here: overriding those is the point of merging.
        lines: HashMap<String, usize>,
    },
}

/// A map or list under construction.
struct Frame {
    kind: FrameKind,
    anchor: usize,
    mark: Marker,
    /// The greatest height among the children so far.
    height: usize,
    /// Nodes in this subtree so far, itself included.
    size: usize,
}

/// Builds values from events, one document at a time.
struct Builder<'a> {
    origin: &'a str,
    text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Document>,
    /// Nodes created in the whole stream, alias copies included.
    nodes: usize,
}

impl<'a> Builder<'a> {
    fn new(origin: &'a str, text: &'a str) -> Self {
        Builder {
            origin,
            text,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            nodes: 0,
        }
    }

    fn start_document(&mut self) {
        // Anchors do not cross documents (yaml-rust2 does not forget them when pulled).
        self.stack.clear();
        self.anchors.clear();
        self.root = None;
    }

    fn event(&mut self, event: Event, mark: Marker) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, mark)?;
                // Only a tagged scalar can fail to resolve, and its error quotes the text:
                // not for a password (README: errors never print secrets). Untagged
                // scalars skip the path lookup, which would cost every scalar a string.
                let quote = tag.is_none() || !is_secret_path(&self.path());
                let scalar = resolve_scalar(text, style, tag.as_ref(), quote)
                    .map_err(|r| self.error(mark, &r))?;
                if anchor != 0 {
                    // Through an alias, `<<` is an ordinary string key (go-yaml's isMerge
                    // only looks at scalar nodes).
                    let stored = match &scalar {
                        Scalar::Merge => Scalar::Str("<<".into()),
                        other => other.clone(),
                    };
                    self.anchors.insert(anchor, Node::Scalar(stored));
                }
                self.add(Node::Scalar(scalar), mark)
            }
            Event::Alias(id) => self.alias(id, mark),
            // Tags on collections change nothing for an `interface{}` target.
            Event::SequenceStart(anchor, _) => self.open(FrameKind::List(Vec::new()), anchor, mark),
            Event::MappingStart(anchor, _) => {
                let kind = FrameKind::Map {
                    map: Map::default(),
                    key: None,
                    lines: HashMap::new(),
                };
                self.open(kind, anchor, mark)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => Ok(()),
        }
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        )
    }

    fn open(&mut self, kind: FrameKind, anchor: usize, mark: Marker) -> Result<(), YamlError> {
        if self.expects_key() {
            return Err(self.error(mark, "a map or list cannot be a mapping key"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.position_error(mark, &too_deep()));
        }
        self.count(1, mark)?;
        self.stack.push(Frame {
            kind,
            anchor,
            mark,
            height: 0,
            size: 1,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.kind {
            FrameKind::List(items) => Value::List(items),
            FrameKind::Map { map, .. } => Value::Map(map),
        };
        let (height, size) = (frame.height + 1, frame.size);
        let node = Node::Tree {
            value,
            height,
            size,
        };
        if frame.anchor != 0 {
            // The copy kept for aliases costs as much as the node itself.
            self.count(size, frame.mark)?;
            self.anchors.insert(frame.anchor, node.clone());
        }
        self.add(node, frame.mark)
    }

    fn alias(&mut self, id: usize, mark: Marker) -> Result<(), YamlError> {
        let Some((height, size)) = self.anchors.get(&id).map(Node::shape) else {
            let name = self.alias_name(mark);
            // yaml-rust2 knows the anchor, so we are still inside the node it names.
            let reason = if self.stack.iter().any(|frame| frame.anchor == id) {
                format!("alias *{name} is used inside the node its anchor names")
            } else {
                format!("unknown anchor {name:?} referenced")
            };
            return Err(self.error(mark, &reason));
        };
        if self.stack.len() + height > MAX_DEPTH {
            return Err(self.position_error(mark, &too_deep()));
        }
        self.count(size, mark)?;
        match self.anchors.get(&id) {
            Some(node) => self.add(node.clone(), mark),
            None => Ok(()),
        }
    }

    /// Places a finished node: as the document root, a list item, a key, or a key's value.
    fn add(&mut self, node: Node, mark: Marker) -> Result<(), YamlError> {
        if self.expects_key() {
            return self.add_key(node, mark);
        }
        let (height, size) = node.shape();
        let value = match node {
            Node::Scalar(scalar) => scalar.into_value().map_err(|r| self.error(mark, &r))?,
            Node::Tree { value, .. } => value,
        };
        let merge = matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map {
                    key: Some(PendingKey::Merge),
                    ..
                },
                ..
            })
        );
        if merge && !mergeable(&value) {
            let reason = "map merge requires a map or a list of maps as the value";
            return Err(self.error(mark, reason));
        }
        let Some(frame) = self.stack.last_mut() else {
            let (line, column) = (mark.line(), mark.col() + 1);
            self.root = Some(Document {
                value,
                line,
                column,
            });
            return Ok(());
        };
        frame.size += size;
        match &mut frame.kind {
            FrameKind::List(items) => {
                frame.height = frame.height.max(height);
                items.push(value);
            }
            FrameKind::Map { map, key, .. } => match key.take() {
                Some(PendingKey::Key(name)) => {
                    frame.height = frame.height.max(height);
                    map.insert(name, value);
                }
                Some(PendingKey::Merge) => {
                    // The merged entries sit one level (a map) or two (a list of maps) lower.
                    let levels = if matches!(value, Value::List(_)) {
                        2
                    } else {
                        1
                    };
                    frame.height = frame.height.max(height.saturating_sub(levels));
                    merge_into(map, value);
                }
                None => {}
            },
        }
        Ok(())
    }

    fn add_key(&mut self, node: Node, mark: Marker) -> Result<(), YamlError> {
        let name = match node {
            Node::Scalar(Scalar::Merge) => None,
            Node::Scalar(scalar) => Some(scalar.into_key().map_err(|r| self.error(mark, &r))?),
            Node::Tree { .. } => {
                return Err(self.error(mark, "a map or list cannot be a mapping key"));
            }
        };
        let Some(Frame {
            kind: FrameKind::Map { key, lines, .. },
            size,
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        *size += 1;
        let Some(name) = name else {
            *key = Some(PendingKey::Merge);
            return Ok(());
        };
        let first = lines.get(&name).copied();
        lines.entry(name.clone()).or_insert(mark.line());
        // Set the key before reporting, so that the error's path names it.
        *key = Some(PendingKey::Key(name.clone()));
        match first {
            Some(first) => {
                let reason = format!("duplicate key {name:?} (first defined at line {first})");
                Err(self.error(mark, &reason))
            }
            None => Ok(()),
        }
    }

    fn count(&mut self, nodes: usize, mark: Marker) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            let reason =
                format!("the document expands to more than {MAX_NODES} nodes (too many aliases?)");
            return Err(self.error(mark, &reason));
        }
        Ok(())
    }

    /// The keys and indexes leading to the node being built.
    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match &frame.kind {
                FrameKind::List(items) => path.push_str(&format!("[{}]", items.len())),
                FrameKind::Map { key: Some(key), .. } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(match key {
                        PendingKey::Key(name) => name,
                        PendingKey::Merge => "<<",
                    });
                }
                FrameKind::Map { key: None, .. } => {}
            }
        }
        path
    }

    fn error(&self, mark: Marker, reason: &str) -> YamlError {
        YamlError::new(
            self.origin,
            mark.line(),
            mark.col() + 1,
            self.path(),
            reason,
        )
    }

    /// An error whose message gives the position only: syntax errors (see
    /// [`YamlError::syntax`]) and nesting limits (whose path would be hundreds of `[0]`).
    fn position_error(&self, mark: Marker, reason: &str) -> YamlError {
        YamlError::syntax(
            self.origin,
            mark.line(),
            mark.col() + 1,
            self.path(),
            reason,
        )
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let mark = *e.marker();
        match e.info() {
            // yaml-rust2 stops at 255 levels of flow collections.
            "recursion limit exceeded" => self.position_error(mark, &too_deep()),
            // Not a syntax error: the alias sits where the path says.
            "while parsing node, found unknown anchor" => {
                let reason = format!("unknown anchor {:?} referenced", self.alias_name(mark));
                self.error(mark, &reason)
            }
            info => self.position_error(mark, info),
        }
    }

    /// The name of the alias at `mark`, read back from the text: events only carry ids.
    /// Under a secret key the "name" is most often the secret itself (a password that
    /// starts with `*`), so it is not shown there.
    fn alias_name(&self, mark: Marker) -> String {
        if is_secret_path(&self.path()) {
            return "… (not shown: under a secret key)".into();
        }
        self.text
            .chars()
            .skip(mark.index() + 1)
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .collect()
    }
}

fn too_deep() -> String {
    format!("the document nests maps and lists more than {MAX_DEPTH} levels deep")
}

/// go-yaml v2 merges a map, or a list whose items are all maps.
fn mergeable(value: &Value) -> bool {
    match value {
        Value::Map(_) => true,
        Value::List(items) => items.iter().all(Value::is_map),
        _ => false,
    }
}

/// Merges like go-yaml v2: the merged entries are written into the map at the point where
/// `<<` appears, so keys written after it override them (and keys before it are overridden).
/// In a list, earlier maps win, so they are written last.
fn merge_into(map: &mut Map, value: Value) {
    let sources = match value {
        Value::List(items) => items,
        other => vec![other],
    };
    for source in sources.into_iter().rev() {
        if let Value::Map(entries) = source {
            map.extend(entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        match parse_values(text, "values.yaml") {
            Ok(value) => value,
            Err(e) => panic!("{text:?} failed: {e}"),
        }
    }

    /// The value of `k` in `k: <text>`.
    fn scalar(text: &str) -> Value {
        parse(&format!("k: {text}\n")).as_map().unwrap()["k"].clone()
    }

    /// The single key of `<text>: v`.
    fn key(text: &str) -> String {
        let doc = parse(&format!("{text}: v\n"));
        let map = doc.as_map().unwrap();
        assert_eq!(map.len(), 1);
        map.keys().next().unwrap().clone()
    }

    fn error(text: &str) -> YamlError {
        match parse_values(text, "values.yaml") {
            Ok(value) => panic!("{text:?} parsed as {value:?}"),
            Err(e) => e,
        }
    }

    fn string(s: &str) -> Value {
        Value::String(s.to_string())
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map_of(entries.iter().cloned())
    }

    #[test]
    fn nulls() {
        for text in ["", "~", "null", "Null", "NULL", "# comment"] {
            assert_eq!(scalar(text), Value::Null, "{text:?}");
        }
        for text in ["nULL", "\"null\"", "'~'", "''", "None"] {
            assert!(matches!(scalar(text), Value::String(_)), "{text:?}");
        }
    }

    #[test]
    fn yaml_1_1_booleans() {
        for text in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(scalar(text), Value::Bool(true), "{text:?}");
        }
        for text in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(scalar(text), Value::Bool(false), "{text:?}");
        }
        assert_eq!(scalar("\"yes\""), string("yes"));
        assert_eq!(scalar("'off'"), string("off"));
        assert_eq!(scalar("yEs"), string("yEs"));
        assert_eq!(scalar("|\n  yes\n"), string("yes\n"));
        assert_eq!(scalar(">-\n  no\n"), string("no"));
    }

    #[test]
    fn integers_follow_go_parse_int() {
        let cases = [
            ("0", 0),
            ("42", 42),
            ("+1", 1),
            ("-0", 0),
            ("-17", -17),
            ("0123", 0o123),
            ("1_000", 1000),
            ("1__0_", 10),
            ("0x10", 16),
            ("0X1f", 31),
            ("0x_1F", 31),
            ("0o17", 15),
            ("0O17", 15),
            ("0b101", 5),
            ("-0b101", -5),
            ("-0x10", -16),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (text, expected) in cases {
            assert_eq!(scalar(text), Value::Int(expected), "{text:?}");
        }
        assert_eq!(scalar("\"0123\""), string("0123"));
        assert_eq!(scalar("'42'"), string("42"));
    }

    #[test]
    fn integers_beyond_i64_become_floats_or_strings() {
        assert_eq!(
            scalar("9223372036854775808"),
            Value::Float(9223372036854775808.0)
        );
        assert_eq!(scalar("0xFFFFFFFFFFFFFFFF"), Value::Float(u64::MAX as f64));
        assert_eq!(
            scalar("-9223372036854775809"),
            Value::Float(-9223372036854775809.0)
        );
        assert_eq!(scalar("99999999999999999999"), Value::Float(1e20));
        // Too big for uint64 and not float syntax: go-yaml leaves it a string.
        assert_eq!(scalar("0x1FFFFFFFFFFFFFFFF"), string("0x1FFFFFFFFFFFFFFFF"));
    }

    #[test]
    fn floats() {
        let cases = [
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("1e+3", 1000.0),
            ("1.5e-3", 0.0015),
            (".5", 0.5),
            ("-.5", -0.5),
            ("+.5e1", 5.0),
            ("1.", 1.0),
            ("2.25", 2.25),
            ("1_000.5", 1000.5),
            // Not an octal integer, so a float.
            ("09", 9.0),
            ("1e-400", 0.0),
        ];
        for (text, expected) in cases {
            assert_eq!(scalar(text), Value::Float(expected), "{text:?}");
        }
        let Value::Float(negative_zero) = scalar("-0.0") else {
            panic!("-0.0")
        };
        assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
        // Overflow is a range error in Go, so the text stays a string.
        assert_eq!(scalar("1e400"), string("1e400"));
        for text in [
            "._5", ".", "1.2.3", "1e", "e3", "0x1p3", "1-2", "12:30", "+", "0x", "Infinity",
        ] {
            assert_eq!(scalar(text), string(text), "{text:?}");
        }
        assert_eq!(scalar("\"1e3\""), string("1e3"));
    }

    #[test]
    fn infinity_and_nan_are_rejected_with_position() {
        for text in [
            ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN",
        ] {
            let e = error(&format!("a: 1\nk: {text}\n"));
            assert!(e.message.contains("not representable in JSON"), "{e}");
            assert_eq!((e.line, e.column), (2, 4), "{text:?}");
            assert_eq!(e.path, "k");
        }
        assert_eq!(
            error("k: -.inf").to_string(),
            "values.yaml:1:4: k: -.inf is not representable in JSON, so Helm cannot read it"
        );
        assert_eq!(scalar("\".inf\""), string(".inf"));
        assert_eq!(scalar(".infinity"), string(".infinity"));
    }

    #[test]
    fn timestamps_stay_strings() {
        assert_eq!(scalar("2001-12-14"), string("2001-12-14"));
        assert_eq!(
            scalar("2001-12-14t21:59:43.10-05:00"),
            string("2001-12-14t21:59:43.10-05:00")
        );
        assert_eq!(scalar("!!timestamp 2001-12-14"), string("2001-12-14"));
    }

    #[test]
    fn explicit_tags() {
        assert_eq!(scalar("!!str 123"), string("123"));
        assert_eq!(scalar("!!str yes"), string("yes"));
        assert_eq!(scalar("!!str"), string(""));
        assert_eq!(scalar("!!int \"42\""), Value::Int(42));
        assert_eq!(scalar("!!int 0x10"), Value::Int(16));
        assert_eq!(scalar("!!float 1"), Value::Float(1.0));
        assert_eq!(scalar("!!float '2.5'"), Value::Float(2.5));
        assert_eq!(scalar("!!bool \"yes\""), Value::Bool(true));
        assert_eq!(scalar("!!null ''"), Value::Null);
        assert_eq!(scalar("!<tag:yaml.org,2002:int> '7'"), Value::Int(7));
        // go-yaml v2 does not resolve scalars with other tags.
        assert_eq!(scalar("!custom 12"), string("12"));
        assert_eq!(scalar("! 12"), string("12"));
        // Tags on collections change nothing.
        assert_eq!(scalar("!!map {a: 1}"), map(&[("a", Value::Int(1))]));
        assert_eq!(scalar("!!seq [1]"), Value::List(vec![Value::Int(1)]));

        let e = error("k: !!int abc");
        // The position is the value's (after the tag).
        assert_eq!(
            e.to_string(),
            "values.yaml:1:10: k: cannot decode !!str \"abc\" as a !!int"
        );
        assert!(
            error("k: !!int 1.5")
                .message
                .contains("cannot decode !!float \"1.5\" as a !!int")
        );
        assert!(error("k: !!bool 1").message.contains("as a !!bool"));
        assert!(error("k: !!null x").message.contains("as a !!null"));
        assert!(
            error("k: !!float .inf")
                .message
                .contains("not representable")
        );
    }

    #[test]
    fn binary_is_decoded_like_go_yaml_v2() {
        assert_eq!(scalar("!!binary aGVsbG8="), string("hello"));
        assert_eq!(scalar("!!binary |\n  aGVs\n  bG8h\n"), string("hello!"));
        assert_eq!(scalar("!!binary ''"), string(""));
        // Invalid UTF-8 is replaced, as Go's JSON encoder does.
        assert_eq!(scalar("!!binary /w=="), string("\u{fffd}"));
        for bad in ["aGVsbG8", "a===", "aG=s", "@@@@", "aGVs bG8h"] {
            let e = error(&format!("k: !!binary \"{bad}\""));
            assert!(e.message.contains("invalid base64"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn keys_become_strings_like_sigs_yaml() {
        assert_eq!(key("yes"), "true");
        assert_eq!(key("off"), "false");
        assert_eq!(key("y"), "true");
        assert_eq!(key("\"yes\""), "yes");
        assert_eq!(key("1"), "1");
        assert_eq!(key("0x10"), "16");
        assert_eq!(key("-0"), "0");
        assert_eq!(key("1.5"), "1.5");
        assert_eq!(key("1e3"), "1000");
        assert_eq!(key("1e7"), "1e+07");
        assert_eq!(key("0.1"), "0.1");
        assert_eq!(key("123456789.0"), "1.2345679e+08");
        assert_eq!(key(".00001"), "1e-05");
        assert_eq!(key("0.0001"), "0.0001");
        assert_eq!(key("-0.0"), "-0");
        assert_eq!(key(".inf"), ".inf");
        assert_eq!(key("-.inf"), "-.inf");
        assert_eq!(key(".nan"), ".nan");
        assert_eq!(key("\"null\""), "null");
        assert_eq!(key("!!binary aGk="), "hi");
        assert_eq!(key("\"<<\""), "<<");

        let e = error("a: 1\n~: 2\n");
        assert!(
            e.message
                .starts_with("values.yaml:2:1: unsupported map key null"),
            "{e}"
        );
        assert!(
            error("18446744073709551615: a")
                .message
                .contains("unsupported map key")
        );
        for text in [
            "[a]: b",
            "{a: 1}: b",
            "? [a]\n: b",
            "? {a: 1}\n: b",
            "a: &l [1]\n*l : b",
        ] {
            let e = error(text);
            assert!(
                e.message.contains("cannot be a mapping key"),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn float_keys_use_go_float32_formatting() {
        let cases = [
            (0.0, "0"),
            (1.0, "1"),
            (2.5, "2.5"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (0.000123, "0.000123"),
            (0.1, "0.1"),
            (1e-10, "1e-10"),
            (3.4028235e38, "3.4028235e+38"),
            (1e300, ".inf"),
            (-1.5e-7, "-1.5e-07"),
            (123456.7, "123456.7"),
        ];
        for (f, expected) in cases {
            assert_eq!(format_float32(f), expected, "{f}");
        }
    }

    #[test]
    fn anchors_and_aliases() {
        let doc =
            parse("base: &b {x: 1, y: [a, b]}\ncopy: *b\nn: &n 5\nm: *n\nl: &l [1, 2]\nk: *l\n");
        let root = doc.as_map().unwrap();
        assert_eq!(root["copy"], root["base"]);
        assert_eq!(root["m"], Value::Int(5));
        assert_eq!(root["k"], Value::List(vec![Value::Int(1), Value::Int(2)]));

        // A redefined anchor: aliases see the latest definition.
        let doc = parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
        assert_eq!(doc.as_map().unwrap()["b"], Value::Int(1));
        assert_eq!(doc.as_map().unwrap()["d"], Value::Int(2));

        // A scalar anchor used as a key.
        let doc = parse("a: &k name\n*k : 1\n");
        assert_eq!(doc.as_map().unwrap()["name"], Value::Int(1));
        // An anchored null value as a value, yes resolved as bool.
        assert_eq!(parse("a: &z\nb: *z\n").as_map().unwrap()["b"], Value::Null);
    }

    #[test]
    fn alias_errors_name_the_anchor() {
        let e = error("a: 1\nb: *nope\n");
        assert_eq!(
            e.to_string(),
            "values.yaml:2:4: b: unknown anchor \"nope\" referenced"
        );
        let e = error("a: &x\n  b: *x\n");
        assert!(
            e.message
                .contains("alias *x is used inside the node its anchor names"),
            "{e}"
        );
        assert_eq!(e.path, "a.b");
        // Anchors belong to one document.
        let e = parse_documents("a: &x 1\n---\nb: *x\n", "m.yaml").unwrap_err();
        assert!(
            e.message.starts_with("m.yaml:3:4: b: unknown anchor \"x\""),
            "{e}"
        );
    }

    #[test]
    fn merge_keys() {
        let base = "base: &b {x: 1, w: 2}\nother: &o {x: 10, z: 30}\n";
        let d = |rest: &str| parse(&format!("{base}d:\n{rest}")).as_map().unwrap()["d"].clone();

        assert_eq!(
            d("  <<: *b\n  w: 3\n"),
            map(&[("x", Value::Int(1)), ("w", Value::Int(3))])
        );
        // go-yaml v2 merges in place: a key written before `<<` is overridden by it.
        assert_eq!(
            d("  w: 3\n  <<: *b\n"),
            map(&[("w", Value::Int(2)), ("x", Value::Int(1))])
        );
        // In a list, earlier maps win.
        assert_eq!(
            d("  <<: [*b, *o]\n"),
            map(&[
                ("x", Value::Int(1)),
                ("z", Value::Int(30)),
                ("w", Value::Int(2))
            ])
        );
        assert_eq!(
            d("  <<: {q: 1}\n  r: 2\n"),
            map(&[("q", Value::Int(1)), ("r", Value::Int(2))])
        );
        assert_eq!(d("  <<: []\n  r: 2\n"), map(&[("r", Value::Int(2))]));
        assert_eq!(
            d("  !!merge <<: *b\n"),
            map(&[("x", Value::Int(1)), ("w", Value::Int(2))])
        );
        // Two merges and an explicit key overriding a merged one are not duplicates.
        assert_eq!(
            d("  <<: *b\n  <<: *o\n  z: 0\n"),
            map(&[
                ("x", Value::Int(10)),
                ("w", Value::Int(2)),
                ("z", Value::Int(0))
            ])
        );
        // A quoted `<<` is an ordinary key.
        assert_eq!(
            d("  \"<<\": *b\n"),
            map(&[("<<", map(&[("x", Value::Int(1)), ("w", Value::Int(2))]))])
        );
        // Merging into a map that is itself merged later.
        let doc = parse("a: &a {x: 1}\nb: &b {<<: *a, w: 2}\nc: {<<: *b}\n");
        assert_eq!(
            doc.as_map().unwrap()["c"],
            map(&[("x", Value::Int(1)), ("w", Value::Int(2))])
        );

        for bad in [
            "  <<: 1\n",
            "  <<:\n",
            "  <<: [*b, 1]\n",
            "  <<: [[*b]]\n",
            "  <<: *s\n",
        ] {
            let e = error(&format!("s: &s str\n{base}d:\n{bad}"));
            assert!(
                e.message
                    .contains("map merge requires a map or a list of maps"),
                "{bad:?}: {e}"
            );
            assert_eq!(e.path, "d.<<");
        }
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = error("replicaCount: 1\nfoo: 2\n\n  # c\nreplicaCount: 3\n");
        assert_eq!(
            e.to_string(),
            "values.yaml:5:1: replicaCount: duplicate key \"replicaCount\" (first defined at line 1)"
        );
        assert_eq!((e.line, e.column, e.path.as_str()), (5, 1, "replicaCount"));

        let e = error("image:\n  tag: a\n  pull: b\n  tag: c\n");
        assert_eq!(
            e.to_string(),
            "values.yaml:4:3: image.tag: duplicate key \"tag\" (first defined at line 2)"
        );
        assert_eq!(e.path, "image.tag");

        // Keys that only become equal as strings.
        assert!(
            error("1: a\n\"1\": b\n")
                .message
                .contains("duplicate key \"1\"")
        );
        assert!(
            error("yes: a\ntrue: b\n")
                .message
                .contains("duplicate key \"true\"")
        );
        assert!(
            error("k: {a: 1, a: 2}")
                .message
                .contains("duplicate key \"a\"")
        );
        assert_eq!(error("a:\n  - b: 1\n    b: 2\n").path, "a[0].b");
        // The same key in different maps is fine.
        parse("a: {x: 1}\nb: {x: 1}\n");
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, name) in "bcdefghijklm".chars().enumerate() {
            let prev = (b'a' + i as u8) as char;
            let items = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        let start = std::time::Instant::now();
        let e = error(&text);
        assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
        assert!(
            e.message.contains(&format!("more than {MAX_NODES} nodes")),
            "{e}"
        );

        // Merges of a growing map hit the same limit.
        let mut text = String::from("a0: &a0 {k0: [1,2,3,4,5,6,7,8,9,10]}\n");
        for i in 1..40 {
            text.push_str(&format!(
                "a{i}: &a{i} {{<<: *a{}, k{i}: *a{}, l{i}: *a{}}}\n",
                i - 1,
                i - 1,
                i - 1
            ));
        }
        assert!(error(&text).message.contains("nodes"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for open in ["[", "{", "{a: ", "[{a: "] {
            let text = format!("k: {}", open.repeat(100_000));
            let e = error(&text);
            assert!(e.message.contains("levels deep"), "{open:?}: {e}");
        }
        let e = parse_documents(&format!("{}x", "- ".repeat(100_000)), "deep.yaml").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(
            e.message
                .contains(&format!("more than {MAX_DEPTH} levels deep"))
        );

        // Exactly MAX_DEPTH block levels is fine; one more is not.
        let docs = parse_documents(&format!("{}x", "- ".repeat(MAX_DEPTH)), "ok.yaml").unwrap();
        assert_eq!(docs.len(), 1);
        assert!(parse_documents(&format!("{}x", "- ".repeat(MAX_DEPTH + 1)), "x.yaml").is_err());

        // Depth through an alias counts too.
        let nested = |n: usize, inner: &str| format!("{}{inner}{}", "[".repeat(n), "]".repeat(n));
        parse(&format!(
            "a: &a {}\nb: {}\n",
            nested(200, "1"),
            nested(50, "*a")
        ));
        let e = error(&format!(
            "a: &a {}\nb: {}\n",
            nested(200, "1"),
            nested(100, "*a")
        ));
        assert!(e.message.contains("levels deep"), "{e}");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn documents() {
        assert_eq!(parse_documents("", "m.yaml").unwrap(), Vec::<Value>::new());
        assert_eq!(
            parse_documents("# nothing\n", "m.yaml").unwrap(),
            Vec::<Value>::new()
        );
        assert_eq!(
            parse_documents("---\n---\n", "m.yaml").unwrap(),
            vec![Value::Null, Value::Null]
        );
        let docs = parse_documents("a: 1\n---\n- x\n--- 5\n...\n--- \"s\"\n", "m.yaml").unwrap();
        assert_eq!(
            docs,
            vec![
                map(&[("a", Value::Int(1))]),
                Value::List(vec![string("x")]),
                Value::Int(5),
                string("s")
            ]
        );
    }

    #[test]
    fn values_read_only_the_first_document() {
        assert_eq!(parse("a: 1\n---\nb: 2\n"), map(&[("a", Value::Int(1))]));
        assert_eq!(parse("---\n---\nb: 2\n"), map(&[]));
        assert_eq!(parse("# header\n---\na: 1\n"), map(&[("a", Value::Int(1))]));
        // Helm never reads past the first document, so later errors do not matter.
        assert_eq!(
            parse("a: 1\n---\nb: *missing\n"),
            map(&[("a", Value::Int(1))])
        );
    }

    #[test]
    fn values_top_level() {
        for empty in [
            "",
            "\n\n",
            "# only a comment\n",
            "~",
            "null",
            "---\n",
            "---\n...\n",
        ] {
            assert_eq!(parse(empty), map(&[]), "{empty:?}");
        }
        assert_eq!(
            error("- a\n- b\n").to_string(),
            "values.yaml:1:1: expected a map of values at the top level, found a list"
        );
        assert!(error("hello").message.ends_with("found a string"));
        assert!(error("5").message.ends_with("found an int"));
        assert!(
            error("# c\n\n  true")
                .message
                .starts_with("values.yaml:3:3: ")
        );
    }

    #[test]
    fn structure_and_order() {
        let doc = parse("z: 1\na:\n  - x\n  - {b: \"2\", c: [yes, ~]}\nm: |\n  line\n");
        let root = doc.as_map().unwrap();
        assert_eq!(root.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
        assert_eq!(
            root["a"],
            Value::List(vec![
                string("x"),
                map(&[
                    ("b", string("2")),
                    ("c", Value::List(vec![Value::Bool(true), Value::Null]))
                ]),
            ])
        );
        assert_eq!(root["m"], string("line\n"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = error("a: 1\nb: [1, 2\nc: 3\n");
        assert!(e.message.starts_with("values.yaml:"), "{e}");
        assert!(e.line >= 2 && e.column >= 1, "{e}");
        let e = error("a:\n\tb: 1\n");
        assert!(e.message.starts_with("values.yaml:2:"), "{e}");
        let e = error("a: b: c\n");
        assert_eq!((e.line, e.origin.as_str()), (1, "values.yaml"));
    }

    /// README: errors name the key path. Semantic errors do; syntax errors and nesting
    /// limits give the position only (see `YamlError::syntax`).
    #[test]
    fn semantic_errors_name_the_key_path() {
        let e = error("pgbouncerPharia:\n  replicaCount: 1\n  replicaCount: 2\n");
        assert_eq!(
            e.to_string(),
            "values.yaml:3:3: pgbouncerPharia.replicaCount: duplicate key \"replicaCount\" \
             (first defined at line 2)"
        );
        let e = error("a:\n  - {b: !!int x}\n");
        assert!(
            e.message
                .starts_with("values.yaml:2:15: a[0].b: cannot decode"),
            "{e}"
        );
        // A syntax error names no path: it is found on the line after the mistake.
        let e = error("a:\n  b: [1, 2\n  c: 3\n");
        assert!(e.path.starts_with("a.b"), "{e:?}");
        assert!(!e.message.contains("a.b"), "{e}");
        let e = error(&format!("k: {}", "[".repeat(1000)));
        assert!(e.message.len() < 120, "no path of hundreds of [0]: {e}");
    }

    /// README: errors never print secrets. A tagged password that fails to resolve is the
    /// one place a scalar's text would be quoted.
    #[test]
    fn secrets_are_not_quoted_in_errors() {
        let e = error("pgbouncerPharia:\n  config:\n    adminPassword: !!int Sup3rS3cret\n");
        assert!(!e.message.contains("Sup3rS3cret"), "{e}");
        assert!(
            e.message
                .contains("pgbouncerPharia.config.adminPassword: cannot decode a !!str as a !!int"),
            "{e}"
        );
        let e = error("config:\n  userlist:\n    bob: !!bool hunter2\n");
        assert!(!e.message.contains("hunter2"), "{e}");
        // Other values are quoted: that is what tells the user what is wrong.
        assert!(
            error("config:\n  adminUser: !!int bob\n")
                .message
                .contains("\"bob\"")
        );
    }

    #[test]
    fn non_utf8_text_is_located_and_not_quoted() {
        let err = text_from_bytes(b"a: 1\npassword: \xffhunter2\n".to_vec(), "v.yaml").unwrap_err();
        assert_eq!((err.line, err.column), (2, 11));
        assert!(
            !err.message.contains("0xFF") && !err.message.contains("hunter2"),
            "{err}"
        );
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("a: 1\n".bytes().flat_map(|b| [b, 0]))
            .collect();
        assert!(
            text_from_bytes(utf16, "v.yaml")
                .unwrap_err()
                .message
                .contains("UTF-16")
        );
        let binary: Vec<u8> = (0..=255u8).rev().collect();
        assert!(
            text_from_bytes(binary, "v.yaml")
                .unwrap_err()
                .message
                .contains("1:1:")
        );
    }

    #[test]
    fn control_characters_are_errors() {
        assert_eq!(
            error("a: b\nc: \u{1b}x\n").to_string(),
            "values.yaml:2:4: control characters are not allowed (found U+001B)"
        );
        for bad in [
            "\0",
            "a: \0",
            "\u{7f}",
            "a: \"\u{1}\"",
            "\u{fffe}",
            "a: \u{9c}",
        ] {
            assert!(error(bad).message.contains("control characters"), "{bad:?}");
        }
        // Tabs, CR, NEL, non-ASCII and a leading byte order mark are fine.
        assert_eq!(
            parse("\u{feff}a: \"x\ty\"\r\nb: é\u{85}\n")
                .as_map()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn arbitrary_input_never_panics() {
        const FUZZ_CASES: usize = 5_000;
        let alphabet: Vec<char> = "ab: -[]{},&*!|>'\"#%@`?\n\t~.0<x\\".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..FUZZ_CASES {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = parse_documents(&text, "fuzz.yaml");
            let _ = parse_values(&text, "fuzz.yaml");
        }
    }
}

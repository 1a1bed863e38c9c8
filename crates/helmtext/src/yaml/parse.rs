//! YAML text to values, read the way Helm reads values files.
//!
//! Helm decodes values with sigs.k8s.io/yaml: go-yaml v2 resolves every scalar with its
//! YAML 1.1 rules, mapping keys are turned into strings, and the tree goes through JSON. We
//! rebuild that tree from yaml-rust2's event stream rather than from a ready-made document
//! type, because the resolution depends on what only the events expose: the scalar style
//! (a quoted `"yes"` is a string, a plain `yes` is `true`) and the explicit tag.
//!
//! Most text is first read by [`fast`], a hand-written reader for plain block YAML that
//! feeds the same builder the same events at a fraction of the cost; whatever it does not
//! handle, and every error, goes through yaml-rust2 from the start.
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

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::YamlError;
use super::resolve::{Resolved, resolve};
use super::text::check_characters;
use crate::go;
use crate::value::{Map, Value, is_secret_path};

/// The deepest nesting of maps and lists accepted (counting alias expansions).
pub const MAX_DEPTH: usize = 256;

/// The most nodes one input may produce, counting every copy made by an alias. This bounds
/// the time and memory an alias bomb ("billion laughs") can cost.
pub const MAX_NODES: usize = 1_000_000;

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
#[derive(Debug, PartialEq)]
struct Document {
    value: Value,
    line: usize,
    column: usize,
}

/// A position in the text, as the builder reports it: what yaml-rust2's [`Marker`] says
/// (line 1-based, column 0-based), in a type the fast reader can also make.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mark {
    index: usize,
    line: usize,
    col: usize,
}

impl Mark {
    fn line(&self) -> usize {
        self.line
    }
    fn col(&self) -> usize {
        self.col
    }
    fn index(&self) -> usize {
        self.index
    }
}

impl From<Marker> for Mark {
    fn from(marker: Marker) -> Self {
        Mark {
            index: marker.index(),
            line: marker.line(),
            col: marker.col(),
        }
    }
}

fn parse_stream(text: &str, origin: &str, first_only: bool) -> Result<Vec<Document>, YamlError> {
    check_characters(text, origin)?;
    // go-yaml skips a leading byte order mark; yaml-rust2 would read it as content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match fast_stream(text, origin, first_only) {
        Some(docs) => Ok(docs),
        None => slow_stream(text, origin, first_only),
    }
}

/// The documents read by [`fast::scan`], or `None` when it does not handle the text or the
/// builder fails: then [`slow_stream`] reads it again from the start, so that every error
/// (and its position) is yaml-rust2's.
fn fast_stream(text: &str, origin: &str, first_only: bool) -> Option<Vec<Document>> {
    let mut reader = Reader::new(origin, text);
    // The whole stream is read even for `first_only`: a text the fast reader handles is
    // valid YAML throughout, so yaml-rust2 (which stops after the first document) could not
    // have failed further on either.
    let handled = fast::scan(text, &mut |event, mark| reader.feed(event, mark).is_ok());
    let mut docs = handled.then_some(reader.docs)?;
    if first_only {
        docs.truncate(1);
    }
    Some(docs)
}

/// The reference reader: yaml-rust2's events, pulled one at a time.
fn slow_stream(text: &str, origin: &str, first_only: bool) -> Result<Vec<Document>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut reader = Reader::new(origin, text);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| reader.builder.scan_error(&e))?;
        if event == Event::StreamEnd {
            break;
        }
        let ended = event == Event::DocumentEnd;
        reader.feed(event, mark.into())?;
        // Helm's yaml.Unmarshal never looks past the first document.
        if ended && first_only {
            break;
        }
    }
    Ok(reader.docs)
}

/// The documents of a stream, built from its events (whichever reader made them).
struct Reader<'a> {
    builder: Builder<'a>,
    docs: Vec<Document>,
}

impl<'a> Reader<'a> {
    fn new(origin: &'a str, text: &'a str) -> Self {
        Reader {
            builder: Builder::new(origin, text),
            docs: Vec::new(),
        }
    }

    fn feed(&mut self, event: Event, mark: Mark) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
            Event::DocumentStart => {
                self.builder.start_document();
                Ok(())
            }
            Event::DocumentEnd => {
                self.docs.push(self.builder.root.take().unwrap_or(Document {
                    value: Value::Null,
                    line: mark.line(),
                    column: mark.col() + 1,
                }));
                Ok(())
            }
            event => self.builder.event(event, mark),
        }
    }
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
    mark: Mark,
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

    fn event(&mut self, event: Event, mark: Mark) -> Result<(), YamlError> {
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

    fn open(&mut self, kind: FrameKind, anchor: usize, mark: Mark) -> Result<(), YamlError> {
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

    fn alias(&mut self, id: usize, mark: Mark) -> Result<(), YamlError> {
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
    fn add(&mut self, node: Node, mark: Mark) -> Result<(), YamlError> {
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

    fn add_key(&mut self, node: Node, mark: Mark) -> Result<(), YamlError> {
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

    fn count(&mut self, nodes: usize, mark: Mark) -> Result<(), YamlError> {
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

    fn error(&self, mark: Mark, reason: &str) -> YamlError {
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
    fn position_error(&self, mark: Mark, reason: &str) -> YamlError {
        YamlError::syntax(
            self.origin,
            mark.line(),
            mark.col() + 1,
            self.path(),
            reason,
        )
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let mark = Mark::from(*e.marker());
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
    fn alias_name(&self, mark: Mark) -> String {
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

mod fast;

#[cfg(test)]
mod tests;

//! `values.schema.json`: a chart's JSON Schema for its values, checked on every render as
//! Helm checks it, with errors that name the input, the key path, what was expected and what
//! was found.
//!
//! Three decisions differ from a general JSON Schema validator, all on purpose:
//!
//! - **Strings are single lines.** A string the schema describes may not hold a control
//!   character (a line break, a tab, NUL) unless its `format` is `multiline`: a value is
//!   data, and must not be able to add a line to what the templates write from it.
//!
//! - **Null is always allowed.** In Helm a `null` value deletes the default it overrides,
//!   and chart defaults use `null` for "unset"; neither is a type error.
//! - **Each input is checked on its own** (every `-f` file, every `--set` flag), not only the
//!   merged result, so an error names the file or flag that holds the bad value. Helm only
//!   says "values don't meet the specifications of the schema(s)".
//!
//! The schema language is the part of draft-07 the chart needs: `type`, `properties`,
//! `additionalProperties`, `items`, `enum`, `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `required`,
//! `anyOf`, `propertyNames`, `format` (qspgb's own formats, [`super::format`]; other
//! validators ignore them), `$ref` to `#/definitions/...`, and the annotations (`title`, `description`,
//! `default`, `examples`, `$comment`, `$schema`, `$id`). Any other keyword is refused when
//! the schema loads: a constraint we silently ignored would be a check that never runs.
//! Helm's own validator understands all of these, so the file also works with `helm`.
//!
//! ```
//! use qspgb::value::Value;
//! use qspgb::values::schema::Schema;
//!
//! let schema = Schema::from_json(
//!     r#"{"type": "object", "additionalProperties": false,
//!         "properties": {"replicaCount": {"type": "integer", "minimum": 0}}}"#,
//!     "values.schema.json",
//! )
//! .unwrap();
//! let values = Value::map_of([("replicaCont", Value::Int(2))]);
//! let problems = schema.validate(&values);
//! assert_eq!(
//!     problems[0].to_string(),
//!     r#"replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#
//! );
//! ```

use std::fmt;

use anyhow::{Result, anyhow, bail};
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::format::{self, Format};
use crate::value::{Map, Value};

/// A compiled schema: nodes in an arena, so `$ref` cycles need no reference counting.
#[derive(Debug, Clone)]
pub struct Schema {
    nodes: Vec<Node>,
}

/// The root node's index in the arena.
const ROOT: usize = 0;

/// JSON Schema's types, as bits of a set.
const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;

const TYPE_NAMES: [(u8, &str); 7] = [
    (OBJECT, "object"),
    (ARRAY, "array"),
    (STRING, "string"),
    (INTEGER, "integer"),
    (NUMBER, "number"),
    (BOOLEAN, "boolean"),
    (NULL, "null"),
];

#[derive(Debug, Clone, Default)]
struct Node {
    /// Allowed types; `None` allows every type.
    types: Option<u8>,
    properties: IndexMap<String, usize>,
    additional: Additional,
    items: Option<usize>,
    enumeration: Option<Vec<Value>>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    required: Vec<String>,
    any_of: Vec<usize>,
    /// `format`: the form a string must have ([`Format`]).
    format: Option<Format>,
    /// `propertyNames`: the schema every key of a map must meet (as a string).
    property_names: Option<usize>,
    /// `$ref`: this node is the referenced one.
    reference: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default)]
enum Additional {
    /// No `additionalProperties`: any other key is allowed.
    #[default]
    Any,
    /// `additionalProperties: false`: other keys are errors.
    Forbidden,
    /// `additionalProperties: {...}`: other keys must match this node.
    Schema(usize),
}

const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$ref",
    "title",
    "description",
    "default",
    "examples",
    "definitions",
    "type",
    "properties",
    "additionalProperties",
    "items",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "required",
    "anyOf",
    "format",
    "propertyNames",
];

/// Where a node sits in the schema file, for its errors: a chain of steps that is only
/// turned into text when there is an error (building the text for every node was a tenth
/// of a render).
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Definition(&'a str),
    Step(&'a At<'a>, &'a str, &'a str),
    Index(&'a At<'a>, &'a str, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => f.write_str("(root)"),
            At::Definition(name) => write!(f, "definitions.{name}"),
            At::Step(parent, keyword, "") => write!(f, "{parent}.{keyword}"),
            At::Step(parent, keyword, key) => write!(f, "{parent}.{keyword}.{key}"),
            At::Index(parent, keyword, i) => write!(f, "{parent}.{keyword}[{i}]"),
        }
    }
}

/// Compiles one schema document; `definitions` are compiled on first reference.
struct Compiler<'a> {
    origin: &'a str,
    definitions: Option<&'a serde_json::Map<String, Json>>,
    by_name: IndexMap<String, usize>,
    nodes: Vec<Node>,
}

impl<'a> Compiler<'a> {
    fn compile(&mut self, json: &'a Json, at: &At) -> Result<usize> {
        let index = self.nodes.len();
        self.nodes.push(Node::default());
        let node = self.node(json, at)?;
        self.nodes[index] = node;
        Ok(index)
    }

    fn node(&mut self, json: &'a Json, at: &At) -> Result<Node> {
        let origin = self.origin;
        let fail = |what: String| anyhow!("{origin}: {at}: {what}");
        let object = match json {
            Json::Object(o) => o,
            Json::Bool(true) => return Ok(Node::default()),
            other => return Err(fail(format!("expected a schema object, found {other}"))),
        };
        if let Some(unknown) = object.keys().find(|k| !KEYWORDS.contains(&k.as_str())) {
            return Err(fail(format!(
                "keyword {unknown:?} is not supported by qspgb's validator (supported: {})",
                KEYWORDS.join(", ")
            )));
        }
        let mut node = Node::default();
        if let Some(reference) = object.get("$ref") {
            let name = reference
                .as_str()
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .ok_or_else(|| {
                    fail(format!(
                        "$ref {reference}: only \"#/definitions/<name>\" is supported"
                    ))
                })?;
            node.reference = Some(self.definition(name, at)?);
            return Ok(node);
        }
        if let Some(types) = object.get("type") {
            let names: Vec<&Json> = match types {
                Json::Array(list) => list.iter().collect(),
                single => vec![single],
            };
            let mut set = 0;
            for name in names {
                let bit = name
                    .as_str()
                    .and_then(|n| TYPE_NAMES.iter().find(|(_, t)| *t == n))
                    .map(|(bit, _)| *bit)
                    .ok_or_else(|| fail(format!("type {name}: not a JSON Schema type")))?;
                set |= bit;
            }
            node.types = Some(set);
        }
        if let Some(properties) = object.get("properties") {
            let properties = properties
                .as_object()
                .ok_or_else(|| fail("properties: expected an object".into()))?;
            for (key, schema) in properties {
                let index = self.compile(schema, &At::Step(at, "properties", key))?;
                node.properties.insert(key.clone(), index);
            }
        }
        node.additional = match object.get("additionalProperties") {
            None | Some(Json::Bool(true)) => Additional::Any,
            Some(Json::Bool(false)) => Additional::Forbidden,
            Some(schema) => {
                Additional::Schema(self.compile(schema, &At::Step(at, "additionalProperties", ""))?)
            }
        };
        if let Some(items) = object.get("items") {
            node.items = Some(self.compile(items, &At::Step(at, "items", ""))?);
        }
        if let Some(values) = object.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| fail("enum: expected an array".into()))?;
            node.enumeration = Some(values.iter().map(json_to_value).collect());
        }
        let number = |key: &str| -> Result<Option<f64>> {
            object
                .get(key)
                .map(|n| {
                    n.as_f64()
                        .ok_or_else(|| fail(format!("{key}: expected a number")))
                })
                .transpose()
        };
        node.minimum = number("minimum")?;
        node.maximum = number("maximum")?;
        node.exclusive_minimum = number("exclusiveMinimum")?;
        node.exclusive_maximum = number("exclusiveMaximum")?;
        let count = |key: &str| -> Result<Option<usize>> {
            object
                .get(key)
                .map(|n| {
                    n.as_u64()
                        .map(|n| n as usize)
                        .ok_or_else(|| fail(format!("{key}: expected a whole number")))
                })
                .transpose()
        };
        node.min_length = count("minLength")?;
        node.max_length = count("maxLength")?;
        node.min_items = count("minItems")?;
        node.max_items = count("maxItems")?;
        if let Some(required) = object.get("required") {
            node.required = required
                .as_array()
                .and_then(|list| {
                    list.iter()
                        .map(|k| k.as_str().map(str::to_string))
                        .collect()
                })
                .ok_or_else(|| fail("required: expected an array of strings".into()))?;
        }
        if let Some(name) = object.get("format") {
            let name = name
                .as_str()
                .ok_or_else(|| fail("format: expected a string".into()))?;
            node.format = Some(Format::from_name(name).ok_or_else(|| {
                fail(format!(
                    "format {name:?} is not supported by qspgb's validator (supported: {})",
                    Format::NAMES.join(", ")
                ))
            })?);
        }
        if let Some(names) = object.get("propertyNames") {
            node.property_names = Some(self.compile(names, &At::Step(at, "propertyNames", ""))?);
        }
        if let Some(branches) = object.get("anyOf") {
            let branches = branches
                .as_array()
                .filter(|b| !b.is_empty())
                .ok_or_else(|| fail("anyOf: expected a non-empty array".into()))?;
            for (i, branch) in branches.iter().enumerate() {
                node.any_of
                    .push(self.compile(branch, &At::Index(at, "anyOf", i))?);
            }
        }
        Ok(node)
    }

    fn definition(&mut self, name: &str, at: &At) -> Result<usize> {
        if let Some(&index) = self.by_name.get(name) {
            return Ok(index);
        }
        let json = self
            .definitions
            .and_then(|d| d.get(name))
            .ok_or_else(|| anyhow!("{}: {at}: $ref to unknown definition {name:?}", self.origin))?;
        // Reserve the slot first, so a definition that refers to itself finds it.
        let index = self.nodes.len();
        self.nodes.push(Node::default());
        self.by_name.insert(name.to_string(), index);
        let node = self.node(json, &At::Definition(name))?;
        self.nodes[index] = node;
        Ok(index)
    }
}

fn json_to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(json_to_value).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
    }
}

/// One step of a key path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Where a value sits in the values tree, printed like `pgbouncerPharia.config.databases["pharia-os"].port`:
/// keys that are plain identifiers after a dot, other keys quoted in brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    fn child(&self, segment: Segment) -> KeyPath {
        let mut path = self.0.clone();
        path.push(segment);
        KeyPath(path)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_identifier(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value that does not meet the schema: where, and what is wrong. Messages never quote
/// a found string unless the schema lists the allowed ones (`enum`), so a password in the
/// wrong place is not echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How bad it is.
    pub kind: ProblemKind,
    /// The key path of the value.
    pub path: KeyPath,
    /// What is wrong, e.g. `expected integer, found string`.
    pub message: String,
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not a value qspgb can use, or one that would change what qspgb writes (a line
    /// break, a wrong type, an unknown key): always an error.
    Invalid,
    /// A value qspgb renders, but Kubernetes, PgBouncer or Prometheus would refuse (a
    /// format of [`super::format`]): an error, a warning with `--helm-exact`, which renders
    /// it as Helm would.
    Undeployable,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl Schema {
    /// Compiles a schema from JSON text; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Schema> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| anyhow!("{origin}: not valid JSON: {e}"))?;
        let definitions = match json.get("definitions") {
            None => None,
            Some(Json::Object(d)) => Some(d),
            Some(_) => bail!("{origin}: definitions: expected an object"),
        };
        let mut compiler = Compiler {
            origin,
            definitions,
            by_name: IndexMap::new(),
            nodes: Vec::new(),
        };
        compiler.compile(&json, &At::Root)?;
        Ok(Schema {
            nodes: compiler.nodes,
        })
    }

    /// Every problem of `value` against the whole schema, in input order.
    pub fn validate(&self, value: &Value) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check(ROOT, value, &KeyPath::default(), &mut problems);
        problems
    }

    /// Checks a top-level map whose keys `skip` are checked elsewhere (a dependency's
    /// subtree, by the dependency's schema) and are therefore never unknown here.
    pub fn validate_top_level(
        &self,
        values: &Map,
        skip: &dyn Fn(&str) -> bool,
        path: &KeyPath,
        problems: &mut Vec<Problem>,
    ) {
        let root = self.resolve(ROOT);
        if root.types.is_some_and(|t| t & OBJECT == 0) {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: format!(
                    "expected {}, found object",
                    type_list(root.types.unwrap_or(0))
                ),
            });
            return;
        }
        self.check_object(root, values, path, skip, problems);
    }

    /// Checks `value` at `path` against the whole schema (a dependency's subtree).
    pub fn validate_at(&self, value: &Value, path: &KeyPath, problems: &mut Vec<Problem>) {
        self.check(ROOT, value, path, problems);
    }

    fn resolve(&self, mut index: usize) -> &Node {
        // A chain of references ends: compile() only makes a reference node for "$ref".
        while let Some(next) = self.nodes[index].reference {
            index = next;
        }
        &self.nodes[index]
    }

    fn check(&self, index: usize, value: &Value, path: &KeyPath, problems: &mut Vec<Problem>) {
        if value.is_null() {
            return;
        }
        let node = self.resolve(index);
        let found = type_of(value);
        if !node.any_of.is_empty() {
            let fitting: Vec<usize> = node
                .any_of
                .iter()
                .copied()
                .filter(|&b| self.accepts_type(b, found))
                .collect();
            if fitting.is_empty() {
                let expected = node
                    .any_of
                    .iter()
                    .map(|&b| self.resolve(b).types.unwrap_or(u8::MAX))
                    .fold(0, |a, b| a | b);
                problems.push(type_problem(path, expected, value));
                return;
            }
            let mut first_failure = None;
            for branch in fitting {
                let mut branch_problems = Vec::new();
                self.check(branch, value, path, &mut branch_problems);
                if branch_problems.is_empty() {
                    first_failure = None;
                    break;
                }
                first_failure.get_or_insert(branch_problems);
            }
            if let Some(branch_problems) = first_failure {
                problems.extend(branch_problems);
                return;
            }
        }
        if let Some(types) = node.types
            && !accepts(types, found)
        {
            problems.push(type_problem(path, types, value));
            return;
        }
        // Control characters first: an enum error quotes what it found, and a line break
        // is named, never shown.
        if let Value::String(s) = value
            && let Err(why) = format::check_characters(s, node.format)
        {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: why,
            });
            return;
        }
        if let Some(allowed) = &node.enumeration
            && !allowed.iter().any(|a| same_value(a, value))
        {
            let list = allowed
                .iter()
                .map(scalar_text)
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: format!("expected one of {list}, found {}", scalar_text(value)),
            });
            return;
        }
        match value {
            Value::Int(_) | Value::Float(_) => self.check_number(node, value, path, problems),
            Value::String(s) => {
                if let Some(format) = node.format
                    && let Err((kind, why)) = format.check(s)
                {
                    problems.push(Problem {
                        kind,
                        path: path.clone(),
                        message: why,
                    });
                }
                let length = s.chars().count();
                if let Some(min) = node.min_length.filter(|&m| length < m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("must be at least {min} characters long, found {length}"),
                    });
                }
                if let Some(max) = node.max_length.filter(|&m| length > m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("must be at most {max} characters long, found {length}"),
                    });
                }
            }
            Value::List(items) => {
                if let Some(min) = node.min_items.filter(|&m| items.len() < m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("needs at least {min} items, found {}", items.len()),
                    });
                }
                if let Some(max) = node.max_items.filter(|&m| items.len() > m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("allows at most {max} items, found {}", items.len()),
                    });
                }
                if let Some(item_schema) = node.items {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &path.child(Segment::Index(i)), problems);
                    }
                }
            }
            Value::Map(map) => self.check_object(node, map, path, &|_| false, problems),
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_number(
        &self,
        node: &Node,
        value: &Value,
        path: &KeyPath,
        problems: &mut Vec<Problem>,
    ) {
        let n = match value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return,
        };
        let shown = scalar_text(value);
        let mut fail = |message: String| {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message,
            })
        };
        if let Some(min) = node.minimum.filter(|&m| n < m) {
            fail(format!("must be at least {min}, found {shown}"));
        }
        if let Some(max) = node.maximum.filter(|&m| n > m) {
            fail(format!("must be at most {max}, found {shown}"));
        }
        if let Some(min) = node.exclusive_minimum.filter(|&m| n <= m) {
            fail(format!("must be greater than {min}, found {shown}"));
        }
        if let Some(max) = node.exclusive_maximum.filter(|&m| n >= m) {
            fail(format!("must be less than {max}, found {shown}"));
        }
    }

    fn check_object(
        &self,
        node: &Node,
        map: &Map,
        path: &KeyPath,
        skip: &dyn Fn(&str) -> bool,
        problems: &mut Vec<Problem>,
    ) {
        for (key, value) in map {
            if skip(key) {
                continue;
            }
            let at = path.child(Segment::Key(key.clone()));
            // Keys the user chooses (a map of names to values) are data like values: the
            // templates write them as keys, so the same rules hold, and `propertyNames`
            // says which names the map takes.
            if !node.properties.contains_key(key) {
                self.check_key(node, key, &at, problems);
            }
            if let Some(&property) = node.properties.get(key) {
                self.check(property, value, &at, problems);
                continue;
            }
            match node.additional {
                Additional::Any => {}
                Additional::Schema(index) => self.check(index, value, &at, problems),
                Additional::Forbidden => problems.push(Problem {
                    kind: ProblemKind::Invalid,
                    path: at,
                    message: unknown_key_message(key, node.properties.keys().map(String::as_str)),
                }),
            }
        }
        for key in &node.required {
            if map.get(key).is_none_or(Value::is_null) && !skip(key) {
                problems.push(Problem {
                    kind: ProblemKind::Invalid,
                    path: path.clone(),
                    message: format!("missing required key {key:?}"),
                });
            }
        }
    }

    /// A key of a map the schema describes: no control characters where the map's other
    /// keys are given by the user (`additionalProperties` a schema), and `propertyNames`.
    fn check_key(&self, node: &Node, key: &str, at: &KeyPath, problems: &mut Vec<Problem>) {
        if matches!(node.additional, Additional::Forbidden) && node.property_names.is_none() {
            // An unknown key, reported as one.
            return;
        }
        let free = matches!(node.additional, Additional::Any) && node.property_names.is_none();
        if free {
            // A Kubernetes object passed through: its keys are serialized by toYaml.
            return;
        }
        if key.is_empty() {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: at.clone(),
                message: "the key is empty".into(),
            });
            return;
        }
        if let Err(why) = format::check_characters(key, None) {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: at.clone(),
                message: format!("the key {why}"),
            });
            return;
        }
        if let Some(names) = node.property_names {
            let mut key_problems = Vec::new();
            self.check(
                names,
                &Value::String(key.to_string()),
                at,
                &mut key_problems,
            );
            problems.extend(key_problems.into_iter().map(|mut p| {
                p.message = format!("the key: {}", p.message);
                p
            }));
        }
    }

    fn accepts_type(&self, index: usize, found: u8) -> bool {
        let node = self.resolve(index);
        if !node.any_of.is_empty() {
            return node.any_of.iter().any(|&b| self.accepts_type(b, found));
        }
        node.types.is_none_or(|t| accepts(t, found))
    }

    /// The keys a map at the top level may have (for suggestions elsewhere).
    pub fn top_level_keys(&self) -> impl Iterator<Item = &str> {
        self.resolve(ROOT).properties.keys().map(String::as_str)
    }
}

/// The type bit of a value; a whole float counts as an integer, as in JSON Schema.
fn type_of(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Int(_) => INTEGER,
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => INTEGER,
        Value::Float(_) => NUMBER,
        Value::String(_) => STRING,
        Value::List(_) => ARRAY,
        Value::Map(_) => OBJECT,
    }
}

/// Whether a type set allows a found type: "number" includes the integers.
fn accepts(types: u8, found: u8) -> bool {
    types & found != 0 || (found == INTEGER && types & NUMBER != 0)
}

fn type_list(types: u8) -> String {
    let names: Vec<&str> = TYPE_NAMES
        .iter()
        .filter(|(bit, _)| types & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    match names.as_slice() {
        [] => "nothing".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn type_problem(path: &KeyPath, expected: u8, value: &Value) -> Problem {
    let found = match value {
        Value::Float(_) if type_of(value) == NUMBER => "number",
        Value::Int(_) | Value::Float(_) => "integer",
        Value::Bool(_) => "boolean",
        Value::String(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Null => "null",
    };
    let mut message = format!("expected {}, found {found}", type_list(expected));
    // YAML reads `tag: 1.10` as the number 1.1 and `enabled: "true"` as text; say how to
    // write what was meant, without echoing the value itself.
    if expected & STRING != 0 && matches!(value, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
        message.push_str(" (quote it to make it a string)");
    } else if let Value::String(text) = value {
        // Only when the text would be right without its quotes: then the quotes (or
        // --set-string) are the mistake.
        let as_number = expected & (INTEGER | NUMBER) != 0 && text.trim().parse::<f64>().is_ok();
        let as_boolean = expected & BOOLEAN != 0 && matches!(text.as_str(), "true" | "false");
        if as_number || as_boolean {
            message.push_str(" (remove the quotes, or use --set rather than --set-string)");
        }
    }
    Problem {
        kind: ProblemKind::Invalid,
        path: path.clone(),
        message,
    }
}

/// Equality as JSON Schema's `enum` sees it: numbers by value, whatever their variant.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// A scalar as it reads in a message: strings quoted and cut at 40 characters.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() > 40 => {
            format!("{:?}…", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("{s:?}"),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(_) => "an array".into(),
        Value::Map(_) => "an object".into(),
    }
}

/// `unknown key "x"`, with the closest allowed key, or the allowed keys when they are few.
pub fn unknown_key_message<'a>(
    key: &str,
    allowed: impl Iterator<Item = &'a str> + Clone,
) -> String {
    if let Some(best) = crate::suggest::closest(key, allowed.clone()) {
        return format!("unknown key {key:?} (did you mean {best:?}?)");
    }
    let allowed: Vec<&str> = allowed.collect();
    if allowed.is_empty() {
        format!("unknown key {key:?} (no keys are allowed here)")
    } else if allowed.len() <= 12 {
        format!(
            "unknown key {key:?} (expected one of: {})",
            allowed.join(", ")
        )
    } else {
        format!("unknown key {key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn schema(json: &str) -> Schema {
        Schema::from_json(json, "test.schema.json").unwrap()
    }

    fn values(text: &str) -> Value {
        yaml::parse_values(text, "test").unwrap()
    }

    fn messages(schema: &Schema, text: &str) -> Vec<String> {
        schema
            .validate(&values(text))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const CHART: &str = r##"{
        "type": "object",
        "additionalProperties": false,
        "definitions": {
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "labels": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
        },
        "properties": {
            "replicaCount": {"type": "integer", "minimum": 0},
            "image": {"type": "object", "additionalProperties": false,
                      "properties": {"tag": {"type": "string"}, "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}}},
            "service": {"type": "object", "properties": {"port": {"$ref": "#/definitions/port"}}},
            "podLabels": {"$ref": "#/definitions/labels"},
            "tolerations": {"type": "array", "items": {"type": "object"}},
            "maxUnavailable": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "minLength": 1}]},
            "name": {"type": "string", "maxLength": 5}
        }
    }"##;

    #[test]
    fn good_values_and_nulls_pass() {
        let s = schema(CHART);
        let good = "replicaCount: 2\nimage: {tag: \"1.10\", pullPolicy: Always}\nservice: {port: 5432}\n\
                    podLabels: {a: x, b: 1}\ntolerations: [{key: k}]\nmaxUnavailable: 25%\nname: abc\n";
        assert_eq!(messages(&s, good), Vec::<String>::new());
        let nulls = "replicaCount: null\nimage: {tag: null}\nservice: null\nmaxUnavailable: null\n";
        assert_eq!(messages(&s, nulls), Vec::<String>::new());
        assert_eq!(messages(&s, "replicaCount: 2.0"), Vec::<String>::new());
    }

    #[test]
    fn wrong_types_name_the_path_and_both_types() {
        let s = schema(CHART);
        assert_eq!(
            messages(&s, "replicaCount: three"),
            ["replicaCount: expected integer, found string"]
        );
        assert_eq!(
            messages(&s, "replicaCount: \"3\""),
            [
                "replicaCount: expected integer, found string (remove the quotes, or use --set rather than --set-string)"
            ]
        );
        assert_eq!(
            messages(&s, "image: {tag: 1.10}"),
            ["image.tag: expected string, found number (quote it to make it a string)"]
        );
        assert_eq!(
            messages(&s, "tolerations: {key: k}"),
            ["tolerations: expected array, found object"]
        );
        assert_eq!(
            messages(&s, "tolerations: [a]"),
            ["tolerations[0]: expected object, found string"]
        );
        assert_eq!(
            messages(&s, "podLabels: {\"app.kubernetes.io/x\": [1]}"),
            [
                r#"podLabels["app.kubernetes.io/x"]: expected string, number or boolean, found array"#
            ]
        );
    }

    #[test]
    fn ranges_enums_lengths_and_any_of() {
        let s = schema(CHART);
        assert_eq!(
            messages(&s, "service: {port: 70000}"),
            ["service.port: must be at most 65535, found 70000"]
        );
        assert_eq!(
            messages(&s, "image: {pullPolicy: always}"),
            [
                r#"image.pullPolicy: expected one of "Always", "IfNotPresent", "Never", found "always""#
            ]
        );
        assert_eq!(
            messages(&s, "name: abcdef"),
            ["name: must be at most 5 characters long, found 6"]
        );
        assert_eq!(
            messages(&s, "maxUnavailable: -1"),
            ["maxUnavailable: must be at least 0, found -1"]
        );
        assert_eq!(
            messages(&s, "maxUnavailable: [1]"),
            ["maxUnavailable: expected string or integer, found array"]
        );
        assert_eq!(
            messages(&s, "maxUnavailable: \"\""),
            ["maxUnavailable: must be at least 1 characters long, found 0"]
        );
    }

    #[test]
    fn unknown_keys_suggest_the_closest() {
        let s = schema(CHART);
        assert_eq!(
            messages(&s, "replicaCont: 1"),
            [r#"replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#]
        );
        assert_eq!(
            messages(&s, "image: {tga: x}"),
            [r#"image.tga: unknown key "tga" (did you mean "tag"?)"#]
        );
        assert_eq!(
            messages(&s, "image: {registry: x}"),
            [r#"image.registry: unknown key "registry" (expected one of: pullPolicy, tag)"#]
        );
        // `service` has no additionalProperties: anything goes besides port.
        assert_eq!(
            messages(&s, "service: {type: ClusterIP}"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_problem_is_reported_in_input_order() {
        let s = schema(CHART);
        assert_eq!(
            messages(&s, "zz: 1\nreplicaCount: x\nimage: {tag: 1}"),
            [
                r#"zz: unknown key "zz" (expected one of: image, maxUnavailable, name, podLabels, replicaCount, service, tolerations)"#,
                "replicaCount: expected integer, found string",
                "image.tag: expected string, found integer (quote it to make it a string)",
            ]
        );
    }

    #[test]
    fn messages_never_quote_a_found_string_outside_enums() {
        let s = schema(
            r#"{"properties": {"password": {"type": "integer"}, "short": {"type": "string", "maxLength": 2}}}"#,
        );
        for text in ["password: hunter2", "short: hunter2"] {
            for m in messages(&s, text) {
                assert!(!m.contains("hunter2"), "{m}");
            }
        }
    }

    #[test]
    fn required_keys_and_self_references() {
        let s = schema(
            r##"{"definitions": {"tree": {"type": "object", "required": ["name"],
                 "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/definitions/tree"}}}}},
                "$ref": "#/definitions/tree"}"##,
        );
        assert_eq!(
            messages(&s, "name: a\nchildren: [{name: b}, {children: []}]"),
            [r#"children[1]: missing required key "name""#]
        );
    }

    #[test]
    fn unsupported_or_broken_schemas_are_refused() {
        for (json, fragment) in [
            (
                r#"{"pattern": "^a"}"#,
                "keyword \"pattern\" is not supported",
            ),
            (r#"{"type": "text"}"#, "not a JSON Schema type"),
            (
                r##"{"$ref": "#/definitions/none"}"##,
                "unknown definition \"none\"",
            ),
            (r#"{"$ref": "other.json"}"#, "only \"#/definitions/<name>\""),
            (
                r#"{"properties": {"a": 1}}"#,
                "(root).properties.a: expected a schema object",
            ),
            ("{", "not valid JSON"),
        ] {
            let err = Schema::from_json(json, "x.json").unwrap_err().to_string();
            assert!(
                err.starts_with("x.json: ") && err.contains(fragment),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn key_paths_print_like_jq() {
        let path = KeyPath(vec![
            Segment::Key("config".into()),
            Segment::Key("databases".into()),
            Segment::Key("pharia-os".into()),
            Segment::Key("port".into()),
            Segment::Index(2),
        ]);
        assert_eq!(path.to_string(), r#"config.databases["pharia-os"].port[2]"#);
        assert_eq!(KeyPath::default().to_string(), "(top level)");
    }
}

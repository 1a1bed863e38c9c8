//! Compiling a schema file: JSON to the node arena of [`Schema`], refusing every keyword
//! the checks do not implement.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use qspgb_helmtext::value::Value;
use serde_json::Value as Json;

use crate::format::Format;
use crate::{Additional, Member, Node, Schema, Text, types};

/// Why a schema file does not compile; the message starts with the file's name.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(String);

type Result<T> = std::result::Result<T, SchemaError>;

/// A [`SchemaError`] from a message written as for `format!`.
macro_rules! error {
    ($($message:tt)*) => { SchemaError(format!($($message)*)) };
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
    by_name: HashMap<String, usize>,
    nodes: Vec<Node>,
}

impl<'a> Compiler<'a> {
    fn compile(&mut self, json: &'a Json, at: &At) -> Result<usize> {
        let index = self.nodes.len();
        self.nodes.push(Node::ANY);
        let node = self.node(json, at)?;
        self.nodes[index] = node;
        Ok(index)
    }

    fn node(&mut self, json: &'a Json, at: &At) -> Result<Node> {
        let origin = self.origin;
        let fail = |what: String| error!("{origin}: {at}: {what}");
        let object = match json {
            Json::Object(o) => o,
            Json::Bool(true) => return Ok(Node::ANY),
            other => return Err(fail(format!("expected a schema object, found {other}"))),
        };
        if let Some(unknown) = object.keys().find(|k| !KEYWORDS.contains(&k.as_str())) {
            return Err(fail(format!(
                "keyword {unknown:?} is not supported by qspgb's validator (supported: {})",
                KEYWORDS.join(", ")
            )));
        }
        let mut node = Node::ANY;
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
                    .and_then(|n| types::NAMES.iter().find(|(_, t)| *t == n))
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
            let mut compiled: Vec<(Text, usize)> = Vec::with_capacity(properties.len());
            for (key, schema) in properties {
                let index = self.compile(schema, &At::Step(at, "properties", key))?;
                compiled.push((Cow::Owned(key.clone()), index));
            }
            // Sorted, so Node::property can search them (serde_json already gives its
            // objects' keys sorted; this keeps it so should that change).
            compiled.sort_by(|(a, _), (b, _)| a.cmp(b));
            node.properties = Cow::Owned(compiled);
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
            node.enumeration = Some(
                values
                    .iter()
                    .map(|member| match member {
                        Json::String(s) => Member::Text(Cow::Owned(s.clone())),
                        other => Member::Value(json_to_value(other)),
                    })
                    .collect(),
            );
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
                        .map(|k| k.as_str().map(|k| Cow::Owned(k.to_string())))
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
            let mut compiled = Vec::with_capacity(branches.len());
            for (i, branch) in branches.iter().enumerate() {
                compiled.push(self.compile(branch, &At::Index(at, "anyOf", i))?);
            }
            node.any_of = Cow::Owned(compiled);
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
            .ok_or_else(|| error!("{}: {at}: $ref to unknown definition {name:?}", self.origin))?;
        // Reserve the slot first, so a definition that refers to itself finds it.
        let index = self.nodes.len();
        self.nodes.push(Node::ANY);
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

impl Schema {
    /// Compiles a schema from JSON text; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Schema> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| error!("{origin}: not valid JSON: {e}"))?;
        let definitions = match json.get("definitions") {
            None => None,
            Some(Json::Object(d)) => Some(d),
            Some(_) => return Err(error!("{origin}: definitions: expected an object")),
        };
        let mut compiler = Compiler {
            origin,
            definitions,
            by_name: HashMap::new(),
            nodes: Vec::new(),
        };
        compiler.compile(&json, &At::Root)?;
        Ok(Schema {
            nodes: Cow::Owned(compiler.nodes),
        })
    }
}

//! The one place that knows YAML. Everything else sees [`crate::value::Value`].
//!
//! serde_yaml is archived upstream, so no other module may name a YAML crate: if we swap the
//! parser or emitter, only this module changes.
//!
//! - [`parse`]: YAML text to values with the semantics Helm has (YAML 1.1 scalars as Go's
//!   yaml.v2 resolves them, anchors, merge keys), plus errors that name file, line and column.
//! - [`emit`]: values to YAML text exactly as Helm's `toYaml` prints it (go-yaml v2 style,
//!   sorted keys).
//! - [`resolve`]: go-yaml v2's reading of plain scalars, which both of them follow.
//! - [`text`]: which text the reader accepts at all; [`error`]: what a failure says.

pub mod emit;
pub mod error;
pub mod parse;
pub mod resolve;
pub mod text;

pub use emit::to_yaml;
pub use error::YamlError;
pub use parse::{parse_documents, parse_values};
pub use text::text_from_bytes;

use crate::value::{Map, Value};

/// Parses one JSON value (the right-hand side of `--set-json`, Argo CD's parameters).
///
/// JSON is read as Helm reads it with `json.Unmarshal`: objects become maps (in the order
/// written; a repeated key keeps the last value), and numbers that are whole stay exact
/// integers here (Helm would make them float64). It is read by a JSON parser, not as YAML:
/// a YAML 1.1 reader folds the line breaks only YAML knows (U+0085, U+2028, U+2029) inside
/// a quoted string into spaces, which would change the value before any check sees it.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str::<JsonValue>(text)
        .map(|v| v.0)
        .map_err(|e| format!("invalid JSON: {e}"))
}

/// A [`Value`] deserialized straight from JSON, keeping the order of object keys (what
/// [`parse_json`] reads; `--set-json` reads it from a stream of values).
pub struct JsonValue(pub Value);

impl<'de> serde::Deserialize<'de> for JsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonValue)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Float(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::default();
        while let Some((key, JsonValue(value))) = map.next_entry::<String, JsonValue>()? {
            out.insert(key, value);
        }
        Ok(Value::Map(out))
    }
}

//! The one place that knows YAML. Everything else sees [`crate::value::Value`].
//!
//! serde_yaml is archived upstream, so no other module may name a YAML crate: if we swap the
//! parser or emitter, only this module changes.
//!
//! - [`parse`]: YAML text to values with the semantics Helm has (YAML 1.1 scalars as Go's
//!   yaml.v2 resolves them, anchors, merge keys), plus errors that name file, line and column.
//! - [`emit`]: values to YAML text exactly as Helm's `toYaml` prints it (go-yaml v2 style,
//!   sorted keys).

pub mod emit;
pub mod parse;

pub use emit::to_yaml;
pub use parse::{YamlError, parse_documents, parse_values, text_from_bytes};

use crate::value::{Map, Value};

/// Parses one JSON value (the right-hand side of `--set-json`).
///
/// JSON is read as Helm reads it with `json.Unmarshal`: objects become maps, and numbers
/// that are whole stay exact integers here (Helm would make them float64).
pub fn parse_json(text: &str) -> Result<Value, String> {
    let parsed: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    from_serde(parsed)
}

fn from_serde(v: serde_yaml::Value) -> Result<Value, String> {
    Ok(match v {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::List(
            items
                .into_iter()
                .map(from_serde)
                .collect::<Result<_, _>>()?,
        ),
        serde_yaml::Value::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    other => {
                        return Err(format!("JSON object keys must be strings, found {other:?}"));
                    }
                };
                out.insert(key, from_serde(v)?);
            }
            Value::Map(out)
        }
        serde_yaml::Value::Tagged(t) => from_serde(t.value)?,
    })
}

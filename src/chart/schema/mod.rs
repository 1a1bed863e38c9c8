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
//! `anyOf`, `propertyNames`, `format` (qspgb's own formats, [`format`]; other
//! validators ignore them), `$ref` to `#/definitions/...`, and the annotations (`title`, `description`,
//! `default`, `examples`, `$comment`, `$schema`, `$id`). Any other keyword is refused when
//! the schema loads: a constraint we silently ignored would be a check that never runs.
//! Helm's own validator understands all of these, so the file also works with `helm`.

mod check;
mod compile;
pub mod format;
mod problem;
#[cfg(test)]
mod tests;

pub use problem::{KeyPath, Problem, ProblemKind, Segment};

use indexmap::IndexMap;

use crate::value::Value;
use format::Format;

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

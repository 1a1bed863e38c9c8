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
pub mod format;
mod problem;
#[cfg(test)]
mod tests;

pub use problem::{KeyPath, Problem, ProblemKind, Segment};

use qspgb_schema::Node;

/// A compiled schema: the node arena of the `qspgb-schema` crate (compiled from a chart
/// directory's file at run time, or embedded by build.rs), with the checks of [`check`].
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    compiled: qspgb_schema::Schema,
}

impl Schema {
    /// Compiles a schema from JSON text; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &str) -> anyhow::Result<Schema> {
        Ok(Schema {
            compiled: qspgb_schema::Schema::from_json(text, origin)?,
        })
    }

    fn node(&self, index: usize) -> &Node {
        self.compiled.node(index)
    }
}

impl From<qspgb_schema::Schema> for Schema {
    /// A schema compiled elsewhere (the embedded chart's, at build time).
    fn from(compiled: qspgb_schema::Schema) -> Schema {
        Schema { compiled }
    }
}

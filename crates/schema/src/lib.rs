//! A chart's values schema (`values.schema.json`) compiled into a node arena: the form
//! qspgb checks values against (the checks themselves are qspgb's `chart::schema`).
//!
//! The schema language is the part of JSON Schema draft-07 qspgb implements; [`compile`]
//! refuses every other keyword. The arena's slices and strings are `Cow<'static, _>`, so
//! the same [`Schema`] is either compiled at run time from a chart directory's files, or
//! compiled by qspgb's build script and embedded as static tables ([`embed`]): loading the
//! embedded chart then compiles nothing.

pub mod compile;
pub mod embed;
pub mod format;

use std::borrow::Cow;

pub use compile::SchemaError;
pub use format::Format;
use qspgb_helmtext::value::Value;

/// Text of the arena: borrowed from the binary for the embedded chart, owned otherwise.
pub type Text = Cow<'static, str>;

/// A list of the arena: borrowed from the binary for the embedded chart, owned otherwise.
pub type List<T> = Cow<'static, [T]>;

/// A compiled schema: nodes in an arena, so `$ref` cycles need no reference counting.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    nodes: List<Node>,
}

impl Schema {
    /// The root node's index in the arena.
    pub const ROOT: usize = 0;

    /// A schema whose nodes are static tables (the code [`embed`] writes).
    pub const fn from_static(nodes: &'static [Node]) -> Schema {
        Schema {
            nodes: Cow::Borrowed(nodes),
        }
    }

    /// The node at `index` (an index one of this schema's nodes holds, or [`Schema::ROOT`]).
    pub fn node(&self, index: usize) -> &Node {
        &self.nodes[index]
    }

    /// Every node, the root first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
}

/// JSON Schema's types, as bits of a set.
pub mod types {
    /// `null`.
    pub const NULL: u8 = 1;
    /// `boolean`.
    pub const BOOLEAN: u8 = 2;
    /// `integer`.
    pub const INTEGER: u8 = 4;
    /// `number` (includes the integers).
    pub const NUMBER: u8 = 8;
    /// `string`.
    pub const STRING: u8 = 16;
    /// `array`.
    pub const ARRAY: u8 = 32;
    /// `object`.
    pub const OBJECT: u8 = 64;

    /// Each type's bit and name, in the order messages list them.
    pub const NAMES: [(u8, &str); 7] = [
        (OBJECT, "object"),
        (ARRAY, "array"),
        (STRING, "string"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (BOOLEAN, "boolean"),
        (NULL, "null"),
    ];
}

/// One schema object of the file (a definition, a property's schema, an `anyOf` branch...).
/// Other nodes are named by their index in the arena.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// `type`: the allowed types ([`types`] bits); `None` allows every type.
    pub types: Option<u8>,
    /// `properties`, sorted by key (byte order), so [`Node::property`] can search them.
    pub properties: List<(Text, usize)>,
    /// `additionalProperties`.
    pub additional: Additional,
    /// `items`.
    pub items: Option<usize>,
    /// `enum`, in the schema's order.
    pub enumeration: Option<List<Member>>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: Option<f64>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: Option<f64>,
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `minItems`.
    pub min_items: Option<usize>,
    /// `maxItems`.
    pub max_items: Option<usize>,
    /// `required`.
    pub required: List<Text>,
    /// `anyOf`.
    pub any_of: List<usize>,
    /// `format`: the form a string must have ([`Format`]).
    pub format: Option<Format>,
    /// `propertyNames`: the schema every key of a map must meet (as a string).
    pub property_names: Option<usize>,
    /// `$ref`: this node is the referenced one.
    pub reference: Option<usize>,
}

impl Node {
    /// A node that allows everything (`{}` or `true`).
    pub const ANY: Node = Node {
        types: None,
        properties: Cow::Borrowed(&[]),
        additional: Additional::Any,
        items: None,
        enumeration: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        required: Cow::Borrowed(&[]),
        any_of: Cow::Borrowed(&[]),
        format: None,
        property_names: None,
        reference: None,
    };

    /// The node of the property `key`, if `properties` names it.
    pub fn property(&self, key: &str) -> Option<usize> {
        self.properties
            .binary_search_by(|(name, _)| name.as_ref().cmp(key))
            .ok()
            .map(|i| self.properties[i].1)
    }

    /// The keys `properties` names, sorted.
    pub fn property_keys(&self) -> impl Iterator<Item = &str> + Clone {
        self.properties.iter().map(|(name, _)| name.as_ref())
    }
}

/// `additionalProperties`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Additional {
    /// No `additionalProperties`: any other key is allowed.
    #[default]
    Any,
    /// `additionalProperties: false`: other keys are errors.
    Forbidden,
    /// `additionalProperties: {...}`: other keys must match this node.
    Schema(usize),
}

/// A member of an `enum`.
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    /// A string: its own variant, so an embedded schema holds it as static text.
    Text(Text),
    /// Anything else, as a value.
    Value(Value),
}

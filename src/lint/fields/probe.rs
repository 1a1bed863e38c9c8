//! Reads a rendered object (a borrowed values tree) into a typed struct and notes every
//! map key the struct's own `Deserialize` does not name.
//!
//! k8s-openapi's structs read objects with `deserialize_struct(NAME, FIELDS, ...)` and skip
//! a key outside `FIELDS` (they keep what a newer API server may send). The deserializer
//! here sees `FIELDS` at every level, so an unknown key is found where it is, with the
//! fields its level does know (for "did you mean"). Free-key maps (labels, annotations,
//! `nodeSelector`, `data`) are read with `deserialize_map`, carry no `FIELDS`, and are
//! never reported; values are never compared, so quantities, int-or-strings and nulls
//! cannot be misread as unknown fields. The typed struct still reads every value, so a
//! value of the wrong type (a string where an integer belongs) is found as well.
//!
//! Hand-written for speed (this runs on every rendered object of every render): it reads
//! the tree where it is, with no `serde_json::Value` copy first, and keeps the path of the
//! value being read as a chain of borrowed steps on the stack, printed only for a finding.
//! What it reads is exactly what serde_json's `Value` deserializer reads from the JSON
//! `serde_json::to_value` makes of the tree, the errors are serde_json's with the same
//! messages, and keys are read in the order of serde_json's maps (sorted), so the findings
//! are the ones the plain serde_json route gives (the module's tests hold it to that).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess};
use serde::de::{Unexpected, Visitor};

use crate::value::{Map, Value};

/// serde_json's error: its messages are the ones the findings have always shown.
type Error = serde_json::Error;

/// One step from an object's root: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// A key of a map.
    Key(String),
    /// An index of a list.
    Index(usize),
}

/// Where a value sits, printed like `spec.template.spec.containers[0].env[1].valueFrom`.
///
/// Ordered step by step (keys as strings, indexes as numbers), which is the order a
/// reading that takes every map's keys sorted meets the paths in.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<Step>);

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => f.write_str(&shown(key))?,
                Step::Key(key) => write!(f, ".{}", shown(key))?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A key as an error may show it: as written, unless it holds a control character or a
/// line break, which no message repeats (values are data: a key could carry a document).
pub fn shown(key: &str) -> String {
    if crate::chart::schema::format::check_characters(key, None).is_ok() {
        key.to_string()
    } else {
        "(a key with a control character)".to_string()
    }
}

/// A key the typed struct at `path` does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// The path of the key itself (its parent's path, then the key).
    pub path: Path,
    /// The key.
    pub key: String,
    /// The fields the struct at that level knows.
    pub known: &'static [&'static str],
}

/// What a probe found: unknown keys, and the path of a value of the wrong type (where
/// deserializing stopped), if any.
#[derive(Debug, Default)]
pub struct Report {
    /// Every key the typed structs do not have, in the order of their paths (every map's
    /// keys sorted, as serde_json's maps hold them).
    pub unknown: Vec<UnknownField>,
    /// The innermost path at which a value did not have the type's shape.
    pub failed_at: Option<Path>,
}

/// Reads `value` as `T` through the probe: what the struct ignored, and whether it could
/// be read at all (`Err` with the deserializer's message).
pub fn probe<T: de::DeserializeOwned>(value: &Value) -> (Report, Result<(), Error>) {
    // Reading the keys as written needs no sorting, and when the object reads, every key
    // was visited whatever the order: sorting the unknown keys by path then gives the
    // sorted reading's report. A value of the wrong type stops the reading at the first
    // one met, so which one (and which unknown keys came before it) depends on the order:
    // then the object is read again, keys sorted (rare: only a failing object pays).
    let (mut report, result) = read::<T>(value, Order::AsWritten);
    if result.is_ok() {
        report.unknown.sort_by(|a, b| a.path.cmp(&b.path));
        return (report, result);
    }
    read::<T>(value, Order::Sorted)
}

/// The order a map's keys are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// As the document has them (insertion order).
    AsWritten,
    /// Sorted, as serde_json's maps hold them.
    Sorted,
}

/// One reading's state: the report so far and the key order.
struct Cx {
    report: Report,
    order: Order,
}

impl Cx {
    /// Notes that the value at `at` could not be read; errors pass outwards, so the first
    /// path to see one is the innermost.
    fn failed(&mut self, at: &At<'_>) {
        if self.report.failed_at.is_none() {
            self.report.failed_at = Some(at.path());
        }
    }
}

fn read<T: de::DeserializeOwned>(value: &Value, order: Order) -> (Report, Result<(), Error>) {
    let mut cx = Cx {
        report: Report::default(),
        order,
    };
    let result = T::deserialize(De {
        value,
        at: &At::Root,
        cx: &mut cx,
    })
    .map(drop);
    (cx.report, result)
}

/// The path of the value being read, as a chain of borrowed steps on the stack (each
/// level's step lives in the frame that reads it): nothing is copied while reading, and a
/// [`Path`] is built only for a finding.
#[derive(Debug, Clone, Copy)]
enum At<'p> {
    Root,
    Key(&'p At<'p>, &'p str),
    Index(&'p At<'p>, usize),
}

impl At<'_> {
    fn path(&self) -> Path {
        let mut steps = Vec::new();
        self.push_to(&mut steps);
        Path(steps)
    }

    fn push_to(&self, steps: &mut Vec<Step>) {
        match self {
            At::Root => {}
            At::Key(parent, key) => {
                parent.push_to(steps);
                steps.push(Step::Key((*key).to_string()));
            }
            At::Index(parent, index) => {
                parent.push_to(steps);
                steps.push(Step::Index(*index));
            }
        }
    }
}

/// A value as `serde_json::to_value` turns it into JSON: a non-negative integer is
/// unsigned and a negative one signed (serde_json's `Number`), and a float that is not
/// finite becomes `null` (JSON has no NaN or infinity).
enum Json<'de> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(&'de str),
    Array(&'de [Value]),
    Object(&'de Map),
}

impl<'de> Json<'de> {
    fn of(value: &'de Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => match u64::try_from(*i) {
                Ok(u) => Json::Unsigned(u),
                Err(_) => Json::Signed(*i),
            },
            Value::Float(f) if f.is_finite() => Json::Float(*f),
            Value::Float(_) => Json::Null,
            Value::String(s) => Json::Str(s),
            Value::List(items) => Json::Array(items),
            Value::Map(map) => Json::Object(map),
        }
    }

    /// What an "invalid type" error names it (serde_json's `Value::unexpected`).
    fn unexpected(&self) -> Unexpected<'de> {
        match *self {
            Json::Null => Unexpected::Unit,
            Json::Bool(b) => Unexpected::Bool(b),
            Json::Unsigned(u) => Unexpected::Unsigned(u),
            Json::Signed(i) => Unexpected::Signed(i),
            Json::Float(f) => Unexpected::Float(f),
            Json::Str(s) => Unexpected::Str(s),
            Json::Array(_) => Unexpected::Seq,
            Json::Object(_) => Unexpected::Map,
        }
    }
}

/// The deserializer of one value at `at`.
struct De<'de, 'p> {
    value: &'de Value,
    at: &'p At<'p>,
    cx: &'p mut Cx,
}

impl<'de> De<'de, '_> {
    fn invalid_type<'v, V: Visitor<'v>>(&self, visitor: &V) -> Error {
        Error::invalid_type(Json::of(self.value).unexpected(), visitor)
    }

    /// A number as serde_json's `Number::deserialize_any` passes it on; anything else is
    /// of the wrong type.
    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Unsigned(u) => visitor.visit_u64(u),
            Json::Signed(i) => visitor.visit_i64(i),
            Json::Float(f) => visitor.visit_f64(f),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn array<V: Visitor<'de>>(self, items: &'de [Value], visitor: V) -> Result<V::Value, Error> {
        let mut seq = Seq {
            items: items.iter(),
            index: 0,
            at: self.at,
            cx: self.cx,
        };
        let out = visitor.visit_seq(&mut seq)?;
        if seq.items.len() == 0 {
            Ok(out)
        } else {
            Err(Error::invalid_length(
                items.len(),
                &"fewer elements in array",
            ))
        }
    }

    fn object<V: Visitor<'de>>(
        self,
        map: &'de Map,
        fields: Option<&'static [&'static str]>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let entries = match self.cx.order {
            Order::AsWritten => Entries::AsWritten(map.iter()),
            Order::Sorted => {
                let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
                sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
                Entries::Sorted(sorted.into_iter())
            }
        };
        let mut access = Object {
            entries,
            fields,
            value: None,
            at: self.at,
            cx: self.cx,
        };
        let out = visitor.visit_map(&mut access)?;
        if access.entries.len() == 0 {
            Ok(out)
        } else {
            Err(Error::invalid_length(map.len(), &"fewer elements in map"))
        }
    }
}

/// The number methods, each as serde_json's `deserialize_number`.
macro_rules! numbers {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.number(visitor)
        }
    )*};
}

/// Each method as serde_json's `impl Deserializer for &Value` has it.
impl<'de> Deserializer<'de> for De<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::Unsigned(u) => visitor.visit_u64(u),
            Json::Signed(i) => visitor.visit_i64(i),
            Json::Float(f) => visitor.visit_f64(f),
            Json::Str(s) => visitor.visit_borrowed_str(s),
            Json::Array(items) => self.array(items, visitor),
            Json::Object(map) => self.object(map, None, visitor),
        }
    }

    numbers!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
    );

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Str(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Str(s) => visitor.visit_borrowed_str(s),
            Json::Array(items) => self.array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Array(items) => self.array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Object(map) => self.object(map, None, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match Json::of(self.value) {
            Json::Array(items) => self.array(items, visitor),
            Json::Object(map) => self.object(map, Some(fields), visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // The structs of `KINDS` have no enums (k8s-openapi reads its enum-like fields as
        // strings); should one come, serde_json reads it, as it always has, unprobed.
        serde_json::to_value(self.value)?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // An ignored value (an unknown key's) is not read at all: nothing below it is
        // reported.
        visitor.visit_unit()
    }
}

/// A list's elements, each read at its index.
struct Seq<'de, 'p> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
    at: &'p At<'p>,
    cx: &'p mut Cx,
}

impl<'de> SeqAccess<'de> for Seq<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let at = At::Index(self.at, self.index);
        self.index += 1;
        let result = seed.deserialize(De {
            value,
            at: &at,
            cx: self.cx,
        });
        if result.is_err() {
            self.cx.failed(&at);
        }
        result.map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A map's entries in the reading's order.
enum Entries<'de> {
    AsWritten(indexmap::map::Iter<'de, String, Value>),
    Sorted(std::vec::IntoIter<(&'de String, &'de Value)>),
}

impl<'de> Entries<'de> {
    fn next(&mut self) -> Option<(&'de String, &'de Value)> {
        match self {
            Entries::AsWritten(iter) => iter.next(),
            Entries::Sorted(iter) => iter.next(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Entries::AsWritten(iter) => iter.len(),
            Entries::Sorted(iter) => iter.len(),
        }
    }
}

/// A map's entries; with a struct's `fields`, every other key is noted as unknown.
struct Object<'de, 'p> {
    entries: Entries<'de>,
    fields: Option<&'static [&'static str]>,
    /// The entry whose key was just read.
    value: Option<(&'de str, &'de Value)>,
    at: &'p At<'p>,
    cx: &'p mut Cx,
}

impl<'de> MapAccess<'de> for Object<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        if let Some(known) = self.fields
            && !known.contains(&key.as_str())
        {
            self.cx.report.unknown.push(UnknownField {
                path: At::Key(self.at, key).path(),
                key: key.clone(),
                known,
            });
        }
        self.value = Some((key, value));
        seed.deserialize(de::value::BorrowedStrDeserializer::<Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(Error::custom("value is missing"));
        };
        let at = At::Key(self.at, key);
        let result = seed.deserialize(De {
            value,
            at: &at,
            cx: self.cx,
        });
        if result.is_err() {
            self.cx.failed(&at);
        }
        result
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    /// The tree `json` reads as (the tests write objects as JSON, for brevity).
    pub(crate) fn tree(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap()),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => Value::List(items.into_iter().map(tree).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.into_iter().map(|(k, v)| (k, tree(v))).collect())
            }
        }
    }

    fn unknown(json: serde_json::Value) -> Vec<String> {
        let (report, result) = probe::<Pod>(&tree(json));
        result.unwrap();
        report.unknown.iter().map(|u| u.path.to_string()).collect()
    }

    #[test]
    fn free_key_maps_normalized_values_and_nulls_are_not_unknown_fields() {
        let pod = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "labels": {"anyKey": "x"}, "annotations": {"a/b": "c"}},
            "spec": {
                "nodeSelector": {"free": "key"},
                "containers": [{
                    "name": "c",
                    "resources": {"limits": {"cpu": 1, "memory": "1Gi"}, "requests": {"cpu": 0.5}},
                    "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": null},
                    "ports": [{"containerPort": 5432}],
                    "env": [{"name": "A", "value": null}],
                }],
                "volumes": [{"name": "v", "emptyDir": {}}],
                "tolerations": [],
            },
            "status": {},
        });
        assert_eq!(unknown(pod), Vec::<String>::new());
    }

    #[test]
    fn unknown_keys_are_found_at_every_depth_with_their_level_s_fields() {
        let pod = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "lables": {}},
            "spec": {
                "containers": [{"name": "c"}, {"name": "d", "env": [{"name": "A", "valu": "b"}]}],
                "affinity": {"nodeAfinity": {"x": 1}},
            },
        });
        assert_eq!(
            unknown(pod.clone()),
            // In the order of their paths (every map's keys sorted, as serde_json's are).
            [
                "metadata.lables",
                "spec.affinity.nodeAfinity",
                "spec.containers[1].env[0].valu",
            ]
        );
        let (report, _) = probe::<Pod>(&tree(pod));
        assert!(report.unknown[1].known.contains(&"nodeAffinity"));
        assert!(report.unknown[2].known.contains(&"value"));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_located() {
        let pod = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "x"}]}]},
        });
        let (report, result) = probe::<Pod>(&tree(pod));
        assert!(result.is_err());
        assert_eq!(
            report.failed_at.unwrap().to_string(),
            "spec.containers[0].ports[0].containerPort"
        );
    }
}

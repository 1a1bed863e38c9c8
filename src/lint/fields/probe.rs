//! A serde deserializer that wraps another and, while a typed struct is read through it,
//! notes every map key the struct's own `Deserialize` does not name.
//!
//! k8s-openapi's structs read objects with `deserialize_struct(NAME, FIELDS, ...)` and skip
//! a key outside `FIELDS` (they keep what a newer API server may send). Wrapping the
//! deserializer sees `FIELDS` at every level, so an unknown key is found where it is, with
//! the fields its level does know (for "did you mean"). Free-key maps (labels, annotations,
//! `nodeSelector`, `data`) are read with `deserialize_map`, carry no `FIELDS`, and are
//! never reported; values are never compared, so quantities, int-or-strings and nulls
//! cannot be misread as unknown fields.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One step from an object's root: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A key of a map.
    Key(String),
    /// An index of a list.
    Index(usize),
}

/// Where a value sits, printed like `spec.template.spec.containers[0].env[1].valueFrom`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Step>);

impl Path {
    fn child(&self, step: Step) -> Path {
        let mut steps = self.0.clone();
        steps.push(step);
        Path(steps)
    }
}

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
    /// Every key the typed structs do not have, in document order.
    pub unknown: Vec<UnknownField>,
    /// The innermost path at which a value did not have the type's shape.
    pub failed_at: Option<Path>,
}

/// Reads `value` as `T` through the probe: what the struct ignored, and whether it could
/// be read at all (`Err` with the deserializer's message).
pub fn probe<'de, T: de::Deserialize<'de>>(
    value: serde_json::Value,
) -> (Report, Result<(), serde_json::Error>) {
    let report = RefCell::new(Report::default());
    let result = T::deserialize(Probe {
        inner: value,
        path: Path::default(),
        report: &report,
    })
    .map(drop);
    (report.into_inner(), result)
}

struct Probe<'r, D> {
    inner: D,
    path: Path,
    report: &'r RefCell<Report>,
}

impl<'r, D> Probe<'r, D> {
    fn wrap<V>(&self, visitor: V, fields: Option<&'static [&'static str]>) -> Wrap<'r, V> {
        Wrap {
            visitor,
            path: self.path.clone(),
            report: self.report,
            fields,
        }
    }
}

/// Forwards `deserialize_*` methods to the inner deserializer with the visitor wrapped.
macro_rules! forward {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            let wrapped = self.wrap(visitor, None);
            self.inner.$method(wrapped)
        }
    )*};
}

impl<'de, 'r, D: Deserializer<'de>> Deserializer<'de> for Probe<'r, D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let wrapped = self.wrap(visitor, None);
        self.inner.deserialize_unit_struct(name, wrapped)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let wrapped = self.wrap(visitor, None);
        self.inner.deserialize_newtype_struct(name, wrapped)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let wrapped = self.wrap(visitor, None);
        self.inner.deserialize_tuple(len, wrapped)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let wrapped = self.wrap(visitor, None);
        self.inner.deserialize_tuple_struct(name, len, wrapped)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let wrapped = self.wrap(visitor, Some(fields));
        self.inner.deserialize_struct(name, fields, wrapped)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // The Kubernetes types the table reads have no enums with fields below them.
        self.inner.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor that passes maps and lists on wrapped, so their values are probed too.
struct Wrap<'r, V> {
    visitor: V,
    path: Path,
    report: &'r RefCell<Report>,
    fields: Option<&'static [&'static str]>,
}

/// Forwards `visit_*` methods of plain values to the inner visitor.
macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, 'r, V: Visitor<'de>> Visitor<'de> for Wrap<'r, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_some(Probe {
            inner,
            path: self.path,
            report: self.report,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_newtype_struct(Probe {
            inner,
            path: self.path,
            report: self.report,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_seq(Seq {
            inner: seq,
            path: self.path,
            report: self.report,
            index: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(Map {
            inner: map,
            path: self.path,
            report: self.report,
            fields: self.fields,
            key: None,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_enum(data)
    }
}

struct Seq<'r, A> {
    inner: A,
    path: Path,
    report: &'r RefCell<Report>,
    index: usize,
}

impl<'de, 'r, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'r, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let path = self.path.child(Step::Index(self.index));
        self.index += 1;
        self.inner.next_element_seed(Seed {
            seed,
            path,
            report: self.report,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct Map<'r, A> {
    inner: A,
    path: Path,
    report: &'r RefCell<Report>,
    fields: Option<&'static [&'static str]>,
    key: Option<String>,
}

impl<'de, 'r, A: MapAccess<'de>> MapAccess<'de> for Map<'r, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        // Object keys are strings (the input is JSON): read one as such, note it, and give
        // the struct's own field visitor the same text.
        let Some(key) = self.inner.next_key::<String>()? else {
            return Ok(None);
        };
        if let Some(known) = self.fields
            && !known.contains(&key.as_str())
        {
            self.report.borrow_mut().unknown.push(UnknownField {
                path: self.path.child(Step::Key(key.clone())),
                key: key.clone(),
                known,
            });
        }
        self.key = Some(key.clone());
        seed.deserialize(de::value::StringDeserializer::<A::Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let key = self.key.take().unwrap_or_default();
        self.inner.next_value_seed(Seed {
            seed,
            path: self.path.child(Step::Key(key)),
            report: self.report,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A value's seed, read through the probe at `path`; the innermost path where reading
/// fails is kept.
struct Seed<'r, T> {
    seed: T,
    path: Path,
    report: &'r RefCell<Report>,
}

impl<'de, 'r, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'r, T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        let report = self.report;
        let path = self.path.clone();
        let result = self.seed.deserialize(Probe {
            inner,
            path: self.path,
            report,
        });
        if result.is_err() {
            let mut report = report.borrow_mut();
            // Errors pass outwards: the first path to see one is the innermost.
            if report.failed_at.is_none() {
                report.failed_at = Some(path);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn unknown(json: serde_json::Value) -> Vec<String> {
        let (report, result) = probe::<Pod>(json);
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
            // In the order read (serde_json's maps are sorted by key).
            [
                "metadata.lables",
                "spec.affinity.nodeAfinity",
                "spec.containers[1].env[0].valu",
            ]
        );
        let (report, _) = probe::<Pod>(pod);
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
        let (report, result) = probe::<Pod>(pod);
        assert!(result.is_err());
        assert_eq!(
            report.failed_at.unwrap().to_string(),
            "spec.containers[0].ports[0].containerPort"
        );
    }
}

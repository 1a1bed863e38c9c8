//! The unknown-field probe as it was first written, kept as the tests' oracle: the object
//! converted to a `serde_json::Value` first, then read through a deserializer that wraps
//! serde_json's and clones the path at every level. Slow, but plainly what serde_json
//! reads; the probe must find exactly what this finds.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::lint::fields::probe::{Path, Report, Step, UnknownField};

/// `path`, then `step`.
fn child(path: &Path, step: Step) -> Path {
    let mut steps = path.0.clone();
    steps.push(step);
    Path(steps)
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
        let path = child(&self.path, Step::Index(self.index));
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
                path: child(&self.path, Step::Key(key.clone())),
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
            path: child(&self.path, Step::Key(key)),
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

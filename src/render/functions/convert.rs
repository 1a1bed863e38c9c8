//! Values into and out of templates (the values tree <-> minijinja's values), and how a
//! template prints a value: Go's `%v`, as Helm's templates print it.

use std::collections::BTreeMap;

use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Error, ErrorKind, State};

use crate::go;
use crate::value::{Map, Value};

/// Converts a values tree into a template value (once per instance and render).
pub fn to_jinja(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::from(()),
        Value::Bool(b) => JValue::from(*b),
        Value::Int(i) => JValue::from(*i),
        Value::Float(f) => JValue::from(*f),
        Value::String(s) => JValue::from(s.as_str()),
        Value::List(items) => JValue::from(items.iter().map(to_jinja).collect::<Vec<_>>()),
        Value::Map(m) => to_jinja_map(m),
    }
}

/// [`to_jinja`] for a map, without wrapping it in a [`Value`] first.
pub fn to_jinja_map(m: &Map) -> JValue {
    JValue::from(
        m.iter()
            .map(|(k, v)| (k.clone(), to_jinja(v)))
            .collect::<BTreeMap<String, JValue>>(),
    )
}

/// Converts a template value back into a values tree (for `toYaml`).
///
/// Whole floats become integers: Helm's `toYaml` goes through JSON, which prints them so.
pub fn to_value(v: &JValue) -> Result<Value, Error> {
    Ok(match v.kind() {
        ValueKind::Undefined | ValueKind::None => Value::Null,
        ValueKind::Bool => Value::Bool(v.is_true()),
        ValueKind::Number => {
            if v.is_integer() {
                match i64::try_from(v.clone()) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Float(f64::try_from(v.clone())?),
                }
            } else {
                Value::Float(f64::try_from(v.clone())?)
            }
        }
        ValueKind::String => Value::String(v.as_str().unwrap_or_default().to_string()),
        ValueKind::Seq | ValueKind::Iterable => Value::List(
            v.try_iter()?
                .map(|item| to_value(&item))
                .collect::<Result<_, _>>()?,
        ),
        ValueKind::Map => {
            let mut m = Map::default();
            for key in v.try_iter()? {
                let item = v.get_item(&key)?;
                m.insert(go_string(&key), to_value(&item)?);
            }
            Value::Map(m)
        }
        _ => Value::String(v.to_string()),
    })
}

/// Prints a value the way a Go template prints it (`{{ x }}`, `quote`, `toString`): Helm
/// reads every number of the values as a float64, so a number prints as Go's `%v` of one
/// (`3`, `1.5`, `1e+06` for a million, `1.234567e+06`). Text for PgBouncer's files uses
/// [`exact_string`] instead.
pub fn go_string(v: &JValue) -> String {
    print_value(v, Numbers::Go)
}

/// Like [`go_string`], except that whole numbers print exactly (`1000000`): what
/// pgbouncer.ini and userlist.txt get, because PgBouncer cannot read `1e+06` (the one
/// deliberate difference from Helm's printing, listed in the README).
pub fn exact_string(v: &JValue) -> String {
    print_value(v, Numbers::Exact)
}

/// How [`print_value`] prints numbers.
#[derive(Clone, Copy)]
enum Numbers {
    /// Go's `%v` of a float64, as Helm prints a number of the values.
    Go,
    /// Whole numbers as integers, other floats as Go prints them.
    Exact,
}

fn print_value(v: &JValue, numbers: Numbers) -> String {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => v.is_true().to_string(),
        ValueKind::Number => match numbers {
            Numbers::Exact if v.is_integer() => v.to_string(),
            Numbers::Exact => format_float(f64::try_from(v.clone()).unwrap_or(f64::NAN)),
            // An integer beyond 2^53 rounds, as it does in Helm's float64.
            Numbers::Go => go::strconv::format_float(
                f64::try_from(v.clone())
                    .unwrap_or_else(|_| v.to_string().parse().unwrap_or(f64::NAN)),
            ),
        },
        ValueKind::String => v.as_str().unwrap_or_default().to_string(),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| it.map(|i| print_value(&i, numbers)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(" "))
        }
        ValueKind::Map => {
            let mut items: Vec<(String, String)> = v
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        (
                            print_value(&k, numbers),
                            print_value(&v.get_item(&k).unwrap_or_default(), numbers),
                        )
                    })
                    .collect()
                })
                .unwrap_or_default();
            items.sort();
            let parts: Vec<String> = items.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[{}]", parts.join(" "))
        }
        _ => v.to_string(),
    }
}

/// Floats: exact integers when whole (PgBouncer cannot read `1e+06`), else Go's `%v`.
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        go::strconv::format_float(f)
    }
}

pub(super) fn format_output(
    out: &mut minijinja::Output,
    _state: &mut State,
    value: &JValue,
) -> Result<(), Error> {
    out.write_str(&go_string(value))
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "could not write output"))
}

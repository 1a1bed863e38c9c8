//! The Sprig and Helm functions the templates use, with Helm's semantics where Jinja has
//! built-ins of the same names that differ.

use std::collections::BTreeMap;

use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Error, ErrorKind};
use sha2::{Digest, Sha256};

use super::convert::{go_string, to_value};
use crate::go;
use crate::yaml;

pub(super) fn to_yaml(v: &JValue) -> Result<String, Error> {
    let text = yaml::to_yaml(&to_value(v)?);
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

/// `toJson`: Helm's `toJSON`, i.e. Go's `json.Marshal`: compact, map keys sorted in byte
/// order, strings escaped as `encoding/json` escapes them (HTML characters and U+2028/2029
/// as `\u003c` ..., and `\b`, `\f` short as since Go 1.22). Like Helm, a value JSON cannot
/// hold (NaN, an infinite float) gives the empty string instead of an error.
pub(super) fn to_json(v: &JValue) -> Result<String, Error> {
    let mut out = String::new();
    Ok(if write_json(v, &mut out)? {
        out
    } else {
        String::new()
    })
}

/// Appends `v` as Go's `json.Marshal` writes it; `false` when Go would fail.
fn write_json(v: &JValue, out: &mut String) -> Result<bool, Error> {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if v.is_integer() {
                out.push_str(&v.to_string());
            } else {
                let Some(text) = go::json::format_float(f64::try_from(v.clone())?) else {
                    return Ok(false);
                };
                out.push_str(&text);
            }
        }
        ValueKind::String => go::json::write_string(v.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in v.try_iter()?.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(&item, out)? {
                    return Ok(false);
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, (key, item)) in sorted_pairs(v, "toJson")?.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go::json::write_string(&key, out);
                out.push(':');
                if !write_json(&item, out)? {
                    return Ok(false);
                }
            }
            out.push('}');
        }
        _ => go::json::write_string(&go_string(v), out),
    }
    Ok(true)
}

pub(super) fn indent(v: &JValue, width: usize) -> String {
    let pad = " ".repeat(width);
    format!("{pad}{}", go_string(v).replace('\n', &format!("\n{pad}")))
}

pub(super) fn nindent(v: &JValue, width: usize) -> String {
    format!("\n{}", indent(v, width))
}

pub(super) fn default(v: &JValue, fallback: JValue) -> JValue {
    if v.is_true() { v.clone() } else { fallback }
}

/// `{{ value | scalar }}`: a value written into YAML as one scalar on one line, so that no
/// value can add syntax (a field, a document) to a manifest. A string is written as it is
/// when YAML reads that back as this same string, which is what Helm prints for every
/// valid name, tag or duration; otherwise double-quoted with Go's escapes (`quote`). Numbers
/// and booleans print as `{{ }}` prints them; null as nothing, as in Helm.
///
/// Templates write every value through a serializer (`scalar`, `quote`, `toYaml`) or a
/// PgBouncer filter (`ini_setting`, `ini_entries`, `userlist_*`), never raw: see
/// `tests/it/values_are_data.rs`.
pub(super) fn scalar(v: &JValue) -> Result<String, Error> {
    match v.kind() {
        ValueKind::String => {
            let text = v.as_str().unwrap_or_default();
            Ok(if yaml::emit::is_plain_string(text) {
                text.to_string()
            } else {
                go::quote::quote(text)
            })
        }
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "scalar expects a string, number or boolean, found {}",
                v.kind()
            ),
        )),
        _ => Ok(go_string(v)),
    }
}

/// `regexQuoteMeta`: sprig's, Go's `regexp.QuoteMeta`: every regular-expression
/// metacharacter (`\.+*?()|[]{}^$`) escaped with a backslash, so a name matches itself.
pub(super) fn regex_quote_meta(v: &JValue) -> String {
    let mut out = String::new();
    for c in go_string(v).chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `promqlString`: text for the inside of a PromQL double-quoted string (whose escapes are
/// Go's): `\` and `"` escaped, and line breaks and other control characters as escapes,
/// so a value cannot end the string or the expression.
pub(super) fn promql_string(v: &JValue) -> String {
    let quoted = go::quote::quote(&go_string(v));
    quoted[1..quoted.len() - 1].to_string()
}

pub(super) fn quote(v: &JValue) -> String {
    if v.is_undefined() || v.is_none() {
        // sprig's quote skips nil arguments entirely.
        return String::new();
    }
    go::quote::quote(&go_string(v))
}

/// `trunc`: sprig's, which counts bytes, not characters (`s[:n]` in Go): a name with
/// non-ASCII letters is cut where Helm cuts it. Where the cut falls inside a character Helm
/// writes invalid UTF-8 and then fails to read its own output; this fails at once, naming
/// the text.
pub(super) fn trunc(v: &JValue, length: i64) -> Result<String, Error> {
    let s = go_string(v);
    let n = s.len() as i64;
    let at = if length < 0 && n + length > 0 {
        (n + length) as usize
    } else if length >= 0 && n > length {
        length as usize
    } else {
        return Ok(s);
    };
    if !s.is_char_boundary(at) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "trunc {length}: cutting {s:?} after {at} bytes splits a character (Helm \
                 would write invalid UTF-8 and fail); use a shorter name"
            ),
        ));
    }
    Ok(if length < 0 {
        s[at..].to_string()
    } else {
        s[..at].to_string()
    })
}

/// `{{ x | go_s }}`: the value as Go's `printf "%s"` prints it, which is how Helm's
/// templates join an image reference: a string as it is, nothing as `%!s(<nil>)`, and any
/// other value as `%!s(TYPE=VALUE)` (values numbers are float64 in Helm).
pub(super) fn go_s(v: &JValue) -> String {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => "%!s(<nil>)".to_string(),
        ValueKind::String => v.as_str().unwrap_or_default().to_string(),
        ValueKind::Bool => format!("%!s(bool={})", v.is_true()),
        ValueKind::Number => format!("%!s(float64={})", go_string(v)),
        _ => go_string(v),
    }
}

pub(super) fn trim_suffix(v: &JValue, suffix: &str) -> String {
    let s = go_string(v);
    s.strip_suffix(suffix).map(str::to_string).unwrap_or(s)
}

pub(super) fn trim_prefix(v: &JValue, prefix: &str) -> String {
    let s = go_string(v);
    s.strip_prefix(prefix).map(str::to_string).unwrap_or(s)
}

pub(super) fn b64enc(v: &JValue) -> String {
    go::base64::encode(go_string(v).as_bytes())
}

pub(super) fn b64dec(v: &JValue) -> Result<String, Error> {
    let decoded = go::base64::decode(&go_string(v))
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "b64dec: input is not base64"))?;
    String::from_utf8(decoded).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            "b64dec: result is not UTF-8 text",
        )
    })
}

pub(super) fn sha256sum(v: &JValue) -> String {
    let digest = Sha256::digest(go_string(v).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn required(v: &JValue, message: &str) -> Result<JValue, Error> {
    let missing = v.is_undefined() || v.is_none() || v.as_str() == Some("");
    if missing {
        Err(Error::new(ErrorKind::InvalidOperation, message.to_string()))
    } else {
        Ok(v.clone())
    }
}

pub(super) fn fail(message: &str) -> Result<String, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message.to_string()))
}

/// `(key, value)` pairs sorted by key in byte order: what Go's `range` over a map yields.
pub(super) fn sorted_items(v: &JValue) -> Result<JValue, Error> {
    Ok(JValue::from(
        sorted_pairs(v, "sorted_items")?
            .into_iter()
            .map(|(k, v)| JValue::from(vec![JValue::from(k), v]))
            .collect::<Vec<_>>(),
    ))
}

/// A map without its `null` entries, at every depth of nested maps (lists are kept as they
/// are); anything else unchanged. A user's `null` for a key the chart's defaults lack stays
/// in the values (as in Helm), and `toYaml` would print it; Kubernetes stores such a field
/// as absent, so the chart leaves it out where the product defaults must be undone with
/// nulls (values/upstream-compat.yaml).
pub(super) fn without_nulls(v: &JValue) -> Result<JValue, Error> {
    if v.kind() != ValueKind::Map {
        return Ok(v.clone());
    }
    let mut kept = BTreeMap::new();
    for key in v.try_iter()? {
        let item = v.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        kept.insert(go_string(&key), without_nulls(&item)?);
    }
    Ok(JValue::from(kept))
}

/// A map's entries with keys as Go prints them, sorted by key in byte order; a missing
/// value is an empty map.
pub(super) fn sorted_pairs(v: &JValue, what: &str) -> Result<Vec<(String, JValue)>, Error> {
    if v.is_undefined() || v.is_none() {
        return Ok(Vec::new());
    }
    if v.kind() != ValueKind::Map {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{what} expects a map, found {}", v.kind()),
        ));
    }
    let mut pairs: Vec<(String, JValue)> = v
        .try_iter()?
        .map(|k| Ok((go_string(&k), v.get_item(&k)?)))
        .collect::<Result<_, Error>>()?;
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

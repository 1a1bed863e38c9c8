//! Values to YAML text, byte for byte as Helm's `toYaml` prints them.
//!
//! Helm's `toYaml` calls sigs.k8s.io/yaml `Marshal`, which goes the long way round:
//!
//! 1. `json.Marshal` the value;
//! 2. decode that JSON with go-yaml v2 into `interface{}` (JSON numbers are resolved as
//!    YAML 1.1 plain scalars, so whole floats become ints);
//! 3. `yaml.Marshal` the result with go-yaml v2, a port of libyaml's emitter: block style,
//!    2-space indent, keys in go-yaml's "natural" order, long scalars folded at column 80.
//!
//! Each step leaves traces in the output, so this module models all three. If any step
//! fails (NaN, characters the YAML reader rejects, over-long keys) Helm's `toYaml` swallows
//! the error and prints nothing, and so do we.
//!
//! The emitter below is a reduced port of go-yaml v2's `emitterc.go`: the same state
//! (`column`, `indent`, `whitespace`, `indention`) and the same decisions, but driven by
//! recursion over the tree instead of an event queue. Flow style only ever appears for
//! empty collections, and tags, anchors and document markers never appear.

mod order;
mod style;
mod writer;

pub use style::is_plain_string;

use crate::go;
use crate::value::Value;
use writer::Emitter;

/// libyaml writes keys longer than this (in bytes) as complex keys (`? key`).
const MAX_SIMPLE_KEY_BYTES: usize = 128;
/// go-yaml's scanner gives up on an implicit key when the `:` is more than 1024 characters
/// after the key's start, which breaks the JSON-to-YAML step for such keys.
const MAX_JSON_KEY_CHARS: usize = 1024;

/// Serializes like Helm's `toYaml` before it trims the final newline.
///
/// Returns the empty string where Helm's `toYaml` fails (and therefore prints nothing):
/// a NaN or infinite float, a string containing a character the YAML reader rejects
/// (U+007F, C1 controls other than U+0085, U+FFFE, U+FFFF), or a map key whose JSON
/// encoding is longer than 1024 characters.
pub fn to_yaml(v: &Value) -> String {
    if !survives_json_round_trip(v) {
        return String::new();
    }
    let mut e = Emitter::new();
    e.node(v, false);
    // The implicit document end breaks the last line if anything is on it.
    e.write_indent();
    e.out
}

/// How a float looks after JSON encoding and go-yaml decoding: `encoding/json` prints
/// whole numbers below 1e21 without exponent, and go-yaml then reads those as int64 (or
/// uint64) when they fit. Everything else stays a float64.
fn float_text(f: f64) -> String {
    if let Some(json) = go::json::format_float(f) {
        if let Ok(i) = json.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = json.parse::<u64>() {
            return u.to_string();
        }
    }
    go::strconv::format_float(f)
}

/// Whether sigs.k8s.io/yaml can take `v` through JSON and back without an error.
fn survives_json_round_trip(v: &Value) -> bool {
    match v {
        Value::Float(f) => f.is_finite(),
        Value::String(s) => readable_by_yaml(s),
        Value::List(items) => items.iter().all(survives_json_round_trip),
        Value::Map(m) => m.iter().all(|(k, v)| {
            readable_by_yaml(k)
                && go::json::escaped_len(k) + 2 <= MAX_JSON_KEY_CHARS
                && survives_json_round_trip(v)
        }),
        Value::Null | Value::Bool(_) | Value::Int(_) => true,
    }
}

/// `encoding/json` escapes control characters but leaves DEL, C1 controls and
/// non-characters raw, and go-yaml's reader rejects those.
fn readable_by_yaml(s: &str) -> bool {
    !s.chars()
        .any(|c| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'))
}

#[cfg(test)]
mod tests;

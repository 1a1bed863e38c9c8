//! Helpers for walking and comparing value trees.

use qspgb::value::Value;

/// Splits fuzz input into UTF-8 segments at 0xFF, a byte that never occurs in UTF-8: each
/// segment may then hold any text (NUL included) and the fuzzer can still add segments.
/// Invalid UTF-8 inside a segment is replaced, so no input is wasted.
pub fn segments(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == 0xFF)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// Order-sensitive equality: maps compare in insertion order (IndexMap's `==` ignores
/// order), and NaN equals NaN. Debug output captures both.
pub fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Calls `f` on every leaf (anything that is not a non-empty map or list) with its depth.
pub fn for_each_leaf(v: &Value, f: &mut dyn FnMut(&Value)) {
    match v {
        Value::Map(m) if !m.is_empty() => m.values().for_each(|v| for_each_leaf(v, f)),
        Value::List(l) if !l.is_empty() => l.iter().for_each(|v| for_each_leaf(v, f)),
        leaf => f(leaf),
    }
}

/// How deep maps and lists nest (a scalar is 0).
pub fn depth(v: &Value) -> usize {
    match v {
        Value::Map(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::List(l) => 1 + l.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// How many nodes the tree has.
pub fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Map(m) => m.values().map(nodes).sum(),
        Value::List(l) => l.iter().map(nodes).sum(),
        _ => 0,
    }
}

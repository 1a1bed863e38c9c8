//! Checking values against a compiled [`Schema`]: every problem, in input order.

use qspgb_schema::types::{
    ARRAY, BOOLEAN, INTEGER, NAMES as TYPE_NAMES, NULL, NUMBER, OBJECT, STRING,
};
use qspgb_schema::{Additional, Member, Node};

use super::Schema;
use super::format;
use super::problem::{KeyPath, Problem, ProblemKind, Segment};
use crate::value::{Map, Value};

const ROOT: usize = qspgb_schema::Schema::ROOT;

impl Schema {
    /// Every problem of `value` against the whole schema, in input order.
    pub fn validate(&self, value: &Value) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check(ROOT, value, &KeyPath::default(), &mut problems);
        problems
    }

    /// Checks a top-level map whose keys `skip` are checked elsewhere (a dependency's
    /// subtree, by the dependency's schema) and are therefore never unknown here.
    pub fn validate_top_level(
        &self,
        values: &Map,
        skip: &dyn Fn(&str) -> bool,
        path: &KeyPath,
        problems: &mut Vec<Problem>,
    ) {
        let root = self.resolve(ROOT);
        if root.types.is_some_and(|t| t & OBJECT == 0) {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: format!(
                    "expected {}, found object",
                    type_list(root.types.unwrap_or(0))
                ),
            });
            return;
        }
        self.check_object(root, values, path, skip, problems);
    }

    /// Checks `value` at `path` against the whole schema (a dependency's subtree).
    pub fn validate_at(&self, value: &Value, path: &KeyPath, problems: &mut Vec<Problem>) {
        self.check(ROOT, value, path, problems);
    }

    fn resolve(&self, mut index: usize) -> &Node {
        // A chain of references ends: compile() only makes a reference node for "$ref".
        while let Some(next) = self.node(index).reference {
            index = next;
        }
        self.node(index)
    }

    fn check(&self, index: usize, value: &Value, path: &KeyPath, problems: &mut Vec<Problem>) {
        if value.is_null() {
            return;
        }
        let node = self.resolve(index);
        let found = type_of(value);
        if !node.any_of.is_empty() {
            let fitting: Vec<usize> = node
                .any_of
                .iter()
                .copied()
                .filter(|&b| self.accepts_type(b, found))
                .collect();
            if fitting.is_empty() {
                let expected = node
                    .any_of
                    .iter()
                    .map(|&b| self.resolve(b).types.unwrap_or(u8::MAX))
                    .fold(0, |a, b| a | b);
                problems.push(type_problem(path, expected, value));
                return;
            }
            let mut first_failure = None;
            for branch in fitting {
                let mut branch_problems = Vec::new();
                self.check(branch, value, path, &mut branch_problems);
                if branch_problems.is_empty() {
                    first_failure = None;
                    break;
                }
                first_failure.get_or_insert(branch_problems);
            }
            if let Some(branch_problems) = first_failure {
                problems.extend(branch_problems);
                return;
            }
        }
        if let Some(types) = node.types
            && !accepts(types, found)
        {
            problems.push(type_problem(path, types, value));
            return;
        }
        // Control characters first: an enum error quotes what it found, and a line break
        // is named, never shown.
        if let Value::String(s) = value
            && let Err(why) = format::check_characters(s, node.format)
        {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: why,
            });
            return;
        }
        if let Some(allowed) = &node.enumeration
            && !allowed.iter().any(|a| is_member(a, value))
        {
            let list = allowed
                .iter()
                .map(member_text)
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message: format!("expected one of {list}, found {}", scalar_text(value)),
            });
            return;
        }
        match value {
            Value::Int(_) | Value::Float(_) => self.check_number(node, value, path, problems),
            Value::String(s) => {
                if let Some(format) = node.format
                    && let Err((kind, why)) = format::check(format, s)
                {
                    problems.push(Problem {
                        kind,
                        path: path.clone(),
                        message: why,
                    });
                }
                let length = s.chars().count();
                if let Some(min) = node.min_length.filter(|&m| length < m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("must be at least {min} characters long, found {length}"),
                    });
                }
                if let Some(max) = node.max_length.filter(|&m| length > m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("must be at most {max} characters long, found {length}"),
                    });
                }
            }
            Value::List(items) => {
                if let Some(min) = node.min_items.filter(|&m| items.len() < m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("needs at least {min} items, found {}", items.len()),
                    });
                }
                if let Some(max) = node.max_items.filter(|&m| items.len() > m) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        path: path.clone(),
                        message: format!("allows at most {max} items, found {}", items.len()),
                    });
                }
                if let Some(item_schema) = node.items {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &path.child(Segment::Index(i)), problems);
                    }
                }
            }
            Value::Map(map) => self.check_object(node, map, path, &|_| false, problems),
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_number(
        &self,
        node: &Node,
        value: &Value,
        path: &KeyPath,
        problems: &mut Vec<Problem>,
    ) {
        let n = match value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return,
        };
        let shown = scalar_text(value);
        let mut fail = |message: String| {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: path.clone(),
                message,
            })
        };
        if let Some(min) = node.minimum.filter(|&m| n < m) {
            fail(format!("must be at least {min}, found {shown}"));
        }
        if let Some(max) = node.maximum.filter(|&m| n > m) {
            fail(format!("must be at most {max}, found {shown}"));
        }
        if let Some(min) = node.exclusive_minimum.filter(|&m| n <= m) {
            fail(format!("must be greater than {min}, found {shown}"));
        }
        if let Some(max) = node.exclusive_maximum.filter(|&m| n >= m) {
            fail(format!("must be less than {max}, found {shown}"));
        }
    }

    fn check_object(
        &self,
        node: &Node,
        map: &Map,
        path: &KeyPath,
        skip: &dyn Fn(&str) -> bool,
        problems: &mut Vec<Problem>,
    ) {
        for (key, value) in map {
            if skip(key) {
                continue;
            }
            let at = path.child(Segment::Key(key.clone()));
            // Keys the user chooses (a map of names to values) are data like values: the
            // templates write them as keys, so the same rules hold, and `propertyNames`
            // says which names the map takes.
            let property = node.property(key);
            if property.is_none() {
                self.check_key(node, key, &at, problems);
            }
            if let Some(property) = property {
                self.check(property, value, &at, problems);
                continue;
            }
            match node.additional {
                Additional::Any => {}
                Additional::Schema(index) => self.check(index, value, &at, problems),
                Additional::Forbidden => problems.push(Problem {
                    kind: ProblemKind::UnknownKey,
                    path: at,
                    message: unknown_key_message(key, node.property_keys()),
                }),
            }
        }
        for key in node.required.iter() {
            if map.get(key.as_ref()).is_none_or(Value::is_null) && !skip(key) {
                problems.push(Problem {
                    kind: ProblemKind::Invalid,
                    path: path.clone(),
                    message: format!("missing required key {key:?}"),
                });
            }
        }
    }

    /// A key of a map the schema describes: no control characters where the map's other
    /// keys are given by the user (`additionalProperties` a schema), and `propertyNames`.
    fn check_key(&self, node: &Node, key: &str, at: &KeyPath, problems: &mut Vec<Problem>) {
        if matches!(node.additional, Additional::Forbidden) && node.property_names.is_none() {
            // An unknown key, reported as one.
            return;
        }
        let free = matches!(node.additional, Additional::Any) && node.property_names.is_none();
        if free {
            // A Kubernetes object passed through: its keys are serialized by toYaml.
            return;
        }
        if key.is_empty() {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: at.clone(),
                message: "the key is empty".into(),
            });
            return;
        }
        if let Err(why) = format::check_characters(key, None) {
            problems.push(Problem {
                kind: ProblemKind::Invalid,
                path: at.clone(),
                message: format!("the key {why}"),
            });
            return;
        }
        if let Some(names) = node.property_names {
            let mut key_problems = Vec::new();
            self.check(
                names,
                &Value::String(key.to_string()),
                at,
                &mut key_problems,
            );
            problems.extend(key_problems.into_iter().map(|mut p| {
                p.message = format!("the key: {}", p.message);
                p
            }));
        }
    }

    fn accepts_type(&self, index: usize, found: u8) -> bool {
        let node = self.resolve(index);
        if !node.any_of.is_empty() {
            return node.any_of.iter().any(|&b| self.accepts_type(b, found));
        }
        node.types.is_none_or(|t| accepts(t, found))
    }

    /// The keys a map at the top level may have (for suggestions elsewhere).
    pub fn top_level_keys(&self) -> impl Iterator<Item = &str> {
        self.resolve(ROOT).property_keys()
    }

    /// Whether the dotted `path` (`config.pgbouncer.pool_mode`) is a key the schema
    /// allows: each step a named property, or a key of a map whose other keys are free
    /// (`config.pgbouncer` takes any setting name). Hints name only such keys.
    pub fn allows_key_path(&self, path: &str) -> bool {
        let mut node = self.resolve(ROOT);
        for key in path.split('.') {
            node = match (node.property(key), node.additional) {
                (Some(index), _) => self.resolve(index),
                (None, Additional::Schema(index)) => self.resolve(index),
                (None, Additional::Any) => return true,
                (None, Additional::Forbidden) => return false,
            };
        }
        true
    }
}

impl Problem {
    /// The key of an unknown-key problem ([`ProblemKind::UnknownKey`], whose path ends at
    /// that key), so a caller that knows more (the chart's aliases) can give a better hint.
    pub fn unknown_key(&self) -> Option<&str> {
        match (self.kind, self.path.0.last()) {
            (ProblemKind::UnknownKey, Some(Segment::Key(key))) => Some(key),
            _ => None,
        }
    }
}

/// The type bit of a value; a whole float counts as an integer, as in JSON Schema.
fn type_of(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Int(_) => INTEGER,
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => INTEGER,
        Value::Float(_) => NUMBER,
        Value::String(_) => STRING,
        Value::List(_) => ARRAY,
        Value::Map(_) => OBJECT,
    }
}

/// Whether a type set allows a found type: "number" includes the integers.
fn accepts(types: u8, found: u8) -> bool {
    types & found != 0 || (found == INTEGER && types & NUMBER != 0)
}

fn type_list(types: u8) -> String {
    let names: Vec<&str> = TYPE_NAMES
        .iter()
        .filter(|(bit, _)| types & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    match names.as_slice() {
        [] => "nothing".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn type_problem(path: &KeyPath, expected: u8, value: &Value) -> Problem {
    let found = match value {
        Value::Float(_) if type_of(value) == NUMBER => "number",
        Value::Int(_) | Value::Float(_) => "integer",
        Value::Bool(_) => "boolean",
        Value::String(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Null => "null",
    };
    let mut message = format!("expected {}, found {found}", type_list(expected));
    // YAML reads `tag: 1.10` as the number 1.1 and `enabled: "true"` as text; say how to
    // write what was meant, without echoing the value itself.
    if expected & STRING != 0 && matches!(value, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
        message.push_str(" (quote it to make it a string)");
    } else if let Value::String(text) = value {
        // Only when the text would be right without its quotes: then the quotes (or
        // --set-string) are the mistake.
        let as_number = expected & (INTEGER | NUMBER) != 0 && text.trim().parse::<f64>().is_ok();
        let as_boolean = expected & BOOLEAN != 0 && matches!(text.as_str(), "true" | "false");
        if as_number || as_boolean {
            message.push_str(" (remove the quotes, or use --set rather than --set-string)");
        }
    }
    Problem {
        kind: ProblemKind::Invalid,
        path: path.clone(),
        message,
    }
}

/// Whether `value` is the `enum` member `member`.
fn is_member(member: &Member, value: &Value) -> bool {
    match (member, value) {
        (Member::Text(text), Value::String(s)) => text == s,
        (Member::Text(_), _) => false,
        (Member::Value(member), value) => same_value(member, value),
    }
}

/// Equality as JSON Schema's `enum` sees it: numbers by value, whatever their variant.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// An `enum` member as it reads in a message ([`scalar_text`]).
fn member_text(member: &Member) -> String {
    match member {
        Member::Text(text) => string_text(text),
        Member::Value(value) => scalar_text(value),
    }
}

/// A scalar as it reads in a message: strings as [`string_text`] shows them.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => string_text(s),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(_) => "an array".into(),
        Value::Map(_) => "an object".into(),
    }
}

/// A string as it reads in a message: quoted and cut at 40 characters.
fn string_text(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{:?}…", s.chars().take(40).collect::<String>())
    } else {
        format!("{s:?}")
    }
}

/// `unknown key "x"`, with the closest allowed key, or the allowed keys when they are few.
pub fn unknown_key_message<'a>(
    key: &str,
    allowed: impl Iterator<Item = &'a str> + Clone,
) -> String {
    if let Some(best) = crate::suggest::closest(key, allowed.clone()) {
        return format!("unknown key {key:?} (did you mean {best:?}?)");
    }
    let allowed: Vec<&str> = allowed.collect();
    if allowed.is_empty() {
        format!("unknown key {key:?} (no keys are allowed here)")
    } else if allowed.len() <= 12 {
        format!(
            "unknown key {key:?} (expected one of: {})",
            allowed.join(", ")
        )
    } else {
        format!("unknown key {key:?}")
    }
}

//! The port of Helm's `pkg/strvals/parser.go`: paths of keys and indexes, Helm's typing of
//! `--set` values, and its corner cases (see the module above).

use std::fmt;

use super::{Budget, MAX_LIST_SLOTS, SetError, json};
use crate::value::{Map, Value, is_secret_path};

/// Helm refuses list indexes above this, so that `a[999999999]=x` cannot exhaust memory.
const MAX_INDEX: usize = 65536;

/// Helm's limit on dots in a key path (`a.b.c` has two).
pub(super) const MAX_NAME_NESTING: usize = 30;

/// Our own limit on how deep one assignment may reach through maps and lists together.
/// Helm counts only dots, so `a[0][0][0]...` and `a[0].b[0].c...` are unbounded there; here
/// they are bounded so that a hostile expression cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// How much of the failing expression an error message quotes.
const MAX_FRAGMENT_CHARS: usize = 60;

/// How the right-hand side of an assignment is read.
pub(super) enum Mode<'a> {
    Typed,
    Strings,
    File(&'a mut dyn FnMut(&str) -> Result<String, String>),
    Json,
    Literal,
}

/// Whether parsing goes on after an assignment. Helm treats running out of input in the
/// middle of a path (`a[0]`, `a.`) as a normal end rather than an error, so the recursive
/// functions need a way to report "stop here, successfully".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    End,
}

/// What an assignment targets, for error messages.
#[derive(Clone, Copy)]
enum Target<'k> {
    Key(&'k str),
    Index(usize),
}

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Key(name) => write!(f, "key {name:?}"),
            Target::Index(i) => write!(f, "index {i}"),
        }
    }
}

pub(super) struct Parser<'a> {
    input: Vec<char>,
    pos: usize,
    /// Where the assignment being parsed began, to quote it in errors.
    start: usize,
    /// Where the value being read began, when its key path names a secret (a password, a
    /// userlist entry): errors quote nothing from there on.
    secret_from: Option<usize>,
    /// The key path of the first secret whose value was read. Whatever follows that value
    /// may be the rest of the secret (a password cut at an unescaped comma, or after a JSON
    /// prefix such as `1` or `true`), so later errors describe a position, never the text.
    after_secret: Option<String>,
    mode: Mode<'a>,
    budget: &'a mut Budget,
    /// The key path being parsed, from the map the expression is parsed into.
    path: Vec<Step>,
    /// Every path a value was stored at, in the order stored: what the expression sets
    /// on its own ([`own_values`]).
    stored: Vec<Stored>,
}

/// A path the expression stored something at.
#[derive(Debug, Clone)]
pub(super) enum Stored {
    /// A value (or a map or list that the expression created).
    Value(Vec<Step>),
    /// A map or list that already existed: the expression alone would have created it,
    /// as this empty one.
    Container(Vec<Step>, Value),
}

/// One step of a key path: a map key or a list index.
#[derive(Debug, Clone)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

impl<'a> Parser<'a> {
    pub(super) fn new(expr: &str, mode: Mode<'a>, budget: &'a mut Budget) -> Self {
        Parser {
            input: expr.chars().collect(),
            pos: 0,
            start: 0,
            secret_from: None,
            after_secret: None,
            mode,
            budget,
            path: Vec::new(),
            stored: Vec::new(),
        }
    }

    /// Notes that a value was stored at the current path plus `step`.
    fn record(&mut self, step: Step) {
        let mut path = self.path.clone();
        path.push(step);
        self.stored.push(Stored::Value(path));
    }

    /// Parses the whole expression into `dest`; gives the paths it stored values at.
    pub(super) fn run(mut self, dest: &mut Map) -> Result<Vec<Stored>, SetError> {
        // Every round that returns `Continue` has consumed at least the `=` of an
        // assignment, so this loop ends.
        loop {
            self.start = self.pos;
            if self.assign_in_map(dest, 0, 0)? == Flow::End {
                return Ok(self.stored);
            }
        }
    }

    fn fail(&self, message: impl Into<String>) -> SetError {
        if let Some(key) = &self.after_secret {
            return self.fail_after_secret(key);
        }
        let mut end = self.pos.min(self.input.len());
        let mut cut = "";
        if let Some(from) = self.secret_from.filter(|&from| from < end) {
            end = from;
            cut = "…";
        }
        let consumed = &self.input[self.start.min(end)..end];
        let fragment = if consumed.len() > MAX_FRAGMENT_CHARS {
            let tail = &consumed[consumed.len() - MAX_FRAGMENT_CHARS..];
            format!("…{}{cut}", tail.iter().collect::<String>())
        } else {
            format!("{}{cut}", consumed.iter().collect::<String>())
        };
        SetError::new(message, fragment)
    }

    /// The error for anything wrong after a secret's value: where, never what. The text
    /// there is most often the rest of the secret, cut at a comma or after a JSON prefix.
    fn fail_after_secret(&self, key: &str) -> SetError {
        let hint = match self.mode {
            Mode::Json => "write a secret as a JSON string, in double quotes",
            _ => "escape a comma in a secret as \\,",
        };
        SetError::new(
            format!(
                "the text after the value of secret key {key} is not a valid assignment \
                 (error at character {}); it is not shown, in case it is part of the secret \
                 ({hint})",
                self.pos.min(self.input.len())
            ),
            "",
        )
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn peek(&self) -> Option<char> {
        self.input.get(self.pos).copied()
    }

    /// Reads up to (and consumes) the first character in `stops`; `None` means the input
    /// ran out first. Outside literal mode a backslash takes the next character as-is, and
    /// a backslash at the very end is dropped.
    fn read_until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let escapes = !self.literal();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            if stops.contains(&c) {
                return (text, Some(c));
            }
            if escapes && c == '\\' {
                match self.peek() {
                    Some(next) => {
                        text.push(next);
                        self.pos += 1;
                    }
                    None => break,
                }
            } else {
                text.push(c);
            }
        }
        (text, None)
    }

    fn check_depth(&self, depth: usize) -> Result<(), SetError> {
        if depth > MAX_DEPTH {
            return Err(self.fail(format!(
                "expression nests deeper than the supported {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }

    /// Parses a path that continues with a key into `map`, then its value. `dots` counts
    /// the dots of the path so far (Helm's nesting limit); `depth` counts every level.
    fn assign_in_map(
        &mut self,
        map: &mut Map,
        dots: usize,
        depth: usize,
    ) -> Result<Flow, SetError> {
        self.check_depth(depth)?;
        let stops: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (name, stop) = self.read_until(stops);
        match stop {
            None if name.is_empty() => Ok(Flow::End),
            None => Err(self.fail(format!("key {name:?} has no value"))),
            Some('=') => {
                let value = self.read_value(Target::Key(&name))?;
                if !name.is_empty() {
                    self.record(Step::Key(name.clone()));
                }
                set_key(map, name, value);
                Ok(Flow::Continue)
            }
            Some('.') => {
                let dots = dots + 1;
                if dots > MAX_NAME_NESTING {
                    return Err(self.fail(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NAME_NESTING}"
                    )));
                }
                self.path.push(Step::Key(name.clone()));
                let flow = match map.get_mut(&name) {
                    Some(Value::Map(inner)) => {
                        let flow = self.assign_in_map(inner, dots, depth + 1)?;
                        if flow == Flow::Continue && inner.is_empty() {
                            return Err(self.fail(format!("key map {name:?} has no value")));
                        }
                        Ok(flow)
                    }
                    Some(other) => Err(self.mismatch(Target::Key(&name), other, "map")),
                    None => {
                        let mut inner = Map::default();
                        let flow = self.assign_in_map(&mut inner, dots, depth + 1)?;
                        // Helm only adds the map if something landed in it; `a.=x` sets
                        // nothing and is reported, `a.` at the end sets nothing silently.
                        if inner.is_empty() {
                            if flow == Flow::Continue {
                                return Err(self.fail(format!("key map {name:?} has no value")));
                            }
                        } else {
                            self.path.pop();
                            if !name.is_empty() {
                                self.record(Step::Key(name.clone()));
                            }
                            set_key(map, name, Value::Map(inner));
                            return Ok(flow);
                        }
                        Ok(flow)
                    }
                };
                self.path.pop();
                flow
            }
            Some('[') => {
                let index = self.read_index()?;
                self.path.push(Step::Key(name.clone()));
                let flow = match map.get_mut(&name) {
                    Some(Value::List(list)) => {
                        let flow = self.assign_in_list(list, index, dots, depth + 1);
                        if !name.is_empty() {
                            self.stored.push(Stored::Container(
                                self.path.clone(),
                                Value::List(Vec::new()),
                            ));
                        }
                        flow
                    }
                    Some(other) => Err(self.mismatch(Target::Key(&name), other, "list")),
                    None => {
                        let mut list = Vec::new();
                        let flow = self.assign_in_list(&mut list, index, dots, depth + 1)?;
                        // Unlike maps, Helm stores the list even when nothing went into it,
                        // which is how `noval[0]` yields `noval: []`.
                        self.path.pop();
                        if !name.is_empty() {
                            self.record(Step::Key(name.clone()));
                        }
                        set_key(map, name, Value::List(list));
                        return Ok(flow);
                    }
                };
                self.path.pop();
                flow
            }
            // The only stop left is a comma: a key with no `=` before the next assignment.
            Some(_) => Err(self.fail(format!("key {name:?} has no value (cannot end with ,)"))),
        }
    }

    /// Parses what follows `[index]`: a value, a nested index or a `.key` path.
    fn assign_in_list(
        &mut self,
        list: &mut Vec<Value>,
        index: i64,
        dots: usize,
        depth: usize,
    ) -> Result<Flow, SetError> {
        self.check_depth(depth)?;
        let Ok(index) = usize::try_from(index) else {
            return Err(self.fail(format!("negative index {index} not allowed")));
        };
        let (junk, stop) = self.read_until(&['[', '.', '=']);
        if !junk.is_empty() {
            return Err(self.fail(format!("unexpected data at end of array index: {junk:?}")));
        }
        match stop {
            None => Ok(Flow::End),
            Some('=') => {
                let value = self.read_value(Target::Index(index))?;
                self.set_index(list, index, value)?;
                self.record(Step::Index(index));
                Ok(Flow::Continue)
            }
            Some('[') => {
                let next = self.read_index()?;
                self.path.push(Step::Index(index));
                let flow = match list.get_mut(index) {
                    Some(Value::List(inner)) => {
                        let flow = self.assign_in_list(inner, next, dots, depth + 1);
                        if flow == Ok(Flow::Continue) {
                            self.stored.push(Stored::Container(
                                self.path.clone(),
                                Value::List(Vec::new()),
                            ));
                        }
                        flow
                    }
                    None | Some(Value::Null) => {
                        let mut inner = Vec::new();
                        let flow = self.assign_in_list(&mut inner, next, dots, depth + 1)?;
                        self.path.pop();
                        if flow == Flow::Continue {
                            self.set_index(list, index, Value::List(inner))?;
                            self.record(Step::Index(index));
                        }
                        return Ok(flow);
                    }
                    Some(other) => Err(self.mismatch(Target::Index(index), other, "list")),
                };
                self.path.pop();
                flow
            }
            // The only stop left is `.`: a map inside the list.
            _ => {
                self.path.push(Step::Index(index));
                let (result, fresh) = match list.get_mut(index) {
                    Some(slot) => {
                        // Helm replaces whatever sits at the index with a fresh map rather
                        // than failing, so `a[0]=x,a[0].b=y` ends as `a: [{b: y}]`.
                        let (mut inner, fresh) = match std::mem::take(slot) {
                            Value::Map(existing) => (existing, false),
                            _ => (Map::default(), true),
                        };
                        let result = self.assign_in_map(&mut inner, dots, depth + 1);
                        *slot = Value::Map(inner);
                        (result, fresh)
                    }
                    None => {
                        let mut inner = Map::default();
                        let flow = self.assign_in_map(&mut inner, dots, depth + 1)?;
                        if flow == Flow::Continue {
                            self.set_index(list, index, Value::Map(inner))?;
                        }
                        (Ok(flow), true)
                    }
                };
                self.path.pop();
                // A fresh map holds only what this expression put there.
                if result == Ok(Flow::Continue) {
                    if fresh {
                        self.record(Step::Index(index));
                    } else {
                        let mut path = self.path.clone();
                        path.push(Step::Index(index));
                        self.stored
                            .push(Stored::Container(path, Value::Map(Map::default())));
                    }
                }
                result
            }
        }
    }

    /// Reads the index after `[`, through the closing `]`.
    fn read_index(&mut self) -> Result<i64, SetError> {
        let (text, stop) = self.read_until(&[']']);
        if stop.is_none() {
            return Err(self.fail("error parsing index: missing ']'"));
        }
        // Same syntax as Go's strconv.Atoi: optional sign, decimal digits, nothing else.
        text.parse::<i64>().map_err(|_| {
            self.fail(format!(
                "error parsing index: {text:?} is not a valid integer"
            ))
        })
    }

    fn set_index(
        &mut self,
        list: &mut Vec<Value>,
        index: usize,
        value: Value,
    ) -> Result<(), SetError> {
        if index > MAX_INDEX {
            return Err(self.fail(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )));
        }
        if index >= list.len() {
            let added = index + 1 - list.len();
            if added > self.budget.slots_left {
                return Err(self.fail(format!(
                    "the value flags would create more than {MAX_LIST_SLOTS} list items in \
                     all (an index pads its list with nulls: [{index}] adds {added})"
                )));
            }
            self.budget.slots_left -= added;
            list.resize(index + 1, Value::Null);
        }
        list[index] = value;
        Ok(())
    }

    fn mismatch(&self, target: Target<'_>, found: &Value, wanted: &str) -> SetError {
        self.fail(format!(
            "unable to parse key: {target} already holds a value of type {}, not a {wanted}",
            found.type_name()
        ))
    }

    /// Reads the right-hand side of an assignment (the `=` is already consumed).
    fn read_value(&mut self, target: Target<'_>) -> Result<Value, SetError> {
        let path: String = self.input[self.start..self.pos.saturating_sub(1)]
            .iter()
            .collect();
        if !is_secret_path(&path) {
            return self.read_value_as_is(target);
        }
        // README: errors never print secrets, and errors land in CI and Argo CD logs.
        self.secret_from = Some(self.pos);
        let read = self.read_value_as_is(target).map_err(|e| match self.mode {
            // A JSON error names the character it stumbled on.
            Mode::Json => self.fail(format!(
                "invalid JSON value for {target} (the value is not shown: it is a secret)"
            )),
            _ => e,
        });
        // Everything after this value may still be the secret (see `after_secret`).
        if read.is_ok() && self.after_secret.is_none() {
            self.after_secret = Some(path);
        }
        read
    }

    fn read_value_as_is(&mut self, target: Target<'_>) -> Result<Value, SetError> {
        match self.mode {
            Mode::Literal => {
                let rest: String = self.input[self.pos..].iter().collect();
                self.pos = self.input.len();
                Ok(Value::String(rest))
            }
            Mode::Json => self.read_json_value(target),
            Mode::Typed | Mode::Strings | Mode::File(_) => self.read_plain_value(),
        }
    }

    /// A scalar up to the next unescaped comma, or a `{a,b}` list.
    fn read_plain_value(&mut self) -> Result<Value, SetError> {
        match self.peek() {
            // `name=` at the very end: Helm stores "" without converting (or reading a file).
            None => Ok(Value::String(String::new())),
            Some('{') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    let (text, stop) = self.read_until(&[',', '}']);
                    match stop {
                        None => return Err(self.fail("list must terminate with '}'")),
                        Some('}') => {
                            // A comma after `}` separates assignments; anything else starts
                            // the next one directly, as in Helm (`a={x}b=1`).
                            if self.peek() == Some(',') {
                                self.pos += 1;
                            }
                            items.push(self.convert(text)?);
                            return Ok(Value::List(items));
                        }
                        Some(_) => items.push(self.convert(text)?),
                    }
                }
            }
            Some(_) => {
                let (text, _) = self.read_until(&[',']);
                self.convert(text)
            }
        }
    }

    fn convert(&mut self, text: String) -> Result<Value, SetError> {
        let read = match &mut self.mode {
            Mode::Typed => return Ok(typed_value(text)),
            Mode::File(read_file) => read_file(&text),
            Mode::Strings | Mode::Json | Mode::Literal => return Ok(Value::String(text)),
        };
        read.map(Value::String)
            .map_err(|e| self.fail(format!("unable to read file {text:?}: {e}")))
    }

    /// One JSON value (or nothing, meaning null), then the blanks and comma after it.
    fn read_json_value(&mut self, target: Target<'_>) -> Result<Value, SetError> {
        if self.skip_blanks_and_comma() {
            return Ok(Value::Null);
        }
        let rest: String = self.input[self.pos..].iter().collect();
        let (value, taken) = match json::leading_value(&rest) {
            Ok(read) => read,
            Err(e) => {
                self.pos = (self.pos + e.at).saturating_add(1);
                return Err(self.fail(format!("invalid JSON value for {target}: {}", e.message)));
            }
        };
        self.pos += taken;
        self.skip_blanks_and_comma();
        Ok(value)
    }

    /// Skips whitespace, then one comma if there is one. True if the value slot was empty
    /// (a comma or the end came before anything else).
    fn skip_blanks_and_comma(&mut self) -> bool {
        while let Some(c) = self.peek() {
            if c == ',' {
                self.pos += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.pos += 1;
        }
        true
    }
}

/// Helm's `set`: an empty key is silently not stored (so `=x` and `.a=x` do nothing).
fn set_key(map: &mut Map, key: String, value: Value) {
    if !key.is_empty() {
        map.insert(key, value);
    }
}

/// Helm's typing of `--set` scalars.
pub(super) fn typed_value(text: String) -> Value {
    if equal_fold(&text, "true") {
        Value::Bool(true)
    } else if equal_fold(&text, "false") {
        Value::Bool(false)
    } else if equal_fold(&text, "null") {
        Value::Null
    } else if text == "0" {
        Value::Int(0)
    } else if text.starts_with('0') {
        // Leading zeros mark identifiers (`007`, zip codes), not numbers.
        Value::String(text)
    } else {
        match text.parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => Value::String(text),
        }
    }
}

/// Go's `strings.EqualFold` against a lowercase ASCII `word`, which is how Helm recognizes
/// `true`, `false` and `null`. It folds case the Unicode way, where two non-ASCII letters
/// fold to ASCII ones: `ſ` (U+017F) to `s` and the Kelvin sign (U+212A) to `k`, so Helm
/// reads `falſe` as false. An ASCII-only comparison would make it a string.
fn equal_fold(text: &str, word: &str) -> bool {
    let fold = |c: char| match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    };
    text.chars().map(fold).eq(word.chars())
}

/// What an expression set on its own, from the map it was parsed into: the values at the
/// `stored` paths, in a tree of their own (lists padded with nulls up to an index). This
/// is the tree the expression would have built in an empty map, so a schema check can
/// attribute problems to the flag without parsing it again.
pub(super) fn own_values(dest: &Map, stored: &[Stored]) -> Map {
    let mut own = Value::Map(Map::default());
    for entry in stored {
        match entry {
            Stored::Value(path) => {
                if let Some(value) = value_at(dest, path) {
                    put(&mut own, path, value.clone());
                }
            }
            Stored::Container(path, empty) => {
                if value_at_value(&own, path).is_none() {
                    put(&mut own, path, empty.clone());
                }
            }
        }
    }
    match own {
        Value::Map(own) => own,
        _ => unreachable!("paths start with a key"),
    }
}

fn value_at_value<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    match value {
        Value::Map(map) => value_at(map, path),
        _ => None,
    }
}

fn value_at<'v>(map: &'v Map, path: &[Step]) -> Option<&'v Value> {
    let (Step::Key(first), rest) = path.split_first()? else {
        return None;
    };
    let mut here = map.get(first)?;
    for step in rest {
        here = match (step, here) {
            (Step::Key(key), Value::Map(inner)) => inner.get(key)?,
            (Step::Index(i), Value::List(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(here)
}

fn put(slot: &mut Value, path: &[Step], value: Value) {
    let Some((step, rest)) = path.split_first() else {
        *slot = value;
        return;
    };
    match step {
        Step::Key(key) => {
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Map::default());
            }
            if let Value::Map(inner) = slot {
                put(inner.entry(key.clone()).or_insert(Value::Null), rest, value);
            }
        }
        Step::Index(i) => {
            if !matches!(slot, Value::List(_)) {
                *slot = Value::List(Vec::new());
            }
            if let Value::List(items) = slot {
                if items.len() <= *i {
                    items.resize(i + 1, Value::Null);
                }
                put(&mut items[*i], rest, value);
            }
        }
    }
}

//! The `--set` family of flags: `--set`, `--set-string`, `--set-json`, `--set-file` and
//! `--set-literal`, parsed the way Helm's `pkg/strvals` parses them.
//!
//! An expression is a comma-separated list of `path=value` assignments. A path is a chain of
//! map keys separated by `.` and list indexes in brackets (`a.b[0].c`, `m[1][2]`). Lists grow
//! to fit an index, padding with nulls. In every flavour except `--set-literal`, `\` makes the
//! next character ordinary, so `a\.b=x` sets the key `a.b`.
//!
//! Helm's parser has many corner cases that users depend on without knowing it (an assignment
//! that ends right after `[0]` is accepted, `{}` is a list holding one empty string, a dotted
//! key through an existing empty map is an error but through a non-empty one is not). This
//! module keeps them, because a renderer that agrees with Helm on the common cases but not on
//! these produces different manifests from the same command line.

use std::fmt;

use crate::value::{Map, Value, is_secret_path};

/// Helm refuses list indexes above this, so that `a[999999999]=x` cannot exhaust memory.
const MAX_INDEX: usize = 65536;

/// The most list slots that the value flags of one command line may add together, the
/// nulls that pad a list up to an index included. Helm's index limit alone lets 2 KB of
/// `a0[65535]=1,a1[65535]=1,…` build millions of values (gigabytes, and a crash at 8 KB);
/// two full-size lists are more than any chart value needs.
pub const MAX_LIST_SLOTS: usize = 131_072;

/// What is left of [`MAX_LIST_SLOTS`] for the flags still to be parsed: one budget is
/// shared by every value flag of a command line.
#[derive(Debug, Clone)]
pub struct Budget {
    slots_left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            slots_left: MAX_LIST_SLOTS,
        }
    }
}

/// The flavours of `--set` that need no file reading, for [`parse_flag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `--set`: typed scalars.
    Set,
    /// `--set-string`: strings.
    SetString,
    /// `--set-json`: JSON values or one JSON object.
    SetJson,
    /// `--set-literal`: one string, taken literally.
    SetLiteral,
}

/// Parses one flag's expression of `flavor` into `dest`, drawing on `budget` (shared by
/// all the flags of a command line; see [`MAX_LIST_SLOTS`]).
pub fn parse_flag(
    flavor: Flavor,
    expr: &str,
    dest: &mut Map,
    budget: &mut Budget,
) -> Result<(), SetError> {
    let mode = match flavor {
        Flavor::Set => Mode::Typed,
        Flavor::SetString => Mode::Strings,
        Flavor::SetLiteral => Mode::Literal,
        Flavor::SetJson => {
            let trimmed = expr.trim();
            if trimmed.starts_with('{') {
                return merge_json_object(trimmed, dest);
            }
            Mode::Json
        }
    };
    Parser::new(expr, mode, budget).run(dest)
}

/// Helm's limit on dots in a key path (`a.b.c` has two).
const MAX_NAME_NESTING: usize = 30;

/// Our own limit on how deep one assignment may reach through maps and lists together.
/// Helm counts only dots, so `a[0][0][0]...` and `a[0].b[0].c...` are unbounded there; here
/// they are bounded so that a hostile expression cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// How deep a `--set-json` value may nest; the YAML library behind `parse_json` stops at 128.
const MAX_JSON_DEPTH: usize = 128;

/// How much of the failing expression an error message quotes.
const MAX_FRAGMENT_CHARS: usize = 60;

/// Error of a `--set`-style expression; Display gives a clear message naming the expression part that failed.
///
/// The message says what was wrong (in Helm's words where Helm has them, e.g.
/// `key "x" has no value`) and, when there is one, quotes the part of the expression read
/// up to the point of failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError {
    message: String,
    fragment: String,
}

impl SetError {
    /// What went wrong, without the quoted expression fragment.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The part of the expression read when the error was found (possibly shortened to its end).
    pub fn fragment(&self) -> &str {
        &self.fragment
    }
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fragment.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} (in {:?})", self.message, self.fragment)
        }
    }
}

impl std::error::Error for SetError {}

/// The longest expression [`quote_expression`] quotes whole.
const MAX_QUOTED_CHARS: usize = 100;

/// An expression as an error message names it: quoted, shortened when long, and withheld
/// when it sets a secret (a password or a userlist entry), because errors end up in CI and
/// Argo CD logs. The error itself still quotes the failing assignment, without its value
/// when that is the secret.
///
/// ```
/// use qspgb::values::strvals::quote_expression;
/// assert_eq!(quote_expression("a[x]=1"), r#""a[x]=1""#);
/// assert_eq!(
///     quote_expression("config.adminPassword=hunter2,x"),
///     "(expression not shown: it sets a password or userlist)"
/// );
/// ```
pub fn quote_expression(expr: &str) -> String {
    if is_secret_path(expr) {
        return "(expression not shown: it sets a password or userlist)".into();
    }
    if expr.chars().count() > MAX_QUOTED_CHARS {
        let head: String = expr.chars().take(MAX_QUOTED_CHARS).collect();
        return format!("{head:?}… ({} characters)", expr.chars().count());
    }
    format!("{expr:?}")
}

/// Parses a `--set` expression into `dest`, turning values into typed scalars.
///
/// `true`/`false` (any case) become booleans, `null` (any case) becomes null, and a base-10
/// integer becomes [`Value::Int`] unless it starts with `0` (so `0123` stays a string, while
/// `0`, `-012` and `+7` are numbers, as in Helm). Everything else is a string. `{a,b}` is a
/// list. Existing nested maps and lists in `dest` are updated in place; on error `dest` may
/// already hold the assignments before the failing one.
///
/// ```
/// use qspgb::value::{Map, Value};
/// use qspgb::values::strvals::parse_set;
///
/// let mut values = Map::default();
/// parse_set("image.tag=1.2,replicas=3,ports={80,443},hosts[1]=b", &mut values).unwrap();
/// let values = Value::Map(values);
/// assert_eq!(values.path("image.tag"), Some(&Value::from("1.2")));
/// assert_eq!(values.path("replicas"), Some(&Value::Int(3)));
/// assert_eq!(
///     values.path("ports"),
///     Some(&Value::List(vec![Value::Int(80), Value::Int(443)]))
/// );
/// assert_eq!(
///     values.path("hosts"),
///     Some(&Value::List(vec![Value::Null, Value::from("b")]))
/// );
///
/// let mut values = Map::default();
/// let err = parse_set("a.b,c=1", &mut values).unwrap_err();
/// assert!(err.to_string().contains(r#"key "b" has no value"#));
/// ```
pub fn parse_set(expr: &str, dest: &mut Map) -> Result<(), SetError> {
    parse_flag(Flavor::Set, expr, dest, &mut Budget::default())
}

/// Parses a `--set-string` expression into `dest`: like [`parse_set`], but every value
/// (including list items) stays a string.
pub fn parse_set_string(expr: &str, dest: &mut Map) -> Result<(), SetError> {
    parse_flag(Flavor::SetString, expr, dest, &mut Budget::default())
}

/// Parses a `--set-json` flag value into `dest`.
///
/// Two forms are accepted, as by Helm's flag: a whole JSON object (`{"a":{"b":1}}`), which
/// is deep-merged into `dest` (nested maps merge, anything else replaces), or
/// `path=<JSON value>` assignments separated by commas (`a=[1,2],b.c={"d":null}`), where an
/// empty value means null. Whole numbers become [`Value::Int`] rather than Helm's float64.
pub fn parse_set_json(expr: &str, dest: &mut Map) -> Result<(), SetError> {
    parse_flag(Flavor::SetJson, expr, dest, &mut Budget::default())
}

/// Parses a `--set-file` expression into `dest`: each value is a path, and what is stored is
/// the text `read_file` returns for it (for `{p1,p2}`, a list of the texts).
///
/// As in Helm, an empty value at the very end of the expression (`a=`) stores an empty string
/// without reading anything, while an empty value elsewhere asks `read_file` for `""`.
pub fn parse_set_file(
    expr: &str,
    dest: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), SetError> {
    parse_set_file_within(expr, dest, read_file, &mut Budget::default())
}

/// [`parse_set_file`] drawing on a shared [`Budget`], as [`parse_flag`].
pub fn parse_set_file_within(
    expr: &str,
    dest: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
    budget: &mut Budget,
) -> Result<(), SetError> {
    Parser::new(expr, Mode::File(read_file), budget).run(dest)
}

/// Parses a `--set-literal` expression into `dest`: everything after the first `=` that
/// ends the path is one string value, commas and backslashes included; nothing is escaped.
pub fn parse_set_literal(expr: &str, dest: &mut Map) -> Result<(), SetError> {
    parse_flag(Flavor::SetLiteral, expr, dest, &mut Budget::default())
}

/// How the right-hand side of an assignment is read.
enum Mode<'a> {
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

struct Parser<'a> {
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
}

impl<'a> Parser<'a> {
    fn new(expr: &str, mode: Mode<'a>, budget: &'a mut Budget) -> Self {
        Parser {
            input: expr.chars().collect(),
            pos: 0,
            start: 0,
            secret_from: None,
            after_secret: None,
            mode,
            budget,
        }
    }

    fn run(mut self, dest: &mut Map) -> Result<(), SetError> {
        // Every round that returns `Continue` has consumed at least the `=` of an
        // assignment, so this loop ends.
        loop {
            self.start = self.pos;
            if self.assign_in_map(dest, 0, 0)? == Flow::End {
                return Ok(());
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
        SetError {
            message: message.into(),
            fragment,
        }
    }

    /// The error for anything wrong after a secret's value: where, never what. The text
    /// there is most often the rest of the secret, cut at a comma or after a JSON prefix.
    fn fail_after_secret(&self, key: &str) -> SetError {
        let hint = match self.mode {
            Mode::Json => "write a secret as a JSON string, in double quotes",
            _ => "escape a comma in a secret as \\,",
        };
        SetError {
            message: format!(
                "the text after the value of secret key {key} is not a valid assignment \
                 (error at character {}); it is not shown, in case it is part of the secret \
                 ({hint})",
                self.pos.min(self.input.len())
            ),
            fragment: String::new(),
        }
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
                match map.get_mut(&name) {
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
                            set_key(map, name, Value::Map(inner));
                        }
                        Ok(flow)
                    }
                }
            }
            Some('[') => {
                let index = self.read_index()?;
                match map.get_mut(&name) {
                    Some(Value::List(list)) => self.assign_in_list(list, index, dots, depth + 1),
                    Some(other) => Err(self.mismatch(Target::Key(&name), other, "list")),
                    None => {
                        let mut list = Vec::new();
                        let flow = self.assign_in_list(&mut list, index, dots, depth + 1)?;
                        // Unlike maps, Helm stores the list even when nothing went into it,
                        // which is how `noval[0]` yields `noval: []`.
                        set_key(map, name, Value::List(list));
                        Ok(flow)
                    }
                }
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
                Ok(Flow::Continue)
            }
            Some('[') => {
                let next = self.read_index()?;
                match list.get_mut(index) {
                    Some(Value::List(inner)) => self.assign_in_list(inner, next, dots, depth + 1),
                    None | Some(Value::Null) => {
                        let mut inner = Vec::new();
                        let flow = self.assign_in_list(&mut inner, next, dots, depth + 1)?;
                        if flow == Flow::Continue {
                            self.set_index(list, index, Value::List(inner))?;
                        }
                        Ok(flow)
                    }
                    Some(other) => Err(self.mismatch(Target::Index(index), other, "list")),
                }
            }
            // The only stop left is `.`: a map inside the list.
            _ => match list.get_mut(index) {
                Some(slot) => {
                    // Helm replaces whatever sits at the index with a fresh map rather than
                    // failing, so `a[0]=x,a[0].b=y` ends as `a: [{b: y}]`.
                    let mut inner = match std::mem::take(slot) {
                        Value::Map(existing) => existing,
                        _ => Map::default(),
                    };
                    let result = self.assign_in_map(&mut inner, dots, depth + 1);
                    *slot = Value::Map(inner);
                    result
                }
                None => {
                    let mut inner = Map::default();
                    let flow = self.assign_in_map(&mut inner, dots, depth + 1)?;
                    if flow == Flow::Continue {
                        self.set_index(list, index, Value::Map(inner))?;
                    }
                    Ok(flow)
                }
            },
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
        let end = match json_value_end(&self.input, self.pos, 0) {
            Ok(end) => end,
            Err((at, message)) => {
                self.pos = at.saturating_add(1);
                return Err(self.fail(format!("invalid JSON value for {target}: {message}")));
            }
        };
        let text: String = self.input[self.pos..end].iter().collect();
        self.pos = end;
        let value = crate::yaml::parse_json(&text)
            .map_err(|e| self.fail(format!("invalid JSON value for {target}: {e}")))?;
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
fn typed_value(text: String) -> Value {
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

/// The `--set-json '{...}'` form: one JSON object deep-merged into `dest`.
fn merge_json_object(text: &str, dest: &mut Map) -> Result<(), SetError> {
    let fail = |message: String| SetError {
        message: format!("failed parsing --set-json data JSON: {message}"),
        fragment: String::new(),
    };
    let chars: Vec<char> = text.chars().collect();
    let end = json_value_end(&chars, 0, 0).map_err(|(at, message)| {
        // The message may quote a character of a password; the position is enough.
        if is_secret_path(text) {
            fail(format!(
                "invalid JSON at character {at} (details not shown: the object sets a secret)"
            ))
        } else {
            fail(format!("{message} at character {at}"))
        }
    })?;
    // `text` is trimmed, so anything left is a second value, as json.Unmarshal rejects.
    if end != chars.len() {
        return Err(fail(format!(
            "unexpected data after the object at character {end}"
        )));
    }
    match crate::yaml::parse_json(text).map_err(fail)? {
        Value::Map(object) => {
            merge_maps(dest, object);
            Ok(())
        }
        other => Err(fail(format!(
            "expected an object, found a {}",
            other.type_name()
        ))),
    }
}

/// Helm's `MergeMaps`: maps on both sides merge, anything else from `src` replaces.
fn merge_maps(dest: &mut Map, src: Map) {
    for (key, value) in src {
        match value {
            Value::Map(incoming) => {
                if let Some(Value::Map(existing)) = dest.get_mut(&key) {
                    merge_maps(existing, incoming);
                } else {
                    dest.insert(key, Value::Map(incoming));
                }
            }
            other => {
                dest.insert(key, other);
            }
        }
    }
}

/// Finds where the JSON value starting at `start` ends, checking its syntax on the way.
///
/// This is how `a=[1,2],b=3` splits: like Go's streaming JSON decoder, a value ends where
/// its grammar says, whatever follows. Errors carry the offending position.
fn json_value_end(s: &[char], start: usize, depth: usize) -> Result<usize, (usize, String)> {
    let p = skip_json_space(s, start);
    let Some(&c) = s.get(p) else {
        return Err((p, "unexpected end of JSON input".into()));
    };
    match c {
        '{' | '[' => {
            if depth >= MAX_JSON_DEPTH {
                return Err((p, format!("nested deeper than {MAX_JSON_DEPTH} levels")));
            }
            let close = if c == '{' { '}' } else { ']' };
            let mut p = skip_json_space(s, p + 1);
            if s.get(p) == Some(&close) {
                return Ok(p + 1);
            }
            loop {
                if c == '{' {
                    if s.get(p) != Some(&'"') {
                        return Err((p, "expected a string as object key".into()));
                    }
                    p = skip_json_space(s, json_string_end(s, p)?);
                    if s.get(p) != Some(&':') {
                        return Err((p, "expected ':' after object key".into()));
                    }
                    p += 1;
                }
                p = skip_json_space(s, json_value_end(s, p, depth + 1)?);
                match s.get(p) {
                    Some(',') => p = skip_json_space(s, p + 1),
                    Some(&x) if x == close => return Ok(p + 1),
                    Some(&x) => {
                        return Err((p, format!("unexpected {x:?}, expected ',' or {close:?}")));
                    }
                    None => return Err((p, "unexpected end of JSON input".into())),
                }
            }
        }
        '"' => json_string_end(s, p),
        '-' | '0'..='9' => json_number_end(s, p),
        't' | 'f' | 'n' => {
            let word = match c {
                't' => "true",
                'f' => "false",
                _ => "null",
            };
            for (i, expected) in word.chars().enumerate() {
                if s.get(p + i) != Some(&expected) {
                    return Err((p + i, format!("invalid literal, expected {word}")));
                }
            }
            Ok(p + word.len())
        }
        other => Err((
            p,
            format!("invalid character {other:?} looking for beginning of value"),
        )),
    }
}

fn skip_json_space(s: &[char], mut p: usize) -> usize {
    while matches!(s.get(p), Some(' ' | '\t' | '\n' | '\r')) {
        p += 1;
    }
    p
}

/// `p` is at the opening quote.
fn json_string_end(s: &[char], mut p: usize) -> Result<usize, (usize, String)> {
    p += 1;
    loop {
        match s.get(p) {
            None => return Err((p, "unterminated string".into())),
            Some('"') => return Ok(p + 1),
            Some('\\') => match s.get(p + 1) {
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => p += 2,
                Some('u') => {
                    let hex = s.get(p + 2..p + 6).unwrap_or_default();
                    if hex.len() != 4 || !hex.iter().all(char::is_ascii_hexdigit) {
                        return Err((p, "invalid \\u escape in string".into()));
                    }
                    p += 6;
                }
                _ => return Err((p, "invalid escape in string".into())),
            },
            Some(&c) if c < ' ' => return Err((p, "control character in string".into())),
            Some(_) => p += 1,
        }
    }
}

/// JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and a
/// value a float64 can hold: Helm's `json.Unmarshal` refuses `1e400` ("cannot unmarshal
/// number"), and the YAML library behind [`crate::yaml::parse_json`] would silently turn it
/// into the string "1e400".
fn json_number_end(s: &[char], start: usize) -> Result<usize, (usize, String)> {
    let end = json_number_grammar_end(s, start)?;
    let text: String = s[start..end].iter().collect();
    if !text.parse::<f64>().is_ok_and(f64::is_finite) {
        // At its last character, so that the quoted fragment holds the whole number.
        return Err((
            end - 1,
            format!("number {text} is out of range of a 64-bit float"),
        ));
    }
    Ok(end)
}

fn json_number_grammar_end(s: &[char], mut p: usize) -> Result<usize, (usize, String)> {
    let digits = |mut p: usize| -> Result<usize, (usize, String)> {
        if !s.get(p).is_some_and(char::is_ascii_digit) {
            return Err((p, "expected a digit in number".into()));
        }
        while s.get(p).is_some_and(char::is_ascii_digit) {
            p += 1;
        }
        Ok(p)
    };
    if s.get(p) == Some(&'-') {
        p += 1;
    }
    p = if s.get(p) == Some(&'0') {
        p + 1
    } else {
        digits(p)?
    };
    if s.get(p) == Some(&'.') {
        p = digits(p + 1)?;
    }
    if matches!(s.get(p), Some('e' | 'E')) {
        p += 1;
        if matches!(s.get(p), Some('+' | '-')) {
            p += 1;
        }
        p = digits(p)?;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a value tree compactly: `v!({"a": [1, "x", null], "b": {"c": true}})`.
    macro_rules! v {
        (null) => { Value::Null };
        ([$($item:tt),* $(,)?]) => { Value::List(vec![$(v!($item)),*]) };
        ({$($key:literal : $val:tt),* $(,)?}) => {{
            #[allow(unused_mut)]
            let mut map = Map::default();
            $(map.insert($key.to_string(), v!($val));)*
            Value::Map(map)
        }};
        ($e:expr) => { Value::from($e) };
    }

    fn map(value: Value) -> Map {
        match value {
            Value::Map(m) => m,
            other => panic!("test tree must be a map, got {other:?}"),
        }
    }

    type ParseFn = fn(&str, &mut Map) -> Result<(), SetError>;

    fn check_ok(parse: ParseFn, cases: &[(&str, Value)]) {
        for (input, expected) in cases {
            let mut got = Map::default();
            if let Err(e) = parse(input, &mut got) {
                panic!("{input:?}: unexpected error: {e}");
            }
            assert_eq!(Value::Map(got), *expected, "input {input:?}");
        }
    }

    fn check_err(parse: ParseFn, cases: &[&str]) {
        for input in cases {
            let mut got = Map::default();
            if parse(input, &mut got).is_ok() {
                panic!("{input:?}: expected an error, got {got:?}");
            }
        }
    }

    fn err_text(parse: ParseFn, input: &str) -> String {
        let mut got = Map::default();
        match parse(input, &mut got) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("{input:?}: expected an error, got {got:?}"),
        }
    }

    /// A key nested `levels` dots deep: `name1.name2.…=value`.
    fn deep_key(levels: usize) -> String {
        let names: Vec<String> = (1..=levels + 1).map(|i| format!("name{i}")).collect();
        format!("{}=value", names.join("."))
    }

    #[test]
    fn set_success_cases_from_helm() {
        check_ok(
            parse_set,
            &[
                (
                    "name1=null,f=false,t=true",
                    v!({"name1": null, "f": false, "t": true}),
                ),
                ("name1=value1", v!({"name1": "value1"})),
                (
                    "name1=value1,name2=value2",
                    v!({"name1": "value1", "name2": "value2"}),
                ),
                (
                    "name1=value1,name2=value2,",
                    v!({"name1": "value1", "name2": "value2"}),
                ),
                ("name1=,name2=value2", v!({"name1": "", "name2": "value2"})),
                ("leading_zeros=00009", v!({"leading_zeros": "00009"})),
                ("zero_int=0", v!({"zero_int": 0})),
                ("long_int=1234567890", v!({"long_int": 1234567890})),
                ("boolean=true", v!({"boolean": true})),
                ("is_null=null", v!({"is_null": null})),
                (
                    "name1=one\\,two,name2=three\\,four",
                    v!({"name1": "one,two", "name2": "three,four"}),
                ),
                (
                    "name1=one\\=two,name2=three\\=four",
                    v!({"name1": "one=two", "name2": "three=four"}),
                ),
                (
                    "name1=one two three,name2=three two one",
                    v!({"name1": "one two three", "name2": "three two one"}),
                ),
                ("outer.inner=value", v!({"outer": {"inner": "value"}})),
                (
                    "outer.middle.inner=value",
                    v!({"outer": {"middle": {"inner": "value"}}}),
                ),
                (
                    "outer.inner1=value,outer.inner2=value2",
                    v!({"outer": {"inner1": "value", "inner2": "value2"}}),
                ),
                (
                    "outer.inner1=value,outer.middle.inner=value",
                    v!({"outer": {"inner1": "value", "middle": {"inner": "value"}}}),
                ),
                ("name1.name2=", v!({"name1": {"name2": ""}})),
                ("name1={value1,value2}", v!({"name1": ["value1", "value2"]})),
                (
                    "name1={value1,value2},name2={value1,value2}",
                    v!({"name1": ["value1", "value2"], "name2": ["value1", "value2"]}),
                ),
                ("name1={1021,902}", v!({"name1": [1021, 902]})),
                (
                    "name1.name2={value1,value2}",
                    v!({"name1": {"name2": ["value1", "value2"]}}),
                ),
                ("list[0]=foo", v!({"list": ["foo"]})),
                ("list[0].foo=bar", v!({"list": [{"foo": "bar"}]})),
                (
                    "list[0].foo=bar,list[0].hello=world",
                    v!({"list": [{"foo": "bar", "hello": "world"}]}),
                ),
                ("list[0]=foo,list[1]=bar", v!({"list": ["foo", "bar"]})),
                ("list[0]=foo,list[1]=bar,", v!({"list": ["foo", "bar"]})),
                (
                    "list[0]=foo,list[3]=bar",
                    v!({"list": ["foo", null, null, "bar"]}),
                ),
                ("noval[0]", v!({"noval": []})),
                ("noval[0]=", v!({"noval": [""]})),
                ("nested[0][0]=1", v!({"nested": [[1]]})),
                ("nested[1][1]=1", v!({"nested": [null, [null, 1]]})),
                (
                    "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
                    v!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
                ),
                (
                    "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
                    v!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
                ),
                (
                    "name1.name2[1].foo=bar",
                    v!({"name1": {"name2": [null, {"foo": "bar"}]}}),
                ),
                (
                    "outer.middle.inner=value",
                    v!({"outer": {"middle": {"inner": "value"}}}),
                ),
            ],
        );
    }

    #[test]
    fn set_error_cases_from_helm() {
        check_err(
            parse_set,
            &[
                "name1=value1,,,,name2=value2,",
                "name1,name2=",
                "name1,name2=value2",
                "name1,name2=value2\\",
                "name1,name2",
                "name1.name2",
                "name1.name2,name1.name3",
                "name1.=name2",
                "name1.,name2",
                "name1={1021,902",
                "list[0].foo=bar,list[-30].hello=world",
                "list[0]=foo,list[-20]=bar",
                "illegal[0]name.foo=bar",
                "]={}].",
            ],
        );
    }

    #[test]
    fn set_string_keeps_every_value_a_string() {
        check_ok(
            parse_set_string,
            &[
                (
                    "long_int_string=1234567890",
                    v!({"long_int_string": "1234567890"}),
                ),
                ("boolean=true", v!({"boolean": "true"})),
                ("is_null=null", v!({"is_null": "null"})),
                ("zero=0", v!({"zero": "0"})),
                ("list={1,true,null}", v!({"list": ["1", "true", "null"]})),
                ("a[1]=7", v!({"a": [null, "7"]})),
            ],
        );
    }

    #[test]
    fn typed_values_follow_helm_rules() {
        let cases: &[(&str, Value)] = &[
            ("true", v!(true)),
            ("TRUE", v!(true)),
            ("False", v!(false)),
            ("NULL", v!(null)),
            ("Null", v!(null)),
            ("0", v!(0)),
            ("7", v!(7)),
            ("-7", v!(-7)),
            ("+7", v!(7)),
            ("-0", v!(0)),
            // Only a leading `0` itself keeps the string; after a sign Go's ParseInt takes it.
            ("-012", v!(-12)),
            ("0123", v!("0123")),
            ("00", v!("00")),
            ("0x10", v!("0x10")),
            ("1.5", v!("1.5")),
            ("1e3", v!("1e3")),
            ("1_000", v!("1_000")),
            (" 1", v!(" 1")),
            ("+", v!("+")),
            ("9223372036854775807", v!(i64::MAX)),
            ("-9223372036854775808", v!(i64::MIN)),
            ("9223372036854775808", v!("9223372036854775808")),
            ("yes", v!("yes")),
            ("truex", v!("truex")),
            // Go's EqualFold folds the long s (U+017F) to `s`; no other non-ASCII letter
            // folds to a letter of these words.
            ("falſe", v!(false)),
            ("FALſE", v!(false)),
            ("trſe", v!("trſe")),
            ("nuLL\u{212A}", v!("nuLL\u{212A}")),
            ("ﬁlse", v!("ﬁlse")),
            ("", v!("")),
        ];
        for (text, expected) in cases {
            assert_eq!(typed_value(text.to_string()), *expected, "{text:?}");
        }
        let mut got = Map::default();
        parse_set("a=TRUE,b=0123,c=-5,d=Null,e={0,01,x}", &mut got).unwrap();
        assert_eq!(
            Value::Map(got),
            v!({"a": true, "b": "0123", "c": (-5), "d": null, "e": [0, "01", "x"]})
        );
    }

    #[test]
    fn helm_quirks_are_kept() {
        check_ok(
            parse_set,
            &[
                ("", v!({})),
                // `{}` is a list with one empty string, and a `}` can run straight into the
                // next assignment.
                ("a={}", v!({"a": [""]})),
                ("a={x}b=1", v!({"a": ["x"], "b": 1})),
                ("a={x},b=1", v!({"a": ["x"], "b": 1})),
                // Empty keys are parsed but not stored.
                ("=x,a=1", v!({"a": 1})),
                (".a=1", v!({})),
                // Running out of input in the middle of a path is not an error.
                ("a.", v!({})),
                ("a.b[0]", v!({"a": {"b": []}})),
                ("a[0].", v!({"a": []})),
                ("a[0][1]", v!({"a": []})),
                ("a[70000]", v!({"a": []})),
                // A map inside a list replaces whatever was at that index.
                ("a[0]=x,a[0].b=y", v!({"a": [{"b": "y"}]})),
                ("a[0].=x", v!({"a": [{}]})),
                // Escapes work in keys, values and indexes; a trailing backslash is dropped.
                ("a\\.b=1", v!({"a.b": 1})),
                ("a\\[0]=1", v!({"a[0]": 1})),
                ("x=a\\\\b", v!({"x": "a\\b"})),
                ("x=ab\\", v!({"x": "ab"})),
                ("l={a\\,b,c\\}}", v!({"l": ["a,b", "c}"]})),
                ("a[\\1]=x", v!({"a": [null, "x"]})),
                ("a[+1]=x", v!({"a": [null, "x"]})),
                ("a.b=null", v!({"a": {"b": null}})),
                ("a=x=y", v!({"a": "x=y"})),
                ("a=x.y[0]", v!({"a": "x.y[0]"})),
                ("a[65536]=x", {
                    let mut list = vec![Value::Null; 65537];
                    list[65536] = v!("x");
                    let mut m = Map::default();
                    m.insert("a".into(), Value::List(list));
                    Value::Map(m)
                }),
            ],
        );
    }

    #[test]
    fn error_messages() {
        let cases = [
            (
                "name1,name2=x",
                r#"key "name1" has no value (cannot end with ,) (in "name1,")"#,
            ),
            ("a=1,b.c", r#"key "c" has no value (in "b.c")"#),
            ("name1.=name2", r#"key map "name1" has no value"#),
            ("a[-2]=x", "negative index -2 not allowed"),
            (
                "a[65537]=x",
                "index of 65537 is greater than maximum supported index of 65536",
            ),
            ("a[1]", ""),
            (
                "a[x]=1",
                r#"error parsing index: "x" is not a valid integer"#,
            ),
            ("a[1=2", "error parsing index: missing ']'"),
            ("a[0]b=1", r#"unexpected data at end of array index: "b""#),
            ("a={1,2", "list must terminate with '}'"),
            (
                "a=1,a.b=2",
                r#"unable to parse key: key "a" already holds a value of type int, not a map"#,
            ),
            (
                "a=1,a[0]=2",
                r#"key "a" already holds a value of type int, not a list"#,
            ),
            (
                "a[0]=1,a[0][0]=2",
                "index 0 already holds a value of type int, not a list",
            ),
            (
                "a=null,a.b=1",
                r#"key "a" already holds a value of type null, not a map"#,
            ),
        ];
        for (input, expected) in cases {
            if expected.is_empty() {
                parse_set(input, &mut Map::default()).unwrap();
                continue;
            }
            let text = err_text(parse_set, input);
            assert!(
                text.contains(expected),
                "{input:?}: {text:?} lacks {expected:?}"
            );
        }
        let long = format!("{}=1,b.c", "k".repeat(100));
        let text = err_text(parse_set, &long);
        assert!(text.ends_with(r#"(in "b.c")"#), "{text}");
        let long = format!("{}.c", "k".repeat(100));
        let text = err_text(parse_set, &long);
        assert!(
            text.contains(&format!("(in \"…{}.c\")", "k".repeat(58))),
            "{text}"
        );
    }

    #[test]
    fn name_nesting_is_capped_like_helm() {
        let mut got = Map::default();
        parse_set(&deep_key(MAX_NAME_NESTING), &mut got).unwrap();
        for parse in [parse_set, parse_set_literal] {
            let text = err_text(parse, &deep_key(MAX_NAME_NESTING + 1));
            assert!(
                text.starts_with(
                    "value name nested level is greater than maximum supported nested level of 30"
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn hostile_input_is_rejected_without_panicking() {
        let deep_lists = format!("a{}=1", "[0]".repeat(100_000));
        assert!(err_text(parse_set, &deep_lists).contains("nests deeper"));
        let deep_paths = format!("a{}=1", "[0].b".repeat(100_000));
        assert!(err_text(parse_set, &deep_paths).contains("nests deeper"));
        let deep_json = format!("a={}", "[".repeat(100_000));
        assert!(err_text(parse_set_json, &deep_json).contains("nested deeper"));
        let deep_object = "{\"a\":".repeat(100_000);
        assert!(err_text(parse_set_json, &deep_object).contains("nested deeper"));
        // Within the caps, deep nesting works.
        let mut got = Map::default();
        parse_set(&format!("a{}=1", "[0]".repeat(200)), &mut got).unwrap();
        assert!(err_text(parse_set, "a[99999999999999999999]=1").contains("error parsing index"));
        for input in [
            "[", "]", "=", ",", ".", "\\", "{", "a=\\", "a[", "a[]", "a[0", "=,=,", "a[0]]",
        ] {
            for parse in [
                parse_set,
                parse_set_string,
                parse_set_json,
                parse_set_literal,
            ] {
                let _ = parse(input, &mut Map::default());
            }
        }
    }

    #[test]
    fn parse_into_merges_with_existing_values() {
        let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
        parse_set(
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}})
        );

        let cases: &[(Value, &str, &str, Value)] = &[
            (
                v!({}),
                "listOuter[0][0].type=listValue",
                "listOuter[0][0].status=alive",
                v!({"listOuter": [[{"type": "listValue", "status": "alive"}]]}),
            ),
            (
                v!({}),
                "listOuter[0][0].type=listValue",
                "listOuter[1][0].status=alive",
                v!({"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]}),
            ),
            (
                v!({"listOuter": [[[{"exited": "old"}]]]}),
                "listOuter[0][1][0].type=listValue",
                "listOuter[0][0][1].status=alive",
                v!({"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]}),
            ),
        ];
        for parse in [parse_set as ParseFn, parse_set_literal] {
            for (start, first, second, expected) in cases {
                let mut dest = map(start.clone());
                parse(first, &mut dest).unwrap();
                parse(second, &mut dest).unwrap();
                assert_eq!(Value::Map(dest), *expected, "{first} then {second}");
            }
        }

        // Insertion order of existing keys is kept; new keys go last.
        let mut dest = map(v!({"b": 1, "a": {"y": 1, "x": 2}}));
        parse_set("a.x=3,c=4,b=5", &mut dest).unwrap();
        let keys: Vec<&String> = dest.keys().collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(
            Value::Map(dest),
            v!({"b": 5, "a": {"y": 1, "x": 3}, "c": 4})
        );

        // A dotted path through an existing non-empty map is fine even if it sets nothing.
        let mut dest = map(v!({"a": {"x": 1}}));
        parse_set("a.=1", &mut dest).unwrap();
        let mut dest = map(v!({"a": {}}));
        assert!(parse_set("a.=1", &mut dest).is_err());

        // Replacing a scalar with a map is an error; replacing a map with a scalar is not.
        let mut dest = map(v!({"a": "x"}));
        assert!(parse_set("a.b=1", &mut dest).is_err());
        let mut dest = map(v!({"a": {"b": 1}}));
        parse_set("a=2", &mut dest).unwrap();
        assert_eq!(Value::Map(dest), v!({"a": 2}));
    }

    #[test]
    fn set_string_into_existing() {
        let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
        parse_set_string("outer.inner1=1,outer.inner3=3", &mut dest).unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}})
        );
    }

    #[test]
    fn set_json_cases_from_helm() {
        let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
        parse_set_json(
            r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#,
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {"inner1": "1", "inner2": "value2", "inner3": 3, "inner4": true, "inner5": "true"}})
        );

        let mut dest = map(
            v!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2", "inner3": ["overwrite"]}}),
        );
        parse_set_json(
            r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]"#,
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {
                "inner1": {"a": "1", "b": 2, "c": [1, 2, 3]},
                "inner2": "value2",
                "inner3": ["new value 1", "new value 2"],
                "inner4": {"aa": "1", "bb": 2, "cc": [1, 2, 3]},
                "inner5": [{"A": "1", "B": 2, "C": [1, 2, 3]}]
            }})
        );

        let mut dest = map(v!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}}));
        parse_set_json(
            r#"outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null"#,
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {"inner1": null, "inner2": "value2", "inner3": {"aa": "1", "bb": 2, "cc": [1, null, 3]}}})
        );

        let text = err_text(
            parse_set_json,
            r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5={"A":"1","B":2,"C":[1,2,3]}]"#,
        );
        assert!(text.contains(r#"key "]" has no value"#), "{text}");
    }

    #[test]
    fn set_json_value_boundaries() {
        check_ok(
            parse_set_json,
            &[
                ("a=1,b=2", v!({"a": 1, "b": 2})),
                // Blanks around a value go, but blanks after the comma start the next key.
                ("a= 1 ,b=\"x,y\"", v!({"a": 1, "b": "x,y"})),
                ("a=1, b=2", v!({"a": 1, " b": 2})),
                ("a=1.5", v!({"a": (Value::Float(1.5))})),
                ("a=-0.5e1", v!({"a": (Value::Float(-5.0))})),
                ("a=", v!({"a": null})),
                ("a=,b=", v!({"a": null, "b": null})),
                ("a=null", v!({"a": null})),
                ("a=\"\\u00e9\\n\\\"\"", v!({"a": "é\n\""})),
                ("a={}", v!({"a": {}})),
                ("a=[]", v!({"a": []})),
                ("a=[1,[2,{\"b\":[]}]]", v!({"a": [1, [2, {"b": []}]]})),
                ("l[1]={\"x\":1}", v!({"l": [null, {"x": 1}]})),
                ("l[0]=", v!({"l": [null]})),
                ("k\\.x=true", v!({"k.x": true})),
                // Like Go's streaming decoder, a value ends where its grammar ends.
                ("a=1b=2", v!({"a": 1, "b": 2})),
                ("a=[1]b=2", v!({"a": [1], "b": 2})),
            ],
        );
        check_err(
            parse_set_json,
            &[
                "a=x",
                "a=[1,2",
                "a={\"b\":1,}",
                "a={b:1}",
                "a='x'",
                "a=tru",
                "a=-",
                "a=1.",
                "a=\"unterminated",
                "a=\"\\x\"",
                "a=01",
                "a",
                "a,b=1",
            ],
        );
        assert!(err_text(parse_set_json, "a=[1,x]").contains("invalid JSON value for key \"a\""));
    }

    /// README: errors never print secrets. The failing assignment is quoted up to its
    /// value when the key is a password or userlist entry, and a JSON error there does not
    /// name the character it stumbled on.
    #[test]
    fn secret_values_are_not_quoted_in_errors() {
        let secret = "Sup3rS3cret";
        let cases: [(ParseFn, String); 6] = [
            (parse_set, format!("a.adminPassword={{{secret},x")),
            (parse_set_string, format!("config.userlist.bob={{{secret}")),
            (parse_set_json, format!("config.adminPassword={secret}")),
            (
                parse_set_json,
                format!("config.userlist={{\"bob\":{secret}}}"),
            ),
            (parse_set_json, format!("l[0].password=[\"{secret}\"")),
            (
                parse_set_json,
                format!("{{\"config\":{{\"authPassword\":{secret}}}}}"),
            ),
        ];
        for (parse, expr) in cases {
            let text = err_text(parse, &expr);
            assert!(
                !text.contains(secret) && !text.contains("'S'"),
                "{expr}: {text}"
            );
            assert!(!quote_expression(&expr).contains(secret), "{expr}");
        }
        assert_eq!(
            err_text(parse_set_json, &format!("config.adminPassword={secret}")),
            "invalid JSON value for key \"adminPassword\" (the value is not shown: it is a \
             secret) (in \"config.adminPassword=…\")"
        );
        // Whatever follows a secret's value may be the rest of the secret (a comma that
        // should have been escaped, a JSON prefix such as `1` or `true`): an error there
        // gives the position, not the text.
        let text = err_text(
            parse_set,
            &format!("config.adminPassword={secret},replicas"),
        );
        assert_eq!(
            text,
            "the text after the value of secret key config.adminPassword is not a valid \
             assignment (error at character 41); it is not shown, in case it is part of the \
             secret (escape a comma in a secret as \\,)"
        );
        for tail in ["Qw,erty", "1.2[x]", "a[99999999]=1", "b.c"] {
            for (parse, value) in [
                (parse_set as ParseFn, format!("{secret},{tail}")),
                (parse_set_string, format!("{secret},{tail}")),
                (parse_set_json, format!("1{secret},{tail}")),
                (parse_set_json, format!("true{tail}")),
                (parse_set_json, format!("\"x\"{tail}")),
            ] {
                let text = err_text(parse, &format!("a.password={value}"));
                assert!(!text.contains(tail), "{value}: {text}");
                assert!(text.contains("at character"), "{value}: {text}");
            }
        }
        // Other values are quoted as before.
        assert!(err_text(parse_set_json, "a=x").contains("'x'"));
        assert!(quote_expression(&"k".repeat(300)).ends_with("… (300 characters)"));
    }

    /// Helm's json.Unmarshal refuses a number float64 cannot hold; serde_yaml would have
    /// made it the string "1e400", so a typo'd exponent reached the manifests.
    #[test]
    fn set_json_numbers_out_of_float_range_are_errors() {
        for bad in ["a=1e400", "a=-1e400", "a=[1,2e999]", "a={\"b\":1e309}"] {
            let text = err_text(parse_set_json, bad);
            assert!(
                text.contains("out of range of a 64-bit float"),
                "{bad}: {text}"
            );
        }
        let mut dest = Map::default();
        let err = parse_set_json(r#"{"a":{"b":1e400}}"#, &mut dest).unwrap_err();
        assert!(
            err.to_string().contains("number 1e400 is out of range"),
            "{err}"
        );
        // Large but finite numbers are fine.
        check_ok(
            parse_set_json,
            &[("a=1e300", v!({"a": (Value::Float(1e300))}))],
        );
    }

    #[test]
    fn set_json_whole_object_is_merged() {
        let mut dest = map(v!({"a": {"x": 1, "y": 2}, "b": [1], "c": "keep"}));
        parse_set_json(
            "  {\"a\": {\"y\": 3, \"z\": {\"q\": null}}, \"b\": {\"n\": 1}} ",
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"a": {"x": 1, "y": 3, "z": {"q": null}}, "b": {"n": 1}, "c": "keep"})
        );
        check_err(
            parse_set_json,
            &["{", "{\"a\":1} x", "{\"a\":1}{}", "{a:1}"],
        );
        assert!(
            err_text(parse_set_json, "{\"a\" 1}")
                .starts_with("failed parsing --set-json data JSON")
        );
    }

    #[test]
    fn set_file_reads_each_value() {
        let mut asked = Vec::new();
        let mut reader = |path: &str| -> Result<String, String> {
            asked.push(path.to_string());
            match path {
                "path1" => Ok("value1".into()),
                "p,2" => Ok("007".into()),
                other => Err(format!("open {other}: no such file")),
            }
        };
        let mut dest = Map::default();
        parse_set_file(
            "name1=path1,n.list={path1,p\\,2},l[1]=path1,empty=",
            &mut dest,
            &mut reader,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"name1": "value1", "n": {"list": ["value1", "007"]}, "l": [null, "value1"], "empty": ""})
        );

        let mut dest = Map::default();
        let err = parse_set_file("a=missing", &mut dest, &mut reader).unwrap_err();
        assert_eq!(
            err.message(),
            r#"unable to read file "missing": open missing: no such file"#
        );
        // An empty value that is not the last thing is a path like any other.
        let err = parse_set_file("a=,b=path1", &mut dest, &mut reader).unwrap_err();
        assert!(err.message().contains(r#"file """#), "{err}");
        assert_eq!(asked, ["path1", "path1", "p,2", "path1", "missing", ""]);
    }

    #[test]
    fn literal_cases_from_helm() {
        check_ok(
            parse_set_literal,
            &[
                ("name=", v!({"name": ""})),
                ("name=value", v!({"name": "value"})),
                (
                    "long_int_string=1234567890",
                    v!({"long_int_string": "1234567890"}),
                ),
                ("boolean=true", v!({"boolean": "true"})),
                ("is_null=null", v!({"is_null": "null"})),
                ("zero=0", v!({"zero": "0"})),
                (
                    "name1=null,name2=value2",
                    v!({"name1": "null,name2=value2"}),
                ),
                ("name1=value,,,tail", v!({"name1": "value,,,tail"})),
                ("leading_zeros=00009", v!({"leading_zeros": "00009"})),
                ("name=one two three", v!({"name": "one two three"})),
                ("outer.inner=value", v!({"outer": {"inner": "value"}})),
                (
                    "outer.middle.inner=value",
                    v!({"outer": {"middle": {"inner": "value"}}}),
                ),
                ("name1.name2=", v!({"name1": {"name2": ""}})),
                ("name1={value1,value2}", v!({"name1": "{value1,value2}"})),
                ("list[0]=foo", v!({"list": ["foo"]})),
                ("list[0].foo=bar", v!({"list": [{"foo": "bar"}]})),
                ("list[3]=bar", v!({"list": [null, null, null, "bar"]})),
                ("noval[0]", v!({"noval": []})),
                ("noval[0]=", v!({"noval": [""]})),
                ("nested[0][0]=1", v!({"nested": [["1"]]})),
                ("nested[1][1]=1", v!({"nested": [null, [null, "1"]]})),
                (
                    "name1.name2[0].foo=bar",
                    v!({"name1": {"name2": [{"foo": "bar"}]}}),
                ),
                (
                    "name1.name2[1].foo=bar",
                    v!({"name1": {"name2": [null, {"foo": "bar"}]}}),
                ),
                ("]={}].", v!({"]": "{}]."})),
                ("name=val,val", v!({"name": "val,val"})),
                ("name=val.val", v!({"name": "val.val"})),
                ("name=val=val", v!({"name": "val=val"})),
                ("name=val$val", v!({"name": "val$val"})),
                ("name=(value", v!({"name": "(value"})),
                ("name=value)", v!({"name": "value)"})),
                ("name=(value)", v!({"name": "(value)"})),
                ("name={value", v!({"name": "{value"})),
                ("name=value}", v!({"name": "value}"})),
                ("name={value}", v!({"name": "{value}"})),
                ("name={value1,value2}", v!({"name": "{value1,value2}"})),
                (r"name=val\val", v!({"name": r"val\val"})),
                (r"name=val\\val", v!({"name": r"val\\val"})),
                (r"name=val\\\val", v!({"name": r"val\\\val"})),
                (
                    r"name={val,.?*v\0a!l)some",
                    v!({"name": r"{val,.?*v\0a!l)some"}),
                ),
                (
                    r"name=em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@",
                    v!({"name": r"em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@"}),
                ),
                // Commas and backslashes belong to the key too.
                (r"a,b\c=1", v!({r"a,b\c": "1"})),
            ],
        );
        check_err(
            parse_set_literal,
            &[
                "name",
                "name1.name2",
                "name1.=name2",
                "name1.,name2",
                "list[-30].hello=world",
                "illegal[0]name.foo=bar",
            ],
        );
    }

    #[test]
    fn literal_into_existing() {
        let mut dest = map(v!({"outer": {"inner1": "overwrite", "inner2": "value2"}}));
        parse_set_literal(
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            &mut dest,
        )
        .unwrap();
        assert_eq!(
            Value::Map(dest),
            v!({"outer": {"inner1": "value1,outer.inner3=value3,outer.inner4=4", "inner2": "value2"}})
        );
    }

    #[test]
    fn error_is_a_std_error() {
        let err: Box<dyn std::error::Error> =
            Box::new(parse_set("a", &mut Map::default()).unwrap_err());
        assert_eq!(err.to_string(), r#"key "a" has no value (in "a")"#);
    }
}

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
//!
//! [`parser`] is the port of Helm's `pkg/strvals/parser.go`; [`json`] reads the JSON values
//! of `--set-json` as Go's `json.Decoder` does.

mod json;
mod parser;
#[cfg(test)]
mod tests;

use crate::value::{Map, is_secret_path};
use parser::{Mode, Parser, own_values};

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
    match reading(flavor, expr) {
        Reading::JsonObject(object) => json::merge_object(object, dest).map(drop),
        Reading::Parser(mode) => Parser::new(expr, mode, budget).run(dest).map(drop),
    }
}

/// [`parse_flag`], giving also what the flag sets on its own: the tree it would build in
/// an empty map, which is what a schema check attributes to the flag.
pub fn parse_flag_own(
    flavor: Flavor,
    expr: &str,
    dest: &mut Map,
    budget: &mut Budget,
) -> Result<Map, SetError> {
    match reading(flavor, expr) {
        Reading::JsonObject(object) => json::merge_object(object, dest),
        Reading::Parser(mode) => {
            let stored = Parser::new(expr, mode, budget).run(dest)?;
            Ok(own_values(dest, &stored))
        }
    }
}

/// How a flag's expression is read: by the strvals parser in a mode, or, for a
/// `--set-json` whose whole expression is an object (`--set-json '{"a":1}'`, which Helm
/// merges as is), as that one JSON object.
enum Reading<'a> {
    Parser(Mode<'a>),
    JsonObject(&'a str),
}

fn reading(flavor: Flavor, expr: &str) -> Reading<'_> {
    match flavor {
        Flavor::Set => Reading::Parser(Mode::Typed),
        Flavor::SetString => Reading::Parser(Mode::Strings),
        Flavor::SetLiteral => Reading::Parser(Mode::Literal),
        Flavor::SetJson => {
            let trimmed = expr.trim();
            if trimmed.starts_with('{') {
                Reading::JsonObject(trimmed)
            } else {
                Reading::Parser(Mode::Json)
            }
        }
    }
}

/// Error of a `--set`-style expression; Display gives a clear message naming the expression part that failed.
///
/// The message says what was wrong (in Helm's words where Helm has them, e.g.
/// `key "x" has no value`) and, when there is one, quotes the part of the expression read
/// up to the point of failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", in_fragment(fragment))]
pub struct SetError {
    message: String,
    fragment: String,
}

/// How Display appends the fragment: ` (in "...")`, or nothing when there is none.
fn in_fragment(fragment: &str) -> String {
    if fragment.is_empty() {
        String::new()
    } else {
        format!(" (in {fragment:?})")
    }
}

impl SetError {
    /// An error with `message`, quoting `fragment` of the expression (none when empty).
    fn new(message: impl Into<String>, fragment: impl Into<String>) -> Self {
        SetError {
            message: message.into(),
            fragment: fragment.into(),
        }
    }

    /// What went wrong, without the quoted expression fragment.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The part of the expression read when the error was found (possibly shortened to its end).
    pub fn fragment(&self) -> &str {
        &self.fragment
    }
}

/// The longest expression [`quote_expression`] quotes whole.
const MAX_QUOTED_CHARS: usize = 100;

/// An expression as an error message names it: quoted, shortened when long, and withheld
/// when it sets a secret (a password or a userlist entry), because errors end up in CI and
/// Argo CD logs. The error itself still quotes the failing assignment, without its value
/// when that is the secret.
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
    Parser::new(expr, Mode::File(read_file), budget)
        .run(dest)
        .map(drop)
}

/// [`parse_set_file_within`], giving also what the flag sets on its own, as
/// [`parse_flag_own`].
pub fn parse_set_file_own(
    expr: &str,
    dest: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
    budget: &mut Budget,
) -> Result<Map, SetError> {
    let stored = Parser::new(expr, Mode::File(read_file), budget).run(dest)?;
    Ok(own_values(dest, &stored))
}

/// Parses a `--set-literal` expression into `dest`: everything after the first `=` that
/// ends the path is one string value, commas and backslashes included; nothing is escaped.
pub fn parse_set_literal(expr: &str, dest: &mut Map) -> Result<(), SetError> {
    parse_flag(Flavor::SetLiteral, expr, dest, &mut Budget::default())
}

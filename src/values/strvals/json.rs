//! The JSON values of `--set-json`, read as Helm reads them with Go's `json.Decoder`
//! (`pkg/strvals/parser.go`): a value ends where its grammar ends, whatever follows, so
//! `a=[1,2],b=3` splits after `]`. serde_json's [`StreamDeserializer`] is that decoder;
//! this module adds Go's end of a number or literal (`1b`, `0123`) and words its errors as
//! Go's decoder and our earlier messages do, with the character they point at.
//!
//! [`StreamDeserializer`]: serde_json::StreamDeserializer

use super::SetError;
use crate::value::{Map, Value, is_secret_path};
use crate::values::coalesce::merge_maps;
use crate::yaml::JsonValue;

/// How deep a `--set-json` value may nest: serde_json's recursion limit, which refuses
/// the 128th level.
const MAX_JSON_DEPTH: usize = 128;

/// A JSON syntax error: the message, and the character (index) it points at; for an input
/// that ends too early, the end.
pub(super) struct JsonError {
    pub(super) at: usize,
    pub(super) message: String,
}

/// The JSON value at the start of `text` (after JSON blanks), and how many characters it
/// took, blanks included; what follows is not looked at.
pub(super) fn leading_value(text: &str) -> Result<(Value, usize), JsonError> {
    let start = text.len() - text.trim_start_matches(JSON_BLANKS).len();
    // Go's decoder ends `0123` after its `0`, where serde_json refuses the leading zero.
    let body = &text[start..];
    let unsigned = body.strip_prefix('-').unwrap_or(body);
    if unsigned.starts_with('0') && unsigned[1..].starts_with(|c: char| c.is_ascii_digit()) {
        let end = start + (body.len() - unsigned.len()) + 1;
        return whole_value(text, end);
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<JsonValue>();
    match stream.next() {
        Some(Ok(JsonValue(value))) => Ok((value, char_count(&text[..stream.byte_offset()]))),
        // A number or literal followed by something else: Go's decoder ends it there.
        Some(Err(e)) if message_of(&e) == "trailing characters" => {
            whole_value(text, stream.byte_offset())
        }
        Some(Err(e)) => Err(go_error(text, &e)),
        None => Err(JsonError {
            at: char_count(text),
            message: "unexpected end of JSON input".into(),
        }),
    }
}

/// The value that is all of `text[..end]`, with the characters it took.
fn whole_value(text: &str, end: usize) -> Result<(Value, usize), JsonError> {
    match serde_json::from_str::<JsonValue>(&text[..end]) {
        Ok(JsonValue(value)) => Ok((value, char_count(&text[..end]))),
        Err(e) => Err(go_error(&text[..end], &e)),
    }
}

/// The `--set-json '{...}'` form: one JSON object (`text` is trimmed) deep-merged into
/// `dest` with Helm's `MergeMaps`; gives the object.
pub(super) fn merge_object(text: &str, dest: &mut Map) -> Result<Map, SetError> {
    let fail = |message: String| {
        SetError::new(
            format!("failed parsing --set-json data JSON: {message}"),
            "",
        )
    };
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<JsonValue>();
    let object = match stream.next() {
        Some(Ok(JsonValue(object))) => object,
        Some(Err(e)) => {
            let JsonError { at, message } = go_error(text, &e);
            // The message may quote a character of a password; the position is enough.
            return Err(if is_secret_path(text) {
                fail(format!(
                    "invalid JSON at character {at} (details not shown: the object sets a secret)"
                ))
            } else {
                fail(format!("{message} at character {at}"))
            });
        }
        None => unreachable!("the text starts with '{{'"),
    };
    // Anything after the object is a second value, as json.Unmarshal rejects.
    let end = char_count(&text[..stream.byte_offset()]);
    if end != char_count(text) {
        return Err(fail(format!(
            "unexpected data after the object at character {end}"
        )));
    }
    match object {
        Value::Map(object) => {
            merge_maps(dest, object.clone());
            Ok(object)
        }
        other => Err(fail(format!(
            "expected an object, found a {}",
            other.type_name()
        ))),
    }
}

/// JSON's blanks (not Unicode's).
const JSON_BLANKS: &[char] = &[' ', '\t', '\n', '\r'];

fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// serde_json's message without its position (it has no other accessor for the kind).
fn message_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&position).unwrap_or(&text).to_string()
}

/// A serde_json error of `text` in Go's (and our earlier) words, at the character it
/// points at.
fn go_error(text: &str, e: &serde_json::Error) -> JsonError {
    if e.is_eof() {
        let message = match message_of(e).as_str() {
            "EOF while parsing a string" => "unterminated string",
            _ => "unexpected end of JSON input",
        };
        return JsonError {
            at: char_count(text),
            message: message.into(),
        };
    }
    // serde_json's line and column lead just past the character at fault.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let past = (line_start + e.column()).min(text.len());
    let chars: Vec<char> = text.chars().collect();
    let at = text
        .char_indices()
        .take_while(|(i, _)| *i < past)
        .count()
        .saturating_sub(1);
    let here = chars.get(at).copied().unwrap_or(' ');
    let message = match message_of(e).as_str() {
        "expected `:`" => "expected ':' after object key".into(),
        "expected `,` or `]`" => format!("unexpected {here:?}, expected ',' or ']'"),
        "expected `,` or `}`" => format!("unexpected {here:?}, expected ',' or '}}'"),
        "key must be a string" => "expected a string as object key".into(),
        "trailing comma" if here == '}' => "expected a string as object key".into(),
        "expected value" | "trailing comma" => {
            format!("invalid character {here:?} looking for beginning of value")
        }
        "expected ident" => {
            let first = chars[..at]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic())
                .last()
                .copied();
            let word = match first {
                Some('t') => "true",
                Some('f') => "false",
                _ => "null",
            };
            format!("invalid literal, expected {word}")
        }
        "invalid number" => "expected a digit in number".into(),
        "number out of range" => {
            let is_number =
                |c: &char| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-');
            let from = at + 1
                - chars[..=at]
                    .iter()
                    .rev()
                    .take_while(|c| is_number(c))
                    .count();
            let to = at + chars[at..].iter().take_while(|c| is_number(c)).count();
            let number: String = chars[from..to].iter().collect();
            // At its last character, so that a quoted fragment holds the whole number.
            return JsonError {
                at: to.saturating_sub(1),
                message: format!("number {number} is out of range of a 64-bit float"),
            };
        }
        "invalid escape" => "invalid escape in string".into(),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "control character in string".into()
        }
        "recursion limit exceeded" => format!("nested deeper than {MAX_JSON_DEPTH} levels"),
        other if other.contains("escape") || other.contains("code point") => {
            "invalid \\u escape in string".into()
        }
        other => other.to_string(),
    };
    JsonError { at, message }
}

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

use super::resolve::{Cursor, Resolved, resolve};
use crate::go;
use crate::value::{Map, Value};

/// go-yaml v2 never changes libyaml's defaults: indent 2, preferred line width 80.
const BEST_INDENT: isize = 2;
const BEST_WIDTH: usize = 80;
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

// ---------------------------------------------------------------------------------------
// Scalars: which style go-yaml asks for, and what the emitter's analysis allows.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// Whether `s`, written as it is after `key: ` (or as a key, or a list item) in block
/// context, is one plain scalar that go-yaml (so kubectl, Helm and Argo CD) reads back as
/// this same string: no indicator or `: `/` #` that would start other syntax, no line
/// break, and nothing YAML 1.1 resolves to another type (`true`, `1`, `~`, `1:20`).
///
/// ```
/// use qspgb_helmtext::yaml::emit::is_plain_string;
/// assert!(is_plain_string("pgbouncer-pharia"));
/// assert!(is_plain_string("ghcr.io/qs/qspgb:0.5.0"));
/// for s in ["true", "1", "", "a: b", "{x: 1}", "#", "x #y", "&a", "*a", "!!binary", "|", "-", "'", "a\nb"] {
///     assert!(!is_plain_string(s), "{s:?}");
/// }
/// ```
pub fn is_plain_string(s: &str) -> bool {
    requested_string_style(s) == Style::Plain && select_style(Style::Plain, s, true) == Style::Plain
}

/// go-yaml's `stringv`: multi-line strings ask for literal style; strings that would read
/// back as something else (`yes`, `1`, `~`, `2024-01-01`, `1:20`) must be double-quoted.
fn requested_string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve(s) != Resolved::Str || is_base60_float(s) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    }
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
/// YAML 1.1 sexagesimal numbers are quoted for the sake of other parsers.
fn is_base60_float(s: &str) -> bool {
    let digit_or_underscore = |c: u8| c.is_ascii_digit() || c == b'_';
    let mut p = Cursor::new(s);
    p.eat(|c| matches!(c, b'+' | b'-'));
    if p.digits() == 0 {
        return false;
    }
    p.eat_while(digit_or_underscore);
    let mut groups = 0;
    while p.eat(|c| c == b':') {
        // `[0-5]?[0-9]`: two digits only if the first is at most 5.
        let max_len = if matches!(p.peek(0), Some(b'0'..=b'5')) {
            2
        } else {
            1
        };
        if p.number(max_len).is_none() {
            return false;
        }
        groups += 1;
    }
    if p.eat(|c| c == b'.') {
        p.eat_while(digit_or_underscore);
    }
    groups > 0 && p.at_end()
}

/// Characters libyaml may write unescaped (`is_printable`). Note that it leaves out tab,
/// DEL, all of C1 (including NEL), the BOM and everything outside the BMP.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `yaml_emitter_analyze_scalar` plus `yaml_emitter_select_scalar_style`, for untagged
/// scalars in block context: falls back from the requested style (plain, then single
/// quotes, then double quotes; literal straight to double quotes) until one can carry
/// `value`.
fn select_style(requested: Style, value: &str, simple_key: bool) -> Style {
    let is_space = |c: char| c == ' ';
    // Most strings are ASCII, whose bytes need no UTF-8 decoding.
    let Scan {
        break_space,
        space_break,
        line_breaks,
        special,
        indicators,
        last,
    } = if value.is_ascii() {
        Scan::of(value.bytes().map(char::from))
    } else {
        Scan::of(value.chars())
    };
    // Indicators that would make a plain scalar mean something else in block context.
    let indicators = indicators || value.starts_with("---") || value.starts_with("...");
    let trailing_space = last == Some(' ');
    let edges = [value.chars().next(), last]
        .iter()
        .any(|c| c.is_some_and(|c| is_space(c) || is_break(c)));

    let plain_allowed =
        !(edges || line_breaks || special || break_space || space_break || indicators);
    let single_quoted_allowed = !(break_space || space_break || special);
    let block_allowed = !(value.is_empty() || trailing_space || space_break || special);

    let mut style = requested;
    if simple_key && line_breaks {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!plain_allowed || (value.is_empty() && simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

/// What [`select_style`] needs to know of a scalar's characters, found in one pass (each
/// character seen with its neighbours): every render runs it for each string it writes,
/// the ConfigMaps' long texts included.
struct Scan {
    /// A line break followed by a space.
    break_space: bool,
    /// A space followed by a line break.
    space_break: bool,
    line_breaks: bool,
    /// A character YAML cannot print as it is.
    special: bool,
    /// An indicator where a plain scalar would read it as syntax (`- `, `: `, ` #`, ...).
    indicators: bool,
    last: Option<char>,
}

impl Scan {
    fn of(chars: impl Iterator<Item = char>) -> Scan {
        let is_space = |c: char| c == ' ';
        let mut scan = Scan {
            break_space: false,
            space_break: false,
            line_breaks: false,
            special: false,
            indicators: false,
            last: None,
        };
        let mut chars = chars.peekable();
        while let Some(c) = chars.next() {
            let previous = scan.last;
            if let Some(p) = previous {
                scan.break_space |= is_break(p) && is_space(c);
                scan.space_break |= is_space(p) && is_break(c);
            }
            scan.line_breaks |= is_break(c);
            scan.special |= !is_printable(c);
            if !scan.indicators {
                let followed_by_blank = chars.peek().is_none_or(|&n| is_blank(n));
                let preceded_by_blank =
                    previous.is_none_or(|p| matches!(p, ' ' | '\t' | '\0') || is_break(p));
                scan.indicators = match c {
                    ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                    | '%' | '@' | '`' => previous.is_none(),
                    '#' => preceded_by_blank,
                    '?' | '-' => previous.is_none() && followed_by_blank,
                    ':' => followed_by_blank,
                    _ => false,
                };
            }
            scan.last = Some(c);
        }
        scan
    }
}

// ---------------------------------------------------------------------------------------
// Key order.

/// go-yaml v2's `keyList.Less` for two string keys: a "natural" order in which letters
/// sort after non-letters and digit runs compare as numbers.
fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    // Go's unicode.IsDigit accepts every Nd digit but then computes `r - '0'`; only ASCII
    // digits make sense there, and only they are treated as digits here.
    let is_digit = |c: char| c.is_ascii_digit();
    for i in 0..ar.len().min(br.len()) {
        let (ac, bc) = (ar[i], br[i]);
        if ac == bc {
            continue;
        }
        // Go asks unicode.IsLetter (category L); Rust's Alphabetic is the same for
        // everything but a few marks and letter-like numbers.
        let (al, bl) = (ac.is_alphabetic(), bc.is_alphabetic());
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        // Both non-letters: compare the digit runs starting here as numbers. Go's quirk:
        // when a differing rune is '0' inside a number with a non-zero digit before it, both
        // runs count from 1, so that the zero is not taken for a leading zero.
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            for &c in ar[..i].iter().rev().take_while(|&&c| is_digit(c)) {
                if c != '0' {
                    (an, bn) = (1, 1);
                    break;
                }
            }
        }
        // Go's int64 arithmetic wraps on very long runs.
        let run = |s: &[char], mut n: i64| {
            let len = s[i..].iter().take_while(|&&c| is_digit(c)).count();
            for &c in &s[i..i + len] {
                n = n.wrapping_mul(10).wrapping_add(i64::from(c as u8 - b'0'));
            }
            (n, i + len)
        };
        let ((an, ai), (bn, bi)) = (run(&ar, an), run(&br, bn));
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Map entries in go-yaml's key order. The order is not quite transitive for odd keys,
/// so the algorithm matters: Go's `sort.Sort` uses insertion sort for up to 12 elements,
/// which we copy exactly; longer maps get a binary insertion sort, which (unlike
/// `slice::sort_by`) cannot panic on an inconsistent order.
fn sorted_entries(m: &Map) -> Vec<(&String, &Value)> {
    let mut out: Vec<(&String, &Value)> = Vec::with_capacity(m.len());
    for entry in m {
        let not_after = |e: &(&String, &Value)| !key_less(entry.0, e.0);
        let at = if m.len() <= 12 {
            out.iter().rposition(not_after).map_or(0, |p| p + 1)
        } else {
            out.partition_point(not_after)
        };
        out.insert(at, entry);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The emitter.

struct Emitter {
    out: String,
    /// Characters (not bytes) written on the current line.
    column: usize,
    /// Indentation of the current collection or scalar; -1 before the root collection.
    indent: isize,
    /// The last thing written was whitespace (no space needed before an indicator).
    whitespace: bool,
    /// Only indentation (and `-`/`?` indicators) has been written on this line.
    indention: bool,
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            whitespace: true,
            indention: true,
        }
    }

    /// Emits a node; `in_mapping` is libyaml's mapping context (the node is a key or value).
    fn node(&mut self, v: &Value, in_mapping: bool) {
        match v {
            Value::List(items) if items.is_empty() => self.empty_flow("[", "]"),
            Value::Map(m) if m.is_empty() => self.empty_flow("{", "}"),
            Value::List(items) => self.block_sequence(items, in_mapping),
            Value::Map(m) => self.block_mapping(m),
            Value::String(s) => self.scalar(s, requested_string_style(s), false),
            Value::Null => self.scalar("null", Style::Plain, false),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, false),
            Value::Int(i) => self.scalar(&i.to_string(), Style::Plain, false),
            Value::Float(f) => self.scalar(&float_text(*f), Style::Plain, false),
        }
    }

    /// `yaml_emitter_increase_indent`; returns the indent to restore afterwards.
    fn increase_indent(&mut self, flow: bool, indentless: bool) -> isize {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
        saved
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], in_mapping: bool) {
        // A sequence that is a mapping value is not indented relative to its key.
        let saved = self.increase_indent(false, in_mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false);
        }
        self.indent = saved;
    }

    fn block_mapping(&mut self, m: &Map) {
        let saved = self.increase_indent(false, false);
        for (key, value) in sorted_entries(m) {
            self.write_indent();
            let style = requested_string_style(key);
            if !key.contains(is_break) && key.len() <= MAX_SIMPLE_KEY_BYTES {
                self.scalar(key, style, true);
                self.write_indicator(":", false, false, false);
            } else {
                // A complex key: `? key` on its own line(s), then `: value`.
                self.write_indicator("?", true, false, true);
                self.scalar(key, style, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, true);
        }
        self.indent = saved;
    }

    /// Emits a scalar; a `simple_key` (`key:`) is never folded and never a block scalar.
    fn scalar(&mut self, value: &str, requested: Style, simple_key: bool) {
        let style = select_style(requested, value, simple_key);
        let saved = self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain_or_single_quoted(value, !simple_key, false),
            Style::SingleQuoted => self.write_plain_or_single_quoted(value, !simple_key, true),
            Style::DoubleQuoted => self.write_double_quoted(value, !simple_key),
            Style::Literal => self.write_literal(value),
        }
        self.indent = saved;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copies a line break from a scalar; only `\n` is normalized.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_space: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_space && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention &= is_indention;
    }

    /// libyaml folds a line at a space once the line is past the preferred width, but only
    /// at the first space of a run and never at the scalar's first or last character.
    fn can_fold(&self, allow_breaks: bool, spaces: bool, i: usize, len: usize) -> bool {
        allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < len
    }

    /// Plain and single-quoted scalars are written alike (the first and last character
    /// of a plain scalar are never spaces, so the fold rule is the same). Line breaks only
    /// get here as U+2028/U+2029: `\n` asks for literal style, other breaks are not
    /// printable and force double quotes.
    fn write_plain_or_single_quoted(&mut self, value: &str, allow_breaks: bool, quoted: bool) {
        if quoted {
            self.write_indicator("'", true, false, false);
        } else if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if self.can_fold(allow_breaks, spaces, i, chars.len()) && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if quoted && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                (spaces, breaks) = (false, false);
            }
        }
        if quoted {
            self.write_indicator("'", false, false, false);
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's is_bom looks at the start of the value, not at the current character,
        // so a leading BOM gets every character escaped.
        let bom = value.starts_with('\u{feff}');
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                if self.can_fold(allow_breaks, spaces, i, chars.len()) {
                    self.write_indent();
                    // The fold stands for this space; a second one must be escaped.
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// A double-quoted escape: a backslash and a letter, or `x`/`u`/`U` and upper-case hex.
    fn write_escape(&mut self, c: char) {
        const CHARS: &str = "\0\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b}\"\\\u{85}\u{a0}\u{2028}\u{2029}";
        const LETTERS: &str = "0abtnvfre\"\\N_LP";
        let code = u32::from(c);
        let text = match CHARS
            .chars()
            .position(|x| x == c)
            .and_then(|i| LETTERS.chars().nth(i))
        {
            Some(letter) => format!("\\{letter}"),
            None if code <= 0xff => format!("\\x{code:02X}"),
            None if code <= 0xffff => format!("\\u{code:04X}"),
            None => format!("\\U{code:08X}"),
        };
        text.chars().for_each(|c| self.put(c));
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // An indentation indicator when the content itself starts with a space or break.
        if value.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        // Chomping: `-` without a final break, `+` for more than one, none for exactly one.
        let mut tail = value.chars().rev();
        let chomp = match (tail.next(), tail.next()) {
            (Some(last), _) if !is_break(last) => "-",
            (_, Some(before)) if !is_break(before) => "",
            _ => "+",
        };
        self.write_indicator(chomp, false, false, false);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map_of(entries.iter().cloned())
    }

    fn list(items: &[Value]) -> Value {
        Value::List(items.to_vec())
    }

    /// `to_yaml` of `{k: value}`.
    fn under_key(value: &str) -> String {
        to_yaml(&map(&[("k", s(value))]))
    }

    /// `n` nine-letter words separated by single spaces.
    fn words(n: usize) -> String {
        vec!["abcdefghi"; n].join(" ")
    }

    #[test]
    fn top_level_scalars_and_empty_collections() {
        assert_eq!(to_yaml(&Value::Null), "null\n");
        assert_eq!(to_yaml(&Value::Bool(true)), "true\n");
        assert_eq!(to_yaml(&Value::Int(-42)), "-42\n");
        assert_eq!(to_yaml(&s("foo")), "foo\n");
        assert_eq!(to_yaml(&s("")), "\"\"\n");
        assert_eq!(to_yaml(&map(&[])), "{}\n");
        assert_eq!(to_yaml(&list(&[])), "[]\n");
    }

    #[test]
    fn helm_pod_anti_affinity() {
        let labels = map(&[("app.kubernetes.io/name", s("pgbouncerPharia"))]);
        let term = map(&[
            ("topologyKey", s("kubernetes.io/hostname")),
            ("labelSelector", map(&[("matchLabels", labels)])),
        ]);
        let pref = map(&[("weight", Value::Int(100)), ("podAffinityTerm", term)]);
        let v = map(&[(
            "podAntiAffinity",
            map(&[(
                "preferredDuringSchedulingIgnoredDuringExecution",
                list(&[pref]),
            )]),
        )]);
        let expected = "\
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels:
          app.kubernetes.io/name: pgbouncerPharia
      topologyKey: kubernetes.io/hostname
    weight: 100
";
        assert_eq!(to_yaml(&v), expected);
    }

    #[test]
    fn helm_init_container_and_plain_punctuation() {
        let container = map(&[
            ("name", s("init")),
            ("image", s("busybox:1.36")),
            ("command", list(&[s("sh"), s("-c"), s("true")])),
        ]);
        assert_eq!(
            to_yaml(&list(&[container])),
            "- command:\n  - sh\n  - -c\n  - \"true\"\n  image: busybox:1.36\n  name: init\n"
        );
        let v = map(&[
            ("*", Value::Int(1)),
            ("maxSurge", s("25%")),
            (
                "eks.amazonaws.com/role-arn",
                s("arn:aws:iam::123456789012:role/pgb"),
            ),
        ]);
        assert_eq!(
            to_yaml(&v),
            "'*': 1\neks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pgb\nmaxSurge: 25%\n"
        );
    }

    #[test]
    fn nesting() {
        let v = map(&[("a", map(&[("b", map(&[("c", Value::Int(1))]))]))]);
        assert_eq!(to_yaml(&v), "a:\n  b:\n    c: 1\n");

        let item = map(&[
            ("c", list(&[Value::Int(1), Value::Int(2)])),
            ("b", Value::Int(1)),
        ]);
        let v = map(&[("a", list(&[item]))]);
        assert_eq!(to_yaml(&v), "a:\n- b: 1\n  c:\n  - 1\n  - 2\n");

        let v = list(&[
            list(&[Value::Int(1), Value::Int(2)]),
            list(&[Value::Int(3)]),
        ]);
        assert_eq!(to_yaml(&v), "- - 1\n  - 2\n- - 3\n");

        let v = list(&[list(&[map(&[("a", Value::Int(1)), ("b", Value::Int(2))])])]);
        assert_eq!(to_yaml(&v), "- - a: 1\n    b: 2\n");

        let v = map(&[("a", map(&[("b", list(&[map(&[("c", Value::Null)])]))]))]);
        assert_eq!(to_yaml(&v), "a:\n  b:\n  - c: null\n");
    }

    #[test]
    fn empty_collections_everywhere() {
        let v = map(&[("a", map(&[])), ("b", list(&[]))]);
        assert_eq!(to_yaml(&v), "a: {}\nb: []\n");
        assert_eq!(to_yaml(&list(&[map(&[]), list(&[])])), "- {}\n- []\n");
        assert_eq!(to_yaml(&list(&[list(&[list(&[])])])), "- - []\n");
        assert_eq!(to_yaml(&list(&[map(&[("a", list(&[]))])])), "- a: []\n");
        assert_eq!(
            to_yaml(&map(&[("a", map(&[("b", map(&[]))]))])),
            "a:\n  b: {}\n"
        );
    }

    #[test]
    fn key_order() {
        assert!(key_less("a2", "a10"));
        assert!(!key_less("a10", "a2"));
        assert!(key_less("a_b", "aB"));
        assert!(key_less("B", "a"));
        assert!(key_less("-x", "x"));
        assert!(!key_less("x", "-x"));
        assert!(key_less("a", "ab"));
        assert!(key_less("1", "a"));
        assert!(key_less("x9z", "x10y"));
        // Equal numbers: the shorter digit run first.
        assert!(key_less("a1", "a01"));
        assert!(!key_less("a01", "a1"));
        assert!(key_less("1.5", "1.05"));
        // A zero run continuing a number counts as 1: 105 vs 15.
        assert!(key_less("15", "105"));
        assert!(key_less("10", "1a"));
        assert!(key_less("é", "ü"));

        let keys = ["b", "a10", "a2", "B", "_x", "a"];
        let v = map(&keys.map(|k| (k, Value::Int(0))));
        assert_eq!(to_yaml(&v), "_x: 0\nB: 0\na: 0\na2: 0\na10: 0\nb: 0\n");
    }

    #[test]
    fn key_order_for_large_maps() {
        let keys: Vec<String> = (0..40).rev().map(|i| format!("k{i}")).collect();
        let v = Value::Map(keys.iter().map(|k| (k.clone(), Value::Null)).collect());
        let expected: String = (0..40).map(|i| format!("k{i}: null\n")).collect();
        assert_eq!(to_yaml(&v), expected);
    }

    #[test]
    fn strings_that_would_resolve_are_double_quoted() {
        for text in [
            "yes",
            "Yes",
            "NO",
            "y",
            "n",
            "on",
            "Off",
            "true",
            "False",
            "null",
            "Null",
            "~",
            "1",
            "-1",
            "+1",
            "0x1F",
            "0o17",
            "0b101",
            "017",
            "08",
            "1e3",
            "1E+3",
            "1.",
            ".5",
            "-.5",
            "1_000",
            "1__0",
            ".5_5",
            ".inf",
            "-.Inf",
            ".NaN",
            "1:20",
            "-1:20:30.5",
            "190:20:30",
            "99999999999999999999",
            "2024-01-15",
            "2024-1-5",
            "2024-02-29",
            "2024-01-15 10:00:00",
            "2024-01-15T10:00:00Z",
            "2024-01-15t10:00:00.123+01:00",
            "2024-01-15T10:00:00,5-05:30",
        ] {
            assert_eq!(under_key(text), format!("k: \"{text}\"\n"), "{text:?}");
        }
    }

    #[test]
    fn strings_that_stay_plain() {
        for text in [
            "yEs",
            "nil",
            "None",
            "1.2.3",
            "1e999",
            "12:60",
            "1:2:3a",
            "0x",
            "0xG",
            "v1",
            "1a",
            "2024-02-30",
            "2023-02-29",
            "2024-01-15T10:00:00",
            "2024-01-15 10:00:00Z",
            "-x",
            "?x",
            ":x",
            "a#b",
            "a:b",
            "it's",
            "a\"b",
            "\\",
            "<<",
            "héllo",
            "你好",
            "a b",
            "a  b",
            "x-",
            "100%",
            "a,b",
            "x[y]",
            "x{y}",
            "..x",
            "--x",
            "\u{a0}",
        ] {
            assert_eq!(under_key(text), format!("k: {text}\n"), "{text:?}");
        }
    }

    #[test]
    fn strings_that_need_single_quotes() {
        for (text, quoted) in [
            ("*", "'*'"),
            ("- x", "'- x'"),
            ("-", "'-'"),
            ("a: b", "'a: b'"),
            ("key:", "'key:'"),
            ("a #b", "'a #b'"),
            ("? x", "'? x'"),
            (": x", "': x'"),
            ("#x", "'#x'"),
            ("&a", "'&a'"),
            ("!x", "'!x'"),
            ("|", "'|'"),
            (">", "'>'"),
            ("%x", "'%x'"),
            ("@x", "'@x'"),
            ("`x", "'`x'"),
            ("[x", "'[x'"),
            ("[]", "'[]'"),
            ("{}", "'{}'"),
            (",", "','"),
            ("\"q\"", "'\"q\"'"),
            ("'q'", "'''q'''"),
            (" lead", "' lead'"),
            ("trail ", "'trail '"),
            ("---", "'---'"),
            ("...", "'...'"),
            ("你好 #comment", "'你好 #comment'"),
        ] {
            assert_eq!(under_key(text), format!("k: {quoted}\n"), "{text:?}");
        }
    }

    #[test]
    fn strings_that_need_escapes() {
        for (text, quoted) in [
            ("a\tb", r#""a\tb""#),
            ("\x01", r#""\x01""#),
            ("\0", r#""\0""#),
            ("\x1b[0m", r#""\e[0m""#),
            ("a\rb", r#""a\rb""#),
            ("\u{85}", r#""\N""#),
            ("\t\u{2028}\u{2029}", r#""\t\L\P""#),
            ("tab\t\"q\" \\", r#""tab\t\"q\" \\""#),
            ("😀", r#""\U0001F600""#),
            ("\u{feff}ab", r#""\uFEFF\x61\x62""#),
            ("a \nb", r#""a \nb""#),
            ("a\n\tb", r#""a\n\tb""#),
            ("a\nb ", r#""a\nb ""#),
        ] {
            assert_eq!(under_key(text), format!("k: {quoted}\n"), "{text:?}");
        }
    }

    #[test]
    fn keys_are_quoted_like_values() {
        let keys = ["yes", "", "a b", "- x", "a\tb", "1", "x"];
        let v = map(&keys.map(|k| (k, Value::Int(0))));
        assert_eq!(
            to_yaml(&v),
            "\"\": 0\n'- x': 0\n\"1\": 0\n\"a\\tb\": 0\na b: 0\nx: 0\n\"yes\": 0\n"
        );
    }

    #[test]
    fn unicode_line_separators_without_newline_stay_single_quoted() {
        // libyaml copies U+2028 raw and indents the next line like a folded scalar.
        assert_eq!(under_key("a\u{2028}b"), "k: 'a\u{2028}  b'\n");
    }

    #[test]
    fn multi_line_strings_use_literal_style() {
        assert_eq!(under_key("a\nb"), "k: |-\n  a\n  b\n");
        assert_eq!(under_key("a\nb\n"), "k: |\n  a\n  b\n");
        assert_eq!(under_key("a\nb\n\n"), "k: |+\n  a\n  b\n\n");
        assert_eq!(under_key("a\n\nb"), "k: |-\n  a\n\n  b\n");
        assert_eq!(under_key(" a\nb"), "k: |2-\n   a\n  b\n");
        assert_eq!(under_key("\na"), "k: |2-\n\n  a\n");
        assert_eq!(under_key("\n"), "k: |2+\n\n");
        assert_eq!(under_key("a\n b"), "k: |-\n  a\n   b\n");
        assert_eq!(under_key("- a\n# b\n"), "k: |\n  - a\n  # b\n");

        let v = map(&[("k", s("a\nb\n\n")), ("z", Value::Int(1))]);
        assert_eq!(to_yaml(&v), "k: |+\n  a\n  b\n\nz: 1\n");
        assert_eq!(to_yaml(&list(&[s("a\nb")])), "- |-\n  a\n  b\n");
        assert_eq!(
            to_yaml(&list(&[map(&[("k", s("a\nb"))])])),
            "- k: |-\n    a\n    b\n"
        );
        assert_eq!(to_yaml(&s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(to_yaml(&s("a\n")), "|\n  a\n");
    }

    #[test]
    fn complex_keys() {
        assert_eq!(
            to_yaml(&map(&[("a\nb", Value::Int(1))])),
            "? |-\n  a\n  b\n: 1\n"
        );
        let long = "k".repeat(129);
        assert_eq!(
            to_yaml(&map(&[(&long, Value::Int(1))])),
            format!("? {long}\n: 1\n")
        );
        let nested = map(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        assert_eq!(
            to_yaml(&map(&[(&long, nested)])),
            format!("? {long}\n: a: 1\n  b: 2\n")
        );
        // 128 bytes is still a simple key, and keys are never folded.
        let key: String = words(13).chars().take(128).collect();
        assert_eq!(key.len(), 128);
        assert_eq!(
            to_yaml(&map(&[(&key, Value::Int(1))])),
            format!("{key}: 1\n")
        );
    }

    #[test]
    fn long_plain_strings_fold_after_column_80() {
        assert_eq!(
            under_key(&words(20)),
            format!("k: {}\n  {}\n  {}\n", words(8), words(8), words(4))
        );
        assert_eq!(
            to_yaml(&s(&words(20))),
            format!("{}\n  {}\n  {}\n", words(9), words(8), words(3))
        );
        assert_eq!(
            to_yaml(&list(&[s(&words(20))])),
            format!("- {}\n  {}\n  {}\n", words(8), words(8), words(4))
        );
        let deep = map(&[("a", map(&[("b", s(&words(10)))]))]);
        assert_eq!(
            to_yaml(&deep),
            format!("a:\n  b: {}\n    {}\n", words(8), words(2))
        );
        let no_spaces = "x".repeat(100);
        assert_eq!(under_key(&no_spaces), format!("k: {no_spaces}\n"));
    }

    #[test]
    fn long_quoted_strings_fold_too() {
        let single = format!("*bcdefghi {}", words(19));
        assert_eq!(
            under_key(&single),
            format!(
                "k: '*bcdefghi {}\n  {}\n  {}'\n",
                words(7),
                words(8),
                words(4)
            )
        );
        let double = format!("{} abcdefgh\t", words(19));
        assert_eq!(
            under_key(&double),
            format!(
                "k: \"{}\n  {}\n  {} abcdefgh\\t\"\n",
                words(8),
                words(8),
                words(3)
            )
        );
        // A fold at the first of two spaces keeps the second as an escaped space.
        let two_spaces = format!("{}  {}\t", words(8), words(2));
        assert_eq!(
            under_key(&two_spaces),
            format!("k: \"{}\n  \\ {}\\t\"\n", words(8), words(2))
        );
    }

    #[test]
    fn numbers() {
        let cases = [
            (1.5, "1.5"),
            (3.0, "3"),
            (1e6, "1000000"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (-0.25, "-0.25"),
            (1e21, "1e+21"),
            (1e20, "1e+20"),
            (0.00001, "1e-05"),
            (1e-7, "1e-07"),
            (100000.5, "100000.5"),
            (1234567.5, "1.2345675e+06"),
            (123456789.5, "1.234567895e+08"),
            (4611686018427387904.0, "4611686018427388000"),
            (9223372036854775808.0, "9223372036854776000"),
            (-9223372036854775808.0, "-9.223372036854776e+18"),
            (1.8446744073709552e19, "1.8446744073709552e+19"),
        ];
        for (f, text) in cases {
            assert_eq!(to_yaml(&Value::Float(f)), format!("{text}\n"), "{f:?}");
        }
        assert_eq!(to_yaml(&Value::Int(i64::MIN)), "-9223372036854775808\n");
    }

    #[test]
    fn go_float_formatting() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-123.456, "-123.456"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ];
        for (f, text) in cases {
            assert_eq!(go::strconv::format_float(f), text, "{f:?}");
        }
    }

    #[test]
    fn values_helm_cannot_marshal_print_nothing() {
        assert_eq!(to_yaml(&map(&[("a", Value::Float(f64::NAN))])), "");
        assert_eq!(to_yaml(&list(&[Value::Float(f64::INFINITY)])), "");
        assert_eq!(to_yaml(&s("a\u{7f}")), "");
        assert_eq!(to_yaml(&map(&[("\u{9f}", Value::Null)])), "");
        // The key's JSON form, quotes included, must fit in 1024 characters.
        let ok = "k".repeat(1022);
        assert_eq!(
            to_yaml(&map(&[(&ok, Value::Null)])),
            format!("? {ok}\n: null\n")
        );
        assert_eq!(to_yaml(&map(&[(&"k".repeat(1023), Value::Null)])), "");
        assert_eq!(to_yaml(&map(&[(&"<".repeat(200), Value::Null)])), "");
    }
}

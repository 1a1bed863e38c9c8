//! Which style a string scalar gets: what go-yaml asks for (`stringv`), and what libyaml's
//! analysis of the characters then allows (`yaml_emitter_select_scalar_style`).

use crate::yaml::resolve::{Cursor, Resolved, resolve};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Style {
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
/// assert!(is_plain_string("docker.io/library/postgres:17.2"));
/// for s in ["true", "1", "", "a: b", "{x: 1}", "#", "x #y", "&a", "*a", "!!binary", "|", "-", "'", "a\nb"] {
///     assert!(!is_plain_string(s), "{s:?}");
/// }
/// ```
pub fn is_plain_string(s: &str) -> bool {
    requested_string_style(s) == Style::Plain && select_style(Style::Plain, s, true) == Style::Plain
}

/// go-yaml's `stringv`: multi-line strings ask for literal style; strings that would read
/// back as something else (`yes`, `1`, `~`, `2024-01-01`, `1:20`) must be double-quoted.
pub(super) fn requested_string_style(s: &str) -> Style {
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
pub(super) fn is_base60_float(s: &str) -> bool {
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
pub(super) fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `yaml_emitter_analyze_scalar` plus `yaml_emitter_select_scalar_style`, for untagged
/// scalars in block context: falls back from the requested style (plain, then single
/// quotes, then double quotes; literal straight to double quotes) until one can carry
/// `value`.
pub(super) fn select_style(requested: Style, value: &str, simple_key: bool) -> Style {
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

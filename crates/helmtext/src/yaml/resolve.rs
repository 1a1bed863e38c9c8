//! go-yaml v2's `resolve` (resolve.go) for untagged plain scalars: which type a scalar
//! such as `yes`, `0x1F`, `.1_0` or `2001-12-14` has. Written once, for the parser (what a
//! values file means) and the emitter (whether a string must be quoted so that it reads
//! back as a string).

use crate::go::strconv;

/// What go-yaml v2 resolves an untagged plain scalar to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, the empty scalar.
    Null,
    /// YAML 1.1 booleans: `y`, `yes`, `on`, `true`, ... in three spellings.
    Bool(bool),
    /// An integer that fits in an int64.
    Int(i64),
    /// An integer above `i64::MAX` that fits in a uint64.
    Uint(u64),
    /// A float (including `.inf` and `.nan`).
    Float(f64),
    /// A timestamp (`2001-12-14`, `2001-12-14T21:59:43.10-05:00`); go-yaml v2 hands
    /// `interface{}` targets the original text.
    Timestamp,
    /// Anything else.
    Str,
}

/// go-yaml v2's `resolve("", text)` for a plain scalar.
///
/// The first byte decides what is tried, as go-yaml's `resolve_table` hint does: a few
/// letters and `~` look the text up among the YAML 1.1 keywords; `.` tries Go's
/// `ParseFloat` on the text as written (so `.1_0` is 0.1: Go allows `_` between digits);
/// a digit or sign tries a timestamp, then removes every `_` and tries `ParseInt`,
/// `ParseUint`, `ParseFloat` (given the decimal pattern), and go-yaml's own `0b` reading.
///
/// ```
/// use qspgb_helmtext::yaml::resolve::{Resolved, resolve};
/// assert_eq!(resolve("yes"), Resolved::Bool(true));
/// assert_eq!(resolve("0x1F"), Resolved::Int(31));
/// assert_eq!(resolve(".1_0"), Resolved::Float(0.1));
/// assert_eq!(resolve("1_000"), Resolved::Int(1000));
/// assert_eq!(resolve("0b-1"), Resolved::Int(-1));
/// assert_eq!(resolve("2001-12-14"), Resolved::Timestamp);
/// assert_eq!(resolve("1e400"), Resolved::Str);
/// assert_eq!(resolve("<<"), Resolved::Str);
/// ```
pub fn resolve(text: &str) -> Resolved {
    let Some(&first) = text.as_bytes().first() else {
        return Resolved::Null;
    };
    // resolve_map (go-yaml consults it only when the first byte has a hint, which every
    // keyword's first byte has).
    if let Some(keyword) = keyword(text) {
        return keyword;
    }
    match first {
        b'.' => match strconv::parse_float(text) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(text) {
                return Resolved::Timestamp;
            }
            let plain = text.replace('_', "");
            if let Some(i) = strconv::parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = strconv::parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_style_float(&plain)
                && let Some(f) = strconv::parse_float(&plain)
            {
                return Resolved::Float(f);
            }
            // go-yaml v2 reads the rest of `0b...` with ParseInt base 2, which takes a sign
            // (`0b-1` is -1). Its `-0b` case adds nothing that ParseInt base 0 did not try.
            if let Some(i) = plain
                .strip_prefix("0b")
                .and_then(|rest| strconv::parse_int_radix(rest, 2))
            {
                return Resolved::Int(i);
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// go-yaml v2's `resolve_map`: the YAML 1.1 keywords.
fn keyword(text: &str) -> Option<Resolved> {
    Some(match text {
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
pub fn is_yaml_style_float(s: &str) -> bool {
    let mut p = Cursor::new(s);
    p.eat(|c| matches!(c, b'+' | b'-'));
    let int_digits = p.digits();
    let frac_digits = p.eat(|c| c == b'.').then(|| p.digits());
    let mut ok = int_digits > 0 || frac_digits.is_some_and(|n| n > 0);
    if p.eat(|c| matches!(c, b'e' | b'E')) {
        p.eat(|c| matches!(c, b'+' | b'-'));
        ok &= p.digits() > 0;
    }
    ok && p.at_end()
}

/// go-yaml v2 reads plain scalars matching one of these Go `time.Parse` layouts as
/// timestamps: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`),
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // go-yaml's quick check: four digits and a dash.
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let mut p = Cursor { b, i: 5 };
    // Go's getnum for the unpadded fields: one digit, or two if there are two.
    let field =
        |p: &mut Cursor, min: u32, max: u32| p.number(2).filter(|n| (min..=max).contains(n));
    let Some(month) = field(&mut p, 1, 12) else {
        return false;
    };
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !p.eat(|c| c == b'-') || field(&mut p, 1, days).is_none() {
        return false;
    }
    if p.at_end() {
        return true;
    }
    let sep = p.peek(0);
    let time = p.eat(|c| matches!(c, b'T' | b't' | b' '))
        && field(&mut p, 0, 23).is_some()
        && p.eat(|c| c == b':')
        && field(&mut p, 0, 59).is_some()
        && p.eat(|c| c == b':')
        && field(&mut p, 0, 59).is_some();
    if !time {
        return false;
    }
    // Optional fraction (`.` or `,`), any number of digits.
    if matches!(p.peek(0), Some(b'.' | b',')) && p.peek(1).is_some_and(|c| c.is_ascii_digit()) {
        p.i += 1;
        p.digits();
    }
    let zone = &b[p.i..];
    match sep {
        Some(b' ') => zone.is_empty(),
        // Z07:00: `Z`, or a sign with two-digit hours (up to 24) and minutes (up to 60).
        _ => {
            let two = |d: &[u8]| {
                d.iter()
                    .all(u8::is_ascii_digit)
                    .then(|| (d[0] - b'0') * 10 + d[1] - b'0')
            };
            zone == b"Z"
                || (zone.len() == 6
                    && matches!(zone[0], b'+' | b'-')
                    && zone[3] == b':'
                    && two(&zone[1..3]).is_some_and(|h| h <= 24)
                    && two(&zone[4..6]).is_some_and(|m| m <= 60))
        }
    }
}

/// A byte cursor for the little scalar grammars above.
pub(crate) struct Cursor<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) i: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Cursor {
            b: s.as_bytes(),
            i: 0,
        }
    }

    pub(crate) fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.i + ahead).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.i == self.b.len()
    }

    /// Consumes one byte if it matches.
    pub(crate) fn eat(&mut self, pred: impl Fn(u8) -> bool) -> bool {
        let hit = self.peek(0).is_some_and(pred);
        self.i += usize::from(hit);
        hit
    }

    /// Consumes matching bytes; returns how many.
    pub(crate) fn eat_while(&mut self, pred: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat(&pred) {}
        self.i - start
    }

    pub(crate) fn digits(&mut self) -> usize {
        self.eat_while(|c| c.is_ascii_digit())
    }

    /// One to `max_len` digits as a number.
    pub(crate) fn number(&mut self, max_len: usize) -> Option<u32> {
        let start = self.i;
        while self.i - start < max_len && self.eat(|c| c.is_ascii_digit()) {}
        let digits = &self.b[start..self.i];
        (!digits.is_empty()).then(|| digits.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
    }
}

#[cfg(test)]
mod tests;

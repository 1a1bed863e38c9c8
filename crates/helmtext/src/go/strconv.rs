//! Go's `strconv`: `ParseInt`/`ParseUint` with base 0, `ParseFloat` for decimal text, and
//! `FormatFloat(f, 'g', -1, 64|32)`, including Go's rule for underscores in numbers.
//!
//! Rust's own parsers differ in what they accept (`from_str_radix` takes a sign, `parse`
//! takes `inf`, neither takes `0x` or `_`) and in range errors (Rust's float parser gives
//! infinity where Go reports an error), and Go's text is what go-yaml decides a scalar's
//! type by, so the rules are ported here.

/// Go's `underscoreOK`: underscores may only appear between digits, or between a base
/// prefix (`0x`, `0o`, `0b`) and a digit. Only called for text containing `_`.
///
/// ```
/// use qspgb_helmtext::go::strconv::underscore_ok;
/// assert!(underscore_ok("1_000"));
/// assert!(underscore_ok(".1_0"));
/// assert!(underscore_ok("0x_1F"));
/// assert!(!underscore_ok("1__0"));
/// assert!(!underscore_ok("_1"));
/// assert!(!underscore_ok("1_"));
/// assert!(!underscore_ok("1_.5"));
/// ```
pub fn underscore_ok(s: &str) -> bool {
    // What the last byte was: '^' the start, '0' a digit or base prefix, '_' an underscore,
    // '!' anything else.
    let mut saw = b'^';
    let s = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut hex = false;
    let mut i = 0;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &s[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` prefixes (either case), a bare
/// leading `0` for octal, underscores as [`underscore_ok`] allows; no sign.
///
/// ```
/// use qspgb_helmtext::go::strconv::parse_uint;
/// assert_eq!(parse_uint("0x1F"), Some(31));
/// assert_eq!(parse_uint("017"), Some(15));
/// assert_eq!(parse_uint("0"), Some(0));
/// assert_eq!(parse_uint("08"), None);
/// assert_eq!(parse_uint("0x"), None);
/// assert_eq!(parse_uint("+1"), None);
/// assert_eq!(parse_uint("18446744073709551615"), Some(u64::MAX));
/// ```
pub fn parse_uint(s: &str) -> Option<u64> {
    if s.contains('_') {
        return underscore_ok(s)
            .then(|| parse_uint(&s.replace('_', "")))
            .flatten();
    }
    let (digits, radix) = match s.as_bytes() {
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (&s[2..], 16),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (&s[2..], 8),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (&s[2..], 2),
        [b'0'] => return Some(0),
        [b'0', ..] => (&s[1..], 8),
        _ => (s, 10),
    };
    // from_str_radix would accept a sign; Go does not.
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then [`parse_uint`], in range.
///
/// ```
/// use qspgb_helmtext::go::strconv::parse_int;
/// assert_eq!(parse_int("-0x10"), Some(-16));
/// assert_eq!(parse_int("+1_000"), Some(1000));
/// assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
/// assert_eq!(parse_int("9223372036854775808"), None);
/// assert_eq!(parse_int("--1"), None);
/// ```
pub fn parse_int(s: &str) -> Option<i64> {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = i128::from(parse_uint(unsigned)?);
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// Go's `strconv.ParseInt(s, radix, 64)` for an explicit radix (no prefix, no underscores).
pub fn parse_int_radix(s: &str, radix: u32) -> Option<i64> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.is_empty() || !unsigned.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let magnitude = i128::from(u64::from_str_radix(unsigned, radix).ok()?);
    i64::try_from(if s.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
    .ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text: `[+-]` digits with an optional `.`
/// and fraction (or `.` and a fraction), an optional exponent, underscores as
/// [`underscore_ok`] allows. A value beyond the float range is a range error in Go (`None`
/// here) where Rust would give infinity.
///
/// Go also reads hexadecimal floats and `Inf`/`NaN` spellings here; no caller can pass
/// them (go-yaml calls ParseFloat only on text starting with `.` or matching its decimal
/// pattern), so they are refused.
///
/// ```
/// use qspgb_helmtext::go::strconv::parse_float;
/// assert_eq!(parse_float(".1_0"), Some(0.1));
/// assert_eq!(parse_float("1e1_0"), Some(1e10));
/// assert_eq!(parse_float("1."), Some(1.0));
/// assert_eq!(parse_float("1e400"), None);
/// assert_eq!(parse_float("._1"), None);
/// assert_eq!(parse_float("."), None);
/// assert_eq!(parse_float("inf"), None);
/// ```
pub fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') {
        return underscore_ok(s)
            .then(|| parse_float(&s.replace('_', "")))
            .flatten();
    }
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok = digits(int) && digits(frac) && (!int.is_empty() || !frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| !e.is_empty() && digits(e));
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits that round-trip, in
/// `%e` form when the decimal exponent is below -4 or at least 6 (the exponent has at
/// least two digits), else in `%f` form; `NaN`, `+Inf`, `-Inf`.
///
/// ```
/// use qspgb_helmtext::go::strconv::format_float;
/// assert_eq!(format_float(1.5), "1.5");
/// assert_eq!(format_float(100000.0), "100000");
/// assert_eq!(format_float(1000000.0), "1e+06");
/// assert_eq!(format_float(0.0001), "0.0001");
/// assert_eq!(format_float(0.00001), "1e-05");
/// assert_eq!(format_float(123456789.5), "1.234567895e+08");
/// assert_eq!(format_float(f64::NEG_INFINITY), "-Inf");
/// ```
pub fn format_float(f: f64) -> String {
    format_g(f, Decimal::shortest(f.abs(), format!("{:e}", f.abs())))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: like [`format_float`], with the shortest
/// digits that round-trip through a float32.
///
/// ```
/// use qspgb_helmtext::go::strconv::format_float32;
/// assert_eq!(format_float32(0.1), "0.1");
/// assert_eq!(format_float32(1e6), "1e+06");
/// assert_eq!(format_float32(3.3), "3.3");
/// ```
pub fn format_float32(f: f64) -> String {
    let f = f as f32;
    format_g(
        f64::from(f),
        Decimal::shortest(f64::from(f.abs()), format!("{:e}", f.abs())),
    )
}

/// The `'g'` format with precision -1 of `f`, whose magnitude's shortest digits are `d`.
fn format_g(f: f64, d: Decimal) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let exp = d.point - 1;
    if !d.digits.is_empty() && !(-4..6).contains(&exp) {
        out.push(char::from(d.digits[0]));
        if d.digits.len() > 1 {
            out.push('.');
            out.extend(d.digits[1..].iter().map(|&b| char::from(b)));
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else {
        let decimals = (d.digits.len() as i32 - d.point).max(0);
        d.write_fixed(&mut out, decimals);
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'f', 0, 64)` of a whole float: its digits without a
/// fraction or exponent (`-0` for negative zero), as `encoding/json` writes one.
pub fn format_whole(f: f64) -> String {
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    Decimal::shortest(f.abs(), format!("{:e}", f.abs())).write_fixed(&mut out, 0);
    out
}

/// A non-negative float as shortest round-trip decimal digits: value = 0.DIGITS × 10^point.
#[derive(Default)]
struct Decimal {
    /// ASCII digits without leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    point: i32,
}

impl Decimal {
    /// From `abs` and its Rust `{:e}` text, which has the shortest digits that round-trip
    /// (for the float's own width), as Go's precision -1 does.
    fn shortest(abs: f64, sci: String) -> Decimal {
        if abs == 0.0 || !abs.is_finite() {
            return Decimal::default();
        }
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal {
            digits,
            point: exp.parse::<i32>().unwrap_or(0) + 1,
        }
    }

    /// Go's `fmtF`: integer part (at least `0`), then `decimals` digits after the point.
    fn write_fixed(&self, out: &mut String, decimals: i32) {
        let digit = |i: i32| -> char {
            usize::try_from(i)
                .ok()
                .and_then(|i| self.digits.get(i))
                .map_or('0', |&b| char::from(b))
        };
        if self.point > 0 {
            (0..self.point).for_each(|i| out.push(digit(i)));
        } else {
            out.push('0');
        }
        if decimals > 0 {
            out.push('.');
            (0..decimals).for_each(|i| out.push(digit(self.point + i)));
        }
    }
}

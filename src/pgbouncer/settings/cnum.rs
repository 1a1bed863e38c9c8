//! C's number parsing as PgBouncer calls it (`strtol`, `strtoul`, `atoi`, `strtod`), on a
//! 64-bit Linux C library in the C locale.
//!
//! Written by hand rather than calling libc through FFI: what matters is the exact
//! PgBouncer result for every input (where a number ends, how it saturates or wraps),
//! which must not depend on the C library of the machine qspgb runs on (glibc here, musl in
//! the chart's image, whose float edge cases differ), and this keeps the crate free of
//! `unsafe`.

/// C `isspace` in the C locale.
pub(super) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C `strtol(s, &end, base)` for base 0 or 10 on a 64-bit `long`: the value (saturated at
/// the `long` range, as `strtol` does on overflow) and the byte offset of `end`. `None`
/// when no digits were read (`end == s`).
pub(super) fn c_strtol(s: &str, base: u32) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = b.iter().take_while(|&&c| is_c_space(c)).count();
    let negative = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (radix, start) = if base == 0
        && b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, i + 2)
    } else if base == 0 && b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let mut magnitude: i128 = 0;
    let mut end = start;
    while let Some(digit) = b.get(end).and_then(|&c| (c as char).to_digit(radix)) {
        magnitude = (magnitude * i128::from(radix) + i128::from(digit)).min(1 << 64);
        end += 1;
    }
    if end == start {
        return None;
    }
    let signed = if negative { -magnitude } else { magnitude };
    Some((
        signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
        end,
    ))
}

/// C `strtoul(s, &end, 0)` on a 64-bit `unsigned long`, requiring `end` at the end of `s`.
pub(super) fn c_strtoul(s: &str) -> Option<u64> {
    let body = s.trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
    let (negative, unsigned) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if unsigned.starts_with(|c: char| c == '+' || c == '-' || (c.is_ascii() && is_c_space(c as u8)))
    {
        return None;
    }
    // The digits and the base are those of strtol; overflow saturates at ULONG_MAX.
    let (_, end) = c_strtol(unsigned, 0)?;
    if end != unsigned.len() {
        return None;
    }
    let (radix, digits) = match unsigned.get(..2) {
        Some("0x" | "0X") if unsigned.len() > 2 => (16, &unsigned[2..]),
        _ if unsigned.starts_with('0') => (8, unsigned),
        _ => (10, unsigned),
    };
    let magnitude = match u64::from_str_radix(digits, radix) {
        Ok(n) => n,
        Err(_) => return Some(u64::MAX),
    };
    Some(if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    })
}

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`): the leading decimal number, 0 if none.
pub(super) fn c_atoi(s: &str) -> i64 {
    c_strtol(s, 10).map_or(0, |(n, _)| i64::from(n as i32))
}

/// libusual `parse_time`: `strtod` must read the whole value, set no `errno` and give a
/// number that is not negative (NaN passes: it is not `< 0`).
pub(super) fn c_strtod_whole(value: &str) -> Result<f64, String> {
    let invalid = || format!("{value:?} is not a number of seconds (no units; e.g. 10 or 1.5)");
    let body = value.trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
    let (negative, unsigned) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let lower = unsigned.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan"
        || (lower.starts_with("nan(")
            && lower.ends_with(')')
            && lower[4..lower.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        f64::NAN
    } else if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex).ok_or_else(invalid)?
    } else {
        parse_decimal_float(&lower).ok_or_else(invalid)?
    };
    if negative && magnitude > 0.0 {
        return Err(format!("{value:?} is negative"));
    }
    Ok(if negative { -magnitude } else { magnitude })
}

/// A C decimal floating literal without sign: `digits[.digits][e[+-]digits]` with at least
/// one mantissa digit. `None` when malformed or when `strtod` would set `ERANGE`
/// (overflow, or a non-zero literal that is zero or subnormal as a double).
fn parse_decimal_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits_ok(whole) || !digits_ok(fraction) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits_ok(e) {
            return None;
        }
    }
    let v: f64 = s.parse().ok()?;
    let nonzero = whole.bytes().chain(fraction.bytes()).any(|b| b != b'0');
    (v.is_finite() && (!nonzero || v.is_normal())).then_some(v)
}

/// A C hexadecimal floating literal after `0x`: `hex[.hex][p[+-]digits]`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.split_once('p') {
        Some((m, e)) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (
                m,
                e.parse::<i32>().unwrap_or(if e.starts_with('-') {
                    i32::MIN
                } else {
                    i32::MAX
                }),
            )
        }
        None => (s, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let hex_ok = |d: &str| d.bytes().all(|b| b.is_ascii_hexdigit());
    if whole.len() + fraction.len() == 0 || !hex_ok(whole) || !hex_ok(fraction) {
        return None;
    }
    let mut v = 0f64;
    for b in whole.bytes().chain(fraction.bytes()) {
        v = v * 16.0 + f64::from((b as char).to_digit(16)?);
    }
    let scale = exponent.saturating_sub(4 * fraction.len() as i32);
    let v = v * 2f64.powi(scale);
    let nonzero = whole.bytes().chain(fraction.bytes()).any(|b| b != b'0');
    (v.is_finite() && (!nonzero || v.is_normal())).then_some(v)
}

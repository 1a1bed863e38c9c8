//! Go's `encoding/json` as `json.Marshal` writes strings and floats (Helm's `toJson`, and
//! the first step of sigs.k8s.io/yaml's `Marshal`, which `toYaml` calls).

/// Appends `s` as a JSON string literal the way `encoding/json` writes it, with HTML
/// escaping on: `<`, `>`, `&`, U+2028 and U+2029 as `\u00XX`, other control characters
/// as `\u00XX` except the short `\b \f \n \r \t` (Go 1.22 and later).
///
/// ```
/// let mut out = String::new();
/// qspgb_helmtext::go::json::write_string("a<b\u{1}\n\"", &mut out);
/// assert_eq!(out, r#""a\u003cb\u0001\n\"""#);
/// ```
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\0'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The length in characters of `s` as [`write_string`] escapes it, without the quotes.
pub fn escaped_len(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            '\0'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            _ => 1,
        })
        .sum()
}

/// A float as `encoding/json` writes it: `strconv`'s shortest digits, in `%f` form unless
/// the magnitude is below 1e-6 or at least 1e21, then `%e` form with `e-07` shortened to
/// `e-7`. `None` for NaN and infinities, which `json.Marshal` refuses.
///
/// ```
/// use qspgb_helmtext::go::json::format_float;
/// assert_eq!(format_float(1e20).as_deref(), Some("100000000000000000000"));
/// assert_eq!(format_float(1e21).as_deref(), Some("1e+21"));
/// assert_eq!(format_float(1e-7).as_deref(), Some("1e-7"));
/// assert_eq!(format_float(0.5).as_deref(), Some("0.5"));
/// assert_eq!(format_float(f64::NAN), None);
/// ```
pub fn format_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    Some(if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = super::strconv::format_float(f);
        match text.split_once("e-0") {
            Some((mantissa, digit)) => format!("{mantissa}e-{digit}"),
            None => text,
        }
    } else {
        // Rust's Display prints the shortest round-trip digits without an exponent.
        format!("{f}")
    })
}

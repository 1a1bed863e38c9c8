//! Go's `fmt` verb `%q` for strings (`strconv.Quote`), which sprig's `quote` uses.

/// A double-quoted string with Go's escapes: `\a \b \f \n \r \t \v`, `\"`, `\\`, and
/// `\xXX`, `\uXXXX` or `\UXXXXXXXX` for other control and non-space whitespace characters.
/// YAML's double-quoted style reads every one of these back unchanged.
///
/// ```
/// use qspgb_helmtext::go::quote::quote;
/// assert_eq!(quote("a\"b\\c\n\u{7f}\u{2028}"), r#""a\"b\\c\n\x7f\u2028""#);
/// ```
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                let n = c as u32;
                if n < 0x80 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

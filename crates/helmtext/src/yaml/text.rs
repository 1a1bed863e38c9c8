//! Which text go-yaml's reader accepts: UTF-8 only, and no control characters.

use super::YamlError;

/// A file's bytes as text, or an error naming where they stop being UTF-8 (go-yaml reads
/// nothing else). The offending byte is not quoted: it may be part of a password.
///
/// ```
/// use qspgb_helmtext::yaml::text_from_bytes;
/// assert_eq!(text_from_bytes(b"a: 1\n".to_vec(), "v.yaml").unwrap(), "a: 1\n");
/// let err = text_from_bytes(b"a: 1\nb: caf\xe9\n".to_vec(), "v.yaml").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "v.yaml:2:7: not UTF-8 text (values and chart files must be UTF-8; is it Latin-1?)"
/// );
/// ```
pub fn text_from_bytes(bytes: Vec<u8>, origin: &str) -> Result<String, YamlError> {
    let err = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(err) => err,
    };
    let bytes = err.as_bytes();
    let valid = &bytes[..err.utf8_error().valid_up_to()];
    let before = std::str::from_utf8(valid).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let guess = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "it looks like UTF-16: save it as UTF-8"
    } else if bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
        .count()
        > bytes.len() / 20
    {
        // Text, in any encoding, has few control characters; random bytes have one in 8.
        "it looks like binary data, not text"
    } else {
        "is it Latin-1?"
    };
    let reason = format!("not UTF-8 text (values and chart files must be UTF-8; {guess})");
    Err(YamlError::syntax(
        origin,
        line,
        column,
        String::new(),
        &reason,
    ))
}

/// Rejects the characters go-yaml's reader rejects (NUL and other C0/C1 controls,
/// surrogates, U+FFFE/U+FFFF); yaml-rust2 would let them into scalars.
pub(super) fn check_characters(text: &str, origin: &str) -> Result<(), YamlError> {
    // Nearly every text is printable ASCII: bytes, no UTF-8 decoding (every rendered
    // document is read through here).
    if text
        .bytes()
        .all(|b| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~'))
    {
        return Ok(());
    }
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    };
    let Some((offset, c)) = text.char_indices().find(|&(_, c)| !allowed(c)) else {
        return Ok(());
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let reason = format!(
        "control characters are not allowed (found U+{:04X})",
        c as u32
    );
    Err(YamlError::new(origin, line, column, String::new(), &reason))
}

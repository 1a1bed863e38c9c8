//! PgBouncer's own file formats: `pgbouncer.ini` entries and `userlist.txt` lines.
//!
//! Pure text functions, shared by the chart's templates (as filters) and by anything else
//! that writes these files, so there is one implementation of each format.

use std::fmt;

/// Why a value cannot go into a PgBouncer file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

/// One `[databases]` or `[users]` entry: `name = key=value key=value`, parameters in the
/// order given (callers sort them, as Helm's `range` does). No parameters gives `name =`.
///
/// ```
/// # use qspgb::pgbouncer::ini_entry;
/// let params = [("host", "cluster-pharia-rw"), ("pool_mode", "session"), ("port", "5432")];
/// assert_eq!(
///     ini_entry("pharia-os", params),
///     "pharia-os = host=cluster-pharia-rw pool_mode=session port=5432"
/// );
/// ```
pub fn ini_entry<'a>(name: &str, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut line = format!("{name} =");
    for (key, value) in params {
        line.push(' ');
        line.push_str(key);
        line.push('=');
        line.push_str(value);
    }
    line
}

/// One `userlist.txt` line: `"user" "password"`, with a `"` inside a field doubled as
/// PgBouncer's auth_file format wants. A line break or NUL cannot be represented and is
/// refused (the error names the user, never the password).
///
/// ```
/// # use qspgb::pgbouncer::userlist_line;
/// assert_eq!(userlist_line("app", "SCRAM-SHA-256$4096:x").unwrap(), r#""app" "SCRAM-SHA-256$4096:x""#);
/// assert_eq!(userlist_line("a\"b", "p\"w").unwrap(), r#""a""b" "p""w""#);
/// assert!(userlist_line("app", "line\nbreak").is_err());
/// ```
pub fn userlist_line(user: &str, password: &str) -> Result<String, FormatError> {
    for (what, text) in [("user name", user), ("password", password)] {
        if text.contains(['\n', '\r', '\0']) {
            return Err(FormatError(format!(
                "userlist: the {what} of user {:?} contains a line break or NUL, which userlist.txt cannot hold",
                user.replace(['\n', '\r', '\0'], "?")
            )));
        }
    }
    Ok(format!(
        "\"{}\" \"{}\"",
        user.replace('"', "\"\""),
        password.replace('"', "\"\"")
    ))
}

/// Reads a `userlist.txt` as PgBouncer's auth_file loader does and returns the user names,
/// in file order. Each entry is `"user" "password"` (a `"` inside doubled); blank lines and
/// lines starting with `;` or `#` are skipped. The error names the line, never its content.
///
/// ```
/// # use qspgb::pgbouncer::userlist_users;
/// assert_eq!(userlist_users("\"a\" \"x\"\n\n\"b\"\"c\" \"y\"\n").unwrap(), ["a", "b\"c"]);
/// assert!(userlist_users("\"a\" x\n").is_err());
/// ```
pub fn userlist_users(text: &str) -> Result<Vec<String>, FormatError> {
    let mut users = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let bad = || {
            FormatError(format!(
                "line {}: expected \"user\" \"password\"",
                index + 1
            ))
        };
        let (user, rest) = quoted_field(line).ok_or_else(bad)?;
        let (_, rest) = quoted_field(rest.trim_start()).ok_or_else(bad)?;
        if !rest.trim().is_empty() {
            return Err(bad());
        }
        users.push(user);
    }
    Ok(users)
}

/// A leading `"..."` field with `""` as an escaped quote: the unescaped text and the rest.
fn quoted_field(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices().peekable();
    let body = &text[1..];
    let mut field = String::new();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            if chars.peek().is_some_and(|&(_, next)| next == '"') {
                chars.next();
                field.push('"');
            } else {
                return Some((field, &body[i + 1..]));
            }
        } else {
            field.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        assert_eq!(
            ini_entry("*", [("host", "h"), ("port", "5432")]),
            "* = host=h port=5432"
        );
        assert_eq!(ini_entry("empty", []), "empty =");
    }

    #[test]
    fn userlists_round_trip_and_reject_garbage() {
        let text = [("a", "p"), ("q\"uote", "pw\"d"), ("sp ace", "")]
            .iter()
            .map(|(u, p)| userlist_line(u, p).unwrap() + "\n")
            .collect::<String>();
        assert_eq!(
            userlist_users(&format!("; comment\n{text}")).unwrap(),
            ["a", "q\"uote", "sp ace"]
        );
        for bad in ["a b", "\"a\"", "\"a\" \"b", "\"a\" \"b\" c", "\"a\"\"b"] {
            let err = userlist_users(bad).unwrap_err().to_string();
            assert!(
                err.starts_with("line 1:") && !err.contains('b'),
                "{bad}: {err}"
            );
        }
        assert_eq!(userlist_users("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn userlist_lines_escape_quotes_and_refuse_breaks() {
        assert_eq!(userlist_line("u", "").unwrap(), r#""u" """#);
        assert_eq!(userlist_line("u", r#"""#).unwrap(), r#""u" """""#);
        let err = userlist_line("bob", "a\rb").unwrap_err().to_string();
        assert!(err.contains("bob") && !err.contains("a\rb"), "{err}");
        assert!(userlist_line("x\0", "p").is_err());
    }
}

//! PgBouncer's own file formats: `pgbouncer.ini` entries and `userlist.txt` lines.
//!
//! Pure text functions, shared by the chart's templates (as filters) and by anything else
//! that writes these files, so there is one implementation of each format.

pub mod settings;

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
/// Names are checked ([`check_name`]); a value that holds a space or a `'` is written in
/// single quotes with `'` doubled, the quoting PgBouncer's connection-string reader knows
/// (a value already written that way is kept); an empty value or one with a line break
/// is refused ([`connection_value`]).
///
/// ```
/// # use qspgb::pgbouncer::ini_entry;
/// let params = [("host", "cluster-pharia-rw"), ("pool_mode", "session"), ("port", "5432")];
/// assert_eq!(
///     ini_entry("pharia-os", params).unwrap(),
///     "pharia-os = host=cluster-pharia-rw pool_mode=session port=5432"
/// );
/// assert_eq!(
///     ini_entry("db", [("connect_query", "SELECT 1"), ("password", "it's")]).unwrap(),
///     "db = connect_query='SELECT 1' password='it''s'"
/// );
/// assert!(ini_entry("db", [("host", "")]).is_err());
/// ```
pub fn ini_entry<'a>(
    name: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, FormatError> {
    check_name(name).map_err(|why| FormatError(format!("entry name {why}")))?;
    let mut line = format!("{name} =");
    for (key, value) in params {
        check_name(key).map_err(|why| FormatError(format!("{name}: parameter name {why}")))?;
        let value = connection_value(value)
            .map_err(|why| FormatError(format!("{name}.{key}: the value {why}")))?;
        line.push(' ');
        line.push_str(key);
        line.push('=');
        line.push_str(&value);
    }
    Ok(line)
}

/// One `[pgbouncer]` setting line, `key = value`, after [`check_name`] and
/// [`check_setting_value`].
///
/// ```
/// # use qspgb::pgbouncer::ini_setting;
/// assert_eq!(ini_setting("auth_query", "SELECT usename, passwd FROM pg_shadow WHERE usename=$1").unwrap(),
///            "auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename=$1");
/// assert!(ini_setting("max_client_conn", "100\nadmin_users = mallory").is_err());
/// ```
pub fn ini_setting(key: &str, value: &str) -> Result<String, FormatError> {
    check_name(key).map_err(|why| FormatError(format!("setting name {why}")))?;
    check_setting_value(value).map_err(|why| FormatError(format!("{key}: the value {why}")))?;
    Ok(format!("{key} = {value}"))
}

/// Why a text cannot be a name in pgbouncer.ini (a setting, a database or user entry, a
/// connection parameter), if it cannot. The message shows the name, with control characters
/// escaped: names are not secret.
///
/// PgBouncer 1.24 reads names made of ASCII letters, digits, `_`, `.`, `-` and `*` only
/// (there is no quoting of names; see docs/pgbouncer-settings.md), so anything else would
/// either stop it or, for a line break, `=` or `#`, change what the line means.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-*".contains(*c)))
    {
        return Err(format!(
            "{:?} contains {}; names in pgbouncer.ini may only use ASCII letters, digits and _ . - *",
            name,
            describe(c)
        ));
    }
    Ok(())
}

/// Why a `[pgbouncer]` setting value cannot be written, if it cannot. A value runs to the
/// end of its line, so only line breaks and other control characters could change the
/// file's meaning (a line break starts a new setting: `100\nadmin_users = mallory`). The
/// message never shows the value (it may be a password).
pub fn check_setting_value(value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control() && *c != '\t') {
        Some(c) => Err(format!(
            "contains {}, which would end the line in pgbouncer.ini",
            describe(c)
        )),
        None => Ok(()),
    }
}

/// A `[databases]`/`[users]` connection parameter's value as it must be written, or why it
/// cannot be. PgBouncer splits parameters at spaces and reads `'...'` with `''` for a
/// quote, so a value with a space or a quote is quoted that way (without it,
/// `host: "db port=6432"` would set a second parameter). A value already quoted that way
/// is kept as written, as Helm writes it. An empty value makes PgBouncer take the next
/// parameter as the value, and a line break would end the line: both are refused. The
/// message never shows the value (it may be a password).
///
/// ```
/// # use qspgb::pgbouncer::connection_value;
/// assert_eq!(connection_value("cluster-rw").unwrap(), "cluster-rw");
/// assert_eq!(connection_value("SELECT 1").unwrap(), "'SELECT 1'");
/// assert_eq!(connection_value("'SELECT 1'").unwrap(), "'SELECT 1'");
/// assert_eq!(connection_value("o'clock").unwrap(), "'o''clock'");
/// assert!(connection_value("").is_err());
/// assert!(connection_value("a\nb").is_err());
/// ```
pub fn connection_value(value: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    if value.is_empty() {
        return Err(
            "is empty, and PgBouncer would read the next parameter as the value".to_string(),
        );
    }
    if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(format!(
            "contains {}, which would end the line in pgbouncer.ini",
            describe(c)
        ));
    }
    if is_quoted(value) || !value.contains([' ', '\'']) {
        return Ok(std::borrow::Cow::Borrowed(value));
    }
    Ok(std::borrow::Cow::Owned(format!(
        "'{}'",
        value.replace('\'', "''")
    )))
}

/// Whether `value` is one `'...'` token with every inner `'` doubled.
fn is_quoted(value: &str) -> bool {
    let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
        return false;
    };
    value.len() >= 2 && inner.replace("''", "").find('\'').is_none()
}

/// A character named for an error message.
fn describe(c: char) -> String {
    match c {
        '\n' => "a line break".into(),
        '\r' => "a carriage return".into(),
        '\0' => "a NUL byte".into(),
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_control() || c.is_whitespace() => {
            format!("the control character U+{:04X}", c as u32)
        }
        c => format!("{c:?}"),
    }
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
/// lines starting with `;` are skipped, a line starting with `#` is an error. The error names the line, never its content.
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
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        if line.starts_with('#') {
            // PgBouncer reads only `;` as a comment here: at a `#` it logs "broken auth
            // file" and ignores every user below, while still starting.
            return Err(FormatError(format!(
                "line {}: starts with '#', which PgBouncer does not read as a comment (it ignores this and every later line); use ';'",
                index + 1
            )));
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
            ini_entry("*", [("host", "h"), ("port", "5432")]).unwrap(),
            "* = host=h port=5432"
        );
        assert_eq!(ini_entry("empty", []).unwrap(), "empty =");
    }

    #[test]
    fn injections_are_refused_and_secrets_not_echoed() {
        for (name, key, value, fragment) in [
            (
                "db\n[pgbouncer]",
                "host",
                "h",
                "entry name \"db\\n[pgbouncer]\" contains a line break",
            ),
            ("db = x", "host", "h", "contains a space"),
            (
                "db",
                "host port",
                "h",
                "db: parameter name \"host port\" contains a space",
            ),
            ("db", "host=", "h", "contains '='"),
            (
                "db",
                "password",
                "s3cr\nx",
                "db.password: the value contains a line break",
            ),
            ("db", "password", "", "db.password: the value is empty"),
            ("my db", "host", "h", "contains a space"),
            ("db@x", "host", "h", "contains '@'"),
            (";db", "host", "h", "contains ';'"),
            ("", "host", "h", "entry name is empty"),
        ] {
            if fragment == "unused" {
                continue;
            }
            let err = ini_entry(name, [(key, value)]).unwrap_err().to_string();
            assert!(err.contains(fragment), "{name:?} {key:?}: {err}");
            if key == "password" {
                assert!(!err.contains("s3cr"), "{err}");
            }
        }
        for (key, value, fragment) in [
            (
                "max_client_conn",
                "100\nadmin_users = mallory",
                "max_client_conn: the value contains a line break",
            ),
            ("auth_query", "x\ry", "carriage return"),
            ("k\u{1}", "v", "U+0001"),
            ("log#", "1", "contains '#'"),
        ] {
            let err = ini_setting(key, value).unwrap_err().to_string();
            assert!(err.contains(fragment), "{key:?}: {err}");
            assert!(!err.contains("mallory"), "{err}");
        }
        // What a setting value may hold: `=`, `#`, `;`, quotes, tabs run to the end of the line.
        assert!(ini_setting("auth_query", "SELECT p FROM t WHERE u=$1 -- '#;\"\t").is_ok());
        assert!(ini_entry("*", [("host", "10.0.0.1"), ("dbname", "a-b_c.d")]).is_ok());
        // A space or a quote in a connection parameter is quoted, not passed through.
        assert_eq!(
            ini_entry("db", [("host", "h port=6432"), ("password", "s3cr'et\\x")]).unwrap(),
            "db = host='h port=6432' password='s3cr''et\\x'"
        );
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
        let err = userlist_users("\"a\" \"x\"\n# note\n\"b\" \"y\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: starts with '#'"),
            "{err}"
        );
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

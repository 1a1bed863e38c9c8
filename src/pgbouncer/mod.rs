//! PgBouncer's own file formats: `pgbouncer.ini` entries and `userlist.txt` lines.
//!
//! Pure text functions, shared by the chart's templates (as filters) and by anything else
//! that writes these files, so there is one implementation of each format.

pub mod admin;
pub mod budget;
pub mod settings;
pub mod wire;

/// Why a value cannot go into a PgBouncer file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(String);

/// One `[databases]` or `[users]` entry: `name = key=value key=value`, parameters in the
/// order given (callers sort them, as Helm's `range` does). No parameters gives `name =`.
///
/// Names are checked ([`check_name`]); a value that holds a space or a `'` is written in
/// single quotes with `'` doubled, the quoting PgBouncer's connection-string reader knows
/// (a value already written that way is kept); an empty value or one with a line break
/// is refused ([`connection_value`]).
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

/// PgBouncer's longest user name in userlist.txt, in bytes as written there (a `"` counts
/// twice, doubled): `MAX_USERNAME` is 128 with the terminating NUL (include/bouncer.h,
/// 1.18 to 1.25). A longer one makes PgBouncer log "username too long in auth file" and
/// stop reading the file: that user and every later one cannot log in.
pub const MAX_USERNAME_BYTES: usize = 127;

/// PgBouncer's longest password in userlist.txt, in bytes as written there (`MAX_PASSWORD`
/// 2048 with the NUL). A longer one stops the file's loading like a long user name.
pub const MAX_PASSWORD_BYTES: usize = 2047;

/// Why a user name is too long for PgBouncer's userlist, if it is. Never shows the name's
/// text beyond its length.
pub fn check_user_name_length(user: &str) -> Result<(), String> {
    let written = user.len() + user.matches('"').count();
    if written > MAX_USERNAME_BYTES {
        return Err(format!(
            "is {written} bytes long in userlist.txt; PgBouncer reads at most {MAX_USERNAME_BYTES} (longer ones stop it from reading this and every later user)"
        ));
    }
    Ok(())
}

/// Why a password is too long for PgBouncer's userlist, if it is (see
/// [`MAX_PASSWORD_BYTES`]). Never shows the password.
pub fn check_password_length(password: &str) -> Result<(), String> {
    let written = password.len() + password.matches('"').count();
    if written > MAX_PASSWORD_BYTES {
        return Err(format!(
            "is {written} bytes long in userlist.txt; PgBouncer reads at most {MAX_PASSWORD_BYTES} (longer ones stop it from reading this and every later user)"
        ));
    }
    Ok(())
}

/// [`userlist_line`] after PgBouncer's length limits ([`check_user_name_length`],
/// [`check_password_length`]): what `qspgb hooks` writes. The error names the user (user
/// names are not secret), never the password.
pub fn checked_userlist_line(user: &str, password: &str) -> Result<String, FormatError> {
    check_user_name_length(user).map_err(|why| {
        FormatError(format!(
            "userlist: the user name {:?} {why}",
            user.chars().take(40).collect::<String>()
        ))
    })?;
    check_password_length(password)
        .map_err(|why| FormatError(format!("userlist: the password of user {user:?} {why}")))?;
    userlist_line(user, password)
}

/// The whitespace PgBouncer skips before an entry: C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Reads a `userlist.txt` exactly as PgBouncer's `load_auth_file` (src/loader.c, the same
/// from 1.18 to 1.25) does and returns the user names in file order, or why PgBouncer
/// would not read every entry. The error names the line, never its content.
///
/// PgBouncer's reader, byte by byte: skip C whitespace (only space, tab, line feed,
/// vertical tab, form feed, carriage return: a no-break space is not one); a line starting
/// with `;` is a comment; anything else that does not start with `"` is "broken auth
/// file" and ends the reading (so a `#` comment loses every later user). The user name
/// runs to the next `"` that is not doubled; then everything up to the next `"` is
/// skipped (blanks, but also any other text), the password runs to its closing `"`, and
/// the rest of the line is ignored. A name of 128 or a password of 2048 bytes as written
/// also ends the reading, and so does a NUL byte. PgBouncer starts all the same, so
/// each of these is an error here: the init container is the only place that says so.
pub fn userlist_users(text: &[u8]) -> Result<Vec<String>, FormatError> {
    let mut users = Vec::new();
    let line_of = |at: usize| {
        text[..at.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let broken = |at: usize, why: &str| FormatError(format!("line {}: {why}", line_of(at)));
    let expected = "expected \"user\" \"password\" (PgBouncer stops reading the file here and ignores every later user)";
    // The next `"` at or after `from`; for a closing quote, a doubled `""` is skipped.
    let find_quote = |from: usize, opening: bool| -> Option<usize> {
        let mut p = from;
        loop {
            while p < text.len() && text[p] != b'"' && text[p] != 0 {
                p += 1;
            }
            if p >= text.len() || text[p] == 0 {
                return None;
            }
            if !opening && text.get(p + 1) == Some(&b'"') {
                p += 2;
                continue;
            }
            return Some(p);
        }
    };
    let mut p = 0;
    loop {
        while p < text.len() && is_c_space(text[p]) {
            p += 1;
        }
        if p >= text.len() {
            break;
        }
        match text[p] {
            0 => {
                return Err(broken(
                    p,
                    "a NUL byte, where PgBouncer stops reading the file (every later user is ignored)",
                ));
            }
            b';' => {
                while p < text.len() && text[p] != b'\n' {
                    p += 1;
                }
                continue;
            }
            b'#' => {
                return Err(broken(
                    p,
                    "starts with '#', which PgBouncer does not read as a comment (it ignores this and every later line); use ';'",
                ));
            }
            b'"' => {}
            _ => return Err(broken(p, expected)),
        }
        let user_start = p + 1;
        let user_end = find_quote(user_start, false).ok_or_else(|| broken(p, expected))?;
        if user_end - user_start > MAX_USERNAME_BYTES {
            return Err(broken(
                p,
                &format!(
                    "a user name longer than PgBouncer's {MAX_USERNAME_BYTES} bytes (it stops reading the file here and ignores every later user)"
                ),
            ));
        }
        let password_open = find_quote(user_end + 1, true).ok_or_else(|| broken(p, expected))?;
        let password_start = password_open + 1;
        let password_end = find_quote(password_start, false).ok_or_else(|| broken(p, expected))?;
        if password_end - password_start > MAX_PASSWORD_BYTES {
            return Err(broken(
                p,
                &format!(
                    "a password longer than PgBouncer's {MAX_PASSWORD_BYTES} bytes (it stops reading the file here and ignores every later user)"
                ),
            ));
        }
        // PgBouncer reads a quoted field across a line break, so an unclosed quote swallows
        // the next line's user; no userlist qspgb writes has a line break inside a field.
        if text[user_start..password_end].contains(&b'\n') {
            return Err(broken(
                p,
                "a quoted field runs over a line break (an unclosed '\"'?): PgBouncer reads on and loses the next line's user",
            ));
        }
        users.push(String::from_utf8_lossy(&text[user_start..user_end]).replace("\"\"", "\""));
        p = password_end + 1;
        while p < text.len() && text[p] != b'\n' {
            if text[p] == 0 {
                return Err(broken(
                    p,
                    "a NUL byte, where PgBouncer stops reading the file (every later user is ignored)",
                ));
            }
            p += 1;
        }
    }
    Ok(users)
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
            userlist_users(format!("; comment\n{text}").as_bytes()).unwrap(),
            ["a", "q\"uote", "sp ace"]
        );
        for bad in [
            "s3cret",
            "\"s3cret\"",
            "\"a\" \"s3cret",
            "\"a\"\"s3cret",
            "\u{a0}\"a\" \"s3cret\"",
        ] {
            let err = userlist_users(bad.as_bytes()).unwrap_err().to_string();
            assert!(
                err.starts_with("line 1:") && !err.contains("s3cret"),
                "{bad}: {err}"
            );
        }
        // What PgBouncer skips: text between the fields and after the password.
        assert_eq!(
            userlist_users(b"\"a\" junk \"x\" more\n\"b\"\t\"y\"").unwrap(),
            ["a", "b"]
        );
        // Only C's whitespace leads an entry: vertical tab and form feed are, NBSP is not.
        assert_eq!(userlist_users(b"\x0b\x0c\"a\" \"x\"").unwrap(), ["a"]);
        assert_eq!(userlist_users(b"").unwrap(), Vec::<String>::new());
        let err = userlist_users(b"\"a\" \"x\"\n# note\n\"b\" \"y\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: starts with '#'"),
            "{err}"
        );
        let err = userlist_users(b"\"a\" \"x\"\n\0\"b\" \"y\"").unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    #[test]
    fn userlist_length_limits_are_pgbouncers() {
        let line = |u: &str, p: &str| format!("{}\n", userlist_line(u, p).unwrap());
        let longest_user = "u".repeat(MAX_USERNAME_BYTES);
        let longest_password = "p".repeat(MAX_PASSWORD_BYTES);
        assert!(userlist_users(line(&longest_user, &longest_password).as_bytes()).is_ok());
        let err =
            userlist_users((line("ok", "x") + &line(&format!("{longest_user}u"), "x")).as_bytes())
                .unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: a user name longer"),
            "{err}"
        );
        assert!(userlist_users(line("a", &format!("{longest_password}p")).as_bytes()).is_err());
        // Doubled quotes count as written.
        assert!(userlist_users(line(&"\"".repeat(64), "x").as_bytes()).is_err());
        assert!(checked_userlist_line(&longest_user, &longest_password).is_ok());
        let err = checked_userlist_line("bob", &format!("{longest_password}\"")).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("bob") && !err.contains("ppp"), "{err}");
    }

    #[test]
    fn userlist_lines_escape_quotes_and_refuse_breaks() {
        assert_eq!(userlist_line("u", "").unwrap(), r#""u" """#);
        assert_eq!(userlist_line("u", r#"""#).unwrap(), r#""u" """""#);
        let err = userlist_line("bob", "a\rb").unwrap_err().to_string();
        assert!(err.contains("bob") && !err.contains("a\rb"), "{err}");
        assert!(userlist_line("x\0", "p").is_err());
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn ini_entry_example() {
        use crate::pgbouncer::ini_entry;
        let params = [
            ("host", "cluster-pharia-rw"),
            ("pool_mode", "session"),
            ("port", "5432"),
        ];
        assert_eq!(
            ini_entry("pharia-os", params).unwrap(),
            "pharia-os = host=cluster-pharia-rw pool_mode=session port=5432"
        );
        assert_eq!(
            ini_entry("db", [("connect_query", "SELECT 1"), ("password", "it's")]).unwrap(),
            "db = connect_query='SELECT 1' password='it''s'"
        );
        assert!(ini_entry("db", [("host", "")]).is_err());
    }

    #[test]
    fn ini_setting_example() {
        use crate::pgbouncer::ini_setting;
        assert_eq!(
            ini_setting(
                "auth_query",
                "SELECT usename, passwd FROM pg_shadow WHERE usename=$1"
            )
            .unwrap(),
            "auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename=$1"
        );
        assert!(ini_setting("max_client_conn", "100\nadmin_users = mallory").is_err());
    }

    #[test]
    fn connection_value_example() {
        use crate::pgbouncer::connection_value;
        assert_eq!(connection_value("cluster-rw").unwrap(), "cluster-rw");
        assert_eq!(connection_value("SELECT 1").unwrap(), "'SELECT 1'");
        assert_eq!(connection_value("'SELECT 1'").unwrap(), "'SELECT 1'");
        assert_eq!(connection_value("o'clock").unwrap(), "'o''clock'");
        assert!(connection_value("").is_err());
        assert!(connection_value("a\nb").is_err());
    }

    #[test]
    fn userlist_line_example() {
        use crate::pgbouncer::userlist_line;
        assert_eq!(
            userlist_line("app", "SCRAM-SHA-256$4096:x").unwrap(),
            r#""app" "SCRAM-SHA-256$4096:x""#
        );
        assert_eq!(userlist_line("a\"b", "p\"w").unwrap(), r#""a""b" "p""w""#);
        assert!(userlist_line("app", "line\nbreak").is_err());
    }

    #[test]
    fn check_user_name_length_example() {
        use crate::pgbouncer::check_user_name_length;
        assert!(check_user_name_length(&"u".repeat(127)).is_ok());
        assert!(check_user_name_length(&"u".repeat(128)).is_err());
        assert!(check_user_name_length(&"\"".repeat(64)).is_err()); // 128 bytes once doubled
    }

    #[test]
    fn userlist_users_example() {
        use crate::pgbouncer::userlist_users;
        assert_eq!(
            userlist_users(b"\"a\" \"x\"\n\n\"b\"\"c\" \"y\"\n").unwrap(),
            ["a", "b\"c"]
        );
        assert!(userlist_users(b"\"a\" x\n").is_err());
    }
}

//! PgBouncer's configuration vocabulary, as of **PgBouncer 1.25.2** (the product image;
//! upstream-compat's image is 1.24.1, so each setting says which release introduced it
//! and lint checks an instance against the version its image tag names): every setting of
//! `pgbouncer.ini` per section, what kind of value it takes, which version introduced it,
//! and what PgBouncer itself accepts. Pure data and small pure functions, for linters.
//!
//! Sources (read, not copied; `docs/pgbouncer-settings.md` has the experiments that confirm them
//! against the real binaries 1.18.0 and 1.24.1):
//! - `src/main.c@pgbouncer_1_24_1`: the `bouncer_params` table (names, value parsers,
//!   defaults, `CF_NO_RELOAD`) and the lookup tables `auth_type_map`, `pool_mode_map`,
//!   `sslmode_map`, `load_balance_hosts_map`.
//! - `src/loader.c@pgbouncer_1_24_1`: `parse_database`, `parse_user`, `parse_peer` (the
//!   connection-string keys) and the `cstr_*` tokenizer.
//! - `src/util.c@pgbouncer_1_24_1`: `cf_set_authdb`, `check_reserved_database`.
//! - `lib/usual/cfparser.c` of libusual at f24c5ea6 (the submodule commit of
//!   pgbouncer_1_24_1; identical to b0bc727b, the one of pgbouncer_1_18_0):
//!   `parse_ini_file_internal`, `cf_set_int`, `cf_set_uint`, `parse_time`,
//!   `cf_set_time_usec`, `cf_set_lookup`.
//! - `doc/config.md@pgbouncer_1_24_1`: documented meanings and ranges.
//! - Versions: the same tables at the tags pgbouncer_1_18_0 … pgbouncer_1_24_1, and
//!   `bouncer_params`/`parse_user` of the 1.25.2 release tarball (Debian's source package)
//!   against 1.24.1's: six `[pgbouncer]` settings and one `[users]` key are new in 1.25,
//!   none in 1.25.1 or 1.25.2 (NEWS.md); `server_check_query` now defaults to empty.
//!
//! Numbers are read the way a 64-bit Linux C library reads them (`long` is 64 bits, `int`
//! 32 bits, the C locale). The chart's image (icoretech/pgbouncer-docker) is built on Alpine
//! (musl); the integer rules are the same there, float edge cases (`1e-310`) may differ.
//!
//! The table itself is in [`table`]; C's number parsing, as PgBouncer calls it, in `cnum`.

mod cnum;
pub mod table;
#[cfg(test)]
mod tests;

use std::fmt;

use cnum::{c_atoi, c_strtod_whole, c_strtol, c_strtoul, is_c_space};
pub use table::{
    AUTH_TYPES, DATABASES, LOAD_BALANCE_HOSTS, PEERS, PGBOUNCER, POOL_MODES, SSL_MODES, USERS,
};

/// The PgBouncer version this table describes.
pub const PGBOUNCER_VERSION: (u16, u16, u16) = (1, 25, 2);

/// The PgBouncer version an image tag names: `1.24.1`, `v1.24.1`, `1.25.2-p0` (digits
/// before any suffix), `1.25` (patch 0). `None` for anything else (`latest`, a digest, a
/// build of one's own), whose version lint cannot know.
pub fn tag_version(tag: &str) -> Option<(u16, u16, u16)> {
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let mut parts = tag.splitn(3, '.');
    let number = |part: &str| -> Option<u16> {
        let digits: &str = &part[..part.bytes().take_while(u8::is_ascii_digit).count()];
        digits.parse().ok()
    };
    let major: u16 = parts.next()?.parse().ok()?;
    let minor = number(parts.next()?)?;
    let patch = match parts.next() {
        Some(p) => number(p)?,
        None => 0,
    };
    Some((major, minor, patch))
}

/// The oldest version checked against the table; a setting without [`Setting::since`] is
/// in it (and in 1.24.1).
pub const OLDEST_CHECKED: Version = (1, 18);

/// A PgBouncer release as (major, minor).
pub type Version = (u16, u16);

/// A section of `pgbouncer.ini`. Section names are matched exactly (`strcmp`, so
/// `[Databases]` is an unknown section, which stops PgBouncer from starting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// `[pgbouncer]`: fixed setting names, `name = value`.
    Pgbouncer,
    /// `[databases]`: `dbname = key=value key=value ...` (a connection string).
    Databases,
    /// `[users]`: `username = key=value ...`.
    Users,
    /// `[peers]` (since 1.19): `peer_id = key=value ...`.
    Peers,
}

impl Section {
    /// All sections, in the order PgBouncer's `config_sects` lists them.
    pub const ALL: [Section; 4] = [
        Section::Pgbouncer,
        Section::Databases,
        Section::Users,
        Section::Peers,
    ];

    /// The name between the brackets.
    pub fn name(self) -> &'static str {
        match self {
            Section::Pgbouncer => "pgbouncer",
            Section::Databases => "databases",
            Section::Users => "users",
            Section::Peers => "peers",
        }
    }

    /// The section named exactly `name` (case-sensitive, as PgBouncer compares).
    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether entries are connection strings (`key=value ...`) rather than single values.
    pub fn is_connstring(self) -> bool {
        self != Section::Pgbouncer
    }

    /// The version that introduced the section, if newer than [`OLDEST_CHECKED`].
    pub fn since(self) -> Option<Version> {
        (self == Section::Peers).then_some((1, 19))
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.name())
    }
}

/// What a setting's value is, and so how PgBouncer reads it.
///
/// The `[pgbouncer]` kinds (`Int` … `AuthDbname`) go through libusual's setters: a value
/// PgBouncer rejects stops it from starting ("invalid value ... FATAL cannot load config
/// file"), or, on RELOAD, leaves the settings read before it applied and the rest not.
/// The `Conn*` kinds are values inside a `[databases]`/`[users]`/`[peers]` connection
/// string, read with C `atoi` or kept as text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A C `int` (`cf_set_int`): `strtol(value, 0)` must consume the whole value, so
    /// decimal, `0x` hex and leading-`0` octal are read (`010` is 8, `08` is rejected); a
    /// sign is allowed; out-of-range numbers are not rejected but wrap to 32 bits.
    /// `min`/`max` are the meaningful range (documented or physical); PgBouncer does not
    /// check them, [`value_warning`] does.
    Int { min: i64, max: Option<i64> },
    /// A C `unsigned int` (`cf_set_uint`, only `max_packet_size`): `strtoul(value, 0)`;
    /// `-1` wraps to 4294967295, 4294967296 to 0.
    UInt,
    /// An on/off flag. PgBouncer has no boolean parser: flags are `CF_INT`, so `0`/`1`
    /// (any integer, non-zero is on) are accepted and `true`, `false`, `yes`, `on` are
    /// rejected.
    Bool,
    /// A Unix file mode (`unix_socket_mode`), a `CF_INT`: write it with a leading `0`
    /// (`0777`), since without one it is read as decimal.
    FileMode,
    /// Seconds as a C double (`cf_set_time_usec`): `strtod` must consume the whole value;
    /// fractions and exponents are fine (`1.5`, `1e2`), negative numbers and units (`10s`)
    /// are rejected.
    Seconds,
    /// One of a fixed list, compared case-insensitively (`cf_set_lookup`, `strcasecmp`).
    Enum(&'static [&'static str]),
    /// Free text (`cf_set_str`), empty allowed.
    Text,
    /// Comma-separated names (a `cf_set_str`; split later by the feature using it).
    List,
    /// A file or directory path (`cf_set_str`; no `~` expansion).
    Path,
    /// `auth_dbname` (`cf_set_authdb`): text, but not the reserved `pgbouncer`.
    AuthDbname,
    /// Connection-string text: anything non-empty (an empty value is a syntax error).
    ConnText,
    /// Connection-string integer, read with C `atoi`: never rejected; `abc` reads as 0,
    /// `5x` as 5, `1.5` as 1, `0x10` as 0. `min`/`max` as for [`Kind::Int`].
    ConnInt { min: i64, max: Option<i64> },
    /// Connection-string `port`: `atoi`, and 0 (which includes any non-number) is
    /// rejected ("invalid port").
    ConnPort,
    /// Connection-string seconds: `atoi(value) * 1000000` microseconds, so whole seconds
    /// only (`1.5` is 1).
    ConnSeconds,
}

impl Kind {
    /// A short description of the expected value, for messages.
    pub fn describe(&self) -> String {
        match self {
            Kind::Int { .. } | Kind::ConnInt { .. } => "an integer".into(),
            Kind::UInt => "a non-negative integer".into(),
            Kind::Bool => "0 or 1".into(),
            Kind::FileMode => "an octal file mode such as 0777".into(),
            Kind::Seconds => "a number of seconds (fractions allowed, no unit)".into(),
            Kind::ConnSeconds => "a whole number of seconds".into(),
            Kind::Enum(values) => format!("one of: {}", values.join(", ")),
            Kind::Text | Kind::ConnText => "text".into(),
            Kind::List => "a comma-separated list".into(),
            Kind::Path => "a file path".into(),
            Kind::AuthDbname => "a database name other than pgbouncer".into(),
            Kind::ConnPort => "a port number".into(),
        }
    }
}

/// One setting: a `[pgbouncer]` name or a connection-string key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The name, exactly as PgBouncer compares it (case-sensitive).
    pub name: &'static str,
    /// The value it takes.
    pub kind: Kind,
    /// The release that introduced it, if newer than [`OLDEST_CHECKED`] (1.18).
    pub since: Option<Version>,
    /// PgBouncer's default as written in its table (`None`: unset).
    pub default: Option<&'static str>,
    /// `CF_NO_RELOAD`: a changed value takes effect only on restart (RELOAD ignores it).
    pub restart_only: bool,
    /// Why not to use it, when superseded.
    pub deprecated: Option<&'static str>,
}

impl Setting {
    const fn new(name: &'static str, kind: Kind) -> Setting {
        Setting {
            name,
            kind,
            since: None,
            default: None,
            restart_only: false,
            deprecated: None,
        }
    }

    const fn since(mut self, major: u16, minor: u16) -> Setting {
        self.since = Some((major, minor));
        self
    }

    const fn default(mut self, value: &'static str) -> Setting {
        self.default = Some(value);
        self
    }

    const fn restart(mut self) -> Setting {
        self.restart_only = true;
        self
    }

    const fn deprecated(mut self, why: &'static str) -> Setting {
        self.deprecated = Some(why);
        self
    }

    /// Whether PgBouncer `version` knows this setting (an unknown `[pgbouncer]` name or
    /// connection-string key stops PgBouncer from starting).
    pub fn available_in(&self, version: Version) -> bool {
        self.since.is_none_or(|since| version >= since)
    }
}

/// The settings of a section, sorted by name.
pub fn settings(section: Section) -> &'static [Setting] {
    match section {
        Section::Pgbouncer => PGBOUNCER,
        Section::Databases => DATABASES,
        Section::Users => USERS,
        Section::Peers => PEERS,
    }
}

/// The setting `name` of `section`, matched exactly (case-sensitive, like PgBouncer).
pub fn lookup(section: Section, name: &str) -> Option<&'static Setting> {
    let table = settings(section);
    table
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &table[i])
}

/// The known name of `section` closest to the unknown `name`, for "did you mean"; `None`
/// when `name` is known or nothing is close (see [`closest`]).
pub fn suggest(section: Section, name: &str) -> Option<&'static str> {
    if lookup(section, name).is_some() {
        return None;
    }
    closest(name, settings(section).iter().map(|s| s.name))
}

/// The candidate closest to `name`: [`crate::suggest::closest`], re-exported here for
/// callers that only know this module.
pub use crate::suggest::closest;

/// What PgBouncer stores for an accepted value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer after C's conversion to the stored type (wrapped to 32 bits).
    Int(i64),
    /// Seconds.
    Seconds(f64),
    /// The canonical (lower-case) name of an enum value.
    Choice(&'static str),
    /// Text, kept as written.
    Text,
}

/// Whether PgBouncer accepts `value` for a setting of this kind; the error says why not.
/// See [`interpret`] for the exact rules.
pub fn check_value(kind: &Kind, value: &str) -> Result<(), String> {
    interpret(kind, value).map(|_| ())
}

/// What PgBouncer makes of `value` for a setting of this kind: the stored value, or why
/// it rejects it.
///
/// `value` is what the setter receives: for `[pgbouncer]` the text after `=` with leading
/// blanks and trailing whitespace removed by the ini reader (see [`ini_value`]); for the
/// `Conn*` kinds the value after the connection-string tokenizer has split on spaces and
/// removed `'...'` quoting. A line break or NUL can never reach a setter (the ini reader is
/// line-based), so they are rejected for every kind.
///
/// Rules, by kind (C library behaviour of 64-bit Linux, C locale):
/// - `Int`, `Bool`, `FileMode`: `strtol(value, &end, 0)` with `end` at the end of the
///   value (libusual `cf_set_int`): optional leading whitespace and sign, then decimal,
///   `0x`+hex or `0`+octal digits. Overflow is not an error: the number saturates at the
///   64-bit `long` range and is then stored in a 32-bit `int` (PgBouncer 1.24.1 reads
///   `4294967301` as 5 and `99999999999999999999` as -1).
/// - `UInt`: the same with `strtoul` (`cf_set_uint`); a leading `-` negates in unsigned
///   arithmetic; stored in 32 bits.
/// - `Seconds`: `strtod` consuming the whole value (libusual `parse_time`): decimal or hex
///   floating point, `inf`, `infinity`, `nan`, `nan(...)`; rejected when negative or when
///   out of the double range (`errno` set).
/// - `Enum`: equal to a listed value ignoring ASCII case (`strcasecmp`).
/// - `Text`, `List`, `Path`: anything, empty included. `AuthDbname`: not `pgbouncer`.
/// - `ConnText`: anything non-empty.
/// - `ConnInt`, `ConnSeconds`: non-empty, then C `atoi` (never fails).
/// - `ConnPort`: non-empty and `atoi` not 0.
pub fn interpret(kind: &Kind, value: &str) -> Result<Value, String> {
    if value.contains(['\n', '\0']) {
        return Err("contains a line break or NUL, which pgbouncer.ini cannot hold".into());
    }
    match kind {
        Kind::Int { .. } | Kind::Bool | Kind::FileMode => match c_strtol(value, 0) {
            Some((n, end)) if end == value.len() => Ok(Value::Int(i64::from(n as i32))),
            _ => Err(format!(
                "{value:?} is not an integer (PgBouncer reads it with strtol, base 0)"
            )),
        },
        Kind::UInt => match c_strtoul(value) {
            Some(n) => Ok(Value::Int(i64::from(n as u32))),
            None => Err(format!("{value:?} is not an unsigned integer")),
        },
        Kind::Seconds => c_strtod_whole(value).map(Value::Seconds),
        Kind::Enum(values) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(value))
            .map(|v| Value::Choice(v))
            .ok_or_else(|| format!("{value:?} is not one of: {}", values.join(", "))),
        Kind::Text | Kind::List | Kind::Path => Ok(Value::Text),
        Kind::AuthDbname if value == "pgbouncer" => {
            Err("the database \"pgbouncer\" is reserved for the admin console".into())
        }
        Kind::AuthDbname => Ok(Value::Text),
        _ if value.is_empty() => {
            Err("an empty value is a syntax error in a connection string".into())
        }
        Kind::ConnText => Ok(Value::Text),
        Kind::ConnInt { .. } => Ok(Value::Int(c_atoi(value))),
        Kind::ConnSeconds => Ok(Value::Seconds(c_atoi(value) as f64)),
        Kind::ConnPort => match c_atoi(value) {
            0 => Err(format!("{value:?} is not a port (PgBouncer: invalid port)")),
            n => Ok(Value::Int(n)),
        },
    }
}

/// A value PgBouncer accepts but probably not as meant: octal or hex integers, numbers
/// that wrap or lie outside the setting's range, flags other than 0/1, `atoi` reading
/// junk as a number, infinite or NaN seconds, fractions cut to whole seconds. `None` when
/// the value is unremarkable or rejected (see [`check_value`] for rejections).
pub fn value_warning(kind: &Kind, value: &str) -> Option<String> {
    let stored = interpret(kind, value).ok()?;
    let plain_decimal = |v: &str| {
        let digits = v.strip_prefix('-').unwrap_or(v);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'))
    };
    let range = |n: i64, min: i64, max: Option<i64>| {
        if n < min || max.is_some_and(|max| n > max) {
            let max = max.map_or_else(|| "no limit".to_string(), |m| m.to_string());
            Some(format!("{n} is outside the meaningful range {min}..{max}"))
        } else {
            None
        }
    };
    match (kind, stored) {
        (Kind::Int { min, max }, Value::Int(n)) => {
            if !plain_decimal(value) {
                let how = if value.trim_start_matches(['+', '-']).starts_with("0x")
                    || value.trim_start_matches(['+', '-']).starts_with("0X")
                {
                    "hexadecimal"
                } else if value.trim_start_matches(['+', '-']).starts_with('0') {
                    "octal (leading 0)"
                } else {
                    "not plain decimal"
                };
                return Some(format!("{value:?} is {how}; PgBouncer reads it as {n}"));
            }
            if value.parse::<i64>().ok() != Some(n) {
                return Some(format!(
                    "{value:?} does not fit a 32-bit int; PgBouncer stores {n}"
                ));
            }
            range(n, *min, *max)
        }
        (Kind::Bool, Value::Int(n)) => (value != "0" && value != "1")
            .then(|| format!("{value:?} is read as {n}; write 0 or 1")),
        (Kind::FileMode, Value::Int(n)) => (!value.starts_with('0')).then(|| {
            format!("{value:?} has no leading 0, so it is decimal {n} = mode {n:o} in octal")
        }),
        (Kind::UInt, Value::Int(n)) => (!plain_decimal(value)
            || value.parse::<i64>().ok() != Some(n))
        .then(|| format!("{value:?} is read as {n}")),
        (Kind::Seconds, Value::Seconds(s)) => (!s.is_finite())
            .then(|| format!("{value:?} is accepted but gives a meaningless timeout")),
        (Kind::ConnInt { min, max }, Value::Int(n)) => {
            if !plain_decimal(value) || value.parse::<i64>().ok() != Some(n) {
                Some(format!("{value:?} is read with atoi as {n}"))
            } else {
                range(n, *min, *max)
            }
        }
        (Kind::ConnPort, Value::Int(n)) => {
            if !plain_decimal(value) || value.parse::<i64>().ok() != Some(n) {
                Some(format!("{value:?} is read with atoi as port {n}"))
            } else {
                range(n, 1, Some(65535))
            }
        }
        (Kind::ConnSeconds, Value::Seconds(s)) => {
            (!plain_decimal(value) || value.parse::<f64>().ok() != Some(s) || s < 0.0)
                .then(|| format!("{value:?} is read with atoi as {s} seconds"))
        }
        _ => None,
    }
}

/// A `[pgbouncer]` value as the ini reader hands it to the setter: leading spaces and tabs
/// and trailing whitespace (`isspace`, so also `\r`) removed (libusual
/// `parse_ini_file_internal`). Nothing else is processed: no quotes, escapes or comments.
pub fn ini_value(raw: &str) -> &str {
    raw.trim_start_matches([' ', '\t'])
        .trim_end_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
}

/// Whether `name` can be written as an entry name (the part before `=`) of `section`:
/// the ini reader takes a name as the longest run of ASCII letters, digits and `_ . - *`,
/// so anything else (space, quote, `[`, `@`, non-ASCII) is a syntax error. Also refused:
/// the reserved database `pgbouncer`, database names of 64 bytes or more (`add_database`
/// fails), user names of 128 bytes or more (silently cut to 127), peer ids outside
/// 1..=65535. `[pgbouncer]` names must be known settings ([`lookup`]).
pub fn check_name(section: Section, name: &str) -> Result<(), String> {
    if section == Section::Pgbouncer {
        return match lookup(section, name) {
            Some(_) => Ok(()),
            None => Err(match suggest(section, name) {
                Some(s) => format!("unknown setting {name:?} (did you mean {s}?)"),
                None => format!("unknown setting {name:?}"),
            }),
        };
    }
    if name.is_empty() {
        return Err("an empty name".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "_.-*".contains(c)))
    {
        return Err(format!(
            "{name:?} contains {bad:?}; pgbouncer.ini names may only use ASCII letters, digits and _ . - *"
        ));
    }
    match section {
        Section::Databases if name == "pgbouncer" => {
            Err("the database name \"pgbouncer\" is reserved for the admin console".into())
        }
        Section::Databases if name.len() >= 64 => {
            Err(format!("database name {name:?} is longer than 63 bytes"))
        }
        Section::Users if name.len() >= 128 => {
            Err(format!("user name {name:?} is longer than 127 bytes"))
        }
        Section::Peers => match name.parse::<u32>() {
            Ok(1..=65535) if name.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            _ => Err(format!("peer id {name:?} is not a number from 1 to 65535")),
        },
        _ => Ok(()),
    }
}

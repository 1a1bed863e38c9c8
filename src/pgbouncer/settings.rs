//! PgBouncer's configuration vocabulary, as of **PgBouncer 1.24.1**: every setting of
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
//! - Versions: the same tables at the tags pgbouncer_1_18_0 … pgbouncer_1_24_1.
//!
//! Numbers are read the way a 64-bit Linux C library reads them (`long` is 64 bits, `int`
//! 32 bits, the C locale). The chart's image (icoretech/pgbouncer-docker) is built on Alpine
//! (musl); the integer rules are the same there, float edge cases (`1e-310`) may differ.

use std::fmt;

/// The PgBouncer version this table describes.
///
/// ```
/// assert_eq!(qspgb::pgbouncer::settings::PGBOUNCER_VERSION, (1, 24, 1));
/// ```
pub const PGBOUNCER_VERSION: (u16, u16, u16) = (1, 24, 1);

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
    ///
    /// ```
    /// use qspgb::pgbouncer::settings::Section;
    /// assert_eq!(Section::Databases.name(), "databases");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Section::Pgbouncer => "pgbouncer",
            Section::Databases => "databases",
            Section::Users => "users",
            Section::Peers => "peers",
        }
    }

    /// The section named exactly `name` (case-sensitive, as PgBouncer compares).
    ///
    /// ```
    /// use qspgb::pgbouncer::settings::Section;
    /// assert_eq!(Section::from_name("users"), Some(Section::Users));
    /// assert_eq!(Section::from_name("Users"), None);
    /// ```
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
    ///
    /// ```
    /// use qspgb::pgbouncer::settings::Kind;
    /// assert_eq!(Kind::Bool.describe(), "0 or 1");
    /// assert_eq!(Kind::Enum(&["a", "b"]).describe(), "one of: a, b");
    /// ```
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
    ///
    /// ```
    /// use qspgb::pgbouncer::settings::{lookup, Section};
    /// let s = lookup(Section::Pgbouncer, "max_prepared_statements").unwrap();
    /// assert!(!s.available_in((1, 18)) && s.available_in((1, 21)));
    /// ```
    pub fn available_in(&self, version: Version) -> bool {
        self.since.is_none_or(|since| version >= since)
    }
}

/// `pool_mode` values (`pool_mode_map`).
pub const POOL_MODES: &[&str] = &["session", "transaction", "statement"];

/// `auth_type` values (`auth_type_map`) of a build without PAM. `pam` exists only in
/// builds configured `--with-pam` (Debian's 1.18 package has it; the chart's image and a
/// plain `./configure` build of 1.24.1 reject it).
pub const AUTH_TYPES: &[&str] = &[
    "any",
    "trust",
    "plain",
    "md5",
    "cert",
    "hba",
    "scram-sha-256",
];

/// `client_tls_sslmode` / `server_tls_sslmode` values (`sslmode_map`).
pub const SSL_MODES: &[&str] = &[
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// `load_balance_hosts` values (`load_balance_hosts_map`, since 1.24).
pub const LOAD_BALANCE_HOSTS: &[&str] = &["disable", "round-robin"];

const COUNT: Kind = Kind::Int { min: 0, max: None };
const CONN_COUNT: Kind = Kind::ConnInt { min: 0, max: None };

/// `[pgbouncer]` settings of 1.24.1 on Linux, sorted by name. `service_name` (Windows
/// only) is left out: on Linux it is an unknown parameter.
pub static PGBOUNCER: &[Setting] = &[
    Setting::new("admin_users", Kind::List).default(""),
    Setting::new("application_name_add_host", Kind::Bool).default("0"),
    Setting::new("auth_dbname", Kind::AuthDbname).since(1, 19),
    Setting::new("auth_file", Kind::Path),
    Setting::new("auth_hba_file", Kind::Path).default(""),
    Setting::new("auth_ident_file", Kind::Path).since(1, 23),
    Setting::new("auth_query", Kind::Text).default(
        "SELECT rolname, CASE WHEN rolvaliduntil < now() THEN NULL ELSE rolpassword END \
         FROM pg_authid WHERE rolname=$1 AND rolcanlogin",
    ),
    Setting::new("auth_type", Kind::Enum(AUTH_TYPES)).default("md5"),
    Setting::new("auth_user", Kind::Text),
    Setting::new("autodb_idle_timeout", Kind::Seconds).default("3600"),
    Setting::new("cancel_wait_timeout", Kind::Seconds)
        .since(1, 19)
        .default("10"),
    Setting::new("client_idle_timeout", Kind::Seconds).default("0"),
    Setting::new("client_login_timeout", Kind::Seconds).default("60"),
    Setting::new("client_tls_ca_file", Kind::Path).default(""),
    Setting::new("client_tls_cert_file", Kind::Path).default(""),
    Setting::new("client_tls_ciphers", Kind::Text).default("default"),
    Setting::new("client_tls_dheparams", Kind::Text).default("auto"),
    Setting::new("client_tls_ecdhcurve", Kind::Text).default("auto"),
    Setting::new("client_tls_key_file", Kind::Path).default(""),
    Setting::new("client_tls_protocols", Kind::List).default("secure"),
    Setting::new("client_tls_sslmode", Kind::Enum(SSL_MODES)).default("disable"),
    Setting::new("conffile", Kind::Path),
    Setting::new("default_pool_size", COUNT).default("20"),
    Setting::new("disable_pqexec", Kind::Bool)
        .default("0")
        .restart(),
    Setting::new("dns_max_ttl", Kind::Seconds).default("15"),
    Setting::new("dns_nxdomain_ttl", Kind::Seconds).default("15"),
    Setting::new("dns_zone_check_period", Kind::Seconds).default("0"),
    Setting::new("idle_transaction_timeout", Kind::Seconds).default("0"),
    Setting::new("ignore_startup_parameters", Kind::List).default(""),
    Setting::new("job_name", Kind::Text)
        .default("pgbouncer")
        .restart(),
    Setting::new("listen_addr", Kind::List)
        .default("")
        .restart(),
    Setting::new("listen_backlog", COUNT)
        .default("128")
        .restart(),
    Setting::new(
        "listen_port",
        Kind::Int {
            min: 1,
            max: Some(65535),
        },
    )
    .default("6432")
    .restart(),
    Setting::new("log_connections", Kind::Bool).default("1"),
    Setting::new("log_disconnections", Kind::Bool).default("1"),
    Setting::new("log_pooler_errors", Kind::Bool).default("1"),
    Setting::new("log_stats", Kind::Bool).default("1"),
    Setting::new("logfile", Kind::Path).default(""),
    Setting::new("max_client_conn", COUNT).default("100"),
    Setting::new("max_db_client_connections", COUNT)
        .since(1, 24)
        .default("0"),
    Setting::new("max_db_connections", COUNT).default("0"),
    Setting::new("max_packet_size", Kind::UInt).default("2147483647"),
    Setting::new("max_prepared_statements", COUNT)
        .since(1, 21)
        .default("200"),
    Setting::new("max_user_client_connections", COUNT)
        .since(1, 24)
        .default("0"),
    Setting::new("max_user_connections", COUNT).default("0"),
    Setting::new("min_pool_size", COUNT).default("0"),
    Setting::new(
        "peer_id",
        Kind::Int {
            min: 0,
            max: Some(16383),
        },
    )
    .since(1, 19)
    .default("0"),
    Setting::new("pidfile", Kind::Path).default("").restart(),
    Setting::new("pkt_buf", COUNT).default("4096").restart(),
    Setting::new("pool_mode", Kind::Enum(POOL_MODES)).default("session"),
    Setting::new("query_timeout", Kind::Seconds).default("0"),
    Setting::new("query_wait_timeout", Kind::Seconds).default("120"),
    Setting::new("reserve_pool_size", COUNT).default("0"),
    Setting::new("reserve_pool_timeout", Kind::Seconds).default("5"),
    Setting::new("resolv_conf", Kind::Path)
        .default("")
        .restart(),
    Setting::new("sbuf_loopcnt", COUNT).default("5"),
    Setting::new("server_check_delay", Kind::Seconds).default("30"),
    Setting::new("server_check_query", Kind::Text).default("select 1"),
    Setting::new("server_connect_timeout", Kind::Seconds).default("15"),
    Setting::new("server_fast_close", Kind::Bool).default("0"),
    Setting::new("server_idle_timeout", Kind::Seconds).default("600"),
    Setting::new("server_lifetime", Kind::Seconds).default("3600"),
    Setting::new("server_login_retry", Kind::Seconds).default("15"),
    Setting::new("server_reset_query", Kind::Text).default("DISCARD ALL"),
    Setting::new("server_reset_query_always", Kind::Bool).default("0"),
    Setting::new("server_round_robin", Kind::Bool).default("0"),
    Setting::new("server_tls_ca_file", Kind::Path).default(""),
    Setting::new("server_tls_cert_file", Kind::Path).default(""),
    Setting::new("server_tls_ciphers", Kind::Text).default("default"),
    Setting::new("server_tls_key_file", Kind::Path).default(""),
    Setting::new("server_tls_protocols", Kind::List).default("secure"),
    Setting::new("server_tls_sslmode", Kind::Enum(SSL_MODES)).default("prefer"),
    Setting::new("so_reuseport", Kind::Bool)
        .default("0")
        .restart(),
    Setting::new("stats_period", COUNT).default("60"),
    Setting::new("stats_users", Kind::List).default(""),
    Setting::new("suspend_timeout", Kind::Seconds).default("10"),
    Setting::new("syslog", Kind::Bool).default("0"),
    Setting::new("syslog_facility", Kind::Text).default("daemon"),
    Setting::new("syslog_ident", Kind::Text).default("pgbouncer"),
    Setting::new("tcp_defer_accept", Kind::Bool).default("1"),
    Setting::new("tcp_keepalive", Kind::Bool).default("1"),
    Setting::new("tcp_keepcnt", COUNT).default("0"),
    Setting::new("tcp_keepidle", COUNT).default("0"),
    Setting::new("tcp_keepintvl", COUNT).default("0"),
    Setting::new("tcp_socket_buffer", COUNT).default("0"),
    Setting::new("tcp_user_timeout", COUNT).default("0"),
    Setting::new("track_extra_parameters", Kind::List)
        .since(1, 20)
        .default("IntervalStyle")
        .restart(),
    Setting::new("unix_socket_dir", Kind::Path)
        .default("/tmp")
        .restart(),
    Setting::new("unix_socket_group", Kind::Text)
        .default("")
        .restart(),
    Setting::new("unix_socket_mode", Kind::FileMode)
        .default("0777")
        .restart(),
    Setting::new("user", Kind::Text).restart(),
    Setting::new(
        "verbose",
        Kind::Int {
            min: 0,
            max: Some(3),
        },
    ),
];

/// `[databases]` connection-string keys of 1.24.1 (`parse_database`), sorted.
/// `application_name` is read but not documented in config.md.
pub static DATABASES: &[Setting] = &[
    Setting::new("application_name", Kind::ConnText),
    Setting::new("auth_dbname", Kind::ConnText).since(1, 19),
    Setting::new("auth_query", Kind::ConnText).since(1, 22),
    Setting::new("auth_user", Kind::ConnText),
    Setting::new("client_encoding", Kind::ConnText),
    Setting::new("connect_query", Kind::ConnText),
    Setting::new("datestyle", Kind::ConnText),
    Setting::new("dbname", Kind::ConnText),
    Setting::new("host", Kind::ConnText),
    Setting::new("load_balance_hosts", Kind::Enum(LOAD_BALANCE_HOSTS))
        .since(1, 24)
        .default("round-robin"),
    Setting::new("max_db_client_connections", CONN_COUNT).since(1, 24),
    Setting::new("max_db_connections", CONN_COUNT),
    Setting::new("min_pool_size", CONN_COUNT),
    Setting::new("password", Kind::ConnText),
    Setting::new("pool_mode", Kind::Enum(POOL_MODES)),
    Setting::new("pool_size", CONN_COUNT),
    Setting::new("port", Kind::ConnPort).default("5432"),
    Setting::new("reserve_pool", CONN_COUNT).deprecated(
        "kept for backwards compatibility; reserve_pool_size (1.24+) is the documented name",
    ),
    Setting::new("reserve_pool_size", CONN_COUNT).since(1, 24),
    Setting::new("server_lifetime", Kind::ConnSeconds).since(1, 23),
    Setting::new("timezone", Kind::ConnText),
    Setting::new("user", Kind::ConnText),
];

/// `[users]` keys of 1.24.1 (`parse_user`), sorted.
pub static USERS: &[Setting] = &[
    Setting::new("client_idle_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("idle_transaction_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("max_user_client_connections", CONN_COUNT).since(1, 24),
    Setting::new("max_user_connections", CONN_COUNT),
    Setting::new("pool_mode", Kind::Enum(POOL_MODES)),
    Setting::new("pool_size", CONN_COUNT).since(1, 23),
    Setting::new("query_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("reserve_pool_size", CONN_COUNT).since(1, 24),
];

/// `[peers]` keys of 1.24.1 (`parse_peer`, section since 1.19), sorted.
pub static PEERS: &[Setting] = &[
    Setting::new("host", Kind::ConnText).since(1, 19),
    Setting::new("pool_size", CONN_COUNT).since(1, 19),
    Setting::new("port", Kind::ConnPort)
        .since(1, 19)
        .default("6432"),
];

/// The settings of a section, sorted by name.
///
/// ```
/// use qspgb::pgbouncer::settings::{settings, Section};
/// assert!(settings(Section::Users).iter().any(|s| s.name == "pool_mode"));
/// ```
pub fn settings(section: Section) -> &'static [Setting] {
    match section {
        Section::Pgbouncer => PGBOUNCER,
        Section::Databases => DATABASES,
        Section::Users => USERS,
        Section::Peers => PEERS,
    }
}

/// The setting `name` of `section`, matched exactly (case-sensitive, like PgBouncer).
///
/// ```
/// use qspgb::pgbouncer::settings::{lookup, Kind, Section};
/// assert_eq!(lookup(Section::Pgbouncer, "log_connections").unwrap().kind, Kind::Bool);
/// assert_eq!(lookup(Section::Databases, "server_lifetime").unwrap().since, Some((1, 23)));
/// assert!(lookup(Section::Pgbouncer, "Pool_Mode").is_none());
/// ```
pub fn lookup(section: Section, name: &str) -> Option<&'static Setting> {
    let table = settings(section);
    table
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &table[i])
}

/// The known name of `section` closest to the unknown `name`, for "did you mean"; `None`
/// when `name` is known or nothing is close (see [`closest`]).
///
/// ```
/// use qspgb::pgbouncer::settings::{suggest, Section};
/// assert_eq!(suggest(Section::Pgbouncer, "max_client_con"), Some("max_client_conn"));
/// assert_eq!(suggest(Section::Pgbouncer, "Pool_Mode"), Some("pool_mode"));
/// assert_eq!(suggest(Section::Databases, "hots"), Some("host"));
/// assert_eq!(suggest(Section::Pgbouncer, "pool_mode"), None);
/// ```
pub fn suggest(section: Section, name: &str) -> Option<&'static str> {
    if lookup(section, name).is_some() {
        return None;
    }
    closest(name, settings(section).iter().map(|s| s.name))
}

/// The candidate closest to `name`: [`crate::suggest::closest`], re-exported here for
/// callers that only know this module.
///
/// ```
/// use qspgb::pgbouncer::settings::closest;
/// let names = ["host", "port", "dbname"];
/// assert_eq!(closest("prot", names), Some("port"));
/// assert_eq!(closest("DBNAME", names), Some("dbname"));
/// assert_eq!(closest("database", names), None);
/// ```
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
///
/// ```
/// use qspgb::pgbouncer::settings::{check_value, Kind, POOL_MODES};
/// assert!(check_value(&Kind::Bool, "1").is_ok());
/// assert!(check_value(&Kind::Bool, "true").is_err()); // PgBouncer refuses to start
/// assert!(check_value(&Kind::Seconds, "1.5").is_ok());
/// assert!(check_value(&Kind::Seconds, "10s").is_err());
/// assert!(check_value(&Kind::Enum(POOL_MODES), "Transaction").is_ok());
/// assert!(check_value(&Kind::ConnInt { min: 0, max: None }, "abc").is_ok()); // atoi: 0
/// assert!(check_value(&Kind::ConnPort, "abc").is_err());
/// ```
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
///
/// ```
/// use qspgb::pgbouncer::settings::{interpret, Kind, Value, POOL_MODES};
/// let int = Kind::Int { min: 0, max: None };
/// assert_eq!(interpret(&int, "010"), Ok(Value::Int(8)));
/// assert_eq!(interpret(&int, "0x10"), Ok(Value::Int(16)));
/// assert_eq!(interpret(&int, "2147483648"), Ok(Value::Int(-2147483648)));
/// assert!(interpret(&int, "08").is_err());
/// assert_eq!(interpret(&Kind::Seconds, "1e2"), Ok(Value::Seconds(100.0)));
/// assert_eq!(interpret(&Kind::Enum(POOL_MODES), "STATEMENT"), Ok(Value::Choice("statement")));
/// assert_eq!(interpret(&Kind::ConnInt { min: 0, max: None }, "5x"), Ok(Value::Int(5)));
/// assert_eq!(interpret(&Kind::ConnSeconds, "1.5"), Ok(Value::Seconds(1.0)));
/// ```
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
///
/// ```
/// use qspgb::pgbouncer::settings::{value_warning, Kind};
/// assert!(value_warning(&Kind::Int { min: 0, max: None }, "010").unwrap().contains("octal"));
/// assert!(value_warning(&Kind::Bool, "2").is_some());
/// assert!(value_warning(&Kind::FileMode, "777").is_some());
/// assert!(value_warning(&Kind::ConnInt { min: 0, max: None }, "ten").is_some());
/// assert_eq!(value_warning(&Kind::Int { min: 0, max: None }, "20"), None);
/// ```
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
///
/// ```
/// use qspgb::pgbouncer::settings::ini_value;
/// assert_eq!(ini_value("\t select 1 # not a comment \r"), "select 1 # not a comment");
/// ```
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
///
/// ```
/// use qspgb::pgbouncer::settings::{check_name, Section};
/// assert!(check_name(Section::Databases, "pharia-os").is_ok());
/// assert!(check_name(Section::Databases, "*").is_ok());
/// assert!(check_name(Section::Databases, "my db").is_err());
/// assert!(check_name(Section::Databases, "pgbouncer").is_err());
/// assert!(check_name(Section::Users, "app@corp").is_err());
/// ```
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

/// C `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C `strtol(s, &end, base)` for base 0 or 10 on a 64-bit `long`: the value (saturated at
/// the `long` range, as `strtol` does on overflow) and the byte offset of `end`. `None`
/// when no digits were read (`end == s`).
fn c_strtol(s: &str, base: u32) -> Option<(i64, usize)> {
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
fn c_strtoul(s: &str) -> Option<u64> {
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
fn c_atoi(s: &str) -> i64 {
    c_strtol(s, 10).map_or(0, |(n, _)| i64::from(n as i32))
}

/// libusual `parse_time`: `strtod` must read the whole value, set no `errno` and give a
/// number that is not negative (NaN passes: it is not `< 0`).
fn c_strtod_whole(value: &str) -> Result<f64, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn int() -> Kind {
        Kind::Int { min: 0, max: None }
    }

    #[test]
    fn tables_are_sorted_unique_and_sane() {
        for section in Section::ALL {
            let table = settings(section);
            assert!(!table.is_empty(), "{section}");
            for pair in table.windows(2) {
                assert!(
                    pair[0].name < pair[1].name,
                    "{section}: {} / {}",
                    pair[0].name,
                    pair[1].name
                );
            }
            for s in table {
                assert!(
                    s.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{}",
                    s.name
                );
                if let Kind::Enum(values) = s.kind {
                    assert!(!values.is_empty(), "{}", s.name);
                    for v in values {
                        assert_eq!(check_value(&s.kind, v), Ok(()), "{}={v}", s.name);
                    }
                }
                if let Some(default) = s.default {
                    assert_eq!(check_value(&s.kind, default), Ok(()), "{} default", s.name);
                }
                if let Some(since) = s.since {
                    assert!(since > OLDEST_CHECKED && since <= (1, 24), "{}", s.name);
                }
                assert_eq!(lookup(section, s.name), Some(s));
                // Connection-string sections use only connection-string kinds and enums.
                let conn_kind = matches!(
                    s.kind,
                    Kind::ConnText
                        | Kind::ConnInt { .. }
                        | Kind::ConnPort
                        | Kind::ConnSeconds
                        | Kind::Enum(_)
                );
                assert!(conn_kind || !section.is_connstring(), "{}", s.name);
            }
        }
        assert_eq!(PGBOUNCER.len(), 92); // 93 in main.c, without Windows' service_name
    }

    #[test]
    fn versions_match_the_tags() {
        // New in [pgbouncer] since 1.18 (diff of bouncer_params, 1.18.0 -> 1.24.1).
        let newer: Vec<_> = PGBOUNCER
            .iter()
            .filter_map(|s| s.since.map(|v| (s.name, v)))
            .collect();
        assert_eq!(
            newer,
            [
                ("auth_dbname", (1, 19)),
                ("auth_ident_file", (1, 23)),
                ("cancel_wait_timeout", (1, 19)),
                ("max_db_client_connections", (1, 24)),
                ("max_prepared_statements", (1, 21)),
                ("max_user_client_connections", (1, 24)),
                ("peer_id", (1, 19)),
                ("track_extra_parameters", (1, 20)),
            ]
        );
        let users_1_18: Vec<_> = USERS
            .iter()
            .filter(|s| s.available_in((1, 18)))
            .map(|s| s.name)
            .collect();
        assert_eq!(users_1_18, ["max_user_connections", "pool_mode"]);
    }

    #[test]
    fn lookups_are_exact() {
        assert!(lookup(Section::Pgbouncer, "pool_mode").is_some());
        assert!(lookup(Section::Pgbouncer, "service_name").is_none());
        assert!(lookup(Section::Databases, "Host").is_none());
        assert!(lookup(Section::Users, "host").is_none());
        assert_eq!(Section::from_name("Databases"), None);
        assert_eq!(Section::from_name("peers"), Some(Section::Peers));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest(Section::Pgbouncer, "Default_Pool_Size"),
            Some("default_pool_size")
        );
        assert_eq!(
            suggest(Section::Pgbouncer, "listen_prot"),
            Some("listen_port")
        );
        assert_eq!(
            suggest(Section::Pgbouncer, "max_client_connections"),
            Some("max_db_client_connections")
        );
        assert_eq!(suggest(Section::Pgbouncer, "completely_different"), None);
        assert_eq!(
            suggest(Section::Users, "max_user_conections"),
            Some("max_user_connections")
        );
        assert_eq!(
            suggest(Section::Databases, "reserve_pol"),
            Some("reserve_pool")
        );
        assert_eq!(suggest(Section::Databases, ""), None);
        assert_eq!(closest("x", ["y", "z"]), Some("y")); // 1 edit is always allowed
        assert_eq!(closest("ab", Vec::<&str>::new()), None);
        assert_eq!(closest("abc", ["abd", "abc"]), Some("abc"));
    }

    // The cases below are experiments run through PgBouncer 1.18.0 and 1.24.1 (listed in
    // docs/pgbouncer-settings.md, section 9; both versions agreed except for `pam`), plus a few
    // (`.`, `0` as a port, an empty number of seconds) that follow from the same C calls.
    #[test]
    fn integers_as_pgbouncer_reads_them() {
        for (text, stored) in [
            ("0x10", 16),
            ("010", 8),
            ("+5", 5),
            ("-5", -5),
            ("2147483647", 2147483647),
            ("2147483648", -2147483648),
            ("4294967301", 5),
            ("99999999999999999999", -1),
        ] {
            assert_eq!(interpret(&int(), text), Ok(Value::Int(stored)), "{text}");
        }
        for text in ["5.0", "1e3", "5k", "", "5 # comment", "08", "0x", "true"] {
            assert!(check_value(&int(), text).is_err(), "{text}");
        }
        assert_eq!(interpret(&Kind::FileMode, "0777"), Ok(Value::Int(511)));
        assert!(check_value(&Kind::FileMode, "rwx").is_err());
        for (text, stored) in [
            ("-1", 4294967295),
            ("4294967295", 4294967295),
            ("4294967296", 0),
            ("0x7fffffff", 2147483647),
        ] {
            assert_eq!(
                interpret(&Kind::UInt, text),
                Ok(Value::Int(stored)),
                "{text}"
            );
        }
    }

    #[test]
    fn booleans_are_integers() {
        for text in ["1", "0", "2", "-1"] {
            assert!(check_value(&Kind::Bool, text).is_ok(), "{text}");
        }
        for text in ["true", "false", "yes", "on", "True", "1.0"] {
            assert!(check_value(&Kind::Bool, text).is_err(), "{text}");
        }
        assert!(value_warning(&Kind::Bool, "1").is_none());
        assert!(value_warning(&Kind::Bool, "-1").is_some());
    }

    #[test]
    fn seconds_as_pgbouncer_reads_them() {
        for (text, seconds) in [
            ("10", 10.0),
            ("1.5", 1.5),
            ("0.001", 0.001),
            ("1e2", 100.0),
            ("0x10", 16.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("0x1p3", 8.0),
        ] {
            assert_eq!(
                interpret(&Kind::Seconds, text),
                Ok(Value::Seconds(seconds)),
                "{text}"
            );
        }
        for text in [
            "10s", "-1", ",5", "1,5", "", "1e", "e3", ".", "1e999", "1e-400", "1e-310", "-inf",
        ] {
            assert!(check_value(&Kind::Seconds, text).is_err(), "{text}");
        }
        for text in ["inf", "nan", "INF", "nan(123)", "-0"] {
            assert!(check_value(&Kind::Seconds, text).is_ok(), "{text}");
        }
        assert!(value_warning(&Kind::Seconds, "inf").is_some());
        assert!(value_warning(&Kind::Seconds, "1.5").is_none());
    }

    #[test]
    fn enums_ignore_case_only() {
        let pool_mode = lookup(Section::Pgbouncer, "pool_mode").unwrap().kind;
        for text in ["transaction", "Transaction", "STATEMENT"] {
            assert!(check_value(&pool_mode, text).is_ok(), "{text}");
        }
        for text in ["tx", "session,transaction", "", " session"] {
            assert!(check_value(&pool_mode, text).is_err(), "{text}");
        }
        let auth_type = lookup(Section::Pgbouncer, "auth_type").unwrap().kind;
        assert!(check_value(&auth_type, "SCRAM-SHA-256").is_ok());
        assert!(check_value(&auth_type, "password").is_err());
        // Rejected like the chart's image and the 1.24.1 build without PAM (Debian's 1.18,
        // built with PAM, accepts it).
        assert!(check_value(&auth_type, "pam").is_err());
        let sslmode = lookup(Section::Pgbouncer, "server_tls_sslmode")
            .unwrap()
            .kind;
        assert!(check_value(&sslmode, "verify-full").is_ok());
        assert!(check_value(&sslmode, "verify_full").is_err());
    }

    #[test]
    fn text_settings() {
        assert!(check_value(&Kind::Text, "").is_ok());
        assert!(check_value(&Kind::Text, "select 1 # not a comment").is_ok());
        assert!(check_value(&Kind::Text, "select 1\n[users]").is_err());
        assert!(check_value(&Kind::AuthDbname, "pgbouncer").is_err());
        assert!(check_value(&Kind::AuthDbname, "postgres").is_ok());
        assert_eq!(ini_value("  \t'select 4' "), "'select 4'");
        assert_eq!(ini_value("   "), "");
    }

    #[test]
    fn connection_string_values() {
        let count = Kind::ConnInt { min: 0, max: None };
        for (text, stored) in [("abc", 0), ("5x", 5), ("-3", -3), ("1.5", 1), ("0x10", 0)] {
            assert_eq!(interpret(&count, text), Ok(Value::Int(stored)), "{text}");
            assert!(value_warning(&count, text).is_some(), "{text}");
        }
        assert!(check_value(&count, "").is_err());
        assert!(check_value(&Kind::ConnText, "").is_err());
        for text in ["abc", "0x10", "0"] {
            assert!(check_value(&Kind::ConnPort, text).is_err(), "{text}");
        }
        assert_eq!(interpret(&Kind::ConnPort, "0700"), Ok(Value::Int(700)));
        assert!(value_warning(&Kind::ConnPort, "70000").is_some());
        assert_eq!(
            interpret(&Kind::ConnSeconds, "1.5"),
            Ok(Value::Seconds(1.0))
        );
        let lbh = lookup(Section::Databases, "load_balance_hosts").unwrap();
        assert_eq!(lbh.since, Some((1, 24)));
        assert!(check_value(&lbh.kind, "disable").is_ok());
        assert!(
            lookup(Section::Databases, "reserve_pool")
                .unwrap()
                .deprecated
                .is_some()
        );
    }

    #[test]
    fn entry_names() {
        for ok in ["db1", "a.b-c_d*e", "DB", "*"] {
            assert!(check_name(Section::Databases, ok).is_ok(), "{ok}");
        }
        for bad in [
            "my db",
            "\"my db\"",
            "it's",
            "a[1]",
            "dé",
            "pgbouncer",
            "",
            "%include",
            "#x",
            ";x",
            "[x",
        ] {
            assert!(check_name(Section::Databases, bad).is_err(), "{bad}");
        }
        assert!(check_name(Section::Databases, &"d".repeat(63)).is_ok());
        assert!(check_name(Section::Databases, &"d".repeat(64)).is_err());
        assert!(check_name(Section::Users, "u@x").is_err());
        assert!(check_name(Section::Users, "pgbouncer").is_ok());
        assert!(check_name(Section::Peers, "1").is_ok());
        assert!(check_name(Section::Peers, "0").is_err());
        assert!(check_name(Section::Peers, "65536").is_err());
        let err = check_name(Section::Pgbouncer, "no_such_setting").unwrap_err();
        assert!(err.contains("unknown"), "{err}");
        assert!(
            check_name(Section::Pgbouncer, "Pool_Mode")
                .unwrap_err()
                .contains("pool_mode")
        );
    }
}

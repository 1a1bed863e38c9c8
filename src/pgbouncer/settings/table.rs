//! The settings table of PgBouncer 1.25.2: every setting per section, the kind of value
//! it takes and the version that introduced it, and the keyword lists of the lookup
//! settings. Data only; the checks that read it are in the module above.

use super::{Kind, Setting};

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

/// `[pgbouncer]` settings of 1.25.2 on Linux, sorted by name. `service_name` (Windows
/// only) is left out: on Linux it is an unknown parameter.
pub static PGBOUNCER: &[Setting] = &[
    Setting::new("admin_users", Kind::List).default(""),
    Setting::new("application_name_add_host", Kind::Bool).default("0"),
    Setting::new("auth_dbname", Kind::AuthDbname).since(1, 19),
    Setting::new("auth_file", Kind::Path),
    Setting::new("auth_hba_file", Kind::Path).default(""),
    Setting::new("auth_ident_file", Kind::Path).since(1, 23),
    // Only used with `auth_type = ldap`, which a build without LDAP (the chart's image,
    // a plain `./configure` build) refuses; the setting itself is read by every 1.25 build.
    Setting::new("auth_ldap_options", Kind::Text).since(1, 25),
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
    Setting::new("client_tls13_ciphers", Kind::Text).since(1, 25),
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
    // A `CF_INT`, not a time: `1.5` is refused (checked with 1.25.2).
    Setting::new("query_wait_notify", COUNT)
        .since(1, 25)
        .default("5"),
    Setting::new("query_wait_timeout", Kind::Seconds).default("120"),
    Setting::new("reserve_pool_size", COUNT).default("0"),
    Setting::new("reserve_pool_timeout", Kind::Seconds).default("5"),
    Setting::new("resolv_conf", Kind::Path)
        .default("")
        .restart(),
    Setting::new("sbuf_loopcnt", COUNT).default("5"),
    Setting::new("scram_iterations", Kind::Int { min: 1, max: None })
        .since(1, 25)
        .default("4096"),
    Setting::new("server_check_delay", Kind::Seconds).default("30"),
    // 1.25 sends an empty query by default (1.24: `select 1`).
    Setting::new("server_check_query", Kind::Text).default(""),
    Setting::new("server_connect_timeout", Kind::Seconds).default("15"),
    Setting::new("server_fast_close", Kind::Bool).default("0"),
    Setting::new("server_idle_timeout", Kind::Seconds).default("600"),
    Setting::new("server_lifetime", Kind::Seconds).default("3600"),
    Setting::new("server_login_retry", Kind::Seconds).default("15"),
    Setting::new("server_reset_query", Kind::Text).default("DISCARD ALL"),
    Setting::new("server_reset_query_always", Kind::Bool).default("0"),
    Setting::new("server_round_robin", Kind::Bool).default("0"),
    Setting::new("server_tls13_ciphers", Kind::Text).since(1, 25),
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
    Setting::new("transaction_timeout", Kind::Seconds)
        .since(1, 25)
        .default("0"),
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

/// `[databases]` connection-string keys of 1.25.2 (the same as 1.24.1) (`parse_database`), sorted.
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

/// `[users]` keys of 1.25.2 (`parse_user`), sorted.
pub static USERS: &[Setting] = &[
    Setting::new("client_idle_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("idle_transaction_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("max_user_client_connections", CONN_COUNT).since(1, 24),
    Setting::new("max_user_connections", CONN_COUNT),
    Setting::new("pool_mode", Kind::Enum(POOL_MODES)),
    Setting::new("pool_size", CONN_COUNT).since(1, 23),
    Setting::new("query_timeout", Kind::ConnSeconds).since(1, 24),
    Setting::new("reserve_pool_size", CONN_COUNT).since(1, 24),
    Setting::new("transaction_timeout", Kind::ConnSeconds).since(1, 25),
];

/// `[peers]` keys of 1.25.2 (the same as 1.24.1) (`parse_peer`, section since 1.19), sorted.
pub static PEERS: &[Setting] = &[
    Setting::new("host", Kind::ConnText).since(1, 19),
    Setting::new("pool_size", CONN_COUNT).since(1, 19),
    Setting::new("port", Kind::ConnPort)
        .since(1, 19)
        .default("6432"),
];

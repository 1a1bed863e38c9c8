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
            // Lower case and `_`, and the digits of 1.25's `*_tls13_ciphers`.
            assert!(
                s.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
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
                assert!(since > OLDEST_CHECKED && since <= (1, 25), "{}", s.name);
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
    assert_eq!(PGBOUNCER.len(), 98); // 99 in 1.25.2's main.c, without Windows' service_name
}

#[test]
fn versions_match_the_tags() {
    // New in [pgbouncer] since 1.18 (diff of bouncer_params, 1.18.0 -> 1.24.1 -> 1.25.2).
    let newer: Vec<_> = PGBOUNCER
        .iter()
        .filter_map(|s| s.since.map(|v| (s.name, v)))
        .collect();
    assert_eq!(
        newer,
        [
            ("auth_dbname", (1, 19)),
            ("auth_ident_file", (1, 23)),
            ("auth_ldap_options", (1, 25)),
            ("cancel_wait_timeout", (1, 19)),
            ("client_tls13_ciphers", (1, 25)),
            ("max_db_client_connections", (1, 24)),
            ("max_prepared_statements", (1, 21)),
            ("max_user_client_connections", (1, 24)),
            ("peer_id", (1, 19)),
            ("query_wait_notify", (1, 25)),
            ("scram_iterations", (1, 25)),
            ("server_tls13_ciphers", (1, 25)),
            ("track_extra_parameters", (1, 20)),
            ("transaction_timeout", (1, 25)),
        ]
    );
    let users_1_18: Vec<_> = USERS
        .iter()
        .filter(|s| s.available_in((1, 18)))
        .map(|s| s.name)
        .collect();
    assert_eq!(users_1_18, ["max_user_connections", "pool_mode"]);
    // 1.25 adds one [users] key and no [databases] or [peers] key (parse_user diff).
    let users_1_25: Vec<_> = USERS
        .iter()
        .filter(|s| !s.available_in((1, 24)))
        .map(|s| s.name)
        .collect();
    assert_eq!(users_1_25, ["transaction_timeout"]);
    assert!(
        DATABASES
            .iter()
            .chain(PEERS)
            .all(|s| s.available_in((1, 24)))
    );
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

// The examples of the items' documentation, from when the module was public.

#[test]
fn pgbouncer_version_example() {
    assert_eq!(crate::pgbouncer::settings::PGBOUNCER_VERSION, (1, 25, 2));
}

#[test]
fn name_example() {
    use crate::pgbouncer::settings::Section;
    assert_eq!(Section::Databases.name(), "databases");
}

#[test]
fn from_name_example() {
    use crate::pgbouncer::settings::Section;
    assert_eq!(Section::from_name("users"), Some(Section::Users));
    assert_eq!(Section::from_name("Users"), None);
}

#[test]
fn describe_example() {
    use crate::pgbouncer::settings::Kind;
    assert_eq!(Kind::Bool.describe(), "0 or 1");
    assert_eq!(Kind::Enum(&["a", "b"]).describe(), "one of: a, b");
}

#[test]
fn available_in_example() {
    use crate::pgbouncer::settings::{Section, lookup};
    let s = lookup(Section::Pgbouncer, "max_prepared_statements").unwrap();
    assert!(!s.available_in((1, 18)) && s.available_in((1, 21)));
}

#[test]
fn settings_example() {
    use crate::pgbouncer::settings::{Section, settings};
    assert!(
        settings(Section::Users)
            .iter()
            .any(|s| s.name == "pool_mode")
    );
}

#[test]
fn lookup_example() {
    use crate::pgbouncer::settings::{Kind, Section, lookup};
    assert_eq!(
        lookup(Section::Pgbouncer, "log_connections").unwrap().kind,
        Kind::Bool
    );
    assert_eq!(
        lookup(Section::Databases, "server_lifetime").unwrap().since,
        Some((1, 23))
    );
    assert!(lookup(Section::Pgbouncer, "Pool_Mode").is_none());
}

#[test]
fn suggest_example() {
    use crate::pgbouncer::settings::{Section, suggest};
    assert_eq!(
        suggest(Section::Pgbouncer, "max_client_con"),
        Some("max_client_conn")
    );
    assert_eq!(suggest(Section::Pgbouncer, "Pool_Mode"), Some("pool_mode"));
    assert_eq!(suggest(Section::Databases, "hots"), Some("host"));
    assert_eq!(suggest(Section::Pgbouncer, "pool_mode"), None);
}

#[test]
fn module_example() {
    use crate::pgbouncer::settings::closest;
    let names = ["host", "port", "dbname"];
    assert_eq!(closest("prot", names), Some("port"));
    assert_eq!(closest("DBNAME", names), Some("dbname"));
    assert_eq!(closest("database", names), None);
}

#[test]
fn check_value_example() {
    use crate::pgbouncer::settings::{Kind, POOL_MODES, check_value};
    assert!(check_value(&Kind::Bool, "1").is_ok());
    assert!(check_value(&Kind::Bool, "true").is_err()); // PgBouncer refuses to start
    assert!(check_value(&Kind::Seconds, "1.5").is_ok());
    assert!(check_value(&Kind::Seconds, "10s").is_err());
    assert!(check_value(&Kind::Enum(POOL_MODES), "Transaction").is_ok());
    assert!(check_value(&Kind::ConnInt { min: 0, max: None }, "abc").is_ok()); // atoi: 0
    assert!(check_value(&Kind::ConnPort, "abc").is_err());
}

#[test]
fn interpret_example() {
    use crate::pgbouncer::settings::{Kind, POOL_MODES, Value, interpret};
    let int = Kind::Int { min: 0, max: None };
    assert_eq!(interpret(&int, "010"), Ok(Value::Int(8)));
    assert_eq!(interpret(&int, "0x10"), Ok(Value::Int(16)));
    assert_eq!(interpret(&int, "2147483648"), Ok(Value::Int(-2147483648)));
    assert!(interpret(&int, "08").is_err());
    assert_eq!(interpret(&Kind::Seconds, "1e2"), Ok(Value::Seconds(100.0)));
    assert_eq!(
        interpret(&Kind::Enum(POOL_MODES), "STATEMENT"),
        Ok(Value::Choice("statement"))
    );
    assert_eq!(
        interpret(&Kind::ConnInt { min: 0, max: None }, "5x"),
        Ok(Value::Int(5))
    );
    assert_eq!(
        interpret(&Kind::ConnSeconds, "1.5"),
        Ok(Value::Seconds(1.0))
    );
}

#[test]
fn value_warning_example() {
    use crate::pgbouncer::settings::{Kind, value_warning};
    assert!(
        value_warning(&Kind::Int { min: 0, max: None }, "010")
            .unwrap()
            .contains("octal")
    );
    assert!(value_warning(&Kind::Bool, "2").is_some());
    assert!(value_warning(&Kind::FileMode, "777").is_some());
    assert!(value_warning(&Kind::ConnInt { min: 0, max: None }, "ten").is_some());
    assert_eq!(value_warning(&Kind::Int { min: 0, max: None }, "20"), None);
}

#[test]
fn ini_value_example() {
    use crate::pgbouncer::settings::ini_value;
    assert_eq!(
        ini_value("\t select 1 # not a comment \r"),
        "select 1 # not a comment"
    );
}

#[test]
fn check_name_example() {
    use crate::pgbouncer::settings::{Section, check_name};
    assert!(check_name(Section::Databases, "pharia-os").is_ok());
    assert!(check_name(Section::Databases, "*").is_ok());
    assert!(check_name(Section::Databases, "my db").is_err());
    assert!(check_name(Section::Databases, "pgbouncer").is_err());
    assert!(check_name(Section::Users, "app@corp").is_err());
}

#[test]
fn tag_version_reads_the_image_tags() {
    use crate::pgbouncer::settings::tag_version;
    for (tag, want) in [
        ("1.24.1", Some((1, 24, 1))),
        ("v1.25.2", Some((1, 25, 2))),
        ("1.25.2-p0", Some((1, 25, 2))),
        ("1.25", Some((1, 25, 0))),
        ("1.25-alpine", Some((1, 25, 0))),
        ("latest", None),
        ("sha256", None),
        ("", None),
        ("1", None),
        ("1.x.2", None),
    ] {
        assert_eq!(tag_version(tag), want, "{tag}");
    }
}

//! PgBouncer's userlist rules, proven against the real `pgbouncer` binary.
//!
//! PgBouncer reads userlist.txt with its own reader (src/loader.c `load_auth_file`): only
//! C whitespace before an entry, `;` comments, names of at most 127 and passwords of at
//! most 2047 bytes as written, and anything it cannot read ends the reading while
//! PgBouncer keeps running with the users read so far. This test writes userlists around
//! each of those edges, starts PgBouncer on each, logs in to its admin console as every
//! user the file holds, and checks that:
//!
//! - `qspgb check-userlist` accepts a file exactly when PgBouncer lets every user in;
//! - `qspgb render` refuses a `config.userlist` entry beyond PgBouncer's limits, and the
//!   userlist it renders at the limits lets every user in.
//!
//! Runs on every PgBouncer version the chart deploys (`scripts/pgbouncer.sh build`: the
//! upstream-compat image's and the product's), since the limits are the reader's, which
//! could change with any release. Needs `psql`; no PostgreSQL server: the admin console
//! answers without one. Without them it fails.

use std::path::Path;
use std::process::{Command, Output};

use crate::util;
use crate::util::pgbouncer::{self, Bouncer, free_port};

const LONGEST_USER: usize = 127;
const LONGEST_PASSWORD: usize = 2047;

/// An unprivileged user, `nobody` (PgBouncer refuses root).
const NOBODY: (i64, i64) = (65534, 65534);

/// Starts PgBouncer as `nobody` with `userlist` as its auth_file and every user of
/// `admins` allowed on the admin console; plain passwords.
fn start(binary: &Path, name: &str, userlist: &[u8], admins: &[&str]) -> Bouncer {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("qspgb-limits-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ini = format!(
        "[databases]\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
         unix_socket_dir = {dir}\nauth_type = plain\nauth_file = {dir}/userlist.txt\n\
         admin_users = {admins}\n",
        dir = dir.display(),
        admins = admins.join(",")
    );
    Bouncer::start_in(name, binary, dir, port, (&ini, userlist), NOBODY)
}

impl Bouncer {
    /// Whether `user` with `password` gets into the admin console.
    fn logs_in(&self, user: &str, password: &str) -> bool {
        let out: Output = Command::new("psql")
            .args(["-X", "-A", "-t", "-c", "SHOW VERSION"])
            .arg(format!(
                "host=127.0.0.1 port={} dbname=pgbouncer user={user} connect_timeout=5",
                self.port
            ))
            .env("PGPASSWORD", password)
            .env("PGSSLMODE", "disable")
            .output()
            .expect("run psql");
        out.status.success()
    }
}

/// A userlist line as PgBouncer's format wants it.
fn line(user: &str, password: &str) -> String {
    format!(
        "\"{}\" \"{}\"\n",
        user.replace('"', "\"\""),
        password.replace('"', "\"\"")
    )
}

/// One userlist to try: its bytes, and the users (name, password) it means to hold.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    users: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let user = |n: usize| "u".repeat(n);
    let password = |n: usize| "p".repeat(n);
    // Every case puts one user before and one after the entry under test, so a reader that
    // stops at it shows in the user after it.
    let around = |name: &'static str, middle: Vec<u8>, users: Vec<(String, String)>| {
        let mut bytes = line("first", "first-pw").into_bytes();
        bytes.extend(middle);
        bytes.extend(line("last", "last-pw").into_bytes());
        let mut all = vec![("first".to_string(), "first-pw".to_string())];
        all.extend(users);
        all.push(("last".into(), "last-pw".into()));
        Case {
            name,
            bytes,
            users: all,
        }
    };
    let entry = |u: String, p: String| (line(&u, &p).into_bytes(), vec![(u, p)]);
    let mut out = Vec::new();
    for (name, (bytes, users)) in [
        ("longest-user", entry(user(LONGEST_USER), "pw".into())),
        (
            "user-one-byte-too-long",
            entry(user(LONGEST_USER + 1), "pw".into()),
        ),
        // 63 quotes are 126 bytes written; 64 are 128.
        (
            "quoted-user-at-limit",
            entry(format!("{}u", "\"".repeat(63)), "pw".into()),
        ),
        ("quoted-user-too-long", entry("\"".repeat(64), "pw".into())),
        (
            "longest-password",
            entry("longpw".into(), password(LONGEST_PASSWORD)),
        ),
        (
            "password-one-byte-too-long",
            entry("longpw".into(), password(LONGEST_PASSWORD + 1)),
        ),
        (
            "quote-in-password",
            entry("quoted".into(), "a\"b\"\"c".into()),
        ),
    ] {
        out.push(around(name, bytes, users));
    }
    let raw = |name: &'static str, middle: &[u8], users: &[(&str, &str)]| {
        around(
            name,
            middle.to_vec(),
            users
                .iter()
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .collect(),
        )
    };
    out.push(raw(
        "no-break-space-before-entry",
        b"\xc2\xa0\"nbsp\" \"nbsp-pw\"\n",
        &[("nbsp", "nbsp-pw")],
    ));
    out.push(raw(
        "vertical-tab-and-form-feed",
        b"\x0b\x0c\"vt\" \"vt-pw\"\n",
        &[("vt", "vt-pw")],
    ));
    out.push(raw("hash-comment", b"# a comment\n", &[]));
    out.push(raw("semicolon-comment", b"; a comment\n", &[]));
    out.push(raw(
        "text-between-and-after-fields",
        b"\"junk\" and \"junk-pw\" trailing\n",
        &[("junk", "junk-pw")],
    ));
    out.push(raw("nul-byte", b"\0\n", &[]));
    out.push(raw("unterminated-entry", b"\"open\" \"open-pw\n", &[]));
    out
}

#[test]
fn check_userlist_agrees_with_pgbouncer() {
    for version in pgbouncer::shipped_versions() {
        check_userlist_agrees_with(&version);
    }
}

fn check_userlist_agrees_with(version: &str) {
    let binary = pgbouncer::binary(version);
    let mut table = Vec::new();
    for case in cases() {
        let users: Vec<&str> = case.users.iter().map(|(u, _)| u.as_str()).collect();
        let bouncer = start(&binary, case.name, &case.bytes, &users);
        let everyone_in = case.users.iter().all(|(u, p)| bouncer.logs_in(u, p));
        let file = bouncer.dir.join("check.txt");
        std::fs::write(&file, &case.bytes).unwrap();
        let check = util::qspgb(&["check-userlist", file.to_str().unwrap()]);
        let accepted = check.status.success();
        table.push(format!(
            "{:32} pgbouncer: {:14} check-userlist: {}",
            case.name,
            if everyone_in {
                "every user in"
            } else {
                "users lost"
            },
            if accepted { "accepted" } else { "refused" }
        ));
        assert_eq!(
            accepted,
            everyone_in,
            "{}: check-userlist {} it, PgBouncer {version} {}:\n{}\nPgBouncer's log:\n{}",
            case.name,
            if accepted { "accepts" } else { "refuses" },
            if everyone_in {
                "lets every user in"
            } else {
                "loses users"
            },
            util::stderr(&check),
            bouncer.log()
        );
        // Nothing of a password is printed, whatever the verdict.
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            util::stderr(&check)
        );
        for (_, password) in &case.users {
            if password.len() >= 4 {
                assert!(
                    !printed.contains(password.as_str()),
                    "{}: {printed}",
                    case.name
                );
            }
        }
    }
    eprintln!("PgBouncer {version}:\n{}", table.join("\n"));
}

/// The rendered userlist: entries at PgBouncer's limits render and let their users in;
/// one byte more is refused by `qspgb render`, naming the key.
#[test]
fn rendered_userlists_stay_within_pgbouncers_limits() {
    let user = "u".repeat(LONGEST_USER);
    let password = "p".repeat(LONGEST_PASSWORD);
    // Temporal renders its own userlist when no existing Secret is named.
    let entries = serde_json::json!({ user.clone(): password.clone(), "second": "second-pw" });
    let base = [
        "--set",
        "pgbouncerTemporal.hooks.enabled=false,pgbouncerTemporal.config.existingUserlistSecret=,\
         pgbouncerTemporal.config.existingAdminSecret=,pgbouncerTemporal.config.adminPassword=admin-pw",
    ];
    let set = format!("pgbouncerTemporal.config.userlist={entries}");
    let mut args = vec![
        "render",
        "-s",
        "charts/pgbouncerTemporal/templates/userlist-secret.yaml",
    ];
    args.extend(base);
    args.extend(["--set-json", &set]);
    let out = util::qspgb(&args);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_slice(&out.stdout)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    let userlist = util::base64_decode(docs[0]["data"]["userlist.txt"].as_str().unwrap());
    // The version the product values deploy.
    let out = util::qspgb(&[
        "render",
        "-s",
        "charts/pgbouncerTemporal/templates/deployment.yaml",
    ]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    let workload: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).unwrap();
    let bouncer = start(
        &pgbouncer::binary(&pgbouncer::image_version(&workload)),
        "rendered",
        userlist.as_bytes(),
        &[&user, "second", "pgbouncer"],
    );
    assert!(bouncer.logs_in(&user, &password), "{}", bouncer.log());
    assert!(bouncer.logs_in("second", "second-pw"), "{}", bouncer.log());

    for (entries, key) in [
        (
            serde_json::json!({ format!("{user}u"): "pw" }),
            format!("pgbouncerTemporal.config.userlist.{user}u"),
        ),
        (
            serde_json::json!({ "bob": format!("{password}p") }),
            "pgbouncerTemporal.config.userlist.bob".to_string(),
        ),
    ] {
        let set = format!("pgbouncerTemporal.config.userlist={entries}");
        let mut args = vec!["render"];
        args.extend(base);
        args.extend(["--set-json", &set]);
        let out = util::qspgb(&args);
        assert_eq!(out.status.code(), Some(1), "{}", util::stderr(&out));
        assert!(out.stdout.is_empty());
        let err = util::stderr(&out);
        // The user name may be redacted (src/redact.rs treats a userlist as secret).
        assert!(
            err.contains(&key) || err.contains("pgbouncerTemporal.config.userlist.[redacted]"),
            "{err}"
        );
        assert!(err.contains("PgBouncer reads at most"), "{err}");
        assert!(
            !err.contains(&password[..100]),
            "the password is never printed"
        );
    }
}

//! The rendered configuration in real PgBouncer (the version the rendered image tag names,
//! built by `scripts/pgbouncer.sh`) against real PostgreSQL (Debian's 15), with the userlist
//! `qspgb hooks` wrote through the real kube-apiserver.
//!
//! `scripts/test.sh` starts PostgreSQL (`scripts/postgres.sh start`, exports QSPGB_PG_*)
//! and the API server (`scripts/kube-apiserver.sh start`, exports KAE2E_* and KUBECONFIG).
//! This test starts one PgBouncer per instance itself and stops them when it ends, also
//! when it fails. Without that environment it fails.
//!
//! What is rewritten in the rendered pgbouncer.ini, and nothing else (checked below):
//! `listen_addr` (`*` -> `127.0.0.1`: bind loopback only), `listen_port` (a free port),
//! `auth_file` (the local copy of the userlist Secret), and one added line
//! `unix_socket_dir` (a private directory instead of /tmp). The databases point at the
//! loopback PostgreSQL through chart values (`config.databases.*.host/port`), as a user
//! would point them at their cluster.
//!
//! The chart's test Pod script (templates/tests/pgbouncer-test.yaml) runs against the same
//! PgBouncers, so the shipped `helm test` is itself tested.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::util::pgbouncer::{self, Bouncer, free_port};
use crate::util::{base64_decode, output_with_stdin};

pub(crate) const RELEASE: &str = "qs-pgbouncer";

/// Roles of the database clusters: (cluster, role, database, password).
const ROLES: &[(&str, &str, &str, &str)] = &[
    ("cluster-pharia", "pharia_os", "pharia-os", "pharia-os-pw-1"),
    (
        "cluster-pharia",
        "document_index",
        "document-index",
        "doc \"index\" pw",
    ),
    ("cluster-pharia", "pgbouncer", "", "pharia-admin-pw"),
    ("cluster-temporal", "temporal", "temporal", "temporal-pw-1"),
    (
        "cluster-temporal",
        "temporal_visibility",
        "temporal-visibility",
        "visibility-pw-1",
    ),
    ("cluster-temporal", "pgbouncer", "", "temporal-admin-pw"),
];

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The environment the test scripts export.
pub(crate) struct Env {
    pub(crate) pg_port: u16,
    pg_socket_dir: String,
    kubectl: PathBuf,
    kubeconfig: PathBuf,
}

pub(crate) fn env() -> Env {
    let (Ok(port), Ok(run_dir)) = (
        std::env::var("QSPGB_PG_PORT"),
        std::env::var("KAE2E_RUN_DIR"),
    ) else {
        panic!(
            "no PostgreSQL or API server: run through `bash scripts/test.sh`, or start them with \
             scripts/postgres.sh and scripts/kube-apiserver.sh and eval their `start` output"
        );
    };
    Env {
        pg_port: port.parse().expect("QSPGB_PG_PORT"),
        pg_socket_dir: std::env::var("QSPGB_PG_SOCKET_DIR").expect("QSPGB_PG_SOCKET_DIR"),
        kubectl: std::env::var("KAE2E_KUBECTL")
            .map(PathBuf::from)
            .unwrap_or_else(|_| "/var/cache/qspgb-e2e/bin/kubectl".into()),
        kubeconfig: PathBuf::from(run_dir).join("kubeconfig"),
    }
}

impl Env {
    /// SQL as the PostgreSQL superuser (Unix socket, no password).
    pub(crate) fn superuser(&self, database: &str, sql: &str) -> String {
        pgbouncer::superuser_sql(
            &self.pg_socket_dir,
            &self.pg_port.to_string(),
            database,
            sql,
        )
    }

    pub(crate) fn kubectl(&self, args: &[&str], stdin: &str) -> String {
        let out = output_with_stdin(
            Command::new(&self.kubectl)
                .args(args)
                .env("KUBECONFIG", &self.kubeconfig),
            stdin,
        );
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    pub(crate) fn qspgb(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_qspgb"))
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .output()
            .expect("qspgb")
    }

    /// A Secret's data, decoded.
    pub(crate) fn secret(&self, ns: &str, name: &str) -> BTreeMap<String, String> {
        let json: Json = serde_json::from_str(
            &self.kubectl(&["-n", ns, "get", "secret", name, "-o", "json"], ""),
        )
        .unwrap();
        json["data"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), base64_decode(v.as_str().unwrap())))
            .collect()
    }

    /// Creates or replaces a source Secret as the database charts do.
    pub(crate) fn source_secret(&self, ns: &str, cluster: &str, role: &str, password: &str) {
        let secret = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": format!("{cluster}-{}", role.replace('_', "-")),
                "labels": {
                    "app.kubernetes.io/name": "qs-postgresql-cluster",
                    "qs-postgresql-cluster/name": cluster,
                },
            },
            "type": "kubernetes.io/basic-auth",
            "stringData": {"username": role, "password": password},
        });
        self.kubectl(&["-n", ns, "apply", "-f", "-"], &secret.to_string());
    }
}

/// Starts PgBouncer `version` as `user` with the rendered ini (rewritten as the module
/// documentation says) and the userlist.
pub(crate) fn start(
    name: &str,
    version: &str,
    rendered_ini: &str,
    userlist: &str,
    user: (i64, i64),
) -> Bouncer {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("qspgb-pgbouncer-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let auth_file = dir.join("userlist.txt");
    let local = pgbouncer::Local::in_dir(port, &dir, &auth_file);
    let ini = pgbouncer::rewrite_ini(rendered_ini, &local, |_| None);
    // Exactly the documented lines differ.
    let before: Vec<&str> = rendered_ini.lines().collect();
    let after: Vec<&str> = ini.lines().collect();
    let changed: Vec<String> = after
        .iter()
        .filter(|l| !before.contains(l))
        .map(|l| l.split(" = ").next().unwrap().to_string())
        .collect();
    assert_eq!(
        changed,
        ["unix_socket_dir", "listen_addr", "listen_port", "auth_file"],
        "{ini}"
    );
    assert_eq!(before.len() + 1, after.len());
    Bouncer::start_in(
        name,
        &pgbouncer::binary(version),
        dir,
        port,
        (&ini, userlist.as_bytes()),
        user,
    )
}

impl Bouncer {
    pub(crate) fn userlist_path(&self) -> PathBuf {
        self.dir.join("userlist.txt")
    }

    /// One psql call through this PgBouncer.
    pub(crate) fn psql(&self, user: &str, password: &str, database: &str, sql: &str) -> Output {
        Command::new("psql")
            .args(["-X", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1"])
            .arg(format!(
                "host=127.0.0.1 port={} dbname={database} user={user}",
                self.port
            ))
            .args(["-c", sql])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "5")
            .output()
            .expect("psql")
    }

    pub(crate) fn query(&self, user: &str, password: &str, database: &str, sql: &str) -> String {
        let out = self.psql(user, password, database, sql);
        assert!(
            out.status.success(),
            "{}: {user}@{database}: {sql}: {}",
            self.name,
            text(&out.stderr)
        );
        text(&out.stdout).trim().to_string()
    }

    /// Rows of an admin console SHOW command, as maps of column name to value.
    fn show(&self, admin: &(String, String), what: &str) -> Vec<BTreeMap<String, String>> {
        let out = Command::new("psql")
            .args(["-X", "-A", "-F", "|", "-P", "footer=off"])
            .arg(format!(
                "host=127.0.0.1 port={} dbname=pgbouncer user={}",
                self.port, admin.0
            ))
            .args(["-c", &format!("SHOW {what};")])
            .env("PGPASSWORD", &admin.1)
            .output()
            .expect("psql");
        assert!(out.status.success(), "SHOW {what}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let mut lines = stdout.lines();
        let header: Vec<&str> = lines.next().unwrap().split('|').collect();
        lines
            .map(|l| {
                header
                    .iter()
                    .zip(l.split('|'))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }
}

/// The user and group a rendered workload (or Pod) runs `container` as: the container's
/// securityContext wins over the pod's, as in Kubernetes. The processes here run as that
/// user too, which proves the chosen (high, passwd-less) IDs work for PgBouncer and psql.
pub(crate) fn run_as(object: &serde_yaml::Value, container: &str) -> (i64, i64) {
    let spec = if object["kind"] == "Pod" {
        &object["spec"]
    } else {
        &object["spec"]["template"]["spec"]
    };
    let c = crate::util::named_container(spec, "containers", container);
    let id = |key: &str| {
        c["securityContext"][key]
            .as_i64()
            .or_else(|| spec["securityContext"][key].as_i64())
            .unwrap_or_else(|| panic!("{container}: no {key}"))
    };
    let ids = (id("runAsUser"), id("runAsGroup"));
    assert!(ids.0 >= 10000, "{container} runs as {ids:?}");
    ids
}

/// A PostgreSQL protocol 3.0 StartupMessage.
fn startup_packet(user: &str, database: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608u32.to_be_bytes());
    for (k, v) in [("user", user), ("database", database)] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut packet = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend(body);
    packet
}

/// A client that stays connected (a psql reading statements from a pipe).
pub(crate) struct IdleClient {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl IdleClient {
    pub(crate) fn connect(
        bouncer: &Bouncer,
        user: &str,
        password: &str,
        database: &str,
    ) -> IdleClient {
        let mut child = Command::new("psql")
            .args(["-X", "-A", "-t", "-q"])
            .arg(format!(
                "host=127.0.0.1 port={} dbname={database} user={user}",
                bouncer.port
            ))
            .env("PGPASSWORD", password)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut client = IdleClient {
            child,
            stdin,
            stdout,
        };
        assert_eq!(client.query("SELECT 42;"), "42");
        client
    }

    pub(crate) fn query(&mut self, sql: &str) -> String {
        writeln!(self.stdin, "{sql}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }
}

impl Drop for IdleClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn row<'a>(
    rows: &'a [BTreeMap<String, String>],
    pairs: &[(&str, &str)],
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| {
            pairs
                .iter()
                .all(|(k, v)| r.get(*k).map(String::as_str) == Some(*v))
        })
        .unwrap_or_else(|| panic!("no row with {pairs:?} in {rows:?}"))
}

fn num(row: &BTreeMap<String, String>, key: &str) -> i64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key} in {row:?}"))
}

/// Creates the roles (SCRAM passwords) and databases the clusters would have.
fn create_databases(env: &Env) {
    for (_, _, database, _) in ROLES {
        if !database.is_empty() {
            env.superuser(
                "postgres",
                &format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"),
            );
        }
    }
    let mut seen = Vec::new();
    for (_, role, _, password) in ROLES {
        if seen.contains(role) {
            continue;
        }
        seen.push(*role);
        env.superuser("postgres", &format!("DROP ROLE IF EXISTS {role}"));
        // Both clusters' `pgbouncer` roles are one role here (one PostgreSQL): it gets
        // the Pharia password, and the Temporal admin only logs in to PgBouncer's console.
        env.superuser(
            "postgres",
            &format!(
                "SET password_encryption = 'scram-sha-256'; CREATE ROLE {role} LOGIN PASSWORD '{}'",
                password.replace('\'', "''")
            ),
        );
    }
    for (_, role, database, _) in ROLES {
        if !database.is_empty() {
            env.superuser(
                "postgres",
                &format!("CREATE DATABASE \"{database}\" OWNER {role}"),
            );
        }
    }
    let verifier = env.superuser(
        "postgres",
        "SELECT rolpassword FROM pg_authid WHERE rolname = 'pharia_os'",
    );
    assert!(verifier.starts_with("SCRAM-SHA-256$"), "{verifier}");
}

pub(crate) fn rendered_documents(env: &Env, ns: &str, extra: &[&str]) -> Vec<serde_yaml::Value> {
    let mut args = vec!["render", RELEASE, "-n", ns];
    args.extend_from_slice(extra);
    let out = env.qspgb(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .split("\n---\n")
        .map(|d| d.trim_start_matches("---\n"))
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).unwrap())
        .collect()
}

pub(crate) fn find<'a>(
    docs: &'a [serde_yaml::Value],
    kind: &str,
    name: &str,
) -> &'a serde_yaml::Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn rendered_pgbouncer_works_against_postgresql() {
    let env = env();
    create_databases(&env);

    // The clusters' Secrets in the API server, and the hooks.
    let ns = format!("pgbouncer-e2e-{}", std::process::id());
    env.kubectl(&["create", "namespace", &ns], "");
    for (cluster, role, _, password) in ROLES {
        env.source_secret(&ns, cluster, role, password);
    }
    let out = env.qspgb(&["hooks", RELEASE, "-n", &ns]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The chart, pointed at the loopback PostgreSQL.
    let pg = env.pg_port;
    let pharia_dbs = format!(
        r#"pgbouncerPharia.config.databases={{"*":{{"host":"127.0.0.1","port":{pg}}},"pharia-os":{{"host":"127.0.0.1","port":{pg},"pool_mode":"session","connect_query":"SET statement_timeout = 12345"}}}}"#
    );
    let temporal_dbs =
        format!(r#"pgbouncerTemporal.config.databases={{"*":{{"host":"127.0.0.1","port":{pg}}}}}"#);
    let docs = rendered_documents(
        &env,
        &ns,
        // The `helm test` Pods too: their script runs against this PgBouncer below.
        &[
            "--include-tests",
            "--set-json",
            &pharia_dbs,
            "--set-json",
            &temporal_dbs,
        ],
    );
    let ini_of = |name: &str| {
        find(&docs, "ConfigMap", &format!("{name}-configmap"))["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let mut checked = Vec::new();
    for (name, cluster, modes) in [
        (
            "pgbouncer-pharia",
            "cluster-pharia",
            &[("pharia-os", "session"), ("document-index", "transaction")][..],
        ),
        (
            "pgbouncer-temporal",
            "cluster-temporal",
            &[("temporal", "session"), ("temporal-visibility", "session")][..],
        ),
    ] {
        let userlist = env.secret(&ns, &format!("{name}-userlist"))["userlist.txt"].clone();
        let admin_secret = env.secret(&ns, &format!("{name}-admin"));
        let admin = (
            admin_secret["adminUser"].clone(),
            admin_secret["adminPassword"].clone(),
        );
        let workload = find(&docs, "Deployment", name);
        let version = pgbouncer::image_version(workload);
        let bouncer = start(
            if name == "pgbouncer-pharia" {
                "pharia"
            } else {
                "temporal"
            },
            &version,
            &ini_of(name),
            &userlist,
            run_as(workload, "pgbouncer"),
        );
        // The version the image deploys is the one that runs.
        assert!(
            bouncer.show(&admin, "VERSION")[0]["version"].contains(&format!("PgBouncer {version}")),
            "{name}: not PgBouncer {version}"
        );
        let roles: Vec<_> = ROLES
            .iter()
            .filter(|(c, _, db, _)| *c == cluster && !db.is_empty())
            .collect();

        // Every role authenticates and runs a query; a wrong password is refused.
        for (_, role, database, password) in &roles {
            assert_eq!(
                bouncer.query(
                    role,
                    password,
                    database,
                    "SELECT current_user, current_database()"
                ),
                format!("{role}|{database}")
            );
            let wrong = bouncer.psql(role, &format!("{password}-wrong"), database, "SELECT 1");
            assert!(!wrong.status.success());
            assert!(
                text(&wrong.stderr).contains("password authentication failed"),
                "{}",
                text(&wrong.stderr)
            );
        }

        // A connection parameter with spaces is written quoted (`connect_query='SET ...'`),
        // and PgBouncer reads it back whole: the server connection ran it.
        if name == "pgbouncer-pharia" {
            assert!(
                ini_of(name).contains("connect_query='SET statement_timeout = 12345'"),
                "{}",
                ini_of(name)
            );
            let (_, role, database, password) = roles
                .iter()
                .find(|(_, _, db, _)| *db == "pharia-os")
                .unwrap();
            assert_eq!(
                bouncer.query(role, password, database, "SHOW statement_timeout"),
                "12345ms"
            );
        }

        // The admin console takes the admin Secret's credentials, and only those.
        assert!(bouncer.show(&admin, "VERSION")[0]["version"].contains("PgBouncer"));
        let wrong_admin = bouncer.psql(&admin.0, "not-the-password", "pgbouncer", "SHOW VERSION");
        assert!(!wrong_admin.status.success());

        // Pool modes: SHOW DATABASES says it, and behaviour shows it: a connected idle
        // client keeps its server connection in session mode and gives it back in
        // transaction mode.
        let config = bouncer.show(&admin, "CONFIG");
        let global_mode = row(&config, &[("key", "pool_mode")])["value"].clone();
        let mut idle = Vec::new();
        for (_, role, database, password) in &roles {
            idle.push(IdleClient::connect(&bouncer, role, password, database));
        }
        let databases = bouncer.show(&admin, "DATABASES");
        let pools = bouncer.show(&admin, "POOLS");
        for (database, mode) in modes {
            let db_row = row(&databases, &[("name", database)]);
            let effective = if db_row["pool_mode"].is_empty() {
                global_mode.clone()
            } else {
                db_row["pool_mode"].clone()
            };
            assert_eq!(&effective, mode, "{name} {database}: {db_row:?}");
            let pool = row(&pools, &[("database", database)]);
            let (active, idle_servers) = (num(pool, "sv_active"), num(pool, "sv_idle"));
            match *mode {
                "session" => assert_eq!((active, idle_servers), (1, 0), "{database}: {pool:?}"),
                _ => assert_eq!((active, idle_servers), (0, 1), "{database}: {pool:?}"),
            }
        }
        drop(idle);

        // The pool opens at most default_pool_size (20) server connections: 30 clients at
        // once, each holding a server for 2 s, are served 20 at a time: the pool fills up
        // to exactly 20 and the rest wait.
        let (_, role, database, password) = roles[roles.len() - 1];
        let pool_size: i64 = row(&config, &[("key", "default_pool_size")])["value"]
            .parse()
            .unwrap();
        assert_eq!(pool_size, 20);
        let mut clients: Vec<Child> = (0..30)
            .map(|_| {
                Command::new("psql")
                    .args(["-X", "-A", "-t", "-c", "SELECT pg_sleep(2)"])
                    .arg(format!(
                        "host=127.0.0.1 port={} dbname={database} user={role}",
                        bouncer.port
                    ))
                    .env("PGPASSWORD", password)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // Sample the server side (PostgreSQL's own view) and PgBouncer's queue until every
        // client is done.
        let mut most_servers = 0;
        let mut waited = false;
        let deadline = Instant::now() + Duration::from_secs(30);
        while clients.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
            assert!(Instant::now() < deadline, "{name}: clients did not finish");
            let servers: i64 = env
                .superuser(
                    "postgres",
                    &format!(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND usename = '{role}'"
                    ),
                )
                .trim()
                .parse()
                .unwrap();
            most_servers = most_servers.max(servers);
            let pools = bouncer.show(&admin, "POOLS");
            waited |= num(row(&pools, &[("database", database)]), "cl_waiting") > 0;
            std::thread::sleep(Duration::from_millis(50));
        }
        for client in clients {
            let out = client.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        assert_eq!(
            most_servers, pool_size,
            "{name}: at most {most_servers} server connections for pool size {pool_size}"
        );
        assert!(waited, "{name}: no client ever waited for a server");

        // Clients beyond max_client_conn are refused with PgBouncer's error.
        let max: usize = row(&config, &[("key", "max_client_conn")])["value"]
            .parse()
            .unwrap();
        let lists = bouncer.show(&admin, "LISTS");
        // The console connection that asked is one of them, and is gone now.
        let used: usize = row(&lists, &[("list", "used_clients")])["items"]
            .parse::<usize>()
            .unwrap()
            - 1;
        // Each held connection sends a startup packet and then waits at the password
        // prompt: PgBouncer only sees a connection once data arrives (TCP_DEFER_ACCEPT),
        // and counts it from then on.
        let held: Vec<TcpStream> = (0..max - used)
            .map(|_| {
                let mut socket = TcpStream::connect(("127.0.0.1", bouncer.port)).unwrap();
                socket.write_all(&startup_packet(role, database)).unwrap();
                socket
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        let refused = bouncer.psql(role, password, database, "SELECT 1");
        assert!(
            !refused.status.success(),
            "{name}: client {} got in",
            max + 1
        );
        assert!(
            text(&refused.stderr).contains("no more connections allowed (max_client_conn)"),
            "{}",
            text(&refused.stderr)
        );
        drop(held);

        // The chart's test Pod script, exactly as rendered, against this PgBouncer: the
        // Pod's own env values, with the Service address and the mounted files replaced
        // by the local ones, and the admin Secret's values as its secretKeyRefs give them.
        let pod = find(&docs, "Pod", &format!("{name}-test"));
        let container = &pod["spec"]["containers"][0];
        let command: Vec<&str> = container["command"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(command[..2], ["bash", "-c"]);
        let mut pod_env: BTreeMap<String, String> = container["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|e| {
                Some((
                    e["name"].as_str()?.to_string(),
                    e["value"].as_str()?.to_string(),
                ))
            })
            .collect();
        assert_eq!(pod_env["PGBOUNCER_HOST"], name);
        pod_env.insert("PGBOUNCER_HOST".into(), "127.0.0.1".into());
        pod_env.insert("PGBOUNCER_PORT".into(), bouncer.port.to_string());
        pod_env.insert("ADMIN_USER".into(), admin.0.clone());
        pod_env.insert("ADMIN_PASSWORD".into(), admin.1.clone());
        let script_user = run_as(pod, "test");
        let run_script = |userlist_file: &Path| {
            Command::new("setpriv")
                .arg(format!("--reuid={}", script_user.0))
                .arg(format!("--regid={}", script_user.1))
                .args(["--clear-groups", "--", "bash"])
                .args(&command[1..])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap())
                .env("HOME", std::env::temp_dir())
                .envs(&pod_env)
                .env("USERLIST_FILE", userlist_file)
                .output()
                .expect("bash")
        };
        let out = run_script(&bouncer.userlist_path());
        let report = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {report}{}",
            text(&out.stderr)
        );
        // The checks ran through to the last two (pool sizes and max_client_conn).
        assert!(
            report.contains(&format!(
                "ok: max_client_conn {} is enforced",
                pod_env["MAX_CLIENT_CONN"]
            )),
            "{report}"
        );
        assert!(
            report.contains("ok: server connections within pool_size"),
            "{report}"
        );
        assert!(report.trim_end().ends_with(" checks, 0 failed"), "{report}");
        assert!(
            report.lines().rev().skip(1).all(|l| l.starts_with("ok: ")),
            "{report}"
        );
        // A wrong password in the userlist is one clear failed check, and no password
        // shows up in what the script prints.
        let (_, bad_role, _, bad_password) = roles[0];
        let broken = bouncer.dir.join("broken-userlist.txt");
        std::fs::write(
            &broken,
            userlist.replace(
                &format!("\"{bad_role}\" \"{}\"", bad_password.replace('"', "\"\"")),
                &format!("\"{bad_role}\" \"not-the-password\""),
            ),
        )
        .unwrap();
        let out = run_script(&broken);
        let report = text(&out.stdout) + &text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{report}");
        let failed: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL: ")).collect();
        assert_eq!(failed.len(), 1, "{report}");
        assert!(failed[0].contains(bad_role), "{report}");
        for (_, _, _, password) in ROLES {
            assert!(
                !report.contains(password),
                "the script printed a password: {report}"
            );
        }
        assert!(!report.contains("not-the-password") && !report.contains(&admin.1));

        checked.push((name, bouncer, admin, userlist));
    }

    // A password change in PostgreSQL and in the Secret: hooks + reload let the new one
    // in and keep the old one out.
    let (_, bouncer, admin, old_userlist) = &checked[0];
    env.superuser(
        "postgres",
        "SET password_encryption = 'scram-sha-256'; ALTER ROLE pharia_os PASSWORD 'pharia-os-pw-2'",
    );
    env.source_secret(&ns, "cluster-pharia", "pharia_os", "pharia-os-pw-2");
    let out = env.qspgb(&["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("secret/pgbouncer-pharia-userlist: updated"),
        "{}",
        text(&out.stdout)
    );
    let new_userlist = env.secret(&ns, "pgbouncer-pharia-userlist")["userlist.txt"].clone();
    assert_ne!(&new_userlist, old_userlist);
    // What the kubelet does with a mounted Secret, then PgBouncer's RELOAD.
    std::fs::write(bouncer.userlist_path(), &new_userlist).unwrap();
    let reload = bouncer.psql(&admin.0, &admin.1, "pgbouncer", "RELOAD");
    assert!(reload.status.success(), "{}", text(&reload.stderr));
    assert_eq!(
        bouncer.query("pharia_os", "pharia-os-pw-2", "pharia-os", "SELECT 1"),
        "1"
    );
    let old = bouncer.psql("pharia_os", "pharia-os-pw-1", "pharia-os", "SELECT 1");
    assert!(!old.status.success(), "the old password still works");
}

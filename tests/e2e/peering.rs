//! Peering in real PgBouncer (the version the rendered image tag names): a cancel request
//! sent to any of three peered PgBouncers reaches the query, and without peering it is lost.
//!
//! Three PgBouncers play the StatefulSet's pods `<fullname>-0..2`, each on its own loopback
//! address (127.0.0.1, .2, .3) and the same port, as pods share port 5432. Each runs the
//! rendered pgbouncer.ini with only these lines rewritten (checked below): `listen_addr`
//! (the pod's address), `listen_port` (a port free on all three), `auth_file` (a local
//! userlist), the `%include` path (the pod's own emptyDir), each `[peers]` entry's
//! `host`/`port` (the pod's DNS name -> its loopback address, 5432 -> the shared port), and
//! one added `unix_socket_dir` line. The included file is what the real
//! `qspgb peer-config`, run with the rendered init container's arguments and each pod's
//! name, wrote. The processes run as the rendered runAsUser.
//!
//! Needs PostgreSQL (`scripts/postgres.sh start`, QSPGB_PG_*); fails without it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_yaml::Value;

use crate::util::pgbouncer::{self, Bouncer, free_port};
use crate::util::{find, one, render_as};

const FULLNAME: &str = "pgbouncer-pharia";
const ROLE: &str = "peering_app";
const PASSWORD: &str = "peering-pw-1";
const DATABASE: &str = "peering_db";
const HOSTS: [&str; 3] = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
/// How soon a cancel must end the query, through any peer.
const CANCEL_WITHIN: Duration = Duration::from_secs(2);

/// The loopback PostgreSQL: (port, socket directory).
fn postgres() -> (u16, String) {
    let port = std::env::var("QSPGB_PG_PORT").unwrap_or_else(|_| {
        panic!("no PostgreSQL: start it with scripts/postgres.sh and eval its `start` output")
    });
    let socket = std::env::var("QSPGB_PG_SOCKET_DIR").expect("QSPGB_PG_SOCKET_DIR");
    (port.parse().expect("QSPGB_PG_PORT"), socket)
}

/// SQL as the superuser (Unix socket).
fn superuser(sql: &str) -> String {
    let (socket, port) = pgbouncer::postgres_from_env();
    pgbouncer::superuser_sql(&socket, &port, "postgres", sql)
}

fn create_role_and_database() {
    superuser(&format!(
        "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN \
         CREATE ROLE {ROLE} LOGIN; END IF; END$$"
    ));
    superuser(&format!("ALTER ROLE {ROLE} PASSWORD '{PASSWORD}'"));
    if superuser(&format!(
        "SELECT count(*) FROM pg_database WHERE datname = '{DATABASE}'"
    )) == "0"
    {
        superuser(&format!("CREATE DATABASE {DATABASE} OWNER {ROLE}"));
    }
}

/// A `pg_sleep(30)` told apart from the others (tests run in parallel) by its comment.
fn sleep_sql(tag: &str) -> String {
    format!("SELECT pg_sleep(30) -- peering {tag}")
}

/// How many of query `sql` run in PostgreSQL right now.
fn sleeping(sql: &str) -> usize {
    superuser(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = '{ROLE}' AND state = 'active' \
         AND query = '{sql}'"
    ))
    .parse()
    .unwrap()
}

/// The rendered Pharia instance (PgBouncer `tag`, or the chart's): its pgbouncer.ini and
/// its workload.
fn rendered(peering: bool, tag: Option<&str>) -> (String, Value) {
    let (pg_port, _) = postgres();
    let databases = format!(
        r#"pgbouncerPharia.config.databases={{"*":{{"host":"127.0.0.1","port":{pg_port}}}}}"#
    );
    let peering = format!("pgbouncerPharia.peering.enabled={peering}");
    let mut args = vec![
        "qs-pgbouncer".to_string(),
        "-n".into(),
        "pharia-ai".into(),
        "--set".into(),
        peering.clone(),
        "--set-json".into(),
        databases,
    ];
    if let Some(tag) = tag {
        args.extend([
            "--set-string".into(),
            format!("pgbouncerPharia.image.tag={tag}"),
        ]);
    }
    let docs = render_as(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let configmap = one(&docs, "ConfigMap", &format!("{FULLNAME}-configmap"));
    let ini = configmap["data"]["pgbouncer.ini"]
        .as_str()
        .unwrap()
        .to_string();
    let kind = if peering.ends_with("true") {
        "StatefulSet"
    } else {
        "Deployment"
    };
    let workload = one(&docs, kind, FULLNAME).clone();
    assert!(
        find(&docs, "Deployment", FULLNAME).len() + find(&docs, "StatefulSet", FULLNAME).len() == 1
    );
    (ini, workload)
}

/// The rendered ini with the documented lines rewritten for pod `ordinal`: the shared ones
/// (its loopback address) and the peering ones (each peer's host, the `%include` path).
fn rewrite_ini(ini: &str, ordinal: usize, port: u16, dir: &Path) -> String {
    let local = pgbouncer::Local {
        listen_addr: HOSTS[ordinal],
        port,
        auth_file: &dir.join("userlist.txt"),
        socket_dir: Some(dir),
    };
    let out = pgbouncer::rewrite_ini(ini, &local, |line| {
        if let Some(path) = line.strip_prefix("%include ") {
            assert_eq!(path, "/etc/pgbouncer-peer/peer.ini");
            return Some(format!("%include {}", dir.join("peer.ini").display()));
        }
        // `N = host=<fullname>-<N-1>.<fullname>-peers.<namespace>.svc port=5432`
        let (id, rest) = line.split_once(" = ")?;
        let peer: usize = id.parse().ok()?;
        let host = format!("{FULLNAME}-{}.{FULLNAME}-peers.pharia-ai.svc", peer - 1);
        assert_eq!(rest, format!("host={host} port=5432"));
        Some(format!("{id} = host={} port={port}", HOSTS[peer - 1]))
    });
    // Exactly the documented lines differ, and one is added.
    let before: Vec<&str> = ini.lines().collect();
    let after: Vec<&str> = out.lines().collect();
    assert_eq!(before.len() + 1, after.len());
    for line in after.iter().filter(|l| !before.contains(l)) {
        let key = line.split([' ', '=']).next().unwrap();
        assert!(
            [
                "unix_socket_dir",
                "listen_addr",
                "listen_port",
                "auth_file",
                "%include",
                "1",
                "2",
                "3"
            ]
            .contains(&key),
            "{line}"
        );
    }
    out
}

/// The rendered peer-config init container's arguments, run for pod `<fullname>-<ordinal>`
/// with the output in `dir`: the real subcommand writes the pod's peer_id.
fn peer_config(workload: &Value, ordinal: usize, dir: &Path) -> String {
    let init = crate::util::named_container(
        &workload["spec"]["template"]["spec"],
        "initContainers",
        "peer-config",
    );
    let env = &init["env"][0];
    assert_eq!(env["name"], "POD_NAME");
    assert_eq!(env["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name");
    let output = dir.join("peer.ini");
    let args: Vec<String> = init["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| match a.as_str().unwrap() {
            "$(POD_NAME)" => format!("{FULLNAME}-{ordinal}"),
            "/etc/pgbouncer-peer/peer.ini" => output.display().to_string(),
            other => other.to_string(),
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(output).unwrap()
}

/// The user the rendered PgBouncer container runs as.
fn run_as(workload: &Value) -> (i64, i64) {
    let spec = &workload["spec"]["template"]["spec"];
    let id = |key: &str| {
        spec["containers"][0]["securityContext"][key]
            .as_i64()
            .or_else(|| spec["securityContext"][key].as_i64())
            .unwrap()
    };
    (id("runAsUser"), id("runAsGroup"))
}

/// A port free on all three loopback addresses.
fn shared_port() -> u16 {
    loop {
        let port = free_port();
        if HOSTS
            .iter()
            .all(|h| std::net::TcpListener::bind((*h, port)).is_ok())
        {
            return port;
        }
    }
}

/// The three "pods" of the rendered instance (PgBouncer `tag`, or the chart's).
fn start_three(peering: bool, tag: Option<&str>) -> Vec<Bouncer> {
    let (ini, workload) = rendered(peering, tag);
    assert_eq!(ini.contains("[peers]"), peering);
    let version = pgbouncer::image_version(&workload);
    if let Some(tag) = tag {
        assert_eq!(version, tag);
    }
    let port = shared_port();
    let userlist = format!("\"{ROLE}\" \"{PASSWORD}\"\n");
    (0..3)
        .map(|ordinal| {
            let name = format!("peering-{peering}-{version}-{ordinal}");
            let dir = std::env::temp_dir().join(format!("qspgb-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            if peering {
                assert_eq!(
                    peer_config(&workload, ordinal, &dir),
                    format!("peer_id = {}\n", ordinal + 1)
                );
            }
            let ini = rewrite_ini(&ini, ordinal, port, &dir);
            Bouncer::start_at(
                &name,
                &pgbouncer::binary(&version),
                dir,
                (HOSTS[ordinal], port),
                (&ini, userlist.as_bytes()),
                run_as(&workload),
            )
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A client of PgBouncer `host`, running a `pg_sleep(30)`, and its cancel key.
struct Sleeper {
    query: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
    cancel: tokio_postgres::CancelToken,
}

async fn sleep_through(host: &str, port: u16, sql: &str) -> Sleeper {
    let config =
        format!("host={host} port={port} user={ROLE} password={PASSWORD} dbname={DATABASE}");
    let (client, connection) = tokio_postgres::connect(&config, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {host}:{port}: {e}"));
    tokio::spawn(connection);
    let cancel = client.cancel_token();
    let owned = sql.to_string();
    let query = tokio::spawn(async move { client.simple_query(&owned).await.map(drop) });
    // Wait until the query runs in PostgreSQL (through PgBouncer's server connection).
    let deadline = Instant::now() + Duration::from_secs(10);
    while sleeping(sql) == 0 {
        assert!(Instant::now() < deadline, "{sql} did not start via {host}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Sleeper { query, cancel }
}

/// Sends the client's CancelRequest to PgBouncer `host`, as a load balancer would.
async fn cancel_through(sleeper: &Sleeper, host: &str, port: u16) {
    let stream = tokio::net::TcpStream::connect((host, port)).await.unwrap();
    sleeper
        .cancel
        .cancel_query_raw(stream, tokio_postgres::NoTls)
        .await
        .unwrap();
}

/// How the query ended, and when (after the cancel was sent); `None` if it still runs
/// after `within`.
async fn outcome(
    sleeper: &mut Sleeper,
    within: Duration,
) -> Option<(Duration, Result<(), tokio_postgres::Error>)> {
    let sent = Instant::now();
    match tokio::time::timeout(within, &mut sleeper.query).await {
        Ok(joined) => Some((sent.elapsed(), joined.unwrap())),
        Err(_) => None,
    }
}

fn assert_canceled(result: Result<(), tokio_postgres::Error>, what: &str) {
    let err = result.expect_err(what);
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED),
        "{what}: {err}"
    );
}

fn logs(bouncers: &[Bouncer]) -> String {
    bouncers
        .iter()
        .map(|b| format!("--- {}:\n{}", b.name, b.log()))
        .collect()
}

/// Every ordered pair of the three peers, in the PgBouncer the product values deploy and
/// in every other version the chart ships (upstream-compat's 1.24.1): `%include` in
/// [pgbouncer] and [peers] work in each.
#[test]
fn a_cancel_through_any_peer_reaches_the_query() {
    create_role_and_database();
    let (_, workload) = rendered(true, None);
    let deployed = pgbouncer::image_version(&workload);
    let versions = pgbouncer::shipped_versions();
    assert!(versions.contains(&deployed), "{deployed} in {versions:?}");
    for version in &versions {
        cancels_reach_the_query(version);
    }
}

fn cancels_reach_the_query(version: &str) {
    let bouncers = start_three(true, Some(version));
    let port = bouncers[0].port;
    let rt = runtime();
    let mut times = Vec::new();
    for (i, owner) in HOSTS.iter().enumerate() {
        for (j, other) in HOSTS.iter().enumerate().filter(|&(j, _)| j != i) {
            let what = format!("PgBouncer {version}: query via {owner}, cancel via {other}");
            rt.block_on(async {
                let sql = sleep_sql(&format!("{version} {i}{j}"));
                let mut sleeper = sleep_through(owner, port, &sql).await;
                cancel_through(&sleeper, other, port).await;
                let Some((took, result)) = outcome(&mut sleeper, CANCEL_WITHIN).await else {
                    panic!(
                        "{what}: still running after {CANCEL_WITHIN:?}\n{}",
                        logs(&bouncers)
                    );
                };
                assert_canceled(result, &what);
                assert!(took <= CANCEL_WITHIN, "{what}: took {took:?}");
                let deadline = Instant::now() + Duration::from_secs(2);
                while sleeping(&sql) != 0 {
                    assert!(
                        Instant::now() < deadline,
                        "{what}: still runs in PostgreSQL"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                times.push((what, took));
            });
        }
    }
    assert_eq!(times.len(), 6);
    eprintln!("cancel times: {times:?}");
}

#[test]
fn without_peering_a_cancel_through_another_pgbouncer_is_lost() {
    create_role_and_database();
    let bouncers = start_three(false, None);
    let port = bouncers[0].port;
    let rt = runtime();
    rt.block_on(async {
        let sql = sleep_sql("lost");
        let mut sleeper = sleep_through(HOSTS[0], port, &sql).await;
        cancel_through(&sleeper, HOSTS[1], port).await;
        assert!(
            outcome(&mut sleeper, CANCEL_WITHIN).await.is_none(),
            "without peering the cancel via another PgBouncer ended the query\n{}",
            logs(&bouncers)
        );
        assert_eq!(sleeping(&sql), 1, "the query still runs in PostgreSQL");
        // Clean up through the PgBouncer that owns the query (which also shows the cancel
        // key was valid all along).
        cancel_through(&sleeper, HOSTS[0], port).await;
        let (took, result) = outcome(&mut sleeper, CANCEL_WITHIN)
            .await
            .expect("the cancel via the owner ends the query");
        assert_canceled(result, "cancel via the owner");
        assert!(took <= CANCEL_WITHIN);
    });
}

//! Rollouts that drop nothing, measured (docs/drain.md): two real PgBouncers (the version
//! the rendered image tag names) share one port with `so_reuseport` (the kernel plays the
//! Service: a new connection goes to any PgBouncer still listening) in front of the loopback
//! PostgreSQL (`scripts/postgres.sh start`, QSPGB_PG_*). A bounded load runs through them
//! while each PgBouncer is replaced in turn as a Deployment with maxSurge 1 and
//! maxUnavailable 0 does it: the replacement starts first, then the old one is stopped as
//! the kubelet stops a container: the rendered preStop script itself runs in the
//! PgBouncer's PID and mount namespaces as the rendered runAsUser; SIGTERM when it returns
//! or at the grace period; SIGKILL at the grace period (at least 2 s after that SIGTERM).
//!
//! Each PgBouncer is PID 1 of its own PID namespace (`unshare --pid --fork --mount-proc`),
//! so the script's `kill -TERM 1` reaches it, and has its own /tmp (a bind mount of a
//! private directory: the pod's emptyDir), where its Unix socket is. Rewritten in the
//! rendered pgbouncer.ini, and nothing else: `listen_addr` (loopback), `listen_port` (one
//! free port for both) and `auth_file` (a local userlist with the test role); the
//! socket's name follows listen_port, so /tmp also holds a `.s.PGSQL.5432` symlink to it,
//! the name the script's admin console call uses. `so_reuseport = 1` and the databases come
//! from chart values.
//!
//! The clients model a client-side pool (pgx, HikariCP): a maximum connection lifetime,
//! checked between transactions (a connection past it is closed by the client and a new one
//! opened), and a reconnect when a connection fails. A few "sticky" clients have no
//! lifetime: they show what the fallback does to clients that never leave by themselves.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::util::pgbouncer::{self, free_port};

const ROLE: &str = "drain_user";
const DATABASE: &str = "drain";
const PASSWORD: &str = "drain-pw-1";
/// Clients with a maximum connection lifetime, and clients without.
const POOLED: usize = 20;
const STICKY: usize = 4;
const LOAD: Duration = Duration::from_secs(30);
/// The pooled clients' maximum connection lifetime (plus up to 1 s of jitter per client),
/// below the rendered clientSeconds.transaction.
const LIFETIME: Duration = Duration::from_secs(3);
/// The chart values of the rendered timings: short, to keep the test bounded.
const TIMINGS: &str = "pgbouncerPharia.gracefulShutdown.drainSeconds=2,\
    pgbouncerPharia.gracefulShutdown.clientSeconds.transaction=6,\
    pgbouncerPharia.gracefulShutdown.transactionSeconds=2";
/// The preStop script of gracefulShutdown before this change (0.8.0): drain, SIGINT
/// (SHUTDOWN WAIT_FOR_SERVERS), wait. The control run's "before", with the same drain.
const SIGINT_SCRIPT: &str = "sleep 2; kill -INT 1; while kill -0 1 2>/dev/null; do sleep 1; done";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn superuser(sql: &str) -> String {
    let (socket, port) = pgbouncer::postgres_from_env();
    pgbouncer::superuser_sql(&socket, &port, "postgres", sql)
}

/// What the rendering gives the test: the ini, the preStop script, the grace period, the
/// user, the version, and the rollout.
struct Rendered {
    ini: String,
    prestop: String,
    grace: u64,
    user: (i64, i64),
    version: String,
    strategy: serde_yaml::Value,
    min_ready: u64,
}

fn rendered(pg_port: &str) -> Rendered {
    // Only transaction mode: the product's pharia-os database (session mode) is deleted.
    let databases = format!(
        r#"pgbouncerPharia.config.databases={{"*":{{"host":"127.0.0.1","port":{pg_port}}},"pharia-os":null}}"#
    );
    let docs = crate::util::render_as(&[
        "qs-pgbouncer",
        "--show-only",
        "charts/pgbouncerPharia/templates/deployment.yaml",
        "--show-only",
        "charts/pgbouncerPharia/templates/configmap.yaml",
        "--set-json",
        &databases,
        "--set",
        TIMINGS,
        "--set",
        "pgbouncerPharia.config.pgbouncer.so_reuseport=1",
    ]);
    let find = |kind: &str| {
        docs.iter()
            .map(|(_, d)| d)
            .find(|d| d["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
            .clone()
    };
    let deployment = find("Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let command = &container["lifecycle"]["preStop"]["exec"]["command"];
    assert_eq!(command[0], "/bin/sh");
    assert_eq!(command[1], "-c");
    let id = |key: &str| {
        container["securityContext"][key]
            .as_i64()
            .or_else(|| pod["securityContext"][key].as_i64())
            .unwrap()
    };
    Rendered {
        ini: find("ConfigMap")["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .to_string(),
        prestop: command[2].as_str().unwrap().to_string(),
        grace: pod["terminationGracePeriodSeconds"].as_u64().unwrap(),
        user: (id("runAsUser"), id("runAsGroup")),
        version: pgbouncer::image_version(&deployment),
        strategy: deployment["spec"]["strategy"].clone(),
        min_ready: deployment["spec"]["minReadySeconds"].as_u64().unwrap(),
    }
}

/// The rendered ini with the three documented lines rewritten (the socket stays in the
/// pod's `/tmp`, which the test maps into each pod's directory).
fn rewrite_ini(ini: &str, port: u16, userlist: &Path) -> String {
    let local = pgbouncer::Local {
        listen_addr: "127.0.0.1",
        port,
        auth_file: userlist,
        socket_dir: None,
    };
    let out = pgbouncer::rewrite_ini(ini, &local, |_| None);
    let changed = ini.lines().zip(out.lines()).filter(|(a, b)| a != b).count();
    assert_eq!(changed, 3, "{out}");
    out
}

/// One PgBouncer "pod": PID 1 of its own PID namespace, as the rendered user.
struct Pod {
    name: String,
    dir: PathBuf,
    unshare: Child,
    /// PgBouncer's PID outside its namespace.
    pid: i32,
    user: (i64, i64),
}

impl Drop for Pod {
    fn drop(&mut self) {
        signal(self.pid, "KILL");
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends `name` (TERM, KILL) to a PID this test started.
fn signal(pid: i32, name: &str) {
    if pid > 0 {
        let _ = Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

impl Pod {
    fn start(name: &str, r: &Rendered, port: u16) -> Pod {
        let dir =
            PathBuf::from("/var/tmp").join(format!("qspgb-drain-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let userlist = dir.join("userlist.txt");
        std::fs::write(&userlist, format!("\"{ROLE}\" \"{PASSWORD}\"\n")).unwrap();
        std::fs::write(
            dir.join("pgbouncer.ini"),
            rewrite_ini(&r.ini, port, &userlist),
        )
        .unwrap();
        // The script's admin console call names the socket of port 5432.
        std::os::unix::fs::symlink(format!(".s.PGSQL.{port}"), tmp.join(".s.PGSQL.5432")).unwrap();
        let ok = Command::new("chown")
            .args(["-R", &format!("{}:{}", r.user.0, r.user.1)])
            .arg(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let log = std::fs::File::create(dir.join("pgbouncer.log")).unwrap();
        let inner = format!(
            "mount --bind {tmp} /tmp && exec setpriv --reuid={u} --regid={g} --clear-groups -- {bin} {ini}",
            tmp = tmp.display(),
            u = r.user.0,
            g = r.user.1,
            bin = pgbouncer::binary(&r.version).display(),
            ini = dir.join("pgbouncer.ini").display(),
        );
        let unshare = Command::new("unshare")
            .args(["--pid", "--fork", "--mount-proc", "sh", "-c", &inner])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("unshare");
        let mut pod = Pod {
            name: name.to_string(),
            dir,
            pid: 0,
            unshare,
            user: r.user,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        // Ready: PgBouncer (the forked child) answers on its socket.
        loop {
            assert!(
                Instant::now() < deadline,
                "{name}: not ready: {}",
                pod.log()
            );
            if pod.pid == 0 {
                let out = Command::new("pgrep")
                    .args(["-P", &pod.unshare.id().to_string()])
                    .output()
                    .unwrap();
                pod.pid = text(&out.stdout).trim().parse().unwrap_or(0);
            }
            if pod.pid != 0 && pod.admin("SHOW VERSION").contains(&r.version) {
                return pod;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }

    /// The admin console over this PgBouncer's Unix socket, as its own user (no password).
    fn admin(&self, sql: &str) -> String {
        let out = Command::new("setpriv")
            .arg(format!("--reuid={}", self.user.0))
            .arg(format!("--regid={}", self.user.1))
            .args(["--clear-groups", "--", "psql", "-X", "-A", "-t", "-F", "|"])
            .arg(format!(
                "host={} port=5432 user=pgbouncer dbname=pgbouncer connect_timeout=2",
                self.dir.join("tmp").display()
            ))
            .args(["-c", sql])
            .output()
            .unwrap();
        text(&out.stdout)
    }

    /// Clients connected to the drain database, from SHOW POOLS.
    fn clients(&self) -> i64 {
        self.admin("SHOW POOLS")
            .lines()
            .filter(|l| l.split('|').next() == Some(DATABASE))
            .map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                // database|user|cl_active|cl_waiting|...
                f[2].parse::<i64>().unwrap_or(0) + f[3].parse::<i64>().unwrap_or(0)
            })
            .sum()
    }

    fn alive(&self) -> bool {
        // Gone, or a zombie its parent (unshare) has not reaped yet.
        std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .is_ok_and(|stat| !stat.contains(") Z "))
    }

    /// Stops the pod as the kubelet does: the preStop `script` in the container (PID and
    /// mount namespace, the container's user); SIGTERM when it returns or at `grace`;
    /// SIGKILL at `grace` (at least 2 s after that SIGTERM). Returns how PgBouncer ended
    /// ("itself", "SIGTERM", "SIGKILL") and the clients it had when the stop began.
    fn stop(&mut self, script: &str, grace: Duration) -> (&'static str, i64, Duration) {
        let before = self.log().len();
        let clients = self.clients();
        let start = Instant::now();
        let mut hook = Command::new("nsenter")
            .args(["--target", &self.pid.to_string(), "--pid", "--mount", "--"])
            .arg("setpriv")
            .arg(format!("--reuid={}", self.user.0))
            .arg(format!("--regid={}", self.user.1))
            .args(["--clear-groups", "--", "/bin/sh", "-c", script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while start.elapsed() < grace && hook.try_wait().unwrap().is_none() && self.alive() {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut how = "";
        if self.alive() {
            how = "SIGTERM";
            signal(self.pid, "TERM");
            let kill_at = grace.max(start.elapsed() + Duration::from_secs(2));
            while self.alive() && start.elapsed() < kill_at {
                std::thread::sleep(Duration::from_millis(20));
            }
            if self.alive() {
                how = "SIGKILL";
                signal(self.pid, "KILL");
            }
        }
        let took = start.elapsed();
        let _ = hook.kill();
        let _ = hook.wait();
        let _ = self.unshare.wait();
        // PgBouncer's own last word says how it ended, unless it had to be killed.
        let log = self.log()[before..].to_string();
        let ended = if how == "SIGKILL" {
            how
        } else if log.contains("fast exit") {
            "fast exit on the kubelet's SIGTERM"
        } else if log.contains("server connections dropped, exiting") {
            "itself, no server connection left (WAIT_FOR_SERVERS)"
        } else if log.contains("client connections dropped, exiting") {
            "itself, no client left (WAIT_FOR_CLIENTS)"
        } else {
            panic!("{}: ended without saying how: {log}", self.name)
        };
        (ended, clients, took)
    }
}

/// Counts of one kind of client.
#[derive(Default)]
struct Counts {
    committed: AtomicU64,
    failed: AtomicU64,
    connect_errors: AtomicU64,
    reconnects: AtomicU64,
}

/// One client: transactions (BEGIN; INSERT; COMMIT) until `until`, reconnecting when its
/// connection fails, and (with a lifetime) closing its connection between transactions
/// once it is older than that.
async fn client(
    port: u16,
    id: usize,
    lifetime: Option<Duration>,
    until: Instant,
    counts: Arc<Counts>,
) {
    let mut config = tokio_postgres::Config::new();
    config
        .host("127.0.0.1")
        .port(port)
        .user(ROLE)
        .password(PASSWORD)
        .dbname(DATABASE)
        .connect_timeout(Duration::from_secs(2));
    let mut conn: Option<(tokio_postgres::Client, Instant)> = None;
    while Instant::now() < until {
        if let Some((_, born)) = &conn
            && lifetime.is_some_and(|l| born.elapsed() >= l)
        {
            // Closed by the client, between transactions: nothing is in flight.
            conn = None;
            counts.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        let Some((c, _)) = conn.as_mut() else {
            match config.connect(tokio_postgres::NoTls).await {
                Ok((c, connection)) => {
                    tokio::spawn(connection);
                    conn = Some((c, Instant::now()));
                }
                Err(_) => {
                    counts.connect_errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            continue;
        };
        let result = async {
            let t = c.transaction().await?;
            t.execute("INSERT INTO t (client) VALUES ($1)", &[&(id as i32)])
                .await?;
            t.commit().await
        }
        .await;
        match result {
            Ok(()) => counts.committed.fetch_add(1, Ordering::Relaxed),
            Err(_) => {
                conn = None;
                counts.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The load: POOLED clients with LIFETIME (+ jitter) and STICKY clients without, for LOAD.
fn load(port: u16) -> (std::thread::JoinHandle<()>, Arc<Counts>, Arc<Counts>) {
    let pooled = Arc::new(Counts::default());
    let sticky = Arc::new(Counts::default());
    let (p, s) = (pooled.clone(), sticky.clone());
    let until = Instant::now() + LOAD;
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut tasks = Vec::new();
            for id in 0..POOLED + STICKY {
                let (lifetime, counts) = if id < POOLED {
                    (
                        Some(LIFETIME + Duration::from_millis(50 * id as u64)),
                        p.clone(),
                    )
                } else {
                    (None, s.clone())
                };
                tasks.push(tokio::spawn(client(port, id, lifetime, until, counts)));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
    });
    (handle, pooled, sticky)
}

/// One run: A and B serve the load; each is replaced in turn (surge first, minReadySeconds,
/// then the stop with `script`). Returns the report line and the counts.
fn run(label: &str, r: &Rendered, script: &str) -> (String, Arc<Counts>, Arc<Counts>) {
    let port = free_port();
    let mut old = [
        Pod::start(&format!("{label}-a"), r, port),
        Pod::start(&format!("{label}-b"), r, port),
    ];
    let mut new = Vec::new();
    let (load, pooled, sticky) = load(port);
    let mut report = format!("{label}:");
    std::thread::sleep(Duration::from_secs(3));
    for (i, pod) in old.iter_mut().enumerate() {
        new.push(Pod::start(&format!("{label}-new{i}"), r, port));
        std::thread::sleep(Duration::from_secs(r.min_ready));
        let (how, clients, took) = pod.stop(script, Duration::from_secs(r.grace));
        assert!(clients > 0, "{}: no clients when the stop began", pod.name);
        report += &format!(
            " {} had {clients} clients, ended by {how} after {:.1} s;",
            pod.name,
            took.as_secs_f64()
        );
    }
    // While the load still runs: the clients are on the replacements now.
    let serving: Vec<i64> = new.iter().map(Pod::clients).collect();
    load.join().unwrap();
    report += &format!(" replacements ended with {serving:?} clients;");
    for (kind, c) in [("pooled", &pooled), ("sticky", &sticky)] {
        report += &format!(
            " {kind}: {} committed, {} failed, {} connect errors, {} lifetime reconnects;",
            c.committed.load(Ordering::Relaxed),
            c.failed.load(Ordering::Relaxed),
            c.connect_errors.load(Ordering::Relaxed),
            c.reconnects.load(Ordering::Relaxed),
        );
    }
    eprintln!("{report}");
    assert!(serving.iter().all(|n| *n > 0), "{report}");
    (report, pooled, sticky)
}

#[test]
fn a_rollout_fails_no_transaction_of_clients_with_a_connection_lifetime() {
    let pg_port = std::env::var("QSPGB_PG_PORT").expect("QSPGB_PG_PORT: start scripts/postgres.sh");
    superuser(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"));
    superuser(&format!("DROP ROLE IF EXISTS {ROLE}"));
    superuser(&format!(
        "SET password_encryption = 'scram-sha-256'; CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"
    ));
    superuser(&format!("CREATE DATABASE {DATABASE} OWNER {ROLE}"));
    let out = Command::new("psql")
        .args(["-X", "-v", "ON_ERROR_STOP=1"])
        .arg(format!(
            "host={} port={pg_port} user={ROLE} dbname={DATABASE}",
            std::env::var("QSPGB_PG_SOCKET_DIR").unwrap()
        ))
        .args([
            "-c",
            "CREATE TABLE t (id bigserial PRIMARY KEY, client int NOT NULL)",
        ])
        .env("PGPASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let r = rendered(&pg_port);
    // The rendered rollout: surge first, and the derived timings.
    assert_eq!(
        r.strategy,
        serde_yaml::from_str::<serde_yaml::Value>(
            "{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}"
        )
        .unwrap()
    );
    assert_eq!((r.min_ready, r.grace), (2, 2 + 6 + 2));
    assert!(
        r.prestop.starts_with("sleep 2; kill -TERM 1;"),
        "{}",
        r.prestop
    );

    let (after, pooled, sticky) = run("rendered", &r, &r.prestop);
    let (before, control, _) = run("sigint", &r, SIGINT_SCRIPT);

    // The load ran: thousands of transactions, and clients reconnected by their lifetime.
    assert!(pooled.committed.load(Ordering::Relaxed) > 2000, "{after}");
    assert!(
        pooled.reconnects.load(Ordering::Relaxed) > POOLED as u64,
        "{after}"
    );
    // With the rendered sequence, no pooled client's transaction failed.
    assert_eq!(pooled.failed.load(Ordering::Relaxed), 0, "{after}");
    // The sticky clients never leave: the fallback turns each away at most once per stop.
    assert!(
        sticky.failed.load(Ordering::Relaxed) <= 2 * STICKY as u64,
        "{after}"
    );
    assert!(sticky.committed.load(Ordering::Relaxed) > 0, "{after}");
    // The same clients with the SIGINT sequence: transactions fail.
    assert!(control.committed.load(Ordering::Relaxed) > 2000, "{before}");
    assert!(control.failed.load(Ordering::Relaxed) > 0, "{before}");
}

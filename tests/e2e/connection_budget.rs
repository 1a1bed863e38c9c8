//! The connection budget (docs/connection-budget.md) in real PgBouncers against a real
//! PostgreSQL that allows 20 connections (3 of them reserved for superusers, so 17 for
//! PgBouncer): the test starts it itself (`QSPGB_PG_MAX_CONNECTIONS=20 bash
//! scripts/postgres.sh start` in a run directory of its own) and stops it at the end.
//!
//! Three PgBouncers (the version the rendered image tag names, as the rendered runAsUser)
//! run Pharia's rendered pgbouncer.ini, each under its own `pgbench` with more clients than
//! the server allows in total:
//! - without a budget each pod may open 20 server connections, and PostgreSQL refuses the
//!   ones past its limit ("remaining connection slots are reserved for non-replication
//!   superuser connections", PostgreSQL 15's refusal of a non-superuser past
//!   max_connections - superuser_reserved_connections; "too many clients already" would
//!   need the reserved slots taken too): PgBouncer logs failed server logins;
//! - with `connectionBudget: {maxServerConnections: 17, wildcardDatabases: 1,
//!   deriveMaxDbConnections: true}` the chart writes `max_db_connections = 2` (17 / (4 pods
//!   at most: replicaCount 3 + 25% surge) x 2 databases), the clients queue in PgBouncer
//!   and pgbench reports 0 failed transactions, with no failed server login at all.
//!
//! Rewritten in the rendered pgbouncer.ini, and nothing else: `listen_addr` (`127.0.0.1`),
//! `listen_port` (a free port), `auth_file` (a local userlist with the bench role), and one
//! added line `unix_socket_dir` (a private directory). The databases point at the loopback
//! PostgreSQL through chart values (`config.databases.*`), with a forced user `bench`.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::pgbouncer::{self, Bouncer, free_port};

const ROLE: &str = "budget_bench";
const PASSWORD: &str = "budget-bench-pw";

/// A PostgreSQL of this test's own at `max_connections = 20`, started by the project's
/// `scripts/postgres.sh` in a run directory of its own (the suite's shared server allows
/// 200), and stopped with its data when dropped.
struct Pg {
    run_dir: String,
    port: String,
    socket: String,
    bin: String,
}

fn pg() -> Pg {
    let run_dir = std::env::temp_dir()
        .join(format!("qspgb-budget-pg-{}", std::process::id()))
        .display()
        .to_string();
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres.sh"))
        .arg("start")
        .env("QSPGB_PG_RUN_DIR", &run_dir)
        .env("QSPGB_PG_MAX_CONNECTIONS", "20")
        .output()
        .expect("bash scripts/postgres.sh start");
    let exports = String::from_utf8_lossy(&out.stdout).to_string();
    let mut pg = Pg {
        run_dir,
        port: String::new(),
        socket: String::new(),
        bin: String::new(),
    };
    assert!(
        out.status.success(),
        "scripts/postgres.sh start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in exports.lines() {
        let Some((key, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('='))
        else {
            continue;
        };
        let value = value.trim_matches('\'').to_string();
        match key {
            "QSPGB_PG_PORT" => pg.port = value,
            "QSPGB_PG_SOCKET_DIR" => pg.socket = value,
            "QSPGB_PG_BIN" => pg.bin = value,
            _ => {}
        }
    }
    assert!(!pg.port.is_empty() && !pg.bin.is_empty(), "{exports}");
    pg
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres.sh"))
            .arg("stop")
            .env("QSPGB_PG_RUN_DIR", &self.run_dir)
            .output();
    }
}

/// `sql` as the superuser through the Unix socket; the output's single value.
fn superuser(pg: &Pg, database: &str, sql: &str) -> String {
    pgbouncer::superuser_sql(&pg.socket, &pg.port, database, sql)
}

fn pgbench(pg: &Pg, args: &[&str], port: &str) -> Command {
    let mut cmd = Command::new(Path::new(&pg.bin).join("pgbench"));
    cmd.args(["-h", "127.0.0.1", "-p", port, "-U", ROLE])
        .args(args)
        .arg(ROLE)
        .env("PGPASSWORD", PASSWORD)
        .env("PGSSLMODE", "disable");
    cmd
}

/// The rendered Pharia ConfigMap's pgbouncer.ini and its Deployment, with `extra` flags.
fn rendered(pg: &Pg, extra: &[String]) -> (String, serde_yaml::Value) {
    let mut args: Vec<String> = [
        "config.databases.*.host=127.0.0.1".to_string(),
        format!("config.databases.*.port={}", pg.port),
        format!("config.databases.*.user={ROLE}"),
        format!("config.databases.*.password={PASSWORD}"),
        "config.databases.pharia-os.host=127.0.0.1".to_string(),
        format!("config.databases.pharia-os.port={}", pg.port),
        // Clients wait at most 60 s for a server connection (each run is 8 s).
        "config.pgbouncer.query_wait_timeout=60".to_string(),
    ]
    .iter()
    .chain(extra)
    .flat_map(|kv| ["--set".to_string(), format!("pgbouncerPharia.{kv}")])
    .collect();
    args.insert(0, "render".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::util::qspgb(&args);
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let docs = crate::util::documents(&crate::util::stdout(&out));
    let ini =
        crate::util::one(&docs, "ConfigMap", "pgbouncer-pharia-configmap")["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .to_string();
    let workload = crate::util::one(&docs, "Deployment", "pgbouncer-pharia").clone();
    (ini, workload)
}

/// The pod's user: the container's securityContext wins over the pod's.
fn run_as(workload: &serde_yaml::Value) -> (i64, i64) {
    let spec = &workload["spec"]["template"]["spec"];
    let container = crate::util::named_container(spec, "containers", "pgbouncer");
    let pick = |key: &str| {
        container["securityContext"][key]
            .as_i64()
            .or_else(|| spec["securityContext"][key].as_i64())
            .expect("a runAsUser/runAsGroup")
    };
    (pick("runAsUser"), pick("runAsGroup"))
}

/// Three PgBouncers on the rendered ini, each under pgbench with 8 clients for 8 s; the
/// pgbench outputs and the PgBouncer logs.
fn run(pg: &Pg, label: &str, ini: &str, workload: &serde_yaml::Value) -> (Vec<Output>, String) {
    let binary = pgbouncer::binary(&pgbouncer::image_version(workload));
    let userlist = format!("\"{ROLE}\" \"{PASSWORD}\"\n");
    let bouncers: Vec<Bouncer> = (0..3)
        .map(|i| {
            let port = free_port();
            let dir = std::env::temp_dir()
                .join(format!("qspgb-budget-{label}-{i}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let auth_file = dir.join("userlist.txt");
            let local = pgbouncer::Local::in_dir(port, &dir, &auth_file);
            let text = pgbouncer::rewrite_ini(ini, &local, |_| None);
            Bouncer::start_in(
                &format!("{label}-{i}"),
                &binary,
                dir,
                port,
                (&text, userlist.as_bytes()),
                run_as(workload),
            )
        })
        .collect();
    let children: Vec<_> = bouncers
        .iter()
        .map(|b| {
            pgbench(
                pg,
                &["-n", "-S", "-c", "8", "-j", "2", "-T", "8"],
                &b.port.to_string(),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run pgbench")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let logs = bouncers
        .iter()
        .map(Bouncer::log)
        .collect::<Vec<_>>()
        .join("\n");
    (outputs, logs)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_derived_cap_keeps_pgbouncers_within_max_connections() {
    let pg = pg();
    assert_eq!(superuser(&pg, "postgres", "SHOW max_connections"), "20");
    assert_eq!(
        superuser(&pg, "postgres", "SHOW superuser_reserved_connections"),
        "3"
    );
    superuser(&pg, "postgres", &format!("DROP DATABASE IF EXISTS {ROLE}"));
    superuser(&pg, "postgres", &format!("DROP ROLE IF EXISTS {ROLE}"));
    superuser(
        &pg,
        "postgres",
        &format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"),
    );
    superuser(
        &pg,
        "postgres",
        &format!("CREATE DATABASE {ROLE} OWNER {ROLE}"),
    );
    let init = pgbench(&pg, &["-i", "-s", "1", "-q"], &pg.port)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", text(&init));

    // Without a budget: 3 x 8 clients want 24 server connections, PostgreSQL has 17.
    let (ini, workload) = rendered(&pg, &[]);
    assert!(!ini.contains("max_db_connections"), "{ini}");
    let (outputs, logs) = run(&pg, "off", &ini, &workload);
    let all: String = outputs.iter().map(text).collect::<Vec<_>>().join("\n") + &logs;
    // PostgreSQL refuses the 18th non-superuser connection with this message ("too many
    // clients already" comes only once the 3 superuser slots are taken too, which a
    // non-superuser cannot do); PgBouncer logs it as a failed server login and retries.
    const REFUSED: &str = "server login failed: FATAL remaining connection slots are reserved for non-replication superuser connections";
    assert!(all.contains(REFUSED), "{all}");

    // With the budget: max_db_connections = floor(17 / (4 pods x 2 databases)) = 2.
    let (ini, workload) = rendered(
        &pg,
        &[
            "connectionBudget.maxServerConnections=17".into(),
            "connectionBudget.wildcardDatabases=1".into(),
            "connectionBudget.deriveMaxDbConnections=true".into(),
        ],
    );
    assert_eq!(
        ini.lines()
            .filter(|l| l.starts_with("max_db_connections"))
            .collect::<Vec<_>>(),
        ["max_db_connections = 2"],
        "{ini}"
    );
    let (outputs, logs) = run(&pg, "on", &ini, &workload);
    for out in &outputs {
        let t = text(out);
        assert!(out.status.success(), "{t}\n{logs}");
        assert!(t.contains("number of failed transactions: 0 "), "{t}");
        let processed = t
            .lines()
            .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
            .and_then(|n| n.split('/').next()?.trim().parse::<u64>().ok())
            .unwrap_or(0);
        assert!(processed > 0, "{t}");
    }
    assert!(!logs.contains("server login failed"), "{logs}");
    superuser(&pg, "postgres", &format!("DROP DATABASE {ROLE}"));
    superuser(&pg, "postgres", &format!("DROP ROLE {ROLE}"));
}

/// CloudNativePG's Cluster CRD, as much of it as the API server needs to store a Cluster
/// (the real CRD's schema is CloudNativePG's; `lint --consult-cluster` reads only
/// `spec.postgresql.parameters`).
const CLUSTER_CRD: &str = r#"{
  "apiVersion": "apiextensions.k8s.io/v1",
  "kind": "CustomResourceDefinition",
  "metadata": {"name": "clusters.postgresql.cnpg.io"},
  "spec": {
    "group": "postgresql.cnpg.io",
    "scope": "Namespaced",
    "names": {"plural": "clusters", "singular": "cluster", "kind": "Cluster", "listKind": "ClusterList"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
  }
}"#;

/// `lint --consult-cluster` against the real API server: the budget is what the named
/// CloudNativePG Cluster's PostgreSQL allows (max_connections - superuser_reserved
/// connections), refused when the worst case exceeds it, and fitting once derived.
#[test]
fn lint_consults_the_cloudnativepg_cluster_for_the_budget() {
    use crate::util::apiserver::server;
    let server = server();
    let _ = server.kubectl_with(&server.kubeconfig, &["apply", "-f", "-"], Some(CLUSTER_CRD));
    // The CRD is served once it is Established.
    server.kubectl(
        &[
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/clusters.postgresql.cnpg.io",
        ],
        None,
    );
    let ns = server.namespace("cnpg-budget");
    let cluster = r#"{"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
      "metadata": {"name": "cluster-pharia"},
      "spec": {"instances": 3, "postgresql": {"parameters": {"max_connections": "20"}}}}"#;
    server.kubectl(&["-n", &ns, "apply", "-f", "-"], Some(cluster));

    let lint = |extra: &[&str]| {
        let mut args = vec![
            "lint",
            "-n",
            ns.as_str(),
            "--consult-cluster",
            "--set",
            "pgbouncerTemporal.enabled=false,pgbouncerPharia.connectionBudget.cnpgCluster=cluster-pharia,\
             pgbouncerPharia.connectionBudget.wildcardDatabases=1",
        ];
        args.extend_from_slice(extra);
        let out = server.qspgb(None, &args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let from = format!(
        "pgbouncerPharia.connectionBudget.maxServerConnections = 17 from postgresql.cnpg.io/v1 \
         Cluster {ns}/cluster-pharia (max_connections 20 - superuser_reserved_connections 3)"
    );
    // Each pod may hold 2 databases x 20: far over what the Cluster allows.
    let (code, err) = lint(&[
        "--set",
        "pgbouncerPharia.config.pgbouncer.max_db_connections=20",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&from), "{err}");
    assert!(err.contains("more than maxServerConnections 17"), "{err}");
    // Derived from the Cluster's budget: 17 / (4 pods x 2 databases) = 2 per database.
    let (code, err) = lint(&[
        "--set",
        "pgbouncerPharia.connectionBudget.deriveMaxDbConnections=true",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(&from), "{err}");
    // A budget in the values wins: the Cluster is not read.
    let (code, err) = lint(&[
        "--set",
        "pgbouncerPharia.connectionBudget.maxServerConnections=1000,pgbouncerPharia.config.pgbouncer.max_db_connections=20",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("from postgresql.cnpg.io"), "{err}");
    // A Cluster that does not exist is an error naming the key.
    let (code, err) = lint(&["--set", "pgbouncerPharia.connectionBudget.cnpgCluster=nope"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("pgbouncerPharia.connectionBudget.cnpgCluster: postgresql.cnpg.io/v1 Cluster")
            && err.contains("/nope not found"),
        "{err}"
    );
    server.kubectl(&["delete", "namespace", &ns, "--wait=false"], None);
}

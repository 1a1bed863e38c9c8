//! Credential rotation without restarting PgBouncer: the `userlist-reload` sidecar
//! (`qspgb watch-userlist`, as the product values render it) against a real PgBouncer (the
//! rendered version) and PostgreSQL, with the Secrets written by `qspgb hooks` through the
//! real kube-apiserver.
//!
//! The mounted Secret is played as the kubelet writes it: `userlist.txt` is a symlink to
//! `..data/userlist.txt`, and an update writes a new timestamped directory and swaps the
//! `..data` symlink with one rename. The sidecar runs with exactly its rendered arguments,
//! except the two paths and the port that the pod fixes (`/etc/userlist`, `/tmp`, 5432),
//! and as its rendered user, which must be PgBouncer's.
//!
//! What is proven, in order:
//! 1. Control: without the sidecar, a new userlist in place is not taken (PgBouncer reads
//!    it at start and on RELOAD only): the new password is refused, however long one waits
//!    (checked after 2 intervals and a second).
//! 2. With the sidecar: a session opened before a rotation keeps working; the new password
//!    logs in within the stated bound (interval + 1 s) of the swap; the old one is refused;
//!    `qspgb hooks` restarted nothing (the Deployment's generation and pod template stay).
//! 3. A malformed userlist swapped in is refused by the sidecar and PgBouncer keeps serving
//!    the users it had.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::pgbouncer_e2e::{
    Env, IdleClient, RELEASE, env, find, rendered_documents, run_as, start, text,
};
use crate::util::pgbouncer::{self, Bouncer};

const ROLE: &str = "rotation_app";
const DATABASE: &str = "rotation-db";

/// The kubelet's update of a mounted Secret: a new data directory, then one rename of the
/// `..data` symlink; `userlist.txt` itself is a symlink through `..data`.
fn kubelet_swap(dir: &Path, version: &str, userlist: &str) {
    let data = dir.join(format!("..{version}"));
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("userlist.txt"), userlist).unwrap();
    let tmp = dir.join("..data_tmp");
    std::os::unix::fs::symlink(format!("..{version}"), &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
    if std::fs::symlink_metadata(dir.join("userlist.txt"))
        .unwrap()
        .file_type()
        .is_file()
    {
        let link = dir.join("userlist.txt.tmp");
        std::os::unix::fs::symlink("..data/userlist.txt", &link).unwrap();
        std::fs::rename(&link, dir.join("userlist.txt")).unwrap();
    }
}

/// Whether `password` logs in as the rotation role through `bouncer`.
fn logs_in(bouncer: &Bouncer, password: &str) -> bool {
    bouncer
        .psql(ROLE, password, DATABASE, "SELECT 1")
        .status
        .success()
}

/// The rendered `userlist-reload` container: its args and its user.
fn sidecar(workload: &serde_yaml::Value) -> (Vec<String>, (i64, i64)) {
    let container = crate::util::named_container(
        &workload["spec"]["template"]["spec"],
        "containers",
        "userlist-reload",
    );
    let args = container["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    (args, run_as(workload, "userlist-reload"))
}

struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Watcher {
    /// Stops it with SIGTERM (as the kubelet does) and returns what it logged.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.0.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "watch-userlist ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut log = String::new();
        use std::io::Read;
        self.0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        log
    }
}

fn deployment_state(env: &Env, ns: &str, name: &str) -> (String, String) {
    let out = env.kubectl(
        &[
            "-n",
            ns,
            "get",
            "deployment",
            name,
            "-o",
            "jsonpath={.metadata.generation} {.spec.template.metadata.annotations}",
        ],
        "",
    );
    let (generation, template) = out.split_once(' ').unwrap();
    (generation.to_string(), template.to_string())
}

#[test]
fn a_rotated_password_reaches_pgbouncer_without_a_restart() {
    let env = env();
    env.superuser(
        "postgres",
        &format!("DROP DATABASE IF EXISTS \"{DATABASE}\" WITH (FORCE)"),
    );
    env.superuser("postgres", &format!("DROP ROLE IF EXISTS {ROLE}"));
    env.superuser(
        "postgres",
        &format!("SET password_encryption = 'scram-sha-256'; CREATE ROLE {ROLE} LOGIN PASSWORD 'rot-pw-1'"),
    );
    env.superuser(
        "postgres",
        &format!("CREATE DATABASE \"{DATABASE}\" OWNER {ROLE}"),
    );

    let ns = format!("rotation-e2e-{}", std::process::id());
    env.kubectl(&["create", "namespace", &ns], "");
    env.source_secret(&ns, "cluster-pharia", ROLE, "rot-pw-1");
    env.source_secret(&ns, "cluster-pharia", "pgbouncer", "rotation-admin-pw");

    let pg = env.pg_port;
    let databases =
        format!(r#"pgbouncerPharia.config.databases={{"*":{{"host":"127.0.0.1","port":{pg}}}}}"#);
    let docs = rendered_documents(&env, &ns, &["--set-json", &databases]);
    let workload = find(&docs, "Deployment", "pgbouncer-pharia");
    let (args, sidecar_user) = sidecar(workload);
    let pgbouncer_user = run_as(workload, "pgbouncer");
    assert_eq!(
        sidecar_user, pgbouncer_user,
        "the sidecar must run as PgBouncer's user: the console trusts only that one"
    );
    // The workload in the API server, as `kubectl apply` leaves it (the hooks read and
    // would patch it).
    let mut deployment = serde_yaml::to_string(workload).unwrap();
    deployment.insert_str(0, "---\n");
    env.kubectl(&["-n", &ns, "apply", "-f", "-"], &deployment);

    let hooks = env.qspgb(&["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert!(hooks.status.success(), "{}", text(&hooks.stderr));
    let before = deployment_state(&env, &ns, "pgbouncer-pharia");
    let userlist = |env: &Env| env.secret(&ns, "pgbouncer-pharia-userlist")["userlist.txt"].clone();
    let ini = find(&docs, "ConfigMap", "pgbouncer-pharia-configmap")["data"]["pgbouncer.ini"]
        .as_str()
        .unwrap()
        .to_string();
    let bouncer = start(
        "rotation",
        &pgbouncer::image_version(workload),
        &ini,
        &userlist(&env),
        pgbouncer_user,
    );
    kubelet_swap(&bouncer.dir, "2026_12_03_00_00_01.1", &userlist(&env));
    assert!(logs_in(&bouncer, "rot-pw-1"), "{}", bouncer.log());

    // The rotation: PostgreSQL first, then the cluster's Secret, then the hooks.
    let rotate = |password: &str, version: &str| {
        env.superuser(
            "postgres",
            &format!(
                "SET password_encryption = 'scram-sha-256'; ALTER ROLE {ROLE} PASSWORD '{password}'"
            ),
        );
        env.source_secret(&ns, "cluster-pharia", ROLE, password);
        let out = env.qspgb(&["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let report = text(&out.stdout);
        assert!(
            report.contains("secret/pgbouncer-pharia-userlist: updated"),
            "{report}"
        );
        assert!(
            report.contains("deployment/pgbouncer-pharia: not restarted"),
            "{report}"
        );
        kubelet_swap(&bouncer.dir, version, &userlist(&env));
        Instant::now()
    };

    // 1. Control: no sidecar, so the new file is never read.
    let interval = Duration::from_secs(
        args.iter()
            .find_map(|a| a.strip_prefix("--interval=")?.strip_suffix('s'))
            .expect("--interval=Ns")
            .parse()
            .unwrap(),
    );
    rotate("rot-pw-2", "2026_12_03_00_00_02.2");
    std::thread::sleep(2 * interval + Duration::from_secs(1));
    assert!(
        !logs_in(&bouncer, "rot-pw-2"),
        "PgBouncer took the new userlist without a RELOAD: the control proves nothing"
    );

    // 2. The sidecar, with its rendered arguments (the pod's paths and port replaced).
    let args: Vec<String> = args
        .iter()
        .map(|a| match a.as_str() {
            "/etc/userlist/userlist.txt" => bouncer.userlist_path().display().to_string(),
            "--socket-dir=/tmp" => format!("--socket-dir={}", bouncer.dir.display()),
            "--port=5432" => format!("--port={}", bouncer.port),
            _ => a.clone(),
        })
        .collect();
    assert_eq!(args[0], "watch-userlist");
    let watcher = Watcher(
        Command::new("setpriv")
            .arg(format!("--reuid={}", sidecar_user.0))
            .arg(format!("--regid={}", sidecar_user.1))
            .args(["--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_qspgb"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Its first read reloads what is mounted now (rot-pw-2).
    let bound = interval + Duration::from_secs(1);
    let started = Instant::now();
    while !logs_in(&bouncer, "rot-pw-2") {
        assert!(
            started.elapsed() < bound,
            "rot-pw-2 not taken within {bound:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut session = IdleClient::connect(&bouncer, ROLE, "rot-pw-2", DATABASE);

    // A session opened before the next rotation keeps working through it.
    assert_eq!(session.query("SELECT current_user;"), ROLE);
    let swapped = rotate("rot-pw-3", "2026_12_03_00_00_03.3");
    while !logs_in(&bouncer, "rot-pw-3") {
        assert!(
            swapped.elapsed() < bound,
            "rot-pw-3 not taken within {bound:?}: {}",
            bouncer.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let took = swapped.elapsed();
    eprintln!("rot-pw-3 logged in {took:?} after the swap (bound {bound:?})");
    assert!(
        !logs_in(&bouncer, "rot-pw-2"),
        "the old password still logs in"
    );
    assert_eq!(session.query("SELECT current_user;"), ROLE);
    assert_eq!(
        deployment_state(&env, &ns, "pgbouncer-pharia"),
        before,
        "the hooks restarted the workload"
    );

    // 3. A malformed userlist is refused; the loaded users stay.
    kubelet_swap(
        &bouncer.dir,
        "2026_12_03_00_00_04.4",
        "\"rotation_app\" \"rot-pw-4\"\n# a comment PgBouncer would not read\n",
    );
    std::thread::sleep(interval + Duration::from_secs(1));
    assert!(logs_in(&bouncer, "rot-pw-3"), "{}", bouncer.log());
    assert!(!logs_in(&bouncer, "rot-pw-4"));
    assert_eq!(session.query("SELECT 42;"), "42");

    // The sidecar's probes (its rendered probe command: this binary, its args, --probe):
    // ready while the loop runs; not for a watcher that never ran.
    let probe = |args: &[String]| {
        Command::new("setpriv")
            .arg(format!("--reuid={}", sidecar_user.0))
            .arg(format!("--regid={}", sidecar_user.1))
            .args(["--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_qspgb"))
            .args(args)
            .arg("--probe")
            .output()
            .unwrap()
    };
    let out = probe(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut elsewhere = args.clone();
    elsewhere.retain(|a| !a.starts_with("--port="));
    elsewhere.push("--port=1".into());
    assert!(!probe(&elsewhere).status.success());

    let log = watcher.stop();
    assert!(log.contains("reloaded "), "{log}");
    assert!(log.contains("not reloaded: line 2"), "{log}");
    for secret in [
        "rot-pw-1",
        "rot-pw-2",
        "rot-pw-3",
        "rot-pw-4",
        "rotation-admin-pw",
    ] {
        assert!(
            !log.contains(secret),
            "the sidecar logged a password: {log}"
        );
    }
    drop(session);
    env.kubectl(&["delete", "namespace", &ns, "--wait=false"], "");
}

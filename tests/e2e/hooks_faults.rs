//! Faults in `qspgb hooks`, against the real kube-apiserver + etcd on loopback: transient
//! answers and dropped connections, a stalled request, a restart of the API server in the
//! middle of a run, concurrent writers (409), forbidden verbs (403), malformed source
//! Secrets, the admin role missing and a missing namespace.
//!
//! In each case qspgb must end with a clear error or after a bounded retry; the Secrets are
//! never emptied or partly written (checked byte for byte with kubectl, an oracle
//! independent of the kube crate qspgb uses); and a re-run after the fault converges: the
//! desired content, the workload restarted with it, and a second re-run writes nothing.
//!
//! Faults are injected by a proxy between qspgb and the server (`util/fault_proxy.rs`),
//! the server stays real; the restart is a real stop and start of a kube-apiserver process
//! (`scripts/kube-apiserver.sh apiserver-restart`). Same environment and conventions as
//! `e2e/hooks_e2e.rs`: the server from `scripts/kube-apiserver.sh start`, failing without
//! it; each test in a namespace of its own, so they run in parallel.

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::util::apiserver::*;
use crate::util::base64_encode;
use crate::util::fault_proxy::{Entry, Fault, FaultProxy};

const DEPLOYMENT: &str = "deployment/pgbouncer-pharia";

/// Pharia's userlist after `change_password`.
const PHARIA_USERLIST_2: &str = "\"document_index\" \"di \"\"quoted\"\" pw\"\n\
                                 \"pgbouncer\" \"pharia-admin-pw\"\n\
                                 \"pharia_os\" \"pharia-pw-2\"\n";

/// A longest run: the default budget of 30 s for a request is never reached by a test that
/// passes; a run still going after this is a hang.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// One test's world: a namespace with Pharia's sources and Deployment, and a proxy in
/// front of an API server.
struct World {
    server: Server,
    ns: String,
    proxy: FaultProxy,
    /// The admin kubeconfig pointed at the proxy.
    via_proxy: PathBuf,
}

/// The port of the API server a kubeconfig points at.
fn port_of(kubeconfig: &std::path::Path) -> u16 {
    std::fs::read_to_string(kubeconfig)
        .unwrap()
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: https://127.0.0.1:"))
        .expect("a loopback server in the kubeconfig")
        .parse()
        .unwrap()
}

impl World {
    /// The world of test `name`, the proxy in front of the main API server.
    fn new(name: &str) -> World {
        let world = World::without_workload(name);
        world.create_workload();
        world
    }

    /// [`World::new`] without the Deployment yet, as when the chart's pre-install hook
    /// runs.
    fn without_workload(name: &str) -> World {
        let server = server();
        let port = port_of(&server.kubeconfig);
        World::with_upstream(server, name, port)
    }

    /// The Deployment as the chart creates it: without a restart annotation.
    fn create_workload(&self) {
        self.server.apply_rendered(
            &self.ns,
            &[],
            &["charts/pgbouncerPharia/templates/deployment.yaml"],
        );
    }

    /// The world of test `name` without a Deployment, the proxy in front of the API
    /// server on `upstream_port`.
    fn with_upstream(server: Server, name: &str, upstream_port: u16) -> World {
        let ns = server.namespace(name);
        create_sources(&server, &ns);
        let proxy = FaultProxy::start(&server.run_dir, upstream_port);
        let via_proxy = server.kubeconfig_for_port(proxy.port());
        World {
            server,
            ns,
            proxy,
            via_proxy,
        }
    }

    fn hooks_args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["hooks", RELEASE, "-n", &self.ns, "--instance", "pharia"];
        args.extend_from_slice(&RESTART_ON_CHANGE);
        args.extend_from_slice(extra);
        args
    }

    /// `qspgb hooks` for Pharia through the proxy; returns its output and how long it took.
    fn run(&self, extra: &[&str]) -> (Output, Duration) {
        self.run_within(extra, RUN_LIMIT)
    }

    /// [`World::run`], failing the test (and killing qspgb) after `limit`: a hang is a
    /// failure, not a test that never ends.
    fn run_within(&self, extra: &[&str], limit: Duration) -> (Output, Duration) {
        let started = Instant::now();
        let out = self
            .server
            .qspgb_spawn(Some(&self.via_proxy), &self.hooks_args(extra))
            .wait(limit);
        assert_no_secret_values(&out);
        (out, started.elapsed())
    }

    /// A run that must succeed; returns its stdout.
    fn run_ok(&self, extra: &[&str]) -> String {
        let (out, _) = self.run(extra);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Pharia's application password changes: the next run has a userlist to update.
    fn change_password(&self) {
        self.server.write_source_secret(
            "replace",
            &self.ns,
            "cluster-pharia",
            "cluster-pharia-app",
            &[("username", b"pharia_os"), ("password", b"pharia-pw-2")],
        );
    }

    /// Everything a run may write, exactly: both Secrets' raw data (base64 as stored) and
    /// resourceVersions, the Deployment's generation and restart annotation.
    fn state(&self) -> Json {
        let userlist = format!("secret/{USERLIST}");
        let admin = format!("secret/{ADMIN}");
        let objects = self
            .server
            .objects(&self.ns, &[&userlist, &admin, DEPLOYMENT]);
        let secret = |what: &str| {
            objects.get(what).map(|s| {
                serde_json::json!({
                    "data": s["data"],
                    "resourceVersion": s["metadata"]["resourceVersion"],
                })
            })
        };
        let deployment = &objects[DEPLOYMENT];
        serde_json::json!({
            "userlist": secret(&userlist),
            "admin": secret(&admin),
            "generation": deployment["metadata"]["generation"],
            "restart": deployment["spec"]["template"]["metadata"]["annotations"]["qspgb/secrets-hash"],
        })
    }

    /// The decoded data of both Secrets (`None` for a missing one), from [`World::state`].
    fn data(state: &Json) -> [Option<std::collections::BTreeMap<String, String>>; 2] {
        ["userlist", "admin"].map(|key| {
            (!state[key].is_null()).then(|| {
                let data = decoded_data(&state[key]);
                if key == "admin" {
                    without_hash_key(data)
                } else {
                    data
                }
            })
        })
    }

    /// The Secrets hold exactly `userlist` and the admin credentials, the Deployment has
    /// been restarted with them, and a re-run (through the proxy, no fault left) changes
    /// nothing: no write request at all, every resourceVersion and the generation kept.
    fn assert_converged(&self, userlist: &str) {
        let before = self.state();
        assert_eq!(
            World::data(&before),
            [
                Some(map(&[("userlist.txt", userlist)])),
                Some(map(&[
                    ("adminPassword", "pharia-admin-pw"),
                    ("adminUser", "pgbouncer")
                ]))
            ]
        );
        assert!(
            before["restart"].is_string(),
            "the Deployment was never restarted"
        );
        self.proxy.clear();
        self.proxy.take_log();
        let stdout = self.run_ok(&[]);
        assert_eq!(stdout.matches(": unchanged (").count(), 2, "{stdout}");
        // With the annotation present, "not restarted" means it equals the content hash:
        // the pods run with exactly this content.
        assert!(
            stdout.contains("deployment/pgbouncer-pharia: up to date, not restarted"),
            "{stdout}"
        );
        assert_eq!(writes(&self.proxy.take_log()), Vec::<Entry>::new());
        assert_eq!(self.state(), before);
    }
}

/// The write requests of a log.
fn writes(log: &[Entry]) -> Vec<Entry> {
    log.iter().filter(|e| e.is_write()).cloned().collect()
}

/// How many requests of a log have this method and a path ending in `suffix`.
fn count(log: &[Entry], method: &str, suffix: &str) -> usize {
    log.iter()
        .filter(|e| e.method == method && e.path.split('?').next().unwrap().ends_with(suffix))
        .count()
}

/// The summary says the userlist was `created` or `updated` after one 409 and re-read.
fn assert_after_one_conflict(stdout: &str, action: &str) {
    let line = format!(
        "secret/{USERLIST}: {action} (roles: document_index, pgbouncer, pharia_os), after 1 \
         conflicting write\n"
    );
    assert!(stdout.contains(&line), "{stdout}");
}

fn secret_path(name: &str) -> String {
    format!("/secrets/{name}")
}

/// Answers a server sends when overloaded, failing or restarting; a write that was done
/// but whose answer was lost (cut, or replaced by a 504); a cut connection and a closed
/// port. Each is retried, and the run converges as if nothing had happened.
#[test]
fn transient_failures_are_retried_and_the_run_converges() {
    let world = World::new("transient");
    let proxy = &world.proxy;
    // First run: the Secrets are created, the Deployment restarted.
    proxy.on("GET", "/secrets?", 1, Fault::Respond(503));
    proxy.on("GET", "/secrets?", 1, Fault::Respond(500));
    proxy.on("GET", &secret_path(USERLIST), 1, Fault::Respond(429));
    proxy.on(
        "GET",
        "/deployments/pgbouncer-pharia",
        1,
        Fault::Respond(502),
    );
    // The userlist is created first (a server-side apply): its apply is done, its answer
    // lost.
    proxy.on("PATCH", &secret_path(USERLIST), 1, Fault::LoseResponse);
    proxy.on("PATCH", "/deployments/pgbouncer-pharia", 1, Fault::Cut);
    let stdout = world.run_ok(&[]);
    assert!(
        stdout.contains(&format!(
            "secret/{USERLIST}: created (roles: document_index, pgbouncer, pharia_os)\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("secret/{ADMIN}: created (admin role)\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("deployment/pgbouncer-pharia: restarted"),
        "{stdout}"
    );
    let log = proxy.take_log();
    // Every fault was met once (the four reads run concurrently: in any order) and each
    // request repeated after it.
    let mut faults: Vec<&str> = log.iter().filter_map(|e| e.fault.as_deref()).collect();
    faults.sort();
    assert_eq!(
        faults,
        [
            "cut",
            "forward, lose the answer",
            "respond 429",
            "respond 500",
            "respond 502",
            "respond 503",
        ],
        "{log:#?}"
    );
    // The repeated apply is the same apply: it answers with the Secret's own content, so
    // there is no conflict and no third write. No create (POST) at all: the Role has none.
    assert_eq!(count(&log, "PATCH", &secret_path(USERLIST)), 2, "{log:#?}");
    assert_eq!(count(&log, "PATCH", &secret_path(ADMIN)), 1, "{log:#?}");
    assert_eq!(count(&log, "POST", ""), 0, "{log:#?}");
    assert_eq!(count(&log, "PUT", ""), 0, "{log:#?}");
    assert_eq!(
        count(&log, "PATCH", "/deployments/pgbouncer-pharia"),
        2,
        "{log:#?}"
    );
    world.assert_converged(PHARIA_USERLIST);

    // Second run, a password changed: the update is done but answered 504, and the restart
    // meets a closed port for a while (the proxy stops listening for 1.5 s).
    world.change_password();
    let generation = world.server.generation(&world.ns, DEPLOYMENT);
    proxy.on(
        "PUT",
        &secret_path(USERLIST),
        1,
        Fault::ForwardThenRespond(504),
    );
    proxy.on(
        "PATCH",
        "/deployments/pgbouncer-pharia",
        1,
        Fault::Refuse(Duration::from_millis(1500)),
    );
    let stdout = world.run_ok(&[]);
    assert_after_one_conflict(&stdout, "updated");
    let log = proxy.take_log();
    // The repeated replace carried the old resourceVersion: 409, read again, equal.
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 2, "{log:#?}");
    assert_eq!(
        count(&log, "PATCH", "/deployments/pgbouncer-pharia"),
        2,
        "{log:#?}"
    );
    assert_eq!(
        world.server.generation(&world.ns, DEPLOYMENT),
        generation + 1
    );
    world.assert_converged(PHARIA_USERLIST_2);
}

/// A server that keeps failing: the run gives up within its budget with an exit 4 naming
/// what it was doing, having written nothing.
#[test]
fn a_persistent_failure_gives_up_within_the_budget_and_changes_nothing() {
    let world = World::new("persistent");
    world.run_ok(&[]);
    world.change_password();
    let before = world.state();
    world.proxy.take_log();
    world.proxy.on(
        "PUT",
        &secret_path(USERLIST),
        usize::MAX,
        Fault::Respond(503),
    );
    let (out, took) = world.run_within(&["--request-timeout", "5s"], Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "pgbouncerPharia in namespace {}: updating secret/{USERLIST}: 503 ServiceUnavailable: \
             injected by the test proxy: Service Unavailable (gave up after 5 attempts)",
            world.ns
        )),
        "{stderr}"
    );
    // Waits of 0.25 + 0.5 + 1 + 2 s; the next one (4 s) would not fit in the 5 s budget.
    assert!(
        took >= Duration::from_millis(3750) && took < Duration::from_secs(5),
        "took {took:?}"
    );
    let log = world.proxy.take_log();
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 5, "{log:#?}");
    assert_eq!(writes(&log).len(), 5, "{log:#?}");
    assert_eq!(world.state(), before);
    world.proxy.clear();
    let stdout = world.run_ok(&[]);
    assert!(stdout.contains("deployment/pgbouncer-pharia: restarted"));
    world.assert_converged(PHARIA_USERLIST_2);
}

/// A request the server accepts and never answers, in the middle of a run: the time limit
/// ends it, and the whole run stays within the budget.
#[test]
fn a_stalled_request_times_out_within_the_budget() {
    let world = World::new("stalled");
    world.run_ok(&[]);
    world.change_password();
    let before = world.state();
    world
        .proxy
        .on("PUT", &secret_path(USERLIST), 1, Fault::Stall);
    let (out, took) = world.run_within(&["--request-timeout", "3s"], Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!(
            "updating secret/{USERLIST}: timed out: no complete answer within 3s (--request-timeout)"
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(5),
        "took {took:?}"
    );
    assert_eq!(world.state(), before);
    world.run_ok(&[]);
    world.assert_converged(PHARIA_USERLIST_2);
}

/// Stops the extra API server of a test when dropped.
struct ApiServerGuard<'a> {
    server: &'a Server,
    name: String,
}

impl Drop for ApiServerGuard<'_> {
    fn drop(&mut self) {
        self.server.script(&["apiserver-stop", &self.name]);
    }
}

/// The API server qspgb talks to is bounced, stopped and started again (a real restart of
/// the kube-apiserver process; etcd keeps the data), while qspgb waits for the answer to
/// its update: the connection drops, the retries meet a closed port and then a server that
/// is starting, and the run ends as if nothing had happened. (The longest test: its name
/// sorts first, and libtest starts tests in name order.)
#[test]
fn a_bounce_of_the_api_server_mid_run_is_retried_and_converges() {
    let main = server();
    // An API server of this test's own on the shared etcd, so restarting it disturbs no
    // other test; kubectl checks through the main one.
    let name = format!("faults-restart-{}", std::process::id());
    let guard = ApiServerGuard {
        server: &main,
        name: name.clone(),
    };
    let started = main.script(&["apiserver-start", &name]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    let port: u16 = text(&started.stdout).trim().parse().expect("a port");
    let world = World::with_upstream(server(), "restart", port);
    world.create_workload();
    world.run_ok(&[]);
    world.change_password();
    world.proxy.take_log();
    world
        .proxy
        .on("PUT", &secret_path(USERLIST), 1, Fault::Hold);
    let run = world
        .server
        .qspgb_spawn(Some(&world.via_proxy), &world.hooks_args(&[]));
    assert!(
        world.proxy.wait_held(1, Duration::from_secs(20)),
        "the update never came"
    );
    let restart_started = Instant::now();
    let restarted = world.server.script(&["apiserver-restart", &name]);
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    let restart_took = restart_started.elapsed();
    world.proxy.release();
    let out = run.wait(RUN_LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("secret/{USERLIST}: updated")),
        "{stdout}"
    );
    assert!(
        stdout.contains("deployment/pgbouncer-pharia: restarted"),
        "{stdout}"
    );
    let log = world.proxy.take_log();
    // The held update died with its connection when the server stopped; it was sent
    // again once the server was back.
    assert!(count(&log, "PUT", &secret_path(USERLIST)) >= 2, "{log:#?}");
    eprintln!("API server restart took {restart_took:?}");
    world.assert_converged(PHARIA_USERLIST_2);
    drop(guard);
}

/// A concurrent write through kubectl just before qspgb's own (the proxy runs it, then
/// forwards qspgb's request): the server answers 409, qspgb reads again and decides again.
fn concurrent_writer(world: &World, write: impl Fn(&Server, &str, usize) + Send + Sync + 'static) {
    let server = server();
    let ns = world.ns.clone();
    let calls = AtomicUsize::new(0);
    let write = Arc::new(move || {
        let n = calls.fetch_add(1, Ordering::Relaxed);
        write(&server, &ns, n);
    });
    world.proxy.on(
        "PUT",
        &secret_path(USERLIST),
        usize::MAX,
        Fault::Before(write.clone()),
    );
    world.proxy.on(
        "PATCH",
        &secret_path(USERLIST),
        usize::MAX,
        Fault::Before(write),
    );
}

/// Writes `userlist` into the userlist Secret with kubectl (a merge patch, as a human or
/// another tool would).
fn kubectl_write_userlist(server: &Server, ns: &str, userlist: &str) {
    let patch = serde_json::json!({"data": {"userlist.txt": base64_encode(userlist.as_bytes())}});
    server.kubectl(
        &[
            "-n",
            ns,
            "patch",
            "secret",
            USERLIST,
            "--type=merge",
            "-p",
            &patch.to_string(),
        ],
        None,
    );
}

/// Runs the hooks while another writer acts once, just before qspgb's first write
/// ([`concurrent_writer`]); asserts that the run met one conflict and then `action` the
/// userlist. Returns the run's stdout and the proxy's log.
fn run_against_one_write(
    world: &World,
    action: &str,
    write: impl Fn(&Server, &str) + Send + Sync + 'static,
) -> (String, Vec<Entry>) {
    concurrent_writer(world, move |server, ns, n| {
        if n == 0 {
            write(server, ns);
        }
    });
    let stdout = world.run_ok(&[]);
    assert_after_one_conflict(&stdout, action);
    (stdout, world.proxy.take_log())
}

/// Someone else changes the userlist between qspgb's read and its update: 409; qspgb reads
/// again and writes the desired content over theirs.
#[test]
fn a_concurrent_writer_of_other_content_is_overwritten() {
    let world = World::new("conflict-other");
    world.run_ok(&[]);
    world.change_password();
    world.proxy.take_log();
    let (stdout, log) = run_against_one_write(&world, "updated", |server, ns| {
        kubectl_write_userlist(server, ns, "\"someone\" \"else\"\n");
    });
    assert!(stdout.contains("deployment/pgbouncer-pharia: restarted"));
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 2, "{log:#?}");
    world.assert_converged(PHARIA_USERLIST_2);
}

/// Someone else writes exactly the desired content first (another run of the hook, say):
/// 409; qspgb reads again, finds nothing left to write, and still restarts the pods, which
/// were started with the old content. The Deployment was created by the chart after the
/// first run and never restarted by qspgb: only this run's own finding (the content
/// changed) can tell that the pods need a restart.
#[test]
fn a_concurrent_writer_of_the_desired_content_leaves_nothing_to_write() {
    let world = World::without_workload("conflict-same");
    world.run_ok(&[]);
    world.create_workload();
    world.change_password();
    let generation = world.server.generation(&world.ns, DEPLOYMENT);
    world.proxy.take_log();
    let (stdout, log) = run_against_one_write(&world, "updated", |server, ns| {
        kubectl_write_userlist(server, ns, PHARIA_USERLIST_2);
    });
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 1, "{log:#?}");
    assert_eq!(
        world.server.generation(&world.ns, DEPLOYMENT),
        generation + 1,
        "{stdout}"
    );
    world.assert_converged(PHARIA_USERLIST_2);
}

/// Someone else creates the userlist Secret, with a key of their own, between qspgb's read
/// (none) and its create: the server-side apply merges into theirs, qspgb sees the answer
/// differ (the extra key) and replaces it. Someone deletes it between qspgb's read and its
/// update: 404; qspgb reads again (none) and creates it.
#[test]
fn a_concurrent_create_or_delete_is_read_again() {
    let world = World::new("conflict-create");
    let (_, log) = run_against_one_write(&world, "created", |server, ns| {
        server.kubectl(
            &[
                "-n",
                ns,
                "create",
                "secret",
                "generic",
                USERLIST,
                "--from-literal=userlist.txt=\"someone\" \"else\"",
                "--from-literal=extra=theirs",
            ],
            None,
        );
    });
    // Apply (merged into theirs), replace; then the admin Secret's apply. No POST.
    assert_eq!(count(&log, "PATCH", &secret_path(USERLIST)), 1, "{log:#?}");
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 1, "{log:#?}");
    assert_eq!(count(&log, "PATCH", &secret_path(ADMIN)), 1, "{log:#?}");
    assert_eq!(count(&log, "POST", ""), 0, "{log:#?}");
    world.assert_converged(PHARIA_USERLIST);

    world.change_password();
    let (_, log) = run_against_one_write(&world, "updated", |server, ns| {
        server.kubectl(&["-n", ns, "delete", "secret", USERLIST], None);
    });
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 1, "{log:#?}");
    assert_eq!(count(&log, "PATCH", &secret_path(USERLIST)), 1, "{log:#?}");
    assert_eq!(count(&log, "POST", ""), 0, "{log:#?}");
    world.assert_converged(PHARIA_USERLIST_2);
}

/// A writer that changes the Secret before every attempt: qspgb gives up after
/// MAX_CONFLICT_RETRIES (5) re-reads with exit 4; the Secret holds the other writer's
/// complete content, the admin Secret and the Deployment are untouched. Once the writer
/// stops, a re-run converges.
#[test]
fn a_writer_that_never_stops_exhausts_the_conflict_retries() {
    let world = World::new("conflict-forever");
    world.run_ok(&[]);
    world.change_password();
    let before = world.state();
    world.proxy.take_log();
    concurrent_writer(&world, |server, ns, n| {
        kubectl_write_userlist(server, ns, &format!("\"someone\" \"else-{n}\"\n"));
    });
    let (out, _) = world.run(&[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("updating secret/{USERLIST}: 409 Conflict: "))
            && stderr.ends_with(" (after 5 conflicting writes)\n"),
        "{stderr}"
    );
    let log = world.proxy.take_log();
    assert_eq!(count(&log, "PUT", &secret_path(USERLIST)), 6, "{log:#?}");
    let after = world.state();
    assert_eq!(
        World::data(&after)[0],
        Some(map(&[("userlist.txt", "\"someone\" \"else-5\"\n")]))
    );
    assert_eq!(after["admin"], before["admin"]);
    assert_eq!(after["generation"], before["generation"]);
    assert_eq!(after["restart"], before["restart"]);
    world.proxy.clear();
    world.run_ok(&[]);
    world.assert_converged(PHARIA_USERLIST_2);
}

/// The two verbs the tests take away: (resource, verb, object).
const GUARDED: [(&str, &str, &str); 2] = [
    ("secrets", "update", USERLIST),
    ("deployments", "patch", "pgbouncer-pharia"),
];

/// Applies the hooks Role as rendered, with `verb` taken out of the rule for `resource`
/// (`None`: as rendered), and waits until the API server's authorizer agrees.
fn set_role(world: &World, without: Option<(&str, &str)>) {
    let server = &world.server;
    let ns = &world.ns;
    server.apply_rendered(
        ns,
        &[],
        &["charts/pgbouncerPharia/templates/hooks-rbac.yaml"],
    );
    if let Some((resource, verb)) = without {
        let mut role = server.get(ns, &format!("role/{HOOKS_SA}")).unwrap();
        for rule in role["rules"].as_array_mut().unwrap() {
            if rule["resources"][0] == resource && rule["resourceNames"].is_array() {
                rule["verbs"].as_array_mut().unwrap().retain(|v| v != verb);
            }
        }
        server.kubectl(&["-n", ns, "replace", "-f", "-"], Some(&role.to_string()));
    }
    for (resource, verb, name) in GUARDED {
        let expected = if without == Some((resource, verb)) {
            "no"
        } else {
            "yes"
        };
        server.wait_for_rbac(ns, verb, &format!("{resource}/{name}"), expected);
    }
}

/// The hook's ServiceAccount (the chart's Role) runs qspgb, directly against the server.
fn run_as_hook(world: &World, sa: &std::path::Path) -> Output {
    let out = world.server.qspgb(Some(sa), &world.hooks_args(&[]));
    assert_no_secret_values(&out);
    out
}

/// The Role lacks `update` on the Secrets: exit 4 naming the verb, the resource and the
/// namespace; nothing written, nothing restarted. With the Role fixed, a re-run converges.
#[test]
fn a_role_without_update_is_a_clear_error_and_a_rerun_after_fixing_it_converges() {
    let world = World::new("forbidden-update");
    set_role(&world, None);
    let sa = world.server.service_account_kubeconfig(&world.ns, HOOKS_SA);
    assert_eq!(run_as_hook(&world, &sa).status.code(), Some(0));
    world.change_password();
    set_role(&world, Some(("secrets", "update")));
    let before = world.state();
    let out = run_as_hook(&world, &sa);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "updating secret/{USERLIST}: 403 Forbidden: secrets \"{USERLIST}\" is forbidden: \
             User \"system:serviceaccount:{ns}:{HOOKS_SA}\" cannot update resource \"secrets\" in \
             API group \"\" in the namespace \"{ns}\"",
            ns = world.ns
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("attempts"),
        "a 403 is not retried: {stderr}"
    );
    assert_eq!(world.state(), before);
    set_role(&world, None);
    let out = run_as_hook(&world, &sa);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("deployment/pgbouncer-pharia: restarted"));
    world.assert_converged(PHARIA_USERLIST_2);
}

/// The Role lacks `patch` on the Deployment, which the chart created after the first run
/// (so qspgb never restarted it): the new content is written, the restart is refused with
/// exit 4. The written Secret says a restart is owed, so the re-run after fixing the Role
/// restarts the pods although no Secret changes any more.
#[test]
fn a_role_without_patch_leaves_a_restart_owed_that_a_rerun_makes_up() {
    // No Deployment yet: the pre-install hook runs before the chart's objects.
    let world = World::without_workload("forbidden-patch");
    set_role(&world, None);
    let sa = world.server.service_account_kubeconfig(&world.ns, HOOKS_SA);
    let out = run_as_hook(&world, &sa);
    assert!(
        text(&out.stdout).contains("deployment/pgbouncer-pharia: not found"),
        "{}",
        text(&out.stdout)
    );
    world.create_workload();
    world.change_password();
    set_role(&world, Some(("deployments", "patch")));
    let generation = world.server.generation(&world.ns, DEPLOYMENT);
    let out = run_as_hook(&world, &sa);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "restarting deployment/pgbouncer-pharia: 403 Forbidden: deployments.apps \
             \"pgbouncer-pharia\" is forbidden: User \"system:serviceaccount:{ns}:{HOOKS_SA}\" \
             cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\"",
            ns = world.ns
        )),
        "{stderr}"
    );
    // The Secrets are complete and new; the pods were not restarted.
    let state = world.state();
    assert_eq!(
        World::data(&state)[0],
        Some(map(&[("userlist.txt", PHARIA_USERLIST_2)]))
    );
    assert_eq!(state["generation"], generation);
    assert_eq!(state["restart"], Json::Null);
    set_role(&world, None);
    let out = run_as_hook(&world, &sa);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches(": unchanged (").count(), 2, "{stdout}");
    assert!(
        stdout.contains("deployment/pgbouncer-pharia: restarted"),
        "{stdout}"
    );
    assert_eq!(
        world.server.generation(&world.ns, DEPLOYMENT),
        generation + 1
    );
    world.assert_converged(PHARIA_USERLIST_2);
}

/// Source Secrets that cannot give a valid userlist: exit 3 naming the Secret (never a
/// value), both target Secrets and the Deployment exactly as they were. Repaired, a re-run
/// finds everything up to date.
#[test]
fn malformed_sources_exit_3_and_keep_the_secrets_byte_for_byte() {
    let world = World::new("malformed");
    world.run_ok(&[]);
    let good = world.state();
    let server = &world.server;
    let ns = world.ns.as_str();
    let app = |verb: &str, name: &str, data: &[(&str, &[u8])]| {
        server.write_source_secret(verb, ns, "cluster-pharia", name, data)
    };
    type Data<'a> = &'a [(&'a str, &'a [u8])];
    let app_data: Data = &[("username", b"pharia_os"), ("password", b"pharia-pw-1")];
    let restore_app = || app("replace", "cluster-pharia-app", app_data);
    type Step<'a> = Box<dyn Fn() + 'a>;
    // Most cases replace the app's Secret with broken data; the restore puts it back.
    let broken_app: [(&str, Data, &str); 4] = [
        (
            "a password missing",
            &[("username", b"pharia_os")],
            "secret/cluster-pharia-app: has no `password`",
        ),
        (
            "a user name missing",
            &[("password", b"pharia-pw-1")],
            "secret/cluster-pharia-app: has a `password` but neither `username` nor `user`",
        ),
        (
            "non-UTF-8 bytes",
            &[
                ("username", b"pharia_os"),
                ("password", &[0xff, 0xfe, 0x41]),
            ],
            "secret/cluster-pharia-app: `password` is not UTF-8 text",
        ),
        (
            "a password with a line break",
            &[("username", b"pharia_os"), ("password", b"pharia-pw-1\nx")],
            "secret/cluster-pharia-app: userlist: the password of user \"pharia_os\" contains a \
             line break",
        ),
    ];
    let mut cases: Vec<(&str, Step, Step, &str)> = broken_app
        .into_iter()
        .map(|(case, data, expected)| {
            let break_it: Step = Box::new(move || app("replace", "cluster-pharia-app", data));
            let repair: Step = Box::new(restore_app);
            (case, break_it, repair, expected)
        })
        .collect();
    cases.extend::<[(&str, Step, Step, &str); 2]>([
        (
            "a role twice with different passwords",
            Box::new(|| {
                app(
                    "create",
                    "cluster-pharia-app-copy",
                    &[("username", b"pharia_os"), ("password", b"pharia-pw-2")],
                )
            }),
            Box::new(|| {
                server.kubectl(
                    &["-n", ns, "delete", "secret", "cluster-pharia-app-copy"],
                    None,
                );
            }),
            "role \"pharia_os\" has different passwords in secret/cluster-pharia-app and \
             secret/cluster-pharia-app-copy; refusing to choose (nothing written)",
        ),
        (
            "the admin role missing",
            Box::new(|| {
                server.kubectl(
                    &["-n", ns, "delete", "secret", "cluster-pharia-pgbouncer"],
                    None,
                );
            }),
            Box::new(|| {
                server.source_secret(
                    ns,
                    "cluster-pharia",
                    "cluster-pharia-pgbouncer",
                    &[("username", "pgbouncer"), ("password", "pharia-admin-pw")],
                )
            }),
            "the admin role \"pgbouncer\" (config.adminUser) is in none of the 3 source Secrets",
        ),
    ]);
    for (case, break_it, repair, expected) in cases {
        break_it();
        let (out, _) = world.run(&[]);
        assert_eq!(out.status.code(), Some(3), "{case}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{case}: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(expected), "{case}: {stderr}");
        assert!(stderr.contains("nothing written"), "{case}: {stderr}");
        assert_eq!(world.state(), good, "{case}");
        repair();
    }
    world.assert_converged(PHARIA_USERLIST);
}

/// `-n` names a namespace that does not exist: the API lists nothing there without an
/// error, so qspgb checks and says so (exit 4), and creates nothing.
#[test]
fn a_missing_namespace_is_named_with_exit_4() {
    let server = server();
    let ns = format!("e2e-missing-{}", std::process::id());
    let mut args = vec!["hooks", RELEASE, "-n", &ns, "--instance", "pharia"];
    args.extend_from_slice(&RESTART_ON_CHANGE);
    let out = server.qspgb(None, &args);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr,
        format!(
            "error: pgbouncerPharia in namespace {ns}: namespace \"{ns}\" does not exist \
             (check -n/--namespace or the kubeconfig context's namespace); nothing read, \
             nothing written\n"
        )
    );
    assert!(server.get("default", &format!("namespace/{ns}")).is_none());
}

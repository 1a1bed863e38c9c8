//! `qspgb hooks` against a real kube-apiserver + etcd on loopback.
//!
//! `scripts/test.sh` starts the server with `scripts/kube-apiserver.sh start` and exports
//! its environment (KAE2E_RUN_DIR, KAE2E_KUBECTL, KUBECONFIG with an admin token). To run
//! these tests by hand:
//!
//! ```text
//! bash scripts/kube-apiserver.sh up            # once: install, build (cached), start
//! eval "$(bash scripts/kube-apiserver.sh env)"
//! cargo test --test hooks_e2e
//! ```
//!
//! Without that environment the tests fail.
//! Each test works in a namespace of its own, so they run in parallel. Setup and checks go
//! through kubectl, an oracle independent of the kube crate qspgb uses.

use std::collections::BTreeMap;
use std::process::Command;

use crate::util::apiserver::*;
use crate::util::base64_decode;

/// Resource versions and generations of everything hooks may write.
fn snapshot(server: &Server, ns: &str) -> BTreeMap<&'static str, String> {
    let mut s = BTreeMap::new();
    for (key, what) in [
        ("pharia-userlist", "secret/pgbouncer-pharia-userlist"),
        ("pharia-admin", "secret/pgbouncer-pharia-admin"),
        ("temporal-userlist", "secret/pgbouncer-temporal-userlist"),
        ("temporal-admin", "secret/pgbouncer-temporal-admin"),
    ] {
        s.insert(key, server.resource_version(ns, what));
    }
    s.insert(
        "pharia-generation",
        server
            .generation(ns, "deployment/pgbouncer-pharia")
            .to_string(),
    );
    s.insert(
        "temporal-generation",
        server
            .generation(ns, "daemonset/pgbouncer-temporal")
            .to_string(),
    );
    s
}

fn changed<'a>(
    before: &BTreeMap<&'a str, String>,
    after: &BTreeMap<&'a str, String>,
) -> Vec<&'a str> {
    before
        .iter()
        .filter(|(k, v)| after[*k] != **v)
        .map(|(k, _)| *k)
        .collect()
}

#[test]
fn writes_both_secrets_exactly_then_only_what_changes() {
    let server = server();
    let ns = server.namespace("converge");
    create_sources(&server, &ns);
    // Temporal as a DaemonSet, so both workload kinds are restarted for real; restarts on
    // every change (the product's reload sidecar would make a userlist change restart
    // nothing: e2e/rotation.rs).
    let kind = [
        "--set",
        "pgbouncerTemporal.kind=DaemonSet",
        RESTART_ON_CHANGE[0],
        RESTART_ON_CHANGE[1],
    ];
    server.apply_rendered(
        &ns,
        &kind,
        &[
            "charts/pgbouncerPharia/templates/deployment.yaml",
            "charts/pgbouncerTemporal/templates/daemonset.yaml",
        ],
    );
    let gen_pharia = server.generation(&ns, "deployment/pgbouncer-pharia");

    // First run: both instances' Secrets are created, both workloads restarted.
    let mut args = vec!["hooks", RELEASE, "-n", &ns];
    args.extend_from_slice(&kind);
    let out = server.qspgb(None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("secret/pgbouncer-pharia-userlist: created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("deployment/pgbouncer-pharia: restarted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("daemonset/pgbouncer-temporal: restarted"),
        "{stdout}"
    );
    // The Secret without credentials is skipped by name; the foreign ones are never seen.
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "secret/cluster-pharia-ca: holds no `username`, `user` or `password` (not a \
             credential Secret); skipped"
        ),
        "{stderr}"
    );
    assert!(!stdout.contains("intruder") && !stdout.contains("stranger"));

    server.assert_secret(
        &ns,
        "pgbouncer-pharia-userlist",
        &[("userlist.txt", PHARIA_USERLIST)],
    );
    server.assert_admin_secret(&ns, "pgbouncer-pharia-admin", "pharia-admin-pw");
    server.assert_secret(
        &ns,
        "pgbouncer-temporal-userlist",
        &[("userlist.txt", TEMPORAL_USERLIST)],
    );
    server.assert_admin_secret(&ns, "pgbouncer-temporal-admin", "temporal-admin-pw");
    let labels =
        &server.get(&ns, "secret/pgbouncer-pharia-userlist").unwrap()["metadata"]["labels"];
    assert_eq!(labels["app.kubernetes.io/managed-by"], "qspgb");
    assert_eq!(labels["qspgb/instance"], "pgbouncerPharia");
    assert_eq!(labels["qspgb/source-hash"].as_str().unwrap().len(), 32);
    assert_eq!(
        server.generation(&ns, "deployment/pgbouncer-pharia"),
        gen_pharia + 1
    );
    let hash = restart_annotation(&server, &ns, "deployment/pgbouncer-pharia").unwrap();
    assert_eq!(hash.len(), 64);

    // Second run: nothing written, nothing restarted.
    let before = snapshot(&server, &ns);
    let out = server.qspgb(None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        changed(&before, &snapshot(&server, &ns)),
        Vec::<&str>::new()
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches(": unchanged").count(), 4, "{stdout}");
    assert_eq!(
        stdout.matches("up to date, not restarted").count(),
        2,
        "{stdout}"
    );
    // One list, two Secret gets and one workload get per instance: nothing else.
    assert_eq!(stdout.matches("  4 API requests").count(), 2, "{stdout}");

    // One password changes: exactly the Pharia userlist is updated and Pharia restarted.
    server.kubectl(&["-n", &ns, "delete", "secret", "cluster-pharia-app"], None);
    server.source_secret(
        &ns,
        "cluster-pharia",
        "cluster-pharia-app",
        &[("username", "pharia_os"), ("password", "pharia-pw-2")],
    );
    let out = server.qspgb(None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    assert_eq!(
        changed(&before, &snapshot(&server, &ns)),
        vec!["pharia-generation", "pharia-userlist"]
    );
    assert!(
        server
            .secret_data(&ns, "pgbouncer-pharia-userlist")
            .unwrap()["userlist.txt"]
            .contains("\"pharia_os\" \"pharia-pw-2\"")
    );
    assert_ne!(
        restart_annotation(&server, &ns, "deployment/pgbouncer-pharia").unwrap(),
        hash
    );
}

#[test]
fn dry_run_plans_and_writes_nothing() {
    let server = server();
    let ns = server.namespace("dry-run");
    create_sources(&server, &ns);
    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("secret/pgbouncer-pharia-userlist: would create (roles: document_index, pgbouncer, pharia_os)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("deployment/pgbouncer-temporal: not found, nothing to restart"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("dry run: nothing was written\n"),
        "{stdout}"
    );
    assert!(
        server
            .get(&ns, "secret/pgbouncer-pharia-userlist")
            .is_none()
    );
    assert!(server.get(&ns, "secret/pgbouncer-temporal-admin").is_none());
}

#[test]
fn bad_sources_write_nothing_and_exit_3() {
    let server = server();
    let ns = server.namespace("bad-sources");
    // No Secret matches Pharia's selector at all.
    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("qs-postgresql-cluster/name=cluster-pharia")
            && stderr.contains("nothing written"),
        "{stderr}"
    );
    // Roles, but not the admin role.
    server.source_secret(
        &ns,
        "cluster-pharia",
        "cluster-pharia-app",
        &[("username", "pharia_os"), ("password", "pharia-pw-1")],
    );
    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_no_secret_values(&out);
    assert!(
        text(&out.stderr).contains("the admin role \"pgbouncer\""),
        "{}",
        text(&out.stderr)
    );
    assert!(
        server
            .get(&ns, "secret/pgbouncer-pharia-userlist")
            .is_none()
    );
    assert!(server.get(&ns, "secret/pgbouncer-pharia-admin").is_none());
    // An existing userlist stays as it was when the sources turn bad.
    server.source_secret(
        &ns,
        "cluster-pharia",
        "cluster-pharia-pgbouncer",
        &[("username", "pgbouncer"), ("password", "pharia-admin-pw")],
    );
    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = server
        .secret_data(&ns, "pgbouncer-pharia-userlist")
        .unwrap();
    server.kubectl(
        &["-n", &ns, "delete", "secret", "cluster-pharia-pgbouncer"],
        None,
    );
    let out = server.qspgb(None, &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(
        server
            .secret_data(&ns, "pgbouncer-pharia-userlist")
            .unwrap(),
        written
    );
}

#[test]
fn the_rendered_rbac_allows_exactly_the_hooks_work() {
    let server = server();
    let (ns, sa) = server.hooks_namespace("rbac", &[]);
    server.kubectl(
        &[
            "-n",
            &ns,
            "create",
            "secret",
            "generic",
            "not-for-hooks",
            "--from-literal=keep=me",
        ],
        None,
    );

    // The hook's own work succeeds with the ServiceAccount's token, restart included.
    let out = server.qspgb(
        Some(&sa),
        &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("deployment/pgbouncer-pharia: restarted"),
        "{stdout}"
    );
    server.assert_secret(
        &ns,
        "pgbouncer-pharia-userlist",
        &[("userlist.txt", PHARIA_USERLIST)],
    );
    // A rerun (reads only) and a change (update by resourceNames) work too.
    let out = server.qspgb(
        Some(&sa),
        &["hooks", RELEASE, "-n", &ns, "--instance", "pharia"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // Pointed at a Secret it must not touch, the same token is refused: exit 4, the error
    // says forbidden, and that Secret is unchanged.
    let out = server.qspgb(
        Some(&sa),
        &[
            "hooks",
            RELEASE,
            "-n",
            &ns,
            "--instance",
            "pharia",
            "--set",
            "pgbouncerPharia.config.existingUserlistSecret=not-for-hooks",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("forbidden"),
        "{}",
        text(&out.stderr)
    );
    server.assert_secret(&ns, "not-for-hooks", &[("keep", "me")]);
    // The other instance's Secrets and workload are out of reach as well.
    let out = server.qspgb(
        Some(&sa),
        &["hooks", RELEASE, "-n", &ns, "--instance", "temporal"],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        server
            .get(&ns, "secret/pgbouncer-temporal-userlist")
            .is_none()
    );
    // Direct attempts outside the Role fail as well.
    for args in [
        vec![
            "-n",
            ns.as_str(),
            "delete",
            "secret",
            "pgbouncer-pharia-userlist",
        ],
        vec!["-n", ns.as_str(), "get", "secret", "not-for-hooks"],
        vec!["-n", "default", "get", "secrets"],
        vec![
            "-n",
            ns.as_str(),
            "patch",
            "secret",
            "not-for-hooks",
            "-p",
            r#"{"data":{"keep":"bm8="}}"#,
        ],
    ] {
        let out = server.kubectl_with(&sa, &args, None);
        assert!(!out.status.success(), "{args:?} must be refused");
        assert!(
            text(&out.stderr).contains("forbidden"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn the_rendered_hook_job_command_does_the_same_work() {
    let server = server();
    let ns = server.namespace("job-args");
    create_sources(&server, &ns);
    // The command line of Pharia's hook Job, exactly as rendered for this namespace.
    let out = server.qspgb(
        None,
        &[
            "render",
            RELEASE,
            "-n",
            &ns,
            "-s",
            "charts/pgbouncerPharia/templates/hooks-job.yaml",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let job: serde_yaml::Value = serde_yaml::from_str(
        text(&out.stdout)
            .split("---\n")
            .find(|d| d.contains("kind: Job"))
            .expect("a Job"),
    )
    .unwrap();
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let mut argv: Vec<String> = container["command"]
        .as_sequence()
        .map(|c| c.iter().map(|a| a.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    argv.extend(
        container["args"]
            .as_sequence()
            .expect("args")
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    // The image's entrypoint is qspgb itself; the Job gives it only arguments.
    assert_eq!(argv[0], "hooks", "{argv:?}");
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = server.qspgb(None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("pgbouncerPharia: 3 roles"));
    assert!(!text(&out.stdout).contains("pgbouncerTemporal"));
    server.assert_secret(
        &ns,
        "pgbouncer-pharia-userlist",
        &[("userlist.txt", PHARIA_USERLIST)],
    );
    server.assert_admin_secret(&ns, "pgbouncer-pharia-admin", "pharia-admin-pw");
}

#[test]
fn an_unreachable_server_is_a_clear_api_error() {
    let server = server();
    let dir = std::env::temp_dir().join(format!("qspgb-e2e-unreachable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A kubeconfig whose server is a closed loopback port.
    let path = dir.join("kubeconfig");
    kubeconfig_with_server(&server.kubeconfig, "https://127.0.0.1:9", &path);
    let started = std::time::Instant::now();
    let out = server.qspgb(
        Some(&path),
        &["hooks", RELEASE, "-n", "default", "--request-timeout", "5s"],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Connection refused"), "{stderr}");
    // A refused connection may be a server restarting: retried, within the 5 s budget
    // (waits of 0.25, 0.5, 1 and 2 s; the next, 4 s, would not fit).
    assert!(stderr.contains("(gave up after 5 attempts)"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What the Dockerfile's `scratch` image gives the hook Job: the static binary alone in an
/// empty root directory, run as user 65532, with the in-cluster environment (API address
/// as an IP in KUBERNETES_SERVICE_HOST, the service account's token, CA and namespace
/// files). It must find the cluster, authenticate and do the Job's work.
#[test]
fn the_static_binary_works_in_cluster_from_an_empty_root() {
    let server = server();
    let ns = server.namespace("in-cluster");
    create_sources(&server, &ns);
    server.apply_rendered(
        &ns,
        &[],
        &["charts/pgbouncerPharia/templates/hooks-rbac.yaml"],
    );
    let sa_config = server.service_account_kubeconfig(&ns, "pgbouncer-pharia-hooks");
    let sa_text = std::fs::read_to_string(&sa_config).unwrap();
    let field = |name: &str| {
        sa_text
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("{name} in the kubeconfig"))
    };
    let token = field("token:");
    let ca = base64_decode(&field("certificate-authority-data:"));
    let port = field("server:").rsplit(':').next().unwrap().to_string();

    let root = std::env::temp_dir().join(format!("qspgb-empty-root-{}", std::process::id()));
    let sa_dir = root.join("var/run/secrets/kubernetes.io/serviceaccount");
    std::fs::create_dir_all(&sa_dir).unwrap();
    std::fs::write(sa_dir.join("token"), token).unwrap();
    std::fs::write(sa_dir.join("ca.crt"), ca).unwrap();
    std::fs::write(sa_dir.join("namespace"), &ns).unwrap();
    // The image's layout (Dockerfile): the binary in /usr/local/bin, nothing else.
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_qspgb"),
        root.join("usr/local/bin/qspgb"),
    )
    .unwrap();
    let listing = Command::new("find").arg(&root).output().expect("find");
    assert_eq!(
        text(&listing.stdout).lines().count(),
        13,
        "{}",
        text(&listing.stdout)
    );

    let out = Command::new("/usr/sbin/chroot")
        .arg("--userspec=65532:65532")
        .arg(&root)
        .args([
            "/usr/local/bin/qspgb",
            "hooks",
            RELEASE,
            "--instance",
            "pharia",
        ])
        .env_clear()
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", &port)
        .output()
        .expect("chroot (the end-to-end tests run as root)");
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("secret/pgbouncer-pharia-userlist: created"),
        "{}",
        text(&out.stdout)
    );
    server.assert_secret(
        &ns,
        "pgbouncer-pharia-userlist",
        &[("userlist.txt", PHARIA_USERLIST)],
    );
}

/// A server that accepts connections and never answers: every request has a time limit,
/// so the run ends with an API error instead of hanging.
#[test]
fn a_silent_server_times_out() {
    let server = server();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Keep accepted connections open without a byte of reply.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let path = std::env::temp_dir().join(format!("qspgb-e2e-silent-{}", std::process::id()));
    kubeconfig_with_server(
        &server.kubeconfig,
        &format!("https://127.0.0.1:{port}"),
        &path,
    );
    let started = std::time::Instant::now();
    let out = server.qspgb(
        Some(&path),
        &["hooks", RELEASE, "-n", "default", "--request-timeout", "2s"],
    );
    let took = started.elapsed();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).to_lowercase().contains("timed out")
            || text(&out.stderr).to_lowercase().contains("timeout"),
        "{}",
        text(&out.stderr)
    );
}

/// `--context` picks a context of the kubeconfig other than the current one.
#[test]
fn context_chooses_among_kubeconfig_contexts() {
    let server = server();
    let ns = server.namespace("context");
    create_sources(&server, &ns);
    // The current context points at a closed port; a second context at the real server.
    let admin = std::fs::read_to_string(&server.kubeconfig).unwrap();
    let real_server = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("server:").map(str::trim))
        .unwrap()
        .to_string();
    let ca = admin
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("certificate-authority-data:")
                .map(str::trim)
        })
        .unwrap();
    let token = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("token:").map(str::trim))
        .unwrap();
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n\
         - name: dead\n  cluster:\n    server: https://127.0.0.1:9\n    certificate-authority-data: {ca}\n\
         - name: live\n  cluster:\n    server: {real_server}\n    certificate-authority-data: {ca}\n\
         users:\n- name: admin\n  user:\n    token: {token}\n\
         contexts:\n\
         - name: dead\n  context:\n    cluster: dead\n    user: admin\n\
         - name: live\n  context:\n    cluster: live\n    user: admin\n    namespace: {ns}\n\
         current-context: dead\n"
    );
    let path = std::env::temp_dir().join(format!("qspgb-e2e-contexts-{}", std::process::id()));
    std::fs::write(&path, config).unwrap();
    let dead = server.qspgb(
        None,
        &[
            "hooks",
            RELEASE,
            "--kubeconfig",
            path.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(dead.status.code(), Some(4), "{}", text(&dead.stderr));
    // The live context also supplies the namespace.
    let live = server.qspgb(
        None,
        &[
            "hooks",
            RELEASE,
            "--kubeconfig",
            path.to_str().unwrap(),
            "--context",
            "live",
            "--dry-run",
        ],
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(live.status.code(), Some(0), "{}", text(&live.stderr));
    assert!(
        text(&live.stdout).contains("secret/pgbouncer-pharia-userlist: would create"),
        "{}",
        text(&live.stdout)
    );
}

//! What the suites against the real kube-apiserver share (`e2e/hooks_e2e.rs`,
//! `e2e/hooks_faults.rs` and the others of `tests/e2e`): the running server from the environment, kubectl as an oracle
//! independent of the kube crate qspgb uses, qspgb itself, and the source Secrets fixture.
//!
//! `scripts/test.sh` starts the server with `scripts/kube-apiserver.sh start` and exports its
//! environment (KAE2E_RUN_DIR, KAE2E_KUBECTL, KUBECONFIG with an admin token). Without that
//! environment the tests fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value as Json;

use crate::util::{base64_decode, base64_encode, output_with_stdin};

/// The release name used throughout.
pub const RELEASE: &str = "qs-pgbouncer";
/// Pharia's hook ServiceAccount and Role, as the chart names them.
pub const HOOKS_SA: &str = "pgbouncer-pharia-hooks";
/// Pharia's userlist Secret, which the hooks write.
pub const USERLIST: &str = "pgbouncer-pharia-userlist";
/// Pharia's admin Secret, which the hooks write.
pub const ADMIN: &str = "pgbouncer-pharia-admin";

/// Values that make `qspgb hooks` restart the workloads after every change of their
/// Secrets (`hooks.restartOnChange: true`): the suites that test the restart itself (its
/// annotation, the restart a failed run still owes, retries around it) use them, since the
/// product's userlist-reload sidecar otherwise makes a userlist change restart nothing
/// (e2e/rotation.rs proves that).
pub const RESTART_ON_CHANGE: [&str; 2] = [
    "--set",
    "pgbouncerPharia.hooks.restartOnChange=true,pgbouncerTemporal.hooks.restartOnChange=true",
];

/// The running API server, from the environment `kube-apiserver.sh start` printed.
pub struct Server {
    pub run_dir: PathBuf,
    pub kubectl: PathBuf,
    pub kubeconfig: PathBuf,
}

/// The server; a test fails when there is none.
pub fn server() -> Server {
    let Ok(run_dir) = std::env::var("KAE2E_RUN_DIR") else {
        panic!(
            "no API server: run through `bash scripts/test.sh`, or start one with \
             `bash scripts/kube-apiserver.sh up` and `eval \"$(bash scripts/kube-apiserver.sh env)\"`"
        );
    };
    let run_dir = PathBuf::from(run_dir);
    Server {
        kubectl: std::env::var("KAE2E_KUBECTL")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("/var/cache/qspgb-e2e/bin/kubectl")),
        kubeconfig: run_dir.join("kubeconfig"),
        run_dir,
    }
}

/// Bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

impl Server {
    pub fn kubectl_with(&self, kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> Output {
        output_with_stdin(
            Command::new(&self.kubectl)
                .args(args)
                .env("KUBECONFIG", kubeconfig),
            stdin.unwrap_or(""),
        )
    }

    /// kubectl as admin; panics on failure.
    pub fn kubectl(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.kubectl_with(&self.kubeconfig, args, stdin);
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// The qspgb command with a kubeconfig (admin unless given), ready to run.
    pub fn qspgb_command(&self, kubeconfig: Option<&Path>, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qspgb"));
        command
            .args(args)
            .env("KUBECONFIG", kubeconfig.unwrap_or(&self.kubeconfig))
            .env_remove("KUBERNETES_SERVICE_HOST");
        command
    }

    /// qspgb with a kubeconfig (admin unless given).
    pub fn qspgb(&self, kubeconfig: Option<&Path>, args: &[&str]) -> Output {
        self.qspgb_command(kubeconfig, args)
            .output()
            .expect("run qspgb")
    }

    /// qspgb started in the background; killed when the guard is dropped.
    pub fn qspgb_spawn(&self, kubeconfig: Option<&Path>, args: &[&str]) -> ChildGuard {
        ChildGuard(Some(
            self.qspgb_command(kubeconfig, args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start qspgb"),
        ))
    }

    /// A namespace of its own for test `test` with Pharia's sources, its Deployment and the
    /// hooks' RBAC as rendered with `values`; returns it and the hook ServiceAccount's
    /// kubeconfig once RBAC answers for it.
    pub fn hooks_namespace(&self, test: &str, values: &[String]) -> (String, PathBuf) {
        let ns = self.namespace(test);
        create_sources(self, &ns);
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        self.apply_rendered(
            &ns,
            &values,
            &[
                "charts/pgbouncerPharia/templates/deployment.yaml",
                "charts/pgbouncerPharia/templates/hooks-rbac.yaml",
            ],
        );
        let sa = self.service_account_kubeconfig(&ns, HOOKS_SA);
        self.wait_for_rbac(&ns, "get", &format!("secrets/{USERLIST}"), "yes");
        (ns, sa)
    }

    /// RBAC rules reach the authorizer through a watch: wait until it answers `expected`
    /// for the hook ServiceAccount.
    pub fn wait_for_rbac(&self, ns: &str, verb: &str, what: &str, expected: &str) {
        let who = format!("--as=system:serviceaccount:{ns}:{HOOKS_SA}");
        for _ in 0..100 {
            if self.can_i(ns, verb, what, &who) == expected {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("RBAC never said {expected} to {verb} {what}");
    }

    /// `kubectl auth can-i` as the admin impersonating `who`: "yes" or "no".
    pub fn can_i(&self, ns: &str, verb: &str, what: &str, who: &str) -> String {
        let out = self.kubectl_with(
            &self.kubeconfig,
            &["-n", ns, "auth", "can-i", verb, what, who],
            None,
        );
        text(&out.stdout).trim().to_string()
    }

    /// A fresh namespace for one test (deleted namespaces stay Terminating without a
    /// controller-manager, so names are unique per process).
    pub fn namespace(&self, test: &str) -> String {
        let ns = format!("e2e-{test}-{}", std::process::id());
        self.kubectl(&["create", "namespace", &ns], None);
        ns
    }

    /// A Secret as the database charts create it: labelled for its cluster.
    pub fn source_secret(&self, ns: &str, cluster: &str, name: &str, data: &[(&str, &str)]) {
        let secret = source_secret_json(cluster, name, &text_data(data));
        self.kubectl(&["-n", ns, "create", "-f", "-"], Some(&secret.to_string()));
    }

    /// [`Server::source_secret`] with any bytes as values; `verb` is `create` or `replace`
    /// (of the whole Secret: keys left out are gone).
    pub fn write_source_secret(
        &self,
        verb: &str,
        ns: &str,
        cluster: &str,
        name: &str,
        data: &[(&str, &[u8])],
    ) {
        let secret = source_secret_json(cluster, name, data);
        self.kubectl(&["-n", ns, verb, "-f", "-"], Some(&secret.to_string()));
    }

    /// Several objects (`secret/NAME`, `deployment/NAME`) in one kubectl call, by those
    /// names; missing ones are left out.
    pub fn objects(&self, ns: &str, whats: &[&str]) -> BTreeMap<String, Json> {
        let mut args = vec!["-n", ns, "get", "--ignore-not-found", "-o", "json"];
        args.extend_from_slice(whats);
        let list: Json = serde_json::from_str(&self.kubectl(&args, None)).expect("JSON");
        let items = match list["kind"].as_str() {
            Some("List") => list["items"].as_array().cloned().unwrap_or_default(),
            Some(_) => vec![list],
            // Nothing found prints nothing.
            None => Vec::new(),
        };
        items
            .into_iter()
            .map(|item| {
                let kind = item["kind"].as_str().unwrap().to_lowercase();
                let name = item["metadata"]["name"].as_str().unwrap();
                (format!("{kind}/{name}"), item)
            })
            .collect()
    }

    /// An object as JSON, `None` when it does not exist.
    pub fn get(&self, ns: &str, what: &str) -> Option<Json> {
        let out = self.kubectl_with(
            &self.kubeconfig,
            &["-n", ns, "get", what, "-o", "json"],
            None,
        );
        if !out.status.success() {
            assert!(
                text(&out.stderr).contains("NotFound"),
                "{}",
                text(&out.stderr)
            );
            return None;
        }
        Some(serde_json::from_slice(&out.stdout).expect("JSON"))
    }

    /// A Secret's data, decoded.
    pub fn secret_data(&self, ns: &str, name: &str) -> Option<BTreeMap<String, String>> {
        Some(decoded_data(&self.get(ns, &format!("secret/{name}"))?))
    }

    pub fn resource_version(&self, ns: &str, what: &str) -> String {
        self.get(ns, what).expect(what)["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn generation(&self, ns: &str, what: &str) -> i64 {
        self.get(ns, what).expect(what)["metadata"]["generation"]
            .as_i64()
            .unwrap()
    }

    /// Applies what `qspgb render` prints for these template paths.
    pub fn apply_rendered(&self, ns: &str, extra: &[&str], show_only: &[&str]) {
        let mut args = vec!["render", RELEASE, "-n", ns];
        args.extend_from_slice(extra);
        for path in show_only {
            args.extend_from_slice(&["-s", path]);
        }
        let out = self.qspgb(None, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        self.kubectl(&["-n", ns, "apply", "-f", "-"], Some(&text(&out.stdout)));
    }

    /// Runs scripts/kube-apiserver.sh against this server's run directory.
    pub fn script(&self, args: &[&str]) -> Output {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kube-apiserver.sh"))
            .args(args)
            .env("KAE2E_RUN_DIR", &self.run_dir)
            .output()
            .expect("run scripts/kube-apiserver.sh")
    }

    /// A kubeconfig holding a token of the ServiceAccount `sa`.
    pub fn service_account_kubeconfig(&self, ns: &str, sa: &str) -> PathBuf {
        let token = self.script(&["sa-token", ns, sa, "600"]);
        let token = text(&token.stdout).trim().to_string();
        assert!(token.starts_with("ey"), "no token for {ns}/{sa}");
        let path = self.run_dir.join(format!("kubeconfig-{ns}-{sa}"));
        let out = self.script(&["kubeconfig-for-token", &token, path.to_str().unwrap(), ns]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        path
    }

    /// The admin kubeconfig with its server replaced by `https://127.0.0.1:PORT` (another
    /// API server on the same etcd, or a proxy presenting the API server's certificate),
    /// written into the run directory.
    pub fn kubeconfig_for_port(&self, port: u16) -> PathBuf {
        let path = self.run_dir.join(format!("kubeconfig-port-{port}"));
        kubeconfig_with_server(
            &self.kubeconfig,
            &format!("https://127.0.0.1:{port}"),
            &path,
        );
        path
    }
}

/// A Secret's data, decoded into text.
pub fn decoded_data(secret: &Json) -> BTreeMap<String, String> {
    let data = secret["data"].as_object().cloned().unwrap_or_default();
    data.into_iter()
        .map(|(k, v)| (k, base64_decode(v.as_str().unwrap())))
        .collect()
}

/// An admin Secret's data without the hooks' fingerprint key (`qspgb-hash-key`), after
/// checking that the key is there and well formed (64 lowercase hex digits).
pub fn without_hash_key(mut data: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let key = data.remove("qspgb-hash-key").expect("the fingerprint key");
    assert!(
        key.len() == 64
            && key
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "a malformed fingerprint key"
    );
    data
}

impl Server {
    /// An admin Secret's credentials: its data without the fingerprint key (checked).
    pub fn admin_credentials(&self, ns: &str, name: &str) -> BTreeMap<String, String> {
        without_hash_key(self.secret_data(ns, name).expect(name))
    }

    /// Asserts that Secret `name` exists and holds exactly `data` (decoded).
    pub fn assert_secret(&self, ns: &str, name: &str, data: &[(&str, &str)]) {
        let found = self.secret_data(ns, name);
        assert_eq!(found.as_ref(), Some(&map(data)), "secret/{name} in {ns}");
    }

    /// Asserts that admin Secret `name` holds the admin user `pgbouncer` with `password`
    /// (and nothing else but its hash key).
    pub fn assert_admin_secret(&self, ns: &str, name: &str, password: &str) {
        assert_eq!(
            self.admin_credentials(ns, name),
            map(&[("adminPassword", password), ("adminUser", "pgbouncer")]),
            "secret/{name} in {ns}"
        );
    }
}

/// Text values as bytes.
fn text_data<'a>(data: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a [u8])> {
    data.iter().map(|(k, v)| (*k, v.as_bytes())).collect()
}

/// A source Secret as the database charts create it: labelled for its cluster.
pub fn source_secret_json(cluster: &str, name: &str, data: &[(&str, &[u8])]) -> Json {
    let data: serde_json::Map<String, Json> = data
        .iter()
        .map(|(k, v)| (k.to_string(), Json::String(base64_encode(v))))
        .collect();
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "labels": {
                "app.kubernetes.io/name": "qs-postgresql-cluster",
                "qs-postgresql-cluster/name": cluster,
            },
        },
        "type": "Opaque",
        "data": data,
    })
}

/// A child process that is killed (and reaped) when dropped, so a failing test leaves no
/// process behind.
pub struct ChildGuard(Option<Child>);

impl ChildGuard {
    /// Waits for the process to end (at most `limit`, then kills it and panics).
    pub fn wait(mut self, limit: std::time::Duration) -> Output {
        let started = std::time::Instant::now();
        let child = self.0.as_mut().expect("a child");
        while child.try_wait().expect("try_wait").is_none() {
            assert!(
                started.elapsed() < limit,
                "qspgb still running after {limit:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.0
            .take()
            .unwrap()
            .wait_with_output()
            .expect("the output")
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The database clusters' Secrets of both instances, as CloudNativePG-style charts create
/// them: one with `user` instead of `username`, one that holds no credential (a CA
/// certificate with the cluster's labels), one of another cluster and one unlabelled
/// (neither may be used). One kubectl call.
pub fn create_sources(server: &Server, ns: &str) {
    let mut items = Vec::new();
    let mut s = |cluster: &str, name: &str, data: &[(&str, &str)]| {
        items.push(source_secret_json(cluster, name, &text_data(data)));
    };
    s(
        "cluster-pharia",
        "cluster-pharia-app",
        &[("username", "pharia_os"), ("password", "pharia-pw-1")],
    );
    s(
        "cluster-pharia",
        "cluster-pharia-document-index",
        &[("user", "document_index"), ("password", "di \"quoted\" pw")],
    );
    s(
        "cluster-pharia",
        "cluster-pharia-pgbouncer",
        &[("username", "pgbouncer"), ("password", "pharia-admin-pw")],
    );
    s(
        "cluster-pharia",
        "cluster-pharia-ca",
        &[("ca.crt", "-----BEGIN CERTIFICATE-----")],
    );
    s(
        "cluster-temporal",
        "cluster-temporal-app",
        &[("username", "temporal"), ("password", "temporal-pw")],
    );
    s(
        "cluster-temporal",
        "cluster-temporal-visibility",
        &[("username", "temporal_visibility"), ("password", "vis-pw")],
    );
    s(
        "cluster-temporal",
        "cluster-temporal-pgbouncer",
        &[("username", "pgbouncer"), ("password", "temporal-admin-pw")],
    );
    s(
        "cluster-other",
        "cluster-other-app",
        &[("username", "intruder"), ("password", "x")],
    );
    let mut unlabelled = source_secret_json(
        "",
        "unlabelled",
        &text_data(&[("username", "stranger"), ("password", "y")]),
    );
    unlabelled["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("labels");
    items.push(unlabelled);
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    server.kubectl(&["-n", ns, "create", "-f", "-"], Some(&list.to_string()));
}

/// Pharia's userlist from [`create_sources`].
pub const PHARIA_USERLIST: &str = "\"document_index\" \"di \"\"quoted\"\" pw\"\n\
                                   \"pgbouncer\" \"pharia-admin-pw\"\n\
                                   \"pharia_os\" \"pharia-pw-1\"\n";
/// Temporal's userlist from [`create_sources`].
pub const TEMPORAL_USERLIST: &str = "\"pgbouncer\" \"temporal-admin-pw\"\n\
                                     \"temporal\" \"temporal-pw\"\n\
                                     \"temporal_visibility\" \"vis-pw\"\n";

pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every secret value of the test data: none may appear in any output.
pub const PASSWORDS: &[&str] = &[
    "pharia-pw-1",
    "quoted",
    "pharia-admin-pw",
    "temporal-pw",
    "vis-pw",
    "temporal-admin-pw",
    "pharia-pw-2",
];

pub fn assert_no_secret_values(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let t = text(stream);
        for pw in PASSWORDS {
            assert!(!t.contains(pw), "output shows a password: {t}");
        }
    }
}

/// The workload's restart annotation, `None` without one.
pub fn restart_annotation(server: &Server, ns: &str, what: &str) -> Option<String> {
    server.get(ns, what).unwrap()["spec"]["template"]["metadata"]["annotations"]
        ["qspgb/secrets-hash"]
        .as_str()
        .map(str::to_string)
}

/// Replaces the `server:` line of `kubeconfig` and writes the result to `path`.
pub fn kubeconfig_with_server(kubeconfig: &Path, server: &str, path: &Path) {
    let config = std::fs::read_to_string(kubeconfig)
        .unwrap()
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("server:") {
                format!("    server: {server}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(path, config).unwrap();
}

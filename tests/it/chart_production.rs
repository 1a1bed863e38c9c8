//! The PgBouncer pods for production, as the real binary renders them: probes, pod and
//! container security, resources, logging in pgbouncer.ini, the graceful shutdown, client
//! TLS and topology spread. Each feature three ways: the chart defaults
//! (values/pgbouncer.yaml: off, i.e. upstream), the product defaults (values/values.yaml)
//! and values/upstream-compat.yaml (upstream again); and every refused value with exit code
//! 1, nothing on stdout and the key path on stderr.

use std::path::Path;

use serde_yaml::Value;

use crate::util::*;

/// The preStop command of the product defaults (PgBouncer is PID 1 of its container).
const PRESTOP_PID1: &str = "sleep 10; kill -TERM 1; n=0; while kill -0 1 2>/dev/null; do if [ $n -eq 60 ]; then psql -X -q -h '/tmp' -p 5432 -U pgbouncer -d pgbouncer -c 'SHUTDOWN WAIT_FOR_SERVERS' >/dev/null 2>&1; fi; n=$((n+1)); sleep 1; done";

/// The pod spec of an instance's workload.
fn pod<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    &one(docs, kind, name)["spec"]["template"]["spec"]
}

/// A container of an instance's Deployment by name.
fn container<'a>(docs: &'a [Value], name: &str, container: &str) -> &'a Value {
    crate::util::named_container(pod(docs, "Deployment", name), "containers", container)
}

/// The instance's pgbouncer.ini.
fn ini(docs: &[Value], name: &str) -> String {
    one(docs, "ConfigMap", &format!("{name}-configmap"))["data"]["pgbouncer.ini"]
        .as_str()
        .expect("pgbouncer.ini")
        .to_string()
}

/// The `[pgbouncer]` lines of the ini whose parameter is one of `params`, in order.
fn ini_lines(ini: &str, params: &[&str]) -> Vec<String> {
    ini.lines()
        .filter(|l| params.iter().any(|p| l.starts_with(&format!("{p} = "))))
        .map(str::to_string)
        .collect()
}

const QSPGB_PARAMS: [&str; 8] = [
    "log_connections",
    "log_disconnections",
    "log_pooler_errors",
    "verbose",
    "client_tls_sslmode",
    "client_tls_key_file",
    "client_tls_cert_file",
    "client_tls_ca_file",
];

/// The render fails with exit code 1, nothing on stdout, and `fragment` on stderr.
fn assert_refused(args: &[&str], fragment: &str) {
    let mut all = vec!["render", "my-pgbouncer"];
    all.extend_from_slice(args);
    let out = qspgb(&all);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "{args:?}: stdout must stay empty");
    assert!(
        stderr(&out).contains(fragment),
        "{args:?}: stderr lacks {fragment:?}: {}",
        stderr(&out)
    );
}

fn chart_defaults() -> Value {
    yaml(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("values/pgbouncer.yaml"),
        )
        .expect("values/pgbouncer.yaml"),
    )
}

/// Upstream 4.0.2's hard-coded probes.
fn upstream_probes() -> (Value, Value) {
    (
        yaml("{tcpSocket: {port: 5432}, initialDelaySeconds: 10, periodSeconds: 5}"),
        yaml("{tcpSocket: {port: 5432}, initialDelaySeconds: 60, periodSeconds: 10}"),
    )
}

// ---------------------------------------------------------------------------------------
// The three layers

#[test]
fn chart_defaults_are_upstream_or_off() {
    let d = chart_defaults();
    let (readiness, liveness) = upstream_probes();
    assert_eq!(d["readinessProbe"], readiness);
    assert_eq!(d["livenessProbe"], liveness);
    assert_eq!(d["startupProbe"], yaml("{}"));
    assert_eq!(d["pgbouncerExporter"]["readinessProbe"], yaml("{}"));
    assert_eq!(d["pgbouncerExporter"]["livenessProbe"], yaml("{}"));
    assert_eq!(d["podSecurityContext"], yaml("{}"));
    assert_eq!(d["automountServiceAccountToken"], Value::Null);
    assert_eq!(d["topologySpreadConstraints"], yaml("[]"));
    assert_eq!(d["topologySpreadPreset"], "");
    assert_eq!(
        d["logging"],
        yaml("{connections: null, disconnections: null, poolerErrors: null, verbose: null}")
    );
    assert_eq!(
        d["gracefulShutdown"],
        yaml(
            "{enabled: false, drainSeconds: 10, clientSeconds: {transaction: 30, session: 60}, \
             transactionSeconds: 10}"
        )
    );
    assert_eq!(
        d["clientTLS"],
        yaml("{enabled: false, secretName: '', sslmode: require, caFile: false}")
    );
    // Upstream keys keep upstream's defaults, but for two that gracefulShutdown derives
    // when they are null (rendered as upstream's 30 and 0 without it).
    assert_eq!(d["resources"], yaml("{}"));
    assert_eq!(d["terminationGracePeriodSeconds"], Value::Null);
    assert_eq!(d["minReadySeconds"], Value::Null);
    assert_eq!(d["lifecycle"], yaml("{}"));
}

/// With values/upstream-compat.yaml, nothing of this file's features is rendered and the
/// probes are upstream's (the Helm compatibility test compares everything else).
#[test]
fn upstream_compat_renders_none_of_it() {
    let docs = render(&["--helm-exact", "-f", "values/upstream-compat.yaml"]);
    let (readiness, liveness) = upstream_probes();
    for (alias, _) in INSTANCES {
        let name = format!("my-pgbouncer-{alias}");
        let spec = pod(&docs, "Deployment", &name);
        for key in [
            "securityContext",
            "automountServiceAccountToken",
            "topologySpreadConstraints",
        ] {
            assert!(spec.get(key).is_none(), "{name}: {key}");
        }
        assert_eq!(spec["terminationGracePeriodSeconds"], 30);
        let volumes: Vec<&Value> = spec["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| &v["name"])
            .collect();
        assert_eq!(volumes, ["tmp", "config", "userlist"]);
        let pgbouncer = container(&docs, &name, "pgbouncer");
        assert_eq!(pgbouncer["readinessProbe"], readiness);
        assert_eq!(pgbouncer["livenessProbe"], liveness);
        for key in ["startupProbe", "lifecycle"] {
            assert!(pgbouncer.get(key).is_none(), "{name}: {key}");
        }
        assert_eq!(
            ini_lines(&ini(&docs, &name), &QSPGB_PARAMS),
            Vec::<String>::new()
        );
    }
    // The original chart's resources: Pharia's cpu request only, Temporal none.
    let pharia = container(&docs, "my-pgbouncer-pgbouncerPharia", "pgbouncer");
    assert_eq!(pharia["resources"], yaml("{requests: {cpu: 50m}}"));
    let temporal = container(&docs, "my-pgbouncer-pgbouncerTemporal", "pgbouncer");
    assert!(temporal.get("resources").is_none(), "{temporal:?}");
    let exporter = container(&docs, "my-pgbouncer-pgbouncerPharia", "exporter");
    assert!(exporter.get("readinessProbe").is_none());
    assert!(exporter.get("livenessProbe").is_none());
}

// ---------------------------------------------------------------------------------------
// Probes

#[test]
fn probes_are_values_with_upstream_defaults() {
    let (readiness, liveness) = upstream_probes();
    let docs = render(&[]);
    for (_, name) in INSTANCES {
        let c = container(&docs, name, "pgbouncer");
        assert_eq!(c["readinessProbe"], readiness);
        assert_eq!(c["livenessProbe"], liveness);
        assert!(c.get("startupProbe").is_none());
    }
    let docs = render(&[
        "--set-json",
        r#"pgbouncerPharia.readinessProbe={"tcpSocket":null,"exec":{"command":["true"]},"periodSeconds":3}"#,
        "--set-json",
        r#"pgbouncerPharia.startupProbe={"tcpSocket":{"port":"psql"},"failureThreshold":30,"periodSeconds":2}"#,
        "--set",
        "pgbouncerTemporal.livenessProbe=null",
    ]);
    let c = container(&docs, "pgbouncer-pharia", "pgbouncer");
    assert_eq!(
        c["readinessProbe"],
        yaml("{exec: {command: ['true']}, initialDelaySeconds: 10, periodSeconds: 3}")
    );
    assert_eq!(
        c["startupProbe"],
        yaml("{tcpSocket: {port: psql}, failureThreshold: 30, periodSeconds: 2}")
    );
    let t = container(&docs, "pgbouncer-temporal", "pgbouncer");
    assert!(t.get("livenessProbe").is_none(), "null removes the probe");
    assert_eq!(t["readinessProbe"], readiness);
}

#[test]
fn the_exporter_gets_tcp_probes_on_its_named_port() {
    let docs = render(&["--set", "pgbouncerTemporal.pgbouncerExporter.enabled=true"]);
    for (_, name) in INSTANCES {
        let exporter = container(&docs, name, "exporter");
        assert_eq!(
            exporter["ports"],
            yaml("[{name: exporter, containerPort: 9127, protocol: TCP}]")
        );
        assert_eq!(
            exporter["readinessProbe"],
            yaml("{tcpSocket: {port: exporter}, initialDelaySeconds: 5, periodSeconds: 10}")
        );
        assert_eq!(
            exporter["livenessProbe"],
            yaml(
                "{tcpSocket: {port: exporter}, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 3}"
            )
        );
    }
}

#[test]
fn a_probe_without_exactly_one_handler_is_refused() {
    assert_refused(
        &[
            "--set-json",
            r#"pgbouncerPharia.readinessProbe={"exec":{"command":["true"]}}"#,
        ],
        "pgbouncerPharia.readinessProbe needs exactly one handler (exec, grpc, httpGet or tcpSocket), found exec, tcpSocket",
    );
    assert_refused(
        &[
            "--set-json",
            r#"pgbouncerTemporal.livenessProbe={"tcpSocket":null}"#,
        ],
        "pgbouncerTemporal.livenessProbe needs exactly one handler (exec, grpc, httpGet or tcpSocket), found none",
    );
    assert_refused(
        &[
            "--set-json",
            r#"pgbouncerPharia.pgbouncerExporter.livenessProbe={"httpGet":{"path":"/metrics","port":9127}}"#,
        ],
        "pgbouncerPharia.pgbouncerExporter.livenessProbe needs exactly one handler",
    );
    assert_refused(
        &["--set", "pgbouncerPharia.startupProbe=tcp"],
        "pgbouncerPharia.startupProbe: expected object, found string",
    );
}

// ---------------------------------------------------------------------------------------
// Security and resources

/// Every container of the pod, init containers first.
fn all_containers(spec: &Value) -> Vec<&Value> {
    let mut all: Vec<&Value> = Vec::new();
    for key in ["initContainers", "containers"] {
        if let Some(list) = spec[key].as_sequence() {
            all.extend(list.iter());
        }
    }
    all
}

#[test]
fn product_pods_are_hardened() {
    let docs = render(&[
        "--set",
        "pgbouncerTemporal.pgbouncerExporter.enabled=true,pgbouncerTemporal.kind=DaemonSet",
    ]);
    for (kind, name) in [
        ("Deployment", "pgbouncer-pharia"),
        ("DaemonSet", "pgbouncer-temporal"),
    ] {
        let spec = pod(&docs, kind, name);
        assert_eq!(
            spec["securityContext"],
            yaml(
                "{runAsNonRoot: true, runAsUser: 10070, runAsGroup: 10070, fsGroup: 10070, seccompProfile: {type: RuntimeDefault}}"
            ),
            "{name}"
        );
        assert_eq!(spec["automountServiceAccountToken"], false);
        let containers = all_containers(spec);
        let names: Vec<&Value> = containers.iter().map(|c| &c["name"]).collect();
        assert_eq!(
            names,
            ["userlist-check", "pgbouncer", "exporter", "userlist-reload"],
            "{name}"
        );
        for c in containers {
            let sc = &c["securityContext"];
            assert_eq!(sc["runAsNonRoot"], true, "{name} {:?}", c["name"]);
            assert_eq!(sc["allowPrivilegeEscalation"], false);
            assert_eq!(sc["readOnlyRootFilesystem"], true);
            assert_eq!(sc["capabilities"]["drop"], yaml("[ALL]"));
            for section in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    assert!(
                        c["resources"][section].get(resource).is_some(),
                        "{name} {:?}: resources.{section}.{resource}",
                        c["name"]
                    );
                }
            }
        }
        let pgbouncer = &spec["containers"][0];
        assert_eq!(
            pgbouncer["resources"],
            yaml("{requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: '1', memory: 256Mi}}")
        );
        assert_eq!(pgbouncer["securityContext"]["runAsUser"], 10070);
        assert_eq!(spec["containers"][1]["securityContext"]["runAsUser"], 65534);
        // The reload sidecar is PgBouncer's user: the console trusts only that one.
        assert_eq!(spec["containers"][2]["securityContext"]["runAsUser"], 10070);
        assert_eq!(
            spec["containers"][2]["securityContext"]["runAsGroup"],
            10070
        );
        assert_eq!(
            spec["initContainers"][0]["securityContext"]["seccompProfile"],
            yaml("{type: RuntimeDefault}")
        );
    }
}

#[test]
fn pod_security_keys_are_checked_and_nulls_left_out() {
    // A null deletes one product field; the others stay.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.podSecurityContext.fsGroup=null,pgbouncerPharia.automountServiceAccountToken=true",
    ]);
    let spec = pod(&docs, "Deployment", "pgbouncer-pharia");
    assert!(spec["securityContext"].get("fsGroup").is_none());
    assert_eq!(spec["securityContext"]["runAsUser"], 10070);
    assert_eq!(spec["automountServiceAccountToken"], true);
    // null: not rendered, so Kubernetes' default (mount the token) applies.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.automountServiceAccountToken=null,pgbouncerPharia.podSecurityContext=null",
    ]);
    let spec = pod(&docs, "Deployment", "pgbouncer-pharia");
    assert!(spec.get("automountServiceAccountToken").is_none());
    assert!(spec.get("securityContext").is_none());
    assert_refused(
        &[
            "--set-string",
            "pgbouncerPharia.automountServiceAccountToken=false",
        ],
        "pgbouncerPharia.automountServiceAccountToken: expected boolean, found string",
    );
    assert_refused(
        &["--set", "pgbouncerTemporal.podSecurityContext=70"],
        "pgbouncerTemporal.podSecurityContext: expected object, found integer",
    );
}

/// The product's resources are undone with nulls; null entries never reach the manifest.
#[test]
fn null_resources_are_left_out() {
    let docs = render(&[
        "--set",
        "pgbouncerPharia.resources.limits=null,pgbouncerPharia.resources.requests.memory=null",
    ]);
    assert_eq!(
        container(&docs, "pgbouncer-pharia", "pgbouncer")["resources"],
        yaml("{requests: {cpu: 50m}}")
    );
}

// ---------------------------------------------------------------------------------------
// Logging

#[test]
fn logging_is_written_as_zero_or_one() {
    let docs = render(&[]);
    for (_, name) in INSTANCES {
        assert_eq!(
            ini_lines(&ini(&docs, name), &QSPGB_PARAMS),
            [
                "log_connections = 0",
                "log_disconnections = 1",
                "log_pooler_errors = 1",
                "verbose = 0"
            ],
            "{name}"
        );
    }
    let docs = render(&[
        "--set",
        "pgbouncerPharia.logging.connections=true,pgbouncerPharia.logging.disconnections=false",
        "--set",
        "pgbouncerPharia.logging.poolerErrors=null,pgbouncerPharia.logging.verbose=2",
    ]);
    assert_eq!(
        ini_lines(&ini(&docs, "pgbouncer-pharia"), &QSPGB_PARAMS),
        [
            "log_connections = 1",
            "log_disconnections = 0",
            "verbose = 2"
        ]
    );
}

#[test]
fn config_pgbouncer_wins_over_logging_and_is_written_once() {
    let docs = render(&[
        "--set",
        "pgbouncerPharia.config.pgbouncer.log_connections=1,pgbouncerPharia.config.pgbouncer.verbose=1",
    ]);
    let text = ini(&docs, "pgbouncer-pharia");
    assert_eq!(
        ini_lines(&text, &QSPGB_PARAMS),
        [
            "log_connections = 1",
            "verbose = 1",
            "log_disconnections = 1",
            "log_pooler_errors = 1"
        ],
        "{text}"
    );
}

#[test]
fn a_logging_change_rolls_the_pods() {
    let checksum = |docs: &[Value]| {
        one(docs, "Deployment", "pgbouncer-pharia")["spec"]["template"]["metadata"]["annotations"]
            ["checksum/config"]
            .clone()
    };
    let before = checksum(&render(&[]));
    let after = checksum(&render(&["--set", "pgbouncerPharia.logging.verbose=1"]));
    assert_ne!(before, after);
}

#[test]
fn bad_logging_values_are_refused() {
    for (set, fragment) in [
        (
            "pgbouncerPharia.logging.connections=yes",
            "pgbouncerPharia.logging.connections: expected integer or boolean, found string",
        ),
        (
            "pgbouncerTemporal.logging.poolerErrors=2",
            "pgbouncerTemporal.logging.poolerErrors: must be at most 1, found 2",
        ),
        (
            "pgbouncerTemporal.logging.verbose=-1",
            "pgbouncerTemporal.logging.verbose: must be at least 0, found -1",
        ),
        (
            "pgbouncerPharia.logging.verbose=true",
            "pgbouncerPharia.logging.verbose: expected integer, found boolean",
        ),
    ] {
        assert_refused(&["--set", set], fragment);
    }
}

// ---------------------------------------------------------------------------------------
// Graceful shutdown

fn prestop(docs: &[Value], kind: &str, name: &str) -> Value {
    pod(docs, kind, name)["containers"][0]["lifecycle"]["preStop"]["exec"]["command"].clone()
}

#[test]
fn the_product_drains_then_signals_sigterm_and_waits() {
    let docs = render(&["--set", "pgbouncerTemporal.kind=DaemonSet"]);
    for (kind, name) in [
        ("Deployment", "pgbouncer-pharia"),
        ("DaemonSet", "pgbouncer-temporal"),
    ] {
        assert_eq!(
            prestop(&docs, kind, name),
            Value::Sequence(vec!["/bin/sh".into(), "-c".into(), PRESTOP_PID1.into()]),
            "{name}"
        );
        // Both instances have a session-mode pool: 10 + 60 + 10.
        assert_eq!(pod(&docs, kind, name)["terminationGracePeriodSeconds"], 80);
        let workload = docs
            .iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .unwrap();
        assert_eq!(workload["spec"]["minReadySeconds"], 10);
        if kind == "Deployment" {
            assert_eq!(
                workload["spec"]["strategy"],
                yaml("{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}")
            );
        } else {
            // A DaemonSet's maxSurge needs Kubernetes 1.22 (the 1.20 API server refuses the
            // field), and upstream renders no updateStrategy: none is derived.
            assert!(workload["spec"].get("updateStrategy").is_none(), "{name}");
        }
    }
}

#[test]
fn transaction_mode_waits_clientseconds_transaction_and_explicit_keys_win() {
    // Pharia without its session-mode database: transaction mode only, 10 + 30 + 10.
    let docs = render(&[
        "--set-json",
        r#"pgbouncerPharia.config.databases={"pharia-os":null}"#,
        "--set",
        "pgbouncerTemporal.terminationGracePeriodSeconds=100,pgbouncerTemporal.minReadySeconds=0",
        "--set-json",
        r#"pgbouncerTemporal.updateStrategy={"type":"Recreate"}"#,
    ]);
    let pharia = pod(&docs, "Deployment", "pgbouncer-pharia");
    assert_eq!(pharia["terminationGracePeriodSeconds"], 50);
    assert!(
        prestop(&docs, "Deployment", "pgbouncer-pharia")[2]
            .as_str()
            .unwrap()
            .contains("if [ $n -eq 30 ]"),
    );
    assert_eq!(
        pod(&docs, "Deployment", "pgbouncer-temporal")["terminationGracePeriodSeconds"],
        100
    );
    let temporal = docs
        .iter()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "pgbouncer-temporal")
        .unwrap();
    assert!(temporal["spec"].get("minReadySeconds").is_none());
    assert_eq!(temporal["spec"]["strategy"], yaml("{type: Recreate}"));
}

#[test]
fn without_pgbouncer_as_pid_1_it_is_signalled_by_name() {
    let by_name = "sleep 20; pkill -TERM -x pgbouncer; n=0; while pgrep -x pgbouncer >/dev/null; do if [ $n -eq 60 ]; then psql -X -q -h '/tmp' -p 5432 -U pgbouncer -d pgbouncer -c 'SHUTDOWN WAIT_FOR_SERVERS' >/dev/null 2>&1; fi; n=$((n+1)); sleep 1; done";
    let docs = render(&[
        "--set",
        "pgbouncerPharia.shareProcessNamespace=true,pgbouncerPharia.gracefulShutdown.drainSeconds=20",
        "--set-json",
        r#"pgbouncerTemporal.command=["/bin/sh","-c","exec pgbouncer /etc/pgbouncer/pgbouncer.ini"]"#,
    ]);
    assert_eq!(
        prestop(&docs, "Deployment", "pgbouncer-pharia"),
        Value::Sequence(vec!["/bin/sh".into(), "-c".into(), by_name.into()])
    );
    assert_eq!(
        prestop(&docs, "Deployment", "pgbouncer-temporal"),
        Value::Sequence(vec![
            "/bin/sh".into(),
            "-c".into(),
            by_name.replace("sleep 20", "sleep 10").into()
        ])
    );
}

#[test]
fn an_explicit_lifecycle_wins_and_disabled_renders_none() {
    let docs = render(&[
        "--set-json",
        r#"pgbouncerPharia.lifecycle={"preStop":{"sleep":{"seconds":5}}}"#,
        "--set",
        "pgbouncerTemporal.gracefulShutdown.enabled=false",
    ]);
    assert_eq!(
        pod(&docs, "Deployment", "pgbouncer-pharia")["containers"][0]["lifecycle"],
        yaml("{preStop: {sleep: {seconds: 5}}}")
    );
    assert!(
        pod(&docs, "Deployment", "pgbouncer-temporal")["containers"][0]
            .get("lifecycle")
            .is_none()
    );
}

#[test]
fn a_drain_that_does_not_fit_the_grace_period_is_refused() {
    assert_refused(
        &[
            "--set",
            "pgbouncerPharia.gracefulShutdown.drainSeconds=60,pgbouncerPharia.terminationGracePeriodSeconds=60",
        ],
        "pgbouncerPharia.gracefulShutdown.drainSeconds (60) must be less than pgbouncerPharia.terminationGracePeriodSeconds (60)",
    );
    assert_refused(
        &[
            "--set",
            "pgbouncerTemporal.gracefulShutdown.drainSeconds=10s",
        ],
        "pgbouncerTemporal.gracefulShutdown.drainSeconds: expected integer, found string",
    );
    // The schema checks types whether or not the feature is on: a wrong value does not
    // wait for the day someone enables it.
    assert_refused(
        &[
            "--set",
            "pgbouncerTemporal.gracefulShutdown.enabled=false,pgbouncerTemporal.gracefulShutdown.drainSeconds=10s",
        ],
        "pgbouncerTemporal.gracefulShutdown.drainSeconds: expected integer, found string",
    );
}

// ---------------------------------------------------------------------------------------
// Client TLS

const TLS: &str = "pgbouncerTemporal.clientTLS.enabled=true,pgbouncerTemporal.clientTLS.secretName=pgbouncer-temporal-tls";

#[test]
fn client_tls_mounts_the_secret_and_configures_pgbouncer() {
    let plain = render(&[]);
    let docs = render(&["--set", TLS]);
    let name = "pgbouncer-temporal";
    assert_eq!(
        ini_lines(&ini(&docs, name), &QSPGB_PARAMS)[4..],
        [
            "client_tls_sslmode = require",
            "client_tls_key_file = /etc/pgbouncer-tls/tls.key",
            "client_tls_cert_file = /etc/pgbouncer-tls/tls.crt"
        ]
    );
    let spec = pod(&docs, "Deployment", name);
    let volume = spec["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "client-tls")
        .expect("client-tls volume");
    assert_eq!(
        volume,
        &yaml("{name: client-tls, secret: {secretName: pgbouncer-temporal-tls}}")
    );
    let mount = spec["containers"][0]["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "client-tls")
        .expect("client-tls mount");
    assert_eq!(
        mount,
        &yaml("{name: client-tls, mountPath: /etc/pgbouncer-tls/, readOnly: true}")
    );
    // The ini changed, so the pods roll.
    let checksum = |docs: &[Value]| {
        one(docs, "Deployment", name)["spec"]["template"]["metadata"]["annotations"]
            ["checksum/config"]
            .clone()
    };
    assert_ne!(checksum(&plain), checksum(&docs));
    // Off: no volume, no lines.
    assert!(
        pod(&plain, "Deployment", name)["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .all(|v| v["name"] != "client-tls")
    );
    assert!(!ini(&plain, name).contains("client_tls"));
}

#[test]
fn client_tls_ca_file_and_explicit_settings() {
    let docs = render(&[
        "--set",
        TLS,
        "--set",
        "pgbouncerTemporal.clientTLS.caFile=true,pgbouncerTemporal.clientTLS.sslmode=verify-full",
        "--set",
        "pgbouncerTemporal.config.pgbouncer.client_tls_sslmode=verify-ca",
    ]);
    let text = ini(&docs, "pgbouncer-temporal");
    let tls: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("client_tls"))
        .collect();
    assert_eq!(
        tls,
        [
            "client_tls_sslmode = verify-ca",
            "client_tls_key_file = /etc/pgbouncer-tls/tls.key",
            "client_tls_cert_file = /etc/pgbouncer-tls/tls.crt",
            "client_tls_ca_file = /etc/pgbouncer-tls/ca.crt"
        ],
        "{text}"
    );
    // With the exporter, require needs it to use TLS too.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.clientTLS.enabled=true,pgbouncerPharia.clientTLS.secretName=t,pgbouncerPharia.pgbouncerExporter.sslmode=require",
    ]);
    assert!(
        container(&docs, "pgbouncer-pharia", "exporter")["args"][4]
            .as_str()
            .unwrap()
            .contains("sslmode=require")
    );
}

#[test]
fn bad_client_tls_values_are_refused() {
    assert_refused(
        &["--set", "pgbouncerTemporal.clientTLS.enabled=true"],
        "pgbouncerTemporal.clientTLS.enabled needs pgbouncerTemporal.clientTLS.secretName",
    );
    assert_refused(
        &[
            "--set",
            TLS,
            "--set",
            "pgbouncerTemporal.clientTLS.sslmode=strict",
        ],
        r#"pgbouncerTemporal.clientTLS.sslmode: expected one of "disable", "allow", "prefer", "require", "verify-ca", "verify-full", found "strict""#,
    );
    assert_refused(
        &[
            "--set",
            TLS,
            "--set",
            "pgbouncerTemporal.clientTLS.sslmode=verify-full",
        ],
        "pgbouncerTemporal.clientTLS.sslmode verify-full needs pgbouncerTemporal.clientTLS.caFile=true",
    );
    assert_refused(
        &[
            "--set",
            "pgbouncerPharia.clientTLS.enabled=true,pgbouncerPharia.clientTLS.secretName=t",
        ],
        "pgbouncerPharia.clientTLS.sslmode require refuses the exporter's connection without TLS: set pgbouncerPharia.pgbouncerExporter.sslmode=require",
    );
    assert_refused(
        &[
            "--set",
            "pgbouncerPharia.clientTLS.enabled=true,pgbouncerPharia.clientTLS.secretName=t,pgbouncerPharia.clientTLS.sslmode=verify-ca",
        ],
        "pgbouncerPharia.clientTLS.sslmode verify-ca requires client certificates, which the exporter (pgbouncerPharia.pgbouncerExporter.enabled) does not have",
    );
}

// ---------------------------------------------------------------------------------------
// Topology spread

#[test]
fn the_zone_preset_selects_exactly_the_instance_pods() {
    let docs = render(&["--set", "pgbouncerTemporal.kind=DaemonSet"]);
    for (kind, name) in [
        ("Deployment", "pgbouncer-pharia"),
        ("DaemonSet", "pgbouncer-temporal"),
    ] {
        let workload = one(&docs, kind, name);
        let constraints = &workload["spec"]["template"]["spec"]["topologySpreadConstraints"];
        assert_eq!(constraints.as_sequence().unwrap().len(), 1, "{name}");
        let c = &constraints[0];
        assert_eq!(c["maxSkew"], 1);
        assert_eq!(c["topologyKey"], "topology.kubernetes.io/zone");
        assert_eq!(c["whenUnsatisfiable"], "ScheduleAnyway");
        let selector = &c["labelSelector"]["matchLabels"];
        assert_eq!(
            selector,
            &workload["spec"]["template"]["metadata"]["labels"]
        );
        assert_eq!(selector, &workload["spec"]["selector"]["matchLabels"]);
        assert_eq!(
            c["labelSelector"].as_mapping().unwrap().len(),
            1,
            "matchLabels only"
        );
    }
    // Extra pod labels: the selector stays the workload's own selector.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.podLabels.team=data,pgbouncerPharia.topologySpreadPreset=hostname",
    ]);
    let workload = one(&docs, "Deployment", "pgbouncer-pharia");
    let c = &workload["spec"]["template"]["spec"]["topologySpreadConstraints"][0];
    assert_eq!(c["topologyKey"], "kubernetes.io/hostname");
    assert_eq!(
        c["labelSelector"]["matchLabels"],
        workload["spec"]["selector"]["matchLabels"]
    );
    let pod_labels = workload["spec"]["template"]["metadata"]["labels"]
        .as_mapping()
        .unwrap();
    assert_eq!(pod_labels.len(), 3);
    for (k, v) in c["labelSelector"]["matchLabels"].as_mapping().unwrap() {
        assert_eq!(pod_labels.get(k), Some(v));
    }
}

#[test]
fn explicit_constraints_win_and_bad_ones_are_refused() {
    let explicit = r#"[{"maxSkew":2,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"x"}}}]"#;
    let docs = render(&[
        "--set-json",
        &format!("pgbouncerPharia.topologySpreadConstraints={explicit}"),
        "--set",
        "pgbouncerTemporal.topologySpreadPreset=",
    ]);
    assert_eq!(
        pod(&docs, "Deployment", "pgbouncer-pharia")["topologySpreadConstraints"],
        yaml(explicit)
    );
    assert!(
        pod(&docs, "Deployment", "pgbouncer-temporal")
            .get("topologySpreadConstraints")
            .is_none()
    );
    assert_refused(
        &["--set", "pgbouncerTemporal.topologySpreadPreset=region"],
        r#"pgbouncerTemporal.topologySpreadPreset: expected one of "", "zone", "hostname", found "region""#,
    );
    assert_refused(
        &["--set", "pgbouncerPharia.topologySpreadConstraints=zone"],
        "pgbouncerPharia.topologySpreadConstraints: expected array, found string",
    );
}

/// The userlist-reload sidecar: the product renders it as PgBouncer's own user (whatever
/// sets that user), without the `checksum/userlist` roll; upstream renders neither the
/// sidecar nor a change; a socket directory the sidecar cannot share is refused.
#[test]
fn the_reload_sidecar_is_pgbouncers_user_and_replaces_the_userlist_roll() {
    let reload_user = |docs: &[Value]| {
        let c = container(docs, "pgbouncer-pharia", "userlist-reload");
        (
            c["securityContext"]["runAsUser"].as_i64().unwrap(),
            c["securityContext"]["runAsGroup"].as_i64().unwrap(),
        )
    };
    let annotations = |docs: &[Value]| {
        one(docs, "Deployment", "pgbouncer-pharia")["spec"]["template"]["metadata"]["annotations"]
            .clone()
    };
    // Which user: the container's securityContext, else the pod's, else the image's (70).
    for (set, user) in [
        ("", (10070, 10070)),
        (
            "pgbouncerPharia.securityContext.runAsUser=20000,pgbouncerPharia.securityContext.runAsGroup=20001",
            (20000, 20001),
        ),
        (
            "pgbouncerPharia.securityContext.runAsUser=null,pgbouncerPharia.securityContext.runAsGroup=null,\
             pgbouncerPharia.podSecurityContext.runAsUser=30000,pgbouncerPharia.podSecurityContext.runAsGroup=null",
            (30000, 30000),
        ),
        (
            "pgbouncerPharia.securityContext.runAsUser=null,pgbouncerPharia.securityContext.runAsGroup=null,\
             pgbouncerPharia.podSecurityContext=null",
            (70, 70),
        ),
    ] {
        let docs = render(&["--set", set][..if set.is_empty() { 0 } else { 2 }]);
        assert_eq!(reload_user(&docs), user, "{set}");
        let sidecar = container(&docs, "pgbouncer-pharia", "userlist-reload");
        let args = "watch-userlist, /etc/userlist/userlist.txt, --socket-dir=/tmp, --port=5432, --interval=2s";
        assert_eq!(sidecar["args"], yaml(&format!("[{args}]")));
        // Both probes run the same watcher arguments with --probe, through the image's binary
        // (where the Dockerfile puts it).
        let dockerfile =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile"))
                .unwrap();
        assert!(
            dockerfile.contains(" /usr/local/bin/qspgb\n"),
            "{dockerfile}"
        );
        for probe in ["readinessProbe", "livenessProbe"] {
            assert_eq!(
                sidecar[probe]["exec"]["command"],
                yaml(&format!("[/usr/local/bin/qspgb, {args}, --probe]")),
                "{probe}"
            );
        }
        let mounts = yaml(
            "[{name: tmp, mountPath: /tmp}, {name: userlist, mountPath: /etc/userlist/, readOnly: true}]",
        );
        assert_eq!(sidecar["volumeMounts"], mounts);
        assert!(annotations(&docs).get("checksum/userlist").is_none());
    }
    // The interval reaches the arguments.
    let docs = render(&["--set", "pgbouncerPharia.userlistReload.intervalSeconds=7"]);
    let args = &container(&docs, "pgbouncer-pharia", "userlist-reload")["args"];
    assert_eq!(args[4], "--interval=7s");
    // Off: no sidecar, and the userlist rolls the pods again.
    let docs = render(&["--set", "pgbouncerPharia.userlistReload.enabled=false"]);
    assert!(
        pod(&docs, "Deployment", "pgbouncer-pharia")["containers"]
            .as_sequence()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "userlist-reload")
    );
    assert!(annotations(&docs).get("checksum/userlist").is_some());
    // Upstream: nothing of it.
    let docs = render(&["--helm-exact", "-f", "values/upstream-compat.yaml"]);
    let names: Vec<_> = docs
        .iter()
        .filter(|d| d["kind"] == "Deployment")
        .flat_map(|d| {
            d["spec"]["template"]["spec"]["containers"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|c| c["name"].clone())
        })
        .collect();
    assert!(
        !names.contains(&Value::from("userlist-reload")),
        "{names:?}"
    );
    // A socket directory the sidecar does not share, or no socket at all, is refused.
    for dir in ["/var/run/pgbouncer", ""] {
        let err = render_error(&[
            "--set",
            &format!("pgbouncerPharia.config.pgbouncer.unix_socket_dir={dir}"),
        ]);
        assert!(
            err.contains(
                "pgbouncerPharia.userlistReload.enabled needs PgBouncer's Unix socket in /tmp"
            ) && err.contains("pgbouncerPharia.config.pgbouncer.unix_socket_dir"),
            "{err}"
        );
    }
    assert!(
        render(&[
            "--set",
            "pgbouncerPharia.config.pgbouncer.unix_socket_dir=/tmp"
        ])
        .iter()
        .any(|d| d["kind"] == "Deployment")
    );
}

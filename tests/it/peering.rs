//! Peering (docs/peering.md), as the real binary renders it: the StatefulSet instead of the
//! Deployment, the headless peers Service, [peers] naming every possible pod (a sweep over
//! replica counts and autoscaling bounds), each pod's peer_id from `qspgb peer-config`
//! matching its [peers] entry, the NetworkPolicy, HPA and hooks Role following the
//! workload, and the render errors. The real PgBouncers are in `e2e/peering.rs`.

use serde_yaml::Value;

use crate::util::*;

const PHARIA: &str = "pgbouncer-pharia";
const NAMESPACE: &str = "pharia-ai";

fn on(extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--set", "pgbouncerPharia.peering.enabled=true"];
    args.extend_from_slice(extra);
    render(&args)
}

fn ini(docs: &[Value], fullname: &str) -> String {
    one(docs, "ConfigMap", &format!("{fullname}-configmap"))["data"]["pgbouncer.ini"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The `[peers]` entries: (peer_id, host, port).
fn peers(ini: &str) -> Vec<(u32, String, String)> {
    let mut lines = ini.lines().skip_while(|l| *l != "[peers]");
    assert_eq!(lines.next(), Some("[peers]"), "{ini}");
    lines
        .take_while(|l| !l.starts_with('['))
        .map(|l| {
            let (id, params) = l.split_once(" = ").expect("id = params");
            let mut host = None;
            let mut port = None;
            for param in params.split(' ') {
                match param.split_once('=').unwrap() {
                    ("host", h) => host = Some(h.to_string()),
                    ("port", p) => port = Some(p.to_string()),
                    other => panic!("unexpected parameter {other:?}"),
                }
            }
            (id.parse().unwrap(), host.unwrap(), port.unwrap())
        })
        .collect()
}

/// What `qspgb peer-config` writes for this pod (the init container's arguments).
fn peer_config(statefulset: &Value, pod: &str) -> String {
    let init = crate::util::named_container(
        &statefulset["spec"]["template"]["spec"],
        "initContainers",
        "peer-config",
    );
    let dir = std::env::temp_dir().join(format!("qspgb-it-peering-{}-{pod}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = dir.join("peer.ini");
    let args: Vec<String> = init["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| match a.as_str().unwrap() {
            "$(POD_NAME)" => pod.to_string(),
            "/etc/pgbouncer-peer/peer.ini" => output.display().to_string(),
            other => other.to_string(),
        })
        .collect();
    let out = qspgb(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let written = std::fs::read_to_string(&output).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    written
}

#[test]
fn peers_list_every_possible_pod() {
    // (extra values, expected peers, replicas in the StatefulSet)
    let cases: [(&[&str], usize, Option<u64>); 6] = [
        (&[], 3, Some(3)),
        (&["--set", "pgbouncerPharia.replicaCount=1"], 1, Some(1)),
        (&["--set", "pgbouncerPharia.replicaCount=0"], 0, Some(0)),
        (&["--set", "pgbouncerPharia.replicaCount=12"], 12, Some(12)),
        (
            &[
                "--set",
                "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.maxReplicas=4",
            ],
            4,
            None,
        ),
        (
            &[
                "--set",
                "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.replicaCount=2,\
                 pgbouncerPharia.autoscaling.minReplicas=3,pgbouncerPharia.autoscaling.maxReplicas=11",
            ],
            11,
            None,
        ),
    ];
    for (extra, count, replicas) in cases {
        let docs = on(extra);
        let set = one(&docs, "StatefulSet", PHARIA);
        assert_eq!(set["spec"]["replicas"].as_u64(), replicas, "{extra:?}");
        let peers = peers(&ini(&docs, PHARIA));
        assert_eq!(peers.len(), count, "{extra:?}");
        for (ordinal, (id, host, port)) in peers.iter().enumerate() {
            assert_eq!(*id as usize, ordinal + 1);
            assert_eq!(
                *host,
                format!("{PHARIA}-{ordinal}.{PHARIA}-peers.{NAMESPACE}.svc")
            );
            assert_eq!(port, "5432");
        }
        if replicas.is_none() {
            let hpa = one(&docs, "HorizontalPodAutoscaler", PHARIA);
            assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "StatefulSet");
            assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], PHARIA);
            assert_eq!(hpa["spec"]["maxReplicas"].as_u64(), Some(count as u64));
        }
    }
}

/// Pod N of the StatefulSet (`<name>-N`, its DNS name through the `serviceName` Service) is
/// [peers] entry N + 1, and `qspgb peer-config` gives that pod peer_id N + 1.
#[test]
fn each_pod_is_its_own_peer_entry() {
    for (alias, fullname) in [
        ("pgbouncerPharia", PHARIA),
        ("pgbouncerTemporal", "pgbouncer-temporal"),
    ] {
        let docs = render(&["--set", &format!("{alias}.peering.enabled=true")]);
        assert!(find(&docs, "Deployment", fullname).is_empty());
        let set = one(&docs, "StatefulSet", fullname);
        let spec = &set["spec"];
        assert_eq!(spec["podManagementPolicy"], "Parallel");
        let service_name = spec["serviceName"].as_str().unwrap();
        let service = one(&docs, "Service", service_name);
        assert_eq!(service["spec"]["clusterIP"], "None");
        assert_eq!(service["spec"]["publishNotReadyAddresses"], true);
        assert_eq!(service["spec"]["ports"][0]["targetPort"], "psql");
        // The headless Service selects exactly the StatefulSet's pods.
        assert_eq!(service["spec"]["selector"], spec["selector"]["matchLabels"]);
        let pod_labels = spec["template"]["metadata"]["labels"].as_mapping().unwrap();
        for (k, v) in service["spec"]["selector"].as_mapping().unwrap() {
            assert_eq!(pod_labels.get(k), Some(v));
        }
        let name = set["metadata"]["name"].as_str().unwrap();
        let ini = ini(&docs, fullname);
        assert!(
            ini.contains("\n%include /etc/pgbouncer-peer/peer.ini\n[peers]\n"),
            "{ini}"
        );
        // %include sits in [pgbouncer]: the last section before [peers].
        let before_peers = ini.split("[peers]").next().unwrap();
        assert!(before_peers.rfind("[pgbouncer]") > before_peers.rfind("[users]"));
        for (id, host, _) in peers(&ini) {
            let pod = format!("{name}-{}", id - 1);
            assert_eq!(host, format!("{pod}.{service_name}.{NAMESPACE}.svc"));
            assert_eq!(peer_config(set, &pod), format!("peer_id = {id}\n"));
        }
        // The emptyDir the init container writes is the one PgBouncer reads.
        let pod = &spec["template"]["spec"];
        let mounts = |c: &Value| {
            c["volumeMounts"]
                .as_sequence()
                .unwrap()
                .iter()
                .find(|m| m["name"] == "peer-config")
                .map(|m| m["mountPath"].clone())
        };
        let pgbouncer = &pod["containers"][0];
        assert_eq!(pgbouncer["name"], "pgbouncer");
        let init = crate::util::named_container(pod, "initContainers", "peer-config");
        assert_eq!(mounts(pgbouncer), Some(Value::from("/etc/pgbouncer-peer/")));
        assert_eq!(mounts(init), mounts(pgbouncer));
        let volume = pod["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "peer-config")
            .unwrap();
        assert!(volume["emptyDir"].is_mapping());
    }
}

#[test]
fn off_renders_the_deployment_and_no_peering() {
    let docs = render(&[]);
    for fullname in [PHARIA, "pgbouncer-temporal"] {
        one(&docs, "Deployment", fullname);
        assert!(find(&docs, "StatefulSet", fullname).is_empty());
        assert!(find(&docs, "Service", &format!("{fullname}-peers")).is_empty());
        let ini = ini(&docs, fullname);
        assert!(
            !ini.contains("%include") && !ini.contains("[peers]"),
            "{ini}"
        );
    }
}

#[test]
fn peering_errors_name_their_keys() {
    for (extra, expected) in [
        (
            "pgbouncerPharia.kind=DaemonSet",
            "pgbouncerPharia.peering.enabled needs pgbouncerPharia.kind Deployment",
        ),
        (
            "pgbouncerPharia.config.pgbouncer.peer_id=2",
            "pgbouncerPharia.config.pgbouncer.peer_id cannot be set with pgbouncerPharia.peering.enabled",
        ),
        (
            "pgbouncerPharia.config.pgbouncer.peer_id=0",
            "pgbouncerPharia.config.pgbouncer.peer_id cannot be set",
        ),
        (
            "pgbouncerPharia.replicaCount=16384",
            "pgbouncerPharia.replicaCount must be a whole number from 0 to 16383",
        ),
        (
            "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.maxReplicas=20000",
            "pgbouncerPharia.autoscaling.maxReplicas must be a whole number from 0 to 16383",
        ),
        (
            "pgbouncerPharia.fullnameOverride=a23456789012345678901234567890123456789012345678901234",
            "must be at most 52 characters",
        ),
        (
            "pgbouncerPharia.updateStrategy.type=Recreate",
            "pgbouncerPharia.updateStrategy is a Deployment strategy",
        ),
        (
            "pgbouncerPharia.updateStrategy.rollingUpdate.maxSurge=1",
            "pgbouncerPharia.updateStrategy is a Deployment strategy",
        ),
    ] {
        let err = render_error(&[
            "--set",
            "pgbouncerPharia.peering.enabled=true",
            "--set",
            extra,
        ]);
        assert!(err.contains(expected), "{extra}: {err}");
    }
    // The same values without peering render.
    render(&["--set", "pgbouncerPharia.config.pgbouncer.peer_id=2"]);
    // A StatefulSet strategy is passed on.
    let docs = on(&["--set", "pgbouncerPharia.updateStrategy.type=OnDelete"]);
    assert_eq!(
        one(&docs, "StatefulSet", PHARIA)["spec"]["updateStrategy"]["type"],
        "OnDelete"
    );
    // The schema: peering is a map with known keys.
    let err = render_error(&["--set", "pgbouncerPharia.peering.enabeld=true"]);
    assert!(err.contains("peering"), "{err}");
}

fn rule_to_own_pods(rules: &Value, peer_key: &str) -> bool {
    rules.as_sequence().unwrap().iter().any(|rule| {
        rule["ports"]
            == yaml(
                "- port: 5432
  protocol: TCP",
            )
            && rule[peer_key]
                == yaml(&format!(
                    "- podSelector:
    matchLabels:
      app.kubernetes.io/name: {PHARIA}
      app.kubernetes.io/instance: my-pgbouncer"
                ))
    })
}

#[test]
fn the_network_policy_admits_the_peers_both_ways() {
    let np = ["--set", "pgbouncerPharia.networkPolicy.enabled=true"];
    let docs = on(&np);
    let policy = one(&docs, "NetworkPolicy", PHARIA);
    let set = one(&docs, "StatefulSet", PHARIA);
    assert_eq!(
        policy["spec"]["podSelector"]["matchLabels"],
        set["spec"]["selector"]["matchLabels"]
    );
    assert!(rule_to_own_pods(&policy["spec"]["ingress"], "from"));
    assert!(rule_to_own_pods(&policy["spec"]["egress"], "to"));
    let off = render(&np);
    let policy = one(&off, "NetworkPolicy", PHARIA);
    assert!(!rule_to_own_pods(&policy["spec"]["ingress"], "from"));
    assert!(!rule_to_own_pods(&policy["spec"]["egress"], "to"));
}

#[test]
fn the_hooks_restart_the_workload_that_runs() {
    let role_resources = |docs: &[Value], alias: &str| {
        let role = docs
            .iter()
            .find(|d| {
                d["kind"] == "Role"
                    && d["metadata"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with(alias))
            })
            .expect("the hooks Role");
        let rule = role["rules"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|r| r["apiGroups"][0] == "apps")
            .unwrap();
        (rule["resources"].clone(), rule["resourceNames"].clone())
    };
    let docs = on(&[]);
    assert_eq!(
        role_resources(&docs, PHARIA),
        (yaml("[statefulsets]"), yaml(&format!("[{PHARIA}]")))
    );
    assert_eq!(
        role_resources(&docs, "pgbouncer-temporal").0,
        yaml("[deployments]")
    );
    assert_eq!(
        role_resources(&render(&[]), PHARIA).0,
        yaml("[deployments]")
    );
    // The hook Job renders the release again from its arguments: they carry peering, so
    // it finds (and patches) the StatefulSet.
    let job = docs
        .iter()
        .find(|d| {
            d["kind"] == "Job"
                && d["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with(PHARIA))
        })
        .unwrap();
    let args = job["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_sequence()
        .unwrap();
    let set_json = args
        .iter()
        .filter_map(Value::as_str)
        .find(|a| a.starts_with("--set-json="))
        .unwrap();
    assert!(
        set_json.contains(r#""peering":{"enabled":true}"#),
        "{set_json}"
    );
}

#[test]
fn peer_config_refuses_another_pods_name() {
    let dir = std::env::temp_dir().join(format!("qspgb-it-peer-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = dir.join("peer.ini");
    let output = output.to_str().unwrap();
    for pod in [
        "pgbouncer-pharia-7d4b9c-x2k8q",
        "pgbouncer-temporal-0",
        "pgbouncer-pharia-01",
    ] {
        let out = qspgb(&[
            "peer-config",
            "--statefulset",
            PHARIA,
            "--pod-name",
            pod,
            "--output",
            output,
        ]);
        assert_fails(&out, 1, "is not \"pgbouncer-pharia-<ordinal>\"");
        assert!(!dir.join("peer.ini").exists(), "{pod}: nothing written");
    }
    let out = qspgb(&[
        "peer-config",
        "--statefulset",
        PHARIA,
        "--pod-name",
        "pgbouncer-pharia-4",
        "--output",
        output,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(output).unwrap(), "peer_id = 5\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

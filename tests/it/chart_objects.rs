//! The chart's network, monitoring and autoscaling objects, as the real binary renders them:
//! NetworkPolicies (instances, hook pods, test Pods), the Service's `metrics` port,
//! ServiceMonitors, the PrometheusRule, the Grafana dashboard ConfigMap and the
//! HorizontalPodAutoscaler. Their presence by values and capabilities, and that every
//! selector, port and name matches the objects it refers to.
//!
//! The PrometheusRule's `promtool` checks are in `e2e/validate.rs`, with the other external
//! validators.

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml::Value;

use crate::util::*;

const MONITORING: &str = "monitoring.coreos.com/v1";

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn names(docs: &[&Value]) -> Vec<String> {
    docs.iter()
        .map(|d| d["metadata"]["name"].as_str().expect("a name").to_string())
        .collect()
}

/// Whether a matchLabels map selects these labels: non-empty and every pair present.
fn selects(match_labels: &Value, labels: &Value) -> bool {
    let selector = match_labels.as_mapping().expect("matchLabels map");
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn pod_labels(workload: &Value) -> &Value {
    &workload["spec"]["template"]["metadata"]["labels"]
}

/// The TCP ports PgBouncer's pod template declares, over all containers.
fn container_ports(workload: &Value) -> BTreeSet<u64> {
    workload["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .expect("containers")
        .iter()
        .flat_map(|c| c["ports"].as_sequence().cloned().unwrap_or_default())
        .map(|p| p["containerPort"].as_u64().expect("containerPort"))
        .collect()
}

/// The ports of the policy's rules (ingress or egress), flattened.
fn rule_ports(rules: &Value) -> BTreeSet<u64> {
    rules
        .as_sequence()
        .expect("rules")
        .iter()
        .flat_map(|r| r["ports"].as_sequence().cloned().unwrap_or_default())
        .map(|p| p["port"].as_u64().expect("numeric port"))
        .collect()
}

fn hook_annotation(doc: &Value) -> Option<&str> {
    doc["metadata"]["annotations"]
        .get("helm.sh/hook")
        .and_then(Value::as_str)
}

/// The network-policy example, with the `helm test` Pods and their policy.
const NETWORK_EXAMPLE: [&str; 3] = [
    "-f",
    "values/examples/network-policy.yaml",
    "--include-tests",
];

#[test]
fn nothing_new_is_rendered_by_default_nor_with_upstream_compat() {
    for extra in [
        vec![],
        vec!["--api-versions", MONITORING],
        vec![
            "--helm-exact",
            "-f",
            "values/upstream-compat.yaml",
            "--api-versions",
            MONITORING,
        ],
    ] {
        let docs = render(&extra);
        for kind in [
            "NetworkPolicy",
            "HorizontalPodAutoscaler",
            "ServiceMonitor",
            "PrometheusRule",
        ] {
            assert!(of_kind(&docs, kind).is_empty(), "{extra:?}: no {kind}");
        }
        for configmap in of_kind(&docs, "ConfigMap") {
            assert!(
                configmap["data"].get("pgbouncer.json").is_none(),
                "{extra:?}: no dashboard"
            );
        }
        for deployment in of_kind(&docs, "Deployment") {
            assert!(deployment["spec"]["replicas"].is_u64(), "{extra:?}");
        }
    }
}

#[test]
fn the_instance_policy_selects_exactly_its_pods_and_opens_only_their_ports() {
    // Temporal's exporter on too, on another port: the policy follows it.
    let docs = render(&[
        NETWORK_EXAMPLE[0],
        NETWORK_EXAMPLE[1],
        NETWORK_EXAMPLE[2],
        "--set",
        "pgbouncerTemporal.pgbouncerExporter.enabled=true,pgbouncerTemporal.pgbouncerExporter.servicePort=9200",
    ]);
    let policies = of_kind(&docs, "NetworkPolicy");
    let workloads: Vec<&Value> = of_kind(&docs, "Deployment");
    for (_, fullname) in INSTANCES {
        let policy = one(&docs, "NetworkPolicy", fullname);
        let deployment = one(&docs, "Deployment", fullname);
        let spec = &policy["spec"];
        let selector = &spec["podSelector"]["matchLabels"];
        // Exactly the workload's selector, so exactly the Service's pods.
        assert_eq!(selector, &deployment["spec"]["selector"]["matchLabels"]);
        assert_eq!(
            selector,
            &one(&docs, "Service", fullname)["spec"]["selector"]
        );
        assert!(selects(selector, pod_labels(deployment)));
        for other in &workloads {
            if other["metadata"]["name"] != fullname {
                assert!(!selects(selector, pod_labels(other)), "{fullname}");
            }
        }
        for pod in of_kind(&docs, "Pod") {
            assert!(!selects(selector, &pod["metadata"]["labels"]), "test Pod");
        }
        for job in of_kind(&docs, "Job") {
            assert!(!selects(selector, pod_labels(job)), "hook pod");
        }
        assert_eq!(spec["policyTypes"], yaml("[Ingress, Egress]"));
        // Ingress: the container ports, nothing else.
        assert_eq!(
            rule_ports(&spec["ingress"]),
            container_ports(deployment),
            "{fullname}"
        );
        let ingress = spec["ingress"].as_sequence().unwrap();
        assert_eq!(ingress.len(), 2);
        assert_eq!(ingress[0]["ports"], yaml("[{port: 5432, protocol: TCP}]"));
        assert_eq!(ingress[0]["from"][0], yaml("{podSelector: {}}"));
        assert_eq!(
            ingress[1]["from"],
            yaml(
                "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}}]"
            )
        );
        // Egress: the CloudNativePG cluster's pods on 5432, and DNS.
        let cluster = fullname.replace("pgbouncer-", "cluster-");
        assert_eq!(
            spec["egress"],
            yaml(&format!(
                "[{{ports: [{{port: 5432, protocol: TCP}}], to: [{{podSelector: {{matchLabels: {{cnpg.io/cluster: {cluster}}}}}}}]}},
                  {{ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}],
                    to: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}},
                          podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]}}]"
            ))
        );
        assert!(hook_annotation(policy).is_none(), "an ordinary manifest");
    }
    assert_eq!(
        names(&policies),
        [
            "pgbouncer-pharia",
            "pgbouncer-temporal",
            "pgbouncer-pharia-hooks",
            "pgbouncer-temporal-hooks",
            "my-pgbouncer-test"
        ]
    );

    // Without the exporter there is no exporter rule; empty lists are Kubernetes' "any".
    let docs = render(&[
        "--set",
        "pgbouncerTemporal.networkPolicy.enabled=true",
        "--set-json",
        "pgbouncerTemporal.networkPolicy.allowedClients=[]",
        "--set-json",
        "pgbouncerTemporal.networkPolicy.databaseEgress={\"peers\":[],\"ports\":[{\"port\":6432}]}",
        "--set-json",
        "pgbouncerTemporal.networkPolicy.extraEgress=[{\"ports\":[{\"port\":8443}]}]",
    ]);
    let spec = &one(&docs, "NetworkPolicy", "pgbouncer-temporal")["spec"];
    assert_eq!(
        spec["ingress"],
        yaml("[{ports: [{port: 5432, protocol: TCP}]}]")
    );
    assert_eq!(spec["egress"][0], yaml("{ports: [{port: 6432}]}"));
    assert_eq!(spec["egress"][2], yaml("{ports: [{port: 8443}]}"));
    assert!(
        docs.iter()
            .all(|d| d["kind"] != "NetworkPolicy" || d["metadata"]["name"] != "pgbouncer-pharia"),
        "only the instance that enables it"
    );
}

#[test]
fn the_hook_pods_may_only_reach_the_api_server() {
    let docs = render(&NETWORK_EXAMPLE);
    for (_, fullname) in INSTANCES {
        let name = format!("{fullname}-hooks");
        let policy = one(&docs, "NetworkPolicy", &name);
        let job = of_kind(&docs, "Job")
            .into_iter()
            .find(|j| j["spec"]["template"]["spec"]["serviceAccountName"] == name.as_str())
            .unwrap();
        let spec = &policy["spec"];
        assert!(selects(
            &spec["podSelector"]["matchLabels"],
            pod_labels(job)
        ));
        for deployment in of_kind(&docs, "Deployment") {
            assert!(!selects(
                &spec["podSelector"]["matchLabels"],
                pod_labels(deployment)
            ));
        }
        assert_eq!(spec["policyTypes"], yaml("[Ingress, Egress]"));
        assert!(spec.get("ingress").is_none(), "no ingress at all");
        // The API server only: no DNS, as the binary reaches it by KUBERNETES_SERVICE_HOST.
        assert_eq!(
            spec["egress"],
            yaml("[{ports: [{port: 443, protocol: TCP}, {port: 6443, protocol: TCP}]}]")
        );
        // In place before the Job, like its RBAC.
        let role = one(&docs, "Role", &name);
        assert_eq!(
            policy["metadata"]["annotations"],
            role["metadata"]["annotations"]
        );
    }
    let docs = render(&[
        NETWORK_EXAMPLE[0],
        NETWORK_EXAMPLE[1],
        NETWORK_EXAMPLE[2],
        "--set-json",
        "pgbouncerPharia.networkPolicy.apiServerEgress.peers=[{\"ipBlock\":{\"cidr\":\"10.0.0.1/32\"}}]",
    ]);
    let spec = &one(&docs, "NetworkPolicy", "pgbouncer-pharia-hooks")["spec"];
    assert_eq!(
        spec["egress"][0]["to"],
        yaml("[{ipBlock: {cidr: 10.0.0.1/32}}]")
    );
    // No hooks, no hook policy; --no-hooks leaves it out with the Job.
    for extra in [
        vec!["--no-hooks"],
        vec!["--set", "pgbouncerPharia.hooks.enabled=false"],
    ] {
        // --no-hooks leaves out the test Pods too, and may not be asked with them.
        let mut args: Vec<&str> = NETWORK_EXAMPLE
            .into_iter()
            .filter(|a| !(extra.contains(&"--no-hooks") && *a == "--include-tests"))
            .collect();
        args.extend(extra.iter().copied());
        let docs = render(&args);
        assert!(
            docs.iter()
                .all(|d| d["metadata"]["name"] != "pgbouncer-pharia-hooks"),
            "{extra:?}"
        );
        one(&docs, "NetworkPolicy", "pgbouncer-pharia");
    }
}

#[test]
fn the_test_pods_may_only_reach_pgbouncer_and_dns() {
    // Only Pharia's policy is on, yet the test Pods of both instances keep their way out.
    let docs = render(&[
        "--include-tests",
        "--set",
        "pgbouncerPharia.networkPolicy.enabled=true",
    ]);
    let policy = one(&docs, "NetworkPolicy", "my-pgbouncer-test");
    assert_eq!(hook_annotation(policy), Some("test"));
    let spec = &policy["spec"];
    for pod in of_kind(&docs, "Pod") {
        assert!(selects(
            &spec["podSelector"]["matchLabels"],
            &pod["metadata"]["labels"]
        ));
    }
    assert!(spec.get("ingress").is_none());
    let egress = spec["egress"].as_sequence().unwrap();
    assert_eq!(egress[0]["ports"], yaml("[{port: 5432, protocol: TCP}]"));
    let peers = egress[0]["to"].as_sequence().unwrap();
    let deployments = of_kind(&docs, "Deployment");
    assert_eq!(peers.len(), deployments.len());
    for deployment in deployments {
        assert!(
            peers.iter().any(|p| p["podSelector"]["matchLabels"]
                == deployment["spec"]["selector"]["matchLabels"])
        );
    }
    assert_eq!(
        rule_ports(&Value::Sequence(vec![egress[1].clone()])),
        BTreeSet::from([53])
    );
    for extra in [vec!["--skip-tests"], vec!["--set", "tests.enabled=false"]] {
        let mut args = vec!["--set", "pgbouncerPharia.networkPolicy.enabled=true"];
        args.extend(extra.iter().copied());
        let docs = render(&args);
        assert!(
            docs.iter()
                .all(|d| d["metadata"]["name"] != "my-pgbouncer-test"),
            "{extra:?}"
        );
    }
}

#[test]
fn the_service_exposes_the_exporter_as_metrics() {
    let docs = render(&[]);
    let service = one(&docs, "Service", "pgbouncer-pharia");
    let deployment = one(&docs, "Deployment", "pgbouncer-pharia");
    let exporter_port = &deployment["spec"]["template"]["spec"]["containers"][1]["ports"][0];
    assert_eq!(exporter_port["name"], "exporter");
    assert_eq!(
        service["spec"]["ports"][1],
        yaml(&format!(
            "{{port: {}, targetPort: exporter, protocol: TCP, name: metrics}}",
            exporter_port["containerPort"].as_u64().unwrap()
        ))
    );
    // Temporal's exporter is off: no metrics port; on, it has one.
    let ports = |docs: &[Value], name: &str| {
        one(docs, "Service", name)["spec"]["ports"]
            .as_sequence()
            .unwrap()
            .len()
    };
    assert_eq!(ports(&docs, "pgbouncer-temporal"), 1);
    let docs = render(&["--set", "pgbouncerTemporal.pgbouncerExporter.enabled=true"]);
    assert_eq!(ports(&docs, "pgbouncer-temporal"), 2);
    let docs = render(&["--set", "pgbouncerPharia.serviceMetricsPort.enabled=false"]);
    assert_eq!(ports(&docs, "pgbouncer-pharia"), 1);
}

/// Top-level ServiceMonitor settings used by the override tests.
const MONITOR_ON: [&str; 4] = [
    "--set",
    "serviceMonitor.enabled=true,pgbouncerTemporal.pgbouncerExporter.enabled=true",
    "--set-json",
    "serviceMonitor.labels={\"release\":\"kps\",\"team\":\"db\"}",
];

#[test]
fn service_monitors_need_the_crd_or_force() {
    let docs = render(&MONITOR_ON);
    assert!(
        of_kind(&docs, "ServiceMonitor").is_empty(),
        "no CRD, no force"
    );
    let mut args = MONITOR_ON.to_vec();
    args.extend(["--api-versions", MONITORING]);
    let docs = render_sources(&args);
    let monitors: Vec<&(String, Value)> = docs
        .iter()
        .filter(|(_, d)| d["kind"] == "ServiceMonitor")
        .collect();
    assert_eq!(monitors.len(), 2);
    assert!(
        monitors
            .iter()
            .all(|(s, _)| s == "qs-pgbouncer/templates/monitoring/servicemonitor.yaml")
    );
    let mut args = MONITOR_ON.to_vec();
    args.extend(["--set", "serviceMonitor.force=true"]);
    assert_eq!(of_kind(&render(&args), "ServiceMonitor").len(), 2);
    // Per instance: force for one instance only.
    let mut args = MONITOR_ON.to_vec();
    args.extend(["--set", "pgbouncerTemporal.serviceMonitor.force=true"]);
    assert_eq!(
        names(&of_kind(&render(&args), "ServiceMonitor")),
        ["pgbouncer-temporal"]
    );
    // Only instances with the exporter: Temporal's is off in the product defaults.
    let docs = render(&["--set", "serviceMonitor.enabled=true", "-a", MONITORING]);
    assert_eq!(
        names(&of_kind(&docs, "ServiceMonitor")),
        ["pgbouncer-pharia"]
    );
    let docs = render(&[
        "--set",
        "serviceMonitor.enabled=true,pgbouncerPharia.enabled=false",
        "-a",
        MONITORING,
    ]);
    assert!(of_kind(&docs, "ServiceMonitor").is_empty());
}

#[test]
fn service_monitors_select_their_service_and_scrape_its_metrics_port() {
    let mut args = MONITOR_ON.to_vec();
    args.extend(["--api-versions", MONITORING]);
    let docs = render(&args);
    let services = of_kind(&docs, "Service");
    for (_, fullname) in INSTANCES {
        let monitor = one(&docs, "ServiceMonitor", fullname);
        assert_eq!(monitor["apiVersion"], MONITORING);
        let selector = &monitor["spec"]["selector"]["matchLabels"];
        let service = one(&docs, "Service", fullname);
        // It selects its own Service and no other; the Service selects the pods.
        for other in &services {
            assert_eq!(
                selects(selector, &other["metadata"]["labels"]),
                other["metadata"]["name"] == fullname,
                "{fullname}"
            );
        }
        assert_eq!(selector, &service["spec"]["selector"]);
        assert!(selects(
            selector,
            pod_labels(one(&docs, "Deployment", fullname))
        ));
        let endpoints = monitor["spec"]["endpoints"].as_sequence().unwrap();
        assert_eq!(endpoints.len(), 1);
        let port = endpoints[0]["port"].as_str().unwrap();
        assert!(
            service["spec"]["ports"]
                .as_sequence()
                .unwrap()
                .iter()
                .any(|p| p["name"] == port && p["targetPort"] == "exporter")
        );
        assert_eq!(endpoints[0]["path"], "/metrics");
    }
}

#[test]
fn instance_service_monitor_keys_override_and_null_inherits() {
    let mut args = MONITOR_ON.to_vec();
    args.extend([
        "--api-versions",
        MONITORING,
        "--set",
        "serviceMonitor.interval=45s",
        "--set",
        "pgbouncerPharia.serviceMonitor.interval=15s,pgbouncerPharia.serviceMonitor.scrapeTimeout=5s",
        "--set-json",
        "pgbouncerPharia.serviceMonitor.labels={\"team\":\"pharia\",\"release\":null,\"extra\":\"1\"}",
        // An explicit null inherits, as the default does.
        "--set",
        "pgbouncerTemporal.serviceMonitor.interval=null",
    ]);
    let docs = render(&args);
    let pharia = one(&docs, "ServiceMonitor", "pgbouncer-pharia");
    let temporal = one(&docs, "ServiceMonitor", "pgbouncer-temporal");
    assert_eq!(
        pharia["spec"]["endpoints"][0],
        yaml("{port: metrics, path: /metrics, interval: 15s, scrapeTimeout: 5s}")
    );
    assert_eq!(
        temporal["spec"]["endpoints"][0],
        yaml("{port: metrics, path: /metrics, interval: 45s, scrapeTimeout: 10s}")
    );
    let label = |doc: &Value, key: &str| doc["metadata"]["labels"].get(key).cloned();
    assert_eq!(label(pharia, "team"), Some("pharia".into()));
    assert_eq!(label(pharia, "extra"), Some("1".into()));
    assert_eq!(
        label(pharia, "release"),
        None,
        "null removes a top-level label"
    );
    assert_eq!(label(temporal, "team"), Some("db".into()));
    assert_eq!(label(temporal, "release"), Some("kps".into()));
    assert_eq!(
        label(temporal, "app.kubernetes.io/name"),
        Some("pgbouncer-temporal".into())
    );

    // An instance can switch it on alone, or off alone.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.serviceMonitor.enabled=true",
        "-a",
        MONITORING,
    ]);
    assert_eq!(
        names(&of_kind(&docs, "ServiceMonitor")),
        ["pgbouncer-pharia"]
    );
    let mut args = MONITOR_ON.to_vec();
    args.extend([
        "-a",
        MONITORING,
        "--set",
        "pgbouncerPharia.serviceMonitor.enabled=false",
    ]);
    assert_eq!(
        names(&of_kind(&render(&args), "ServiceMonitor")),
        ["pgbouncer-temporal"]
    );
}

#[test]
fn service_monitor_misconfigurations_name_the_key() {
    let message = render_error(&[
        "--set",
        "pgbouncerTemporal.serviceMonitor.enabled=true",
        "-a",
        MONITORING,
    ]);
    assert!(
        message.contains("pgbouncerTemporal.serviceMonitor.enabled needs pgbouncerTemporal.pgbouncerExporter.enabled"),
        "{message}"
    );
    let message = render_error(&[
        "--set",
        "serviceMonitor.enabled=true,pgbouncerPharia.serviceMetricsPort.enabled=false",
        "-a",
        MONITORING,
    ]);
    assert!(
        message.contains("pgbouncerPharia.serviceMetricsPort.enabled"),
        "{message}"
    );
}

/// The rendered PrometheusRule (with both exporters on).
fn prometheus_rule(extra: &[&str]) -> Value {
    let mut args = vec![
        "--set",
        "prometheusRule.enabled=true,pgbouncerTemporal.pgbouncerExporter.enabled=true",
        "-a",
        MONITORING,
    ];
    args.extend_from_slice(extra);
    let docs = render(&args);
    let rules = of_kind(&docs, "PrometheusRule");
    assert_eq!(rules.len(), 1);
    rules[0].clone()
}

fn alerts(rule: &Value) -> Vec<&Value> {
    let groups = rule["spec"]["groups"].as_sequence().unwrap();
    assert_eq!(groups.len(), 1, "one group");
    groups[0]["rules"].as_sequence().unwrap().iter().collect()
}

fn alert<'a>(rule: &'a Value, name: &str) -> &'a Value {
    alerts(rule)
        .into_iter()
        .find(|a| a["alert"] == name)
        .unwrap_or_else(|| panic!("no alert {name}"))
}

/// Every metric of pgbouncer_exporter v0.10.2 that the chart's rules and dashboard use.
const EXPORTER_METRICS: &[&str] = &[
    "pgbouncer_up",
    "pgbouncer_used_clients",
    "pgbouncer_config_max_client_connections",
    "pgbouncer_pools_client_active_connections",
    "pgbouncer_pools_client_waiting_connections",
    "pgbouncer_pools_server_active_connections",
    "pgbouncer_pools_server_idle_connections",
    "pgbouncer_pools_client_maxwait_seconds",
    "pgbouncer_databases_pool_size",
    "pgbouncer_stats_queries_pooled_total",
    "pgbouncer_stats_queries_duration_seconds_total",
];

/// The `pgbouncer_*` names an expression uses.
fn metric_names(expr: &str) -> BTreeSet<String> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("pgbouncer_"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_prometheus_rule_needs_the_crd_or_force_and_an_exporter() {
    let docs = render(&["--set", "prometheusRule.enabled=true"]);
    assert!(of_kind(&docs, "PrometheusRule").is_empty());
    let docs = render(&[
        "--set",
        "prometheusRule.enabled=true,prometheusRule.force=true",
    ]);
    assert_eq!(of_kind(&docs, "PrometheusRule").len(), 1);
    let docs = render(&["-a", MONITORING]);
    assert!(of_kind(&docs, "PrometheusRule").is_empty());
    let message = render_error(&[
        "--set",
        "prometheusRule.enabled=true,pgbouncerPharia.pgbouncerExporter.enabled=false",
        "-a",
        MONITORING,
    ]);
    assert!(
        message.contains(
            "prometheusRule.enabled needs an enabled instance with pgbouncerExporter.enabled"
        ),
        "{message}"
    );
}

#[test]
fn every_alert_is_scoped_to_this_release_and_configurable() {
    let rule = prometheus_rule(&["--set-json", "prometheusRule.labels={\"release\":\"kps\"}"]);
    assert_eq!(rule["metadata"]["name"], "my-pgbouncer");
    assert_eq!(rule["metadata"]["labels"]["release"], "kps");
    let names: Vec<&str> = alerts(&rule)
        .iter()
        .map(|a| a["alert"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "PgBouncerExporterDown",
            "PgBouncerDown",
            "PgBouncerClientsWaiting",
            "PgBouncerClientMaxWaitHigh",
            "PgBouncerPoolSaturated",
            "PgBouncerMaxClientConnNear"
        ]
    );
    let scope = r#"namespace="pharia-ai",job=~"(pharia-ai/)?pgbouncer-pharia|(pharia-ai/)?pgbouncer-temporal""#;
    for alert in alerts(&rule) {
        let expr = alert["expr"].as_str().unwrap();
        let selectors = expr.matches('{').count();
        assert!(selectors > 0);
        // Every selector names the namespace, and every job selector is this release's.
        assert_eq!(
            expr.matches("{namespace=\"pharia-ai\",job=~\"").count(),
            selectors,
            "{expr}"
        );
        assert!(expr.contains(scope), "{expr}");
        for metric in metric_names(expr) {
            assert!(EXPORTER_METRICS.contains(&metric.as_str()), "{metric}");
        }
        if expr.contains("pgbouncer_pools_") {
            assert!(expr.contains("database!=\"pgbouncer\""), "{expr}");
        }
        assert!(alert["labels"]["severity"].is_string());
        assert!(alert["annotations"]["summary"].is_string());
        assert!(alert["annotations"]["description"].is_string());
    }
    // Thresholds, durations, severities and extra labels come from the values.
    let rule = prometheus_rule(&[
        "--set",
        "prometheusRule.alerts.poolSaturation.ratio=0.75,prometheusRule.alerts.maxWait.seconds=12",
        "--set",
        "prometheusRule.alerts.maxClientConn.for=15m,prometheusRule.alerts.clientsWaiting.threshold=3",
        "--set",
        "prometheusRule.alerts.pgbouncerDown.severity=page,prometheusRule.alertLabels.team=data",
        "--set",
        "prometheusRule.alerts.exporterDown.enabled=false",
    ]);
    assert!(
        alert(&rule, "PgBouncerPoolSaturated")["expr"]
            .as_str()
            .unwrap()
            .ends_with("> 0.75")
    );
    assert!(
        alert(&rule, "PgBouncerClientMaxWaitHigh")["expr"]
            .as_str()
            .unwrap()
            .ends_with("> 12")
    );
    assert!(
        alert(&rule, "PgBouncerClientsWaiting")["expr"]
            .as_str()
            .unwrap()
            .ends_with("> 3")
    );
    assert_eq!(alert(&rule, "PgBouncerMaxClientConnNear")["for"], "15m");
    assert_eq!(
        alert(&rule, "PgBouncerDown")["labels"],
        yaml("{team: data, severity: page}")
    );
    assert!(
        alerts(&rule)
            .iter()
            .all(|a| a["alert"] != "PgBouncerExporterDown")
    );
    // Only instances with the exporter: Temporal's is off in the product defaults.
    let docs = render(&["--set", "prometheusRule.enabled=true", "-a", MONITORING]);
    let expr = alert(of_kind(&docs, "PrometheusRule")[0], "PgBouncerDown")["expr"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        expr.contains("pgbouncer-pharia") && !expr.contains("temporal"),
        "{expr}"
    );
}

/// The dashboard ConfigMap of a render, and its JSON parsed.
fn dashboard(extra: &[&str]) -> (Value, serde_json::Value) {
    let mut args = vec!["--set", "grafanaDashboard.enabled=true"];
    args.extend_from_slice(extra);
    let docs = render_sources(&args);
    let found: Vec<&Value> = docs
        .iter()
        .filter(|(s, _)| s == "qs-pgbouncer/templates/monitoring/grafana-dashboard.yaml")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(found.len(), 1);
    let configmap = found[0].clone();
    let text = configmap["data"]["pgbouncer.json"]
        .as_str()
        .expect("the dashboard JSON");
    let json = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
    (configmap, json)
}

#[test]
fn the_dashboard_is_json_for_the_grafana_sidecar() {
    let (configmap, json) = dashboard(&[]);
    assert_eq!(configmap["kind"], "ConfigMap");
    assert_eq!(configmap["metadata"]["name"], "my-pgbouncer-dashboard");
    assert_eq!(configmap["metadata"]["labels"]["grafana_dashboard"], "1");
    assert!(configmap["metadata"].get("namespace").is_none());
    assert!(configmap["metadata"].get("annotations").is_none());
    assert_eq!(json["title"], "PgBouncer (pharia-ai/my-pgbouncer)");
    let uid = json["uid"].as_str().unwrap();
    assert!(uid.starts_with("qspgb-") && uid.len() <= 40, "{uid}");
    // Variables: data source, namespace (this release's by default), instance (job), pod.
    let variables = json["templating"]["list"].as_array().unwrap();
    let variable_names: Vec<&str> = variables
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(variable_names, ["datasource", "namespace", "job", "pod"]);
    assert_eq!(variables[1]["current"]["value"], "pharia-ai");
    // The panels the dashboard is for, each on the exporter's metric names and variables.
    let panels = json["panels"].as_array().unwrap();
    let mut used = BTreeSet::new();
    for panel in panels {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            assert!(
                expr.contains("namespace=\"$namespace\",job=~\"$job\",pod=~\"$pod\""),
                "{expr}"
            );
            used.extend(metric_names(expr));
        }
    }
    for metric in &used {
        assert!(EXPORTER_METRICS.contains(&metric.as_str()), "{metric}");
    }
    for wanted in [
        "pgbouncer_pools_client_active_connections",
        "pgbouncer_pools_client_waiting_connections",
        "pgbouncer_pools_server_active_connections",
        "pgbouncer_pools_server_idle_connections",
        "pgbouncer_pools_client_maxwait_seconds",
        "pgbouncer_used_clients",
        "pgbouncer_config_max_client_connections",
    ] {
        assert!(used.contains(wanted), "a panel shows {wanted}");
    }
    let ids: BTreeSet<u64> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.len(), panels.len(), "panel ids are unique");

    // Another release gets another dashboard; folder, namespace and labels from the values.
    let (configmap, other) = dashboard(&[
        "--set",
        "grafanaDashboard.folder=Databases,grafanaDashboard.namespace=monitoring",
        "--set-json",
        "grafanaDashboard.labels={\"grafana_dashboard\":null,\"dashboards\":\"pg\"}",
    ]);
    assert_eq!(json["uid"], other["uid"], "same release, same uid");
    assert_eq!(configmap["metadata"]["namespace"], "monitoring");
    assert_eq!(
        configmap["metadata"]["name"],
        "my-pgbouncer-pharia-ai-dashboard"
    );
    assert_eq!(
        configmap["metadata"]["annotations"],
        yaml("{grafana_folder: Databases}")
    );
    assert_eq!(configmap["metadata"]["labels"]["dashboards"], "pg");
    assert!(
        configmap["metadata"]["labels"]
            .get("grafana_dashboard")
            .is_none()
    );
    let out = qspgb(&[
        "render",
        "other-release",
        "-n",
        "pharia-ai",
        "--set",
        "grafanaDashboard.enabled=true",
        "--show-only",
        "templates/monitoring/grafana-dashboard.yaml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_yaml::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .split_once('\n')
            .unwrap()
            .1,
    )
    .unwrap();
    let third: serde_json::Value =
        serde_json::from_str(doc["data"]["pgbouncer.json"].as_str().unwrap()).unwrap();
    assert_ne!(third["uid"], json["uid"]);
    assert_ne!(third["title"], json["title"]);
}

#[test]
fn the_dashboard_file_itself_is_json() {
    // The partial is Grafana's JSON between a comment and {% raw %} ... {% endraw %}.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/monitoring/_pgbouncer-dashboard.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, json) = text.split_once("{% raw %}\n").expect("{% raw %}");
    let json = json.strip_suffix("{% endraw %}\n").expect("{% endraw %}");
    let parsed: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(parsed["uid"], "@@UID@@");
}

#[test]
fn the_autoscaler_scales_the_deployment_that_leaves_out_replicas() {
    let docs = render_sources(&[
        "--set",
        "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.maxReplicas=8",
    ]);
    let hpas: Vec<&(String, Value)> = docs
        .iter()
        .filter(|(_, d)| d["kind"] == "HorizontalPodAutoscaler")
        .collect();
    assert_eq!(hpas.len(), 1);
    let (source, hpa) = hpas[0];
    assert_eq!(
        source,
        "qs-pgbouncer/charts/pgbouncerPharia/templates/hpa.yaml"
    );
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    let docs: Vec<Value> = docs.iter().map(|(_, d)| d.clone()).collect();
    let deployment = one(&docs, "Deployment", "pgbouncer-pharia");
    let target = &hpa["spec"]["scaleTargetRef"];
    assert_eq!(target["apiVersion"], deployment["apiVersion"]);
    assert_eq!(target["kind"], deployment["kind"]);
    assert_eq!(target["name"], deployment["metadata"]["name"]);
    assert_eq!(hpa["metadata"]["name"], "pgbouncer-pharia");
    assert!(
        deployment["spec"].get("replicas").is_none(),
        "the HPA owns it"
    );
    assert_eq!(
        one(&docs, "Deployment", "pgbouncer-temporal")["spec"]["replicas"],
        3
    );
    assert_eq!(hpa["spec"]["minReplicas"], 2);
    assert_eq!(hpa["spec"]["maxReplicas"], 8);
    assert_eq!(
        hpa["spec"]["metrics"],
        yaml(
            "[{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]"
        )
    );
    assert!(hpa["spec"].get("behavior").is_none());

    // Extra metrics are appended; a behavior is passed on; CPU can be left out.
    let docs = render(&[
        "--set",
        "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.targetCPUUtilizationPercentage=null",
        "--set-json",
        "pgbouncerPharia.autoscaling.metrics=[{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"pgbouncer_used_clients\"},\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"150\"}}}]",
        "--set-json",
        "pgbouncerPharia.autoscaling.behavior={\"scaleDown\":{\"stabilizationWindowSeconds\":600}}",
    ]);
    let hpa = one(&docs, "HorizontalPodAutoscaler", "pgbouncer-pharia");
    assert_eq!(
        hpa["spec"]["metrics"],
        yaml(
            "[{type: Pods, pods: {metric: {name: pgbouncer_used_clients}, target: {type: AverageValue, averageValue: '150'}}}]"
        )
    );
    assert_eq!(
        hpa["spec"]["behavior"],
        yaml("{scaleDown: {stabilizationWindowSeconds: 600}}")
    );
}

#[test]
fn autoscaling_misconfigurations_fail_naming_the_key() {
    let message = render_error(&[
        "--set",
        "pgbouncerPharia.kind=DaemonSet,pgbouncerPharia.autoscaling.enabled=true",
    ]);
    assert!(
        message.contains("pgbouncerPharia.autoscaling.enabled needs pgbouncerPharia.kind Deployment, found \"DaemonSet\""),
        "{message}"
    );
    // CPU utilization is measured against the request: without one, it is an error.
    let message = render_error(&[
        "--set",
        "pgbouncerTemporal.autoscaling.enabled=true,pgbouncerTemporal.resources.requests.cpu=null",
    ]);
    assert!(
        message.contains("pgbouncerTemporal.autoscaling.targetCPUUtilizationPercentage needs pgbouncerTemporal.resources.requests.cpu"),
        "{message}"
    );
    let message = render_error(&[
        "--set",
        "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.maxReplicas=1",
    ]);
    assert!(
        message.contains("pgbouncerPharia.autoscaling.maxReplicas"),
        "{message}"
    );
    let message = render_error(&[
        "--set",
        "pgbouncerPharia.autoscaling.enabled=true,pgbouncerPharia.autoscaling.targetCPUUtilizationPercentage=null",
    ]);
    assert!(
        message.contains("pgbouncerPharia.autoscaling.metrics"),
        "{message}"
    );
}

/// The container resources of an instance's workload.
fn pgbouncer_resources(docs: &[(String, serde_yaml::Value)], alias: &str) -> serde_yaml::Value {
    let (_, deployment) = docs
        .iter()
        .find(|(source, doc)| source.contains(&format!("/{alias}/")) && doc["kind"] == "Deployment")
        .expect("the instance's Deployment");
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"].clone()
}

/// `--preset upstream-compat` changes the chart's defaults: a user's map merges over the
/// original chart's (none here), never over the product's `limits` the preset removes. The
/// same preset given as a values file cannot do that: Helm's merge lets the user's map
/// replace the file's `null`, and the product defaults come back under it.
#[test]
fn a_preset_changes_defaults_that_user_values_cannot_bring_back() {
    // --set-json replaces the file's null (a --set path through a null is refused, as in Helm).
    let user = [
        "--set-json",
        "pgbouncerTemporal.resources.limits={\"cpu\":2}",
    ];
    let preset =
        render_sources(&[&["--helm-exact", "--preset", "upstream-compat"], &user[..]].concat());
    assert_eq!(
        pgbouncer_resources(&preset, "pgbouncerTemporal"),
        yaml("limits: {cpu: 2}")
    );
    let as_file = render_sources(
        &[
            &["--helm-exact", "-f", "values/upstream-compat.yaml"],
            &user[..],
        ]
        .concat(),
    );
    assert_eq!(
        pgbouncer_resources(&as_file, "pgbouncerTemporal")["limits"]["memory"],
        "256Mi",
        "as a values file the product's limit comes back (why the preset exists)"
    );
    // Pharia keeps the original wrapper's request and nothing of the product's.
    assert_eq!(
        pgbouncer_resources(&preset, "pgbouncerPharia"),
        yaml("requests: {cpu: 50m}")
    );
    let err = render_error(&["--preset", "nope"]);
    assert!(
        err.contains("--preset \"nope\": no such preset (known: "),
        "{err}"
    );
    assert!(err.contains("upstream-compat"), "{err}");
}

//! The README's one-liner, `qspgb render … | kubectl apply -f -`, against the real
//! kube-apiserver with the real kubectl (scripts/kube-apiserver.sh builds both from
//! Debian's source; run by scripts/test.sh like `e2e/hooks_e2e.rs`).
//!
//! Applied once, a value changed, applied again: both applies succeed, no `helm test` Pod
//! exists, the hook Job of the changed instance is a new Job (its name follows its spec),
//! and what the hook Job wrote (the userlist and admin Secrets, the restart annotation)
//! is kept. The kinds this v1.20 server does not serve are left out, and named: the test
//! fails if anything else would be left out.
//!
//! The server has no controller-manager, so no Job runs by itself: each hook Job's work is
//! done by running its exact command line with its own ServiceAccount's token.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::util;
use crate::util::apiserver::*;

/// What this API server (v1.20) does not serve, of what the product defaults render:
/// exactly these are left out of the applies.
/// (The hooks' rotation CronJob needs batch/v1 CronJob, Kubernetes 1.21; Temporal's PDB
/// policy/v1, 1.21. Monitoring and autoscaling are off in the product defaults.)
const NOT_SERVED: [&str; 2] = ["batch/v1 CronJob", "policy/v1 PodDisruptionBudget"];

/// One rendered document: its `apiVersion kind`, its name and its text.
struct Doc {
    kind: String,
    name: String,
    text: String,
}

fn render(ns: &str, extra: &[&str]) -> Vec<Doc> {
    let mut args = vec!["render", RELEASE, "-n", ns];
    args.extend_from_slice(extra);
    let out = util::qspgb(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .split("---\n")
        .filter(|d| d.contains("kind:"))
        .map(|d| {
            let v: serde_yaml::Value = serde_yaml::from_str(d).expect("YAML");
            Doc {
                kind: format!(
                    "{} {}",
                    v["apiVersion"].as_str().unwrap(),
                    v["kind"].as_str().unwrap()
                ),
                name: v["metadata"]["name"].as_str().unwrap().to_string(),
                text: format!("---\n{d}"),
            }
        })
        .collect()
}

/// The `apiVersion kind` pairs the server serves, for the API versions of `docs`.
fn served(server: &Server, docs: &[Doc]) -> BTreeSet<String> {
    let versions: BTreeSet<&str> = docs
        .iter()
        .map(|d| d.kind.split_once(' ').unwrap().0)
        .collect();
    let mut served = BTreeSet::new();
    for version in versions {
        let path = if version.contains('/') {
            format!("/apis/{version}")
        } else {
            format!("/api/{version}")
        };
        let out = server.kubectl_with(&server.kubeconfig, &["get", "--raw", &path], None);
        if !out.status.success() {
            assert!(
                text(&out.stderr).contains("NotFound"),
                "{}",
                text(&out.stderr)
            );
            continue;
        }
        let list: Json = serde_json::from_slice(&out.stdout).unwrap();
        for resource in list["resources"].as_array().unwrap() {
            served.insert(format!("{version} {}", resource["kind"].as_str().unwrap()));
        }
    }
    served
}

/// What `kubectl apply` gets: the documents the server serves. Asserts that exactly the
/// kinds of [`NOT_SERVED`] are left out.
fn applicable(server: &Server, docs: &[Doc]) -> String {
    let served = served(server, docs);
    let left_out: BTreeSet<&str> = docs
        .iter()
        .filter(|d| !served.contains(&d.kind))
        .map(|d| d.kind.as_str())
        .collect();
    assert_eq!(left_out, NOT_SERVED.into_iter().collect(), "left out");
    docs.iter()
        .filter(|d| served.contains(&d.kind))
        .map(|d| d.text.as_str())
        .collect()
}

/// The README's command: `kubectl apply -n NS -f -` of the rendering. Client-side
/// validation is off: kubectl 1.20 checks against the 1.20 schemas and refuses fields added
/// since (`Service.spec.internalTrafficPolicy`, 1.21), which a current kubectl against a
/// current cluster accepts; the server still validates everything it knows.
fn kubectl_apply(server: &Server, ns: &str, manifests: &str) -> std::process::Output {
    server.kubectl_with(
        &server.kubeconfig,
        &["apply", "--validate=false", "-n", ns, "-f", "-"],
        Some(manifests),
    )
}

fn names_of<'a>(docs: &'a [Doc], kind: &str) -> Vec<&'a str> {
    docs.iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.name.as_str())
        .collect()
}

/// Does each hook Job's work: its exact command line, run with the token of its own
/// ServiceAccount (the rendered Role, applied as a plain object).
fn run_hook_jobs(server: &Server, ns: &str, docs: &[Doc]) {
    for doc in docs.iter().filter(|d| d.kind == "batch/v1 Job") {
        let job: serde_yaml::Value = serde_yaml::from_str(&doc.text).unwrap();
        let pod = &job["spec"]["template"]["spec"];
        let sa = pod["serviceAccountName"].as_str().unwrap();
        let args: Vec<&str> = pod["containers"][0]["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let kubeconfig = server.service_account_kubeconfig(ns, sa);
        // RBAC reaches the authorizer through a watch: retry a refused first run briefly.
        let mut out = server.qspgb(Some(&kubeconfig), &args);
        for _ in 0..50 {
            if out.status.code() != Some(4) || !text(&out.stderr).contains("forbidden") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            out = server.qspgb(Some(&kubeconfig), &args);
        }
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            doc.name,
            text(&out.stderr)
        );
        assert_no_secret_values(&out);
    }
}

const SECRETS: [&str; 4] = [
    "secret/pgbouncer-pharia-userlist",
    "secret/pgbouncer-pharia-admin",
    "secret/pgbouncer-temporal-userlist",
    "secret/pgbouncer-temporal-admin",
];

/// The hook-written state: the Secrets' data and the workloads' restart annotations.
fn hook_state(server: &Server, ns: &str) -> BTreeMap<String, String> {
    let mut state = BTreeMap::new();
    for what in SECRETS {
        let data = server.secret_data(ns, what.trim_start_matches("secret/"));
        state.insert(what.to_string(), format!("{:?}", data.expect(what)));
    }
    for what in [
        "deployment/pgbouncer-pharia",
        "deployment/pgbouncer-temporal",
    ] {
        let annotation = restart_annotation(server, ns, what).expect("restarted by the hook");
        state.insert(what.to_string(), annotation);
    }
    state
}

fn pods(server: &Server, ns: &str) -> String {
    server.kubectl(&["-n", ns, "get", "pods", "-o", "name"], None)
}

/// The values changed between the two applies: one PgBouncer setting (ConfigMap,
/// Deployment) and one setting of Pharia's hook Job (its spec, which is immutable).
const CHANGE: [&str; 4] = [
    "--set",
    "pgbouncerPharia.config.pgbouncer.max_client_conn=777",
    "--set",
    "pgbouncerPharia.hooks.activeDeadlineSeconds=301",
];

#[test]
fn the_readme_one_liner_applies_twice_with_a_changed_value() {
    let server = server();
    let ns = server.namespace("kubectl-apply");
    create_sources(&server, &ns);

    let first = render(&ns, &[]);
    assert!(first.iter().all(|d| d.kind != "v1 Pod"), "no helm test Pod");
    let out = kubectl_apply(&server, &ns, &applicable(&server, &first));
    assert!(out.status.success(), "first apply: {}", text(&out.stderr));
    assert_eq!(pods(&server, &ns), "", "no Pod after the first apply");
    run_hook_jobs(&server, &ns, &first);
    let written = hook_state(&server, &ns);
    assert!(written["secret/pgbouncer-pharia-admin"].contains("qspgb-hash-key"));

    let second = render(&ns, &CHANGE);
    let out = kubectl_apply(&server, &ns, &applicable(&server, &second));
    assert!(out.status.success(), "second apply: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("configmap/pgbouncer-pharia-configmap configured"),
        "{stdout}"
    );
    assert_eq!(pods(&server, &ns), "", "no Pod after the second apply");

    // The changed value arrived.
    let config = server
        .get(&ns, "configmap/pgbouncer-pharia-configmap")
        .unwrap();
    assert!(
        config["data"]["pgbouncer.ini"]
            .as_str()
            .unwrap()
            .contains("max_client_conn = 777")
    );
    // Pharia's hook Job is a new Job (its spec changed), Temporal's is the same one.
    let (jobs1, jobs2) = (
        names_of(&first, "batch/v1 Job"),
        names_of(&second, "batch/v1 Job"),
    );
    assert_eq!(jobs1.len(), 2);
    assert_ne!(jobs1[0], jobs2[0], "Pharia's Job is named by its spec");
    assert_eq!(jobs1[1], jobs2[1], "Temporal's Job did not change");
    let live: Vec<String> = server
        .kubectl(&["-n", &ns, "get", "jobs", "-o", "name"], None)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(live.len(), 3, "{live:?}");
    // The hook's work survives the second apply: every Secret byte for byte, and the
    // restart annotations kubectl's three-way merge does not own.
    assert_eq!(hook_state(&server, &ns), written);
    // And the new Job's run finds nothing to write.
    run_hook_jobs(&server, &ns, &second);
    assert_eq!(hook_state(&server, &ns), written);
}

/// The control: with the `helm test` Pods included (`--include-tests`, what `render`
/// printed by default before), the same two applies fail on the second, on the test Pod's
/// immutable spec, after kubectl updated the ConfigMap: half an apply.
#[test]
fn with_the_test_pods_the_second_apply_fails_half_way() {
    let server = server();
    let ns = server.namespace("kubectl-tests");
    create_sources(&server, &ns);
    let first = render(&ns, &["--include-tests"]);
    assert_eq!(names_of(&first, "v1 Pod").len(), 2, "two test Pods");
    let out = kubectl_apply(&server, &ns, &applicable(&server, &first));
    assert!(out.status.success(), "first apply: {}", text(&out.stderr));
    assert_eq!(pods(&server, &ns).lines().count(), 2);
    let mut change = CHANGE.to_vec();
    change.push("--include-tests");
    let second = render(&ns, &change);
    let out = kubectl_apply(&server, &ns, &applicable(&server, &second));
    assert!(!out.status.success(), "the second apply must fail");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Pod") && stderr.contains("Forbidden: pod updates may not change fields"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("configmap/pgbouncer-pharia-configmap configured"));
}

/// A sweep over values that change the hook Jobs' specs (and with them the Roles, the
/// ConfigMaps, the Deployments): applied one after the other into one namespace, every
/// apply succeeds, each distinct spec is one Job, no Pod ever exists, and what the hooks
/// wrote before the first change is kept through all of them.
#[test]
fn every_change_of_the_job_spec_applies() {
    let server = server();
    let ns = server.namespace("kubectl-sweep");
    create_sources(&server, &ns);
    let first = render(&ns, &[]);
    let out = kubectl_apply(&server, &ns, &applicable(&server, &first));
    assert!(out.status.success(), "{}", text(&out.stderr));
    run_hook_jobs(&server, &ns, &first);
    let written = hook_state(&server, &ns);
    let changes: [&[&str]; 7] = [
        &["--set", "pgbouncerPharia.hooks.image.tag=0.5.1"],
        &[
            "--set",
            "pgbouncerPharia.hooks.backoffLimit=4,pgbouncerTemporal.hooks.backoffLimit=4",
        ],
        &[
            "--set",
            "pgbouncerTemporal.hooks.resources.limits.memory=128Mi",
        ],
        &[
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector.tier=db",
        ],
        &[
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector=null",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretNames=["cluster-pharia-app","cluster-pharia-pgbouncer"]"#,
        ],
        &[
            "--set",
            "pgbouncerPharia.config.adminUser=pgbouncer,pgbouncerPharia.replicaCount=3",
        ],
        // Back to the start: the first Jobs' names again, nothing new.
        &[],
    ];
    let mut jobs: std::collections::BTreeSet<String> = names_of(&first, "batch/v1 Job")
        .into_iter()
        .map(str::to_string)
        .collect();
    for change in changes {
        let docs = render(&ns, change);
        let out = kubectl_apply(&server, &ns, &applicable(&server, &docs));
        assert!(out.status.success(), "{change:?}: {}", text(&out.stderr));
        jobs.extend(
            names_of(&docs, "batch/v1 Job")
                .into_iter()
                .map(str::to_string),
        );
        assert_eq!(pods(&server, &ns), "", "{change:?}");
        assert_eq!(hook_state(&server, &ns), written, "{change:?}");
    }
    let live: std::collections::BTreeSet<String> = server
        .kubectl(&["-n", &ns, "get", "jobs", "-o", "name"], None)
        .lines()
        .map(|l| l.trim_start_matches("job.batch/").to_string())
        .collect();
    assert_eq!(live, jobs);
    // 2 first Jobs; the changes touch Pharia's spec 4 times and Temporal's twice (the
    // replica count and the unchanged admin user touch neither).
    assert_eq!(jobs.len(), 2 + 4 + 2, "{jobs:?}");
}

/// Peering on for both instances, with their NetworkPolicies.
const PEERING: [&str; 4] = [
    "--set",
    "pgbouncerPharia.peering.enabled=true,pgbouncerTemporal.peering.enabled=true",
    "--set",
    "pgbouncerPharia.networkPolicy.enabled=true,pgbouncerTemporal.networkPolicy.enabled=true",
];

/// Peering (docs/peering.md): the StatefulSets, their headless Services and the
/// NetworkPolicies pass a server-side dry run, then apply; each hook Job, run with its own
/// ServiceAccount's token (its Role names statefulsets now), restarts its StatefulSet.
#[test]
fn peering_applies_and_the_hooks_restart_the_statefulsets() {
    let server = server();
    let ns = server.namespace("kubectl-peering");
    create_sources(&server, &ns);
    let docs = render(&ns, &PEERING);
    let statefulsets = ["pgbouncer-pharia", "pgbouncer-temporal"];
    assert_eq!(names_of(&docs, "apps/v1 StatefulSet"), statefulsets);
    assert!(names_of(&docs, "apps/v1 Deployment").is_empty());
    let manifests = applicable(&server, &docs);
    let dry_run = server.kubectl_with(
        &server.kubeconfig,
        &[
            "apply",
            "--validate=false",
            "--dry-run=server",
            "-n",
            &ns,
            "-f",
            "-",
        ],
        Some(&manifests),
    );
    assert!(dry_run.status.success(), "{}", text(&dry_run.stderr));
    let stdout = text(&dry_run.stdout);
    for name in statefulsets {
        for created in [
            format!("statefulset.apps/{name} created (server dry run)"),
            format!("service/{name}-peers created (server dry run)"),
            format!("networkpolicy.networking.k8s.io/{name} created (server dry run)"),
        ] {
            assert!(stdout.contains(&created), "{created}: {stdout}");
        }
    }
    let out = kubectl_apply(&server, &ns, &manifests);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for name in statefulsets {
        let service = server.get(&ns, &format!("service/{name}-peers")).unwrap();
        assert_eq!(service["spec"]["clusterIP"], "None");
        assert_eq!(service["spec"]["publishNotReadyAddresses"], true);
        let set = server.get(&ns, &format!("statefulset/{name}")).unwrap();
        assert_eq!(set["spec"]["serviceName"], format!("{name}-peers"));
        assert_eq!(set["spec"]["podManagementPolicy"], "Parallel");
        assert_eq!(
            restart_annotation(&server, &ns, &format!("statefulset/{name}")),
            None
        );
    }
    run_hook_jobs(&server, &ns, &docs);
    for name in statefulsets {
        let what = format!("statefulset/{name}");
        assert!(
            restart_annotation(&server, &ns, &what).is_some(),
            "{what}: restarted by its hook"
        );
    }
}

//! The command line as users run it: defaults, errors, flags, output modes.

use std::path::Path;
use std::process::{Command, Output};

use serde_yaml::Value;

use crate::util;
use crate::util::{assert_fails, documents, output_with_stdin, stderr, stdout};

/// Runs the real binary outside the repository: the embedded chart, nothing found by
/// accident in the working directory.
fn qspgb(args: &[&str]) -> Output {
    util::qspgb_in(&std::env::temp_dir(), args)
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[test]
fn renders_the_embedded_chart_from_any_directory() {
    let out = qspgb(&["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = documents(&stdout(&out));
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "PodDisruptionBudget",
            "ServiceAccount",
            "ServiceAccount",
            "ConfigMap",
            "ConfigMap",
            "Service",
            "Service",
            "Deployment",
            "Deployment",
            // The hooks' rotation (an ordinary resource).
            "CronJob",
            "CronJob",
            // The hooks, after everything else, by kind (the `helm test` Pods only with
            // --include-tests).
            "ServiceAccount",
            "ServiceAccount",
            "Role",
            "Role",
            "RoleBinding",
            "RoleBinding",
            "Job",
            "Job"
        ]
    );
}

#[test]
fn default_names_are_valid_kubernetes_names() {
    let docs = documents(&stdout(&qspgb(&[
        "render",
        "my-pgbouncer",
        "-n",
        "pharia-ai",
    ])));
    let names: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    for name in &names {
        assert!(is_dns_subdomain(name), "{name} is not a valid object name");
    }
    assert!(names.contains(&"pgbouncer-pharia"));
    assert!(names.contains(&"pgbouncer-temporal"));
    assert!(names.contains(&"pgbouncer-pharia-configmap"));
}

#[test]
fn anti_affinity_selects_the_pods_it_spreads() {
    let docs = documents(&stdout(&qspgb(&["render", "my-pgbouncer"])));
    let pharia = docs
        .iter()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "pgbouncer-pharia")
        .expect("pharia deployment");
    let pod_labels = pharia["spec"]["template"]["metadata"]["labels"]
        .as_mapping()
        .unwrap();
    let term = &pharia["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        [0];
    assert_eq!(
        term["podAffinityTerm"]["topologyKey"],
        "kubernetes.io/hostname"
    );
    let selector = term["podAffinityTerm"]["labelSelector"]["matchLabels"]
        .as_mapping()
        .unwrap();
    assert!(!selector.is_empty());
    for (k, v) in selector {
        assert_eq!(
            pod_labels.get(k),
            Some(v),
            "selector label {k:?} not on the pods"
        );
    }
    // And the selector is the workload's own selector, so it matches only this instance.
    assert_eq!(
        &Value::Mapping(selector.clone()),
        &pharia["spec"]["selector"]["matchLabels"]
    );
}

#[test]
fn admin_users_names_the_admin_role_of_the_admin_secret() {
    let docs = documents(&stdout(&qspgb(&["render"])));
    for cm in docs.iter().filter(|d| d["kind"] == "ConfigMap") {
        let ini = cm["data"]["pgbouncer.ini"].as_str().unwrap();
        assert!(ini.contains("\nadmin_users = pgbouncer\n"), "{ini}");
    }
}

#[test]
fn integers_stay_exact_in_pgbouncer_ini() {
    let out = qspgb(&[
        "render",
        "--set",
        "pgbouncerPharia.config.pgbouncer.default_pool_size=1000000",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("default_pool_size = 1000000\n"),
        "{}",
        stderr(&out)
    );
    let file = std::env::temp_dir().join(format!("qspgb-int-{}.yaml", std::process::id()));
    std::fs::write(&file, "pgbouncerPharia:\n  config:\n    pgbouncer:\n      reserve_pool_size: 1234567\n      query_wait_timeout: 1.5\n").unwrap();
    let text = stdout(&qspgb(&["render", "-f", file.to_str().unwrap()]));
    std::fs::remove_file(&file).unwrap();
    assert!(text.contains("reserve_pool_size = 1234567\n"));
    assert!(text.contains("query_wait_timeout = 1.5\n"));
}

#[test]
fn values_from_stdin() {
    let out = output_with_stdin(
        Command::new(env!("CARGO_BIN_EXE_qspgb")).args([
            "render",
            "-f",
            "-",
            "-s",
            "charts/pgbouncerPharia/templates/deployment.yaml",
        ]),
        "pgbouncerPharia:\n  replicaCount: 7\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = documents(&stdout(&out));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["spec"]["replicas"], 7);
}

#[test]
fn show_only_selects_and_reports_unknown_paths() {
    let out = qspgb(&[
        "render",
        "--show-only",
        "charts/pgbouncerTemporal/templates/pdb.yaml",
    ]);
    let docs = documents(&stdout(&out));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "PodDisruptionBudget");
    assert!(
        stdout(&out).starts_with(
            "---\n# Source: qs-pgbouncer/charts/pgbouncerTemporal/templates/pdb.yaml\n"
        )
    );
    assert_fails(
        &qspgb(&["render", "--show-only", "templates/nope.yaml"]),
        1,
        "could not find template",
    );
}

#[test]
fn temporal_can_be_disabled() {
    let text = stdout(&qspgb(&[
        "render",
        "--set",
        "pgbouncerTemporal.enabled=false",
    ]));
    assert!(!text.contains("pgbouncerTemporal"));
    assert!(text.contains("charts/pgbouncerPharia/templates/deployment.yaml"));
}

#[test]
fn output_dir_writes_helms_layout() {
    let dir = std::env::temp_dir().join(format!("qspgb-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = qspgb(&["render", "--output-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sa = std::fs::read_to_string(
        dir.join("qs-pgbouncer/charts/pgbouncerPharia/templates/serviceaccount.yaml"),
    )
    .unwrap();
    assert!(sa.starts_with(
        "---\n# Source: qs-pgbouncer/charts/pgbouncerPharia/templates/serviceaccount.yaml\n"
    ));
    assert!(stdout(&out).contains("wrote "));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn chart_directory_renders_like_the_embedded_chart() {
    let root = env!("CARGO_MANIFEST_DIR");
    let embedded = qspgb(&["render"]);
    let from_dir = qspgb(&["render", "--chart", root]);
    assert!(from_dir.status.success(), "{}", stderr(&from_dir));
    assert_eq!(stdout(&embedded), stdout(&from_dir));
    assert_fails(
        &qspgb(&["render", "--chart", "/nonexistent-chart"]),
        1,
        "not a chart directory",
    );
}

#[test]
fn values_command_prints_the_merged_values() {
    let out = qspgb(&["values", "--set", "pgbouncerPharia.replicaCount=5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let values: Value = serde_yaml::from_str(&stdout(&out)).unwrap();
    assert_eq!(values["pgbouncerPharia"]["replicaCount"], 5);
    // The product's tag over the dependency's defaults, which fill in the rest of the map.
    assert_eq!(values["pgbouncerTemporal"]["image"]["tag"], "1.25.2");
    assert_eq!(
        values["pgbouncerTemporal"]["image"]["repository"],
        "ghcr.io/icoretech/pgbouncer-docker"
    );
    assert_eq!(
        values["pgbouncerPharia"]["global"],
        Value::Mapping(Default::default())
    );
}

#[test]
fn bad_input_fails_cleanly() {
    assert_fails(
        &qspgb(&["render", "-f", "/nonexistent/values.yaml"]),
        1,
        "/nonexistent/values.yaml",
    );
    assert_fails(&qspgb(&["render", "-f", "/"]), 1, "is a directory");
    assert_fails(&qspgb(&["render", "--set", "a[x]=1"]), 1, "--set");
    assert_fails(&qspgb(&["render", "NotValid"]), 1, "invalid release name");
    assert_fails(
        &qspgb(&["render", "--kube-version", "x"]),
        1,
        "--kube-version",
    );
    assert_fails(&qspgb(&["render", "--no-such-flag"]), 2, "--no-such-flag");
    let bad = std::env::temp_dir().join(format!("qspgb-bad-{}.yaml", std::process::id()));
    std::fs::write(&bad, "pgbouncerPharia:\n  replicaCount: [1\n").unwrap();
    let out = qspgb(&["render", "-f", bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).unwrap();
    assert_fails(&out, 1, bad.to_str().unwrap());
    assert_fails(
        &qspgb(&["render", "--set", "pgbouncerPharia.kind=StatefulSet"]),
        1,
        r#"pgbouncerPharia.kind: expected one of "Deployment", "DaemonSet", found "StatefulSet""#,
    );
}

#[test]
fn a_closed_pipe_exits_quietly() {
    // Output far larger than a pipe buffer, so the write really meets the closed pipe.
    let big = std::env::temp_dir().join(format!("qspgb-big-{}.yaml", std::process::id()));
    let mut text = String::from("pgbouncerPharia:\n  config:\n    databases:\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "      db{i}: {{host: cluster-pharia-rw, port: 5432}}\n"
        ));
    }
    std::fs::write(&big, text).unwrap();
    let script = format!(
        "'{}' render -n pharia-ai -f '{}' | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_qspgb"),
        big.display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    std::fs::remove_file(&big).unwrap();
    assert_eq!(stdout(&out).trim(), "0");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn upstream_compat_restores_upstream_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compat = root.join("values/upstream-compat.yaml");
    let text = stdout(&qspgb(&[
        "render",
        "my-pgbouncer",
        "--helm-exact",
        "-f",
        compat.to_str().unwrap(),
    ]));
    assert!(text.contains("name: my-pgbouncer-pgbouncerPharia\n"));
    assert!(text.contains("admin_users = admin\n"));
}

/// A copy of the repository's chart with one extra template, as a user's fork would have.
fn forked_chart(extra_name: &str, extra: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir =
        std::env::temp_dir().join(format!("qspgb-fork-{}-{}", extra_name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for top in ["chart", "templates", "values"] {
        let copied = Command::new("cp")
            .arg("-r")
            .arg(root.join(top))
            .arg(dir.join(top))
            .status();
        assert!(copied.unwrap().success(), "copy {top}");
    }
    std::fs::write(dir.join("templates/pgbouncer").join(extra_name), extra).unwrap();
    dir
}

#[test]
fn diff_and_check_compare_committed_renderings() {
    let dir = std::env::temp_dir().join(format!("qspgb-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    assert!(qspgb(&["render", "--output-dir", d]).status.success());
    let same = qspgb(&["diff", d]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(same.stdout.is_empty());
    let changed = qspgb(&[
        "render",
        "--check",
        d,
        "--set",
        "pgbouncerPharia.replicaCount=4",
    ]);
    assert_eq!(changed.status.code(), Some(1));
    let text = stdout(&changed);
    assert!(text.contains("-  replicas: 3\n+  replicas: 4\n"), "{text}");
    assert!(text.contains(
        "+++ fresh render: qs-pgbouncer/charts/pgbouncerPharia/templates/deployment.yaml"
    ));
    // A file the render no longer writes is stale.
    let stale = qspgb(&[
        "diff",
        d,
        "--set",
        "pgbouncerTemporal.podDisruptionBudget.enabled=false",
    ]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(stdout(&stale).contains("(no longer rendered)"));
    // Errors are exit 2, distinct from "different".
    let broken = qspgb(&["diff", "/nonexistent-dir"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(broken.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn namespace_in_manifests_sets_every_namespaced_object() {
    let docs = documents(&stdout(&qspgb(&[
        "render",
        "-n",
        "pharia-ai",
        "--namespace-in-manifests",
    ])));
    assert!(!docs.is_empty());
    for d in &docs {
        assert_eq!(d["metadata"]["namespace"], "pharia-ai");
    }
    let plain = documents(&stdout(&qspgb(&["render", "-n", "pharia-ai"])));
    assert!(
        plain
            .iter()
            .all(|d| d["metadata"].get("namespace").is_none()),
        "Helm's default"
    );
}

#[test]
fn hooks_can_carry_argocd_annotations() {
    let chart = forked_chart(
        "hooks.yaml",
        "{#- emits: Job, Pod -#}\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ Release.Name }}-setup\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-1\"\n    helm.sh/hook-delete-policy: before-hook-creation\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ Release.Name }}-test\n  annotations:\n    helm.sh/hook: test\n",
    );
    let c = chart.to_str().unwrap();
    let helm = documents(&stdout(&qspgb(&[
        "render",
        "--chart",
        c,
        "--include-tests",
        "--set",
        "pgbouncerTemporal.enabled=false,pgbouncerPharia.hooks.enabled=false,tests.enabled=false",
    ])));
    let helm_hooks: Vec<&Value> = helm
        .iter()
        .filter(|d| d["metadata"]["annotations"].get("helm.sh/hook").is_some())
        .collect();
    assert_eq!(helm_hooks.len(), 2, "Job and test Pod, last in the output");
    assert_eq!(
        helm.last().unwrap()["metadata"]["annotations"]["helm.sh/hook"],
        "pre-install,pre-upgrade"
    );
    let argo = documents(&stdout(&qspgb(&[
        "render",
        "--chart",
        c,
        "--set",
        "pgbouncerTemporal.enabled=false,pgbouncerPharia.hooks.enabled=false,tests.enabled=false",
        "--hook-style",
        "argocd",
    ])));
    let job = argo
        .iter()
        .find(|d| d["kind"] == "Job")
        .expect("the Job stays");
    let annotations = &job["metadata"]["annotations"];
    assert_eq!(annotations["argocd.argoproj.io/hook"], "PreSync");
    assert_eq!(annotations["argocd.argoproj.io/sync-wave"], "-1");
    assert_eq!(
        annotations["argocd.argoproj.io/hook-delete-policy"],
        "BeforeHookCreation"
    );
    assert!(annotations.get("helm.sh/hook").is_none());
    assert!(
        argo.iter().all(|d| d["kind"] != "Pod"),
        "test hooks have no Argo CD phase"
    );
    std::fs::remove_dir_all(&chart).unwrap();
}

#[test]
fn version_and_completions() {
    let out = stdout(&qspgb(&["version"]));
    assert!(
        out.starts_with(&format!("qspgb {}\n", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("chart qs-pgbouncer "));
    assert!(out.contains("upstream chart pgbouncer 4.0.2"));
    for shell in ["bash", "zsh", "fish"] {
        let script = qspgb(&["completion", shell]);
        assert!(script.status.success());
        assert!(
            stdout(&script).contains("argocd"),
            "{shell} completion knows the subcommands"
        );
    }
    for sub in [
        "render",
        "values",
        "diff",
        "argocd",
        "completion",
        "version",
    ] {
        let help = stdout(&qspgb(&[sub, "--help"]));
        assert!(
            help.contains("Examples") || sub == "argocd",
            "{sub} --help has examples"
        );
    }
}

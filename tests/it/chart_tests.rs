//! The chart's `helm test` Pods (templates/tests/pgbouncer-test.yaml), as the real binary
//! renders them, and their bash script: the userlist parser and the failure paths that
//! need no PgBouncer. (shellcheck on the script: `e2e/chart_test_script.rs`; the script
//! against a real PgBouncer: `e2e/pgbouncer_e2e.rs`.)

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_yaml::Value;

use crate::util::*;

/// `render my-pgbouncer -n pharia-ai --include-tests` with extra flags (the test Pods
/// are left out unless asked for).
fn render(extra: &[&str]) -> Vec<(String, Value)> {
    let mut args = vec!["--include-tests"];
    args.extend_from_slice(extra);
    render_sources(&args)
}

/// The container's env as name -> the `value` string or the `valueFrom` object.
fn env(pod: &Value) -> Vec<(String, Value)> {
    container(pod)["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .map(|e| {
            let name = e["name"].as_str().expect("env name").to_string();
            let value = e
                .get("value")
                .or(e.get("valueFrom"))
                .expect("value")
                .clone();
            (name, value)
        })
        .collect()
}

fn env_value(pod: &Value, name: &str) -> Value {
    env(pod)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no env {name}"))
        .1
}

#[test]
fn one_test_pod_per_enabled_instance_as_a_helm_test_hook() {
    let docs = render(&[]);
    let pods = test_pods(&docs);
    let names: Vec<&str> = pods
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pgbouncer-pharia-test", "pgbouncer-temporal-test"]);
    for pod in &pods {
        assert_eq!(pod["kind"], "Pod");
        assert_eq!(pod["apiVersion"], "v1");
        // Helm's hook annotations, and checkov's skips with their reasons (CONTRIBUTING.md, "Validation").
        let mut annotations = pod["metadata"]["annotations"].clone();
        let annotations = annotations.as_mapping_mut().unwrap();
        annotations.retain(|k, _| !k.as_str().unwrap().starts_with("checkov.io/skip"));
        assert_eq!(
            Value::Mapping(annotations.clone()),
            yaml(
                "{helm.sh/hook: test, helm.sh/hook-delete-policy: 'before-hook-creation,hook-succeeded'}"
            )
        );
        assert_eq!(
            pod["metadata"]["labels"],
            yaml(
                "{app.kubernetes.io/name: qspgb-test, app.kubernetes.io/instance: my-pgbouncer, app.kubernetes.io/component: test}"
            )
        );
    }
    assert_eq!(
        test_pod_script(pods[0]),
        test_pod_script(pods[1]),
        "one script for every instance"
    );

    let docs = render(&["-f", "values/examples/temporal-disabled.yaml"]);
    let pods = test_pods(&docs);
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["metadata"]["name"], "pgbouncer-pharia-test");

    let docs = render(&["--set", "pgbouncerPharia.enabled=false"]);
    let pods = test_pods(&docs);
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["metadata"]["name"], "pgbouncer-temporal-test");
}

#[test]
fn test_pods_are_not_selected_by_the_service_pdb_or_anti_affinity() {
    let docs = render(&["--set", "pgbouncerPharia.podAntiAffinityPreset=hard"]);
    for (_, fullname) in INSTANCES {
        let pod = one(&docs, "Pod", &format!("{fullname}-test"));
        assert_not_selected(&docs, fullname, &pod["metadata"]["labels"]);
    }
}

#[test]
fn the_environment_is_the_instances_settings() {
    let docs = render(&[]);
    for (fullname, max_client_conn) in [("pgbouncer-pharia", "300"), ("pgbouncer-temporal", "200")]
    {
        let pod = one(&docs, "Pod", &format!("{fullname}-test"));
        let secret_ref = |key: &str| {
            yaml(&format!(
                "{{secretKeyRef: {{name: {fullname}-admin, key: {key}, optional: true}}}}"
            ))
        };
        let expected: Vec<(String, Value)> = vec![
            ("HOME".into(), "/tmp".into()),
            ("PGBOUNCER_HOST".into(), fullname.into()),
            ("PGBOUNCER_PORT".into(), "5432".into()),
            ("USERLIST_FILE".into(), "/etc/userlist/userlist.txt".into()),
            ("ADMIN_USER".into(), secret_ref("adminUser")),
            ("ADMIN_PASSWORD".into(), secret_ref("adminPassword")),
            ("MAX_CLIENT_CONN".into(), max_client_conn.into()),
            ("DEFAULT_POOL_SIZE".into(), "20".into()),
            ("CHECK_MAX_CLIENT_CONN".into(), "true".into()),
        ];
        assert_eq!(env(pod), expected, "{fullname}");
    }

    // What the values say reaches the environment; unset settings are PgBouncer's defaults.
    let docs = render(&[
        "--set",
        "tests.checkMaxClientConn=false,pgbouncerTemporal.service.port=6432",
        "--set",
        "pgbouncerPharia.config.pgbouncer.default_pool_size=1000000",
        "--set",
        "pgbouncerPharia.config.adminUserKey=user,pgbouncerPharia.config.adminPasswordKey=",
    ]);
    let pharia = one(&docs, "Pod", "pgbouncer-pharia-test");
    let temporal = one(&docs, "Pod", "pgbouncer-temporal-test");
    assert_eq!(env_value(pharia, "CHECK_MAX_CLIENT_CONN"), "false");
    assert_eq!(env_value(pharia, "DEFAULT_POOL_SIZE"), "1000000");
    assert_eq!(env_value(pharia, "MAX_CLIENT_CONN"), "300");
    assert_eq!(
        env_value(pharia, "ADMIN_USER")["secretKeyRef"]["key"],
        "user"
    );
    assert_eq!(
        env_value(pharia, "ADMIN_PASSWORD")["secretKeyRef"]["key"],
        "adminPassword"
    );
    assert_eq!(env_value(temporal, "MAX_CLIENT_CONN"), "200");
    // Unset (Temporal's product values do not set it): PgBouncer's default. A `null` does
    // not unset a setting the chart's values set: Helm keeps it and writes an empty value
    // PgBouncer refuses (`lint.rs` a_null_pgbouncer_setting_is_checked_as_empty).
    assert_eq!(env_value(temporal, "DEFAULT_POOL_SIZE"), "20");
    assert_eq!(env_value(temporal, "PGBOUNCER_PORT"), "6432");
    // The exporter of the same instance reads the admin Secret with the same keys.
    let exporter_env = one(&docs, "Deployment", "pgbouncer-pharia")["spec"]["template"]["spec"]
        ["containers"][1]["env"]
        .clone();
    assert!(
        exporter_env
            .as_sequence()
            .unwrap()
            .iter()
            .any(|e| e["valueFrom"]["secretKeyRef"]["key"] == "user")
    );
}

#[test]
fn the_pod_runs_unprivileged_with_limits() {
    let docs = render(&[]);
    for pod in test_pods(&docs) {
        let spec = &pod["spec"];
        assert_eq!(spec["restartPolicy"], "Never");
        assert_eq!(spec["automountServiceAccountToken"], false);
        assert_eq!(
            spec["securityContext"],
            yaml(
                "{runAsNonRoot: true, runAsUser: 10999, runAsGroup: 10999, seccompProfile: {type: RuntimeDefault}}"
            )
        );
        let c = container(pod);
        assert_eq!(c["name"], "test");
        assert_eq!(c["image"], "postgres:17");
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(
            c["securityContext"],
            yaml(
                "{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}"
            )
        );
        assert_eq!(
            c["resources"],
            yaml("{requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}")
        );
        assert_eq!(
            c["volumeMounts"],
            yaml(
                "[{name: tmp, mountPath: /tmp}, {name: userlist, mountPath: /etc/userlist, readOnly: true}]"
            )
        );
        let name = pod["metadata"]["name"].as_str().unwrap();
        let fullname = name.strip_suffix("-test").unwrap();
        assert_eq!(
            spec["volumes"],
            yaml(&format!(
                "[{{name: tmp, emptyDir: {{}}}}, {{name: userlist, secret: {{secretName: {fullname}-userlist, optional: true}}}}]"
            ))
        );
    }
    let docs = render(&["--set", "tests.image=registry.example/psql:16"]);
    for pod in test_pods(&docs) {
        assert_eq!(container(pod)["image"], "registry.example/psql:16");
    }
}

/// The names the subchart's own objects use, and those the test Pod uses.
struct Names {
    service: String,
    userlist: String,
    admin: String,
}

fn subchart_names(docs: &[(String, Value)], alias: &str) -> Names {
    let prefix = format!("qs-pgbouncer/charts/{alias}/templates/");
    let of = |file: &str| -> Vec<&Value> {
        docs.iter()
            .filter(|(s, _)| *s == format!("{prefix}{file}"))
            .map(|(_, d)| d)
            .collect()
    };
    let service = of("service.yaml")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let pod = &of("deployment.yaml")[0]["spec"]["template"]["spec"];
    let userlist = pod["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "userlist")
        .unwrap()["secret"]["secretName"]
        .as_str()
        .unwrap()
        .to_string();
    let exporter = crate::util::named_container(pod, "containers", "exporter");
    let admin = exporter["env"][0]["valueFrom"]["secretKeyRef"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    Names {
        service,
        userlist,
        admin,
    }
}

fn test_pod_names(docs: &[(String, Value)], service: &str) -> Names {
    let pods: Vec<&Value> = test_pods(docs)
        .into_iter()
        .filter(|p| p["metadata"]["name"] == format!("{service}-test").as_str())
        .collect();
    assert_eq!(pods.len(), 1, "the test Pod of {service}");
    let pod = pods[0];
    let userlist = pod["spec"]["volumes"][1]["secret"]["secretName"]
        .as_str()
        .unwrap();
    Names {
        service: env_value(pod, "PGBOUNCER_HOST")
            .as_str()
            .unwrap()
            .to_string(),
        userlist: userlist.to_string(),
        admin: env_value(pod, "ADMIN_PASSWORD")["secretKeyRef"]["name"]
            .as_str()
            .unwrap()
            .to_string(),
    }
}

#[test]
fn the_test_pod_names_what_the_subchart_renders() {
    // Both exporters on, so the Deployments name their admin Secret.
    let exporters = "pgbouncerPharia.pgbouncerExporter.enabled=true,pgbouncerTemporal.pgbouncerExporter.enabled=true";
    // The chart renders the two Secrets itself (no hooks, no existing Secrets).
    let rendered_secrets = "pgbouncerPharia.hooks.enabled=false,pgbouncerTemporal.hooks.enabled=false,\
        pgbouncerPharia.config.existingAdminSecret=,pgbouncerTemporal.config.existingAdminSecret=,\
        pgbouncerPharia.config.existingUserlistSecret=,pgbouncerTemporal.config.existingUserlistSecret=,\
        pgbouncerPharia.config.adminPassword=a,pgbouncerTemporal.config.adminPassword=t";
    let no_overrides = "pgbouncerPharia.nameOverride=,pgbouncerPharia.fullnameOverride=,\
        pgbouncerTemporal.nameOverride=,pgbouncerTemporal.fullnameOverride=";
    // The 63rd character of "my-release-<name>" is a "-": truncated, then trimmed.
    let long_name = format!("{}-{}", "n".repeat(51), "tail".repeat(5));
    let long_name_override = format!(
        "pgbouncerPharia.fullnameOverride=,pgbouncerPharia.nameOverride={long_name},\
         pgbouncerTemporal.fullnameOverride={}-{}",
        "f".repeat(62),
        "x".repeat(9)
    );
    let long_pharia = format!("my-release-{}", "n".repeat(51));
    let long_temporal = "f".repeat(62);
    let configurations: Vec<(&str, Vec<&str>, [&str; 2])> = vec![
        (
            "product defaults",
            vec![],
            ["pgbouncer-pharia", "pgbouncer-temporal"],
        ),
        (
            // The aliases' names are not DNS-1123: only with --helm-exact.
            "no name overrides, rendered Secrets",
            vec![
                "--helm-exact",
                "--set",
                no_overrides,
                "--set",
                rendered_secrets,
            ],
            ["my-release-pgbouncerPharia", "my-release-pgbouncerTemporal"],
        ),
        (
            "the release name contains the name",
            vec![
                "--set",
                "pgbouncerPharia.fullnameOverride=,pgbouncerTemporal.fullnameOverride=",
                "--set",
                "pgbouncerPharia.nameOverride=release",
            ],
            ["my-release", "my-release-pgbouncer-temporal"],
        ),
        (
            "long names",
            vec!["--set", &long_name_override, "--set", rendered_secrets],
            [&long_pharia, &long_temporal],
        ),
    ];
    for (what, extra, expected) in &configurations {
        let mut args = vec!["my-release", "--include-tests", "--set", exporters];
        args.extend(extra.iter().copied());
        let docs = render_as(&args);
        for (alias, expected) in ["pgbouncerPharia", "pgbouncerTemporal"]
            .iter()
            .zip(expected)
        {
            let subchart = subchart_names(&docs, alias);
            assert_eq!(&subchart.service, expected, "{what}: {alias}");
            let test = test_pod_names(&docs, &subchart.service);
            assert_eq!(test.service, subchart.service, "{what}: {alias}: Service");
            assert_eq!(
                test.userlist, subchart.userlist,
                "{what}: {alias}: userlist"
            );
            assert_eq!(test.admin, subchart.admin, "{what}: {alias}: admin Secret");
            if extra.contains(&rendered_secrets) {
                for secret in [&test.userlist, &test.admin] {
                    one(&docs, "Secret", secret);
                }
            }
        }
    }
}

#[test]
fn skip_tests_no_hooks_argocd_and_upstream_compat_leave_them_out() {
    for flags in [
        // The default: `kubectl apply` of a rendering must not start them.
        vec![],
        vec!["--skip-tests"],
        vec!["--no-hooks"],
        vec!["--hook-style", "argocd"],
        vec!["--set", "tests.enabled=false"],
        vec!["--helm-exact", "-f", "values/upstream-compat.yaml"],
    ] {
        let docs = render_sources(&flags);
        assert!(test_pods(&docs).is_empty(), "{flags:?}");
        assert!(docs.iter().all(|(_, d)| d["kind"] != "Pod"), "{flags:?}");
    }
    // --skip-tests keeps the other hooks.
    let docs = render_sources(&["--skip-tests"]);
    assert!(docs.iter().any(|(_, d)| d["kind"] == "Job"));
    // Asked for, with the same values the test Pods are there.
    assert_eq!(
        test_pods(&render(&["--set", "tests.enabled=true"])).len(),
        2
    );
}

#[test]
fn show_only_renders_just_the_test_pods_in_helm_order() {
    let out = qspgb(&[
        "render",
        "--show-only",
        "templates/tests/pgbouncer-test.yaml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("# Source: ").count(), 2);
    assert_eq!(
        text.matches(&format!("# Source: {TEST_POD_SOURCE}\n"))
            .count(),
        2
    );

    // In the whole output: hooks last, the test Pods (kind Pod) among them just before the
    // hook Jobs; the other hooks keep the order cli.rs's
    // `renders_the_embedded_chart_from_any_directory` spells out.
    let hook_kinds = |docs: &[(String, Value)]| -> Vec<String> {
        docs.iter()
            .skip_while(|(_, d)| d["metadata"]["annotations"].get("helm.sh/hook").is_none())
            .map(|(_, d)| d["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let mut expected = hook_kinds(&render_sources(&[]));
    let first_job = expected.iter().position(|k| k == "Job").expect("hook Jobs");
    expected.splice(first_job..first_job, ["Pod".to_string(), "Pod".to_string()]);
    assert_eq!(hook_kinds(&render(&[])), expected);
}

/// A directory of its own below the system temp directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qspgb-chart-tests-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the script with bash, only these environment variables (plus PATH) set.
fn run_script(script: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .arg("pgbouncer-test")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run bash")
}

#[test]
fn the_script_parses_the_userlist_as_pgbouncer_does() {
    let dir = temp_dir("parse");
    let userlist = dir.join("userlist.txt");
    // Passwords that must never be printed all contain "secret".
    std::fs::write(
        &userlist,
        concat!(
            "; a comment\n",
            "# another comment\n",
            "\n",
            "   \n",
            "\"pgbouncer\" \"admin-secret\"\n",
            "\"pharia_os\" \"secret with \"\"quotes\"\" and spaces\"\n",
            "  \"document_index\"\t\"secret-2\"  \n",
            "\"with space\" \"secret3\"\n",
            "\"qu\"\"ote_d\" \"secret4\"\r\n",
            "\"last_line\" \"secret5\"",
        ),
    )
    .unwrap();
    let path = userlist.to_str().unwrap();
    let script = default_test_script();
    let out = run_script(
        &script,
        &[
            ("PGBOUNCER_TEST_PARSE_ONLY", "1"),
            ("USERLIST_FILE", path),
            ("ADMIN_USER", "pgbouncer"),
        ],
    );
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", stderr(&out));
    assert_eq!(
        stdout,
        "pharia_os\tpharia-os\n\
         document_index\tdocument-index\n\
         with space\twith space\n\
         qu\"ote_d\tqu\"ote-d\n\
         last_line\tlast-line\n"
    );
    assert!(!stdout.contains("secret") && !stderr(&out).contains("secret"));

    // Broken lines are named by number, never shown; a missing or empty file is one failure.
    std::fs::write(
        &userlist,
        "\"ok_user\" \"secret1\"\n\"unterminated \"secret2\"\n\"no_password\"\nsecret3 line\n\"a\" \"secret4\" extra\n",
    )
    .unwrap();
    let out = run_script(
        &script,
        &[("PGBOUNCER_TEST_PARSE_ONLY", "1"), ("USERLIST_FILE", path)],
    );
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout,
        "ok_user\tok-user\n\
         FAIL: userlist: line 2 is not \"user\" \"password\"\n\
         FAIL: userlist: line 3 is not \"user\" \"password\"\n\
         FAIL: userlist: line 4 is not \"user\" \"password\"\n\
         FAIL: userlist: line 5 is not \"user\" \"password\"\n"
    );
    assert!(!stdout.contains("secret"));
    std::fs::write(&userlist, "; only a comment\n\n").unwrap();
    for file in [path, "/nonexistent/userlist.txt"] {
        let out = run_script(
            &script,
            &[("PGBOUNCER_TEST_PARSE_ONLY", "1"), ("USERLIST_FILE", file)],
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(
            stdout.starts_with("FAIL: userlist: ") && stdout.lines().count() == 1,
            "{stdout}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_script_reports_missing_settings_and_an_unreachable_pooler() {
    let script = default_test_script();
    let out = run_script(&script, &[("MAX_CLIENT_CONN", "many")]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout,
        "FAIL: environment: PGBOUNCER_HOST is not set\n\
         FAIL: environment: PGBOUNCER_PORT is not set\n\
         FAIL: environment: USERLIST_FILE is not set\n\
         FAIL: environment: ADMIN_USER is not set\n\
         FAIL: environment: ADMIN_PASSWORD is not set\n\
         FAIL: environment: DEFAULT_POOL_SIZE is not set\n\
         FAIL: environment: CHECK_MAX_CLIENT_CONN is not set\n\
         FAIL: environment: MAX_CLIENT_CONN is not a number\n\
         8 checks, 8 failed\n"
    );

    // A port nobody listens on: the TCP check fails and nothing else is tried.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    let out = run_script(
        &script,
        &[
            ("PGBOUNCER_HOST", "127.0.0.1"),
            ("PGBOUNCER_PORT", &port),
            ("USERLIST_FILE", "/nonexistent"),
            ("ADMIN_USER", "pgbouncer"),
            ("ADMIN_PASSWORD", "secret-admin"),
            ("MAX_CLIENT_CONN", "100"),
            ("DEFAULT_POOL_SIZE", "20"),
            ("CHECK_MAX_CLIENT_CONN", "true"),
        ],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(&format!("FAIL: TCP connection to 127.0.0.1:{port}: ")),
        "{stdout}"
    );
    assert_eq!(lines[1], "1 checks, 1 failed");
    assert!(!stdout.contains("secret"));
}

//! The warnings where qspgb used to be silent, through the real binary: a monitoring object
//! enabled but gated off by `.Capabilities`, an `-a GROUP/VERSION/Kind` that gates nothing,
//! the namespace left at `default` under RBAC and hooks, an `apiVersion` the
//! `--kube-version` does not serve. Each is a warning (exit 0, output printed) in every
//! command that renders, and gone when the cause is.

use crate::util::{qspgb, stderr};

/// Runs the binary; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = qspgb(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr(&out),
    )
}

/// `render` and `lint`, each with `-n pharia-ai` (so only the warning under test shows)
/// and the extra flags.
fn each_command(extra: &[&str], check: impl Fn(&str, Option<i32>, &str, &str)) {
    for command in ["render", "lint"] {
        let mut args = vec![command, "-n", "pharia-ai"];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        check(command, code, &out, &err);
    }
}

/// Monitoring objects the templates gate on monitoring.coreos.com/v1: the flags that
/// enable one, the values key the warning names, the kind left out.
const GATED: &[(&[&str], &str, &str)] = &[
    (
        &["--set", "serviceMonitor.enabled=true"],
        "serviceMonitor.enabled",
        "ServiceMonitor",
    ),
    (
        &["--set", "pgbouncerPharia.serviceMonitor.enabled=true"],
        "pgbouncerPharia.serviceMonitor.enabled",
        "ServiceMonitor",
    ),
    (
        &["--set", "prometheusRule.enabled=true"],
        "prometheusRule.enabled",
        "PrometheusRule",
    ),
];

#[test]
fn a_monitoring_object_gated_off_by_capabilities_is_a_warning() {
    for (flags, key, kind) in GATED {
        each_command(flags, |command, code, out, err| {
            assert_eq!(code, Some(0), "{command} {flags:?}: {err}");
            let line = format!("warning: {key}: is true, but no {kind} is rendered");
            assert!(
                err.contains(&line),
                "{command} {flags:?}: missing {line:?}:\n{err}"
            );
            assert!(err.contains("pass -a monitoring.coreos.com/v1"), "{err}");
            if command == "render" {
                assert!(!out.contains(&format!("kind: {kind}")));
            }
        });
        // With the API, the object renders and nothing is said.
        let mut with_api: Vec<&str> = flags.to_vec();
        with_api.extend(["-a", "monitoring.coreos.com/v1"]);
        each_command(&with_api, |command, code, out, err| {
            assert_eq!(code, Some(0), "{command} {with_api:?}: {err}");
            assert!(
                !err.contains("is rendered"),
                "{command} {with_api:?}:\n{err}"
            );
            if command == "render" {
                assert!(out.contains(&format!("kind: {kind}")), "{with_api:?}");
            }
        });
    }
}

#[test]
fn an_api_version_with_a_kind_that_gates_nothing_is_a_warning() {
    let flags = [
        "--set",
        "serviceMonitor.enabled=true",
        "-a",
        "monitoring.coreos.com/v1/ServiceMonitor",
    ];
    each_command(&flags, |command, code, _, err| {
        assert_eq!(code, Some(0), "{command}: {err}");
        assert!(
            err.contains(
                "warning: -a monitoring.coreos.com/v1/ServiceMonitor gates nothing: the templates \
                 test \"monitoring.coreos.com/v1\""
            ) && err.contains("pass -a monitoring.coreos.com/v1"),
            "{command}:\n{err}"
        );
    });
    // Both forms, as Argo CD's KUBE_API_VERSIONS gives them: nothing to say.
    let (code, _, err) = run(&[
        "render",
        "-n",
        "pharia-ai",
        "-a",
        "monitoring.coreos.com/v1,monitoring.coreos.com/v1/ServiceMonitor,apps/v1/Deployment",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("gates nothing"), "{err}");
}

#[test]
fn the_default_namespace_under_rbac_and_hooks_is_one_warning() {
    for command in ["render", "lint"] {
        let (code, _, err) = run(&[command]);
        assert_eq!(code, Some(0), "{command}: {err}");
        let warnings: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("the release namespace is \"default\""))
            .collect();
        assert_eq!(warnings.len(), 1, "{command}: once:\n{err}");
        for bound in [
            "RoleBinding pgbouncer-pharia-hooks, pgbouncer-temporal-hooks binds its ServiceAccount in default",
            "hook Job pgbouncer-pharia-hooks-",
            "read and write Secrets in default",
            "pass -n",
        ] {
            assert!(warnings[0].contains(bound), "{command}: {bound:?}:\n{err}");
        }
        // A namespace given, or nothing bound there: silent.
        for args in [
            vec![command, "-n", "pharia-ai"],
            vec![
                command,
                "--set",
                "pgbouncerPharia.hooks.enabled=false,pgbouncerTemporal.hooks.enabled=false",
            ],
        ] {
            let (code, _, err) = run(&args);
            assert_eq!(code, Some(0), "{args:?}: {err}");
            assert!(!err.contains("release namespace"), "{args:?}:\n{err}");
        }
    }
    // `values` and `hooks --dry-run` render only to read: no warning there.
    let (code, _, err) = run(&["values"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("release namespace"), "{err}");
}

/// `--kube-version`s, and the kinds of the production example each does not serve.
const KUBE_VERSIONS: &[(&str, &[&str])] = &[
    (
        "v1.20.0",
        &[
            "apiVersion policy/v1 PodDisruptionBudget is served from Kubernetes 1.21",
            "apiVersion batch/v1 CronJob is served from Kubernetes 1.21",
            "apiVersion autoscaling/v2 HorizontalPodAutoscaler is served from Kubernetes 1.23",
        ],
    ),
    (
        "v1.22.3",
        &["apiVersion autoscaling/v2 HorizontalPodAutoscaler is served from Kubernetes 1.23"],
    ),
    ("v1.23.0", &[]),
    ("v1.36.0", &[]),
];

#[test]
fn an_api_version_the_kube_version_does_not_serve_is_a_warning() {
    for (version, expected) in KUBE_VERSIONS {
        let flags = [
            "-f",
            "values/examples/production.yaml",
            "--kube-version",
            version,
        ];
        each_command(&flags, |command, code, _, err| {
            assert_eq!(code, Some(0), "{command} {version}: {err}");
            let found = err
                .lines()
                .filter(|l| l.contains("does not serve it"))
                .count();
            for line in *expected {
                assert!(err.contains(line), "{command} {version}: {line:?}:\n{err}");
            }
            assert!(
                found >= expected.len() && (expected.is_empty() == (found == 0)),
                "{command} {version}:\n{err}"
            );
            if !expected.is_empty() {
                assert!(err.contains(&format!("--kube-version {version} does not serve it")));
            }
        });
    }
}

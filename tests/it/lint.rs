//! `qspgb lint` through the real binary: clean examples stay clean, and each kind of
//! finding is reported with its origin, key path and severity, on stderr only.

use crate::util::{qspgb, render_error, stderr};

/// Lints with a values file of `text`; returns (exit code, stdout, stderr).
fn lint_text(text: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("qspgb-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("values-{:x}.yaml", seahash(text, extra)));
    std::fs::write(&file, text).unwrap();
    // A namespace, so that only the finding under test shows (not the warning about
    // RBAC and hooks bound to `default`).
    let mut args = vec!["lint", "-n", "pharia-ai", "-f", file.to_str().unwrap()];
    args.extend(extra);
    let out = qspgb(&args);
    std::fs::remove_file(&file).unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr(&out).replace(file.to_str().unwrap(), "values.yaml"),
    )
}

/// A file name per input, so tests running in parallel never share one.
fn seahash(text: &str, extra: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (text, extra).hash(&mut h);
    h.finish()
}

#[test]
fn every_example_is_clean() {
    let mut examples: Vec<_> = std::fs::read_dir("values/examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    assert!(examples.len() >= 7);
    for example in examples {
        // The golden renderings' namespace (the default one is a warning under RBAC).
        let out = qspgb(&[
            "lint",
            "--strict",
            "-n",
            "pharia-ai",
            "-f",
            example.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            example.display(),
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).ends_with("lint: 0 errors, 0 warnings\n"));
    }
}

#[test]
fn schema_problems_of_every_input_are_all_reported() {
    let (code, stdout, err) = lint_text(
        "pgbouncerPharia:\n  replicaCont: 2\n  image:\n    tag: 1.10\n",
        &[
            "--set",
            "pgbouncerTemporal.service.port=99999",
            "--set-string",
            "pgbouncerTemporal.replicaCount=3",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(stdout.is_empty());
    for line in [
        r#"error: values.yaml: pgbouncerPharia.replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#,
        "error: values.yaml: pgbouncerPharia.image.tag: expected string, found number (quote it to make it a string)",
        r#"error: --set "pgbouncerTemporal.service.port=…": pgbouncerTemporal.service.port: must be at most 65535, found 99999"#,
        r#"error: --set-string "pgbouncerTemporal.replicaCount=…": pgbouncerTemporal.replicaCount: expected integer, found string (remove the quotes, or use --set rather than --set-string)"#,
        "lint: 4 errors, 0 warnings",
    ] {
        assert!(
            err.lines().any(|l| l == line),
            "missing {line:?} in:\n{err}"
        );
    }
}

#[test]
fn pgbouncer_settings_are_checked_against_pgbouncer() {
    let (code, _, err) = lint_text(
        "pgbouncerPharia:\n  config:\n    pgbouncer:\n      max_client_con: 100\n      log_connections: true\n      \
         pool_mode: sesion\n      server_idle_timeout: 10s\n      listen_port: 6432\n    databases:\n      app:\n        \
         host: db\n        prot: 5432\n        password: hunter2\n    users:\n      app:\n        pool_mode: statement\n",
        &[],
    );
    assert_eq!(code, Some(1), "{err}");
    let at = "values.yaml: pgbouncerPharia.config";
    for line in [
        format!(
            r#"error: {at}.pgbouncer.max_client_con: "max_client_con" is not a [pgbouncer] setting in PgBouncer 1.25.2, which stops it from starting (did you mean "max_client_conn"?)"#
        ),
        format!(
            r#"error: {at}.databases.app.prot: "prot" is not a connection parameter of database "app" in PgBouncer 1.25.2, which stops it from starting (did you mean "port"?)"#
        ),
        format!(
            "error: {at}.pgbouncer.listen_port: the chart runs PgBouncer on port 5432: the container port `psql` (the Service's targetPort), the probes, the NetworkPolicy, the test Pods and the exporter use it, and none would reach PgBouncer on another port. Clients choose their port with service.port; remove listen_port"
        ),
    ] {
        assert!(
            err.lines().any(|l| l == line),
            "missing {line:?} in:\n{err}"
        );
    }
    for fragment in [
        "pgbouncer.pool_mode: PgBouncer would refuse this value",
        "pgbouncer.server_idle_timeout: PgBouncer would refuse this value",
    ] {
        assert!(err.contains(fragment), "missing {fragment:?} in:\n{err}");
    }
    assert!(
        !err.contains("users.app"),
        "statement is a valid pool_mode: {err}"
    );
    assert!(
        !err.contains("log_connections"),
        "a YAML boolean for a 0/1 setting is written as 1 or 0: {err}"
    );
    assert!(
        !err.contains("hunter2"),
        "a password is never printed: {err}"
    );
    // Ports out of range are errors, wherever they are.
    let (code, _, err) = lint_text(
        "pgbouncerPharia:\n  config:\n    databases:\n      app:\n        host: db\n        port: 99999\n",
        &[],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error: values.yaml: pgbouncerPharia.config.databases.app.port: 99999 is outside the meaningful range 1..65535"),
        "{err}"
    );
}

#[test]
fn findings_about_merged_values_name_their_origin() {
    // The chart default of Temporal's pool_mode is fine; a --set overrides Pharia's.
    let (code, _, err) = lint_text(
        "pgbouncerTemporal:\n  config:\n    pgbouncer:\n      pool_mode: transaction\n",
        &["--set", "pgbouncerPharia.config.pgbouncer.pool_mode=bogus"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(r#"error: --set "pgbouncerPharia.config.pgbouncer.pool_mode=…": pgbouncerPharia.config.pgbouncer.pool_mode: PgBouncer would refuse this value"#),
        "{err}"
    );
    assert!(!err.contains("pgbouncerTemporal"), "{err}");
}

#[test]
fn rendered_objects_are_checked() {
    // The values' formats find most problems first, naming the key.
    let (code, _, err) = lint_text(
        "pgbouncerPharia:\n  resources:\n    limits:\n      memory: 256MB\n",
        &[],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error: values.yaml: pgbouncerPharia.resources.limits.memory: expected a Kubernetes quantity"),
        "{err}"
    );
    // What only the rendered objects show: without name overrides the upstream names carry
    // the alias (`...-pgbouncerPharia`), which no object name may, and a Service's least of
    // all; a number in a nodeSelector (written by toYaml) is not a label value.
    let (code, _, err) = lint_text(
        "pgbouncerPharia:\n  nameOverride: ''\n  fullnameOverride: ''\n  nodeSelector:\n    tier: 1\n",
        &[],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("(Service qs-pgbouncer-pgbouncerPharia): metadata.name: expected a DNS-1"),
        "{err}"
    );
    assert!(
        err.contains("-pgbouncerPharia): metadata.name: expected a DNS-1123 subdomain"),
        "{err}"
    );
    assert!(
        err.contains(r#"spec.template.spec.nodeSelector["tier"]: label values must be strings, found int (quote it in the values)"#),
        "{err}"
    );
    assert!(
        !err.contains("(ConfigMap 1pgbouncer-configmap)"),
        "a ConfigMap name may start with a digit: {err}"
    );
}

#[test]
fn warnings_fail_only_with_strict() {
    let text = "pgbouncerPharia:\n  config:\n    pgbouncer:\n      listen_port: 5432\n";
    let (code, _, err) = lint_text(text, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.ends_with("lint: 0 errors, 1 warning\n"), "{err}");
    let (code, _, _) = lint_text(text, &["--strict"]);
    assert_eq!(code, Some(1));
}

#[test]
fn a_broken_input_is_an_error_not_a_finding() {
    let (code, stdout, err) = lint_text("pgbouncerPharia: [unclosed\n", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(stdout.is_empty());
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        !err.contains("lint: "),
        "no summary when nothing was checked: {err}"
    );
}

/// A `podAnnotations` or `podLabels` key the chart also sets replaces the chart's entry
/// (Helm writes both and its reader keeps the last); a replaced selector label is an error
/// naming the label, as the API server would refuse the workload (a warning with
/// `--helm-exact`, which renders Helm's result).
#[test]
fn pod_labels_and_annotations_replace_the_charts() {
    let out = qspgb(&[
        "render",
        "--set-string",
        "pgbouncerPharia.podAnnotations.prometheus\\.io/port=9999",
        "--set-string",
        "pgbouncerPharia.podAnnotations.checksum/config=pinned",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.matches("prometheus.io/port: \"9999\"").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("prometheus.io/port: \"9127\""), "{text}");
    assert_eq!(text.matches("checksum/config: \"pinned\"").count(), 1);

    let selector = [
        "--set-string",
        "pgbouncerPharia.podLabels.app\\.kubernetes\\.io/name=other",
    ];
    let err = render_error(&selector);
    assert!(
        err.contains("spec.template.metadata.labels.app.kubernetes.io/name: is \"other\", but the selector needs"),
        "{err}"
    );
    let out = qspgb(&[&["render", "--helm-exact"], &selector[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
}

/// `image.tag: null` renders what Helm renders (`repo:%!s(<nil>)`) only with
/// `--helm-exact`; otherwise it is an error naming the key.
#[test]
fn a_null_image_tag_is_named() {
    let err = render_error(&["--set", "pgbouncerPharia.image.tag=null"]);
    assert!(err.contains("pgbouncerPharia.image.tag: is null"), "{err}");
    let out = qspgb(&[
        "render",
        "--helm-exact",
        "--set",
        "pgbouncerPharia.image.tag=null",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("pgbouncer-docker:%!s(<nil>)\n"), "{text}");
}

/// Helm's template fails on a pull secret whose name is not a string (`hasKey` of a
/// number); so does qspgb, naming the key.
#[test]
fn pull_secret_names_must_be_strings() {
    let err = render_error(&[
        "--helm-exact",
        "--set-json",
        "pgbouncerPharia.imagePullSecrets=[{\"name\":1000000}]",
    ]);
    assert!(
        err.contains("pgbouncerPharia.imagePullSecrets: a name must be a string"),
        "{err}"
    );
}

/// A null `config.pgbouncer` setting with no default to delete is written as an empty value
/// (`server_lifetime = `, as Helm writes it), which PgBouncer refuses for anything but a
/// text setting: an error naming the key, and fine for a text setting.
#[test]
fn a_null_pgbouncer_setting_is_checked_as_empty() {
    let err = render_error(&[
        "--set",
        "pgbouncerPharia.config.pgbouncer.server_lifetime=null",
    ]);
    assert!(
        err.contains(
            "pgbouncerPharia.config.pgbouncer.server_lifetime: PgBouncer would refuse this value"
        ),
        "{err}"
    );
    // Also over a value the chart sets: Helm keeps the null of a dependency's key that the
    // parent's values set, and writes `max_client_conn = ` (measured with Helm 4.2.3).
    let err = render_error(&[
        "--set",
        "pgbouncerTemporal.config.pgbouncer.max_client_conn=null",
    ]);
    assert!(
        err.contains("pgbouncerTemporal.config.pgbouncer.max_client_conn: PgBouncer would refuse"),
        "{err}"
    );
    let out = qspgb(&[
        "render",
        "--set",
        "pgbouncerPharia.config.pgbouncer.unix_socket_dir=null",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("    unix_socket_dir = \n"),
        "the blank is the value's"
    );
}

#[test]
fn a_setting_newer_than_the_image_is_refused() {
    // The product image is 1.25.2: its settings are fine there.
    let values = "pgbouncerPharia:\n  config:\n    pgbouncer:\n      transaction_timeout: 30\n      \
                  query_wait_notify: 0\n    users:\n      app:\n        transaction_timeout: 60\n";
    let (code, _, err) = lint_text(values, &[]);
    assert_eq!(code, Some(0), "{err}");
    // The same settings on a 1.24.1 image stop PgBouncer (checked with the real 1.24.1).
    let (code, _, err) = lint_text(values, &["--set", "pgbouncerPharia.image.tag=1.24.1"]);
    assert_eq!(code, Some(1), "{err}");
    let at = "values.yaml: pgbouncerPharia.config";
    for key in [
        "pgbouncer.transaction_timeout",
        "pgbouncer.query_wait_notify",
        "users.app.transaction_timeout",
    ] {
        let name = key.rsplit('.').next().unwrap();
        let line = format!(
            "error: {at}.{key}: \"{name}\" is new in PgBouncer 1.25; the image (image.tag) runs PgBouncer 1.24.1, which does not know it and stops. Remove it, or run PgBouncer 1.25 or later"
        );
        assert!(
            err.lines().any(|l| l == line),
            "missing {line:?} in:\n{err}"
        );
    }
    // An unknown name is named against the image's version.
    let (_, _, err) = lint_text(
        "pgbouncerPharia:\n  image:\n    tag: 1.24.1\n  config:\n    pgbouncer:\n      bogus_setting: 1\n",
        &[],
    );
    assert!(
        err.contains("is not a [pgbouncer] setting in PgBouncer 1.24.1"),
        "{err}"
    );
}

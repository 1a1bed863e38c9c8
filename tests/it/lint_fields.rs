//! The unknown-field check of the rendered Kubernetes objects, through the real binary: a
//! misspelled key in every kind of value passed through as written is reported with the
//! document, its path and a "did you mean"; lint reports every kind of problem in one run;
//! `--skip-schema-validation` lets old values through.

use crate::util::{qspgb, stderr, stdout};

/// Writes `text` to a file of its own and runs the binary with `args` then `-f FILE`;
/// returns (exit code, stdout, stderr with the path replaced by `values.yaml`).
fn run_with_file(args: &[&str], text: &str) -> (Option<i32>, String, String) {
    use std::hash::{Hash, Hasher};
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    (args, text).hash(&mut hash);
    let dir = std::env::temp_dir().join(format!("qspgb-lint-fields-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{:x}.yaml", hash.finish()));
    std::fs::write(&file, text).unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-f", file.to_str().unwrap()]);
    let out = qspgb(&all);
    std::fs::remove_file(&file).unwrap();
    (
        out.status.code(),
        stdout(&out),
        stderr(&out).replace(file.to_str().unwrap(), "values.yaml"),
    )
}

/// The Deployment of Pharia, as a finding names it.
const PHARIA: &str =
    "qs-pgbouncer/charts/pgbouncerPharia/templates/deployment.yaml (Deployment pgbouncer-pharia)";

/// Values under `pgbouncerPharia:` with one misspelled field each, the path the finding
/// must name (below the Deployment), and the suggestion.
const MISSPELLINGS: &[(&str, &str, &str)] = &[
    (
        "affinity: {nodeAfinity: {}}",
        "spec.template.spec.affinity.nodeAfinity",
        "nodeAffinity",
    ),
    (
        "affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topolgyKey: zone}}]}}",
        "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topolgyKey",
        "topologyKey",
    ),
    (
        "tolerations: [{key: a, operater: Exists}]",
        "spec.template.spec.tolerations[0].operater",
        "operator",
    ),
    (
        "readinessProbe: {tcpSocket: {port: 5432}, periodSecond: 5}",
        "spec.template.spec.containers[0].readinessProbe.periodSecond",
        "periodSeconds",
    ),
    (
        "livenessProbe: {tcpSocket: {port: 5432}, initialDelaySecond: 3}",
        "spec.template.spec.containers[0].livenessProbe.initialDelaySecond",
        "initialDelaySeconds",
    ),
    (
        "startupProbe: {tcpSocket: {port: 5432}, failureThresold: 3}",
        "spec.template.spec.containers[0].startupProbe.failureThresold",
        "failureThreshold",
    ),
    (
        "extraEnvs: [{name: A, valu: b}]",
        "spec.template.spec.containers[0].env[0].valu",
        "value",
    ),
    (
        "extraVolumes: [{name: scratch, emptydir: {}}]",
        "spec.template.spec.volumes[3].emptydir",
        "emptyDir",
    ),
    (
        "extraVolumeMounts: [{name: scratch, mountpath: /x}]\n  extraVolumes: [{name: scratch, emptyDir: {}}]",
        "spec.template.spec.containers[0].volumeMounts[3].mountpath",
        "mountPath",
    ),
    (
        "securityContext: {readOnlyRootFileSystem: true}",
        "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem",
        "readOnlyRootFilesystem",
    ),
    (
        "podSecurityContext: {runAsNonRot: true}",
        "spec.template.spec.securityContext.runAsNonRot",
        "runAsNonRoot",
    ),
    (
        "resources: {limits: {cpu: 1}, claims: [{nme: gpu}]}",
        "spec.template.spec.containers[0].resources.claims[0].nme",
        "name",
    ),
    (
        "topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiabel: DoNotSchedule}]",
        "spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiabel",
        "whenUnsatisfiable",
    ),
    (
        "lifecycle: {preStop: {exec: {comand: [sleep, '5']}}}",
        "spec.template.spec.containers[0].lifecycle.preStop.exec.comand",
        "command",
    ),
    (
        "extraContainers: [{name: side, image: busybox, imagePullPolcy: Always}]",
        "spec.template.spec.containers[3].imagePullPolcy",
        "imagePullPolicy",
    ),
    (
        "extraInitContainers: [{name: init, image: busybox, comand: [x]}]",
        "spec.template.spec.initContainers[1].comand",
        "command",
    ),
];

#[test]
fn every_misspelled_pass_through_field_is_reported_with_its_path() {
    for (values, path, suggestion) in MISSPELLINGS {
        let text = format!("pgbouncerPharia:\n  {values}\n");
        let (code, out, err) = run_with_file(&["lint", "-n", "pharia-ai"], &text);
        let key = path.rsplit(['.', ']']).next().unwrap();
        let expected = format!(
            "error: {PHARIA}: {path}: unknown field {key:?} (did you mean {suggestion:?}?)"
        );
        assert_eq!(code, Some(1), "{values}: {err}");
        assert!(out.is_empty());
        assert!(
            err.lines().any(|l| l.starts_with(&expected)),
            "{values}: missing {expected:?} in:\n{err}"
        );
        assert!(
            err.contains("set by pgbouncerPharia.") && err.contains(" in values.yaml"),
            "{values}: the values key is named:\n{err}"
        );
        // Every rendering command refuses the same (exit 1, nothing printed).
        let (code, out, render_err) = run_with_file(&["render", "-n", "pharia-ai"], &text);
        assert_eq!(code, Some(1), "render {values}");
        assert!(out.is_empty());
        assert!(
            render_err.contains(&expected),
            "render {values}:\n{render_err}"
        );
        // --helm-exact makes it a warning, and the output Helm's.
        let (code, out, warn) =
            run_with_file(&["render", "-n", "pharia-ai", "--helm-exact"], &text);
        assert_eq!(code, Some(0), "--helm-exact {values}: {warn}");
        assert!(
            out.contains(key),
            "--helm-exact renders the field as written"
        );
        assert!(
            warn.contains(&expected.replacen("error: ", "warning: ", 1)),
            "--helm-exact {values}:\n{warn}"
        );
    }
}

#[test]
fn a_value_of_the_wrong_type_in_a_pass_through_object_is_named_by_path() {
    let (code, _, err) = run_with_file(
        &["lint", "-n", "pharia-ai"],
        "pgbouncerPharia:\n  tolerations: [{key: a, operator: Exists, tolerationSeconds: s3cret-text}]\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "error: {PHARIA}: spec.template.spec.tolerations[0].tolerationSeconds: not a valid Deployment: invalid type: string"
        )),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "the value is not shown: {err}");
}

#[test]
fn lint_reports_schema_pgbouncer_and_field_errors_in_one_run() {
    let (code, out, err) = run_with_file(
        &["lint", "-n", "pharia-ai"],
        "pgbouncerPharia:\n  replicaCont: 2\n  config:\n    pgbouncer:\n      pool_mode: sesion\n  affinity: {nodeAfinity: {}}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty());
    for fragment in [
        r#"error: values.yaml: pgbouncerPharia.replicaCont: unknown key "replicaCont" (did you mean "replicaCount"?)"#,
        "pgbouncerPharia.config.pgbouncer.pool_mode",
        r#"spec.template.spec.affinity.nodeAfinity: unknown field "nodeAfinity""#,
        "lint: 3 errors, 0 warnings",
    ] {
        assert!(err.contains(fragment), "missing {fragment:?} in:\n{err}");
    }
    // render fails with the same three lines.
    let (code, out, render_err) = run_with_file(
        &["render", "-n", "pharia-ai"],
        "pgbouncerPharia:\n  replicaCont: 2\n  config:\n    pgbouncer:\n      pool_mode: sesion\n  affinity: {nodeAfinity: {}}\n",
    );
    assert_eq!(code, Some(1));
    assert!(out.is_empty());
    assert_eq!(
        render_err
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        3,
        "{render_err}"
    );
}

/// An old values file: keys no template reads, at the top level and in an instance.
const OLD_VALUES: &str = "legacyMonitoring:\n  enabled: true\npgbouncerPharia:\n  oldPoolSetting: 10\n  replicaCount: 2\n";

#[test]
fn skip_schema_validation_lets_old_keys_through_as_warnings() {
    for command in [
        &["render", "-n", "pharia-ai"][..],
        &["values"],
        &["lint", "-n", "pharia-ai"],
    ] {
        let (code, _, err) = run_with_file(command, OLD_VALUES);
        assert_eq!(code, Some(1), "{command:?} without the flag: {err}");
        assert!(
            err.contains("error: values.yaml: legacyMonitoring: unknown key"),
            "{err}"
        );
        let with_flag = [command, &["--skip-schema-validation"]].concat();
        let (code, out, err) = run_with_file(&with_flag, OLD_VALUES);
        assert_eq!(code, Some(0), "{command:?} --skip-schema-validation: {err}");
        for key in ["legacyMonitoring", "pgbouncerPharia.oldPoolSetting"] {
            assert!(
                err.contains(&format!("warning: values.yaml: {key}: unknown key"))
                    && err.contains("ignored (--skip-schema-validation)"),
                "{command:?}: {key}:\n{err}"
            );
        }
        assert!(!out.contains("oldPoolSetting") && !out.contains("legacyMonitoring"));
    }
    // The output is the rendering without the old keys.
    let (_, with_flag, _) = run_with_file(
        &["render", "-n", "pharia-ai", "--skip-schema-validation"],
        OLD_VALUES,
    );
    let (_, without_keys, _) = run_with_file(
        &["render", "-n", "pharia-ai"],
        "pgbouncerPharia:\n  replicaCount: 2\n",
    );
    assert_eq!(with_flag, without_keys);
}

#[test]
fn skip_schema_validation_still_refuses_what_would_break_the_output() {
    for (values, fragment) in [
        (
            "pgbouncerPharia:\n  replicaCount: three\n",
            "expected integer",
        ),
        (
            "pgbouncerPharia:\n  priorityClassName: \"a\\nb\"\n",
            "line break",
        ),
        (
            "pgbouncerPharia:\n  nameOverride: Bad_Name\n",
            "pgbouncerPharia.nameOverride",
        ),
        (
            "pgbouncerPharia:\n  config:\n    pgbouncer:\n      pool_mode: sesion\n",
            "pool_mode",
        ),
    ] {
        let (code, out, err) = run_with_file(
            &["render", "-n", "pharia-ai", "--skip-schema-validation"],
            values,
        );
        assert_eq!(code, Some(1), "{values}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains(fragment),
            "{values}: missing {fragment:?}:\n{err}"
        );
    }
}

#[test]
fn argocd_generate_takes_skip_schema_validation() {
    let dir = std::env::temp_dir().join(format!("qspgb-lint-fields-argocd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("values.yaml"), OLD_VALUES).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qspgb"))
        .args(["argocd", "generate"])
        .current_dir(&dir)
        .env("ARGOCD_APP_NAME", "qs-pgbouncer")
        .env("ARGOCD_APP_NAMESPACE", "pharia-ai")
        .env("ARGOCD_ENV_QSPGB_VALUES", "values.yaml")
        .env("ARGOCD_ENV_QSPGB_ARGS", "--skip-schema-validation")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ignored (--skip-schema-validation)"));
}

//! Helm compatibility: qspgb's rendering of the reference cases equals real Helm output.
//!
//! For every case in `../shared/reference/helm-4.0.2/` (except the `e-*` cases, which use
//! the upstream chart alone) we render
//!
//! ```text
//! qspgb render my-pgbouncer -n pharia-ai -f values/upstream-compat.yaml \
//!     -f <reference>/wrapper/values.yaml -f <case>/values.yaml
//! ```
//!
//! and compare with Helm's `manifests.yaml` semantically: same `# Source:` paths, kinds and
//! order, and equal parsed documents. Parsing uses serde_yaml, not qspgb's own YAML code,
//! so the oracle is independent of the code under test (tests/util/reference.rs, shared
//! with tests/it/migration.rs). Two differences are normalised,
//! both listed in docs/differences.md: `checksum/*` annotation values (they hash
//! each renderer's own template text) and Go's `1e+06` float formatting inside pgbouncer.ini.
//!
//! The reference directory is `../shared/reference` beside the repository, or
//! `$QSPGB_REFERENCE_DIR`. Its absence is a failure, not a skip.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::util;
use crate::util::reference::{self, HelmDoc as Doc, expand_go_exponents, parse_stream};

/// A path as a command-line argument.
fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The flags that give qspgb the chart and values Helm had for a case: the upstream
/// chart's keys, the wrapper's values, then the case's.
fn as_helm_had_them<'a>(wrapper: &'a Path, values: &'a Path) -> [&'a str; 7] {
    [
        // Helm's own renderings hold names Kubernetes refuses (`my-pgbouncer-pgbouncerPharia`)
        // and `true` for PgBouncer's 0/1 settings: --helm-exact renders them as Helm does.
        "--helm-exact",
        "-f",
        "values/upstream-compat.yaml",
        "-f",
        path_str(wrapper),
        "-f",
        path_str(values),
    ]
}

fn reference_dir() -> PathBuf {
    reference::reference_dir().unwrap_or_else(|| {
        panic!(
            "Helm reference renderings not found at ../shared/reference (set QSPGB_REFERENCE_DIR)"
        )
    })
}

fn render_case(case: &Path, reference: &Path) -> String {
    let wrapper = reference.join("wrapper/values.yaml");
    let values = case.join("values.yaml");
    let mut args = vec![
        "render",
        "my-pgbouncer",
        "-n",
        "pharia-ai",
        // `helm template` prints the `helm test` Pods; qspgb only when asked.
        "--include-tests",
    ];
    args.extend(as_helm_had_them(&wrapper, &values));
    if case.ends_with("d-monitoring") {
        args.extend(["--api-versions", "monitoring.coreos.com/v1"]);
    }
    let out = util::qspgb(&args);
    assert!(
        out.status.success(),
        "{}: qspgb failed: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Compares one case; returns a description of every difference.
fn compare_case(case: &Path, reference: &Path) -> Vec<String> {
    let expected_text = std::fs::read_to_string(case.join("manifests.yaml")).expect("manifests");
    let expected: Vec<Doc> = parse_stream(&expected_text)
        .into_iter()
        .filter(|d| d.source.contains("/charts/"))
        .collect();
    let (actual, own): (Vec<Doc>, Vec<Doc>) = parse_stream(&render_case(case, reference))
        .into_iter()
        .partition(|d| d.source.contains("/charts/"));
    let mut problems = Vec::new();
    // The wrapper chart has no templates; upstream-compat.yaml switches ours (the test
    // Pods) off.
    for doc in &own {
        problems.push(format!(
            "{} ({}): the reference wrapper renders no documents of its own",
            doc.source, doc.kind
        ));
    }
    let order = |docs: &[Doc]| -> Vec<String> {
        docs.iter()
            .map(|d| format!("{} {}", d.kind, d.source))
            .collect()
    };
    if order(&expected) != order(&actual) {
        problems.push(format!(
            "document order differs:\n  helm:  {:?}\n  qspgb: {:?}",
            order(&expected),
            order(&actual)
        ));
        return problems;
    }
    for (e, a) in expected.iter().zip(&actual) {
        if e.content != a.content {
            problems.push(format!(
                "{} ({}) differs:\n--- helm\n{}\n--- qspgb\n{}",
                e.source,
                e.kind,
                serde_yaml::to_string(&e.content).unwrap(),
                serde_yaml::to_string(&a.content).unwrap()
            ));
        }
    }
    problems
}

#[test]
fn every_reference_case_matches_helm() {
    let reference = reference_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(reference.join("helm-4.0.2"))
        .expect("list cases")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            p.join("manifests.yaml").is_file()
                && !name.starts_with("e-")
                && !name.starts_with("e2-")
        })
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 7,
        "expected the 7 wrapper cases, found {cases:?}"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let problems = compare_case(case, &reference);
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        eprintln!(
            "{name}: {}",
            if problems.is_empty() {
                "equal"
            } else {
                "DIFFERENT"
            }
        );
        if !problems.is_empty() {
            failures.push(format!("== {name}\n{}", problems.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_normalisation_only_touches_go_exponents() {
    assert_eq!(
        expand_go_exponents("alpha = host=a pool_size=1e+06 port=6432\nx = 1.234567e+06\ny = 1.5"),
        "alpha = host=a pool_size=1000000 port=6432\nx = 1234567\ny = 1.5"
    );
}

/// The reference's `e-upstream-defaults` case: Helm refuses to render without an admin
/// password when no existing admin Secret is named. So do we, naming the template.
#[test]
fn a_missing_admin_password_is_refused_like_helm() {
    let reference = reference_dir();
    let expected =
        std::fs::read_to_string(reference.join("helm-4.0.2/e-upstream-defaults/error.txt"))
            .expect("error.txt");
    assert!(expected.contains("A valid .Values.config.adminPassword entry required!"));
    let out = util::qspgb(&[
        "render",
        "my-pgbouncer",
        "--set",
        "pgbouncerTemporal.config.existingAdminSecret=",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("A valid .Values.config.adminPassword entry required!"),
        "{stderr}"
    );
    assert!(
        stderr.contains("charts/pgbouncerTemporal/templates/"),
        "{stderr}"
    );
}

/// Drops null entries, recursively.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Mapping(m) => Value::Mapping(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `qspgb values` shows what Helm's templates saw: the reference `merged-values.yaml`
/// (Helm's coalesced `.Values`), apart from qspgb's own added keys: per instance
/// `podAntiAffinityPreset`, `hooks`, `userlistCheck`, `networkPolicy`,
/// `serviceMetricsPort`, `serviceMonitor`, `autoscaling` and the pod settings (listed
/// below, with the ones upstream-compat.yaml deletes); at the top `serviceMonitor`,
/// `prometheusRule`, `grafanaDashboard`, `tests.enabled`, `tests.checkMaxClientConn` and
/// `tests.resources` (the wrapper's `tests.image` stays).
///
/// Case a differs in how it was produced: Helm had the wrapper values as chart defaults and
/// no user values, while we pass them with `-f`. Helm keeps a dependency default's `null`
/// entries exactly when the user gave values for that dependency, so for case a the nulls
/// are compared away; case c (user values for both instances) is compared as is.
#[test]
fn merged_values_match_helm() {
    let reference = reference_dir();
    for case in ["a-defaults", "c-example-customization"] {
        let case_dir = reference.join("helm-4.0.2").join(case);
        let wrapper = reference.join("wrapper/values.yaml");
        let values = case_dir.join("values.yaml");
        let mut args = vec!["values", "my-pgbouncer"];
        args.extend(as_helm_had_them(&wrapper, &values));
        let out = util::qspgb(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut ours: Value = serde_yaml::from_slice(&out.stdout).expect("YAML");
        for alias in ["pgbouncerPharia", "pgbouncerTemporal"] {
            let instance = ours[alias].as_mapping_mut().expect("alias values");
            for added in [
                "podAntiAffinityPreset",
                "hooks",
                "userlistCheck",
                "networkPolicy",
                "serviceMetricsPort",
                "serviceMonitor",
                "autoscaling",
                "readinessProbe",
                "livenessProbe",
                "startupProbe",
                "topologySpreadConstraints",
                "topologySpreadPreset",
                "logging",
                "gracefulShutdown",
                "clientTLS",
                "userlistReload",
                "peering",
                "connectionBudget",
            ] {
                instance
                    .remove(added)
                    .unwrap_or_else(|| panic!("qspgb adds {alias}.{added}"));
            }
            // upstream-compat.yaml deletes these with null (automountServiceAccountToken's
            // default is null, which Helm drops too).
            for deleted in ["podSecurityContext", "automountServiceAccountToken"] {
                assert!(
                    instance.remove(deleted).is_none(),
                    "upstream-compat.yaml deletes {alias}.{deleted}"
                );
            }
            let exporter = instance
                .get_mut("pgbouncerExporter")
                .and_then(Value::as_mapping_mut)
                .expect("pgbouncerExporter values");
            for deleted in ["readinessProbe", "livenessProbe"] {
                assert!(
                    exporter.remove(deleted).is_none(),
                    "upstream-compat.yaml deletes {alias}.pgbouncerExporter.{deleted}"
                );
            }
            // upstream-compat.yaml undoes the product's resources with nulls; Helm would keep
            // the same nulls (the subchart's default `resources: {}` has no key for them to
            // delete), and the chart leaves them out of the manifests.
            let resources = instance.remove("resources").expect("resources");
            instance.insert("resources".into(), without_nulls(resources));
        }
        let top = ours.as_mapping_mut().expect("values");
        for added in ["serviceMonitor", "prometheusRule", "grafanaDashboard"] {
            top.remove(added)
                .unwrap_or_else(|| panic!("qspgb adds {added}"));
        }
        let tests = ours["tests"].as_mapping_mut().expect("tests values");
        for added in ["enabled", "checkMaxClientConn", "resources"] {
            tests
                .remove(added)
                .unwrap_or_else(|| panic!("qspgb adds tests.{added}"));
        }
        let mut helm: Value = serde_yaml::from_str(
            &std::fs::read_to_string(case_dir.join("merged-values.yaml")).expect("merged-values"),
        )
        .expect("YAML");
        if case == "a-defaults" {
            ours = without_nulls(ours);
            helm = without_nulls(helm);
        }
        assert_eq!(
            ours,
            helm,
            "{case}: merged values differ\n--- helm\n{}\n--- qspgb\n{}",
            serde_yaml::to_string(&helm).unwrap(),
            serde_yaml::to_string(&ours).unwrap()
        );
    }
}

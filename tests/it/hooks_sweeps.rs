//! Sweeps over values (no services needed) for issue 12's classes 6 and 7:
//!
//! - class 6, hooks with least privilege: every rendered hooks Role, over source modes,
//!   name lists, workload kinds and Secret names, grants `create` on Secrets only limited
//!   to the two target names (no delete, watch or wildcard), limits every Secret rule but
//!   selector mode's `list` to names, and in names mode has no `list` at all;
//! - class 7, the kubectl path: the hook Job is named by its spec (two renderings give the
//!   same Job name exactly when they give the same Job spec), the name always fits, and no
//!   rendering prints a `helm test` Pod unless `--include-tests` asks.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::util::*;

/// Every document of a rendering of `my-pgbouncer -n pharia-ai` with `extra`.
fn docs(extra: &[&str]) -> Vec<Value> {
    render(extra)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| s.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Value variants that change what the hooks' Roles and Jobs hold.
fn variants() -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&[]),
        s(&["--set", "pgbouncerTemporal.kind=DaemonSet"]),
        s(&[
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector=null",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretNames=["b","a","b"]"#,
        ]),
        s(&[
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector=null,pgbouncerTemporal.hooks.sourceSecretSelector=null",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretNames=["cluster-pharia-app"]"#,
            "--set-json",
            r#"pgbouncerTemporal.hooks.sourceSecretNames=["t.app","t-visibility","t-pgbouncer"]"#,
        ]),
        s(&[
            "--set",
            "pgbouncerPharia.config.existingUserlistSecret=ul,pgbouncerPharia.config.existingAdminSecret=adm",
        ]),
        s(&[
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretSelector={"app.kubernetes.io/name":null,"tier":"db"}"#,
        ]),
        s(&["--set", "pgbouncerPharia.hooks.rotation.enabled=false"]),
    ]
}

/// The names a variant reads by (`None`: selector mode), per instance alias.
fn names_mode(variant: &[String], alias: &str) -> Option<Vec<String>> {
    let prefix = format!("{alias}.hooks.sourceSecretNames=");
    let json = variant.iter().find_map(|a| a.strip_prefix(&prefix))?;
    let mut names: Vec<String> = serde_json::from_str(json).unwrap();
    names.sort();
    names.dedup();
    Some(names)
}

#[test]
fn every_hooks_role_is_least_privilege() {
    let mut roles = 0;
    for variant in variants() {
        let args: Vec<&str> = variant.iter().map(String::as_str).collect();
        let docs = docs(&args);
        for (alias, fullname) in INSTANCES {
            let role = one(&docs, "Role", &format!("{fullname}-hooks"));
            roles += 1;
            let workload = docs
                .iter()
                .find(|d| {
                    (d["kind"] == "Deployment" || d["kind"] == "DaemonSet")
                        && d["metadata"]["name"] == fullname
                })
                .unwrap();
            let mut secret_names = Vec::new();
            secrets_used(&workload["spec"]["template"], &mut secret_names);
            secret_names.sort();
            secret_names.dedup();
            let names = names_mode(&variant, alias);
            let mut secret_rules = Vec::new();
            for rule in role["rules"].as_sequence().unwrap() {
                let resources = strings(&rule["resources"]);
                let verbs = strings(&rule["verbs"]);
                let resource_names = strings(&rule["resourceNames"]);
                assert!(!verbs.iter().any(|v| v == "*"), "{variant:?}: {rule:?}");
                assert!(
                    resources == ["secrets"]
                        || resources == ["deployments"]
                        || resources == ["daemonsets"],
                    "{variant:?}: {rule:?}"
                );
                if resources != ["secrets"] {
                    assert_eq!(resource_names, [fullname], "{variant:?}");
                    continue;
                }
                for forbidden in ["delete", "deletecollection", "watch"] {
                    assert!(
                        !verbs.iter().any(|v| v == forbidden),
                        "{variant:?}: {alias} may {forbidden} Secrets: {rule:?}"
                    );
                }
                // `create` only by name: never namespace-wide.
                if verbs.iter().any(|v| v == "create") {
                    assert!(
                        !resource_names.is_empty(),
                        "{variant:?}: {alias} may create any Secret: {rule:?}"
                    );
                }
                secret_rules.push((verbs, resource_names));
            }
            // The targets: create (by a server-side apply, which names them), get, update
            // and patch, limited to exactly the two Secrets of the values.
            let targets = secret_rules
                .iter()
                .find(|(verbs, _)| verbs == &["create", "get", "update", "patch"])
                .unwrap_or_else(|| panic!("{variant:?}: {alias} has no target rule"));
            let renamed = alias == "pgbouncerPharia"
                && variant
                    .iter()
                    .any(|a| a.contains("existingUserlistSecret=ul"));
            let expected = if renamed {
                vec!["ul".to_string(), "adm".to_string()]
            } else {
                vec![format!("{fullname}-userlist"), format!("{fullname}-admin")]
            };
            assert_eq!(targets.1, expected, "{variant:?}: {alias}");
            // The pods mount the userlist the hooks write.
            assert!(secret_names.contains(&expected[0]), "{variant:?}: {alias}");
            match names {
                Some(names) => {
                    // Names mode: `get` on exactly the named Secrets, and no `list`.
                    assert_eq!(secret_rules.len(), 2, "{variant:?}: {alias}");
                    assert!(
                        secret_rules
                            .iter()
                            .any(|r| r == &(vec!["get".to_string()], names.clone())),
                        "{variant:?}: {alias}: {secret_rules:?}"
                    );
                    assert!(
                        !secret_rules
                            .iter()
                            .any(|(v, _)| v.contains(&"list".to_string())),
                        "{variant:?}"
                    );
                }
                None => {
                    // Selector mode: `list` (which cannot be limited), nothing else unlimited.
                    assert_eq!(
                        secret_rules,
                        [(vec!["list".to_string()], vec![]), targets.clone()],
                        "{variant:?}: {alias}"
                    );
                }
            }
            // The Job's command line passes the same source mode to `qspgb hooks`.
            let job = hook_job(&docs, fullname);
            let args = strings(&job["spec"]["template"]["spec"]["containers"][0]["args"]);
            let set_json = args.iter().find(|a| a.starts_with("--set-json=")).unwrap();
            let json: serde_json::Value = serde_json::from_str(
                set_json
                    .split_once('=')
                    .unwrap()
                    .1
                    .split_once('=')
                    .unwrap()
                    .1,
            )
            .unwrap();
            let passed: Option<Vec<String>> =
                serde_json::from_value(json["hooks"]["sourceSecretNames"].clone()).unwrap();
            let passed = passed.filter(|p| !p.is_empty()).map(|mut p| {
                p.sort();
                p.dedup();
                p
            });
            assert_eq!(passed, names_mode(&variant, alias), "{variant:?}: {alias}");
        }
    }
    assert_eq!(roles, 14);
}

/// Every Secret a pod template uses: volumes (`secretName`) and the environment
/// (`secretKeyRef`, `secretRef`).
fn secrets_used(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                match key.as_str() {
                    Some("secretName") => out.push(child.as_str().unwrap().to_string()),
                    Some("secretKeyRef" | "secretRef") => {
                        out.push(child["name"].as_str().unwrap().to_string())
                    }
                    _ => secrets_used(child, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| secrets_used(i, out)),
        _ => {}
    }
}

/// The hook Job of an instance: its only Job with the hooks component.
fn hook_job<'a>(docs: &'a [Value], fullname: &str) -> &'a Value {
    let prefix = format!("{}-hooks-", &fullname[..fullname.len().min(46)]);
    let jobs: Vec<&Value> = docs
        .iter()
        .filter(|d| d["kind"] == "Job")
        .filter(|d| d["metadata"]["name"].as_str().unwrap().starts_with(&prefix))
        .collect();
    assert_eq!(jobs.len(), 1, "{fullname}");
    jobs[0]
}

/// A DNS-1123 label: what a Job's name must be (its pods' label `job-name` too).
fn is_dns_label(name: &str) -> bool {
    name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[test]
fn the_hook_job_name_follows_exactly_its_spec() {
    // Changes of the Job spec, and changes that leave it alone.
    let changes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--set", "pgbouncerPharia.hooks.image.tag=9.9.9"],
        vec![
            "--set",
            "pgbouncerPharia.hooks.image.registry=registry.example",
        ],
        vec!["--set", "pgbouncerPharia.hooks.image.pullPolicy=Always"],
        vec!["--set", "pgbouncerPharia.hooks.backoffLimit=5"],
        vec!["--set", "pgbouncerPharia.hooks.activeDeadlineSeconds=301"],
        vec!["--set", "pgbouncerPharia.hooks.resources.limits.cpu=300m"],
        vec!["--set", "pgbouncerPharia.hooks.nodeSelector.pool=db"],
        vec![
            "--set-json",
            r#"pgbouncerPharia.hooks.tolerations=[{"key":"db","operator":"Exists"}]"#,
        ],
        vec![
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector.tier=db",
        ],
        vec![
            "--set",
            "pgbouncerPharia.hooks.sourceSecretSelector=null",
            "--set-json",
            r#"pgbouncerPharia.hooks.sourceSecretNames=["a"]"#,
        ],
        vec!["--set", "pgbouncerPharia.config.adminUser=admin2"],
        vec!["--set", "pgbouncerPharia.config.adminPasswordKey=pw"],
        vec![
            "--set",
            "pgbouncerPharia.config.existingUserlistSecret=other-userlist",
        ],
        vec!["--set", "pgbouncerPharia.kind=DaemonSet"],
        vec![
            "--set-json",
            r#"pgbouncerPharia.imagePullSecrets=[{"name":"pull"}]"#,
        ],
        // Not in the Job spec:
        vec!["--set", "pgbouncerPharia.replicaCount=5"],
        vec![
            "--set",
            "pgbouncerPharia.config.pgbouncer.max_client_conn=777",
        ],
        vec![
            "--set",
            "pgbouncerPharia.hooks.rotation.schedule=*/5 * * * *",
        ],
        vec!["--set", "pgbouncerTemporal.hooks.backoffLimit=7"],
        vec!["--set-json", r#"pgbouncerPharia.podLabels={"team":"db"}"#],
    ];
    let mut seen: Vec<(String, String)> = Vec::new();
    for change in &changes {
        let docs = docs(change);
        let job = hook_job(&docs, "pgbouncer-pharia");
        let name = job["metadata"]["name"].as_str().unwrap().to_string();
        assert!(is_dns_label(&name), "{change:?}: {name}");
        let (prefix, hash) = name.rsplit_once('-').unwrap();
        assert_eq!(prefix, "pgbouncer-pharia-hooks", "{change:?}");
        assert_eq!(hash.len(), 10);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        seen.push((serde_yaml::to_string(&job["spec"]).unwrap(), name));
    }
    // Equal names exactly for equal specs, over every pair.
    for (i, (spec_a, name_a)) in seen.iter().enumerate() {
        for (j, (spec_b, name_b)) in seen.iter().enumerate() {
            assert_eq!(
                spec_a == spec_b,
                name_a == name_b,
                "{:?} vs {:?}",
                changes[i],
                changes[j]
            );
        }
    }
    let distinct: std::collections::BTreeSet<&String> = seen.iter().map(|(_, n)| n).collect();
    assert_eq!(distinct.len(), 16, "15 spec changes and the base");
}

#[test]
fn the_hook_job_name_fits_for_any_fullname() {
    for length in [1, 20, 45, 46, 47, 52, 62, 63] {
        let fullname: String = (0..length)
            .map(|i| if i % 7 == 6 { '-' } else { 'a' })
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
        let set = format!("pgbouncerPharia.fullnameOverride={fullname}");
        let docs = docs(&["--set", &set]);
        let account = format!(
            "{}-hooks",
            fullname[..fullname.len().min(57)].trim_end_matches('-')
        );
        let job = docs
            .iter()
            .find(|d| {
                d["kind"] == "Job"
                    && d["spec"]["template"]["spec"]["serviceAccountName"] == account.as_str()
            })
            .unwrap_or_else(|| panic!("{length}: no Job runs as {account}"));
        let name = job["metadata"]["name"].as_str().unwrap();
        assert!(is_dns_label(name), "{length}: {name}");
        let expected_prefix = format!(
            "{}-hooks-",
            fullname[..fullname.len().min(46)].trim_end_matches('-')
        );
        assert!(name.starts_with(&expected_prefix), "{name}");
        assert_eq!(name.len(), expected_prefix.len() + 10);
    }
}

/// Renderings over every example and the flags that change what is printed: none holds
/// a `helm test` Pod unless `--include-tests` asks for it.
#[test]
fn no_rendering_prints_a_test_pod_unless_asked() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut examples: Vec<String> = std::fs::read_dir(root.join("values/examples"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    examples.sort();
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for example in &examples {
        for flags in [
            vec![],
            vec!["--is-upgrade"],
            vec!["--namespace-in-manifests"],
            vec!["--helm-exact"],
            vec!["--hook-style", "argocd"],
            vec!["--skip-tests"],
        ] {
            let mut args = vec!["-f", example.as_str()];
            args.extend_from_slice(&flags);
            let pods: Vec<String> = docs(&args)
                .iter()
                .filter(|d| d["kind"] == "Pod")
                .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
                .collect();
            assert!(pods.is_empty(), "{args:?}: {pods:?}");
            *checked.entry("without").or_default() += 1;
        }
        let with: Vec<Value> = docs(&["-f", example, "--include-tests"])
            .into_iter()
            .filter(|d| d["kind"] == "Pod")
            .collect();
        for pod in &with {
            assert_eq!(pod["metadata"]["annotations"]["helm.sh/hook"], "test");
        }
        *checked.entry("with").or_default() += with.len();
    }
    assert!(checked["with"] >= examples.len(), "{checked:?}");
    // Asked for both ways at once is a command-line error.
    for conflicting in ["--skip-tests", "--no-hooks"] {
        let out = qspgb(&["render", "--include-tests", conflicting]);
        assert_eq!(out.status.code(), Some(2), "{conflicting}");
        assert!(
            stderr(&out).contains("cannot be used with"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
}

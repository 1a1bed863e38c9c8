//! The chart side of `qspgb hooks`: the hook Job, its ServiceAccount, Role and RoleBinding,
//! and the `userlist-check` init container, as the real binary renders them.

use std::path::Path;

use serde_yaml::Value;

use crate::util::*;

/// The install/upgrade hooks (the `helm test` Pods, also Helm hooks, are `chart_tests.rs`'s).
fn hook_docs(docs: &[Value]) -> Vec<&Value> {
    docs.iter()
        .filter(|d| {
            d["metadata"]["annotations"]
                .get("helm.sh/hook")
                .is_some_and(|h| h != "test")
        })
        .collect()
}

/// The hook Job's container arguments.
fn job_args(job: &Value) -> Vec<String> {
    job["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_sequence()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string arg").to_string())
        .collect()
}

/// The JSON of the Job's `--set-json=<alias>=<JSON>` argument, parsed.
fn set_json(job: &Value, alias: &str) -> Value {
    let args = job_args(job);
    let prefix = format!("--set-json={alias}=");
    let json = args
        .iter()
        .find_map(|a| a.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {args:?}"));
    assert!(
        !json.contains(": ") && !json.contains(", "),
        "compact JSON: {json}"
    );
    serde_yaml::from_str(json).unwrap_or_else(|e| panic!("not JSON: {e}: {json}"))
}

/// The hook Job of the instance named `fullname`: named by its spec,
/// `<fullname cut to 46>-hooks-<10 hex digits>`.
fn hook_job<'a>(docs: &'a [Value], fullname: &str) -> &'a Value {
    let jobs = hook_jobs(docs, fullname);
    assert_eq!(jobs.len(), 1, "one hook Job of {fullname}");
    jobs[0]
}

fn hook_jobs<'a>(docs: &'a [Value], fullname: &str) -> Vec<&'a Value> {
    let prefix = format!(
        "{}-hooks-",
        fullname[..fullname.len().min(46)].trim_end_matches('-')
    );
    docs.iter()
        .filter(|d| d["kind"] == "Job")
        .filter(|d| {
            let name = d["metadata"]["name"].as_str().unwrap();
            name.len() == prefix.len() + 10
                && name.starts_with(&prefix)
                && name[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
        })
        .collect()
}

#[test]
fn each_enabled_instance_has_one_of_each_hook_object() {
    let docs = render(&[]);
    assert_eq!(hook_docs(&docs).len(), 8, "4 hook objects per instance");
    for (_, fullname) in INSTANCES {
        let name = format!("{fullname}-hooks");
        for (kind, weight, policy) in [
            ("ServiceAccount", "-10", "before-hook-creation"),
            ("Role", "-10", "before-hook-creation"),
            ("RoleBinding", "-5", "before-hook-creation"),
            ("Job", "0", "before-hook-creation,hook-succeeded"),
        ] {
            let doc = if kind == "Job" {
                hook_job(&docs, fullname)
            } else {
                one(&docs, kind, &name)
            };
            let annotations = &doc["metadata"]["annotations"];
            assert_eq!(annotations["helm.sh/hook"], "pre-install,pre-upgrade");
            assert_eq!(annotations["helm.sh/hook-weight"], weight, "{kind}");
            assert_eq!(annotations["helm.sh/hook-delete-policy"], policy, "{kind}");
            assert_eq!(
                doc["metadata"]["labels"]["app.kubernetes.io/component"],
                "hooks"
            );
        }
    }
    // Hooks come after every ordinary manifest.
    let first_hook = docs
        .iter()
        .position(|d| d["metadata"]["annotations"].get("helm.sh/hook").is_some())
        .unwrap();
    assert!(
        docs[first_hook..]
            .iter()
            .all(|d| d["metadata"]["annotations"].get("helm.sh/hook").is_some())
    );
}

/// The rules the Role must have, exactly, for this workload and these Secrets (selector
/// mode: `create` only of the two targets, by name: a server-side apply, never a POST).
fn expected_rules(workloads: &str, workload: &str, userlist: &str, admin: &str) -> Value {
    yaml(&format!(
        r#"
- apiGroups: [""]
  resources: [secrets]
  verbs: [list]
- apiGroups: [""]
  resources: [secrets]
  verbs: [create, get, update, patch]
  resourceNames: [{userlist}, {admin}]
- apiGroups: [apps]
  resources: [{workloads}]
  verbs: [get, patch]
  resourceNames: [{workload}]
"#
    ))
}

/// The names of the userlist and admin Secrets the instance's pods use.
fn pod_secrets(workload: &Value, alias: &str) -> (String, String) {
    let volumes = workload["spec"]["template"]["spec"]["volumes"]
        .as_sequence()
        .unwrap();
    let userlist = volumes
        .iter()
        .find(|v| v["name"] == "userlist")
        .expect("userlist volume")["secret"]["secretName"]
        .as_str()
        .unwrap()
        .to_string();
    let values: Value = serde_yaml::from_slice(&qspgb(&["values"]).stdout).unwrap();
    let admin = values[alias]["config"]["existingAdminSecret"]
        .as_str()
        .unwrap()
        .to_string();
    (userlist, admin)
}

#[test]
fn role_rules_are_exactly_the_least_privilege() {
    for (kind, workloads, extra) in [
        ("Deployment", "deployments", vec![]),
        (
            "DaemonSet",
            "daemonsets",
            vec![
                "--set",
                "pgbouncerPharia.kind=DaemonSet,pgbouncerTemporal.kind=DaemonSet",
            ],
        ),
    ] {
        let docs = render(&extra);
        for (alias, fullname) in INSTANCES {
            let workload = one(&docs, kind, fullname);
            let (userlist, admin) = pod_secrets(workload, alias);
            assert_eq!(userlist, format!("{fullname}-userlist"));
            assert_eq!(admin, format!("{fullname}-admin"));
            let role = one(&docs, "Role", &format!("{fullname}-hooks"));
            assert_eq!(
                role["rules"],
                expected_rules(workloads, fullname, &userlist, &admin),
                "{kind} {alias}"
            );
        }
    }
}

#[test]
fn the_job_runs_as_the_bound_service_account() {
    let docs = render(&[]);
    for (_, fullname) in INSTANCES {
        let name = format!("{fullname}-hooks");
        let sa = one(&docs, "ServiceAccount", &name);
        let role = one(&docs, "Role", &name);
        let binding = one(&docs, "RoleBinding", &name);
        let job = hook_job(&docs, fullname);
        assert_eq!(
            binding["roleRef"],
            yaml(&format!(
                "{{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {}}}",
                role["metadata"]["name"].as_str().unwrap()
            ))
        );
        assert_eq!(
            binding["subjects"],
            yaml(&format!(
                "[{{kind: ServiceAccount, name: {}, namespace: pharia-ai}}]",
                sa["metadata"]["name"].as_str().unwrap()
            ))
        );
        let pod = &job["spec"]["template"]["spec"];
        assert_eq!(pod["serviceAccountName"], sa["metadata"]["name"]);
        assert_eq!(pod["restartPolicy"], "Never");
        assert_eq!(pod["automountServiceAccountToken"], true);
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        let container = &pod["containers"][0];
        assert_eq!(container["name"], "hooks");
        assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(
            container["securityContext"]["capabilities"]["drop"],
            yaml("[ALL]")
        );
        assert_eq!(job["spec"]["backoffLimit"], 2);
        assert_eq!(job["spec"]["activeDeadlineSeconds"], 300);
    }
}

#[test]
fn the_job_passes_the_instance_values_as_set_json() {
    let docs = render(&[]);
    for (alias, fullname) in INSTANCES {
        let job = hook_job(&docs, fullname);
        let args = job_args(job);
        assert_eq!(
            args[..4],
            [
                "hooks".to_string(),
                "my-pgbouncer".to_string(),
                "--namespace=pharia-ai".to_string(),
                format!("--instance={alias}"),
            ]
        );
        assert_eq!(args.len(), 5, "{args:?}");
        let cluster = fullname.replace("pgbouncer-", "cluster-");
        assert_eq!(
            set_json(job, alias),
            yaml(&format!(
                r#"
config:
  adminUser: pgbouncer
  adminUserKey: adminUser
  adminPasswordKey: adminPassword
  existingAdminSecret: {fullname}-admin
  existingUserlistSecret: {fullname}-userlist
fullnameOverride: {fullname}
hooks:
  enabled: true
  restartOnChange: null
  sourceSecretNames: []
  sourceSecretSelector:
    app.kubernetes.io/name: qs-postgresql-cluster
    qs-postgresql-cluster/name: {cluster}
kind: Deployment
pgbouncerExporter:
  enabled: {exporter}
userlistReload:
  enabled: true
"#,
                exporter = alias == "pgbouncerPharia"
            ))
        );
    }

    // What the user set is what the Job passes, including the computed fullname.
    // --helm-exact: upstream's names (`my-pgbouncer-pgbouncerPharia`) and a label value
    // Kubernetes refuses (`a&b`, to see Go's JSON escaping) are warnings there.
    let docs = render(&[
        "--helm-exact",
        "-f",
        "values/upstream-compat.yaml",
        "--set",
        "pgbouncerTemporal.enabled=false",
        "--set",
        "pgbouncerPharia.hooks.enabled=true,pgbouncerPharia.kind=DaemonSet",
        "--set",
        "pgbouncerPharia.config.existingAdminSecret=adm,pgbouncerPharia.config.existingUserlistSecret=ul",
        "--set",
        "pgbouncerPharia.config.adminUserKey=,pgbouncerPharia.config.adminPasswordKey=pw",
        "--set-json",
        // Replacing the product default labels: a null deletes one.
        r#"pgbouncerPharia.hooks.sourceSecretSelector={"team":"a&b","app.kubernetes.io/name":null,"qs-postgresql-cluster/name":null}"#,
    ]);
    let job = hook_job(&docs, "my-pgbouncer-pgbouncerPharia");
    assert_eq!(
        set_json(job, "pgbouncerPharia"),
        yaml(
            r#"
config:
  adminUser: admin
  adminUserKey: adminUser
  adminPasswordKey: pw
  existingAdminSecret: adm
  existingUserlistSecret: ul
fullnameOverride: my-pgbouncer-pgbouncerPharia
hooks:
  enabled: true
  restartOnChange: null
  # Helm keeps a dependency's nulls: they reach `qspgb hooks`, whose merge over its own
  # embedded defaults then deletes the same labels.
  sourceSecretNames: []
  sourceSecretSelector: {team: a&b, app.kubernetes.io/name: null, qs-postgresql-cluster/name: null}
kind: DaemonSet
pgbouncerExporter: {enabled: true}
userlistReload: {enabled: false}
"#
        )
    );
    // Go's JSON escaping of `&`, keys in byte order.
    assert!(job_args(job)[4].ends_with(
        r#"},"fullnameOverride":"my-pgbouncer-pgbouncerPharia","hooks":{"enabled":true,"restartOnChange":null,"sourceSecretNames":[],"sourceSecretSelector":{"app.kubernetes.io/name":null,"qs-postgresql-cluster/name":null,"team":"a\u0026b"}},"kind":"DaemonSet","pgbouncerExporter":{"enabled":true},"userlistReload":{"enabled":false}}"#
    ));
}

#[test]
fn hook_pods_are_not_selected_by_the_service_pdb_or_anti_affinity() {
    let docs = render(&[]);
    for (_, fullname) in INSTANCES {
        let job = hook_job(&docs, fullname);
        let hook_labels = &job["spec"]["template"]["metadata"]["labels"];
        assert_eq!(
            hook_labels,
            &yaml(
                "{app.kubernetes.io/name: qspgb-hooks, app.kubernetes.io/instance: my-pgbouncer, app.kubernetes.io/component: hooks}"
            )
        );
        assert_not_selected(&docs, fullname, hook_labels);
    }
}

#[test]
fn a_disabled_instance_has_no_hook_objects() {
    let docs = render(&["--set", "pgbouncerTemporal.enabled=false"]);
    let hooks = hook_docs(&docs);
    assert_eq!(hooks.len(), 4);
    assert!(hooks.iter().all(|d| {
        let name = d["metadata"]["name"].as_str().unwrap();
        name == "pgbouncer-pharia-hooks" || name.starts_with("pgbouncer-pharia-hooks-")
    }));
    assert_eq!(hook_jobs(&docs, "pgbouncer-pharia").len(), 1);
    // hooks.enabled=false alone removes them too.
    let docs = render(&["--set", "pgbouncerPharia.hooks.enabled=false"]);
    assert!(hook_docs(&docs).iter().all(|d| {
        let name = d["metadata"]["name"].as_str().unwrap();
        name == "pgbouncer-temporal-hooks" || name.starts_with("pgbouncer-temporal-hooks-")
    }));
    assert_eq!(hook_docs(&docs).len(), 4);
}

#[test]
fn hooks_without_what_they_need_fail_with_the_key_path() {
    for (set, fragment) in [
        (
            "pgbouncerPharia.config.existingUserlistSecret=",
            "pgbouncerPharia.hooks.enabled needs pgbouncerPharia.config.existingUserlistSecret",
        ),
        (
            "pgbouncerTemporal.config.existingUserlistSecret=",
            "pgbouncerTemporal.hooks.enabled needs pgbouncerTemporal.config.existingUserlistSecret",
        ),
        (
            // The admin password makes the rendered admin Secret possible; the hooks
            // still need an existing one to write.
            "pgbouncerPharia.config.existingAdminSecret=,pgbouncerPharia.config.adminPassword=x",
            "pgbouncerPharia.hooks.enabled needs pgbouncerPharia.config.existingAdminSecret",
        ),
        (
            "pgbouncerTemporal.hooks.sourceSecretSelector=null",
            "pgbouncerTemporal.hooks.enabled needs pgbouncerTemporal.hooks.sourceSecretSelector",
        ),
        (
            // Every product label deleted, none added.
            "pgbouncerTemporal.hooks.sourceSecretSelector.app\\.kubernetes\\.io/name=null,pgbouncerTemporal.hooks.sourceSecretSelector.qs-postgresql-cluster/name=null",
            "pgbouncerTemporal.hooks.enabled needs pgbouncerTemporal.hooks.sourceSecretSelector",
        ),
        (
            "pgbouncerPharia.config.existingUserlistSecret=pgbouncer-pharia-admin",
            "are both \"pgbouncer-pharia-admin\": the hooks write two different Secrets",
        ),
        (
            "pgbouncerPharia.hooks.sourceSecretSelector=cluster-pharia",
            "pgbouncerPharia.hooks.sourceSecretSelector: expected object, found string",
        ),
    ] {
        let out = qspgb(&["render", "--set", set]);
        assert_eq!(out.status.code(), Some(1), "{set}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{set}: stdout must stay empty");
        assert!(
            stderr(&out).contains(fragment),
            "{set}: stderr lacks {fragment:?}: {}",
            stderr(&out)
        );
    }
    // Without the hooks nothing is needed.
    let out = qspgb(&[
        "render",
        "--set",
        "pgbouncerPharia.config.existingUserlistSecret=,pgbouncerPharia.hooks.enabled=false",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The init containers of an instance's pods (empty when there are none).
fn init_containers(docs: &[Value], kind: &str, name: &str) -> Vec<Value> {
    one(docs, kind, name)["spec"]["template"]["spec"]["initContainers"]
        .as_sequence()
        .cloned()
        .unwrap_or_default()
}

fn userlist_volume(docs: &[Value], kind: &str, name: &str) -> Value {
    one(docs, kind, name)["spec"]["template"]["spec"]["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "userlist")
        .expect("userlist volume")
        .clone()
}

#[test]
fn userlist_check_runs_first_with_the_product_defaults() {
    let docs = render(&[
        "--set",
        "pgbouncerTemporal.kind=DaemonSet",
        "--set-json",
        r#"pgbouncerPharia.extraInitContainers=[{"name":"extra","image":"busybox"}]"#,
    ]);
    for (kind, fullname) in [
        ("Deployment", "pgbouncer-pharia"),
        ("DaemonSet", "pgbouncer-temporal"),
    ] {
        let inits = init_containers(&docs, kind, fullname);
        let check = &inits[0];
        assert_eq!(check["name"], "userlist-check");
        assert_eq!(
            check["args"],
            yaml("[check-userlist, /etc/userlist/userlist.txt]")
        );
        assert_eq!(
            check["volumeMounts"],
            yaml("[{name: userlist, mountPath: /etc/userlist/, readOnly: true}]")
        );
        assert_eq!(
            check["securityContext"],
            yaml(
                "{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}"
            )
        );
        assert_eq!(check["resources"]["limits"]["memory"], "32Mi");
        assert_eq!(
            userlist_volume(&docs, kind, fullname)["secret"]["optional"],
            true
        );
    }
    let pharia = init_containers(&docs, "Deployment", "pgbouncer-pharia");
    assert_eq!(pharia.len(), 2);
    assert_eq!(pharia[1], yaml("{name: extra, image: busybox}"));
}

#[test]
fn upstream_compat_has_no_hooks_and_no_userlist_check() {
    let docs = render(&["--helm-exact", "-f", "values/upstream-compat.yaml"]);
    assert!(hook_docs(&docs).is_empty());
    for (alias, _) in INSTANCES {
        let name = format!("my-pgbouncer-{alias}");
        assert!(init_containers(&docs, "Deployment", &name).is_empty());
        let secret = &userlist_volume(&docs, "Deployment", &name)["secret"];
        assert!(secret.get("optional").is_none(), "{secret:?}");
    }
}

#[test]
fn no_hooks_leaves_out_the_job_and_its_rbac() {
    let docs = render(&["--no-hooks"]);
    assert!(hook_docs(&docs).is_empty());
    for kind in ["Job", "Role", "RoleBinding"] {
        assert!(docs.iter().all(|d| d["kind"] != kind), "{kind} left");
    }
    assert!(
        docs.iter()
            .all(|d| !d["metadata"]["name"].as_str().unwrap().ends_with("-hooks"))
    );
    // The init container is part of the workload, not a hook: it stays.
    assert_eq!(
        init_containers(&docs, "Deployment", "pgbouncer-pharia")[0]["name"],
        "userlist-check"
    );
}

/// The image that runs `qspgb hooks` and `qspgb check-userlist` is this qspgb's version.
/// (Fails while Cargo.toml and `hooks.image.tag` disagree: bump them together.)
#[test]
fn the_hook_image_is_this_qspgb_version() {
    let docs = render(&[]);
    let expected = format!("ghcr.io/qs/qspgb:{}", env!("CARGO_PKG_VERSION"));
    let mut images = Vec::new();
    for (_, fullname) in INSTANCES {
        let job = hook_job(&docs, fullname);
        images.push(job["spec"]["template"]["spec"]["containers"][0]["image"].clone());
        images.push(init_containers(&docs, "Deployment", fullname)[0]["image"].clone());
    }
    for image in images {
        assert_eq!(
            image,
            Value::String(expected.clone()),
            "hooks.image.tag (values/pgbouncer.yaml) and Cargo.toml's version must be bumped together"
        );
    }
    let defaults: Value = serde_yaml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("values/pgbouncer.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        defaults["hooks"]["image"]["tag"],
        Value::String(env!("CARGO_PKG_VERSION").to_string())
    );
}

/// The CronJobs of a rendering, by name.
fn cronjob_names(docs: &[Value]) -> Vec<String> {
    docs.iter()
        .filter(|d| d["kind"] == "CronJob")
        .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_rotation_cronjob_runs_exactly_what_the_hook_job_runs() {
    for extra in [
        vec![],
        // Everything the pod template takes from the values, changed.
        vec![
            "--set",
            "pgbouncerPharia.kind=DaemonSet,pgbouncerPharia.hooks.nodeSelector.pool=system",
            "--set-json",
            r#"pgbouncerPharia.hooks.tolerations=[{"key":"system","operator":"Exists"}]"#,
            "--set-json",
            r#"pgbouncerTemporal.imagePullSecrets=[{"name":"regcred"}]"#,
            "--set",
            "pgbouncerTemporal.hooks.image.registry=registry.example,pgbouncerTemporal.hooks.resources=null",
            "--set",
            "pgbouncerPharia.hooks.backoffLimit=5,pgbouncerPharia.hooks.activeDeadlineSeconds=60",
        ],
    ] {
        let docs = render(&extra);
        for (alias, fullname) in INSTANCES {
            let job = hook_job(&docs, fullname);
            let cron = one(&docs, "CronJob", &format!("{fullname}-hooks-rotation"));
            assert_eq!(cron["apiVersion"], "batch/v1");
            // An ordinary resource, not a hook: Helm keeps it, and updates it on upgrade.
            assert!(
                cron["metadata"]["annotations"]
                    .get("helm.sh/hook")
                    .is_none(),
                "{fullname}: the CronJob is no hook"
            );
            assert_eq!(
                cron["metadata"]["labels"]["app.kubernetes.io/component"],
                "hooks"
            );
            let template = &cron["spec"]["jobTemplate"]["spec"]["template"];
            // The whole pod template: command line, ServiceAccount, token, security
            // contexts, resources, image, scheduling, labels.
            assert_eq!(template, &job["spec"]["template"], "{alias} {extra:?}");
            // (`jobTemplate` has the Job's shape: spec.template.spec.containers.)
            assert_eq!(job_args(&cron["spec"]["jobTemplate"]), job_args(job));
            assert_eq!(
                template["spec"]["serviceAccountName"],
                format!("{fullname}-hooks").as_str()
            );
            assert_eq!(template["spec"]["automountServiceAccountToken"], true);
            for key in ["backoffLimit", "activeDeadlineSeconds"] {
                assert_eq!(
                    cron["spec"]["jobTemplate"]["spec"][key], job["spec"][key],
                    "{key}"
                );
            }
            assert_eq!(
                cron["spec"]["jobTemplate"]["metadata"]["labels"],
                template["metadata"]["labels"]
            );
        }
    }
}

#[test]
fn the_rotation_schedule_comes_from_the_values() {
    let docs = render(&[]);
    for (_, fullname) in INSTANCES {
        let cron = one(&docs, "CronJob", &format!("{fullname}-hooks-rotation"));
        assert_eq!(
            cron["spec"],
            {
                let mut spec = yaml(
                    r#"
schedule: "*/15 * * * *"
concurrencyPolicy: Forbid
successfulJobsHistoryLimit: 1
failedJobsHistoryLimit: 3
startingDeadlineSeconds: 300
"#,
                );
                spec["jobTemplate"] = cron["spec"]["jobTemplate"].clone();
                spec
            },
            "{fullname}"
        );
    }
    let docs = render(&[
        "--set",
        "pgbouncerPharia.hooks.rotation.schedule=0 3 * * *,pgbouncerPharia.hooks.rotation.concurrencyPolicy=Replace",
        "--set",
        "pgbouncerPharia.hooks.rotation.successfulJobsHistoryLimit=0,pgbouncerPharia.hooks.rotation.failedJobsHistoryLimit=1",
        "--set",
        "pgbouncerPharia.hooks.rotation.startingDeadlineSeconds=null",
    ]);
    let spec = &one(&docs, "CronJob", "pgbouncer-pharia-hooks-rotation")["spec"];
    assert_eq!(spec["schedule"], "0 3 * * *");
    assert_eq!(spec["concurrencyPolicy"], "Replace");
    assert_eq!(spec["successfulJobsHistoryLimit"], 0);
    assert_eq!(spec["failedJobsHistoryLimit"], 1);
    assert!(spec.get("startingDeadlineSeconds").is_none(), "{spec:?}");
}

#[test]
fn no_rotation_cronjob_without_rotation_hooks_or_the_instance() {
    assert_eq!(
        cronjob_names(&render(&[])),
        [
            "pgbouncer-pharia-hooks-rotation",
            "pgbouncer-temporal-hooks-rotation"
        ]
    );
    for (set, left) in [
        (
            "pgbouncerPharia.hooks.rotation.enabled=false",
            vec!["pgbouncer-temporal-hooks-rotation"],
        ),
        // Rotation on but the hooks off: neither the CronJob nor the RBAC it would need.
        (
            "pgbouncerTemporal.hooks.enabled=false",
            vec!["pgbouncer-pharia-hooks-rotation"],
        ),
        (
            "pgbouncerTemporal.enabled=false",
            vec!["pgbouncer-pharia-hooks-rotation"],
        ),
        (
            "pgbouncerPharia.enabled=false,pgbouncerTemporal.hooks.rotation.enabled=false",
            vec![],
        ),
    ] {
        assert_eq!(cronjob_names(&render(&["--set", set])), left, "{set}");
    }
    // The upstream chart has none, and the pgbouncer chart's own default is off.
    assert!(
        cronjob_names(&render(&[
            "--helm-exact",
            "-f",
            "values/upstream-compat.yaml"
        ]))
        .is_empty()
    );
    let docs = render(&[
        "--helm-exact",
        "-f",
        "values/upstream-compat.yaml",
        "--set",
        "pgbouncerPharia.hooks.enabled=true,pgbouncerPharia.config.existingAdminSecret=a,pgbouncerPharia.config.existingUserlistSecret=b",
        "--set",
        "pgbouncerPharia.hooks.sourceSecretSelector.team=a",
    ]);
    assert_eq!(hook_jobs(&docs, "my-pgbouncer-pgbouncerPharia").len(), 1);
    assert!(cronjob_names(&docs).is_empty());
    // Rotation needs what the hooks need.
    let out = qspgb(&[
        "render",
        "--set",
        "pgbouncerPharia.config.existingUserlistSecret=",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pgbouncerPharia.hooks.enabled needs"));
}

#[test]
fn the_rotation_cronjob_name_fits_a_cronjob() {
    // A CronJob's name is at most 52 characters (its Jobs add 11).
    let long = "a".repeat(40) + "-" + &"b".repeat(22);
    let docs = render(&["--set", &format!("pgbouncerPharia.fullnameOverride={long}")]);
    let names = cronjob_names(&docs);
    let name = names
        .iter()
        .find(|n| n.starts_with("aaa"))
        .expect("CronJob");
    assert_eq!(name, &format!("{}-hooks-rotation", "a".repeat(37)));
    assert!(name.len() <= 52);
    // The hook Job is named by its spec within 63 characters (the fullname cut to 46).
    assert_eq!(hook_jobs(&docs, &long).len(), 1);
}

#[test]
fn no_hooks_keeps_the_rotation_cronjob() {
    // Not a hook, so `--no-hooks` keeps it, although it leaves out the ServiceAccount and
    // Role it runs with (README: turn rotation off, or apply hooks-rbac.yaml yourself).
    let docs = render(&["--no-hooks"]);
    assert_eq!(cronjob_names(&docs).len(), 2);
}

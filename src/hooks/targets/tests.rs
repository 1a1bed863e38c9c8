use super::*;
use crate::yaml;

fn doc(source: &str, kind: &str, content: &str) -> Document {
    Document {
        source: source.into(),
        index: 0,
        content: content.into(),
        kind: kind.into(),
        hook_events: vec![],
        object: yaml::parse_values(content, "test").unwrap_or(Value::Null),
    }
}

fn values(yaml_text: &str) -> Map {
    match yaml::parse_values(yaml_text, "test").unwrap() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

const VALUES: &str = r#"
pgbouncerPharia:
  config:
    adminUser: pgbouncer
    existingAdminSecret: adm
    existingUserlistSecret: ul
  hooks:
    sourceSecretSelector:
      app.kubernetes.io/name: qs-postgresql-cluster
      qs-postgresql-cluster/name: cluster-pharia
pgbouncerTemporal:
  config:
    adminUser: pgbouncer
    existingAdminSecret: ""
"#;

fn docs() -> Vec<Document> {
    vec![
        doc(
            "qs/charts/pgbouncerPharia/templates/deployment.yaml",
            "Deployment",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pgbouncer-pharia\n",
        ),
        doc(
            "qs/charts/pgbouncerTemporal/templates/daemonset.yaml",
            "DaemonSet",
            "kind: DaemonSet\nmetadata:\n  name: t\n",
        ),
    ]
}

fn aliases() -> Vec<String> {
    vec!["pgbouncerPharia".into(), "pgbouncerTemporal".into()]
}

#[test]
fn instance_names() {
    assert_eq!(instance_name("pgbouncerPharia"), "pharia");
    assert_eq!(instance_name("other"), "other");
    assert!(names_instance("Pharia", "pgbouncerPharia"));
    assert!(names_instance("pgbouncerpharia", "pgbouncerPharia"));
    assert!(!names_instance("temporal", "pgbouncerPharia"));
}

#[test]
fn a_target_from_values_and_the_rendered_workload() {
    let targets = instance_targets(
        &values(VALUES),
        &aliases(),
        &aliases(),
        &docs(),
        "qs",
        Some("pharia"),
    )
    .unwrap();
    assert_eq!(targets.len(), 1);
    let t = &targets[0];
    assert_eq!(t.userlist_secret, "ul");
    assert_eq!(t.admin_secret, "adm");
    assert_eq!(t.admin_user_key, "adminUser");
    assert_eq!(
        t.workload,
        Workload {
            kind: WorkloadKind::Deployment,
            name: "pgbouncer-pharia".into()
        }
    );
    assert!(matches!(&t.sources, Sources::Selector(s) if s.len() == 2));
}

#[test]
fn missing_names_are_errors_with_key_paths() {
    let err = instance_targets(&values(VALUES), &aliases(), &aliases(), &docs(), "qs", None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("pgbouncerTemporal.config.existingUserlistSecret is empty"),
        "{err}"
    );
}

#[test]
fn instance_choice_errors() {
    let v = values(VALUES);
    let err = instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("nope"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("pharia (pgbouncerPharia)"), "{err}");
    let only_temporal = vec!["pgbouncerTemporal".to_string()];
    let err = instance_targets(
        &v,
        &aliases(),
        &only_temporal,
        &docs(),
        "qs",
        Some("pharia"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("disabled"), "{err}");
    let err = instance_targets(&v, &aliases(), &[], &docs(), "qs", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no instance is enabled"), "{err}");
}

#[test]
fn selectors_must_be_non_empty_maps_of_strings() {
    let mut v = values(VALUES);
    let pharia = v["pgbouncerPharia"].as_map_mut().unwrap();
    pharia["hooks"]
        .as_map_mut()
        .unwrap()
        .insert("sourceSecretSelector".into(), Value::Map(Map::default()));
    let err = instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("pharia"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("would match every Secret"), "{err}");
    let pharia = v["pgbouncerPharia"].as_map_mut().unwrap();
    pharia["hooks"].as_map_mut().unwrap().insert(
        "sourceSecretSelector".into(),
        Value::List(vec![Value::String("x".into())]),
    );
    let err = instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("pharia"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected a map"), "{err}");
    // A label set to null is dropped; all null is empty.
    let selector = Value::map_of([("a", Value::Null), ("b", Value::String("x".into()))]);
    let pharia = v["pgbouncerPharia"].as_map_mut().unwrap();
    pharia["hooks"]
        .as_map_mut()
        .unwrap()
        .insert("sourceSecretSelector".into(), selector);
    let t = instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("pharia")).unwrap();
    assert_eq!(t[0].label_selector(), "b=x");
    let pharia = v["pgbouncerPharia"].as_map_mut().unwrap();
    pharia["hooks"].as_map_mut().unwrap().insert(
        "sourceSecretSelector".into(),
        Value::map_of([("a", Value::Null)]),
    );
    assert!(instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("pharia")).is_err());
}

/// VALUES with `extra` (YAML under pgbouncerPharia) merged over pharia's settings.
fn pharia_with(extra: &[(&str, Value)]) -> Result<InstanceTarget> {
    let mut v = values(VALUES);
    let pharia = v["pgbouncerPharia"].as_map_mut().unwrap();
    for (path, value) in extra {
        let (section, key) = path.split_once('.').unwrap();
        pharia[section]
            .as_map_mut()
            .unwrap()
            .insert((*key).into(), value.clone());
    }
    Ok(instance_targets(&v, &aliases(), &aliases(), &docs(), "qs", Some("pharia"))?.remove(0))
}

fn names(list: &[&str]) -> Value {
    Value::List(list.iter().map(|n| Value::String((*n).into())).collect())
}

#[test]
fn names_mode_reads_exactly_the_named_secrets() {
    let t = pharia_with(&[
        ("hooks.sourceSecretSelector", Value::Null),
        (
            "hooks.sourceSecretNames",
            names(&["b-app", "a-admin", "b-app"]),
        ),
    ])
    .unwrap();
    assert_eq!(
        t.sources,
        Sources::Names(vec!["a-admin".into(), "b-app".into()])
    );
    assert_eq!(t.label_selector(), "names a-admin, b-app");
    // An empty list is unset: the selector stays in charge.
    let t = pharia_with(&[("hooks.sourceSecretNames", names(&[]))]).unwrap();
    assert!(matches!(t.sources, Sources::Selector(_)));
}

#[test]
fn names_and_selector_are_mutually_exclusive_and_names_must_be_names() {
    let err = pharia_with(&[("hooks.sourceSecretNames", names(&["a"]))])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("pgbouncerPharia.hooks.sourceSecretNames and pgbouncerPharia.hooks.sourceSecretSelector are both set"),
        "{err}"
    );
    for (bad, expected) in [
        (names(&["Upper"]), "[0]: \"Upper\" is not a Secret name"),
        (names(&["ok", "-x"]), "[1]: \"-x\" is not a Secret name"),
        (names(&[""]), "[0]: \"\" is not a Secret name"),
        (
            Value::List(vec![Value::Int(1)]),
            "[0]: expected a Secret name",
        ),
        (
            Value::String("a".into()),
            ": expected a list of Secret names",
        ),
    ] {
        let err = pharia_with(&[
            ("hooks.sourceSecretSelector", Value::Null),
            ("hooks.sourceSecretNames", bad),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(&format!(
                "pgbouncerPharia.hooks.sourceSecretNames{expected}"
            )),
            "{err}"
        );
    }
    let err = pharia_with(&[("hooks.sourceSecretSelector", Value::Null)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("or set pgbouncerPharia.hooks.sourceSecretNames"),
        "{err}"
    );
    // A target is no source.
    let err = pharia_with(&[
        ("hooks.sourceSecretSelector", Value::Null),
        ("hooks.sourceSecretNames", names(&["src", "adm"])),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "pgbouncerPharia.hooks.sourceSecretNames names \"adm\", a Secret the hooks write"
        ),
        "{err}"
    );
}

#[test]
fn admin_keys_may_not_collide_with_each_other_or_the_fingerprint_key() {
    let s = |v: &str| Value::String(v.into());
    for (extra, expected) in [
        (
            vec![("config.adminUserKey", s(HASH_KEY))],
            "pgbouncerPharia.config.adminUserKey is \"qspgb-hash-key\"",
        ),
        (
            vec![("config.adminPasswordKey", s(HASH_KEY))],
            "pgbouncerPharia.config.adminPasswordKey is \"qspgb-hash-key\"",
        ),
        (
            vec![
                ("config.adminUserKey", s("k")),
                ("config.adminPasswordKey", s("k")),
            ],
            "are both \"k\"",
        ),
        (
            // The password key's default is "adminPassword".
            vec![("config.adminUserKey", s("adminPassword"))],
            "are both \"adminPassword\"",
        ),
    ] {
        let err = pharia_with(&extra).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn a_daemonset_is_the_workload_when_rendered() {
    let w = workload_of("pgbouncerTemporal", &docs(), "qs").unwrap();
    assert_eq!(w.kind, WorkloadKind::DaemonSet);
    assert!(workload_of("pgbouncerOther", &docs(), "qs").is_err());
}

#[test]
fn a_statefulset_is_the_workload_with_peering() {
    // peering.enabled renders statefulset.yaml instead of deployment.yaml.
    let docs = vec![doc(
        "qs/charts/pgbouncerPharia/templates/statefulset.yaml",
        "StatefulSet",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pgbouncer-pharia\n",
    )];
    let w = workload_of("pgbouncerPharia", &docs, "qs").unwrap();
    assert_eq!(
        w,
        Workload {
            kind: WorkloadKind::StatefulSet,
            name: "pgbouncer-pharia".into()
        }
    );
    // What the messages and the Role's resource call it.
    assert_eq!(w.kind.to_string(), "statefulset");
    // Another instance's StatefulSet is not this one's workload.
    let err = workload_of("pgbouncerTemporal", &docs, "qs").unwrap_err();
    assert!(err.to_string().contains("StatefulSet"), "{err}");
}

// The examples of the items' documentation, from when the module was public.

#[test]
fn instance_name_example() {
    assert_eq!(
        crate::hooks::targets::instance_name("pgbouncerTemporal"),
        "temporal"
    );
}

#[test]
fn the_restart_scope_follows_what_the_pods_read_at_start() {
    // (hooks.restartOnChange, userlistReload.enabled, pgbouncerExporter.enabled) -> scope
    let cases = [
        ("null", "false", "false", RestartScope::Both),
        ("null", "false", "true", RestartScope::Both),
        ("null", "true", "true", RestartScope::Admin),
        ("null", "true", "false", RestartScope::Neither),
        ("true", "true", "false", RestartScope::Both),
        ("true", "false", "false", RestartScope::Both),
        ("false", "false", "true", RestartScope::Neither),
        ("false", "true", "true", RestartScope::Neither),
    ];
    for (restart, reload, exporter, scope) in cases {
        let v = values(&format!(
            "hooks: {{restartOnChange: {restart}}}\nuserlistReload: {{enabled: {reload}}}\n\
             pgbouncerExporter: {{enabled: {exporter}}}\n"
        ));
        assert_eq!(
            restart_scope("pgbouncerPharia", &v).unwrap(),
            scope,
            "{restart} {reload} {exporter}"
        );
    }
    // Keys left out are the defaults: no sidecar, so every change restarts.
    assert_eq!(
        restart_scope("pgbouncerPharia", &values("{}")).unwrap(),
        RestartScope::Both
    );
    let err = restart_scope(
        "pgbouncerPharia",
        &values("hooks: {restartOnChange: yes-please}"),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("pgbouncerPharia.hooks.restartOnChange: expected true, false or null"),
        "{err}"
    );
}

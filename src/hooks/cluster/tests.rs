use super::super::FailureClass;
use super::*;

#[test]
fn a_new_key_rewrites_labels_made_without_it_and_only_then() {
    let key = FingerprintKey::from_stored(&[b'1'; 64]).unwrap();
    let desired = SecretData::from([("userlist.txt".into(), b"x".to_vec())]);
    let live = |label: &str| Secret {
        metadata: ObjectMeta {
            labels: Some(BTreeMap::from([(SOURCE_HASH_LABEL.into(), label.into())])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(
            "userlist.txt".into(),
            ByteString(b"x".to_vec()),
        )])),
        ..Secret::default()
    };
    let current = key.data(&desired)[..32].to_string();
    let stale = live("0123456789abcdef0123456789abcdef");
    assert_eq!(
        decide(&desired, &key, true, Some(&stale)),
        SecretAction::Update
    );
    assert_eq!(
        decide(&desired, &key, false, Some(&stale)),
        SecretAction::Unchanged
    );
    assert_eq!(
        decide(&desired, &key, true, Some(&live(&current))),
        SecretAction::Unchanged
    );
    assert_eq!(decide(&desired, &key, true, None), SecretAction::Create);
}

#[test]
fn written_secrets_keep_foreign_metadata_and_carry_ours() {
    let target = InstanceTarget {
        alias: "pgbouncerPharia".into(),
        sources: Sources::Names(vec!["src".into()]),
        userlist_secret: "ul".into(),
        admin_secret: "adm".into(),
        admin_role: "pgbouncer".into(),
        admin_user_key: "adminUser".into(),
        admin_password_key: "adminPassword".into(),
        workload: super::super::Workload {
            kind: WorkloadKind::Deployment,
            name: "w".into(),
        },
        restart: super::super::RestartScope::Both,
    };
    let live = Secret {
        metadata: ObjectMeta {
            name: Some("ul".into()),
            labels: Some(BTreeMap::from([("team".into(), "db".into())])),
            resource_version: Some("42".into()),
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".into()),
        ..Secret::default()
    };
    let desired = SecretData::from([("userlist.txt".into(), b"x".to_vec())]);
    let mut live = live;
    live.metadata.annotations = Some(BTreeMap::from([
        ("note".into(), "kept".into()),
        (PENDING_RESTART_ANNOTATION.into(), "h0".into()),
    ]));
    let fp = "f".repeat(64);
    let s = secret_object(&target, "ul", &desired, &fp, Some(&live), Some("h1"));
    // The mark is this run's; other annotations stay.
    assert_eq!(
        s.metadata.annotations,
        Some(BTreeMap::from([
            ("note".into(), "kept".into()),
            (PENDING_RESTART_ANNOTATION.into(), "h1".into()),
        ]))
    );
    // No workload running: an old mark goes, nothing else does.
    let unmarked = secret_object(&target, "ul", &desired, &fp, Some(&live), None);
    assert_eq!(
        unmarked.metadata.annotations,
        Some(BTreeMap::from([("note".into(), "kept".into())]))
    );
    let labels = s.metadata.labels.unwrap();
    assert_eq!(labels["team"], "db");
    assert_eq!(labels[MANAGED_BY_LABEL], MANAGED_BY);
    assert_eq!(labels[SOURCE_HASH_LABEL], "f".repeat(32));
    assert_eq!(s.metadata.resource_version.as_deref(), Some("42"));
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    let fresh = secret_object(&target, "ul", &desired, &fp, None, None);
    assert_eq!(fresh.type_.as_deref(), Some("Opaque"));
    assert_eq!(fresh.metadata.resource_version, None);

    // Only Opaque (or untyped) live targets are ours to write.
    assert!(check_type(&target, "ul", &live).is_ok());
    let mut untyped = live.clone();
    untyped.type_ = None;
    assert!(check_type(&target, "ul", &untyped).is_ok());
    for other in [
        "kubernetes.io/service-account-token",
        "kubernetes.io/tls",
        "kubernetes.io/basic-auth",
        "kubernetes.io/dockerconfigjson",
        "opaque",
    ] {
        let mut foreign = live.clone();
        foreign.type_ = Some(other.into());
        let err = check_type(&target, "ul", &foreign).unwrap_err();
        assert_eq!(err.class, FailureClass::Target, "{other}");
        assert!(
            err.message
                .contains(&format!("secret/ul exists with type {other:?}")),
            "{err}"
        );
    }
}

use super::*;
use crate::hooks::fingerprint::{FingerprintKey, HASH_KEY};
use crate::hooks::{
    FailureClass, InstanceTarget, RestartScope, SourceSecret, Sources, Workload, WorkloadKind,
};

fn target() -> InstanceTarget {
    InstanceTarget {
        alias: "pgbouncerPharia".into(),
        sources: Sources::Selector(BTreeMap::from([
            (
                "app.kubernetes.io/name".into(),
                "qs-postgresql-cluster".into(),
            ),
            ("qs-postgresql-cluster/name".into(), "cluster-pharia".into()),
        ])),
        userlist_secret: "ul".into(),
        admin_secret: "adm".into(),
        admin_role: "pgbouncer".into(),
        admin_user_key: "adminUser".into(),
        admin_password_key: "adminPassword".into(),
        workload: Workload {
            kind: WorkloadKind::Deployment,
            name: "pgbouncer-pharia".into(),
        },
        restart: RestartScope::Both,
    }
}

fn source(name: &str, pairs: &[(&str, &[u8])]) -> SourceSecret {
    SourceSecret {
        name: name.into(),
        data: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
    }
}

fn key() -> FingerprintKey {
    FingerprintKey::from_stored(&[b'7'; 64]).unwrap()
}

/// [`desired_secrets`] with a fixed key.
fn desired_secrets_k(
    target: &InstanceTarget,
    sources: &[SourceSecret],
) -> Result<DesiredSecrets, HooksError> {
    desired_secrets(target, sources, key())
}

fn userlist(d: &DesiredSecrets) -> String {
    String::from_utf8(d.userlist[USERLIST_KEY].clone()).unwrap()
}

#[test]
fn selector_is_sorted_and_joined() {
    assert_eq!(
        target().label_selector(),
        "app.kubernetes.io/name=qs-postgresql-cluster,qs-postgresql-cluster/name=cluster-pharia"
    );
}

#[test]
fn userlist_is_sorted_and_takes_user_or_username() {
    let sources = [
        source("z", &[("username", b"zeta"), ("password", b"pz")]),
        source("a", &[("user", b"alpha"), ("password", b"pa")]),
        source("p", &[("username", b"pgbouncer"), ("password", b"p\"q")]),
    ];
    let d = desired_secrets_k(&target(), &sources).unwrap();
    assert_eq!(
        userlist(&d),
        "\"alpha\" \"pa\"\n\"pgbouncer\" \"p\"\"q\"\n\"zeta\" \"pz\"\n"
    );
    assert_eq!(d.roles, ["alpha", "pgbouncer", "zeta"]);
    assert_eq!(d.admin["adminPassword"], b"p\"q");
    assert!(d.skipped.is_empty());
    // Input order does not matter.
    let mut reversed = sources.to_vec();
    reversed.reverse();
    assert_eq!(desired_secrets_k(&target(), &reversed).unwrap(), d);
}

#[test]
fn username_wins_over_user() {
    let sources = [source(
        "p",
        &[
            ("username", b"pgbouncer"),
            ("user", b"other"),
            ("password", b"x"),
        ],
    )];
    assert_eq!(
        desired_secrets_k(&target(), &sources).unwrap().roles,
        ["pgbouncer"]
    );
}

#[test]
fn secrets_without_credential_keys_are_skipped_by_name() {
    let sources = [
        source("p", &[("username", b"pgbouncer"), ("password", b"x")]),
        source("ca", &[("ca.crt", b"-----BEGIN CERTIFICATE-----")]),
        source("empty", &[]),
    ];
    let d = desired_secrets_k(&target(), &sources).unwrap();
    assert_eq!(d.roles, ["pgbouncer"]);
    assert_eq!(
        d.skipped,
        [
            "secret/ca: holds no `username`, `user` or `password` (not a credential \
             Secret); skipped",
            "secret/empty: holds no `username`, `user` or `password` (not a credential \
             Secret); skipped"
        ]
    );
}

#[test]
fn a_broken_credential_secret_is_an_error_naming_each_without_values() {
    let good = source("p", &[("username", b"pgbouncer"), ("password", b"x")]);
    let broken = [
        source("no-password", &[("username", b"a")]),
        source("no-user", &[("password", b"secret-one")]),
        source("empty", &[("username", b"b"), ("password", b"")]),
        source("binary", &[("username", b"c"), ("password", &[0xff, 0xfe])]),
        source("binary-user", &[("user", &[0xc3]), ("password", b"pw")]),
        source(
            "newline",
            &[("username", b"d"), ("password", b"secret\ntwo")],
        ),
    ];
    for one in &broken {
        let err = desired_secrets_k(&target(), &[good.clone(), one.clone()]).unwrap_err();
        assert_eq!(err.class, FailureClass::Source, "{err}");
        assert!(
            err.message
                .contains(&format!("1 source Secret matching app.kubernetes.io/name=qs-postgresql-cluster,qs-postgresql-cluster/name=cluster-pharia cannot give a role (secret/{}: ", one.name)),
            "{err}"
        );
        assert!(err.message.ends_with("(nothing written)"), "{err}");
    }
    let mut all = broken.to_vec();
    all.push(good);
    let err = desired_secrets_k(&target(), &all).unwrap_err();
    assert!(err.message.contains("6 source Secrets"), "{err}");
    for name in ["no-password", "no-user", "empty", "binary", "newline"] {
        assert!(err.message.contains(&format!("secret/{name}: ")), "{err}");
    }
    assert!(
        !err.message.contains("secret-one") && !err.message.contains("secret\ntwo"),
        "{err}"
    );
}

#[test]
fn nothing_usable_is_an_error_naming_the_selector() {
    let err = desired_secrets_k(&target(), &[source("x", &[("user", b"a")])]).unwrap_err();
    assert_eq!(err.class, FailureClass::Source);
    assert!(
        err.message
            .contains("qs-postgresql-cluster/name=cluster-pharia"),
        "{err}"
    );
    assert!(desired_secrets_k(&target(), &[]).is_err());
}

#[test]
fn missing_admin_role_is_an_error_naming_it() {
    let sources = [source(
        "a",
        &[("username", b"app"), ("password", b"s3cret")],
    )];
    let err = desired_secrets_k(&target(), &sources).unwrap_err();
    assert_eq!(err.class, FailureClass::Source);
    assert!(
        err.message.contains("\"pgbouncer\"") && err.message.contains("app"),
        "{err}"
    );
    assert!(!err.message.contains("s3cret"));
}

#[test]
fn duplicate_roles_agree_or_fail() {
    let same = [
        source("a", &[("username", b"pgbouncer"), ("password", b"x")]),
        source("b", &[("username", b"pgbouncer"), ("password", b"x")]),
    ];
    assert_eq!(desired_secrets_k(&target(), &same).unwrap().roles.len(), 1);
    let different = [
        source("a", &[("username", b"pgbouncer"), ("password", b"x")]),
        source("b", &[("username", b"pgbouncer"), ("password", b"y")]),
    ];
    let err = desired_secrets_k(&target(), &different).unwrap_err();
    assert!(
        err.message.contains("secret/a") && err.message.contains("secret/b"),
        "{err}"
    );
}

#[test]
fn admin_keys_follow_the_target() {
    let mut t = target();
    t.admin_user_key = "u".into();
    t.admin_password_key = "p".into();
    let d = desired_secrets_k(
        &t,
        &[source(
            "a",
            &[("username", b"pgbouncer"), ("password", b"x")],
        )],
    )
    .unwrap();
    assert_eq!(
        d.admin,
        SecretData::from([
            ("p".into(), b"x".to_vec()),
            (HASH_KEY.into(), key().stored().to_vec()),
            ("u".into(), b"pgbouncer".to_vec())
        ])
    );
}

#[test]
fn decisions_compare_content() {
    let a = SecretData::from([("k".into(), b"v".to_vec())]);
    let b = SecretData::from([("k".into(), b"w".to_vec())]);
    assert_eq!(SecretAction::decide(&a, None), SecretAction::Create);
    assert_eq!(SecretAction::decide(&a, Some(&a)), SecretAction::Unchanged);
    assert_eq!(SecretAction::decide(&a, Some(&b)), SecretAction::Update);
    // An extra key is a difference.
    let mut extra = a.clone();
    extra.insert("x".into(), vec![]);
    assert_eq!(SecretAction::decide(&a, Some(&extra)), SecretAction::Update);
}

#[test]
fn restarts_only_on_change_or_a_stale_annotation() {
    assert!(restart_needed(true, None, &[], "h"));
    assert!(!restart_needed(false, None, &[], "h"));
    assert!(!restart_needed(false, Some("h"), &[], "h"));
    assert!(!restart_needed(true, Some("h"), &[], "h"));
    assert!(restart_needed(false, Some("old"), &[], "h"));
}

#[test]
fn a_restart_owed_by_a_failed_run_is_made_up() {
    let owed = ["h".to_string()];
    // Never restarted by qspgb, content written by a run that then failed: restart.
    assert!(restart_needed(false, None, &owed, "h"));
    // The mark is of older content (this run found other content to write, or none).
    assert!(!restart_needed(false, None, &["old".to_string()], "h"));
    // Once the workload has the annotation, it alone decides.
    assert!(!restart_needed(false, Some("h"), &owed, "h"));
    assert!(restart_needed(false, Some("old"), &owed, "h"));
}

#[test]
fn content_hash_changes_with_either_secret() {
    let sources = [source(
        "a",
        &[("username", b"pgbouncer"), ("password", b"x")],
    )];
    let d = desired_secrets_k(&target(), &sources).unwrap();
    let mut other = d.clone();
    other
        .admin
        .insert("adminPassword".into(), b"changed".to_vec());
    assert_ne!(d.content_hash(), other.content_hash());
    assert_eq!(d.content_hash(), d.clone().content_hash());
    // Keyed: the same content under another key has another fingerprint, so a reader
    // of the annotation without the key cannot test a guessed password.
    let rekeyed =
        desired_secrets(&target(), &sources, FingerprintKey::generate().unwrap()).unwrap();
    assert_eq!(rekeyed.userlist, d.userlist);
    assert_ne!(rekeyed.content_hash(), d.content_hash());
}

#[test]
fn the_restart_hash_follows_only_what_the_pods_read_at_start() {
    let sources = [
        source("a", &[("username", b"pgbouncer"), ("password", b"x")]),
        source("b", &[("username", b"app"), ("password", b"y")]),
    ];
    let d = desired_secrets_k(&target(), &sources).unwrap();
    // A rotated application password: only the userlist changes.
    let rotated = desired_secrets_k(
        &target(),
        &[
            source("a", &[("username", b"pgbouncer"), ("password", b"x")]),
            source("b", &[("username", b"app"), ("password", b"y2")]),
        ],
    )
    .unwrap();
    assert_ne!(rotated.userlist, d.userlist);
    assert_eq!(rotated.admin, d.admin);
    // A rotated admin password: both change (the admin role is in the userlist too).
    let admin_rotated = desired_secrets_k(
        &target(),
        &[
            source("a", &[("username", b"pgbouncer"), ("password", b"x2")]),
            source("b", &[("username", b"app"), ("password", b"y")]),
        ],
    )
    .unwrap();
    let hash = |d: &DesiredSecrets, scope| d.restart_hash(scope);
    assert_eq!(hash(&d, RestartScope::Both), Some(d.content_hash()));
    assert_ne!(
        hash(&rotated, RestartScope::Both),
        hash(&d, RestartScope::Both)
    );
    // With the reload sidecar and the exporter, a userlist rotation leaves the annotation's
    // value alone (no restart); an admin rotation changes it (the exporter's environment).
    assert_eq!(
        hash(&rotated, RestartScope::Admin),
        hash(&d, RestartScope::Admin)
    );
    assert_ne!(
        hash(&admin_rotated, RestartScope::Admin),
        hash(&d, RestartScope::Admin)
    );
    assert_eq!(hash(&d, RestartScope::Neither), None);
}

/// The module's example, once a doc test: two credential Secrets become the userlist
/// (sorted, quoted) and the admin Secret (its role's name, and the fingerprint key).
#[test]
fn a_userlist_and_an_admin_secret_from_two_credential_secrets() {
    let key = FingerprintKey::generate().unwrap();
    let desired = desired_secrets(
        &target(),
        &[
            source(
                "cluster-pharia-app",
                &[("username", b"pharia_os"), ("password", b"s3cret")],
            ),
            source(
                "cluster-pharia-pgbouncer",
                &[("username", b"pgbouncer"), ("password", b"adm1n")],
            ),
        ],
        key.clone(),
    )
    .unwrap();
    assert_eq!(
        desired.userlist["userlist.txt"],
        b"\"pgbouncer\" \"adm1n\"\n\"pharia_os\" \"s3cret\"\n"
    );
    assert_eq!(desired.admin["adminUser"], b"pgbouncer");
    assert_eq!(desired.admin[HASH_KEY], key.stored());
    assert_eq!(desired.roles, ["pgbouncer", "pharia_os"]);
}

#[test]
fn the_workload_step_follows_the_scope_and_restarts_for_a_created_secret() {
    use SecretAction::{Create, Unchanged, Update};
    use WorkloadStep::{Reloads, Restart, UpToDate};
    // (scope, userlist, admin, live annotation, restart hash) -> step
    let cases = [
        (
            RestartScope::Both,
            Update,
            Unchanged,
            Some("old"),
            Some("new"),
            Restart,
        ),
        (
            RestartScope::Both,
            Unchanged,
            Unchanged,
            Some("h"),
            Some("h"),
            UpToDate,
        ),
        // Owed by an earlier run that failed before restarting.
        (
            RestartScope::Both,
            Unchanged,
            Unchanged,
            Some("old"),
            Some("h"),
            Restart,
        ),
        // The sidecar reloads the userlist; the exporter's admin password does not.
        (
            RestartScope::Admin,
            Update,
            Unchanged,
            Some("h"),
            Some("h"),
            Reloads,
        ),
        (
            RestartScope::Admin,
            Unchanged,
            Update,
            Some("old"),
            Some("new"),
            Restart,
        ),
        (
            RestartScope::Neither,
            Update,
            Update,
            Some("h"),
            None,
            Reloads,
        ),
        (
            RestartScope::Neither,
            Unchanged,
            Unchanged,
            Some("h"),
            None,
            UpToDate,
        ),
        // Pods waiting for a Secret that now exists start at once, whatever the scope.
        (RestartScope::Neither, Create, Create, None, None, Restart),
        (
            RestartScope::Admin,
            Create,
            Unchanged,
            Some("h"),
            Some("h"),
            Restart,
        ),
    ];
    for (scope, userlist, admin, live, hash, step) in cases {
        assert_eq!(
            workload_step(scope, userlist, admin, live, &[], hash),
            step,
            "{scope:?} {userlist:?} {admin:?} {live:?} {hash:?}"
        );
    }
}

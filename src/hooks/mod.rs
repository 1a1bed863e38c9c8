//! `qspgb hooks`: the userlist and admin Secrets of each PgBouncer instance, built from the
//! database clusters' credential Secrets.
//!
//! The work is split the usual way: this module holds the types the parts share;
//! [`plan`] is the pure part (which roles, which bytes, which hash, what to do about a live
//! Secret, whether to restart); [`targets`] reads the instances out of the loaded release;
//! [`cluster`] does the Kubernetes I/O with [`retry`]'s policy; [`run`] runs the instances
//! concurrently, and [`report`] says what each did.

pub mod cluster;
pub mod fingerprint;
pub mod plan;
pub mod report;
pub mod retry;
pub mod run;
pub mod targets;

use std::collections::BTreeMap;
use std::fmt;

pub use plan::{DesiredSecrets, SecretAction, desired_secrets, restart_needed};

/// The data of a Secret: key to bytes (what `data` holds once base64 is decoded).
pub type SecretData = BTreeMap<String, Vec<u8>>;

/// Key of the userlist in the userlist Secret (what the pods mount as userlist.txt).
pub const USERLIST_KEY: &str = "userlist.txt";

/// Pod-template annotation whose value is the keyed fingerprint of both Secrets' content
/// ([`fingerprint`]): changing it restarts the pods, and an equal value means the pods
/// already run with this content.
pub const RESTART_ANNOTATION: &str = "qspgb/secrets-hash";

/// Annotation on a Secret qspgb wrote while the workload was running: the
/// [`RESTART_ANNOTATION`] value the workload is owed. It matters only while the workload has
/// no restart annotation at all, see [`restart_needed`].
pub const PENDING_RESTART_ANNOTATION: &str = "qspgb/pending-secrets-hash";

/// Label naming who manages a Secret we write.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value.
pub const MANAGED_BY: &str = "qspgb";
/// Label with the (shortened) keyed fingerprint of a Secret we write ([`fingerprint`]);
/// label values are limited to 63 characters, so it holds the first 32 hex digits.
pub const SOURCE_HASH_LABEL: &str = "qspgb/source-hash";
/// Label naming the chart instance (alias) a Secret was written for.
pub const INSTANCE_LABEL: &str = "qspgb/instance";

/// What kind of workload runs an instance's PgBouncer pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 DaemonSet.
    DaemonSet,
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::DaemonSet => "daemonset",
        })
    }
}

/// The workload to restart when an instance's Secrets change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// Deployment or DaemonSet.
    pub kind: WorkloadKind,
    /// Its name (the instance's fullname).
    pub name: String,
}

/// Everything `qspgb hooks` needs to know about one chart instance, from the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceTarget {
    /// The chart alias, e.g. `pgbouncerPharia`.
    pub alias: String,
    /// Which Secrets are the sources: by labels or by names.
    pub sources: Sources,
    /// Name of the userlist Secret (`config.existingUserlistSecret`).
    pub userlist_secret: String,
    /// Name of the admin Secret (`config.existingAdminSecret`).
    pub admin_secret: String,
    /// The role that goes into the admin Secret (`config.adminUser`).
    pub admin_role: String,
    /// Key of the admin user name in the admin Secret (`config.adminUserKey`).
    pub admin_user_key: String,
    /// Key of the admin password in the admin Secret (`config.adminPasswordKey`).
    pub admin_password_key: String,
    /// The workload that runs this instance's pods.
    pub workload: Workload,
}

impl InstanceTarget {
    /// The sources as messages name them: the selector in Kubernetes' `key=value,key=value`
    /// syntax (keys sorted), or `names a, b`.
    pub fn label_selector(&self) -> String {
        match &self.sources {
            Sources::Selector(selector) => selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            Sources::Names(names) => format!("names {}", names.join(", ")),
        }
    }
}

/// How the hooks find the database cluster's credential Secrets. The two modes differ in
/// what the hooks' Role must allow, and so in what its token can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sources {
    /// `hooks.sourceSecretSelector`: every Secret carrying all these labels. Needs `list`
    /// on Secrets, which Kubernetes cannot limit by name: the token can read every Secret
    /// of the namespace.
    Selector(BTreeMap<String, String>),
    /// `hooks.sourceSecretNames`: exactly these Secrets (sorted, no duplicates), each read
    /// with `get`, which the Role limits to these names: the token reads nothing else.
    Names(Vec<String>),
}

/// A database cluster's credential Secret, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSecret {
    /// The Secret's name.
    pub name: String,
    /// Its data.
    pub data: SecretData,
}

/// How a run can fail; each class has its own exit code ([`crate::error::ErrorKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// The source Secrets cannot give a valid userlist (none found, admin role missing,
    /// conflicting duplicates). Nothing was written.
    Source,
    /// The Kubernetes API refused or could not be reached.
    Api,
    /// A target Secret exists with a type the hooks never write (a ServiceAccount token,
    /// a TLS Secret, ...): it is not ours to overwrite. Nothing was written to it.
    Target,
}

/// A failure of a hooks run with its class. The message never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HooksError {
    /// Which kind of failure.
    pub class: FailureClass,
    /// What happened, naming Secrets, roles and selectors.
    pub message: String,
}

impl HooksError {
    /// A [`FailureClass::Source`] error.
    pub fn source(message: impl Into<String>) -> Self {
        HooksError {
            class: FailureClass::Source,
            message: message.into(),
        }
    }

    /// A [`FailureClass::Target`] error.
    pub fn target(message: impl Into<String>) -> Self {
        HooksError {
            class: FailureClass::Target,
            message: message.into(),
        }
    }

    /// A [`FailureClass::Api`] error.
    pub fn api(message: impl Into<String>) -> Self {
        HooksError {
            class: FailureClass::Api,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint::{FingerprintKey, HASH_KEY};
    use super::*;
    use plan::*;

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
}

/// The examples that were doc tests while this module was public (rustdoc cannot build
/// examples of crate-private items), as unit tests.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module_example() {
        use crate::hooks::fingerprint::{FingerprintKey, HASH_KEY};
        use crate::hooks::{
            InstanceTarget, SourceSecret, Sources, Workload, WorkloadKind, desired_secrets,
        };
        use std::collections::BTreeMap;

        let target = InstanceTarget {
            alias: "pgbouncerPharia".into(),
            sources: Sources::Selector(BTreeMap::from([(
                "qs-postgresql-cluster/name".into(),
                "cluster-pharia".into(),
            )])),
            userlist_secret: "pgbouncer-pharia-userlist".into(),
            admin_secret: "pgbouncer-pharia-admin".into(),
            admin_role: "pgbouncer".into(),
            admin_user_key: "adminUser".into(),
            admin_password_key: "adminPassword".into(),
            workload: Workload {
                kind: WorkloadKind::Deployment,
                name: "pgbouncer-pharia".into(),
            },
        };
        let source = |name: &str, user: &str, password: &str| SourceSecret {
            name: name.into(),
            data: BTreeMap::from([
                ("username".into(), user.as_bytes().to_vec()),
                ("password".into(), password.as_bytes().to_vec()),
            ]),
        };
        let key = FingerprintKey::generate().unwrap();
        let desired = desired_secrets(
            &target,
            &[
                source("cluster-pharia-app", "pharia_os", "s3cret"),
                source("cluster-pharia-pgbouncer", "pgbouncer", "adm1n"),
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
}

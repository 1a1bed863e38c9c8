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

pub use plan::{DesiredSecrets, SecretAction, WorkloadStep, desired_secrets, workload_step};

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
/// no restart annotation at all, see [`plan::restart_needed`].
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
    /// apps/v1 StatefulSet (kind Deployment with peering.enabled).
    StatefulSet,
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::StatefulSet => "statefulset",
        })
    }
}

/// The workload to restart when an instance's Secrets change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// Deployment, DaemonSet or StatefulSet.
    pub kind: WorkloadKind,
    /// Its name (the instance's fullname).
    pub name: String,
}

/// Which of an instance's Secrets the running pods read only at start, so that a change of
/// them restarts the workload (see `hooks.restartOnChange` in values/pgbouncer.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartScope {
    /// Both: PgBouncer reads userlist.txt at start (no userlistReload sidecar), or the
    /// values ask for a restart on every change.
    Both,
    /// Only the admin Secret: the userlist-reload sidecar reloads userlist.txt, but the
    /// exporter takes the admin password from its environment.
    Admin,
    /// Neither: the sidecar reloads userlist.txt and nothing reads the admin Secret at
    /// start, or the values turn restarts off.
    Neither,
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
    /// What a change restarts.
    pub restart: RestartScope,
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

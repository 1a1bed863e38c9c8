//! The order Helm installs and prints documents in (`kind_sorter.go`, `manifest_sorter.go`),
//! and the hook events it knows (`hook.go`).

use super::{FileDocuments, Manifests};

/// Helm's install order by kind; unknown kinds go last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The hook events Helm knows (`helm.sh/hook` values).
pub const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Orders the documents of all files as Helm does: files by path, then stable by kind,
/// hooks apart from the ordinary manifests.
pub fn sort_manifests(mut files: Vec<FileDocuments>) -> Manifests {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = Manifests::default();
    for file in files {
        out.warnings.extend(file.warnings);
        for doc in file.documents {
            if doc.is_hook() {
                out.hooks.push(doc);
            } else {
                out.manifests.push(doc);
            }
        }
    }
    // Stable sorts: equal kinds keep template path order, then document order.
    out.manifests.sort_by_key(|d| kind_rank(&d.kind));
    out.hooks.sort_by_key(|d| kind_rank(&d.kind));
    out
}

/// Sort key: known kinds by install order, then unknown kinds alphabetically.
fn kind_rank(kind: &str) -> (usize, String) {
    match INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(i) => (i, String::new()),
        None => (INSTALL_ORDER.len(), kind.to_string()),
    }
}

//! Which Kubernetes versions serve an object's `apiVersion` and `kind`: a rendering for an
//! older (or newer) cluster than its objects' APIs is refused by that API server ("no
//! matches for kind"), so `--kube-version` outside the range is a warning.

use super::super::Finding;
use super::warning;
use crate::manifest::Manifests;
use crate::value::Value;

/// A Kubernetes minor version (`1.25` is `(1, 25)`).
pub type Minor = (u32, u32);

/// `apiVersion`, `kind`, the first Kubernetes version that serves it, and the first that
/// no longer does (from Kubernetes' deprecated API migration guide). The chart's kinds and
/// the older versions a migrated values file or fork may still carry.
pub const SERVED: &[(&str, &str, Minor, Option<Minor>)] = &[
    ("v1", "ConfigMap", (1, 2), None),
    ("v1", "Pod", (1, 0), None),
    ("v1", "Secret", (1, 0), None),
    ("v1", "Service", (1, 0), None),
    ("v1", "ServiceAccount", (1, 0), None),
    ("apps/v1", "DaemonSet", (1, 9), None),
    ("apps/v1", "Deployment", (1, 9), None),
    ("apps/v1", "StatefulSet", (1, 9), None),
    ("apps/v1beta1", "Deployment", (1, 6), Some((1, 16))),
    ("apps/v1beta1", "StatefulSet", (1, 5), Some((1, 16))),
    ("apps/v1beta2", "DaemonSet", (1, 8), Some((1, 16))),
    ("apps/v1beta2", "Deployment", (1, 8), Some((1, 16))),
    ("apps/v1beta2", "StatefulSet", (1, 8), Some((1, 16))),
    ("extensions/v1beta1", "DaemonSet", (1, 2), Some((1, 16))),
    ("extensions/v1beta1", "Deployment", (1, 2), Some((1, 16))),
    ("extensions/v1beta1", "NetworkPolicy", (1, 3), Some((1, 16))),
    ("autoscaling/v1", "HorizontalPodAutoscaler", (1, 2), None),
    ("autoscaling/v2", "HorizontalPodAutoscaler", (1, 23), None),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        (1, 8),
        Some((1, 25)),
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        (1, 12),
        Some((1, 26)),
    ),
    ("batch/v1", "CronJob", (1, 21), None),
    ("batch/v1", "Job", (1, 2), None),
    ("batch/v1beta1", "CronJob", (1, 8), Some((1, 25))),
    ("networking.k8s.io/v1", "NetworkPolicy", (1, 7), None),
    ("policy/v1", "PodDisruptionBudget", (1, 21), None),
    (
        "policy/v1beta1",
        "PodDisruptionBudget",
        (1, 5),
        Some((1, 25)),
    ),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", (1, 8), None),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        (1, 8),
        None,
    ),
    ("rbac.authorization.k8s.io/v1", "Role", (1, 8), None),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", (1, 8), None),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        (1, 6),
        Some((1, 22)),
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        (1, 6),
        Some((1, 22)),
    ),
];

/// The minor version of a `--kube-version` as the CLI normalized it (`v1.31.2`,
/// `v1.33.4+k3s1`); `None` when it has no two leading numbers.
pub fn minor_of(kube_version: &str) -> Option<Minor> {
    let mut parts = kube_version.trim_start_matches('v').split('.');
    let number = |part: Option<&str>| {
        let digits: String = part?.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    Some((number(parts.next())?, number(parts.next())?))
}

/// Whether `minor` serves `apiVersion`/`kind`: `None` when the table does not know it.
pub fn served(api_version: &str, kind: &str, minor: Minor) -> Option<Result<(), String>> {
    let (_, _, first, removed) = SERVED
        .iter()
        .find(|(v, k, _, _)| *v == api_version && *k == kind)?;
    let show = |m: &Minor| format!("{}.{}", m.0, m.1);
    Some(if minor < *first {
        Err(format!("served from Kubernetes {}", show(first)))
    } else if let Some(removed) = removed.filter(|r| minor >= *r) {
        Err(format!(
            "served by Kubernetes {} to {}.{} only, removed in {}",
            show(first),
            removed.0,
            removed.1 - 1,
            show(&removed)
        ))
    } else {
        Ok(())
    })
}

/// A warning per rendered document whose `apiVersion` `kube_version` does not serve.
pub fn unserved(manifests: &Manifests, kube_version: &str) -> Vec<Finding> {
    let Some(minor) = minor_of(kube_version) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for document in manifests.manifests.iter().chain(&manifests.hooks) {
        let Value::Map(object) = &document.object else {
            continue;
        };
        let field = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or("");
        let api_version = field("apiVersion");
        let name = object
            .get("metadata")
            .and_then(|m| m.path("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(Err(why)) = served(api_version, &document.kind, minor) {
            out.push(warning(
                format!("{} ({} {name})", document.source, document.kind),
                format!(
                    "apiVersion {api_version} {} is {why}; --kube-version {kube_version} does not \
                     serve it (the API server would refuse the object)",
                    document.kind
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the table: the version before its first is refused, its first and
    /// the one before its removal served, its removal (and later) refused, naming both.
    #[test]
    fn every_row_is_served_exactly_in_its_range() {
        for (api_version, kind, first, removed) in SERVED {
            let at = |minor: Minor| served(api_version, kind, minor).expect("in the table");
            if first.1 > 0 {
                let before = at((first.0, first.1 - 1)).unwrap_err();
                assert!(
                    before.contains(&format!("from Kubernetes {}.{}", first.0, first.1)),
                    "{api_version} {kind}: {before}"
                );
            }
            assert_eq!(at(*first), Ok(()), "{api_version} {kind}");
            match removed {
                None => assert_eq!(at((1, 99)), Ok(()), "{api_version} {kind}"),
                Some(removed) => {
                    assert!(first < removed, "{api_version} {kind}");
                    assert_eq!(
                        at((removed.0, removed.1 - 1)),
                        Ok(()),
                        "{api_version} {kind}"
                    );
                    for minor in [*removed, (removed.0, removed.1 + 5)] {
                        let why = at(minor).unwrap_err();
                        assert!(
                            why.contains(&format!("removed in {}.{}", removed.0, removed.1))
                                && why.contains(&format!("Kubernetes {}.{}", first.0, first.1)),
                            "{api_version} {kind}: {why}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            served("monitoring.coreos.com/v1", "ServiceMonitor", (1, 20)),
            None
        );
    }

    #[test]
    fn the_chart_s_kinds_at_the_default_version_are_served() {
        let default = minor_of(crate::render::DEFAULT_KUBE_VERSION).unwrap();
        for (api_version, kind, _, removed) in SERVED {
            if removed.is_none() {
                assert_eq!(served(api_version, kind, default), Some(Ok(())));
            }
        }
    }

    #[test]
    fn minor_versions_as_the_cli_normalizes_them() {
        for (given, minor) in [
            ("v1.31.2", Some((1, 31))),
            ("v1.33.4+k3s1", Some((1, 33))),
            ("v1.25", Some((1, 25))),
            ("v1.20.0-gke.1", Some((1, 20))),
            ("vx", None),
        ] {
            assert_eq!(minor_of(given), minor, "{given}");
        }
    }
}
